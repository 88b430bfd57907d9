"""The main demo: the seed article's examples in symgrad, each printed with
its numbers (as PyTorch prints them) and its closed form."""

from __future__ import annotations

import symgrad as torch


def _grad(t: torch.Tensor) -> torch.Tensor:
    assert t.grad is not None, "backward() fills .grad"
    return t.grad


def _show(label: str, value: object, closed_form: object) -> None:
    print(f"  {label:<10} {str(value):<42} closed form: {closed_form}")


def first_derivatives() -> None:
    print("1. First derivatives of z = w*x + b at x=1, b=2, w=3")
    x = torch.tensor(1., requires_grad=True)
    b = torch.tensor(2., requires_grad=True)
    w = torch.tensor(3., requires_grad=True)
    z = w * x + b
    z.backward()
    _show("z", z, z.expr)
    _show("x.grad", _grad(x), _grad(x).expr)
    _show("w.grad", _grad(w), _grad(w).expr)
    _show("b.grad", _grad(b), _grad(b).expr)


def second_derivative() -> None:
    print("2. Second derivative of z = x*x*y at x=2, y=3 (create_graph=True)")
    x = torch.tensor(2.).requires_grad_()
    y = torch.tensor(3.).requires_grad_()
    z = x * x * y
    z.backward(create_graph=True)
    _show("x.grad", _grad(x), _grad(x).expr)
    _grad(x).data.zero_()
    _grad(x).backward()
    _show("x.grad", _grad(x), _grad(x).expr)
    print(f"  symgrad.diff(z, x, y) = {torch.diff(z, x, y)}")


def vector() -> None:
    print("3. Vector parameters: Y = X.W + b")
    X = torch.tensor([1.5, 2.5, 3.5], name="X")
    W = torch.tensor([0.2, 0.4, 0.6], requires_grad=True)
    b = torch.tensor(0.1, requires_grad=True)
    Y = torch.add(torch.dot(X, W), b)
    Y.backward()
    _show("Y", Y, Y.expr)
    _show("W.grad", _grad(W), _grad(W).expr)
    _show("b.grad", _grad(b), _grad(b).expr)


def run() -> None:
    print("symgrad demo: every tensor has a value and a closed form.\n")
    first_derivatives()
    print()
    second_derivative()
    print()
    vector()
