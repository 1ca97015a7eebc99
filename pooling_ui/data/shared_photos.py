"""A photo shared with a live class: the picture the app pools, reduced and written as PNG.

An uploaded photo is pooled at its full size (up to :data:`~pooling_ui.data.images.MAX_PIXELS`),
as float32 values on the 0..255 scale. Shared with a class it is first reduced
(:func:`reduce_photo`): block means over ``step × step`` pixels, ``step`` the smallest whole number
that makes the long side at most :data:`PHOTO_SIDE` (the blocks of
:func:`~pooling_ui.data.images.block_mean`, the last ones smaller when ``step`` does not divide
the side), then rounded to 8 bits (``numpy.rint``: halves to even; NaN, left out of a block's mean,
and an all-NaN block's value become 0, +inf 255, -inf 0; values clipped to 0..255). Gray stays one
channel (PNG mode ``L``), colour three (``RGB``).

:func:`encode_png` writes those pixels and nothing else: no EXIF, no text chunks, no location —
what leaves the teacher's session is the picture the class pools, never the uploaded file.
:func:`decode_png` reads them back as the ``(C, H, W)`` float32 array every session pools: the
teacher's session pools the decoded PNG too, so that the teacher and the class pool exactly the
same numbers.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from pooling_ui.data import images

PHOTO_SIDE = 512
"""Longest side, in pixels, of a photo shared with the class (a 512×512 colour PNG is < 1 MiB)."""


def reduced_shape(height: int, width: int) -> tuple[int, int]:
    """The ``(height, width)`` a ``height × width`` photo is reduced to.

    Examples
    --------
    >>> reduced_shape(3000, 4000), reduced_shape(512, 300), reduced_shape(1025, 10)
    ((375, 500), (512, 300), (342, 4))
    """
    step = images.display_step(height, width, PHOTO_SIDE)
    return -(-height // step), -(-width // step)


def reduce_photo(data: np.ndarray) -> np.ndarray:
    """``(C, H, W)`` values on the 0..255 scale → uint8 ``(C, h, w)``, long side at most
    :data:`PHOTO_SIDE` (see the module's docstring).

    Examples
    --------
    >>> x = np.array([[[0, 1, 2, 3], [4, 5, 6, np.nan]]], dtype=np.float32)
    >>> reduce_photo(x).tolist()
    [[[0, 1, 2, 3], [4, 5, 6, 0]]]
    """
    values = np.asarray(data, dtype=np.float32)
    step = images.display_step(values.shape[-2], values.shape[-1], PHOTO_SIDE)
    with np.errstate(invalid="ignore"):  # inf - inf in a block: NaN, then 0 below
        small = images.block_mean(values, step)
    small = np.nan_to_num(small, nan=0.0, posinf=255.0, neginf=0.0)
    return np.rint(np.clip(small, 0.0, 255.0)).astype(np.uint8)


def encode_png(pixels: np.ndarray) -> bytes:
    """uint8 ``(1, h, w)`` or ``(3, h, w)`` → the bytes of a PNG holding only those pixels."""
    array = np.asarray(pixels, dtype=np.uint8)
    image = (Image.fromarray(np.ascontiguousarray(array[0]), "L") if array.shape[0] == 1
             else Image.fromarray(np.ascontiguousarray(np.moveaxis(array, 0, -1)), "RGB"))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False, compress_level=6)
    return buffer.getvalue()


def decode_png(data: bytes) -> np.ndarray:
    """A shared photo's PNG → float32 ``(C, H, W)`` (read-only), as every session pools it.

    Raises
    ------
    ValueError
        Not a PNG of mode ``L`` or ``RGB`` with a long side of at most :data:`PHOTO_SIDE`
        (the database holds what a teacher's session wrote, but it is data all the same).
    """
    try:
        with Image.open(io.BytesIO(bytes(data))) as image:
            if image.format != "PNG" or image.mode not in ("L", "RGB"):
                raise ValueError(f"not an L or RGB PNG: {image.format} {image.mode}")
            if max(image.size) > PHOTO_SIDE:
                raise ValueError(f"larger than {PHOTO_SIDE} pixels a side: {image.size}")
            array = np.asarray(image, dtype=np.float32)
    except ValueError:
        raise
    except Exception as error:  # Pillow reports damaged data with many exception types
        raise ValueError(f"unreadable PNG: {error}") from error
    array = array[None] if array.ndim == 2 else np.moveaxis(array, -1, 0)
    array = np.ascontiguousarray(array, dtype=np.float32)
    array.setflags(write=False)
    return array
