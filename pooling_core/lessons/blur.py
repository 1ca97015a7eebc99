"""Anti-aliased pooling (BlurPool, MaxBlurPool), shifting an input, and how much an output changes.

Subsampling a signal without low-pass filtering it first aliases: a detail smaller than the
stride lands in one output cell or another depending on where the grid happens to fall, so
moving the input by one cell can change the output a lot. Zhang (2019), "Making Convolutional
Networks Shift-Invariant Again", splits strided pooling in two: evaluate densely (stride 1), then
blur with a small binomial filter and subsample (``BlurPool``). Max pooling becomes
``MaxBlurPool`` = max with stride 1, then ``BlurPool`` with the stride.

This module is written from the paper's description (not from its reference code):

* :data:`BINOMIAL_ROWS` — the binomial filters of sizes 1..7 as data; the 2-D filter is the outer
  product of a row with itself, divided by its sum (:func:`binomial_filter`).
* :func:`blur_pool2d` — each plane padded by ``(f-1)//2`` cells before and ``f//2`` cells after on
  each axis (reflect, as Zhang's ``ReflectionPad2d``), filtered with the binomial filter
  (a depthwise convolution: every plane on its own), one output every ``stride`` cells. The output
  has ``ceil(n / stride)`` cells per axis.
* :func:`max_blur_pool2d` — :func:`pooling_core.pool2d` ``"max"`` with stride 1 and no padding
  (PyTorch's ``MaxPool2d(kernel_size, stride=1)``), then :func:`blur_pool2d` with the stride.
* :func:`shift2d` — move the content by whole or fractional cells, wrapping around (circular).
* :func:`shift_change` — the fraction of output cells that changed, and the mean absolute change
  (:func:`changed_cells`: which).
* :func:`aligned_change` — the mean absolute change left once the unshifted output is moved by
  the whole number of output cells nearest to ``shift / stride``: what the content's motion does
  not explain (aliasing, and the border for a non-circular shift).

>>> import numpy as np, pooling_core as pc
>>> x = np.array([[0, 0, 1, 1, 0, 0, 1, 1]], dtype=np.float32)
>>> pc.pool2d(x, "max", (1, 2)), pc.pool2d(shift2d(x, (0, 1)), "max", (1, 2))
(array([[0., 1., 0., 1.]], dtype=float32), array([[1., 1., 1., 1.]], dtype=float32))
"""

from __future__ import annotations

import math
import numbers
from typing import NamedTuple

import numpy as np

from ..errors import PoolingError
from ..params import as_pair
from ..pool import as_compute_array, pool2d

# Row n is the binomial coefficients C(n-1, i): Pascal's triangle, the filters of sizes 1..7.
BINOMIAL_ROWS: dict[int, tuple[int, ...]] = {
    1: (1,),
    2: (1, 1),
    3: (1, 2, 1),
    4: (1, 3, 3, 1),
    5: (1, 4, 6, 4, 1),
    6: (1, 5, 10, 10, 5, 1),
    7: (1, 6, 15, 20, 15, 6, 1),
}
FILTER_SIZES = tuple(BINOMIAL_ROWS)
# How the border is extended before blurring, by the names PyTorch's F.pad uses.
PAD_MODES = ("reflect", "replicate", "zeros")
_NUMPY_PAD_MODES = {"reflect": "reflect", "replicate": "edge", "zeros": "constant"}
# A cell "changed" when it moved by more than this share of the largest |value| of the
# unshifted output (at least 1): float32 rounding of a blur is about 1e-7 of its values.
CHANGE_TOLERANCE = 1e-5


def binomial_filter(filter_size: int = 3) -> np.ndarray:
    """The normalised 2-D binomial filter of ``filter_size`` × ``filter_size`` (float64).

    Parameters
    ----------
    filter_size : int
        1..7; 1 is no blur at all (plain subsampling), 2 a box, 3 ``[1, 2, 1]``, 5
        ``[1, 4, 6, 4, 1]``.

    Returns
    -------
    ndarray, shape (filter_size, filter_size)
        ``outer(row, row) / sum(row)²``: non-negative, sums to 1.

    Examples
    --------
    >>> binomial_filter(3) * 16
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    >>> float(binomial_filter(5).sum())
    1.0
    """
    row = np.asarray(BINOMIAL_ROWS[_check_filter_size(filter_size)], dtype=np.float64)
    return np.outer(row, row) / row.sum() ** 2


def _check_filter_size(filter_size) -> int:
    if (isinstance(filter_size, bool) or not isinstance(filter_size, numbers.Integral)
            or int(filter_size) not in BINOMIAL_ROWS):
        raise PoolingError("filter_size", choices=", ".join(map(str, FILTER_SIZES)),
                           value=filter_size)
    return int(filter_size)


def _check_planes(x) -> np.ndarray:
    array = as_compute_array(x)
    if array.ndim not in (2, 3, 4):
        raise PoolingError("bad_ndim_2d", shape=tuple(array.shape))
    if 0 in array.shape[-2:]:
        raise PoolingError("empty_spatial", shape=tuple(array.shape))
    return array


def blur_pool2d(x, filter_size: int = 3, stride=2, pad_mode: str = "reflect") -> np.ndarray:
    """Blur each plane with the binomial filter, then keep every ``stride``-th cell (BlurPool).

    Each of the last two axes is padded with ``(filter_size - 1) // 2`` cells before and
    ``filter_size // 2`` cells after, then the filter is applied at every ``stride``-th position
    (a depthwise strided convolution: each plane on its own). The result is exactly PyTorch's
    ``F.conv2d(F.pad(x, (lo, hi, lo, hi), mode=pad_mode), filter, stride=stride, groups=C)``.

    Parameters
    ----------
    x : array_like, shape (H, W), (C, H, W) or (N, C, H, W)
        float32 stays float32, float64 stays float64; other numbers are computed as float32.
    filter_size : int
        1..7, see :func:`binomial_filter`. 1 means no blur (plain subsampling).
    stride : int or (int, int)
        One output every ``stride`` cells.
    pad_mode : {"reflect", "replicate", "zeros"}
        How the border is extended: mirrored without repeating the edge cell (Zhang's choice;
        PyTorch needs the padding to be smaller than the axis), the edge cell repeated, or zeros.

    Returns
    -------
    ndarray, shape (..., ceil(H / stride_h), ceil(W / stride_w))

    Raises
    ------
    PoolingError
        For a filter size outside 1..7, a stride < 1, an unknown pad mode, or reflect padding
        as large as the axis.

    Examples
    --------
    The hand-worked case: rows ``[0, 0, 1, 1, 0, 0, 1, 1]`` with ``[1, 2, 1] / 4`` (three equal
    rows, so blurring down the columns leaves them as they are). Reflect-padded by one cell each
    side a row reads ``0 | 0 0 1 1 0 0 1 1 | 1``; the windows starting at cells 0, 2, 4, 6 give
    ``(0+0+0)/4, (0+2+1)/4, (1+0+0)/4, (0+2+1)/4``:

    >>> x = np.array([[0, 0, 1, 1, 0, 0, 1, 1]] * 3, dtype=np.float32)
    >>> blur_pool2d(x, 3, stride=2)[1]
    array([0.  , 0.75, 0.25, 0.75], dtype=float32)
    """
    array = _check_planes(x)
    size = _check_filter_size(filter_size)
    strides = as_pair(stride, "stride", 1)
    if pad_mode not in PAD_MODES:
        raise PoolingError("pad_mode", choices=", ".join(PAD_MODES), value=pad_mode)
    low, high = (size - 1) // 2, size // 2
    if pad_mode == "reflect":
        for axis, n in zip(("height", "width"), array.shape[-2:], strict=True):
            if high >= n:
                raise PoolingError("reflect_too_small", pad=high, axis=axis, minimum=high + 1,
                                   n=int(n))
    row = np.asarray(BINOMIAL_ROWS[size], dtype=np.float64)
    taps = (row / row.sum()).astype(array.dtype)
    widths = [(0, 0)] * (array.ndim - 2) + [(low, high), (low, high)]
    padded = np.pad(array, widths, mode=_NUMPY_PAD_MODES[pad_mode])
    # the 2-D filter is an outer product: filter the rows, then the columns, each at the stride
    out = padded
    for axis, step in ((-2, strides[0]), (-1, strides[1])):
        n_out = math.ceil(array.shape[axis] / step)
        span = (n_out - 1) * step + 1
        blurred = np.zeros(out.shape[:axis] + (n_out,) + out.shape[axis:][1:], dtype=array.dtype)
        for tap, weight in enumerate(taps):
            index = [slice(None)] * out.ndim
            index[axis] = slice(tap, tap + span, step)
            blurred += weight * out[tuple(index)]
        out = blurred
    return out


def max_blur_pool2d(x, kernel_size=2, stride=2, filter_size: int = 3,
                    pad_mode: str = "reflect") -> np.ndarray:
    """Max over each window with stride 1, then :func:`blur_pool2d` with ``stride``
    (MaxBlurPool).

    The first step is PyTorch's ``MaxPool2d(kernel_size, stride=1)`` (no padding): the densely
    evaluated max, which does not alias because it does not subsample. The blur then removes the
    frequencies the subsampling would fold back.

    Parameters
    ----------
    x : array_like, shape (H, W), (C, H, W) or (N, C, H, W)
    kernel_size : int or (int, int)
        The max window.
    stride : int or (int, int)
        The subsampling, done by the blur.
    filter_size : int
        1..7, see :func:`binomial_filter`; 1 (no blur) gives back plain max pooling,
        ``pool2d(x, "max", kernel_size, stride)``.
    pad_mode : {"reflect", "replicate", "zeros"}

    Returns
    -------
    ndarray, shape (..., ceil((H - k_h + 1) / s_h), ceil((W - k_w + 1) / s_w))

    Examples
    --------
    >>> x = np.array([[0, 0, 1, 1, 0, 0, 1, 1]] * 4, dtype=np.float32)
    >>> pool2d(x, "max", 2, stride=1)[0]          # the dense max: 7 windows of 2×2
    array([0., 1., 1., 1., 0., 1., 1.], dtype=float32)
    >>> max_blur_pool2d(x, 2, stride=2, filter_size=3)[0]   # blurred by [1, 2, 1] / 4, stride 2
    array([0.5, 1. , 0.5, 1. ], dtype=float32)
    """
    dense = pool2d(x, "max", kernel_size=kernel_size, stride=1)
    return blur_pool2d(dense, filter_size, stride, pad_mode)


def shift2d(x, shift) -> np.ndarray:
    """The content of ``x`` moved ``shift = (rows, columns)`` cells down and right, wrapping around.

    Whole shifts are ``np.roll`` on the last two axes: ``out[i, j] = x[i - rows, j - cols]``
    (indices taken modulo the size). A fractional part moves by linear interpolation between the
    two nearest whole shifts: ``(1 - f) · roll(x, n) + f · roll(x, n + 1)`` per axis, with the
    same wrap-around at the edges (the cell that leaves on the right comes back on the left), so
    that nothing is invented at the border and a whole shift is the special case ``f = 0``.
    Negative shifts move up and left.

    Parameters
    ----------
    x : array_like, shape (H, W), (C, H, W) or (N, C, H, W)
    shift : (float, float)
        Rows down, columns right.

    Returns
    -------
    ndarray, the shape and compute dtype of ``x``

    Examples
    --------
    >>> shift2d(np.array([[1, 2, 3, 4]], dtype=np.float32), (0, 1))
    array([[4., 1., 2., 3.]], dtype=float32)
    >>> shift2d(np.array([[0, 0, 4, 0]], dtype=np.float32), (0, 0.25))
    array([[0., 0., 3., 1.]], dtype=float32)
    """
    array = _check_planes(x)
    pair = _shift_pair(shift)
    out = array
    for axis, amount in zip((-2, -1), pair, strict=True):
        whole = math.floor(amount)
        part = amount - whole
        rolled = np.roll(out, whole, axis=axis)
        if part:
            rolled = ((1 - part) * rolled + part * np.roll(rolled, 1, axis=axis)).astype(
                array.dtype)
        out = rolled
    return out


class Change(NamedTuple):
    """How much a pooled output changed when its input was shifted."""

    fraction: float
    """Share of the output cells whose value changed (beyond the tolerance), 0..1."""
    mean_abs: float
    """Mean of ``|after - before|`` over the cells where both are finite (NaN if none)."""


def changed_cells(before, after, tolerance: float = CHANGE_TOLERANCE) -> np.ndarray:
    """Which cells of ``after`` differ from ``before``, by the rule of :func:`shift_change`.

    Examples
    --------
    >>> changed_cells([0, 1, 0, 1], [1, 1, 1, 1])
    array([ True, False,  True, False])
    """
    old, new = _same_shape(before, after)
    finite = np.isfinite(old) & np.isfinite(new)
    scale = max(1.0, float(np.max(np.abs(old), where=np.isfinite(old), initial=0.0)))
    same_special = ~finite & ((old == new) | (np.isnan(old) & np.isnan(new)))
    with np.errstate(invalid="ignore"):
        moved = np.abs(new - old) > tolerance * scale
    return np.where(finite, moved, ~same_special)


def _same_shape(before, after) -> tuple[np.ndarray, np.ndarray]:
    old = np.asarray(before, dtype=np.float64)
    new = np.asarray(after, dtype=np.float64)
    if old.shape != new.shape:
        raise PoolingError("change_shapes", before=tuple(old.shape), after=tuple(new.shape))
    return old, new


def shift_change(before, after, tolerance: float = CHANGE_TOLERANCE) -> Change:
    """Compare ``pooled(shift(x, s))`` with ``pooled(x)`` cell by cell (same shape).

    A cell counts as changed when ``|after - before| > tolerance · max(1, max|before|)`` (the
    largest finite ``|before|``), or when one of the two is not finite and they differ (NaN
    equals NaN here); :func:`changed_cells` gives the cells. ``mean_abs`` is the mean of
    ``|after - before|`` over the cells where both are finite.

    Parameters
    ----------
    before, after : array_like of the same shape
    tolerance : float
        Relative to the unshifted output's scale, for rounding: :data:`CHANGE_TOLERANCE`.

    Returns
    -------
    Change
        ``(fraction, mean_abs)``.

    Examples
    --------
    The hand-worked case: max pooling ``[0, 0, 1, 1, 0, 0, 1, 1]`` with windows of 2 gives
    ``[0, 1, 0, 1]``, shifted by one ``[1, 1, 1, 1]``: 2 of 4 cells change, by 1 each, so the mean
    change is 2 / 4.

    >>> shift_change([0, 1, 0, 1], [1, 1, 1, 1])
    Change(fraction=0.5, mean_abs=0.5)
    """
    old, new = _same_shape(before, after)
    if old.size == 0:
        return Change(0.0, 0.0)
    finite = np.isfinite(old) & np.isfinite(new)
    difference = np.abs(np.where(finite, new - old, 0.0))
    changed = changed_cells(old, new, tolerance)
    mean_abs = float(difference.sum() / finite.sum()) if finite.any() else math.nan
    return Change(float(changed.mean()), mean_abs)


def _shift_pair(shift) -> tuple[float, float]:
    try:
        pair = tuple(float(value) for value in shift)
    except (TypeError, ValueError):
        raise PoolingError("shift_not_number", value=shift) from None
    if len(pair) != 2 or not all(math.isfinite(value) for value in pair):
        raise PoolingError("shift_not_number", value=shift)
    return pair


def output_shifts(shift, stride) -> list[tuple[int, int]]:
    """The whole output shifts nearest to ``shift / stride``: floor and ceiling on each axis.

    Examples
    --------
    >>> output_shifts((0, 1), (2, 2)), output_shifts((0, 2), (2, 2)), output_shifts((3, 0), 2)
    ([(0, 0), (0, 1)], [(0, 1)], [(1, 0), (2, 0)])
    """
    rows, cols = _shift_pair(shift)
    steps = as_pair(stride, "stride", 1)
    near = [sorted({math.floor(amount / step), math.ceil(amount / step)})
            for amount, step in zip((rows, cols), steps, strict=True)]
    return [(down, right) for down in near[0] for right in near[1]]


def aligned_change(before, after, shift, stride) -> float:
    """Mean ``|after - roll(before, m)|`` for the best whole output shift ``m`` near
    ``shift / stride``: the change that the content moving does not explain.

    Pooling with stride ``s`` can follow a shift of the input only in whole strides: moving the
    input ``δ = m·s`` cells should move the output ``m`` cells (Zhang 2019, "Making Convolutional
    Networks Shift-Invariant Again", ICML 2019: shift-equivariance, which strided layers can have at
    best for shifts that are multiples of the stride). So ``before`` is moved by each whole
    output shift nearest to ``δ / s`` (floor and ceiling per axis, :func:`output_shifts`;
    circularly, like :func:`shift2d`), and the smallest mean absolute difference from ``after``
    is kept. For ``δ`` a multiple of the stride there is one candidate and the result is the
    equivariance error (0 for a circular shift of an input whose size the windows tile, else the
    border); in between, it is what no aligned copy of the old output explains — aliasing. The
    cell-by-cell mean ``|Δ|`` of :func:`shift_change` counts the content's own motion as change
    as well.

    Parameters
    ----------
    before, after : array_like of the same shape (..., H_out, W_out)
        The pooled input and the pooled shifted input.
    shift : (float, float)
        The input's shift in cells (rows down, columns right), as given to :func:`shift2d`.
    stride : int or (int, int)
        The pooling's stride.

    Returns
    -------
    float
        Over the cells where both are finite; NaN if there are none, 0 for empty outputs.

    Examples
    --------
    Zhang's row ``[0, 0, 1, 1, 0, 0, 1, 1]``, max pooled with windows of 2 and stride 2, gives
    ``[0, 1, 0, 1]``. Shifted right by one cell it gives ``[1, 1, 1, 1]``: δ/s = 1/2, so the
    candidates are the old output moved by 0 (``[0, 1, 0, 1]``) and by 1 (``[1, 0, 1, 0]``),
    each 2 cells off by 1 — a mean of 2/4 for both. Shifted by two cells (one stride) it gives
    ``[1, 0, 1, 0]``, exactly the old output moved by one cell: 0, although every cell changed.

    >>> aligned_change([[0, 1, 0, 1]], [[1, 1, 1, 1]], (0, 1), (1, 2))
    0.5
    >>> aligned_change([[0, 1, 0, 1]], [[1, 0, 1, 0]], (0, 2), (1, 2))
    0.0
    """
    old, new = _same_shape(before, after)
    if old.ndim < 2:
        raise PoolingError("bad_ndim_2d", shape=tuple(old.shape))
    if old.size == 0:
        return 0.0
    best = math.nan
    for moves in output_shifts(shift, stride):
        moved = np.roll(old, moves, axis=(-2, -1))
        finite = np.isfinite(moved) & np.isfinite(new)
        if not finite.any():
            continue
        value = float(np.abs(np.where(finite, new - moved, 0.0)).sum() / finite.sum())
        best = value if math.isnan(best) else min(best, value)
    return best
