"""The Share box's link and copy button in a real browser (Chromium, driven by Playwright).

The box is our own HTML (``pooling_ui.panels.share.share_html``), not an ``st.code`` block, so
what Streamlit's code block gave for free is checked here: the button is reached with the Tab
key and named in the page's language, a press puts the link the box shows on the clipboard and
says "Copied" in a live region, the same works where ``navigator.clipboard`` does not exist (a
class opening the app over plain http at a LAN address, which is not a secure context), a new
link after a change of parameter is the one copied, and the box's text and button have at least
WCAG AA's 4.5:1 against what is behind them, as the browser paints them, in the light and the
dark theme and in projector mode. The Explorer no longer loads Streamlit's syntax highlighter.

Without a Chromium the test skips with the reason; under ``CI=true`` a missing browser fails.
"""

from __future__ import annotations

import pytest
from browser_support import open_app, wait_for_idle
from test_browser import assert_no_exception
from test_browser_a11y_shell import AA_TEXT, painted_contrast

from pooling_ui.panels import share

SIDEBAR = '[data-testid="stSidebar"]'
EXPECT_TIMEOUT_MS = 30_000
FIRST_LOAD_MS = 120_000
BOX = f"{SIDEBAR} .{share.BOX_CLASS}"
WORDS = {"en": ("Share this view", "Copy link", "Copied"),
         "zh": ("分享此视图", "复制链接", "已复制")}

# What the browser paints for an element's own text: its colour, the product of its own and its
# ancestors' opacities, and the background colours behind it, innermost first (the form
# tests/test_browser_a11y_shell.py's painted_contrast reads).
_PAINT = """element => {
    let opacity = 1;
    const backgrounds = [];
    for (let e = element; e; e = e.parentElement) {
        const style = getComputedStyle(e);
        opacity *= parseFloat(style.opacity);
        backgrounds.push(style.backgroundColor);
    }
    return {text: element.textContent.trim().slice(0, 40), color: getComputedStyle(element).color,
            opacity, backgrounds};
}"""


def new_page(browser_page, server, name: str, **options):
    page = browser_page(f"browser-share-{name}", timeout_ms=EXPECT_TIMEOUT_MS, **options)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    return page


def open_box(page, lang: str):
    """Open "Share this view" (opening the sidebar first where it starts collapsed)."""
    sidebar = page.locator(SIDEBAR)
    if not sidebar.get_by_text(WORDS[lang][0], exact=True).is_visible():
        page.locator('[data-testid="stExpandSidebarButton"]').click()
    sidebar.get_by_text(WORDS[lang][0], exact=True).click()
    wait_for_idle(page)
    box = page.locator(BOX)
    box.scroll_into_view_if_needed()
    return box


def press_and_read(page, button, *, by_keyboard: bool = False) -> str:
    """Press the copy button (a click, or Enter on the focused button); the clipboard after."""
    page.evaluate("() => navigator.clipboard.writeText('nothing copied yet')")
    if by_keyboard:
        button.press("Enter")
    else:
        button.click()
    page.wait_for_function("() => navigator.clipboard.readText().then(t => t !== "
                           "'nothing copied yet')", timeout=EXPECT_TIMEOUT_MS)
    return page.evaluate("() => navigator.clipboard.readText()")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_button_is_reached_by_tab_named_and_copies_the_link(browser_page, app_server, lang):
    from playwright.sync_api import expect

    page = new_page(browser_page, app_server, f"keyboard-{lang}")
    open_app(page, f"{app_server.url}/?input=checkerboard&kind=avg&kernel=3&lang={lang}",
             timeout_ms=FIRST_LOAD_MS)
    box = open_box(page, lang)
    _, name, copied = WORDS[lang]
    link = box.locator(f".{share.LINK_CLASS}").inner_text()
    assert link.startswith(app_server.url) and "kind=avg" in link, link
    # the link is selectable text: a triple click selects all of it
    box.locator(f".{share.LINK_CLASS}").click(click_count=3)
    assert page.evaluate("() => getSelection().toString()").strip() == link
    button = box.get_by_role("button", name=name)
    expect(button).to_be_visible()
    # Tab from the expander's summary reaches the button (no scrolling region: a short link)
    page.locator(SIDEBAR).get_by_text(WORDS[lang][0], exact=True).focus()
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => document.activeElement.matches('.{share.BUTTON_CLASS}')"):
            break
    assert page.evaluate(f"() => document.activeElement.matches('.{share.BUTTON_CLASS}')")
    assert page.evaluate("() => document.activeElement.matches(':focus-visible')")
    status = box.get_by_role("status")
    expect(status).to_have_text("")
    assert press_and_read(page, button, by_keyboard=True) == link
    expect(status).to_have_text(copied)
    assert status.get_attribute("aria-live") == "polite"
    expect(status).to_have_text("", timeout=share.COPIED_MS + 5_000)  # and it clears
    assert_no_exception(page, f"share box ({lang})")


def test_without_navigator_clipboard_the_fallback_copies_the_new_link(browser_page, app_server):
    from playwright.sync_api import expect

    page = new_page(browser_page, app_server, "fallback")
    # As on http://192.168.x.y: navigator.clipboard is undefined outside a secure context.
    page.add_init_script("Object.defineProperty(Navigator.prototype, 'clipboard',"
                         " {get: () => undefined, configurable: true});")
    reader = page.context.new_page()  # reads the clipboard, with navigator.clipboard intact
    reader.goto(app_server.url + "/_stcore/health")
    open_app(page, f"{app_server.url}/?kind=max&lang=en", timeout_ms=FIRST_LOAD_MS)
    assert page.evaluate("() => navigator.clipboard === undefined")
    box = open_box(page, "en")
    before = box.locator(f".{share.LINK_CLASS}").inner_text()
    for step in ("first", "after a change"):
        if step != "first":  # a new run draws the box anew with a new link; its button copies it
            kernel = page.locator(".st-key-p_kernel_h input")
            kernel.fill("3")
            kernel.press("Enter")
            wait_for_idle(page)
            expect(box.locator(f".{share.LINK_CLASS}")).not_to_have_text(before)
        link = box.locator(f".{share.LINK_CLASS}").inner_text()
        assert link.startswith(app_server.url) and "kind=max" in link, link
        reader.evaluate("() => navigator.clipboard.writeText('nothing copied yet')")
        box.get_by_role("button", name="Copy link").click()
        expect(box.get_by_role("status")).to_have_text("Copied")
        assert reader.evaluate("() => navigator.clipboard.readText()") == link, step
        # the textarea the fallback selected is gone, and the focus is back on the button
        assert page.evaluate("() => document.querySelectorAll('body > textarea').length") == 0
        assert page.evaluate(f"() => document.activeElement.matches('.{share.BUTTON_CLASS}')")
    assert "kernel=2" in before and "kernel=2" not in link, (before, link)
    assert_no_exception(page, "fallback copy")


@pytest.mark.parametrize(("scheme", "query"), [("light", "lang=en"), ("dark", "lang=zh"),
                                               ("light", "lang=en&projector=1"),
                                               ("dark", "lang=en&projector=1")])
def test_the_box_is_readable_in_both_themes_and_projector_mode(browser_page, app_server,
                                                               scheme, query):
    page = new_page(browser_page, app_server, f"contrast-{scheme}-{query[-1]}",
                    color_scheme=scheme)
    open_app(page, f"{app_server.url}/?{query}", timeout_ms=FIRST_LOAD_MS)
    lang = "zh" if "zh" in query else "en"
    box = open_box(page, lang)
    sidebar_bg = page.locator(SIDEBAR).evaluate("e => getComputedStyle(e).backgroundColor")
    dark = sum(int(v) for v in sidebar_bg[4:-1].split(",")[:3]) < 3 * 128
    assert dark is (scheme == "dark"), sidebar_bg  # the theme did follow the scheme
    for part in (f".{share.LINK_CLASS}", f".{share.BUTTON_CLASS}"):
        painted = box.locator(part).evaluate(_PAINT)
        ratio = painted_contrast(painted)
        assert ratio >= AA_TEXT, f"{ratio:.2f}:1 for {part} in {scheme} ({query}): {painted}"
    # the button's border, which shows where to press, has at least 3:1 (WCAG 1.4.11)
    border = box.locator(f".{share.BUTTON_CLASS}").evaluate(
        "e => getComputedStyle(e).borderTopColor")
    painted = {**box.locator(f".{share.BUTTON_CLASS}").evaluate(_PAINT), "color": border}
    assert painted_contrast(painted) >= 3.0, painted


def test_the_explorer_loads_no_syntax_highlighter(browser_page, app_server):
    page = new_page(browser_page, app_server, "no-highlighter")
    scripts: list[str] = []
    page.on("request", lambda request: scripts.append(request.url)
            if request.resource_type == "script" else None)
    open_app(page, f"{app_server.url}/?lang=en", timeout_ms=FIRST_LOAD_MS)
    open_box(page, "en")
    assert any("/static/js/Html." in url for url in scripts), scripts  # the box's own code
    assert not [url for url in scripts if "SyntaxHighlighter" in url]
    # a page with code blocks still loads it: the check can see the chunk when it comes
    page.locator('[data-testid="stSidebarNav"] a[href$="/shapes"]').first.click()
    page.wait_for_function("() => document.querySelector('[data-testid=\"stCode\"]')",
                           timeout=FIRST_LOAD_MS)
    assert [url for url in scripts if "SyntaxHighlighter" in url]
