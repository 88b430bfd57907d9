"""``BatchNorm3d``: ``BatchNorm1d``/``BatchNorm2d`` (``normalization._BatchNorm``)
for volumes (N, C, D, H, W)."""

from __future__ import annotations

from symgrad.nn.normalization import _BatchNorm

__all__ = ["BatchNorm3d"]


class BatchNorm3d(_BatchNorm):
    """Batch normalisation of (N, C, D, H, W) inputs, per channel C over N*D*H*W
    values (see ``BatchNorm1d``: the same arguments, buffers and closed forms).

    >>> import symgrad
    >>> from symgrad import nn
    >>> bn = nn.BatchNorm3d(2)
    >>> bn
    BatchNorm3d(2, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    >>> bn(symgrad.ones(2, 2, 1, 1, 3)).shape
    symgrad.Size([2, 2, 1, 1, 3])
    >>> bn.num_batches_tracked
    tensor(1)
    """

    _dims = (5,)
    _expected = "5D"
