"""Optimal Brain Damage (LeCun, Denker & Solla, 1990) and the baselines it is compared with.

Near a minimum w of Q, with the Hessian taken as diagonal,
    Q(w + δ) ≈ Q(w) + ½ Σ_k h_kk δ_k²,
so deleting weight k (δ_k = -w_k) costs about its saliency  s_k = h_kk w_k² / 2.

The diagonal h_kk comes from a second backward pass through a Sequential of Linear and
elementwise activation layers. For a Linear layer z = x Wᵀ + b, summed over the samples n,
    ∂²Q/∂W_hj² = Σ_n x_nj² ∂²Q/∂z_nh²,       ∂²Q/∂b_h² = Σ_n ∂²Q/∂z_nh²,
so what travels backward is the Hessian of Q with respect to each layer's outputs:
    through a Linear layer:       H_x = Wᵀ H_z W
    through an activation a=σ(z): H_z = diag(σ') H_a diag(σ') + diag(σ'' ⊙ ∂Q/∂a)
- method="exact" carries the full per-sample matrices H (batch, d, d): the diagonal is
  exact (tests compare it with torch.autograd.functional.hessian).
- method="gauss-newton" is LeCun's Levenberg–Marquardt approximation: only diagonals
  travel (h_x = (W⊙W)ᵀ h_z, h_z = σ'² h_a) and the σ'' term is dropped, which keeps
  every h_kk ≥ 0 and costs as much as one ordinary backward pass.

Pruning sets Parameter.mask: the optimizers keep masked weights at zero while retraining.
Only weights are pruned (connections); biases stay.
"""
import numpy as np

from .module import Sequential
from .nn.activations import Activation
from .nn.linear import Linear

METHODS = ("exact", "gauss-newton")


def _layers(model):
    layers = list(model) if isinstance(model, Sequential) else [model]
    for layer in layers:
        if not isinstance(layer, (Linear, Activation)):
            raise TypeError("Optimal Brain Damage supports a Sequential of Linear and elementwise "
                            f"activation layers; got {type(layer).__name__}")
    return layers


def _hessian_diagonal_batch(layers, criterion, X, y, method, weight):
    """Add weight × (diagonal Hessian of criterion on this batch) to each layer's h."""
    out = X
    for layer in layers:
        out = layer.forward(out)  # caches Linear.x and Activation.z
    criterion.forward(out, y)
    g = criterion.backward() * weight                   # ∂Q/∂out, (n, d)
    H = criterion.hessian() * weight                    # ∂²Q/∂out², (n, d, d)
    if method == "gauss-newton":
        H = np.einsum("nkk->nk", H)                     # keep the diagonal only
    diagonal = {}
    for i in reversed(range(len(layers))):
        layer = layers[i]
        if isinstance(layer, Activation):
            d1, d2 = layer.derivative(layer.z), layer.second_derivative(layer.z)
            if method == "exact":
                H = d1[:, :, None] * H * d1[:, None, :]
                H[:, np.arange(H.shape[1]), np.arange(H.shape[1])] += d2 * g
            else:
                H = d1 ** 2 * H
            g = g * d1
        else:
            hz = np.einsum("nkk->nk", H) if method == "exact" else H
            W = layer.weight.data
            diagonal[id(layer.weight)] = hz.T @ (layer.x ** 2)
            if layer.bias is not None:
                diagonal[id(layer.bias)] = hz.sum(axis=0)
            if i > 0:  # the first layer's input needs no Hessian
                H = np.einsum("hi,nhk,kj->nij", W, H, W, optimize=True) if method == "exact" \
                    else H @ (W ** 2)
                g = g @ W
    return diagonal


def hessian_diagonal(model, criterion, X, y, method="exact", batch_size=256):
    """Diagonal of the Hessian of Q = criterion(model(X), y) with respect to every parameter.

    Returns {parameter name: array of the parameter's shape}. Q is the mean over all of X
    (computed in batches of batch_size, each weighted by its share of the samples).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    layers = _layers(model)
    X, y = np.asarray(X), np.asarray(y)
    total = {}
    for start in range(0, len(X), batch_size):
        xb, yb = X[start:start + batch_size], y[start:start + batch_size]
        weight = len(xb) / len(X) if criterion.reduction == "mean" else 1.0
        for key, value in _hessian_diagonal_batch(layers, criterion, xb, yb, method, weight).items():
            total[key] = total.get(key, 0.0) + value
    return {name: total[id(p)] for name, p in model.named_parameters()}


def _weights(model):
    """The prunable parameters: every Linear layer's weight, by name."""
    return {name: p for name, p in model.named_parameters() if name.split(".")[-1] == "weight"}


def saliency(model, criterion, X, y, method="exact"):
    """OBD saliency s_k = h_kk w_k² / 2 of every weight: {name: array}."""
    h = hessian_diagonal(model, criterion, X, y, method)
    return {name: h[name] * p.data ** 2 / 2 for name, p in _weights(model).items()}


def magnitude_scores(model):
    """The baseline: a weight matters as much as its size |w|."""
    return {name: np.abs(p.data) for name, p in _weights(model).items()}


def random_scores(model, seed=0):
    """Another baseline: a random order."""
    rng = np.random.default_rng(seed)
    return {name: rng.random(p.shape) for name, p in _weights(model).items()}


def input_saliency(model, criterion, X, y, method="exact"):
    """Summed saliency of each input feature, S_j = Σ_h S_jh over the first layer's weights."""
    first = next(name for name in _weights(model))
    return saliency(model, criterion, X, y, method)[first].sum(axis=0)


def prune(model, scores, fraction):
    """Delete the weights with the lowest scores until `fraction` of all weights are zero.

    Ranks over all layers at once; weights already pruned stay pruned. Sets each weight's
    mask (1 kept, 0 deleted) and zeroes the deleted values. Returns the number deleted now.
    """
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be in [0, 1], got {fraction}")
    weights = _weights(model)
    for p in weights.values():
        if p.mask is None:
            p.mask = np.ones_like(p.data)
    masks = np.concatenate([p.mask.ravel() for p in weights.values()])
    flat = np.concatenate([np.asarray(scores[n], np.float64).ravel() for n in weights])
    target = int(round(fraction * masks.size))
    to_delete = target - int(masks.size - masks.sum())
    if to_delete <= 0:
        return 0
    flat = np.where(masks > 0, flat, np.inf)           # never choose an already deleted weight
    chosen = np.argsort(flat, kind="stable")[:to_delete]
    masks[chosen] = 0
    offset = 0
    for p in weights.values():
        p.mask = masks[offset:offset + p.data.size].reshape(p.shape).astype(p.data.dtype)
        p.data = p.data * p.mask
        offset += p.data.size
    return to_delete


def pruned_fraction(model):
    weights = list(_weights(model).values())
    deleted = sum(int(p.data.size - p.mask.sum()) for p in weights if p.mask is not None)
    return deleted / sum(p.data.size for p in weights)


def predicted_increase(saliencies, model):
    """OBD's prediction of Q's increase: the summed saliency of the weights now masked."""
    return float(sum(np.sum(saliencies[n][p.mask == 0]) for n, p in _weights(model).items()
                     if p.mask is not None))


def prune_and_retrain(model, criterion, X, y, retrain, fractions, method="exact",
                      scores=None, tolerance=None):
    """The lecture's loop: at a minimum, rank weights, delete the least salient, retrain.

    fractions: increasing fractions of weights deleted after each round, e.g. (0.2, 0.4, 0.6).
    retrain(model): trains the masked model again (masked weights stay zero).
    scores(model): ranking to use instead of OBD (e.g. magnitude_scores).
    tolerance: stop (and restore the weights of the last round) once Q after retraining
    exceeds the unpruned Q by more than this.
    Returns a list of dicts: fraction, loss_pruned (before retraining), loss_retrained.
    """
    rank = scores or (lambda m: saliency(m, criterion, X, y, method))
    q0 = criterion(model.forward(X), y)
    history = []
    for fraction in fractions:
        saved = {n: (p.data.copy(), None if p.mask is None else p.mask.copy())
                 for n, p in model.named_parameters()}
        prune(model, rank(model), fraction)
        loss_pruned = criterion(model.forward(X), y)
        retrain(model)
        loss_retrained = criterion(model.forward(X), y)
        if tolerance is not None and loss_retrained - q0 > tolerance:
            for n, p in model.named_parameters():
                p.data, p.mask = saved[n]
            break
        history.append({"fraction": fraction, "loss_pruned": loss_pruned,
                        "loss_retrained": loss_retrained})
    return history
