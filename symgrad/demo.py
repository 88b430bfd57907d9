"""The main demo: the seed article's examples in symgrad, each printed with
its numbers (as PyTorch prints them) and its closed form."""

from __future__ import annotations

import symgrad as torch


def _grad(t: torch.Tensor) -> torch.Tensor:
    assert t.grad is not None, "backward() fills .grad"
    return t.grad


def _show(label: str, value: object, closed_form: object) -> None:
    print(f"  {label:<11} {str(value):<42} closed form: {closed_form}")


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


def linear_regression() -> None:
    import numpy as np
    import sympy

    from symgrad import nn, optim

    print("4. Linear regression y = 2x + 1 (nn.Linear, MSELoss, SGD), 100 epochs")
    torch.manual_seed(0)
    inputs = torch.from_numpy(np.arange(11, dtype=np.float32).reshape(-1, 1))
    targets = torch.from_numpy(np.arange(1, 23, 2, dtype=np.float32).reshape(-1, 1))

    class LinearRegression(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.linear = nn.Linear(1, 1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.linear(x)

    model = LinearRegression()
    optimizer = optim.SGD(model.parameters(), lr=0.01)
    criterion = nn.MSELoss()
    for epoch in range(100):
        loss = criterion(model(inputs), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if epoch % 20 == 0:
            print(f"  epoch {epoch:>2}, loss {loss.item():.6f}")
    loss = criterion(model(inputs), targets)
    optimizer.zero_grad()
    loss.backward()
    weight, bias = model.linear.weight, model.linear.bias
    print(f"  weight {weight.item():.4f}, bias {bias.item():.4f} (the data's: 2 and 1; at lr=0.01 the bias is slow)")
    print(f"  loss   = {sympy.expand(loss.expr)}")
    _show("weight.grad", _grad(weight), _grad(weight).expr[0, 0])
    _show("bias.grad", _grad(bias), _grad(bias).expr[0])


def run() -> None:
    print("symgrad demo: every tensor has a value and a closed form.\n")
    first_derivatives()
    print()
    second_derivative()
    print()
    vector()
    print()
    linear_regression()
