"""``autograd.quiet``: NumPy's divide, invalid and overflow warnings off while
a backward pass runs (inf and nan flow silently, as in PyTorch), the rest of
the caller's error state kept, and everything restored after."""

from __future__ import annotations

import warnings

import numpy as np

import symgrad as sg
from symgrad.autograd import quiet


def test_a_pass_is_silent_and_leaves_the_callers_state_as_it_was():
    x = sg.tensor([0.0, 4.0], requires_grad=True)
    with np.errstate(all="raise"):
        before = np.geterr()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            sg.sqrt(x).sum().backward()  # sqrt'(0) = inf: no warning, no error
        assert np.geterr() == before
    assert x.grad.tolist() == [float("inf"), 0.25]


def test_the_callers_other_settings_hold_inside_the_pass():
    x = sg.tensor([2.0], requires_grad=True)  # (arrays: a pass that runs NumPy is quiet from its start)
    inside = []
    x.register_post_accumulate_grad_hook(lambda t: inside.append(np.geterr()))
    with np.errstate(under="raise"):
        (x * x).sum().backward()
    assert inside == [{"divide": "ignore", "over": "ignore", "under": "raise", "invalid": "ignore"}]


def test_nested_and_repeated_use_restores_each_state():
    outer = quiet.quiet()
    inner = quiet.quiet()
    assert np.geterr()["invalid"] == "ignore"
    quiet.loud(inner)
    assert np.geterr()["invalid"] == "ignore"
    quiet.loud(outer)
    assert np.geterr()["invalid"] == "warn"


def test_the_states_kept_stay_few():
    for i in range(3 * quiet._MAX_KEPT):
        with np.errstate(under=["ignore", "warn", "raise"][i % 3]):
            quiet.loud(quiet.quiet())
    assert len(quiet._QUIET) <= quiet._MAX_KEPT


def test_a_state_that_cannot_be_kept_falls_back_to_errstate(monkeypatch):
    class Unkeyable(dict):
        def get(self, key, default=None):
            raise TypeError("unhashable")

    monkeypatch.setattr(quiet, "_QUIET", Unkeyable())
    token = quiet.quiet()
    assert isinstance(token, np.errstate) and np.geterr()["divide"] == "ignore"
    quiet.loud(token)
    assert np.geterr()["divide"] == "warn"
