"""`nnlab grade` writes nbgrader's gradebook: every student, submission and graded cell, so that
formgrader shows the scores, `nbgrader export` gives the same totals as the class table, and a
manual grade given in formgrader stays when the class is graded again."""
import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nnlab.course import classroom
from nnlab.course.policy import bwrap_binary

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "a1_backprop"
EXAMPLE = ROOT / "course" / "example_class" / ASSIGNMENT
pytestmark = pytest.mark.skipif(bwrap_binary() is None, reason="bubblewrap is not installed")


@pytest.fixture
def course(tmp_path):
    """A course of its own (the repository's nbgrader configuration finds its root from where it lies)."""
    shutil.copytree(ROOT / "solutions" / ASSIGNMENT, tmp_path / "solutions" / ASSIGNMENT)
    shutil.copytree(ROOT / "assignments" / ASSIGNMENT, tmp_path / "assignments" / ASSIGNMENT)
    (tmp_path / "course").mkdir()
    shutil.copy(ROOT / "course" / "nbgrader_config.py", tmp_path / "course" / "nbgrader_config.py")
    for student, source in (("ann", ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
                            ("bea", ROOT / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
                            ("cid", EXAMPLE / "carol_wrong_backward.ipynb")):
        folder = tmp_path / "course" / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        shutil.copy(source, folder / f"{ASSIGNMENT}.ipynb")
        (folder / "timestamp.txt").write_text("2026-12-01 10:00:00.000000 UTC")
    return tmp_path


def grade(course):
    return classroom.grade_class(ASSIGNMENT, course / "course" / "submitted", root=course, echo=lambda *a: None)


def nbgrader(course, *args):
    env = {**os.environ, "JUPYTER_CONFIG_PATH": str(course / "course")}
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def exported(course):
    nbgrader(course, "export", "--to", str(course / "export.csv"))
    with open(course / "export.csv") as f:
        return {r["student_id"]: float(r["score"]) for r in csv.DictReader(f) if r["assignment"] == ASSIGNMENT}


def table(course):
    with open(course / "course" / "grades" / f"{ASSIGNMENT}.csv") as f:
        return {r["student"]: float(r["score"]) for r in csv.DictReader(f)}


def test_the_gradebook_holds_the_class_table_and_keeps_manual_grades(course):
    grade(course)
    assert table(course) == {"ann": 17, "bea": 0, "cid": 14}
    assert exported(course) == table(course)

    from nbgrader.api import Gradebook

    db = f"sqlite:///{course / 'course' / 'gradebook.db'}"
    with Gradebook(db) as gb:
        submission = gb.find_submission(ASSIGNMENT, "bea")
        assert submission.timestamp.year == 2026  # formgrader counts it as autograded
        mark = gb.find_grade("test_linear_forward", ASSIGNMENT, ASSIGNMENT, "bea")
        mark.manual_score = 2.0  # what an instructor types into formgrader
        gb.db.commit()
    grade(course)  # graded again: the manual grade stays on top of the automatic one
    assert exported(course)["bea"] == 2.0
    with Gradebook(db) as gb:
        assert gb.find_grade("test_linear_forward", ASSIGNMENT, ASSIGNMENT, "bea").auto_score == 0.0


def test_the_autograded_notebook_shows_results_but_no_hidden_test(course):
    grade(course)
    notebook = json.loads((course / "course" / "autograded" / "cid" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    text = json.dumps(notebook)
    assert "BEGIN HIDDEN TESTS" not in text and "check_composition" not in text
    cells = {c["metadata"].get("nbgrader", {}).get("grade_id"): c for c in notebook["cells"]}
    errors = [o for o in cells["test_linear_backward"]["outputs"] if o["output_type"] == "error"]
    assert errors and "ADDED" in errors[0]["evalue"]
    assert not [o for o in cells["test_linear_forward"]["outputs"] if o["output_type"] == "error"]


def test_nbgrader_autograde_runs_the_sandboxed_grader(course):
    """The route nbgrader users know: `nbgrader autograde` grades in the sandbox too (a patched
    numpy over blank work scores nothing)."""
    folder = course / "course" / "submitted" / "dave" / ASSIGNMENT
    folder.mkdir(parents=True)
    shutil.copy(EXAMPLE / "dave_patches_numpy.ipynb", folder / f"{ASSIGNMENT}.ipynb")
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    nbgrader(course, "autograde", ASSIGNMENT, "--student", "dave", "--force")
    assert exported(course)["dave"] == 0.0


def test_formgrader_under_make_lab_shows_the_course_and_opens_the_masters(course):
    """`make lab` / `make formgrader` start Jupyter from the course root with the course's
    nbgrader configuration on JUPYTER_CONFIG_PATH: formgrader lists the assignments and the
    graded submissions, and the masters open."""
    import socket
    import time

    import requests

    grade(course)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "JUPYTER_CONFIG_PATH": str(course / "course")}
    server = subprocess.Popen([sys.executable, "-m", "jupyter", "server", "--no-browser", f"--port={port}",
                               "--ServerApp.token=t0ken", "--allow-root", f"--ServerApp.root_dir={course}"],
                              cwd=course, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base, headers = f"http://127.0.0.1:{port}", {"Authorization": "token t0ken"}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/api/status", headers=headers, timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "jupyter server did not start"
            time.sleep(0.3)
        nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
        listed = requests.get(f"{base}/formgrader/api/assignments", headers=headers, timeout=30).json()
        assert [a["name"] for a in listed] == [ASSIGNMENT]
        submissions = requests.get(f"{base}/formgrader/api/submissions/{ASSIGNMENT}", headers=headers,
                                   timeout=30).json()
        assert {s["student"]: s["score"] for s in submissions} == {"ann": 17, "bea": 0, "cid": 14}
        master = requests.get(f"{base}/api/contents/solutions/{ASSIGNMENT}/{ASSIGNMENT}.ipynb", headers=headers,
                              timeout=30)
        assert master.ok and "BEGIN SOLUTION" in json.dumps(master.json()["content"])
    finally:
        server.terminate()
        server.wait(20)
