"""Pictures of sequence tagging, drawn with matplotlib (see nnlab.plots).

The notebooks compute (the tags of a sentence, a tagger's answers and probabilities); these
functions only draw what they are given:

- tagged_sentence:   a sentence with one or more rows of tags under its words (true BIO tags,
                     a tagger's answers, part-of-speech tags ...). BIO tags are coloured by
                     entity type and each entity (a B-X and the I-X after it) is framed as one
                     span; tags that differ from a reference row are marked as wrong;
- tag_probabilities: a tagger's softmax p^t over the tags at every word of a sentence, as a
                     heatmap (tags × words) with the true tags marked.

Every function returns the matplotlib Figure it drew on and never calls plt.show().
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyBboxPatch

__all__ = ["tagged_sentence", "tag_probabilities", "ENTITY_COLORS"]

# entity type -> colour; other types (chunks NP, VP ...) get colours from OTHER_COLORS in turn
ENTITY_COLORS = {"PER": "#f4cccc", "LOC": "#cfe2f3", "ORG": "#d9ead3", "MISC": "#fff2cc"}
OTHER_COLORS = ["#ead1dc", "#fce5cd", "#d0e0e3", "#e6d8f0", "#f3f3c0"]
_PLAIN = "#f2f2f2"


def _split_tag(tag):
    """("B", "PER") for "B-PER", ("O", None) for "O", (None, None) for a tag that is not BIO."""
    if tag == "O":
        return "O", None
    if len(tag) > 2 and tag[0] in "BI" and tag[1] == "-":
        return tag[0], tag[2:]
    return None, None


def _spans(tags):
    """Entities of a BIO row as (type, first, last) word positions: an entity starts at B-X, or at
    an I-X that does not continue an entity of type X, and goes on over the I-X after it."""
    spans, current = [], None
    for t, tag in enumerate(list(tags) + ["O"]):
        prefix, kind = _split_tag(tag)
        continues = prefix == "I" and current is not None and current[0] == kind
        if current is not None and not continues:
            spans.append((current[0], current[1], t - 1))
            current = None
        if prefix in ("B", "I") and not continues:
            current = (kind, t)
    return spans


def _colors_of(rows):
    """type -> colour for every entity type in the rows (fixed ones first, then in turn)."""
    colors = dict(ENTITY_COLORS)
    extra = iter(OTHER_COLORS * 10)
    for tags in rows.values():
        for tag in tags:
            _, kind = _split_tag(tag)
            if kind is not None and kind not in colors:
                colors[kind] = next(extra)
    return colors


def _checked_rows(words, rows, reference):
    if isinstance(rows, (list, tuple)):
        rows = {"tags": rows}
    if not isinstance(rows, dict) or not rows:
        raise ValueError("tagged_sentence expects rows as a list of tags or a dict {label: tags}")
    rows = {str(label): [str(t) for t in tags] for label, tags in rows.items()}
    for label, tags in rows.items():
        if len(tags) != len(words):
            raise ValueError(f"tagged_sentence got {len(words)} words but {len(tags)} tags in row {label!r}")
    if reference is not None and reference not in rows:
        raise ValueError(f"tagged_sentence: reference row {reference!r} is not one of {list(rows)}")
    return rows


def tagged_sentence(words, rows, reference=None, ax=None, title=None):
    """A sentence with rows of tags under its words.

    words: the T words of the sentence.
    rows: a list of T tags, or a dict {label: list of T tags}, drawn top to bottom. BIO tags
        (B-X, I-X, O) are coloured by the type X, and each entity is framed as one span; other
        tags (such as NOUN, VERB) are drawn plain.
    reference: the label of the row the others are compared with (e.g. "true tags"); a tag
        that differs from it is written in red and struck through, and the row's label says
        how many it got wrong. None: no comparison.
    Returns the Figure.
    """
    words = [str(w) for w in words]
    if not words:
        raise ValueError("tagged_sentence needs at least one word")
    rows = _checked_rows(words, rows, reference)
    colors = _colors_of(rows)
    widths = [max(len(w), max(len(r[t]) for r in rows.values())) * 0.13 + 0.35 for t, w in enumerate(words)]
    centers = np.cumsum(widths) - np.array(widths) / 2
    if ax is None:
        _, ax = plt.subplots(figsize=(min(2.2 + sum(widths) * 1.05, 18), 0.9 + 0.62 * (len(rows) + 1)))
    ax.set_axis_off()
    label_x = -0.15
    for t, word in enumerate(words):
        ax.text(centers[t], 0, word, ha="center", va="center", fontsize=11, fontweight="bold")
    for r, (label, tags) in enumerate(rows.items(), start=1):
        y = -0.62 * r
        wrong = [t for t in range(len(words)) if reference is not None and tags[t] != rows[reference][t]]
        shown = label if reference is None or label == reference else f"{label} ({len(wrong)} wrong)"
        ax.text(label_x, y, shown, ha="right", va="center", fontsize=10, color="dimgray")
        for kind, first, last in _spans(tags):
            left = centers[first] - widths[first] / 2 + 0.04
            right = centers[last] + widths[last] / 2 - 0.04
            ax.add_patch(FancyBboxPatch((left, y - 0.21), right - left, 0.42,
                                        boxstyle="round,pad=0.0,rounding_size=0.1", fc=colors[kind],
                                        ec="#555555", lw=0.9, zorder=1))
        for t, tag in enumerate(tags):
            prefix, _ = _split_tag(tag)
            bad = t in wrong
            ax.text(centers[t], y, tag, ha="center", va="center", fontsize=9.5, zorder=3,
                    color="tab:red" if bad else ("dimgray" if prefix == "O" else "black"),
                    fontweight="bold" if bad else "normal",
                    bbox=None if prefix is not None else dict(boxstyle="round,pad=0.15", fc=_PLAIN, ec="none"))
            if bad:
                ax.plot([centers[t] - len(tag) * 0.045, centers[t] + len(tag) * 0.045], [y, y],
                        color="tab:red", lw=1.0, zorder=4)
    ax.set_xlim(label_x - 2.0, sum(widths) + 0.1)
    ax.set_ylim(-0.62 * len(rows) - 0.4, 0.4)
    if title:
        ax.set_title(title, fontsize=11)
    return ax.figure


def tag_probabilities(words, probabilities, tag_names, true_tags=None, ax=None, title=None):
    """A tagger's distribution over the tags at every word of one sentence, as a heatmap.

    words: the T words; probabilities: (T, C) array, row t the softmax p^t over the C tags;
    tag_names: the C tag names (the heatmap's rows); true_tags: optional T tag names, each
    marked with a frame in its column. Every cell shows its probability in per cent.
    Returns the Figure.
    """
    words = [str(w) for w in words]
    probabilities = np.asarray(probabilities, dtype=float)
    tag_names = [str(t) for t in tag_names]
    if probabilities.shape != (len(words), len(tag_names)):
        raise ValueError(f"tag_probabilities expects probabilities of shape (words, tags) = "
                         f"{(len(words), len(tag_names))}, got {probabilities.shape}")
    if true_tags is not None:
        if len(true_tags) != len(words):
            raise ValueError(f"tag_probabilities got {len(words)} words but {len(true_tags)} true tags")
        unknown = sorted({str(t) for t in true_tags} - set(tag_names))
        if unknown:
            raise ValueError(f"tag_probabilities: true tags {unknown} are not among tag_names {tag_names}")
    if ax is None:
        _, ax = plt.subplots(figsize=(1.0 + 0.85 * len(words), 0.8 + 0.42 * len(tag_names)))
    ax.imshow(probabilities.T, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for t in range(len(words)):
        for c in range(len(tag_names)):
            p = probabilities[t, c]
            ax.text(t, c, f"{100 * p:.0f}", ha="center", va="center", fontsize=8,
                    color="white" if p > 0.6 else "black")
    if true_tags is not None:
        for t, tag in enumerate(true_tags):
            c = tag_names.index(str(tag))
            ax.add_patch(plt.Rectangle((t - 0.5, c - 0.5), 1, 1, fill=False, ec="tab:red", lw=1.8))
    ax.set_xticks(range(len(words)), words, rotation=30, ha="right")
    ax.set_yticks(range(len(tag_names)), tag_names)
    if title:
        ax.set_title(title, fontsize=11)
    return ax.figure
