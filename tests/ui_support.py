"""Helpers of the AppTest tests: open the app at a page, with a link, in a language.

Every page runs through ``app.py``, as ``streamlit run`` runs it: the entry point draws the
language switch, the navigation and both panels, then the page. Test modules import these
helpers with ``from ui_support import ...`` (the tests folder is on ``sys.path``).
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from pooling_ui.base.i18n import catalogue
from pooling_ui.page import PAGES as NAVIGATION
from pooling_ui.page import PAGES_DIR, SECTIONS

ROOT = Path(__file__).resolve().parents[1]
PAGES = {name: f"{PAGES_DIR}/{name}.py" for name, _ in NAVIGATION}
# The pages that show the shared input and parameter panels' every effect (the output, the
# gradients, the comparison): the tests of links to the panels run on these. Each lesson page has
# its own tests.
TOOL_PAGES = {name: PAGES[name] for name in SECTIONS["tools"]}
TIMEOUT = 90
# The start of the message a view shows instead of a traceback (in either language): a bug.
BUG_MARKS = tuple(catalogue(lang)["views.internal_error"].split("(")[0].split("（")[0].strip()
                  for lang in ("en", "zh"))


def open_page(page: str = "explorer", query: dict | None = None, *,
              timeout: float = TIMEOUT) -> AppTest:
    """The app run once at ``page`` (a key of :data:`PAGES`) with the link's ``query``."""
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    app.query_params.update(query or {})
    if page != "explorer":
        app.switch_page(PAGES[page])
    app.run()
    return app


def assert_no_bug(app: AppTest) -> None:
    """No exception, and no view said "something went wrong" (the mark of a bug in a view)."""
    assert not app.exception, [e.value for e in app.exception]
    bugs = [e.value for e in app.error if e.value.startswith(BUG_MARKS)]
    assert not bugs, bugs


def formulas(app: AppTest) -> list[str]:
    """The worked arithmetic on the page (``y[0,0] = max(1, 3, 5, 6) = 6``)."""
    return [text.value for text in app.text if text.value.startswith("y[")]


def shows_something(app: AppTest) -> bool:
    return bool(app.get("plotly_chart") or app.get("image") or app.dataframe)
