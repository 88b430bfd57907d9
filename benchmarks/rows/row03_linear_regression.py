"""Row 3: the seed's linear regression, 100 epochs, eager (symgrad.nn/optim
against torch.nn/optim), and as a generated training step (NumPy code from
``symgrad.gradient_function`` plus the SGD update) against PyTorch eager."""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks.config import Config
from benchmarks.peers import PeerMissingError, peer, require_codegen, version
from benchmarks.result import Line, Target, skipped, timed_line
from benchmarks.timing import interleaved, once
from benchmarks.workloads.seed import X_TRAIN, Y_TRAIN, make_model, seed_loop

NUMBER = 3
TITLE = "the seed's linear regression, 100 epochs"
EAGER = Target("<=", 1.0, "<= 1.0x PyTorch")
GENERATED = Target("<=", 0.1, "<= 0.1x PyTorch")
EPOCHS = 100
LR = 0.01


def eager(dtype: Any) -> Any:
    import symgrad
    from symgrad import nn, optim

    def run() -> float:
        previous = symgrad.get_default_dtype()
        symgrad.set_default_dtype(dtype)
        try:
            return seed_loop(symgrad, nn, optim, EPOCHS)
        finally:
            symgrad.set_default_dtype(previous)
    return run


def generated_step() -> tuple[Any, list[np.ndarray]]:
    """The seed's loss as a generated value-and-gradient function, and the initial weights."""
    import symgrad
    from symgrad import nn

    model = make_model(symgrad, nn)
    loss = nn.MSELoss()(model(symgrad.from_numpy(X_TRAIN)), symgrad.from_numpy(Y_TRAIN))
    params = list(model.parameters())
    return symgrad.gradient_function(loss, params), [np.array(p.detach().numpy()) for p in params]


def generated_loop(step: Any, initial: list[np.ndarray]) -> float:
    """100 epochs of the generated step and the SGD update, on NumPy arrays."""
    weights = [w.copy() for w in initial]
    loss = 0.0
    for _ in range(EPOCHS):
        loss, grads = step(*weights)
        for w, g in zip(weights, grads):
            w -= LR * g
    return float(loss)


def run(config: Config) -> list[Line]:
    import symgrad

    cases = ("eager, symgrad float64 default", "eager, symgrad float32 default", "generated training step")
    try:
        torch = peer("torch")
    except PeerMissingError as missing:
        return [skipped(NUMBER, case, EAGER if "eager" in case else GENERATED, str(missing)) for case in cases]
    contenders = {"float64": eager(symgrad.float64), "float32": eager(symgrad.float32),
                  "torch": lambda: seed_loop(torch, torch.nn, torch.optim, EPOCHS)}
    try:
        require_codegen()
    except PeerMissingError as missing:
        no_codegen = skipped(NUMBER, cases[2], GENERATED, str(missing))
    else:
        generation = once(generated_step)
        step, initial = generated_step()
        contenders["generated"] = lambda: generated_loop(step, initial)
    times = interleaved(contenders, config.timing)
    baseline = f"PyTorch {version('torch')} eager"
    lines = [timed_line(NUMBER, cases[0], EAGER, times["float64"], times["torch"], baseline),
             timed_line(NUMBER, cases[1], EAGER, times["float32"], times["torch"], baseline)]
    if "generated" not in times:
        return [*lines, no_codegen]
    return [*lines, timed_line(NUMBER, cases[2], GENERATED, times["generated"], times["torch"], baseline,
                               note=f"generating the step took {generation * 1e3:.0f} ms once (not in the loop "
                                    f"time); final loss {generated_loop(step, initial):.4g}")]
