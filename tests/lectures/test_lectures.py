"""Every lecture runs top to bottom with its self-check solutions filled in, and every check passes.

A lecture's coding task is a stub cell (its body raises NotImplementedError) followed, in a
later markdown cell, by `<details><summary>Solution</summary>` with one ```python block. Here
each stub is replaced by its solution and the notebook is executed with
NNLAB_STRICT_EXERCISES=1, so `nnlab.testing.exercise` raises when a check fails: a solution
that does not pass its own check fails this test. The notebooks as committed (stubs in place)
are executed by `make course`.
"""
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
LECTURES = sorted((ROOT / "lectures").glob("*.ipynb"))
SOLUTION = re.compile(r"<details>\s*<summary>\s*Solution.*?</summary>.*?```python\n(.*?)```", re.S | re.I)


def with_solutions(nb):
    """The notebook with each exercise stub replaced by the solution that follows it; the count."""
    filled, stub = 0, None
    for cell in nb.cells:
        if cell.cell_type == "code" and "raise NotImplementedError" in cell.source:
            stub = cell
        elif cell.cell_type == "markdown" and stub is not None:
            match = SOLUTION.search(cell.source)
            if match:
                stub.source, stub, filled = match.group(1), None, filled + 1
    return nb, filled


@pytest.mark.parametrize("path", LECTURES, ids=[p.stem for p in LECTURES])
def test_lecture_runs_with_its_solutions(path, monkeypatch):
    monkeypatch.setenv("NNLAB_STRICT_EXERCISES", "1")
    monkeypatch.setenv("NNLAB_QUIET", "1")
    nb, _ = with_solutions(nbformat.read(path, as_version=4))
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()


def test_stubs_have_solutions():
    for path in LECTURES:
        nb = nbformat.read(path, as_version=4)
        stubs = sum(c.cell_type == "code" and "raise NotImplementedError" in c.source for c in nb.cells)
        _, filled = with_solutions(nb)
        assert filled == stubs, f"{path.name}: {stubs} exercise stubs but {filled} solutions"
