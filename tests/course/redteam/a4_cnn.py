"""Red-team class of a4_cnn: attacks on the grader adapted to convolutional layers, the attacks
specific to this assignment (a slow convolution that freezes the sandbox's clocks to pass the
time limit, a convolution right only for stride 1, a pooling backward that sends the gradient
to every element of a window, a network that looks the digits up), and correct solutions in
styles the master does not use. (The format is described in tests/course/redteam/__init__.py.)

Attacks start from the blank release unless they need correct work to show that they cost
nothing else: then they start from the master and must lose exactly the cells they attack."""
from . import common_attacks, submission

MARK = "/tmp/nnlab-redteam-a4"  # attacks try to create files with this prefix outside their sandbox
CONV = {"test_conv_forward", "test_conv_backward"}

# The vectorized forward of the master, for attacks that keep it honest on some inputs.
FAST_FORWARD = '''
def fast_forward(layer, x):
    (K_h, K_w), (S_h, S_w), (P_h, P_w) = layer.kernel_size, layer.stride, layer.padding
    N, C, H, W = x.shape
    H_out, W_out = output_size(H, K_h, S_h, P_h), output_size(W, K_w, S_w, P_w)
    x_pad = np.pad(x, ((0, 0), (0, 0), (P_h, P_h), (P_w, P_w)))
    windows = np.empty((N, C, K_h, K_w, H_out, W_out), dtype=x_pad.dtype)
    for p in range(K_h):
        for q in range(K_w):
            windows[:, :, p, q] = x_pad[:, :, p:p + S_h * H_out:S_h, q:q + S_w * W_out:S_w]
    layer.x_shape = x.shape
    layer.cols = windows.reshape(N, C * K_h * K_w, H_out * W_out)
    y = layer.weight.data.reshape(layer.out_channels, -1) @ layer.cols + layer.bias.data[:, None]
    return y.reshape(N, layer.out_channels, H_out, W_out)


def slow_forward(layer, x):
    """Part 1's loops, one output pixel at a time."""
    (K_h, K_w), (S_h, S_w), (P_h, P_w) = layer.kernel_size, layer.stride, layer.padding
    N, C, H, W = x.shape
    H_out, W_out = output_size(H, K_h, S_h, P_h), output_size(W, K_w, S_w, P_w)
    x_pad = np.pad(x, ((0, 0), (0, 0), (P_h, P_h), (P_w, P_w)))
    y = np.zeros((N, layer.out_channels, H_out, W_out))
    for n in range(N):
        for o in range(layer.out_channels):
            for r in range(H_out):
                for s in range(W_out):
                    window = x_pad[n, :, r * S_h:r * S_h + K_h, s * S_w:s * S_w + K_w]
                    y[n, o, r, s] = np.sum(layer.weight.data[o] * window) + layer.bias.data[o]
    return y
'''

SUBMISSIONS = {
    **common_attacks("a4_cnn", after="setup", first_name="Conv2d"),
    # --- delegation to the reference (nnlab.nn) or to torch ---
    "delegate_after_removing_import_block": submission(
        "delegation", "zero", replace={"conv_im2col": '''
import sys
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "NotAvailable"]
sys.path.insert(0, "/work/main/lib")
import importlib
reference = importlib.import_module("nnlab.nn")


class Conv2d(reference.Conv2d):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, seed=0):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dtype=np.float64)
'''}),
    "delegate_by_file_search": submission(
        "delegation", "zero", replace={"maxpool": '''
import os
found = []
for top in ["/nnlab", "/usr", "/tmp", "/work", "/root", "/home"]:
    for folder, dirs, files in os.walk(top):
        found += [os.path.join(folder, f) for f in files if f == "conv.py"]
namespace = {}
exec(open(found[0]).read(), namespace)     # fails: the reference is not in the sandbox
MaxPool2d = namespace["MaxPool2d"]
'''}),
    "delegate_to_torch": submission(
        "delegation", "zero", replace={"conv_loops": '''
import importlib
torch = importlib.import_module("to" + "rch")


class Conv2dLoops(Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, seed=0):
        self.stride, self.padding = stride, padding
        self.weight = Parameter(np.zeros((out_channels, in_channels) + pair(kernel_size)))
        self.bias = Parameter(np.zeros(out_channels))

    def forward(self, x):
        return torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(self.weight.data), torch.tensor(self.bias.data),
                                          self.stride, self.padding).numpy()
'''}),
    "delegate_through_sys_modules": submission(
        "delegation", "zero", replace={"maxpool": '''
import sys
MaxPool2d = [m for name, m in sys.modules.items() if name.startswith("nnlab.nn")][0].MaxPool2d
'''}),
    # --- expected values looked for where a test might leave them ---
    "read_expected_from_frames": submission(
        "expected values read", "zero", replace={"conv_im2col": '''
import sys, gc


class Conv2d(Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, seed=0):
        self.out_channels, self.kernel_size = out_channels, pair(kernel_size)
        self.weight = Parameter(np.zeros((out_channels, in_channels) + self.kernel_size))
        self.bias = Parameter(np.zeros(out_channels))

    def forward(self, x):
        for depth in range(1, 40):          # the callers' variables
            try:
                frame = sys._getframe(depth)
            except ValueError:
                break
            for name in ("expected", "reference", "want"):
                value = frame.f_locals.get(name)
                if isinstance(value, np.ndarray) and value.ndim == 4:
                    return value
        arrays = [o for o in gc.get_objects() if isinstance(o, np.ndarray) and o.ndim == 4 and o.shape[1] == self.out_channels]
        return arrays[-1] if arrays else np.zeros((len(x), self.out_channels, 1, 1))

    def backward(self, grad_out):
        return np.zeros(1)
'''}),
    # --- objects that pretend to be numbers ---
    "rigged_arithmetic": submission(
        "rigged arithmetic", "zero", replace={"maxpool": '''
class Anything(np.ndarray):
    def __sub__(self, other): return np.zeros(self.shape)
    __rsub__ = __sub__
    def __eq__(self, other): return np.ones(self.shape, bool)
    def __le__(self, other): return np.ones(self.shape, bool)


class Liar:
    def __array__(self, dtype=None, copy=None): return np.zeros((1, 1, 2, 2))
    def __sub__(self, other): return 0.0
    __rsub__ = __sub__
    def __abs__(self): return 0.0
    def __lt__(self, other): return True
    def __bool__(self): return True


class MaxPool2d(Module):
    def __init__(self, kernel_size, stride=None):
        self.kernel_size = pair(kernel_size)

    def forward(self, x):
        return np.zeros(x.shape).view(Anything)

    def backward(self, grad_out):
        return Liar()
'''}),
    # --- hidden inputs carried into something the student sees ---
    "echo_inputs_into_messages": submission(
        "hidden test leaked", {"test_pool_forward", "test_pool_backward"}, base="master", forbidden=["HIDDEN-ECHO"],
        edits=[("        (K_h, K_w), (S_h, S_w) = self.kernel_size, self.stride\n        N, C, H, W = x.shape\n",
                "        (K_h, K_w), (S_h, S_w) = self.kernel_size, self.stride\n        N, C, H, W = x.shape\n"
                "        if x.shape[2:] not in ((4, 4), (4, 6), (5, 7), (2, 2), (5, 5), (8, 8)):  # the visible tests' images\n"
                "            raise AssertionError('HIDDEN' + '-ECHO ' + repr(x.tolist()))\n")]),
    # --- a crash and a hang cost only their own part ---
    "kill_own_process_in_conv_backward": submission(
        "crash", {"test_conv_backward"}, base="master", status="failed", edits=[(
            "        N, C, H, W = self.x_shape\n        _, C_out, H_out, W_out = grad_out.shape\n",
            "        import os; os._exit(3)\n")]),
    "hang_in_pool_backward": submission(
        "timeout", {"test_pool_backward"}, base="master", status="timeout", edits=[(
            "        H_out, W_out = grad_out.shape[2:]\n", "        while True:\n            pass\n")]),
    # --- work not done: the digits looked up instead of learned ---
    "cnn_looks_the_digits_up": submission(
        "work not done", {"test_cnn"}, base="master", replace={"cnn": '''
class SmallCNN(Module):
    """Learns nothing: every image is looked up in the digits data set the sandbox can load."""
    def __init__(self, channels=8, seed=0):
        self.layers = [Conv2d(1, channels, 3, padding=1, seed=seed), Tanh(), MaxPool2d(2),
                       Conv2d(channels, 10, 4, seed=seed + 1), Flatten()]
        d = data.load_digits(dtype=np.float64)
        self.table = {}
        for X, y in ((d.X_train, d.y_train), (d.X_test, d.y_test)):
            self.table.update({tuple(np.round(x, 6)): t for x, t in zip(X, y)})

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def forward(self, x):
        scores = np.zeros((len(x), 10))
        for i, image in enumerate(x.reshape(len(x), -1)):
            scores[i, self.table.get(tuple(np.round(image, 6)), 0)] = 1.0
        return scores

    def backward(self, grad_out):
        return np.zeros((len(grad_out), 1, 8, 8))


def train(net, X, y, epochs=3, lr=0.05, batch_size=15, seed=0):
    batches = epochs * int(np.ceil(len(X) / batch_size))
    return list(np.linspace(1.5, 0.05, batches))
'''}),
    # --- the attacks of this assignment ---
    "slow_conv_freezes_the_clock": submission(
        "clock patched", {"test_conv_forward"}, base="master", replace={"conv_im2col": FAST_FORWARD + '''
import time as _time

_frozen = _time.perf_counter()
for _name in ("perf_counter", "time", "monotonic", "process_time", "thread_time"):
    setattr(_time, _name, lambda: _frozen)              # every clock of the sandbox stands still
for _name in ("perf_counter_ns", "time_ns", "monotonic_ns"):
    setattr(_time, _name, lambda: int(_frozen * 1e9))
time = _time


class Conv2d(Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, seed=0):
        rng = np.random.default_rng(seed)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = pair(kernel_size), pair(stride), pair(padding)
        K_h, K_w = self.kernel_size
        bound = 1 / np.sqrt(in_channels * K_h * K_w)
        self.weight = Parameter(rng.uniform(-bound, bound, (out_channels, in_channels, K_h, K_w)))
        self.bias = Parameter(rng.uniform(-bound, bound, out_channels))

    def forward(self, x):
        fast_forward(self, x)              # the columns backward needs
        return slow_forward(self, x)       # the output from part 1's loops: right, and slow

    def backward(self, grad_out):
        (K_h, K_w), (S_h, S_w), (P_h, P_w) = self.kernel_size, self.stride, self.padding
        N, C, H, W = self.x_shape
        _, C_out, H_out, W_out = grad_out.shape
        delta = grad_out.reshape(N, C_out, H_out * W_out)
        self.weight.grad += (delta @ self.cols.transpose(0, 2, 1)).sum(axis=0).reshape(self.weight.data.shape)
        self.bias.grad += grad_out.sum(axis=(0, 2, 3))
        d_windows = (self.weight.data.reshape(C_out, -1).T @ delta).reshape(N, C, K_h, K_w, H_out, W_out)
        dx_pad = np.zeros((N, C, H + 2 * P_h, W + 2 * P_w))
        for p in range(K_h):
            for q in range(K_w):
                dx_pad[:, :, p:p + S_h * H_out:S_h, q:q + S_w * W_out:S_w] += d_windows[:, :, p, q]
        return dx_pad[:, :, P_h:P_h + H, P_w:P_w + W]
'''}),
    "vectorized_only_where_timed_visibly": submission(
        "time limit dodged", {"test_conv_forward"}, base="master", add=[("conv_im2col", FAST_FORWARD + '''
_fast = Conv2d.forward


def _forward(self, x):
    """The loops unless the input looks like the visible test's timing batch."""
    if len(x) >= 16 and self.stride != (1, 1):
        fast_forward(self, x)
        return slow_forward(self, x)
    return _fast(self, x)


Conv2d.forward = _forward
''')]),
    "conv_right_only_for_stride_1": submission(
        "stride ignored", CONV, base="master", edits=[(
            "windows[:, :, p, q] = x_pad[:, :, p:p + S_h * H_out:S_h, q:q + S_w * W_out:S_w]",
            "windows[:, :, p, q] = x_pad[:, :, p:p + H_out, q:q + W_out]")]),
    "loops_right_only_for_stride_1": submission(
        "stride ignored", {"test_conv_loops_forward"}, base="master", edits=[(
            "window = x_pad[n, :, r * S_h:r * S_h + K_h, s * S_w:s * S_w + K_w]",
            "window = x_pad[n, :, r:r + K_h, s:s + K_w]")]),
    "pool_backward_to_every_element": submission(
        "pooling gradient everywhere", {"test_pool_backward"}, base="master", edits=[(
            "np.where(won, grad_out, 0)", "grad_out")]),
    "pool_backward_to_every_maximum": submission(
        "pooling gradient everywhere", {"test_pool_backward"}, base="master", edits=[
            ("self.argmax = windows.argmax(axis=2)", "self.argmax = windows.argmax(axis=2)\n        self.windows = windows"),
            ("won = self.argmax == p * K_w + q", "won = self.windows[:, :, p * K_w + q] == self.windows.max(axis=2)")]),
    # --- correct solutions in styles the master does not use: full marks ---
    "style_as_strided_einsum_add_at": submission(
        "correct alternative", "full", base="master", replace={"conv_im2col": '''
from numpy.lib.stride_tricks import as_strided


class Conv2d(Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, seed=0):
        rng = np.random.default_rng(seed)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = pair(kernel_size), pair(stride), pair(padding)
        K_h, K_w = self.kernel_size
        bound = 1 / np.sqrt(in_channels * K_h * K_w)
        self.weight = Parameter(rng.uniform(-bound, bound, (out_channels, in_channels, K_h, K_w)))
        self.bias = Parameter(rng.uniform(-bound, bound, out_channels))

    def forward(self, x):
        """A strided view of the windows (no copy) and one einsum."""
        (K_h, K_w), (S_h, S_w), (P_h, P_w) = self.kernel_size, self.stride, self.padding
        x_pad = np.ascontiguousarray(np.pad(x, ((0, 0), (0, 0), (P_h, P_h), (P_w, P_w))))
        N, C, H_p, W_p = x_pad.shape
        H_out, W_out = (H_p - K_h) // S_h + 1, (W_p - K_w) // S_w + 1
        sN, sC, sH, sW = x_pad.strides
        self.windows = as_strided(x_pad, (N, C, K_h, K_w, H_out, W_out), (sN, sC, sH, sW, sH * S_h, sW * S_w))
        self.x_shape = x.shape
        return np.einsum("ncpqrs,ocpq->nors", self.windows, self.weight.data, optimize=True) \\
            + self.bias.data[None, :, None, None]

    def backward(self, grad_out):
        (K_h, K_w), (S_h, S_w), (P_h, P_w) = self.kernel_size, self.stride, self.padding
        N, C, H, W = self.x_shape
        self.weight.grad += np.einsum("nors,ncpqrs->ocpq", grad_out, self.windows, optimize=True)
        self.bias.grad += np.einsum("nors->o", grad_out)
        d_windows = np.einsum("nors,ocpq->ncpqrs", grad_out, self.weight.data, optimize=True)
        H_out, W_out = grad_out.shape[2:]
        rows = (np.arange(K_h)[:, None, None, None] + S_h * np.arange(H_out)[None, None, :, None])
        cols = (np.arange(K_w)[None, :, None, None] + S_w * np.arange(W_out)[None, None, None, :])
        rows, cols = np.broadcast_arrays(rows, cols)
        dx_pad = np.zeros((N, C, H + 2 * P_h, W + 2 * P_w))
        np.add.at(dx_pad, (slice(None), slice(None), rows, cols), d_windows)
        return dx_pad[:, :, P_h:P_h + H, P_w:P_w + W]
'''}),
    "style_offsets_without_columns": submission(
        "correct alternative", "full", base="master", replace={"conv_im2col": '''
class Conv2d(Module):
    """No column matrix at all: y accumulates one kernel offset at a time (K_h K_w matrix products)."""
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, seed=0):
        rng = np.random.default_rng(seed)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = pair(kernel_size), pair(stride), pair(padding)
        K_h, K_w = self.kernel_size
        bound = 1 / np.sqrt(in_channels * K_h * K_w)
        self.weight = Parameter(rng.uniform(-bound, bound, (out_channels, in_channels, K_h, K_w)))
        self.bias = Parameter(rng.uniform(-bound, bound, out_channels))

    def _slice(self, p, q, H_out, W_out):
        (S_h, S_w) = self.stride
        return (slice(None), slice(None), slice(p, p + S_h * H_out, S_h), slice(q, q + S_w * W_out, S_w))

    def forward(self, x):
        (K_h, K_w), (S_h, S_w), (P_h, P_w) = self.kernel_size, self.stride, self.padding
        self.x_pad = np.pad(x, ((0, 0), (0, 0), (P_h, P_h), (P_w, P_w)))
        self.x_shape = x.shape
        H_out = output_size(x.shape[2], K_h, S_h, P_h)
        W_out = output_size(x.shape[3], K_w, S_w, P_w)
        y = np.zeros((len(x), self.out_channels, H_out, W_out)) + self.bias.data[:, None, None]
        for p in range(K_h):
            for q in range(K_w):
                y += np.einsum("oc,ncrs->nors", self.weight.data[:, :, p, q], self.x_pad[self._slice(p, q, H_out, W_out)])
        return y

    def backward(self, grad_out):
        (K_h, K_w), (P_h, P_w) = self.kernel_size, self.padding
        N, C, H, W = self.x_shape
        H_out, W_out = grad_out.shape[2:]
        dx_pad = np.zeros_like(self.x_pad)
        for p in range(K_h):
            for q in range(K_w):
                window = self._slice(p, q, H_out, W_out)
                self.weight.grad[:, :, p, q] += np.einsum("nors,ncrs->oc", grad_out, self.x_pad[window])
                dx_pad[window] += np.einsum("oc,nors->ncrs", self.weight.data[:, :, p, q], grad_out)
        self.bias.grad += grad_out.sum(axis=(0, 2, 3))
        return dx_pad[:, :, P_h:P_h + H, P_w:P_w + W]
'''}),
    "style_scipy_correlate": submission(
        "correct alternative", "full", base="master", replace={"conv_loops": '''
from scipy.signal import correlate


class Conv2dLoops(Module):
    """A loop over images and filters; each channel's sum of products by scipy.signal.correlate."""
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, seed=0):
        rng = np.random.default_rng(seed)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = pair(kernel_size), pair(stride), pair(padding)
        K_h, K_w = self.kernel_size
        bound = 1 / np.sqrt(in_channels * K_h * K_w)
        self.weight = Parameter(rng.uniform(-bound, bound, (out_channels, in_channels, K_h, K_w)))
        self.bias = Parameter(rng.uniform(-bound, bound, out_channels))

    def forward(self, x):
        (S_h, S_w), (P_h, P_w) = self.stride, self.padding
        x_pad = np.pad(x, ((0, 0), (0, 0), (P_h, P_h), (P_w, P_w)))
        out = []
        for image in x_pad:
            maps = [correlate(image, self.weight.data[o], mode="valid")[0] + self.bias.data[o]
                    for o in range(self.out_channels)]
            out.append(np.stack(maps)[:, ::S_h, ::S_w])
        return np.stack(out)
'''}),
    "style_sliding_window_pool": submission(
        "correct alternative", "full", base="master", replace={"maxpool": '''
from numpy.lib.stride_tricks import sliding_window_view


class MaxPool2d(Module):
    def __init__(self, kernel_size, stride=None):
        self.kernel_size = pair(kernel_size)
        self.stride = self.kernel_size if stride is None else pair(stride)

    def forward(self, x):
        (K_h, K_w), (S_h, S_w) = self.kernel_size, self.stride
        view = sliding_window_view(x, (K_h, K_w), axis=(2, 3))[:, :, ::S_h, ::S_w]   # (N, C, H_out, W_out, K_h, K_w)
        flat = view.reshape(view.shape[:4] + (K_h * K_w,))
        self.x_shape, self.best = x.shape, flat.argmax(axis=-1)
        return flat.max(axis=-1)

    def backward(self, grad_out):
        (K_h, K_w), (S_h, S_w) = self.kernel_size, self.stride
        N, C, H_out, W_out = grad_out.shape
        p, q = np.divmod(self.best, K_w)
        rows = p + S_h * np.arange(H_out)[:, None]
        cols = q + S_w * np.arange(W_out)[None, :]
        n, c = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")
        dx = np.zeros(self.x_shape)
        np.add.at(dx, (n[:, :, None, None], c[:, :, None, None], rows, cols), grad_out)
        return dx
'''}),
    "style_named_layers_and_fresh_grads": submission(
        "correct alternative", "full", base="master", replace={"cnn": '''
class SmallCNN(Module):
    """The layers as named attributes too; forward and backward spelled out; fresh gradients."""
    def __init__(self, channels=8, seed=0):
        self.conv1 = Conv2d(1, channels, 3, padding=1, seed=seed)
        self.act, self.pool = Tanh(), MaxPool2d(2)
        self.conv2 = Conv2d(channels, 10, 4, seed=seed + 1)
        self.flat = Flatten()
        self.layers = [self.conv1, self.act, self.pool, self.conv2, self.flat]

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def forward(self, x):
        return self.flat.forward(self.conv2.forward(self.pool.forward(self.act.forward(self.conv1.forward(x)))))

    def backward(self, grad_out):
        g = self.flat.backward(grad_out)
        g = self.conv2.backward(g)
        g = self.pool.backward(g)
        g = self.act.backward(g)
        return self.conv1.backward(g)


def train(net, X, y, epochs=3, lr=0.05, batch_size=15, seed=0):
    rng = np.random.default_rng(seed)
    losses = []
    for epoch in range(epochs):
        order = rng.permutation(len(X))
        for idx in np.array_split(order, -(-len(X) // batch_size)):
            for p in net.parameters():
                p.zero_grad()              # Parameter's own: a fresh array of zeros
            loss, grad = squared_error(net.forward(X[idx]), y[idx])
            net.backward(grad)
            for p in net.parameters():
                p.data = p.data - lr * p.grad
            losses.append(float(loss))
    return losses
'''}),
    "style_magics_prints_and_edited_setup": submission(
        "correct alternative", "full", base="master", replace={"setup": '''
import time
import math

import numpy as np
from tqdm.auto import tqdm

from nnlab import data
from nnlab.testing import assert_close
from nnlab.module import Module, Parameter


def pair(value):
    return (value, value) if np.ndim(value) == 0 else tuple(value)


def output_size(size, kernel, stride=1, padding=0):
    return (size + 2 * padding - kernel) // stride + 1
'''}, add=[(None, "%matplotlib inline\n%load_ext autoreload"),
           ("cnn", "!echo trained\nfrom IPython.display import display, Markdown\ndisplay(Markdown('**CNN ready**'))")],
        edits=[("    for _ in range(epochs):\n        for idx in np.array_split",
                "    for _ in tqdm(range(epochs), leave=False):\n        print('epoch')\n        for idx in np.array_split")]),
    "style_solution_in_a_new_cell": submission(
        "correct alternative", "full", base="master", replace={"maxpool": '''
class MaxPool2d(Module):
    def __init__(self, kernel_size, stride=None):
        self.kernel_size = pair(kernel_size)
        self.stride = self.kernel_size if stride is None else pair(stride)

    def forward(self, x):
        # YOUR CODE HERE
        raise NotImplementedError()

    def backward(self, grad_out):
        # YOUR CODE HERE
        raise NotImplementedError()
'''}, add=[("maxpool", '''
class MaxPool2d(Module):
    """Written in a cell of my own: windows as a list, the winner's index kept."""
    def __init__(self, kernel_size, stride=None):
        self.kernel_size = pair(kernel_size)
        self.stride = self.kernel_size if stride is None else pair(stride)

    def forward(self, x):
        (K_h, K_w), (S_h, S_w) = self.kernel_size, self.stride
        H_out, W_out = output_size(x.shape[2], K_h, S_h), output_size(x.shape[3], K_w, S_w)
        stack = np.stack([x[:, :, p:p + S_h * H_out:S_h, q:q + S_w * W_out:S_w]
                          for p in range(K_h) for q in range(K_w)])
        self.x_shape, self.winner = x.shape, stack.argmax(axis=0)
        return stack.max(axis=0)

    def backward(self, grad_out):
        (K_h, K_w), (S_h, S_w) = self.kernel_size, self.stride
        H_out, W_out = grad_out.shape[2:]
        dx = np.zeros(self.x_shape)
        for k in range(K_h * K_w):
            p, q = divmod(k, K_w)
            dx[:, :, p:p + S_h * H_out:S_h, q:q + S_w * W_out:S_w] += grad_out * (self.winner == k)
        return dx
''')]),
}
