"""The Conv → ReLU → pool lesson in a real browser (Chromium, Playwright, ``streamlit run``).

The page loads without an exception box, the "Second stage" toggle responds to a click, and a
click on a cell of the last map picks that cell. Expected regions are worked by hand with the
rule "output range lo..hi of a layer reads lo·s − p .. hi·s − p + d·(k − 1) of its input".
Skips without a Chromium (fails under ``CI=true``), like tests/test_browser.py.
"""

from __future__ import annotations

from browser_support import exception_texts, open_app, wait_for_idle

MAIN = '[data-testid="stMain"]'
# Generous: the first load fetches plotly's script, which is slow on busy shared cores.
EXPECT_TIMEOUT_MS = 60_000
FIRST_LOAD_TIMEOUT_MS = 120_000


def field_text(page) -> str:
    line = page.locator(MAIN).get_by_text("of the last map depends on input rows").first
    line.wait_for()
    return line.inner_text()


def click_last_map_cell(page, row: int, col: int) -> None:
    """Click the centre of cell (row, col) of the figure that has the pick markers."""
    box = page.evaluate(
        """() => {
            const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
            const gd = plots.find(p => (p.data || []).some(t => t.name === 'pick'));
            gd.scrollIntoView({block: 'center'});
            const size = gd._fullLayout._size;
            const rect = gd.getBoundingClientRect();
            const xr = gd._fullLayout.xaxis.range, yr = gd._fullLayout.yaxis.range;
            return {left: rect.left + size.l, top: rect.top + size.t, w: size.w, h: size.h,
                    x0: xr[0], x1: xr[1], y0: yr[1], y1: yr[0]};
        }"""
    )
    # y is reversed (rows go down): y0 is the top of the plot
    x = box["left"] + (col + 0.5 - box["x0"]) / (box["x1"] - box["x0"]) * box["w"]
    y = box["top"] + (row + 0.5 - box["y0"]) / (box["y1"] - box["y0"]) * box["h"]
    page.mouse.click(x, y)
    wait_for_idle(page, EXPECT_TIMEOUT_MS)


def test_toggle_and_click_a_cell(browser_page, app_server):
    from playwright.sync_api import expect

    page = browser_page("browser-conv", timeout_ms=EXPECT_TIMEOUT_MS)
    # ReLU off: five maps, fewer figures to draw; cell 0, 0 (the page opens on the middle)
    open_app(page, f"{app_server.url}/conv?input=checkerboard&input_size=16&lang=en"
             "&conv_relu=false&conv_cell=0,0", timeout_ms=FIRST_LOAD_TIMEOUT_MS)
    assert not exception_texts(page)
    # two stages (conv3 pad 1, max 2×2 s2, twice): 16 → 8 → 4; cell 0 sees rows −3..6
    assert "rows -3..6 and columns -3..6" in field_text(page)
    assert "10×10" in field_text(page)

    page.locator(MAIN).get_by_text("Second stage", exact=True).click()
    wait_for_idle(page, EXPECT_TIMEOUT_MS)
    # one stage: cell 0 → pool rows 0..1 → conv rows −1..2: r = 4
    expect(page.locator(MAIN).get_by_text("depends on input rows -1..2")).to_be_visible()
    assert "4×4" in field_text(page)

    # last map 8×8; cell (2, 5): pool rows 4..5 → conv rows 3..6; columns 10..11 → 9..12
    click_last_map_cell(page, 2, 5)
    expect(page.locator(MAIN).get_by_text("Cell [2, 5] of the last map")).to_be_visible()
    assert "rows 3..6 and columns 9..12" in field_text(page)
    assert not exception_texts(page)
