"""Views and aliases share memory as in PyTorch, and the symbolic view follows."""

from __future__ import annotations

import pytest

import symgrad as sg


def test_views_share_memory_with_their_base():
    x = sg.zeros(2, 3)
    v = x.view(6)
    r = x[0]
    t = x.t()
    x.add_(1)
    assert v.tolist() == [1.0] * 6 and r.tolist() == [1.0] * 3 and t.shape == (3, 2) and t[0, 1].item() == 1.0
    r.fill_(5)
    assert x[0].tolist() == [5.0] * 3 and v[2].item() == 5.0


def test_integer_index_of_a_vector_is_a_0d_view():
    x = sg.zeros(3)
    x[1].fill_(2.0)
    assert x.tolist() == [0.0, 2.0, 0.0]


def test_advanced_indexing_copies():
    x = sg.zeros(3)
    y = x[[0, 1]]
    y.fill_(1.0)
    assert x.tolist() == [0.0, 0.0, 0.0]


def test_setitem_writes_values_and_closed_forms():
    w = sg.tensor(2.0, requires_grad=True)
    y = sg.zeros(3)
    y[1] = w * w
    assert y.tolist() == [0.0, 4.0, 0.0]
    assert [str(e) for e in y.expr] == ["0", "w**2", "0"]
    y.sum().backward()
    assert w.grad.item() == 4.0 and w.grad.expr == 2 * w.expr


def test_setitem_with_a_mask():
    w = sg.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = w * 1
    y[y < 0] = 0.0
    y.sum().backward()
    assert y.tolist() == [1.0, 0.0, 3.0] and w.grad.tolist() == [1.0, 0.0, 1.0]


def test_write_through_a_view_updates_the_base_closed_form():
    w = sg.tensor(3.0, requires_grad=True)
    base = sg.zeros(2, 2)
    row = base[1]
    with sg.no_grad():
        row.add_(w)
    assert [[str(e) for e in r] for r in base.expr.tolist()] == [["0", "0"], ["w", "w"]]
    assert [str(e) for e in row.expr] == ["w", "w"]


def test_write_to_the_base_updates_its_views_closed_forms():
    w = sg.tensor(3.0, requires_grad=True)
    base = sg.zeros(2)
    alias = base.view(1, 2)
    with sg.no_grad():
        base.add_(w)
    assert [str(e) for e in alias.expr[0]] == ["w", "w"]


def test_data_alias_changes_the_closed_form_of_the_tensor():
    x = sg.tensor(2.0, requires_grad=True)
    y = x * x
    y.data.zero_()
    assert y.item() == 0.0 and y.expr == 0


def test_view_of_non_leaf_sees_base_changes_in_its_gradient():
    x = sg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    v = y.view(2)
    y.mul_(3)  # v's history now includes the multiplication, as in PyTorch
    v.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_in_place_on_a_view_that_requires_grad_is_refused_clearly():
    x = sg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    with pytest.raises(RuntimeError, match="views of tensors that require grad"):
        y[0].mul_(2)


def test_detach_then_requires_grad_makes_a_new_variable():
    x = sg.tensor(2.0, requires_grad=True)
    y = (x * x).detach().requires_grad_()
    assert y.is_leaf and str(y.expr) == "y"
    (y * 3).backward()
    assert y.grad.item() == 3.0 and x.grad is None


def test_diagonal_is_a_view_and_flip_a_copy_as_in_pytorch():
    """PyTorch's diagonal is a view (writes go through to the input), its flip
    a copy (NumPy's flip is a view: it must not write through)."""
    x = sg.zeros(3, 4)
    x.diagonal(1).fill_(1.)
    assert x.tolist() == [[0., 1., 0., 0.], [0., 0., 1., 0.], [0., 0., 0., 1.]]
    x.diagonal(dim1=1, dim2=0).add_(2.)
    assert x.diagonal().tolist() == [2., 2., 2.]
    d = x.diagonal()
    x.zero_()
    assert d.tolist() == [0., 0., 0.]  # the view sees writes into its base
    f = x.flip(0)
    f.fill_(5.)
    x.add_(1.)
    assert x.sum().item() == 12.0 and f.sum().item() == 60.0
    w = sg.ones(2, 2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad is being used in an in-place"):
        w.diagonal().mul_(2)
