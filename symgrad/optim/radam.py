"""RAdam (Adam with a rectified adaptive learning rate), with PyTorch's update rule."""

from __future__ import annotations

from typing import Any

from symgrad.optim.adamax import _AdamFamily
from symgrad.optim.optimizer import decayed_gradient, scalar_state, zeros_state

__all__ = ["RAdam"]


class RAdam(_AdamFamily):
    """RAdam, as PyTorch computes it (``g`` the gradient, ``t`` the step count):
    Adam's moments ``m`` and ``v``, ``rho_inf = 2/(1 - beta2) - 1``,
    ``rho_t = rho_inf - 2*t*beta2**t/(1 - beta2**t)``; while ``rho_t <= 5``
    ``p -= lr * m/(1 - beta1**t)`` (momentum only), then
    ``p -= lr * m/(1 - beta1**t) * sqrt(1 - beta2**t)/(sqrt(v) + eps) * r_t``
    with the rectification
    ``r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))``.
    ``weight_decay`` adds ``weight_decay*p`` to ``g`` (with
    ``decoupled_weight_decay=True``, as AdamW, multiplies ``p`` by
    ``1 - lr*weight_decay``); ``maximize`` ascends.

    >>> import symgrad
    >>> from symgrad import optim
    >>> w = symgrad.tensor(3., requires_grad=True)
    >>> opt = optim.RAdam([w], lr=0.1)
    >>> (w * w).backward()
    >>> opt.step()
    >>> round(w.item(), 4)
    2.4
    """

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *, maximize: bool = False,
                 **implementation: Any) -> None:
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
                                      decoupled_weight_decay=decoupled_weight_decay), **implementation)

    def _update_one(self, p: Any, group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        state = self.state.setdefault(p, {})
        if not state:
            state.update(step=scalar_state(0.0), exp_avg=zeros_state(p), exp_avg_sq=zeros_state(p))
        step = state["step"].add_(1).item()
        g = decayed_gradient(p, group)
        exp_avg = state["exp_avg"].lerp_(g, 1 - beta1)
        exp_avg_sq = state["exp_avg_sq"].mul_(beta2).addcmul_(g, g, value=1 - beta2)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        update = exp_avg / bias_correction1 * lr
        if rho_t > 5.0:
            # (PyTorch's ``number / tensor`` is ``tensor.reciprocal() * number``: two roundings, kept)
            adaptive_lr = exp_avg_sq.sqrt().add_(eps).reciprocal_() * (bias_correction2 ** 0.5)
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            update = update * adaptive_lr * rect
        p.add_(update, alpha=-1.0)
