"""The named tuples that functions returning several tensors give back
(``values, indices = x.max(dim)``), printed as PyTorch prints its
``torch.return_types``: one field per line."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

__all__ = ["max", "min", "sort", "topk", "aminmax"]


def _result_type(name: str, fields: tuple[str, ...]) -> Any:
    def as_text(self: Any) -> str:
        inner = ",\n".join(f"{field}={value!r}" for field, value in zip(self._fields, self))
        return f"symgrad.return_types.{name}(\n{inner})"

    base = namedtuple(name, fields)  # type: ignore[misc]
    return type(name, (base,), {"__slots__": (), "__repr__": as_text, "__str__": as_text,
                                "__module__": __name__, "__qualname__": name})


max = _result_type("max", ("values", "indices"))  # noqa: A001 - PyTorch's names
min = _result_type("min", ("values", "indices"))  # noqa: A001
sort = _result_type("sort", ("values", "indices"))
topk = _result_type("topk", ("values", "indices"))
aminmax = _result_type("aminmax", ("min", "max"))
