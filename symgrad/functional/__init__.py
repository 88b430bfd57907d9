"""Function transforms with closed forms: ``grad``, ``value_and_grad``,
``jacobian``, ``hessian``, ``vjp``, ``jvp``, ``hvp`` (JAX / ``torch.func``
style, with ``argnums`` and ``has_aux``).  Also available as ``symgrad.grad``
and so on; ``symgrad.autograd.grad`` is PyTorch's engine function, a
different thing.

Layout: ``transforms`` (the public functions), ``arguments`` (argnums,
containers, variables and their names), ``derivatives`` (the reverse-mode
computations), ``blocks`` (tuples of blocks read as one matrix), ``tensor_forms``
(Jacobians and Hessians of tensors already computed).
"""

from symgrad.functional.blocks import Blocks
from symgrad.functional.transforms import grad, hessian, hvp, jacobian, jvp, value_and_grad, vjp

__all__ = ["grad", "value_and_grad", "jacobian", "hessian", "vjp", "jvp", "hvp", "Blocks"]
