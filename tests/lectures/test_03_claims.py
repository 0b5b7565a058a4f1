"""Lecture 03's general claims, checked on other seeds and starting points than the notebook's.

The experiments are the notebook's own code: the code cells tagged "setup" (imports and the
functions that define each experiment) are executed, then those functions are called with
other seeds. Nothing is copied from the notebook, so notebook and test cannot drift apart.
"""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from notebook_setup import setup_namespace  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parents[2] / "lectures" / "03_optimizers.ipynb"
SEEDS = [1, 2, 3]


@pytest.fixture(scope="module")
def nb():
    return setup_namespace(NOTEBOOK)


@pytest.mark.parametrize("seed", SEEDS)
def test_momentum_crosses_the_ravine_faster_and_nesterov_zigzags_less(nb, seed):
    rng = np.random.default_rng(seed)
    # a start on the ellipse Q = Q(-4.5, 0.5), away from the floor's axis, so that there is a ravine to walk along
    angle = rng.uniform(0.1, 0.4) * np.pi * rng.choice([-1, 1]) + rng.choice([0, np.pi])
    start = np.array([4.5 * np.cos(angle), 0.45 * np.sin(angle)])
    _, reached, zigzag = nb["ravine_run"](start)
    assert reached["Momentum"] < reached["SGD"] / 2 and reached["Nesterov"] < reached["Momentum"], reached
    assert zigzag["Nesterov"] < zigzag["Momentum"], zigzag


@pytest.mark.parametrize("seed", SEEDS)
def test_adaptive_methods_pass_the_saddle_that_sgd_and_momentum_linger_at(nb, seed):
    rng = np.random.default_rng(seed)
    start = (1.5, rng.choice([-1, 1]) * 10 ** rng.uniform(-4, -2))
    tuned = nb["tuned_paths"]("saddle", start=start)
    near = {name: nb["steps_near"](path, (0, 0)) for name, (_, path) in tuned.items()}
    adaptive = max(near[name] for name in nb["adaptive"])
    assert near["SGD"] > adaptive and min(near["Momentum"], near["Nesterov"]) > adaptive, (start, near)


@pytest.fixture(scope="module")
def digits_choice(nb):
    """The learning rates the notebook chooses (its sweep at seed 0)."""
    return nb["tune_on_digits"](list(nb["optimizers"]), seed=0)[1]


@pytest.mark.parametrize("seed", SEEDS)
def test_tuned_methods_beat_sgd_on_the_digits_and_adadelta_is_slowest(nb, digits_choice, seed):
    runs, reach = nb["digits_race"](digits_choice, seed=seed)
    sgd_steps = 30 * nb["steps_per_epoch"]
    assert reach["SGD"] == sgd_steps
    for name in ["Momentum", "Nesterov", "RMSProp", "Adam", "Nadam"]:
        assert reach[name] is not None and reach[name] < sgd_steps, (name, reach)
    final = {name: history.loss[-1] for name, (_, history) in runs.items()}
    assert max(final, key=final.get) == "AdaDelta", final


@pytest.mark.parametrize("seed", SEEDS)
def test_clipping_bounds_every_step_and_still_descends(nb, seed):
    rng = np.random.default_rng(seed)
    start = (rng.uniform(0.3, 0.7), rng.uniform(0.0, 0.4))
    lr, theta = 3e-3, 1.0
    plain, clipped = nb["clipping_run"](start, lr, theta)
    steps = np.linalg.norm(np.diff(clipped, axis=0), axis=1)
    assert steps.max() <= lr * theta * (1 + 1e-9), steps.max()
    losses = np.array([nb["recurrence_loss"](w) for w in clipped])
    assert np.isfinite(losses).all() and losses[-1] < 1e-2 * losses[0], (start, losses[0], losses[-1])
