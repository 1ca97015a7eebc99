"""Uploaded images → float32 feature maps, decoded in memory; and images for display.

:func:`decode_image` turns the bytes of an uploaded file into a ``(C, H, W)`` float32 array with
values on the 0..255 scale, where ``C`` is 1 (grayscale) or 3 (RGB). Nothing is written to disk.

Conversions (each one is recorded in :attr:`DecodedImage.notes` so the app can say what it did):

* EXIF orientation is applied (``ImageOps.exif_transpose``): a phone photo stands the right way up.
* GIF (and other multi-frame files): the first frame.
* Transparency (RGBA, LA, palette with a transparent colour) is composited on white, as the
  picture would look on a page.
* Palette (P) → its RGB colours. CMYK and YCbCr → RGB by Pillow's conversion (no ICC colour
  management). 1-bit → 0 and 255.
* 16-bit (``I;16*``) → ``v * 255 / 65535``. 32-bit integer (``I``): the same when every value lies
  in 0..65535 (that is how 16-bit files often arrive), otherwise finite min..max → 0..255.
* 32-bit float (``F``): finite min..max → 0..255 (a constant image becomes all 0). NaN and ±inf
  are kept as they are, because how pooling treats NaN and infinities is part of what the app
  shows (a float TIFF's "no data" NaN cells stay visible instead of silently becoming numbers).
* Grayscale output from colour: luma ``0.299 R + 0.587 G + 0.114 B`` (ITU-R 601, the weights of
  Pillow's ``convert("L")``) computed in float, not rounded. A grayscale file asked for in RGB
  stays one channel (there is no colour to pool separately), with a note saying so.

Oversized images are refused from the header, before any pixel is decoded: ``width × height`` is
compared with :data:`MAX_PIXELS` right after ``Image.open`` (which reads only the header).

Every problem with a file raises :class:`ImageLoadError` (a ``ValueError``) whose message says, in
plain words, what was wrong and what is accepted.

The display helper :func:`to_display_uint8` is *not* pooling: it shrinks an array by block means
so that a photo can be shown on screen; views say "downsampled for display" beside it.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from pooling_ui.base.i18n import Message

MAX_PIXELS = 40_000_000
"""Largest accepted ``width × height`` (40 megapixels: a 6000×4000 photo is 24)."""

ACCEPTED_FORMATS = {
    "PNG": "PNG",
    "JPEG": "JPEG",
    "MPO": "JPEG",  # multi-picture JPEG written by many phones and cameras: its first picture
    "WEBP": "WebP",
    "BMP": "BMP",
    "DIB": "BMP",
    "GIF": "GIF",
    "TIFF": "TIFF",
}
UPLOAD_EXTENSIONS = ("png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff")
"""File-name extensions offered by the upload widget."""

LUMA_WEIGHTS = (0.299, 0.587, 0.114)
MODES = ("gray", "rgb")

_EXIF_ORIENTATION_TAG = 0x0112
# EXIF orientations that turn the picture (1 is upright); each has its words in the catalogue
_EXIF_TURNS = (2, 3, 4, 5, 6, 7, 8)


def _accepted() -> Message:
    return Message("images.accepted", {"megapixels": MAX_PIXELS // 1_000_000})


class ImageLoadError(ValueError):
    """A file that cannot be used as an input image; :attr:`message` is meant for the user.

    ``str(error)`` is the English text; ``error.message`` words it in the session's language.
    """

    def __init__(self, code: str, *, with_accepted: bool = True, **fields):
        problem = Message(f"images.{code}", {"megapixels": MAX_PIXELS // 1_000_000, **fields}
                          if code in ("too_large", "bomb") else fields)
        self.code = code
        self.message = (Message("images.with_accepted", {"problem": problem,
                                                         "accepted": _accepted()})
                        if with_accepted else problem)
        super().__init__(self.message.text("en"))


@dataclass(frozen=True, eq=False)
class DecodedImage:
    """A decoded upload.

    Attributes
    ----------
    data : numpy.ndarray
        float32, shape ``(C, H, W)``, values on the 0..255 scale (float images may hold NaN/±inf).
    format : str
        The file format as Pillow names it, e.g. ``"JPEG"``.
    source_mode : str
        Pillow's pixel mode of the file, e.g. ``"RGBA"`` or ``"I;16"``.
    notes : tuple of str
        What was done to the pixels, in plain words (for a caption).
    """

    data: np.ndarray
    format: str
    source_mode: str
    notes: tuple[Message, ...]

    @property
    def channel_names(self) -> tuple[str, ...]:
        return ("R", "G", "B") if self.data.shape[0] == 3 else ("gray",)


def decode_image(data: bytes, mode: str = "gray") -> DecodedImage:
    """Decode image file bytes into a float32 ``(C, H, W)`` array, in memory.

    Parameters
    ----------
    data : bytes
        The whole file.
    mode : {"gray", "rgb"}
        ``"gray"``: one channel. ``"rgb"``: three channels for a colour image (a grayscale image
        stays one channel).

    Returns
    -------
    DecodedImage

    Raises
    ------
    ImageLoadError
        Empty file, not an image, unsupported format or pixel mode, more than :data:`MAX_PIXELS`
        pixels (checked from the header, before decoding), or damaged/truncated data.
    ValueError
        ``mode`` is not ``"gray"`` or ``"rgb"`` (a programming error, not a bad file).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}; got {mode!r}")
    if not data:
        raise ImageLoadError("empty")
    image, fmt = _open_checked(bytes(data))
    source_mode = image.mode
    notes: list[Message] = []
    frames = getattr(image, "n_frames", 1)
    if frames > 1:
        notes.append(Message("images.note_first_frame", {"frames": frames}))
    try:
        image.load()
        image = _apply_exif_orientation(image, notes)
        array = _to_float_channels(image, mode, notes)
    except ImageLoadError:
        raise
    except MemoryError as error:
        raise ImageLoadError("damaged", detail=Message("images.no_memory")) from error
    except Exception as error:  # Pillow reports damaged data with many exception types
        raise ImageLoadError("damaged", detail=_short(error)) from error
    return DecodedImage(
        data=np.ascontiguousarray(array, dtype=np.float32),
        format=fmt,
        source_mode=source_mode,
        notes=tuple(notes),
    )


def _open_checked(data: bytes) -> tuple[Image.Image, str]:
    """``Image.open`` (header only) plus the format and size checks; returns the format too."""
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftyphevc", b"ftypmif1", b"ftypmsf1"):
        raise ImageLoadError("heic")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageLoadError("bomb", with_accepted=False, detail=_short(error)) from error
    except UnidentifiedImageError as error:
        looks_like = _sniff_format(data)
        if looks_like:
            detail = Message("images.bad_header", {"fmt": looks_like})
            raise ImageLoadError("damaged", detail=detail) from error
        raise ImageLoadError("not_image", start=_describe_start(data)) from error
    except Exception as error:  # a recognised format whose header is damaged
        raise ImageLoadError("damaged", detail=_short(error)) from error
    fmt = image.format or "?"
    if fmt not in ACCEPTED_FORMATS:
        raise ImageLoadError("unsupported_format", fmt=fmt)
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise ImageLoadError("too_large", with_accepted=False, width=width, height=height,
                             size=width * height / 1e6)
    return image, ACCEPTED_FORMATS[fmt]


def _apply_exif_orientation(image: Image.Image, notes: list[Message]) -> Image.Image:
    try:
        orientation = image.getexif().get(_EXIF_ORIENTATION_TAG, 1)
    except Exception:  # unreadable EXIF: the pixels are still good, so keep them unrotated
        return image
    if orientation not in _EXIF_TURNS:
        return image
    turned = ImageOps.exif_transpose(image)
    notes.append(Message("images.note_exif", {"how": Message(f"images.exif.{orientation}")}))
    return turned


def _to_float_channels(image: Image.Image, mode: str, notes: list[Message]) -> np.ndarray:
    """Pixel mode → float32 ``(C, H, W)`` on the 0..255 scale (see the module docstring)."""
    source = image.mode
    transparent = source in ("LA", "La", "PA", "P", "RGBA", "RGBa") or "transparency" in image.info
    if source.startswith("I;16"):
        notes.append(Message("images.note_16bit"))
        plane = np.asarray(image).astype(np.float32) * np.float32(255.0 / 65535.0)
        return _gray(plane, mode, notes)
    if source == "I":
        values = np.asarray(image)
        if values.size and values.min() >= 0 and values.max() <= 65535:
            notes.append(Message("images.note_16bit"))
            return _gray(values.astype(np.float32) * np.float32(255.0 / 65535.0), mode, notes)
        return _gray(_rescale_finite(values.astype(np.float64), notes), mode, notes)
    if source == "F":
        return _gray(_rescale_finite(np.asarray(image, dtype=np.float64), notes), mode, notes)
    if transparent:
        rgba = np.asarray(image.convert("RGBA"), dtype=np.float32)
        alpha = rgba[..., 3:] / np.float32(255.0)
        if np.any(alpha < 1):
            notes.append(Message("images.note_alpha"))
        rgb = rgba[..., :3] * alpha + np.float32(255.0) * (1 - alpha)
        if source in ("LA", "La", "L", "1"):
            return _gray(np.ascontiguousarray(rgb[..., 0]), mode, notes)
        return _from_rgb(rgb, mode, notes)
    if source in ("1", "L"):
        return _gray(np.asarray(image.convert("L"), dtype=np.float32), mode, notes)
    if source == "RGB":
        return _from_rgb(np.asarray(image, dtype=np.float32), mode, notes)
    if source == "CMYK":
        notes.append(Message("images.note_cmyk"))
    try:
        converted = image.convert("RGB")
    except ValueError as error:
        raise ImageLoadError("unsupported_mode", mode=source) from error
    return _from_rgb(np.asarray(converted, dtype=np.float32), mode, notes)


def _gray(plane: np.ndarray, mode: str, notes: list[Message]) -> np.ndarray:
    """One channel ``(1, H, W)``; notes that there is no colour when RGB was asked for."""
    if mode == "rgb":
        notes.append(Message("images.note_gray_source"))
    return plane[None, :, :]


def _from_rgb(rgb: np.ndarray, mode: str, notes: list[Message]) -> np.ndarray:
    """``(H, W, 3)`` float → ``(3, H, W)``, or luma ``(1, H, W)`` for ``mode="gray"``."""
    if mode == "rgb":
        return np.ascontiguousarray(np.moveaxis(rgb, -1, 0))
    notes.append(Message("images.note_luma"))
    return _luma_hwc(rgb)[None]


def _luma_hwc(rgb_hwc: np.ndarray) -> np.ndarray:
    # float32 matrix-vector product: ~40× faster than float64 on a 12 MP photo; the result
    # differs from exact arithmetic by at most one float32 rounding step (~1e-5 at 255)
    return np.asarray(rgb_hwc, dtype=np.float32) @ np.asarray(LUMA_WEIGHTS, dtype=np.float32)


def rgb_to_gray(rgb: np.ndarray) -> np.ndarray:
    """``(3, H, W)`` → ``(1, H, W)`` float32 luma ``0.299 R + 0.587 G + 0.114 B``.

    Examples
    --------
    >>> red = np.array([255, 0, 0], dtype=np.float32).reshape(3, 1, 1)
    >>> round(float(rgb_to_gray(red)[0, 0, 0]), 4)
    76.245
    """
    return _luma_hwc(np.moveaxis(np.asarray(rgb), 0, -1))[None]


def _rescale_finite(values: np.ndarray, notes: list[Message]) -> np.ndarray:
    """Finite min..max → 0..255; NaN and ±inf kept (see the module docstring)."""
    finite = np.isfinite(values)
    out = values.astype(np.float32)
    nonfinite = int(values.size - np.count_nonzero(finite))
    if nonfinite:
        notes.append(Message("images.note_nonfinite", {"count": nonfinite}))
    if not finite.any():
        return out
    lo, hi = float(values[finite].min()), float(values[finite].max())
    notes.append(Message("images.note_minmax", {"lo": lo, "hi": hi}))
    scale = 255.0 / (hi - lo) if hi > lo else 0.0
    out[finite] = ((values[finite] - lo) * scale).astype(np.float32)
    return out


_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)


def _sniff_format(data: bytes) -> str | None:
    """The accepted format whose signature ``data`` starts with, if any."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    return next((name for magic, name in _SIGNATURES if data.startswith(magic)), None)


def _describe_start(data: bytes) -> Message:
    head = data[:8]
    if all(32 <= b < 127 or b in (9, 10, 13) for b in head):
        text = head.decode("ascii").replace("\n", " ").replace("\r", " ").replace("\t", " ")
        return Message("images.start_text", {"text": text})
    return Message("images.start_bytes", {"bytes": " ".join(f"{b:02X}" for b in head)})


def _short(error: BaseException, limit: int = 160) -> str:
    text = str(error).strip() or type(error).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bytes_digest(data: bytes) -> str:
    """A short content hash of ``data`` (to notice that the same file was uploaded again)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def load_image_cached(data: bytes, mode: str) -> DecodedImage:
    """:func:`decode_image`, cached by Streamlit on the bytes' hash and ``mode``.

    A 12-megapixel photo is decoded once; later reruns with the same file and mode — in any
    session — get the same decoded image, read-only and shared (``st.cache_resource``), not a
    48 MB copy per session. Errors are not cached (Streamlit does not cache exceptions), which is
    what we want: they are cheap to reproduce and carry the message.
    """
    return _load_image_cached(data, mode)


def _cached_decode(data: bytes, mode: str) -> DecodedImage:
    decoded = decode_image(data, mode)
    decoded.data.setflags(write=False)  # shared by every session that uploads these bytes
    return decoded


def _make_cached():
    from pooling_ui.base.caching import cache_resource

    # few entries: a 40-megapixel RGB image is ~480 MB as float32 (each session showing one keeps
    # its own reference; the caller shows the spinner, worded in its session's language)
    return cache_resource(4)(_cached_decode)


_load_image_cached = _make_cached()


@dataclass(frozen=True, eq=False)
class DisplayImage:
    """An image ready for ``st.image``.

    Attributes
    ----------
    pixels : numpy.ndarray
        uint8, ``(H', W')`` or ``(H', W', 3)``.
    step : int
        Each displayed pixel is the mean of a ``step × step`` block of the array (1: full size).
    value_range : tuple of float
        The values shown as black and white.
    """

    pixels: np.ndarray
    step: int
    value_range: tuple[float, float]

    @property
    def downsampled(self) -> bool:
        return self.step > 1


def display_step(height: int, width: int, max_side: int = 800) -> int:
    """Smallest block size that makes the long side at most ``max_side`` pixels.

    Examples
    --------
    >>> display_step(4000, 6000), display_step(600, 800), display_step(801, 10)
    (8, 1, 2)
    """
    return max(1, -(-max(height, width) // max_side))


def block_mean(plane_stack: np.ndarray, step: int) -> np.ndarray:
    """Mean over ``step × step`` blocks of the last two axes (the last blocks may be smaller).

    For display only. NaN cells are left out of their block's mean; an all-NaN block is NaN.

    Examples
    --------
    >>> block_mean(np.arange(16, dtype=np.float32).reshape(1, 4, 4), 2)[0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]], dtype=float32)
    """
    values = np.asarray(plane_stack, dtype=np.float32)
    if step <= 1:
        return values
    height, width = values.shape[-2:]
    rows, cols = np.arange(0, height, step), np.arange(0, width, step)

    def block_sum(array: np.ndarray) -> np.ndarray:
        return np.add.reduceat(np.add.reduceat(array, rows, axis=-2), cols, axis=-1)

    nan = np.isnan(values)
    if not nan.any():
        # the common case, kept fast for 12-megapixel photos: no mask needed
        counts = np.diff(np.append(rows, height))[:, None] * np.diff(np.append(cols, width))
        return (block_sum(values) / counts.astype(np.float32)).astype(np.float32)
    counts = block_sum((~nan).astype(np.float32))
    with np.errstate(invalid="ignore", divide="ignore"):
        return (block_sum(np.where(nan, np.float32(0), values)) / counts).astype(np.float32)


def to_display_uint8(
    data: np.ndarray, max_side: int = 800, value_range: tuple[float, float] | None = None,
    *, step: int | None = None,
) -> DisplayImage:
    """Shrink ``(C, H, W)`` (or ``(H, W)``) values for display and map them to uint8.

    This is not pooling: it is how a big photo is put on screen (block means by an integer step
    so that the long side is at most ``max_side``). The caller should say "downsampled for
    display" when :attr:`DisplayImage.downsampled` is true.

    Parameters
    ----------
    data : numpy.ndarray
        ``(H, W)``, ``(1, H, W)`` or ``(3, H, W)``.
    max_side : int
        Longest side of the result in pixels.
    value_range : (float, float), optional
        Values shown as black and white. Default: 0..255 when every finite value lies there
        (images), else the finite min..max. NaN is shown black; values outside are clipped.
    step : int, optional
        The block size to use instead of the one ``max_side`` implies: pictures that must be
        shown at one scale (an input and its pooled output) share it.

    Returns
    -------
    DisplayImage

    Examples
    --------
    >>> shown = to_display_uint8(np.array([[0.0, 255.0], [127.5, np.nan]]))
    >>> shown.pixels.tolist(), shown.step
    ([[0, 255], [128, 0]], 1)
    """
    values = np.asarray(data, dtype=np.float32)
    if values.ndim == 2:
        values = values[None]
    if values.ndim != 3 or values.shape[0] not in (1, 3):
        raise ValueError(f"expected (H, W), (1, H, W) or (3, H, W); got shape {values.shape}")
    if step is None:
        step = display_step(values.shape[1], values.shape[2], max_side)
    step = max(1, int(step))
    small = block_mean(values, step)
    if value_range is None:
        value_range = _default_range(small)
    lo, hi = float(value_range[0]), float(value_range[1])
    scale = 255.0 / (hi - lo) if hi > lo else 0.0
    with np.errstate(invalid="ignore"):
        scaled = np.clip((small - lo) * scale, 0, 255)
    pixels = np.rint(np.nan_to_num(scaled, nan=0.0)).astype(np.uint8)
    pixels = pixels[0] if pixels.shape[0] == 1 else np.moveaxis(pixels, 0, -1)
    return DisplayImage(np.ascontiguousarray(pixels), step, (lo, hi))


def _default_range(values: np.ndarray) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0, 255.0
    lo, hi = float(finite.min()), float(finite.max())
    if lo >= 0.0 and hi <= 255.0:
        return 0.0, 255.0
    return lo, hi
