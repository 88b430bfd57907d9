"""``verify_gradient`` and ``assert_gradient``: is a hand-derived gradient
right, and if not, where does it differ?

For each variable: symgrad's closed form (from its own derivative rules),
an attempt to prove the hand derivation equal or different (SymPy
simplification), and a comparison at random points of the domain, which
gives the largest differences and, on a mismatch, a counterexample.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad import grad_mode
from symgrad._tensor import Tensor, _term_or_const
from symgrad.autograd import engine
from symgrad.functional import arguments
from symgrad.symbolic import reads
from symgrad.symbolic.terms import Leaf
from symgrad.verify import proof, sampling
from symgrad.verify.expected import Expected, read_expected
from symgrad.verify.report import (
    NOT_COMPARED,
    NUMERICALLY_EQUAL,
    PROVED_DIFFERENT,
    PROVED_EQUAL,
    Counterexample,
    GradientReport,
    VariableCheck,
)
from symgrad.verify.variables import SymbolTable, symbol_table

__all__ = ["verify_gradient", "assert_gradient"]


def verify_gradient(f: Any, wrt: Any, expected: Any, *, points: int = 20, seed: int = 0, rtol: float = 1e-8,
                    atol: float = 1e-10) -> GradientReport:
    """Check a hand-derived gradient against symgrad's.

    ``f``: a scalar tensor computed from ``wrt``, or a Python function called
    as ``f(*wrt)``.  ``wrt``: a tensor or a list of tensors.  ``expected``:
    one entry per variable (a list, or a dict by name); each a SymPy
    expression (plain symbols are matched to f's variables by name), a
    formula string such as ``"2*x*y"`` (read by a safe parser, never
    executed), a list of those for an array variable, or a Python function
    of the variables (by name) returning numbers.

    >>> import symgrad
    >>> x = symgrad.tensor(2., requires_grad=True)
    >>> y = symgrad.tensor(3., requires_grad=True)
    >>> report = symgrad.verify_gradient(x * x * y, [x, y], ["2*x*y", "x*x"])
    >>> bool(report), report["x"].verdict
    (True, 'proved equal')
    >>> bad = symgrad.verify_gradient(x * x * y, x, "x*y")
    >>> bad["x"].verdict, bad["x"].factor, str(bad["x"].difference)
    ('proved different', 2, 'x*y')
    """
    if not isinstance(points, int) or points < 1:
        raise ValueError(f"verify_gradient: points must be a positive int, got {points!r}")
    out, variables, single = _function_and_variables(f, wrt)
    refuse_positions_chosen_by_values([out], "verify_gradient: f")
    if isinstance(f, Tensor):  # (a function was traced with such reads refused)
        reads.warn_if_decided({v._content.uid for v in variables if isinstance(v._content, Leaf)},
                              "verify_gradient", reads.FOR_CHECK)
    grads = _gradients(out, variables)
    table = symbol_table([_term_or_const(out), *(_term_or_const(v) for v in variables)])
    items = _match(expected, variables, single)
    forward = out.expr
    checks = []
    for v, g, item in zip(variables, grads, items):
        what = f"expected gradient for {v.name}"
        exp = read_expected(item, tuple(v.shape), table, what)
        checks.append(_check(str(v.name), g.expr, exp, forward, table, points, seed, rtol, atol))
    return GradientReport(forward, checks)


def assert_gradient(f: Any, wrt: Any, expected: Any, *, require_proof: bool = False, **options: Any) -> GradientReport:
    """``verify_gradient`` for tests: raises ``AssertionError`` with the report
    as the message unless everything matches (and, with ``require_proof``,
    was proved equal).  Returns the report.

    >>> import symgrad
    >>> w = symgrad.tensor(0.5, requires_grad=True)
    >>> symgrad.assert_gradient(symgrad.sigmoid(w), w, "sigmoid(w)*(sigmoid(w) - 1)")
    Traceback (most recent call last):
    ...
    AssertionError: Gradient check of f = 1/(1 + exp(-w)): MISMATCH
    ...
    """
    report = verify_gradient(f, wrt, expected, **options)
    if not report.ok or (require_proof and not report.proved):
        raise AssertionError(str(report))
    return report


# ---------------------------------------------------------------- inputs

def _function_and_variables(f: Any, wrt: Any) -> tuple[Tensor, list[Tensor], bool]:
    single = isinstance(wrt, Tensor)
    items = [wrt] if single else list(wrt) if isinstance(wrt, (list, tuple)) else None
    if not items or not all(isinstance(t, Tensor) for t in items):
        raise TypeError(f"verify_gradient: wrt must be a tensor or a non-empty list of tensors, got "
                        f"{type(wrt).__name__}")
    if isinstance(f, Tensor):
        for t in items:
            if not (t.requires_grad and t.is_leaf):
                raise RuntimeError("verify_gradient: each variable in wrt must be a leaf tensor that requires grad "
                                   "(created with requires_grad=True before f was computed); or pass f as a Python "
                                   "function, f(*wrt)")
        out, variables = f, items
    elif callable(f):
        made = arguments.make_variables(f, tuple(items), tuple(range(len(items))), "verify_gradient", tracked=False)
        with grad_mode.enable_grad(), reads.tracing(reads.FOR_CHECK):
            out = f(*made.args)
        variables = made.flat
        if not isinstance(out, Tensor):
            raise TypeError(f"verify_gradient: the function must return a scalar tensor, got {type(out).__name__}")
    else:
        raise TypeError(f"verify_gradient: f must be a scalar tensor or a Python function, got {type(f).__name__}")
    if out.numel() != 1:
        raise ValueError(f"verify_gradient: f must be a scalar (a loss), got shape {list(out.shape)}; verify each "
                         "component, or use symgrad.jacobian for the full Jacobian")
    return out.reshape(()), variables, single


def _gradients(out: Tensor, variables: list[Tensor]) -> list[Tensor]:
    if not out.requires_grad:
        return [Tensor._make(np.zeros_like(v._value)) for v in variables]
    with grad_mode.enable_grad(), engine.needs_graph("verify_gradient"):
        return list(engine.grad(out, variables, retain_graph=True, allow_unused=True, materialize_grads=True))


def _match(expected: Any, variables: list[Tensor], single: bool) -> list[Any]:
    names = [v.name for v in variables]
    if isinstance(expected, dict):
        by_name = {(k.name if isinstance(k, Tensor) else k): v for k, v in expected.items()}
        unknown = [k for k in by_name if k not in names]
        if unknown:
            raise ValueError(f"verify_gradient: expected has an entry for {unknown[0]!r}, which is not among the "
                             f"variables in wrt ({', '.join(map(str, names))})")
        missing = [n for n in names if n not in by_name]
        if missing:
            raise ValueError(f"verify_gradient: expected has no entry for {missing[0]!r}; give one per variable")
        return [by_name[n] for n in names]
    if single:
        return [expected]
    if not isinstance(expected, (list, tuple)) or len(expected) != len(variables):
        got = len(expected) if isinstance(expected, (list, tuple)) else f"a {type(expected).__name__}"
        raise ValueError(f"verify_gradient: expected must have one entry per variable in wrt ({len(variables)}: "
                         f"{', '.join(map(str, names))}), or be a dict by name; got {got}")
    return list(expected)


def refuse_positions_chosen_by_values(tensors: list[Tensor], what: str) -> None:
    """Refuse graphs that select at positions chosen by values (ops/positions.py):
    their closed forms hold the positions chosen at the current values, so
    comparing them at the other sample points would report a difference (or
    an agreement) that says nothing about the derivation."""
    from symgrad.codegen.graph import post_order
    from symgrad.ops.positions import term_holds_picked

    if any(term_holds_picked(t) for t in post_order([_term_or_const(t) for t in tensors])):
        raise ValueError(f"{what} selects elements at positions chosen by the values of the "
                         "variables (a mask such as x[x < 0] = 0, sort, argsort, topk, an argmax used as an "
                         "index); its closed form holds the positions chosen at the current values and is wrong "
                         "at the other points compared. Write the selection so that it is decided by the values: "
                         "g * (x > 0), where(x < 0, 0, g), clamp, relu, max/min (with dim); or compare numbers "
                         "with symgrad.gradcheck")


# ---------------------------------------------------------------- one variable

def _check(name: str, ours_public: Any, exp: Expected, forward: Any, table: SymbolTable, n: int, seed: int,
           rtol: float, atol: float) -> VariableCheck:
    ours = _internal(ours_public)
    check = VariableCheck(name, ours_public, exp.shown, NOT_COMPARED)
    proofs = _proofs(ours, exp.symbolic) if exp.symbolic is not None else None
    samples = sampling.compare(ours, exp.symbolic, exp.function, forward, table, n, seed)
    check.points = len(samples)
    _differences(check, samples, rtol, atol)
    if proofs is not None and all(p is True for p in proofs):
        check.verdict = PROVED_EQUAL
    elif check.counterexample is not None or (proofs is not None and any(p is False for p in proofs)):
        check.verdict = PROVED_DIFFERENT
        if exp.symbolic is not None:
            _explain(check, ours, exp.symbolic)
    elif samples:
        check.verdict = NUMERICALLY_EQUAL.format(n=len(samples))
    else:
        check.notes.append("no point was found where f, its gradient and the hand derivation are all finite and "
                           "real; check the expected gradient's domain")
    if 0 < len(samples) < n:
        check.notes.append(f"only {len(samples)} of {n} sample points lie in the common domain")
    return check


def _internal(v: Any) -> Any:
    """SymPy Arrays as object arrays, so both sides compare element by element."""
    import sympy

    if isinstance(v, sympy.NDimArray):
        return np.array(v.tolist(), dtype=object)
    return v


def _proofs(ours: Any, theirs: Any) -> list[bool | None]:
    pairs = zip(np.asarray(ours, dtype=object).reshape(-1), np.asarray(theirs, dtype=object).reshape(-1))
    return [proof.prove_zero(proof.exact(a) - proof.exact(b)) for a, b in pairs]


def _differences(check: VariableCheck, samples: list[sampling.Sample], rtol: float, atol: float) -> None:
    """Largest differences over the samples, and a counterexample: the first
    mismatching point (the variables' current values when they mismatch),
    at its most different element."""
    check.max_abs = check.max_rel = 0.0 if samples else None
    for s in samples:
        diff = np.abs(s.ours - s.theirs)
        scale = np.maximum(np.abs(s.ours), np.abs(s.theirs))
        rel = np.where(scale > 0, diff / np.where(scale > 0, scale, 1), 0.0)
        check.max_abs = max(check.max_abs or 0.0, float(diff.max(initial=0)))
        check.max_rel = max(check.max_rel or 0.0, float(rel.max(initial=0)))
        bad = diff > atol + rtol * scale
        if bad.any() and check.counterexample is None:
            check.counterexample = _counterexample(s, int(np.argmax(np.where(bad, rel, -1))))


def _counterexample(s: sampling.Sample, flat: int) -> Counterexample:
    index = tuple(int(k) for k in np.unravel_index(flat, s.ours.shape)) if s.ours.ndim else ()
    point = {str(sym): _decimal(val) for sym, val in sorted(s.point.items(), key=lambda kv: str(kv[0]))}
    return Counterexample(point, index, float(s.ours.reshape(-1)[flat]), float(s.theirs.reshape(-1)[flat]))


def _decimal(v: Any) -> str:
    """Sample values are short decimals: show them as such (0.346, not 173/500)."""
    f = float(v)
    return str(int(f)) if f.is_integer() else repr(f)


def _explain(check: VariableCheck, ours: Any, theirs: Any) -> None:
    a = np.asarray(ours, dtype=object)
    b = np.asarray(theirs, dtype=object)
    d = np.empty(a.shape, dtype=object)
    for idx in np.ndindex(*a.shape):
        d[idx] = proof.simplified(proof.exact(a[idx]) - proof.exact(b[idx]))
    import sympy

    check.difference = d[()] if d.ndim == 0 else sympy.Array(d.tolist())
    check.factor = proof.constant_factor(_exact_all(a), _exact_all(b))


def _exact_all(a: np.ndarray) -> np.ndarray:
    out = np.empty(a.shape, dtype=object)
    for idx in np.ndindex(*a.shape):
        out[idx] = proof.exact(a[idx])
    return out
