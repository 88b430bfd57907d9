"""``verify_function``: is a custom ``autograd.Function``'s hand-written
backward the derivative of its forward?

The forward runs twice on the same arguments: once as ``Function.apply``
(the graph goes through the hand-written ``backward``) and once directly,
with grad recording on (the graph goes through symgrad's own rules for the
ops forward used).  Both results are weighted by the same symbolic output
gradients, so a backward that mishandles ``grad_output`` is caught too, and
``verify_gradient`` compares the two gradients: proof, sampled points, a
counterexample.
"""

from __future__ import annotations

from typing import Any

from symgrad import grad_mode
from symgrad._tensor import Tensor
from symgrad.autograd import engine
from symgrad.autograd.function import FunctionCtx, run_forward
from symgrad.verify.check import refuse_positions_chosen_by_values, verify_gradient
from symgrad.verify.report import GradientReport

__all__ = ["verify_function"]


def verify_function(function: Any, *args: Any, points: int = 20, seed: int = 0, rtol: float = 1e-8,
                    atol: float = 1e-10) -> GradientReport:
    """Check ``function.backward`` against the derivative of ``function.forward``
    at ``args`` (the arguments of ``function.apply``; the tensors that require
    grad are the variables).  The report's "symgrad" side is the derivative of
    forward by symgrad's rules, its "expected" side your backward's closed form.

    >>> import symgrad
    >>> class Softplus(symgrad.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return (1 + x.exp()).log()
    ...     @staticmethod
    ...     def backward(ctx, grad_output):
    ...         (x,) = ctx.saved_tensors
    ...         return grad_output / (1 + x.exp())      # a slip: the sigmoid is 1/(1 + exp(-x))
    >>> x = symgrad.tensor(0.5, requires_grad=True)
    >>> report = symgrad.verify_function(Softplus, x)
    >>> report["x"].verdict, str(report["x"].expected)
    ('proved different', '1/(exp(x) + 1)')
    """
    variables = [a for a in args if isinstance(a, Tensor) and a.requires_grad]
    if not variables:
        raise ValueError("verify_function: no argument requires grad, so there is no gradient to check; create the "
                         "tensor arguments with requires_grad=True")
    with grad_mode.enable_grad():
        direct = run_forward(function, FunctionCtx(), args, {})
        hand = function.apply(*args)
    direct_outputs, hand_outputs = _differentiable(direct), _differentiable(hand)
    _check_outputs(function, direct_outputs, hand_outputs)
    weights = _output_gradients(hand_outputs)
    hand_loss = _weighted(hand_outputs, weights)
    hand_grads = engine.grad(hand_loss, variables, allow_unused=True, materialize_grads=True)
    refuse_positions_chosen_by_values(list(hand_grads), f"verify_function: {getattr(function, '__name__', 'the')}.backward")
    return verify_gradient(_weighted(direct_outputs, weights), variables, [g.expr for g in hand_grads],
                           points=points, seed=seed, rtol=rtol, atol=atol)


def _differentiable(output: Any) -> list[Tensor]:
    outputs = output if isinstance(output, tuple) else (output,)
    return [o for o in outputs if isinstance(o, Tensor) and o.requires_grad]


def _check_outputs(function: Any, direct: list[Tensor], hand: list[Tensor]) -> None:
    """forward run directly must have the differentiable outputs ``apply``
    gives: fewer means forward computed some outside symgrad's ops (NumPy,
    ``.item()``), so symgrad has no derivative of its own to compare with."""
    if len(direct) != len(hand):
        name = getattr(function, "__name__", "forward")
        raise ValueError(f"verify_function: {name}.forward computes {len(hand) - len(direct)} of its "
                         f"{len(hand)} differentiable outputs outside symgrad's operations (with .numpy(), "
                         ".item() or NumPy), so symgrad has no derivative of its own to compare backward with; "
                         "write forward with symgrad operations, or compare numbers with symgrad.gradcheck")


def _output_gradients(outputs: list[Tensor]) -> list[Tensor | None]:
    """Symbolic output gradients (named constants: ``grad_output``, or
    ``grad_output0``, ...), except for a lone 0-d output, whose gradient 1
    keeps the closed forms short."""
    if len(outputs) == 1 and outputs[0].ndim == 0:
        return [None]
    if not outputs:
        raise ValueError("verify_function: no output of forward is differentiable (a floating-point tensor that "
                         "depends on an argument requiring grad)")
    names = ["grad_output"] if len(outputs) == 1 else [f"grad_output{j}" for j in range(len(outputs))]
    return [Tensor(o.detach().numpy() * 0 + 1, dtype=o.dtype, name=n) for o, n in zip(outputs, names)]


def _weighted(outputs: list[Tensor], weights: list[Tensor | None]) -> Tensor:
    total: Any = 0
    for o, w in zip(outputs, weights):
        total = total + (o if w is None else (o * w).sum())
    return total  # type: ignore[no-any-return]
