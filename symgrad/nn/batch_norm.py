"""``F.batch_norm``: normalisation per channel over a batch, as
``torch.nn.functional.batch_norm``.

The output is composed of symgrad ops (``normalized``: the batch's mean and
biased variance over every dim but the channels; or, in evaluation, the
running statistics as constants), so it has gradients and closed forms in
the input and the parameters.  The running statistics are updated outside
autograd, as PyTorch's are: the numbers are written into the buffers
(``dispatch.write_numbers``, as optimizers write parameters), with the
unbiased variance, ``(1 - momentum) * running + momentum * batch``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import symgrad.ops as ops
from symgrad._tensor import Tensor
from symgrad.nn._checks import require_tensor
from symgrad.nn._in_place import write_in_place
from symgrad.nn.layer_functions import affine, normalized, verify_batch_size

__all__ = ["batch_norm"]


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None, weight: Tensor | None = None,
               bias: Tensor | None = None, training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Tensor:
    """``(x - mean) / sqrt(var + eps) * weight + bias`` for each channel
    (dim 1) of ``input`` (N, C, ...): with ``training``, the batch's mean and
    biased variance, and the running statistics (if given) moved towards the
    batch's (unbiased variance) by ``momentum``; otherwise the running ones.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> mean, var = symgrad.zeros(2), symgrad.ones(2)
    >>> F.batch_norm(symgrad.tensor([[1., 2.], [3., 6.]]), mean, var, training=True)
    tensor([[-1.0000, -1.0000],
            [ 1.0000,  1.0000]])
    >>> mean, var
    (tensor([0.2000, 0.4000]), tensor([1.1000, 1.7000]))
    """
    require_tensor(input, "batch_norm")
    _check_arguments(input, running_mean, running_var, training, momentum, eps)
    channels = _channels(input, running_mean, running_var, weight, bias)
    if input.numel() == 0:
        return _scaled(input, input, weight, bias)
    dims = (0, *range(2, input.ndim))
    if training:
        out = normalized(input, dims, eps)
        if running_mean is not None and running_var is not None:
            _update_running_stats(input._value, dims, channels, running_mean, running_var, momentum)
    else:
        assert running_mean is not None and running_var is not None  # (checked above)
        mean, var = _per_channel(running_mean.detach(), input), _per_channel(running_var.detach(), input)
        out = (input - mean) * ops.rsqrt(var + eps)
    return _scaled(out, input, weight, bias)


def _check_arguments(input: Tensor, running_mean: Any, running_var: Any, training: bool, momentum: Any,
                     eps: float) -> None:
    """PyTorch's checks, in its order."""
    if training:
        verify_batch_size(tuple(input.shape))
    if training and eps <= 0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    if eps < 0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    if isinstance(momentum, bool) or not isinstance(momentum, (int, float)):
        raise TypeError(f"batch_norm(): argument 'momentum' (position 7) must be float, not {type(momentum).__name__}")
    if training and (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be None")
    if not training and (running_mean is None or running_var is None):
        which = "running_mean" if running_mean is None else "running_var"
        raise RuntimeError(f"{which} must be defined in evaluation mode (pass the running statistics, or "
                           "training=True to normalise with the batch's own)")


def _channels(input: Tensor, *per_channel: Tensor | None) -> int:
    """The number of channels (dim 1), after checking every per-channel tensor holds one value for each."""
    if input.ndim < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of [-1, 0], but got 1): batch_norm's "
                         f"input is (N, C, ...), got a {input.ndim}-d tensor")
    channels = input.shape[1]
    for name, t in zip(("running_mean", "running_var", "weight", "bias"), per_channel):
        if t is not None and require_tensor(t, "batch_norm", name).numel() != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {t.numel()}")
    if not input.is_floating_point():
        raise NotImplementedError(f"\"batch_norm\" not implemented for '{_scalar_name(input)}' (as in PyTorch); "
                                  "convert with .double() first")
    return channels


def _scalar_name(t: Tensor) -> str:
    from symgrad.ops._util import SCALAR_TYPES

    return SCALAR_TYPES[t.dtype.name]


def _per_channel(t: Tensor, input: Tensor) -> Tensor:
    """A per-channel vector shaped to broadcast along dim 1 of ``input``."""
    shape = (input.shape[1],) + (1,) * (input.ndim - 2)
    return t if tuple(t.shape) == shape else t.reshape(shape)


def _scaled(out: Tensor, input: Tensor, weight: Tensor | None, bias: Tensor | None) -> Tensor:
    """``out * weight + bias`` per channel."""
    return affine(out, None if weight is None else _per_channel(weight, input),
                  None if bias is None else _per_channel(bias, input))


def _update_running_stats(x: np.ndarray, dims: tuple[int, ...], channels: int, running_mean: Tensor,
                          running_var: Tensor, momentum: float) -> None:
    """PyTorch's update, in float64 as its CPU kernel accumulates, written into the buffers."""
    values = x.astype(np.float64)
    n = values.size // channels
    mean = values.mean(axis=dims)
    var_sum = np.square(values - mean.reshape((channels,) + (1,) * (x.ndim - 2))).sum(axis=dims)
    write_in_place(running_mean, momentum * mean + (1 - momentum) * running_mean._value.reshape(-1))
    write_in_place(running_var, momentum * var_sum / (n - 1) + (1 - momentum) * running_var._value.reshape(-1))

