"""Lecture 01's general claims, checked on other seeds than the notebook's, and its diagrams.

The experiments are the notebook's own code: the code cells tagged "setup" (imports and the
functions that define each experiment) are executed, then those functions are called with
other seeds. Nothing is copied from the notebook, so notebook and test cannot drift apart.
"""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from notebook_setup import setup_namespace  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parents[2] / "lectures" / "01_neuron_and_xor.ipynb"
SEEDS = [1, 2, 3]


@pytest.fixture(scope="module")
def nb():
    return setup_namespace(NOTEBOOK)


@pytest.mark.parametrize("seed", SEEDS)
def test_perceptron_learns_separable_gates_and_never_settles_on_xor(nb, seed):
    data = nb["data"]
    for name in ["AND", "OR", "NOT"]:
        X, y = data.truth_table(name)
        neuron, mistakes = nb["perceptron"](X, y, epochs=50, seed=100 + seed)
        assert nb["last_mistake"](mistakes) <= 40, f"{name}: still making mistakes late: {mistakes}"
        assert ((neuron(X)[:, 0] > 0) == y).all(), f"{name}: the perceptron's final weights are wrong"
    X, y = data.truth_table("XOR")
    _, mistakes = nb["perceptron"](X, y, epochs=50, seed=100 + seed)
    assert min(mistakes) > 0, f"XOR: an epoch without mistakes is impossible, got {mistakes}"


@pytest.mark.parametrize("seed", SEEDS)
def test_sigmoid_neuron_on_xor_ends_at_ln2(nb, seed):
    X, _ = nb["data"].truth_table("XOR")
    single, history = nb["train_single_neuron"](seed)
    assert abs(history.loss[-1] - np.log(2)) < 1e-3, history.loss[-1]
    assert np.allclose(single(X)[:, 0], 0.5, atol=0.01)


@pytest.mark.parametrize("seed", SEEDS)
def test_linear_stack_fails_where_tanh_network_learns_xor(nb, seed):
    X, y = nb["data"].truth_table("XOR")
    _, linear_history = nb["train_on_clouds"](nb["linear_stack"], seed)
    net, history = nb["train_on_clouds"](nb["with_tanh"], seed)
    assert linear_history.acc[-1] < 0.8 < history.acc[-1], (linear_history.acc[-1], history.acc[-1])
    assert (net(X).argmax(axis=1) == y).all(), "the tanh network misses a row of the XOR truth table"


@pytest.mark.parametrize("seed", [0, 2, 3])
def test_more_hidden_neurons_approximate_better(nb, seed):
    errors = [nb["approximation_error"](H, seed)[3] for H in [2, 4, 16]]
    assert errors[0] > errors[1] > errors[2], errors


def test_neuron_and_network_diagrams_draw_with_their_symbols(nb):
    plots = nb["plots"]
    texts = lambda fig: " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    fig = plots.neuron_diagram(3)
    assert all(s in texts(fig) for s in ["$w_0$", "$w_{1}$", "$f_{3}(x)$", "$\\sigma$", "$a(x, w)$"])
    fig = plots.two_layer_network(n=2, H=3, M=2, backward=True)
    for symbol in ["$x^{2}$", "$u^{3}$", "$a^{2}$", "$w_{jh}$", "$w_{hm}$", "varepsilon"]:
        assert symbol in texts(fig), symbol
    with pytest.raises(ValueError, match="n, H, M"):
        plots.two_layer_network(n=0)
    plt.close("all")
