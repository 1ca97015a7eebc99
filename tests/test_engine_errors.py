"""Invalid arguments: pooling_core refuses exactly what PyTorch refuses, with a PoolingError that
names the parameter, the value and what would be valid.

The one deliberate difference: a window made only of padding (possible with a large dilation).
PyTorch accepts it and returns -inf there (with a meaningless index); the contract
(docs/SEMANTICS.md) makes it a PoolingError, and the tests below check both sides of that.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import cases
from hypothesis import event, given
from hypothesis import strategies as st

import pooling_core as pc

X = np.arange(16, dtype=np.float32).reshape(4, 4)


def refuses(call, *fragments):
    """``call()`` raises PoolingError (a ValueError) whose message contains every fragment."""
    with pytest.raises(pc.PoolingError) as caught:
        call()
    assert isinstance(caught.value, ValueError)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment.lower() in message.lower(), f"{fragment!r} not in message {message!r}"
    return message


def torch_refuses(call) -> bool:
    try:
        call()
    except (RuntimeError, ValueError, TypeError):
        return True
    return False


# ---------------------------------------------------------------------------------------------
# Near-limit parameters: accepted by us exactly when accepted by PyTorch
# ---------------------------------------------------------------------------------------------

# Mostly valid values with an occasional invalid one, so that both sides of each limit are hit.
SIZES = st.sampled_from([1, 2, 3, 4, 5, 6, 7, 8])
KERNELS = st.sampled_from([1, 2, 2, 2, 3, 3, 4, 5, 0, -1])
STRIDES = st.sampled_from([None, None, 1, 1, 2, 2, 3, 4, 0, -1])
PADDINGS = st.sampled_from([0, 0, 0, 0, 0, 1, 1, 1, 2, 3, -1])
DILATIONS = st.sampled_from([1, 1, 1, 1, 2, 3, 0])


def padding_only_windows(torch_output) -> bool:
    """PyTorch pools zeros to -inf exactly where a window reads no input cell."""
    return bool(torch.isinf(torch_output).any())


@cases(450)
@given(SIZES, SIZES, KERNELS, KERNELS, STRIDES, PADDINGS, PADDINGS, DILATIONS, st.booleans())
def test_max_accepts_exactly_what_torch_accepts(h, w, kh, kw, stride, ph, pw, dilation, ceil):
    x = np.zeros((1, h, w), np.float32)
    params = {"kernel_size": (kh, kw), "stride": stride, "padding": (ph, pw),
              "dilation": dilation, "ceil_mode": ceil}
    torch_params = {**params, "stride": () if stride is None else stride}
    try:
        expected = F.max_pool2d(torch.from_numpy(x), **torch_params)
    except RuntimeError:
        event("PyTorch refuses")
        with pytest.raises(pc.PoolingError):
            pc.pool2d(x, "max", **params)
        return
    if padding_only_windows(expected):
        event("a window of padding only")
        refuses(lambda: pc.pool2d(x, "max", **params), "padding")
        return
    event("PyTorch accepts")
    ours = pc.pool2d(x, "max", **params)
    np.testing.assert_array_equal(ours, expected.numpy())
    assert pc.pool2d_backward(x, np.ones_like(ours), "max", **params).shape == x.shape


@cases(300)
@given(SIZES, SIZES, KERNELS, KERNELS, STRIDES, PADDINGS, PADDINGS, st.booleans(), st.booleans(),
       st.sampled_from([None, 0, -1, 3]))
def test_avg_accepts_exactly_what_torch_accepts(h, w, kh, kw, stride, ph, pw, ceil, count_pad,
                                                divisor):
    x = np.ones((1, h, w), np.float32)
    params = {"kernel_size": (kh, kw), "stride": stride, "padding": (ph, pw), "ceil_mode": ceil,
              "count_include_pad": count_pad, "divisor_override": divisor}
    torch_params = {**params, "stride": None if stride is None else stride}
    try:
        expected = F.avg_pool2d(torch.from_numpy(x), **torch_params)
    except RuntimeError:
        event("PyTorch refuses")
        with pytest.raises(pc.PoolingError):
            pc.pool2d(x, "avg", **params)
        return
    event("PyTorch accepts")
    np.testing.assert_array_equal(pc.pool2d(x, "avg", **params), expected.numpy())


@cases(300)
@given(st.integers(1, 8), KERNELS, STRIDES, PADDINGS, DILATIONS, st.booleans())
def test_output_size_agrees_with_torch(n, kernel, stride, padding, dilation, ceil):
    try:
        probe = F.max_pool2d(
            torch.zeros(1, 1, n), (1, kernel), () if stride is None else (1, stride),
            (0, padding), (1, dilation), ceil,
        )
    except RuntimeError:
        event("PyTorch refuses")
        with pytest.raises(pc.PoolingError):
            pc.output_size(n, kernel, stride, padding, dilation, ceil)
        return
    if padding_only_windows(probe):
        event("a window of padding only")
        with pytest.raises(pc.PoolingError):
            pc.output_size(n, kernel, stride, padding, dilation, ceil)
        return
    event("PyTorch accepts")
    assert pc.output_size(n, kernel, stride, padding, dilation, ceil) == probe.shape[-1]


@cases(150)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(-1, 8), st.integers(-1, 8),
       st.sampled_from(["max", "avg"]))
def test_adaptive_accepts_what_torch_accepts(h, w, oh, ow, kind):
    """An output size 0 gives an empty result in both; its gradient is refused by both."""
    x = np.ones((2, h, w), np.float32)
    pool = F.adaptive_max_pool2d if kind == "max" else F.adaptive_avg_pool2d
    if torch_refuses(lambda: pool(torch.from_numpy(x), (oh, ow))):
        refuses(lambda: pc.adaptive_pool2d(x, (oh, ow), kind), "output_size")
        return
    assert pc.adaptive_pool2d(x, (oh, ow), kind).shape == (2, oh, ow)
    if min(oh, ow) == 0:
        tx = torch.from_numpy(x).requires_grad_()
        assert torch_refuses(lambda: pool(tx, (oh, ow)).sum().backward())
        refuses(lambda: pc.adaptive_pool2d_backward(x, np.zeros((2, oh, ow)), (oh, ow), kind),
                "output_size")


def test_padding_only_window_is_refused_where_torch_returns_minus_inf():
    x = np.ones((1, 1), np.float32)
    params = {"kernel_size": 2, "stride": 1, "padding": 1, "dilation": 2}
    values, index = F.max_pool2d(torch.from_numpy(x)[None], return_indices=True, **params)
    # PyTorch: -inf, and an index outside the 1-cell plane.
    assert values.item() == -math.inf and index.item() >= x.size
    refuses(lambda: pc.pool2d(x, "max", **params), "padding", "dilation")
    refuses(lambda: pc.pool2d(x, "avg", **params), "padding", "dilation")


# ---------------------------------------------------------------------------------------------
# Each invalid argument, with the words of its message
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "fragments"),
    [
        ({"kernel_size": 0}, ["kernel_size", "0"]),
        ({"kernel_size": -2}, ["kernel_size", "-2"]),
        ({"kernel_size": (2, 0)}, ["kernel_size", "0"]),
        ({"kernel_size": (2, 2, 2)}, ["kernel_size", "(2, 2, 2)"]),
        ({"kernel_size": 2.5}, ["kernel_size", "2.5"]),
        ({"kernel_size": float("nan")}, ["kernel_size", "nan"]),
        ({"kernel_size": float("inf")}, ["kernel_size", "inf"]),
        ({"kernel_size": "2"}, ["kernel_size", "'2'"]),
        ({"kernel_size": None}, ["kernel_size", "None"]),
        ({"kernel_size": 2, "stride": 0}, ["stride", "0"]),
        ({"kernel_size": 2, "stride": -1}, ["stride", "-1"]),
        ({"kernel_size": 2, "stride": (1, 0)}, ["stride", "0"]),
        ({"kernel_size": 2, "stride": 1.5}, ["stride", "1.5"]),
        ({"kernel_size": 2, "stride": float("nan")}, ["stride", "nan"]),
        ({"kernel_size": 2, "dilation": 0}, ["dilation", "0"]),
        ({"kernel_size": 2, "dilation": -1}, ["dilation", "-1"]),
        ({"kernel_size": 2, "padding": -1}, ["padding", "-1"]),
        ({"kernel_size": 2, "padding": float("nan")}, ["padding", "nan"]),
        ({"kernel_size": 2, "padding": "full"}, ["padding", "'full'", "same", "valid"]),
        ({"kernel_size": 3, "padding": 2}, ["padding 2", "kernel_size 3", "padding ≤ 1"]),
        ({"kernel_size": (4, 1), "padding": (3, 0)}, ["padding 3", "kernel_size 4"]),
        ({"kernel_size": 2, "padding": "same", "ceil_mode": True}, ["ceil_mode", "same"]),
        ({"kernel_size": 2, "padding": "valid", "ceil_mode": True}, ["ceil_mode", "valid"]),
        ({"kernel_size": 2, "ceil_mode": "yes"}, ["ceil_mode", "'yes'"]),
    ],
)
def test_invalid_pooling_parameters_are_named_with_their_value(params, fragments):
    refuses(lambda: pc.pool2d(X, "max", **params), *fragments)
    refuses(lambda: pc.pool2d_backward(X, np.ones((2, 2), np.float32), "max", **params),
            *fragments)


def test_the_issue_s_example_message_for_too_much_padding():
    with pytest.raises(pc.PoolingError, match=re.escape(
        "padding 3 is more than half of kernel_size 4; use padding ≤ 2"
    )):
        pc.pool2d(np.zeros((8, 8)), "max", kernel_size=4, padding=3)


@pytest.mark.parametrize("value", [2.0, np.float64(2.0)])
def test_a_float_kernel_size_is_refused_as_torch_refuses_it(value):
    """PyTorch: "argument 'kernel_size' must be tuple of ints, not float", even for 2.0."""
    assert torch_refuses(lambda: F.max_pool2d(torch.zeros(1, 4, 4), value))
    refuses(lambda: pc.pool2d(X, "max", kernel_size=value), "kernel_size")


def test_numpy_integer_sizes_are_accepted_as_torch_accepts_them():
    expected = F.max_pool2d(torch.from_numpy(X)[None], int(np.int64(2)))[0].numpy()
    np.testing.assert_array_equal(pc.pool2d(X, "max", kernel_size=np.int64(2)), expected)


@pytest.mark.parametrize(
    ("kernel", "shape", "fragments"),
    [
        (5, (4, 4), ["output", "5", "4", "kernel_size"]),
        ((1, 6), (3, 5), ["output", "6", "5"]),
    ],
)
def test_an_output_smaller_than_one_names_the_sizes(kernel, shape, fragments):
    x = np.zeros(shape, np.float32)
    assert torch_refuses(lambda: F.max_pool2d(torch.from_numpy(x)[None], kernel))
    refuses(lambda: pc.pool2d(x, "max", kernel_size=kernel), *fragments)


def test_valid_padding_with_a_window_larger_than_the_input_is_refused():
    refuses(lambda: pc.pool2d(np.zeros((3, 3)), "max", kernel_size=4, padding="valid"),
            "valid", "3")


@pytest.mark.parametrize(
    "shape", [(4,), (1, 1, 1, 4, 4), (), (0, 4), (4, 0), (1, 0, 4, 4), (0, 4, 4)],
)
def test_wrong_input_shapes_are_refused_with_the_shape(shape):
    """PyTorch refuses all of these too (no channels: "Expected 3D or 4D ... tensor")."""
    x = np.zeros(shape, np.float32)
    if len(shape) in (3, 4):
        assert torch_refuses(lambda: F.max_pool2d(torch.zeros(shape), 1))
    refuses(lambda: pc.pool2d(x, "max", kernel_size=1), str(shape))


def test_an_empty_batch_is_accepted_as_by_torch():
    expected = F.max_pool2d(torch.zeros(0, 2, 4, 4), 2)
    assert pc.pool2d(np.zeros((0, 2, 4, 4), np.float32), "max").shape == tuple(expected.shape)


@pytest.mark.parametrize("shape", [(), (1, 1, 1, 4), (0,)])
def test_wrong_1d_input_shapes_are_refused_with_the_shape(shape):
    refuses(lambda: pc.pool1d(np.zeros(shape), "max", kernel_size=1), str(shape))


def test_pool1d_takes_one_size_not_a_pair():
    refuses(lambda: pc.pool1d(np.zeros(8), "max", kernel_size=(2, 2)), "kernel_size", "(2, 2)")


def test_non_numeric_input_is_refused():
    refuses(lambda: pc.pool2d(np.array([["a", "b"], ["c", "d"]]), "max", kernel_size=1), "x")


def test_unknown_kind_is_named_with_the_valid_kinds():
    message = refuses(lambda: pc.pool2d(X, "maxx"), "kind", "'maxx'")
    assert all(kind in message for kind in pc.KINDS)
    refuses(lambda: pc.pool2d_backward(X, np.ones((2, 2)), "average"), "'average'")
    refuses(lambda: pc.pool2d(X, None), "kind", "None")


@pytest.mark.parametrize(
    ("kind", "options", "fragments"),
    [
        ("max", {"p": 2}, ["'p'", "max"]),
        ("avg", {"alpha": 0.5}, ["'alpha'", "avg"]),
        ("lp", {"q": 3}, ["'q'", "lp", "p"]),
        ("mixed", {"weights": np.ones((2, 2))}, ["'weights'", "mixed", "alpha"]),
        ("median", {"seed": 1}, ["'seed'", "median"]),
    ],
)
def test_unknown_options_are_named(kind, options, fragments):
    refuses(lambda: pc.pool2d(X, kind, kernel_size=2, **options), *fragments)


@pytest.mark.parametrize(
    ("kind", "options", "fragments"),
    [
        ("lp", {"p": 0}, ["p", "0"]),
        ("lp", {"p": -1.0}, ["p", "-1"]),
        ("lp", {"p": float("nan")}, ["p", "nan"]),
        ("lp", {"p": "two"}, ["p", "'two'"]),
        ("mixed", {"alpha": 1.5}, ["alpha", "1.5", "[0, 1]"]),
        ("mixed", {"alpha": -0.1}, ["alpha", "-0.1"]),
        ("mixed", {"alpha": float("nan")}, ["alpha", "nan"]),
        ("weighted", {"weights": np.ones((3, 3))}, ["weights", "(2, 2)", "(3, 3)"]),
        ("weighted", {"weights": np.array([[1.0, -1.0], [1.0, 1.0]])}, ["weights", "negative"]),
        ("weighted", {"weights": np.zeros((2, 2))}, ["weights", "zero"]),
        ("weighted", {"weights": np.array([[1.0, np.nan], [1.0, 1.0]])}, ["weights", "finite"]),
        ("weighted", {"weights": [["a", "b"], ["c", "d"]]}, ["weights"]),
        ("stochastic", {"seed": -1}, ["seed", "-1"]),
        ("stochastic", {"seed": 1.5}, ["seed", "1.5"]),
        ("stochastic", {"training": "yes"}, ["training", "'yes'"]),
    ],
)
def test_bad_option_values_are_named(kind, options, fragments):
    refuses(lambda: pc.pool2d(X, kind, kernel_size=2, **options), *fragments)
    refuses(lambda: pc.pool2d_backward(X, np.ones((2, 2)), kind, kernel_size=2, **options),
            *fragments)


def test_stochastic_pooling_of_negative_input_suggests_relu():
    x = X - 3
    refuses(lambda: pc.pool2d(x, "stochastic", kernel_size=2), "ReLU", "-3")
    refuses(lambda: pc.pool2d_backward(x, np.ones((2, 2)), "stochastic", kernel_size=2), "ReLU")


@pytest.mark.parametrize(
    ("call", "fragments"),
    [
        (lambda g: pc.pool2d_backward(X, g, "max", kernel_size=2), ["grad_output", "(2, 2)"]),
        (lambda g: pc.pool2d_backward(X, g, "avg", kernel_size=2), ["grad_output", "(2, 2)"]),
        (lambda g: pc.pool2d_backward(X, g, "softpool", kernel_size=2), ["grad_output"]),
        (lambda g: pc.adaptive_pool2d_backward(X, g, 2, "max"), ["grad_output", "(2, 2)"]),
        (lambda g: pc.adaptive_pool2d_backward(X, g, 2, "avg"), ["grad_output", "(2, 2)"]),
        (lambda g: pc.pool1d_backward(np.zeros(6), g, "max", kernel_size=2),
         ["grad_output", "(3,)"]),
    ],
)
def test_grad_output_of_the_wrong_shape_names_both_shapes(call, fragments):
    refuses(lambda: call(np.ones((3, 3))), *fragments, "(3, 3)")


@pytest.mark.parametrize(
    ("divisor", "fragments"),
    [(0, ["divisor_override", "0"]), (1.5, ["divisor_override", "1.5"]),
     (True, ["divisor_override", "True"])],
)
def test_bad_divisor_override_is_refused(divisor, fragments):
    refuses(lambda: pc.pool2d(X, "avg", kernel_size=2, divisor_override=divisor), *fragments)


def test_divisor_override_zero_is_refused_as_by_torch():
    assert torch_refuses(
        lambda: F.avg_pool2d(torch.from_numpy(X)[None], 2, divisor_override=0)
    )
    refuses(lambda: pc.pool2d(X, "avg", kernel_size=2, divisor_override=0), "divisor_override")


@pytest.mark.parametrize("kind", ["max", "min", "lp", "median", "softpool"])
def test_divisor_override_belongs_to_averaging_kinds_only(kind):
    refuses(lambda: pc.pool2d(X, kind, kernel_size=2, divisor_override=2), "divisor_override",
            kind)


@pytest.mark.parametrize("kind", ["avg", "lp", "weighted", "stochastic", "mixed", "softpool",
                                  "median"])
def test_return_indices_for_a_kind_without_indices_is_refused(kind):
    refuses(lambda: pc.pool2d(X, kind, kernel_size=2, return_indices=True), "return_indices",
            kind)


def test_count_include_pad_must_be_a_bool():
    refuses(lambda: pc.pool2d(X, "avg", kernel_size=2, count_include_pad="no"),
            "count_include_pad", "'no'")


@pytest.mark.parametrize(
    ("output_size", "fragments"),
    [(-1, ["output_size", "-1"]), ((2, -1), ["output_size", "-1"]), (2.5, ["output_size", "2.5"]),
     ((1, 2, 3), ["output_size", "(1, 2, 3)"])],
)
def test_bad_adaptive_output_size_is_named(output_size, fragments):
    refuses(lambda: pc.adaptive_pool2d(X, output_size, "max"), *fragments)


@pytest.mark.parametrize("kind", ["lp", "median", "min", "maxx"])
def test_adaptive_pooling_has_max_and_avg_only(kind):
    refuses(lambda: pc.adaptive_pool2d(X, 2, kind), "kind", repr(kind), "max", "avg")


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        ((0, 2), ["n", "0"]),
        ((5, 0), ["kernel_size", "0"]),
        ((5, 2, 0), ["stride", "0"]),
        ((5, 2, 1, 2), ["padding 2", "kernel_size 2"]),
        ((5, 2, 1, 0, 0), ["dilation", "0"]),
        ((1, 3), ["output"]),
        ((5, 2, 2, "same", 1, True), ["ceil_mode"]),
        ((5, float("nan")), ["kernel_size", "nan"]),
    ],
)
def test_output_size_refuses_invalid_arguments(args, fragments):
    refuses(lambda: pc.output_size(*args), *fragments)
