"""``symgrad.save`` and ``symgrad.load``, as ``torch.save`` and ``torch.load``:
a state_dict (or any object) to a file and back, with pickle.

``load`` reads weights only by default, as PyTorch 2.6 and later do:
unpickling runs any function the file names, so a file from elsewhere may
name only tensors, NumPy arrays and containers.  Whole objects (a model, an
optimizer) need ``weights_only=False``, for files you trust.

A view is saved as its base and its view ops (``Tensor.__reduce_ex__``), so
tensors that shared memory when saved share it when loaded, as PyTorch's
storages do; loading replays only view ops of the op table.

>>> import io, symgrad
>>> from symgrad import nn
>>> model = nn.Linear(2, 1)
>>> buffer = io.BytesIO()
>>> symgrad.save(model.state_dict(), buffer)
>>> _ = buffer.seek(0)
>>> other = nn.Linear(2, 1)
>>> other.load_state_dict(symgrad.load(buffer))
<All keys matched successfully>
>>> symgrad.equal(other.weight, model.weight)
True
"""

from __future__ import annotations

import os
import pickle
from typing import IO, Any

__all__ = ["save", "load"]

# What a weights-only file may name: tensors, parameters, NumPy arrays and
# scalars, ordered dicts (state_dicts), dtypes, shapes and devices (as
# PyTorch's weights-only load allows) - nothing that runs other code.
_WEIGHTS = {
    ("symgrad._tensor", "_rebuild"), ("symgrad._tensor", "_rebuild_view"), ("symgrad.nn.parameter", "_rebuild_parameter"),
    ("builtins", "slice"), ("builtins", "Ellipsis"),  # (a saved view's index keys: x[1:3], x[..., 0])
    ("symgrad._tensor", "Size"), ("symgrad.device", "device"),
    *(("symgrad.dtypes", n) for n in ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
                                      "bool_")),
    ("collections", "OrderedDict"), ("numpy", "ndarray"), ("numpy", "dtype"),
    *((m, n) for m in ("numpy._core.multiarray", "numpy.core.multiarray") for n in ("_reconstruct", "scalar")),
    *((m, "_frombuffer") for m in ("numpy._core.numeric", "numpy.core.numeric")),  # (arrays, pickle protocol 5)
    *(("numpy.dtypes", n) for n in ("Float64DType", "Float32DType", "Float16DType", "Int64DType", "Int32DType",
                                     "Int16DType", "Int8DType", "UInt8DType", "BoolDType")),
}


class _WeightsUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _WEIGHTS:
            raise pickle.UnpicklingError(
                f"Weights only load failed: the file names {module}.{name}, which is not a tensor, an array or a "
                "container. Pass weights_only=False to load it, but only if you trust the file (unpickling can run "
                "any code).")
        return super().find_class(module, name)


def save(obj: Any, f: str | os.PathLike[str] | IO[bytes]) -> None:
    """Write ``obj`` (a state_dict, a tensor, a model...) to a path or a binary file."""
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as out:
            pickle.dump(obj, out, protocol=pickle.HIGHEST_PROTOCOL)
    else:
        pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)


def load(f: str | os.PathLike[str] | IO[bytes], map_location: Any = None, *, weights_only: bool = True,
         **pickle_load_args: Any) -> Any:
    """Read what ``save`` wrote.  ``map_location`` may only be the CPU (symgrad's one device)."""
    if map_location is not None:
        from symgrad.device import device

        device(map_location)  # the CPU is symgrad's one device: device() refuses others with a clear error
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as stream:
            return load(stream, weights_only=weights_only, **pickle_load_args)
    if weights_only:
        return _WeightsUnpickler(f, **pickle_load_args).load()
    return pickle.load(f, **pickle_load_args)  # noqa: S301 - asked for explicitly, for files the caller trusts
