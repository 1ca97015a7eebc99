"""The PyTorch references: every kind of pooling computed with PyTorch, returned as NumPy arrays.

* Where PyTorch has the operation (``max``/``min``/``avg``/``lp`` with numeric padding, adaptive
  pooling, 1-D pooling) the reference *is* PyTorch's function (``min`` is ``-max_pool2d(-x)``), and
  its backward is PyTorch's autograd.
* String padding (``"same"``/``"valid"``) is built with an explicit ``F.pad`` in front of PyTorch's
  pooling function: ``-inf`` for max (a padded cell never wins), and for avg a sum over zero padding
  divided by the number of in-input cells.
* Everything PyTorch lacks (dilated avg, weighted, stochastic, mixed, softpool, median) is built
  from PyTorch primitives — ``F.pad``, ``Tensor.unfold``, ``softmax``, ``sort``, ``cumsum``,
  ``gather`` — following ``docs/SEMANTICS.md`` literally, with gradients from autograd.

PyTorch is imported only when a function needs it (:func:`_torch`), so importing this module
does not load it.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass

import numpy as np

TORCH_MISSING = (
    "pooling_core.crosscheck needs PyTorch, which is not installed here; "
    "install it with `pip install torch==2.13.0` (or `make test`, which installs it)"
)


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
