"""The shift page in a real browser: a keyboard moves the shift slider and the outputs follow.

Expected values are worked by hand: the worked 4×4 grid shifted right by one cell (circularly)
has 2×2 maxima ``[[5,6],[7,8]]`` against ``[[6,4],[7,8]]`` unshifted — 2 of 4 cells change, by
1 and 2, mean 0.75 — and with no shift nothing changes. Skips without a Chromium (fails under
``CI=true``), as tests/test_browser.py does; leaves a screenshot in ``test-artifacts/``.
"""

from __future__ import annotations

import pytest
from browser_support import exception_texts, open_app, wait_for_idle

MAIN = '[data-testid="stMain"]'
# Generous: on a busy machine a page's first run (and plotly's first load) can take a while; the
# checks wait for what they look for.
EXPECT_TIMEOUT_MS = 60_000


@pytest.fixture
def shift_page(browser_page, app_server):
    page = browser_page("browser-shift", timeout_ms=EXPECT_TIMEOUT_MS)
    open_app(page, f"{app_server.url}/shift?lang=en&input=worked4x4",
             timeout_ms=EXPECT_TIMEOUT_MS * 2)
    return page


def test_the_shift_slider_moves_by_keyboard_and_the_change_follows(shift_page):
    from playwright.sync_api import expect

    main = shift_page.locator(MAIN)
    expect(main.get_by_text("max pooling — 50% of cells changed, mean |Δ| 0.75")).to_be_visible()
    assert not exception_texts(shift_page)
    slider = main.locator('[data-testid="stSlider"]').filter(
        has_text="Shift right").get_by_role("slider")
    assert slider.input_value() == "1"
    slider.focus()
    shift_page.keyboard.press("ArrowLeft")
    wait_for_idle(shift_page, timeout_ms=EXPECT_TIMEOUT_MS)
    expect(main.get_by_text("max pooling — 0% of cells changed, mean |Δ| 0")).to_be_visible()
    expect(main.get_by_text("Shifted by 0 cell(s) down and 0 right")).to_be_visible()
    assert slider.input_value() == "0"
    assert "shift_by=0&" in shift_page.url + "&"
    assert not exception_texts(shift_page)
