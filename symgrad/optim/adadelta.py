"""Adadelta, with PyTorch's update rule."""

from __future__ import annotations

from typing import Any

from symgrad.optim.optimizer import Optimizer, check_number, decayed_gradient, scalar_state, zeros_state

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta, as PyTorch computes it (``g`` the gradient):

    ``v = rho*v + (1 - rho)*g**2``, ``d = sqrt(u + eps)/sqrt(v + eps) * g``,
    ``u = rho*u + (1 - rho)*d**2``, ``p -= lr*d`` (state ``square_avg`` is
    ``v``, ``acc_delta`` is ``u``); ``weight_decay`` adds ``weight_decay*p``
    to ``g``; ``maximize`` ascends.

    >>> import symgrad
    >>> from symgrad import optim
    >>> w = symgrad.tensor(3., requires_grad=True)
    >>> opt = optim.Adadelta([w])
    >>> (w * w).backward()
    >>> opt.step()
    >>> round(w.item(), 6)
    2.996838
    """

    def __init__(self, params: Any, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6, weight_decay: float = 0,
                 *, maximize: bool = False, **implementation: Any) -> None:
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults, **implementation)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        check_number(group["lr"], "learning rate")
        check_number(group["rho"], "rho value", 0.0, 1.0, high_included=True)
        check_number(group["eps"], "epsilon value")
        check_number(group["weight_decay"], "weight_decay value")

    def _update_one(self, p: Any, group: dict[str, Any]) -> None:
        rho, eps = group["rho"], group["eps"]
        state = self.state.setdefault(p, {})
        if not state:
            state.update(step=scalar_state(0.0), square_avg=zeros_state(p), acc_delta=zeros_state(p))
        state["step"].add_(1)
        g = decayed_gradient(p, group)
        square_avg = state["square_avg"].mul_(rho).addcmul_(g, g, value=1 - rho)
        std = square_avg.add(eps).sqrt_()
        acc_delta = state["acc_delta"]
        delta = acc_delta.add(eps).sqrt_().div_(std).mul_(g)
        acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
        p.add_(delta, alpha=-group["lr"])
