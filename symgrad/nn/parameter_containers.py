"""``ParameterList`` and ``ParameterDict``: parameters held in a list or a
dict, registered under their positions (``"0"``, ``"1"``) or keys, so
``parameters()``, ``state_dict()`` (keys ``"0"``, ``"name"``), optimizers and
closed forms (``params[0]``, ``params.name``) find them, as in PyTorch."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from symgrad._tensor import Tensor
from symgrad.nn.container import key_value_pairs
from symgrad.nn.module import Module
from symgrad.nn.parameter import Parameter

__all__ = ["ParameterList", "ParameterDict"]


def _as_parameter(value: Any) -> Any:
    """A tensor becomes a Parameter (as PyTorch converts it); other objects are kept as they are."""
    if isinstance(value, Tensor) and not isinstance(value, Parameter):
        return Parameter(value)
    return value


def _describe(key: Any, value: Any, type_name: str) -> str:
    """One line of the repr: ``(0): Parameter containing: [symgrad.float32 of size 2x3]``."""
    if not isinstance(value, Tensor):
        return f"  ({key}): Object of type: {type(value).__name__}"
    kind = "Parameter" if isinstance(value, Parameter) else "Tensor"
    size = "x".join(str(s) for s in value.shape)
    return f"  ({key}): {kind} containing: [{type_name} of size {size}]"


def _store(module: Module, name: str, value: Any) -> None:
    """Register ``value`` under ``name``: a parameter in ``_parameters``, anything else as a plain attribute."""
    value = _as_parameter(value)
    if isinstance(value, Parameter) or name not in module._parameters:
        setattr(module, name, value)
    else:  # a parameter replaced by another object: the name is no longer a parameter
        del module._parameters[name]
        object.__setattr__(module, name, value)


class ParameterList(Module):
    """A list of parameters, registered as ``"0"``, ``"1"``, ...; tensors put
    into it become Parameters.

    >>> import symgrad
    >>> from symgrad import nn
    >>> params = nn.ParameterList([nn.Parameter(symgrad.zeros(2, 3)), symgrad.ones(4)])
    >>> params
    ParameterList(
        (0): Parameter containing: [symgrad.float64 of size 2x3]
        (1): Parameter containing: [symgrad.float64 of size 4]
    )
    >>> list(params.state_dict()), len(list(params.parameters()))
    (['0', '1'], 2)
    """

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        object.__setattr__(self, "_size", 0)
        if values is not None:
            self += values

    def _position(self, idx: Any) -> str:
        if isinstance(idx, bool) or not isinstance(idx, int):
            raise TypeError(f"ParameterList indices must be integers or slices, not {type(idx).__name__}")
        if not -len(self) <= idx < len(self):
            raise IndexError(f"index {idx} is out of range for a ParameterList of {len(self)} values")
        return str(idx % len(self))

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, slice):
            return ParameterList([self[i] for i in range(len(self))[idx]])
        return getattr(self, self._position(idx))

    def __setitem__(self, idx: int, param: Any) -> None:
        _store(self, self._position(idx), param)

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[Any]:
        return (self[i] for i in range(len(self)))

    def __iadd__(self, parameters: Iterable[Any]) -> ParameterList:
        return self.extend(parameters)

    def append(self, value: Any) -> ParameterList:
        """Add ``value`` at the end (a tensor becomes a Parameter); returns self."""
        object.__setattr__(self, "_size", self._size + 1)
        _store(self, str(self._size - 1), value)
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        """Add every value of ``values`` at the end; returns self."""
        if not isinstance(values, Iterable) or isinstance(values, Tensor):
            raise TypeError("ParameterList.extend should be called with an iterable, but got "
                            + type(values).__name__)
        for value in values:
            self.append(value)
        return self

    def extra_repr(self) -> str:
        return "\n".join(_describe(i, p, str(p.dtype) if isinstance(p, Tensor) else "") for i, p in enumerate(self))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("ParameterList should not be called.")


class ParameterDict(Module):
    """A dict of parameters (in insertion order), registered under their keys;
    tensors put into it become Parameters.

    >>> import symgrad
    >>> from symgrad import nn
    >>> scales = nn.ParameterDict({"alpha": nn.Parameter(symgrad.ones(2)), "beta": symgrad.zeros(1, 2)})
    >>> scales
    ParameterDict(
        (alpha): Parameter containing: [symgrad.DoubleTensor of size 2]
        (beta): Parameter containing: [symgrad.DoubleTensor of size 1x2]
    )
    >>> list(scales.state_dict()), "beta" in scales, scales["alpha"].shape
    (['alpha', 'beta'], True, symgrad.Size([2]))
    """

    def __init__(self, parameters: Any = None) -> None:
        super().__init__()
        object.__setattr__(self, "_keys", {})
        if parameters is not None:
            self.update(parameters)

    def _check_key(self, key: Any) -> str:
        if not isinstance(key, str):
            raise TypeError(f"Index given to ParameterDict cannot be used as a key as it is not a string (type is "
                            f"'{type(key).__name__}'); use string keys, e.g. str({key!r})")
        return key

    def __getitem__(self, key: str) -> Any:
        if key not in self._keys:
            raise KeyError(key)
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        _store(self, self._check_key(key), value)  # first: a refused name must not become a key
        self._keys[key] = None

    def __delitem__(self, key: str) -> None:
        if key not in self._keys:
            raise KeyError(key)
        del self._keys[key]
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __reversed__(self) -> Iterator[str]:
        return reversed(list(self._keys))

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def keys(self) -> Any:
        """The keys, in insertion order."""
        return self._keys.keys()

    def values(self) -> list[Any]:
        """The parameters, in insertion order."""
        return [self[k] for k in self._keys]

    def items(self) -> list[tuple[str, Any]]:
        """``(key, parameter)`` pairs, in insertion order."""
        return [(k, self[k]) for k in self._keys]

    def get(self, key: str, default: Any = None) -> Any:
        """The parameter at ``key``, or ``default``."""
        return self[key] if key in self else default

    def pop(self, key: str) -> Any:
        """Remove ``key`` and return its parameter."""
        value = self[key]
        del self[key]
        return value

    def popitem(self) -> tuple[str, Any]:
        """Remove and return the last ``(key, parameter)`` inserted."""
        if not self._keys:
            raise KeyError("popitem(): dictionary is empty")
        key = next(reversed(list(self._keys)))
        return key, self.pop(key)

    def setdefault(self, key: str, default: Any = None) -> Any:
        """The parameter at ``key``; if absent, ``default`` is stored there first."""
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self) -> None:
        """Remove every parameter."""
        for key in list(self._keys):
            del self[key]

    def copy(self) -> ParameterDict:
        """A new ParameterDict holding the same parameters."""
        return ParameterDict(self.items())

    def fromkeys(self, keys: Iterable[str], default: Any = None) -> ParameterDict:
        """A new ParameterDict with ``keys``, each holding ``default``."""
        return ParameterDict((k, default) for k in keys)

    def update(self, parameters: Any) -> None:
        """Add or replace parameters from a mapping or an iterable of (key, value) pairs."""
        if isinstance(parameters, Tensor) or not isinstance(parameters, Iterable):
            raise TypeError("ParametersDict.update should be called with an iterable of key/value pairs, but got "
                            + type(parameters).__name__)
        for key, value in key_value_pairs(parameters, "ParameterDict"):
            self[key] = value

    def __or__(self, other: ParameterDict) -> ParameterDict:
        merged = self.copy()
        merged.update(other)
        return merged

    def __ior__(self, other: ParameterDict) -> ParameterDict:
        self.update(other)
        return self

    def extra_repr(self) -> str:
        return "\n".join(_describe(k, p, p.type() if isinstance(p, Tensor) else "") for k, p in self.items())

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("ParameterDict should not be called.")
