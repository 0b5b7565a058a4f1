"""Plausible wrong implementations for a2_optimizers_dropout: each edits the master's solution
and must lose the points of the graded functions in `breaks`, and only those."""
MUTANTS = {
    # SGD with L2 regularisation (weight decay)
    "sgd_decay_without_lr": (["test_sgd"], [
        ("return self.lr * (g + self.weight_decay * w)", "return self.lr * g + self.weight_decay * w")]),
    "sgd_decay_wrong_sign": (["test_sgd"], [
        ("return self.lr * (g + self.weight_decay * w)", "return self.lr * (g - self.weight_decay * w)")]),
    "sgd_decay_ignored": (["test_sgd"], [
        ("return self.lr * (g + self.weight_decay * w)", "return self.lr * g")]),
    "sgd_decay_halved": (["test_sgd"], [
        ("return self.lr * (g + self.weight_decay * w)", "return self.lr * (g + self.weight_decay / 2 * w)")]),
    # momentum
    "momentum_no_lr": (["test_momentum"], [
        ('v = self.momentum * state.get("v", 0.0) + self.lr * g', 'v = self.momentum * state.get("v", 0.0) + g')]),
    "momentum_ema_of_step": (["test_momentum"], [
        ('v = self.momentum * state.get("v", 0.0) + self.lr * g',
         'v = self.momentum * state.get("v", 0.0) + (1 - self.momentum) * self.lr * g')]),
    "momentum_state_not_kept": (["test_momentum"], [
        ('state["v"] = v\n        return v', "return v")]),
    "momentum_state_keyed_by_shape": (["test_momentum"], [  # right while no two parameters share a shape
        ('v = self.momentum * state.get("v", 0.0) + self.lr * g\n        state["v"] = v',
         'velocities = type(self).__dict__.get("velocities") or {}\n'
         '        type(self).velocities = velocities\n'
         '        v = self.momentum * velocities.get(w.shape, 0.0) + self.lr * g\n'
         '        velocities[w.shape] = v')]),
    # Nesterov
    "nesterov_is_momentum": (["test_nesterov"], [
        ("return (1 + self.momentum) * v - self.momentum * v_old", "return v")]),
    "nesterov_wrong_sign": (["test_nesterov"], [
        ("return (1 + self.momentum) * v - self.momentum * v_old",
         "return (1 + self.momentum) * v + self.momentum * v_old")]),
    "nesterov_no_old_velocity": (["test_nesterov"], [
        ("return (1 + self.momentum) * v - self.momentum * v_old", "return (1 + self.momentum) * v")]),
    "nesterov_state_not_kept": (["test_nesterov"], [
        ('state["v"] = v\n        return (1 + self.momentum)', "return (1 + self.momentum)")]),
    # RMSProp
    "rmsprop_eps_in_sqrt": (["test_rmsprop"], [
        ("return self.lr * g / (np.sqrt(G) + self.eps)", "return self.lr * g / np.sqrt(G + self.eps)")]),
    "rmsprop_no_sqrt": (["test_rmsprop"], [
        ("return self.lr * g / (np.sqrt(G) + self.eps)", "return self.lr * g / (G + self.eps)")]),
    "rmsprop_alpha_swapped": (["test_rmsprop"], [
        ('G = self.alpha * state.get("G", 0.0) + (1 - self.alpha) * g * g',
         'G = (1 - self.alpha) * state.get("G", 0.0) + self.alpha * g * g')]),
    "rmsprop_eps_fixed": (["test_rmsprop"], [  # right only for the default ε the visible tests use
        ("return self.lr * g / (np.sqrt(G) + self.eps)", "return self.lr * g / (np.sqrt(G) + 1e-8)")]),
    "rmsprop_state_not_kept": (["test_rmsprop"], [
        ('state["G"] = G\n        return self.lr * g', "return self.lr * g")]),
    # AdaDelta
    "adadelta_eps_in_sqrt": (["test_adadelta"], [
        ("delta = g * (np.sqrt(D) + eps) / (np.sqrt(G) + eps)", "delta = g * np.sqrt(D + eps) / np.sqrt(G + eps)")]),
    "adadelta_old_G": (["test_adadelta"], [
        ("delta = g * (np.sqrt(D) + eps) / (np.sqrt(G) + eps)",
         'delta = g * (np.sqrt(D) + eps) / (np.sqrt(state.get("G", 0.0)) + eps)')]),
    "adadelta_delta_not_squared": (["test_adadelta"], [
        ('state["D"] = rho * D + (1 - rho) * delta * delta', 'state["D"] = rho * D + (1 - rho) * np.abs(delta)')]),
    "adadelta_no_lr": (["test_adadelta"], [("return self.lr * delta", "return delta")]),
    # Adam
    "adam_no_bias_correction": (["test_adam"], [
        ("v_hat = v / (1 - gamma ** self.k)", "v_hat = v"), ("G_hat = G / (1 - alpha ** self.k)", "G_hat = G")]),
    "adam_correction_off_by_one": (["test_adam"], [
        ("v_hat = v / (1 - gamma ** self.k)", "v_hat = v / (1 - gamma ** (self.k + 1))"),
        ("G_hat = G / (1 - alpha ** self.k)", "G_hat = G / (1 - alpha ** (self.k + 1))")]),
    "adam_betas_swapped": (["test_adam"], [
        ("gamma, alpha = self.betas\n        v = gamma", "alpha, gamma = self.betas\n        v = gamma")]),
    "adam_ignores_betas": (["test_adam"], [  # right only for the default betas the visible tests use
        ("gamma, alpha = self.betas\n        v = gamma", "gamma, alpha = 0.9, 0.999\n        v = gamma")]),
    "adam_eps_in_sqrt": (["test_adam"], [
        ("return self.lr * v_hat / (np.sqrt(G_hat) + self.eps)", "return self.lr * v_hat / np.sqrt(G_hat + self.eps)")]),
    # Nadam
    "nadam_is_adam": (["test_nadam"], [
        ("look_ahead = gamma * v_hat + (1 - gamma) / (1 - gamma ** k) * g", "look_ahead = v_hat")]),
    "nadam_gradient_not_corrected": (["test_nadam"], [
        ("look_ahead = gamma * v_hat + (1 - gamma) / (1 - gamma ** k) * g",
         "look_ahead = gamma * v_hat + (1 - gamma) * g")]),
    "nadam_uncorrected_momentum": (["test_nadam"], [
        ("look_ahead = gamma * v_hat + (1 - gamma) / (1 - gamma ** k) * g",
         'look_ahead = gamma * state["v"] + (1 - gamma) / (1 - gamma ** k) * g')]),
    # gradient clipping
    "clip_each_parameter": (["test_clip"], [
        ("    scale = max_norm / (total + eps)\n    if scale < 1:\n        for p in params:\n            p.grad = p.grad * scale",
         "    for p in params:\n        scale = max_norm / (float(np.sqrt(np.sum(p.grad ** 2))) + eps)\n"
         "        if scale < 1:\n            p.grad = p.grad * scale")]),
    "clip_always_rescales": (["test_clip"], [
        ("    if scale < 1:\n        for p in params:\n            p.grad = p.grad * scale",
         "    for p in params:\n        p.grad = p.grad * scale")]),
    "clip_no_sqrt": (["test_clip"], [("total = float(np.sqrt(sum(", "total = float((sum(")]),
    "clip_returns_norm_after": (["test_clip"], [
        ("    return total", "    return float(np.sqrt(sum(np.sum(p.grad ** 2) for p in params)))")]),
    # Dropout.forward
    "dropout_classic_no_rescale": (["test_dropout_forward"], [
        ("return x * self.mask / (1 - self.p)", "return x * self.mask")]),
    "dropout_keeps_with_probability_p": (["test_dropout_forward"], [
        ("self.mask = self.rng.random(x.shape) >= self.p", "self.mask = self.rng.random(x.shape) < self.p")]),
    "dropout_also_in_eval": (["test_dropout_forward"], [
        ("        if not self.training:\n            return x\n", "")]),
    "dropout_eval_scaled": (["test_dropout_forward"], [
        ("            return x\n", "            return x * (1 - self.p)\n")]),
    "dropout_draws_in_eval": (["test_dropout_forward"], [  # right outputs, but eval mode uses up random numbers
        ("        if not self.training:\n            return x\n        self.mask = self.rng.random(x.shape) >= self.p\n",
         "        mask = self.rng.random(x.shape) >= self.p\n        if not self.training:\n            return x\n"
         "        self.mask = mask\n")]),
    "dropout_mask_per_feature": (["test_dropout_forward"], [  # one mask for the whole batch
        ("self.mask = self.rng.random(x.shape) >= self.p", "self.mask = self.rng.random(x.shape[-1:]) >= self.p")]),
    "dropout_p1_divides_by_zero": (["test_dropout_forward"], [
        ("        if self.p == 1:\n            return np.zeros_like(x)\n", "")]),
    # Dropout.backward
    "dropout_backward_no_rescale": (["test_dropout_backward"], [
        ("return grad_out * self.mask / (1 - self.p)", "return grad_out * self.mask")]),
    "dropout_backward_no_mask": (["test_dropout_backward"], [
        ("return grad_out * self.mask / (1 - self.p)", "return grad_out / (1 - self.p)")]),
    "dropout_backward_masks_in_eval": (["test_dropout_backward"], [
        ("        if not self.training:\n            return grad_out\n", "")]),
    "dropout_backward_p1_divides_by_zero": (["test_dropout_backward"], [
        ("        if self.p == 1:\n            return np.zeros_like(grad_out)\n", "")]),
    "dropout_backward_new_mask": (["test_dropout_backward"], [
        ("return grad_out * self.mask / (1 - self.p)",
         "return grad_out * (self.rng.random(grad_out.shape) >= self.p) / (1 - self.p)")]),
}
