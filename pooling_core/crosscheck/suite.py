"""The randomized agreement suite behind ``python -m pooling_core.crosscheck``.

Test data (:func:`random_values`), the parameter families of the table (:data:`FAMILIES`), random
valid cases of each, :func:`run_suite` (prints one row per family) and :func:`main` (the command
line).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

import pooling_core as pc

from .compare import _device_name, check_case
from .references import _resolve_device, _torch, geometry_from_params, has_padding_only_window
from .tolerance import TOLERANCE_LEGEND

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
    spec = pc.kind_spec(family.kind)
    if spec.counts_padding:
        params["count_include_pad"] = bool(rng.random() < 0.5)
    if spec.takes_divisor and rng.random() < 0.2:
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
