"""Helpers of the AppTest tests: open the app at a page, with a link, in a language.

Every page runs through ``app.py``, as ``streamlit run`` runs it: the entry point draws the
language switch, the navigation and both panels, then the page. Test modules import these
helpers with ``from ui_support import ...`` (the tests folder is on ``sys.path``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
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


# -- our own HTML (st.html), read as a browser would build it ------------------------------------
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
             "track", "wbr"}
# Attributes whose values a person hears or sees: names, tooltips, and the words a script shows
# (``data-text-…``).
READABLE_ATTRS = ("aria-label", "title", "alt", "placeholder")


@dataclass
class HtmlNode:
    """An element of an HTML fragment: its tag, attributes (unescaped) and children (elements
    and text, unescaped)."""

    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self):
        yield self
        for child in self.children:
            if isinstance(child, HtmlNode):
                yield from child.walk()

    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = HtmlNode("#fragment")
        self.open = [self.root]

    def handle_starttag(self, tag, attrs):
        node = HtmlNode(tag, dict(attrs))
        self.open[-1].children.append(node)
        if tag not in VOID_TAGS:
            self.open.append(node)

    def handle_startendtag(self, tag, attrs):
        self.open[-1].children.append(HtmlNode(tag, dict(attrs)))

    def handle_endtag(self, tag):
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data):
        self.open[-1].children.append(data)


def parse_html(body: str) -> HtmlNode:
    """``body`` parsed by the standard library's HTML parser into a small tree."""
    builder = _TreeBuilder()
    builder.feed(body)
    builder.close()
    return builder.root


def readable_html(node: HtmlNode):
    """The texts a person reads or hears in ``node``: its text nodes, outside scripts, styles and
    elements marked ``translate="no"`` (data such as a link, in no language), and the values of
    :data:`READABLE_ATTRS` and ``data-text-…`` attributes."""
    if node.tag in ("script", "style") or node.attrs.get("translate") == "no":
        return
    for name, value in node.attrs.items():
        if value and (name in READABLE_ATTRS or name.startswith("data-text-")):
            yield value
    for child in node.children:
        if isinstance(child, str):
            yield child
        else:
            yield from readable_html(child)


def share_box_html(app: AppTest) -> HtmlNode:
    """The Share box's element (:func:`pooling_ui.panels.share.share_html`), parsed; the page
    must show exactly one."""
    from pooling_ui.panels import share

    boxes = [parse_html(element.value) for element in app.html
             if any(share.BOX_CLASS in node.classes() for node in parse_html(element.value).walk())]
    assert len(boxes) == 1, [element.value[:200] for element in app.html]
    return boxes[0]


def shared_link(app: AppTest) -> str:
    """The link the Share box shows (its text, as the browser shows and copies it)."""
    from pooling_ui.panels import share

    links = [node for node in share_box_html(app).walk() if share.LINK_CLASS in node.classes()]
    assert len(links) == 1, links
    return links[0].text()
