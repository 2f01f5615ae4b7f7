"""Each model validation, with the field it names and the message a user reads."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from partners.models import OrganisationKind
from projects import services
from projects.models import Programme, Project, TripartiteInvolvement, validate_symbol
from tests.factories import OrganisationFactory, ProjectFactory
from tests.projects.factories import ProgressReportFactory, TrainingFactory, TripartiteFactory

pytestmark = pytest.mark.django_db


def errors_of(callable_, *args, **kwargs) -> dict:
    with pytest.raises(ValidationError) as info:
        callable_(*args, **kwargs)
    return info.value.message_dict


def test_planned_dates_out_of_order_are_refused(project_fields):
    project_fields["planned_end"] = dt.date(1999, 1, 1)
    errors = errors_of(services.project_create, **project_fields)
    assert "planned_end" in errors
    assert "before the planned start (2000-03-01)" in errors["planned_end"][0]
    assert not Project.objects.exists()


def test_actual_dates_out_of_order_are_refused(project_fields):
    project_fields.update(actual_start=dt.date(2000, 6, 1), actual_end=dt.date(2000, 5, 1))
    assert "actual_end" in errors_of(services.project_create, **project_fields)


@pytest.mark.parametrize("symbol", ["KEN-00-01-NOR", "KEN/2000/01/NOR", "ken/00/01/nor", "KEN/00/1/NOR", ""])
def test_malformed_symbol_is_refused(symbol):
    with pytest.raises(ValidationError) as info:
        validate_symbol(symbol)
    assert "GEO/YY/SEQ/DONOR" in info.value.messages[0]


def test_symbol_with_unknown_geography_is_refused(reference):
    with pytest.raises(ValidationError) as info:
        validate_symbol("XYZ/00/01/NOR")
    assert "“XYZ”" in info.value.messages[0]


@pytest.mark.parametrize("symbol", ["KEN/00/01/NOR", "RLA/12/01/USA", "INT/98/M07/USA", "GLO/05/50/MUL"])
def test_valid_symbols_pass(reference, symbol):
    validate_symbol(symbol)


def test_bad_symbol_is_named_by_the_service(project_fields):
    project_fields["symbol"] = "NOT A SYMBOL"
    assert "symbol" in errors_of(services.project_create, **project_fields)


def test_programme_not_under_the_objective_is_refused(project_fields, ref):
    project_fields["primary_programme"] = ref.ipec  # IPEC is under objective 1, the project is under 2
    errors = errors_of(services.project_create, **project_fields)
    assert "is not a programme of strategic objective 2" in errors["primary_programme"][0]


def test_programme_objective_of_another_biennium_is_refused(ref):
    from projects.models import Biennium, StrategicObjective

    later = Biennium.objects.create(code="2002-03", start_year=2002, end_year=2003)
    objective = StrategicObjective.objects.create(biennium=later, code="1", title="x")
    programme = Programme(biennium=ref.so1.biennium, objective=objective, code="X", title="x")
    with pytest.raises(ValidationError) as info:
        programme.full_clean()
    assert "objective" in info.value.message_dict


def test_autonomy_without_reason_is_refused(project_fields):
    project_fields["is_autonomous"] = True
    errors = errors_of(services.project_create, **project_fields)
    assert errors["autonomy_reason"] == ["Give the reason why this programme requires autonomy."]
    project_fields["autonomy_reason"] = "Workers' education programme"
    assert services.project_create(**project_fields).is_autonomous


def test_workers_organisation_cannot_be_the_donor(project_fields):
    project_fields["donor"] = OrganisationFactory(kind=OrganisationKind.WORKERS)
    assert "donor" in errors_of(services.project_create, **project_fields)


def test_organisation_not_of_the_constituent_group_is_refused():
    employers = OrganisationFactory(name="Federation of Kenya Employers", kind=OrganisationKind.EMPLOYERS)
    cell = TripartiteFactory.build(project=ProjectFactory(), group="WORKERS", actual_date=dt.date(2000, 1, 1),
                                   actual_organisation=employers)
    with pytest.raises(ValidationError) as info:
        cell.full_clean()
    message = info.value.message_dict["actual_organisation"][0]
    assert "Federation of Kenya Employers" in message and "workers constituent" in message


def test_a_group_that_is_not_a_constituent_is_refused():
    cell = TripartiteFactory.build(project=ProjectFactory(), group="DONOR")
    with pytest.raises(ValidationError) as info:
        cell.full_clean()
    assert "group" in info.value.message_dict


def test_contemplated_involvement_needs_a_description():
    cell = TripartiteFactory.build(project=ProjectFactory(), contemplated_description="")
    with pytest.raises(ValidationError) as info:
        cell.full_clean()
    assert "contemplated_description" in info.value.message_dict


def test_actual_involvement_needs_its_date():
    cell = TripartiteFactory.build(project=ProjectFactory(), women=3)
    with pytest.raises(ValidationError) as info:
        cell.full_clean()
    assert "actual_date" in info.value.message_dict


def test_involvement_cell_is_a_gap_until_it_happens():
    cell = TripartiteFactory()
    assert cell.is_gap and not cell.is_actual
    cell.actual_date = dt.date(2000, 2, 1)
    assert not cell.is_gap
    assert TripartiteInvolvement.objects.count() == 1


def test_training_dates_out_of_order_are_refused():
    training = TrainingFactory.build(project=ProjectFactory(), start_date=dt.date(2000, 5, 5),
                                     end_date=dt.date(2000, 5, 1))
    with pytest.raises(ValidationError) as info:
        training.full_clean()
    assert "end_date" in info.value.message_dict


def test_report_due_before_its_period_ends_is_refused():
    report = ProgressReportFactory.build(project=ProjectFactory(), due_date=dt.date(2000, 6, 1))
    with pytest.raises(ValidationError) as info:
        report.full_clean()
    assert "due_date" in info.value.message_dict


def test_countries_outside_the_region_are_refused_and_nothing_saved(project_fields, ref):
    errors = errors_of(services.project_create, countries=[ref.kenya, ref.peru], **project_fields)
    assert "PER" in errors["countries"][0] and "KEN" not in errors["countries"][0]
    assert not Project.objects.exists()


def test_interregional_projects_may_cover_any_country(project_fields, ref):
    project_fields.update(region=ref.interregional, symbol="INT/00/01/NOR")
    project = services.project_create(countries=[ref.kenya, ref.peru], **project_fields)
    assert set(project.countries.values_list("iso3", flat=True)) == {"KEN", "PER"}


def test_unknown_field_is_named(project_fields):
    assert "colour" in errors_of(services.project_create, colour="red", **project_fields)

