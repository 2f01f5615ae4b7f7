"""A portfolio for the constituents' tests: two countries, three constituent organisations and the projects each
of them may (or may not) see (issue 18, point 2).

- Senegal: its government (GOV-SEN) and a workers' organisation (CNTS); Peru: an employers' organisation (CONFIEP);
- sen_project works in Senegal: the government and the workers see it (their country);
- per_project works in Peru: the employers see it;
- partner_project (global) has CNTS as implementing partner: the workers see it;
- cell_project (global) names GOV-SEN in a tripartite cell: the government sees it;
- hidden_project (global) names none of them: no constituent sees it.
"""

import datetime as dt

from accounts.models import Role
from partners.models import OrganisationKind
from projects.models import ConstituentGroup, InvolvementStage, PartnerRole, ProjectPartner, TripartiteInvolvement
from tests.factories import CountryFactory, OrganisationFactory, ProjectFactory, RegionFactory, UnitFactory, UserFactory


class Portfolio:
    def __init__(self):
        africa, americas = RegionFactory(code="AFRICA"), RegionFactory(code="AMERICAS", iati_code="489")
        self.senegal = CountryFactory(iso3="SEN", iso2="SN", name="Senegal", region=africa)
        self.peru = CountryFactory(iso3="PER", iso2="PE", name="Peru", region=americas)
        self.government = OrganisationFactory(name="Ministry of Labour of Senegal", acronym="GOV-SEN",
                                              kind=OrganisationKind.GOVERNMENT, country=self.senegal)
        self.workers = OrganisationFactory(name="Confédération nationale des travailleurs du Sénégal",
                                           acronym="CNTS", kind=OrganisationKind.WORKERS, country=self.senegal)
        self.employers = OrganisationFactory(name="Confederación de Instituciones Empresariales Privadas",
                                             acronym="CONFIEP", kind=OrganisationKind.EMPLOYERS, country=self.peru)
        self.unit = UnitFactory(code="CO-DAKAR")
        self.officer = UserFactory(username="c-officer", role=Role.OFFICER, units=[self.unit])
        self.users = {
            "government": UserFactory(username="c-government", role=Role.CONSTITUENT, organisation=self.government,
                                      language="fr"),
            "workers": UserFactory(username="c-workers", role=Role.CONSTITUENT, organisation=self.workers,
                                   language="fr"),
            "employers": UserFactory(username="c-employers", role=Role.CONSTITUENT, organisation=self.employers,
                                     language="es"),
        }
        unit = self.unit
        self.sen_project = ProjectFactory(symbol="SEN/00/01/USA", region=africa, countries=[self.senegal],
                                          responsible_unit=unit, responsible_official=self.officer)
        self.per_project = ProjectFactory(symbol="PER/00/01/USA", region=americas, countries=[self.peru],
                                          responsible_unit=unit)
        self.partner_project = ProjectFactory(symbol="GLO/00/01/USA", responsible_unit=unit)
        ProjectPartner.objects.create(project=self.partner_project, organisation=self.workers,
                                      role=PartnerRole.IMPLEMENTING)
        self.cell_project = ProjectFactory(symbol="GLO/00/02/USA", responsible_unit=unit)
        TripartiteInvolvement.objects.create(
            project=self.cell_project, stage=InvolvementStage.FORMULATION, group=ConstituentGroup.GOVERNMENT,
            actual_date=dt.date(2000, 3, 1), actual_organisation=self.government, actual_description="Consulted")
        self.hidden_project = ProjectFactory(symbol="GLO/00/03/USA", responsible_unit=unit)
        self.projects = [self.sen_project, self.per_project, self.partner_project, self.cell_project,
                         self.hidden_project]
        self.visible = {
            "government": {self.sen_project, self.cell_project},
            "workers": {self.sen_project, self.partner_project},
            "employers": {self.per_project},
        }

    def hidden_from(self, who: str) -> list:
        return [project for project in self.projects if project not in self.visible[who]]

    def workers_cell(self, **values) -> TripartiteInvolvement:
        """A workers' cell the Office recorded (contemplated) on the Senegal project."""
        return TripartiteInvolvement.objects.create(
            project=self.sen_project, stage=InvolvementStage.IMPLEMENTATION, group=ConstituentGroup.WORKERS,
            contemplated=True, contemplated_description="Workers on the steering committee", **values)
