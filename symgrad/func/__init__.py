"""``torch.func``'s names: ``grad``, ``grad_and_value``, ``vjp``, ``jvp``,
``jacrev``, ``jacfwd``, ``hessian``, ``vmap``, ``functional_call`` and
``stack_module_state``, so code written for ``torch.func`` runs with the
import changed.

The derivative transforms are ``symgrad.functional``'s (closed forms
included); ``jacrev`` and ``jacfwd`` are both its ``jacobian`` (reverse mode:
the results are the same numbers and closed forms).  ``vmap`` maps by running
the function once per slice (``vmap.py``); ``functional_call`` runs a module
with other tensors in place of its parameters (``functional_call.py``);
``stack_module_state`` stacks the parameters of an ensemble for the two
(``stacking.py``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from symgrad.func.functional_call import functional_call
from symgrad.func.stacking import stack_module_state
from symgrad.func.vmap import vmap
from symgrad.functional import grad, hessian, jacobian, jvp, value_and_grad, vjp

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "vmap", "functional_call",
           "stack_module_state"]

jacrev = jacobian
jacfwd = jacobian


def grad_and_value(func: Callable[..., Any], argnums: int | tuple[int, ...] = 0,
                   has_aux: bool = False) -> Callable[..., Any]:
    """``(grad, value)``, or ``(grad, (value, aux))`` with ``has_aux``, as
    ``torch.func.grad_and_value`` (``symgrad.value_and_grad`` is JAX's order).

    >>> import symgrad
    >>> from symgrad.func import grad_and_value
    >>> g, v = grad_and_value(lambda w: (w * w).sum())(symgrad.tensor([1., 2.]))
    >>> g, v, g.expr
    (tensor([2., 4.]), tensor(5.), [2*w[0], 2*w[1]])
    """
    value_and_grad_f = value_and_grad(func, argnums, has_aux)

    @functools.wraps(func)
    def grad_and_value_f(*args: Any, **kwargs: Any) -> Any:
        value, g = value_and_grad_f(*args, **kwargs)
        return g, value

    return grad_and_value_f
