"""Starting a submission's sandbox: bubblewrap around the Python interpreter, as policy.py says.

`Sandbox()` builds the mounts once per grading process (the interpreter, the allowed
distributions, the student-facing nnlab and the sandbox program); `start()` launches one
sandbox and returns a `Running` with its `Link` (nnlab.course.remote). Killing it kills
every process inside: the sandbox is the init of its own PID namespace, and where the
machine allows cgroups its processes are also counted and killed by a cgroup of their own.

`Sandbox(isolated=False)` runs the same program without bubblewrap, for a trusted local run
(`nnlab grade --no-sandbox`): same protocol and limits on the channel, no isolation.
"""
import importlib.metadata
import itertools
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import policy
from .remote import Link, SandboxGone


class NoSandbox(RuntimeError):
    """bubblewrap is missing or does not work on this machine."""


def _requirement_closure(names):
    """The installed distributions `names` need, themselves included (extras left out)."""
    from packaging.markers import default_environment
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    environment = {**default_environment(), "extra": ""}
    todo, seen = [canonicalize_name(n) for n in names], {}
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        seen[name] = dist
        for text in dist.requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate(environment):
                todo.append(canonicalize_name(requirement.name))
    return seen


def _top_level_entries(dist):
    """The files and folders a distribution puts at the top of site-packages."""
    entries = set()
    for file in dist.files or []:
        first = Path(file).parts[0]
        if first not in ("..", "__pycache__"):
            entries.add(first)
    return sorted(entries)


class Sandbox:
    """How to start sandboxes on this machine (built once per grading process)."""

    def __init__(self, isolated=True):
        self.isolated = isolated
        self.bwrap = policy.bwrap_binary() if isolated else None
        if isolated and self.bwrap is None:
            raise NoSandbox(policy.NO_BWRAP)
        self.python = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
        import nnlab

        self.library = Path(nnlab.__file__).resolve().parent
        here = Path(__file__).resolve().parent
        self.agent_files = [here / "agent.py", here / "wire.py"]
        self._scratch = tempfile.TemporaryDirectory(prefix="nnlab-sandbox-")
        self.init_file = Path(self._scratch.name, "__init__.py")
        self.init_file.write_text(policy.STUDENT_INIT)
        self.site_entries = self._site_entries()
        self.cgroups = CgroupLimits() if isolated else None
        self._counter = itertools.count()
        if isolated:
            self._check()

    def _site_entries(self):
        """(host path, path inside) for every top-level entry of the allowed distributions."""
        pairs = []
        for dist in _requirement_closure(policy.ALLOWED_DISTRIBUTIONS).values():
            root = Path(dist.locate_file(""))
            for entry in _top_level_entries(dist):
                host = root / entry
                if host.exists():
                    pairs.append((str(host), f"{policy.SITE}/{entry}"))
        return sorted(set(pairs))

    def command(self, channel_fd):
        limits = {**policy.limits(), "fd": channel_fd}
        if not self.isolated:
            lib = Path(self._scratch.name, "lib")
            if not lib.exists():
                (lib / "nnlab").mkdir(parents=True)
                for name in policy.STUDENT_MODULES:
                    (lib / "nnlab" / name).symlink_to(self.library / name)
                (lib / "nnlab" / "__init__.py").write_text(policy.STUDENT_INIT)
                agent = Path(self._scratch.name, "agent")
                agent.mkdir()
                for file in self.agent_files:
                    (agent / file.name).symlink_to(file)
            site = [p for p in sys.path if p.endswith("site-packages")]
            limits["paths"] = [str(Path(self._scratch.name, "agent")), str(lib)] + site
            return [sys.executable, "-I", "-B", str(Path(self._scratch.name, "agent", "agent.py")),
                    json.dumps(limits)]
        args = [self.bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent",
                "--new-session", "--cap-drop", "ALL", "--hostname", "sandbox", "--clearenv"]
        for key, value in policy.ENVIRONMENT.items():
            args += ["--setenv", key, value]
        args += ["--ro-bind", "/usr", "/usr"]
        for top in ("/bin", "/lib", "/lib32", "/lib64", "/sbin", "/libx32"):
            if os.path.islink(top):
                args += ["--symlink", os.readlink(top), top]
            elif os.path.isdir(top):
                args += ["--ro-bind", top, top]
        args += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
                 "--proc", "/proc", "--dev", "/dev", "--size", str(policy.TMP_BYTES), "--tmpfs", "/tmp"]
        prefix = sys.base_prefix
        args += ["--ro-bind", prefix, prefix]
        if not self.python.startswith(prefix + os.sep):
            args += ["--ro-bind", os.path.dirname(self.python), os.path.dirname(self.python)]
        stdlib_site = Path(prefix, "lib", f"python{sys.version_info[0]}.{sys.version_info[1]}", "site-packages")
        if stdlib_site.is_dir():
            args += ["--tmpfs", str(stdlib_site), "--remount-ro", str(stdlib_site)]
        for host, inside in self.site_entries:
            args += ["--ro-bind", host, inside]
        for hidden in policy.HIDDEN_PACKAGE_PATHS:
            inside = f"{policy.SITE}/{hidden}"
            if any(inside.startswith(bound + "/") for _, bound in self.site_entries):
                args += ["--tmpfs", inside, "--remount-ro", inside]
        for name in policy.STUDENT_MODULES:
            args += ["--ro-bind", str(self.library / name), f"{policy.LIB}/nnlab/{name}"]
        args += ["--ro-bind", str(self.init_file), f"{policy.LIB}/nnlab/__init__.py"]
        for file in self.agent_files:
            args += ["--ro-bind", str(file), f"{policy.AGENT}/{file.name}"]
        args += ["--remount-ro", "/", "--chdir", "/tmp", "--",
                 self.python, "-I", "-S", "-B", f"{policy.AGENT}/agent.py", json.dumps(limits)]
        return args

    def start(self):
        """A new sandbox, ready for requests."""
        ours, theirs = socket.socketpair()
        group = self.cgroups.new(next(self._counter)) if self.cgroups else None

        def limit():  # in the child, before exec
            os.setsid()
            for which, value in ((resource.RLIMIT_AS, policy.ADDRESS_SPACE_BYTES),
                                 (resource.RLIMIT_CPU, policy.CPU_SECONDS),
                                 (resource.RLIMIT_FSIZE, policy.FILE_BYTES),
                                 (resource.RLIMIT_NOFILE, policy.OPEN_FILES),
                                 (resource.RLIMIT_CORE, 0)):
                resource.setrlimit(which, (value, value))
            if os.getuid() != 0:  # root is exempt from RLIMIT_NPROC; the cgroup covers it
                resource.setrlimit(resource.RLIMIT_NPROC, (policy.PROCESSES * 4, policy.PROCESSES * 4))
            if group is not None:
                group.join()

        try:
            process = subprocess.Popen(self.command(theirs.fileno()), stdin=subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       pass_fds=(theirs.fileno(),), preexec_fn=limit, close_fds=True)
        except OSError as error:
            ours.close()
            raise SandboxGone(f"the sandbox could not be started ({error})") from None
        finally:
            theirs.close()
        running = Running(self, process, ours, group)
        try:
            running.link.hello(policy.STARTUP_SECONDS)
        except BaseException:
            running.stop()
            raise
        return running

    def _check(self):
        """Start one sandbox now, so that a machine where bubblewrap cannot work says so at once."""
        try:
            self.start().stop()
        except SandboxGone as error:
            probe = subprocess.run([self.bwrap, "--unshare-all", "--ro-bind", "/", "/", "true"],
                                   capture_output=True, text=True)
            detail = (probe.stderr or "").strip().splitlines()[-1:] or [str(error)]
            raise NoSandbox(f"bubblewrap does not work here: {detail[0]}") from None


class Running:
    """One running sandbox."""

    def __init__(self, sandbox, process, sock, group):
        self.sandbox, self.process, self.sock, self.group = sandbox, process, sock, group
        self.link = Link(sock, process)

    def stop(self):
        """Kill everything in the sandbox (it cannot outlive this)."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.process.kill()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            pass
        if self.group is not None:
            self.group.kill_and_remove()
        self.sock.close()

    def exit_reason(self):
        """Why the sandbox's process ended, in words (None while it runs)."""
        code = self.process.poll()
        if code is None:
            return None
        if code < 0:
            return {signal.SIGKILL: "killed (out of memory?)", signal.SIGSEGV: "segmentation fault",
                    signal.SIGXCPU: "CPU time limit", signal.SIGABRT: "aborted",
                    signal.SIGXFSZ: "file size limit"}.get(-code, f"signal {-code}")
        return f"exit code {code}"


class CgroupLimits:
    """Per-sandbox cgroups (v1: the pids, memory and cpu hierarchies) for the number of
    processes, the memory and the share of the CPUs, where this process may create them
    (as root, on most machines). Without them, the PID namespace, the rlimits and the
    wall-clock limits are the limits. `available` says which controllers are in use.
    """

    def __init__(self):
        import atexit

        self.roots, self.available = {}, []
        atexit.register(self.remove)
        for controller, limit_file, value in (("pids", "pids.max", str(policy.PROCESSES)),
                                              ("memory", "memory.limit_in_bytes", str(policy.MEMORY_BYTES)),
                                              ("cpu", "cpu.cfs_quota_us", str(int(policy.CPUS * 100_000)))):
            base = self._own_v1(controller)
            if base is None:
                continue
            root = base / f"nnlab-{os.getpid()}"
            try:
                root.mkdir(exist_ok=True)
                self.roots[controller] = (root, limit_file, value)
                self.available.append(controller)
            except OSError:
                continue

    def remove(self):
        """Remove this grading process's cgroups (each sandbox's own are gone by now)."""
        for root, _, _ in self.roots.values():
            try:
                root.rmdir()
            except OSError:
                pass

    @staticmethod
    def _own_v1(controller):
        try:
            lines = Path("/proc/self/cgroup").read_text().splitlines()
        except OSError:
            return None
        for line in lines:
            _, controllers, path = line.split(":", 2)
            if controller in controllers.split(","):
                base = Path("/sys/fs/cgroup", controller) / path.lstrip("/")
                return base if base.is_dir() and os.access(base, os.W_OK) else None
        return None

    def new(self, number):
        if not self.roots:
            return None
        return Cgroup([(root / f"s{number}", limit_file, value) for root, limit_file, value in self.roots.values()])


class Cgroup:
    def __init__(self, groups):
        self.groups = []
        for path, limit_file, value in groups:
            try:
                path.mkdir(exist_ok=True)
                (path / limit_file).write_text(value)
                self.groups.append(path)
            except OSError:
                continue

    def join(self):  # runs in the child before exec: no allocation-heavy code
        pid = str(os.getpid())
        for path in self.groups:
            try:
                with open(path / "cgroup.procs", "w") as f:
                    f.write(pid)
            except OSError:
                pass

    def kill_and_remove(self):
        for path in self.groups:
            for _ in range(50):
                try:
                    pids = [int(p) for p in (path / "cgroup.procs").read_text().split()]
                except OSError:
                    pids = []
                for pid in pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                try:
                    path.rmdir()
                    break
                except OSError:
                    time.sleep(0.02)
