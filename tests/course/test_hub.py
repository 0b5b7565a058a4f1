"""A class on JupyterHub, end to end, as it happens in a course: the try-out hub of
course/hub/ starts with an instructor and three students (local system users); the
instructor releases a1 from formgrader; each student fetches it in the Assignments tab,
fills it in (all answers, half of them, none) and submits; the instructor collects,
grades with `nnlab grade` in a terminal of theirs, and releases the feedback, which each
student fetches. The grades are checked in the gradebook and through formgrader's API.

Needs root (the hub starts each user's server as that user), useradd and
configurable-http-proxy (npm); it skips, saying which is missing, where they are not.
"""
import html
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "a1_backprop"
INSTRUCTOR, STUDENTS = "nnlabteacher", ["nnlabstudent1", "nnlabstudent2", "nnlabstudent3"]

def _missing():
    from nnlab.course.policy import bwrap_binary

    checks = (("root", os.getuid() == 0), ("useradd", shutil.which("useradd")),
              ("configurable-http-proxy (npm)", shutil.which("configurable-http-proxy")),
              ("bubblewrap", bwrap_binary()))
    return [what for what, ok in checks if not ok]


pytestmark = pytest.mark.skipif(bool(_missing()), reason=f"the hub test needs {', '.join(_missing())}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Hub:
    def __init__(self, port, token):
        import requests

        self.base, self.session = f"http://127.0.0.1:{port}", requests.Session()
        self.session.headers["Authorization"] = f"token {token}"

    def api(self, method, path, **kwargs):
        response = self.session.request(method, f"{self.base}/hub/api/{path}", timeout=60, **kwargs)
        assert response.status_code < 400, f"{method} {path}: {response.status_code} {response.text[:300]}"
        return response

    def user(self, name, method, path, ok=True, **kwargs):
        response = self.session.request(method, f"{self.base}/user/{name}/{path}", timeout=120, **kwargs)
        if ok:
            assert response.status_code < 400, f"{name}: {method} {path}: {response.status_code} {response.text[:500]}"
        return response

    def start_server(self, name):
        self.api("POST", f"users/{name}/server")

    def wait_ready(self, name, seconds=120):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            server = self.api("GET", f"users/{name}").json().get("servers", {}).get("")
            if server and server.get("ready"):
                return
            time.sleep(0.5)
        raise AssertionError(f"the server of {name} did not start in {seconds} s")


def filled(master, release, answers):
    """The release with the master's answer cells for `answers` (grade ids)."""
    solutions = {c["metadata"]["nbgrader"]["grade_id"]: c["source"] for c in master["cells"]
                 if c["metadata"].get("nbgrader", {}).get("solution")}
    nb = json.loads(json.dumps(release))
    for cell in nb["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell["source"] = solutions[grade_id]
    return nb


@pytest.fixture(scope="module")
def hub():
    from nnlab.course import hub as nnlab_hub

    root = Path(tempfile.mkdtemp(prefix="nnlab-hub-", dir="/tmp"))
    port, token = free_port(), secrets.token_hex(16)
    env = nnlab_hub.prepare(root, INSTRUCTOR, STUDENTS, assignments=[ASSIGNMENT])
    env.update({"NNLAB_HUB_PORT": str(port), "NNLAB_HUB_PASSWORD": secrets.token_hex(8),
                "NNLAB_HUB_ADMIN_PASSWORD": secrets.token_hex(16), "NNLAB_HUB_SERVICE_TOKEN": token})
    log = open(root / "hub.log", "w")
    process = subprocess.Popen(nnlab_hub.command(port), cwd=root, env={**os.environ, **env}, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    client = Hub(port, token)
    deadline = time.monotonic() + 60
    while True:
        try:
            if client.session.get(f"{client.base}/hub/api", timeout=2).status_code == 200:
                break
        except Exception:  # noqa: BLE001 - not listening yet
            pass
        assert process.poll() is None and time.monotonic() < deadline, (root / "hub.log").read_text()[-3000:]
        time.sleep(0.3)
    try:
        yield client, root, env
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
        for name in (INSTRUCTOR, *STUDENTS):  # what the servers left behind, as root
            subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def test_a_class_releases_submits_grades_and_gets_feedback_through_the_hub(hub):
    from nbgrader.api import Gradebook

    from nnlab.course import hub as nnlab_hub
    from nnlab.course.grader import split_hidden

    client, root, env = hub
    start = time.perf_counter()
    for name in (INSTRUCTOR, *STUDENTS):
        client.start_server(name)
    for name in (INSTRUCTOR, *STUDENTS):
        client.wait_ready(name)
    servers = time.perf_counter() - start

    # formgrader is the instructor's, shown in JupyterLab's frame (not blocked by the hub's headers)
    page = client.user(INSTRUCTOR, "GET", "formgrader")
    policy = page.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'self'" in policy, policy
    assert page.headers.get("X-Frame-Options", "").upper() != "DENY"
    assert client.user(STUDENTS[0], "GET", "formgrader", ok=False).status_code == 404

    client.user(INSTRUCTOR, "POST", f"formgrader/api/assignment/{ASSIGNMENT}/release")
    master = json.loads((ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    release = json.loads((ROOT / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    answers = [c["metadata"]["nbgrader"]["grade_id"] for c in master["cells"]
               if c["metadata"].get("nbgrader", {}).get("solution")]
    work = {STUDENTS[0]: answers, STUDENTS[1]: answers[:2], STUDENTS[2]: []}
    query = {"assignment_id": ASSIGNMENT, "course_id": "nnlab"}
    for name, done in work.items():
        client.user(name, "POST", "assignments/fetch", params=query)
        client.user(name, "PUT", f"api/contents/{ASSIGNMENT}/{ASSIGNMENT}.ipynb",
                    json={"type": "notebook", "format": "json", "content": filled(master, release, done)})
        client.user(name, "POST", "assignments/submit", params=query)
    client.user(INSTRUCTOR, "POST", f"formgrader/api/assignment/{ASSIGNMENT}/collect")

    course = root / "course"
    graded = nnlab_hub._run_as(INSTRUCTOR, [env["NNLAB_HUB_PYTHON"], "-m", "nnlab.course.cli", "grade", ASSIGNMENT,
                                            "course/submitted"], cwd=course,
                               env=nnlab_hub.course_settings(root, INSTRUCTOR), check=False)
    assert graded.returncode == 0, graded.stdout[-2000:] + graded.stderr[-2000:]

    with Gradebook(f"sqlite:///{course / 'course' / 'gradebook.db'}") as gb:
        scores = {s.student.id: s.score for s in gb.assignment_submissions(ASSIGNMENT)}
    assert scores[STUDENTS[0]] == 17 and 0 < scores[STUDENTS[1]] < 17 and scores[STUDENTS[2]] == 0, scores
    shown = {s["student"]: s["score"] for s in
             client.user(INSTRUCTOR, "GET", f"formgrader/api/submissions/{ASSIGNMENT}").json()}
    assert shown == scores

    client.user(INSTRUCTOR, "POST", f"formgrader/api/assignment/{ASSIGNMENT}/release_feedback")
    visible, hidden = [], []
    for cell in master["cells"]:
        shown_part, hidden_part = split_hidden("".join(cell["source"]))
        visible.append(shown_part)
        hidden += [line.strip() for line in hidden_part.splitlines() if len(line.strip()) > 12]
    hidden = [line for line in hidden if line not in "\n".join(visible)]
    assert hidden
    for name in work:
        client.user(name, "POST", "assignments/fetch_feedback", params=query)
        folders = client.user(name, "GET", f"api/contents/{ASSIGNMENT}/feedback").json()["content"]
        assert folders, f"{name} got no feedback"
        page = client.user(name, "GET", f"api/contents/{folders[0]['path']}/{ASSIGNMENT}.html").json()["content"]
        text = html.unescape(page)
        assert f"Score <b>{scores[name]:g} / 17</b>" in page
        assert not [line for line in hidden if line in text], f"{name}'s feedback shows hidden tests"
    cycle = time.perf_counter() - start
    print(f"\nhub cycle for {len(STUDENTS)} students: {cycle:.0f} s (servers started in {servers:.0f} s)")
