"""nn/recurrent/: RNN, LSTM (peepholes), GRU (reset_after), their cells, BPTT and truncated
BPTT. Backward against float64 central differences (inputs, initial states, parameters),
forward and backward against the torch twin, the definition of truncation (and, as a
property, truncate >= T is full BPTT), chunked training, dtypes and bad shapes."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch_twin import assert_same_as_torch

from nnlab.gradcheck import check_module, numerical_gradient, relative_error
from nnlab.module import Module
from nnlab.nn import recurrent
from nnlab.nn.activations import sigmoid
from nnlab.nn.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell, fit_chunks
from nnlab.nn.recurrent.bptt import sigmoid_

B, T, I, H = 2, 4, 3, 4          # small: central differences perturb every entry


def is_lstm(layer):
    return isinstance(layer, (LSTM, LSTMCell))


class WithState(Module):
    """The initial states as inputs, so that check_module checks grad_h0 (grad_c0) too:
    forward(x, h0[, c0]) and backward returning (dL/dx, dL/dh0[, dL/dc0])."""

    def __init__(self, layer):
        self.layer = layer

    def forward(self, x, *state):
        if is_lstm(self.layer):
            return self.layer.forward(x, tuple(state))
        return self.layer.forward(x, state[0])

    def backward(self, *grads):
        dx = self.layer.backward(*grads)
        extra = (self.layer.grad_c0,) if is_lstm(self.layer) else ()
        return (dx, self.layer.grad_h0) + extra


def check_with_states(layer, x, state_shape, rng):
    states = [rng.standard_normal(state_shape) for _ in range(2 if is_lstm(layer) else 1)]
    names = ["x", "h0", "c0"][:1 + len(states)]
    report = check_module(WithState(layer), x, *states, input_names=names)
    assert set(names) <= set(report)
    assert report.ok, str(report)


def test_the_package_exports_every_public_name():
    assert set(recurrent.__all__) == {"RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell",
                                      "Recurrent", "Cell", "fit_chunks"}
    assert all(hasattr(recurrent, name) for name in recurrent.__all__)


# ---------------------------------------------------------------------------------------------
# gradients = central differences
# ---------------------------------------------------------------------------------------------

LAYERS = {
    "RNN-tanh": lambda L, bd: RNN(I, H, L, bidirectional=bd),
    "RNN-relu": lambda L, bd: RNN(I, H, L, "relu", bidirectional=bd),
    "RNN-sigmoid": lambda L, bd: RNN(I, H, L, "sigmoid", bidirectional=bd),
    "LSTM": lambda L, bd: LSTM(I, H, L, bidirectional=bd),
    "LSTM-peepholes": lambda L, bd: LSTM(I, H, L, bidirectional=bd, peepholes=True),
    "LSTM-nobias": lambda L, bd: LSTM(I, H, L, bias=False, bidirectional=bd),
    "GRU-lecture": lambda L, bd: GRU(I, H, L, bidirectional=bd),
    "GRU-torch": lambda L, bd: GRU(I, H, L, bidirectional=bd, reset_after=True),
    "GRU-lecture-nobias": lambda L, bd: GRU(I, H, L, bias=False, bidirectional=bd),
}


@pytest.mark.parametrize("layers,bidirectional", [(1, False), (2, True)])
@pytest.mark.parametrize("name", LAYERS)
def test_layer_gradients_equal_central_differences(name, layers, bidirectional, rng):
    layer = LAYERS[name](layers, bidirectional)
    D = 2 if bidirectional else 1
    check_with_states(layer, rng.standard_normal((B, T, I)), (layers * D, B, H), rng)


@pytest.mark.parametrize("name", ["LSTM-peepholes", "GRU-lecture", "GRU-torch"])
def test_truncated_gradients_equal_central_differences_of_cut_graph(name, rng):
    """truncate=1 with the loss on the last output only is the gradient of one step with
    h^{T-1} (and C^{T-1}) held fixed: the central differences of that one-step function."""
    layer = LAYERS[name](1, False).to(np.float64)
    x = rng.standard_normal((B, T, I))
    out, state = layer.forward(x)
    h_prev, c_prev = layer.forward(x[:, :-1])[1], None
    if is_lstm(layer):
        h_prev, c_prev = h_prev
    R = rng.standard_normal((B, H))
    grad = np.zeros_like(out)
    grad[:, -1] = R
    layer.zero_grad()
    layer.forward(x)
    dx = layer.backward(grad, truncate=1)

    x_last = x[:, -1:].copy()                # central differences perturb it in place

    def last_step():
        hc = (h_prev, c_prev) if is_lstm(layer) else h_prev
        return float(np.sum(layer.forward(x_last, hc)[0][:, 0] * R))

    numeric_x = numerical_gradient(last_step, x_last)
    assert relative_error(dx[:, -1:], numeric_x) < 1e-6
    assert np.all(dx[:, :-1] == 0)
    for pname, p in layer.named_parameters():
        analytic = p.grad.copy()
        assert relative_error(analytic, numerical_gradient(last_step, p.data)) < 1e-6, pname


CELLS = {
    "RNNCell-tanh": lambda: RNNCell(I, H),
    "RNNCell-relu": lambda: RNNCell(I, H, nonlinearity="relu"),
    "RNNCell-sigmoid": lambda: RNNCell(I, H, nonlinearity="sigmoid"),
    "LSTMCell": lambda: LSTMCell(I, H),
    "LSTMCell-peepholes": lambda: LSTMCell(I, H, peepholes=True),
    "GRUCell-lecture": lambda: GRUCell(I, H),
    "GRUCell-torch": lambda: GRUCell(I, H, reset_after=True),
}


@pytest.mark.parametrize("name", CELLS)
def test_cell_gradients_equal_central_differences(name, rng):
    check_with_states(CELLS[name](), rng.standard_normal((3, I)), (3, H), rng)


def test_fast_sigmoid_is_the_sigmoid_of_activations():
    z = np.concatenate([np.linspace(-40, 40, 801), [-1e4, 1e4, 0.0]])
    np.testing.assert_allclose(sigmoid_(z.copy()), sigmoid(z), rtol=0, atol=1e-15)
    z32 = z.astype(np.float32)
    out = sigmoid_(z32.copy())
    assert out.dtype == np.float32 and np.all(np.isfinite(out))
    np.testing.assert_allclose(out, sigmoid(z32), rtol=0, atol=2e-7)


# ---------------------------------------------------------------------------------------------
# the lecture's formulas, written out
# ---------------------------------------------------------------------------------------------

def test_gru_cell_default_is_the_lecture_formula(rng):
    cell = GRUCell(I, H).to(np.float64)
    x, h = rng.standard_normal((3, I)), rng.standard_normal((3, H))
    Wr, Wz, Wn = np.split(cell.weight_ih.data, 3)
    Ur, Uz, Un = np.split(cell.weight_hh.data, 3)
    br, bz, bn = np.split(cell.bias_ih.data + cell.bias_hh.data, 3)
    r = sigmoid(x @ Wr.T + h @ Ur.T + br)
    z = sigmoid(x @ Wz.T + h @ Uz.T + bz)
    h_tilde = np.tanh(x @ Wn.T + (r * h) @ Un.T + bn)
    np.testing.assert_allclose(cell.forward(x, h), (1 - z) * h + z * h_tilde, atol=1e-14)


def test_gru_cell_reset_after_is_torchs_formula(rng):
    cell = GRUCell(I, H, reset_after=True).to(np.float64)
    x, h = rng.standard_normal((3, I)), rng.standard_normal((3, H))
    Wr, Wz, Wn = np.split(cell.weight_ih.data, 3)
    Ur, Uz, Un = np.split(cell.weight_hh.data, 3)
    b_ir, b_iz, b_in = np.split(cell.bias_ih.data, 3)
    b_hr, b_hz, b_hn = np.split(cell.bias_hh.data, 3)
    r = sigmoid(x @ Wr.T + b_ir + h @ Ur.T + b_hr)
    z = sigmoid(x @ Wz.T + b_iz + h @ Uz.T + b_hz)
    n = np.tanh(x @ Wn.T + b_in + r * (h @ Un.T + b_hn))
    np.testing.assert_allclose(cell.forward(x, h), (1 - z) * n + z * h, atol=1e-14)


def test_peephole_lstm_cell_is_the_lecture_formula(rng):
    cell = LSTMCell(I, H, peepholes=True).to(np.float64)
    x, h, c = (rng.standard_normal(s) for s in ((3, I), (3, H), (3, H)))
    a = (x @ cell.weight_ih.data.T + h @ cell.weight_hh.data.T
         + cell.bias_ih.data + cell.bias_hh.data)
    ai, af, ag, ao = np.split(a, 4, axis=1)
    i = sigmoid(ai + cell.weight_ci.data * c)          # i and f look at C^{t-1}
    f = sigmoid(af + cell.weight_cf.data * c)
    c_new = f * c + i * np.tanh(ag)
    o = sigmoid(ao + cell.weight_co.data * c_new)      # o looks at C^t
    h_new, c_out = cell.forward(x, (h, c))
    np.testing.assert_allclose(c_out, c_new, atol=1e-14)
    np.testing.assert_allclose(h_new, o * np.tanh(c_new), atol=1e-14)


def test_peepholes_with_zero_weights_are_the_plain_lstm(rng):
    plain = LSTM(I, H, 2, bidirectional=True, dtype=np.float64)
    peep = LSTM(I, H, 2, bidirectional=True, peepholes=True, dtype=np.float64)
    state = dict(plain.state_dict())
    state.update({n: np.zeros(H) for n, _ in peep.named_parameters() if "weight_c" in n})
    peep.load_state_dict(state)
    x = rng.standard_normal((B, T, I))
    np.testing.assert_allclose(peep.forward(x)[0], plain.forward(x)[0], atol=1e-14)
    names = [n for n, _ in peep.named_parameters()]
    assert "weight_ci_l0" in names and "weight_co_l1_reverse" in names


def test_cell_step_is_the_first_step_of_the_sequence_layer(rng):
    """A cell with the layer's parameters computes what the layer computes at t = 1."""
    for layer, cell in [(LSTM(I, H, peepholes=True), LSTMCell(I, H, peepholes=True)),
                        (GRU(I, H), GRUCell(I, H)), (RNN(I, H, nonlinearity="relu"),
                                                     RNNCell(I, H, nonlinearity="relu"))]:
        cell.load_state_dict({n[:-3]: v for n, v in layer.state_dict().items()})
        x = rng.standard_normal((B, 1, I))
        out = layer.forward(x)[0]
        step = cell.forward(x[:, 0])
        np.testing.assert_allclose(step[0] if is_lstm(cell) else step, out[:, 0], atol=1e-6)


# ---------------------------------------------------------------------------------------------
# torch twins
# ---------------------------------------------------------------------------------------------

TWINS = {
    "RNN-tanh": (lambda L, bd: RNN(I, H, L, bidirectional=bd),
                 lambda L, bd: torch.nn.RNN(I, H, L, batch_first=True, bidirectional=bd)),
    "RNN-relu": (lambda L, bd: RNN(I, H, L, "relu", bidirectional=bd),
                 lambda L, bd: torch.nn.RNN(I, H, L, nonlinearity="relu", batch_first=True,
                                            bidirectional=bd)),
    "LSTM": (lambda L, bd: LSTM(I, H, L, bidirectional=bd),
             lambda L, bd: torch.nn.LSTM(I, H, L, batch_first=True, bidirectional=bd)),
    "GRU": (lambda L, bd: GRU(I, H, L, bidirectional=bd, reset_after=True),
            lambda L, bd: torch.nn.GRU(I, H, L, batch_first=True, bidirectional=bd)),
    "LSTM-nobias": (lambda L, bd: LSTM(I, H, L, bias=False, bidirectional=bd),
                    lambda L, bd: torch.nn.LSTM(I, H, L, bias=False, batch_first=True,
                                                bidirectional=bd)),
}


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("name", TWINS)
def test_layer_equals_torch(name, layers, bidirectional, rng):
    ours, theirs = TWINS[name]
    layer = ours(layers, bidirectional)
    state_shape = (layers * (2 if bidirectional else 1), B, H)
    x = rng.standard_normal((B, T, I))
    h0, c0 = rng.standard_normal(state_shape), rng.standard_normal(state_shape)
    state = (h0, c0) if isinstance(layer, LSTM) else h0
    assert_same_as_torch(layer, theirs(layers, bidirectional), x, state)


CELL_TWINS = {
    "RNNCell-tanh": (lambda: RNNCell(I, H), lambda: torch.nn.RNNCell(I, H)),
    "RNNCell-relu": (lambda: RNNCell(I, H, nonlinearity="relu"),
                     lambda: torch.nn.RNNCell(I, H, nonlinearity="relu")),
    "LSTMCell": (lambda: LSTMCell(I, H), lambda: torch.nn.LSTMCell(I, H)),
    "GRUCell": (lambda: GRUCell(I, H, reset_after=True), lambda: torch.nn.GRUCell(I, H)),
}


@pytest.mark.parametrize("name", CELL_TWINS)
def test_cell_equals_torch(name, rng):
    ours, theirs = CELL_TWINS[name]
    cell = ours()
    x, h, c = (rng.standard_normal(s) for s in ((3, I), (3, H), (3, H)))
    assert_same_as_torch(cell, theirs(), x, (h, c) if isinstance(cell, LSTMCell) else h)


def test_lecture_gru_differs_from_torch_gru(rng):
    """Same parameter names, different formulas: only reset_after=True is torch's GRU."""
    twin = torch.nn.GRU(I, H, batch_first=True).double()
    lecture = GRU(I, H).load_state_dict(twin.state_dict())
    x = rng.standard_normal((B, T, I))
    assert not np.allclose(lecture.forward(x)[0], twin(torch.tensor(x))[0].detach().numpy())


# ---------------------------------------------------------------------------------------------
# truncated BPTT
# ---------------------------------------------------------------------------------------------

def grads_of(layer, x, state, g_out, g_h=None, g_c=None, truncate=None):
    layer.zero_grad()
    layer.forward(x, state)
    args = (g_out, g_h, g_c) if isinstance(layer, LSTM) else (g_out, g_h)
    dx = layer.backward(*args, truncate=truncate)
    result = {"x": dx, "h0": layer.grad_h0}
    if isinstance(layer, LSTM):
        result["c0"] = layer.grad_c0
    result.update({n: p.grad.copy() for n, p in layer.named_parameters()})
    return result


@settings(max_examples=40)
@given(name=st.sampled_from(["RNN-tanh", "LSTM", "LSTM-peepholes", "GRU-lecture", "GRU-torch"]),
       steps=st.integers(1, 6), extra=st.integers(0, 3), layers=st.integers(1, 2),
       bidirectional=st.booleans(), batch=st.integers(1, 3), seed=st.integers(0, 2 ** 16))
def test_truncate_T_or_more_is_full_bptt(name, steps, extra, layers, bidirectional, batch, seed):
    """Property: a window of k >= T steps reaches back to h0 from every step, so truncated
    BPTT adds up exactly the terms of full BPTT (only in another order)."""
    rng = np.random.default_rng(seed)
    layer = LAYERS[name](layers, bidirectional).to(np.float64)
    D = 2 if bidirectional else 1
    shape = (layers * D, batch, H)
    x = rng.standard_normal((batch, steps, I))
    state = (rng.standard_normal(shape), rng.standard_normal(shape)) if isinstance(layer, LSTM) \
        else rng.standard_normal(shape)
    g_out, g_h, g_c = (rng.standard_normal(s) for s in ((batch, steps, D * H), shape, shape))
    full = grads_of(layer, x, state, g_out, g_h, g_c)
    cut = grads_of(layer, x, state, g_out, g_h, g_c, truncate=steps + extra)
    for key in full:
        np.testing.assert_allclose(cut[key], full[key], rtol=1e-10, atol=1e-12, err_msg=key)


@pytest.mark.parametrize("name", ["RNN-tanh", "LSTM", "GRU-lecture", "GRU-torch"])
@pytest.mark.parametrize("k", [1, 2, 4])
def test_truncate_k_stops_exactly_k_steps_back(name, k, rng):
    """Gradient injected at the last step only: dL/dx^t is exactly 0 for t < T-k and nonzero
    for the k steps T-k, ..., T-1 (0-based); h0 gets nothing while k < T."""
    layer = LAYERS[name](1, False).to(np.float64)
    Tl = 7
    x, g_out = rng.standard_normal((B, Tl, I)), np.zeros((B, Tl, H))
    g_out[:, -1] = rng.standard_normal((B, H))
    h0, c0 = rng.standard_normal((1, B, H)), rng.standard_normal((1, B, H))
    g = grads_of(layer, x, (h0, c0) if isinstance(layer, LSTM) else h0, g_out, truncate=k)
    assert np.all(g["x"][:, :Tl - k] == 0)
    assert np.all(np.abs(g["x"][:, Tl - k:]).sum(axis=(0, 2)) > 0)
    assert np.all(g["h0"] == 0)


def test_truncate_backward_direction_looks_forward_in_time(rng):
    layer = GRU(I, H, bidirectional=True, reset_after=True, dtype=np.float64)
    Tl, k = 6, 2
    x, g_out = rng.standard_normal((B, Tl, I)), np.zeros((B, Tl, 2 * H))
    g_out[:, 0, H:] = rng.standard_normal((B, H))   # the backward direction's output at t = 0
    g = grads_of(layer, x, None, g_out, truncate=k)
    assert np.all(np.abs(g["x"][:, :k]).sum(axis=(0, 2)) > 0)
    assert np.all(g["x"][:, k:] == 0)
    assert np.all(g["weight_ih_l0"] == 0) and np.any(g["weight_ih_l0_reverse"] != 0)


def test_truncate_in_stacked_layers_applies_per_layer(rng):
    """Each layer cuts its own recurrence: from the last step, layer 1 reaches k steps of
    layer 0's outputs, each of which reaches k steps of x: 2k-1 steps in all."""
    layer = LSTM(I, H, 2, dtype=np.float64)
    Tl, k = 8, 2
    x, g_out = rng.standard_normal((B, Tl, I)), np.zeros((B, Tl, H))
    g_out[:, -1] = rng.standard_normal((B, H))
    g = grads_of(layer, x, None, g_out, truncate=k)
    reach = 2 * k - 1
    assert np.all(g["x"][:, :Tl - reach] == 0)
    assert np.all(np.abs(g["x"][:, Tl - reach:]).sum(axis=(0, 2)) > 0)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("k", [1, 3])
def test_truncate_equals_torch_with_detached_windows(kind, k, rng):
    """The definition, built with torch autograd: for every step t, the loss at t sees
    steps t-k+1..t; the state before them is detached (unless it is h0)."""
    layer = {"rnn": lambda: RNN(I, H, dtype=np.float64),
             "lstm": lambda: LSTM(I, H, dtype=np.float64),
             "gru": lambda: GRU(I, H, reset_after=True, dtype=np.float64)}[kind]()
    cell = {"rnn": torch.nn.RNNCell, "lstm": torch.nn.LSTMCell,
            "gru": torch.nn.GRUCell}[kind](I, H).double()
    cell.load_state_dict({n[:-3]: torch.tensor(p.data) for n, p in layer.named_parameters()})
    Tl = 6
    x, h0, c0 = (rng.standard_normal(s) for s in ((B, Tl, I), (1, B, H), (1, B, H)))
    g_out, g_h, g_c = (rng.standard_normal(s) for s in ((B, Tl, H), (1, B, H), (1, B, H)))
    lstm = kind == "lstm"
    ours = grads_of(layer, x, (h0, c0) if lstm else h0, g_out, g_h, g_c if lstm else None,
                    truncate=k)

    xt, h0t, c0t = (torch.tensor(a, requires_grad=True) for a in (x, h0[0], c0[0]))
    total = 0
    for t in range(Tl):
        first = max(0, t - k + 1)
        state = (h0t, c0t) if lstm else h0t
        with torch.no_grad():
            for s in range(first):
                state = cell(xt[:, s], state)
        for s in range(first, t + 1):
            state = cell(xt[:, s], state)
        h_t = state[0] if lstm else state
        total = total + (h_t * torch.tensor(g_out[:, t])).sum()
        if t == Tl - 1:
            total = total + (h_t * torch.tensor(g_h[0])).sum()
            if lstm:
                total = total + (state[1] * torch.tensor(g_c[0])).sum()
    total.backward()
    np.testing.assert_allclose(ours["x"], xt.grad.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours["h0"][0], h0t.grad.numpy(), rtol=0, atol=1e-10)
    if lstm:
        np.testing.assert_allclose(ours["c0"][0], c0t.grad.numpy(), rtol=0, atol=1e-10)
    for n, p in cell.named_parameters():
        np.testing.assert_allclose(ours[n + "_l0"], p.grad.numpy(), rtol=0, atol=1e-10,
                                   err_msg=n)


# ---------------------------------------------------------------------------------------------
# chunked training (TBPTT over a long sequence)
# ---------------------------------------------------------------------------------------------

def test_fit_chunks_carries_the_state_and_cuts_the_gradient(rng):
    layer = LSTM(I, H, 2, dtype=np.float64)
    Tl, chunk = 10, 4
    x, target = rng.standard_normal((B, Tl, I)), rng.standard_normal((B, Tl, H))

    def loss_grad(out, steps):
        diff = out - target[:, steps]
        return float(np.sum(diff ** 2)), 2 * diff

    layer.zero_grad()
    losses, (h_n, c_n) = fit_chunks(layer, x, chunk, loss_grad)
    assert len(losses) == 3
    out, (h_full, c_full) = layer.forward(x)
    np.testing.assert_allclose(h_n, h_full, atol=1e-13)       # the values flow across chunks
    np.testing.assert_allclose(c_n, c_full, atol=1e-13)
    assert np.isclose(sum(losses), np.sum((out - target) ** 2))
    chunked = {n: p.grad.copy() for n, p in layer.named_parameters()}

    # by hand: each chunk from the carried state, its grad_h0 thrown away
    layer.zero_grad()
    state = None
    for start in range(0, Tl, chunk):
        steps = slice(start, start + chunk)
        out, state = layer.forward(x[:, steps], state)
        layer.backward(loss_grad(out, steps)[1])
    for n, p in layer.named_parameters():
        np.testing.assert_allclose(chunked[n], p.grad, atol=1e-12)

    # and not full BPTT: the cut matters
    layer.zero_grad()
    out, _ = layer.forward(x)
    layer.backward(loss_grad(out, slice(0, Tl))[1])
    assert not np.allclose(chunked["weight_hh_l0"], layer.weight_hh_l0.grad)


def test_fit_chunks_with_an_optimizer_step_and_checks(rng):
    layer = GRU(I, H, dtype=np.float64)
    x = rng.standard_normal((B, 9, I))
    calls = []

    def step():
        calls.append(1)
        for p in layer.parameters():
            p.data -= 0.01 * p.grad
            p.zero_grad()

    losses, h_n = fit_chunks(layer, x, 4, lambda out, s: (float(np.sum(out)), np.ones_like(out)),
                             step=step)
    assert len(losses) == len(calls) == 3 and h_n.shape == (1, B, H)
    with pytest.raises(ValueError, match="unidirectional"):
        fit_chunks(GRU(I, H, bidirectional=True), x, 4, None)


# ---------------------------------------------------------------------------------------------
# contract: accumulation, dtypes, shapes, errors
# ---------------------------------------------------------------------------------------------

def test_backward_accumulates_parameter_gradients(rng):
    layer = LSTM(I, H, dtype=np.float64)
    x, g = rng.standard_normal((B, T, I)), rng.standard_normal((B, T, H))
    layer.zero_grad()
    layer.forward(x)
    layer.backward(g)
    once = layer.weight_hh_l0.grad.copy()
    layer.backward(g)
    np.testing.assert_allclose(layer.weight_hh_l0.grad, 2 * once)


@pytest.mark.parametrize("make", [lambda: RNN(I, H, 2, bidirectional=True),
                                  lambda: LSTM(I, H, 2, peepholes=True),
                                  lambda: GRU(I, H, bidirectional=True),
                                  lambda: GRU(I, H, reset_after=True)])
def test_float32_stays_float32_and_float64_input_gives_float64(make, rng):
    layer = make()
    x = rng.standard_normal((B, T, I)).astype(np.float32)
    out, state = layer.forward(x)
    h_n = state[0] if isinstance(layer, LSTM) else state
    assert out.dtype == h_n.dtype == np.float32
    dx = layer.backward(np.ones_like(out))
    assert dx.dtype == layer.grad_h0.dtype == np.float32
    assert all(p.data.dtype == p.grad.dtype == np.float32 for p in layer.parameters())
    out64, _ = layer.forward(x.astype(np.float64))
    assert out64.dtype == np.float64
    np.testing.assert_allclose(out64, out, atol=1e-5)


def test_output_shapes_are_torchs(rng):
    layer = LSTM(I, H, 3, bidirectional=True)
    out, (h_n, c_n) = layer.forward(rng.standard_normal((5, 7, I)))
    assert out.shape == (5, 7, 2 * H) and h_n.shape == c_n.shape == (6, 5, H)
    assert layer.backward(np.ones_like(out)).shape == (5, 7, I)
    assert layer.grad_h0.shape == layer.grad_c0.shape == (6, 5, H)
    assert LSTMCell(I, H).forward(rng.standard_normal((5, I)))[1].shape == (5, H)


def test_parameters_are_initialised_like_torch():
    """U(-1/√hidden, 1/√hidden) for every parameter, whatever the input size (fan_in = H)."""
    layer = LSTM(7, 16, peepholes=True, rng=np.random.default_rng(0))
    bound = 1 / np.sqrt(16)
    for name, p in layer.named_parameters():
        assert np.abs(p.data).max() <= bound, name
    values = np.abs(np.concatenate([p.data.ravel() for p in layer.parameters()]))
    assert values.max() > 0.99 * bound
    assert abs(values.mean() - bound / 2) < 0.05 * bound      # |U(-b, b)| has mean b/2


def test_wrong_shapes_name_the_expected_shape(rng):
    def rand(*shape):
        return rng.standard_normal(shape)

    layer = LSTM(3, 4, 2, bidirectional=True)
    with pytest.raises(ValueError, match=r"LSTM expects input of shape \(batch, time, 3\)"):
        layer.forward(rand(2, 5, 4))
    with pytest.raises(ValueError, match=r"\(batch, time, 3\), got \(5, 3\)"):
        layer.forward(rand(5, 3))
    with pytest.raises(ValueError, match=r"h0 of shape \(4, 2, 4\), got \(2, 2, 4\)"):
        layer.forward(rand(2, 5, 3), (rand(2, 2, 4), rand(4, 2, 4)))
    with pytest.raises(ValueError, match=r"c0 of shape \(4, 2, 4\)"):
        layer.forward(rand(2, 5, 3), (rand(4, 2, 4), rand(4, 2, 3)))
    with pytest.raises(ValueError, match="hc"):
        layer.forward(rand(2, 5, 3), rand(4, 2, 4))
    with pytest.raises(ValueError, match="at least one time step"):
        layer.forward(np.zeros((2, 0, 3)))
    out, _ = layer.forward(rand(2, 5, 3))
    with pytest.raises(ValueError, match=r"grad_output of shape \(2, 5, 8\)"):
        layer.backward(rand(2, 5, 4))
    with pytest.raises(ValueError, match=r"grad_h_n of shape \(4, 2, 4\)"):
        layer.backward(out, rand(1, 2, 4))
    with pytest.raises(ValueError, match="truncate"):
        layer.backward(out, truncate=0)
    with pytest.raises(ValueError, match=r"GRU expects input of shape \(batch, time, 3\)"):
        GRU(3, 4).forward(rand(2, 5, 2))
    with pytest.raises(ValueError, match=r"RNN expects h0 of shape \(1, 2, 4\)"):
        RNN(3, 4).forward(rand(2, 5, 3), rand(2, 4))
    with pytest.raises(ValueError, match=r"GRUCell expects input of shape \(batch, 3\)"):
        GRUCell(3, 4).forward(rand(2, 5, 3))
    with pytest.raises(ValueError, match=r"LSTMCell expects c of shape \(2, 4\)"):
        LSTMCell(3, 4).forward(rand(2, 3), (rand(2, 4), rand(4, 2)))
    with pytest.raises(ValueError, match=r"LSTMCell.backward expects grad_c of shape \(2, 4\)"):
        cell = LSTMCell(3, 4)
        cell.forward(rand(2, 3))
        cell.backward(rand(2, 4), rand(4, 2))
    with pytest.raises(ValueError, match="nonlinearity"):
        RNN(3, 4, nonlinearity="softsign")
    with pytest.raises(ValueError, match="num_layers"):
        GRU(3, 4, num_layers=0)
    with pytest.raises(RuntimeError, match="before forward"):
        GRU(3, 4).backward(rand(2, 5, 4))
    with pytest.raises(RuntimeError, match="before forward"):
        RNNCell(3, 4).backward(rand(2, 4))


@pytest.mark.parametrize("make", [lambda: LSTM(I, H, 2, bidirectional=True),
                                  lambda: GRU(I, H, reset_after=True),
                                  lambda: LSTMCell(I, H), lambda: GRUCell(I, H)])
@pytest.mark.parametrize("batch", [1, 3])
def test_results_are_new_arrays_not_reused_buffers(make, batch, rng):
    """The layers keep their work arrays between calls; what they return must not be one."""
    layer = make().to(np.float64)
    cell = isinstance(layer, (LSTMCell, GRUCell))
    lstm = isinstance(layer, (LSTM, LSTMCell))

    def run():
        out = layer.forward(rng.standard_normal((batch, I) if cell else (batch, T, I)))
        if cell:
            results = list(out) if lstm else [out]
            dx = layer.backward(*[np.ones_like(a) for a in results])
        else:
            results = [out[0], *out[1]] if lstm else list(out)
            dx = layer.backward(np.ones_like(out[0]))
        return results + [dx, layer.grad_h0]

    first = run()
    kept = [a.copy() for a in first]
    run()
    for before, returned in zip(kept, first):
        np.testing.assert_array_equal(before, returned)
