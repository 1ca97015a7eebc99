"""BlurPool, MaxBlurPool, the shift and the change metrics of pooling_core.lessons.blur.

The references are PyTorch's own primitives: ``F.pad`` (reflect, replicate, constant) followed
by a depthwise ``F.conv2d`` (``groups=C``) with the binomial filter built here from
``math.comb``, and ``F.max_pool2d`` with stride 1 for MaxBlurPool; ``torch.roll`` for whole
shifts. The metrics and the sub-cell shift are checked on cases worked by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import assert_close_scaled

import pooling_core as pc
from pooling_core.lessons.blur import Change, binomial_filter, shift2d, shift_change

TORCH_PAD = {"reflect": "reflect", "replicate": "replicate", "zeros": "constant"}


def torch_binomial(size: int, dtype) -> torch.Tensor:
    row = torch.tensor([math.comb(size - 1, i) for i in range(size)], dtype=dtype)
    grid = torch.outer(row, row)
    return grid / grid.sum()


def torch_blur_pool(x: np.ndarray, size: int, stride, pad_mode: str) -> np.ndarray:
    """Zhang's BlurPool from the paper: pad (size-1)//2 before and size//2 after, then a
    depthwise convolution with the binomial filter at the stride."""
    planes = torch.from_numpy(np.ascontiguousarray(x))
    lead = planes.shape[:-2]
    planes = planes.reshape(1, -1, *planes.shape[-2:])
    low, high = (size - 1) // 2, size // 2
    padded = F.pad(planes, (low, high, low, high), mode=TORCH_PAD[pad_mode])
    channels = planes.shape[1]
    weight = torch_binomial(size, planes.dtype)[None, None].repeat(channels, 1, 1, 1)
    out = F.conv2d(padded, weight, stride=stride, groups=channels)
    return out.reshape(*lead, *out.shape[-2:]).numpy()


def torch_max_blur_pool(x: np.ndarray, kernel, stride, size: int, pad_mode: str) -> np.ndarray:
    planes = torch.from_numpy(np.ascontiguousarray(x))
    lead = planes.shape[:-2]
    dense = F.max_pool2d(planes.reshape(1, -1, *planes.shape[-2:]), kernel, stride=1)
    return torch_blur_pool(dense.reshape(*lead, *dense.shape[-2:]).numpy(), size, stride,
                           pad_mode)


BLUR_CASES = [
    # (leading axes, H, W, filter size, stride, pad mode, dtype)
    ((), 8, 8, 3, 2, "reflect", np.float32),
    ((3,), 9, 7, 5, 2, "reflect", np.float32),
    ((2, 3), 11, 13, 4, 3, "reflect", np.float64),
    ((1,), 6, 10, 2, (2, 3), "reflect", np.float32),
    ((), 5, 5, 1, 2, "reflect", np.float64),
    ((2,), 12, 12, 7, 2, "reflect", np.float64),
    ((), 10, 4, 6, 1, "reflect", np.float32),
    ((3,), 7, 9, 5, 4, "replicate", np.float32),
    ((2,), 3, 3, 7, 2, "replicate", np.float64),
    ((1,), 8, 9, 3, (1, 2), "zeros", np.float32),
    ((), 2, 3, 5, 2, "zeros", np.float64),
]


@pytest.mark.parametrize(("lead", "height", "width", "size", "stride", "pad_mode", "dtype"),
                         BLUR_CASES)
def test_blur_pool_agrees_with_a_padded_depthwise_conv2d(lead, height, width, size, stride,
                                                        pad_mode, dtype):
    x = np.random.default_rng(size * 100 + height).standard_normal(
        (*lead, height, width)).astype(dtype)
    ours = pc.blur_pool2d(x, size, stride, pad_mode)
    ref = torch_blur_pool(x, size, stride, pad_mode)
    assert ours.dtype == dtype and ours.shape == ref.shape
    assert_close_scaled(ours, ref)
    strides = (stride, stride) if isinstance(stride, int) else stride
    assert ours.shape[-2:] == (-(-height // strides[0]), -(-width // strides[1]))


@pytest.mark.parametrize(("kernel", "stride", "size", "shape"), [
    (2, 2, 3, (3, 10, 10)),
    (3, 2, 5, (2, 12, 9)),
    ((2, 3), (2, 3), 4, (1, 11, 14)),
    (3, 3, 2, (8, 8)),
    (2, 1, 3, (1, 2, 7, 7)),
])
def test_max_blur_pool_is_a_dense_max_then_the_blur(kernel, stride, size, shape):
    x = np.random.default_rng(sum(shape)).standard_normal(shape).astype(np.float32)
    ours = pc.max_blur_pool2d(x, kernel, stride, size)
    ref = torch_max_blur_pool(x, kernel, stride, size, "reflect")
    assert ours.shape == ref.shape
    assert_close_scaled(ours, ref)


@pytest.mark.parametrize(("kernel", "stride"), [(2, 2), (3, 2), (3, 3), ((2, 3), (1, 2))])
def test_max_blur_pool_without_blur_is_max_pooling(kernel, stride):
    x = np.random.default_rng(7).standard_normal((2, 9, 11)).astype(np.float32)
    ref = F.max_pool2d(torch.from_numpy(x), kernel, stride).numpy()
    np.testing.assert_array_equal(pc.max_blur_pool2d(x, kernel, stride, filter_size=1), ref)


def test_the_filters_are_normalised_binomial_outer_products():
    for size in range(1, 8):
        np.testing.assert_allclose(binomial_filter(size),
                                   torch_binomial(size, torch.float64).numpy(), rtol=1e-15)
    np.testing.assert_array_equal(binomial_filter(5)[2] * 256, [6, 24, 36, 24, 6])


@pytest.mark.parametrize("n", [1, 2, 3])
def test_reflect_padding_is_refused_exactly_where_pytorch_refuses_it(n):
    x = np.ones((1, n, 8), dtype=np.float32)
    for size in range(1, 8):
        try:
            torch_blur_pool(x, size, 2, "reflect")
            torch_refuses = False
        except RuntimeError:
            torch_refuses = True
        if torch_refuses:
            with pytest.raises(pc.PoolingError) as caught:
                pc.blur_pool2d(x, size, 2)
            assert caught.value.code == "reflect_too_small"
            assert caught.value.fields["axis"] == "height"
        else:
            pc.blur_pool2d(x, size, 2)


@pytest.mark.parametrize(("call", "code"), [
    (lambda: pc.blur_pool2d(np.ones((4, 4)), 8), "filter_size"),
    (lambda: pc.blur_pool2d(np.ones((4, 4)), 0), "filter_size"),
    (lambda: pc.blur_pool2d(np.ones((4, 4)), 3.0), "filter_size"),
    (lambda: pc.blur_pool2d(np.ones((4, 4)), 3, 0), "stride_too_small"),
    (lambda: pc.blur_pool2d(np.ones((4, 4)), 3, 2, "circular"), "pad_mode"),
    (lambda: pc.blur_pool2d(np.ones(4), 3), "bad_ndim_2d"),
    (lambda: pc.shift2d(np.ones((4, 4)), (1, float("nan"))), "shift_not_number"),
    (lambda: pc.shift2d(np.ones((4, 4)), 1), "shift_not_number"),
    (lambda: pc.shift_change([1, 2], [1, 2, 3]), "change_shapes"),
])
def test_bad_arguments_are_refused_with_a_named_reason(call, code):
    with pytest.raises(pc.PoolingError) as caught:
        call()
    assert caught.value.code == code
    assert str(caught.value)  # an English sentence made from the registered template


def test_the_worked_example_max_pooling_is_not_shift_invariant():
    # Zhang 2019, figure 1: [0,0,1,1,0,0,1,1] max-pooled with windows of 2 gives [0,1,0,1];
    # shifted by one cell it gives [1,1,1,1].
    x = np.array([[0, 0, 1, 1, 0, 0, 1, 1]], dtype=np.float32)
    before = pc.pool2d(x, "max", kernel_size=(1, 2))
    after = pc.pool2d(pc.shift2d(x, (0, 1)), "max", kernel_size=(1, 2))
    np.testing.assert_array_equal(before, [[0, 1, 0, 1]])
    np.testing.assert_array_equal(after, [[1, 1, 1, 1]])
    assert pc.shift_change(before, after) == Change(0.5, 0.5)


def test_whole_shifts_are_torch_roll():
    x = np.random.default_rng(1).standard_normal((2, 5, 7)).astype(np.float32)
    for shift in [(0, 0), (1, 0), (0, 3), (2, 5), (-1, -2), (6, 9)]:
        np.testing.assert_array_equal(
            shift2d(x, shift), torch.roll(torch.from_numpy(x), shift, dims=(-2, -1)).numpy())


def test_a_sub_cell_shift_interpolates_linearly_and_wraps():
    x = np.array([[8.0, 0.0, 0.0, 4.0]])
    # a quarter cell right: each cell keeps 3/4 of itself and takes 1/4 of its left neighbour,
    # the first cell's left neighbour being the last (wrap-around)
    np.testing.assert_allclose(shift2d(x, (0, 0.25)), [[7.0, 2.0, 0.0, 3.0]])
    # one and a half cells: halfway between rolls by 1 ([4, 8, 0, 0]) and by 2 ([0, 4, 8, 0])
    np.testing.assert_allclose(shift2d(x, (0, 1.5)), [[2.0, 6.0, 4.0, 0.0]])
    # down a half: the two rows swap halves
    np.testing.assert_allclose(shift2d(np.array([[2.0], [6.0]]), (0.5, 0)), [[4.0], [4.0]])


def test_the_change_metrics_on_a_hand_worked_case():
    before = np.array([[1.0, 2.0], [3.0, 4.0]])
    after = np.array([[1.0, 2.5], [3.0, 2.0]])
    # two of four cells change, by 0.5 and 2: the mean |Δ| over the four cells is 2.5 / 4
    assert shift_change(before, after) == Change(0.5, 0.625)
    # a change below the tolerance (relative to the largest |before|, here 4) does not count
    assert shift_change(before, before + 1e-6).fraction == 0.0
    assert shift_change(before, before + 1e-3).fraction == 1.0
    # NaN equals NaN; a cell that became NaN changed, and is left out of the mean
    nan = float("nan")
    change = shift_change([nan, 1.0, 2.0, 3.0], [nan, nan, 2.0, 4.0])
    assert change.fraction == 0.5 and change.mean_abs == 0.5


# -- the aligned change: what the content's motion does not explain -------------------------------
def test_the_aligned_change_on_zhangs_row_worked_by_hand():
    # [0,0,1,1,0,0,1,1], max with windows of 2, stride 2 → [0,1,0,1].
    # Shift by 1 (half a stride): the pooling gives [1,1,1,1]. δ/s = 1/2, so the old output is
    # tried moved by 0 → [0,1,0,1] (|Δ| = 1,0,1,0: mean 2/4) and by 1 → [1,0,1,0] (|Δ| =
    # 0,1,0,1: mean 2/4). Neither explains the change: 0.5 is left, all of mean |Δ| (0.5).
    # Shift by 2 (one stride): the input reads [1,1,0,0,1,1,0,0], pooled [1,0,1,0] = the old
    # output moved by one cell: 0 left, although every cell changed (mean |Δ| 1).
    # Shift by 3: [0,1,1,0,0,1,1,0] → [1,1,1,1]; candidates move by 1 and 2 ([1,0,1,0] and
    # [0,1,0,1]): 0.5 again.
    x = np.array([[0, 0, 1, 1, 0, 0, 1, 1]], dtype=np.float32)
    before = pc.pool2d(x, "max", kernel_size=(1, 2))
    for cells, expected_after, aligned, mean in [(1, [1, 1, 1, 1], 0.5, 0.5),
                                                 (2, [1, 0, 1, 0], 0.0, 1.0),
                                                 (3, [1, 1, 1, 1], 0.5, 0.5),
                                                 (4, [0, 1, 0, 1], 0.0, 0.0)]:
        after = pc.pool2d(pc.shift2d(x, (0, cells)), "max", kernel_size=(1, 2))
        np.testing.assert_array_equal(after, [expected_after])
        assert pc.aligned_change(before, after, (0, cells), (1, 2)) == aligned
        assert pc.shift_change(before, after).mean_abs == mean


def test_the_aligned_change_picks_the_better_candidate_by_hand():
    # old [[1, 5, 2]], new [[2, 1, 4]], δ/s = 1/2: moved by 0 → |Δ| 1,4,2 (7/3); moved by 1 →
    # [[2, 1, 5]], |Δ| 0,0,1 (1/3). The smaller is kept.
    old, new = [[1.0, 5.0, 2.0]], [[2.0, 1.0, 4.0]]
    assert pc.aligned_change(old, new, (0, 1), 2) == pytest.approx(1 / 3)
    # NaN cells are left out, as in shift_change: δ = one stride, moved by 1 → [[2, nan, 5]]
    # against [[2, 1, 4]]: |Δ| 0 and 1 over the two finite cells
    nan = float("nan")
    assert pc.aligned_change([[nan, 5.0, 2.0]], [[2.0, 1.0, 4.0]], (0, 2), 2) == 0.5


def torch_aligned(before: torch.Tensor, after: torch.Tensor, shift, stride) -> float:
    """The definition written again with torch: the smallest mean |after - roll(before, m)| over
    m = floor or ceil of shift / stride per axis."""
    near = [{math.floor(d / s), math.ceil(d / s)} for d, s in zip(shift, stride, strict=True)]
    return min(float((after - torch.roll(before, (a, b), dims=(-2, -1))).abs().mean())
               for a in near[0] for b in near[1])


@pytest.mark.parametrize(("kernel", "stride"), [(2, 2), (3, 3), (3, 2), (2, (2, 3))])
def test_the_aligned_change_against_torch_rolled_max_pooling(kernel, stride):
    strides = stride if isinstance(stride, tuple) else (stride, stride)
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 12, 12)).astype(np.float32)
    xt = torch.from_numpy(x)[None]
    before = F.max_pool2d(xt, kernel, stride)[0]
    for shift in [(0, 1), (1, 1), (strides[0], 0), (0, strides[1]), (2 * strides[0], strides[1])]:
        after = F.max_pool2d(torch.roll(xt, shift, dims=(-2, -1)), kernel, stride)[0]
        ours = pc.aligned_change(pc.pool2d(x, "max", kernel, stride),
                                 pc.pool2d(pc.shift2d(x, shift), "max", kernel, stride),
                                 shift, stride)
        assert ours == pytest.approx(torch_aligned(before, after, shift, strides), rel=1e-6,
                                     abs=1e-7)
        if kernel == stride and shift[0] % strides[0] == 0 and shift[1] % strides[1] == 0:
            # windows that tile a 12×12 input: a circular shift by whole strides is the output
            # rolled by whole cells, in torch as here — nothing left
            moved = torch.roll(before, (shift[0] // strides[0], shift[1] // strides[1]),
                               dims=(-2, -1))
            assert torch.equal(after, moved)
            assert ours == 0.0
        if shift == (0, 1):
            assert ours > 0.1  # random detail finer than the stride aliases


def test_the_aligned_change_refuses_bad_arguments():
    for call, code in [(lambda: pc.aligned_change([[1.0]], [[1.0, 2.0]], (0, 1), 2),
                        "change_shapes"),
                       (lambda: pc.aligned_change([[1.0]], [[1.0]], (0, "a"), 2),
                        "shift_not_number"),
                       (lambda: pc.aligned_change([1.0], [1.0], (0, 1), 2), "bad_ndim_2d")]:
        with pytest.raises(pc.PoolingError) as caught:
            call()
        assert caught.value.code == code
