"""Lecture 02's general claims, checked on other seeds than the notebook's, and its diagrams.

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

NOTEBOOK = Path(__file__).resolve().parents[2] / "lectures" / "02_backprop.ipynb"
SEEDS = [1, 2, 3]


@pytest.fixture(scope="module")
def nb():
    return setup_namespace(NOTEBOOK)


@pytest.mark.parametrize("seed", SEEDS)
def test_learning_rate_too_small_crawls_and_too_large_saturates(nb, seed):
    etas = [0.001, 0.3, 30.0]
    sweep = nb["learning_rate_sweep"](etas, seed=seed)
    final = {eta: losses[-1] for eta, (losses, _) in sweep.items()}
    best = min(final, key=final.get)
    assert etas[0] < best < etas[-1], final
    assert final[etas[0]] > 5 * final[best] and final[etas[-1]] > 5 * final[best], final
    assert sweep[etas[-1]][1] > 0.9, f"η = 30 should leave the output sigmoids flat, got {sweep[etas[-1]][1]:.0%}"


@pytest.mark.parametrize("seed", SEEDS)
def test_large_initial_weights_paralyse_the_network(nb, seed):
    flat_1, Q_1, _, acc_1 = nb["init_experiment"](1, seed=seed)
    flat_10, Q_10, _, acc_10 = nb["init_experiment"](10, seed=seed)
    assert flat_10 > 0.2 and flat_10 > 10 * flat_1, (flat_1, flat_10)
    assert Q_10[-1] > Q_1[-1] and acc_10 < acc_1, (Q_1, Q_10, acc_1, acc_10)


@pytest.mark.parametrize("seed", SEEDS)
def test_sorted_order_fools_the_running_estimate_and_favours_the_last_class(nb, seed):
    trace_sorted, Q_sorted, predicted = nb["order_experiment"](True, seed=seed)
    _, Q_shuffled, _ = nb["order_experiment"](False, seed=seed)
    assert Q_sorted[-1] > 5 * Q_shuffled[-1], (Q_sorted, Q_shuffled)
    assert trace_sorted[-1] < 0.5 * Q_sorted[-1], (trace_sorted[-1], Q_sorted[-1])
    answers = np.bincount(predicted, minlength=nb["M"])
    assert answers.argmax() == nb["M"] - 1, answers


@pytest.mark.parametrize("seed", SEEDS)
def test_small_chunks_make_more_progress_per_pass(nb, seed):
    size_all = len(nb["X_train"])
    chunks = nb["chunking_experiment"]([1, 10, 100, size_all], [1.0, 3.0, 10.0], seed=seed)
    Q = {size: per_epoch[-1] for size, (_, per_epoch, _) in chunks.items()}
    assert Q[10] < Q[100] < Q[size_all] and Q[1] < Q[100], Q


def test_chunk_gradient_is_the_sum_of_single_gradients(nb, rng):
    W_jh, W_hm = nb["init_weights"](7, seed=11)
    rows = rng.choice(len(nb["X_train"]), 13, replace=False)
    X, Y = nb["X_train"][rows], nb["Y_train"][rows]
    total = nb["chunk_gradient"](W_jh, W_hm, X, Y)
    singles = [nb["forward_backward"](W_jh, W_hm, x, y) for x, y in zip(X, Y)]
    for k in range(3):
        assert np.allclose(total[k], sum(s[k] for s in singles))


@pytest.mark.parametrize("seed", SEEDS)
def test_diagonal_lm_fixes_an_axis_ravine_only(nb, seed):
    rng = np.random.default_rng(seed)
    ravine = np.diag([1.0, rng.uniform(10, 40)])
    turn = np.array([[1, -1], [1, 1]]) / np.sqrt(2)
    angle = rng.uniform(0, 2 * np.pi)
    start = 4 * np.array([np.cos(angle), np.sin(angle)])
    path, steps_to = nb["quadratic_path"], nb["steps_to"]
    eta = 1.8 / ravine[1, 1]
    for A, start_point in [(ravine, start), (turn @ ravine @ turn.T, turn @ start)]:
        gd = steps_to(path(A, start_point, eta, 400), A)
        lm = steps_to(path(A, start_point, 0.5, 400, mu=0.1), A)
        if A is ravine:
            assert lm < gd / 2, (gd, lm)
        else:
            assert lm is None or lm >= gd, (gd, lm)


@pytest.mark.parametrize("seed", SEEDS)
def test_curvature_by_hand_is_the_gauss_newton_diagonal_of_nnlab(nb, seed):
    W_jh, W_hm = nb["init_weights"](5, seed=seed, scale=2.0)
    X, Y = nb["X_train"][:50], nb["Y_train"][:50]
    h_jh, h_hm = nb["curvature"](W_jh, W_hm, X)
    library = nb["prune"].hessian_diagonal(nb["nnlab_twin"](W_jh, W_hm), nb["nn"].MSELoss(reduction="sum"), X, Y,
                                           method="gauss-newton")
    assert np.allclose(h_jh, np.r_[library["0.bias"][None], library["0.weight"].T] / (2 * len(X)), rtol=1e-10)
    assert np.allclose(h_hm, np.r_[library["2.bias"][None], library["2.weight"].T] / (2 * len(X)), rtol=1e-10)


def test_large_shakes_free_stuck_runs_where_small_ones_do_not(nb):
    """Pooled over three other sets of 40 starts: s = 3 frees stuck XOR runs, and more of them than s = 1."""
    freed = {1.0: 0, 3.0: 0}
    stuck_runs = 0
    for k in SEEDS:
        stuck = nb["jogging_experiment"](range(40 * k, 40 * k + 40))
        stuck_runs += len(stuck)
        for noise in freed:
            freed[noise] += sum(after[noise][-1] < 0.05 for _, after in stuck.values())
    assert stuck_runs >= 3, "too few stuck runs to say anything about jogging"
    assert freed[3.0] >= len(SEEDS) and freed[3.0] > freed[1.0], (stuck_runs, freed)


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_growing_keeps_what_was_learned_and_costs_more_steps(nb, seed):
    W_jh, W_hm = nb["init_weights"](4, seed=seed)
    bigger_jh, bigger_hm = nb["add_neuron"](W_jh, W_hm, seed=seed + 100)
    X = nb["X_train"]
    assert np.abs(nb["predict"](W_jh, W_hm, X) - nb["predict"](bigger_jh, bigger_hm, X)).max() < 1e-14
    result = nb["growth_experiment"](seed)
    W_jh, W_hm, trace, added_at = result["grown"]
    assert W_jh.shape[1] == 8 and len(added_at) == 6
    assert nb["mean_loss"](*result["fixed"][:2]) <= nb["mean_loss"](W_jh, W_hm)
    assert result["ratio"] > 1, result["ratio"]


def test_descent_pictures_draw_and_refuse_bad_input(nb):
    plots = nb["plots"]
    paths = {0.5: 2.0 * 0.5 ** np.arange(6), 2.1: 2.0 * (-1.1) ** np.arange(6)}
    fig = plots.parabola_descent(paths, 1.0, titles={0.5: "too small"})
    titles = [ax.get_title() for ax in fig.axes]
    assert len(titles) == 2 and "too small" in titles[0] and "2.1" in titles[1], titles
    with pytest.raises(ValueError, match="at least one path"):
        plots.parabola_descent({}, 1.0)
    with pytest.raises(ValueError, match="2 paths but 1 axes"):
        plots.parabola_descent(paths, 1.0, axes=[fig.axes[0]])
    A = np.diag([1.0, 20.0])
    fig = plots.quadratic_descent(A, {"gd": nb["quadratic_path"](A, (-4, 1), 0.09, 20)}, box=((-5, 5), (-2, 2)))
    assert fig.axes[0].get_legend().get_texts()[0].get_text() == "gd"
    with pytest.raises(ValueError, match=r"\(2, 2\) matrix"):
        plots.quadratic_descent(np.eye(3), {"gd": np.zeros((2, 2))}, box=((-1, 1), (-1, 1)))
    plt.close("all")
