"""One thread for every library, set before any of them is imported.

The machines are shared 2-core boxes: a library that spreads a small
computation over threads measures the neighbours' load, not itself.  The
environment variables must be set before NumPy, PyTorch or JAX load their
thread pools, so ``benchmarks/__main__.py`` calls :func:`pin_environment`
first, and the subprocesses the suite starts inherit it.
"""

from __future__ import annotations

import os

THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "BLIS_NUM_THREADS")
# XLA's CPU client: no Eigen thread pool, one intra-op thread.
XLA_FLAGS = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"


def pin_environment() -> None:
    """Set the thread-count variables of every library to 1 (before import)."""
    for name in THREAD_VARIABLES:
        os.environ[name] = "1"
    flags = os.environ.get("XLA_FLAGS", "")
    if "xla_cpu_multi_thread_eigen" not in flags:
        os.environ["XLA_FLAGS"] = (flags + " " + XLA_FLAGS).strip()
    # JAX would otherwise take float32 for the float64 inputs every row uses.
    os.environ.setdefault("JAX_ENABLE_X64", "1")
    os.environ.setdefault("JAX_PLATFORMS", "cpu")


def pin_torch(torch: object) -> None:
    """PyTorch reads its thread count at run time, not from the environment only."""
    torch.set_num_threads(1)  # type: ignore[attr-defined]
    try:
        torch.set_num_interop_threads(1)  # type: ignore[attr-defined]
    except RuntimeError:  # only allowed before the first parallel work; then it is already set
        pass
