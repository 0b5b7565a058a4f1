"""Convolution and pooling on NCHW images, vectorized with strided windows (im2col).

Every layer here looks at the same thing: the kh×kw windows of the (padded) image,
one per output pixel. `_windows` returns them as a strided *view* of shape
(N, C, kh, kw, Ho, Wo), without copying, with

    windows[n, c, i, j, r, s] = x_pad[n, c, r·sh + i, s·sw + j]

and `_col2im` is its adjoint: it adds the gradient w.r.t. the windows back onto the
image, one kernel offset (i, j) at a time; where windows overlap, contributions add up.
Between the two:

    Conv2d     y = W · windows          (one matrix product per image: im2col)
    MaxPool2d  y = max over the window, the gradient goes to the first argmax only
    AvgPool2d  y = mean over the window, the gradient is shared equally

Output size along each axis: Ho = ⌊(H + 2·padding − kernel) / stride⌋ + 1 (output_size).
"""
import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..module import Module, Parameter, check_shape, uniform_fan_in


def output_size(size, kernel, stride=1, padding=0):
    """How many windows fit along one axis: ⌊(size + 2·padding − kernel) / stride⌋ + 1."""
    return (size + 2 * padding - kernel) // stride + 1


def _pair(value, what, minimum):
    """An int or a (height, width) pair of ints -> a pair; each at least `minimum`."""
    pair = (value, value) if np.ndim(value) == 0 else tuple(value)
    if len(pair) != 2 or any(int(v) != v or v < minimum for v in pair):
        raise ValueError(f"{what} must be an int >= {minimum} or a pair of them, got {value!r}")
    return tuple(int(v) for v in pair)


def _windows(x, kernel, stride, padding, name, fill=0.0):
    """Every kernel window of the padded image, as a read-only view (no copy).

    x: (N, C, H, W) -> (N, C, kh, kw, Ho, Wo), view[n, c, i, j, r, s] = x_pad[n, c, r·sh + i, s·sw + j].
    The border is padded with `fill` (0 for convolution and averaging, -inf for max).
    """
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    N, C, H, W = x.shape
    if H + 2 * ph < kh or W + 2 * pw < kw:
        raise ValueError(f"{name}: the input image {H}x{W} with padding ({ph}, {pw}) is smaller "
                         f"than the kernel {kh}x{kw}")
    if ph or pw:
        x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    Ho, Wo = output_size(H, kh, sh, ph), output_size(W, kw, sw, pw)
    sN, sC, sH, sW = x.strides
    # moving one output pixel moves the window by the stride; moving inside it, by one pixel
    return as_strided(x, (N, C, kh, kw, Ho, Wo), (sN, sC, sH, sW, sH * sh, sW * sw), writeable=False)


def _col2im(window_grad, x_shape, kernel, stride, padding, dtype):
    """Adjoint of _windows: add the gradient of every window back where it was taken from.

    window_grad(i, j) -> (N, C, Ho, Wo): the gradient w.r.t. windows[:, :, i, j], i.e. at
    kernel offset (i, j) of every window. Returns dx: (N, C, H, W) for x_shape (N, C, H, W).
    One strided add per kernel offset covers the whole batch; windows overlap when
    stride < kernel, hence += rather than =. The padding is cropped at the end.
    """
    N, C, H, W = x_shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    Ho, Wo = output_size(H, kh, sh, ph), output_size(W, kw, sw, pw)
    dx = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype)
    for i in range(kh):
        for j in range(kw):
            dx[:, :, i:i + sh * Ho:sh, j:j + sw * Wo:sw] += window_grad(i, j)
    return dx[:, :, ph:ph + H, pw:pw + W]


class Conv2d(Module):
    """2-D convolution (cross-correlation, as in torch): y = W ⋆ x + b.

    x: (N, C_in, H, W) -> y: (N, C_out, Ho, Wo), Ho = output_size(H, kh, sh, ph) (same for Wo).
    weight: (C_out, C_in, kh, kw), bias: (C_out,), both U(-1/√fan_in, 1/√fan_in) with
    fan_in = C_in·kh·kw, like torch (module.uniform_fan_in). kernel_size, stride, padding: int or (height, width).

    With im2col, cols = the windows as a matrix (N, C_in·kh·kw, Ho·Wo), and W as
    (C_out, C_in·kh·kw), the layer is one matrix product per image: y = W cols + b.
    backward(dy) with dy: (N, C_out, Ho, Wo) returns dx: (N, C_in, H, W) and adds
        dW = Σ_n dy_n cols_nᵀ  (C_out, C_in, kh, kw),   db = Σ_{n,r,s} dy  (C_out,)
    into the gradients; dx = col2im(Wᵀ dy).
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True,
                 dtype=np.float32, rng=None):
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _pair(kernel_size, "kernel_size", 1)
        self.stride = _pair(stride, "stride", 1)
        self.padding = _pair(padding, "padding", 0)
        kh, kw = self.kernel_size
        fan_in = in_channels * kh * kw
        self.weight = Parameter(uniform_fan_in(rng, (out_channels, in_channels, kh, kw), fan_in, dtype))
        self.bias = Parameter(uniform_fan_in(rng, (out_channels,), fan_in, dtype)) if bias else None

    def forward(self, x):
        x = check_shape("Conv2d", x, ("batch", self.in_channels, "H", "W"))
        windows = _windows(x, self.kernel_size, self.stride, self.padding, "Conv2d")
        N, C, kh, kw, Ho, Wo = windows.shape
        self.x_shape, self.y_shape = x.shape, (N, self.out_channels, Ho, Wo)
        self.cols = windows.reshape(N, C * kh * kw, Ho * Wo)  # im2col: the one copy, kept for dW
        y = self.weight.data.reshape(self.out_channels, -1) @ self.cols  # (N, C_out, Ho·Wo)
        if self.bias is not None:
            y += self.bias.data[:, None]  # in place: no second output-sized array
        return y.reshape(self.y_shape)

    def backward(self, grad_out):
        grad_out = check_shape("Conv2d.backward", grad_out, self.y_shape)
        N, C_out, Ho, Wo = self.y_shape
        dy = grad_out.reshape(N, C_out, Ho * Wo)
        self.weight.grad += (dy @ self.cols.transpose(0, 2, 1)).sum(axis=0).reshape(self.weight.shape)
        if self.bias is not None:
            self.bias.grad += grad_out.sum(axis=(0, 2, 3))
        # dx = col2im(Wᵀ dy), one kernel offset at a time: W[:, :, i, j]ᵀ dy is (N, C_in, Ho·Wo),
        # small enough to stay in cache, where the whole Wᵀ dy would be kh·kw times larger
        weight = self.weight.data.transpose(2, 3, 1, 0).copy()  # (kh, kw, C_in, C_out), contiguous for BLAS
        dtype = np.result_type(weight, dy)
        return _col2im(lambda i, j: (weight[i, j] @ dy).reshape(N, self.in_channels, Ho, Wo),
                       self.x_shape, self.kernel_size, self.stride, self.padding, dtype)

    def extra_repr(self):
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, bias={self.bias is not None}")


class _Pool2d(Module):
    """Shared by MaxPool2d and AvgPool2d: windows in, one number per window out.

    x: (N, C, H, W) -> y: (N, C, Ho, Wo) with Ho = output_size(H, kh, sh, ph);
    backward(dy) with dy: (N, C, Ho, Wo) returns dx: (N, C, H, W). No parameters.
    stride defaults to kernel_size (windows side by side); padding at most half the kernel.
    """

    fill = 0.0  # value of the padded border

    def __init__(self, kernel_size, stride=None, padding=0):
        self.kernel_size = _pair(kernel_size, "kernel_size", 1)
        self.stride = self.kernel_size if stride is None else _pair(stride, "stride", 1)
        self.padding = _pair(padding, "padding", 0)
        if any(2 * p > k for p, k in zip(self.padding, self.kernel_size)):
            # more padding would make windows that see only the border (as torch)
            raise ValueError(f"padding {self.padding} must be at most half of kernel_size {self.kernel_size}")

    def forward(self, x):
        name = type(self).__name__
        x = check_shape(name, x, ("batch", "C", "H", "W"))
        windows = _windows(x, self.kernel_size, self.stride, self.padding, name, self.fill)
        self.x_shape = x.shape
        y = self.pool(windows)
        self.y_shape = y.shape
        return y

    def backward(self, grad_out):
        grad_out = check_shape(f"{type(self).__name__}.backward", grad_out, self.y_shape)
        return _col2im(lambda i, j: self.window_grad(grad_out, i, j),
                       self.x_shape, self.kernel_size, self.stride, self.padding, grad_out.dtype)

    def pool(self, windows):
        """(N, C, kh, kw, Ho, Wo) -> (N, C, Ho, Wo)."""
        raise NotImplementedError

    def window_grad(self, grad_out, i, j):
        """dy: (N, C, Ho, Wo) -> the gradient at kernel offset (i, j) of every window, (N, C, Ho, Wo)."""
        raise NotImplementedError

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """y = max of each window; the border is padded with -inf so it never wins.

    backward sends each dy to one position: the first maximum of its window in row-major
    order (torch's choice on ties); a pixel that wins several overlapping windows
    collects all their gradients.
    """

    fill = -np.inf

    def pool(self, windows):
        N, C, kh, kw, Ho, Wo = windows.shape
        flat = windows.reshape(N, C, kh * kw, Ho, Wo)
        self.argmax = flat.argmax(axis=2)  # (N, C, Ho, Wo); argmax returns the first maximum
        return np.take_along_axis(flat, self.argmax[:, :, None], axis=2)[:, :, 0]

    def window_grad(self, grad_out, i, j):
        return np.where(self.argmax == i * self.kernel_size[1] + j, grad_out, 0)


class AvgPool2d(_Pool2d):
    """y = mean of each window; zero padding counts in the mean (torch's count_include_pad=True).

    backward shares each dy equally among the kh·kw positions of its window.
    """

    def pool(self, windows):
        return windows.mean(axis=(2, 3))

    def window_grad(self, grad_out, i, j):
        return grad_out / (self.kernel_size[0] * self.kernel_size[1])


class Flatten(Module):
    """x: (N, d1, d2, ...) -> y: (N, d1·d2·...), e.g. between the conv layers and a Linear.

    backward(dy) with dy: (N, d1·d2·...) returns dy reshaped to x's shape (N, d1, d2, ...).
    """

    def forward(self, x):
        x = np.asarray(x)
        if x.ndim < 2:
            raise ValueError(f"Flatten expects input of shape (batch, ...), got {x.shape}")
        self.x_shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, grad_out):
        check_shape("Flatten.backward", grad_out, (self.x_shape[0], math.prod(self.x_shape[1:])))
        return np.reshape(grad_out, self.x_shape)
