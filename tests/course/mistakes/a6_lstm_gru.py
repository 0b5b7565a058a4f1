"""Typical mistakes in a6_lstm_gru and what the visible tests must say about them
(see tests/course/test_visible_messages.py)."""
LSTM_LOOP = "            dx[:, t], dh, dc = self.cell.backward(grad_output[:, t] + dh, dc, self.caches[t])"

MISTAKES = {
    "gradients_assigned_not_added": (["test_lstm_cell_backward"], [
        ("self.weight_ih.grad += delta.T @ x\n        self.weight_hh.grad += delta.T @ h",
         "self.weight_ih.grad = delta.T @ x\n        self.weight_hh.grad += delta.T @ h")],
        ["ADDED", "dL/dweight_ih"]),
    "weight_gradient_transposed": (["test_lstm_cell_backward"], [
        ("self.weight_ih.grad += delta.T @ x\n        self.weight_hh.grad += delta.T @ h",
         "self.weight_ih.grad += x.T @ delta\n        self.weight_hh.grad += delta.T @ h")],
        ["dL/dweight_ih", "(16, 3)", "transposed?"]),
    "forget_gate_gradient_with_the_new_cell_state": (["test_lstm_cell_backward"], [
        ("delta_f = dC * c * f * (1 - f)", "delta_f = dC * c_new * f * (1 - f)")],
        ["δf is WRONG", "forget gate", "right: dL/dC"]),
    "lstm_state_gradients_swapped": (["test_lstm_cell_backward"], [
        ("return delta @ self.weight_ih.data, delta @ self.weight_hh.data, dC * f",
         "return delta @ self.weight_ih.data, dC * f, delta @ self.weight_hh.data")],
        ["dL/dh and dL/dC are swapped"]),
    "gru_in_pytorchs_form": (["test_gru_cell_forward"], [
        ("h_tilde = np.tanh(a[:, 2 * H:] + (r * h) @ U[2 * H:].T)",
         "h_tilde = np.tanh(x @ W[2 * H:].T + self.bias_ih.data[2 * H:]"
         " + r * (h @ U[2 * H:].T + self.bias_hh.data[2 * H:]))"),
        ("h_new = (1 - z) * h + z * h_tilde", "h_new = (1 - z) * h_tilde + z * h")],
        ["PyTorch's GRU", "graded is the course's GRU"]),
    "gru_U_n_gradient_from_h": (["test_gru_cell_backward"], [
        ("self.weight_hh.grad[2 * H:] += delta_n.T @ (r * h)", "self.weight_hh.grad[2 * H:] += delta_n.T @ h")],
        ["dL/dU_n is WRONG", "r ⊙ h", "right: dL/dx, dL/dh"]),
    "cell_forward_keeps_its_cache_inside": (["test_lstm_cell_forward"], [
        ("return h_new, c_new, cache", "self.cache = cache\n        return h_new, c_new")],
        ["must return (h', C', cache)"]),
    "bptt_without_the_recurrent_gradient": (["test_lstm_backward"], [
        (LSTM_LOOP, LSTM_LOOP.replace("grad_output[:, t] + dh", "grad_output[:, t]"))],
        ["dL/dx is WRONG", "wrong at time steps t=0", "δf is WRONG"]),
    "last_states_without_the_layer_axis": (["test_lstm_forward"], [
        ("return np.stack(outputs, axis=1), (h[None], c[None])", "return np.stack(outputs, axis=1), (h, c)")],
        ["h_n of LSTM.forward", "(1, 2, 4)", "leading axis (layers) is missing"]),
}
