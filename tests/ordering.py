"""The order tests run in: the slowest modules first, so that the pytest-xdist workers finish together.

`make test` hands tests out in collection order (`--dist load`): a slow module at the end of the order leaves one
worker running it while the other has nothing left to do. Each run records how long every module took (wall
seconds) in var/test-durations.json, kept between runs, and the next run starts with the slowest. Modules the file
does not name take their figure from tests/durations.json (committed, a run's record copied there; new modules
count as quick). A module's tests stay together, in their own order, except that those which do not use the
module's shared rows (tests/shared_data.py) come before those which do: the rows are built when the first test
needing them starts and kept until the module ends, and the others must not see them.

This sort comes first; pytest-django's (ordinary database tests, then transactional ones, then the others) and the
browser tests' (last) are stable sorts applied after it, so the order above holds within each of their groups."""

import json
import os
from collections import defaultdict
from pathlib import Path

DURATIONS_FILE = "test-durations.json"  # in var/
BASELINE = Path(__file__).with_name("durations.json")


def module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def _shares_rows(item) -> bool:
    definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    return any(getattr(chain[-1].func, "shares_rows", False) for chain in definitions.values() if chain)


def order(items: list, durations: dict[str, float]) -> None:
    first = {}
    for index, item in enumerate(items):
        first.setdefault(module_of(item.nodeid), index)

    def key(indexed):
        index, item = indexed
        module = module_of(item.nodeid)
        return -durations.get(module, 0.0), first[module], _shares_rows(item), index

    items[:] = [item for _index, item in sorted(enumerate(items), key=key)]


class Recorder:
    """Adds up each module's test durations (set-up, call and tear-down) and saves them at the end of the run,
    over those of the modules this run did not include."""

    def __init__(self, path: Path, baseline: Path):
        self.path = path
        self.baseline = baseline
        self.seconds: dict[str, float] = defaultdict(float)

    def load(self) -> dict[str, float]:
        return {**_read(self.baseline), **_read(self.path)}

    def add(self, report) -> None:
        self.seconds[module_of(report.nodeid)] += report.duration

    def save(self) -> None:
        if not self.seconds:
            return
        durations = {**self.load(), **{module: round(seconds, 2) for module, seconds in self.seconds.items()}}
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}")
        temporary.write_text(json.dumps(durations, indent=0, sort_keys=True))
        temporary.replace(self.path)


def _read(path: Path) -> dict[str, float]:
    try:
        return {str(module): float(seconds) for module, seconds in json.loads(path.read_text()).items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}
