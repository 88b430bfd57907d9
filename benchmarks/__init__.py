"""symgrad's benchmark suite (issue 7): ``python -m benchmarks`` (see ``docs/benchmarks.md``).

Every row of the issue's table is a module in ``benchmarks/rows``; the
programs they time are in ``benchmarks/workloads``.  Each row reports
symgrad's time, the named baseline's time from the same run, their ratio,
the target and a plain verdict.
"""
