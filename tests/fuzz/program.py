"""A random program: leaves, then one op per step, then a weighted-sum loss.

The same steps print as a runnable script (``to_source()``, also the
``repr``, so hypothesis shows a failing case as code you can paste) and
compile to the function the oracles call, in symgrad's dialect or PyTorch's:
what is tested is exactly what is printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tests.fuzz.catalogue import FuzzOp


@dataclass(eq=False)
class Leaf:
    name: str
    value: np.ndarray
    requires_grad: bool


@dataclass(eq=False)
class Step:
    name: str
    op: FuzzOp
    args: tuple[str, ...]
    params: dict[str, Any]

    def render(self, dialect: str) -> str:
        return self.op.render(dialect, self.args, self.params)


@dataclass(eq=False)
class Program:
    leaves: list[Leaf]
    steps: list[Step]
    outputs: list[tuple[str, np.ndarray]]     # loss = sum of (output * weights).sum()
    _compiled: dict[str, Any] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------ printing

    def body(self, dialect: str) -> list[str]:
        lines = [f"{s.name} = {s.render(dialect)}" for s in self.steps]
        terms = [f"({name} * {dialect}.tensor({_literal(w)}, dtype={dialect}.float64)).sum()"
                 for name, w in self.outputs]
        lines.append("loss = " + " + ".join(terms))
        return lines

    def leaf_line(self, leaf: Leaf, dialect: str) -> str:
        grad = ", requires_grad=True" if leaf.requires_grad else ""
        return f"{leaf.name} = {dialect}.tensor({_literal(leaf.value)}, dtype={dialect}.float64{grad})"

    def to_source(self, dialect: str = "symgrad") -> str:
        """A runnable script: the program, its backward pass, and its gradients."""
        lines = [f"import {dialect}", ""]
        lines += [self.leaf_line(leaf, dialect) for leaf in self.leaves]
        lines += self.body(dialect)
        lines.append("loss.backward()")
        lines += [f"print({leaf.name}.grad)" for leaf in self.leaves if leaf.requires_grad]
        if dialect == "symgrad":
            lines += [f"print({leaf.name}.grad.expr)" for leaf in self.leaves if leaf.requires_grad]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return "\n" + self.to_source() + "\n"

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # how hypothesis prints a falsifying example
        p.text(repr(self))

    # ------------------------------------------------------------ running

    @property
    def grad_leaves(self) -> list[Leaf]:
        return [leaf for leaf in self.leaves if leaf.requires_grad]

    def function(self, dialect: str) -> Any:
        """``f(module, *leaf_tensors) -> (loss, {step name: tensor})``, compiled from ``body``."""
        fn = self._compiled.get(dialect)
        if fn is None:
            names = ", ".join(leaf.name for leaf in self.leaves)
            steps = ", ".join(f"{s.name!r}: {s.name}" for s in self.steps)
            src = "\n    ".join([f"def program({dialect}, {names}):", *self.body(dialect),
                                 f"return loss, {{{steps}}}"])
            scope: dict[str, Any] = {}
            exec(compile(src, f"<fuzz program ({dialect})>", "exec"), scope)  # our own generated code
            fn = self._compiled[dialect] = scope["program"]
        return fn

    def make_leaves(self, module: Any, values: list[np.ndarray] | None = None, requires_grad: bool = True,
                    named: bool = False) -> list[Any]:
        values = values if values is not None else [leaf.value for leaf in self.leaves]
        out = []
        for leaf, v in zip(self.leaves, values):
            kw = {"name": leaf.name} if named and leaf.requires_grad else {}  # a name makes a symbol
            out.append(module.tensor(np.array(v, dtype=np.float64), dtype=module.float64,
                                     requires_grad=requires_grad and leaf.requires_grad, **kw))
        return out

    def run(self, module: Any, dialect: str, leaves: list[Any]) -> tuple[Any, dict[str, Any]]:
        return self.function(dialect)(module, *leaves)


def _literal(v: np.ndarray) -> str:
    return repr(np.asarray(v).tolist())
