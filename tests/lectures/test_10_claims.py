"""Lecture 10's general claims, checked on other seeds than the notebook's, and its pictures.

The experiments are the notebook's own code: the code cells tagged "setup" (imports, `make_corpus`,
the baselines, `Tagger`, `TaggingLoss`, `train_tagger`, `compare_taggers`, `recall_by_kind`,
`first_word_probabilities`) are executed, then those functions are called with other seeds, which
draw another corpus (training, validation and test sentences) and other initial weights. Nothing is
copied from the notebook, so notebook and test cannot drift apart.

Claims (with the notebook's section):
- 6, Summary: the bidirectional tagger reaches entity F1 >= 0.9 on the test sentences, at least
  0.05 above the unidirectional tagger (which has 2x the units), which is at least 0.2 above the
  lookup of each word's most frequent tag; in token accuracy the bidirectional tagger and the lookup
  are less than half as far apart as in F1; the unidirectional tagger's final training loss is more
  than twice the bidirectional one's;
- 7: on ambiguous and on unknown entities the recall orders bidirectional > unidirectional > lookup,
  and word dropout raises the bidirectional tagger's recall on unknown entities by >= 0.05;
- 8: the unidirectional tagger gives "washington" at the start of a sentence the same distribution
  whatever follows; the bidirectional one tags it B-PER, B-LOC and B-ORG as the sentence requires.
"""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from notebook_setup import setup_namespace  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parents[2] / "lectures" / "10_sequence_tagging.ipynb"
SEEDS = [1, 2, 3]


@pytest.fixture(scope="module")
def nb():
    return setup_namespace(NOTEBOOK)


@pytest.mark.parametrize("seed", SEEDS)
def test_bidirectional_beats_unidirectional_beats_lookup(nb, seed):
    corpus, scores, predictions, taggers, histories = nb["compare_taggers"](seed)
    for name, s in scores.items():
        print(f"seed {seed}, {name}: precision {s['precision']:.3f}, recall {s['recall']:.3f}, F1 {s['F1']:.3f}, "
              f"token accuracy {s['accuracy']:.3f}")
    bi, uni = scores["bidirectional LSTM"], scores["unidirectional LSTM"]
    lookup = scores["lookup (most frequent tag)"]
    assert bi["F1"] >= 0.9, f"seed {seed}: bidirectional F1 {bi['F1']:.3f}"
    assert bi["F1"] >= uni["F1"] + 0.05, f"seed {seed}: bidirectional {bi['F1']:.3f}, unidirectional {uni['F1']:.3f}"
    assert uni["F1"] >= lookup["F1"] + 0.2, f"seed {seed}: unidirectional {uni['F1']:.3f}, lookup {lookup['F1']:.3f}"
    assert scores["all O"]["F1"] == 0
    assert bi["accuracy"] - lookup["accuracy"] < (bi["F1"] - lookup["F1"]) / 2, "token accuracy hides the gap"
    uni_loss, bi_loss = histories["unidirectional LSTM"].loss[-1], histories["bidirectional LSTM"].loss[-1]
    assert uni_loss > 2 * bi_loss, f"seed {seed}: final training loss {uni_loss:.3f} against {bi_loss:.3f}"

    by_kind, counts = nb["recall_by_kind"](corpus, {k: v for k, v in predictions.items() if k != "all O"})
    print(f"seed {seed}, entities by kind {dict(counts)}; recall: "
          + "; ".join(f"{name}: " + ", ".join(f"{k} {r:.3f}" for k, r in kinds.items())
                      for name, kinds in by_kind.items()))
    lk, un, bd, nd = (by_kind[name] for name in ["lookup (most frequent tag)", "unidirectional LSTM",
                                                  "bidirectional LSTM", "bidirectional, no word dropout"])
    for kind in ["ambiguous", "unknown"]:
        assert bd[kind] > un[kind] > lk[kind], f"seed {seed}, {kind}: {bd[kind]:.3f}, {un[kind]:.3f}, {lk[kind]:.3f}"
    assert bd["unknown"] >= nd["unknown"] + 0.05, \
        f"seed {seed}: word dropout {bd['unknown']:.3f}, none {nd['unknown']:.3f}"

    sentences = list(nb["WASHINGTON"].values())
    uni_first = nb["first_word_probabilities"](taggers["unidirectional LSTM"], corpus, sentences)
    bi_first = nb["first_word_probabilities"](taggers["bidirectional LSTM"], corpus, sentences)
    assert np.allclose(uni_first, uni_first[0]), "the unidirectional tagger's p^1 should not depend on later words"
    assert [nb["TAGS"][k] for k in bi_first.argmax(axis=1)] == list(nb["WASHINGTON"]), bi_first.round(3)


def test_tagging_loss_masks_the_padding_and_has_the_right_gradient(nb):
    loss, gradcheck = nb["TaggingLoss"](), nb["gradcheck"]
    rng = np.random.default_rng(0)
    z = rng.standard_normal((2, 4, 7))
    Y = np.array([[1, 0, -1, -1], [2, 3, 4, -1]])
    value = loss(z, Y)
    z_changed = z.copy()
    z_changed[Y < 0] = rng.standard_normal(((Y < 0).sum(), 7)) * 10     # scores on the padding do not count
    assert value == pytest.approx(loss(z_changed, Y))
    logp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    by_hand = -(logp[0, 0, 1] + logp[0, 1, 0] + logp[1, 0, 2] + logp[1, 1, 3] + logp[1, 2, 4]) / 2
    assert value == pytest.approx(by_hand)
    assert gradcheck.check_loss(loss, z, Y).ok
    with pytest.raises(ValueError, match="scores \\(N, T, C\\)"):
        loss(z[0], Y)


def test_tagging_pictures_draw_tags_spans_and_errors(nb):
    plots = nb["plots"]
    words = ["bill", "ford", "lives", "in", "new", "york"]
    true = ["B-PER", "I-PER", "O", "O", "B-LOC", "I-LOC"]
    pred = ["B-ORG", "I-PER", "O", "O", "B-LOC", "I-LOC"]
    fig = plots.tagged_sentence(words, {"true": true, "tagger": pred}, reference="true")
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert all(w in texts for w in words) and "tagger (1 wrong)" in texts
    red = [t.get_text() for t in ax.texts if t.get_color() == "tab:red"]
    assert red == ["B-ORG"], red
    assert len(ax.patches) == 2 + 3, "spans: PER and LOC in the true row, ORG, PER and LOC in the tagger's"
    fig = plots.tagged_sentence(words, ["NOUN"] * 6)                     # plain tags: no spans
    assert len(fig.axes[0].patches) == 0
    with pytest.raises(ValueError, match="6 words but 5 tags"):
        plots.tagged_sentence(words, {"true": true[:5]})
    with pytest.raises(ValueError, match="reference row 'gold'"):
        plots.tagged_sentence(words, {"true": true}, reference="gold")

    p = np.full((6, 7), 1 / 7)
    fig = plots.tag_probabilities(words, p, nb["TAGS"], true_tags=true)
    assert sum(t.get_text() == "14" for t in fig.axes[0].texts) == 42
    with pytest.raises(ValueError, match="shape \\(words, tags\\)"):
        plots.tag_probabilities(words, p[:5], nb["TAGS"])
    with pytest.raises(ValueError, match="not among tag_names"):
        plots.tag_probabilities(words, p, nb["TAGS"], true_tags=["B-MISC"] * 6)
    plt.close("all")
