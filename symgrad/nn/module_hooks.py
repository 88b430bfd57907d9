"""Module hooks, as PyTorch's: what ``Module.__call__`` does when a module
(or every module, through the global registries here) has forward or
backward hooks.

``call_with_hooks`` is ``torch.nn.Module._call_impl``: global, then the
module's forward pre-hooks (which may replace the positional arguments, or
with ``with_kwargs`` both arguments and keyword arguments), ``forward``,
then the forward hooks (which may replace the output); hooks registered with
``always_call=True`` also run when ``forward`` raised.

Backward hooks work as PyTorch's ``torch.utils.hooks.BackwardHook``: the
module's positional tensor inputs and its tensor outputs go through an
identity custom Function (``BackwardHookFunction``, so outputs show
``grad_fn=<BackwardHookFunctionBackward>`` as in PyTorch).  The outputs'
backward collects ``grad_output`` and runs the backward pre-hooks; the
inputs' backward receives ``grad_input`` and runs the full backward hooks
with both.  Each hook fires once per backward pass.  The outputs' nodes carry
a no-op tensor hook, so a pass through them is the engine's tensor pass:
the hooks see tensors with their closed forms (``.expr``), and those of the
gradients they pass on (changed or not) follow.

Differences from PyTorch: the tensors ``forward`` receives and the caller
gets back are copies, not views, of the originals.  A forward that modifies
an input in place raises PyTorch's error (checked when ``forward`` returns);
modifying a returned output in place, which PyTorch forbids, is allowed (the
gradients stay right: the copy is a tensor of its own).  The deprecated
non-full ``register_backward_hook`` is refused.
"""

from __future__ import annotations

import os
import sys
import warnings
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from symgrad import grad_mode
from symgrad._tensor import Tensor
from symgrad.autograd.function import Function

__all__ = [
    "RemovableHandle",
    "BackwardHook",
    "BackwardHookFunction",
    "call_with_hooks",
    "register_module_forward_pre_hook",
    "register_module_forward_hook",
    "register_module_full_backward_pre_hook",
    "register_module_full_backward_hook",
]


class RemovableHandle:
    """What registering a hook returns: ``handle.remove()`` unregisters it,
    and ``with handle:`` removes it at the end of the block.  Hooks live in
    ordered dicts keyed by ``handle.id`` (``module._forward_hooks``...), as
    in PyTorch.

    >>> from symgrad import nn
    >>> layer = nn.Linear(1, 1)
    >>> handle = layer.register_forward_hook(lambda m, args, out: None)
    >>> list(layer._forward_hooks) == [handle.id]
    True
    >>> handle.remove()
    >>> len(layer._forward_hooks)
    0
    """

    id: int
    next_id: int = 0

    def __init__(self, hooks_dict: Any, *, extra_dict: Any = None) -> None:
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        self.extra_dict_ref: tuple[Any, ...] = ()
        if isinstance(extra_dict, dict):
            self.extra_dict_ref = (weakref.ref(extra_dict),)
        elif isinstance(extra_dict, list):
            self.extra_dict_ref = tuple(weakref.ref(d) for d in extra_dict)

    def remove(self) -> None:
        """Unregister the hook (again: nothing happens)."""
        hooks_dict = self.hooks_dict_ref()
        if hooks_dict is not None and self.id in hooks_dict:
            del hooks_dict[self.id]
        for ref in self.extra_dict_ref:
            extra = ref()
            if extra is not None and self.id in extra:
                del extra[self.id]

    def __getstate__(self) -> Any:
        return (self.hooks_dict_ref(), self.id, tuple(ref() for ref in self.extra_dict_ref))

    def __setstate__(self, state: Any) -> None:
        self.hooks_dict_ref = weakref.ref(OrderedDict() if state[0] is None else state[0])
        self.id = state[1]
        RemovableHandle.next_id = max(RemovableHandle.next_id, self.id + 1)
        self.extra_dict_ref = tuple(weakref.ref(d) for d in state[2] if d is not None) if len(state) > 2 else ()

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


# ---------------------------------------------------------------- global hooks (every module)

_global_forward_pre_hooks: OrderedDict[int, Callable[..., Any]] = OrderedDict()
_global_forward_hooks: OrderedDict[int, Callable[..., Any]] = OrderedDict()
_global_forward_hooks_with_kwargs: OrderedDict[int, bool] = OrderedDict()
_global_forward_hooks_always_called: OrderedDict[int, bool] = OrderedDict()
_global_backward_pre_hooks: OrderedDict[int, Callable[..., Any]] = OrderedDict()
_global_backward_hooks: OrderedDict[int, Callable[..., Any]] = OrderedDict()
# every global hook of any kind, so Module.__call__ checks one dict for them all
global_hooks: OrderedDict[int, Callable[..., Any]] = OrderedDict()
# [True] once any hook has been registered (or a module with hooks unpickled or copied) in this
# process: until then Module.__call__ reads this alone, not the four registries of the module
# (each attribute read of a Module costs ~25 ns: its class has __getattr__)
hooks_used = [False]


def add_hook(registry: OrderedDict[int, Any], hook: Callable[..., Any], prepend: bool = False,
             flags: tuple[tuple[dict[int, Any], bool], ...] = ()) -> RemovableHandle:
    """Put ``hook`` into ``registry`` (first, with ``prepend``) and its id into
    each of the ``flags``' dicts whose flag is true (``with_kwargs``,
    ``always_call``); the handle removes it from all of them."""
    if not callable(hook):
        raise TypeError(f"hook must be callable, got {type(hook).__name__}")
    hooks_used[0] = True
    handle = RemovableHandle(registry, extra_dict=[marks for marks, _ in flags])
    registry[handle.id] = hook
    for marks, on in flags:
        if on:
            marks[handle.id] = True
    if prepend:
        registry.move_to_end(handle.id, last=False)
    return handle


def _register_global(registry: OrderedDict[int, Any], hook: Callable[..., Any],
                     flags: tuple[tuple[dict[int, Any], bool], ...] = ()) -> RemovableHandle:
    # (global_hooks: every global hook, the one registry Module.__call__ reads to know there is any)
    handle = add_hook(registry, hook, flags=((global_hooks, False), *flags))
    global_hooks[handle.id] = hook
    return handle


def register_module_forward_pre_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """A forward pre-hook of every module (``hook(module, args)``), run before
    the module's own; for debugging and profiling, as in PyTorch."""
    return _register_global(_global_forward_pre_hooks, hook)


def register_module_forward_hook(hook: Callable[..., Any], *, with_kwargs: bool = False,
                                 always_call: bool = False) -> RemovableHandle:
    """A forward hook of every module (``hook(module, args, output)``, or with
    ``with_kwargs`` ``hook(module, args, kwargs, output)``), run before the
    module's own; ``always_call``: also when forward raised.

    >>> import symgrad
    >>> from symgrad import nn
    >>> seen = []
    >>> with register_module_forward_hook(lambda m, args, out: seen.append(type(m).__name__)):
    ...     _ = nn.Sequential(nn.Linear(1, 1), nn.Tanh())(symgrad.ones(1, 1))
    >>> seen
    ['Linear', 'Tanh', 'Sequential']
    """
    return _register_global(_global_forward_hooks, hook, ((_global_forward_hooks_with_kwargs, with_kwargs),
                                                          (_global_forward_hooks_always_called, always_call)))


def register_module_full_backward_pre_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """A backward pre-hook of every module (``hook(module, grad_output)``), run before the module's own."""
    return _register_global(_global_backward_pre_hooks, hook)


def register_module_full_backward_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """A full backward hook of every module (``hook(module, grad_input, grad_output)``), run before the module's own."""
    return _register_global(_global_backward_hooks, hook)


# ---------------------------------------------------------------- Module.__call__ with hooks


def call_with_hooks(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``module(*args, **kwargs)`` with its hooks (``torch.nn.Module._call_impl``)."""
    result = None
    called_always: set[int] = set()
    try:
        pre_hooks = module._backward_pre_hooks
        full_hooks = module._backward_hooks
        backward_pre = [*_global_backward_pre_hooks.values(), *pre_hooks.values()] \
            if pre_hooks or _global_backward_pre_hooks else []
        backward_full = [*_global_backward_hooks.values(), *full_hooks.values()] \
            if full_hooks or _global_backward_hooks else []

        if _global_forward_pre_hooks or module._forward_pre_hooks:
            with_kwargs = module._forward_pre_hooks_with_kwargs
            for hook_id, hook in (*_global_forward_pre_hooks.items(), *module._forward_pre_hooks.items()):
                if hook_id in with_kwargs:
                    both = hook(module, args, kwargs)
                    if both is not None:
                        if isinstance(both, tuple) and len(both) == 2:
                            args, kwargs = both
                        else:
                            raise RuntimeError("forward pre-hook must return None or a tuple of (new_args, "
                                               f"new_kwargs), but got {both}.")
                else:
                    new_args = hook(module, args)
                    if new_args is not None:
                        args = new_args if isinstance(new_args, tuple) else (new_args,)

        bw_hook = None
        if backward_full or backward_pre:
            bw_hook = BackwardHook(module, backward_full, backward_pre)
            args = bw_hook.setup_input_hook(args)

        result = module.forward(*args, **kwargs)
        if bw_hook is not None:
            bw_hook.check_inputs_unmodified()

        if _global_forward_hooks or module._forward_hooks:
            always = module._forward_hooks_always_called
            with_kwargs = module._forward_hooks_with_kwargs
            for hook_id, hook in (*_global_forward_hooks.items(), *module._forward_hooks.items()):
                if hook_id in always or hook_id in _global_forward_hooks_always_called:
                    called_always.add(hook_id)
                if hook_id in with_kwargs or hook_id in _global_forward_hooks_with_kwargs:
                    hook_result = hook(module, args, kwargs, result)
                else:
                    hook_result = hook(module, args, result)
                if hook_result is not None:
                    result = hook_result

        if bw_hook is not None:
            if not isinstance(result, (Tensor, tuple)):
                warnings.warn("For backward hooks to be called, module output should be a Tensor or a tuple of "
                              f"Tensors but received {type(result)}", stacklevel=3)
            result = bw_hook.setup_output_hook(result)
        return result
    except Exception:
        # the always_call hooks that have not run yet run now; their own errors become warnings
        # (as PyTorch's: global ones without their keyword arguments)
        always = module._forward_hooks_always_called
        with_kwargs = module._forward_hooks_with_kwargs
        for hook_id, hook in (*_global_forward_hooks.items(), *module._forward_hooks.items()):
            if hook_id in called_always or not (hook_id in always or hook_id in _global_forward_hooks_always_called):
                continue
            try:
                hook_result = hook(module, args, kwargs, result) if hook_id in with_kwargs else \
                    hook(module, args, result)
                if hook_result is not None:
                    result = hook_result
            except Exception as e:
                which = "global module" if hook_id in _global_forward_hooks else "module"
                warnings.warn(f"{which} forward hook with ``always_call=True`` raised an exception that was "
                              f"silenced as another error was raised in forward: {e}", stacklevel=3)
        raise


# ---------------------------------------------------------------- backward hooks


class BackwardHookFunction(Function):
    """The identity on a module's tensor inputs, or on its tensor outputs,
    whose backward runs the module's backward hooks (``side``: the
    ``BackwardHook`` method that does it)."""

    @staticmethod
    def forward(ctx: Any, *args: Any) -> tuple[Tensor, ...]:
        # (the tensors first, so an error about a returned gradient's index counts tensors, as PyTorch's does)
        *tensors, side, materialize = args
        ctx.mark_non_differentiable(*[t for t in tensors if not t.requires_grad])
        ctx.set_materialize_grads(materialize)
        ctx.side = side
        return tuple(tensors)

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> tuple[Any, ...]:
        return (*ctx.side(grads), None, None)


def _tensor_pass(grad: Any) -> None:
    """A tensor hook that changes nothing: its presence makes a backward pass
    through a module with backward hooks the engine's tensor pass, run once
    (no numeric pass replayed later for closed forms, which would call the
    hooks a second time)."""
    return None


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _user_stacklevel() -> int:
    """The ``stacklevel`` of a warning given from inside a backward pass that
    points at the caller's line (the ``backward()`` call), not symgrad's."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def _pack_with_none(indices: list[int], values: Any, size: int) -> tuple[Any, ...]:
    res: list[Any] = [None] * size
    for idx, val in zip(indices, values):
        res[idx] = val
    return tuple(res)


def _check_returned(got: Any, expected: int, what: str, name: str) -> None:
    if not isinstance(got, (tuple, list)):
        raise TypeError(f"{what} must return None or a tuple of {name} (one entry per "
                        f"{'output' if name == 'grad_output' else 'positional input'}, None where there is "
                        f"none), but returned {type(got).__name__}")
    if len(got) != expected:
        raise RuntimeError(f"{what} returned an invalid number of {name}, got {len(got)}, but expected {expected}")


class BackwardHook:
    """One call's backward hooks (``torch.utils.hooks.BackwardHook``): made by
    ``call_with_hooks`` with the hooks registered when the module was called,
    it wraps the inputs and outputs and links ``grad_output`` (collected
    when the outputs' gradients arrive) to ``grad_input`` (when the inputs'
    do), then calls the user's hooks."""

    def __init__(self, module: Any, user_hooks: list[Any], user_pre_hooks: list[Any]) -> None:
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.module = module
        self.grad_outputs: Any = None
        self.n_outputs = -1
        self.output_tensors_index: list[int] | None = None
        self.n_inputs = -1
        self.input_tensors_index: list[int] | None = None
        self._wrapped_inputs: list[tuple[int, Tensor, int]] = []

    def _apply_on_tensors(self, side: Any, materialize: bool, args: Any) -> tuple[Any, list[int] | None, Any]:
        tensors_idx = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors = [args[i] for i in tensors_idx]
        if not (any(t.requires_grad for t in tensors) and grad_mode.is_grad_enabled()):
            return args, None, ()
        new_tensors = BackwardHookFunction.apply(*tensors, side, materialize)
        arg_list = list(args)
        for idx, val in zip(tensors_idx, new_tensors):
            arg_list[idx] = val
        out = tuple(arg_list) if type(args) is tuple else type(args)(*arg_list)
        return out, tensors_idx, new_tensors

    def setup_input_hook(self, args: tuple[Any, ...]) -> tuple[Any, ...]:
        res, input_idx, new_tensors = self._apply_on_tensors(self._input_grads, True, args)
        self.n_inputs = len(args)
        self.input_tensors_index = input_idx
        if input_idx is not None:
            self._wrapped_inputs = [(i, t, t._version) for i, t in zip(input_idx, new_tensors)]
        return res  # type: ignore[no-any-return]

    def check_inputs_unmodified(self) -> None:
        """PyTorch's error for a forward that modified an input in place (its
        inputs are views there, copies here: the caller's tensor would not see
        the change)."""
        for k, (_, t, version) in enumerate(self._wrapped_inputs):
            if t._version != version:
                raise RuntimeError(
                    f"Output {k} of BackwardHookFunction is a view and is being modified inplace. This view was "
                    "created inside a custom Function (or because an input was returned as-is) and the autograd "
                    "logic to handle view+inplace would override the custom backward associated with the custom "
                    "Function, leading to incorrect gradients. This behavior is forbidden. You can fix this by "
                    "cloning the output of the custom Function.")
        self._wrapped_inputs = []

    def setup_output_hook(self, result: Any) -> Any:
        is_tuple = isinstance(result, tuple)
        outputs = result if is_tuple else (result,)
        res, output_idx, new_tensors = self._apply_on_tensors(self._output_grads, False, outputs)
        for t in new_tensors:
            if t.grad_fn is not None:
                t.register_hook(_tensor_pass)
        self.n_outputs = len(outputs)
        self.output_tensors_index = output_idx
        return res if is_tuple else res[0]

    def _output_grads(self, grads: tuple[Any, ...]) -> tuple[Any, ...]:
        """The outputs' gradients arrived: the backward pre-hooks, and the full
        hooks too when no input requires grad (as in PyTorch)."""
        assert self.output_tensors_index is not None
        self.grad_outputs = _pack_with_none(self.output_tensors_index, grads, self.n_outputs)
        for pre_hook in self.user_pre_hooks:
            new = pre_hook(self.module, self.grad_outputs)
            if new is None:
                continue
            _check_returned(new, len(self.grad_outputs), "Backward pre hook", "grad_output")
            self.grad_outputs = new
        local_grad_outputs = self.grad_outputs
        if self.input_tensors_index is None:
            warnings.warn("Full backward hook is firing when gradients are computed with respect to module outputs "
                          "since no inputs require gradients. See "
                          "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                          "#torch.nn.Module.register_full_backward_hook for more details.",
                          stacklevel=_user_stacklevel())
            grad_inputs = _pack_with_none([], [], self.n_inputs)
            for hook in self.user_hooks:
                res = hook(self.module, grad_inputs, self.grad_outputs)
                if res is not None and not (isinstance(res, tuple) and all(el is None for el in res)):
                    raise RuntimeError("Backward hook for Modules where no input requires gradient should always "
                                       "return None or None for all gradients.")
            self.grad_outputs = None
        return tuple(local_grad_outputs[i] for i in self.output_tensors_index)

    def _input_grads(self, grads: tuple[Any, ...]) -> tuple[Any, ...]:
        """The inputs' gradients arrived: the full backward hooks, with the
        ``grad_output`` kept when the outputs' gradients arrived."""
        if self.grad_outputs is None:
            # the gradient reached the inputs without passing through the outputs (double backward)
            return grads
        assert self.input_tensors_index is not None
        res = _pack_with_none(self.input_tensors_index, grads, self.n_inputs)
        for hook in self.user_hooks:
            out = hook(self.module, res, self.grad_outputs)
            if out is None:
                continue
            _check_returned(out, len(res), "Backward hook", "grad_input")
            res = out
        self.grad_outputs = None
        return tuple(res[i] for i in self.input_tensors_index)
