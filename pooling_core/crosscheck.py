"""Check pooling_core against PyTorch: ``reference_*`` functions, ``compare``, a command line.

The reference functions compute every kind of pooling with PyTorch and return NumPy arrays.

* Where PyTorch has the operation (``max``/``min``/``avg``/``lp`` with numeric padding, adaptive
  pooling, 1-D pooling) the reference *is* PyTorch's function (``min`` is ``-max_pool2d(-x)``), and
  its backward is PyTorch's autograd.
* String padding (``"same"``/``"valid"``) is built with an explicit ``F.pad`` in front of PyTorch's
  pooling function: ``-inf`` for max (a padded cell never wins), and for avg a sum over zero padding
  divided by the number of in-input cells.
* Everything PyTorch lacks (dilated avg, weighted, stochastic, mixed, softpool, median) is built
  from PyTorch primitives — ``F.pad``, ``Tensor.unfold``, ``softmax``, ``sort``, ``cumsum``,
  ``gather`` — following ``docs/SEMANTICS.md`` literally, with gradients from autograd.

This module imports PyTorch only when a function needs it, so ``pooling_core`` stays NumPy-only.

Command line::

    python -m pooling_core.crosscheck [--device auto|cpu|cuda] [--cases N] [--seed S]

runs a randomized agreement suite of every kind and parameter family and prints one table row per
family: cases, max |Δ| forward and backward, how many cases were bit-exact, the tolerance used and
the device. It exits with status 1 when any case disagrees.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

TORCH_MISSING = (
    "pooling_core.crosscheck needs PyTorch, which is not installed here; "
    "install it with `pip install torch==2.13.0` (or `make test`, which installs it)"
)

# Tolerances. "exact" compares bit for bit (NaN matches NaN, the sign of a zero is ignored).
# "ulp" allows that many units in the last place of the reference value, element by element.
# "rel" allows |Δ| ≤ rtol · max|reference| over the array: the reduction order differs, so the
# error scales with the size of the terms summed, not with each (possibly cancelled) result.
RTOL = {np.dtype(np.float32): 1e-5, np.dtype(np.float64): 1e-12}
CUDA_RTOL = {np.dtype(np.float32): 1e-6, np.dtype(np.float64): 1e-13}
LP_FORWARD_ULP = 4
MAX_COMPARE_SIDE = 384  # compare() checks a centre crop of bigger planes


def _torch():
    try:
        import torch
    except ImportError as error:  # pragma: no cover - exercised only where torch is absent
        raise ImportError(TORCH_MISSING) from error
    return torch


# --------------------------------------------------------------------------------------------
# Inputs, geometry
# --------------------------------------------------------------------------------------------


def compute_dtype(x: np.ndarray) -> np.dtype:
    """The dtype the contract computes ``x`` in: float32/float64 stay, everything else → float32."""
    dtype = np.asarray(x).dtype
    return dtype if dtype in (np.float32, np.float64) else np.dtype(np.float32)


def _pair(value) -> tuple[int, int]:
    if isinstance(value, (tuple, list, np.ndarray)):
        first, second = (value[0], value[0]) if len(value) == 1 else value
        return int(first), int(second)
    return int(value), int(value)


def _padding_pair(padding):
    if isinstance(padding, str):
        return padding.lower(), padding.lower()
    return _pair(padding)


@dataclass(frozen=True)
class AxisGeometry:
    """Where the windows of one axis fall, derived from the contract (and PyTorch's output size)."""

    n: int
    kernel: int
    stride: int
    dilation: int
    pad_lo: int
    pad_hi: int
    out: int
    numeric: bool
    ceil_mode: bool = False

    @property
    def span(self) -> int:
        return self.dilation * (self.kernel - 1) + 1

    def positions(self) -> np.ndarray:
        """``(out, kernel)`` input position of every tap."""
        starts = np.arange(self.out) * self.stride - self.pad_lo
        return starts[:, None] + np.arange(self.kernel) * self.dilation

    def inside(self) -> np.ndarray:
        pos = self.positions()
        return (pos >= 0) & (pos < self.n)

    def counted(self) -> np.ndarray:
        """Taps an average counts with count_include_pad: those in ``[-pad_lo, n + pad_hi)``."""
        pos = self.positions()
        return (pos >= -self.pad_lo) & (pos < self.n + self.pad_hi)


def _torch_output_length(n, kernel, stride, padding, dilation, ceil_mode) -> int:
    """PyTorch's own output length (raises where PyTorch raises)."""
    torch = _torch()
    probe = torch.empty(1, 1, 1, n)
    out = torch.nn.functional.max_pool2d(
        probe, (1, kernel), (1, stride), (0, padding), (1, dilation), ceil_mode
    )
    return int(out.shape[-1])


def axis_geometry(n, kernel, stride, padding, dilation, ceil_mode) -> AxisGeometry:
    """Windows of one axis: PyTorch's rule for numeric padding, TensorFlow's for strings."""
    span = dilation * (kernel - 1) + 1
    if padding == "same":
        out = -(-n // stride)
        total = max((out - 1) * stride + span - n, 0)
        return AxisGeometry(n, kernel, stride, dilation, total // 2, total - total // 2, out, False)
    if padding == "valid":
        out = -(-(n - span + 1) // stride)
        return AxisGeometry(n, kernel, stride, dilation, 0, 0, out, False)
    out = _torch_output_length(n, kernel, stride, padding, dilation, ceil_mode)
    return AxisGeometry(n, kernel, stride, dilation, padding, padding, out, True, ceil_mode)


def geometry(in_hw, kernel_size, stride, padding, dilation, ceil_mode):
    """Row and column :class:`AxisGeometry` of a 2-D pooling."""
    kernel = _pair(kernel_size)
    strides = kernel if stride is None else _pair(stride)
    pads = _padding_pair(padding)
    dilations = _pair(dilation)
    return tuple(
        axis_geometry(int(in_hw[a]), kernel[a], strides[a], pads[a], dilations[a], bool(ceil_mode))
        for a in range(2)
    )


def has_padding_only_window(rows: AxisGeometry, cols: AxisGeometry) -> bool:
    """Whether some window reads no input cell at all (PyTorch returns -inf there; we raise)."""
    return bool((~rows.inside().any(axis=1)).any() or (~cols.inside().any(axis=1)).any())


class _Planes:
    """``x`` as a ``(P, H, W)`` torch tensor and the way back to the caller's leading axes."""

    def __init__(self, x, device, dims: int = 2):
        torch = _torch()
        array = np.asarray(x)
        self.dtype = compute_dtype(array)
        self.lead = array.shape[:-dims]
        self.in_shape = array.shape
        plane = array.shape[-dims:] if dims == 2 else (1, *array.shape[-1:])
        contiguous = np.ascontiguousarray(array, dtype=self.dtype).reshape(-1, *plane)
        self.tensor = torch.from_numpy(contiguous.copy()).to(device)
        self.dims = dims

    @property
    def hw(self) -> tuple[int, int]:
        return int(self.tensor.shape[1]), int(self.tensor.shape[2])

    def to_caller(self, planes, out_hw) -> np.ndarray:
        """``(P, OH, OW)`` → the caller's leading axes + the output plane, as NumPy."""
        tail = tuple(out_hw) if self.dims == 2 else (out_hw[1],)
        return planes.detach().cpu().numpy().reshape(*self.lead, *tail)

    def grad_planes(self, grad_output, out_hw):
        torch = _torch()
        g = np.ascontiguousarray(grad_output, dtype=self.dtype).reshape(-1, *out_hw)
        return torch.from_numpy(g.copy()).to(self.tensor.device)


# --------------------------------------------------------------------------------------------
# Building blocks made of PyTorch primitives
# --------------------------------------------------------------------------------------------


def _unfold(planes, rows: AxisGeometry, cols: AxisGeometry, fill: float = 0.0):
    """``(P, OH, OW, kh*kw)`` every tap of every window, row-major; padding taps hold ``fill``."""
    torch = _torch()
    height, width = int(planes.shape[1]), int(planes.shape[2])
    bottom = max((rows.out - 1) * rows.stride + rows.span - height - rows.pad_lo, 0)
    right = max((cols.out - 1) * cols.stride + cols.span - width - cols.pad_lo, 0)
    padded = torch.nn.functional.pad(planes, (cols.pad_lo, right, rows.pad_lo, bottom), value=fill)
    windows = padded.unfold(1, rows.span, rows.stride).unfold(2, cols.span, cols.stride)
    windows = windows[:, : rows.out, : cols.out, :: rows.dilation, :: cols.dilation]
    return windows.reshape(planes.shape[0], rows.out, cols.out, rows.kernel * cols.kernel)


def _tap_mask(rows_mask: np.ndarray, cols_mask: np.ndarray, device):
    """``(OH, OW, kh*kw)`` bool tensor from per-axis ``(out, kernel)`` masks."""
    torch = _torch()
    both = rows_mask[:, None, :, None] & cols_mask[None, :, None, :]
    return torch.from_numpy(both.reshape(rows_mask.shape[0], cols_mask.shape[0], -1)).to(device)


def _divisor(rows, cols, count_padding: bool, dtype, device):
    """``(OH, OW)`` divisor of an average (PyTorch's pool size) as a tensor of ``dtype``.

    ``count_padding`` counts the taps inside ``[-pad_lo, n + pad_hi)``, else only in-input taps.
    """
    torch = _torch()
    if count_padding:
        per_row, per_col = rows.counted().sum(axis=1), cols.counted().sum(axis=1)
    else:
        per_row, per_col = rows.inside().sum(axis=1), cols.inside().sum(axis=1)
    return torch.from_numpy(np.outer(per_row, per_col)).to(device=device, dtype=dtype)


def _tap_to_flat(tap, rows: AxisGeometry, cols: AxisGeometry):
    """Flat input index ``h*W + w`` of tap number ``tap`` (``(P, OH, OW)``) of every window."""
    torch = _torch()
    device = tap.device
    i, j = tap // cols.kernel, tap % cols.kernel
    row0 = torch.from_numpy(rows.positions()[:, 0]).to(device)[None, :, None]
    col0 = torch.from_numpy(cols.positions()[:, 0]).to(device)[None, None, :]
    return (row0 + i * rows.dilation) * cols.n + (col0 + j * cols.dilation)


@contextlib.contextmanager
def _deterministic():
    torch = _torch()
    before = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(before)


def _route(grad_planes, flat_index, in_hw):
    """Add each ``g`` to input cell ``flat_index`` in row-major output order (max's backward).

    Deterministic ``index_put_`` with ``accumulate=True`` adds serially in element order, which is
    the order PyTorch's max-pool backward kernel uses.
    """
    torch = _torch()
    planes = grad_planes.shape[0]
    height, width = in_hw
    base = torch.arange(planes, device=grad_planes.device)[:, None, None] * (height * width)
    grad = torch.zeros(planes * height * width, dtype=grad_planes.dtype, device=grad_planes.device)
    target = (flat_index + base).reshape(-1)
    with _deterministic():
        grad.index_put_((target,), grad_planes.reshape(-1), accumulate=True)
    return grad.reshape(planes, height, width)


# --------------------------------------------------------------------------------------------
# max / min
# --------------------------------------------------------------------------------------------


def _max_forward_backward(planes, rows, cols, grad_planes=None):
    """max pooling of ``(P, H, W)``: ``(values, flat indices, grad or None)``, PyTorch semantics."""
    torch = _torch()
    functional = torch.nn.functional
    kernel, stride = (rows.kernel, cols.kernel), (rows.stride, cols.stride)
    dilation = (rows.dilation, cols.dilation)
    x4 = planes[:, None]
    if rows.numeric:
        leaf = x4.detach().clone().requires_grad_(grad_planes is not None)
        values, index = functional.max_pool2d(
            leaf, kernel, stride, (rows.pad_lo, cols.pad_lo), dilation, rows.ceil_mode,
            return_indices=True,
        )
        grad = None
        if grad_planes is not None:
            values.backward(grad_planes[:, None])
            grad = leaf.grad[:, 0]
        return values.detach()[:, 0], index[:, 0], grad

    # String padding: PyTorch has none, so pad explicitly with -inf (a padded cell never beats an
    # input cell) and pool without padding.
    pads = (cols.pad_lo, cols.pad_hi, rows.pad_lo, rows.pad_hi)
    padded = functional.pad(x4, pads, value=-math.inf)
    values, index = functional.max_pool2d(padded, kernel, stride, 0, dilation, return_indices=True)
    # When every input tap of a window is -inf the padded first tap may be picked; the contract
    # (and PyTorch's own padding) picks the first *input* tap then. Pooling a map that is 0 on
    # the input and -inf on the padding gives exactly that tap.
    inside_map = functional.pad(torch.zeros_like(x4), pads, value=-math.inf)
    _, first_inside = functional.max_pool2d(
        inside_map, kernel, stride, 0, dilation, return_indices=True
    )
    padded_width = int(padded.shape[-1])
    row, col = index // padded_width, index % padded_width
    in_padding = (
        (row < rows.pad_lo) | (row >= rows.pad_lo + rows.n)
        | (col < cols.pad_lo) | (col >= cols.pad_lo + cols.n)
    )
    index = torch.where(in_padding, first_inside, index)
    grad = None
    if grad_planes is not None:
        padded_grad = torch.ops.aten.max_pool2d_with_indices_backward(
            grad_planes[:, None], padded, list(kernel), list(stride), [0, 0], list(dilation),
            False, index,
        )
        inner_rows = slice(rows.pad_lo, rows.pad_lo + rows.n)
        grad = padded_grad[:, 0, inner_rows, cols.pad_lo: cols.pad_lo + cols.n]
    row, col = index // padded_width, index % padded_width
    flat = (row - rows.pad_lo) * cols.n + (col - cols.pad_lo)
    return values[:, 0], flat[:, 0], grad


# --------------------------------------------------------------------------------------------
# avg and the sums built on it
# --------------------------------------------------------------------------------------------


def _sequential_window_sum(taps):
    """Sum over the last axis from 0, tap by tap in row-major order, in the input dtype."""
    total = _torch().zeros_like(taps[..., 0])
    for tap in range(taps.shape[-1]):
        total = total + taps[..., tap]
    return total


def _avg(planes, rows, cols, count_padding: bool, divisor_override=None, *,
         count_string_padding=False):
    """avg pooling of ``(P, H, W)`` (differentiable); PyTorch's avg_pool2d wherever it applies.

    String padding is never counted (``count_include_pad`` is ignored), except that lp counts it
    (``count_string_padding``).
    """
    torch = _torch()
    functional = torch.nn.functional
    kernel, stride = (rows.kernel, cols.kernel), (rows.stride, cols.stride)
    dilated = rows.dilation > 1 or cols.dilation > 1
    if rows.numeric and not dilated:
        return functional.avg_pool2d(
            planes[:, None], kernel, stride, (rows.pad_lo, cols.pad_lo), rows.ceil_mode,
            count_padding, divisor_override,
        )[:, 0]
    divisor = (
        divisor_override
        if divisor_override is not None
        else _divisor(
            rows, cols, count_padding and (rows.numeric or count_string_padding),
            planes.dtype, planes.device,
        )
    )
    if not dilated:
        # String padding: zero-pad explicitly, let avg_pool2d sum (divisor 1 keeps the sum as it is:
        # the zeros add nothing), then divide once by the number of counted cells.
        pads = (cols.pad_lo, cols.pad_hi, rows.pad_lo, rows.pad_hi)
        padded = functional.pad(planes[:, None], pads, value=0.0)
        window_sum = functional.avg_pool2d(padded, kernel, stride, 0, divisor_override=1)[:, 0]
        return window_sum / divisor
    # Dilated windows (PyTorch's avg_pool2d has no dilation): unfold and sum tap by tap.
    return _sequential_window_sum(_unfold(planes, rows, cols)) / divisor


# --------------------------------------------------------------------------------------------
# Kinds PyTorch lacks, from primitives (float64 where the contract fixes no rounding)
# --------------------------------------------------------------------------------------------


def default_weights(kernel_size) -> np.ndarray:
    """The contract's default weights: a separable Gaussian (OpenCV's sigma for size k)."""
    torch = _torch()
    per_axis = []
    for k in _pair(kernel_size):
        sigma = 0.3 * ((k - 1) / 2 - 1) + 0.8
        t = torch.arange(k, dtype=torch.float64)
        per_axis.append(torch.exp(-((t - (k - 1) / 2) ** 2) / (2 * sigma**2)))
    return torch.outer(per_axis[0], per_axis[1]).numpy()


def _weighted(planes, rows, cols, weights, count_padding: bool):
    torch = _torch()
    w = torch.as_tensor(np.asarray(weights, dtype=np.float64), device=planes.device)
    w = (w / w.sum()).reshape(-1)
    taps = _unfold(planes, rows, cols)
    numerator = (taps * w).sum(-1)
    if count_padding and rows.numeric:
        return numerator
    inside = _tap_mask(rows.inside(), cols.inside(), planes.device)
    return numerator / (w * inside).sum(-1)


def _softpool(planes, rows, cols):
    torch = _torch()
    taps = _unfold(planes, rows, cols)
    inside = _tap_mask(rows.inside(), cols.inside(), planes.device)
    weights = torch.softmax(torch.where(inside, taps, -math.inf), dim=-1)
    return (weights * taps).sum(-1)


def _stochastic_eval(planes, rows, cols):
    torch = _torch()
    taps = _unfold(planes, rows, cols)
    total = taps.sum(-1)
    squares = (taps * taps).sum(-1)
    positive = total > 0
    return torch.where(positive, squares / torch.where(positive, total, 1.0), 0.0)


def _stochastic_choice(planes, rows, cols, seed, out_shape):
    """Tap number chosen in each window by the contract's sampling rule."""
    torch = _torch()
    u = np.random.default_rng(seed).random(out_shape).reshape(-1, rows.out, cols.out)
    u = torch.from_numpy(u).to(planes.device)
    taps = _unfold(planes.to(torch.float64), rows, cols)
    inside = _tap_mask(rows.inside(), cols.inside(), planes.device).expand_as(taps)
    running = torch.cumsum(taps, dim=-1)
    total = running[..., -1]
    hit = (running > (u * total)[..., None]) & inside
    first_hit = torch.argmax(hit.to(torch.int8), dim=-1)
    first_inside = torch.argmax(inside.to(torch.int8), dim=-1)
    return torch.where((total > 0) & hit.any(-1), first_hit, first_inside)


def _median_choice(planes, rows, cols):
    """``(values, tap number)``: lower median of the in-input taps and its first tied tap; a
    window with NaN gives NaN and its first NaN tap (torch.median's value and index)."""
    torch = _torch()
    taps = _unfold(planes, rows, cols)
    inside = _tap_mask(rows.inside(), cols.inside(), planes.device).expand_as(taps)
    count = inside.sum(-1)
    if bool(inside.all()):
        median = torch.median(taps, dim=-1).values
    else:
        ordered = torch.sort(torch.where(inside, taps, math.inf), dim=-1).values
        median = ordered.gather(-1, ((count - 1) // 2)[..., None])[..., 0]
    has_nan = (torch.isnan(taps) & inside).any(-1)
    median = torch.where(has_nan, math.nan, median)
    tap = torch.argmax((inside & (taps == median[..., None])).to(torch.int8), dim=-1)
    first_nan = torch.argmax((inside & torch.isnan(taps)).to(torch.int8), dim=-1)
    return median, torch.where(has_nan, first_nan, tap)


# --------------------------------------------------------------------------------------------
# Public reference functions
# --------------------------------------------------------------------------------------------

_INDEXED_KINDS = ("max", "min")


def _pool_planes(planes: _Planes, kind, rows, cols, params, grad_planes=None):
    """``(values, indices or None, grad or None)`` of one pooling, all ``(P, ...)`` tensors."""
    torch = _torch()
    count_padding = bool(params.get("count_include_pad", True))
    divisor_override = params.get("divisor_override")
    options = params.get("options", {})
    x = planes.tensor
    out_shape = (*planes.lead, rows.out, cols.out) if planes.dims == 2 else (*planes.lead, cols.out)

    if kind == "max":
        return _max_forward_backward(x, rows, cols, grad_planes)
    if kind == "min":
        g = None if grad_planes is None else -grad_planes
        values, index, grad = _max_forward_backward(-x, rows, cols, g)
        return -values, index, None if grad is None else -grad
    if kind == "stochastic" and options.get("training", True):
        tap = _stochastic_choice(x, rows, cols, options.get("seed", 0), out_shape)
        values = _unfold(x, rows, cols).gather(-1, tap[..., None])[..., 0]
        flat = _tap_to_flat(tap, rows, cols)
        grad = None if grad_planes is None else _route(grad_planes, flat, planes.hw)
        return values, None, grad
    if kind == "median":
        values, tap = _median_choice(x, rows, cols)
        flat = _tap_to_flat(tap, rows, cols)
        grad = None if grad_planes is None else _route(grad_planes, flat, planes.hw)
        return values, None, grad
    if kind == "mixed":
        alpha = float(options.get("alpha", 0.5))
        g_max = None if grad_planes is None else grad_planes * alpha
        max_values, _, max_grad = _max_forward_backward(x, rows, cols, g_max)
        leaf = x.detach().clone().requires_grad_(grad_planes is not None)
        avg_values = _avg(leaf, rows, cols, count_padding, divisor_override)
        values = alpha * max_values + (1 - alpha) * avg_values.detach()
        grad = None
        if grad_planes is not None:
            avg_values.backward(grad_planes * (1 - alpha))
            grad = max_grad + leaf.grad
        return values, None, grad

    # The rest are differentiable expressions; float64 for the kinds whose rounding the
    # contract leaves open, the input dtype where it fixes PyTorch's.
    exact_dtype = kind in ("avg", "lp")
    leaf = x.detach().clone()
    if not exact_dtype:
        leaf = leaf.to(torch.float64)
    leaf.requires_grad_(grad_planes is not None)
    if kind == "avg":
        values = _avg(leaf, rows, cols, count_padding, divisor_override)
    elif kind == "lp":
        values = _lp(leaf, rows, cols, float(options.get("p", 2.0)))
    elif kind == "weighted":
        weights = options.get("weights")
        if weights is None:
            weights = default_weights((rows.kernel, cols.kernel))
        values = _weighted(leaf, rows, cols, weights, count_padding)
    elif kind == "softpool":
        values = _softpool(leaf, rows, cols)
    elif kind == "stochastic":
        values = _stochastic_eval(leaf, rows, cols)
    else:
        raise ValueError(f"no PyTorch reference for kind {kind!r}")
    grad = None
    if grad_planes is not None:
        values.backward(grad_planes.to(values.dtype))
        grad = leaf.grad.to(x.dtype)
    return values.detach().to(x.dtype), None, grad


def _lp(leaf, rows, cols, p: float):
    """PyTorch's lp_pool2d expression; the pooling itself by lp_pool2d wherever it applies."""
    torch = _torch()
    functional = torch.nn.functional
    kernel = (rows.kernel, cols.kernel)
    plain = rows.pad_lo == rows.pad_hi == cols.pad_lo == cols.pad_hi == 0
    if plain and rows.dilation == cols.dilation == 1:
        return functional.lp_pool2d(
            leaf[:, None], p, kernel, (rows.stride, cols.stride), rows.ceil_mode
        )[:, 0]
    # The contract counts the padding for lp under string padding too.
    mean = _avg(leaf.pow(p), rows, cols, count_padding=True, count_string_padding=True)
    return (torch.sign(mean) * functional.relu(torch.abs(mean))).mul(
        rows.kernel * cols.kernel
    ).pow(1.0 / p)


def _split_params(kind, params):
    """Pool parameters and kind options from keyword arguments."""
    pool_keys = (
        "kernel_size", "stride", "padding", "dilation", "ceil_mode", "count_include_pad",
        "divisor_override",
    )
    pool = {key: params[key] for key in pool_keys if key in params}
    pool["options"] = {key: value for key, value in params.items() if key not in pool_keys}
    return pool


def _resolve_device(device: str) -> str:
    torch = _torch()
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def geometry_from_params(in_hw, params, dims: int = 2):
    """Row and column geometry of pool2d (``dims=2``) or pool1d (``dims=1``, ``in_hw=(1, L)``)."""
    kernel = params.get("kernel_size", 2)
    stride = params.get("stride")
    padding = params.get("padding", 0)
    dilation = params.get("dilation", 1)
    if dims == 1:
        kernel = (1, _pair(kernel)[0])
        stride = None if stride is None else (1, _pair(stride)[0])
        padding = padding if isinstance(padding, str) else (0, _pair(padding)[0])
        dilation = (1, _pair(dilation)[0])
    return geometry(in_hw, kernel, stride, padding, dilation, params.get("ceil_mode", False))


def _reference(x, kind, dims, grad_output, device, params):
    planes = _Planes(x, _resolve_device(device), dims)
    rows, cols = geometry_from_params(planes.hw, params, dims)
    grad_planes = None
    if grad_output is not None:
        grad_planes = planes.grad_planes(grad_output, (rows.out, cols.out))
    values, index, grad = _pool_planes(
        planes, kind, rows, cols, _split_params(kind, params), grad_planes
    )
    return planes, (rows, cols), values, index, grad


def reference_pool2d(x, kind="max", *, return_indices=False, device="cpu", **params):
    """PyTorch's result for ``pooling_core.pool2d(x, kind, **params)``.

    Parameters
    ----------
    x : array_like
        ``(H, W)``, ``(C, H, W)`` or ``(N, C, H, W)``.
    kind : str
        One of pooling_core's kinds.
    return_indices : bool
        Also return the int64 flat indices (max and min).
    device : str
        ``"cpu"``, ``"cuda"`` or ``"auto"``.
    **params
        ``kernel_size``, ``stride``, ``padding``, ``dilation``, ``ceil_mode``,
        ``count_include_pad``, ``divisor_override`` and the kind's options.

    Returns
    -------
    numpy.ndarray or tuple of numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], dtype=np.float32)
    >>> reference_pool2d(x, "max", kernel_size=2)
    array([[6., 8.],
           [3., 4.]], dtype=float32)
    >>> reference_pool2d(x, "median", kernel_size=2)     # lower median of each 2×2 window
    array([[1., 4.],
           [2., 1.]], dtype=float32)
    """
    planes, (rows, cols), values, index, _ = _reference(x, kind, 2, None, device, params)
    result = planes.to_caller(values, (rows.out, cols.out))
    if return_indices:
        if kind not in _INDEXED_KINDS:
            raise ValueError(f"kind {kind!r} has no indices")
        return result, planes.to_caller(index, (rows.out, cols.out))
    return result


def reference_pool2d_backward(x, grad_output, kind="max", *, device="cpu", **params):
    """PyTorch's ``dL/dx`` for ``pooling_core.pool2d_backward(x, grad_output, kind, **params)``."""
    planes, _, _, _, grad = _reference(x, kind, 2, grad_output, device, params)
    return grad.detach().cpu().numpy().reshape(planes.in_shape)


def reference_pool1d(x, kind="max", *, return_indices=False, device="cpu", **params):
    """PyTorch's result for ``pooling_core.pool1d``; max/avg by ``max_pool1d``/``avg_pool1d``.

    Examples
    --------
    >>> import numpy as np
    >>> reference_pool1d(np.array([3.0, 1.0, 2.0, 5.0, 4.0]), "max", kernel_size=2, ceil_mode=True)
    array([3., 5., 4.])
    """
    direct = _pool1d_torch(x, kind, return_indices, device, params)
    if direct is not None:
        return direct
    planes, (rows, cols), values, index, _ = _reference(x, kind, 1, None, device, params)
    result = planes.to_caller(values, (rows.out, cols.out))
    if return_indices:
        return result, planes.to_caller(index, (rows.out, cols.out))
    return result


def _pool1d_torch(x, kind, return_indices, device, params):
    """PyTorch's own max_pool1d / avg_pool1d where they apply, else ``None``."""
    torch = _torch()
    functional = torch.nn.functional
    padding = params.get("padding", 0)
    if kind not in ("max", "avg") or isinstance(padding, str):
        return None
    if kind == "avg" and (params.get("divisor_override") is not None
                          or _pair(params.get("dilation", 1))[0] != 1):
        return None
    array = np.asarray(x)
    dtype = compute_dtype(array)
    lead = array.shape[:-1]
    contiguous = np.ascontiguousarray(array, dtype=dtype).reshape(-1, 1, array.shape[-1])
    tensor = torch.from_numpy(contiguous.copy()).to(_resolve_device(device))
    kernel = _pair(params.get("kernel_size", 2))[0]
    stride = params.get("stride")
    stride = kernel if stride is None else _pair(stride)[0]
    pad = _pair(padding)[0]
    ceil_mode = bool(params.get("ceil_mode", False))
    if kind == "max":
        values, index = functional.max_pool1d(
            tensor, kernel, stride, pad, _pair(params.get("dilation", 1))[0], ceil_mode,
            return_indices=True,
        )
    else:
        values = functional.avg_pool1d(
            tensor, kernel, stride, pad, ceil_mode, bool(params.get("count_include_pad", True))
        )
        index = None
    result = values.cpu().numpy().reshape(*lead, values.shape[-1])
    if return_indices:
        if index is None:
            raise ValueError(f"kind {kind!r} has no indices")
        return result, index.cpu().numpy().reshape(*lead, values.shape[-1])
    return result


def reference_pool1d_backward(x, grad_output, kind="max", *, device="cpu", **params):
    """PyTorch's ``dL/dx`` for ``pooling_core.pool1d_backward``."""
    torch = _torch()
    functional = torch.nn.functional
    padding = params.get("padding", 0)
    direct = kind in ("max", "avg") and not isinstance(padding, str)
    if kind == "avg" and (params.get("divisor_override") is not None
                          or _pair(params.get("dilation", 1))[0] != 1):
        direct = False
    if not direct:
        planes, _, _, _, grad = _reference(x, kind, 1, grad_output, device, params)
        return grad.detach().cpu().numpy().reshape(planes.in_shape)
    array = np.asarray(x)
    dtype = compute_dtype(array)
    leaf = torch.from_numpy(
        np.ascontiguousarray(array, dtype=dtype).reshape(-1, 1, array.shape[-1]).copy()
    ).to(_resolve_device(device)).requires_grad_(True)
    kernel = _pair(params.get("kernel_size", 2))[0]
    stride = params.get("stride")
    stride = kernel if stride is None else _pair(stride)[0]
    pad = _pair(padding)[0]
    ceil_mode = bool(params.get("ceil_mode", False))
    if kind == "max":
        values = functional.max_pool1d(
            leaf, kernel, stride, pad, _pair(params.get("dilation", 1))[0], ceil_mode
        )
    else:
        values = functional.avg_pool1d(
            leaf, kernel, stride, pad, ceil_mode, bool(params.get("count_include_pad", True))
        )
    g = np.ascontiguousarray(grad_output, dtype=dtype).reshape(values.shape)
    values.backward(torch.from_numpy(g.copy()).to(leaf.device))
    return leaf.grad.cpu().numpy().reshape(array.shape)


def _adaptive(x, output_size, kind, grad_output, device):
    torch = _torch()
    functional = torch.nn.functional
    planes = _Planes(x, _resolve_device(device))
    size = _pair(output_size)
    leaf = planes.tensor[:, None].detach().clone().requires_grad_(grad_output is not None)
    index = None
    if kind == "max":
        values, index = functional.adaptive_max_pool2d(leaf, size, return_indices=True)
    elif kind == "avg":
        values = functional.adaptive_avg_pool2d(leaf, size)
    else:
        raise ValueError(f"adaptive pooling has kinds 'max' and 'avg', not {kind!r}")
    grad = None
    if grad_output is not None:
        values.backward(planes.grad_planes(grad_output, size)[:, None])
        grad = leaf.grad.cpu().numpy().reshape(planes.in_shape)
    result = planes.to_caller(values[:, 0], size)
    return result, None if index is None else planes.to_caller(index[:, 0], size), grad


def reference_adaptive_pool2d(x, output_size, kind="max", *, return_indices=False, device="cpu"):
    """PyTorch's ``adaptive_max_pool2d`` / ``adaptive_avg_pool2d`` of ``x`` (any leading axes)."""
    values, index, _ = _adaptive(x, output_size, kind, None, device)
    if return_indices:
        if index is None:
            raise ValueError(f"kind {kind!r} has no indices")
        return values, index
    return values


def reference_adaptive_pool2d_backward(x, grad_output, output_size, kind="max", *, device="cpu"):
    """PyTorch's ``dL/dx`` of adaptive pooling."""
    return _adaptive(x, output_size, kind, grad_output, device)[2]



# --------------------------------------------------------------------------------------------
# Comparing arrays
# --------------------------------------------------------------------------------------------


@dataclass
class Agreement:
    """How one of our arrays compares with PyTorch's."""

    max_abs_diff: float
    exact: bool
    ok: bool
    problem: str = ""


def agreement(ours, reference, mode: str, tolerance: float = 0.0, allowance=0.0) -> Agreement:
    """Compare ``ours`` with ``reference``.

    ``mode`` is ``"exact"`` (bit for bit), ``"ulp"`` (``tolerance`` units in the last place of
    the reference, element-wise), ``"rel"`` (``|Δ| ≤ tolerance · max|reference|``) or
    ``"bound"`` (``|Δ| ≤ allowance`` alone); ``allowance`` (a number or an array) is added to the
    ulp and rel limits. In every mode NaN must meet NaN and an infinity the same infinity; the
    sign of a zero is ignored.
    """
    ours, reference = np.asarray(ours), np.asarray(reference)
    if ours.shape != reference.shape:
        return Agreement(math.inf, False, False, f"shape {ours.shape} ≠ {reference.shape}")
    if ours.dtype != reference.dtype:
        return Agreement(math.inf, False, False, f"dtype {ours.dtype} ≠ {reference.dtype}")
    if ours.dtype.kind in "iub":
        exact = bool((ours == reference).all())
        diff = float(np.abs(ours.astype(np.float64) - reference).max(initial=0.0))
        return Agreement(diff, exact, exact, "" if exact else "indices differ")
    ours64, ref64 = ours.astype(np.float64), reference.astype(np.float64)
    nan_ours, nan_ref = np.isnan(ours64), np.isnan(ref64)
    if (nan_ours != nan_ref).any():
        return Agreement(math.inf, False, False, "NaN in different places")
    finite = np.isfinite(ref64) & np.isfinite(ours64)
    if not ((ours64 == ref64) | nan_ref | finite).all():
        return Agreement(math.inf, False, False, "infinities differ")
    diff = np.abs(ours64[finite] - ref64[finite])
    max_diff = float(diff.max(initial=0.0))
    exact = max_diff == 0.0
    extra = np.broadcast_to(np.asarray(allowance, dtype=np.float64), ours.shape)[finite]
    if mode == "exact":
        ok = exact
    elif mode == "ulp":
        spacing = np.spacing(np.abs(reference[finite])).astype(np.float64)
        ok = bool((diff <= tolerance * spacing + extra).all())
    elif mode == "rel":
        scale = max(float(np.abs(ref64[finite]).max(initial=0.0)), np.finfo(ours.dtype).tiny)
        ok = bool((diff <= tolerance * scale + extra).all())
    elif mode == "bound":
        ok = bool((diff <= extra).all())
    else:
        raise ValueError(f"unknown comparison mode {mode!r}")
    return Agreement(max_diff, exact, ok, "" if ok else f"|Δ| up to {max_diff:.3g}")


@dataclass(frozen=True)
class Rule:
    """How one array (values or gradient) is compared.

    ``input_scaled`` adds 16 ulp of max|x| (times max|grad_output| for a gradient): softpool's
    ``1 + x − y`` cancels terms of the input's size. ``mode="bound"`` with ``sum_bound`` allows
    the error bound of any summation order, ``(N−1)·eps·Σ|x| / N`` per plane, plus 1 ulp.
    """

    mode: str
    tolerance: float = 0.0
    input_scaled: bool = False

    def describe(self) -> str:
        """A short name; :data:`TOLERANCE_LEGEND` explains each."""
        if self.mode == "exact":
            text = "exact"
        elif self.mode == "ulp":
            text = f"{self.tolerance:g} ulp"
        elif self.mode == "bound":
            text = "sum bound"
        elif self.tolerance in CUDA_RTOL.values():
            text = "rel-cuda"
        else:
            text = "rel"
        return text + (" +x" if self.input_scaled else "")

    def allowance(self, x, reference, grad_output=None):
        """The absolute allowance added to the rule for these arrays."""
        dtype = np.asarray(reference).dtype
        eps = float(np.finfo(dtype).eps)
        x = np.asarray(x, dtype=dtype)
        if self.mode == "bound":
            count = x.shape[-1] * x.shape[-2]
            with np.errstate(invalid="ignore", over="ignore"):
                sum_abs = np.abs(x.astype(np.float64)).sum(axis=(-2, -1), keepdims=True)
            spacing = np.spacing(np.abs(reference)).astype(np.float64)
            return (count - 1) * eps * sum_abs / count + spacing
        if not self.input_scaled or x.size == 0:
            return 0.0
        finite = np.abs(x[np.isfinite(x)])
        scale = float(finite.max(initial=0.0))
        if grad_output is not None:
            scale *= float(np.abs(grad_output).max(initial=0.0))
        return 16 * eps * scale


TOLERANCE_LEGEND = (
    "exact: bit-identical (NaN meets NaN, the sign of a zero ignored); "
    "4 ulp: within 4 units in the last place of PyTorch's value; "
    "rel: |Δ| ≤ rtol·max|PyTorch|, rtol 1e-5 (float32) / 1e-12 (float64); "
    "rel-cuda: the same with rtol 1e-6 / 1e-13 (CUDA sums in another order); "
    "+x: plus 16 ulp·max|x| (times max|grad_output| for gradients: softpool's 1 + x − y); "
    "sum bound: (N−1)·eps·Σ|x|/N + 1 ulp per plane (PyTorch's 1×1 adaptive avg is mean(), "
    "summed in a CPU-dependent order). Indices of max/min/adaptive max: always exact."
)


@dataclass(frozen=True)
class Tolerance:
    """How a family's forward and backward are compared."""

    forward: Rule
    backward: Rule

    def describe(self) -> str:
        return f"fwd {self.forward.describe()}, bwd {self.backward.describe()}"


def tolerance_for(kind: str, dtype, device: str = "cpu", *, dilated: bool = False,
                  global_average: bool = False) -> Tolerance:
    """The comparison rule of one kind on one device.

    ``kind`` is a pooling kind, ``"stochastic-train"`` (sampling) or ``"adaptive-max"`` /
    ``"adaptive-avg"``. ``global_average``: adaptive avg to 1×1, which PyTorch computes with
    mean() (a vectorized sum whose order depends on the CPU).
    """
    dtype = np.dtype(dtype)
    exact = Rule("exact")
    rel = Rule("rel", RTOL[dtype])
    if global_average:
        backward = Rule("rel", CUDA_RTOL[dtype]) if device.startswith("cuda") else exact
        return Tolerance(Rule("bound"), backward)
    if device.startswith("cuda"):
        cuda_rel = Rule("rel", CUDA_RTOL[dtype])
        if kind in ("max", "min", "stochastic-train", "adaptive-max"):
            # Selections are exact on any device; CUDA's backward adds overlapping windows with
            # atomics in no fixed order.
            return Tolerance(exact, cuda_rel)
        if kind in ("avg", "adaptive-avg"):
            return Tolerance(rel if dilated else cuda_rel, rel if dilated else cuda_rel)
        if kind == "median":
            return Tolerance(exact, rel)
        if kind == "lp":
            return Tolerance(rel, rel)
        return Tolerance(Rule("rel", RTOL[dtype], kind == "softpool"),
                         Rule("rel", RTOL[dtype], kind == "softpool"))
    if kind in ("max", "min", "stochastic-train", "adaptive-max", "adaptive-avg"):
        return Tolerance(exact, exact)
    if kind == "avg":
        return Tolerance(rel, rel) if dilated else Tolerance(exact, exact)
    if kind == "lp":
        return Tolerance(Rule("ulp", LP_FORWARD_ULP), rel)
    if kind == "median":
        return Tolerance(exact, rel)
    if kind == "softpool":
        return Tolerance(Rule("rel", RTOL[dtype], True), Rule("rel", RTOL[dtype], True))
    return Tolerance(rel, rel)


@dataclass
class CaseCheck:
    """The comparison of one call, forward (and indices) and backward."""

    forward: Agreement
    backward: Agreement
    indices: Agreement | None
    tolerance: Tolerance
    dtype: np.dtype

    @property
    def checks(self) -> list[Agreement]:
        return [self.forward, self.backward] + ([] if self.indices is None else [self.indices])

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def exact(self) -> bool:
        return all(check.exact for check in self.checks)

    @property
    def problems(self) -> str:
        return "; ".join(check.problem for check in self.checks if check.problem)


def check_case(x, kind="max", *, dims=2, output_size=None, device="cpu", grad_seed=0,
               **params) -> CaseCheck:
    """Run pooling_core and the PyTorch reference on ``x`` (forward, indices, backward) and compare.

    ``dims=2`` checks pool2d, ``dims=1`` pool1d; an ``output_size`` checks adaptive pooling. The
    backward pass uses a random ``grad_output`` drawn from ``grad_seed``.
    """
    import pooling_core as pc

    dtype = compute_dtype(x)
    rng = np.random.default_rng(grad_seed)
    if output_size is not None:
        indexed = kind == "max"
        ours = pc.adaptive_pool2d(x, output_size, kind, return_indices=indexed)
        ref = reference_adaptive_pool2d(x, output_size, kind, return_indices=indexed,
                                        device=device)
        (ours, ours_index), (ref, ref_index) = (ours, ref) if indexed else ((ours, None),
                                                                            (ref, None))
        g = rng.standard_normal(np.shape(ref)).astype(dtype)
        ours_grad = pc.adaptive_pool2d_backward(x, g, output_size, kind)
        ref_grad = reference_adaptive_pool2d_backward(x, g, output_size, kind, device=device)
        rule = tolerance_for(f"adaptive-{kind}", dtype, device,
                             global_average=kind == "avg" and np.shape(ref)[-2:] == (1, 1))
    else:
        pool, backward = (pc.pool2d, pc.pool2d_backward) if dims == 2 else (pc.pool1d,
                                                                             pc.pool1d_backward)
        ref_pool, ref_backward = (
            (reference_pool2d, reference_pool2d_backward) if dims == 2
            else (reference_pool1d, reference_pool1d_backward)
        )
        indexed = kind in _INDEXED_KINDS
        ours = pool(x, kind, return_indices=indexed, **params)
        ref = ref_pool(x, kind, return_indices=indexed, device=device, **params)
        (ours, ours_index), (ref, ref_index) = (ours, ref) if indexed else ((ours, None),
                                                                            (ref, None))
        g = rng.standard_normal(np.shape(ref)).astype(dtype)
        ours_grad = backward(x, g, kind, **params)
        ref_grad = ref_backward(x, g, kind, device=device, **params)
        training = kind == "stochastic" and params.get("training", True)
        dilated = any(d > 1 for d in _pair(params.get("dilation", 1)))
        rule = tolerance_for("stochastic-train" if training else kind, dtype, device,
                             dilated=dilated)
    forward = agreement(ours, ref, rule.forward.mode, rule.forward.tolerance,
                        rule.forward.allowance(x, ref))
    back = agreement(ours_grad, ref_grad, rule.backward.mode, rule.backward.tolerance,
                     rule.backward.allowance(x, ref_grad, g))
    index = None if ref_index is None else agreement(ours_index, ref_index, "exact")
    return CaseCheck(forward, back, index, rule, dtype)


# --------------------------------------------------------------------------------------------
# compare(): one check for the app's "matches PyTorch" badge
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompareResult:
    """The outcome of :func:`compare`.

    ``exact``: values, indices and gradient bit-identical to PyTorch (NaN meets NaN, the sign
    of a zero ignored). ``ok``: all within ``tolerance``. ``region`` says what was compared (a
    centre crop of big inputs); ``note`` says what differed, or why PyTorch could not run.
    """

    device: str
    torch_version: str
    kind: str
    max_abs_diff_forward: float
    max_abs_diff_backward: float
    exact: bool
    ok: bool
    tolerance: str
    region: str = "the whole input"
    note: str = ""


def _device_name(device: str) -> str:
    torch = _torch()
    if device.startswith("cuda"):
        return f"cuda ({torch.cuda.get_device_name(0)})"
    return "cpu"


def _centre_crop(x: np.ndarray, spans) -> tuple[np.ndarray, str]:
    """Centre crop of the last two axes to MAX_COMPARE_SIDE (but never below a window)."""
    height, width = x.shape[-2:]
    new = [min(n, max(MAX_COMPARE_SIDE, span)) for n, span in zip((height, width), spans,
                                                                   strict=True)]
    if (new[0], new[1]) == (height, width):
        return x, "the whole input"
    top, left = (height - new[0]) // 2, (width - new[1]) // 2
    crop = x[..., top: top + new[0], left: left + new[1]]
    return crop, f"a centre crop {new[0]}×{new[1]} of the {height}×{width} input"


def compare(x, kind="max", device="auto", *, output_size=None, seed=0, **params) -> CompareResult:
    """Pool ``x`` with pooling_core and with PyTorch, forward and backward, and compare.

    Parameters
    ----------
    x : array_like
        ``(H, W)``, ``(C, H, W)`` or ``(N, C, H, W)``. Planes bigger than 384×384 are checked on
        a centre crop (``result.region`` says so): both sides pool the same crop.
    kind : str
        A kind of :func:`pooling_core.pool2d` (``"max"``/``"avg"`` with ``output_size``).
    device : {"auto", "cpu", "cuda"}
        Where PyTorch runs; ``"auto"`` is CUDA when available.
    output_size : int or (int, int), optional
        Compare adaptive pooling to this output size instead of :func:`pooling_core.pool2d`.
    seed : int
        Seed of the random ``grad_output`` of the backward comparison.
    **params
        Pooling parameters and kind options, as for :func:`pooling_core.pool2d`
        (``return_indices`` is ignored: indices of max and min are always compared).

    Returns
    -------
    CompareResult

    Raises
    ------
    ImportError
        When PyTorch is not installed.
    pooling_core.PoolingError
        When the arguments are invalid (pooling_core refuses them before PyTorch runs).

    Examples
    --------
    >>> import numpy as np
    >>> result = compare(np.arange(16.0).reshape(4, 4), "max", device="cpu", kernel_size=2)
    >>> result.ok, result.exact, result.max_abs_diff_forward
    (True, True, 0.0)
    """
    torch = _torch()
    import pooling_core as pc

    device = _resolve_device(device)
    params.pop("return_indices", None)
    array = np.asarray(x)
    region = "the whole input"
    if output_size is None and array.ndim >= 2:
        try:
            spans = [
                d * (k - 1) + 1
                for d, k in zip(_pair(params.get("dilation", 1)),
                                _pair(params.get("kernel_size", 2)), strict=True)
            ]
        except (TypeError, ValueError):  # invalid sizes: pooling_core will say what is wrong
            spans = None
        if spans is not None:
            array, region = _centre_crop(array, spans)
    common = {
        "device": _device_name(device),
        "torch_version": torch.__version__,
        "kind": kind if output_size is None else f"adaptive {kind}",
        "region": region,
    }
    try:
        result = check_case(array, kind, output_size=output_size, device=device, grad_seed=seed,
                            **params)
    except pc.PoolingError:
        raise
    except Exception as error:  # the badge must not crash when PyTorch fails
        return CompareResult(
            max_abs_diff_forward=math.nan, max_abs_diff_backward=math.nan, exact=False,
            ok=False, tolerance="", note=f"the comparison failed: {type(error).__name__}: {error}",
            **common,
        )
    return CompareResult(
        max_abs_diff_forward=result.forward.max_abs_diff,
        max_abs_diff_backward=result.backward.max_abs_diff,
        exact=result.exact,
        ok=result.ok,
        tolerance=result.tolerance.describe(),
        note=result.problems,
        **common,
    )


# --------------------------------------------------------------------------------------------
# The randomized suite
# --------------------------------------------------------------------------------------------

TIE_VALUES = np.array([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0])
SPECIAL_VALUES = np.array([np.nan, np.inf, -np.inf])


def random_values(rng, shape, dtype, style: str) -> np.ndarray:
    """Test data: ``ties`` (few distinct values), ``specials`` (ties with NaN/±inf),
    ``normal``, ``nonneg`` (ties and normals ≥ 0), ``integers`` or ``bytes`` (uint8 0..255)."""
    if style == "integers":
        return rng.integers(-3, 4, size=shape).astype(dtype)
    if style == "bytes":
        return rng.integers(0, 256, size=shape).astype(np.uint8)
    if style == "normal":
        return rng.standard_normal(shape).astype(dtype)
    if style == "nonneg":
        values = np.where(
            rng.random(shape) < 0.5, rng.choice(np.abs(TIE_VALUES), size=shape),
            np.abs(rng.standard_normal(shape)),
        )
        return values.astype(dtype)
    values = rng.choice(TIE_VALUES, size=shape)
    if style == "specials":
        special = rng.random(shape) < 0.15
        values = np.where(special, rng.choice(SPECIAL_VALUES, size=shape), values)
    return values.astype(dtype)


def _lp_power(rng, kernel):
    return {"p": float(rng.choice([1.0, 2.0, 3.0, 1.5]))}


def _weights_option(rng, kernel):
    return {"weights": rng.uniform(0.1, 2.0, size=kernel)} if rng.random() < 0.5 else {}


def _mixed_option(rng, kernel):
    return {"alpha": float(rng.choice([0.0, 0.3, 0.5, 1.0, rng.random()]))}


def _training(rng, kernel):
    return {"seed": int(rng.integers(0, 10_000)), "training": True}


def _inference(rng, kernel):
    return {"training": False}


@dataclass
class Family:
    """One row of the suite: a kind with a range of parameters and inputs."""

    name: str
    kind: str
    dims: int = 2  # 2: pool2d, 1: pool1d, 0: adaptive
    dilations: tuple[int, ...] = (1,)
    paddings: str = "numeric"  # "numeric", "string", "any" or "none"
    styles: tuple[str, ...] = ("ties", "specials", "normal", "integers", "bytes")
    options: Callable | None = None


FINITE = ("ties", "normal", "integers", "bytes")
FAMILIES = [
    Family("max", "max", dilations=(1, 2, 3)),
    Family("max same/valid", "max", dilations=(1, 2), paddings="string"),
    Family("min", "min", dilations=(1, 2), paddings="any"),
    Family("avg", "avg"),
    Family("avg same/valid", "avg", paddings="string"),
    Family("avg dilated", "avg", dilations=(2, 3), paddings="any"),
    Family("lp", "lp", paddings="none", styles=("ties", "normal", "nonneg"), options=_lp_power),
    Family("lp padded/dilated", "lp", dilations=(1, 2), paddings="any",
           styles=("ties", "normal", "nonneg"), options=_lp_power),
    Family("weighted", "weighted", dilations=(1, 2), paddings="any", styles=FINITE,
           options=_weights_option),
    Family("stochastic (training)", "stochastic", dilations=(1, 2), paddings="any",
           styles=("nonneg", "bytes"), options=_training),
    Family("stochastic (inference)", "stochastic", dilations=(1, 2), paddings="any",
           styles=("nonneg", "bytes"), options=_inference),
    Family("mixed", "mixed", dilations=(1, 2), paddings="any", styles=FINITE,
           options=_mixed_option),
    Family("softpool", "softpool", dilations=(1, 2), paddings="any", styles=FINITE),
    Family("median", "median", dilations=(1, 2), paddings="any", styles=(*FINITE, "specials")),
    Family("adaptive max", "max", dims=0),
    Family("adaptive avg", "avg", dims=0),
    Family("pool1d max", "max", dims=1, dilations=(1, 2)),
    Family("pool1d avg", "avg", dims=1),
]


def _random_shape(rng, dims: int) -> tuple[int, ...]:
    lead = [(), (int(rng.integers(1, 4)),), (int(rng.integers(1, 3)), int(rng.integers(1, 4)))]
    leading = lead[int(rng.integers(0, 3))]
    if dims == 1:
        plane = (int(rng.integers(1, 17)),)
    else:
        plane = tuple(int(v) for v in rng.integers(1, 13, 2))
    return (*leading, *plane)


def _random_params(rng, family: Family, plane: tuple[int, ...]) -> dict | None:
    """Random parameters for ``plane``; ``None`` when they do not make a valid pooling."""
    axes = len(plane)
    kernel = tuple(int(v) for v in rng.integers(1, 5, axes))
    if axes == 2 and rng.random() < 0.5:
        kernel = (kernel[0], kernel[0])
    stride = None if rng.random() < 0.3 else tuple(int(v) for v in rng.integers(1, 4, axes))
    dilation = tuple(int(rng.choice(family.dilations)) for _ in range(axes))
    style = family.paddings
    if style == "any":
        style = "string" if rng.random() < 0.3 else "numeric"
    params = {"kernel_size": kernel, "stride": stride, "dilation": dilation}
    if style == "string":
        params["padding"] = str(rng.choice(["same", "valid"]))
    else:
        if style == "numeric":
            params["padding"] = tuple(int(rng.integers(0, k // 2 + 1)) for k in kernel)
        params["ceil_mode"] = bool(rng.random() < 0.4)
    if family.kind in ("avg", "mixed", "weighted"):
        params["count_include_pad"] = bool(rng.random() < 0.5)
    if family.kind in ("avg", "mixed") and rng.random() < 0.2:
        params["divisor_override"] = int(rng.choice([-3, 1, 2, 5]))
    if axes == 1:
        params = {key: value[0] if isinstance(value, tuple) else value
                  for key, value in params.items()}
    if family.options is not None:
        params.update(family.options(rng, kernel))
    in_hw = plane if axes == 2 else (1, plane[0])
    try:
        rows, cols = geometry_from_params(in_hw, params, axes)
    except RuntimeError:  # PyTorch refuses these sizes
        return None
    if rows.out < 1 or cols.out < 1 or has_padding_only_window(rows, cols):
        return None
    return params


def _random_case(family: Family, rng):
    """``(x, params)`` of one random valid case of ``family``."""
    dtype = np.dtype(rng.choice([np.float32, np.float64]))
    style = str(rng.choice(family.styles))
    while True:
        shape = _random_shape(rng, 1 if family.dims == 1 else 2)
        if family.dims == 0:
            params = {"output_size": tuple(int(v) for v in rng.integers(1, 8, 2))}
            break
        params = _random_params(rng, family, shape[-family.dims:])
        if params is not None:
            break
    x = random_values(rng, shape, dtype, style)
    if family.kind == "lp" and params["p"] != 2.0:
        # Odd and fractional powers of mixed signs cancel within a window and turn 1-ulp
        # differences of pow into large relative ones (or a NaN against a small number).
        x = np.abs(x)
    return x, params


@dataclass
class FamilyTally:
    """One table row."""

    name: str
    cases: int = 0
    max_forward: float = 0.0
    max_backward: float = 0.0
    exact: int = 0
    disagreements: int = 0
    tolerances: set = field(default_factory=set)


def run_suite(cases: int, seed: int = 0, device: str = "auto", out=None) -> int:
    """Run ``cases`` random cases over every family, print the table, return the disagreements."""
    torch = _torch()
    out = sys.stdout if out is None else out
    device = _resolve_device(device)
    rng = np.random.default_rng(seed)
    tallies = []
    failures = []
    started = time.perf_counter()
    share, extra = divmod(cases, len(FAMILIES))
    for number, family in enumerate(FAMILIES):
        tally = FamilyTally(family.name)
        for _ in range(share + (number < extra)):
            case_rng = np.random.default_rng(rng.integers(2**63))
            x, params = _random_case(family, case_rng)
            tally.cases += 1
            try:
                if family.dims == 0:
                    result = check_case(x, family.kind, device=device, grad_seed=tally.cases,
                                        **params)
                else:
                    result = check_case(x, family.kind, dims=family.dims, device=device,
                                        grad_seed=tally.cases, **params)
            except Exception as error:  # an exception is a disagreement too: report, go on
                tally.disagreements += 1
                failures.append(f"{family.name}: {type(error).__name__}: {error}; "
                                f"x.shape={x.shape}, dtype={x.dtype}, params={params}")
                continue
            tally.max_forward = max(tally.max_forward, result.forward.max_abs_diff)
            tally.max_backward = max(tally.max_backward, result.backward.max_abs_diff)
            tally.exact += result.exact
            tally.tolerances.add(result.tolerance.describe())
            if not result.ok:
                tally.disagreements += 1
                failures.append(f"{family.name}: {result.problems}; x.shape={x.shape}, "
                                f"dtype={x.dtype}, params={params}")
        tallies.append(tally)
    elapsed = time.perf_counter() - started
    name = _device_name(device)
    total = sum(t.disagreements for t in tallies)
    print(f"pooling_core vs PyTorch {torch.__version__} on {name}: {cases} cases, seed {seed}, "
          f"{elapsed:.0f} s", file=out)
    print(file=out)
    header = ("family", "cases", "max abs Δ fwd", "max abs Δ bwd", "bit-exact", "disagree",
              "tolerance", "device")
    print("| " + " | ".join(header) + " |", file=out)
    print("|" + "|".join("---" for _ in header) + "|", file=out)
    for t in tallies:
        tolerance = " or ".join(sorted(t.tolerances))
        print(f"| {t.name} | {t.cases} | {t.max_forward:.3g} | {t.max_backward:.3g} | "
              f"{t.exact} | {t.disagreements} | {tolerance} | {name} |", file=out)
    print(file=out)
    print(f"Tolerances — {TOLERANCE_LEGEND}", file=out)
    print(f"disagreements: {total}", file=out)
    for failure in failures[:10]:
        print("  " + failure, file=out)
    return total


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pooling_core.crosscheck",
        description="Randomized agreement suite: pooling_core against PyTorch.",
    )
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                        help="where PyTorch runs (auto: CUDA when available)")
    parser.add_argument("--cases", type=int, default=3600,
                        help="random cases in all, spread over the families (default 3600)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        torch = _torch()
    except ImportError as error:
        print(error, file=sys.stderr)
        return 2
    if args.device == "cuda" and not torch.cuda.is_available():
        print("--device cuda: PyTorch sees no CUDA device here; use --device cpu",
              file=sys.stderr)
        return 2
    return 1 if run_suite(args.cases, args.seed, args.device) else 0


if __name__ == "__main__":
    sys.exit(main())
