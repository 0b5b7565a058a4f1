"""`make course`: execute every lecture into build/lectures/ and render the site from them.

The kernels run quietly: with NNLAB_QUIET=1 (nnlab.fit draws no progress bar), over local IPC
sockets instead of TCP (ipykernel warns about unencrypted TCP at every start), and whatever
progress bars a notebook still draws itself (tqdm on stderr, or as a widget) are removed from
the saved outputs, which the site shows.
"""
import os
import re
import tempfile
import time
from pathlib import Path

NOTEBOOK_BUDGET_S = 120  # every notebook must run in this on 2 CPU cores

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# a tqdm line: "42%|████▏     | 21/50 [00:01<00:02, 12.3it/s, loss=0.1]" (the bar may be empty,
# the counts or the rate may be missing, as in "?it/s")
PROGRESS = re.compile(r"\d+%\|.*\||\|\s*\d+/\d+\s*\[|[\d.?]+\s*(?:it/s|s/it)\b")
WIDGET = "application/vnd.jupyter.widget-view+json"


def strip_progress(text):
    """Stderr text as a terminal would leave it, without progress-bar lines.

    Each line keeps what follows its last carriage return (a bar redraws itself with \\r);
    lines that then look like a tqdm bar, and empty lines, are dropped.
    """
    kept = []
    for line in ANSI.sub("", text).split("\n"):
        shown = line.rsplit("\r", 1)[-1]
        if shown.strip() and not PROGRESS.search(shown):
            kept.append(shown)
    return "\n".join(kept) + "\n" if kept else ""


def clean_outputs(nb):
    """Drop progress bars from a notebook's outputs, in place: stderr streams are cleaned with
    strip_progress (consecutive ones joined first, as they are one terminal), and widget
    displays (tqdm.notebook), which a static page cannot show, are removed."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in cell.get("outputs", []):
            if output.output_type in ("display_data", "execute_result") and WIDGET in output.get("data", {}):
                continue
            if (output.output_type == "stream" and output.name == "stderr" and outputs
                    and outputs[-1].output_type == "stream" and outputs[-1].name == "stderr"):
                outputs[-1].text += output.text
                continue
            outputs.append(output)
        for output in outputs:
            if output.output_type == "stream" and output.name == "stderr":
                output.text = strip_progress(output.text)
        cell.outputs = [o for o in outputs if not (o.output_type == "stream" and o.name == "stderr" and not o.text)]
    nb.metadata.pop("widgets", None)
    return nb


def execute_notebook(source, target, timeout=600, env=None):
    """Run a notebook top to bottom in its own folder; save it with outputs to target.

    The kernel gets os.environ plus NNLAB_QUIET=1 and `env` (a dict, optional); progress bars
    are removed from the saved outputs (clean_outputs).
    Returns (status, seconds, message): status 'ok' or 'error' (message: the failing
    cell's error name and value).
    """
    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    nb = nbformat.read(source, as_version=4)
    kernel_env = {**os.environ, "NNLAB_QUIET": "1", **(env or {})}
    start = time.perf_counter()
    status, message = "ok", ""
    with tempfile.TemporaryDirectory(prefix="nnlab-kernel-") as sockets:
        # IPC sockets in a private folder: nothing listens on the network, nothing warns
        km = KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(sockets, "kernel"))
        client = NotebookClient(nb, km=km, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(Path(source).parent)}})
        try:
            client.execute(env=kernel_env)
        except (CellExecutionError, CellTimeoutError) as error:
            status = "error"
            text = ANSI.sub("", str(error)).strip()  # drop terminal colours
            message = text.splitlines()[-1] if text else type(error).__name__
    seconds = time.perf_counter() - start
    clean_outputs(nb)
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return status, seconds, message


def run_course(lectures="lectures", build="build", glossary="course/glossary.md", echo=print,
               assignments="assignments"):
    """Execute lectures/*.ipynb into build/lectures/, render the site; return the table's rows."""
    notebooks = sorted(Path(lectures).glob("*.ipynb"))
    executed = Path(build) / "lectures"
    for stale in executed.glob("*.ipynb"):  # a lecture renamed or removed since the last build
        if stale.name not in {nb.name for nb in notebooks}:
            stale.unlink()
    rows = []
    echo(f"{'notebook':<40} {'status':<8} {'seconds':>8}")
    for nb in notebooks:
        status, seconds, message = execute_notebook(nb, executed / nb.name)
        if status == "ok" and seconds > NOTEBOOK_BUDGET_S:
            status, message = "slow", f"over the {NOTEBOOK_BUDGET_S} s budget"
        rows.append((nb.name, status, seconds, message))
        echo(f"{nb.name:<40} {status:<8} {seconds:>8.1f}" + (f"  {message}" if message else ""))
    total = sum(r[2] for r in rows)
    echo(f"{'total':<40} {'':<8} {total:>8.1f}")
    echo(f"status: ok | error (a cell failed; its error is shown) | slow (it ran, but over the "
         f"{NOTEBOOK_BUDGET_S} s a lecture should take on 2 cores); executed notebooks in {executed}")
    from .site import render_site

    start = time.perf_counter()
    index = render_site(executed, Path(build) / "site", glossary, assignments, echo=echo)
    echo(f"site: {index} ({time.perf_counter() - start:.1f} s)")
    return rows
