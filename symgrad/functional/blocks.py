"""``Blocks``: the nested tuples JAX and ``torch.func`` return for Jacobians
and Hessians with several inputs or outputs, plus a way to see them as one
matrix (numbers and closed form).

``jacobian(f, argnums=(0, 1))(x, y)`` is a *row* of blocks ``(dz/dx, dz/dy)``;
with several outputs the result is a *column* with one entry per output;
``hessian(f, argnums=(0, 1))`` is a column of rows.  Each block has shape
``output.shape + input.shape``; ``row_ndims`` remembers where the output part
ends, so ``matrix()`` can flatten each block into ``(output elements,
input elements)`` and join them.
"""

from __future__ import annotations

from typing import Any

from symgrad._tensor import Tensor

__all__ = ["Blocks"]


class Blocks(tuple):  # type: ignore[type-arg]
    """A tuple of derivative blocks that can also be read as one matrix.

    >>> import symgrad
    >>> H = symgrad.hessian(lambda x, y: x * x * y, argnums=(0, 1))(symgrad.tensor(2.), symgrad.tensor(3.))
    >>> H
    ((tensor(6.), tensor(4.)), (tensor(4.), tensor(0.)))
    >>> H.matrix()
    tensor([[6., 4.],
            [4., 0.]])
    >>> H.expr
    Matrix([
    [2*y, 2*x],
    [2*x,   0]])
    """

    kind: str
    row_ndims: tuple[int, ...]

    def __new__(cls, items: Any, kind: str, row_ndims: tuple[int, ...] = ()) -> Blocks:
        if kind not in ("row", "column"):
            raise ValueError(f"Blocks kind must be 'row' or 'column', not {kind!r}")
        obj = super().__new__(cls, items)
        obj.kind = kind
        obj.row_ndims = tuple(row_ndims)
        return obj

    def __getnewargs__(self) -> tuple[Any, ...]:
        return (tuple(self), self.kind, self.row_ndims)

    def matrix(self) -> Tensor:
        """All blocks joined into one 2-D tensor (rows: output elements,
        columns: input elements, in argument order)."""
        from symgrad.ops.shape import cat

        parts = [self._block_matrix(i, b) for i, b in enumerate(self)]
        return cat(parts, dim=1 if self.kind == "row" else 0)

    @property
    def expr(self) -> Any:
        """The closed form of ``matrix()`` as a ``sympy.Matrix``."""
        import sympy

        return sympy.Matrix(self.matrix().expr.tolist())

    def _block_matrix(self, i: int, block: Any) -> Tensor:
        if isinstance(block, Blocks):
            return block.matrix()
        if not isinstance(block, Tensor):
            raise TypeError(f"block {i} is a {type(block).__name__}, not a tensor: arguments that are "
                            "containers (tuples, dicts) cannot be joined into one matrix; index the blocks instead")
        k = self.row_ndims[i] if i < len(self.row_ndims) else 0
        rows = 1
        for s in block.shape[:k]:
            rows *= s
        return block.reshape(rows, -1) if block.numel() else block.reshape(rows, 0)
