"""The 1-D pooling page in a real browser (Chromium through Playwright, ``streamlit run``).

It opens the page at a link (the "steps" preset of 240 values, windows of 4: 60 outputs), types 5
into the sidebar's kernel box and checks that the page now pools by 5 (⌊(240 − 5)/5⌋ + 1
= 48 outputs, worked by hand) and writes it into the link, then picks the sentence and sees its
vector of four maxima (one per filter), with no exception box. Skips without a Chromium (fails
under ``CI=true``), as tests/test_browser.py does.
"""

from __future__ import annotations

from browser_support import exception_texts

MAIN = '[data-testid="stMain"]'
SIDEBAR = '[data-testid="stSidebar"]'
# Generous: on a busy machine the first run of a page (and plotly's first load) takes a while;
# the checks wait for what they look for, not for the whole page to settle.
EXPECT_TIMEOUT_MS = 90_000


def test_a_typed_kernel_repools_the_series_and_the_sentence_shows_its_maxima(browser_page,
                                                                              app_server):
    from playwright.sync_api import expect

    wait = {"timeout": EXPECT_TIMEOUT_MS}
    page = browser_page("browser-pool1d", timeout_ms=EXPECT_TIMEOUT_MS, full_page=False)
    page.goto(app_server.url + "/pool1d?lang=en&sig_preset=steps&sig_kernel=4",
              wait_until="domcontentloaded", timeout=EXPECT_TIMEOUT_MS)
    main, sidebar = page.locator(MAIN), page.locator(SIDEBAR)
    expect(main.get_by_text("240 values → 60 pooled values")).to_be_visible(**wait)
    expect(main.locator(".js-plotly-plot")).to_have_count(2, **wait)
    assert not exception_texts(page)

    kernel = sidebar.locator('[data-testid="stNumberInput"]').filter(has_text="kernel_size")
    field = kernel.locator("input")
    field.fill("5")
    field.press("Enter")
    expect(main.get_by_text("240 values → 48 pooled values")).to_be_visible(**wait)
    page.wait_for_url("**sig_kernel=5**", **wait)
    assert not exception_texts(page), exception_texts(page)

    sidebar.get_by_text("Sentence", exact=True).click()
    expect(main.get_by_text("The sentence vector a classifier would get: 4 numbers")
           ).to_be_visible(**wait)
    page.wait_for_url("**sig_source=sentence**", **wait)
    assert not exception_texts(page), exception_texts(page)
