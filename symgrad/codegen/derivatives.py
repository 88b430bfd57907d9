"""Gradients and Hessians for ``gradient_function``, computed by symgrad's
own reverse mode, and the tracing of Python functions into tensors."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from symgrad.codegen.graph import CodegenError
from symgrad.symbolic import reads


def check_wrt(f: Any, wrt: list[Any]) -> None:
    from symgrad._tensor import Tensor

    if not wrt:
        raise CodegenError("gradient_function needs at least one variable in wrt")
    for i, w in enumerate(wrt):
        if not isinstance(w, Tensor):
            raise TypeError(f"wrt[{i}] must be a leaf tensor, got {type(w).__name__}")
        if not (w.requires_grad and w.is_leaf):
            raise CodegenError(f"wrt[{i}] must be a leaf tensor that requires grad (create it with "
                               "requires_grad=True before computing f)")
    if f.numel() != 1:
        raise CodegenError(f"gradient_function needs a scalar f, but f has shape {tuple(f.shape)}; reduce it "
                           "(f.sum(), f.mean()) or use symgrad.lambdify with the gradients you need")


def derivatives(f: Any, wrt: list[Any], hessian: bool) -> tuple[list[Any], list[list[Any]]]:
    """Gradients of ``f`` (and the Hessian blocks) by symgrad's reverse mode."""
    from symgrad.autograd.engine import needs_graph

    with needs_graph("gradient_function"):
        grads = _grad(f, wrt, create_graph=hessian)
    return grads, (_hessian_rows(grads, wrt) if hessian else [])


def _grad(f: Any, wrt: list[Any], create_graph: bool) -> list[Any]:
    from symgrad import zeros_like
    from symgrad.autograd.engine import grad, grad_with_terms

    if not f.requires_grad:
        return [zeros_like(w) for w in wrt]
    f = f.reshape(()) if f.ndim else f
    if create_graph:
        return list(grad(f, wrt, retain_graph=True, create_graph=True, allow_unused=True, materialize_grads=True))
    # every closed form is read: made in the pass, not by a numeric pass and its replay
    return list(grad_with_terms(f, wrt, allow_unused=True, materialize_grads=True))


def _hessian_rows(grads: list[Any], wrt: list[Any]) -> list[list[Any]]:
    """``H[i][j]``: d grads[i] / d wrt[j], shaped ``grads[i].shape + wrt[j].shape``."""
    import symgrad

    rows = []
    for g in grads:
        flat = [g] if g.ndim == 0 else [g.reshape(-1)[k] for k in range(g.numel())]
        per_element = [_grad(e, wrt, create_graph=False) for e in flat]
        row = []
        for j, w in enumerate(wrt):
            parts = [pe[j] for pe in per_element]
            block = parts[0] if g.ndim == 0 else symgrad.stack(parts).reshape(tuple(g.shape) + tuple(w.shape))
            row.append(block)
        rows.append(row)
    return rows


def default_inputs(f: Any, wrt: list[Any]) -> list[Any]:
    """``wrt``, then the other leaves ``f`` depends on (in graph order)."""
    from symgrad._tensor import _term_or_const
    from symgrad.codegen.graph import leaves_below

    wrt_uids = {getattr(_term_or_const(w), "uid", None) for w in wrt}
    extra = []
    for t in leaves_below([_term_or_const(f)]):
        if t.uid not in wrt_uids:
            tensor = t.tensor()
            if tensor is None:
                raise CodegenError("f depends on a leaf tensor that no longer exists; keep it alive and pass "
                                   "inputs=[...] explicitly")
            extra.append(tensor)
            wrt_uids.add(t.uid)
    return list(wrt) + extra


# ---------------------------------------------------------------- tracing

def trace(fn: Callable[..., Any], wrt: Any, example_args: Sequence[Any] | None) -> tuple[Any, Any, list[Any]]:
    """Call ``fn`` once on fresh leaves named like its parameters."""
    import symgrad
    from symgrad._tensor import Tensor

    names, values = _parameters(fn, example_args)
    positions = list(range(len(names))) if wrt is None else [wrt] if isinstance(wrt, int) else list(wrt)
    for p in positions:
        if not isinstance(p, int) or not 0 <= p < len(names):
            raise CodegenError(f"wrt must name argument positions of the function (0 to {len(names) - 1}), got {p!r}")
    leaves = []
    for k, (pname, v) in enumerate(zip(names, values, strict=True)):
        value = v._value if isinstance(v, Tensor) else v
        t = symgrad.tensor(value, dtype=_traced_dtype(value))
        if k in positions:
            t.requires_grad_()
        t.name = pname
        leaves.append(t)
    with np.errstate(all="ignore"), reads.tracing(reads.FOR_CODE):
        out = fn(*leaves)
    if not isinstance(out, Tensor):
        hint = ""
        if isinstance(out, (dict, list, tuple)):
            # (a gradient is of one scalar: torch.func.grad refuses containers too)
            hint = (": gradient_function differentiates one scalar; return it (lambda x: f(x)['loss']), or "
                    "use symgrad.lambdify on the values and symgrad.autograd.grad(..., create_graph=True) results, "
                    "which may be a dict")
        raise CodegenError(f"the function returned {type(out).__name__}; it must return a symgrad tensor{hint}")
    wrt_leaves = leaves[wrt] if isinstance(wrt, int) else [leaves[p] for p in positions]
    return out, wrt_leaves, leaves


def _traced_dtype(value: Any) -> Any:
    """An example's float dtype (float32 code for float32 examples, as PyTorch and
    JAX keep it); float64 for anything else (Python numbers, integer arrays)."""
    import symgrad

    dtype = getattr(value, "dtype", None)
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        return dtype.name
    return symgrad.float64


def _parameters(fn: Callable[..., Any], example_args: Sequence[Any] | None) -> tuple[list[str], list[Any]]:
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        params = []
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if example_args is not None:
        names = [p.name for p in positional[:len(example_args)]]
        names += [f"x{i}" for i in range(len(names), len(example_args))]
        return names, list(example_args)
    required = [p for p in positional if p.default is p.empty]
    if not required:
        raise CodegenError("cannot tell how many arguments the function takes; pass example_args=(...)")
    return [p.name for p in required], [1.0] * len(required)
