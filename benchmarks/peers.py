"""The optional peers: each is imported on demand, and a row that needs one
that is absent reports "skipped" instead of failing.

Install them with ``pip install -e ".[bench]"``.
"""

from __future__ import annotations

import importlib
import importlib.util
from functools import cache
from types import ModuleType

from benchmarks.threads import pin_torch

INSTALL_HINT = {"torch": "pip install torch==2.13.0", "jax": "pip install jax jaxlib",
                "casadi": "pip install casadi", "symengine": "pip install symengine"}


class PeerMissingError(Exception):
    """A peer library is not installed; the message says how to install it."""


@cache
def peer(name: str) -> ModuleType:
    """Import a peer (configured for one thread), or raise :class:`PeerMissingError`."""
    try:
        module = importlib.import_module(name)
    except ImportError as error:
        raise PeerMissingError(f"{name} is not installed ({INSTALL_HINT.get(name, 'pip install ' + name)})") from error
    if name == "torch":
        pin_torch(module)
    if name == "jax":
        module.config.update("jax_enable_x64", True)
    return module


def available(name: str) -> bool:
    try:
        peer(name)
    except PeerMissingError:
        return False
    return True


def version(name: str) -> str:
    return str(getattr(peer(name), "__version__", "?"))


def require_codegen() -> None:
    """Rows 3 to 8 time generated code: without ``symgrad.codegen`` in this build they are skipped."""
    if importlib.util.find_spec("symgrad.codegen") is None:
        raise PeerMissingError("symgrad.codegen is not in this build of symgrad")
