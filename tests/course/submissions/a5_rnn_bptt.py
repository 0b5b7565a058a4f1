"""Plausible wrong implementations for a5_rnn_bptt: each edits the master's solution and must
lose the points of the graded functions in `breaks`, and only those."""
CELL_RETURN = "return h_new, (x, h, h_new)"
CELL_GRADS = "return delta @ self.weight_ih.data, delta @ self.weight_hh.data"
BPTT_STEP = "dx[:, t], dh = self.cell.backward(grad_output[:, t] + dh, self.caches[t])"
BIRNN_OUT = "output = np.concatenate([out_L, out_R[:, ::-1]], axis=2)"
BIRNN_H_N = "return output, np.concatenate([h_L, h_R], axis=0)"
BIRNN_RETURN = "return dx_L + dx_R[:, ::-1], np.concatenate([dh0_L, dh0_R], axis=0)"

MUTANTS = {
    # RNNCell.forward (the cache it returns stays right, so backward is not affected)
    "cell_forward_no_tanh": (["test_cell_forward"], [(CELL_RETURN, "return a, (x, h, h_new)")]),
    "cell_forward_sigmoid": (["test_cell_forward"], [(CELL_RETURN, "return 1 / (1 + np.exp(-a)), (x, h, h_new)")]),
    "cell_forward_tanh_by_exp": (["test_cell_forward"], [
        (CELL_RETURN, "return (np.exp(a) - np.exp(-a)) / (np.exp(a) + np.exp(-a)), (x, h, h_new)")]),
    "cell_forward_U_not_transposed": (["test_cell_forward"], [
        (CELL_RETURN, "return np.tanh(x @ self.weight_ih.data.T + self.bias_ih.data + h @ self.weight_hh.data "
                      "+ self.bias_hh.data), (x, h, h_new)")]),
    "cell_forward_ignores_state": (["test_cell_forward"], [
        (CELL_RETURN, "return np.tanh(x @ self.weight_ih.data.T + self.bias_ih.data + self.bias_hh.data), "
                      "(x, h, h_new)")]),
    "cell_forward_one_bias": (["test_cell_forward"], [(CELL_RETURN, "return np.tanh(a - self.bias_hh.data), (x, h, h_new)")]),
    "cell_forward_no_cache": (["test_cell_forward", "test_cell_backward"], [(CELL_RETURN, "return h_new")]),
    # RNNCell.backward
    "cell_backward_sigmoid_derivative": (["test_cell_backward"], [
        ("delta = grad_h_new * (1 - h_new ** 2)", "delta = grad_h_new * h_new * (1 - h_new)")]),
    "cell_backward_no_tanh_derivative": (["test_cell_backward"], [
        ("delta = grad_h_new * (1 - h_new ** 2)", "delta = grad_h_new")]),
    "cell_backward_dh_transposed": (["test_cell_backward"], [
        (CELL_GRADS, "return delta @ self.weight_ih.data, delta @ self.weight_hh.data.T")]),
    "cell_backward_dx_dh_swapped": (["test_cell_backward"], [
        (CELL_GRADS, "return delta @ self.weight_hh.data, delta @ self.weight_ih.data")]),
    "cell_backward_dU_new_state": (["test_cell_backward"], [
        ("self.weight_hh.grad += delta.T @ h", "self.weight_hh.grad += delta.T @ h_new")]),
    "cell_backward_dW_transposed": (["test_cell_backward"], [
        ("self.weight_ih.grad += delta.T @ x", "self.weight_ih.grad += x.T @ delta")]),
    "cell_backward_no_bias_hh": (["test_cell_backward"], [("self.bias_hh.grad += delta.sum(axis=0)", "pass")]),
    "cell_backward_overwrites": (["test_cell_backward"], [
        ("self.weight_ih.grad += delta.T @ x", "self.weight_ih.grad = delta.T @ x")]),
    "cell_backward_bias_mean": (["test_cell_backward"], [
        ("self.bias_ih.grad += delta.sum(axis=0)", "self.bias_ih.grad += delta.mean(axis=0)")]),
    "cell_backward_latest_step_from_self": (["test_cell_backward"], [
        ("h_new = np.tanh(a)\n", "h_new = np.tanh(a)\n        self.latest = (x, h, h_new)\n"),
        ("x, h, h_new = cache", "x, h, h_new = self.latest")]),
    # RNN.forward (the caches kept for backward stay right)
    "rnn_forward_time_major": (["test_rnn_forward"], [
        ("return np.stack(states, axis=1), h[None]", "return np.stack(states, axis=0), h[None]")]),
    "rnn_forward_previous_states": (["test_rnn_forward"], [
        ("self.caches.append(cache)\n            states.append(h)",
         "self.caches.append(cache)\n            states.append(cache[1])")]),
    "rnn_forward_h_n_first_step": (["test_rnn_forward"], [
        ("return np.stack(states, axis=1), h[None]", "return np.stack(states, axis=1), states[0][None]")]),
    "rnn_forward_h_n_no_layer_axis": (["test_rnn_forward"], [
        ("return np.stack(states, axis=1), h[None]", "return np.stack(states, axis=1), h")]),
    # RNN.backward: full BPTT
    "bptt_no_recurrence": (["test_bptt"], [
        (BPTT_STEP, "dx[:, t], dh = self.cell.backward(grad_output[:, t], self.caches[t])")]),
    "bptt_ignores_grad_h_n": (["test_bptt"], [
        ("dh = np.zeros((batch, self.hidden_size)) if grad_h_n is None else grad_h_n[0]",
         "dh = np.zeros((batch, self.hidden_size))")]),
    "bptt_forward_in_time": (["test_bptt"], [("for t in reversed(range(T)):", "for t in range(T):")]),
    "bptt_cache_off_by_one": (["test_bptt"], [
        (BPTT_STEP, "dx[:, t], dh = self.cell.backward(grad_output[:, t] + dh, self.caches[t - 1])")]),
    "bptt_grad_h0_no_layer_axis": (["test_bptt"], [("return dx, dh[None]", "return dx, dh")]),
    "bptt_returns_dx_only": (["test_bptt"], [("return dx, dh[None]", "return dx")]),
    "bptt_resets_gradients": (["test_bptt"], [
        ("dx = np.zeros((batch, T, self.input_size))\n        dh = np.zeros((batch, self.hidden_size)) if",
         "self.cell.zero_grad()\n        dx = np.zeros((batch, T, self.input_size))\n"
         "        dh = np.zeros((batch, self.hidden_size)) if")]),
    # RNN.backward_truncated
    "truncated_window_too_long": (["test_truncated"], [("first = max(0, t - k + 1)", "first = max(0, t - k)")]),
    "truncated_window_too_short": (["test_truncated"], [("first = max(0, t - k + 1)", "first = max(0, t - k + 2)")]),
    "truncated_fixed_chunks": (["test_truncated"], [("first = max(0, t - k + 1)", "first = t - t % k")]),
    "truncated_ignores_k": (["test_truncated"], [("first = max(0, t - k + 1)", "first = 0")]),
    "truncated_h0_always": (["test_truncated"], [("if first == 0:", "if True:")]),
    "truncated_dx_overwritten": (["test_truncated"], [("dx[:, s] += dx_s", "dx[:, s] = dx_s")]),
    "truncated_h0_overwritten": (["test_truncated"], [("dh0 += dh", "dh0 = dh")]),
    "truncated_grad_h_n_every_window": (["test_truncated"], [
        ("if t == T - 1 and grad_h_n is not None:", "if grad_h_n is not None:")]),
    # BiRNN.forward (both RNNs still run on the right sequences)
    "birnn_forward_reverse_not_flipped_back": (["test_birnn_forward"], [
        (BIRNN_OUT, "output = np.concatenate([out_L, out_R], axis=2)")]),
    "birnn_forward_directions_swapped": (["test_birnn_forward"], [
        (BIRNN_OUT, "output = np.concatenate([out_R[:, ::-1], out_L], axis=2)")]),
    "birnn_forward_h_n_swapped": (["test_birnn_forward"], [
        (BIRNN_H_N, "return output, np.concatenate([h_R, h_L], axis=0)")]),
    "birnn_forward_h_n_reverse_at_T": (["test_birnn_forward"], [
        (BIRNN_H_N, "return output, np.concatenate([h_L, out_R[:, :1].transpose(1, 0, 2)], axis=0)")]),
    "birnn_forward_concat_over_time": (["test_birnn_forward"], [
        (BIRNN_OUT, "output = np.concatenate([out_L, out_R[:, ::-1]], axis=1)")]),
    # BiRNN.backward
    "birnn_backward_grad_not_reversed": (["test_birnn_backward"], [
        ("grad_output[:, ::-1, H:]", "grad_output[:, :, H:]")]),
    "birnn_backward_dx_not_reversed": (["test_birnn_backward"], [
        (BIRNN_RETURN, "return dx_L + dx_R, np.concatenate([dh0_L, dh0_R], axis=0)")]),
    "birnn_backward_halves_swapped": (["test_birnn_backward"], [
        ("grad_output[:, :, :H], g_L", "grad_output[:, :, H:], g_L"),
        ("grad_output[:, ::-1, H:]", "grad_output[:, ::-1, :H]")]),
    "birnn_backward_truncate_dropped": (["test_birnn_backward"], [
        ("g_L, truncate)", "g_L)"), ("g_R, truncate)", "g_R)")]),
    "birnn_backward_grad_h0_swapped": (["test_birnn_backward"], [
        (BIRNN_RETURN, "return dx_L + dx_R[:, ::-1], np.concatenate([dh0_R, dh0_L], axis=0)")]),
    "birnn_backward_grad_h_n_swapped": (["test_birnn_backward"], [
        ("(grad_h_n[:1], grad_h_n[1:])", "(grad_h_n[1:], grad_h_n[:1])")]),
}
