"""Typical mistakes in a2_optimizers_dropout and what the visible tests must say about them
(see tests/course/test_visible_messages.py).

No layer of this assignment has parameters, so a1's "gradients assigned with = instead of +="
appears here as its analogues: an optimizer's state replaced at every step instead of carried
over, and a second backward call that draws a new dropout mask instead of using the same one.
The "transposed" mistake appears as a step of the wrong shape."""
MISTAKES = {
    # the contract of update(): the step to subtract, of w's shape
    "update_returns_the_new_weights": (["test_sgd"], [
        ("return self.lr * (g + self.weight_decay * w)", "return w - self.lr * (g + self.weight_decay * w)")],
        ["SGD(lr=0.1, weight_decay=0.5): w after one step is wrong", "got -0.05, expected -1.95"]),
    "update_without_return": (["test_sgd"], [
        ("return self.lr * (g + self.weight_decay * w)", "self.lr * (g + self.weight_decay * w)")],
        ["update(g, w, state) returned None", "the step to subtract"]),
    "step_transposed": (["test_sgd"], [
        ("return self.lr * (g + self.weight_decay * w)", "return self.lr * (g + self.weight_decay * w).T")],
        ["optimizer.step() failed with a NumPy shape error", "W has shape (3, 2)", "(2, 3): transposed?"]),
    # state that is not carried over between steps (the analogue of = instead of +=)
    "momentum_velocity_not_kept": (["test_momentum"], [
        ('state["v"] = v\n        return v', "return v")],
        ["Momentum(lr=0.1, momentum=0.9):", "w after steps 1 and 2 with g = 2 is wrong", "got 0.6, expected 0.42"]),
    "nesterov_is_plain_momentum": (["test_nesterov"], [
        ("return (1 + self.momentum) * v - self.momentum * v_old", "return v")],
        ["Nesterov(lr=0.1, momentum=0.9):", "w̃ after steps 1 and 2 with g = 2 is wrong"]),
    # the classics of the adaptive methods
    "rmsprop_eps_inside_the_root": (["test_rmsprop"], [
        ("return self.lr * g / (np.sqrt(G) + self.eps)", "return self.lr * g / np.sqrt(G + self.eps)")],
        ["RMSProp(lr=0.01, alpha=0.99): w after one step is wrong"]),
    "rmsprop_divides_by_zero_at_first": (["test_rmsprop"], [
        ("return self.lr * g / (np.sqrt(G) + self.eps)", "return self.lr * g / np.sqrt(G)")],
        ["RMSProp, g = 0 in some coordinates at first: w after step 1", "contains nan or inf"]),
    "adadelta_uses_the_old_G": (["test_adadelta"], [
        ("delta = g * (np.sqrt(D) + eps) / (np.sqrt(G) + eps)",
         'delta = g * (np.sqrt(D) + eps) / (np.sqrt(state.get("G", 0.0)) + eps)')],
        ["AdaDelta(lr=1, rho=0.75, eps=0.01):", "w after one step with g = 2 is wrong"]),
    "adam_without_bias_correction": (["test_adam"], [
        ("v_hat = v / (1 - gamma ** self.k)", "v_hat = v"), ("G_hat = G / (1 - alpha ** self.k)", "G_hat = G")],
        ["Adam(lr=0.1): w after one step is wrong", "expected 0.9"]),
    "nadam_momentum_not_corrected": (["test_nadam"], [
        ("look_ahead = gamma * v_hat + (1 - gamma) / (1 - gamma ** k) * g",
         'look_ahead = gamma * state["v"] + (1 - gamma) / (1 - gamma ** k) * g')],
        ["Nadam(lr=0.1, betas=(0.9, 0.999)): w after one step is wrong"]),
    # clipping
    "clip_each_parameter_separately": (["test_clip"], [
        ("    scale = max_norm / (total + eps)\n    if scale < 1:\n        for p in params:\n            p.grad = p.grad * scale",
         "    for p in params:\n        scale = max_norm / (float(np.sqrt(np.sum(p.grad ** 2))) + eps)\n"
         "        if scale < 1:\n            p.grad = p.grad * scale")],
        ["first gradient after clipping to norm 1 is wrong"]),
    "clip_returns_nothing": (["test_clip"], [("    return total", "    pass")],
        ["clip_grad_norm's result (the norm before clipping) must be a number", "did you forget to return it?"]),
    # dropout
    "dropout_without_the_scale": (["test_dropout_forward"], [
        ("return x * self.mask / (1 - self.p)", "return x * self.mask")],
        ["Dropout(0.5).forward in training is wrong", "got 8, expected 16"]),
    "dropout_one_draw_per_example": (["test_dropout_forward"], [
        ("self.mask = self.rng.random(x.shape) >= self.p", "self.mask = self.rng.random(len(x)) >= self.p")],
        ["Dropout(0.5).forward failed with a NumPy shape error", "x has shape (2, 4)"]),
    "dropout_scaled_in_evaluation": (["test_dropout_forward"], [
        ("            return x\n", "            return x * (1 - self.p)\n")],
        ["Dropout(0.5).forward in evaluation mode is wrong"]),
    "dropout_backward_draws_a_new_mask": (["test_dropout_backward"], [
        ("return grad_out * self.mask / (1 - self.p)",
         "return grad_out * (self.rng.random(grad_out.shape) >= self.p) / (1 - self.p)")],
        ["dL/dx from Dropout(0.25).backward in training", "(the mask times grad_out / (1 - p))"]),
}
