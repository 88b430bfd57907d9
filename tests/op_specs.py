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
# (the generated-code tests check that the math and C backends refuse these rows)
TRACED_RANK = {"scalar_codegen": "pinv's closed form is the full-rank formula: element-by-element code refuses it "
                                 "(it would keep tiny singular values pinv drops); array code calls a pinv"}
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


def _torch() -> Any:
    import torch

    return torch


def _shape_parameter(module: Any, x: Any) -> Any:
    """The constant ``a`` of the incomplete gamma rows: three shapes, in ``x``'s dtype (symgrad's or torch's)."""
    return module.tensor([0.7, 1.5, 3.0], dtype=x.dtype)


def _igamma_density(a: Any, x: Any) -> Any:
    """The internal op ``igamma_density`` (igamma's derivative in x), looked up when a check runs."""
    from symgrad.ops import special

    return special._density(a, x)


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
         covers=("pinv", "matmul", "permute", "neg", "add", "sub"), skips=TRACED_RANK),
    Spec("pinv_hermitian", lambda a: _linalg.pinv(_symmetric(a), hermitian=True),
         lambda a: _tl("pinv")(_symmetric(a), hermitian=True), SQUARE[:2], INVERTIBLE, covers=("pinv", "add"),
         skips=TRACED_RANK),
    Spec("pinverse_method", lambda a: a.pinverse(), lambda a: a.pinverse(), [((3, 2),)], covers=("pinv",),
         skips=TRACED_RANK),
    Spec("eigvalsh", lambda a: _linalg.eigvalsh(_symmetric(a)), lambda a: _tl("eigvalsh")(_symmetric(a)), SQUARE,
         covers=("eigvalsh", "eigh_vectors", "matmul", "permute"), skips=NO_CLOSED_FORM),
    Spec("eigh_eigenvectors", lambda a: _gauge_free(_linalg.eigh(_symmetric(a)).eigenvectors),
         lambda a: _gauge_free(_tl("eigh")(_symmetric(a)).eigenvectors), SQUARE,
         covers=("eigh_vectors", "eigvalsh", "matmul", "div"), skips=NO_CLOSED_FORM),
    Spec("eigh_upper", lambda a: _linalg.eigh(_symmetric(a), UPLO="U").eigenvalues,
         lambda a: _tl("eigh")(_symmetric(a), UPLO="U").eigenvalues, SQUARE[:2], covers=("eigvalsh",),
         skips=NO_CLOSED_FORM),
]
def _tri(**flags: Any) -> Spec:
    """A solve_triangular row: its name says the flags."""
    name = "_".join(["solve_triangular", *[k if v is True else f"not_{k}" for k, v in flags.items()]])
    right = flags.get("left") is False
    cases = [((3, 3), (2, 3)), ((2, 3, 3), (1, 3))] if right else [((3, 3), (3, 2)), ((2, 3, 3), (3, 1)),
                                                                     ((2, 2), (2, 1, 2, 2))]
    return Spec(name, lambda a, b: _linalg.solve_triangular(a, b, **flags),
                lambda a, b: _tl("solve_triangular")(a, b, **flags), cases, [INVERTIBLE, REAL],
                covers=("solve_triangular", "matmul", "permute", "mul", "neg"))


_CHOLESKY_COVERS = ("cholesky", "solve_triangular", "matmul", "permute", "mul", "add")
# Cholesky reads one triangle and its gradient is symmetric (PyTorch's): through a + a.mT, which is positive
# definite on POSITIVE_DET's samples (a strictly diagonally dominant matrix with a positive diagonal)
_TRIANGULAR = [
    _tri(upper=True), _tri(upper=False), _tri(upper=True, unitriangular=True), _tri(upper=False, left=False),
    _tri(upper=True, left=False, unitriangular=True),
    Spec("cholesky", lambda a: _linalg.cholesky(_symmetric(a)), lambda a: _tl("cholesky")(_symmetric(a)), SQUARE,
         POSITIVE_DET, covers=_CHOLESKY_COVERS),
    Spec("cholesky_upper", lambda a: _linalg.cholesky(_symmetric(a), upper=True),
         lambda a: _tl("cholesky")(_symmetric(a), upper=True), SQUARE, POSITIVE_DET, covers=_CHOLESKY_COVERS),
    Spec("cholesky_ex", lambda a: _linalg.cholesky_ex(_symmetric(a)).L,
         lambda a: _tl("cholesky_ex")(_symmetric(a)).L, SQUARE[:2], POSITIVE_DET, covers=_CHOLESKY_COVERS),
]
_CHAINS = [
    Spec("multi_dot", lambda *xs: _linalg.multi_dot(xs), lambda *xs: _tl("multi_dot")(xs),
         [((2, 3), (3, 4), (4,)), ((3,), (3, 2), (2, 5), (5, 1)), ((2, 3), (3, 2))], covers=("matmul", "view")),
    Spec("vecdot", _linalg.vecdot, _tl("vecdot"), [((2, 3), (3,)), ((3,), (3,)), ((2, 1, 3), (4, 3))],
         covers=("mul", "sum")),
    Spec("vecdot_dim", lambda x, y: _linalg.vecdot(x, y, dim=0), lambda x, y: _tl("vecdot")(x, y, dim=0),
         [((3, 2), (3, 1))], covers=("mul", "sum")),
    Spec("linalg_vander_batched", _linalg.vander, _tl("vander"), [((3,),), ((2, 4),)], covers=("cat", "pow", "view"),
         integer=True),
    Spec("linalg_vander_n2", lambda x: _linalg.vander(x, N=2), lambda x: _tl("vander")(x, N=2), [((3,),)],
         covers=("cat", "pow", "view")),
    Spec("linalg_matmul", _linalg.matmul, _tl("matmul"), [((2, 3), (3,)), ((2, 2, 3), (3, 2))], covers=("matmul",)),
    Spec("linalg_diagonal", lambda a: _linalg.diagonal(a, offset=1), lambda a: _tl("diagonal")(a, offset=1),
         [((2, 3, 3),), ((3, 4),)], covers=("diagonal",)),
]
_NO_SVD_FORM = {"symbolic_forward": "linalg.svd has no closed form: .expr raises NoClosedFormError (tested in "
                                    "test_linalg_decompositions.py)",
                "closed_form": "linalg.svd has no closed form, so neither have its gradients",
                "codegen": "linalg.svd has no closed form: code generation refuses it"}
# (the generated-code tests check that the math and C backends refuse these rows)
TRACED_SIGNS = {"scalar_codegen": "QR's closed form keeps the diagonal signs LAPACK chose at the traced matrix: "
                                  "element-by-element code refuses it; array code calls a QR at run time"}
_QR_COVERS = ("qr_q", "qr_r", "matmul", "permute", "solve_triangular", "mul", "add", "sub", "index_zero", "cat")
_SVD_COVERS = ("svd_u", "svdvals", "svd_vh", "matmul", "permute", "mul", "div", "add", "sub")
_FACTORED = [((3, 3),), ((4, 2),), ((2, 4),), ((2, 3, 2),)]


def _row_gauge_free(vh: Any) -> Any:
    """Rows of Vh times their first components: unchanged when LAPACK flips a singular vector's sign."""
    return vh * vh[..., :, :1]


# QR: Q and R are Householder's on both sides (the same LAPACK signs); singular vectors compared up to sign
_DECOMPOSITIONS = [
    Spec("qr_q", lambda a: _linalg.qr(a).Q, lambda a: _tl("qr")(a).Q, _FACTORED, covers=_QR_COVERS,
         skips=TRACED_SIGNS),
    Spec("qr_r", lambda a: _linalg.qr(a).R, lambda a: _tl("qr")(a).R, _FACTORED, covers=_QR_COVERS,
         skips=TRACED_SIGNS),
    Spec("qr_complete", lambda a: _linalg.qr(a, mode="complete").Q, lambda a: _tl("qr")(a, mode="complete").Q,
         [((2, 3),), ((3, 3),)], covers=_QR_COVERS, skips=TRACED_SIGNS),
    Spec("qr_method", lambda a: a.qr().R, lambda a: a.qr().R, [((3, 2),)], covers=_QR_COVERS,
         skips=TRACED_SIGNS),
    Spec("svdvals", _linalg.svdvals, _tl("svdvals"), _FACTORED, covers=_SVD_COVERS, skips=_NO_SVD_FORM),
    Spec("svd_u", lambda a: _gauge_free(_linalg.svd(a, full_matrices=False).U),
         lambda a: _gauge_free(_tl("svd")(a, full_matrices=False).U), _FACTORED, covers=_SVD_COVERS,
         skips=_NO_SVD_FORM),
    Spec("svd_vh", lambda a: _row_gauge_free(_linalg.svd(a).Vh[..., :min(a.shape[-2:]), :]),
         lambda a: _row_gauge_free(_tl("svd")(a).Vh[..., :min(a.shape[-2:]), :]), _FACTORED, covers=_SVD_COVERS,
         skips=_NO_SVD_FORM),
    Spec("svd_method", lambda a: _gauge_free(a.svd().V), lambda a: _gauge_free(a.svd().V), [((3, 2),)],
         covers=_SVD_COVERS, skips=_NO_SVD_FORM),
]

# (the generated-code tests check that the math and C backends refuse these rows)
TRACED_PIVOTS = {"scalar_codegen": "LU's closed form keeps the row swaps partial pivoting chose at the traced matrix: "
                                   "element-by-element code refuses it; array code factors at run time"}
_LU_COVERS = ("lu_factor", "lu_l", "lu_u", "lu_p", "matmul", "permute", "solve_triangular", "index_zero", "index",
              "cat", "add", "neg", "sub")
_LU_SOLVE_COVERS = ("lu_solve", "lu_unpack_l", "lu_unpack_u", "matmul", "permute", "solve_triangular", "index_zero",
                    "add", "neg")


def _lu_solve_row(**flags: Any) -> Spec:
    """A lu_solve row with fixed pivots (LU drawn as a nonsingular matrix): its name says the flags."""
    name = "_".join(["lu_solve", *[k if v else f"not_{k}" for k, v in flags.items()]])
    right = flags.get("left") is False
    cases = [((3, 3), (2, 3)), ((2, 3, 3), (1, 3))] if right else [((3, 3), (3, 2)), ((2, 3, 3), (3, 1))]

    def pivots(M: Any, lu: Any) -> Any:
        return M.tensor([2, 3, 3] if lu.ndim == 2 else [[2, 3, 3], [3, 2, 3]], dtype=M.int32)

    return Spec(name, lambda lu, b: _linalg.lu_solve(lu, pivots(sg, lu), b, **flags),
                lambda lu, b: _tl("lu_solve")(lu, pivots(__import__("torch"), lu), b, **flags), cases,
                [INVERTIBLE, REAL], covers=_LU_SOLVE_COVERS)


# LU: the same pivots on both sides (partial pivoting on uniform samples has no ties)
_LU = [
    Spec("lu_factor", lambda a: _linalg.lu_factor(a).LU, lambda a: _tl("lu_factor")(a).LU, _FACTORED,
         covers=_LU_COVERS, skips=TRACED_PIVOTS),
    Spec("lu_factor_ex", lambda a: _linalg.lu_factor_ex(a).LU, lambda a: _tl("lu_factor_ex")(a).LU, _FACTORED[:2],
         covers=_LU_COVERS, skips=TRACED_PIVOTS),
    Spec("linalg_lu_l", lambda a: _linalg.lu(a).L, lambda a: _tl("lu")(a).L, _FACTORED, covers=_LU_COVERS,
         skips=TRACED_PIVOTS),
    Spec("linalg_lu_u", lambda a: _linalg.lu(a).U, lambda a: _tl("lu")(a).U, _FACTORED, covers=_LU_COVERS,
         skips=TRACED_PIVOTS),
    Spec("lu_method", lambda a: _quiet(lambda: a.lu()[0]), lambda a: _quiet(lambda: a.lu()[0]), [((3, 3),)],
         covers=_LU_COVERS, skips=TRACED_PIVOTS),
    Spec("lu_unpack", lambda a: _lu_unpacked(sg, a), lambda a: _lu_unpacked(__import__("torch"), a),
         [((3, 3),), ((4, 2),), ((2, 4),)], covers=("lu_unpack_l", "lu_unpack_u", "index_zero", "cat", "matmul")),
    _lu_solve_row(left=True, adjoint=False), _lu_solve_row(adjoint=True), _lu_solve_row(left=False),
    _lu_solve_row(left=False, adjoint=True),
]


def _quiet(f: Callable[[], Any]) -> Any:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (torch.lu is deprecated in PyTorch, with a warning)
        return f()


def _lu_unpacked(M: Any, lu: Any) -> Any:
    """L @ U of lu_unpack (with pivots that swap rows), whatever the shape."""
    k = min(lu.shape[-2:])
    _, L, U = M.lu_unpack(lu, M.tensor([lu.shape[-2]] * k, dtype=M.int32))
    return L @ U


def _chain_matmul(module: Any, *matrices: Any) -> Any:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (deprecated in PyTorch, with a warning)
        return module.chain_matmul(*matrices)


# ---- products plus a scaled input, renorm (compositions)
_LINALG_REST = [
    Spec("addmv", lambda b, m, v: sg.addmv(b, m, v, beta=0.5, alpha=2),
         lambda b, m, v: _t("addmv")(b, m, v, beta=0.5, alpha=2),
         [((2,), (2, 3), (3,)), ((), (2, 3), (3,)), ((1,), (3, 2), (2,))], covers=("matmul", "mul", "add", "expand")),
    Spec("addmv_beta0", lambda b, m, v: b.addmv(m, v, beta=0), lambda b, m, v: b.addmv(m, v, beta=0),
         [((2,), (2, 3), (3,))], covers=("matmul", "where", "add", "expand")),
    Spec("addr", lambda b, x, y: sg.addr(b, x, y, beta=2, alpha=0.5),
         lambda b, x, y: _t("addr")(b, x, y, beta=2, alpha=0.5), [((2, 3), (2,), (3,)), ((3,), (2,), (3,))],
         covers=("mul", "add", "view", "expand")),
    Spec("addbmm", lambda b, x, y: sg.addbmm(b, x, y, beta=0.5, alpha=1.5),
         lambda b, x, y: _t("addbmm")(b, x, y, beta=0.5, alpha=1.5), [((2, 4), (3, 2, 3), (3, 3, 4)),
                                                                     ((4,), (1, 2, 3), (1, 3, 4))],
         covers=("matmul", "sum", "mul", "add", "expand")),
    Spec("baddbmm", lambda b, x, y: b.baddbmm(x, y, alpha=-1), lambda b, x, y: b.baddbmm(x, y, alpha=-1),
         [((2, 2, 4), (2, 2, 3), (2, 3, 4)), ((1, 4), (2, 2, 3), (2, 3, 4))], covers=("matmul", "mul", "add", "expand")),
    Spec("chain_matmul", lambda *ms: _chain_matmul(sg, *ms), lambda *ms: _chain_matmul(_torch(), *ms),
         [((2, 3), (3, 4), (4, 2)), ((2, 2),)], covers=("matmul",)),
    *[Spec(f"renorm_{name}", lambda x, p=p, d=d: sg.renorm(x, p, d, 1.5), lambda x, p=p, d=d: _t("renorm")(x, p, d, 1.5),
           [((3, 4),), ((2, 3, 2),)], covers=("vector_norm", "gt", "where", "add", "div", "mul"))
      for name, p, d in [("2", 2, 0), ("1_last", 1, -1), ("inf", float("inf"), 1)]],
    *[Spec(f"matrix_norm_{name}", lambda a, p=p: _linalg.matrix_norm(a, p), lambda a, p=p: _tl("matrix_norm")(a, p),
           [((2, 3),), ((2, 3, 2),)], covers=("svdvals", "svd_u", "svd_vh", "sum", "amax", "amin", "permute"),
           skips=_NO_SVD_FORM) for name, p in [("nuc", "nuc"), ("2", 2), ("neg_2", -2)]],
]
# ---- least squares, condition numbers, solve_ex, matrix_exp (lstsq and cond are compositions)
_NO_EXPM_FORM = {"symbolic_forward": "linalg.matrix_exp has no closed form: .expr raises NoClosedFormError (tested in "
                                     "test_linalg_solvers.py)",
                 "closed_form": "linalg.matrix_exp has no closed form, so neither have its gradients",
                 "codegen": "linalg.matrix_exp has no closed form: code generation refuses it"}
_LSTSQ_COVERS = ("pinv", "matmul", "permute", "neg", "add", "sub", "view")
_LINALG_SOLVERS = [
    Spec("lstsq_solution", lambda a, b: _linalg.lstsq(a, b).solution, lambda a, b: _tl("lstsq")(a, b).solution,
         [((3, 2), (3, 2)), ((2, 2), (2,)), ((2, 3, 2), (2, 3)), ((2, 3), (2, 1)), ((2, 3, 2), (1, 3, 1))],
         covers=_LSTSQ_COVERS, skips=TRACED_RANK),
    Spec("lstsq_residuals", lambda a, b: _linalg.lstsq(a, b, driver="gelsd").residuals,
         lambda a, b: _tl("lstsq")(a, b, driver="gelsd").residuals, [((2, 1), (2, 2)), ((2, 3, 1), (2, 3))],
         covers=(*_LSTSQ_COVERS, "mul", "sum"), skips=TRACED_RANK),
    # (PyTorch 2.13's cond cannot be differentiated for these p: its backward finds inv_ex's result changed in
    # place; the oracle is its composition written out, whose numbers cond's equal)
    *[Spec(f"cond_{name}", lambda a, p=p: _linalg.cond(a, p),
           lambda a, p=p: _tl("matrix_norm")(a, p) * _tl("matrix_norm")(_tl("inv")(a), p), [((2, 2),), ((2, 2, 2),)], INVERTIBLE,
           covers=("inv_ex", "abs", "sum", "amax", "amin", "view", "vector_norm", "mul"))
      for name, p in [("fro", "fro"), ("1", 1), ("inf", float("inf")), ("neg_1", -1)]],
    *[Spec(f"cond_{name}", lambda a, p=p: _linalg.cond(a, p), lambda a, p=p: _tl("cond")(a, p), cases, domain,
           covers=("svdvals", "svd_u", "svd_vh", "amax", "amin", "sum", "div", "mul"), skips=_NO_SVD_FORM)
      for name, p, cases, domain in [("none", None, [((2, 3),), ((4, 2),)], REAL), ("neg_2", -2, SQUARE, INVERTIBLE),
                                     ("nuc", "nuc", SQUARE[:2], INVERTIBLE)]],
    Spec("solve_ex", lambda a, b: _linalg.solve_ex(a, b).result, lambda a, b: _tl("solve_ex")(a, b).result,
         [((3, 3), (3,)), ((2, 3, 3), (3, 2))], [INVERTIBLE, REAL], covers=("solve_ex", "solve", "matmul", "permute")),
    Spec("solve_ex_right", lambda a, b: _linalg.solve_ex(a, b, left=False).result,
         lambda a, b: _tl("solve_ex")(a, b, left=False).result, [((3, 3), (2, 3))], [INVERTIBLE, REAL],
         covers=("solve_ex", "solve", "matmul", "permute")),
    Spec("matrix_exp", _linalg.matrix_exp, _tl("matrix_exp"), [((1, 1),), *SQUARE], covers=("matrix_exp", "cat", "index", "permute"),
         skips=_NO_EXPM_FORM),
    Spec("matrix_exp_method", lambda a: a.matrix_exp(), lambda a: a.matrix_exp(), SQUARE[:1], covers=("matrix_exp",),
         skips=_NO_EXPM_FORM),
]
_LINALG = [
    Spec("det", _linalg.det, _tl("det"), SQUARE, INVERTIBLE, covers=("det", "inv")),
    Spec("det_method", lambda a: a.det(), lambda a: a.det(), SQUARE[:1], INVERTIBLE, covers=("det", "inv")),
    Spec("inv", _linalg.inv, _tl("inv"), SQUARE, INVERTIBLE, covers=("inv", "matmul", "permute")),
    Spec("inverse_method", lambda a: a.inverse(), lambda a: a.inverse(), SQUARE[:1], INVERTIBLE, covers=("inv",)),
    Spec("solve", _linalg.solve, _tl("solve"),
         [((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (2, 3)), ((2, 3, 3), (3, 2)), ((2, 2), (3, 2, 1))],
         [INVERTIBLE, REAL], covers=("solve", "matmul", "permute")),
    Spec("solve_right", lambda a, b: _linalg.solve(a, b, left=False), lambda a, b: _tl("solve")(a, b, left=False),
         [((3, 3), (2, 3)), ((2, 3, 3), (1, 3)), ((2, 2), (3, 1, 2))], [INVERTIBLE, REAL],
         covers=("solve", "matmul", "permute")),
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
    *_TRIANGULAR,
    *_CHAINS,
    *_DECOMPOSITIONS,
    *_LU,
    *_LINALG_REST,
    *_LINALG_SOLVERS,
]


def _torch() -> Any:
    return __import__("torch")


# ---- shape, indexing and construction functions (compositions: flip, permute, view, expand, index, cat, stack,
# mul, matmul, pow_scalar, index_backward)
_SHAPE_FUNCTIONS = [
    Spec("moveaxis", lambda x: sg.moveaxis(x, (0, 1), (2, 0)), lambda x: _torch().moveaxis(x, (0, 1), (2, 0)),
         [((2, 3, 2),)], covers=("permute",), integer=True),
    Spec("swapdims", lambda x: x.swapdims(0, -1), lambda x: x.swapdims(0, -1), [((2, 3),)], covers=("permute",)),
    *[Spec(f"rot90_{k}", lambda x, k=k: sg.rot90(x, k, (0, -1)), lambda x, k=k: _torch().rot90(x, k, (0, -1)),
           [((2, 3),), ((2, 2, 3),)], covers=("flip", "permute"), integer=True) for k in (1, 2, -1)],
    Spec("take", lambda x: sg.take(x, sg.tensor([[4, -1], [0, 4]])),
         lambda x: _torch().take(x, _torch().tensor([[4, -1], [0, 4]])), [((2, 3),), ((5,),)],
         covers=("index", "index_backward", "view"), integer=True),
    Spec("tensor_split", lambda x: sg.tensor_split(x, 2, dim=-1)[0],
         lambda x: _torch().tensor_split(x, 2, dim=-1)[0], [((3,),), ((2, 3),)], covers=("index",), integer=True),
    Spec("hsplit", lambda x: x.hsplit([1, 3])[1], lambda x: x.hsplit([1, 3])[1], [((4,),), ((2, 4),)],
         covers=("index",)),
    Spec("column_stack", lambda x, y: sg.column_stack([x, y]), lambda x, y: _torch().column_stack([x, y]),
         [((3,), (3, 2)), ((), (1,))], covers=("view", "cat"), integer=True),
    Spec("dstack", lambda x, y: sg.dstack([x, y]), lambda x, y: _torch().dstack([x, y]),
         [((3,), (3,)), ((2, 2), (2, 2, 1))], covers=("view", "cat"), integer=True),
    Spec("atleast_3d", lambda x: sg.atleast_3d(x) * 1.0, lambda x: _torch().atleast_3d(x) * 1.0,
         [((),), ((2,),), ((2, 3),)], covers=("view", "mul")),
    Spec("diag_embed", lambda x: sg.diag_embed(x, 1, 0, -1), lambda x: _torch().diag_embed(x, 1, 0, -1),
         [((3,),), ((2, 3),)], covers=("index_backward", "permute", "index"), integer=True),
    Spec("diagflat", lambda x: x.diagflat(-1), lambda x: x.diagflat(-1), [((2, 2),), ((),)],
         covers=("view", "index_put", "index")),
    Spec("kron", sg.kron, _t("kron"), [((2,), (3,)), ((2, 2), (2, 3)), ((2, 1, 2), (3, 2)), ((), (2,))],
         covers=("view", "mul"), integer=True),
    *[Spec(f"tensordot_{name}", lambda x, y, d=d: sg.tensordot(x, y, d), lambda x, y, d=d: _torch().tensordot(x, y, d),
           cases, covers=("permute", "view", "matmul"), integer=True)
      for name, d, cases in [("2", 2, [((2, 3, 2), (3, 2, 2)), ((3, 2), (3, 2))]), ("0", 0, [((2,), (3,))]),
                             ("lists", ([0, 2], [1, 0]), [((2, 3, 2), (2, 2, 3))])]],
    Spec("block_diag", lambda x, y, z: sg.block_diag(x, y, z), lambda x, y, z: _torch().block_diag(x, y, z),
         [((2, 3), (), (2,))], covers=("view", "cat"), integer=True),
    Spec("cartesian_prod", sg.cartesian_prod, _t("cartesian_prod"), [((3,), (2,)), ((2,), (2,), (2,))],
         covers=("view", "expand", "stack"), integer=True),
    Spec("combinations", lambda x: sg.combinations(x, 2), lambda x: _torch().combinations(x, 2), [((4,),)],
         covers=("index", "index_backward"), integer=True),
    Spec("combinations_with_replacement", lambda x: sg.combinations(x, 3, with_replacement=True),
         lambda x: _torch().combinations(x, 3, with_replacement=True), [((3,),)], covers=("index",)),
    # (PyTorch 2.13's backward through torch.vander raises "modified by an inplace operation": the oracle is
    # linalg.vander, the same numbers, whose backward works)
    Spec("vander", lambda x: sg.vander(x, 4), lambda x: _tl("vander")(x, N=4).flip(-1), [((3,),)],
         covers=("pow_scalar", "stack"), integer=True),
    Spec("vander_increasing", lambda x: sg.vander(x, increasing=True), lambda x: _tl("vander")(x),
         [((3,),), ((2,),)], covers=("pow_scalar", "stack")),
    Spec("index_copy", lambda x, s: x.index_copy(1, sg.tensor([2, 0]), s),
         lambda x, s: x.index_copy(1, _torch().tensor([2, 0]), s), [((2, 3), (2, 2)), ((3, 3), (3, 2))],
         covers=("index_put", "index_zero", "index"), integer=True),
    Spec("index_fill", lambda x, v: sg.index_fill(x, -1, sg.tensor([0, -1, 0]), v),
         lambda x, v: _torch().index_fill(x, -1, _torch().tensor([0, 2, 0]), v), [((2, 3), ()), ((3,), ())],
         covers=("index_put", "index_zero", "index")),
    Spec("index_fill_number", lambda x: x.index_fill(0, sg.tensor([1]), 2.5),
         lambda x: x.index_fill(0, _torch().tensor([1]), 2.5), [((2, 3),), ((3,),)], covers=("index_put",)),
    Spec("select_scatter", lambda x, s: sg.select_scatter(x, s, 1, -1),
         lambda x, s: _torch().select_scatter(x, s, 1, -1), [((2, 3), (2,)), ((2, 3, 2), (2, 2))],
         covers=("index_put", "index"), integer=True),
    Spec("slice_scatter", lambda x, s: x.slice_scatter(s, -1, 0, None, 2),
         lambda x, s: x.slice_scatter(s, -1, 0, None, 2), [((2, 3), (2, 2)), ((4,), (2,))],
         covers=("index_put", "index"), integer=True),
    Spec("diagonal_scatter", lambda x, s: sg.diagonal_scatter(x, s, 1, -1, 0),
         lambda x, s: _torch().diagonal_scatter(x, s, 1, -1, 0), [((3, 3), (2,)), ((3, 2, 4), (2, 2))],
         covers=("index_put", "permute", "index"), integer=True),
    Spec("masked_scatter", lambda x, s: x.masked_scatter(sg.tensor([[True, False, True], [False, True, True]]), s),
         lambda x, s: x.masked_scatter(_torch().tensor([[True, False, True], [False, True, True]]), s),
         [((2, 3), (5,)), ((3,), (2, 3))], covers=("index_put", "expand", "view", "index"), integer=True),
    Spec("narrow_copy", lambda x: x.narrow_copy(-1, 1, 2), lambda x: x.narrow_copy(-1, 1, 2), [((3,),), ((2, 3),)],
         covers=("clone", "index"), integer=True),
    Spec("linalg_vander", lambda x: sg.linalg.vander(x, N=3), lambda x: _tl("vander")(x, N=3), [((3,),), ((2, 2),)],
         covers=("pow_scalar", "stack"), integer=True),
]


def _functional(name: str, **kw: Any) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """``F.<name>(*inputs, **kw)`` in symgrad and in PyTorch (looked up when called)."""
    def ours(*xs: Any) -> Any:
        return getattr(_F(), name)(*xs, **kw)

    def theirs(*xs: Any) -> Any:
        return getattr(__import__("torch").nn.functional, name)(*xs, **kw)
    return ours, theirs


def _conv_spec(row: str, name: str, cases: list[tuple[tuple[int, ...], ...]], covers: tuple[str, ...],
               **kw: Any) -> Spec:
    return Spec(row, *_functional(name, **kw), cases, covers=covers)


_GATHER = ("index", "index_backward", "view")
_PADDED = ("index_put", "index_zero")
_CONVOLUTIONS = [
    _conv_spec("conv2d", "conv2d", [((1, 1, 3, 3), (2, 1, 2, 2), (2,)), ((2, 3, 3), (1, 2, 2, 2), (1,))],
               (*_GATHER, *_PADDED, "matmul", "add"), padding=1),
    _conv_spec("conv2d_stride_groups", "conv2d", [((1, 2, 4, 3), (2, 1, 2, 2))], (*_GATHER, "matmul"),
               stride=(2, 1), groups=2),
    _conv_spec("conv2d_same_dilated", "conv2d", [((1, 1, 4, 3), (1, 1, 2, 2))], (*_GATHER, *_PADDED, "matmul"),
               padding="same", dilation=2),
    _conv_spec("conv1d", "conv1d", [((1, 2, 5), (2, 2, 3), (2,)), ((2, 4), (1, 2, 2), (1,))],
               (*_GATHER, *_PADDED, "matmul", "add"), stride=2, padding=1, groups=1),
    _conv_spec("conv1d_groups", "conv1d", [((1, 2, 4), (4, 1, 2))], (*_GATHER, "matmul"), groups=2, dilation=2),
    _conv_spec("unfold", "unfold", [((1, 2, 3, 3),)], (*_GATHER, *_PADDED), kernel_size=(2, 1), padding=(0, 1),
               stride=(1, 2)),
    *[_conv_spec(f"pad_{mode}", "pad", [((1, 3, 3),), ((2, 1, 2, 3),)], ("index", "index_backward"), pad=(2, 1, 1, 0),
                 mode=mode) for mode in ("reflect", "replicate", "circular")],
    _conv_spec("pad_constant", "pad", [((2, 3),), ((3, 2, 2),)], (*_PADDED, "index", "index_backward"),
               pad=(1, -1, 2, 0), value=0.5),
    _conv_spec("max_pool2d", "max_pool2d", [((1, 1, 4, 4),), ((2, 3, 2),)], (*_GATHER, "max_dim", "is_argmax"),
               kernel_size=2),
    _conv_spec("max_pool2d_padded_ceil", "max_pool2d", [((1, 1, 5, 4),)], (*_GATHER, *_PADDED, "max_dim"),
               kernel_size=3, stride=2, padding=1, ceil_mode=True),
    _conv_spec("max_pool1d_dilated", "max_pool1d", [((1, 2, 6),), ((2, 5),)], (*_GATHER, *_PADDED, "max_dim"),
               kernel_size=2, padding=1, dilation=2),
    _conv_spec("avg_pool2d", "avg_pool2d", [((1, 1, 4, 4),), ((2, 3, 2),)], (*_GATHER, "sum", "div"), kernel_size=2),
    _conv_spec("avg_pool2d_exclude_pad_ceil", "avg_pool2d", [((1, 1, 5, 4),)], (*_GATHER, *_PADDED, "sum", "div"),
               kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    _conv_spec("avg_pool2d_divisor", "avg_pool2d", [((1, 1, 3, 3),)], (*_GATHER, "sum", "div"), kernel_size=2,
               stride=1, divisor_override=3),
    _conv_spec("avg_pool1d", "avg_pool1d", [((1, 2, 5),)], (*_GATHER, *_PADDED, "sum", "div"), kernel_size=3,
               stride=2, padding=1),
    _conv_spec("adaptive_avg_pool2d", "adaptive_avg_pool2d", [((1, 2, 4, 5),), ((1, 3, 3),)],
               ("matmul", "permute", "div"), output_size=(3, 2)),
    _conv_spec("adaptive_avg_pool1d", "adaptive_avg_pool1d", [((2, 5),), ((1, 2, 4),)], ("matmul", "permute", "div"),
               output_size=3),
    _conv_spec("conv3d", "conv3d", [((1, 2, 2, 3, 2), (2, 1, 1, 2, 2), (2,))], (*_GATHER, *_PADDED, "matmul", "add"),
               padding=(1, 0, 1), stride=(1, 1, 2), groups=2),
    # transposed convolutions and fold: windows added back (index_backward), then the padding sliced off
    _conv_spec("conv_transpose2d", "conv_transpose2d", [((1, 2, 2, 3), (2, 1, 2, 2), (2,)), ((2, 2, 2), (2, 2, 1, 2))],
               ("matmul", "index_backward", "index", "view", "add"), stride=2, padding=(1, 0), output_padding=1,
               groups=2),
    _conv_spec("conv_transpose1d", "conv_transpose1d", [((1, 2, 3), (2, 1, 2), (1,)), ((1, 2), (1, 2, 2))],
               ("matmul", "index_backward", "index", "view", "add"), dilation=2),
    _conv_spec("fold", "fold", [((1, 4, 6),), ((2, 6),)], ("index_backward", "index", "view"), output_size=(3, 3),
               kernel_size=(2, 1), padding=(0, 1), stride=(1, 2)),
]


def _torch_F() -> Any:
    import torch.nn.functional as TF  # noqa: N812

    return TF


def _act(name: str, *args: Any, cases: Any = UNARY, domain: Any = REAL, covers: tuple[str, ...] = (), **kw: Any) -> Spec:
    """A row for ``F.<name>(x, *args)`` against ``torch.nn.functional.<name>``."""
    return Spec(name, lambda x: getattr(_F(), name)(x, *args), lambda x: getattr(_torch_F(), name)(x, *args), cases,
                domain, covers=covers, **kw)


def _seeded_rrelu(x: Any) -> Any:
    sg.manual_seed(0)  # the same slopes on every call (finite differences call the row many times)
    return _F().rrelu(x, 0.1, 0.4, training=True)


def _torch_hardsigmoid(x: Any) -> Any:
    # PyTorch's float64 hardsigmoid_backward multiplies by 1/6 rounded to float32 (3e-8 off);
    # the formula in torch ops is the exact oracle (test_more_activations.py compares with F.hardsigmoid)
    torch = __import__("torch")
    return torch.where(x <= -3, 0.0, torch.where(x >= 3, 1.0, x / 6 + 0.5))


def _signs(M: Any, like: Any) -> Any:
    """Targets of +-1 shaped like ``like`` (a fixed pattern), in its dtype."""
    import numpy as np

    return M.tensor(np.resize([1.0, -1.0, -1.0], tuple(like.shape)).tolist(), dtype=like.dtype)


def _loss_row(name: str, call: Callable[..., Any], cases: Any, domain: Any = REAL, covers: tuple[str, ...] = (),
              **kw: Any) -> Spec:
    """A row for ``call(F, M, *inputs)`` with ``F`` symgrad's or torch's ``nn.functional`` and ``M`` the module."""
    return Spec(name, lambda *xs: call(_F(), sg, *xs), lambda *xs: call(_torch_F(), __import__("torch"), *xs), cases,
                domain, covers=covers, **kw)


PAIRS = [((2, 3), (2, 3))]
TRIPLES = [((2, 3), (2, 3), (2, 3))]


WIDE = (-4.5, 4.5)  # reaches the kinks of hardswish/hardsigmoid at -3 and 3
_MORE_ACTIVATIONS_AND_LOSSES = [
    _act("selu", domain=NONZERO, covers=("where", "gt", "expm1", "mul")),
    # (alpha=0.5: PyTorch's backward rounds 1/alpha to float32, exact for 0.5)
    _act("celu", 0.5, domain=NONZERO, covers=("where", "gt", "expm1", "mul")),
    _act("mish", covers=("mish",)),
    _act("softsign", covers=("div", "abs", "add")),
    _act("hardswish", cases=[((3,),), ((2, 3),)], domain=WIDE, covers=("hardswish",)),
    Spec("hardsigmoid", lambda x: _F().hardsigmoid(x), _torch_hardsigmoid, [((3,),), ((2, 3),)], WIDE,
         covers=("where", "le", "ge", "div", "add")),
    _act("logsigmoid", covers=("neg", "softplus")),
    _act("threshold", 0.3, -2.0, cases=[((2, 3),)], covers=("where", "gt")),
    _act("tanhshrink", covers=("sub", "tanh")),
    _act("softshrink", 0.7, domain=WIDE, covers=("where", "gt", "lt", "sub", "add", "mul")),
    _act("hardshrink", 0.7, domain=WIDE, covers=("where", "gt", "abs")),
    _act("glu", cases=[((4,),), ((2, 4),)], covers=("index", "sigmoid", "mul")),
    Spec("glu_dim0", lambda x: _F().glu(x, 0), lambda x: _torch_F().glu(x, 0), [((2, 3),)], covers=("index",)),
    _act("softmin", -1, cases=[((3,),), ((2, 3),)], covers=("softmax", "neg")),
    _act("rrelu", 0.1, 0.4, domain=NONZERO, covers=("where", "gt", "mul")),
    Spec("rrelu_training", _seeded_rrelu, None, UNARY, NONZERO, covers=("mul",)),
    Spec("prelu", lambda x, w: _F().prelu(x, w), lambda x, w: _torch_F().prelu(x, w),
         [((2, 3), (3,)), ((2, 3, 2), (3,)), ((3,), (1,))], [NONZERO, REAL], covers=("where", "gt", "mul", "view")),
    # ---- more losses and distances (likelihood_losses.py, margin_losses.py, distance.py)
    _loss_row("kl_div_batchmean", lambda F, M, x, t: F.kl_div(x, t, reduction="batchmean"), PAIRS, [REAL, POS],
              covers=("mul", "log", "sub", "sum", "div")),
    _loss_row("kl_div_log_target", lambda F, M, x, t: F.kl_div(x, t, reduction="none", log_target=True), PAIRS,
              covers=("exp", "mul", "sub")),
    _loss_row("poisson_nll_loss", lambda F, M, x, t: F.poisson_nll_loss(x, t), PAIRS, covers=("exp", "mul", "mean")),
    _loss_row("poisson_nll_loss_full", lambda F, M, x, t: F.poisson_nll_loss(x, t, log_input=False, full=True,
                                                                             reduction="sum"),
              PAIRS, POS, covers=("log", "where", "gt", "add")),
    _loss_row("gaussian_nll_loss", lambda F, M, x, t, v: F.gaussian_nll_loss(x, t, v, full=True),
              [*TRIPLES, ((2, 3), (2, 3), (2,))], [REAL, REAL, POS], covers=("log", "pow_scalar", "div", "view")),
    _loss_row("soft_margin_loss", lambda F, M, x: F.soft_margin_loss(x, _signs(M, x)), UNARY[1:],
              covers=("softplus", "neg", "mul")),
    _loss_row("multilabel_soft_margin_loss", lambda F, M, x, w: F.multilabel_soft_margin_loss(
        x, (_signs(M, x) + 1) / 2, w, reduction="none"), [((2, 3), (3,))], covers=("softplus", "sum", "div")),
    _loss_row("hinge_embedding_loss", lambda F, M, x: F.hinge_embedding_loss(x, _signs(M, x), 0.5, reduction="sum"),
              UNARY[1:], covers=("clamp", "where", "ne")),
    _loss_row("margin_ranking_loss", lambda F, M, a, b: F.margin_ranking_loss(a, b, _signs(M, a), 0.3), PAIRS,
              covers=("clamp", "mul", "sub")),
    _loss_row("cosine_embedding_loss", lambda F, M, a, b: F.cosine_embedding_loss(
        a, b, M.tensor([1.0, -1.0], dtype=a.dtype), -0.5, reduction="none"), PAIRS,
              covers=("sqrt", "sum", "div", "where", "eq", "clamp")),
    *[_loss_row(f"triplet_margin_loss_{name}", lambda F, M, a, p, n, kw=kw: F.triplet_margin_loss(a, p, n, **kw),
                TRIPLES, covers=("vector_norm", "clamp", "minimum"))
      for name, kw in [("2", {}), ("1_swap", {"p": 1, "swap": True, "margin": 2.0})]],
    # (the weight a constant: PyTorch's multi_margin_loss has no derivative for it)
    *[_loss_row(f"multi_margin_loss_{p}", lambda F, M, x, p=p: F.multi_margin_loss(
        x, M.tensor([1, 3]), p=p, margin=1.5, weight=M.tensor([0.5, 1.0, 2.0, 1.5], dtype=x.dtype)), [((2, 4),)],
                covers=("index", "where", "gt")) for p in (1, 2)],
    _loss_row("cosine_similarity", lambda F, M, a, b: F.cosine_similarity(a, b, -1), [*PAIRS, ((2, 3), (3,))],
              covers=("vector_norm", "div", "mul", "sum")),
    # ---- more layers (layer_functions.py)
    _loss_row("group_norm", lambda F, M, x, w, b: F.group_norm(x, 2, w, b),
              [((2, 4), (4,), (4,)), ((2, 4, 3), (4,), (4,))], covers=("mean", "sub", "mul", "rsqrt", "add", "view")),
    _loss_row("instance_norm", lambda F, M, x, w, b: F.instance_norm(x, weight=w, bias=b),
              [((2, 2, 3), (2,), (2,)), ((1, 2, 2, 2), (2,), (2,))],
              covers=("mean", "sub", "mul", "rsqrt", "add", "view")),
    _loss_row("bilinear", lambda F, M, x1, x2, w, b: F.bilinear(x1, x2, w, b),
              [((2, 3), (2, 2), (4, 3, 2), (4,)), ((3,), (2,), (1, 3, 2), (1,))], covers=("einsum", "add")),
    _loss_row("pairwise_distance", lambda F, M, a, b: F.pairwise_distance(a, b, 3.0, keepdim=True), PAIRS,
              covers=("vector_norm", "sub", "add")),
]

def _torch() -> Any:
    return __import__("torch")


# ---- recurrent cells and layers (rnn_functions.py, rnn.py), normalize (distance.py)
def _cell_row(name: str, torch_name: str, gates: int, hidden: int, covers: tuple[str, ...],
              two_states: bool = False) -> Spec:
    """``torch.<torch_name>(x, h, w_ih, w_hh, b_ih, b_hh)`` against symgrad's step (an LSTM cell's ``(h, c)``
    concatenated)."""
    def ours(x: Any, *rest: Any) -> Any:
        from symgrad.nn.rnn_functions import step_for

        state, (w_ih, w_hh, b_ih, b_hh) = rest[:-4], rest[-4:]
        out = step_for(name)(_F().linear(x, w_ih, b_ih), tuple(state), (w_hh, b_hh, None))
        return sg.cat(list(out), -1)

    def theirs(x: Any, *rest: Any) -> Any:
        state = tuple(rest[:-4]) if two_states else rest[0]
        out = getattr(_torch(), torch_name)(x, state, *rest[-4:])
        return _torch().cat(list(out), -1) if two_states else out

    states = ((1, hidden),) * (2 if two_states else 1)
    g = gates * hidden
    return Spec(f"{torch_name}_step", ours, theirs, [((1, 2), *states, (g, 2), (g, hidden), (g,), (g,))],
                covers=covers)


def _layer_row(row: str, name: str, kwargs: dict[str, Any], x_shape: tuple[int, ...],
               weight_shapes: list[tuple[int, ...]]) -> Spec:
    """A whole recurrent layer (``output``), its weights passed in through ``functional_call``."""
    def call(M: Any, x: Any, *weights: Any) -> Any:
        module = getattr(M.nn, name)(x.shape[-1], 1, **kwargs).double()
        names = [n for n, _ in module.named_parameters()]
        return M.func.functional_call(module, dict(zip(names, weights)), (x,))[0]

    return Spec(row, lambda *a: call(sg, *a), lambda *a: call(_torch(), *a), [(x_shape, *weight_shapes)],
                covers=("linear", "index", "add", "tanh", "stack", "cat"))


_RECURRENT_AND_MORE = [
    _cell_row("RNN_TANH", "rnn_tanh_cell", 1, 2, ("linear", "add", "tanh")),
    _cell_row("RNN_RELU", "rnn_relu_cell", 1, 2, ("linear", "add", "relu")),
    _cell_row("LSTM", "lstm_cell", 4, 1, ("linear", "index", "add", "mul", "sigmoid", "tanh", "cat"),
              two_states=True),
    _cell_row("GRU", "gru_cell", 3, 2, ("linear", "index", "add", "sub", "mul", "sigmoid", "tanh")),
    # (an LSTM over several steps is compared with torch in tests/test_nn_recurrent.py: sympy.diff of it is slow)
    _layer_row("rnn_bidirectional", "RNN", {"bidirectional": True}, (2, 1, 1), [(1, 1), (1, 1), (1,), (1,)] * 2),
    _layer_row("gru_two_layers_batch_first", "GRU", {"num_layers": 2, "batch_first": True, "bias": False},
               (2, 1, 2), [(3, 2), (3, 1), (3, 1), (3, 1)]),
    Spec("normalize", lambda x: _F().normalize(x, dim=-1), lambda x: _torch_F().normalize(x, dim=-1),
         [((3,),), ((2, 3),)], covers=("vector_norm", "clamp", "div")),
    Spec("interpolate_nearest", lambda x: _F().interpolate(x, scale_factor=(1.5, 0.7)),
         lambda x: _torch_F().interpolate(x, scale_factor=(1.5, 0.7)), [((1, 2, 2, 3),)], covers=("index",)),
    Spec("interpolate_linear", lambda x: _F().interpolate(x, size=5, mode="linear"),
         lambda x: _torch_F().interpolate(x, size=5, mode="linear"), [((2, 1, 3),)], covers=("matmul", "permute")),
    Spec("interpolate_bilinear_align_corners", lambda x: _F().interpolate(x, size=(3, 2), mode="bilinear",
                                                                          align_corners=True),
         lambda x: _torch_F().interpolate(x, size=(3, 2), mode="bilinear", align_corners=True), [((1, 1, 2, 3),)],
         covers=("matmul", "permute")),
    Spec("scaled_dot_product_attention", lambda q, k, v: _F().scaled_dot_product_attention(q, k, v, is_causal=True),
         lambda q, k, v: _torch_F().scaled_dot_product_attention(q, k, v, is_causal=True),
         [((2, 2), (2, 2), (2, 1)), ((1, 2, 2), (1, 3, 2), (1, 3, 2))],
         covers=("matmul", "permute", "mul", "where", "softmax")),
    Spec("normalize_p1_dim0", lambda x: _F().normalize(x, 1.0, 0), lambda x: _torch_F().normalize(x, 1.0, 0),
         [((2, 3),)], NONZERO, covers=("vector_norm", "clamp", "div")),
]


def _q(M: Any, like: Any, values: list[float]) -> Any:
    """Quantiles as a tensor of ``like``'s dtype (PyTorch wants q's dtype to be the input's)."""
    return M.tensor(values, dtype=like.dtype)


# ---- order statistics (symgrad/ops/statistics.py): the chosen elements gathered by `index`, so code generation
# refuses them (as sort); ties do not occur in the random samples (tests/test_statistics.py covers them)
_STATISTICS = [
    Spec("median", lambda x: sg.median(x), lambda x: _torch().median(x), MATRIX, covers=("index", "view"),
         integer=True, skips=CHOSEN_BY_VALUES),
    Spec("median_dim", lambda x: x.median(-1).values, lambda x: x.median(-1).values, MATRIX, covers=("index",),
         integer=True, skips=CHOSEN_BY_VALUES),
    Spec("median_keepdim", lambda x: sg.median(x, 0, keepdim=True).values,
         lambda x: _torch().median(x, 0, keepdim=True).values, MATRIX[1:], covers=("index",), skips=CHOSEN_BY_VALUES),
    Spec("nanmedian", lambda x: sg.nanmedian(x), lambda x: _torch().nanmedian(x), MATRIX[1:],
         covers=("index", "view"), integer=True, skips=CHOSEN_BY_VALUES),
    Spec("nanmedian_dim", lambda x: x.nanmedian(0).values, lambda x: x.nanmedian(0).values, MATRIX,
         covers=("index",), skips=CHOSEN_BY_VALUES),
    Spec("kthvalue", lambda x: sg.kthvalue(x, 2).values, lambda x: _torch().kthvalue(x, 2).values, MATRIX,
         covers=("index",), integer=True, skips=CHOSEN_BY_VALUES),
    Spec("kthvalue_dim", lambda x: x.kthvalue(1, 0, True).values, lambda x: x.kthvalue(1, 0, True).values,
         MATRIX[1:], covers=("index",), skips=CHOSEN_BY_VALUES),
    Spec("mode", lambda x: sg.mode(x).values, lambda x: _torch().mode(x).values, MATRIX, covers=("index",),
         integer=True, skips=CHOSEN_BY_VALUES),
    Spec("msort", sg.msort, _t("msort"), MATRIX, covers=("index",), integer=True, skips=CHOSEN_BY_VALUES),
    Spec("quantile", lambda x: sg.quantile(x, 0.3), lambda x: _torch().quantile(x, 0.3), MATRIX,
         covers=("index", "view", "mul", "add", "sub"), skips=CHOSEN_BY_VALUES),
    Spec("quantile_dim_vector", lambda x: x.quantile(_q(sg, x, [0.25, 0.8]), dim=-1, keepdim=True),
         lambda x: x.quantile(_q(_torch(), x, [0.25, 0.8]), dim=-1, keepdim=True), MATRIX[1:],
         covers=("index", "view", "mul", "add", "sub", "where"), skips=CHOSEN_BY_VALUES),
    *[Spec(f"quantile_{mode}", lambda x, mode=mode: sg.quantile(x, 0.4, 0, interpolation=mode),
           lambda x, mode=mode: _torch().quantile(x, 0.4, 0, interpolation=mode), MATRIX,
           covers=("index", "view"), skips=CHOSEN_BY_VALUES) for mode in ("lower", "higher", "midpoint", "nearest")],
    Spec("nanquantile", lambda x: sg.nanquantile(x, 0.7, 0), lambda x: _torch().nanquantile(x, 0.7, 0), MATRIX,
         covers=("index", "view", "mul", "add", "sub"), skips=CHOSEN_BY_VALUES),
    # ---- distances, covariance, trapezoidal rule (compositions of vector_norm, matmul, index, cumsum)
    *[Spec(f"cdist_{name}", lambda a, b, p=p: sg.cdist(a, b, p), lambda a, b, p=p: _torch().cdist(a, b, p),
           [((4, 3), (2, 3)), ((2, 3, 2), (2, 2, 2)), ((2, 1, 3, 2), (3, 2, 2))], covers=("vector_norm", "sub", "view"))
      for name, p in [("2", 2.0), ("1", 1.0), ("3", 3.0), ("inf", float("inf"))]],
    Spec("dist", sg.dist, _t("dist"), [((3,), (3,)), ((2, 3), (3,))], covers=("vector_norm", "sub")),
    Spec("dist_method_p3", lambda x, y: x.dist(y, 3), lambda x, y: x.dist(y, 3), [((2, 3), (2, 3))],
         covers=("vector_norm", "sub")),
    Spec("cov", sg.cov, _t("cov"), [((4,),), ((2, 4),), ((3, 5),)], covers=("sum", "div", "sub", "matmul", "view")),
    Spec("cov_weights", lambda x, w: sg.cov(x, correction=2, fweights=sg.tensor([1, 0, 2, 1]), aweights=w),
         lambda x, w: _torch().cov(x, correction=2, fweights=_torch().tensor([1, 0, 2, 1]), aweights=w),
         [((2, 4), (4,)), ((4,), (4,))], [REAL, POS], covers=("sum", "div", "sub", "mul", "matmul", "view")),
    # (three variables' gradient closed form passes the size guard: two suffice)
    Spec("corrcoef", sg.corrcoef, _t("corrcoef"), [((2, 4),), ((4,),)],
         covers=("sum", "div", "sub", "matmul", "view", "sqrt", "diagonal", "clamp")),
    Spec("trapezoid", lambda y: sg.trapezoid(y, dx=0.5), lambda y: _torch().trapezoid(y, dx=0.5),
         [((5,),), ((2, 4),)], covers=("sum", "index", "add", "sub", "mul")),
    Spec("trapezoid_x", lambda y, x: sg.trapezoid(y, x, dim=0), lambda y, x: _torch().trapezoid(y, x, dim=0),
         [((4,), (4,)), ((3, 2), (3, 2)), ((3, 2), (3,))], covers=("sum", "index", "add", "sub", "mul", "div")),
    Spec("trapz", lambda y: sg.trapz(y), lambda y: _torch().trapz(y), [((2, 4),)], covers=("sum", "index", "mul")),
    Spec("cumulative_trapezoid", lambda y: sg.cumulative_trapezoid(y, dx=2), lambda y: _torch().cumulative_trapezoid(
         y, dx=2), [((5,),), ((2, 4),)], covers=("cumsum", "index", "add", "mul")),
    Spec("cumulative_trapezoid_x", lambda y, x: sg.cumulative_trapezoid(y, x),
         lambda y, x: _torch().cumulative_trapezoid(y, x), [((4,), (4,)), ((2, 3), (3,))],
         covers=("cumsum", "index", "add", "sub", "mul", "div")),
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
    Spec("max", lambda x: x.max(), lambda x: x.max(), MATRIX[:2], covers=("max_all",)),
    Spec("min", lambda x: x.min(), lambda x: x.min(), MATRIX[:2], covers=("min_all",)),
    Spec("max_dim", lambda x: x.max(-1).values, lambda x: x.max(-1).values, MATRIX,
         covers=("max_dim", "is_argmax", "argmax")),
    Spec("min_dim", lambda x: x.min(0, keepdim=True).values, lambda x: x.min(0, keepdim=True).values, MATRIX,
         covers=("min_dim", "is_argmin", "argmin")),
    Spec("argmax", lambda x: sg.argmax(x, -1), lambda x: x.argmax(-1), MATRIX, differentiable=False),
    Spec("argmin", lambda x: sg.argmin(x), lambda x: x.argmin(), MATRIX, differentiable=False),
    Spec("var", lambda x: x.var(), lambda x: x.var(), MATRIX, covers=("var",)),
    Spec("std_dim", lambda x: x.std(-1, correction=0), lambda x: x.std(-1, correction=0), MATRIX,
         covers=("var", "sqrt")),
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
    Spec("lerp", sg.lerp, _t("lerp"), [((3,), (3,), (3,)), ((2, 3), (3,), (2, 1))], covers=("lerp",)),
    Spec("lerp_scalar", lambda x, y: x.lerp(y, 0.3), lambda x, y: x.lerp(y, 0.3), BINARY[:3],
         covers=("lerp",)),
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
    # ---- the regularized incomplete gamma functions: differentiable in x only (PyTorch's backward raises for a,
    # as symgrad's does: tests/test_special_functions.py), so each row's a is a constant of x's dtype
    Spec("igamma", lambda x: sg.igamma(_shape_parameter(sg, x), x),
         lambda x: _t("igamma")(_shape_parameter(_torch(), x), x), UNARY, POS, skips=NO_SCALAR_SPECIAL),
    Spec("igammac", lambda x: sg.igammac(_shape_parameter(sg, x), x),
         lambda x: _t("igammac")(_shape_parameter(_torch(), x), x), UNARY, POS, skips=NO_SCALAR_SPECIAL),
    Spec("special_gammainc_scalar_a", lambda x: sg.special.gammainc(sg.tensor(2.5, dtype=x.dtype), x),
         lambda x: _torch().special.gammainc(_torch().tensor(2.5, dtype=x.dtype), x), UNARY, (0.05, 6.0),
         covers=("igamma",), skips=NO_SCALAR_SPECIAL),
    Spec("special_gammaincc_small_a", lambda x: sg.special.gammaincc(sg.tensor([0.05, 0.4, 1.0], dtype=x.dtype), x),
         lambda x: _torch().special.gammaincc(_torch().tensor([0.05, 0.4, 1.0], dtype=x.dtype), x), UNARY,
         (0.05, 3.0), covers=("igammac",), skips=NO_SCALAR_SPECIAL),
    # their derivative in x, x**(a - 1) e**-x / gamma(a): an op of its own (its numbers for a >= 10 are Stirling's
    # form: tests/test_incomplete_gamma.py), differentiable in a and x as PyTorch's formula, its oracle
    Spec("igamma_density", _igamma_density,
         lambda a, x: _torch().exp((a - 1) * _torch().log(x) - x - _torch().lgamma(a)), BINARY, POS,
         skips=NO_SCALAR_SPECIAL),
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
         covers=("gelu",)),
    Spec("gelu_tanh", lambda x: _F().gelu(x, approximate="tanh"),
         lambda x: __import__("torch").nn.functional.gelu(x, approximate="tanh"), UNARY,
         covers=("gelu",)),
    Spec("leaky_relu", lambda x: _F().leaky_relu(x, 0.2),
         lambda x: __import__("torch").nn.functional.leaky_relu(x, 0.2), UNARY, NONZERO, covers=("where", "gt", "mul")),
    Spec("elu", lambda x: _F().elu(x, 0.7), lambda x: __import__("torch").nn.functional.elu(x, 0.7), UNARY, NONZERO,
         covers=("where", "gt", "expm1", "mul")),
    Spec("silu", lambda x: _F().silu(x), lambda x: __import__("torch").nn.functional.silu(x), UNARY,
         covers=("silu",)),
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
    *_SHAPE_FUNCTIONS,
    *_CONVOLUTIONS,
    *_MORE_ACTIVATIONS_AND_LOSSES,
    *_STATISTICS,
    *_RECURRENT_AND_MORE,
]

SPEC_BY_NAME = {s.name: s for s in SPECS}
