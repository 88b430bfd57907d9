"""The named tuples that ``max(x, dim)``, ``min(x, dim)``, ``sort``, ``topk``,
``aminmax``, ``cummax``, ``cummin``, ``frexp``, ``linalg.inv_ex`` and ``linalg.eigh`` return, as ``torch.return_types``: fields by name or by
position, printed as PyTorch prints them.

>>> import symgrad
>>> symgrad.tensor([[1., 5.], [7., 2.]]).max(dim=1)
symgrad.return_types.max(
values=tensor([5., 7.]),
indices=tensor([1, 0]))
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

__all__ = ["max", "min", "sort", "topk", "aminmax", "cummax", "cummin", "frexp", "linalg_inv_ex", "linalg_eigh"]


def _return_type(name: str, fields: list[str]) -> Any:
    def __repr__(self: Any) -> str:  # noqa: N807
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"symgrad.return_types.{name}(\n{body})"

    # (a subclass named and placed as here, so that its instances pickle)
    return type(name, (namedtuple(name, fields),), {"__slots__": (), "__repr__": __repr__, "__module__": __name__})


max = _return_type("max", ["values", "indices"])  # noqa: A001
min = _return_type("min", ["values", "indices"])  # noqa: A001
sort = _return_type("sort", ["values", "indices"])
topk = _return_type("topk", ["values", "indices"])
aminmax = _return_type("aminmax", ["min", "max"])
cummax = _return_type("cummax", ["values", "indices"])
cummin = _return_type("cummin", ["values", "indices"])
frexp = _return_type("frexp", ["mantissa", "exponent"])
linalg_inv_ex = _return_type("linalg_inv_ex", ["inverse", "info"])
linalg_eigh = _return_type("linalg_eigh", ["eigenvalues", "eigenvectors"])
