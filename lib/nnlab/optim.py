"""Gradient methods of the course, written as its formulas; g = L'(w) is p.grad.

Arguments use torch.optim's names (lr = η, momentum = γ, alpha = α, rho, betas = (γ, α),
eps = ε, weight_decay = λ). Where the course and torch agree (SGD, momentum, RMSProp,
Adam, weight decay, clip_grad_norm) the trajectories equal torch's; where they differ the
course's formula is the default and the difference is written at the class:
Nesterov (same trajectory, parametrised at the look-ahead point as torch does),
AdaDelta (ε outside the roots; `eps_in_sqrt=True` gives torch's form) and Nadam (Dozat's
simple form; torch adds a momentum-decay schedule).

Weight decay adds λw to the gradient (the gradient of the L2 penalty λ/2·||w||²), so plain
SGD becomes the course's w := w(1 - ηλ) - η L'(w).
Pruned weights (Parameter.mask, see nnlab.prune) get no update and stay at zero.
"""
import numpy as np


class Optimizer:
    def __init__(self, params, lr, weight_decay=0.0):
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        if lr < 0:
            raise ValueError(f"learning rate must be >= 0, got {lr}")
        self.lr, self.weight_decay = lr, weight_decay
        self.state = [{} for _ in self.params]
        self.k = 0  # steps taken

    def zero_grad(self):
        for p in self.params:
            p.zero_grad()

    def step(self):
        self.k += 1
        for p, state in zip(self.params, self.state):
            g = p.grad
            if self.weight_decay:
                g = g + self.weight_decay * p.data
            if p.mask is not None:
                g = g * p.mask
            p.data = p.data - self.update(g, p.data, state).astype(p.data.dtype)
            if p.mask is not None:
                p.data = p.data * p.mask

    def update(self, g, w, state):
        """The step to subtract from w, given the gradient g; state persists per parameter."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient with optional momentum (Polyak) and Nesterov momentum.

    plain:     w := w - η g
    momentum:  v := γ v + η L'(w);            w := w - v
    Nesterov:  v := γ v + η L'(w - γ v);       w := w - v
    For Nesterov the model holds the look-ahead point w̃ = w - γv, where the gradient is
    taken. Substituting gives w̃ := w̃ + γ v_old - (1 + γ) v: the course's sequence of w is
    w̃ + γv, and this is also exactly torch's SGD(nesterov=True).
    """

    def __init__(self, params, lr=0.01, momentum=0.0, nesterov=False, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        if nesterov and momentum <= 0:
            raise ValueError("Nesterov momentum needs momentum > 0")
        self.momentum, self.nesterov = momentum, nesterov

    def update(self, g, w, state):
        if not self.momentum:
            return self.lr * g
        v_old = state.get("v", np.zeros_like(g))
        v = state["v"] = self.momentum * v_old + self.lr * g
        if self.nesterov:
            return (1 + self.momentum) * v - self.momentum * v_old
        return v


class RMSProp(Optimizer):
    """G := α G + (1-α) g⊙g;   w := w - η g ⊘ (√G + ε)."""

    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        self.alpha, self.eps = alpha, eps

    def update(self, g, w, state):
        G = state["G"] = self.alpha * state.get("G", 0.0) + (1 - self.alpha) * g * g
        return self.lr * g / (np.sqrt(G) + self.eps)


class AdaDelta(Optimizer):
    """Two running means make the step unit-free, so η = 1 works:

    G := ρ G + (1-ρ) g⊙g
    δ := g ⊙ (√Δ + ε) ⊘ (√G + ε)
    Δ := ρ Δ + (1-ρ) δ⊙δ
    w := w - η δ
    The course writes α for ρ. torch puts ε inside the roots, √(Δ+ε)/√(G+ε):
    eps_in_sqrt=True gives that form (and torch's trajectory).
    Note: Δ starts at 0, so the first steps are about ε in size (√ε with torch's form):
    with the default ε = 1e-6 the course's form starts very slowly; a larger ε
    (1e-3..1e-2) is common in practice.
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, eps_in_sqrt=False):
        super().__init__(params, lr, weight_decay)
        self.rho, self.eps, self.eps_in_sqrt = rho, eps, eps_in_sqrt

    def _root(self, x):
        return np.sqrt(x + self.eps) if self.eps_in_sqrt else np.sqrt(x) + self.eps

    def update(self, g, w, state):
        rho = self.rho
        G = state["G"] = rho * state.get("G", 0.0) + (1 - rho) * g * g
        delta = g * self._root(state.get("D", np.zeros_like(g))) / self._root(G)
        state["D"] = rho * state.get("D", 0.0) + (1 - rho) * delta * delta
        return self.lr * delta


class Adam(Optimizer):
    """Momentum + RMSProp with bias correction at step k:

    v := γ v + (1-γ) g        v̂ := v / (1 - γ^k)
    G := α G + (1-α) g⊙g      Ĝ := G / (1 - α^k)
    w := w - η v̂ ⊘ (√Ĝ + ε)
    betas = (γ, α), recommended (0.9, 0.999), ε = 1e-8.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        self.betas, self.eps = betas, eps

    def moments(self, g, state):
        """Update v and G; return the bias-corrected v̂ and Ĝ."""
        gamma, alpha = self.betas
        v = state["v"] = gamma * state.get("v", 0.0) + (1 - gamma) * g
        G = state["G"] = alpha * state.get("G", 0.0) + (1 - alpha) * g * g
        return v / (1 - gamma ** self.k), G / (1 - alpha ** self.k)

    def update(self, g, w, state):
        v_hat, G_hat = self.moments(g, state)
        return self.lr * v_hat / (np.sqrt(G_hat) + self.eps)


class Nadam(Adam):
    """Adam with Nesterov momentum (Dozat, 2016), as the course writes it:

    v, v̂, G, Ĝ as in Adam;   w := w - η (γ v̂ + (1-γ)/(1-γ^k) g) ⊘ (√Ĝ + ε)
    torch.optim.NAdam differs: it also multiplies γ by a momentum-decay schedule
    μ_k = γ(1 - 0.5·0.96^{k ψ}), so the two trajectories are close but not equal.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr, betas, eps, weight_decay)

    def update(self, g, w, state):
        gamma = self.betas[0]
        v_hat, G_hat = self.moments(g, state)
        look_ahead = gamma * v_hat + (1 - gamma) / (1 - gamma ** self.k) * g
        return self.lr * look_ahead / (np.sqrt(G_hat) + self.eps)


def clip_grad_norm(params, max_norm, eps=1e-6):
    """Gradient clipping: if ||g|| > θ then g := g θ / ||g||, with g all gradients together.

    Like torch.nn.utils.clip_grad_norm_, the scale is θ / (||g|| + eps) (eps=1e-6 guards a
    zero norm); eps=0 is the course's formula to the letter. Scales p.grad in place and
    returns the norm before clipping.
    """
    params = list(params)
    total = float(np.sqrt(sum(np.sum(p.grad.astype(np.float64) ** 2) for p in params)))
    if total <= max_norm:  # nothing to clip (also the all-zero gradient, even with eps=0)
        return total
    scale = max_norm / (total + eps)
    if scale < 1:
        for p in params:
            p.grad = (p.grad * scale).astype(p.grad.dtype)
    return total
