"""Typical mistakes in a3_obd and what the visible tests must say about them
(see tests/course/test_visible_messages.py). a3 has no backward pass of its own, so the
classics of the course appear in their second-order form: a Hessian of W1 returned
transposed, and a correction term assigned (=) where it must be added (+=)."""
MISTAKES = {
    "hessian_W1_transposed": (["test_hessian_gn"], [
        ('"W1": h_z.T @ (X ** 2)', '"W1": (X ** 2).T @ h_z')],
        ["hessian_diagonal_gn['W1']", "expected (4, 3)", "transposed?", "['b1'] is right"]),
    "hessian_W2_transposed_in_a_product": (["test_hessian_gn"], [
        ("h_u = h_a @ net.W2.data ** 2", "h_u = h_a @ net.W2.data.T ** 2")],
        ["NumPy shape error", "in your line: h_u = h_a @ net.W2.data.T ** 2"]),
    "exact_term_assigned_not_added": (["test_hessian_exact"], [
        ('h["W1"] = h["W1"] + extra.T @ (X ** 2)', 'h["W1"] = extra.T @ (X ** 2)'),
        ('h["b1"] = h["b1"] + extra.sum(axis=0)', 'h["b1"] = extra.sum(axis=0)')],
        ["['W1'] is wrong", "ADD it to the Gauss-Newton diagonal", "['W2'] is right"]),
    "exact_is_gauss_newton": (["test_hessian_exact"], [
        ('h["W1"] = h["W1"] + extra.T @ (X ** 2)', 'h["W1"] = h["W1"]'),
        ('h["b1"] = h["b1"] + extra.sum(axis=0)', 'h["b1"] = h["b1"]')],
        ["['b1'] is wrong", "the th'' term is missing"]),
    "saliency_without_the_half": (["test_saliency"], [
        ("h[name] * getattr(net, name).data ** 2 / 2", "h[name] * getattr(net, name).data ** 2")],
        ["['W1'] is wrong", "S = h w^2 / 2 here, with the 1/2"]),
    "saliency_is_magnitude": (["test_saliency"], [
        ("h[name] * getattr(net, name).data ** 2 / 2", "np.abs(getattr(net, name).data)")],
        ["magnitudes |w|, not saliencies"]),
    "feature_saliency_over_hidden_units": (["test_feature_saliency"], [
        ('return S["W1"].sum(axis=0)', 'return S["W1"].sum(axis=1)')],
        ["has shape (2,)", "expected (3,)", "summed over the wrong axis? W1 is (H, J)"]),
    "prune_chooses_deleted_weights_again": (["test_prune_weights"], [
        ("scores = np.where(masks > 0, scores, np.inf)", "scores = scores")],
        ["5 of the 20 weights are deleted in all", "expected round(0.5 * 20) = 10", "chosen again?"]),
    "prune_most_salient": (["test_prune_weights"], [
        ('masks[np.argsort(scores, kind="stable")[:to_delete]] = 0',
         'masks[np.argsort(-np.where(np.isinf(scores), -np.inf, scores), kind="stable")[:to_delete]] = 0')],
        ["was deleted", "delete the LEAST salient weights"]),
    "prune_without_mask": (["test_prune_weights"], [
        ("p.mask = masks[offset:offset + p.data.size].reshape(p.data.shape)\n        p.data = p.data * p.mask",
         "p.data = p.data * masks[offset:offset + p.data.size].reshape(p.data.shape)")],
        ["0 of the 6 weights are deleted", "was p.mask set?"]),
    "retrain_forgotten": (["test_prune_and_retrain"], [
        ("    train(net, X, Y, steps=steps, lr=lr)\n", "")],
        ["the weights after retraining are not those of", "not retrained: call train(net, X, Y, steps=steps, lr=lr)"]),
    "retrain_without_masks": (["test_prune_and_retrain"], [
        ("    train(net, X, Y, steps=steps, lr=lr)\n",
         "    for p in net.parameters():\n        p.mask = None\n    train(net, X, Y, steps=steps, lr=lr)\n")],
        ["W1.mask is None after the round", "train needs the masks"]),
    "loss_measured_before_deleting": (["test_prune_and_retrain"], [
        ("S = saliency(net, hessian_diagonal_gn(net, X, Y))",
         "S = saliency(net, hessian_diagonal_gn(net, X, Y))\n    loss_before = mse(net.forward(X), Y)[0]"),
        ("loss_pruned = mse(net.forward(X), Y)[0]", "loss_pruned = loss_before")],
        ["loss_pruned is", "but Q right after deleting the weights is"]),
    "losses_returned_swapped": (["test_prune_and_retrain"], [
        ("    return loss_pruned, loss_retrained\n", "    return loss_retrained, loss_pruned\n")],
        ["loss_pruned and loss_retrained are swapped"]),
}
