"""The functions of rows 4 and 5 in CasADi's SX (scalar expression graphs),
the tool the issue names as the speed reference for emitting gradient code.
"""

from __future__ import annotations

from typing import Any

from benchmarks.peers import peer


def build(name: str, size: int) -> tuple[Any, Any]:
    """``(f, x)``: a scalar SX expression and the SX column of its variables."""
    ca = peer("casadi")
    from benchmarks.workloads.functions import MLP_X, MLP_Y

    if name in ("rosenbrock_vector", "rosenbrock_scalars"):
        x = ca.SX.sym("x", size)
        return ca.sum1(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2), x
    if name == "product":
        x = ca.SX.sym("x", size)
        f = x[0]
        for i in range(1, size):
            f = f * x[i]
        return f, x
    if name == "mlp":
        W1, b1 = ca.SX.sym("W1", size, 1), ca.SX.sym("b1", size)
        W2, b2 = ca.SX.sym("W2", 1, size), ca.SX.sym("b2", 1)
        X, Y = ca.DM(MLP_X.T), ca.DM(MLP_Y.T)  # one column per point
        H = ca.tanh(ca.mtimes(W1, X) + ca.repmat(b1, 1, X.shape[1]))
        residual = ca.mtimes(W2, H) + ca.repmat(b2, 1, X.shape[1]) - Y
        return ca.sumsqr(residual) / X.shape[1], ca.vertcat(ca.vec(W1), b1, ca.vec(W2), b2)
    if name == "sin_chain":
        x = ca.SX.sym("x")
        y = x
        for _ in range(size):
            y = ca.sin(x * y)
        return y, x
    raise ValueError(f"unknown function {name!r}")


def emit(name: str, size: int) -> str:
    """Build, take the gradient, make the value-and-gradient Function and print its C code."""
    ca = peer("casadi")
    f, x = build(name, size)
    function = ca.Function("value_and_grad", [x], [f, ca.gradient(f, x)])
    generator = ca.CodeGenerator("value_and_grad")
    generator.add(function)
    return str(generator.dump())


def _operations(function: Any) -> int:
    ca = peer("casadi")
    bookkeeping = {ca.OP_INPUT, ca.OP_OUTPUT, ca.OP_CONST, ca.OP_PARAMETER}
    return sum(function.instruction_id(k) not in bookkeeping for k in range(function.n_instructions()))


def program_sizes(name: str, size: int) -> tuple[int, int]:
    """Operations (SX instructions other than inputs, outputs and constants) of f and of (f, grad f)."""
    ca = peer("casadi")
    f, x = build(name, size)
    return (_operations(ca.Function("f", [x], [f])),
            _operations(ca.Function("value_and_grad", [x], [f, ca.gradient(f, x)])))
