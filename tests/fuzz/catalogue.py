"""The fuzzable ops, as data: one row per op.

A row says how the op prints (a template in symgrad's dialect and, where it
differs, PyTorch's), which input values it accepts (its domain, kept away
from poles), which input shapes fit together, which parameters it takes, and
where it is not smooth (its *kinks*).  The generator only calls an op inside
its domain and at least ``MARGIN`` away from a kink, so finite differences,
closed forms and PyTorch all describe the same smooth function there.

Templates use ``{M}`` for the module (``symgrad`` or ``torch``), ``{0}``,
``{1}``... for the arguments and ``{name}`` for parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import strategies as st

Shape = tuple[int, ...]
Kink = Callable[..., tuple[Any, float]]   # (*input values, **params) -> (branch id, distance to the nearest kink)

MARGIN = 0.05        # how far (in value units) an op's inputs stay from its kinks and poles
MAX_NUMEL = 12       # largest tensor a program builds (closed forms of bigger ones get slow)


@dataclass(frozen=True)
class Interval:
    """Inputs must lie in [lo, hi]; ``away_from_zero`` also keeps |x| >= it."""

    lo: float = -np.inf
    hi: float = np.inf
    away_from_zero: float = 0.0

    def contains(self, v: np.ndarray) -> bool:
        v = np.asarray(v)
        return bool(np.all((v >= self.lo) & (v <= self.hi) & (np.abs(v) >= self.away_from_zero)))


ANY = Interval(-1e3, 1e3)
SMALL = Interval(-3.0, 3.0)          # exp-like ops: keep results moderate
POS = Interval(0.2, 1e3)
NONZERO = Interval(-1e3, 1e3, away_from_zero=0.2)
UNIT = Interval(-0.85, 0.85)


@dataclass(frozen=True)
class FuzzOp:
    name: str
    template: str
    arity: int = 1
    domains: tuple[Interval, ...] = (ANY,)
    torch_template: str | None = None        # None: PyTorch spells it the same way
    shapes: Callable[[Sequence[Shape]], bool] | None = None    # which argument shapes fit (None: broadcastable)
    params: Callable[[Any, Sequence[Shape]], dict[str, Any]] | None = None   # (draw, shapes) -> params
    kink: Kink | None = None
    nondiff: tuple[int, ...] = ()            # arguments the result does not depend on differentiably (masks)
    partial_shapes: bool = False             # ``shapes`` also judges the first arguments alone (guides drawing)
    tags: frozenset[str] = field(default_factory=frozenset)

    def domain(self, i: int) -> Interval:
        return self.domains[i] if i < len(self.domains) else self.domains[-1]

    def fits(self, shapes: Sequence[Shape]) -> bool:
        if self.shapes is not None:
            return self.shapes(shapes)
        try:
            out = np.broadcast_shapes(*shapes)
        except ValueError:
            return False
        return int(np.prod(out)) <= MAX_NUMEL

    def render(self, dialect: str, args: Sequence[str], params: dict[str, Any]) -> str:
        template = self.torch_template if dialect == "torch" and self.torch_template else self.template
        return template.format(*args, M=dialect, **{k: _literal(v) for k, v in params.items()})


def _literal(v: Any) -> str:
    return repr(v) if not isinstance(v, float) else repr(float(v))


# ---------------------------------------------------------------- kinks

def _sign_kink(x: Any, **_: Any) -> tuple[Any, float]:
    return x > 0, float(np.min(np.abs(x), initial=np.inf))


def _integer_kink(x: Any, **_: Any) -> tuple[Any, float]:
    return np.floor(x), float(np.min(np.abs(x - np.round(x)), initial=np.inf))


def _half_integer_kink(x: Any, **_: Any) -> tuple[Any, float]:
    return np.round(x), float(np.min(np.abs(x - np.floor(x) - 0.5), initial=np.inf))


def _difference_kink(x: Any, y: Any, **_: Any) -> tuple[Any, float]:
    return _sign_kink(np.asarray(x) - np.asarray(y))


def _first_argument_sign(c: Any, *_: Any, **__: Any) -> tuple[Any, float]:
    return _sign_kink(c)


def _second_argument_sign(x: Any, c: Any, **_: Any) -> tuple[Any, float]:
    return _sign_kink(c)


def _clamp_kink(x: Any, lo: float, hi: float) -> tuple[Any, float]:
    b1, d1 = _sign_kink(x - lo)
    b2, d2 = _sign_kink(x - hi)
    return np.stack([b1, b2]), min(d1, d2)


def _remainder_kink(x: Any, y: Any) -> tuple[Any, float]:
    q = np.asarray(x) / np.asarray(y)
    return np.floor(q), float(np.min(np.abs(q - np.round(q)), initial=np.inf))


def _softplus_kink(x: Any, beta: float, threshold: float) -> tuple[Any, float]:
    return _sign_kink(x * beta - threshold)


def _top_two_gap(x: Any, dim: int | None = None) -> tuple[Any, float]:
    """Max/min/argmax change branch where the two largest (or smallest) values meet."""
    x = np.asarray(x)
    if x.ndim == 0:
        return np.zeros(0), np.inf
    rows = x.reshape(1, -1) if dim is None else np.moveaxis(x, dim, -1).reshape(-1, x.shape[dim])
    if rows.shape[-1] < 2:
        return np.zeros(0), np.inf
    s = np.sort(rows, axis=-1)
    gaps = np.minimum(s[:, -1] - s[:, -2], s[:, 1] - s[:, 0])
    return np.argsort(rows, axis=-1)[:, [0, -1]], float(np.min(gaps))


def _dim_kink(x: Any, dim: int, **_: Any) -> tuple[Any, float]:
    return _top_two_gap(x, dim)


def _all_kink(x: Any, **_: Any) -> tuple[Any, float]:
    return _top_two_gap(x, None)


def _std_kink(x: Any, dim: int) -> tuple[Any, float]:
    return np.zeros(0), float(np.min(np.std(x, axis=dim)))


def _norm_kink(x: Any) -> tuple[Any, float]:
    return np.zeros(0), float(np.sqrt(np.sum(np.asarray(x) ** 2)))


def _mask_kink(x: Any, **_: Any) -> tuple[Any, float]:
    return _sign_kink(x)


def _fmod_kink(x: Any, y: Any) -> tuple[Any, float]:
    """fmod(x, y) = x - y*trunc(x/y) jumps where x/y crosses a nonzero integer
    (not at 0: trunc is 0 on both sides of it)."""
    q = np.asarray(x) / np.asarray(y)
    near = np.round(q)
    gaps = np.where(near == 0, 1 - np.abs(q), np.abs(q - near))
    return np.trunc(q), float(np.min(gaps, initial=np.inf))


def _order_kink(x: Any, dim: int, k: int | None = None, largest: bool = True) -> tuple[Any, float]:
    """sort and topk pick elements by rank: they change branch where two of the
    values they rank meet (for topk: within the top k, or the k-th and the next)."""
    rows = np.moveaxis(np.asarray(x), dim, -1)
    n = rows.shape[-1]
    k = n if k is None else k
    order = np.argsort(rows, axis=-1, kind="stable")
    if largest:
        order = order[..., ::-1]
    ranked = np.take_along_axis(rows, order[..., :min(k + 1, n)], axis=-1)
    return order[..., :k], float(np.min(np.abs(np.diff(ranked, axis=-1)), initial=np.inf))


def _sort_kink(x: Any, dim: int, descending: bool = False) -> tuple[Any, float]:
    return _order_kink(x, dim)


def _topk_kink(x: Any, k: int, dim: int, largest: bool) -> tuple[Any, float]:
    return _order_kink(x, dim, k, largest)


# ---------------------------------------------------------------- shape rules and params

def _nd(k: int) -> Callable[[Sequence[Shape]], bool]:
    return lambda shapes: len(shapes[0]) >= k


def _dim(draw: Any, shapes: Sequence[Shape]) -> dict[str, Any]:
    n = len(shapes[0])
    return {"dim": draw(st.integers(-n, n - 1))}


def _dim_counted(draw: Any, shapes: Sequence[Shape]) -> dict[str, Any]:
    """A dim with at least two elements (var/std divide by n - 1)."""
    dims = [d for d, s in enumerate(shapes[0]) if s >= 2]
    return {"dim": draw(st.sampled_from(dims))}


def _has_counted_dim(shapes: Sequence[Shape]) -> bool:
    return any(s >= 2 for s in shapes[0])


def _same_shape(shapes: Sequence[Shape]) -> bool:
    return all(s == shapes[0] for s in shapes) and 2 * int(np.prod(shapes[0])) <= MAX_NUMEL


def _catable(shapes: Sequence[Shape]) -> bool:
    a, b = shapes
    return (len(a) == len(b) >= 1 and a[1:] == b[1:] and int(np.prod(a)) + int(np.prod(b)) <= MAX_NUMEL)


def _matmul_fits(shapes: Sequence[Shape]) -> bool:
    a, b = shapes
    if not a or not b or len(a) > 3 or len(b) > 3:
        return False
    if a[-1] != b[-2 if len(b) > 1 else 0]:
        return False
    try:
        np.broadcast_shapes(a[:-2], b[:-2])
    except ValueError:
        return False
    return True


def _vectors(same_length: bool) -> Callable[[Sequence[Shape]], bool]:
    def fits(shapes: Sequence[Shape]) -> bool:
        a, b = shapes
        ok = len(a) == len(b) == 1
        return ok and (a == b if same_length else a[0] * b[0] <= MAX_NUMEL)
    return fits


def _linear_fits(shapes: Sequence[Shape]) -> bool:
    """input (..., n), weight (k, n), and a bias (k,) when there are three."""
    if len(shapes) == 1:
        return 1 <= len(shapes[0]) <= 2
    x, w, *b = shapes
    ok = 1 <= len(x) <= 2 and len(w) == 2 and w[1] == x[-1] and int(np.prod(x[:-1])) * w[0] <= MAX_NUMEL
    return ok and all(s == (w[0],) for s in b)


def _reduction(draw: Any, shapes: Sequence[Shape]) -> dict[str, Any]:
    return {"reduction": draw(st.sampled_from(["mean", "sum", "none"]))}


def _clamp_params(draw: Any, shapes: Sequence[Shape]) -> dict[str, Any]:
    lo = draw(st.sampled_from([-1.0, -0.5, 0.0, 0.25]))
    return {"lo": lo, "hi": lo + draw(st.sampled_from([0.5, 1.0, 2.0]))}


def _scalar(values: Sequence[float]) -> Callable[[Any, Sequence[Shape]], dict[str, Any]]:
    return lambda draw, shapes: {"c": draw(st.sampled_from(list(values)))}


def _expand_params(draw: Any, shapes: Sequence[Shape]) -> dict[str, Any]:
    s = shapes[0]
    target = tuple(2 if d == 1 else d for d in s)
    if not s or int(np.prod(target)) * 2 <= MAX_NUMEL and draw(st.booleans()):
        target = (2, *target)
    return {"shape": target}


def _expand_fits(shapes: Sequence[Shape]) -> bool:
    return int(np.prod(shapes[0])) * 2 <= MAX_NUMEL


def _permute_params(draw: Any, shapes: Sequence[Shape]) -> dict[str, Any]:
    return {"dims": tuple(draw(st.permutations(range(len(shapes[0])))))}


def _reshape_params(draw: Any, shapes: Sequence[Shape]) -> dict[str, Any]:
    n = int(np.prod(shapes[0]))
    options = [(-1,)] + [(a, -1) for a in (1, 2, 3) if n % a == 0]
    return {"shape": draw(st.sampled_from(options))}


def _pick_params(draw: Any, shapes: Sequence[Shape]) -> dict[str, Any]:
    n = shapes[0][0]
    return {"idx": draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3))}


def _lerp_weight(draw: Any, shapes: Sequence[Shape]) -> dict[str, Any]:
    return {"w": draw(st.sampled_from([0.25, 0.75, 1.5]))}


def _value(draw: Any, shapes: Sequence[Shape]) -> dict[str, Any]:
    return {"c": draw(st.sampled_from([1, 0.5, -2.0]))}


def _diagonal(draw: Any, shapes: Sequence[Shape]) -> dict[str, Any]:
    return {"k": draw(st.sampled_from([-1, 0, 1]))}


def _diag_fits(shapes: Sequence[Shape]) -> bool:
    s = shapes[0]
    return len(s) == 2 or (len(s) == 1 and s[0] <= 3)


def _diag_params(draw: Any, shapes: Sequence[Shape]) -> dict[str, Any]:
    """A diagonal that exists (2-d), or a matrix of at most 3 x 3 (1-d)."""
    s = shapes[0]
    if len(s) == 1:
        room = 3 - s[0]
        return {"k": draw(st.integers(-room, room))}
    return {"k": draw(st.integers(-(s[0] - 1), s[1] - 1))}


def _roll_params(draw: Any, shapes: Sequence[Shape]) -> dict[str, Any]:
    """One shift of the flattened tensor (dims None), or shifts along distinct dims."""
    n = len(shapes[0])
    shift = st.integers(-3, 3)
    if draw(st.booleans()):
        return {"shifts": draw(shift), "dims": None}
    dims = draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=n,
                         unique_by=lambda d: d % n))
    return {"shifts": tuple(draw(shift) for _ in dims), "dims": tuple(dims)}


def _repeat_params(draw: Any, shapes: Sequence[Shape]) -> dict[str, Any]:
    """Repeats for every dim (and maybe one new leading dim) within MAX_NUMEL."""
    s = shapes[0]
    budget = MAX_NUMEL // max(1, int(np.prod(s)))
    sizes = []
    for _ in range(len(s) + draw(st.integers(0 if s else 1, 1))):
        r = draw(st.integers(1, max(1, min(3, budget))))
        budget //= r
        sizes.append(r)
    return {"sizes": tuple(sizes)}


def _index_select_params(draw: Any, shapes: Sequence[Shape]) -> dict[str, Any]:
    n = len(shapes[0])
    dim = draw(st.integers(-n, n - 1))
    idx = draw(st.lists(st.integers(0, shapes[0][dim] - 1), min_size=1, max_size=3))
    return {"dim": dim, "idx": idx}


def _sort_params(draw: Any, shapes: Sequence[Shape]) -> dict[str, Any]:
    return {**_dim(draw, shapes), "descending": draw(st.booleans())}


def _topk_params(draw: Any, shapes: Sequence[Shape]) -> dict[str, Any]:
    dim = _dim(draw, shapes)["dim"]
    return {"k": draw(st.integers(1, shapes[0][dim])), "dim": dim, "largest": draw(st.booleans())}


def _stack_dim(draw: Any, shapes: Sequence[Shape]) -> dict[str, Any]:
    n = len(shapes[0]) + 1
    return {"dim": draw(st.integers(-n, n - 1))}


def _catable_last(shapes: Sequence[Shape]) -> bool:
    a, b = shapes
    return (len(a) == len(b) >= 1 and a[:-1] == b[:-1] and int(np.prod(a)) + int(np.prod(b)) <= MAX_NUMEL)


def _unit_dim(draw: Any, shapes: Sequence[Shape]) -> dict[str, Any]:
    n = len(shapes[0])
    return {"dim": draw(st.sampled_from([d for d in range(-n, n) if shapes[0][d] == 1]))}


def _new_dim(draw: Any, shapes: Sequence[Shape]) -> dict[str, Any]:
    n = len(shapes[0]) + 1
    return {"dim": draw(st.integers(-n, n - 1))}


def _leaky_slope(draw: Any, shapes: Sequence[Shape]) -> dict[str, Any]:
    return {"slope": draw(st.sampled_from([0.01, 0.2, -0.5]))}


def _elu_alpha(draw: Any, shapes: Sequence[Shape]) -> dict[str, Any]:
    return {"alpha": draw(st.sampled_from([1.0, 0.5, 2.0]))}


def _einsum_fits(equation: str) -> Callable[[Sequence[Shape]], bool]:
    """Whether the shapes fit ``equation`` (letters and at most one '...' per
    operand) as PyTorch's einsum takes them: a letter's sizes in different
    operands agree or are 1 (broadcast), a letter repeated in one operand has
    one size there, and the dims '...' covers broadcast (aligned from the
    right); also judges the first operands alone, to guide drawing."""
    ins = equation.split("->")[0].split(",")

    def fits(shapes: Sequence[Shape]) -> bool:
        sizes: dict[str, int] = {}
        batch: list[Shape] = []
        for sub, shape in zip(ins, shapes):
            before, dots, after = sub.partition("...")
            if len(shape) < len(before) + len(after) or (not dots and len(shape) != len(sub)):
                return False
            end = len(shape) - len(after)
            batch.append(shape[len(before):end])
            own: dict[str, int] = {}
            for c, n in zip(before + after, shape[:len(before)] + shape[end:]):
                if own.setdefault(c, n) != n or n != 1 and sizes.get(c, 1) not in (1, n):
                    return False
                if n != 1:
                    sizes[c] = n
        try:
            np.broadcast_shapes(*batch)
        except ValueError:
            return False
        return True
    return fits


# ---------------------------------------------------------------- the catalogue

def _u(name: str, domain: Interval = ANY, template: str | None = None, **kw: Any) -> FuzzOp:
    return FuzzOp(name, template or f"{{M}}.{name}({{0}})", domains=(domain,), **kw)


UNARY = [
    FuzzOp("neg", "-{0}"),
    _u("sin"), _u("cos"), _u("tanh"), _u("sigmoid"), _u("atan"), _u("asinh"), _u("erf"), _u("erfc"),
    _u("exp", SMALL), _u("exp2", SMALL), _u("expm1", SMALL), _u("sinh", SMALL), _u("cosh", SMALL),
    _u("log", POS), _u("log2", POS), _u("log10", POS), _u("sqrt", POS), _u("rsqrt", POS),
    _u("reciprocal", NONZERO), _u("acosh", Interval(1.2, 1e3)), _u("log1p", Interval(-0.8, 1e3)),
    _u("asin", UNIT), _u("acos", UNIT), _u("atanh", UNIT), _u("tan", Interval(-1.2, 1.2)),
    _u("softplus", template="{M}.softplus({0})", torch_template="{M}.nn.functional.softplus({0})"),
    FuzzOp("softplus_beta", "{M}.softplus({0}, beta=2.0, threshold=3.0)",
           torch_template="{M}.nn.functional.softplus({0}, beta=2.0, threshold=3.0)",
           kink=lambda x: _softplus_kink(x, 2.0, 3.0)),
    _u("abs", kink=_sign_kink), _u("relu", kink=_sign_kink), _u("sign", kink=_sign_kink),
    _u("floor", kink=_integer_kink), _u("ceil", kink=_integer_kink), _u("trunc", kink=_integer_kink),
    _u("frac", kink=_integer_kink), _u("round", kink=_half_integer_kink),
    FuzzOp("clamp", "{0}.clamp({lo}, {hi})", params=_clamp_params, kink=_clamp_kink),
    FuzzOp("square", "{0} ** 2"), FuzzOp("cube", "{0} ** 3"),
    FuzzOp("pow_half", "{0} ** 0.5", domains=(POS,)), FuzzOp("pow_neg", "{0} ** -1.5", domains=(POS,)),
    FuzzOp("clone", "{0}.clone()"),
    FuzzOp("gelu", "{M}.nn.functional.gelu({0})"),
    FuzzOp("gelu_tanh", "{M}.nn.functional.gelu({0}, approximate='tanh')"),
    FuzzOp("leaky_relu", "{M}.nn.functional.leaky_relu({0}, {slope})", params=_leaky_slope, kink=_sign_kink),
    FuzzOp("elu", "{M}.nn.functional.elu({0}, alpha={alpha})", params=_elu_alpha, kink=_sign_kink),
    # every value of a program is finite (the generator keeps it so): nan_to_num is the identity
    # here, checked with its gradient's finite mask through every oracle; inf and nan are out of scope
    FuzzOp("nan_to_num", "{M}.nan_to_num({0})"),
    FuzzOp("nan_to_num_args", "{0}.nan_to_num(nan=0.5, posinf=2.0, neginf=-2.0)"),
]

SCALAR = [
    FuzzOp("add_scalar", "{0} + {c}", params=_scalar([1.5, -0.25])),
    FuzzOp("rsub_scalar", "{c} - {0}", params=_scalar([1.0, 2.5])),
    FuzzOp("mul_scalar", "{0} * {c}", params=_scalar([2.0, -0.5, 3])),
    FuzzOp("div_scalar", "{0} / {c}", params=_scalar([2.0, -4.0])),
    FuzzOp("rdiv_scalar", "{c} / {0}", domains=(NONZERO,), params=_scalar([1.0, -2.0])),
    FuzzOp("rpow_scalar", "{c} ** {0}", domains=(SMALL,), params=_scalar([2.0, 0.5])),
    FuzzOp("fmod_scalar", "{M}.fmod({0}, {c})", params=_scalar([1.5, -0.75]), kink=lambda x, c: _fmod_kink(x, c)),
]

BINARY = [
    FuzzOp("add", "{0} + {1}", 2), FuzzOp("sub", "{0} - {1}", 2), FuzzOp("mul", "{0} * {1}", 2),
    FuzzOp("div", "{0} / {1}", 2, (ANY, NONZERO)),
    FuzzOp("pow", "{0} ** {1}", 2, (POS, SMALL)),
    FuzzOp("maximum", "{M}.maximum({0}, {1})", 2, kink=_difference_kink),
    FuzzOp("minimum", "{M}.minimum({0}, {1})", 2, kink=_difference_kink),
    FuzzOp("remainder", "{0} % {1}", 2, (ANY, POS), kink=_remainder_kink),
    FuzzOp("mask", "{0} * ({1} > 0)", 2, kink=_second_argument_sign, nondiff=(1,)),
    FuzzOp("where", "{M}.where({0} > 0, {1}, {2})", 3, kink=_first_argument_sign, nondiff=(0,)),
    FuzzOp("fmod", "{M}.fmod({0}, {1})", 2, (ANY, NONZERO), kink=_fmod_kink),
    FuzzOp("lerp", "{M}.lerp({0}, {1}, {2})", 3),
    FuzzOp("lerp_scalar", "{0}.lerp({1}, {w})", 2, params=_lerp_weight),
    FuzzOp("addcmul", "{M}.addcmul({0}, {1}, {2}, value={c})", 3, params=_value),
    FuzzOp("addcdiv", "{0}.addcdiv({1}, {2}, value={c})", 3, (ANY, ANY, NONZERO), params=_value),
]

REDUCTIONS = [
    FuzzOp("sum", "{0}.sum()", shapes=_nd(1)),
    FuzzOp("sum_dim", "{0}.sum({dim})", shapes=_nd(1), params=_dim),
    FuzzOp("sum_keepdim", "{0}.sum({dim}, keepdim=True)", shapes=_nd(1), params=_dim),
    FuzzOp("mean_dim", "{0}.mean({dim})", shapes=_nd(1), params=_dim),
    FuzzOp("prod_dim", "{0}.prod({dim})", domains=(SMALL,), shapes=_nd(1), params=_dim),
    FuzzOp("amax", "{0}.amax()", shapes=_nd(1), kink=_all_kink),
    FuzzOp("max", "{0}.max()", shapes=_nd(1), kink=_all_kink),
    FuzzOp("max_dim", "{0}.max({dim}).values", shapes=_nd(1), params=_dim, kink=_dim_kink),
    FuzzOp("min_dim_keepdim", "{0}.min({dim}, keepdim=True).values", shapes=_nd(1), params=_dim, kink=_dim_kink),
    FuzzOp("logsumexp", "{M}.logsumexp({0}, {dim})", shapes=_nd(1), params=_dim),
    FuzzOp("softmax", "{M}.softmax({0}, {dim})", shapes=_nd(1), params=_dim),
    FuzzOp("log_softmax", "{M}.log_softmax({0}, {dim})", shapes=_nd(1), params=_dim),
    FuzzOp("var", "{0}.var({dim})", shapes=_has_counted_dim, params=_dim_counted),
    FuzzOp("std", "{0}.std({dim})", shapes=_has_counted_dim, params=_dim_counted, kink=_std_kink),
    FuzzOp("norm", "{0}.norm()", shapes=_nd(1), kink=_norm_kink),
    FuzzOp("cumsum", "{M}.cumsum({0}, {dim})", shapes=_nd(1), params=_dim),
    FuzzOp("trace", "{M}.trace({0})", shapes=lambda s: len(s[0]) == 2),
    FuzzOp("sort", "{M}.sort({0}, {dim}, descending={descending}).values", shapes=_nd(1), params=_sort_params,
           kink=_sort_kink),
    FuzzOp("topk", "{0}.topk({k}, {dim}, largest={largest}).values", shapes=_nd(1), params=_topk_params,
           kink=_topk_kink),
    # NumPy's names axis= and keepdims=, which PyTorch's C++ functions take too
    FuzzOp("sum_axis", "{0}.sum(axis={dim}, keepdims=True)", shapes=_nd(1), params=_dim),
    FuzzOp("mean_axis", "{M}.mean({0}, axis={dim})", shapes=_nd(1), params=_dim),
    FuzzOp("prod_axis", "{0}.prod(axis={dim}, keepdims=True)", domains=(SMALL,), shapes=_nd(1), params=_dim),
    FuzzOp("amax_axis", "{M}.amax({0}, axis={dim}, keepdims=True)", shapes=_nd(1), params=_dim, kink=_dim_kink),
    FuzzOp("max_axis", "{0}.max(axis={dim}).values", shapes=_nd(1), params=_dim, kink=_dim_kink),
    FuzzOp("logsumexp_axis", "{M}.logsumexp({0}, axis={dim}, keepdims=True)", shapes=_nd(1), params=_dim),
    FuzzOp("softmax_axis", "{0}.softmax(axis={dim})", shapes=_nd(1), params=_dim),
    FuzzOp("std_axis", "{M}.std({0}, axis={dim}, keepdims=True)", shapes=_has_counted_dim, params=_dim_counted,
           kink=_std_kink),
    FuzzOp("cumsum_axis", "{0}.cumsum(axis={dim})", shapes=_nd(1), params=_dim),
    FuzzOp("sort_axis", "{0}.sort(axis={dim}).values", shapes=_nd(1), params=_dim, kink=_sort_kink),
]

PRODUCTS = [
    FuzzOp("matmul", "{0} @ {1}", 2, shapes=_matmul_fits),
    FuzzOp("linear", "{M}.nn.functional.linear({0}, {1}, {2})", 3, shapes=_linear_fits, partial_shapes=True),
    FuzzOp("linear_nobias", "{M}.nn.functional.linear({0}, {1})", 2, shapes=_linear_fits),
    FuzzOp("mse_loss", "{M}.nn.functional.mse_loss({0}, {1}, reduction={reduction})", 2,
           shapes=lambda s: s[0] == s[1], params=_reduction),
    FuzzOp("dot", "{M}.dot({0}, {1})", 2, shapes=_vectors(True)),
    FuzzOp("outer", "{M}.outer({0}, {1})", 2, shapes=_vectors(False)),
    FuzzOp("einsum_matmul", "{M}.einsum('ij,jk->ik', {0}, {1})", 2, shapes=_einsum_fits("ij,jk->ik")),
    FuzzOp("einsum_implicit", "{M}.einsum('ji,jk', {0}, {1})", 2, shapes=_einsum_fits("ji,jk")),
    FuzzOp("einsum_bilinear", "{M}.einsum('i,ij,j->', {0}, {1}, {2})", 3, shapes=_einsum_fits("i,ij,j->"),
           partial_shapes=True),
    FuzzOp("einsum_batch_matmul", "{M}.einsum('...ij,...jk->...ik', {0}, {1})", 2,
           shapes=_einsum_fits("...ij,...jk->...ik")),
    FuzzOp("einsum_batch_dot", "{M}.einsum('...i,...i->...', {0}, {1})", 2, shapes=_einsum_fits("...i,...i->...")),
    FuzzOp("einsum_reduce", "{M}.einsum('i...->...', {0})", shapes=_einsum_fits("i...->...")),
    FuzzOp("einsum_trace", "{M}.einsum('ii', {0})", shapes=_einsum_fits("ii")),
    FuzzOp("einsum_diagonal", "{M}.einsum('...ii->...i', {0})", shapes=_einsum_fits("...ii->...i")),
    FuzzOp("einsum_diagonal_product", "{M}.einsum('ii,i->i', {0}, {1})", 2, shapes=_einsum_fits("ii,i->i"),
           partial_shapes=True),
]

SHAPES = [
    FuzzOp("reshape", "{0}.reshape{shape}", shapes=_nd(1), params=_reshape_params),
    FuzzOp("t", "{0}.t()", shapes=lambda s: len(s[0]) == 2),
    FuzzOp("transpose", "{0}.transpose(0, -1)", shapes=_nd(2)),
    FuzzOp("permute", "{0}.permute{dims}", shapes=_nd(2), params=_permute_params),
    FuzzOp("unsqueeze", "{0}.unsqueeze(0)", shapes=lambda s: len(s[0]) < 3),
    FuzzOp("expand", "{0}.expand{shape}", shapes=_expand_fits, params=_expand_params),
    FuzzOp("index", "{0}[0]", shapes=_nd(1)),
    FuzzOp("slice", "{0}[..., 1:]", shapes=lambda s: len(s[0]) >= 1 and s[0][-1] >= 2),
    FuzzOp("pick", "{0}[{idx}]", shapes=_nd(1), params=_pick_params),
    FuzzOp("flip", "{0}.flip(0)", shapes=_nd(1)),
    FuzzOp("cat", "{M}.cat([{0}, {1}], 0)", 2, shapes=_catable),
    FuzzOp("stack", "{M}.stack([{0}, {1}])", 2, shapes=_same_shape),
    FuzzOp("tril", "{M}.tril({0}, {k})", shapes=_nd(2), params=_diagonal),
    FuzzOp("triu", "{0}.triu({k})", shapes=_nd(2), params=_diagonal),
    FuzzOp("diag", "{M}.diag({0}, {k})", shapes=_diag_fits, params=_diag_params),
    FuzzOp("roll", "{M}.roll({0}, {shifts}, {dims})", shapes=_nd(1), params=_roll_params),
    FuzzOp("repeat", "{0}.repeat{sizes}", params=_repeat_params),
    FuzzOp("index_select", "{M}.index_select({0}, {dim}, {M}.tensor({idx}))", shapes=_nd(1),
           params=_index_select_params),
    FuzzOp("cat_axis", "{M}.cat([{0}, {1}], axis=-1)", 2, shapes=_catable_last),
    FuzzOp("stack_axis", "{M}.stack([{0}, {1}], axis={dim})", 2, shapes=_same_shape, params=_stack_dim),
    FuzzOp("squeeze_axis", "{0}.squeeze(axis={dim})", shapes=lambda s: 1 in s[0], params=_unit_dim),
    FuzzOp("unsqueeze_axis", "{M}.unsqueeze({0}, axis={dim})", shapes=lambda s: len(s[0]) < 3, params=_new_dim),
]

def _rot90_params(draw: Any, shapes: Sequence[Shape]) -> dict[str, Any]:
    n = len(shapes[0])
    d0 = draw(st.integers(0, n - 1))
    d1 = draw(st.sampled_from([d for d in range(n) if d != d0]))
    return {"k": draw(st.integers(-2, 5)), "dims": (d0, d1 - n if draw(st.booleans()) else d1)}


def _kron_fits(shapes: Sequence[Shape]) -> bool:
    return int(np.prod(shapes[0])) * int(np.prod(shapes[1])) <= MAX_NUMEL


def _median_kink(x: Any, dim: int) -> tuple[Any, float]:
    return _order_kink(x, dim)


# the PyTorch surface added later: shape functions, activations, statistics (smooth away from their kinks)
ADDED = [
    FuzzOp("rot90", "{M}.rot90({0}, {k}, {dims})", shapes=_nd(2), params=_rot90_params),
    FuzzOp("kron", "{M}.kron({0}, {1})", 2, shapes=_kron_fits),
    FuzzOp("block_diag", "{M}.block_diag({0}, {1})", 2,
           shapes=lambda s: all(len(x) <= 2 for x in s) and _kron_fits(s)),
    FuzzOp("diag_embed", "{M}.diag_embed({0})", shapes=lambda s: 1 <= len(s[0]) <= 2 and s[0][-1] <= 3
           and int(np.prod(s[0])) * s[0][-1] <= MAX_NUMEL),
    FuzzOp("take", "{M}.take({0}, {M}.tensor({idx}))", shapes=_nd(1), params=_pick_params),
    FuzzOp("tensor_split", "{M}.tensor_split({0}, 2, {dim})[0]", shapes=_nd(1), params=_dim),
    FuzzOp("movedim", "{M}.movedim({0}, 0, -1)", shapes=_nd(1)),
    FuzzOp("selu", "{M}.nn.functional.selu({0})", domains=(SMALL,), kink=_sign_kink),
    FuzzOp("celu", "{M}.nn.functional.celu({0}, {alpha})", domains=(SMALL,), params=_elu_alpha, kink=_sign_kink),
    FuzzOp("mish", "{M}.nn.functional.mish({0})", domains=(SMALL,)),
    FuzzOp("softsign", "{M}.nn.functional.softsign({0})", kink=_sign_kink),
    FuzzOp("logsigmoid", "{M}.nn.functional.logsigmoid({0})", domains=(SMALL,)),
    FuzzOp("softmin", "{M}.nn.functional.softmin({0}, {dim})", shapes=_nd(1), params=_dim),
    FuzzOp("glu", "{M}.nn.functional.glu({0}, {dim})", shapes=lambda s: any(n % 2 == 0 and n for n in s[0]),
           params=lambda draw, shapes: {"dim": draw(st.sampled_from([d for d, n in enumerate(shapes[0])
                                                                    if n and n % 2 == 0]))}),
    FuzzOp("median_dim", "{0}.median({dim}).values", shapes=_nd(1), params=_dim, kink=_median_kink),
    FuzzOp("trapezoid", "{M}.trapezoid({0}, dim={dim})", shapes=_nd(1), params=_dim),
    FuzzOp("cumulative_trapezoid", "{M}.cumulative_trapezoid({0}, dim={dim})", shapes=_nd(1), params=_dim),
    FuzzOp("vecdot", "{M}.linalg.vecdot({0}, {1})", 2, shapes=lambda s: bool(s[0]) and s[0] == s[1]),
    # (not cdist: PyTorch has no second derivative for it, '_cdist_backward' is not implemented)
]

CATALOGUE: list[FuzzOp] = UNARY + SCALAR + BINARY + REDUCTIONS + PRODUCTS + SHAPES + ADDED
BY_NAME = {op.name: op for op in CATALOGUE}
assert len(BY_NAME) == len(CATALOGUE), "fuzz op names must be unique"
