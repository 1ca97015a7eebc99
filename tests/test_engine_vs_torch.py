"""pooling_core against PyTorch 2.13 (CPU): the kinds PyTorch has, forward, indices and backward.

Each property test draws an input (any layout, float32/float64 or an integer/bool/float16 dtype
computed as float32, values full of ties, NaN and ±inf) and parameters (kernels square or not,
strides, paddings, dilations, ceil_mode, count_include_pad, divisor_override), runs pooling_core and
PyTorch, and compares:

* max / min / avg (dilation 1) / adaptive / 1-D: bit for bit (NaN where PyTorch has NaN, the sign of
  a zero ignored), indices exactly, gradients bit for bit.
* avg with dilation (PyTorch has none; the reference sums unfolded taps): |Δ| ≤ rtol·max|ref|,
  rtol 1e-5 (float32) / 1e-12 (float64).
* lp: forward within 4 ulp (PyTorch's pow and NumPy's differ by an ulp at times), backward within
  rtol·max|ref| as above.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
import torch
from conftest import (
    assert_agrees,
    assert_bit_identical,
    assert_close_scaled,
    assert_within_ulp,
    cases,
    compute_dtype,
    grad_like,
    input_dtypes,
    leading_axes,
    make_values,
    pool2d_cases,
    style_for,
    valid_for_contract,
)
from hypothesis import assume, given
from hypothesis import strategies as st

import pooling_core as pc
from pooling_core import crosscheck
from pooling_core.crosscheck import (
    LP_FORWARD_ULP,
    Rule,
    reference_adaptive_pool2d,
    reference_adaptive_pool2d_backward,
    reference_pool1d,
    reference_pool1d_backward,
    reference_pool2d,
    reference_pool2d_backward,
)


def check_indexed_kind(x, params, seed, kind):
    """Forward values, indices and backward of max/min: all bit for bit."""
    ours, ours_index = pc.pool2d(x, kind, return_indices=True, **params)
    ref, ref_index = reference_pool2d(x, kind, return_indices=True, **params)
    assert_bit_identical(ours, ref, f"{kind} values")
    assert_bit_identical(ours_index, ref_index, f"{kind} indices")
    assert ours_index.dtype == np.int64
    assert_bit_identical(pc.pool2d(x, kind, **params), ref, f"{kind} values without indices")
    grad_output = grad_like(seed, ref.shape, ref.dtype)
    assert_bit_identical(
        pc.pool2d_backward(x, grad_output, kind, **params),
        reference_pool2d_backward(x, grad_output, kind, **params),
        f"{kind} gradient",
    )


@cases(700)
@given(pool2d_cases(dilations=(1, 2, 3)))
def test_max_is_bit_identical_to_torch(case):
    check_indexed_kind(*case, "max")


@cases(250)
@given(pool2d_cases(dilations=(1, 2, 3), paddings=("same", "valid")))
def test_max_with_string_padding_matches_torch_with_explicit_minus_inf_padding(case):
    check_indexed_kind(*case, "max")


@cases(300)
@given(pool2d_cases(dilations=(1, 2), paddings=("numeric", "string")))
def test_min_is_minus_max_of_minus_x_in_torch(case):
    check_indexed_kind(*case, "min")


def check_avg_exact(x, params, seed):
    ours = pc.pool2d(x, "avg", **params)
    ref = reference_pool2d(x, "avg", **params)
    assert_bit_identical(ours, ref, "avg values")
    grad_output = grad_like(seed, ref.shape, ref.dtype)
    assert_bit_identical(
        pc.pool2d_backward(x, grad_output, "avg", **params),
        reference_pool2d_backward(x, grad_output, "avg", **params),
        "avg gradient",
    )


@cases(550)
@given(pool2d_cases(averaging=True, divisor=True))
def test_avg_is_bit_identical_to_torch(case):
    check_avg_exact(*case)


@cases(250)
@given(pool2d_cases(paddings=("same", "valid"), averaging=True, divisor=True))
def test_avg_with_string_padding_counts_only_input_cells(case):
    """Reference: zero padding by F.pad, avg_pool2d's sum, divided by the in-input cell count."""
    check_avg_exact(*case)


@cases(200)
@given(pool2d_cases(dilations=(2, 3), paddings=("numeric", "string"), averaging=True, divisor=True))
def test_dilated_avg_matches_an_unfold_reference(case):
    x, params, seed = case
    ours = pc.pool2d(x, "avg", **params)
    ref = reference_pool2d(x, "avg", **params)
    assert_close_scaled(ours, ref, "dilated avg values")
    grad_output = grad_like(seed, ref.shape, ref.dtype)
    assert_close_scaled(
        pc.pool2d_backward(x, grad_output, "avg", **params),
        reference_pool2d_backward(x, grad_output, "avg", **params),
        "dilated avg gradient",
    )


def check_lp(x, params, seed, p):
    if p != 2.0:
        # Odd and fractional powers of mixed signs cancel inside a window, which turns PyTorch's
        # and NumPy's 1-ulp differences in x**p into large relative ones: compare on |x|.
        x = np.abs(x)
    ours = pc.pool2d(x, "lp", p=p, **params)
    ref = reference_pool2d(x, "lp", p=p, **params)
    assert_within_ulp(ours, ref, LP_FORWARD_ULP, f"lp (p={p}) values")
    grad_output = grad_like(seed, ref.shape, ref.dtype)
    assert_close_scaled(
        pc.pool2d_backward(x, grad_output, "lp", p=p, **params),
        reference_pool2d_backward(x, grad_output, "lp", p=p, **params),
        f"lp (p={p}) gradient",
    )


LP_POWERS = st.sampled_from([1.0, 2.0, 3.0, 1.5])


@cases(200)
@given(pool2d_cases(paddings=("none",), styles=("ties", "normal")), LP_POWERS)
def test_lp_matches_torch_lp_pool2d(case, p):
    check_lp(*case, p)


@cases(150)
@given(
    pool2d_cases(dilations=(1, 2), paddings=("numeric", "string"), styles=("ties", "normal")),
    LP_POWERS,
)
def test_padded_or_dilated_lp_matches_torch_formula(case, p):
    """Reference: PyTorch's lp_pool2d expression on top of the avg reference (padding counted)."""
    check_lp(*case, p)


@st.composite
def adaptive_cases(draw):
    hw = (draw(st.integers(1, 9)), draw(st.integers(1, 9)))
    size = (draw(st.integers(1, 7)), draw(st.integers(1, 7)))
    output_size = size[0] if size[0] == size[1] and draw(st.booleans()) else size
    dtype = draw(input_dtypes())
    style = draw(style_for(dtype, ("ties", "specials", "normal")))
    seed = draw(st.integers(0, 2**32 - 1))
    return make_values(seed, (*draw(leading_axes()), *hw), dtype, style), output_size, seed


@cases(200)
@given(adaptive_cases())
def test_adaptive_max_is_bit_identical_to_torch(case):
    x, output_size, seed = case
    ours, ours_index = pc.adaptive_pool2d(x, output_size, "max", return_indices=True)
    ref, ref_index = reference_adaptive_pool2d(x, output_size, "max", return_indices=True)
    assert_bit_identical(ours, ref, "adaptive max values")
    assert_bit_identical(ours_index, ref_index, "adaptive max indices")
    grad_output = grad_like(seed, ref.shape, ref.dtype)
    assert_bit_identical(
        pc.adaptive_pool2d_backward(x, grad_output, output_size, "max"),
        reference_adaptive_pool2d_backward(x, grad_output, output_size, "max"),
        "adaptive max gradient",
    )


@cases(200)
@given(adaptive_cases())
def test_adaptive_avg_is_bit_identical_to_torch(case):
    x, output_size, seed = case
    ours = pc.adaptive_pool2d(x, output_size, "avg")
    ref = reference_adaptive_pool2d(x, output_size, "avg")
    if np.shape(ref)[-2:] == (1, 1):
        assert_global_average_close(ours, ref, x)
    else:
        assert_bit_identical(ours, ref, "adaptive avg values")
    grad_output = grad_like(seed, ref.shape, ref.dtype)
    assert_bit_identical(
        pc.adaptive_pool2d_backward(x, grad_output, output_size, "avg"),
        reference_adaptive_pool2d_backward(x, grad_output, output_size, "avg"),
        "adaptive avg gradient",
    )


def assert_global_average_close(ours, ref, x):
    """PyTorch computes a 1×1 adaptive average as mean(): a vectorized sum whose order depends
    on the CPU's SIMD width. The cross-check's "bound" rule allows any summation order."""
    bound = Rule("bound")
    assert_agrees(ours, ref, bound, "global avg", bound.allowance(x, ref))


def test_global_pooling_is_adaptive_pooling_to_one_cell():
    x = make_values(7, (2, 3, 5, 6), np.float32, "normal")
    t = torch.from_numpy(x).requires_grad_(True)
    assert_bit_identical(
        pc.adaptive_pool2d(x, 1, "max"), torch.amax(t, dim=(2, 3), keepdim=True).detach().numpy(),
        "global max",
    )
    # PyTorch's global average is mean(): its sum order is the CPU's (see above); its gradient
    # is g / (H·W), one division.
    mean = torch.mean(t, dim=(2, 3), keepdim=True)
    assert_global_average_close(pc.adaptive_pool2d(x, 1, "avg"), mean.detach().numpy(), x)
    grad_output = grad_like(7, mean.shape, np.float32)
    mean.backward(torch.from_numpy(grad_output))
    assert_bit_identical(
        pc.adaptive_pool2d_backward(x, grad_output, 1, "avg"), t.grad.numpy(),
        "global avg gradient",
    )


@st.composite
def pool1d_cases(draw, kind):
    kernel = draw(st.integers(1, 5))
    dilation = draw(st.integers(1, 3)) if kind != "avg" else 1
    span = dilation * (kernel - 1) + 1
    params = {"kernel_size": kernel}
    if draw(st.booleans()):
        params["stride"] = draw(st.integers(1, 4))
    if dilation > 1:
        params["dilation"] = dilation
    if kind in ("max", "avg") or draw(st.integers(0, 2)) > 0:
        padding = draw(st.integers(0, kernel // 2))
        params["padding"] = padding
        params["ceil_mode"] = draw(st.booleans())
        low = max(1, span - 2 * padding)
    else:
        params["padding"] = draw(st.sampled_from(["same", "valid"]))
        low = span if params["padding"] == "valid" else 1
    if kind == "avg":
        params["count_include_pad"] = draw(st.booleans())
        if draw(st.integers(0, 4)) == 0:
            params["divisor_override"] = draw(st.sampled_from([-2, 3]))
    length = draw(st.integers(low, low + 10))
    assume(valid_for_contract((1, length), params, dims=1))
    lead = draw(st.sampled_from([(), (3,), (2, 2)]))
    dtype = draw(input_dtypes())
    style = draw(style_for(dtype, ("ties", "specials", "normal")))
    seed = draw(st.integers(0, 2**32 - 1))
    return make_values(seed, (*lead, length), dtype, style), params, seed


@cases(300)
@given(st.sampled_from(["max", "min"]).flatmap(
    lambda kind: pool1d_cases(kind).map(lambda case: (kind, *case))))
def test_pool1d_max_and_min_are_bit_identical_to_torch_max_pool1d(case):
    """min is -max_pool1d(-x) in the reference, with any padding."""
    kind, x, params, seed = case
    ours, ours_index = pc.pool1d(x, kind, return_indices=True, **params)
    ref, ref_index = reference_pool1d(x, kind, return_indices=True, **params)
    assert_bit_identical(ours, ref, f"1-D {kind} values")
    assert_bit_identical(ours_index, ref_index, f"1-D {kind} indices")
    grad_output = grad_like(seed, ref.shape, ref.dtype)
    assert_bit_identical(
        pc.pool1d_backward(x, grad_output, kind, **params),
        reference_pool1d_backward(x, grad_output, kind, **params),
        f"1-D {kind} gradient",
    )


@cases(200)
@given(pool1d_cases("avg"))
def test_pool1d_avg_is_bit_identical_to_torch_avg_pool1d(case):
    x, params, seed = case
    ours = pc.pool1d(x, "avg", **params)
    ref = reference_pool1d(x, "avg", **params)
    assert_bit_identical(ours, ref, "1-D avg values")
    grad_output = grad_like(seed, ref.shape, ref.dtype)
    assert_bit_identical(
        pc.pool1d_backward(x, grad_output, "avg", **params),
        reference_pool1d_backward(x, grad_output, "avg", **params),
        "1-D avg gradient",
    )


@cases(60)
@given(pool2d_cases(dilations=(1, 2), paddings=("numeric", "string"), averaging=True))
def test_every_kind_keeps_the_compute_dtype_and_shape(case):
    """float32 stays float32, float64 stays float64, the rest becomes float32 (as the reference)."""
    x, params, _ = case
    expected = compute_dtype(x.dtype)
    for kind in ("max", "avg", "min"):
        ours = pc.pool2d(x, kind, **params)
        assert ours.dtype == expected
        assert ours.shape == reference_pool2d(x, kind, **params).shape
        grad = pc.pool2d_backward(x, np.ones(ours.shape, expected), kind, **params)
        assert grad.dtype == expected and grad.shape == x.shape


def test_torch_reference_reproduces_the_hand_worked_seed_example():
    """The seed article's 4×4 example, worked by hand, through the reference itself."""
    x = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], dtype=np.float32)
    np.testing.assert_array_equal(reference_pool2d(x, "max", kernel_size=2), [[6, 8], [3, 4]])
    np.testing.assert_array_equal(
        reference_pool2d(x, "avg", kernel_size=2), [[13 / 4, 21 / 4], [2, 2]]
    )
    np.testing.assert_array_equal(pc.pool2d(x, "max", kernel_size=2), [[6, 8], [3, 4]])


# ---------------------------------------------------------------------------------------------
# The cross-check tool (python -m pooling_core.crosscheck, and compare() for the app's badge)
# ---------------------------------------------------------------------------------------------


def test_compare_checks_a_centre_crop_of_a_big_photo():
    photo = np.random.default_rng(3).integers(0, 256, size=(3, 1000, 1300)).astype(np.uint8)
    result = crosscheck.compare(photo, "max", device="cpu", kernel_size=3, stride=2, padding=1)
    assert (result.ok, result.exact) == (True, True)
    assert result.region == "a centre crop 384×384 of the 1000×1300 input"
    assert result.device == "cpu" and result.torch_version == torch.__version__
    small = crosscheck.compare(photo[:, :50, :60], "avg", device="cpu", kernel_size=2)
    assert small.region == "the whole input" and small.ok and small.exact


@pytest.mark.parametrize("kind", pc.KINDS)
def test_compare_handles_nan_infinities_and_every_kind(kind):
    x = make_values(11, (2, 9, 7), np.float32, "specials")
    if kind in ("stochastic", "softpool", "lp", "mixed", "weighted"):
        # stochastic needs finite x ≥ 0; the others are compared on finite inputs.
        x = np.abs(np.nan_to_num(x, nan=1.0, posinf=2.0, neginf=0.0))
    result = crosscheck.compare(x, kind, device="cpu", kernel_size=3, stride=2, padding=1)
    assert result.ok, result
    assert result.kind == kind and np.isfinite(result.max_abs_diff_forward)


def test_compare_of_adaptive_pooling():
    x = make_values(12, (3, 11, 13), np.float64, "specials")
    assert crosscheck.compare(x, "max", device="cpu", output_size=(4, 5)).exact
    result = crosscheck.compare(x, "avg", device="cpu", output_size=1)
    assert result.ok and result.kind == "adaptive avg"


def test_compare_refuses_invalid_arguments_with_pooling_error():
    with pytest.raises(pc.PoolingError, match="padding 3 is more than half of kernel_size 4"):
        crosscheck.compare(np.zeros((8, 8)), "max", device="cpu", kernel_size=4, padding=3)


def test_compare_without_torch_raises_a_clear_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now fails
    with pytest.raises(ImportError, match="needs PyTorch"):
        crosscheck.compare(np.zeros((4, 4)), "max", kernel_size=2)


def test_crosscheck_command_line_agrees_on_every_family(capsys):
    assert crosscheck.main(["--cases", str(2 * len(crosscheck.FAMILIES)), "--device", "cpu"]) == 0
    printed = capsys.readouterr().out
    assert "disagreements: 0" in printed
    assert all(f"| {family.name} | 2 |" in printed for family in crosscheck.FAMILIES)


def test_crosscheck_command_line_reports_a_disagreement(monkeypatch, capsys):
    """The suite can fail: an engine one ulp off in max pooling makes it exit 1."""
    exact_pool2d = pc.pool2d

    def one_ulp_off(x, kind="max", *args, **kwargs):
        result = exact_pool2d(x, kind, *args, **kwargs)
        if kind != "max":
            return result
        if isinstance(result, tuple):
            return np.nextafter(result[0], np.inf), result[1]
        return np.nextafter(result, np.inf)

    monkeypatch.setattr(pc, "pool2d", one_ulp_off)
    assert crosscheck.main(["--cases", str(len(crosscheck.FAMILIES)), "--device", "cpu"]) == 1
    printed = capsys.readouterr().out
    assert "| max | 1 |" in printed and "disagreements: 0" not in printed
