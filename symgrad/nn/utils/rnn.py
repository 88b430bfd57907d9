"""Packed sequences, as ``torch.nn.utils.rnn``: a batch of sequences of
different lengths stored time step by time step without padding
(``PackedSequence``), and the functions between that, padded batches and
lists of sequences.  ``nn.RNN``, ``LSTM`` and ``GRU`` read a
``PackedSequence`` and return one.

Every conversion is one gather at constant positions (``index_select``,
with a constant row holding ``padding_value`` where padding is written), so
gradients flow back to the elements that were read, and padding is a number
in the closed form.  Positions are computed from the lengths with NumPy.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

import symgrad.ops as ops
from symgrad import dtypes as _dt
from symgrad._tensor import Tensor
from symgrad.creation import full, tensor
from symgrad.nn._checks import require_tensor

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "pack_sequence", "unpad_sequence", "unpack_sequence"]


class _PackedFields(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(_PackedFields):
    """Sequences of different lengths, time step by time step: ``data`` holds
    every sequence's first element, then every second element of the
    sequences that have one, ...; ``batch_sizes[t]`` is how many sequences
    reach time ``t``.  Within a time step the sequences are in decreasing
    order of length; ``sorted_indices`` (None when the batch was given
    sorted) maps that order to the batch's, ``unsorted_indices`` back.

    Build one with ``pack_padded_sequence`` or ``pack_sequence``, as in
    PyTorch, rather than by hand.

    >>> import symgrad
    >>> from symgrad.nn.utils.rnn import pack_sequence
    >>> packed = pack_sequence([symgrad.tensor([1., 2., 3.]), symgrad.tensor([4., 5.])])
    >>> packed
    PackedSequence(data=tensor([1., 4., 2., 5., 3.]), batch_sizes=tensor([2, 2, 1]), sorted_indices=None, unsorted_indices=None)
    >>> data, batch_sizes, _, _ = packed
    """

    def __new__(cls, data: Any, batch_sizes: Any = None, sorted_indices: Any = None,
                unsorted_indices: Any = None) -> PackedSequence:
        if batch_sizes is None:  # PyTorch also takes the pair (data, batch_sizes) as one argument
            if not isinstance(data, (tuple, list)) or len(data) != 2:
                raise TypeError("PackedSequence(data, batch_sizes, sorted_indices=None, unsorted_indices=None): "
                                "batch_sizes is missing")
            data, batch_sizes = data
        require_tensor(data, "PackedSequence", "data")
        sizes = _int64(batch_sizes, "batch_sizes")
        if sizes.ndim != 1 or sizes.numel() == 0 or bool((sizes.numpy()[1:] > sizes.numpy()[:-1]).any()):
            raise ValueError(f"PackedSequence: batch_sizes must be a non-empty 1-D int64 tensor in non-increasing "
                             f"order (the number of sequences at each time step), got {sizes.tolist()}")
        if sorted_indices is not None:
            sorted_indices = _int64(sorted_indices, "sorted_indices")
            if unsorted_indices is None:
                unsorted_indices = invert_permutation(sorted_indices)
        if unsorted_indices is not None:
            unsorted_indices = _int64(unsorted_indices, "unsorted_indices")
        return super().__new__(cls, data, sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """The same sequence with ``data.to(*args, **kwargs)`` (dtype or device)."""
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else type(self)(data, *self[1:])

    def cpu(self) -> PackedSequence:
        return self

    def double(self) -> PackedSequence:
        return self.to(_dt.float64)

    def float(self) -> PackedSequence:
        return self.to(_dt.float32)

    def half(self) -> PackedSequence:
        return self.to(_dt.float16)

    @property
    def is_cuda(self) -> bool:
        return False


def _int64(value: Any, what: str) -> Tensor:
    """``value`` (a tensor, array or list of whole numbers) as an int64 tensor; refuses fractions."""
    if isinstance(value, Tensor) and value.dtype == _dt.int64:
        return value
    array = np.asarray(value.numpy() if isinstance(value, Tensor) else value)
    if array.dtype == np.bool_ or not (np.issubdtype(array.dtype, np.integer)
                                       or (np.issubdtype(array.dtype, np.floating)
                                           and bool(np.all(array == np.round(array))))):
        raise TypeError(f"{what} must hold whole numbers (an int64 tensor or a list of ints), got {array.tolist()!r}")
    return tensor(array.astype(np.int64), dtype=_dt.int64)


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The permutation that undoes ``permutation`` (None stays None).

    >>> import symgrad
    >>> from symgrad.nn.utils.rnn import invert_permutation
    >>> invert_permutation(symgrad.tensor([2, 0, 1]))
    tensor([1, 2, 0])
    """
    if permutation is None:
        return None
    order = permutation.numpy()
    inverse = np.empty_like(order)
    inverse[order] = np.arange(order.size)
    return tensor(inverse, dtype=_dt.int64)


def _lengths(lengths: Any) -> np.ndarray:
    """``lengths`` as a 1-d int64 array (PyTorch's checks)."""
    array = _int64(lengths, "lengths").numpy()
    if array.ndim != 1:
        raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got {array.ndim}D cpu Long "
                           "tensor")
    return array


def pack_padded_sequence(input: Tensor, lengths: Any, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) (or (B, T, *) with ``batch_first``) of
    sequences of ``lengths``: the padding is dropped.  With
    ``enforce_sorted=True`` the lengths must be in decreasing order; with
    False the batch is sorted here and ``sorted_indices`` remembers how.

    >>> import symgrad
    >>> from symgrad.nn.utils.rnn import pack_padded_sequence
    >>> x = symgrad.tensor([[1., 4.], [2., 5.], [3., 0.]])   # two sequences, lengths 3 and 2
    >>> pack_padded_sequence(x, [3, 2]).data
    tensor([1., 4., 2., 5., 3.])
    >>> pack_padded_sequence(x[:, [1, 0]], [2, 3], enforce_sorted=False).sorted_indices
    tensor([1, 0])
    """
    require_tensor(input, "pack_padded_sequence")
    if input.ndim < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of [-1, 0], but got 1): "
                         f"pack_padded_sequence needs a (T, B, *) input, got shape {list(input.shape)}")
    sizes = _lengths(lengths)
    steps, batch = (input.shape[1], input.shape[0]) if batch_first else (input.shape[0], input.shape[1])
    if sizes.size != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {sizes.size} "
                           f"(batch_size={batch})")
    if enforce_sorted:
        if bool((sizes[1:] > sizes[:-1]).any()):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
                               "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
                               "sidestep this requirement if you do not need ONNX exportability.")
        order, sorted_indices = np.arange(batch), None
    else:
        order = np.argsort(-sizes, kind="stable")  # ties keep their order, as PyTorch's sort
        sorted_indices = tensor(order, dtype=_dt.int64)
    if sizes.size and sizes.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' that "
                           "is <= 0")
    if sizes.size and sizes.max() > steps:  # PyTorch reads past the input here; refused instead
        raise RuntimeError(f"pack_padded_sequence: a length of {sizes.max()} is more than the input's {steps} time "
                           f"steps; pass the lengths of the sequences in this batch")
    batch_sizes = (sizes[None, :] > np.arange(int(sizes.max()))[:, None]).sum(axis=1)
    # flat positions of (t, sorted b) in the input read as (T*B, *) or (B*T, *)
    times = np.repeat(np.arange(batch_sizes.size), batch_sizes)
    ranks = np.concatenate([order[:b] for b in batch_sizes])
    flat = ranks * steps + times if batch_first else times * batch + ranks
    rows = input.reshape(steps * batch, *input.shape[2:])
    data = rows.index_select(0, tensor(flat, dtype=_dt.int64))
    return PackedSequence(data, tensor(batch_sizes, dtype=_dt.int64), sorted_indices, None)


def _check_padding_value(padding_value: Any) -> float:
    if not isinstance(padding_value, numbers.Real):
        raise TypeError(f"padding_value must be a number, got {type(padding_value).__name__}")
    return padding_value  # type: ignore[return-value]


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """The inverse of ``pack_padded_sequence``: a padded batch (T, B, *) (or
    (B, T, *) with ``batch_first``) in the original order of the batch, padded
    with ``padding_value`` to the longest length (or to ``total_length``), and
    the lengths (int64).

    >>> import symgrad
    >>> from symgrad.nn.utils.rnn import pack_sequence, pad_packed_sequence
    >>> packed = pack_sequence([symgrad.tensor([1., 2.]), symgrad.tensor([3., 4., 5.])], enforce_sorted=False)
    >>> pad_packed_sequence(packed, batch_first=True, padding_value=-1)
    (tensor([[ 1.,  2., -1.],
            [ 3.,  4.,  5.]]), tensor([2, 3]))
    """
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"pad_packed_sequence(): sequence must be a symgrad PackedSequence (from "
                        f"pack_padded_sequence or pack_sequence), not {type(sequence).__name__}")
    _check_padding_value(padding_value)
    data, sizes = sequence.data, sequence.batch_sizes.numpy()
    steps, batch = sizes.size, int(sizes[0])
    if total_length is not None:
        if total_length < steps:
            raise ValueError(f"Expected total_length to be at least the length of the longest sequence in input, "
                             f"but got total_length={total_length} and max sequence length being {steps}")
        steps = int(total_length)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    sorted_lengths = (sizes[None, :] > np.arange(batch)[:, None]).sum(axis=1)
    rank = np.arange(batch) if sequence.unsorted_indices is None else sequence.unsorted_indices.numpy()
    t = np.arange(steps)[:, None]
    padded_rows = t >= sorted_lengths[rank][None, :]
    positions = np.where(padded_rows, data.shape[0], offsets[np.minimum(t, sizes.size - 1)] + rank[None, :])
    if batch_first:
        positions = positions.T
    source = data
    if padded_rows.any():  # one constant row of padding_value, read wherever a sequence has ended
        source = ops.cat([data, full((1, *data.shape[1:]), padding_value, dtype=data.dtype)], 0)
    padded = source.index_select(0, tensor(positions.reshape(-1), dtype=_dt.int64))
    padded = padded.reshape(*positions.shape, *data.shape[1:])
    return padded, tensor(sorted_lengths[rank], dtype=_dt.int64)


def pad_sequence(sequences: Any, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Sequences (L_i, *) stacked into a padded batch (T, B, *) (or
    (B, T, *) with ``batch_first``), ``T`` the longest length, padded with
    ``padding_value`` after each sequence (or before, ``padding_side="left"``).

    >>> import symgrad
    >>> from symgrad.nn.utils.rnn import pad_sequence
    >>> pad_sequence([symgrad.tensor([1., 2., 3.]), symgrad.tensor([4.])], batch_first=True)
    tensor([[1., 2., 3.],
            [4., 0., 0.]])
    """
    if isinstance(sequences, Tensor):
        sequences = list(sequences.unbind(0))
    sequences = list(sequences)
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    _check_padding_value(padding_value)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    for k, s in enumerate(sequences):
        require_tensor(s, "pad_sequence", f"sequences[{k}]")
        if s.ndim == 0:
            raise RuntimeError(f"pad_sequence: sequences[{k}] is 0-d; each sequence needs a first dim (its length)")
    trailing = tuple(sequences[0].shape[1:])
    for s in sequences[1:]:
        if s.ndim != len(trailing) + 1:
            raise RuntimeError(f"pad_sequence: the sequences have {len(trailing) + 1} and {s.ndim} dims; every "
                               "sequence's dims after the first must match")
        for d, (a, b) in enumerate(zip(trailing, s.shape[1:]), 1):
            if a != b:
                raise RuntimeError(f"The size of tensor a ({a}) must match the size of tensor b ({b}) at "
                                   f"non-singleton dimension {d} (every sequence's dims after the first must match)")
    lengths = np.array([s.shape[0] for s in sequences], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)])
    steps = int(lengths.max())
    t = np.arange(steps)[None, :]
    shift = (steps - lengths)[:, None] if padding_side == "left" else 0  # left: each sequence ends at T - 1
    inside = (t >= shift) & (t < shift + lengths[:, None])
    positions = np.where(inside, starts[:-1, None] + t - shift, starts[-1])  # (B, T)
    if not batch_first:
        positions = positions.T
    rows = list(sequences) + [full((1, *trailing), padding_value, dtype=sequences[0].dtype)]
    source = ops.cat(rows, 0)
    padded = source.index_select(0, tensor(positions.reshape(-1), dtype=_dt.int64))
    return padded.reshape(*positions.shape, *trailing)


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences (L_i, *): ``pack_padded_sequence(pad_sequence(sequences), lengths)``.

    >>> import symgrad
    >>> from symgrad.nn.utils.rnn import pack_sequence
    >>> pack_sequence([symgrad.tensor([1.]), symgrad.tensor([2., 3.])], enforce_sorted=False).batch_sizes
    tensor([2, 1])
    """
    sequences = list(sequences)
    padded = pad_sequence(sequences)  # checks the sequences
    return pack_padded_sequence(padded, [s.shape[0] for s in sequences], enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences: Tensor, lengths: Any, batch_first: bool = False) -> list[Tensor]:
    """The sequences of a padded batch (T, B, *) (or (B, T, *)), each cut to its length.

    >>> import symgrad
    >>> from symgrad.nn.utils.rnn import unpad_sequence
    >>> unpad_sequence(symgrad.tensor([[1., 2.], [3., 0.]]), [2, 1])
    [tensor([1., 3.]), tensor([2.])]
    """
    require_tensor(padded_sequences, "unpad_sequence", "padded_sequences")
    sizes = _lengths(lengths)
    batch = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    if sizes.size != batch.shape[0] or (sizes.size and sizes.max() > batch.shape[1]):
        raise RuntimeError(f"unpad_sequence: {sizes.size} lengths up to {sizes.max() if sizes.size else 0} for a "
                           f"batch of {batch.shape[0]} sequences of {batch.shape[1]} time steps")
    return [batch[k, :int(n)] for k, n in enumerate(sizes)]


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The sequences of a ``PackedSequence``, in the batch's order.

    >>> import symgrad
    >>> from symgrad.nn.utils.rnn import pack_sequence, unpack_sequence
    >>> unpack_sequence(pack_sequence([symgrad.tensor([1.]), symgrad.tensor([2., 3.])], enforce_sorted=False))
    [tensor([1.]), tensor([2., 3.])]
    """
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
