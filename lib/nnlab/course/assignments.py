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


def nbgrader_api(root, db_url=None):
    """NbGraderAPI for a course rooted at `root` (masters in solutions/, releases in
    assignments/, runtime folders and gradebook under course/)."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    # nbgrader runs its `alembic` command: it must be found beside this Python (the venv's bin/)
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    root = Path(root)
    c = Config()
    c.CourseDirectory.course_id = "nnlab"
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.source_directory = "solutions"
    c.CourseDirectory.release_directory = "assignments"
    c.CourseDirectory.submitted_directory = str(Path("course", "submitted"))
    c.CourseDirectory.autograded_directory = str(Path("course", "autograded"))
    c.CourseDirectory.feedback_directory = str(Path("course", "feedback"))
    c.CourseDirectory.db_url = db_url or f"sqlite:///{root / 'course' / 'gradebook.db'}"
    (root / "course").mkdir(parents=True, exist_ok=True)
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


def self_check(assignment, repo=REPO):
    """Autograde the master and the blank release in a scratch course.

    Returns (master points, blank points, max points)."""
    root = scratch_course(assignment, repo)
    try:
        release = generate(assignment, root)
        scores, max_points = autograde(assignment, {
            "master": root / "solutions" / assignment / f"{assignment}.ipynb",
            "blank": release / f"{assignment}.ipynb"}, root)
        return sum(scores["master"].values()), sum(scores["blank"].values()), sum(max_points.values())
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _grade_group(assignment, submissions, repo):
    root = scratch_course(assignment, repo)
    try:
        generate(assignment, root)
        return autograde(assignment, submissions, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def autograde_scratch(assignment, submissions, repo=REPO, workers=None):
    """Autograde {student: notebook} in scratch courses, `workers` groups in parallel.

    Returns ({student: {grade_id: score}}, {grade_id: max points}); the repository's own
    gradebook is not touched.
    """
    from concurrent.futures import ProcessPoolExecutor

    workers = max(1, min(workers or os.cpu_count() or 1, len(submissions)))
    names = sorted(submissions)
    groups = [{n: submissions[n] for n in names[i::workers]} for i in range(workers)]
    scores, max_points = {}, {}
    with ProcessPoolExecutor(workers) as pool:
        for group_scores, group_max in pool.map(_grade_group, [assignment] * workers, groups,
                                                [repo] * workers):
            scores.update(group_scores)
            max_points = group_max
    return scores, max_points
