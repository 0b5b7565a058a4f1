"""Lecture 04's general claims, checked on other seeds than the notebook's, and its diagrams.

The experiments are the notebook's own code: the code cells tagged "setup" (imports, data and the
functions that define each experiment) are executed, then those functions are called with other
seeds. Nothing is copied from the notebook, so notebook and test cannot drift apart.

The notebook runs its experiments with seed 0 and, for "dropout helps", also with seeds 1-3 (its
prose reports how much the gain varies over those); the tests use seeds 1-3, and 4-6 for dropout.
"""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from notebook_setup import setup_namespace  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parents[2] / "lectures" / "04_activations_regularization.ipynb"
SEEDS = [1, 2, 3]
DROPOUT_SEEDS = [4, 5, 6]


@pytest.fixture(scope="module")
def nb():
    return setup_namespace(NOTEBOOK)


@pytest.mark.parametrize("seed", SEEDS)
def test_large_weights_paralyse_a_shallow_sigmoid_network(nb, seed):
    small, large = nb["paralysis_run"](1, seed), nb["paralysis_run"](30, seed)
    assert small["saturated before"] < 0.05, small["saturated before"]
    assert large["saturated before"] > 0.5 and large["saturated after"] > 0.5, \
        (large["saturated before"], large["saturated after"])
    assert large["mean derivative after"] < small["mean derivative after"]
    assert large["history"].acc[-1] < small["history"].acc[-1], (large["history"].acc[-1], small["history"].acc[-1])


@pytest.mark.parametrize("seed", SEEDS)
def test_gradient_vanishes_in_a_deep_sigmoid_network_without_saturation(nb, seed):
    X, y = nb["X_batch"], nb["y_batch"]
    net = nb["deep_net"](nb["nn"].Sigmoid, seed=seed)
    norms = nb["layer_gradient_norms"](net, X, y)
    assert norms[0] / norms[-1] < 1e-4, norms
    saturated = [np.mean(layer.derivative(layer.z) < nb["SATURATED"]) for layer in net
                 if isinstance(layer, nb["nn"].Sigmoid)]
    assert max(saturated) < 0.01, saturated
    activations = nb["activations"]
    for name in ["tanh", "ReLU", "PReLU"]:
        unit, gain = activations[name]
        norms = nb["layer_gradient_norms"](nb["deep_net"](unit, gain, seed=seed), X, y)
        assert 0.1 < norms[0] / norms[-1] < 10, (name, norms)
    norms = nb["layer_gradient_norms"](nb["deep_net"](nb["MaxOut"], gain=1, seed=seed), X, y)
    assert 0.1 < norms[0] / norms[-1] < 10, ("MaxOut", norms)


@pytest.mark.parametrize("seed", SEEDS)
def test_deep_sigmoid_network_stays_at_chance_where_tanh_relu_and_maxout_learn(nb, seed):
    nn, train_deep = nb["nn"], nb["train_deep"]
    assert train_deep(nn.Sigmoid, 1, seed)[-1] < 0.2
    for name, unit, gain in [("tanh", nn.Tanh, 1), ("ReLU", nn.ReLU, 2), ("MaxOut", nb["MaxOut"], 1)]:
        accuracy = train_deep(unit, gain, seed)[-1]
        assert accuracy > 0.8, f"{name}: test accuracy {accuracy:.1%} after five epochs"


@pytest.mark.parametrize("seed", SEEDS)
def test_l1_makes_weights_sparse_where_l2_only_shrinks_them(nb, seed):
    penalties, negligible = nb["PENALTIES"], nb["NEGLIGIBLE"]
    W1, _ = nb["train_linear_classifier"](*penalties["L1"], seed=seed)
    W2, _ = nb["train_linear_classifier"](*penalties["L2"], seed=seed)
    share1, share2 = np.mean(np.abs(W1) < negligible), np.mean(np.abs(W2) < negligible)
    assert share1 > 0.3 > 0.1 > share2, (share1, share2)
    # the comparison is fair: both penalties shrink the weights to about the same Euclidean norm
    assert abs(np.linalg.norm(W1) / np.linalg.norm(W2) - 1) < 0.2


@pytest.mark.parametrize("seed", DROPOUT_SEEDS)
def test_dropout_gives_higher_test_accuracy_and_a_smaller_gap(nb, seed):
    _, plain = nb["train_mlp"]("plain", seed)
    _, dropout = nb["train_mlp"]("dropout", seed)
    assert dropout.val_acc[-1] > plain.val_acc[-1], (dropout.val_acc[-1], plain.val_acc[-1])
    assert nb["gap"](dropout) < nb["gap"](plain), (nb["gap"](dropout), nb["gap"](plain))


def test_dropout_and_maxout_diagrams_draw_with_their_symbols(nb):
    plots = nb["plots"]
    texts = lambda fig: " ".join(t.get_text() for ax in fig.axes for t in ax.texts + [ax.title])
    masks = [[np.array([1, 0, 1]), np.array([0, 1, 1, 1])], [np.ones(3), np.array([1, 1, 0, 0])]]
    fig = plots.dropout_networks((3, 4, 2), masks, probabilities=(0.2, 0.5))
    assert len(fig.axes) == 3
    assert "2 neurons off" in texts(fig) and "$p_{1}$ = 0.5" in texts(fig)
    crosses = [line for line in fig.axes[1].lines if line.get_marker() == "x"]
    assert len(crosses) == 2, "the first mask switches off two neurons"
    with pytest.raises(ValueError, match="expected shape"):
        plots.dropout_networks((3, 4, 2), [[np.ones(3), np.ones(5)]])
    with pytest.raises(ValueError, match="one per layer"):
        plots.dropout_networks((3, 4, 2), [[np.ones(3)]])
    fig = plots.maxout_diagram(n=2, pieces=3)
    assert all(s in texts(fig) for s in ["$x^{2}$", "$z_{3}$", "max", "$u = \\max_{k} z_k$"])
    fig = plots.maxout_unit([1, 0], [0, 0])
    envelope = fig.axes[0].lines[2].get_ydata()
    assert np.allclose(envelope, np.maximum(np.linspace(-3, 3, 301), 0)), "ReLU as max(z, 0)"
    with pytest.raises(ValueError, match="as many slopes as intercepts"):
        plots.maxout_unit([1, 2], [0])
    plt.close("all")
