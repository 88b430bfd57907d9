"""``einsum``: one op-table entry, NumPy's ``einsum`` forward and backward.

Composing it from transposes, broadcast products and sums would build the
full product over every index before summing (``ij,jk->ik`` of two 100x100
matrices: a million-element temporary for a ten-thousand-element result), so
it is an entry.  Its rule is einsum again: the gradient of operand ``i`` is
the einsum of ``g`` with the other operands, written to operand ``i``'s
indices; an index only operand ``i`` has (summed away in the forward) is
restored by ``expand``.  The symbolic forward is NumPy's einsum over object
arrays, so closed forms are the sums of products one writes by hand.

The entry only sees *plain* equations: letters, no letter twice in one
operand, and every letter of one size in all operands.  ``einsum`` brings
every equation PyTorch accepts to that form with table ops, so their rules
give the gradients, closed forms and generated code of the rest:

* ``...`` is written out as spare letters, one per dimension it covers;
* a letter repeated within one operand (``ii->i``, ``ii->``, ``bii->bi``)
  takes the diagonal of its dimensions by advanced indexing (``index``; its
  rule scatters the gradient back onto the diagonal), as PyTorch does;
* a size-1 dimension whose letter is larger in another operand is dropped
  from that operand (``view``): the operand does not vary along it, so the
  einsum without the letter there is PyTorch's broadcast;
* operands are cast to PyTorch's result dtype first (see ``_result_dtype``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad import dtypes as _dt
from symgrad._tensor import Tensor
from symgrad.dispatch import apply
from symgrad.ops._util import SCALAR_TYPES, flatten_args, tensor_arg
from symgrad.ops.registry import defop
from symgrad.ops.shape import _expand, _index, _reshape, to_dtype

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


def _parse(equation: str, operands: list[Any]) -> tuple[list[str], str, str]:
    """Each operand's subscripts and the output's, with ``...`` written out
    (and those letters), checked as PyTorch checks them."""
    eq = equation.replace(" ", "")
    ins, arrow, result = eq.partition("->")
    subs = ins.split(",")
    if len(subs) != len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation"
                           if len(operands) > len(subs) else
                           "einsum(): fewer operands were provided than specified in the equation")
    dots = ""
    if "." in eq:
        subs, result, dots = _spell_out_dots(subs, result if arrow else None, operands)
    letters = [c for s in subs for c in s]
    for c in letters + list(result):
        if not c.isalpha():
            raise RuntimeError(f"einsum(): invalid subscript given at index {eq.index(c)} in the equation "
                               f"string, subscripts must be in [a-zA-Z]")
    if not arrow:  # NumPy's and PyTorch's implicit output: the '...' dimensions, then the lone letters in order
        result = dots + "".join(sorted(c for c in set(letters) if letters.count(c) == 1
                                                and c not in dots))
    for k, (s, x) in enumerate(zip(subs, operands)):
        if len(s) != x.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(s)}) does not match "
                               f"the number of dimensions ({x.ndim}) for operand {k} and no ellipsis was given")
    for c in result:
        if c not in letters:
            raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for any input "
                               "operand")
        if result.count(c) > 1:
            raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
    return subs, result, dots


def _spell_out_dots(subs: list[str], result: str | None, operands: list[Any]) -> tuple[list[str], str, str]:
    """The equation with each ``...`` written as letters the equation does not
    use, one per broadcast dimension, aligned from the right as in NumPy
    (``...ij,...jk->...ik`` of two (5, 2, 3)/(5, 3, 4) operands becomes
    ``Aij,Ajk->Aik``); also those letters, for an implicit output."""
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


def _sizes(subs: list[str], operands: list[Any], dots: str) -> dict[str, int]:
    """Each letter's size, as PyTorch finds it (operand by operand, dimension
    by dimension): a size-1 dimension broadcasts against any size, others
    must agree; a letter repeated in one operand needs equal sizes there."""
    sizes: dict[str, int] = {}
    for k, (s, x) in enumerate(zip(subs, operands)):
        for d, (c, n) in enumerate(zip(s, x.shape)):
            first = s.index(c)
            if first < d:
                if n != x.shape[first]:
                    raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {k} but the sizes don't "
                                       f"match, {n} != {x.shape[first]}: a repeated subscript takes the diagonal "
                                       "of its dimensions, which must have equal sizes (use another letter for "
                                       "one of them, or slice the operand)")
                continue
            if n == 1:
                sizes.setdefault(c, 1)
            elif sizes.get(c, 1) in (1, n):
                sizes[c] = n
            else:
                which = "a dimension covered by '...'" if c in dots else f"subscript {c}"
                raise RuntimeError(f"einsum(): {which} has size {n} for operand {k} which does not broadcast "
                                   f"with previously seen size {sizes[c]}: the sizes of one subscript must be "
                                   "equal, or 1 to broadcast (reshape or slice an operand to fit)")
    return sizes


def _diagonal(x: Any, s: str, c: str) -> tuple[Any, str]:
    """Operand ``x`` (subscripts ``s``) on the diagonal of letter ``c``'s
    dimensions, and its subscripts: NumPy's advanced indexing puts the
    diagonal where those dimensions were when they are adjacent (``bii``
    gives ``bi``), and first otherwise (``iji`` gives ``ij``)."""
    at = [k for k, d in enumerate(s) if d == c]
    diagonal = np.arange(x.shape[at[0]])
    key = tuple(diagonal if d == c else slice(None) for d in s[:at[-1] + 1])
    adjacent = at[-1] - at[0] == len(at) - 1
    kept = s[:at[0]] + c + s[at[-1] + 1:] if adjacent else c + s.replace(c, "")
    return _index(x, key), kept


def _plain(x: Any, s: str, sizes: dict[str, int]) -> tuple[Any, str]:
    """Operand ``x`` with no letter twice and no dimension left to broadcast."""
    for c in dict.fromkeys(s):
        if s.count(c) > 1:
            x, s = _diagonal(x, s, c)
    drop = [k for k, c in enumerate(s) if x.shape[k] == 1 and sizes[c] != 1]
    if drop:
        x = _reshape(x, tuple(n for k, n in enumerate(x.shape) if k not in drop))
        s = "".join(c for k, c in enumerate(s) if k not in drop)
    return x, s




def _result_dtype(subs: list[str], result: str, sizes: dict[str, int], dtypes: list[Any]) -> Any:
    """PyTorch's dtype for the einsum of plain operands (``_plain``), or its error.

    PyTorch sums a letter that only one operand has (size > 1) out of that
    operand first, with ``sum``, which makes integers and bools int64; so does
    the sum of a single operand.  The operands then meet by ``mul`` (which
    promotes, 0-d operands counting as dimensioned: einsum unsqueezes them)
    or, when they share a letter to sum, by ``bmm``, which wants one dtype
    and no bools.  With three or more operands PyTorch's order of pairs (from
    opt_einsum, when installed) decides whether mixed dtypes meet in a
    ``bmm``, so only two are checked; more are promoted."""
    summed = [c for c in dict.fromkeys("".join(subs)) if c not in result and sizes[c] != 1]
    alone = {c for c in summed if sum(c in s for s in subs) == 1}

    def summed_alone(s: str) -> bool:
        return any(c in alone or len(subs) == 1 and c not in result for c in s)
    widened = [_dt.int64 if not d.is_floating_point and summed_alone(s) else d for s, d in zip(subs, dtypes)]
    shared = [c for c in summed if c not in alone]
    if len(subs) == 2 and shared:
        a, b = widened
        letters = "".join(shared)
        if a is _dt.bool_:  # PyTorch's bmm looks at the first operand's dtype before comparing
            raise NotImplementedError(f"einsum(): \"bmm\" not implemented for 'Bool': a bool operand summed over "
                                      f"{letters!r} with another; convert it to an integer or floating dtype first")
        if a is not b:
            raise RuntimeError(f"einsum(): expected scalar type {SCALAR_TYPES[a.name]} but found "
                               f"{SCALAR_TYPES[b.name]}: the operands are {a.name} and {b.name} when they are "
                               f"summed over {letters!r}, a product (bmm) that needs one dtype (an integer operand "
                               "is int64 after a sum over a letter only it has); convert them to one dtype "
                               "first, e.g. with .to()")
    out = widened[0]
    for d in widened[1:]:
        out = _dt.promote_types(out, d)
    return out


def _sublists(args: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    """PyTorch's other spelling, ``einsum(x, [0, 1], y, [1, 2], [0, 2])``:
    operands each followed by its subscripts as numbers (0-25 are ``A-Z``,
    26-51 ``a-z``, ``Ellipsis`` is ``...``), then optionally the output's."""
    def letters(sublist: Any) -> str:
        out = []
        for n in sublist:
            if n is Ellipsis:
                out.append("...")
            elif isinstance(n, (int, np.integer)) and 0 <= n < 52:
                out.append(chr(ord("A") + n) if n < 26 else chr(ord("a") + n - 26))
            else:
                raise ValueError("einsum(): subscript in subscript list is not within the valid range [0, 52) "
                                 f"(got {n!r}; 0-25 stand for A-Z, 26-51 for a-z, Ellipsis for '...')")
        return "".join(out)
    equation = ",".join(letters(s) for s in args[1::2])
    if len(args) % 2:
        return equation + "->" + letters(args[-1]), args[:-1:2]
    return equation, args[::2]


def einsum(equation: Any, *operands: Any) -> Any:
    """Sums of products over indices named by letters (``"ij,jk->ik"`` is a
    matrix product); the derivative of each operand is an einsum too.  Every
    equation PyTorch accepts: ``...``, implicit outputs, a letter repeated in
    one operand (a diagonal: ``"ii->i"``; ``"ii"`` is the trace), size-1
    dimensions broadcast against larger ones, and PyTorch's sublist spelling
    ``einsum(a, [0, 1], b, [1, 2], [0, 2])``.

    >>> import symgrad
    >>> a = symgrad.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    >>> b = symgrad.tensor([5., 6.], requires_grad=True)
    >>> symgrad.einsum("ij,j->i", a, b).expr
    [a[0, 0]*b[0] + a[0, 1]*b[1], a[1, 0]*b[0] + a[1, 1]*b[1]]
    >>> symgrad.einsum("ij->", a)
    tensor(10., grad_fn=<EinsumBackward0>)
    >>> symgrad.einsum("ii", a).expr
    a[0, 0] + a[1, 1]
    """
    if isinstance(equation, Tensor) and operands:
        equation, operands = _sublists((equation, *operands))
    ts = [tensor_arg(x) for x in flatten_args(operands)]
    if not ts:  # einsum("ij"), einsum("ij", []), einsum(x)
        raise ValueError("einsum(): must specify the equation string and at least one operand, or at least one "
                         "operand and its subscripts list")
    if not isinstance(equation, str):
        raise TypeError(f"einsum(): argument 'equation' must be str, not {type(equation).__name__}")
    subs, result, dots = _parse(equation, ts)
    sizes = _sizes(subs, ts, dots)
    plain = [_plain(x, s, sizes) for x, s in zip(ts, subs)]
    dtype = _result_dtype([s for _, s in plain], result, sizes, [x.dtype for x in ts])
    xs = [to_dtype(x, dtype) for x, _ in plain]
    return apply(_EINSUM, *xs, equation=",".join(s for _, s in plain) + "->" + result)
