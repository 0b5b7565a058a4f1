"""nbgrader plumbing: student releases from the masters, autograding, scores from the gradebook.

The course root is the repository (course/nbgrader_config.py); self-checks and tests use a
throw-away root with the same layout, so the real gradebook is never touched by them.
"""
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def assignment_ids(root=REPO):
    """The assignments: one folder solutions/<id>/ holding <id>.ipynb."""
    return sorted(p.parent.name for p in Path(root, "solutions").glob("*/*.ipynb")
                  if p.stem == p.parent.name)


def find_alembic():
    """nbgrader runs its `alembic` command: it must be found beside this Python (the venv's bin/)."""
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def course_config(root=REPO, db_url=None):
    """The course's nbgrader configuration (course/nbgrader_config.py of this repository),
    with the course root moved to `root`: one configuration for the real course and for the
    throw-away courses of the self-checks (so both autograde with the sandboxed grader)."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO / "course")).load_config()
    root = Path(root)
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.db_url = db_url or f"sqlite:///{root / 'course' / 'gradebook.db'}"
    return config


def nbgrader_api(root, db_url=None):
    """NbGraderAPI for a course rooted at `root` (masters in solutions/, releases in
    assignments/, runtime folders and gradebook under course/)."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    find_alembic()
    c = course_config(root, db_url)
    (Path(root) / "course").mkdir(parents=True, exist_ok=True)
    api = NbGraderAPI(coursedir=CourseDirectory(config=c), config=c)
    api.log.setLevel(logging.ERROR)
    return api


def _check(result, what):
    if not result["success"]:
        raise RuntimeError(f"nbgrader {what} failed:\n{result.get('error') or ''}\n{result.get('log', '')[-4000:]}")


def generate(assignment, root=REPO):
    """Write the student release assignments/<id>/ from solutions/<id>/ (and register it)."""
    _check(nbgrader_api(root).generate_assignment(assignment, force=True), f"generate_assignment {assignment}")
    return Path(root, "assignments", assignment)


def autograde(assignment, submissions, root):
    """Autograde {student: notebook path}; return {student: {grade_id: score}} and the max points.

    The notebooks are copied into course/submitted/<student>/<id>/<id>.ipynb of `root`,
    whose release must have been generated (generate) first.
    """
    import warnings

    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's own, harmless, on every autograde
    api = nbgrader_api(root)
    for student, notebook in submissions.items():
        target = Path(root, "course", "submitted", student, assignment)
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(notebook, target / f"{assignment}.ipynb")
        _check(api.autograde(assignment, student, force=True, create=True), f"autograde {assignment} {student}")
    scores, max_points = {}, {}
    with Gradebook(api.coursedir.db_url) as gb:
        for student in submissions:
            notebook = gb.find_submission(assignment, student).notebooks[0]
            scores[student] = {g.name: g.score for g in notebook.grades}
            max_points = {g.name: g.max_score for g in notebook.grades}
    return scores, max_points


def scratch_course(assignment, repo=REPO):
    """A temporary course root holding a copy of one master; the caller removes it."""
    root = Path(tempfile.mkdtemp(prefix=f"nnlab-{assignment}-"))
    shutil.copytree(Path(repo, "solutions", assignment), root / "solutions" / assignment)
    return root


def release(assignment, repo=REPO, force=False):
    """Write assignments/<id>/ from solutions/<id>/ with nbgrader (generated in a scratch course).

    A file already in the release that differs from what nbgrader writes now is kept and
    named in `refused` (a student's work, or an edit by hand), unless force. Returns
    (written, refused) lists of paths."""
    import filecmp

    root = scratch_course(assignment, repo)
    try:
        generated = generate(assignment, root)
        target = Path(repo, "assignments", assignment)
        written, refused = [], []
        for source in sorted(p for p in generated.rglob("*") if p.is_file()):
            destination = target / source.relative_to(generated)
            if destination.exists() and filecmp.cmp(source, destination, shallow=False):
                continue
            if destination.exists() and not force and _is_changed_by_hand(destination, assignment, repo):
                refused.append(destination)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, destination)
            written.append(destination)
        return written, refused
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _is_changed_by_hand(path, assignment, repo):
    """A release file differs from the generated one: is it the committed release (safe to
    replace with the new generation) or something else (a student's or an editor's work)?"""
    import subprocess

    committed = subprocess.run(["git", "-C", str(repo), "show", f"HEAD:{path.relative_to(repo).as_posix()}"],
                               capture_output=True)
    return committed.returncode != 0 or committed.stdout != path.read_bytes()


# --- the first cell of every assignment ---

HOW_GRADED_ID = "how_graded"


def how_graded(assignment, tests):
    """The first cell of an assignment, "How this assignment is graded and submitted", from its
    test cells [(grade_id, points)] and the grader's limits (nnlab.course.policy)."""
    from . import policy

    total = sum(points for _, points in tests)
    return f"""## How this assignment is graded and submitted

- **{total:g} points** in {len(tests)} graded test cells; each part's heading gives its points.
- A test cell has **visible tests**, which you run yourself, and **hidden tests**, which only the
  grader runs: the same checks on other shapes, values and seeds, and the cases listed under
  *The hidden tests also check* in each part. A cell scores its points when both pass, so passing
  the visible tests is necessary but not sufficient.
- The grader runs your notebook from top to bottom in a fresh process. Before you submit:
  **Kernel → Restart Kernel and Run All Cells**, then **Validate** (the Validate button of the
  Assignments tab, or `nbgrader validate {assignment}.ipynb` in a terminal).
- Write your code where it says `# YOUR CODE HERE` (replacing `raise NotImplementedError()`).
  You may add cells of your own: helpers, prints, plots, experiments; they run in order.
- Do not delete, rename or copy the given cells, and keep the names and signatures of the
  functions and classes: the tests call them by name. Changes to test cells are ignored (the
  grader uses its own copy).
- Write the computations with NumPy (SciPy, `math` and the standard library are fine).
  `nnlab.nn`, `nnlab.optim`, `nnlab.prune`, `nnlab.train` and PyTorch are not available when your
  notebook is graded.
- Limits when graded: {policy.TEST_SECONDS:g} s for each test cell, {policy.SUBMISSION_SECONDS:g} s for the whole notebook.
- **Submit** on JupyterHub in the **Assignments** tab: press *Submit* next to `{assignment}` (you may
  submit again until the deadline; the last submission counts). Without JupyterHub, hand in the
  file `{assignment}.ipynb` as your instructor tells you.
- **Feedback** comes back the same way (*Fetch Feedback* in the Assignments tab): your notebook
  with the result of every test cell; for a hidden test, the name of the check that failed and
  the kind of error, not its code.
"""


def write_how_graded(assignment, repo=REPO):
    """Put (or refresh) the "How this assignment is graded" cell at the top of the master."""
    import json

    path = Path(repo, "solutions", assignment, f"{assignment}.ipynb")
    nb = json.loads(path.read_text(encoding="utf-8"))
    tests = [(c["metadata"]["nbgrader"]["grade_id"], float(c["metadata"]["nbgrader"].get("points") or 0))
             for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade")]
    text = how_graded(assignment, tests)
    cell = {"cell_type": "markdown", "id": "how-graded",
            "metadata": {"nbgrader": {"grade": False, "grade_id": HOW_GRADED_ID, "locked": True,
                                      "schema_version": 3, "solution": False}},
            "source": text.splitlines(keepends=True)}
    first = nb["cells"][0] if nb["cells"] else {}
    if first.get("metadata", {}).get("nbgrader", {}).get("grade_id") == HOW_GRADED_ID:
        if "".join(first["source"]) == text:
            return False
        nb["cells"][0] = cell
    else:
        nb["cells"].insert(0, cell)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return True


if __name__ == "__main__":  # python -m nnlab.course.assignments how-graded [ID ...]
    if len(sys.argv) < 2 or sys.argv[1] != "how-graded":
        sys.exit("usage: python -m nnlab.course.assignments how-graded [ASSIGNMENT ...]")
    for name in sys.argv[2:] or assignment_ids():
        print(f"{name}: {'updated' if write_how_graded(name) else 'up to date'}")
