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
letters, any number of operands.  Not yet: ``...`` and an index repeated
within one operand (``ii->i``, a diagonal); both raise a clear error.
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


_EINSUM = defop("einsum", lambda *xs, equation: np.einsum(equation, *xs), None, params=("equation",),
                variadic=True, promote="common", vjp=_einsum_grads)


def _parse(equation: str, operands: list[Any]) -> str:
    eq = equation.replace(" ", "")
    if "." in eq:
        raise NotImplementedError("einsum(): '...' (broadcast dimensions) is not supported yet; write the "
                                  "dimensions out with letters")
    ins, arrow, result = eq.partition("->")
    subs = ins.split(",")
    if len(subs) != len(operands):
        raise ValueError("einsum(): more operands were provided than specified in the equation"
                         if len(operands) > len(subs) else
                         "einsum(): fewer operands were provided than specified in the equation")
    letters = [c for s in subs for c in s]
    for c in letters + list(result):
        if not c.isalpha():
            raise ValueError(f"einsum(): invalid subscript given at index {eq.index(c)} in the equation "
                             f"string, subscripts must be in [a-zA-Z]")
    if not arrow:
        result = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
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
                raise RuntimeError(f"einsum(): operands do not broadcast: subscript {c!r} has size {sizes[c]} "
                                   f"and {n}")
    for c in result:
        if c not in sizes:
            raise ValueError(f"einsum(): output subscript {c} does not appear in the equation for any input "
                             "operand")
        if result.count(c) > 1:
            raise ValueError(f"einsum(): output subscript {c} appears more than once in the output")
    return ",".join(subs) + "->" + result


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
