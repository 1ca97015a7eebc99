"""Adaptive pooling: the output size is given and the windows follow from it (PyTorch's rule).

Window ``i`` of ``o`` along an axis of length ``n`` is ``[floor(i*n/o), ceil((i+1)*n/o))``, so
windows differ in size by one cell at most and overlap when ``n`` is not a multiple of ``o``.
Because the windows are not one strided slice per tap, this module walks taps with masks (many small
windows) or walks windows (few large ones — global pooling); either way the sums run in window
order, as PyTorch's kernel does.
"""

from __future__ import annotations

import numpy as np

from .errors import PoolingError
from .kinds import route_to_indices
from .params import _check_int
from .pool import QUIET, as_compute_array, kinds_where


def _bounds(n: int, out: int):
    i = np.arange(out, dtype=np.int64)
    start = (i * n) // out
    stop = -((-(i + 1) * n) // out)
    return start, stop


def _prepare(x, output_size, kind):
    if kind not in kinds_where("adaptive"):
        raise PoolingError("adaptive_kind", value=kind, choices=", ".join(kinds_where("adaptive")))
    array = as_compute_array(x)
    if array.ndim not in (2, 3, 4):
        raise PoolingError("bad_ndim_2d", shape=array.shape)
    height, width = array.shape[-2:]
    if min(height, width) < 1:
        raise PoolingError("empty_spatial", shape=array.shape)
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != 2:
            raise PoolingError("not_pair", parameter="output_size", value=tuple(output_size))
        sizes = tuple(
            n if s is None else _check_int(s, "output_size", 0)
            for s, n in zip(output_size, (height, width), strict=True)
        )
    else:
        sizes = (_check_int(output_size, "output_size", 0),) * 2
    planes = np.ascontiguousarray(array.reshape(-1, height, width))
    return planes, array.shape[:-2], sizes


class _Adaptive:
    def __init__(self, planes, sizes):
        self.x = planes
        self.height, self.width = planes.shape[1:]
        self.out_h, self.out_w = sizes
        self.r0, self.r1 = _bounds(self.height, self.out_h)
        self.c0, self.c1 = _bounds(self.width, self.out_w)
        self.kh, self.kw = int((self.r1 - self.r0).max()), int((self.c1 - self.c0).max())

    @property
    def few_windows(self) -> bool:
        return self.out_h * self.out_w <= self.kh * self.kw

    def windows(self):
        for oh in range(self.out_h):
            for ow in range(self.out_w):
                yield oh, ow, (slice(None), slice(self.r0[oh], self.r1[oh]),
                               slice(self.c0[ow], self.c1[ow]))

    def taps(self, reverse=False):
        order = range(self.kh * self.kw - 1, -1, -1) if reverse else range(self.kh * self.kw)
        for number in order:
            i, j = divmod(number, self.kw)
            rows, cols = self.r0 + i, self.c0 + j
            inside = (rows < self.r1)[:, None] & (cols < self.c1)[None, :]
            rows, cols = np.minimum(rows, self.height - 1), np.minimum(cols, self.width - 1)
            yield number, rows, cols, inside

    def gather(self, rows, cols):
        return self.x[:, rows[:, None], cols[None, :]]

    def flat_index(self, tap_number):
        i, j = np.divmod(tap_number.astype(np.int64), self.kw)
        return (self.r0[:, None] + i) * self.width + self.c0[None, :] + j

    def counts(self, dtype):
        rows, cols = self.r1 - self.r0, self.c1 - self.c0
        return rows.astype(dtype)[:, None], cols.astype(dtype)[None, :]

    # -- avg ---------------------------------------------------------------------------------
    @property
    def global_average(self) -> bool:
        # PyTorch sends a 1×1 adaptive average to mean(), whose float sum is a SIMD cascade that
        # depends on the CPU's vector width; the nearest we can honestly give is the exact sum
        # (float64, rounded once) divided once by H·W, as mean() divides.
        return self.out_h == self.out_w == 1

    def avg(self):
        planes = self.x.shape[0]
        if self.global_average:
            total = self.x.reshape(planes, -1).sum(axis=1, dtype=np.float64).astype(self.x.dtype)
            return (total / self.x.dtype.type(self.height * self.width))[:, None, None]
        total = np.zeros((planes, self.out_h, self.out_w), dtype=self.x.dtype)
        if self.few_windows:
            for oh, ow, window in self.windows():
                running = np.cumsum(self.x[window].reshape(planes, -1), axis=1)
                total[:, oh, ow] = running[:, -1] + self.x.dtype.type(0)
        else:
            for _, rows, cols, inside in self.taps():
                total += np.where(inside, self.gather(rows, cols), self.x.dtype.type(0))
        kh, kw = self.counts(self.x.dtype)
        return total / kh / kw  # two divisions, as PyTorch's kernel: sum / kh / kw

    def avg_backward(self, grad):
        if self.global_average:  # mean()'s backward: g / (H·W) for every cell
            share = grad / self.x.dtype.type(self.height * self.width)
            return np.broadcast_to(share, self.x.shape).copy()
        kh, kw = self.counts(self.x.dtype)
        delta = grad / kh / kw
        grad_x = np.zeros(self.x.shape, dtype=self.x.dtype)
        upsampling = self.out_h > self.height or self.out_w > self.width
        if self.few_windows or upsampling:
            for oh, ow, window in self.windows():
                grad_x[window] += delta[:, oh, ow, None, None]
        else:
            # Window starts strictly increase, so reverse tap order is row-major output order for
            # every input cell, and within one tap no cell is hit twice.
            for _, rows, cols, inside in self.taps(reverse=True):
                rr = np.broadcast_to(rows[:, None], inside.shape)[inside]
                cc = np.broadcast_to(cols[None, :], inside.shape)[inside]
                grad_x[:, rr, cc] += delta[:, inside]
        return grad_x

    # -- max ---------------------------------------------------------------------------------
    def max(self):
        planes = self.x.shape[0]
        shape = (planes, self.out_h, self.out_w)
        if self.few_windows:
            values = np.empty(shape, dtype=self.x.dtype)
            indices = np.empty(shape, dtype=np.int64)
            for oh, ow, window in self.windows():
                cells = self.x[window].reshape(planes, -1)
                high = cells.max(axis=1)
                first = np.argmax(cells == high[:, None], axis=1)
                nan = np.isnan(cells)
                last_nan = cells.shape[1] - 1 - np.argmax(nan[:, ::-1], axis=1)
                local = np.where(nan.any(axis=1), last_nan, first)
                width = self.c1[ow] - self.c0[ow]
                values[:, oh, ow] = high
                indices[:, oh, ow] = ((self.r0[oh] + local // width) * self.width
                                      + self.c0[ow] + local % width)
            return values, indices
        values = np.full(shape, -np.inf, dtype=self.x.dtype)
        for _, rows, cols, inside in self.taps():
            np.maximum(values, np.where(inside, self.gather(rows, cols), -np.inf), out=values)
        choice = np.zeros(shape, dtype=np.int32)
        for number, rows, cols, inside in self.taps(reverse=True):
            np.copyto(choice, number, where=inside & (self.gather(rows, cols) == values))
        if np.isnan(values).any():
            for number, rows, cols, inside in self.taps():
                np.copyto(choice, number, where=inside & np.isnan(self.gather(rows, cols)))
        return values, self.flat_index(choice)


def adaptive_pool2d(x, output_size, kind="max", return_indices=False):
    """Pool ``x`` to a fixed ``output_size`` (global pooling is ``output_size=1``).

    Window ``i`` along an axis of length ``n`` is ``[floor(i*n/o), ceil((i+1)*n/o))`` — PyTorch's
    ``adaptive_max_pool2d`` / ``adaptive_avg_pool2d``, with the same tie and NaN rules as
    :func:`pooling_core.pool2d`.

    Parameters
    ----------
    x : array_like, shape (H, W), (C, H, W) or (N, C, H, W)
    output_size : int or (int or None, int or None)
        ``None`` keeps that axis's input size.
    kind : {"max", "avg"}
    return_indices : bool
        For max: also return int64 flat indices ``h*W + w``.

    Returns
    -------
    out : ndarray, shape (..., out_h, out_w)
    indices : ndarray of int64, only with ``return_indices=True``

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1, 3, 2, 4],
    ...               [5, 6, 1, 2],
    ...               [7, 2, 8, 1],
    ...               [3, 4, 0, 6]])
    >>> adaptive_pool2d(x, 1, "avg")                 # global average: 55 / 16
    array([[3.4375]], dtype=float32)
    >>> adaptive_pool2d(x, (1, 2), "max")            # columns 0-1 and 2-3
    array([[7., 8.]], dtype=float32)
    >>> adaptive_pool2d(np.arange(5.0)[None], (1, 3), "avg")   # windows [0,2) [1,4) [3,5)
    array([[0.5, 2. , 3.5]])
    """
    planes, lead, sizes = _prepare(x, output_size, kind)
    if return_indices and kind != "max":
        raise PoolingError("no_indices", kind=kind, choices="max")
    if 0 in sizes:  # PyTorch returns an empty result here too
        empty = np.zeros(lead + sizes, dtype=planes.dtype)
        return (empty, empty.astype(np.int64)) if return_indices else empty
    engine = _Adaptive(planes, sizes)
    with np.errstate(**QUIET):
        if kind == "avg":
            return engine.avg().reshape(lead + sizes)
        values, indices = engine.max()
    if return_indices:
        return values.reshape(lead + sizes), indices.reshape(lead + sizes)
    return values.reshape(lead + sizes)


def adaptive_pool2d_backward(x, grad_output, output_size, kind="max"):
    """Gradient of a sum ``Σ grad_output · adaptive_pool2d(x, ...)`` with respect to ``x``.

    Parameters
    ----------
    x : array_like, shape (H, W), (C, H, W) or (N, C, H, W)
    grad_output : array_like
        Shaped like ``adaptive_pool2d(x, output_size)``.
    output_size : int or (int or None, int or None)
        At least 1 (PyTorch refuses the gradient of an empty output too).
    kind : {"max", "avg"}
        max adds each gradient to its window's winner; avg spreads ``g / kh / kw`` over the window
        (``g / (H·W)`` for a 1×1 output, as PyTorch's ``mean()``).

    Returns
    -------
    ndarray, shape of ``x``

    Examples
    --------
    >>> import numpy as np
    >>> adaptive_pool2d_backward(np.arange(4.0).reshape(2, 2), np.array([[4.0]]), 1, "avg")
    array([[1., 1.],
           [1., 1.]])
    """
    planes, lead, sizes = _prepare(x, output_size, kind)
    if 0 in sizes:  # as PyTorch's backward, which refuses an empty output
        raise PoolingError("adaptive_empty_gradient", value=output_size)
    grad = as_compute_array(grad_output, "grad_output")
    if grad.shape != lead + sizes:
        raise PoolingError("grad_shape", expected=lead + sizes, shape=grad.shape)
    grad = grad.astype(planes.dtype, copy=False).reshape((-1,) + sizes)
    engine = _Adaptive(planes, sizes)
    with np.errstate(**QUIET):
        if kind == "avg":
            grad_x = engine.avg_backward(grad)
        else:
            _, indices = engine.max()
            grad_x = route_to_indices(grad, indices, planes.shape, overlapping=True)
    return grad_x.reshape(np.shape(x))
