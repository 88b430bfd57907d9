"""``Optimizer``: parameter groups, per-parameter state, ``zero_grad``,
``state_dict``, as ``torch.optim.Optimizer``.

Subclasses implement ``_update_one(p, group)`` (called for each parameter
that has a gradient) or the whole ``_update(group)``.  Updates run under ``no_grad`` with
in-place ops, so each parameter stays the same object, and the same symbol
in closed forms, from one step to the next.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from symgrad._tensor import Tensor, values_of
from symgrad.creation import from_numpy, tensor, zeros_like
from symgrad.dtypes import get_default_dtype
from symgrad.grad_mode import enable_grad, no_grad
from symgrad.nn.parameter import clear_grad

__all__ = ["Optimizer", "numeric", "decayed_gradient", "scalar_state", "zeros_state", "check_number", "check_betas"]


class _RequiredParameter:
    def __repr__(self) -> str:
        return "<required parameter>"


required: Any = _RequiredParameter()


class Optimizer:
    """Base class of optimizers: holds ``param_groups`` (dicts with
    ``'params'`` and hyperparameters) and ``state`` (per parameter).

    >>> import symgrad
    >>> from symgrad import nn, optim
    >>> opt = optim.SGD(nn.Linear(2, 1).parameters(), lr=0.1)
    >>> len(opt.param_groups[0]["params"]), opt.param_groups[0]["lr"]
    (2, 0.1)
    """

    def __init__(self, params: Any, defaults: dict[str, Any], **implementation: Any) -> None:
        _implementation_options(type(self).__name__, implementation)
        self.defaults = defaults
        self.state: dict[Tensor, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            f"but got {params.type()}; pass a list: [tensor] or model.parameters()")
        if isinstance(params, (set, frozenset)):
            raise TypeError(_UNORDERED)
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list; pass model.parameters() of a model that "
                             "has parameters")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ------------------------------------------------------------ groups

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyperparameters (missing ones
        take the optimizer's defaults)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, got {type(param_group).__name__}")
        group = dict(param_group)
        params, names = _split_names(group["params"])
        for p in params:
            _check_param(p)
        if len(set(map(id, params))) != len(params):
            raise ValueError("a parameter appears more than once in this parameter group; list each once")
        group["params"] = params
        if names is not None:
            group["param_names"] = names
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            group.setdefault(name, default)
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if existing & set(map(id, params)):
            raise ValueError("some parameters appear in more than one parameter group")
        self._check_hyperparameters(group)
        self.param_groups.append(group)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        """Subclasses validate a group's hyperparameters (learning rate, betas...)."""

    # ------------------------------------------------------------ stepping

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradients of all optimized parameters (drop them, or zero them in place)."""
        for group in self.param_groups:
            for p in group["params"]:
                clear_grad(p, set_to_none)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; ``closure`` (re-evaluating
        the loss) is called first when given, and its result returned."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                self._update(group)
        return loss

    def _update(self, group: dict[str, Any]) -> None:
        for p in group["params"]:
            if p.grad is not None:
                self._update_one(p, group)

    def _update_one(self, p: Tensor, group: dict[str, Any]) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement _update_one(p, group) or _update(group)")

    # ------------------------------------------------------------ state

    def state_dict(self) -> dict[str, Any]:
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}``;
        parameters are numbered in the order of the groups, as PyTorch does.

        >>> import symgrad
        >>> from symgrad import optim
        >>> w = symgrad.tensor([1.0], requires_grad=True)
        >>> opt = optim.SGD([w], lr=0.1, momentum=0.9)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> saved = opt.state_dict()
        >>> saved["state"]
        {0: {'momentum_buffer': tensor([2.])}}
        >>> opt2 = optim.SGD([w], lr=0.5, momentum=0.9)
        >>> opt2.load_state_dict(saved)
        >>> opt2.param_groups[0]["lr"], opt2.state[w]["momentum_buffer"]
        (0.1, tensor([2.]))
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: s for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyperparameters and state saved by ``state_dict`` (copied, and
        floating state tensors converted to their parameter's dtype)."""
        state_dict = copy.deepcopy(state_dict)
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for mine, saved in zip(self.param_groups, saved_groups):
            if len(mine["params"]) != len(saved["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                                 "optimizer's group")
        by_index = {i: p for saved, mine in zip(saved_groups, self.param_groups)
                    for i, p in zip(saved["params"], mine["params"])}
        self.state = {}
        for i, s in state_dict["state"].items():
            p = by_index.get(int(i))
            if p is not None:
                self.state[p] = {k: _cast_state(k, v, p) for k, v in s.items()}
        for mine, saved in zip(self.param_groups, saved_groups):
            params = mine["params"]
            mine.clear()
            mine.update({k: v for k, v in saved.items() if k != "params"})
            mine["params"] = params

    # ------------------------------------------------------------ printing

    def __repr__(self) -> str:
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}"
            for key in sorted(group):
                if key not in ("params", "param_names"):
                    text += f"\n    {key}: {group[key]}"
        return text + "\n)"


def numeric(t: Tensor) -> Tensor:
    """A tensor sharing ``t``'s memory with no symbolic view.  Optimizer
    arithmetic and state use these: state built from symbolic tensors would
    chain every step's closed form to the next and keep them all alive."""
    return from_numpy(values_of(t))


def decayed_gradient(p: Tensor, group: dict[str, Any]) -> Tensor:
    """The gradient an update uses, as PyTorch's optimizers make it: negated
    with ``maximize``, plus ``weight_decay * p``; with ``decoupled_weight_decay``
    (AdamW, NAdam) ``p`` is shrunk by ``1 - lr*weight_decay`` instead."""
    g = numeric(p.grad)  # type: ignore[arg-type]
    if group.get("maximize"):
        g = -g
    weight_decay = group.get("weight_decay", 0)
    if weight_decay != 0:
        if group.get("decoupled_weight_decay"):
            p.mul_(1 - group["lr"] * weight_decay)
        else:
            g = g.add(numeric(p), alpha=weight_decay)
    return g


def scalar_state(value: float) -> Tensor:
    """A 0-d number of an optimizer's state (the step count, NAdam's product
    of momentum factors): a floating tensor of the default dtype, as PyTorch
    keeps them (its arithmetic then rounds as PyTorch's does)."""
    return tensor(value, dtype=get_default_dtype())


def zeros_state(p: Tensor) -> Tensor:
    """A running average of an optimizer's state: zeros shaped as ``p``, numbers only."""
    return zeros_like(numeric(p))


def check_number(value: Any, what: str, low: float = 0.0, high: float | None = None, *,
                 high_included: bool = False) -> None:
    """A hyperparameter in ``[low, high)`` (``[low, high]`` with
    ``high_included``); PyTorch's message otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{what} must be a number, got {type(value).__name__}")
    if not value >= low or (high is not None and not (value <= high if high_included else value < high)):
        raise ValueError(f"Invalid {what}: {value}")


def check_betas(betas: Any) -> None:
    """A pair of averaging factors in ``[0, 1)`` (Adam and its variants)."""
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    for i, beta in enumerate(betas):
        check_number(beta, f"beta parameter at index {i}", 0.0, 1.0)


_UNORDERED = ("optimizer parameters need to be organized in ordered collections, but the ordering of tensors in "
              "sets will change between runs. Please use a list instead.")


def _split_names(params: Any) -> tuple[list[Any], list[str] | None]:
    """Parameters, and their names when given as ``named_parameters()`` pairs."""
    if isinstance(params, Tensor):
        return [params], None
    if isinstance(params, (set, frozenset)):
        raise TypeError(_UNORDERED)
    items = list(params)
    if items and all(isinstance(i, tuple) and len(i) == 2 and isinstance(i[0], str) for i in items):
        return [p for _, p in items], [n for n, _ in items]
    return items, None


# PyTorch's options that choose how an update is computed (for-each kernels,
# fused kernels, CUDA graphs), not what it computes: symgrad has one way.
_IMPLEMENTATION_OPTIONS = ("foreach", "fused", "capturable", "differentiable")


def _implementation_options(optimizer: str, options: dict[str, Any]) -> None:
    """Accept PyTorch's implementation options (ignored: the numbers are the
    same); refuse ``differentiable=True``, which would change what ``step``
    records, and any other keyword, as Python would."""
    for name, value in options.items():
        if name not in _IMPLEMENTATION_OPTIONS:
            raise TypeError(f"{optimizer}.__init__() got an unexpected keyword argument {name!r}")
        if name == "differentiable" and value:
            raise NotImplementedError(f"{optimizer}(differentiable=True) is not supported: symgrad's optimizer steps "
                                      "are not recorded for autograd; differentiate through a hand-written update "
                                      "(p - lr * g) instead")


def _check_param(p: Any) -> None:
    if not isinstance(p, Tensor):
        raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}")
    if not p.is_leaf:
        raise ValueError("can't optimize a non-leaf Tensor; optimize the leaves it was computed from "
                         "(e.g. model.parameters())")
    if not p.is_floating_point():
        raise ValueError(f"can't optimize a tensor of dtype {p.dtype}: only floating point tensors have gradients")


def _cast_state(key: str, value: Any, param: Tensor) -> Any:
    # As PyTorch: floating state follows the parameter's dtype, except the step count.
    if isinstance(value, Tensor) and key != "step" and value.is_floating_point():
        return value.to(param.dtype)
    return value
