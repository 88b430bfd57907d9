"""Devices: symgrad computes with NumPy on the CPU; asking for another device
is a clear error, not a silent fallback."""

from __future__ import annotations

from typing import Any

__all__ = ["device", "cuda"]


class device:  # noqa: N801 - PyTorch's name
    """``symgrad.device("cpu")``; other device types are refused.

    >>> import symgrad
    >>> symgrad.device("cpu")
    device(type='cpu')
    """

    __slots__ = ("type", "index")
    type: str
    index: int | None

    def __init__(self, spec: Any = "cpu", index: int | None = None) -> None:
        if isinstance(spec, device):
            spec, index = spec.type, spec.index
        if not isinstance(spec, str):
            raise TypeError(f"device() expects a string such as 'cpu', got {type(spec).__name__}")
        kind, colon, num = spec.partition(":")
        if kind != "cpu":
            raise RuntimeError(f"symgrad computes on the CPU with NumPy; device {spec!r} is not available. "
                               "Use 'cpu' (symgrad.cuda.is_available() is False)")
        if colon and not (num.isascii() and num.isdigit()):
            raise RuntimeError(f"Invalid device string: {spec!r}; a device index must be a non-negative integer "
                               "('cpu' or 'cpu:0')")
        if index is not None and (isinstance(index, bool) or not isinstance(index, int) or index < 0):
            raise RuntimeError(f"Device index must be a non-negative integer, got {index!r}")
        self.type = "cpu"
        self.index = int(num) if num else index

    def __reduce__(self) -> Any:
        # rebuilt through __init__, which checks the values (symgrad.load allows it in weights files)
        return (device, (self.type, self.index))

    def __repr__(self) -> str:
        return "device(type='cpu')" if self.index is None else f"device(type='cpu', index={self.index})"

    def __str__(self) -> str:
        return "cpu" if self.index is None else f"cpu:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return other.partition(":")[0] == "cpu"
        return isinstance(other, device) and other.type == self.type

    def __hash__(self) -> int:
        return hash(self.type)


CPU = device("cpu")


class _Cuda:
    """``symgrad.cuda``: no GPUs here."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def device_count() -> int:
        return 0

    @staticmethod
    def manual_seed(seed: int) -> None:
        pass

    manual_seed_all = manual_seed


cuda = _Cuda()
