"""What one window does, for people: its cells, values, divisor, winner and the arithmetic.

The app shows these; the numbers come from the same :class:`~pooling_core.windows.Windows` and
kinds as :func:`pooling_core.pool2d`, so the explanation cannot drift from the computation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .errors import PoolingError
from .kinds import fmt
from .pool import kind_spec, plan, pool2d, pooling_windows


@dataclass(frozen=True)
class Geometry:
    """Where the windows of a ``(H, W)`` plane fall.

    Attributes
    ----------
    in_hw, out_hw : (int, int)
    row_taps : ndarray, shape (H_out, kh)
        Input row of each tap of each output row; ``< 0`` or ``≥ H`` is padding.
    col_taps : ndarray, shape (W_out, kw)
    pad : ((int, int), (int, int))
        Padding cells the windows reach on the (top, bottom) and (left, right), including the
        ceil-mode overhang — what a picture of the padded input needs to show.
    """

    in_hw: tuple[int, int]
    out_hw: tuple[int, int]
    row_taps: np.ndarray
    col_taps: np.ndarray
    pad: tuple[tuple[int, int], tuple[int, int]]

    def cells(self, out_row: int, out_col: int) -> list[tuple[int, int]]:
        """Input ``(row, col)`` of every tap of one window, in window order (padding included)."""
        return [(int(r), int(c)) for r in self.row_taps[out_row] for c in self.col_taps[out_col]]

    def is_padding(self, row: int, col: int) -> bool:
        return not (0 <= row < self.in_hw[0] and 0 <= col < self.in_hw[1])


def window_geometry(in_hw, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """The windows of :func:`pooling_core.pool2d` over a plane of ``in_hw = (H, W)``.

    Parameters
    ----------
    in_hw : (int, int)
        The plane's height and width.
    kernel_size, stride, padding, dilation, ceil_mode
        As for :func:`pooling_core.pool2d` (checked the same way).

    Returns
    -------
    Geometry

    Raises
    ------
    PoolingError
        For any invalid argument.

    Examples
    --------
    >>> g = window_geometry((4, 4), 2, padding=1)
    >>> g.out_hw, g.pad
    ((3, 3), ((1, 1), (1, 1)))
    >>> g.cells(0, 0)
    [(-1, -1), (-1, 0), (0, -1), (0, 0)]
    >>> window_geometry((5, 5), 2, 2, ceil_mode=True).pad      # the last window overhangs by one
    ((0, 1), (0, 1))
    """
    windows = pooling_windows(tuple(in_hw), kernel_size, stride, padding, dilation, ceil_mode)
    pads = []
    for axis in (windows.rows, windows.cols):
        taps = axis.taps
        pads.append((int(max(-taps.min(), 0)), int(max(taps.max() - (axis.n - 1), 0))))
    return Geometry(tuple(int(n) for n in in_hw), windows.out_shape, windows.rows.taps.copy(),
                    windows.cols.taps.copy(), (pads[0], pads[1]))


@dataclass(frozen=True)
class Explanation:
    """One output cell's window, worked out.

    Attributes
    ----------
    kind : str
    out_index : (int, int)
    cells : list of (int, int)
        Input position of each tap in window order (padding outside the input).
    values : list of float or None
        The input value at each tap; None for padding.
    weights : list of float or None
        Each tap's weight in the sum (avg: 1/divisor; weighted: its weight), else None.
    result : float
        ``pool2d(...)[out_index]``.
    winner : (int, int) or None
        For the kinds whose output is one input cell (max, min, median, stochastic while
        training): the cell the output (and its gradient) comes from.
    divisor : float or None
        For the averaging kinds: what the sum is divided by.
    divisor_reason : str or None
        ``"window"`` (all taps), ``"padding_counted"``, ``"inside_only"`` (count_include_pad=False
        or string padding), ``"overhang"`` (ceil mode: taps past the padding are not counted),
        ``"override"``.
    formula : str
        The arithmetic with the actual numbers, e.g. ``y[1,0] = max(3, 7, 2, 5) = 7``: symbols
        and numbers only, no words, so it reads the same in every language (each kind writes its
        own: :meth:`pooling_core.kinds.Kind.formula`).
    """

    kind: str
    out_index: tuple[int, int]
    cells: list
    values: list
    weights: list | None
    result: float
    winner: tuple[int, int] | None
    divisor: float | None
    divisor_reason: str | None
    formula: str


def explain(x, out_row, out_col, kind="max", kernel_size=2, stride=None, padding=0, dilation=1,
            ceil_mode=False, count_include_pad=True, divisor_override=None, **options):
    """Explain output ``y[out_row, out_col]`` of ``pool2d`` on a single plane ``x`` (H, W).

    Parameters
    ----------
    x : array_like, shape (H, W)
    out_row, out_col : int
        The output cell, 0-based.
    kind, kernel_size, stride, padding, dilation, ceil_mode, count_include_pad, divisor_override,
    **options
        As for :func:`pooling_core.pool2d`.

    Returns
    -------
    Explanation
        Its ``result`` is ``pool2d(x, ...)[out_row, out_col]`` itself.

    Raises
    ------
    PoolingError
        For any invalid argument, or an output cell outside the output.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1, 3, 2, 4],
    ...               [5, 6, 1, 2],
    ...               [7, 2, 8, 1],
    ...               [3, 4, 0, 6]])
    >>> explain(x, 1, 0, "max").formula
    'y[1,0] = max(7, 2, 3, 4) = 7'
    >>> explain(x, 0, 1, "avg").formula
    'y[0,1] = (2 + 4 + 1 + 2)/4 = 2.25'
    >>> e = explain(x, 0, 0, "avg", padding=1)
    >>> e.formula, e.divisor_reason
    ('y[0,0] = (0 + 0 + 0 + 1)/4 = 0.25', 'padding_counted')
    >>> explain(x, 0, 0, "max", padding=1).formula
    'y[0,0] = max(−∞, −∞, −∞, 1) = 1'
    """
    spec = kind_spec(kind)
    array = np.asarray(x)
    if array.ndim != 2:
        raise PoolingError("explain_plane", shape=array.shape)
    params = dict(kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation,
                  ceil_mode=ceil_mode)
    checked = plan(array, kind, count_include_pad=count_include_pad,
                   divisor_override=divisor_override, options=options, **params)
    windows = checked.windows
    out_h, out_w = windows.out_shape
    for name, index, size in (("out_row", out_row, out_h), ("out_col", out_col, out_w)):
        if not isinstance(index, (int, np.integer)) or not 0 <= index < size:
            raise PoolingError("index_range", parameter=name, size=size, value=index)
    out_row, out_col = int(out_row), int(out_col)
    plane = checked.planes[0]
    geometry = window_geometry(array.shape, **params)
    cells = geometry.cells(out_row, out_col)
    values = [None if geometry.is_padding(r, c) else float(plane[r, c]) for r, c in cells]
    extra = dict(count_include_pad=count_include_pad, divisor_override=divisor_override, **options)
    config_options = checked.config.options
    winner = None
    if spec.has_indices:
        result, index = pool2d(plane, kind, return_indices=True, **params, **extra)
        winner = divmod(int(index[out_row, out_col]), array.shape[1])
    else:
        result = pool2d(plane, kind, **params, **extra)
    result = float(result[out_row, out_col])
    if winner is None and spec.picks_cell(config_options):
        winner = _picked_cell(cells, values, result)
    divisor = reason = None
    if spec.averages:
        divisor, reason = _divisor(windows, checked.config, out_row, out_col, values)
    weights = spec.tap_weights(values, divisor, reason, config_options, windows.kernel)
    formula = (f"y[{out_row},{out_col}] = "
               f"{spec.formula(values, weights, divisor, reason, config_options)} = {fmt(result)}")
    return Explanation(kind, (out_row, out_col), cells, values, weights, result,
                       None if winner is None else (int(winner[0]), int(winner[1])),
                       divisor, reason, formula)


def _divisor(windows, config, out_row, out_col, values):
    if config.divisor_override is not None:
        return float(config.divisor_override), "override"
    inside = sum(v is not None for v in values)
    counted = int(windows.divisor(config.count_include_pad)[out_row, out_col])
    if counted == len(values):
        return float(counted), "window" if inside == len(values) else "padding_counted"
    if config.count_include_pad and windows.rows.padding_counts:
        return float(counted), "overhang"  # padding counts, but taps past it do not
    return float(counted), "inside_only"


def _picked_cell(cells, values, result):
    for (r, c), v in zip(cells, values, strict=True):
        if v is not None and (v == result or (math.isnan(v) and math.isnan(result))):
            return r, c
    return None
