"""Plausible wrong implementations for a1_backprop: each edits the master's solution and must
lose the points of the graded functions in `breaks`, and only those."""
MUTANTS = {
    # Linear.forward
    "linear_forward_no_bias": (["test_linear_forward"], [
        ("return x @ self.weight.data.T + self.bias.data", "return x @ self.weight.data.T")]),
    "linear_forward_bias_times_two": (["test_linear_forward"], [
        ("return x @ self.weight.data.T + self.bias.data", "return x @ self.weight.data.T + 2 * self.bias.data")]),
    "linear_forward_transposed_weight": (["test_linear_forward"], [
        ("return x @ self.weight.data.T + self.bias.data",
         "return (self.weight.data @ x.T).T[:, ::-1] + self.bias.data")]),
    # Linear.backward
    "linear_backward_overwrites": (["test_linear_backward"], [
        ("self.weight.grad += grad_out.T @ self.x", "self.weight.grad = grad_out.T @ self.x")]),
    "linear_backward_mean_over_batch": (["test_linear_backward"], [
        ("self.bias.grad += grad_out.sum(axis=0)", "self.bias.grad += grad_out.mean(axis=0)")]),
    "linear_backward_wrong_sign": (["test_linear_backward"], [
        ("return grad_out @ self.weight.data", "return -grad_out @ self.weight.data")]),
    "linear_backward_weight_mean": (["test_linear_backward"], [
        ("self.weight.grad += grad_out.T @ self.x", "self.weight.grad += grad_out.T @ self.x / len(self.x)")]),
    # Sigmoid.forward
    "sigmoid_wrong_sign": (["test_sigmoid_forward"], [
        ("self.s = np.where(z >= 0, 1 / (1 + e), e / (1 + e))\n        return self.s",
         "self.s = np.where(z >= 0, 1 / (1 + e), e / (1 + e))\n        return 1 - self.s")]),
    "sigmoid_overflows": (["test_sigmoid_forward"], [
        ("self.s = np.where(z >= 0, 1 / (1 + e), e / (1 + e))", "self.s = 1 / (1 + np.exp(-z))")]),
    "sigmoid_is_tanh": (["test_sigmoid_forward"], [
        ("self.s = np.where(z >= 0, 1 / (1 + e), e / (1 + e))\n        return self.s",
         "self.s = np.where(z >= 0, 1 / (1 + e), e / (1 + e))\n        return np.tanh(z)")]),
    # Sigmoid.backward
    "sigmoid_backward_plus": (["test_sigmoid_backward"], [
        ("return grad_out * self.s * (1 - self.s)", "return grad_out * self.s * (1 + self.s)")]),
    "sigmoid_backward_no_chain": (["test_sigmoid_backward"], [
        ("return grad_out * self.s * (1 - self.s)", "return self.s * (1 - self.s)")]),
    "sigmoid_backward_missing_factor": (["test_sigmoid_backward"], [
        ("return grad_out * self.s * (1 - self.s)", "return grad_out * (1 - self.s)")]),
    # ReLU.forward
    "relu_abs": (["test_relu_forward"], [("return np.maximum(z, 0)", "return np.abs(z)")]),
    "relu_min": (["test_relu_forward"], [("return np.maximum(z, 0)", "return np.minimum(z, 0)")]),
    "relu_leaky": (["test_relu_forward"], [("return np.maximum(z, 0)", "return np.where(z > 0, z, 0.1 * z)")]),
    # ReLU.backward
    "relu_backward_at_zero": (["test_relu_backward"], [
        ("return grad_out * (self.z > 0)", "return grad_out * (self.z >= 0)")]),
    "relu_backward_no_chain": (["test_relu_backward"], [
        ("return grad_out * (self.z > 0)", "return (self.z > 0).astype(float)")]),
    "relu_backward_times_input": (["test_relu_backward"], [
        ("return grad_out * (self.z > 0)", "return grad_out * np.maximum(self.z, 0)")]),
    # softmax cross-entropy: loss
    "ce_unstable": (["test_ce_loss", "test_ce_grad"], [
        ("shifted = logits - logits.max(axis=1, keepdims=True)", "shifted = logits")]),
    "ce_sum_not_mean": (["test_ce_loss"], [
        ("loss = -log_p[np.arange(n), labels].mean()", "loss = -log_p[np.arange(n), labels].sum()")]),
    "ce_wrong_axis": (["test_ce_loss"], [
        ("loss = -log_p[np.arange(n), labels].mean()",
         "loss = -(shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True)))[np.arange(n), labels].mean()")]),
    # softmax cross-entropy: gradient
    "ce_grad_not_averaged": (["test_ce_grad"], [("return loss, grad / n", "return loss, grad")]),
    "ce_grad_no_onehot": (["test_ce_grad"], [("grad[np.arange(n), labels] -= 1", "grad[np.arange(n), labels] -= 0")]),
    "ce_grad_wrong_sign": (["test_ce_grad"], [("return loss, grad / n", "return loss, -grad / n")]),
    # the network and training
    "network_backward_forward_order": (["test_xor", "test_digits"], [
        ("for layer in reversed(self.layers):", "for layer in self.layers:")]),
    "train_gradient_ascent": (["test_xor", "test_digits"], [("p.data -= lr * p.grad", "p.data += lr * p.grad")]),
    "train_no_zero_grad": (["test_xor", "test_digits"], [("p.grad[...] = 0", "pass")]),
}
