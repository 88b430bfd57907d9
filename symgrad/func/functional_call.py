"""``functional_call``: run a module with other tensors in place of its
parameters and buffers (``torch.func.functional_call``) - for a gradient
with respect to a dict of parameters, or a closed form of a network in
symbolic weights."""

from __future__ import annotations

from typing import Any

from symgrad._tensor import Tensor

__all__ = ["functional_call"]


def functional_call(module: Any, parameter_and_buffer_dicts: Any, args: Any = None, kwargs: Any = None, *,
                    tie_weights: bool = True, strict: bool = False) -> Any:
    """``module(*args, **kwargs)`` with the tensors of ``parameter_and_buffer_dicts``
    (a dict by dotted name, or a sequence of dicts) in place of its own,
    which are restored afterwards.  A tensor registered under several names
    (tied weights) is replaced under all of them unless ``tie_weights=False``.

    >>> import symgrad
    >>> from symgrad.func import functional_call
    >>> layer = symgrad.nn.Linear(2, 1)
    >>> w = symgrad.tensor([[1., 2.]], requires_grad=True)
    >>> b = symgrad.tensor([0.5], requires_grad=True)
    >>> x = symgrad.tensor([[3., 4.]], name="x")
    >>> functional_call(layer, {"weight": w, "bias": b}, (x,)).expr
    [[b[0] + w[0, 0]*x[0, 0] + w[0, 1]*x[0, 1]]]
    """
    replacements = _merged(parameter_and_buffer_dicts)
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    slots = _slots(module, replacements, strict, tie_weights)
    saved = [(registry, name, registry[name]) for registry, name, _ in slots]
    try:
        for registry, name, value in slots:
            registry[name] = value
        return module(*args, **(kwargs or {}))
    finally:
        for registry, name, old in saved:
            registry[name] = old


def _merged(dicts: Any) -> dict[str, Any]:
    if isinstance(dicts, dict):
        dicts = (dicts,)
    merged: dict[str, Any] = {}
    for d in dicts:
        if not isinstance(d, dict):
            raise TypeError(f"functional_call: expected a dict (or a sequence of dicts) of tensors by name, got "
                            f"{type(d).__name__}")
        for k, v in d.items():
            if k in merged:
                raise ValueError(f"functional_call: {k!r} appeared in multiple dictionaries; behavior of "
                                 "functional call is ambiguous")
            if not isinstance(v, Tensor):
                raise TypeError(f"functional_call: the value for {k!r} must be a tensor, got {type(v).__name__}")
            merged[k] = v
    return merged


def _slots(module: Any, replacements: dict[str, Any], strict: bool, tie_weights: bool) -> list[tuple[dict[str, Any], str, Any]]:
    """Where each replacement goes: (the owning module's registry, the name, the new tensor)."""
    owned = dict(module.named_parameters(remove_duplicate=False))
    owned.update(module.named_buffers(remove_duplicate=False))
    known = set(owned)
    unexpected = [k for k in replacements if k not in known]
    missing = [k for k in sorted(known) if k not in replacements]
    if unexpected or (strict and missing):
        lines = [f"Error(s) in reparametrizing for {type(module).__name__}:"]
        if unexpected:
            lines.append("\tUnexpected key(s): " + ", ".join(repr(k) for k in unexpected) + ".")
        if strict and missing:
            lines.append("\tMissing key(s): " + ", ".join(repr(k) for k in missing) + ".")
        raise RuntimeError("\n".join(lines) + "\n(the keys are the names of named_parameters() and named_buffers())")
    if tie_weights:  # a tensor registered under several names is replaced under all of them
        for key, value in list(replacements.items()):
            for other, tensor in owned.items():
                if tensor is owned[key] and other not in replacements:
                    replacements[other] = value
    slots = []
    for key, value in replacements.items():
        owner_name, _, name = key.rpartition(".")
        owner = module.get_submodule(owner_name) if owner_name else module
        registry = owner._parameters if name in owner._parameters else owner._buffers
        slots.append((registry, name, value))
    return slots
