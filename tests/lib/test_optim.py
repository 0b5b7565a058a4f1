"""Optimizers: 20-step trajectories on a quadratic against torch.optim where the lecture's
formula is torch's, and against an independent loop of the lecture's formula otherwise."""
import numpy as np
import pytest
import torch

from nnlab import Parameter, optim

STEPS = 20


def quadratic(seed=5):
    """Q(w) = ½ wᵀAw - bᵀw with A symmetric positive definite, and two starting points."""
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((4, 4))
    return M @ M.T + np.eye(4), rng.standard_normal(4), [rng.standard_normal(4),
                                                        rng.standard_normal(4)]


A, b, W0 = quadratic()           # fixed data: two parameters, one quadratic each


def grad(w):
    """Gradient of Q(w) = ½ wᵀAw - bᵀw."""
    return A @ w - b


def nnlab_trajectory(make, **kwargs):
    params = [Parameter(w.copy()) for w in W0]
    opt = make(params, **kwargs)
    path = []
    for _ in range(STEPS):
        opt.zero_grad()
        for p in params:
            p.grad += grad(p.data)
        opt.step()
        path.append(np.concatenate([p.data for p in params]))
    return np.array(path), opt


def torch_trajectory(make, **kwargs):
    params = [torch.tensor(w.copy(), requires_grad=True) for w in W0]
    opt = make(params, **kwargs)
    At, bt = torch.tensor(A), torch.tensor(b)
    path = []
    for _ in range(STEPS):
        opt.zero_grad()
        sum(0.5 * p @ At @ p - bt @ p for p in params).backward()
        opt.step()
        path.append(torch.cat([p.detach() for p in params]).numpy().copy())
    return np.array(path)


SAME_AS_TORCH = [
    ("sgd", optim.SGD, torch.optim.SGD, dict(lr=0.05)),
    ("momentum", optim.SGD, torch.optim.SGD, dict(lr=0.02, momentum=0.9)),
    ("nesterov", optim.SGD, torch.optim.SGD, dict(lr=0.02, momentum=0.9, nesterov=True)),
    ("sgd-weight-decay", optim.SGD, torch.optim.SGD, dict(lr=0.05, weight_decay=0.1)),
    ("momentum-weight-decay", optim.SGD, torch.optim.SGD, dict(lr=0.02, momentum=0.8, weight_decay=0.1)),
    ("rmsprop", optim.RMSProp, torch.optim.RMSprop, dict(lr=0.01, alpha=0.9, eps=1e-8)),
    ("rmsprop-weight-decay", optim.RMSProp, torch.optim.RMSprop, dict(lr=0.01, weight_decay=0.2)),
    ("adam", optim.Adam, torch.optim.Adam, dict(lr=0.1, betas=(0.9, 0.999), eps=1e-8)),
    ("adam-weight-decay", optim.Adam, torch.optim.Adam, dict(lr=0.1, weight_decay=0.3)),
    ("adadelta-torch-eps", optim.AdaDelta, torch.optim.Adadelta, dict(lr=1.0, rho=0.9, eps=1e-6, eps_in_sqrt=True)),
]


@pytest.mark.parametrize("name, ours, theirs, kwargs", SAME_AS_TORCH, ids=[c[0] for c in SAME_AS_TORCH])
def test_trajectory_equals_torch(name, ours, theirs, kwargs):
    path, _ = nnlab_trajectory(ours, **kwargs)
    torch_kwargs = {k: v for k, v in kwargs.items() if k != "eps_in_sqrt"}
    expected = torch_trajectory(theirs, **torch_kwargs)
    np.testing.assert_allclose(path, expected, rtol=0, atol=1e-10)
    assert not np.allclose(path[-1], np.concatenate(W0))  # it moved


def test_nesterov_follows_the_lecture():
    """v := γv + η L'(w - γv), w := w - v; the optimizer holds the look-ahead point w - γv."""
    gamma, eta = 0.9, 0.02
    params = [Parameter(w.copy()) for w in W0]
    opt = optim.SGD(params, lr=eta, momentum=gamma, nesterov=True)
    w = [x.copy() for x in W0]
    v = [np.zeros(4), np.zeros(4)]
    for _ in range(STEPS):
        for i in range(2):
            v[i] = gamma * v[i] + eta * grad(w[i] - gamma * v[i])
            w[i] = w[i] - v[i]
        opt.zero_grad()
        for p in params:
            p.grad += grad(p.data)
        opt.step()
        for i, p in enumerate(params):
            np.testing.assert_allclose(p.data + gamma * opt.state[i]["v"], w[i], rtol=0, atol=1e-12)
            np.testing.assert_allclose(p.data, w[i] - gamma * v[i], rtol=0, atol=1e-12)


def test_adadelta_follows_the_lecture():
    rho, eps, eta = 0.9, 1e-6, 1.0
    path, _ = nnlab_trajectory(optim.AdaDelta, lr=eta, rho=rho, eps=eps)
    expected = []
    w = [x.copy() for x in W0]
    G, D = [np.zeros(4)] * 2, [np.zeros(4)] * 2
    for _ in range(STEPS):
        for i in range(2):
            g = grad(w[i])
            G[i] = rho * G[i] + (1 - rho) * g * g
            delta = g * (np.sqrt(D[i]) + eps) / (np.sqrt(G[i]) + eps)
            D[i] = rho * D[i] + (1 - rho) * delta ** 2
            w[i] = w[i] - eta * delta
        expected.append(np.concatenate(w))
    np.testing.assert_allclose(path, expected, rtol=0, atol=1e-12)
    torch_path = torch_trajectory(torch.optim.Adadelta, lr=eta, rho=rho, eps=eps)
    assert not np.allclose(path, torch_path, rtol=0, atol=1e-10)  # ε placement matters


def test_nadam_follows_the_lecture():
    gamma, alpha, eps, eta = 0.9, 0.999, 1e-8, 0.05
    path, _ = nnlab_trajectory(optim.Nadam, lr=eta, betas=(gamma, alpha), eps=eps)
    expected = []
    w = [x.copy() for x in W0]
    v, G = [np.zeros(4)] * 2, [np.zeros(4)] * 2
    for k in range(1, STEPS + 1):
        for i in range(2):
            g = grad(w[i])
            v[i] = gamma * v[i] + (1 - gamma) * g
            G[i] = alpha * G[i] + (1 - alpha) * g * g
            v_hat, G_hat = v[i] / (1 - gamma ** k), G[i] / (1 - alpha ** k)
            w[i] = w[i] - eta * (gamma * v_hat + (1 - gamma) / (1 - gamma ** k) * g) / (np.sqrt(G_hat) + eps)
        expected.append(np.concatenate(w))
    np.testing.assert_allclose(path, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("make, kwargs", [
    (optim.SGD, dict(lr=0.05)), (optim.SGD, dict(lr=0.02, momentum=0.9, nesterov=True)),
    (optim.RMSProp, dict(lr=0.01)), (optim.AdaDelta, dict()), (optim.Adam, dict(lr=0.1)),
    (optim.Nadam, dict(lr=0.1))])
def test_every_optimizer_decreases_the_quadratic(make, kwargs):
    def Q(w):
        return 0.5 * w @ A @ w - b @ w
    path, _ = nnlab_trajectory(make, **kwargs)
    before = sum(Q(w) for w in W0)
    after = Q(path[-1][:4]) + Q(path[-1][4:])
    assert after < before


@pytest.mark.parametrize("max_norm", [0.5, 3.0, 1e3])
def test_clip_grad_norm_equals_torch(max_norm, rng):
    grads = [rng.standard_normal((3, 4)), rng.standard_normal(5)]
    params = [Parameter(np.zeros_like(g)) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.copy()
    tparams = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, g in zip(tparams, grads):
        p.grad = torch.tensor(g.copy())
    norm = optim.clip_grad_norm(params, max_norm)
    tnorm = torch.nn.utils.clip_grad_norm_(tparams, max_norm)
    assert norm == pytest.approx(tnorm.item(), rel=1e-14)
    for p, t in zip(params, tparams):
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=0, atol=1e-12)


def test_clip_grad_norm_is_the_lecture_formula_with_eps_zero(rng):
    g = rng.standard_normal(10) * 10
    p = Parameter(np.zeros(10))
    p.grad = g.copy()
    theta = 2.0
    optim.clip_grad_norm([p], theta, eps=0.0)
    np.testing.assert_allclose(p.grad, g * theta / np.linalg.norm(g), rtol=1e-15)
    assert np.linalg.norm(p.grad) == pytest.approx(theta)


def test_masked_weights_stay_zero(rng):
    p = Parameter(rng.standard_normal(6))
    p.mask = np.array([1, 0, 1, 0, 1, 1.0])
    p.data = p.data * p.mask
    opt = optim.Adam([p], lr=0.1, weight_decay=0.1)
    for _ in range(5):
        p.grad = rng.standard_normal(6)
        opt.step()
    assert not p.data[[1, 3]].any() and p.data[[0, 2]].all()


def test_bad_arguments():
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="momentum > 0"):
        optim.SGD([Parameter(np.zeros(2))], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="learning rate"):
        optim.Adam([Parameter(np.zeros(2))], lr=-1)


def test_float32_parameters_stay_float32():
    p = Parameter(np.ones(3, np.float32))
    p.grad = np.ones(3, np.float32)
    optim.Adam([p], lr=0.1).step()
    assert p.data.dtype == np.float32


def test_clip_grad_norm_of_zero_gradients():
    p = Parameter(np.zeros(3))
    assert optim.clip_grad_norm([p], 1.0, eps=0.0) == 0.0
    assert not p.grad.any()
