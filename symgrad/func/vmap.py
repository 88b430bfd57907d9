"""``vmap``: a function of one example, applied to a batch.

symgrad maps by running the function once per slice of the batch and
stacking the results (``select`` and ``stack``, both recorded ops), so
gradients, closed forms and nested ``vmap`` all work as for any other code;
the cost is that loop.  For fast batched evaluation, generate code
(``symgrad.lambdify``), whose functions broadcast over arrays of points.
Arguments and results may be nested tuples, lists and dicts, with ``in_dims``
and ``out_dims`` given per leaf or once for a whole subtree, as in
``torch.func.vmap``; its error messages are PyTorch's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from symgrad._tensor import Tensor
from symgrad.functional import arguments

__all__ = ["vmap"]

RANDOMNESS = ("error", "different", "same")


def vmap(func: Callable[..., Any], in_dims: Any = 0, out_dims: Any = 0, randomness: str = "error", *,
         chunk_size: int | None = None) -> Callable[..., Any]:
    """``func`` mapped over dimension ``in_dims`` of its arguments (None: not
    mapped), its results stacked along ``out_dims`` (``torch.func.vmap``).

    >>> import symgrad
    >>> x = symgrad.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    >>> w = symgrad.tensor([10., 20.], requires_grad=True)
    >>> y = symgrad.vmap(lambda row, w: (row * w).sum(), in_dims=(0, None))(x, w)
    >>> y, y.expr
    (tensor([ 50., 110.], grad_fn=<StackBackward0>), [w[0]*x[0, 0] + w[1]*x[0, 1], w[0]*x[1, 0] + w[1]*x[1, 1]])

    Random ops inside ``func`` draw independently for each slice (PyTorch's
    ``randomness="different"``; its default, ``"error"``, refuses them).
    """
    if not callable(func):
        raise TypeError(f"vmap(func): func must be callable, got {type(func).__name__}")
    if randomness not in RANDOMNESS:
        raise ValueError(f"vmap: randomness must be one of {RANDOMNESS}, got {randomness!r}")
    if randomness == "same":
        raise NotImplementedError("vmap(randomness='same') is not supported: symgrad runs func once per slice, so "
                                  "random ops draw for each; draw the random values outside and pass them with "
                                  "in_dims=None")
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size < 1):
        raise ValueError(f"vmap: chunk_size should be None or a positive integer, got {chunk_size!r}")
    name = getattr(func, "__name__", type(func).__name__)

    @functools.wraps(func)
    def mapped(*args: Any, **kwargs: Any) -> Any:
        where = f"vmap({name}, in_dims={in_dims!r}, ...)(<inputs>)"
        leaves, tree = arguments.flatten(args)
        dims = _dims_per_leaf(in_dims, args, where)
        size = _batch_size(leaves, dims, where)
        results = [func(*arguments.unflatten(tree, _slice(leaves, dims, i)), **kwargs) for i in range(size)]
        return _stack_results(results, out_dims, name)

    return mapped


def _dims_per_leaf(in_dims: Any, args: tuple[Any, ...], where: str) -> list[int | None]:
    if not isinstance(in_dims, (int, tuple)) or isinstance(in_dims, bool):
        raise ValueError(f"{where}: expected `in_dims` to be int or a (potentially nested) tuple matching the "
                         f"structure of inputs, got: {type(in_dims)}.")
    if isinstance(in_dims, tuple) and len(in_dims) != len(args):
        raise ValueError(f"{where}: in_dims is not compatible with the structure of `inputs`: in_dims has "
                         f"{len(in_dims)} entries but there are {len(args)} inputs; give one per input")
    return _broadcast(in_dims, args, where)


def _broadcast(dims: Any, tree: Any, where: str) -> list[int | None]:
    """One dim per leaf of ``tree``: an int or None stands for its whole subtree."""
    if dims is None or (isinstance(dims, int) and not isinstance(dims, bool)):
        return [dims] * len(arguments.flatten(tree)[0])
    if isinstance(dims, dict) and isinstance(tree, dict) and set(dims) == set(tree):
        return [d for k in tree for d in _broadcast(dims[k], tree[k], where)]
    if isinstance(dims, (tuple, list)) and isinstance(tree, (tuple, list)) and len(dims) == len(tree):
        return [d for sub_dims, sub in zip(dims, tree) for d in _broadcast(sub_dims, sub, where)]
    raise ValueError(f"{where}: in_dims is not compatible with the structure of `inputs`: {dims!r} does not "
                     f"match an input of type {type(tree).__name__}")


def _batch_size(leaves: list[Any], dims: list[int | None], where: str) -> int:
    sizes = []
    for leaf, d in zip(leaves, dims):
        if d is None:
            continue
        if not isinstance(leaf, Tensor):
            raise ValueError(f"{where}: Got in_dim={d} for an input but the input is of type {type(leaf)}. We cannot "
                             "vmap over non-Tensor arguments, please use None as the respective in_dim")
        if not -leaf.ndim <= d < leaf.ndim:
            raise ValueError(f"{where}: Got in_dim={d} for some input, but that input is a Tensor of dimensionality "
                             f"{leaf.ndim} so expected in_dim to satisfy {-leaf.ndim} <= in_dim < {leaf.ndim}.")
        sizes.append(leaf.shape[d])
    if not sizes:
        raise ValueError(f"{where}: at least one input must be a Tensor mapped over (in_dims all None): there is "
                         "no batch to map over")
    if len(set(sizes)) > 1:
        raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                         f"{sizes} for the mapped dimension")
    if sizes[0] == 0:
        raise ValueError("vmap over a dimension of size 0 is not supported: symgrad runs func once per slice, and "
                         "with no slice the results' shapes are unknown")
    return sizes[0]


def _slice(leaves: list[Any], dims: list[int | None], i: int) -> list[Any]:
    return [leaf if d is None else leaf.select(d, i) for leaf, d in zip(leaves, dims)]


def _stack_results(results: list[Any], out_dims: Any, name: str) -> Any:
    flat = [arguments.flatten(r) for r in results]
    tree = flat[0][1]
    dims = _broadcast_out(out_dims, results[0], name)
    stacked = []
    for k, d in enumerate(dims):
        column = [leaves[k] for leaves, _ in flat]
        stacked.append(_unbatched(column, name) if d is None else _stack(column, d, name))
    return arguments.unflatten(tree, stacked)


def _broadcast_out(out_dims: Any, result: Any, name: str) -> list[int | None]:
    try:
        return _broadcast(out_dims, result, "")
    except ValueError:
        raise ValueError(f"vmap({name}, ..., out_dims={out_dims!r})(<inputs>): out_dims is not compatible with the "
                         "structure of `outputs`; give one out_dim per output (or one for all)") from None


def _stack(column: list[Any], d: int, name: str) -> Any:
    from symgrad.ops.shape import stack

    first = column[0]
    if not isinstance(first, Tensor):
        raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got type {type(first)}. Did you mean "
                         "to set out_dims= to None for output?")
    if not -first.ndim - 1 <= d <= first.ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-first.ndim - 1}, {first.ndim}], "
                         f"but got {d})")
    return stack(column, dim=d)


def _unbatched(column: list[Any], name: str) -> Any:
    """An output with ``out_dims`` None: the same for every slice, returned once."""
    first = column[0]
    for other in column[1:]:
        same = np.array_equal(np.asarray(other._value if isinstance(other, Tensor) else other),
                              np.asarray(first._value if isinstance(first, Tensor) else first))
        if not same:
            raise ValueError(f"vmap({name}, ...): `{name}` can not return a BatchedTensor when out_dim is None: this "
                             "output differs between slices of the batch")
    return first
