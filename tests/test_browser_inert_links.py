"""No link can trick a student: hostile Markdown and HTML in every link name of every page, in a
real browser (Chromium, driven by Playwright, against ``streamlit run app.py``).

Each page is opened with every link name the app reads set to a payload that would, as Markdown,
be a link, an image, bold and italic text, strikethrough, math, HTML, an autolink, one of
Streamlit's colours, a Material icon and an emoji, all pointing at a trap server on a loopback
port. The page must show the payload as text (the warnings echo it) and hold no ``<a>``, ``<img>``
or formatted element made from it, and neither the trap server nor the browser may see a request
to the payload's address.

Without a Chromium the test skips with the reason; under ``CI=true`` a missing browser fails.
"""

from __future__ import annotations

import http.server
import threading
from typing import ClassVar
from urllib.parse import urlencode

import pytest
from browser_support import open_app
from test_browser import assert_no_exception
from test_ui_inert_text import LINK_NAMES, MARK

from pooling_ui.page import PAGES

FIRST_LOAD_MS = 120_000
# Elements that only formatting produces; none may hold the payload's marker.
FORMATTED = ("strong, b, em, i, del, s, h1, h2, h3, h4, h5, h6, li, blockquote, "
             ".katex, span[style*='color'], [data-testid='stIconMaterial']")


class _Trap(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_GET(self):
        _Trap.seen.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture(scope="module")
def trap():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Trap)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


def payload(port: int, name: str) -> str:
    return (f"[{MARK} link {name}](http://127.0.0.1:{port}/link) "
            f"![{MARK} img](http://127.0.0.1:{port}/img.png) **{MARK} bold** __class__ "
            f"_{MARK}em_ <b>{MARK}</b> <img src='http://127.0.0.1:{port}/html.png'> "
            f":red[{MARK} red] :material/lock: :smile: ${MARK}$ ~~{MARK}~~ "
            f"http://127.0.0.1:{port}/auto www.{MARK}.example")


@pytest.mark.parametrize("name", [name for name, _ in PAGES])
def test_hostile_values_in_every_link_name_are_shown_as_text(browser_page, app_server, trap,
                                                             name):
    page = browser_page(f"inert-links-{name}", timeout_ms=30_000)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    query = {link_name: payload(trap, link_name) for link_name in LINK_NAMES}
    query["lang"] = f"**{MARK}** [x](http://127.0.0.1:{trap}/lang)"
    path = "" if name == PAGES[0][0] else name  # the default page lives at the root
    open_app(page, f"{app_server.url}/{path}?{urlencode(query)}", timeout_ms=FIRST_LOAD_MS)
    assert_no_exception(page, name)

    # the warnings echo the payload as text, characters as typed
    assert f"**{MARK} bold**" in page.inner_text("body")
    # the app's own links (navigation, the skip link) carry the query string, encoded: a link
    # made from the payload goes to the trap's port or a pwn host, or shows the marker
    links = page.eval_on_selector_all(
        "a", "(els, port) => els.map(a => [a.href, a.textContent]).filter(([h, text]) => {"
             " const u = new URL(h, location.href);"
             " return u.port == String(port) || u.hostname.includes('pwn')"
             f" || text.includes('{MARK}'); }})", trap)
    assert links == [], links
    images = page.eval_on_selector_all(
        "img", "(els, port) => els.map(i => i.src).filter(s => s.includes(':' + port + '/'))",
        trap)
    assert images == [], images
    formatted = page.eval_on_selector_all(
        FORMATTED, "els => els.map(e => e.tagName + ': ' + e.textContent)"
                   f".filter(t => t.includes('{MARK}') || t.endsWith(': lock'))")
    assert formatted == [], formatted
    assert "😄" not in page.inner_text("body")
    page.wait_for_timeout(500)  # a lazily loaded image would have been asked for by now
    assert _Trap.seen == [], _Trap.seen
    assert [url for url in requests if f":{trap}" in url] == []
