"""The Elman RNN: h^t = σ_h(W x^t + U h^{t-1} + b_h), σ_h = tanh (default), relu or sigmoid.

One step, forward and back (columns are samples, see bptt.py; H = hidden_size, B = batch):

    a^t = W x^t + U h^{t-1} + b_h          (H, B)
    h^t = σ_h(a^t)                         (H, B)

    δ^t = dL/dh^t ⊙ σ_h'(a^t)              dL/da^t, (H, B)
    dL/dh^{t-1} = Uᵀ δ^t                   (H, B)

b_h is bias_ih + bias_hh (torch keeps two vectors); W is weight_ih (H, input_size), U is
weight_hh (H, H). σ_h and σ_h' are those of nnlab.nn.activations (Tanh, ReLU, Sigmoid).
"""
import numpy as np

from ..activations import ReLU, Sigmoid, Tanh
from .bptt import Cell, Recurrent, Step, transposed

NONLINEARITIES = {"tanh": Tanh, "relu": ReLU, "sigmoid": Sigmoid}


class RNNStep(Step):
    """One step of the Elman RNN; the cache keeps a^t (T, H, B) and h^t (T+1, H, B)."""

    def __init__(self, hidden_size, nonlinearity="tanh"):
        super().__init__(hidden_size)
        if nonlinearity not in NONLINEARITIES:
            raise ValueError(f"nonlinearity must be one of {sorted(NONLINEARITIES)}, "
                             f"got {nonlinearity!r}")
        self.activation = NONLINEARITIES[nonlinearity]()

    def cache_shapes(self, T, B):
        return {"a": (T, self.H, B), "h": (T + 1, self.H, B)}

    def forward(self, t, gx, w, cache):
        """Step t: gx = W x^t + b_h (H, B); reads h^{t-1} (H, B), writes a^t and h^t."""
        a = cache["a"][t]
        np.matmul(w.U, cache["h"][t], out=a)
        a += gx                                             # a^t = W x^t + U h^{t-1} + b_h
        cache["h"][t + 1] = self.activation.value(a)        # h^t = σ_h(a^t)

    def local_derivatives(self, cache, w):
        """σ_h'(a^t) for all steps at once (T, H, B), and Uᵀ."""
        return {"da": self.activation.derivative(cache["a"]),   # σ_h'(a^t), all t: (T, H, B)
                "U^T": transposed(w.U)}

    def backward(self, t, dh, dc, d, delta, delta_h):
        """Step t back: dh = dL/dh^t (H, B). Writes δ^t into delta (H, B); returns
        dL/dh^{t-1} (H, B) (and None: no cell state)."""
        np.multiply(dh, d["da"][t], out=delta)              # δ^t = dL/dh^t ⊙ σ_h'(a^t)
        return d["U^T"] @ delta, None                       # dL/dh^{t-1} = Uᵀ δ^t


class RNNCell(Cell):
    """One step h' = σ_h(W x + U h + b_h), torch.nn.RNNCell's twin.

    RNNCell(input_size, hidden_size, bias=True, nonlinearity='tanh', dtype=np.float32, rng=None)
    forward(x, h=None): x (batch, input_size), h (batch, hidden) or None (zeros)
        -> h' (batch, hidden).
    backward(grad_h): grad_h = dL/dh' (batch, hidden) -> dL/dx (batch, input_size); leaves
        dL/dh (batch, hidden) in self.grad_h0 and ADDS dL/dθ into p.grad.
    Parameters: weight_ih (hidden, input_size), weight_hh (hidden, hidden), bias_ih, bias_hh
    (hidden,), U(-1/√hidden, 1/√hidden) like torch.
    """

    _name = "RNNCell"

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh",
                 dtype=np.float32, rng=None):
        self.nonlinearity = nonlinearity
        super().__init__(RNNStep(hidden_size, nonlinearity), input_size, hidden_size, bias,
                         dtype, rng)

    def extra_repr(self):
        return super().extra_repr() + f", nonlinearity={self.nonlinearity!r}"


class RNN(Recurrent):
    """Elman RNN over a sequence, torch.nn.RNN(batch_first=True)'s twin.

    RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
        bidirectional=False, dtype=np.float32, rng=None)
    forward(x, h0=None): x (batch, T, input_size), h0 (num_layers·D, batch, hidden) or None
        (zeros) -> (output (batch, T, D·hidden), h_n (num_layers·D, batch, hidden)),
        D = 2 if bidirectional else 1; output[:, t] = h^t (both directions side by side).
    backward(grad_output, grad_h_n=None, truncate=None) -> dL/dx (batch, T, input_size);
        dL/dh0 in self.grad_h0 (see Recurrent.backward for truncate).
    Parameters: weight_ih_l{k} (hidden, in), weight_hh_l{k} (hidden, hidden), bias_ih_l{k},
    bias_hh_l{k} (hidden,), and ..._reverse for the backward direction.
    """

    _name = "RNN"

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 bidirectional=False, dtype=np.float32, rng=None):
        self.nonlinearity = nonlinearity
        super().__init__(RNNStep(hidden_size, nonlinearity), input_size, hidden_size,
                         num_layers, bias, bidirectional, dtype, rng)

    def extra_repr(self):
        return super().extra_repr() + f", nonlinearity={self.nonlinearity!r}"
