"""Dropout: switch each unit off with probability p during training.

Two forms from the course, with the same expectation of the output:
- inverted (default, what torch does): train y = ξ x / (1-p), eval y = x;
- classic (inverted=False): train y = ξ x, eval y = (1-p) x;
where ξ ~ Bernoulli(1-p) independently for every element.
"""
import numpy as np

from ..module import Module, default_rng


class Dropout(Module):
    """x: any shape -> y: same shape; backward(dy) returns dy times the same mask and scale.

    rng: a np.random.Generator of the layer's own, or None: every forward then draws from
    the generator of nnlab.manual_seed as it is at that moment, so that manual_seed(s)
    before training reproduces the masks whenever the layer was built.
    """

    def __init__(self, p=0.5, inverted=True, rng=None):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability must be in [0, 1], got {p}")
        self.p, self.inverted = p, inverted
        self.rng = rng

    def forward(self, x):
        x = np.asarray(x)
        if self.training:
            rng = default_rng() if self.rng is None else self.rng
            keep = rng.random(x.shape) >= self.p
            # p == 1 keeps nothing: the inverted scale 1/(1-p) is never needed then
            scale = 1.0 / (1.0 - self.p) if self.inverted and self.p < 1 else 1.0
            self.factor = (keep * scale).astype(x.dtype)
        else:
            self.factor = np.asarray(1.0 if self.inverted else 1.0 - self.p, dtype=x.dtype)
        return x * self.factor

    def backward(self, grad_out):
        return grad_out * self.factor

    def extra_repr(self):
        return f"p={self.p}, inverted={self.inverted}"
