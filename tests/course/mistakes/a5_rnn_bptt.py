"""Typical mistakes in a5_rnn_bptt and what the visible tests must say about them
(see tests/course/test_visible_messages.py)."""
MISTAKES = {
    # the cell
    "tanh_written_with_exp": (["test_cell_forward"], [
        ("return h_new, (x, h, h_new)", "return (np.exp(a) - np.exp(-a)) / (np.exp(a) + np.exp(-a)), (x, h, h_new)")],
        ["RNNCell.forward warns", "use np.tanh"]),
    "forward_returns_no_cache": (["test_cell_forward", "test_cell_backward"], [
        ("return h_new, (x, h, h_new)", "self.cache = (x, h, h_new)\n        return h_new")],
        ["must return the pair (h_new, cache)"]),
    "gradients_assigned_not_added": (["test_cell_backward"], [
        ("self.weight_ih.grad += delta.T @ x", "self.weight_ih.grad = delta.T @ x")],
        ["ADDED", "dL/dW (weight_ih)"]),
    "weight_gradient_transposed": (["test_cell_backward"], [
        ("self.weight_ih.grad += delta.T @ x", "self.weight_ih.grad += x.T @ delta")],
        ["dL/dW (weight_ih)", "(4, 3)", "transposed?"]),
    "dx_and_dh_swapped": (["test_cell_backward"], [
        ("return delta @ self.weight_ih.data, delta @ self.weight_hh.data",
         "return delta @ self.weight_hh.data, delta @ self.weight_ih.data")],
        ["dL/dx and dL/dh are swapped"]),
    "backward_reads_the_latest_step_from_self": (["test_cell_backward"], [
        ("h_new = np.tanh(a)\n", "h_new = np.tanh(a)\n        self.latest = (x, h, h_new)\n"),
        ("x, h, h_new = cache", "x, h, h_new = self.latest")],
        ["dL/dx of step 1 of 2 is wrong", "(the forward of step 2 ran after this step's"]),
    # the sequence
    "h_n_without_the_layer_axis": (["test_rnn_forward"], [
        ("return np.stack(states, axis=1), h[None]", "return np.stack(states, axis=1), h")],
        ["h_n has shape (1, 1), expected (1, 1, 1)", "(the leading axis is the layer: h[None])"]),
    "outputs_time_major": (["test_rnn_forward"], [
        ("return np.stack(states, axis=1), h[None]", "return np.stack(states, axis=0), h[None]")],
        ["output has the wrong shape", "got (3, 1, 1), expected (1, 3, 1)"]),
    # BPTT
    "bptt_without_the_recurrent_term": (["test_bptt"], [
        ("self.cell.backward(grad_output[:, t] + dh, self.caches[t])", "self.cell.backward(grad_output[:, t], self.caches[t])")],
        ["dL/dx: wrong at time steps t=0, t=1, right at t=2", "(right only at the last step, t=2:"]),
    "bptt_resets_the_gradients": (["test_bptt"], [
        ("dx = np.zeros((batch, T, self.input_size))\n        dh = np.zeros((batch, self.hidden_size)) if",
         "self.cell.zero_grad()\n        dx = np.zeros((batch, T, self.input_size))\n"
         "        dh = np.zeros((batch, self.hidden_size)) if")],
        ["ADDED", "dL/dU (weight_hh)"]),
    "bptt_returns_only_dx": (["test_bptt"], [("return dx, dh[None]", "self.grad_h0 = dh[None]\n        return dx")],
                             ["RNN.backward must return the pair (dL/dx, dL/dh0)"]),
    # truncated BPTT
    "truncation_window_one_step_too_long": (["test_truncated"], [
        ("first = max(0, t - k + 1)", "first = max(0, t - k)")],
        ["truncate=2, T = 5, a loss at step 2 only", "it is nonzero at t=0, t=1, t=2",
         "(one step too many: a window spans k = 2, not 3)"]),
    "truncation_window_one_step_too_short": (["test_truncated"], [
        ("first = max(0, t - k + 1)", "first = max(0, t - k + 2)")],
        ["a loss at step 1 only", "it is nonzero at t=1", "(one step too few: a window spans k = 2, not 1)"]),
    "truncation_ignores_k": (["test_truncated"], [("first = max(0, t - k + 1)", "first = 0")],
                             ["it is nonzero at t=0, t=1, t=2", "(nothing was cut: is k = 2 used?)"]),
    "truncation_overwrites_dx": (["test_truncated"], [("dx[:, s] += dx_s", "dx[:, s] = dx_s")],
                                 ["a loss at step 0 only", "it is nonzero at no step",
                                  "are the 5 windows' dL/dx added up (+=)?"]),
    # the bidirectional RNN
    "birnn_reverse_output_not_flipped_back": (["test_birnn_forward"], [
        ("output = np.concatenate([out_L, out_R[:, ::-1]], axis=2)", "output = np.concatenate([out_L, out_R], axis=2)")],
        ["output[..., hidden:] (right to left) is wrong", "wrong at time steps"]),
}
