"""What the benchmarks share: a PostgreSQL database of their own, kept seeded between runs, and memory readings."""

import json
import os
import socket
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def bench_database_url(database: str, tool: str) -> str:
    """DATABASE_URL with its database replaced by `database`, so a benchmark never touches a working one."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print(f"{tool} needs PostgreSQL: set DATABASE_URL=postgres://user:password@host:port/any "
              f"(the database {database} is used).", file=sys.stderr)
        sys.exit(2)
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


def seed_mark(url: str) -> str | None:
    """The comment a complete seed leaves on the database (a seed that failed half-way leaves none)."""
    import psycopg

    try:
        with psycopg.connect(url) as connection:
            return connection.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                                      "WHERE datname = current_database()").fetchone()[0]
    except psycopg.Error:
        return None


def ensure_database(url: str) -> bool:
    """Create the database of `url` if it is missing (its data, if any, is kept). Returns whether it was created."""
    import psycopg

    database = urlsplit(url).path.lstrip("/")
    maintenance = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone():
            return False
        connection.execute(f'CREATE DATABASE "{database}"')
    return True


def set_seed_mark(url: str, mark: str) -> None:
    """Record a complete seed on the database (read back by seed_mark)."""
    import psycopg
    from psycopg import sql

    database = urlsplit(url).path.lstrip("/")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'COMMENT ON DATABASE "{database}" IS {sql.quote(mark)}')


def prepare_database(url: str, *, mark: str, reseed: bool) -> bool:
    """Keep a database whose seed mark is `mark`; else start from a new, empty one (migrations may have changed
    since it was made). Returns whether it must be seeded."""
    import psycopg

    if not reseed and seed_mark(url) == mark:
        return False
    database = urlsplit(url).path.lstrip("/")
    maintenance = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}"')
        connection.execute(f'CREATE DATABASE "{database}"')
    return True


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tcms.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def peak_rss_mb() -> float:
    """VmHWM, the peak RSS of this process image. Not getrusage's ru_maxrss: Linux carries the parent's peak
    over fork and exec into it, so a child of the (large) seeding process would report the parent's figure."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)  # kB
    raise RuntimeError("no VmHWM in /proc/self/status")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values lie (nearest rank), rounded to 0.1; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))], 1)


def run_child(module: str, *args: str) -> dict:
    """Run `python -m module args` in a fresh process (its own memory peak) and return the JSON of its last line."""
    result = subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, check=False)
    if result.returncode:
        log(result.stderr)
        raise SystemExit(result.returncode)
    return json.loads(result.stdout.strip().splitlines()[-1])
