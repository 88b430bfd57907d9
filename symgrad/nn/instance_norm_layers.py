"""``InstanceNorm1d``, ``InstanceNorm2d``, ``InstanceNorm3d``: normalisation of each channel of
each sample over its positions (PyTorch's ``_InstanceNorm``), with
``BatchNorm``'s parameters and buffers but other defaults (no scale and
shift, no running statistics)."""

from __future__ import annotations

import warnings
from typing import Any

from symgrad._tensor import Tensor
from symgrad.nn import functional as F  # noqa: N812 - PyTorch's convention
from symgrad.nn._checks import require_tensor
from symgrad.nn.normalization import _BatchNorm

__all__ = ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"]


class _InstanceNorm(_BatchNorm):
    """What ``InstanceNorm1d``, ``InstanceNorm2d`` and ``InstanceNorm3d`` share: unbatched inputs,
    the feature check, and when the running statistics are used."""

    _no_batch_dims = 0  # the dims of an unbatched input

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = False,
                 track_running_stats: bool = False, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def forward(self, input: Tensor) -> Tensor:
        if require_tensor(input, type(self).__name__).ndim not in self._dims:
            raise ValueError(f"expected {self._expected} input (got {input.ndim}D input)")
        feature_dim = input.ndim - self._no_batch_dims
        if input.shape[feature_dim] != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match num_features "
                                 f"({self.num_features}), but got: {input.shape[feature_dim]}.")
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. You can silence this "
                          "warning by not passing in num_features, which is not used because affine=False",
                          UserWarning, stacklevel=2)
        unbatched = input.ndim == self._no_batch_dims
        x = input.unsqueeze(0) if unbatched else input
        # each instance's statistics in training, and in evaluation when no running ones are kept; PyTorch
        # passes momentum=None on as 0 (the running statistics then stay where they are)
        out = F.instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                              self.training or not self.track_running_stats,
                              0.0 if self.momentum is None else self.momentum, self.eps)
        return out.squeeze(0) if unbatched else out


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) or (C, L) inputs: each channel of
    each sample normalised over its L positions (the biased variance), then
    ``* weight + bias`` per channel with ``affine=True``.  With
    ``track_running_stats=True`` the running statistics (the batch's average
    of the instances' means and unbiased variances) are kept in training and
    used in evaluation.

    >>> import symgrad
    >>> from symgrad import nn
    >>> norm = nn.InstanceNorm1d(2)
    >>> norm
    InstanceNorm1d(2, eps=1e-05, momentum=0.1, affine=False, bias=False, track_running_stats=False)
    >>> norm(symgrad.tensor([[[1., 3.], [0., 4.]]]))
    tensor([[[-1.0000,  1.0000],
             [-1.0000,  1.0000]]])
    >>> x = symgrad.tensor([[[1., 2.]]], name="x")
    >>> scaled = nn.InstanceNorm1d(1, affine=True)
    >>> sorted(map(str, scaled(x).expr[0, 0, 0].free_symbols))   # the instance's own positions, and the parameters
    ['bias[0]', 'weight[0]', 'x[0, 0, 0]', 'x[0, 0, 1]']
    """

    _dims = (2, 3)
    _expected = "2D or 3D"
    _no_batch_dims = 2


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) or (C, H, W) inputs, per channel
    of each sample over its H*W positions (see ``InstanceNorm1d``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> norm = nn.InstanceNorm2d(3, affine=True, track_running_stats=True)
    >>> norm(symgrad.ones(4, 3, 5, 5)).shape
    symgrad.Size([4, 3, 5, 5])
    >>> sorted(norm.state_dict())
    ['bias', 'num_batches_tracked', 'running_mean', 'running_var', 'weight']
    """

    _dims = (3, 4)
    _expected = "3D or 4D"
    _no_batch_dims = 3


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation of (N, C, D, H, W) or (C, D, H, W) inputs, per
    channel of each sample over its D*H*W positions (see ``InstanceNorm1d``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> norm = nn.InstanceNorm3d(2, affine=True)
    >>> norm
    InstanceNorm3d(2, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=False)
    >>> norm(symgrad.ones(2, 3, 3, 3)).shape
    symgrad.Size([2, 3, 3, 3])
    """

    _dims = (4, 5)
    _expected = "4D or 5D"
    _no_batch_dims = 4
