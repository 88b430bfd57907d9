"""Adamax (Adam with the infinity norm) and NAdam (Adam with Nesterov
momentum), with PyTorch's update rules."""

from __future__ import annotations

from typing import Any

from symgrad.ops import maximum
from symgrad.optim.optimizer import (
    Optimizer,
    check_betas,
    check_number,
    decayed_gradient,
    scalar_state,
    zeros_state,
)

__all__ = ["Adamax", "NAdam"]


class _AdamFamily(Optimizer):
    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        check_number(group["lr"], "learning rate")
        check_number(group["eps"], "epsilon value")
        check_betas(group["betas"])
        check_number(group["weight_decay"], "weight_decay value")


class Adamax(_AdamFamily):
    """Adamax, as PyTorch computes it (``g`` the gradient, ``t`` the step count):

    ``m = beta1*m + (1 - beta1)*g``, ``u = max(beta2*u, |g| + eps)``,
    ``p -= lr/(1 - beta1**t) * m/u``; ``weight_decay`` adds ``weight_decay*p``
    to ``g``; ``maximize`` ascends.

    >>> import symgrad
    >>> from symgrad import optim
    >>> w = symgrad.tensor(3., requires_grad=True)
    >>> opt = optim.Adamax([w], lr=0.1)
    >>> (w * w).backward()
    >>> opt.step()
    >>> round(w.item(), 4)
    2.9
    """

    def __init__(self, params: Any, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, *, maximize: bool = False, **implementation: Any) -> None:
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize),
                         **implementation)

    def _update_one(self, p: Any, group: dict[str, Any]) -> None:
        (beta1, beta2), eps = group["betas"], group["eps"]
        state = self.state.setdefault(p, {})
        if not state:
            state.update(step=scalar_state(0.0), exp_avg=zeros_state(p), exp_inf=zeros_state(p))
        state["step"].add_(1)
        g = decayed_gradient(p, group)
        exp_avg = state["exp_avg"].lerp_(g, 1 - beta1)
        exp_inf = state["exp_inf"]
        exp_inf.copy_(maximum(exp_inf.mul_(beta2), g.abs().add_(eps)))
        clr = group["lr"] / (1 - beta1 ** state["step"].item())
        p.addcdiv_(exp_avg, exp_inf, value=-clr)


class NAdam(_AdamFamily):
    """NAdam, as PyTorch computes it (``g`` the gradient, ``t`` the step count):
    Adam's moments, with the momentum factor ``mu_t = beta1*(1 - 0.96**(t*momentum_decay)/2)``
    and their running product ``P_t`` (state ``mu_product``, a 0-d tensor of
    the default dtype, as PyTorch keeps it), ``d = sqrt(v/(1 - beta2**t)) + eps``,
    ``p -= lr*(1 - mu_t)/(1 - P_t) * g/d + lr*mu_{t+1}/(1 - P_t*mu_{t+1}) * m/d``.
    ``decoupled_weight_decay`` shrinks ``p`` (as AdamW) instead of adding
    ``weight_decay*p`` to ``g``.

    >>> import symgrad
    >>> from symgrad import optim
    >>> w = symgrad.tensor(3., requires_grad=True)
    >>> opt = optim.NAdam([w], lr=0.1)
    >>> (w * w).backward()
    >>> opt.step()
    >>> round(w.item(), 4)
    2.8944
    """

    def __init__(self, params: Any, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3, decoupled_weight_decay: bool = False, *,
                 maximize: bool = False, **implementation: Any) -> None:
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize), **implementation)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        super()._check_hyperparameters(group)
        check_number(group["momentum_decay"], "momentum_decay value")

    def _update_one(self, p: Any, group: dict[str, Any]) -> None:
        lr, (beta1, beta2), momentum_decay = group["lr"], group["betas"], group["momentum_decay"]
        state = self.state.setdefault(p, {})
        if not state:
            state.update(step=scalar_state(0.0), mu_product=scalar_state(1.0), exp_avg=zeros_state(p),
                         exp_avg_sq=zeros_state(p))
        step = state["step"].add_(1).item()
        g = decayed_gradient(p, group)
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_product = state["mu_product"].mul_(mu).item()
        exp_avg = state["exp_avg"].lerp_(g, 1 - beta1)
        exp_avg_sq = state["exp_avg_sq"].mul_(beta2).addcmul_(g, g, value=1 - beta2)
        denom = exp_avg_sq.div(1 - beta2 ** step).sqrt().add_(group["eps"])
        p.addcdiv_(g, denom, value=-lr * (1.0 - mu) / (1.0 - mu_product))
        p.addcdiv_(exp_avg, denom, value=(-lr * mu_next) / (1.0 - mu_product * mu_next))
