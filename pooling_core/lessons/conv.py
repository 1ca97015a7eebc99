"""Convolution (cross-correlation, as in CNNs), ReLU and a few classic filters.

:func:`conv2d` and :func:`conv1d` compute what ``torch.nn.functional.conv2d``/``conv1d`` compute
for one sample: cross-correlation (the kernel is *not* flipped), zero padding, ``stride``,
``dilation``, several input and output channels, one bias per output channel. They loop over
the kernel's taps (at most ``kh·kw`` strided slices of the padded input), never over output
positions, so a large photo costs ``kh·kw`` array passes.

:data:`FILTERS` holds the classic 3×3 filters the lesson page offers, as data.
"""

from __future__ import annotations

import numpy as np

from ..errors import PoolingError
from ..params import as_pair
from ..pool import as_compute_array

_LAYOUTS = {
    1: ("2 or 1", "(C_in, L) or (L,)", "3 or 1", "(C_out, C_in, k) or (k,)", ("length",)),
    2: ("3 or 2", "(C_in, H, W) or (H, W)", "4 or 2", "(C_out, C_in, kh, kw) or (kh, kw)",
        ("height", "width")),
}


def _ints(value, name: str, minimum: int, ndim: int) -> tuple[int, ...]:
    try:
        return as_pair(value, name, minimum, ndim)
    except PoolingError as error:
        if error.code == "stride_too_small":  # its hint is about pooling's stride=None
            raise PoolingError("too_small", **error.fields) from None
        raise


def _conv(x, weight, bias, stride, padding, dilation, nd: int) -> np.ndarray:
    x_allowed, x_layouts, w_allowed, w_layouts, axes = _LAYOUTS[nd]
    x = as_compute_array(x, "x")
    weight = as_compute_array(weight, "weight")
    if x.ndim not in (nd, nd + 1):
        raise PoolingError("conv_x_ndim", allowed=x_allowed, layouts=x_layouts, shape=x.shape)
    if weight.ndim not in (nd, nd + 2):
        raise PoolingError("conv_weight_ndim", allowed=w_allowed, layouts=w_layouts,
                           shape=weight.shape)
    if 0 in x.shape:
        raise PoolingError("conv_x_empty", shape=x.shape)
    if 0 in weight.shape:
        raise PoolingError("conv_weight_empty", shape=weight.shape)
    single = x.ndim == nd and weight.ndim == nd
    planes = x if x.ndim == nd + 1 else x[None]
    filters = weight if weight.ndim == nd + 2 else weight[None, None]
    if filters.shape[1] != planes.shape[0]:
        raise PoolingError("conv_channels", weight_shape=weight.shape, expected=filters.shape[1],
                           shape=x.shape, got=planes.shape[0])
    c_out = filters.shape[0]
    kernel = filters.shape[2:]
    strides = _ints(stride, "stride", 1, nd)
    dilations = _ints(dilation, "dilation", 1, nd)
    if isinstance(padding, str) and padding.strip().lower() in ("same", "valid"):
        if padding.strip().lower() == "valid":
            pads = ((0, 0),) * nd
        else:
            if strides != (1,) * nd:
                raise PoolingError("conv_same_stride", value=stride)
            # PyTorch puts the odd cell of 'same' padding at the end (bottom/right)
            totals = [d * (k - 1) for d, k in zip(dilations, kernel, strict=True)]
            pads = tuple((total // 2, total - total // 2) for total in totals)
    elif isinstance(padding, str):
        raise PoolingError("padding_string", value=padding)
    else:
        pads = tuple((p, p) for p in _ints(padding, "padding", 0, nd))

    dtype = x.dtype
    filters = filters.astype(dtype, copy=False)
    bias_array = as_compute_array(bias, "bias").astype(dtype, copy=False)
    if bias_array.ndim > 1 or (bias_array.ndim == 1 and bias_array.shape[0] != c_out):
        raise PoolingError("conv_bias_shape", expected=c_out, shape=bias_array.shape)

    out_sizes = []
    per_axis = zip(axes, planes.shape[1:], kernel, strides, dilations, pads, strict=True)
    for axis, n, k, s, d, (lo, hi) in per_axis:
        span = d * (k - 1) + 1
        padded = n + lo + hi
        out = (padded - span) // s + 1  # ≤ 0 when the kernel does not fit, as PyTorch says
        if out < 1:
            raise PoolingError("conv_output_empty", axis=axis, out=out, span=span, padded=padded)
        out_sizes.append(out)

    padded_planes = np.pad(planes, ((0, 0), *pads))
    result = np.zeros((c_out, *out_sizes), dtype=dtype)
    for tap in np.ndindex(*kernel):
        window = tuple(slice(i * d, i * d + s * (o - 1) + 1, s)
                       for i, d, s, o in zip(tap, dilations, strides, out_sizes, strict=True))
        patch = padded_planes[(slice(None), *window)]  # (C_in, *out)
        result += np.tensordot(filters[(slice(None), slice(None), *tap)], patch, axes=(1, 0))
    result += bias_array.reshape((-1,) + (1,) * nd) if bias_array.ndim else bias_array
    return result[0] if single else result


def conv2d(x, weight, bias=0.0, stride=1, padding=0, dilation=1) -> np.ndarray:
    """2-D cross-correlation of one sample, as ``torch.nn.functional.conv2d``.

    Parameters
    ----------
    x : array_like, shape (C_in, H, W) or (H, W)
        The input; (H, W) is one channel. Computed in float64 when x is float64 (a list of
        Python floats is), else in float32; the result has that dtype.
    weight : array_like, shape (C_out, C_in, kh, kw) or (kh, kw)
        The filters; (kh, kw) is one filter on one channel. Not flipped (as in CNNs).
    bias : float or array_like of shape (C_out,), default 0
    stride, padding, dilation : int or (int, int)
        As in PyTorch; ``padding`` adds zeros on both sides, or is ``"valid"`` (none) or
        ``"same"`` (stride 1 only; an odd total puts the extra zero at the bottom/right).

    Returns
    -------
    numpy.ndarray, shape (C_out, H_out, W_out), or (H_out, W_out) when both x and weight are 2-D
        ``H_out = floor((H + 2·padding − dilation·(kh − 1) − 1) / stride) + 1``, likewise W_out.

    Raises
    ------
    PoolingError
        Bad shapes (codes ``conv_x_ndim``, ``conv_weight_ndim``, ``conv_channels``,
        ``conv_bias_shape``, …), bad numbers (``too_small``, ``not_integer``) or an empty output
        (``conv_output_empty``).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(16.0).reshape(4, 4)
    >>> conv2d(x, np.array([[1.0, 0.0], [0.0, -1.0]]))
    array([[-5., -5., -5.],
           [-5., -5., -5.],
           [-5., -5., -5.]])
    >>> conv2d(x, np.ones((3, 3)), padding=1, stride=2)
    array([[10., 24.],
           [51., 90.]])
    """
    return _conv(x, weight, bias, stride, padding, dilation, 2)


def conv1d(x, weight, bias=0.0, stride=1, padding=0, dilation=1) -> np.ndarray:
    """1-D cross-correlation of one sample, as ``torch.nn.functional.conv1d``.

    Parameters
    ----------
    x : array_like, shape (C_in, L) or (L,)
        The input; (L,) is one channel. Computed in float64 when x is float64 (a list of
        Python floats is), else in float32; the result has that dtype.
    weight : array_like, shape (C_out, C_in, k) or (k,)
        The filters; (k,) is one filter on one channel. Not flipped (as in CNNs).
    bias : float or array_like of shape (C_out,), default 0
    stride, padding, dilation : int
        As in PyTorch; ``padding`` may also be ``"valid"`` or ``"same"`` (stride 1 only).

    Returns
    -------
    numpy.ndarray, shape (C_out, L_out), or (L_out,) when both x and weight are 1-D
        ``L_out = floor((L + 2·padding − dilation·(k − 1) − 1) / stride) + 1``.

    Raises
    ------
    PoolingError
        As :func:`conv2d`.

    Examples
    --------
    >>> import numpy as np
    >>> conv1d([1.0, 2.0, 4.0, 7.0], [-1.0, 1.0])
    array([1., 2., 3.])
    >>> conv1d(np.array([1, 2, 4, 7]), [1, 1, 1], padding=1, dilation=2)
    array([9., 5.], dtype=float32)
    """
    return _conv(x, weight, bias, stride, padding, dilation, 1)


def relu(x) -> np.ndarray:
    """``max(x, 0)`` elementwise, in float32 (float64 stays float64).

    Examples
    --------
    >>> import numpy as np
    >>> relu(np.array([-1.5, 0.0, 2.0], dtype=np.float32))
    array([0., 0., 2.], dtype=float32)
    """
    return np.maximum(as_compute_array(x, "x"), 0)


def gabor_kernel(size=3, sigma=1.0, theta=0.0, wavelength=3.0, gamma=0.5, psi=0.0,
                 zero_mean=True) -> np.ndarray:
    """A real Gabor filter: a cosine wave under a Gaussian envelope.

    ``g(x, y) = exp(−(x'² + γ²·y'²) / (2σ²)) · cos(2π·x'/λ + ψ)`` with
    ``x' = x·cosθ + y·sinθ``, ``y' = −x·sinθ + y·cosθ``; x runs along the columns (left to
    right) and y along the rows (top to bottom), both centred on the middle cell. With
    ``zero_mean`` the mean is subtracted so that a flat region gives 0.

    Examples
    --------
    >>> g = gabor_kernel()
    >>> g.shape, bool(abs(g.sum()) < 1e-12), bool(g[1, 1] == g.max())
    ((3, 3), True, True)
    """
    half = (size - 1) / 2
    y, x = np.mgrid[-half:half + 1, -half:half + 1]
    x_rot = x * np.cos(theta) + y * np.sin(theta)
    y_rot = -x * np.sin(theta) + y * np.cos(theta)
    envelope = np.exp(-(x_rot**2 + gamma**2 * y_rot**2) / (2 * sigma**2))
    kernel = envelope * np.cos(2 * np.pi * x_rot / wavelength + psi)
    return kernel - kernel.mean() if zero_mean else kernel


def _frozen(rows) -> np.ndarray:
    array = np.array(rows, dtype=np.float64)
    array.flags.writeable = False
    return array


#: The classic 3×3 filters, as cross-correlation kernels (row 0 is the top). Sobel x responds
#: to brightness rising to the right (vertical edges), Sobel y to brightness rising downwards;
#: the Laplacian to spots and thin lines; the Gaussian (binomial [1 2 1]ᵀ[1 2 1]/16) blurs;
#: the Gabor (σ=1, θ=0, λ=3, γ=0.5, ψ=0, mean removed; see :func:`gabor_kernel`) responds to
#: bright vertical bars one cell wide; the identity passes the input through.
FILTERS: dict[str, np.ndarray] = {
    "sobel_x": _frozen([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
    "sobel_y": _frozen([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
    "laplacian": _frozen([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
    "gaussian": _frozen(np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16),
    "gabor": _frozen(gabor_kernel()),
    "identity": _frozen([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
}


def filter_weights(name: str) -> np.ndarray:
    """A writable copy of ``FILTERS[name]``.

    Examples
    --------
    >>> filter_weights("laplacian").sum()
    np.float64(0.0)
    """
    if name not in FILTERS:
        raise PoolingError("filter_unknown", value=name, choices=", ".join(FILTERS))
    return FILTERS[name].copy()
