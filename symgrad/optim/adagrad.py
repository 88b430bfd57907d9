"""Adagrad, with PyTorch's update rule and learning-rate decay."""

from __future__ import annotations

from typing import Any

from symgrad.creation import full_like
from symgrad.optim.optimizer import Optimizer, check_number, decayed_gradient, numeric, scalar_state

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad, as PyTorch computes it (``g`` the gradient, ``t`` the step count):

    ``s += g**2``, ``p -= lr/(1 + (t - 1)*lr_decay) * g/(sqrt(s) + eps)``;
    ``s`` starts at ``initial_accumulator_value``; ``weight_decay`` adds
    ``weight_decay*p`` to ``g``; ``maximize`` ascends.  As PyTorch, the state
    of every parameter exists from the start (``state_dict()`` lists it
    before the first step).

    >>> import symgrad
    >>> from symgrad import optim
    >>> w = symgrad.tensor(3., requires_grad=True)
    >>> opt = optim.Adagrad([w], lr=0.1)
    >>> (w * w).backward()
    >>> opt.step()
    >>> round(w.item(), 4)
    2.9
    """

    def __init__(self, params: Any, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, *, maximize: bool = False,
                 **implementation: Any) -> None:
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, maximize=maximize)
        super().__init__(params, defaults, **implementation)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        check_number(group["lr"], "learning rate")
        check_number(group["lr_decay"], "lr_decay value")
        check_number(group["weight_decay"], "weight_decay value")
        check_number(group["initial_accumulator_value"], "initial_accumulator_value value")
        check_number(group["eps"], "epsilon value")

    def _init_state(self, p: Any, group: dict[str, Any]) -> dict[str, Any]:
        state = self.state.setdefault(p, {})
        if not state:
            state["step"] = scalar_state(0.0)
            state["sum"] = full_like(numeric(p), group["initial_accumulator_value"])
        return state

    def _update_one(self, p: Any, group: dict[str, Any]) -> None:
        state = self._init_state(p, group)  # (a group added later starts here)
        state["step"].add_(1)
        step = state["step"].item()
        g = decayed_gradient(p, group)
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        state_sum = state["sum"].addcmul_(g, g, value=1)
        std = state_sum.sqrt().add_(group["eps"])
        p.addcdiv_(g, std, value=-clr)
