"""Entry point of ``python -m benchmarks``: one thread per library is set up
before anything imports NumPy, PyTorch or JAX."""

from benchmarks.threads import pin_environment

pin_environment()

from benchmarks.cli import main  # noqa: E402 - after the thread variables are set

raise SystemExit(main())
