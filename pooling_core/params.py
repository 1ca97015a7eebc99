"""Argument checking and window geometry along one axis.

Everything here follows PyTorch's ``pooling_output_shape`` and ``pool2d_shape_check`` so that we
accept exactly what PyTorch accepts; ``"same"``/``"valid"`` padding follows TensorFlow.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .errors import PoolingError

STRING_PADDINGS = ("valid", "same")


def _check_int(value, name: str, minimum: int) -> int:
    # floats are refused even when whole (2.0), as PyTorch refuses them
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise PoolingError("not_integer", parameter=name, minimum=minimum, value=value)
    value = int(value)
    if value < minimum:
        code = "stride_too_small" if name.startswith("stride") else "too_small"
        raise PoolingError(code, parameter=name, minimum=minimum, value=value)
    return value


def as_pair(value, name: str, minimum: int, ndim: int = 2) -> tuple[int, ...]:
    """``value`` as an ``ndim``-tuple of ints ≥ ``minimum`` (an int is repeated)."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (tuple, list)):
        if len(value) == 1:
            value = value * ndim
        if len(value) != ndim:
            code = "not_pair" if ndim == 2 else "not_single"
            raise PoolingError(code, parameter=name, value=tuple(value))
        return tuple(_check_int(v, name, minimum) for v in value)
    return (_check_int(value, name, minimum),) * ndim


def normalize_padding(padding, ndim: int = 2):
    """An ``ndim``-tuple of ints ≥ 0, or one of the strings ``"valid"``/``"same"``."""
    if isinstance(padding, str):
        lowered = padding.strip().lower()
        if lowered not in STRING_PADDINGS:
            raise PoolingError("padding_string", value=padding)
        return lowered
    return as_pair(padding, "padding", 0, ndim)


@dataclass(frozen=True)
class Axis:
    """Where the windows of one axis fall.

    Output ``o`` reads taps at input positions ``o*stride - pad_lo + i*dilation`` for
    ``i = 0 .. kernel-1``. A tap outside ``[0, n)`` is padding; a tap inside
    ``[-pad_lo, n + pad_hi)`` counts towards an average's divisor when padding is counted.
    """

    n: int
    kernel: int
    stride: int
    dilation: int
    pad_lo: int
    pad_hi: int
    out: int
    padding_counts: bool  # numeric padding may be counted (count_include_pad); string padding never

    @cached_property
    def starts(self) -> np.ndarray:
        return np.arange(self.out, dtype=np.int64) * self.stride - self.pad_lo

    @cached_property
    def taps(self) -> np.ndarray:
        """``(out, kernel)`` input position of every tap (may lie in the padding)."""
        return self.starts[:, None] + np.arange(self.kernel, dtype=np.int64) * self.dilation

    @cached_property
    def inside(self) -> np.ndarray:
        """``(out, kernel)`` bool: the tap reads the input, not the padding."""
        return (self.taps >= 0) & (self.taps < self.n)

    @cached_property
    def inside_count(self) -> np.ndarray:
        return self.inside.sum(axis=1)

    @cached_property
    def padded_count(self) -> np.ndarray:
        """Taps inside ``[-pad_lo, n + pad_hi)``: PyTorch's ``count_include_pad`` pool size."""
        t = self.taps
        return ((t >= -self.pad_lo) & (t < self.n + self.pad_hi)).sum(axis=1)

    @cached_property
    def first_inside_tap(self) -> np.ndarray:
        """Number of the first tap that reads the input (PyTorch's initial argmax)."""
        return np.argmax(self.inside, axis=1)

    @property
    def overlapping(self) -> bool:
        """Whether one input position can belong to two windows."""
        return self.stride < (self.kernel - 1) * self.dilation + 1

    def tap_span(self, tap: int, o_lo: int = 0, o_hi: int | None = None):
        """Outputs in ``[o_lo, o_hi)`` whose tap ``tap`` reads the input.

        Returns ``(first, stop, input_slice)``: outputs ``first .. stop-1`` read
        ``x[input_slice]`` (a strided slice), or ``None`` when there are none.
        """
        o_hi = self.out if o_hi is None else o_hi
        offset = self.pad_lo - tap * self.dilation
        first = max(o_lo, -(-offset // self.stride))
        stop = min(o_hi, (self.n - 1 + offset) // self.stride + 1)
        if first >= stop:
            return None
        start = first * self.stride - offset
        return first, stop, slice(start, start + (stop - first - 1) * self.stride + 1, self.stride)


def make_axis(n, kernel, stride, padding, dilation, ceil_mode, *, where: str) -> Axis:
    """Check one axis's parameters as PyTorch does and work out its windows.

    ``padding`` is an int or ``"valid"``/``"same"``; ``where`` names the axis in messages (one of
    :data:`pooling_core.errors.AXES`).
    """
    span = dilation * (kernel - 1) + 1
    if isinstance(padding, str):
        if ceil_mode:
            raise PoolingError("ceil_with_string_padding", value=padding)
        if padding == "valid":
            out = -(-(n - span + 1) // stride) if n >= span else 0
            total = 0
        else:
            out = -(-n // stride)
            total = max((out - 1) * stride + span - n, 0)
        pad_lo, pad_hi, counts = total // 2, total - total // 2, False
        if out < 1:
            raise PoolingError("valid_output_empty", axis=where, out=out, span=span, n=n)
    else:
        if padding > kernel // 2:
            raise PoolingError("padding_too_large", value=padding, kernel=kernel,
                               maximum=kernel // 2)
        numerator = n + 2 * padding - span + ((stride - 1) if ceil_mode else 0)
        out = numerator // stride + 1
        if ceil_mode and (out - 1) * stride >= n + padding:
            out -= 1
        if out < 1:
            raise PoolingError("output_empty", axis=where, out=out, span=span,
                               padded=n + 2 * padding)
        pad_lo = pad_hi = padding
        counts = True
    axis = Axis(n, kernel, stride, dilation, pad_lo, pad_hi, out, counts)
    empty = np.flatnonzero(axis.inside_count == 0)
    if empty.size:
        raise PoolingError("window_only_padding", window=int(empty[0]), axis=where,
                           dilation=dilation, n=n)
    return axis


def output_size(n, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False) -> int:
    """Number of pooling windows along one axis of length ``n``.

    PyTorch's rule for numeric padding (``ceil_mode`` included)::

        out = floor((n + 2*padding - dilation*(kernel_size - 1) - 1
                     + (stride - 1 if ceil_mode else 0)) / stride) + 1
        # ceil_mode only: the last window must start inside the input or the left padding
        if ceil_mode and (out - 1) * stride >= n + padding: out -= 1

    TensorFlow's for ``padding="same"`` (``ceil(n / stride)``) and ``"valid"``.

    Parameters
    ----------
    n : int
        Input length (≥ 1).
    kernel_size, stride, padding, dilation : int
        As for :func:`pooling_core.pool2d`; ``stride=None`` means ``kernel_size``.
    ceil_mode : bool
        Round the division up instead of down.

    Returns
    -------
    int

    Raises
    ------
    PoolingError
        For any invalid argument, or when the output would be empty.

    Examples
    --------
    The seed article's formula W2 = (W1 − k)/s + 1 for a 224-wide input, k = 2, s = 2:

    >>> output_size(224, 2, 2)
    112
    >>> output_size(6, 3, 2, padding=1, dilation=1)   # floor((6 + 2 - 2 - 1)/2) + 1
    3
    >>> output_size(5, 2, 2), output_size(5, 2, 2, ceil_mode=True)
    (2, 3)
    >>> output_size(5, 2, 2, padding="same")
    3
    """
    n = _check_int(n, "n", 1)
    kernel = _check_int(kernel_size, "kernel_size", 1)
    stride = kernel if stride is None else _check_int(stride, "stride", 1)
    dilation = _check_int(dilation, "dilation", 1)
    padding = normalize_padding(padding, 1)
    pad = padding if isinstance(padding, str) else padding[0]
    return make_axis(n, kernel, stride, pad, dilation, bool(ceil_mode), where="size").out
