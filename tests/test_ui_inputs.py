"""The input panel through AppTest: presets and their link, the canvas and the data editor driven
through session state, uploads of good and bad files, and the state surviving a page change.

Expected grids come from how the inputs were built (which canvas pixels were inked, which values
were typed, which colour was saved), never from the panel's own output.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest
from ui_support import PAGES, open_page

from pooling_ui.data import images
from pooling_ui.panels import inputs
from pooling_ui.panels.inputs import CANVAS_SIDE, canvas_state_for, parse_grid

TIMEOUT = 30


def input_app():
    import streamlit as st

    from pooling_ui.panels.inputs import input_panel

    fm = input_panel()
    st.session_state["test_fm"] = fm
    st.write("page body still drawn")


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_function(input_app, default_timeout=TIMEOUT)
    app.run()
    return app


def fm_of(app: AppTest):
    assert not app.exception, [e.message for e in app.exception]
    assert any(m.value == "page body still drawn" for m in app.markdown)
    return app.session_state["test_fm"]


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


# -- presets --------------------------------------------------------------------------------------
def test_default_is_the_worked_example(at):
    fm = fm_of(at)
    assert fm.source == "preset" and fm.name == "worked 4×4" and not fm.is_photo
    assert fm.data.tolist() == [[[1, 3, 2, 4], [5, 6, 1, 2], [7, 2, 8, 1], [3, 4, 0, 6]]]
    assert fm.data.dtype == np.float32 and fm.channel_names == ("gray",)
    assert at.query_params["input"] == "worked4x4"


def test_preset_from_the_link_with_its_size():
    app = AppTest.from_function(input_app, default_timeout=TIMEOUT)
    app.query_params.update({"input": "checkerboard", "input_size": "3"})
    app.run()
    assert fm_of(app).data[0].tolist() == [[0, 1, 0], [1, 0, 1], [0, 1, 0]]
    assert len(app.warning) == 0


@pytest.mark.parametrize(
    ("query", "named", "expected"),
    [
        ({"input": "nope"}, "input='nope'",
         [[1, 3, 2, 4], [5, 6, 1, 2], [7, 2, 8, 1], [3, 4, 0, 6]]),
        ({"input": "ramp", "input_size": "999"}, "input_size='999'",
         [[r + c for c in range(8)] for r in range(8)]),  # the default size, 8
        ({"input": "random", "input_size": "3", "input_seed": "-4"}, "input_seed='-4'",
         np.random.default_rng(0).integers(0, 10, (3, 3)).tolist()),  # the default seed, 0
    ],
)
def test_bad_input_link_warns_and_uses_the_default(query, named, expected):
    app = AppTest.from_function(input_app, default_timeout=TIMEOUT)
    app.query_params.update(query)
    app.run()
    fm = fm_of(app)
    assert len(app.warning) == 1 and named in app.warning[0].value
    assert fm.data[0].tolist() == expected


def test_sample_photo_in_colour_and_gray(at):
    at.selectbox(key="in_preset").set_value("photo").run()
    gray = fm_of(at)
    assert gray.is_photo and gray.data.shape == (1, 256, 256)
    at.toggle(key="in_rgb").set_value(True).run()
    colour = fm_of(at)
    assert colour.data.shape == (3, 256, 256) and colour.channel_names == ("R", "G", "B")


# -- drawing --------------------------------------------------------------------------------------
def blank_canvas(scale: int = 1) -> np.ndarray:
    return np.zeros((CANVAS_SIDE * scale, CANVAS_SIDE * scale, 4), dtype=np.uint8)


def draw_mode(app: AppTest, grid: int) -> None:
    app.radio(key="in_source").set_value("draw").run()
    app.session_state["in_draw_grid"] = grid
    app.run()


def test_empty_canvas_is_all_zero_and_says_so(at):
    draw_mode(at, 8)
    fm = fm_of(at)
    assert fm.source == "draw" and fm.data.shape == (1, 8, 8) and not fm.data.any()
    assert any("empty" in info.value for info in at.info)


def test_a_stroke_is_sampled_by_block_mean(at):
    assert CANVAS_SIDE == 240
    draw_mode(at, 8)  # 240 px / 8 = blocks of 30 px
    rgba = blank_canvas()
    rgba[0:30, 0:60, 3] = 255  # full ink in cells (0, 0) and (0, 1)
    rgba[30:45, 0:30, 3] = 255  # half of cell (1, 0)
    rgba[210:240, 210:240, 3] = 51  # cell (7, 7) at opacity 51/255
    at.session_state[inputs.canvas_key()] = canvas_state_for(rgba)
    at.run()
    expected = np.zeros((8, 8))
    expected[0, 0] = expected[0, 1] = 255
    expected[1, 0] = 128  # 127.5 rounded half to even → 128
    expected[7, 7] = 51
    np.testing.assert_array_equal(fm_of(at).data[0], expected)


def test_uneven_grid_and_a_high_resolution_canvas(at):
    draw_mode(at, 28)  # 240 px do not divide by 28; 120 px is still a block edge (14 of 28)
    rgba = blank_canvas(scale=2)  # a browser on a 2× screen sends twice the pixels
    rgba[:, :CANVAS_SIDE, 3] = 255  # the left half inked
    at.session_state[inputs.canvas_key()] = canvas_state_for(rgba)
    at.run()
    grid = fm_of(at).data[0]
    assert grid.shape == (28, 28)
    assert (grid[:, :14] == 255).all() and (grid[:, 14:] == 0).all()


def test_black_strokes_on_an_opaque_white_canvas(at):
    draw_mode(at, 8)
    rgba = blank_canvas()
    rgba[...] = 255  # opaque white
    rgba[0:30, 30:60, :3] = 0  # black cell (0, 1)
    at.session_state[inputs.canvas_key()] = canvas_state_for(rgba)
    at.run()
    grid = fm_of(at).data[0]
    assert grid[0, 1] == 255 and grid.sum() == 255


def test_grid_size_change_resamples_the_same_drawing_and_clear_empties_it(at):
    draw_mode(at, 8)
    rgba = blank_canvas()
    rgba[0:30, 0:30, 3] = 255
    at.session_state[inputs.canvas_key()] = canvas_state_for(rgba)
    at.run()
    at.session_state["in_draw_grid"] = 16
    at.run()
    grid = fm_of(at).data[0]
    assert grid.shape == (16, 16) and (grid[:2, :2] == 255).all() and grid.sum() == 4 * 255
    at.button(key="in_draw_clear").click().run()
    assert not fm_of(at).data.any()
    assert at.session_state["in_canvas_clears"] == 1


# -- typed grid -----------------------------------------------------------------------------------
def test_typed_grid_starts_as_the_worked_example_and_takes_nan_and_infinities(at):
    at.radio(key="in_source").set_value("type").run()
    assert fm_of(at).data[0].tolist() == [[1, 3, 2, 4], [5, 6, 1, 2], [7, 2, 8, 1], [3, 4, 0, 6]]
    at.session_state["in_type_editor"] = {
        "edited_rows": {0: {"0": "nan"}, 1: {"1": "-inf"}, 2: {"2": "inf"}, 3: {"3": "2.5"}},
        "added_rows": [], "deleted_rows": [],
    }
    at.run()
    grid = fm_of(at).data[0]
    assert np.isnan(grid[0, 0]) and grid[1, 1] == -np.inf and grid[2, 2] == np.inf
    assert grid[3, 3] == 2.5 and grid[0, 1] == 3
    assert len(at.warning) == 0
    assert at.session_state["in_type_cells"][0][0] == "nan"  # kept as typed


def test_a_cell_that_is_not_a_number_is_named_and_used_as_zero(at):
    at.radio(key="in_source").set_value("type").run()
    at.session_state["in_type_editor"] = {
        "edited_rows": {2: {"2": "seven"}}, "added_rows": [], "deleted_rows": [],
    }
    at.run()
    assert fm_of(at).data[0, 2, 2] == 0
    assert len(at.warning) == 1
    # named as the explanations name cells, counting from 0: row 2, column 2
    assert "x[2,2]" in at.warning[0].value and "'seven'" in at.warning[0].value


def test_resizing_the_typed_grid_keeps_the_values(at):
    at.radio(key="in_source").set_value("type").run()
    at.number_input(key="in_type_rows").set_value(2).run()
    at.number_input(key="in_type_cols").set_value(5).run()
    assert fm_of(at).data[0].tolist() == [[1, 3, 2, 4, 0], [5, 6, 1, 2, 0]]


def test_parse_grid_by_hand():
    grid, bad = parse_grid([["1", " -2 ", "−3", "1e2"], ["NaN", "-Inf", "∞", ""]])
    assert grid[0].tolist() == [1, -2, -3, 100]
    assert np.isnan(grid[1, 0]) and grid[1, 1] == -np.inf and grid[1, 2] == np.inf
    assert bad == [(1, 3, "")] and grid[1, 3] == 0


# -- uploads --------------------------------------------------------------------------------------
def upload(app: AppTest, name: str, data: bytes, mime: str = "image/png") -> None:
    app.radio(key="in_source").set_value("upload").run()
    app.file_uploader(key="in_upload").set_value((name, data, mime)).run()


def test_upload_prompt_keeps_the_previous_input(at):
    at.radio(key="in_source").set_value("upload").run()
    fm = fm_of(at)
    assert fm.name == "worked 4×4"
    assert any("Choose an image" in info.value for info in at.info)


def test_good_upload_in_gray_and_colour(at):
    pixels = np.zeros((2, 3, 3), dtype=np.uint8)
    pixels[0, 0] = [255, 0, 0]
    pixels[1, 2] = [0, 0, 255]
    upload(at, "two_by_three.png", encode(Image.fromarray(pixels), "PNG"))
    gray = fm_of(at)
    assert gray.source == "upload" and gray.name == "two_by_three.png" and gray.is_photo
    np.testing.assert_allclose(gray.data[0], [[0.299 * 255, 0, 0], [0, 0, 0.114 * 255]],
                               rtol=1e-6)
    at.toggle(key="in_rgb").set_value(True).run()
    colour = fm_of(at)
    np.testing.assert_array_equal(colour.data, pixels.transpose(2, 0, 1))
    assert at.error.len == 0


def png_header_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    signature = b"\x89PNG\r\n\x1a\n"
    return signature + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 8))


def noise_png() -> bytes:
    values = np.random.default_rng(2).integers(0, 256, (48, 48, 3), dtype=np.uint8)
    return encode(Image.fromarray(values), "PNG")


def noise_jpeg() -> bytes:
    values = np.random.default_rng(3).integers(0, 256, (48, 48, 3), dtype=np.uint8)
    return encode(Image.fromarray(values), "JPEG")


BAD_FILES = [
    ("empty.png", lambda: b"", "empty"),
    ("notes.png", lambda: b"just some text\n", "not an image"),
    ("cut.png", lambda: noise_png()[:400], "damaged or incomplete"),
    ("cut.jpg", lambda: noise_jpeg()[:300], "damaged or incomplete"),
    ("bomb.png", lambda: png_header_claiming(50_000, 50_000), "40 megapixels"),
    ("big.png", lambda: png_header_claiming(8000, 6000), "48.0 megapixels"),
]


@pytest.mark.parametrize(("name", "make", "says"), BAD_FILES)
def test_bad_upload_gives_a_plain_error_and_keeps_the_previous_input(at, name, make, says):
    upload(at, name, make())
    fm = fm_of(at)
    assert fm.name == "worked 4×4"  # nothing lost
    assert len(at.error) == 1
    message = at.error[0].value
    assert name in message and says in message
    assert "Accepted" in message or "the limit is 40 megapixels" in message  # and what is allowed


def test_bad_upload_after_a_good_one_keeps_the_good_one(at):
    upload(at, "gray.png", encode(Image.new("L", (3, 3), 9), "PNG"))
    at.file_uploader(key="in_upload").set_value(("broken.png", b"\x89PNG\r\n\x1a\n", "")).run()
    fm = fm_of(at)
    assert fm.name == "gray.png" and (fm.data == 9).all()
    assert len(at.error) == 1 and "broken.png" in at.error[0].value


def exif_rotated_jpeg() -> bytes:
    stored = np.full((32, 64), 255, dtype=np.uint8)
    stored[:16, :16] = 0  # mark the stored top-left corner
    exif = Image.Exif()
    exif[0x0112] = 6
    return encode(Image.fromarray(stored), "JPEG", quality=95, exif=exif.tobytes())


def sixteen_bit_png() -> bytes:
    return encode(Image.fromarray(np.array([[0, 65535]], dtype=np.uint16)), "PNG")


def cmyk_jpeg() -> bytes:
    return encode(Image.new("CMYK", (16, 16), (0, 0, 0, 255)), "JPEG", quality=95)


def animated_gif() -> bytes:
    frames = [Image.new("L", (4, 4), value) for value in (10, 200)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=40)
    return buffer.getvalue()


ODD_GOOD_FILES = [
    ("rotated.jpg", exif_rotated_jpeg, (1, 64, 32), lambda d: d[0, 4, 24] < 30),
    ("deep.png", sixteen_bit_png, (1, 1, 2), lambda d: d.ravel().tolist() == [0, 255]),
    ("print.jpg", cmyk_jpeg, (1, 16, 16), lambda d: d.max() < 8),
    ("anim.gif", animated_gif, (1, 4, 4), lambda d: (d == 10).all()),
    ("dot.png", lambda: encode(Image.new("L", (1, 1), 77), "PNG"), (1, 1, 1),
     lambda d: d.ravel().tolist() == [77]),
]


@pytest.mark.parametrize(("name", "make", "shape", "check"), ODD_GOOD_FILES)
def test_unusual_but_good_uploads_give_a_view(at, name, make, shape, check):
    upload(at, name, make())
    fm = fm_of(at)
    assert len(at.error) == 0
    assert fm.name == name and fm.data.shape == shape and check(fm.data)


def test_a_photo_is_decoded_once_across_reruns(at, monkeypatch):
    calls = []
    real = images.decode_image

    def counting(data, mode="gray"):
        calls.append(mode)
        return real(data, mode)

    monkeypatch.setattr(images, "decode_image", counting)
    images._load_image_cached.clear()
    upload(at, "once.png", encode(Image.new("RGB", (40, 30), (1, 2, 3)), "PNG"))
    for _ in range(3):
        at.run()
    assert fm_of(at).data.shape == (1, 30, 40)
    assert calls == ["gray"]
    at.toggle(key="in_rgb").set_value(True).run()
    assert calls == ["gray", "rgb"]


# -- across pages and sources ---------------------------------------------------------------------
# The panels are drawn by the app's entry point, before the page: the same widgets on every page.
# These tests are the measurement the design rests on (nothing copies state between pages).


def shown(app: AppTest):
    """The input and the parameters the page being shown was given."""
    assert not app.exception, [e.message for e in app.exception]
    return app.session_state["page_current"]


def test_typed_grid_and_parameters_survive_a_page_change():
    app = open_page()
    app.selectbox(key="p_kind").set_value("avg").run()
    app.number_input(key="p_kernel_h").set_value(3).run()
    app.radio(key="in_source").set_value("type").run()
    app.session_state["in_type_editor"] = {
        "edited_rows": {0: {"0": "-inf"}}, "added_rows": [], "deleted_rows": [],
    }
    app.run()
    app.switch_page(PAGES["gradients"]).run()
    fm, params = shown(app)
    assert fm.source == "type" and fm.data[0, 0, 0] == -np.inf and fm.data[0, 0, 1] == 3
    assert params.kind == "avg" and params.kernel_size == (3, 2)
    assert [t.value for t in app.title] == ["Pooling Lab — Gradients"]


def test_a_drawing_survives_a_page_change_and_a_change_of_source():
    app = open_page()
    draw_mode(app, 8)
    rgba = blank_canvas()
    rgba[0:30, 0:30, 3] = 255
    strokes = [{"type": "path", "path": [["M", 1, 40], ["L", 30, 60]]}]
    app.session_state[inputs.canvas_key()] = canvas_state_for(rgba, strokes)
    app.run()
    app.switch_page(PAGES["compare"]).run()
    grid = shown(app)[0].data[0]
    assert grid[0, 0] == 255 and grid.sum() == 255
    # another source and back: the canvas is mounted afresh, and its strokes are handed back
    app.radio(key="in_source").set_value("preset").run()
    app.radio(key="in_source").set_value("draw").run()
    grid = shown(app)[0].data[0]
    assert grid[0, 0] == 255 and grid.sum() == 255
    assert app.session_state["in_draw_store"]["initial"]["objects"] == strokes


def test_an_upload_survives_a_page_change_and_a_change_of_source():
    app = open_page()
    upload(app, "kept.png", encode(Image.new("L", (2, 2), 200), "PNG"))
    app.switch_page(PAGES["gradients"]).run()
    fm = shown(app)[0]
    assert fm.name == "kept.png" and (fm.data == 200).all()
    app.radio(key="in_source").set_value("preset").run()
    app.radio(key="in_source").set_value("upload").run()
    assert shown(app)[0].name == "kept.png"
    assert any("uploaded earlier" in caption.value for caption in app.caption)


