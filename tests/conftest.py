"""Shared fixtures: fresh default dtype and print options around every test."""

from __future__ import annotations

import pytest

import symgrad

collect_ignore_glob = ["data/*"]  # verbatim seed programs: run by test_seed.py, not collected


@pytest.fixture(autouse=True)
def _restore_global_state():
    yield
    symgrad.set_default_dtype(symgrad.float64)
    symgrad.set_printoptions(profile="default")
