"""ASGD (averaged stochastic gradient descent), with PyTorch's update rule."""

from __future__ import annotations

from typing import Any

from symgrad.optim.optimizer import Optimizer, check_number, decayed_gradient, numeric, scalar_state, zeros_state

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """ASGD, as PyTorch computes it (``g`` the gradient, ``t`` the step count):

    ``p *= 1 - lambd*eta``, ``p -= eta*g``, then the average ``ax`` moves
    towards ``p`` by ``mu`` (``ax = p`` while ``mu`` is 1), and
    ``eta = lr/(1 + lambd*lr*t)**alpha``, ``mu = 1/max(1, t - t0)`` for the
    next step.  ``eta`` and ``mu`` are 0-d tensors of the default dtype in
    the state, as PyTorch keeps them; ``ax`` is the averaged parameter.
    ``weight_decay`` adds ``weight_decay*p`` to ``g``; ``maximize`` ascends.

    >>> import symgrad
    >>> from symgrad import optim
    >>> w = symgrad.tensor(3., requires_grad=True)
    >>> opt = optim.ASGD([w], lr=0.1)
    >>> (w * w).backward()
    >>> opt.step()
    >>> round(w.item(), 5)
    2.39997
    """

    def __init__(self, params: Any, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75, t0: float = 1e6,
                 weight_decay: float = 0, *, maximize: bool = False, **implementation: Any) -> None:
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults, **implementation)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        check_number(group["lr"], "learning rate")
        check_number(group["weight_decay"], "weight_decay value")

    def _update_one(self, p: Any, group: dict[str, Any]) -> None:
        lr, lambd, alpha = group["lr"], group["lambd"], group["alpha"]
        state = self.state.setdefault(p, {})
        if not state:
            state.update(step=scalar_state(0.0), eta=scalar_state(lr), mu=scalar_state(1.0), ax=zeros_state(p))
        step = state["step"].add_(1).item()
        g = decayed_gradient(p, group)
        eta = state["eta"].item()
        p.mul_(1 - lambd * eta)
        p.add_(g, alpha=-eta)
        ax, mu = state["ax"], state["mu"]
        if mu.item() != 1:
            ax.add_(numeric(p).sub(ax).mul_(mu))
        else:
            ax.copy_(numeric(p))
        state["eta"].fill_(lr / ((1 + lambd * lr * step) ** alpha))
        state["mu"].fill_(1 / max(1, step - group["t0"]))
