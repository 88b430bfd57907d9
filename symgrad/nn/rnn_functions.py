"""One time step of the recurrent cells, composed of ``linear``, ``sigmoid``
and ``tanh`` (PyTorch's formulas and gate orders), and the loop over a
sequence in one direction.  Being compositions, their closed forms read as
the textbook equations and their gradients are backpropagation through time.

A step takes the input's share of the gates already computed
(``linear(x_t, weight_ih, bias_ih)``: for a whole sequence that is one
``linear`` of every time step at once) and the state, a tuple: ``(h,)`` for
RNN and GRU cells, ``(h, c)`` for LSTM cells.

Packed sequences (``run_packed_direction``) run the step on the sequences
that reach each time step only: the rows of the other sequences keep their
state (their final one going forward; the initial one going backward, where
a shorter sequence starts later), so each sequence's final state is the one
at its own length, as PyTorch's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import symgrad.ops as ops
from symgrad._tensor import Tensor
from symgrad.nn.functional import linear

__all__ = ["State", "Weights", "rnn_step", "lstm_step", "gru_step", "step_for", "run_direction",
           "run_packed_direction"]

State = tuple[Tensor, ...]
# weight_hh, bias_hh (or None) and, for an LSTM with proj_size, weight_hr
Weights = tuple[Tensor, "Tensor | None", "Tensor | None"]
Step = Callable[[Tensor, State, Weights], State]


def _chunks(gates: Tensor, n: int) -> list[Tensor]:
    """The ``n`` equal parts of the last dim (the gates, in PyTorch's order)."""
    size = gates.shape[-1] // n
    return [gates[..., k * size:(k + 1) * size] for k in range(n)]


def rnn_step(nonlinearity: str) -> Step:
    """``h' = f(x W_ih^T + b_ih + h W_hh^T + b_hh)`` with ``f`` tanh or relu."""
    activation = ops.tanh if nonlinearity == "tanh" else ops.relu

    def step(input_gates: Tensor, state: State, weights: Weights) -> State:
        w_hh, b_hh, _ = weights
        return (activation(input_gates + linear(state[0], w_hh, b_hh)),)
    return step


def lstm_step(input_gates: Tensor, state: State, weights: Weights) -> State:
    """Gates i, f, g, o: ``c' = f*c + i*g``, ``h' = o*tanh(c')`` (then ``h' W_hr^T`` with a projection)."""
    w_hh, b_hh, w_hr = weights
    h, c = state
    i, f, g, o = _chunks(input_gates + linear(h, w_hh, b_hh), 4)
    c_next = ops.sigmoid(f) * c + ops.sigmoid(i) * ops.tanh(g)
    h_next = ops.sigmoid(o) * ops.tanh(c_next)
    return (h_next if w_hr is None else linear(h_next, w_hr), c_next)


def gru_step(input_gates: Tensor, state: State, weights: Weights) -> State:
    """Gates r, z, n: ``n = tanh(x_n + r*(h W_hn^T + b_hn))``, ``h' = n + z*(h - n)``
    (PyTorch's arrangement of ``(1 - z)*n + z*h``)."""
    w_hh, b_hh, _ = weights
    (h,) = state
    x_r, x_z, x_n = _chunks(input_gates, 3)
    h_r, h_z, h_n = _chunks(linear(h, w_hh, b_hh), 3)
    r = ops.sigmoid(x_r + h_r)
    z = ops.sigmoid(x_z + h_z)
    n = ops.tanh(x_n + r * h_n)
    return (n + z * (h - n),)


def step_for(mode: str) -> Step:
    """The step of PyTorch's mode names: ``"RNN_TANH"``, ``"RNN_RELU"``, ``"LSTM"``, ``"GRU"``."""
    steps: dict[str, Step] = {"RNN_TANH": rnn_step("tanh"), "RNN_RELU": rnn_step("relu"), "LSTM": lstm_step,
                              "GRU": gru_step}
    return steps[mode]


def run_direction(step: Step, input_gates: Tensor, state: State, weights: Weights,
                  reverse: bool) -> tuple[Sequence[Tensor], State]:
    """Run ``step`` over the time steps (dim 0) of ``input_gates``, last to first
    when ``reverse``; returns each time step's ``h`` in time order, and the last state."""
    outputs: list[Tensor] = []
    times = range(input_gates.shape[0])
    for t in reversed(times) if reverse else times:
        state = step(input_gates[t], state, weights)
        outputs.append(state[0])
    return outputs[::-1] if reverse else outputs, state


def run_packed_direction(step: Step, input_gates: Tensor, batch_sizes: Sequence[int], state: State,
                         weights: Weights, reverse: bool) -> tuple[Tensor, State]:
    """Run ``step`` over packed ``input_gates`` (time ``t``'s rows are the first
    ``batch_sizes[t]`` sequences, longest first), last time step first when
    ``reverse``; returns the packed ``h`` of every step and each sequence's last state."""
    offsets = [0]
    for size in batch_sizes:
        offsets.append(offsets[-1] + size)
    full = state[0].shape[0]
    outputs: list[Tensor] = [input_gates] * len(batch_sizes)
    times = range(len(batch_sizes))
    for t in reversed(times) if reverse else times:
        b = batch_sizes[t]
        active = state if b == full else tuple(part[:b] for part in state)
        stepped = step(input_gates[offsets[t]:offsets[t + 1]], active, weights)
        outputs[t] = stepped[0]
        # the rows past b are the sequences that ended (forward) or have not started (reverse)
        state = stepped if b == full else tuple(ops.cat([new, part[b:]], 0) for new, part in zip(stepped, state))
    return ops.cat(outputs, 0), state
