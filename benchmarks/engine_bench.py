"""Speed of pooling_core against PyTorch on one CPU thread.

Run from the repository root::

    .venv/bin/python benchmarks/engine_bench.py [--quick] [--markdown] [--reps N]

For float32 NCHW inputs (1,3,224,224), (1,64,112,112), (1,3,1024,1024) and (1,3,3000,4000), with
``k=2, s=2`` and ``k=3, s=2, p=1``, prints the median time of ours and of PyTorch
(``torch.set_num_threads(1)``; the two are measured interleaved in one process — ours, then
PyTorch, every repetition — so that both see the same machine load), their ratio against the
target, and the time of ``np.copyto`` of the input as the memory floor.

Rows: max forward; max forward with indices; avg forward; max forward+backward and avg
forward+backward, each as one round trip (PyTorch: forward with autograd, then ``.backward`` with
ones; ours: ``pool2d_backward(x, ones)``, which finds the argmax itself).
"""

from __future__ import annotations

import argparse
import gc
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

SHAPES = [(1, 3, 224, 224), (1, 64, 112, 112), (1, 3, 1024, 1024), (1, 3, 3000, 4000)]
QUICK_SHAPES = [(1, 3, 224, 224), (1, 64, 112, 112)]
CONFIGS = [
    ("k=2,s=2", {"kernel_size": 2, "stride": 2, "padding": 0}),
    ("k=3,s=2,p=1", {"kernel_size": 3, "stride": 2, "padding": 1}),
]
# Targets: ours / PyTorch single-thread, per row (the issue's).
TARGETS = {
    "max fwd": 0.25,
    "max fwd+idx": 1.0,
    "avg fwd": 0.5,
    "max fwd+bwd": 1.0,
    "avg fwd+bwd": 0.6,
}


@dataclass
class Row:
    """One measured line of the table."""

    shape: tuple[int, ...]
    config: str
    name: str
    ours_ms: float
    torch_ms: float
    copy_ms: float

    @property
    def ratio(self) -> float:
        return self.ours_ms / self.torch_ms

    @property
    def target(self) -> float:
        return TARGETS[self.name]

    @property
    def verdict(self) -> str:
        return "PASS" if self.ratio <= self.target else "MISS"


def _median_ms(call: Callable[[], object], reps: int) -> float:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def _interleaved_ms(ours: Callable[[], object], theirs: Callable[[], object], reps: int):
    """Median ms of each, alternating ours/theirs every repetition after one warm-up each."""
    ours()
    theirs()
    ours_times, their_times = [], []
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(reps):
            start = time.perf_counter()
            ours()
            middle = time.perf_counter()
            theirs()
            end = time.perf_counter()
            ours_times.append(middle - start)
            their_times.append(end - middle)
    finally:
        if gc_was_enabled:
            gc.enable()
    return statistics.median(ours_times) * 1e3, statistics.median(their_times) * 1e3


def _reps_for(shape, quick: bool, reps: int | None) -> int:
    if reps is not None:
        return reps
    elements = int(np.prod(shape))
    if quick:
        return 5
    if elements >= 10_000_000:
        return 7
    if elements >= 1_000_000:
        return 21
    return 51


def measure(shapes, quick=False, reps=None, out=None) -> list[Row]:
    """Time every row for every shape and configuration; print progress to ``out``."""
    import torch
    import torch.nn.functional as F

    import pooling_core as pc

    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    rows = []
    for shape in shapes:
        x = rng.standard_normal(shape, dtype=np.float32)
        floor = np.empty_like(x)
        count = _reps_for(shape, quick, reps)
        copy_ms = _median_ms(lambda x=x, floor=floor: np.copyto(floor, x), count)
        tx = torch.from_numpy(x)
        leaf = tx.clone().requires_grad_(True)
        for config, params in CONFIGS:
            k, s, p = params["kernel_size"], params["stride"], params["padding"]
            grad_np = np.ones(shape[:2] + (pc.output_size(shape[2], k, s, p),
                                           pc.output_size(shape[3], k, s, p)), np.float32)
            grad_t = torch.from_numpy(grad_np)

            def torch_max_backward(leaf=leaf, k=k, s=s, p=p, grad_t=grad_t):
                leaf.grad = None
                F.max_pool2d(leaf, k, s, p).backward(grad_t)

            def torch_avg_backward(leaf=leaf, k=k, s=s, p=p, grad_t=grad_t):
                leaf.grad = None
                F.avg_pool2d(leaf, k, s, p).backward(grad_t)

            pairs = {
                "max fwd": (lambda x=x, params=params: pc.pool2d(x, "max", **params),
                            lambda tx=tx, k=k, s=s, p=p: F.max_pool2d(tx, k, s, p)),
                "max fwd+idx": (
                    lambda x=x, params=params: pc.pool2d(x, "max", return_indices=True,
                                                         **params),
                    lambda tx=tx, k=k, s=s, p=p: F.max_pool2d(tx, k, s, p, return_indices=True),
                ),
                "avg fwd": (lambda x=x, params=params: pc.pool2d(x, "avg", **params),
                            lambda tx=tx, k=k, s=s, p=p: F.avg_pool2d(tx, k, s, p)),
                "max fwd+bwd": (
                    lambda x=x, g=grad_np, params=params: pc.pool2d_backward(x, g, "max",
                                                                             **params),
                    torch_max_backward,
                ),
                "avg fwd+bwd": (
                    lambda x=x, g=grad_np, params=params: pc.pool2d_backward(x, g, "avg",
                                                                             **params),
                    torch_avg_backward,
                ),
            }
            for name, (ours, theirs) in pairs.items():
                ours_ms, torch_ms = _interleaved_ms(ours, theirs, count)
                row = Row(shape, config, name, ours_ms, torch_ms, copy_ms)
                rows.append(row)
                if out is not None:
                    print(f"  {shape} {config} {name}: ours {ours_ms:.2f} ms, "
                          f"PyTorch {torch_ms:.2f} ms ({row.ratio:.2f}×)", file=out, flush=True)
    return rows


def machine_line() -> str:
    import torch

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (f"{cpu}; Python {platform.python_version()}, NumPy {np.__version__}, "
            f"PyTorch {torch.__version__} with 1 thread")


def format_table(rows: list[Row], markdown: bool) -> str:
    header = ["shape", "config", "row", "ours ms", "PyTorch ms", "ours/PyTorch", "target",
              "verdict", "np.copyto ms"]
    lines = []
    cells = [
        [
            "×".join(map(str, row.shape)), row.config, row.name, f"{row.ours_ms:.2f}",
            f"{row.torch_ms:.2f}", f"{row.ratio:.2f}", f"≤ {row.target:g}", row.verdict,
            f"{row.copy_ms:.2f}",
        ]
        for row in rows
    ]
    if markdown:
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join("---:" if i >= 3 else "---" for i in range(len(header))) + "|")
        lines += ["| " + " | ".join(line) + " |" for line in cells]
    else:
        widths = [max(len(str(c)) for c in column) for column in zip(header, *cells, strict=True)]
        for line in [header, *cells]:
            lines.append("  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)))
    return "\n".join(lines)


def summary(rows: list[Row]) -> str:
    misses = [row for row in rows if row.verdict == "MISS"]
    by_row = {}
    for row in rows:
        low, high = by_row.get(row.name, (row.ratio, row.ratio))
        by_row[row.name] = (min(low, row.ratio), max(high, row.ratio))
    parts = [f"{name}: {low:.2f}–{high:.2f}× (target ≤ {TARGETS[name]:g})"
             for name, (low, high) in by_row.items()]
    text = "Ratios ours/PyTorch — " + "; ".join(parts) + "."
    if misses:
        text += f"\nMISS: {len(misses)} of {len(rows)} rows: " + ", ".join(
            f"{row.name} {'×'.join(map(str, row.shape))} {row.config} ({row.ratio:.2f}×)"
            for row in misses
        )
    else:
        text += f"\nAll {len(rows)} rows meet their targets."
    return text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="benchmarks/engine_bench.py",
        description="Time pooling_core against single-thread PyTorch (interleaved medians).",
    )
    parser.add_argument("--quick", action="store_true",
                        help="the two small shapes only, 5 repetitions")
    parser.add_argument("--markdown", action="store_true", help="print a markdown table")
    parser.add_argument("--reps", type=int, default=None,
                        help="repetitions per measurement (default: by input size)")
    args = parser.parse_args(argv)
    try:
        import torch  # noqa: F401
    except ImportError:
        print("benchmarks/engine_bench.py compares with PyTorch, which is not installed "
              "(pip install torch==2.13.0)", file=sys.stderr)
        return 2
    shapes = QUICK_SHAPES if args.quick else SHAPES
    print(machine_line())
    rows = measure(shapes, quick=args.quick, reps=args.reps, out=sys.stderr)
    print(format_table(rows, args.markdown))
    print()
    print(summary(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
