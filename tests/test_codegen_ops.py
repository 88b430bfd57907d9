"""Graphs built for code generation (``codegen_cases``: boolean and integer
leaves as inputs, gradients that are not constants, writes through views):
generated NumPy code in array and scalar mode, and compiled C, equal the
engine.  The core's op spec table runs through every backend in
``test_codegen_specs.py``."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad
from symgrad.codegen import backends, specs
from symgrad.codegen.backends.c import compiler
from symgrad.codegen.generate import generate
from symgrad.codegen.graph import post_order
from symgrad.codegen.lower import BROADCAST, IDENTITY_OPS
from symgrad.ops import TABLE
from symgrad.ops.registry import NoClosedForm
from symgrad.symbolic.terms import Apply
from tests.codegen_cases import CASES, Case

_weights = np.random.default_rng(11)


def _expected(case: Case) -> tuple[list, list, object, object, list]:
    """Leaves, values, output, weighted scalar f (or None) and the engine's gradients of f."""
    leaves, grads, out = case.build()
    values = [leaf.detach().numpy().copy() for leaf in leaves]
    if not (grads and out.requires_grad):
        return leaves, values, out, None, []
    w = symgrad.tensor(_weights.uniform(0.5, 1.5, tuple(out.shape)))
    f = (out * w).sum()
    want = symgrad.autograd.grad(f, grads, retain_graph=True, allow_unused=True, materialize_grads=True)
    return leaves, values, out, (f, grads), [g.numpy() for g in want]


def _close(got, want, tol):
    got = np.asarray(got)
    want = np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    if want.dtype == np.bool_:
        np.testing.assert_array_equal(got.astype(bool), want)
    else:
        np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=tol, atol=tol)


def _check(case: Case, backend: str, convert=lambda v: v, result=np.asarray, wrap=lambda fn: fn, **options):
    leaves, values, out, grad, want = _expected(case)
    fn = wrap(symgrad.lambdify(leaves, out, backend, **options))
    _close(result(fn(*[convert(v) for v in values])), out.detach().numpy(), case.tol)
    if grad is not None:
        f, grads = grad
        g = wrap(symgrad.gradient_function(f, grads, backend, inputs=leaves, **options))
        value, gs = g(*[convert(v) for v in values])
        _close(result(value), f.detach().numpy(), case.tol)
        for got, w in zip(gs, want, strict=True):
            _close(result(got), w, case.tol)


def _ids(case: Case) -> str:
    return case.name


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_numpy_matches_the_engine(case):
    _check(case, "numpy")


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_numpy_scalar_mode_matches_the_engine(case):
    """Element-by-element code (what scalar inputs get, so arrays of points broadcast)."""
    leaves, values, out, grad, want = _expected(case)
    inputs = [specs.input_spec(x, i) for i, x in enumerate(leaves)]
    if not case.scalar_code:
        with pytest.raises(symgrad.codegen.CodegenError, match="no scalar-mode code can be generated through"):
            generate(inputs, specs.output_spec("out", out, False), "numpy", mode="scalar")
        return
    fn = generate(inputs, specs.output_spec("out", out, False), "numpy", mode="scalar")
    _close(fn(*values), out.detach().numpy(), case.tol)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_jax_code_under_jit_matches_the_engine(case):
    """Generated JAX code traced and compiled by ``jax.jit`` (no Python
    control flow on traced values, no NumPy calls on tracers)."""
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    _check(case, "jax", wrap=jax.jit)


@pytest.mark.skipif(compiler() is None, reason="no C compiler")
def test_c_compiled_matches_the_engine_for_every_case():
    """One C function computing every case's output and gradients (one compile)."""
    leaves, values, outputs, expected, tols = [], [], [], [], []
    for case in (c for c in CASES if c.scalar_code and c.c):
        ls, vs, out, grad, want = _expected(case)
        leaves += ls
        values += vs
        outputs.append(out)
        expected.append(out.detach().numpy())
        tols.append(case.tol)
        if grad is not None:
            f, grads = grad
            outputs += list(symgrad.autograd.grad(f, grads, retain_graph=True, allow_unused=True,
                                                  materialize_grads=True))
            expected += want
            tols += [case.tol] * len(want)
    fn = symgrad.lambdify(leaves, outputs, "c", compile=True)
    for got, want, tol in zip(fn(*values), expected, tols, strict=True):
        _close(got, want, tol)


def test_cases_cover_the_op_table():
    seen = set()
    for case in CASES:
        _leaves, _values, out, grad, _want = _expected(case)
        roots = [symgrad._tensor._term_or_const(out)]
        if grad is not None:
            f, grads = grad
            roots += [symgrad._tensor._term_or_const(g) for g in
                      symgrad.autograd.grad(f, grads, retain_graph=True, allow_unused=True, materialize_grads=True)]
        seen |= {t.op.name for t in post_order(roots) if isinstance(t, Apply)}
    assert set(TABLE) - seen == NO_CODE


# ops without a closed form (linalg.eigh): no case can generate code through them
NO_CODE = {name for name, op in TABLE.items() if isinstance(op.symbolic, NoClosedForm)}


@pytest.mark.parametrize("name", ["numpy", "math", "torch", "c"])
def test_ops_without_a_closed_form_are_refused(name):
    if name == "torch":
        pytest.importorskip("torch")
    assert NO_CODE == {"eigvalsh", "eigh_vectors", "svd_u", "svdvals", "svd_vh", "matrix_exp"}
    A = symgrad.tensor([[2.0, 1.0], [1.0, 3.0]], requires_grad=True, name="A")
    f = symgrad.linalg.eigh(A).eigenvectors[0, 1] + symgrad.linalg.eigvalsh(A).sum()
    for make in (lambda: symgrad.lambdify([A], f, name), lambda: symgrad.gradient_function(f, [A], name)):
        with pytest.raises(symgrad.codegen.CodegenError, match="no code can be generated through .*no closed form"):
            make()


@pytest.mark.parametrize("name", ["numpy", "jax", "torch"])
def test_every_op_has_an_emitter_or_a_stated_reason(name):
    pytest.importorskip({"numpy": "numpy", "jax": "jax", "torch": "torch"}[name])
    backend = backends.get(name)
    needed = {op for op, d in TABLE.items() if not d.elementwise} - IDENTITY_OPS
    covered = set(backend.table) | set(backend.unsupported)
    assert needed - covered == set()
    assert BROADCAST in backend.table
