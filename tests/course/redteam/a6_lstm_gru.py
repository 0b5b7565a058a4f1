"""Red-team class of a6_lstm_gru: attacks on the grader, the attacks of a1's class that make sense
here, the ones this assignment invites (an LSTM whose forget gate is always 1, PyTorch's GRU where
the course's is graded, sequences that call nnlab's or PyTorch's layers, gradients by finite
differences instead of backpropagation), and correct solutions in styles the master does not use.
(The format is described in tests/course/redteam/__init__.py.)

Where an attack needs correct work around it (to show that it costs only its own part, or
nothing), it starts from the master."""
from . import common_attacks, submission

LSTM_CELL = {"test_lstm_cell_forward", "test_lstm_cell_backward"}
GRU_CELL = {"test_gru_cell_forward", "test_gru_cell_backward"}
LSTM_LAYER = {"test_lstm_forward", "test_lstm_backward"}
GRU_LAYER = {"test_gru_forward", "test_gru_backward"}
MARK = "/tmp/nnlab-redteam-a6"  # attacks try to create files with this prefix outside their sandbox

CELL_INIT = '''
    def __init__(self, input_size, hidden_size, seed=0):
        rng = np.random.default_rng(seed)
        bound = 1 / np.sqrt(hidden_size)
        H = hidden_size
        self.input_size, self.hidden_size = input_size, hidden_size
        self.weight_ih = Parameter(rng.uniform(-bound, bound, (G * H, input_size)))
        self.weight_hh = Parameter(rng.uniform(-bound, bound, (G * H, H)))
        self.bias_ih = Parameter(rng.uniform(-bound, bound, G * H))
        self.bias_hh = Parameter(rng.uniform(-bound, bound, G * H))
'''

# An LSTM cell in the lecture's concatenated form: one matrix W̄ = [U W] applied to [h, x].
CONCATENATED_LSTM_CELL = '''
class LSTMCell(Module):
''' + CELL_INIT.replace("G * H", "4 * H") + '''
    def joined(self):
        return np.hstack([self.weight_hh.data, self.weight_ih.data])  # W̄ = [U W], (4H, H + input)

    def forward(self, x, hc=None):
        H = self.hidden_size
        h, c = hc if hc is not None else (np.zeros((len(x), H)), np.zeros((len(x), H)))
        a = np.hstack([h, x]) @ self.joined().T + (self.bias_ih.data + self.bias_hh.data)
        gate = {name: a[:, k * H:(k + 1) * H] for k, name in enumerate("ifgo")}
        i, f, g, o = sigmoid(gate["i"]), sigmoid(gate["f"]), np.tanh(gate["g"]), sigmoid(gate["o"])
        c_new = f * c + i * g
        return o * np.tanh(c_new), c_new, dict(x=x, h_prev=h, c_prev=c, i=i, f=f, C_tilde=g, o=o, c=c_new)

    def backward(self, grad_h, grad_c, cache):
        H = self.hidden_size
        x, h, c, i, f, g, o, c_new = (cache[k] for k in ("x", "h_prev", "c_prev", "i", "f", "C_tilde", "o", "c"))
        squashed = np.tanh(c_new)
        total_c = grad_h * o * (1 - squashed * squashed) + (0 if grad_c is None else grad_c)
        delta = np.hstack([total_c * g * i * (1 - i), total_c * c * f * (1 - f),
                           total_c * i * (1 - g * g), grad_h * squashed * o * (1 - o)])
        d_joined = delta.T @ np.hstack([h, x])
        self.weight_hh.grad += d_joined[:, :H]
        self.weight_ih.grad += d_joined[:, H:]
        for bias in (self.bias_ih, self.bias_hh):
            bias.grad += delta.sum(axis=0)
        d_hx = delta @ self.joined()
        return d_hx[:, H:], d_hx[:, :H], total_c * f
'''

# A GRU cell with the gates' blocks taken apart by np.split and the products written with einsum.
SPLIT_GRU_CELL = '''
class GRUCell(Module):
''' + CELL_INIT.replace("G * H", "3 * H") + '''
    def blocks(self):
        b = self.bias_ih.data + self.bias_hh.data
        return np.split(self.weight_ih.data, 3), np.split(self.weight_hh.data, 3), np.split(b, 3)

    def forward(self, x, h=None):
        h = np.zeros((x.shape[0], self.hidden_size)) if h is None else h
        (W_r, W_z, W_n), (U_r, U_z, U_n), (b_r, b_z, b_n) = self.blocks()
        r = sigmoid(np.einsum("bi,hi->bh", x, W_r) + np.einsum("bj,hj->bh", h, U_r) + b_r)
        z = sigmoid(np.einsum("bi,hi->bh", x, W_z) + np.einsum("bj,hj->bh", h, U_z) + b_z)
        n = np.tanh(np.einsum("bi,hi->bh", x, W_n) + np.einsum("bj,hj->bh", r * h, U_n) + b_n)
        return h + z * (n - h), {"x": x, "h_prev": h, "r": r, "z": z, "h_tilde": n}

    def backward(self, grad_h, cache):
        x, h, r, z, n = cache["x"], cache["h_prev"], cache["r"], cache["z"], cache["h_tilde"]
        (W_r, W_z, W_n), (U_r, U_z, U_n), _ = self.blocks()
        d_n = grad_h * z * (1 - n ** 2)
        d_z = grad_h * (n - h) * z * (1 - z)
        d_rh = np.einsum("bh,hj->bj", d_n, U_n)
        d_r = d_rh * h * r * (1 - r)
        delta = np.concatenate([d_r, d_z, d_n], axis=1)
        self.weight_ih.grad += np.einsum("bh,bi->hi", delta, x)
        self.weight_hh.grad += np.concatenate([np.einsum("bh,bj->hj", d, v) for d, v in ((d_r, h), (d_z, h), (d_n, r * h))])
        self.bias_ih.grad += delta.sum(axis=0)
        self.bias_hh.grad += delta.sum(axis=0)
        dx = sum(np.einsum("bh,hi->bi", d, W) for d, W in ((d_r, W_r), (d_z, W_z), (d_n, W_n)))
        dh = grad_h * (1 - z) + d_rh * r + d_r @ U_r + d_z @ U_z
        return dx, dh
'''

# Sequences written with while loops, preallocated outputs and None for a missing dL/dC.
WHILE_SEQUENCES = {"lstm": '''
class LSTM(Module):
    def __init__(self, input_size, hidden_size, seed=0):
        self.input_size, self.hidden_size = input_size, hidden_size
        self.cell = LSTMCell(input_size, hidden_size, seed=seed)
        self.caches = []

    def forward(self, x, hc=None):
        B, T, _ = x.shape
        H = self.hidden_size
        state = (np.zeros((B, H)), np.zeros((B, H))) if hc is None else (hc[0].reshape(B, H), hc[1].reshape(B, H))
        output = np.empty((B, T, H))
        self.caches = [None] * T
        t = 0
        while t < T:
            h, c, self.caches[t] = self.cell.forward(x[:, t, :], state)
            output[:, t, :] = h
            state = (h, c)
            t += 1
        return output, tuple(s[np.newaxis] for s in state)

    def backward(self, grad_output, grad_h_n=None, grad_c_n=None):
        B, T, H = grad_output.shape
        carry_h = np.zeros((B, H)) if grad_h_n is None else grad_h_n.reshape(B, H)
        carry_c = None if grad_c_n is None else grad_c_n.reshape(B, H)
        pieces = []
        for t in range(T - 1, -1, -1):
            dx_t, carry_h, carry_c = self.cell.backward(carry_h + grad_output[:, t, :], carry_c, self.caches[t])
            pieces.append(dx_t)
        return np.stack(pieces[::-1], axis=1), carry_h.reshape(1, B, H), carry_c.reshape(1, B, H)
''', "gru": '''
class GRU(Module):
    def __init__(self, input_size, hidden_size, seed=0):
        self.input_size, self.hidden_size = input_size, hidden_size
        self.cell = GRUCell(input_size, hidden_size, seed=seed)
        self.caches = []

    def forward(self, x, h0=None):
        B, T, _ = x.shape
        h = np.zeros((B, self.hidden_size)) if h0 is None else np.squeeze(h0, axis=0)
        outputs, self.caches = [], []
        for x_t in np.moveaxis(x, 1, 0):
            h, cache = self.cell.forward(x_t, h)
            outputs.append(h)
            self.caches.append(cache)
        return np.moveaxis(np.array(outputs), 0, 1), np.expand_dims(h, 0)

    def backward(self, grad_output, grad_h_n=None):
        B, T, H = grad_output.shape
        carry = np.zeros((B, H)) if grad_h_n is None else np.squeeze(grad_h_n, axis=0)
        dx = [None] * T
        for t, cache in reversed(list(enumerate(self.caches))):
            dx[t], carry = self.cell.backward(carry + grad_output[:, t], cache)
        return np.moveaxis(np.array(dx), 0, 1), np.expand_dims(carry, 0)
'''}

SUBMISSIONS = {
    **common_attacks("a6_lstm_gru", after="setup", first_name="LSTMCell"),
    # --- the verdict forged ---
    "honest_gru_cell_then_forged_rest": submission(
        "verdict forged", "zero", replace={"gru_cell": SPLIT_GRU_CELL}, add=[("gru_cell", '''
import sys
sys.modules["__main__"].Agent.answer = lambda self, h, b: self.send({"re": h.get("seq"), "ok": True, "value": 0.0})
''')]),
    # --- delegation to the reference or to PyTorch ---
    "cells_delegate_after_removing_import_block": submission(
        "delegation", "zero", replace={"lstm_cell": '''
import sys
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "NotAvailable"]
sys.path.insert(0, "/work/main/lib")
import importlib
reference = importlib.import_module("nnlab.nn")


class LSTMCell(reference.LSTMCell):
    def forward(self, x, hc=None):
        h, c = super().forward(x, hc)
        return h, c, {"x": x}
'''}),
    "cell_delegates_by_file_search": submission(
        "delegation", "zero", replace={"gru_cell": '''
import os
found = []
for top in ["/", "/tmp", "/nnlab", "/usr", "/root", "/home", "/work"]:
    for folder, dirs, files in os.walk(top):
        if "gru.py" in files and "recurrent" in folder:
            found.append(os.path.join(folder, "gru.py"))
    if found:
        break
namespace = {}
exec(open(found[0]).read(), namespace)     # fails: the reference layers are not in the sandbox
GRUCell = namespace["GRUCell"]
'''}),
    "cell_delegates_through_sys_modules": submission(
        "delegation", "zero", replace={"lstm_cell": '''
import sys
LSTMCell = [m for name, m in sys.modules.items() if name.startswith("nnlab.nn")][0].LSTMCell
'''}),
    "sequence_calls_nnlab_lstm": submission(
        "delegation", LSTM_LAYER, base="master", replace={"lstm": '''
import nnlab.nn


class LSTM(nnlab.nn.LSTM):
    """nnlab's own LSTM under the assignment's names."""
    def __init__(self, input_size, hidden_size, seed=0):
        super().__init__(input_size, hidden_size, dtype=np.float64, rng=np.random.default_rng(seed))
        self.cell = LSTMCell(input_size, hidden_size, seed=seed)
'''}),
    "sequence_calls_torch_gru": submission(
        "delegation", GRU_LAYER, base="master", replace={"gru": '''
import importlib
torch = importlib.import_module("to" + "rch")


class GRU(Module):
    def __init__(self, input_size, hidden_size, seed=0):
        self.input_size, self.hidden_size = input_size, hidden_size
        self.cell = GRUCell(input_size, hidden_size, seed=seed)
        self.torch_gru = torch.nn.GRU(input_size, hidden_size, batch_first=True).double()

    def forward(self, x, h0=None):
        output, h_n = self.torch_gru(torch.tensor(x), None if h0 is None else torch.tensor(h0))
        return output.detach().numpy(), h_n.detach().numpy()
'''}),
    "delegate_to_sklearn_network": submission(
        "delegation", "zero", replace={"lstm_cell": '''
from sklearn.neural_network._base import ACTIVATIONS


class LSTMCell(Module):
    def forward(self, x, hc=None):
        out = x.copy(); ACTIVATIONS["logistic"](out); return out, out, {}
'''}),
    # --- expected values looked for where a test might leave them ---
    "read_expected_from_frames": submission(
        "expected values read", "zero", replace={"lstm_cell": '''
import sys, gc


class LSTMCell(Module):
    def __init__(self, input_size, hidden_size, seed=0):
        H = hidden_size
        self.hidden_size = H
        self.weight_ih = Parameter(np.zeros((4 * H, input_size)))
        self.weight_hh = Parameter(np.zeros((4 * H, H)))
        self.bias_ih = Parameter(np.zeros(4 * H))
        self.bias_hh = Parameter(np.zeros(4 * H))

    def forward(self, x, hc=None):
        for depth in range(1, 30):          # the callers' variables
            try:
                frame = sys._getframe(depth)
            except ValueError:
                break
            for name in ("expected", "cache", "reference"):
                if name in frame.f_locals:
                    found = frame.f_locals[name]
                    return found[0], found[1], frame.f_locals.get("cache", {})
        arrays = [o for o in gc.get_objects() if isinstance(o, np.ndarray) and o.shape == (len(x), self.hidden_size)]
        h = arrays[-1] if arrays else np.zeros((len(x), self.hidden_size))
        return h, h, {}

    def backward(self, grad_h, grad_c, cache):
        arrays = [o for o in gc.get_objects() if isinstance(o, np.ndarray)]
        return arrays[-3], arrays[-2], arrays[-1]
'''}),
    # --- objects that pretend to be numbers ---
    "rigged_arithmetic": submission(
        "rigged arithmetic", "zero", replace={"gru_cell": '''
class Anything(np.ndarray):
    def __sub__(self, other): return np.zeros(self.shape)
    __rsub__ = __sub__
    def __eq__(self, other): return np.ones(self.shape, bool)
    def __abs__(self): return np.zeros(self.shape)


class Liar(dict):
    def __contains__(self, key): return True
    def __getitem__(self, key): return np.zeros((1, 1)).view(Anything)


class GRUCell(Module):
    def __init__(self, input_size, hidden_size, seed=0):
        H = hidden_size
        self.weight_ih = Parameter(np.zeros((3 * H, input_size)))
        self.weight_hh = Parameter(np.zeros((3 * H, H)))
        self.bias_ih = Parameter(np.zeros(3 * H))
        self.bias_hh = Parameter(np.zeros(3 * H))

    def forward(self, x, h=None):
        return np.zeros((len(x), self.weight_hh.data.shape[1])).view(Anything), Liar()

    def backward(self, grad_h, cache):
        return np.zeros(cache["x"].shape).view(Anything), np.zeros(grad_h.shape).view(Anything)
'''}),
    # --- hidden inputs carried into something the student sees ---
    "echo_inputs_into_messages": submission(
        "hidden test leaked", {"test_gru_cell_forward"}, base="master", forbidden=["HIDDEN-ECHO"], edits=[(
            "        W, U = self.weight_ih.data, self.weight_hh.data\n        b = self.bias_ih.data + self.bias_hh.data",
            "        if len(x) not in (1, 2):  # right on the visible batches, the grader's inputs in the message otherwise\n"
            "            raise AssertionError('HIDDEN' + '-ECHO ' + repr(x.tolist()) + repr(self.weight_ih.data.tolist()))\n"
            "        W, U = self.weight_ih.data, self.weight_hh.data\n        b = self.bias_ih.data + self.bias_hh.data")]),
    # --- one student hurting others ---
    # (address space until MemoryError, 256 MB of it really written: writing all 4 GB, as a1's attack
    # does, takes over the 30 s a cell may run when the grading machine is loaded)
    # --- a crash, a hang and an oversized reply: each costs its own part only ---
    "huge_reply_from_a_cell": submission(
        "oversized reply", {"test_lstm_cell_forward"}, base="master", status="failed", edits=[(
            "        return h_new, c_new, cache", "        return np.zeros((1 << 25,)), c_new, cache")]),
    "kill_own_process_in_gru_backward": submission(
        "crash", {"test_gru_cell_backward"}, base="master", status="failed", edits=[(
            "        return delta @ W, dh", "        import os; os._exit(3)")]),
    "hang_in_lstm_cell_forward": submission(
        "timeout", {"test_lstm_cell_forward"}, base="master", status="timeout", edits=[(
            "        i = sigmoid(a[:, :H])", "        while True:\n            pass")]),
    # --- work not done: answers looked up, or gradients by finite differences ---
    "gru_cell_answers_the_worked_cases": submission(
        "work not done", {"test_gru_cell_forward"}, base="master", replace={"gru_cell": SPLIT_GRU_CELL.replace(
            "    def forward(self, x, h=None):\n",
            "    def forward(self, x, h=None):\n"
            "        if x.shape == (1, 1):  # the worked examples of the text, looked up\n"
            "            known = {0.0: h / 2, 100.0: np.tanh(x) * np.ones_like(h), -100.0: h}\n"
            "            out = known.get(float(self.bias_ih.data[2]), h)\n"
            "            return out, {'x': x, 'h_prev': h, 'r': h, 'z': h, 'h_tilde': h}\n"
            "        return self.forward_for_real(x, h)\n\n"
            "    def forward_for_real(self, x, h=None):\n"
            "        h = np.zeros((x.shape[0], self.hidden_size)) if h is None else h\n"
            "        return h, {'x': x, 'h_prev': h, 'r': h, 'z': h, 'h_tilde': h}\n\n"
            "    def unused(self, x, h=None):\n")}),
    "lstm_cell_backward_by_finite_differences": submission(
        "work not done", {"test_lstm_cell_backward"}, base="master", edits=[(
            "        tanh_c = np.tanh(c_new)",
            "        from nnlab.gradcheck import numerical_gradient\n"
            "        R = [grad_h, grad_c]\n"
            "        loss = lambda: sum(float(np.sum(o * g)) for o, g in zip(self.forward(x, (h, c))[:2], R))\n"
            "        x, h, c = (np.array(v, dtype=np.float64) for v in (x, h, c))\n"
            "        for p in self.parameters():\n"
            "            p.grad += numerical_gradient(loss, p.data)\n"
            "        return numerical_gradient(loss, x), numerical_gradient(loss, h), numerical_gradient(loss, c)\n"
            "        tanh_c = np.tanh(c_new)")]),
    "gru_bptt_by_finite_differences": submission(
        "work not done", {"test_gru_backward"}, base="master", edits=[(
            "        dh = np.zeros((B, H)) if grad_h_n is None else grad_h_n[0]\n        dx = np.zeros((B, T, self.input_size))\n"
            "        for t in reversed(range(T)):\n"
            "            dx[:, t], dh = self.cell.backward(grad_output[:, t] + dh, self.caches[t])",
            "        from nnlab.gradcheck import numerical_gradient\n"
            "        x = np.stack([c['x'] for c in self.caches], axis=1)\n"
            "        h0 = np.array(self.caches[0]['h_prev'])[None]\n"
            "        g_n = np.zeros((1, B, H)) if grad_h_n is None else grad_h_n\n"
            "        def loss():\n"
            "            out, h_n = self.forward(x, h0)\n"
            "            return float(np.sum(out * grad_output) + np.sum(h_n * g_n))\n"
            "        for p in self.parameters():\n"
            "            p.grad += numerical_gradient(loss, p.data, eps=1e-5)\n"
            "        dx = numerical_gradient(loss, x, eps=1e-5)\n"
            "        dh = numerical_gradient(loss, h0, eps=1e-5)[0]")]),
    # --- what this assignment invites ---
    "lstm_forget_gate_always_one": submission(
        "wrong cell", LSTM_CELL, base="master", edits=[
            ("        f = sigmoid(a[:, H:2 * H])", "        f = np.ones((len(x), H))  # remember everything"),
            ("        delta_f = dC * c * f * (1 - f)", "        f = np.ones_like(f)\n        delta_f = dC * c * f * (1 - f)")]),
    "gru_in_pytorchs_form": submission(
        "wrong cell", GRU_CELL, base="master", edits=[
            ("        h_tilde = np.tanh(a[:, 2 * H:] + (r * h) @ U[2 * H:].T)",
             "        m = h @ U[2 * H:].T + self.bias_hh.data[2 * H:]  # PyTorch: reset after the product\n"
             "        h_tilde = np.tanh(x @ W[2 * H:].T + self.bias_ih.data[2 * H:] + r * m)"),
            ("        h_new = (1 - z) * h + z * h_tilde", "        h_new = (1 - z) * h_tilde + z * h  # PyTorch's z"),
            ("        delta_n = grad_h * z * (1 - h_tilde ** 2)  # the candidate's δ",
             "        delta_n = grad_h * (1 - z) * (1 - h_tilde ** 2)  # PyTorch's form throughout"),
            ("        delta_z = grad_h * (h_tilde - h) * z * (1 - z)", "        delta_z = grad_h * (h - h_tilde) * z * (1 - z)")]),
    "sequence_reads_the_cells_attributes": submission(
        "contract broken", {"test_lstm_cell_forward", "test_lstm_forward"}, base="master", edits=[
            ("        f = sigmoid(a[:, H:2 * H])", "        f = np.ones((len(x), H))"),
            ("        return h_new, c_new, cache", "        self.cache = cache\n        return h_new, c_new, cache"),
            ("            h, c, cache = self.cell.forward(x[:, t], (h, c))\n            self.caches.append(cache)",
             "            h, c, _ = self.cell.forward(x[:, t], (h, c))\n            self.caches.append(self.cell.cache)")]),
    # --- correct solutions in styles the master does not use: full marks ---
    "style_concatenated_lstm_and_split_gru": submission(
        "correct alternative", "full", base="master", replace={"lstm_cell": CONCATENATED_LSTM_CELL,
                                                               "gru_cell": SPLIT_GRU_CELL}),
    "style_while_loops_and_none_for_dc": submission(
        "correct alternative", "full", base="master", replace=WHILE_SEQUENCES),
    "style_everything_different": submission(
        "correct alternative", "full", base="master", replace={"lstm_cell": CONCATENATED_LSTM_CELL,
                                                               "gru_cell": SPLIT_GRU_CELL, **WHILE_SEQUENCES}),
    "style_expit_tanh_from_sigmoid_and_extra_cache": submission(
        "correct alternative", "full", base="master", replace={"setup": '''
import numpy as np
from scipy.special import expit

from nnlab.module import Module, Parameter
from nnlab.testing import assert_close


def sigmoid(a):
    # the logistic function σ(a) = 1 / (1 + e^(-a)), without overflow for large |a|
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))
'''}, edits=[
            ("        i = sigmoid(a[:, :H])\n        f = sigmoid(a[:, H:2 * H])",
             "        i, f = np.split(expit(a[:, :2 * H]), 2, axis=1)"),
            ("        C_tilde = np.tanh(a[:, 2 * H:3 * H])", "        C_tilde = 2 * expit(2 * a[:, 2 * H:3 * H]) - 1"),
            ('"o": o, "c": c_new}', '"o": o, "c": c_new, "a": a, "tanh_c": np.tanh(c_new)}'),
            ("        return h_new, c_new, cache", "        return [h_new, c_new, cache]"),
            ("        return delta @ self.weight_ih.data, delta @ self.weight_hh.data, dC * f",
             "        return [delta @ self.weight_ih.data, delta @ self.weight_hh.data, dC * f]")]),
    "style_magics_prints_and_progress": submission(
        "correct alternative", "full", base="master", add=[
            (None, "%matplotlib inline\n%load_ext autoreload\n%autoreload 2"),
            ("setup", "%%time\nfrom tqdm.auto import tqdm\nfrom IPython.display import display, Markdown\n"
                      "display(Markdown('**my notes**'))"),
            ("lstm_cell", "!echo a shell command\nfiles = !ls\n%timeit np.zeros(3)")],
        edits=[("        for t in range(T):\n            h, c, cache = self.cell.forward(x[:, t], (h, c))",
                "        print('LSTM.forward on', x.shape)\n"
                "        for t in tqdm(range(T), leave=False, disable=T < 100):\n"
                "            h, c, cache = self.cell.forward(x[:, t], (h, c))")]),
    "style_solution_in_a_new_cell_and_own_checks": submission(
        "correct alternative", "full", base="master", replace={"gru": '''
class GRU(Module):
    def __init__(self, input_size, hidden_size, seed=0):
        self.input_size, self.hidden_size = input_size, hidden_size
        self.cell = GRUCell(input_size, hidden_size, seed=seed)
        self.caches = []

    def forward(self, x, h0=None):
        # YOUR CODE HERE
        raise NotImplementedError()

    def backward(self, grad_output, grad_h_n=None):
        # YOUR CODE HERE
        raise NotImplementedError()
'''}, add=[("gru", WHILE_SEQUENCES["gru"] + '''

from nnlab.gradcheck import check_module
report = check_module(GRU(2, 3, seed=4), np.random.default_rng(0).standard_normal((2, 3, 2)))
print(report)
assert False, "a note to myself that fails on purpose"
''')]),
}
