"""The app in a real browser: Chromium, driven by Playwright, against ``streamlit run app.py``.

What AppTest cannot see is checked here: the page renders in a browser without an exception box,
widgets respond to a keyboard and a mouse, plotly's Play button animates the window in the
browser (without a server rerun per step), a file goes in through the dropzone, and a stroke on
the drawing canvas changes the feature map.

Expected values are worked by hand from the inputs (e.g. a 2×2 window with stride 2 halves a
grid); nothing is read back from our own code to be compared with itself. Each test leaves a
screenshot in ``test-artifacts/`` (ignored by git).

Without a Chromium these tests skip with the reason; under ``CI=true`` a missing browser fails.
"""

from __future__ import annotations

import re

import pytest
from browser_support import (
    EXCEPTION,
    exception_texts,
    open_app,
    phone_photo_jpeg,
    typed_cell_centre,
    wait_for_idle,
)

SIDEBAR = '[data-testid="stSidebar"]'
MAIN = '[data-testid="stMain"]'
SHAPE_LINE = re.compile(r"Shape: ([0-9×]+) → ([0-9×]+)")
# Long enough for a rerun that pools and draws on two busy cores; short enough to fail, not hang.
EXPECT_TIMEOUT_MS = 20_000


# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------


# chromium_path, chromium_browser, app_server and browser_page live in conftest.py: every
# browser test module shares one server and one Chromium.


@pytest.fixture
def app_page(browser_page, request):
    """A fresh browser context (a new Streamlit session) per test; a screenshot at the end."""
    return browser_page(f"browser-{request.node.name}", timeout_ms=EXPECT_TIMEOUT_MS)


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def assert_no_exception(page, where: str) -> None:
    texts = exception_texts(page)
    assert not texts, f"{where}: exception box on the page:\n" + "\n---\n".join(texts)


def shape_line(page) -> tuple[str, str]:
    """The pooled-output summary ``Shape: 1×4×4 → 1×2×2`` as ``("1×4×4", "1×2×2")``."""
    line = page.locator(MAIN).get_by_text(SHAPE_LINE).first
    line.wait_for()
    found = SHAPE_LINE.search(line.inner_text())
    assert found, f"no shape line in {line.inner_text()!r}"
    return found.group(1), found.group(2)


def wait_for_shape_line(page, before: str, after: str) -> None:
    """Wait until the summary reads ``Shape: before → after`` (reruns take a moment)."""
    from playwright.sync_api import expect

    expect(page.locator(MAIN).get_by_text(f"Shape: {before} → {after}")).to_be_visible()


def choose_source(page, label: str) -> None:
    """Pick Preset / Draw / Type / Upload in the sidebar's input panel."""
    page.locator(SIDEBAR).get_by_text(label, exact=True).click()
    wait_for_idle(page)


def animation_plot(page):
    """The plotly figure that has the Play button (the sliding-window animation)."""
    plot = page.locator(".js-plotly-plot").filter(has=page.locator(".updatemenu-button"))
    plot.first.wait_for()
    return plot.first


def shape_paths(plot) -> list[str]:
    """The SVG path of every plotly shape drawn in ``plot`` (the window, the output cell, …)."""
    return plot.evaluate(
        "gd => Array.from(gd.querySelectorAll('.shapelayer path'), p => p.getAttribute('d'))"
    )


RECT = re.compile(r"M([-\d.]+),([-\d.]+)H([-\d.]+)V([-\d.]+)H[-\d.]+Z")


def rectangles(paths: list[str]) -> list[tuple[float, float, float, float]]:
    """Every axis-aligned rectangle ``M x0,y0 H x1 V y1 H x0 Z`` in the paths, as
    ``(x0, y0, x1, y1)`` in screen pixels; other sub-paths (e.g. empty ones) are left out."""
    found = []
    for path in paths:
        for match in RECT.finditer(path or ""):
            x0, y0, x1, y1 = (float(value) for value in match.groups())
            if x1 != x0 and y1 != y0:
                found.append((x0, y0, x1, y1))
    return found


def _near(a, b, tolerance: float = 1.0) -> bool:
    return all(abs(p - q) <= tolerance for p, q in zip(a, b, strict=True))


def slider_step(plot) -> int:
    """The active step of the animation's step slider."""
    return int(plot.evaluate("gd => gd.layout.sliders[0].active"))


def draw_a_stroke(page) -> None:
    """A diagonal stroke on the drawing canvas, well below its toolbar band (top ~30 px) and
    inside the visible part."""
    canvas = page.locator("canvas.upper-canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    left, top = box["x"] + 40, box["y"] + 70
    page.mouse.move(left, top)
    page.mouse.down()
    for step in range(1, 16):
        page.mouse.move(left + 8 * step, top + 10 * step, steps=2)
    page.mouse.up()
    wait_for_idle(page)


def count_server_runs(page) -> None:
    """Start counting script runs (Streamlit sets the app's run-state to ``running``)."""
    page.evaluate(
        """() => {
            window.__poolingLabRuns = 0;
            const app = document.querySelector('[data-testid="stApp"]');
            new MutationObserver(() => {
                if (app.getAttribute('data-test-script-state') === 'running') {
                    window.__poolingLabRuns += 1;
                }
            }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
        }"""
    )


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------


def test_app_loads_with_the_worked_example(app_page, app_server):
    open_app(app_page, app_server.url)
    assert_no_exception(app_page, "first load")
    assert app_page.locator("h1").first.inner_text().startswith("Pooling Lab")
    # The default input is the 4×4 worked example; the default window is 2×2 with stride 2,
    # so the output is 2×2 (worked by hand: ⌊(4 − 2)/2⌋ + 1 = 2).
    assert shape_line(app_page) == ("1×4×4", "1×2×2")
    assert app_page.locator(".js-plotly-plot").count() >= 1
    # Readable from the back of a classroom: the 4×4's numbers are printed at 20 px or more.
    sizes = animation_plot(app_page).evaluate(
        "gd => Array.from(gd.querySelectorAll('g.heatmap-label text'),"
        " t => parseFloat(t.style.fontSize))")
    assert len(sizes) >= 16 + 4 and min(sizes) >= 20, sizes


def test_slider_moves_and_the_view_follows(app_page, app_server):
    open_app(app_page, app_server.url + "/?input=checkerboard")
    assert_no_exception(app_page, "checkerboard preset")
    slider = app_page.locator(SIDEBAR).locator('[data-testid="stSlider"]').filter(
        has_text="Grid size").get_by_role("slider")
    start = int(slider.input_value())
    before, after = shape_line(app_page)
    assert before == f"1×{start}×{start}"
    assert after == f"1×{start // 2}×{start // 2}"

    slider.focus()
    app_page.keyboard.press("ArrowRight")
    app_page.keyboard.press("ArrowRight")
    wait_for_idle(app_page)

    size = int(slider.input_value())
    assert size == start + 2, f"two ArrowRight presses moved the slider from {start} to {size}"
    wait_for_shape_line(app_page, f"1×{size}×{size}", f"1×{size // 2}×{size // 2}")
    assert_no_exception(app_page, "after moving the slider")


def test_play_moves_the_window_without_server_reruns(app_page, app_server):
    open_app(app_page, app_server.url)
    plot = animation_plot(app_page)
    plot.scroll_into_view_if_needed()
    assert slider_step(plot) == 0
    first = rectangles(shape_paths(plot))
    assert first, "the animation figure draws no rectangles (no window?)"
    count_server_runs(app_page)
    # The buttons have a row of their own, above the step slider and its "step N" label.
    buttons = [button.bounding_box() for button in plot.locator(".updatemenu-button").all()]
    slider = plot.locator(".slider-container").bounding_box()
    assert len(buttons) == 4
    assert all(box["y"] + box["height"] <= slider["y"] for box in buttons), (buttons, slider)

    plot.locator(".updatemenu-button").filter(has_text="Play").click()
    # The worked 4×4 with a 2×2 window and stride 2 has 4 output cells, so 4 steps (0…3) at
    # about half a second each; the step slider follows the animation to the last one.
    app_page.wait_for_function("gd => gd.layout.sliders[0].active === 3",
                               arg=plot.element_handle(), timeout=EXPECT_TIMEOUT_MS)
    last = rectangles(shape_paths(plot))
    # By hand: the last window is the first one moved right and down by its own size (the
    # stride equals the kernel), and likewise the output cell by one cell.
    moved_by_own_size = [
        (x0, y0) for x0, y0, x1, y1 in first
        if any(_near((x0 + (x1 - x0), y0 + (y1 - y0), 2 * x1 - x0, 2 * y1 - y0), rect)
               for rect in last)
    ]
    assert moved_by_own_size, f"no rectangle moved diagonally: first {first}, last {last}"
    runs = app_page.evaluate("() => window.__poolingLabRuns")
    assert runs == 0, f"Play made the server rerun the script {runs} times"
    assert_no_exception(app_page, "after Play")


def test_upload_through_the_dropzone_shows_a_pooled_photo(app_page, app_server):
    from playwright.sync_api import expect

    open_app(app_page, app_server.url)
    choose_source(app_page, "Upload")
    # An upright 640×480 photo stored on its side with EXIF orientation 6, as phones do: the
    # app must turn it upright (480 rows, 640 columns) and pool it to 240×320.
    photo = phone_photo_jpeg(640, 480, seed=3, exif_orientation=6)
    dropzone = app_page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    dropzone.set_input_files(files=[{"name": "phone.jpg", "mimeType": "image/jpeg",
                                     "buffer": photo}])
    wait_for_idle(app_page)
    wait_for_shape_line(app_page, "1×480×640", "1×240×320")
    # the photo and its pooled output, as pictures (not heatmaps of 300 000 cells)
    images = app_page.locator(MAIN).locator('[data-testid="stImage"] img')
    expect(images.nth(1)).to_be_visible()
    photo, pooled = images.nth(0).bounding_box(), images.nth(1).bounding_box()
    # side by side (or one under the other on a narrow window), never one over the other
    assert (photo["x"] + photo["width"] <= pooled["x"]
            or photo["y"] + photo["height"] <= pooled["y"]), (photo, pooled)
    # at one scale: the output has half the rows and columns, so it is drawn half as big
    assert abs(2 * pooled["width"] - photo["width"]) <= 2, (photo, pooled)
    assert abs(2 * pooled["height"] - photo["height"]) <= 2, (photo, pooled)
    assert app_page.locator(MAIN).locator(EXCEPTION).count() == 0
    assert_no_exception(app_page, "after the upload")


def test_a_stroke_on_the_canvas_changes_the_feature_map(app_page, app_server):
    from playwright.sync_api import expect

    open_app(app_page, app_server.url)
    choose_source(app_page, "Draw")
    sidebar = app_page.locator(SIDEBAR)
    expect(sidebar.get_by_text("The canvas is empty")).to_be_visible()
    ranges = app_page.locator(MAIN).get_by_text(re.compile(r"^Values: input "))
    assert ranges.first.inner_text().startswith("Values: input 0 … 0"), ranges.first.inner_text()

    draw_a_stroke(app_page)

    expect(sidebar.get_by_text("The canvas is empty")).to_have_count(0)
    # Ink is 0 where nothing is drawn and up to 255 under the stroke.
    expect(ranges.first).not_to_have_text(re.compile(r"^Values: input 0 … 0 "))
    assert_no_exception(app_page, "after drawing")


def test_typing_in_the_data_editor_changes_the_output(app_page, app_server):
    from playwright.sync_api import expect

    open_app(app_page, app_server.url)
    choose_source(app_page, "Type")
    assert shape_line(app_page) == ("1×4×4", "1×2×2")
    # The typed grid sits in the main area (the sidebar is too narrow for its columns).
    grid = app_page.locator(MAIN).locator('[data-testid="stDataFrame"]')
    box = grid.bounding_box()
    assert box["width"] < app_page.locator(MAIN).bounding_box()["width"]
    # Cell x[0,1] (rows and columns count from 0, as in the explanations): the worked
    # example's 3 there becomes 99.
    app_page.mouse.dblclick(*typed_cell_centre(box, 0, 1))
    editor = app_page.locator("textarea").last
    editor.wait_for()
    editor.fill("99")
    app_page.keyboard.press("Enter")
    wait_for_idle(app_page)
    # The worked example's values are 0…8, so a typed 99 is the new maximum of both ranges,
    # and it lands in the first 2×2 window: y[0,0] = max(1, 99, 5, 6) = 99.
    expect(app_page.locator(MAIN).get_by_text(re.compile(r"^Values: input 0 … 99 +→ +output"))
           ).to_be_visible()
    # exact: the live region announcing the step holds the same words after "Step 1 of 4: "
    expect(app_page.locator(MAIN).get_by_text("y[0,0] = max(1, 99, 5, 6) = 99", exact=True)
           ).to_be_visible()
    assert_no_exception(app_page, "after typing")


def test_a_shared_link_sets_the_parameters(app_page, app_server):
    from playwright.sync_api import expect

    open_app(app_page, app_server.url
             + "/?kind=avg&kernel=3x2&stride=2&padding=1&input=checkerboard&input_size=8")
    assert_no_exception(app_page, "shared link")
    sidebar = app_page.locator(SIDEBAR)
    expect(sidebar.locator('[data-testid="stAlert"]')).to_have_count(0)
    # 8×8 input, window 3×2, stride 2, padding 1 (PyTorch's rule, by hand):
    # rows ⌊(8 + 2 − 3)/2⌋ + 1 = 4, columns ⌊(8 + 2 − 2)/2⌋ + 1 = 5.
    wait_for_shape_line(app_page, "1×8×8", "1×4×5")


@pytest.mark.parametrize("title", ["Explorer", "Gradients", "Compare"])
def test_every_page_renders(app_page, app_server, title):
    open_app(app_page, app_server.url)
    app_page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).click()
    wait_for_idle(app_page, settle_ms=500)
    app_page.locator("h1").filter(has_text=title).wait_for()
    assert app_page.locator(EXCEPTION).count() == 0, exception_texts(app_page)
    assert app_page.locator(".js-plotly-plot").count() >= 1, f"{title}: no figure on the app_page"


def go_to_page(page, title: str) -> None:
    """Follow the sidebar's navigation link ``title`` and wait for its page."""
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).click()
    wait_for_idle(page, settle_ms=500)


def test_the_panels_keep_a_drawing_and_an_upload_across_pages(app_page, app_server):
    """The measurement behind drawing the panels in the entry point: after a change of page the
    canvas is the same element (not mounted again, its strokes still on it) and the uploader
    still holds its file, with nothing copied between pages."""
    from playwright.sync_api import expect

    open_app(app_page, app_server.url)
    choose_source(app_page, "Draw")
    draw_a_stroke(app_page)
    ranges = app_page.locator(MAIN).get_by_text(re.compile(r"^Values: input "))
    drawn = ranges.first.inner_text()
    assert not drawn.startswith("Values: input 0 … 0 "), drawn
    app_page.evaluate("() => { window.__poolingLabCanvas ="
                      " document.querySelector('canvas.upper-canvas'); }")
    go_to_page(app_page, "Gradients")
    app_page.locator("h1").filter(has_text="Gradients").wait_for()
    go_to_page(app_page, "Explorer")
    app_page.locator("h1").filter(has_text="Explorer").wait_for()
    assert app_page.evaluate("() => document.querySelector('canvas.upper-canvas')"
                             " === window.__poolingLabCanvas"), "the canvas was mounted again"
    expect(ranges.first).to_have_text(drawn)

    choose_source(app_page, "Upload")
    dropzone = app_page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    dropzone.set_input_files(files=[{"name": "kept.jpg", "mimeType": "image/jpeg",
                                     "buffer": phone_photo_jpeg(160, 120, seed=5)}])
    wait_for_idle(app_page)
    wait_for_shape_line(app_page, "1×120×160", "1×60×80")
    go_to_page(app_page, "Compare")
    app_page.locator("h1").filter(has_text="Compare").wait_for()
    expect(app_page.locator(SIDEBAR).get_by_text("kept.jpg")).to_be_visible()
    expect(app_page.locator(MAIN).get_by_text(re.compile(r"\(120×160\)"))).not_to_have_count(0)
    assert_no_exception(app_page, "after two changes of page")


def test_a_chinese_link_opens_in_chinese_and_the_switch_keeps_the_view(app_page, app_server):
    from playwright.sync_api import expect

    open_app(app_page, app_server.url
             + "/?lang=zh&kind=avg&kernel=3x2&stride=2&padding=1&input=checkerboard&input_size=8")
    assert_no_exception(app_page, "Chinese link")
    expect(app_page.locator("h1").first).to_have_text("池化实验室 — 探索")
    # the same numbers as in English: ⌊(8 + 2 − 3)/2⌋ + 1 = 4 rows, ⌊(8 + 2 − 2)/2⌋ + 1 = 5
    expect(app_page.locator(MAIN).get_by_text("形状：1×8×8 → 1×4×5")).to_be_visible()
    nav = app_page.locator('[data-testid="stSidebarNav"] a')
    # each link is its Material icon (a ligature: the icon's name as text) and its title
    titles = [link.inner_text().split("\n")[-1].strip() for link in nav.all()]
    assert titles == ["探索", "梯度", "对比", "形状与代码", "卷积 → ReLU → 池化", "平移不变性",
                      "一维池化", "测验", "课堂直播"], titles
    sections = app_page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert all(heading in sections for heading in ("工具", "课程", "课堂")), sections
    # a choice made on the Chinese page, by its Chinese label, survives the switch too
    kinds = app_page.locator(SIDEBAR).locator('[data-testid="stSelectbox"]').filter(
        has_text="池化种类")
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    median = app_page.get_by_role("option", name="中值池化 (median)")
    # A rerun that lands just after the click (the link being written back) closes the list:
    # open it again once the app is quiet.
    for _ in range(3):
        wait_for_idle(app_page)
        kinds.click()
        try:
            median.wait_for(state="visible", timeout=5_000)
            break
        except PlaywrightTimeout:
            app_page.keyboard.press("Escape")
    median.click()
    wait_for_idle(app_page)
    app_page.locator(SIDEBAR).get_by_role("radio", name="English").click()
    wait_for_idle(app_page)
    expect(app_page.locator("h1").first).to_have_text("Pooling Lab — Explorer")
    wait_for_shape_line(app_page, "1×8×8", "1×4×5")
    assert "lang=en" in app_page.url and "kind=median" in app_page.url, app_page.url
    expect(app_page.locator(MAIN).get_by_text(re.compile(r"^y\[0,0\] = median\("))).to_be_visible()
    assert_no_exception(app_page, "after switching to English")
