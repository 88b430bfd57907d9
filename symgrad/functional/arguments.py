"""Arguments of transformed functions: ``argnums``, nested containers of
tensors (a small pytree: tuples, lists and dicts), and the variables the
transforms differentiate with respect to.

How an argument becomes a variable decides both the numbers and the names in
the closed forms:

* an argument that requires grad (the caller is recording a graph through
  it) is used through ``clone``: a differentiable alias, so results stay
  differentiable with respect to the caller's tensor and its closed forms
  are written in the caller's symbols (this is how transforms nest:
  ``hessian`` is ``jacobian`` of ``jacobian``);
* any other argument becomes a fresh leaf sharing its memory; a named
  constant keeps its symbol, other tensors are named after ``f``'s parameter
  (``def f(x, y)`` gives ``x`` and ``y``) or, inside containers, after the
  parameter and the key (``params['w']`` gives ``w``, ``ws[0]`` gives ``ws_0``).
  NumPy arrays and numbers, and Python floats, that are differentiated
  become tensors first (``symgrad.tensor``: an array keeps its dtype), as
  ``jax.grad`` takes them.

Keyword arguments are never differentiated (``argnums`` counts positions,
as in JAX); tensors among them are named by their keyword, as the positional
constants are by their parameter (``named_keywords``).

Tensors that ``f`` reads from its closure are constants of the transform
(as in ``torch.func``): their symbols appear in closed forms, but nothing is
differentiated with respect to them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from symgrad import grad_mode
from symgrad._tensor import Tensor, term_of
from symgrad.functional.blocks import Blocks
from symgrad.symbolic.terms import Leaf

__all__ = ["normalize_argnums", "flatten", "unflatten", "Variables", "make_variables", "named_keywords",
           "is_tracked", "detach_tree", "param_names"]


# ---------------------------------------------------------------- argnums

def normalize_argnums(argnums: Any, nargs: int, who: str) -> tuple[tuple[int, ...], bool]:
    """``(positions, single)``: ``argnums`` as non-negative positions, and
    whether it was a single int (results are then not wrapped in a tuple)."""
    single = isinstance(argnums, int) and not isinstance(argnums, bool)
    items = (argnums,) if single else argnums
    if not isinstance(items, (tuple, list)) or not items or not all(
            isinstance(a, int) and not isinstance(a, bool) for a in items):
        raise TypeError(f"{who}: argnums must be an int or a non-empty tuple of ints, got {argnums!r}")
    out = []
    for a in items:
        if not -nargs <= a < nargs:
            raise ValueError(f"{who}: argnums {a} is out of range for a function called with {nargs} "
                             f"positional argument(s); use 0..{nargs - 1} (or negative positions)")
        out.append(a % nargs)
    if len(set(out)) != len(out):
        raise ValueError(f"{who}: argnums {argnums!r} names the same argument twice; list each position once")
    return tuple(out), single


# ---------------------------------------------------------------- pytrees

@dataclass(frozen=True)
class TreeDef:
    """The shape of a container of tensors: ``kind`` is 'leaf', 'tuple',
    'list', 'dict' or 'blocks'; ``keys`` are a dict's keys (a Blocks' kind and
    row_ndims); ``children`` their trees."""

    kind: str
    keys: tuple[Any, ...] = ()
    children: tuple[TreeDef, ...] = ()

    @property
    def num_leaves(self) -> int:
        return 1 if self.kind == "leaf" else sum(c.num_leaves for c in self.children)


LEAF = TreeDef("leaf")


def flatten(tree: Any) -> tuple[list[Any], TreeDef]:
    """The leaves of nested tuples/lists/dicts, in order, and the structure."""
    if isinstance(tree, dict):
        keys = tuple(tree)
        parts = [flatten(tree[k]) for k in keys]
        return [x for p in parts for x in p[0]], TreeDef("dict", keys, tuple(p[1] for p in parts))
    if isinstance(tree, (tuple, list)):
        parts = [flatten(t) for t in tree]
        kind, keys = ("tuple", ()) if isinstance(tree, tuple) else ("list", ())
        if isinstance(tree, Blocks):  # keep what .matrix() needs through detaching and regrouping
            kind, keys = "blocks", (tree.kind, tree.row_ndims)
        return [x for p in parts for x in p[0]], TreeDef(kind, keys, tuple(p[1] for p in parts))
    return [tree], LEAF


def unflatten(tree: TreeDef, leaves: list[Any]) -> Any:
    """Inverse of ``flatten``."""
    it = iter(leaves)
    return _build(tree, it)


def _build(tree: TreeDef, it: Any) -> Any:
    if tree.kind == "leaf":
        return next(it)
    children = [_build(c, it) for c in tree.children]
    if tree.kind == "dict":
        return dict(zip(tree.keys, children))
    if tree.kind == "blocks":
        return Blocks(children, *tree.keys)
    return tuple(children) if tree.kind == "tuple" else children


def leaf_paths(tree: TreeDef, prefix: str | None) -> list[str | None]:
    """A name for each leaf: the parameter, then keys or positions."""
    if tree.kind == "leaf":
        return [prefix]
    out: list[str | None] = []
    for i, child in enumerate(tree.children):
        if tree.kind == "dict":
            key = tree.keys[i]
            name = key if isinstance(key, str) and key.isidentifier() else (
                None if prefix is None else f"{prefix}_{i}")
        else:
            name = None if prefix is None else f"{prefix}_{i}"
        out.extend(leaf_paths(child, name))
    return out


def detach_tree(tree: Any) -> Any:
    """Every tensor in ``tree`` detached (numbers and closed forms kept)."""
    leaves, td = flatten(tree)
    return unflatten(td, [x.detach() if isinstance(x, Tensor) and x.requires_grad else x for x in leaves])


# ---------------------------------------------------------------- variables

def param_names(f: Callable[..., Any]) -> list[str | None]:
    """Names of ``f``'s positional parameters (None where there is none)."""
    try:
        params = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        return []
    names: list[str | None] = []
    for p in params:
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            names.append(p.name)
        elif p.kind == p.VAR_POSITIONAL:
            break
    return names


def is_tracked(args: Any) -> bool:
    """Whether the caller records a graph through any tensor in ``args`` (then
    results must stay differentiable, so transforms can nest)."""
    if not grad_mode.is_grad_enabled():
        return False
    leaves, _ = flatten(args)
    return any(isinstance(x, Tensor) and x.requires_grad for x in leaves)


@dataclass
class Variables:
    """The differentiated arguments: ``args`` with them replaced by variables,
    the flat list of variables, and one tree per differentiated argument."""

    args: tuple[Any, ...]
    flat: list[Tensor]
    trees: list[TreeDef]

    def split(self, values: list[Any]) -> list[Any]:
        """Regroup one value per variable into one tree per argument."""
        out, start = [], 0
        for tree in self.trees:
            n = tree.num_leaves
            out.append(unflatten(tree, values[start:start + n]))
            start += n
        return out


def make_variables(f: Callable[..., Any], args: tuple[Any, ...], argnums: tuple[int, ...], who: str,
                   tracked: bool) -> Variables:
    """Replace ``args[i]`` for ``i`` in ``argnums`` by variables (see the module
    notes); ``tracked`` is ``is_tracked(args)`` taken before grad mode was forced on."""
    names = param_names(f)
    new_args = list(args)
    made: dict[int, tuple[list[Tensor], TreeDef]] = {}
    for i, arg in enumerate(args):
        leaves, tree = flatten(arg)
        paths = leaf_paths(tree, names[i] if i < len(names) else None)
        if i in argnums:
            variables = [_variable(x, path, who, i, tracked) for x, path in zip(leaves, paths)]
            made[i] = (variables, tree)
        else:
            variables = [_named_constant(x, path) for x, path in zip(leaves, paths)]
        new_args[i] = unflatten(tree, variables)
    flat = [v for i in argnums for v in made[i][0]]  # in argnums order, as results are
    return Variables(tuple(new_args), flat, [made[i][1] for i in argnums])


def named_keywords(kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` with their plain float tensors named by the keyword (and,
    inside containers, the keys), as the constant positional arguments are
    named by their parameter: ``f(x, y=t)`` reads ``y`` in the closed form."""
    out = {}
    for key, arg in kwargs.items():
        leaves, tree = flatten(arg)
        named = [_named_constant(x, path) for x, path in zip(leaves, leaf_paths(tree, key))]
        out[key] = arg if all(a is b for a, b in zip(named, leaves)) else unflatten(tree, named)
    return out


def _named_constant(value: Any, name: str | None) -> Any:
    """A plain float tensor that is not differentiated still gets a symbol (a
    named constant), so closed forms read as formulas in all of ``f``'s
    arguments: ``grad(f)(x, y)`` of ``x*x*y`` is ``2*x*y``, not ``6*x``."""
    if not isinstance(value, Tensor) or name is None or not value.is_floating_point() or value.requires_grad:
        return value
    if term_of(value) is not None:
        return value  # already symbolic, or a view of something that is
    named = Tensor._make(value._value)  # same memory; no base, so the caller's tensor is untouched
    named._set_name(name)
    return named


def _variable(value: Any, name: str | None, who: str, position: int, tracked: bool) -> Tensor:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        from symgrad.creation import tensor

        value = tensor(float(value))
    elif isinstance(value, (np.ndarray, np.generic)):
        from symgrad.creation import tensor

        value = tensor(value)  # (a float32 array stays float32; integers are refused below, as jax.grad does)
    if not isinstance(value, Tensor):
        raise TypeError(f"{who}: argument {position} must be a Tensor, a NumPy array, a Python float or a "
                        f"tuple/list/dict of them to be differentiated, got {type(value).__name__}")
    if not value.is_floating_point():
        raise TypeError(f"{who}: argument {position} has dtype {value.dtype}; only floating-point tensors can be "
                        "differentiated. Create it with a float dtype (symgrad.tensor(2.)) or call .double()")
    if value.requires_grad and tracked:
        from symgrad.ops.shape import clone

        return clone(value)  # a differentiable alias: the caller's symbols and graph
    v = value.detach().requires_grad_()
    leaf = v._content
    if isinstance(leaf, Leaf) and leaf.name is None and name is not None and leaf.tensor() is v:
        v._set_name(name)  # a fresh symbol: name it after f's parameter
    return v
