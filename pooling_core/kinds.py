"""Each kind of pooling: its traits, a reduction over the taps (forward) and a routing rule
(backward).

Every kind works on ``(P, H, W)`` planes through a :class:`~pooling_core.windows.Windows`; none of
them loops over windows. ``Config`` carries the arguments that are not geometry.

A kind is one class. Besides ``forward`` and ``backward`` it declares, once, the facts that the
argument checks, the app's widgets and link reader, :func:`pooling_core.explain` and the
cross-check read (:class:`Kind` lists them): whether it averages and counts padding, whether it
has indices or takes ``divisor_override``, what a padding cell counts as, which inputs it needs,
and its options as :class:`Option` (type, default, valid range). Adding a kind is one class here
plus its entry in :data:`KINDS_BY_NAME` (and, for the app, its words in the catalogues).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from .errors import PoolingError
from .windows import Block, Windows


@dataclass(frozen=True)
class Config:
    count_include_pad: bool = True
    divisor_override: int | None = None
    options: dict = field(default_factory=dict)
    # lp counts 'same' padding too (PyTorch's formula multiplies back by kh*kw)
    count_string_padding: bool = False


OPTION_TYPES = ("float", "int", "bool", "weights")


@dataclass(frozen=True)
class Option:
    """One option of a kind of pooling.

    Attributes
    ----------
    name : str
        The keyword argument (``p``, ``alpha``, ``seed``, ``training``, ``weights``).
    type : {"float", "int", "bool", "weights"}
        ``"weights"``: an array of the kernel's shape, or None for the kind's default.
    default
        The value used when the option is not given.
    minimum, maximum : float or None
        The valid range (inclusive; ``minimum_exclusive`` makes the lower end open).
    offered : (float, float) or None
        The range an app's widget offers, inside the valid range (the valid range itself when
        both of its ends are finite).
    step : float or None
        A natural increment for a widget.
    help_key : str
        The catalogue key of the option's label and help text in the app.
    """

    name: str
    type: str
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    minimum_exclusive: bool = False
    offered: tuple[float, float] | None = None
    step: float | None = None
    help_key: str = ""

    def __post_init__(self):
        if self.type not in OPTION_TYPES:
            raise ValueError(f"option type must be one of {OPTION_TYPES}; got {self.type!r}")

    @property
    def offered_range(self) -> tuple[float, float] | None:
        """``(low, high)`` for a widget, or None for bools and weights."""
        if self.offered is not None:
            return self.offered
        if self.minimum is not None and self.maximum is not None:
            return (self.minimum, self.maximum)
        return None

    def check(self, value, kind: str, kernel: tuple[int, int]):
        """``value`` checked and normalised; a PoolingError that names the option otherwise."""
        where = {"option": self.name, "kind": kind}
        if self.type == "bool":
            if not isinstance(value, (bool, np.bool_)):
                raise PoolingError("option_not_bool", value=value, **where)
            return bool(value)
        if self.type == "weights":
            return None if value is None else _check_weights(value, kind, kernel)
        if self.type == "int":
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or (
                    self.minimum is not None and value < self.minimum):
                raise PoolingError("option_not_integer", value=value,
                                   minimum=self.minimum or 0, **where)
            value = int(value)
        else:
            if (isinstance(value, bool) or not isinstance(value, numbers.Real)
                    or not math.isfinite(value)):
                raise PoolingError("option_not_number", value=value, **where)
            value = float(value)
        low, high = self.minimum, self.maximum
        if low is not None and self.minimum_exclusive and value <= low:
            raise PoolingError("option_above", value=value, minimum=low, **where)
        if (low is not None and value < low) or (high is not None and value > high):
            raise PoolingError("option_between", value=value, minimum=low, maximum=high, **where)
        return value


def _check_weights(value, kind: str, kernel: tuple[int, int]) -> np.ndarray:
    try:
        weights = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise PoolingError("weights_not_numbers", kind=kind, rows=kernel[0],
                           cols=kernel[1]) from None
    if weights.shape != tuple(kernel):
        raise PoolingError("weights_shape", kind=kind, expected=tuple(kernel),
                           shape=weights.shape)
    if not np.isfinite(weights).all() or (weights < 0).any() or weights.sum() <= 0:
        raise PoolingError("weights_values", kind=kind)
    return weights


class Kind:
    """What every kind of pooling declares besides its ``forward`` and ``backward``.

    Attributes
    ----------
    name : str
        The ``kind=`` argument.
    options : tuple of Option
    averages : bool
        The result divides a window sum by a count of cells (:func:`pooling_core.explain` shows
        that divisor and why).
    counts_padding : bool
        ``count_include_pad`` changes the result.
    takes_divisor : bool
        ``divisor_override`` applies.
    has_indices : bool
        ``return_indices=True`` gives the winning cells.
    adaptive : bool
        :func:`pooling_core.adaptive_pool2d` has this kind.
    padding_value : float or None
        What a padding cell counts as inside a window (−∞ for max, 0 in a sum); None when
        padding cells are left out of the reduction.
    needs_finite, needs_non_negative : bool
        Inputs the kind refuses otherwise.
    """

    name: ClassVar[str]
    options: ClassVar[tuple[Option, ...]] = ()
    averages: ClassVar[bool] = False
    counts_padding: ClassVar[bool] = False
    takes_divisor: ClassVar[bool] = False
    has_indices: ClassVar[bool] = False
    adaptive: ClassVar[bool] = False
    padding_value: ClassVar[float | None] = None
    needs_finite: ClassVar[bool] = False
    needs_non_negative: ClassVar[bool] = False

    @property
    def option_defaults(self) -> dict[str, Any]:
        return {option.name: option.default for option in self.options}

    def picks_cell(self, options: dict) -> bool:
        """Whether each output is the value of one input cell of its window (which then gets the
        whole gradient): max, min, median, and stochastic pooling while training."""
        return False

    def check_options(self, options: dict, kernel: tuple[int, int]) -> dict:
        """The options with defaults filled in, each checked; a PoolingError otherwise."""
        by_name = {option.name: option for option in self.options}
        unknown = sorted(set(options) - set(by_name))
        if unknown:
            if by_name:
                raise PoolingError("unknown_option", option=unknown[0], kind=self.name,
                                   choices=", ".join(by_name))
            raise PoolingError("unknown_option_none", option=unknown[0], kind=self.name)
        merged = {**self.option_defaults, **options}
        return {name: by_name[name].check(value, self.name, kernel)
                for name, value in merged.items()}

    def tap_weights(self, values: list, divisor: float | None, reason: str | None,
                    options: dict, kernel: tuple[int, int]) -> list | None:
        """Each tap's weight in a window's sum (avg: 1/divisor), or None when it has none."""
        return None

    def formula(self, values: list, weights: list | None, divisor: float | None,
                reason: str | None, options: dict) -> str:
        """The right-hand side of one window's worked arithmetic, in symbols and numbers only
        (``max(1, 3, 5, 6)``), so that it reads the same in every language; ``values`` holds
        None for padding cells."""
        raise NotImplementedError


def _listed(values) -> str:
    return ", ".join(fmt(v) for v in values)


def fmt(value) -> str:
    """A number as a person writes it: ``3``, ``2.25``, ``−∞``, ``NaN``; ``·`` for None.

    Examples
    --------
    >>> [fmt(v) for v in (3.0, 2.25, 1 / 3, -float("inf"), float("nan"), -0.5, None)]
    ['3', '2.25', '0.3333', '−∞', 'NaN', '−0.5', '·']
    """
    if value is None:
        return "·"
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if value == int(value) and abs(value) < 1e15:
        text = str(int(value))
    else:
        text = f"{value:.4g}"
    return text.replace("-", "−")  # a true minus sign, as in print


# ---------------------------------------------------------------------------------------------
# Routing shared by the kinds whose gradient goes to one chosen input cell per window.
# ---------------------------------------------------------------------------------------------
def route_to_indices(grad_out: np.ndarray, indices: np.ndarray, in_shape, overlapping: bool):
    """Add each ``grad_out`` element to the input cell ``indices`` names, in output order.

    ``indices`` are flat ``h*W + w`` per plane, as PyTorch returns them. ``np.add.at`` adds
    sequentially in array order (row-major output order, like PyTorch's CPU kernel); when windows
    cannot overlap no cell is chosen twice and a plain scatter is exact and faster.
    """
    planes, height, width = in_shape
    grad_x = np.zeros(planes * height * width, dtype=grad_out.dtype)
    plane_start = np.arange(planes, dtype=np.int64) * height * width
    flat = indices.reshape(planes, -1) + plane_start[:, None]
    if overlapping:
        np.add.at(grad_x, flat.ravel(), grad_out.ravel())
    else:
        # 0 + g, not g: PyTorch adds into zeros, which turns -0.0 into +0.0
        grad_x[flat.ravel()] = grad_out.ravel() + grad_out.dtype.type(0)
    return grad_x.reshape(planes, height, width)


def _per_tap_from_choice(grad_out_block: np.ndarray, choice: np.ndarray, taps: int) -> np.ndarray:
    per_tap = np.zeros(grad_out_block.shape + (taps,), dtype=grad_out_block.dtype)
    np.put_along_axis(per_tap, choice[..., None], grad_out_block[..., None], axis=-1)
    return per_tap


# ---------------------------------------------------------------------------------------------
# max (and min through it)
# ---------------------------------------------------------------------------------------------
def _max_values(xb: np.ndarray, win: Windows, block: Block, dest: np.ndarray) -> None:
    """Window maxima of one block into ``dest``, separably: over rows, then over columns.

    ``np.maximum`` propagates NaN, and -inf stands for padding, so the value is PyTorch's.
    """
    every = slice(None)
    partial = np.empty((xb.shape[0], block.row1 - block.row0, win.cols.n), dtype=xb.dtype)
    row_steps = [((every, out, every), (every, inp, every)) for out, inp in win.row_taps(block)]
    fold(partial, row_steps, xb, np.maximum, -np.inf)
    col_steps = [((every, every, out), (every, every, inp)) for out, inp in win.col_taps()]
    fold(dest, col_steps, partial, np.maximum, -np.inf)


def fold(dest, steps, source, op, identity) -> None:
    """``dest[out] = op(dest[out], source[inp])`` for each ``(out, inp)`` step, from ``identity``.

    A first step that covers all of ``dest`` writes ``op(identity, source[inp])`` directly, which
    saves filling ``dest`` with the identity — and is still ``0 + a``, not ``a``, for sums, as
    PyTorch's (it turns -0.0 into +0.0).
    """
    if steps and dest[steps[0][0]].shape == dest.shape:
        op(source[steps[0][1]], identity, out=dest)
        steps = steps[1:]
    else:
        dest.fill(identity)
    for out_index, in_index in steps:
        view = dest[out_index]
        op(view, source[in_index], out=view)


def _argmax_taps(xb: np.ndarray, maxima: np.ndarray, win: Windows, block: Block) -> np.ndarray:
    """Flat input index of each window's maximum, with PyTorch's rules.

    Ties go to the first tap in window order and NaN to the last NaN tap, as PyTorch's
    ``val > maxval || isnan(val)`` scan does. Windows up to 16 taps collect one bit per tap that
    equals the maximum (one compare and one OR per tap, cheap) and look the first set bit up in a
    table; bigger windows overwrite a tap number in reverse window order.
    """
    offsets = win.tap_offsets()
    taps = offsets.size
    if taps <= 16:
        bits = np.uint8 if taps <= 8 else np.uint16
        hits = np.zeros(maxima.shape, dtype=bits)
        scratch = np.empty(maxima.shape, dtype=bits)
        for tap in win.taps(block):
            equal = np.equal(xb[tap.inp], maxima[tap.out])
            np.left_shift(equal.view(np.uint8), bits(tap.number), out=scratch[tap.out],
                          dtype=bits, casting="unsafe")
            np.bitwise_or(hits[tap.out], scratch[tap.out], out=hits[tap.out])
        choice = win.lowest_bit_table(False).take(hits)
        if np.isnan(maxima).any():  # NaN equals nothing: those windows have no bit set yet
            hits[...] = 0
            for tap in win.taps(block):
                nan = np.isnan(xb[tap.inp])
                np.left_shift(nan.view(np.uint8), bits(tap.number), out=scratch[tap.out],
                              dtype=bits, casting="unsafe")
                np.bitwise_or(hits[tap.out], scratch[tap.out], out=hits[tap.out])
            np.copyto(choice, win.lowest_bit_table(True).take(hits), where=hits != 0)
    else:
        number = np.array(np.broadcast_to(win.first_inside_tap(block), maxima.shape), np.int32)
        for tap in win.taps(block, reverse=True):
            np.copyto(number[tap.out], tap.number, where=xb[tap.inp] == maxima[tap.out])
        if np.isnan(maxima).any():
            for tap in win.taps(block):
                np.copyto(number[tap.out], tap.number, where=np.isnan(xb[tap.inp]))
        choice = offsets.take(number)
    return choice + win.window_origin(block)


class MaxPool(Kind):
    name = "max"
    has_indices = True
    adaptive = True
    padding_value = -math.inf

    def picks_cell(self, options):
        return True

    def formula(self, values, weights, divisor, reason, options):
        return f"{self.name}({_listed(self.padding_value if v is None else v for v in values)})"

    def forward(self, x, win: Windows, cfg: Config, want_indices: bool):
        planes = x.shape[0]
        out = np.empty((planes,) + win.out_shape, dtype=x.dtype)
        indices = np.empty(out.shape, dtype=np.int64) if want_indices else None
        for block in win.blocks(planes, x.itemsize):
            xb = x[block.planes]
            dest = out[block.planes, block.row0:block.row1]
            _max_values(xb, win, block, dest)
            if want_indices:
                indices[block.planes, block.row0:block.row1] = _argmax_taps(xb, dest, win, block)
        return out, indices

    def backward(self, x, grad_out, win: Windows, cfg: Config):
        _, indices = self.forward(x, win, cfg, want_indices=True)
        return route_to_indices(grad_out, indices, x.shape, win.overlapping)


class MinPool(MaxPool):
    """``-max(-x)``: ties go to the first tap, NaN to the last NaN, exactly as for max."""

    name = "min"
    adaptive = False
    padding_value = math.inf

    def forward(self, x, win, cfg, want_indices):
        out, indices = super().forward(np.negative(x), win, cfg, want_indices)
        return np.negative(out, out=out), indices


# ---------------------------------------------------------------------------------------------
# avg and the averages built on it
# ---------------------------------------------------------------------------------------------
def _divisor(win: Windows, cfg: Config, block: Block, dtype):
    if cfg.divisor_override is not None:
        return dtype.type(cfg.divisor_override)
    counts = win.divisor(cfg.count_include_pad, block, cfg.count_string_padding)
    if counts.size and (counts == counts.flat[0]).all():
        return dtype.type(counts.flat[0])
    return counts.astype(dtype)


class AvgPool(Kind):
    """Sum the taps in window order starting from 0, in the input dtype, then divide once.

    That is PyTorch's CPU kernel's order, so the result is bit-identical to it.
    """

    name = "avg"
    averages = True
    counts_padding = True
    takes_divisor = True
    adaptive = True
    padding_value = 0.0

    @staticmethod
    def counted(values, reason):
        """The taps a window's sum and divisor count: padding too when it is counted."""
        return values if reason in ("window", "padding_counted") else [
            v for v in values if v is not None]

    def tap_weights(self, values, divisor, reason, options, kernel):
        counted = reason in ("window", "padding_counted")
        return [None if v is None and not counted else 1 / divisor for v in values]

    def formula(self, values, weights, divisor, reason, options):
        terms = " + ".join("0" if v is None else fmt(v) for v in self.counted(values, reason))
        return f"({terms})/{fmt(divisor)}"

    def forward(self, x, win: Windows, cfg: Config, want_indices=False):
        planes = x.shape[0]
        out = np.empty((planes,) + win.out_shape, dtype=x.dtype)
        for block in win.blocks(planes, x.itemsize):
            acc = out[block.planes, block.row0:block.row1]
            steps = [(tap.out, tap.inp) for tap in win.taps(block)]
            fold(acc, steps, x[block.planes], np.add, x.dtype.type(0))
            np.divide(acc, _divisor(win, cfg, block, x.dtype), out=acc)
        return out, None

    def backward(self, x, grad_out, win: Windows, cfg: Config):
        """Each window adds ``g / divisor`` to each of its input cells, in output order."""
        planes = x.shape[0]
        grad_x = np.zeros(x.shape, dtype=x.dtype)
        for block in win.blocks(planes, x.itemsize):
            delta = grad_out[block.planes, block.row0:block.row1] / _divisor(
                win, cfg, block, x.dtype
            )
            target = grad_x[block.planes]
            for tap in win.taps(block, reverse=True):
                view = target[tap.inp]
                np.add(view, delta[tap.out], out=view)
        return grad_x


def _torch_like_power(x: np.ndarray, exponent: float) -> np.ndarray:
    """``x ** exponent`` the way PyTorch evaluates it: small integer and ±0.5 powers are exact
    products and square roots, the rest ``pow``."""
    if exponent == 1:
        return x.copy()
    if exponent == 2:
        return x * x
    if exponent == 3:
        return x * x * x
    if exponent == 0.5:
        return np.sqrt(x)
    if exponent == -0.5:
        return 1 / np.sqrt(x)
    if exponent == -1:
        return 1 / x
    if exponent == -2:
        return 1 / (x * x)
    return np.power(x, x.dtype.type(exponent))


def _torch_sign(x: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(x), x.dtype.type(0), np.sign(x))


class LpPool(Kind):
    """PyTorch's ``lp_pool2d``: ``(sign(A)·relu(|A|)·kh·kw) ** (1/p)`` with ``A = avg(x**p)``."""

    name = "lp"
    options = (Option("p", "float", 2.0, minimum=0.0, minimum_exclusive=True,
                      offered=(0.1, 100.0), step=0.5, help_key="options.lp.p"),)
    padding_value = 0.0

    def formula(self, values, weights, divisor, reason, options):
        p = fmt(options["p"])
        terms = " + ".join(f"{fmt(v)}^{p}" for v in values if v is not None)
        return f"({terms})^(1/{p})"

    def _parts(self, x, win, cfg):
        p = float(cfg.options["p"])
        avg_cfg = Config(count_include_pad=True, count_string_padding=True)
        mean, _ = AvgPool().forward(_torch_like_power(x, p), win, avg_cfg)
        sign = _torch_sign(mean)
        scaled = sign * np.maximum(np.abs(mean), 0) * x.dtype.type(win.kernel[0] * win.kernel[1])
        return p, avg_cfg, mean, sign, scaled

    def forward(self, x, win, cfg, want_indices=False):
        p, _, _, _, scaled = self._parts(x, win, cfg)
        return _torch_like_power(scaled, 1.0 / p), None

    def backward(self, x, grad_out, win, cfg):
        # The chain rule of PyTorch's autograd for the formula above, step by step, so that
        # rounding matches within a few ulp.
        p, avg_cfg, mean, sign, scaled = self._parts(x, win, cfg)
        exponent = 1.0 / p
        dtype = x.dtype.type
        grad_scaled = grad_out * (dtype(exponent) * _torch_like_power(scaled, exponent - 1))
        grad_signed = grad_scaled * dtype(win.kernel[0] * win.kernel[1])
        through_relu = np.where(np.abs(mean) <= 0, dtype(0), grad_signed * sign)
        grad_mean = through_relu * _torch_sign(mean)
        grad_power = AvgPool().backward(x, grad_mean, win, avg_cfg)
        return grad_power * (dtype(p) * _torch_like_power(x, p - 1))


def gaussian_weights(kernel: tuple[int, int]) -> np.ndarray:
    """Default weights of ``kind="weighted"``: a separable Gaussian that sums to 1.

    Per axis ``g[t] = exp(-(t - (k-1)/2)² / (2σ²))`` with ``σ = 0.3·((k−1)/2 − 1) + 0.8``
    (OpenCV's default σ for a kernel of k cells).

    Parameters
    ----------
    kernel : (int, int)

    Returns
    -------
    ndarray of float64, shape ``kernel``

    Examples
    --------
    >>> w = gaussian_weights((3, 3))
    >>> float(w.sum()), bool(w[1, 1] > w[0, 1] > w[0, 0])
    (1.0, True)
    """
    axes = []
    for k in kernel:
        sigma = 0.3 * ((k - 1) * 0.5 - 1) + 0.8
        t = np.arange(k) - (k - 1) / 2
        axes.append(np.exp(-(t * t) / (2 * sigma * sigma)))
    weights = np.outer(axes[0], axes[1])
    return weights / weights.sum()


class WeightedPool(Kind):
    """``Σ w_t x_t`` with normalised weights; padding is 0 or, when not counted, re-normalised."""

    name = "weighted"
    options = (Option("weights", "weights", None, help_key="options.weighted.weights"),)
    averages = True
    counts_padding = True
    padding_value = 0.0

    def tap_weights(self, values, divisor, reason, options, kernel):
        weights = options.get("weights")
        weights = gaussian_weights(kernel) if weights is None else np.asarray(weights, float)
        return list((weights / weights.sum()).ravel())

    def formula(self, values, weights, divisor, reason, options):
        terms = " + ".join(f"{w:.3g}·{'0' if v is None else fmt(v)}"
                           for w, v in zip(weights, values, strict=True))
        if reason in ("window", "padding_counted"):
            return terms
        inside = " + ".join(f"{w:.3g}" for w, v in zip(weights, values, strict=True)
                            if v is not None)
        return f"({terms}) / ({inside})"

    def _weights(self, win, cfg, dtype):
        weights = cfg.options.get("weights")
        weights = gaussian_weights(win.kernel) if weights is None else np.asarray(weights, float)
        return (weights / weights.sum()).astype(dtype)

    def _normaliser(self, win, cfg, weights, block):
        if cfg.count_include_pad and win.rows.padding_counts:
            return None
        rows = win.rows.inside[block.row0:block.row1].astype(np.float64)
        cols = win.cols.inside.astype(np.float64)
        return (rows @ weights.astype(np.float64) @ cols.T).astype(weights.dtype)

    def forward(self, x, win, cfg, want_indices=False):
        weights = self._weights(win, cfg, x.dtype).ravel()
        out = np.zeros((x.shape[0],) + win.out_shape, dtype=x.dtype)
        for block in win.blocks(x.shape[0], x.itemsize):
            xb = x[block.planes]
            acc = out[block.planes, block.row0:block.row1]
            for tap in win.taps(block):
                view = acc[tap.out]
                view += weights[tap.number] * xb[tap.inp]
            norm = self._normaliser(win, cfg, weights.reshape(win.kernel), block)
            if norm is not None:
                acc /= norm
        return out, None

    def backward(self, x, grad_out, win, cfg):
        weights = self._weights(win, cfg, x.dtype).ravel()
        grad_x = np.zeros(x.shape, dtype=x.dtype)
        for block in win.blocks(x.shape[0], x.itemsize):
            g = grad_out[block.planes, block.row0:block.row1]
            norm = self._normaliser(win, cfg, weights.reshape(win.kernel), block)
            if norm is not None:
                g = g / norm
            target = grad_x[block.planes]
            for tap in win.taps(block, reverse=True):
                view = target[tap.inp]
                view += weights[tap.number] * g[tap.out]
        return grad_x


class MixedPool(Kind):
    """``alpha·max + (1 − alpha)·avg`` (Yu et al. 2014), each part with its own rules."""

    name = "mixed"
    options = (Option("alpha", "float", 0.5, minimum=0.0, maximum=1.0, step=0.05,
                      help_key="options.mixed.alpha"),)
    averages = True
    counts_padding = True
    takes_divisor = True
    padding_value = 0.0

    def formula(self, values, weights, divisor, reason, options):
        alpha = fmt(options["alpha"])
        high = MaxPool().formula(values, None, None, None, options)
        mean = AvgPool().formula(values, None, divisor, reason, options)
        return f"{alpha}·{high} + (1 − {alpha})·{mean}"

    def forward(self, x, win, cfg, want_indices=False):
        alpha = x.dtype.type(cfg.options["alpha"])
        high, _ = MaxPool().forward(x, win, cfg, False)
        mean, _ = AvgPool().forward(x, win, cfg)
        return alpha * high + (1 - alpha) * mean, None

    def backward(self, x, grad_out, win, cfg):
        alpha = x.dtype.type(cfg.options["alpha"])
        return (MaxPool().backward(x, grad_out * alpha, win, cfg)
                + AvgPool().backward(x, grad_out * (1 - alpha), win, cfg))


# ---------------------------------------------------------------------------------------------
# kinds that need all taps of a window at once: gather, reduce along the last axis, scatter back
# ---------------------------------------------------------------------------------------------
class _GatheredKind(Kind):
    fill = 0.0

    def blocks(self, x, win):
        for block in win.blocks(x.shape[0], x.itemsize, weight=win.taps_per_window):
            yield block, win.gather(x, block, self.fill), win.inside(block)


class SoftPool(_GatheredKind):
    """Softmax-weighted sum of each window (Stergiou et al. 2021)."""

    name = "softpool"
    fill = -np.inf

    def formula(self, values, weights, divisor, reason, options):
        terms = _listed(v for v in values if v is not None)
        return f"softmax({terms}) · ({terms})"

    @staticmethod
    def _softmax(values, inside):
        peak = np.max(values, axis=-1, keepdims=True)
        peak = np.where(np.isfinite(peak), peak, 0)
        weights = np.where(inside, np.exp(values - peak), 0)
        return weights / weights.sum(axis=-1, keepdims=True)

    def forward(self, x, win, cfg, want_indices=False):
        out = np.empty((x.shape[0],) + win.out_shape, dtype=x.dtype)
        for block, values, inside in self.blocks(x, win):
            share = self._softmax(values, inside)
            out[block.planes, block.row0:block.row1] = (share * np.where(inside, values, 0)).sum(-1)
        return out, None

    def backward(self, x, grad_out, win, cfg):
        grad_x = np.zeros(x.shape, dtype=x.dtype)
        for block, values, inside in self.blocks(x, win):
            share = self._softmax(values, inside)
            y = (share * np.where(inside, values, 0)).sum(-1, keepdims=True)
            g = grad_out[block.planes, block.row0:block.row1, :, None]
            per_tap = np.where(inside, g * share * (1 + values - y), 0)
            win.scatter_add(grad_x, per_tap, block)
        return grad_x


class MedianPool(_GatheredKind):
    """Lower median of each window (torch.median's convention); NaN in a window gives NaN."""

    name = "median"
    fill = np.inf

    def picks_cell(self, options):
        return True

    def formula(self, values, weights, divisor, reason, options):
        return f"median({_listed(v for v in values if v is not None)})"

    def _choice(self, values, inside):
        """Tap number of each window's lower median: the first tap in window order holding it."""
        ordered = np.sort(values, axis=-1)  # padding is +inf: after every input cell but +inf
        middle = (inside.sum(-1) - 1) // 2
        median = np.take_along_axis(
            ordered, np.broadcast_to(middle[..., None], ordered.shape[:-1] + (1,)), axis=-1
        )
        choice = np.argmax(inside & (values == median), axis=-1)
        has_nan = np.isnan(values)
        return np.where(has_nan.any(-1), np.argmax(has_nan, axis=-1), choice)

    def forward(self, x, win, cfg, want_indices=False):
        out = np.empty((x.shape[0],) + win.out_shape, dtype=x.dtype)
        for block, values, inside in self.blocks(x, win):
            choice = self._choice(values, inside)
            out[block.planes, block.row0:block.row1] = np.take_along_axis(
                values, choice[..., None], axis=-1)[..., 0]
        return out, None

    def backward(self, x, grad_out, win, cfg):
        grad_x = np.zeros(x.shape, dtype=x.dtype)
        for block, values, inside in self.blocks(x, win):
            g = grad_out[block.planes, block.row0:block.row1]
            per_tap = _per_tap_from_choice(g, self._choice(values, inside), win.taps_per_window)
            win.scatter_add(grad_x, per_tap, block)
        return grad_x


class StochasticPool(_GatheredKind):
    """Stochastic pooling (Zeiler & Fergus 2013) on non-negative inputs."""

    name = "stochastic"
    options = (
        Option("seed", "int", 0, minimum=0, offered=(0, 2**31 - 1),
               help_key="options.stochastic.seed"),
        Option("training", "bool", True, help_key="options.stochastic.training"),
    )
    needs_finite = True
    needs_non_negative = True
    fill = 0.0

    def picks_cell(self, options):
        return bool(options.get("training", True))

    def formula(self, values, weights, divisor, reason, options):
        inside = [v for v in values if v is not None]
        if options["training"]:
            total = fmt(sum(inside))
            probabilities = ", ".join(f"{fmt(v)}/{total}" for v in inside)
            return f"sample(({_listed(inside)}), p = ({probabilities}))"
        squares = " + ".join(f"{fmt(v)}²" for v in inside)
        return f"({squares}) / ({' + '.join(fmt(v) for v in inside)})"

    def _choice(self, x, win, cfg):
        """For training: each block's tap numbers drawn with probability value / window sum."""
        uniforms = np.random.default_rng(int(cfg.options["seed"])).random(
            (x.shape[0],) + win.out_shape
        )

        def draw(block, values):
            running = np.cumsum(values.astype(np.float64), axis=-1)
            total = running[..., -1]
            u = uniforms[block.planes, block.row0:block.row1]
            picked = np.argmax(running > (u * total)[..., None], axis=-1)
            return np.where(total > 0, picked, win.first_inside_tap(block))

        return draw

    @staticmethod
    def _sums(values):
        """``(Σx, Σx², Σx with 0 replaced by 1)`` of each window, for inference."""
        total = values.sum(-1, keepdims=True)
        squares = (values * values).sum(-1, keepdims=True)
        return total, squares, np.where(total > 0, total, 1)

    def forward(self, x, win, cfg, want_indices=False):
        out = np.empty((x.shape[0],) + win.out_shape, dtype=x.dtype)
        draw = self._choice(x, win, cfg) if cfg.options["training"] else None
        for block, values, _ in self.blocks(x, win):
            dest = out[block.planes, block.row0:block.row1]
            if draw:
                choice = draw(block, values)
                dest[...] = np.take_along_axis(values, choice[..., None], axis=-1)[..., 0]
            else:
                total, squares, safe = self._sums(values)
                dest[...] = np.where(total > 0, squares / safe, 0)[..., 0]
        return out, None

    def backward(self, x, grad_out, win, cfg):
        grad_x = np.zeros(x.shape, dtype=x.dtype)
        draw = self._choice(x, win, cfg) if cfg.options["training"] else None
        for block, values, inside in self.blocks(x, win):
            g = grad_out[block.planes, block.row0:block.row1]
            if draw:
                per_tap = _per_tap_from_choice(g, draw(block, values), win.taps_per_window)
            else:
                total, squares, safe = self._sums(values)
                slope = (2 * values * total - squares) / (safe * safe)
                per_tap = np.where(inside & (total > 0), g[..., None] * slope, 0).astype(x.dtype)
            win.scatter_add(grad_x, per_tap, block)
        return grad_x


KINDS_BY_NAME = {
    kind.name: kind
    for kind in (MaxPool(), AvgPool(), MinPool(), LpPool(), WeightedPool(), StochasticPool(),
                 MixedPool(), SoftPool(), MedianPool())
}
