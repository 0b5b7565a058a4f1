"""A synthetic corpus for named-entity recognition: English sentences with BIO tags.

No tagged corpus ships with the course's packages and nothing may be downloaded, so the
sentences are generated: templates such as "<PER> was born in <LOC> in <MONTH>" are filled
from gazetteers (lists of names): first names and surnames from the `names` package (US
census lists), and small lists of places and organisations written here. Everything is lower
case, so capital letters give nothing away. Three things keep the task from being solved by
looking words up in a list:

- ambiguous words: "washington" is a surname, a place and part of "washington post";
  "may" is a first name, a month and a verb; "ford" is a surname and a company. Only the
  context tells them apart, sometimes only the words AFTER them ("washington has a
  population ..." against "washington was born ...");
- unseen names: about a quarter of every list is held out of training (`part="test"` draws from
  it), so a test sentence can hold names the tagger has never read;
- speakers: some templates take a person or an organisation in the same place
  ("<PER|ORG> announced the deal"), where only the word itself decides.

Tags (BIO, or IOB2): B-X begins an entity of type X, I-X continues it, O is outside any;
types PER (people), LOC (places), ORG (organisations). A sentence is a list of words, its
tags a list of the same length:

    ["bill", "ford", "was", "born", "in", "new", "york"]
    ["B-PER", "I-PER", "O", "O", "O", "B-LOC", "I-LOC"]
"""
from collections import Counter
from functools import lru_cache

import numpy as np

TAGS = ("O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG")
PAD, UNK = "<pad>", "<unk>"   # index 0 and 1 of every vocabulary made by `vocabulary`

# Places and organisations. The lists end with the ambiguous ones (also names, or words).
PLACES = [
    "moscow", "madrid", "rome", "vienna", "prague", "warsaw", "dublin", "oslo",
    "lisbon", "athens", "cairo", "tokyo", "delhi", "lima", "boston", "chicago", "seattle", "atlanta",
    "detroit", "miami", "toronto", "montreal", "munich", "hamburg", "milan", "naples", "geneva",
    "zurich", "stockholm", "helsinki", "budapest", "kiev", "minsk", "riga", "beijing", "shanghai",
    "seoul", "bangkok", "manila", "jakarta", "nairobi", "lagos", "mexico", "brazil", "canada",
    "france", "germany", "spain", "italy", "china", "india", "japan", "egypt", "kenya", "peru",
    "new york", "los angeles", "san francisco", "hong kong", "saint petersburg", "buenos aires",
    "cape town", "tel aviv", "new delhi", "las vegas", "rio de janeiro", "new zealand",
    "south africa", "north carolina", "united states", "sri lanka", "costa rica",
]
AMBIGUOUS_PLACES = [
    "paris", "sydney", "florence", "victoria", "madison", "charlotte", "jordan", "georgia",
    "chelsea", "austin", "dallas", "houston", "orlando", "denver", "washington", "jackson",
    "lincoln", "phoenix", "memphis", "london", "berlin",
]
ORGANISATIONS = [
    "google", "microsoft", "intel", "boeing", "siemens", "nokia", "toyota", "honda", "samsung",
    "netflix", "ikea", "nestle", "pfizer", "unilever", "airbus", "adidas", "nike", "sony",
    "philips", "volvo", "reuters", "gazprom", "yandex", "spotify", "uber", "tesla", "facebook",
    "general motors", "general electric", "deutsche bank", "goldman sachs", "bank of america",
    "world bank", "red cross", "united nations", "coca cola", "procter and gamble",
    "new york times", "royal dutch shell", "bank of england", "british airways",
]
AMBIGUOUS_ORGANISATIONS = [
    "ford", "apple", "shell", "target", "amazon", "dell", "morgan stanley", "washington post",
    "jordan brothers", "lincoln motors", "paris match", "victoria bank",
]
# People's names that are also places, organisations or ordinary words of the templates.
AMBIGUOUS_FIRST_NAMES = [
    "may", "june", "april", "august", "grace", "hope", "rose", "mark", "will", "bill", "paris",
    "sydney", "florence", "victoria", "madison", "charlotte", "jordan", "georgia", "chelsea",
    "austin", "dallas", "houston", "orlando", "denver",
]
AMBIGUOUS_SURNAMES = [
    "washington", "jackson", "lincoln", "ford", "young", "king", "brown", "green", "white",
    "long", "hill", "park", "price", "cook", "london", "berlin", "dell", "morgan",
]

DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december"]
NUMBERS = ["two", "three", "four", "five", "six", "seven", "eight", "ten", "twelve", "twenty"]

# <PER>, <LOC>, <ORG>: an entity of that type; <SPEAKER>: a person or an organisation (even
# odds); <DAY>, <MONTH>, <NUM>: ordinary words from the lists above.
TEMPLATES = [
    "<PER> said on <DAY> that prices rose in <LOC>",
    "<SPEAKER> said on <DAY> that it will open an office in <LOC>",
    "<SPEAKER> announced the deal on <DAY>",
    "<ORG> reported record profits in <MONTH>",
    "shares of <ORG> fell after <PER> resigned",
    "<LOC> has a population of <NUM> million",
    "<PER> was born in <LOC> in <MONTH>",
    "<PER> will visit <LOC> in <MONTH>",
    "<ORG> will open a new factory near <LOC>",
    "<LOC> will host the games next year",
    "the mayor of <LOC> met <PER> on <DAY>",
    "<PER> and <PER> met in <LOC> last week",
    "<PER> , who works for <ORG> , lives in <LOC>",
    "after the talks <PER> flew back to <LOC>",
    "the new bill was signed by <PER> in <LOC>",
    "we hope that <PER> will win the election",
    "<PER> joined <ORG> as chief executive in <MONTH>",
    "a spokesman for <ORG> said the price of oil may rise",
    "<ORG> hired <PER> to run its office in <LOC>",
    "prices may rise in <LOC> and <LOC> this year",
    "<PER> is a long time friend of <PER>",
    "<ORG> and <ORG> agreed to merge",
    "<LOC> and <LOC> signed a trade deal",
    "in <MONTH> , <PER> moved from <LOC> to <LOC>",
    "<PER> bought a house near the park in <LOC>",
    "the general told <PER> to leave <LOC>",
    "<ORG> missed its sales target in <MONTH>",
    "the young <PER> will mark the date in <LOC>",
    "<LOC> is a long way from <LOC>",
    "<PER> paid the bill for <PER>",
    "<ORG> sold its stake in <ORG> to <ORG>",
    "<PER> is the new coach of <ORG>",
    "<LOC> rose to third place in the ranking",
    "the white house said that <PER> may visit <LOC>",
]

NAMES_PER_LIST = 600   # the most common first names of each sex and surnames, before the hold-out
HELD_OUT = 4           # every 4th name of each list (in order of frequency) is for test only


def _held_out(words):
    """(seen, unseen): every HELD_OUT-th word (counting from the HELD_OUT-th) is unseen."""
    return ([w for i, w in enumerate(words) if i % HELD_OUT != HELD_OUT - 1],
            [w for i, w in enumerate(words) if i % HELD_OUT == HELD_OUT - 1])


@lru_cache(maxsize=1)
def gazetteers():
    """The lists the sentences are filled from, each split for training and test.

    Returns {kind: {"seen": [...], "unseen": [...], "ambiguous": [...]}} for the kinds
    "first" and "last" (names of people), "LOC" and "ORG"; entries are strings of one or more
    words. "seen" names may occur in every part; "unseen" ones only in part="test";
    "ambiguous" ones (which also mean something else) in every part. About a quarter of the
    plain names of each list are held out (fewer where a name is also on another list: a
    held-out name has a word that no name seen in training has).
    """
    from .data import name_list
    import os

    import names

    taken = set(AMBIGUOUS_FIRST_NAMES) | set(AMBIGUOUS_SURNAMES) | set(AMBIGUOUS_PLACES) \
        | {w for o in ORGANISATIONS + AMBIGUOUS_ORGANISATIONS for w in o.split()} \
        | {w for p in PLACES for w in p.split()} | set(MONTHS) | set(DAYS) | set(NUMBERS) \
        | {w for t in TEMPLATES for w in t.split() if not w.startswith("<")}

    def common(words):
        return [w for w in words if w.isalpha() and w not in taken][:NAMES_PER_LIST]

    female, male = common(name_list("female")), common(name_list("male"))
    first = list(dict.fromkeys(w for pair in zip(female, male) for w in pair))  # alternate the sexes, once each
    with open(os.path.join(os.path.dirname(names.__file__), "dist.all.last")) as f:
        last = common(line.split()[0].lower() for line in f)
    lists = {"first": (first, AMBIGUOUS_FIRST_NAMES), "last": (last, AMBIGUOUS_SURNAMES),
             "LOC": (PLACES, AMBIGUOUS_PLACES), "ORG": (ORGANISATIONS, AMBIGUOUS_ORGANISATIONS)}
    result = {}
    for kind, (plain, ambiguous) in lists.items():
        seen, unseen = _held_out(plain)
        result[kind] = {"seen": seen, "unseen": unseen, "ambiguous": list(ambiguous)}
    # A held-out name must be new to training: it keeps a word that no other name has ("thomas" is a
    # first name and a surname, so it cannot be held out of one list and seen in the other).
    usable = {w for g in result.values() for part in ("seen", "ambiguous") for name in g[part] for w in name.split()}
    for g in result.values():
        g["unseen"] = [name for name in g["unseen"] if not set(name.split()) <= usable]
    return result


def _entity(rng, kind, gaz, unseen, ambiguous):
    """One name of `kind` ("first", "last", "LOC", "ORG") as a list of words."""
    g = gaz[kind]
    r = rng.random()
    if r < ambiguous:
        pool = g["ambiguous"]
    elif r < ambiguous + (1 - ambiguous) * unseen:
        pool = g["unseen"]
    else:
        pool = g["seen"]
    return pool[rng.integers(len(pool))].split()


def _person(rng, gaz, unseen, ambiguous):
    """A person: "first last" (half the time), "first" or "last" (a quarter each)."""
    r = rng.random()
    words = []
    if r < 0.75:
        words += _entity(rng, "first", gaz, unseen, ambiguous)
    if r < 0.5 or r >= 0.75:
        words += _entity(rng, "last", gaz, unseen, ambiguous)
    return words


def ner_sentences(n, seed=0, part="train", unseen=0.5, ambiguous=0.3):
    """n sentences with their BIO tags, drawn from the templates with the generator `seed`.

    part: "train" fills names from the "seen" part of each gazetteer only; "test" draws each
        name from the held-out "unseen" part with probability `unseen` (names the tagger never
        read in training).
    ambiguous: the probability that a name is drawn from the ambiguous words of its list.
    Returns (sentences, tags): two lists of n lists of strings, word by word.
    """
    if part not in ("train", "test"):
        raise ValueError(f"part must be 'train' or 'test', got {part!r}")
    if not (0 <= unseen <= 1 and 0 <= ambiguous <= 1):
        raise ValueError(f"unseen and ambiguous are probabilities in [0, 1], got {unseen} and {ambiguous}")
    if int(n) != n or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    rng = np.random.default_rng(seed)
    gaz = gazetteers()
    unseen = unseen if part == "test" else 0.0
    fillers = {"<DAY>": DAYS, "<MONTH>": MONTHS, "<NUM>": NUMBERS}
    sentences, tags = [], []
    for _ in range(int(n)):
        words, labels = [], []
        for token in TEMPLATES[rng.integers(len(TEMPLATES))].split():
            if token in fillers:
                words.append(fillers[token][rng.integers(len(fillers[token]))])
                labels.append("O")
                continue
            if token == "<SPEAKER>":
                token = "<PER>" if rng.random() < 0.5 else "<ORG>"
            if token == "<PER>":
                name, kind = _person(rng, gaz, unseen, ambiguous), "PER"
            elif token in ("<LOC>", "<ORG>"):
                kind = token[1:-1]
                name = _entity(rng, kind, gaz, unseen, ambiguous)
            else:
                words.append(token)
                labels.append("O")
                continue
            words += name
            labels += [f"B-{kind}"] + [f"I-{kind}"] * (len(name) - 1)
        sentences.append(words)
        tags.append(labels)
    return sentences, tags


def vocabulary(sentences, min_count=2):
    """[PAD, UNK, words...]: the words that occur at least min_count times in `sentences`,
    most frequent first (ties alphabetically). Rarer words will be read as UNK."""
    counts = Counter(w for s in sentences for w in s)
    kept = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
    return [PAD, UNK] + kept


def encode_tagged(sentences, tags, words, length=None):
    """Sentences as arrays of word indices, tags as arrays of tag indices, padded.

    words: a vocabulary from `vocabulary` (PAD at 0, UNK at 1); a word not in it becomes UNK.
    length: the padded length T (default: the longest sentence).
    Returns X (n, T) int64, word indices with PAD (0) after the end of each sentence, and
    Y (n, T) int64, indices into TAGS with -1 on the padding (no tag: the loss skips it).
    """
    if len(sentences) != len(tags):
        raise ValueError(f"got {len(sentences)} sentences but {len(tags)} tag lists")
    if list(words[:2]) != [PAD, UNK]:
        raise ValueError(f"words must start with {PAD!r} and {UNK!r} (see vocabulary), got {list(words[:2])}")
    longest = max((len(s) for s in sentences), default=1)
    length = longest if length is None else length
    if length < longest:
        raise ValueError(f"length {length} is shorter than the longest sentence ({longest} words)")
    index = {w: i for i, w in enumerate(words)}
    tag_index = {t: i for i, t in enumerate(TAGS)}
    X = np.zeros((len(sentences), length), np.int64)
    Y = np.full((len(sentences), length), -1, np.int64)
    for i, (s, t) in enumerate(zip(sentences, tags)):
        if len(s) != len(t):
            raise ValueError(f"sentence {i} has {len(s)} words but {len(t)} tags")
        unknown = [tag for tag in t if tag not in tag_index]
        if unknown:
            raise ValueError(f"sentence {i} has tags {unknown} that are not in TAGS {TAGS}")
        X[i, :len(s)] = [index.get(w, 1) for w in s]
        Y[i, :len(t)] = [tag_index[tag] for tag in t]
    return X, Y
