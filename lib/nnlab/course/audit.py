"""Static checks of a submission's code, before and apart from running it.

`audit(source, protected)` reads one solution cell with `ast` and returns the reasons to
distrust it: imports of modules a layer never needs (files, processes, introspection,
torch or the reference library), calls that execute or exit, reads of frames and code
objects (where hidden tests live at run time), and writes into modules or into names the
tests rely on (np.allclose = ..., assert_close = ...). The grader replaces a flagged cell
with its blank stub, so what it touched scores nothing and nothing it does can run.
"""
import ast

ALLOWED_IMPORTS = {"numpy", "math", "itertools", "functools", "collections", "dataclasses",
                   "typing", "operator", "random", "nnlab", "nnlab.module", "nnlab.data"}
WHY = {
    "torch": "delegates to PyTorch", "tensorflow": "delegates to TensorFlow", "jax": "delegates to JAX",
    "nnlab": "delegates to the reference library nnlab", "os": "uses the operating system",
    "sys": "touches the interpreter", "subprocess": "starts processes", "shutil": "touches files",
    "pathlib": "touches files", "io": "touches files", "glob": "lists files", "sqlite3": "opens a database",
    "inspect": "inspects the caller's code", "gc": "walks the interpreter's objects",
    "ctypes": "reaches into memory", "importlib": "imports dynamically", "builtins": "touches builtins",
    "signal": "handles signals", "threading": "starts threads", "multiprocessing": "starts processes",
    "socket": "opens the network", "traceback": "inspects the caller's code", "pickle": "loads code",
}
CALLS = {"__import__": "imports dynamically", "exec": "executes generated code",
         "eval": "executes generated code", "compile": "compiles generated code",
         "open": "opens files", "globals": "rewrites the notebook's names", "locals": "reads frames",
         "vars": "reads namespaces", "setattr": "sets attributes by name",
         "delattr": "deletes attributes by name", "exit": "exits the grader", "quit": "exits the grader",
         "breakpoint": "stops the grader", "input": "waits for input"}
DUNDERS = {"__dict__", "__globals__", "__code__", "__builtins__", "__subclasses__", "__closure__",
           "__import__", "__loader__", "__spec__", "f_back", "f_globals", "f_locals", "f_code",
           "co_consts", "_getframe", "tb_frame", "gi_frame"}
FORBIDDEN_NNLAB = ("nnlab.nn", "nnlab.optim", "nnlab.prune", "nnlab.train", "nnlab.gradcheck",
                   "nnlab.testing", "nnlab.bench", "nnlab.assignments", "nnlab.grader", "nnlab.audit")


def _root(node):
    """The Name at the root of an attribute/subscript chain (np in np.testing.x[0]), or None."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _import_reason(module):
    if module in ALLOWED_IMPORTS:
        return None
    if module.startswith(FORBIDDEN_NNLAB) or module.startswith("nnlab."):
        return f"imports {module}: {WHY['nnlab']}"
    root = module.split(".")[0]
    if root in ("numpy",):
        return None
    return f"imports {module}" + (f": {WHY[root]}" if root in WHY else ": not needed for the assignment")


def audit(source, protected=(), modules=()):
    """Reasons to flag this cell (empty list: nothing suspicious).

    protected: names the tests rely on (bound by the notebook's own cells).
    modules: names bound to modules by the notebook's own cells (np, data, nnlab, ...).
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []  # a syntax error only costs the cell's own tests, when it runs
    reasons = []
    protected, modules = set(protected), set(modules) | {"__builtins__"}

    def flag(node, text):
        reasons.append(f"line {getattr(node, 'lineno', '?')}: {text}")

    top_level = set()
    for node in tree.body:
        for target in _bound_names(node):
            top_level.add(target)
            if target in protected:
                flag(node, f"redefines `{target}`, which the tests use")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                why = _import_reason(alias.name)
                if why:
                    flag(node, why)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            why = _import_reason(module)
            for alias in node.names:
                why = why or (_import_reason(f"{module}.{alias.name}") if module == "nnlab" else None)
            if why:
                flag(node, why)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CALLS:
            if not (node.func.id in ("setattr", "delattr") and node.args and _root(node.args[0]) == "self"):
                flag(node, f"calls {node.func.id}(): {CALLS[node.func.id]}")
        elif isinstance(node, ast.Attribute):
            if node.attr in DUNDERS:
                flag(node, f"reads .{node.attr}: reaches into the interpreter")
            dotted = _dotted(node)
            if dotted and dotted.startswith(FORBIDDEN_NNLAB):
                flag(node, f"uses {dotted}: {WHY['nnlab']}")
            if dotted and dotted.split(".")[0] == "torch":
                flag(node, f"uses {dotted}: {WHY['torch']}")
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                for element in (target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]):
                    root = _root(element)
                    if isinstance(element, (ast.Attribute, ast.Subscript)) and root in modules | protected:
                        flag(node, f"writes into `{ast.unparse(element)}`: changes what the tests rely on")
        elif isinstance(node, ast.Global):
            for name in node.names:
                if name in protected or name in modules:
                    flag(node, f"rebinds the global `{name}`, which the tests use")
    return reasons


def _bound_names(node):
    """Names a top-level statement binds in the notebook's namespace."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [(a.asname or a.name).split(".")[0] for a in node.names]
    targets = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        targets = [node.target]
    elif isinstance(node, (ast.For, ast.AsyncFor)):
        targets = [node.target]
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        targets = [item.optional_vars for item in node.items if item.optional_vars is not None]
    names = []
    for target in targets:
        stack = [target]
        while stack:  # names, and names inside tuples/lists; not the roots of a.b or a[i]
            item = stack.pop()
            if isinstance(item, ast.Name):
                names.append(item.id)
            elif isinstance(item, (ast.Tuple, ast.List)):
                stack.extend(item.elts)
            elif isinstance(item, ast.Starred):
                stack.append(item.value)
    return names


def bound_names(source):
    """Names the top level of a (trusted) cell binds, and which of them are modules."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set(), set()
    names, modules = set(), set()
    for node in tree.body:
        bound = _bound_names(node)
        names.update(bound)
        if isinstance(node, ast.Import):
            modules.update(bound)
        elif isinstance(node, ast.ImportFrom):
            modules.update(a.asname or a.name for a in node.names
                           if a.name[:1].islower() and (node.module or "").split(".")[0] in ("nnlab", "numpy"))
    return names, modules
