"""JupyterHub for a class of the course, on nbgrader's filesystem exchange.

`make hub` (lib/nnlab/course/hub.py) prepares a try-out on 127.0.0.1 and starts the hub with
this file; for a real class, set the NNLAB_HUB_* variables described there in the hub's
service environment and choose the authenticator (NNLAB_HUB_AUTHENTICATOR=pam: users log in
with their system passwords; or put your site's authenticator below).
"""
import os

c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)

ROOT = os.environ["NNLAB_HUB_ROOT"]
PYTHON = os.environ["NNLAB_HUB_PYTHON"]
INSTRUCTOR = os.environ["NNLAB_HUB_INSTRUCTOR"]
STUDENTS = {s for s in os.environ.get("NNLAB_HUB_STUDENTS", "").split(",") if s}

c.JupyterHub.bind_url = f"http://127.0.0.1:{os.environ.get('NNLAB_HUB_PORT', '8000')}"
c.JupyterHub.cookie_secret_file = os.path.join(ROOT, "jupyterhub_cookie_secret")
c.JupyterHub.db_url = f"sqlite:///{os.path.join(ROOT, 'jupyterhub.sqlite')}"
c.ConfigurableHTTPProxy.pid_file = os.path.join(ROOT, "jupyterhub-proxy.pid")

# --- who may log in ---
if os.environ.get("NNLAB_HUB_AUTHENTICATOR", "shared-password") == "pam":
    c.JupyterHub.authenticator_class = "pam"
else:  # the try-out: one password for the students, another for the instructor
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = os.environ["NNLAB_HUB_PASSWORD"]
    c.SharedPasswordAuthenticator.admin_password = os.environ["NNLAB_HUB_ADMIN_PASSWORD"]
c.Authenticator.allowed_users = STUDENTS | {INSTRUCTOR}
c.Authenticator.admin_users = {INSTRUCTOR}

# --- each user's server: the course environment, started as that system user ---
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [PYTHON, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120


def settings_path(spawner):
    """Students: nbgrader's exchange and course, the Assignments tab without formgrader.
    The instructor: the same exchange and the course's own nbgrader_config.py (formgrader)."""
    own = os.path.join(ROOT, "course", "course") if spawner.user.name == INSTRUCTOR else os.path.join(ROOT, "config", "student")
    return os.pathsep.join([os.path.join(ROOT, "config"), own])


c.Spawner.environment = {"JUPYTER_CONFIG_PATH": settings_path,  # the course's commands first on the PATH
                         "PATH": os.pathsep.join([os.path.dirname(PYTHON), "/usr/local/bin", "/usr/bin", "/bin"])}


def instructor_starts_in_the_course(spawner):
    """The instructor's server opens the course folder, so formgrader can open the masters."""
    if spawner.user.name == INSTRUCTOR:
        spawner.notebook_dir = os.path.join(ROOT, "course")


c.Spawner.pre_spawn_hook = instructor_starts_in_the_course

# --- scripts (the end-to-end test, or a class set up from a script) ---
token = os.environ.get("NNLAB_HUB_SERVICE_TOKEN")
if token:
    c.JupyterHub.services = [{"name": "nnlab-scripts", "api_token": token}]
    c.JupyterHub.load_roles = [{"name": "nnlab-scripts", "services": ["nnlab-scripts"],
                                "scopes": ["admin:users", "admin:servers", "access:servers", "list:users"]}]
