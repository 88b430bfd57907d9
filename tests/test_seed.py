"""The seed article's programs: PyTorch's numbers with only the import changed,
and their closed forms."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import pytest
import sympy

import symgrad

# Verbatim copies of the seed article's programs and PyTorch's output for them
# (the originals live in ../shared/seed, which a clone of this repo may not have).
SEED = pathlib.Path(__file__).resolve().parent / "data" / "seed"
SHARED_SEED = pathlib.Path(__file__).resolve().parents[2] / "shared" / "seed"


def _swapped(src: str) -> str:
    return (src.replace("import torch.nn as nn", "from symgrad import nn")
               .replace("import torch.optim as optim", "from symgrad import optim")
               .replace("import torch\n", "import symgrad as torch\n"))


def _numbers(text: str) -> list[float]:
    lines = [ln for ln in text.splitlines() if ln.lstrip().startswith(("tensor", "["))]
    lines = [re.sub(r"(grad_fn=<[^>]*>|dtype=[\w.]+|requires_grad=\w+)", "", ln) for ln in lines]
    return [float(v) for v in re.findall(r"-?\d+\.?\d*(?:e[-+]?\d+)?", "\n".join(lines))]


@pytest.mark.parametrize("name", ["01_first_derivative", "02_second_derivative", "03_vector"])
def test_seed_program_prints_pytorchs_numbers(name):
    src = _swapped((SEED / f"{name}.py").read_text(encoding="utf-8"))
    out = subprocess.run([sys.executable, "-c", src], capture_output=True, text=True, check=True).stdout
    want = (SEED / "pytorch-output" / f"{name}.txt").read_text(encoding="utf-8")
    assert _numbers(out) == pytest.approx(_numbers(want))
    assert out.count("grad_fn=<CopyBackwards>") == want.count("grad_fn=<CopyBackwards>")


@pytest.mark.skipif(not SHARED_SEED.exists(), reason="../shared/seed is not next to this checkout")
def test_vendored_seed_matches_the_shared_one():
    for path in SEED.rglob("*.*"):
        assert path.read_bytes() == (SHARED_SEED / path.relative_to(SEED)).read_bytes(), path.name


def test_first_derivatives_closed_forms():
    x = symgrad.tensor(1., requires_grad=True)
    b = symgrad.tensor(2., requires_grad=True)
    w = symgrad.tensor(3., requires_grad=True)
    z = w * x + b
    z.backward()
    assert (x.grad.item(), w.grad.item(), b.grad.item()) == (3.0, 1.0, 1.0)
    assert x.grad.expr == w.expr
    assert w.grad.expr == x.expr
    assert b.grad.expr == 1


def test_second_derivative_closed_forms():
    x = symgrad.tensor(2.).requires_grad_()
    y = symgrad.tensor(3.).requires_grad_()
    z = x * x * y
    z.backward(create_graph=True)
    assert x.grad.item() == 12.0
    assert sympy.simplify(x.grad.expr - 2 * x.expr * y.expr) == 0
    assert str(x.grad.expr) == "2*x*y"
    x.grad.data.zero_()
    x.grad.backward()
    assert x.grad.item() == 6.0
    assert x.grad.expr == 2 * y.expr
    assert repr(x.grad) == "tensor(6., grad_fn=<CopyBackwards>)"


def test_vector_closed_forms():
    X = symgrad.tensor([1.5, 2.5, 3.5], requires_grad=False)
    W = symgrad.tensor([0.2, 0.4, 0.6], requires_grad=True)
    b = symgrad.tensor(0.1, requires_grad=True)
    Y = symgrad.add(symgrad.dot(X, W), b)
    Y.backward()
    assert repr(W.grad) == "tensor([1.5000, 2.5000, 3.5000])"
    assert W.grad.expr == sympy.Array([1.5, 2.5, 3.5])
    assert b.grad.expr == 1


def test_vector_closed_form_with_named_data():
    X = symgrad.tensor([1.5, 2.5, 3.5], name="X")
    W = symgrad.tensor([0.2, 0.4, 0.6], requires_grad=True)
    b = symgrad.tensor(0.1, requires_grad=True)
    symgrad.add(symgrad.dot(X, W), b).backward()
    assert [str(e) for e in W.grad.expr] == ["X[0]", "X[1]", "X[2]"]
    assert W.grad.expr == X.expr
