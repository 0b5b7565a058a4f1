"""Layouts of whole networks, drawn with matplotlib (see nnlab.plots).

The notebooks compute (the shapes of a network's layers, the hidden states of a forward pass);
these functions only draw what they are given, labelled with the course's symbols:

- cnn_layout:         a convolutional network as a row of blocks, input x → convolutions x * w →
                      pooling F → ... → fully connected layers → output ŷ, each block drawn to its
                      shape (C×H×W maps as a stack of squares, vectors as a bar);
- rnn_setups:         the input/output setups of a recurrent network (one to one, one to many,
                      many to one, many to many unaligned and aligned), unrolled in time, each
                      with the applications it suits;
- rnn_unrolled:       one recurrent layer h^t = σ(W x^t + U h^{t-1} + b_h), y^t = σ(V h^t + b_y),
                      folded (a layer with a loop) and unrolled over a given input sequence;
- rnn_stacked:        a stack of recurrent layers, h_l^t = σ(W_l h_{l-1}^t + U_l h_l^{t-1} + b_l);
- rnn_bidirectional:  a bidirectional layer, h_L^t left to right, h_R^t right to left,
                      y^t = σ(V [h_L^t, h_R^t] + b_y), over a given sentence, with its tags.

Every function returns the matplotlib Figure it drew on and never calls plt.show().
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyBboxPatch, Rectangle

__all__ = ["cnn_layout", "rnn_setups", "rnn_unrolled", "rnn_stacked", "rnn_bidirectional",
           "CNN_KINDS", "RNN_SETUPS"]

# ---------------------------------------------------------------------------------------------
# convolutional networks

# kind -> (the title written above a block, its colour)
CNN_KINDS = {
    "input": ("input $x$", "#f2f2f2"),
    "conv": ("convolution\n$x * w$", "#cfe2f3"),
    "pool": ("pooling\n$F$", "#fde0c5"),
    "flatten": ("flatten", "#e8e8e8"),
    "fc": ("fully\nconnected", "#d9ead3"),
    "output": ("output\n$\\hat y$", "#ead1dc"),
}


def _checked_stages(stages):
    """stages -> [(kind, shape, note)], with a clear error for anything else."""
    checked = []
    for i, stage in enumerate(stages):
        if not isinstance(stage, (tuple, list)) or len(stage) not in (2, 3):
            raise ValueError(f"cnn_layout: stage {i} must be (kind, shape) or (kind, shape, note), "
                             f"got {stage!r}")
        kind, shape = stage[0], tuple(stage[1])
        note = stage[2] if len(stage) == 3 else ""
        if kind not in CNN_KINDS:
            raise ValueError(f"cnn_layout: stage {i} has kind {kind!r}; expected one of {sorted(CNN_KINDS)}")
        if len(shape) not in (1, 3) or any(int(s) != s or s < 1 for s in shape):
            raise ValueError(f"cnn_layout: stage {i} ({kind}) needs a shape (C, H, W) of maps or (n,) "
                             f"of a vector, positive integers; got {stage[1]!r}")
        checked.append((kind, tuple(int(s) for s in shape), str(note)))
    if not checked:
        raise ValueError("cnn_layout needs at least one stage")
    return checked


def _shape_text(shape):
    return f"{shape[0]}" if len(shape) == 1 else f"{shape[0]}×{shape[1]}×{shape[2]}"


def cnn_layout(stages, ax=None, title=None):
    """A convolutional network as a row of blocks, one per stage, each drawn to its shape.

    stages: a sequence of (kind, shape) or (kind, shape, note), the first usually the input:
        kind  one of CNN_KINDS: "input", "conv", "pool", "flatten", "fc", "output";
        shape (C, H, W) for C feature maps of H×W pixels, drawn as a stack of squares whose side
              grows with H (on a log scale), or (n,) for a vector, drawn as a bar;
        note  a short text written under the shape, e.g. "3×3, P = 1, ReLU".
    Above each block: what computed it, in the course's symbols (x * w for a convolution, F for
    the aggregating function of pooling, ŷ for the output). Returns the Figure.
    """
    stages = _checked_stages(stages)
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6.0, 1.8 * len(stages)), 3.9))
    ax.set_axis_off()
    maps = [s for _, s, _ in stages if len(s) == 3]
    vectors = [s[0] for _, s, _ in stages if len(s) == 1]
    log_h = np.log(max([s[1] for s in maps], default=2)) or 1.0
    log_n = np.log(max(vectors, default=2)) or 1.0
    step, offset, mid = 1.9, 0.07, -0.2
    edges = []                                                        # (left, right) of every block
    for i, (kind, shape, note) in enumerate(stages):
        cx = i * step
        title_text, color = CNN_KINDS[kind]
        if len(shape) == 3:
            side = 0.4 + 0.85 * np.log(shape[1]) / log_h             # the squares' side
            depth = min(shape[0], 6)                                  # squares drawn in the stack
            width = side + offset * (depth - 1)
            x0 = cx - width / 2
            for k in range(depth):                                    # back to front
                ax.add_patch(Rectangle((x0 + offset * k, mid - side / 2 + offset * (depth - 1 - k) / 2),
                                       side, side, fc=color, ec="#444444", lw=0.8, zorder=2 + k))
        else:
            width, height = 0.26, 0.45 + 1.2 * np.log(shape[0]) / log_n
            ax.add_patch(Rectangle((cx - width / 2, mid - height / 2), width, height, fc=color, ec="#444444",
                                   lw=0.8, zorder=2))
        edges.append((cx - width / 2, cx + width / 2))
        ax.text(cx, 1.05, title_text, ha="center", va="bottom", fontsize=10.5)
        ax.text(cx, -1.2, _shape_text(shape), ha="center", va="top", fontsize=10.5, fontweight="bold")
        if note:
            ax.text(cx, -1.57, note, ha="center", va="top", fontsize=9, color="dimgray")
    for (_, right), (left, _) in zip(edges[:-1], edges[1:]):
        ax.annotate("", xy=(left - 0.06, mid), xytext=(right + 0.06, mid), zorder=1,
                    arrowprops=dict(arrowstyle="-|>", color="#555555", lw=1.2, shrinkA=0, shrinkB=0))
    ax.set_xlim(-1.0, (len(stages) - 1) * step + 1.0)
    ax.set_ylim(-2.15, 1.85)
    ax.set_title(title or "a convolutional network: (convolution → pooling) blocks, then fully connected layers",
                 fontsize=11)
    return ax.figure


# ---------------------------------------------------------------------------------------------
# recurrent networks

# setup -> (steps with an input, steps with an output, number of steps, what it is used for)
RNN_SETUPS = {
    "one to one": ([1], [1], 1, "no recurrence:\nimage classification\n(an ordinary network)"),
    "one to many": ([1], [1, 2, 3], 3, "image captioning:\nan image → a sentence"),
    "many to one": ([1, 2, 3], [3], 3, "sentiment analysis:\na review → positive or negative"),
    "many to many, unaligned": ([1, 2, 3], [4, 5], 5,
                                "machine translation,\ndialogue system: a sentence →\na sentence of another length"),
    "many to many, aligned": ([1, 2, 3, 4], [1, 2, 3, 4], 4,
                              "sequence tagging:\none tag per word"),
}

_X, _H, _Y = "#fff2b3", "#cfe2f3", "#d9ead3"


def _box(ax, xy, text, color, fontsize=11, width=0.62, height=0.5):
    ax.add_patch(FancyBboxPatch((xy[0] - width / 2, xy[1] - height / 2), width, height,
                                boxstyle="round,pad=0.02,rounding_size=0.08", fc=color, ec="#333333",
                                lw=1.0, zorder=3))
    ax.text(*xy, text, ha="center", va="center", fontsize=fontsize, zorder=4)


def _link(ax, start, end, label=None, label_xy=None, color="#333333", fontsize=10, **style):
    ax.annotate("", xy=end, xytext=start, zorder=2,
                arrowprops=dict(arrowstyle="-|>", color=color, lw=1.2, shrinkA=0, shrinkB=0, **style))
    if label:
        ax.text(*(label_xy or ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)), label, color="tab:red",
                fontsize=fontsize, ha="center", va="center", zorder=4)


def rnn_setups(kinds=None, axes=None):
    """The input/output setups of a recurrent network, one panel each, unrolled in time.

    Yellow x^t are inputs, blue h^t hidden states, green y^t outputs; W, U, V are the shared
    weights of h^t = σ(W x^t + U h^{t-1} + b_h), y^t = σ(V h^t + b_y). Under each panel: the
    applications the setup suits. kinds: names from RNN_SETUPS (default: all five, in order);
    axes: optional sequence of Axes, one per kind. Returns the Figure.
    """
    kinds = list(RNN_SETUPS) if kinds is None else list(kinds)
    unknown = [k for k in kinds if k not in RNN_SETUPS]
    if unknown or not kinds:
        raise ValueError(f"rnn_setups: unknown setup(s) {unknown}; choose from {list(RNN_SETUPS)}")
    if axes is None:
        widths = [max(RNN_SETUPS[k][2], 1.6) for k in kinds]
        _, axes = plt.subplots(1, len(kinds), figsize=(2.0 + 1.15 * sum(widths), 4.3),
                               gridspec_kw=dict(width_ratios=widths))
    axes = np.atleast_1d(axes)
    if len(axes) != len(kinds):
        raise ValueError(f"rnn_setups got {len(kinds)} setups but {len(axes)} axes")
    for ax, kind in zip(axes, kinds):
        inputs, outputs, T, use = RNN_SETUPS[kind]
        ax.set_axis_off()
        for t in range(1, T + 1):
            _box(ax, (t, 1.2), f"$h^{{{t}}}$", _H)
            if t in inputs:
                _box(ax, (t, 0), f"$x^{{{t}}}$", _X)
                _link(ax, (t, 0.25), (t, 0.95), "$W$" if t == inputs[0] else None, (t + 0.2, 0.6))
            if t in outputs:
                _box(ax, (t, 2.4), f"$y^{{{t}}}$", _Y)
                _link(ax, (t, 1.45), (t, 2.15), "$V$" if t == outputs[0] else None, (t + 0.2, 1.8))
            if t > 1:
                _link(ax, (t - 0.69, 1.2), (t - 0.31, 1.2), "$U$" if t == 2 else None, (t - 0.5, 1.42))
        ax.text((T + 1) / 2, -0.55, use, ha="center", va="top", fontsize=9.5, style="italic")
        ax.set_xlim(0.35 - (0.3 if T == 1 else 0), T + 0.65 + (0.3 if T == 1 else 0))
        ax.set_ylim(-1.75, 2.85)
        ax.set_title(kind, fontsize=11)
    axes[0].figure.suptitle("inputs $x^t$ (yellow), hidden states $h^t$ (blue), outputs $y^t$ (green); "
                            "time runs to the right", fontsize=10, y=1.03)
    return axes[0].figure


def rnn_unrolled(inputs, states=None, outputs=None, axes=None):
    """One recurrent layer, folded (left) and unrolled over the sequence `inputs` (right).

    inputs: T labels of the input steps (words, say); states: optional T vectors h^1..h^T, whose
    values are written into the hidden boxes; outputs: the steps (1..T) that have an output y^t
    (default: the last one only, many to one). Returns the Figure.
    """
    inputs = [str(w) for w in inputs]
    T = len(inputs)
    if T < 1:
        raise ValueError("rnn_unrolled needs at least one input step")
    if states is not None and len(states) != T:
        raise ValueError(f"rnn_unrolled got {T} inputs but {len(states)} states")
    outputs = [T] if outputs is None else sorted(set(int(t) for t in outputs))
    if any(not 1 <= t <= T for t in outputs):
        raise ValueError(f"rnn_unrolled: output steps must lie in 1..{T}, got {outputs}")
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(4.0 + 2.3 * T, 3.9), gridspec_kw=dict(width_ratios=[1, 0.8 + T]))
    folded, unrolled = axes
    # folded: a layer whose output comes back as its own input at the next step
    folded.set_axis_off()
    _box(folded, (0, 0), "$x^t$", _X)
    _box(folded, (0, 1.2), "$h^t$", _H)
    _box(folded, (0, 2.4), "$y^t$", _Y)
    _link(folded, (0, 0.25), (0, 0.95), "$W$", (0.22, 0.6))
    _link(folded, (0, 1.45), (0, 2.15), "$V$", (0.22, 1.8))
    folded.annotate("", xy=(0.31, 1.1), xytext=(0.31, 1.3), zorder=2,
                    arrowprops=dict(arrowstyle="-|>", lw=1.2, color="#333333",
                                    connectionstyle="arc,angleA=0,angleB=0,armA=40,armB=40,rad=8"))
    folded.text(0.78, 1.2, "$U$", color="tab:red", fontsize=10, va="center")
    folded.text(0, -0.6, "$h^t = \\sigma(W x^t + U h^{t-1} + b_h)$\n$y^t = \\sigma(V h^t + b_y)$",
                ha="center", va="top", fontsize=9.5)
    folded.set_xlim(-1.3, 1.3)
    folded.set_ylim(-1.5, 2.9)
    folded.set_title("folded: a layer with memory", fontsize=11)
    # unrolled: one copy of the layer per step, the same W, U, V in every copy
    unrolled.set_axis_off()
    gap = 2.2
    _box(unrolled, (0, 1.2), "$h^0 = 0$", "white", fontsize=10, width=0.9)
    tall = 0.5 if states is None else 0.32 + 0.2 * len(states[0])
    for t in range(1, T + 1):
        col = gap * t
        _box(unrolled, (col, 0), f"$x^{{{t}}}$: {inputs[t - 1]}", _X, fontsize=10, width=1.45)
        text = f"$h^{{{t}}}$"
        if states is not None:
            text += "\n" + "\n".join(f"{v:+.3f}" for v in np.ravel(states[t - 1]))
        _box(unrolled, (col, 1.2 + tall / 2 - 0.25), text, _H, fontsize=9.5, width=0.9, height=tall)
        _link(unrolled, (col, 0.25), (col, 0.95), "$W$", (col + 0.22, 0.6))
        _link(unrolled, (col - gap + 0.48, 1.2), (col - 0.48, 1.2), "$U$", (col - gap / 2, 1.38))
        if t in outputs:
            top = 1.2 + tall - 0.25
            _box(unrolled, (col, top + 0.75), f"$y^{{{t}}}$", _Y)
            _link(unrolled, (col, top), (col, top + 0.5), "$V$", (col + 0.22, top + 0.25))
    unrolled.text(gap * (T + 1) / 2, -0.75, "time →", ha="center", fontsize=10)
    unrolled.set_xlim(-0.7, gap * T + 0.9)
    unrolled.set_ylim(-1.0, 2.4 + tall)
    unrolled.set_title("unrolled in time: the same $W$, $U$, $V$ at every step", fontsize=11)
    return unrolled.figure


def rnn_stacked(T=4, layers=2, ax=None):
    """A stack of `layers` recurrent layers unrolled over T steps: layer l reads the hidden states
    of layer l − 1 (h_0^t = x^t), h_l^t = σ(W_l h_{l-1}^t + U_l h_l^{t-1} + b_l), and the output
    y^t = σ(V h_L^t + b_y) reads the top one. Returns the Figure."""
    if int(T) != T or int(layers) != layers or T < 1 or layers < 1:
        raise ValueError(f"rnn_stacked needs integers T >= 1 and layers >= 1, got T={T!r}, layers={layers!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(1.8 + 1.5 * T, 1.6 + 1.1 * layers))
    ax.set_axis_off()
    for t in range(1, T + 1):
        x = 1.5 * t
        _box(ax, (x, 0), f"$x^{{{t}}}$", _X)
        below = (x, 0.25)
        for l in range(1, layers + 1):
            y = 1.2 * l
            _box(ax, (x, y), f"$h_{{{l}}}^{{{t}}}$", _H, width=0.7)
            _link(ax, below, (x, y - 0.25), f"$W_{{{l}}}$" if t == 1 else None, (x - 0.3, y - 0.6))
            if t > 1:
                _link(ax, (x - 1.5 + 0.35, y), (x - 0.35, y), f"$U_{{{l}}}$" if t == 2 else None, (x - 0.75, y + 0.2))
            below = (x, y + 0.25)
        _box(ax, (x, 1.2 * (layers + 1)), f"$y^{{{t}}}$", _Y)
        _link(ax, below, (x, 1.2 * (layers + 1) - 0.25), "$V$" if t == 1 else None, (x - 0.3, 1.2 * layers + 0.6))
    ax.set_xlim(0.7, 1.5 * T + 0.6)
    ax.set_ylim(-0.5, 1.2 * (layers + 1) + 0.5)
    ax.set_title(f"{layers} stacked recurrent layers: layer $l$ reads the states of layer $l - 1$", fontsize=11)
    return ax.figure


def rnn_bidirectional(inputs, tags=None, ax=None):
    """A bidirectional recurrent layer over the sentence `inputs` (T words): h_L^t runs left to
    right (weights W_L, U_L), h_R^t right to left (W_R, U_R), and every output reads both,
    y^t = σ(V [h_L^t, h_R^t] + b_y). tags: optional T labels written above the outputs (a
    tagger's answers). Returns the Figure."""
    inputs = [str(w) for w in inputs]
    T = len(inputs)
    if T < 1:
        raise ValueError("rnn_bidirectional needs at least one input step")
    if tags is not None and len(tags) != T:
        raise ValueError(f"rnn_bidirectional got {T} inputs but {len(tags)} tags")
    if ax is None:
        _, ax = plt.subplots(figsize=(1.8 + 1.75 * T, 4.6))
    ax.set_axis_off()
    gap, left, right, out, d = 1.75, 1.0, 2.05, 3.25, 0.4
    for t in range(1, T + 1):
        x = gap * t
        _box(ax, (x, 0), inputs[t - 1], _X, fontsize=10, width=1.3)
        ax.text(x, -0.42, f"$x^{{{t}}}$", ha="center", va="top", fontsize=10)
        _box(ax, (x - d, left), f"$h_L^{{{t}}}$", _H, width=0.62)
        _box(ax, (x + d, right), f"$h_R^{{{t}}}$", "#e6d8f0", width=0.62)
        _link(ax, (x - d, 0.25), (x - d, left - 0.25), "$W_L$" if t == 1 else None, (x - d - 0.33, 0.55))
        _link(ax, (x + d, 0.25), (x + d, right - 0.25), "$W_R$" if t == 1 else None, (x + d - 0.3, 1.5))
        _box(ax, (x, out), f"$y^{{{t}}}$", _Y)
        _link(ax, (x - d, left + 0.25), (x - 0.12, out - 0.25))
        _link(ax, (x + d, right + 0.25), (x + 0.12, out - 0.25), "$V$" if t == T else None, (x + 0.5, 2.75))
        if t > 1:
            _link(ax, (x - gap - d + 0.31, left), (x - d - 0.31, left), "$U_L$" if t == 2 else None,
                  (x - gap / 2 - d + 0.3, left + 0.2))
            _link(ax, (x + d - 0.31, right), (x - gap + d + 0.31, right), "$U_R$" if t == 2 else None,
                  (x - gap / 2 + d, right + 0.22))
        if tags is not None:
            ax.text(x, out + 0.42, str(tags[t - 1]), ha="center", va="bottom", fontsize=10, fontweight="bold")
    ax.text(gap * (T + 1) / 2, -0.95, "$h_L^t$ reads the words up to $t$, $h_R^t$ the words from $t$ on: "
            "$y^t = \\sigma(V [h_L^t, h_R^t] + b_y)$", ha="center", va="top", fontsize=10)
    ax.set_xlim(gap - 1.0, gap * T + 1.0)
    ax.set_ylim(-1.5, out + 1.0)
    ax.set_title("a bidirectional recurrent layer: left to right (blue) and right to left (violet)", fontsize=11)
    return ax.figure
