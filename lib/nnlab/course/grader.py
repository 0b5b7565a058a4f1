"""Grading one submission: the student's cells in a sandbox, the tests and verdicts here.

    submission.ipynb ──► sandbox (nnlab.course.sandbox): every code cell of the submission,
                         in order, cells the student added included; nothing else
          ▲  data only (nnlab.course.wire)
          ▼
    this process:        the master's test cells, run against proxies of the student's
                         names (nnlab.course.remote); every expected value and every
                         pass/fail decision is made here

Order, as in the notebook: the cells up to the last test cell run in the sandbox; each test
cell's *visible* part runs here when its turn comes (phase 1). Then every *hidden* part runs,
in order (phase 2), on the notebook as it stands at the end. So no hidden input reaches the
sandbox before everything a student can see in the feedback (their output, their errors,
the visible tests' messages) has been produced; of phase 2 the feedback shows only each
hidden check's label and error type.

A test cell scores its points when its visible part, and its hidden part if any, run without
an error. A sandbox that dies or stops answering fails the test it was in; a new one is
started (up to policy.RESTARTS times), the cells run again, and grading goes on.
"""
import ast
import contextlib
import hashlib
import io
import json
import linecache
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import policy
from .remote import SandboxGone, TestTimeout, remote_name

HIDDEN = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
MAX_NOTEBOOK_BYTES = 32 << 20
_SOURCES = ("agent.py", "grader.py", "policy.py", "remote.py", "sandbox.py", "wire.py")


def grader_version():
    """A digest of the grader's own code and of the checks tests call: part of every cache key."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in _SOURCES:
        digest.update((here / name).read_bytes())
    digest.update((here.parent / "testing.py").read_bytes())
    digest.update((here.parent / "gradcheck.py").read_bytes())
    return digest.hexdigest()[:16]


class GradingError(Exception):
    """An instructor's mistake (unknown assignment, empty folder ...): one line, no traceback."""


@dataclass
class Cell:
    kind: str            # "markdown", "trusted" (locked code), "solution" or "test"
    grade_id: str
    source: str
    points: float = 0.0

    @property
    def visible(self):
        return split_hidden(self.source)[0]

    @property
    def hidden(self):
        return split_hidden(self.source)[1]


def split_hidden(source):
    """(visible part, hidden part) of a test cell."""
    begin, end = HIDDEN
    if begin not in source:
        return source, ""
    visible, rest = source.split(begin, 1)
    hidden, after = rest.split(end, 1) if end in rest else (rest, "")
    return visible + after, hidden


def _meta(cell):
    meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
    nbgrader = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
    return nbgrader if isinstance(nbgrader, dict) else {}


def _source(cell):
    source = cell.get("source", "")
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def bound_names(source):
    """Names a cell binds at its top level (def, class, assignment, import)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


@dataclass
class Assignment:
    name: str
    cells: list
    digest: str

    @classmethod
    def load(cls, name, root="."):
        path = Path(root, "solutions", name, f"{name}.ipynb")
        if not path.is_file():
            known = sorted(p.parent.name for p in Path(root, "solutions").glob("*/*.ipynb") if p.stem == p.parent.name)
            raise GradingError(f"unknown assignment {name!r}; the course has: {', '.join(known) or 'none'}")
        return cls.from_bytes(name, path.read_bytes())

    @classmethod
    def from_bytes(cls, name, raw):
        """From the master notebook's bytes (what a grading worker on another machine gets)."""
        cells = []
        for c in json.loads(raw)["cells"]:
            meta = _meta(c)
            if c["cell_type"] != "code":
                kind = "markdown"
            elif meta.get("grade"):
                kind = "test"
            elif meta.get("solution"):
                kind = "solution"
            else:
                kind = "trusted"
            cells.append(Cell(kind, meta.get("grade_id", ""), _source(c), float(meta.get("points") or 0)))
        digest = hashlib.sha256(raw + grader_version().encode()).hexdigest()
        return cls(name, cells, digest)

    @property
    def tests(self):
        return [c for c in self.cells if c.kind == "test"]

    @property
    def max_score(self):
        return sum(c.points for c in self.tests)

    @property
    def trusted_names(self):
        return set().union(*(bound_names(c.source) for c in self.cells if c.kind == "trusted"))

    @property
    def student_names(self):
        """The notebook names the tests may use from the student: what the master's answer
        cells define, less what locked and test cells define themselves."""
        mine = set().union(*(bound_names(c.source) for c in self.cells if c.kind == "solution"))
        theirs = self.trusted_names.union(*(bound_names(c.source) for c in self.cells if c.kind == "test"))
        return sorted(mine - theirs)


@dataclass
class Result:
    student: str
    score: float = 0.0
    max_score: float = 0.0
    status: str = "graded"        # graded | timeout | failed (the student's) | error (the grader's: not cached)
    reasons: list = field(default_factory=list)
    tests: dict = field(default_factory=dict)   # grade_id -> {points, max, visible: {...}, hidden: {...}}
    cells: dict = field(default_factory=dict)   # grade_id of an answer cell -> its error, if it raised
    seconds: float = 0.0
    round_trips: int = 0
    restarts: int = 0
    sandboxed: bool = True
    grader: str = ""

    def escalate(self, status, reason):
        order = ["graded", "failed", "timeout", "error"]
        if order.index(status) > order.index(self.status):
            self.status = status
        if reason not in self.reasons:
            self.reasons.append(reason)

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        return cls(**data)


def read_submission(data, assignment, result):
    """The code cells of a submission, as (grade_id, source) in notebook order, or None."""
    if len(data) > MAX_NOTEBOOK_BYTES:
        result.escalate("failed", f"the notebook is over {MAX_NOTEBOOK_BYTES >> 20} MB")
        return None
    try:
        notebook = json.loads(data.decode("utf-8"))
        cells = notebook["cells"]
        if not isinstance(cells, list):
            raise TypeError("cells is not a list")
    except Exception as error:  # noqa: BLE001 - any unreadable file gets the same verdict
        result.escalate("failed", f"the notebook is not a valid .ipynb file ({type(error).__name__})")
        return None
    kinds = {c.grade_id: c.kind for c in assignment.cells if c.grade_id}
    code, seen = [], set()
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        grade_id = _meta(cell).get("grade_id", "")
        grade_id = grade_id if isinstance(grade_id, str) and grade_id in kinds else ""
        if grade_id and kinds[grade_id] == "solution" and grade_id in seen:
            result.reasons.append(f"cell {grade_id} appears twice: the last copy is graded")
        seen.add(grade_id)
        code.append((grade_id, _source(cell)))
    for cell in assignment.cells:
        if cell.kind == "solution" and cell.grade_id not in seen:
            result.reasons.append(f"answer cell {cell.grade_id} is missing (deleted?): what it defines is missing too")
    return code


def plan(assignment, code_cells):
    """The notebook cells to run in the sandbox, in order, with the tests between them:
    [("trusted" | "student", grade_id, source) or ("test", grade_id, Cell)].

    Locked cells come from the master; where the student edited one (an import added, say),
    their version runs right after the master's, in the sandbox only (the tests use the
    master's). Answer cells come from the submission (the last copy of a duplicated one), and
    each cell the student added runs after the master cell it follows in the submission.
    Nothing after the last test runs.
    """
    answers, edited, added, anchor = {}, {}, {None: []}, None
    kinds = {c.grade_id: c.kind for c in assignment.cells if c.grade_id}
    for grade_id, source in code_cells:
        if grade_id:
            anchor = grade_id
            if kinds[grade_id] == "solution":
                answers[grade_id] = source
            elif kinds[grade_id] == "trusted":
                edited[grade_id] = source
        else:
            added.setdefault(anchor, []).append(source)
    steps = [("student", f"your cell {i + 1} at the top", s) for i, s in enumerate(added[None])]
    last_test = max(i for i, c in enumerate(assignment.cells) if c.kind == "test")
    for cell in assignment.cells[:last_test + 1]:
        if cell.kind == "trusted":
            steps.append(("trusted", cell.grade_id, cell.source))
            if edited.get(cell.grade_id, cell.source).strip() != cell.source.strip():
                steps.append(("student", f"{cell.grade_id} (as you edited it)", edited[cell.grade_id]))
        elif cell.kind == "solution" and cell.grade_id in answers:
            steps.append(("student", cell.grade_id, answers[cell.grade_id]))
        elif cell.kind == "test":
            steps.append(("test", cell.grade_id, cell))
        steps += [("student", f"your cell {i + 1} after {cell.grade_id}", s)
                  for i, s in enumerate(added.get(cell.grade_id, []))
                  if cell.grade_id]
    return steps


def cell_name(grade_id):
    """How a reason names a cell: "cell linear", or "your cell 1 after setup" for an added one."""
    return grade_id if grade_id.startswith("your cell") else f"cell {grade_id}"


def python_source(source):
    """A cell's source as plain Python: IPython's own translation of %magics, !commands and
    `x?` into calls of get_ipython() (text to text; nothing is run here)."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - leave it to the sandbox's compile() to report
        return source


def used_names(source):
    """The names a cell reads (ast.Name loads), e.g. the student's classes a test calls."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


class Hooks:
    """What nnlab.testing finds under testing.GRADER in a test's globals."""

    def __init__(self, session):
        self.session = session

    def composed(self, check, parts):
        """The student's own parts first (all in the sandbox: fast). If that fails, again with
        correct parts served for the parts that failed their own tests so far; a part whose
        tests all passed is trusted and stays the student's. A part that hung or crashed the
        sandbox in its own tests is served at once (its own run would only hang again). A
        visible check that fails with no failed part yet is looked at again once the hidden
        tests have run (Session.revisit)."""
        session = self.session
        failing = {name: part for name, part in parts.items() if not session.part_passed(name)}
        if not any(name in session.broken_parts for name in failing):
            try:
                return check()
            except (SandboxGone, TestTimeout):
                if not failing:
                    raise
                session.broken_parts |= set(failing)  # their own run hung or crashed: served at once from now on
                session.restart_for_retry()  # retry with correct parts, in a fresh sandbox
            except Exception:  # noqa: BLE001 - maybe one of the parts is wrong
                if not failing:
                    session.deferred.add(session.current)
                    raise
        session.served_for[session.current] = sorted(failing)
        link = session.link
        link.deadline = min(session.deadline, time.monotonic() + policy.TEST_SECONDS)  # the retry's own time
        link.serve(failing)
        try:
            return check()
        finally:
            if link.gone is None:
                link.unserve()

    def in_notebook(self, name):
        if name not in self.session.assignment.trusted_names:
            raise TypeError(f"in_notebook({name}): only functions of the locked cells run on the student's side")
        return remote_name(self.session.link, name)


class Session:
    """Grades one submission; owns its sandbox (restarted after a crash)."""

    def __init__(self, assignment, sandbox, result):
        self.assignment, self.sandbox, self.result = assignment, sandbox, result
        self.running = None
        self.deadline = time.monotonic() + policy.SUBMISSION_SECONDS
        self.names = assignment.student_names
        self.namespace = None
        self.current = None          # (grade_id, part) of the test part that runs now
        self.deferred = set()        # visible parts that failed before the hidden tests could say why
        self.served_for = {}         # (grade_id, part) -> the parts served to it
        self.covering = {}           # part name -> grade_ids of earlier tests that use it
        self.broken_parts = set()    # names used by a test part that hung or crashed the sandbox
        self.cells = []              # the notebook cells run so far (what a restart runs again)
        for cell in assignment.tests:
            for name in used_names(cell.source):
                self.covering.setdefault(name, []).append(cell.grade_id)

    def part_passed(self, name):
        """Did every test so far that uses `name` pass (both its parts, where they ran)?"""
        current = self.current[0]
        earlier = [g for g in self.covering.get(name, []) if g != current
                   and self.order.index(g) < self.order.index(current)]
        if not earlier:
            return False
        for grade_id in earlier:
            entry = self.result.tests[grade_id]
            if not entry.get("visible", {}).get("ok") or not entry.get("hidden", {"ok": True}).get("ok"):
                return False
        return True

    @property
    def link(self):
        return self.running.link

    # --- the sandbox ---
    def start(self, cells):
        """A fresh sandbox that has run `cells` (the notebook cells so far)."""
        if self.running is not None:
            self.result.round_trips += self.running.link.round_trips
            self.running.stop()
        self.running = self.sandbox.start()
        for kind, grade_id, source in cells:
            self.run_cell(kind, grade_id, source, quiet=True)

    def stop(self):
        if self.running is not None:
            self.result.round_trips += self.running.link.round_trips
            self.running.stop()
            self.running = None

    def why_gone(self):
        reason = self.running.exit_reason() if self.running else None
        gone = self.link.gone or "it stopped answering"
        return f"{gone}; {reason}" if reason else gone

    def run_cell(self, kind, grade_id, source, quiet=False):
        link = self.link
        link.deadline = min(self.deadline, time.monotonic() + policy.CELL_SECONDS)
        link.output = []
        try:
            found, decode = link.request("run", cell=grade_id, code=python_source(source), names=self.names)
            self.bind(found, decode)
        except (SandboxGone, TestTimeout):
            raise
        except Exception as error:  # noqa: BLE001 - the cell raised: note it, go on like a notebook
            if not quiet and kind == "student":
                text = f"{type(error).__name__}: {str(error)[:300]}"
                self.result.cells[grade_id] = text
                self.result.reasons.append(f"{cell_name(grade_id)} raised {text}")
            try:
                found, decode = link.request("names", names=self.names)
                self.bind(found, decode)
            except Exception:  # noqa: BLE001
                pass

    def bind(self, found, decode):
        """Bind the student's names in the tests' namespace: data by value, the rest as proxies."""
        if not isinstance(found, dict):
            return
        for name in self.names:
            entry = found.get(name)
            value = remote_name(self.link, name)
            if isinstance(entry, dict) and "d" in entry:
                try:
                    value = decode(entry["d"])
                except Exception:  # noqa: BLE001 - a malformed value: keep the proxy
                    pass
            self.namespace[name] = value

    # --- the tests ---
    def new_namespace(self):
        import builtins

        from nnlab.testing import GRADER

        self.namespace = {"__name__": "__main__", "__builtins__": builtins, GRADER: Hooks(self)}

    def exec_here(self, source, filename):
        """Run test or locked code in this process; (ok, error dict, output)."""
        code = compile(source, filename, "exec")
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        out = io.StringIO()
        link = self.link
        link.output = []
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                exec(code, self.namespace)  # noqa: S102 - the master's own test code
            return True, None, out.getvalue() + "".join(link.output)
        except TestTimeout as error:
            return False, {"type": "Timeout", "message": str(error), "traceback": ""}, out.getvalue()
        except SandboxGone as error:
            return False, {"type": "Crash", "message": f"the notebook's process stopped ({error})",
                           "traceback": ""}, out.getvalue()
        except Exception as error:  # noqa: BLE001 - a failing test
            return False, describe(error, filename), out.getvalue() + "".join(link.output)

    def grade(self, steps):
        result = self.result
        result.tests = {c.grade_id: {"max": c.points, "points": 0.0} for c in self.assignment.tests}
        self.order = [c.grade_id for c in self.assignment.tests]
        self.new_namespace()
        done = []
        self.start([])
        for kind, grade_id, item in steps:
            if time.monotonic() > self.deadline:
                result.escalate("timeout", f"stopped after {policy.SUBMISSION_SECONDS:g} s (at {grade_id})")
                break
            if kind == "test":
                self.test_part(item, "visible", item.visible, done)
                continue
            try:
                self.run_cell(kind, grade_id, item)
            except (SandboxGone, TestTimeout) as error:
                why = "timed out" if isinstance(error, TestTimeout) else f"stopped ({self.why_gone()})"
                result.escalate("timeout" if isinstance(error, TestTimeout) else "failed",
                                f"the notebook's process {why} while running {cell_name(grade_id)}")
                result.cells[grade_id] = f"the process {why}"
                if not self.restart(done):  # without that cell: the tests after it still run
                    break
                continue
            if kind == "trusted":
                ok, error, _ = self.exec_here(item, f"<setup {grade_id}>")
                if not ok:
                    result.reasons.append(f"locked cell {grade_id} failed in the grader: {error['type']}")
            done.append((kind, grade_id, item))
        cells = list(done)
        for kind, grade_id, item in steps:
            if kind != "test":
                continue
            if time.monotonic() > self.deadline:
                result.escalate("timeout", f"stopped after {policy.SUBMISSION_SECONDS:g} s (hidden tests)")
                break
            if (grade_id, "visible") in self.deferred:
                self.revisit(item, cells)
            if item.hidden.strip() and result.tests[grade_id].get("visible", {}).get("ok"):
                self.test_part(item, "hidden", item.hidden, cells)
        self.stop()
        for cell in self.assignment.tests:
            entry = result.tests[cell.grade_id]
            passed = entry.get("visible", {}).get("ok") and (not cell.hidden.strip() or entry.get("hidden", {}).get("ok"))
            entry["points"] = cell.points if passed else 0.0
        result.score = sum(e["points"] for e in result.tests.values())

    def revisit(self, cell, cells):
        """A visible check of composed code that failed while all its parts had passed their
        visible tests: if a part has failed a hidden test since, run it again with that part
        served. Only the verdict is kept (what it prints now is not shown: hidden inputs have
        reached the sandbox by now)."""
        shown = self.result.tests[cell.grade_id]["visible"]
        self.deferred.discard((cell.grade_id, "visible"))
        self.test_part(cell, "visible", cell.visible, cells, revisit=True)
        again = self.result.tests[cell.grade_id]["visible"]
        if again["ok"]:
            served = ", ".join(self.served_for.get((cell.grade_id, "visible"), []))
            again["output"] = (f"(Passes with correct {served} in place of yours; your own fail"
                               f" hidden tests, so this part scores.)\n")
        else:
            self.result.tests[cell.grade_id]["visible"] = shown

    def test_part(self, cell, part, source, cells, revisit=False):
        result, link = self.result, self.link
        self.current, self.cells = (cell.grade_id, part), cells
        if link.gone is not None and not self.restart(cells):
            result.tests[cell.grade_id][part] = {"ok": False, "error": "Crash", "message": "not run", "label": ""}
            return
        link = self.link
        link.deadline = min(self.deadline, time.monotonic() + policy.TEST_SECONDS)
        link.reset_mirrors()
        start = time.perf_counter()
        ok, error, output = self.exec_here(source, f"<test {cell.grade_id}>")
        seconds = round(time.perf_counter() - start, 3)
        if part == "visible":
            entry = {"ok": ok, "output": output[-policy.OUTPUT_CHARS:], "seconds": seconds}
            if not ok:
                entry.update({"error": error["type"], "message": error["message"], "traceback": error["traceback"]})
        else:
            entry = {"ok": ok, "seconds": seconds}
            if not ok:
                entry.update({"error": error["type"] if error["type"] in _SHOWN_TYPES else "Error",
                              "label": error.get("case") or ""})
        result.tests[cell.grade_id][part] = entry
        if not ok and error["type"] in ("Timeout", "Crash"):
            self.broken_parts |= used_names(source) & set(self.names)
            what = "timed out" if error["type"] == "Timeout" else f"stopped ({self.why_gone()})"
            result.escalate("timeout" if error["type"] == "Timeout" else "failed",
                            f"the notebook's process {what} in {cell.grade_id} ({part} tests)")
            self.restart(cells)

    def restart_for_retry(self):
        """A fresh sandbox for a second try within the same test part (raises if none can be had)."""
        if not self.restart(self.cells):
            raise SandboxGone(self.link.gone or "no sandbox left to retry in")
        self.link.deadline = min(self.deadline, time.monotonic() + policy.TEST_SECONDS)

    def restart(self, cells):
        if self.result.restarts >= policy.RESTARTS or time.monotonic() > self.deadline:
            return False
        self.result.restarts += 1
        try:
            self.start([c for c in cells if c[0] != "test"])
            return True
        except (SandboxGone, TestTimeout):
            return False


# error types a hidden test's feedback may name (anything else is "Error")
_SHOWN_TYPES = {"AssertionError", "Timeout", "Crash", "TypeError", "ValueError", "IndexError", "KeyError",
                "AttributeError", "NameError", "ZeroDivisionError", "NotImplementedError", "RuntimeError",
                "FloatingPointError", "OverflowError", "MemoryError", "RecursionError", "StudentCodeError",
                "RuntimeWarning"}


def describe(error, filename):
    """A failed test as data for the feedback: type, message, and the frames of the test cell
    and of the student's cells (never a path of this machine)."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith("<")]
    trace = "".join(traceback.format_list(frames))
    remote = getattr(error, "nnlab_remote", None)
    kind = type(error).__name__
    if remote:
        trace += ("\nin your code:\n" + remote["traceback"]) if remote.get("traceback") else ""
        kind = type(error).__name__ if type(error).__name__ != "StudentCodeError" else "StudentCodeError"
    try:
        message = str(error)
    except Exception:  # noqa: BLE001
        message = ""
    return {"type": kind, "message": message[:policy.TEXT_CHARS], "traceback": trace[-policy.TEXT_CHARS:],
            "case": getattr(error, "nnlab_case", None)}


def grade_notebook(assignment, student, data, sandbox):
    """Grade one submission (its bytes) with a sandbox factory; always returns a Result."""
    start = time.perf_counter()
    result = Result(student, max_score=assignment.max_score, sandboxed=sandbox.isolated, grader=grader_version())
    result.tests = {c.grade_id: {"max": c.points, "points": 0.0} for c in assignment.tests}
    if not sandbox.isolated:
        result.reasons.append("graded WITHOUT a sandbox (--no-sandbox): trusted local run only")
    code = read_submission(data, assignment, result)
    if code is not None:
        session = Session(assignment, sandbox, result)
        try:
            session.grade(plan(assignment, code))
        except SandboxGone as error:
            result.escalate("error", f"the grader could not run a sandbox ({error})")
        finally:
            session.stop()
    result.seconds = time.perf_counter() - start
    return result
