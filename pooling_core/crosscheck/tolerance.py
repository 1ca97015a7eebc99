"""The comparison rules: when one of our arrays agrees with PyTorch's, and how closely.

:func:`agreement` compares two arrays under one mode; :class:`Rule` is a mode with its tolerance,
:class:`Tolerance` the rules of a forward and a backward, :func:`tolerance_for` the rules of each
kind on each device, and :data:`TOLERANCE_LEGEND` explains their short names. No PyTorch here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Tolerances. "exact" compares bit for bit (NaN matches NaN, the sign of a zero is ignored).
# "ulp" allows that many units in the last place of the reference value, element by element.
# "rel" allows |Δ| ≤ rtol · max|reference| over the array: the reduction order differs, so the
# error scales with the size of the terms summed, not with each (possibly cancelled) result.
RTOL = {np.dtype(np.float32): 1e-5, np.dtype(np.float64): 1e-12}
CUDA_RTOL = {np.dtype(np.float32): 1e-6, np.dtype(np.float64): 1e-13}
LP_FORWARD_ULP = 4


@dataclass
class Agreement:
    """How one of our arrays compares with PyTorch's.

    ``mismatches`` counts the elements that break the rule (NaN or an infinity out of place, or
    a |Δ| above the limit) and ``first`` is the index of the first of them in row-major order;
    ``allowed`` is the |Δ| the rule allowed there (NaN when the mismatch is a misplaced NaN or
    infinity). ``first`` is ``None`` when the arrays agree or their shapes or dtypes differ.
    """

    max_abs_diff: float
    exact: bool
    ok: bool
    problem: str = ""
    mismatches: int = 0
    first: tuple[int, ...] | None = None
    allowed: float = math.nan


def _mismatch(mask) -> dict:
    """``mismatches`` and ``first`` of :class:`Agreement` for a boolean mask of bad elements."""
    mask = np.asarray(mask)
    first = np.unravel_index(int(np.flatnonzero(mask)[0]), mask.shape)
    return {"mismatches": int(mask.sum()), "first": tuple(int(i) for i in first)}


def agreement(ours, reference, mode: str, tolerance: float = 0.0, allowance=0.0) -> Agreement:
    """Compare ``ours`` with ``reference``.

    ``mode`` is ``"exact"`` (bit for bit), ``"ulp"`` (``tolerance`` units in the last place of
    the reference, element-wise), ``"rel"`` (``|Δ| ≤ tolerance · max|reference|``) or
    ``"bound"`` (``|Δ| ≤ allowance`` alone); ``allowance`` (a number or an array: an absolute
    tolerance) is added to the ulp and rel limits. In every mode NaN must meet NaN and an infinity
    the same infinity; the sign of a zero is ignored. Integer and bool arrays are always compared
    exactly. When they disagree, the result says where first (:class:`Agreement`).

    Examples
    --------
    >>> import numpy as np
    >>> agreement(np.array([1.0, np.nan, -0.0]), np.array([1.0, np.nan, 0.0]), "exact").exact
    True
    >>> ref = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> result = agreement(ref + [[0.0, 0.3], [0.0, 0.5]], ref, "rel", 0.1)   # allows 0.1·4
    >>> result.ok, result.mismatches, result.first, result.allowed, result.problem
    (False, 1, (1, 1), 0.4, '|Δ| up to 0.5')
    """
    ours, reference = np.asarray(ours), np.asarray(reference)
    if ours.shape != reference.shape:
        return Agreement(math.inf, False, False, f"shape {ours.shape} ≠ {reference.shape}")
    if ours.dtype != reference.dtype:
        return Agreement(math.inf, False, False, f"dtype {ours.dtype} ≠ {reference.dtype}")
    if ours.dtype.kind in "iub":
        exact = bool((ours == reference).all())
        diff = float(np.abs(ours.astype(np.float64) - reference).max(initial=0.0))
        if exact:
            return Agreement(diff, exact, exact, "")
        return Agreement(diff, exact, exact, "indices differ", **_mismatch(ours != reference),
                         allowed=0.0)
    ours64, ref64 = ours.astype(np.float64), reference.astype(np.float64)
    nan_ours, nan_ref = np.isnan(ours64), np.isnan(ref64)
    if (nan_ours != nan_ref).any():
        return Agreement(math.inf, False, False, "NaN in different places",
                         **_mismatch(nan_ours != nan_ref))
    finite = np.isfinite(ref64) & np.isfinite(ours64)
    same_or_finite = (ours64 == ref64) | nan_ref | finite
    if not same_or_finite.all():
        return Agreement(math.inf, False, False, "infinities differ", **_mismatch(~same_or_finite))
    diff = np.abs(ours64[finite] - ref64[finite])
    max_diff = float(diff.max(initial=0.0))
    exact = max_diff == 0.0
    extra = np.broadcast_to(np.asarray(allowance, dtype=np.float64), ours.shape)[finite]
    if mode == "exact":
        limit = np.zeros_like(diff)
        ok = exact
    elif mode == "ulp":
        spacing = np.spacing(np.abs(reference[finite])).astype(np.float64)
        limit = tolerance * spacing + extra
        ok = bool((diff <= limit).all())
    elif mode == "rel":
        scale = max(float(np.abs(ref64[finite]).max(initial=0.0)), np.finfo(ours.dtype).tiny)
        limit = tolerance * scale + extra
        ok = bool((diff <= limit).all())
    elif mode == "bound":
        limit = extra
        ok = bool((diff <= limit).all())
    else:
        raise ValueError(f"unknown comparison mode {mode!r}")
    if ok:
        return Agreement(max_diff, exact, ok, "")
    bad = ~(diff <= limit)
    beyond = np.zeros(ours.shape, dtype=bool)
    beyond[finite] = bad
    return Agreement(max_diff, exact, ok, f"|Δ| up to {max_diff:.3g}", **_mismatch(beyond),
                     allowed=float(limit[bad][0]))


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
