"""scatter, scatter_add, index_add, tile, repeat_interleave, meshgrid, unique
and bincount: closed forms, positions chosen by values, what generated code
does with them, and the forms PyTorch has (methods, in place, keywords).
Values, gradients, dtypes and errors against PyTorch are in the op spec and
conformance tables."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad as sg
from symgrad.ops.positions import Picked


def test_scatter_closed_form_holds_the_written_elements():
    x = sg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    s = sg.tensor([[7.0, 8.0]], requires_grad=True)
    y = x.scatter(1, sg.tensor([[2, 0]]), s)
    assert str(y.expr) == "[[s[0, 1], x[0, 1], s[0, 0]], [x[1, 0], x[1, 1], x[1, 2]]]"
    y.sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 0.0], [1.0, 1.0, 1.0]] and s.grad.tolist() == [[1.0, 1.0]]


def test_scatter_add_and_index_add_sum_repeated_positions():
    s = sg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = sg.scatter_add(sg.zeros(2), 0, sg.tensor([1, 1, 0]), s)
    assert str(y.expr) == "[s[2], s[0] + s[1]]"
    z = sg.index_add(sg.zeros(2), 0, sg.tensor([0, 0, 1]), s, alpha=2)
    assert str(z.expr) == "[2*s[0] + 2*s[1], 2*s[2]]"
    (y * sg.tensor([1.0, 10.0])).sum().backward()
    assert s.grad.tolist() == [10.0, 10.0, 1.0]


def test_scatter_reduce_argument_add_and_multiply():
    x, idx, s = sg.ones(3), sg.tensor([0, 0]), sg.tensor([2.0, 3.0])
    with pytest.warns(UserWarning, match="scatter_reduce"):
        added = x.scatter(0, idx, s, reduce="add")
    assert added.equal(sg.scatter_add(x, 0, idx, s)) and added.tolist() == [6.0, 1.0, 1.0]
    assert x.scatter(0, idx, 2.0, reduce="add").tolist() == [5.0, 1.0, 1.0]
    with pytest.warns(UserWarning, match="scatter_reduce"):
        assert x.scatter(0, idx, s, reduce="multiply").tolist() == [6.0, 1.0, 1.0]
    assert sg.tensor([1, 2, 3]).scatter(0, sg.tensor([0, 0, 2]), 2.5, reduce="multiply").tolist() == [4, 2, 6]
    with pytest.raises(RuntimeError, match="add or multiply, got 'mean'; use scatter_reduce"):
        x.scatter(0, idx, s, reduce="mean")
    with pytest.raises(TypeError, match="pass src"):
        sg.scatter(x, 0, idx)


def test_scatter_multiply_has_scatter_reduce_prods_gradient():
    # PyTorch records no derivative for scatter(reduce=...) ("derivative for aten::scatter is not implemented");
    # the function is scatter_reduce(..., "prod"), whose gradient symgrad gives
    x = sg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    s = sg.tensor([4.0, 5.0], requires_grad=True)
    y = x.scatter(0, sg.tensor([0, 0]), 5.0, reduce="multiply")
    assert str(y.expr) == "[25*x[0], x[1], x[2]]"
    with pytest.warns(UserWarning):
        z = x.scatter(0, sg.tensor([0, 2]), s, reduce="multiply")
    assert str(z.expr) == "[s[0]*x[0], x[1], s[1]*x[2]]"
    z.sum().backward()
    assert x.grad.tolist() == [4.0, 1.0, 5.0] and s.grad.tolist() == [1.0, 3.0]


def test_scatter_reduce_closed_forms_and_gradients():
    x = sg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    s = sg.tensor([4.0, 5.0, 6.0], requires_grad=True)
    idx = sg.tensor([0, 0, 2])
    expected = {("sum", True): "[s[0] + s[1] + x[0], x[1], s[2] + x[2]]",
                ("sum", False): "[s[0] + s[1], x[1], s[2]]",
                ("mean", True): "[s[0]/3 + s[1]/3 + x[0]/3, x[1], s[2]/2 + x[2]/2]",
                ("amin", True): "[Min(s[0], s[1], x[0]), x[1], Min(s[2], x[2])]",
                ("prod", False): "[s[0]*s[1], x[1], s[2]]"}
    for (reduce, include_self), form in expected.items():
        assert str(sg.scatter_reduce(x, 0, idx, s, reduce, include_self=include_self).expr) == form
    y = x.scatter_reduce(0, idx, s, "mean", include_self=False)
    y.backward(sg.tensor([1.0, 10.0, 100.0]))
    assert x.grad.tolist() == [0.0, 10.0, 0.0] and s.grad.tolist() == [0.5, 0.5, 100.0]


def test_scatter_reduce_ties_share_the_gradient_among_the_groups_own_values():
    # amax of (s[0], s[1], s[2]) with s[0] == s[1] == 3 and include_self=False: half each.  PyTorch
    # counts the replaced input's value too when it ties (x[0] == 3): a third each, and a third is lost
    x = sg.tensor([3.0, 2.0], requires_grad=True)
    s = sg.tensor([3.0, 3.0, 1.0], requires_grad=True)
    sg.scatter_reduce(x, 0, sg.tensor([0, 0, 0]), s, "amax", include_self=False).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0] and s.grad.tolist() == [0.5, 0.5, 0.0]
    x.grad = s.grad = None
    sg.scatter_reduce(x, 0, sg.tensor([0, 0, 0]), s, "amax").sum().backward()
    assert x.grad.tolist() == [1 / 3, 1.0] and s.grad.tolist() == [1 / 3, 1 / 3, 0.0]


def test_scatter_reduce_prod_gradient_with_zeros_is_the_product_of_the_others():
    x = sg.tensor([0.0, 2.0], requires_grad=True)
    s = sg.tensor([0.0, 3.0, 4.0], requires_grad=True)
    y = sg.scatter_reduce(x, 0, sg.tensor([0, 0, 1]), s, "prod")
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 4.0] and s.grad.tolist() == [0.0, 0.0, 2.0]
    g, = sg.autograd.grad(sg.scatter_reduce(x, 0, sg.tensor([0, 0, 1]), s, "prod").sum(), s, create_graph=True)
    # second derivatives exist with several zeros in a group (PyTorch refuses them there)
    assert sg.autograd.grad(g[1], x)[0].tolist() == [0.0, 0.0]


def test_scatter_reduce_forms_and_errors():
    x = sg.tensor([1.0, 2.0, 3.0])
    y = x.clone()
    assert y.scatter_reduce_(0, sg.tensor([1, 1]), sg.tensor([4.0, 5.0]), "amax") is y and y.tolist() == [1.0, 5.0, 3.0]
    assert x.scatter_reduce(axis=0, index=sg.tensor([0]), src=sg.tensor([7.0]), reduce="max").tolist() == [7.0, 2.0, 3.0]
    assert sg.tensor(2.0).scatter_reduce(0, sg.tensor(0), sg.tensor(3.0), "prod").tolist() == 6.0
    assert sg.tensor([1, 2, -3]).scatter_reduce(0, sg.tensor([2, 2]), sg.tensor([2, -7]), "mean",
                                                 include_self=False).tolist() == [1, 2, -3]
    assert x.scatter_reduce(0, sg.tensor([], dtype=sg.int64), sg.tensor([]), "prod").equal(x)
    with pytest.raises(RuntimeError, match="sum, prod, mean, amax or amin, got add"):
        x.scatter_reduce(0, sg.tensor([0]), sg.tensor([1.0]), "add")
    with pytest.raises(TypeError, match="argument 'src' .* must be Tensor, not float"):
        sg.scatter_reduce(x, 0, sg.tensor([0]), 2.0, "sum")
    with pytest.raises(NotImplementedError, match="reduce_mean.*Bool"):
        sg.tensor([True]).scatter_reduce(0, sg.tensor([0]), sg.tensor([False]), "mean")
    with pytest.raises(RuntimeError, match="self.dtype to be equal to src.dtype"):
        x.scatter_reduce(0, sg.tensor([0]), sg.tensor([1]), "sum")


def test_scatter_reduce_positions_chosen_by_values_are_marked():
    x = sg.tensor([3.0, 1.0, 2.0], requires_grad=True)
    by_order = sg.scatter_reduce(sg.ones(3), 0, x.argsort(), x, "prod")
    with pytest.raises(sg.codegen.CodegenError, match="positions chosen by the values"):
        sg.lambdify([x], by_order)
    fixed = sg.scatter_reduce(sg.ones(3), 0, sg.tensor([0, 0, 2]), x, "prod")
    assert np.allclose(sg.lambdify([x], fixed)(np.array([2.0, 3.0, 4.0])), [6.0, 1.0, 4.0])


def test_in_place_forms_record_their_history():
    x = sg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1.0
    y.scatter_(0, sg.tensor([0]), sg.tensor([5.0])).index_add_(0, sg.tensor([2, 2]), x[:2]).scatter_add_(
        0, sg.tensor([1]), x[2:])
    assert y.tolist() == [5.0, 5.0, 6.0]
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 2.0, 2.0]


def test_numpy_names_for_dim():
    x = sg.zeros(2, 2)
    assert sg.scatter(x, axis=1, index=sg.tensor([[1], [0]]), src=sg.ones(2, 1)).tolist() == [[0.0, 1.0], [1.0, 0.0]]
    assert x.index_add(axis=0, index=sg.tensor([1]), source=sg.ones(1, 2)).tolist() == [[0.0, 0.0], [1.0, 1.0]]
    assert sg.repeat_interleave(sg.tensor([1, 2]), 2, axis=0).tolist() == [1, 1, 2, 2]


def test_index_chosen_by_values_is_marked_and_code_generation_refuses_it():
    x = sg.tensor([3.0, 1.0, 2.0], requires_grad=True)
    by_order = sg.scatter(sg.zeros(3), 0, x.argsort(), x)
    assert by_order.tolist() == [2.0, 3.0, 1.0]
    with pytest.raises(sg.codegen.CodegenError, match="positions chosen by the values"):
        sg.lambdify([x], by_order)
    counts = (x > 1.5).long()
    with pytest.raises(sg.codegen.CodegenError, match="positions chosen by the values"):
        sg.lambdify([x], x.repeat_interleave(counts))


def test_constant_positions_generate_code():
    x = sg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    out = sg.scatter_add(x, 1, sg.tensor([[1, 1], [0, 1]]), x * x) + x.repeat_interleave(sg.tensor([2, 1]), dim=0)[1:]
    loss = out.sum()
    fn = sg.gradient_function(loss, [x])
    value, (g,) = fn(np.array([[0.5, -1.0], [2.0, 3.0]]))
    x2 = sg.tensor([[0.5, -1.0], [2.0, 3.0]], requires_grad=True)
    expected = sg.scatter_add(x2, 1, sg.tensor([[1, 1], [0, 1]]), x2 * x2) + x2.repeat_interleave(
        sg.tensor([2, 1]), dim=0)[1:]
    expected.sum().backward()
    assert np.allclose(value, expected.sum().item()) and np.allclose(g, x2.grad.numpy())


def test_meshgrid_outputs_are_views_of_the_inputs():
    a, b = sg.tensor([1.0, 2.0]), sg.tensor([3.0, 4.0, 5.0])
    ga, gb = sg.meshgrid(a, b, indexing="ij")
    assert np.shares_memory(ga.numpy(), a.numpy()) and np.shares_memory(gb.numpy(), b.numpy())
    xa, xb = sg.meshgrid([a, b], indexing="xy")
    assert xa.tolist() == [[1.0, 2.0]] * 3 and xb.tolist() == [[3.0, 3.0], [4.0, 4.0], [5.0, 5.0]]
    with pytest.warns(UserWarning, match="indexing argument"):
        assert sg.meshgrid(a, b)[0].equal(ga)


def test_unique_and_bincount_are_outside_the_graph_and_marked_for_symbolic_inputs():
    x = sg.tensor([3.0, 1.0, 3.0], requires_grad=True)
    values, inverse, counts = x.unique(return_inverse=True, return_counts=True)
    assert not values.requires_grad and values.grad_fn is None
    assert all(isinstance(t._value, Picked) for t in (values, inverse, counts))
    plain = sg.tensor([3, 1, 3]).unique(return_counts=True)
    assert not any(isinstance(t._value, Picked) for t in plain)
    w = sg.tensor([1.0, 2.0], requires_grad=True)
    b = sg.tensor([1, 1]).bincount(w, minlength=3)
    assert b.tolist() == [0.0, 3.0, 0.0] and not b.requires_grad


def test_unique_result_is_a_copy():
    x = sg.tensor([1, 2])
    u = sg.unique(x)
    u[0] = 7
    assert x.tolist() == [1, 2]


def test_tile_method_takes_sizes_or_a_tuple():
    x = sg.tensor([1, 2])
    assert x.tile(2).tolist() == x.tile((2,)).tolist() == [1, 2, 1, 2]
    assert x.tile([2, 1]).shape == (2, 2)


# ---------------------------------------------------------------- unique_consecutive, multinomial

def test_unique_consecutive_is_outside_the_graph_and_marked_for_symbolic_inputs():
    x = sg.tensor([3.0, 3.0, 1.0], requires_grad=True)
    values, inverse, counts = x.unique_consecutive(return_inverse=True, return_counts=True)
    assert values.tolist() == [3.0, 1.0] and inverse.tolist() == [0, 0, 1] and counts.tolist() == [2, 1]
    assert not values.requires_grad and all(isinstance(t._value, Picked) for t in (values, inverse, counts))
    plain = sg.tensor([1, 1]).unique_consecutive(return_counts=True)
    assert not any(isinstance(t._value, Picked) for t in plain)
    data = sg.tensor([1, 2])
    sg.unique_consecutive(data)[0] = 7  # a copy, never a view of the input
    assert data.tolist() == [1, 2]


def test_unique_consecutive_against_pytorch_on_random_runs():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    v = rng.integers(0, 3, size=(6, 4, 3))
    for dim in (None, 0, 1, -1):
        ours = sg.unique_consecutive(sg.tensor(v), return_inverse=True, return_counts=True, dim=dim)
        theirs = torch.unique_consecutive(torch.tensor(v), return_inverse=True, return_counts=True, dim=dim)
        for a, b in zip(ours, theirs):
            assert a.tolist() == b.tolist()


def _pair_frequencies(drawn: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(drawn[:, 0] * n + drawn[:, 1], minlength=n * n) / len(drawn)


@pytest.mark.parametrize("replacement", [False, True])
def test_multinomial_draws_from_the_right_distribution(replacement):
    w = np.array([1.0, 0.0, 2.0, 3.0, 4.0])
    p = w / w.sum()
    rows = 40000
    sg.manual_seed(0)
    drawn = sg.multinomial(sg.tensor(np.tile(w, (rows, 1))), 2, replacement).numpy()
    if replacement:
        expected = np.outer(p, p)
    else:  # the second draw from the weights left
        expected = np.array([[p[i] * w[j] / (w.sum() - w[i]) if i != j else 0.0 for j in range(5)] for i in range(5)])
    freq = _pair_frequencies(drawn, 5)
    tolerance = 5 * np.sqrt(expected.ravel() * (1 - expected.ravel()) / rows) + 1e-12
    assert (np.abs(freq - expected.ravel()) <= tolerance).all()
    assert not (drawn == 1).any()  # a zero weight is never drawn


def test_multinomial_is_seeded_takes_a_generator_and_has_no_gradient():
    p = sg.tensor([[0.2, 0.3, 0.5]] * 4, requires_grad=True)
    sg.manual_seed(3)
    a = sg.multinomial(p, 2)
    sg.manual_seed(3)
    assert a.equal(p.multinomial(2))
    g1 = sg.multinomial(p, 3, True, generator=np.random.default_rng(1))
    assert g1.equal(sg.multinomial(p, 3, True, generator=np.random.default_rng(1)))
    assert a.dtype == sg.int64 and not a.requires_grad and a.grad_fn is None
    assert isinstance(a._value, Picked)  # drawn from a variable's values: generated code must not reuse it
    assert not isinstance(sg.multinomial(sg.tensor([0.5, 0.5]), 1)._value, Picked)
    # without replacement every index of a row appears once; zero weights come last
    assert sorted(sg.multinomial(sg.tensor([0.0, 1.0, 0.0, 2.0]), 4).tolist()[:2]) == [1, 3]


def test_multinomial_errors_say_what_to_change():
    with pytest.raises(RuntimeError, match="without replacement .*pass replacement=True"):
        sg.multinomial(sg.tensor([0.5, 0.5]), 3)
    with pytest.raises(RuntimeError, match="floating-point dtypes for input, got: Long; convert"):
        sg.multinomial(sg.tensor([1, 2]), 1)
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        sg.multinomial(sg.tensor([0.5, 0.5]), 1, generator=0)
    with pytest.raises(RuntimeError, match="sum of probabilities <= 0"):
        sg.multinomial(sg.tensor([[1.0, 0.0], [0.0, 0.0]]), 1)
