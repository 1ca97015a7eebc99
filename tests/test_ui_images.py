"""Decoding uploads: every good and bad file is built here with Pillow (or by hand), and the
expected pixel values come from how the file was built, never from the loader itself."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from pooling_ui.data import presets
from pooling_ui.data.images import (
    MAX_PIXELS,
    ImageLoadError,
    block_mean,
    decode_image,
    load_image_cached,
    to_display_uint8,
)


def english(notes) -> list[str]:
    """The notes of a decoded image as the English page words them."""
    return [note.text("en") for note in notes]

def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def png_header_claiming(width: int, height: int) -> bytes:
    """A valid PNG signature and IHDR for ``width × height`` 8-bit gray, with a few bytes of data.

    The file is under 100 bytes; decoding it would fail on the missing data, so a message about
    the size proves the size was checked before decoding.
    """

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = zlib.compress(b"\x00" * 16)
    signature = b"\x89PNG\r\n\x1a\n"
    return signature + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def noise_rgb(height: int = 64, width: int = 64) -> Image.Image:
    values = np.random.default_rng(1).integers(0, 256, (height, width, 3), dtype=np.uint8)
    return Image.fromarray(values)


# -- bad files ------------------------------------------------------------------------------------
def test_empty_file_is_refused_in_plain_words():
    with pytest.raises(ImageLoadError, match="empty") as info:
        decode_image(b"")
    assert "Accepted: PNG, JPEG" in str(info.value)


def test_text_file_is_not_an_image():
    with pytest.raises(ImageLoadError, match="not an image") as info:
        decode_image(b"x,y\n1,2\n3,4\n")
    assert "'x,y 1,2 '" in str(info.value)  # the message shows how the file starts
    assert "Accepted" in str(info.value)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_file_is_reported_as_damaged(fmt):
    whole = encode(noise_rgb(), fmt)
    with pytest.raises(ImageLoadError, match="damaged or incomplete"):
        decode_image(whole[: len(whole) // 2])


@pytest.mark.parametrize("length", [12, 20, 30])
def test_png_cut_inside_its_header_is_damaged_not_unknown(length):
    whole = encode(noise_rgb(), "PNG")
    with pytest.raises(ImageLoadError, match="damaged or incomplete"):
        decode_image(whole[:length])


def test_bomb_far_beyond_pillows_limit_is_refused_from_the_header():
    bomb = png_header_claiming(50_000, 50_000)
    assert len(bomb) < 100
    with pytest.raises(ImageLoadError) as info:
        decode_image(bomb)
    message = str(info.value)
    assert "40 megapixels" in message and "before decoding" in message


def test_image_just_over_our_limit_is_refused_with_its_size_and_the_limit():
    # 7000 × 6000 = 42 MP: under Pillow's own bomb warning, over ours
    with pytest.raises(ImageLoadError) as info:
        decode_image(png_header_claiming(7000, 6000))
    message = str(info.value)
    assert "7000 × 6000 = 42.0 megapixels" in message
    assert "limit is 40 megapixels" in message


def test_unsupported_format_names_itself_and_what_is_accepted():
    with pytest.raises(ImageLoadError, match="PPM images are not supported") as info:
        decode_image(encode(Image.new("RGB", (4, 4)), "PPM"))
    assert "GIF (first frame)" in str(info.value)


def test_heic_gets_advice_to_export_as_jpeg():
    fake_heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"
    with pytest.raises(ImageLoadError, match="HEIC"):
        decode_image(fake_heic)


def test_errors_are_value_errors():
    assert issubclass(ImageLoadError, ValueError)


# -- good files: values known from construction ---------------------------------------------------
def test_one_pixel_image():
    decoded = decode_image(encode(Image.new("L", (1, 1), 42), "PNG"))
    assert decoded.data.shape == (1, 1, 1)
    assert decoded.data.dtype == np.float32
    assert decoded.data[0, 0, 0] == 42


@pytest.mark.parametrize("fmt", ["PNG", "BMP", "TIFF", "WEBP"])
def test_lossless_formats_give_back_the_pixels(fmt):
    pixels = np.arange(48, dtype=np.uint8).reshape(4, 4, 3) * 5
    options = {"lossless": True} if fmt == "WEBP" else {}
    decoded = decode_image(encode(Image.fromarray(pixels), fmt, **options), "rgb")
    assert decoded.data.shape == (3, 4, 4)
    np.testing.assert_array_equal(decoded.data, pixels.transpose(2, 0, 1))


def test_grayscale_from_colour_uses_the_luma_weights():
    pixels = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 20, 30]]], dtype=np.uint8)
    decoded = decode_image(encode(Image.fromarray(pixels), "PNG"), "gray")
    expected = [0.299 * 255, 0.587 * 255, 0.114 * 255, 0.299 * 10 + 0.587 * 20 + 0.114 * 30]
    np.testing.assert_allclose(decoded.data[0, 0], expected, rtol=1e-6)


def test_sixteen_bit_png_is_scaled_to_0_255():
    values = np.array([[0, 65535], [257 * 100, 257 * 3]], dtype=np.uint16)
    data = encode(Image.fromarray(values), "PNG")
    assert Image.open(io.BytesIO(data)).mode.startswith("I")  # really a 16-bit file
    decoded = decode_image(data, "gray")
    np.testing.assert_allclose(decoded.data[0], [[0, 255], [100, 3]], rtol=1e-6)
    assert any("16-bit" in note for note in english(decoded.notes))


def test_cmyk_jpeg_becomes_rgb():
    cmyk = np.zeros((32, 96, 4), dtype=np.uint8)
    cmyk[:, 32:64, 0] = 255  # middle third: full cyan
    cmyk[:, 64:, 3] = 255  # right third: full black
    data = encode(Image.fromarray(cmyk, "CMYK"), "JPEG", quality=95)
    decoded = decode_image(data, "rgb")
    centres = decoded.data[:, 16, [16, 48, 80]].T  # one pixel in each third, as (R, G, B)
    np.testing.assert_allclose(centres, [[255, 255, 255], [0, 255, 255], [0, 0, 0]], atol=6)


def test_animated_gif_gives_its_first_frame():
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]
    frames = [Image.new("RGB", (8, 8), colour) for colour in colours]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=50)
    decoded = decode_image(buffer.getvalue(), "rgb")
    np.testing.assert_array_equal(decoded.data[:, 3, 3], [255, 0, 0])
    assert "First of 3 frames used" in english(decoded.notes)


def test_exif_orientation_6_turns_a_landscape_photo_upright():
    # stored 64 wide × 32 tall, white, with a black 16×16 mark in the stored top-left corner
    stored = np.full((32, 64), 255, dtype=np.uint8)
    stored[:16, :16] = 0
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    data = encode(Image.fromarray(stored), "JPEG", quality=95, exif=exif.tobytes())
    decoded = decode_image(data, "gray")
    assert decoded.data.shape == (1, 64, 32)  # now portrait
    shown = decoded.data[0]
    # turning clockwise carries the top-left corner to the top-right
    assert shown[2:14, 18:30].mean() < 20
    for corner in (shown[2:14, 2:14], shown[50:62, 2:14], shown[50:62, 18:30]):
        assert corner.mean() > 235
    assert any("rotated 90° clockwise" in note for note in english(decoded.notes))


def test_rgba_is_composited_on_white():
    pixels = np.array(
        [[[255, 0, 0, 0], [0, 0, 255, 255], [0, 0, 0, 128], [200, 100, 50, 51]]], dtype=np.uint8
    )
    decoded = decode_image(encode(Image.fromarray(pixels, "RGBA"), "PNG"), "rgb")
    alpha = 128 / 255
    fifth = 51 / 255
    expected = [
        [255, 255, 255],  # fully transparent red → the white page
        [0, 0, 255],  # opaque blue
        [255 * (1 - alpha)] * 3,  # half-transparent black → mid grey
        [200 * fifth + 255 * (1 - fifth), 100 * fifth + 255 * (1 - fifth), 50 * fifth + 204],
    ]
    np.testing.assert_allclose(decoded.data[:, 0, :].T, expected, rtol=1e-5)


def test_gray_with_alpha_stays_one_channel():
    pixels = np.array([[[100, 0], [100, 255]]], dtype=np.uint8)
    decoded = decode_image(encode(Image.fromarray(pixels, "LA"), "PNG"), "rgb")
    assert decoded.data.shape == (1, 1, 2)
    np.testing.assert_allclose(decoded.data[0, 0], [255, 100])


def test_palette_image_gives_its_colours_and_transparent_index_is_white():
    palette_image = Image.new("P", (3, 1))
    palette_image.putpalette([255, 0, 0, 0, 128, 0, 9, 9, 9] + [0] * (256 * 3 - 9))
    palette_image.putdata([0, 1, 2])
    opaque = decode_image(encode(palette_image, "PNG"), "rgb")
    np.testing.assert_array_equal(opaque.data[:, 0, :].T, [[255, 0, 0], [0, 128, 0], [9, 9, 9]])
    see_through = decode_image(encode(palette_image, "PNG", transparency=2), "rgb")
    np.testing.assert_array_equal(see_through.data[:, 0, 2], [255, 255, 255])


def test_one_bit_image_is_0_and_255():
    bits = Image.new("1", (4, 1))
    bits.putdata([0, 1, 1, 0])
    decoded = decode_image(encode(bits, "PNG"), "gray")
    np.testing.assert_array_equal(decoded.data[0, 0], [0, 255, 255, 0])


def test_float_tiff_is_min_max_scaled_and_nan_kept():
    values = np.array([[-1.0, 0.0], [1.0, 3.0]], dtype=np.float32)
    decoded = decode_image(encode(Image.fromarray(values, "F"), "TIFF"), "gray")
    np.testing.assert_allclose(decoded.data[0], [[0, 63.75], [127.5, 255]], rtol=1e-6)

    with_nan = np.array([[np.nan, 0.0], [1.0, 3.0]], dtype=np.float32)
    decoded = decode_image(encode(Image.fromarray(with_nan, "F"), "TIFF"), "gray")
    assert np.isnan(decoded.data[0, 0, 0])
    np.testing.assert_allclose(decoded.data[0].ravel()[1:], [0, 85, 255], rtol=1e-6)
    assert "1 NaN/±inf value(s) kept as they are" in english(decoded.notes)


def test_grayscale_file_asked_for_in_rgb_stays_one_channel_and_says_so():
    decoded = decode_image(encode(Image.new("L", (2, 2), 7), "PNG"), "rgb")
    assert decoded.data.shape == (1, 2, 2)
    assert decoded.channel_names == ("gray",)
    assert any("no colour" in note for note in english(decoded.notes))


def test_a_6000_by_4000_photo_is_accepted():
    assert MAX_PIXELS >= 6000 * 4000
    data = encode(Image.new("L", (6000, 4000), 128), "JPEG", quality=90)
    decoded = decode_image(data, "gray")
    assert decoded.data.shape == (1, 4000, 6000)
    assert np.abs(decoded.data - 128).max() <= 1


def test_cached_loader_decodes_and_raises_like_the_plain_one():
    decoded = load_image_cached(encode(Image.new("L", (3, 2), 9), "PNG"), "gray")
    assert decoded.data.shape == (1, 2, 3) and (decoded.data == 9).all()
    with pytest.raises(ImageLoadError, match="empty"):
        load_image_cached(b"", "gray")


def test_unknown_mode_argument_is_a_programming_error():
    with pytest.raises(ValueError, match="mode must be one of"):
        decode_image(encode(Image.new("L", (1, 1)), "PNG"), "cmyk")


# -- display helper -------------------------------------------------------------------------------
def test_block_mean_handles_ragged_edges_and_nan():
    values = np.array([[1, 2, 3], [4, 5, 6], [7, 8, np.nan]], dtype=np.float32)[None]
    # blocks: rows {0,1},{2} × cols {0,1},{2}
    expected = [[(1 + 2 + 4 + 5) / 4, (3 + 6) / 2], [(7 + 8) / 2, np.nan]]
    np.testing.assert_allclose(block_mean(values, 2)[0], expected)


def test_display_shrinks_a_photo_to_at_most_800_pixels():
    photo = np.zeros((3, 1000, 1600), dtype=np.float32)
    photo[0] = 255
    shown = to_display_uint8(photo)
    assert shown.step == 2 and shown.downsampled
    assert shown.pixels.shape == (500, 800, 3) and shown.pixels.dtype == np.uint8
    assert (shown.pixels[..., 0] == 255).all() and (shown.pixels[..., 1:] == 0).all()


def test_display_of_values_outside_0_255_uses_their_range():
    shown = to_display_uint8(np.array([[-2.0, 0.0, 2.0]]))
    assert shown.pixels.tolist() == [[0, 128, 255]]
    assert shown.value_range == (-2.0, 2.0) and shown.step == 1


# -- presets --------------------------------------------------------------------------------------
def test_presets_are_the_documented_grids():
    assert presets.make_preset("worked4x4")[0].tolist() == [
        [1, 3, 2, 4], [5, 6, 1, 2], [7, 2, 8, 1], [3, 4, 0, 6],
    ]
    assert presets.make_preset("checkerboard", size=2)[0].tolist() == [[0, 1], [1, 0]]
    assert presets.make_preset("ramp", size=2)[0].tolist() == [[0, 1], [1, 2]]
    random_grid = presets.make_preset("random", size=5, seed=3)
    again = np.random.default_rng(3).integers(0, 10, size=(5, 5))
    np.testing.assert_array_equal(random_grid[0], again)
    assert random_grid.dtype == np.float32


def test_sample_photo_is_a_coloured_256_square_on_the_image_scale():
    photo = presets.make_preset("photo", mode="rgb")
    assert photo.shape == (3, 256, 256) and photo.dtype == np.float32
    assert photo.min() >= 0 and photo.max() <= 255
    # the sun (top right) is yellow, the sky at the top left is blue, the grass at the bottom green
    sun_r, sun_g, sun_b = photo[:, int(0.18 * 256), int(0.78 * 256)]
    assert sun_r > 200 and sun_g > 180 and sun_b < 100
    sky = photo[:, 2, 2]
    assert sky[2] > sky[0] + 80
    grass = photo[:, 250, :].mean(axis=1)
    assert grass[1] > grass[0] + 50 and grass[1] > grass[2] + 50
    assert presets.make_preset("photo", mode="gray").shape == (1, 256, 256)
