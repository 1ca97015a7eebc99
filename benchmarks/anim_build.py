"""CPU time of the Explorer's two grid figures — the sliding window's animation and the
input/output pair — for a view new to the server: built and cached by ``cached_figure`` (what a
run pays once per distinct view), and its JSON (what every run pays).

Run from the repository root, against this tree or another checkout of the app (to compare two
revisions, interleave them: one process each, in turn)::

    .venv/bin/python benchmarks/anim_build.py                    # this tree
    .venv/bin/python benchmarks/anim_build.py --root /tmp/old    # another checkout

Prints one JSON line: per case, the median CPU milliseconds (``time.process_time``) of
``--repeat`` builds. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
from pathlib import Path


def cases():
    import numpy as np

    import pooling_core as pc
    from pooling_ui.figures import sliding as sl

    rng = np.random.default_rng(0)
    worked = np.array([[1, 3, 2, 1], [4, 6, 5, 0], [3, 1, 2, 2], [0, 8, 1, 7]], np.float32)
    for name, x, params, kind in [
        ("worked 4×4, max k2 s2 p1", worked, {"kernel_size": 2, "stride": 2, "padding": 1}, "max"),
        ("random 8×8, avg k3 s1 p1", rng.normal(size=(8, 8)).astype(np.float32),
         {"kernel_size": 3, "stride": 1, "padding": 1}, "avg"),
        ("random 16×16, max k2 s2", rng.normal(size=(16, 16)).astype(np.float32),
         {"kernel_size": 2, "stride": 2}, "max"),
        ("random 64×64, max k3 s2 p1", rng.normal(size=(64, 64)).astype(np.float32),
         {"kernel_size": 3, "stride": 2, "padding": 1}, "max"),
    ]:
        geometry = pc.window_geometry(x.shape, **params)
        y, winners = pc.pool2d(x, kind=kind, return_indices=True, **params) if kind == "max" \
            else (pc.pool2d(x, kind=kind, **params), None)
        rows, cols = sl.region_shape(geometry.out_hw, sl.frame_cap(geometry, y, winners))
        region = sl.Region(0, rows, 0, cols)
        label = sl.pad_label(kind, True, params.get("padding", 0))
        yield name, (x, y, geometry, region), {"winners": winners,
                                               "padding": params.get("padding", 0),
                                               "padded_value": label}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(Path(__file__).resolve().parents[1]))
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    sys.path.insert(0, args.root)
    logging.disable(logging.WARNING)  # cache_resource outside a Streamlit run warns
    import numpy as np
    import plotly.io as pio

    import pooling_core as pc
    from pooling_ui.base import caching
    from pooling_ui.figures import sliding as sl
    from pooling_ui.tools import output as view_output

    rng = np.random.default_rng(1)
    jobs = [(f"animation, {name}", sl.build_animation_figure, fargs, kwargs)
            for name, fargs, kwargs in cases()]
    for name, data in [("8×8", rng.normal(size=(1, 8, 8))), ("16×16", rng.normal(size=(1, 16, 16))),
                       ("64×64", rng.normal(size=(1, 64, 64))),
                       ("RGB 12×12", rng.integers(0, 256, size=(3, 12, 12)))]:
        data = data.astype(np.float32)
        output = pc.pool2d(data, kind="max", kernel_size=2, stride=2)
        names = ("R", "G", "B") if data.shape[0] == 3 else ("gray",)
        jobs.append((f"pair, {name}, max k2 s2", view_output.grid_pair_figure,
                     (data, output, names), {}))
    result = {}
    for name, build_figure, fargs, kwargs in jobs:
        build, send = [], []
        for attempt in range(args.repeat + 1):
            start = time.process_time()
            shared = caching._figure(f"bench-{name}-{attempt}", build_figure, fargs, kwargs)
            middle = time.process_time()
            pio.to_json(shared.to_dict(), validate=False)
            end = time.process_time()
            if attempt:  # the first one warms imports and the engine's caches
                build.append(middle - start)
                send.append(end - middle)
        result[name] = {"build_ms": round(statistics.median(build) * 1e3, 2),
                        "json_ms": round(statistics.median(send) * 1e3, 2)}
    result["module"] = sl.__file__
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
