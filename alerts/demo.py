"""Demo step: run the early-warning scan at today's date (the clock's: `make run` sets TCMS_TODAY to the demo's
"today"), so the demo opens with realistic alerts."""

from alerts.services import scan
from core import clock
from projects.demo import DEMO_AS_OF


def seed_alerts(*, seed: int, projects: int, log) -> None:
    today = clock.today()
    result = scan(as_of=today, notify=False)
    log(f"  early-warning scan at {today}: {result.raised} alerts raised")
    if today != DEMO_AS_OF:
        log(f"  (the demo data run to {DEMO_AS_OF}; set TCMS_TODAY={DEMO_AS_OF} to see the demo as of that day, "
            "as `make run` does)")
