"""Built-in inputs: small integer grids a teacher would write on a board, and a generated photo.

Every preset is made here with NumPy (no downloaded assets), deterministically. The keys of
:data:`PRESETS` are the names used in the URL (``?input=worked4x4``).

Each maker returns float32 ``(C, H, W)``: ``C = 1`` for the grids, ``C = 3`` (or 1 in grayscale) for
the sample photo, whose values are on the 0..255 scale like an uploaded image.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pooling_ui.data.images import rgb_to_gray

WORKED_4X4 = ((1, 3, 2, 4), (5, 6, 1, 2), (7, 2, 8, 1), (3, 4, 0, 6))
SIZE_RANGE = (2, 64)
DEFAULT_SIZE = 8
PHOTO_SIDE = 256

@dataclass(frozen=True)
class Preset:
    """One built-in input.

    Attributes
    ----------
    key : str
        Stable name, used in the URL; the catalogue has ``presets.<key>.label`` and
        ``presets.<key>.description``.
    sizable : bool
        The grid size can be chosen.
    seeded : bool
        A seed can be chosen.
    is_photo : bool
        Shown as an image rather than a grid of numbers.
    """

    key: str
    sizable: bool = False
    seeded: bool = False
    is_photo: bool = False


PRESETS: dict[str, Preset] = {
    preset.key: preset for preset in (
        Preset("worked4x4"),
        Preset("checkerboard", sizable=True),
        Preset("ramp", sizable=True),
        Preset("stripes", sizable=True),
        Preset("random", sizable=True, seeded=True),
        Preset("photo", is_photo=True),
    )
}
DEFAULT_PRESET = "worked4x4"


def worked_example() -> np.ndarray:
    """The board example as ``(1, 4, 4)`` float32.

    Examples
    --------
    >>> worked_example()[0, 2].tolist()
    [7.0, 2.0, 8.0, 1.0]
    """
    return np.array(WORKED_4X4, dtype=np.float32)[None]


def checkerboard(size: int = DEFAULT_SIZE) -> np.ndarray:
    """``size × size`` cells alternating 0 and 1, starting with 0 at the top left.

    Examples
    --------
    >>> checkerboard(3)[0].astype(int).tolist()
    [[0, 1, 0], [1, 0, 1], [0, 1, 0]]
    """
    rows, cols = np.indices((size, size))
    return ((rows + cols) % 2).astype(np.float32)[None]


def ramp(size: int = DEFAULT_SIZE) -> np.ndarray:
    """``x[i, j] = i + j``.

    Examples
    --------
    >>> ramp(3)[0].astype(int).tolist()
    [[0, 1, 2], [1, 2, 3], [2, 3, 4]]
    """
    rows, cols = np.indices((size, size))
    return (rows + cols).astype(np.float32)[None]


def stripes(size: int = DEFAULT_SIZE) -> np.ndarray:
    """Vertical stripes one cell wide: every row is ``0, 1, 0, 1, …``.

    Examples
    --------
    >>> stripes(4)[0].astype(int).tolist()
    [[0, 1, 0, 1], [0, 1, 0, 1], [0, 1, 0, 1], [0, 1, 0, 1]]
    """
    cols = np.broadcast_to(np.arange(size) % 2, (size, size))
    return cols.astype(np.float32)[None]


def random_integers(size: int = DEFAULT_SIZE, seed: int = 0) -> np.ndarray:
    """Integers 0..9 from ``numpy.random.default_rng(seed)``, as float32 ``(1, size, size)``."""
    generator = np.random.default_rng(seed)
    return generator.integers(0, 10, size=(size, size)).astype(np.float32)[None]


def sample_photo(side: int = PHOTO_SIDE) -> np.ndarray:
    """A generated outdoor scene, float32 ``(3, side, side)`` on the 0..255 scale.

    Sky gradient, a soft-edged sun, a house with a roof, windows and a door, a fence of thin
    stripes, and textured grass: smooth regions, hard edges, fine periodic detail and noise, so
    that max and average pooling visibly differ.
    """
    rows, cols = np.indices((side, side), dtype=np.float64) / side  # 0..1 over the picture
    rng = np.random.default_rng(20240607)
    image = np.zeros((side, side, 3))
    horizon = 0.62

    # sky: deep blue at the top to pale near the horizon
    t = np.clip(rows / horizon, 0, 1)[..., None]
    image[:] = (1 - t) * np.array([40, 90, 190]) + t * np.array([190, 215, 240])

    # sun with a soft rim
    distance = np.hypot(rows - 0.18, cols - 0.78)
    sun = np.clip((0.09 - distance) / 0.015, 0, 1)[..., None]
    image = (1 - sun) * image + sun * np.array([255, 220, 60])

    # grass: green with per-pixel texture and darker blades
    ground = rows >= horizon
    texture = rng.normal(0, 18, (side, side))
    blades = (rng.random((side, side)) < 0.08) * -45
    grass = np.stack([50 + texture, 140 + texture + blades, 45 + 0.5 * texture], axis=-1)
    image[ground] = grass[ground]

    # house: wall, roof (triangle), two windows with crossbars, a door
    wall = (rows >= 0.42) & (rows < 0.80) & (cols >= 0.12) & (cols < 0.48)
    image[wall] = [200, 60, 50]
    roof = (rows >= 0.26) & (rows < 0.42) & (np.abs(cols - 0.30) < (rows - 0.26) * 1.25)
    image[roof] = [70, 45, 40]
    for left in (0.16, 0.36):
        window = (rows >= 0.48) & (rows < 0.60) & (cols >= left) & (cols < left + 0.08)
        image[window] = [240, 240, 200]
        bars = window & ((np.abs(rows - 0.54) < 0.006) | (np.abs(cols - (left + 0.04)) < 0.006))
        image[bars] = [60, 40, 30]
    door = (rows >= 0.62) & (rows < 0.80) & (cols >= 0.27) & (cols < 0.33)
    image[door] = [90, 55, 30]

    # fence: thin white pickets every few pixels, with one rail
    pickets = (np.floor(cols * side) % 6 < 2) & (cols >= 0.55) & (rows >= 0.66) & (rows < 0.80)
    rail = (cols >= 0.55) & (np.abs(rows - 0.70) < 0.008)
    image[pickets | rail] = [245, 245, 245]

    return np.clip(np.rint(image), 0, 255).astype(np.float32).transpose(2, 0, 1).copy()


def make_preset(
    key: str, size: int = DEFAULT_SIZE, seed: int = 0, mode: str = "gray"
) -> np.ndarray:
    """The preset ``key`` as float32 ``(C, H, W)``.

    Parameters
    ----------
    key : str
        One of :data:`PRESETS`.
    size : int
        Grid side for the sizable presets (ignored by the others).
    seed : int
        Seed for ``"random"``.
    mode : {"gray", "rgb"}
        For the photo: grayscale (one channel) or RGB.

    Raises
    ------
    KeyError
        Unknown ``key`` (the panels only pass known keys; a URL value is checked before).
    """
    if key == "worked4x4":
        return worked_example()
    if key == "checkerboard":
        return checkerboard(size)
    if key == "ramp":
        return ramp(size)
    if key == "stripes":
        return stripes(size)
    if key == "random":
        return random_integers(size, seed)
    if key == "photo":
        photo = sample_photo()
        return photo if mode == "rgb" else rgb_to_gray(photo)
    raise KeyError(f"unknown preset {key!r}; known: {', '.join(PRESETS)}")
