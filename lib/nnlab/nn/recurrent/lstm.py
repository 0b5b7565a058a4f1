"""Long short-term memory (LSTM), with the course's peepholes as an option.

One step forward (columns are samples, see bptt.py; H = hidden_size, B = batch; every
vector below is (H, B), σ is the sigmoid and ⊙ the elementwise product):

    i^t = σ(W_i x^t + U_i h^{t-1} + b_i)           input gate
    f^t = σ(W_f x^t + U_f h^{t-1} + b_f)           forget gate
    C̃^t = tanh(W_C x^t + U_C h^{t-1} + b_C)        candidate values (torch's g)
    C^t = f^t ⊙ C^{t-1} + i^t ⊙ C̃^t                the cell state
    o^t = σ(W_o x^t + U_o h^{t-1} + b_o)           output gate
    h^t = o^t ⊙ tanh(C^t)

The four gates are one product: a^t = W x^t + U h^{t-1} + b (4H, B), rows (i, f, C̃, o) as in
torch (W = weight_ih (4H, input_size), U = weight_hh (4H, H), b = bias_ih + bias_hh (4H,)).

peepholes=True (Gers & Schmidhuber; the course's W_f·[C^{t-1}, h^{t-1}, x^t]): the gates
also look at the cell state, with one weight per unit (weight_ci, weight_cf, weight_co (H,)):
    i^t = σ(... + w_ci ⊙ C^{t-1}),   f^t = σ(... + w_cf ⊙ C^{t-1}),   o^t = σ(... + w_co ⊙ C^t)

One step back. dh = dL/dh^t (from the output and from step t+1), dc = dL/dC^t from step t+1;
δ = dL/da for each gate's pre-activation:

    δo = dh ⊙ tanh(C^t) ⊙ o(1 - o)
    dC = dc + dh ⊙ o ⊙ (1 - tanh² C^t)   (+ δo ⊙ w_co)      all of dL/dC^t
    δi = dC ⊙ C̃ ⊙ i(1 - i)
    δf = dC ⊙ C^{t-1} ⊙ f(1 - f)
    δC̃ = dC ⊙ i ⊙ (1 - C̃²)
    dL/dC^{t-1} = dC ⊙ f   (+ δi ⊙ w_ci + δf ⊙ w_cf)
    dL/dh^{t-1} = Uᵀ δ,  δ = (δi, δf, δC̃, δo) stacked (4H, B)

and, summed over the steps (bptt.run_backward): dL/dW = Σ δ x^tᵀ, dL/dU = Σ δ h^{t-1}ᵀ,
dL/db = Σ δ, dL/dw_ci = Σ δi ⊙ C^{t-1}, dL/dw_cf = Σ δf ⊙ C^{t-1}, dL/dw_co = Σ δo ⊙ C^t.
"""
import numpy as np

from .bptt import Cell, Recurrent, Step, gate_blocks, sigmoid_, transposed


class LSTMStep(Step):
    """One LSTM step. The cache keeps h^t, C^t (T+1, H, B), the gates after their
    nonlinearity, "gates" (T, 4H, B) with rows (i, f, C̃, o), and tanh(C^t) (T, H, B)."""

    n_gates, has_cell = 4, True

    def __init__(self, hidden_size, peepholes=False):
        super().__init__(hidden_size)
        self.peepholes = peepholes

    def extra_parameters(self):
        if not self.peepholes:
            return ()
        return tuple((name, (self.H,)) for name in ("weight_ci", "weight_cf", "weight_co"))

    def cache_shapes(self, T, B):
        H = self.H
        return {"h": (T + 1, H, B), "c": (T + 1, H, B), "gates": (T, 4 * H, B),
                "tanh_c": (T, H, B)}

    def forward(self, t, gx, w, cache):
        """Step t: gx = W x^t + b (4H, B); reads h^{t-1}, C^{t-1} (H, B) from the cache and
        writes the gates, C^t, tanh(C^t) and h^t into it."""
        h_prev, c_prev, c = cache["h"][t], cache["c"][t], cache["c"][t + 1]
        a = cache["gates"][t]                       # a^t, then the gates in place
        np.matmul(w.U, h_prev, out=a)
        a += gx                                     # a^t = W x^t + U h^{t-1} + b, all gates
        i, f, c_tilde, o = gate_blocks(a, 4)
        if self.peepholes:
            i += w.w_ci[:, None] * c_prev
            f += w.w_cf[:, None] * c_prev
        sigmoid_(a[:2 * self.H])                    # i^t, f^t (one call for both)
        np.tanh(c_tilde, out=c_tilde)               # C̃^t
        np.multiply(f, c_prev, out=c)
        c += i * c_tilde                            # C^t = f^t ⊙ C^{t-1} + i^t ⊙ C̃^t
        if self.peepholes:
            o += w.w_co[:, None] * c
        sigmoid_(o)                                 # o^t
        tanh_c = np.tanh(c, out=cache["tanh_c"][t])
        np.multiply(o, tanh_c, out=cache["h"][t + 1])   # h^t = o^t ⊙ tanh(C^t)

    def local_derivatives(self, cache, w):
        """Every factor of backward but dh and dc, for all steps at once: (T, H, B) each."""
        i, f, c_tilde, o = gate_blocks(cache["gates"], 4)
        tanh_c, c_prev = cache["tanh_c"], cache["c"][:-1]
        d = {"dh_dao": tanh_c * o * (1 - o),              # ∂h^t/∂a_o = tanh(C^t) ⊙ o(1 - o)
             "dh_dc": o * (1 - tanh_c * tanh_c),         # ∂h^t/∂C^t = o ⊙ (1 - tanh² C^t)
             "dc_dai": c_tilde * i * (1 - i),             # ∂C^t/∂a_i = C̃ ⊙ i(1 - i)
             "dc_daf": c_prev * f * (1 - f),              # ∂C^t/∂a_f = C^{t-1} ⊙ f(1 - f)
             "dc_dac": i * (1 - c_tilde * c_tilde),       # ∂C^t/∂a_C̃ = i ⊙ (1 - C̃²)
             "f": f, "U^T": transposed(w.U)}
        if self.peepholes:
            d.update(w_ci=w.w_ci[:, None], w_cf=w.w_cf[:, None], w_co=w.w_co[:, None])
        return d

    def backward(self, t, dh, dc, d, delta, delta_h):
        """Step t back: dh = dL/dh^t, dc = dL/dC^t (H, B) or None (zero). Writes
        δ^t = (δi, δf, δC̃, δo) into delta (4H, B); returns dL/dh^{t-1}, dL/dC^{t-1} (H, B)."""
        delta_i, delta_f, delta_C, delta_o = gate_blocks(delta, 4)   # δi, δf, δC̃, δo
        np.multiply(dh, d["dh_dao"][t], out=delta_o)    # δo = dh ⊙ tanh(C^t) ⊙ o(1 - o)
        dC = dh * d["dh_dc"][t]                         # dC = dh ⊙ o ⊙ (1 - tanh² C^t)
        if dc is not None:
            dC += dc                                    #      + dc
        if self.peepholes:
            dC += delta_o * d["w_co"]                   #      + δo ⊙ w_co
        np.multiply(dC, d["dc_dai"][t], out=delta_i)    # δi = dC ⊙ C̃ ⊙ i(1 - i)
        np.multiply(dC, d["dc_daf"][t], out=delta_f)    # δf = dC ⊙ C^{t-1} ⊙ f(1 - f)
        np.multiply(dC, d["dc_dac"][t], out=delta_C)    # δC̃ = dC ⊙ i ⊙ (1 - C̃²)
        dc_prev = dC * d["f"][t]                        # dL/dC^{t-1} = dC ⊙ f
        if self.peepholes:
            dc_prev += delta_i * d["w_ci"] + delta_f * d["w_cf"]   # + δi ⊙ w_ci + δf ⊙ w_cf
        return d["U^T"] @ delta, dc_prev                # dL/dh^{t-1} = Uᵀ δ

    def recurrent_gradients(self, cache, delta_h, grads, ws):
        super().recurrent_gradients(cache, delta_h, grads, ws)         # dL/dU = Σ δ h^{t-1}ᵀ
        if self.peepholes:
            delta_i, delta_f, _, delta_o = gate_blocks(delta_h, 4)
            c = cache["c"]
            grads.w_ci += np.einsum("thb,thb->h", delta_i, c[:-1])    # Σ δi ⊙ C^{t-1}
            grads.w_cf += np.einsum("thb,thb->h", delta_f, c[:-1])    # Σ δf ⊙ C^{t-1}
            grads.w_co += np.einsum("thb,thb->h", delta_o, c[1:])     # Σ δo ⊙ C^t


class LSTMCell(Cell):
    """One LSTM step, torch.nn.LSTMCell's twin (peepholes=True: the course's peephole LSTM).

    LSTMCell(input_size, hidden_size, bias=True, peepholes=False, dtype=np.float32, rng=None)
    forward(x, hc=None): x (batch, input_size), hc = (h, c), each (batch, hidden), or None
        (zeros) -> (h', c'), each (batch, hidden).
    backward(grad_h, grad_c=None): dL/dh', dL/dc' (batch, hidden) (grad_c None: zeros)
        -> dL/dx (batch, input_size); leaves dL/dh, dL/dc (batch, hidden) in self.grad_h0,
        self.grad_c0 and ADDS dL/dθ into p.grad.
    Parameters: weight_ih (4·hidden, input_size), weight_hh (4·hidden, hidden), bias_ih,
    bias_hh (4·hidden,), rows (i, f, C̃, o); with peepholes also weight_ci, weight_cf,
    weight_co (hidden,). All U(-1/√hidden, 1/√hidden) like torch.
    """

    _name = "LSTMCell"

    def __init__(self, input_size, hidden_size, bias=True, peepholes=False, dtype=np.float32,
                 rng=None):
        self.peepholes = peepholes
        super().__init__(LSTMStep(hidden_size, peepholes), input_size, hidden_size, bias,
                         dtype, rng)

    def forward(self, x, hc=None):
        h, c = (None, None) if hc is None else hc
        cache = self._forward(x, h, c)
        return cache["h"][1].T.copy(), cache["c"][1].T.copy()

    def backward(self, grad_h, grad_c=None):
        return self._backward(grad_h, grad_c)

    def extra_repr(self):
        return super().extra_repr() + (", peepholes=True" if self.peepholes else "")


class LSTM(Recurrent):
    """LSTM over a sequence, torch.nn.LSTM(batch_first=True)'s twin (gate order i, f, C̃, o).

    LSTM(input_size, hidden_size, num_layers=1, bias=True, bidirectional=False,
         peepholes=False, dtype=np.float32, rng=None)
    forward(x, hc=None): x (batch, T, input_size), hc = (h0, c0), each (num_layers·D, batch,
        hidden), or None (zeros) -> (output (batch, T, D·hidden), (h_n, c_n)), D = 2 if
        bidirectional else 1.
    backward(grad_output, grad_h_n=None, grad_c_n=None, truncate=None) -> dL/dx
        (batch, T, input_size); leaves dL/dh0, dL/dc0 in self.grad_h0, self.grad_c0.
    Parameters: weight_ih_l{k} (4·hidden, in), weight_hh_l{k} (4·hidden, hidden), bias_ih_l{k},
    bias_hh_l{k} (4·hidden,), and ..._reverse. With peepholes=True also weight_ci_l{k},
    weight_cf_l{k}, weight_co_l{k} (hidden,): i and f see C^{t-1}, o sees C^t, one weight per
    unit. torch has no peephole LSTM: to start from torch weights, add these three vectors to
    its state_dict before load_state_dict.
    """

    _name = "LSTM"

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, bidirectional=False,
                 peepholes=False, dtype=np.float32, rng=None):
        self.peepholes = peepholes
        super().__init__(LSTMStep(hidden_size, peepholes), input_size, hidden_size,
                         num_layers, bias, bidirectional, dtype, rng)

    def forward(self, x, hc=None):
        if hc is None:
            hc = (None, None)
        if not isinstance(hc, (tuple, list)) or len(hc) != 2:
            raise ValueError("LSTM expects hc = (h0, c0) or None")
        output, h_n, c_n = self._forward(x, hc[0], hc[1])
        return output, (h_n, c_n)

    def backward(self, grad_output, grad_h_n=None, grad_c_n=None, truncate=None):
        """Backpropagation through time, as Recurrent.backward, with the cell state too.

        grad_output (batch, T, D·hidden); grad_h_n, grad_c_n (num_layers·D, batch, hidden) or
        None (zeros); truncate None or k >= 1 (see Recurrent.backward).
        Returns dL/dx (batch, T, input_size); leaves dL/dh0 and dL/dc0 (num_layers·D, batch,
        hidden) in self.grad_h0 and self.grad_c0; ADDS dL/dθ into p.grad.
        """
        return self._backward(grad_output, grad_h_n, grad_c_n, truncate)

    def extra_repr(self):
        return super().extra_repr() + (", peepholes=True" if self.peepholes else "")
