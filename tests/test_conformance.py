"""symgrad behaves as PyTorch's autograd: every case of ``conformance_cases``
and the dtype promotion table, compared with PyTorch.

PyTorch's answers are also kept in ``conformance_pytorch.json`` so that the
comparison runs where PyTorch is not installed; with PyTorch installed the
live answers are used and the snapshot is checked against them.  Refresh it
with ``python -m tests.test_conformance --record``.
"""

from __future__ import annotations

import importlib.util
import json
import math
import pathlib
import sys
import warnings
from typing import Any

import pytest

import symgrad
from tests.conformance_cases import CASES, Case
from tests.differences import DIFFERENCES

SNAPSHOT = pathlib.Path(__file__).with_name("conformance_pytorch.json")
HAVE_TORCH = importlib.util.find_spec("torch") is not None

# symgrad's side of each declared difference that a case observes
SYMGRAD_SIDE = {
    "the_default_dtype_itself": ["float64", "float64", "float64"],
    "floating_point_warnings_in_the_forward": [["RuntimeWarning"], ["RuntimeWarning"]],
    "gradient_of_prod_at_nan": [6.0, float("nan"), float("nan")],
    "changing_the_result_of_an_in_place_op_again": [None, [6 * (1 - 0.9640275800758169 ** 2),
                                                           6 * (1 - 0.999329299739067 ** 2)]],
    "unique_and_weighted_bincount_have_no_gradient": ["RuntimeError", "RuntimeError", "RuntimeError"],
    "scatter_with_reduce_has_a_gradient": [None, [3.0, 2.0, 4.0], [1.0, 3.0]],
    "scatter_reduce_ties_without_self": [[0.0, 1.0], [0.5, 0.5, 0.0]],
    "embedding_sparse": ["NotImplementedError", "NotImplementedError"],
    "embedding_max_norm_of_a_result": "RuntimeError",
    "nanmean_gradient_where_every_element_is_nan": [[1.0, float("nan")], [[1.0, 0.0], [0.0, 0.0]]],
}


def observe(case: Case, module: Any) -> Any:
    """What the case observes, as JSON data (an escaping exception is observed too)."""
    try:
        return _plain(case.run(module))
    except Exception as e:  # compared by type, like any other outcome
        return {"raised": type(e).__name__}


def _plain(v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    raise TypeError(f"a conformance case returned {type(v).__name__}; return plain values (.tolist(), .item())")


def same(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)
    return type(a) is type(b) and a == b


# ---------------------------------------------------------------- dtype promotion

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
SCALARS: list[Any] = [True, 2, 2.5]
OPS = {
    "add": lambda M, a, b: a + b, "sub": lambda M, a, b: a - b, "mul": lambda M, a, b: a * b,
    "div": lambda M, a, b: a / b, "maximum": lambda M, a, b: M.maximum(a, M.as_tensor(b)),
    "eq": lambda M, a, b: a == b, "where": lambda M, a, b: M.where(M.tensor(True), a, b),
}


def _operand(M: Any, kind: str) -> Any:
    name, dims = kind.split(":")
    d = getattr(M, name)
    return M.ones(2, dtype=d) if dims == "1d" else M.ones((), dtype=d)


def promotion_table(M: Any) -> dict[str, str]:
    """Result dtype (or exception type) of each op over each pair of operands."""
    kinds = [f"{d}:{n}" for d in DTYPES for n in ("0d", "1d")]
    out = {}
    for op, fn in OPS.items():
        for a in kinds:
            for b in kinds + [repr(s) for s in SCALARS]:
                other = eval(b) if b in {repr(s) for s in SCALARS} else _operand(M, b)  # our own literals
                try:
                    r = str(fn(M, _operand(M, a), other).dtype).split(".")[-1]
                except Exception as e:  # the exception type is the outcome
                    r = type(e).__name__
                out[f"{op}({a}, {b})"] = r
    return out


# ---------------------------------------------------------------- PyTorch's answers

def pytorch_answers() -> dict[str, Any]:
    import torch

    prev = torch.get_default_dtype()
    with warnings.catch_warnings():  # PyTorch's advice about backward(create_graph=True) reference cycles
        warnings.filterwarnings("ignore", "Using backward\\(\\) with create_graph=True")
        cases = {c.name: observe(c, torch) for c in CASES}
    torch.set_default_dtype(torch.float64)  # promotion rules compared with equal defaults (see differences)
    try:
        table = promotion_table(torch)
    finally:
        torch.set_default_dtype(prev)
    return {"torch": torch.__version__, "cases": cases, "promotion": table}


_ANSWERS: dict[str, Any] = {}


def answers() -> dict[str, Any]:
    if not _ANSWERS:
        _ANSWERS.update(pytorch_answers() if HAVE_TORCH else json.loads(SNAPSHOT.read_text()))
    return _ANSWERS


# ---------------------------------------------------------------- tests

# NumPy warns when a forward op makes nan/inf (a declared difference, tests/differences.py);
# the nan/inf cases make them on purpose
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning",
                            "ignore:divide by zero encountered:RuntimeWarning",
                            "ignore:overflow encountered:RuntimeWarning")
@pytest.mark.parametrize("case", CASES, ids=[f"{c.group}-{c.name}" for c in CASES])
def test_case_matches_pytorch(case: Case):
    got = observe(case, symgrad)
    want = answers()["cases"][case.name]
    if case.differs is None:
        assert same(got, want), f"symgrad: {got}\nPyTorch: {want}"
        return
    assert case.differs in DIFFERENCES, f"undeclared difference {case.differs!r}"
    assert same(got, SYMGRAD_SIDE[case.name]), f"symgrad's declared behaviour changed: {got}"
    assert not same(got, want), f"no longer differs from PyTorch ({want}): drop the declared difference"


def test_dtype_promotion_matches_pytorch():
    got = promotion_table(symgrad)
    want = answers()["promotion"]
    wrong = {k: (got[k], want[k]) for k in want if got.get(k) != want[k]}
    assert not wrong, f"{len(wrong)} of {len(want)} differ (symgrad, PyTorch): " + \
        ", ".join(f"{k}: {v}" for k, v in list(wrong.items())[:20])


def test_every_case_is_in_the_snapshot():
    recorded = json.loads(SNAPSHOT.read_text())
    assert sorted(recorded["cases"]) == sorted(c.name for c in CASES), \
        "refresh the snapshot: python -m tests.test_conformance --record"


@pytest.mark.skipif(not HAVE_TORCH, reason="PyTorch is not installed")
def test_snapshot_is_pytorchs_current_answer():
    recorded = json.loads(SNAPSHOT.read_text())
    live = answers()
    stale = [k for k in live["cases"] if not same(recorded["cases"].get(k), live["cases"][k])]
    assert not stale and recorded["promotion"] == live["promotion"], \
        f"stale snapshot entries {stale}: python -m tests.test_conformance --record"


if __name__ == "__main__":
    if sys.argv[1:] != ["--record"]:
        sys.exit("usage: python -m tests.test_conformance --record   (needs PyTorch)")
    SNAPSHOT.write_text(json.dumps(pytorch_answers(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {SNAPSHOT}")
