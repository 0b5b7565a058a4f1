"""The library a student reads never imports the course tooling (nnlab.course): not when it
is imported, and not anywhere in its source."""
import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import nnlab

LIB = Path(nnlab.__file__).parent


def teaching_modules():
    """nnlab and every module under it except nnlab.course*, found by walking the package."""
    names = ["nnlab"]
    for info in pkgutil.walk_packages([str(LIB)], prefix="nnlab."):
        if not (info.name == "nnlab.course" or info.name.startswith("nnlab.course.")):
            names.append(info.name)
    return names


def test_the_teaching_modules_are_the_expected_ones():
    names = set(teaching_modules())
    expected = {"nnlab", "nnlab.module", "nnlab.optim", "nnlab.gradcheck", "nnlab.prune",
                "nnlab.train", "nnlab.data", "nnlab.tagging_data", "nnlab.plots", "nnlab.testing", "nnlab.nn",
                "nnlab.nn.linear", "nnlab.nn.activations", "nnlab.nn.dropout", "nnlab.nn.conv",
                "nnlab.nn.losses", "nnlab.nn.recurrent", "nnlab.nn.recurrent.bptt",
                "nnlab.nn.recurrent.rnn", "nnlab.nn.recurrent.lstm", "nnlab.nn.recurrent.gru"}
    assert expected <= names


def test_importing_the_library_loads_no_course_tooling():
    """In a fresh interpreter: import every teaching module, then look at sys.modules."""
    code = ("import sys\n"
            + "".join(f"import {name}\n" for name in teaching_modules())
            + "print(sorted(m for m in sys.modules if m == 'nnlab.course'"
              " or m.startswith('nnlab.course.')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={"MPLBACKEND": "Agg", "NNLAB_QUIET": "1"}, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]", f"the library loaded {result.stdout.strip()}"


def imported_modules(path, package):
    """Absolute names of the modules that the file at path imports (relative ones resolved)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            found.append(module)
            found += [f"{module}.{alias.name}" for alias in node.names]   # from . import course
    return found


def test_no_teaching_module_imports_the_course_tooling():
    offenders = {}
    for path in sorted(LIB.rglob("*.py")):
        parts = path.relative_to(LIB).with_suffix("").parts
        if parts[0] == "course":
            continue
        package = ".".join(("nnlab",) + parts[:-1])   # the package the file is in
        bad = [m for m in imported_modules(path, package)
               if m == "nnlab.course" or m.startswith("nnlab.course.")]
        if bad:
            offenders[str(path.relative_to(LIB))] = bad
    assert not offenders, f"teaching modules import the course tooling: {offenders}"


def test_the_import_check_sees_relative_imports(tmp_path):
    """The static check resolves `from ..course import x` and `from . import course`."""
    file = tmp_path / "example.py"
    file.write_text("from ..course import grader\nfrom . import course\nimport numpy\n")
    assert "nnlab.course.grader" in imported_modules(file, "nnlab.nn")
    assert "nnlab.course" in imported_modules(file, "nnlab")
