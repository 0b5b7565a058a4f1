"""Recurrent layers RNN, LSTM (peepholes option), GRU (reset_after option) and their cells.

Notation of the lecture (x^t input, h^t hidden state, C^t LSTM cell state, σ the sigmoid, ⊙ the
elementwise product). W are the input weights (torch's weight_ih), U the recurrent weights
(weight_hh); the blocks of each gate are stacked along the rows, in torch's order.

    RNN    h^t = σ_h(W x^t + U h^{t-1} + b_h)                 σ_h = tanh (default), relu or sigmoid

    LSTM   i^t = σ(W_i x^t + U_i h^{t-1} + b_i)                input gate
           f^t = σ(W_f x^t + U_f h^{t-1} + b_f)                forget gate
           C̃^t = tanh(W_C x^t + U_C h^{t-1} + b_C)             candidate values (torch's g)
           C^t = f^t ⊙ C^{t-1} + i^t ⊙ C̃^t
           o^t = σ(W_o x^t + U_o h^{t-1} + b_o)                output gate
           h^t = o^t ⊙ tanh(C^t)                               rows of W, U, b: (i, f, C̃, o)
      peepholes=True: the gates also look at the cell state (Gers & Schmidhuber; the lecture's
      W_f·[C^{t-1}, h^{t-1}, x^t]), with one weight per unit (a diagonal C-block):
           i^t = σ(... + w_ci ⊙ C^{t-1}),  f^t = σ(... + w_cf ⊙ C^{t-1}),  o^t = σ(... + w_co ⊙ C^t)

    GRU    r^t = σ(W_r x^t + U_r h^{t-1} + b_r)                reset gate
           z^t = σ(W_z x^t + U_z h^{t-1} + b_z)                update gate
           (rows of W, U, b: r, z, n = the candidate h̃)
      reset_after=False (default, the lecture):
           h̃^t = tanh(W_n x^t + U_n (r^t ⊙ h^{t-1}) + b_n)
           h^t = (1 - z^t) ⊙ h^{t-1} + z^t ⊙ h̃^t
      reset_after=True (torch.nn.GRU exactly):
           h̃^t = tanh(W_n x^t + b_in + r^t ⊙ (U_n h^{t-1} + b_hn))
           h^t = (1 - z^t) ⊙ h̃^t + z^t ⊙ h^{t-1}

Every bias b above is bias_ih + bias_hh (two vectors, as torch keeps them); only torch's GRU
keeps b_hn apart, inside r ⊙ (...). The lecture writes the GRU without biases: bias=False.

Shapes (batch first, as torch with batch_first=True): input (batch, T, input_size); output
(batch, T, D·hidden_size) with D = 2 if bidirectional (forward direction first, then backward);
h_n, c_n and the initial states h0, c0: (num_layers·D, batch, hidden_size), row layer·D + direction.
Parameters are named and shaped as torch's (weight_ih_l0 (G·hidden, input), weight_hh_l0
(G·hidden, hidden), bias_ih_l0, bias_hh_l0 (G·hidden,), suffix _reverse for the backward
direction; G = 1, 4, 3), so `layer.load_state_dict(torch_layer.state_dict())` works.

backward is backpropagation through time (BPTT), the lecture's
    ∂L_t/∂W = ∂L_t/∂h^t Σ_{k≤t} (∏_{i=k+1..t} ∂h^i/∂h^{i-1}) ∂h^k/∂W,
computed in one sweep from the last step to the first. `truncate=n` keeps only the terms with
k > t - n: each loss looks at most n steps back (see RNN.backward). `fit_chunks` trains on a
long sequence chunk by chunk, carrying the state forward and cutting the gradient in between.

Implementation: one formula in one place. A kernel (_RNNKernel, _LSTMKernel, _GRUKernel) owns
the step formulas of one cell, forward and backward, and runs them over time for one layer and
one direction; cells run it for T = 1, sequence layers for every layer and direction. For speed
the kernels work on (time, features, batch) arrays, so each gate of a step is a contiguous
block; W x^t + b for all steps is one product before the loop, each step needs one product
with U, and dL/dW, dL/dU, dL/db are one product (sum) each after the loop over the stacked
per-step gate gradients δ^t. Work arrays are kept between calls (_Workspace).
"""
from types import SimpleNamespace

import numpy as np

from ..module import Module, Parameter, check_shape, default_rng
from .activations import ReLU, Sigmoid, Tanh

_NONLINEARITIES = {"tanh": Tanh, "relu": ReLU, "sigmoid": Sigmoid}


def _sigmoid(a):
    """σ(a) = (1 + tanh(a/2)) / 2, in place on a (returned).

    The same function as activations.sigmoid (the tests check that they agree), computed in
    four in-place passes with NumPy's vectorized tanh instead of exp and np.where: the gates of
    every time step go through it, and here it is about ten times faster.
    """
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5
    return a


def _transposed(a):
    """aᵀ as a contiguous array (OpenBLAS is faster with it for the small products of a step)."""
    return np.ascontiguousarray(a.T)


def _sum_time_batch(a):
    """Σ over time and batch of a (T, n, B) -> (n,) (summing time first is much faster)."""
    return a.sum(axis=0).sum(axis=1)


def _column(v):
    """A vector (n,) as a column (n, 1), to broadcast over the batch axis of (n, batch)."""
    return v[:, None]


class _Workspace:
    """Arrays kept from one call to the next, by name: ws(name, shape, dtype).

    Why: a fresh array of a few MB costs one page fault per 4 KB the first time it is written,
    on every call (the allocator hands such memory back to the system when it is freed); for
    the sizes of an LSTM step this doubles the time. The arrays of the forward cache and of the
    backward pass therefore live here; a layer's next forward overwrites them (its previous
    cache is gone by then anyway). Nothing in a workspace is ever returned to the caller.
    """

    def __init__(self):
        self.arrays = {}

    def __call__(self, name, shape, dtype):
        a = self.arrays.get(name)
        if a is None or a.shape != tuple(shape) or a.dtype != dtype:
            a = self.arrays[name] = np.empty(shape, dtype)
        return a


# --------------------------------------------------------------------------------------------
# kernels: the formulas of each cell, forward and backward side by side
# --------------------------------------------------------------------------------------------

class _Kernel:
    """The recurrence of one layer in one direction.

    Layout (time, features, batch): step t works on columns, h^{t-1} is (H, B) and the gates
    of step t are the rows of one (G·H, B) block, so each gate is a contiguous (H, B) slice
    and the formulas read as in the lecture: a^t = W x^t + U h^{t-1} + b.

    forward(X, h0, c0, w, ws, reverse) -> cache. X (T, in, B) in the original time order; the
    steps run in processing order (reversed for the backward direction). cache["h"] is
    (T+1, H, B), h0 first (cache["c"] likewise for the LSTM).
    backward(cache, w, params, dY, ws, dh_n, dc_n, truncate) -> (dX (T, in, B), dh0, dc0) and
    adds the parameter gradients; w holds the arrays (cast to the compute dtype), params the
    Parameter objects, by the short names w_ih, w_hh, b_ih, b_hh (ci, cf, co); ws is the
    _Workspace of this layer and direction.

    Subclasses give n_gates, scan (the forward loop), backward_prep (all that one step back
    needs and that does not depend on the incoming gradient, for all steps at once) and
    step_backward (one step back in time).
    """

    n_gates = 1
    has_cell = False     # LSTM: a second state C^t
    split_hh = False     # torch's GRU: dL/d(U h + b_hh) differs from dL/d(W x + b_ih)

    def __init__(self, hidden_size):
        self.H = hidden_size

    def extra_parameters(self):
        """(name, shape) of parameters besides weight_ih, weight_hh, bias_ih, bias_hh."""
        return ()

    def input_bias(self, w):
        """The bias added to W x^t before the loop (None without bias)."""
        return None if w.b_ih is None else w.b_ih + w.b_hh

    # -- forward --
    def forward(self, X, h0, c0, w, ws, reverse=False):
        T, _, B = X.shape
        GX = np.matmul(w.w_ih, X, out=ws("GX", (T, self.n_gates * self.H, B), X.dtype))
        bias = self.input_bias(w)                     # W x^t + b for every t before the loop
        if bias is not None:
            GX += _column(bias)
        cache = self.scan(GX[::-1] if reverse else GX, h0, c0, w, ws)
        cache.update(X=X, reverse=reverse)
        return cache

    def scan(self, GX, h0, c0, w, ws):
        raise NotImplementedError

    # -- backward --
    def backward(self, cache, w, params, dY, ws, dh_n=None, dc_n=None, truncate=None):
        reverse = cache["reverse"]
        dGx, dGh, dh0, dc0 = self.bptt(cache, w, dY[::-1] if reverse else dY, dh_n, dc_n,
                                       truncate, ws)
        X = cache["X"][::-1] if reverse else cache["X"]
        T, n_in, B = X.shape
        dt = dGx.dtype
        params.w_ih.grad += np.matmul(dGx, X.transpose(0, 2, 1),              # Σ_t δ^t x^tᵀ
                                      out=ws("dW_ih", (T, dGx.shape[1], n_in), dt)).sum(axis=0)
        self.hh_grads(cache, dGh, params, ws)
        if params.b_ih is not None:                                             # Σ_t δ^t
            db = _sum_time_batch(dGx)
            params.b_ih.grad += db
            params.b_hh.grad += db if dGh is dGx else _sum_time_batch(dGh)
        dX = np.matmul(w.w_ih.T, dGx, out=ws("dX", (T, n_in, B), dt))          # Wᵀ δ^t
        return (dX[::-1] if reverse else dX), dh0, dc0

    def hh_grads(self, cache, dGh, params, ws):
        """dL/dU = Σ_t δ^t h^{t-1}ᵀ (plus any extra parameters but the biases)."""
        Hs = cache["h"]
        out = ws("dW_hh", (dGh.shape[0], dGh.shape[1], self.H), dGh.dtype)
        params.w_hh.grad += np.matmul(dGh, Hs[:-1].transpose(0, 2, 1), out=out).sum(axis=0)

    def bptt(self, cache, w, dY, dh_n, dc_n, truncate, ws):
        """Gradients w.r.t. the gates' pre-activations δ^t at every step (processing order).

        dY (T, H, B): dL/dh^t from the outputs; dh_n, dc_n (H, B) or None.
        Returns dGx (T, G·H, B) for W and b_ih, dGh for U and b_hh (the same array unless
        split_hh), and dL/dh0, dL/dc0 (H, B).
        Full BPTT (truncate=None): one sweep from the last step back to the first, O(T).
        truncate=k: the gradient injected at step t (dY[t]; dh_n, dc_n at the last step) is
        carried back through steps t, t-1, ..., t-k+1 only, one window per t, O(T·k). What the
        window passes to the state before step t-k+1 is dropped, unless that state is the
        initial one (then it goes to dh0, dc0). All that follows the gates is linear in δ, so
        adding the windows' δ is exact.
        """
        T, H, B = dY.shape
        dt = cache["h"].dtype
        prep = self.backward_prep(cache, w, ws)
        rows = self.n_gates * H
        dGx = ws("dGx", (T, rows, B), dt)
        dGh = ws("dGh", (T, rows, B), dt) if self.split_hh else dGx
        if truncate is None:
            dh = np.array(dY[T - 1], dtype=dt)
            if dh_n is not None:
                dh += dh_n
            dc = dc_n
            for s in range(T - 1, -1, -1):
                if s < T - 1:
                    dh += dY[s]    # dL/dh^t = ∂L/∂h^t (output) + dL/dh^{t+1} ∂h^{t+1}/∂h^t
                dh, dc = self.step_backward(prep, w, s, dh, dc, dGx[s], dGh[s])
            dh0, dc0 = dh, dc
        else:
            dGx[...] = 0
            dGh[...] = 0
            gx = np.zeros((rows, B), dt)
            gh = np.zeros((rows, B), dt) if self.split_hh else gx
            dh0 = np.zeros((H, B), dt)
            dc0 = np.zeros((H, B), dt) if self.has_cell else None
            for t in range(T):
                dh, dc = np.array(dY[t], dtype=dt), None
                if t == T - 1:
                    if dh_n is not None:
                        dh += dh_n
                    dc = dc_n
                first = max(0, t - truncate + 1)
                for s in range(t, first - 1, -1):
                    dh, dc = self.step_backward(prep, w, s, dh, dc, gx, gh)
                    dGx[s] += gx
                    if self.split_hh:
                        dGh[s] += gh
                if first == 0:
                    dh0 += dh
                    if dc is not None:
                        dc0 += dc
        self.finish(dGx, dGh)
        return dGx, dGh, dh0, dc0

    def finish(self, dGx, dGh):
        """Hook after the loop (torch's GRU copies the r, z rows of dGh into dGx)."""

    def backward_prep(self, cache, w, ws):
        raise NotImplementedError

    def step_backward(self, prep, w, s, dh, dc, gx, gh):
        """One step back. dh = dL/dh^s, dc = dL/dC^s (None means 0), each (H, B).

        Writes δ^s, the gradients w.r.t. the pre-activations of step s, into gx (and gh)
        (G·H, B) and returns (dL/dh^{s-1}, dL/dC^{s-1} or None) through this step.
        """
        raise NotImplementedError


class _RNNKernel(_Kernel):
    """h^t = σ_h(a^t), a^t = W x^t + U h^{t-1} + b_h;  back: δ^t = dL/dh^t ⊙ σ_h'(a^t),
    dL/dh^{t-1} = Uᵀ δ^t. σ_h is an Activation of nnlab.nn.activations."""

    def __init__(self, hidden_size, nonlinearity="tanh"):
        super().__init__(hidden_size)
        if nonlinearity not in _NONLINEARITIES:
            raise ValueError(f"nonlinearity must be one of {sorted(_NONLINEARITIES)}, "
                             f"got {nonlinearity!r}")
        self.act = _NONLINEARITIES[nonlinearity]()

    def scan(self, GX, h0, c0, w, ws):
        T, H, B = GX.shape
        Z = ws("a", (T, H, B), GX.dtype)            # pre-activations a^t
        Hs = ws("h", (T + 1, H, B), GX.dtype)
        Hs[0] = h0
        for s in range(T):
            a = Z[s]
            np.matmul(w.w_hh, Hs[s], out=a)
            a += GX[s]                                # a^t = W x^t + U h^{t-1} + b_h
            Hs[s + 1] = self.act.value(a)             # h^t = σ_h(a^t)
        return {"h": Hs, "a": Z}

    def backward_prep(self, cache, w, ws):
        return {"d": self.act.derivative(cache["a"]), "u_t": _transposed(w.w_hh)}

    def step_backward(self, prep, w, s, dh, dc, gx, gh):
        np.multiply(dh, prep["d"][s], out=gx)
        return prep["u_t"] @ gx, None


class _LSTMKernel(_Kernel):
    """LSTM step; the gates are kept after their nonlinearity, rows (i, f, C̃, o).

    One step back, dh = dL/dh^t and dc = dL/dC^t (from step t+1):
        δo = dh ⊙ tanh C^t ⊙ o(1 - o)
        dC = dc + dh ⊙ o ⊙ (1 - tanh² C^t)  (+ δo ⊙ w_co)
        δi = dC ⊙ C̃ ⊙ i(1 - i),  δf = dC ⊙ C^{t-1} ⊙ f(1 - f),  δC̃ = dC ⊙ i ⊙ (1 - C̃²)
        dL/dC^{t-1} = dC ⊙ f  (+ δi ⊙ w_ci + δf ⊙ w_cf),   dL/dh^{t-1} = Uᵀ δ
    """

    n_gates, has_cell = 4, True

    def __init__(self, hidden_size, peepholes=False):
        super().__init__(hidden_size)
        self.peepholes = peepholes

    def extra_parameters(self):
        if not self.peepholes:
            return ()
        return tuple((name, (self.H,)) for name in ("weight_ci", "weight_cf", "weight_co"))

    def scan(self, GX, h0, c0, w, ws):
        T, _, B = GX.shape
        H, dt = self.H, GX.dtype
        A = ws("gates", (T, 4 * H, B), dt)           # i, f, C̃, o after their nonlinearity
        Hs, Cs = ws("h", (T + 1, H, B), dt), ws("c", (T + 1, H, B), dt)
        TC = ws("tanh_c", (T, H, B), dt)              # tanh(C^t)
        ig = np.empty((H, B), dt)
        Hs[0], Cs[0] = h0, c0
        if self.peepholes:
            w_ci, w_cf, w_co = _column(w.ci), _column(w.cf), _column(w.co)
        for s in range(T):
            a, c_prev, c = A[s], Cs[s], Cs[s + 1]
            np.matmul(w.w_hh, Hs[s], out=a)
            a += GX[s]                                # W x^t + U h^{t-1} + b, all four gates
            i, f, g, o = a[:H], a[H:2 * H], a[2 * H:3 * H], a[3 * H:]
            if self.peepholes:
                i += w_ci * c_prev
                f += w_cf * c_prev
            _sigmoid(a[:2 * H])                       # i^t, f^t
            np.tanh(g, out=g)                         # C̃^t
            np.multiply(f, c_prev, out=c)
            np.multiply(i, g, out=ig)
            c += ig                                   # C^t = f^t ⊙ C^{t-1} + i^t ⊙ C̃^t
            if self.peepholes:
                o += w_co * c
            _sigmoid(o)                               # o^t
            np.tanh(c, out=TC[s])
            np.multiply(o, TC[s], out=Hs[s + 1])      # h^t = o^t ⊙ tanh(C^t)
        return {"h": Hs, "c": Cs, "gates": A, "tanh_c": TC}

    def backward_prep(self, cache, w, ws):
        H, A, TC = self.H, cache["gates"], cache["tanh_c"]
        i, f, g, o = A[:, :H], A[:, H:2 * H], A[:, 2 * H:3 * H], A[:, 3 * H:]
        c_prev = cache["c"][:-1]
        shape, dt = TC.shape, TC.dtype
        P = ws("P", (shape[0], 3) + shape[1:], dt)
        K, Q = ws("K", shape, dt), ws("Q", shape, dt)
        # written in place with out= (no big temporaries, see _Workspace)
        p_i, p_f, p_g = P[:, 0], P[:, 1], P[:, 2]
        np.subtract(1, i, out=p_i)
        p_i *= i
        p_i *= g                                      # δi = dC ⊙ C̃ ⊙ i(1-i)
        np.subtract(1, f, out=p_f)
        p_f *= f
        p_f *= c_prev                                 # δf = dC ⊙ C^{t-1} ⊙ f(1-f)
        np.multiply(g, g, out=p_g)
        np.subtract(1, p_g, out=p_g)
        p_g *= i                                      # δC̃ = dC ⊙ i ⊙ (1-C̃²)
        np.multiply(TC, TC, out=K)
        np.subtract(1, K, out=K)
        K *= o                                        # K = ∂h^t/∂C^t = o ⊙ (1 - tanh² C^t)
        np.subtract(1, o, out=Q)
        Q *= o
        Q *= TC                                       # δo = dh ⊙ Q
        prep = {"P": P, "f": f, "K": K, "Q": Q, "u_t": _transposed(w.w_hh)}
        if self.peepholes:
            prep.update(w_ci=_column(w.ci), w_cf=_column(w.cf), w_co=_column(w.co))
        return prep

    def step_backward(self, prep, w, s, dh, dc, gx, gh):
        H = self.H
        dC = dh * prep["K"][s]
        if dc is not None:
            dC += dc
        do = gx[3 * H:]
        np.multiply(dh, prep["Q"][s], out=do)        # δo
        if self.peepholes:
            dC += do * prep["w_co"]
        np.multiply(prep["P"][s], dC, out=gx[:3 * H].reshape(3, H, -1))   # δi, δf, δC̃
        dc_prev = dC * prep["f"][s]
        if self.peepholes:
            dc_prev += gx[:H] * prep["w_ci"] + gx[H:2 * H] * prep["w_cf"]
        return prep["u_t"] @ gx, dc_prev

    def hh_grads(self, cache, dGh, params, ws):
        super().hh_grads(cache, dGh, params, ws)
        if self.peepholes:
            H, Cs = self.H, cache["c"]
            params.ci.grad += np.einsum("thb,thb->h", dGh[:, :H], Cs[:-1])
            params.cf.grad += np.einsum("thb,thb->h", dGh[:, H:2 * H], Cs[:-1])
            params.co.grad += np.einsum("thb,thb->h", dGh[:, 3 * H:], Cs[1:])


class _GRUKernel(_Kernel):
    """GRU step; r^t, z^t, h̃^t are kept after their nonlinearity, rows (r, z, n).

    One step back, dh = dL/dh^t:
      reset_after=False (lecture, h^t = (1-z) ⊙ h^{t-1} + z ⊙ h̃):
        δn = dh ⊙ z ⊙ (1 - h̃²),  δz = dh ⊙ (h̃ - h^{t-1}) ⊙ z(1-z),
        d(r⊙h) = U_nᵀ δn,  δr = d(r⊙h) ⊙ h^{t-1} ⊙ r(1-r),
        dL/dh^{t-1} = dh ⊙ (1-z) + d(r⊙h) ⊙ r + U_rᵀ δr + U_zᵀ δz
      reset_after=True (torch, h^t = (1-z) ⊙ h̃ + z ⊙ h^{t-1}, m = U_n h^{t-1} + b_hn):
        δn = dh ⊙ (1-z) ⊙ (1 - h̃²),  δz = dh ⊙ (h^{t-1} - h̃) ⊙ z(1-z),
        δm = δn ⊙ r,  δr = δn ⊙ m ⊙ r(1-r),
        dL/dh^{t-1} = dh ⊙ z + U_rᵀ δr + U_zᵀ δz + U_nᵀ δm
    """

    n_gates = 3

    def __init__(self, hidden_size, reset_after=False):
        super().__init__(hidden_size)
        self.reset_after = self.split_hh = reset_after

    def input_bias(self, w):
        if w.b_ih is None or not self.reset_after:
            return super().input_bias(w)
        bias = w.b_ih.copy()
        bias[:2 * self.H] += w.b_hh[:2 * self.H]     # b_hn stays inside r ⊙ (U_n h + b_hn)
        return bias

    def scan(self, GX, h0, c0, w, ws):
        T, _, B = GX.shape
        H, dt = self.H, GX.dtype
        G = ws("gates", (T, 3 * H, B), dt)           # r, z, h̃
        Hs = ws("h", (T + 1, H, B), dt)
        M = ws("m", (T, H, B), dt)                    # r ⊙ h^{t-1} (lecture), U_n h^{t-1} + b_hn
        Hs[0] = h0
        if self.reset_after:
            uh = np.empty((3 * H, B), dt)
            b_hn = None if w.b_hh is None else _column(w.b_hh[2 * H:])
        u_rz, u_n = w.w_hh[:2 * H], w.w_hh[2 * H:]
        for s in range(T):
            h_prev, gx, m, h = Hs[s], GX[s], M[s], Hs[s + 1]
            rz, r, z, n = G[s, :2 * H], G[s, :H], G[s, H:2 * H], G[s, 2 * H:]
            if self.reset_after:
                np.matmul(w.w_hh, h_prev, out=uh)
                np.add(gx[:2 * H], uh[:2 * H], out=rz)
                _sigmoid(rz)                          # r^t, z^t
                if b_hn is None:
                    m[...] = uh[2 * H:]
                else:
                    np.add(uh[2 * H:], b_hn, out=m)
                np.multiply(r, m, out=n)
                n += gx[2 * H:]
                np.tanh(n, out=n)                     # h̃ = tanh(W_n x + b_in + r ⊙ (U_n h + b_hn))
                np.subtract(h_prev, n, out=h)
                h *= z
                h += n                                # h^t = (1 - z) ⊙ h̃ + z ⊙ h^{t-1}
            else:
                np.matmul(u_rz, h_prev, out=rz)
                rz += gx[:2 * H]
                _sigmoid(rz)                          # r^t, z^t
                np.multiply(r, h_prev, out=m)
                np.matmul(u_n, m, out=n)
                n += gx[2 * H:]
                np.tanh(n, out=n)                     # h̃ = tanh(W_n x + U_n (r ⊙ h) + b_n)
                np.subtract(n, h_prev, out=h)
                h *= z
                h += h_prev                           # h^t = (1 - z) ⊙ h^{t-1} + z ⊙ h̃
        return {"h": Hs, "gates": G, "m": M}

    def backward_prep(self, cache, w, ws):
        H, G, M = self.H, cache["gates"], cache["m"]
        r, z, n = G[:, :H], G[:, H:2 * H], G[:, 2 * H:]
        h_prev = cache["h"][:-1]
        shape, dt = M.shape, M.dtype
        Pn, Pz, Pr = ws("Pn", shape, dt), ws("Pz", shape, dt), ws("Pr", shape, dt)
        one_minus_z, diff = ws("1-z", shape, dt), ws("diff", shape, dt)
        # written in place with out= (no big temporaries, see _Workspace)
        np.multiply(n, n, out=Pn)
        np.subtract(1, Pn, out=Pn)                    # 1 - h̃²
        np.subtract(1, z, out=one_minus_z)
        np.multiply(z, one_minus_z, out=Pz)           # z(1 - z)
        np.subtract(1, r, out=Pr)
        Pr *= r                                       # r(1 - r)
        if self.reset_after:
            Pn *= one_minus_z                         # δn = dh ⊙ (1-z) ⊙ (1-h̃²)
            np.subtract(h_prev, n, out=diff)
            Pz *= diff                                # δz = dh ⊙ (h^{t-1} - h̃) ⊙ z(1-z)
            Pr *= M                                   # δr = δn ⊙ m ⊙ r(1-r)
            return {"r": r, "z": z, "u_t": _transposed(w.w_hh), "Pn": Pn, "Pz": Pz, "Pr": Pr}
        Pn *= z                                       # δn = dh ⊙ z ⊙ (1-h̃²)
        np.subtract(n, h_prev, out=diff)
        Pz *= diff                                    # δz = dh ⊙ (h̃ - h^{t-1}) ⊙ z(1-z)
        Pr *= h_prev                                  # δr = d(r⊙h) ⊙ h^{t-1} ⊙ r(1-r)
        return {"r": r, "1-z": one_minus_z, "u_rz_t": _transposed(w.w_hh[:2 * H]),
                "u_n_t": _transposed(w.w_hh[2 * H:]), "Pn": Pn, "Pz": Pz, "Pr": Pr}

    def step_backward(self, prep, w, s, dh, dc, gx, gh):
        H = self.H
        dn = gx[2 * H:]
        np.multiply(dh, prep["Pn"][s], out=dn)                 # δn
        if self.reset_after:
            np.multiply(dh, prep["Pz"][s], out=gh[H:2 * H])    # δz
            np.multiply(dn, prep["Pr"][s], out=gh[:H])         # δr
            np.multiply(dn, prep["r"][s], out=gh[2 * H:])      # δm
            dh_prev = prep["u_t"] @ gh
            dh_prev += dh * prep["z"][s]
            return dh_prev, None
        np.multiply(dh, prep["Pz"][s], out=gx[H:2 * H])        # δz
        d_rh = prep["u_n_t"] @ dn                              # dL/d(r ⊙ h^{t-1})
        np.multiply(d_rh, prep["Pr"][s], out=gx[:H])           # δr
        dh_prev = prep["u_rz_t"] @ gx[:2 * H]
        dh_prev += d_rh * prep["r"][s]
        dh_prev += dh * prep["1-z"][s]
        return dh_prev, None

    def finish(self, dGx, dGh):
        if self.reset_after:
            dGx[:, :2 * self.H] = dGh[:, :2 * self.H]

    def hh_grads(self, cache, dGh, params, ws):
        if self.reset_after:
            return super().hh_grads(cache, dGh, params, ws)
        H, T, dt = self.H, dGh.shape[0], dGh.dtype    # U_r, U_z see h^{t-1}; U_n sees r ⊙ h^{t-1}
        params.w_hh.grad[:2 * H] += np.matmul(dGh[:, :2 * H], cache["h"][:-1].transpose(0, 2, 1),
                                              out=ws("dW_hh_rz", (T, 2 * H, H), dt)).sum(axis=0)
        params.w_hh.grad[2 * H:] += np.matmul(dGh[:, 2 * H:], cache["m"].transpose(0, 2, 1),
                                              out=ws("dW_hh_n", (T, H, H), dt)).sum(axis=0)


# --------------------------------------------------------------------------------------------
# shared plumbing
# --------------------------------------------------------------------------------------------

_SHORT = {"weight_ih": "w_ih", "weight_hh": "w_hh", "bias_ih": "b_ih", "bias_hh": "b_hh",
          "weight_ci": "ci", "weight_cf": "cf", "weight_co": "co"}


def _compute_dtype(x, weight):
    """The input's float dtype (dtype follows the input); the weights' for integer input."""
    return x.dtype if np.issubdtype(x.dtype, np.floating) else weight.dtype


def _make_parameters(owner, kernel, input_size, bias, suffix, dtype, rng):
    """Create weight_ih, weight_hh, [bias_ih, bias_hh], [extras] + suffix as attributes of
    owner (in torch's order), initialised U(-1/√H, 1/√H) like torch; return their names."""
    H = kernel.H
    G = kernel.n_gates * H
    bound = 1.0 / np.sqrt(H)
    shapes = [("weight_ih", (G, input_size)), ("weight_hh", (G, H))]
    if bias:
        shapes += [("bias_ih", (G,)), ("bias_hh", (G,))]
    shapes += list(kernel.extra_parameters())
    for name, shape in shapes:
        setattr(owner, name + suffix,
                Parameter(rng.uniform(-bound, bound, shape).astype(dtype)))
    return [name + suffix for name, _ in shapes]


def _namespace(owner, names, suffix, dtype=None):
    """Parameters (dtype None) or their arrays cast to dtype, by the short names of the formulas."""
    ns = SimpleNamespace(b_ih=None, b_hh=None)
    for full in names:
        p = getattr(owner, full)
        value = p if dtype is None else p.data.astype(dtype, copy=False)
        setattr(ns, _SHORT[full[:len(full) - len(suffix)] if suffix else full], value)
    return ns


def _state(name, what, value, shape, dtype):
    """Zeros for None, else the array checked against shape and cast to dtype."""
    if value is None:
        return np.zeros(shape, dtype)
    value = np.asarray(value)
    if value.shape != tuple(shape):
        raise ValueError(f"{name} expects {what} of shape {tuple(shape)}, got {value.shape}")
    return value.astype(dtype, copy=False)


def _check_truncate(truncate):
    if truncate is not None and (int(truncate) != truncate or truncate < 1):
        raise ValueError(f"truncate must be None or a positive integer, got {truncate!r}")
    return None if truncate is None else int(truncate)


# --------------------------------------------------------------------------------------------
# sequence layers
# --------------------------------------------------------------------------------------------

class Recurrent(Module):
    """Base of RNN, LSTM and GRU: stacked layers, optional backward direction.

    Layer l > 0 reads the outputs of layer l-1 (both directions concatenated). The backward
    direction runs the same formulas from t = T down to 1 with its own parameters (suffix
    _reverse); its output at step t is concatenated after the forward direction's.
    """

    _name = "Recurrent"

    def __init__(self, kernel, input_size, hidden_size, num_layers, bias, bidirectional,
                 dtype, rng):
        if num_layers < 1:
            raise ValueError(f"num_layers must be >= 1, got {num_layers}")
        rng = default_rng() if rng is None else rng
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.bidirectional = bias, bidirectional
        self.num_directions = 2 if bidirectional else 1
        self._kernel = kernel
        self._slots = []                              # (suffix, parameter names), row l·D + d
        for layer in range(num_layers):
            n_in = input_size if layer == 0 else hidden_size * self.num_directions
            for d in range(self.num_directions):
                suffix = f"_l{layer}" + ("_reverse" if d else "")
                names = _make_parameters(self, kernel, n_in, bias, suffix, dtype, rng)
                self._slots.append((suffix, names))
        self._caches = None
        self._workspaces = [_Workspace() for _ in self._slots]   # one per layer and direction
        self._io = _Workspace()                  # layer inputs and outputs, incoming gradient

    # -- shapes --
    def _state_shape(self, batch):
        return (self.num_layers * self.num_directions, batch, self.hidden_size)

    def _check_input(self, x):
        x = check_shape(self._name, x, ("batch", "time", self.input_size))
        if x.shape[1] == 0:
            raise ValueError(f"{self._name} needs at least one time step, got {x.shape}")
        return x

    # -- forward --
    def _forward(self, x, h0, c0):
        x = self._check_input(x)
        B, T, _ = x.shape
        dt = _compute_dtype(x, self.weight_ih_l0.data)
        shape = self._state_shape(B)
        h0 = _state(self._name, "h0", h0, shape, dt)
        c0 = _state(self._name, "c0", c0, shape, dt) if self._kernel.has_cell else None
        H, D = self.hidden_size, self.num_directions
        X = self._io("x", (T, self.input_size, B), dt)
        X[...] = x.transpose(1, 2, 0)                 # the kernels' layout (T, in, B)
        h_n, c_n = np.empty(shape, dt), np.empty(shape, dt)
        self._caches = []
        for layer in range(self.num_layers):
            out = self._io(f"out{layer}", (T, D * H, B), dt)
            for d in range(D):
                k = layer * D + d
                suffix, names = self._slots[k]
                w = _namespace(self, names, suffix, dt)
                cache = self._kernel.forward(X, h0[k].T, None if c0 is None else c0[k].T, w,
                                             self._workspaces[k], reverse=bool(d))
                Hs = cache["h"]                      # (T+1, H, B) in processing order
                out[:, d * H:(d + 1) * H] = Hs[:0:-1] if d else Hs[1:]
                h_n[k] = Hs[-1].T
                if c0 is not None:
                    c_n[k] = cache["c"][-1].T
                self._caches.append((cache, w))
            X = out
        self._batch, self._T, self._dtype = B, T, dt
        output = X.transpose(2, 0, 1).copy()         # (batch, T, D·H), a new array
        return output, h_n, (c_n if c0 is not None else None)

    # -- backward --
    def _backward(self, grad_output, grad_h_n, grad_c_n, truncate):
        if self._caches is None:
            raise RuntimeError(f"{self._name}.backward called before forward")
        B, T, dt = self._batch, self._T, self._dtype
        H, D = self.hidden_size, self.num_directions
        grad_output = np.asarray(grad_output)
        if grad_output.shape != (B, T, D * H):
            raise ValueError(f"{self._name}.backward expects grad_output of shape "
                             f"{(B, T, D * H)}, got {grad_output.shape}")
        shape = self._state_shape(B)
        dh_n = None if grad_h_n is None else _state(f"{self._name}.backward", "grad_h_n",
                                                   grad_h_n, shape, dt)
        dc_n = None if grad_c_n is None else _state(f"{self._name}.backward", "grad_c_n",
                                                   grad_c_n, shape, dt)
        truncate = _check_truncate(truncate)
        dY = self._io("dy", (T, D * H, B), dt)
        dY[...] = grad_output.transpose(1, 2, 0)      # the kernels' layout (T, D·H, B)
        self.grad_h0 = np.zeros(shape, dt)
        self.grad_c0 = np.zeros(shape, dt) if self._kernel.has_cell else None
        for layer in reversed(range(self.num_layers)):
            dX = None
            for d in range(D):
                k = layer * D + d
                cache, w = self._caches[k]
                suffix, names = self._slots[k]
                params = _namespace(self, names, suffix)
                dXd, dh0, dc0 = self._kernel.backward(
                    cache, w, params, dY[:, d * H:(d + 1) * H], self._workspaces[k],
                    None if dh_n is None else dh_n[k].T, None if dc_n is None else dc_n[k].T,
                    truncate)
                dX = dXd if dX is None else np.add(dX, dXd, out=dX)
                self.grad_h0[k] = dh0.T
                if dc0 is not None:
                    self.grad_c0[k] = dc0.T
            dY = dX
        return dY.transpose(2, 0, 1).copy()          # (batch, T, input_size), a new array

    def extra_repr(self):
        return (f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}, "
                f"bias={self.bias}, bidirectional={self.bidirectional}")


_BACKWARD_DOC = """
        Backpropagation through time. Returns dL/dx (batch, T, input_size), leaves dL/dh0
        (num_layers·D, batch, hidden_size) in self.grad_h0{c0} and ADDS dL/dθ into p.grad.

        grad_output: (batch, T, D·hidden_size), dL/d(output).
        grad_h_n{cn}: (num_layers·D, batch, hidden_size) or None (zeros).
        truncate: None (full BPTT, O(T)) or k >= 1 (truncated BPTT, O(T·k)). The gradient
          injected at step t (grad_output[:, t]; grad_h_n{cn2} at the last step) is carried
          back through k steps of the recurrence, t, t-1, ..., t-k+1, and stops: it reaches
          x^t, ..., x^(t-k+1) and the parameters through those k steps, and h0 only if the
          window starts at the first step (t < k, counting from 0). Contributions from further
          back are exactly zero; truncate >= T is full BPTT. Each layer and direction cuts
          its own recurrence (the backward direction's "back" is forward in time), so in a
          stack of L layers x^t' gets gradient from step t for t - t' < L·(k-1) + 1.
"""


class _HiddenStateOnly(Recurrent):
    """RNN and GRU: one state h (LSTM also carries C)."""

    def forward(self, x, h0=None):
        output, h_n, _ = self._forward(x, h0, None)
        return output, h_n

    def backward(self, grad_output, grad_h_n=None, truncate=None):
        return self._backward(grad_output, grad_h_n, None, truncate)

    backward.__doc__ = _BACKWARD_DOC.format(c0="", cn="", cn2="")


class RNN(_HiddenStateOnly):
    """Elman RNN, h^t = σ_h(W x^t + U h^{t-1} + b_h), σ_h = tanh, relu or sigmoid.

    RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
        bidirectional=False, dtype=np.float32, rng=None)
    forward(x, h0=None): x (batch, T, input_size), h0 (num_layers·D, batch, hidden_size) or
    None (zeros) -> (output (batch, T, D·hidden_size), h_n (num_layers·D, batch, hidden_size)),
    as torch.nn.RNN(batch_first=True). Parameters: weight_ih_l{k} (hidden, in), weight_hh_l{k}
    (hidden, hidden), bias_ih_l{k}, bias_hh_l{k} (hidden,), and ..._reverse.
    """

    _name = "RNN"

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 bidirectional=False, dtype=np.float32, rng=None):
        self.nonlinearity = nonlinearity
        super().__init__(_RNNKernel(hidden_size, nonlinearity), input_size, hidden_size,
                         num_layers, bias, bidirectional, dtype, rng)

    def extra_repr(self):
        return super().extra_repr() + f", nonlinearity={self.nonlinearity!r}"


class LSTM(Recurrent):
    """Long short-term memory (gate order i, f, C̃ = torch's g, o), torch.nn.LSTM's twin.

    LSTM(input_size, hidden_size, num_layers=1, bias=True, bidirectional=False,
         peepholes=False, dtype=np.float32, rng=None)
    forward(x, hc=None): x (batch, T, input_size), hc = (h0, c0), each (num_layers·D, batch,
    hidden_size) or None (zeros) -> (output (batch, T, D·hidden_size), (h_n, c_n)).
    Parameters: weight_ih_l{k} (4·hidden, in), weight_hh_l{k} (4·hidden, hidden), bias_ih_l{k},
    bias_hh_l{k} (4·hidden,), and ..._reverse. With peepholes=True also weight_ci_l{k},
    weight_cf_l{k}, weight_co_l{k} (hidden,): the lecture's peephole LSTM, i and f see C^{t-1},
    o sees C^t, one weight per unit. torch has no peephole LSTM: to start from torch weights,
    add these three vectors to its state_dict before load_state_dict.
    """

    _name = "LSTM"

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, bidirectional=False,
                 peepholes=False, dtype=np.float32, rng=None):
        self.peepholes = peepholes
        super().__init__(_LSTMKernel(hidden_size, peepholes), input_size, hidden_size,
                         num_layers, bias, bidirectional, dtype, rng)

    def forward(self, x, hc=None):
        if hc is None:
            hc = (None, None)
        if not isinstance(hc, (tuple, list)) or len(hc) != 2:
            raise ValueError("LSTM expects hc = (h0, c0) or None")
        output, h_n, c_n = self._forward(x, hc[0], hc[1])
        return output, (h_n, c_n)

    def backward(self, grad_output, grad_h_n=None, grad_c_n=None, truncate=None):
        return self._backward(grad_output, grad_h_n, grad_c_n, truncate)

    backward.__doc__ = _BACKWARD_DOC.format(c0=" (dL/dc0 in self.grad_c0)",
                                            cn=", grad_c_n", cn2=", grad_c_n")

    def extra_repr(self):
        return super().extra_repr() + (", peepholes=True" if self.peepholes else "")


class GRU(_HiddenStateOnly):
    """Gated recurrent unit (gate order r, z, n), with the lecture's or torch's candidate.

    GRU(input_size, hidden_size, num_layers=1, bias=True, bidirectional=False,
        reset_after=False, dtype=np.float32, rng=None)
    forward(x, h0=None) -> (output (batch, T, D·hidden_size), h_n (num_layers·D, batch, hidden)).

    reset_after=False (default, the lecture):
        h̃^t = tanh(W_n x^t + U_n (r^t ⊙ h^{t-1}) + b_in + b_hn)
        h^t = (1 - z^t) ⊙ h^{t-1} + z^t ⊙ h̃^t
    reset_after=True (torch.nn.GRU, identical outputs and gradients):
        h̃^t = tanh(W_n x^t + b_in + r^t ⊙ (U_n h^{t-1} + b_hn))
        h^t = (1 - z^t) ⊙ h̃^t + z^t ⊙ h^{t-1}
    Two differences: (1) where the reset gate acts: on h^{t-1} before U_n (lecture) or on
    U_n h^{t-1} + b_hn after it (torch; cheaper, one product with U for all gates);
    (2) the meaning of z: in the lecture z^t is the share of the NEW candidate, in torch the
    share of the OLD state (torch's z is the lecture's 1 - z). Parameters have the same names
    and shapes in both modes (weight_ih_l{k} (3·hidden, in), weight_hh_l{k} (3·hidden, hidden),
    bias_ih_l{k}, bias_hh_l{k} (3·hidden,)), so torch weights load into either, but only
    reset_after=True computes what torch computes.
    """

    _name = "GRU"

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, bidirectional=False,
                 reset_after=False, dtype=np.float32, rng=None):
        self.reset_after = reset_after
        super().__init__(_GRUKernel(hidden_size, reset_after), input_size, hidden_size,
                         num_layers, bias, bidirectional, dtype, rng)

    def extra_repr(self):
        return super().extra_repr() + (", reset_after=True" if self.reset_after else "")


# --------------------------------------------------------------------------------------------
# cells: one time step
# --------------------------------------------------------------------------------------------

class Cell(Module):
    """Base of RNNCell, LSTMCell, GRUCell: the same kernel as the sequence layer, for one step.

    Parameters weight_ih (G·hidden, input_size), weight_hh (G·hidden, hidden), bias_ih,
    bias_hh (G·hidden,), as torch's cells. backward(grad_h[, grad_c]) returns dL/dx (batch,
    input_size), leaves dL/dh_{prev} in self.grad_h0 (and dL/dc_{prev} in self.grad_c0) and
    adds the parameter gradients.
    """

    _name = "Cell"

    def __init__(self, kernel, input_size, hidden_size, bias, dtype, rng):
        rng = default_rng() if rng is None else rng
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self._kernel = kernel
        self._names = _make_parameters(self, kernel, input_size, bias, "", dtype, rng)
        self._cache = None
        self._ws = _Workspace()

    def _forward(self, x, h, c):
        x = check_shape(self._name, x, ("batch", self.input_size))
        dt = _compute_dtype(x, self.weight_ih.data)
        shape = (x.shape[0], self.hidden_size)
        h = _state(self._name, "h", h, shape, dt)
        c = _state(self._name, "c", c, shape, dt) if self._kernel.has_cell else None
        w = _namespace(self, self._names, "", dt)
        X = self._ws("x", (1, self.input_size, x.shape[0]), dt)
        X[0] = x.T                                    # the kernels' layout (1, in, B)
        self._cache = (self._kernel.forward(X, h.T, None if c is None else c.T, w, self._ws), w)
        return self._cache[0]

    def _backward(self, grad_h, grad_c):
        if self._cache is None:
            raise RuntimeError(f"{self._name}.backward called before forward")
        cache, w = self._cache
        shape = cache["h"].shape[:0:-1]             # (batch, hidden)
        dt = cache["h"].dtype
        grad_h = _state(f"{self._name}.backward", "grad_h", grad_h, shape, dt)
        if grad_c is not None:
            grad_c = _state(f"{self._name}.backward", "grad_c", grad_c, shape, dt).T
        dX, dh0, dc0 = self._kernel.backward(
            cache, w, _namespace(self, self._names, ""), grad_h.T[None], self._ws, None, grad_c)
        self.grad_h0 = dh0.T.copy()
        self.grad_c0 = None if dc0 is None else dc0.T.copy()
        return dX[0].T.copy()

    def extra_repr(self):
        return f"{self.input_size}, {self.hidden_size}, bias={self.bias}"


class RNNCell(Cell):
    """h' = σ_h(W x + U h + b_h).  forward(x (batch, in), h (batch, hidden) or None) -> h'
    (batch, hidden); backward(grad_h') -> dL/dx, dL/dh in self.grad_h0. torch.nn.RNNCell's twin."""

    _name = "RNNCell"

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh",
                 dtype=np.float32, rng=None):
        self.nonlinearity = nonlinearity
        super().__init__(_RNNKernel(hidden_size, nonlinearity), input_size, hidden_size, bias,
                         dtype, rng)

    def forward(self, x, h=None):
        return self._forward(x, h, None)["h"][1].T.copy()

    def backward(self, grad_h):
        return self._backward(grad_h, None)

    def extra_repr(self):
        return super().extra_repr() + f", nonlinearity={self.nonlinearity!r}"


class LSTMCell(Cell):
    """One LSTM step. forward(x (batch, in), hc=(h, c) or None) -> (h', c'), each (batch, hidden);
    backward(grad_h', grad_c'=None) -> dL/dx, with dL/dh, dL/dc in self.grad_h0, self.grad_c0.
    torch.nn.LSTMCell's twin; peepholes=True adds weight_ci, weight_cf, weight_co (hidden,)."""

    _name = "LSTMCell"

    def __init__(self, input_size, hidden_size, bias=True, peepholes=False, dtype=np.float32,
                 rng=None):
        self.peepholes = peepholes
        super().__init__(_LSTMKernel(hidden_size, peepholes), input_size, hidden_size, bias,
                         dtype, rng)

    def forward(self, x, hc=None):
        h, c = (None, None) if hc is None else hc
        cache = self._forward(x, h, c)
        return cache["h"][1].T.copy(), cache["c"][1].T.copy()

    def backward(self, grad_h, grad_c=None):
        return self._backward(grad_h, grad_c)

    def extra_repr(self):
        return super().extra_repr() + (", peepholes=True" if self.peepholes else "")


class GRUCell(Cell):
    """One GRU step (reset_after as in GRU). forward(x (batch, in), h (batch, hidden) or None)
    -> h' (batch, hidden); backward(grad_h') -> dL/dx, dL/dh in self.grad_h0.
    torch.nn.GRUCell's twin with reset_after=True."""

    _name = "GRUCell"

    def __init__(self, input_size, hidden_size, bias=True, reset_after=False, dtype=np.float32,
                 rng=None):
        self.reset_after = reset_after
        super().__init__(_GRUKernel(hidden_size, reset_after), input_size, hidden_size, bias,
                         dtype, rng)

    def forward(self, x, h=None):
        return self._forward(x, h, None)["h"][1].T.copy()

    def backward(self, grad_h):
        return self._backward(grad_h, None)

    def extra_repr(self):
        return super().extra_repr() + (", reset_after=True" if self.reset_after else "")


# --------------------------------------------------------------------------------------------
# training on long sequences
# --------------------------------------------------------------------------------------------

def fit_chunks(layer, x, chunk, loss_grad, state=None, step=None):
    """Truncated BPTT on a long sequence: forward and backward one chunk of time steps at a time.

    x (batch, T, input_size) is cut into x[:, s:s+chunk]. Each chunk starts from the state where
    the previous one ended (the values are carried forward), but the gradient is cut between
    chunks: the chunk's dL/dh0 (layer.grad_h0) is not passed back, the previous chunk's
    backward has already run. So every gradient flows back at most to the start of its chunk.

    loss_grad(output, steps) -> (loss, grad_output): the loss of this chunk's output
        (batch, len, hidden_size), steps its slice of time (to pick targets), and dL/d(output).
    step: called after each chunk's backward, e.g. `lambda: (opt.step(), opt.zero_grad())`;
        None lets the gradients of all chunks add up.
    state: the initial state (h0, or (h0, c0) for an LSTM) or None.
    Returns (losses, state): the loss of each chunk and the final state.

        opt = SGD(lstm.parameters(), lr=0.1)
        losses, _ = fit_chunks(lstm, x, 20, my_loss, step=lambda: (opt.step(), opt.zero_grad()))
    """
    if getattr(layer, "bidirectional", False):
        raise ValueError("fit_chunks needs a unidirectional layer: the backward direction "
                         "would need the future of the sequence")
    x = np.asarray(x)
    if chunk < 1:
        raise ValueError(f"chunk must be >= 1, got {chunk}")
    losses = []
    for start in range(0, x.shape[1], chunk):
        steps = slice(start, min(start + chunk, x.shape[1]))
        output, state = layer.forward(x[:, steps], state)
        loss, grad_output = loss_grad(output, steps)
        layer.backward(grad_output)
        if step is not None:
            step()
        losses.append(loss)
    return losses, state


__all__ = ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell", "Recurrent", "Cell",
           "fit_chunks"]
