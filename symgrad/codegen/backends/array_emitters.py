"""Emitters for ops that are not elementwise, for NumPy and JAX (``jax.numpy``
mirrors NumPy's API, so one table serves both; ``{M}`` is the module).

Elementwise ops never appear here: SymPy's printers write them.  Each entry
returns one Python expression; the few ops with no one-line NumPy form use a
small helper function whose source is copied into the generated module.
"""

from __future__ import annotations

import numpy as np

from symgrad.codegen.backends import literals, numpy_emitters
from symgrad.codegen.backends.context import (
    Context,
    Emitter,
    flat_index,
    kwargs,
    sum_to_size_axes,
    unsupported,
    view_index,
)
from symgrad.codegen.program import Call

# Helper functions, copied into the generated module when used.
HELPERS = {
    "_erf": '''def _erf(x):
    """math.erf on each element, in x's float dtype (as symgrad.erf)."""
    x = {M}.asarray(x)
    return {M}.vectorize(math.erf, otypes=[x.dtype if x.dtype.kind == "f" else float])(x)''',
    "_erfc": '''def _erfc(x):
    """math.erfc on each element, in x's float dtype (as symgrad.erfc)."""
    x = {M}.asarray(x)
    return {M}.vectorize(math.erfc, otypes=[x.dtype if x.dtype.kind == "f" else float])(x)''',
    **{f"_{name}": f'''def _{name}(a, x):
    """scipy.special.{name} in a and x's common dtype by NumPy's rules (a number
    beside a float32 array stays float32; SciPy's own choice of loop would widen it)."""
    import scipy.special
    dtype = {{M}}.result_type(a, x)
    return scipy.special.{name}({{M}}.asarray(a, dtype), {{M}}.asarray(x, dtype))''' for name in ("gammainc", "gammaincc")},
    "_lgamma": '''def _lgamma(x):
    """log(abs(gamma(x))) on each element, inf at the poles (SciPy is not installed)."""
    def one(v):
        try:
            return math.lgamma(v)
        except (ValueError, OverflowError):
            return math.inf
    x = {M}.asarray(x)
    return {M}.vectorize(one, otypes=[x.dtype if x.dtype.kind == "f" else float])(x)''',
    "_prod_others": '''def _prod_others(x, axes):
    """For each element, the product of the others in its reduction (exact with zeros)."""
    axes = tuple(range(x.ndim)) if axes is None else axes
    order = [i for i in range(x.ndim) if i not in axes] + list(axes)
    moved = {M}.transpose(x, order)
    flat = moved.reshape(moved.shape[:x.ndim - len(axes)] + (-1,))
    ones = {M}.ones(flat.shape[:-1] + (1,), dtype=flat.dtype)
    left = {M}.cumprod({M}.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    right = {M}.flip({M}.cumprod({M}.concatenate([ones, {M}.flip(flat[..., 1:], axis=-1)], axis=-1), axis=-1), axis=-1)
    inverse = sorted(range(x.ndim), key=order.__getitem__)
    return {M}.transpose((left * right).reshape(moved.shape), inverse)''',
    "_is_argmax": '''def _is_argmax(x, axis):
    """True at the first largest element along axis."""
    first = {M}.expand_dims({M}.argmax(x, axis=axis), axis)
    positions = {M}.arange(x.shape[axis]).reshape((-1,) + (1,) * (x.ndim - axis - 1))
    return positions == first''',
    "_is_argmin": '''def _is_argmin(x, axis):
    """True at the first smallest element along axis."""
    first = {M}.expand_dims({M}.argmin(x, axis=axis), axis)
    positions = {M}.arange(x.shape[axis]).reshape((-1,) + (1,) * (x.ndim - axis - 1))
    return positions == first''',
    "_logsumexp": '''def _logsumexp(x, axis, keepdims):
    """log(sum(exp(x))) without overflow."""
    m = {M}.amax(x, axis=axis, keepdims=True)
    m = {M}.where({M}.isfinite(m), m, 0)
    out = {M}.log({M}.sum({M}.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else {M}.squeeze(out, axis=axis)''',
    "_softmax": '''def _softmax(x, axis):
    """exp(x) / sum(exp(x)) without overflow."""
    e = {M}.exp(x - {M}.amax(x, axis=axis, keepdims=True))
    return e / {M}.sum(e, axis=axis, keepdims=True)''',
    "_log_softmax": '''def _log_softmax(x, axis):
    """x - logsumexp(x) without overflow."""
    m = {M}.amax(x, axis=axis, keepdims=True)
    return x - m - {M}.log({M}.sum({M}.exp(x - m), axis=axis, keepdims=True))''',
    "_pack": '''def _pack(shape, *items):
    """The elements as an array of shape (after the shape of the points, when arrays of points are passed)."""
    dtype = {M}.result_type(*items)  # (before broadcasting: literal Python floats do not widen float32)
    items = {M}.broadcast_arrays(*items)
    return {M}.stack(items, axis=-1).astype(dtype).reshape(items[0].shape + shape)''',
    "_scatter_add": '''def _scatter_add(shape, index, g):
    """Zeros of shape, with g added at the flat positions index (repeats add up)."""
    out = {M}.zeros(shape, dtype={M}.result_type(g)).reshape(-1)
    {M}.add.at(out, index.reshape(-1), {M}.broadcast_to(g, index.shape).reshape(-1))
    return out.reshape(shape)''',
    "_inv_ex": '''def _inv_ex(a):
    """inv(a), with nan for each matrix that has no inverse instead of an error (linalg.inv_ex)."""
    try:
        return {M}.linalg.inv(a)
    except {M}.linalg.LinAlgError:
        if a.ndim == 2:
            return {M}.full_like(a, {M}.nan)
        return {M}.stack([_inv_ex(m) for m in a.reshape((-1,) + a.shape[-2:])]).reshape(a.shape)''',
    "_solve_ex": '''def _solve_ex(a, b):
    """solve(a, b), with nan for each system whose matrix has no inverse instead of an error (linalg.solve_ex)."""
    try:
        return {M}.linalg.solve(a, b)
    except {M}.linalg.LinAlgError:
        batch = {M}.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        a, b = {M}.broadcast_to(a, batch + a.shape[-2:]), {M}.broadcast_to(b, batch + b.shape[-2:])
        if not batch:
            return {M}.full(b.shape, {M}.nan, dtype={M}.result_type(a, b))
        pairs = zip(a.reshape((-1,) + a.shape[-2:]), b.reshape((-1,) + b.shape[-2:]))
        return {M}.stack([_solve_ex(m, r) for m, r in pairs]).reshape(batch + b.shape[-2:])''',
    "_logdet": '''def _logdet(a):
    """log(det(a)): -inf for a singular matrix, nan for a negative determinant (PyTorch's logdet)."""
    sign, logabs = {M}.linalg.slogdet(a)
    return {M}.where(sign > 0, logabs, {M}.where(sign == 0, -{M}.inf, {M}.nan)).astype(logabs.dtype)''',
    "_pinv": '''def _pinv(a, atol, rtol, hermitian):
    """The pseudoinverse, as PyTorch computes it: singular values at or below max(atol, rtol * largest) are
    dropped; hermitian reads the lower triangle (linalg.pinv)."""
    if hermitian:
        low = {M}.tril(a)
        s, u = {M}.linalg.eigh(low + {M}.swapaxes({M}.tril(a, -1), -1, -2))
        vh = {M}.swapaxes(u, -1, -2)
    else:
        u, s, vh = {M}.linalg.svd(a, full_matrices=False)
    largest = {M}.max({M}.abs(s), axis=-1, keepdims=True, initial=0.0)
    kept = {M}.abs(s) > {M}.maximum({M}.asarray(atol)[..., None], {M}.asarray(rtol)[..., None] * largest)
    s_inv = {M}.where(kept, 1 / {M}.where(kept, s, 1), 0).astype(a.dtype)
    return ({M}.swapaxes(vh, -1, -2) * s_inv[..., None, :]) @ {M}.swapaxes(u, -1, -2)''',
    "_solve_triangular": '''def _solve_triangular(a, b, upper, left, unitriangular):
    """X with a @ X = b (left=False: X @ a = b), reading one triangle of a: substitution (linalg.solve_triangular)."""
    if not left:
        x = _solve_triangular({M}.swapaxes(a, -1, -2), {M}.swapaxes(b, -1, -2), not upper, True, unitriangular)
        return {M}.swapaxes(x, -1, -2)
    n = a.shape[-1]
    rows = [None] * n
    for i in range(n - 1, -1, -1) if upper else range(n):
        row = b[..., i, :]
        for j in range(i + 1, n) if upper else range(i):
            row = row - a[..., i, j, None] * rows[j]
        rows[i] = row if unitriangular else row / a[..., i, i, None]
    return {M}.stack({M}.broadcast_arrays(*rows), axis=-2) if n else {M}.zeros_like(b)''',
    "_scatter_set": '''def _scatter_set(x, index, v):
    """A copy of x with v written at the flat positions index."""
    out = {M}.array(x, copy=True, order="C")
    out.reshape(-1)[index.reshape(-1)] = {M}.broadcast_to(v, index.shape).reshape(-1)
    return out''',
    "_lu_factor": '''def _lu_factor(a):
    """The packed LU factors of each matrix and LAPACK's 1-based int32 pivots: partial pivoting, as getrf
    (linalg.lu_factor)."""
    m, n = a.shape[-2:]
    count = int({M}.prod(a.shape[:-2]))
    lu = {M}.array(a, dtype=a.dtype).reshape((count, m, n))
    pivots = {M}.empty((count, min(m, n)), dtype={M}.int32)
    every = {M}.arange(count)
    with {M}.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for j in range(min(m, n)):
            p = j + {M}.argmax({M}.abs(lu[:, j:, j]), axis=-1)
            pivots[:, j] = p + 1
            row = lu[every, j].copy()
            lu[every, j] = lu[every, p]
            lu[every, p] = row
            pivot = lu[:, j, j][:, None]
            below = lu[:, j + 1:, j]
            scaled = {M}.where({M}.abs(pivot) >= {M}.finfo(a.dtype).tiny, below * (1 / pivot), below / pivot)
            lu[:, j + 1:, j] = {M}.where(pivot == 0, below, scaled)
            lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j, None] * lu[:, None, j, j + 1:]
    return lu.reshape(a.shape), pivots.reshape(a.shape[:-2] + (min(m, n),))''',
    "_lu_unpack": '''def _lu_unpack(lu, pivots):
    """P, L, U with A = P @ L @ U from the packed factors and 1-based pivots (linalg.lu)."""
    m, n = lu.shape[-2:]
    perm = {M}.array({M}.broadcast_to({M}.arange(m), pivots.shape[:-1] + (m,)))
    for j in range(pivots.shape[-1]):
        swap = {M}.expand_dims(pivots[..., j] - 1, -1)
        row = {M}.array(perm[..., j])
        perm[..., j] = {M}.take_along_axis(perm, swap, axis=-1)[..., 0]
        {M}.put_along_axis(perm, swap, row[..., None], axis=-1)
    P = {M}.swapaxes({M}.eye(m, dtype=lu.dtype)[perm], -1, -2)
    return P, _lu_l(lu), _lu_u(lu)''',
    "_lu_l": '''def _lu_l(lu):
    """L: the strict lower triangle of packed LU factors, ones on its diagonal (lu_unpack)."""
    m, k = lu.shape[-2], min(lu.shape[-2:])
    return {M}.tril(lu[..., :, :k], -1) + {M}.eye(m, k, dtype=lu.dtype)''',
    "_lu_u": '''def _lu_u(lu):
    """U: the upper triangle of packed LU factors (lu_unpack)."""
    return {M}.triu(lu[..., :min(lu.shape[-2:]), :])''',
    "_lu_solve": '''def _lu_solve(lu, b, perm, inverse, left, adjoint):
    """X with A @ X = b (adjoint: A.mT @ X = b; left=False: X on the right), A = P @ L @ U packed in lu,
    (P.mT @ A)[i] = A[perm[i]], inverse the inverse permutation (linalg.lu_solve)."""
    if not left:
        return {M}.swapaxes(_lu_solve(lu, {M}.swapaxes(b, -1, -2), perm, inverse, True, not adjoint), -1, -2)
    batch = {M}.broadcast_shapes(lu.shape[:-2], b.shape[:-2], perm.shape[:-1])
    b = {M}.broadcast_to(b, batch + b.shape[-2:])
    if not adjoint:
        rows = {M}.broadcast_to(perm, batch + perm.shape[-1:])[..., None]
        y = _solve_triangular(lu, {M}.take_along_axis(b, rows, axis=-2), False, True, True)
        return _solve_triangular(lu, y, True, True, False)
    lu_t = {M}.swapaxes(lu, -1, -2)
    y = _solve_triangular(lu_t, _solve_triangular(lu_t, b, False, True, False), True, True, True)
    return {M}.take_along_axis(y, {M}.broadcast_to(inverse, batch + inverse.shape[-1:])[..., None], axis=-2)''',
}

JAX_HELPERS = {
    **{k: v for k, v in HELPERS.items() if k in ("_prod_others", "_is_argmax", "_is_argmin", "_pack", "_logdet",
                                                 "_pinv", "_solve_triangular", "_lu_l", "_lu_u",
                                                 "_lu_solve")},
    "_lu_unpack": '''def _lu_unpack(lu, pivots, permutation):
    """P, L, U with A = P @ L @ U from jax.lax.linalg.lu's results (linalg.lu)."""
    P = {M}.swapaxes({M}.eye(lu.shape[-2], dtype=lu.dtype)[permutation], -1, -2)
    return P, _lu_l(lu), _lu_u(lu)''',
    # where jax.numpy's elementwise functions are not NumPy's (eager's) at signed zeros
    "_sign": '''def _sign(t):
    """NumPy's sign with 0 at nan, as symgrad's: +0.0 at -0.0 (jax.numpy.sign(-0.0) is -0.0)."""
    return (t > 0).astype({M}.result_type(t)) - (t < 0).astype({M}.result_type(t))''',
    "_maximum": '''def _maximum(a, b):
    """NumPy's maximum: nan from either side, and b where a == b (XLA's max is +0.0 at (0.0, -0.0))."""
    return {M}.where((a > b) | {M}.isnan(a), a, b)''',
    "_minimum": '''def _minimum(a, b):
    """NumPy's minimum: nan from either side, and b where a == b (XLA's min is -0.0 at (-0.0, 0.0))."""
    return {M}.where((a < b) | {M}.isnan(a), a, b)''',
    "_floor_divide": '''def _floor_divide(a, b):
    """NumPy's floor_divide (npy_floor_divide; C's sg_floor_divide): the zero's sign is that of a/b."""
    if not {M}.issubdtype({M}.result_type(a, b), {M}.floating):
        return {M}.floor_divide(a, b)
    mod = {M}.fmod(a, b)
    div = (a - mod) / b
    div = {M}.where((mod != 0) & ((b < 0) != (mod < 0)), div - 1.0, div)
    floordiv = {M}.floor(div)
    floordiv = {M}.where(div - floordiv > 0.5, floordiv + 1.0, floordiv)
    floordiv = {M}.where(div == 0, {M}.copysign(0.0, a / b), floordiv)
    return {M}.where(b == 0, a / b, floordiv)''',
    "_scatter_add": '''def _scatter_add(shape, index, g):
    """Zeros of shape, with g added at the flat positions index (repeats add up)."""
    out = {M}.zeros(shape, dtype={M}.result_type(g)).reshape(-1)
    out = out.at[index.reshape(-1)].add({M}.broadcast_to(g, index.shape).reshape(-1))
    return out.reshape(shape)''',
    "_scatter_set": '''def _scatter_set(x, index, v):
    """A copy of x with v written at the flat positions index."""
    flat = {M}.asarray(x).reshape(-1)
    flat = flat.at[index.reshape(-1)].set({M}.broadcast_to(v, index.shape).reshape(-1))
    return flat.reshape({M}.shape(x))''',
}


def _reduce(fn: str) -> Emitter:
    def emit(ctx: Context, call: Call, a: list[str]) -> str:
        p = call.params
        return f"{ctx.fn(fn)}({a[0]}{kwargs(axis=p['dims'], keepdims=p['keepdim'])})"
    return emit


def _whole(fn: str) -> Emitter:
    """A reduction over every element, without params (``x.max()``: ``max_all``)."""
    return lambda ctx, call, a: f"{ctx.fn(fn)}({a[0]})"


def _pick(fn: str) -> Emitter:
    def emit(ctx: Context, call: Call, a: list[str]) -> str:
        p = call.params
        return f"{ctx.fn(fn)}({a[0]}{kwargs(axis=p['dim'], keepdims=p['keepdim'])})"
    return emit


def _arg(fn: str) -> Emitter:
    def emit(ctx: Context, call: Call, a: list[str]) -> str:
        p = call.params
        if p["dim"] is None and p["keepdim"]:
            return f"{ctx.fn('reshape')}({ctx.fn(fn)}({a[0]}), {ctx.lit(call.shape)})"
        return f"{ctx.fn(fn)}({a[0]}{kwargs(axis=p['dim'], keepdims=p['keepdim'])})"
    return emit


def _helper(name: str, *params: str) -> Emitter:
    def emit(ctx: Context, call: Call, a: list[str]) -> str:
        extra = "".join(", " + ctx.lit(call.params[p]) for p in params)
        return f"{ctx.helper(name)}({a[0]}{extra})"
    return emit


def _sum_to_size(ctx: Context, call: Call, a: list[str]) -> str:
    keep, lead = sum_to_size_axes(call)
    out = a[0]
    if keep:
        out = f"{ctx.fn('sum')}({out}, axis={ctx.lit(keep)}, keepdims=True)"
    if lead:
        out = f"{ctx.fn('sum')}({out}, axis={ctx.lit(lead)})"
    return out


def _index(ctx: Context, call: Call, a: list[str]) -> str:
    return f"{ctx.operand(a[0])}[{ctx.key(call.params['key'])}]"


def _index_backward(ctx: Context, call: Call, a: list[str]) -> str:
    index = ctx.array(flat_index(call.params["shape"], call.params["key"]))
    return f"{ctx.helper('_scatter_add')}({ctx.lit(call.params['shape'])}, {index}, {a[0]})"


def _index_put(ctx: Context, call: Call, a: list[str]) -> str:
    index = ctx.array(flat_index(call.in_shapes[0], call.params["key"]))
    value = a[1] if len(a) > 1 else "0"
    return f"{ctx.helper('_scatter_set')}({a[0]}, {index}, {value})"


def _scatter_view(ctx: Context, call: Call, a: list[str]) -> str:
    index = ctx.array(view_index(call.in_shapes[0], call.params["chain"]))
    return f"{ctx.helper('_scatter_set')}({a[0]}, {index}, {a[1]})"


def _join(fn: str) -> Emitter:
    def emit(ctx: Context, call: Call, a: list[str]) -> str:
        return f"{ctx.fn(fn)}(({', '.join(a)}{',' if len(a) == 1 else ''}), axis={call.params['dim']})"
    return emit


def _cast(ctx: Context, call: Call, a: list[str]) -> str:
    return f"{ctx.fn('asarray')}({a[0]}, dtype={ctx.dtype(np.dtype(call.params['dtype']))})"


def _matmul(ctx: Context, call: Call, a: list[str]) -> str:
    return f"{ctx.operand(a[0])} @ {ctx.operand(a[1])}"


def _addmm(ctx: Context, call: Call, a: list[str]) -> str:
    beta, alpha = call.params["beta"], call.params["alpha"]
    product = f"{ctx.operand(a[1])} @ {ctx.operand(a[2])}"
    left = a[0] if beta == 1 else f"{ctx.lit(beta)}*{ctx.operand(a[0])}"
    right = product if alpha == 1 else f"{ctx.lit(alpha)}*({product})"
    return f"{left} + {right}"


def _linear(ctx: Context, call: Call, a: list[str]) -> str:
    product = f"{ctx.operand(a[0])} @ {ctx.operand(a[1])}.T"
    return product if len(a) == 2 else f"{product} + {ctx.operand(a[2])}"


def _mse_loss(ctx: Context, call: Call, a: list[str]) -> str:
    squares = f"({ctx.operand(a[0])} - {ctx.operand(a[1])})**2"
    reduction = call.params["reduction"]
    return squares if reduction == "none" else f"{ctx.fn(reduction)}({squares})"


def _linalg(fn: str, suffix: str = "") -> Emitter:
    def emit(ctx: Context, call: Call, a: list[str]) -> str:
        return f"{ctx.fn('linalg.' + fn)}({', '.join(a)}){suffix}"
    return emit


def _vector_norm(ctx: Context, call: Call, a: list[str]) -> str:
    p = call.params
    return (f"{ctx.fn('linalg.vector_norm')}({a[0]}, ord={literals.norm_order(p['order'])}"
            f"{kwargs(axis=p['dims'], keepdims=p['keepdim'])})")


def _var(ctx: Context, call: Call, a: list[str]) -> str:
    p = call.params
    return f"{ctx.fn('var')}({a[0]}{kwargs(axis=p['dims'], ddof=p['correction'], keepdims=p['keepdim'])})"


def _pinv(ctx: Context, call: Call, a: list[str]) -> str:
    p = call.params
    return (f"{ctx.helper('_pinv')}({a[0]}, {tolerance(ctx, p['atol'])}, {tolerance(ctx, p['rtol'])}, "
            f"{ctx.lit(p['hermitian'])})")


def _solve_triangular(ctx: Context, call: Call, a: list[str]) -> str:
    p = call.params
    flags = ", ".join(ctx.lit(p[k]) for k in ("upper", "left", "unitriangular"))
    return f"{ctx.helper('_solve_triangular')}({a[0]}, {a[1]}, {flags})"


def _cholesky(factor: str) -> Emitter:
    """``factor`` reads the lower triangle; ``upper=True`` is the factor of ``A.mT``, transposed."""
    def emit(ctx: Context, call: Call, a: list[str]) -> str:
        if not call.params["upper"]:
            return f"{factor}({a[0]})"
        swap = ctx.fn("swapaxes")
        return f"{swap}({factor}({swap}({a[0]}, -1, -2)), -1, -2)"
    return emit


def _numpy_cholesky(ctx: Context, call: Call, a: list[str]) -> str:
    return _cholesky(ctx.fn("linalg.cholesky"))(ctx, call, a)


def tolerance(ctx: Context, v: float | np.ndarray) -> str:
    """A tolerance of ``linalg.pinv``: a number, or a constant array (one per matrix)."""
    return ctx.array(v) if isinstance(v, np.ndarray) else ctx.lit(v)


def _broadcast(ctx: Context, call: Call, a: list[str]) -> str:
    shape = ctx.lit(call.params["shape"])
    if call.in_shapes[0] == ():
        return f"{ctx.fn('full')}({shape}, {a[0]}, dtype={ctx.dtype(call.dtype)})"
    return f"{ctx.fn('broadcast_to')}({a[0]}, {shape})"


def _simple(fn: str, *params: tuple[str, str]) -> Emitter:
    def emit(ctx: Context, call: Call, a: list[str]) -> str:
        extra = "".join(f", {name}={ctx.lit(call.params[p])}" for p, name in params)
        return f"{ctx.fn(fn)}({', '.join(a)}{extra})"
    return emit


def _positional(fn: str, param: str) -> Emitter:
    def emit(ctx: Context, call: Call, a: list[str]) -> str:
        return f"{ctx.fn(fn)}({a[0]}, {ctx.lit(call.params[param])})"
    return emit


def function_table() -> dict[str, Emitter]:
    """Op name -> emitter, with the array module's functions (``numpy.sum(x)``)."""
    return {
        "sum": _reduce("sum"), "mean": _reduce("mean"), "prod": _reduce("prod"), "amax": _reduce("amax"),
        "amin": _reduce("amin"), "all": _reduce("all"), "any": _reduce("any"),
        "max_all": _whole("amax"), "min_all": _whole("amin"),
        "max_dim": _pick("amax"), "min_dim": _pick("amin"), "argmax": _arg("argmax"), "argmin": _arg("argmin"),
        "prod_others": _helper("_prod_others", "dims"), "is_argmax": _helper("_is_argmax", "dim"),
        "is_argmin": _helper("_is_argmin", "dim"),
        "logsumexp": lambda ctx, call, a: (f"{ctx.helper('_logsumexp')}({a[0]}, {ctx.lit(call.params['dims'])}, "
                                           f"{ctx.lit(call.params['keepdim'])})"),
        "softmax": _helper("_softmax", "dim"), "log_softmax": _helper("_log_softmax", "dim"),
        "cumsum": _simple("cumsum", ("dim", "axis")), "cumprod": _simple("cumprod", ("dim", "axis")),
        "logcumsumexp": lambda ctx, call, a: f"{ctx.fn('logaddexp')}.accumulate({a[0]}, axis={call.params['dim']})",
        "view": _positional("reshape", "shape"), "permute": _positional("transpose", "dims"),
        "expand": _positional("broadcast_to", "shape"), "sum_to_size": _sum_to_size,
        "flip": _simple("flip", ("dims", "axis")),
        "diagonal": _simple("diagonal", ("offset", "offset"), ("dim1", "axis1"), ("dim2", "axis2")),
        "index": _index, "index_backward": _index_backward, "index_zero": _index_put, "index_put": _index_put,
        "_scatter_view": _scatter_view,
        "cat": _join("concatenate"), "stack": _join("stack"),
        "to_copy": _cast, "to_discrete": _cast,
        "matmul": _matmul, "dot": _simple("dot"), "addmm": _addmm,
        "einsum": lambda ctx, call, a: f"{ctx.fn('einsum')}({call.params['equation']!r}, {', '.join(a)})",
        "linear": _linear, "linear_nobias": _linear, "mse_loss": _mse_loss,
        "det": _linalg("det"), "inv": _linalg("inv"), "solve": _linalg("solve"),
        "logabsdet": _linalg("slogdet", "[1]"), "det_sign": _linalg("slogdet", "[0]"),
        "logdet": _helper("_logdet"), "vector_norm": _vector_norm, "var": _var,
        "inv_ex": _helper("_inv_ex"), "pinv": _pinv, **NO_CODE,
        "solve_ex": lambda ctx, call, a: f"{ctx.helper('_solve_ex')}({a[0]}, {a[1]})",
        "solve_triangular": _solve_triangular, "cholesky": _numpy_cholesky,
        "qr_q": _qr("[0]"), "qr_r": _qr("[1]"),
        "lu_factor": lambda ctx, call, a: f"{ctx.helper('_lu_factor')}({a[0]})[0]",
        "lu_p": _lu("[0]"), "lu_l": _lu("[1]"), "lu_u": _lu("[2]"),
        "lu_unpack_l": _helper("_lu_l"), "lu_unpack_u": _helper("_lu_u"), "lu_solve": _lu_solve,
        "_broadcast": _broadcast,
    }


# ops without a closed form: codegen.generate refuses their graphs before any emitter runs
NO_CODE = {name: unsupported("it has no closed form, and its results (eigenvector signs) are LAPACK's choice")
           for name in ("eigvalsh", "eigh_vectors", "svd_u", "svdvals", "svd_vh")}
NO_CODE["matrix_exp"] = unsupported("it has no closed form (SymPy's Matrix.exp goes through eigenvalues)")


def _qr(part: str) -> Emitter:
    """Q ([0]) or R ([1]) of NumPy's or JAX's ``linalg.qr`` (mode "r" returns R alone there)."""
    def emit(ctx: Context, call: Call, a: list[str]) -> str:
        mode = call.params["mode"]
        return f"{ctx.fn('linalg.qr')}({a[0]}, mode={mode!r}){'' if mode == 'r' else part}"
    return emit


def _lu(part: str) -> Emitter:
    """P ([0]), L ([1]) or U ([2]) of an LU factorization at run time (the traced pivots are not reused)."""
    def emit(ctx: Context, call: Call, a: list[str]) -> str:
        ctx.helper("_lu_l"), ctx.helper("_lu_u")
        return f"{ctx.helper('_lu_unpack')}(*{ctx.helper('_lu_factor')}({a[0]})){part}"
    return emit


def _jax_lu(part: str) -> Emitter:
    def emit(ctx: Context, call: Call, a: list[str]) -> str:
        ctx.helper("_lu_l"), ctx.helper("_lu_u")
        return f"{ctx.helper('_lu_unpack')}(*jax.lax.linalg.lu({a[0]})){part}"
    return emit


def lu_permutations(pivots: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """The row order ``perm`` of the given 1-based pivots ((P.mT @ A)[i] = A[perm[i]]) and its inverse."""
    from symgrad.ops.lu_factorization import permutation

    perm = permutation(np.asarray(pivots), m)
    return perm, np.argsort(perm, axis=-1)


def _lu_solve(ctx: Context, call: Call, a: list[str]) -> str:
    p = call.params
    perm, inverse = lu_permutations(p["pivots"], call.in_shapes[0][-1])
    ctx.helper("_solve_triangular")
    return (f"{ctx.helper('_lu_solve')}({a[0]}, {a[1]}, {ctx.array(perm)}, {ctx.array(inverse)}, "
            f"{ctx.lit(p['left'])}, {ctx.lit(p['adjoint'])})")


def numpy_table() -> dict[str, Emitter]:
    """Op name -> emitter, for NumPy: array methods where they are faster (``numpy_emitters``)."""
    return numpy_emitters.overrides(function_table())


def jax_table() -> dict[str, Emitter]:
    """Op name -> emitter, for JAX (NumPy's functions, with JAX's own softmax and friends)."""
    table = function_table()
    table.update({
        "logsumexp": lambda ctx, call, a: (f"jax.scipy.special.logsumexp({a[0]}"
                                           f"{kwargs(axis=call.params['dims'], keepdims=call.params['keepdim'])})"),
        "softmax": lambda ctx, call, a: f"jax.nn.softmax({a[0]}, axis={call.params['dim']})",
        "log_softmax": lambda ctx, call, a: f"jax.nn.log_softmax({a[0]}, axis={call.params['dim']})",
        "logcumsumexp": lambda ctx, call, a: f"jax.lax.cumlogsumexp({a[0]}, axis={call.params['dim']})",
        "inv_ex": _linalg("inv"),  # (JAX's inv does not raise: a singular matrix gives inf and nan)
        "solve_ex": _linalg("solve"),
        # (jax.numpy's cholesky reads (A + A.mT) / 2; LAPACK, NumPy and PyTorch read one triangle)
        "cholesky": _cholesky("jax.lax.linalg.cholesky"),
        "lu_factor": lambda ctx, call, a: f"jax.lax.linalg.lu({a[0]})[0]",
        "lu_p": _jax_lu("[0]"), "lu_l": _jax_lu("[1]"), "lu_u": _jax_lu("[2]"),
    })
    return table
