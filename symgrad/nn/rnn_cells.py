"""One time step as a layer: ``RNNCell``, ``LSTMCell``, ``GRUCell`` (as
``torch.nn``), for loops written by hand.  Parameters ``weight_ih``,
``weight_hh``, ``bias_ih``, ``bias_hh``, initialised as PyTorch's; the step
is ``rnn_functions``' (the same as the whole-sequence layers')."""

from __future__ import annotations

from typing import Any

from symgrad._tensor import Tensor
from symgrad.creation import empty, zeros
from symgrad.nn import functional as F  # noqa: N812 - PyTorch's convention
from symgrad.nn._checks import check_int, require_tensor
from symgrad.nn.module import Module
from symgrad.nn.parameter import Parameter
from symgrad.nn.rnn import _dtype, _require_floating, _require_input, reset_uniformly
from symgrad.nn.rnn_functions import State, gru_step, lstm_step, rnn_step

__all__ = ["RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


class RNNCellBase(Module):
    """What the cells share: ``num_chunks`` gates of ``hidden_size`` rows in
    each weight, the checks of the input and the state, the unbatched case."""

    _state_parts = 1  # h, or (h, c) for an LSTM cell

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        name = type(self).__name__
        self.input_size = check_int(input_size, f"{name}: input_size")
        self.hidden_size = check_int(hidden_size, f"{name}: hidden_size")
        self.bias = bias
        d = _dtype(device, dtype)
        gates = num_chunks * hidden_size
        self.weight_ih = Parameter(empty(gates, input_size, dtype=d))
        self.weight_hh = Parameter(empty(gates, hidden_size, dtype=d))
        self.register_parameter("bias_ih", Parameter(empty(gates, dtype=d)) if bias else None)
        self.register_parameter("bias_hh", Parameter(empty(gates, dtype=d)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every parameter uniform in ``[-1/sqrt(hidden_size), 1/sqrt(hidden_size)]``, as PyTorch."""
        reset_uniformly(self, self.hidden_size)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _step(self, input_gates: Tensor, state: State) -> State:
        raise NotImplementedError

    def _run(self, input: Any, hx: Any) -> State:
        """Check, add the batch dim of an unbatched call, step, and take it away again."""
        name = type(self).__name__
        given = _require_input(input, name, cell=True)
        if given.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {given.ndim}D instead")
        _require_floating(given, self.weight_ih, name)
        batched = given.ndim == 2
        x = given if batched else given.unsqueeze(0)
        if x.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {x.shape[1]} expected {self.input_size}")
        state = self._state(hx, x, batched)
        out = self._step(F.linear(x, self.weight_ih, self.bias_ih), state)
        return out if batched else tuple(h.squeeze(0) for h in out)

    def _state(self, hx: Any, x: Tensor, batched: bool) -> State:
        """``hx`` checked (zeros when None), with a batch dim."""
        name = type(self).__name__
        if hx is None:
            return (zeros(x.shape[0], self.hidden_size, dtype=x.dtype),) * self._state_parts
        if self._state_parts == 1:
            parts: tuple[Any, ...] = (hx,)
        elif isinstance(hx, (tuple, list)) and len(hx) == 2:
            parts = tuple(hx)
        else:
            raise TypeError(f"{name}: hx must be a tuple (h_0, c_0) of two tensors, not {type(hx).__name__}")
        for j, h in enumerate(parts):
            label = "hidden" if self._state_parts == 1 else f"hx[{j}]"
            if require_tensor(h, name, "hx").ndim not in (1, 2):
                raise ValueError(f"{name}: Expected {label} to be 1D or 2D, got {h.ndim}D instead")
            want = 2 if batched else 1
            if h.ndim != want:
                raise RuntimeError(f"{name}: {label} must be {want}-D for a {want}-D input, got a {h.ndim}-D tensor")
        parts = parts if batched else tuple(h.unsqueeze(0) for h in parts)
        for j, h in enumerate(parts):
            if h.shape[0] != x.shape[0]:
                raise RuntimeError(f"Input batch size {x.shape[0]} doesn't match hidden{j} batch size {h.shape[0]}")
            if h.shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{j} has inconsistent hidden_size: got {h.shape[1]}, expected "
                                   f"{self.hidden_size}")
        return parts


class RNNCell(RNNCellBase):
    """``h' = f(x W_ih^T + b_ih + h W_hh^T + b_hh)``, ``f`` tanh or relu;
    inputs (N, input_size) or (input_size,), ``hx`` zeros when None.

    >>> import symgrad
    >>> from symgrad import nn
    >>> cell = nn.RNNCell(1, 1, bias=False)
    >>> cell
    RNNCell(1, 1, bias=False)
    >>> cell(symgrad.tensor([[2.]], name="x"), symgrad.tensor([[1.]], name="h")).expr
    [[tanh(h[0, 0]*weight_hh[0, 0] + weight_ih[0, 0]*x[0, 0])]]
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def _step(self, input_gates: Tensor, state: State) -> State:
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity} (use 'tanh' or 'relu')")
        return rnn_step(self.nonlinearity)(input_gates, state, (self.weight_hh, self.bias_hh, None))

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._run(input, hx)[0]


class LSTMCell(RNNCellBase):
    """One LSTM step: gates ``i, f, g, o``, ``c' = f*c + i*g``,
    ``h' = o*tanh(c')``; ``hx`` is ``(h, c)`` or None (zeros); returns ``(h', c')``.

    >>> import symgrad
    >>> from symgrad import nn
    >>> cell = nn.LSTMCell(3, 4)
    >>> h, c = cell(symgrad.zeros(2, 3))
    >>> h.shape, c.shape
    (symgrad.Size([2, 4]), symgrad.Size([2, 4]))
    """

    _state_parts = 2

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def _step(self, input_gates: Tensor, state: State) -> State:
        return lstm_step(input_gates, state, (self.weight_hh, self.bias_hh, None))

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        h, c = self._run(input, hx)
        return h, c


class GRUCell(RNNCellBase):
    """One GRU step: gates ``r, z, n``, ``h' = (1 - z)*n + z*h``; ``hx`` zeros when None.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.GRUCell(3, 4)(symgrad.zeros(3)).shape
    symgrad.Size([4])
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def _step(self, input_gates: Tensor, state: State) -> State:
        return gru_step(input_gates, state, (self.weight_hh, self.bias_hh, None))

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._run(input, hx)[0]
