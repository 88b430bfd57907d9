"""``torch.autograd.functional`` with PyTorch's signatures: ``jacobian``,
``hessian``, ``vjp``, ``jvp``, ``hvp``, ``vhp``.

Results have PyTorch's structure (a tensor for one input and one output,
tuples otherwise) and symgrad's extra: every result has a closed form
(``.expr``).  ``vectorize`` and the strategies are accepted and checked as
PyTorch checks them; symgrad computes every variant the same way (reverse
mode, one pass per output element; ``jvp``/``hvp`` by the exact double-vjp
trick), so they give identical results.

>>> import symgrad
>>> from symgrad.autograd.functional import hessian
>>> H = hessian(lambda x, y: x * x * y, (symgrad.tensor(2.), symgrad.tensor(3.)))
>>> H
((tensor(6.), tensor(4.)), (tensor(4.), tensor(0.)))
>>> H.expr
Matrix([
[2*y, 2*x],
[2*x,   0]])
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from symgrad import grad_mode
from symgrad._tensor import Tensor
from symgrad.functional import arguments, derivatives
from symgrad.functional.blocks import Blocks

__all__ = ["jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"]


# ---------------------------------------------------------------- shared steps

def _as_tuple(x: Any, arg_name: str, fn_name: str) -> tuple[bool, tuple[Any, ...]]:
    """(was it a tuple, the items), with PyTorch's error for anything else."""
    is_tuple = isinstance(x, tuple)
    items = x if is_tuple else (x,)
    for i, el in enumerate(items):
        if not isinstance(el, Tensor):
            where = f"value at index {i}" if is_tuple else f"given {arg_name}"
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors but "
                            f"the {where} has type {type(el)}.")
    return is_tuple, items


def _unpack(res: Any, outputs_tuple: bool, inputs_tuple: bool) -> Any:
    """PyTorch's nesting: outputs outside, inputs inside; singletons unwrapped."""
    if not inputs_tuple:
        res = tuple(r[0] for r in res)
    return res if outputs_tuple else res[0]


class _Run:
    """``func`` called on variables made from ``inputs`` (connected to the
    caller's graph when ``create_graph`` and they require grad, as PyTorch's
    ``view_as`` does)."""

    def __init__(self, func: Callable[..., Any], inputs: Any, create_graph: bool, fn_name: str) -> None:
        self.fn_name = fn_name
        self.inputs_tuple, ins = _as_tuple(inputs, "inputs", fn_name)
        self.create_graph = create_graph
        tracked = create_graph and grad_mode.is_grad_enabled()
        with grad_mode.enable_grad():
            self.vars = arguments.make_variables(func, ins, tuple(range(len(ins))), fn_name, tracked)
            out = func(*self.vars.args)
        self.outputs_tuple, self.outputs = _as_tuple(out, "outputs of the user-provided function", fn_name)

    def finish(self, value: Any) -> Any:
        return value if self.create_graph else arguments.detach_tree(value)

    def fill(self, grads: list[Tensor | None], shape_of: Callable[[Tensor], tuple[int, ...]], strict: bool,
             message: str) -> list[Tensor]:
        """Zeros where nothing depends on a variable, or PyTorch's strict-mode error."""
        out = []
        for i, (g, v) in enumerate(zip(grads, self.vars.flat)):
            if g is None:
                if strict:
                    raise RuntimeError(message.format(i=i))
                g = Tensor._make(np.zeros(shape_of(v), dtype=v._value.dtype))
            out.append(g)
        return out

    def check_outputs_differentiable(self, strict: bool) -> None:
        for i, o in enumerate(self.outputs):
            if strict and not o.requires_grad:
                raise RuntimeError(f"Output {i} of the user-provided function does not require gradients. The "
                                   "outputs must be computed in a differentiable manner from the input when "
                                   "running in strict mode.")


def _vectors(v: Any, like: tuple[Tensor, ...], fn_name: str, what: str) -> list[Tensor]:
    """``v`` checked against ``like``; None only for a single one-element tensor."""
    if v is None:
        if len(like) != 1 or like[0].numel() != 1:
            raise RuntimeError(f"The vector v can only be None if the {what} a single Tensor with a single "
                               "element.")
        return [Tensor._make(np.ones_like(like[0]._value))]
    v_tuple, vs = _as_tuple(v, "v", fn_name)
    if len(vs) != len(like):
        if len(like) == 1:
            raise RuntimeError("The given v should contain a single Tensor.")
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(like)} but got {len(vs)}.")
    for i, (el_v, el) in enumerate(zip(vs, like)):
        if tuple(el_v.shape) != tuple(el.shape):
            where = f"Entry {i} in v" if v_tuple else "v"  # (PyTorch's two wordings)
            raise RuntimeError(f"{where} has invalid size: should be {el.shape} but got {el_v.shape}.")
    return list(vs)


# ---------------------------------------------------------------- jacobian and hessian

def jacobian(func: Callable[..., Any], inputs: Any, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """The Jacobian of ``func`` at ``inputs`` (PyTorch's
    ``torch.autograd.functional.jacobian``), blocks shaped ``output.shape + input.shape``.

    >>> import symgrad
    >>> from symgrad.autograd.functional import jacobian
    >>> J = jacobian(lambda x: x ** 2, symgrad.tensor([1., 2.]))
    >>> J, J.expr
    (tensor([[2., 0.],
            [0., 4.]]), [[2*x[0], 0], [0, 2*x[1]]])
    """
    _check_strategy(strategy, strict, vectorize, create_graph)
    run = _Run(func, inputs, create_graph, "jacobian")
    run.check_outputs_differentiable(strict)
    with grad_mode.enable_grad():
        rows = []
        for i, o in enumerate(run.outputs):
            blocks = derivatives.jacobian_blocks(o, run.vars.flat, create_graph=create_graph)
            msg = f"Output {i} of the user-provided function is independent of input {{i}}. This is not allowed " \
                  "in strict mode."
            rows.append(run.fill(blocks, functools.partial(_joint_shape, tuple(o.shape)), strict, msg))
    res = [Blocks(r, "row", (o.ndim,) * len(r)) for r, o in zip(rows, run.outputs)]
    return run.finish(_unpack(Blocks(res, "column", ()), run.outputs_tuple, run.inputs_tuple))


def _joint_shape(out_shape: tuple[int, ...], v: Tensor) -> tuple[int, ...]:
    return out_shape + tuple(v.shape)


def _check_strategy(strategy: str, strict: bool, vectorize: bool, create_graph: bool) -> None:
    if strategy not in ("forward-mode", "reverse-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
                         'function has more outputs than inputs, "forward-mode" tends to be more performant. '
                         'Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError('torch.autograd.functional.jacobian: `create_graph=True` and '
                                      '`strategy="forward-mode"` are not supported together (yet). Please either '
                                      'set `create_graph=False` or `strategy="reverse-mode"`.')
        if not vectorize:
            raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse Hessian is "
                                      "only implemented for `vectorize=True`.")
    if strict and vectorize:
        raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
                           "supported together. Please either set `strict=False` or `vectorize=False`.")


def hessian(func: Callable[..., Any], inputs: Any, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The Hessian of a scalar function at ``inputs`` (PyTorch's
    ``torch.autograd.functional.hessian``): a tensor for one input, a tuple of
    tuples (``Blocks``, with ``.matrix()`` and ``.expr``) for several.

    >>> import symgrad
    >>> from symgrad.autograd.functional import hessian
    >>> hessian(lambda w: (w ** 3).sum(), symgrad.tensor([1., 2.])).expr
    [[6*w[0], 0], [0, 6*w[1]]]
    """
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise ValueError(f"outer_jacobian_strategy must be 'forward-mode' or 'reverse-mode', not "
                         f"{outer_jacobian_strategy!r}")
    if outer_jacobian_strategy == "forward-mode" and not vectorize:
        raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse Hessian is only "
                                  "implemented for `vectorize=True`.")
    inputs_tuple, ins = _as_tuple(inputs, "inputs", "hessian")

    def jac_func(*inp: Any) -> tuple[Tensor, ...]:
        out = _scalar_output(func(*inp), "hessian")
        with grad_mode.enable_grad():
            gs = derivatives.vjp_grads([out], list(inp), [Tensor._make(np.ones_like(out._value))], create_graph=True)
        for i, g in enumerate(gs):
            if g is None and strict:
                raise RuntimeError(f"The output of the user-provided function is independent of input {i}. "
                                   "This is not allowed in strict mode.")
        return tuple(g if g is not None else Tensor._make(np.zeros_like(x._value)) for g, x in zip(gs, inp))

    jac_func.__wrapped__ = func  # type: ignore[attr-defined]  # variables are named after func's parameters
    res = jacobian(jac_func, ins, create_graph=create_graph, strict=strict, vectorize=vectorize)
    return res if inputs_tuple else res[0][0]


def _scalar_output(out: Any, fn_name: str) -> Tensor:
    if isinstance(out, tuple) and len(out) == 1:
        out = out[0]
    if not isinstance(out, Tensor):
        raise TypeError(f"The outputs of the user-provided function given to {fn_name} must be either a Tensor "
                        f"or a tuple of Tensors but the given outputs of the user-provided function has type "
                        f"{type(out)}.")
    if out.numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should contain a single "
                           f"element (it has shape {list(out.shape)})")
    return out.reshape(())


# ---------------------------------------------------------------- products

def vjp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func_output, vjp)``: the vector-Jacobian product ``v^T J`` (PyTorch's
    ``torch.autograd.functional.vjp``).

    >>> import symgrad
    >>> from symgrad.autograd.functional import vjp
    >>> out, g = vjp(lambda x: (x ** 2).sum(), symgrad.tensor([1., 2.]))
    >>> out, g, g.expr
    (tensor(5.), tensor([2., 4.]), [2*x[0], 2*x[1]])
    """
    run = _Run(func, inputs, create_graph, "vjp")
    run.check_outputs_differentiable(strict)
    vs = _vectors(v, run.outputs, "vjp", "user-provided function returns")
    with grad_mode.enable_grad():
        gs = derivatives.vjp_grads(list(run.outputs), run.vars.flat, vs, create_graph=create_graph)
    msg = "The output of the user-provided function is independent of input {i}. This is not allowed in strict mode."
    res = run.fill(gs, lambda x: tuple(x.shape), strict, msg)
    return run.finish((_single(run.outputs, run.outputs_tuple), _single(res, run.inputs_tuple)))


def _single(items: Any, as_tuple: bool) -> Any:
    return tuple(items) if as_tuple else items[0]


def jvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func_output, jvp)``: the Jacobian-vector product ``J v`` (PyTorch's
    ``torch.autograd.functional.jvp``), computed exactly by the double-vjp
    trick, as PyTorch does.

    >>> import symgrad
    >>> from symgrad.autograd.functional import jvp
    >>> out, t = jvp(lambda x, y: x * y, (symgrad.tensor(2.), symgrad.tensor(3.)),
    ...              (symgrad.tensor(1.), symgrad.tensor(0.)))
    >>> t, t.expr
    (tensor(3.), y)
    """
    run = _Run(func, inputs, create_graph, "jvp")
    run.check_outputs_differentiable(strict)
    vs = _vectors(v, tuple(run.vars.flat), "jvp", "input to the user-provided function is")
    with grad_mode.enable_grad():
        jv = derivatives.jvp_tangents(list(run.outputs), run.vars.flat, vs, create_graph=create_graph)
    res = []
    for i, (t, o) in enumerate(zip(jv, run.outputs)):
        if t is None:
            if strict:
                raise RuntimeError(f"The output {i} of the user-provided function is independent of all the "
                                   "inputs. This is not allowed in strict mode.")
            t = Tensor._make(np.zeros_like(o._value))
        res.append(t)
    return run.finish((_single(run.outputs, run.outputs_tuple), _single(res, run.outputs_tuple)))


def vhp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func_output, vhp)``: ``v^T H`` for a scalar function (PyTorch's
    ``torch.autograd.functional.vhp``).

    >>> import symgrad
    >>> from symgrad.autograd.functional import vhp
    >>> out, r = vhp(lambda x: (x ** 3).sum(), symgrad.tensor([1., 2.]), symgrad.tensor([1., 1.]))
    >>> r, r.expr
    (tensor([ 6., 12.]), [6*x[0], 6*x[1]])
    """
    return _second_order(func, inputs, v, create_graph, strict, "vhp")


def hvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func_output, hvp)``: ``H v`` for a scalar function (PyTorch's
    ``torch.autograd.functional.hvp``), by the double-backward trick (exact,
    without assuming ``H`` symmetric).

    >>> import symgrad
    >>> from symgrad.autograd.functional import hvp
    >>> out, r = hvp(lambda x, y: x * x * y, (symgrad.tensor(2.), symgrad.tensor(3.)),
    ...              (symgrad.tensor(1.), symgrad.tensor(0.)))
    >>> r, [e.expr for e in r]
    ((tensor(6.), tensor(4.)), [2*y, 2*x])
    """
    return _second_order(func, inputs, v, create_graph, strict, "hvp")


def _second_order(func: Callable[..., Any], inputs: Any, v: Any, create_graph: bool, strict: bool,
                  fn_name: str) -> tuple[Any, Any]:
    run = _Run(func, inputs, create_graph, fn_name)
    out = _scalar_output(run.outputs if run.outputs_tuple else run.outputs[0], fn_name)
    vs = _vectors(v, tuple(run.vars.flat), fn_name, "input to the user-provided function is")
    independent = "The output of the user-provided function is independent of input {i}. This is not allowed " \
                  "in strict mode."
    with grad_mode.enable_grad():
        gs = derivatives.vjp_grads([out], run.vars.flat, [Tensor._make(np.ones_like(out._value))], create_graph=True)
        grads = run.fill(gs, lambda x: tuple(x.shape), strict, independent)
        if fn_name == "vhp":  # v^T H: one more reverse pass through the gradient
            second = derivatives.vjp_grads(grads, run.vars.flat, vs, create_graph)
        else:  # H v: the jvp of the gradient (double-backward trick)
            second = derivatives.jvp_tangents(grads, run.vars.flat, vs, create_graph)
    flat = "The hessian of the user-provided function with respect to input {i} is independent of the input. " \
           "This is not allowed in strict mode."
    res = run.fill(second, lambda x: tuple(x.shape), strict, flat)
    return run.finish((out, _single(res, run.inputs_tuple)))
