"""The one comparison of an nnlab layer with its torch twin, used by every test of tests/lib.

assert_same_as_torch(layer, twin, *inputs) gives both the twin's parameters in float64, runs
forward on the same inputs and backward with the same random dL/d(outputs), and compares

    the outputs                      (tuples such as (output, (h_n, c_n)) are flattened)
    dL/d(input) for every input      the first from layer.backward's return value; the
                                     initial states of recurrent layers (h0, then c0) from
                                     layer.grad_h0 and layer.grad_c0, nnlab's convention
    dL/dθ for every parameter        p.grad against the twin's .grad, by torch's names

Inputs may be nested like the layers take them: assert_same_as_torch(lstm, twin, x, (h0, c0)).
"""
import numpy as np
import torch

from nnlab.gradcheck import flatten_outputs

ATOL = 1e-9  # float64 against float64: only the order of summation differs


def _to_torch(value):
    """Nested tuples of arrays -> the same nesting of float64 tensors that require grad."""
    if isinstance(value, (tuple, list)):
        return tuple(_to_torch(v) for v in value)
    return torch.tensor(np.asarray(value, dtype=np.float64), requires_grad=True)


def _flatten_torch(value):
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _flatten_torch(v)]
    return [value]


def assert_same_as_torch(layer, twin, *inputs, seed=0, atol=ATOL):
    """Assert that layer and twin agree in forward and backward (float64; see the module).

    Loads twin.state_dict() into layer after checking that the parameter names are torch's,
    in torch's order. Fails naming the first term that differs.
    """
    twin = twin.double()
    assert [n for n, _ in layer.named_parameters()] == list(twin.state_dict()), \
        "parameter names or order differ from torch's"
    layer.load_state_dict(twin.state_dict())
    inputs = [np.asarray(x, dtype=np.float64) if not isinstance(x, (tuple, list))
              else tuple(np.asarray(v, dtype=np.float64) for v in x) for x in inputs]

    torch_inputs = [_to_torch(x) for x in inputs]
    torch_out = _flatten_torch(twin(*torch_inputs))
    out = flatten_outputs(layer.forward(*inputs))
    assert len(out) == len(torch_out), f"{len(out)} outputs, torch has {len(torch_out)}"
    rng = np.random.default_rng(seed)
    grads = [rng.standard_normal(tuple(t.shape)) for t in torch_out]
    for k, (a, t) in enumerate(zip(out, torch_out)):
        assert a.shape == tuple(t.shape), f"output {k}: shape {a.shape}, torch {tuple(t.shape)}"
        np.testing.assert_allclose(a, t.detach().numpy(), rtol=0, atol=atol,
                                   err_msg=f"output {k}")

    torch.autograd.backward(torch_out, [torch.tensor(g) for g in grads])
    theirs = [t.grad for t in _flatten_torch(torch_inputs)]
    ours = [layer.backward(*grads)]
    if len(theirs) > 1:                     # initial states: nnlab leaves their gradients here
        ours += [g for g in (getattr(layer, "grad_h0", None), getattr(layer, "grad_c0", None))
                 if g is not None]
    assert len(ours) == len(theirs), f"{len(ours)} input gradients, torch has {len(theirs)}"
    for k, (a, t) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(a, t.numpy(), rtol=0, atol=atol, err_msg=f"dL/d(input {k})")
    torch_params = dict(twin.named_parameters())
    for name, p in layer.named_parameters():
        np.testing.assert_allclose(p.grad, torch_params[name].grad.numpy(), rtol=0, atol=atol,
                                   err_msg=f"dL/d{name}")
