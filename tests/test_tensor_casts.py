"""Dtype conversion methods (``float()``, ``long()``...), which pass NumPy
scalar types such as ``np.float32`` to ``Tensor.to``."""

from __future__ import annotations

import symgrad


def test_conversion_methods_give_their_dtype():
    x = symgrad.tensor([1.5, -2.5])
    assert x.float().dtype == symgrad.float32
    assert x.double().dtype == symgrad.float64
    assert x.half().dtype == symgrad.float16
    assert x.long().dtype == symgrad.int64
    assert x.int().dtype == symgrad.int32
    assert x.bool().dtype == symgrad.bool
    assert x.long().tolist() == [1, -2]
