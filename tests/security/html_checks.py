"""What a strict Content Security Policy (no 'unsafe-inline') would block in a page's HTML."""

from html.parser import HTMLParser

_DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "text/template"}


class _InlineCodeFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._open_script = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event-handler attribute")
            elif name.startswith(("hx-on", "data-hx-on")):
                self.problems.append(f"<{tag} {name}=…> HTMX inline handler (needs unsafe-eval)")
            elif name == "style" and value:
                self.problems.append(f"<{tag} style=\"{value[:40]}\"> inline style attribute")
            elif value and name in ("href", "src", "action", "formaction") and \
                    value.strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=\"javascript:…\"> script URL")
        if tag == "script" and not attributes.get("src") and \
                (attributes.get("type") or "").lower() not in _DATA_SCRIPT_TYPES:
            self._open_script = ""
        if tag == "style":
            self.problems.append("<style> element (inline stylesheet)")

    def handle_data(self, data):
        if self._open_script is not None:
            self._open_script += data

    def handle_endtag(self, tag):
        if tag == "script" and self._open_script is not None:
            self.problems.append(f"inline <script>: {self._open_script.strip()[:60]!r}")
            self._open_script = None


def inline_code(html: str) -> list[str]:
    finder = _InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.problems
