"""``LayerNorm``: normalisation over the last dims, with a learned scale and
shift; ``BatchNorm1d``, ``BatchNorm2d``: normalisation per channel over a
batch, with running statistics for evaluation; ``GroupNorm``: normalisation
per group of channels of each sample."""

from __future__ import annotations

from typing import Any

from symgrad import dtypes as _dt
from symgrad._tensor import Tensor
from symgrad.creation import empty, ones, tensor, zeros
from symgrad.device import device as _device
from symgrad.nn import functional as F  # noqa: N812 - PyTorch's convention
from symgrad.nn import init
from symgrad.nn._checks import check_int, require_tensor
from symgrad.nn._in_place import write_in_place
from symgrad.nn.module import Module
from symgrad.nn.parameter import Parameter

__all__ = ["LayerNorm", "BatchNorm1d", "BatchNorm2d", "GroupNorm"]


def register_scale_and_shift(module: Module, shape: tuple[int, ...], affine: bool, bias: bool, device: Any,
                             dtype: Any) -> None:
    """Register ``weight`` and ``bias`` of ``shape`` (filled by ``reset_scale_and_shift``);
    a missing scale or shift is a parameter slot holding None, as PyTorch registers it."""
    if device is not None:
        _device(device)
    d = _dt.get_default_dtype() if dtype is None else _dt.as_dtype(dtype)
    module.register_parameter("weight", Parameter(empty(*shape, dtype=d)) if affine else None)
    module.register_parameter("bias", Parameter(empty(*shape, dtype=d)) if affine and bias else None)


def reset_scale_and_shift(module: Module) -> None:
    """Scale ones, shift zeros (for the ones the module has)."""
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


class LayerNorm(Module):
    """``(x - mean) / sqrt(var + eps) * weight + bias`` over the last dims
    ``normalized_shape`` (the biased variance); ``weight`` starts at ones and
    ``bias`` at zeros, as PyTorch's.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.LayerNorm(2)
    LayerNorm((2,), eps=1e-05, elementwise_affine=True, bias=True)
    >>> nn.LayerNorm(2)(symgrad.tensor([[1., 3.]]))
    tensor([[-1.0000,  1.0000]], grad_fn=<AddBackward0>)
    """

    def __init__(self, normalized_shape: Any, eps: float = 1e-5, elementwise_affine: bool = True, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        if not all(isinstance(s, int) and not isinstance(s, bool) for s in shape):
            raise TypeError(f"LayerNorm: normalized_shape must be an int or a sequence of ints, got {normalized_shape!r}")
        self.normalized_shape = shape
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        register_scale_and_shift(self, shape, elementwise_affine, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Scale ones, shift zeros."""
        reset_scale_and_shift(self)

    def forward(self, input: Tensor) -> Tensor:
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class _BatchNorm(Module):
    """What ``BatchNorm1d`` and ``BatchNorm2d`` share (PyTorch's ``_BatchNorm``):
    the scale and shift, the running statistics and when to use them."""

    _dims: tuple[int, ...] = ()  # the input dims the layer takes, each with the channels at dim 1
    _expected = ""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__()
        self.num_features = check_int(num_features, f"{type(self).__name__}: num_features")
        if device is not None:
            _device(device)
        self.eps, self.momentum, self.affine = eps, momentum, affine
        self.track_running_stats = track_running_stats
        d = _dt.get_default_dtype() if dtype is None else _dt.as_dtype(dtype)
        self.register_parameter("weight", Parameter(empty(num_features, dtype=d)) if affine else None)
        self.register_parameter("bias", Parameter(empty(num_features, dtype=d)) if affine and bias else None)
        stats = track_running_stats
        self.register_buffer("running_mean", zeros(num_features, dtype=d) if stats else None)
        self.register_buffer("running_var", ones(num_features, dtype=d) if stats else None)
        self.register_buffer("num_batches_tracked", tensor(0, dtype=_dt.int64) if stats else None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batch counted."""
        if self.track_running_stats:
            write_in_place(self.running_mean, 0.0)
            write_in_place(self.running_var, 1.0)
            write_in_place(self.num_batches_tracked, 0)

    def reset_parameters(self) -> None:
        """The running statistics reset; scale ones, shift zeros."""
        self.reset_running_stats()
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def _check_input_dim(self, input: Tensor) -> None:
        if require_tensor(input, type(self).__name__).ndim not in self._dims:
            raise ValueError(f"expected {self._expected} input (got {input.ndim}D input)")

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            write_in_place(self.num_batches_tracked, self.num_batches_tracked.item() + 1)
            if self.momentum is None:  # the cumulative average of all batches so far
                factor = 1.0 / self.num_batches_tracked.item()
        # batch statistics in training, and in evaluation when no running ones are kept
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        # running statistics are passed when they are to be updated or used
        keep = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if keep else None, self.running_var if keep else None,
                            self.weight, self.bias, use_batch, factor, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs, per channel C:
    ``(x - mean) / sqrt(var + eps) * weight + bias`` with the batch's mean
    and biased variance in training (the running statistics move towards
    them by ``momentum``, or average all batches when it is None), the
    running statistics in evaluation.  The output's closed form is written
    in the input and ``weight``/``bias``; the running statistics are
    numbers, updated outside autograd, saved in ``state_dict``.

    >>> import symgrad
    >>> from symgrad import nn
    >>> bn = nn.BatchNorm1d(2)
    >>> bn
    BatchNorm1d(2, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    >>> bn(symgrad.tensor([[1., 2.], [3., 6.]]))
    tensor([[-1.0000, -1.0000],
            [ 1.0000,  1.0000]], grad_fn=<AddBackward0>)
    >>> bn.running_mean, bn.running_var, bn.num_batches_tracked
    (tensor([0.2000, 0.4000]), tensor([1.1000, 1.7000]), tensor(1))
    >>> x = symgrad.tensor([[1., 2.], [3., 4.]], name="x")
    >>> sorted(map(str, bn(x).expr[0, 0].free_symbols))   # the batch's own column, and the parameters
    ['bias[0]', 'weight[0]', 'x[0, 0]', 'x[1, 0]']
    """

    _dims = (2, 3)
    _expected = "2D or 3D"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs, per channel C (see ``BatchNorm1d``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> bn = nn.BatchNorm2d(3, momentum=None).eval()
    >>> bn(symgrad.ones(1, 3, 2, 2)).shape
    symgrad.Size([1, 3, 2, 2])
    """

    _dims = (4,)
    _expected = "4D"


class GroupNorm(Module):
    """Normalisation of each group of ``num_channels / num_groups`` channels
    of each sample (``F.group_norm``), then a learned scale and shift per
    channel (ones and zeros at first, as PyTorch's).

    >>> import symgrad
    >>> from symgrad import nn
    >>> gn = nn.GroupNorm(2, 4)
    >>> gn
    GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)
    >>> gn(symgrad.tensor([[1., 3., 0., 4.]]))
    tensor([[-1.0000,  1.0000, -1.0000,  1.0000]], grad_fn=<AddBackward0>)
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 device: Any = None, dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        self.num_groups = check_int(num_groups, "GroupNorm: num_groups", minimum=1)
        self.num_channels = check_int(num_channels, "GroupNorm: num_channels")
        if num_channels % num_groups:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.eps, self.affine = eps, affine
        register_scale_and_shift(self, (num_channels,), affine, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Scale ones, shift zeros."""
        reset_scale_and_shift(self)

    def forward(self, input: Tensor) -> Tensor:
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, bias={self.bias is not None}"
