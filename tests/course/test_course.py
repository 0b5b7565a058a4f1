"""The course plumbing: `nnlab course` runs notebooks and reports each one, the nbgrader
configuration points at the repository's folders, and runtime folders are ignored."""
import subprocess
from pathlib import Path

import nbformat
import pytest

from nnlab.course.build import run_course
from nnlab.course.cli import main

ROOT = Path(__file__).resolve().parents[2]


def write_notebook(path, source):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def test_course_executes_and_reports_each_notebook(tmp_path):
    lectures = tmp_path / "lectures"
    lectures.mkdir()
    write_notebook(lectures / "01_fine.ipynb", "print(6 * 7)")
    write_notebook(lectures / "02_broken.ipynb", "raise RuntimeError('boom')")
    lines = []
    rows = run_course(lectures, tmp_path / "build", echo=lines.append)
    assert [(name, status) for name, status, *_ in rows] == [("01_fine.ipynb", "ok"), ("02_broken.ipynb", "error")]
    assert "RuntimeError: boom" in rows[1][3]
    executed = nbformat.read(tmp_path / "build" / "lectures" / "01_fine.ipynb", 4)
    assert executed.cells[0].outputs[0]["text"].strip() == "42"
    assert any("02_broken.ipynb" in line and "error" in line for line in lines)
    # the command fails when a lecture fails, and never writes a student's assignments
    before = {p: p.stat().st_mtime_ns for p in (ROOT / "assignments").rglob("*")}
    assert main(["course", "--lectures", str(lectures), "--build", str(tmp_path / "build")]) == 1
    assert {p: p.stat().st_mtime_ns for p in (ROOT / "assignments").rglob("*")} == before


def test_nbgrader_config_points_at_the_repository():
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT / "course")).load_config()
    cd = config.CourseDirectory
    assert Path(cd.root) == ROOT
    assert (cd.source_directory, cd.release_directory) == ("solutions", "assignments")
    for folder in ("submitted", "autograded", "feedback"):
        assert Path(cd.root, cd[f"{folder}_directory"]) == ROOT / "course" / folder
    assert cd.db_url == "sqlite:///" + str(ROOT / "course" / "gradebook.db")


@pytest.mark.parametrize("path", ["course/submitted/x", "course/autograded/x", "course/feedback/x",
                                  "course/gradebook.db", "build/x", ".venv/x"])
def test_runtime_folders_are_ignored(path):
    result = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT)
    assert result.returncode == 0, f"{path} is not git-ignored"


def test_lectures_are_committed_without_outputs():
    for path in sorted((ROOT / "lectures").glob("*.ipynb")):
        nb = nbformat.read(path, 4)
        dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
        assert not dirty, f"{path.name}: cells {dirty} have outputs"


def test_release_refuses_to_overwrite_a_students_work():
    """A release notebook that differs from the committed one (a student worked in it) is
    kept and named; `make release FORCE=1` is what overwrites it."""
    from nnlab.course import assignments

    path = ROOT / "assignments" / "a1_backprop" / "a1_backprop.ipynb"
    original = path.read_bytes()
    nb = nbformat.reads(original.decode(), 4)
    answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "linear")
    answer.source = answer.source.replace("raise NotImplementedError()", "return x  # my work", 1)
    try:
        nbformat.write(nb, path)
        edited = path.read_bytes()
        written, refused = assignments.release("a1_backprop")
        assert refused == [path] and path not in written
        assert path.read_bytes() == edited
    finally:
        path.write_bytes(original)
