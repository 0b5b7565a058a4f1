"""`nnlab grade ... --scheduler tcp://HOST:PORT`: the submissions are graded on the workers of
a Dask distributed cluster (each in its own sandbox there) with the same results as on this
machine's cores; a worker lost in the middle means a retry elsewhere, not a failure; only
the grading process writes the records and the gradebook."""
import os
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest

from nnlab.course import classroom
from nnlab.course.policy import bwrap_binary

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "a1_backprop"
MASTER = ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
RELEASE = ROOT / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
EXAMPLE = ROOT / "course" / "example_class" / ASSIGNMENT
pytestmark = pytest.mark.skipif(bwrap_binary() is None, reason="bubblewrap is not installed")


@pytest.fixture(scope="module")
def cluster():
    import dask.config
    from distributed import LocalCluster

    with dask.config.set(classroom.dask_settings(ROOT)), LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        yield local


def a_class(folder, students):
    folder.mkdir()
    for name, path in students.items():
        shutil.copy(path, folder / f"{name}.ipynb")
    return folder


def test_a_cluster_grades_as_this_machine_does(cluster, tmp_path):
    students = {"ann": MASTER, "bea": RELEASE, "carol": EXAMPLE / "carol_wrong_backward.ipynb",
                "peggy": EXAMPLE / "peggy_forges_replies.ipynb"}
    folder = a_class(tmp_path / "class", students)
    here, *_ = classroom.grade_class(ASSIGNMENT, folder, root=ROOT, out=tmp_path / "local", feedback=tmp_path / "f1",
                                     workers=2, gradebook=False, echo=lambda *a: None)
    there, *_ = classroom.grade_class(ASSIGNMENT, folder, root=ROOT, out=tmp_path / "dask", feedback=tmp_path / "f2",
                                      scheduler=cluster.scheduler_address, gradebook=True,
                                      db_url=f"sqlite:///{tmp_path / 'gradebook.db'}",
                                      autograded=tmp_path / "autograded", echo=lambda *a: None)
    summary = {r.student: (r.score, r.status, {g: e["points"] for g, e in r.tests.items()}) for r in here}
    assert {r.student: (r.score, r.status, {g: e["points"] for g, e in r.tests.items()}) for r in there} == summary
    assert summary["ann"][0] == 17 and summary["bea"][0] == 0 and summary["carol"][0] == 14 and summary["peggy"][0] == 0
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gb:
        assert {s.student.id: s.score for s in gb.assignment_submissions(ASSIGNMENT)} == \
            {name: score for name, (score, _, _) in summary.items()}


def test_a_worker_lost_midway_is_a_retry_not_a_failure(cluster, tmp_path):
    from distributed import Client

    folder = a_class(tmp_path / "class", {f"s{i}": MASTER for i in range(6)})
    with Client(cluster.scheduler_address) as client:
        pids = client.run(os.getpid)
    outcome = {}

    def grade():
        outcome["results"], *_ = classroom.grade_class(ASSIGNMENT, folder, root=ROOT, out=tmp_path / "grades",
                                                       feedback=tmp_path / "fb", scheduler=cluster.scheduler_address,
                                                       gradebook=False, echo=lambda *a: None)

    worker = threading.Thread(target=grade)
    worker.start()
    time.sleep(2.0)  # the first submissions are being graded on both workers
    os.kill(next(iter(pids.values())), signal.SIGKILL)
    worker.join(600)
    assert not worker.is_alive()
    results = outcome["results"]
    assert sorted(r.student for r in results) == [f"s{i}" for i in range(6)]
    assert all((r.score, r.status) == (17, "graded") for r in results), [(r.student, r.score, r.reasons) for r in results]


def test_the_workers_settings_are_dask_settings_and_reach_the_workers(cluster):
    """A misspelt key in course/dask/grading.yaml would be ignored by Dask without a word."""
    import dask.config
    from distributed import Client

    settings = classroom.dask_settings(ROOT)
    assert settings == {"distributed.worker.profile.enabled": False,
                        "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
    defaults = dask.config.merge(*dask.config.defaults)  # Dask's own, without this machine's files
    for key in settings:
        assert dask.config.get(key, config=defaults, default=KeyError) is not KeyError, f"{key} is not a Dask setting"
    with Client(cluster.scheduler_address) as client:
        assert set(client.run(lambda dask_worker: "profile" in dask_worker.periodic_callbacks).values()) == {False}
        assert set(client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_")).values()) == {None}
