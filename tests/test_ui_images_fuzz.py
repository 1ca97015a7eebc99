"""Damaged files of every accepted format: decoding either works or says what is wrong in words.

A real image of each format is cut short at a random point or has random bytes overwritten; the
decoder must return a (C, H, W) float32 array or raise ImageLoadError — never any other exception.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from pooling_ui.data.images import ImageLoadError, decode_image

# Pillow warns about the damage it reads past; the test is about what reaches the user.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF")


def sample_file(fmt: str) -> bytes:
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 256, size=(24, 32, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=fmt)
    return buffer.getvalue()


SAMPLES = {fmt: sample_file(fmt) for fmt in FORMATS}


def decodes_or_explains(data: bytes, mode: str) -> None:
    try:
        decoded = decode_image(data, mode)
    except ImageLoadError as error:
        assert str(error).strip(), "an ImageLoadError must say what is wrong"
        return
    assert decoded.data.dtype == np.float32 and decoded.data.ndim == 3
    assert decoded.data.shape[0] in (1, 3) and min(decoded.data.shape[1:]) >= 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_sample_decodes_whole(fmt):
    assert decode_image(SAMPLES[fmt], "rgb").data.shape == (3, 24, 32)


@settings(derandomize=True, max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FORMATS), st.floats(0, 1, exclude_max=True),
       st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=6),
       st.sampled_from(["gray", "rgb"]))
def test_a_damaged_file_decodes_or_explains(fmt, keep, flips, mode):
    data = bytearray(SAMPLES[fmt][: max(1, int(len(SAMPLES[fmt]) * keep))])
    for where, value in flips:
        data[int(where * len(data))] = value
    decodes_or_explains(bytes(data), mode)


@settings(derandomize=True, max_examples=60, deadline=None)
@given(st.binary(max_size=64), st.sampled_from(FORMATS))
def test_a_file_starting_like_an_image_then_garbage_is_explained(tail, fmt):
    decodes_or_explains(SAMPLES[fmt][:16] + tail, "gray")
