"""Every main page of each role passes axe-core with no serious or critical violation (WCAG 2.1 A and AA rules).

axe-core is vendored under tests/browser/vendor/ (npm package axe-core, MPL-2.0, licence beside it; `make assets`
refreshes it). It is evaluated in the page through the DevTools protocol, so the pages' Content-Security-Policy
stays as strict as in production. The world is the demo portfolio (home.demo), so that every page has content:
projects with partners and alerts, an evaluation plan, reports."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.services import demo_users_ensure
from alerts.models import Alert
from projects.models import Project
from tests.browser.conftest import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
IMPACTS_REFUSED = {"serious", "critical"}
PROJECT_TABS = ["overview", "classification", "partners", "tripartite", "delivery", "results", "evaluations",
                "alerts", "history"]
COMMON = ["home", "projects:list", "profile", "reports:list"]
PAGES_OF_ROLE = {
    "officer": [*COMMON, "projects:create", "projects:organisation_create", "PROJECT", "delivery:dashboard",
                "alerts:list", "ALERT"],
    "manager": [*COMMON, "PROJECT", "delivery:dashboard", "alerts:list", "ALERT", "projects:organisation_create"],
    "evaluator": [*COMMON, "evaluation:plan", "evaluation:dashboard", "PROJECT", "evaluation:required_rules",
                  "evaluation:required_rule_create"],
    "secretariat": [*COMMON, "delivery:dashboard", "reports:plans"],
    "admin": [*COMMON, "alerts:run", "delivery:dashboard", "evaluation:plan"],
}


def _violations(page) -> list[str]:
    page.evaluate(AXE)
    result = page.evaluate("""async () => {
        const rules = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
        const r = await axe.run(document, {runOnly: {type: 'tag', values: rules}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 4).map(n => n.target.join(' '))}));
    }""")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in result
            if v["impact"] in IMPACTS_REFUSED]


def _urls(name: str, project: Project, alert: Alert) -> list[str]:
    if name == "PROJECT":
        return [reverse("projects:detail", args=[project.pk]) + f"?tab={tab}" for tab in PROJECT_TABS]
    if name == "ALERT":
        return [reverse("alerts:detail", args=[alert.pk])]
    return [reverse(name)]


@pytest.fixture
def demo_world(reference):
    demo_users_ensure(password=PASSWORD)
    call_command("seed_demo", projects=12, seed=1, stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_main_pages_of_each_role_have_no_serious_accessibility_violation(pages, demo_world):
    project = Project.objects.filter(responsible_unit__code="CO-DAKAR", alerts__isnull=False).first() \
        or Project.objects.filter(responsible_unit__code="CO-DAKAR").first()
    alert = Alert.objects.filter(project__responsible_unit__code="CO-DAKAR").first() or Alert.objects.first()
    assert project is not None and alert is not None
    found = {}
    for username, names in PAGES_OF_ROLE.items():
        page = pages.new()
        sign_in(page, username)
        for name in names:
            for url in _urls(name, project, alert):
                response = page.goto(url)
                assert response.status < 400, f"{url} as {username}: {response.status}"
                page.wait_for_load_state("networkidle")  # the tabs and panels HTMX loads after the page
                problems = _violations(page)
                if problems:
                    found[f"{username} {url}"] = problems
    assert not found, "\n".join(f"{where}:\n  " + "\n  ".join(problems) for where, problems in found.items())
