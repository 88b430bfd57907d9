"""The seed article's programs (``shared/seed``) minus their printing, for
symgrad and PyTorch alike (``lib`` is the module).

``seed_loop`` is the 100-epoch linear regression of ``04_linear_regression.py``:
``from_numpy(...).to(device)``, forward, MSE loss, ``zero_grad``, ``backward``,
``SGD.step`` and ``loss.item()`` every epoch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

X_TRAIN = np.array(list(range(11)), dtype=np.float32).reshape(-1, 1)
Y_TRAIN = np.array([2 * i + 1 for i in range(11)], dtype=np.float32).reshape(-1, 1)


def first_derivative(lib: Any) -> Any:
    """z = x*x*y, z.backward(): the gradients of x and y."""
    x = lib.tensor(2.).requires_grad_()
    y = lib.tensor(3.).requires_grad_()
    z = x * x * y
    z.backward()
    return x.grad, y.grad


def second_derivative(lib: Any) -> Any:
    """``02_second_derivative.py``: backward with create_graph, then backward of x.grad."""
    x = lib.tensor(2.).requires_grad_()
    y = lib.tensor(3.).requires_grad_()
    z = x * x * y
    z.backward(create_graph=True)
    x.grad.data.zero_()
    x.grad.backward()
    return x.grad


def make_model(lib: Any, nn: Any) -> Any:
    class LinearRegression(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.linear = nn.Linear(1, 1)

        def forward(self, x: Any) -> Any:
            return self.linear(x)

    return LinearRegression()


def seed_loop(lib: Any, nn: Any, optim: Any, epochs: int = 100) -> float:
    """Train the seed's model for ``epochs`` epochs; returns the last loss."""
    device = lib.device("cuda:0" if lib.cuda.is_available() else "cpu")
    model = make_model(lib, nn)
    model.to(device)
    optimizer = optim.SGD(model.parameters(), lr=0.01)
    criterion = nn.MSELoss()
    loss_value = 0.0
    for _ in range(epochs):
        inputs = lib.from_numpy(X_TRAIN).to(device)
        targets = lib.from_numpy(Y_TRAIN).to(device)
        outputs = model(inputs)
        loss = criterion(outputs, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss_value = loss.item()
    return loss_value
