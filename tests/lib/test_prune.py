"""Optimal Brain Damage: the diagonal Hessian against torch.autograd, saliencies against
actual loss increases, pruning exactly round(fraction · n) weights (a property), and masks
that survive retraining."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlab import Sequential, nn, optim, prune
from nnlab.train import fit


def network(rng, act=nn.Tanh, sizes=(5, 4, 3)):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b, rng=rng))
        if i < len(sizes) - 2:
            layers.append(act())
    return Sequential(*layers).to(np.float64)


def autograd_hessian_diagonal(model, loss_fn, X):
    """Diagonal of torch's full Hessian of the loss over all parameters, flattened."""
    names = [n for n, _ in model.named_parameters()]
    shapes = [p.shape for _, p in model.named_parameters()]
    flat0 = torch.tensor(np.concatenate([p.data.ravel() for p in model.parameters()]))
    Xt = torch.tensor(X)

    def loss(flat):
        out, offset = Xt, 0
        params = {}
        for n, s in zip(names, shapes):
            size = int(np.prod(s))
            params[n] = flat[offset:offset + size].reshape(s)
            offset += size
        for i, layer in enumerate(model):
            if isinstance(layer, nn.Linear):
                out = out @ params[f"{i}.weight"].T + params[f"{i}.bias"]
            else:
                out = {nn.Tanh: torch.tanh, nn.Sigmoid: torch.sigmoid, nn.ReLU: torch.relu,
                       nn.Softplus: torch.nn.functional.softplus}[type(layer)](out)
        return loss_fn(out)

    diag = torch.autograd.functional.hessian(loss, flat0).diagonal().numpy()
    result, offset = {}, 0
    for n, s in zip(names, shapes):
        size = int(np.prod(s))
        result[n] = diag[offset:offset + size].reshape(s)
        offset += size
    return result


LOSSES = {
    "mse": (nn.MSELoss, lambda rng, n, m: rng.standard_normal((n, m)),
            lambda t: lambda out: torch.nn.functional.mse_loss(out, torch.tensor(t))),
    "ce": (nn.CrossEntropyLoss, lambda rng, n, m: rng.integers(0, m, n),
           lambda t: lambda out: torch.nn.functional.cross_entropy(out, torch.tensor(t))),
}


@pytest.mark.parametrize("act", [nn.Tanh, nn.Sigmoid, nn.Softplus, nn.ReLU])
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("sizes", [(5, 4, 3), (4, 6, 5, 3), (3, 2)])
def test_exact_diagonal_equals_autograd(act, loss, sizes, rng):
    model = network(rng, act, sizes)
    make_crit, make_target, torch_loss = LOSSES[loss]
    X = rng.standard_normal((7, sizes[0]))
    y = make_target(rng, 7, sizes[-1])
    ours = prune.hessian_diagonal(model, make_crit(), X, y, method="exact", batch_size=3)
    theirs = autograd_hessian_diagonal(model, torch_loss(y), X)
    for name in theirs:
        np.testing.assert_allclose(ours[name], theirs[name], rtol=0, atol=1e-8, err_msg=name)


def test_gauss_newton_is_exact_where_nothing_is_dropped(rng):
    """One Linear layer under MSE: Q is quadratic, no σ'' and no off-diagonal terms travel."""
    model = network(rng, sizes=(4, 3))
    X, y = rng.standard_normal((9, 4)), rng.standard_normal((9, 3))
    exact = prune.hessian_diagonal(model, nn.MSELoss(), X, y, "exact")
    approx = prune.hessian_diagonal(model, nn.MSELoss(), X, y, "gauss-newton")
    for name in exact:
        np.testing.assert_allclose(approx[name], exact[name], rtol=1e-12)


def test_gauss_newton_is_nonnegative_and_differs_from_exact(rng):
    model = network(rng, nn.Tanh, (5, 6, 3))
    X, y = rng.standard_normal((20, 5)), rng.integers(0, 3, 20)
    exact = prune.hessian_diagonal(model, nn.CrossEntropyLoss(), X, y, "exact")
    approx = prune.hessian_diagonal(model, nn.CrossEntropyLoss(), X, y, "gauss-newton")
    assert all((approx[n] >= 0).all() for n in approx)
    np.testing.assert_allclose(approx["2.weight"], exact["2.weight"], rtol=1e-12)  # last layer: exact
    assert not np.allclose(approx["0.weight"], exact["0.weight"])


def test_saliency_is_the_actual_increase_for_a_quadratic_loss(rng):
    """Linear least squares at its minimum: deleting one weight raises Q by exactly h w²/2."""
    model = network(rng, sizes=(4, 2))
    X = rng.standard_normal((30, 4))
    y = X @ rng.standard_normal((4, 2)) + 0.3 * rng.standard_normal((30, 2))
    Xb = np.c_[X, np.ones(30)]
    solution = np.linalg.lstsq(Xb, y, rcond=None)[0]
    model.load_state_dict({"0.weight": solution[:4].T, "0.bias": solution[4]})
    crit = nn.MSELoss()
    q0 = crit(model(X), y)
    s = prune.saliency(model, crit, X, y)["0.weight"]
    for idx in np.ndindex(s.shape):
        w = model[0].weight.data
        old, w[idx] = w[idx], 0.0
        actual = crit(model(X), y) - q0
        w[idx] = old
        assert actual == pytest.approx(s[idx], rel=1e-9)


def test_prune_deletes_the_least_salient_weights_globally(rng):
    model = network(rng, sizes=(5, 4, 3))
    scores = {"0.weight": np.arange(20.0).reshape(4, 5), "2.weight": np.arange(12.0).reshape(3, 4) + 0.5}
    assert prune.prune(model, scores, 0.25) == 8
    assert prune.pruned_fraction(model) == pytest.approx(8 / 32)
    assert (model[0].weight.mask.ravel()[:4] == 0).all() and model[0].weight.mask.ravel()[4] == 1
    assert (model[2].weight.mask.ravel()[:4] == 0).all()
    assert not model[0].weight.data.ravel()[:4].any()
    # a second round keeps earlier deletions and ranks only what is left
    assert prune.prune(model, scores, 0.5) == 8
    assert prune.pruned_fraction(model) == pytest.approx(0.5)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        prune.prune(model, scores, 1.5)


@settings(max_examples=150)
@given(sizes=st.lists(st.integers(1, 6), min_size=2, max_size=4),
       fractions=st.lists(st.floats(0, 1), min_size=1, max_size=3),
       ties=st.booleans(), seed=st.integers(0, 2 ** 16))
def test_prune_deletes_exactly_round_fraction_of_all_weights(sizes, fractions, ties, seed):
    """Property: after prune(model, scores, f) exactly max(already deleted, round(f · n)) of
    the n weights are masked, whatever the layer sizes, the scores (ties included) and the
    order of rounds; the return value counts the new deletions; biases are never pruned."""
    rng = np.random.default_rng(seed)
    model = network(rng, nn.Tanh, tuple(sizes))
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    n = sum(p.data.size for p in weights)
    deleted = 0
    for fraction in fractions:
        scores = {name: (rng.integers(0, 3, p.shape) if ties else rng.random(p.shape))
                  for name, p in model.named_parameters() if name.endswith("weight")}
        before = np.concatenate([(p.mask if p.mask is not None else np.ones(p.shape)).ravel()
                                 for p in weights])
        new = prune.prune(model, scores, fraction)
        after = np.concatenate([p.mask.ravel() for p in weights])
        flat = np.concatenate([scores[name].ravel() for name, p in model.named_parameters()
                               if name.endswith("weight")])
        now_deleted, kept = flat[(before == 1) & (after == 0)], flat[after == 1]
        if now_deleted.size and kept.size:                 # the lowest scores go first
            assert now_deleted.max() <= kept.min()
        expected = max(deleted, round(fraction * n))
        assert new == expected - deleted
        deleted = expected
        assert sum(int((p.mask == 0).sum()) for p in weights) == deleted
        assert all(not p.data[p.mask == 0].any() for p in weights)
        assert prune.pruned_fraction(model) == pytest.approx(deleted / n)
    assert all(p.mask is None for name, p in model.named_parameters() if name.endswith("bias"))


def test_masks_survive_retraining(rng):
    model = network(rng, nn.Tanh, (4, 8, 3)).to(np.float32)
    X, y = rng.standard_normal((60, 4)).astype(np.float32), rng.integers(0, 3, 60)
    crit = nn.CrossEntropyLoss()
    prune.prune(model, prune.magnitude_scores(model), 0.5)
    zero = {n: p.mask == 0 for n, p in model.named_parameters() if p.mask is not None}
    before = {n: p.data.copy() for n, p in model.named_parameters()}
    fit(model, crit, optim.SGD(model.parameters(), lr=0.1, momentum=0.9), X, y, epochs=3, progress=False)
    for n, p in model.named_parameters():
        if n in zero:
            assert not p.data[zero[n]].any()
            assert not np.allclose(p.data[~zero[n]], before[n][~zero[n]])


def test_obd_ranking_beats_random_deletion_on_digits():
    """A sanity bar only: which of OBD and magnitude wins depends on the training (lecture 05)."""
    from nnlab import data

    d = data.load_digits(dtype=np.float64)
    crit = nn.CrossEntropyLoss()
    base = Sequential(nn.Linear(64, 32, rng=np.random.default_rng(0)), nn.Tanh(),
                      nn.Linear(32, 10, rng=np.random.default_rng(1))).to(np.float64)
    fit(base, crit, optim.Adam(base.parameters(), lr=0.01), d.X_train, d.y_train, epochs=30,
        batch_size=64, progress=False)
    q0 = crit(base(d.X_train), d.y_train)
    state = base.state_dict()
    increase = {}
    for method in ("exact", "gauss-newton", "random"):
        base.load_state_dict(state)
        for p in base.parameters():
            p.mask = None
        scores = prune.random_scores(base) if method == "random" \
            else prune.saliency(base, crit, d.X_train, d.y_train, method)
        prune.prune(base, scores, 0.3)
        increase[method] = crit(base(d.X_train), d.y_train) - q0
    assert increase["exact"] < increase["random"] / 5
    assert increase["gauss-newton"] < increase["random"] / 5


def test_input_saliency_sums_the_first_layer(rng):
    model = network(rng, nn.Tanh, (5, 4, 3))
    X, y = rng.standard_normal((10, 5)), rng.integers(0, 3, 10)
    crit = nn.CrossEntropyLoss()
    s = prune.input_saliency(model, crit, X, y)
    assert s.shape == (5,)
    np.testing.assert_allclose(s, prune.saliency(model, crit, X, y)["0.weight"].sum(axis=0))


def test_prune_and_retrain_records_each_round(rng):
    model = network(rng, nn.Tanh, (4, 8, 3))
    X, y = rng.standard_normal((50, 4)), rng.integers(0, 3, 50)
    crit = nn.CrossEntropyLoss()

    def retrain(m):
        fit(m, crit, optim.Adam(m.parameters(), lr=0.01), X, y, epochs=2, progress=False)

    history = prune.prune_and_retrain(model, crit, X, y, retrain, fractions=(0.2, 0.4))
    assert [h["fraction"] for h in history] == [0.2, 0.4]
    assert prune.pruned_fraction(model) == pytest.approx(0.4, abs=1 / 56)


def test_rejects_unsupported_layers_and_methods(rng):
    model = Sequential(nn.Linear(3, 3), nn.Dropout(0.5))
    with pytest.raises(TypeError, match="Dropout"):
        prune.hessian_diagonal(model, nn.MSELoss(), np.zeros((2, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="method"):
        prune.hessian_diagonal(network(rng), nn.MSELoss(), np.zeros((2, 5)), np.zeros((2, 3)), "newton")
