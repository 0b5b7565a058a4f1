"""What the tests of the assignments call: friendly comparisons, gradient checks that name
the wrong term, and guards against delegating to the reference library or to torch.

Visible tests use `assert_close` and `check_gradients`; hidden tests also wrap every call
of student code in `graded(obj)`: a static look at the code (which library objects it
names) and, while it runs, reference layers and optimizers that refuse to work and an
import of torch that fails. Expected values are computed with nnlab *outside* `graded`.
"""
import builtins
import sys
import types
from contextlib import contextmanager

import numpy as np

from .gradcheck import check_module, numerical_gradient, relative_error

# What a submission may use from nnlab: the module plumbing and the data sets.
ALLOWED_NNLAB = ("nnlab", "nnlab.module", "nnlab.data", "nnlab.testing")
FORBIDDEN_ROOTS = ("torch", "tensorflow", "jax", "autograd", "sklearn.neural_network")


class Delegation(AssertionError):
    """The submission called the reference implementation (or torch) instead of its own code."""


def _forbidden(obj):
    """The forbidden module an object comes from, or None."""
    name = obj.__name__ if isinstance(obj, types.ModuleType) else getattr(obj, "__module__", None)
    if not isinstance(name, str):
        return None
    if name.startswith("nnlab") and name not in ALLOWED_NNLAB:
        return name
    if any(name == root or name.startswith(root + ".") for root in FORBIDDEN_ROOTS):
        return name
    return None


def _code_objects(code):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


def _functions(obj):
    """The plain functions that make up obj (a function, a class, a method or an instance)."""
    if isinstance(obj, (types.FunctionType, types.MethodType)):
        yield getattr(obj, "__func__", obj)
        return
    cls = obj if isinstance(obj, type) else type(obj)
    for klass in cls.__mro__:
        if klass.__module__ in ("builtins",) or _forbidden(klass) or klass.__module__.startswith("nnlab"):
            continue
        for value in vars(klass).values():
            value = getattr(value, "__func__", value)
            if isinstance(value, property):
                value = value.fget
            if isinstance(value, types.FunctionType):
                yield value


def delegations(obj):
    """Names of forbidden objects that obj's code refers to (empty if none).

    Looks at base classes and, in every function's code, at each global name and at the
    attributes it reads from allowed modules (nnlab.nn.Linear is caught through `nnlab`).
    """
    found = set()
    cls = obj if isinstance(obj, type) else None
    if cls is not None:
        found.update(f"{k.__module__}.{k.__qualname__}" for k in cls.__mro__ if _forbidden(k))
    for fn in _functions(obj):
        scope = {**vars(builtins), **fn.__globals__}
        if fn.__closure__:
            scope.update({n: c.cell_contents for n, c in zip(fn.__code__.co_freevars, fn.__closure__)
                          if c.cell_contents is not None})
        for code in _code_objects(fn.__code__):
            names = set(code.co_names) | set(code.co_freevars)
            for name in names:
                if name not in scope:
                    continue
                value = scope[name]
                if _forbidden(value):
                    found.add(_forbidden(value) + ("" if isinstance(value, types.ModuleType) else f".{name}"))
                elif isinstance(value, types.ModuleType):
                    # attribute reads through an allowed module: nnlab.nn, np.<...> stays fine
                    for attr in names:
                        inner = getattr(value, attr, None)
                        if inner is not None and _forbidden(inner):
                            found.add(_forbidden(inner) if isinstance(inner, types.ModuleType)
                                      else f"{_forbidden(inner)}.{attr}")
            if "__import__" in code.co_names or "import_module" in code.co_names:
                found.add("a dynamic import")
    return sorted(found)


def _refuse(*args, **kwargs):
    raise Delegation("the reference implementation was called from a submission; "
                     "implement the computation yourself")


class _BlockForbiddenImports:
    """A meta-path finder that makes `import torch` (and friends) fail while grading."""

    def find_spec(self, name, path=None, target=None):
        if any(name == root or name.startswith(root + ".") for root in FORBIDDEN_ROOTS):
            raise Delegation(f"importing {name} is not allowed in this assignment")
        return None


@contextmanager
def reference_blocked():
    """While active: nnlab's layers, losses and optimizers refuse to compute, numerical
    gradients refuse too, and importing torch fails."""
    from . import gradcheck, optim, train
    from .module import Module
    from .nn import activations, conv, dropout, linear, losses, recurrent

    patched = []

    def patch(owner, attr):
        patched.append((owner, attr, owner.__dict__[attr]))
        setattr(owner, attr, _refuse)

    for module in (activations, conv, dropout, linear, losses, recurrent):
        for value in list(vars(module).values()):
            if isinstance(value, type) and issubclass(value, Module) and value.__module__ == module.__name__:
                for attr in ("forward", "backward", "value", "derivative", "hessian", "_forward", "_backward"):
                    if attr in value.__dict__:
                        patch(value, attr)
    for value in list(vars(optim).values()):
        if isinstance(value, type) and "update" in value.__dict__:
            patch(value, "update")
    for module, attr in ((optim, "clip_grad_norm"), (gradcheck, "numerical_gradient"),
                         (gradcheck, "check_module"), (train, "fit")):
        patch(module, attr)
    saved_modules = {name: mod for name, mod in sys.modules.items()
                     if any(name == r or name.startswith(r + ".") for r in FORBIDDEN_ROOTS)}
    for name in saved_modules:
        del sys.modules[name]
    blocker = _BlockForbiddenImports()
    sys.meta_path.insert(0, blocker)
    try:
        yield
    finally:
        sys.meta_path.remove(blocker)
        sys.modules.update(saved_modules)
        for owner, attr, original in reversed(patched):
            setattr(owner, attr, original)


@contextmanager
def graded(*objects, block=True):
    """Grade code of `objects`: refuse it if it names the reference or torch, and run the
    block with the reference blocked. Use around every call of a submission's code.

    block=False skips the run-time block, for tests that substitute correct reference parts
    into code they grade (see `substituted`); the static check still runs first.
    """
    for obj in objects:
        used = delegations(obj)
        if used:
            name = getattr(obj, "__qualname__", type(obj).__name__)
            raise Delegation(f"{name} uses {', '.join(used)}; implement it without the reference "
                             "library or torch")
    if block:
        with reference_blocked():
            yield
    else:
        yield


@contextmanager
def substituted(namespace, **replacements):
    """Temporarily bind names in a notebook's namespace (globals()) to other objects.

    Tests of code that composes the student's parts (a network, a training loop) put correct
    parts in their place, so that one wrong layer does not cost the points of another task.
    """
    missing = object()
    saved = {name: namespace.get(name, missing) for name in replacements}
    namespace.update(replacements)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


def assert_close(actual, expected, what, atol=1e-8, rtol=1e-6):
    """assert actual ≈ expected with a message that says what is wrong and where."""
    actual = np.asarray(actual) if actual is not None else None
    expected = np.asarray(expected)
    if actual is None:
        raise AssertionError(f"{what} is None; did you forget to return it?")
    if actual.shape != expected.shape:
        raise AssertionError(f"{what} has shape {actual.shape}, expected {expected.shape}")
    if not np.all(np.isfinite(actual)):
        raise AssertionError(f"{what} contains nan or inf")
    error = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    allowed = atol + rtol * np.abs(expected.astype(np.float64))
    if np.any(error > allowed):
        index = np.unravel_index(np.argmax(error - allowed), error.shape)
        raise AssertionError(f"{what} is wrong: at index {tuple(int(i) for i in index)} got "
                             f"{actual[index]:.6g}, expected {expected[index]:.6g} "
                             f"(largest error {error.max():.2e})")


def _copy_parameters(layer, reference, names=None):
    """Give the student's layer the reference's parameter values (float64), by name."""
    ref = dict(reference.named_parameters())
    for name, p in layer.named_parameters():
        source = (names or {}).get(name, name)
        if source not in ref:
            raise AssertionError(f"parameter {name!r} has no counterpart in the reference "
                                 f"(it has {sorted(ref)})")
        if p.data.shape != ref[source].data.shape:
            raise AssertionError(f"parameter {name} has shape {p.data.shape}, expected {ref[source].data.shape}")
        p.data = ref[source].data.astype(np.float64).copy()
        p.grad = np.zeros_like(p.data)


def _flat(out):
    if isinstance(out, (tuple, list)):
        return [a for item in out for a in _flat(item)]
    return [out]


def check_forward(layer, reference, *inputs, what=None, names=None, atol=1e-8):
    """The student's forward equals the reference's with the same parameters (float64)."""
    reference.to(np.float64)
    inputs = [np.array(x, dtype=np.float64) for x in inputs]
    expected = _flat(reference.forward(*inputs))
    _copy_parameters(layer, reference, names)
    with graded(type(layer)):
        actual = _flat(layer.forward(*inputs))
    what = what or f"{type(layer).__name__}.forward"
    if len(actual) != len(expected):
        raise AssertionError(f"{what} returns {len(actual)} arrays, expected {len(expected)}")
    for i, (a, e) in enumerate(zip(actual, expected)):
        assert_close(a, e, what if len(expected) == 1 else f"{what} output {i}", atol=atol)


def check_backward(layer, reference, *inputs, tol=1e-6, seed=0, names=None, input_names=None):
    """The student's backward against float64 central differences of the *reference* forward.

    Both get the same parameters and the same random dL/d(output) R; L = Σ <out, R>. Using
    the reference forward keeps this a test of backward alone: a wrong forward costs the
    forward's points, not these. The message names every term, e.g.
    "dL/dW_f is wrong (relative error 4.1e-01); dL/dx is right (relative error 2.0e-10)".
    """
    reference.to(np.float64)
    inputs = [np.array(x, dtype=np.float64) for x in inputs]
    rng = np.random.default_rng(seed)
    R = [rng.standard_normal(np.shape(o)) for o in _flat(reference.forward(*inputs))]

    def loss():
        return sum(float(np.sum(o * r)) for o, r in zip(_flat(reference.forward(*inputs)), R))

    in_names = input_names or (["x"] if len(inputs) == 1 else [f"x{i}" for i in range(len(inputs))])
    expected = {n: numerical_gradient(loss, x) for n, x in zip(in_names, inputs)}
    ref_grads = {n: numerical_gradient(loss, p.data) for n, p in reference.named_parameters()}

    _copy_parameters(layer, reference, names)
    with graded(type(layer)):
        layer.forward(*[x.copy() for x in inputs])
        grads = _flat(layer.backward(*R))
    actual = dict(zip(in_names, grads[:len(inputs)]))
    for name, p in layer.named_parameters():
        actual[name] = p.grad
        expected[name] = ref_grads[(names or {}).get(name, name)]
    errors = {}
    for name, e in expected.items():
        a = actual.get(name)
        if a is None or np.shape(a) != np.shape(e):
            raise AssertionError(f"dL/d{name} has shape {np.shape(a) if a is not None else None}, "
                                 f"expected {np.shape(e)}")
        errors[name] = relative_error(a, e) if np.all(np.isfinite(a)) else float("inf")
    if any(e > tol for e in errors.values()):
        raise AssertionError("; ".join(f"dL/d{n} is {'right' if e <= tol else 'wrong'} "
                                       f"(relative error {e:.1e})" for n, e in errors.items()))


def check_gradients(module, *inputs, tol=1e-6, input_names=None, names=None):
    """Central-difference check of a module's backward; the message names each wrong term,
    e.g. "dL/dW_f is wrong (relative error 4.1e-01); dL/dx is right (relative error 2.0e-10)".

    names: optional {parameter name: name shown to the student}, e.g. {"weight_f": "W_f"}.
    """
    report = check_module(module, *inputs, tol=tol, input_names=input_names)
    if not report.ok:
        shown = {k: (names or {}).get(k, k) for k in report}
        parts = [f"dL/d{shown[k]} is {'right' if e <= tol else 'wrong'} (relative error {e:.1e})"
                 for k, e in report.items()]
        raise AssertionError("; ".join(parts))
    return report


def exercise(check, task="This task"):
    """Run a lecture's self-check `check()` and say how it went, without stopping the notebook.

    A task not attempted yet (its stub raises NotImplementedError) and a wrong answer
    (AssertionError) are reported, not raised, so that the lecture still runs top to bottom;
    with NNLAB_STRICT_EXERCISES=1 (the tests, which fill in the solutions) both raise.
    Returns True if the check passed.
    """
    import os

    strict = bool(os.environ.get("NNLAB_STRICT_EXERCISES"))
    try:
        check()
    except NotImplementedError:
        if strict:
            raise
        print(f"{task}: not attempted yet. Write your code in the cell above, run it, then run this cell.")
        return False
    except AssertionError as error:
        if strict:
            raise
        print(f"{task}: not right yet.\n{error}")
        return False
    print(f"{task}: right.")
    return True


__all__ = ["exercise", "Delegation", "delegations", "graded", "substituted", "reference_blocked", "assert_close",
           "check_forward", "check_backward", "check_gradients", "numerical_gradient", "relative_error"]
