"""Plausible wrong implementations for a4_cnn: each edits the master's solution and must lose
the points of the graded functions in `breaks`, and only those."""
MUTANTS = {
    # Conv2dLoops.forward
    "loops_no_bias": (["test_conv_loops_forward"], [
        ("y[n, o, r, s] = np.sum(self.weight.data[o] * window) + self.bias.data[o]",
         "y[n, o, r, s] = np.sum(self.weight.data[o] * window)")]),
    "loops_ignore_stride": (["test_conv_loops_forward"], [
        ("window = x_pad[n, :, r * S_h:r * S_h + K_h, s * S_w:s * S_w + K_w]",
         "window = x_pad[n, :, r:r + K_h, s:s + K_w]")]),
    "loops_first_channel_only": (["test_conv_loops_forward"], [
        ("np.sum(self.weight.data[o] * window)", "np.sum(self.weight.data[o, 0] * window[0])")]),
    "loops_flipped_kernel": (["test_conv_loops_forward"], [
        ("np.sum(self.weight.data[o] * window)", "np.sum(self.weight.data[o, :, ::-1, ::-1] * window)")]),
    "loops_no_padding": (["test_conv_loops_forward"], [
        ("x_pad = np.pad(x, ((0, 0), (0, 0), (P_h, P_h), (P_w, P_w)))\n        y = np.zeros(",
         "x_pad = x\n        y = np.zeros(")]),
    # Conv2d.forward (im2col); the columns kept for backward stay right
    "conv_forward_no_bias": (["test_conv_forward"], [
        ("y = W_mat @ self.cols + self.bias.data[:, None]", "y = W_mat @ self.cols")]),
    "conv_forward_flipped_kernel": (["test_conv_forward"], [
        ("W_mat = self.weight.data.reshape(self.out_channels, -1)",
         "W_mat = self.weight.data[:, :, ::-1, ::-1].reshape(self.out_channels, -1)")]),
    "conv_forward_kernel_transposed": (["test_conv_forward"], [
        ("W_mat = self.weight.data.reshape(self.out_channels, -1)",
         "W_mat = self.weight.data.transpose(0, 1, 3, 2).reshape(self.out_channels, -1)")]),
    "conv_forward_channels_last": (["test_conv_forward"], [
        ("W_mat = self.weight.data.reshape(self.out_channels, -1)",
         "W_mat = self.weight.data.transpose(0, 2, 3, 1).reshape(self.out_channels, -1)")]),
    "conv_forward_python_loops": (["test_conv_forward"], [
        ("y = W_mat @ self.cols + self.bias.data[:, None]\n        return y.reshape(N, self.out_channels, H_out, W_out)",
         "y = np.zeros((N, self.out_channels, H_out * W_out))\n"
         "        for n in range(N):\n"
         "            for o in range(self.out_channels):\n"
         "                for k in range(H_out * W_out):\n"
         "                    y[n, o, k] = W_mat[o] @ self.cols[n, :, k] + self.bias.data[o]\n"
         "        return y.reshape(N, self.out_channels, H_out, W_out)")]),
    # Conv2d.backward
    "conv_backward_weight_mean": (["test_conv_backward"], [
        (".sum(axis=0).reshape(self.weight.data.shape)", ".mean(axis=0).reshape(self.weight.data.shape)")]),
    "conv_backward_bias_overwrites": (["test_conv_backward"], [
        ("self.bias.grad += grad_out.sum(axis=(0, 2, 3))", "self.bias.grad = grad_out.sum(axis=(0, 2, 3))")]),
    "conv_backward_bias_mean": (["test_conv_backward"], [
        ("self.bias.grad += grad_out.sum(axis=(0, 2, 3))", "self.bias.grad += grad_out.mean(axis=(2, 3)).sum(axis=0)")]),
    "conv_backward_overlap_overwrites": (["test_conv_backward"], [
        ("dx_pad[:, :, p:p + S_h * H_out:S_h, q:q + S_w * W_out:S_w] += d_windows[:, :, p, q]",
         "dx_pad[:, :, p:p + S_h * H_out:S_h, q:q + S_w * W_out:S_w] = d_windows[:, :, p, q]")]),
    "conv_backward_crop_wrong_side": (["test_conv_backward"], [
        ("return dx_pad[:, :, P_h:P_h + H, P_w:P_w + W]", "return dx_pad[:, :, :H, :W]")]),
    "conv_backward_flipped_kernel": (["test_conv_backward"], [
        ("W_mat = self.weight.data.reshape(C_out, -1)", "W_mat = self.weight.data[:, :, ::-1, ::-1].reshape(C_out, -1)")]),
    # MaxPool2d.forward; the winners kept for backward stay right
    "pool_forward_mean": (["test_pool_forward"], [
        ("return windows.max(axis=2)", "return windows.mean(axis=2)")]),
    "pool_forward_zero_floor": (["test_pool_forward"], [
        ("return windows.max(axis=2)", "return np.maximum(windows.max(axis=2), 0)")]),
    "pool_forward_transposed": (["test_pool_forward"], [
        ("return windows.max(axis=2)", "return windows.max(axis=2).transpose(0, 1, 3, 2)")]),
    # MaxPool2d.backward
    "pool_backward_last_maximum": (["test_pool_backward"], [
        ("self.argmax = windows.argmax(axis=2)", "self.argmax = K_h * K_w - 1 - windows[:, :, ::-1].argmax(axis=2)")]),
    "pool_backward_all_maxima": (["test_pool_backward"], [
        ("self.argmax = windows.argmax(axis=2)", "self.argmax = windows.argmax(axis=2)\n        self.windows = windows"),
        ("won = self.argmax == p * K_w + q", "won = self.windows[:, :, p * K_w + q] == self.windows.max(axis=2)")]),
    "pool_backward_overlap_overwrites": (["test_pool_backward"], [
        ("dx[:, :, p:p + S_h * H_out:S_h, q:q + S_w * W_out:S_w] += np.where(won, grad_out, 0)",
         "dx[:, :, p:p + S_h * H_out:S_h, q:q + S_w * W_out:S_w] = np.where(won, grad_out, 0)")]),
    "pool_backward_index_by_height": (["test_pool_backward"], [
        ("won = self.argmax == p * K_w + q", "won = self.argmax == p * K_h + q")]),
    "pool_backward_average": (["test_pool_backward"], [
        ("np.where(won, grad_out, 0)", "grad_out / (K_h * K_w)")]),
    "conv_forward_ignores_stride": (["test_conv_forward", "test_conv_backward"], [
        ("windows[:, :, p, q] = x_pad[:, :, p:p + S_h * H_out:S_h, q:q + S_w * W_out:S_w]",
         "windows[:, :, p, q] = x_pad[:, :, p:p + H_out, q:q + W_out]")]),
    "conv_backward_ignores_stride": (["test_conv_backward"], [
        ("dx_pad[:, :, p:p + S_h * H_out:S_h, q:q + S_w * W_out:S_w] += d_windows[:, :, p, q]",
         "dx_pad[:, :, p:p + H_out, q:q + W_out] += d_windows[:, :, p, q]")]),
    "conv_backward_square_kernel_only": (["test_conv_backward"], [
        ("d_windows = (W_mat.T @ delta).reshape(N, C, K_h, K_w, H_out, W_out)",
         "d_windows = (W_mat.T @ delta).reshape(N, C, K_h, K_w, H_out, W_out)\n"
         "        K_w = K_h")]),
    # SmallCNN and train
    "cnn_backward_forward_order": (["test_cnn"], [
        ("for layer in reversed(self.layers):", "for layer in self.layers:")]),
    "cnn_gradient_ascent": (["test_cnn"], [("p.data -= lr * p.grad", "p.data += lr * p.grad")]),
    "cnn_no_zero_grad": (["test_cnn"], [("p.grad[...] = 0", "pass")]),
    "cnn_hardcoded_channels": (["test_cnn"], [
        ("Conv2d(1, channels, 3, padding=1, seed=seed)", "Conv2d(1, 8, 3, padding=1, seed=seed)"),
        ("Conv2d(channels, 10, 4, seed=seed + 1)", "Conv2d(8, 10, 4, seed=seed + 1)")]),
    "cnn_extra_tanh_after_pooling": (["test_cnn"], [
        ("Tanh(), MaxPool2d(2),", "Tanh(), MaxPool2d(2), Tanh(),")]),
    "cnn_same_seed_twice": (["test_cnn"], [
        ("Conv2d(channels, 10, 4, seed=seed + 1)", "Conv2d(channels, 10, 4, seed=seed)")]),
    "train_slices_batches": (["test_cnn"], [
        ("for idx in np.array_split(rng.permutation(len(X)), n_batches):",
         "order = rng.permutation(len(X))\n"
         "        for idx in (order[i:i + batch_size] for i in range(0, len(X), batch_size)):")]),
    "train_no_shuffle": (["test_cnn"], [
        ("for idx in np.array_split(rng.permutation(len(X)), n_batches):",
         "for idx in np.array_split(np.arange(len(X)), n_batches):")]),
    "train_mean_gradient_step": (["test_cnn"], [
        ("p.data -= lr * p.grad", "p.data -= lr * p.grad / len(idx)")]),
    "train_one_loss_per_epoch": (["test_cnn"], [
        ("            losses.append(loss)\n", ""),
        ("    ### END SOLUTION\n    return losses", "        losses.append(loss)\n    ### END SOLUTION\n    return losses")]),
}
