"""``F.interpolate`` and ``nn.Upsample`` in the modes ``"nearest"``,
``"linear"`` and ``"bilinear"``, as PyTorch's CPU kernels compute them.

Each spatial dim is resampled on its own: ``nearest`` gathers the source
positions (``index_select``: the copies' gradients add up), ``linear``
multiplies by a constant matrix holding each output's two weights
(``matmul``, as adaptive average pooling), so an output's closed form is
``0.75*x[0] + 0.25*x[1]``.  Source positions and weights are computed as
PyTorch's CPU kernels compute them, in the input's dtype.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import symgrad.ops as ops
from symgrad._tensor import Tensor
from symgrad.nn._checks import require_tensor
from symgrad.nn.module import Module

__all__ = ["interpolate", "Upsample"]

_SPATIAL_DIMS = {"nearest": (1, 2), "linear": (1,), "bilinear": (2,)}
_ALL_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"


def _output_sizes(spatial: tuple[int, ...], size: Any, scale_factor: Any) -> tuple[tuple[int, ...], Any]:
    """The output size of each spatial dim, and the scale factors given (None when ``size`` was)."""
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined" if size is not None
                         else "either size or scale_factor should be defined")
    given, what = (size, "output size") if size is not None else (scale_factor, "scale_factor")
    values = tuple(given) if isinstance(given, (tuple, list)) else (given,) * len(spatial)
    if len(values) != len(spatial):
        raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input with "
                         f"spatial dimensions of {list(spatial)} and {what} of {tuple(values)}. Please provide input "
                         "tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.")
    if size is not None:
        return tuple(int(v) for v in values), None
    return tuple(math.floor(n * float(s)) for n, s in zip(spatial, values)), tuple(float(s) for s in values)


def _nearest_positions(n: int, o: int, scale: float, dtype: np.dtype) -> np.ndarray:
    """PyTorch's ``compute_indices_weights_nearest``: ``min(floor(dst * scale), n - 1)``
    in ``dtype`` (float32 for float32 inputs: the rounding decides some positions)."""
    source = np.floor(np.arange(o, dtype=dtype) * dtype.type(scale)).astype(np.int64)
    return np.minimum(source, n - 1)


def _linear_weights(n: int, o: int, scale: float, align_corners: bool, dtype: np.dtype) -> np.ndarray:
    """A constant (o, n) matrix: each output's two weights on its neighbours
    (PyTorch's ``compute_source_index_and_lambda``, in ``dtype``)."""
    weights = np.zeros((o, n), dtype=dtype)
    if o == n and not align_corners:
        np.fill_diagonal(weights, 1)
        return weights
    dst = np.arange(o, dtype=dtype)
    s = dtype.type(scale)
    real = dst * s if align_corners else np.maximum(s * (dst + dtype.type(0.5)) - dtype.type(0.5), 0)
    below = np.minimum(np.floor(real).astype(np.int64), n - 1)
    above = below + (below < n - 1)
    lam = np.clip(real - below, 0, 1).astype(dtype)
    rows = np.arange(o)
    np.add.at(weights, (rows, below), 1 - lam)
    np.add.at(weights, (rows, above), lam)
    return weights


def _scale(n: int, o: int, factor: float | None, align_corners: bool) -> float:
    """PyTorch's ``area_pixel_compute_scale``: how far one output step moves in the input."""
    if align_corners:
        return (n - 1) / (o - 1) if o > 1 else 0.0
    return 1.0 / factor if factor is not None and factor > 0 else n / o


def _check(input: Tensor, mode: str, align_corners: bool | None, antialias: bool) -> int:
    """The number of spatial dims; PyTorch's errors for the rest."""
    if mode not in _SPATIAL_DIMS:
        raise NotImplementedError(f"Input Error: Only 3D and 4D input Tensors are supported by symgrad for the "
                                  f"modes: nearest | linear | bilinear (got {input.ndim}D, {mode}); PyTorch's other "
                                  f"modes ({_ALL_MODES}) are not provided")
    if align_corners is not None and mode == "nearest":
        raise ValueError("align_corners option can only be set with the interpolating modes: linear | bilinear | "
                         "bicubic | trilinear")
    if antialias:
        raise NotImplementedError("interpolate(antialias=True) is not provided by symgrad (PyTorch applies it only "
                                  "to bilinear and bicubic downsampling); use antialias=False")
    spatial = input.ndim - 2
    if spatial not in _SPATIAL_DIMS[mode]:
        if spatial in (1, 2, 3) and mode != "nearest":
            raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {_SPATIAL_DIMS[mode][0] + 2}D "
                                      "input")
        raise NotImplementedError(f"Input Error: Only 3D and 4D input Tensors are supported by symgrad for mode "
                                  f"{mode} (got {input.ndim}D); the input is (N, C, L) or (N, C, H, W)")
    if not input.is_floating_point():
        kernel = "compute_indices_weights_nearest" if mode == "nearest" else "compute_indices_weights_linear"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{input.dtype}' (as in PyTorch); convert with "
                                  ".float() or .double() first")
    return spatial


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resample (N, C, L) or (N, C, H, W) inputs to ``size``, or by
    ``scale_factor``, with ``mode`` ``"nearest"``, ``"linear"`` (3-d input) or
    ``"bilinear"`` (4-d input); ``align_corners`` maps the corner pixels'
    centres onto each other.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.interpolate(symgrad.tensor([[[1., 2.]]]), scale_factor=2)
    tensor([[[1., 1., 2., 2.]]])
    >>> x = symgrad.tensor([[[1., 2.]]], requires_grad=True)
    >>> F.interpolate(x, size=4, mode="linear").expr
    [[[x[0, 0, 0], 0.75*x[0, 0, 0] + 0.25*x[0, 0, 1], 0.25*x[0, 0, 0] + 0.75*x[0, 0, 1], x[0, 0, 1]]]]
    """
    require_tensor(input, "interpolate")
    if input.ndim not in (3, 4, 5):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
                                  f"the modes: {_ALL_MODES} (got {mode})")
    dims = _check(input, mode, align_corners, antialias)
    spatial = tuple(input.shape[2:])
    out, factors = _output_sizes(spatial, size, scale_factor)
    if any(o <= 0 for o in out):
        names = "DHW"[-dims:] if dims > 1 else "W"
        shown = ", ".join(f"{k}: {v}" for k, v in zip(names, spatial))
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({shown}) and output "
                           f"({', '.join(f'{k}: {v}' for k, v in zip(names, out))})")
    if recompute_scale_factor:
        factors = None  # the scales are recomputed from the sizes, as PyTorch does
    result = input
    for axis, (n, o) in enumerate(zip(spatial, out)):
        scale = _scale(n, o, None if factors is None else factors[axis], bool(align_corners))
        result = _resample(result, 2 + axis, n, o, scale, mode, bool(align_corners))
    return result


def _resample(x: Tensor, dim: int, n: int, o: int, scale: float, mode: str, align_corners: bool) -> Tensor:
    """``x`` resampled from ``n`` to ``o`` positions along ``dim``."""
    if mode == "nearest":
        return x.index_select(dim, Tensor._make(_nearest_positions(n, o, scale, x.dtype.numpy)))
    weights = Tensor._make(_linear_weights(n, o, scale, align_corners, x.dtype.numpy).T.copy())
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
