"""Demo register: field units, constituents and donors, and a portfolio of projects around the 2000-01 biennium.

Deterministic: every random draw comes from random.Random(seed + k); nothing depends on the clock. Rows are
written with bulk_create (no per-row save); demo rows get no history records: the history of a demo project
starts with its first real change.
"""

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from accounts.models import Role
from partners.models import (
    ConstituentAccount,
    Country,
    Organisation,
    OrganisationKind,
    Region,
    Unit,
    UnitKind,
    UnitMembership,
)
from projects.models import (
    Biennium,
    Convention,
    DeclarationPrinciple,
    ExpertAssignment,
    FundingSource,
    InvolvementStage,
    PartnerRole,
    Programme,
    ProgressReport,
    Project,
    ProjectPartner,
    ProjectStatus,
    StrategicObjective,
    TrainingActivity,
    TripartiteInvolvement,
)
from projects.services import biennium_for_year, involvement_report, load_reference

# The demo portfolio is seen as of this date: projects after it are in the pipeline, before it closed.
DEMO_AS_OF = dt.date(2001, 10, 31)
BATCH = 2000

# code, name, kind, region, parent, countries covered
FIELD_UNITS = [
    ("CO-DAKAR", "ILO Office for Senegal, Gambia, Mali, Mauritania and Guinea-Bissau", "COUNTRY_OFFICE", "AFRICA",
     "RO-AFRICA", "SEN GMB MLI MRT GNB CPV"),
    ("CO-DAR-ES-SALAAM", "ILO Office for Tanzania, Kenya, Uganda and Rwanda", "COUNTRY_OFFICE", "AFRICA",
     "RO-AFRICA", "TZA KEN UGA RWA BDI SOM"),
    ("CO-ADDIS-ABABA", "ILO Office for Ethiopia, Djibouti, Eritrea and Sudan", "COUNTRY_OFFICE", "AFRICA",
     "RO-AFRICA", "ETH DJI ERI SDN"),
    ("CO-HARARE", "ILO Office for Zimbabwe, Zambia, Malawi and Mozambique", "COUNTRY_OFFICE", "AFRICA", "RO-AFRICA",
     "ZWE ZMB MWI MOZ BWA NAM ZAF LSO"),
    ("CO-ABIDJAN", "ILO Office for Côte d'Ivoire, Benin, Burkina Faso, Niger and Togo", "COUNTRY_OFFICE", "AFRICA",
     "RO-AFRICA", "CIV BEN BFA NER TGO GHA NGA"),
    ("MDT-AFRICA", "Multidisciplinary team for Eastern Africa", "MDT", "AFRICA", "RO-AFRICA", "ETH KEN TZA UGA"),
    ("CO-LIMA", "ILO Office for the Andean countries", "COUNTRY_OFFICE", "AMERICAS", "RO-AMERICAS",
     "PER BOL ECU COL VEN"),
    ("CO-SAN-JOSE", "ILO Office for Central America, Haiti, Panama and the Dominican Republic", "COUNTRY_OFFICE",
     "AMERICAS", "RO-AMERICAS", "CRI HND NIC GTM SLV PAN HTI DOM"),
    ("CO-BRASILIA", "ILO Office for Brazil", "COUNTRY_OFFICE", "AMERICAS", "RO-AMERICAS", "BRA PRY URY ARG CHL"),
    ("MDT-AMERICAS", "Multidisciplinary team for the Andean countries", "MDT", "AMERICAS", "RO-AMERICAS",
     "PER BOL ECU"),
    ("CO-BEIRUT", "ILO Office for Lebanon, Jordan, Syria and the occupied Arab territories", "COUNTRY_OFFICE",
     "ARAB_STATES", "RO-ARAB-STATES", "LBN JOR SYR PSE YEM IRQ"),
    ("CO-NEW-DELHI", "ILO Office for India", "COUNTRY_OFFICE", "ASIA_PACIFIC", "RO-ASIA-PACIFIC", "IND LKA"),
    ("CO-DHAKA", "ILO Office for Bangladesh", "COUNTRY_OFFICE", "ASIA_PACIFIC", "RO-ASIA-PACIFIC", "BGD NPL"),
    ("CO-MANILA", "ILO Office for the Philippines", "COUNTRY_OFFICE", "ASIA_PACIFIC", "RO-ASIA-PACIFIC", "PHL"),
    ("CO-JAKARTA", "ILO Office for Indonesia and Timor-Leste", "COUNTRY_OFFICE", "ASIA_PACIFIC", "RO-ASIA-PACIFIC",
     "IDN TLS"),
    ("CO-BANGKOK", "ILO Office for Thailand, Cambodia and Lao PDR", "COUNTRY_OFFICE", "ASIA_PACIFIC",
     "RO-ASIA-PACIFIC", "THA KHM LAO VNM MMR PAK"),
    ("MDT-ASIA", "Multidisciplinary team for East Asia", "MDT", "ASIA_PACIFIC", "RO-ASIA-PACIFIC", "THA KHM LAO VNM"),
    ("CO-BUDAPEST", "ILO Office for Central and Eastern Europe", "COUNTRY_OFFICE", "EUROPE_CENTRAL_ASIA",
     "RO-EUROPE", "HUN POL ROU BGR ALB BIH MKD"),
    ("CO-MOSCOW", "ILO Office for Eastern Europe and Central Asia", "COUNTRY_OFFICE", "EUROPE_CENTRAL_ASIA",
     "RO-EUROPE", "RUS UKR KAZ KGZ UZB TJK ARM AZE GEO MDA"),
]

# name, acronym, kind, symbol donor code, country (ISO3 or "")
DONORS = [
    ("Norwegian Agency for Development Cooperation", "NORAD", "DONOR", "NOR", "NOR"),
    ("Danish International Development Agency", "DANIDA", "DONOR", "DAN", "DNK"),
    ("Swedish International Development Cooperation Agency", "SIDA", "DONOR", "SID", "SWE"),
    ("United States Department of Labor", "USDOL", "DONOR", "USA", "USA"),
    ("Department for International Development (United Kingdom)", "DFID", "DONOR", "UKM", "GBR"),
    ("Federal Ministry for Economic Cooperation and Development (Germany)", "BMZ", "DONOR", "GER", "DEU"),
    ("Government of Japan", "JAPAN", "DONOR", "JPN", "JPN"),
    ("Ministry of Foreign Affairs of the Netherlands", "DGIS", "DONOR", "NET", "NLD"),
    ("Italian Development Cooperation", "DGCS", "DONOR", "ITA", "ITA"),
    ("Belgian Development Cooperation", "DGCD", "DONOR", "BEL", "BEL"),
    ("Swiss Agency for Development and Cooperation", "SDC", "DONOR", "SWI", "CHE"),
    ("European Commission", "EC", "REGIONAL_BODY", "EEC", ""),
    ("World Bank", "IBRD", "IFI", "IBR", ""),
    ("African Development Bank", "AFDB", "REGIONAL_BANK", "ADB", ""),
    ("Inter-American Development Bank", "IADB", "REGIONAL_BANK", "IDB", ""),
]
UN_BODIES = [
    ("United Nations Development Programme", "UNDP", "UN", "UND", ""),
    ("United Nations Population Fund", "UNFPA", "UN", "UNF", ""),
    ("United Nations Children's Fund", "UNICEF", "UN", "UNI", ""),
    ("International Labour Office", "ILO", "UN", "ILO", ""),
]

REGION_WEIGHTS = {"AFRICA": 35, "ASIA_PACIFIC": 24, "AMERICAS": 16, "ARAB_STATES": 7, "EUROPE_CENTRAL_ASIA": 8,
                  "INTERREGIONAL": 10}
REGIONAL_GEO = {"AFRICA": "RAF", "AMERICAS": "RLA", "ARAB_STATES": "RAB", "ASIA_PACIFIC": "RAS",
                "EUROPE_CENTRAL_ASIA": "RER"}
SOURCE_WEIGHTS = {"XBTC": 45, "RBTC": 15, "UNDP": 14, "TRUST": 10, "OTHER_UN": 7, "RBSA": 5, "UNFPA": 4}
OBJECTIVE_WEIGHTS = {"1": 27, "2": 38, "3": 18, "4": 17}
YEAR_WEIGHTS = {1996: 5, 1997: 8, 1998: 12, 1999: 17, 2000: 22, 2001: 20, 2002: 11, 2003: 5}
TITLES = {
    "DECLARATION": ["Promoting freedom of association and collective bargaining",
                    "Labour law reform in line with the Declaration", "Combating forced labour",
                    "Equality of opportunity and treatment in employment"],
    "IPEC": ["Elimination of child labour in commercial agriculture", "Prevention of child trafficking",
             "Time-bound programme on the worst forms of child labour", "Child labour in the informal sector"],
    "SKILLS": ["Skills for youth employment", "Vocational training system reform", "Skills training for "
               "disabled persons", "Labour market information and employment services"],
    "SEED": ["Start and Improve Your Business", "Women's entrepreneurship development", "Cooperative development",
             "Employment-intensive infrastructure"],
    "CRISIS": ["Reintegration of ex-combatants", "Employment recovery after the floods", "Crisis response and "
               "reconstruction", "Local economic development in post-conflict areas"],
    "SAFEWORK": ["Occupational safety and health in small enterprises", "Labour inspection strengthening",
                 "HIV/AIDS and the world of work", "Safety in mining"],
    "SES": ["Extension of social security to the informal economy", "Social security actuarial services",
            "Micro-insurance for the poor", "Protection of migrant workers"],
    "DIALOGUE": ["Strengthening social dialogue institutions", "Workers' education", "Employers' organisations: "
                 "services to members", "Labour administration modernisation"],
}
STAGE_ORDER = list(InvolvementStage.values)
# Probability that a group's involvement at a stage is written into the project document.
CONTEMPLATED = {"GOVERNMENT": 0.85, "EMPLOYERS": 0.55, "WORKERS": 0.55}
# Probability that contemplated involvement actually happened once the stage has passed: the gap the report shows.
REALISED = {"GOVERNMENT": 0.85, "EMPLOYERS": 0.6, "WORKERS": 0.55}
GROUP_KIND = {"GOVERNMENT": OrganisationKind.GOVERNMENT, "EMPLOYERS": OrganisationKind.EMPLOYERS,
              "WORKERS": OrganisationKind.WORKERS}


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    days = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31,
            30, 31][month - 1]
    return dt.date(year, month, min(day.day, days))


def _ensure_units(regions: dict[str, Region], countries: dict[str, Country]) -> dict[str, Unit]:
    units = {u.code: u for u in Unit.objects.all()}
    new = [Unit(code=code, name=name, kind=UnitKind(kind), region=regions[region], parent=units[parent])
           for code, name, kind, region, parent, _covered in FIELD_UNITS if code not in units]
    Unit.objects.bulk_create(new)
    for unit in new:
        units[unit.code] = unit
    through = Unit.countries.through
    links = [through(unit_id=units[code].pk, country_id=countries[iso3].pk)
             for code, _n, _k, _r, _p, covered in FIELD_UNITS for iso3 in covered.split()]
    through.objects.bulk_create(links, ignore_conflicts=True)
    return units


def _ensure_organisations(programme_countries: list[Country], countries: dict[str, Country]):
    existing = {o.name: o for o in Organisation.objects.all()}
    wanted = []
    for name, acronym, kind, _code, iso3 in DONORS + UN_BODIES:
        wanted.append(Organisation(name=name, acronym=acronym, kind=kind, country=countries.get(iso3)))
    for country in programme_countries:
        wanted += [
            Organisation(name=f"Ministry of Labour, {country.name}", acronym=f"MOL-{country.iso3}",
                         kind=OrganisationKind.GOVERNMENT, country=country),
            Organisation(name=f"Employers' Federation of {country.name}", acronym=f"EF-{country.iso3}",
                         kind=OrganisationKind.EMPLOYERS, country=country),
            Organisation(name=f"Trade Union Congress of {country.name}", acronym=f"TUC-{country.iso3}",
                         kind=OrganisationKind.WORKERS, country=country),
        ]
    new = [o for o in wanted if o.name not in existing]
    Organisation.objects.bulk_create(new)
    for organisation in new:
        existing[organisation.name] = organisation
    return existing


@transaction.atomic
def seed_register(*, seed: int, projects: int, log: Callable[[str], None]) -> None:
    load_reference()
    if Project.objects.exists():
        log("  The register already has projects: demo register left as it is.")
        return
    regions = {r.code: r for r in Region.objects.all()}
    countries = {c.iso3: c for c in Country.objects.select_related("region")}
    units = _ensure_units(regions, countries)
    covered = sorted({iso3 for *_rest, cover in FIELD_UNITS for iso3 in cover.split()})
    programme_countries = [countries[iso3] for iso3 in covered]
    organisations = _ensure_organisations(programme_countries, countries)
    constituents = {(o.country_id, o.kind): o for o in organisations.values()
                    if o.kind in GROUP_KIND.values() and o.country_id}
    donors = [(organisations[name], code) for name, _a, _k, code, _c in DONORS]
    un = {acronym: (organisations[name], code) for name, acronym, _k, code, _c in UN_BODIES}
    ilo = un["ILO"][0]
    countries_by_region = {}
    for country in programme_countries:
        countries_by_region.setdefault(country.region.code, []).append(country)
    unit_for_country = {}
    for code, _n, kind, _r, _p, cover in FIELD_UNITS:
        if kind == "COUNTRY_OFFICE":
            for iso3 in cover.split():
                unit_for_country.setdefault(iso3, units[code])
    mdt_for_region = {region: units[code] for code, _n, kind, region, _p, _c in FIELD_UNITS if kind == "MDT"}
    regional_office = {u.region.code: u for u in Unit.objects.filter(kind=UnitKind.REGIONAL_OFFICE).select_related(
        "region")}

    biennium_list = list(Biennium.objects.order_by("start_year"))
    objectives = {(o.biennium_id, o.code): o for o in StrategicObjective.objects.all()}
    programmes_by_objective = {}
    for programme in Programme.objects.order_by("code"):
        programmes_by_objective.setdefault(programme.objective_id, []).append(programme)
    sources = {s.code: s for s in FundingSource.objects.all()}
    conventions_by_principle = {}
    for convention in Convention.objects.order_by("number"):
        conventions_by_principle.setdefault(convention.principle_id, []).append(convention)
    principles = list(DeclarationPrinciple.objects.order_by("code"))
    if not biennium_list:
        raise RuntimeError("The programme framework is missing: run load_reference.")

    rng = random.Random(seed)
    sequence: dict[tuple[str, int], int] = {}
    project_rows, plans = [], []
    for index in range(projects):
        region_code = _weighted(rng, REGION_WEIGHTS)
        region = regions[region_code]
        source_code = _weighted(rng, SOURCE_WEIGHTS)
        if source_code in ("XBTC", "TRUST"):
            donor, donor_code = rng.choice(donors)
            if rng.random() < 0.06:
                donor_code = "MUL"
        elif source_code in ("UNDP", "UNFPA"):
            donor, donor_code = un[source_code]
        elif source_code == "OTHER_UN":
            donor, donor_code = un["UNICEF"]
        else:
            donor, donor_code = None, "RBT" if source_code == "RBTC" else "RBS"
        start_year = _weighted(rng, YEAR_WEIGHTS)
        planned_start = dt.date(start_year, rng.randint(1, 12), 1)
        planned_end = _add_months(planned_start, rng.choice([12, 18, 24, 24, 36, 36, 48, 60])) - dt.timedelta(days=1)
        biennium = biennium_for_year(biennium_list, start_year)
        objective = objectives[(biennium.pk, _weighted(rng, OBJECTIVE_WEIGHTS))]
        programme = rng.choice(programmes_by_objective[objective.pk])

        workers_or_employers = objective.code == "4" and rng.random() < 0.35
        if region_code == "INTERREGIONAL":
            project_countries = rng.sample(programme_countries, rng.randint(0, 4))
            geo = rng.choice(["INT", "INT", "GLO"])
        elif rng.random() < 0.72:
            project_countries = [rng.choice(countries_by_region[region_code])]
            geo = project_countries[0].iso3
        else:
            pool = countries_by_region[region_code]
            project_countries = rng.sample(pool, min(len(pool), rng.randint(2, 5)))
            geo = REGIONAL_GEO[region_code]
        year2 = start_year % 100
        sequence[(geo, year2)] = sequence.get((geo, year2), 0) + 1
        number = sequence[(geo, year2)]
        seq = f"{number:02d}" if number < 100 else f"M{number:03d}" if number < 1000 else f"{number:04d}"
        symbol = f"{geo}/{year2:02d}/{seq}/{donor_code}"

        if workers_or_employers:
            responsible = units[rng.choice(["ACTRAV", "ACTEMP"])]
        elif len(project_countries) == 1 and project_countries[0].iso3 in unit_for_country and rng.random() < 0.8:
            responsible = unit_for_country[project_countries[0].iso3]
        elif region_code in regional_office and rng.random() < 0.6:
            responsible = regional_office[region_code]
        else:
            responsible = units[programme.code] if programme.code in units else units["PARDEV"]
        backstopping = units.get(programme.code) if responsible.code != programme.code else mdt_for_region.get(
            region_code)

        status, actual_start, actual_end = _status_and_dates(rng, planned_start, planned_end)
        is_autonomous = workers_or_employers and rng.random() < 0.6
        autonomy_reason = ""
        if is_autonomous:
            autonomy_reason = ("Workers' education programme run by and for trade unions (ACTRAV)"
                               if responsible.code == "ACTRAV" else
                               "Programme of services to employers' organisations run with them (ACT/EMP)")
        place = project_countries[0].name if len(project_countries) == 1 else region.name
        title = f"{rng.choice(TITLES.get(programme.code, ['Technical cooperation']))} — {place}"
        project_rows.append(Project(
            symbol=symbol, title=title, summary=f"{title}. Demo project {index + 1}.", status=status,
            planned_start=planned_start, planned_end=planned_end, actual_start=actual_start, actual_end=actual_end,
            strategic_objective=objective, primary_programme=programme, region=region,
            funding_source=sources[source_code], donor=donor, responsible_unit=responsible,
            backstopping_unit=backstopping, gender_marker=rng.choices([0, 1, 2], weights=[40, 45, 15])[0],
            is_crisis_response=programme.code == "CRISIS" or rng.random() < 0.04,
            is_enterprise_promotion=programme.code == "SEED" or rng.random() < 0.05,
            undaf_aligned=start_year >= 1998 and rng.random() < 0.3,
            country_objective="" if rng.random() < 0.7 else f"Country objective {rng.randint(1, 4)}",
            is_autonomous=is_autonomous, autonomy_reason=autonomy_reason, version=1,
        ))
        plans.append((project_countries, workers_or_employers, responsible.code))
    Project.objects.bulk_create(project_rows, batch_size=BATCH)
    log(f"  {len(project_rows)} projects")

    country_through = Project.countries.through
    country_links = [country_through(project_id=p.pk, country_id=c.pk)
                     for p, (cs, _w, _u) in zip(project_rows, plans, strict=True) for c in cs]
    country_through.objects.bulk_create(country_links, batch_size=BATCH * 5)
    convention_through, principle_through = Project.conventions.through, Project.principles.through
    rng_links = random.Random(seed + 1)
    convention_links, principle_links = [], []
    for project in project_rows:
        if project.strategic_objective.code == "1" or project.primary_programme.code == "SAFEWORK":
            principle = rng_links.choice(principles)
            principle_links.append(principle_through(project_id=project.pk, declarationprinciple_id=principle.pk))
            for convention in conventions_by_principle.get(principle.pk, [])[: rng_links.randint(1, 2)]:
                convention_links.append(convention_through(project_id=project.pk, convention_id=convention.pk))
    principle_through.objects.bulk_create(principle_links, batch_size=BATCH * 5)
    convention_through.objects.bulk_create(convention_links, batch_size=BATCH * 5)

    _seed_children(random.Random(seed + 2), project_rows, plans, constituents, ilo, countries)
    _seed_users(random.Random(seed + 3), project_rows, units)
    _seed_constituents(organisations)


def _status_and_dates(rng: random.Random, planned_start: dt.date, planned_end: dt.date):
    if rng.random() < 0.02:
        return ProjectStatus.CANCELLED, None, None
    if planned_start > DEMO_AS_OF:
        return (ProjectStatus.APPROVED if rng.random() < 0.4 else ProjectStatus.PIPELINE), None, None
    actual_start = planned_start + dt.timedelta(days=rng.choice([0, 0, 15, 30, 45, 60, 90, 120]))
    if actual_start > DEMO_AS_OF:
        return ProjectStatus.APPROVED, None, None
    if planned_end >= DEMO_AS_OF:
        return (ProjectStatus.SUSPENDED if rng.random() < 0.03 else ProjectStatus.ONGOING), actual_start, None
    overrun = dt.timedelta(days=rng.choice([0, 0, 0, 30, 90, 180, 270]))
    actual_end = planned_end + overrun
    if actual_end >= DEMO_AS_OF:
        # Past its planned end but not closed: what the PAST_END early warning is for.
        return ProjectStatus.ONGOING, actual_start, None
    if (DEMO_AS_OF - actual_end).days > 365 or rng.random() < 0.5:
        return ProjectStatus.FINANCIALLY_CLOSED, actual_start, actual_end
    return ProjectStatus.OPERATIONALLY_CLOSED, actual_start, actual_end


def _stages_passed(project: Project) -> list[str]:
    status = project.status
    if status in (ProjectStatus.PIPELINE, ProjectStatus.CANCELLED):
        return ["FORMULATION"]
    if status == ProjectStatus.APPROVED:
        return ["FORMULATION", "APPROVAL"]
    if status in (ProjectStatus.ONGOING, ProjectStatus.SUSPENDED):
        return STAGE_ORDER[:5]
    return STAGE_ORDER


def _stage_date(project: Project, stage: str, rng: random.Random) -> dt.date:
    start = project.actual_start or project.planned_start
    end = min(project.actual_end or project.planned_end, DEMO_AS_OF)
    if stage == "FORMULATION":
        return start - dt.timedelta(days=rng.randint(120, 300))
    if stage == "APPROVAL":
        return start - dt.timedelta(days=rng.randint(10, 100))
    if stage == "EVALUATION":
        return max(start, end - dt.timedelta(days=rng.randint(0, 60)))
    span = max((end - start).days, 1)
    return start + dt.timedelta(days=rng.randint(0, span))


PARTNER_COLUMNS = ["project", "organisation", "role"]
CELL_COLUMNS = ["project", "stage", "group", "contemplated", "contemplated_description", "actual_date",
                "actual_organisation", "actual_description", "women", "men"]
EXPERT_COLUMNS = ["project", "name", "nationality", "year", "work_months"]
TRAINING_COLUMNS = ["project", "title", "area", "start_date", "end_date", "women", "men", "is_turin_centre"]
REPORT_COLUMNS = ["project", "period_end", "due_date", "submitted_date", "comment"]


def _insert_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Insert plain tuples: the child tables run to hundreds of thousands of rows, and building a model instance
    per row (bulk_create) costs more than the database does. PostgreSQL gets COPY; other databases executemany."""
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    names = ", ".join(ops.quote_name(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)


def _seed_children(rng, project_rows, plans, constituents, ilo, countries_by_iso3):
    partners, cells, experts, training, reports = [], [], [], [], []
    other_nationalities = [countries_by_iso3[c].pk for c in ("FRA", "GBR", "NOR", "ITA", "DEU", "USA", "CAN", "SWE",
                                                             "BEL", "NLD", "JPN", "CHE")]
    for project, (project_countries, _workers_or_employers, unit_code) in zip(project_rows, plans, strict=True):
        home = project_countries[0] if project_countries else None
        if project.donor_id:
            partners.append((project.pk, project.donor_id, PartnerRole.FUNDING.value))
        partners.append((project.pk, ilo.pk, PartnerRole.ACCOUNTABLE.value))
        partners.append((project.pk, ilo.pk, PartnerRole.EXTENDING.value))
        if home is not None:
            implementer_kind = (OrganisationKind.WORKERS if unit_code == "ACTRAV" else OrganisationKind.EMPLOYERS
                                if unit_code == "ACTEMP" else OrganisationKind.GOVERNMENT)
            implementer = constituents.get((home.pk, implementer_kind))
            if implementer:
                partners.append((project.pk, implementer.pk, PartnerRole.IMPLEMENTING.value))

        passed = _stages_passed(project)
        groups = list(CONTEMPLATED)
        if project.is_autonomous:
            groups = ["WORKERS" if unit_code == "ACTRAV" else "EMPLOYERS"]
        for stage in STAGE_ORDER:
            for group in groups:
                contemplated = rng.random() < CONTEMPLATED[group] * (1.0 if stage in ("FORMULATION", "MANAGEMENT")
                                                                     else 0.7)
                happened = stage in passed and (
                    rng.random() < REALISED[group] if contemplated else rng.random() < 0.04)
                if not (contemplated or happened):
                    continue
                description = (f"{group.title()} representatives take part in {stage.lower()} ({project.symbol})"
                               if contemplated else "")
                if happened:
                    organisation = constituents.get((home.pk, GROUP_KIND[group])) if home else None
                    women = rng.randint(0, 12)
                    cells.append((project.pk, stage, group, contemplated, description,
                                  _stage_date(project, stage, rng), organisation.pk if organisation else None,
                                  f"{stage.title()} meeting", women, women + rng.randint(0, 15)))
                else:
                    cells.append((project.pk, stage, group, contemplated, description, None, None, "", None, None))

        if project.actual_start is None:
            continue
        first_year = project.actual_start.year
        last_year = min(project.actual_end or project.planned_end, DEMO_AS_OF).year
        for _i in range(rng.choice([0, 1, 1, 2, 3])):
            national = home is not None and rng.random() < 0.55
            experts.append((
                project.pk, f"Expert {len(experts) + 1}", home.pk if national else rng.choice(other_nationalities),
                rng.randint(first_year, max(first_year, last_year)), Decimal(rng.randint(2, 48)) / 2))
        for _i in range(rng.choice([0, 0, 1, 1, 2])):
            start = project.actual_start + dt.timedelta(days=rng.randint(30, 400))
            training.append((
                project.pk, f"Training workshop {len(training) + 1}",
                rng.choice(["Labour standards", "Small enterprise management", "Occupational safety",
                            "Social security", "Collective bargaining", "Vocational training"]),
                start, start + dt.timedelta(days=rng.randint(1, 14)), rng.randint(3, 25), rng.randint(3, 30),
                rng.random() < 0.2))
        period_end = _add_months(project.actual_start, 6) - dt.timedelta(days=1)
        last = min(project.actual_end or project.planned_end, DEMO_AS_OF)
        while period_end <= last:
            due = period_end + dt.timedelta(days=60)
            submitted = None
            if due <= DEMO_AS_OF and rng.random() < 0.85:
                submitted = due + dt.timedelta(days=rng.randint(-20, 45))
            reports.append((project.pk, period_end, due, submitted, ""))
            period_end = _add_months(period_end + dt.timedelta(days=1), 6) - dt.timedelta(days=1)
    _insert_rows(ProjectPartner, PARTNER_COLUMNS, partners)
    _insert_rows(TripartiteInvolvement, CELL_COLUMNS, cells)
    _insert_rows(ExpertAssignment, EXPERT_COLUMNS, experts)
    _insert_rows(TrainingActivity, TRAINING_COLUMNS, training)
    _insert_rows(ProgressReport, REPORT_COLUMNS, reports)


def _seed_users(rng, project_rows, units):
    """Give the demo users (accounts seed_users) their places: the officer's unit has projects, the manager
    runs a regional office, the officer is the responsible official of some projects."""
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["officer", "manager", "evaluator", "secretariat"])}
    places = [("officer", "CO-DAKAR", False), ("manager", "RO-AFRICA", True), ("evaluator", "EVAL", False),
              ("secretariat", "PARDEV", False)]
    for username, code, is_manager in places:
        if username in users:
            UnitMembership.objects.get_or_create(user=users[username], unit=units[code],
                                                 defaults={"is_manager": is_manager, "is_focal_point": is_manager})
    officer = users.get("officer")
    if officer is None:
        return
    own = [p for p in project_rows if p.responsible_unit_id == units["CO-DAKAR"].pk]
    others = [p for p in project_rows if p.responsible_unit_id == units["CO-DAR-ES-SALAAM"].pk]
    chosen = own[::3] + others[:2]
    for project in chosen:
        project.responsible_official = officer
    Project.objects.bulk_update(chosen, ["responsible_official"], batch_size=BATCH)


# One constituent per kind: username → (organisation's kind, first name, last name).
DEMO_CONSTITUENTS = {
    "government": (OrganisationKind.GOVERNMENT, "Gaby", "Government"),
    "employers": (OrganisationKind.EMPLOYERS, "Emile", "Employer"),
    "workers": (OrganisationKind.WORKERS, "Wally", "Worker"),
}


def _seed_constituents(organisations: dict[str, Organisation]) -> None:
    """A constituent user per kind, of the programme country with the most ongoing projects (sharing the demo
    officer's password, so the demo's one password opens them), with a cell their organisation reported
    (workers) and one it disputes (government), so that their pages have content."""
    by_country = Counter(Project.countries.through.objects.filter(project__status=ProjectStatus.ONGOING)
                         .values_list("country__iso3", flat=True))
    constituent_countries = {o.country.iso3 for o in organisations.values()
                             if o.kind == OrganisationKind.WORKERS and o.country_id}
    ranked = sorted((iso3 for iso3 in by_country if iso3 in constituent_countries),
                    key=lambda iso3: (-by_country[iso3], iso3))
    if not ranked:
        return
    country = ranked[0]
    users = get_user_model().objects
    officer = users.filter(username="officer").first()
    accounts = {}
    for username, (kind, first, last) in DEMO_CONSTITUENTS.items():
        organisation = next(o for o in organisations.values() if o.kind == kind and o.country_id
                            and o.country.iso3 == country)
        user, _created = users.get_or_create(username=username, defaults={
            "role": Role.CONSTITUENT, "first_name": first, "last_name": last, "language": "fr",
            "email": f"{username}@constituents.example.org"})
        if officer is not None:
            user.password = officer.password
        else:
            user.set_unusable_password()
        user.save()
        ConstituentAccount.objects.update_or_create(user=user, defaults={"organisation": organisation})
        accounts[kind] = (user, organisation)
    cells = (TripartiteInvolvement.objects.filter(project__countries__iso3=country, actual_date__isnull=False,
                                                  project__status=ProjectStatus.ONGOING)
             .select_related("project", "actual_organisation").order_by("project__symbol", "stage"))
    reported = cells.filter(group=OrganisationKind.WORKERS,
                            actual_organisation=accounts[OrganisationKind.WORKERS][1]
                            ).first()
    if reported is not None:
        involvement_report(cell=reported, user=accounts[OrganisationKind.WORKERS][0],
                           actual_date=reported.actual_date, actual_description="Atelier tripartite de validation",
                           women=(reported.women or 0) + 2, men=reported.men)
    disputed = cells.filter(group=OrganisationKind.GOVERNMENT,
                            actual_organisation=accounts[OrganisationKind.GOVERNMENT][1]
                            ).first()
    if disputed is not None:
        involvement_report(cell=disputed, user=accounts[OrganisationKind.GOVERNMENT][0], not_involved=True)
