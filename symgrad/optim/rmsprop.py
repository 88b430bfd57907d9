"""RMSprop, with PyTorch's update rule, momentum and centering."""

from __future__ import annotations

from typing import Any

from symgrad.optim.optimizer import Optimizer, check_number, decayed_gradient, scalar_state, zeros_state

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop, as PyTorch computes it (``g`` the gradient):

    ``v = alpha*v + (1 - alpha)*g**2``, ``avg = sqrt(v) + eps``, ``p -= lr * g/avg``.
    ``centered`` subtracts the square of the running mean of ``g`` from ``v``
    before the root; ``momentum`` keeps ``buf = momentum*buf + g/avg`` and
    steps by ``lr*buf``; ``weight_decay`` adds ``weight_decay*p`` to ``g``;
    ``maximize`` ascends.

    >>> import symgrad
    >>> from symgrad import optim
    >>> w = symgrad.tensor(3., requires_grad=True)
    >>> opt = optim.RMSprop([w], lr=0.01)
    >>> (w * w).backward()
    >>> opt.step()
    >>> round(w.item(), 4)
    2.9
    """

    def __init__(self, params: Any, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0,
                 momentum: float = 0, centered: bool = False, *, maximize: bool = False,
                 **implementation: Any) -> None:
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered, weight_decay=weight_decay,
                        maximize=maximize)
        super().__init__(params, defaults, **implementation)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        check_number(group["lr"], "learning rate")
        check_number(group["eps"], "epsilon value")
        check_number(group["momentum"], "momentum value")
        check_number(group["weight_decay"], "weight_decay value")
        check_number(group["alpha"], "alpha value")

    def _update_one(self, p: Any, group: dict[str, Any]) -> None:
        alpha, momentum = group["alpha"], group["momentum"]
        state = self.state.setdefault(p, {})
        if not state:
            _init_state(state, p, momentum, group["centered"])
        state["step"].add_(1)
        g = decayed_gradient(p, group)
        square_avg = state["square_avg"].mul_(alpha).addcmul_(g, g, value=1 - alpha)
        if group["centered"]:
            grad_avg = state["grad_avg"].lerp_(g, 1 - alpha)
            avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
        else:
            avg = square_avg.sqrt()
        avg.add_(group["eps"])
        if momentum > 0:
            buf = state["momentum_buffer"].mul_(momentum).addcdiv_(g, avg)
            p.add_(buf, alpha=-group["lr"])
        else:
            p.addcdiv_(g, avg, value=-group["lr"])


def _init_state(state: dict[str, Any], p: Any, momentum: float, centered: bool) -> None:
    state["step"] = scalar_state(0.0)
    state["square_avg"] = zeros_state(p)
    if momentum > 0:
        state["momentum_buffer"] = zeros_state(p)
    if centered:
        state["grad_avg"] = zeros_state(p)
