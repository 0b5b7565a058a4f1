"""Gated recurrent unit (GRU), in the course's form (default) and in torch's (reset_after=True).

Columns are samples (see bptt.py; H = hidden_size, B = batch; every vector below is (H, B)).
Both forms have a reset gate r and an update gate z,

    r^t = σ(W_r x^t + U_r h^{t-1} + b_r)
    z^t = σ(W_z x^t + U_z h^{t-1} + b_z)

and a candidate h̃^t (torch's n); rows of W = weight_ih (3H, input_size), U = weight_hh (3H, H)
and the biases (3H,): (r, z, n), in torch's order.

The course (reset_after=False, CourseGRUStep), b = bias_ih + bias_hh:
    h̃^t = tanh(W_n x^t + U_n (r^t ⊙ h^{t-1}) + b_n)
    h^t = (1 - z^t) ⊙ h^{t-1} + z^t ⊙ h̃^t

torch (reset_after=True, TorchGRUStep), with m^t = U_n h^{t-1} + b_hn kept apart:
    h̃^t = tanh(W_n x^t + b_in + r^t ⊙ m^t)
    h^t = (1 - z^t) ⊙ h̃^t + z^t ⊙ h^{t-1}

Two differences: where the reset gate acts (on h^{t-1} before U_n, or on U_n h^{t-1} + b_hn
after it: cheaper, one product with U for all gates), and what z means (the course's z is the
share of the NEW candidate, torch's z the share of the OLD state: torch's z is the course's
1 - z). The parameters have the same names and shapes in both forms.
"""
import numpy as np

from .bptt import Cell, Recurrent, Step, gate_blocks, sigmoid_, sum_outer, transposed


class CourseGRUStep(Step):
    """One step of the course's GRU; the cache keeps h^t (T+1, H, B), the gates after their
    nonlinearity "gates" (T, 3H, B), rows (r, z, h̃), and "rh" = r^t ⊙ h^{t-1} (T, H, B).

    One step back, dh = dL/dh^t (H, B):
        δn = dh ⊙ z ⊙ (1 - h̃²)                    δ of the candidate's pre-activation
        δz = dh ⊙ (h̃ - h^{t-1}) ⊙ z(1 - z)
        d(r⊙h) = U_nᵀ δn                           dL/d(r^t ⊙ h^{t-1})
        δr = d(r⊙h) ⊙ h^{t-1} ⊙ r(1 - r)
        dL/dh^{t-1} = dh ⊙ (1 - z) + d(r⊙h) ⊙ r + U_rᵀ δr + U_zᵀ δz
    U_n multiplies r^t ⊙ h^{t-1}, so dL/dU_n = Σ δn (r^t ⊙ h^{t-1})ᵀ; U_r, U_z multiply h^{t-1}.
    """

    n_gates = 3

    def cache_shapes(self, T, B):
        return {"h": (T + 1, self.H, B), "gates": (T, 3 * self.H, B), "rh": (T, self.H, B)}

    def forward(self, t, gx, w, cache):
        """Step t: gx = W x^t + b (3H, B); reads h^{t-1} (H, B) from the cache and writes
        r^t, z^t, h̃^t, r^t ⊙ h^{t-1} and h^t into it."""
        H = self.H
        h_prev, h, rh = cache["h"][t], cache["h"][t + 1], cache["rh"][t]
        rz = cache["gates"][t, :2 * H]
        r, z, h_tilde = gate_blocks(cache["gates"][t], 3)
        np.matmul(w.U[:2 * H], h_prev, out=rz)
        rz += gx[:2 * H]
        sigmoid_(rz)                                     # r^t, z^t
        np.multiply(r, h_prev, out=rh)
        np.matmul(w.U[2 * H:], rh, out=h_tilde)
        h_tilde += gx[2 * H:]
        np.tanh(h_tilde, out=h_tilde)                    # h̃ = tanh(W_n x + U_n (r ⊙ h) + b_n)
        np.subtract(h_tilde, h_prev, out=h)
        h *= z
        h += h_prev                                      # h^t = (1 - z) ⊙ h^{t-1} + z ⊙ h̃

    def local_derivatives(self, cache, w):
        """Every factor of backward but dh, for all steps at once: (T, H, B) each."""
        H = self.H
        r, z, h_tilde = gate_blocks(cache["gates"], 3)
        h_prev = cache["h"][:-1]
        return {"dh_dan": z * (1 - h_tilde * h_tilde),         # ∂h^t/∂a_n = z ⊙ (1 - h̃²)
                "dh_daz": (h_tilde - h_prev) * z * (1 - z),    # (h̃ - h^{t-1}) ⊙ z(1 - z)
                "drh_dar": h_prev * r * (1 - r),       # ∂(r ⊙ h^{t-1})/∂a_r = h^{t-1} ⊙ r(1 - r)
                "1-z": 1 - z, "r": r,
                "U_n^T": transposed(w.U[2 * H:]), "U_rz^T": transposed(w.U[:2 * H])}

    def backward(self, t, dh, dc, d, delta, delta_h):
        """Step t back: dh = dL/dh^t (H, B). Writes δ^t = (δr, δz, δn) into delta (3H, B);
        returns dL/dh^{t-1} (H, B) (and None: no cell state)."""
        H = self.H
        delta_r, delta_z, delta_n = gate_blocks(delta, 3)
        np.multiply(dh, d["dh_dan"][t], out=delta_n)     # δn = dh ⊙ z ⊙ (1 - h̃²)
        np.multiply(dh, d["dh_daz"][t], out=delta_z)     # δz = dh ⊙ (h̃ - h^{t-1}) ⊙ z(1 - z)
        d_rh = d["U_n^T"] @ delta_n                      # d(r⊙h) = U_nᵀ δn
        np.multiply(d_rh, d["drh_dar"][t], out=delta_r)  # δr = d(r⊙h) ⊙ h^{t-1} ⊙ r(1 - r)
        dh_prev = d["U_rz^T"] @ delta[:2 * H]            # dL/dh^{t-1} = U_rᵀ δr + U_zᵀ δz
        dh_prev += d_rh * d["r"][t]                      #   + d(r⊙h) ⊙ r
        dh_prev += dh * d["1-z"][t]                      #   + dh ⊙ (1 - z)
        return dh_prev, None

    def recurrent_gradients(self, cache, delta_h, grads, ws):
        H, T, dt = self.H, len(delta_h), delta_h.dtype
        grads.U[:2 * H] += sum_outer(delta_h[:, :2 * H], cache["h"][:-1],    # Σ δ_rz h^{t-1}ᵀ
                                     ws("dU_rz", (T, 2 * H, H), dt))
        grads.U[2 * H:] += sum_outer(delta_h[:, 2 * H:], cache["rh"],        # Σ δn (r ⊙ h)ᵀ
                                     ws("dU_n", (T, H, H), dt))


class TorchGRUStep(Step):
    """One step of torch's GRU; the cache keeps h^t (T+1, H, B), the gates after their
    nonlinearity "gates" (T, 3H, B), rows (r, z, h̃), "m" = U_n h^{t-1} + b_hn (T, H, B),
    and "uh" (3H, B), room for U h^{t-1} of the current step.

    One step back, dh = dL/dh^t (H, B); a_n = W_n x^t + b_in + r ⊙ m is the candidate's
    pre-activation, so the δ of W x + b_ih and of U h + b_hh differ in the n rows:
        δn = dh ⊙ (1 - z) ⊙ (1 - h̃²)              dL/da_n: for W_n and b_in
        δz = dh ⊙ (h^{t-1} - h̃) ⊙ z(1 - z)
        δr = δn ⊙ m ⊙ r(1 - r)
        δm = δn ⊙ r                                dL/dm: for U_n and b_hn
        dL/dh^{t-1} = dh ⊙ z + Uᵀ (δr, δz, δm)
    """

    n_gates = 3
    separate_hh = True

    def input_bias(self, w):
        """b_ih + b_hh for the r and z rows; only b_in for the candidate (b_hn is inside m)."""
        if w.b_ih is None:
            return None
        bias = w.b_ih.copy()
        bias[:2 * self.H] += w.b_hh[:2 * self.H]
        return bias

    def cache_shapes(self, T, B):
        return {"h": (T + 1, self.H, B), "gates": (T, 3 * self.H, B), "m": (T, self.H, B),
                "uh": (3 * self.H, B)}

    def forward(self, t, gx, w, cache):
        """Step t: gx = W x^t + b (3H, B), with only b_in in the candidate's rows (see
        input_bias); reads h^{t-1} (H, B) from the cache and writes r^t, z^t, m^t, h̃^t, h^t."""
        H = self.H
        h_prev, h, m, uh = cache["h"][t], cache["h"][t + 1], cache["m"][t], cache["uh"]
        rz = cache["gates"][t, :2 * H]
        r, z, h_tilde = gate_blocks(cache["gates"][t], 3)
        np.matmul(w.U, h_prev, out=uh)                    # U h^{t-1}, all three blocks
        np.add(gx[:2 * H], uh[:2 * H], out=rz)
        sigmoid_(rz)                                      # r^t, z^t
        if w.b_hh is None:
            m[...] = uh[2 * H:]
        else:
            np.add(uh[2 * H:], w.b_hh[2 * H:, None], out=m)   # m = U_n h^{t-1} + b_hn
        np.multiply(r, m, out=h_tilde)
        h_tilde += gx[2 * H:]
        np.tanh(h_tilde, out=h_tilde)                     # h̃ = tanh(W_n x + b_in + r ⊙ m)
        np.subtract(h_prev, h_tilde, out=h)
        h *= z
        h += h_tilde                                      # h^t = (1 - z) ⊙ h̃ + z ⊙ h^{t-1}

    def local_derivatives(self, cache, w):
        """Every factor of backward but dh, for all steps at once: (T, H, B) each."""
        r, z, h_tilde = gate_blocks(cache["gates"], 3)
        h_prev = cache["h"][:-1]
        return {"dh_dan": (1 - z) * (1 - h_tilde * h_tilde),   # ∂h^t/∂a_n = (1 - z)(1 - h̃²)
                "dh_daz": (h_prev - h_tilde) * z * (1 - z),    # (h^{t-1} - h̃) ⊙ z(1 - z)
                "dan_dar": cache["m"] * r * (1 - r),     # ∂a_n/∂a_r = m ⊙ r(1 - r)
                "z": z, "r": r, "U^T": transposed(w.U)}

    def backward(self, t, dh, dc, d, delta, delta_h):
        """Step t back: dh = dL/dh^t (H, B). Writes δn into delta's candidate rows (3H, B),
        δ for U h + b_hh = (δr, δz, δm) into delta_h (3H, B); returns dL/dh^{t-1} (H, B)."""
        H = self.H
        delta_n = delta[2 * H:]                           # for W_n and b_in
        delta_r, delta_z, delta_m = gate_blocks(delta_h, 3)   # for U and b_hh
        np.multiply(dh, d["dh_dan"][t], out=delta_n)      # δn = dh ⊙ (1 - z) ⊙ (1 - h̃²)
        np.multiply(dh, d["dh_daz"][t], out=delta_z)      # δz = dh ⊙ (h^{t-1} - h̃) ⊙ z(1 - z)
        np.multiply(delta_n, d["dan_dar"][t], out=delta_r)   # δr = δn ⊙ m ⊙ r(1 - r)
        np.multiply(delta_n, d["r"][t], out=delta_m)      # δm = δn ⊙ r
        dh_prev = d["U^T"] @ delta_h                      # dL/dh^{t-1} = Uᵀ (δr, δz, δm)
        dh_prev += dh * d["z"][t]                         #   + dh ⊙ z
        return dh_prev, None

    def complete(self, delta_x, delta_h):
        """δr, δz were written into delta_h only: the same for W x + b_ih, all steps at once."""
        delta_x[:, :2 * self.H] = delta_h[:, :2 * self.H]


def gru_step(hidden_size, reset_after):
    return TorchGRUStep(hidden_size) if reset_after else CourseGRUStep(hidden_size)


class GRUCell(Cell):
    """One GRU step: the course's (default) or torch.nn.GRUCell's (reset_after=True).

    GRUCell(input_size, hidden_size, bias=True, reset_after=False, dtype=np.float32, rng=None)
    forward(x, h=None): x (batch, input_size), h (batch, hidden) or None (zeros)
        -> h' (batch, hidden).
    backward(grad_h): grad_h = dL/dh' (batch, hidden) -> dL/dx (batch, input_size); leaves
        dL/dh (batch, hidden) in self.grad_h0 and ADDS dL/dθ into p.grad.
    Parameters: weight_ih (3·hidden, input_size), weight_hh (3·hidden, hidden), bias_ih,
    bias_hh (3·hidden,), rows (r, z, n), U(-1/√hidden, 1/√hidden) like torch. The course's
    formulas keep the gate biases b_z, b_r (in bias_ih + bias_hh); bias=False removes all biases.
    """

    _name = "GRUCell"

    def __init__(self, input_size, hidden_size, bias=True, reset_after=False, dtype=np.float32,
                 rng=None):
        self.reset_after = reset_after
        super().__init__(gru_step(hidden_size, reset_after), input_size, hidden_size, bias,
                         dtype, rng)

    def extra_repr(self):
        return super().extra_repr() + (", reset_after=True" if self.reset_after else "")


class GRU(Recurrent):
    """GRU over a sequence (gate order r, z, n), with the course's or torch's candidate.

    GRU(input_size, hidden_size, num_layers=1, bias=True, bidirectional=False,
        reset_after=False, dtype=np.float32, rng=None)
    forward(x, h0=None): x (batch, T, input_size), h0 (num_layers·D, batch, hidden) or None
        (zeros) -> (output (batch, T, D·hidden), h_n (num_layers·D, batch, hidden)),
        D = 2 if bidirectional else 1.
    backward(grad_output, grad_h_n=None, truncate=None) -> dL/dx (batch, T, input_size);
        dL/dh0 in self.grad_h0 (see Recurrent.backward).
    Parameters: weight_ih_l{k} (3·hidden, in), weight_hh_l{k} (3·hidden, hidden), bias_ih_l{k},
    bias_hh_l{k} (3·hidden,), and ..._reverse: torch's names and shapes in both forms, so torch
    weights load into either, but only reset_after=True computes what torch.nn.GRU computes.
    """

    _name = "GRU"

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, bidirectional=False,
                 reset_after=False, dtype=np.float32, rng=None):
        self.reset_after = reset_after
        super().__init__(gru_step(hidden_size, reset_after), input_size, hidden_size,
                         num_layers, bias, bidirectional, dtype, rng)

    def extra_repr(self):
        return super().extra_repr() + (", reset_after=True" if self.reset_after else "")
