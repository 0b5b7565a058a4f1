"""Grader self-tests: every master scores full marks and every blank release zero, with the
class grader (`nnlab grade`) and through `nbgrader autograde` (which the course's
configuration points at the same sandboxed grader); every plausible wrong implementation in
tests/course/submissions/<id>.py loses the points of the cells it names, and only those;
assignments/ is exactly what nbgrader generates from solutions/, without solution or
hidden-test code."""
import shutil
from pathlib import Path

import nbformat
import pytest

from nnlab.course import assignments, classroom
from nnlab.course.selfcheck import load_mutants

ROOT = Path(__file__).resolve().parents[2]
IDS = assignments.assignment_ids(ROOT)


def mutants(assignment):
    return load_mutants(assignment, ROOT)


def mutated(master, edits, target):
    """The master with the edits applied to its solution cells."""
    nb = nbformat.read(master, 4)
    for old, new in edits:
        cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution") and old in c.source]
        assert len(cells) == 1, f"the edit {old!r} must match exactly one solution cell"
        cells[0].source = cells[0].source.replace(old, new, 1)
    nbformat.write(nb, target)
    return target


@pytest.fixture(scope="module", params=IDS)
def graded_course(request, tmp_path_factory):
    """nbgrader autogrades the master and the blank release in a scratch course; the class
    grader grades them too, with every wrong implementation."""
    assignment = request.param
    root = assignments.scratch_course(assignment, ROOT)
    work = tmp_path_factory.mktemp(assignment)
    try:
        release = assignments.generate(assignment, root)
        master = ROOT / "solutions" / assignment / f"{assignment}.ipynb"
        submissions = {"master": master, "blank": release / f"{assignment}.ipynb"}
        scores, max_points = assignments.autograde(assignment, submissions, root)
        folder = work / "submissions"
        folder.mkdir()
        shutil.copy(master, folder / "master.ipynb")
        shutil.copy(release / f"{assignment}.ipynb", folder / "blank.ipynb")
        for name, (_, edits) in mutants(assignment).items():
            mutated(master, edits, folder / f"{name}.ipynb")
        results, *_ = classroom.grade_class(assignment, folder, root=ROOT, out=work / "grades",
                                            feedback=work / "feedback", gradebook=False, echo=lambda *a: None)
        ours = {r.student: {k: v["points"] for k, v in r.tests.items()} for r in results}
        yield assignment, release, scores, max_points, ours
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_master_gets_full_marks(graded_course):
    _, _, scores, max_points, ours = graded_course
    for grader_name, table in (("nbgrader autograde", scores), ("nnlab grade", ours)):
        lost = {k: (table["master"][k], v) for k, v in max_points.items() if table["master"][k] != v}
        assert not lost, f"{grader_name}: the master loses points: {lost}"


def test_blank_gets_zero(graded_course):
    _, _, scores, _, ours = graded_course
    assert sum(scores["blank"].values()) == 0, scores["blank"]
    assert sum(ours["blank"].values()) == 0, ours["blank"]


def test_each_wrong_implementation_loses_exactly_its_points(graded_course):
    assignment, _, _, max_points, ours = graded_course
    table = mutants(assignment)
    assert table, f"no wrong implementations for {assignment}"
    wrong = []
    for name, (breaks, _) in table.items():
        for cell, full in max_points.items():
            expected = 0 if cell in breaks else full
            if ours[name][cell] != expected:
                wrong.append(f"{name}: {cell} scored {ours[name][cell]}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def test_every_graded_cell_has_three_wrong_implementations(graded_course):
    assignment, _, _, max_points, _ = graded_course
    for cell in max_points:
        count = sum(cell in breaks for breaks, _ in mutants(assignment).values())
        assert count >= 3, f"{assignment}: {cell} is broken by only {count} wrong implementations"


def _cells(nb):
    return [(c.cell_type, c.source, c.metadata.get("nbgrader")) for c in nb.cells]


def test_release_is_committed_without_drift(graded_course):
    assignment, release, _, _, _ = graded_course
    committed = ROOT / "assignments" / assignment / f"{assignment}.ipynb"
    assert committed.exists(), f"run `make release`: {committed} is missing"
    assert _cells(nbformat.read(committed, 4)) == _cells(nbformat.read(release / f"{assignment}.ipynb", 4)), \
        f"assignments/{assignment} differs from what nbgrader generates; run `make release`"


def _split(source, start, end):
    """(text outside the start..end blocks, text inside them)."""
    outside, inside = [], []
    while start in source:
        before, rest = source.split(start, 1)
        block, source = rest.split(end, 1)
        outside.append(before)
        inside.append(block)
    outside.append(source)
    return "\n".join(outside), "\n".join(inside)


@pytest.mark.parametrize("assignment", IDS)
def test_release_holds_no_solution_or_hidden_test(assignment):
    master = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", 4)
    text = (ROOT / "assignments" / assignment / f"{assignment}.ipynb").read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text
    visible, secret = [], []
    for cell in master.cells:
        source, hidden = _split(cell.source, "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
        source, solution = _split(source, "### BEGIN SOLUTION", "### END SOLUTION")
        visible.append(source)
        secret += (hidden + "\n" + solution).splitlines()
    visible = "\n".join(visible)
    for line in {line.strip() for line in secret}:
        # short lines (return x) and lines the visible part also has may stand in the release
        if len(line) > 20 and line not in visible:
            assert line not in text, f"a solution or hidden-test line leaked into the release: {line}"
