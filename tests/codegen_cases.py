"""Representative graphs for every op of the op table, for the code
generation tests.

The core's op spec table (``tests/op_specs.py``) is being written in
parallel; until the codegen tests can run its rows, each case here builds a
small graph that uses one op (and, through its derivative rule, the ops its
gradient needs) on inputs inside the op's domain.  ``test_cases_cover_the_op_table``
checks that together they reach every op.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import symgrad

_rng = np.random.default_rng(7)


def U(lo: float, hi: float, shape: tuple[int, ...] = (2, 3)) -> np.ndarray:
    return _rng.uniform(lo, hi, shape)


@dataclass
class Case:
    """``make(*leaves)`` builds the output from leaves holding ``args``; leaves
    of floating arrays require grad (unless ``grad`` is False), others are named
    constants.  ``tol`` is the relative tolerance against the engine."""

    name: str
    make: Callable[..., Any]
    args: tuple[Any, ...]
    grad: bool = True
    tol: float = 1e-9
    names: tuple[str, ...] = field(default=("x", "y", "z", "w"))
    scalar_code: bool = True  # False: element-by-element code refuses it (test_codegen_ops checks the refusal)
    c: bool = True  # False: C has no form of the function (refused; test_codegen_specs checks the refusal)

    def build(self) -> tuple[list[Any], list[Any], Any]:
        """(all leaves, leaves that require grad, output)."""
        leaves, grads = [], []
        for name, a in zip(self.names, self.args, strict=False):
            arr = np.asarray(a)
            t = symgrad.tensor(arr, dtype=_dtype(arr))
            if arr.dtype.kind == "f" and self.grad:
                t.requires_grad_()
                grads.append(t)
            t.name = name
            leaves.append(t)
        return leaves, grads, self.make(*leaves)


def _dtype(arr: np.ndarray) -> Any:
    return {"b": symgrad.bool, "i": symgrad.int64}.get(arr.dtype.kind, symgrad.float64)


def _unary(name: str, lo: float, hi: float) -> Case:
    fn = getattr(symgrad, name)
    return Case(name, lambda x: fn(x), (U(lo, hi),))


UNARY = [
    _unary("exp", -2, 2), _unary("exp2", -2, 2), _unary("log", 0.5, 2), _unary("log2", 0.5, 2),
    _unary("log10", 0.5, 2), _unary("log1p", -0.5, 2), _unary("expm1", -2, 2), _unary("sqrt", 0.5, 2),
    _unary("rsqrt", 0.5, 2), _unary("reciprocal", 0.5, 2), _unary("sin", -2, 2), _unary("cos", -2, 2),
    _unary("tan", -1, 1), _unary("asin", -0.9, 0.9), _unary("acos", -0.9, 0.9), _unary("atan", -2, 2),
    _unary("sinh", -2, 2), _unary("cosh", -2, 2), _unary("tanh", -2, 2), _unary("asinh", -2, 2),
    _unary("acosh", 1.5, 3), _unary("atanh", -0.9, 0.9), _unary("sigmoid", -3, 3), _unary("relu", -2, 2),
    _unary("abs", -2, 2), _unary("sign", -2, 2), _unary("erf", -2, 2), _unary("erfc", -2, 2),
    _unary("floor", -2.7, 2.7), _unary("ceil", -2.7, 2.7), _unary("round", -2.7, 2.7), _unary("trunc", -2.7, 2.7),
    _unary("frac", -2.7, 2.7),
    Case("softplus", lambda x: symgrad.softplus(x, beta=2.0), (U(-3, 3),)),
    # activations that are one op each (their rule multiplies g once: docs/pytorch.md)
    Case("gelu", lambda x: symgrad.nn.functional.gelu(x), (U(-4, 4),)),
    Case("gelu_tanh", lambda x: symgrad.nn.functional.gelu(x, approximate="tanh"), (U(-4, 4),)),
    Case("silu", lambda x: symgrad.nn.functional.silu(x), (U(-4, 4),)),
    Case("mish", lambda x: symgrad.nn.functional.mish(x), (U(-4, 4),)),
    Case("hardswish", lambda x: symgrad.nn.functional.hardswish(x), (U(-5, 5),)),
    # computed as written, the closed forms lose these values: log(1 + x) is 0 for x ~ 1e-18, log(1 + exp(x))
    # is inf above 710 and 0 below -37 (the factors make the small values count against the tolerance)
    Case("log1p_tiny", lambda x: symgrad.log1p(x) * 1e18, (U(-1e-18, 1e-18),)),
    Case("expm1_tiny", lambda x: symgrad.expm1(x) * 1e18, (U(-1e-18, 1e-18),)),
    Case("softplus_large", lambda x: symgrad.softplus(x, threshold=float("inf")), (U(700, 1000),)),
    Case("softplus_small", lambda x: symgrad.softplus(x, threshold=float("inf")) * 1e16, (U(-42, -38),)),
]

_EQUALISH = (np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), np.array([[1.0, 0.0, 3.0], [5.0, 5.0, 2.0]]))
_MASK = np.array([[True, False, True], [False, False, True]])
_MASK2 = np.array([[True, True, False], [False, True, True]])

BINARY = [
    Case("add", lambda x, y: x + y, (U(-2, 2), U(-2, 2, (3,)))),
    Case("sub", lambda x, y: x - y, (U(-2, 2, (2, 1)), U(-2, 2))),
    Case("mul", lambda x, y: x * y, (U(-2, 2), U(-2, 2))),
    Case("div", lambda x, y: x / y, (U(-2, 2), U(0.5, 2))),
    Case("neg", lambda x: -x, (U(-2, 2),)),
    Case("pow_scalar", lambda x: x ** 3 + x ** 2.5, (U(0.5, 2),)),
    Case("pow", lambda x, y: x ** y, (U(0.5, 2), U(-2, 2))),
    Case("remainder", lambda x, y: symgrad.remainder(x, y), (U(-3, 3), U(0.7, 1.3))),
    Case("floor_divide", lambda x, y: symgrad.floor_divide(x, y), (U(-3, 3), U(0.7, 1.3)), grad=False),
    Case("where", lambda c, x, y: symgrad.where(c, x, y), (_MASK, U(-2, 2), U(-2, 2)), names=("c", "x", "y")),
    Case("clamp", lambda x: symgrad.clamp(x, -0.5, 0.5), (U(-2, 2),)),
    Case("maximum", lambda x, y: symgrad.maximum(x, y), (U(-2, 2), U(-2, 2))),
    Case("minimum", lambda x, y: symgrad.minimum(x, y), (U(-2, 2), U(-2, 2))),
]

LOGIC = [
    Case(name, lambda x, y, fn=getattr(symgrad, name): fn(x, y), _EQUALISH, grad=False)
    for name in ("eq", "ne", "lt", "le", "gt", "ge")
] + [
    Case("logical_not", lambda a: symgrad.logical_not(a), (_MASK,), names=("a",)),
    Case("logical_and", lambda a, b: symgrad.logical_and(a, b), (_MASK, _MASK2), names=("a", "b")),
    Case("logical_or", lambda a, b: symgrad.logical_or(a, b), (_MASK, _MASK2), names=("a", "b")),
    Case("logical_xor", lambda a, b: symgrad.logical_xor(a, b), (_MASK, _MASK2), names=("a", "b")),
    Case("isnan", lambda x: symgrad.isnan(x), (np.array([1.0, np.nan, np.inf]),), grad=False),
    Case("isinf", lambda x: symgrad.isinf(x), (np.array([1.0, np.nan, -np.inf]),), grad=False),
    Case("isfinite", lambda x: symgrad.isfinite(x), (np.array([1.0, np.nan, np.inf]),), grad=False),
    Case("all", lambda a: symgrad.all(a, 1), (_MASK,), names=("a",)),
    Case("any", lambda a: symgrad.any(a, 0, keepdim=True), (_MASK,), names=("a",)),
]

REDUCTIONS = [
    Case("sum", lambda x: symgrad.sum(x, 1, keepdim=True) * symgrad.sum(x), (U(-2, 2),)),
    Case("mean", lambda x: symgrad.mean(x, 0), (U(-2, 2),)),
    Case("prod", lambda x: symgrad.prod(x, 1), (U(0.5, 1.5),)),
    Case("prod_others", lambda x: symgrad.prod(x), (U(0.5, 1.5),)),
    Case("amax", lambda x: symgrad.amax(x, 1), (U(-2, 2),)),
    Case("amin", lambda x: symgrad.amin(x), (U(-2, 2),)),
    Case("max_all", lambda x: symgrad.max(x), (U(-2, 2),)),
    Case("min_all", lambda x: x.min() * symgrad.max(x, 0).values, (U(-2, 2),)),
    Case("max_dim", lambda x: symgrad.max(x, 1).values, (U(-2, 2),)),
    Case("min_dim", lambda x: symgrad.min(x, 0, keepdim=True).values, (U(-2, 2),)),
    Case("argmax", lambda x: symgrad.argmax(x, 1), (U(-2, 2),), grad=False),
    Case("argmin", lambda x: symgrad.argmin(x), (U(-2, 2),), grad=False),
    Case("logsumexp", lambda x: symgrad.logsumexp(x, 1), (U(-2, 2),)),
    Case("var", lambda x: x.var(1), (U(-2, 2),)),
    Case("lerp", lambda x, y, w: symgrad.lerp(x, y, w), (U(-2, 2), U(-2, 2), U(-0.5, 1.5))),
    Case("lerp_scalar", lambda x, y: x.lerp(y, 0.3), (U(-2, 2), U(-2, 2))),
    Case("std_all", lambda x: x.std(correction=0, keepdim=True), (U(-2, 2),)),
    Case("softmax", lambda x: symgrad.softmax(x, 1), (U(-2, 2),)),
    Case("log_softmax", lambda x: symgrad.log_softmax(x, 0), (U(-2, 2),)),
    # exp overflows (and underflows to 0/0) here: the code must shift by the largest element, as the engine does
    Case("logsumexp_large", lambda x: symgrad.logsumexp(x, 1), (U(-1600, 1600),)),
    Case("softmax_large", lambda x: symgrad.softmax(x, 1), (U(-1600, -800),)),
    Case("log_softmax_large", lambda x: symgrad.log_softmax(x, 0), (U(-1600, 1600),)),
    Case("cumsum", lambda x: symgrad.cumsum(x, 1), (U(-2, 2),)),
    Case("var", lambda x: symgrad.var(x, 1), (U(-2, 2),)),
]


def _grad_with_graph(x: Any) -> Any:
    (x * x * x).sum().backward(create_graph=True)
    return x.grad * 1.0  # x.grad's node is CopyBackwards: the op "copy"


def _scatter_through_view(a: Any, x: Any) -> Any:
    b = a * 1.0
    with symgrad.no_grad():
        b[0:1].mul_(x)  # writes through a view: the base's term becomes a _scatter_view
    return b


def _overwritten(x: Any) -> Any:
    y = x * 2.0
    y.fill_(1.5)  # the old values' history gets a zero gradient: the op "_overwritten"
    return y * x


SHAPES = [
    Case("view", lambda x: x.reshape(3, 2) * 2, (U(-2, 2),)),
    Case("permute", lambda x: x.permute(1, 0) @ x, (U(-2, 2),)),
    Case("expand", lambda x: x.expand(2, 2, 3) * symgrad.tensor(U(-1, 1, (2, 2, 3))), (U(-2, 2, (2, 1, 3)),)),
    Case("sum_to_size", lambda x, y: x * y, (U(-2, 2), U(-2, 2, (1, 3)))),
    Case("flip", lambda x: symgrad.flip(x, (1,)) * x, (U(-2, 2),)),
    Case("diagonal", lambda x: symgrad.diagonal(x, 1, 1, 0) ** 2 + symgrad.diagonal(x).sum(), (U(-2, 2, (3, 2)),)),
    Case("index", lambda x: x[0] * x[:, 1:].sum() + x[1, 2], (U(-2, 2),)),
    Case("index_backward", lambda x: x[np.array([0, 1, 1])] ** 2, (U(-2, 2),)),
    Case("index_mask", lambda x: x[_MASK] ** 2, (U(-2, 2),)),
    Case("index_put", lambda x, v: symgrad.index_put(x, (slice(None), 1), v) ** 2, (U(-2, 2), U(-2, 2, (2,))),
         names=("x", "v")),
    Case("cat", lambda x, y: symgrad.cat([x, y * 2], 1), (U(-2, 2), U(-2, 2, (2, 2)))),
    Case("stack", lambda x, y: symgrad.stack([x, y], 0), (U(-2, 2, (3,)), U(-2, 2, (3,)))),
    Case("clone", lambda x: symgrad.clone(x) * x, (U(-2, 2),)),
    Case("copy", _grad_with_graph, (U(-2, 2),)),
    Case("to_copy", lambda x: x.float() * 2, (U(-2, 2),), tol=1e-6),
    Case("to_discrete", lambda x: x.long() + (x > 0).double(), (U(-3, 3),), grad=False),
    Case("_scatter_view", _scatter_through_view, (U(-2, 2), U(-2, 2, (1, 3))), grad=False, names=("a", "x")),
    Case("_overwritten", _overwritten, (U(-2, 2),)),
]

LINALG = [
    Case("matmul", lambda x, y: x @ y, (U(-2, 2), U(-2, 2, (3, 2)))),
    Case("matmul_vec", lambda x, v: x @ v + v @ x.T, (U(-2, 2, (3, 3)), U(-2, 2, (3,))), names=("x", "v")),
    Case("matmul_batch", lambda x, y: x @ y, (U(-2, 2, (2, 2, 3)), U(-2, 2, (3, 2)))),
    Case("dot", lambda x, y: symgrad.dot(x, y), (U(-2, 2, (3,)), U(-2, 2, (3,)))),
    Case("addmm", lambda x, w, b: symgrad.addmm(b, x, w.T), (U(-2, 2), U(-2, 2, (4, 3)), U(-2, 2, (4,))),
         names=("x", "w", "b")),
    Case("linear", lambda x, w, b: symgrad.linear(x, w, b), (U(-2, 2), U(-2, 2, (4, 3)), U(-2, 2, (4,))),
         names=("x", "w", "b")),
    Case("linear_nobias", lambda x, w: symgrad.linear(x, w), (U(-2, 2), U(-2, 2, (4, 3))), names=("x", "w")),
    Case("mse_loss", lambda x, y: symgrad.mse_loss(x, y) + symgrad.mse_loss(x, y, "sum")
         + symgrad.mse_loss(x, y, "none").sum(), (U(-2, 2), U(-2, 2))),
]

# (last, so that their samples do not move the earlier cases' random values)
ADDED = [
    Case("fmod", lambda x, y: symgrad.fmod(x, y), (U(-3, 3), U(0.7, 1.3))),
    Case("nan_to_num", lambda x: symgrad.nan_to_num(x) * x, (U(-2, 2),)),
    Case("einsum", lambda x, y: symgrad.einsum("ij,kj->ik", x, y) + symgrad.einsum("ij->j", x).sum(),
         (U(-2, 2), U(-2, 2, (4, 3)))),
    Case("einsum_diagonal", lambda x: symgrad.einsum("ii->i", x) * symgrad.einsum("ii", x)
         + symgrad.einsum("ii,ii->i", x, x) + symgrad.einsum("iji->j", x.reshape(3, 1, 3)), (U(-2, 2, (3, 3)),)),
    Case("einsum_broadcast", lambda x, y: symgrad.einsum("ij,jk->ik", x, y) + symgrad.einsum("i,i", x[:, 0], y[0]),
         (U(-2, 2, (4, 1)), U(-2, 2, (3, 4)))),
]


def _square(n: int = 3) -> np.ndarray:
    return U(-1, 1, (n, n)) + n * np.eye(n)  # diagonally dominant: nonsingular, positive determinant


def _determinants(a: Any) -> Any:
    sign, logabs = symgrad.linalg.slogdet(a)
    return symgrad.linalg.det(a) + symgrad.logdet(a) + sign * logabs


# symgrad.linalg (last again, for the same reason)
MATRICES = [
    Case("det", _determinants, (_square(),), names=("a",)),
    Case("inv", lambda a: symgrad.linalg.inv(a) @ a.T, (_square(),), names=("a",)),
    Case("solve", lambda a, b: symgrad.linalg.solve(a, b), (_square(), U(-2, 2, (3, 2))), names=("a", "b")),
    Case("vector_norm", lambda x: symgrad.linalg.vector_norm(x, dim=1) + symgrad.linalg.vector_norm(x, 3, dim=1)
         + symgrad.linalg.vector_norm(x, float("inf"), dim=1), (U(-2, 2),)),
    Case("inv_ex", lambda a: symgrad.linalg.inv_ex(a).inverse * a, (_square(),), names=("a",)),
    Case("solve_ex", lambda a: symgrad.linalg.solve_ex(a, a[:, :1] * 2.0).result * a[0, 0], (_square(),), names=("a",)),
    Case("matrix_power", lambda a: symgrad.linalg.matrix_power(a, -3) + a.matrix_power(0), (_square(),),
         names=("a",)),
    Case("pinv", lambda a, b: symgrad.linalg.pinv(a) @ b + a.T @ symgrad.linalg.pinv(b.T, rtol=1e-3),
         (U(-1, 1, (2, 3)), U(-1, 1, (2, 4))), names=("a", "b"), scalar_code=False),
    Case("cholesky", lambda a: symgrad.linalg.cholesky(a + a.T) + symgrad.linalg.cholesky(a + a.T, upper=True),
         (_square(),), names=("a",)),
    Case("solve_triangular", lambda a, b: symgrad.linalg.solve_triangular(a, b, upper=True)
         + symgrad.linalg.solve_triangular(a, b.T, upper=False, left=False, unitriangular=True).T,
         (_square(), U(-2, 2, (3, 3))), names=("a", "b")),
    Case("qr", lambda a, b: symgrad.linalg.qr(a).Q.sum(0) + symgrad.linalg.qr(b, mode="complete").R.sum(0),
         (U(-1, 1, (3, 2)), U(-1, 1, (2, 2))), names=("a", "b"), scalar_code=False),
]
# (no case for linalg.eigh, svd: it has no closed form, and code generation refuses it - test_codegen_ops)

_INTEGERS = (np.array([[12, -18, 0], [7, 5, -4]]), np.array([[8, 12, 0], [3, -6, 10]]))

# functions of two tensors, special functions, integer functions, scans (last again)
MORE = [
    Case("atan2", lambda x, y: symgrad.atan2(x, y), (U(-2, 2), U(-2, 2))),
    Case("hypot", lambda x, y: symgrad.hypot(x, y), (U(-2, 2), U(-2, 2, (3,)))),
    Case("logaddexp", lambda x, y: symgrad.logaddexp(x, y) + symgrad.logaddexp2(y, x), (U(-2, 2), U(-2, 2))),
    Case("logaddexp2", lambda x: symgrad.logaddexp2(x, x * 2), (U(-2, 2),)),
    # log(exp(x) + exp(y)) as written is inf above 710 (2**x above 1024), and loses the sum's small part;
    # equal infinities are that infinity (numpy.logaddexp)
    Case("logaddexp_large", lambda x, y: symgrad.logaddexp(x, y) + symgrad.logaddexp2(y, x),
         (U(700, 1100), U(-1100, 1100))),
    Case("logaddexp_equal", lambda x: symgrad.logaddexp(x, x) + symgrad.logaddexp2(x, x), (U(-1100, 1100),)),
    Case("logaddexp_inf", lambda x, y: symgrad.logaddexp(x, y) + symgrad.logaddexp2(x, y),
         (np.array([np.inf, -np.inf, np.inf, 1.0]), np.array([np.inf, -np.inf, 2.0, -np.inf]))),
    Case("xlogy", lambda x, y: symgrad.xlogy(x, y) + symgrad.xlogy(2.0, y), (U(-2, 2), U(0.5, 2))),
    Case("copysign", lambda x, y: symgrad.copysign(x, y), (U(-2, 2), U(-2, 2))),
    Case("heaviside", lambda x, v: symgrad.heaviside(x, v), (np.array([[-1.0, 0.0, 2.0]]), np.array([0.5])),
         grad=False, names=("x", "v")),
    Case("nextafter", lambda x, y: symgrad.nextafter(x, y), (U(-2, 2), U(-2, 2)), grad=False),
    Case("signbit", lambda x: symgrad.signbit(x), (np.array([-1.0, -0.0, 0.0, 2.0]),), grad=False),
    Case("sinc", lambda x: symgrad.sinc(x), (U(-2, 2),)),
    Case("logit", lambda x: symgrad.logit(x) + symgrad.logit(x, eps=0.3), (U(0.1, 0.9),)),
    Case("cumprod", lambda x: symgrad.cumprod(x, 1) + symgrad.cumprod(x * 0, 0), (U(0.5, 1.5),)),
    Case("cumprod_long", lambda x: x.cumprod(1), (U(0.5, 1.5, (2, 10)),)),
    Case("logcumsumexp", lambda x: symgrad.logcumsumexp(x, 1), (U(-2, 2),)),
    Case("nansum", lambda x: symgrad.nansum(x, 1) + symgrad.nanmean(x), (np.array([[1.0, np.nan, 2.0]]),)),
    Case("lgamma", lambda x: symgrad.lgamma(x), (U(0.5, 3),), c=False),
    Case("digamma", lambda x: symgrad.digamma(x) + symgrad.polygamma(2, x), (U(0.5, 3),), tol=1e-8, c=False),
    Case("erfinv", lambda x: symgrad.erfinv(x), (U(-0.9, 0.9),), c=False),
    Case("i0", lambda x: symgrad.i0(x), (U(-2, 2),), c=False),
    # (the derivative in a is not implemented, as in PyTorch: a enters detached)
    Case("igamma", lambda a, x: symgrad.igamma(a.detach(), x) + symgrad.igammac(a.detach() + 1, x),
         (U(0.5, 3), U(0.2, 3)), names=("a", "x"), c=False),
    *[Case(n, lambda a, b, fn=getattr(symgrad, n): fn(a, b), _INTEGERS, grad=False, names=("a", "b"), c=False)
      for n in ("gcd", "lcm", "bitwise_and", "bitwise_or", "bitwise_xor")],
    Case("bitwise_not", lambda a: ~a, _INTEGERS[:1], grad=False, names=("a",), c=False),
]



def _lu_solves(lu: Any, b: Any) -> Any:
    """Every flag of linalg.lu_solve, and lu_unpack, with given pivots (constants: not chosen by values)."""
    pivots = symgrad.tensor([2, 3, 3], dtype=symgrad.int32)
    P, L, U = symgrad.lu_unpack(lu, pivots)
    return (symgrad.linalg.lu_solve(lu, pivots, b) + symgrad.linalg.lu_solve(lu, pivots, b, adjoint=True)
            + symgrad.linalg.lu_solve(lu, pivots, b.T, left=False).T
            + symgrad.linalg.lu_solve(lu, pivots, b.T, left=False, adjoint=True).T + (P @ L @ U)[:, :2])


# LU (last again): partial pivoting swaps rows of these samples; wide and tall factors too
LU = [
    Case("lu", lambda a, b, c: symgrad.linalg.lu_factor(a).LU + symgrad.linalg.lu(b).L @ symgrad.linalg.lu(c).U,
         (U(-1, 1, (3, 3)), U(-1, 1, (3, 2)), U(-1, 1, (2, 3))), names=("a", "b", "c"), scalar_code=False),
    Case("lu_solve", _lu_solves, (_square(), U(-2, 2, (3, 2))), names=("lu", "b")),
]

CASES = UNARY + BINARY + LOGIC + REDUCTIONS + SHAPES + LINALG + ADDED + MATRICES + MORE + LU
