"""The issue's ten rows, one module each; ``ROWS`` lists them in order.

Every module has ``NUMBER``, ``TITLE`` and ``run(config) -> list[Line]``.
"""

from benchmarks.rows import (
    row01_scalar_chain,
    row02_seed_derivatives,
    row03_linear_regression,
    row04_emission_time,
    row05_program_size,
    row06_batched_numpy,
    row07_batched_fastest,
    row08_small_call,
    row09_import_time,
    row10_peak_memory,
)

ROWS = (row01_scalar_chain, row02_seed_derivatives, row03_linear_regression, row04_emission_time,
        row05_program_size, row06_batched_numpy, row07_batched_fastest, row08_small_call, row09_import_time,
        row10_peak_memory)
