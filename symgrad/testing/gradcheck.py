"""``gradcheck`` and ``gradgradcheck`` with PyTorch's semantics: compare the
Jacobians from symgrad's derivative rules with central finite differences.

Same arguments, defaults, layout and error type as
``torch.autograd.gradcheck``; the failure message also lists the entries
that differ, largest first, with their ratio (a rule off by a constant
factor shows that factor).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from symgrad import grad_mode
from symgrad._tensor import Tensor
from symgrad.autograd import engine
from symgrad.testing import analytical, numerical
from symgrad.testing.errors import GradcheckError, mismatch_message

__all__ = ["gradcheck", "gradgradcheck"]


def gradcheck(func: Callable[..., Any], inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0, check_undefined_grad: bool = True,
              check_grad_dtypes: bool = False, check_batched_grad: bool = False,
              check_batched_forward_grad: bool = False, check_forward_ad: bool = False,
              check_backward_ad: bool = True, fast_mode: bool = False, masked: bool | None = None) -> bool:
    """Check the gradients of ``func`` at ``inputs`` (the tensors that require
    grad) against finite differences, as ``torch.autograd.gradcheck``.

    Returns True, or raises ``GradcheckError`` (False with
    ``raise_exception=False``) with both Jacobians and where they differ.
    ``check_forward_ad`` checks ``symgrad.jvp`` (the double-vjp trick);
    ``check_undefined_grad`` is accepted for compatibility (symgrad has no
    undefined gradients); the batched checks need vmap, which symgrad does not
    have, and are skipped with a warning.

    >>> import symgrad
    >>> x = symgrad.tensor([0.5, 1.5], dtype=symgrad.float64, requires_grad=True)
    >>> symgrad.gradcheck(symgrad.sin, (x,))
    True
    """
    _check_options(masked, check_batched_grad, check_batched_forward_grad)
    try:
        _gradcheck(func, _as_inputs(inputs), eps, atol, rtol, nondet_tol, check_grad_dtypes, check_forward_ad,
                   check_backward_ad, fast_mode)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def _as_inputs(inputs: Any) -> tuple[Any, ...]:
    return tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)


def _check_options(masked: Any, batched: bool, batched_forward: bool) -> None:
    if masked:
        raise NotImplementedError("gradcheck(masked=True): symgrad has no masked (sparse) tensors")
    if batched or batched_forward:
        warnings.warn("gradcheck: check_batched_grad / check_batched_forward_grad need vmap, which symgrad does "
                      "not have; these checks were skipped", UserWarning, stacklevel=3)


def _gradcheck(func: Callable[..., Any], inputs: tuple[Any, ...], eps: float, atol: float, rtol: float,
               nondet_tol: float, check_dtypes: bool, forward: bool, backward: bool, fast: bool) -> None:
    diff = [j for j, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not diff:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of them have "
                         "requires_grad=True.")
    for j in diff:
        if inputs[j]._value.dtype != np.float64:
            warnings.warn(f"Input #{j} requires gradient and is not a double precision floating point or complex. "
                          "This check will likely fail if all the inputs are not of double precision floating "
                          "point or complex. ", UserWarning, stacklevel=4)
    if fast and _fast_agrees(func, inputs, diff, eps, atol, rtol):
        return  # otherwise the slow check below explains the mismatch with full Jacobians
    num = numerical.numerical_jacobians(func, inputs, diff, eps)
    outputs = _outputs(func, inputs)
    for i, o in enumerate(outputs):
        if not o.requires_grad and any(np.abs(n).max(initial=0) > atol for n in num[i]):
            raise GradcheckError(f"Numerical gradient for function expected to be zero: output {i} does not "
                                 "require grad but changes when the inputs change (it is computed outside the "
                                 "graph, e.g. through .detach(), .numpy() or no_grad)")
    variables = [inputs[j] for j in diff]
    if backward:
        ana = analytical.reverse_jacobians(outputs, variables, check_dtypes)
        _compare("Jacobian", num, ana, diff, inputs, outputs, atol, rtol)
        again = analytical.reverse_jacobians(outputs, variables, check_dtypes)
        _check_reentrant(ana, again, nondet_tol)
    if forward:
        fwd = analytical.forward_jacobians(outputs, variables)
        _compare("Jacobian computed with forward mode", num, fwd, diff, inputs, outputs, atol, rtol)


def _outputs(func: Callable[..., Any], inputs: tuple[Any, ...]) -> tuple[Tensor, ...]:
    with grad_mode.enable_grad():
        return numerical.as_outputs(func(*inputs))


def _compare(what: str, num: list[list[np.ndarray]], ana: list[list[np.ndarray]], diff: list[int],
             inputs: tuple[Any, ...], outputs: tuple[Tensor, ...], atol: float, rtol: float) -> None:
    for i, (n_row, a_row) in enumerate(zip(num, ana)):
        for k, (n, a) in enumerate(zip(n_row, a_row)):
            if not np.allclose(a, n, rtol=rtol, atol=atol):  # nan is not close to nan (PyTorch's allclose)
                j = diff[k]
                raise GradcheckError(mismatch_message(what, i, j, n, a, tuple(inputs[j].shape),
                                                      tuple(outputs[i].shape), atol, rtol))


def _check_reentrant(first: list[list[np.ndarray]], second: list[list[np.ndarray]], nondet_tol: float) -> None:
    for a_row, b_row in zip(first, second):
        for a, b in zip(a_row, b_row):
            if np.abs(a - b).max(initial=0) > nondet_tol:
                raise GradcheckError("Backward is not reentrant, i.e., running backward with same input and "
                                     "grad_output multiple times gives different values, although analytical "
                                     f"gradient matches numerical gradient. The tolerance for nondeterminism was "
                                     f"{nondet_tol}.")


def _fast_agrees(func: Callable[..., Any], inputs: tuple[Any, ...], diff: list[int], eps: float, atol: float,
                 rtol: float) -> bool:
    """Whether ``v^T J u`` agrees for random unit ``u``, ``v`` (PyTorch's fast
    mode), input by input."""
    rng = np.random.default_rng(0)
    directions = [_unit(rng, inputs[j]._value.size) for j in diff]
    outputs = _outputs(func, inputs)
    v = [_unit(rng, o._value.size) for o in outputs]
    variables = [inputs[j] for j in diff]
    for k, j in enumerate(diff):
        num = numerical.numerical_directional(func, inputs, [j], [directions[k]], eps)
        ana = analytical.reverse_directional(outputs, variables, v, directions)
        for i, (n, a) in enumerate(zip(num, ana)):
            if not np.isclose(a[k], float(np.dot(v[i], n)), rtol=rtol, atol=atol):
                return False
    return True


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    u = rng.standard_normal(n)
    norm = np.linalg.norm(u)
    return u / norm if norm else u


def gradgradcheck(func: Callable[..., Any], inputs: Any, grad_outputs: Any = None, *, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, gen_non_contig_grad_outputs: bool = False,
                  raise_exception: bool = True, nondet_tol: float = 0.0, check_undefined_grad: bool = True,
                  check_grad_dtypes: bool = False, check_batched_grad: bool = False,
                  check_fwd_over_rev: bool = False, check_rev_over_rev: bool = True, fast_mode: bool = False,
                  masked: bool = False) -> bool:
    """Check second derivatives: ``gradcheck`` of the function that maps the
    inputs and ``grad_outputs`` to the gradients (``create_graph=True``), as
    ``torch.autograd.gradgradcheck``. Random ``grad_outputs`` (seeded) are
    made when none are given.

    >>> import symgrad
    >>> x = symgrad.tensor([0.5, 1.5], dtype=symgrad.float64, requires_grad=True)
    >>> symgrad.gradgradcheck(lambda x: x ** 3, (x,))
    True
    """
    tupled = _as_inputs(inputs)
    gos = _grad_outputs(func, tupled, grad_outputs)
    n = len(tupled)

    def gradients(*everything: Any) -> tuple[Tensor, ...]:
        ins, seeds = everything[:n], everything[n:]
        with grad_mode.enable_grad():
            outs = [o for o in numerical.as_outputs(func(*ins)) if o.requires_grad]
            wrt = [x for x in ins if isinstance(x, Tensor) and x.requires_grad]
            if not outs:
                return ()
            grads = engine.grad(outs, wrt, grad_outputs=list(seeds), create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(gradients, tupled + gos, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception,
                     nondet_tol=nondet_tol, check_grad_dtypes=check_grad_dtypes, check_batched_grad=check_batched_grad,
                     check_forward_ad=check_fwd_over_rev, check_backward_ad=check_rev_over_rev, fast_mode=fast_mode,
                     masked=masked)


def _grad_outputs(func: Callable[..., Any], inputs: tuple[Any, ...], given: Any) -> tuple[Tensor, ...]:
    outs = [o for o in _outputs(func, inputs) if o.requires_grad]
    if given is not None:
        gos = _as_inputs(given)
        if len(gos) != len(outs):
            raise ValueError(f"gradgradcheck: got {len(gos)} grad_outputs for {len(outs)} differentiable outputs")
        return gos
    rng = np.random.default_rng(0)
    return tuple(Tensor._make(rng.standard_normal(o.shape).astype(o._value.dtype)).requires_grad_() for o in outs)
