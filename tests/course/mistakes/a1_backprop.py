"""Typical mistakes in a1_backprop and what the visible tests must say about them
(see tests/course/test_visible_messages.py)."""
MISTAKES = {
    "weight_gradient_transposed": (["test_linear_backward"], [
        ("self.weight.grad += grad_out.T @ self.x", "self.weight.grad += self.x.T @ grad_out")],
        ["dL/dweight", "(2, 3)", "transposed?"]),
    "gradients_assigned_not_added": (["test_linear_backward"], [
        ("self.weight.grad += grad_out.T @ self.x", "self.weight.grad = grad_out.T @ self.x")],
        ["ADDED", "dL/dweight"]),
}
