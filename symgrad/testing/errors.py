"""``GradcheckError`` and the messages that show where numerical and
analytical Jacobians differ."""

from __future__ import annotations

import numpy as np

from symgrad._tensor import Tensor

__all__ = ["GradcheckError", "mismatch_message", "MAX_LISTED"]

MAX_LISTED = 10  # differing entries listed in a message; the matrices show the rest


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` and ``gradgradcheck`` (a ``RuntimeError``, as PyTorch's)."""


GradcheckError.__module__ = "symgrad.testing"  # where users import it from (shown in tracebacks)


def mismatch_message(what: str, i: int, k: int, numerical: np.ndarray, analytical: np.ndarray,
                     input_shape: tuple[int, ...], output_shape: tuple[int, ...], atol: float, rtol: float) -> str:
    """PyTorch's message (both matrices, rows = input elements, columns =
    output elements) followed by the entries that differ."""
    lines = [f"{what} mismatch for output {i} with respect to input {k},",
             f"numerical:{_show(numerical)}", f"analytical:{_show(analytical)}", "",
             f"(rows: elements of input {k}; columns: elements of output {i})",
             f"Where they differ (|analytical - numerical| > atol + rtol * |numerical|, atol={atol}, rtol={rtol}):"]
    bad = np.argwhere(~np.isclose(analytical, numerical, rtol=rtol, atol=atol))
    worst = sorted(bad.tolist(), key=lambda rc: _size(analytical[tuple(rc)] - numerical[tuple(rc)]))
    for r, c in worst[:MAX_LISTED]:
        n, a = numerical[r, c], analytical[r, c]
        ratio = f", analytical/numerical = {a / n:.6g}" if n != 0 else ""
        lines.append(f"  input{_index(r, input_shape)} -> output{_index(c, output_shape)}: numerical {n:.10g}, "
                     f"analytical {a:.10g} (difference {a - n:.3g}{ratio})")
    if len(worst) > MAX_LISTED:
        lines.append(f"  ... and {len(worst) - MAX_LISTED} more")
    return "\n".join(lines) + "\n"


def _size(difference: float) -> float:
    """Sort key, largest first; nan (nan or inf on a side) before every number."""
    return -np.inf if np.isnan(difference) else -abs(difference)


def _show(m: np.ndarray) -> str:
    return repr(Tensor._make(m))


def _index(flat: int, shape: tuple[int, ...]) -> str:
    if not shape:
        return ""
    return str([int(i) for i in np.unravel_index(flat, shape)])
