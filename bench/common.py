"""What the benchmarks share: a PostgreSQL database of their own, kept seeded between runs, and memory readings."""

import os
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
