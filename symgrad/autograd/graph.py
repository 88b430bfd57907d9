"""Autograd graph nodes.

A recorded op's ``Node`` *is* its symbolic term (``Node`` subclasses
``symbolic.terms.Apply``): one object per op serves both views.  Each op gets
its own subclass named like PyTorch's (``MulBackward0``).  Leaves that require
grad are reached through an ``AccumulateGrad`` node, as in PyTorch.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable
from typing import Any

from symgrad.symbolic.terms import Apply


class _Freed:
    """Marks saved values released after a backward pass without retain_graph."""

    def __repr__(self) -> str:
        return "<freed>"


FREED: Any = _Freed()


class Node(Apply):
    """A recorded op: its inputs' terms (``args``), edges to the inputs' nodes,
    and the values its derivative rule needs."""

    __slots__ = ("edges", "saved", "versions", "meta", "out_value", "out_ref", "pre_hooks", "retain", "seq")
    edges: tuple[Any, ...]      # per input: the input's node (or AccumulateGrad), None if it needs no grad
    saved: Any                  # per input: the tensor if a rule that will run reads it (its shape alone: a
                                # dispatch._ShapeOf), else None; FREED after backward
    versions: tuple[int, ...]   # version counters of the saved tensors when the op ran
    meta: tuple[Any, ...]       # per input needing grad: (shape, NumPy dtype) to fit its gradient to
    out_value: Any              # the result's array, if a rule reads ``out``
    out_ref: Any                # (weakref to the result, its version) when out_value is saved
    pre_hooks: list[Any] | None
    retain: Any                 # weakref to a tensor that called retain_grad()
    seq: int                    # when it was made (next_seq()): a node's inputs' nodes are older, so
                                # decreasing seq is a topological order (PyTorch's sequence_nr)

    def name(self) -> str:
        """PyTorch's name for this node: its class's, or, for an op PyTorch
        names by its arguments (``x[0]``: ``SelectBackward0``, ``x[1:]``:
        ``SliceBackward0``), the op's ``backward_names`` of it, worked out
        here, when asked, not when the op was recorded."""
        cls = type(self)
        names = getattr(self.op, "backward_names", None)
        if names is None or cls is not self.op.node_class:
            return cls.__name__
        return names(self)  # type: ignore[no-any-return]

    def saved_terms(self) -> tuple[Any, ...]:
        """The terms of what ``saved`` holds, position by position, for the
        replay that makes closed forms: the inputs' terms (a custom Function
        saves tensors of its own choosing, and overrides this)."""
        return self.args

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        return tuple((e, 0) for e in self.edges)

    def register_hook(self, hook: Callable[..., Any]) -> Any:
        raise NotImplementedError("grad_fn hooks are not supported; register a hook on the tensor "
                                  "with tensor.register_hook(fn)")

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self):#x}>"


# The creation number of the next node: every place that makes a Node sets ``node.seq = next_seq()``.
next_seq = itertools.count().__next__


class AccumulateGrad:
    """Sink of gradients for one leaf tensor.

    The leaf holds its AccumulateGrad and the node holds the leaf weakly, so
    the node is made once per leaf (not once per graph) and no reference
    cycle keeps a leaf alive; a gradient for a leaf nobody holds any more is
    simply dropped.
    """

    __slots__ = ("_variable", "__weakref__")
    next_functions: tuple[tuple[Any, int], ...] = ()
    seq = -1  # made once per leaf, reached last: after every node that sends it a gradient

    def __init__(self, variable: Any) -> None:
        self._variable = weakref.ref(variable)

    @property
    def variable(self) -> Any:
        return self._variable()

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


class GradSlots:
    """Gradients of some outputs of one call with several outputs (a custom
    Function's), by output index, on their way to the node that runs the
    call's backward once.  Each output's node passes its gradient on as one
    slot; ``+``, which the engine uses to sum gradients arriving at a node,
    merges slots, so that node receives every output's gradient at once (it
    runs after all of them in the topological order).  Not a sequence: NumPy
    sees it as one object (``anomaly_mode.check_nan`` skips it)."""

    __slots__ = ("grads",)

    def __init__(self, grads: dict[int, Any]) -> None:
        self.grads = grads

    def __add__(self, other: GradSlots) -> GradSlots:
        merged = dict(self.grads)
        for k, g in other.grads.items():
            prev = merged.get(k)
            merged[k] = g if prev is None else prev + g
        return GradSlots(merged)

    def __repr__(self) -> str:
        return f"GradSlots({self.grads!r})"


def accumulator(leaf: Any) -> AccumulateGrad:
    """The leaf's AccumulateGrad node, created on first use and kept after."""
    acc = leaf._grad_acc
    if acc is None:
        acc = leaf._grad_acc = AccumulateGrad(leaf)
    return acc
