"""Values read into Python (``symbolic/reads.py``): refused while a function
is traced for code generation or ``verify_gradient``, and a warning when
either works from eager tensors after a value depending on its inputs
decided a branch or an index."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import symgrad
from symgrad.symbolic import reads


def no_warning(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args, **kwargs)


# ---------------------------------------------------------------- traced functions: refused

@pytest.mark.parametrize("read", [
    pytest.param(lambda a: a * a if a > 0 else -a, id="bool"),
    pytest.param(lambda a: a * float(a), id="float"),
    pytest.param(lambda a: a * a.item(), id="item"),
    pytest.param(lambda a: a * int(a), id="int"),
    pytest.param(lambda a: a * a.tolist(), id="tolist"),
    pytest.param(lambda a: a * np.sign(a.detach().numpy()), id="numpy"),
    pytest.param(lambda a: a * [1., 2.][(a > 1).long()], id="index"),
])
def test_a_traced_function_may_not_read_its_arguments_values(read):
    with pytest.raises(symgrad.TracingError, match="depends on the traced function's arguments.*symgrad.where"):
        symgrad.gradient_function(read, [0])


def test_the_refusal_covers_arguments_that_are_not_differentiated():
    with pytest.raises(symgrad.TracingError, match=r"^bool\(\)"):
        symgrad.gradient_function(lambda a, b: a * b if b > 0 else a, [0])


def test_a_traced_function_may_read_constants_and_shapes():
    scale = symgrad.tensor(3.)

    def f(a):
        n = a.shape[0] if a.dim() else 1
        return a * float(scale) * n if scale > 0 else a

    g = no_warning(symgrad.gradient_function, f, 0)
    assert g(2.) == (6.0, 3.0)


def test_a_traced_function_may_show_its_values():
    def f(a):
        print(a, f"{a:.2f}", repr(a * 2))
        return a * a

    assert no_warning(symgrad.gradient_function, f, 0)(3.) == (9.0, 6.0)


def test_where_is_the_traced_branch_that_works_at_every_input():
    g = symgrad.gradient_function(lambda a: symgrad.where(a > 0, a * a, -a), 0)
    assert g(3.) == (9.0, 6.0)
    assert g(-1.) == (1.0, -1.0)


def test_reads_are_free_again_after_tracing_and_after_a_refusal():
    with pytest.raises(symgrad.TracingError):
        symgrad.gradient_function(lambda a: a if a > 0 else -a, [0])
    x = symgrad.tensor(2., requires_grad=True)
    assert bool(x > 0) and (x * x).item() == 4.0


# ---------------------------------------------------------------- eager tensors: warned

def test_an_eager_branch_on_an_input_warns_when_code_is_generated():
    x = symgrad.tensor(2., requires_grad=True)
    z = x * x if x > 0 else -x  # decided at x = 2
    with pytest.warns(symgrad.TracerWarning, match=r"value_and_grad\(\).*bool\(\) at .*test_value_reads.py"):
        g = symgrad.gradient_function(z, [x])
    assert g(-1.) == (1.0, (-2.0,))  # the traced branch, as warned: -x would give (1, -1)


def test_an_eager_index_from_an_input_warns():
    s = symgrad.tensor([1., 0., 2.], requires_grad=True)
    w = s[int(s[0])] * s[2]
    with pytest.warns(symgrad.TracerWarning, match=r"int\(\) at "):
        symgrad.lambdify([s], w)


def test_the_warning_points_at_the_users_call():
    x = symgrad.tensor(2., requires_grad=True)
    z = x * x if x > 0 else -x
    with pytest.warns(symgrad.TracerWarning) as record:
        symgrad.lambdify([x], z)
    assert record[0].filename == __file__


def test_no_warning_without_a_decision_on_the_inputs():
    x = symgrad.tensor(2., requires_grad=True)
    y = symgrad.tensor(5., requires_grad=True)
    if y > 0:  # a decision on another leaf
        pass
    z = x * x
    print(z.item(), float(z))  # reading values to show them decides nothing
    g = no_warning(symgrad.gradient_function, z, x)
    assert g(3.) == (9.0, 6.0)


def test_a_decision_on_a_gradient_not_yet_in_closed_form_counts_for_every_leaf_before_it():
    x = symgrad.tensor(2., requires_grad=True)
    (x * x).backward()
    if x.grad > 0:  # x.grad's closed form is lazy: which leaves it depends on is not known without building it
        pass
    with pytest.warns(symgrad.TracerWarning, match=r"bool\(\)"):
        symgrad.lambdify([x], x * 3)
    later = symgrad.tensor(1., requires_grad=True)  # made after the decision: not concerned
    no_warning(symgrad.lambdify, [later], later * 3)


def test_a_decision_on_a_graph_too_large_to_walk_counts_for_every_leaf_before_it(monkeypatch):
    monkeypatch.setattr(reads, "WALK_LIMIT", 3)
    x = symgrad.tensor(2., requires_grad=True)
    y = symgrad.tensor(1., requires_grad=True)
    if (y * 2 + 1) * 3 > 0:
        pass
    with pytest.warns(symgrad.TracerWarning):
        symgrad.lambdify([x], x * 3)


def test_the_warning_can_be_silenced_by_category():
    x = symgrad.tensor(2., requires_grad=True)
    z = x * x if x > 0 else -x
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=symgrad.TracerWarning)
        symgrad.lambdify([x], z)


def test_only_the_latest_decisions_are_remembered():
    x = symgrad.tensor(2., requires_grad=True)
    if x > 0:
        pass
    others = symgrad.tensor(1., requires_grad=True)
    for _ in range(reads.REMEMBERED):
        bool(others > 0)
    no_warning(symgrad.lambdify, [x], x * 3)


# ---------------------------------------------------------------- verify_gradient

def test_verify_gradient_refuses_a_function_that_branches_on_its_arguments():
    x = symgrad.tensor(2., requires_grad=True)
    with pytest.raises(symgrad.TracingError, match="the gradient checked would be that of the path taken now"):
        symgrad.verify_gradient(lambda v: v * v if v > 0 else -v, x, "2*x")


def test_verify_gradient_checks_a_where_at_every_point():
    x = symgrad.tensor(2., requires_grad=True)
    report = no_warning(symgrad.verify_gradient, lambda v: symgrad.where(v > 0, v * v, -v), x, "2*x")
    assert not report  # 2*x is the gradient of one branch only: the sampled points show it


def test_verify_gradient_of_an_eager_branch_warns():
    x = symgrad.tensor(2., requires_grad=True)
    z = x * x if x > 0 else -x
    with pytest.warns(symgrad.TracerWarning, match=r"verify_gradient: .*bool\(\) at .*the gradient checked"):
        report = symgrad.verify_gradient(z, x, "2*x")
    assert report  # true of the graph built, which is what the warning is about
