"""Writes ``symgrad/ops/_lazy_index.py`` (public name -> lazy op family) from
the lazy families' ``__all__``: ``python -m symgrad.ops._write_lazy_index``
after adding or renaming a public function of a lazy family."""

from __future__ import annotations

import importlib

from symgrad.ops.lazy import LAZY_FAMILIES

INDEX_PATH = "symgrad/ops/_lazy_index.py"


def index_source() -> str:
    """The text of ``_lazy_index.py`` for the families as they are now."""
    family_of: dict[str, str] = {}
    for family in LAZY_FAMILIES:
        for name in importlib.import_module(f"symgrad.ops.{family}").__all__:
            family_of[name] = family
    lines = ['"""Written by ``python -m symgrad.ops._write_lazy_index``: public name -> lazy op family."""',
             "# ruff: noqa: F822  (__all__ names functions of the families, not of this module)", "",
             "FAMILY_OF = {"]
    lines += [f"    {name!r}: {family!r}," for name, family in family_of.items()]
    lines += ["}", "", "# the same names for symgrad.ops.__all__ (``*_lazy_index.__all__``, which griffe reads without", "# running the code; symgrad.ops.__all__ lists them without loading their families)", "__all__ = ["]
    lines += [f"    {name!r}," for name in family_of]
    lines += ["]", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    with open(INDEX_PATH, "w") as f:
        f.write(index_source())
    print(f"wrote {INDEX_PATH}")
