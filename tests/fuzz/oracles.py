"""The checks every random program must pass.

For every leaf that requires grad, these must agree within float64
tolerances:

* the numeric gradient (``loss.backward()``, the array-mode engine);
* the closed form (``leaf.grad.expr``) evaluated at the point;
* float64 central finite differences (Richardson-extrapolated);
* PyTorch's gradient, and PyTorch's forward values for every node;
* the gradient computed with ``create_graph=True`` (the tensor-mode engine),
  and the Hessian-vector product through it, against finite differences of
  the gradient and against PyTorch's;
* the generated code (``gradient_function``) of the NumPy backend, and in
  the long profile of the ``math`` and (compiled) C backends too.

Finite differences only mean something where the program is smooth: if a
perturbed point lands on another branch of a kink (``abs``, ``max``,
``floor``...), the case is discarded with ``NotSmoothError`` (rare: the generator
keeps inputs ``MARGIN`` away from kinks).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy
from sympy.core.function import AppliedUndef

import symgrad
from tests.differences import DIFFERENCES
from tests.fuzz.profiles import is_long
from tests.fuzz.program import Program

RTOL_ENGINES = 1e-9      # symgrad vs PyTorch, array vs tensor mode: the same float64 math, reordered
RTOL_CLOSED = 1e-8       # closed form evaluated by SymPy/NumPy
RTOL_FD = 1e-6           # Richardson-extrapolated central differences


def _pow_at_exponent_zero(program: Program, values: dict[str, np.ndarray]) -> bool:
    return any(s.op.name == "pow" and np.any(values[s.args[1]] == 0) for s in program.steps)


# Declared differences from PyTorch (tests/differences.py) and when a program meets one.
DECLARED: dict[str, Callable[[Program, dict[str, np.ndarray]], bool]] = {
    "pow_exponent_zero_second_order": _pow_at_exponent_zero,
}


class NotSmoothError(Exception):
    """A finite-difference step crossed a kink: this point says nothing about the gradient."""


@dataclass
class Report:
    """What was checked for one program (the long run sums these)."""

    checks: set[str] = field(default_factory=set)
    skipped: dict[str, str] = field(default_factory=dict)


def check(program: Program, torch: Any = None, second_order: bool = True, codegen: bool = True,
          transforms: bool = True) -> Report:
    report = Report()
    leaves = program.make_leaves(symgrad, named=True)
    loss, nodes = program.run(symgrad, "symgrad", leaves)
    values = {**{leaf.name: leaf.value for leaf in program.leaves}, **{k: v._value for k, v in nodes.items()}}
    differences = [name for name, applies in DECLARED.items() if applies(program, values)]
    loss.backward()
    grads = [_grad_array(t) for t in leaves]
    wanted = [i for i, leaf in enumerate(program.leaves) if leaf.requires_grad]
    used = [i for i in wanted if leaves[i].grad is not None]  # unused leaves: PyTorch's None is checked below
    scale = max([1.0] + [float(np.max(np.abs(grads[i]), initial=0.0)) for i in wanted])

    _check_finite_differences(program, grads, wanted, scale)
    report.checks.add("finite_differences")
    _check_closed_form(program, leaves, loss, grads, wanted, used, scale, report)
    if torch is not None:
        _check_torch(program, torch, leaves, loss, nodes, scale)
        report.checks.add("torch")
    hvp = None
    if second_order:
        hvp_torch = torch if "pow_exponent_zero_second_order" not in differences else None
        hvp = _check_second_order(program, hvp_torch, grads, wanted, scale)
        report.checks.add("second_order")
    if transforms and hasattr(symgrad, "hvp"):
        _check_transforms(program, grads, wanted, scale, hvp)
        report.checks.add("transforms")
    if codegen and hasattr(symgrad, "gradient_function"):
        for backend in codegen_backends():
            if backend == "c" and c_compiler() is None:
                report.skipped["codegen_c"] = "no C compiler (looked for $CC, cc, gcc, clang)"
                continue
            if not _check_codegen(program, float(loss._value), grads, used, scale, hvp if used == wanted else None,
                                  backend):
                report.skipped["codegen"] = "positions chosen by values (sort, a mask): generation refuses them"
                break
            report.checks.add("codegen" if backend == "numpy" else f"codegen_{backend}")
    for name in differences:
        report.skipped[f"torch_hvp ({DIFFERENCES[name].name})"] = DIFFERENCES[name].reason
    return report


def _grad_array(t: Any) -> np.ndarray:
    return np.zeros_like(t._value) if t.grad is None else np.array(t.grad._value)


def _close(got: np.ndarray, want: np.ndarray, rtol: float, scale: float, what: str) -> None:
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * scale, err_msg=what)


# ---------------------------------------------------------------- finite differences

def _forward(program: Program, values: list[np.ndarray], center: dict[str, Any] | None) -> tuple[float, dict]:
    with symgrad.no_grad():
        loss, nodes = program.run(symgrad, "symgrad", program.make_leaves(symgrad, values, requires_grad=False))
    values_by_name = {**{leaf.name: v for leaf, v in zip(program.leaves, values)},
                      **{k: v._value for k, v in nodes.items()}}
    branches = _branches(program, values_by_name)
    if center is not None and not _same_branches(branches, center):
        raise NotSmoothError()
    return float(loss._value), branches


def _branches(program: Program, values: dict[str, np.ndarray]) -> dict[str, Any]:
    out = {}
    for s in program.steps:
        if s.op.kink is not None:
            out[s.name] = s.op.kink(*[values[a] for a in s.args], **s.params)[0]
    return out


def _same_branches(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(np.array_equal(a[k], b[k]) for k in a)


def _derivative(f: Callable[[float], Any], h: float) -> Any:
    """Central difference with one Richardson step: error O(h**4)."""
    d1 = (f(h) - f(-h)) / (2 * h)
    d2 = (f(h / 2) - f(-h / 2)) / h
    return (4 * d2 - d1) / 3


def _check_finite_differences(program: Program, grads: list[np.ndarray], wanted: list[int], scale: float) -> None:
    base = [leaf.value for leaf in program.leaves]
    _, center = _forward(program, base, None)
    for i in wanted:
        fd = np.zeros_like(base[i])
        for idx in np.ndindex(*base[i].shape):
            def f(d: float, i: int = i, idx: Any = idx) -> float:
                values = [v.copy() for v in base]
                values[i][idx] += d
                return _forward(program, values, center)[0]
            fd[idx] = _derivative(f, 1e-4 * max(1.0, abs(base[i][idx])))
        if not np.allclose(grads[i], fd, rtol=RTOL_FD, atol=RTOL_FD * scale):
            fd = _refined(program, base, center, i, fd)
        _close(grads[i], fd, RTOL_FD, scale, f"gradient of {program.leaves[i].name} vs finite differences")


def _refined(program: Program, base: list[np.ndarray], center: dict[str, Any], i: int,
             first: np.ndarray) -> np.ndarray:
    """Finite differences again with steps 8 and 64 times smaller, for a
    program that changes fast at this point (sin(x**-4.5) at x = 0.25 turns
    0.9 rad across the first stencil, so its error is not O(h**4) small).
    The two estimates must agree with each other before the smaller one is
    the reference; if they do not, finite differences cannot resolve the
    point and the case is discarded, as at a kink."""
    out = np.zeros_like(first)
    for idx in np.ndindex(*first.shape):
        def f(d: float, idx: Any = idx) -> float:
            values = [v.copy() for v in base]
            values[i][idx] += d
            return _forward(program, values, center)[0]
        h = 1e-4 * max(1.0, abs(base[i][idx]))
        coarse, fine = _derivative(f, h / 8), _derivative(f, h / 64)
        # (the error is O(h**4): agreeing within RTOL_FD puts the fine one 4096 times closer)
        if not np.isclose(coarse, fine, rtol=RTOL_FD, atol=0.0):
            raise NotSmoothError()
        out[idx] = fine
    return out


# ---------------------------------------------------------------- closed forms

def flatten_expr(e: Any) -> list[Any]:
    if isinstance(e, sympy.NDimArray):
        return list(sympy.flatten(e.tolist())) if e.shape else [e[()]]
    return [e]


def _round(e: Any) -> bool:
    return isinstance(e, AppliedUndef) and e.func.__name__ == "round"


def evaluate_at(exprs: list[Any], point: dict[Any, float]) -> np.ndarray:
    """Closed forms evaluated at a point by substituting numbers (SymPy
    evaluates as it rebuilds), then each distinct subexpression once
    (``_evaluate_shared``).  Not ``lambdify``: it replaces non-identifier
    symbols (``x0[0, 1]``) by dummies, and rebuilding a 9-argument ``Max``
    that way takes SymPy half a minute."""
    subs = {s: sympy.Float(v, 17) for s, v in point.items()}
    out = []
    for e in exprs:
        try:
            v = _evaluate_shared(sympy.sympify(e).xreplace(subs))
        except TypeError:
            # SymPy rebuilds every branch of a lifted condition, ITE(x > 20, log(x) > 20, ...),
            # and refuses to compare log(0) = zoo in the one that does not apply (seed 61):
            # symgrad.verify's interpreter evaluates only the branch that applies
            from symgrad.verify.numbers import evaluate_at as interpret

            out.append(float(interpret(e, point).real))
            continue
        out.append(float(sympy.re(v.evalf(17))))
    return np.array(out)


DIGITS = 40   # working precision of ``_evaluate_shared`` (a double has 17 digits)


def _evaluate_shared(root: Any) -> Any:
    """``root`` (its symbols replaced by numbers) with every subexpression
    evaluated bottom-up, each distinct one once, at ``DIGITS`` digits.
    SymPy's own ``evalf`` walks the tree without sharing subexpressions and
    raises its precision where terms cancel: the gradient of four nested
    ``gelu`` (``x*(1 + erf(x/sqrt(2)))/2`` reads ``x`` twice and cancels for
    ``x < 0``) took minutes (long fuzz, seed 71).  ``round()``, which prints
    as an undefined function, is NumPy's rounding of its evaluated argument."""
    done: dict[Any, Any] = {}
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        e, ready = stack.pop()
        if e in done:
            continue
        if not e.args:
            done[e] = e.evalf(DIGITS) if isinstance(e, sympy.NumberSymbol) else e
            continue
        if not ready:
            stack.append((e, True))
            stack.extend((a, False) for a in e.args if a not in done)
            continue
        args = [done[a] for a in e.args]
        v = e.func(*args) if any(n is not o for n, o in zip(args, e.args)) else e
        if _round(v) and isinstance(v.args[0], sympy.Number):
            v = sympy.Float(np.round(float(v.args[0])), DIGITS)
        elif isinstance(v, sympy.Expr) and v.args and all(isinstance(a, sympy.Number) for a in v.args):
            v = v.evalf(DIGITS)  # (sqrt(2), erf(sqrt(2)*x/2)...: numbers that SymPy keeps exact)
        done[e] = v
    return done[root]


def _check_closed_form(program: Program, leaves: list[Any], loss: Any, grads: list[np.ndarray],
                       wanted: list[int], used: list[int], scale: float, report: Report) -> None:
    try:
        symbols = [s for i in wanted for s in flatten_expr(leaves[i].expr)]
        exprs = [flatten_expr(loss.expr)[0]] + [e for i in used for e in flatten_expr(leaves[i].grad.expr)]
    except symgrad.ExpressionTooLargeError as e:  # documented limit, with its message naming compact()
        assert "compact()" in str(e)
        report.skipped["closed_form"] = "expression too large"
        return
    point = dict(zip(symbols, [float(v) for i in wanted for v in program.leaves[i].value.reshape(-1)]))
    got = evaluate_at(exprs, point)
    _close(got[:1], np.array([float(loss._value)]), RTOL_CLOSED, max(1.0, abs(float(loss._value))),
           "loss.expr evaluated at the point vs the loss")
    numeric = np.concatenate([grads[i].reshape(-1) for i in used] or [np.zeros(0)])
    _close(got[1:], numeric, RTOL_CLOSED, scale, "closed-form gradient evaluated at the point vs numeric gradient")
    report.checks.add("closed_form")


# ---------------------------------------------------------------- PyTorch

def _check_torch(program: Program, torch: Any, leaves: list[Any], loss: Any, nodes: dict[str, Any],
                 scale: float) -> None:
    tleaves = program.make_leaves(torch)
    tloss, tnodes = program.run(torch, "torch", tleaves)
    for name, t in nodes.items():
        want = tnodes[name].detach().numpy()
        assert t._value.shape == want.shape, f"{name}: shape {t._value.shape} vs PyTorch's {want.shape}"
        assert t._value.dtype == want.dtype, f"{name}: dtype {t._value.dtype} vs PyTorch's {want.dtype}"
        _close(t._value, want, RTOL_ENGINES, max(1.0, float(np.max(np.abs(want), initial=0.0))),
               f"value of {name} vs PyTorch")
    assert loss.requires_grad == tloss.requires_grad
    tloss.backward()
    for leaf, t, tt in zip(program.leaves, leaves, tleaves):
        if not leaf.requires_grad:
            continue
        assert (t.grad is None) == (tt.grad is None), f"{leaf.name}.grad is None in one library only"
        if tt.grad is not None:
            _close(t.grad._value, tt.grad.numpy(), RTOL_ENGINES, scale, f"gradient of {leaf.name} vs PyTorch")


# ---------------------------------------------------------------- second order

def _directions(program: Program, wanted: list[int]) -> list[np.ndarray]:
    rng = np.random.default_rng(len(program.steps))
    return [rng.uniform(-1, 1, program.leaves[i].value.shape) for i in wanted]


def _gradients(module: Any, dialect: str, program: Program, values: list[np.ndarray] | None, wanted: list[int],
               create_graph: bool) -> tuple[list[Any], list[Any]]:
    leaves = program.make_leaves(module, values)
    loss, _ = program.run(module, dialect, leaves)
    xs = [leaves[i] for i in wanted]
    return xs, list(module.autograd.grad(loss, xs, create_graph=create_graph, allow_unused=True,
                                         materialize_grads=True))


def _hvp(module: Any, dialect: str, program: Program, wanted: list[int], u: list[np.ndarray]) -> tuple[list, list]:
    xs, grads = _gradients(module, dialect, program, None, wanted, create_graph=True)
    directional = sum((g * module.tensor(ui, dtype=module.float64)).sum() for g, ui in zip(grads, u))
    if not directional.requires_grad:  # every second derivative vanishes
        return grads, [np.zeros_like(ui) for ui in u]
    hs = module.autograd.grad(directional, xs, allow_unused=True, materialize_grads=True)
    return grads, [np.array(h.detach().numpy(force=True)) for h in hs]  # force: PyTorch may give a ZeroTensor


def _check_second_order(program: Program, torch: Any, grads: list[np.ndarray], wanted: list[int],
                        scale: float) -> list[np.ndarray]:
    u = _directions(program, wanted)
    tensor_mode, hvp = _hvp(symgrad, "symgrad", program, wanted, u)
    for i, g in zip(wanted, tensor_mode):
        _close(g._value, grads[i], RTOL_ENGINES, scale,
               f"gradient of {program.leaves[i].name} with create_graph=True vs without")
    hscale = max([1.0] + [float(np.max(np.abs(h), initial=0.0)) for h in hvp])
    if torch is not None:
        _, thvp = _hvp(torch, "torch", program, wanted, u)
        for i, h, th in zip(wanted, hvp, thvp):
            _close(h, th, RTOL_ENGINES, hscale, f"Hessian-vector product for {program.leaves[i].name} vs PyTorch")
    base = [leaf.value for leaf in program.leaves]
    _, center = _forward(program, base, None)

    def directional_gradient(d: float) -> np.ndarray:
        values = [v.copy() for v in base]
        for i, ui in zip(wanted, u):
            values[i] = values[i] + d * ui
        _forward(program, values, center)  # raises NotSmoothError off the branch
        _, gs = _gradients(symgrad, "symgrad", program, values, wanted, create_graph=False)
        return np.concatenate([g._value.reshape(-1) for g in gs])

    fd = _derivative(directional_gradient, 1e-4)
    _close(np.concatenate([h.reshape(-1) for h in hvp]), fd, RTOL_FD, hscale,
           "Hessian-vector product vs finite differences of the gradient")
    return hvp


# ---------------------------------------------------------------- function transforms

def _check_transforms(program: Program, grads: list[np.ndarray], wanted: list[int], scale: float,
                      hvp: list[np.ndarray] | None) -> None:
    """``symgrad.grad``, ``jvp`` and ``hvp`` of the program as a function of its leaves."""
    def f(*leaves: Any) -> Any:
        return program.run(symgrad, "symgrad", list(leaves))[0]

    primals = tuple(symgrad.tensor(leaf.value) for leaf in program.leaves)
    gs = symgrad.grad(f, argnums=tuple(wanted))(*primals)
    for i, g in zip(wanted, gs):
        _close(g._value, grads[i], RTOL_ENGINES, scale, f"symgrad.grad for {program.leaves[i].name}")
    u = dict(zip(wanted, _directions(program, wanted)))
    tangents = tuple(symgrad.tensor(u.get(i, np.zeros_like(leaf.value))) for i, leaf in enumerate(program.leaves))
    _, jv = symgrad.jvp(f, primals, tangents)
    directional = sum(float(np.sum(grads[i] * u[i])) for i in wanted)
    _close(np.asarray(jv._value), np.asarray(directional), RTOL_ENGINES, scale * max(1.0, len(u)),
           "symgrad.jvp vs the gradient along the direction")
    if hvp is not None:
        _, hv = symgrad.hvp(f, primals, tangents)
        hscale = max([1.0] + [float(np.max(np.abs(h), initial=0.0)) for h in hvp])
        for k, i in enumerate(wanted):
            _close(hv[i]._value, hvp[k], RTOL_ENGINES, hscale, f"symgrad.hvp for {program.leaves[i].name}")


# ---------------------------------------------------------------- generated code

def codegen_backends() -> tuple[str, ...]:
    """The backends whose generated code is checked: NumPy in every run; in
    the long profile also Python's ``math`` (one line per element, Python
    floats) and C, compiled (each program is a compiler run, about 0.2 s:
    too slow for the normal test run)."""
    return ("numpy", "math", "c") if is_long() else ("numpy",)


def c_compiler() -> str | None:
    from symgrad.codegen.backends.c import compiler

    return compiler()


def _argument(value: np.ndarray, backend: str) -> Any:
    """A leaf's value as the backend's code takes it: arrays for NumPy and C,
    Python floats and nested lists for ``math``."""
    return value.tolist() if backend == "math" else value


def _check_codegen(program: Program, value: float, grads: list[np.ndarray], used: list[int], scale: float,
                   hvp: list[np.ndarray] | None, backend: str = "numpy") -> bool:
    """``symgrad.gradient_function`` in ``backend``: value, gradient and Hessian.
    False if generation refuses the program, as it must when the program selects
    elements at positions chosen by values (the generated code would reuse them)."""
    if not used:
        return True
    leaves = program.make_leaves(symgrad)
    loss, _ = program.run(symgrad, "symgrad", leaves)
    try:
        fn = symgrad.gradient_function(loss, [leaves[i] for i in used], hessian=hvp is not None, backend=backend,
                                       compile=backend == "c")
    except symgrad.codegen.CodegenError as e:
        if "positions chosen by the values" in str(e):
            return False
        raise
    # the function takes wrt, then any other leaf the loss reads (one used only in a mask, say)
    position = {id(t): i for i, t in enumerate(leaves)}
    got = fn(*[_argument(program.leaves[position[id(t)]].value, backend) for t in fn.inputs])
    what = f"generated code ({backend})"
    _close(np.asarray(got[0]), np.asarray(value), RTOL_CLOSED, max(1.0, abs(value)), f"{what}'s value")
    for i, g in zip(used, got[1]):
        _close(np.asarray(g), grads[i], RTOL_CLOSED, scale, f"{what}'s gradient of {program.leaves[i].name}")
    if hvp is not None:
        u = _directions(program, used)
        hscale = max([1.0] + [float(np.max(np.abs(h), initial=0.0)) for h in hvp])
        for k, (i, row) in enumerate(zip(used, got[2])):
            hu = sum(np.tensordot(np.asarray(block), uj, axes=uj.ndim) for block, uj in zip(row, u))
            _close(np.asarray(hu, dtype=float), hvp[k], RTOL_CLOSED, hscale,
                   f"{what}: Hessian times a direction, for {program.leaves[i].name}")
    return True
