"""Bad input gets PyTorch's exception type and a message that says what to do."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad as sg


def leaf(v):
    return sg.tensor(v, requires_grad=True)


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        sg.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        sg.tensor([True]).requires_grad_()


def test_backward_on_non_scalar_needs_gradient():
    with pytest.raises(RuntimeError, match="implicitly created only for scalar outputs.*gradient="):
        (leaf([1., 2.]) * 2).backward()


def test_gradient_of_wrong_shape():
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (leaf([1., 2.]) * 2).backward(sg.ones(3))


def test_backward_without_grad_fn():
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        sg.tensor(1.0).backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        (sg.tensor(1.0) * 2).backward()


def test_second_backward_through_freed_graph():
    x = leaf(1.0)
    y = x.sin()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_in_place_on_leaf_requiring_grad():
    x = leaf([1., 2.])
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad.*no_grad"):
        x.add_(1)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x[0] = 5.0
    with pytest.raises(RuntimeError, match="view of a leaf Variable"):
        x[0].mul_(2)
    with sg.no_grad():
        x.add_(1)
    assert x.tolist() == [2.0, 3.0]


def test_saved_tensor_modified_in_place():
    x = leaf(1.0)
    y = x * 2
    z = y * y
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation.*version 1; expected version 0"):
        z.backward()


def test_incompatible_broadcast():
    with pytest.raises(RuntimeError, match=r"size of tensor a \(3\) must match the size of tensor b \(2\)"):
        sg.ones(3) + sg.ones(2)


def test_in_place_cannot_change_shape_or_type():
    x = sg.ones(3)
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        x.add_(sg.ones(2, 3))
    i = sg.tensor([1, 2])
    with pytest.raises(RuntimeError, match="can't be cast"):
        i.mul_(1.5)


def test_grad_of_non_leaf_warns():
    y = leaf(1.0) * 2
    with pytest.warns(UserWarning, match="retain_grad"):
        assert y.grad is None


def test_autograd_grad_of_unused_input():
    x, y = leaf(1.0), leaf(2.0)
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        sg.autograd.grad(x * 3, [x, y])


def test_autograd_grad_input_not_requiring_grad():
    with pytest.raises(RuntimeError, match="does not require grad"):
        sg.autograd.grad(leaf(1.0) * 2, sg.tensor(1.0))


def test_assigning_grad_of_wrong_shape_or_type():
    x = leaf([1., 2.])
    with pytest.raises(RuntimeError, match="different size"):
        x.grad = sg.zeros(3)
    with pytest.raises(RuntimeError, match="different type"):
        x.grad = sg.zeros(2, dtype=sg.float32)
    with pytest.raises(TypeError, match="Tensor or None"):
        x.grad = np.zeros(2)


def test_bad_arguments_name_the_problem():
    with pytest.raises(TypeError, match="argument 2 must be a Tensor or a number"):
        sg.ones(2) + "a"
    with pytest.raises(IndexError, match="Dimension out of range"):
        sg.ones(2, 3).sum(5)
    with pytest.raises(RuntimeError, match="invalid for input of size 6"):
        sg.ones(2, 3).reshape(4, 2)
    with pytest.raises(RuntimeError, match="cannot be multiplied"):
        sg.ones(2, 3) @ sg.ones(2, 3)
    with pytest.raises(RuntimeError, match="1D tensors expected"):
        sg.dot(sg.ones(2, 2), sg.ones(2))
    with pytest.raises(RuntimeError, match="Use .reshape"):
        sg.ones(2, 3).t().view(6)
    with pytest.raises(TypeError, match="real numbers or booleans"):
        sg.tensor(["a"])
    with pytest.raises(TypeError, match="rectangular"):
        sg.tensor([[1.0], [1.0, 2.0]])
    with pytest.raises(RuntimeError, match="elements cannot be converted to Scalar"):
        sg.ones(2).item()
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(sg.ones(2))
    with pytest.raises(TypeError, match="dtype"):
        sg.zeros(2, dtype="complex128")


def test_expanded_views_are_read_only():
    x = sg.ones(1, 3).expand(2, 3)
    with pytest.raises(RuntimeError, match="read-only"):
        x.add_(1)


def test_requires_grad_on_non_leaf():
    y = leaf(1.0) * 2
    with pytest.raises(RuntimeError, match="detach"):
        y.requires_grad = False


@pytest.mark.parametrize("equation, shapes, error, message", [
    ("....ij", [(2, 3)], RuntimeError, "an ellipsis is exactly three dots"),
    ("..i", [(2,)], RuntimeError, "an ellipsis is exactly three dots"),
    ("...ij,...jk", [(5, 2, 3), (4, 3, 4)], RuntimeError,
     r"a dimension covered by '...' has size 4 for operand 1 which does not broadcast with previously seen size 5: "
     "the sizes of one subscript must be equal, or 1 to broadcast"),
    ("...ijk", [(2, 3)], RuntimeError, r"subscripts in the equation \(3\) is more than the number of dimensions"),
    ("ii->i", [(2, 3)], RuntimeError, "subscript i is repeated for operand 0 but the sizes don't match, 3 != 2: "
     "a repeated subscript takes the diagonal of its dimensions, which must have equal sizes"),
    ("jii->j", [(2, 3, 1)], RuntimeError, "subscript i is repeated for operand 0 but the sizes don't match, 1 != 3"),
    ("ij,jk->ik", [(2, 3), (4, 2)], RuntimeError,
     "subscript j has size 4 for operand 1 which does not broadcast with previously seen size 3"),
    ("i,i,i->", [(3,), (1,), (2,)], RuntimeError,
     "subscript i has size 2 for operand 2 which does not broadcast with previously seen size 3"),
    ("ij->ik", [(2, 3)], RuntimeError, "output subscript k does not appear"),
    ("ii->ii", [(2, 2)], RuntimeError, "output subscript i appears more than once in the output"),
    ("ij,jk", [(2, 3)], RuntimeError, "fewer operands were provided than specified in the equation"),
    ("ij", [], ValueError, "must specify the equation string and at least one operand"),
])
def test_einsum_errors_name_the_problem(equation, shapes, error, message):
    with pytest.raises(error, match=message):
        sg.einsum(equation, *[sg.ones(*s) for s in shapes])


@pytest.mark.parametrize("equation, dtypes, error, message", [
    ("ij,jk->ik", ["float32", "float64"], RuntimeError, "expected scalar type Float but found Double: the "
     "operands are float32 and float64 when they are summed over 'j', a product \\(bmm\\) that needs one dtype"),
    ("ij,jk->k", ["int32", "int32"], RuntimeError, "expected scalar type Long but found Int: the operands are "
     "int64 and int32 when they are summed over 'j'"),
    ("ij,jk->ik", ["bool", "int64"], NotImplementedError, "\"bmm\" not implemented for 'Bool': a bool operand "
     "summed over 'j' with another; convert it to an integer or floating dtype first"),
])
def test_einsum_dtype_errors_name_the_problem(equation, dtypes, error, message):
    with pytest.raises(error, match=message):
        sg.einsum(equation, *[sg.ones(2, 2, dtype=getattr(sg, d)) for d in dtypes])


def test_einsum_sublist_errors_name_the_problem():
    with pytest.raises(ValueError, match=r"not within the valid range \[0, 52\) \(got 52; 0-25 stand for A-Z"):
        sg.einsum(sg.ones(2), [52])
    with pytest.raises(TypeError, match="argument 'equation' must be str, not int"):
        sg.einsum(3, sg.ones(2))


@pytest.mark.parametrize("call, error, message", [
    (lambda: sg.diagonal(sg.ones(3)), RuntimeError, "at least 2 dimensions, got 1"),
    (lambda: sg.diagonal(sg.ones(2, 3), 0, 1, 1), RuntimeError, "diagonal dimensions cannot be identical 1, 1"),
    (lambda: sg.diagonal(sg.ones(2, 3), 0.5), TypeError, "argument 'offset' must be int, not float"),
    (lambda: sg.diagonal(sg.ones(2, 3), 0, 0, 2), IndexError, "Dimension out of range"),
])
def test_diagonal_errors_name_the_problem(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("who, call", [
    ("symgrad.hessian", lambda z, x, y: sg.hessian(z, [x, y])),
    ("symgrad.jacobian", lambda z, x, y: sg.jacobian(z, [x, y])),
    ("gradient_function", lambda z, x, y: sg.gradient_function(z, [x, y])),
    ("verify_gradient", lambda z, x, y: sg.verify_gradient(z, [x, y], ["2*x*y", "x**2"])),
    ("symgrad.diff", lambda z, x, y: sg.diff(z, x, y)),
])
def test_differentiating_after_backward_names_the_function_that_needs_the_graph(who, call):
    # after one backward(), PyTorch's "backward through the graph a second time" blamed a second backward
    x, y = leaf(2.), leaf(3.)
    z = x * x * y
    z.backward()
    with pytest.raises(RuntimeError, match=f"{who} needs the graph.*Call {who} before backward"):
        call(z, x, y)
    z = x * x * y
    z.backward(retain_graph=True)
    call(z, x, y)
