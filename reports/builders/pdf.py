"""PDF via WeasyPrint: cover, table of contents (page numbers from target-counter), page numbers in the footer
(@page counters), charts as inline SVG. Print-ready A4."""

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from reports.builders import cover_lines, display
from reports.builders.charts import gantt_chart, report_charts
from reports.selectors import TEXT, GbReport, plan_timetable


def _cells(row: list, columns) -> list[tuple[str, bool]]:
    """(text shown, is a number) per cell."""
    return [(display(value, column.kind), column.kind != TEXT) for value, column in zip(row, columns, strict=True)]


def render_html(report: GbReport, *, plan=None) -> str:
    charts = report_charts(report)
    sections = []
    for number, table in enumerate(report.tables, start=1):
        sections.append({
            "anchor": f"t-{table.key}", "number": number, "table": table,
            "chart": mark_safe(charts.get(table.key, "")),  # noqa: S308 — an element tree serialised (charts.py)
            "rows": [_cells(row, table.columns) for row in table.rows],
            "total": _cells(table.total, table.columns) if table.total else None,
        })
    gantt = ""
    if plan is not None:
        gantt = mark_safe(gantt_chart(plan_timetable(plan), start=plan.start_date, end=plan.end_date,  # noqa: S308
                                      title=report.tables[0].title))
    return render_to_string("reports/pdf/report.html", {
        "report": report, "cover_lines": cover_lines(report), "sections": sections, "gantt": gantt,
        "language": get_language(), "plan": plan,
    })


def build(report: GbReport, out, *, plan=None) -> None:
    from weasyprint import HTML

    HTML(string=render_html(report, plan=plan)).write_pdf(out)
