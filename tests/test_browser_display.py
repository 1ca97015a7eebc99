"""Projector mode in a real browser: a 1024×768 screen opened with ``?projector=1``.

What AppTest cannot see is measured here, in the browser: the sidebar is collapsed, the figures
fit the screen's width, the numbers in the cells are drawn at least 18 px high (the computed
font size of plotly's SVG text), and turning the switch off in the sidebar gives the normal page
back (smaller root font, no ``projector`` in the link). Skips without a Chromium (fails under
``CI=true``), as tests/test_browser.py does; leaves a screenshot in ``test-artifacts/``.
"""

from __future__ import annotations

import pytest
from browser_support import exception_texts, open_app, wait_for_idle

SCREEN = {"width": 1024, "height": 768}
READABLE_PX = 18
SIDEBAR = '[data-testid="stSidebar"]'
MAIN = '[data-testid="stMain"]'
EXPECT_TIMEOUT_MS = 60_000
# The computed size of every number printed in the cells of a figure, and the figure's box.
_CELL_TEXT = """plot => ({
    sizes: [...plot.querySelectorAll('g.heatmap-label text')].map(
        text => parseFloat(getComputedStyle(text).fontSize)),
    box: plot.getBoundingClientRect().toJSON(),
})"""


@pytest.fixture
def projector_page(browser_page, app_server):
    page = browser_page("browser-display", timeout_ms=EXPECT_TIMEOUT_MS, viewport=SCREEN,
                        full_page=False)
    open_app(page, f"{app_server.url}/?lang=en&projector=1&input=worked4x4",
             timeout_ms=EXPECT_TIMEOUT_MS * 2)
    return page


def root_font_px(page) -> float:
    return page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")


def test_projector_mode_fits_a_1024_screen_with_readable_numbers(projector_page):
    from playwright.sync_api import expect

    page = projector_page
    plots = page.locator(f"{MAIN} .js-plotly-plot")
    expect(plots.first.locator("g.heatmap-label text").first).to_be_visible()
    assert not exception_texts(page)
    sidebar = page.locator(SIDEBAR).bounding_box()
    assert sidebar is None or sidebar["x"] + sidebar["width"] <= 0, "the sidebar is collapsed"
    assert root_font_px(page) >= 16 * 1.3
    assert page.evaluate("() => document.documentElement.scrollWidth") <= SCREEN["width"]
    # the animation (the 4×4 board example and its 2×2 output) and the output view
    assert plots.count() >= 2
    projected = [plots.nth(index).evaluate(_CELL_TEXT) for index in range(2)]
    for index, measured in enumerate(projected):
        box = measured["box"]
        assert box["x"] >= 0 and box["x"] + box["width"] <= SCREEN["width"], (index, box)
        assert len(measured["sizes"]) == 16 + 4, "every number of both grids is printed"
        assert min(measured["sizes"]) >= READABLE_PX, (index, measured["sizes"])
    assert "projector=1" in page.url

    # The switch in the sidebar turns it off: the normal page, and the link says so.
    page.locator('[data-testid="stExpandSidebarButton"]').click()
    switch = page.locator(SIDEBAR).get_by_text("Projector mode", exact=True)
    switch.click()
    wait_for_idle(page, timeout_ms=EXPECT_TIMEOUT_MS)
    page.wait_for_function("() => getComputedStyle(document.documentElement).fontSize"
                           " === '16px'", timeout=EXPECT_TIMEOUT_MS)
    assert "projector" not in page.url
    normal = plots.first.evaluate(_CELL_TEXT)
    assert normal["box"]["width"] < projected[0]["box"]["width"]
    assert max(normal["sizes"]) < min(projected[0]["sizes"])
    assert not exception_texts(page)
