"""The op spec table: one row per op (OpInfo / LAX_GRAD_OPS style).

Each row says how to call the op (symgrad and PyTorch), on which input
shapes (broadcast pairs included), inside which domain (away from kinks and
poles), with which tolerances, and which checks do not apply (with the
reason, as data).  ``covers`` names the op-table entries the row exercises;
``test_op_table_and_specs_agree`` insists every table entry is covered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import symgrad as sg
from symgrad.ops import shape as _shape

# domains: (low, high) for uniform samples; "nonzero" keeps |x| in [0.3, 2]
REAL = (-2.0, 2.0)
POS = (0.3, 2.5)
UNIT = (-0.9, 0.9)
NONZERO = "nonzero"

# square matrices, nonsingular: uniform(-1, 1) elements plus n on the diagonal
# (strictly diagonally dominant); INVERTIBLE also negates the first row of
# about half of them, so determinants of both signs are sampled
INVERTIBLE = "invertible"
POSITIVE_DET = "positive_det"


def draw(rng: Any, domain: Any, shape: tuple[int, ...]) -> Any:
    """Samples of ``domain`` (the op tests and the codegen tests draw the same way)."""
    import numpy as np

    if domain == NONZERO:
        return rng.uniform(0.3, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    if domain in (INVERTIBLE, POSITIVE_DET):
        n = shape[-1]
        v = rng.uniform(-1.0, 1.0, shape) + n * np.eye(n)
        if domain == INVERTIBLE:
            v[..., 0, :] *= rng.choice([-1.0, 1.0], shape[:-2] + (1,))
        return v
    return rng.uniform(domain[0], domain[1], shape)


UNARY = [((),), ((3,),), ((2, 3),)]
BINARY = [((), ()), ((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2,))]
MATRIX = [((3,),), ((2, 3),), ((2, 3, 2),)]


@dataclass
class Spec:
    name: str                                  # row id (also the op name when covers is empty)
    fn: Callable[..., Any]                     # symgrad: tensors -> tensor
    torch_fn: Callable[..., Any] | None        # the same in PyTorch (None: no equivalent)
    cases: list[tuple[tuple[int, ...], ...]]   # input shapes per case
    domain: Any = REAL                         # one domain, or a list with one per input
    covers: tuple[str, ...] = ()               # op-table names exercised (default: (name,))
    differentiable: bool = True                # False: results lie outside the graph
    second_order: bool = True
    forward_rtol: float = 1e-9                 # symbolic forward vs NumPy forward
    closed_form_rtol: float = 1e-9             # closed-form gradient vs numeric gradient
    skips: dict[str, str] = field(default_factory=dict)   # check name -> reason
    integer: bool = False                      # also compared with PyTorch on int64 inputs (value and dtype)

    @property
    def ops(self) -> tuple[str, ...]:
        return self.covers or (self.name,)

    def domain_of(self, i: int) -> Any:
        return self.domain[i] if isinstance(self.domain, list) else self.domain


def _t(name: str) -> Callable[..., Any]:
    """torch.<name> looked up when the torch check runs (torch is optional)."""
    def call(*args: Any, **kwargs: Any) -> Any:
        import torch

        return getattr(torch, name)(*args, **kwargs)
    return call


NO_SYMBOLIC_FORM = "its symbolic form is an undefined function (isnan(x)), not something to evaluate"
SYMPY_NO_DERIVATIVE = ("sympy.diff returns DiracDelta or an unevaluated Derivative(floor(x)) here; symgrad follows "
                       "PyTorch (0 almost everywhere), which the finite-difference and PyTorch checks confirm")
NO_SYMPY_ORACLE = {"closed_form": SYMPY_NO_DERIVATIVE}
# (the generated-code tests check that generation refuses these rows)
CHOSEN_BY_VALUES = {"codegen": "selects at positions chosen by the input's values: generated code would reuse the "
                               "traced positions at every input, so code generation refuses it"}


# Functions the scalar backends (math, C) have no form of: generation for them is refused, by name
# (tests/test_codegen_specs.py checks the refusal); NumPy (with SciPy), JAX and PyTorch generate them
_SCALAR_REFUSAL = ("the math and C backends have no digamma, polygamma, erfinv or i0 (nor lgamma's derivative, "
                   "digamma): generation is refused with a message naming them")
NO_SCALAR_SPECIAL = {"codegen_math": _SCALAR_REFUSAL, "codegen_c": _SCALAR_REFUSAL}
_INTEGER_REFUSAL = "code for the math and C backends computes with floats: integer functions are refused"
NO_SCALAR_INTEGER = {"codegen_math": _INTEGER_REFUSAL, "codegen_c": _INTEGER_REFUSAL}


def _tl(name: str) -> Callable[..., Any]:
    """torch.linalg.<name> looked up when the torch check runs."""
    def call(*args: Any, **kwargs: Any) -> Any:
        import torch

        return getattr(torch.linalg, name)(*args, **kwargs)
    return call


def _unary(name: str, domain: Any = REAL, **kw: Any) -> Spec:
    return Spec(name, getattr(sg, name), _t(name), UNARY, domain, **kw)


def _binary(name: str, domain: Any = REAL, **kw: Any) -> Spec:
    return Spec(name, getattr(sg, name), _t(name), BINARY, domain, **kw)


def _F() -> Any:
    import symgrad.nn.functional as F  # noqa: N812

    return F


def _seeded_dropout(x: Any) -> Any:
    # the same mask on every call (finite differences call the row many times)
    sg.manual_seed(0)
    return _F().dropout(x, 0.4)


def _scatter_through_view(x: Any) -> Any:
    y = x * 1.0
    with sg.no_grad():
        y[0].mul_(2.0)
    return y


def _torch_scatter_through_view(x: Any) -> Any:
    import torch

    y = x * 1.0
    with torch.no_grad():
        y[0].mul_(2.0)
    return y


def _overwritten(x: Any) -> Any:
    y = x * 2.0
    y.fill_(1.5)  # y's old values (and their history) are gone: zero gradient to x through them
    return y * x


def _torch_overwritten(x: Any) -> Any:
    y = x * 2.0
    y.fill_(1.5)
    return y * x


def _scatter_reduce_index(M: Any, x: Any) -> Any:
    """Groups of one, two and three src elements (and positions none is sent to)."""
    return M.tensor([[0, 2, 0], [3, 3, 3]] if x.ndim == 2 else [1, 1, 3, 1, 0])


def _scatter_reduce(reduce: str, include_self: bool) -> Spec:
    def ours(x: Any, s: Any) -> Any:
        return sg.scatter_reduce(x, -1, _scatter_reduce_index(sg, x), s, reduce, include_self=include_self)

    def theirs(x: Any, s: Any) -> Any:
        torch = __import__("torch")
        return torch.scatter_reduce(x, -1, _scatter_reduce_index(torch, x), s, reduce, include_self=include_self)

    table_op = {"prod": ("prod", "prod_others")}.get(reduce, (reduce,))
    return Spec(f"scatter_reduce_{reduce}" + ("" if include_self else "_no_self"), ours, theirs,
                [((2, 4), (2, 3)), ((4,), (5,))], covers=("index", "index_put", "cat", *table_op), integer=True)


def _running_stats(M: Any, like: Any) -> tuple[Any, Any]:
    """Running mean and variance of three channels, as constants (evaluation mode), in ``like``'s dtype."""
    return M.tensor([0.5, -0.25, 1.0], dtype=like.dtype), M.tensor([1.5, 0.5, 2.0], dtype=like.dtype)


# (the padding row's values are read, but by definition get no gradient: PyTorch's test is the oracle)
_PADDING = "the padding row gets no gradient by definition, although the output reads it"
PADDING_ROW = {"fd": _PADDING, "closed_form": _PADDING}

SQUARE = [((2, 2),), ((3, 3),), ((2, 3, 3),)]
SIGN_ORACLE = {"closed_form": "sympy.diff of sign(det(A)) is a DiracDelta; symgrad's derivative is 0 (PyTorch's), "
                              "which the finite-difference and PyTorch checks confirm"}
_linalg = sg.linalg


def _symmetric(a: Any) -> Any:
    """``a + a.mT``: eigh and pinv(hermitian=True) read one triangle and give PyTorch's symmetric
    gradient, which finite differences and sympy.diff see only through a symmetric input."""
    return a + a.transpose(-2, -1)


def _gauge_free(v: Any) -> Any:
    """Eigenvectors times their first components: unchanged when LAPACK flips a vector's sign
    (NumPy's LAPACK and PyTorch's may choose differently)."""
    return v * v[..., :1, :]


NO_CLOSED_FORM = {"symbolic_forward": "linalg.eigh has no closed form: .expr raises NoClosedFormError (tested in "
                                      "test_linalg.py)",
                  "closed_form": "linalg.eigh has no closed form, so neither have its gradients",
                  "codegen": "linalg.eigh has no closed form: code generation refuses it"}
_MATRIX_FUNCTIONS = [
    *[Spec(f"matrix_power_{name}", lambda a, n=n: _linalg.matrix_power(a, n),
           lambda a, n=n: _tl("matrix_power")(a, n), SQUARE, domain, covers=covers, integer=n >= 0)
      for name, n, domain, covers in [("3", 3, REAL, ("matmul",)), ("5", 5, REAL, ("matmul",)),
                                      ("neg_2", -2, INVERTIBLE, ("inv", "matmul", "permute")),
                                      ("1", 1, REAL, ("clone",)), ("0", 0, REAL, ("clone", "_overwritten"))]],
    Spec("matrix_power_method", lambda a: a.matrix_power(2), lambda a: a.matrix_power(2), SQUARE[:1],
         covers=("matmul",)),
    Spec("inv_ex", lambda a: _linalg.inv_ex(a).inverse, lambda a: _tl("inv_ex")(a).inverse, SQUARE, INVERTIBLE,
         covers=("inv_ex", "matmul", "permute")),
    Spec("pinv", _linalg.pinv, _tl("pinv"), [((2, 3),), ((3, 2),), ((3, 3),), ((2, 2, 3),)],
         covers=("pinv", "matmul", "permute", "neg", "add", "sub")),
    Spec("pinv_hermitian", lambda a: _linalg.pinv(_symmetric(a), hermitian=True),
         lambda a: _tl("pinv")(_symmetric(a), hermitian=True), SQUARE[:2], INVERTIBLE, covers=("pinv", "add")),
    Spec("pinverse_method", lambda a: a.pinverse(), lambda a: a.pinverse(), [((3, 2),)], covers=("pinv",)),
    Spec("eigvalsh", lambda a: _linalg.eigvalsh(_symmetric(a)), lambda a: _tl("eigvalsh")(_symmetric(a)), SQUARE,
         covers=("eigvalsh", "eigh_vectors", "matmul", "permute"), skips=NO_CLOSED_FORM),
    Spec("eigh_eigenvectors", lambda a: _gauge_free(_linalg.eigh(_symmetric(a)).eigenvectors),
         lambda a: _gauge_free(_tl("eigh")(_symmetric(a)).eigenvectors), SQUARE,
         covers=("eigh_vectors", "eigvalsh", "matmul", "div"), skips=NO_CLOSED_FORM),
    Spec("eigh_upper", lambda a: _linalg.eigh(_symmetric(a), UPLO="U").eigenvalues,
         lambda a: _tl("eigh")(_symmetric(a), UPLO="U").eigenvalues, SQUARE[:2], covers=("eigvalsh",),
         skips=NO_CLOSED_FORM),
]
_LINALG = [
    Spec("det", _linalg.det, _tl("det"), SQUARE, INVERTIBLE, covers=("det", "inv")),
    Spec("det_method", lambda a: a.det(), lambda a: a.det(), SQUARE[:1], INVERTIBLE, covers=("det", "inv")),
    Spec("inv", _linalg.inv, _tl("inv"), SQUARE, INVERTIBLE, covers=("inv", "matmul", "permute")),
    Spec("inverse_method", lambda a: a.inverse(), lambda a: a.inverse(), SQUARE[:1], INVERTIBLE, covers=("inv",)),
    Spec("solve", _linalg.solve, _tl("solve"),
         [((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (2, 3)), ((2, 3, 3), (3, 2)), ((2, 2), (3, 2, 1))],
         [INVERTIBLE, REAL], covers=("solve", "matmul", "permute")),
    Spec("slogdet_logabsdet", lambda a: _linalg.slogdet(a).logabsdet, lambda a: _tl("slogdet")(a).logabsdet,
         SQUARE, INVERTIBLE, covers=("logabsdet", "inv")),
    Spec("slogdet_sign", lambda a: sg.slogdet(a).sign, lambda a: __import__("torch").slogdet(a).sign,
         SQUARE, INVERTIBLE, covers=("det_sign",), skips=SIGN_ORACLE),
    Spec("logdet", sg.logdet, _t("logdet"), SQUARE, POSITIVE_DET, covers=("logdet", "inv")),
    Spec("vector_norm", _linalg.vector_norm, _tl("vector_norm"), MATRIX),
    Spec("vector_norm_dim", lambda x: _linalg.vector_norm(x, dim=-1, keepdim=True),
         lambda x: _tl("vector_norm")(x, dim=-1, keepdim=True), MATRIX, covers=("vector_norm",)),
    *[Spec(f"vector_norm_{name}", lambda x, p=p: _linalg.vector_norm(x, p, dim=0),
           lambda x, p=p: _tl("vector_norm")(x, p, dim=0), MATRIX, NONZERO, covers=("vector_norm",))
      for name, p in [("1", 1), ("inf", float("inf")), ("neg_inf", -float("inf")), ("3", 3), ("half", 0.5)]],
    Spec("vector_norm_0", lambda x: _linalg.vector_norm(x, 0), lambda x: _tl("vector_norm")(x, 0), MATRIX, NONZERO,
         covers=("ne", "sum", "to_copy"), differentiable=False),
    *[Spec(f"matrix_norm_{name}", lambda a, p=p: _linalg.matrix_norm(a, p),
           lambda a, p=p: _tl("matrix_norm")(a, p), [((2, 3),), ((2, 3, 2),)], NONZERO, covers=covers)
      for name, p, covers in [("fro", "fro", ("vector_norm",)), ("1", 1, ("abs", "sum", "amax", "view")),
                              ("inf", float("inf"), ("abs", "sum", "amax", "view")),
                              ("neg_1", -1, ("abs", "sum", "amin", "view"))]],
    Spec("linalg_norm", _linalg.norm, _tl("norm"), MATRIX, covers=("vector_norm",)),
    Spec("linalg_norm_matrix_inf", lambda a: _linalg.norm(a, float("inf")),
         lambda a: _tl("norm")(a, float("inf")), [((3, 2),)], NONZERO, covers=("abs", "sum", "amax", "view")),
    Spec("cross", _linalg.cross, _tl("cross"), [((3,), (3,)), ((2, 3), (1, 3)), ((2, 1, 3), (1, 4, 3))],
         covers=("index", "index_backward", "mul", "sub", "expand")),
    Spec("cross_dim", lambda x, y: _linalg.cross(x, y, dim=0), lambda x, y: _tl("cross")(x, y, dim=0),
         [((3, 2), (3, 2))], covers=("index", "mul", "sub")),
    *_MATRIX_FUNCTIONS,
]

SPECS: list[Spec] = [
    # ---- arithmetic
    _binary("add"), _binary("sub"), _binary("mul"),
    _binary("div", [REAL, NONZERO]),
    _binary("pow", [POS, REAL]),
    Spec("pow_scalar_int", lambda x: x ** 3, lambda x: x ** 3, UNARY, covers=("pow_scalar",)),
    Spec("pow_scalar_half", lambda x: x ** 0.5, lambda x: x ** 0.5, UNARY, POS, covers=("pow_scalar",)),
    Spec("pow_scalar_neg", lambda x: x ** -1.5, lambda x: x ** -1.5, UNARY, POS, covers=("pow_scalar",)),
    Spec("rpow", lambda x: 2 ** x, lambda x: 2 ** x, UNARY, covers=("pow",)),
    Spec("neg", lambda x: -x, lambda x: -x, UNARY, integer=True),
    _binary("remainder", [(1.1, 1.4), (0.75, 0.85)], skips=NO_SYMPY_ORACLE),
    Spec("floor_divide", sg.floor_divide, _t("floor_divide"), BINARY, [(1.1, 1.4), (0.75, 0.85)],
         differentiable=False),
    # ---- unary math
    _unary("exp"), _unary("exp2"), _unary("log", POS), _unary("log2", POS), _unary("log10", POS),
    _unary("log1p", (-0.5, 2.0)), _unary("expm1"), _unary("sqrt", POS), _unary("rsqrt", POS),
    _unary("reciprocal", NONZERO), _unary("sin"), _unary("cos"), _unary("tan", (-1.2, 1.2)),
    _unary("asin", UNIT), _unary("acos", UNIT), _unary("atan"), _unary("sinh"), _unary("cosh"),
    _unary("tanh"), _unary("asinh"), _unary("acosh", (1.1, 3.0)), _unary("atanh", UNIT),
    _unary("sigmoid"), _unary("relu", NONZERO, integer=True), _unary("abs", NONZERO, integer=True),
    _unary("sign", NONZERO, skips=NO_SYMPY_ORACLE, integer=True),
    _unary("erf"), _unary("erfc"),
    *[_unary(n, (0.1, 0.4), skips=NO_SYMPY_ORACLE, integer=n != "frac") for n in ("floor", "ceil", "trunc", "round", "frac")],
    Spec("softplus", sg.softplus, lambda x: __import__("torch").nn.functional.softplus(x), UNARY),
    Spec("softplus_beta", lambda x: sg.softplus(x, beta=2.0, threshold=3.0),
         lambda x: __import__("torch").nn.functional.softplus(x, beta=2.0, threshold=3.0), UNARY, (-1.0, 1.0),
         covers=("softplus",)),
    Spec("clamp", lambda x: sg.clamp(x, -0.5, 0.5), lambda x: x.clamp(-0.5, 0.5), UNARY, NONZERO),
    Spec("clamp_min", lambda x: sg.clamp(x, min=0.5), lambda x: x.clamp(min=0.5), UNARY, NONZERO,
         covers=("clamp",)),
    Spec("clamp_tensor_bounds", lambda x, lo: sg.clamp(x, lo, lo + 1.0), lambda x, lo: x.clamp(lo, lo + 1.0),
         [((3,), (3,))], [(-1.0, 1.0), (-2.0, -1.5)], covers=("where", "lt", "gt")),
    # ---- selection and comparison
    _binary("maximum"), _binary("minimum"),
    Spec("where", lambda x, y: sg.where(x > 0, x, y), lambda x, y: __import__("torch").where(x > 0, x, y),
         BINARY, [NONZERO, REAL], covers=("where", "gt")),
    *[Spec(n, getattr(sg, n), _t(n), BINARY, differentiable=False) for n in ("eq", "ne", "lt", "le", "gt", "ge")],
    Spec("logical_and", lambda x, y: (x > 0) & (y > 0), lambda x, y: (x > 0) & (y > 0), BINARY,
         differentiable=False),
    Spec("logical_or", lambda x, y: (x > 0) | (y > 0), lambda x, y: (x > 0) | (y > 0), BINARY,
         differentiable=False),
    Spec("logical_xor", lambda x, y: (x > 0) ^ (y > 0), lambda x, y: (x > 0) ^ (y > 0), BINARY,
         differentiable=False),
    Spec("logical_not", lambda x: ~(x > 0), lambda x: ~(x > 0), UNARY, differentiable=False),
    *[Spec(n, getattr(sg, n), _t(n), UNARY, NONZERO, differentiable=False,
           skips={"symbolic_forward": NO_SYMBOLIC_FORM}) for n in ("isnan", "isinf", "isfinite")],
    Spec("isposinf", sg.isposinf, _t("isposinf"), UNARY, NONZERO, covers=("isinf", "gt", "logical_and"),
         differentiable=False, skips={"symbolic_forward": NO_SYMBOLIC_FORM}, integer=True),
    Spec("isneginf_method", lambda x: x.isneginf(), lambda x: x.isneginf(), UNARY, NONZERO,
         covers=("isinf", "lt", "logical_and"), differentiable=False, skips={"symbolic_forward": NO_SYMBOLIC_FORM}),
    Spec("signbit", sg.signbit, _t("signbit"), UNARY, NONZERO, differentiable=False, integer=True),
    # ---- reductions
    Spec("sum", lambda x: x.sum(), lambda x: x.sum(), MATRIX),
    Spec("sum_dim", lambda x: x.sum(0), lambda x: x.sum(0), MATRIX, covers=("sum",)),
    Spec("sum_keepdim", lambda x: x.sum(-1, keepdim=True), lambda x: x.sum(-1, keepdim=True), MATRIX,
         covers=("sum",)),
    Spec("mean", lambda x: x.mean(), lambda x: x.mean(), MATRIX),
    Spec("mean_dims", lambda x: x.mean((0, -1)), lambda x: x.mean((0, -1)), MATRIX[1:], covers=("mean",)),
    Spec("prod", lambda x: x.prod(), lambda x: x.prod(), MATRIX, covers=("prod", "prod_others")),
    Spec("prod_dim", lambda x: x.prod(-1), lambda x: x.prod(-1), MATRIX, covers=("prod", "prod_others")),
    # (the ties-aware closed form of a 12-element max is correct but slow for sympy.diff: two shapes suffice)
    Spec("amax", lambda x: x.amax(), lambda x: x.amax(), MATRIX[:2]),
    Spec("amin_dim", lambda x: x.amin(0), lambda x: x.amin(0), MATRIX, covers=("amin",)),
    Spec("max", lambda x: x.max(), lambda x: x.max(), MATRIX[:2], covers=("amax",)),
    Spec("max_dim", lambda x: x.max(-1).values, lambda x: x.max(-1).values, MATRIX,
         covers=("max_dim", "is_argmax", "argmax")),
    Spec("min_dim", lambda x: x.min(0, keepdim=True).values, lambda x: x.min(0, keepdim=True).values, MATRIX,
         covers=("min_dim", "is_argmin", "argmin")),
    Spec("argmax", lambda x: sg.argmax(x, -1), lambda x: x.argmax(-1), MATRIX, differentiable=False),
    Spec("argmin", lambda x: sg.argmin(x), lambda x: x.argmin(), MATRIX, differentiable=False),
    Spec("var", lambda x: x.var(), lambda x: x.var(), MATRIX, covers=("mean", "sum")),
    Spec("std_dim", lambda x: x.std(-1, correction=0), lambda x: x.std(-1, correction=0), MATRIX,
         covers=("mean", "sum", "sqrt")),
    Spec("logsumexp", lambda x: sg.logsumexp(x, 0), lambda x: x.logsumexp(0), MATRIX),
    Spec("softmax", lambda x: sg.softmax(x, -1), lambda x: x.softmax(-1), MATRIX),
    Spec("log_softmax", lambda x: sg.log_softmax(x, 0), lambda x: x.log_softmax(0), MATRIX),
    Spec("cumsum", lambda x: sg.cumsum(x, 0), lambda x: x.cumsum(0), MATRIX, covers=("cumsum", "flip")),
    Spec("cumprod", lambda x: sg.cumprod(x, 0), lambda x: x.cumprod(0), MATRIX,
         covers=("cumprod", "where", "permute", "view", "mul", "sum")),
    Spec("cumprod_zero", lambda x: sg.cumprod(sg.where(sg.tensor([0, 1, 0]) == 1, 0.0, x), -1),
         lambda x: x.where(__import__("torch").tensor([0, 1, 0]) != 1, 0.0).cumprod(-1), MATRIX[:2],
         covers=("cumprod", "where")),
    # (lines longer than 8: the reversed running sum of g * out, over x; with a zero, the products)
    Spec("cumprod_long", lambda x: x.cumprod(-1), lambda x: x.cumprod(-1), [((2, 10),)], NONZERO,
         covers=("cumprod", "cumsum", "flip", "div")),
    Spec("cumprod_long_zero", lambda x: sg.cumprod(sg.where(sg.arange(10) == 4, 0.0, x), 0),
         lambda x: __import__("torch").where(__import__("torch").arange(10) == 4, 0.0, x).cumprod(0), [((10,),)],
         NONZERO, covers=("cumprod", "where")),
    Spec("logcumsumexp", lambda x: sg.logcumsumexp(x, 0), lambda x: x.logcumsumexp(0), MATRIX,
         covers=("logcumsumexp", "exp", "cumsum", "flip", "neg")),
    # (values whose exponentials overflow: PyTorch's gradient in log space)
    Spec("logcumsumexp_large", lambda x: (x * 300.0).logcumsumexp(-1), lambda x: (x * 300.0).logcumsumexp(-1),
         MATRIX[:2], covers=("logcumsumexp", "exp", "log", "abs", "where", "flip")),
    Spec("cummax", lambda x: sg.cummax(x, 0).values, lambda x: x.cummax(0).values, MATRIX, covers=("index",),
         integer=True, skips=CHOSEN_BY_VALUES),
    Spec("cummin", lambda x: x.cummin(-1).values, lambda x: x.cummin(-1).values, MATRIX, covers=("index",),
         skips=CHOSEN_BY_VALUES),
    Spec("nansum", lambda x: sg.nansum(x, -1), lambda x: x.nansum(-1), MATRIX,
         covers=("nan_to_num", "sub", "gt", "where", "sum")),
    Spec("nanmean", lambda x: x.nanmean(), lambda x: x.nanmean(), MATRIX,
         covers=("nan_to_num", "sub", "gt", "where", "sum", "logical_not", "div")),
    Spec("all", lambda x: (x > 0).all(), lambda x: (x > 0).all(), MATRIX, differentiable=False),
    Spec("any", lambda x: (x > 0).any(-1), lambda x: (x > 0).any(-1), MATRIX, differentiable=False),
    Spec("norm", lambda x: sg.norm(x), lambda x: x.norm(), MATRIX, covers=("where", "eq", "sqrt", "sum")),
    # ---- products
    Spec("matmul", sg.matmul, _t("matmul"),
         [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 4)), ((2, 2, 3), (3, 4)),
          ((2, 2, 3), (2, 3, 2)), ((3,), (2, 3, 4))]),
    Spec("dot", sg.dot, _t("dot"), [((3,), (3,))]),
    Spec("addmm", sg.addmm, _t("addmm"), [((4,), (2, 3), (3, 4)), ((2, 1), (2, 3), (3, 4))]),
    Spec("addmm_scaled", lambda b, x, y: sg.addmm(b, x, y, beta=0.5, alpha=2.0),
         lambda b, x, y: __import__("torch").addmm(b, x, y, beta=0.5, alpha=2.0), [((4,), (2, 3), (3, 4))],
         covers=("addmm",)),
    Spec("outer", sg.outer, _t("outer"), [((3,), (2,))], covers=("view", "mul")),
    Spec("linear", sg.linear, lambda x, w, b: __import__("torch").nn.functional.linear(x, w, b),
         [((4, 3), (2, 3), (2,)), ((3,), (2, 3), (2,)), ((2, 4, 3), (2, 3), (2,))]),
    Spec("linear_nobias", lambda x, w: sg.linear(x, w), lambda x, w: __import__("torch").nn.functional.linear(x, w),
         [((4, 3), (2, 3)), ((3,), (2, 3))]),
    *[Spec(f"mse_loss_{r}", lambda x, y, r=r: sg.mse_loss(x, y, r),
           lambda x, y, r=r: __import__("torch").nn.functional.mse_loss(x, y, reduction=r),
           [((2, 3), (2, 3)), ((), ())], covers=("mse_loss",)) for r in ("mean", "sum", "none")],
    # ---- shapes and indexing
    Spec("view", lambda x: x.reshape(-1, 2) * 1.0, lambda x: x.reshape(-1, 2) * 1.0, [((2, 3),), ((4,),)]),
    Spec("permute", lambda x: x.permute(2, 0, 1), lambda x: x.permute(2, 0, 1), [((2, 3, 2),)]),
    Spec("transpose", lambda x: x.transpose(0, 1), lambda x: x.transpose(0, 1), [((2, 3),)], covers=("permute",)),
    Spec("expand", lambda x: x.expand(2, 3), lambda x: x.expand(2, 3), [((1, 3),), ((3,),), ((),)]),
    Spec("sum_to_size", lambda x: x.sum_to_size(1, 3), lambda x: x.sum_to_size(1, 3), [((2, 3),)]),
    Spec("flip", lambda x: x.flip(0), lambda x: x.flip(0), [((3,),), ((2, 3),)]),
    Spec("fliplr", lambda x: x.fliplr(), lambda x: x.fliplr(), [((2, 3),), ((2, 3, 2),)], covers=("flip",)),
    Spec("flipud", lambda x: sg.flipud(x), _t("flipud"), [((3,),), ((2, 3),)], covers=("flip",)),
    Spec("cross", lambda x, y: x.cross(y, dim=1), lambda x, y: x.cross(y, dim=1), [((2, 3), (2, 3))],
         covers=("index", "mul", "sub")),
    Spec("index_basic", lambda x: x[0], lambda x: x[0], [((3,),), ((2, 3),)],
         covers=("index", "index_backward")),
    Spec("index_slice", lambda x: x[:, 1:], lambda x: x[:, 1:], [((2, 3),)], covers=("index", "index_backward")),
    Spec("index_repeated", lambda x: x[[0, 0, 1]], lambda x: x[[0, 0, 1]], [((3,),), ((2, 3),)],
         covers=("index", "index_backward")),
    Spec("index_mask", lambda x: x[x > 0], lambda x: x[x > 0], [((2, 3),)], NONZERO,
         covers=("index", "index_backward"), skips=CHOSEN_BY_VALUES),
    Spec("index_put", lambda x, v: sg.index_put(x, (slice(0, 1),), v),
         lambda x, v: x.index_put((__import__("torch").tensor([0]),), v), [((2, 3), (3,)), ((2, 3), (1, 3))],
         covers=("index_put", "index_zero")),
    Spec("cat", lambda x, y: sg.cat([x, y], 0), lambda x, y: __import__("torch").cat([x, y], 0),
         [((2, 3), (1, 3)), ((3,), (2,))]),
    Spec("stack", lambda x, y: sg.stack([x, y], 1), lambda x, y: __import__("torch").stack([x, y], 1),
         [((3,), (3,)), ((2, 3), (2, 3))]),
    Spec("clone", lambda x: x.clone(), lambda x: x.clone(), UNARY),
    Spec("copy", _shape._copy, lambda x: x.clone(), UNARY),
    Spec("to_copy", lambda x: x.to(sg.float32).to(sg.float64), lambda x: x.float().double(), UNARY,
         forward_rtol=1e-7, closed_form_rtol=1e-7,  # symbolic casts are exact, numeric ones round to float32
         skips={"fd": "the float32 round trip makes finite differences with eps=1e-6 meaningless",
                "float32": "this row converts to float64 by design"}),
    Spec("to_discrete", lambda x: x.to(sg.int64), lambda x: x.to(__import__("torch").int64), UNARY,
         (-3.0, 3.0), differentiable=False),
    # ---- structure and rearrangement (compositions of index, index_zero, index_put, view, expand)
    Spec("tril", lambda x: sg.tril(x), _t("tril"), [((3, 3),), ((2, 3, 4),)], covers=("index_zero",), integer=True),
    Spec("triu_offset", lambda x: x.triu(1), lambda x: x.triu(1), [((3, 3),), ((2, 4, 3),)], covers=("index_zero",),
         integer=True),
    Spec("diag_vector", lambda x: sg.diag(x, 1), lambda x: __import__("torch").diag(x, 1), [((3,),)],
         covers=("index_put", "index_zero"), integer=True),
    Spec("diag_matrix", lambda x: sg.diag(x, -1), lambda x: __import__("torch").diag(x, -1), [((3, 3),), ((2, 4),)],
         covers=("index",), integer=True),
    Spec("trace", sg.trace, _t("trace"), [((3, 3),), ((2, 4),)], covers=("index", "sum"), integer=True),
    Spec("diagonal", lambda x: sg.diagonal(x, 1, -1, 0), lambda x: __import__("torch").diagonal(x, 1, -1, 0),
         [((3, 3),), ((2, 3, 4),)], covers=("diagonal", "permute", "index_backward"), integer=True),
    Spec("roll", lambda x: sg.roll(x, (1, -2), (0, -1)), lambda x: __import__("torch").roll(x, (1, -2), (0, -1)),
         [((3, 4),), ((2, 3, 2),)], covers=("index",), integer=True),
    Spec("roll_flat", lambda x: x.roll(2), lambda x: x.roll(2), [((2, 3),)], covers=("index", "view"), integer=True),
    Spec("repeat", lambda x: x.repeat(2, 1, 3) if x.ndim == 2 else x.repeat(2, 3),
         lambda x: x.repeat(2, 1, 3) if x.ndim == 2 else x.repeat(2, 3), [((3,),), ((2, 3),)],
         covers=("view", "expand"), integer=True),
    Spec("index_select", lambda x: sg.index_select(x, -1, sg.tensor([2, 0, 2])),
         lambda x: __import__("torch").index_select(x, -1, __import__("torch").tensor([2, 0, 2])),
         [((3,),), ((2, 3),)], covers=("index", "index_backward"), integer=True),
    # ---- scatter, index_add, tile, repeat_interleave, meshgrid (compositions of index_put, index_backward,
    # index, view, expand; the index tensors are constants)
    Spec("scatter", lambda x, s: sg.scatter(x, 1, sg.tensor([[0, 2], [1, 0]]), s),
         lambda x, s: __import__("torch").scatter(x, 1, __import__("torch").tensor([[0, 2], [1, 0]]), s),
         [((2, 3), (2, 2)), ((3, 3), (2, 2))], covers=("index_put", "index_zero", "index"), integer=True),
    Spec("scatter_value", lambda x: x.scatter(0, sg.tensor([[1, 0, 1]]), 1.5),
         lambda x: x.scatter(0, __import__("torch").tensor([[1, 0, 1]]), 1.5), [((2, 3),)],
         covers=("index_put", "index_zero")),
    Spec("scatter_add", lambda x, s: sg.scatter_add(x, 0, sg.tensor([[1, 0, 1], [1, 1, 0]]), s),
         lambda x, s: __import__("torch").scatter_add(x, 0, __import__("torch").tensor([[1, 0, 1], [1, 1, 0]]), s),
         [((2, 3), (2, 3)), ((3, 4), (2, 3))], covers=("add", "index_backward", "index"), integer=True),
    Spec("index_add", lambda x, s: x.index_add(1, sg.tensor([2, 0, 2]), s, alpha=0.5),
         lambda x, s: x.index_add(1, __import__("torch").tensor([2, 0, 2]), s, alpha=0.5),
         [((2, 3), (2, 3)), ((2, 4), (2, 3))], covers=("add", "mul", "index_backward", "index")),
    Spec("index_add_vector", lambda x, s: sg.index_add(x, 0, sg.tensor([1, 1]), s),
         lambda x, s: __import__("torch").index_add(x, 0, __import__("torch").tensor([1, 1]), s),
         [((3,), (2,))], covers=("add", "index_backward", "index"), integer=True),
    *[_scatter_reduce(r, include_self) for r in ("sum", "prod", "mean", "amax", "amin") for include_self in (True, False)],
    Spec("scatter_multiply", lambda x, s: x.scatter(1, sg.tensor([[0, 2], [1, 1]]), s, reduce="multiply"),
         # (PyTorch has no derivative for scatter(reduce=...); its scatter_reduce "prod" is the same function)
         lambda x, s: x.scatter_reduce(1, __import__("torch").tensor([[0, 2], [1, 1]]), s, "prod"),
         [((2, 3), (2, 2))], covers=("index", "index_put", "prod"), integer=True),
    Spec("tile", lambda x: sg.tile(x, (2, 1, 2)), lambda x: __import__("torch").tile(x, (2, 1, 2)),
         [((3,),), ((2, 3),), ((),)], covers=("view", "expand"), integer=True),
    Spec("tile_short", lambda x: x.tile(2), lambda x: x.tile(2), [((2, 3),)], covers=("view", "expand"), integer=True),
    Spec("repeat_interleave", lambda x: sg.repeat_interleave(x, 2), lambda x: x.repeat_interleave(2),
         [((3,),), ((2, 3),), ((),)], covers=("index", "index_backward", "view"), integer=True),
    Spec("repeat_interleave_counts", lambda x: x.repeat_interleave(sg.tensor([2, 0, 1]), dim=-1),
         lambda x: x.repeat_interleave(__import__("torch").tensor([2, 0, 1]), dim=-1), [((3,),), ((2, 3),)],
         covers=("index", "index_backward"), integer=True),
    Spec("meshgrid", lambda x, y: sg.stack(sg.meshgrid(x, y, indexing="ij")) * 1.0,
         lambda x, y: __import__("torch").stack(__import__("torch").meshgrid(x, y, indexing="ij")) * 1.0,
         [((3,), (2,)), ((), (2,))], covers=("view", "expand", "stack")),
    Spec("meshgrid_xy", lambda x, y, z: sg.stack(sg.meshgrid(x, y, z, indexing="xy")) * 1.0,
         lambda x, y, z: __import__("torch").stack(__import__("torch").meshgrid(x, y, z, indexing="xy")) * 1.0,
         [((3,), (2,), (2,))], covers=("view", "expand", "stack")),
    # ---- sorting (values gathered by the numeric order: ties avoided by the random samples)
    Spec("sort", lambda x: sg.sort(x, 0).values, lambda x: x.sort(0).values, MATRIX, covers=("index",),
         integer=True, skips=CHOSEN_BY_VALUES),
    Spec("sort_descending", lambda x: x.sort(descending=True).values, lambda x: x.sort(descending=True).values,
         MATRIX, covers=("index",), skips=CHOSEN_BY_VALUES),
    Spec("topk", lambda x: sg.topk(x, 2).values, lambda x: x.topk(2).values, MATRIX, covers=("index",),
         skips=CHOSEN_BY_VALUES),
    Spec("topk_smallest", lambda x: x.topk(1, dim=0, largest=False).values,
         lambda x: x.topk(1, dim=0, largest=False).values, MATRIX[1:], covers=("index",), skips=CHOSEN_BY_VALUES),
    # ---- pointwise
    Spec("lerp", sg.lerp, _t("lerp"), [((3,), (3,), (3,)), ((2, 3), (3,), (2, 1))], covers=("add", "sub", "mul")),
    Spec("lerp_scalar", lambda x, y: x.lerp(y, 0.3), lambda x, y: x.lerp(y, 0.3), BINARY[:3],
         covers=("add", "sub", "mul")),
    Spec("addcmul", lambda x, y, z: sg.addcmul(x, y, z, value=0.5),
         lambda x, y, z: __import__("torch").addcmul(x, y, z, value=0.5), [((3,), (3,), (3,)), ((2, 3), (3,), (2, 1))],
         covers=("add", "mul")),
    Spec("addcdiv", lambda x, y, z: x.addcdiv(y, z, value=2),
         lambda x, y, z: x.addcdiv(y, z, value=2), [((3,), (3,), (3,)), ((2, 3), (3,), (2, 1))],
         [REAL, REAL, NONZERO], covers=("add", "mul", "div")),
    _binary("fmod", [NONZERO, (0.75, 0.85)], skips=NO_SYMPY_ORACLE),
    Spec("nan_to_num", sg.nan_to_num, _t("nan_to_num"), UNARY, integer=True),
    Spec("deg2rad", sg.deg2rad, _t("deg2rad"), UNARY, covers=("mul",)),
    Spec("rad2deg_method", lambda x: x.rad2deg(), lambda x: x.rad2deg(), UNARY, covers=("mul",)),
    Spec("sgn", sg.sgn, _t("sgn"), UNARY, NONZERO, covers=("sign",), skips=NO_SYMPY_ORACLE, integer=True),
    Spec("ldexp", lambda x: sg.ldexp(x, sg.tensor(3)), lambda x: _t("ldexp")(x, __import__("torch").tensor(3)),
         UNARY, covers=("mul", "exp2")),
    Spec("frexp_mantissa", lambda x: sg.frexp(x).mantissa, lambda x: _t("frexp")(x).mantissa, UNARY, NONZERO,
         covers=("mul",), skips=CHOSEN_BY_VALUES),
    # ---- functions of two tensors (their derivatives at the special points: tests/test_special_functions.py)
    _binary("atan2", NONZERO),
    Spec("arctan2_method", lambda x, y: x.arctan2(y), lambda x, y: x.arctan2(y), BINARY[:3], NONZERO,
         covers=("atan2",)),
    _binary("hypot"), _binary("logaddexp"), _binary("logaddexp2"),
    _binary("xlogy", [REAL, POS]),
    Spec("xlogy_number", lambda y: sg.xlogy(2.5, y), lambda y: _t("xlogy")(2.5, y), UNARY, POS, covers=("xlogy",)),
    _binary("copysign", NONZERO),
    Spec("clamp_max_method", lambda x: x.clamp_max(0.5), lambda x: x.clamp_max(0.5), UNARY, NONZERO,
         covers=("clamp",)),
    Spec("clamp_min_tensor", lambda x, lo: sg.clamp_min(x, lo), lambda x, lo: _t("clamp_min")(x, lo), BINARY[:3],
         [(-1.0, 1.0), (-0.5, 0.5)], covers=("where", "lt")),
    Spec("heaviside", sg.heaviside, _t("heaviside"), BINARY, NONZERO, differentiable=False),
    Spec("nextafter", sg.nextafter, _t("nextafter"), BINARY, differentiable=False,
         skips={"symbolic_forward": "its symbolic form is an undefined function (nextafter(x, y)), not something "
                                    "to evaluate"}),
    # ---- special functions (closed forms: SymPy's loggamma, polygamma, erfinv, besseli, sinc)
    _unary("lgamma", POS, skips=NO_SCALAR_SPECIAL),
    # (log|gamma| below 0: SymPy's loggamma is the complex log-gamma there, whose real part is the value)
    Spec("lgamma_negative", sg.lgamma, _t("lgamma"), UNARY, (-0.9, -0.1), covers=("lgamma",),
         skips=NO_SCALAR_SPECIAL),
    # PyTorch's trigamma (digamma's derivative, polygamma(1, x)), which symgrad computes as PyTorch does,
    # has about 1e-9 relative error; closed forms and SciPy's polygamma (generated NumPy code) are exact
    _unary("digamma", POS, forward_rtol=1e-8, closed_form_rtol=1e-8, skips=NO_SCALAR_SPECIAL),
    Spec("digamma_negative", sg.digamma, _t("digamma"), UNARY, (-0.9, -0.1), covers=("digamma",),
         forward_rtol=1e-8, closed_form_rtol=1e-8, skips=NO_SCALAR_SPECIAL),
    Spec("polygamma_1", lambda x: sg.polygamma(1, x), lambda x: _t("polygamma")(1, x), UNARY, POS,
         covers=("polygamma",), forward_rtol=1e-8, skips=NO_SCALAR_SPECIAL),
    Spec("polygamma_3_method", lambda x: x.polygamma(3), lambda x: x.polygamma(3), UNARY, POS,
         covers=("polygamma",), skips=NO_SCALAR_SPECIAL),
    _unary("erfinv", UNIT, skips=NO_SCALAR_SPECIAL),
    _unary("i0", covers=("i0", "special_i1", "where", "eq", "sub", "div"), skips=NO_SCALAR_SPECIAL),
    _unary("sinc"),
    _unary("logit", (0.05, 0.95)),
    Spec("logit_eps", lambda x: sg.logit(x, eps=0.2), lambda x: _t("logit")(x, eps=0.2), UNARY, (0.05, 0.95),
         covers=("logit", "clamp")),
    # ---- integers (inputs made integers by the row: the op tests draw floats)
    *[Spec(n, lambda x, y, n=n: getattr(sg, n)((x * 10).long(), (y * 10).long()),
           lambda x, y, n=n: _t(n)((x * 10).long(), (y * 10).long()), BINARY, (-4.0, 4.0),
           covers=(n, "to_discrete", "mul"), differentiable=False, integer=True,
           skips={"symbolic_forward": f"its symbolic form is an undefined function ({n}(n, m)) of integers",
                  **NO_SCALAR_INTEGER})
      for n in ("gcd", "lcm", "bitwise_and", "bitwise_or", "bitwise_xor")],
    Spec("bitwise_not", lambda x: ~(x * 10).long(), lambda x: ~(x * 10).long(), UNARY, (-4.0, 4.0),
         covers=("bitwise_not", "to_discrete", "mul"), differentiable=False, integer=True,
         skips={"symbolic_forward": "its symbolic form is an undefined function (bitwise_not(n)) of integers",
                **NO_SCALAR_INTEGER}),
    # ---- einsum (one row per equation; cases with size-1 dims broadcast, repeated letters take diagonals)
    *[Spec(f"einsum_{eq.replace(',', '_').replace('->', '_to_').replace('...', 'E')}",
           lambda *xs, eq=eq: sg.einsum(eq, *xs),
           lambda *xs, eq=eq: __import__("torch").einsum(eq, *xs), cases, covers=("einsum",))
      for eq, cases in [("ij,jk->ik", [((2, 3), (3, 2)), ((3, 1), (2, 4)), ((2, 1), (1, 3))]),
                        ("bij,bjk->bik", [((2, 2, 3), (2, 3, 2)), ((1, 2, 3), (3, 3, 2))]),
                        ("i,i->", [((3,), (3,)), ((1,), (3,))]), ("i,j->ij", [((3,), (2,))]),
                        ("ij->j", [((2, 3),), ((2, 1),)]), ("ijk->kj", [((2, 3, 2),)]),
                        ("ij,jk,kl", [((2, 3), (3, 2), (2, 2)), ((2, 1), (3, 2), (1, 2))]),
                        ("ik,jk->", [((2, 3), (2, 3))]), ("ij,ij->ij", [((3, 1), (1, 4))]),
                        ("...ij,...jk->...ik", [((2, 2, 3), (2, 3, 2)), ((2, 1, 2, 3), (3, 3, 2))]),
                        ("...i,i->...", [((2, 3), (3,))]), ("i...->...", [((3, 2),)]), ("...ij", [((2, 3, 2),)]),
                        ("ii->i", [((3, 3),)]), ("ii->", [((3, 3),)]), ("ii", [((3, 3),), ((1, 1),)]),
                        ("iij->j", [((2, 2, 3),)]), ("bii->bi", [((2, 3, 3),)]), ("iji->ij", [((3, 2, 3),)]),
                        ("iiii->i", [((2, 2, 2, 2),)]), ("ijij->ij", [((2, 3, 2, 3),)]),
                        ("ii,i->i", [((3, 3), (3,)), ((1, 1), (3,)), ((3, 3), (1,))]),
                        ("...ii->...i", [((2, 3, 3),)]), (",i->i", [((), (3,))]), (",->", [((), ())]),
                        ("->", [((),)])]],
    Spec("einsum_one_tensor_twice", lambda x: sg.einsum("ii,ii->", x, x),
         lambda x: __import__("torch").einsum("ii,ii->", x, x), [((3, 3),)], covers=("einsum",)),
    Spec("einsum_sublists", lambda x, y: sg.einsum(x, [0, 1], y, [1, 1], [0]),
         lambda x, y: __import__("torch").einsum(x, [0, 1], y, [1, 1], [0]), [((2, 3), (3, 3))], covers=("einsum",)),
    # ---- linear algebra (symgrad.linalg): entries det, inv, solve, logabsdet, det_sign, logdet, vector_norm
    *_LINALG,
    # ---- nn.functional activations (compositions)
    Spec("gelu", lambda x: _F().gelu(x), lambda x: __import__("torch").nn.functional.gelu(x), UNARY,
         covers=("mul", "add", "erf")),
    Spec("gelu_tanh", lambda x: _F().gelu(x, approximate="tanh"),
         lambda x: __import__("torch").nn.functional.gelu(x, approximate="tanh"), UNARY,
         covers=("mul", "add", "tanh")),
    Spec("leaky_relu", lambda x: _F().leaky_relu(x, 0.2),
         lambda x: __import__("torch").nn.functional.leaky_relu(x, 0.2), UNARY, NONZERO, covers=("where", "gt", "mul")),
    Spec("elu", lambda x: _F().elu(x, 0.7), lambda x: __import__("torch").nn.functional.elu(x, 0.7), UNARY, NONZERO,
         covers=("where", "gt", "expm1", "mul")),
    Spec("silu", lambda x: _F().silu(x), lambda x: __import__("torch").nn.functional.silu(x), UNARY,
         covers=("mul", "sigmoid")),
    Spec("hardtanh", lambda x: _F().hardtanh(x, -0.5, 1.2),
         lambda x: __import__("torch").nn.functional.hardtanh(x, -0.5, 1.2), UNARY, covers=("where", "le", "ge")),
    Spec("layer_norm", lambda x, w, b: _F().layer_norm(x, tuple(w.shape), w, b),
         lambda x, w, b: __import__("torch").nn.functional.layer_norm(x, tuple(w.shape), w, b),
         [((2, 3), (3,), (3,)), ((2, 2, 3), (2, 3), (2, 3))], covers=("mean", "sub", "mul", "rsqrt", "add")),
    Spec("batch_norm", lambda x, w, b: _F().batch_norm(x, None, None, w, b, training=True),
         lambda x, w, b: __import__("torch").nn.functional.batch_norm(x, None, None, w, b, training=True),
         [((4, 3), (3,), (3,)), ((2, 3, 2), (3,), (3,)), ((2, 2, 2, 2), (2,), (2,))],
         covers=("mean", "sub", "mul", "rsqrt", "add", "view")),
    Spec("batch_norm_eval", lambda x, w, b: _F().batch_norm(x, *_running_stats(sg, x), w, b),
         lambda x, w, b: __import__("torch").nn.functional.batch_norm(x, *_running_stats(__import__("torch"), x), w, b),
         [((4, 3), (3,), (3,)), ((2, 3, 2), (3,), (3,))], covers=("sub", "mul", "rsqrt", "add", "view")),
    Spec("embedding", lambda w: _F().embedding(sg.tensor([[2, 0], [2, 1]]), w),
         lambda w: __import__("torch").nn.functional.embedding(__import__("torch").tensor([[2, 0], [2, 1]]), w),
         [((3, 2),), ((4, 3),)], covers=("index", "index_backward")),
    Spec("embedding_padding", lambda w: _F().embedding(sg.tensor([[2, 0], [2, 1]]), w, padding_idx=2),
         lambda w: __import__("torch").nn.functional.embedding(__import__("torch").tensor([[2, 0], [2, 1]]), w,
                                                              padding_idx=2),
         [((3, 2),)], covers=("index", "index_put", "index_zero"), skips=PADDING_ROW),
    *[Spec(f"smooth_l1_loss_{name}", lambda x, y, r=r, b=b: _F().smooth_l1_loss(x, y, reduction=r, beta=b),
           lambda x, y, r=r, b=b: __import__("torch").nn.functional.smooth_l1_loss(x, y, reduction=r, beta=b),
           [((2, 3), (2, 3)), ((3,), (3,))], covers=("where", "abs", "lt", "mul", "sub", "div", "mean"))
      for name, r, b in [("mean", "mean", 1.0), ("sum_beta", "sum", 0.8), ("none_beta", "none", 0.5)]],
    *[Spec(f"huber_loss_{r}", lambda x, y, w, r=r: _F().huber_loss(x, y, reduction=r, delta=0.8, weight=w),
           lambda x, y, w, r=r: __import__("torch").nn.functional.huber_loss(x, y, reduction=r, delta=0.8, weight=w),
           [((2, 3), (2, 3), (2, 3))], covers=("where", "abs", "lt", "mul", "sub", "sum")) for r in ("sum", "none")],
    Spec("dropout", _seeded_dropout, None,
         UNARY, covers=("mul",)),
    Spec("scatter_view", _scatter_through_view, _torch_scatter_through_view, [((2, 3),)],
         covers=("_scatter_view",), differentiable=False),
    Spec("overwritten", _overwritten, _torch_overwritten, UNARY, covers=("_overwritten",)),
]

SPEC_BY_NAME = {s.name: s for s in SPECS}
