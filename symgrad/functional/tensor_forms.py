"""The Jacobian and Hessian of a tensor already computed from leaves that
require grad, given its variables - ``sympy.hessian(f, [x, y])``'s style:
``symgrad.hessian(z, [x, y])``.  One tensor and one variable give the
natural layout (``z.shape + x.shape``); lists give one matrix, rows for the
outputs' elements and columns for the variables' elements.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad import grad_mode
from symgrad._tensor import Tensor
from symgrad.autograd.engine import needs_graph
from symgrad.functional import derivatives
from symgrad.functional.blocks import Blocks

__all__ = ["is_tensors", "jacobian_of_tensors", "hessian_of_tensor"]


def _materialize(gs: list[Tensor | None], out_shape: tuple[int, ...], variables: list[Tensor]) -> list[Tensor]:
    return [g if g is not None else derivatives.zeros_for(out_shape, v) for g, v in zip(gs, variables)]


def is_tensors(x: Any) -> bool:
    """A tensor or a non-empty list of tensors (the tensor form), not a function."""
    return isinstance(x, Tensor) or (isinstance(x, (list, tuple)) and bool(x) and
                                     all(isinstance(t, Tensor) for t in x))


def _as_list(x: Any, what: str) -> list[Tensor]:
    items = [x] if isinstance(x, Tensor) else list(x) if isinstance(x, (list, tuple)) else None
    if not items:
        raise TypeError(f"{what} must be a tensor or a non-empty list of tensors, got {type(x).__name__}; "
                        "e.g. symgrad.hessian(z, [x, y])")
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(f"{what}[{i}] is a {type(t).__name__}, not a tensor; pass the tensors z was computed "
                            "from, e.g. symgrad.hessian(z, [x, y])")
    for i, t in enumerate(items):
        if what == "variables" and not t.requires_grad:
            raise RuntimeError(f"variable {i} does not require grad, so nothing was recorded for it; create it "
                               "with requires_grad=True before computing the function")
    return items


def _need_variables(inputs: Any, who: str) -> None:
    if isinstance(inputs, int) and not isinstance(inputs, bool):  # the default argnums of the function form
        raise TypeError(f"symgrad.{who}(z, variables) needs the variables as the second argument, "
                        f"e.g. symgrad.{who}(z, [x, y])")


def _refuse_unrelated(outputs: list[Tensor], variables: list[Tensor]) -> None:
    """A variable that is not a leaf must be one the outputs were computed
    from.  A leaf the outputs do not depend on is an independent variable
    (its block is zeros, as in sympy's jacobian and jax.jacrev); but
    ``jacobian(v*2, v*3)`` - a tensor made apart from the outputs - has no
    derivative, and zeros would be silently wrong (``autograd.grad`` raises
    for it too, as PyTorch's does)."""
    for i in derivatives.unrelated(outputs, variables):
        raise RuntimeError(f"variable {i} is not a leaf and none of the outputs was computed from it: a tensor "
                           "computed apart from the outputs (the v * 3 of jacobian(v * 2, v * 3)) is a new tensor, "
                           "not a variable of theirs; pass the leaves the outputs were computed from "
                           "(jacobian(v * 2, v)), or an intermediate tensor they were computed from")


def jacobian_of_tensors(outputs: Any, inputs: Any) -> Tensor:
    """d outputs / d inputs, differentiable further (``create_graph``)."""
    _need_variables(inputs, "jacobian")
    outs, ins = _as_list(outputs, "outputs"), _as_list(inputs, "variables")
    _refuse_unrelated(outs, ins)
    with needs_graph("symgrad.jacobian"):
        return _jacobian(outputs, inputs, outs, ins)


def _jacobian(outputs: Any, inputs: Any, outs: list[Tensor], ins: list[Tensor]) -> Tensor:
    with grad_mode.enable_grad():
        rows = [_materialize(derivatives.jacobian_blocks(o, ins, create_graph=True), tuple(o.shape), ins) for o in outs]
    if isinstance(outputs, Tensor) and isinstance(inputs, Tensor):
        return rows[0][0]
    blocks = Blocks([Blocks(r, "row", (o.ndim,) * len(r)) for r, o in zip(rows, outs)], "column")
    with grad_mode.enable_grad():
        return blocks.matrix()


def hessian_of_tensor(z: Any, inputs: Any) -> Tensor:
    """The Hessian of a one-element tensor: the Jacobian of its gradient."""
    _need_variables(inputs, "hessian")
    if not isinstance(z, Tensor) or z.numel() != 1:
        raise RuntimeError("symgrad.hessian(z, variables) needs a scalar tensor z; for vector outputs use "
                           "the function form symgrad.hessian(f)(...)")
    ins = _as_list(inputs, "variables")
    _refuse_unrelated([z], ins)
    z = z.reshape(())
    with grad_mode.enable_grad(), needs_graph("symgrad.hessian"):
        gs = derivatives.vjp_grads([z], ins, [Tensor._make(np.ones_like(z._value))], create_graph=True)
    grads = _materialize(gs, (), ins)
    # (not checked again: a constant gradient, of a linear z, is computed from no variable)
    gradient = grads[0] if isinstance(inputs, Tensor) else grads
    return _jacobian(gradient, inputs, _as_list(gradient, "outputs"), ins)
