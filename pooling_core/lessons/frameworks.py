"""How PyTorch and TensorFlow place pooling windows, and how each reproduces the other exactly.

The engine's own semantics are PyTorch's for numeric padding and TensorFlow's for
``"same"``/``"valid"`` (:func:`pooling_core.params.make_axis`, reused here, not redone). This
module says, for one pooling call:

* per axis, where each framework's windows fall (:func:`axis_plan`): the padding it adds on each
  side, the output size, how far the last window reaches past the input (ceil mode), and which
  padding cells an average counts;
* how a framework writes that very call (:func:`recipe`): natively, or by padding explicitly and
  then pooling without padding (``padded``), or as window sums divided by window counts
  (``ratio``), or not at all with its built-ins (``none``, with the reason's code).

Facts about the frameworks this relies on (each checked by the tests, PyTorch's by running it):

* ``torch.nn.functional.max_pool2d`` has ``dilation`` and ``ceil_mode``; padding is symmetric,
  implicit −∞ and at most half the kernel. ``avg_pool2d`` has ``count_include_pad``,
  ``divisor_override`` and ``ceil_mode`` but no dilation; cells of a ceil-mode window past the
  padding are never counted, even with ``count_include_pad=True``. ``lp_pool2d`` has neither
  padding nor dilation: it is ``(sign(a)·relu(|a|)·kh·kw) ** (1/p)`` with
  ``a = avg_pool2d(x ** p, kernel, stride, 0, ceil_mode)``. PyTorch's pooling takes no
  ``"same"``.
* TensorFlow's ``tf.nn.max_pool2d`` / ``avg_pool2d`` take ``"SAME"`` (``out = ceil(n/s)``, the
  odd padding cell at the bottom/right) or ``"VALID"`` (``out = ceil((n − k + 1)/s)``); their
  average never counts padding. Only ``tf.nn.pool`` has dilations, and "if any value of strides
  is > 1, then all values of dilation_rate must be 1"
  (https://www.tensorflow.org/versions/r2.15/api_docs/python/tf/nn/pool), so a dilated, strided
  pooling is written as a stride-1 pooling of which every s-th window is kept. TensorFlow has
  no ``count_include_pad``, no ``divisor_override``, no ceil mode and no Lp pooling.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import PoolingError
from ..params import Axis, make_axis
from ..pool import kind_spec, pooling_windows

TORCH = "pytorch"
TF = "tensorflow"
FRAMEWORKS = (TORCH, TF)
METHODS = ("native", "padded", "ratio", "none")
# Why a framework cannot write a call with its built-ins (the app words each code).
NO_EQUIVALENT = (
    "torch_no_builtin", "torch_avg_dilation", "torch_lp_dilation", "tf_no_builtin", "tf_no_lp",
)


@dataclass(frozen=True)
class AxisPlan:
    """Where one framework's windows fall along one axis.

    Attributes
    ----------
    n, kernel, stride, dilation, out : int
    pad_lo, pad_hi : int
        The padding the framework adds before / after the input (symmetric for PyTorch's
        numeric padding; TensorFlow's ``"SAME"`` puts the odd cell after).
    reach_hi : int
        Cells past the end of the input that the last window reaches (the ceil-mode overhang
        included): at least what an explicit pad must add for a padding-free pooling to place
        the same windows.
    counted_lo, counted_hi : int
        Padding cells an average counts in its divisor (PyTorch's ``count_include_pad``).
    """

    n: int
    kernel: int
    stride: int
    dilation: int
    pad_lo: int
    pad_hi: int
    out: int
    reach_hi: int
    counted_lo: int
    counted_hi: int

    @property
    def span(self) -> int:
        """Cells one window covers, gaps between dilated taps included."""
        return self.dilation * (self.kernel - 1) + 1

    @property
    def overhang(self) -> int:
        """Cells of the last window past the padding (ceil mode): read by no framework."""
        return max(self.reach_hi - self.pad_hi, 0)

    @property
    def explicit_pads(self) -> tuple[int, int]:
        """``(before, after)`` padding after which a padding-free, floor-mode pooling places
        exactly these windows.

        Examples
        --------
        >>> axis_plan(5, 2, 2, 0, ceil_mode=True).explicit_pads   # the overhang becomes padding
        (0, 1)
        >>> axis_plan(5, 3, 2, "same").explicit_pads
        (1, 1)
        """
        return self.pad_lo, max(self.pad_hi, self.reach_hi)


def _plan(axis: Axis, count_padding: bool) -> AxisPlan:
    last_end = (axis.out - 1) * axis.stride - axis.pad_lo + (axis.kernel - 1) * axis.dilation + 1
    counted = (axis.pad_lo, axis.pad_hi) if count_padding else (0, 0)
    return AxisPlan(axis.n, axis.kernel, axis.stride, axis.dilation, axis.pad_lo, axis.pad_hi,
                    axis.out, max(last_end - axis.n, 0), *counted)


def axis_plan(n, kernel, stride, padding=0, dilation=1, ceil_mode=False, *,
              count_include_pad=True, where="size") -> AxisPlan:
    """The windows along one axis of length ``n``, as the framework of ``padding`` places them.

    Numeric ``padding`` is PyTorch's (symmetric); ``"same"``/``"valid"`` are TensorFlow's. The
    arguments are checked as :func:`pooling_core.pool2d` checks them.

    Examples
    --------
    PyTorch, ``padding=1``: one cell each side. TensorFlow ``"SAME"`` on 4 cells, k = 2, s = 2:
    no padding needed; on 5 cells: one cell, after the input.

    >>> p = axis_plan(4, 3, 2, 1)
    >>> (p.pad_lo, p.pad_hi, p.out)
    (1, 1, 2)
    >>> same = (axis_plan(4, 2, 2, "same"), axis_plan(5, 2, 2, "same"))
    >>> [(q.pad_lo, q.pad_hi, q.out) for q in same]
    [(0, 0, 2), (0, 1, 3)]
    >>> axis_plan(5, 2, 2, "valid").out
    2
    """
    axis = make_axis(int(n), int(kernel), int(stride), padding, int(dilation), bool(ceil_mode),
                     where=where)
    return _plan(axis, bool(count_include_pad) and not isinstance(padding, str))


def floor_drops_window(n, kernel, stride, padding=0, dilation=1) -> bool:
    """Whether floor mode drops a last, partial window that ``ceil_mode=True`` would keep.

    Examples
    --------
    >>> floor_drops_window(5, 2, 2), floor_drops_window(4, 2, 2)
    (True, False)
    """
    if isinstance(padding, str):
        return False
    floor = make_axis(n, kernel, stride, padding, dilation, False, where="size").out
    return make_axis(n, kernel, stride, padding, dilation, True, where="size").out > floor


@dataclass(frozen=True)
class Recipe:
    """How one framework writes one pooling call of the engine, exactly.

    Attributes
    ----------
    framework : {"pytorch", "tensorflow"}
    kind : str
    method : {"native", "padded", "ratio", "none"}
        ``native``: the framework's pooling with its own padding argument (``padding``).
        ``padded``: pad the input explicitly by ``pads`` with ``fill``, then pool without
        padding. ``ratio``: window sums of the zero-padded input divided by window sums of a
        mask that is 1 on the input and on the ``counted`` padding cells, 0 elsewhere (an
        average whose divisor the framework cannot express). ``none``: no built-in does it
        (``reason``).
    reason : str or None
        One of :data:`NO_EQUIVALENT` when ``method == "none"``.
    op : {"max", "avg", "lp"} or None
        The framework's pooling used (min is ``-max(-x)``: ``negate``).
    negate : bool
    padding : (int, int) or {"SAME", "VALID"} or None
        The native padding argument (PyTorch: ``(ph, pw)``; TensorFlow: the string).
    pads, counted : ((int, int), (int, int))
        Explicit ``((top, bottom), (left, right))`` padding, and the part of it an average
        counts (``ratio``).
    fill : float
        What the explicit padding holds (−∞ for max, 0 for sums).
    lp_formula : bool
        PyTorch Lp pooling written out as its formula over ``avg_pool2d`` (where
        ``lp_pool2d`` has no padding).
    dilated_slice : bool
        TensorFlow: dilation through ``tf.nn.pool`` at stride 1, then every s-th window kept.
    kernel, stride, dilation : (int, int)
    ceil_mode, count_include_pad : bool
        The native call's flags (PyTorch).
    divisor_override : int or None
    p : float or None
        Lp's exponent.
    out_hw : (int, int)
        The output size, the engine's.
    """

    framework: str
    kind: str
    method: str
    reason: str | None
    op: str | None
    negate: bool
    padding: tuple[int, int] | str | None
    pads: tuple[tuple[int, int], tuple[int, int]]
    counted: tuple[tuple[int, int], tuple[int, int]]
    fill: float
    lp_formula: bool
    dilated_slice: bool
    kernel: tuple[int, int]
    stride: tuple[int, int]
    dilation: tuple[int, int]
    ceil_mode: bool
    count_include_pad: bool
    divisor_override: int | None
    p: float | None
    out_hw: tuple[int, int]

    @property
    def exact(self) -> bool:
        """Whether the framework reproduces the call (every method but ``none``)."""
        return self.method != "none"


NO_PADS = ((0, 0), (0, 0))


def recipe(framework, in_hw, kind="max", kernel_size=2, stride=None, padding=0, dilation=1,
           ceil_mode=False, count_include_pad=True, divisor_override=None, **options) -> Recipe:
    """How ``framework`` writes ``pool2d(x, kind, ...)`` for an input of ``in_hw`` (H, W).

    Parameters are those of :func:`pooling_core.pool2d` and checked the same way.

    Examples
    --------
    PyTorch writes TensorFlow's ``"SAME"`` max pooling on a 5×5 input as an explicit pad of
    one −∞ cell at the bottom and the right:

    >>> r = recipe("pytorch", (5, 5), "max", 2, padding="same")
    >>> r.method, r.pads, r.fill
    ('padded', ((0, 1), (0, 1)), -inf)

    TensorFlow writes PyTorch's ``padding=1`` average (padding counted) as a zero pad, then
    ``"VALID"``; with ``count_include_pad=False`` as sums over counts:

    >>> recipe("tensorflow", (4, 4), "avg", 3, 2, padding=1).method
    'padded'
    >>> recipe("tensorflow", (4, 4), "avg", 3, 2, padding=1, count_include_pad=False).method
    'ratio'
    """
    if framework not in FRAMEWORKS:
        raise ValueError(f"framework must be one of {FRAMEWORKS}; got {framework!r}")
    spec = kind_spec(kind)
    windows = pooling_windows(tuple(int(v) for v in in_hw), kernel_size, stride, padding, dilation,
                       ceil_mode)
    axes = (windows.rows, windows.cols)
    string = isinstance(padding, str)
    counts = spec.counts_padding and bool(count_include_pad) and not string
    plans = tuple(_plan(axis, counts) for axis in axes)
    base = dict(
        framework=framework, kind=kind, method="native", reason=None, op=None, negate=False,
        padding=None, pads=NO_PADS, counted=NO_PADS, fill=0.0, lp_formula=False,
        dilated_slice=False,
        kernel=tuple(a.kernel for a in axes), stride=tuple(a.stride for a in axes),
        dilation=tuple(a.dilation for a in axes), ceil_mode=bool(ceil_mode),
        count_include_pad=bool(count_include_pad), divisor_override=divisor_override,
        p=float(options["p"]) if kind == "lp" and "p" in options else (
            2.0 if kind == "lp" else None),
        out_hw=windows.out_shape,
    )
    explicit = tuple(plan.explicit_pads for plan in plans)
    build = _torch_recipe if framework == TORCH else _tf_recipe
    return Recipe(**build(base, kind, padding, plans, explicit))


def _none(base: dict, reason: str) -> dict:
    return {**base, "method": "none", "reason": reason}


def _symmetric_same(plans, explicit) -> tuple[int, int] | None:
    """PyTorch's symmetric ``padding`` that places TensorFlow ``"SAME"``'s windows, if any."""
    if all(lo == hi <= plan.kernel // 2 for plan, (lo, hi) in zip(plans, explicit, strict=True)):
        return tuple(lo for lo, _ in explicit)
    return None


def _torch_recipe(base: dict, kind: str, padding, plans, explicit) -> dict:
    string = isinstance(padding, str)
    dilated = any(plan.dilation > 1 for plan in plans)
    numeric_pads = (0, 0) if padding == "valid" else (
        None if string else tuple(plan.pad_lo for plan in plans))
    if kind in ("max", "min"):
        base = {**base, "op": "max", "negate": kind == "min"}
        if numeric_pads is None:
            numeric_pads = _symmetric_same(plans, explicit)
        if numeric_pads is not None:
            return {**base, "padding": numeric_pads}
        return {**base, "method": "padded", "pads": explicit, "fill": float("-inf")}
    if kind == "avg":
        if dilated:
            return _none(base, "torch_avg_dilation")
        base = {**base, "op": "avg"}
        if numeric_pads is not None:
            return {**base, "padding": numeric_pads}
        if base["divisor_override"] is not None:
            return {**base, "method": "padded", "pads": explicit}
        symmetric = _symmetric_same(plans, explicit)
        if symmetric is not None:  # PyTorch leaves its padding out of the count on request
            return {**base, "padding": symmetric, "count_include_pad": False}
        return {**base, "method": "ratio", "pads": explicit}
    if kind == "lp":
        if dilated:
            return _none(base, "torch_lp_dilation")
        base = {**base, "op": "lp"}
        if numeric_pads == (0, 0):
            return {**base, "padding": (0, 0)}
        if numeric_pads is not None:
            return {**base, "padding": numeric_pads, "lp_formula": True,
                    "count_include_pad": True}
        # lp counts TensorFlow's padding too (its formula multiplies back by kh·kw): zeros
        # padded explicitly are counted, as wanted.
        return {**base, "method": "padded", "pads": explicit, "lp_formula": True}
    return _none(base, "torch_no_builtin")


def _tf_same_pads(plans) -> tuple[tuple[int, int], ...] | None:
    """TensorFlow ``"SAME"``'s ``(before, after)`` per axis for these kernels and strides."""
    try:
        same = [make_axis(plan.n, plan.kernel, plan.stride, "same", 1, False, where="size")
                for plan in plans]
    except PoolingError:  # no "SAME" for this geometry: nothing to compare with
        return None
    return tuple((axis.pad_lo, axis.pad_hi) for axis in same)


def _tf_recipe(base: dict, kind: str, padding, plans, explicit) -> dict:
    string = isinstance(padding, str)
    dilated = any(plan.dilation > 1 for plan in plans)
    no_pads = all(pads == (0, 0) for pads in explicit)
    same_pads = None if dilated else _tf_same_pads(plans)
    matches_same = same_pads is not None and tuple(explicit) == same_pads and all(
        plan.out == -(-plan.n // plan.stride) for plan in plans)
    native = None
    if not dilated:
        if string:
            native = padding.upper()
        elif no_pads:
            native = "VALID"
    slice_ = dilated and any(plan.stride > 1 for plan in plans)
    if kind in ("max", "min"):
        base = {**base, "op": "max", "negate": kind == "min"}
        if native is None and matches_same:
            native = "SAME"  # TensorFlow's own split happens to be PyTorch's padding here
        if native is not None:
            return {**base, "padding": native}
        return {**base, "method": "padded", "pads": explicit, "fill": float("-inf"),
                "dilated_slice": slice_}
    if kind == "avg":
        base = {**base, "op": "avg", "dilated_slice": slice_}
        if base["divisor_override"] is not None:
            return {**base, "method": "padded", "pads": explicit}
        if native is not None:
            return {**base, "padding": native}
        counted = tuple((plan.counted_lo, plan.counted_hi) for plan in plans)
        if counted == tuple(explicit):  # every padding cell a window reads is counted: zeros
            return {**base, "method": "padded", "pads": explicit}
        if matches_same and counted == NO_PADS:
            return {**base, "padding": "SAME"}
        return {**base, "method": "ratio", "pads": explicit, "counted": counted}
    if kind == "lp":
        return _none(base, "tf_no_lp")
    return _none(base, "tf_no_builtin")


def nhwc_output_shape(shape, ksize, strides, padding) -> tuple[int, int, int, int]:
    """The shape ``tf.nn.avg_pool``/``max_pool`` gives a 4-D ``shape``, read as NHWC.

    Examples
    --------
    The seed article's ``tf.nn.avg_pool(tf.random.normal([1, 3, 32, 32]), ksize=2, strides=2,
    padding='VALID')``: TensorFlow reads 3 as the height and the last 32 as the channels.

    >>> nhwc_output_shape((1, 3, 32, 32), 2, 2, "VALID")
    (1, 1, 16, 32)
    >>> nhwc_output_shape((1, 32, 32, 3), 2, 2, "VALID")
    (1, 16, 16, 3)
    """
    n, h, w, c = (int(v) for v in shape)
    k = _pair(ksize)
    s = _pair(strides)
    mode = padding.lower()
    out = [axis_plan(size, k[i], s[i], mode, where=("height", "width")[i]).out
           for i, size in enumerate((h, w))]
    return n, out[0], out[1], c


def nchw_output_shape(shape, kernel_size, stride=None, padding=0) -> tuple[int, int, int, int]:
    """The shape PyTorch's ``avg_pool2d``/``max_pool2d`` gives a 4-D ``shape``, read as NCHW.

    Examples
    --------
    >>> nchw_output_shape((1, 3, 32, 32), 2, 2)
    (1, 3, 16, 16)
    """
    n, c, h, w = (int(v) for v in shape)
    k = _pair(kernel_size)
    s = k if stride is None else _pair(stride)
    p = _pair(padding)
    out = [axis_plan(size, k[i], s[i], p[i], where=("height", "width")[i]).out
           for i, size in enumerate((h, w))]
    return n, c, out[0], out[1]


def _pair(value) -> tuple[int, int]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)
