"""Function transforms in the style of JAX and ``torch.func``: ``grad``,
``value_and_grad``, ``jacobian``, ``hessian``, ``vjp``, ``jvp``, ``hvp``.

Every result is a symgrad tensor, so it carries both the numbers and the
closed form (``.expr``).  Transforms nest (``hessian`` is ``jacobian`` of
``jacobian``) because a transformed function called on tensors that require
grad returns results that stay differentiable (see ``arguments``).
``jacobian`` and ``hessian`` also accept a computed tensor and its variables,
as ``sympy.hessian(f, [x, y])`` does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from symgrad import grad_mode
from symgrad._tensor import Tensor
from symgrad.functional import arguments, derivatives, tensor_forms
from symgrad.functional.blocks import Blocks

__all__ = ["grad", "value_and_grad", "jacobian", "hessian", "vjp", "jvp", "hvp"]


# ---------------------------------------------------------------- calling f

class _Call:
    """One call of ``f`` on variables: the output(s), aux, the variables, and
    whether the caller tracks the arguments (results then keep their graph)."""

    def __init__(self, f: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], argnums: Any,
                 has_aux: bool, who: str) -> None:
        self.positions, self.single = arguments.normalize_argnums(argnums, len(args), who)
        self.tracked = arguments.is_tracked((args, kwargs))
        self.who = who
        with grad_mode.enable_grad():
            self.vars = arguments.make_variables(f, args, self.positions, who, self.tracked)
            result = f(*self.vars.args, **arguments.named_keywords(kwargs))
        if has_aux:
            if not (isinstance(result, (tuple, list)) and len(result) == 2):
                raise TypeError(f"{who}: with has_aux=True the function must return a pair (output, aux), got "
                                f"{type(result).__name__}")
            result, self.aux = result
        else:
            self.aux = None
        self.out_tree = result
        self.outputs, self.out_def = _outputs(result, who)

    def finish(self, value: Any) -> Any:
        """Results as the caller should see them: detached unless tracked."""
        return value if self.tracked else arguments.detach_tree(value)

    @property
    def aux_out(self) -> Any:
        return self.finish(self.aux)

    def per_argument(self, values: list[Any]) -> Any:
        """One value per variable -> one tree per argument (not a tuple for an int argnums)."""
        grouped = self.vars.split(values)
        return grouped[0] if self.single else tuple(grouped)


def _outputs(result: Any, who: str) -> tuple[list[Tensor], arguments.TreeDef]:
    # Any pytree of tensors (tuples, lists, dicts, nested), as torch.func and JAX take
    leaves, tree = arguments.flatten(result)
    if not leaves:
        raise TypeError(f"{who}: the function returned no tensor (an empty {type(result).__name__}); return a "
                        "tensor, or a tuple/list/dict of tensors")
    for i, x in enumerate(leaves):
        if not isinstance(x, Tensor):
            hint = (" (a number computed with .item(), float() or NumPy has no derivative: return the tensor)"
                    if isinstance(x, (int, float)) else "")
            raise TypeError(f"{who}: output {i} of the function is a {type(x).__name__}, not a tensor{hint}")
    return leaves, tree


def _check_fn(f: Any, who: str, example: str) -> None:
    if isinstance(f, Tensor) or not callable(f):
        raise TypeError(f"symgrad.{who} transforms a Python function: symgrad.{who}({example}). Got a "
                        f"{type(f).__name__}. For a tensor you already computed, use symgrad.derivative(z, x) "
                        "or symgrad.autograd.grad(z, x) (PyTorch's).")


def _materialize(gs: list[Tensor | None], out_shape: tuple[int, ...], variables: list[Tensor]) -> list[Tensor]:
    return [g if g is not None else derivatives.zeros_for(out_shape, v) for g, v in zip(gs, variables)]


# ---------------------------------------------------------------- grad

def grad(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0, has_aux: bool = False) -> Callable[..., Any]:
    """The gradient of a scalar-valued function, as a function (``jax.grad``,
    ``torch.func.grad``): results per ``argnums`` have the arguments' shapes.

    >>> import symgrad
    >>> dfdx = symgrad.grad(lambda x, y: x * x * y)
    >>> g = dfdx(symgrad.tensor(2.), symgrad.tensor(3.))
    >>> g, g.expr
    (tensor(12.), 2*x*y)

    Arguments that are not differentiated are constants, but keep their
    names in the closed form (``y`` above).
    >>> symgrad.grad(symgrad.grad(lambda x: x ** 3))(symgrad.tensor(2.)).expr
    6*x
    """
    _check_fn(f, "grad", "f")

    @functools.wraps(f)
    def grad_f(*args: Any, **kwargs: Any) -> Any:
        _, g, aux = _value_and_grad(f, args, kwargs, argnums, has_aux, "grad")
        return (g, aux) if has_aux else g

    return grad_f


def value_and_grad(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0,
                   has_aux: bool = False) -> Callable[..., Any]:
    """``f``'s value and gradient in one call: ``(value, grad)``, or
    ``((value, aux), grad)`` with ``has_aux`` (as ``jax.value_and_grad``).

    >>> import symgrad
    >>> v, g = symgrad.value_and_grad(lambda w: (w * w).sum())(symgrad.tensor([1., 2.]))
    >>> v, g, g.expr
    (tensor(5.), tensor([2., 4.]), [2*w[0], 2*w[1]])
    """
    _check_fn(f, "value_and_grad", "f")

    @functools.wraps(f)
    def value_and_grad_f(*args: Any, **kwargs: Any) -> Any:
        value, g, aux = _value_and_grad(f, args, kwargs, argnums, has_aux, "value_and_grad")
        return ((value, aux), g) if has_aux else (value, g)

    return value_and_grad_f


def _value_and_grad(f: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], argnums: Any,
                    has_aux: bool, who: str) -> tuple[Any, Any, Any]:
    call = _Call(f, args, kwargs, argnums, has_aux, who)
    if call.out_def.kind != "leaf" or call.outputs[0].ndim != 0:
        shape = list(call.outputs[0].shape) if call.out_def.kind == "leaf" else f"a {type(call.out_tree).__name__}"
        raise RuntimeError(f"{who}: the function must return a scalar (0-d) tensor, got {shape}; reduce it "
                           "(e.g. .sum()) or use symgrad.jacobian / symgrad.vjp for non-scalar outputs")
    out = call.outputs[0]
    with grad_mode.enable_grad():
        gs = derivatives.vjp_grads([out], call.vars.flat, [Tensor._make(_ones(out))], create_graph=call.tracked)
    g = call.per_argument(_materialize(gs, (), call.vars.flat))
    return call.finish(out), call.finish(g), call.aux_out


def _ones(t: Tensor) -> Any:
    return np.ones_like(t._value)


# ---------------------------------------------------------------- jacobian and hessian

def jacobian(f: Any, argnums: Any = 0, has_aux: bool = False) -> Any:
    """The Jacobian of a function (``jax.jacrev``, ``torch.func.jacrev``),
    each block shaped ``output.shape + input.shape``; or, given a computed
    tensor and its variables, the Jacobian itself.

    With several ``argnums`` (or outputs) the result is a tuple of blocks
    (``Blocks``) whose ``.matrix()`` joins them and ``.expr`` is a ``sympy.Matrix``.

    >>> import symgrad
    >>> J = symgrad.jacobian(lambda v: symgrad.stack([v[0] * v[1], v[0] + v[1]]))
    >>> J(symgrad.tensor([2., 3.])).expr
    [[v[1], v[0]], [1, 1]]
    >>> x = symgrad.tensor(2., requires_grad=True)
    >>> y = symgrad.tensor(3., requires_grad=True)
    >>> symgrad.jacobian([x * y, x + y], [x, y])
    tensor([[3., 2.],
            [1., 1.]], grad_fn=<CatBackward0>)
    """
    if tensor_forms.is_tensors(f):
        return tensor_forms.jacobian_of_tensors(f, argnums)
    _check_fn(f, "jacobian", "f")

    @functools.wraps(f)
    def jacobian_f(*args: Any, **kwargs: Any) -> Any:
        call = _Call(f, args, kwargs, argnums, has_aux, "jacobian")
        with grad_mode.enable_grad():
            per_output = [call.per_argument(_materialize(
                derivatives.jacobian_blocks(o, call.vars.flat, create_graph=call.tracked), tuple(o.shape), call.vars.flat))
                for o in call.outputs]
        result = call.finish(_arrange(per_output, call))
        return (result, call.aux_out) if has_aux else result

    return jacobian_f


def _arrange(per_output: list[Any], call: _Call) -> Any:
    """JAX's nesting (outputs outside, arguments inside), as Blocks where the
    blocks are tensors that can be joined."""
    if not call.single:
        per_output = [Blocks(p, "row", (o.ndim,) * len(p)) for p, o in zip(per_output, call.outputs)]
    if call.out_def.kind == "leaf":
        return per_output[0]
    if call.out_def.kind in ("tuple", "list", "blocks") and all(c.kind == "leaf" for c in call.out_def.children):
        return Blocks(per_output, "column", tuple(o.ndim for o in call.outputs))
    # a dict or nested containers: the output's own structure, each leaf's Jacobian in its place (torch.func's)
    return arguments.unflatten(call.out_def, per_output)


def hessian(f: Any, argnums: Any = 0, has_aux: bool = False) -> Any:
    """The Hessian of a function (``jax.hessian``, ``torch.func.hessian``):
    ``jacobian(jacobian(f))``, blocks shaped ``output.shape + x.shape + y.shape``;
    or, given a scalar tensor and its variables, the Hessian matrix
    (``sympy.hessian``'s layout).

    >>> import symgrad
    >>> x = symgrad.tensor(2., requires_grad=True)
    >>> y = symgrad.tensor(3., requires_grad=True)
    >>> z = x * x * y
    >>> H = symgrad.hessian(z, [x, y])
    >>> H
    tensor([[6., 4.],
            [4., 0.]], grad_fn=<CatBackward0>)
    >>> H.expr
    [[2*y, 2*x], [2*x, 0]]
    >>> symgrad.hessian(lambda w: (w ** 3).sum())(symgrad.tensor([1., 2.])).expr
    [[6*w[0], 0], [0, 6*w[1]]]
    """
    if tensor_forms.is_tensors(f):
        return tensor_forms.hessian_of_tensor(f, argnums)
    _check_fn(f, "hessian", "f")
    inner = jacobian(f, argnums, has_aux)
    outer = jacobian(inner, argnums, has_aux)
    return functools.wraps(f)(outer)


# ---------------------------------------------------------------- vjp, jvp, hvp

def vjp(f: Callable[..., Any], *primals: Any, has_aux: bool = False) -> tuple[Any, ...]:
    """``(output, vjp_fn)`` (``(output, vjp_fn, aux)`` with ``has_aux``);
    ``vjp_fn(cotangent)`` returns one vector-Jacobian product per primal, as a
    tuple (``jax.vjp``, ``torch.func.vjp``).

    >>> import symgrad
    >>> out, vjp_fn = symgrad.vjp(lambda x: x ** 2, symgrad.tensor([1., 2.]))
    >>> (g,) = vjp_fn(symgrad.tensor([1., 10.]))
    >>> g, g.expr
    (tensor([ 2., 40.]), [2*x[0], 20*x[1]])
    """
    _check_fn(f, "vjp", "f, *primals")
    if not primals:
        raise TypeError("vjp needs the point to linearize at: symgrad.vjp(f, x) or symgrad.vjp(f, x, y)")
    call = _Call(f, primals, {}, tuple(range(len(primals))), has_aux, "vjp")

    def vjp_fn(*cotangents: Any) -> tuple[Any, ...]:
        cts = _match(cotangents, call, "cotangent")
        with grad_mode.enable_grad():
            gs = derivatives.vjp_grads(call.outputs, call.vars.flat, cts, create_graph=call.tracked)
        return tuple(call.finish(call.vars.split(_materialize(gs, (), call.vars.flat))))

    out = call.finish(call.out_tree)
    return (out, vjp_fn, call.aux_out) if has_aux else (out, vjp_fn)


def _match(cotangents: tuple[Any, ...], call: _Call, what: str) -> list[Tensor]:
    if len(cotangents) == 1 and call.out_def.kind != "leaf":
        leaves, tree = arguments.flatten(cotangents[0])
        if "dict" in _kinds(call.out_def) and tree != call.out_def:
            raise ValueError(f"vjp_fn: the {what} must have the structure of the function's output (the same "
                             f"dict keys and containers), got a {type(cotangents[0]).__name__} of another structure")
        cotangents = tuple(leaves)
    if len(cotangents) != len(call.outputs):
        raise ValueError(f"vjp_fn: expected one {what} per output ({len(call.outputs)}), got {len(cotangents)}")
    return [derivatives.as_cotangent(c, o, f"{what} {i}") for i, (c, o) in enumerate(zip(cotangents, call.outputs))]


def _kinds(tree: arguments.TreeDef) -> set[str]:
    return {tree.kind}.union(*(_kinds(c) for c in tree.children))


def jvp(f: Callable[..., Any], primals: Any, tangents: Any, has_aux: bool = False) -> tuple[Any, ...]:
    """``(output, jvp_out)``: ``f(*primals)`` and the Jacobian-vector product
    with ``tangents`` (``jax.jvp``, ``torch.func.jvp``).

    Computed exactly by the double-vjp trick (two reverse passes, see
    ``functional.derivatives``), not by forward-mode propagation; the numbers
    and closed forms are the same.

    >>> import symgrad
    >>> out, t = symgrad.jvp(lambda x, y: x * y, (symgrad.tensor(2.), symgrad.tensor(3.)),
    ...                      (symgrad.tensor(1.), symgrad.tensor(0.)))
    >>> out, t, t.expr
    (tensor(6.), tensor(3.), y)
    """
    _check_fn(f, "jvp", "f, primals, tangents")
    primals, tangents = _primals_and_tangents(primals, tangents, "jvp")
    call = _Call(f, primals, {}, tuple(range(len(primals))), has_aux, "jvp")
    tans = [derivatives.as_cotangent(t, v, f"tangent {i}") for i, (t, v) in
            enumerate(zip(arguments.flatten(tangents)[0], call.vars.flat))]
    with grad_mode.enable_grad():
        jv = derivatives.jvp_tangents(call.outputs, call.vars.flat, tans, create_graph=call.tracked)
    jv_full = [j if j is not None else derivatives.zeros_for((), o) for j, o in zip(jv, call.outputs)]
    jv_tree = arguments.unflatten(call.out_def, jv_full)
    out = (call.finish(call.out_tree), call.finish(jv_tree))
    return (*out, call.aux_out) if has_aux else out


def _primals_and_tangents(primals: Any, tangents: Any, who: str) -> tuple[tuple[Any, ...], Any]:
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError(f"{who}: primals and tangents must be tuples (one entry per argument of f), e.g. "
                        f"{who}(f, (x,), (v,)); got {type(primals).__name__} and {type(tangents).__name__}")
    p_def, t_def = arguments.flatten(tuple(primals))[1], arguments.flatten(tuple(tangents))[1]
    if p_def != t_def:
        raise ValueError(f"{who}: tangents must have the same structure as primals (one tangent per primal)")
    return tuple(primals), tuple(tangents)


def hvp(f: Callable[..., Any], primals: Any, tangents: Any, has_aux: bool = False) -> tuple[Any, ...]:
    """``(output, hvp_out)``: ``f(*primals)`` (a scalar) and the
    Hessian-vector product with ``tangents``, one entry per primal.

    Computed as the ``jvp`` of ``grad`` (exact; does not assume the Hessian is
    symmetric).

    >>> import symgrad
    >>> value, (hv,) = symgrad.hvp(lambda x: (x ** 3).sum(), (symgrad.tensor([1., 2.]),),
    ...                            (symgrad.tensor([1., 1.]),))
    >>> value, hv, hv.expr
    (tensor(9.), tensor([ 6., 12.]), [6*x[0], 6*x[1]])
    """
    _check_fn(f, "hvp", "f, primals, tangents")
    primals, tangents = _primals_and_tangents(primals, tangents, "hvp")
    everything = tuple(range(len(primals)))

    @functools.wraps(f)
    def grads_with_value(*args: Any) -> Any:
        value, g, aux = _value_and_grad(f, args, {}, everything, has_aux, "hvp")
        return tuple(g), (value, aux)

    gs, hv, (value, aux) = jvp(grads_with_value, primals, tangents, has_aux=True)
    return (value, hv, aux) if has_aux else (value, hv)
