"""Parameters, the Module protocol, Sequential and the initialisation of weights.

Every layer of nnlab (and every layer a student writes) keeps one contract:

    forward(x)         computes the output and caches what backward needs
    backward(grad_out) returns dL/dx and ACCUMULATES dL/dθ into p.grad
    parameters()       the list of Parameter objects

Losses (nnlab.nn.losses) are Modules with a contract of their own, because they end the
chain: nothing comes after them to send a gradient back.

    forward(pred, target)  returns the loss, a Python float, and caches what backward needs
    backward()             takes NO argument (dL/dL = 1) and returns dL/dpred, pred's shape

so one training step reads: loss = crit.forward(model.forward(x), y);
model.backward(crit.backward()).

Names and shapes of parameters follow the PyTorch twin, so that
``layer.load_state_dict(torch_layer.state_dict())`` works.
"""
from collections import OrderedDict

import numpy as np

_rng = np.random.default_rng(0)


def manual_seed(seed):
    """Seed the generator that layers use when they are given no rng of their own."""
    global _rng
    _rng = np.random.default_rng(seed)


def default_rng():
    """The generator set by the latest manual_seed (one seeded with 0 before any call)."""
    return _rng


def uniform_fan_in(rng, shape, fan_in, dtype=np.float32):
    """Initial weights drawn from U(-1/√fan_in, 1/√fan_in), torch's default for its layers.

    rng: a np.random.Generator, or None for default_rng() (the generator of manual_seed).
    shape: the parameter's shape; fan_in: how many inputs each unit adds up (Linear:
    in_features; Conv2d: C_in·kh·kw; recurrent layers: hidden_size, as torch).
    The bound keeps the variance of a unit's input independent of how many inputs it has.
    """
    rng = default_rng() if rng is None else rng
    bound = 1.0 / np.sqrt(fan_in)
    return rng.uniform(-bound, bound, shape).astype(dtype)


class Parameter:
    """A trainable array with its gradient.

    data : the values; grad : dL/d(data), same shape, accumulated by backward.
    mask : None, or a 0/1 array of data's shape; pruned entries (mask == 0)
           are kept at zero by every optimizer (see nnlab.prune).
    """

    def __init__(self, data):
        self.data = np.asarray(data)
        self.grad = np.zeros_like(self.data)
        self.mask = None

    @property
    def shape(self):
        return self.data.shape

    def zero_grad(self):
        self.grad = np.zeros_like(self.data)

    def __repr__(self):
        return f"Parameter(shape={self.data.shape}, dtype={self.data.dtype})"


def _to_numpy(value):
    """Arrays, lists and torch tensors (detached, on the CPU) to a NumPy array."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


class Module:
    """Base class of every layer, loss and network."""

    training = True

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__}.forward is not implemented")

    def backward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__}.backward is not implemented")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # -- parameters: found by walking the attributes, in definition order --
    def named_parameters(self, prefix=""):
        for name, value in list(vars(self).items()):  # a copy: forward may add attributes meanwhile
            if isinstance(value, Parameter):
                yield prefix + name, value
            elif isinstance(value, Module):
                yield from value.named_parameters(prefix + name + ".")

    def children(self):
        return [v for v in vars(self).values() if isinstance(v, Module)]

    def parameters(self):
        return [p for _, p in self.named_parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.zero_grad()

    def train(self, mode=True):
        self.training = mode
        for child in self.children():
            child.train(mode)
        return self

    def eval(self):
        return self.train(False)

    # -- state dicts with torch's names --
    def state_dict(self):
        return OrderedDict((name, p.data.copy()) for name, p in self.named_parameters())

    def load_state_dict(self, state_dict):
        """Copy values (NumPy arrays or torch tensors) into the parameters of the same names.

        The dtype of each parameter is kept only if the value has none of its own
        (lists); arrays and tensors bring their dtype, so float64 torch weights give
        a float64 layer.
        """
        own = dict(self.named_parameters())
        missing = sorted(set(own) - set(state_dict))
        unexpected = sorted(set(state_dict) - set(own))
        if missing or unexpected:
            raise KeyError(f"{type(self).__name__}.load_state_dict: missing keys {missing}, "
                           f"unexpected keys {unexpected}")
        for name, value in state_dict.items():
            array = _to_numpy(value)
            if array.shape != own[name].shape:
                raise ValueError(f"{name}: expected shape {own[name].shape}, got {array.shape}")
            own[name].data = array.copy()
            own[name].grad = np.zeros_like(own[name].data)
        return self

    def to(self, dtype):
        """Cast every parameter to dtype (e.g. np.float64 for gradient checks)."""
        for p in self.parameters():
            p.data = p.data.astype(dtype)
            p.grad = p.grad.astype(dtype)
        return self

    def extra_repr(self):
        return ""

    def __repr__(self):
        lines = [f"{type(self).__name__}({self.extra_repr()}"]
        for name, child in vars(self).items():
            if isinstance(child, Module):
                lines.append(f"  ({name}): " + repr(child).replace("\n", "\n  "))
        return lines[0] + ")" if len(lines) == 1 else "\n".join(lines) + "\n)"


class Sequential(Module):
    """Layers applied in order; backward runs them in reverse (also nnlab.nn.Sequential).

    Sequential(layer_0, layer_1, ...): forward(x) = layer_k(...layer_1(layer_0(x))), with
    whatever shapes the layers take; backward(grad_out) passes dL/d(output) through the
    layers' backward from the last to the first and returns dL/dx.
    Parameter names are ``"<index>.<name>"`` as in torch.nn.Sequential.
    """

    def __init__(self, *layers):
        self.layers = list(layers)

    def __getitem__(self, index):
        return self.layers[index]

    def __len__(self):
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)

    def children(self):
        return list(self.layers)

    def named_parameters(self, prefix=""):
        for i, layer in enumerate(self.layers):
            yield from layer.named_parameters(f"{prefix}{i}.")

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_out):
        for layer in reversed(self.layers):
            grad_out = layer.backward(grad_out)
        return grad_out

    def __repr__(self):
        body = "\n".join(f"  ({i}): " + repr(layer).replace("\n", "\n  ")
                         for i, layer in enumerate(self.layers))
        return f"Sequential(\n{body}\n)"


def check_shape(name, x, expected):
    """Raise ValueError unless x.shape matches expected.

    expected: a tuple of ints or strings; a string is a named free size, an int must match.
    The message names the expected shape, e.g. "Linear expects input of shape
    (batch, 3), got (4, 5)".
    """
    x = np.asarray(x)
    ok = x.ndim == len(expected) and all(
        isinstance(e, str) or e == s for e, s in zip(expected, x.shape))
    if not ok:
        shown = "(" + ", ".join(str(e) for e in expected) + ("," if len(expected) == 1 else "") + ")"
        raise ValueError(f"{name} expects input of shape {shown}, got {tuple(x.shape)}")
    return x
