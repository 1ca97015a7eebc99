"""Compare on a real photo in a real browser: scikit-image's ``astronaut.png`` (shipped inside its
wheel, not drawn by us), average 3×3 stride 2 padding 1 against max, at 1400×900.

What is measured is what a teacher sees: the outputs' width on screen, the swipe's divider found
in the pixels of the picture before and after the keyboard moves it, the spread of the pixels of
each kind's zoomed gradient mask as drawn, and the region every kind's zoom says it shows. Skips
without a Chromium or scikit-image; leaves a screenshot in ``test-artifacts/``.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from browser_support import exception_texts, open_app, wait_for_idle
from photo_support import photo_bytes

MAIN = '[data-testid="stMain"]'
SIDEBAR = '[data-testid="stSidebar"]'
EXPECT_TIMEOUT_MS = 90_000
LINK = "/compare?lang=en&kind=avg&kernel=3&stride=2&padding=1"
REGION = re.compile(r"rows (\d+)–(\d+), columns (\d+)–(\d+)")


def _pixels(locator) -> np.ndarray:
    """The element's pixels as drawn on screen, RGB float."""
    from PIL import Image

    with Image.open(io.BytesIO(locator.screenshot())) as shot:
        return np.asarray(shot.convert("RGB"), dtype=np.float64)


def _image(main, caption: str | re.Pattern):
    """The picture (``img``) whose caption contains ``caption``."""
    return main.locator('[data-testid="stImage"]').filter(has_text=caption).locator("img")


def _divider_x(pixels: np.ndarray) -> float:
    """Where the swipe's white divider is: the middle of the columns that are white from top to
    bottom (a photo has no such column of its own)."""
    white = np.nonzero(pixels.min(axis=(0, 2)) >= 250)[0]
    assert white.size, "no white divider in the swipe picture"
    return float(white.mean())


@pytest.fixture
def compare_photo(browser_page, app_server):
    page = browser_page("browser-compare-photo", timeout_ms=EXPECT_TIMEOUT_MS)
    photo = photo_bytes("astronaut")
    open_app(page, app_server.url + LINK, timeout_ms=EXPECT_TIMEOUT_MS * 2)
    sidebar = page.locator(SIDEBAR)
    sidebar.get_by_text("Upload", exact=True).click()
    wait_for_idle(page, timeout_ms=EXPECT_TIMEOUT_MS)
    sidebar.get_by_text("Colour (pool R, G and B separately)", exact=True).click()
    wait_for_idle(page, timeout_ms=EXPECT_TIMEOUT_MS)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "astronaut.png", "mimeType": "image/png", "buffer": photo}])
    wait_for_idle(page, timeout_ms=EXPECT_TIMEOUT_MS)
    page.locator(MAIN).get_by_text("Outputs, side by side", exact=True).wait_for()
    return page


def test_compare_shows_a_photo_large_with_a_swipe_a_shared_zoom_and_visible_masks(compare_photo):
    page = compare_photo
    main = page.locator(MAIN)
    assert not exception_texts(page)

    # 1. the two outputs (512 / 2 = 256 cells a side), side by side and each ≥ 380 px wide
    boxes = []
    for kind in ("max", "average"):
        picture = _image(main, f"{kind}: output 256×256")
        picture.scroll_into_view_if_needed()
        boxes.append(picture.bounding_box())
    for box in boxes:
        assert box["width"] >= 380, boxes
    left, right = boxes
    assert left["x"] + left["width"] <= right["x"] and abs(left["y"] - right["y"]) < 2, boxes

    # 2. the swipe: its divider is where the slider says, and the keyboard moves it
    swipe = _image(main, "Left of the white line")
    swipe.scroll_into_view_if_needed()
    before = _pixels(swipe)
    assert abs(_divider_x(before) / before.shape[1] - 0.5) < 0.02
    slider = main.locator('[data-testid="stSlider"]').filter(
        has_text="Divider").get_by_role("slider")
    slider.focus()
    for _ in range(25):
        page.keyboard.press("ArrowRight")
    wait_for_idle(page, timeout_ms=EXPECT_TIMEOUT_MS)
    assert slider.input_value() == "75"
    after = _pixels(_image(main, "Left of the white line"))
    assert abs(_divider_x(after) / after.shape[1] - 0.75) < 0.02

    # 3. one zoom region, the same for the input and for every kind's output and mask
    captions = main.locator('[data-testid="stImage"]').filter(has_text=REGION).all_inner_texts()
    regions = {REGION.search(text).groups() for text in captions}
    assert len(captions) == 5 and len(regions) == 1, captions  # input, 2 outputs, 2 masks
    row0, row1, col0, col1 = (int(n) for n in regions.pop())
    assert (row1 - row0 + 1, col1 - col0 + 1) == (32, 32)

    # 4. each kind's zoomed mask has visible contrast as drawn: its pixels' spread
    for kind in ("max", "average"):
        mask = _image(main, f"{kind}: gradient mask over")
        mask.scroll_into_view_if_needed()
        luminance = _pixels(mask) @ np.array([0.2126, 0.7152, 0.0722])
        assert luminance.std() > 25, (kind, luminance.std())
        assert np.ptp(luminance) > 100, (kind, np.ptp(luminance))
    assert not exception_texts(page)


def test_a_click_on_the_conv_lessons_last_map_picks_a_cell_of_a_photo(browser_page, app_server):
    from playwright.sync_api import expect
    from test_browser_conv import click_last_map_cell

    page = browser_page("browser-conv-photo", timeout_ms=EXPECT_TIMEOUT_MS)
    open_app(page, app_server.url + "/conv?lang=en&kind=max&kernel=2&conv_relu=false",
             timeout_ms=EXPECT_TIMEOUT_MS * 2)
    page.locator(SIDEBAR).get_by_text("Upload", exact=True).click()
    wait_for_idle(page, timeout_ms=EXPECT_TIMEOUT_MS)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "astronaut.png", "mimeType": "image/png",
                "buffer": photo_bytes("astronaut")}])
    wait_for_idle(page, timeout_ms=EXPECT_TIMEOUT_MS)
    main = page.locator(MAIN)
    # 512 shrunk to 256, pooled twice: the last map is 64×64 and opens on its middle
    expect(main.get_by_text("Cell [32, 32] of the last map")).to_be_visible()
    click_last_map_cell(page, 10, 20)
    expect(main.get_by_text("Cell [10, 20] of the last map")).to_be_visible()
    assert not exception_texts(page)
