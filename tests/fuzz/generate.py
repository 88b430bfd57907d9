"""The hypothesis strategy for random programs.

Programs are random DAGs: every step draws an op from the catalogue and its
arguments from *all* earlier nodes (leaves and intermediate results, so nodes
are reused), those that require grad and the most recent first, so that
shrinking leans towards short chains that reach the loss.
Values are known while the program is drawn (each step runs under
``no_grad``), so an op is only applied inside its domain, away from its kinks,
and where its result stays finite and moderate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st

import symgrad
from tests.fuzz.catalogue import CATALOGUE, MARGIN, MAX_NUMEL, FuzzOp
from tests.fuzz.program import Leaf, Program, Step

LEAF_SHAPES: list[tuple[int, ...]] = [(), (1,), (3,), (2, 1), (1, 3), (2, 3), (3, 3), (2, 1, 3)]
VALUE_RANGES = [(-32, 32), (4, 32)]   # sixteenths: [-2, 2], or [0.25, 2] so that log, sqrt... find inputs
MAX_ABS = 1e3                          # larger intermediate values make finite differences meaningless
WEIGHTS = (1.0, -0.5, 0.75, 1.25)


@dataclass
class _Node:
    name: str
    value: np.ndarray
    requires_grad: bool

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.value.shape)


@st.composite
def leaves(draw: Any, max_leaves: int = 3) -> list[Leaf]:
    out = []
    for i in range(draw(st.integers(1, max_leaves))):
        shape = draw(st.sampled_from(LEAF_SHAPES))
        lo, hi = draw(st.sampled_from(VALUE_RANGES))
        n = int(np.prod(shape))
        values = draw(st.lists(st.integers(lo, hi), min_size=n, max_size=n))
        requires_grad = i == 0 or draw(st.booleans())
        value = np.asarray(np.array(values, dtype=float).reshape(shape) / 16)  # 0-d stays an array
        out.append(Leaf(f"x{i}" if requires_grad else f"c{i}", value, requires_grad))
    return out


@st.composite
def programs(draw: Any, max_leaves: int = 3, min_steps: int = 3, max_steps: int = 8,
             ops: list[FuzzOp] | None = None) -> Program:
    catalogue = ops or CATALOGUE
    leaf_list = draw(leaves(max_leaves))
    nodes = [_Node(leaf.name, leaf.value, leaf.requires_grad) for leaf in leaf_list]
    steps: list[Step] = []
    for k in range(draw(st.integers(min_steps, max_steps))):
        step = _draw_step(draw, nodes, f"y{k}", catalogue)
        if step is None:
            continue
        steps.append(step)
        if step.name not in {n.name for n in nodes}:  # the step crashed: stop, the oracles will report it
            break
    return Program(leaf_list, steps, _outputs(nodes, steps))


def _outputs(nodes: list[_Node], steps: list[Step]) -> list[tuple[str, np.ndarray]]:
    """Every result no later step uses (so every step counts), with its weights."""
    used = {a for s in steps for a in s.args}
    ends = [n for n in nodes if n.requires_grad and n.name not in used and n.name.startswith("y")]
    ends = ends or [[n for n in nodes if n.requires_grad][-1]]
    return [(n.name, np.array([WEIGHTS[i % len(WEIGHTS)] for i in range(n.value.size)]).reshape(n.shape))
            for n in ends]


def _draw_step(draw: Any, nodes: list[_Node], name: str, catalogue: list[FuzzOp]) -> Step | None:
    for _ in range(4):
        op = draw(st.sampled_from(catalogue))
        args = _draw_args(draw, op, nodes)
        if args is None:
            continue
        params = op.params(draw, [a.shape for a in args]) if op.params else {}
        if op.kink is not None and op.kink(*[a.value for a in args], **params)[1] < MARGIN:
            continue
        step = Step(name, op, tuple(a.name for a in args), params)
        try:
            value = _evaluate(step, args)
        except Exception:  # a crash on valid input is a finding: keep the step so the oracles report it
            return step
        if value.dtype != np.float64 or value.size > MAX_NUMEL or value.size == 0:
            continue
        if not np.all(np.isfinite(value)) or np.max(np.abs(value), initial=0.0) > MAX_ABS:
            continue
        nodes.append(_Node(name, value, any(a.requires_grad for i, a in enumerate(args) if i not in op.nondiff)))
        return step
    return None


def _draw_args(draw: Any, op: FuzzOp, nodes: list[_Node]) -> list[_Node] | None:
    args: list[_Node] = []
    for i in range(op.arity):
        last = i == op.arity - 1
        # results that require grad first (most recent first), then constants
        ordered = sorted(reversed(nodes), key=lambda n: not n.requires_grad)
        candidates = [n for n in ordered if op.domain(i).contains(n.value)
                      and (not (last or op.partial_shapes) or op.fits([a.shape for a in args] + [n.shape]))]
        if not candidates:
            return None
        args.append(candidates[draw(st.integers(0, len(candidates) - 1))])
    return args


_LAMBDAS: dict[str, Any] = {}


def _evaluate(step: Step, args: list[_Node]) -> np.ndarray:
    names = [f"a{i}" for i in range(len(args))]
    src = f"lambda symgrad, {', '.join(names)}: {step.op.render('symgrad', names, step.params)}"
    fn = _LAMBDAS.get(src)
    if fn is None:
        fn = _LAMBDAS[src] = eval(src)  # our own catalogue's template
    with symgrad.no_grad():
        out = fn(symgrad, *[symgrad.tensor(a.value) for a in args])
    return np.asarray(out._value)
