"""Numerical gradients by central differences, in float64, and a per-term report.

This module is the one place of nnlab where gradients are computed numerically:

    ∂f/∂x_i ≈ (f(x + ε e_i) - f(x - ε e_i)) / 2ε      (error O(ε²))

relative_error(a, b) = max|a - b| / max(max|a|, max|b|): the largest deviation measured
against the size of the gradient, so it does not blow up where single entries are ~0.

check_module(layer, x) puts a fixed random weight R_k on every output, L = Σ_k <out_k, R_k>,
and compares what layer.backward(R) gives with the central differences of L, for the input
and every parameter. The answer is a GradCheckReport: a dict name -> relative error whose
str() says, one short line per term, which gradient is wrong:

    dL/dweight is WRONG (relative error 4.2e-01)
    dL/dx is right (relative error 3.1e-10)
"""
import numpy as np


def numerical_gradient(f, x, eps=1e-6):
    """Central-difference gradient of the scalar function f() with respect to array x.

    x is perturbed in place (and restored), so f may read it through a closure or a
    Parameter. x must be float64: in float32 the differences drown in rounding.
    Returns an array of x's shape.
    """
    if x.dtype != np.float64:
        raise TypeError(f"numerical gradients need float64 arrays, got {x.dtype}")
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat, x):
        raise ValueError("numerical_gradient needs a contiguous array it can perturb in place")
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        f_plus = f()
        flat[i] = old - eps
        f_minus = f()
        flat[i] = old
        gflat[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(analytic, numeric):
    """max|a - n| / max(max|a|, max|n|) for two arrays of the same shape, as a float.

    0 when both are equal (also both zero); inf when either has a nan or an inf, or when
    only the deviation is nonzero.
    """
    analytic, numeric = np.asarray(analytic, np.float64), np.asarray(numeric, np.float64)
    if analytic.shape != numeric.shape:
        raise ValueError(f"gradient has shape {analytic.shape}, expected {numeric.shape}")
    if not (np.all(np.isfinite(analytic)) and np.all(np.isfinite(numeric))):
        return float("inf")
    scale = max(np.abs(analytic).max(initial=0), np.abs(numeric).max(initial=0))
    diff = np.abs(analytic - numeric).max(initial=0)
    return 0.0 if diff == 0 else float(diff / scale) if scale > 0 else float("inf")


def flatten_outputs(out):
    """A module's outputs as a flat list of arrays, in order.

    Nested tuples and lists are opened: LSTM's (output, (h_n, c_n)) -> [output, h_n, c_n];
    a single array (or anything array-like) -> [that array]. None stays None, so that a
    caller can say which output was never returned.
    """
    if isinstance(out, (tuple, list)):
        return [a for item in out for a in flatten_outputs(item)]
    return [None if out is None else np.asarray(out)]


class GradCheckReport(dict):
    """name -> relative error of dL/d(name), for each input and parameter checked.

    tol: the largest error that counts as right. ok: every error is ≤ tol. wrong: the
    names above tol, in order. names: optional {name: shown name}, e.g. {"weight_f": "W_f"},
    used by str(report) (the keys stay the parameter names).

    str(report) has one line per term, the wrong terms first, each short enough for a
    notebook's error box:
        dL/dweight is WRONG (relative error 4.2e-01)
        dL/dx is right (relative error 3.1e-10)
    """

    def __init__(self, errors, tol, names=None):
        super().__init__(errors)
        self.tol = tol
        self.names = dict(names or {})

    @property
    def ok(self):
        return not self.wrong

    @property
    def wrong(self):
        return [name for name, e in self.items() if not e <= self.tol]  # nan counts as wrong

    def shown(self, name):
        """The name as the report writes it."""
        return self.names.get(name, name)

    def line(self, name):
        """One term: 'dL/d<name> is WRONG (relative error ...)' or '... is right (...)'."""
        verdict = "WRONG" if name in self.wrong else "right"
        return f"dL/d{self.shown(name)} is {verdict} (relative error {self[name]:.1e})"

    def __str__(self):
        wrong = self.wrong
        order = wrong + [name for name in self if name not in wrong]
        return "\n".join(self.line(name) for name in order)


def compare_gradients(analytic, numeric, tol=1e-6, names=None):
    """GradCheckReport of the gradients `analytic` against `numeric`, two dicts {name: array}.

    Every name of numeric is checked; a missing or wrongly shaped analytic gradient is a
    ValueError naming the term (with its shown name, see GradCheckReport).
    """
    report = GradCheckReport({}, tol, names)
    for name, expected in numeric.items():
        actual = analytic.get(name)
        if actual is None:
            raise ValueError(f"dL/d{report.shown(name)} is None, expected an array of shape "
                             f"{np.shape(expected)}")
        if np.shape(actual) != np.shape(expected):
            raise ValueError(f"dL/d{report.shown(name)} has shape {np.shape(actual)}, "
                             f"expected {np.shape(expected)}")
        report[name] = relative_error(actual, expected)
    return report


def check_module(module, *inputs, tol=1e-6, eps=1e-6, seed=0, input_names=None, names=None):
    """Compare module.backward with central differences, in float64.

    The scalar checked is L = Σ_k <out_k, R_k> over the module's outputs (tuples such as
    (output, (h_n, c_n)) are flattened, see flatten_outputs) with fixed random R_k, so
    backward receives R_k. The module's parameters are cast to float64 in place
    (module.to(np.float64)); the inputs are float64 copies.
    input_names: the names of the inputs in the report (default "x", or "x0", "x1", ...);
    names: {parameter or input name: shown name} for str(report).
    Returns a GradCheckReport; str(report) says which gradient is wrong, e.g.
        dL/dweight is WRONG (relative error 4.2e-01)
        dL/dx is right (relative error 3.1e-10)
    Modules that draw random numbers in forward (Dropout) need a fixed mask: check them
    in eval mode or reseed inside a wrapper.
    """
    module.to(np.float64)
    xs = [np.array(x, dtype=np.float64) for x in inputs]
    in_names = input_names or (["x"] if len(xs) == 1 else [f"x{i}" for i in range(len(xs))])

    rng = np.random.default_rng(seed)
    outputs = flatten_outputs(module.forward(*xs))
    if any(o is None for o in outputs):
        raise ValueError(f"{type(module).__name__}.forward returned None for an output")
    R = [rng.standard_normal(o.shape) for o in outputs]

    def loss():
        return sum(float(np.sum(o * r)) for o, r in zip(flatten_outputs(module.forward(*xs)), R))

    module.zero_grad()
    module.forward(*xs)
    grads_in = module.backward(*R)
    grads_in = flatten_outputs(grads_in)[:len(xs)] if isinstance(grads_in, (tuple, list)) \
        else [grads_in]
    analytic = dict(zip(in_names, grads_in))
    analytic.update({n: p.grad.copy() for n, p in module.named_parameters()})

    numeric = {n: numerical_gradient(loss, x, eps) for n, x in zip(in_names, xs)}
    numeric.update({n: numerical_gradient(loss, p.data, eps) for n, p in module.named_parameters()})
    return compare_gradients(analytic, numeric, tol, names)


def check_loss(criterion, pred, target, tol=1e-6, eps=1e-6):
    """Compare criterion.backward() with central differences of criterion.forward(pred, target).

    pred is cast to float64; the report has one term, "pred".
    """
    pred = np.array(pred, dtype=np.float64)
    criterion.forward(pred, target)
    analytic = criterion.backward()
    numeric = numerical_gradient(lambda: criterion.forward(pred, target), pred, eps)
    return compare_gradients({"pred": analytic}, {"pred": numeric}, tol)


__all__ = ["numerical_gradient", "relative_error", "flatten_outputs", "GradCheckReport",
           "compare_gradients", "check_module", "check_loss"]
