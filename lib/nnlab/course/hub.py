"""A class on JupyterHub with nbgrader's exchange: `make hub` (python -m nnlab.course.hub).

course/hub/jupyterhub_config.py is the hub's configuration. It reads its settings from the
environment, which this module sets when it starts a try-out hub (an instructor running a
real class sets them in the hub's service file instead):

    NNLAB_HUB_ROOT           the hub's folder: exchange/ (nbgrader's), config/ (the users'
                             nbgrader and server settings), course/ (the instructor's course),
                             and the hub's own state
    NNLAB_HUB_PYTHON         a Python 3.11 that every user may run, with the course installed
    NNLAB_HUB_INSTRUCTOR     the instructor's user name (the hub's admin; formgrader is theirs)
    NNLAB_HUB_STUDENTS       the students' user names, comma-separated
    NNLAB_HUB_PORT           the port on 127.0.0.1 (default 8000)
    NNLAB_HUB_AUTHENTICATOR  "shared-password" (the try-out's) or "pam" (the users' system passwords)
    NNLAB_HUB_PASSWORD, NNLAB_HUB_ADMIN_PASSWORD   the shared passwords of students and instructor
    NNLAB_HUB_SERVICE_TOKEN  an API token with admin rights for scripts (optional)

The try-out (run as root, since the hub starts each user's server as that user): local system
users for the instructor and the students, the exchange (world-writable, sticky), the users'
settings (students get the Assignments tab without formgrader), a copy of the course owned by
the instructor (solutions/, assignments/, course/nbgrader_config.py) with its assignments
generated into its gradebook, and a course environment every user can run.
"""
import argparse
import json
import os
import pwd
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
CONFIG = REPO / "course" / "hub" / "jupyterhub_config.py"
COURSE_ID = "nnlab"


class HubError(Exception):
    """A try-out that cannot start here: one line that says why and what to do."""


def _run_as(user, command, cwd=None, env=None, check=True):
    """Run `command` as the system user `user` (the grader is root here), like a terminal of theirs."""
    entry = pwd.getpwnam(user)
    path = os.pathsep.join([os.path.dirname(command[0]), "/usr/local/bin", "/usr/bin", "/bin"])
    environment = {"HOME": entry.pw_dir, "USER": user, "LOGNAME": user, "PATH": path, "LANG": "C.UTF-8", **(env or {})}
    return subprocess.run(command, cwd=cwd, env=environment, user=entry.pw_uid, group=entry.pw_gid, extra_groups=[],
                          capture_output=True, text=True, check=check)


def ensure_user(name):
    """A local system user with a home folder (created if missing)."""
    try:
        pwd.getpwnam(name)
    except KeyError:
        if shutil.which("useradd") is None:
            raise HubError(f"no user {name!r} and no `useradd` to create one (Debian's passwd package)") from None
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True,
                       capture_output=True)


def usable_by_everyone(python):
    """Can an unprivileged user run `python` and import the course from it?"""
    try:
        _run_as("nobody", [python, "-c", "import nnlab, nbgrader, jupyterhub.singleuser"], cwd="/")
        return True
    except (subprocess.CalledProcessError, OSError, KeyError):
        return False


def shared_python(root):
    """A Python every user may run, with the course installed: this one if it can, otherwise a
    small virtual environment in `root` made from the system's Python 3.11 that reads the
    course's installed packages from this environment (they must be readable by all)."""
    if usable_by_everyone(sys.executable):
        return sys.executable
    site = next((p for p in sys.path if p.endswith("site-packages") and p.startswith(sys.prefix)), None)
    system = next((p for p in ("/usr/bin/python3.11", "/usr/local/bin/python3.11") if os.access(p, os.X_OK)), None)
    if site is None or system is None:
        raise HubError(f"the course environment ({sys.prefix}) is not usable by other users and there is no "
                       "system Python 3.11 to build a shared one: install the course where every user can read it")
    env = Path(root, "env")
    if not (env / "bin" / "python").exists():
        subprocess.run([system, "-m", "venv", "--without-pip", str(env)], check=True, capture_output=True)
    (env / "lib" / "python3.11" / "site-packages" / "nnlab-course.pth").write_text(
        f"import site; site.addsitedir({site!r})\n")
    python = str(env / "bin" / "python")
    for shared in ("etc/jupyter", "share/jupyter"):  # server and lab extensions (nbgrader's), kernels
        (env / shared).parent.mkdir(parents=True, exist_ok=True)
        if Path(sys.prefix, shared).exists() and not (env / shared).exists():
            (env / shared).symlink_to(Path(sys.prefix, shared))
    for script in Path(sys.prefix, "bin").iterdir():  # the commands (nbgrader, jupyter, nnlab, alembic ...)
        try:
            first, rest = script.read_text().split("\n", 1)
        except (UnicodeDecodeError, ValueError, OSError):
            continue
        if first.startswith("#!") and sys.prefix in first and not (env / "bin" / script.name).exists():
            (env / "bin" / script.name).write_text(f"#!{python}\n{rest}")
            (env / "bin" / script.name).chmod(0o755)
    if not usable_by_everyone(python):
        raise HubError(f"the course's packages in {site} are not readable by other users: install the course "
                       "where every user can read it (not under a private home folder)")
    return python


def prepare(root, instructor, students, repo=REPO, assignments=None):
    """Set up a try-out class in `root` (see the module's docstring) with `assignments` (default:
    all) generated into the instructor's gradebook; return the hub's environment."""
    if os.getuid() != 0:
        raise HubError("the try-out hub starts each user's server as that user: run it as root")
    root = Path(root)
    for name in (instructor, *students):
        ensure_user(name)
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)
    exchange = root / "exchange"
    exchange.mkdir(exist_ok=True)
    exchange.chmod(0o1777)  # every user writes there; the sticky bit keeps their files their own
    config = root / "config"
    (config / "student" / "labconfig").mkdir(parents=True, exist_ok=True)
    (config / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n")
    # JupyterLab shows formgrader (and other pages of the same server) in frames: allow that,
    # where the hub's single-user servers would otherwise send frame-ancestors 'none'
    (config / "jupyter_server_config.json").write_text(json.dumps(
        {"ServerApp": {"tornado_settings": {"headers": {"Content-Security-Policy": "frame-ancestors 'self'"}}}},
        indent=1))
    (config / "student" / "jupyter_server_config.json").write_text(json.dumps(
        {"ServerApp": {"jpserver_extensions": {"nbgrader.server_extensions.formgrader": False,
                                                "nbgrader.server_extensions.course_list": False}}}, indent=1))
    (config / "student" / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyter/nbgrader:formgrader": True, "@jupyter/nbgrader:course-list": True,
                                "@jupyter/nbgrader:create-assignment": True}}, indent=1))
    for path in [config, *config.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    course = root / "course"
    if not (course / "solutions").exists():
        for folder in ("solutions", "assignments"):
            shutil.copytree(repo / folder, course / folder)
        (course / "course").mkdir(parents=True)
        shutil.copy(repo / "course" / "nbgrader_config.py", course / "course" / "nbgrader_config.py")
        entry = pwd.getpwnam(instructor)
        for path in [course, *course.rglob("*")]:
            os.chown(path, entry.pw_uid, entry.pw_gid)
    python = shared_python(root)
    settings = course_settings(root, instructor)
    for assignment in assignments or sorted(p.name for p in (course / "solutions").iterdir() if p.is_dir()):
        _run_as(instructor, [python, "-m", "nbgrader", "generate_assignment", assignment, "--force"],
                cwd=course, env=settings)
    return {"NNLAB_HUB_ROOT": str(root), "NNLAB_HUB_PYTHON": python, "NNLAB_HUB_INSTRUCTOR": instructor,
            "NNLAB_HUB_STUDENTS": ",".join(students)}


def course_settings(root, instructor):
    """The environment of the instructor's commands: nbgrader finds the course and the exchange."""
    return {"JUPYTER_CONFIG_PATH": os.pathsep.join([str(Path(root, "config")), str(Path(root, "course", "course"))])}


def command(port):
    """The jupyterhub command line (run with the environment `prepare` returns)."""
    return [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG), "--port", str(port), "--ip", "127.0.0.1"]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m nnlab.course.hub",
                                     description="start a try-out JupyterHub for the course on 127.0.0.1")
    parser.add_argument("--root", default="/srv/nnlab", help="the hub's folder (default /srv/nnlab)")
    parser.add_argument("--instructor", default="instructor")
    parser.add_argument("--students", default="student1,student2,student3", help="comma-separated user names")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    if shutil.which("configurable-http-proxy") is None:
        print("nnlab hub: JupyterHub needs configurable-http-proxy: `npm install -g configurable-http-proxy`",
              file=sys.stderr)
        return 2
    students = [s for s in args.students.split(",") if s]
    try:
        env = prepare(args.root, args.instructor, students)
    except HubError as error:
        print(f"nnlab hub: {error}", file=sys.stderr)
        return 2
    password = os.environ.get("NNLAB_HUB_PASSWORD") or secrets.token_urlsafe(8)
    admin_password = os.environ.get("NNLAB_HUB_ADMIN_PASSWORD") or secrets.token_urlsafe(24)  # (32 characters at least)
    env.update({"NNLAB_HUB_PORT": str(args.port), "NNLAB_HUB_PASSWORD": password,
                "NNLAB_HUB_ADMIN_PASSWORD": admin_password})
    print(f"JupyterHub on http://127.0.0.1:{args.port}\n"
          f"  instructor: {args.instructor} (password {admin_password}): formgrader, release, collect, `nnlab grade`\n"
          f"  students:   {', '.join(students)} (password {password}): the Assignments tab\n"
          f"  the instructor's course is {Path(args.root, 'course')}; see course/hub/README.md")
    os.chdir(args.root)
    return subprocess.call(command(args.port), env={**os.environ, **env})


if __name__ == "__main__":
    sys.exit(main())
