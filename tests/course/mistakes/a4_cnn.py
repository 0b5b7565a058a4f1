"""Typical mistakes in a4_cnn and what the visible tests must say about them
(see tests/course/test_visible_messages.py)."""
MISTAKES = {
    "weight_gradient_assigned_not_added": (["test_conv_backward"], [
        ("self.weight.grad += (delta @ self.cols.transpose(0, 2, 1))",
         "self.weight.grad = (delta @ self.cols.transpose(0, 2, 1))")],
        ["ADDED", "dL/dweight"]),
    "weight_gradient_transposed": (["test_conv_backward"], [
        ("self.weight.grad += (delta @ self.cols.transpose(0, 2, 1)).sum(axis=0)",
         "self.weight.grad += (self.cols @ delta.transpose(0, 2, 1)).sum(axis=0)")],
        ["dL/dweight is WRONG", "dL/dx is right", "dL/dbias is right"]),
    "weight_gradient_not_reshaped": (["test_conv_backward"], [
        ("self.weight.grad += (delta @ self.cols.transpose(0, 2, 1)).sum(axis=0).reshape(self.weight.data.shape)",
         "self.weight.grad += (delta @ self.cols.transpose(0, 2, 1)).sum(axis=0)")],
        ["Conv2d.backward failed with a NumPy shape error", "dL/dweight must have weight's shape (1, 1, 2, 2)"]),
    "overlapping_windows_overwrite_dx": (["test_conv_backward"], [
        ("dx_pad[:, :, p:p + S_h * H_out:S_h, q:q + S_w * W_out:S_w] += d_windows[:, :, p, q]",
         "dx_pad[:, :, p:p + S_h * H_out:S_h, q:q + S_w * W_out:S_w] = d_windows[:, :, p, q]")],
        ["dL/dx of the worked case (delta all ones) is wrong", "got 4, expected 10"]),
    "weight_not_reshaped_in_forward": (["test_conv_forward", "test_conv_backward"], [
        ("W_mat = self.weight.data.reshape(self.out_channels, -1)", "W_mat = self.weight.data")],
        ["Conv2d.forward failed with a NumPy shape error", "in your line: y = W_mat @ self.cols"]),
    "conv_right_only_for_stride_1": (["test_conv_forward", "test_conv_backward"], [
        ("windows[:, :, p, q] = x_pad[:, :, p:p + S_h * H_out:S_h, q:q + S_w * W_out:S_w]",
         "windows[:, :, p, q] = x_pad[:, :, p:p + H_out, q:q + W_out]")],
        ["Conv2d.forward with stride 2 and padding 1", "is wrong"]),
    "loops_kernel_flipped": (["test_conv_loops_forward"], [
        ("np.sum(self.weight.data[o] * window)", "np.sum(self.weight.data[o, :, ::-1, ::-1] * window)")],
        ["Conv2dLoops.forward on a 3x3 image, 2x2 kernel is wrong", "expected 27.5"]),
    "pool_backward_to_every_element": (["test_pool_backward"], [
        ("np.where(won, grad_out, 0)", "grad_out")],
        ["MaxPool2d(2).backward on the 4x4 example is wrong"]),
    "pool_backward_last_maximum_on_ties": (["test_pool_backward"], [
        ("self.argmax = windows.argmax(axis=2)", "self.argmax = K_h * K_w - 1 - windows[:, :, ::-1].argmax(axis=2)")],
        ["on a tie (the first maximum gets the gradient) is wrong"]),
    "cnn_channels_hard_coded": (["test_cnn"], [
        ("Conv2d(1, channels, 3, padding=1, seed=seed)", "Conv2d(1, 8, 3, padding=1, seed=seed)"),
        ("Conv2d(channels, 10, 4, seed=seed + 1)", "Conv2d(8, 10, 4, seed=seed + 1)")],
        ["SmallCNN(3) has weights of shapes (8, 1, 3, 3)", "expected (3, 1, 3, 3)"]),
    "train_gradients_not_zeroed": (["test_cnn"], [("p.grad[...] = 0", "pass")],
        ["after 150 epochs on 20 images", "expected 100%"]),
}
