"""Exports for slides and the photo views of the output (pooling_ui/export.py, view_output.py).

The GIF is decoded with Pillow and checked against windows worked by hand: how many steps the
animation has (from ``pc.output_size``, per axis), and where window ``i`` lies (``i·stride −
padding``). Arrays come back from CSV and NPY equal to ``torch.nn.functional.max_pool2d``'s. The
photo's blown-up output is compared with PyTorch's output repeated by the stride, and the zoom
with slices of the original pixels.
"""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image
from test_ui_language import english_left
from ui_support import assert_no_bug, open_page

import pooling_core as pc
from pooling_ui.base.i18n import Message
from pooling_ui.data import presets
from pooling_ui.figures import grids as fg
from pooling_ui.figures import pictures as vo
from pooling_ui.figures.sliding import Region
from pooling_ui.panels.inputs import FeatureMap
from pooling_ui.panels.params import PoolParams
from pooling_ui.tools import export

WORKED = presets.worked_example()[0]
WINDOW_RGB = tuple(int(fg.WINDOW_COLOR[i:i + 2], 16) for i in (1, 3, 5))
WINNER_RGB = tuple(int(fg.WINNER_COLOR[i:i + 2], 16) for i in (1, 3, 5))
MASK_RGB = tuple(int(fg.MASK_COLOR[i:i + 2], 16) for i in (1, 3, 5))


def _gif(kind: str, kernel: int, stride: int, padding: int) -> tuple[bytes, object]:
    geometry = pc.window_geometry(WORKED.shape, kernel, stride, padding)
    if pc.kind_spec(kind).has_indices:
        y2d, winners = pc.pool2d(WORKED, kind, kernel, stride, padding, return_indices=True)
    else:
        y2d, winners = pc.pool2d(WORKED, kind, kernel, stride, padding), None
    region = Region(0, geometry.out_hw[0], 0, geometry.out_hw[1])
    data = export.animation_gif(WORKED, y2d, geometry, region, winners=winners, padding=padding,
                                padded_value="0")
    return data, export.gif_layout(geometry)


def _frames(data: bytes) -> list[np.ndarray]:
    gif = Image.open(io.BytesIO(data))
    frames = []
    for index in range(gif.n_frames):
        gif.seek(index)
        frames.append(np.asarray(gif.convert("RGB")))
    return frames


@pytest.mark.parametrize(("kind", "kernel", "stride", "padding"),
                         [("max", 2, 2, 0), ("avg", 3, 1, 1)])
def test_gif_has_one_frame_per_step_loops_and_outlines_each_window(kind, kernel, stride, padding):
    data, layout = _gif(kind, kernel, stride, padding)
    out = pc.output_size(4, kernel, stride, padding)
    gif = Image.open(io.BytesIO(data))
    assert gif.format == "GIF"
    assert gif.n_frames == out * out  # 4 for 2×2/2, 16 for 3×3/1 with padding 1
    assert gif.info["loop"] == 0
    assert gif.info["duration"] == export.GIF_FRAME_MS
    frames = _frames(data)
    assert {frame.shape for frame in frames} == {frames[0].shape}
    for step, frame in enumerate(frames):
        row, col = divmod(step, out)
        # window `step` starts at input cell (row·s − p, col·s − p): its outline's corner is red
        x, y = layout.input_px(row * stride - padding, col * stride - padding)
        assert tuple(frame[y + 1, x + 1]) == WINDOW_RGB, step
        # and no other window's corner is, unless it lies on this window's edge
        for other in range(out * out):
            o_row, o_col = divmod(other, out)
            if abs(o_row - row) * stride >= kernel or abs(o_col - col) * stride >= kernel:
                ox, oy = layout.input_px(o_row * stride - padding, o_col * stride - padding)
                assert tuple(frame[oy + 1, ox + 1]) != WINDOW_RGB, (step, other)
        # the output cell being computed is outlined too
        x, y = layout.output_px(row, col)
        assert tuple(frame[y + 1, x + 1]) == WINDOW_RGB


def test_gif_hides_outputs_to_come_and_marks_the_winner():
    data, layout = _gif("max", 2, 2, 0)
    frames = _frames(data)
    centre = layout.cell_px // 2
    x, y = layout.output_px(1, 1)
    assert tuple(frames[0][y + centre, x + 2]) == MASK_RGB  # y[1,1] not computed yet
    assert tuple(frames[-1][y + centre, x + 2]) != MASK_RGB
    # window 0 holds 1, 3 / 5, 6: the winner is the 6 at (1, 1); window 1 (2, 4 / 1, 2): 4 at (0, 3)
    inset = export.OUTLINE_PX + 1
    for frame, (row, col) in zip(frames[:2], [(1, 1), (0, 3)], strict=True):
        x, y = layout.input_px(row, col)
        assert tuple(frame[y + inset, x + inset]) == WINNER_RGB


def test_csv_and_npy_give_back_the_arrays_exactly():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(3, 7, 9)).astype(np.float32)
    x[0, 0, 0] = -np.inf
    y = F.max_pool2d(torch.from_numpy(x)[None], 2, 2)[0].numpy()
    for array in (x, y):
        back = np.loadtxt(io.BytesIO(export.csv_bytes(array, ("R", "G", "B"))), delimiter=",",
                          dtype=np.float32)
        np.testing.assert_array_equal(back.reshape(array.shape), array)
        loaded = np.load(io.BytesIO(export.npy_bytes(array)))
        assert loaded.dtype == array.dtype and loaded.shape == array.shape
        np.testing.assert_array_equal(loaded, array)
    text = export.csv_bytes(y, ("R", "G", "B")).decode().splitlines()
    assert text[0] == "# channel R" and len(text) == 3 * (1 + 3)


def _feature_map(data, source, label, key, is_photo=False):
    return FeatureMap(np.asarray(data, np.float32), source, label, is_photo,
                      ("gray",) if len(data) == 1 else ("R", "G", "B"), key)


def test_file_names_say_what_they_hold():
    worked = _feature_map(WORKED[None], "preset", Message("presets.worked4x4.label"),
                          "preset:worked4x4:8:0:gray")
    assert (export.file_name(worked, PoolParams(), "animation", "gif")
            == "pooling-max-k2x2-s2x2-p0x0-worked4x4-animation.gif")
    random = _feature_map(np.zeros((1, 16, 16)), "preset", "random", "preset:random:16:3:gray")
    params = PoolParams(kind="avg", kernel_size=(3, 3), stride=(1, 1), padding="same")
    assert (export.file_name(random, params, "output", "csv")
            == "pooling-avg-k3x3-s1x1-psame-random-16x16-seed3-output.csv")
    upload = _feature_map(np.zeros((3, 8, 8)), "upload", "My Holiday.JPG", "upload:ab:rgb", True)
    assert export.file_name(upload, PoolParams(), "input", "npy").endswith("-my-holiday-input.npy")
    typed = _feature_map(np.zeros((1, 2, 3)), "type",
                         Message("input.name_typed", {"rows": 2, "cols": 3}), "type:x")
    assert export.input_slug(typed) == "typed-2x3"


def _photo(height=37, width=50, seed=2) -> np.ndarray:
    """Integer pixel values 0..255: shown on screen as exactly these bytes."""
    return np.random.default_rng(seed).integers(0, 256, (3, height, width)).astype(np.float32)


@pytest.mark.parametrize(("kernel", "stride", "padding"), [(2, 2, 0), (3, 2, 1), (3, 3, 0)])
def test_blown_up_output_is_pytorchs_output_repeated_by_the_stride(kernel, stride, padding):
    x = _photo()
    height, width = x.shape[1:]
    y = F.max_pool2d(torch.from_numpy(x)[None], kernel, stride, padding)[0].numpy()
    geometry = pc.window_geometry((height, width), kernel, stride, padding)
    blocks, covered = vo.output_blocks(y, geometry, (stride, stride), np.arange(height),
                                       np.arange(width))
    # output cell i's block: input rows [i·s − p, i·s − p + s) (clipped to the input)
    expected = np.repeat(np.repeat(y, stride, axis=1), stride, axis=2)
    expected = np.pad(expected, ((0, 0), (0, padding), (0, padding)), constant_values=np.nan)
    expected = expected[:, padding:padding + height, padding:padding + width]
    rows = min(y.shape[1] * stride - padding, height)
    cols = min(y.shape[2] * stride - padding, width)
    np.testing.assert_array_equal(blocks[:, :rows, :cols], expected[:, :rows, :cols])
    assert covered[:rows, :cols].all() and not covered[rows:].any() and not covered[:, cols:].any()
    assert np.isnan(blocks[:, rows:]).all()


def test_zoom_shows_slices_of_the_original_and_of_the_blown_up_output():
    x = _photo(64, 80)
    y = F.avg_pool2d(torch.from_numpy(x)[None], 4, 4)[0].numpy()
    geometry = pc.window_geometry((64, 80), 4, 4)
    region = vo.zoom_region((64, 80), (10, 78), 16)
    assert region == (2, 64, 18, 80)  # clamped to the input's right edge
    row0, col0, row1, col1 = region
    crop, blocks = vo.zoom_pictures(x, y, geometry, (4, 4), region, (0.0, 255.0))
    np.testing.assert_array_equal(crop, np.moveaxis(x[:, row0:row1, col0:col1], 0, -1))
    full = np.repeat(np.repeat(y, 4, axis=1), 4, axis=2)
    np.testing.assert_array_equal(
        blocks, np.rint(np.moveaxis(full[:, row0:row1, col0:col1], 0, -1)).astype(np.uint8))


def test_the_outlined_region_is_drawn_where_it_is():
    data = np.zeros((1, 60, 60))
    data[0, 59, 59] = 255  # black and white: an image's 0..255 scale
    fm = _feature_map(data, "upload", "grey.png", "", True)
    pixels = vo.outlined_photo(fm, (10, 20, 26, 36), 240)   # 4× enlarged
    assert tuple(pixels[40, 80]) == WINDOW_RGB and tuple(pixels[103, 143]) == WINDOW_RGB
    assert tuple(pixels[70, 110]) == (0, 0, 0)                # inside: the photo itself


# -- the page ------------------------------------------------------------------------------
def test_explorer_offers_the_downloads_and_named_png_exports():
    app = open_page("explorer", {"lang": "en", "kernel": "3", "stride": "1", "padding": "1"})
    assert_no_bug(app)
    # the arrays' buttons are drawn only while their expander is open
    assert [button.label for button in app.get("download_button")] == [
        "Animation as GIF (16 frames, 0.5 s each)"]
    app.session_state["output_export_open"] = True
    app.run()
    labels = [button.label for button in app.get("download_button")]
    assert labels[0].startswith("Animation as GIF (16 frames")
    assert {"Input as CSV", "Output as CSV", "Input as `.npy`", "Output as `.npy`"} <= set(labels)
    names = [json.loads(chart.proto.config)["toImageButtonOptions"]["filename"]
             for chart in app.get("plotly_chart")]
    assert names == ["pooling-max-k3x3-s1x1-p1x1-worked4x4-animation",
                     "pooling-max-k3x3-s1x1-p1x1-worked4x4-input-output"]
    assert english_left(app)  # the language check can fail: English is English
    app = open_page("explorer", {"lang": "zh", "kernel": "3", "stride": "1", "padding": "1"})
    assert_no_bug(app)
    assert english_left(app) == {}


def test_photo_views_in_chinese_have_no_english_left():
    app = open_page("explorer", {"lang": "zh", "input": "photo"})
    assert_no_bug(app)
    assert english_left(app) == {}
    # the animated crop is outlined on the photo, and the outline follows the crop's slider
    # (it opens on the photo's busiest crop: tests/test_ui_photos.py checks which)
    row = app.slider(key="anim_crop_row").value
    assert any(f"第 {row} 行" in c.value and "裁剪" in c.value for c in app.caption)
    app.slider(key="anim_crop_row").set_value(10).run()
    assert_no_bug(app)
    assert any("第 10 行" in c.value and "裁剪" in c.value for c in app.caption)
    for view in ("blocks", "zoom"):
        app.radio(key="output_photo_view").set_value(view).run()
        assert_no_bug(app)
        assert english_left(app) == {}, view
    app.select_slider(key="output_zoom_size").set_value(64).run()
    app.slider(key="output_zoom_row").set_value(0).run()
    assert_no_bug(app)
    captions = [c for image in app.get("image") for c in image.captions]
    assert any("第 0–63 行" in caption for caption in captions), captions
    app.session_state["output_export_open"] = True
    app.run()
    assert len(app.get("download_button")) == 5
    assert english_left(app) == {}
