"""Making tensors: ``tensor``, ``zeros``, ``arange``, ``randn``, ``*_like``...

Floating tensors default to float64 (``set_default_dtype`` changes it);
``from_numpy`` shares memory with the array, ``tensor`` copies.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from symgrad import dtypes as _dt
from symgrad._tensor import Tensor
from symgrad.ops._util import norm_shape

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "full", "empty", "eye", "arange",
           "linspace", "logspace", "zeros_like", "ones_like", "full_like", "empty_like", "rand", "randn",
           "randint", "rand_like", "randn_like", "randint_like", "randperm", "manual_seed", "seed",
           "initial_seed", "normal", "scalar_tensor", "tril_indices", "triu_indices"]


def _to_array(data: Any, dtype: _dt.dtype | None) -> np.ndarray:
    """A fresh NumPy array for ``data`` (nested lists, numbers, arrays, tensors)."""
    if isinstance(data, Tensor):
        arr = data._value.copy()
    elif isinstance(data, (np.ndarray, np.generic)):  # NumPy scalars keep their dtype too, as in PyTorch
        arr = np.array(data, copy=True)
    else:
        try:
            arr = np.array(_unwrap(data))
        except ValueError:
            arr = np.array(None, dtype=object)  # ragged nesting: reported below
        if arr.dtype == object:
            raise TypeError(f"could not make a tensor from {type(data).__name__}: nested sequences must be "
                            "rectangular and hold numbers or tensors")
        # Python floats (float64 to NumPy) take the default dtype; a list of
        # np.float32 numbers stays float32, as in PyTorch
        if arr.dtype == np.float64 and dtype is None:
            arr = arr.astype(_dt.get_default_dtype().numpy)
    if arr.dtype.kind in "USOVMmc":
        raise TypeError(f"symgrad tensors hold real numbers or booleans, not {arr.dtype} "
                        f"({type(data).__name__})")
    if dtype is not None:
        arr = arr.astype(dtype.numpy, copy=False)
    else:
        arr = arr.astype(_dt.from_numpy_dtype(arr.dtype).numpy, copy=False)
    return arr


def _unwrap(data: Any) -> Any:
    if isinstance(data, Tensor):
        # a NumPy scalar, not .item(): the element keeps its dtype (a list of int32 or float32
        # 0-d tensors makes an int32 or float32 tensor, as in PyTorch)
        return data._value if data.ndim else data._value[()]
    if isinstance(data, (list, tuple)):
        return [_unwrap(d) for d in data]
    return data


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
           name: str | None = None) -> Tensor:
    """A new tensor holding a copy of ``data``; ``name`` names its symbol.

    >>> import symgrad
    >>> symgrad.tensor([1.5, 2.5, 3.5])
    tensor([1.5000, 2.5000, 3.5000])
    >>> symgrad.tensor(1., requires_grad=True)
    tensor(1., requires_grad=True)
    >>> symgrad.tensor([1., 2.], name="X").expr
    [X[0], X[1]]
    """
    if data.__class__ is float and device is None:
        # A number: a 0-d float64 or float32 tensor on the scalar lane (scalar_lane.py), its array made
        # when first read - what ops of scalars read is its float (measured: half a scalar program's reads)
        lane = _dt._DEFAULT[0] if dtype is None else _dt.as_dtype(dtype)  # (get_default_dtype(), a call less)
        if lane is _dt.float64 or lane is _dt.float32:
            t = Tensor._make(data if lane is _dt.float64 else np.float32(data))
            if name is not None:
                t._set_name(name)
            if requires_grad:
                t.requires_grad_(True)
            return t
    _check_device(device)
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.clone().detach() "
                      "rather than symgrad.tensor(sourceTensor).", UserWarning, stacklevel=2)
    d = None if dtype is None else _dt.as_dtype(dtype)
    t = Tensor._make(_to_array(data, d))
    if name is not None:
        t._set_name(name)
    if requires_grad:
        t.requires_grad_(True)
    return t


def scalar_tensor(s: Any, dtype: Any = None) -> Tensor:
    """A 0-d tensor."""
    return tensor(float(s) if dtype is None else s, dtype=dtype)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a tensor, sharing memory when it already is one (or a
    NumPy array of the right dtype).

    >>> import symgrad
    >>> symgrad.as_tensor([1, 2])
    tensor([1, 2])
    """
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    _check_device(device)
    d = None if dtype is None else _dt.as_dtype(dtype)
    if isinstance(data, np.ndarray) and (d is None or data.dtype == d.numpy):
        _dt.from_numpy_dtype(data.dtype)
        return Tensor._make(data)
    return Tensor._make(_to_array(data, d))


asarray = as_tensor


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with a NumPy array (dtype kept).

    >>> import numpy as np, symgrad
    >>> a = np.array([1., 2.], dtype=np.float32)
    >>> t = symgrad.from_numpy(a)
    >>> a[0] = 5
    >>> t
    tensor([5., 2.], dtype=symgrad.float32)
    """
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dt.from_numpy_dtype(ndarray.dtype)
    return Tensor._make(ndarray)


def _check_device(device: Any) -> None:
    if device is not None:
        from symgrad.device import device as _device

        _device(device)


def _like(input: Any, fn: str) -> Tensor:
    """The tensor a ``*_like`` function copies the shape (and dtype) of."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'input' must be a Tensor, not {type(input).__name__}")
    return input


def _fill_value(value: Any, fn: str) -> Any:
    if isinstance(value, Tensor) and value.numel() == 1:
        return value.item()
    if not isinstance(value, (int, float, bool, np.integer, np.floating, np.bool_)):
        raise TypeError(f"{fn}(): fill_value must be a real number, not {type(value).__name__}")
    return value


def _integer(value: Any, fn: str, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{fn}(): {what} must be an int, not {type(value).__name__}")
    return int(value)


def _factory(shape: tuple[int, ...], dtype: Any, fill: Any, requires_grad: bool) -> Tensor:
    d = _dt.get_default_dtype() if dtype is None else _dt.as_dtype(dtype)
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(shape)}")
    arr = np.full(shape, fill, dtype=d.numpy)
    t = Tensor._make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _triangle_indices(fn: str, row: Any, col: Any, offset: Any, dtype: Any, lower: bool) -> Tensor:
    row, col, offset = _integer(row, fn, "row"), _integer(col, fn, "col"), _integer(offset, fn, "offset")
    for name, n in (("row", row), ("col", col)):
        if n < 0:
            raise RuntimeError(f"{name} must be non-negative, got {n}")
    d = _dt.as_dtype(dtype)
    if d.numpy.kind not in "iu":
        raise NotImplementedError(f"\"{fn}\" not implemented for '{d.name}'; pass an integer dtype such as "
                                  "symgrad.long")
    # (np.triu_indices keeps the elements at and above the diagonal `offset`)
    rows, cols = np.tril_indices(row, offset, col) if lower else np.triu_indices(row, offset, col)
    return Tensor._make(np.stack([rows, cols]).astype(d.numpy))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = _dt.int64, device: Any = None) -> Tensor:
    """The coordinates of a ``row x col`` matrix's lower triangle (on and below
    diagonal ``offset``), row by row: a ``2 x N`` integer tensor.

    >>> import symgrad
    >>> symgrad.tril_indices(3, 3)
    tensor([[0, 1, 1, 2, 2, 2],
            [0, 0, 1, 0, 1, 2]])
    """
    _check_device(device)
    return _triangle_indices("tril_indices", row, col, offset, dtype, lower=True)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = _dt.int64, device: Any = None) -> Tensor:
    """The coordinates of a ``row x col`` matrix's upper triangle (on and above
    diagonal ``offset``), row by row: a ``2 x N`` integer tensor.

    >>> import symgrad
    >>> symgrad.triu_indices(2, 3, 1)
    tensor([[0, 0, 1],
            [1, 2, 2]])
    """
    _check_device(device)
    return _triangle_indices("triu_indices", row, col, offset, dtype, lower=False)


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros.

    >>> import symgrad
    >>> symgrad.zeros(2)
    tensor([0., 0.])
    """
    _check_device(device)
    return _factory(norm_shape(size), dtype, 0, requires_grad)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones.

    >>> import symgrad
    >>> symgrad.ones(2, 2)
    tensor([[1., 1.],
            [1., 1.]])
    """
    _check_device(device)
    return _factory(norm_shape(size), dtype, 1, requires_grad)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor whose values are to be overwritten (zeros in symgrad)."""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(size: Sequence[int], fill_value: Any, *, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor filled with ``fill_value`` (its dtype inferred from the value).

    >>> import symgrad
    >>> symgrad.full((2,), 7)
    tensor([7, 7])
    """
    _check_device(device)
    fill_value = _fill_value(fill_value, "full")
    if dtype is None:
        dtype = _dt.scalar_dtype(fill_value)
    return _factory(norm_shape((size,)), dtype, fill_value, requires_grad)


def eye(n: int, m: int | None = None, *, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    """The identity matrix (``n`` x ``m``).

    >>> import symgrad
    >>> symgrad.eye(2)
    tensor([[1., 0.],
            [0., 1.]])
    """
    _check_device(device)
    d = _dt.get_default_dtype() if dtype is None else _dt.as_dtype(dtype)
    t = Tensor._make(np.eye(n, n if m is None else m, dtype=d.numpy))
    return t.requires_grad_(True) if requires_grad else t


def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``; integer unless a
    float is given.

    >>> import symgrad
    >>> symgrad.arange(3)
    tensor([0, 1, 2])
    >>> symgrad.arange(0, 1, 0.25)
    tensor([0.0000, 0.2500, 0.5000, 0.7500])
    """
    _check_device(device)
    for v in (start, end, step):
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating))):
            raise TypeError(f"arange(): start, end and step must be real numbers, not {type(v).__name__}")
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        dtype = _dt.result_type(start, end, step) if any(isinstance(v, float) for v in (start, end, step)) \
            else _dt.int64
    d = _dt.as_dtype(dtype)
    t = Tensor._make(np.arange(start, end, step).astype(d.numpy))
    return t.requires_grad_(True) if requires_grad else t


def linspace(start: float, end: float, steps: int, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive.

    >>> import symgrad
    >>> symgrad.linspace(0, 1, 3)
    tensor([0.0000, 0.5000, 1.0000])
    """
    _check_device(device)
    d = _dt.get_default_dtype() if dtype is None else _dt.as_dtype(dtype)
    t = Tensor._make(np.linspace(start, end, steps, dtype=d.numpy))
    return t.requires_grad_(True) if requires_grad else t


def logspace(start: float, end: float, steps: int, base: float = 10.0, *, dtype: Any = None) -> Tensor:
    """``base ** linspace(start, end, steps)``."""
    d = _dt.get_default_dtype() if dtype is None else _dt.as_dtype(dtype)
    return Tensor._make(np.logspace(start, end, steps, base=base, dtype=d.numpy))


def zeros_like(input: Any, *, dtype: Any = None, requires_grad: bool = False) -> Any:
    """Zeros shaped like ``input`` (also for a NumPy array, as derivative rules
    use it in the numeric pass).

    >>> import symgrad
    >>> symgrad.zeros_like(symgrad.tensor([1., 2.]))
    tensor([0., 0.])
    """
    if isinstance(input, (np.ndarray, np.generic)):
        return np.zeros_like(input)
    t = _like(input, "zeros_like")
    return _factory(tuple(t.shape), t.dtype if dtype is None else dtype, 0, requires_grad)


def ones_like(input: Any, *, dtype: Any = None, requires_grad: bool = False) -> Any:
    """Ones shaped like ``input``."""
    if isinstance(input, (np.ndarray, np.generic)):
        return np.ones_like(input)
    t = _like(input, "ones_like")
    return _factory(tuple(t.shape), t.dtype if dtype is None else dtype, 1, requires_grad)


def empty_like(input: Any, *, dtype: Any = None, requires_grad: bool = False) -> Any:
    """A tensor shaped like ``input`` (zeros in symgrad)."""
    return zeros_like(input, dtype=dtype, requires_grad=requires_grad)


def full_like(input: Any, fill_value: Any, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """``fill_value`` everywhere, shaped like ``input``."""
    t, fill_value = _like(input, "full_like"), _fill_value(fill_value, "full_like")
    return _factory(tuple(t.shape), t.dtype if dtype is None else dtype, fill_value, requires_grad)


# ---------------------------------------------------------------- random numbers

# The generator is made on first use: importing numpy.random is an eighth of
# `import symgrad`'s time (12 ms of 90), and many sessions never draw a number.
_rng: list[Any] = []
_seed = [0]


def manual_seed(seed: int) -> Any:
    """Seed symgrad's random numbers (``rand``, ``randn``, ``nn`` initialisation).

    >>> import symgrad
    >>> _ = symgrad.manual_seed(0)
    >>> a = symgrad.rand(2)
    >>> _ = symgrad.manual_seed(0)
    >>> bool((symgrad.rand(2) == a).all())
    True
    """
    if not isinstance(seed, (int, np.integer)):
        raise TypeError(f"manual_seed expected an int, got {type(seed).__name__}")
    _seed[0] = int(seed)
    _rng[:] = [np.random.default_rng(int(seed))]
    return _rng[0]


def seed() -> int:
    """Seed from fresh entropy; returns the seed."""
    entropy: Any = np.random.SeedSequence().entropy
    s = int(entropy or 0) % (2**63)
    manual_seed(s)
    return s


def initial_seed() -> int:
    return _seed[0]


def generator() -> np.random.Generator:
    """The NumPy generator behind symgrad's random functions."""
    if not _rng:
        _rng.append(np.random.default_rng(_seed[0]))
    return _rng[0]


def _random_dtype(dtype: Any, fn: str) -> _dt.dtype:
    """The dtype of uniform or normal random numbers: a floating one (cast to
    an integer dtype, rand's numbers in [0, 1) would all be 0; PyTorch refuses)."""
    d = _dt.get_default_dtype() if dtype is None else _dt.as_dtype(dtype)
    if not d.is_floating_point:
        raise NotImplementedError(f"{fn}() draws floating-point numbers, not {d}: pass a floating dtype, "
                                  "or use symgrad.randint for random integers")
    return d


def _random(values: np.ndarray, d: _dt.dtype, requires_grad: bool) -> Tensor:
    t = Tensor._make(values.astype(d.numpy))
    return t.requires_grad_(True) if requires_grad else t


def rand(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform random numbers in [0, 1)."""
    _check_device(device)
    d = _random_dtype(dtype, "rand")
    return _random(generator().random(norm_shape(size)), d, requires_grad)


def randn(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal random numbers."""
    _check_device(device)
    d = _random_dtype(dtype, "randn")
    return _random(generator().standard_normal(norm_shape(size)), d, requires_grad)


def normal(mean: float, std: float, size: Sequence[int], *, dtype: Any = None) -> Tensor:
    """Normal random numbers with the given mean and standard deviation."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"normal(): size must be a tuple of ints, not {type(size).__name__}")
    d = _random_dtype(dtype, "normal")
    return _random(generator().normal(mean, std, norm_shape((size,))), d, False)


def randint(low: int, high: Any = None, size: Sequence[int] = (), *, dtype: Any = None) -> Tensor:
    """Random integers in [low, high); ``randint(high, size)`` as in PyTorch.

    >>> import symgrad
    >>> symgrad.randint(3, (4,)).shape
    symgrad.Size([4])
    """
    if isinstance(high, (tuple, list)):
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    low, high = _integer(low, "randint", "low"), _integer(high, "randint", "high")
    d = _dt.int64 if dtype is None else _dt.as_dtype(dtype)
    return Tensor._make(generator().integers(low, high, norm_shape((size,))).astype(d.numpy))


def rand_like(input: Any, *, dtype: Any = None) -> Tensor:
    t = _like(input, "rand_like")
    return rand(*t.shape, dtype=t.dtype if dtype is None else dtype)


def randn_like(input: Any, *, dtype: Any = None) -> Tensor:
    t = _like(input, "randn_like")
    return randn(*t.shape, dtype=t.dtype if dtype is None else dtype)


def randint_like(input: Any, low: int, high: int | None = None) -> Tensor:
    return randint(low, high, tuple(_like(input, "randint_like").shape))


def randperm(n: int, *, dtype: Any = None) -> Tensor:
    """A random permutation of 0..n-1."""
    n = _integer(n, "randperm", "n")
    d = _dt.int64 if dtype is None else _dt.as_dtype(dtype)
    return Tensor._make(generator().permutation(n).astype(d.numpy))
