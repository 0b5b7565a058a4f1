"""Every layer of nn/linear.py, activations.py and dropout.py: backward against float64
central differences (for Linear also as a property over drawn shapes), forward and backward
against the torch twin, dtypes, bad shapes, and Dropout's masks under manual_seed."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch_twin import assert_same_as_torch

import nnlab
from nnlab import Sequential, nn
from nnlab.gradcheck import check_module

SHAPES = [(1, 3), (4, 5), (7, 2)]  # batch 1 included

LAYERS = {
    "Linear": (lambda d: nn.Linear(d, 3), lambda d: torch.nn.Linear(d, 3)),
    "Linear-nobias": (lambda d: nn.Linear(d, 4, bias=False), lambda d: torch.nn.Linear(d, 4, bias=False)),
    "Sigmoid": (lambda d: nn.Sigmoid(), lambda d: torch.nn.Sigmoid()),
    "Tanh": (lambda d: nn.Tanh(), lambda d: torch.nn.Tanh()),
    "ReLU": (lambda d: nn.ReLU(), lambda d: torch.nn.ReLU()),
    "LeakyReLU": (lambda d: nn.LeakyReLU(0.1), lambda d: torch.nn.LeakyReLU(0.1)),
    "PReLU": (lambda d: nn.PReLU(), lambda d: torch.nn.PReLU()),
    "PReLU-channels": (lambda d: nn.PReLU(d, init=0.3), lambda d: torch.nn.PReLU(d, init=0.3)),
    "Softplus": (lambda d: nn.Softplus(), lambda d: torch.nn.Softplus()),
    "Softplus-beta": (lambda d: nn.Softplus(beta=2.0, threshold=5.0),
                      lambda d: torch.nn.Softplus(beta=2.0, threshold=5.0)),
    "Softmax": (lambda d: nn.Softmax(dim=-1), lambda d: torch.nn.Softmax(dim=-1)),
}


def random_input(rng, shape):
    # keep away from the kinks of ReLU-like functions, where derivatives are one-sided
    x = rng.standard_normal(shape) * 2
    return np.where(np.abs(x) < 1e-3, 0.5, x)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", LAYERS)
def test_backward_equals_central_differences(name, shape, rng):
    layer = LAYERS[name][0](shape[1])
    report = check_module(layer, random_input(rng, shape))
    assert report.ok, str(report)


@settings(max_examples=200)
@given(batch=st.integers(1, 5), n_in=st.integers(1, 6), n_out=st.integers(1, 5),
       bias=st.booleans(), seed=st.integers(0, 2 ** 16))
def test_linear_gradients_equal_central_differences_for_any_shape(batch, n_in, n_out, bias, seed):
    rng = np.random.default_rng(seed)
    layer = nn.Linear(n_in, n_out, bias=bias, rng=rng)
    report = check_module(layer, rng.standard_normal((batch, n_in)), seed=seed)
    assert report.ok, str(report)
    assert set(report) == {"x", "weight"} | ({"bias"} if bias else set())


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", LAYERS)
def test_forward_and_backward_equal_torch(name, shape, rng):
    ours, theirs = LAYERS[name]
    assert_same_as_torch(ours(shape[1]), theirs(shape[1]), random_input(rng, shape), atol=1e-10)


def test_prelu_on_images_uses_channel_axis(rng):
    twin = torch.nn.PReLU(3)
    with torch.no_grad():
        twin.weight.copy_(torch.tensor([0.1, 0.2, 0.3]))
    x = random_input(rng, (2, 3, 4, 5))
    assert_same_as_torch(nn.PReLU(3), twin, x, atol=1e-12)
    assert check_module(nn.PReLU(3), x).ok


def test_sequential_names_match_torch_and_load(rng):
    twin = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Tanh(), torch.nn.Linear(3, 2))
    model = Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2))
    x = random_input(rng, (5, 4))
    assert_same_as_torch(model, twin, x, atol=1e-12)
    report = check_module(model, x)
    assert report.ok, str(report)


def test_sequential_is_also_in_nn():
    """PyTorch users look for nn.Sequential: the same class as nnlab.Sequential."""
    assert nn.Sequential is nnlab.Sequential is nnlab.module.Sequential
    assert "Sequential" in nn.__all__


def test_backward_accumulates_gradients(rng):
    layer = nn.Linear(3, 2).to(np.float64)
    x, g = random_input(rng, (4, 3)), rng.standard_normal((4, 2))
    layer.forward(x)
    layer.backward(g)
    once = layer.weight.grad.copy()
    layer.forward(x)
    layer.backward(g)
    np.testing.assert_allclose(layer.weight.grad, 2 * once)
    layer.zero_grad()
    assert not layer.weight.grad.any()


@pytest.mark.parametrize("name", LAYERS)
def test_float32_stays_float32(name, rng):
    layer = LAYERS[name][0](4)
    x = random_input(rng, (3, 4)).astype(np.float32)
    y = layer.forward(x)
    assert y.dtype == np.float32
    assert layer.backward(np.ones_like(y)).dtype == np.float32


@pytest.mark.parametrize("name", LAYERS)
def test_float64_input_gives_float64(name, rng):
    layer = LAYERS[name][0](4).to(np.float64)
    y = layer.forward(random_input(rng, (3, 4)))
    assert y.dtype == np.float64


def test_linear_wrong_shape_names_expected_shape():
    layer = nn.Linear(3, 2)
    with pytest.raises(ValueError, match=r"Linear expects input of shape \(batch, 3\), got \(4, 5\)"):
        layer.forward(np.zeros((4, 5)))
    with pytest.raises(ValueError, match=r"\(batch, 3\), got \(3,\)"):
        layer.forward(np.zeros(3))


def test_linear_backward_wrong_shape():
    layer = nn.Linear(3, 2)
    layer.forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"expects input of shape \(4, 2\)"):
        layer.backward(np.zeros((4, 3)))


def test_prelu_wrong_channels():
    with pytest.raises(ValueError, match=r"\(batch, 3, \.\.\.\)"):
        nn.PReLU(3).forward(np.zeros((2, 4)))


def test_load_state_dict_rejects_wrong_shape_and_names():
    layer = nn.Linear(3, 2)
    with pytest.raises(ValueError, match=r"weight: expected shape \(2, 3\)"):
        layer.load_state_dict({"weight": np.zeros((3, 2)), "bias": np.zeros(2)})
    with pytest.raises(KeyError, match="missing keys"):
        layer.load_state_dict({"weight": np.zeros((2, 3))})


# --- dropout ---

@pytest.mark.parametrize("inverted", [True, False])
def test_dropout_keeps_the_expectation(inverted):
    layer = nn.Dropout(0.3, inverted=inverted, rng=np.random.default_rng(0))
    x = np.ones((400, 500))
    train_mean = layer.forward(x).mean()
    eval_mean = layer.eval().forward(x).mean()
    assert abs(train_mean - eval_mean) < 0.01
    assert eval_mean == pytest.approx(1.0 if inverted else 0.7)


def test_dropout_inverted_scales_kept_units():
    layer = nn.Dropout(0.25, rng=np.random.default_rng(0))
    y = layer.forward(np.ones((50, 40)))
    assert set(np.unique(y)) == {0.0, 1 / 0.75}
    assert abs((y == 0).mean() - 0.25) < 0.03


def test_dropout_backward_uses_the_same_mask(rng):
    layer = nn.Dropout(0.5, rng=np.random.default_rng(0))
    x = rng.standard_normal((6, 7))
    y = layer.forward(x)
    g = layer.backward(np.ones_like(x))
    np.testing.assert_allclose(g * x, y)


@pytest.mark.parametrize("inverted", [True, False])
def test_dropout_gradient_by_central_differences(inverted, rng):
    class FixedMask(nn.Dropout):
        """Reseed before each forward so every evaluation draws the same mask."""

        def forward(self, x):
            self.rng = np.random.default_rng(7)
            return super().forward(x)

    assert check_module(FixedMask(0.4, inverted=inverted), random_input(rng, (5, 6))).ok


def test_dropout_masks_follow_manual_seed_called_after_construction():
    """Regression: a Dropout built with rng=None kept the generator it found when built, so
    nnlab.manual_seed called later did not reproduce its masks."""
    layer = nn.Dropout(0.5)
    nnlab.manual_seed(3)
    first = layer.forward(np.ones((20, 30)))
    nnlab.manual_seed(3)
    again = layer.forward(np.ones((20, 30)))
    np.testing.assert_array_equal(first, again)
    nnlab.manual_seed(4)
    assert not np.array_equal(layer.forward(np.ones((20, 30))), first)
    nnlab.manual_seed(3)
    np.testing.assert_array_equal(nn.Dropout(0.5).forward(np.ones((20, 30))), first)


def test_dropout_with_its_own_generator_ignores_manual_seed():
    layer = nn.Dropout(0.5, rng=np.random.default_rng(1))
    nnlab.manual_seed(3)
    first = layer.forward(np.ones((20, 30)))
    nnlab.manual_seed(3)
    assert not np.array_equal(layer.forward(np.ones((20, 30))), first)
    np.testing.assert_array_equal(
        first, nn.Dropout(0.5, rng=np.random.default_rng(1)).forward(np.ones((20, 30))))


def test_dropout_bad_probability():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        nn.Dropout(1.5)


def test_dropout_p_one_drops_everything():
    y = nn.Dropout(1.0).forward(np.ones((3, 3)))
    assert not y.any() and np.isfinite(y).all()
