"""Diagrams of neurons, of the two-layer network and of gradient descent, drawn with matplotlib.

The notebooks compute (paths of an optimizer, values of a forward pass); these functions only
draw what they are given, labelled with the course's symbols:

- neuron_diagram:     one neuron a(x, w) = σ(Σ_j w_j f_j(x) − w_0);
- two_layer_network:  inputs x^j, hidden u^h, outputs a^m, weights w_jh and w_hm, and, if
                      asked, the errors ε^m, ε^h running backwards;
- neuron_graph:       one sigmoid neuron with its loss as a computational graph, forward
                      values above the edges and gradients below them;
- parabola_descent:   gradient descent on Q(w) = ½ h w² for several learning rates η
                      (too small, right, too large, divergent);
- quadratic_descent:  paths of optimizers over the contours of a 2-D quadratic (a ravine).

Every function returns the matplotlib Figure it drew on and never calls plt.show().
"""
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["neuron_diagram", "two_layer_network", "neuron_graph", "parabola_descent",
           "quadratic_descent"]

_NODE = dict(boxstyle="circle,pad=0.3", fc="white", ec="black", lw=1.2)
_CONST = dict(boxstyle="circle,pad=0.3", fc="#eeeeee", ec="gray", lw=1.0, ls="--")


def _canvas(ax, size):
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    ax.set_axis_off()
    return ax


def _node(ax, xy, text, const=False, fontsize=13):
    ax.text(*xy, text, ha="center", va="center", fontsize=fontsize, zorder=3,
            bbox=_CONST if const else _NODE)


def _arrow(ax, start, end, color="black", lw=1.0, shrink=16, alpha=1.0, style="-|>"):
    ax.annotate("", xy=end, xytext=start, zorder=1,
                arrowprops=dict(arrowstyle=style, color=color, lw=lw, alpha=alpha,
                                shrinkA=shrink, shrinkB=shrink))


def neuron_diagram(n=3, ax=None):
    """One McCulloch–Pitts neuron: features f_1(x)..f_n(x) and the constant −1, weights w_j, the sum
    Σ_j w_j f_j(x) − w_0, the activation σ and the output a(x, w).

    n: how many features to draw (the last one is written f_n). Returns the Figure.
    """
    if n < 1:
        raise ValueError(f"neuron_diagram needs n >= 1 features, got {n}")
    ax = _canvas(ax, (7.5, 3.6))
    names = [f"$f_{{{j}}}(x)$" for j in range(1, n + 1)]
    if n > 3:
        names = names[:2] + ["$\\vdots$"] + [names[-1]]
    weights = [f"$w_{{{j}}}$" for j in range(1, n + 1)]
    weights = weights[:2] + [""] + [weights[-1]] if n > 3 else weights
    inputs = names + ["$-1$"]
    weights = weights + ["$w_0$"]
    ys = np.linspace(len(inputs) - 1, 0, len(inputs))
    sum_xy, act_xy, out_xy = (3.2, ys.mean()), (5.0, ys.mean()), (6.8, ys.mean())
    for y, name, w in zip(ys, inputs, weights):
        if name == "$\\vdots$":
            ax.text(0, y, name, ha="center", va="center", fontsize=14)
            continue
        _node(ax, (0, y), name, const=name == "$-1$", fontsize=11)
        _arrow(ax, (0, y), sum_xy, shrink=22)
        t = 0.45
        ax.text((1 - t) * 0 + t * sum_xy[0], (1 - t) * y + t * sum_xy[1] + 0.15, w, fontsize=12,
                ha="center", color="tab:blue")
    _node(ax, sum_xy, "$\\Sigma$", fontsize=16)
    _node(ax, act_xy, "$\\sigma$", fontsize=16)
    _arrow(ax, sum_xy, act_xy, shrink=20)
    _arrow(ax, act_xy, out_xy, shrink=14)
    ax.text(out_xy[0], out_xy[1], "$a(x, w)$", ha="left", va="center", fontsize=13)
    ax.text(sum_xy[0], sum_xy[1] - 0.85, "$\\langle w, x\\rangle = \\sum_j w_j f_j(x) - w_0$",
            ha="center", fontsize=11)
    ax.text(act_xy[0] + 0.1, act_xy[1] + 0.55, "$\\sigma(\\langle w, x\\rangle)$", ha="center", fontsize=11)
    ax.set_xlim(-0.9, 8.2)
    ax.set_ylim(-0.7, len(inputs) - 0.4)
    ax.set_title("one neuron: weigh the features, subtract the threshold, apply σ")
    return ax.figure


def two_layer_network(n=3, H=4, M=2, ax=None, backward=False):
    """The two-layer network: inputs x^0..x^n (x^0 = 1 carries the thresholds), hidden neurons
    u^0..u^H (u^0 = 1), outputs a^1..a^M; one weight of each layer is labelled w_jh, w_hm.

    backward=True also draws the backward pass: the output errors ε^m = a^m − y^m run back along
    the same weights and give the hidden errors ε^h = Σ_m ε^m σ'_m w_hm. Returns the Figure.
    """
    if min(n, H, M) < 1:
        raise ValueError(f"two_layer_network needs n, H, M >= 1, got n={n}, H={H}, M={M}")
    ax = _canvas(ax, (9, 5.2))
    columns = {"x": 0.0, "u": 3.6, "a": 7.2}
    height = max(n, H, M) + 1

    def ys(count):
        return np.linspace(height - 1, 0, count) if count > 1 else np.array([(height - 1) / 2])

    x_y, u_y, a_y = ys(n + 1), ys(H + 1), ys(M)
    x_nodes = [(columns["x"], y) for y in x_y]
    u_nodes = [(columns["u"], y) for y in u_y]
    a_nodes = [(columns["a"], y) for y in a_y]
    for j, start in enumerate(x_nodes):
        for h, end in enumerate(u_nodes[1:], start=1):
            highlight = (j, h) == (1, 1)
            _arrow(ax, start, end, color="tab:blue" if highlight else "gray",
                   lw=1.8 if highlight else 0.7, alpha=1 if highlight else 0.6)
    for h, start in enumerate(u_nodes):
        for m, end in enumerate(a_nodes, start=1):
            highlight = (h, m) == (1, 1)
            _arrow(ax, start, end, color="tab:blue" if highlight else "gray",
                   lw=1.8 if highlight else 0.7, alpha=1 if highlight else 0.6)
    for j, xy in enumerate(x_nodes):
        _node(ax, xy, "$1$" if j == 0 else f"$x^{{{j}}}$", const=j == 0, fontsize=12)
    for h, xy in enumerate(u_nodes):
        _node(ax, xy, "$1$" if h == 0 else f"$u^{{{h}}}$", const=h == 0, fontsize=12)
    for m, xy in enumerate(a_nodes, start=1):
        _node(ax, xy, f"$a^{{{m}}}$", fontsize=12)
    mid = lambda p, q, t=0.35: (p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]) + 0.22)
    ax.text(*mid(x_nodes[1], u_nodes[1]), "$w_{jh}$", color="tab:blue", fontsize=13, ha="center")
    ax.text(*mid(u_nodes[1], a_nodes[0]), "$w_{hm}$", color="tab:blue", fontsize=13, ha="center")
    top = height - 0.2
    ax.text(columns["x"], top + 0.35, "inputs $x^j$\n$j = 0..n$", ha="center", fontsize=11)
    ax.text(columns["u"], top + 0.35, "hidden layer\n$u^h = \\sigma_h(\\sum_j w_{jh} x^j)$",
            ha="center", fontsize=11)
    ax.text(columns["a"], top + 0.35, "outputs\n$a^m = \\sigma_m(\\sum_h w_{hm} u^h)$",
            ha="center", fontsize=11)
    if backward:
        for m, xy in enumerate(a_nodes, start=1):
            ax.text(xy[0] + 0.45, xy[1], f"$\\varepsilon^{{{m}}} = a^{{{m}}} - y^{{{m}}}$",
                    color="tab:red", fontsize=11, va="center")
        for h, xy in enumerate(u_nodes[1:], start=1):
            ax.text(xy[0] - 0.35, xy[1] - 0.3, f"$\\varepsilon^{{{h}}}$", color="tab:red", fontsize=11,
                    ha="right")
        for end in u_nodes[1:]:
            _arrow(ax, (a_nodes[0][0], a_nodes[0][1] - 0.08), (end[0], end[1] - 0.08), color="tab:red",
                   lw=1.2, alpha=0.8)
        ax.text(columns["u"], -1.0, "backward: $\\varepsilon^h = \\sum_m \\varepsilon^m \\sigma'_m w_{hm}$",
                color="tab:red", ha="center", fontsize=12)
    ax.set_xlim(-0.8, 9.3)
    ax.set_ylim(-1.3 if backward else -0.6, height + 0.9)
    ax.set_title("the two-layer network" + (" and its backward pass" if backward else ""))
    return ax.figure


def neuron_graph(values, grads, ax=None):
    """One sigmoid neuron with its loss, L = (σ(w x + b) − y)², as a computational graph.

    values: {"x", "w", "b", "y", "wx", "z", "a", "L"} -> float, the forward pass;
    grads:  {"x", "w", "b", "wx", "z", "a"} -> float, the gradients ∂L/∂(·) of the backward pass.
    Forward values are written in blue above the edges, gradients in red below them, each node's
    local derivative in gray above it. Returns the Figure.
    """
    missing = {"x", "w", "b", "y", "wx", "z", "a", "L"} - set(values)
    missing |= {"x", "w", "b", "wx", "z", "a"} - set(grads)
    if missing:
        raise KeyError(f"neuron_graph needs values and gradients for {sorted(missing)}")
    ax = _canvas(ax, (12, 3.8))
    nodes = {"x": (0, 3.0), "w": (0, 1.0), "mul": (2.4, 2.0), "b": (4.7, 0.4), "add": (4.7, 2.0),
             "sig": (7.0, 2.0), "loss": (9.3, 2.0), "y": (9.3, 0.4), "L": (11.2, 2.0)}
    labels = {"x": "$x$", "w": "$w$", "b": "$b$", "mul": r"$\times$", "add": "$+$", "sig": r"$\sigma$",
              "loss": r"$(\cdot - y)^2$", "y": "$y$", "L": "$L$"}
    for key, xy in nodes.items():
        leaf = key in ("x", "w", "b", "y", "L")
        ax.text(*xy, labels[key], ha="center", va="center", fontsize=14, zorder=3,
                bbox=dict(boxstyle="circle" if leaf else "round,pad=0.4",
                          fc="white" if leaf else "#eeeeee", ec="black"))
    for start, end in [("x", "mul"), ("w", "mul"), ("mul", "add"), ("b", "add"), ("add", "sig"),
                       ("sig", "loss"), ("y", "loss"), ("loss", "L")]:
        _arrow(ax, nodes[start], nodes[end], lw=1.2, shrink=20)

    def on_edge(start, end, forward, backward):
        mx, my = (nodes[start][0] + nodes[end][0]) / 2, nodes[start][1]
        ax.text(mx, my + 0.2, forward, color="tab:blue", ha="center", fontsize=10)
        ax.text(mx, my - 0.38, backward, color="tab:red", ha="center", fontsize=10)

    def at_leaf(key, forward, backward):
        px, py = nodes[key]
        ax.text(px - 0.45, py + 0.05, forward, color="tab:blue", ha="right", fontsize=10)
        ax.text(px - 0.45, py - 0.3, backward, color="tab:red", ha="right", fontsize=10)

    at_leaf("x", f"$x$ = {values['x']:.2f}", f"∂L/∂x = {grads['x']:.3f}")
    at_leaf("w", f"$w$ = {values['w']:.2f}", f"∂L/∂w = {grads['w']:.3f}")
    at_leaf("b", f"$b$ = {values['b']:.2f}", f"∂L/∂b = {grads['b']:.3f}")
    at_leaf("y", f"$y$ = {values['y']:.0f}", "")
    on_edge("mul", "add", f"$wx$ = {values['wx']:.2f}", f"{grads['wx']:.3f}")
    on_edge("add", "sig", f"$z$ = {values['z']:.3f}", f"∂L/∂z = {grads['z']:.3f}")
    on_edge("sig", "loss", f"$a$ = {values['a']:.3f}", f"∂L/∂a = {grads['a']:.3f}")
    on_edge("loss", "L", f"$L$ = {values['L']:.3f}", "∂L/∂L = 1")
    notes = {"mul": "local: ∂/∂w = x, ∂/∂x = w", "add": "local: 1 to each input",
             "sig": "local: σ'(z) = σ(1 − σ)", "loss": "local: 2(a − y)"}
    for key, note in notes.items():
        ax.text(nodes[key][0], nodes[key][1] + 0.75, note, ha="center", fontsize=9, color="dimgray")
    ax.set_xlim(-2.3, 11.6)
    ax.set_ylim(-0.3, 3.7)
    ax.set_title("one neuron as a graph: values flow right (blue), gradients flow left (red)")
    return ax.figure


def parabola_descent(paths, curvature, titles=None, axes=None):
    """Gradient descent on the parabola Q(w) = ½ h w², one panel per learning rate.

    paths: {η: array (steps + 1,) of the points w_0, w_1, ... visited}; curvature: h = Q''(w).
    titles: optional {η: text} added to each panel's title (e.g. "too small").
    axes: optional sequence of Axes, one per path. Returns the Figure.
    """
    if not paths:
        raise ValueError("parabola_descent needs at least one path")
    if axes is None:
        _, axes = plt.subplots(1, len(paths), figsize=(3.4 * len(paths), 3.1))
    axes = np.atleast_1d(axes)
    if len(axes) != len(paths):
        raise ValueError(f"parabola_descent got {len(paths)} paths but {len(axes)} axes")
    for ax, (eta, path) in zip(axes, paths.items()):
        path = np.asarray(path, float)
        start = max(abs(path[0]), 1e-12)
        limit = min(np.abs(path[np.isfinite(path)]).max(), 3 * start) * 1.15  # a diverging path leaves
        w = np.linspace(-limit, limit, 300)
        shown = path[np.abs(path) <= limit]
        ax.plot(w, 0.5 * curvature * w ** 2, color="gray", lw=1)
        q = 0.5 * curvature * shown ** 2
        ax.plot(shown, q, "o-", color="tab:red", ms=4, lw=1)
        ax.plot(shown[:1], q[:1], "ko", ms=6)
        ax.set_xlim(-limit, limit)
        ax.set_ylim(-0.05 * 0.5 * curvature * limit ** 2, 0.5 * curvature * limit ** 2 * 1.05)
        ax.set_xlabel("$w$")
        extra = f": {titles[eta]}" if titles and eta in titles else ""
        ax.set_title(f"$\\eta h$ = {eta * curvature:g}{extra}", fontsize=11)
    axes[0].set_ylabel("$Q(w) = \\frac{1}{2} h w^2$")
    return axes[0].figure


def quadratic_descent(A, paths, box, ax=None, colors=None, title=None):
    """Paths of optimizers over the contours of Q(w) = ½ wᵀ A w in the plane (minimum at 0).

    A: (2, 2) symmetric positive definite matrix; paths: {label: array (steps + 1, 2)};
    box: ((x_min, x_max), (y_min, y_max)), the plotted region. Returns the Figure.
    """
    A = np.asarray(A, float)
    if A.shape != (2, 2):
        raise ValueError(f"quadratic_descent needs a (2, 2) matrix A, got shape {A.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    (x0, x1), (y0, y1) = box
    X, Y = np.meshgrid(np.linspace(x0, x1, 300), np.linspace(y0, y1, 300))
    P = np.stack([X, Y], axis=-1)
    Q = 0.5 * np.einsum("...i,ij,...j->...", P, A, P)
    ax.contour(X, Y, np.log10(Q + 1e-6), levels=15, colors="gray", linewidths=0.5)
    for k, (label, path) in enumerate(paths.items()):
        path = np.asarray(path, float)
        color = (colors or {}).get(label, plt.cm.tab10.colors[k % 10])
        ax.plot(path[:, 0], path[:, 1], ".-", color=color, lw=1.2, ms=3, label=label)
    first = np.asarray(next(iter(paths.values())), float)[0]
    ax.plot(*first, "ko", ms=6)
    ax.plot(0, 0, "*", color="gold", ms=15, mec="k")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    ax.legend(fontsize=9, loc="upper right")
    if title:
        ax.set_title(title)
    return ax.figure
