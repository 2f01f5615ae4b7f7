"""How our own codes become IATI codes. Every value here must be in iati/codelists/ (tests check it)."""

from evaluation.models import REPORT_CONTENT_TYPES
from partners.models import OrganisationKind
from projects.models import BudgetType, ProjectStatus

IATI_VERSION = "2.03"
CURRENCY = "USD"

# OrganisationType for the reporting organisation itself (an intergovernmental organisation).
REPORTING_ORGANISATION_TYPE = "40"  # Multilateral

# Our organisation kinds → IATI OrganisationType. IATI has no type for employers' or workers' organisations: they
# are membership-based, non-governmental bodies, so they go with civil society — National NGO (22) when they belong
# to one country, International NGO (21) when they have no country (confederations such as the IOE or the ITUC).
ORGANISATION_TYPE = {
    OrganisationKind.GOVERNMENT: "10",      # Government
    OrganisationKind.DONOR: "10",           # donor governments and their agencies
    OrganisationKind.UN: "40",              # Multilateral
    OrganisationKind.IFI: "40",
    OrganisationKind.REGIONAL_BANK: "40",
    OrganisationKind.REGIONAL_BODY: "40",
    OrganisationKind.PRIVATE: "70",         # Private Sector
    OrganisationKind.FOUNDATION: "60",      # Foundation
    OrganisationKind.RESEARCH: "80",        # Academic, Training and Research
}
NGO_LIKE_KINDS = {OrganisationKind.EMPLOYERS, OrganisationKind.WORKERS, OrganisationKind.CIVIL_SOCIETY}
NATIONAL_NGO = "22"
INTERNATIONAL_NGO = "21"


def organisation_type(kind: str, *, has_country: bool) -> str:
    if kind in NGO_LIKE_KINDS:
        return NATIONAL_NGO if has_country else INTERNATIONAL_NGO
    return ORGANISATION_TYPE[kind]


# OECD DAC 5-digit purpose codes (IATI Sector, vocabulary 1) by InFocus programme code; a
# project whose programme is not listed (later biennia: P&B outcomes) falls back to its strategic objective.
DAC_SECTOR_BY_PROGRAMME = {
    "DECLARATION": "16070",  # Labour rights (fundamental principles and rights at work)
    "IPEC": "16070",         # Labour rights (child labour is named in the purpose code's description)
    "SKILLS": "11330",       # Vocational training
    "SEED": "32130",         # Small and medium-sized enterprises (SME) development
    "CRISIS": "16020",       # Employment creation (employment-intensive reconstruction)
    "SAFEWORK": "16070",     # Labour rights (occupational safety and health standards)
    "SES": "16010",          # Social protection
    "DIALOGUE": "16080",     # Social dialogue
}
DAC_SECTOR_BY_OBJECTIVE = {
    "1": "16070",  # standards and fundamental principles and rights at work → Labour rights
    "2": "16020",  # employment and income → Employment creation
    "3": "16010",  # social protection → Social protection
    "4": "16080",  # tripartism and social dialogue → Social dialogue
}

SECTOR_VOCABULARY_DAC = "1"
SECTOR_VOCABULARY_OBJECTIVE = "99"   # reporting organisation: our strategic objectives
SECTOR_VOCABULARY_PROGRAMME = "98"   # reporting organisation 2: our programmes (InFocus / P&B outcomes)

REGION_VOCABULARY_DAC = "1"
POLICY_MARKER_GENDER = "1"
POLICY_MARKER_VOCABULARY_DAC = "1"
BUDGET_ORIGINAL = "1"
BUDGET_REVISED = "2"
BUDGET_INDICATIVE = "1"
BUDGET_COMMITTED = "2"
# BudgetStatus by project status: a pipeline project's budget is a plan, not yet agreed with a donor (indicative);
# from approval on it is committed. A project cancelled before approval keeps "committed": the status alone does
# not tell whether it was ever approved.
BUDGET_STATUS = {status: BUDGET_INDICATIVE if status == ProjectStatus.PIPELINE else BUDGET_COMMITTED
                 for status in ProjectStatus}
INDICATOR_VOCABULARY_OWN = "99"

# A donor's approval is a firm commitment of funds to us (Incoming Commitment), not money received (Incoming
# Funds, 1); we publish it with the matching commitment of those funds to the activity.
TRANSACTION_INCOMING_COMMITMENT = "11"
TRANSACTION_OUTGOING_COMMITMENT = "2"
TRANSACTION_EXPENDITURE = "4"

# Whose money an expenditure transaction spent: IATI has no element for a publisher's own sources of funds, so each
# quarter's expenditure is published once per source (named in its description) with the source's earmarking, an
# aid-type of AidTypeVocabulary 2 (EarmarkingCategory, Grand Bargain definitions). Regular-budget money (assessed
# and core voluntary contributions) is unearmarked (1); extra-budgetary money is given for the project it is spent
# on: tightly earmarked (4).
AID_TYPE_VOCABULARY_EARMARKING = "2"
EARMARKING_BY_BUDGET_TYPE = {BudgetType.REGULAR: "1", BudgetType.EXTRA_BUDGETARY: "4"}

ACTIVITY_DATE_PLANNED_START = "1"
ACTIVITY_DATE_ACTUAL_START = "2"
ACTIVITY_DATE_PLANNED_END = "3"
ACTIVITY_DATE_ACTUAL_END = "4"

# Tags (TagVocabulary 99, reporting organisation): the Declaration principles, the Conventions and the
# cross-cutting themes a project supports, each list told apart by its vocabulary-uri (Publisher.vocabulary_uri).
# Unlike sectors, tags carry no percentage: a project supports a principle wholly or not at all.
TAG_VOCABULARY_OWN = "99"
TAG_LIST_PRINCIPLES = "principles"
TAG_LIST_CONVENTIONS = "conventions"
TAG_LIST_THEMES = "themes"


def convention_code(number: int) -> str:
    """A Convention's tag code: C and its number (C87, C182), as the Convention is cited."""
    return f"C{number}"


# DocumentCategory A07 "Review of project performance and evaluation" (A12 is "Activity web page").
DOCUMENT_CATEGORY_EVALUATION = "A07"
# FileFormat codes are the content types the reports are served with.
FILE_FORMAT_BY_EXTENSION = REPORT_CONTENT_TYPES

# Characters the IATI rulesets refuse in organisation identifiers: a ref holding one is left out, not sent broken.
FORBIDDEN_IDENTIFIER_CHARACTERS = frozenset("/&|?")
