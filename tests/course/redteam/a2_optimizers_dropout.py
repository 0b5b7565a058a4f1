"""Red-team class of a2_optimizers_dropout: attacks on the grader adapted from a1's, the attacks
specific to optimizers and dropout, and correct solutions in styles the master does not use.
(The format is described in tests/course/redteam/__init__.py.)

Attacks start from the blank release unless they need correct work to show that they cost
nothing else: then they start from the master and must still get full marks (a kill, a fork,
a flood must not cost a correct student points) while their side effect must not happen
(test_redteam.py checks the machine afterwards).

The assignment has no training loop of the student's, so "a training loop that fakes its loss
curve" appears as optimizers that make the loss of descend() fall without optimising: they find
the quadratic by its seed and jump to its minimum."""
import json
from pathlib import Path

from . import common_attacks, submission

_MASTER = json.loads((Path(__file__).resolve().parents[3] / "solutions" / "a2_optimizers_dropout"
                      / "a2_optimizers_dropout.ipynb").read_text())
SETUP = next("".join(c["source"]) for c in _MASTER["cells"]
             if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "setup")

OPTIMIZERS = {"test_sgd", "test_momentum", "test_nesterov", "test_rmsprop", "test_adadelta", "test_adam", "test_nadam"}
DROPOUT = {"test_dropout_forward", "test_dropout_backward"}
MARK = "/tmp/nnlab-redteam-a2"  # attacks try to create files with this prefix outside their sandbox

# A correct Adam, for attacks that need one piece of honest work.
GOOD_ADAM = '''
class Adam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, lr)
        self.betas, self.eps = betas, eps

    def update(self, g, w, state):
        gamma, alpha = self.betas
        state["v"] = gamma * state.get("v", 0.0) + (1 - gamma) * g
        state["G"] = alpha * state.get("G", 0.0) + (1 - alpha) * g * g
        v_hat = state["v"] / (1 - gamma ** self.k)
        G_hat = state["G"] / (1 - alpha ** self.k)
        return self.lr * v_hat / (np.sqrt(G_hat) + self.eps)
'''

SUBMISSIONS = {
    **common_attacks("a2_optimizers_dropout", after="setup", first_name="SGD"),
    # --- the verdict forged ---
    "forge_mirrored_parameters": submission(
        "verdict forged", "zero", replace={"sgd": '''
import sys
agent = sys.modules["__main__"]
original = agent.Agent.mirrors_out
def mirrors_out(self, encoder):
    """Reply with parameters the grader never sent, and with arrays of the wrong kind."""
    out = original(self, encoder)
    out["999999"] = {"data": encoder(np.zeros(2)), "grad": None, "mask": None}
    return out
agent.Agent.mirrors_out = mirrors_out


class SGD(Optimizer):
    def __init__(self, params, lr=0.01, weight_decay=0.0):
        super().__init__(params, lr)
        self.weight_decay = weight_decay

    def update(self, g, w, state):
        return self.lr * (g + self.weight_decay * w)
'''}, status="failed"),
    # --- delegation to the reference or to torch ---
    "delegate_to_nnlab_optim": submission(
        "delegation", "zero", replace={"adam": '''
import sys, importlib
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "NotAvailable"]
sys.path.insert(0, "/work/main/lib")
optim = importlib.import_module("nnlab.optim")
Adam, Nadam, RMSProp, AdaDelta = optim.Adam, optim.Nadam, optim.RMSProp, optim.AdaDelta
clip_grad_norm = optim.clip_grad_norm
'''}),
    "delegate_by_file_search": submission(
        "delegation", "zero", replace={"rmsprop": '''
import os
found = []
for top in ["/nnlab", "/usr", "/tmp", "/root", "/home", "/work"]:
    for folder, dirs, files in os.walk(top):
        found += [os.path.join(folder, f) for f in files if f == "optim.py"]
namespace = {"np": np}
exec(open(found[0]).read(), namespace)     # fails: the reference optimizers are not in the sandbox
RMSProp = namespace["RMSProp"]
'''}),
    "delegate_to_torch": submission(
        "delegation", "zero", replace={"adam": '''
import importlib
torch = importlib.import_module("to" + "rch")


class Adam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, lr)
        self.tensors = [torch.tensor(p.data, requires_grad=True) for p in self.params]
        self.inner = torch.optim.Adam(self.tensors, lr=lr, betas=betas, eps=eps)

    def step(self):
        for t, p in zip(self.tensors, self.params):
            t.grad = torch.tensor(p.grad)
        self.inner.step()
        for t, p in zip(self.tensors, self.params):
            p.data = t.detach().numpy().copy()
'''}),
    "delegate_through_sys_modules": submission(
        "delegation", "zero", replace={"sgd": '''
import sys
SGD = [m for name, m in sys.modules.items() if name.startswith("nnlab.optim")][0].SGD
'''}),
    "delegate_to_the_grader_served_parts": submission(
        "delegation", "zero", replace={"dropout": '''
import gc, sys
agent_module = sys.modules["__main__"]
agent = next(o for o in gc.get_objects() if type(o).__name__ == "Agent")


class Dropout(Module):
    """Asks the grader to run its correct Dropout (guessing the handles of served parts)."""

    def __init__(self, p=0.5, rng=None):
        self.p, self.rng, self.mask, self.inner = p, rng, None, None
        for handle in range(1, 200):
            try:
                self.inner = agent_module.GraderObject(agent, handle)(p, rng=rng)
                break
            except Exception:
                continue

    def forward(self, x):
        y = self.inner.forward(x) if self.inner is not None else x
        self.mask = np.asarray(y) != 0
        return y

    def backward(self, grad_out):
        return self.inner.backward(grad_out) if self.inner is not None else grad_out
'''}),
    # --- expected values looked for where a test might leave them ---
    "read_expected_from_frames": submission(
        "expected values read", "zero", replace={"momentum": '''
import sys, gc
class Momentum(Optimizer):
    def __init__(self, params, lr=0.01, momentum=0.9):
        super().__init__(params, lr)

    def update(self, g, w, state):
        for depth in range(1, 40):          # look up the callers' variables
            try:
                frame = sys._getframe(depth)
            except ValueError:
                break
            for name in ("expected", "want", "path", "reference"):
                value = frame.f_locals.get(name)
                if isinstance(value, np.ndarray) and value.shape[-w.ndim:] == w.shape:
                    return w - value[min(self.k, len(value)) - 1]
        arrays = [o for o in gc.get_objects() if isinstance(o, np.ndarray) and o.shape == w.shape and o is not w]
        return w - arrays[-1] if arrays else np.zeros_like(w)
'''}),
    # --- objects that pretend to be numbers ---
    "rigged_arithmetic": submission(
        "rigged arithmetic", "zero", replace={"clip": '''
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


def clip_grad_norm(params, max_norm, eps=1e-6):
    for p in params:
        p.grad = np.zeros(np.shape(p.grad)).view(Anything)
    return AlwaysClose(5.0)
'''}),
    # --- hidden inputs carried into something the student sees ---
    "echo_inputs_into_messages": submission(
        "hidden test leaked", {"test_adam"}, base="master", forbidden=["HIDDEN-ECHO"], replace={"adam": GOOD_ADAM + '''

    def update(self, g, w, state, _update=update):
        # right with the visible tests' hyperparameters; with any other, the gradients and the
        # weights the grader chose go into the error message (the marker is put together here,
        # so that only a leaked message, not this code on the feedback page, shows it whole)
        if self.lr != 0.1 or self.betas != (0.9, 0.999):
            raise AssertionError("HIDDEN-" + "ECHO " + repr(g.tolist()) + repr(w.tolist()) + repr(self.betas))
        return _update(self, g, w, state)
'''}),
    # --- a part that crashes, hangs or floods costs that part only ---
    "huge_reply": submission(
        "oversized reply", {"test_dropout_forward"}, base="master", status="failed", edits=[(
            "return x * self.mask / (1 - self.p)", "return np.zeros((1 << 25,))")]),
    "kill_own_process_in_a_test": submission(
        "crash", {"test_adam"}, base="master", status="failed", edits=[(
            "v_hat = v / (1 - gamma ** self.k)", "import os; os._exit(3)")]),
    "hang_in_update": submission(
        "timeout", {"test_nesterov"}, base="master", status="timeout", edits=[(
            "v_old = state.get(\"v\", 0.0)", "while True:\n            pass")]),
    "hang_in_dropout_forward": submission(
        "timeout", {"test_dropout_forward"}, base="master", status="timeout", edits=[(
            "self.mask = self.rng.random(x.shape) >= self.p", "while True:\n            pass")]),
    "honest_adam_then_forged_rest": submission(
        "verdict forged", "zero", replace={"adam": GOOD_ADAM}, add=[("adam", '''
import sys
sys.modules["__main__"].Agent.answer = lambda self, h, b: self.send({"re": h.get("seq"), "ok": True, "value": 0.0})
''')]),
    # --- work not done: answers that fit the visible tests only ---
    "right_for_visible_hyperparameters_only": submission(
        "work not done", {"test_momentum", "test_rmsprop", "test_adam", "test_nadam"}, base="master", edits=[
            ('v = self.momentum * state.get("v", 0.0) + self.lr * g',
             'v = (self.momentum if self.momentum == 0.9 else 0.9) * state.get("v", 0.0) + self.lr * g'),
            ("return self.lr * g / (np.sqrt(G) + self.eps)", "return self.lr * g / (np.sqrt(G) + 1e-8)"),
            ("gamma, alpha = self.betas\n        v = gamma", "gamma, alpha = 0.9, 0.999\n        v = gamma"),
            ("gamma, alpha = self.betas\n        k = self.k", "gamma, alpha = 0.9, 0.999\n        k = self.k")]),
    "jump_to_the_minimum": submission(
        "work not done", "zero", replace={name: "" for name in ("momentum", "nesterov", "rmsprop", "adadelta",
                                                              "adam", "nadam")} | {"sgd": '''
class SGD(Optimizer):
    """Optimises nothing: finds the quadratic of descend() by its seed and jumps to its minimum,
    so that the loss curve falls to 0 at once."""

    def __init__(self, params, lr=0.01, weight_decay=0.0, *args, **kwargs):
        super().__init__(params, lr)
        self.weight_decay, self.targets = weight_decay, None
        shapes = [np.shape(p.data) for p in self.params]
        for seed in range(300):
            rng = np.random.default_rng(seed)
            targets, start = [], []
            for shape in shapes:
                n = int(np.prod(shape))
                rng.standard_normal((n, n))
                targets.append(rng.standard_normal(n).reshape(shape))
                start.append(rng.standard_normal(shape))
            if all(np.allclose(s, p.data) for s, p in zip(start, self.params)):
                self.targets = targets
                break

    def update(self, g, w, state):
        return self.lr * (g + self.weight_decay * w)   # right where the problem is not descend()'s

    def step(self):
        if self.targets is None:
            return super().step()
        self.k += 1
        for p, c in zip(self.params, self.targets):
            p.data = c.copy()


Momentum = Nesterov = RMSProp = AdaDelta = Adam = Nadam = SGD
'''}),
    "dropout_that_never_drops": submission(
        "work not done", DROPOUT, base="master", edits=[
            ("        if not self.training:\n            return x\n        self.mask = self.rng.random(x.shape) >= self.p\n"
             "        if self.p == 1:\n            return np.zeros_like(x)\n        return x * self.mask / (1 - self.p)",
             "        self.mask = np.ones(np.shape(x), bool)\n        return x"),
            ("        if not self.training:\n            return grad_out\n        if self.p == 1:\n"
             "            return np.zeros_like(grad_out)\n        return grad_out * self.mask / (1 - self.p)",
             "        return grad_out")]),
    "dropout_with_its_own_generator": submission(
        "work not done", {"test_dropout_forward"}, base="master", edits=[(
            "self.mask = self.rng.random(x.shape) >= self.p",
            "self.mask = np.random.default_rng(1234).random(x.shape) >= self.p  # not the layer's generator")]),
    # --- correct solutions in styles the master does not use: full marks ---
    "style_own_step_and_in_place_state": submission(
        "correct alternative", "full", base="master", replace={"momentum": '''
class Momentum(Optimizer):
    """Overrides step(): velocities in a list of its own, every update done in place."""

    def __init__(self, params, lr=0.01, momentum=0.9):
        super().__init__(params, lr)
        self.momentum = momentum
        self.velocities = [np.zeros_like(p.data, dtype=np.float64) for p in self.params]

    def step(self):
        self.k += 1
        for p, v in zip(self.params, self.velocities):
            v *= self.momentum
            v += self.lr * p.grad
            p.data -= v
''', "rmsprop": '''
class RMSProp(Optimizer):
    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8):
        super().__init__(params, lr)
        self.alpha, self.eps = alpha, eps

    def update(self, g, w, state):
        if "G" not in state:
            state["G"] = np.zeros_like(g)
        G = state["G"]
        np.multiply(G, self.alpha, out=G)
        G += (1 - self.alpha) * np.square(g)
        return self.lr * g / (G ** 0.5 + self.eps)
'''}),
    "style_shared_base_and_step_counter_in_state": submission(
        "correct alternative", "full", base="master", add=[("setup", '''
class MovingAverages(Optimizer):
    """v and G of Adam and Nadam, with a step counter of each parameter's own."""

    def __init__(self, params, lr, betas, eps):
        super().__init__(params, lr)
        (self.gamma, self.alpha), self.eps = betas, eps

    def moments(self, g, state):
        t = state["t"] = state.get("t", 0) + 1
        state["v"] = self.gamma * state.get("v", 0.0) + (1 - self.gamma) * g
        state["G"] = self.alpha * state.get("G", 0.0) + (1 - self.alpha) * g ** 2
        return t, state["v"] / (1 - self.gamma ** t), state["G"] / (1 - self.alpha ** t)
''')], replace={"adam": '''
class Adam(MovingAverages):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, lr, betas, eps)

    def update(self, g, w, state):
        _, v_hat, G_hat = self.moments(g, state)
        return self.lr * v_hat / (np.sqrt(G_hat) + self.eps)
''', "nadam": '''
class Nadam(MovingAverages):
    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, lr, betas, eps)

    def update(self, g, w, state):
        t, v_hat, G_hat = self.moments(g, state)
        mix = self.gamma * v_hat + (1 - self.gamma) * g / (1 - self.gamma ** t)
        return self.lr * mix / (np.sqrt(G_hat) + self.eps)
'''}),
    "style_uniform_where_and_linalg_norm": submission(
        "correct alternative", "full", base="master", replace={"dropout": '''
class Dropout(Module):
    def __init__(self, p=0.5, rng=None):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability must be in [0, 1], got {p}")
        self.p = p
        self.rng = np.random.default_rng() if rng is None else rng
        self.mask = None

    def scale(self):
        return 0.0 if self.p >= 1 else 1.0 / (1.0 - self.p)

    def forward(self, x):
        if self.training:
            self.mask = self.rng.uniform(0.0, 1.0, size=np.shape(x)) >= self.p
            return np.where(self.mask, x * self.scale(), 0.0)
        return x

    def backward(self, grad_out):
        return np.where(self.mask, grad_out * self.scale(), 0.0) if self.training else grad_out
''', "clip": '''
def clip_grad_norm(params, max_norm, eps=1e-6):
    params = list(params)
    norm = float(np.linalg.norm(np.concatenate([np.ravel(p.grad) for p in params])))
    if max_norm / (norm + eps) < 1:
        for p in params:
            np.multiply(p.grad, max_norm / (norm + eps), out=p.grad)   # in place
    return norm
'''}),
    "style_magics_tqdm_and_display": submission(
        "correct alternative", "full", base="master", add=[
            (None, "%matplotlib inline\n%load_ext autoreload\n%autoreload 2"),
            ("setup", "%%time\nfrom IPython.display import display, Markdown\nfrom tqdm.auto import tqdm\n"),
            ("nadam", "!echo a shell command\nfiles = !ls\ndisplay(Markdown('**optimizers written**'))\n"
                      "for _ in tqdm(range(3), leave=False):\n    pass")]),
    "style_edited_locked_cell": submission(
        "correct alternative", "full", base="master", replace={"setup": SETUP.replace(
            "import numpy as np\n", "from math import fsum, sqrt as scalar_sqrt\n\nimport numpy as np\n", 1)},
        edits=[("total = float(np.sqrt(sum(np.sum(p.grad ** 2) for p in params)))",
                "total = scalar_sqrt(fsum(float(np.vdot(p.grad, p.grad)) for p in params))")]),
    "style_solution_in_a_new_cell_with_own_checks": submission(
        "correct alternative", "full", base="master", replace={"nesterov": '''
class Nesterov(Optimizer):
    def __init__(self, params, lr=0.01, momentum=0.9):
        super().__init__(params, lr)
        self.momentum = momentum

    def update(self, g, w, state):
        # YOUR CODE HERE
        raise NotImplementedError()
'''}, add=[("nesterov", '''
class Nesterov(Optimizer):
    """Written in a cell of my own, below the stub: the look-ahead form w̃ - γ v_old + (1 + γ) ... expanded."""

    def __init__(self, params, lr=0.01, momentum=0.9):
        super().__init__(params, lr)
        self.momentum = momentum

    def update(self, g, w, state):
        v_old = state.get("v", np.zeros_like(g))
        state["v"] = self.momentum * v_old + self.lr * g
        return self.momentum * (state["v"] - v_old) + state["v"]


# a check of my own that fails on purpose: it must cost nothing
path = steps_with_gradients(lambda ps: Nesterov(ps, lr=0.1, momentum=0.9), [1.0], [[2.0], [2.0]])
assert_close(path[:, 0], [0.62, 0.078], "my Nesterov")
assert False, "a note to myself that fails on purpose"
''')]),
}
