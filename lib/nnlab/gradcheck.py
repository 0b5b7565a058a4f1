"""Numerical gradients by central differences, in float64, and a per-term report.

    ∂f/∂x_i ≈ (f(x + ε e_i) - f(x - ε e_i)) / 2ε      (error O(ε²))

relative_error(a, b) = max|a - b| / max(max|a|, max|b|): the largest deviation measured
against the size of the gradient, so it does not blow up where single entries are ~0.
"""
import numpy as np



def numerical_gradient(f, x, eps=1e-6):
    """Central-difference gradient of the scalar function f() with respect to array x.

    x is perturbed in place (and restored), so f may read it through a closure or a
    Parameter. x must be float64: in float32 the differences drown in rounding.
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
    analytic, numeric = np.asarray(analytic, np.float64), np.asarray(numeric, np.float64)
    if analytic.shape != numeric.shape:
        raise ValueError(f"gradient has shape {analytic.shape}, expected {numeric.shape}")
    scale = max(np.abs(analytic).max(initial=0), np.abs(numeric).max(initial=0))
    diff = np.abs(analytic - numeric).max(initial=0)
    return 0.0 if diff == 0 else float(diff / scale) if scale > 0 else float("inf")


def _flatten(out):
    """Outputs as a flat list of arrays: (output, (h_n, c_n)) -> [output, h_n, c_n]."""
    if isinstance(out, (tuple, list)):
        return [a for item in out for a in _flatten(item)]
    return [np.asarray(out)]


class GradCheckReport(dict):
    """name -> relative error, for each input and parameter; `ok` if all are ≤ tol."""

    def __init__(self, errors, tol):
        super().__init__(errors)
        self.tol = tol

    @property
    def ok(self):
        return all(e <= self.tol for e in self.values())

    @property
    def wrong(self):
        return [name for name, e in self.items() if e > self.tol]

    def __str__(self):
        parts = [f"dL/d{name} is {'right' if e <= self.tol else 'wrong'} (relative error {e:.1e})"
                 for name, e in self.items()]
        return "; ".join(parts)


def check_module(module, *inputs, tol=1e-6, eps=1e-6, seed=0, input_names=None):
    """Compare module.backward with central differences, in float64.

    The scalar checked is L = Σ_k <out_k, R_k> over the module's outputs (tuples such as
    (output, (h_n, c_n)) are flattened) with fixed random R_k, so backward receives R_k.
    Inputs and parameters are cast to float64 in place on copies. Returns a
    GradCheckReport: str(report) says which gradient is wrong, e.g.
    "dL/dx is right (relative error 3.1e-10); dL/dweight is wrong (relative error 4.2e-01)".
    Modules that draw random numbers in forward (Dropout) need a fixed mask: check them
    in eval mode or reseed inside a wrapper.
    """
    module.to(np.float64)
    xs = [np.array(x, dtype=np.float64) for x in inputs]
    names = input_names or (["x"] if len(xs) == 1 else [f"x{i}" for i in range(len(xs))])

    rng = np.random.default_rng(seed)
    outs = _flatten(module.forward(*xs))
    R = [rng.standard_normal(o.shape) for o in outs]

    def loss():
        return sum(float(np.sum(o * r)) for o, r in zip(_flatten(module.forward(*xs)), R))

    module.zero_grad()
    module.forward(*xs)
    grads_in = module.backward(*R)
    grads_in = _flatten(grads_in)[:len(xs)] if isinstance(grads_in, (tuple, list)) else [grads_in]
    analytic = {n: g for n, g in zip(names, grads_in)}
    analytic.update({n: p.grad.copy() for n, p in module.named_parameters()})

    errors = {}
    for name, x in zip(names, xs):
        errors[name] = relative_error(analytic[name], numerical_gradient(loss, x, eps))
    for name, p in module.named_parameters():
        errors[name] = relative_error(analytic[name], numerical_gradient(loss, p.data, eps))
    return GradCheckReport(errors, tol)


def check_loss(criterion, pred, target, tol=1e-6, eps=1e-6):
    """Compare criterion.backward() with central differences of criterion(pred, target)."""
    pred = np.array(pred, dtype=np.float64)
    criterion.forward(pred, target)
    analytic = criterion.backward()
    numeric = numerical_gradient(lambda: criterion.forward(pred, target), pred, eps)
    return GradCheckReport({"pred": relative_error(analytic, numeric)}, tol)


__all__ = ["numerical_gradient", "relative_error", "check_module", "check_loss", "GradCheckReport"]
