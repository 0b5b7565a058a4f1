"""Conv2d, MaxPool2d, AvgPool2d, Flatten: numerical gradients (also as properties over drawn
shapes, strides and paddings), col2im as the adjoint of the window view, the torch twin,
dtypes, errors."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch_twin import assert_same_as_torch

from nnlab.gradcheck import check_module
from nnlab.module import Sequential
from nnlab.nn.activations import ReLU
from nnlab.nn.conv import (AvgPool2d, Conv2d, Flatten, MaxPool2d, _col2im, _windows,
                           output_size)
from nnlab.nn.linear import Linear


def images(shape, seed=1):
    return np.random.default_rng(seed).standard_normal(shape)


# (in, out, kernel, stride, padding, input shape (N, C, H, W))
CONV_CASES = {
    "3x3": (3, 4, 3, 1, 0, (2, 3, 7, 9)),
    "3x3 pad 1 (same)": (3, 4, 3, 1, 1, (2, 3, 7, 9)),
    "1x1": (2, 3, 1, 1, 0, (2, 2, 5, 6)),
    "5x5 pad 2": (2, 3, 5, 1, 2, (2, 2, 7, 9)),
    "3x3 stride 2 pad 1": (3, 2, 3, 2, 1, (2, 3, 7, 9)),
    "3x3 stride 3, batch 1 (leftover column)": (3, 2, 3, 3, 0, (1, 3, 7, 9)),
    "4x4 stride 3 (leftover rows and columns)": (2, 2, 4, 3, 0, (2, 2, 7, 9)),
    "2x3 stride (2, 1) pad (1, 0)": (2, 3, (2, 3), (2, 1), (1, 0), (2, 2, 7, 9)),
    "5x5 on a 5x5 image": (1, 2, 5, 1, 0, (2, 1, 5, 5)),
    "kernel only fits with padding": (2, 2, 5, 2, 2, (1, 2, 3, 4)),
}


@pytest.mark.parametrize("case", CONV_CASES.values(), ids=CONV_CASES.keys())
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no bias"])
def test_conv2d_matches_torch(case, bias):
    c_in, c_out, k, s, p, shape = case
    torch.manual_seed(0)
    twin = torch.nn.Conv2d(c_in, c_out, k, stride=s, padding=p, bias=bias)
    layer = Conv2d(c_in, c_out, k, stride=s, padding=p, bias=bias, dtype=np.float64)
    assert_same_as_torch(layer, twin, images(shape))


@pytest.mark.parametrize("case", [CONV_CASES[k] for k in
                                  ("3x3 pad 1 (same)", "3x3 stride 2 pad 1", "2x3 stride (2, 1) pad (1, 0)")])
def test_conv2d_gradients_match_central_differences(case):
    c_in, c_out, k, s, p, shape = case
    layer = Conv2d(c_in, c_out, k, stride=s, padding=p, rng=np.random.default_rng(0))
    report = check_module(layer, images((1,) + shape[1:]), tol=1e-6)
    assert report.ok, str(report)
    assert set(report) == {"x", "weight", "bias"}


def test_conv2d_parameters_have_torch_names_shapes_and_init():
    layer = Conv2d(3, 5, (2, 4), rng=np.random.default_rng(0))
    twin = torch.nn.Conv2d(3, 5, (2, 4))
    assert {n: p.shape for n, p in layer.named_parameters()} == \
        {n: tuple(t.shape) for n, t in twin.state_dict().items()}
    bound = 1 / np.sqrt(3 * 2 * 4)  # U(-1/sqrt(fan_in), 1/sqrt(fan_in)), as torch
    for p in layer.parameters():
        assert np.abs(p.data).max() <= bound
        assert np.abs(p.data).max() > 0.7 * bound  # spread over the interval, not clustered
    assert np.abs(layer.weight.data).max() > 0.9 * bound


def test_conv2d_backward_accumulates_parameter_gradients():
    layer = Conv2d(2, 3, 3, padding=1, dtype=np.float64, rng=np.random.default_rng(0))
    x = images((2, 2, 5, 5))
    grad_y = np.ones(layer.forward(x).shape)
    layer.backward(grad_y)
    once = [p.grad.copy() for p in layer.parameters()]
    layer.forward(x)
    layer.backward(grad_y)
    for p, g in zip(layer.parameters(), once):
        np.testing.assert_allclose(p.grad, 2 * g, rtol=1e-12)


@pytest.mark.parametrize("size, kernel, stride, padding", [(7, 3, 1, 0), (7, 3, 2, 1), (9, 4, 3, 0), (5, 5, 1, 2)])
def test_output_size_matches_torch(size, kernel, stride, padding):
    out = torch.nn.functional.conv2d(torch.zeros(1, 1, size, size), torch.zeros(1, 1, kernel, kernel),
                                     stride=stride, padding=padding)
    assert output_size(size, kernel, stride, padding) == out.shape[-1]


# (kernel, stride, padding, input shape)
POOL_CASES = {
    "2x2 (stride = kernel)": (2, None, 0, (2, 3, 6, 8)),
    "2x2 on odd sizes": (2, None, 0, (2, 3, 7, 9)),
    "3x3 stride 1 pad 1 (overlapping)": (3, 1, 1, (2, 2, 7, 9)),
    "3x3 stride 2 (overlapping)": (3, 2, 0, (1, 2, 7, 9)),
    "3x3 stride 2 pad 1": (3, 2, 1, (2, 2, 7, 9)),
    "2x3 stride (1, 2) pad (1, 1)": ((2, 3), (1, 2), (1, 1), (2, 2, 7, 9)),
}
POOLS = {"max": (MaxPool2d, torch.nn.MaxPool2d), "avg": (AvgPool2d, torch.nn.AvgPool2d)}


@pytest.mark.parametrize("case", POOL_CASES.values(), ids=POOL_CASES.keys())
@pytest.mark.parametrize("kind", POOLS)
def test_pool_matches_torch(kind, case):
    ours, theirs = POOLS[kind]
    k, s, p, shape = case
    assert_same_as_torch(ours(k, s, p), theirs(k, s, p), images(shape))


@pytest.mark.parametrize("case", POOL_CASES.values(), ids=POOL_CASES.keys())
def test_maxpool_ties_go_to_the_first_maximum_like_torch(case):
    k, s, p, shape = case
    x = np.random.default_rng(2).integers(0, 2, shape).astype(np.float64)  # many equal maxima
    assert_same_as_torch(MaxPool2d(k, s, p), torch.nn.MaxPool2d(k, s, p), x)


def test_maxpool_routes_each_gradient_to_one_position():
    x = images((2, 3, 6, 6))
    pool = MaxPool2d(3, stride=1)
    y = pool.forward(x)
    dx = pool.backward(np.ones_like(y))
    # each window sends its 1 to a single pixel: the total is the number of windows
    assert dx.sum() == y.size
    assert set(np.unique(dx)) <= set(range(10))  # counts of windows won, never fractions
    assert np.isin(x[dx > 0], y).all()  # only window maxima receive gradient


@pytest.mark.parametrize("kind", POOLS)
def test_pool_gradients_match_central_differences(kind):
    pool = POOLS[kind][0](3, stride=2, padding=1)
    report = check_module(pool, images((2, 2, 5, 6)), tol=1e-6)
    assert report.ok, str(report)


# --- properties over drawn shapes, strides and paddings ---

@st.composite
def window_geometry(draw, max_padding_share=None):
    """(N, C, H, W), kernel, stride, padding such that at least one window fits; with
    max_padding_share=0.5, padding at most half the kernel (the pools' rule)."""
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    if max_padding_share is None:
        padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    else:
        padding = tuple(draw(st.integers(0, int(k * max_padding_share))) for k in kernel)
    size = tuple(draw(st.integers(max(1, k - 2 * p), 6)) for k, p in zip(kernel, padding))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) + size
    return shape, kernel, stride, padding


@settings(max_examples=80)
@given(geometry=window_geometry(), c_out=st.integers(1, 2), bias=st.booleans(),
       seed=st.integers(0, 2 ** 16))
def test_conv2d_gradients_equal_central_differences_for_any_geometry(geometry, c_out, bias, seed):
    shape, kernel, stride, padding = geometry
    rng = np.random.default_rng(seed)
    layer = Conv2d(shape[1], c_out, kernel, stride, padding, bias=bias, rng=rng)
    report = check_module(layer, rng.standard_normal(shape), seed=seed)
    assert report.ok, str(report)


@settings(max_examples=80)
@given(geometry=window_geometry(max_padding_share=0.5), kind=st.sampled_from(sorted(POOLS)),
       seed=st.integers(0, 2 ** 16))
def test_pool_gradients_equal_central_differences_for_any_geometry(geometry, kind, seed):
    shape, kernel, stride, padding = geometry
    # distinct values, at least 0.01 apart: no window has two maxima within ε of each other,
    # where the max is not differentiable and central differences would straddle the kink
    x = np.random.default_rng(seed).permutation(int(np.prod(shape))).reshape(shape) * 0.01
    report = check_module(POOLS[kind][0](kernel, stride, padding), x, seed=seed)
    assert report.ok, str(report)


@settings(max_examples=200)
@given(geometry=window_geometry(), seed=st.integers(0, 2 ** 16))
def test_col2im_is_the_adjoint_of_the_window_view(geometry, seed):
    """<view(x), y> = <x, col2im(y)> for every x and y: col2im is exactly the transpose of
    taking windows, so it sends every gradient back where its window read the pixel."""
    shape, kernel, stride, padding = geometry
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    view = _windows(x, kernel, stride, padding, "test")
    y = rng.standard_normal(view.shape)
    back = _col2im(lambda i, j: y[:, :, i, j], shape, kernel, stride, padding, np.float64)
    assert back.shape == x.shape
    np.testing.assert_allclose(np.sum(view * y), np.sum(x * back), rtol=1e-12, atol=1e-12)


def test_flatten_matches_torch_and_gradcheck():
    assert_same_as_torch(Flatten(), torch.nn.Flatten(), images((2, 3, 4, 5)))
    report = check_module(Flatten(), images((2, 3, 2, 2)))
    assert report.ok, str(report)


def test_small_convnet_matches_torch():
    torch.manual_seed(0)
    twin = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                               torch.nn.Conv2d(4, 6, 3, stride=2), torch.nn.ReLU(), torch.nn.AvgPool2d(2),
                               torch.nn.Flatten(), torch.nn.Linear(6, 3))
    net = Sequential(Conv2d(1, 4, 3, padding=1), ReLU(), MaxPool2d(2),
                     Conv2d(4, 6, 3, stride=2), ReLU(), AvgPool2d(2),
                     Flatten(), Linear(6, 3))
    assert_same_as_torch(net, twin, images((3, 1, 11, 12)))


LAYERS = {
    "Conv2d": lambda: Conv2d(3, 4, 3, stride=2, padding=1),
    "MaxPool2d": lambda: MaxPool2d(2),
    "AvgPool2d": lambda: AvgPool2d(3, stride=1, padding=1),
    "Flatten": lambda: Flatten(),
}


@pytest.mark.parametrize("make", LAYERS.values(), ids=LAYERS.keys())
def test_float32_stays_float32(make):
    layer = make()
    x = images((2, 3, 7, 9)).astype(np.float32)
    y = layer.forward(x)
    assert y.dtype == np.float32
    dx = layer.backward(np.ones_like(y))
    assert dx.dtype == np.float32 and dx.shape == x.shape
    for p in layer.parameters():
        assert p.data.dtype == np.float32 and p.grad.dtype == np.float32


@pytest.mark.parametrize("make", LAYERS.values(), ids=LAYERS.keys())
def test_float64_stays_float64(make):
    layer = make().to(np.float64)
    y = layer.forward(images((2, 3, 7, 9)))
    assert y.dtype == np.float64
    assert layer.backward(np.ones_like(y)).dtype == np.float64


@pytest.mark.parametrize("layer, shape, message", [
    (Conv2d(3, 4, 3), (2, 4, 5, 5), r"Conv2d expects input of shape \(batch, 3, H, W\), got \(2, 4, 5, 5\)"),
    (Conv2d(3, 4, 3), (3, 5, 5), r"Conv2d expects input of shape \(batch, 3, H, W\), got \(3, 5, 5\)"),
    (MaxPool2d(2), (4, 4), r"MaxPool2d expects input of shape \(batch, C, H, W\), got \(4, 4\)"),
    (AvgPool2d(2), (1, 2, 3, 4, 5), r"AvgPool2d expects input of shape \(batch, C, H, W\), got \(1, 2, 3, 4, 5\)"),
    (Flatten(), (5,), r"Flatten expects input of shape \(batch, \.\.\.\), got \(5,\)"),
])
def test_wrong_input_shape_names_the_expected_shape(layer, shape, message):
    with pytest.raises(ValueError, match=message):
        layer.forward(np.zeros(shape, np.float32))


@pytest.mark.parametrize("layer", [Conv2d(1, 2, 5), Conv2d(1, 2, (2, 7), padding=(0, 1)), MaxPool2d(4),
                                   AvgPool2d((3, 5))])
def test_image_smaller_than_kernel_is_a_clear_error(layer):
    with pytest.raises(ValueError, match=r"smaller than the kernel \d+x\d+"):
        layer.forward(np.zeros((1, 1, 3, 4), np.float32))


def test_wrong_gradient_shape_is_an_error():
    layer = Conv2d(2, 3, 3)
    y = layer.forward(np.zeros((2, 2, 5, 5), np.float32))
    with pytest.raises(ValueError, match=r"Conv2d\.backward expects .*\(2, 3, 3, 3\)"):
        layer.backward(np.zeros((2, 3, 5, 5), np.float32))
    pool = MaxPool2d(2)
    pool.forward(y)
    with pytest.raises(ValueError, match=r"MaxPool2d\.backward expects .*\(2, 3, 1, 1\)"):
        pool.backward(np.zeros((2, 3, 3, 3), np.float32))


@pytest.mark.parametrize("make", [lambda: Conv2d(1, 1, 0), lambda: Conv2d(1, 1, 3, stride=0),
                                  lambda: Conv2d(1, 1, 3, padding=-1), lambda: Conv2d(1, 1, (3, 3, 3)),
                                  lambda: MaxPool2d(2, padding=2), lambda: AvgPool2d(3, padding=(0, 2))])
def test_bad_hyperparameters_are_errors(make):
    with pytest.raises(ValueError):
        make()
