"""nn.MaxOut: backward against float64 central differences, forward and backward against an
explicit max over k torch Linear layers (torch has no MaxOut), the special cases (one piece is
Linear, ReLU and |z| are MaxOut units), accumulation of gradients and errors for bad input."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlab
from nnlab import nn
from nnlab.gradcheck import check_module
from nnlab.nn.maxout import MaxOut


def well_separated(layer, x, gap=1e-3):
    """True if, for every unit and example, the best piece beats the second by more than gap
    (central differences are only valid away from the kinks where two pieces tie)."""
    z = np.sort(layer.pieces_of(x), axis=1)
    return layer.pieces == 1 or bool(np.all(z[:, -1] - z[:, -2] > gap))


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("batch, n_in, n_out, pieces", [(1, 3, 2, 2), (4, 5, 3, 3), (7, 2, 4, 1), (3, 6, 1, 5)])
def test_backward_equals_central_differences(batch, n_in, n_out, pieces, bias, rng):
    layer = MaxOut(n_in, n_out, pieces, bias=bias, dtype=np.float64, rng=rng)
    x = rng.standard_normal((batch, n_in))
    assert well_separated(layer, x), "drawn input lies at a kink; pick another seed"
    report = check_module(layer, x)
    assert report.ok, str(report)
    assert set(report) == {"x", "weight"} | ({"bias"} if bias else set())


@settings(max_examples=100)
@given(batch=st.integers(1, 5), n_in=st.integers(1, 5), n_out=st.integers(1, 4),
       pieces=st.integers(1, 4), seed=st.integers(0, 2 ** 16))
def test_gradients_equal_central_differences_for_any_shape(batch, n_in, n_out, pieces, seed):
    rng = np.random.default_rng(seed)
    layer = MaxOut(n_in, n_out, pieces, dtype=np.float64, rng=rng)
    x = rng.standard_normal((batch, n_in))
    if not well_separated(layer, x):
        return  # a tie within the step of the differences: the gradient is one-sided there
    report = check_module(layer, x, seed=seed)
    assert report.ok, str(report)


def torch_pieces(layer):
    """The k torch Linear layers whose elementwise max the MaxOut layer computes."""
    pieces = []
    for k in range(layer.pieces):
        linear = torch.nn.Linear(layer.in_features, layer.out_features, bias=layer.bias is not None).double()
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(layer.weight.data[k]))
            if layer.bias is not None:
                linear.bias.copy_(torch.tensor(layer.bias.data[k]))
        pieces.append(linear)
    return pieces


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("pieces", [1, 2, 4])
def test_forward_and_backward_equal_a_max_over_torch_linear_pieces(pieces, bias, rng):
    layer = MaxOut(6, 5, pieces, bias=bias, dtype=np.float64, rng=rng)
    x = rng.standard_normal((8, 6))
    grad_out = rng.standard_normal((8, 5))
    twins = torch_pieces(layer)
    x_t = torch.tensor(x, requires_grad=True)
    y_t = torch.stack([linear(x_t) for linear in twins]).max(dim=0).values   # explicit max over k
    y_t.backward(torch.tensor(grad_out))

    y = layer(x)
    np.testing.assert_allclose(y, y_t.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(layer.backward(grad_out), x_t.grad.numpy(), atol=1e-12)
    for k, linear in enumerate(twins):
        np.testing.assert_allclose(layer.weight.grad[k], linear.weight.grad.numpy(), atol=1e-12)
        if bias:
            np.testing.assert_allclose(layer.bias.grad[k], linear.bias.grad.numpy(), atol=1e-12)


def test_one_piece_is_a_linear_layer(rng):
    layer = MaxOut(4, 3, pieces=1, dtype=np.float64, rng=rng)
    linear = nn.Linear(4, 3, dtype=np.float64).load_state_dict(
        {"weight": layer.weight.data[0], "bias": layer.bias.data[0]})
    x = rng.standard_normal((5, 4))
    np.testing.assert_allclose(layer(x), linear(x), atol=1e-12)


def test_relu_and_absolute_value_are_maxout_units():
    z = np.linspace(-3, 3, 13)[:, None]
    relu = MaxOut(1, 1, pieces=2, dtype=np.float64)
    relu.load_state_dict({"weight": np.array([[[1.0]], [[0.0]]]), "bias": np.zeros((2, 1))})
    np.testing.assert_array_equal(relu(z), np.maximum(z, 0))
    absolute = MaxOut(1, 1, pieces=2, dtype=np.float64)
    absolute.load_state_dict({"weight": np.array([[[1.0]], [[-1.0]]]), "bias": np.zeros((2, 1))})
    np.testing.assert_array_equal(absolute(z), np.abs(z))


def test_gradients_accumulate_and_only_the_winning_piece_gets_one(rng):
    layer = MaxOut(3, 2, pieces=3, dtype=np.float64, rng=rng)
    x = rng.standard_normal((1, 3))
    grad_out = np.ones((1, 2))
    layer(x)
    layer.backward(grad_out)
    first = layer.weight.grad.copy()
    winner = layer.pieces_of(x)[0].argmax(axis=0)                    # (out,)
    for h in range(2):
        for k in range(3):
            expected = x[0] if k == winner[h] else np.zeros(3)
            np.testing.assert_array_equal(first[k, h], expected)
    layer(x)
    layer.backward(grad_out)
    np.testing.assert_allclose(layer.weight.grad, 2 * first)


def test_parameter_shapes_names_and_default_generator():
    nnlab.manual_seed(5)
    a = MaxOut(7, 4, pieces=3)
    nnlab.manual_seed(5)
    b = MaxOut(7, 4, pieces=3)
    assert [(n, p.shape) for n, p in a.named_parameters()] == [("weight", (3, 4, 7)), ("bias", (3, 4))]
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    assert a.weight.data.dtype == np.float32 and np.abs(a.weight.data).max() <= 1 / np.sqrt(7)
    assert "pieces=3" in repr(a)


def test_bad_input_and_bad_pieces_give_clear_errors():
    layer = MaxOut(3, 2)
    with pytest.raises(ValueError, match=r"MaxOut expects input of shape \(batch, 3\), got \(4, 5\)"):
        layer(np.zeros((4, 5)))
    layer(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"MaxOut.backward expects input of shape \(4, 2\)"):
        layer.backward(np.zeros((4, 3)))
    for pieces in [0, 1.5, -2]:
        with pytest.raises(ValueError, match="whole number of pieces"):
            MaxOut(3, 2, pieces=pieces)
