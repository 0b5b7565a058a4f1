"""Lecture 07's general claims, checked on other seeds than the notebook's, and its diagrams.

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

NOTEBOOK = Path(__file__).resolve().parents[2] / "lectures" / "07_rnn_bptt.ipynb"
SEEDS = [3, 4, 5]          # the notebook uses 0, 1 and 2


@pytest.fixture(scope="module")
def nb():
    return setup_namespace(NOTEBOOK)


@pytest.mark.parametrize("seed", SEEDS)
def test_bidirectional_tagger_beats_unidirectional_ones_on_teddy(nb, seed):
    _, _, uni_all, uni_teddy = nb["tagging_experiment"](seed)
    _, _, deep_all, deep_teddy = nb["tagging_experiment"](seed, num_layers=2)
    _, _, bi_all, bi_teddy = nb["tagging_experiment"](seed, bidirectional=True)
    assert bi_teddy > 0.95 and bi_all > uni_all, (bi_all, bi_teddy, uni_all, uni_teddy)
    # without the next word "teddy" is a coin toss, with one layer or two
    assert max(uni_teddy, deep_teddy) < 0.7 and abs(deep_teddy - uni_teddy) < 0.1, (uni_teddy, deep_teddy)


@pytest.mark.parametrize("seed", SEEDS)
def test_truncated_bptt_learns_the_echo_only_with_chunks_longer_than_it(nb, seed):
    final = {chunk: nb["train_in_chunks"](chunk, seed)[-10:].mean() for chunk in [4, 6, 20]}
    assert final[4] > 0.8, final
    assert final[6] < 0.05 and final[20] < 0.05, final


@pytest.mark.parametrize("seed", SEEDS)
def test_tanh_learns_the_long_range_task_sigmoid_does_not_relu_is_slower(nb, seed):
    runs = {name: nb["activation_run"](name, seed) for name in ["tanh", "relu", "sigmoid"]}
    steps = {name: nb["learned_after"](run[0]) for name, run in runs.items()}
    assert steps["tanh"] is not None and runs["tanh"][2] > 0.95, steps
    assert steps["sigmoid"] is None and runs["sigmoid"][2] < 0.6, (steps, runs["sigmoid"][2])
    assert steps["relu"] is None or steps["relu"] > steps["tanh"], steps


@pytest.mark.parametrize("seed", SEEDS)
def test_clipping_rescues_the_exploding_runs(nb, seed):
    _, _, unclipped = nb["clipping_run"](None, seed)
    losses, norms, clipped = nb["clipping_run"](1.0, seed)
    assert clipped > 0.95 and unclipped < 0.7, (clipped, unclipped)
    assert nb["learned_after"](losses) is not None
    assert norms[:20].max() > 10, "the run should start with exploding gradients"


@pytest.mark.parametrize("seed", SEEDS)
def test_gradient_reach_vanishes_or_explodes_as_the_prose_says(nb, seed):
    reach = nb["gradient_reach"]
    t = np.arange(60)
    for rho in [0.9, 1.1]:           # tanh at zero inputs: exactly rho^(T - t)
        assert np.allclose(reach(rho, "tanh", seed, zero_inputs=True), rho ** (60 - t))
    assert reach(1.1, "tanh", seed)[0] < 1e-3 and reach(1.5, "tanh", seed)[0] < 1
    assert reach(1.5, "sigmoid", seed)[0] < 1e-20
    assert reach(1.1, "relu", seed)[0] < 1e-2


def test_rnn_diagrams_draw_with_their_symbols_and_applications(nb):
    plots = nb["plots"]
    texts = lambda fig: " ".join(t.get_text() for ax in fig.axes for t in ax.texts + [ax.title])
    fig = plots.rnn_setups()
    for text in ["one to one", "one to many", "many to one", "many to many, unaligned", "many to many, aligned",
                 "image captioning", "sentiment analysis", "machine translation", "dialogue system",
                 "sequence tagging", "$x^{1}$", "$h^{5}$", "$y^{4}$", "$W$", "$U$", "$V$"]:
        assert text in texts(fig), text
    fig = plots.rnn_unrolled(["a", "cat"], states=[np.array([0.5, -0.25])] * 2, outputs=[1, 2])
    for text in ["$x^t$", "$h^t$", "$h^0 = 0$", "$x^{2}$: cat", "+0.500", "$y^{1}$", "$y^{2}$"]:
        assert text in texts(fig), text
    fig = plots.rnn_stacked(T=3, layers=2)
    for text in ["$h_{1}^{3}$", "$h_{2}^{1}$", "$W_{2}$", "$U_{1}$"]:
        assert text in texts(fig), text
    fig = plots.rnn_bidirectional(["teddy", "roosevelt"], tags=["name", "name"])
    for text in ["$h_L^{1}$", "$h_R^{2}$", "$W_L$", "$U_R$", "teddy", "name"]:
        assert text in texts(fig), text
    with pytest.raises(ValueError, match="unknown setup"):
        plots.rnn_setups(["two to two"])
    with pytest.raises(ValueError, match="output steps"):
        plots.rnn_unrolled(["a"], outputs=[2])
    with pytest.raises(ValueError, match="tags"):
        plots.rnn_bidirectional(["a", "b"], tags=["x"])
    plt.close("all")
