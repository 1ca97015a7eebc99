"""Every page on a phone, in a real browser: Chromium emulating a 390×844 touch screen.

For each page: the document does not scroll sideways, no text of ours is cut off
(headings, paragraphs, captions, the cross-check badge, the figures' labels and the animation's
step caption, which must also stay clear of the colour bar), and every "copy" button is visible
without hover (a touch screen has none). On the Explorer, tapping the Share box's copy button
puts the link it shows on the clipboard.

Why these checks: on a phone the badge read "matches PyTorch … forward 0,…" (Streamlit cuts a
badge's text with "…"), the step caption ran under the colour bar, and the Share box's copy
button, which its hint points at, only appeared under a mouse pointer.

Without a Chromium the test skips with the reason; under ``CI=true`` a missing browser fails.
"""

from __future__ import annotations

import pytest
from browser_support import open_app, wait_for_idle
from test_browser import assert_no_exception

from pooling_ui.page import OWN_PANELS, PAGES

PHONE = {"width": 390, "height": 844}
# A phone: a touch screen, no mouse (so no hover), the layout of a mobile browser.
PHONE_CONTEXT = {"viewport": PHONE, "is_mobile": True, "has_touch": True,
                 "device_scale_factor": 2}
EXPECT_TIMEOUT_MS = 30_000
FIRST_LOAD_MS = 120_000
SIDEBAR = '[data-testid="stSidebar"]'
MAIN = '[data-testid="stMain"]'
PAGE_NAMES = [name for name, _ in PAGES]

# Text elements of ours in the main area. Elements that scroll their content on purpose (code,
# tables, formulas) are left out: their text is reachable by scrolling, not cut off.
_TEXT_CHECK = """vw => {
    const main = document.querySelector('[data-testid="stMain"]');
    const scrolls = '[data-testid="stCode"], [data-testid="stDataFrame"], [data-testid="stTable"],'
        + ' .katex-display, [data-testid="stSidebar"]';
    const found = [];
    const texts = main.querySelectorAll('h1, h2, h3, h4, p, li, label,'
        + ' [data-testid="stCaptionContainer"], .stMarkdownBadge, [data-testid="stAlert"]');
    for (const el of texts) {
        const text = el.textContent.trim();
        const box = el.getBoundingClientRect();
        if (!text || box.width === 0 || box.height === 0 || el.closest(scrolls)) continue;
        const style = getComputedStyle(el);
        // An element that hides what overflows it (e.g. a badge's "…") cuts text when its
        // content is wider than its box; an inline element cannot hide overflow.
        const hides = style.display !== 'inline'
            && ['hidden', 'clip'].includes(style.overflowX);
        if ((hides && el.scrollWidth > el.clientWidth + 1) || box.left < -1 || box.right > vw + 1) {
            found.push({text: text.slice(0, 80), left: Math.round(box.left),
                        right: Math.round(box.right), scrollWidth: el.scrollWidth,
                        clientWidth: el.clientWidth});
        }
    }
    return found;
}"""

# Every annotation of every plotly figure (titles, labels, the step caption): inside its figure
# and the screen; none may overlap a colour bar's coloured strip or its tick labels.
_FIGURE_TEXT_CHECK = """vw => {
    const found = [];
    const overlap = (a, b) => a.left < b.right - 1 && b.left < a.right - 1
        && a.top < b.bottom - 1 && b.top < a.bottom - 1;
    for (const gd of document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')) {
        const fig = gd.getBoundingClientRect();
        const bars = [...gd.querySelectorAll('.colorbar .cbfill, .colorbar .cbaxis text')]
            .map(el => el.getBoundingClientRect());
        for (const note of gd.querySelectorAll('.annotation-text')) {
            const box = note.getBoundingClientRect();
            const text = note.textContent.trim();
            if (!text || box.width === 0) continue;
            const outside = box.left < fig.left - 1 || box.right > fig.right + 1
                || box.left < -1 || box.right > vw + 1;
            const onBar = bars.some(bar => overlap(box, bar));
            if (outside || onBar) {
                found.push({text, left: Math.round(box.left), right: Math.round(box.right),
                            figure: [Math.round(fig.left), Math.round(fig.right)], onBar});
            }
        }
    }
    return found;
}"""

# Whether each copy button can be seen: visible, and no ancestor fades it out. The buttons are
# code blocks' (Streamlit's, on the lesson pages) and the Share box's (ours, in the sidebar).
_COPY_BUTTONS = """root => [...document.querySelectorAll(root + ' [data-testid="stCode"], '
                                         + root + ' .pl-share')]
    .filter(code => code.getBoundingClientRect().width > 0)
    .map(code => {
        const button = code.querySelector(
            'button[data-testid="stBaseButton-elementToolbar"], button.pl-share-copy');
        if (!button) return {text: code.innerText.slice(0, 60), button: false};
        let opacity = 1;
        for (let el = button; el && el !== code; el = el.parentElement) {
            opacity *= parseFloat(getComputedStyle(el).opacity);
        }
        const box = button.getBoundingClientRect();
        return {text: code.innerText.slice(0, 60), button: true,
                visibility: getComputedStyle(button).visibility, opacity,
                size: [Math.round(box.width), Math.round(box.height)]};
    })"""


def page_url(server, name: str) -> str:
    """``/`` for the default page (the first of PAGES), ``/<name>`` for the others."""
    return server.url + ("/" if name == PAGE_NAMES[0] else f"/{name}")


def phone_page(browser_page, server, name: str):
    page = browser_page(f"browser-phone-{name}", timeout_ms=EXPECT_TIMEOUT_MS,
                        full_page=False, **PHONE_CONTEXT)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    return page


def assert_no_sideways_scroll(page) -> None:
    widths = page.evaluate("""() => [document.documentElement,
        document.querySelector('[data-testid="stMain"]')].map(el =>
        ({scroll: el.scrollWidth, client: el.clientWidth}))""")
    for what, width in zip(("the document", "the main area"), widths, strict=True):
        assert width["scroll"] <= width["client"], (
            f"{what} scrolls sideways on a 390-px phone: {width['scroll']} px of content in "
            f"{width['client']} px")


def assert_copy_buttons_visible(page, root: str) -> list[dict]:
    buttons = page.evaluate(_COPY_BUTTONS, root)
    hidden = [b for b in buttons
              if not b["button"] or b["visibility"] != "visible" or b["opacity"] < 0.99
              or min(b["size"]) == 0]
    assert not hidden, f"copy buttons that a touch screen cannot see (no hover): {hidden}"
    return buttons


def open_share_box(page) -> None:
    """Open the sidebar and the Share box as a phone user does: by tapping."""
    from pooling_ui.base.i18n import t

    page.locator('[data-testid="stExpandSidebarButton"]').tap()
    sidebar = page.locator(SIDEBAR)
    title = sidebar.get_by_text(t("links.share_title", "en"), exact=True)
    title.scroll_into_view_if_needed()
    title.tap()
    wait_for_idle(page)
    sidebar.locator(".pl-share").last.scroll_into_view_if_needed()


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_fits_a_phone(browser_page, app_server, name):
    page = phone_page(browser_page, app_server, name)
    # a phone emulation must really be one: no hover, a coarse pointer
    open_app(page, page_url(app_server, name), timeout_ms=FIRST_LOAD_MS)
    assert page.evaluate("() => matchMedia('(hover: none) and (pointer: coarse)').matches")
    assert_no_exception(page, f"/{name} on a phone")
    assert_no_sideways_scroll(page)
    viewport_width = page.evaluate("() => document.documentElement.clientWidth")
    cut = page.evaluate(_TEXT_CHECK, viewport_width)
    assert not cut, f"text cut off or off the screen at 390×844 on /{name}: {cut}"
    cut = page.evaluate(_FIGURE_TEXT_CHECK, viewport_width)
    assert not cut, f"figure text off its figure or over a colour bar on /{name}: {cut}"
    assert_copy_buttons_visible(page, MAIN)
    if name not in OWN_PANELS:
        open_share_box(page)
        shared = assert_copy_buttons_visible(page, SIDEBAR)
        assert len(shared) == 1, f"the Share box should show one link, found {shared}"


def test_share_box_copy_button_copies_the_link_on_a_phone(browser_page, app_server):
    page = phone_page(browser_page, app_server, "explorer-copy")
    open_app(page, f"{app_server.url}/?input=checkerboard&kind=avg&kernel=3&lang=en",
             timeout_ms=FIRST_LOAD_MS)
    open_share_box(page)
    box = page.locator(SIDEBAR).locator(".pl-share").last
    link = box.locator(".pl-share-link").inner_text()
    assert link.startswith(app_server.url) and "kind=avg" in link, link
    page.evaluate("() => navigator.clipboard.writeText('nothing copied yet')")
    box.get_by_role("button", name="Copy link").tap()
    page.wait_for_function("link => navigator.clipboard.readText().then(t => t === link)",
                           arg=link, timeout=EXPECT_TIMEOUT_MS)


# Outputs narrower than their step caption: a 1×1 average of the worked 4×4 ("y[0,0] = 3.438")
# and a 6×6 one of a 12×12 grid, whose cells a phone's width shrinks to about 12 px.
NARROW_OUTPUTS = ("/?input=worked4x4&kind=avg&kernel=4&stride=4&lang=en",
                  "/?input=random&input_size=12&kind=avg&kernel=3&stride=2&padding=1&lang=en")


@pytest.mark.parametrize("link", NARROW_OUTPUTS)
def test_step_caption_stays_clear_of_the_colour_bar_on_a_phone(browser_page, app_server, link):
    page = phone_page(browser_page, app_server, f"explorer-caption-{NARROW_OUTPUTS.index(link)}")
    open_app(page, app_server.url + link, timeout_ms=FIRST_LOAD_MS)
    plot = page.locator(MAIN).locator(".js-plotly-plot").first
    plot.scroll_into_view_if_needed()
    caption, bar, figure = plot.evaluate("""gd => {
        const rect = el => { const r = el.getBoundingClientRect();
                             return {left: r.left, right: r.right, text: el.textContent}; };
        return [rect([...gd.querySelectorAll('.annotation-text')]
                        .find(el => el.textContent.startsWith('y['))),
                rect(gd.querySelector('.colorbar .cbfill')), rect(gd)];
    }""")
    assert caption["text"].startswith("y[0,0] = "), caption
    assert caption["right"] <= bar["left"], (
        f"the step caption {caption['text']!r} ends at x={caption['right']:.0f}, under the "
        f"colour bar (from x={bar['left']:.0f})")
    assert figure["left"] <= caption["left"] and caption["right"] <= PHONE["width"], (
        caption, figure)
