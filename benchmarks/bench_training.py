"""The seed's 100-epoch linear regression loop in symgrad and in PyTorch, side
by side on this machine; prints each time and the ratio symgrad / PyTorch.

    python benchmarks/bench_training.py            # 15 repeats of the 100-epoch loop
    python benchmarks/bench_training.py --quick    # 3 repeats (a smoke run)

The loop is the seed's (``04_linear_regression.py``) minus its printing:
``from_numpy(...).to(device)``, forward, MSE loss, ``zero_grad``,
``backward``, ``SGD.step``, ``loss.item()`` every epoch.  The runs are
interleaved and the best of the repeats is reported, the usual way to time
short loops on a shared machine.  symgrad runs with its float64 default and with float32 as the
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


def best_times(runs: dict[str, Any], repeats: int) -> dict[str, float]:
    """The best time of each run, the runs interleaved repeat by repeat so
    that a busy moment on a shared machine slows them all alike."""
    for fn in runs.values():
        fn()  # warm up: imports, caches
    best = {name: float("inf") for name in runs}
    for _ in range(repeats):
        for name, fn in runs.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def _symgrad_run(dtype: Any) -> Any:
    import symgrad
    from symgrad import nn, optim

    def run() -> float:
        previous = symgrad.get_default_dtype()
        symgrad.set_default_dtype(dtype)
        try:
            return seed_loop(symgrad, nn, optim)
        finally:
            symgrad.set_default_dtype(previous)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 15")
    args = parser.parse_args()
    import symgrad

    runs = {"symgrad (float64 default)": _symgrad_run(symgrad.float64),
            "symgrad (float32 default)": _symgrad_run(symgrad.float32)}
    try:
        import torch
    except ImportError:
        torch = None
        print("PyTorch is not installed: no comparison (pip install torch==2.13.0)")
    else:
        torch.set_num_threads(1)  # tiny tensors: threads only add overhead, and the machine is shared
        runs[f"PyTorch {torch.__version__}"] = lambda: seed_loop(torch, torch.nn, torch.optim)
    best = best_times(runs, 3 if args.quick else 15)
    for name, seconds in best.items():
        print(f"{name:<27} 100 epochs: {seconds * 1e3:8.2f} ms")
    if torch is not None:
        t_pt = best[f"PyTorch {torch.__version__}"]
        ratios = [best[name] / t_pt for name in list(best)[:2]]
        print(f"ratio symgrad / PyTorch: {ratios[0]:.2f} (float64 default), {ratios[1]:.2f} (float32 default)")


if __name__ == "__main__":
    main()
