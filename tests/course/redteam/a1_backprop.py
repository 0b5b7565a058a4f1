"""Red-team class of a1_backprop: attacks on the grader, one or more per category of the
grading trust-boundary issue, and correct solutions in styles the master does not use.
(The format is described in tests/course/redteam/__init__.py.)

Attacks start from the blank release unless they need correct work to show that they cost
nothing else: then they start from the master and must still get full marks (a kill, a fork,
a flood must not cost a correct student points) while their side effect must not happen
(test_redteam.py checks the machine afterwards)."""
from . import common_attacks, submission

ALL = {"test_linear_forward", "test_linear_backward", "test_sigmoid_forward", "test_sigmoid_backward",
       "test_relu_forward", "test_relu_backward", "test_ce_loss", "test_ce_grad", "test_xor", "test_digits"}
LINEAR = {"test_linear_forward", "test_linear_backward"}
MARK = "/tmp/nnlab-redteam-a1"  # attacks try to create files with this prefix outside their sandbox

# A correct Linear, for attacks that need one piece of honest work.
GOOD_LINEAR = '''
class Linear(Module):
    def __init__(self, in_features, out_features, seed=0):
        rng = np.random.default_rng(seed)
        bound = 1 / np.sqrt(in_features)
        self.weight = Parameter(rng.uniform(-bound, bound, (out_features, in_features)))
        self.bias = Parameter(rng.uniform(-bound, bound, out_features))

    def forward(self, x):
        self.x = x
        return x @ self.weight.data.T + self.bias.data

    def backward(self, grad_out):
        self.weight.grad += grad_out.T @ self.x
        self.bias.grad += grad_out.sum(axis=0)
        return grad_out @ self.weight.data
'''

SUBMISSIONS = {
    **common_attacks("a1_backprop", after="setup", first_name="Linear"),
    # --- the run-time guard switched off, delegation to the reference ---
    "delegate_after_removing_import_block": submission(
        "delegation", "zero", replace={"linear": '''
import sys
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "NotAvailable"]
sys.path.insert(0, "/work/main/lib")
import importlib
Linear = importlib.import_module("nnlab.nn").Linear
'''}),
    "delegate_by_file_search": submission(
        "delegation", "zero", replace={"linear": '''
import os
found = []
for top in ["/", "/tmp", "/nnlab", "/usr", "/root", "/home", "/work"]:
    for folder, dirs, files in os.walk(top):
        if "linear.py" in files and "nn" in folder:
            found.append(os.path.join(folder, "linear.py"))
        if len(found) > 3:
            break
namespace = {}
exec(open(found[0]).read(), namespace)     # fails: the reference layers are not in the sandbox
Linear = namespace["Linear"]
'''}),
    "delegate_to_torch": submission(
        "delegation", "zero", replace={"activations": '''
import importlib
torch = importlib.import_module("to" + "rch")
class Sigmoid(Module):
    def forward(self, z):
        return torch.sigmoid(torch.tensor(z)).numpy()
'''}),
    "delegate_to_sklearn_network": submission(
        "delegation", "zero", replace={"activations": '''
from sklearn.neural_network._base import ACTIVATIONS
class Sigmoid(Module):
    def forward(self, z):
        out = z.copy(); ACTIVATIONS["logistic"](out); return out
'''}),
    "delegate_through_sys_modules": submission(
        "delegation", "zero", replace={"linear": '''
import sys
Linear = [m for name, m in sys.modules.items() if name.startswith("nnlab.nn")][0].Linear
'''}),
    # --- expected values looked for where a test might leave them ---
    "read_expected_from_frames": submission(
        "expected values read", "zero", replace={"linear": '''
import sys, gc
class Linear(Module):
    def __init__(self, in_features, out_features, seed=0):
        self.weight = Parameter(np.zeros((out_features, in_features)))
        self.bias = Parameter(np.zeros(out_features))
    def forward(self, x):
        for depth in range(1, 30):          # look up the callers' variables
            try:
                frame = sys._getframe(depth)
            except ValueError:
                break
            for name in ("expected", "want", "reference"):
                if name in frame.f_locals:
                    return frame.f_locals[name]
        arrays = [o for o in gc.get_objects() if isinstance(o, np.ndarray)
                  and o.shape == (len(x), self.weight.data.shape[0])]
        return arrays[-1] if arrays else np.zeros((len(x), self.weight.data.shape[0]))
    def backward(self, grad_out):
        return np.zeros((len(grad_out), self.weight.data.shape[1]))
'''}),
    # --- objects that pretend to be numbers ---
    "rigged_arithmetic": submission(
        "rigged arithmetic", "zero", replace={"cross_entropy": '''
class AlwaysClose(float):
    def __sub__(self, other): return AlwaysClose(0.0)
    __rsub__ = __sub__
    def __abs__(self): return AlwaysClose(0.0)
    def __lt__(self, other): return True
    __le__ = __lt__
    def __eq__(self, other): return True
    __hash__ = float.__hash__


class Anything(np.ndarray):
    def __sub__(self, other): return np.zeros(self.shape)
    def __eq__(self, other): return np.ones(self.shape, bool)


class Liar:
    def __array__(self, dtype=None, copy=None): return np.zeros((4, 3))
    def __sub__(self, other): return 0.0
    __rsub__ = __sub__
    def __abs__(self): return 0.0
    def __lt__(self, other): return True
    def __bool__(self): return True


def softmax_cross_entropy(logits, labels):
    grad = np.zeros(logits.shape).view(Anything)
    return (AlwaysClose(1.0) if len(labels) % 2 else Liar()), grad
'''}),
    # --- hidden inputs carried into something the student sees ---
    "echo_inputs_into_messages": submission(
        "hidden test leaked", LINEAR, base="master", forbidden=["HIDDEN-ECHO"], replace={"linear": GOOD_LINEAR + '''

    def forward(self, x):
        # right on the visible tests' batches (1 and 4 rows); on anything else, the inputs and
        # the parameters the grader chose go into the error message
        if len(x) not in (1, 4):
            raise AssertionError("HIDDEN-" + "ECHO " + repr(x.tolist()) + repr(self.weight.data.tolist()))
        self.x = x
        return x @ self.weight.data.T + self.bias.data
'''}),
    # --- one student hurting others, or grading itself ---
    "huge_reply": submission(
        "oversized reply", LINEAR, base="master", status="failed", edits=[(
            "return x @ self.weight.data.T + self.bias.data",
            "return np.zeros((1 << 25,)) if len(x) > 0 else x")]),
    "kill_own_process_in_a_test": submission(
        "crash", {"test_linear_backward"}, base="master", edits=[(
            "return grad_out @ self.weight.data", "import os; os._exit(3)")], status="failed"),
    "hang_in_forward": submission(
        "timeout", {"test_sigmoid_forward", "test_sigmoid_backward"}, base="master", status="timeout", edits=[(
            "e = np.exp(-np.abs(z))", "while True:\n            pass")]),
    # --- correct work around hostile code: the points of the honest part only ---
    "honest_linear_then_forged_rest": submission(
        "verdict forged", "zero", replace={"linear": GOOD_LINEAR}, add=[("linear", '''
import sys
sys.modules["__main__"].Agent.answer = lambda self, h, b: self.send({"re": h.get("seq"), "ok": True, "value": 0.0})
''')]),
    "memorize_training_data": submission(
        "work not done", {"test_xor", "test_digits"}, base="master", replace={"network": '''
class TwoLayerNet(Module):
    """Trains nothing: looks every input up in the training data it was shown, and in the
    digits data set the sandbox can load itself."""
    def __init__(self, n_in, n_hidden, n_out, seed=0):
        self.layers = [Linear(n_in, n_hidden, seed=seed), Sigmoid(), Linear(n_hidden, n_out, seed=seed + 1)]
        self.n_out, self.table = n_out, {}
        for X, y in ([data.truth_table("XOR")] if n_in == 2 else []):
            self.table.update({tuple(x): t for x, t in zip(X, y)})
        if n_in == 64:
            d = data.load_digits(dtype=np.float64)
            for X, y in ((d.X_train, d.y_train), (d.X_test, d.y_test)):
                self.table.update({tuple(np.round(x, 6)): t for x, t in zip(X, y)})

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def forward(self, x):
        out = np.zeros((len(x), self.n_out))
        for i, row in enumerate(x):
            out[i, self.table.get(tuple(np.round(row, 6)), 0)] = 10.0
        return out

    def backward(self, grad_out):
        return np.zeros((len(grad_out), self.layers[0].weight.data.shape[1]))


def train(net, X, y, epochs=100, lr=0.5, batch_size=32, seed=0):
    n_batches = epochs * int(np.ceil(len(X) / batch_size))
    return list(np.linspace(1.0, 0.01, n_batches))
'''}),
    # --- correct solutions in styles the master does not use: full marks ---
    "style_warnings_and_scipy": submission(
        "correct alternative", "full", base="master", edits=[
            ("e = np.exp(-np.abs(z))\n        self.s = np.where(z >= 0, 1 / (1 + e), e / (1 + e))",
             "import warnings\n        from scipy.special import expit\n        with warnings.catch_warnings():\n"
             "            warnings.simplefilter('ignore')\n            self.s = expit(z)")]),
    "style_matplotlib_copy_and_reimports": submission(
        "correct alternative", "full", base="master", add=[("linear", """
import copy
import matplotlib.pyplot as plt
import numpy as np
from nnlab.module import Module, Parameter
""")], edits=[
            ("    for _ in range(epochs):", "    snapshot = copy.deepcopy(net.parameters())\n    for _ in range(epochs):"),
            ("            losses.append(loss)\n",
             "            losses.append(loss)\n    fig, ax = plt.subplots()\n    ax.plot(losses)\n    plt.close(fig)\n")]),
    "style_helpers_in_added_cells": submission(
        "correct alternative", "full", base="master", add=[("setup", '''
import math


def affine(x, W, b):
    """x W^T + b, written with einsum."""
    return np.einsum("bi,oi->bo", x, W) + b


def stable_log_softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))
''')], edits=[
            ("return x @ self.weight.data.T + self.bias.data", "return affine(x, self.weight.data, self.bias.data)"),
            ("shifted = logits - logits.max(axis=1, keepdims=True)\n    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))",
             "log_p = stable_log_softmax(logits)")]),
    "style_prints_and_in_place_ops": submission(
        "correct alternative", "full", base="master", edits=[
            ("self.weight.grad += grad_out.T @ self.x",
             "print('Linear.backward', grad_out.shape)\n        np.add(self.weight.grad, grad_out.T @ self.x, out=self.weight.grad)"),
            ("p.grad[...] = 0", "p.grad.fill(0.0)"),
            ("return grad_out * (self.z > 0)", "return np.where(self.z > 0, grad_out, 0.0)")]),
    "style_magics_tqdm_and_display": submission(
        "correct alternative", "full", base="master", add=[
            (None, "%matplotlib inline\n%load_ext autoreload\n%autoreload 2"),
            ("setup", "%%time\n%load_ext autoreload\nfrom IPython.display import display, Markdown\nfrom tqdm.auto import tqdm\n\n\n"
                      "def epochs_of(n):\n    return tqdm(range(n), leave=False)\n"),
            ("network", "!echo a shell command\nfiles = !ls\ndisplay(Markdown('**trained**'))")],
        edits=[("    for _ in range(epochs):", "    for _ in epochs_of(epochs):")]),
    "style_own_checks_that_fail": submission(
        "correct alternative", "full", base="master", add=[("activations", '''
from nnlab.testing import assert_close
from nnlab.gradcheck import numerical_gradient
layer = Sigmoid()
z = np.array([[0.5, -0.5]])
assert_close(layer.forward(z), 1 / (1 + np.exp(-z)), "my sigmoid")
assert False, "a note to myself that fails on purpose"
''')]),
    "style_tanh_sigmoid_and_logsumexp": submission(
        "correct alternative", "full", base="master", edits=[
            ("e = np.exp(-np.abs(z))\n        self.s = np.where(z >= 0, 1 / (1 + e), e / (1 + e))",
             "self.s = 0.5 * (1.0 + np.tanh(0.5 * z))"),
            ("shifted = logits - logits.max(axis=1, keepdims=True)\n    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))",
             "from scipy.special import logsumexp\n    log_p = logits - logsumexp(logits, axis=1, keepdims=True)")]),
    "style_edited_locked_cell": submission(
        "correct alternative", "full", base="master", replace={"setup": '''
import numpy as np
import scipy.special as sp

from nnlab import data
from nnlab.testing import assert_close, check_gradients
from nnlab.module import Module, Parameter
'''}, edits=[("self.s = np.where(z >= 0, 1 / (1 + e), e / (1 + e))", "self.s = sp.expit(z)")]),
    "style_solution_in_a_new_cell": submission(
        "correct alternative", "full", base="master", replace={"cross_entropy": '''
def softmax_cross_entropy(logits, labels):
    # YOUR CODE HERE
    raise NotImplementedError()
'''}, add=[("cross_entropy", '''
def softmax_cross_entropy(logits, labels):
    """Written in a cell of my own, below the stub."""
    n = len(labels)
    log_p = logits - logits.max(axis=1, keepdims=True)
    log_p = log_p - np.log(np.exp(log_p).sum(axis=1, keepdims=True))
    grad = np.exp(log_p)
    grad[np.arange(n), labels] -= 1
    return -log_p[np.arange(n), labels].mean(), grad / n
''')]),
}
