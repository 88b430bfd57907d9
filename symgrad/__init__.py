"""symgrad: tensors with a numeric view (NumPy) and a symbolic view (SymPy),
and PyTorch-style reverse-mode autograd of any order.

>>> import symgrad
>>> x = symgrad.tensor(2.).requires_grad_()
>>> y = symgrad.tensor(3.).requires_grad_()
>>> z = x * x * y
>>> z.backward(create_graph=True)
>>> x.grad, x.grad.expr
(tensor(12., grad_fn=<CopyBackwards>), 2*x*y)

Importing symgrad does not import SymPy; the first symbolic feature used does.
"""

from __future__ import annotations

import builtins
import importlib
from typing import TYPE_CHECKING, Any

from symgrad import autograd, ops
from symgrad._tensor import Size, Tensor  # noqa: I001  (Tensor before the ops that return it)
from symgrad.autograd.anomaly_mode import is_anomaly_check_nan_enabled, is_anomaly_enabled, set_anomaly_enabled
from symgrad.calculus import derivative, diff
from symgrad.creation import *  # noqa: F401,F403
from symgrad.device import cuda, device
from symgrad.dtypes import (
    bool_,
    double,
    dtype,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    result_type,
    set_default_dtype,
    short,
    uint8,
)
from symgrad.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from symgrad.printing import set_printoptions

# The op functions: those of the families loaded with symgrad here, the others
# (symgrad.ops.lazy) through __getattr__ on first use
globals().update({name: getattr(ops, name) for name in ops.EAGER})
if TYPE_CHECKING:
    from symgrad.ops import *  # noqa: F401,F403

bool = bool_  # noqa: A001 - PyTorch's name: symgrad.bool

__version__ = "0.1.0"

# Modules and names loaded on first use, so that ``import symgrad`` stays fast
# and does not import SymPy.
_LAZY = {
    "set_expr_limits": "symgrad.symbolic.evaluate",
    "ExpressionTooLargeError": "symgrad.symbolic.evaluate",
    "show": "symgrad.display",
    "draw": "symgrad.display",
    # function transforms (symgrad.grad is jax.grad's kind; symgrad.autograd.grad is PyTorch's)
    **dict.fromkeys(("grad", "value_and_grad", "jacobian", "hessian", "vjp", "jvp", "hvp"), "symgrad.functional"),
    **dict.fromkeys(("gradcheck", "gradgradcheck", "GradcheckError"), "symgrad.testing"),
    **dict.fromkeys(("verify_gradient", "assert_gradient", "verify_function", "GradientReport"), "symgrad.verify"),
    **dict.fromkeys(("parse_formula", "FormulaError"), "symgrad.parsing"),
    "vmap": "symgrad.func",
    "lambdify": "symgrad.codegen",
    **dict.fromkeys(("save", "load"), "symgrad.serialization"),
    "gradient_function": "symgrad.codegen",
    **dict.fromkeys(("TracingError", "TracerWarning"), "symgrad.symbolic.reads"),
}
_LAZY_MODULES = ("nn", "optim", "functional", "func", "testing", "verify", "parsing", "display", "codegen", "cli",
                 "linalg", "distributions", "special")


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in _LAZY_MODULES:
        return importlib.import_module(f"symgrad.{name}")
    if name in ops.FAMILY_OF:
        return getattr(ops, name)  # (an op of a family that loads on first use: symgrad.ops.lazy)
    raise AttributeError(f"module 'symgrad' has no attribute {name!r}")


def __dir__() -> list[builtins.str]:
    return sorted({*globals(), *_LAZY, *_LAZY_MODULES, *ops.FAMILY_OF})


def is_tensor(obj: Any) -> builtins.bool:
    """True for symgrad tensors.

    >>> import symgrad
    >>> symgrad.is_tensor(symgrad.tensor(1.)), symgrad.is_tensor(1.)
    (True, False)
    """
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> builtins.int:
    """Number of elements."""
    return _tensor_argument(input, "numel").numel()


def is_floating_point(input: Tensor) -> builtins.bool:
    return _tensor_argument(input, "is_floating_point").is_floating_point()


def is_complex(input: Tensor) -> builtins.bool:
    """False: symgrad has no complex dtypes."""
    return _tensor_argument(input, "is_complex").is_complex()


def is_nonzero(input: Tensor) -> builtins.bool:
    """The one element of ``input`` as a bool (PyTorch's errors for other sizes).

    >>> import symgrad
    >>> symgrad.is_nonzero(symgrad.tensor([0.5])), symgrad.is_nonzero(symgrad.tensor(0))
    (True, False)
    """
    return _tensor_argument(input, "is_nonzero").is_nonzero()


def _tensor_argument(input: Any, fn: str) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'input' must be a Tensor, not {type(input).__name__}")
    return input


__all__ = [
    "Tensor", "Size", "ops", "autograd", "diff", "derivative", "cuda", "device", "dtype", "float16", "float32",
    "float64", "half", "float", "double", "int8", "int16", "int32", "int64", "short", "int", "long", "uint8",
    "bool", "bool_", "get_default_dtype", "set_default_dtype", "promote_types", "result_type", "no_grad",
    "enable_grad", "inference_mode", "set_grad_enabled", "is_grad_enabled", "is_inference_mode_enabled",
    "is_anomaly_enabled", "is_anomaly_check_nan_enabled", "set_anomaly_enabled", "set_printoptions", "is_tensor", "numel",
    "is_floating_point", "is_complex", "is_nonzero", *_LAZY,
    *ops.__all__, *__import__("symgrad.creation", fromlist=["__all__"]).__all__,
]
