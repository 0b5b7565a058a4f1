"""Losses: the end of the chain, with their own contract (see nnlab.module).

    loss = crit.forward(pred, target)   a Python float (crit(pred, target) is the same call)
    grad = crit.backward()              NO argument: dL/dpred, an array of pred's shape

backward takes no gradient because nothing comes after the loss (dL/dL = 1); it uses what
the latest forward cached. A training step: model.backward(crit.backward()).

Each loss also gives `hessian()`: the per-sample Hessian of the loss with respect to one
row of pred, shape (batch, M, M). Rows of pred are independent, so this is the whole
second derivative; Optimal Brain Damage (nnlab.prune) starts its backward pass from it.
reduction 'mean' (default) averages as torch does; 'sum' adds.
"""
import numpy as np

from ..module import Module


class Loss(Module):
    """Base of the losses: forward(pred, target) -> float, backward() -> dL/dpred, hessian()."""

    def __init__(self, reduction="mean"):
        if reduction not in ("mean", "sum"):
            raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
        self.reduction = reduction

    def _check_same_shape(self, pred, target):
        pred, target = np.asarray(pred), np.asarray(target)
        if pred.shape != target.shape:
            raise ValueError(f"{type(self).__name__} expects target of shape {pred.shape} "
                             f"(the prediction's), got {target.shape}")
        if pred.ndim != 2:
            raise ValueError(f"{type(self).__name__} expects input of shape (batch, outputs), "
                             f"got {pred.shape}")
        return pred, target

    def _scale(self, count):
        return 1.0 / count if self.reduction == "mean" else 1.0


class MSELoss(Loss):
    """L = mean (pred - target)²;  dL/dpred = 2 (pred - target) / count;  Hessian 2/count · I.

    pred, target: (batch, M).
    """

    def forward(self, pred, target):
        self.pred, self.target = self._check_same_shape(pred, target)
        self.c = self._scale(self.pred.size)
        return float(np.sum((self.pred - self.target) ** 2) * self.c)

    def backward(self):
        return (2 * self.c * (self.pred - self.target)).astype(self.pred.dtype)

    def hessian(self):
        n, m = self.pred.shape
        return np.broadcast_to(2 * self.c * np.eye(m, dtype=self.pred.dtype), (n, m, m)).copy()


def log_softmax(z):
    """log softmax along the last axis, stable for logits of any size (max subtracted)."""
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


class CrossEntropyLoss(Loss):
    """Softmax cross-entropy on logits with integer labels (torch.nn.CrossEntropyLoss).

    logits: (batch, C), target: (batch,) integers in [0, C).
    L = mean_i -log softmax(z_i)[y_i];  dL/dz = (softmax(z) - onehot(y)) / batch;
    Hessian of one row: (diag(p) - p p^T) / batch.
    """

    def forward(self, logits, target):
        logits = np.asarray(logits)
        if logits.ndim != 2:
            raise ValueError(f"CrossEntropyLoss expects logits of shape (batch, classes), got {logits.shape}")
        target = np.asarray(target)
        n, c = logits.shape
        if target.shape != (n,) or not np.issubdtype(target.dtype, np.integer):
            raise ValueError(f"CrossEntropyLoss expects integer labels of shape ({n},), "
                             f"got {target.dtype} {target.shape}")
        if target.size and (target.min() < 0 or target.max() >= c):
            raise ValueError(f"CrossEntropyLoss labels must be in [0, {c}), got {target.min()}..{target.max()}")
        logp = log_softmax(logits)
        self.p, self.target, self.c = np.exp(logp), target, self._scale(n)
        return float(-logp[np.arange(n), target].sum() * self.c)

    def backward(self):
        grad = self.p.copy()
        grad[np.arange(len(self.target)), self.target] -= 1
        return grad * self.c

    def hessian(self):
        p = self.p
        return (np.einsum("nk,kl->nkl", p, np.eye(p.shape[1], dtype=p.dtype))
                - np.einsum("nk,nl->nkl", p, p)) * self.c


class BCELoss(Loss):
    """Binary cross-entropy on probabilities p in (0, 1) (torch.nn.BCELoss), targets in [0, 1].

    L = mean -[t ln p + (1-t) ln(1-p)];  dL/dp = (p - t) / (p (1-p)) / count;
    Hessian diagonal t/p² + (1-t)/(1-p)², over count. Logs are clamped at -100 like torch.
    """

    def forward(self, pred, target):
        self.pred, self.target = self._check_same_shape(pred, target)
        self.c = self._scale(self.pred.size)
        p, t = self.pred, self.target
        with np.errstate(divide="ignore"):
            loss = -(t * np.maximum(np.log(p), -100) + (1 - t) * np.maximum(np.log1p(-p), -100))
        return float(loss.sum() * self.c)

    def backward(self):
        p, t = self.pred, self.target
        return ((p - t) / np.maximum(p * (1 - p), 1e-12) * self.c).astype(p.dtype)

    def hessian(self):
        p, t = self.pred, self.target
        diag = (t / p ** 2 + (1 - t) / (1 - p) ** 2) * self.c
        return np.einsum("nk,kl->nkl", diag, np.eye(p.shape[1], dtype=p.dtype))
