"""Plausible wrong implementations for a6_lstm_gru: each edits the master's solution and must lose
the points of the graded functions in `breaks`, and only those."""
MUTANTS = {
    # LSTMCell.forward
    "lstm_cell_forward_gates_i_f_swapped": (["test_lstm_cell_forward"], [
        ("i = sigmoid(a[:, :H])", "i = sigmoid(a[:, H:2 * H])"),
        ("f = sigmoid(a[:, H:2 * H])", "f = sigmoid(a[:, :H])")]),
    "lstm_cell_forward_sigmoid_candidate": (["test_lstm_cell_forward"], [
        ("C_tilde = np.tanh(a[:, 2 * H:3 * H])", "C_tilde = sigmoid(a[:, 2 * H:3 * H])")]),
    "lstm_cell_forward_no_tanh_of_c": (["test_lstm_cell_forward"], [
        ("h_new = o * np.tanh(c_new)", "h_new = o * c_new")]),
    "lstm_cell_forward_without_bias_hh": (["test_lstm_cell_forward"], [
        ("h @ self.weight_hh.data.T + self.bias_ih.data + self.bias_hh.data",
         "h @ self.weight_hh.data.T + self.bias_ih.data")]),
    "lstm_cell_forward_no_input_gate": (["test_lstm_cell_forward"], [
        ("c_new = f * c + i * C_tilde", "c_new = f * c + C_tilde")]),
    "lstm_cell_forward_caches_old_c": (["test_lstm_cell_forward"], [
        ('"o": o, "c": c_new}', '"o": o, "c": c}')]),
    # LSTMCell.backward
    "lstm_cell_backward_no_tanh_derivative": (["test_lstm_cell_backward"], [
        ("dC = grad_c + grad_h * o * (1 - tanh_c ** 2)", "dC = grad_c + grad_h * o")]),
    "lstm_cell_backward_ignores_grad_c": (["test_lstm_cell_backward"], [
        ("dC = grad_c + grad_h * o * (1 - tanh_c ** 2)", "dC = grad_h * o * (1 - tanh_c ** 2)")]),
    "lstm_cell_backward_forget_gate_with_new_c": (["test_lstm_cell_backward"], [
        ("d_f = dC * c * f * (1 - f)", "d_f = dC * c_new * f * (1 - f)")]),
    "lstm_cell_backward_cell_state_without_f": (["test_lstm_cell_backward"], [
        ("self.grad_c0 = dC * f", "self.grad_c0 = dC")]),
    "lstm_cell_backward_gate_order": (["test_lstm_cell_backward"], [
        ("np.concatenate([d_i, d_f, d_C, d_o], axis=1)", "np.concatenate([d_f, d_i, d_C, d_o], axis=1)")]),
    "lstm_cell_backward_overwrites_grad": (["test_lstm_cell_backward"], [
        ("self.weight_ih.grad += delta.T @ x\n        self.weight_hh.grad += delta.T @ h",
         "self.weight_ih.grad = delta.T @ x\n        self.weight_hh.grad += delta.T @ h")]),
    "lstm_cell_backward_bias_mean_over_batch": (["test_lstm_cell_backward"], [
        ("self.bias_hh.grad += delta.sum(axis=0)\n        self.grad_h0 = delta @ self.weight_hh.data",
         "self.bias_hh.grad += delta.mean(axis=0)\n        self.grad_h0 = delta @ self.weight_hh.data")]),
    # GRUCell.forward
    "gru_cell_forward_torch_update_gate": (["test_gru_cell_forward"], [
        ("h_new = (1 - z) * h + z * h_tilde", "h_new = z * h + (1 - z) * h_tilde")]),
    "gru_cell_forward_reset_after_product": (["test_gru_cell_forward"], [
        ("np.tanh(a[:, 2 * H:] + (r * h) @ U[2 * H:].T)", "np.tanh(a[:, 2 * H:] + r * (h @ U[2 * H:].T))")]),
    "gru_cell_forward_no_reset": (["test_gru_cell_forward"], [
        ("np.tanh(a[:, 2 * H:] + (r * h) @ U[2 * H:].T)", "np.tanh(a[:, 2 * H:] + h @ U[2 * H:].T)")]),
    "gru_cell_forward_gates_r_z_swapped": (["test_gru_cell_forward"], [
        ("r, z = rz[:, :H], rz[:, H:]", "z, r = rz[:, :H], rz[:, H:]")]),
    # GRUCell.backward
    "gru_cell_backward_no_shortcut": (["test_gru_cell_backward"], [
        ("self.grad_h0 = grad_h * (1 - z) + d_rh * r +", "self.grad_h0 = d_rh * r +")]),
    "gru_cell_backward_update_gate_sign": (["test_gru_cell_backward"], [
        ("d_z = grad_h * (h_tilde - h) * z * (1 - z)", "d_z = grad_h * (h - h_tilde) * z * (1 - z)")]),
    "gru_cell_backward_U_h_sees_h": (["test_gru_cell_backward"], [
        ("self.weight_hh.grad[2 * H:] += d_h.T @ (r * h)", "self.weight_hh.grad[2 * H:] += d_h.T @ h")]),
    "gru_cell_backward_reset_path_without_r": (["test_gru_cell_backward"], [
        ("self.grad_h0 = grad_h * (1 - z) + d_rh * r +", "self.grad_h0 = grad_h * (1 - z) + d_rh +")]),
    "gru_cell_backward_overwrites_grad": (["test_gru_cell_backward"], [
        ("self.weight_hh.grad[2 * H:] += d_h.T @ (r * h)", "self.weight_hh.grad[2 * H:] = d_h.T @ (r * h)")]),
    # LSTM.forward
    "lstm_forward_ignores_initial_state": (["test_lstm_forward"], [
        ("h, c = hc[0][0], hc[1][0]", "h, c = np.zeros((B, H)), np.zeros((B, H))")]),
    "lstm_forward_state_not_carried": (["test_lstm_forward"], [
        ("h, c = cell.forward(x[:, t], (h, c))", "h, c = cell.forward(x[:, t], (hc[0][0], hc[1][0]))")]),
    "lstm_forward_time_major_output": (["test_lstm_forward"], [
        ("return np.stack(outputs, axis=1), (h[None], c[None])", "return np.stack(outputs, axis=0), (h[None], c[None])")]),
    "lstm_forward_states_swapped": (["test_lstm_forward"], [
        ("return np.stack(outputs, axis=1), (h[None], c[None])", "return np.stack(outputs, axis=1), (c[None], h[None])")]),
    "lstm_forward_h_n_without_layer_axis": (["test_lstm_forward"], [
        ("return np.stack(outputs, axis=1), (h[None], c[None])", "return np.stack(outputs, axis=1), (h, c)")]),
    # LSTM.backward (BPTT)
    "lstm_backward_forward_in_time": (["test_lstm_backward"], [
        ("for t in reversed(range(T)):\n            cell = self.cells[t]\n            dx[t] = cell.backward(dh + grad_output[:, t], dc)",
         "for t in range(T):\n            cell = self.cells[t]\n            dx[t] = cell.backward(dh + grad_output[:, t], dc)")]),
    "lstm_backward_no_recurrent_gradient": (["test_lstm_backward"], [
        ("dx[t] = cell.backward(dh + grad_output[:, t], dc)", "dx[t] = cell.backward(grad_output[:, t], dc)")]),
    "lstm_backward_drops_cell_state_path": (["test_lstm_backward"], [
        ("dh, dc = cell.grad_h0, cell.grad_c0", "dh, dc = cell.grad_h0, np.zeros_like(dc)")]),
    "lstm_backward_ignores_grad_c_n": (["test_lstm_backward"], [
        ("dc = np.zeros((B, H)) if grad_c_n is None else grad_c_n[0]", "dc = np.zeros((B, H))")]),
    "lstm_backward_output_gradient_of_last_step_only": (["test_lstm_backward"], [
        ("dx[t] = cell.backward(dh + grad_output[:, t], dc)",
         "dx[t] = cell.backward(dh + (grad_output[:, t] if t == T - 1 else 0), dc)")]),
    # GRU.forward
    "gru_forward_ignores_initial_state": (["test_gru_forward"], [
        ("h = h0[0]", "h = np.zeros((B, H))")]),
    "gru_forward_state_not_carried": (["test_gru_forward"], [
        ("h = cell.forward(x[:, t], h)", "h = cell.forward(x[:, t], h0[0])")]),
    "gru_forward_h_n_without_layer_axis": (["test_gru_forward"], [
        ("return np.stack(outputs, axis=1), h[None]", "return np.stack(outputs, axis=1), h")]),
    "gru_forward_h_n_of_first_step": (["test_gru_forward"], [
        ("return np.stack(outputs, axis=1), h[None]", "return np.stack(outputs, axis=1), outputs[0][None]")]),
    # GRU.backward (BPTT)
    "gru_backward_forward_in_time": (["test_gru_backward"], [
        ("for t in reversed(range(T)):\n            cell = self.cells[t]\n            dx[t] = cell.backward(dh + grad_output[:, t])\n",
         "for t in range(T):\n            cell = self.cells[t]\n            dx[t] = cell.backward(dh + grad_output[:, t])\n")]),
    "gru_backward_no_recurrent_gradient": (["test_gru_backward"], [
        ("dx[t] = cell.backward(dh + grad_output[:, t])\n", "dx[t] = cell.backward(grad_output[:, t])\n")]),
    "gru_backward_ignores_grad_h_n": (["test_gru_backward"], [
        ("dh = np.zeros((B, H)) if grad_h_n is None else grad_h_n[0]\n        dx = [None] * T",
         "dh = np.zeros((B, H))\n        dx = [None] * T")]),
    "gru_backward_dx_time_major": (["test_gru_backward"], [
        ("self.grad_h0 = dh[None]\n        return np.stack(dx, axis=1)", "self.grad_h0 = dh[None]\n        return np.stack(dx, axis=0)")]),
}
