"""``einsum``: one op-table entry, NumPy's ``einsum`` forward and backward.

Composing it from transposes, broadcast products and sums would build the
full product over every index before summing (``ij,jk->ik`` of two 100x100
matrices: a million-element temporary for a ten-thousand-element result), so
it is an entry.  Its rule is einsum again: the gradient of operand ``i`` is
the einsum of ``g`` with the other operands, written to operand ``i``'s
indices; an index only operand ``i`` has (summed away in the forward) is
restored by ``expand``.  The symbolic forward is NumPy's einsum over object
arrays, so closed forms are the sums of products one writes by hand.

Supported: explicit (``ij,jk->ik``) and implicit (``ij,jk``) equations of
letters, any number of operands, and ``...`` for dimensions of equal sizes
(written out as spare letters first).  Not yet: an index repeated within
one operand (``ii->i``, a diagonal) and size-1 dimensions broadcast against
larger ones; both raise a clear error.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad.dispatch import apply
from symgrad.ops._util import flatten_args, tensor_arg
from symgrad.ops.registry import defop
from symgrad.ops.shape import _expand, _reshape

__all__ = ["einsum"]


def _einsum_grads(g: Any, out: Any, xs: Any, equation: str) -> list[Any]:
    ins, result = equation.split("->")
    subs = ins.split(",")
    grads = []
    for i, (s, x) in enumerate(zip(subs, xs)):
        others = [(t, y) for j, (t, y) in enumerate(zip(subs, xs)) if j != i]
        seen = set(result) | {c for t, _ in others for c in t}
        kept = "".join(c for c in s if c in seen)
        eq = ",".join([result, *[t for t, _ in others]]) + "->" + kept
        gi = apply(_EINSUM, g, *[y for _, y in others], equation=eq)
        if kept != s:  # indices summed in operand i alone: the gradient is constant along them
            gi = _expand(_reshape(gi, tuple(x.shape[k] if c in seen else 1 for k, c in enumerate(s))),
                         tuple(x.shape))
        grads.append(gi)
    return grads


def _einsum_forward(*xs: np.ndarray, equation: str) -> np.ndarray:
    out = np.einsum(equation, *xs)
    # NumPy returns a view for a permutation of one operand (ij->ji); the result is a new
    # tensor, so writing into it must not change the operand (symgrad's diagonal is a copy too)
    return out.copy() if len(xs) == 1 and np.may_share_memory(out, xs[0]) else out


_EINSUM = defop("einsum", _einsum_forward, None, params=("equation",), variadic=True, promote="common",
                vjp=_einsum_grads)


def _parse(equation: str, operands: list[Any]) -> str:
    eq = equation.replace(" ", "")
    ins, arrow, result = eq.partition("->")
    subs = ins.split(",")
    if len(subs) != len(operands):
        raise ValueError("einsum(): more operands were provided than specified in the equation"
                         if len(operands) > len(subs) else
                         "einsum(): fewer operands were provided than specified in the equation")
    dots = ""
    if "." in eq:
        subs, result, dots = _spell_out_dots(subs, result if arrow else None, operands)
    letters = [c for s in subs for c in s]
    for c in letters + list(result):
        if not c.isalpha():
            raise ValueError(f"einsum(): invalid subscript given at index {eq.index(c)} in the equation "
                             f"string, subscripts must be in [a-zA-Z]")
    if not arrow:  # NumPy's and PyTorch's implicit output: the '...' dimensions, then the lone letters in order
        result = dots + "".join(sorted(c for c in set(letters) if letters.count(c) == 1
                                                and c not in dots))
    sizes: dict[str, int] = {}
    for k, (s, x) in enumerate(zip(subs, operands)):
        if len(s) != x.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(s)}) does not match "
                               f"the number of dimensions ({x.ndim}) for operand {k} and no ellipsis was given")
        if len(set(s)) != len(s):
            raise NotImplementedError(f"einsum(): an index repeated within one operand ({s!r}: a diagonal) is "
                                      "not supported yet; use symgrad.diag or index the diagonal")
        for c, n in zip(s, x.shape):
            if sizes.setdefault(c, n) != n:
                which = "a dimension covered by '...'" if c in dots else f"subscript {c!r}"
                raise RuntimeError(f"einsum(): operands do not broadcast: {which} has size {sizes[c]} and {n} "
                                   "(sizes must be equal: size-1 dimensions are not broadcast)")
    for c in result:
        if c not in sizes:
            raise ValueError(f"einsum(): output subscript {c} does not appear in the equation for any input "
                             "operand")
        if result.count(c) > 1:
            raise ValueError(f"einsum(): output subscript {c} appears more than once in the output")
    return ",".join(subs) + "->" + result


def _spell_out_dots(subs: list[str], result: str | None, operands: list[Any]) -> tuple[list[str], str, str]:
    """The equation with each ``...`` written as letters the equation does not
    use, one per broadcast dimension, aligned from the right as in NumPy
    (``...ij,...jk->...ik`` of two (5, 2, 3)/(5, 3, 4) operands becomes
    ``Aij,Ajk->Aik``); also those letters, for an implicit output.  Broadcast
    dimensions must have equal sizes (see ``_parse``)."""
    for s in [*subs, result or ""]:
        if s.count(".") not in (0, 3) or (s.count(".") == 3 and "..." not in s):
            raise RuntimeError(f"einsum(): found {s!r}: an ellipsis is exactly three dots, '...', at most once "
                               "per operand")
    spare = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in "".join(subs) + (result or "")]
    widths = []
    for k, (s, x) in enumerate(zip(subs, operands)):
        width = x.ndim - (len(s) - 3) if "..." in s else 0
        if width < 0:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(s) - 3}) is more than "
                               f"the number of dimensions ({x.ndim}) for operand {k}")
        widths.append(width)
    dots = "".join(spare[:max(widths, default=0)])
    spelled = [s.replace("...", dots[len(dots) - w:]) for s, w in zip(subs, widths)]
    if result is not None and "..." in result:
        result = result.replace("...", dots)
    return spelled, "" if result is None else result, dots


def einsum(equation: str, *operands: Any) -> Any:
    """Sums of products over indices named by letters (``"ij,jk->ik"`` is a
    matrix product); the derivative of each operand is an einsum too.

    >>> import symgrad
    >>> a = symgrad.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    >>> b = symgrad.tensor([5., 6.], requires_grad=True)
    >>> symgrad.einsum("ij,j->i", a, b).expr
    [a[0, 0]*b[0] + a[0, 1]*b[1], a[1, 0]*b[0] + a[1, 1]*b[1]]
    >>> symgrad.einsum("ij->", a)
    tensor(10., grad_fn=<EinsumBackward0>)
    """
    if not isinstance(equation, str):
        raise TypeError(f"einsum(): argument 'equation' must be str, not {type(equation).__name__}")
    ts = [tensor_arg(x) for x in flatten_args(operands)]
    if not ts:
        raise RuntimeError("einsum(): must provide at least one operand")
    return apply(_EINSUM, *ts, equation=_parse(equation, ts))
