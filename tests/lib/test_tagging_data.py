"""The synthetic NER corpus (nnlab.tagging_data): seeded sentences with valid BIO tags, names from
the right gazetteer, the held-out names only in the test part, the vocabulary and the padded arrays."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from seqeval.metrics.sequence_labeling import get_entities

from nnlab import tagging_data as td

KIND_LISTS = {"LOC": ["LOC"], "ORG": ["ORG"], "PER": ["first", "last"]}


def names_of(kinds, parts):
    """Every name (a string of one or more words) of the gazetteer lists `kinds`, in `parts`."""
    gaz = td.gazetteers()
    return {name for kind in kinds for part in parts for name in gaz[kind][part]}


def is_name(kind, words, parts):
    """Whether the string `words` is a name of entity type `kind` from the gazetteer parts `parts`:
    a place or an organisation of the list, or a person's first name, surname, or both."""
    if kind != "PER":
        return words in names_of(KIND_LISTS[kind], parts)
    firsts, lasts = names_of(["first"], parts), names_of(["last"], parts)
    return words in firsts or words in lasts or any(
        words.startswith(a + " ") and words[len(a) + 1:] in lasts for a in firsts)


def test_gazetteers_hold_out_a_quarter_and_share_the_ambiguous_words():
    gaz = td.gazetteers()
    for kind, lists in gaz.items():
        seen, unseen, ambiguous = (set(lists[p]) for p in ("seen", "unseen", "ambiguous"))
        assert not seen & unseen and not (seen | unseen) & ambiguous, kind
        total = len(seen) + len(unseen)
        assert 0.2 * total <= len(unseen) <= total / td.HELD_OUT, (kind, len(unseen), total)
    usable = {w for lists in gaz.values() for p in ("seen", "ambiguous") for name in lists[p] for w in name.split()}
    assert all(set(name.split()) - usable for lists in gaz.values() for name in lists["unseen"])
    assert len(gaz["first"]["seen"]) > 500 and len(gaz["last"]["seen"]) > 300
    # an ambiguous word means more than one thing: "washington" is a surname, a place and starts an organisation
    assert "washington" in gaz["last"]["ambiguous"] and "washington" in gaz["LOC"]["ambiguous"]
    assert any(o.split()[0] == "washington" for o in gaz["ORG"]["ambiguous"])
    assert "may" in gaz["first"]["ambiguous"] and "may" in td.MONTHS
    # plain names are not words of the templates, so only the ambiguous ones have two readings
    template_words = {w for t in td.TEMPLATES for w in t.split() if not w.startswith("<")}
    plain = {w for kind in ("first", "last") for p in ("seen", "unseen") for w in gaz[kind][p]}
    assert not plain & template_words


@given(st.integers(0, 10_000), st.sampled_from(["train", "test"]))
def test_sentences_have_valid_bio_tags_and_names_from_their_gazetteer(seed, part):
    sentences, tags = td.ner_sentences(20, seed=seed, part=part)
    assert len(sentences) == len(tags) == 20
    allowed_parts = ("seen", "ambiguous") if part == "train" else ("seen", "unseen", "ambiguous")
    for s, t in zip(sentences, tags):
        assert len(s) == len(t) and set(t) <= set(td.TAGS)
        for before, tag in zip(["O"] + t[:-1], t):
            assert not tag.startswith("I-") or before[2:] == tag[2:], f"invalid transition in {list(zip(s, t))}"
        for kind, first, last in get_entities(t):
            assert is_name(kind, " ".join(s[first:last + 1]), allowed_parts), (kind, s[first:last + 1])


def test_sentences_are_seeded():
    assert td.ner_sentences(30, seed=5) == td.ner_sentences(30, seed=5)
    assert td.ner_sentences(30, seed=5) != td.ner_sentences(30, seed=6)


def test_held_out_names_appear_only_in_the_test_part():
    unseen = {w for kind in td.gazetteers() for name in td.gazetteers()[kind]["unseen"] for w in name.split()}
    unseen -= {w for kind in td.gazetteers() for p in ("seen", "ambiguous") for name in td.gazetteers()[kind][p]
               for w in name.split()}                        # words shared with other names ("new", "bank")
    unseen -= {w for t in td.TEMPLATES for w in t.split()}   # and with the templates ("of")
    train, _ = td.ner_sentences(500, seed=1, part="train")
    test, _ = td.ner_sentences(500, seed=1, part="test")
    assert not unseen & {w for s in train for w in s}
    assert len(unseen & {w for s in test for w in s}) > 50
    only_unseen, tags = td.ner_sentences(200, seed=2, part="test", unseen=1.0, ambiguous=0.0)
    for s, t in zip(only_unseen, tags):
        for kind, first, last in get_entities(t):
            assert is_name(kind, " ".join(s[first:last + 1]), ["unseen"]), (kind, s[first:last + 1])


def test_ambiguous_share_is_what_was_asked_for():
    gaz = td.gazetteers()
    ambiguous_places = set(gaz["LOC"]["ambiguous"])
    for share in (0.0, 1.0):
        sentences, tags = td.ner_sentences(300, seed=3, ambiguous=share)
        places = [" ".join(s[a:b + 1]) for s, t in zip(sentences, tags) for k, a, b in get_entities(t) if k == "LOC"]
        assert np.mean([p in ambiguous_places for p in places]) == share


def test_vocabulary_keeps_frequent_words_after_pad_and_unk():
    sentences = [["a", "b", "a"], ["c", "a", "b"], ["d"]]
    assert td.vocabulary(sentences) == [td.PAD, td.UNK, "a", "b"]
    assert td.vocabulary(sentences, min_count=1) == [td.PAD, td.UNK, "a", "b", "c", "d"]


def test_encode_tagged_pads_and_reads_unknown_words_as_unk():
    words = [td.PAD, td.UNK, "bill", "lives", "in", "paris"]
    X, Y = td.encode_tagged([["bill", "lives", "in", "rome"], ["paris"]],
                            [["B-PER", "O", "O", "B-LOC"], ["B-LOC"]], words, length=5)
    np.testing.assert_array_equal(X, [[2, 3, 4, 1, 0], [5, 0, 0, 0, 0]])
    B_PER, B_LOC = td.TAGS.index("B-PER"), td.TAGS.index("B-LOC")
    np.testing.assert_array_equal(Y, [[B_PER, 0, 0, B_LOC, -1], [B_LOC, -1, -1, -1, -1]])
    assert X.dtype == Y.dtype == np.int64
    X, _ = td.encode_tagged([["in"], ["in", "in"]], [["O"], ["O", "O"]], words)
    assert X.shape == (2, 2)


@pytest.mark.parametrize("call, message", [
    (lambda: td.ner_sentences(3, part="dev"), "part must be 'train' or 'test'"),
    (lambda: td.ner_sentences(3, unseen=1.5), "probabilities in \\[0, 1\\]"),
    (lambda: td.ner_sentences(-1), "non-negative integer"),
    (lambda: td.encode_tagged([["a"]], [], [td.PAD, td.UNK]), "1 sentences but 0 tag lists"),
    (lambda: td.encode_tagged([["a"]], [["O"]], ["a"]), "must start with"),
    (lambda: td.encode_tagged([["a", "b"]], [["O"]], [td.PAD, td.UNK]), "2 words but 1 tags"),
    (lambda: td.encode_tagged([["a"]], [["B-DATE"]], [td.PAD, td.UNK]), "not in TAGS"),
    (lambda: td.encode_tagged([["a", "b"]], [["O", "O"]], [td.PAD, td.UNK], length=1), "shorter than the longest"),
])
def test_bad_input_gets_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
