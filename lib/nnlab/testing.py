"""Checks that say what is wrong: the helpers of the assignments' tests and the lectures.

    assert_close(actual, expected, what)     shape first, then values, with the likely mistake
    check_forward(layer, reference, *x)      the layer's forward against a reference layer
    check_backward(layer, reference, *x)     its backward against central differences of the
                                             reference, and that gradients accumulate
    check_gradients(module, *x)              a module's backward against its own forward
    explained(what, shapes)                  turns a NumPy shape error of student code into a
                                             message naming the clashing shapes and the line
    case(label)                              names one hidden check (the grader shows the label)
    composed(check, **parts)                 check composed code; if it fails, again with
                                             correct parts in place of the student's own
    in_notebook(helper)                      run a helper of the notebook's locked cells on the
                                             student's side (fast: one request when graded)
    exercise(check, task)                    a lecture's self-check

Messages put what is wrong first, one fact per line, and keep lines short, so that
`nbgrader validate` (which cuts long lines) shows them whole.

The same test code runs in a student's kernel and in the class grader. In the grader the
student's names are proxies to a sandboxed process (nnlab.course.remote): calls and
attribute reads return plain values. Tests therefore assign attributes (`p.grad = ...`)
rather than changing a student's arrays in place, and call `composed`/`in_notebook`
instead of rebinding names.
"""
import os
import re
import traceback
from contextlib import contextmanager

import numpy as np

from .gradcheck import check_module, numerical_gradient, relative_error

GRADER = "__nnlab_grader__"  # the key under which the class grader puts itself in a test's globals


def _grader(function):
    return getattr(function, "__globals__", {}).get(GRADER)


def _as_array(value, what):
    if value is None:
        raise AssertionError(f"{what} is None:\ndid you forget to return it?")
    array = np.asarray(value) if not isinstance(value, np.ndarray) else value
    if array.dtype.kind not in "biufc":
        raise AssertionError(f"{what} must be a NumPy array of numbers,\ngot a {type(value).__name__}")
    return array


def shape_hint(actual, expected):
    """The likely mistake behind a wrong shape, or ''."""
    if len(actual) == len(expected) >= 2 and tuple(reversed(actual)) == tuple(expected):
        return "transposed?"
    if len(actual) == len(expected) + 1 and actual[1:] == tuple(expected):
        return "an extra leading axis?"
    if len(actual) + 1 == len(expected) and expected[0] == 1 and tuple(expected[1:]) == actual:
        return "a leading axis of size 1 missing?"
    if len(actual) + 1 == len(expected) and tuple(expected[1:]) == actual:
        return "summed or taken over the batch by mistake?"
    if sorted(actual) == sorted(expected):
        return "axes in the wrong order?"
    return ""


def assert_shape(actual, expected_shape, what):
    actual_shape, expected_shape = tuple(np.shape(actual)), tuple(expected_shape)
    if actual_shape != expected_shape:
        hint = shape_hint(actual_shape, expected_shape)
        raise AssertionError(f"{what} has the wrong shape:\ngot {actual_shape}, expected {expected_shape}"
                             + (f"\n({hint})" if hint else ""))


def assert_close(actual, expected, what, atol=1e-8, rtol=1e-6, steps_axis=None):
    """assert actual ≈ expected, elementwise |a - e| ≤ atol + rtol |e|.

    The message names `what`, then the first problem: None, not numbers, the shape (with a
    hint such as "transposed?"), nan/inf, or the worst entry. With steps_axis (the time
    axis of a sequence), it also says at which time steps the values are wrong.
    """
    expected = np.asarray(expected)
    actual = _as_array(actual, what)
    assert_shape(actual, expected.shape, what)
    if not np.all(np.isfinite(actual)):
        bad = np.argwhere(~np.isfinite(actual))[0]
        raise AssertionError(f"{what} contains nan or inf\n(first at index {tuple(int(i) for i in bad)})")
    error = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    allowed = atol + rtol * np.abs(expected.astype(np.float64))
    if np.any(error > allowed):
        index = np.unravel_index(np.argmax(error - allowed), error.shape)
        got, want = f"{actual[index]:.6g}", f"{expected[index]:.6g}"
        if got == want:  # close, but not close enough: show the digits where they differ
            got, want = f"{actual[index]:.15g}", f"{expected[index]:.15g}"
        lines = [f"{what} is wrong:",
                 f"at index {tuple(int(i) for i in index)}: got {got}, expected {want}",
                 f"largest error {error.max():.2e}"]
        if steps_axis is not None:
            wrong = np.any(np.moveaxis(error > allowed, steps_axis, 0).reshape(error.shape[steps_axis], -1), axis=1)
            lines.append(f"wrong at time steps {_steps(np.flatnonzero(wrong))}"
                         + (f", right at {_steps(np.flatnonzero(~wrong))}" if not wrong.all() else ""))
        raise AssertionError("\n".join(lines))


_NUMPY_SHAPE_ERROR = re.compile(r"could not be broadcast|matmul: Input operand|not aligned|"
                                r"non-broadcastable output|cannot reshape array|mismatch in its core dimension")
_SHAPE = re.compile(r"\((\d+(?:,\s*\d+)*),?\)")
_MATMUL_SIZES = re.compile(r"size (\d+) is different from (\d+)")


def _student_line(error):
    """The line of the student's code that raised `error` (a notebook cell), or ''."""
    remote = getattr(error, "nnlab_remote", None)
    if remote:  # graded: the sandbox sent the notebook's frames as text
        lines = [line.strip() for line in remote.get("traceback", "").splitlines() if line.strip()]
        return lines[-1] if lines and not lines[-1].startswith("File ") else ""
    frames = traceback.extract_tb(error.__traceback__)
    return (frames[-1].line or "").strip() if frames else ""


@contextmanager
def explained(what, shapes=None, gradients=False):
    """Run student code; a NumPy shape error it raises becomes a message that says which
    shapes clash, which parameters have them, the likely mistake and the student's line.
    shapes: {name: shape} of the arrays the student should have matched (parameters, x);
    gradients: the code computes gradients (the message speaks of dL/d<name>)."""
    try:
        yield
    except (ValueError, IndexError) as error:
        text = str(error)
        if not _NUMPY_SHAPE_ERROR.search(text):
            raise
        found = []
        for match in _SHAPE.findall(text):
            shape = tuple(int(n) for n in match.split(","))
            if shape not in found:
                found.append(shape)
        inner = _MATMUL_SIZES.search(text)
        if found:
            clash = "shapes that clash: " + ", ".join(str(s) for s in found)
        elif inner:  # NumPy 2's matmul names the sizes, not the shapes
            clash = (f"in a matrix product A @ B, A's last axis has size {inner.group(2)}\n"
                     f"but B's first (of its last two) has size {inner.group(1)}")
        else:
            clash = text.splitlines()[0][:100]
        lines = [f"{what} failed with a NumPy shape error;", clash]
        for name, shape in (shapes or {}).items():
            shape = tuple(shape)
            if shape in found or tuple(reversed(shape)) in found:
                clash = [s for s in found if s != shape and shape_hint(s, shape)]
                hint = f";\n  got one of shape {clash[0]}: {shape_hint(clash[0], shape)}" if clash else ""
                lines.append(f"dL/d{name} must have {name}'s shape {shape}{hint}" if gradients
                             else f"{name} has shape {shape}{hint}")
        line = _student_line(error)
        if line:
            lines.append(f"in your line: {line[:70]}")
        raise AssertionError("\n".join(lines)) from None


def _steps(indices):
    shown = ", ".join(f"t={i}" for i in indices[:8])
    return shown + (f" and {len(indices) - 8} more" if len(indices) > 8 else "")


def _flat(out):
    if isinstance(out, (tuple, list)):
        return [a for item in out for a in _flat(item)]
    return [out]


def copy_parameters(layer, reference, names=None):
    """Give the student's layer the reference's parameter values (float64, by name) and zero
    gradients. names: {student's parameter name: reference's name} where they differ."""
    ref = dict(reference.named_parameters())
    mine = list(layer.named_parameters())
    expected = {(names or {}).get(n, n) for n, _ in mine}
    missing = sorted(set(ref) - expected)
    if missing:
        raise AssertionError(f"{type(reference).__name__} has parameters {missing}\n"
                             f"that the layer lacks (it has {sorted(n for n, _ in mine)})")
    shapes = {}
    for name, p in mine:
        source = (names or {}).get(name, name)
        if source not in ref:
            raise AssertionError(f"parameter {name!r} has no counterpart\nin the reference (which has {sorted(ref)})")
        data = p.data
        assert_shape(data, ref[source].data.shape, f"parameter {name}")
        p.data = ref[source].data.astype(np.float64).copy()
        p.grad = np.zeros_like(ref[source].data, dtype=np.float64)
        shapes[name] = ref[source].data.shape
    return shapes


def _renamed(shapes, shown):
    """{name in messages: shape} from {parameter name: shape}."""
    return {(shown or {}).get(name, name): shape for name, shape in shapes.items()}


def check_forward(layer, reference, *inputs, what=None, names=None, atol=1e-8, shown=None):
    """The layer's forward equals the reference's, with the same parameters, in float64.
    names: {student's parameter name: reference's}; shown: {parameter name: name in messages}."""
    reference.to(np.float64)
    inputs = [np.array(x, dtype=np.float64) for x in inputs]
    expected = _flat(reference.forward(*[x.copy() for x in inputs]))
    shapes = _renamed(copy_parameters(layer, reference, names), shown)
    what = what or f"{_name(layer)}.forward"
    with explained(what, {**shapes, **{f"input {i}": x.shape for i, x in enumerate(inputs)}}):
        actual = _flat(layer.forward(*[x.copy() for x in inputs]))
    if len(actual) != len(expected):
        raise AssertionError(f"{what} returns {len(actual)} arrays,\nexpected {len(expected)}")
    for i, (a, e) in enumerate(zip(actual, expected)):
        assert_close(a, e, what if len(expected) == 1 else f"{what}, output {i}", atol=atol)


def _name(layer):
    name = type(layer).__name__
    return name if name != "Remote" else repr(layer).strip("<>").split(" ")[0]


def gradient_report(actual, expected, tol, shown=None):
    """Compare {term: gradient} with {term: expected}; raise with every wrong term first.

    Shapes are checked first, with the likely mistake; two terms whose values are swapped
    are named as swapped."""
    shown = shown or {}
    label = {n: f"dL/d{shown.get(n, n)}" for n in expected}
    for name, e in expected.items():
        a = actual.get(name)
        if a is None:
            raise AssertionError(f"{label[name]} is missing:\ndid backward return it / add it to .grad?")
        a = _as_array(a, label[name])
        if a.shape != np.shape(e):
            others = [label[o] for o, oe in expected.items() if o != name and np.shape(oe) == a.shape]
            hint = shape_hint(a.shape, np.shape(e)) or (f"is it {others[0]}?" if others else "")
            raise AssertionError(f"{label[name]} must have the shape {np.shape(e)},\ngot {a.shape}"
                                 + (f" ({hint})" if hint else ""))
    errors = {n: relative_error(actual[n], e) if np.all(np.isfinite(actual[n])) else float("inf")
              for n, e in expected.items()}
    wrong = [n for n, err in errors.items() if err > tol]
    if not wrong:
        return errors
    for i, a_name in enumerate(wrong):
        for b_name in wrong[i + 1:]:
            if np.shape(expected[a_name]) == np.shape(expected[b_name]) and \
                    relative_error(actual[a_name], expected[b_name]) <= tol and \
                    relative_error(actual[b_name], expected[a_name]) <= tol:
                raise AssertionError(f"{label[a_name]} and {label[b_name]} are swapped")
    lines = [f"{label[n]} is WRONG (relative error {errors[n]:.1e})" for n in wrong]
    if any(not np.any(actual[n]) and np.any(expected[n]) for n in wrong):
        lines.append("(all zeros: was the gradient computed and stored?)")
    lines += [f"{label[n]} is right" for n in errors if n not in wrong]
    raise AssertionError("\n".join(lines))


def check_backward(layer, reference, *inputs, tol=1e-6, seed=0, names=None, input_names=None,
                   shown=None, accumulate=True):
    """The layer's backward against float64 central differences of the *reference* forward.

    Both get the same parameters and the same random dL/d(output) R, with L = Σ <out, R>.
    Using the reference's forward keeps this a test of backward alone. Then, with
    accumulate, a second forward and backward must double every parameter's gradient and
    leave the input gradients as they were (gradients are ADDED to p.grad).
    names: {student's parameter name: reference's}; shown: {term: name in messages}.
    """
    reference.to(np.float64)
    inputs = [np.array(x, dtype=np.float64) for x in inputs]
    rng = np.random.default_rng(seed)
    R = [rng.standard_normal(np.shape(o)) for o in _flat(reference.forward(*[x.copy() for x in inputs]))]

    def loss():
        return sum(float(np.sum(o * r)) for o, r in zip(_flat(reference.forward(*inputs)), R))

    in_names = input_names or (["x"] if len(inputs) == 1 else [f"x{i}" for i in range(len(inputs))])
    expected = {n: numerical_gradient(loss, x) for n, x in zip(in_names, inputs)}
    param_names = {}
    for name, _ in layer.named_parameters():
        param_names[name] = (names or {}).get(name, name)
    ref_params = dict(reference.named_parameters())
    for name, source in param_names.items():
        if source in ref_params:
            expected[name] = numerical_gradient(loss, ref_params[source].data)
    shapes = _renamed(copy_parameters(layer, reference, names), shown)
    shapes.update({name: x.shape for name, x in zip(in_names, inputs)})
    layer_name = _name(layer)

    def run():
        with explained(f"{layer_name}.forward", shapes):
            layer.forward(*[x.copy() for x in inputs])
        with explained(f"{layer_name}.backward", shapes, gradients=True):
            grads = layer.backward(*[r.copy() for r in R])
        grads = _flat(grads) if isinstance(grads, (tuple, list)) else [grads]
        actual = {n: None if g is None else np.array(g, copy=True) for n, g in zip(in_names, grads[:len(inputs)])}
        for name, p in layer.named_parameters():
            grad = p.grad  # a copy: a local layer's second backward adds to this very array
            actual[name] = None if grad is None else np.array(grad, copy=True)
        return actual

    first = run()
    gradient_report(first, expected, tol, shown)
    if accumulate and param_names:
        second = run()
        doubled = {n: 2 * first[n] for n in param_names}
        try:
            gradient_report({n: second[n] for n in param_names}, doubled, tol, shown)
        except AssertionError as error:
            raise AssertionError("after a second forward and backward, every p.grad must be\n"
                                 "twice the first: gradients are ADDED to p.grad (+=), not assigned\n"
                                 + str(error)) from None


def check_gradients(module, *inputs, tol=1e-6, input_names=None, names=None):
    """Central-difference check of a module's backward against its own forward.

    names: optional {parameter name: name shown in messages}, e.g. {"weight_f": "W_f"}.
    Returns the report {term: relative error}."""
    report = check_module(module, *inputs, tol=tol, input_names=input_names)
    if not report.ok:
        wrong = [n for n, e in report.items() if e > tol]
        lines = [f"dL/d{(names or {}).get(n, n)} is WRONG (relative error {report[n]:.1e})" for n in wrong]
        lines += [f"dL/d{(names or {}).get(n, n)} is right" for n in report if n not in wrong]
        raise AssertionError("\n".join(lines))
    return report


@contextmanager
def case(label):
    """Name one check of a hidden test: feedback shows "hidden test '<label>' failed"
    and the error's type, never the test's code or values."""
    try:
        yield
    except BaseException as error:
        if getattr(error, "nnlab_case", None) is None:
            try:
                error.nnlab_case = label
                error.add_note(f"(in the check: {label})")
            except (AttributeError, TypeError):
                pass
        raise


_MISSING = object()


def composed(check, **parts):
    """Run `check()`, a test of code that composes the student's parts (a network from their
    layers, a sequence from their cell, a training loop). If it fails, run it once more with
    `parts` (name -> a correct class or function) in place of the student's own, so that
    one wrong layer does not also cost the points of the network; that run's verdict counts.

    In the class grader the correct parts run in the grader and the student's code calls
    them there; in a notebook they are simply bound to the names for the second run.
    """
    grader = _grader(check)
    if grader is not None:
        return grader.composed(check, parts)
    namespace = check.__globals__
    try:
        return check()
    except Exception as own:  # noqa: BLE001 - any failure of the student's own parts
        saved = {name: namespace.get(name, _MISSING) for name in parts}
        namespace.update(parts)
        try:
            result = check()
        finally:
            for name, value in saved.items():
                if value is _MISSING:
                    namespace.pop(name, None)
                else:
                    namespace[name] = value
        print(f"Passes with correct {', '.join(parts)} in place of yours (so it scores);\n"
              f"with your own it fails: {type(own).__name__}: {own}")
        return result


def in_notebook(helper):
    """`helper` (a function of the notebook's locked cells) to be run on the student's side.

    In a notebook this is `helper` itself. In the grader, calling the result runs the
    notebook's copy of `helper` in the student's process, with the arguments sent as data:
    one request instead of one per operation. Its result comes back as data, so a test
    compares it with values it computed itself (never pass expected values in)."""
    grader = _grader(helper)
    if grader is None:
        return helper
    return grader.in_notebook(helper.__name__)


def exercise(check, task="This task"):
    """Run a lecture's self-check `check()` and say how it went, without stopping the notebook.

    A task not attempted yet (its stub raises NotImplementedError) and a wrong answer
    (AssertionError) are reported, not raised, so that the lecture still runs top to bottom;
    with NNLAB_STRICT_EXERCISES=1 (the tests, which fill in the solutions) both raise.
    Returns True if the check passed.
    """
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


__all__ = ["assert_close", "assert_shape", "explained", "check_forward", "check_backward", "check_gradients",
           "copy_parameters", "gradient_report", "case", "composed", "in_notebook", "exercise",
           "numerical_gradient", "relative_error"]
