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
