"""`make course`: execute every lecture into build/lectures/ and render the site from them."""
import re
import time
from pathlib import Path

NOTEBOOK_BUDGET_S = 120  # every notebook must run in this on 2 CPU cores


def execute_notebook(source, target, timeout=600):
    """Run a notebook top to bottom in its own folder; save it with outputs to target.

    Returns (status, seconds, message): status 'ok' or 'error' (message: the failing
    cell's error name and value).
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    nb = nbformat.read(source, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(Path(source).parent)}})
    start = time.perf_counter()
    status, message = "ok", ""
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError) as error:
        status = "error"
        text = re.sub(r"\x1b\[[0-9;]*m", "", str(error)).strip()  # drop terminal colours
        message = text.splitlines()[-1] if text else type(error).__name__
    seconds = time.perf_counter() - start
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return status, seconds, message


def run_course(lectures="lectures", build="build", glossary="course/glossary.md", echo=print):
    """Execute lectures/*.ipynb into build/lectures/, render the site; return the table's rows."""
    notebooks = sorted(Path(lectures).glob("*.ipynb"))
    rows = []
    echo(f"{'notebook':<40} {'status':<8} {'seconds':>8}")
    for nb in notebooks:
        status, seconds, message = execute_notebook(nb, Path(build) / "lectures" / nb.name)
        if status == "ok" and seconds > NOTEBOOK_BUDGET_S:
            status, message = "slow", f"over the {NOTEBOOK_BUDGET_S} s budget"
        rows.append((nb.name, status, seconds, message))
        echo(f"{nb.name:<40} {status:<8} {seconds:>8.1f}" + (f"  {message}" if message else ""))
    total = sum(r[2] for r in rows)
    echo(f"{'total':<40} {'':<8} {total:>8.1f}")
    from .site import render_site

    index = render_site(Path(build) / "lectures", Path(build) / "site", glossary)
    echo(f"site: {index}")
    return rows
