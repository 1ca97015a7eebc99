"""Public pooling functions: argument checking around the kinds in :mod:`pooling_core.kinds`."""

from __future__ import annotations

import contextlib
import difflib
import functools
import numbers
from dataclasses import dataclass

import numpy as np

from .errors import PoolingError
from .kinds import KINDS_BY_NAME, Config, Kind
from .params import as_pair, make_axis, normalize_padding
from .windows import Windows

KINDS = tuple(KINDS_BY_NAME)
KIND_OPTIONS = {name: kind.option_defaults for name, kind in KINDS_BY_NAME.items()}


def kinds_where(trait: str) -> tuple[str, ...]:
    """The kinds whose ``trait`` (an attribute of :class:`~pooling_core.kinds.Kind`) is true.

    Examples
    --------
    >>> kinds_where("has_indices"), kinds_where("takes_divisor")
    (('max', 'min'), ('avg', 'mixed'))
    """
    return tuple(name for name, kind in KINDS_BY_NAME.items() if getattr(kind, trait))


def check_kind(kind) -> str:
    if not isinstance(kind, str) or kind not in KINDS_BY_NAME:
        close = difflib.get_close_matches(str(kind), KINDS, n=1)
        if close:
            raise PoolingError("unknown_kind_close", value=kind, close=close[0],
                               choices=", ".join(KINDS))
        raise PoolingError("unknown_kind", value=kind, choices=", ".join(KINDS))
    return kind


def kind_spec(kind) -> Kind:
    """The :class:`~pooling_core.kinds.Kind` named ``kind``: its traits and options.

    Examples
    --------
    >>> spec = kind_spec("lp")
    >>> spec.averages, spec.padding_value, [option.name for option in spec.options]
    (False, 0.0, ['p'])
    """
    return KINDS_BY_NAME[check_kind(kind)]


def as_compute_array(x, name: str = "x") -> np.ndarray:
    """``x`` as float32/float64; integers, bools and other floats are computed as float32."""
    try:
        array = np.asarray(x)
    except (TypeError, ValueError) as error:  # ragged lists and the like
        raise PoolingError("not_numeric", parameter=name, detail=str(error)) from None
    if array.dtype in (np.float32, np.float64):
        return array
    if array.dtype.kind in "biuf":
        return array.astype(np.float32)
    raise PoolingError("bad_dtype", parameter=name, dtype=str(array.dtype))


@dataclass(frozen=True)
class Plan:
    """Everything a call needs, checked: planes, windows, kind and config."""

    planes: np.ndarray  # (P, H, W)
    lead_shape: tuple
    windows: Windows
    kind: str
    config: Config

    @property
    def out_shape(self) -> tuple:
        return self.lead_shape + self.windows.out_shape

    def reshape(self, array: np.ndarray) -> np.ndarray:
        return array.reshape(self.out_shape)


def pooling_windows(in_hw, kernel_size, stride, padding, dilation, ceil_mode,
                    spatial_dims=2) -> Windows:
    """The windows of a pooling, its arguments checked as the public functions check them (the
    one place the lessons and :mod:`pooling_core.explain` get their windows from)."""
    ndim = spatial_dims
    kernel = as_pair(kernel_size, "kernel_size", 1, ndim)
    strides = kernel if stride is None else as_pair(stride, "stride", 1, ndim)
    dilations = as_pair(dilation, "dilation", 1, ndim)
    pads = normalize_padding(padding, ndim)
    if not isinstance(pads, str):
        pads = tuple(pads)
    if not isinstance(ceil_mode, (bool, np.bool_)):
        raise PoolingError("not_bool", parameter="ceil_mode", value=ceil_mode)
    if ndim == 1:
        kernel, strides, dilations = (1,) + kernel, (1,) + strides, (1,) + dilations
        pads = pads if isinstance(pads, str) else (0,) + pads
    names = ("height", "width") if ndim == 2 else ("height", "length")
    return _checked_windows(
        tuple(int(n) for n in in_hw), kernel, strides,
        pads if isinstance(pads, str) else (pads,), dilations, bool(ceil_mode), names,
    )


@functools.lru_cache(maxsize=256)
def _checked_windows(in_hw, kernel, strides, pads, dilations, ceil_mode, names) -> Windows:
    # Cached: an app rerun or a benchmark loop asks for the same windows again and again, and
    # working them out (and their bit tables) costs more than pooling a small input.
    pads = pads if isinstance(pads, str) else pads[0]
    axes = [
        make_axis(
            in_hw[a], kernel[a], strides[a], pads if isinstance(pads, str) else pads[a],
            dilations[a], ceil_mode, where=names[a],
        )
        for a in range(2)
    ]
    return Windows(*axes)


def plan(x, kind, kernel_size, stride, padding, dilation, ceil_mode, count_include_pad,
         divisor_override, options, *, spatial_dims=2, want_indices=False) -> Plan:
    spec = kind_spec(kind)
    array = as_compute_array(x)
    if spatial_dims == 2:
        if array.ndim not in (2, 3, 4):
            raise PoolingError("bad_ndim_2d", shape=array.shape)
        lead = array.shape[:-2]
        in_hw = array.shape[-2:]
    else:
        if array.ndim not in (1, 2, 3):
            raise PoolingError("bad_ndim_1d", shape=array.shape)
        lead = array.shape[:-1]
        in_hw = (1, array.shape[-1])
    batch_dims = 1 if array.ndim == 2 + spatial_dims else 0  # only N of (N, C, ...) may be 0
    if 0 in array.shape[batch_dims:]:
        raise PoolingError("empty_input", shape=array.shape,
                           layout="(N, C, H, W)" if spatial_dims == 2 else "(N, C, L)")
    windows = pooling_windows(in_hw, kernel_size, stride, padding, dilation, ceil_mode,
                              spatial_dims)
    if want_indices and not spec.has_indices:
        raise PoolingError("no_indices", kind=kind, choices=", ".join(kinds_where("has_indices")))
    if divisor_override is not None:
        if not spec.takes_divisor:
            raise PoolingError("divisor_not_for_kind", kind=kind, value=divisor_override,
                               choices=", ".join(kinds_where("takes_divisor")))
        if (isinstance(divisor_override, bool)
                or not isinstance(divisor_override, numbers.Integral) or divisor_override == 0):
            raise PoolingError("bad_divisor", value=divisor_override)
        divisor_override = int(divisor_override)
    if not isinstance(count_include_pad, (bool, np.bool_)):
        raise PoolingError("not_bool", parameter="count_include_pad", value=count_include_pad)
    for option in spec.options:
        value = options.get(option.name)
        if spatial_dims == 1 and option.type == "weights" and value is not None:
            # a 1-D window's weights are one row of the 2-D window the engine pools with
            with contextlib.suppress(TypeError, ValueError):  # the option's check says why
                options = {**options, option.name: np.asarray(value, dtype=float).reshape(1, -1)}
    options = spec.check_options(options, windows.kernel)
    if spec.needs_finite and not np.isfinite(array).all():
        raise PoolingError("needs_finite", kind=kind)
    if spec.needs_non_negative and array.size and array.min() < 0:
        raise PoolingError("needs_non_negative", kind=kind, minimum=float(array.min()))
    planes = np.ascontiguousarray(array.reshape((-1,) + tuple(in_hw)))
    config = Config(bool(count_include_pad), divisor_override, options)
    return Plan(planes, tuple(lead), windows, kind, config)


# inf - inf and 0/0 are NaN by design here (PyTorch gives the same), not something to warn about.
QUIET = dict(invalid="ignore", divide="ignore", over="ignore")


def _forward(p: Plan, want_indices: bool):
    with np.errstate(**QUIET):
        out, indices = KINDS_BY_NAME[p.kind].forward(p.planes, p.windows, p.config, want_indices)
    if want_indices:
        return p.reshape(out), p.reshape(indices)
    return p.reshape(out)


def _backward(p: Plan, grad_output):
    grad = as_compute_array(grad_output, "grad_output")
    if grad.shape != p.out_shape:
        raise PoolingError("grad_shape", expected=p.out_shape, shape=grad.shape)
    grad = np.ascontiguousarray(grad.astype(p.planes.dtype, copy=False)).reshape(
        (-1,) + p.windows.out_shape
    )
    with np.errstate(**QUIET):
        grad_x = KINDS_BY_NAME[p.kind].backward(p.planes, grad, p.windows, p.config)
    return grad_x.reshape(p.lead_shape + p.planes.shape[1:])


def pool2d(x, kind="max", kernel_size=2, stride=None, padding=0, dilation=1, ceil_mode=False,
           count_include_pad=True, divisor_override=None, return_indices=False, **options):
    """Pool the last two axes of ``x`` with windows of ``kernel_size``.

    Output size per axis (PyTorch's rule; see :func:`pooling_core.output_size`)::

        H_out = floor((H + 2*padding - dilation*(kernel_size - 1) - 1) / stride) + 1

    Parameters
    ----------
    x : array_like, shape (H, W), (C, H, W) or (N, C, H, W)
        float32 stays float32, float64 stays float64; other numbers are computed as float32.
        Each plane is pooled on its own: depth is preserved.
    kind : str
        One of :data:`KINDS`: the reduction over each window (docs/SEMANTICS.md states each
        exactly; :func:`kind_spec` gives its traits and options).
    kernel_size, stride, dilation : int or (int, int)
        ``stride=None`` means ``kernel_size``.
    padding : int, (int, int), "valid" or "same"
        Numeric padding is implicit (-inf for max, not summed for averages) and at most half of
        ``kernel_size``. ``"same"``/``"valid"`` follow TensorFlow (odd padding cell bottom/right,
        never counted in an average).
    ceil_mode : bool
        Round the output size up; the last window must still start inside the input or the left
        padding.
    count_include_pad : bool
        Averages divide by the window's cells including padding (PyTorch's default) or only
        those inside the input.
    divisor_override : int, optional
        Fixed divisor for ``avg`` (and ``mixed``'s average).
    return_indices : bool
        For max and min: also return int64 flat indices ``h*W + w`` into each input plane.
    **options
        The kind's own options: ``p`` (lp), ``weights`` (weighted), ``seed`` and ``training``
        (stochastic), ``alpha`` (mixed).

    Returns
    -------
    out : ndarray, shape (..., H_out, W_out)
    indices : ndarray of int64, same shape, only with ``return_indices=True``

    Raises
    ------
    PoolingError
        For any invalid argument; the message names it and says what would be valid.

    Examples
    --------
    The worked example: 2×2 windows, stride 2, on a 4×4 feature map.

    >>> import numpy as np
    >>> x = np.array([[1, 3, 2, 4],
    ...               [5, 6, 1, 2],
    ...               [7, 2, 8, 1],
    ...               [3, 4, 0, 6]])
    >>> pool2d(x, "max", kernel_size=2)
    array([[6., 4.],
           [7., 8.]], dtype=float32)
    >>> pool2d(x, "avg", kernel_size=2)     # (1+3+5+6)/4 = 3.75, (2+4+1+2)/4 = 2.25, ...
    array([[3.75, 2.25],
           [4.  , 3.75]], dtype=float32)

    Overlapping 3×3 windows with stride 1 on a 4×4 map give a 2×2 output:

    >>> pool2d(x, "max", kernel_size=3, stride=1)
    array([[8., 8.],
           [8., 8.]], dtype=float32)

    Padding 1 around the border: the top-left 2×2 window sees -inf, -inf, -inf, 1 for max and
    divides 1 by 4 (padding counted) or by 1 (not counted) for avg:

    >>> pool2d(x, "max", kernel_size=2, padding=1)[0, 0]
    np.float32(1.0)
    >>> pool2d(x, "avg", kernel_size=2, padding=1)[0, 0], pool2d(
    ...     x, "avg", kernel_size=2, padding=1, count_include_pad=False)[0, 0]
    (np.float32(0.25), np.float32(1.0))

    Indices are flat positions in each input plane; ties go to the first cell in window order:

    >>> pool2d(np.ones((2, 2)), "max", kernel_size=2, return_indices=True)[1]
    array([[0]])
    """
    p = plan(x, kind, kernel_size, stride, padding, dilation, ceil_mode, count_include_pad,
             divisor_override, options, want_indices=return_indices)
    return _forward(p, return_indices)


def pool2d_backward(x, grad_output, kind="max", kernel_size=2, stride=None, padding=0, dilation=1,
                    ceil_mode=False, count_include_pad=True, divisor_override=None, **options):
    """Gradient of a sum ``Σ grad_output · pool2d(x, ...)`` with respect to ``x``.

    ``max``/``min`` route each output's gradient to the cell that won its window (cells chosen by
    overlapping windows accumulate); ``avg`` spreads ``g / divisor`` over its window; each other
    kind follows its own rule (docs/SEMANTICS.md). Additions happen in PyTorch's order, so float
    results are bit-identical to ``torch.autograd`` on the CPU for max, min and avg.

    Parameters
    ----------
    x : array_like
        The forward input, as for :func:`pool2d`.
    grad_output : array_like
        Upstream gradient, shaped like ``pool2d(x, ...)``'s output.
    kind, kernel_size, stride, padding, dilation, ceil_mode, count_include_pad, divisor_override,
    **options
        As for :func:`pool2d`.

    Returns
    -------
    ndarray, shape of ``x`` (float32 or float64)

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1, 3, 2, 4],
    ...               [5, 6, 1, 2],
    ...               [7, 2, 8, 1],
    ...               [3, 4, 0, 6]])
    >>> pool2d_backward(x, np.ones((2, 2)), "max", kernel_size=2)   # the winners get the gradient
    array([[0., 0., 0., 1.],
           [0., 1., 0., 0.],
           [1., 0., 1., 0.],
           [0., 0., 0., 0.]], dtype=float32)
    >>> pool2d_backward(x, np.ones((2, 2)), "avg", kernel_size=2)   # every cell gets 1/4
    array([[0.25, 0.25, 0.25, 0.25],
           [0.25, 0.25, 0.25, 0.25],
           [0.25, 0.25, 0.25, 0.25],
           [0.25, 0.25, 0.25, 0.25]], dtype=float32)

    Overlapping windows (3×3, stride 1): the 8 wins all four windows, so it collects 4:

    >>> pool2d_backward(x, np.ones((2, 2)), "max", kernel_size=3, stride=1)[2, 2]
    np.float32(4.0)
    """
    p = plan(x, kind, kernel_size, stride, padding, dilation, ceil_mode, count_include_pad,
             divisor_override, options)
    return _backward(p, grad_output)


def pool1d(x, kind="max", kernel_size=2, stride=None, padding=0, dilation=1, ceil_mode=False,
           count_include_pad=True, divisor_override=None, return_indices=False, **options):
    """Pool the last axis of ``x`` (speech, time series): :func:`pool2d` with a 1-high window.

    Parameters
    ----------
    x : array_like, shape (L,), (C, L) or (N, C, L)
    kind, kernel_size, stride, padding, dilation, ceil_mode, count_include_pad, divisor_override,
    return_indices, **options
        As for :func:`pool2d`, with ints (``weights`` of length ``kernel_size``).

    Returns
    -------
    out : ndarray, shape (..., L_out)
    indices : ndarray of int64 (positions along the last axis), only with ``return_indices=True``

    Examples
    --------
    >>> import numpy as np
    >>> pool1d(np.array([1, 3, 2, 5, 4, 0]), "max", kernel_size=2)
    array([3., 5., 4.], dtype=float32)
    >>> pool1d(np.array([1, 3, 2, 5, 4, 0]), "avg", kernel_size=3, stride=1)
    array([2.       , 3.3333333, 3.6666667, 3.       ], dtype=float32)
    """
    p = plan(x, kind, kernel_size, stride, padding, dilation, ceil_mode, count_include_pad,
             divisor_override, options, spatial_dims=1, want_indices=return_indices)
    result = _forward(p, return_indices)
    def squeeze(a):
        return a.reshape(p.lead_shape + (p.windows.out_shape[1],))

    if return_indices:
        return squeeze(result[0]), squeeze(result[1])
    return squeeze(result)


def pool1d_backward(x, grad_output, kind="max", kernel_size=2, stride=None, padding=0, dilation=1,
                    ceil_mode=False, count_include_pad=True, divisor_override=None, **options):
    """Gradient of a sum ``Σ grad_output · pool1d(x, ...)`` with respect to ``x``.

    Parameters
    ----------
    x : array_like, shape (L,), (C, L) or (N, C, L)
    grad_output : array_like
        Shaped like ``pool1d(x, ...)``'s output.
    kind, kernel_size, stride, padding, dilation, ceil_mode, count_include_pad, divisor_override,
    **options
        As for :func:`pool1d`.

    Returns
    -------
    ndarray, shape of ``x``

    Examples
    --------
    >>> import numpy as np
    >>> pool1d_backward(np.array([1, 3, 2, 5]), np.array([1.0, 1.0]), "max", kernel_size=2)
    array([0., 1., 0., 1.], dtype=float32)
    """
    p = plan(x, kind, kernel_size, stride, padding, dilation, ceil_mode, count_include_pad,
             divisor_override, options, spatial_dims=1)
    grad = as_compute_array(grad_output, "grad_output")
    expected = p.lead_shape + (p.windows.out_shape[1],)
    if grad.shape != expected:
        raise PoolingError("grad_shape", expected=expected, shape=grad.shape)
    grad_x = _backward(p, grad.reshape(p.out_shape))
    return grad_x.reshape(np.shape(x))
