"""Red-team class of a3_obd: attacks on the grader adapted to Optimal Brain Damage, the
attacks specific to it (a "saliency" that is the weights' magnitude, a prune that deletes
the right number of weights but the wrong ones, retraining that ignores the masks), and
correct solutions in styles the master does not use. (The format is described in
tests/course/redteam/__init__.py.)

Attacks start from the blank release unless they need correct work to show that they cost
nothing else: then they start from the master and must lose exactly the cells they attack."""
from . import common_attacks, submission

MARK = "/tmp/nnlab-redteam-a3"  # attacks try to create files with this prefix outside their sandbox

SUBMISSIONS = {
    **common_attacks("a3_obd", after="setup", first_name="saliency"),
    # --- the verdict forged ---
    "forge_dict_replies": submission(
        "verdict forged", "zero", add=[("tools", '''
import sys
agent = sys.modules["__main__"]
def forged(self, header, blobs):
    # every call "returns" a dict shaped like the answers, whatever was asked
    value = {"d": [["W1", {"l": [{"l": [0.0]}]}], ["b1", {"l": [0.0]}], ["W2", {"l": [{"l": [0.0]}]}],
                   ["b2", {"l": [0.0]}]]}
    names = {n: {"o": "function"} for n in header.get("names", [])}
    self.send({"re": header.get("seq"), "ok": True, "value": value, "names": names})
agent.Agent.answer = forged
''')]),
    # --- delegation to the reference (nnlab.prune) or to torch ---
    "delegate_after_removing_import_block": submission(
        "delegation", "zero", replace={"hessian_gn": '''
import sys
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "NotAvailable"]
sys.path.insert(0, "/work/main/lib")
import importlib
prune = importlib.import_module("nnlab.prune")
nn = importlib.import_module("nnlab.nn")
from nnlab.module import Sequential


def hessian_diagonal_gn(net, X, Y):
    model = Sequential(nn.Linear(1, 1), nn.Tanh(), nn.Linear(1, 1))
    model.load_state_dict({"0.weight": net.W1.data, "0.bias": net.b1.data, "2.weight": net.W2.data,
                           "2.bias": net.b2.data})
    h = prune.hessian_diagonal(model, nn.MSELoss(), X, Y, method="gauss-newton")
    return {"W1": h["0.weight"], "b1": h["0.bias"], "W2": h["2.weight"], "b2": h["2.bias"]}
'''}),
    "delegate_by_file_search": submission(
        "delegation", "zero", replace={"saliency": '''
import os
found = []
for top in ["/nnlab", "/usr", "/tmp", "/work", "/root", "/home"]:
    for folder, dirs, files in os.walk(top):
        found += [os.path.join(folder, f) for f in files if f == "prune.py"]
namespace = {}
exec(open(found[0]).read(), namespace)     # fails: the reference is not in the sandbox


def saliency(net, h):
    return namespace["saliency"](net, h)
'''}),
    "delegate_to_torch": submission(
        "delegation", "zero", replace={"hessian_exact": '''
import importlib
torch = importlib.import_module("to" + "rch")


def hessian_diagonal_exact(net, X, Y):
    out = {}
    for name in ("W1", "b1", "W2", "b2"):
        def q(w):
            params = {n: torch.tensor(getattr(net, n).data) for n in ("W1", "b1", "W2", "b2")}
            params[name] = w
            a = torch.tanh(torch.tensor(X) @ params["W1"].T + params["b1"]) @ params["W2"].T + params["b2"]
            return ((a - torch.tensor(Y)) ** 2).mean()
        w = torch.tensor(getattr(net, name).data)
        out[name] = torch.autograd.functional.hessian(q, w).reshape(w.numel(), w.numel()).diagonal().reshape(w.shape).numpy()
    return out
'''}),
    "delegate_through_sys_modules": submission(
        "delegation", "zero", replace={"prune": '''
import sys


def prune_weights(net, S, fraction):
    reference = [m for name, m in sys.modules.items() if name.endswith("prune") and hasattr(m, "prune")][0]
    return reference.prune(net, S, fraction)
'''}),
    # --- expected values looked for where a test might leave them ---
    "read_expected_from_frames": submission(
        "expected values read", "zero", replace={"hessian_gn": '''
import sys, gc


def hessian_diagonal_gn(net, X, Y):
    for depth in range(1, 40):          # the callers' variables
        try:
            frame = sys._getframe(depth)
        except ValueError:
            break
        for name in ("expected", "h", "reference"):
            value = frame.f_locals.get(name)
            if isinstance(value, dict) and "W1" in value:
                return value
    found = [o for o in gc.get_objects() if isinstance(o, dict) and set(o) == {"W1", "b1", "W2", "b2"}
             and np.shape(o["W1"]) == net.W1.data.shape and o is not vars(net)]
    return found[-1] if found else {n: np.zeros_like(getattr(net, n).data) for n in ("W1", "b1", "W2", "b2")}
'''}),
    # --- objects that pretend to be numbers ---
    "rigged_arithmetic": submission(
        "rigged arithmetic", "zero", replace={"saliency": '''
class Anything(np.ndarray):
    def __sub__(self, other): return np.zeros(self.shape)
    __rsub__ = __sub__
    def __eq__(self, other): return np.ones(self.shape, bool)
    def __le__(self, other): return np.ones(self.shape, bool)


class AlwaysClose(float):
    def __sub__(self, other): return AlwaysClose(0.0)
    __rsub__ = __sub__
    def __abs__(self): return AlwaysClose(0.0)
    def __eq__(self, other): return True
    def __le__(self, other): return True
    __hash__ = float.__hash__


def saliency(net, h):
    return {k: np.zeros(np.shape(h[k])).view(Anything) for k in ("W1", "W2")}


def feature_saliency(S):
    return np.zeros(np.shape(S["W1"])[1]).view(Anything)


def prune_weights(net, S, fraction):
    return AlwaysClose(0.0)
'''}),
    # --- hidden inputs carried into something the student sees ---
    "echo_inputs_into_messages": submission(
        "hidden test leaked", {"test_hessian_gn"}, base="master", forbidden=["HIDDEN-ECHO"], edits=[(
            "    A = net.forward(X)\n    h_a = np.full_like(A, 2.0 / A.size)",
            "    if X.shape not in ((1, 1), (5, 3)):   # the visible tests' inputs\n"
            "        raise AssertionError('HIDDEN' + '-ECHO ' + repr(X.tolist()) + repr(net.W1.data.tolist()))\n"
            "    A = net.forward(X)\n    h_a = np.full_like(A, 2.0 / A.size)")]),
    # --- a crash and a hang cost only their own part ---
    "kill_own_process_in_saliency": submission(
        "crash", {"test_saliency"}, base="master", status="failed", edits=[(
            "return {name: h[name] * getattr(net, name).data ** 2 / 2", "import os; os._exit(3)\n    return {name: h[name]")]),
    "hang_in_prune_weights": submission(
        "timeout", {"test_prune_weights"}, base="master", status="timeout", edits=[(
            "    weights = [net.W1, net.W2]\n    for p in weights:", "    while True:\n        pass\n    weights = [net.W1, net.W2]\n    for p in weights:")]),
    "hang_in_hessian_gn": submission(
        "timeout", {"test_hessian_gn"}, base="master", status="timeout", edits=[(
            "    A = net.forward(X)\n    h_a = np.full_like(A, 2.0 / A.size)",
            "    while True:\n        pass\n    A = net.forward(X)\n    h_a = np.full_like(A, 2.0 / A.size)")]),
    # --- work not done: results reported rather than computed ---
    "retrain_reports_without_training": submission(
        "work not done", {"test_prune_and_retrain"}, base="master", replace={"retrain": '''
def prune_and_retrain(net, X, Y, fraction, steps=100, lr=0.2):
    """Deletes, then claims that retraining brought Q back to where it was."""
    q_before = mse(net.forward(X), Y)[0]
    prune_weights(net, saliency(net, hessian_diagonal_gn(net, X, Y)), fraction)
    loss_pruned = mse(net.forward(X), Y)[0]
    train(net, X, Y, steps=1, lr=lr)
    return loss_pruned, min(q_before, loss_pruned)
'''}),
    "hessian_by_second_differences": submission(
        "work not done", {"test_hessian_gn", "test_hessian_exact"}, base="master", replace={"hessian_gn": '''
def hessian_diagonal_gn(net, X, Y, eps=1e-4):
    """Central second differences instead of second-order backpropagation (and the exact
    diagonal rather than Gauss-Newton's)."""
    out = {}
    for name in ("W1", "b1", "W2", "b2"):
        p = getattr(net, name)
        h = np.zeros_like(p.data)
        for index in np.ndindex(p.data.shape):
            old = p.data[index]
            q = []
            for value in (old + eps, old, old - eps):
                p.data[index] = value
                q.append(mse(net.forward(X), Y)[0])
            p.data[index] = old
            h[index] = (q[0] - 2 * q[1] + q[2]) / eps ** 2
        out[name] = h
    return out
''', "hessian_exact": '''
def hessian_diagonal_exact(net, X, Y):
    return hessian_diagonal_gn(net, X, Y)
'''}),
    # --- the attacks of this assignment ---
    "saliency_returns_magnitudes": submission(
        "saliency is magnitude", {"test_saliency"}, base="master", replace={"saliency": '''
def saliency(net, h):
    """The size of each weight: a different, cheaper ranking than OBD's."""
    return {name: np.abs(getattr(net, name).data) for name in ("W1", "W2")}
'''}),
    "prune_right_count_wrong_weights": submission(
        "wrong weights pruned", {"test_prune_weights"}, base="master", replace={"prune": '''
def prune_weights(net, S, fraction):
    """Deletes exactly the right number of weights: the first ones still present."""
    weights = [net.W1, net.W2]
    for p in weights:
        if p.mask is None:
            p.mask = np.ones_like(p.data)
    masks = np.concatenate([p.mask.ravel() for p in weights]).astype(float)
    to_delete = int(round(fraction * masks.size)) - int(masks.size - masks.sum())
    if to_delete <= 0:
        return 0
    masks[np.flatnonzero(masks)[:to_delete]] = 0
    offset = 0
    for p in weights:
        p.mask = masks[offset:offset + p.data.size].reshape(p.data.shape)
        p.data = p.data * p.mask
        offset += p.data.size
    return to_delete
'''}),
    "prune_right_count_random_weights": submission(
        "wrong weights pruned", {"test_prune_weights"}, base="master", edits=[(
            "scores = np.where(masks > 0, scores, np.inf)",
            "scores = np.where(masks > 0, np.random.default_rng(0).random(scores.shape), np.inf)")]),
    "retrain_ignores_the_mask": submission(
        "mask ignored while retraining", {"test_prune_and_retrain"}, base="master", replace={"retrain": '''
def prune_and_retrain(net, X, Y, fraction, steps=100, lr=0.2):
    """Its own training loop, which lets deleted weights grow back."""
    prune_weights(net, saliency(net, hessian_diagonal_gn(net, X, Y)), fraction)
    loss_pruned = mse(net.forward(X), Y)[0]
    for _ in range(steps):
        net.zero_grad()
        loss, grad = mse(net.forward(X), Y)
        net.backward(grad)
        for p in net.parameters():
            p.data = p.data - lr * p.grad
    return loss_pruned, mse(net.forward(X), Y)[0]
'''}),
    "edited_train_ignores_the_mask": submission(
        "mask ignored while retraining", {"test_prune_and_retrain"}, base="master", add=[("network", '''
def train(net, X, Y, steps=100, lr=0.2):
    """The given loop, "simplified": the masks are not applied."""
    losses = []
    for _ in range(steps):
        net.zero_grad()
        loss, grad = mse(net.forward(X), Y)
        net.backward(grad)
        for p in net.parameters():
            p.data = p.data - lr * p.grad
        losses.append(loss)
    return losses
''')]),
    "prune_keeps_values": submission(
        "wrong weights pruned", {"test_prune_weights"}, base="master", edits=[(
            "        p.data = p.data * p.mask\n", "")]),
    "redefine_test_tools": submission(
        "patched helpers", "zero", add=[("tools", '''
def compare(*args, **kwargs):
    return None


def student_net(weights, masks=None):
    raise SystemExit("no network")


def reference_hessian(weights, X, Y, method):
    return {"W1": 0, "b1": 0, "W2": 0, "b2": 0}
''')]),
    # --- correct solutions in styles the master does not use: full marks ---
    "style_einsum_and_sech": submission(
        "correct alternative", "full", base="master", replace={
            "hessian_gn": '''
def hessian_diagonal_gn(net, X, Y):
    """Everything from the pre-activations z: th'(z) = sech(z)^2."""
    A = net.forward(X)
    N, M = A.shape
    d1 = 1.0 / np.cosh(net.z) ** 2
    h_z = np.einsum("nh,mh->nh", d1 ** 2, net.W2.data ** 2) * (2.0 / (N * M))
    return {"W1": np.einsum("nh,nj->hj", h_z, X * X), "b1": np.einsum("nh->h", h_z),
            "W2": np.full((M, 1), 2.0 / (N * M)) * np.einsum("nh->h", np.tanh(net.z) ** 2)[None, :],
            "b2": np.full(M, 2.0 * N / (N * M))}
''',
            "hessian_exact": '''
def hessian_diagonal_exact(net, X, Y):
    """From scratch, without calling part 1."""
    A = net.forward(X)
    scale = 2.0 / A.size
    u = np.tanh(net.z)
    d1, d2 = 1 - u ** 2, -2 * u * (1 - u ** 2)
    h_u = scale * np.ones_like(A) @ net.W2.data ** 2
    g_u = scale * (A - Y) @ net.W2.data
    h_z = d1 ** 2 * h_u + d2 * g_u
    h_a = np.full_like(A, scale)
    return {"W1": np.einsum("nh,nj->hj", h_z, X ** 2), "b1": h_z.sum(0), "W2": h_a.T @ u ** 2, "b2": h_a.sum(0)}
'''}),
    "style_loops_over_examples": submission(
        "correct alternative", "full", base="master", replace={
            "hessian_gn": '''
def hessian_diagonal_gn(net, X, Y):
    """One example at a time, as the lecture's BackProp loop would."""
    W1, W2 = net.W1.data, net.W2.data
    N, M = len(X), W2.shape[0]
    out = {"W1": np.zeros(W1.shape), "b1": np.zeros(W1.shape[0]), "W2": np.zeros(W2.shape), "b2": np.zeros(M)}
    for x in X:
        u = np.tanh(W1 @ x + net.b1.data)
        h_a = np.full(M, 2.0 / (N * M))
        h_z = (1 - u ** 2) ** 2 * ((W2 ** 2).T @ h_a)
        out["W1"] += np.outer(h_z, x ** 2)
        out["b1"] += h_z
        out["W2"] += np.outer(h_a, u ** 2)
        out["b2"] += h_a
    return out
''',
            "saliency": '''
def saliency(net, h):
    result = {}
    for name, p in net.named_parameters():
        if name.startswith("W"):
            result[name] = 0.5 * h[name] * np.square(p.data)
    return result
''',
            "feature_saliency": '''
def feature_saliency(S):
    W1 = np.asarray(S["W1"])
    return np.array([sum(W1[h, j] for h in range(W1.shape[0])) for j in range(W1.shape[1])])
'''}),
    "style_boolean_masks_and_argpartition": submission(
        "correct alternative", "full", base="master", replace={"prune": '''
def prune_weights(net, S, fraction):
    """Boolean masks; the least salient found with argpartition (ties broken by position)."""
    params = [net.W1, net.W2]
    keep = [np.ones(p.data.shape, bool) if p.mask is None else np.asarray(p.mask) != 0 for p in params]
    alive = np.concatenate([k.ravel() for k in keep])
    total = alive.size
    wanted = int(round(fraction * total))
    count = wanted - int((~alive).sum())
    if count <= 0:
        for p, k in zip(params, keep):
            p.mask = k
        return 0
    scores = np.concatenate([np.asarray(S[n], float).ravel() for n in ("W1", "W2")])
    candidates = np.flatnonzero(alive)
    order = np.lexsort((candidates, scores[candidates]))
    alive[candidates[order[:count]]] = False
    start = 0
    for p in params:
        p.mask = alive[start:start + p.data.size].reshape(p.data.shape)
        p.data = np.where(p.mask, p.data, 0.0)
        start += p.data.size
    return count
'''}),
    "style_magics_prints_and_plot": submission(
        "correct alternative", "full", base="master", add=[
            (None, "%matplotlib inline\n%load_ext autoreload"),
            ("setup", "%%time\nfrom IPython.display import display, Markdown\nimport matplotlib.pyplot as plt\n"),
            ("retrain", "!echo a shell command\ndisplay(Markdown('**OBD ready**'))")],
        edits=[("    loss_retrained = mse(net.forward(X), Y)[0]\n",
                "    loss_retrained = mse(net.forward(X), Y)[0]\n"
                "    print(f'round: Q {loss_pruned:.4f} -> {loss_retrained:.4f}')\n"
                "    fig, ax = plt.subplots()\n    ax.bar([0, 1], [loss_pruned, loss_retrained])\n    plt.close(fig)\n")]),
    "style_solution_in_a_new_cell": submission(
        "correct alternative", "full", base="master", replace={"saliency": '''
def saliency(net, h):
    # YOUR CODE HERE
    raise NotImplementedError()
'''}, add=[("saliency", '''
def saliency(net, h):
    """Written in a cell of my own, below the stub."""
    return {"W1": h["W1"] * net.W1.data ** 2 / 2, "W2": h["W2"] * net.W2.data ** 2 / 2}
''')]),
    "style_own_checks_and_copies": submission(
        "correct alternative", "full", base="master", add=[("hessian_exact", '''
import copy
probe = copy.deepcopy(net)
h_gn, h_exact = hessian_diagonal_gn(probe, X, Y), hessian_diagonal_exact(probe, X, Y)
assert np.allclose(h_gn["W2"], h_exact["W2"]), "the exact diagonal differs only in W1 and b1"
print("my own check: exact and Gauss-Newton agree on W2 and b2")
assert False, "a note to myself that fails on purpose"
''')], edits=[("    S = saliency(net, hessian_diagonal_gn(net, X, Y))",
               "    work = copy.deepcopy(net)\n    S = saliency(net, hessian_diagonal_gn(work, X, Y))")]),
}
