"""Adam and AdamW (decoupled weight decay), with PyTorch's update rule."""

from __future__ import annotations

import math
from typing import Any

from symgrad.ops import maximum
from symgrad.optim.optimizer import Optimizer, check_betas, check_number, decayed_gradient, scalar_state, zeros_state

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam, as PyTorch computes it (``g`` the gradient, ``t`` the step count):

    ``m = beta1*m + (1 - beta1)*g``, ``v = beta2*v + (1 - beta2)*g**2``,
    ``p -= lr/(1 - beta1**t) * m / (sqrt(v)/sqrt(1 - beta2**t) + eps)``.
    ``weight_decay`` adds ``weight_decay * p`` to ``g`` (or, with
    ``decoupled_weight_decay=True``, as AdamW, multiplies ``p`` by
    ``1 - lr*weight_decay``); ``amsgrad`` uses the running maximum of ``v``.

    >>> import symgrad
    >>> from symgrad import optim
    >>> w = symgrad.tensor(3., requires_grad=True)
    >>> opt = optim.Adam([w], lr=0.1)
    >>> (w * w).backward()
    >>> opt.step()
    >>> w
    tensor(2.9000, requires_grad=True)
    """

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, maximize: bool = False,
                 decoupled_weight_decay: bool = False, **implementation: Any) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults, **implementation)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        check_number(group["lr"], "learning rate")
        check_number(group["eps"], "epsilon value")
        check_betas(group["betas"])
        check_number(group["weight_decay"], "weight_decay value")

    def _update_one(self, p: Any, group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        state = self.state.setdefault(p, {})
        if not state:
            _init_state(state, p, group["amsgrad"])
        state["step"].add_(1)
        g = decayed_gradient(p, group)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg.lerp_(g, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(g, g, value=1 - beta2)
        step = state["step"].item()
        step_size = lr / (1 - beta1 ** step)
        bias_correction2_sqrt = math.sqrt(1 - beta2 ** step)
        if group["amsgrad"]:
            max_sq = state["max_exp_avg_sq"]
            max_sq.copy_(maximum(max_sq, exp_avg_sq))
            exp_avg_sq = max_sq
        denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
        p.addcdiv_(exp_avg, denom, value=-step_size)


def _init_state(state: dict[str, Any], p: Any, amsgrad: bool) -> None:
    state["step"] = scalar_state(0.0)
    state["exp_avg"] = zeros_state(p)
    state["exp_avg_sq"] = zeros_state(p)
    if amsgrad:
        state["max_exp_avg_sq"] = zeros_state(p)


class AdamW(Adam):
    """Adam with decoupled weight decay (``p *= 1 - lr*weight_decay`` before
    the Adam step); ``weight_decay`` defaults to 0.01, as PyTorch.

    >>> import symgrad
    >>> from symgrad import optim
    >>> w = symgrad.tensor(3., requires_grad=True)
    >>> opt = optim.AdamW([w], lr=0.1)
    >>> (w * w).backward()
    >>> opt.step()
    >>> round(w.item(), 4)
    2.897
    """

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 **implementation: Any) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True, **implementation)
