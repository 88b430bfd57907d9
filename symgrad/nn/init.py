"""Initialisation schemes, as ``torch.nn.init``: fill a tensor in place
(outside the graph) and return it.

Random schemes draw from symgrad's generator (``symgrad.manual_seed``), or
from the NumPy ``generator=`` given.  The numbers differ from PyTorch's for
the same seed (different generators); the distributions are the same.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from symgrad._tensor import Tensor, values_of
from symgrad.creation import generator as _default_generator
from symgrad.grad_mode import no_grad

__all__ = ["calculate_gain", "uniform_", "normal_", "constant_", "ones_", "zeros_", "xavier_uniform_",
           "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"]

_LINEAR_GAINS = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                 "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended scale for weights feeding ``nonlinearity``.

    >>> from symgrad.nn import init
    >>> init.calculate_gain("relu"), init.calculate_gain("tanh")
    (1.4142135623730951, 1.6666666666666667)
    """
    if nonlinearity in _LINEAR_GAINS:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"negative_slope {slope} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}; use one of linear, sigmoid, tanh, relu, "
                     "leaky_relu, selu")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions "
                         f"(this one has shape {list(tensor.shape)})")
    receptive_field = int(np.prod(tensor.shape[2:])) if tensor.dim() > 2 else 1
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _fill(tensor: Tensor, values: Any) -> Tensor:
    _check(tensor)
    with no_grad():
        tensor.copy_(values_of(values))
    return tensor


def _check(tensor: Any) -> None:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"nn.init fills a symgrad Tensor in place, got {type(tensor).__name__}")


def _gen(generator: np.random.Generator | None) -> np.random.Generator:
    return _default_generator() if generator is None else generator


def _no_op(tensor: Tensor) -> bool:
    if tensor.numel() == 0:
        warnings.warn("Initializing zero-element tensors is a no-op", UserWarning, stacklevel=3)
        return True
    return False


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: np.random.Generator | None = None) -> Tensor:
    """Fill with values drawn uniformly from ``[a, b)``.

    >>> import symgrad
    >>> from symgrad.nn import init
    >>> w = init.uniform_(symgrad.empty(1000), -2, 2)
    >>> bool((w >= -2).all() and (w < 2).all())
    True
    """
    _check(tensor)
    return _fill(tensor, _gen(generator).uniform(a, b, tuple(tensor.shape)))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0,
            generator: np.random.Generator | None = None) -> Tensor:
    """Fill with values drawn from the normal distribution N(mean, std**2).

    >>> import symgrad
    >>> from symgrad.nn import init
    >>> _ = symgrad.manual_seed(0)
    >>> w = init.normal_(symgrad.empty(10000), mean=3.0, std=0.5)
    >>> round(float(w.mean()), 1), round(float(w.std()), 1)
    (3.0, 0.5)
    """
    _check(tensor)
    return _fill(tensor, _gen(generator).normal(mean, std, tuple(tensor.shape)))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``.

    >>> import symgrad
    >>> from symgrad.nn import init
    >>> init.constant_(symgrad.empty(2), 0.5)
    tensor([0.5000, 0.5000])
    """
    _check(tensor)
    with no_grad():
        tensor.fill_(val)
    return tensor


def ones_(tensor: Tensor) -> Tensor:
    """Fill with ones.

    >>> import symgrad
    >>> from symgrad.nn import init
    >>> init.ones_(symgrad.empty(2))
    tensor([1., 1.])
    """
    return constant_(tensor, 1.0)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with zeros.

    >>> import symgrad
    >>> from symgrad import nn
    >>> layer = nn.Linear(2, 1)
    >>> nn.init.zeros_(layer.bias)
    Parameter containing:
    tensor([0.], requires_grad=True)
    """
    return constant_(tensor, 0.0)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: np.random.Generator | None = None) -> Tensor:
    """Glorot uniform: ``U(-a, a)`` with ``a = gain * sqrt(6 / (fan_in + fan_out))``.

    >>> import symgrad
    >>> from symgrad.nn import init
    >>> w = init.xavier_uniform_(symgrad.empty(4, 2))
    >>> bool((w.abs() <= 1).all())
    True
    """
    _check(tensor)
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = math.sqrt(3.0) * gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: np.random.Generator | None = None) -> Tensor:
    """Glorot normal: ``N(0, std**2)`` with ``std = gain * sqrt(2 / (fan_in + fan_out))``.

    >>> import symgrad
    >>> from symgrad.nn import init
    >>> _ = symgrad.manual_seed(0)
    >>> round(float(init.xavier_normal_(symgrad.empty(200, 300)).std()), 2)
    0.06
    """
    _check(tensor)
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator: np.random.Generator | None = None) -> Tensor:
    """He uniform: ``U(-bound, bound)`` with ``bound = gain * sqrt(3 / fan)``.
    ``nn.Linear`` uses ``a=sqrt(5)``, which gives ``bound = 1 / sqrt(fan_in)``.

    >>> import math, symgrad
    >>> from symgrad.nn import init
    >>> w = init.kaiming_uniform_(symgrad.empty(3, 4), a=math.sqrt(5))
    >>> bool((w.abs() <= 0.5).all())
    True
    """
    _check(tensor)
    if _no_op(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    bound = math.sqrt(3.0) * calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator: np.random.Generator | None = None) -> Tensor:
    """He normal: ``N(0, std**2)`` with ``std = gain / sqrt(fan)``.

    >>> import symgrad
    >>> from symgrad.nn import init
    >>> _ = symgrad.manual_seed(0)
    >>> round(float(init.kaiming_normal_(symgrad.empty(300, 200), nonlinearity="relu").std()), 2)
    0.1
    """
    _check(tensor)
    if _no_op(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    return normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(fan), generator)
