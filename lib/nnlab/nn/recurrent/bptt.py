"""Backpropagation through time: the time loop that RNN, LSTM and GRU share.

rnn.py, lstm.py and gru.py each write the formulas of ONE time step of their cell, forward
and backward, as a `Step`. This module runs a Step over a sequence, for every layer of a
stack and both directions, and turns the per-step gradients into parameter gradients.

Layout: the course's column vectors
------------------------------------
The course writes one sample as column vectors, a^t = W x^t + U h^{t-1} + b. Inside the loop
a batch of B samples is B columns side by side:

    x^t (input_size, B)    h^t, C^t (H, B)    a^t = W x^t + U h^{t-1} + b  (G·H, B)

with H = hidden_size and G gates (1 RNN, 4 LSTM, 3 GRU); the rows of gate k are the block
k·H:(k+1)·H of a^t (and of W, U, b), in torch's order. A whole sequence is a
(T, features, B) array whose [t] is step t. The layers take and return torch's batch-first
arrays (batch, T, features): Recurrent transposes once on the way in and once on the way out.

Forward
-------
    run_forward(step, X, h0, c0, w, ws) -> cache
W x^t + b for all t is one product before the loop; step t then adds U h^{t-1}, applies the
cell's formulas and writes h^t (and C^t) into the cache, a dict of (T or T+1, rows, B) arrays
whose [0] of "h" ("c") is the initial state.

Backward (BPTT)
---------------
The course's formula for a loss at step t,
    ∂L_t/∂W = ∂L_t/∂h^t Σ_{k≤t} (∏_{i=k+1..t} ∂h^i/∂h^{i-1}) ∂h^k/∂W,
summed over t, is computed in ONE sweep from the last step to the first: at step t the
gradient dL/dh^t = (what the output y^t receives) + (what step t+1 sends back), and
step.backward turns it into δ^t = dL/da^t, the gradient of the step's pre-activations, and
into dL/dh^{t-1} (dL/dC^{t-1}) for the step before. After the loop every parameter gradient is
a sum over steps of δ^t times what the parameter multiplied in step t:

    dL/dW = Σ_t δ^t x^tᵀ     dL/dU = Σ_t δ^t h^{t-1}ᵀ     dL/db = Σ_t Σ_batch δ^t
    dL/dx^t = Wᵀ δ^t

Truncated BPTT (truncate=k) keeps only the terms with t - k < k' ≤ t: each loss looks at most
k steps back (see backward_in_time).

Speed
-----
A step of a small layer is a handful of operations on arrays of a few thousand numbers, so
the time goes to NumPy's cost per call and to memory traffic. What keeps it low:
1. one product W X for all steps before the loop, and one batched product (then a sum over
   time) per parameter gradient after it: inside the loop only U h^{t-1} and Uᵀ δ^t;
2. in the column layout each gate of a step is a contiguous (H, B) block: the elementwise
   formulas run over contiguous memory and write in place (out=);
3. Step.local_derivatives computes every factor of step.backward that does not depend on
   the incoming gradient (σ'(a), tanh' ...) for all steps at once, before the backward loop,
   so one step back is a few multiplications and one product;
4. sigmoid_ computes σ in place with NumPy's fast tanh;
5. the arrays of the cache and of the backward pass are kept between calls (Workspace).
"""
from types import SimpleNamespace

import numpy as np

from ...module import Module, Parameter, check_shape, uniform_fan_in

# --------------------------------------------------------------------------------------------
# speed tricks
# --------------------------------------------------------------------------------------------


def sigmoid_(a):
    """σ(a) = (1 + tanh(a/2)) / 2, in place on a (returned).

    The same function as nnlab.nn.activations.sigmoid (the tests check that they agree),
    computed in four in-place passes with NumPy's vectorized tanh instead of exp and
    np.where: the gates of every time step go through it, and it is about ten times faster.
    """
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5
    return a


def transposed(a):
    """aᵀ as a contiguous array (OpenBLAS is faster with it for the small products of a step)."""
    return np.ascontiguousarray(a.T)


def sum_over_time(a):
    """Σ over time and batch of a (T, rows, B) -> (rows,), the gradient of a bias.

    Summing over time first (contiguous blocks) is much faster than over the batch first.
    """
    return a.sum(axis=0).sum(axis=1)


def sum_outer(delta, inputs, out):
    """Σ_t delta[t] inputs[t]ᵀ: (T, rows, B) and (T, n, B) -> (rows, n), the gradient of a
    weight matrix; one batched product into out (T, rows, n), then a sum over time."""
    return np.matmul(delta, inputs.transpose(0, 2, 1), out=out).sum(axis=0)


class Workspace:
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


def gate_blocks(a, n_gates):
    """The n_gates row blocks of a (..., n_gates·H, B) array, as views (..., H, B)."""
    H = a.shape[-2] // n_gates
    return [a[..., k * H:(k + 1) * H, :] for k in range(n_gates)]


# --------------------------------------------------------------------------------------------
# a step: what every cell defines
# --------------------------------------------------------------------------------------------

class Step:
    """The formulas of one time step of a cell, for one layer and one direction.

    Shapes (H = hidden_size, G = n_gates, B = batch, T = steps; see the module docstring):
    w: the layer's arrays under the names of the formulas (w.W (G·H, in), w.U (G·H, H),
       w.b_ih, w.b_hh (G·H,) or None, and the cell's own, e.g. w.w_ci (H,));
    cache: dict of arrays, as declared by cache_shapes; cache["h"] (T+1, H, B), [0] = h0.

    A subclass gives:
    n_gates, has_cell   G, and whether there is a second state C (the LSTM)
    cache_shapes(T, B)  {name: shape} of the arrays forward keeps
    forward(t, gx, w, cache)
        step t: gx = W x^t + b (G·H, B); reads h^{t-1} = cache["h"][t] and writes
        h^t = cache["h"][t+1] (and C^t) and whatever backward needs.
    local_derivatives(cache, w) -> d
        the factors of backward that do not depend on the incoming gradient, for all steps
        at once (speed trick 3), e.g. d["dh_dao"] (T, H, B).
    backward(t, dh, dc, d, delta, delta_h) -> (dh_prev, dc_prev)
        step t back: dh = dL/dh^t and dc = dL/dC^t (H, B) (dc None: zero, or no C);
        writes δ^t = dL/da^t into delta (G·H, B) and returns dL/dh^{t-1}, dL/dC^{t-1}
        (None without C); delta_h is delta except for torch's GRU (separate_hh).
    and may change input_bias, recurrent_gradients and complete (torch's GRU does).
    """

    n_gates = 1
    has_cell = False
    separate_hh = False  # True: dL/d(U h + b_hh) differs from dL/d(W x + b_ih) (torch's GRU)

    def __init__(self, hidden_size):
        self.H = hidden_size

    def extra_parameters(self):
        """(name, shape) of the cell's parameters besides weight_ih, weight_hh and the biases."""
        return ()

    def input_bias(self, w):
        """The bias added to W x^t before the loop: b = b_ih + b_hh (None without bias)."""
        return None if w.b_ih is None else w.b_ih + w.b_hh

    def cache_shapes(self, T, B):
        raise NotImplementedError

    def forward(self, t, gx, w, cache):
        raise NotImplementedError

    def local_derivatives(self, cache, w):
        raise NotImplementedError

    def backward(self, t, dh, dc, d, delta, delta_h):
        raise NotImplementedError

    def recurrent_gradients(self, cache, delta_h, grads, ws):
        """Add dL/dU = Σ_t δ^t h^{t-1}ᵀ (and the cell's own parameters) into grads."""
        grads.U += sum_outer(delta_h, cache["h"][:-1], ws("dU", (len(delta_h),) + grads.U.shape,
                                                          delta_h.dtype))

    def complete(self, delta_x, delta_h):
        """After the loop: fill in what backward left out of delta_x (torch's GRU)."""


# --------------------------------------------------------------------------------------------
# the time loop
# --------------------------------------------------------------------------------------------

def run_forward(step, X, h0, c0, w, ws, reverse=False):
    """Run step over the sequence X (T, input_size, B) from h0 (and c0) (H, B).

    reverse=True runs from the last step to the first (the backward direction); the cache
    is then in that processing order. Returns the cache (see Step); it also keeps "x", the
    input in processing order (for dL/dW), and "reversed".
    """
    T, _, B = X.shape
    dt = X.dtype
    GX = np.matmul(w.W, X, out=ws("Wx", (T, step.n_gates * step.H, B), dt))  # W x^t, every t
    bias = step.input_bias(w)
    if bias is not None:
        GX += bias[:, None]
    cache = {name: ws(name, shape, dt) for name, shape in step.cache_shapes(T, B).items()}
    cache["h"][0] = h0
    if step.has_cell:
        cache["c"][0] = c0
    if reverse:
        GX, X = GX[::-1], X[::-1]                     # views: processing order
    for t in range(T):
        step.forward(t, GX[t], w, cache)
    cache.update(x=X, reversed=reverse)
    return cache


def backward_in_time(step, cache, w, dY, dh_n, dc_n, truncate, ws):
    """δ^t = dL/da^t of every step, in processing order, and dL/dh0, dL/dc0.

    dY (T, H, B): dL/dh^t from the outputs; dh_n, dc_n (H, B) or None: from h^T, C^T.
    Returns delta_x (T, G·H, B), the gradient w.r.t. W x^t + b_ih; delta_h, w.r.t.
    U h^{t-1} + b_hh (the same array unless step.separate_hh); dL/dh0 and dL/dC0 (H, B).

    Full BPTT (truncate=None): one sweep from the last step back to the first, O(T).
    truncate=k: the gradient injected at step t (dY[t]; dh_n, dc_n at the last step) is
    carried back through steps t, t-1, ..., t-k+1 only, one window per t, O(T·k). What the
    window passes to the state before step t-k+1 is dropped, unless that state is the
    initial one (then it goes to dh0, dc0). Everything after the gates is linear in the
    incoming gradient, so adding the windows' δ is exact.
    """
    T, H, B = dY.shape
    dt = cache["h"].dtype
    d = step.local_derivatives(cache, w)
    rows = step.n_gates * H
    delta_x = ws("delta_x", (T, rows, B), dt)
    delta_h = ws("delta_h", (T, rows, B), dt) if step.separate_hh else delta_x
    if truncate is None:
        dh, dc = np.array(dY[T - 1], dtype=dt), dc_n
        if dh_n is not None:
            dh += dh_n
        for t in range(T - 1, -1, -1):
            if t < T - 1:
                dh += dY[t]  # dL/dh^t = ∂L/∂h^t (the output) + what step t+1 sent back
            dh, dc = step.backward(t, dh, dc, d, delta_x[t], delta_h[t])
        dh0, dc0 = dh, dc
    else:
        delta_x[...] = 0
        delta_h[...] = 0
        gx = np.zeros((rows, B), dt)                  # δ of one step of one window
        gh = np.zeros((rows, B), dt) if step.separate_hh else gx
        dh0 = np.zeros((H, B), dt)
        dc0 = np.zeros((H, B), dt) if step.has_cell else None
        for t in range(T):
            dh, dc = np.array(dY[t], dtype=dt), None
            if t == T - 1:
                if dh_n is not None:
                    dh += dh_n
                dc = dc_n
            first = max(0, t - truncate + 1)
            for s in range(t, first - 1, -1):          # the window of the loss at step t
                dh, dc = step.backward(s, dh, dc, d, gx, gh)
                delta_x[s] += gx
                if step.separate_hh:
                    delta_h[s] += gh
            if first == 0:
                dh0 += dh
                if dc is not None:
                    dc0 += dc
    step.complete(delta_x, delta_h)
    return delta_x, delta_h, dh0, dc0


def run_backward(step, cache, w, grads, dY, ws, dh_n=None, dc_n=None, truncate=None):
    """BPTT for one layer and direction, the inverse of run_forward.

    dY (T, H, B): dL/dh^t from the outputs, in the time order of run_forward's X;
    dh_n, dc_n (H, B) or None; grads: the .grad arrays under the names of the formulas.
    ADDS the parameter gradients into grads and returns dL/dX (T, input_size, B), in X's
    time order, and dL/dh0, dL/dC0 (H, B) (dL/dC0 None without a cell state).
    """
    if cache["reversed"]:
        dY = dY[::-1]
    delta_x, delta_h, dh0, dc0 = backward_in_time(step, cache, w, dY, dh_n, dc_n, truncate, ws)
    X = cache["x"]
    T, rows, B = delta_x.shape
    dt = delta_x.dtype
    grads.W += sum_outer(delta_x, X, ws("dW", (T, rows, X.shape[1]), dt))   # Σ_t δ^t x^tᵀ
    step.recurrent_gradients(cache, delta_h, grads, ws)                     # Σ_t δ^t h^{t-1}ᵀ
    if grads.b_ih is not None:                                              # Σ_t Σ_batch δ^t
        grads.b_ih += sum_over_time(delta_x)
        grads.b_hh += sum_over_time(delta_h)
    dX = np.matmul(w.W.T, delta_x, out=ws("dX", X.shape, dt))               # Wᵀ δ^t
    return dX[::-1] if cache["reversed"] else dX, dh0, dc0


# --------------------------------------------------------------------------------------------
# parameters, states and checks
# --------------------------------------------------------------------------------------------

# torch's parameter names -> the names of the formulas
FORMULA_NAMES = {"weight_ih": "W", "weight_hh": "U", "bias_ih": "b_ih", "bias_hh": "b_hh",
                 "weight_ci": "w_ci", "weight_cf": "w_cf", "weight_co": "w_co"}


def make_parameters(owner, step, input_size, bias, suffix, dtype, rng):
    """Create weight_ih (G·H, input_size), weight_hh (G·H, H), [bias_ih, bias_hh (G·H,)] and
    the cell's extra parameters, each name + suffix, as attributes of owner in torch's
    order, initialised U(-1/√H, 1/√H) like torch. Returns their names."""
    rows = step.n_gates * step.H
    shapes = [("weight_ih", (rows, input_size)), ("weight_hh", (rows, step.H))]
    if bias:
        shapes += [("bias_ih", (rows,)), ("bias_hh", (rows,))]
    shapes += list(step.extra_parameters())
    for name, shape in shapes:
        setattr(owner, name + suffix, Parameter(uniform_fan_in(rng, shape, step.H, dtype)))
    return [name + suffix for name, _ in shapes]


def formula_view(owner, names, suffix, value):
    """The parameters `names` of owner under the names of the formulas (W, U, b_ih, ...),
    each as value(parameter): e.g. its data cast to the compute dtype, or its .grad."""
    view = SimpleNamespace(b_ih=None, b_hh=None)
    for full in names:
        setattr(view, FORMULA_NAMES[full[:len(full) - len(suffix)]], value(getattr(owner, full)))
    return view


def compute_dtype(x, weight):
    """The input's float dtype (dtype follows the input); the weights' for integer input."""
    return x.dtype if np.issubdtype(x.dtype, np.floating) else weight.dtype


def checked_state(name, what, value, shape, dtype):
    """Zeros for None, else the array checked against shape and cast to dtype."""
    if value is None:
        return np.zeros(shape, dtype)
    value = np.asarray(value)
    if value.shape != tuple(shape):
        raise ValueError(f"{name} expects {what} of shape {tuple(shape)}, got {value.shape}")
    return value.astype(dtype, copy=False)


def checked_truncate(truncate):
    if truncate is not None and (int(truncate) != truncate or truncate < 1):
        raise ValueError(f"truncate must be None or a positive integer, got {truncate!r}")
    return None if truncate is None else int(truncate)


# --------------------------------------------------------------------------------------------
# one step: the cells
# --------------------------------------------------------------------------------------------

class Cell(Module):
    """Base of RNNCell, LSTMCell and GRUCell: one time step, the Step run for T = 1.

    Parameters as torch's cells: weight_ih (G·hidden, input_size), weight_hh (G·hidden,
    hidden), bias_ih, bias_hh (G·hidden,).
    forward(x, h=None): x (batch, input_size), h (batch, hidden) or None (zeros)
        -> h' (batch, hidden). (LSTMCell: forward(x, hc=None) -> (h', c').)
    backward(grad_h): grad_h = dL/dh' (batch, hidden) -> dL/dx (batch, input_size); leaves
        dL/dh in self.grad_h0 (batch, hidden) and ADDS the parameter gradients.
    """

    _name = "Cell"

    def __init__(self, step, input_size, hidden_size, bias, dtype, rng):
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self._step = step
        self._names = make_parameters(self, step, input_size, bias, "", dtype, rng)
        self._cache = None                    # (cache, w) of the latest forward
        self._ws = Workspace()

    def forward(self, x, h=None):
        return self._forward(x, h, None)["h"][1].T.copy()

    def backward(self, grad_h):
        return self._backward(grad_h, None)

    def _forward(self, x, h, c):
        x = check_shape(self._name, x, ("batch", self.input_size))
        dt = compute_dtype(x, self.weight_ih.data)
        shape = (x.shape[0], self.hidden_size)
        h = checked_state(self._name, "h", h, shape, dt)
        c = checked_state(self._name, "c", c, shape, dt) if self._step.has_cell else None
        w = formula_view(self, self._names, "", lambda p: p.data.astype(dt, copy=False))
        X = self._ws("x", (1, self.input_size, x.shape[0]), dt)
        X[0] = x.T                                    # one step, in columns: (1, in, B)
        cache = run_forward(self._step, X, h.T, None if c is None else c.T, w, self._ws)
        self._cache = (cache, w)
        return cache

    def _backward(self, grad_h, grad_c):
        if self._cache is None:
            raise RuntimeError(f"{self._name}.backward called before forward")
        cache, w = self._cache
        B, dt = cache["h"].shape[2], cache["h"].dtype
        shape = (B, self.hidden_size)
        grad_h = checked_state(f"{self._name}.backward", "grad_h", grad_h, shape, dt)
        if grad_c is not None:
            grad_c = checked_state(f"{self._name}.backward", "grad_c", grad_c, shape, dt).T
        grads = formula_view(self, self._names, "", lambda p: p.grad)
        dX, dh0, dc0 = run_backward(self._step, cache, w, grads, grad_h.T[None], self._ws,
                                    dc_n=grad_c)
        self.grad_h0 = dh0.T.copy()
        self.grad_c0 = None if dc0 is None else dc0.T.copy()
        return dX[0].T.copy()

    def extra_repr(self):
        return f"{self.input_size}, {self.hidden_size}, bias={self.bias}"


# --------------------------------------------------------------------------------------------
# sequences: stacked layers, two directions
# --------------------------------------------------------------------------------------------

class Recurrent(Module):
    """Base of RNN, LSTM and GRU: a Step over time, stacked layers, an optional backward
    direction; torch's batch_first=True shapes and parameter names.

    Layer l > 0 reads the outputs of layer l-1 (both directions concatenated). The backward
    direction runs the same formulas from t = T down to 1 with its own parameters (suffix
    _reverse); its output at step t is concatenated after the forward direction's.
    D = 2 if bidirectional else 1.

    forward(x, h0=None): x (batch, T, input_size); h0 (num_layers·D, batch, hidden) or None
        (zeros), row layer·D + direction -> (output (batch, T, D·hidden),
        h_n (num_layers·D, batch, hidden)). (LSTM: forward(x, hc=None), states (h, c).)
    backward(grad_output, grad_h_n=None, truncate=None): see below.
    """

    _name = "Recurrent"

    def __init__(self, step, input_size, hidden_size, num_layers, bias, bidirectional,
                 dtype, rng):
        if num_layers < 1:
            raise ValueError(f"num_layers must be >= 1, got {num_layers}")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.bidirectional = bias, bidirectional
        self.num_directions = 2 if bidirectional else 1
        self._step = step
        self._slots = []                              # (suffix, parameter names), row l·D + d
        for layer in range(num_layers):
            n_in = input_size if layer == 0 else hidden_size * self.num_directions
            for d in range(self.num_directions):
                suffix = f"_l{layer}" + ("_reverse" if d else "")
                self._slots.append((suffix, make_parameters(self, step, n_in, bias, suffix,
                                                            dtype, rng)))
        self._caches = None                           # (cache, w) per layer and direction
        self._workspaces = [Workspace() for _ in self._slots]
        self._io = Workspace()                        # layer inputs, outputs, incoming gradient

    def forward(self, x, h0=None):
        output, h_n, _ = self._forward(x, h0, None)
        return output, h_n

    def backward(self, grad_output, grad_h_n=None, truncate=None):
        """Backpropagation through time. Returns dL/dx (batch, T, input_size), leaves dL/dh0
        (num_layers·D, batch, hidden) in self.grad_h0 and ADDS dL/dθ into p.grad.

        grad_output: (batch, T, D·hidden), dL/d(output).
        grad_h_n: (num_layers·D, batch, hidden) or None (zeros).
        truncate: None (full BPTT, O(T)) or k >= 1 (truncated BPTT, O(T·k)). The gradient
          injected at step t (grad_output[:, t]; grad_h_n at the last step) is carried back
          through k steps of the recurrence, t, t-1, ..., t-k+1, and stops: it reaches
          x^t, ..., x^(t-k+1) and the parameters through those k steps, and h0 only if the
          window starts at the first step (t < k, counting from 0). Contributions from further
          back are exactly zero; truncate >= T is full BPTT. Each layer and direction cuts
          its own recurrence (the backward direction's "back" is forward in time), so in a
          stack of L layers x^t' gets gradient from step t for t - t' < L·(k-1) + 1.
        """
        return self._backward(grad_output, grad_h_n, None, truncate)

    def _state_shape(self, batch):
        return (self.num_layers * self.num_directions, batch, self.hidden_size)

    def _forward(self, x, h0, c0):
        x = check_shape(self._name, x, ("batch", "time", self.input_size))
        if x.shape[1] == 0:
            raise ValueError(f"{self._name} needs at least one time step, got {x.shape}")
        B, T, _ = x.shape
        dt = compute_dtype(x, self.weight_ih_l0.data)
        shape = self._state_shape(B)
        h0 = checked_state(self._name, "h0", h0, shape, dt)
        c0 = checked_state(self._name, "c0", c0, shape, dt) if self._step.has_cell else None
        H, D = self.hidden_size, self.num_directions
        X = self._io("x", (T, self.input_size, B), dt)
        X[...] = x.transpose(1, 2, 0)                 # in columns: (T, input_size, B)
        h_n, c_n = np.empty(shape, dt), np.empty(shape, dt)
        self._caches = []
        for layer in range(self.num_layers):
            out = self._io(f"out{layer}", (T, D * H, B), dt)
            for d in range(D):
                k = layer * D + d
                suffix, names = self._slots[k]
                w = formula_view(self, names, suffix, lambda p: p.data.astype(dt, copy=False))
                cache = run_forward(self._step, X, h0[k].T, None if c0 is None else c0[k].T,
                                    w, self._workspaces[k], reverse=bool(d))
                hs = cache["h"]                       # (T+1, H, B) in processing order
                out[:, d * H:(d + 1) * H] = hs[:0:-1] if d else hs[1:]
                h_n[k] = hs[-1].T
                if c0 is not None:
                    c_n[k] = cache["c"][-1].T
                self._caches.append((cache, w))
            X = out
        self._batch, self._T, self._dtype = B, T, dt
        output = X.transpose(2, 0, 1).copy()          # (batch, T, D·H), a new array
        return output, h_n, (c_n if c0 is not None else None)

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
        where = f"{self._name}.backward"
        dh_n = None if grad_h_n is None else checked_state(where, "grad_h_n", grad_h_n, shape, dt)
        dc_n = None if grad_c_n is None else checked_state(where, "grad_c_n", grad_c_n, shape, dt)
        truncate = checked_truncate(truncate)
        dY = self._io("dy", (T, D * H, B), dt)
        dY[...] = grad_output.transpose(1, 2, 0)      # in columns: (T, D·H, B)
        self.grad_h0 = np.zeros(shape, dt)
        self.grad_c0 = np.zeros(shape, dt) if self._step.has_cell else None
        for layer in reversed(range(self.num_layers)):
            dX = None
            for d in range(D):
                k = layer * D + d
                cache, w = self._caches[k]
                suffix, names = self._slots[k]
                grads = formula_view(self, names, suffix, lambda p: p.grad)
                dXd, dh0, dc0 = run_backward(
                    self._step, cache, w, grads, dY[:, d * H:(d + 1) * H], self._workspaces[k],
                    None if dh_n is None else dh_n[k].T, None if dc_n is None else dc_n[k].T,
                    truncate)
                dX = dXd if dX is None else np.add(dX, dXd, out=dX)
                self.grad_h0[k] = dh0.T
                if dc0 is not None:
                    self.grad_c0[k] = dc0.T
            dY = dX
        return dY.transpose(2, 0, 1).copy()           # (batch, T, input_size), a new array

    def extra_repr(self):
        return (f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}, "
                f"bias={self.bias}, bidirectional={self.bidirectional}")


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
