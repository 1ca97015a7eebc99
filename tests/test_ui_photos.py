"""Real photos (scikit-image's bundled astronaut, coffee, chelsea) on the pages that show photos:
the crop a photo opens on, rounded numbers in the animation and its GIF, Compare's pictures.

Expected values come from independent computations written here: the busiest crop by SciPy's
correlation of the neighbour differences with a box (not the app's integral image), rounding
half away from zero by ``decimal``, mask sizes from the pooling's arithmetic.
"""

from __future__ import annotations

import decimal
import json

import numpy as np
import pytest
from photo_support import photo_bytes
from ui_support import assert_no_bug, open_page

from pooling_ui.data.images import load_image_cached
from pooling_ui.panels.common import PHOTO_CROP

LINK = {"lang": "en", "kind": "avg", "kernel": "3", "stride": "2", "padding": "1"}


def _busiest_by_scipy(plane: np.ndarray, side: int) -> tuple[int, int]:
    """The ``side``-square with the largest sum of |differences| between neighbours inside it,
    by correlating each direction's differences with a box of ones (first in reading order)."""
    from scipy.signal import correlate2d

    across = np.abs(np.diff(plane, axis=1))
    down = np.abs(np.diff(plane, axis=0))
    sums = (correlate2d(across, np.ones((side, side - 1)), mode="valid")
            + correlate2d(down, np.ones((side - 1, side)), mode="valid"))
    row, col = np.unravel_index(np.argmax(np.round(sums, 6)), sums.shape)
    return int(row), int(col)


def _upload(app, name: str, *, colour: bool = False):
    app.radio(key="in_source").set_value("upload").run()
    if colour:
        app.toggle(key="in_rgb").set_value(True).run()
    app.file_uploader(key="in_upload").set_value(
        (f"{name}.png", photo_bytes(name), "image/png")).run()
    return app


def _plane(name: str) -> np.ndarray:
    return load_image_cached(photo_bytes(name), "gray").data[0].astype(np.float64)


@pytest.mark.parametrize("name", ["coffee", "chelsea"])
def test_the_busiest_region_is_the_square_with_most_contrast(name):
    from pooling_ui.figures.pictures import busiest_region

    plane = _plane(name)
    assert busiest_region(plane[None], PHOTO_CROP) == _busiest_by_scipy(plane, PHOTO_CROP)


def test_the_animation_opens_on_the_busiest_crop_and_moves_to_a_new_photos():
    app = _upload(open_page("explorer", LINK), "coffee")
    assert_no_bug(app)
    expected = _busiest_by_scipy(_plane("coffee"), PHOTO_CROP)
    assert (app.slider(key="anim_crop_row").value, app.slider(key="anim_crop_col").value) == \
        expected
    # not the flat rim at the top-left corner the crop used to start on
    assert expected != (0, 0)
    # the output view outlines the same crop
    assert any(f"row {expected[0]}, column {expected[1]}" in c.value for c in app.caption), \
        [c.value for c in app.caption]
    # moved by hand, the crop stays; a new photo opens on its own busiest crop
    app.slider(key="anim_crop_row").set_value(3).run()
    assert app.slider(key="anim_crop_row").value == 3
    app.file_uploader(key="in_upload").set_value(
        ("chelsea.png", photo_bytes("chelsea"), "image/png")).run()
    assert_no_bug(app)
    assert (app.slider(key="anim_crop_row").value, app.slider(key="anim_crop_col").value) == \
        _busiest_by_scipy(_plane("chelsea"), PHOTO_CROP)


def _half_up(value: float) -> str:
    return str(decimal.Decimal(repr(float(value))).quantize(decimal.Decimal(1),
                                                            rounding=decimal.ROUND_HALF_UP))


def test_the_animation_prints_a_photos_values_rounded_to_whole_numbers():
    app = _upload(open_page("explorer", LINK), "astronaut")
    assert_no_bug(app)
    figure = next(
        json.loads(c.proto.spec) for c in app.get("plotly_chart")
        if json.loads(c.proto.spec).get("layout", {}).get("updatemenus"))
    printed = [trace for trace in figure["data"]
               if trace.get("type") == "heatmap" and trace.get("texttemplate")]
    assert printed, "no numbers printed in the animation's cells"
    texts = [text for trace in printed for row in trace["text"] for text in row if text]
    assert texts and all(text.isdigit() for text in texts), texts[:20]
    # the input crop's cells are the photo's grey values rounded half up (grey values such as
    # 14.7 are not whole numbers: the conversion weighs R, G and B)
    row, col = app.slider(key="anim_crop_row").value, app.slider(key="anim_crop_col").value
    crop = _plane("astronaut")[row:row + PHOTO_CROP, col:col + PHOTO_CROP]
    assert not np.all(crop == np.round(crop)), "the crop has no fractions to round"
    shown = {text for text in texts}
    assert {_half_up(v) for v in crop.ravel()} <= shown
    assert any("rounded to whole numbers" in c.value for c in app.caption)


def test_the_gif_keeps_rounded_numbers_for_a_padded_photo_crop():
    import io

    from PIL import Image

    import pooling_core as pc
    from pooling_ui.figures.sliding import Region
    from pooling_ui.tools import export

    plane = _plane("astronaut")[200:216, 200:216].astype(np.float32)
    kwargs = {"kind": "avg", "kernel_size": 3, "stride": 2, "padding": 1}
    output = pc.pool2d(plane, **kwargs)
    geometry = pc.window_geometry(plane.shape, kernel_size=3, stride=2, padding=1)
    layout = export.gif_layout(geometry)
    assert geometry.in_hw == (16, 16) and layout.cell_px >= export.GIF_TEXT_MIN_CELL_PX
    region = Region(0, 8, 0, 8)

    def cell_colours(decimals):
        data = export.animation_gif(plane, output, geometry, region, padding=1,
                                    decimals=decimals)
        with Image.open(io.BytesIO(data)) as gif:
            frame = np.asarray(gif.convert("RGB"))
        x, y = layout.input_px(5, 5)
        inner = frame[y + 2:y + layout.cell_px - 2, x + 2:x + layout.cell_px - 2]
        return len({tuple(p) for p in inner.reshape(-1, 3)})

    # a cell with a number printed holds the cell's colour and the text's; exact values such as
    # 14.6934 are too long for these cells, so the GIF printed none before rounding
    assert cell_colours(0) == 2
    assert cell_colours(None) == 1
    assert export.gif_number(14.5, 0) == "15" and export.gif_number(14.49, 0) == "14"


def test_compare_on_a_photo_draws_large_outputs_a_swipe_and_a_shared_zoom():
    app = _upload(open_page("compare", LINK), "astronaut", colour=True)
    assert_no_bug(app)
    captions = [c.value for c in app.caption]
    # one region for every kind: the input, both outputs and both masks name the same rows
    assert any("Downsampled for display: each pixel shows the strongest value" in c
               for c in captions)
    assert app.slider(key="cmp_swipe").value == 50
    app.slider(key="cmp_swipe").set_value(80).run()
    assert_no_bug(app)
    # the zoom opens on the photo's busiest 32-square
    plane = load_image_cached(photo_bytes("astronaut"), "rgb").data.mean(axis=0)
    row0, col0 = _busiest_by_scipy(plane.astype(np.float64), 32)
    assert (app.slider(key="cmp_zoom_row").value, app.slider(key="cmp_zoom_col").value) == \
        (row0 + 16, col0 + 16)


def test_block_extreme_keeps_the_strongest_cell_of_each_block():
    from pooling_ui.figures.pictures import block_extreme

    # avg 3x3 s2 p1's mask repeats 1/9, 2/9, 4/9 with period 2: a block mean would give a flat
    # 0.25; the strongest value of each 2×2 block is 4/9 everywhere
    pattern = np.array([[1, 2], [2, 4]]) / 9
    mask = np.tile(pattern, (4, 4))
    assert np.allclose(block_extreme(mask, 2), 4 / 9)
    sparse = np.zeros((4, 4))
    sparse[1, 2] = -5
    assert block_extreme(sparse, 2).tolist() == [[0, -5], [0, 0]]


def test_the_conv_lesson_on_a_photo_picks_the_middle_and_its_formula_is_about_its_maps():
    app = _upload(open_page("conv", {"lang": "en", "kind": "max", "kernel": "2"}), "astronaut")
    assert_no_bug(app)
    # 512×512 is shrunk 2×2 to 256 (the lesson's maps are at most 384 a side); conv pad 1 keeps
    # 256, max 2×2 s2 halves it: 128, then again: the last map is 64×64, its middle (32, 32)
    assert (app.number_input(key="conv_cell_row").value,
            app.number_input(key="conv_cell_col").value) == (32, 32)
    assert any(m.value.startswith("Cell [32, 32] of the last map") for m in app.markdown)
    # the last map can be clicked on a photo too (a heatmap with one pick marker a cell)
    picks = [trace for chart in app.get("plotly_chart")
             for trace in json.loads(chart.proto.spec)["data"] if trace.get("name") == "pick"]
    assert len(picks) == 1 and len(picks[0]["x"]) == 64 * 64
    # the sidebar's formula is about the map the first pooling works on: 256 → 128, not 512
    latex = " ".join(element.value for element in app.sidebar.get("latex"))
    assert r"\tfrac{256 + 0 - 1 - 1}{2}" in latex and "= 128" in latex, latex
    assert "512" not in latex
    notes = [c.value for c in app.sidebar.caption]
    assert any("256×256 map" in note and "512×512 photo shrunk 2×2" in note for note in notes)
    # without the convolution's padding the map is 2 smaller: 254 → 127
    app.toggle(key="conv_pad").set_value(False).run()
    assert_no_bug(app)
    latex = " ".join(element.value for element in app.sidebar.get("latex"))
    assert r"\tfrac{254 + 0 - 1 - 1}{2}" in latex and "= 127" in latex, latex
