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
