"""Grading a class: `nnlab grade ASSIGNMENT SUBMISSIONS [--scheduler tcp://HOST:PORT]`.

Finds the submissions (nbgrader's <student>/<id>/<id>.ipynb, or flat <student>.ipynb),
grades each in its own sandbox — on this machine's cores, or on a Dask distributed cluster
(the sandbox runs on the worker; the result comes back as data; a worker lost in the middle
is replaced by another) — and then, in this process only:

- keeps a record per student (course/grades/<id>/records/<student>.json, the instructor's,
  with everything the grader saw) and reuses it while the submission, the master and the
  grader are unchanged; results of a grader failure (status "error") are never kept;
- updates the class table course/grades/<id>.csv (grading some students updates their rows
  and keeps the others) and the class report course/grades/<id>-report.html;
- writes each student's feedback page where nbgrader's release_feedback looks for it
  (course/feedback/<student>/<id>/<id>.html), and removes pages of students not in the table;
- records the scores in the course's nbgrader gradebook (nnlab.course.gradebook).
"""
import hashlib
import json
import os
import shutil
import time
from pathlib import Path

from . import report
from .grader import Assignment, GradingError, Result, grade_notebook

_SANDBOXES, _ASSIGNMENTS = {}, {}


def find_submissions(folder, assignment_id):
    """{student: notebook path}."""
    folder = Path(folder)
    if not folder.is_dir():
        raise GradingError(f"no folder {folder} (expected the submissions of {assignment_id} in it)")
    found = {}
    for path in sorted(folder.glob(f"*/{assignment_id}/{assignment_id}.ipynb")):
        found.setdefault(path.parts[-3], path)
    for path in sorted(folder.glob("*.ipynb")):
        found.setdefault(path.stem, path)
    if not found:
        raise GradingError(f"no submissions of {assignment_id} in {folder} (expected "
                           f"<student>/{assignment_id}/{assignment_id}.ipynb or <student>.ipynb)")
    return found


def grade_task(assignment_id, master, student, data, isolated=True):
    """Grade one submission (runs in a worker: this machine's or a Dask worker). Data in, data out."""
    from .sandbox import Sandbox

    key = hashlib.sha256(master).hexdigest()
    if key not in _ASSIGNMENTS:
        _ASSIGNMENTS[key] = Assignment.from_bytes(assignment_id, master)
    if isolated not in _SANDBOXES:
        _SANDBOXES[isolated] = Sandbox(isolated=isolated)
    return grade_notebook(_ASSIGNMENTS[key], student, data, _SANDBOXES[isolated]).to_dict()


def dask_settings(root="."):
    """The Dask settings of the grading workers (course/dask/grading.yaml) as {"dotted.key": value},
    for `dask.config.set(...)` around a cluster started in this process (a nested dict there
    would replace whole sections of Dask's defaults)."""
    import dask.config

    def flat(tree, prefix=""):
        for key, value in tree.items():
            yield from flat(value, f"{prefix}{key}.") if isinstance(value, dict) else [(prefix + key, value)]

    return dict(flat(dask.config.collect([str(Path(root) / "course" / "dask")], env={})))


def _worker_start():
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the class, not each worker's sandbox


def _run(tasks, workers, scheduler):
    """Yield (index, result of grade_task) for each task tuple as soon as it is graded."""
    if scheduler:
        from distributed import Client, as_completed

        with Client(scheduler, timeout="20s") as client:
            futures = {client.submit(grade_task, *task, pure=False, retries=1): i for i, task in enumerate(tasks)}
            for future in as_completed(futures):
                yield futures[future], future.result()
        return
    if workers == 1 or len(tasks) == 1:
        for i, task in enumerate(tasks):
            yield i, grade_task(*task)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["nnlab.course.classroom", "nnlab.course.sandbox", "nnlab.testing", "nnlab.nn"])
    todo = dict(enumerate(tasks))
    for _ in range(3):  # a worker that dies takes its pool down: the rest go to a new pool
        try:
            with ProcessPoolExecutor(min(workers, len(todo)), mp_context=context, initializer=_worker_start) as pool:
                futures = {pool.submit(grade_task, *task): i for i, task in todo.items()}
                for future in as_completed(futures):
                    i = futures[future]
                    result = future.result()
                    del todo[i]
                    yield i, result
            return
        except BrokenProcessPool:
            continue
    for i, task in list(todo.items()):  # the last resort: one at a time, here
        yield i, grade_task(*task)


def grade_class(assignment_id, submissions, root=".", out=None, feedback=None, workers=None, scheduler=None,
                isolated=True, gradebook=True, db_url=None, autograded=None, echo=print, progress=False):
    """Grade a folder of submissions; returns this run's Results (reused ones included).
    progress: show a progress bar (on stderr) while the submissions are graded."""
    root = Path(root)
    assignment = Assignment.load(assignment_id, root)
    master_path = root / "solutions" / assignment_id / f"{assignment_id}.ipynb"
    master = master_path.read_bytes()
    found = find_submissions(submissions, assignment_id)
    out = Path(out or root / "course" / "grades")
    feedback = Path(feedback or root / "course" / "feedback")
    records = out / assignment_id / "records"
    records.mkdir(parents=True, exist_ok=True)
    isolated_flag = bool(isolated)
    if isolated_flag:
        from .policy import NO_BWRAP, bwrap_binary

        if bwrap_binary() is None:
            raise GradingError(NO_BWRAP)

    data = {student: path.read_bytes() for student, path in found.items()}
    results, todo = {}, []
    for student, notebook in data.items():
        digest = hashlib.sha256(notebook + assignment.digest.encode() + str(isolated_flag).encode()).hexdigest()
        saved = records / f"{student}.json"
        if saved.exists():
            try:
                record = json.loads(saved.read_text())
                if record.get("digest") == digest:
                    results[student] = Result.from_dict(record["result"])
                    continue
            except (ValueError, KeyError, TypeError):
                pass
        todo.append((student, digest))
    start = time.perf_counter()
    if todo:
        where = f"the Dask cluster at {scheduler}" if scheduler else f"{workers or os.cpu_count()} local workers"
        echo(f"grading {len(todo)} of {len(data)} submissions of {assignment_id} on {where}"
             + (f" ({len(data) - len(todo)} unchanged, reused)" if len(data) > len(todo) else ""))
        tasks = [(assignment_id, master, student, data[student], isolated_flag) for student, _ in todo]
        retry = []
        from tqdm import tqdm

        graded = tqdm(_run(tasks, workers or os.cpu_count() or 1, scheduler), total=len(tasks), unit="submission",
                      disable=not progress, leave=False)
        for i, result in graded:
            if result["status"] == "error":  # the grader's own failure (a sandbox that could not start ...)
                retry.append(i)
                continue
            _keep(todo[i], result, results, records)
        for i in retry:  # once more, one at a time; an error now is reported, and not kept
            _keep(todo[i], grade_task(*tasks[i]), results, records)
    seconds = time.perf_counter() - start

    table_path = out / f"{assignment_id}.csv"
    table = report.read_table(table_path)
    table.update({s: report.row_of(r) for s, r in results.items()})
    report.write_table(table_path, table)
    everyone = []
    for student in table:
        if student in results:
            everyone.append(results[student])
        elif (records / f"{student}.json").exists():
            everyone.append(Result.from_dict(json.loads((records / f"{student}.json").read_text())["result"]))
    for result in results.values():
        page = feedback / result.student / assignment_id / f"{assignment_id}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(page, report.feedback_html(assignment, result, data[result.student]))
        for name in ("timestamp.txt", "submission_secret.txt"):  # what `nbgrader release_feedback` needs
            source = found[result.student].parent / name
            if source.is_file():
                shutil.copyfile(source, page.parent / name)
    for page in feedback.glob(f"*/{assignment_id}/{assignment_id}.html"):
        if page.parts[-3] not in table:
            page.unlink()
    rows = report.summary(assignment, everyone)
    _write_atomic(out / f"{assignment_id}-report.html", report.summary_html(assignment, rows, table))
    if gradebook:
        from .gradebook import record

        stamps = {s: (found[s].parent / "timestamp.txt").read_text() for s in results
                  if (found[s].parent / "timestamp.txt").is_file()}
        record(assignment, list(results.values()), data,
               db_url or f"sqlite:///{(root / 'course' / 'gradebook.db').resolve()}", master_path,
               autograded or root / "course" / "autograded", timestamps=stamps)
    return list(results.values()), rows, seconds, table_path


def _keep(entry, result, results, records):
    """A fresh result: into this run's results and, unless it is the grader's failure, into the
    student's record at once (so a grader killed midway loses nothing already graded)."""
    student, digest = entry
    result = Result.from_dict(result)
    results[student] = result
    if result.status != "error":
        _write_atomic(records / f"{student}.json", json.dumps({"digest": digest, "result": result.to_dict()}))


def _write_atomic(path, text):
    tmp = Path(str(path) + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
