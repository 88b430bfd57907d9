"""The seed's 100-epoch linear regression loop in symgrad and in PyTorch, side
by side on this machine; prints each time and the ratio symgrad / PyTorch.

    python benchmarks/bench_training.py            # 7 repeats of the 100-epoch loop
    python benchmarks/bench_training.py --quick    # 2 repeats (a smoke run)

The loop is the seed's (``04_linear_regression.py``) minus its printing:
``from_numpy(...).to(device)``, forward, MSE loss, ``zero_grad``,
``backward``, ``SGD.step``, ``loss.item()`` every epoch.  The best of the
repeats is reported, which is the usual way to time short loops on a shared
machine.  symgrad runs with its float64 default and with float32 as the
default dtype (PyTorch's).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

X_TRAIN = np.array(list(range(11)), dtype=np.float32).reshape(-1, 1)
Y_TRAIN = np.array([2 * i + 1 for i in range(11)], dtype=np.float32).reshape(-1, 1)


def seed_loop(lib: Any, nn: Any, optim: Any, epochs: int = 100) -> float:
    """Train the seed's model for ``epochs`` epochs; returns the last loss."""

    class LinearRegression(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.linear = nn.Linear(1, 1)

        def forward(self, x: Any) -> Any:
            return self.linear(x)

    device = lib.device("cuda:0" if lib.cuda.is_available() else "cpu")
    model = LinearRegression()
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


def best_time(fn: Any, repeats: int) -> float:
    fn()  # warm up: imports, caches
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 repeats instead of 7")
    args = parser.parse_args()
    repeats = 2 if args.quick else 7

    import symgrad
    from symgrad import nn, optim

    t_sg = best_time(lambda: seed_loop(symgrad, nn, optim), repeats)
    symgrad.set_default_dtype(symgrad.float32)
    t_sg32 = best_time(lambda: seed_loop(symgrad, nn, optim), repeats)
    symgrad.set_default_dtype(symgrad.float64)
    print(f"symgrad (float64 default)  100 epochs: {t_sg * 1e3:8.2f} ms")
    print(f"symgrad (float32 default)  100 epochs: {t_sg32 * 1e3:8.2f} ms")
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: no comparison (pip install torch==2.13.0)")
        return
    torch.set_num_threads(1)  # tiny tensors: threads only add overhead, and the machine is shared
    t_pt = best_time(lambda: seed_loop(torch, torch.nn, torch.optim), repeats)
    print(f"PyTorch {torch.__version__:<18} 100 epochs: {t_pt * 1e3:8.2f} ms")
    print(f"ratio symgrad / PyTorch: {t_sg / t_pt:.2f} (float64 default), {t_sg32 / t_pt:.2f} (float32 default)")


if __name__ == "__main__":
    main()
