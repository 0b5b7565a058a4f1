"""The class grader on real submission notebooks (course/example_class): broken and hostile
submissions get a status and a reason and never stop the others, deleted tests are restored,
feedback leaks no hidden test, re-grading is idempotent and survives being killed."""
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nnlab.course import grader

ROOT = Path(__file__).resolve().parents[2]
BEFORE = {name: os.environ.get(name) for name in grader.SANDBOX_ENV}
ASSIGNMENT = "a1_backprop"
CLASS = ROOT / "course" / "example_class" / ASSIGNMENT
FULL = 17

# student -> (status, score, a phrase of the reason)
EXPECTED = {
    "alice_correct": ("graded", FULL, ""),
    "bob_blank": ("graded", 0, ""),
    "carol_wrong_backward": ("graded", FULL - 3, ""),
    "dave_patches_numpy": ("flagged", FULL - 4, "np.allclose"),
    "erin_invalid_json": ("failed", 0, "not valid JSON"),
    "frank_infinite_loop": ("timeout", None, "stopped after"),
    "grace_deleted_tests": ("graded", FULL, ""),
    "heidi_crashes": ("failed", None, "died"),
    "ivan_delegates": ("flagged", FULL - 5, "nnlab.nn"),
    "judy_duplicated_cell": ("graded", FULL, "appears twice"),
    "mallory_reads_hidden_tests": ("flagged", FULL - 5, "open()"),
    "oscar_rewrites_files": ("flagged", FULL - 5, "open()"),
    "peggy_patches_grading": ("flagged", FULL - 5, "nnlab.testing"),
    "trent_rebinds_helpers": ("flagged", FULL - 4, "assert_close"),
    "victor_allocates_10gb": ("failed", FULL - 2, "MemoryError"),  # Sigmoid forward and backward
    "walter_exits": ("flagged", FULL - 5, "imports os"),
    "xavier_sneaky_patch": ("flagged", FULL - 4, "numpy.allclose"),
    "yvonne_uses_torch": ("flagged", FULL - 4, "torch"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    out = tmp_path_factory.mktemp("grades")
    start = time.perf_counter()
    results = grader.grade_class(ASSIGNMENT, CLASS, root=ROOT, out=out, time_limit=20)
    return out, {r.student: r for r in results}, time.perf_counter() - start


@pytest.mark.parametrize("student", EXPECTED)
def test_each_submission_gets_its_status_score_and_reason(graded, student):
    _, results, _ = graded
    status, score, phrase = EXPECTED[student]
    r = results[student]
    assert r.status == status, r.reasons
    if score is not None:
        assert r.score == score, (r.score, r.reasons)
    assert phrase in " | ".join(r.reasons)
    if status != "graded":
        assert r.reasons, "a submission that is not plainly graded must say why"


def test_broken_submissions_keep_what_they_earned_before_breaking(graded):
    _, results, _ = graded
    assert 0 < results["frank_infinite_loop"].score < FULL   # Linear's tests ran before the loop
    assert 0 < results["heidi_crashes"].score < FULL


def test_csv_has_one_row_per_student(graded):
    out, results, _ = graded
    with open(out / f"{ASSIGNMENT}.csv") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["student", "score", "max_score", "status", "reason"]
    assert {r["student"] for r in rows} == set(EXPECTED)
    assert all(r["max_score"] == str(FULL) for r in rows)
    assert {r["student"]: r["status"] for r in rows} == {s: e[0] for s, e in EXPECTED.items()}


def hidden_lines():
    master = json.loads((ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    visible, hidden = [], []
    for cell in master["cells"]:
        v, h = grader.split_hidden("".join(cell["source"]))
        visible.append(v)
        hidden += h.splitlines()
    visible = "\n".join(visible)
    return {line.strip() for line in hidden if len(line.strip()) > 12 and line.strip() not in visible}


def test_feedback_leaks_no_hidden_test(graded):
    out, _, _ = graded
    secret = hidden_lines()
    assert len(secret) > 20
    for page in (out / ASSIGNMENT).glob("*.html"):
        text = page.read_text()
        import html
        text = html.unescape(text)
        leaked = [line for line in secret if line in text]
        assert not leaked, f"{page.name} shows hidden test lines: {leaked[:3]}"
    carol = (out / ASSIGNMENT / "carol_wrong_backward.html").read_text()
    assert "dL/dweight is wrong" in carol  # the visible check names the wrong term


def test_regrading_is_idempotent_and_reuses_results(graded):
    out, results, first_seconds = graded
    start = time.perf_counter()
    again = {r.student: r for r in grader.grade_class(ASSIGNMENT, CLASS, root=ROOT, out=out, time_limit=20)}
    assert time.perf_counter() - start < first_seconds / 5
    for student, r in results.items():
        assert (again[student].score, again[student].status, again[student].reasons) == \
            (r.score, r.status, r.reasons)


def test_killing_the_grader_midway_loses_nothing(tmp_path):
    submissions = tmp_path / "submitted"
    for student in ("alice_correct", "bob_blank", "carol_wrong_backward", "grace_deleted_tests"):
        target = submissions / student / ASSIGNMENT   # nbgrader's layout this time
        target.mkdir(parents=True)
        shutil.copy(CLASS / f"{student}.ipynb", target / f"{ASSIGNMENT}.ipynb")
    out = tmp_path / "grades"
    command = [sys.executable, "-m", "nnlab.cli", "grade", ASSIGNMENT, str(submissions), "--out", str(out),
               "--workers", "1"]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and not list((out / ASSIGNMENT).glob("*.json")):
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = {p.name for p in (out / ASSIGNMENT).glob("*.json")}
    assert 1 <= len(done_before) < 4
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    with open(out / f"{ASSIGNMENT}.csv") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert {s: float(r["score"]) for s, r in rows.items()} == {
        "alice_correct": FULL, "bob_blank": 0, "carol_wrong_backward": FULL - 3, "grace_deleted_tests": FULL}


def test_missing_submissions_are_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no submissions"):
        grader.grade_class(ASSIGNMENT, tmp_path, root=ROOT, out=tmp_path / "out")


def test_grading_leaves_this_process_environment_alone(graded):
    # kernels started later by this process (lectures under nbval) must still draw figures
    for name, value in grader.SANDBOX_ENV.items():
        assert os.environ.get(name) == BEFORE.get(name), f"grading set {name}={value} in the grader's own process"
