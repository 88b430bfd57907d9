"""The named tuples that ``max(x, dim)``, ``min(x, dim)``, ``sort``, ``topk``,
``aminmax``, ``median``, ``nanmedian``, ``kthvalue``, ``mode``, ``cummax``, ``cummin``, ``frexp``,
``linalg.inv_ex``, ``linalg.solve_ex``, ``linalg.lstsq``, ``linalg.eigh``, ``linalg.cholesky_ex``,
``linalg.qr``, ``linalg.svd`` (and ``qr``, ``svd``), ``linalg.lu_factor`` (``_ex``), ``linalg.lu``, ``lu_unpack``
and ``lu(get_infos=True)`` return, as ``torch.return_types``: fields by name or by
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

__all__ = ["max", "min", "sort", "topk", "aminmax", "median", "nanmedian", "kthvalue", "mode", "cummax", "cummin",
           "frexp", "linalg_inv_ex", "linalg_solve_ex", "linalg_lstsq", "linalg_eigh", "linalg_cholesky_ex", "linalg_qr",
           "qr", "linalg_svd", "svd", "linalg_lu_factor", "linalg_lu_factor_ex", "linalg_lu", "lu_unpack", "_lu_with_info"]


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
median = _return_type("median", ["values", "indices"])
nanmedian = _return_type("nanmedian", ["values", "indices"])
kthvalue = _return_type("kthvalue", ["values", "indices"])
mode = _return_type("mode", ["values", "indices"])
cummax = _return_type("cummax", ["values", "indices"])
cummin = _return_type("cummin", ["values", "indices"])
frexp = _return_type("frexp", ["mantissa", "exponent"])
linalg_inv_ex = _return_type("linalg_inv_ex", ["inverse", "info"])
linalg_solve_ex = _return_type("linalg_solve_ex", ["result", "info"])
linalg_lstsq = _return_type("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
linalg_eigh = _return_type("linalg_eigh", ["eigenvalues", "eigenvectors"])
linalg_cholesky_ex = _return_type("linalg_cholesky_ex", ["L", "info"])
linalg_qr = _return_type("linalg_qr", ["Q", "R"])
qr = _return_type("qr", ["Q", "R"])
linalg_svd = _return_type("linalg_svd", ["U", "S", "Vh"])
svd = _return_type("svd", ["U", "S", "V"])
linalg_lu_factor = _return_type("linalg_lu_factor", ["LU", "pivots"])
linalg_lu_factor_ex = _return_type("linalg_lu_factor_ex", ["LU", "pivots", "info"])
linalg_lu = _return_type("linalg_lu", ["P", "L", "U"])
lu_unpack = _return_type("lu_unpack", ["P", "L", "U"])
_lu_with_info = _return_type("_lu_with_info", ["LU", "pivots", "info"])
