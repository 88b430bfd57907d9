"""float32 stays float32 through first and second derivatives, for every
differentiable row of the op spec table (PyTorch never widens a float32
gradient).  Derivative rules multiply by exact constants (``LOG2`` in exp2's
rule, ``sqrt(pi)/2`` in erfinv's: ``ops._sympy.Exact``, a float subclass),
which NumPy took for float64 arrays rather than weak Python floats."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad as sg
from symgrad.ops._sympy import Exact, sp
from symgrad.symbolic.constants import number
from tests.op_specs import SPECS, Spec, draw

CASES = [pytest.param(spec, i, id=f"{spec.name}-{i}") for spec in SPECS
         if spec.differentiable and "float32" not in spec.skips for i in range(len(spec.cases))]


def _leaves(spec: Spec, case: int) -> list[sg.Tensor]:
    rng = np.random.default_rng(17 * case + len(spec.name))
    return [sg.tensor(np.asarray(draw(rng, spec.domain_of(i), shape), dtype=np.float64), dtype=sg.float32,
                      requires_grad=True) for i, shape in enumerate(spec.cases[case])]


def _dtypes(tensors) -> list[str]:
    return [str(t.dtype) for t in tensors]


@pytest.mark.parametrize("spec,case", CASES)
def test_float32_first_and_second_derivatives_stay_float32(spec: Spec, case: int):
    leaves = _leaves(spec, case)
    out = spec.fn(*leaves)
    assert out.dtype == sg.float32
    numeric = sg.autograd.grad(out.sum(), leaves, allow_unused=True, materialize_grads=True)
    assert _dtypes(numeric) == ["symgrad.float32"] * len(leaves), "first derivative (numeric pass)"
    out = spec.fn(*leaves)
    first = sg.autograd.grad(out.sum(), leaves, create_graph=True, allow_unused=True, materialize_grads=True)
    assert _dtypes(first) == ["symgrad.float32"] * len(leaves), "first derivative (create_graph)"
    if not spec.second_order or "second_order" in spec.skips:
        return
    total = sum(g.sum() for g in first)
    if not total.requires_grad:  # all second derivatives vanish
        return
    second = sg.autograd.grad(total, leaves, allow_unused=True, materialize_grads=True)
    assert _dtypes(second) == ["symgrad.float32"] * len(leaves), "second derivative"


def test_exact_numbers_are_weak_scalars_to_numpy():
    log2 = Exact(np.log(2), lambda: sp.log(2))
    a = np.ones(2, np.float32)
    for value in (a * log2, log2 * a, a / log2, log2 - a, a ** log2, np.multiply(a, log2), np.float32(1) * log2):
        assert value.dtype == np.float32
    assert (a * log2)[0] == np.float32(np.log(2))
    assert number(log2) == sp.log(2)  # the closed form still sees log(2)


@pytest.mark.parametrize("name", ["exp2", "erfinv"])
def test_second_derivative_matches_pytorch_in_float32(name: str):
    torch = pytest.importorskip("torch")
    x = sg.tensor([.3, .6], dtype=sg.float32, requires_grad=True)
    (g,) = sg.autograd.grad(getattr(sg, name)(x).sum(), x, create_graph=True)
    (h,) = sg.autograd.grad(g.sum(), x)
    tx = torch.tensor([.3, .6], dtype=torch.float32, requires_grad=True)
    (tg,) = torch.autograd.grad(getattr(torch, name)(tx).sum(), tx, create_graph=True)
    (th,) = torch.autograd.grad(tg.sum(), tx)
    assert h.numpy().dtype == th.numpy().dtype == np.float32
    np.testing.assert_allclose(h.numpy(), th.numpy(), rtol=1e-5)
