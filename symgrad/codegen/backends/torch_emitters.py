"""Emitters for ops that are not elementwise, for PyTorch (``dim=``/``keepdim=``
instead of NumPy's ``axis=``/``keepdims=``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad.codegen.backends import array_emitters, literals
from symgrad.codegen.backends.context import Context, Emitter, flat_index, kwargs, sum_to_size_axes, view_index
from symgrad.codegen.program import Call

HELPERS = {
    "_pack": '''def _pack(shape, *items):
    """The elements as a tensor of shape (after the shape of the points, when tensors of points are passed)."""
    # literal numbers take the dtype of the tensors among the items (float32 stays float32), else float64
    dtype = next((i.dtype for i in items if torch.is_tensor(i) and i.is_floating_point()), torch.float64)
    items = torch.broadcast_tensors(*[torch.as_tensor(i, dtype=dtype) if not torch.is_tensor(i) else i
                                      for i in items])
    return torch.stack(items, dim=-1).reshape(tuple(items[0].shape) + shape)''',
    "_prod": '''def _prod(x, dims, keepdim):
    """torch.prod over several dims (torch.prod takes one)."""
    dims = tuple(range(x.ndim)) if dims is None else dims
    for d in sorted(dims, reverse=True):
        x = torch.prod(x, dim=d, keepdim=True)
    return x if keepdim else x.reshape([s for i, s in enumerate(x.shape) if i not in dims])''',
    "_prod_others": '''def _prod_others(x, axes):
    """For each element, the product of the others in its reduction (exact with zeros)."""
    axes = tuple(range(x.ndim)) if axes is None else axes
    order = [i for i in range(x.ndim) if i not in axes] + list(axes)
    moved = torch.permute(x, order)
    flat = moved.reshape(moved.shape[:x.ndim - len(axes)] + (-1,))
    ones = torch.ones(flat.shape[:-1] + (1,), dtype=flat.dtype)
    left = torch.cumprod(torch.cat([ones, flat[..., :-1]], dim=-1), dim=-1)
    right = torch.flip(torch.cumprod(torch.cat([ones, torch.flip(flat[..., 1:], (-1,))], dim=-1), dim=-1), (-1,))
    inverse = sorted(range(x.ndim), key=order.__getitem__)
    return torch.permute((left * right).reshape(moved.shape), inverse)''',
    "_is_argmax": '''def _is_argmax(x, dim):
    """True at the first largest element along dim."""
    first = torch.argmax(x, dim=dim, keepdim=True)
    positions = torch.arange(x.shape[dim]).reshape((-1,) + (1,) * (x.ndim - dim - 1))
    return positions == first''',
    "_is_argmin": '''def _is_argmin(x, dim):
    """True at the first smallest element along dim."""
    first = torch.argmin(x, dim=dim, keepdim=True)
    positions = torch.arange(x.shape[dim]).reshape((-1,) + (1,) * (x.ndim - dim - 1))
    return positions == first''',
    "_scatter_add": '''def _scatter_add(shape, index, g):
    """Zeros of shape, with g added at the flat positions index (repeats add up)."""
    g = torch.as_tensor(g)
    out = torch.zeros(shape, dtype=g.dtype).reshape(-1)
    out = out.index_add(0, index.reshape(-1), torch.broadcast_to(g, index.shape).reshape(-1))
    return out.reshape(shape)''',
    "_scatter_set": '''def _scatter_set(x, index, v):
    """A copy of x with v written at the flat positions index."""
    out = torch.as_tensor(x).clone().contiguous()
    v = torch.as_tensor(v, dtype=out.dtype)
    out.reshape(-1)[index.reshape(-1)] = torch.broadcast_to(v, index.shape).reshape(-1)
    return out''',
}


def _dims(call: Call, name: str = "dims") -> Any:
    dims = call.params[name]
    return tuple(range(len(call.in_shapes[0]))) if dims is None else dims


def _reduce(fn: str) -> Emitter:
    def emit(ctx: Context, call: Call, a: list[str]) -> str:
        if call.params["dims"] is None and not call.params["keepdim"]:
            return f"torch.{fn}({a[0]})"
        return f"torch.{fn}({a[0]}{kwargs(dim=_dims(call), keepdim=call.params['keepdim'])})"
    return emit


def _pick(fn: str) -> Emitter:
    def emit(ctx: Context, call: Call, a: list[str]) -> str:
        return f"torch.{fn}({a[0]}{kwargs(dim=call.params['dim'], keepdim=call.params['keepdim'])})"
    return emit


def _arg(fn: str) -> Emitter:
    def emit(ctx: Context, call: Call, a: list[str]) -> str:
        if call.params["dim"] is None:
            return f"torch.reshape(torch.{fn}({a[0]}), {ctx.lit(call.shape)})"
        return f"torch.{fn}({a[0]}{kwargs(dim=call.params['dim'], keepdim=call.params['keepdim'])})"
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
        out = f"torch.sum({out}, dim={ctx.lit(keep)}, keepdim=True)"
    if lead:
        out = f"torch.sum({out}, dim={ctx.lit(lead)})"
    return out


def _index_backward(ctx: Context, call: Call, a: list[str]) -> str:
    index = ctx.array(flat_index(call.params["shape"], call.params["key"]))
    return f"{ctx.helper('_scatter_add')}({ctx.lit(call.params['shape'])}, {index}, {a[0]})"


def _index_put(ctx: Context, call: Call, a: list[str]) -> str:
    index = ctx.array(flat_index(call.in_shapes[0], call.params["key"]))
    return f"{ctx.helper('_scatter_set')}({a[0]}, {index}, {a[1] if len(a) > 1 else '0'})"


def _scatter_view(ctx: Context, call: Call, a: list[str]) -> str:
    index = ctx.array(view_index(call.in_shapes[0], call.params["chain"]))
    return f"{ctx.helper('_scatter_set')}({a[0]}, {index}, {a[1]})"


def _join(fn: str) -> Emitter:
    def emit(ctx: Context, call: Call, a: list[str]) -> str:
        return f"torch.{fn}(({', '.join(a)}{',' if len(a) == 1 else ''}), dim={call.params['dim']})"
    return emit


def _broadcast(ctx: Context, call: Call, a: list[str]) -> str:
    shape = ctx.lit(call.params["shape"])
    if call.in_shapes[0] == ():
        return f"torch.full({shape}, {a[0]}, dtype={ctx.dtype(call.dtype)})"
    return f"torch.broadcast_to({a[0]}, {shape})"


def _addmm(ctx: Context, call: Call, a: list[str]) -> str:
    beta, alpha = call.params["beta"], call.params["alpha"]
    product = f"{ctx.operand(a[1])} @ {ctx.operand(a[2])}"
    left = a[0] if beta == 1 else f"{ctx.lit(beta)}*{ctx.operand(a[0])}"
    right = product if alpha == 1 else f"{ctx.lit(alpha)}*({product})"
    return f"{left} + {right}"


def _einsum(ctx: Context, call: Call, a: list[str]) -> str:
    # a 0-d operand may be a Python number here, which torch.einsum refuses
    args = [x if shape else f"torch.as_tensor({x}, dtype={ctx.dtype(call.dtype)})"
            for x, shape in zip(a, call.in_shapes)]
    return f"torch.einsum({call.params['equation']!r}, {', '.join(args)})"


def _vector_norm(ctx: Context, call: Call, a: list[str]) -> str:
    p = call.params
    return f"torch.linalg.vector_norm({a[0]}, {literals.norm_order(p['order'])}{kwargs(dim=p['dims'], keepdim=p['keepdim'])})"


def _pinv(ctx: Context, call: Call, a: list[str]) -> str:
    p = call.params
    tolerances = [p["atol"], p["rtol"]]
    if any(isinstance(v, np.ndarray) for v in tolerances):  # (PyTorch takes two numbers or two tensors)
        tolerances = [np.asarray(v, dtype=np.float64) for v in tolerances]
    atol, rtol = (array_emitters.tolerance(ctx, v) for v in tolerances)
    return f"torch.linalg.pinv({a[0]}, atol={atol}, rtol={rtol}, hermitian={ctx.lit(p['hermitian'])})"


def torch_table() -> dict[str, Emitter]:
    """Op name -> emitter, for PyTorch."""
    dim = lambda fn: lambda ctx, call, a: f"torch.{fn}({a[0]}, dim={call.params['dim']})"  # noqa: E731
    return {
        "sum": _reduce("sum"), "mean": _reduce("mean"), "amax": _reduce("amax"), "amin": _reduce("amin"),
        "all": _reduce("all"), "any": _reduce("any"),
        "max_all": lambda ctx, call, a: f"torch.max({a[0]})", "min_all": lambda ctx, call, a: f"torch.min({a[0]})",
        "prod": lambda ctx, call, a: (f"{ctx.helper('_prod')}({a[0]}, {ctx.lit(call.params['dims'])}, "
                                      f"{ctx.lit(call.params['keepdim'])})"),
        "logsumexp": lambda ctx, call, a: (f"torch.logsumexp({a[0]}, dim={ctx.lit(_dims(call))}"
                                           f"{kwargs(keepdim=call.params['keepdim'])})"),
        "max_dim": _pick("amax"), "min_dim": _pick("amin"), "argmax": _arg("argmax"), "argmin": _arg("argmin"),
        "prod_others": _helper("_prod_others", "dims"), "is_argmax": _helper("_is_argmax", "dim"),
        "is_argmin": _helper("_is_argmin", "dim"),
        "softmax": dim("softmax"), "log_softmax": dim("log_softmax"), "cumsum": dim("cumsum"),
        "cumprod": dim("cumprod"), "logcumsumexp": dim("logcumsumexp"),
        "view": lambda ctx, call, a: f"torch.reshape({a[0]}, {ctx.lit(call.params['shape'])})",
        "permute": lambda ctx, call, a: f"torch.permute({a[0]}, {ctx.lit(call.params['dims'])})",
        "expand": lambda ctx, call, a: f"torch.broadcast_to({a[0]}, {ctx.lit(call.params['shape'])})",
        "sum_to_size": _sum_to_size,
        "flip": lambda ctx, call, a: f"torch.flip({a[0]}, {ctx.lit(tuple(call.params['dims']))})",
        "diagonal": lambda ctx, call, a: (f"torch.diagonal({a[0]}, {ctx.lit(call.params['offset'])}, "
                                          f"{ctx.lit(call.params['dim1'])}, {ctx.lit(call.params['dim2'])})"),
        "index": lambda ctx, call, a: f"{ctx.operand(a[0])}[{ctx.key(call.params['key'])}]",
        "index_backward": _index_backward, "index_zero": _index_put, "index_put": _index_put,
        "_scatter_view": _scatter_view,
        "cat": _join("cat"), "stack": _join("stack"),
        "to_copy": lambda ctx, call, a: f"torch.as_tensor({a[0]}).to({ctx.dtype(np.dtype(call.params['dtype']))})",
        "to_discrete": lambda ctx, call, a: f"torch.as_tensor({a[0]}).to({ctx.dtype(np.dtype(call.params['dtype']))})",
        "matmul": lambda ctx, call, a: f"{ctx.operand(a[0])} @ {ctx.operand(a[1])}",
        "dot": lambda ctx, call, a: f"torch.dot({a[0]}, {a[1]})",
        "einsum": _einsum,
        "addmm": _addmm, "_broadcast": _broadcast,
        "linear": lambda ctx, call, a: f"torch.nn.functional.linear({', '.join(a)})",
        "linear_nobias": lambda ctx, call, a: f"torch.nn.functional.linear({', '.join(a)})",
        "mse_loss": lambda ctx, call, a: (f"torch.nn.functional.mse_loss({a[0]}, {a[1]}, "
                                          f"reduction={call.params['reduction']!r})"),  # one of symgrad's three names
        "det": lambda ctx, call, a: f"torch.linalg.det({a[0]})",
        "inv": lambda ctx, call, a: f"torch.linalg.inv({a[0]})",
        "solve": lambda ctx, call, a: f"torch.linalg.solve({a[0]}, {a[1]})",
        "logabsdet": lambda ctx, call, a: f"torch.linalg.slogdet({a[0]})[1]",
        "det_sign": lambda ctx, call, a: f"torch.linalg.slogdet({a[0]})[0]",
        "logdet": lambda ctx, call, a: f"torch.logdet({a[0]})",
        "vector_norm": _vector_norm,
        "var": lambda ctx, call, a: (f"torch.var({a[0]}{kwargs(dim=call.params['dims'])}, "
                                     f"correction={ctx.lit(call.params['correction'])}"
                                     f"{kwargs(keepdim=call.params['keepdim'])})"),
        "inv_ex": lambda ctx, call, a: f"torch.linalg.inv_ex({a[0]})[0]",
        "solve_ex": lambda ctx, call, a: f"torch.linalg.solve_ex({a[0]}, {a[1]})[0]",
        "pinv": _pinv, **array_emitters.NO_CODE,
        "qr_q": lambda ctx, call, a: f"torch.linalg.qr({a[0]}, mode={call.params['mode']!r})[0]",
        "qr_r": lambda ctx, call, a: f"torch.linalg.qr({a[0]}, mode={call.params['mode']!r})[1]",
        "cholesky": lambda ctx, call, a: f"torch.linalg.cholesky({a[0]}, upper={ctx.lit(call.params['upper'])})",
        "lu_factor": lambda ctx, call, a: f"torch.linalg.lu_factor({a[0]})[0]",
        "lu_p": lambda ctx, call, a: f"torch.linalg.lu({a[0]})[0]",
        "lu_l": lambda ctx, call, a: f"torch.linalg.lu({a[0]})[1]",
        "lu_u": lambda ctx, call, a: f"torch.linalg.lu({a[0]})[2]",
        "lu_unpack_l": _lu_unpack_l, "lu_unpack_u": _lu_unpack_u,
        "lu_solve": lambda ctx, call, a: (f"torch.linalg.lu_solve({a[0]}, {ctx.array(np.asarray(call.params['pivots']))}, "
                                          f"{a[1]}, left={ctx.lit(call.params['left'])}, "
                                          f"adjoint={ctx.lit(call.params['adjoint'])})"),
        "solve_triangular": lambda ctx, call, a: f"torch.linalg.solve_triangular({a[0]}, {a[1]}, " + ", ".join(
            f"{k}={ctx.lit(call.params[k])}" for k in ("upper", "left", "unitriangular")) + ")",
    }


def _lu_unpack_l(ctx: Context, call: Call, a: list[str]) -> str:
    m, n = call.in_shapes[0][-2:]
    k = min(m, n)
    return (f"torch.tril({ctx.operand(a[0])}[..., :, :{k}], -1) + "
            f"torch.eye({m}, {k}, dtype={ctx.dtype(call.dtype)})")


def _lu_unpack_u(ctx: Context, call: Call, a: list[str]) -> str:
    k = min(call.in_shapes[0][-2:])
    return f"torch.triu({ctx.operand(a[0])}[..., :{k}, :])"
