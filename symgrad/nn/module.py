"""``Module``: the base class of layers and models, as ``torch.nn.Module``.

Assigning a ``Parameter``, a ``Module`` or (through ``register_buffer``) a
tensor as an attribute registers it, so ``parameters()``, ``state_dict()``,
``to()`` and ``repr`` find it.  Calling a module calls its ``forward``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

from symgrad import dtypes as _dt
from symgrad._tensor import Tensor
from symgrad.nn._checks import parse_to_args
from symgrad.nn._state_dict import IncompatibleKeys, load_into
from symgrad.nn.module_hooks import (
    RemovableHandle,
    add_hook,
    call_with_hooks,
    global_hooks,
    hooks_used,
    register_module_forward_hook,
    register_module_forward_pre_hook,
    register_module_full_backward_hook,
    register_module_full_backward_pre_hook,
)
from symgrad.nn.parameter import Parameter, clear_grad

__all__ = ["Module", "register_module_forward_pre_hook", "register_module_forward_hook",
           "register_module_full_backward_pre_hook", "register_module_full_backward_hook"]


def _forward_unimplemented(self: Module, *args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function; '
                              "define forward(self, ...) in your subclass")


class Module:
    """Base class for layers and models: subclass it, assign layers and
    parameters in ``__init__``, compute in ``forward``.

    >>> import symgrad
    >>> from symgrad import nn
    >>> class LinearRegression(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.linear = nn.Linear(1, 1)
    ...     def forward(self, x):
    ...         return self.linear(x)
    >>> model = LinearRegression()
    >>> model
    LinearRegression(
      (linear): Linear(in_features=1, out_features=1, bias=True)
    )
    >>> [name for name, _ in model.named_parameters()]
    ['linear.weight', 'linear.bias']
    """

    training: bool
    forward: Callable[..., Any] = _forward_unimplemented
    # hooks, by handle id, under PyTorch's names (made in __init__)
    _forward_pre_hooks: OrderedDict[int, Callable[..., Any]]
    _forward_pre_hooks_with_kwargs: OrderedDict[int, bool]
    _forward_hooks: OrderedDict[int, Callable[..., Any]]
    _forward_hooks_with_kwargs: OrderedDict[int, bool]
    _forward_hooks_always_called: OrderedDict[int, bool]
    _backward_pre_hooks: OrderedDict[int, Callable[..., Any]]
    _backward_hooks: OrderedDict[int, Callable[..., Any]]
    _is_full_backward_hook: bool | None

    def __init__(self) -> None:
        # object.__setattr__: our own __setattr__ needs these dicts to exist.
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent_buffers_set", set())
        object.__setattr__(self, "_modules", {})
        for name in _HOOK_DICTS:  # (object.__setattr__, not self.__dict__: reading that makes attribute reads slower)
            object.__setattr__(self, name, OrderedDict())
        object.__setattr__(self, "_is_full_backward_hook", None)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # the hot path (a training loop calls the model every step): one check while no hook was ever
        # registered, then (module_hooks.hooks_used) a look at this module's registries and the global ones
        if hooks_used[0] and (self._forward_hooks or self._forward_pre_hooks or self._backward_hooks
                              or self._backward_pre_hooks or global_hooks):
            return call_with_hooks(self, args, kwargs)
        return self.forward(*args, **kwargs)

    def __setstate__(self, state: dict[str, Any]) -> None:
        # (a module pickled before hooks existed gets empty hook registries)
        self.__dict__.update(state)
        _init_missing_hooks(self.__dict__)
        if any(self.__dict__[name] for name in _HOOK_DICTS):
            hooks_used[0] = True

    # ------------------------------------------------------------ hooks

    def register_forward_pre_hook(self, hook: Callable[..., Any], *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """Call ``hook(module, args)`` before each ``forward``; a result other
        than None replaces the positional arguments (a non-tuple is wrapped in
        one).  With ``with_kwargs``: ``hook(module, args, kwargs)``, returning
        None or ``(new_args, new_kwargs)``.  ``prepend``: run before the hooks
        already there (global hooks still run first).  Returns a handle
        (``handle.remove()``, or ``with handle:``).

        >>> import symgrad
        >>> from symgrad import nn
        >>> double = nn.Identity()
        >>> handle = double.register_forward_pre_hook(lambda m, args: args[0] * 2)
        >>> double(symgrad.tensor([1., 2.]))
        tensor([2., 4.])
        """
        return add_hook(self._forward_pre_hooks, hook, prepend, ((self._forward_pre_hooks_with_kwargs, with_kwargs),))

    def register_forward_hook(self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after each ``forward``; a result
        other than None replaces the output.  With ``with_kwargs``:
        ``hook(module, args, kwargs, output)``.  ``always_call``: also when
        ``forward`` (or a hook before this one) raised.  Returns a handle.

        >>> import symgrad
        >>> from symgrad import nn
        >>> layer = nn.Linear(2, 1)
        >>> shapes = []
        >>> with layer.register_forward_hook(lambda m, args, out: shapes.append(tuple(out.shape))):
        ...     _ = layer(symgrad.ones(3, 2))
        >>> _ = layer(symgrad.ones(4, 2))  # (the hook is gone)
        >>> shapes
        [(3, 1)]
        """
        return add_hook(self._forward_hooks, hook, prepend, ((self._forward_hooks_with_kwargs, with_kwargs),
                                                             (self._forward_hooks_always_called, always_call)))

    def register_full_backward_pre_hook(self, hook: Callable[..., Any], prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, grad_output)`` when the gradients of the
        module's outputs have been computed; a result other than None (a
        tuple, one entry per output) replaces ``grad_output``.  Returns a handle.

        >>> import symgrad
        >>> from symgrad import nn
        >>> layer = nn.Linear(1, 1)
        >>> _ = layer.register_full_backward_pre_hook(lambda m, grad_output: (grad_output[0] * 0,))
        >>> layer(symgrad.ones(1, 1, requires_grad=True)).sum().backward()
        >>> layer.bias.grad
        tensor([0.])
        """
        return add_hook(self._backward_pre_hooks, hook, prepend)

    def register_full_backward_hook(self, hook: Callable[..., Any], prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` when the gradients of
        the module's positional tensor inputs have been computed: tuples, with
        None for non-tensor arguments and outputs; a result other than None
        (a tuple, one entry per positional argument) replaces ``grad_input``.
        If no input requires grad, the hook fires with the outputs' gradients
        (and warns), as in PyTorch.  Returns a handle.

        >>> import symgrad
        >>> from symgrad import nn
        >>> layer = nn.Linear(1, 1)
        >>> nn.init.constant_(layer.weight, 3.0)
        Parameter containing:
        tensor([[3.]], requires_grad=True)
        >>> _ = layer.register_full_backward_hook(lambda m, gi, go: print(gi[0], go[0]))
        >>> x = symgrad.ones(1, 1, requires_grad=True)
        >>> layer(x).sum().backward()
        tensor([[3.]]) tensor([[1.]])
        """
        if not callable(hook):  # (before the flag below changes)
            raise TypeError(f"hook must be callable, got {type(hook).__name__}")
        if self._is_full_backward_hook is False:  # pragma: no cover - non-full hooks are refused
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks on a single Module. "
                               "Please use only one of them.")
        self._is_full_backward_hook = True
        return add_hook(self._backward_hooks, hook, prepend)

    def register_backward_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Refused: PyTorch's deprecated non-full backward hook (whose
        ``grad_input`` is that of the forward's last op, not of the module's
        inputs) has no symgrad counterpart; use ``register_full_backward_hook``."""
        raise NotImplementedError("register_backward_hook (deprecated in PyTorch: its grad_input is that of the "
                                  "last operation in forward, not of the module's inputs) is not supported by "
                                  "symgrad; use register_full_backward_hook(hook), with the same signature")

    # ------------------------------------------------------------ registration

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or ``None``, a declared but absent one such as a missing bias)."""
        self._check_new_name(name, "parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                            "(symgrad.nn.Parameter or None required); wrap it: nn.Parameter(tensor)")
        if param is not None and param.grad_fn is not None:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be "
                             f"created explicitly; to express '{name}' as a function of another Tensor, compute "
                             "the value in the forward() method")
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a tensor that is part of the module's state but not a parameter
        (saved in ``state_dict`` unless ``persistent=False``).

        >>> import symgrad
        >>> from symgrad import nn
        >>> m = nn.Module()
        >>> m.register_buffer("running_mean", symgrad.zeros(2))
        >>> list(m.state_dict()), m.running_mean
        (['running_mean'], tensor([0., 0.]))
        """
        self._check_new_name(name, "buffer")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                            "(symgrad Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module, reachable as ``self.<name>``."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_new_name(name, "module")
        self._modules[name] = module

    register_module = add_module

    def _check_new_name(self, name: str, kind: str) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call; call "
                                 "super().__init__() first in your __init__")
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
        if name == "" or "." in name:
            raise KeyError(f'{kind} name can\'t be empty or contain ".", got: "{name}"')
        if hasattr(self, name) and not self._owns(name, kind):
            raise KeyError(f"attribute '{name}' already exists")

    def _owns(self, name: str, kind: str) -> bool:
        where = {"parameter": self._parameters, "buffer": self._buffers, "module": self._modules}[kind]
        return name in where

    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call; call "
                                     "super().__init__() first in your __init__")
            self._forget(name, keep="_parameters")
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                                "(symgrad.nn.Parameter or None expected)")
            params[name] = None
        elif isinstance(value, Module):
            if params is None:
                raise AttributeError("cannot assign module before Module.__init__() call; call "
                                     "super().__init__() first in your __init__")
            self._forget(name, keep="_modules")
            self._modules[name] = value
        elif params is not None and name in d["_modules"]:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module '{name}' "
                                "(symgrad.nn.Module or None expected)")
            d["_modules"][name] = None
        elif params is not None and name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                                "(symgrad Tensor or None expected)")
            d["_buffers"][name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str, keep: str) -> None:
        """Remove ``name`` from wherever it was, before it is registered anew
        in the registry ``keep``: there it stays where it is (a replaced
        parameter or child module keeps its place in named_parameters(),
        state_dict() and optimizers' parameter lists, as in PyTorch)."""
        d = self.__dict__
        d.pop(name, None)
        for registry in ("_parameters", "_buffers", "_modules"):
            if registry != keep:
                d[registry].pop(name, None)
        d["_non_persistent_buffers_set"].discard(name)

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: registered members live in the dicts.
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            members = d.get(registry)
            if members is not None and name in members:
                return members[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for registry in ("_parameters", "_buffers", "_modules"):
            members = self.__dict__[registry]
            if name in members:
                del members[name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        keys = list(super().__dir__()) + list(self._parameters) + list(self._buffers) + list(self._modules)
        return sorted(k for k in set(keys) if not k[0].isdigit())

    # ------------------------------------------------------------ traversal

    def named_modules(self, memo: set[int] | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """``(qualified name, module)`` for this module and all below it ("" for itself).

        >>> from symgrad import nn
        >>> net = nn.Sequential(nn.Linear(1, 2), nn.Tanh())
        >>> [name for name, _ in net.named_modules()]
        ['', '0', '1']
        """
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(memo, prefix + ("." if prefix else "") + name, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        """This module and every module below it."""
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """``(name, module)`` for the direct children."""
        seen: set[int] = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        """The direct child modules."""
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry: str, prefix: str, recurse: bool,
                       remove_duplicate: bool) -> Iterator[tuple[str, Any]]:
        seen: set[int] = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse \
            else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in module.__dict__[registry].items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """``(qualified name, parameter)``, e.g. ``('linear.weight', Parameter ...)``."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter (what an optimizer is given).

        >>> from symgrad import nn
        >>> [tuple(p.shape) for p in nn.Linear(3, 2).parameters()]
        [(2, 3), (2,)]
        """
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        """``(qualified name, buffer)`` for every registered buffer."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every registered buffer."""
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def get_submodule(self, target: str) -> Module:
        """The module at a dotted path (``"0.linear"``); "" is this module."""
        module = self
        for item in target.split(".") if target else ():
            child = module._modules.get(item)
            if child is None:
                raise AttributeError(f"{module._get_name()} has no attribute `{item}` (looking up '{target}')")
            module = child
        return module

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at a dotted path (``"linear.weight"``).

        >>> from symgrad import nn
        >>> net = nn.Sequential(nn.Linear(1, 1))
        >>> net.get_parameter("0.bias") is net[0].bias
        True
        """
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        param = module._parameters.get(name)
        if param is None:
            raise AttributeError(f"{module._get_name()} has no parameter `{name}` (looking up '{target}')")
        return param

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every submodule (children first) and on this module; returns self.

        >>> from symgrad import nn
        >>> net = nn.Sequential(nn.Linear(1, 1), nn.Linear(1, 1))
        >>> _ = net.apply(lambda m: nn.init.zeros_(m.weight) if isinstance(m, nn.Linear) else None)
        >>> net[1].weight.tolist()
        [[0.0]]
        """
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------ modes and gradients

    def train(self, mode: bool = True) -> Module:
        """Set training mode here and below (layers such as dropout read ``self.training``).

        >>> from symgrad import nn
        >>> net = nn.Sequential(nn.Linear(1, 1))
        >>> net.eval()[0].training, net.train()[0].training
        (False, True)
        """
        if not isinstance(mode, bool):
            raise ValueError(f"training mode is expected to be boolean, got {type(mode).__name__}")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode: ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Switch gradient recording for every parameter (e.g. to freeze a layer)."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradients of every parameter (drop them, or zero them in place).

        >>> import symgrad
        >>> from symgrad import nn
        >>> layer = nn.Linear(1, 1)
        >>> layer(symgrad.ones(1, 1)).sum().backward()
        >>> layer.zero_grad(set_to_none=False)
        >>> layer.bias.grad
        tensor([0.])
        >>> layer.zero_grad()
        >>> layer.bias.grad is None
        True
        """
        for p in self.parameters():
            clear_grad(p, set_to_none)

    # ------------------------------------------------------------ state

    def state_dict(self, *, destination: dict[str, Any] | None = None, prefix: str = "",
                   keep_vars: bool = False) -> OrderedDict[str, Tensor]:
        """Parameters and persistent buffers by qualified name.  Values are
        detached tensors sharing memory with the module (the parameters
        themselves with ``keep_vars=True``); copy them to keep a snapshot.

        >>> import symgrad
        >>> from symgrad import nn
        >>> _ = symgrad.manual_seed(0)
        >>> list(nn.Linear(1, 1).state_dict())
        ['weight', 'bias']
        """
        out: OrderedDict[str, Tensor] = OrderedDict() if destination is None else destination  # type: ignore[assignment]
        # remove_duplicate=False: a module reachable twice is saved under both names, as PyTorch does
        for module_prefix, module in self.named_modules(prefix=prefix.rstrip("."), remove_duplicate=False):
            base = module_prefix + "." if module_prefix else ""
            for name, p in module._parameters.items():
                if p is not None:
                    out[base + name] = p if keep_vars else p.detach()
            for name, b in module._buffers.items():
                if b is not None and name not in module._non_persistent_buffers_set:
                    out[base + name] = b if keep_vars else b.detach()
        return out

    def load_state_dict(self, state_dict: Any, strict: bool = True) -> IncompatibleKeys:
        """Copy values into the parameters and buffers (the objects stay the
        same, so an optimizer holding them keeps working).  Values may be
        symgrad tensors, NumPy arrays or anything ``numpy.asarray`` accepts,
        including CPU ``torch`` tensors; they are converted to each
        parameter's dtype.

        >>> import symgrad
        >>> from symgrad import nn
        >>> a, b = nn.Linear(2, 1), nn.Linear(2, 1)
        >>> a.load_state_dict(b.state_dict())
        <All keys matched successfully>
        >>> bool((a.weight == b.weight).all())
        True
        """
        return load_into(self, state_dict, strict)

    # ------------------------------------------------------------ dtype and device

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """Move to a device (only ``"cpu"`` exists in symgrad) and/or convert
        floating-point parameters and buffers to a dtype; returns self.

        >>> import symgrad
        >>> from symgrad import nn
        >>> layer = nn.Linear(1, 1).to("cpu").to(symgrad.float32)
        >>> layer.weight.dtype
        symgrad.float32
        """
        dtype = parse_to_args(args, kwargs)
        if dtype is not None:
            self._apply(lambda t: t.to(dtype) if t.is_floating_point() else t)
        return self

    def cpu(self) -> Module:
        """Everything is already on the CPU; returns self."""
        return self

    def cuda(self, device: Any = None) -> Module:
        """Refused: symgrad computes on the CPU (``symgrad.cuda.is_available()`` is False)."""
        from symgrad.device import device as _device

        _device("cuda" if device is None else f"cuda:{device}" if isinstance(device, int) else device)
        return self  # pragma: no cover - device() raises

    def double(self) -> Module:
        """Floating parameters and buffers to float64."""
        return self.to(_dt.float64)

    def float(self) -> Module:
        """Floating parameters and buffers to float32."""
        return self.to(_dt.float32)

    def half(self) -> Module:
        """Floating parameters and buffers to float16."""
        return self.to(_dt.float16)

    def _apply(self, fn: Callable[[Tensor], Tensor]) -> Module:
        """Convert every parameter and buffer with ``fn``, keeping the Parameter
        objects (optimizers hold them) and their symbols."""
        for module in self.modules():
            for p in module._parameters.values():
                if p is None:
                    continue
                new = fn(p.detach())
                if new.dtype != p.dtype:
                    grad = p.grad
                    p.grad = None  # the grad setter insists on the parameter's dtype
                    p.data = new
                    if grad is not None:
                        p.grad = fn(grad)
            for name, b in module._buffers.items():
                if b is not None:
                    module._buffers[name] = fn(b)
        return self

    # ------------------------------------------------------------ printing

    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr (override it)."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({key}): " + _indent(repr(module), 2) for key, module in self._modules.items()]
        lines = extra_lines + child_lines
        text = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"


_HOOK_DICTS = ("_forward_pre_hooks", "_forward_pre_hooks_with_kwargs", "_forward_hooks", "_forward_hooks_with_kwargs",
               "_forward_hooks_always_called", "_backward_pre_hooks", "_backward_hooks")


def _init_missing_hooks(d: dict[str, Any]) -> None:
    """Empty hook registries where a module (unpickled from before hooks existed) has none."""
    for name in _HOOK_DICTS:
        if name not in d:
            d[name] = OrderedDict()
    d.setdefault("_is_full_backward_hook", None)


def _indent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])
