"""Typical mistakes in a1_backprop and what the visible tests must say about them
(see tests/course/test_visible_messages.py)."""
MISTAKES = {
    # Linear
    "weight_gradient_transposed": (["test_linear_backward"], [
        ("self.weight.grad += grad_out.T @ self.x", "self.weight.grad += self.x.T @ grad_out")],
        ["dL/dweight", "(2, 3)", "transposed?"]),
    "gradients_assigned_not_added": (["test_linear_backward"], [
        ("self.weight.grad += grad_out.T @ self.x", "self.weight.grad = grad_out.T @ self.x")],
        ["ADDED", "dL/dweight"]),
    "bias_gradient_averaged": (["test_linear_backward"], [
        ("self.bias.grad += grad_out.sum(axis=0)", "self.bias.grad += grad_out.mean(axis=0)")],
        ["dL/dbias is WRONG"]),
    "input_gradient_with_transposed_weight": (["test_linear_backward"], [
        ("return grad_out @ self.weight.data", "return grad_out @ self.weight.data.T")],
        ["Linear.backward failed with a NumPy shape error", "in a matrix product"]),
    # activations
    "sigmoid_overflows": (["test_sigmoid_forward"], [
        ("e = np.exp(-np.abs(z))\n        self.s = np.where(z >= 0, 1 / (1 + e), e / (1 + e))",
         "self.s = 1 / (1 + np.exp(-z))")],
        ["Sigmoid.forward(±1000) warns", "overflow"]),
    "relu_derivative_one_at_zero": (["test_relu_backward"], [
        ("return grad_out * (self.z > 0)", "return grad_out * (self.z >= 0)")],
        ["ReLU.backward at z = [0, 1]", "the derivative at 0 is 0"]),
    # softmax cross-entropy
    "cross_entropy_without_the_max_shift": (["test_ce_loss", "test_ce_grad"], [
        ("shifted = logits - logits.max(axis=1, keepdims=True)", "shifted = logits")],
        ["for logits of 1e3 the loss is", "subtract each row's maximum first"]),
    "cross_entropy_gradient_not_averaged": (["test_ce_grad"], [
        ("return loss, grad / n", "return loss, grad")],
        ["dL/dlogits is wrong"]),
    # the network and its training
    "train_never_zeroes_the_gradients": (["test_xor", "test_digits"], [
        ("p.grad[...] = 0", "pass")],
        ["after 3 full-batch epochs of train", "with the gradients zeroed before each batch"]),
    "train_steps_uphill": (["test_xor", "test_digits"], [
        ("p.data -= lr * p.grad", "p.data += lr * p.grad")],
        ["after 3 full-batch epochs of train"]),
}
