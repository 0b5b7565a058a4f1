"""What the claims tests (test_NN_claims.py) share: a lecture's experiments, from the lecture.

The code cells of a lecture tagged "setup" (imports, and the functions that define each
experiment) are executed here; a test then calls those functions with other seeds than the
notebook's. Nothing is copied from the notebook, so notebook and test cannot drift apart.
"""
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402

LECTURES = Path(__file__).resolve().parents[2] / "lectures"


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
