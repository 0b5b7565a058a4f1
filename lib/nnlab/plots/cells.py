"""Diagrams of the gated recurrent cells, drawn with matplotlib (see nnlab.plots).

Both pictures follow the formulas of nnlab/nn/recurrent/lstm.py and gru.py symbol for symbol
(σ the sigmoid, th the hyperbolic tangent, ⊙ the elementwise product):

- lstm_cell_diagram: the LSTM cell. The cell state runs along the top, from C^{t-1} to C^t,
      and is changed only by the forget gate's product and the input gate's sum:
          f^t = σ(W_f x^t + U_f h^{t-1} + b_f),   i^t = σ(W_i x^t + U_i h^{t-1} + b_i),
          C̃^t = th(W_C x^t + U_C h^{t-1} + b_C),  C^t = f^t ⊙ C^{t-1} + i^t ⊙ C̃^t,
          o^t = σ(W_o x^t + U_o h^{t-1} + b_o),   h^t = o^t ⊙ th(C^t);
      peepholes=True adds the dashed links w_cf ⊙ C^{t-1}, w_ci ⊙ C^{t-1} and w_co ⊙ C^t.
- gru_cell_diagram: the GRU cell in the course's form (nnlab's default, reset_after=False).
      One state h runs along the top:
          r^t = σ(W_r x^t + U_r h^{t-1} + b_r),   z^t = σ(W_z x^t + U_z h^{t-1} + b_z),
          h̃^t = th(W_n x^t + U_n (r^t ⊙ h^{t-1}) + b_n),
          h^t = (1 − z^t) ⊙ h^{t-1} + z^t ⊙ h̃^t.

Yellow boxes are layers with weights (their parameters are written under them); circles are
elementwise operations without parameters. Every function returns the Figure it drew on and
never calls plt.show().
"""
import matplotlib.patheffects as patheffects
import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyBboxPatch

__all__ = ["lstm_cell_diagram", "gru_cell_diagram"]

_BOX_W, _BOX_H, _OP_R = 1.0, 0.84, 0.24
_LAYER = dict(fc="#fff2b3", ec="#8a6d00", lw=1.3)
_OP = dict(fc="#fde0e6", ec="#a0304a", lw=1.2)
_STATE = dict(color="#1f5fa8", lw=2.6)           # the line that carries the memory through time
_WIRE = dict(color="#333333", lw=1.3)
_PEEP = dict(color="#2a8a3e", lw=1.3, ls=(0, (4, 2.5)))
_HALO = [patheffects.withStroke(linewidth=6, foreground="white")]


def _canvas(ax, size):
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    ax.set_axis_off()
    ax.set_aspect("equal")
    return ax


def _layer(ax, xy, text, params):
    """A layer with weights: a box with its nonlinearity and, under it, its parameters."""
    x, y = xy
    ax.add_patch(FancyBboxPatch((x - _BOX_W / 2, y - _BOX_H / 2), _BOX_W, _BOX_H,
                                boxstyle="round,pad=0.02,rounding_size=0.08", zorder=4, **_LAYER))
    ax.text(x, y + 0.14, text, ha="center", va="center", fontsize=13, zorder=5)
    ax.text(x, y - 0.22, params, ha="center", va="center", fontsize=9, color="#6b5500", zorder=5)


def _op(ax, xy, text, fontsize=12):
    """An elementwise operation without parameters: a circle."""
    ax.add_patch(Circle(xy, _OP_R, zorder=4, **_OP))
    ax.text(*xy, text, ha="center", va="center", fontsize=fontsize, zorder=5)


def _wire(ax, points, style=_WIRE, arrow=True, halo=False):
    """A polyline through points; an arrowhead at the last point if arrow."""
    xs, ys = zip(*points)
    line, = ax.plot(xs, ys, solid_capstyle="butt", zorder=3 if halo else 2,
                    **{k: v for k, v in style.items()})
    if halo:
        line.set_path_effects(_HALO + [patheffects.Normal()])
    if arrow:
        ax.annotate("", xy=points[-1], xytext=points[-2], zorder=3,
                    arrowprops=dict(arrowstyle="-|>", color=style["color"], lw=style["lw"],
                                    shrinkA=0, shrinkB=0, mutation_scale=12))


def _label(ax, xy, text, color="black", ha="left", va="center", fontsize=12):
    ax.text(*xy, text, ha=ha, va=va, fontsize=fontsize, color=color, zorder=6)


def _body(ax, x0, x1, y0, y1):
    ax.add_patch(FancyBboxPatch((x0, y0), x1 - x0, y1 - y0, boxstyle="round,pad=0,rounding_size=0.35",
                                fc="#f3f5f8", ec="#9aa5b5", lw=1.2, zorder=0))


def lstm_cell_diagram(peepholes=False, ax=None):
    """The LSTM cell at step t: the gates f^t, i^t, o^t and the candidate C̃^t, the cell state
    line from C^{t-1} to C^t along the top, and h^t = o^t ⊙ th(C^t) leaving the cell.

    peepholes: also draw the peephole links of nn.LSTMCell(..., peepholes=True), dashed: C^{t-1}
    into the forget and input gates (weights w_cf, w_ci), the new C^t into the output gate (w_co).
    Returns the Figure.
    """
    if not isinstance(peepholes, bool):
        raise TypeError(f"lstm_cell_diagram: peepholes must be True or False, got {peepholes!r}")
    ax = _canvas(ax, (10.5, 6.4))
    top, bus, gate_y, mix_y = 4.4, 0.8, 2.1, 3.3          # heights of the lines and the boxes
    gx = {"f": 2.0, "i": 3.3, "C": 4.6, "o": 6.1}           # the four layers, left to right
    times_f, plus, times_i, th_c, times_o = (gx["f"], top), (gx["C"], top), (gx["C"], mix_y), \
        (7.5, mix_y), (7.5, gate_y)
    _body(ax, 0.35, 9.25, 0.15, 5.05)

    # the cell state: C^{t-1} -> ⊙ f^t -> + i^t ⊙ C̃^t -> C^t
    _wire(ax, [(-0.9, top), (times_f[0] - _OP_R, top)], _STATE)
    _wire(ax, [(times_f[0] + _OP_R, top), (plus[0] - _OP_R, top)], _STATE)
    _wire(ax, [(plus[0] + _OP_R, top), (10.3, top)], _STATE)
    _label(ax, (-0.9, top + 0.3), "$C^{t-1}$", _STATE["color"], ha="left", va="bottom", fontsize=13)
    _label(ax, (10.3, top + 0.3), "$C^t$", _STATE["color"], ha="right", va="bottom", fontsize=13)

    # the inputs: h^{t-1} from the left, x^t from below, together [h^{t-1}, x^t] for every layer
    _wire(ax, [(-0.9, bus), (gx["o"], bus)], arrow=False)
    _wire(ax, [(1.2, -0.9), (1.2, bus)], arrow=False)
    ax.plot([1.2], [bus], "o", color=_WIRE["color"], ms=4, zorder=3)
    _label(ax, (-0.9, bus + 0.25), "$h^{t-1}$", va="bottom", fontsize=13)
    _label(ax, (1.35, -0.75), "$x^t$", fontsize=13)
    for key in gx:
        _wire(ax, [(gx[key], bus), (gx[key], gate_y - _BOX_H / 2)])
    _layer(ax, (gx["f"], gate_y), "$\\sigma$", "$W_f, U_f, b_f$")
    _layer(ax, (gx["i"], gate_y), "$\\sigma$", "$W_i, U_i, b_i$")
    _layer(ax, (gx["C"], gate_y), "th", "$W_C, U_C, b_C$")
    _layer(ax, (gx["o"], gate_y), "$\\sigma$", "$W_o, U_o, b_o$")

    # forget: f^t ⊙ C^{t-1}
    _wire(ax, [(gx["f"], gate_y + _BOX_H / 2), (gx["f"], top - _OP_R)])
    _label(ax, (gx["f"] + 0.1, 3.55), "$f^t$")
    # input: i^t ⊙ C̃^t added to the cell state
    _wire(ax, [(gx["i"], gate_y + _BOX_H / 2), (gx["i"], mix_y), (times_i[0] - _OP_R, mix_y)])
    _label(ax, (gx["i"] + 0.1, 2.9), "$i^t$")
    _wire(ax, [(gx["C"], gate_y + _BOX_H / 2), (gx["C"], mix_y - _OP_R)])
    _label(ax, (gx["C"] + 0.1, 2.82), "$\\tilde C^t$")
    _wire(ax, [(gx["C"], mix_y + _OP_R), (gx["C"], top - _OP_R)])
    _label(ax, (gx["C"] + 0.12, 3.85), "$i^t \\odot \\tilde C^t$", fontsize=10)
    # output: h^t = o^t ⊙ th(C^t)
    _wire(ax, [(th_c[0], top), (th_c[0], th_c[1] + _OP_R)])
    ax.plot([th_c[0]], [top], "o", color=_STATE["color"], ms=5, zorder=3)
    _wire(ax, [(th_c[0], th_c[1] - _OP_R), (times_o[0], times_o[1] + _OP_R)])
    _wire(ax, [(gx["o"] + _BOX_W / 2, gate_y), (times_o[0] - _OP_R, gate_y)])
    _label(ax, (6.8, gate_y + 0.12), "$o^t$", va="bottom")
    _wire(ax, [(times_o[0], times_o[1] - _OP_R), (times_o[0], bus), (10.3, bus)])
    _wire(ax, [(8.7, bus), (8.7, 5.6)], halo=True)
    ax.plot([8.7], [bus], "o", color=_WIRE["color"], ms=4, zorder=3)
    _label(ax, (10.3, bus + 0.25), "$h^t$", ha="right", va="bottom", fontsize=13)
    _label(ax, (8.85, 5.45), "$h^t$ (output)", fontsize=12)
    for xy, text in [(times_f, "$\\odot$"), (plus, "$+$"), (times_i, "$\\odot$"), (th_c, "th"),
                     (times_o, "$\\odot$")]:
        _op(ax, xy, text, fontsize=10 if text == "th" else 13)

    if peepholes:
        # C^{t-1} into f and i (tapped before the forget product), C^t into o (after the sum)
        _wire(ax, [(0.8, top), (0.8, gate_y), (gx["f"] - _BOX_W / 2, gate_y)], _PEEP)
        _wire(ax, [(0.8, 2.85), (2.65, 2.85), (2.65, gate_y), (gx["i"] - _BOX_W / 2, gate_y)], _PEEP, halo=True)
        _wire(ax, [(5.35, top), (5.35, gate_y), (gx["o"] - _BOX_W / 2, gate_y)], _PEEP)
        for x in (0.8, 5.35):
            ax.plot([x], [top], "o", color=_PEEP["color"], ms=5, zorder=3)
        _label(ax, (0.88, 1.72), "$w_{cf}$", _PEEP["color"], fontsize=11)
        _label(ax, (0.95, 3.0), "$w_{ci}$", _PEEP["color"], va="bottom", fontsize=11)
        _label(ax, (5.42, 3.6), "$w_{co}$", _PEEP["color"], fontsize=11)
    ax.set_xlim(-1.1, 10.5)
    ax.set_ylim(-1.2, 5.9)
    note = ("yellow: layers with weights, e.g. $f^t = \\sigma(W_f x^t + U_f h^{t-1} + b_f)$;  "
            "circles: elementwise operations")
    if peepholes:
        note += ";\ndashed: peepholes, e.g. $f^t = \\sigma(W_f x^t + U_f h^{t-1} + w_{cf} \\odot C^{t-1} + b_f)$"
    ax.text(4.6, -1.15, note, ha="center", va="top", fontsize=9.5, color="dimgray")
    ax.set_title("the LSTM cell" + (" with peepholes" if peepholes else "")
                 + ": $C^t = f^t \\odot C^{t-1} + i^t \\odot \\tilde C^t$,  $h^t = o^t \\odot \\mathrm{th}(C^t)$",
                 fontsize=12)
    return ax.figure


def gru_cell_diagram(ax=None):
    """The GRU cell at step t in the course's form (nnlab's default, reset_after=False): the reset
    gate r^t, the update gate z^t, the candidate h̃^t computed from r^t ⊙ h^{t-1} and x^t, and the
    state line from h^{t-1} to h^t = (1 − z^t) ⊙ h^{t-1} + z^t ⊙ h̃^t along the top.
    Returns the Figure.
    """
    ax = _canvas(ax, (10.5, 6.4))
    top, bus, gate_y, mix_y, branch_y = 4.4, 0.8, 2.1, 3.05, 3.4
    gx = {"r": 1.9, "z": 3.6, "n": 5.9}
    keep, plus, reset, one_minus, new = (gx["z"], top), (7.9, top), (gx["r"], mix_y), \
        (gx["z"], 3.75), (7.2, gate_y)
    _body(ax, 0.35, 9.25, 0.15, 5.05)

    # the state: h^{t-1} -> ⊙ (1 - z^t) -> + z^t ⊙ h̃^t -> h^t
    _wire(ax, [(-0.9, top), (keep[0] - _OP_R, top)], _STATE)
    _wire(ax, [(keep[0] + _OP_R, top), (plus[0] - _OP_R, top)], _STATE)
    _wire(ax, [(plus[0] + _OP_R, top), (10.3, top)], _STATE)
    _label(ax, (-0.9, top + 0.3), "$h^{t-1}$", _STATE["color"], va="bottom", fontsize=13)
    _label(ax, (10.3, top + 0.3), "$h^t$", _STATE["color"], ha="right", va="bottom", fontsize=13)
    _wire(ax, [(8.7, top), (8.7, 5.6)])
    ax.plot([8.7], [top], "o", color=_STATE["color"], ms=5, zorder=3)
    _label(ax, (8.85, 5.45), "$h^t$ (output)", fontsize=12)

    # the inputs of the gates: [h^{t-1}, x^t]; x^t alone also goes to the candidate
    _wire(ax, [(0.7, top), (0.7, bus), (gx["z"], bus)], arrow=False)
    ax.plot([0.7], [top], "o", color=_STATE["color"], ms=5, zorder=3)
    _wire(ax, [(1.2, -0.9), (1.2, bus)], arrow=False)
    ax.plot([1.2, 1.2], [bus, 0.35], "o", color=_WIRE["color"], ms=4, zorder=3)
    _wire(ax, [(1.2, 0.35), (gx["n"], 0.35), (gx["n"], gate_y - _BOX_H / 2)])
    _label(ax, (1.35, -0.75), "$x^t$", fontsize=13)
    _label(ax, (4.6, 0.45), "$x^t$", va="bottom", fontsize=11)
    for key in ("r", "z"):
        _wire(ax, [(gx[key], bus), (gx[key], gate_y - _BOX_H / 2)])
    _layer(ax, (gx["r"], gate_y), "$\\sigma$", "$W_r, U_r, b_r$")
    _layer(ax, (gx["z"], gate_y), "$\\sigma$", "$W_z, U_z, b_z$")
    _layer(ax, (gx["n"], gate_y), "th", "$W_n, U_n, b_n$")

    # reset: r^t ⊙ h^{t-1} goes into the candidate
    _wire(ax, [(gx["r"], gate_y + _BOX_H / 2), (gx["r"], mix_y - _OP_R)])
    _label(ax, (gx["r"] - 0.08, 2.66), "$r^t$", ha="right", fontsize=11)
    _wire(ax, [(gx["r"], top), (gx["r"], mix_y + _OP_R)])
    ax.plot([gx["r"]], [top], "o", color=_STATE["color"], ms=5, zorder=3)
    _wire(ax, [(gx["r"] + _OP_R, mix_y), (4.9, mix_y), (4.9, gate_y), (gx["n"] - _BOX_W / 2, gate_y)],
          halo=True)
    _label(ax, (2.25, mix_y + 0.08), "$r^t \\odot h^{t-1}$", va="bottom", fontsize=10)
    # update: (1 - z^t) keeps the old state, z^t lets the candidate in
    _wire(ax, [(gx["z"], gate_y + _BOX_H / 2), (gx["z"], one_minus[1] - _OP_R)])
    _wire(ax, [(gx["z"], one_minus[1] + _OP_R), (gx["z"], top - _OP_R)])
    _label(ax, (gx["z"] + 0.1, 2.76), "$z^t$")
    _label(ax, (gx["z"] + 0.28, 3.75), "$1 - z^t$", fontsize=10)
    _wire(ax, [(gx["z"], branch_y), (new[0], branch_y), (new[0], new[1] + _OP_R)])
    ax.plot([gx["z"]], [branch_y], "o", color=_WIRE["color"], ms=4, zorder=3)
    _wire(ax, [(gx["n"] + _BOX_W / 2, gate_y), (new[0] - _OP_R, gate_y)])
    _label(ax, (6.6, gate_y + 0.12), "$\\tilde h^t$", va="bottom")
    _wire(ax, [(new[0] + _OP_R, gate_y), (plus[0], gate_y), (plus[0], top - _OP_R)])
    _label(ax, (plus[0] + 0.1, 3.0), "$z^t \\odot \\tilde h^t$", fontsize=10)
    for xy, text in [(keep, "$\\odot$"), (plus, "$+$"), (reset, "$\\odot$"), (one_minus, "1−"),
                     (new, "$\\odot$")]:
        _op(ax, xy, text, fontsize=9 if text == "1−" else 13)
    ax.set_xlim(-1.1, 10.5)
    ax.set_ylim(-1.2, 5.9)
    ax.text(4.6, -1.15, "yellow: layers with weights, e.g. $\\tilde h^t = \\mathrm{th}(W_n x^t + U_n (r^t \\odot h^{t-1}) + b_n)$;"
            "  circles: elementwise operations", ha="center", va="top", fontsize=9.5, color="dimgray")
    ax.set_title("the GRU cell: $h^t = (1 - z^t) \\odot h^{t-1} + z^t \\odot \\tilde h^t$", fontsize=12)
    return ax.figure
