"""Plausible wrong implementations for a6_lstm_gru: each edits the master's solution and must lose
the points of the graded functions in `breaks`, and only those. A wrong cell must not cost the
points of the sequence layers (the tests put a correct cell in its place there)."""
LSTM_LOOP = "            dx[:, t], dh, dc = self.cell.backward(grad_output[:, t] + dh, dc, self.caches[t])"
GRU_LOOP = "            dx[:, t], dh = self.cell.backward(grad_output[:, t] + dh, self.caches[t])"

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
    "lstm_cell_forward_forget_gate_always_one": (["test_lstm_cell_forward"], [
        ("c_new = f * c + i * C_tilde", "f = np.ones_like(f)\n        c_new = f * c + i * C_tilde")]),
    "lstm_cell_forward_caches_old_c": (["test_lstm_cell_forward"], [
        ('"o": o, "c": c_new}', '"o": o, "c": c}')]),
    "lstm_cell_forward_returns_no_cache": (["test_lstm_cell_forward"], [
        ("return h_new, c_new, cache", "self.cache = cache\n        return h_new, c_new")]),
    # LSTMCell.backward
    "lstm_cell_backward_no_tanh_derivative": (["test_lstm_cell_backward"], [
        ("dC = grad_c + grad_h * o * (1 - tanh_c ** 2)", "dC = grad_c + grad_h * o")]),
    "lstm_cell_backward_ignores_grad_c": (["test_lstm_cell_backward"], [
        ("dC = grad_c + grad_h * o * (1 - tanh_c ** 2)", "dC = grad_h * o * (1 - tanh_c ** 2)")]),
    "lstm_cell_backward_forget_gate_with_new_c": (["test_lstm_cell_backward"], [
        ("delta_f = dC * c * f * (1 - f)", "delta_f = dC * c_new * f * (1 - f)")]),
    "lstm_cell_backward_cell_state_without_f": (["test_lstm_cell_backward"], [
        ("delta @ self.weight_hh.data, dC * f", "delta @ self.weight_hh.data, dC")]),
    "lstm_cell_backward_gate_order": (["test_lstm_cell_backward"], [
        ("np.concatenate([delta_i, delta_f, delta_C, delta_o], axis=1)",
         "np.concatenate([delta_f, delta_i, delta_C, delta_o], axis=1)")]),
    "lstm_cell_backward_assigns_grad": (["test_lstm_cell_backward"], [
        ("self.weight_ih.grad += delta.T @ x\n        self.weight_hh.grad += delta.T @ h",
         "self.weight_ih.grad = delta.T @ x\n        self.weight_hh.grad += delta.T @ h")]),
    "lstm_cell_backward_bias_mean_over_batch": (["test_lstm_cell_backward"], [
        ("self.bias_hh.grad += delta.sum(axis=0)\n        return delta @ self.weight_ih.data",
         "self.bias_hh.grad += delta.mean(axis=0)\n        return delta @ self.weight_ih.data")]),
    "lstm_cell_backward_states_swapped": (["test_lstm_cell_backward"], [
        ("return delta @ self.weight_ih.data, delta @ self.weight_hh.data, dC * f",
         "return delta @ self.weight_ih.data, dC * f, delta @ self.weight_hh.data")]),
    # GRUCell.forward
    "gru_cell_forward_torch_update_gate": (["test_gru_cell_forward"], [
        ("h_new = (1 - z) * h + z * h_tilde", "h_new = z * h + (1 - z) * h_tilde")]),
    "gru_cell_forward_reset_after_product": (["test_gru_cell_forward"], [
        ("np.tanh(a[:, 2 * H:] + (r * h) @ U[2 * H:].T)", "np.tanh(a[:, 2 * H:] + r * (h @ U[2 * H:].T))")]),
    "gru_cell_forward_no_reset": (["test_gru_cell_forward"], [
        ("np.tanh(a[:, 2 * H:] + (r * h) @ U[2 * H:].T)", "np.tanh(a[:, 2 * H:] + h @ U[2 * H:].T)")]),
    "gru_cell_forward_gates_r_z_swapped": (["test_gru_cell_forward"], [
        ("r = sigmoid(a[:, :H] + h @ U[:H].T)", "r = sigmoid(a[:, H:2 * H] + h @ U[H:2 * H].T)"),
        ("z = sigmoid(a[:, H:2 * H] + h @ U[H:2 * H].T)", "z = sigmoid(a[:, :H] + h @ U[:H].T)")]),
    # GRUCell.backward
    "gru_cell_backward_no_shortcut": (["test_gru_cell_backward"], [
        ("dh = grad_h * (1 - z) + d_rh * r +", "dh = d_rh * r +")]),
    "gru_cell_backward_update_gate_sign": (["test_gru_cell_backward"], [
        ("delta_z = grad_h * (h_tilde - h) * z * (1 - z)", "delta_z = grad_h * (h - h_tilde) * z * (1 - z)")]),
    "gru_cell_backward_U_n_sees_h": (["test_gru_cell_backward"], [
        ("self.weight_hh.grad[2 * H:] += delta_n.T @ (r * h)", "self.weight_hh.grad[2 * H:] += delta_n.T @ h")]),
    "gru_cell_backward_reset_path_without_r": (["test_gru_cell_backward"], [
        ("dh = grad_h * (1 - z) + d_rh * r +", "dh = grad_h * (1 - z) + d_rh +")]),
    "gru_cell_backward_assigns_grad": (["test_gru_cell_backward"], [
        ("self.weight_hh.grad[:2 * H] += delta[:, :2 * H].T @ h", "self.weight_hh.grad[:2 * H] = delta[:, :2 * H].T @ h")]),
    # LSTM.forward
    "lstm_forward_ignores_initial_state": (["test_lstm_forward"], [
        ("h, c = hc[0][0], hc[1][0]", "h, c = np.zeros((B, H)), np.zeros((B, H))")]),
    "lstm_forward_state_not_carried": (["test_lstm_forward"], [
        ("h, c, cache = self.cell.forward(x[:, t], (h, c))", "h, c, cache = self.cell.forward(x[:, t], (hc[0][0], hc[1][0]))")]),
    "lstm_forward_time_major_output": (["test_lstm_forward"], [
        ("return np.stack(outputs, axis=1), (h[None], c[None])", "return np.stack(outputs, axis=0), (h[None], c[None])")]),
    "lstm_forward_states_swapped": (["test_lstm_forward"], [
        ("return np.stack(outputs, axis=1), (h[None], c[None])", "return np.stack(outputs, axis=1), (c[None], h[None])")]),
    "lstm_forward_h_n_without_layer_axis": (["test_lstm_forward"], [
        ("return np.stack(outputs, axis=1), (h[None], c[None])", "return np.stack(outputs, axis=1), (h, c)")]),
    "lstm_forward_new_cell_per_step": (["test_lstm_forward"], [
        ("            h, c, cache = self.cell.forward(x[:, t], (h, c))",
         "            self.cell = LSTMCell(self.input_size, H, seed=t)\n"
         "            h, c, cache = self.cell.forward(x[:, t], (h, c))")]),
    # LSTM.backward (BPTT)
    "lstm_backward_forward_in_time": (["test_lstm_backward"], [
        ("for t in reversed(range(T)):\n" + LSTM_LOOP, "for t in range(T):\n" + LSTM_LOOP)]),
    "lstm_backward_no_recurrent_gradient": (["test_lstm_backward"], [
        (LSTM_LOOP, LSTM_LOOP.replace("grad_output[:, t] + dh", "grad_output[:, t]"))]),
    "lstm_backward_drops_cell_state_path": (["test_lstm_backward"], [
        (LSTM_LOOP, LSTM_LOOP.replace("grad_output[:, t] + dh, dc,", "grad_output[:, t] + dh, None,"))]),
    "lstm_backward_ignores_grad_c_n": (["test_lstm_backward"], [
        ("dc = np.zeros((B, H)) if grad_c_n is None else grad_c_n[0]", "dc = np.zeros((B, H))")]),
    "lstm_backward_output_gradient_of_last_step_only": (["test_lstm_backward"], [
        (LSTM_LOOP, LSTM_LOOP.replace("grad_output[:, t] + dh", "(grad_output[:, t] if t == T - 1 else 0) + dh"))]),
    "lstm_backward_zeroes_gradients_first": (["test_lstm_backward"], [
        ("dc = np.zeros((B, H)) if grad_c_n is None else grad_c_n[0]\n",
         "dc = np.zeros((B, H)) if grad_c_n is None else grad_c_n[0]\n"
         "        for p in self.parameters():\n            p.grad = np.zeros_like(p.data)\n")]),
    # GRU.forward
    "gru_forward_ignores_initial_state": (["test_gru_forward"], [
        ("h = h0[0]", "h = np.zeros((B, H))")]),
    "gru_forward_state_not_carried": (["test_gru_forward"], [
        ("h, cache = self.cell.forward(x[:, t], h)", "h, cache = self.cell.forward(x[:, t], h0[0])")]),
    "gru_forward_h_n_without_layer_axis": (["test_gru_forward"], [
        ("return np.stack(outputs, axis=1), h[None]", "return np.stack(outputs, axis=1), h")]),
    "gru_forward_h_n_of_first_step": (["test_gru_forward"], [
        ("return np.stack(outputs, axis=1), h[None]", "return np.stack(outputs, axis=1), outputs[0][None]")]),
    # GRU.backward (BPTT)
    "gru_backward_forward_in_time": (["test_gru_backward"], [
        ("for t in reversed(range(T)):\n" + GRU_LOOP, "for t in range(T):\n" + GRU_LOOP)]),
    "gru_backward_no_recurrent_gradient": (["test_gru_backward"], [
        (GRU_LOOP, GRU_LOOP.replace("grad_output[:, t] + dh", "grad_output[:, t]"))]),
    "gru_backward_ignores_grad_h_n": (["test_gru_backward"], [
        ("dh = np.zeros((B, H)) if grad_h_n is None else grad_h_n[0]\n        dx = np.zeros((B, T, self.input_size))\n"
         "        for t in reversed(range(T)):\n" + GRU_LOOP,
         "dh = np.zeros((B, H))\n        dx = np.zeros((B, T, self.input_size))\n"
         "        for t in reversed(range(T)):\n" + GRU_LOOP)]),
    "gru_backward_dx_reversed_in_time": (["test_gru_backward"], [
        (GRU_LOOP, GRU_LOOP.replace("dx[:, t], dh =", "dx[:, T - 1 - t], dh ="))]),
}
