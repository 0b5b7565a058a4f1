"""The red-team class (tests/course/redteam/<assignment>.py) graded by `nnlab grade` in its
bubblewrap sandboxes, as an instructor would grade it: every submission gets its expected
outcome (hostile ones no points for work they did not do, correct ones in unusual styles full
marks), no page handed to a student shows a hidden test, nothing is written outside the
sandboxes, no process of a sandbox outlives grading, and one student's kill, fork or flood
changes no other student's result (they are graded side by side on two workers)."""
import html
import json
import os
import shutil
import time
from pathlib import Path

import pytest

from nnlab.course import assignments, classroom
from nnlab.course.grader import split_hidden
from nnlab.course.policy import bwrap_binary

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted(p.stem for p in (Path(__file__).parent / "redteam").glob("a*.py"))
pytestmark = pytest.mark.skipif(bwrap_binary() is None, reason="bubblewrap is not installed")


def load(assignment):
    """The module tests/course/redteam/<assignment>.py (its package imported as `redteam`)."""
    import importlib.util
    import sys

    package = Path(__file__).parent / "redteam"
    if "redteam" not in sys.modules:
        spec = importlib.util.spec_from_file_location("redteam", package / "__init__.py",
                                                      submodule_search_locations=[str(package)])
        module = importlib.util.module_from_spec(spec)
        sys.modules["redteam"] = module
        spec.loader.exec_module(module)
    return importlib.import_module(f"redteam.{assignment}")


CASES = [(a, name) for a in SPECS for name in load(a).SUBMISSIONS]


def release_and_master(assignment):
    root = assignments.scratch_course(assignment, ROOT)
    try:
        release = json.loads((assignments.generate(assignment, root) / f"{assignment}.ipynb").read_text())
    finally:
        shutil.rmtree(root, ignore_errors=True)
    master = json.loads((ROOT / "solutions" / assignment / f"{assignment}.ipynb").read_text())
    return release, master


def _parent_chain(pid):
    """[(pid, name), ...] from `pid` up to the machine's init."""
    chain = []
    while pid > 1:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            break
        name, rest = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        chain.append((pid, name))
        pid = int(rest[1])
    return chain


def sandbox_processes():
    """Processes that run the sandbox's program (or were forked from it) and are either ours
    (this test's grading started them) or orphans outside any sandbox (no bubblewrap above
    them). Other graders' live sandboxes on a shared machine are neither."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if b"/nnlab/agent/agent.py" not in (entry / "cmdline").read_bytes():
                    continue
            except OSError:
                continue
            chain = _parent_chain(int(entry.name))
            if any(pid == os.getpid() for pid, _ in chain) or not any(name == "bwrap" for _, name in chain):
                found.append(int(entry.name))
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """assignment -> (results by name, folder, seconds); each class graded once, on 2 workers."""
    done = {}

    def grade(assignment):
        if assignment not in done:
            from redteam import build

            work = tmp_path_factory.mktemp(f"redteam-{assignment}")
            release, master = release_and_master(assignment)
            folder = work / "submitted"
            folder.mkdir()
            for name, spec in load(assignment).SUBMISSIONS.items():
                (folder / f"{name}.ipynb").write_bytes(build(spec, release, master))
            start = time.perf_counter()
            results, *_ = classroom.grade_class(assignment, folder, root=ROOT, out=work / "grades",
                                                feedback=work / "feedback", workers=2, gradebook=True,
                                                db_url=f"sqlite:///{work / 'gradebook.db'}",
                                                autograded=work / "autograded", echo=lambda *a: None)
            done[assignment] = ({r.student: r for r in results}, work, time.perf_counter() - start)
        return done[assignment]

    return grade


@pytest.mark.parametrize("assignment,name", CASES, ids=[f"{a}-{n}" for a, n in CASES])
def test_each_submission_gets_its_expected_outcome(graded, assignment, name):
    spec = load(assignment).SUBMISSIONS[name]
    results, work, _ = graded(assignment)
    result = results[name]
    lost = {g for g, e in result.tests.items() if e["points"] < e["max"]}
    expect = spec["expect"]
    detail = f"score {result.score:g}/{result.max_score:g}, lost {sorted(lost)}, reasons {result.reasons}"
    if expect == "zero":
        assert result.score == 0, f"{spec['category']}: points for work not done: {detail}"
    elif expect == "full":
        assert result.score == result.max_score, f"{spec['category']}: correct work lost points: {detail}"
    else:
        assert lost == set(expect), f"{spec['category']}: expected to lose exactly {sorted(expect)}: {detail}"
    assert result.status == spec["status"], f"status {result.status!r}, expected {spec['status']!r}: {detail}"
    handed_out = [work / "feedback" / name / assignment / f"{assignment}.html",
                  work / "autograded" / name / assignment / f"{assignment}.ipynb"]
    for path in handed_out:
        text = html.unescape(path.read_text()) if path.exists() else ""
        for phrase in spec["forbidden"]:
            assert phrase not in text, f"{path.name} shows {phrase!r}"


def hidden_lines(assignment):
    master = json.loads((ROOT / "solutions" / assignment / f"{assignment}.ipynb").read_text())
    visible, hidden = [], []
    for cell in master["cells"]:
        v, h = split_hidden("".join(cell["source"]))
        visible.append(v)
        hidden += h.splitlines()
    visible = "\n".join(visible)
    return {line.strip() for line in hidden if len(line.strip()) > 12 and line.strip() not in visible}


@pytest.mark.parametrize("assignment", SPECS)
def test_nothing_handed_to_students_shows_a_hidden_test(graded, assignment):
    _, work, _ = graded(assignment)
    secret = hidden_lines(assignment)
    assert secret, "no hidden-test lines to look for"
    pages = list((work / "feedback").rglob("*.html")) + list((work / "autograded").rglob("*.ipynb"))
    assert pages
    for page in pages:
        text = html.unescape(page.read_text())
        student = page.relative_to(work).parts[1]
        try:  # a line the student wrote themselves may be shown (and may equal a hidden one)
            own = "\n".join("".join(c.get("source", "")) for c in
                            json.loads((work / "submitted" / f"{student}.ipynb").read_text())["cells"])
        except (ValueError, KeyError, TypeError, AttributeError):  # not a notebook: nothing of its own
            own = ""
        leaked = [line for line in secret if line in text and line not in own]
        assert not leaked, f"{page.relative_to(work)} shows hidden-test lines: {leaked[:3]}"


@pytest.mark.parametrize("assignment", SPECS)
def test_nothing_is_written_outside_the_sandboxes_and_nothing_outlives_them(graded, assignment):
    graded(assignment)
    marks = [p for p in Path("/tmp").glob("nnlab-redteam-*")] + list(ROOT.rglob("nnlab-redteam-*"))
    marks += [p for p in (Path.home().glob("nnlab-redteam-*"))]
    assert not marks, f"files written by submissions outside their sandboxes: {marks}"
    assert not sandbox_processes(), "processes of a sandbox are still running after grading"


def test_the_class_report_counts_every_category(graded):
    """Prints the outcome per category (for the closing note), and fails if any is not as expected."""
    lines, bad = [], []
    for assignment in SPECS:
        results, _, seconds = graded(assignment)
        per = {}
        for name, spec in load(assignment).SUBMISSIONS.items():
            result = results[name]
            expect = spec["expect"]
            lost = {g for g, e in result.tests.items() if e["points"] < e["max"]}
            ok = (result.score == 0 if expect == "zero" else result.score == result.max_score if expect == "full"
                  else lost == set(expect)) and result.status == spec["status"]
            per.setdefault(spec["category"], []).append(ok)
            if not ok:
                bad.append(f"{assignment}/{name}")
        lines.append(f"{assignment}: {len(results)} submissions in {seconds:.0f} s: " + ", ".join(
            f"{cat} {sum(v)}/{len(v)}" for cat, v in sorted(per.items())))
    print("\n".join(lines))
    assert not bad, f"not as expected: {bad}"
