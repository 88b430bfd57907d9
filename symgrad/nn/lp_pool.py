"""``F.lp_pool1d/2d/3d``: power-average pooling, as ``torch.nn.functional.lp_pool*d``.

PyTorch's own composition, in symgrad ops: ``f = avg_pool(x ** p)``, then
``(sign(f) * relu(|f|)) * prod(kernel_size)) ** (1 / p)``, so closed forms
and gradients come with the ops.  The ``relu`` is ``where(a > 0, a, 0)``
(PyTorch's ``threshold_backward``): a window whose powers sum to 0 gets a
zero gradient, where the product rule's ``0 * inf`` would give nan.
``norm_type`` +-inf is (minus) max pooling of ``|x|`` (of ``-|x|``), as in PyTorch.
"""

from __future__ import annotations

import math
from typing import Any

import symgrad.ops as ops
from symgrad._tensor import Tensor
from symgrad.nn._checks import require_tensor
from symgrad.nn.pool_functions import _avg_pool, max_pool1d, max_pool2d, max_pool3d
from symgrad.nn.windows import as_tuple

__all__ = ["lp_pool1d", "lp_pool2d", "lp_pool3d"]


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False) -> Tensor:
    """``(sum of x ** norm_type over each window) ** (1 / norm_type)`` along
    the last dim of (N, C, L) or (C, L) (see ``avg_pool1d`` for the windows).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.lp_pool1d(symgrad.tensor([[3., 4., 1., 0.]]), 2, 2)
    tensor([[5., 1.]])
    >>> y = F.lp_pool1d(symgrad.tensor([[1., 2.]], name="x"), 1, 2)
    >>> y.expr[0, 0]   # PyTorch's sign(f) * relu(|f|) * 2, f the window's mean
    2*Piecewise((Abs(x[0, 0]/2 + x[0, 1]/2), Abs(x[0, 0]/2 + x[0, 1]/2) > 0), (0, True))*sign(x[0, 0]/2 + x[0, 1]/2)
    """
    return _lp_pool(input, 1, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False) -> Tensor:
    """Power-average pooling of each window of (N, C, H, W) or (C, H, W) (see ``lp_pool1d``).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.lp_pool2d(symgrad.tensor([[[1., -2.], [2., 4.]]]), 2, 2)
    tensor([[[5.]]])
    """
    return _lp_pool(input, 2, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False) -> Tensor:
    """Power-average pooling of each window of (N, C, D, H, W) or (C, D, H, W) (see ``lp_pool1d``).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.lp_pool3d(symgrad.arange(8.).reshape(1, 2, 2, 2), float("inf"), 2)
    tensor([[[[7.]]]])
    """
    return _lp_pool(input, 3, norm_type, kernel_size, stride, ceil_mode)


def _lp_pool(input: Tensor, dims: int, norm_type: float, kernel_size: Any, stride: Any, ceil_mode: bool) -> Tensor:
    fn = f"lp_pool{dims}d"
    require_tensor(input, fn)
    size = math.prod(as_tuple(kernel_size, dims, fn, "kernel_size"))
    if isinstance(norm_type, (int, float)) and math.isinf(norm_type):
        max_pool = (max_pool1d, max_pool2d, max_pool3d)[dims - 1]
        if norm_type > 0:
            return max_pool(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        return -max_pool(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    out = _avg_pool(input.pow(norm_type), dims, kernel_size, stride, 0, ceil_mode, True, None)
    magnitude = ops.abs(out)
    positive = ops.where(magnitude > 0, magnitude, 0.0)  # (relu, with PyTorch's gradient 0 at 0 whatever comes back)
    return (ops.sign(out) * positive).mul(size).pow(1.0 / norm_type)
