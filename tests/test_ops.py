"""Every row of the op spec table through every oracle: the symbolic forward
(lambdified), float64 central finite differences, ``sympy.diff`` of the
closed form, second derivatives via ``create_graph``, PyTorch, float32."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from sympy.printing.pycode import MpmathPrinter

import symgrad as sg
from symgrad.ops import TABLE
from tests.op_specs import SPECS, Spec, draw

CASES = [pytest.param(spec, i, id=f"{spec.name}-{i}") for spec in SPECS for i in range(len(spec.cases))]
DIFF_CASES = [p for p in CASES if p.values[0].differentiable]


def _sample(spec: Spec, case: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(1000 * seed + 17 * case + len(spec.name))
    out = []
    for i, shape in enumerate(spec.cases[case]):
        out.append(np.asarray(draw(rng, spec.domain_of(i), shape), dtype=np.float64))
    return out


def _leaves(arrays: list[np.ndarray], requires_grad: bool, dtype=sg.float64) -> list[sg.Tensor]:
    return [sg.tensor(a, dtype=dtype, requires_grad=requires_grad, name=f"a{i}") for i, a in enumerate(arrays)]


def _flat(expr) -> list:
    if isinstance(expr, sympy.NDimArray):
        return list(sympy.flatten(expr.tolist())) if expr.shape else [expr[()]]
    return [expr]


def _symbols(leaves: list[sg.Tensor]) -> list:
    return [s for t in leaves for s in _flat(t.expr)]


def _evaluate(exprs: list, symbols: list, values: list[np.ndarray]) -> np.ndarray:
    # Leaf symbols (``x[0, 1]``) are not Python identifiers, and lambdify renames
    # such a symbol in a rebuild of every expression of its own, re-evaluating
    # each Max and Min as it goes (95% of the slowest rows' time).  One rename of
    # all of them, unevaluated, gives the same function.
    plain = [sympy.Symbol(f"_a{i}") for i in range(len(symbols))]
    with sympy.evaluate(False):
        renamed = [sympy.sympify(e).xreplace(dict(zip(symbols, plain))) for e in exprs]
    # (unordered: sorting the terms of every sum was half of the printing time)
    printer = MpmathPrinter({"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True,
                             "user_functions": {}, "order": "none"})
    fn = sympy.lambdify(plain, renamed, modules="mpmath", printer=printer)
    point = [float(v) for a in values for v in np.asarray(a).reshape(-1)]
    return np.array([complex(r).real if not isinstance(r, bool) else float(r) for r in fn(*point)], dtype=float)


def _upstream(shape, seed=1) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0.5, 1.5, shape)


def _loss(out: sg.Tensor, v: np.ndarray) -> sg.Tensor:
    return (out * sg.tensor(v)).sum()


def _numeric_fn(spec: Spec, arrays: list[np.ndarray]) -> np.ndarray:
    with sg.no_grad():
        return spec.fn(*[sg.tensor(a) for a in arrays])._value


def test_op_table_and_specs_agree():
    covered = {op for spec in SPECS for op in spec.ops}
    assert sorted(set(TABLE) - covered) == [], "ops without a spec row: add rows to tests/op_specs.py"
    assert sorted(covered - set(TABLE)) == [], "spec rows name ops that are not in the op table"


@pytest.mark.parametrize("spec,case", CASES)
def test_symbolic_forward_matches_numeric(spec: Spec, case: int):
    if "symbolic_forward" in spec.skips:
        pytest.skip(spec.skips["symbolic_forward"])
    arrays = _sample(spec, case)
    leaves = _leaves(arrays, spec.differentiable)
    out = spec.fn(*leaves)
    exprs = _flat(out.expr)
    got = _evaluate(exprs, _symbols(leaves), arrays)
    np.testing.assert_allclose(got, np.asarray(out._value, dtype=float).reshape(-1), rtol=spec.forward_rtol,
                               atol=1e-12)


@pytest.mark.parametrize("spec,case", DIFF_CASES)
def test_gradient_matches_finite_differences(spec: Spec, case: int):
    if "fd" in spec.skips:
        pytest.skip(spec.skips["fd"])
    arrays = _sample(spec, case)
    leaves = _leaves(arrays, True)
    out = spec.fn(*leaves)
    v = _upstream(out.shape)
    _loss(out, v).backward()
    for i, a in enumerate(arrays):
        numeric = np.zeros_like(a)
        for idx in np.ndindex(*a.shape):
            eps = 1e-6 * max(1.0, abs(a[idx]))
            plus, minus = [x.copy() for x in arrays], [x.copy() for x in arrays]
            plus[i][idx] += eps
            minus[i][idx] -= eps
            numeric[idx] = (np.sum(_numeric_fn(spec, plus) * v) - np.sum(_numeric_fn(spec, minus) * v)) / (2 * eps)
        np.testing.assert_allclose(leaves[i].grad._value, numeric, rtol=1e-5, atol=1e-6,
                                   err_msg=f"gradient of input {i}")


@pytest.mark.parametrize("spec,case", DIFF_CASES)
def test_closed_form_gradient_matches_sympy_diff(spec: Spec, case: int):
    if "closed_form" in spec.skips:
        pytest.skip(spec.skips["closed_form"])
    arrays = _sample(spec, case)
    leaves = _leaves(arrays, True)
    out = spec.fn(*leaves)
    v = _upstream(out.shape)
    loss = _loss(out, v)
    loss.backward()
    symbols = _symbols(leaves)
    closed = [e for t in leaves for e in _flat(t.grad.expr)]
    oracle = [sympy.diff(loss.expr, s) for s in symbols]   # sympy.diff is the oracle, not the engine
    numeric = np.concatenate([t.grad._value.reshape(-1) for t in leaves])
    np.testing.assert_allclose(_evaluate(closed, symbols, arrays), numeric, rtol=spec.closed_form_rtol, atol=1e-10)
    other = _sample(spec, case, seed=1)  # a second point: the closed form is a function, not a number
    np.testing.assert_allclose(_evaluate(closed, symbols, other), _evaluate(oracle, symbols, other),
                               rtol=max(1e-8, spec.closed_form_rtol), atol=1e-10)


@pytest.mark.parametrize("spec,case", [p for p in DIFF_CASES if p.values[0].second_order])
def test_second_derivative_matches_finite_differences(spec: Spec, case: int):
    if "second_order" in spec.skips:
        pytest.skip(spec.skips["second_order"])
    arrays = _sample(spec, case)
    u = [np.random.default_rng(7 + i).uniform(-1, 1, a.shape) for i, a in enumerate(arrays)]

    def gradient_at(values: list[np.ndarray]) -> list[np.ndarray]:
        leaves = _leaves(values, True)
        out = spec.fn(*leaves)
        grads = sg.autograd.grad(_loss(out, _upstream(out.shape)), leaves, allow_unused=True, materialize_grads=True)
        return [g._value for g in grads]

    leaves = _leaves(arrays, True)
    out = spec.fn(*leaves)
    grads = sg.autograd.grad(_loss(out, _upstream(out.shape)), leaves, create_graph=True, allow_unused=True,
                             materialize_grads=True)
    directional = sum((g * sg.tensor(ui)).sum() for g, ui in zip(grads, u))
    if not directional.requires_grad:  # all second derivatives vanish
        hvp = [np.zeros_like(a) for a in arrays]
    else:
        hvp = [h._value for h in sg.autograd.grad(directional, leaves, allow_unused=True, materialize_grads=True)]
    eps = 1e-5
    plus = gradient_at([a + eps * ui for a, ui in zip(arrays, u)])
    minus = gradient_at([a - eps * ui for a, ui in zip(arrays, u)])
    for h, p, m in zip(hvp, plus, minus):
        np.testing.assert_allclose(h, (p - m) / (2 * eps), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("spec,case", [p for p in CASES if p.values[0].torch_fn is not None])
def test_matches_pytorch(spec: Spec, case: int):
    torch = pytest.importorskip("torch")
    arrays = _sample(spec, case)
    leaves = _leaves(arrays, spec.differentiable)
    tleaves = [torch.tensor(a, dtype=torch.float64, requires_grad=spec.differentiable) for a in arrays]
    out = spec.fn(*leaves)
    tout = spec.torch_fn(*tleaves)
    np.testing.assert_allclose(out._value, tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert out._value.dtype == tout.detach().numpy().dtype
    if not spec.differentiable:
        return
    v = _upstream(out.shape)
    _loss(out, v).backward()
    (tout * torch.tensor(v)).sum().backward()
    for t, tt in zip(leaves, tleaves):
        # (force: PyTorch stores some zero gradients, sgn's, as a ZeroTensor, which numpy() refuses)
        want = tt.grad.numpy(force=True) if tt.grad is not None else np.zeros_like(t._value)
        np.testing.assert_allclose(t.grad._value, want, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("spec,case", [p for p in CASES if p.values[0].integer])
def test_integer_inputs_match_pytorch(spec: Spec, case: int):
    """Rows marked ``integer``: on int64 inputs the values and the dtype are PyTorch's."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(17 * case + len(spec.name))
    arrays = [rng.integers(-4, 5, shape).astype(np.int64) for shape in spec.cases[case]]
    out = spec.fn(*[sg.tensor(a) for a in arrays])
    tout = spec.torch_fn(*[torch.tensor(a) for a in arrays])
    np.testing.assert_array_equal(out._value, tout.numpy())
    assert out._value.dtype == tout.numpy().dtype


@pytest.mark.parametrize("spec,case", DIFF_CASES)
def test_float32_end_to_end(spec: Spec, case: int):
    if "float32" in spec.skips:
        pytest.skip(spec.skips["float32"])
    arrays = _sample(spec, case)
    leaves = _leaves(arrays, True, dtype=sg.float32)
    out = spec.fn(*leaves)
    assert out.dtype == sg.float32
    _loss(out, _upstream(out.shape)).backward()
    ref = _leaves(arrays, True)
    _loss(spec.fn(*ref), _upstream(out.shape)).backward()
    for t, r in zip(leaves, ref):
        assert t.grad.dtype == sg.float32
        np.testing.assert_allclose(t.grad._value, r.grad._value, rtol=2e-3, atol=2e-4)
