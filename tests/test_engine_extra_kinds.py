"""Kinds PyTorch lacks — weighted, stochastic, mixed, softpool, median — against references built
from PyTorch primitives (``F.pad``, ``Tensor.unfold``, ``softmax``, ``sort``, ``cumsum``, autograd)
that follow docs/SEMANTICS.md literally (see ``pooling_core.crosscheck``).

Tolerances: selections (stochastic with training=True, median's value) are compared bit for bit,
and so is stochastic's gradient (routed to the chosen cell in output order, like max). The rest —
sums whose order the contract leaves open, and median's gradient — within
``|Δ| ≤ rtol · max|reference|``, rtol 1e-5 in float32 and 1e-12 in float64 (plus, for softpool,
16 ulp of max|x| — times max|grad_output| for the gradient — since ``1 + x − y`` cancels terms of
the input's size); the references compute those in float64.
"""

from __future__ import annotations

import math

import numpy as np
from conftest import (
    assert_bit_identical,
    assert_close_scaled,
    cases,
    compute_dtype,
    grad_like,
    make_values,
    pool2d_cases,
)
from hypothesis import assume, given
from hypothesis import strategies as st

import pooling_core as pc
from pooling_core.crosscheck import (
    Rule,
    default_weights,
    geometry_from_params,
    reference_pool1d,
    reference_pool1d_backward,
    reference_pool2d,
    reference_pool2d_backward,
)

ANY_PADDING = ("numeric", "string")


def kernel_pair(params) -> tuple[int, int]:
    kernel = params["kernel_size"]
    return (kernel, kernel) if isinstance(kernel, int) else tuple(kernel)


def input_scaled_atol(kind, x, grad_output=None):
    """softpool's ``y`` and ``1 + x − y`` carry a rounding error of the size of the inputs (an
    8-bit image has |x| up to 255): the cross-check's input-scaled allowance (16 ulp of max|x|,
    times max|g| for the gradient)."""
    if kind != "softpool":
        return 0.0
    reference_dtype = np.zeros(0, dtype=compute_dtype(np.asarray(x).dtype))
    return Rule("rel", input_scaled=True).allowance(x, reference_dtype, grad_output)


def check_close(x, params, seed, kind, **options):
    """Forward and backward within the scaled tolerance."""
    ours = pc.pool2d(x, kind, **params, **options)
    ref = reference_pool2d(x, kind, **params, **options)
    assert_close_scaled(ours, ref, f"{kind} values", atol=input_scaled_atol(kind, x))
    grad_output = grad_like(seed, ref.shape, ref.dtype)
    assert_close_scaled(
        pc.pool2d_backward(x, grad_output, kind, **params, **options),
        reference_pool2d_backward(x, grad_output, kind, **params, **options),
        f"{kind} gradient",
        atol=input_scaled_atol(kind, x, grad_output),
    )


# ---------------------------------------------------------------------------------------------
# weighted
# ---------------------------------------------------------------------------------------------


@cases(220)
@given(
    pool2d_cases(dilations=(1, 2), paddings=ANY_PADDING, averaging=True,
                 styles=("ties", "normal")),
    st.sampled_from(["default", "positive", "with zeros"]),
)
def test_weighted_matches_an_unfold_reference(case, weights_kind):
    x, params, seed = case
    options = {}
    if weights_kind != "default":
        rng = np.random.default_rng(seed + 2)
        weights = rng.uniform(0.1, 2.0, size=kernel_pair(params))
        if weights_kind == "with zeros":
            # Zero weights only where no window can be left with a zero normaliser: padding is
            # counted (numeric padding, count_include_pad=True), so only Σw over the kernel divides.
            assume(params.get("count_include_pad") and not isinstance(params.get("padding"), str))
            weights[rng.random(weights.shape) < 0.4] = 0.0
            assume(weights.sum() > 0)
        options["weights"] = weights
    check_close(x, params, seed, "weighted", **options)


def test_default_weights_are_the_contract_s_gaussian_worked_by_hand():
    # k = 3: σ = 0.3·((3-1)/2 - 1) + 0.8 = 0.8; g = [e^(-1/1.28), 1, e^(-1/1.28)].
    edge = math.exp(-1 / 1.28)
    per_axis = np.array([edge, 1.0, edge])
    expected = np.outer(per_axis, per_axis) / np.outer(per_axis, per_axis).sum()
    reference = default_weights(3)
    np.testing.assert_allclose(reference / reference.sum(), expected, rtol=1e-15)
    ours = np.asarray(pc.gaussian_weights((3, 3)), dtype=np.float64)
    np.testing.assert_allclose(ours / ours.sum(), expected, rtol=1e-12)
    x = np.arange(9.0).reshape(3, 3)
    np.testing.assert_allclose(pc.pool2d(x, "weighted", kernel_size=3), [[4.0]], rtol=1e-12)


def test_weighted_with_explicit_weights_worked_by_hand():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    weights = np.array([[1.0, 0.0], [0.0, 3.0]])  # normalised: 1/4 and 3/4
    expected = [[0.25 * 1 + 0.75 * 4]]
    np.testing.assert_allclose(reference_pool2d(x, "weighted", kernel_size=2, weights=weights),
                               expected, rtol=1e-15)
    np.testing.assert_allclose(pc.pool2d(x, "weighted", kernel_size=2, weights=weights),
                               expected, rtol=1e-15)


# ---------------------------------------------------------------------------------------------
# stochastic
# ---------------------------------------------------------------------------------------------


def non_negative(x):
    return np.abs(x) if x.dtype != np.bool_ else x


@cases(220)
@given(
    pool2d_cases(dilations=(1, 2), paddings=ANY_PADDING, styles=("nonneg", "ties")),
    st.integers(0, 2**31 - 1),
)
def test_stochastic_training_samples_with_the_contract_s_uniforms(case, seed):
    """The reference draws u = default_rng(seed).random(out_shape) and picks the first tap with
    cumsum > u·S; the value is a copy and the gradient is routed in output order: bit for bit."""
    x, params, grad_seed = case
    x = non_negative(x)
    options = {"seed": seed, "training": True}
    ours = pc.pool2d(x, "stochastic", **params, **options)
    ref = reference_pool2d(x, "stochastic", **params, **options)
    assert_bit_identical(ours, ref, "stochastic sample")
    grad_output = grad_like(grad_seed, ref.shape, ref.dtype)
    assert_bit_identical(
        pc.pool2d_backward(x, grad_output, "stochastic", **params, **options),
        reference_pool2d_backward(x, grad_output, "stochastic", **params, **options),
        "stochastic gradient",
    )


@cases(120)
@given(pool2d_cases(dilations=(1, 2), paddings=ANY_PADDING, styles=("nonneg", "ties")))
def test_stochastic_inference_is_the_probability_weighted_average(case):
    x, params, seed = case
    check_close(non_negative(x), params, seed, "stochastic", training=False)


def test_stochastic_sampling_worked_by_hand():
    x = np.array([[1.0, 3.0], [0.0, 4.0]])
    u = np.random.default_rng(0).random((1, 1))[0, 0]  # 0.6369..., so u·S = 5.09...
    cumulative = np.cumsum([1.0, 3.0, 0.0, 4.0])  # [1, 4, 4, 8]: the first above u·S is tap 3
    expected = [1.0, 3.0, 0.0, 4.0][int(np.argmax(cumulative > u * 8.0))]
    assert expected == 4.0
    for result in (pc.pool2d(x, "stochastic", kernel_size=2, seed=0),
                   reference_pool2d(x, "stochastic", kernel_size=2, seed=0)):
        np.testing.assert_array_equal(result, [[expected]])
    np.testing.assert_array_equal(
        pc.pool2d_backward(x, np.array([[2.0]]), "stochastic", kernel_size=2, seed=0),
        [[0.0, 0.0], [0.0, 2.0]],
    )
    # Inference: Σx² / Σx = 26 / 8.
    np.testing.assert_allclose(
        pc.pool2d(x, "stochastic", kernel_size=2, training=False), [[3.25]], rtol=1e-15
    )


def test_stochastic_window_of_zeros_picks_its_first_input_cell():
    x = np.zeros((1, 3))
    params = {"kernel_size": (1, 2), "stride": 1, "padding": (0, 1), "seed": 3}
    np.testing.assert_array_equal(pc.pool2d(x, "stochastic", **params), np.zeros((1, 4)))
    g = np.array([[1.0, 2.0, 4.0, 8.0]])
    expected = reference_pool2d_backward(x, g, "stochastic", **params)
    np.testing.assert_array_equal(expected, [[3.0, 4.0, 8.0]])  # first in-input tap of each
    np.testing.assert_array_equal(pc.pool2d_backward(x, g, "stochastic", **params), expected)


# ---------------------------------------------------------------------------------------------
# mixed
# ---------------------------------------------------------------------------------------------


@cases(220)
@given(
    pool2d_cases(dilations=(1, 2), paddings=ANY_PADDING, averaging=True, divisor=True,
                 styles=("ties", "normal")),
    st.one_of(st.sampled_from([0.0, 0.25, 0.5, 1.0]), st.floats(0.0, 1.0)),
)
def test_mixed_is_alpha_max_plus_one_minus_alpha_avg(case, alpha):
    check_close(*case, "mixed", alpha=alpha)


def test_mixed_worked_by_hand():
    x = np.array([[1.0, 3.0], [0.0, 4.0]])  # max 4, avg 2
    np.testing.assert_allclose(pc.pool2d(x, "mixed", kernel_size=2, alpha=0.25), [[2.5]])
    np.testing.assert_allclose(
        pc.pool2d_backward(x, np.array([[4.0]]), "mixed", kernel_size=2, alpha=0.25),
        [[0.75, 0.75], [0.75, 0.75 + 1.0]],
    )


# ---------------------------------------------------------------------------------------------
# softpool
# ---------------------------------------------------------------------------------------------


@cases(180)
@given(pool2d_cases(dilations=(1, 2), paddings=ANY_PADDING, styles=("ties", "normal")))
def test_softpool_matches_a_softmax_reference(case):
    check_close(*case, "softpool")


@cases(60)
@given(pool2d_cases(dilations=(1, 2), paddings=ANY_PADDING, styles=("specials",),
                    with_integers=False))
def test_softpool_propagates_nan(case):
    x, params, _ = case
    x = np.where(np.isinf(x), 0.0, x).astype(x.dtype)  # defined for finite inputs (and NaN)
    assert_close_scaled(
        pc.pool2d(x, "softpool", **params), reference_pool2d(x, "softpool", **params),
        "softpool values with NaN",
    )


def test_softpool_worked_by_hand():
    x = np.array([[0.0, math.log(3.0)]])  # weights 1/4, 3/4
    expected = 0.75 * math.log(3.0)
    np.testing.assert_allclose(pc.pool2d(x, "softpool", kernel_size=(1, 2)), [[expected]])
    np.testing.assert_allclose(reference_pool2d(x, "softpool", kernel_size=(1, 2)), [[expected]])
    # dy/dx_t = s_t (1 + x_t − y)
    grad = [0.25 * (1 + 0 - expected), 0.75 * (1 + math.log(3.0) - expected)]
    np.testing.assert_allclose(
        pc.pool2d_backward(x, np.ones((1, 1)), "softpool", kernel_size=(1, 2)), [grad]
    )


# ---------------------------------------------------------------------------------------------
# median
# ---------------------------------------------------------------------------------------------


@cases(220)
@given(pool2d_cases(dilations=(1, 2), paddings=ANY_PADDING, styles=("ties", "normal")))
def test_median_matches_torch_median_and_routes_its_gradient(case):
    x, params, seed = case
    ours = pc.pool2d(x, "median", **params)
    ref = reference_pool2d(x, "median", **params)
    assert_bit_identical(ours, ref, "median values")
    grad_output = grad_like(seed, ref.shape, ref.dtype)
    assert_close_scaled(
        pc.pool2d_backward(x, grad_output, "median", **params),
        reference_pool2d_backward(x, grad_output, "median", **params),
        "median gradient",
    )


@cases(100)
@given(pool2d_cases(dilations=(1, 2), paddings=ANY_PADDING, styles=("specials",),
                    with_integers=False))
def test_median_with_nan_and_infinities(case):
    """A window with NaN gives NaN and sends its gradient to its first NaN, as torch.median's
    value and index do."""
    x, params, seed = case
    ref = reference_pool2d(x, "median", **params)
    assert_bit_identical(pc.pool2d(x, "median", **params), ref, "median values with NaN/inf")
    grad_output = grad_like(seed, ref.shape, ref.dtype)
    assert_close_scaled(
        pc.pool2d_backward(x, grad_output, "median", **params),
        reference_pool2d_backward(x, grad_output, "median", **params),
        "median gradient with NaN/inf",
    )


def test_median_worked_by_hand():
    x = np.array([[4.0, 1.0, 3.0, 2.0, 2.0]])
    # (1, 4) windows: [4 1 3 2] → sorted [1 2 3 4], lower median 2; [1 3 2 2] → [1 2 2 3] → 2.
    for result in (pc.pool2d(x, "median", kernel_size=(1, 4), stride=1),
                   reference_pool2d(x, "median", kernel_size=(1, 4), stride=1)):
        np.testing.assert_array_equal(result, [[2.0, 2.0]])
    # The first tied tap in window order takes the gradient: cell 3 for both windows.
    np.testing.assert_array_equal(
        reference_pool2d_backward(x, np.array([[1.0, 10.0]]), "median", kernel_size=(1, 4),
                                  stride=1),
        [[0.0, 0.0, 0.0, 11.0, 0.0]],
    )
    np.testing.assert_array_equal(
        pc.pool2d_backward(x, np.array([[1.0, 10.0]]), "median", kernel_size=(1, 4), stride=1),
        [[0.0, 0.0, 0.0, 11.0, 0.0]],
    )


def test_median_of_a_border_window_uses_only_input_cells():
    x = np.array([[5.0, 1.0, 7.0]])
    params = {"kernel_size": (1, 3), "stride": 1, "padding": (0, 1)}
    # windows: [pad 5 1] → [1 5] → 1; [5 1 7] → 5; [1 7 pad] → [1 7] → 1
    np.testing.assert_array_equal(reference_pool2d(x, "median", **params), [[1.0, 5.0, 1.0]])
    np.testing.assert_array_equal(pc.pool2d(x, "median", **params), [[1.0, 5.0, 1.0]])


# ---------------------------------------------------------------------------------------------
# The same kinds over one axis
# ---------------------------------------------------------------------------------------------


@st.composite
def pool1d_extra_cases(draw):
    kind = draw(st.sampled_from(["weighted", "stochastic", "mixed", "softpool", "median", "lp"]))
    kernel = draw(st.integers(1, 5))
    dilation = draw(st.sampled_from([1, 1, 2]))
    params = {"kernel_size": kernel, "dilation": dilation}
    if draw(st.booleans()):
        params["stride"] = draw(st.integers(1, 3))
    if draw(st.booleans()):
        params["padding"] = draw(st.integers(0, kernel // 2))
        params["ceil_mode"] = draw(st.booleans())
    else:
        params["padding"] = draw(st.sampled_from(["same", "valid"]))
    span = dilation * (kernel - 1) + 1
    length = draw(st.integers(span, span + 8))
    _, cols = geometry_from_params((1, length), params, 1)
    assume(cols.inside().any(axis=1).all())
    seed = draw(st.integers(0, 2**32 - 1))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    x = make_values(seed, (*draw(st.sampled_from([(), (2,), (2, 3)])), length), dtype,
                    "nonneg" if kind in ("stochastic", "lp") else "ties")
    options = {}
    if kind == "weighted":
        options["weights"] = np.random.default_rng(seed).uniform(0.1, 2.0, size=kernel)
    elif kind == "stochastic":
        options = {"seed": draw(st.integers(0, 99)), "training": draw(st.booleans())}
    elif kind == "mixed":
        options["alpha"] = draw(st.sampled_from([0.0, 0.3, 1.0]))
    return kind, x, {**params, **options}, seed


@cases(150)
@given(pool1d_extra_cases())
def test_pool1d_of_every_other_kind_matches_the_reference(case):
    kind, x, params, seed = case
    ours = pc.pool1d(x, kind, **params)
    ref = reference_pool1d(x, kind, **params)
    exact = kind == "median" or (kind == "stochastic" and params["training"])
    (assert_bit_identical if exact else assert_close_scaled)(ours, ref, f"1-D {kind} values")
    grad_output = grad_like(seed, ref.shape, ref.dtype)
    assert_close_scaled(
        pc.pool1d_backward(x, grad_output, kind, **params),
        reference_pool1d_backward(x, grad_output, kind, **params),
        f"1-D {kind} gradient",
    )

