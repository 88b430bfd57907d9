"""The seed's linear regression (``04_linear_regression.py``) with only its
imports changed: it prints the epoch losses in PyTorch's format, they fall as
PyTorch's do, the predictions approach 2x + 1 (also with float32 as the
default dtype), and from PyTorch's initial weights it prints PyTorch's losses."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest

import symgrad
from symgrad import nn, optim

# the vendored, verbatim copy of the seed (see tests/test_seed.py)
SEED: pathlib.Path = pathlib.Path(__file__).resolve().parent / "data" / "seed"


def _swapped(src: str) -> str:
    return (src.replace("import torch.nn as nn", "from symgrad import nn")
               .replace("import torch.optim as optim", "from symgrad import optim")
               .replace("import torch\n", "import symgrad as torch\n"))


def _run_seed(prelude: str = "") -> str:
    src = _swapped((SEED / "04_linear_regression.py").read_text(encoding="utf-8"))
    return subprocess.run([sys.executable, "-c", prelude + src], capture_output=True, text=True, check=True).stdout


def _losses(text: str) -> list[float]:
    return [float(v) for v in re.findall(r"^epoch \d+, loss ([-\d.e+]+)$", text, flags=re.M)]


def _predictions(text: str) -> list[float]:
    block = text[text.index("tensor("):text.index("grad_fn")]
    return [float(v) for v in re.findall(r"-?\d+\.\d+", block)]


@pytest.mark.parametrize("prelude", ["", "import symgrad\nsymgrad.set_default_dtype(symgrad.float32)\n"],
                         ids=["float64", "float32"])
def test_seed_program_runs_with_only_the_imports_changed(prelude):
    out = _run_seed(prelude)
    assert [int(e) for e in re.findall(r"^epoch (\d+),", out, flags=re.M)] == list(range(0, 100, 10))
    losses = _losses(out)
    assert len(losses) == 10 and all(a > b for a, b in zip(losses, losses[1:]))
    assert "grad_fn=<AddmmBackward0>)" in out
    preds = _predictions(out)
    assert len(preds) == 11
    np.testing.assert_allclose(preds, [2 * x + 1 for x in range(11)], atol=1.5)
    if prelude:  # float32 everywhere: the targets print exactly as PyTorch prints them
        want = (SEED / "pytorch-output" / "04_linear_regression.txt").read_text(encoding="utf-8")
        assert out[out.rindex("tensor("):] == want[want.rindex("tensor("):]


def test_seed_losses_fall_at_pytorchs_rate():
    """Gradient descent on this quadratic loss converges at a rate set by the
    data and the learning rate alone; after the first epochs each printed loss
    is the previous one times the same factor, whatever the initial weights."""
    want = _losses((SEED / "pytorch-output" / "04_linear_regression.txt").read_text(encoding="utf-8"))
    got = _losses(_run_seed())
    want_rates = [b / a for a, b in zip(want[1:], want[2:])]
    got_rates = [b / a for a, b in zip(got[1:], got[2:])]
    np.testing.assert_allclose(got_rates, want_rates, rtol=1e-3)


def _seed_loop(lib, nn_mod, optim_mod, model, epochs=100):
    """The seed's training loop, for either library."""
    x_train = np.array(list(range(11)), dtype=np.float32).reshape(-1, 1)
    y_train = np.array([2 * i + 1 for i in range(11)], dtype=np.float32).reshape(-1, 1)
    device = lib.device("cpu")
    model.to(device)
    optimizer = optim_mod.SGD(model.parameters(), lr=0.01)
    criterion = nn_mod.MSELoss()
    losses = []
    for _ in range(epochs):
        inputs = lib.from_numpy(x_train).to(device)
        targets = lib.from_numpy(y_train).to(device)
        loss = criterion(model(inputs), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, model(lib.from_numpy(x_train))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_seed_loop_from_pytorchs_initial_weights_gives_pytorchs_losses(dtype):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    t_model = torch.nn.Linear(1, 1)
    symgrad.set_default_dtype(getattr(symgrad, dtype))
    s_model = nn.Linear(1, 1)
    s_model.load_state_dict(t_model.state_dict())
    t_losses, t_pred = _seed_loop(torch, torch.nn, torch.optim, t_model)
    s_losses, s_pred = _seed_loop(symgrad, nn, optim, s_model)
    # float64 parameters (symgrad's default) differ from PyTorch's float32 ones by rounding only
    rtol = 1e-4 if dtype == "float64" else 2e-6
    np.testing.assert_allclose(s_losses, t_losses, rtol=rtol)
    np.testing.assert_allclose(np.asarray(s_pred.detach()), t_pred.detach().numpy(), rtol=1e-5)
    assert s_pred.dtype == getattr(symgrad, dtype)
