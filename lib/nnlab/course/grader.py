"""Grade a whole class: `nnlab grade ASSIGNMENT SUBMISSIONS` (make grade).

For each student the grader
1. reads the submission as JSON (invalid JSON: status failed) and takes the student's
   answer for every solution cell of the master, matched by nbgrader grade_id (a duplicated
   cell: the last copy; a deleted one: the blank stub);
2. audits each answer statically (nnlab.audit) before anything runs; a flagged answer is
   replaced by its blank stub, so it scores nothing for what it touched (status flagged);
3. rebuilds the notebook from the master — every test and locked cell comes from the
   master, so deleted or edited tests are restored — and runs it in its own process
   (nnlab.sandbox) with a memory limit and a wall-clock limit, killed with its process
   group when it overruns (status timeout) or dies (status failed); hidden tests are sent
   to the process only when they are about to run;
4. scores each graded cell (points if its visible and hidden parts run without error) and
   writes course/grades/<id>/<student>.json atomically, then the feedback HTML and the CSV.

Results already on disk for the same submission and master are reused, so re-grading is
idempotent and a grader killed midway loses nothing. Students run in parallel on the
available cores. Feedback shows visible tests and their tracebacks, but of a hidden test
only that it failed and its error type.
"""
import csv
import hashlib
import html
import json
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .audit import audit, bound_names

HIDDEN = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
MEMORY_LIMIT = 4 << 30   # bytes of address space for one submission
TIME_LIMIT = 60.0        # seconds for one submission


@dataclass
class Cell:
    kind: str            # "markdown", "trusted" (locked code), "solution", "test"
    grade_id: str
    source: str
    points: float = 0.0
    stub: str = ""       # the release's version of a solution cell


@dataclass
class Assignment:
    name: str
    cells: list
    digest: str

    @classmethod
    def load(cls, name, root):
        master_path = Path(root, "solutions", name, f"{name}.ipynb")
        release_path = Path(root, "assignments", name, f"{name}.ipynb")
        master, release = json.loads(master_path.read_text()), json.loads(release_path.read_text())
        stubs = {_grade_id(c): _source(c) for c in release["cells"] if _meta(c).get("solution")}
        cells = []
        for c in master["cells"]:
            meta = _meta(c)
            if c["cell_type"] != "code":
                kind = "markdown"
            elif meta.get("grade"):
                kind = "test"
            elif meta.get("solution"):
                kind = "solution"
            else:
                kind = "trusted"
            cells.append(Cell(kind, _grade_id(c), _source(c), float(meta.get("points") or 0),
                              stubs.get(_grade_id(c), "")))
        digest = hashlib.sha256(master_path.read_bytes() + release_path.read_bytes()).hexdigest()
        return cls(name, cells, digest)

    @property
    def tests(self):
        return [c for c in self.cells if c.kind == "test"]

    @property
    def max_score(self):
        return sum(c.points for c in self.tests)


def _meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def _grade_id(cell):
    return _meta(cell).get("grade_id", "")


def _source(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def split_hidden(source):
    """(visible part, hidden part) of a test cell."""
    begin, end = HIDDEN
    if begin not in source:
        return source, ""
    visible, rest = source.split(begin, 1)
    hidden, after = rest.split(end, 1) if end in rest else (rest, "")
    return visible + after, hidden


@dataclass
class Result:
    student: str
    score: float = 0.0
    max_score: float = 0.0
    status: str = "graded"                       # graded | flagged | failed | timeout
    reasons: list = field(default_factory=list)
    tests: dict = field(default_factory=dict)    # grade_id -> {points, max, visible, hidden}
    seconds: float = 0.0
    tampered_cells: set = field(default_factory=set)  # answer cells caught changing things at run time

    def escalate(self, status, reason):
        order = ["graded", "failed", "timeout", "flagged"]
        if order.index(status) > order.index(self.status):
            self.status = status
        self.reasons.append(reason)


def read_answers(path, assignment, result):
    """{grade_id: source} of the student's solution cells; notes problems in result."""
    try:
        notebook = json.loads(Path(path).read_text(encoding="utf-8"))
        cells = notebook["cells"]
        assert isinstance(cells, list)
    except Exception as error:  # noqa: BLE001 - any unreadable file is the same verdict
        result.escalate("failed", f"the notebook is not valid JSON/ipynb ({type(error).__name__}: "
                                  f"{str(error)[:120]})")
        return None
    answers, seen = {}, set()
    ids = [c.get("id") for c in cells if isinstance(c, dict)]
    if len(ids) != len(set(ids)):
        result.reasons.append("duplicated cell ids (ignored: cells are matched by grade_id)")
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        gid = _grade_id(cell)
        if _meta(cell).get("solution") and gid:
            if gid in seen:
                result.reasons.append(f"cell {gid} appears twice: the last copy is graded")
            seen.add(gid)
            answers[gid] = _source(cell)
    for cell in assignment.cells:
        if cell.kind == "solution" and cell.grade_id not in answers:
            result.reasons.append(f"answer cell {cell.grade_id} is missing: graded as blank")
    return answers


def plan(assignment, answers, result):
    """The requests to run, in order: (kind, code, hidden, grade_id)."""
    steps, protected, modules = [], set(), set()
    last_test = max(i for i, c in enumerate(assignment.cells) if c.kind == "test")
    for cell in assignment.cells[:last_test + 1]:
        if cell.kind == "trusted":
            names, mods = bound_names(cell.source)
            protected |= names
            modules |= mods
            steps.append(("trusted", cell.source, False, cell.grade_id))
        elif cell.kind == "solution":
            code = answers.get(cell.grade_id, cell.stub)
            reasons = audit(code, protected, modules)
            if reasons:
                result.escalate("flagged", f"{cell.grade_id}: " + "; ".join(reasons))
                code = cell.stub
            steps.append(("student", code, False, cell.grade_id))
        elif cell.kind == "test":
            visible, hidden = split_hidden(cell.source)
            names, mods = bound_names(visible + "\n" + hidden)
            protected |= {n for n in names if n in mods or _defines_function(cell.source, n)}
            modules |= mods
            steps.append(("test", visible, False, cell.grade_id))
            if hidden.strip():
                steps.append(("test", hidden, True, cell.grade_id))
    return steps


def _defines_function(source, name):
    return f"def {name}(" in source


_CONTEXT = None
_CONTEXT_LOCK = threading.Lock()
# one BLAS thread per submission (students run in parallel), figures off screen, no progress bars
SANDBOX_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "MPLBACKEND": "Agg", "NNLAB_QUIET": "1"}


def _context():
    """A forkserver that has imported numpy, scikit-learn and nnlab (see nnlab.sandbox).

    It starts with SANDBOX_ENV; this process's own environment is left as it was (kernels
    started later by the same process must still show their figures).
    """
    global _CONTEXT
    with _CONTEXT_LOCK:
        if _CONTEXT is None:
            import multiprocessing
            from multiprocessing import forkserver

            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["nnlab.course.sandbox", "nnlab.course._sandbox_preload"])
            saved = dict(os.environ)
            os.environ.update(SANDBOX_ENV)
            try:
                forkserver.ensure_running()
            finally:
                os.environ.clear()
                os.environ.update(saved)
            _CONTEXT = ctx
    return _CONTEXT


def run_steps(steps, result, time_limit=TIME_LIMIT, workdir=None):
    """Run the steps in a sandbox process; fill result.tests; escalate on timeout or death."""
    from . import sandbox

    ctx = _context()
    conn, child = ctx.Pipe()
    proc = ctx.Process(target=sandbox.serve, daemon=True,
                       args=(child, str(workdir) if workdir else None, MEMORY_LIMIT, time_limit + 10))
    proc.start()
    child.close()
    deadline = time.monotonic() + time_limit
    try:
        failed_visible = set()
        for kind, code, hidden, grade_id in steps:
            if hidden and grade_id in failed_visible:
                continue  # the cell scores nothing already; its hidden tests need not run
            try:
                conn.send({"kind": kind, "code": code, "hidden": hidden})
                if not conn.poll(max(0.0, deadline - time.monotonic())):
                    result.escalate("timeout", f"stopped after {time_limit:g} s while running {grade_id}"
                                               f"{' (hidden tests)' if hidden else ''}")
                    return
                reply = conn.recv()
            except (EOFError, OSError):
                proc.join(5)
                status = proc.exitcode
                why = {-signal.SIGSEGV: "segmentation fault", -signal.SIGKILL: "killed, out of memory?",
                       -signal.SIGABRT: "aborted"}.get(status, f"exit code {status}")
                result.escalate("failed", f"the notebook's process died while running {grade_id} ({why})")
                return
            record(result, kind, hidden, grade_id, reply)
            if kind == "test" and not hidden and not reply["ok"]:
                failed_visible.add(grade_id)
    finally:
        if proc.is_alive():
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.join(5)
        conn.close()


def record(result, kind, hidden, grade_id, reply):
    if reply.get("tampered"):
        result.escalate("flagged", f"{grade_id}: changed {', '.join(reply['tampered'])} while running")
        if kind == "test":
            result.tests[grade_id]["tampered"] = True
        else:
            result.tampered_cells.add(grade_id)
    if reply.get("error") == "MemoryError":
        result.escalate("failed", f"{grade_id}: MemoryError (limit {MEMORY_LIMIT >> 30} GiB)")
    if kind != "test":
        if not reply["ok"] and kind == "student":
            result.reasons.append(f"answer cell {grade_id} raised {reply['error']}")
        return
    entry = result.tests[grade_id]
    part = "hidden" if hidden else "visible"
    entry[part] = {"ok": reply["ok"], "error": reply.get("error"), "message": reply.get("message", ""),
                   "traceback": reply.get("traceback", ""), "output": "" if hidden else reply.get("output", "")}


def grade_one(assignment, student, path, workdir=None, time_limit=TIME_LIMIT):
    start = time.perf_counter()
    result = Result(student, max_score=assignment.max_score)
    result.tests = {c.grade_id: {"max": c.points, "points": 0.0} for c in assignment.tests}
    answers = read_answers(path, assignment, result)
    if answers is not None:
        run_steps(plan(assignment, answers, result), result, time_limit, workdir)
        if result.tampered_cells:
            # caught only at run time: grade again with those answers blank, as if flagged statically
            for gid in result.tampered_cells:
                answers.pop(gid, None)
            for entry in result.tests.values():
                entry.pop("visible", None), entry.pop("hidden", None), entry.pop("tampered", None)
            result.tampered_cells = set()
            run_steps(plan(assignment, answers, result), result, time_limit, workdir)
    for cell in assignment.tests:
        entry = result.tests[cell.grade_id]
        has_hidden = bool(split_hidden(cell.source)[1].strip())
        passed = entry.get("visible", {}).get("ok") and (not has_hidden or entry.get("hidden", {}).get("ok"))
        entry["points"] = cell.points if passed and not entry.get("tampered") else 0.0
    result.score = sum(e["points"] for e in result.tests.values())
    result.seconds = time.perf_counter() - start
    return result


# --- a class: discovery, caching, parallel grading, reports ---

def find_submissions(folder, assignment):
    """{student: notebook}: nbgrader's <student>/<id>/<id>.ipynb layout or flat <student>.ipynb."""
    folder = Path(folder)
    found = {}
    for path in sorted(folder.glob(f"*/{assignment}/*.ipynb")):
        found.setdefault(path.parts[-3], path)
    for path in sorted(folder.glob("*.ipynb")):
        found.setdefault(path.stem, path)
    return found


def _digest(path, assignment):
    return hashlib.sha256(Path(path).read_bytes() + assignment.digest.encode()).hexdigest()


def grade_class(assignment_name, submissions, root=".", out=None, workers=None, time_limit=TIME_LIMIT,
                echo=print):
    """Grade every submission; write <out>/<id>.csv, <out>/<id>/<student>.json and .html.

    Returns the list of Results. A result on disk for the same submission and master is reused.
    """
    root = Path(root)
    assignment = Assignment.load(assignment_name, root)
    out = Path(out or root / "course" / "grades")
    folder = out / assignment_name
    folder.mkdir(parents=True, exist_ok=True)
    found = find_submissions(submissions, assignment_name)
    if not found:
        raise FileNotFoundError(f"no submissions for {assignment_name} in {submissions} (expected "
                                f"<student>/{assignment_name}/{assignment_name}.ipynb or <student>.ipynb)")

    def work(item):
        student, path = item
        cached = folder / f"{student}.json"
        digest = _digest(path, assignment)
        if cached.exists():
            saved = json.loads(cached.read_text())
            if saved.get("digest") == digest:
                return Result(**{**saved["result"], "tampered_cells": set(saved["result"]["tampered_cells"])})
        workdir = folder / f".work-{student}"
        workdir.mkdir(exist_ok=True)
        result = grade_one(assignment, student, path, workdir, time_limit)
        _write_atomic(folder / f"{student}.html", feedback_html(assignment, result))
        saved = {**vars(result), "tampered_cells": sorted(result.tampered_cells)}
        _write_atomic(cached, json.dumps({"digest": digest, "result": saved}, indent=1))
        return result

    workers = workers or os.cpu_count() or 1
    _context()  # start the forkserver before the threads
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(work, found.items()))
    write_csv(out / f"{assignment_name}.csv", results)
    return results


def _write_atomic(path, text):
    tmp = Path(str(path) + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_csv(path, results):
    tmp = Path(str(path) + ".tmp")
    with open(tmp, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "score", "max_score", "status", "reason"])
        for r in sorted(results, key=lambda r: r.student):
            writer.writerow([r.student, f"{r.score:g}", f"{r.max_score:g}", r.status, " | ".join(r.reasons)])
    os.replace(tmp, path)


def feedback_html(assignment, result):
    """Per-test verdicts; visible tests with their output and traceback, hidden ones only
    with their error type (never their source, message or traceback)."""
    rows = []
    for cell in assignment.tests:
        entry = result.tests[cell.grade_id]
        visible, hidden = entry.get("visible"), entry.get("hidden")
        if visible is None:
            detail = "not run"
        elif not visible["ok"]:
            detail = (f"<pre>{html.escape(visible['error'] or '')}: {html.escape(visible['message'] or '')}\n"
                      f"{html.escape(visible['traceback'] or '')}</pre>")
        elif hidden is not None and not hidden["ok"]:
            detail = f"the visible tests pass; a hidden test failed ({html.escape(hidden['error'] or 'error')})"
        elif entry.get("tampered"):
            detail = "not counted: the run changed what the tests rely on"
        else:
            detail = "passed"
        rows.append(f"<tr><td>{html.escape(cell.grade_id)}</td><td>{entry['points']:g} / {cell.points:g}</td>"
                    f"<td>{detail}</td></tr>")
    reasons = "".join(f"<li>{html.escape(r)}</li>" for r in result.reasons)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(assignment.name)}"
            f" — {html.escape(result.student)}</title></head><body>"
            f"<h1>{html.escape(assignment.name)}: {html.escape(result.student)}</h1>"
            f"<p>Score {result.score:g} / {result.max_score:g}; status {result.status}</p>"
            f"{'<ul>' + reasons + '</ul>' if reasons else ''}"
            f"<table border='1'><tr><th>test</th><th>points</th><th>result</th></tr>{''.join(rows)}</table>"
            f"</body></html>")
