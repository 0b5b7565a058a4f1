"""Figures used by the lectures: decision boundaries and loss curves."""
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["decision_boundary", "loss_curves"]


def decision_boundary(predict, X, y, ax=None, title=None, resolution=200, margin=0.5):
    """Colour the plane by predict(points) -> class scores or labels, and scatter (X, y).

    predict takes (n, 2) points and returns (n,) labels/scores or (n, C) scores; for
    scores of one column the boundary is drawn at 0.5.
    """
    ax = ax or plt.gca()
    X = np.asarray(X)
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.c_[xx.ravel(), yy.ravel()]
    out = np.asarray(predict(grid))
    if out.ndim == 2 and out.shape[1] > 1:
        out = out.argmax(axis=1)
    zz = out.reshape(xx.shape).astype(float)
    ax.contourf(xx, yy, zz, levels=20, cmap="RdBu", alpha=0.35, vmin=0, vmax=1)
    ax.contour(xx, yy, zz, levels=[0.5], colors="k", linewidths=1.5)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu", vmin=0, vmax=1, edgecolors="k", s=40)
    ax.set_xlabel("$x^1$")
    ax.set_ylabel("$x^2$")
    if title:
        ax.set_title(title)
    return ax


def loss_curves(histories, ax=None, key="loss", title=None, log=False):
    """Plot history.<key> per epoch for {label: History} (or one History)."""
    ax = ax or plt.gca()
    if not isinstance(histories, dict):
        histories = {"train": histories}
    for label, h in histories.items():
        ax.plot(np.arange(1, len(getattr(h, key)) + 1), getattr(h, key), label=label)
        val = getattr(h, "val_" + key, None)
        if val:
            ax.plot(np.arange(1, len(val) + 1), val, "--", label=f"{label} (validation)")
    ax.set_xlabel("epoch")
    ax.set_ylabel(key)
    if log:
        ax.set_yscale("log")
    ax.legend()
    if title:
        ax.set_title(title)
    return ax
