"""The sandboxed grader inside nbgrader: its gradebook, its autograded notebooks, its autograde.

- `record(...)` writes what `nnlab grade` found into the course's gradebook.db (students,
  submissions, the auto score of every graded cell) and an autograded notebook per student,
  so that formgrader shows them, manual grades and comments in formgrader go on top (a cell
  with a manual score keeps it and is marked for review), and `nbgrader export` gives the
  same totals as the CSV.
- `SandboxedAutograde` replaces nbgrader's Execute preprocessor (course/nbgrader_config.py),
  so `nbgrader autograde` (and formgrader's autograde button) grade with the same sandbox
  instead of running the submission in a kernel of the grading machine.
- `StripHiddenTests` keeps hidden tests out of nbgrader's feedback.
An autograded notebook holds the master's visible tests with the result as the cell's output;
the hidden part is replaced by one comment line.
"""
import copy
import json
from pathlib import Path

import nbformat
from nbgrader.preprocessors.base import NbGraderPreprocessor

from .grader import HIDDEN, Assignment, Result, grade_notebook, split_hidden

PLACEHOLDER = "# (the hidden tests of this cell ran in the grader; their code is not shown)\n"


def strip_hidden(source):
    visible, hidden = split_hidden(source)
    if not hidden.strip():
        return source
    begin = source.index(HIDDEN[0])
    return visible[:begin] + PLACEHOLDER + visible[begin:]


def annotate(nb, assignment, result):
    """The submission as nbgrader's autograde would leave it: every graded cell holds the
    master's test code (hidden part removed) and an output that nbgrader scores as the grader
    did (an error output for a failed test, none for a passed one)."""
    nb = copy.deepcopy(nb)
    tests = {c.grade_id: c for c in assignment.tests}
    present = set()
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in tests:
            present.add(grade_id)
            _fill(cell, tests[grade_id], result.tests.get(grade_id, {}))
    for grade_id, master in tests.items():
        if grade_id not in present:
            cell = nbformat.v4.new_code_cell(master.source)
            cell.metadata["nbgrader"] = {"grade": True, "grade_id": grade_id, "locked": True,
                                         "points": master.points, "schema_version": 3, "solution": False}
            nb.cells.append(cell)
            _fill(cell, master, result.tests.get(grade_id, {}))
    return nb


def _fill(cell, master, entry):
    cell.source = strip_hidden(master.source)
    cell.cell_type = "code"
    cell.execution_count = None
    visible, hidden = entry.get("visible") or {}, entry.get("hidden")
    outputs = []
    if visible.get("output"):
        outputs.append(nbformat.v4.new_output("stream", name="stdout", text=visible["output"]))
    if entry.get("points", 0) < master.points:
        if not visible.get("ok"):
            name, value = visible.get("error") or "Error", visible.get("message") or "not run"
        else:
            name = (hidden or {}).get("error") or "Error"
            label = (hidden or {}).get("label")
            value = f"a hidden check failed{': ' + label if label else ''}"
        outputs.append(nbformat.v4.new_output("error", ename=name, evalue=value, traceback=[f"{name}: {value}"]))
    cell.outputs = outputs


def _student_notebook_name(assignment_id):
    return assignment_id  # one notebook per assignment, named as the assignment


def register(gb, assignment_id, master_path, db_url):
    """Put the assignment, its notebook and its graded cells in the gradebook if missing
    (nbgrader's own SaveCells, as generate_assignment does)."""
    from nbgrader.api import MissingEntry
    from nbgrader.preprocessors import SaveCells

    try:
        notebook = gb.find_notebook(_student_notebook_name(assignment_id), assignment_id)
        if notebook.grade_cells:
            return
    except MissingEntry:
        pass
    gb.update_or_create_assignment(assignment_id)
    nb = nbformat.read(master_path, as_version=4)
    resources = {"nbgrader": {"notebook": _student_notebook_name(assignment_id), "assignment": assignment_id,
                              "db_url": db_url}}
    SaveCells().preprocess(nb, resources)


def record(assignment, results, submissions, db_url, master_path, autograded_dir, timestamps=None):
    """Write results into the gradebook and autograded notebooks (the grader process only:
    SQLite takes one writer). submissions: {student: notebook bytes}; timestamps: {student:
    the text of the submission's timestamp.txt} where nbgrader's exchange wrote one (formgrader
    counts a submission as autograded only when the gradebook has the same timestamp)."""
    import warnings

    from nbgrader.api import Gradebook
    from nbgrader.utils import parse_utc
    from sqlalchemy.exc import SAWarning

    from .assignments import find_alembic

    find_alembic()
    warnings.filterwarnings("ignore", category=SAWarning)
    name = _student_notebook_name(assignment.name)
    timestamps = timestamps or {}
    with Gradebook(db_url) as gb:
        register(gb, assignment.name, master_path, db_url)
        for result in results:
            if result.status == "error":
                continue  # the grader's failure: nothing to record yet
            stamp = timestamps.get(result.student)
            try:
                when = {"timestamp": parse_utc(stamp.strip())} if stamp and stamp.strip() else {}
            except ValueError:
                when = {}
            gb.update_or_create_student(result.student)
            gb.update_or_create_submission(assignment.name, result.student, **when)
            for grade_id, entry in result.tests.items():
                grade = gb.find_grade(grade_id, name, assignment.name, result.student)
                grade.auto_score = entry["points"]
                grade.needs_manual_grade = grade.manual_score is not None
            gb.db.commit()
            try:
                nb = nbformat.reads(submissions[result.student].decode("utf-8"), as_version=4)
            except Exception:  # noqa: BLE001 - an unreadable submission: the master's cells stand in
                nb = nbformat.v4.new_notebook()
            target = Path(autograded_dir, result.student, assignment.name, f"{name}.ipynb")
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(annotate(nb, assignment, result), target)
            if stamp:
                (target.parent / "timestamp.txt").write_text(stamp)


class SandboxedAutograde(NbGraderPreprocessor):
    """`nbgrader autograde` with the sandboxed grader instead of a kernel on this machine.

    An nbgrader preprocessor, so enabled by default (a plain nbconvert Preprocessor named in
    the configuration would be registered disabled and silently skipped: every test cell
    would then pass).
    """

    def preprocess(self, nb, resources):
        from .sandbox import Sandbox

        info = resources.get("nbgrader", {})
        assignment_id, student = info.get("assignment"), info.get("student")
        root = Path(info.get("root") or self._course_root())
        assignment = Assignment.load(assignment_id, root)
        data = nbformat.writes(nb).encode()
        result = grade_notebook(assignment, student, data, Sandbox())
        if result.status == "error":
            raise RuntimeError(f"the sandboxed grader could not grade {student}: {'; '.join(result.reasons)}")
        return annotate(nb, assignment, result), resources

    def _course_root(self):
        config = getattr(self, "config", None)
        root = config.CourseDirectory.root if config is not None and "CourseDirectory" in config else "."
        return root or "."


class StripHiddenTests(NbGraderPreprocessor):
    """Hidden tests out of nbgrader's feedback pages, whatever notebook they are made from."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and HIDDEN[0] in cell.source:
            cell.source = strip_hidden(cell.source)
        return cell, resources


def load_result(path):
    return Result.from_dict(json.loads(Path(path).read_text())["result"])
