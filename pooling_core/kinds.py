"""Each kind of pooling: a reduction over the taps (forward) and a routing rule (backward).

Every kind works on ``(P, H, W)`` planes through a :class:`~pooling_core.windows.Windows`; none of
them loops over windows. ``Config`` carries the arguments that are not geometry.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import ClassVar

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


class MaxPool:
    name = "max"
    options: ClassVar[dict] = {}
    has_indices = True

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


class AvgPool:
    """Sum the taps in window order starting from 0, in the input dtype, then divide once.

    That is PyTorch's CPU kernel's order, so the result is bit-identical to it.
    """

    name = "avg"
    options: ClassVar[dict] = {}
    has_indices = False
    averages = True

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


class LpPool:
    """PyTorch's ``lp_pool2d``: ``(sign(A)·relu(|A|)·kh·kw) ** (1/p)`` with ``A = avg(x**p)``."""

    name = "lp"
    options: ClassVar[dict] = {"p": 2.0}
    has_indices = False

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


class WeightedPool:
    """``Σ w_t x_t`` with normalised weights; padding is 0 or, when not counted, re-normalised."""

    name = "weighted"
    options: ClassVar[dict] = {"weights": None}
    has_indices = False
    averages = True

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


class MixedPool:
    """``alpha·max + (1 − alpha)·avg`` (Yu et al. 2014), each part with its own rules."""

    name = "mixed"
    options: ClassVar[dict] = {"alpha": 0.5}
    has_indices = False
    averages = True

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
class _GatheredKind:
    has_indices = False
    fill = 0.0

    def blocks(self, x, win):
        for block in win.blocks(x.shape[0], x.itemsize, weight=win.taps_per_window):
            yield block, win.gather(x, block, self.fill), win.inside(block)


class SoftPool(_GatheredKind):
    """Softmax-weighted sum of each window (Stergiou et al. 2021)."""

    name = "softpool"
    options: ClassVar[dict] = {}
    fill = -np.inf

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
    options: ClassVar[dict] = {}
    fill = np.inf

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
    options: ClassVar[dict] = {"seed": 0, "training": True}
    fill = 0.0

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


# ---------------------------------------------------------------------------------------------
# option checking
# ---------------------------------------------------------------------------------------------
def _real(value, name, kind):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise PoolingError(f"option {name} of kind '{kind}' must be a finite number; got {value!r}")
    return float(value)


def check_options(kind: str, options: dict, kernel: tuple[int, int]) -> dict:
    """The kind's options with defaults filled in, each checked; a PoolingError otherwise."""
    allowed = KINDS_BY_NAME[kind].options
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        takes = ", ".join(allowed) if allowed else "no options"
        raise PoolingError(
            f"unknown option {unknown[0]!r} for kind '{kind}'; {kind} takes: {takes}"
        )
    merged = {**allowed, **options}
    if kind == "lp":
        merged["p"] = _real(merged["p"], "p", kind)
        if merged["p"] <= 0:
            raise PoolingError(f"option p of kind 'lp' must be > 0; got {merged['p']:g}")
    elif kind == "mixed":
        alpha = _real(merged["alpha"], "alpha", kind)
        if not 0 <= alpha <= 1:
            raise PoolingError(f"option alpha of kind 'mixed' must be in [0, 1]; got {alpha:g}")
        merged["alpha"] = alpha
    elif kind == "stochastic":
        seed = merged["seed"]
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise PoolingError(
                f"option seed of kind 'stochastic' must be an integer ≥ 0; got {seed!r}"
            )
        if not isinstance(merged["training"], (bool, np.bool_)):
            raise PoolingError(
                "option training of kind 'stochastic' must be True or False; "
                f"got {merged['training']!r}"
            )
        merged["training"] = bool(merged["training"])
    elif kind == "weighted" and merged["weights"] is not None:
        try:
            weights = np.asarray(merged["weights"], dtype=np.float64)
        except (TypeError, ValueError):
            raise PoolingError(
                f"option weights of kind 'weighted' must be a {kernel[0]}×{kernel[1]} array of "
                "numbers"
            ) from None
        if weights.shape != tuple(kernel):
            raise PoolingError(
                f"option weights of kind 'weighted' must have the kernel's shape {tuple(kernel)}; "
                f"got shape {weights.shape}"
            )
        if not np.isfinite(weights).all() or (weights < 0).any() or weights.sum() <= 0:
            raise PoolingError(
                "option weights of kind 'weighted' must be finite, non-negative and not all zero"
            )
        merged["weights"] = weights
    return merged
