"""NumPy's fast spellings of the ops in ``array_emitters``: array methods and
operators instead of module functions.

On the small arrays of a training step, NumPy's module functions cost more
than the arithmetic: ``numpy.mean(a)`` of an (11, 1) array takes 2.4 us
against 0.8 us for ``a.sum()/11``, ``numpy.sum(a, axis=(0,))`` 1.7 us against
0.9 us for ``a.sum(axis=0)``, ``numpy.transpose(a, (1, 0))`` 0.33 us against
0.04 us for ``a.T`` (the functions dispatch through ``__array_function__``
and wrappers before reaching the same code).  The results are the same
arrays: ``numpy.mean`` itself is a sum divided by the count.

A method needs an array: a 0-d operand may be a Python number (the inputs
of a generated function may be), so such operands keep the function form.
A sum of squares of a value is a dot product (``numpy.vdot(d, d)``), as one
writes it by hand; it rounds like BLAS rather than like NumPy's pairwise sum.
JAX keeps the function forms (``jax.numpy`` arrays and NumPy inputs mix there).
"""

from __future__ import annotations

import numpy as np
from sympy import Symbol

from symgrad.codegen.backends.context import Context, Emitter, kwargs, sum_to_size_axes
from symgrad.codegen.program import Call, Node


def _is_array(call: Call, i: int = 0) -> bool:
    return call.in_shapes[i] != ()


def _axis(dims: int | tuple[int, ...] | None) -> int | tuple[int, ...] | None:
    """``axis=0`` rather than ``axis=(0,)``: shorter, and what people write."""
    return dims[0] if isinstance(dims, tuple) and len(dims) == 1 else dims


def _count(shape: tuple[int, ...], dims: tuple[int, ...] | None) -> int:
    """How many elements each result of a reduction over ``dims`` sums."""
    return int(np.prod([shape[d] for d in (range(len(shape)) if dims is None else dims)], dtype=np.int64))


def _sum_of_squares(ctx: Context, call: Call) -> str | None:
    """``numpy.vdot(d, d)`` for the sum of all of ``d**2`` (a mean squared
    error's), float64: one BLAS dot product instead of squaring into a new
    array and summing it (0.4 us against 1.1 us on 11 points)."""
    (arg,) = call.args
    if not (type(arg) is Node and arg.op == "pow_scalar" and arg.args[1] == 2 and isinstance(arg.args[0], Symbol)):
        return None
    if call.params.get("dims") is not None or call.params.get("keepdim") or call.dtype != np.float64:
        return None
    d = ctx.expr(arg.args[0])
    return f"{ctx.fn('vdot')}({d}, {d})"


def _method(name: str, fallback: Emitter, dims: str = "dims") -> Emitter:
    """``a.name(axis=..., keepdims=...)`` for an array operand, else ``fallback``."""
    def emit(ctx: Context, call: Call, a: list[str]) -> str:
        if not _is_array(call):
            return fallback(ctx, call, a)
        if name == "sum":
            squares = _sum_of_squares(ctx, call)
            if squares is not None:
                return squares
        p = call.params
        return f"{ctx.operand(a[0])}.{name}({kwargs(axis=_axis(p[dims]), keepdims=p['keepdim'])[2:]})"
    return emit


def _whole_method(name: str, fallback: Emitter) -> Emitter:
    """``a.name()`` over every element of an array operand (``max_all`` has no params), else ``fallback``."""
    return lambda ctx, call, a: f"{ctx.operand(a[0])}.{name}()" if _is_array(call) else fallback(ctx, call, a)


def _mean(fallback: Emitter) -> Emitter:
    """``a.sum()/n``: NumPy's mean is this sum and division, minus its Python-level overhead.
    Floats only: NumPy sums float16 in float32 for a mean, and integers in float64."""
    def emit(ctx: Context, call: Call, a: list[str]) -> str:
        p = call.params
        n = _count(call.in_shapes[0], p["dims"]) if _is_array(call) else 0
        if n == 0 or call.dtype not in (np.float32, np.float64):
            return fallback(ctx, call, a)
        total = _sum_of_squares(ctx, call) or \
            f"{ctx.operand(a[0])}.sum({kwargs(axis=_axis(p['dims']), keepdims=p['keepdim'])[2:]})"
        return total if n == 1 else f"{total}/{n}"
    return emit


def _transpose(fallback: Emitter) -> Emitter:
    def emit(ctx: Context, call: Call, a: list[str]) -> str:
        dims = tuple(call.params["dims"])
        if not _is_array(call):
            return fallback(ctx, call, a)
        if dims == tuple(reversed(range(len(dims)))):
            return f"{ctx.operand(a[0])}.T"
        return f"{ctx.operand(a[0])}.transpose({ctx.lit(dims)})"
    return emit


def _reshape(fallback: Emitter) -> Emitter:
    """The result's shape, known here, rather than the op's (which may hold a -1)."""
    def emit(ctx: Context, call: Call, a: list[str]) -> str:
        if not _is_array(call):
            return fallback(ctx, call, a)
        return f"{ctx.operand(a[0])}.reshape({ctx.lit(call.shape)})"
    return emit


def _sum_to_size(ctx: Context, call: Call, a: list[str]) -> str:
    keep, lead = sum_to_size_axes(call)
    out = a[0]
    if keep:
        out = f"{ctx.operand(out)}.sum(axis={ctx.lit(_axis(keep))}, keepdims=True)"
    if lead:
        out = f"{ctx.operand(out)}.sum(axis={ctx.lit(_axis(lead))})"
    return out


def _mse_loss(fallback: Emitter) -> Emitter:
    def emit(ctx: Context, call: Call, a: list[str]) -> str:
        reduction = call.params["reduction"]
        shape = tuple(np.broadcast_shapes(*call.in_shapes))
        if reduction == "none" or not shape:
            return fallback(ctx, call, a)
        total = f"(({ctx.operand(a[0])} - {ctx.operand(a[1])})**2).sum()"
        n = _count(shape, None)
        if reduction == "sum":
            return total
        if n == 0 or call.dtype not in (np.float32, np.float64):
            return fallback(ctx, call, a)
        return total if n == 1 else f"{total}/{n}"
    return emit


def _matrix_product(fallback: Emitter, first: int) -> Emitter:
    """``numpy.dot(a, b)`` where the product's operands (``call.args[first]``
    and the next) have one or two dimensions: there ``dot`` is ``matmul``, and
    on small arrays it is faster than ``@`` (0.4 us against 0.6 to 0.9 us for
    an (11, 1) by (1, 1) product: the matmul ufunc's dispatch).  Batches keep
    ``@``, where ``dot`` means something else."""
    def emit(ctx: Context, call: Call, a: list[str]) -> str:
        if not all(1 <= len(s) <= 2 for s in call.in_shapes[first:first + 2]):
            return fallback(ctx, call, a)
        dot = ctx.fn("dot")
        if call.op == "matmul":
            return f"{dot}({a[0]}, {a[1]})"
        if call.op in ("linear", "linear_nobias"):
            product = f"{dot}({a[0]}, {ctx.operand(a[1])}.T)"
            return product if len(a) == 2 else f"{product} + {ctx.operand(a[2])}"
        beta, alpha = call.params["beta"], call.params["alpha"]  # addmm
        product = f"{dot}({a[1]}, {a[2]})"
        left = a[0] if beta == 1 else f"{ctx.lit(beta)}*{ctx.operand(a[0])}"
        right = product if alpha == 1 else f"{ctx.lit(alpha)}*{product}"
        return f"{left} + {right}"
    return emit


def overrides(table: dict[str, Emitter]) -> dict[str, Emitter]:
    """NumPy's table: ``table`` (the function forms) with the method forms above."""
    out = dict(table)
    for op, method in (("sum", "sum"), ("prod", "prod"), ("amax", "max"), ("amin", "min"), ("all", "all"),
                       ("any", "any")):
        out[op] = _method(method, table[op])
    out["max_all"] = _whole_method("max", table["max_all"])
    out["min_all"] = _whole_method("min", table["min_all"])
    out["max_dim"] = _method("max", table["max_dim"], "dim")
    out["min_dim"] = _method("min", table["min_dim"], "dim")
    out["mean"] = _mean(table["mean"])
    out["permute"] = _transpose(table["permute"])
    out["view"] = _reshape(table["view"])
    out["sum_to_size"] = lambda ctx, call, a: _sum_to_size(ctx, call, a) if _is_array(call) \
        else table["sum_to_size"](ctx, call, a)
    out["mse_loss"] = _mse_loss(table["mse_loss"])
    for op, first in (("matmul", 0), ("linear", 0), ("linear_nobias", 0), ("addmm", 1)):
        out[op] = _matrix_product(table[op], first)
    return out
