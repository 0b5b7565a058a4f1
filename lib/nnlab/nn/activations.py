"""Elementwise activations σ(z), each with σ'(z) and σ''(z) side by side.

forward(z) caches z; backward(dy) returns dy ⊙ σ'(z). The second derivative is what
Optimal Brain Damage (nnlab.prune) needs for the exact diagonal Hessian.
Shapes: any; the output and every gradient have the input's shape.
"""
import numpy as np

from ..module import Module, Parameter


class Activation(Module):
    """Base class: subclasses define value(z), derivative(z) and second_derivative(z)."""

    def value(self, z):
        raise NotImplementedError

    def derivative(self, z):
        raise NotImplementedError

    def second_derivative(self, z):
        raise NotImplementedError

    def forward(self, z):
        self.z = np.asarray(z)
        return self.value(self.z)

    def backward(self, grad_out):
        if np.shape(grad_out) != self.z.shape:
            raise ValueError(f"{type(self).__name__}.backward expects a gradient of shape "
                             f"{self.z.shape}, got {np.shape(grad_out)}")
        return grad_out * self.derivative(self.z)


def sigmoid(z):
    """1 / (1 + e^{-z}), computed without overflow for large |z|."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


class Sigmoid(Activation):
    """σ(z) = 1/(1+e^{-z});  σ' = σ(1-σ);  σ'' = σ(1-σ)(1-2σ)."""

    def value(self, z):
        return sigmoid(z)

    def derivative(self, z):
        s = sigmoid(z)
        return s * (1 - s)

    def second_derivative(self, z):
        s = sigmoid(z)
        return s * (1 - s) * (1 - 2 * s)


class Tanh(Activation):
    """th(z);  th' = 1 - th²;  th'' = -2 th (1 - th²)."""

    def value(self, z):
        return np.tanh(z)

    def derivative(self, z):
        return 1 - np.tanh(z) ** 2

    def second_derivative(self, z):
        t = np.tanh(z)
        return -2 * t * (1 - t ** 2)


class LeakyReLU(Activation):
    """max(z, 0) + slope·min(z, 0); derivative 1 for z > 0 and slope otherwise (torch's choice at 0)."""

    def __init__(self, negative_slope=0.01):
        self.negative_slope = negative_slope

    def value(self, z):
        return np.where(z > 0, z, self.negative_slope * z)

    def derivative(self, z):
        return np.where(z > 0, 1.0, self.negative_slope).astype(z.dtype)

    def second_derivative(self, z):
        return np.zeros_like(z)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class ReLU(LeakyReLU):
    """(z)_+ = max(z, 0): the positive part; derivative [z > 0]."""

    def __init__(self):
        super().__init__(negative_slope=0.0)

    def value(self, z):
        return np.maximum(z, 0)

    def derivative(self, z):
        return (z > 0).astype(z.dtype)

    def extra_repr(self):
        return ""


class Softplus(Activation):
    """(1/β) ln(1 + e^{βz}), a smooth ReLU; linear where βz > threshold (as torch)."""

    def __init__(self, beta=1.0, threshold=20.0):
        self.beta, self.threshold = beta, threshold

    def value(self, z):
        bz = self.beta * z
        # ln(1 + e^{bz}) = max(bz, 0) + ln(1 + e^{-|bz|}): stable, and faster than logaddexp
        soft = (np.maximum(bz, 0) + np.log1p(np.exp(-np.abs(bz)))) / self.beta
        return np.where(bz > self.threshold, z, soft)

    def derivative(self, z):
        bz = self.beta * z
        return np.where(bz > self.threshold, 1.0, sigmoid(bz))

    def second_derivative(self, z):
        bz = self.beta * z
        s = sigmoid(bz)
        return np.where(bz > self.threshold, 0.0, self.beta * s * (1 - s))

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class PReLU(Module):
    """Parametric ReLU: max(z, 0) + a·min(z, 0) with a learned slope a per channel.

    weight: (num_parameters,), initialised to `init`; the channel axis is 1 (torch's
    convention: (batch, C) or (batch, C, H, W)); num_parameters=1 shares one slope.
    backward adds dL/da = Σ dy ⊙ min(z, 0) over every axis but the channel axis.
    """

    def __init__(self, num_parameters=1, init=0.25, dtype=np.float32):
        self.num_parameters = num_parameters
        self.weight = Parameter(np.full(num_parameters, init, dtype=dtype))

    def _slope(self, ndim):
        """The slope broadcast against an input with ndim axes."""
        if self.num_parameters == 1:
            return self.weight.data
        return self.weight.data.reshape((1, -1) + (1,) * (ndim - 2))

    def forward(self, z):
        z = np.asarray(z)
        if self.num_parameters > 1 and (z.ndim < 2 or z.shape[1] != self.num_parameters):
            raise ValueError(f"PReLU expects input of shape (batch, {self.num_parameters}, ...), "
                             f"got {z.shape}")
        self.z = z
        return np.where(z > 0, z, self._slope(z.ndim) * z)

    def backward(self, grad_out):
        z = self.z
        negative = np.minimum(z, 0)
        if self.num_parameters == 1:
            self.weight.grad += np.sum(grad_out * negative, keepdims=True).reshape(1)
        else:
            axes = tuple(i for i in range(z.ndim) if i != 1)
            self.weight.grad += np.sum(grad_out * negative, axis=axes)
        return grad_out * np.where(z > 0, 1.0, self._slope(z.ndim))

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class Softmax(Module):
    """softmax(z)_k = e^{z_k} / Σ_j e^{z_j} along `dim` (default: the last axis).

    backward: dz = y ⊙ (dy - Σ_k dy_k y_k), the Jacobian-vector product of softmax.
    For classification prefer CrossEntropyLoss on logits: it fuses softmax and the log.
    """

    def __init__(self, dim=-1):
        self.dim = dim

    def forward(self, z):
        z = np.asarray(z)
        e = np.exp(z - z.max(axis=self.dim, keepdims=True))
        self.y = e / e.sum(axis=self.dim, keepdims=True)
        return self.y

    def backward(self, grad_out):
        y = self.y
        return y * (grad_out - np.sum(grad_out * y, axis=self.dim, keepdims=True))

    def extra_repr(self):
        return f"dim={self.dim}"
