"""pooling_core.conv2d / conv1d / relu against torch.nn.functional (CPU), and their errors.

Random inputs, filters and biases with random strides, paddings (numbers, "valid", "same"),
dilations and channel counts; the agreement is |Δ| ≤ rtol·max|ref| with rtol 1e-5 for float32
and 1e-12 for float64 (the sums run in a different order).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import pooling_core as pc

torch.set_num_threads(1)
RTOL = {np.float32: 1e-5, np.float64: 1e-12}


def assert_close(ours: np.ndarray, ref: torch.Tensor):
    expected = ref.numpy()
    assert ours.shape == expected.shape
    assert ours.dtype == expected.dtype
    scale = max(1.0, float(np.abs(expected).max(initial=0)))
    assert np.abs(ours - expected).max(initial=0) <= RTOL[ours.dtype.type] * scale


def draw_case(rng: np.random.Generator, nd: int):
    """A random (x, weight, bias, stride, padding, dilation) that PyTorch accepts."""
    dtype = np.float64 if rng.random() < 0.5 else np.float32
    c_in, c_out = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    kernel = tuple(int(k) for k in rng.integers(1, 6, size=nd))
    dilation = tuple(int(d) for d in rng.integers(1, 4, size=nd))
    choice = rng.random()
    if choice < 0.15:
        stride, padding = 1, "same"
    elif choice < 0.25:
        stride, padding = tuple(int(s) for s in rng.integers(1, 4, size=nd)), "valid"
    else:
        stride = tuple(int(s) for s in rng.integers(1, 4, size=nd))
        padding = tuple(int(p) for p in rng.integers(0, 4, size=nd))
    pads = (0,) * nd if isinstance(padding, str) else padding
    spans = [d * (k - 1) + 1 for d, k in zip(dilation, kernel, strict=True)]
    sizes = [int(rng.integers(max(1, span - 2 * p), span + 12))
             for span, p in zip(spans, pads, strict=True)]
    x = rng.normal(size=(c_in, *sizes)).astype(dtype)
    weight = rng.normal(size=(c_out, c_in, *kernel)).astype(dtype)
    bias = rng.normal(size=c_out).astype(dtype)
    if nd == 1:
        stride, dilation = stride if isinstance(stride, int) else stride[0], dilation[0]
        padding = padding if isinstance(padding, str) else padding[0]
    return x, weight, bias, stride, padding, dilation


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("seed", range(60))
def test_conv2d_matches_torch(seed):
    x, weight, bias, stride, padding, dilation = draw_case(np.random.default_rng(seed), 2)
    ours = pc.conv2d(x, weight, bias, stride=stride, padding=padding, dilation=dilation)
    ref = F.conv2d(torch.from_numpy(x)[None], torch.from_numpy(weight), torch.from_numpy(bias),
                   stride=stride, padding=padding, dilation=dilation)[0]
    assert_close(ours, ref)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("seed", range(60))
def test_conv1d_matches_torch(seed):
    x, weight, bias, stride, padding, dilation = draw_case(np.random.default_rng(1000 + seed), 1)
    ours = pc.conv1d(x, weight, bias, stride=stride, padding=padding, dilation=dilation)
    ref = F.conv1d(torch.from_numpy(x)[None], torch.from_numpy(weight), torch.from_numpy(bias),
                   stride=stride, padding=padding, dilation=dilation)[0]
    assert_close(ours, ref)


def test_single_channel_shapes_and_scalar_bias_match_torch():
    rng = np.random.default_rng(7)
    image = rng.normal(size=(9, 11))  # float64
    kernel = rng.normal(size=(3, 2))
    ours = pc.conv2d(image, kernel, bias=0.5, stride=(2, 1), padding=(1, 0), dilation=(1, 2))
    ref = F.conv2d(torch.from_numpy(image)[None, None], torch.from_numpy(kernel)[None, None],
                   torch.tensor([0.5], dtype=torch.float64), stride=(2, 1), padding=(1, 0),
                   dilation=(1, 2))[0, 0]
    assert_close(ours, ref)

    signal = rng.normal(size=20).astype(np.float32)
    taps = rng.normal(size=4).astype(np.float32)
    ours = pc.conv1d(signal, taps, stride=3, padding=2)
    ref = F.conv1d(torch.from_numpy(signal)[None, None], torch.from_numpy(taps)[None, None],
                   stride=3, padding=2)[0, 0]
    assert_close(ours, ref)
    # one plane, several filters: the channel axis of the output stays
    assert pc.conv2d(image, rng.normal(size=(4, 1, 3, 3))).shape == (4, 7, 9)


def test_integer_input_is_float32_and_not_flipped():
    # cross-correlation by hand: out[i, j] = x[i, j+1] - x[i, j] on a ramp 0, 1, 2, ...
    ramp = np.arange(12).reshape(3, 4)
    out = pc.conv2d(ramp, [[-1, 1]])
    assert out.dtype == np.float32
    assert np.array_equal(out, np.ones((3, 3)))


def test_relu_matches_torch():
    values = np.random.default_rng(3).normal(size=(2, 5, 5))
    for dtype in (np.float32, np.float64):
        array = values.astype(dtype)
        assert_close(pc.relu(array), torch.relu(torch.from_numpy(array)))


def test_filters_by_hand():
    # Sobel x on a vertical step (0 | 1): each 3×3 window across the step sums (1 + 2 + 1)·1 = 4
    step = np.zeros((5, 6))
    step[:, 3:] = 1
    edges = pc.conv2d(step, pc.FILTERS["sobel_x"])
    assert np.array_equal(edges, [[0, 4, 4, 0]] * 3)
    # Sobel y is Sobel x transposed; the Gaussian sums to 1; the Laplacian and Gabor to 0
    assert np.array_equal(pc.FILTERS["sobel_y"], pc.FILTERS["sobel_x"].T)
    assert pc.FILTERS["gaussian"].sum() == 1
    assert pc.FILTERS["laplacian"].sum() == 0 and abs(pc.FILTERS["gabor"].sum()) < 1e-12
    # Gabor, θ=0, σ=1, λ=3, γ=0.5: the centre is exp(0)·cos(0) = 1 before the mean is removed;
    # the middle-row neighbours are exp(-1/2)·cos(2π/3) = -0.5·e^(-1/2)
    raw = pc.lessons.conv.gabor_kernel(zero_mean=False)
    assert raw[1, 1] == 1 and np.isclose(raw[1, 0], -0.5 * np.exp(-0.5))
    image = np.random.default_rng(0).normal(size=(6, 6))
    assert np.array_equal(pc.conv2d(image, pc.FILTERS["identity"], padding=1), image)


@pytest.mark.parametrize(
    ("call", "code", "torch_call"),
    [
        (lambda: pc.conv2d(np.ones((2, 5, 5)), np.ones((1, 3, 3, 3))), "conv_channels",
         lambda: F.conv2d(torch.ones(1, 2, 5, 5), torch.ones(1, 3, 3, 3))),
        (lambda: pc.conv2d(np.ones((4, 4)), np.ones((5, 5))), "conv_output_empty",
         lambda: F.conv2d(torch.ones(1, 1, 4, 4), torch.ones(1, 1, 5, 5))),
        (lambda: pc.conv2d(np.ones((4, 4)), np.ones((3, 3)), stride=0), "too_small",
         lambda: F.conv2d(torch.ones(1, 1, 4, 4), torch.ones(1, 1, 3, 3), stride=0)),
        (lambda: pc.conv2d(np.ones((4, 4)), np.ones((3, 3)), padding=-1), "too_small",
         lambda: F.conv2d(torch.ones(1, 1, 4, 4), torch.ones(1, 1, 3, 3), padding=-1)),
        (lambda: pc.conv2d(np.ones((5, 5)), np.ones((3, 3)), stride=2, padding="same"),
         "conv_same_stride",
         lambda: F.conv2d(torch.ones(1, 1, 5, 5), torch.ones(1, 1, 3, 3), stride=2,
                          padding="same")),
        (lambda: pc.conv1d(np.ones((1, 2, 5)), np.ones(3)), "conv_x_ndim",
         lambda: F.conv1d(torch.ones(1, 1, 2, 5), torch.ones(1, 1, 3))),
        (lambda: pc.conv1d(np.ones(5), np.ones((1, 3))), "conv_weight_ndim",
         lambda: F.conv1d(torch.ones(1, 1, 5), torch.ones(1, 3))),
        (lambda: pc.conv1d(np.ones((2, 5)), np.ones((3, 2, 2)), bias=np.ones(2)),
         "conv_bias_shape",
         lambda: F.conv1d(torch.ones(1, 2, 5), torch.ones(3, 2, 2), torch.ones(2))),
    ],
)
def test_errors_where_torch_refuses_too(call, code, torch_call):
    with pytest.raises(pc.PoolingError) as caught:
        call()
    assert caught.value.code == code
    with pytest.raises((RuntimeError, ValueError)):
        torch_call()


def test_error_messages_name_the_problem():
    with pytest.raises(pc.PoolingError, match=r"expects 3 input channel\(s\), but x of shape "
                                              r"\(2, 5, 5\) has 2"):
        pc.conv2d(np.ones((2, 5, 5)), np.ones((1, 3, 3, 3)))
    # width 4, kernel 5: (4 − 5) // 1 + 1 = 0; a 3×3 kernel on 1×1 gives (1 − 3) + 1 = −1
    with pytest.raises(pc.PoolingError, match="output width would be 0"):
        pc.conv2d(np.ones((6, 4)), np.ones((3, 5)))
    with pytest.raises(pc.PoolingError, match="output height would be -1"):
        pc.conv2d(np.ones((1, 1)), np.ones((3, 3)))
    with pytest.raises(pc.PoolingError, match="unknown filter 'sobel'"):
        pc.lessons.conv.filter_weights("sobel")
    with pytest.raises(pc.PoolingError, match="must be a numeric array"):
        pc.conv2d(np.array([["a"]]), np.ones((1, 1)))


# --- receptive fields --------------------------------------------------------------------------

Layer = pc.Layer


def test_two_3x3_convs_see_5x5():
    # r = 1 + (3−1)·1 + (3−1)·1 = 5; stride 1 everywhere, so the jump is 1 and cell (2, 3)
    # sees rows 2..6 and columns 3..7
    rf = pc.receptive_field([Layer(3), Layer(3)], cell=(2, 3))
    assert rf.size == (5, 5) and rf.jump == (1, 1)
    assert rf.input_region == ((2, 6), (3, 7))
    assert rf.regions[1] == ((2, 4), (3, 5)) and rf.regions[2] == ((2, 2), (3, 3))


def test_conv_pool_conv_pool():
    # conv3 s1 → pool2 s2 → conv3 s1 → pool2 s2:
    #   r = 1 + (3−1)·1 + (2−1)·1 + (3−1)·(1·2) + (2−1)·(1·2·1) = 1 + 2 + 1 + 4 + 2 = 10
    #   jump = 1·2·1·2 = 4
    # going back from row 1: pool2 s2 → rows 2..3; conv3 → 2..5; pool2 s2 → 4..11; conv3 → 4..13
    # and from column 2: 4..5 → 4..7 → 8..15 → 8..17
    stack = [Layer(3), Layer(2, 2), Layer(3), Layer(2, 2)]
    rf = pc.receptive_field(stack, cell=(1, 2))
    assert rf.size == (10, 10) and rf.jump == (4, 4)
    assert rf.regions == [((4, 13), (8, 17)), ((4, 11), (8, 15)), ((2, 5), (4, 7)),
                          ((2, 3), (4, 5)), ((1, 1), (2, 2))]
    assert [term[0] for term in rf.terms] == [(2, 1), (1, 1), (2, 2), (1, 2)]


def test_padding_and_dilation():
    # two conv3 with padding 1: output cell 0 reads conv-1 rows −1..1, which read input −2..2
    rf = pc.receptive_field([Layer(3, padding=1), Layer(3, padding=1)])
    assert rf.size == (5, 5) and rf.input_region == ((-2, 2), (-2, 2))
    # conv3 dilation 2 spans d·(k−1)+1 = 5; then conv3 stride 2 adds (3−1)·1: r = 1 + 4 + 2 = 7,
    # jump 1·2 = 2; the second kernel is 3×1, so across the width r = 1 + 4 + 0 = 5
    rf = pc.receptive_field([Layer(3, dilation=2), Layer((3, 1), stride=2)], cell=(1, 1))
    assert rf.size == (7, 5) and rf.jump == (2, 2)
    # row 1 → conv s2 rows 2..4 → dilated rows 2..8; column 1 → 2..2 → 2..6
    assert rf.input_region == ((2, 8), (2, 6))
    assert pc.receptive_field([]).size == (1, 1)


def test_clip():
    assert pc.lessons.receptive.clip(((-2, 2), (3, 9)), (5, 6)) == ((0, 2), (3, 5))
    assert pc.lessons.receptive.clip(((6, 8), (0, 1)), (5, 6)) is None


def test_layer_errors():
    with pytest.raises(pc.PoolingError, match="stride must be ≥ 1; got 0"):
        Layer(3, stride=0)
    with pytest.raises(pc.PoolingError, match="padding must be ≥ 0"):
        Layer(3, padding=-1)
    with pytest.raises(pc.PoolingError) as caught:
        pc.receptive_field([(3, 1, 0, 1)])
    assert caught.value.code == "receptive_not_layer"


STACKS = [
    # (kind, kernel, stride, padding, dilation) per layer
    [("conv", 3, 1, 0, 1), ("pool", 2, 2, 0, 1), ("conv", 3, 1, 0, 1), ("pool", 2, 2, 0, 1)],
    [("conv", 3, 1, 1, 1), ("pool", 3, 2, 1, 1), ("conv", 5, 2, 2, 1), ("pool", 2, 1, 0, 1)],
    [("conv", 3, 1, 0, 2), ("pool", 2, 2, 0, 1), ("conv", 3, 2, 1, 3)],
    [("conv", 4, 3, 2, 1), ("conv", 2, 1, 1, 1), ("pool", 3, 3, 1, 1)],
]


@pytest.mark.parametrize("stack_index", range(len(STACKS)))
def test_region_is_the_gradient_support_in_pytorch(stack_index):
    stack = STACKS[stack_index]
    rng = np.random.default_rng(stack_index)
    x = torch.zeros(1, 1, 29, 31, dtype=torch.float64, requires_grad=True)
    out = x
    for kind, k, s, p, d in stack:
        if kind == "conv":
            ones = torch.ones(1, 1, k, k, dtype=torch.float64)
            out = F.conv2d(out, ones, stride=s, padding=p, dilation=d)
        else:
            out = F.avg_pool2d(out, k, s, p, count_include_pad=True)
    layers = [Layer(k, s, p, d) for _, k, s, p, d in stack]
    for _ in range(6):
        cell = tuple(int(rng.integers(0, n)) for n in out.shape[2:])
        (grad,) = torch.autograd.grad(out[0, 0][cell], x, retain_graph=True)
        rows, cols = np.nonzero(grad[0, 0].numpy())
        rf = pc.receptive_field(layers, cell)
        (top, bottom), (left, right) = rf.input_region
        assert bottom - top + 1 == rf.size[0] and right - left + 1 == rf.size[1]
        inside = pc.lessons.receptive.clip(rf.input_region, x.shape[2:])
        (c_top, c_bottom), (c_left, c_right) = inside
        assert rows.min() >= c_top and rows.max() <= c_bottom
        assert cols.min() >= c_left and cols.max() <= c_right
        if inside == rf.input_region:  # nothing clipped: the support reaches every edge
            assert (rows.min(), rows.max(), cols.min(), cols.max()) == (top, bottom, left, right)
        if all(d == 1 for *_, d in stack):  # no holes: the support is the whole clipped region
            assert len(rows) == (c_bottom - c_top + 1) * (c_right - c_left + 1)
