"""Lecture 05's general claims, checked on other seeds than the notebook's.

The experiments are the notebook's own code: the code cells tagged "setup" (imports, data and the
functions that define each experiment) are executed, then those functions are called with other
seeds. Nothing is copied from the notebook, so notebook and test cannot drift apart.

The notebook runs its experiments with seed 0 and repeats the deletion study and the loop to 60%
with seeds 1-3 (its prose reports how much they vary); the tests use seeds 4-6. They check what
the prose states as general: OBD beats magnitude and random deletion; its prediction is within a
factor of 2 at 20% and 40% deleted (at 10%, where the prose says it varies, only within a factor
of 4); the loop to 60% costs at most 1.5 points of test accuracy; and gradual pruning to 80% ends
with a higher test accuracy than the same architecture trained from the start.
"""
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parents[2] / "lectures" / "05_optimal_brain_damage.ipynb"
SEEDS = [4, 5, 6]


def setup_namespace(path):
    """Execute the notebook's code cells tagged "setup" and return their namespace."""
    os.environ.setdefault("NNLAB_QUIET", "1")
    namespace = {"__name__": "notebook_setup"}
    cells = [c for c in nbformat.read(path, as_version=4).cells
             if c.cell_type == "code" and "setup" in c.metadata.get("tags", [])]
    assert cells, f"{path.name} has no code cells tagged 'setup'"
    for cell in cells:
        exec(compile(cell.source, f"{path.name}:{cell.get('id')}", "exec"), namespace)
    plt.close("all")
    return namespace


@pytest.fixture(scope="module")
def nb():
    return setup_namespace(NOTEBOOK)


@pytest.mark.parametrize("seed", SEEDS)
def test_obd_chooses_better_than_magnitude_and_predicts_the_damage(nb, seed):
    net = nb["train_to_minimum"](seed)
    study = nb["deletion_study"](net, [0.1, 0.2, 0.4])
    obd, magnitude, random_ = study["OBD"], study["magnitude"], study["random"]
    assert np.all(obd < magnitude), f"increase of Q at 10/20/40%: OBD {obd}, magnitude {magnitude}"
    assert np.all(magnitude[1:] <= random_[1:]), f"at 20/40%: magnitude {magnitude[1:]}, random {random_[1:]}"
    ratio = nb["actual_over_predicted"](obd, study["predicted"])
    assert np.all((ratio[1:] >= 0.5) & (ratio[1:] <= 2)), f"actual/predicted at 20% and 40%: {ratio[1:]}"
    assert 0.25 <= ratio[0] <= 4, f"actual/predicted at 10%: {ratio[0]}"


@pytest.mark.parametrize("seed", SEEDS)
def test_gradual_pruning_keeps_accuracy_and_beats_the_network_pruned_from_the_start(nb, seed):
    net = nb["train_to_minimum"](seed)
    unpruned = nb["accuracy"](net, nb["X_test"], nb["y_test"])
    rounds = nb["ROUNDS"][:8]                                   # to 80% deleted
    records = nb["gradual_pruning"](net, rounds)
    at_60 = next(r for r in records if round(r["fraction"], 1) == 0.6)
    assert abs(at_60["test acc"] - unpruned) <= 0.015, (at_60["test acc"], unpruned)
    from_start = nb["train_pruned_from_start"](records[-1]["masks"], rounds_done=len(rounds), seed=seed)
    start_acc = nb["accuracy"](from_start, nb["X_test"], nb["y_test"])
    assert records[-1]["test acc"] > start_acc, f"gradual {records[-1]['test acc']:.1%}, from the start {start_acc:.1%}"
    # the same architecture: the network trained from the start has exactly the deleted connections at zero
    deleted = sum(int(np.sum(mask == 0)) for mask in records[-1]["masks"].values())
    zeros = sum(int(np.sum(p.data == 0)) for name, p in from_start.named_parameters() if name.endswith("weight"))
    assert zeros == deleted
