"""Plausible wrong implementations for a5_rnn_bptt: each edits the master's solution and must
lose the points of the graded functions in `breaks`, and only those."""
MUTANTS = {
    # RNNCell.forward (the state kept for backward stays right)
    "cell_forward_no_tanh": (["test_cell_forward"], [("return self.h_new", "return a")]),
    "cell_forward_sigmoid": (["test_cell_forward"], [("return self.h_new", "return 1 / (1 + np.exp(-a))")]),
    "cell_forward_U_not_transposed": (["test_cell_forward"], [
        ("return self.h_new", "return np.tanh(x @ self.weight_ih.data.T + self.bias_ih.data "
                              "+ h @ self.weight_hh.data + self.bias_hh.data)")]),
    "cell_forward_ignores_state": (["test_cell_forward"], [
        ("return self.h_new", "return np.tanh(x @ self.weight_ih.data.T + self.bias_ih.data + self.bias_hh.data)")]),
    "cell_forward_one_bias": (["test_cell_forward"], [("return self.h_new", "return np.tanh(a - self.bias_hh.data)")]),
    # RNNCell.backward
    "cell_backward_sigmoid_derivative": (["test_cell_backward"], [
        ("delta = grad_h_new * (1 - self.h_new ** 2)", "delta = grad_h_new * self.h_new * (1 - self.h_new)")]),
    "cell_backward_no_tanh_derivative": (["test_cell_backward"], [
        ("delta = grad_h_new * (1 - self.h_new ** 2)", "delta = grad_h_new")]),
    "cell_backward_dh_transposed": (["test_cell_backward"], [
        ("return delta @ self.weight_ih.data, delta @ self.weight_hh.data",
         "return delta @ self.weight_ih.data, delta @ self.weight_hh.data.T")]),
    "cell_backward_dU_new_state": (["test_cell_backward"], [
        ("self.weight_hh.grad += delta.T @ self.h", "self.weight_hh.grad += delta.T @ self.h_new")]),
    "cell_backward_no_bias_hh": (["test_cell_backward"], [("self.bias_hh.grad += delta.sum(axis=0)", "pass")]),
    "cell_backward_overwrites": (["test_cell_backward"], [
        ("self.weight_ih.grad += delta.T @ self.x", "self.weight_ih.grad = delta.T @ self.x")]),
    "cell_backward_bias_mean": (["test_cell_backward"], [
        ("self.bias_ih.grad += delta.sum(axis=0)", "self.bias_ih.grad += delta.mean(axis=0)")]),
    # RNN.forward (the copies kept for backward stay right)
    "rnn_forward_time_major": (["test_rnn_forward"], [
        ("return np.stack(states, axis=1), h[None]", "return np.stack(states, axis=0), h[None]")]),
    "rnn_forward_previous_states": (["test_rnn_forward"], [
        ("h = self.cells[t].forward(x[:, t], h)\n            states.append(h)",
         "states.append(h)\n            h = self.cells[t].forward(x[:, t], h)")]),
    "rnn_forward_h_n_first_step": (["test_rnn_forward"], [
        ("return np.stack(states, axis=1), h[None]", "return np.stack(states, axis=1), states[0][None]")]),
    "rnn_forward_h_n_no_layer_axis": (["test_rnn_forward"], [
        ("return np.stack(states, axis=1), h[None]", "return np.stack(states, axis=1), h")]),
    # RNN.backward: full BPTT
    "bptt_no_accumulation_over_time": (["test_bptt"], [
        ("for cell in self.cells:  # dL/dθ", "for cell in self.cells[-1:]:  # dL/dθ")]),
    "bptt_overwrites_weight_grad": (["test_bptt"], [
        ("self.weight_ih_l0.grad += cell.weight_ih.grad", "self.weight_ih_l0.grad = cell.weight_ih.grad")]),
    "bptt_no_recurrence": (["test_bptt"], [
        ("self.cells[t].backward(grad_output[:, t] + dh)", "self.cells[t].backward(grad_output[:, t])")]),
    "bptt_ignores_grad_h_n": (["test_bptt"], [
        ("dh = np.zeros((batch, self.hidden_size)) if grad_h_n is None else grad_h_n[0]",
         "dh = np.zeros((batch, self.hidden_size))")]),
    "bptt_forward_in_time": (["test_bptt"], [("for t in reversed(range(T)):", "for t in range(T):")]),
    "bptt_grad_h0_no_layer_axis": (["test_bptt"], [("self.grad_h0 = dh[None]", "self.grad_h0 = dh")]),
    # RNN.backward_truncated
    "truncated_window_too_long": (["test_truncated"], [("first = max(0, t - k + 1)", "first = max(0, t - k)")]),
    "truncated_window_too_short": (["test_truncated"], [("first = max(0, t - k + 1)", "first = max(0, t - k + 2)")]),
    "truncated_fixed_chunks": (["test_truncated"], [("first = max(0, t - k + 1)", "first = t - t % k")]),
    "truncated_h0_always": (["test_truncated"], [("if first == 0:", "if True:")]),
    "truncated_dx_overwritten": (["test_truncated"], [("dx[:, s] += dx_s", "dx[:, s] = dx_s")]),
    "truncated_grad_h_n_every_window": (["test_truncated"], [
        ("if t == T - 1 and grad_h_n is not None:", "if grad_h_n is not None:")]),
    "truncated_no_accumulation_over_time": (["test_truncated"], [
        ("for copy in self.cells:", "for copy in self.cells[-1:]:")]),
    # BiRNN.forward (both RNNs still run on the right sequences)
    "birnn_forward_reverse_not_flipped_back": (["test_birnn_forward"], [
        ("np.concatenate([out_L, out_R[:, ::-1]], axis=2)", "np.concatenate([out_L, out_R], axis=2)")]),
    "birnn_forward_directions_swapped": (["test_birnn_forward"], [
        ("np.concatenate([out_L, out_R[:, ::-1]], axis=2)", "np.concatenate([out_R[:, ::-1], out_L], axis=2)")]),
    "birnn_forward_h_n_swapped": (["test_birnn_forward"], [
        ("return output, np.concatenate([h_L, h_R], axis=0)", "return output, np.concatenate([h_R, h_L], axis=0)")]),
    "birnn_forward_h_n_reverse_at_T": (["test_birnn_forward"], [
        ("return output, np.concatenate([h_L, h_R], axis=0)",
         "return output, np.concatenate([h_L, out_R[:, :1].transpose(1, 0, 2)], axis=0)")]),
    "birnn_forward_concat_over_time": (["test_birnn_forward"], [
        ("np.concatenate([out_L, out_R[:, ::-1]], axis=2)", "np.concatenate([out_L, out_R[:, ::-1]], axis=1)")]),
    # BiRNN.backward
    "birnn_backward_grad_not_reversed": (["test_birnn_backward"], [
        ("grad_output[:, ::-1, H:]", "grad_output[:, :, H:]")]),
    "birnn_backward_dx_not_reversed": (["test_birnn_backward"], [
        ("return dx_L + dx_R[:, ::-1]", "return dx_L + dx_R")]),
    "birnn_backward_halves_swapped": (["test_birnn_backward"], [
        ("grad_output[:, :, :H], g_L", "grad_output[:, :, H:], g_L"),
        ("grad_output[:, ::-1, H:]", "grad_output[:, ::-1, :H]")]),
    "birnn_backward_truncate_dropped": (["test_birnn_backward"], [
        ("g_L, truncate)", "g_L)"), ("g_R, truncate)", "g_R)")]),
    "birnn_backward_grad_h0_swapped": (["test_birnn_backward"], [
        ("[self.forward_rnn.grad_h0, self.reverse_rnn.grad_h0]", "[self.reverse_rnn.grad_h0, self.forward_rnn.grad_h0]")]),
    "birnn_backward_grad_h_n_swapped": (["test_birnn_backward"], [
        ("(grad_h_n[:1], grad_h_n[1:])", "(grad_h_n[1:], grad_h_n[:1])")]),
}
