"""Random ``nn`` models agree with ``torch.nn`` holding the same weights:
outputs, losses, parameter gradients (and their closed forms), and the
parameters after an optimizer step."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import symgrad
from tests.fuzz.oracles import evaluate_at, flatten_expr
from tests.fuzz.profiles import fuzz_settings

torch = pytest.importorskip("torch")

ACTIVATIONS = ["ReLU", "Tanh", "Sigmoid", "Softplus", "Identity"]
LOSSES = ["MSELoss", "MSELoss_sum", "L1Loss", "CrossEntropyLoss", "BCEWithLogitsLoss", "NLLLoss"]
VALUES = st.integers(-16, 16).map(lambda k: k / 8)


@st.composite
def models(draw: Any) -> dict[str, Any]:
    widths = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4))
    layers = []
    for i in range(len(widths) - 1):
        bias = draw(st.booleans())
        w = draw(st.lists(VALUES, min_size=widths[i] * widths[i + 1], max_size=widths[i] * widths[i + 1]))
        b = draw(st.lists(VALUES, min_size=widths[i + 1], max_size=widths[i + 1])) if bias else None
        layers.append(("Linear", widths[i], widths[i + 1], w, b))
        if i < len(widths) - 2:
            layers.append((draw(st.sampled_from(ACTIVATIONS)),))
    batch = draw(st.integers(1, 3))
    x = draw(st.lists(VALUES, min_size=batch * widths[0], max_size=batch * widths[0]))
    loss = draw(st.sampled_from(LOSSES))
    classes = widths[-1]
    if loss in ("CrossEntropyLoss", "NLLLoss"):
        target = draw(st.lists(st.integers(0, classes - 1), min_size=batch, max_size=batch))
    else:
        target = draw(st.lists(st.integers(0, 4).map(lambda k: k / 4), min_size=batch * classes,
                               max_size=batch * classes))
    optimizer = draw(st.sampled_from(["SGD", "SGD_momentum", "Adam"]))
    return {"layers": layers, "x": x, "batch": batch, "loss": loss, "target": target, "optimizer": optimizer}


def build(M: Any, spec: dict[str, Any]) -> tuple[Any, Any, Any, Any]:
    """The model, input, loss function and target in library ``M`` (symgrad or torch)."""
    modules = []
    for layer in spec["layers"]:
        if layer[0] == "Linear":
            _, n_in, n_out, w, b = layer
            lin = M.nn.Linear(n_in, n_out, bias=b is not None, dtype=M.float64)
            with M.no_grad():
                lin.weight.copy_(M.tensor(np.reshape(w, (n_out, n_in)), dtype=M.float64))
                if b is not None:
                    lin.bias.copy_(M.tensor(b, dtype=M.float64))
            modules.append(lin)
        else:
            modules.append(getattr(M.nn, layer[0])())
    n_in = spec["layers"][0][1]
    x = M.tensor(np.reshape(spec["x"], (spec["batch"], n_in)), dtype=M.float64)
    name = spec["loss"]
    if name == "NLLLoss":
        modules.append(M.nn.LogSoftmax(dim=1))
    loss = {"MSELoss_sum": lambda: M.nn.MSELoss(reduction="sum")}.get(name, getattr(M.nn, name.split("_")[0]))()
    if name in ("CrossEntropyLoss", "NLLLoss"):
        target = M.tensor(spec["target"], dtype=M.int64)
    else:
        target = M.tensor(np.reshape(spec["target"], (spec["batch"], -1)), dtype=M.float64)
    return M.nn.Sequential(*modules), x, loss, target


def _check_closed_forms(params: list[Any]) -> None:
    try:
        exprs = [e for p in params for e in flatten_expr(p.grad.expr)]
    except symgrad.ExpressionTooLargeError as e:  # the documented limit (deep softplus stacks grow 3x per layer)
        assert "compact()" in str(e)
        return
    point = {s: v for p in params for s, v in zip(flatten_expr(p.expr), np.ravel(p.tolist()))}
    numeric = np.concatenate([np.ravel(p.grad.tolist()) for p in params])
    np.testing.assert_allclose(evaluate_at(exprs, point), numeric, rtol=1e-8, atol=1e-10)


def optimizer(M: Any, name: str, params: Any) -> Any:
    if name == "Adam":
        return M.optim.Adam(params, lr=0.1)
    return M.optim.SGD(params, lr=0.1, momentum=0.9 if name == "SGD_momentum" else 0.0)


@fuzz_settings(ci_examples=60, long_examples=600)
@given(spec=models())
def test_random_models_match_torch_nn(spec):
    ours, x, loss_fn, target = build(symgrad, spec)
    theirs, tx, tloss_fn, ttarget = build(torch, spec)
    out, tout = ours(x), theirs(tx)
    np.testing.assert_allclose(out.tolist(), tout.tolist(), rtol=1e-12, atol=1e-12)
    loss, tloss = loss_fn(out, target), tloss_fn(tout, ttarget)
    assert loss.item() == pytest.approx(tloss.item(), rel=1e-12, abs=1e-12)
    loss.backward()
    tloss.backward()
    params, tparams = list(ours.parameters()), list(theirs.parameters())
    for p, tp in zip(params, tparams):
        np.testing.assert_allclose(p.grad.tolist(), tp.grad.tolist(), rtol=1e-10, atol=1e-12)
    _check_closed_forms(params)
    opt, topt = optimizer(symgrad, spec["optimizer"], params), optimizer(torch, spec["optimizer"], tparams)
    for _ in range(2):
        opt.step()
        topt.step()
    for p, tp in zip(params, tparams):
        np.testing.assert_allclose(p.tolist(), tp.tolist(), rtol=1e-10, atol=1e-12)
