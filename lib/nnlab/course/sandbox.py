"""The process that runs one submission for the grader.

The grader forks it from a forkserver that has imported numpy, scikit-learn and nnlab once
(importing them takes seconds; forking takes milliseconds). `serve(conn, ...)` receives one
request at a time over a multiprocessing connection, runs the code in one namespace and
answers; what the code prints is captured, so it can not disturb the protocol. Requests:
{"code": str, "kind": "trusted" | "student" | "test", "hidden": bool}. The grader sends
hidden test code only when it is about to run, so no student cell runs while hidden code
is in this process.

After every student cell it compares the objects the tests rely on (numpy's functions,
numpy.testing, builtins, nnlab.testing and nnlab.gradcheck, and the notebook names that
trusted cells bound) with a snapshot taken before, restores any that changed and reports
them: a run-time second line behind the static audit.
"""
import builtins
import contextlib
import io
import os
import sys
import traceback
import types

PROTECTED_MODULES = ("numpy", "numpy.testing", "numpy.linalg", "builtins", "nnlab.testing",
                     "nnlab.gradcheck", "nnlab.module")


def _snapshot():
    return {name: dict(vars(sys.modules[name])) for name in PROTECTED_MODULES if name in sys.modules}


def _restore(snapshot, namespace, trusted):
    """Put back changed module attributes and trusted notebook names; return what changed."""
    changed = []
    for name, saved in snapshot.items():
        current = vars(sys.modules[name])
        for attr, value in saved.items():
            if current.get(attr, _MISSING) is not value:
                changed.append(f"{name}.{attr}")
                setattr(sys.modules[name], attr, value)
    for attr, value in trusted.items():
        if namespace.get(attr, _MISSING) is not value:
            changed.append(attr)
            namespace[attr] = value
    return changed


_MISSING = object()


def _exit_with_parent():
    """Die when the forkserver does (the grader was killed): no orphan keeps computing."""
    import threading
    import time

    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def serve(conn, workdir=None, memory_limit=None, cpu_limit=None):
    """Run requests from conn until it closes. Called in a fresh child process."""
    import resource

    os.setsid()  # own process group: the grader kills it with any children on a timeout
    _exit_with_parent()
    if memory_limit:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    if cpu_limit:  # a backstop behind the grader's wall-clock limit
        resource.setrlimit(resource.RLIMIT_CPU, (int(cpu_limit), int(cpu_limit) + 5))
    if workdir:
        os.chdir(workdir)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # C-level prints of the code go nowhere
    os.dup2(devnull, 2)
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    trusted = {}  # notebook names bound by the assignment's own cells
    snapshot = None
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request["kind"] == "student" and snapshot is None:
            snapshot = _snapshot()
        before = dict(namespace)
        out = io.StringIO()
        reply = {"ok": True}
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                exec(compile(request["code"], "<cell>", "exec"), namespace)
        except BaseException as error:  # noqa: BLE001 - a cell may raise anything, even SystemExit
            reply = {"ok": False, "error": type(error).__name__, "message": str(error)[:2000]}
            if not request.get("hidden"):
                # from the cell down: the sandbox's own frame is not the student's business
                frames = error.__traceback__.tb_next if error.__traceback__ else None
                reply["traceback"] = "".join(traceback.format_exception(type(error), error, frames))[-4000:]
        if request["kind"] != "student":
            # setup cells' names, and the helpers (functions, modules) that test cells define
            trusted.update({k: v for k, v in namespace.items()
                            if not k.startswith("__") and before.get(k, _MISSING) is not v
                            and (request["kind"] == "trusted" or isinstance(v, (types.FunctionType, types.ModuleType)))})
        if snapshot is not None:
            reply["tampered"] = _restore(snapshot, namespace, trusted)
        reply["output"] = out.getvalue()[-2000:]
        request = before = None  # drop hidden code as soon as it has run
        conn.send(reply)


def preload():
    """What the forkserver imports once for every submission."""
    import numpy  # noqa: F401
    import sklearn.datasets  # noqa: F401
    import sklearn.model_selection  # noqa: F401

    import nnlab  # noqa: F401
    import nnlab.testing  # noqa: F401
