"""Demo step: the implementation plan with a timetable that the Conference asked for (conclusions, para 53(1)),
its milestones at every stage on the demo's "today" (done, in progress, delayed, planned), so the plan page and its
Gantt chart have a story to tell."""

import datetime as dt

from projects.demo import DEMO_AS_OF
from reports.models import ImplementationPlan, MilestoneStatus
from reports.services import milestone_save, plan_create

PLAN_TITLE = "Follow-up to the conclusions on technical cooperation"
PLAN_DESCRIPTION = ("The Office's plan to give effect to the Conference conclusions on the role of the ILO in "
                    "technical cooperation: tripartite involvement, delivery, resource mobilisation, evaluation "
                    "and reporting to the Governing Body.")
# (title, owner, start, due, status, completed on), dated around the demo's today (31 October 2001).
MILESTONES = [
    ("Guidelines on involving the constituents in project design", "PARDEV", dt.date(2000, 9, 1),
     dt.date(2001, 3, 31), MilestoneStatus.DONE, dt.date(2001, 3, 15)),
    ("Delivery-control mechanism in every regional office", "PARDEV", dt.date(2000, 9, 1),
     dt.date(2001, 6, 30), MilestoneStatus.DONE, dt.date(2001, 7, 20)),
    ("Training of constituents in project design and monitoring", "ACTRAV / ACTEMP", dt.date(2001, 1, 1),
     dt.date(2002, 6, 30), MilestoneStatus.IN_PROGRESS, None),
    ("Resource mobilisation strategy with multi-bilateral donors", "PARDEV", dt.date(2001, 3, 1),
     dt.date(2001, 9, 30), MilestoneStatus.DELAYED, None),
    ("Gender mainstreaming checklist applied to new projects", "GENDER", dt.date(2001, 6, 1),
     dt.date(2002, 3, 31), MilestoneStatus.IN_PROGRESS, None),
    ("Report to the Governing Body on the follow-up", "PARDEV", dt.date(2001, 9, 1),
     dt.date(2001, 11, 15), MilestoneStatus.IN_PROGRESS, None),
    ("Thematic evaluation of the InFocus programmes' technical cooperation", "EVAL", dt.date(2002, 1, 1),
     dt.date(2002, 12, 31), MilestoneStatus.PLANNED, None),
    ("Country programmes drawn up with the constituents in ten countries", "Regional offices",
     dt.date(2002, 1, 1), dt.date(2003, 6, 30), MilestoneStatus.PLANNED, None),
]


def seed_plan(*, seed: int, projects: int, log) -> None:
    if ImplementationPlan.objects.filter(title=PLAN_TITLE).exists():
        log("  The implementation plan exists: left as it is.")
        return
    plan = plan_create(title=PLAN_TITLE, description=PLAN_DESCRIPTION, start_date=dt.date(2000, 7, 1),
                       end_date=dt.date(2003, 6, 30))
    for title, owner, start, due, status, completed_on in MILESTONES:
        milestone_save(plan=plan, title=title, owner=owner, start_date=start, due_date=due, status=status,
                       completed_on=completed_on)
    late = sum(1 for m in MILESTONES if m[4] != MilestoneStatus.DONE and m[3] < DEMO_AS_OF)
    log(f"  implementation plan with {len(MILESTONES)} milestones ({late} past due on {DEMO_AS_OF})")
