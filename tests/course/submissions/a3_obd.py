"""Plausible wrong implementations for a3_obd: each edits the master's solution and must
lose the points of the graded functions in `breaks`, and only those."""
MUTANTS = {
    # hessian_diagonal_gn (Gauss-Newton diagonal by second-order backpropagation); part 2 calls it,
    # but its test puts a correct one in its place, so only test_hessian_gn loses its points
    "gn_sigma_prime_not_squared": (["test_hessian_gn"], [
        ("h_z = (1 - net.u ** 2) ** 2 * h_u", "h_z = (1 - net.u ** 2) * h_u")]),
    "gn_x_not_squared": (["test_hessian_gn"], [
        ('"W1": h_z.T @ (X ** 2)', '"W1": h_z.T @ X')]),
    "gn_w2_not_squared": (["test_hessian_gn"], [
        ("h_u = h_a @ net.W2.data ** 2", "h_u = h_a @ net.W2.data")]),
    "gn_lecture_half_squared_error": (["test_hessian_gn"], [
        ("h_a = np.full_like(A, 2.0 / A.size)", "h_a = np.full_like(A, 1.0 / A.size)")]),
    "gn_mean_over_batch_only": (["test_hessian_gn"], [
        ("h_a = np.full_like(A, 2.0 / A.size)", "h_a = np.full_like(A, 2.0 / len(A))")]),
    "gn_sum_before_product": (["test_hessian_gn"], [
        ('"W1": h_z.T @ (X ** 2)', '"W1": h_z.sum(axis=0)[:, None] * (X ** 2).sum(axis=0)')]),
    "gn_output_bias_not_summed": (["test_hessian_gn"], [
        ('"b2": h_a.sum(axis=0)', '"b2": h_a.mean(axis=0)')]),
    "gn_weight_transposed": (["test_hessian_gn"], [
        ('"W1": h_z.T @ (X ** 2)', '"W1": (X ** 2).T @ h_z')]),
    # hessian_diagonal_exact (the th'' term)
    "exact_wrong_sign": (["test_hessian_exact"], [
        ("extra = -2 * t * (1 - t ** 2) * g_u", "extra = 2 * t * (1 - t ** 2) * g_u")]),
    "exact_first_derivative_for_second": (["test_hessian_exact"], [
        ("extra = -2 * t * (1 - t ** 2) * g_u", "extra = (1 - t ** 2) * g_u")]),
    "exact_gradient_without_scale": (["test_hessian_exact"], [
        ("g_u = (2.0 / A.size) * (A - Y) @ net.W2.data", "g_u = (A - Y) @ net.W2.data")]),
    "exact_bias_not_corrected": (["test_hessian_exact"], [
        ('h["b1"] = h["b1"] + extra.sum(axis=0)', 'h["b1"] = h["b1"]')]),
    "exact_x_not_squared": (["test_hessian_exact"], [
        ('h["W1"] = h["W1"] + extra.T @ (X ** 2)', 'h["W1"] = h["W1"] + extra.T @ X')]),
    "exact_term_replaces_gauss_newton": (["test_hessian_exact"], [
        ('h["W1"] = h["W1"] + extra.T @ (X ** 2)', 'h["W1"] = extra.T @ (X ** 2)'),
        ('h["b1"] = h["b1"] + extra.sum(axis=0)', 'h["b1"] = extra.sum(axis=0)')]),
    "exact_residual_sign": (["test_hessian_exact"], [
        ("g_u = (2.0 / A.size) * (A - Y) @ net.W2.data", "g_u = (2.0 / A.size) * (Y - A) @ net.W2.data")]),
    # saliency
    "saliency_lecture_without_half": (["test_saliency"], [
        ("h[name] * getattr(net, name).data ** 2 / 2", "h[name] * getattr(net, name).data ** 2")]),
    "saliency_abs_not_square": (["test_saliency"], [
        ("h[name] * getattr(net, name).data ** 2 / 2", "h[name] * np.abs(getattr(net, name).data) / 2")]),
    "saliency_includes_biases": (["test_saliency"], [
        ('for name in ("W1", "W2")}', 'for name in ("W1", "b1", "W2", "b2")}')]),
    "saliency_magnitudes": (["test_saliency"], [
        ("h[name] * getattr(net, name).data ** 2 / 2", "np.abs(getattr(net, name).data)")]),
    "saliency_abs_of_hessian": (["test_saliency"], [
        ("h[name] * getattr(net, name).data ** 2 / 2", "np.abs(h[name]) * getattr(net, name).data ** 2 / 2")]),
    # feature_saliency
    "feature_wrong_axis": (["test_feature_saliency"], [
        ('return S["W1"].sum(axis=0)', 'return S["W1"].sum(axis=1)')]),
    "feature_mean": (["test_feature_saliency"], [
        ('return S["W1"].sum(axis=0)', 'return S["W1"].mean(axis=0)')]),
    "feature_max": (["test_feature_saliency"], [
        ('return S["W1"].sum(axis=0)', 'return S["W1"].max(axis=0)')]),
    "feature_output_layer": (["test_feature_saliency"], [
        ('return S["W1"].sum(axis=0)', 'return S["W2"].sum(axis=0)')]),
    # prune_weights
    "prune_most_salient": (["test_prune_weights"], [
        ('masks[np.argsort(scores, kind="stable")[:to_delete]] = 0',
         'masks[np.argsort(-np.where(np.isinf(scores), -np.inf, scores), kind="stable")[:to_delete]] = 0')]),
    "prune_by_magnitude": (["test_prune_weights"], [
        ('scores = np.concatenate([np.ravel(S[name]) for name in ("W1", "W2")])',
         'scores = np.concatenate([np.abs(p.data).ravel() for p in weights])')]),
    "prune_reselects_deleted": (["test_prune_weights"], [
        ("scores = np.where(masks > 0, scores, np.inf)", "scores = scores")]),
    "prune_zeroes_without_mask": (["test_prune_weights"], [
        ("p.mask = masks[offset:offset + p.data.size].reshape(p.data.shape)\n        p.data = p.data * p.mask",
         "p.data = p.data * masks[offset:offset + p.data.size].reshape(p.data.shape)")]),
    "prune_floor_not_round": (["test_prune_weights"], [
        ("to_delete = int(round(fraction * masks.size))", "to_delete = int(fraction * masks.size)")]),
    "prune_fraction_of_remaining": (["test_prune_weights"], [
        ("to_delete = int(round(fraction * masks.size)) - int(masks.size - masks.sum())",
         "to_delete = int(round(fraction * masks.sum()))")]),
    "prune_each_matrix_separately": (["test_prune_weights"], [
        ('masks[np.argsort(scores, kind="stable")[:to_delete]] = 0',
         'n1 = net.W1.data.size\n'
         '    share = int(round(to_delete * n1 / masks.size))\n'
         '    masks[np.argsort(scores[:n1], kind="stable")[:share]] = 0\n'
         '    masks[n1 + np.argsort(scores[n1:], kind="stable")[:to_delete - share]] = 0')]),
    "prune_absolute_saliency": (["test_prune_weights"], [
        ("scores = np.where(masks > 0, scores, np.inf)", "scores = np.where(masks > 0, np.abs(scores), np.inf)")]),
    "prune_returns_total": (["test_prune_weights"], [
        ("    return to_delete\n", "    return int(masks.size - masks.sum())\n")]),
    # prune_and_retrain
    "retrain_no_retraining": (["test_prune_and_retrain"], [
        ("    train(net, X, Y, steps=steps, lr=lr)\n", "")]),
    "retrain_loss_before_deleting": (["test_prune_and_retrain"], [
        ("S = saliency(net, hessian_diagonal_gn(net, X, Y))",
         "S = saliency(net, hessian_diagonal_gn(net, X, Y))\n    loss_before = mse(net.forward(X), Y)[0]"),
        ("loss_pruned = mse(net.forward(X), Y)[0]", "loss_pruned = loss_before")]),
    "retrain_exact_diagonal": (["test_prune_and_retrain"], [
        ("S = saliency(net, hessian_diagonal_gn(net, X, Y))", "S = saliency(net, hessian_diagonal_exact(net, X, Y))")]),
    "retrain_mask_dropped": (["test_prune_and_retrain"], [
        ("    train(net, X, Y, steps=steps, lr=lr)\n",
         "    for p in net.parameters():\n        p.mask = None\n    train(net, X, Y, steps=steps, lr=lr)\n")]),
    "retrain_twice_the_steps": (["test_prune_and_retrain"], [
        ("train(net, X, Y, steps=steps, lr=lr)", "train(net, X, Y, steps=2 * steps, lr=lr)")]),
}
