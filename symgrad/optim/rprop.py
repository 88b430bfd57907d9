"""Rprop (resilient backpropagation), with PyTorch's update rule."""

from __future__ import annotations

from typing import Any

from symgrad.creation import full_like
from symgrad.optim.optimizer import Optimizer, check_number, numeric, scalar_state, zeros_state

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Rprop, as PyTorch computes it: each element keeps its own step size
    (``lr`` at first), multiplied by ``etas[1]`` when its gradient keeps its
    sign, by ``etas[0]`` when the sign flips (and that gradient is then taken
    as 0), and clamped to ``step_sizes``; ``p -= sign(g) * step_size``.
    State: ``prev`` (the last gradient used) and ``step_size``; ``maximize`` ascends.

    >>> import symgrad
    >>> from symgrad import optim
    >>> w = symgrad.tensor([3., -1.], requires_grad=True)
    >>> opt = optim.Rprop([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w
    tensor([ 2.9000, -0.9000], requires_grad=True)
    """

    def __init__(self, params: Any, lr: float = 1e-2, etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, maximize: bool = False,
                 **implementation: Any) -> None:
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, maximize=maximize)
        super().__init__(params, defaults, **implementation)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        check_number(group["lr"], "learning rate")
        etas = group["etas"]
        if not isinstance(etas, (tuple, list)) or len(etas) != 2:
            raise TypeError(f"etas must be a pair (etaminus, etaplus), got {etas!r}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        step_sizes = group["step_sizes"]
        if not isinstance(step_sizes, (tuple, list)) or len(step_sizes) != 2:
            raise TypeError(f"step_sizes must be a pair (min, max), got {step_sizes!r}")

    def _update_one(self, p: Any, group: dict[str, Any]) -> None:
        (etaminus, etaplus), (step_size_min, step_size_max) = group["etas"], group["step_sizes"]
        g = numeric(p.grad)
        state = self.state.setdefault(p, {})
        if not state:
            state.update(step=scalar_state(0.0), prev=zeros_state(p), step_size=full_like(g, group["lr"]))
        state["step"].add_(1)
        if group["maximize"]:
            g = -g
        prev = state["prev"]
        sign = g.mul(prev).sign()
        sign.masked_fill_(sign.gt(0), etaplus).masked_fill_(sign.lt(0), etaminus).masked_fill_(sign.eq(0), 1)
        step_size = state["step_size"].mul_(sign).clamp_(step_size_min, step_size_max)
        g = g.masked_fill(sign.eq(etaminus), 0)  # (a flipped sign: no step now, no flip seen next time)
        p.addcmul_(g.sign(), step_size, value=-1)
        prev.copy_(g)
