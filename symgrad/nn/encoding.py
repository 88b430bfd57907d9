"""``F.one_hot``: class indices as rows of zeros with a 1 at each class, int64
as PyTorch's, outside the graph (integers have no gradient)."""

from __future__ import annotations

import numpy as np

from symgrad import dtypes as _dt
from symgrad._tensor import Tensor
from symgrad.ops.positions import picked

__all__ = ["one_hot"]


def _class_count(classes: np.ndarray, num_classes: int) -> int:
    """``num_classes``, or one more than the largest class when it is -1; PyTorch's checks and words."""
    if classes.size and classes.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if classes.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor; pass num_classes")
        return int(classes.max()) + 1
    if classes.size and classes.max() >= num_classes:
        raise RuntimeError(f"Class values must be smaller than num_classes (the largest is {int(classes.max())}, "
                           f"num_classes is {num_classes}).")
    if num_classes < 0:
        raise RuntimeError(f"num_classes should be positive or -1 (to count the classes), got {num_classes}")
    return num_classes


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Each class index of ``tensor`` (int64) as a row of ``num_classes``
    zeros with a 1 at the index: shape ``(*tensor.shape, num_classes)``,
    int64.  ``num_classes=-1`` counts the classes: one more than the largest.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.one_hot(symgrad.tensor([0, 2, 1]))
    tensor([[1, 0, 0],
            [0, 0, 1],
            [0, 1, 0]])
    >>> F.one_hot(symgrad.tensor([1]), num_classes=4).dtype
    symgrad.int64
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"one_hot(): argument 'input' (position 1) must be Tensor, not {type(tensor).__name__}; "
                        "convert it with symgrad.tensor(...)")
    if tensor.dtype != _dt.int64:
        raise RuntimeError(f"one_hot is only applicable to index tensor of type LongTensor (got {tensor.dtype}); "
                           "convert the indices with .long()")
    if isinstance(num_classes, bool) or not isinstance(num_classes, int):
        raise TypeError(f"one_hot(): argument 'num_classes' must be int, not {type(num_classes).__name__}")
    classes = tensor._value
    count = _class_count(classes, num_classes)
    rows = (classes[..., None] == np.arange(count)).astype(np.int64)
    # a symbolic input's classes are positions chosen by its values (code generation refuses graphs using them)
    return Tensor._make(picked(rows, tensor))
