"""The "Shapes & code" page in a real browser (Chromium through Playwright, ``streamlit run``).

It loads the page at a link (k = 3, s = 2, padding 1 on the 4×4 worked example: d2l's
``nn.MaxPool2d(3, padding=1, stride=2)``), clicks the PyTorch style radio and checks that the
program on the page turns from the layer form into the functional form, with no exception box.
Skips without a Chromium (fails under ``CI=true``), as tests/test_browser.py does.
"""

from __future__ import annotations

from browser_support import exception_texts

MAIN = '[data-testid="stMain"]'
# Generous: on a busy machine the first run of a page (and KaTeX's and plotly's first load) can
# take a while; the checks wait for what they look for, not for the whole page to settle.
EXPECT_TIMEOUT_MS = 60_000


def test_the_style_radio_rewrites_the_pytorch_program(browser_page, app_server):
    from playwright.sync_api import expect

    page = browser_page("browser-shapes", timeout_ms=EXPECT_TIMEOUT_MS, full_page=False)
    page.goto(app_server.url + "/shapes?lang=en&kernel=3&stride=2&padding=1",
              wait_until="domcontentloaded", timeout=EXPECT_TIMEOUT_MS)
    main = page.locator(MAIN)
    expect(main.get_by_text("Where each framework puts the windows")).to_be_visible(
        timeout=EXPECT_TIMEOUT_MS)
    code = main.locator('[data-testid="stCode"]')
    expect(code.filter(has_text="nn.MaxPool2d(kernel_size=3, stride=2, padding=1)")
           ).to_have_count(1, timeout=EXPECT_TIMEOUT_MS)
    assert not exception_texts(page)
    main.get_by_text("functional (F)", exact=True).click()
    expect(code.filter(has_text="F.max_pool2d(x, kernel_size=3, stride=2, padding=1)")
           ).to_have_count(1, timeout=EXPECT_TIMEOUT_MS)
    expect(code.filter(has_text="nn.MaxPool2d(")).to_have_count(0, timeout=EXPECT_TIMEOUT_MS)
    page.wait_for_url("**shapes_torch=functional**", timeout=EXPECT_TIMEOUT_MS)
    assert not exception_texts(page), exception_texts(page)
