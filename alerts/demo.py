"""Demo step: run the early-warning scan at the demo's "today", so the demo opens with realistic alerts."""

from alerts.services import scan
from projects.demo import DEMO_AS_OF


def seed_alerts(*, seed: int, projects: int, log) -> None:
    result = scan(as_of=DEMO_AS_OF, notify=False)
    log(f"  early-warning scan at {DEMO_AS_OF}: {result.raised} alerts raised")
