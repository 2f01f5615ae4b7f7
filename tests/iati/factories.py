"""Factories for the rows an IATI activity is made of; built on the delivery and evaluation tests' factories."""

import datetime as dt
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from factory.django import DjangoModelFactory

from delivery.models import AllocationRevision, Approval, Expenditure
from delivery.services import refresh_month_spend
from evaluation.models import (
    EvaluationStatus,
    Measure,
    ResultKind,
)
from projects.models import (
    Convention,
    CrossCuttingTheme,
    DeclarationPrinciple,
    FrameworkIndicator,
    OperationalObjective,
    PartnerRole,
    ProjectPartner,
)
from tests.delivery import factories as delivery_factories
from tests.evaluation import factories as evaluation_factories
from tests.evaluation.factories import IndicatorFactory, ResultFactory  # noqa: F401  (re-exported for these tests)
from tests.factories import (
    BienniumFactory,
    FundingSourceFactory,
    InputTypeFactory,
    ObjectiveFactory,
    OrganisationFactory,
    ProjectFactory,
)


class PrincipleFactory(DjangoModelFactory):
    class Meta:
        model = DeclarationPrinciple
        django_get_or_create = ("code",)

    code = "CHILD_LABOUR"
    title = "The effective abolition of child labour"


class ConventionFactory(DjangoModelFactory):
    class Meta:
        model = Convention
        django_get_or_create = ("number",)

    number = 182
    title = "Worst Forms of Child Labour Convention (1999)"
    is_fundamental = True
    principle = factory.SubFactory(PrincipleFactory)


class ThemeFactory(DjangoModelFactory):
    class Meta:
        model = CrossCuttingTheme
        django_get_or_create = ("biennium", "code")

    biennium = factory.SubFactory(BienniumFactory)
    code = "GENDER"
    title = "Gender equality"


class ProjectPartnerFactory(DjangoModelFactory):
    class Meta:
        model = ProjectPartner

    project = factory.SubFactory(ProjectFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = PartnerRole.IMPLEMENTING


class AllocationFactory(delivery_factories.AllocationFactory):
    year = 2000
    amount_usd = Decimal("100000.00")


class AllocationRevisionFactory(DjangoModelFactory):
    class Meta:
        model = AllocationRevision

    allocation = factory.SubFactory(AllocationFactory)
    old_amount_usd = None
    new_amount_usd = factory.LazyAttribute(lambda o: o.allocation.amount_usd)
    reason = "Initial allotment"


class ExpenditureFactory(DjangoModelFactory):
    class Meta:
        model = Expenditure

    project = factory.SubFactory(ProjectFactory)
    period = dt.date(2000, 1, 1)
    input_type = factory.SubFactory(InputTypeFactory)
    currency = "USD"
    funding_source = factory.LazyAttribute(lambda o: o.project.funding_source)
    amount = Decimal("1000.00")
    exchange_rate = Decimal("1")
    amount_usd = factory.LazyAttribute(lambda o: (o.amount / o.exchange_rate).quantize(Decimal("0.01")))


class ApprovalFactory(DjangoModelFactory):
    class Meta:
        model = Approval

    donor = factory.SubFactory(OrganisationFactory)
    project = factory.SubFactory(ProjectFactory)
    date = dt.date(1999, 11, 15)
    amount_usd = Decimal("250000.00")
    amount = factory.LazyAttribute(lambda o: o.amount_usd)  # in US$


class BaselineFactory(evaluation_factories.BaselineFactory):
    year = 1999


class IndicatorPeriodFactory(evaluation_factories.PeriodFactory):
    end = dt.date(2000, 12, 31)
    target = Decimal("40")
    actual = Decimal("35.5")


class EvaluationFactory(evaluation_factories.EvaluationFactory):
    title = factory.Sequence(lambda n: f"Final evaluation {n}")
    status = EvaluationStatus.COMPLETED
    planned_date = dt.date(2001, 9, 1)
    actual_date = dt.date(2001, 10, 1)
    report = factory.LazyAttribute(lambda o: ContentFile(b"%PDF-1.4 report", name="report.pdf"))

    @factory.post_generation
    def projects(self, create, extracted, **kwargs):
        if create and extracted:
            self.projects.set(extracted)


# ---------------------------------------------------------------- a project's money and results in one call


def add_money(project, *, months: int, index: int) -> None:
    """Two years of allocations (one revised twice), approvals, and expenditure over several quarters."""
    rbtc, xbtc = FundingSourceFactory(code="RBTC"), FundingSourceFactory(code="XBTC")
    revised = AllocationFactory(project=project, year=2000, funding_source=xbtc, amount_usd=Decimal("150000.00"))
    AllocationRevisionFactory(allocation=revised, old_amount_usd=None, new_amount_usd=Decimal("120000.00"))
    AllocationRevisionFactory(allocation=revised, old_amount_usd=Decimal("120000.00"),
                              new_amount_usd=Decimal("150000.00"), reason="Donor top-up")
    AllocationFactory(project=project, year=2000, funding_source=rbtc, amount_usd=Decimal("30000.00"))
    unrevised = AllocationFactory(project=project, year=2001, funding_source=xbtc, amount_usd=Decimal("90000.50"))
    AllocationRevisionFactory(allocation=unrevised)
    ApprovalFactory(project=project, donor=project.donor or OrganisationFactory(), amount_usd=Decimal("240000.00"))
    experts, training = InputTypeFactory(code="EXPERTS"), InputTypeFactory(code="TRAINING")
    periods = set()
    for month in range(months):
        period = dt.date(2000 + month // 12, month % 12 + 1, 1)
        periods.add(period)
        ExpenditureFactory(project=project, period=period, input_type=experts,
                           amount=Decimal("1000.10") + index + month)
        ExpenditureFactory(project=project, period=period, input_type=training, currency="EUR",
                           amount=Decimal("500.00"), exchange_rate=Decimal("0.95"))
    refresh_month_spend({project.id: periods})  # the rollup the import services keep, which IATI reads


def framework_indicator():
    operational, _ = OperationalObjective.objects.get_or_create(objective=ObjectiveFactory(code="3"), code="3e",
                                                                defaults={"title": "Labour inspection"})
    indicator, _ = FrameworkIndicator.objects.get_or_create(operational_objective=operational, code="3e.1",
                                                            defaults={"text": "Member States", "target": "12"})
    return indicator


def add_results(project) -> None:
    outcome = ResultFactory(project=project, kind=ResultKind.OUTCOME, description="Better labour inspection")
    counted = IndicatorFactory(result=outcome, measure=Measure.UNIT, ascending=True, sex_disaggregated=True,
                               means_of_verification="Ministry records", framework_indicator=framework_indicator())
    BaselineFactory(indicator=counted, year=1999, value=Decimal("12"), comment="Survey")
    IndicatorPeriodFactory(indicator=counted, start=dt.date(2000, 1, 1), end=dt.date(2000, 12, 31),
                           target=Decimal("40"), actual=Decimal("35.5"), actual_women=Decimal("15"),
                           actual_men=Decimal("20.5"), comment="Two provinces late")
    IndicatorPeriodFactory(indicator=counted, start=dt.date(2001, 1, 1), end=dt.date(2001, 12, 31),
                           target=Decimal("80"), actual=None)
    rate = IndicatorFactory(result=outcome, measure=Measure.PERCENTAGE, ascending=False)
    BaselineFactory(indicator=rate, year=1999, value=Decimal("23.25"))
    IndicatorPeriodFactory(indicator=rate, target=Decimal("15"), actual=Decimal("18.75"))
    output = ResultFactory(project=project, kind=ResultKind.OUTPUT)
    qualitative = IndicatorFactory(result=output, measure=Measure.QUALITATIVE)
    BaselineFactory(indicator=qualitative, year=1999, value=None, comment="No tripartite council")
    IndicatorPeriodFactory(indicator=qualitative, target=None, actual=None, comment="Council meets quarterly")
    ResultFactory(project=project, kind=ResultKind.IMPACT)  # no indicator yet: left out of the file
