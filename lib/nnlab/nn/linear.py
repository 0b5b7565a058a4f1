"""Fully connected layer y = x W^T + b (torch.nn.Linear's convention: weight is (out, in))."""
import numpy as np

from ..module import Module, Parameter, check_shape, uniform_fan_in


class Linear(Module):
    """y = x @ weight.T + bias.

    x: (batch, in_features) -> y: (batch, out_features).
    weight: (out_features, in_features), bias: (out_features,), both initialised
    U(-1/√in_features, 1/√in_features) like torch (module.uniform_fan_in); rng: a
    np.random.Generator, or None for the generator of nnlab.manual_seed.
    backward(dy) with dy: (batch, out_features) returns dx: (batch, in_features) and adds
    dW = dy^T x (summed over the batch) and db = sum_batch dy into the gradients.
    """

    def __init__(self, in_features, out_features, bias=True, dtype=np.float32, rng=None):
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(uniform_fan_in(rng, (out_features, in_features), in_features, dtype))
        self.bias = Parameter(uniform_fan_in(rng, (out_features,), in_features, dtype)) if bias else None

    def forward(self, x):
        self.x = check_shape("Linear", x, ("batch", self.in_features))
        y = self.x @ self.weight.data.T
        if self.bias is not None:
            y += self.bias.data  # in place: no second (batch, out) array
        return y

    def backward(self, grad_out):
        check_shape("Linear.backward", grad_out, (self.x.shape[0], self.out_features))
        self.weight.grad += grad_out.T @ self.x
        if self.bias is not None:
            self.bias.grad += grad_out.sum(axis=0)
        return grad_out @ self.weight.data

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
