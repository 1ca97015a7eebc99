"""Comparing one call: :func:`check_case` (pooling_core against the PyTorch reference, forward,
indices and backward) and :func:`compare`, the check behind the app's "matches PyTorch" badge."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .references import (
    _pair,
    _resolve_device,
    _torch,
    compute_dtype,
    reference_adaptive_pool2d,
    reference_adaptive_pool2d_backward,
    reference_pool1d,
    reference_pool1d_backward,
    reference_pool2d,
    reference_pool2d_backward,
)
from .tolerance import Agreement, Tolerance, agreement, tolerance_for

MAX_COMPARE_SIDE = 384  # compare() checks a centre crop of bigger planes


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
        indexed = pc.kind_spec(kind).has_indices
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
    centre crop of big inputs), and ``crop_hw``/``input_hw`` say it in numbers (``crop_hw`` is
    None for the whole input); ``note`` says what differed, or why PyTorch could not run.
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
    crop_hw: tuple[int, int] | None = None
    input_hw: tuple[int, int] | None = None


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
    input_hw = tuple(int(n) for n in array.shape[-2:]) if array.ndim >= 2 else None
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
        "input_hw": input_hw,
        "crop_hw": None if region == "the whole input" else tuple(
            int(n) for n in array.shape[-2:]),
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
