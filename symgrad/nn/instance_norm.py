"""``F.instance_norm``: normalisation of each channel of each sample over its
positions, as ``torch.nn.functional.instance_norm``.

The output is ``batch_norm``'s building blocks applied per (sample, channel)
instead of per channel: ``normalized`` over the spatial dims only (each
instance's mean and biased variance), or the running statistics as
constants, then the per-channel ``weight`` and ``bias``; so it has gradients
and closed forms in the input and the parameters.  PyTorch runs a batch norm
on the input reshaped to (1, N*C, ...) with the statistics repeated N times,
then averages the N updated copies: the running statistics move towards the
batch's average of the instances' means and unbiased variances, outside
autograd, as ``batch_norm``'s do.
"""

from __future__ import annotations

import numpy as np

import symgrad.ops as ops
from symgrad._tensor import Size, Tensor
from symgrad.nn._checks import require_tensor
from symgrad.nn._in_place import write_in_place
from symgrad.nn.batch_norm import _per_channel, _scalar_name, _scaled
from symgrad.nn.layer_functions import normalized

__all__ = ["instance_norm"]


def instance_norm(input: Tensor, running_mean: Tensor | None = None, running_var: Tensor | None = None,
                  weight: Tensor | None = None, bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """``(x - mean) / sqrt(var + eps) * weight + bias`` for each channel of
    each sample of ``input`` (N, C, ...), the mean and biased variance taken
    over that instance's positions (``use_input_stats``; the running
    statistics, if given, move towards the batch's by ``momentum``), or the
    running statistics.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.instance_norm(symgrad.tensor([[[1., 3.], [0., 4.]]]))
    tensor([[[-1.0000,  1.0000],
             [-1.0000,  1.0000]]])
    >>> mean, var = symgrad.zeros(2), symgrad.ones(2)
    >>> _ = F.instance_norm(symgrad.tensor([[[1., 3.], [0., 4.]]]), mean, var)
    >>> mean, var
    (tensor([0.2000, 0.2000]), tensor([1.1000, 1.7000]))
    """
    require_tensor(input, "instance_norm")
    if use_input_stats:
        _verify_spatial_size(tuple(input.shape))
    elif running_mean is None or running_var is None:
        raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false "
                           "(pass the running statistics, or use_input_stats=True to normalise with each "
                           "instance's own)")
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be None")
    if input.ndim < 2:
        raise IndexError(f"instance_norm's input is (N, C, ...), got a {input.ndim}-d tensor")
    channels = input.shape[1]
    for name, t in zip(("running_mean", "running_var", "weight", "bias"), (running_mean, running_var, weight, bias)):
        if t is not None and require_tensor(t, "instance_norm", name).numel() != channels:
            raise RuntimeError(f"{name} should contain {channels} elements (one per channel of the input), not "
                               f"{t.numel()}")
    if not input.is_floating_point():
        raise NotImplementedError(f"\"batch_norm\" not implemented for '{_scalar_name(input)}' (as in PyTorch); "
                                  "convert with .double() first")
    if input.numel() == 0:
        return _scaled(input, input, weight, bias)
    dims = tuple(range(2, input.ndim))
    if use_input_stats:
        out = normalized(input, dims, eps)
        if running_mean is not None and running_var is not None:
            _update_running_stats(input._value, dims, running_mean, running_var, momentum)
    else:
        assert running_mean is not None and running_var is not None  # (checked above)
        mean, var = _per_channel(running_mean.detach(), input), _per_channel(running_var.detach(), input)
        out = (input - mean) * ops.rsqrt(var + eps)
    return _scaled(out, input, weight, bias)


def _verify_spatial_size(size: tuple[int, ...]) -> None:
    """Normalising each instance needs more than one position (the variance of one value is 0)."""
    count = 1
    for s in size[2:]:
        count *= s
    if count == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {Size(size)}")


def _update_running_stats(x: np.ndarray, dims: tuple[int, ...], running_mean: Tensor, running_var: Tensor,
                          momentum: float) -> None:
    """Each instance's mean and unbiased variance (in float64, as PyTorch's CPU
    kernel accumulates), averaged over the batch, written into the buffers."""
    values = x.astype(np.float64)
    mean = values.mean(axis=dims)  # (N, C)
    var = values.var(axis=dims, ddof=1)  # (more than one position: checked)
    old_mean = running_mean._value.reshape(-1).astype(np.float64)
    old_var = running_var._value.reshape(-1).astype(np.float64)
    write_in_place(running_mean, (momentum * mean + (1 - momentum) * old_mean).mean(axis=0))
    write_in_place(running_var, (momentum * var + (1 - momentum) * old_var).mean(axis=0))
