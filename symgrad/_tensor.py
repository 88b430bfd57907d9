"""``Tensor``: a NumPy value and a symbolic term, with PyTorch's autograd API.

The class is thin: arithmetic and math methods forward to the op functions in
``symgrad.ops`` (``tensor_ops.TensorOps``); in-place methods go through ``dispatch.inplace``;
graph recording lives in ``dispatch`` and ``autograd``.

Memory sharing follows PyTorch: views (``view``, ``transpose``, basic
slicing...) and aliases (``.data``, ``.detach()``) share the base's NumPy
memory.  Their symbolic term is derived from the base's current term, so an
in-place change seen through one of them is seen symbolically by all.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from symgrad import dtypes as _dt
from symgrad.autograd.graph import Node
from symgrad.symbolic import reads as _reads
from symgrad.symbolic.terms import Apply, Const, Leaf, Term
from symgrad.tensor_ops import TensorOps

__all__ = ["Tensor", "Size", "term_of", "values_of"]

class Size(tuple):  # type: ignore[type-arg]
    """The shape of a tensor; a tuple that prints like PyTorch's ``torch.Size``.

    >>> import symgrad
    >>> symgrad.zeros(2, 3).shape
    symgrad.Size([2, 3])
    """

    def __repr__(self) -> str:
        return f"symgrad.Size({list(self)})"

    # Slices, sums and repeats of a Size are Sizes, as torch.Size's are
    # (``x.shape[1:]``, ``x.shape + (1,)``).
    def __getitem__(self, key: Any) -> Any:
        item = tuple.__getitem__(self, key)
        return Size(item) if isinstance(key, slice) else item

    def __add__(self, other: Any) -> Size:
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(self, other))

    def __radd__(self, other: Any) -> Size:
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))

    def __mul__(self, n: Any) -> Size:
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n


class _ArrayOfScalar:
    """``Tensor._value`` of a result of the scalar lane (``symgrad.scalar_lane``):
    the array is made from its float on first use, and from then on the tensor
    is an ordinary one (its float is dropped, so an in-place change of the
    array can never leave a stale float behind).

    A non-data descriptor: a tensor's own ``_value`` (every other tensor's)
    is found first, at no cost; not ``__getattr__``, which would make every
    attribute of every tensor slower to read (CPython then gives up its
    specialised attribute loads for the class: measured, 3x slower ops)."""

    def __get__(self, t: Any, owner: Any = None) -> Any:
        if t is None:
            return self
        s = t._scalar
        if s is None:
            raise AttributeError(f"'{type(t).__name__}' object has no attribute '_value'")
        v = t._value = np.array(s)
        t._scalar = None
        return v


class Tensor(TensorOps):
    """An n-dimensional array with a numeric view (``.data``, NumPy) and a
    symbolic view (``.expr``, SymPy), recorded for reverse-mode autograd.

    >>> import symgrad
    >>> x = symgrad.tensor(2., requires_grad=True)
    >>> y = symgrad.tensor(3., requires_grad=True)
    >>> z = x * x * y
    >>> z
    tensor(12., grad_fn=<MulBackward0>)
    >>> z.expr
    x**2*y
    >>> z.backward()
    >>> x.grad, x.grad.expr
    (tensor(12.), 2*x*y)
    """

    # No __slots__: most tensors never set most of these, and class-level
    # defaults let creation write only what differs (measured: it is the hot path).
    __array_priority__ = 1000  # NumPy defers to Tensor's reflected operators

    _value: np.ndarray = _ArrayOfScalar()  # type: ignore[assignment]  # the numeric view (see _ArrayOfScalar)
    _scalar: Any = None                              # a 0-d value the scalar lane made (float, np.float32)
    _content: Term | None = None                     # symbolic term; None for a plain constant
    _base: Tensor | None = None                      # memory owner, for views and aliases
    _view: tuple[Any, ...] | None = None             # (op, params) steps from _base to this tensor
    _view_src: Term | None = None                    # the base term this view's term was derived from
    _viewed: bool = False                            # a base whose views were made (dispatch.inplace_view)
    _grad_src: Any = False                           # a view's: its base's grad_fn when its own was made (sync_view)
    _ver: int = 0                                    # version counter (see _vroot)
    _vroot: Tensor | None = None                     # who owns the version counter: views and detach() share
    _requires_grad: bool = False
    _grad_fn: Node | None = None
    _grad: Tensor | None = None
    _retains_grad: bool = False
    _hooks: list[Any] | None = None
    _post_acc_hooks: list[Any] | None = None         # register_post_accumulate_grad_hook's (leaves only)
    _grad_acc: Any = None                            # this leaf's AccumulateGrad (made on first use)
    _name: str | None = None
    _accum: int = 0                                  # gradients accumulated into this tensor (as a .grad)
    _grad_origin: Any = None                         # as a .grad: which backward() made it (autograd.origin)

    # ------------------------------------------------------------ creation

    def __init__(self, data: Any = (), *, dtype: Any = None, requires_grad: bool = False,
                 name: str | None = None) -> None:
        from symgrad.creation import _to_array

        d = _dt.as_dtype(dtype) if dtype is not None else _dt.get_default_dtype()
        self._value = _to_array(data, d)
        if name is not None:
            self._set_name(name)
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, value: np.ndarray | float, content: Term | None = None) -> Tensor:
        """A tensor of ``value`` (an array; a Python float is a 0-d float64
        on the scalar lane: a node's saved result there) and ``content``."""
        t = cls.__new__(cls)
        t._vroot = t._base = t._grad_fn = None  # (read by every version check and op: an instance's own is read
        t._ver = 0                                # at once, a class default is not: measured)
        if value.__class__ is float or value.__class__ is np.float32:
            t._scalar = value
        else:
            t._value = value  # type: ignore[assignment]
        if content is not None:
            t._content = content
        return t

    # ------------------------------------------------------------ numeric view

    @property
    def data(self) -> Tensor:
        """A tensor sharing this one's memory, outside the graph (no version sharing)."""
        return _alias(self, share_version=False)

    @data.setter
    def data(self, new: Tensor) -> None:
        if not isinstance(new, Tensor):
            raise TypeError(f"tensor.data must be set to a Tensor, got {type(new).__name__}")
        if new._value.shape != self._value.shape and self._base is not None:
            raise RuntimeError("cannot replace the data of a view with data of another shape")
        if self._requires_grad and new._value.dtype.kind not in "fc":
            raise RuntimeError("data set to a tensor that requires gradients must be floating point or complex "
                               f"dtype (got {new.dtype}); convert it first (.double())")
        self._before_write()
        self._value = new._value
        self._scalar = None
        if not isinstance(self._content, Leaf):
            self._set_term(term_of(new))

    @property
    def shape(self) -> Size:
        return Size(self._value.shape)

    @property
    def ndim(self) -> int:
        return self._value.ndim

    @property
    def dtype(self) -> _dt.dtype:
        return _dt.from_numpy_dtype(self._value.dtype)

    @property
    def device(self) -> Any:
        from symgrad.device import CPU

        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def is_floating_point_type(self) -> bool:
        return self._value.dtype.kind == "f"

    def is_floating_point(self) -> bool:
        return self._value.dtype.kind == "f"

    def is_complex(self) -> bool:
        return False  # (symgrad has no complex dtypes)

    def is_nonzero(self) -> bool:
        """The one element as a bool, as ``bool(t)`` (PyTorch's errors for other sizes)."""
        if self._value.size != 1:
            which = "no values" if self._value.size == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {which} is ambiguous")
        self._read("is_nonzero()")
        return bool(self._value.reshape(()).item())

    def size(self, dim: int | None = None) -> Any:
        """The shape, or its length along ``dim``."""
        if dim is None:
            return Size(self._value.shape)
        return self._value.shape[_dim(dim, self.ndim)]

    def dim(self) -> int:
        return self._value.ndim

    ndimension = dim

    def is_same_size(self, other: Tensor) -> bool:
        return self._value.shape == other._value.shape

    def is_signed(self) -> bool:
        return self._value.dtype.kind in "fi"

    @property
    def is_cpu(self) -> bool:
        return True  # (symgrad's one device)

    @property
    def itemsize(self) -> int:
        return int(self._value.itemsize)

    @property
    def nbytes(self) -> int:
        return int(self._value.nbytes)

    def numel(self) -> int:
        return int(self._value.size)

    nelement = numel

    def element_size(self) -> int:
        return int(self._value.itemsize)

    def __len__(self) -> int:
        if self._value.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return int(self._value.shape[0])

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self._value.size != 1:
            raise RuntimeError(f"a Tensor with {self._value.size} elements cannot be converted to Scalar; "
                               "use .tolist() or index a single element first")
        self._read("item()")
        return self._value.reshape(()).item()

    def tolist(self) -> Any:
        self._read("tolist()")
        return self._value.tolist()

    def _read(self, what: str) -> None:
        """A value is leaving the graph for Python (``symbolic/reads.py``:
        refused while code generation traces a function, decisions remembered)."""
        c = self._content if self._base is None else term_of(self)
        if c is not None and not c.const:
            _reads.value_read(c, what)

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The NumPy array (shared memory), as ``torch.Tensor.numpy``."""
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        self._read("numpy()")
        return self._value

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        # np.asarray(t), np.exp(t): NumPy would compute on the numbers alone and drop
        # the graph, so a tensor that requires grad refuses, as PyTorch's does.
        v = self.numpy()
        return v if dtype is None else v.astype(dtype)

    def __array_wrap__(self, array: np.ndarray, context: Any = None, return_scalar: bool = False) -> Any:
        # The result of a NumPy function of tensors (np.exp(t)) is a tensor, as in
        # PyTorch; reductions to a scalar stay NumPy scalars.
        if return_scalar:
            return array[()]
        return Tensor._make(array)

    def __float__(self) -> float:
        return float(self._single_element("float()"))

    def __int__(self) -> int:
        return int(self._single_element("int()"))

    def _single_element(self, what: str) -> Any:
        # float(t), int(t), complex(t): PyTorch's ValueError, which code converting
        # numbers catches (t.item() raises RuntimeError, as PyTorch's does)
        if self._value.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars; "
                             "use .tolist() or index a single element first")
        self._read(what)
        return self._value.reshape(()).item()

    def __index__(self) -> int:
        if self._value.dtype.kind not in "iub" or self._value.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        self._read("an index")
        return int(self._value.reshape(()).item())

    def __bool__(self) -> bool:
        if self._value.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with {self._value.size} values is ambiguous; "
                               "use .any() or .all()")
        self._read("bool()")
        return bool(self._value.reshape(()).item())

    def __iter__(self) -> Iterator[Tensor]:
        if self._value.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._value.shape[0]))

    def __hash__(self) -> int:
        return id(self)

    def __reduce_ex__(self, protocol: Any) -> Any:
        base = self._base
        if base is not None and self._view is not None and np.may_share_memory(self._value, base._value):
            # A view is saved as its base (pickled once, however many views name it) and the view ops
            # from it, so that it loads as a view of the loaded base: memory stays shared, as in PyTorch.
            steps = tuple((op.name, params) for op, params in self._view)
            return (_rebuild_view, (base, steps, self._requires_grad, self._name))
        return (_rebuild, (self._value.copy(), self._requires_grad, self._name))

    # ------------------------------------------------------------ symbolic view

    @property
    def expr(self) -> Any:
        """The closed form: a SymPy expression (0-d) or ``sympy.Array`` in the leaves.

        Built on first access and memoized; raises ``ExpressionTooLargeError``
        (naming ``compact()``) when too deep or large for SymPy.
        """
        from symgrad.symbolic import evaluate

        return evaluate.expr(_term_or_const(self))

    @property
    def symbol(self) -> Any:
        """This leaf's SymPy symbol (or array of symbols); an error for non-leaves."""
        c = term_of(self)
        if not isinstance(c, Leaf):
            raise RuntimeError("only symbolic leaves (tensors that require grad, or were given a "
                               "name=) have a symbol; use .expr for the closed form of other tensors")
        return self.expr

    @property
    def name(self) -> str | None:
        """The leaf's symbol name (None for non-symbolic tensors until named)."""
        c = term_of(self)
        if isinstance(c, Leaf):
            if c.name is None:
                from symgrad.symbolic import naming

                naming.assign_names([c])
            return c.name
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self._set_name(value)

    def _set_name(self, name: str) -> None:
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"a tensor name must be a non-empty string, got {name!r}")
        if not self.is_leaf:
            raise RuntimeError("only leaf tensors can be named; name the inputs of the computation")
        self._name = name
        c = term_of(self)
        if isinstance(c, Leaf):
            c.name = name
        else:
            self._set_term(Leaf(self, () if self._scalar is not None else tuple(self._value.shape), name))

    def compact(self) -> Any:
        """The closed form with shared subexpressions as named temporaries."""
        from symgrad.symbolic.compact import compact

        return compact(_term_or_const(self))

    # ------------------------------------------------------------ autograd state

    @property
    def requires_grad(self) -> bool:
        if self._base is not None:
            sync_view(self)
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Make this leaf require grad (a symbol from now on); returns self."""
        if not isinstance(requires_grad, bool):
            raise TypeError(f"requires_grad_ expects a bool, got {type(requires_grad).__name__}")
        if self._grad_fn is not None:
            if requires_grad:
                return self
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want to "
                               "use a computed variable in a subgraph that doesn't require differentiation "
                               "use var_no_grad = var.detach().")
        if requires_grad and self._scalar is None and self._value.dtype.kind not in "fc":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients "
                               f"(this one is {self.dtype}); create it with dtype=symgrad.float64 or "
                               "call .double() first")
        self._requires_grad = requires_grad
        if requires_grad and not isinstance(self._content if self._base is None else term_of(self), Leaf):
            # A new variable: it stops following its base symbolically (the
            # memory stays shared, as in PyTorch's x.detach().requires_grad_()).
            self._base = self._view = self._view_src = None
            self._content = Leaf(self, () if self._scalar is not None else tuple(self._value.shape), self._name)
        return self

    @property
    def is_leaf(self) -> bool:
        if self._base is not None:
            sync_view(self)
        return self._grad_fn is None

    @property
    def grad_fn(self) -> Node | None:
        if self._base is not None:
            sync_view(self)
        return self._grad_fn

    @property
    def grad(self) -> Tensor | None:
        if self._grad_fn is not None and not self._retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
                "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
                "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
                "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
                "instead.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, new: Tensor | None) -> None:
        if new is not None:
            if not isinstance(new, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(new).__name__}")
            if new._value.shape != self._value.shape:
                raise RuntimeError(f"assigned grad has data of a different size: expected "
                                   f"{list(self._value.shape)}, got {list(new._value.shape)}")
            if new._value.dtype != self._value.dtype:
                raise RuntimeError(f"assigned grad has data of a different type: expected {self.dtype}, "
                                   f"got {new.dtype}")
        self._grad = new
        self._accum = 0

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor during backward."""
        if self._grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        self._retains_grad = True
        self._grad_fn.retain = _weak(self)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> Any:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned
        tensor replaces the gradient.  Returns a handle with ``.remove()``."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if not callable(hook):
            raise TypeError(f"hook must be callable, got {type(hook).__name__}")
        if self._grad_fn is not None:
            node = self._grad_fn
            if node.pre_hooks is None:
                node.pre_hooks = []
            hooks = node.pre_hooks
        else:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        hooks.append(hook)
        return _HookHandle(hooks, hook)

    def register_post_accumulate_grad_hook(self, hook: Callable[[Tensor], None]) -> Any:
        """Call ``hook(tensor)`` after ``backward()`` has accumulated this
        leaf's ``.grad`` (not for ``autograd.grad``, which leaves ``.grad``
        alone); the hook returns None.  An optimizer step per parameter, as
        soon as its gradient is ready, is the usual use.  Returns a handle with
        ``.remove()``.

        >>> import symgrad
        >>> w = symgrad.tensor([1., 2.], requires_grad=True)
        >>> def sgd_step(p):
        ...     with symgrad.no_grad():
        ...         p -= 0.1 * p.grad
        ...     p.grad = None
        >>> handle = w.register_post_accumulate_grad_hook(sgd_step)
        >>> (w * w).sum().backward()
        >>> w, w.grad
        (tensor([0.8000, 1.6000], requires_grad=True), None)
        """
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if not callable(hook):
            raise TypeError(f"hook must be callable, got {type(hook).__name__}")
        if self._post_acc_hooks is None:
            self._post_acc_hooks = []
        self._post_acc_hooks.append(hook)
        return _HookHandle(self._post_acc_hooks, hook)

    def is_inference(self) -> bool:
        """False: symgrad has no inference tensors (a tensor made under
        ``inference_mode()`` is an ordinary one, usable in autograd later).

        >>> import symgrad
        >>> with symgrad.inference_mode():
        ...     symgrad.ones(2).is_inference()
        False
        """
        return False

    def backward(self, gradient: Any = None, retain_graph: bool | None = None, create_graph: bool = False,
                 inputs: Any = None) -> None:
        """Accumulate d(self)/d(leaf) into each leaf's ``.grad`` (see ``symgrad.autograd.backward``)."""
        _engine_backward()(self, None if gradient is None else [gradient], retain_graph, create_graph, inputs)

    def detach(self) -> Tensor:
        """A tensor sharing memory and version counter, outside the graph."""
        return _alias(self, share_version=True)

    def detach_(self) -> Tensor:
        """Detach in place: this tensor becomes a leaf that does not require grad."""
        if self._base is not None and self._grad_fn is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._content = term_of(self)
        self._grad_fn = None
        self._requires_grad = False
        return self

    @property
    def _version(self) -> int:
        return (self._vroot if self._vroot is not None else self)._ver

    def _bump_version(self) -> None:
        owner = self._vroot if self._vroot is not None else self
        owner._ver += 1

    # ------------------------------------------------------------ printing

    def __repr__(self) -> str:
        from symgrad.printing import tensor_repr

        return tensor_repr(self)

    def __str__(self) -> str:
        return self.__repr__()

    def __format__(self, spec: str) -> str:
        if self._value.ndim == 0 and spec:  # (showing a value is not reading it: not a reads.py read)
            return format(self._value.item(), spec)
        return self.__repr__()

    def _repr_latex_(self) -> str | None:
        try:
            from symgrad.display import latex_repr
        except ImportError:  # pragma: no cover - display layer not installed
            return None
        return latex_repr(self)

    # ------------------------------------------------------------ internals

    def _set_term(self, term: Term | None) -> None:
        """Give this tensor a new term after an in-place change (its memory is
        already written), keeping its base and other views consistent."""
        if term is not None and term.const:
            term = None
        base = self._base
        if base is None:
            self._content = term
            return
        base_term = base._content
        if term is None and (base_term is None or base_term.const):
            base._content = None  # still all numbers
            self._content = self._view_src = None
            return
        if base_term is None or base_term.const:
            base_term = Const(base._value.copy())
        new = term if term is not None else Const(self._value.copy())
        base._content = (_scatter_view_term or _dispatch_scatter())(base_term, self._view or (), new)
        self._content = new
        self._view_src = base._content

    def _before_write(self) -> None:
        """Freeze constants that still read this memory, before it changes."""
        for t in (self, self._base):
            if t is not None and isinstance(t._content, Const):
                t._content.freeze()


_scatter_view_term: Any = None  # dispatch.scatter_view_term, bound on first use (dispatch imports this module)


def _dispatch_scatter() -> Any:
    global _scatter_view_term
    from symgrad.dispatch import scatter_view_term

    _scatter_view_term = scatter_view_term
    return scatter_view_term


@functools.cache
def _engine_backward() -> Any:
    """``symgrad.autograd.engine.backward``, imported once (the engine imports this module)."""
    from symgrad.autograd.engine import backward

    return backward


def values_of(x: Any) -> np.ndarray:
    """The numbers of a tensor (whether or not it requires grad) or array-like.
    For symgrad's own code, which reads values it does not differentiate;
    ``np.asarray`` refuses tensors that require grad (``Tensor.__array__``)."""
    return x._value if isinstance(x, Tensor) else np.asarray(x)


def sync_view(t: Tensor) -> None:
    """A view's history follows its base's: when the base got a new history
    by an in-place op since the view's was made (``a[1:]`` of a constant, then
    ``a.add_(x)``), the view ops are replayed on the base, as PyTorch
    regenerates a view's grad_fn.  (Its term follows through ``term_of``; that
    marker is separate, so reading ``.expr`` does not hide the change.)"""
    src = t._grad_src
    if src is not False and t._base is not None and src is not t._base._grad_fn:
        from symgrad.dispatch import _refresh_view

        _refresh_view(t)


def term_of(t: Tensor) -> Term | None:
    """The tensor's current term; None for a plain constant."""
    base = t._base
    if base is None:
        return t._content
    src = base._content
    if src is t._view_src:
        return t._content
    # The base changed in place since this view's term was made: derive anew.
    if src is None or src.const:
        c: Term | None = None
    else:
        c = src
        for op, params in t._view or ():
            c = Apply(op, (c,), params)
    t._content = c
    t._view_src = src
    return c


def _term_or_const(t: Tensor) -> Term:
    """A term for any tensor; constants get a Const cached on the tensor (frozen
    if the tensor is later modified in place)."""
    c = term_of(t)
    if c is not None:
        return c
    base = t._base
    if base is None:
        c = Const(t._value)
        t._content = c
        return c
    c = _term_or_const(base)
    for op, params in t._view or ():
        c = Apply(op, (c,), params)
    return c


def _alias(t: Tensor, share_version: bool) -> Tensor:
    root = t._base if t._base is not None else t
    a = Tensor._make(t._value)
    a._base = root
    root._viewed = True
    a._view = t._view if t._base is not None else ()
    a._content = term_of(t)
    a._view_src = root._content
    if share_version:
        a._vroot = t._vroot if t._vroot is not None else t
    return a


def _rebuild(value: np.ndarray, requires_grad: bool, name: str | None) -> Tensor:
    t = Tensor._make(value)
    if name is not None:
        t._set_name(name)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_view(base: Tensor, steps: tuple[tuple[str, dict[str, Any]], ...], requires_grad: bool,
                  name: str | None) -> Tensor:
    """A saved view, made again from its loaded base by its view ops (in the
    graph if it was: ``w[:2]`` of a ``w`` that requires grad).  Files are
    data: only view ops of the op table are replayed."""
    import pickle

    from symgrad import grad_mode
    from symgrad.dispatch import apply
    from symgrad.ops.registry import TABLE

    if not isinstance(base, Tensor) or not isinstance(steps, tuple):
        raise pickle.UnpicklingError("a saved view names no tensor as its base; the file is damaged")
    t = base
    with grad_mode.set_grad_enabled(requires_grad):
        for op_name, params in steps:
            op = TABLE.get(op_name) if isinstance(op_name, str) else None
            if op is None or not op.view or not isinstance(params, dict):
                raise pickle.UnpicklingError(f"a saved view names {op_name!r}, which is not a view op; the file is "
                                             "damaged or was not written by symgrad.save")
            t = apply(op, t, **params)
        t = _alias(t, share_version=True) if t is base else t
    if requires_grad and not t._requires_grad:
        t.requires_grad_(True)
    if name is not None:
        t._set_name(name)
    return t


def _weak(t: Tensor) -> Any:
    import weakref

    return weakref.ref(t)


def _dim(dim: int, ndim: int) -> int:
    if not isinstance(dim, (int, np.integer)):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return int(dim) % n


class _HookHandle:
    __slots__ = ("_hooks", "_hook")

    def __init__(self, hooks: list[Any], hook: Any) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)

