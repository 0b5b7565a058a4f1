"""The grader's trust boundary, tested directly: what a sandbox can see and do, what crosses
the channel, and what `nnlab grade` does for an instructor (class table, records, errors).
The red-team class of whole submissions is in test_redteam.py."""
import ast
import csv
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlab.course import classroom, policy, wire
from nnlab.course.cli import main
from nnlab.course import remote
from nnlab.course.remote import Link, SandboxGone
from test_redteam import sandbox_processes

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "a1_backprop"
MASTER = ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
RELEASE = ROOT / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
needs_bwrap = pytest.mark.skipif(policy.bwrap_binary() is None, reason="bubblewrap is not installed")


@pytest.fixture(scope="module")
def sandbox():
    from nnlab.course.sandbox import Sandbox

    if policy.bwrap_binary() is None:
        pytest.skip("bubblewrap is not installed")
    return Sandbox()


def run(sandbox, code, names=()):
    """Run `code` in a fresh sandbox; return the data values of `names` it defined."""
    running = sandbox.start()
    try:
        found, decode = running.link.request("run", cell="probe", code=code, names=list(names))
        return {n: decode(v["d"]) for n, v in found.items() if "d" in v}
    finally:
        running.stop()


# --- what a sandbox sees and may do ---

@needs_bwrap
def test_the_sandbox_sees_no_course_no_reference_and_no_torch(sandbox):
    seen = run(sandbox, f'''
import importlib, os
def can_read(path):
    try:
        open(path, "rb").close()
        return True
    except OSError:
        return False
readable = [p for p in ({str(MASTER)!r}, {str(ROOT / "lib" / "nnlab" / "nn" / "linear.py")!r},
                        {str(ROOT / "course" / "nbgrader_config.py")!r}, "/etc/passwd", "/root/.bashrc")
            if can_read(p)]
blocked = []
for name in ("torch", "nnlab.nn", "nnlab.optim", "nnlab.prune", "nnlab.course", "sklearn.neural_network"):
    try:
        importlib.import_module(name)
    except ImportError:
        blocked.append(name)
import nnlab, nnlab.module, nnlab.data, nnlab.testing, nnlab.gradcheck
files = sorted(os.listdir(os.path.dirname(nnlab.__file__)))
allowed = []
for name in ("numpy", "scipy.special", "matplotlib.pyplot", "sklearn.datasets", "tqdm", "IPython.display",
             "warnings", "copy", "math"):
    importlib.import_module(name)
    allowed.append(name)
present = [p for p in ({str(ROOT)!r}, {str(Path.home() / ".bashrc")!r}, "/home", "/work") if os.path.exists(p)]
''', ["readable", "blocked", "files", "allowed", "present"])
    assert seen["readable"] == [], f"the sandbox can read {seen['readable']}"
    assert seen["blocked"] == ["torch", "nnlab.nn", "nnlab.optim", "nnlab.prune", "nnlab.course",
                               "sklearn.neural_network"]
    assert [f for f in seen["files"] if f != "__pycache__"] == sorted(["__init__.py", *policy.STUDENT_MODULES])
    assert len(seen["allowed"]) == 9
    assert seen["present"] == [], f"the sandbox sees {seen['present']}"


@needs_bwrap
def test_the_sandbox_writes_only_its_own_tmp_and_has_no_network(sandbox, tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    outside = tmp_path / "written-from-a-sandbox"
    try:
        seen = run(sandbox, f'''
import os, socket
written = []
for path in ("/tmp/mine", {str(outside)!r}, "/usr/x", "/nnlab/lib/nnlab/x.py", "/etc/x"):
    try:
        with open(path, "w") as f:
            f.write("x")
        written.append(path)
    except OSError:
        pass
connected = []
for host, port in (("127.0.0.1", {port}), ("1.1.1.1", 53)):
    try:
        socket.create_connection((host, port), timeout=1).close()
        connected.append(host)
    except OSError:
        pass
environment = sorted(os.environ)
''', ["written", "connected", "environment"])
    finally:
        server.close()
    assert seen["written"] == ["/tmp/mine"]
    assert not outside.exists() and not Path("/tmp/mine").exists()
    assert seen["connected"] == []
    assert set(seen["environment"]) <= set(policy.ENVIRONMENT) | {"PWD", "SHLVL", "_"}, seen["environment"]


@needs_bwrap
def test_a_forked_setsid_child_dies_with_its_sandbox(sandbox):
    before = set(sandbox_processes())
    running = sandbox.start()
    running.link.request("run", cell="fork", code='''
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(600)
    os._exit(0)
time.sleep(0.2)
''', names=[])
    assert len(set(sandbox_processes()) - before) >= 2  # the sandbox's program and the grandchild
    start = time.perf_counter()
    running.stop()
    assert time.perf_counter() - start < 5
    deadline = time.monotonic() + 5
    while set(sandbox_processes()) - before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not set(sandbox_processes()) - before, "a process of the sandbox outlived it"


@needs_bwrap
def test_killing_everything_from_one_sandbox_leaves_another_alone(sandbox):
    other = sandbox.start()
    try:
        other.link.request("run", cell="x", code="value = 41", names=[])
        run(sandbox, '''
import os, signal
for pid in range(1, 100000):
    if pid != os.getpid():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
''')
        found, decode = other.link.request("run", cell="y", code="value += 1", names=["value"])
        assert decode(found["value"]["d"]) == 42
    finally:
        other.stop()


@needs_bwrap
def test_a_fork_bomb_is_capped_by_the_process_limit(sandbox):
    if "pids" not in sandbox.cgroups.available and os.getuid() == 0:
        pytest.skip("no pids cgroup here and root ignores RLIMIT_NPROC")
    seen = run(sandbox, '''
import os, time
children = []
for _ in range(1000):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    children.append(pid)
count = len(children)
''', ["count"])
    assert 10 < seen["count"] < policy.PROCESSES


# --- the channel: data only ---

class FakeSandbox:
    """The grader's end of a channel whose other end the test writes by hand."""

    def __init__(self):
        self.ours, self.theirs = socket.socketpair()
        self.link = Link(self.ours)

    def reply(self, raw, then_close=False):
        threading.Thread(target=self._answer, args=(raw, then_close), daemon=True).start()

    def _answer(self, raw, then_close):
        self.theirs.recv(1 << 20)  # the request (ignored)
        self.theirs.sendall(raw)
        if then_close:
            self.theirs.shutdown(socket.SHUT_WR)


def frame(header, blobs=(), raw_header=None):
    body = raw_header if raw_header is not None else json.dumps(header).encode()
    parts = [struct.pack(">I", len(body)), body, struct.pack(">I", len(blobs))]
    for blob in blobs:
        parts += [struct.pack(">Q", len(blob)), blob]
    return b"".join(parts)


def pickled(path):
    import pickle

    class Boom:
        def __reduce__(self):
            return (open, (str(path), "w"))

    return pickle.dumps(Boom())


def object_npy(payload):
    header = b"{'descr': '|O', 'fortran_order': False, 'shape': (1,), }".ljust(117) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + payload


@pytest.mark.parametrize("kind", ["pickle in a value", "object .npy", "pickle as .npy", "unknown tag",
                                  "not JSON", "JSON too deep", "header too large", "too many arrays",
                                  "array too large", "truncated", "reply to another request"])
def test_the_grader_decodes_nothing_but_data(kind, tmp_path):
    mark = tmp_path / "unpickled"
    payload = pickled(mark)
    fake = FakeSandbox()
    fake.link.deadline = time.monotonic() + 5
    big = wire.array_bytes(np.zeros(policy.ARRAY_ELEMENTS + 1, dtype=np.uint8))
    raw = {
        "pickle in a value": frame({"re": 1, "ok": True, "value": {"p": payload.hex()}}),
        "object .npy": frame({"re": 1, "ok": True, "value": {"a": 0}}, [object_npy(payload)]),
        "pickle as .npy": frame({"re": 1, "ok": True, "value": {"a": 0}}, [payload]),
        "unknown tag": frame({"re": 1, "ok": True, "value": {"__reduce__": [1]}}),
        "not JSON": frame(None, raw_header=b"\x80\x04not json"),
        "JSON too deep": frame(None, raw_header=b'{"re": 1, "ok": true, "value": ' + b'{"l": [' * 5000
                               + b"1" + b"]}" * 5000 + b"}"),
        "header too large": struct.pack(">I", policy.MESSAGE_HEADER_BYTES + 1),
        "too many arrays": frame({"re": 1, "ok": True})[:-4] + struct.pack(">I", policy.MESSAGE_ARRAYS + 1),
        "array too large": frame({"re": 1, "ok": True, "value": {"a": 0}}, [big]),
        "truncated": frame({"re": 1, "ok": True, "value": 1})[:-3],
        "reply to another request": frame({"re": 7, "ok": True, "value": 1}),
    }[kind]
    fake.reply(raw, then_close=kind == "truncated")
    with pytest.raises((SandboxGone, remote.TestTimeout)):
        fake.link.request("call", target={"name": "f"}, args=[], kwargs={})
    assert not mark.exists(), "the grader unpickled what the sandbox sent"


@settings(max_examples=200)
@given(st.binary(max_size=400))
def test_any_bytes_from_a_sandbox_are_a_protocol_error_or_data(blob):
    """Whatever a sandbox writes, the reader returns data or raises ProtocolError, nothing else."""
    reader_sock, writer_sock = socket.socketpair()
    try:
        writer_sock.sendall(blob)
        writer_sock.shutdown(socket.SHUT_WR)
        reader = wire.Reader(reader_sock, policy.MESSAGE_HEADER_BYTES, policy.MESSAGE_BYTES, policy.MESSAGE_ARRAYS)
        try:
            header, blobs = reader.receive(time.monotonic() + 2)
            wire.Decoder(blobs, policy.ARRAY_ELEMENTS)(header.get("value"))
        except wire.ProtocolError:
            pass
    finally:
        reader_sock.close()
        writer_sock.close()


@settings(max_examples=200)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                    max_leaves=20))
def test_any_json_value_decodes_to_plain_data_or_a_protocol_error(value):
    try:
        decoded = wire.Decoder([], policy.ARRAY_ELEMENTS)(value)
    except wire.ProtocolError:
        return
    plain = (type(None), bool, int, float, str, list, tuple, dict, complex, slice, type(Ellipsis), np.ndarray,
             np.generic, np.dtype, np.random.Generator)

    def check(v):
        assert isinstance(v, plain), type(v)
        if isinstance(v, (list, tuple)):
            for item in v:
                check(item)
        if isinstance(v, dict):
            for key, item in v.items():
                check(key)
                check(item)

    check(decoded)


def test_the_grader_imports_no_unpickler():
    """No module of the grader's side imports pickle, marshal, shelve or multiprocessing's
    connections, and every np.load says allow_pickle=False."""
    forbidden = {"pickle", "marshal", "shelve", "dill", "cloudpickle", "multiprocessing.connection"}
    for name in ("grader", "remote", "wire", "sandbox", "policy", "report", "gradebook"):
        tree = ast.parse((ROOT / "lib" / "nnlab" / "course" / f"{name}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not {a.name for a in node.names} & forbidden, f"{name}.py imports {node.names[0].name}"
            if isinstance(node, ast.ImportFrom):
                assert node.module not in forbidden, f"{name}.py imports from {node.module}"
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in ("load", "read_array"):
                keywords = {k.arg: k.value for k in node.keywords}
                if "allow_pickle" in keywords:
                    assert isinstance(keywords["allow_pickle"], ast.Constant) and keywords["allow_pickle"].value is False


# --- grading a class, as an instructor does it ---

def copy_class(folder, **students):
    """students: name -> notebook path; written in nbgrader's <student>/<id>/<id>.ipynb layout."""
    for name, path in students.items():
        target = folder / name / ASSIGNMENT
        target.mkdir(parents=True)
        shutil.copy(path, target / f"{ASSIGNMENT}.ipynb")
    return folder


@needs_bwrap
def test_the_class_table_accumulates_and_records_are_reused(tmp_path):
    out, feedback = tmp_path / "grades", tmp_path / "feedback"
    first = copy_class(tmp_path / "first", ann=MASTER, bea=RELEASE)
    results, *_ = classroom.grade_class(ASSIGNMENT, first, root=ROOT, out=out, feedback=feedback, gradebook=False,
                                        echo=lambda *a: None)
    assert {r.student: r.score for r in results} == {"ann": 17, "bea": 0}
    second = copy_class(tmp_path / "second", cid=MASTER)
    lines = []
    classroom.grade_class(ASSIGNMENT, second, root=ROOT, out=out, feedback=feedback, gradebook=False,
                          echo=lines.append)
    with open(out / f"{ASSIGNMENT}.csv") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert {s: float(r["score"]) for s, r in rows.items()} == {"ann": 17, "bea": 0, "cid": 17}
    assert all(r["sandboxed"] == "yes" for r in rows.values())
    assert {p.parts[-3] for p in feedback.glob(f"*/{ASSIGNMENT}/{ASSIGNMENT}.html")} == {"ann", "bea", "cid"}
    # grading ann again reuses her record (same notebook, master and grader)
    start = time.perf_counter()
    lines = []
    classroom.grade_class(ASSIGNMENT, first, root=ROOT, out=out, feedback=feedback, gradebook=False, echo=lines.append)
    assert time.perf_counter() - start < 5
    assert not any(line.startswith("grading") for line in lines), lines


@needs_bwrap
def test_a_grader_failure_is_not_kept(tmp_path, monkeypatch):
    folder = copy_class(tmp_path / "class", ann=MASTER)
    real = classroom.grade_task

    def failing(*args):
        result = real(*args)
        result.update(status="error", reasons=["the sandbox could not start (a test)"])
        return result

    monkeypatch.setattr(classroom, "grade_task", failing)
    classroom.grade_class(ASSIGNMENT, folder, root=ROOT, out=tmp_path / "grades", feedback=tmp_path / "fb",
                          workers=1, gradebook=False, echo=lambda *a: None)
    assert not list((tmp_path / "grades" / ASSIGNMENT / "records").glob("*.json"))


@needs_bwrap
def test_the_cache_key_includes_the_grader_version(tmp_path, monkeypatch):
    folder = copy_class(tmp_path / "class", ann=RELEASE)
    kwargs = dict(root=ROOT, out=tmp_path / "grades", feedback=tmp_path / "fb", workers=1, gradebook=False)
    classroom.grade_class(ASSIGNMENT, folder, echo=lambda *a: None, **kwargs)
    from nnlab.course import grader

    monkeypatch.setattr(grader, "grader_version", lambda: "another version")
    lines = []
    classroom.grade_class(ASSIGNMENT, folder, echo=lines.append, **kwargs)
    assert any(line.startswith("grading 1 of 1") for line in lines), lines


@needs_bwrap
def test_killing_the_grader_midway_loses_nothing(tmp_path):
    folder = copy_class(tmp_path / "submitted", ann=MASTER, bea=RELEASE, cid=MASTER, dan=RELEASE)
    out = tmp_path / "grades"
    command = [sys.executable, "-m", "nnlab.course.cli", "grade", ASSIGNMENT, str(folder), "--out", str(out),
               "--workers", "1", "--no-gradebook"]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    records = out / ASSIGNMENT / "records"
    deadline = time.time() + 120
    while time.time() < deadline and not list(records.glob("*.json")):
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = list(records.glob("*.json"))
    assert 1 <= len(done_before) < 4
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    with open(out / f"{ASSIGNMENT}.csv") as f:
        rows = {r["student"]: float(r["score"]) for r in csv.DictReader(f)}
    assert rows == {"ann": 17, "bea": 0, "cid": 17, "dan": 0}
    assert not sandbox_processes()


def test_an_instructors_mistake_is_one_line(tmp_path, capsys):
    assert main(["grade", "a9_nothing", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "a1_backprop" in err[0] and "unknown assignment" in err[0]
    assert main(["grade", ASSIGNMENT, str(tmp_path / "missing")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    (tmp_path / "empty").mkdir()
    assert main(["grade", ASSIGNMENT, str(tmp_path / "empty")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no submissions" in err[0]


def test_without_bubblewrap_the_grader_refuses_in_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(policy, "bwrap_binary", lambda: None)
    copy_class(tmp_path / "class", ann=MASTER)
    assert main(["grade", ASSIGNMENT, str(tmp_path / "class"), "--out", str(tmp_path / "g"), "--no-gradebook"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bubblewrap" in err[0] and "--no-sandbox" in err[0]


def test_a_trusted_run_without_sandbox_marks_every_row(tmp_path, capsys):
    folder = copy_class(tmp_path / "class", ann=MASTER, bea=RELEASE)
    assert main(["grade", ASSIGNMENT, str(folder), "--out", str(tmp_path / "g"), "--no-gradebook",
                 "--no-sandbox", "--workers", "1"]) == 0
    assert "WITHOUT a sandbox" in capsys.readouterr().out
    with open(tmp_path / "g" / f"{ASSIGNMENT}.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["sandboxed"] for r in rows] == ["NO", "NO"]
    assert all("WITHOUT a sandbox" in r["reason"] for r in rows)
    assert {r["student"]: float(r["score"]) for r in rows} == {"ann": 17, "bea": 0}
