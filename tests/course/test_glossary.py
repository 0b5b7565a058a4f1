"""course/glossary.md: one table (English | Russian | First used in), sorted, without duplicates,
every row linking to a lecture that exists, and the Russian quoted as the source lectures write it
(checked here for the corrections that a review found: the glossary once had "долгая
краткосрочная память" and "обратное распространение во времени")."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "course" / "glossary.md"
HEADER = "| English | Russian | First used in |"
LINK = re.compile(r"^\[(\d\d)\]\(\.\./lectures/((\d\d)_[a-z0-9_]+\.ipynb)\)$")
COINED = "†"


def parse(text):
    """The table's rows as (english, [russian variants], lecture file name)."""
    lines = text.splitlines()
    assert HEADER in lines, f"the glossary has no table headed {HEADER!r}"
    start = lines.index(HEADER) + 2  # skip the |---| line
    rows = []
    for number, line in enumerate(lines[start:], start + 1):
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        assert len(cells) == 3, f"line {number}: expected 3 cells, got {cells}"
        english, russian, link = cells
        match = LINK.match(link)
        assert match, f"line {number}: the lecture cell {link!r} is not [NN](../lectures/NN_topic.ipynb)"
        assert match.group(1) == match.group(3), f"line {number}: link text {match.group(1)} ≠ {match.group(2)}"
        rows.append((english, russian.split("; "), match.group(2)))
    return rows


@pytest.fixture(scope="module")
def rows():
    return parse(GLOSSARY.read_text(encoding="utf-8"))


def sort_key(english):
    return re.sub(r"[^0-9a-z ]", "", english.casefold())


def test_enough_terms(rows):
    assert len(rows) >= 110, f"only {len(rows)} terms"


def test_no_duplicate_english_terms(rows):
    seen = {}
    for english, *_ in rows:
        key = " ".join(english.casefold().split())
        assert key not in seen, f"{english!r} appears twice"
        seen[key] = english


def test_sorted_alphabetically(rows):
    keys = [sort_key(english) for english, *_ in rows]
    out_of_order = [(a, b) for a, b in zip(keys, keys[1:]) if a > b]
    assert not out_of_order, f"not sorted: {out_of_order[:3]}"


def test_every_lecture_reference_exists(rows):
    missing = sorted({lecture for *_, lecture in rows if not (ROOT / "lectures" / lecture).exists()})
    assert not missing, f"the glossary links to lectures that do not exist: {missing}"


def test_russian_cells_are_well_formed(rows):
    for english, variants, _ in rows:
        for variant in variants:
            assert variant and variant == variant.strip(), f"{english}: empty or padded variant {variant!r}"
            # the coinage mark stands alone at the end of a variant
            assert COINED not in variant[:-1], f"{english}: {COINED} inside {variant!r}"
            assert not variant.endswith(COINED) or variant.endswith(" " + COINED), variant
            assert re.search(r"[а-яА-ЯёЁ]|[A-Za-z]", variant), f"{english}: {variant!r} has no word"


def russian_of(rows, english):
    matches = [variants for term, variants, _ in rows if term.casefold() == english.casefold()]
    assert matches, f"{english!r} is missing"
    return matches[0]


# (English term, a phrase its Russian must contain as the sources write it, a wrong form)
CORRECTIONS = [
    ("long short-term memory (LSTM)", "долгой кратковременной памяти", "долгая краткосрочная память"),
    ("backpropagation through time (BPTT)", "ошибки сквозь время", "распространение во времени"),
]


@pytest.mark.parametrize("english, right, wrong", CORRECTIONS, ids=[c[0] for c in CORRECTIONS])
def test_known_corrections(rows, english, right, wrong):
    variants = russian_of(rows, english)
    sourced = [v for v in variants if not v.endswith(COINED)]
    assert any(right in v for v in sourced), f"{english}: {variants} lacks {right!r}"
    assert wrong not in GLOSSARY.read_text(encoding="utf-8"), f"the wrong form {wrong!r} is back"


# terms of the source lectures that a review found missing
REQUIRED = ["fully connected layer", "gradient descent", "minibatch (mini-batch gradient descent)",
            "softmax", "cross-entropy", "perceptron", "training set", "exponential moving average",
            "bias correction (Adam)", "named-entity recognition (NER)", "sequence tagging",
            "sentiment analysis", "machine translation", "speech recognition", "image captioning",
            "MaxOut"]


@pytest.mark.parametrize("english", REQUIRED)
def test_required_terms_present(rows, english):
    assert russian_of(rows, english)
