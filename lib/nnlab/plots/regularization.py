"""Diagrams of regularization and of the units of lecture 04, drawn with matplotlib.

The notebooks compute (dropout masks, weights of MaxOut pieces); these functions only draw what
they are given, labelled with the course's symbols:

- dropout_networks:  the full network and thinned networks that dropout samples, one per mask ξ;
                     a neuron with ξ^ℓ_h = 0 is crossed out together with its connections;
- maxout_diagram:    one MaxOut unit, inputs x^j, k linear pieces z_k = <w_k, x> + b_k, their max;
- maxout_unit:       the pieces w_k z + b_k of a MaxOut unit of one input z, and their maximum.

Every function returns the matplotlib Figure it drew on and never calls plt.show().
"""
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["dropout_networks", "maxout_diagram", "maxout_unit"]

_ON = dict(boxstyle="circle,pad=0.25", fc="white", ec="black", lw=1.2)
_OFF = dict(boxstyle="circle,pad=0.25", fc="#f0f0f0", ec="#bbbbbb", lw=1.0, ls="--")


def _layer_ys(count, height):
    return np.linspace(height - 1, 0, count) if count > 1 else np.array([(height - 1) / 2])


def _draw_network(ax, sizes, mask, title):
    """One panel: layers of `sizes`; mask[ℓ] (0/1 per neuron) for every layer but the output."""
    height = max(sizes)
    xs = np.arange(len(sizes)) * 1.6
    ys = [_layer_ys(n, height) for n in sizes]
    on = [np.asarray(m, bool) for m in mask] + [np.ones(sizes[-1], bool)]
    for l in range(len(sizes) - 1):
        for i, y0 in enumerate(ys[l]):
            for j, y1 in enumerate(ys[l + 1]):
                if on[l][i] and on[l + 1][j]:
                    ax.plot([xs[l], xs[l + 1]], [y0, y1], color="tab:blue", lw=0.8, alpha=0.7, zorder=1)
    for l, n in enumerate(sizes):
        for i, y in enumerate(ys[l]):
            ax.text(xs[l], y, " ", ha="center", va="center", fontsize=11, zorder=3,
                    bbox=_ON if on[l][i] else _OFF)
            if not on[l][i]:
                ax.plot(xs[l], y, "x", color="tab:red", ms=9, mew=2, zorder=4)
    names = ["inputs\n$x^{0}$"] + [f"$x^{{{l}}}$" for l in range(1, len(sizes) - 1)] + ["outputs\n$a$"]
    for l, name in enumerate(names):
        ax.text(xs[l], height - 0.3, name, ha="center", va="bottom", fontsize=10)
    ax.set_title(title, fontsize=10)
    ax.set_xlim(xs[0] - 0.6, xs[-1] + 0.6)
    ax.set_ylim(-0.7, height + 0.5)
    ax.set_axis_off()


def dropout_networks(sizes, masks, probabilities=None, axes=None):
    """The full network and the thinned networks that dropout samples, side by side.

    sizes: neurons per layer, inputs first and outputs last, e.g. (4, 6, 6, 2).
    masks: a list of samples ξ; each is a list with one 0/1 array per layer except the output
    layer (inputs included), of lengths sizes[:-1]; ξ^ℓ_h = 0 switches neuron h of layer ℓ off,
    and with it every connection that enters or leaves it.
    probabilities: optional p_ℓ of each masked layer, shown in the first panel's title.
    axes: optional sequence of 1 + len(masks) Axes. Returns the Figure.
    """
    sizes = [int(n) for n in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"dropout_networks needs at least two layers of >= 1 neuron, got sizes {sizes}")
    for k, mask in enumerate(masks):
        if len(mask) != len(sizes) - 1:
            raise ValueError(f"mask {k} has {len(mask)} layers; expected one per layer but the output, "
                             f"{len(sizes) - 1} for sizes {sizes}")
        for l, m in enumerate(mask):
            if np.shape(m) != (sizes[l],):
                raise ValueError(f"mask {k}, layer {l}: expected shape ({sizes[l]},), got {np.shape(m)}")
    if axes is None:
        _, axes = plt.subplots(1, 1 + len(masks), figsize=(3.1 * (1 + len(masks)), 3.3))
    axes = np.atleast_1d(axes)
    if len(axes) != 1 + len(masks):
        raise ValueError(f"dropout_networks draws {1 + len(masks)} panels but got {len(axes)} axes")
    full = [np.ones(n) for n in sizes[:-1]]
    extra = ""
    if probabilities is not None:
        extra = "\n" + ", ".join(f"$p_{{{l}}}$ = {p:g}" for l, p in enumerate(probabilities))
    _draw_network(axes[0], sizes, full, "all neurons on (testing)" + extra)
    for k, (ax, mask) in enumerate(zip(axes[1:], masks), start=1):
        off = sum(int(np.sum(np.asarray(m) == 0)) for m in mask)
        _draw_network(ax, sizes, mask, f"step {k}: a thinned network,\n{off} neurons off ($\\xi^\\ell_h = 0$)")
    return axes[0].figure


def maxout_diagram(n=3, pieces=3, ax=None):
    """One MaxOut unit: inputs x^1..x^n, k = pieces linear functions z_k = <w_k, x> + b_k of them,
    and the unit's output, their maximum. Returns the Figure."""
    if n < 1 or pieces < 1:
        raise ValueError(f"maxout_diagram needs n >= 1 and pieces >= 1, got n={n}, pieces={pieces}")
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 3.6))
    ax.set_axis_off()
    height = max(n, pieces)
    x_y, z_y = _layer_ys(n, height), _layer_ys(pieces, height)
    max_xy = (4.2, (height - 1) / 2)
    for j, y in enumerate(x_y, start=1):
        for k, yz in enumerate(z_y, start=1):
            ax.annotate("", xy=(2.0, yz), xytext=(0.0, y), zorder=1,
                        arrowprops=dict(arrowstyle="-|>", color="gray", lw=0.8, shrinkA=14, shrinkB=16))
        ax.text(0.0, y, f"$x^{{{j}}}$", ha="center", va="center", fontsize=12, zorder=3, bbox=_ON)
    for k, yz in enumerate(z_y, start=1):
        ax.text(2.0, yz, f"$z_{{{k}}}$", ha="center", va="center", fontsize=12, zorder=3, bbox=_ON)
        ax.annotate("", xy=max_xy, xytext=(2.0, yz), zorder=1,
                    arrowprops=dict(arrowstyle="-|>", color="black", lw=1.0, shrinkA=16, shrinkB=22))
    ax.text(1.0, height - 0.35, "$w_k$, $b_k$", ha="center", fontsize=12, color="tab:blue")
    ax.text(*max_xy, "max", ha="center", va="center", fontsize=12, zorder=3,
            bbox=dict(boxstyle="round,pad=0.4", fc="#eeeeee", ec="black"))
    ax.annotate("", xy=(5.6, max_xy[1]), xytext=max_xy,
                arrowprops=dict(arrowstyle="-|>", color="black", lw=1.0, shrinkA=22, shrinkB=2))
    ax.text(5.7, max_xy[1], "$u = \\max_{k} z_k$", ha="left", va="center", fontsize=12)
    ax.text(2.0, -0.8, f"$z_k = \\langle w_k, x\\rangle + b_k$,  $k = 1..{pieces}$", ha="center", fontsize=11)
    ax.set_xlim(-0.6, 7.6)
    ax.set_ylim(-1.1, height + 0.1)
    ax.set_title(f"one MaxOut unit with {pieces} pieces: the largest of {pieces} linear functions of $x$")
    return ax.figure


def maxout_unit(weights, biases, z=None, ax=None, title=None):
    """The pieces z_k = w_k z + b_k of a MaxOut unit with one input z (dashed) and their maximum (solid).

    weights, biases: sequences of the k slopes w_k and intercepts b_k; z: the grid of inputs
    (default −3..3). Returns the Figure.
    """
    weights, biases = np.asarray(weights, float).ravel(), np.asarray(biases, float).ravel()
    if weights.size == 0 or weights.shape != biases.shape:
        raise ValueError(f"maxout_unit needs as many slopes as intercepts (at least one), "
                         f"got {weights.size} and {biases.size}")
    z = np.linspace(-3, 3, 301) if z is None else np.asarray(z, float)
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 3.2))
    pieces = weights[:, None] * z[None, :] + biases[:, None]
    for k, (piece, w, b) in enumerate(zip(pieces, weights, biases), start=1):
        sign = "+" if b >= 0 else "−"
        ax.plot(z, piece, "--", lw=1, label=f"$z_{{{k}}}$ = {w:.2g}$z$ {sign} {abs(b):.2g}")
    ax.plot(z, pieces.max(axis=0), color="black", lw=2.2, label="$\\max_k (w_k z + b_k)$")
    top = pieces.max(axis=0)
    ax.set_ylim(min(top.min(), 0) - 0.5, top.max() + 0.5)
    ax.axhline(0, color="grey", lw=0.5)
    ax.axvline(0, color="grey", lw=0.5)
    ax.set_xlabel("$z$")
    ax.legend(fontsize=7, loc="best")
    if title:
        ax.set_title(title, fontsize=10)
    return ax.figure
