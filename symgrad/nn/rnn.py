"""Recurrent layers as ``torch.nn``: ``RNN`` (tanh or relu), ``LSTM`` (with
``proj_size``), ``GRU`` over whole sequences (``num_layers``, ``bias``,
``batch_first``, ``dropout`` between layers, ``bidirectional``; padded
tensors or ``PackedSequence``), and the single-step ``RNNCell``,
``LSTMCell``, ``GRUCell``.

Parameters have PyTorch's names (``weight_ih_l0``, ``bias_hh_l1_reverse``,
``weight_hr_l0``; ``weight_ih`` ... for cells), shapes, order and
initialisation (every one uniform in ``[-1/sqrt(hidden_size),
1/sqrt(hidden_size)]``), so ``load_state_dict(torch_model.state_dict())``
copies a PyTorch model.  Each time step is composed of symgrad ops
(``rnn_functions.py``): outputs have closed forms in the parameters and the
inputs, and gradients are backpropagation through time.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import symgrad.ops as ops
from symgrad import dtypes as _dt
from symgrad._tensor import Tensor
from symgrad.creation import empty, zeros
from symgrad.device import device as _device
from symgrad.nn import functional as F  # noqa: N812 - PyTorch's convention
from symgrad.nn import init
from symgrad.nn._checks import require_tensor
from symgrad.nn.module import Module
from symgrad.nn.parameter import Parameter
from symgrad.nn.rnn_functions import State, Weights, run_direction, run_packed_direction, step_for
from symgrad.nn.utils.rnn import PackedSequence

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "reset_uniformly"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _dtype(device: Any, dtype: Any) -> Any:
    if device is not None:
        _device(device)
    return _dt.get_default_dtype() if dtype is None else _dt.as_dtype(dtype)


def _check_type(value: Any, kind: type, what: str) -> None:
    """PyTorch's type checks of the sizes and flags (bool is not an int here)."""
    wrong = isinstance(value, bool) != (kind is bool) or not isinstance(value, kind)
    if wrong:
        raise TypeError(f"{what} should be of type {kind.__name__}, got: {type(value).__name__}")


def _require_input(input: Any, name: str, cell: bool = False) -> Tensor:
    """``input`` if it is a tensor; a packed sequence that cannot be read here gets an error naming the fix."""
    if hasattr(input, "batch_sizes") and hasattr(input, "data"):
        if cell:
            raise TypeError(f"{name} takes one time step (N, input_size), not a PackedSequence; run the whole "
                            "sequence through nn.RNN, nn.LSTM or nn.GRU")
        # another library's PackedSequence (ours was handled before)
        raise TypeError(f"{name}: expected a symgrad PackedSequence or Tensor, got a {type(input).__module__}."
                        f"{type(input).__name__}; pack symgrad tensors with "
                        "symgrad.nn.utils.rnn.pack_padded_sequence or pack_sequence")
    return require_tensor(input, name)


def _require_floating(input: Tensor, weight: Tensor, name: str) -> None:
    if not input.is_floating_point():
        raise ValueError(f"{name} input dtype ({input.dtype}) does not match weight dtype ({weight.dtype}). Convert "
                         f"input: input.to({weight.dtype}) (an RNN reads floating numbers; pass token indices "
                         "through nn.Embedding first)")


class RNNBase(Module):
    """What ``RNN``, ``LSTM`` and ``GRU`` share (PyTorch's ``RNNBase``):
    parameters per layer and direction, checks, and the loop over layers."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self._check_arguments(input_size, hidden_size, num_layers, bias, batch_first, dropout, proj_size)
        self.mode, self.input_size, self.hidden_size, self.num_layers = mode, input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        d = _dtype(device, dtype)
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            for direction in range(self._directions):
                self._all_weights.append(self._register_layer(layer, direction, d))
        self._flat_weights_names = [name for names in self._all_weights for name in names]
        self.reset_parameters()

    @staticmethod
    def _check_arguments(input_size: Any, hidden_size: Any, num_layers: Any, bias: Any, batch_first: Any,
                         dropout: Any, proj_size: Any) -> None:
        if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) or not 0 <= dropout <= 1:  # type: ignore[operator]
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an element "
                             "being zeroed")
        if dropout > 0 and num_layers == 1:  # type: ignore[operator]
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                          UserWarning, stacklevel=4)
        _check_type(bias, bool, "bias")
        _check_type(batch_first, bool, "batch_first")
        for value, what in ((input_size, "input_size"), (hidden_size, "hidden_size"), (num_layers, "num_layers"),
                            (proj_size, "proj_size")):
            _check_type(value, int, what)
        for value, what in ((input_size, "input_size"), (hidden_size, "hidden_size"), (num_layers, "num_layers")):
            if value <= 0:
                raise ValueError(f"{what} must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")

    @property
    def _directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def _output_size(self) -> int:
        """The size of ``h``: ``proj_size`` when an LSTM projects it, else ``hidden_size``."""
        return self.proj_size or self.hidden_size

    def _register_layer(self, layer: int, direction: int, dtype: Any) -> list[str]:
        """Register one layer's parameters for one direction, in PyTorch's order; returns their names."""
        gates = _GATES[self.mode] * self.hidden_size
        inputs = self.input_size if layer == 0 else self._output_size * self._directions
        shapes: dict[str, tuple[int, ...]] = {"weight_ih": (gates, inputs), "weight_hh": (gates, self._output_size)}
        if self.bias:
            shapes.update(bias_ih=(gates,), bias_hh=(gates,))
        if self.proj_size:
            shapes["weight_hr"] = (self.proj_size, self.hidden_size)
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        for name, shape in shapes.items():
            self.register_parameter(name + suffix, Parameter(empty(*shape, dtype=dtype)))
        return [name + suffix for name in shapes]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters of each layer and direction, in PyTorch's order."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def reset_parameters(self) -> None:
        """Every parameter uniform in ``[-1/sqrt(hidden_size), 1/sqrt(hidden_size)]``, as PyTorch."""
        reset_uniformly(self, self.hidden_size)

    # ------------------------------------------------------------ forward

    def forward(self, input: Any, hx: Any = None) -> tuple[Any, Any]:
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        name = type(self).__name__
        x = _require_input(input, name)
        if x.ndim not in (2, 3):
            raise ValueError(self._dims_message(x.ndim))
        _require_floating(x, self.weight_ih_l0, "RNN")
        batched = x.ndim == 3
        sequence = x.transpose(0, 1) if batched and self.batch_first else x
        if not batched:
            sequence = sequence.unsqueeze(1)
        self._check_sequence(sequence)
        states = self._initial_states(hx, sequence.shape[1], sequence.dtype, batched)
        output, finals = self._layers(sequence, states)
        hidden = self._stacked(finals)
        if not batched:
            output, hidden = output.squeeze(1), tuple(h.squeeze(1) for h in hidden)
        elif self.batch_first:
            output = output.transpose(0, 1)
        return output, hidden if self.mode == "LSTM" else hidden[0]

    def _forward_packed(self, input: PackedSequence, hx: Any) -> tuple[PackedSequence, Any]:
        """A packed batch: every layer runs on the packed data, each sequence up to its own length; ``hx`` and
        the final states are in the batch's order (permuted by ``sorted_indices`` and back, as PyTorch)."""
        data, batch_sizes, sorted_indices, unsorted_indices = input
        if data.ndim != 2:
            raise RuntimeError(f"input must have 2 dimensions, got {data.ndim}")
        _require_floating(data, self.weight_ih_l0, "RNN")
        if data.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {data.shape[-1]}")
        sizes = [int(b) for b in batch_sizes.tolist()]
        states = self._initial_states(hx, sizes[0], data.dtype, True, sorted_indices)
        output, finals = self._layers(data, states, sizes)
        hidden = self._stacked(finals)
        if unsorted_indices is not None:
            hidden = tuple(h.index_select(1, unsorted_indices) for h in hidden)
        packed = PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices)
        return packed, hidden if self.mode == "LSTM" else hidden[0]

    @staticmethod
    def _stacked(finals: list[State]) -> tuple[Tensor, ...]:
        """The final states of every layer and direction stacked: ``(h_n,)`` or ``(h_n, c_n)``."""
        return tuple(ops.stack([state[j] for state in finals], 0) for j in range(len(finals[0])))

    def _dims_message(self, ndim: int) -> str:
        ending = "instead" if self.mode in ("LSTM", "GRU") else "tensor instead"
        return f"{type(self).__name__}: Expected input to be 2D or 3D, got {ndim}D {ending}"

    def _check_sequence(self, sequence: Tensor) -> None:
        if sequence.shape[0] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        if sequence.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {sequence.shape[-1]}")

    def _state_sizes(self) -> tuple[int, ...]:
        """The last dim of each part of the state: ``(h,)``, or ``(h, c)`` for an LSTM."""
        return (self._output_size, self.hidden_size) if self.mode == "LSTM" else (self._output_size,)

    def _initial_states(self, hx: Any, batch: int, dtype: Any, batched: bool,
                        order: Tensor | None = None) -> list[State]:
        """``hx`` (zeros when None) checked, its batch put in ``order`` (a packed batch's
        ``sorted_indices``), as one state per layer and direction."""
        count = self.num_layers * self._directions
        sizes = self._state_sizes()
        if hx is None:
            parts = tuple(zeros(count, batch, size, dtype=dtype) for size in sizes)
        else:
            parts = self._given_state(hx, batched)
            for j, (part, size) in enumerate(zip(parts, sizes)):
                label = "hidden" if len(sizes) == 1 else f"hidden[{j}]"
                if tuple(part.shape) != (count, batch, size):
                    raise RuntimeError(f"Expected {label} size {(count, batch, size)}, got {list(part.shape)} "
                                       "(num_layers * num_directions, batch, hidden size)")
            if order is not None:
                parts = tuple(part.index_select(1, order) for part in parts)
        return [tuple(part[k] for part in parts) for k in range(count)]

    def _given_state(self, hx: Any, batched: bool) -> tuple[Tensor, ...]:
        """``hx`` as a tuple of 3-d tensors (an unbatched one gets its batch dim)."""
        want = 3 if batched else 2
        kind = "batched 3-D" if batched else "unbatched 2-D"
        if self.mode == "LSTM":
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError(f"LSTM: hx must be a tuple (h_0, c_0) of two tensors, not {type(hx).__name__}")
            parts = tuple(require_tensor(h, "LSTM", "hx") for h in hx)
            if any(h.ndim != want for h in parts):
                raise RuntimeError(f"For {kind} input, hx and cx should also be {want}-D but got "
                                   f"({parts[0].ndim}-D, {parts[1].ndim}-D) tensors")
        else:
            parts = (require_tensor(hx, type(self).__name__, "hx"),)
            if parts[0].ndim != want:
                raise RuntimeError(f"For {kind} input, hx should also be {want}-D but got {parts[0].ndim}-D tensor")
        return parts if batched else tuple(h.unsqueeze(1) for h in parts)

    def _layers(self, sequence: Tensor, states: list[State],
                batch_sizes: list[int] | None = None) -> tuple[Tensor, list[State]]:
        """Run every layer and direction; the last layer's outputs (L, N, D*H_out), or packed
        (sum(batch_sizes), D*H_out) for a packed ``sequence``, and every final state."""
        step = step_for(self.mode)
        x, finals = sequence, []
        for layer in range(self.num_layers):
            if layer > 0 and self.training and self.dropout > 0:
                x = F.dropout(x, self.dropout, training=True)
            outputs = []
            for direction in range(self._directions):
                k = layer * self._directions + direction
                w_ih, b_ih, weights = self._layer_weights(k)
                gates = F.linear(x, w_ih, b_ih)  # the input's share of every time step's gates at once
                if batch_sizes is None:
                    seq, final = run_direction(step, gates, states[k], weights, reverse=direction == 1)
                    outputs.append(ops.stack(list(seq), 0))
                else:
                    packed, final = run_packed_direction(step, gates, batch_sizes, states[k], weights,
                                                         reverse=direction == 1)
                    outputs.append(packed)
                finals.append(final)
            x = outputs[0] if len(outputs) == 1 else ops.cat(outputs, -1)
        return x, finals

    def _layer_weights(self, k: int) -> tuple[Tensor, Tensor | None, Weights]:
        """``weight_ih``, ``bias_ih`` and the step's weights of layer-and-direction ``k``."""
        params = dict(zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh") if self.bias else ("weight_ih", "weight_hh"),
                          self.all_weights[k]))
        w_hr = self.all_weights[k][-1] if self.proj_size else None
        return params["weight_ih"], params.get("bias_ih"), (params["weight_hh"], params.get("bias_hh"), w_hr)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


def reset_uniformly(module: Module, hidden_size: int) -> None:
    """Every parameter of ``module`` uniform in ``[-1/sqrt(hidden_size), 1/sqrt(hidden_size)]``,
    in registration order (PyTorch's draws, from symgrad's generator)."""
    bound = 1.0 / math.sqrt(hidden_size) if hidden_size > 0 else 0
    for weight in module.parameters():
        init.uniform_(weight, -bound, bound)


class RNN(RNNBase):
    """Elman RNN: ``h_t = f(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` with
    ``f`` tanh or relu (``nonlinearity``), over sequences (L, N, H_in), or
    (N, L, H_in) with ``batch_first``, or unbatched (L, H_in).  Returns
    ``(output, h_n)``: every time step's ``h`` of the last layer, and the last
    ``h`` of every layer and direction.

    >>> import symgrad
    >>> from symgrad import nn
    >>> rnn = nn.RNN(3, 4, num_layers=2, bidirectional=True)
    >>> rnn
    RNN(3, 4, num_layers=2, bidirectional=True)
    >>> output, h_n = rnn(symgrad.zeros(5, 2, 3))
    >>> output.shape, h_n.shape
    (symgrad.Size([5, 2, 8]), symgrad.Size([4, 2, 4]))
    >>> [name for name, _ in rnn.named_parameters()][:4]
    ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']
    >>> cell = nn.RNN(1, 1, bias=False)
    >>> cell(symgrad.tensor([[1.], [2.]], name="x"))[1].expr
    [[tanh(weight_hh_l0[0, 0]*tanh(weight_ih_l0[0, 0]*x[0, 0]) + weight_ih_l0[0, 0]*x[1, 0])]]
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device: Any = None, dtype: Any = None, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if kwargs:
            raise TypeError(f"RNN.__init__() got unexpected keyword arguments {sorted(kwargs)}")
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size, num_layers,
                         bias, batch_first, dropout, bidirectional, 0, device, dtype)


class LSTM(RNNBase):
    """Long short-term memory over sequences (see ``RNN`` for the shapes):
    gates ``i, f, g, o`` (PyTorch's order in ``weight_ih_l0``' rows),
    ``c_t = f*c_{t-1} + i*g``, ``h_t = o*tanh(c_t)`` (times ``weight_hr`` with
    ``proj_size``).  ``hx`` is ``(h_0, c_0)`` or None (zeros); returns
    ``(output, (h_n, c_n))``.

    >>> import symgrad
    >>> from symgrad import nn
    >>> lstm = nn.LSTM(3, 4, batch_first=True)
    >>> lstm
    LSTM(3, 4, batch_first=True)
    >>> output, (h_n, c_n) = lstm(symgrad.zeros(2, 5, 3))
    >>> output.shape, h_n.shape, c_n.shape
    (symgrad.Size([2, 5, 4]), symgrad.Size([1, 2, 4]), symgrad.Size([1, 2, 4]))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device, dtype)


class GRU(RNNBase):
    """Gated recurrent unit over sequences (see ``RNN`` for the shapes): gates
    ``r, z, n`` (PyTorch's order), ``n_t = tanh(x_n + r*(h W_hn^T + b_hn))``,
    ``h_t = (1 - z)*n_t + z*h_{t-1}``.  Returns ``(output, h_n)``.

    >>> import symgrad
    >>> from symgrad import nn
    >>> gru = nn.GRU(3, 4, bias=False)
    >>> gru
    GRU(3, 4, bias=False)
    >>> gru(symgrad.zeros(5, 3))[0].shape
    symgrad.Size([5, 4])
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device: Any = None, dtype: Any = None, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if kwargs:
            raise TypeError(f"GRU.__init__() got unexpected keyword arguments {sorted(kwargs)}")
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, 0,
                         device, dtype)
