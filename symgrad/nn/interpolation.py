"""``F.interpolate`` and ``nn.Upsample`` in PyTorch's modes ``"nearest"``,
``"nearest-exact"``, ``"linear"``, ``"bilinear"``, ``"bicubic"``,
``"trilinear"`` and ``"area"``, as PyTorch's CPU kernels compute them.

Each spatial dim is resampled on its own: the nearest modes gather the
source positions (``index_select``: the copies' gradients add up), the
interpolating modes multiply by a constant matrix holding each output's
weights (``matmul``, as adaptive average pooling), so an output's closed form
is ``0.75*x[0] + 0.25*x[1]``.  ``"area"`` is adaptive average pooling, as in
PyTorch.  Positions and weights come from ``interpolation_weights.py``.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

import symgrad.ops as ops
from symgrad._tensor import Tensor
from symgrad.nn._checks import require_tensor
from symgrad.nn.interpolation_weights import antialias_weights, cubic_weights, linear_weights, nearest_positions
from symgrad.nn.module import Module
from symgrad.nn.pool_functions import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d

__all__ = ["interpolate", "Upsample"]

# the number of spatial dims each mode takes (PyTorch's)
_SPATIAL_DIMS = {"nearest": (1, 2, 3), "nearest-exact": (1, 2, 3), "area": (1, 2, 3), "linear": (1,),
                 "bilinear": (2,), "bicubic": (2,), "trilinear": (3,)}
_ALL_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_NEEDS = {1: "linear", 2: "bilinear", 3: "trilinear"}


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _output_sizes(spatial: tuple[int, ...], size: Any, scale_factor: Any,
                  recompute_scale_factor: bool | None) -> tuple[tuple[int, ...], Any]:
    """The output size of each spatial dim, and the scale factors the kernels read
    (None when they derive the scale from the sizes), as PyTorch's ``interpolate``."""
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (tuple, list)):
            if len(size) != len(spatial):
                raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input "
                                 f"with spatial dimensions of {list(spatial)} and output size of {size}. Please "
                                 "provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, "
                                 "...,oK) format.")
            if not all(_is_int(v) for v in size):
                raise TypeError("expected size to be one of int or Tuple[int] or Tuple[int, int] or Tuple[int, int, "
                                f"int], but got size with types {[type(v) for v in size]}")
        elif not _is_int(size):
            raise TypeError(f"interpolate(): size must be an int or a tuple of ints, but got {type(size).__name__} "
                            f"({size!r}); for a fractional resize pass scale_factor={size!r}")
        if recompute_scale_factor:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
        values = tuple(size) if isinstance(size, (tuple, list)) else (size,) * len(spatial)
        return tuple(int(v) for v in values), None
    if isinstance(scale_factor, (tuple, list)):
        if len(scale_factor) != len(spatial):
            raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got input "
                             f"with spatial dimensions of {list(spatial)} and scale_factor of shape {scale_factor}. "
                             "Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, "
                             "s2, ...,sK) format.")
        factors = tuple(float(f) for f in scale_factor)
    else:
        factors = (float(scale_factor),) * len(spatial)
    # C++ truncates ``size * factor`` (a double) to the output size; recomputing drops the factors,
    # so the kernels' scale becomes ``input size / output size``
    out = tuple(int(n * f) for n, f in zip(spatial, factors))
    return out, None if recompute_scale_factor else factors


def _scale(n: int, o: int, factor: float | None, align_corners: bool) -> float:
    """PyTorch's ``area_pixel_compute_scale``: how far one output step moves in the input."""
    if align_corners:
        return (n - 1) / (o - 1) if o > 1 else 0.0
    return 1.0 / factor if factor is not None and factor > 0 else n / o


def _check(input: Tensor, mode: str, align_corners: bool | None, antialias: bool) -> int:
    """The number of spatial dims; PyTorch's errors for the rest."""
    spatial = input.ndim - 2
    if mode not in _SPATIAL_DIMS:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
                                  f"the modes: {_ALL_MODES} (got {mode}); symgrad provides all but lanczos")
    if align_corners is not None and mode in ("nearest", "area", "nearest-exact"):
        raise ValueError("align_corners option can only be set with the interpolating modes: linear | bilinear | "
                         "bicubic | trilinear")
    if antialias:
        if mode not in ("bilinear", "bicubic") or input.ndim != 4:
            raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a "
                             "4-D tensor as input")
    if spatial not in _SPATIAL_DIMS[mode]:
        if mode in ("linear", "bilinear", "trilinear"):
            raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs "
                                      f"{_SPATIAL_DIMS[mode][0] + 2}D input")
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
                                  f"the modes: {_ALL_MODES} (got {mode}); {mode} takes "
                                  f"{' or '.join(f'{d + 2}D' for d in _SPATIAL_DIMS[mode])} input (N, C, ...)")
    if not input.is_floating_point():
        kernel = "compute_indices_weights_nearest" if mode.startswith("nearest") else "compute_indices_weights_linear"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{input.dtype}' (as in PyTorch); convert with "
                                  ".float() or .double() first")
    return spatial


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resample (N, C, L), (N, C, H, W) or (N, C, D, H, W) inputs to
    ``size``, or by ``scale_factor``, with ``mode`` ``"nearest"``,
    ``"nearest-exact"``, ``"area"`` (adaptive average pooling), ``"linear"``
    (3-d input), ``"bilinear"`` or ``"bicubic"`` (4-d) or ``"trilinear"``
    (5-d); ``align_corners`` maps the corner pixels' centres onto each other.
    With ``scale_factor`` the kernels place outputs by the factor given, unless
    ``recompute_scale_factor=True`` (then by the sizes, as for ``size``).
    ``antialias=True`` (``"bilinear"``, ``"bicubic"``) widens the filter when
    downsampling so that every input in reach is averaged in (PyTorch's).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.interpolate(symgrad.tensor([[[1., 2.]]]), scale_factor=2)
    tensor([[[1., 1., 2., 2.]]])
    >>> x = symgrad.tensor([[[1., 2.]]], requires_grad=True)
    >>> F.interpolate(x, size=4, mode="linear").expr
    [[[x[0, 0, 0], 0.75*x[0, 0, 0] + 0.25*x[0, 0, 1], 0.25*x[0, 0, 0] + 0.75*x[0, 0, 1], x[0, 0, 1]]]]
    >>> F.interpolate(symgrad.tensor([[[[0., 1., 2., 3.]]]]), size=(1, 2), mode="bicubic")
    tensor([[[[0.4062, 2.5938]]]])
    >>> F.interpolate(symgrad.tensor([[[[0., 1., 2., 3.]]]]), size=(1, 2), mode="bilinear", antialias=True)
    tensor([[[[0.7143, 2.2857]]]])
    """
    require_tensor(input, "interpolate")
    if input.ndim not in (3, 4, 5):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
                                  f"the modes: {_ALL_MODES} (got {mode})")
    if mode not in ("nearest", "area", "nearest-exact") and align_corners is None:
        align_corners = False
    spatial = tuple(input.shape[2:])
    # "area" always works from sizes (PyTorch reuses the recompute_scale_factor path)
    recompute = recompute_scale_factor or (mode == "area" and size is None)
    out, factors = _output_sizes(spatial, size, scale_factor, recompute)
    dims = _check(input, mode, align_corners, antialias)
    if mode == "area":  # adaptive average pooling, which takes empty outputs, as in PyTorch
        return (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[dims - 1](input, out)
    if any(o <= 0 for o in out):
        names = "DHW"[-dims:] if dims > 1 else "W"
        shown = ", ".join(f"{k}: {v}" for k, v in zip(names, spatial))
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({shown}) and output "
                           f"({', '.join(f'{k}: {v}' for k, v in zip(names, out))})")
    result = input
    for axis, (n, o) in enumerate(zip(spatial, out)):
        scale = _scale(n, o, None if factors is None else factors[axis], bool(align_corners))
        result = _resample(result, 2 + axis, n, o, scale, mode, bool(align_corners), dims == 2, antialias)
    return result


def _resample(x: Tensor, dim: int, n: int, o: int, scale: float, mode: str, align_corners: bool,
              shortcuts: bool = False, antialias: bool = False) -> Tensor:
    """``x`` resampled from ``n`` to ``o`` positions along ``dim``; ``shortcuts``: PyTorch's 2-d
    ``"nearest"`` kernel (its ``nearest_idx``) copies an output as long as the input and takes
    ``i // 2`` for one twice as long, whatever the scale factor (its 1-d and 3-d kernels do not)."""
    dtype = x.dtype.numpy
    if mode in ("nearest", "nearest-exact"):
        if shortcuts and mode == "nearest" and o in (n, 2 * n):
            positions = np.arange(o) // (o // n)
        else:
            positions = nearest_positions(n, o, scale, dtype, exact=mode == "nearest-exact")
        return x.index_select(dim, Tensor._make(positions))
    if antialias:
        matrix = antialias_weights(n, o, scale, mode == "bicubic", dtype)
    else:
        matrix = (cubic_weights if mode == "bicubic" else linear_weights)(n, o, scale, align_corners, dtype)
    weights = Tensor._make(matrix.T.copy())
    return ops.matmul(x.transpose(dim, -1), weights).transpose(dim, -1)


class Upsample(Module):
    """``F.interpolate(input, size, scale_factor, mode, align_corners)`` as a layer.

    >>> import symgrad
    >>> from symgrad import nn
    >>> up = nn.Upsample(scale_factor=2, mode="bilinear")
    >>> up
    Upsample(scale_factor=2.0, mode='bilinear')
    >>> up(symgrad.ones(1, 3, 2, 2)).shape
    symgrad.Size([1, 3, 4, 4])
    """

    def __init__(self, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                 align_corners: bool | None = None, recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor: Any = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:
        return interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                           recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self) -> str:
        info = f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None else f"size={self.size!r}"
        return info + f", mode={self.mode!r}"
