"""MaxOut (Goodfellow et al., 2013): each unit is the largest of k linear functions of its input,

    y_h = max_k ( <w_kh, x> + b_kh ),      k = 1..K,

a convex piecewise linear function that the network learns, instead of a fixed activation.
ReLU is the case K = 2 with one piece fixed at 0; |z| is max(z, -z).

The gradient flows only through the winning piece of each unit and example: for that piece
∂y_h/∂w_kh = x and ∂y_h/∂b_kh = 1, for the other pieces 0 (at a tie the first winner takes it).
"""
import numpy as np

from ..module import Module, Parameter, check_shape, uniform_fan_in


class MaxOut(Module):
    """y = max over k of (x @ weight[k].T + bias[k]).

    x: (batch, in_features) -> y: (batch, out_features).
    weight: (pieces, out_features, in_features), bias: (pieces, out_features); weight[k] and
    bias[k] are the k-th piece of every unit, laid out like nn.Linear's weight and bias, and
    initialised like it, U(-1/√in_features, 1/√in_features); rng: a np.random.Generator, or
    None for the generator of nnlab.manual_seed.
    backward(dy) with dy: (batch, out_features) returns dx: (batch, in_features) and adds
    each example's dy to the gradient of its winning piece only.
    """

    def __init__(self, in_features, out_features, pieces=2, bias=True, dtype=np.float32, rng=None):
        if int(pieces) != pieces or pieces < 1:
            raise ValueError(f"MaxOut needs a whole number of pieces >= 1, got {pieces!r}")
        self.in_features, self.out_features, self.pieces = in_features, out_features, int(pieces)
        shape = (self.pieces, out_features)
        self.weight = Parameter(uniform_fan_in(rng, shape + (in_features,), in_features, dtype))
        self.bias = Parameter(uniform_fan_in(rng, shape, in_features, dtype)) if bias else None

    def pieces_of(self, x):
        """The values of all pieces, z[n, k, h] = <w_kh, x_n> + b_kh: (batch, pieces, out_features)."""
        x = check_shape("MaxOut", x, ("batch", self.in_features))
        flat = self.weight.data.reshape(-1, self.in_features)       # (pieces·out, in): one matmul
        z = (x @ flat.T).reshape(len(x), self.pieces, self.out_features)
        return z + self.bias.data if self.bias is not None else z

    def forward(self, x):
        self.x = check_shape("MaxOut", x, ("batch", self.in_features))
        z = self.pieces_of(self.x)
        self.winner = z.argmax(axis=1)                              # (batch, out_features)
        return np.take_along_axis(z, self.winner[:, None, :], axis=1)[:, 0, :]

    def backward(self, grad_out):
        check_shape("MaxOut.backward", grad_out, (self.x.shape[0], self.out_features))
        # dL/dz: the gradient of each unit goes to its winning piece, zero to the others
        grad_z = np.zeros((len(self.x), self.pieces, self.out_features), dtype=np.result_type(grad_out, self.x))
        np.put_along_axis(grad_z, self.winner[:, None, :], grad_out[:, None, :], axis=1)
        flat_grad = grad_z.reshape(len(self.x), -1)                  # (batch, pieces·out)
        self.weight.grad += (flat_grad.T @ self.x).reshape(self.weight.shape)
        if self.bias is not None:
            self.bias.grad += grad_z.sum(axis=0)
        return flat_grad @ self.weight.data.reshape(-1, self.in_features)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"pieces={self.pieces}, bias={self.bias is not None}")
