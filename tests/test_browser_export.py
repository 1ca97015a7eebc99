"""The GIF export in a real browser: the button downloads a GIF that Pillow decodes, with one
frame per step of the animation (counted by hand: 2×2 windows with stride 2 on the worked 4×4
take 4 steps; 3×3 windows with stride 1 and padding 1 take 16).

The bytes are made only on the click (Streamlit's deferred download), so this is the only test
that sees the real path from the button to the file. Skips without a Chromium, like
tests/test_browser.py.
"""

from __future__ import annotations

import io

import pytest
from browser_support import open_app
from PIL import Image
from test_browser import EXPECT_TIMEOUT_MS, assert_no_exception

MAIN = '[data-testid="stMain"]'
# A first page load imports plotly and PyTorch and draws two figures: on two busy cores, slow.
FIRST_LOAD_MS = 120_000


@pytest.fixture
def export_page(browser_page, request):
    return browser_page(f"browser-{request.node.name}", timeout_ms=EXPECT_TIMEOUT_MS,
                        accept_downloads=True)


def _download_gif(page) -> Image.Image:
    button = page.locator(MAIN).get_by_role("button", name="Animation as GIF")
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=EXPECT_TIMEOUT_MS) as download_info:
        button.click()
    download = download_info.value
    assert download.suggested_filename.endswith("-animation.gif"), download.suggested_filename
    return download.suggested_filename, Image.open(io.BytesIO(open(download.path(), "rb").read()))


def test_the_gif_button_downloads_one_frame_per_step(export_page, app_server):
    open_app(export_page, app_server.url + "/?lang=en", timeout_ms=FIRST_LOAD_MS)
    name, gif = _download_gif(export_page)
    assert name == "pooling-max-k2x2-s2x2-p0x0-worked4x4-animation.gif"
    assert gif.format == "GIF" and gif.n_frames == 4 and gif.info["loop"] == 0
    assert_no_exception(export_page, "after the first download")
    open_app(export_page, app_server.url + "/?lang=en&kernel=3&stride=1&padding=1",
             timeout_ms=FIRST_LOAD_MS)
    name, gif = _download_gif(export_page)
    assert name == "pooling-max-k3x3-s1x1-p1x1-worked4x4-animation.gif"
    assert gif.n_frames == 16
    assert_no_exception(export_page, "after the second download")
