"""Every row of the op spec table (``tests/op_specs.py``) through generated
code: values and gradients equal the engine's.  NumPy runs every shape case;
``math``, JAX and PyTorch (when installed) the first case of each row; C
(when a compiler is present) every case, in one compiled function."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad as sg
from symgrad.codegen.backends.c import compiler
from tests.op_specs import SPECS, Spec, draw

ALL_CASES = [pytest.param(spec, i, id=f"{spec.name}-{i}") for spec in SPECS for i in range(len(spec.cases))]
FIRST_CASES = [pytest.param(spec, 0, id=spec.name) for spec in SPECS]
GENERATED_CASES = [p for p in ALL_CASES if not {"codegen", "scalar_codegen"} & set(p.values[0].skips)]
SCALAR_BACKENDS = ("math", "c")
# rows whose functions the C backend has no form of (op_specs.NO_SCALAR_SPECIAL): refused, checked apart
C_CASES = [p for p in GENERATED_CASES if "codegen_c" not in p.values[0].skips]
C_REFUSED = [pytest.param(spec, 0, id=spec.name) for spec in SPECS if "codegen_c" in spec.skips]


def sample(spec: Spec, case: int) -> list[np.ndarray]:
    """Inputs inside the row's domain (as the op tests sample them)."""
    rng = np.random.default_rng(31 * case + len(spec.name))
    out = []
    for i, shape in enumerate(spec.cases[case]):
        out.append(np.asarray(draw(rng, spec.domain_of(i), shape), dtype=np.float64))
    return out


class Expected:
    """A row's leaves and output, a weighted scalar of it, and the engine's gradients of that scalar."""

    def __init__(self, spec: Spec, case: int) -> None:
        self.values = sample(spec, case)
        self.leaves = [sg.tensor(a, requires_grad=spec.differentiable, name=f"a{i}")
                       for i, a in enumerate(self.values)]
        self.out = spec.fn(*self.leaves)
        self.rtol = max(spec.forward_rtol, 1e-9)
        self.f = None
        self.grads: list[np.ndarray] = []
        if spec.differentiable and self.out.requires_grad:
            w = np.random.default_rng(5).uniform(0.5, 1.5, tuple(self.out.shape))
            self.f = (self.out * sg.tensor(w)).sum()
            gs = sg.autograd.grad(self.f, self.leaves, retain_graph=True, allow_unused=True, materialize_grads=True)
            self.grads = [g.numpy() for g in gs]


def close(got, want, rtol) -> None:
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape
    if want.dtype == np.bool_:
        np.testing.assert_array_equal(got.astype(bool), want)
    else:
        np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=rtol, atol=1e-12)


def check(spec: Spec, case: int, backend: str, convert=lambda v: v, result=np.asarray, wrap=lambda fn: fn) -> None:
    """The generated functions (``wrap``ped: ``jax.jit``) against the engine, or the refusal the row expects."""
    e = Expected(spec, case)
    if "codegen" in spec.skips:  # refused, not skipped: see the row's reason
        with pytest.raises(sg.codegen.CodegenError, match="positions chosen by the values|no closed form"):
            sg.lambdify(e.leaves, e.out, backend)
        return
    if "scalar_codegen" in spec.skips and backend in SCALAR_BACKENDS:  # refused: see the row's reason
        with pytest.raises(sg.codegen.CodegenError, match="no scalar-mode code"):
            sg.lambdify(e.leaves, e.out, backend)
        return
    if f"codegen_{backend}" in spec.skips:  # refused by this backend, by the function's name
        with pytest.raises(sg.codegen.CodegenError, match=f"the {backend} backend has no "):
            sg.lambdify(e.leaves, e.out, backend)
            sg.gradient_function(e.f, e.leaves, backend)  # (lgamma has a form, its derivative has not)
        return
    args = [convert(v) for v in e.values]
    fn = wrap(sg.lambdify(e.leaves, e.out, backend))
    close(result(fn(*args)), e.out.detach().numpy(), e.rtol)
    if e.f is not None:
        value, grads = wrap(sg.gradient_function(e.f, e.leaves, backend))(*args)
        close(result(value), e.f.detach().numpy(), e.rtol)
        for got, want in zip(grads, e.grads, strict=True):
            close(result(got), want, e.rtol)


@pytest.mark.parametrize("spec,case", ALL_CASES)
def test_numpy(spec, case):
    check(spec, case, "numpy")


@pytest.mark.parametrize("spec,case", FIRST_CASES)
def test_math(spec, case):
    check(spec, case, "math", convert=lambda v: v.tolist())


@pytest.mark.parametrize("spec,case", FIRST_CASES)
def test_jax(spec, case):
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    check(spec, case, "jax", convert=jax.numpy.asarray)


@pytest.mark.slow
@pytest.mark.parametrize("spec,case", ALL_CASES)
def test_jax_jit(spec, case):
    """Every case's JAX code under ``jax.jit`` (traced once, compiled by XLA; about
    two minutes: ``pytest -m slow``).  The normal run jits the codegen cases
    (``test_codegen_ops.py``)."""
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    check(spec, case, "jax", convert=jax.numpy.asarray, wrap=jax.jit)


@pytest.mark.parametrize("spec,case", FIRST_CASES)
def test_torch(spec, case):
    torch = pytest.importorskip("torch")
    check(spec, case, "torch", convert=torch.as_tensor,
          result=lambda r: r.detach().numpy() if torch.is_tensor(r) else r)


@pytest.mark.parametrize("spec", [s for s in SPECS if "scalar_codegen" in s.skips], ids=lambda s: s.name)
def test_c_refuses_rows_without_scalar_code(spec):
    """(Code is written before it is compiled: no compiler needed to see the refusal.)"""
    check(spec, 0, "c")


@pytest.mark.skipif(compiler() is None, reason="no C compiler")
@pytest.mark.parametrize("part", range(4))
def test_c_every_case_compiled(part):
    """A quarter of the cases per compiled function (ctypes calls at most 1024 parameters)."""
    leaves, values, outputs, wanted, rtols = [], [], [], [], []
    for param in C_CASES[part::4]:
        e = Expected(*param.values)
        leaves += e.leaves
        values += e.values
        outputs.append(e.out)
        wanted.append(e.out.detach().numpy())
        if e.f is not None:
            outputs += list(sg.autograd.grad(e.f, e.leaves, retain_graph=True, allow_unused=True,
                                             materialize_grads=True))
            wanted += e.grads
        rtols += [e.rtol] * (len(outputs) - len(rtols))
    fn = sg.lambdify(leaves, outputs, "c", compile=True)
    for got, want, rtol in zip(fn(*values), wanted, rtols, strict=True):
        close(got, want, rtol)


@pytest.mark.parametrize("spec,case", C_REFUSED)
def test_c_refuses_what_it_has_no_form_of(spec, case):
    check(spec, case, "c")
