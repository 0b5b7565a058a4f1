"""Plausible wrong implementations for a3_obd: each edits the master's solution and must
lose the points of the graded functions in `breaks`, and only those."""
MUTANTS = {
    # hessian_diagonal_gn (Gauss-Newton diagonal by second-order backpropagation)
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
    # saliency
    "saliency_lecture_without_half": (["test_saliency"], [
        ("h[name] * getattr(net, name).data ** 2 / 2", "h[name] * getattr(net, name).data ** 2")]),
    "saliency_abs_not_square": (["test_saliency"], [
        ("h[name] * getattr(net, name).data ** 2 / 2", "h[name] * np.abs(getattr(net, name).data) / 2")]),
    "saliency_includes_biases": (["test_saliency"], [
        ('for name in ("W1", "W2")}', 'for name in ("W1", "b1", "W2", "b2")}')]),
    # feature_saliency
    "feature_wrong_axis": (["test_feature_saliency"], [
        ('return S["W1"].sum(axis=0)', 'return S["W1"].sum(axis=1)')]),
    "feature_mean": (["test_feature_saliency"], [
        ('return S["W1"].sum(axis=0)', 'return S["W1"].mean(axis=0)')]),
    "feature_max": (["test_feature_saliency"], [
        ('return S["W1"].sum(axis=0)', 'return S["W1"].max(axis=0)')]),
    # prune_and_retrain
    "prune_most_salient": (["test_prune"], [
        ('masks[np.argsort(scores, kind="stable")[:n_prune]] = 0',
         'masks[np.argsort(-np.where(np.isinf(scores), -np.inf, scores), kind="stable")[:n_prune]] = 0')]),
    "prune_by_magnitude": (["test_prune"], [
        ('scores = np.concatenate([S[name].ravel() for name in ("W1", "W2")])',
         'scores = np.concatenate([np.abs(p.data).ravel() for p in weights])')]),
    "prune_reselects_deleted": (["test_prune"], [
        ("scores = np.where(masks > 0, scores, np.inf)", "scores = scores")]),
    "prune_zeroes_without_mask": (["test_prune"], [
        ("p.mask = masks[offset:offset + p.data.size].reshape(p.data.shape)\n        p.data = p.data * p.mask",
         "p.data = p.data * masks[offset:offset + p.data.size].reshape(p.data.shape)")]),
    "prune_no_retraining": (["test_prune"], [
        ("    train(net, X, Y, steps=steps, lr=lr)\n", "")]),
    "prune_loss_before_deleting": (["test_prune"], [
        ("S = saliency(net, hessian_diagonal_gn(net, X, Y))",
         "S = saliency(net, hessian_diagonal_gn(net, X, Y))\n    loss_before = mse(net.forward(X), Y)[0]"),
        ("loss_pruned = mse(net.forward(X), Y)[0]", "loss_pruned = loss_before")]),
}
