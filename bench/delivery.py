"""Delivery at scale: python -m bench.delivery --projects N  (PostgreSQL from DATABASE_URL; SQLite refused).

Seeds N projects with the register's demo generator (projects.demo.seed_register) and, per project, two years of
allocations and about 150 expenditure lines (25 months × 6 types of input, some in EUR), written set-based
in SQL; every fourth project is co-funded by the regular budget (RBTC: a second allocation, and half of its types
of input booked to that source); fills the month rollups (by project, and by project and source of funds) and
the year rollups (with rebuild_year_delivery, also run when the database holds data seeded before the year
rollups existed). Then, in the same run, it times:
- the delivery dashboard page served by Django (test client, signed in; p50/p95 of --runs requests, its query
  count, and the query count of a small view of the same data: one responsible unit);
- the selector alone (delivery_dashboard and its first table page), without the request around it;
- one hand-written SQL statement over the raw expenditure lines and allocations giving the dashboard's numbers
  (tiles, groups by objective and region, groups by the source of funds of each allocation and line, the monthly
  curve, the first table page by rate), and one over the year rollups the dashboard reads; the page, the selector
  and the rollup query are timed interleaved (same load);
- an import of 100,000 expenditure rows through delivery.services.financial_import (then removed again).
numbers_match: the raw SQL, the rollup SQL and the selector give identical figures. It prints one JSON object
with the machine's load average. Data is kept between runs when the database already holds N projects
(--reseed forces a new seed).
"""

import argparse
import datetime as dt
import io
import json
import os
import sys
import time
from decimal import Decimal

from bench.common import log, percentile

YEAR = 2001
AS_OF = dt.date(2001, 10, 31)
INPUT_TYPES = 6
MONTHS = 25  # 2000-01 … 2002-01
CO_FUNDER = "RBTC"  # the regular-budget source that co-funds every fourth project

# "At risk" (delivery/figures.py) written out by hand: an ongoing project with an allocation whose spend is below the
# LOW_DELIVERY rule's red threshold × the share of its active time in the year elapsed × its allocation.
_START = "GREATEST(%(year_first)s::date, COALESCE(p.actual_start, p.planned_start))"
_END = "LEAST(%(year_last)s::date, p.planned_end)"
ACTIVE_SHARE_SQL = (f"CASE WHEN %(as_of)s::date < {_START} THEN 0 WHEN %(as_of)s::date >= {_END} THEN 1 "
                    f"ELSE ROUND((%(as_of)s::date - {_START} + 1)::numeric / ({_END} - {_START} + 1), 4) END")


def _risk_sql(a: str, s: str) -> str:
    return f"(p.status = %(ongoing)s AND {a} > 0 AND {s} < %(threshold)s * ({ACTIVE_SHARE_SQL}) * {a})"


# The dashboard's numbers from the raw expenditure lines: per project and month summed from the lines, then the
# tiles, the groups by objective and region, the groups by source of funds (each allocation and line under its own
# source), the monthly curve and the first table page (sorted by rate).
RAW_SQL = """
WITH pm AS (SELECT project_id, period, SUM(amount_usd) AS amount_usd FROM delivery_expenditure
            WHERE period BETWEEN %(first)s AND %(last)s GROUP BY project_id, period),
by_source AS (SELECT funding_source_id AS f, amount_usd AS a, 0 AS s FROM delivery_allocation WHERE year = %(year)s
              UNION ALL
              SELECT funding_source_id, 0, amount_usd FROM delivery_expenditure
              WHERE period BETWEEN %(first)s AND %(last)s),
spend AS (SELECT project_id, SUM(amount_usd) AS s,
                 SUM(amount_usd) FILTER (WHERE period >= %(window)s) AS r3 FROM pm GROUP BY project_id),
alloc AS (SELECT project_id, SUM(amount_usd) AS a FROM delivery_allocation WHERE year = %(year)s GROUP BY project_id),
per_project AS MATERIALIZED (
  SELECT p.id, p.symbol, p.title, p.status, p.strategic_objective_id AS o, p.region_id AS r,
         COALESCE(alloc.a, 0) AS a, COALESCE(spend.s, 0) AS s,
         ROUND(COALESCE(spend.s, 0) + COALESCE(spend.r3, 0) * %(months_left)s / %(window_months)s, 2) AS fc,
         """ + _risk_sql("COALESCE(alloc.a, 0)", "COALESCE(spend.s, 0)") + """ AS risk
  FROM projects_project p LEFT JOIN alloc ON alloc.project_id = p.id LEFT JOIN spend ON spend.project_id = p.id
  WHERE alloc.project_id IS NOT NULL OR spend.project_id IS NOT NULL)
(SELECT 'group' AS kind, GROUPING(o, r) AS g, o, r, NULL::bigint AS f, NULL::date AS period, NULL::text AS symbol,
        SUM(a) AS a, SUM(s) AS s, SUM(fc) AS fc,
        COUNT(*) FILTER (WHERE risk) AS at_risk, COUNT(*) AS projects
   FROM per_project GROUP BY GROUPING SETS ((o), (r), ()))
UNION ALL
(SELECT 'source', NULL, NULL, NULL, f, NULL, NULL, SUM(a), SUM(s), NULL, NULL, NULL FROM by_source GROUP BY f)
UNION ALL
(SELECT 'month', NULL, NULL, NULL, NULL, period, NULL, NULL, SUM(amount_usd), NULL, NULL, NULL FROM pm GROUP BY period)
UNION ALL
(SELECT 'row', NULL, NULL, NULL, NULL, NULL, symbol || ' ' || title || ' ' || status, a, s, fc, NULL, NULL
   FROM per_project ORDER BY a = 0, ROUND(s / NULLIF(a, 0), 4), symbol COLLATE "C" LIMIT 50)
"""
# The same numbers from the rollups the dashboard reads (ProjectYearDelivery: one row per project and year with the
# allocation and the running spend from January to each month, in cents; SourceYearDelivery: the same per project,
# year and source of funds), in one hand-written statement.
ROLLUP_SQL = """
WITH per_project AS MATERIALIZED (
  SELECT p.id, p.symbol, p.title, p.status, p.strategic_objective_id AS o, p.region_id AS r,
         y.allocation_cents AS a, y.{to_month} AS s,
         ROUND(y.{to_month} + (y.{to_month} - y.{before_window}) * %(months_left)s / %(window_months)s::numeric)
           ::bigint AS fc,
         {risk} AS risk,
         {running}
  FROM delivery_projectyeardelivery y JOIN projects_project p ON p.id = y.project_id
  WHERE y.year = %(year)s AND (y.has_allocation OR y.first_spend_month <= %(last_month)s))
(SELECT 'group' AS kind, GROUPING(o, r) AS g, o, r, NULL::bigint AS f, SUM(a) AS a, SUM(s) AS s, SUM(fc) AS fc,
        COUNT(*) FILTER (WHERE risk) AS at_risk,
        COUNT(*) AS projects, {running_sums}, NULL::text AS row
   FROM per_project GROUP BY GROUPING SETS ((o), (r), ()))
UNION ALL
(SELECT 'source', NULL, NULL, NULL, y.funding_source_id, SUM(y.allocation_cents), SUM(y.{to_month}), NULL, NULL,
        NULL, {running_nulls}, NULL
   FROM delivery_sourceyeardelivery y
   WHERE y.year = %(year)s AND (y.has_allocation OR y.first_spend_month <= %(last_month)s)
   GROUP BY y.funding_source_id)
UNION ALL
(SELECT 'row', NULL, NULL, NULL, NULL, a, s, fc, NULL, NULL, {running_nulls}, symbol || ' ' || title || ' ' || status
   FROM per_project ORDER BY a = 0, ROUND(s::numeric / NULLIF(a, 0), 4), symbol COLLATE "C" LIMIT 50)
"""


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tcms.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # no request log line per timed request
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("bench.delivery needs PostgreSQL: set DATABASE_URL=postgres://user:password@host:port/tcms_bench "
              "(SQLite is not a meaningful benchmark for 3 million lines).", file=sys.stderr)
        sys.exit(2)
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    # Served by the test client: plain static storage, no collectstatic manifest needed. Through override_settings,
    # so that the storages Django set up already (apps read the private storage when they load) are reset too.
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()


def _seed(projects: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from projects.demo import seed_register

    call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()
    seed_register(seed=1, projects=projects, log=log)
    log(f"register seeded in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO delivery_exchangerate (currency, period, units_per_usd)
            SELECT c, d::date, CASE c WHEN 'EUR' THEN 0.95 ELSE 1.60 END + (EXTRACT(month FROM d) - 6) / 200
            FROM unnest(ARRAY['EUR', 'CHF']) AS c,
                 generate_series('1999-01-01'::date, '2003-12-01'::date, interval '1 month') AS d""")
        cursor.execute("""
            INSERT INTO delivery_allocation (project_id, year, funding_source_id, amount_usd, updated_at)
            SELECT p.id, y, p.funding_source_id, 60000 + (p.id * 7919 %% 240) * 1000, now()
            FROM projects_project p, generate_series(2000, 2001) AS y""", {})
        # Co-funding by the regular budget: a second allocation of every fourth project (not already RBTC's).
        cursor.execute("""
            INSERT INTO delivery_allocation (project_id, year, funding_source_id, amount_usd, updated_at)
            SELECT p.id, y, rb.id, 6000 + (p.id * 7919 %% 240) * 100, now()
            FROM projects_project p CROSS JOIN generate_series(2000, 2001) AS y
            CROSS JOIN (SELECT id FROM projects_fundingsource WHERE code = %(co_funder)s) rb
            WHERE p.id %% 4 = 0 AND p.funding_source_id <> rb.id""", {"co_funder": CO_FUNDER})
        # ~150 lines a project; the project's delivery factor (0.3 … 1.3) spreads rates from low to overspent.
        cursor.execute("""
            INSERT INTO delivery_expenditure (project_id, period, input_type_id, currency, funding_source_id, amount,
                                              exchange_rate, amount_usd, batch_id)
            SELECT p.id, m.period, t.id, CASE WHEN p.id %% 7 = 0 THEN 'EUR' ELSE 'USD' END,
                   CASE WHEN p.id %% 4 = 0 AND t.id %% 2 = 0 THEN rb.id ELSE p.funding_source_id END, x.amount,
                   COALESCE(r.units_per_usd, 1), ROUND(x.amount / COALESCE(r.units_per_usd, 1), 2), NULL
            FROM projects_project p
            CROSS JOIN (SELECT id FROM projects_fundingsource WHERE code = %(co_funder)s) rb
            CROSS JOIN (SELECT id FROM projects_inputtype ORDER BY sort_order, code LIMIT %(types)s) t
            CROSS JOIN (SELECT ('2000-01-01'::date + make_interval(months => g))::date AS period
                        FROM generate_series(0, %(months)s - 1) g) m
            CROSS JOIN LATERAL (SELECT ROUND((60000 + (p.id * 7919 %% 240) * 1000) / 12.0 / %(types)s
                   * (0.3 + (p.id * 104729 %% 100) / 100.0)
                   * (0.5 + ((p.id + t.id * 31 + EXTRACT(month FROM m.period)::int * 17) %% 10) / 10.0), 2)
                   AS amount) x
            LEFT JOIN delivery_exchangerate r ON p.id %% 7 = 0 AND r.currency = 'EUR' AND r.period = m.period
        """, {"types": INPUT_TYPES, "months": MONTHS, "co_funder": CO_FUNDER})
        cursor.execute("""
            INSERT INTO delivery_projectmonthspend (project_id, period, amount_usd)
            SELECT project_id, period, SUM(amount_usd) FROM delivery_expenditure GROUP BY project_id, period""")
        cursor.execute("""
            INSERT INTO delivery_sourcemonthspend (project_id, period, funding_source_id, amount_usd)
            SELECT project_id, period, funding_source_id, SUM(amount_usd) FROM delivery_expenditure
            GROUP BY project_id, period, funding_source_id""")
    _rebuild_year_rollup()
    log(f"delivery data seeded in {time.perf_counter() - started:.1f} s")


def _rebuild_year_rollup() -> None:
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("rebuild_year_delivery", stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(f"year rollup rebuilt in {time.perf_counter() - started:.1f} s")


def _time(function, runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def _sql_params() -> dict:
    from delivery.figures import at_risk_threshold
    from projects.models import ProjectStatus

    last = AS_OF.replace(day=1)
    window = dt.date(YEAR, max(1, last.month - 2), 1)
    return {"year": YEAR, "first": dt.date(YEAR, 1, 1), "last": last, "last_month": last.month, "window": window,
            "months_left": 12 - last.month, "window_months": Decimal(last.month - window.month + 1),
            "year_first": dt.date(YEAR, 1, 1), "year_last": dt.date(YEAR, 12, 31), "as_of": AS_OF,
            "ongoing": ProjectStatus.ONGOING.value, "threshold": at_risk_threshold()}


def _rollup_sql() -> str:
    last_month = AS_OF.month
    running = [f"spent_cents_to_m{month:02d}" for month in range(1, last_month + 1)]
    return ROLLUP_SQL.format(
        to_month=running[-1], before_window=running[last_month - 4],
        risk=_risk_sql("y.allocation_cents", f"y.{running[-1]}"),
        running=", ".join(f"y.{name}" for name in running),
        running_sums=", ".join(f"SUM({name})" for name in running),
        running_nulls=", ".join("NULL" for _name in running))


def _query(sql: str):
    from django.db import connection

    params = _sql_params()

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def _import_file(rows: int) -> bytes:
    from delivery.import_checks import project_periods
    from projects.models import InputType, Project

    codes = list(InputType.objects.order_by("sort_order", "code").values_list("code", flat=True))
    projects = list(Project.objects.order_by("id").values_list("id", "symbol"))
    bookable = project_periods([pid for pid, _symbol in projects], 2000)
    buffer = io.StringIO()
    buffer.write("project_symbol,period,input_type,currency,amount\n")
    written = 0
    # 2002-02 … 2003-12 (the seeded rates end there), each project in the years it may book (the import refuses others)
    for offset in range(23):
        day = dt.date(2002 + (1 + offset) // 12, (1 + offset) % 12 + 1, 1)
        period = f"{day:%Y-%m}"
        for index, (pid, symbol) in enumerate(projects):
            if not bookable[pid][0] <= day <= bookable[pid][1]:
                continue
            for code in codes:
                if written == rows:
                    return buffer.getvalue().encode()
                currency = "EUR" if index % 5 == 0 else "USD"
                buffer.write(f"{symbol},{period},{code},{currency},{(index * 37 + written) % 9000 + 100}.50\n")
                written += 1
    return buffer.getvalue().encode()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args(argv)
    _setup()

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from accounts.models import Role, User
    from delivery.models import (
        Expenditure,
        ProjectMonthSpend,
        ProjectYearDelivery,
        SourceMonthSpend,
        SourceYearDelivery,
    )
    from delivery.selectors import delivery_dashboard
    from delivery.services import financial_import, rebuild_year_delivery
    from projects.models import Project

    call_command("migrate", interactive=False, verbosity=0)
    if args.reseed or Project.objects.count() != args.projects or not Expenditure.objects.exists():
        _seed(args.projects)
    elif not ProjectYearDelivery.objects.exists() or not SourceYearDelivery.objects.exists():
        _rebuild_year_rollup()  # data seeded before the year rollups existed
    lines = Expenditure.objects.count()

    user, _created = User.objects.get_or_create(username="bench-manager", defaults={"role": Role.MANAGER})
    client = Client()
    client.force_login(user)
    url = f"{reverse('delivery:dashboard')}?year={YEAR}&as_of={AS_OF:%Y-%m}"
    # A small view of the same data (one responsible unit): its query count must equal the whole portfolio's.
    unit_id = Project.objects.exclude(responsible_unit=None).order_by("id").values_list(
        "responsible_unit", flat=True).first()
    small_url = f"{url}&unit={unit_id}"

    def page(address=url):
        response = client.get(address)
        assert response.status_code == 200, response.status_code
        return response

    def queries(address) -> int:
        executed = []

        def count(execute, sql, params, many, context):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            page(address)
        return len(executed)

    raw, rollup = _query(RAW_SQL), _query(_rollup_sql())
    page(), page(), rollup(), rollup(), raw()  # warm caches (templates, connection, PostgreSQL buffers)
    dashboard_queries, small_queries = queries(url), queries(small_url)
    small_projects = len(delivery_dashboard(year=YEAR, as_of=AS_OF, filters={"unit": unit_id}).projects)
    def figures():  # the selector alone: what the page asks of the database, without the request around it
        delivery_dashboard(year=YEAR, as_of=AS_OF).projects[0:50]

    # Interleaved, so that the page, the selector and the rollup query see the same load on a shared machine.
    dashboard_ms, selector_ms, rollup_ms = [], [], []
    for _run in range(args.runs):
        dashboard_ms += _time(page, 1)
        selector_ms += _time(figures, 1)
        rollup_ms += _time(rollup, 1)
    raw_ms = _time(raw, max(3, args.runs // 4))
    numbers_match = _figures_from_raw(raw()) == _figures_from_rollup(rollup()) == _figures_from_dashboard()

    data = _import_file(args.import_rows)
    started = time.perf_counter()
    # An administrator may import every project's rows; the per-row check still runs (one query per chunk).
    importer, _created = User.objects.get_or_create(username="bench-admin", defaults={"role": Role.ADMIN})
    result = financial_import(kind="expenditure", source=data, filename="bench-100k.csv", user=importer)
    import_s = time.perf_counter() - started
    assert result.ok, result.errors[:5]
    # Leave the data as it was, so that the next run measures the same thing.
    imported = ProjectMonthSpend.objects.filter(period__gte=dt.date(2002, 2, 1))
    imported_years = [day.year for day in imported.dates("period", "year")]
    Expenditure.objects.filter(period__gte=dt.date(2002, 2, 1)).delete()
    imported.delete()
    SourceMonthSpend.objects.filter(period__gte=dt.date(2002, 2, 1)).delete()
    rebuild_year_delivery(years=imported_years)

    dashboard_p50, rollup_p50 = percentile(dashboard_ms, 0.5), percentile(rollup_ms, 0.5)
    print(json.dumps({
        "projects": Project.objects.count(),
        "expenditure_lines": lines,
        "month_rollup_rows": ProjectMonthSpend.objects.count(),
        "year_rollup_rows": ProjectYearDelivery.objects.count(),
        "source_month_rollup_rows": SourceMonthSpend.objects.count(),
        "source_year_rollup_rows": SourceYearDelivery.objects.count(),
        "year": YEAR, "as_of": AS_OF.isoformat(),
        "dashboard_p50_ms": dashboard_p50,
        "dashboard_p95_ms": percentile(dashboard_ms, 0.95),
        "dashboard_queries": dashboard_queries,
        "selector_p50_ms": percentile(selector_ms, 0.5),
        "small_view_projects": small_projects,
        "small_view_queries": small_queries,
        "raw_sql_ms": percentile(raw_ms, 0.5),
        "rollup_sql_ms": rollup_p50,
        "dashboard_vs_rollup_sql": round(dashboard_p50 / rollup_p50, 2),
        "selector_vs_rollup_sql": round(percentile(selector_ms, 0.5) / rollup_p50, 2),
        "numbers_match": numbers_match,
        "import_rows": result.rows_total,
        "import_100k_s": round(import_s, 1),
        "runs": args.runs,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }, indent=2))


def _cumulative(values: list) -> list:
    running, out = Decimal(0), []
    for value in values:
        running += value
        out.append(running)
    return out


_GROUP_OF_BITS = {1: "strategic_objective", 2: "region"}
_GROUPS = ("strategic_objective", "region", "funding_source")


def _figures_from_raw(rows) -> dict:
    figures = {"groups": {name: {} for name in _GROUPS}, "page": []}
    months = {}
    for kind, bits, o, r, f, period, text, a, s, fc, at_risk, projects in rows:
        if kind == "group" and bits == 3:
            figures["total"] = (a, s, fc, at_risk, projects)
        elif kind == "group":
            figures["groups"][_GROUP_OF_BITS[bits]][{1: o, 2: r}[bits]] = (a, s)
        elif kind == "source":
            figures["groups"]["funding_source"][f] = (a, s)
        elif kind == "month":
            months[period] = s
        else:
            figures["page"].append((text, a, s, fc))
    figures["curve"] = _cumulative([months.get(dt.date(YEAR, m, 1), Decimal(0)) for m in range(1, AS_OF.month + 1)])
    return figures


def _figures_from_rollup(rows) -> dict:
    def usd(cents):
        return None if cents is None else Decimal(int(cents)).scaleb(-2)

    figures = {"groups": {name: {} for name in _GROUPS}, "page": []}
    for kind, bits, o, r, f, a_cents, s_cents, fc_cents, at_risk, projects, *rest in rows:
        a, s, fc = usd(a_cents), usd(s_cents), usd(fc_cents)
        running, text = [usd(value) for value in rest[:-1]], rest[-1]
        if kind == "group" and bits == 3:
            figures["total"] = (a, s, fc, at_risk, projects)
            figures["curve"] = list(running)
        elif kind == "group":
            figures["groups"][_GROUP_OF_BITS[bits]][{1: o, 2: r}[bits]] = (a, s)
        elif kind == "source":
            figures["groups"]["funding_source"][f] = (a, s)
        else:
            figures["page"].append((text, a, s, fc))
    return figures


def _figures_from_dashboard() -> dict:
    from delivery.selectors import delivery_dashboard

    board = delivery_dashboard(year=YEAR, as_of=AS_OF)
    return {
        "total": (board.total.allocation_usd, board.total.expenditure_usd, board.forecast_usd, board.at_risk,
                  len(board.projects)),
        "groups": {name: {row.group_key: (row.allocation_usd, row.expenditure_usd) for row in rows}
                   for name, rows in board.groups.items()},
        "page": [(f"{p.symbol} {p.title} {p.status}", p.allocation_usd, p.expenditure_usd, p.forecast_usd)
                 for p in board.projects[0:50]],
        "curve": [point.cumulative_usd for point in board.curve if point.cumulative_usd is not None],
    }


if __name__ == "__main__":
    main()
