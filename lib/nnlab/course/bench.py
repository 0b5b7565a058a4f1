"""Speed of nnlab against torch on the CPU, measured in the same run.

Each case times one forward + backward pass of nnlab and of the torch twin with the same
weights and inputs, on one thread for both (BLAS and torch), and reports the medians of
`repeats` runs after a warm-up and their ratio nnlab / torch. `nnlab bench` prints the
table and writes it to build/bench.md. Nothing here asserts a time: the numbers are read.
"""
import statistics
import time
from contextlib import contextmanager

import numpy as np


@contextmanager
def single_thread():
    import torch
    from threadpoolctl import threadpool_limits

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with threadpool_limits(limits=1):
            yield
    finally:
        torch.set_num_threads(before)


def median_seconds(*fns, repeats=7, warmup=2):
    """Median seconds of each function; the functions take turns, so a burst of load on a
    shared machine hits both sides of a ratio alike."""
    for _ in range(warmup):
        for fn in fns:
            fn()
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, record in zip(fns, times):
            start = time.perf_counter()
            fn()
            record.append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def to_torch(array, requires_grad=False):
    import torch

    return torch.tensor(np.asarray(array), requires_grad=requires_grad)


def torch_dtype(dtype):
    import torch

    return {np.float32: torch.float32, np.float64: torch.float64}[np.dtype(dtype).type]


# --- cases: each returns (nnlab_step, torch_step), two callables doing the same work ---

def mlp_case(dtype, batch=256):
    """MLP 784 -> 256 -> ReLU -> 10 with cross-entropy, forward + backward."""
    import torch

    from .. import nn
    from ..module import Sequential

    rng = np.random.default_rng(0)
    model = Sequential(nn.Linear(784, 256, dtype=dtype, rng=rng), nn.ReLU(),
                       nn.Linear(256, 10, dtype=dtype, rng=rng))
    crit = nn.CrossEntropyLoss()
    x = rng.standard_normal((batch, 784)).astype(dtype)
    y = rng.integers(0, 10, batch)

    twin = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    twin.to(torch_dtype(dtype))
    twin.load_state_dict({k: to_torch(v) for k, v in model.state_dict().items()})
    # nnlab's backward always returns dL/dx, so torch computes it too: the same work
    xt, yt = to_torch(x, requires_grad=True), torch.tensor(y)

    def ours():
        model.zero_grad()
        crit.forward(model.forward(x), y)
        model.backward(crit.backward())

    def theirs():
        twin.zero_grad()
        xt.grad = None
        torch.nn.functional.cross_entropy(twin(xt), yt).backward()

    return ours, theirs


def conv_case(dtype, batch=64):
    """Conv2d 8 -> 16, 3x3, padding 1, on 28x28 images: forward + backward of a fixed dL/dy."""
    import torch

    from ..nn.conv import Conv2d

    rng = np.random.default_rng(0)
    layer = Conv2d(8, 16, 3, padding=1, dtype=dtype, rng=rng)
    x = rng.standard_normal((batch, 8, 28, 28)).astype(dtype)
    grad_y = rng.standard_normal((batch, 16, 28, 28)).astype(dtype)

    twin = torch.nn.Conv2d(8, 16, 3, padding=1).to(torch_dtype(dtype))
    twin.load_state_dict({k: to_torch(v) for k, v in layer.state_dict().items()})
    # nnlab's backward always returns dL/dx, so torch computes it too: the same work
    xt, grad_yt = to_torch(x, requires_grad=True), to_torch(grad_y)

    def ours():
        layer.zero_grad()
        layer.forward(x)
        layer.backward(grad_y)

    def theirs():
        twin.zero_grad()
        xt.grad = None
        twin(xt).backward(grad_yt)

    return ours, theirs


def recurrent_case(kind, dtype, input_size=16, hidden=64, steps=50, batch=32):
    """LSTM or GRU input_size -> hidden over `steps` steps, forward + backward with a fixed
    dL/d(output); nnlab's GRU runs with reset_after=True, the form torch computes."""
    import torch

    from ..nn.recurrent import GRU, LSTM

    rng = np.random.default_rng(0)
    if kind == "LSTM":
        model, twin = LSTM(input_size, hidden, dtype=dtype, rng=rng), torch.nn.LSTM
    else:
        model, twin = GRU(input_size, hidden, reset_after=True, dtype=dtype, rng=rng), torch.nn.GRU
    twin = twin(input_size, hidden, batch_first=True).to(torch_dtype(dtype))
    twin.load_state_dict({k: to_torch(v) for k, v in model.state_dict().items()})
    x = rng.standard_normal((batch, steps, input_size)).astype(dtype)
    grad = rng.standard_normal((batch, steps, hidden)).astype(dtype)
    # nnlab's backward always returns dL/dx, so torch computes it too: the same work
    xt, gradt = to_torch(x, requires_grad=True), to_torch(grad)

    def ours():
        model.zero_grad()
        model.forward(x)
        model.backward(grad)

    def theirs():
        twin.zero_grad()
        xt.grad = None
        twin(xt)[0].backward(gradt)

    return ours, theirs


CASES = {
    "MLP 784-256-10, CE, batch 256, float32": lambda: mlp_case(np.float32),
    "MLP 784-256-10, CE, batch 256, float64": lambda: mlp_case(np.float64),
    # --- conv cases ---
    "Conv2d 8->16, 3x3, pad 1, 28x28, batch 64, float32": lambda: conv_case(np.float32),
    # --- recurrent cases ---
    "LSTM 16->64, 50 steps, batch 32, float32": lambda: recurrent_case("LSTM", np.float32),
    "GRU 16->64, 50 steps, batch 32, float32": lambda: recurrent_case("GRU", np.float32),
}


def run(cases=None, repeats=7, out="build/bench.md", echo=print):
    """Time every case; return the rows and write a Markdown table to `out`."""
    import os

    rows = []
    with single_thread():
        for name, make in (cases or CASES).items():
            ours, theirs = make()
            t_ours, t_theirs = median_seconds(ours, theirs, repeats=repeats)
            rows.append((name, t_ours * 1e3, t_theirs * 1e3, t_ours / t_theirs))
            echo(f"{name}: nnlab {t_ours * 1e3:.2f} ms, torch {t_theirs * 1e3:.2f} ms, "
                 f"ratio {t_ours / t_theirs:.2f}")
    table = ["| case (forward + backward, 1 thread) | nnlab ms | torch ms | nnlab / torch |",
             "|---|---:|---:|---:|"]
    table += [f"| {n} | {a:.2f} | {b:.2f} | {r:.2f} |" for n, a, b, r in rows]
    text = f"# nnlab benchmarks\n\nMedian of {repeats} runs after warm-up, same process.\n\n" + \
        "\n".join(table) + "\n"
    if out:
        os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
        with open(out, "w") as f:
            f.write(text)
    return rows


def grading(students=50, out="build/bench.md", echo=print, workers=None, assignments=None, cluster=True):
    """Grade a class of `students` copies of each master (every visible and hidden test runs:
    the slowest class there is) on this machine's cores, and again on a local Dask cluster
    with as many workers; append the seconds per submission to `out`."""
    import os
    import shutil
    import tempfile
    from pathlib import Path

    from . import classroom
    from .assignments import assignment_ids

    cores = workers or os.cpu_count()
    rows = []
    for assignment in assignments or assignment_ids():
        with tempfile.TemporaryDirectory() as tmp:
            for i in range(students):
                shutil.copy(Path("solutions", assignment, f"{assignment}.ipynb"), Path(tmp, f"student{i:03d}.ipynb"))
            times = {}
            start = time.perf_counter()
            classroom.grade_class(assignment, tmp, root=".", out=Path(tmp, "local"), feedback=Path(tmp, "fb1"),
                                  workers=cores, gradebook=False, echo=lambda *a: None)
            times["local"] = time.perf_counter() - start
            if cluster:
                import dask.config
                from distributed import LocalCluster

                with dask.config.set(classroom.dask_settings()), \
                        LocalCluster(n_workers=cores, threads_per_worker=1, dashboard_address=None) as local_cluster:
                    start = time.perf_counter()
                    classroom.grade_class(assignment, tmp, root=".", out=Path(tmp, "dask"), feedback=Path(tmp, "fb2"),
                                          scheduler=local_cluster.scheduler_address, gradebook=False,
                                          echo=lambda *a: None)
                    times["dask"] = time.perf_counter() - start
        dask = f"{times['dask'] / students:.2f} | {times['dask'] / times['local']:.2f}" if "dask" in times else "- | -"
        rows.append(f"| {assignment} | {students} | {cores} | {times['local'] / students:.2f} | {dask} |")
        echo(f"grading {students} copies of the {assignment} master on {cores} cores: "
             f"{times['local'] / students:.2f} s per submission"
             + (f"; on a {cores}-worker Dask cluster {times['dask'] / students:.2f} s "
                f"({times['dask'] / times['local']:.2f} x)" if "dask" in times else ""))
    if out:
        with open(out, "a") as f:
            f.write("\n## Grading a class (copies of the master: every test runs)\n\n"
                    "| assignment | submissions | cores | s per submission | on Dask | Dask / local |\n"
                    "|---|---:|---:|---:|---:|---:|\n" + "\n".join(rows) + "\n")
    return rows
