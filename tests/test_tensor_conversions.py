"""Tensor dtype conversions by method (``double()``, ``float()``, ``long()``...)
and by NumPy scalar type (``to(np.float32)``)."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad


@pytest.mark.parametrize("method,dtype", [("double", symgrad.float64), ("float", symgrad.float32),
                                          ("half", symgrad.float16), ("long", symgrad.int64),
                                          ("int", symgrad.int32), ("bool", symgrad.bool)])
def test_conversion_methods(method, dtype):
    t = getattr(symgrad.tensor([1, 2]), method)()
    assert t.dtype == dtype
    assert t.tolist() == [1, 2] if dtype is not symgrad.bool else [True, True]


def test_to_numpy_scalar_type():
    assert symgrad.tensor([1.5]).to(np.float32).dtype == symgrad.float32


def test_to_rejects_other_types():
    with pytest.raises(TypeError, match="expected a dtype"):
        symgrad.tensor([1.5]).to([1])


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"])
def test_type_names_are_pytorchs(dtype):
    # t.type() was 'symgrad.Float64Tensor' where PyTorch says 'torch.DoubleTensor'
    t = symgrad.zeros(1, dtype=getattr(symgrad, dtype))
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        assert t.type() == torch.zeros(1, dtype=getattr(torch, dtype)).type().replace("torch.", "symgrad.")
    assert symgrad.zeros(1).type(t.type()).dtype == t.dtype  # the name converts back
    assert symgrad.zeros(1).type(t.type().replace("symgrad.", "torch.")).dtype == t.dtype
    with pytest.raises(ValueError, match="invalid type"):
        t.type("symgrad.Float64Tensor")
