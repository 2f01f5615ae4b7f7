"""/api/v1/projects/, project-partners/, tripartite/ and the framework's reference lists."""

import datetime as dt
import itertools

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.models import Role
from projects.models import (
    Convention,
    DateRevision,
    Project,
    ProjectPartner,
    ProjectStatus,
    TripartiteInvolvement,
)
from tests.api.base import EndpointTests
from tests.factories import (
    CountryFactory,
    FundingSourceFactory,
    InputTypeFactory,
    ObjectiveFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ProjectFactory,
    RegionFactory,
    api_token_for,
)

WRITERS = {Role.ADMIN, Role.OFFICER, Role.MANAGER}
sequence = itertools.count(1)


def project_in(unit, **kwargs) -> Project:
    return ProjectFactory(responsible_unit=unit, **kwargs)


class TestProjects(EndpointTests):
    basename = "project"
    create_roles = WRITERS
    update_roles = WRITERS
    scoped = True

    def make(self, scope, unit):
        project = project_in(unit, countries=[CountryFactory()])
        ProjectPartner.objects.create(project=project, organisation=OrganisationFactory(), role="FUNDING")
        TripartiteInvolvement.objects.create(project=project, stage="FORMULATION", group="GOVERNMENT",
                                             contemplated=True, contemplated_description="Consulted")
        return project

    def create_data(self, scope, n):
        return {"symbol": f"INT/01/{n + 10:02d}/MUL", "title": f"Skills {n}", "planned_start": "2001-01-01",
                "planned_end": "2002-12-31", "strategic_objective": ObjectiveFactory().pk,
                "region": RegionFactory().pk, "countries": [CountryFactory().iso3],
                "funding_source": FundingSourceFactory().pk, "responsible_unit": scope.unit.pk}

    def update_data(self, project):
        return {"title": f"Renamed {next(sequence)}"}

    def invalid_data(self, scope):
        return {**self.create_data(scope, 0), "symbol": "NOT A SYMBOL"}, "symbol"


@pytest.mark.django_db
class TestProjectRules:
    def test_nested_partners_tripartite_and_countries(self, scope):
        project = TestProjects().make(scope, scope.unit)
        data = scope.client(Role.SECRETARIAT).get(reverse("project-detail", args=[project.pk])).data
        assert data["countries"] == ["KEN"]
        assert [p["role"] for p in data["partners"]] == ["FUNDING"]
        assert data["tripartite"][0]["is_gap"] is True
        assert data["version"] == 1

    def test_list_rows_are_summaries_and_the_detail_stays_full(self, scope):
        project = TestProjects().make(scope, scope.unit)
        # Named so that the detail's order (by name) differs from the order of the codes and of the links.
        project.countries.add(CountryFactory(iso3="ZAF", name="Alpha"))
        client = scope.client(Role.OFFICER)
        row = client.get(reverse("project-list")).data["results"][0]
        detail = client.get(reverse("project-detail", args=[project.pk])).data
        assert row["countries"] == detail["countries"] == ["ZAF", "KEN"]
        for absent in ("partners", "tripartite", "summary", "themes", "allowed_statuses"):
            assert absent not in row and absent in detail, absent
        assert set(row) < set(detail)
        assert {name: detail[name] for name in row} == row
        assert [p["role"] for p in detail["partners"]] == ["FUNDING"] and len(detail["tripartite"]) == 1

    def test_list_reads_rows_and_country_codes_only(self, scope, django_assert_max_num_queries):
        for _ in range(5):
            TestProjects().make(scope, scope.unit)
        client = scope.client(Role.ADMIN)
        # The count, the page's rows, their countries' codes: no join, no prefetch of partners or tripartite.
        with django_assert_max_num_queries(3):
            response = client.get(reverse("project-list"), {"page_size": 100})
        assert len(response.data["results"]) == 5

    def test_schema_documents_the_summary_for_the_list_and_the_full_project_for_the_detail(self):
        schema = SchemaGenerator().get_schema(request=None, public=True)

        def answer(path, method="get", code="200"):
            body = schema["paths"][path][method]["responses"][code]["content"]["application/json"]["schema"]
            name = body["$ref"].rsplit("/", 1)[-1]
            return schema["components"]["schemas"][name]

        listing = answer("/api/v1/projects/")["properties"]["results"]["items"]["$ref"].rsplit("/", 1)[-1]
        row = schema["components"]["schemas"][listing]["properties"]
        assert "partners" not in row and row["countries"]["items"]["type"] == "string"
        for path, method, code in (("/api/v1/projects/{id}/", "get", "200"), ("/api/v1/projects/", "post", "201"),
                                   ("/api/v1/projects/{id}/", "patch", "200")):
            assert {"partners", "tripartite", "summary"} <= set(answer(path, method, code)["properties"]), path

    def test_service_validation_answers_400_naming_the_field_and_writes_nothing(self, scope):
        data = {**TestProjects().create_data(scope, 1), "planned_end": "2000-01-01"}
        response = scope.client(Role.OFFICER).post(reverse("project-list"), data, format="json")
        assert response.status_code == 400
        assert "planned_end" in response.data
        assert not Project.objects.filter(symbol=data["symbol"]).exists()

    def test_status_change_follows_the_allowed_transitions(self, scope):
        project = project_in(scope.unit, status=ProjectStatus.PIPELINE)
        url = reverse("project-status", args=[project.pk])
        client = scope.client(Role.OFFICER)
        refused = client.post(url, {"status": ProjectStatus.FINANCIALLY_CLOSED}, format="json")
        assert refused.status_code == 400 and "status" in refused.data
        moved = client.post(url, {"status": ProjectStatus.APPROVED}, format="json")
        assert moved.status_code == 200
        assert moved.data["status"] == ProjectStatus.APPROVED and moved.data["version"] == 2
        assert scope.client(Role.SECRETARIAT).post(url, {"status": "ONGOING"}, format="json").status_code == 403

    def test_date_revision_keeps_the_earlier_value_with_its_reason(self, scope):
        project = project_in(scope.unit)
        url = reverse("project-revise-date", args=[project.pk])
        client = scope.client(Role.MANAGER)
        without_reason = client.post(url, {"field": "planned_end", "new_value": "2002-06-30", "reason": ""},
                                     format="json")
        assert without_reason.status_code == 400 and "reason" in without_reason.data
        revised = client.post(url, {"field": "planned_end", "new_value": "2002-06-30", "reason": "Donor extension"},
                              format="json")
        assert revised.status_code == 200 and revised.data["planned_end"] == "2002-06-30"
        revision = DateRevision.objects.get(project=project)
        assert (revision.old_value, revision.reason) == (dt.date(2001, 12, 31), "Donor extension")

    def test_changing_a_date_by_patch_needs_the_reason(self, scope):
        project = project_in(scope.unit)
        url = reverse("project-detail", args=[project.pk])
        client = scope.client(Role.OFFICER)
        response = client.patch(url, {"planned_end": "2002-03-31"}, format="json")
        assert response.status_code == 400 and "planned_end" in response.data
        response = client.patch(url, {"planned_end": "2002-03-31", "date_reason": "Late start"}, format="json")
        assert response.status_code == 200
        assert project.date_revisions.count() == 1

    def test_stale_version_in_the_body_answers_412_naming_the_change(self, scope):
        project = project_in(scope.unit)
        url = reverse("project-detail", args=[project.pk])
        client = scope.client(Role.OFFICER)
        assert client.patch(url, {"title": "First", "version": 1}, format="json").status_code == 200
        stale = client.patch(url, {"title": "Second", "version": 1}, format="json")
        assert stale.status_code == 412
        assert "version" in stale.data
        assert Project.objects.get(pk=project.pk).title == "First"

    def test_filters_ordering_and_pagination(self, scope):
        for n in range(3):
            project_in(scope.unit, title=f"Child labour {n}", status=ProjectStatus.ONGOING)
        project_in(scope.unit, title="Skills", status=ProjectStatus.PIPELINE)
        client = scope.client(Role.EVALUATION)
        found = client.get(reverse("project-list"), {"q": "child", "ordering": "-symbol", "page_size": 2}).data
        assert found["count"] == 3 and len(found["results"]) == 2 and found["next"]
        symbols = [row["symbol"] for row in found["results"]]
        assert symbols == sorted(symbols, reverse=True)
        pipeline = client.get(reverse("project-list"), {"status": "PIPELINE"}).data
        assert [row["title"] for row in pipeline["results"]] == ["Skills"]
        assert client.get(reverse("project-list"), {"region": "not-an-id"}).status_code == 400

    def test_token_and_session_authentication(self, scope):
        user = scope.user(Role.OFFICER)
        key = api_token_for(user)
        client = APIClient()
        assert client.get(reverse("project-list")).status_code == 401
        assert client.get(reverse("project-list"), HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
        assert client.get(reverse("project-list"), HTTP_AUTHORIZATION="Token wrong").status_code == 401
        session = APIClient(enforce_csrf_checks=True)
        session.force_login(user)
        assert session.get(reverse("project-list")).status_code == 200
        # A session write without the CSRF token is refused, as on the pages.
        assert session.post(reverse("project-list"), {}, format="json").status_code == 403


class TestProjectPartners(EndpointTests):
    basename = "project-partner"
    create_roles = WRITERS
    delete_roles = WRITERS
    scoped = True

    def make(self, scope, unit):
        return ProjectPartner.objects.create(project=project_in(unit), organisation=OrganisationFactory(),
                                             role="IMPLEMENTING")

    def create_data(self, scope, n):
        return {"project": project_in(scope.unit).pk, "organisation": OrganisationFactory().pk, "role": "FUNDING"}

    def invalid_data(self, scope):
        return {**self.create_data(scope, 0), "role": "SPONSOR"}, "role"

    def test_adding_a_partner_to_a_project_of_another_unit_is_refused(self, scope):
        data = {**self.create_data(scope, 0), "project": project_in(scope.other_unit).pk}
        assert scope.client(Role.OFFICER).post(self.list_url(), data, format="json").status_code == 403
        assert not ProjectPartner.objects.exists()

    def test_a_duplicate_partner_answers_400(self, scope):
        partner = self.make(scope, scope.unit)
        data = {"project": partner.project_id, "organisation": partner.organisation_id, "role": partner.role}
        response = scope.client(Role.OFFICER).post(self.list_url(), data, format="json")
        assert response.status_code == 400


class TestTripartite(EndpointTests):
    basename = "tripartite"
    create_roles = WRITERS
    update_roles = WRITERS
    scoped = True

    def make(self, scope, unit):
        return TripartiteInvolvement.objects.create(project=project_in(unit), stage="APPROVAL", group="WORKERS")

    def create_data(self, scope, n):
        return {"project": project_in(scope.unit).pk, "stage": "FORMULATION", "group": "EMPLOYERS",
                "contemplated": True, "contemplated_description": "Employers sit on the steering committee"}

    def update_data(self, cell):
        return {"contemplated": True, "contemplated_description": f"Planned {next(sequence)}"}

    def invalid_data(self, scope):
        return {**self.create_data(scope, 0), "contemplated_description": ""}, "contemplated_description"

    def test_posting_a_cell_again_replaces_it(self, scope):
        data = self.create_data(scope, 0)
        client = scope.client(Role.OFFICER)
        assert client.post(self.list_url(), data, format="json").status_code == 201
        again = client.post(self.list_url(), {**data, "contemplated": False}, format="json")
        assert again.status_code == 201 and again.data["contemplated"] is False
        assert TripartiteInvolvement.objects.filter(project_id=data["project"]).count() == 1


class _Reference(EndpointTests):
    """Reference lists: everyone reads, nobody writes through the API."""


class TestObjectives(_Reference):
    basename = "objective"

    def make(self, scope, unit):
        return ObjectiveFactory(code=f"O{next(sequence)}")


class TestProgrammes(_Reference):
    basename = "programme"

    def make(self, scope, unit):
        return ProgrammeFactory(code=f"P{next(sequence)}")


class TestFundingSources(_Reference):
    basename = "funding-source"

    def make(self, scope, unit):
        return FundingSourceFactory(code=f"F{next(sequence)}")


class TestInputTypes(_Reference):
    basename = "input-type"

    def make(self, scope, unit):
        return InputTypeFactory(code=f"I{next(sequence)}")


class TestConventions(_Reference):
    basename = "convention"

    def make(self, scope, unit):
        number = next(sequence)
        return Convention.objects.create(number=number, title=f"Convention {number}")
