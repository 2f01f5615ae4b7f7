"""Where the browser tests find Chromium, and what they do without it.

Without Chromium they are skipped (the run ends with one line saying so), unless TCMS_REQUIRE_BROWSER_TESTS is set,
as CI sets it: then they fail."""

import os

# Debian's package; TCMS_CHROMIUM points elsewhere (or at nothing, to try the suite as a machine without it).
CHROMIUM = os.environ.get("TCMS_CHROMIUM", "/usr/bin/chromium")
REQUIRED = os.environ.get("TCMS_REQUIRE_BROWSER_TESTS", "").strip().lower() in {"1", "true", "yes", "on"}
MISSING = "no Chromium; `apt-get install chromium`"


def available() -> bool:
    return os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)


def skip_reason() -> str:
    return f"{MISSING} (looked for {CHROMIUM})"
