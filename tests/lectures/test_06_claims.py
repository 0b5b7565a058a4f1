"""Lecture 06's general claims, checked on other seeds than the notebook's, and its diagrams.

The experiments are the notebook's own code: the code cells tagged "setup" (imports, the data,
and the functions that define each experiment) are executed, then those functions are called
with other seeds. Nothing is copied from the notebook, so notebook and test cannot drift apart.
"""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from notebook_setup import setup_namespace  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parents[2] / "lectures" / "06_cnn.ipynb"
SEEDS = [3, 4, 5]          # the notebook uses 0, 1 and 2


@pytest.fixture(scope="module")
def nb():
    return setup_namespace(NOTEBOOK)


@pytest.fixture(scope="module")
def augmentation(nb):
    """{seed: {"original": (test accuracy, shifted test accuracy), "with shifted copies": (...)}}."""
    return {seed: nb["augmentation_experiment"](seed) for seed in SEEDS}


def test_cnn_is_ahead_of_the_mlp_of_the_same_size_on_average(nb):
    # the prose: "ahead on average, by little"; each CNN run reaches the notebook's bar of 97%
    final = {name: [nb["train_digits"](nb[make], seed)[1].val_acc[-1] for seed in SEEDS]
             for name, make in [("CNN", "make_cnn"), ("MLP", "make_mlp")]}
    assert np.mean(final["CNN"]) > np.mean(final["MLP"]), final
    assert min(final["CNN"]) >= 0.97, final


@pytest.mark.parametrize("seed", SEEDS)
def test_shifted_copies_make_the_cnn_far_better_on_shifted_digits(augmentation, seed):
    original, augmented = augmentation[seed]["original"], augmentation[seed]["with shifted copies"]
    assert augmented[1] - original[1] > 0.1, augmentation[seed]
    assert original[1] < original[0], f"a one-pixel shift should hurt the network trained without copies: {original}"


def test_shifted_copies_help_on_the_original_test_digits_on_average(augmentation):
    gains = [a["with shifted copies"][0] - a["original"][0] for a in augmentation.values()]
    assert np.mean(gains) > 0, gains


def test_shifted_copies_are_the_digits_moved_by_one_pixel(nb):
    images = np.arange(2 * 16, dtype=float).reshape(2, 1, 4, 4) + 1
    right = nb["shifted"](images, 0, 1)
    assert (right[..., :, 0] == 0).all() and np.array_equal(right[..., :, 1:], images[..., :, :-1])
    up = nb["shifted"](images, -1, 0)
    assert (up[..., -1, :] == 0).all() and np.array_equal(up[..., :-1, :], images[..., 1:, :])
    both, labels = nb["with_shifted_copies"](images, np.array([3, 7]))
    assert both.shape == (10, 1, 4, 4) and labels.tolist() == [3, 7] * 5
    assert np.array_equal(both[:2], images)


def test_cnn_layout_draws_the_stages_with_their_symbols(nb):
    plots = nb["plots"]
    texts = lambda fig: " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    fig = plots.cnn_layout([("input", (1, 8, 8)), ("conv", (16, 8, 8), "3×3, P = 1"), ("pool", (16, 4, 4)),
                            ("flatten", (256,)), ("fc", (32,)), ("output", (10,))])
    for symbol in ["$x$", "$x * w$", "$F$", "$\\hat y$", "16×8×8", "16×4×4", "256", "3×3, P = 1"]:
        assert symbol in texts(fig), symbol
    with pytest.raises(ValueError, match="kind"):
        plots.cnn_layout([("convolution", (1, 8, 8))])
    with pytest.raises(ValueError, match="shape"):
        plots.cnn_layout([("conv", (16, 8))])
    plt.close("all")
