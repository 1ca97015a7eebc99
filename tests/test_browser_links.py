"""A typed grid shared by link, in real browsers: Chromium, driven by Playwright, against
``streamlit run app.py``.

One browser context types a 5×5 grid (the size through the keyboard, the numbers pasted into the
data editor as a spreadsheet pastes them) and copies the link with the "Share this view" box's
copy button; a second context, a new browser profile with a new session, opens that link and must
show the same numbers in the typed grid and the same pooled output, with no warning and no
exception box. The expected numbers are the ones typed, and the first window's maximum is worked
by hand.

Without a Chromium the test skips with the reason; under ``CI=true`` a missing browser fails.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from browser_support import open_app, typed_cell_centre, wait_for_idle
from test_browser import assert_no_exception

SIDEBAR = '[data-testid="stSidebar"]'
MAIN = '[data-testid="stMain"]'
EXPECT_TIMEOUT_MS = 30_000
# The first page of a fresh server imports plotly and the pages: slow on two busy cores.
FIRST_LOAD_MS = 120_000
# What a person types, each number as the app writes it back (shortest exact text), so the
# grid in the new browser must read the same, character for character.
TYPED = [
    ["7", "-3", "2.5", "0.1", "4"],
    ["1", "9", "nan", "6", "-inf"],
    ["inf", "0", "12", "5", "3"],
    ["8", "-2", "1e20", "-0.5", "11"],
    ["2", "4", "6", "8", "10"],
]
# By hand: the default window is 2×2 with stride 2, so y[0,0] pools x[0:2, 0:2] = 7, -3, 1, 9.
FIRST_WINDOW = "y[0,0] = max(7, −3, 1, 9) = 9"  # the explanations write − for minus


def new_page(browser_page, server, name: str):
    """A fresh browser context (its own storage: a new Streamlit session) that may use the
    clipboard, as a person's browser lets a page's copy button do; saved as ``name`` at the end."""
    page = browser_page(name, timeout_ms=EXPECT_TIMEOUT_MS)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    return page


def editor_cells(page) -> list[list[str]]:
    """The typed grid's cells as the data editor shows them (its accessible grid), row by row,
    without the column of row numbers."""
    # The accessible copy of the grid is brought up to date when the grid loses the focus.
    page.locator("h1").first.click()
    grid = page.locator(MAIN).locator('[data-testid="stDataFrame"]')
    rows = grid.evaluate(
        "el => Array.from(el.querySelectorAll('tr'), tr =>"
        " Array.from(tr.querySelectorAll('[role=gridcell]'), td => td.innerText.trim()))"
        ".filter(cells => cells.length)")
    return [row[1:] for row in rows]


def input_labels(page) -> list[str]:
    """The numbers printed on the first figure's cells (the input's and then the output's)."""
    plot = page.locator(MAIN).locator(".js-plotly-plot").first
    plot.wait_for()
    return plot.evaluate(
        "gd => Array.from(gd.querySelectorAll('g.heatmap-label text'), t => t.textContent)")


def type_the_grid(page) -> None:
    main = page.locator(MAIN)
    page.locator(SIDEBAR).get_by_text("Type", exact=True).click()
    wait_for_idle(page)
    for label in ("Rows", "Columns"):
        box = main.get_by_role("spinbutton", name=label)
        box.fill("5")
        box.press("Enter")
        wait_for_idle(page)
    grid = main.locator('[data-testid="stDataFrame"]')
    page.mouse.click(*typed_cell_centre(grid.bounding_box(), 0, 0))
    # a block of cells copied from a spreadsheet: tab between cells, new line between rows
    block = "\n".join("\t".join(row) for row in TYPED)
    page.evaluate("text => navigator.clipboard.writeText(text)", block)
    page.keyboard.press("Control+V")
    wait_for_idle(page)


def copy_the_link(page) -> str:
    """Open "Share this view" and press its copy button; what landed on the clipboard."""
    sidebar = page.locator(SIDEBAR)
    sidebar.get_by_text("Share this view").click()
    sidebar.get_by_role("button", name="Copy link").click()
    page.wait_for_function("() => navigator.clipboard.readText().then(t => t.startsWith('http'))",
                           timeout=EXPECT_TIMEOUT_MS)
    return page.evaluate("() => navigator.clipboard.readText()")


def query_of(url: str) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}", parse_qs(parts.query)


def test_a_typed_5x5_grid_opens_identically_in_a_new_browser(browser_page, app_server):
    from playwright.sync_api import expect

    # both pages are saved at the end: the typed grid and the grid opened from its link
    first = new_page(browser_page, app_server, "browser-links-typed")
    open_app(first, app_server.url, timeout_ms=FIRST_LOAD_MS)
    type_the_grid(first)
    expect(first.locator(MAIN).get_by_text(FIRST_WINDOW, exact=True)).to_be_visible()
    assert editor_cells(first) == TYPED
    typed_labels = input_labels(first)
    assert_no_exception(first, "after typing")
    link = copy_the_link(first)
    # the copied link is the page's own address, query and all
    assert query_of(link) == query_of(first.url), (link, first.url)
    assert query_of(link)[1]["input"] == ["grid"]

    second = new_page(browser_page, app_server, "browser-links-opened")
    open_app(second, link, timeout_ms=FIRST_LOAD_MS)
    assert_no_exception(second, "the shared link")
    expect(second.locator(SIDEBAR).locator('[data-testid="stAlert"]')).to_have_count(0)
    expect(second.locator(SIDEBAR).get_by_role("radio", name="Type")).to_be_checked()
    expect(second.locator(MAIN).get_by_text(FIRST_WINDOW, exact=True)).to_be_visible()
    assert editor_cells(second) == TYPED
    assert input_labels(second) == typed_labels
    expect(second.locator(MAIN).get_by_text("Shape: 1×5×5 → 1×2×2")
           ).to_be_visible()
