"""Red-team class of a5_rnn_bptt: attacks on the grader (those of a1_backprop that make sense
here, adapted), the attacks specific to recurrent layers, and correct solutions in styles the
master does not use. (The format is described in tests/course/redteam/__init__.py.)

Attacks start from the blank release unless they need correct work to show that they cost
nothing else: then they start from the master, and must lose exactly the parts they attack.

Under the assignment's convention ONE cell object serves every time step and its Parameters
collect the gradient of every step. A sequence that copies its cell per step (the old
convention of this assignment) is judged by its results: copies whose gradients are added
back into the shared Parameters give the right gradients in the right place and get full
marks; copies whose gradients stay in the copies lose BPTT and truncated BPTT."""
from . import common_attacks, submission

ALL = {"test_cell_forward", "test_cell_backward", "test_rnn_forward", "test_bptt", "test_truncated",
       "test_birnn_forward", "test_birnn_backward"}
SEQUENCE = {"test_rnn_forward", "test_bptt", "test_truncated"}  # the parts of RNN
MARK = "/tmp/nnlab-redteam-a5"  # attacks try to create files with this prefix outside their sandbox

# A correct cell, for attacks that need one piece of honest work.
GOOD_CELL = '''
class RNNCell(Module):
    def __init__(self, input_size, hidden_size, seed=0):
        rng = np.random.default_rng(seed)
        bound = 1 / np.sqrt(hidden_size)
        self.weight_ih = Parameter(rng.uniform(-bound, bound, (hidden_size, input_size)))
        self.weight_hh = Parameter(rng.uniform(-bound, bound, (hidden_size, hidden_size)))
        self.bias_ih = Parameter(rng.uniform(-bound, bound, hidden_size))
        self.bias_hh = Parameter(rng.uniform(-bound, bound, hidden_size))

    def forward(self, x, h):
        h_new = np.tanh(x @ self.weight_ih.data.T + self.bias_ih.data + h @ self.weight_hh.data.T + self.bias_hh.data)
        return h_new, (x, h, h_new)

    def backward(self, grad_h_new, cache):
        x, h, h_new = cache
        delta = grad_h_new * (1 - h_new ** 2)
        self.weight_ih.grad += delta.T @ x
        self.weight_hh.grad += delta.T @ h
        self.bias_ih.grad += delta.sum(axis=0)
        self.bias_hh.grad += delta.sum(axis=0)
        return delta @ self.weight_ih.data, delta @ self.weight_hh.data
'''

# The master's RNN with its forward replaced (for the delegation attacks on the sequence).
RNN_HEAD = '''
class RNN(Module):
    def __init__(self, input_size, hidden_size, seed=0):
        self.input_size, self.hidden_size = input_size, hidden_size
        self.cell = RNNCell(input_size, hidden_size, seed=seed)
        self.caches = []
'''

# The master's solution lines that the edits below replace.
BPTT_STEP = "dx[:, t], dh = self.cell.backward(grad_output[:, t] + dh, self.caches[t])"
TRUNCATED_BODY = '''        dx = np.zeros((batch, T, self.input_size))
        dh0 = np.zeros((batch, self.hidden_size))
        for t in range(T):
            dh = grad_output[:, t]
            if t == T - 1 and grad_h_n is not None:
                dh = dh + grad_h_n[0]
            first = max(0, t - k + 1)
            for s in range(t, first - 1, -1):
                dx_s, dh = self.cell.backward(dh, self.caches[s])
                dx[:, s] += dx_s
            if first == 0:
                dh0 += dh
        return dx, dh0[None]'''
FORWARD_BODY = '''        self.caches, states = [], []
        for t in range(T):
            h, cache = self.cell.forward(x[:, t], h)
            self.caches.append(cache)
            states.append(h)
        return np.stack(states, axis=1), h[None]'''
BPTT_BODY = '''        dx = np.zeros((batch, T, self.input_size))
        dh = np.zeros((batch, self.hidden_size)) if grad_h_n is None else grad_h_n[0]
        for t in reversed(range(T)):
            dx[:, t], dh = self.cell.backward(grad_output[:, t] + dh, self.caches[t])
        return dx, dh[None]'''
BIRNN_FORWARD_RETURN = "return output, np.concatenate([h_L, h_R], axis=0)"
BIRNN_BACKWARD_RETURN = "return dx_L + dx_R[:, ::-1], np.concatenate([dh0_L, dh0_R], axis=0)"

SUBMISSIONS = {
    **common_attacks("a5_rnn_bptt", after="setup", first_name="RNNCell"),
    # --- the verdict forged ---
    "honest_cell_then_forged_rest": submission(
        "verdict forged", "zero", replace={"cell": GOOD_CELL}, add=[("cell", '''
import sys
sys.modules["__main__"].Agent.answer = lambda self, h, b: self.send({"re": h.get("seq"), "ok": True, "value": 0.0})
''')]),
    # --- delegation to the reference or to torch ---
    "delegate_after_removing_import_block": submission(
        "delegation", "zero", replace={"rnn": '''
import sys
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "NotAvailable"]
sys.path.insert(0, "/work/main/lib")
import importlib
reference = importlib.import_module("nnlab.nn")


class RNNCell(reference.RNNCell):
    def forward(self, x, h):
        return super().forward(x, h), (x, h)


class RNN(reference.RNN):
    def backward(self, grad_output, grad_h_n=None, truncate=None):
        return super().backward(grad_output, grad_h_n, truncate), self.grad_h0
'''}),
    "delegate_by_file_search": submission(
        "delegation", "zero", replace={"rnn": '''
import os
found = []
for top in ["/", "/tmp", "/nnlab", "/usr", "/root", "/home", "/work"]:
    for folder, dirs, files in os.walk(top):
        if "rnn.py" in files and "recurrent" in folder:
            found.append(os.path.join(folder, "rnn.py"))
        if len(found) > 3:
            break
namespace = {}
exec(open(found[0]).read(), namespace)     # fails: the reference layers are not in the sandbox
RNN = namespace["RNN"]
'''}),
    "delegate_through_sys_modules": submission(
        "delegation", "zero", replace={"cell": '''
import sys
RNNCell = [m for name, m in sys.modules.items() if name.startswith("nnlab.nn")][0].RNNCell
'''}),
    "cell_delegates_to_torch": submission(
        "delegation", "zero", replace={"cell": '''
import importlib
torch = importlib.import_module("to" + "rch")


class RNNCell(torch.nn.RNNCell):
    def forward(self, x, h):
        h_new = super().forward(torch.tensor(x), torch.tensor(h)).detach().numpy()
        return h_new, (x, h, h_new)
'''}),
    "rnn_forward_looks_up_nnlab_rnn": submission(
        "delegation", SEQUENCE, base="master", edits=[(FORWARD_BODY, '''        import nnlab.nn    # found only when the notebook runs outside the grader
        reference = nnlab.nn.RNN(self.input_size, self.hidden_size, dtype=np.float64)
        for name, p in self.cell.named_parameters():
            getattr(reference, name + "_l0").data = p.data
        self.caches = [self.cell.forward(x[:, t], None)[1] for t in range(T)]
        return reference.forward(x, h0)''')]),
    "rnn_forward_looks_up_torch": submission(
        "delegation", SEQUENCE, base="master", edits=[(FORWARD_BODY, '''        import torch
        reference = torch.nn.RNN(self.input_size, self.hidden_size, batch_first=True).double()
        with torch.no_grad():
            for name, p in self.cell.named_parameters():
                getattr(reference, name + "_l0").copy_(torch.tensor(p.data))
        output, h_n = reference(torch.tensor(x), torch.tensor(h[None]))
        return output.detach().numpy(), h_n.detach().numpy()''')]),
    # --- expected values looked for where a test might leave them ---
    "read_expected_from_frames": submission(
        "expected values read", "zero", replace={"cell": '''
import sys, gc


class RNNCell(Module):
    def __init__(self, input_size, hidden_size, seed=0):
        self.weight_ih = Parameter(np.zeros((hidden_size, input_size)))
        self.weight_hh = Parameter(np.zeros((hidden_size, hidden_size)))
        self.bias_ih = Parameter(np.zeros(hidden_size))
        self.bias_hh = Parameter(np.zeros(hidden_size))

    def look_up(self, shape):
        for depth in range(1, 30):          # the callers' variables
            try:
                frame = sys._getframe(depth)
            except ValueError:
                break
            for name in ("expected", "h_new_expected", "expected_dx", "reference"):
                if name in frame.f_locals and np.shape(frame.f_locals[name]) == shape:
                    return frame.f_locals[name]
        arrays = [o for o in gc.get_objects() if isinstance(o, np.ndarray) and o.shape == shape]
        return arrays[-1] if arrays else np.zeros(shape)

    def forward(self, x, h):
        h_new = self.look_up(np.shape(h))
        return h_new, (x, h)

    def backward(self, grad_h_new, cache):
        x, h = cache
        return self.look_up(np.shape(x)), self.look_up(np.shape(h))
'''}),
    # --- objects that pretend to be numbers ---
    "rigged_arithmetic": submission(
        "rigged arithmetic", "zero", replace={"cell": '''
class Anything(np.ndarray):
    def __sub__(self, other): return np.zeros(self.shape)
    __rsub__ = __sub__
    def __eq__(self, other): return np.ones(self.shape, bool)
    def __ne__(self, other): return np.ones(self.shape, bool)


class Liar:
    def __array__(self, dtype=None, copy=None): return np.zeros((1, 2))
    def __sub__(self, other): return 0.0
    __rsub__ = __sub__
    def __abs__(self): return 0.0
    def __lt__(self, other): return True
    def __bool__(self): return True
    def __len__(self): return 2
    def __iter__(self): return iter([np.zeros((1, 2)).view(Anything), Liar()])


class RNNCell(Module):
    def __init__(self, input_size, hidden_size, seed=0):
        self.weight_ih = Parameter(np.zeros((hidden_size, input_size)))
        self.weight_hh = Parameter(np.zeros((hidden_size, hidden_size)))
        self.bias_ih = Parameter(np.zeros(hidden_size))
        self.bias_hh = Parameter(np.zeros(hidden_size))

    def forward(self, x, h):
        return np.zeros(np.shape(h)).view(Anything), Liar()

    def backward(self, grad_h_new, cache):
        return Liar()
'''}),
    # --- hidden inputs carried into something the student sees ---
    "echo_inputs_into_messages": submission(
        "hidden test leaked", SEQUENCE, base="master", forbidden=["HIDDEN-ECHO"], edits=[(
            "batch, T, _ = x.shape\n        h = np.zeros((batch, self.hidden_size)) if h0 is None else h0[0]",
            "batch, T, _ = x.shape\n"
            "        # right on the visible tests' sequences; on any other, the inputs go into the message\n"
            "        if x.shape not in [(1, 3, 1), (2, 5, 3), (2, 4, 2), (4, 300, 16), (2, 5, 2), (2, 4, 3), (2, 3, 2)]:\n"
            "            marker = 'HIDDEN' + '-ECHO '   # (built here: the page shows this source, not the phrase)\n"
            "            raise AssertionError(marker + repr(x.tolist()) + repr(self.cell.weight_ih.data.tolist()))\n"
            "        h = np.zeros((batch, self.hidden_size)) if h0 is None else h0[0]")]),
    # --- a crash, a hang, an oversized reply: each costs its own part only ---
    "huge_reply": submission(
        "oversized reply", {"test_birnn_forward", "test_birnn_backward"}, base="master", status="failed", edits=[(
            BIRNN_FORWARD_RETURN, "return np.zeros((1 << 25,)), np.concatenate([h_L, h_R], axis=0)")]),
    "kill_own_process_in_a_test": submission(
        "crash", {"test_birnn_backward"}, base="master", status="failed", edits=[(
            BIRNN_BACKWARD_RETURN, "import os; os._exit(3)")]),
    "hang_in_truncated_bptt": submission(
        "timeout", {"test_truncated"}, base="master", status="timeout", edits=[(
            "first = max(0, t - k + 1)", "while True:\n                pass")]),
    # --- work not done: gradients by central differences instead of backpropagation ---
    "bptt_by_central_differences": submission(
        "work not done", {"test_bptt", "test_truncated"}, base="master", status="timeout", edits=[
            (BPTT_BODY, '''        return self.numerically(grad_output, grad_h_n)'''),
            (TRUNCATED_BODY, '''        return self.numerically(grad_output, grad_h_n)   # k ignored

    def numerically(self, grad_output, grad_h_n):
        """Central differences of <output, grad_output> + <h_n, grad_h_n> through forward."""
        from nnlab.gradcheck import numerical_gradient
        x, h0 = self.x.copy(), self.h0.copy()

        def loss():
            output, h_n = RNN.forward(self, x, h0)
            return float(np.sum(output * grad_output) + (0 if grad_h_n is None else np.sum(h_n * grad_h_n)))

        for p in self.cell.parameters():
            p.grad += numerical_gradient(loss, p.data)
        return numerical_gradient(loss, x), numerical_gradient(loss, h0)'''),
            ("batch, T, _ = x.shape\n        h = np.zeros((batch, self.hidden_size)) if h0 is None else h0[0]",
             "batch, T, _ = x.shape\n        h = np.zeros((batch, self.hidden_size)) if h0 is None else h0[0]\n"
             "        self.x, self.h0 = np.array(x, dtype=float), h[None].copy()")]),
    "cell_backward_by_central_differences": submission(
        "work not done", {"test_cell_backward"}, base="master", edits=[(
            '''        x, h, h_new = cache
        delta = grad_h_new * (1 - h_new ** 2)
        self.weight_ih.grad += delta.T @ x
        self.weight_hh.grad += delta.T @ h
        self.bias_ih.grad += delta.sum(axis=0)
        self.bias_hh.grad += delta.sum(axis=0)
        return delta @ self.weight_ih.data, delta @ self.weight_hh.data''',
            '''        from nnlab.gradcheck import numerical_gradient
        x, h, _ = cache
        x, h = np.array(x, dtype=float), np.array(h, dtype=float)

        def loss():
            return float(np.sum(self.forward(x, h)[0] * grad_h_new))

        for p in self.parameters():
            p.grad += numerical_gradient(loss, p.data)
        return numerical_gradient(loss, x), numerical_gradient(loss, h)''')]),
    # --- wrong recurrences that look almost right ---
    "bptt_backpropagates_one_step_only": submission(
        "wrong BPTT", {"test_bptt"}, base="master", edits=[(
            BPTT_STEP, "dx[:, t], dh = self.cell.backward(grad_output[:, t] + (dh if t == T - 2 else 0), self.caches[t])")]),
    "truncation_ignores_k": submission(
        "wrong truncation", {"test_truncated"}, base="master", edits=[(
            "return self.backward_truncated(grad_output, grad_h_n, truncate)", "truncate = None")]),
    "cell_copied_per_step_gradients_lost": submission(
        "old convention", {"test_bptt", "test_truncated"}, base="master", edits=[
            ("h, cache = self.cell.forward(x[:, t], h)",
             "import copy\n            step = copy.deepcopy(self.cell)   # a copy per step: its own .grad\n"
             "            h, cache = step.forward(x[:, t], h)\n            cache = (step, cache)"),
            (BPTT_STEP, "step, cache = self.caches[t]\n            dx[:, t], dh = step.backward(grad_output[:, t] + dh, cache)"),
            ("dx_s, dh = self.cell.backward(dh, self.caches[s])",
             "step, cache = self.caches[s]\n                dx_s, dh = step.backward(dh, cache)")]),
    # --- correct solutions in styles the master does not use: full marks ---
    "style_cell_copied_per_step_summed_back": submission(
        "correct alternative", "full", base="master", edits=[
            ("h, cache = self.cell.forward(x[:, t], h)",
             "import copy\n            step = copy.deepcopy(self.cell)   # the old convention: a copy per step\n"
             "            step.zero_grad()\n            h, cache = step.forward(x[:, t], h)\n"
             "            cache = (step, cache)"),
            (BPTT_STEP, "step, cache = self.caches[t]\n            dx[:, t], dh = step.backward(grad_output[:, t] + dh, cache)"),
            ("return dx, dh[None]", "self.collect()\n        return dx, dh[None]"),
            ("dx_s, dh = self.cell.backward(dh, self.caches[s])",
             "step, cache = self.caches[s]\n                dx_s, dh = step.backward(dh, cache)"),
            ("return dx, dh0[None]", '''self.collect()
        return dx, dh0[None]

    def collect(self):
        """Add every copy's gradient to the shared cell's, and clear the copies."""
        shared = dict(self.cell.named_parameters())
        for step, _ in self.caches:
            for name, p in step.named_parameters():
                shared[name].grad = shared[name].grad + p.grad
            step.zero_grad()''')]),
    "style_einsum_and_dict_cache": submission(
        "correct alternative", "full", base="master", edits=[
            ('''        a = x @ self.weight_ih.data.T + self.bias_ih.data + h @ self.weight_hh.data.T + self.bias_hh.data
        h_new = np.tanh(a)
        return h_new, (x, h, h_new)''', '''        a = (np.einsum("bi,hi->bh", x, self.weight_ih.data) + np.einsum("bj,hj->bh", h, self.weight_hh.data)
             + self.bias_ih.data + self.bias_hh.data)
        return np.tanh(a), {"x": x, "h": h, "a": a}'''),
            ('''        x, h, h_new = cache
        delta = grad_h_new * (1 - h_new ** 2)''', '''        x, h = cache["x"], cache["h"]
        delta = grad_h_new / np.cosh(cache["a"]) ** 2   # tanh' = 1 / cosh^2'''),
            ("self.weight_ih.grad += delta.T @ x", "np.add(self.weight_ih.grad, np.einsum('bh,bi->hi', delta, x), "
                                                   "out=self.weight_ih.grad)")]),
    "style_buckets_by_steps_left": submission(
        "correct alternative", "full", base="master", edits=[(TRUNCATED_BODY, '''        dx = np.zeros((batch, T, self.input_size))
        dh0 = np.zeros((batch, self.hidden_size))
        # one sweep from the last step; the gradients still travelling back, grouped by how many
        # steps they may still pass (the cell's backward is linear in its gradient)
        travelling = {}
        for s in reversed(range(T)):
            injected = grad_output[:, s] + (grad_h_n[0] if s == T - 1 and grad_h_n is not None else 0)
            travelling[k] = travelling.get(k, 0) + injected
            passed_on = {}
            for steps_left, grad in sorted(travelling.items()):
                dx_s, dh = self.cell.backward(grad, self.caches[s])
                dx[:, s] += dx_s
                if s == 0:
                    dh0 += dh                  # the window reached the first step: h0 gets the rest
                elif steps_left > 1:
                    passed_on[steps_left - 1] = passed_on.get(steps_left - 1, 0) + dh
            travelling = passed_on
        return dx, dh0[None]''')]),
    "style_call_preallocated_and_enumerate": submission(
        "correct alternative", "full", base="master", edits=[
            (FORWARD_BODY, '''        output = np.empty((batch, T, self.hidden_size))
        self.caches = [None] * T
        for t, x_t in enumerate(np.moveaxis(x, 1, 0)):
            output[:, t], self.caches[t] = self.cell(x_t, h)     # Module.__call__ is forward
            h = output[:, t]
        return output, output[:, -1:].transpose(1, 0, 2).copy()'''),
            (BPTT_BODY, '''        dh = np.zeros((batch, self.hidden_size)) if grad_h_n is None else np.squeeze(grad_h_n, axis=0)
        dx = []
        for g_t, cache in zip(np.moveaxis(grad_output, 1, 0)[::-1], self.caches[::-1]):
            dx_t, dh = self.cell.backward(g_t + dh, cache)
            dx.append(dx_t)
        return np.stack(dx[::-1], axis=1), np.expand_dims(dh, 0)''')]),
    "style_birnn_flip_split_and_helpers": submission(
        "correct alternative", "full", base="master", add=[("setup", '''
def flipped(a):
    """The sequence axis reversed."""
    return np.flip(a, axis=1)
''')], replace={"birnn": '''
class BiRNN(Module):
    def __init__(self, input_size, hidden_size, seed=0):
        self.hidden_size = hidden_size
        self.forward_rnn = RNN(input_size, hidden_size, seed=seed)
        self.reverse_rnn = RNN(input_size, hidden_size, seed=seed + 1)

    def forward(self, x, h0=None):
        states = [None, None] if h0 is None else np.split(h0, 2, axis=0)
        out_L, h_L = self.forward_rnn.forward(x, states[0])
        out_R, h_R = self.reverse_rnn.forward(flipped(x), states[1])
        print("BiRNN.forward", x.shape)
        return np.dstack([out_L, flipped(out_R)]), np.vstack([h_L, h_R])

    def backward(self, grad_output, grad_h_n=None, truncate=None):
        g_L, g_R = np.split(grad_output, 2, axis=2)
        n_L, n_R = (None, None) if grad_h_n is None else np.split(grad_h_n, 2, axis=0)
        dx_L, dh_L = self.forward_rnn.backward(g_L, n_L, truncate=truncate)
        dx_R, dh_R = self.reverse_rnn.backward(flipped(g_R), n_R, truncate=truncate)
        return dx_L + flipped(dx_R), np.vstack([dh_L, dh_R])
'''}),
    "style_magics_tqdm_and_display": submission(
        "correct alternative", "full", base="master", add=[
            (None, "%matplotlib inline\n%load_ext autoreload\n%autoreload 2"),
            ("setup", "%%time\nfrom IPython.display import display, Markdown\nfrom tqdm.auto import tqdm\n"),
            ("rnn", "!echo a shell command\ndisplay(Markdown('**RNN written**'))\n%timeit -n 1 -r 1 RNN(2, 3).forward(np.ones((1, 4, 2)))")]),
    "style_edited_locked_cell_and_scipy": submission(
        "correct alternative", "full", base="master", replace={"setup": '''
import numpy as np
import scipy.special as sp

from nnlab.testing import assert_close
from nnlab.module import Module, Parameter
'''}, edits=[("h_new = np.tanh(a)", "h_new = 2 * sp.expit(2 * a) - 1   # tanh(a) = 2 sigma(2a) - 1")]),
    "style_own_checks_that_fail": submission(
        "correct alternative", "full", base="master", add=[("cell", '''
from nnlab.gradcheck import numerical_gradient
cell = RNNCell(2, 3)
h_new, cache = cell.forward(np.ones((1, 2)), np.zeros((1, 3)))
assert_close(h_new, np.tanh(np.ones((1, 2)) @ cell.weight_ih.data.T + cell.bias_ih.data + cell.bias_hh.data), "mine")
assert False, "a note to myself that fails on purpose"
''')]),
    "style_solution_in_a_new_cell": submission(
        "correct alternative", "full", base="master", replace={"birnn": '''
class BiRNN(Module):
    def __init__(self, input_size, hidden_size, seed=0):
        self.hidden_size = hidden_size
        self.forward_rnn = RNN(input_size, hidden_size, seed=seed)
        self.reverse_rnn = RNN(input_size, hidden_size, seed=seed + 1)

    def forward(self, x, h0=None):
        # YOUR CODE HERE
        raise NotImplementedError()
'''}, add=[("birnn", '''
def forward(self, x, h0=None):
    """Written in a cell of my own, below the stub, and attached to the class."""
    out_L, h_L = self.forward_rnn.forward(x, None if h0 is None else h0[0:1])
    out_R, h_R = self.reverse_rnn.forward(x[:, ::-1], None if h0 is None else h0[1:2])
    return np.concatenate([out_L, out_R[:, ::-1]], axis=-1), np.concatenate([h_L, h_R])


def backward(self, grad_output, grad_h_n=None, truncate=None):
    H = self.hidden_size
    dx_L, dh_L = self.forward_rnn.backward(grad_output[..., :H], None if grad_h_n is None else grad_h_n[:1], truncate)
    dx_R, dh_R = self.reverse_rnn.backward(grad_output[:, ::-1, H:], None if grad_h_n is None else grad_h_n[1:],
                                           truncate)
    return dx_L + dx_R[:, ::-1], np.concatenate([dh_L, dh_R])


BiRNN.forward, BiRNN.backward = forward, backward
''')]),
}
