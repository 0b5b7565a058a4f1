"""The training loop: minibatch SGD over any Module, loss and optimizer, with a history.

A tqdm progress bar shows epochs and the latest losses in a terminal or in Jupyter; it is
quiet under CI (CI set) or when NNLAB_QUIET is set.
"""
import os
import sys
from dataclasses import dataclass, field

import numpy as np

from .nn.losses import BCELoss, CrossEntropyLoss
from .optim import clip_grad_norm


def progress_enabled():
    if os.environ.get("CI") or os.environ.get("NNLAB_QUIET"):
        return False
    return sys.stderr.isatty() or "ipykernel" in sys.modules


@dataclass
class History:
    """Per-epoch records: loss and accuracy on the training data, and on validation data if given."""
    loss: list = field(default_factory=list)
    acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)


def accuracy(criterion, pred, y):
    """Share of correct answers for classification losses; None for regression."""
    if isinstance(criterion, CrossEntropyLoss):
        return float(np.mean(pred.argmax(axis=1) == y))
    if isinstance(criterion, BCELoss):
        return float(np.mean((pred > 0.5) == (y > 0.5)))
    return None


def evaluate(model, criterion, X, y, batch_size=1024):
    """(loss, accuracy) of the model in eval mode on all of X; accuracy is None for regression."""
    was_training = model.training
    model.eval()
    pred = np.concatenate([model.forward(X[i:i + batch_size]) for i in range(0, len(X), batch_size)])
    model.train(was_training)
    return criterion.forward(pred, y), accuracy(criterion, pred, y)


def fit(model, criterion, optimizer, X, y, epochs=10, batch_size=32, X_val=None, y_val=None,
        seed=0, clip=None, progress=None, history=None):
    """Train for `epochs` passes over (X, y) in shuffled minibatches.

    Every epoch shuffles the samples and cuts them into batches of batch_size, the last one
    smaller when batch_size does not divide len(X) (as torch's DataLoader): 100 samples with
    batch_size=32 give batches of 32, 32, 32 and 4.
    Each step: zero_grad, forward, loss, backward, optional clip_grad_norm(clip), step.
    Returns the History (pass `history` to continue one). progress: None = automatic.
    """
    from tqdm import tqdm

    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} samples but y has {len(y)}")
    if int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    batch_size = int(batch_size)
    history = history or History()
    rng = np.random.default_rng(seed)
    show = progress_enabled() if progress is None else progress
    bar = tqdm(range(epochs), desc=type(model).__name__, disable=not show, leave=False)
    for _ in bar:
        model.train()
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            optimizer.zero_grad()
            criterion.forward(model.forward(X[idx]), y[idx])
            model.backward(criterion.backward())
            if clip is not None:
                clip_grad_norm(optimizer.params, clip)
            optimizer.step()
        loss, acc = evaluate(model, criterion, X, y)
        history.loss.append(loss)
        history.acc.append(acc)
        shown = {"loss": f"{loss:.4f}"}
        if X_val is not None:
            val_loss, val_acc = evaluate(model, criterion, X_val, y_val)
            history.val_loss.append(val_loss)
            history.val_acc.append(val_acc)
            shown["val_loss"] = f"{val_loss:.4f}"
        bar.set_postfix(shown, refresh=False)  # redraws follow tqdm's own rate limit
    model.eval()
    return history
