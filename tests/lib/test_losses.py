"""Losses: gradients by central differences, values and gradients against torch, the
per-sample Hessians used by OBD against torch.autograd, stability and bad input."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnlab import nn
from nnlab.gradcheck import check_loss


def cases(rng, batch, classes):
    logits = rng.standard_normal((batch, classes)) * 3
    labels = rng.integers(0, classes, batch)
    probs = 1 / (1 + np.exp(-rng.standard_normal((batch, classes))))
    targets = rng.random((batch, classes))
    return {
        "mse": (nn.MSELoss(), rng.standard_normal((batch, classes)), rng.standard_normal((batch, classes)),
                lambda p, t: F.mse_loss(p, t)),
        "mse-sum": (nn.MSELoss(reduction="sum"), rng.standard_normal((batch, classes)),
                    rng.standard_normal((batch, classes)), lambda p, t: F.mse_loss(p, t, reduction="sum")),
        "ce": (nn.CrossEntropyLoss(), logits, labels, lambda p, t: F.cross_entropy(p, t)),
        "ce-sum": (nn.CrossEntropyLoss(reduction="sum"), logits, labels,
                   lambda p, t: F.cross_entropy(p, t, reduction="sum")),
        "bce": (nn.BCELoss(), probs, targets, lambda p, t: F.binary_cross_entropy(p, t)),
    }


NAMES = ["mse", "mse-sum", "ce", "ce-sum", "bce"]


@pytest.mark.parametrize("shape", [(1, 3), (5, 4), (8, 1)])
@pytest.mark.parametrize("name", NAMES)
def test_gradient_by_central_differences(name, shape, rng):
    crit, pred, target, _ = cases(rng, *shape)[name]
    report = check_loss(crit, pred, target)
    assert report.ok, str(report)


@pytest.mark.parametrize("shape", [(1, 3), (5, 4)])
@pytest.mark.parametrize("name", NAMES)
def test_value_and_gradient_equal_torch(name, shape, rng):
    crit, pred, target, twin = cases(rng, *shape)[name]
    pt = torch.tensor(pred, requires_grad=True)
    lt = twin(pt, torch.tensor(target))
    lt.backward()
    assert crit(pred, target) == pytest.approx(lt.item(), abs=1e-10, rel=1e-12)
    np.testing.assert_allclose(crit.backward(), pt.grad.numpy(), rtol=0, atol=1e-10)


@pytest.mark.parametrize("name", NAMES)
def test_hessian_equals_autograd(name, rng):
    crit, pred, target, twin = cases(rng, 3, 4)[name]
    crit(pred, target)
    H = torch.autograd.functional.hessian(lambda p: twin(p, torch.tensor(target)), torch.tensor(pred))
    H = H.numpy().reshape(pred.size, pred.size)
    n, m = pred.shape
    for i in range(n):  # rows are independent: the blocks are the per-sample Hessians
        np.testing.assert_allclose(crit.hessian()[i], H[i * m:(i + 1) * m, i * m:(i + 1) * m], atol=1e-10)
        H[i * m:(i + 1) * m, i * m:(i + 1) * m] = 0
    assert not H.any()


def test_cross_entropy_is_stable_for_huge_logits(rng):
    logits = rng.standard_normal((6, 5)) * 1e3
    labels = rng.integers(0, 5, 6)
    crit = nn.CrossEntropyLoss()
    loss = crit(logits, labels)
    pt = torch.tensor(logits, requires_grad=True)
    lt = F.cross_entropy(pt, torch.tensor(labels))
    lt.backward()
    assert np.isfinite(loss) and loss == pytest.approx(lt.item(), rel=1e-12)
    np.testing.assert_allclose(crit.backward(), pt.grad.numpy(), atol=1e-12)
    assert check_loss(crit, logits, labels).ok
    assert np.isfinite(crit(np.float32(1e3) * np.ones((2, 3), np.float32), np.array([0, 1])))


def test_cross_entropy_float32_stays_float32(rng):
    crit = nn.CrossEntropyLoss()
    crit(rng.standard_normal((4, 3)).astype(np.float32), np.array([0, 1, 2, 0]))
    assert crit.backward().dtype == np.float32


def test_cross_entropy_rejects_bad_labels():
    crit = nn.CrossEntropyLoss()
    with pytest.raises(ValueError, match=r"integer labels of shape \(4,\)"):
        crit(np.zeros((4, 3)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\)"):
        crit(np.zeros((4, 3)), np.array([0, 1, 2, 3]))
    with pytest.raises(ValueError, match=r"\(batch, classes\)"):
        crit(np.zeros(3), np.array([0]))


def test_mse_rejects_mismatched_target():
    with pytest.raises(ValueError, match=r"MSELoss expects target of shape \(4, 2\)"):
        nn.MSELoss()(np.zeros((4, 2)), np.zeros((4, 1)))


def test_bce_clamps_log_like_torch():
    p, t = np.array([[0.0, 1.0, 0.5]]), np.array([[1.0, 0.0, 1.0]])
    expected = F.binary_cross_entropy(torch.tensor(p), torch.tensor(t)).item()
    assert nn.BCELoss()(p, t) == pytest.approx(expected)


@pytest.mark.parametrize("name", NAMES)
def test_loss_contract_forward_gives_a_float_backward_takes_nothing(name, rng):
    """The contract of nnlab.module: forward(pred, target) -> float; backward() -> dL/dpred."""
    crit, pred, target, _ = cases(rng, 3, 4)[name]
    loss = crit.forward(pred, target)
    assert type(loss) is float and crit(pred, target) == loss
    grad = crit.backward()
    assert isinstance(grad, np.ndarray) and grad.shape == pred.shape
    with pytest.raises(TypeError):
        crit.backward(np.ones_like(pred))   # nothing comes after a loss to send a gradient
