"""Charts as inline SVG, drawn on the server (no JavaScript): horizontal bars and the plan's Gantt-like timetable.

The SVG is built as an element tree and serialised by xml.etree, never by formatting strings: a title holding
quotes or angle brackets stays text (escaped in attributes as in content), and characters XML cannot hold are
dropped (core.text.xml_safe), so what users typed can neither add markup nor break the drawing.
"""

import datetime as dt
from decimal import Decimal
from xml.etree import ElementTree

from core.text import xml_safe
from reports.builders import display
from reports.selectors import GbReport, ReportTable

BAR_COLOUR = "#1f5fa8"
STATUS_COLOURS = {"PLANNED": "#8aa9cf", "IN_PROGRESS": "#1f5fa8", "DONE": "#2e7d32", "DELAYED": "#c62828",
                  "CANCELLED": "#9e9e9e"}
LABEL_WIDTH = 230
BAR_AREA = 330
ROW_HEIGHT = 20


def _clip(text: str, length: int = 38) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _element(parent, tag: str, text=None, **attributes):
    """A child element; attribute names use _ for - (text_anchor → text-anchor), values and text pass xml_safe."""
    attrib = {name.rstrip("_").replace("_", "-"): xml_safe(str(value)) for name, value in attributes.items()}
    element = ElementTree.Element(tag, attrib) if parent is None else ElementTree.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = xml_safe(str(text))
    return element


def _canvas(*, width: int, height: int, title: str):
    svg = _element(None, "svg", xmlns="http://www.w3.org/2000/svg", width=width, height=height,
                   viewBox=f"0 0 {width} {height}", role="img", aria_label=title, font_family="DejaVu Sans",
                   font_size=9)
    _element(svg, "text", title, x=0, y=12, font_weight="bold", font_size=10)
    return svg


def _svg(svg) -> str:
    return ElementTree.tostring(svg, encoding="unicode")


def bar_chart(items: list[tuple[str, Decimal]], *, title: str, kind: str) -> str:
    """Horizontal bars, one per (label, value); negative values are drawn as 0."""
    items = [(label, value) for label, value in items if value is not None]
    if not items:
        return ""
    largest = max((max(Decimal(v), Decimal(0)) for _l, v in items), default=Decimal(0)) or Decimal(1)
    height = 28 + ROW_HEIGHT * len(items)
    svg = _canvas(width=LABEL_WIDTH + BAR_AREA + 70, height=height, title=title)
    for index, (label, value) in enumerate(items):
        y = 22 + index * ROW_HEIGHT
        length = float(max(Decimal(value), Decimal(0)) / largest) * BAR_AREA
        _element(svg, "text", _clip(label), x=LABEL_WIDTH - 6, y=y + 12, text_anchor="end")
        _element(svg, "rect", x=LABEL_WIDTH, y=y + 2, width=f"{length:.1f}", height=ROW_HEIGHT - 6, fill=BAR_COLOUR)
        _element(svg, "text", display(value, kind), x=f"{LABEL_WIDTH + length + 4:.1f}", y=y + 12)
    return _svg(svg)


# table key → (index of the label column, index of the value column): what each chart shows.
CHARTED = {"by_source": (0, 3), "by_region": (0, 3), "by_input": (0, 3), "delivery_by_field": (1, 4),
           "gender": (0, 1), "approvals": (0, 3)}
MAX_BARS = 25


def table_chart(table: ReportTable) -> str:
    """The chart of a table of the annual report, or "" when the table has none."""
    if table.key not in CHARTED:
        return ""
    label_index, value_index = CHARTED[table.key]
    items = [(str(row[label_index]), row[value_index]) for row in table.rows]
    if table.key == "approvals":  # many donors: the largest ones
        items = sorted(items, key=lambda item: -(item[1] or 0))[:MAX_BARS]
    return bar_chart(items[:MAX_BARS], title=table.columns[value_index].label, kind=table.columns[value_index].kind)


def gantt_chart(timetable: list[tuple[str, dt.date, dt.date, str]], *, start: dt.date, end: dt.date,
                title: str) -> str:
    """One bar per milestone from its start to its due date on the plan's time axis, with a tick per year."""
    if not timetable:
        return ""
    span = max((end - start).days, 1)
    height = 40 + ROW_HEIGHT * len(timetable)

    def x(day: dt.date) -> float:
        return LABEL_WIDTH + max(0, min((day - start).days, span)) / span * BAR_AREA

    svg = _canvas(width=LABEL_WIDTH + BAR_AREA + 20, height=height, title=title)
    for year in range(start.year, end.year + 2):
        tick = dt.date(year, 1, 1)
        if start <= tick <= end:
            _element(svg, "line", x1=f"{x(tick):.1f}", y1=18, x2=f"{x(tick):.1f}", y2=height, stroke="#ccc")
            _element(svg, "text", year, x=f"{x(tick) + 2:.1f}", y=26)
    for index, (label, begin, due, status) in enumerate(timetable):
        y = 30 + index * ROW_HEIGHT
        left, right = x(begin), x(due)
        _element(svg, "text", _clip(label), x=LABEL_WIDTH - 6, y=y + 12, text_anchor="end")
        _element(svg, "rect", x=f"{left:.1f}", y=y + 2, width=f"{max(right - left, 2):.1f}", height=ROW_HEIGHT - 6,
                 fill=STATUS_COLOURS.get(status, BAR_COLOUR))
    return _svg(svg)


def report_charts(report: GbReport) -> dict[str, str]:
    return {table.key: table_chart(table) for table in report.tables}
