"""Factories for the evaluation app's records."""

import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from delivery.models import Allocation
from evaluation.models import (
    Baseline,
    Evaluation,
    EvaluationStatus,
    EvaluationTiming,
    EvaluationType,
    Indicator,
    IndicatorPeriod,
    Lesson,
    LessonKind,
    Measure,
    Recommendation,
    Result,
    ResultKind,
)
from tests.factories import FundingSourceFactory, ProjectFactory


class ResultFactory(DjangoModelFactory):
    class Meta:
        model = Result

    project = factory.SubFactory(ProjectFactory)
    kind = ResultKind.OUTCOME
    title = factory.Sequence(lambda n: f"Result {n}")


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = Indicator

    result = factory.SubFactory(ResultFactory)
    title = factory.Sequence(lambda n: f"Indicator {n}")
    measure = Measure.UNIT
    ascending = True


class BaselineFactory(DjangoModelFactory):
    class Meta:
        model = Baseline

    indicator = factory.SubFactory(IndicatorFactory)
    year = 2000
    value = Decimal("10")


class PeriodFactory(DjangoModelFactory):
    class Meta:
        model = IndicatorPeriod

    indicator = factory.SubFactory(IndicatorFactory)
    start = dt.date(2000, 1, 1)
    end = dt.date(2001, 12, 31)
    target = Decimal("50")


class EvaluationFactory(DjangoModelFactory):
    class Meta:
        model = Evaluation
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Evaluation {n}")
    type = EvaluationType.INDEPENDENT
    timing = EvaluationTiming.FINAL
    status = EvaluationStatus.PLANNED
    planned_date = dt.date(2001, 10, 1)
    is_independent = factory.LazyAttribute(lambda o: o.type not in (EvaluationType.SELF, EvaluationType.INTERNAL,
                                                                    EvaluationType.THEMATIC))

    @factory.post_generation
    def projects(self, create, extracted, **kwargs):
        if create:
            self.projects.set(extracted if extracted is not None else [ProjectFactory()])


class RecommendationFactory(DjangoModelFactory):
    class Meta:
        model = Recommendation

    evaluation = factory.SubFactory(EvaluationFactory, status=EvaluationStatus.COMPLETED,
                                    actual_date=dt.date(2001, 11, 15))
    text = factory.Sequence(lambda n: f"Recommendation {n}: strengthen the steering committee.")
    addressee = "Project management"


class LessonFactory(DjangoModelFactory):
    class Meta:
        model = Lesson

    kind = LessonKind.LESSON
    title = factory.Sequence(lambda n: f"Lesson {n}")
    text = "Involving employers' organisations from the design stage made the apprenticeship scheme last."


def allocate(project, amount, year=2000, source_code="XBTC"):
    return Allocation.objects.create(project=project, year=year, funding_source=FundingSourceFactory(code=source_code),
                                     amount_usd=Decimal(amount))
