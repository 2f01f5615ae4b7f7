"""Demo data: each app contributes one step; `seed_demo` runs them in dependency order.

A step is a function `step(*, seed: int, projects: int, log: Callable[[str], None]) -> None` that must be
deterministic for a given seed (use random.Random(seed + offset), never the global random, never now()).
"""

from importlib import import_module

DEMO_STEPS = [
    "projects.demo.seed_register",
    "delivery.demo.seed_delivery",
    "evaluation.demo.seed_results",
    "alerts.demo.seed_alerts",
    "reports.demo.seed_plan",
]


def demo_steps():
    for dotted in DEMO_STEPS:
        module_name, function_name = dotted.rsplit(".", 1)
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue  # that app has no demo data yet
        yield dotted, getattr(module, function_name)
