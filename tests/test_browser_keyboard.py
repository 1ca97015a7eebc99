"""The app with a keyboard only (WCAG 2.1 2.1.1), in a real browser.

Every control is reached by pressing Tab (never clicked, never focused by the test), operated with
Enter or Space, and shows where the focus is (a computed outline or box shadow on the focused
control). Expected values are worked by hand: the worked 4×4 example [[1,3,2,4],[5,6,1,2],
[7,2,8,1],[3,4,0,6]] under 2×2 max pooling with stride 2 steps through y[0,0] = 6, y[0,1] = 4,
y[1,0] = 7, y[1,1] = 8; a 4×2 window with stride (4, 2) on a 4×4 grid leaves 1×2 outputs.

Without a Chromium the tests skip with the reason; under ``CI=true`` a missing browser fails.
"""

from __future__ import annotations

from browser_support import exception_texts, open_app, wait_for_idle
from test_browser_quiz import _shape_by_pytorch

from pooling_core.lessons import quiz as pq

MAIN = '[data-testid="stMain"]'
STATUS = '[role="status"][aria-live="polite"]'
EXPECT_TIMEOUT_MS = 20_000
FIRST_LOAD_MS = 90_000
TAB_LIMIT = 250
WORKED = "input=worked4x4&kind=max&kernel=2&stride=2&padding=0&lang=en"

_FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) { return null; }
    const style = getComputedStyle(el);
    // a number box shows its focus on its frame (the box around the input and its buttons)
    const frame = el.closest('[data-testid="stNumberInputContainer"]');
    const label = el.getAttribute('aria-label') || '';
    return {text: (el.innerText || '').trim(), label: label, tag: el.tagName,
            outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
            shadow: style.boxShadow !== 'none' && style.boxShadow !== '',
            frame: frame ? getComputedStyle(frame).borderColor : null};
}"""
_FRAME_OF = """label => getComputedStyle(document.querySelector(`input[aria-label="${label}"]`)
    .closest('[data-testid="stNumberInputContainer"]')).borderColor"""


def focused(page) -> dict | None:
    """What has the focus: its text, aria-label, tag, and whether an outline or a box shadow
    shows it."""
    return page.evaluate(_FOCUSED)


def tab_to(page, wanted, *, backwards: bool = False) -> dict:
    """Press Tab (Shift+Tab) until ``wanted(focused)`` holds; fail after :data:`TAB_LIMIT`."""
    key = "Shift+Tab" if backwards else "Tab"
    seen = []
    for _ in range(TAB_LIMIT):
        page.keyboard.press(key)
        now = focused(page)
        if now is not None and wanted(now):
            return now
        seen.append(now and (now["text"] or now["label"] or now["tag"]))
    raise AssertionError(f"{TAB_LIMIT} presses of {key} never reached it; passed {seen[-30:]}")


def button(name: str):
    return lambda now: now["tag"] == "BUTTON" and now["text"].endswith(name)


def assert_focus_visible(now: dict) -> None:
    assert now["outline"] or now["shadow"], f"no visible focus on {now}"


def status_text(page) -> str:
    return page.locator(MAIN).locator(STATUS).first.text_content() or ""


def wait_for_status(page, text: str, timeout_ms: int = EXPECT_TIMEOUT_MS) -> None:
    page.wait_for_function(
        """([selector, text]) => [...document.querySelectorAll(selector)]
               .some(el => (el.textContent || '').includes(text))""",
        arg=[f"{MAIN} {STATUS}", text], timeout=timeout_ms, polling=100)


def step_box(page):
    return page.locator(MAIN).get_by_role("combobox", name="Step to explain")


def figure_caption(page) -> str:
    """The animation figure's caption under the output (``y[r,c] = v``), as drawn."""
    texts = page.locator(f"{MAIN} .annotation-text").all_text_contents()
    return next((text for text in texts if text.startswith("y[")), "")


def test_the_animation_steps_and_plays_with_the_keyboard(browser_page, app_server):
    from playwright.sync_api import expect

    page = browser_page("browser-keyboard-animation", timeout_ms=EXPECT_TIMEOUT_MS)
    open_app(page, f"{app_server.url}/?{WORKED}", timeout_ms=FIRST_LOAD_MS)
    assert status_text(page).startswith("Step 1 of 4: y[0,0]")

    now = tab_to(page, button("Next step"))
    assert_focus_visible(now)
    page.keyboard.press("Enter")
    wait_for_idle(page)
    wait_for_status(page, "Step 2 of 4: y[0,1] = max(2, 4, 1, 2) = 4")
    expect(step_box(page)).to_have_value("step 2: y[0,1]")
    assert figure_caption(page) == "y[0,1] = 4"
    # the focus stays on the button, so Space presses it again
    assert button("Next step")(focused(page)), focused(page)
    page.keyboard.press("Space")
    wait_for_idle(page)
    wait_for_status(page, "Step 3 of 4: y[1,0] = max(7, 2, 3, 4) = 7")
    assert figure_caption(page) == "y[1,0] = 7"

    # Play (between Previous and Next): one step later the last one, then it stops by itself
    now = tab_to(page, button("Play step by step"), backwards=True)
    assert_focus_visible(now)
    page.keyboard.press("Enter")
    wait_for_status(page, "Step 4 of 4: y[1,1] = max(8, 1, 0, 6) = 8")
    expect(page.locator(MAIN).get_by_role("button", name="Play step by step")).to_be_visible()
    wait_for_idle(page)
    assert figure_caption(page) == "y[1,1] = 8"
    expect(step_box(page)).to_have_value("step 4: y[1,1]")

    # at the end Play starts again from step 1; Pause (the same button) stops it there
    now = tab_to(page, button("Play step by step"), backwards=True)
    page.keyboard.press("Enter")
    wait_for_status(page, "Step 1 of 4")
    now = focused(page)
    assert button("Pause")(now), now  # the same button, still focused, now says Pause
    assert_focus_visible(now)
    page.keyboard.press("Enter")
    expect(page.locator(MAIN).get_by_role("button", name="Play step by step")).to_be_visible()
    wait_for_idle(page)
    paused_at = status_text(page)
    page.wait_for_timeout(3_500)  # more than two ticks: a paused animation stays put
    assert status_text(page) == paused_at
    assert not exception_texts(page), exception_texts(page)


def test_kernel_and_language_change_with_the_keyboard(browser_page, app_server):
    from playwright.sync_api import expect

    page = browser_page("browser-keyboard-sidebar", timeout_ms=EXPECT_TIMEOUT_MS)
    open_app(page, f"{app_server.url}/?input=worked4x4&kind=max&lang=en",
             timeout_ms=FIRST_LOAD_MS)
    expect(page.locator(MAIN).get_by_text("Shape: 1×4×4 → 1×2×2")).to_be_visible()
    now = tab_to(page, lambda now: now["tag"] == "INPUT" and now["label"] == "Kernel h")
    # Streamlit shows a number box's focus by the colour of its frame (after a short
    # transition): it must differ from the frame's colour without the focus
    page.wait_for_timeout(400)
    with_focus = page.evaluate(_FRAME_OF, "Kernel h")
    page.keyboard.press("Tab")
    page.wait_for_timeout(400)
    assert page.evaluate(_FRAME_OF, "Kernel h") != with_focus, now
    page.keyboard.press("Shift+Tab")
    assert focused(page)["label"] == "Kernel h"
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("4")
    page.keyboard.press("Enter")
    wait_for_idle(page)
    # kernel 4×2, stride = kernel: (4−4)/4+1 = 1 row, (4−2)/2+1 = 2 columns
    expect(page.locator(MAIN).get_by_text("Shape: 1×4×4 → 1×1×2")).to_be_visible()

    # the language switch is one stop of the Tab order (its chosen option); arrows move in it
    now = tab_to(page, button("English"), backwards=True)
    assert_focus_visible(now)
    page.keyboard.press("ArrowRight")
    now = focused(page)
    assert button("中文")(now), now
    assert_focus_visible(now)
    page.keyboard.press("Space")
    wait_for_idle(page)
    expect(page.locator(MAIN).get_by_text("滑动窗口", exact=True)).to_be_visible()
    assert "lang=zh" in page.url
    assert not exception_texts(page), exception_texts(page)


def test_a_quiz_question_is_answered_with_the_keyboard(browser_page, app_server):
    from playwright.sync_api import expect

    page = browser_page("browser-keyboard-quiz", timeout_ms=EXPECT_TIMEOUT_MS)
    seed = 31
    q = next(q for q in pq.make_quiz(seed) if q.ask == "shape")
    height, width = _shape_by_pytorch(q)
    open_app(page, f"{app_server.url}/quiz?quiz_seed={seed}&quiz_q={q.number}&lang=en",
             timeout_ms=FIRST_LOAD_MS)
    # the table of the input opens with the keyboard too
    now = tab_to(page, lambda now: now["tag"] == "SUMMARY"
                 and now["text"].endswith("Show numbers as a table"))
    assert_focus_visible(now)
    page.keyboard.press("Enter")
    wait_for_idle(page)
    expect(page.locator(MAIN).locator("table").first).to_be_visible()

    tab_to(page, lambda now: now["tag"] == "INPUT" and now["label"] == "Output height")
    page.keyboard.type(str(height))
    tab_to(page, lambda now: now["tag"] == "INPUT" and now["label"] == "Output width")
    page.keyboard.type(str(width))
    now = tab_to(page, button("Check"))
    assert_focus_visible(now)
    page.keyboard.press("Enter")
    wait_for_idle(page)
    expect(page.locator(MAIN).get_by_text("Right! Every part of the answer is correct.")
           ).to_be_visible()
    assert not exception_texts(page), exception_texts(page)
