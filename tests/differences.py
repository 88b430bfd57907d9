"""Where symgrad deliberately differs from PyTorch, as data, with the reason.

The conformance table and the differential fuzzer compare symgrad with
PyTorch; a comparison is only ever skipped by naming one of these entries,
and the other oracles (finite differences, closed forms) still apply.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Difference:
    name: str
    symgrad: str
    pytorch: str
    reason: str


DIFFERENCES: dict[str, Difference] = {d.name: d for d in [
    Difference(
        "default_dtype",
        symgrad="floating tensors default to float64 (symgrad.tensor(1.5).dtype is float64)",
        pytorch="float32",
        reason="symgrad's numbers are checked against closed forms and finite differences; float64 keeps "
               "those comparisons meaningful. set_default_dtype(symgrad.float32) gives PyTorch's default."),
    Difference(
        "pow_exponent_zero_second_order",
        symgrad="d2/dxdy x**y at y == 0 is 1/x (the true value; finite differences agree)",
        pytorch="0: pow's backward masks exponent == 0 to 0 and the mask is differentiated as a constant",
        reason="closed forms and higher derivatives must be right where the function is smooth; only 0**0 "
               "needs a guard."),
]}
