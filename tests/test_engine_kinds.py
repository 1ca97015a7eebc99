"""Each kind's declared traits (``pooling_core.kind_spec``) against what the engine does.

The app, the link reader and the cross-check believe these traits instead of keeping their own
lists of kinds, so a trait that says one thing while the pooling does another would mislead all
of them. Every test here calls the engine and compares its behaviour with the declaration; the
expected numbers of the worked examples are computed by hand in the comments.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

import pooling_core as pc

ROOT = Path(__file__).resolve().parents[1]
KINDS = pc.KINDS
# finite, non-negative and free of ties, so that no kind refuses it and every window has one
# winner (some kinds pick a cell, the others mix several)
X = np.random.default_rng(7).permutation(36).astype(np.float32).reshape(6, 6) + 1


def accepted(call) -> bool:
    try:
        call()
    except pc.PoolingError:
        return False
    return True


@pytest.mark.parametrize("kind", KINDS)
def test_indices_divisor_and_adaptive_are_offered_exactly_where_declared(kind):
    spec = pc.kind_spec(kind)
    assert accepted(lambda: pc.pool2d(X, kind, return_indices=True)) == spec.has_indices
    assert accepted(lambda: pc.pool2d(X, kind, divisor_override=3)) == spec.takes_divisor
    assert accepted(lambda: pc.adaptive_pool2d(X, 2, kind)) == spec.adaptive


@pytest.mark.parametrize("kind", KINDS)
def test_count_include_pad_matters_exactly_for_the_kinds_that_say_so(kind):
    ones = np.ones((4, 4), np.float32)
    counted = pc.pool2d(ones, kind, kernel_size=2, padding=1, count_include_pad=True)
    not_counted = pc.pool2d(ones, kind, kernel_size=2, padding=1, count_include_pad=False)
    # avg by hand: the corner window holds one input cell and three padding cells, so it is
    # 1/4 when padding counts and 1/1 when it does not
    assert (not np.array_equal(counted, not_counted)) == pc.kind_spec(kind).counts_padding


@pytest.mark.parametrize("kind", KINDS)
def test_averaging_kinds_are_the_ones_explain_gives_a_divisor(kind):
    explanation = pc.explain(X, 0, 0, kind, padding=1)
    assert (explanation.divisor is not None) == pc.kind_spec(kind).averages


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("training", [True, False])
def test_picks_cell_means_every_output_is_one_of_its_windows_cells(kind, training):
    spec = pc.kind_spec(kind)
    options = {"training": training} if "training" in pc.KIND_OPTIONS[kind] else {}
    out = pc.pool2d(X, kind, kernel_size=3, stride=1, **options)
    geometry = pc.window_geometry(X.shape, 3, 1)
    from_one_cell = [
        any(out[r, c] == X[i, j] for i, j in geometry.cells(r, c))
        for r in range(out.shape[0]) for c in range(out.shape[1])
    ]
    if spec.picks_cell(options):
        assert all(from_one_cell)
    else:
        assert not all(from_one_cell)


@pytest.mark.parametrize("kind", KINDS)
def test_input_rules_are_the_declared_ones(kind):
    spec = pc.kind_spec(kind)
    negative = X - 40
    with_nan = X.copy()
    with_nan[2, 3] = np.nan
    assert accepted(lambda: pc.pool2d(negative, kind)) == (not spec.needs_non_negative)
    assert accepted(lambda: pc.pool2d(with_nan, kind)) == (not spec.needs_finite)


def test_padding_values_by_hand():
    # one input cell 5 beside one padding cell: max(−∞, 5) = 5, min(+∞, 5) = 5, avg (0 + 5)/2
    x = np.array([[5.0]], np.float32)
    params = {"kernel_size": (1, 2), "stride": 1, "padding": (0, 1)}
    assert pc.pool2d(x, "avg", **params).tolist() == [[2.5, 2.5]]
    assert pc.pool2d(x, "max", **params).tolist() == [[5.0, 5.0]]
    assert pc.pool2d(x, "min", **params).tolist() == [[5.0, 5.0]]
    declared = {kind: pc.kind_spec(kind).padding_value for kind in ("max", "min", "avg")}
    assert declared == {"max": -math.inf, "min": math.inf, "avg": 0.0}
    # a kind that leaves padding out has no value to show for it, and one that counts padding in
    # a sum counts it as 0
    for kind in KINDS:
        spec = pc.kind_spec(kind)
        if spec.counts_padding:
            assert spec.padding_value == 0.0


@pytest.mark.parametrize("kind", KINDS)
def test_every_option_default_is_valid_and_its_limits_are_enforced(kind):
    spec = pc.kind_spec(kind)
    assert pc.KIND_OPTIONS[kind] == {option.name: option.default for option in spec.options}
    for option in spec.options:
        assert option.help_key, f"{kind}.{option.name} has no catalogue key"
        pc.pool2d(X, kind, **{option.name: option.default})
        if option.type == "bool":
            assert not accepted(lambda o=option: pc.pool2d(X, kind, **{o.name: "yes"}))
            continue
        if option.type == "weights":
            assert not accepted(lambda o=option: pc.pool2d(X, kind, **{o.name: [[1, -1]]}))
            continue
        low, high = option.offered_range
        assert option.minimum is None or low >= option.minimum
        assert option.maximum is None or high <= option.maximum
        for inside in (low, high):
            value = int(inside) if option.type == "int" else float(inside)
            pc.pool2d(X, kind, **{option.name: value})
        if option.minimum is not None:
            below = option.minimum if option.minimum_exclusive else option.minimum - 1
            assert not accepted(lambda o=option, v=below: pc.pool2d(X, kind, **{o.name: v}))
        if option.maximum is not None:
            above = option.maximum + 1
            assert not accepted(lambda o=option, v=above: pc.pool2d(X, kind, **{o.name: v}))


def test_every_message_code_is_raised_somewhere_and_every_raise_names_a_code():
    paths = sorted((ROOT / "pooling_core").rglob("*.py"))
    # recursive: the lessons' messages are raised in pooling_core/lessons/
    found = {path.relative_to(ROOT).as_posix() for path in paths}
    assert {"pooling_core/pool.py", "pooling_core/lessons/conv.py", "pooling_core/lessons/blur.py",
            "pooling_core/lessons/receptive.py"} <= found, found
    source = "\n".join(path.read_text() for path in paths)
    raised = set(re.findall(r'PoolingError\(\s*"(\w+)"', source))
    # some codes are chosen at run time by a conditional expression
    for pair in re.findall(r'code = "(\w+)" if .* else "(\w+)"', source):
        raised |= set(pair)
    assert raised == set(pc.MESSAGES)


def test_an_error_carries_its_code_and_fields_and_survives_pickling():
    import pickle

    with pytest.raises(pc.PoolingError) as caught:
        pc.pool2d(X, "max", kernel_size=0)
    error = caught.value
    assert error.code == "too_small"
    assert error.fields == {"parameter": "kernel_size", "minimum": 1, "value": 0}
    assert str(error) == "kernel_size must be ≥ 1; got 0"
    again = pickle.loads(pickle.dumps(error))
    assert (again.code, again.fields, str(again)) == (error.code, error.fields, str(error))


def test_the_cross_check_suite_covers_every_kind_and_every_adaptive_kind():
    from pooling_core.crosscheck.suite import FAMILIES

    plain = {family.kind for family in FAMILIES if family.dims == 2}
    adaptive = {family.kind for family in FAMILIES if family.dims == 0}
    assert plain == set(KINDS)
    assert adaptive == set(pc.kinds_where("adaptive"))
