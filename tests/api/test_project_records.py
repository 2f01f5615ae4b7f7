"""/api/v1/experts/, training/ and progress-reports/: a project's records, written through projects.services."""

import datetime as dt
import itertools
from decimal import Decimal

from accounts.models import Role
from projects.models import ExpertAssignment, ProgressReport, TrainingActivity
from tests.api.base import EndpointTests
from tests.factories import CountryFactory, ProjectFactory

EDITORS = {Role.ADMIN, Role.OFFICER, Role.MANAGER}  # on their units' projects (administrators: all)
days = itertools.count(1)


def _day() -> dt.date:
    return dt.date(2000, 1, 1) + dt.timedelta(days=next(days))


class _RecordTests(EndpointTests):
    create_roles = update_roles = delete_roles = EDITORS
    scoped = True  # records follow the project's edit rule


class TestExperts(_RecordTests):
    basename = "expert"

    def make(self, scope, unit):
        return ExpertAssignment.objects.create(project=ProjectFactory(responsible_unit=unit),
                                               nationality=CountryFactory(iso3="KEN"), year=2001,
                                               work_months=Decimal("2.00"))

    def create_data(self, scope, n):
        return {"project": ProjectFactory(responsible_unit=scope.unit).pk, "nationality": CountryFactory().iso3,
                "year": 2001, "work_months": "4.50", "name": f"Adviser {n}"}

    def update_data(self, expert):
        return {"name": f"Chief adviser {next(days)}"}

    def invalid_data(self, scope):
        return {**self.create_data(scope, 0), "nationality": "ZZZ"}, "nationality"

    def test_category_follows_nationality(self, scope):
        kenya = CountryFactory(iso3="KEN")
        expert = ExpertAssignment.objects.create(project=ProjectFactory(countries=[kenya]), nationality=kenya,
                                                 year=2001, work_months=Decimal("1.00"))
        data = scope.client(Role.SECRETARIAT).get(self.detail_url(expert)).data
        assert (data["nationality"], data["category"]) == ("KEN", "NATIONAL")


class TestTraining(_RecordTests):
    basename = "training"

    def make(self, scope, unit):
        day = _day()
        return TrainingActivity.objects.create(project=ProjectFactory(responsible_unit=unit), title="Course",
                                               start_date=day, end_date=day)

    def create_data(self, scope, n):
        return {"project": ProjectFactory(responsible_unit=scope.unit).pk, "title": "Workshop",
                "start_date": "2001-03-01", "end_date": "2001-03-02", "women": 3, "men": 4}

    def update_data(self, training):
        return {"title": f"Course {next(days)}"}

    def invalid_data(self, scope):
        return {**self.create_data(scope, 0), "end_date": "2001-02-01"}, "end_date"


class TestProgressReports(_RecordTests):
    basename = "progress-report"

    def make(self, scope, unit):
        day = _day()
        return ProgressReport.objects.create(project=ProjectFactory(responsible_unit=unit), period_end=day,
                                             due_date=day)

    def create_data(self, scope, n):
        return {"project": ProjectFactory(responsible_unit=scope.unit).pk, "period_end": "2001-06-30",
                "due_date": "2001-08-31"}

    def update_data(self, report):
        return {"comment": f"Received {next(days)}"}

    def invalid_data(self, scope):
        return {**self.create_data(scope, 0), "due_date": "2001-01-31"}, "due_date"
