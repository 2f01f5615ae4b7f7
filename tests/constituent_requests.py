"""Records of issue 18.4-5 for the access matrices: a constituent organisation's request for assistance and a
programme requiring autonomy in a country."""

from django.utils import timezone

from partners.models import OrganisationKind
from projects.models import AssistanceRequest
from tests.factories import CountryFactory, ObjectiveFactory, OrganisationFactory, ProjectFactory


def assistance_request(organisation=None, **values) -> AssistanceRequest:
    organisation = organisation or OrganisationFactory(kind=OrganisationKind.WORKERS)
    return AssistanceRequest.objects.create(
        organisation=organisation, title=values.pop("title", "Social dialogue"), description="Ports",
        strategic_objective=ObjectiveFactory(), country=organisation.country or CountryFactory(),
        groups=["WORKERS"], submitted_at=timezone.now(), **values)


def autonomous_project(*countries, **values):
    return ProjectFactory(countries=list(countries), is_autonomous=True, autonomy_reason="Own governing board",
                          **values)
