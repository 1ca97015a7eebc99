"""The shift page in a real browser: a keyboard moves the shift slider and the outputs follow.

Expected values are worked by hand: the worked 4×4 grid shifted right by one cell (circularly)
has 2×2 maxima ``[[5,6],[7,8]]`` against ``[[6,4],[7,8]]`` unshifted — 2 of 4 cells change, by
1 and 2, mean 0.75 — and with no shift nothing changes. Skips without a Chromium (fails under
``CI=true``), as tests/test_browser.py does; leaves a screenshot in ``test-artifacts/``.
"""

from __future__ import annotations

import os

import pytest
from browser_support import (
    VIEWPORT,
    StreamlitServer,
    chromium,
    exception_texts,
    find_chromium,
    missing_browser_reason,
    open_app,
    playwright_missing_reason,
    screenshot,
    wait_for_idle,
)

MAIN = '[data-testid="stMain"]'
# Generous: on a busy machine a page's first run (and plotly's first load) can take a while; the
# checks wait for what they look for.
EXPECT_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def chromium_path() -> str:
    reason = playwright_missing_reason()
    path = None if reason else find_chromium()
    if path is None:
        reason = reason or missing_browser_reason()
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true, so a browser is required, but {reason}", pytrace=False)
        pytest.skip(f"browser tests skipped: {reason}")
    return path


@pytest.fixture(scope="module")
def shift_page(chromium_path):
    with StreamlitServer("app.py", log_name="streamlit-shift.log") as server, \
            chromium(chromium_path) as browser:
        context = browser.new_context(viewport=VIEWPORT)
        context.set_default_timeout(EXPECT_TIMEOUT_MS)
        page = context.new_page()
        open_app(page, f"{server.url}/shift?lang=en&input=worked4x4",
                 timeout_ms=EXPECT_TIMEOUT_MS * 2)
        try:
            yield page
        finally:
            screenshot(page, "browser-shift")
            context.close()


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
