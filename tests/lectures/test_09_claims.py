"""Lecture 09's general claims, checked on other seeds than the notebook's, and the notebook without PyTorch.

The experiments are the notebook's own code: the code cells tagged "setup" (imports, the names and
their split, the baselines, the model, `train_classifier` and `gradient_norms`) are executed, then
those functions are called with other seeds. Nothing is copied from the notebook, so notebook and
test cannot drift apart.

Claims (with the notebook's section):
- 6, Summary: the GRU classifier beats the majority baseline by at least 5 points of accuracy and the
  last-letter rule in accuracy, with a balanced accuracy of at least 70%;
- 9.1: neither form of the GRU is better: trained from scratch with the same settings, the course's
  form (reset_after=False) and PyTorch's reach test accuracies less than 2 points apart;
- 11: at initialisation a 20-layer stack passes less than 1e-3 of the last layer's gradient norm to
  the first with the sigmoid, tanh or ReLU under nn.Linear's default initialisation, and between 0.1
  and 10 times with ReLU under He initialisation.
PyTorch is optional: with `import torch` failing the whole notebook still runs, and each PyTorch
cell prints the notebook's note instead of failing.
"""
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import nbformat  # noqa: E402
import pytest  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from notebook_setup import setup_namespace  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parents[2] / "lectures" / "09_practice.ipynb"
SEEDS = [1, 2, 3]


@pytest.fixture(scope="module")
def nb():
    return setup_namespace(NOTEBOOK)


@pytest.mark.parametrize("seed", SEEDS)
def test_gru_beats_the_baselines_and_both_forms_do_about_as_well(nb, seed):
    scores, X_test, y_test = nb["scores"], nb["X_test"], nb["y_test"]
    majority_acc = scores(y_test, nb["baselines"]["majority class"])[0]
    letter_acc = scores(y_test, nb["baselines"]["last letter"])[0]
    accuracy = {}
    for reset_after in (True, False):
        model, _, _ = nb["train_classifier"](seed, reset_after=reset_after, validate=False)
        accuracy[reset_after], balanced = scores(y_test, model(X_test).argmax(axis=1))
        form = "PyTorch's form" if reset_after else "the course's form"
        print(f"seed {seed}, {form}: test accuracy {accuracy[reset_after]:.1%}, balanced {balanced:.1%}")
        if reset_after:
            assert accuracy[True] >= majority_acc + 0.05 and accuracy[True] > letter_acc and balanced >= 0.70, \
                (f"seed {seed}: accuracy {accuracy[True]:.1%}, balanced {balanced:.1%}; majority {majority_acc:.1%}, "
                 f"last letter {letter_acc:.1%}")
    assert abs(accuracy[True] - accuracy[False]) < 0.02, f"seed {seed}: {accuracy}"


@pytest.mark.parametrize("seed", SEEDS)
def test_relu_with_he_initialisation_keeps_the_gradient_through_depth(nb, seed):
    shrink = {}
    for activation in nb["ACTIVATIONS"]:
        norms = nb["gradient_norms"](activation, seed=seed)
        assert norms.shape == (20,)
        shrink[activation] = norms[0] / norms[-1]
    print(f"seed {seed}: " + ", ".join(f"{a} {r:.1e}" for a, r in shrink.items()))
    assert max(shrink["sigmoid"], shrink["tanh"], shrink["ReLU"]) < 1e-3, shrink
    assert 0.1 < shrink["ReLU, He initialisation"] < 10, shrink


def test_notebook_runs_without_pytorch(nb, tmp_path, monkeypatch):
    # A package named torch that fails to import, ahead of the real one on the kernel's path.
    fake = tmp_path / "hide_torch" / "torch"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text('raise ImportError("PyTorch is hidden for this test")\n')
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(fake.parent), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("NNLAB_QUIET", "1")
    monkeypatch.delenv("NNLAB_STRICT_EXERCISES", raising=False)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()   # raises on any error
    code = [c for c in notebook.cells if c.cell_type == "code"]
    printed = ["".join(o.get("text", "") for o in c.outputs if o.get("output_type") == "stream") for c in code]
    assert "is not installed" in printed[0], printed[0]
    skipping = [text for c, text in zip(code, printed) if "print(WITHOUT_TORCH)" in c.source]
    assert len(skipping) >= 4, "expected the PyTorch cells of sections 7, 8, 9.2 and 9.3 to check for PyTorch"
    for text in skipping:
        assert nb["WITHOUT_TORCH"] in text, f"a PyTorch cell did not print the note: {text!r}"
