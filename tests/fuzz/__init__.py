"""Differential fuzzing: random symgrad programs checked against independent oracles.

* ``catalogue``  - the fuzzable ops as data (templates, domains, shapes, kinks);
* ``program``    - a program (leaves and steps) that prints as runnable code;
* ``generate``   - the hypothesis strategy that builds random programs;
* ``oracles``    - the checks every program must pass;
* ``profiles``   - the fixed-seed (normal test run) and long hypothesis profiles.

Run the long profile with ``python -m tests.fuzz --long`` (see docs/reliability.md).
"""
