"""Shape, indexing and construction functions (rot90, take, tensor_split and
the h/v/dsplits, column_stack, dstack, atleast_Nd, diag_embed, diagflat, kron,
tensordot, block_diag, cartesian_prod, combinations, vander, tril/triu_indices,
broadcast_shapes, movedim with several dims) against PyTorch: values, dtypes,
views, errors.  Gradients and closed forms run through the op spec table
(``_SHAPE_FUNCTIONS`` in ``tests/op_specs.py``)."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad as sg

torch = pytest.importorskip("torch")


def _same(ours, theirs) -> None:
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _same(a, b)
        return
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def _both(make, *arrays, **kwargs):
    """``make(M, *tensors)`` run with symgrad and with torch on the same arrays."""
    ours = make(sg, *[sg.tensor(a) for a in arrays], **kwargs)
    theirs = make(torch, *[torch.tensor(a) for a in arrays], **kwargs)
    _same(ours, theirs)


def _error(make, *arrays):
    """The exception type torch raises is the one symgrad raises."""
    with pytest.raises(Exception) as theirs:
        make(torch, *[torch.tensor(a) for a in arrays])
    with pytest.raises(type(theirs.value)):
        make(sg, *[sg.tensor(a) for a in arrays])


INTS = np.arange(24).reshape(2, 3, 4)
FLOATS32 = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
EMPTY = np.zeros((0, 3))


@pytest.mark.parametrize("args", [(0, -1), ((0, 1), (2, 0)), ([2, 0], [0, 1]), (-1, -1)])
def test_movedim_and_moveaxis_take_ints_and_sequences(args):
    _both(lambda M, x: M.movedim(x, *args), INTS)
    _both(lambda M, x: x.moveaxis(*args), INTS)


@pytest.mark.parametrize("args", [((0, 1), (0,)), ((0, 0), (1, 2)), (3, 0)])
def test_movedim_errors(args):
    _error(lambda M, x: M.movedim(x, *args), INTS)


def test_swapdims_is_transpose_a_view():
    x = sg.tensor(INTS)
    _both(lambda M, x: M.swapdims(x, 0, 2), INTS)
    assert np.shares_memory(x.swapdims(0, -1).numpy(), x.numpy())


@pytest.mark.parametrize("k", [0, 1, 2, 3, 4, -1, -6])
@pytest.mark.parametrize("dims", [(0, 1), (1, 0), (2, -3), (-1, 1)])
def test_rot90(k, dims):
    _both(lambda M, x: M.rot90(x, k, dims), INTS)
    _both(lambda M, x: x.rot90(k, dims), FLOATS32[None])


@pytest.mark.parametrize("dims", [(0,), (0, 0), (0, -2), (0, 5), (-3, -1), (-1, 1)])  # out of range: IndexError first
def test_rot90_errors(dims):
    _error(lambda M, x: M.rot90(x, 1, dims), FLOATS32)
    _error(lambda M, x: M.rot90(x), np.ones(3))


def test_rot90_by_zero_is_a_copy():
    x = sg.tensor(FLOATS32)
    assert not np.shares_memory(sg.rot90(x, 0).numpy(), x.numpy())


@pytest.mark.parametrize("index", [[[0, 5], [-1, -6]], 3, [], [[5]]])
def test_take(index):
    _both(lambda M, x: M.take(x, M.tensor(index, dtype=M.int64)), FLOATS32)
    _both(lambda M, x: x.take(M.tensor(index, dtype=M.int64)), INTS.reshape(2, 12)[:, :6])


@pytest.mark.parametrize("index,dtype", [([12], "int64"), ([-13], "int64"), ([1], "int32")])
def test_take_errors(index, dtype):
    _error(lambda M, x: M.take(x, M.tensor(index, dtype=getattr(M, dtype))), FLOATS32)


def test_take_from_a_0d_tensor():
    _both(lambda M, x: M.take(x, M.tensor(0)), np.array(2.5))


@pytest.mark.parametrize("split", [1, 2, 3, 5, [1], [1, 3], [3, 1], [-1], [0, 0, 4], [], (2,)])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_tensor_split(split, dim):
    _both(lambda M, x: M.tensor_split(x, split, dim), INTS)
    _both(lambda M, x: x.tensor_split(split, dim=dim), EMPTY.T.copy())


def test_tensor_split_of_a_tensor_and_views():
    _both(lambda M, x: M.tensor_split(x, M.tensor(3), 2), INTS)
    _both(lambda M, x: M.tensor_split(x, M.tensor([1, 2]), 2), INTS)
    x = sg.tensor(INTS)
    assert all(np.shares_memory(p.numpy(), x.numpy()) for p in sg.tensor_split(x, 2, 1))
    for bad in (0, sg.tensor([1.0]), sg.tensor([[1]])):
        _error(lambda M, x, bad=bad: M.tensor_split(x, bad if not isinstance(bad, sg.Tensor)
                                                    else torch.tensor(bad.numpy()) if M is torch else bad), INTS)
    _error(lambda M, x: M.tensor_split(x, 2), np.array(1.0))


@pytest.mark.parametrize("name,sections", [("hsplit", 2), ("hsplit", [1]), ("vsplit", 2), ("vsplit", [1, 5]),
                                            ("dsplit", 4), ("dsplit", [3])])
def test_hsplit_vsplit_dsplit(name, sections):
    _both(lambda M, x: getattr(M, name)(x, sections), np.arange(48).reshape(2, 2, 12))
    _both(lambda M, x: getattr(x, name)(sections), np.arange(48).reshape(2, 2, 12))


@pytest.mark.parametrize("name,shape,sections", [("hsplit", (2, 3), 2), ("hsplit", (), 1), ("vsplit", (4,), 2),
                                                  ("dsplit", (2, 2), 1), ("hsplit", (2, 3), 0)])
def test_split_errors(name, shape, sections):
    _error(lambda M, x: getattr(M, name)(x, sections), np.zeros(shape))


def test_hsplit_of_a_vector_splits_dim_0():
    _both(lambda M, x: M.hsplit(x, 3), np.arange(6.0))


@pytest.mark.parametrize("shapes", [[(), (1,)], [(3,), (3, 2)], [(2,), (2,)], [(0,), (0, 2)]])
def test_column_stack_and_dstack(shapes):
    arrays = [np.ones(s, dtype=np.int32) * i for i, s in enumerate(shapes)]
    _both(lambda M, *ts: M.column_stack(ts), *arrays)
    _both(lambda M, *ts: M.column_stack(list(ts)), *[a.astype(np.float32) for a in arrays])


def test_dstack_row_stack_promote_like_cat():
    _both(lambda M, a, b: M.dstack([a, b]), np.ones((2, 2), np.int32), np.ones((2, 2, 1)))
    _both(lambda M, a, b: M.dstack((a, b)), np.array(1.0), np.ones(1, np.float32))
    _both(lambda M, a, b: M.row_stack([a, b]), np.arange(3), np.ones((2, 3)))


def test_stacking_errors():
    for name in ("column_stack", "dstack", "row_stack"):
        with pytest.raises(RuntimeError):
            getattr(sg, name)([])
        with pytest.raises(TypeError):
            getattr(sg, name)(sg.ones(2))
        with pytest.raises(TypeError):
            getattr(torch, name)(torch.ones(2))


@pytest.mark.parametrize("name", ["atleast_1d", "atleast_2d", "atleast_3d"])
@pytest.mark.parametrize("shape", [(), (2,), (2, 3), (2, 3, 1), (0,)])
def test_atleast_nd_are_views_of_their_input(name, shape):
    a = np.arange(int(np.prod(shape))).reshape(shape)
    _both(lambda M, x: getattr(M, name)(x), a)
    _both(lambda M, x, y: getattr(M, name)(x, y), a, np.array(1.5))
    _both(lambda M, x: getattr(M, name)([x]), a)
    x = sg.tensor(a)
    assert np.shares_memory(getattr(sg, name)(x).numpy(), x.numpy()) or not a.size


@pytest.mark.parametrize("args", [(0, -2, -1), (1, 0, 2), (-1, 2, 0), (2, -1, 1)])
def test_diag_embed(args):
    _both(lambda M, x: M.diag_embed(x, *args), np.arange(6).reshape(2, 3))
    _both(lambda M, x: x.diag_embed(*args), np.array([[True, False, True]] * 2))


def test_diag_embed_errors():
    _error(lambda M, x: M.diag_embed(x, 0, 0, 0), np.ones(2))
    _error(lambda M, x: M.diag_embed(x, 0, 0, 3), np.ones(2))
    _error(lambda M, x: M.diag_embed(x), np.array(1.0))


@pytest.mark.parametrize("shape", [(), (3,), (2, 2), (0,)])
@pytest.mark.parametrize("offset", [0, 2, -1])
def test_diagflat(shape, offset):
    _both(lambda M, x: M.diagflat(x, offset), np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape))


@pytest.mark.parametrize("a,b", [((2,), (3,)), ((2, 2), (3,)), ((), (2, 2)), ((2, 0), (2, 2)), ((1, 2, 1), (2, 2))])
def test_kron(a, b):
    _both(lambda M, x, y: M.kron(x, y), np.arange(np.prod(a)).reshape(a), np.arange(np.prod(b)).reshape(b) + 1.0)
    _both(lambda M, x, y: x.kron(y), np.ones(a, np.float32), np.arange(np.prod(b), dtype=np.int32).reshape(b))


@pytest.mark.parametrize("dims", [0, 1, 2, ([1], [0]), ([0, 1], [1, 0]), ([-1], [-2]), [[1], [0]]])
def test_tensordot(dims):
    a, b = np.arange(6.0).reshape(2, 3), np.arange(6.0).reshape(3, 2)
    if dims == 2:
        b = b.T.copy()
    _both(lambda M, x, y: M.tensordot(x, y, dims), a, b)
    _both(lambda M, x, y: M.tensordot(x, y, dims=dims), a.astype(np.int64), b.astype(np.int64))


def test_tensordot_dims_as_a_tensor_and_errors():
    a, b = np.arange(6.0).reshape(2, 3), np.arange(6.0).reshape(3, 2)
    _both(lambda M, x, y: M.tensordot(x, y, M.tensor(1)), a, b)
    _both(lambda M, x, y: M.tensordot(x, y, M.tensor([[1], [0]])), a, b)
    for dims in (-1, 3, ([1], [0, 1]), ([1, 1], [0, 0]), ([0], [0]), (1, 0)):
        _error(lambda M, x, y, dims=dims: M.tensordot(x, y, dims), a, b)
    _error(lambda M, x, y: M.tensordot(x, y, 1), a.astype(np.int32), b)


def test_block_diag():
    _both(lambda M, a, b, c: M.block_diag(a, b, c), np.array(1), np.array([2.0, 3.0]),
          np.ones((2, 1), np.int32))
    _both(lambda M, a, b: M.block_diag(a, b), np.ones((0, 2)), np.ones((2, 0)))
    _both(lambda M, a, b: M.block_diag(a, b), np.array([True]), np.array([[True]]))
    # a 0-d tensor promotes as PyTorch's scalars do: float64 beside a float32 matrix gives float32
    _both(lambda M, a, b: M.block_diag(a, b), np.array(1.5), np.ones((1, 2), np.float32))
    _both(lambda M, a, b: M.block_diag(a, b), np.array(2), np.ones(1, np.float32))
    _same(sg.block_diag(), torch.block_diag().double())
    _error(lambda M, a: M.block_diag(a), np.ones((2, 2, 2)))


def test_cartesian_prod_and_combinations():
    _both(lambda M, a, b, c: M.cartesian_prod(a, b, c), np.arange(2), np.arange(3), np.arange(2) + 5)
    x = sg.tensor([1.0, 2.0], requires_grad=True)
    assert sg.cartesian_prod(x) is x  # PyTorch returns its one input itself
    _error(lambda M, a: M.cartesian_prod(a), np.ones((2, 2)))
    _error(lambda M, a, b: M.cartesian_prod(a, b), np.ones(2), np.ones(2, np.int64))
    for r in (0, 1, 2, 3, 4):
        for with_replacement in (False, True):
            _both(lambda M, a, r=r, w=with_replacement: M.combinations(a, r, w), np.arange(3.0))
    _both(lambda M, a: M.combinations(a, 2), np.zeros(0))
    _error(lambda M, a: M.combinations(a, -1), np.arange(3))
    _error(lambda M, a: M.combinations(a), np.ones((2, 2)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.uint8, np.bool_])
@pytest.mark.parametrize("n", [None, 0, 1, 4])
def test_vander_values_and_dtypes(dtype, n):
    x = np.array([2, 0, 1]).astype(dtype)
    _both(lambda M, t: M.vander(t, n), x)
    _both(lambda M, t: M.vander(t, N=n, increasing=True), x)


@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.int64])
def test_linalg_vander_is_batched_and_increasing(dtype):
    x = np.arange(6).reshape(2, 3).astype(dtype)
    _both(lambda M, t: M.linalg.vander(t), x)
    _both(lambda M, t: M.linalg.vander(t, N=4), x)


def test_vander_errors():
    _error(lambda M, t: M.vander(t), np.ones((2, 2)))
    _error(lambda M, t: M.vander(t, -1), np.ones(2))
    _error(lambda M, t: M.linalg.vander(t, N=1), np.ones(2))
    _error(lambda M, t: M.linalg.vander(t), np.array(2.0))
    _error(lambda M, t: M.linalg.vander(t, N=3), np.array([True]))


def test_vander_closed_form_and_gradient():
    x = sg.tensor([2.0, 0.0], requires_grad=True)
    y = sg.linalg.vander(x, N=3)
    assert str(y.expr) == "[[1, x[0], x[0]**2], [1, x[1], x[1]**2]]"
    y.sum().backward()
    assert x.grad.tolist() == [5.0, 1.0]
    assert str(x.grad.expr) == "[2*x[0] + 1, 2*x[1] + 1]"


@pytest.mark.parametrize("name", ["tril_indices", "triu_indices"])
@pytest.mark.parametrize("args", [(3, 3), (3, 2, -1), (2, 4, 1), (0, 3), (4, 3, 5), (4, 3, -5)])
def test_triangle_indices(name, args):
    _same(getattr(sg, name)(*args), getattr(torch, name)(*args))
    _same(getattr(sg, name)(*args, dtype=sg.int32), getattr(torch, name)(*args, dtype=torch.int32))


@pytest.mark.parametrize("name", ["tril_indices", "triu_indices"])
def test_triangle_indices_errors(name):
    for args, kwargs in [((-1, 2), {}), ((2, -1), {}), ((2, 2), {"dtype": "float32"})]:
        kw = {k: getattr(torch, v) for k, v in kwargs.items()}
        with pytest.raises(Exception) as theirs:
            getattr(torch, name)(*args, **kw)
        with pytest.raises(type(theirs.value)):
            getattr(sg, name)(*args, **{k: getattr(sg, v) for k, v in kwargs.items()})


@pytest.mark.parametrize("shapes", [((2, 1), (3,), 3), (), ((0,), (1,)), ((1, 4), (5, 1), ()), (4,)])
def test_broadcast_shapes(shapes):
    assert tuple(sg.broadcast_shapes(*shapes)) == tuple(torch.broadcast_shapes(*shapes))
    assert repr(sg.broadcast_shapes(*shapes)).startswith("symgrad.Size(")


def test_broadcast_shapes_errors():
    for shapes in [((2,), (3,)), ((-1,), (3,))]:
        with pytest.raises(Exception) as theirs:
            torch.broadcast_shapes(*shapes)
        with pytest.raises(type(theirs.value)):
            sg.broadcast_shapes(*shapes)


# ---------------------------------------------------------------- searchsorted, bucketize, isin, unravel_index

SEQ = np.array([1.0, 3.0, 5.0, 7.0])


@pytest.mark.parametrize("kwargs", [{}, {"right": True}, {"side": "right"}, {"side": "left"}, {"out_int32": True},
                                    {"right": True, "side": "right"}])
@pytest.mark.parametrize("values", [[3.0, 6.0, 9.0, 0.0], [[1.0], [7.0]], 3.0, []])
def test_searchsorted(kwargs, values):
    _both(lambda M, s, v: M.searchsorted(s, v, **kwargs), SEQ, np.array(values))
    _both(lambda M, s, v: M.searchsorted(s, v, **kwargs), SEQ.astype(np.int64), np.array(values))


def test_searchsorted_batched_sorter_and_numbers():
    # no values per row, no rows: the flat reshape to (-1, 0) could not be inferred
    for seq, values in (((2, 3), (2, 0)), ((0, 3), (0, 2)), ((2, 0), (2, 2)), ((0, 0), (0, 0))):
        _both(lambda M, s, v: M.searchsorted(s, v), np.zeros(seq), np.ones(values))
    _both(lambda M, s, v: M.searchsorted(s, v), np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.5], [3.5]]))
    _both(lambda M, s, v: M.searchsorted(s, v, sorter=M.tensor([1, 2, 0])), np.array([3.0, 1.0, 2.0]),
          np.array([2.5, 0.0]))
    _same(sg.searchsorted(sg.tensor(SEQ), 3.0, right=True), torch.searchsorted(torch.tensor(SEQ), 3.0, right=True))


@pytest.mark.parametrize("make", [
    lambda M, s: M.searchsorted(s, M.tensor([1.0]), side="middle"),
    lambda M, s: M.searchsorted(s, M.tensor([1.0]), right=True, side="left"),
    lambda M, s: M.searchsorted(s[0], M.tensor([1.0])),
    lambda M, s: M.searchsorted(s.reshape(2, 2), M.tensor([1.0])),
    lambda M, s: M.searchsorted(s, M.tensor([1.0]), sorter=M.tensor([0, 1])),
    lambda M, s: M.bucketize(M.tensor([1.0]), s.reshape(2, 2)),
])
def test_searchsorted_errors(make):
    _error(make, SEQ)


def test_bucketize():
    for kwargs in ({}, {"right": True}, {"out_int32": True}):
        _both(lambda M, v, b, kwargs=kwargs: M.bucketize(v, b, **kwargs), np.array([[0.5, 3.0], [9.0, 5.0]]), SEQ)
    _same(sg.bucketize(3.0, sg.tensor(SEQ)), torch.bucketize(3.0, torch.tensor(SEQ)))


def test_search_results_are_outside_the_graph_and_marked_when_symbolic():
    from symgrad.ops.positions import Picked

    s = sg.tensor(SEQ, requires_grad=True)
    found = sg.searchsorted(s, sg.tensor([4.0]))
    assert not found.requires_grad and isinstance(found._value, Picked)
    assert not isinstance(sg.searchsorted(sg.tensor(SEQ), sg.tensor([4.0]))._value, Picked)


@pytest.mark.parametrize("invert", [False, True])
def test_isin(invert):
    _both(lambda M, a, b: M.isin(a, b, invert=invert), np.array([[1, 2], [3, 5]]), np.array([2, 5, 7]))
    _both(lambda M, a, b: M.isin(a, b, invert=invert), np.array([1.0, 2.0, np.nan]), np.array([2, 9]))
    _both(lambda M, a, b: M.isin(a, b, invert=invert), np.array([np.nan]), np.array([np.nan]))
    _same(sg.isin(sg.tensor([1, 2, 3]), 2, invert=invert), torch.isin(torch.tensor([1, 2, 3]), 2, invert=invert))
    _same(sg.isin(2, sg.tensor([1, 2])), torch.isin(2, torch.tensor([1, 2])))


def test_isin_errors():
    _error(lambda M, a, b: M.isin(a, b), np.array([True]), np.array([1]))
    with pytest.raises(TypeError):
        sg.isin(2, 3)


@pytest.mark.parametrize("indices,shape", [([5, -1, 0], (2, 3)), (4, (2, 3)), ([[0, 23]], (2, 3, 4)), ([0], 5),
                                           ([0], ()), ([], (2, 0))])
def test_unravel_index(indices, shape):
    if shape == (2, 0):
        _same(sg.unravel_index(sg.tensor(indices, dtype=sg.int64), shape),
              torch.unravel_index(torch.tensor(indices, dtype=torch.int64), shape))
        return
    _both(lambda M, i: M.unravel_index(i, shape), np.array(indices))
    _both(lambda M, i: M.unravel_index(i, shape), np.array(indices, dtype=np.int32))


def test_unravel_index_errors():
    _error(lambda M, i: M.unravel_index(i, (2, 3)), np.array([1.0]))
    _error(lambda M, i: M.unravel_index(i, (2, 3)), np.array([True]))
    _error(lambda M, i: M.unravel_index(i, (2, -3)), np.array([1]))
    # PyTorch wraps a position past the end around (6 is (0, 0)); symgrad refuses it
    with pytest.raises(RuntimeError, match="out of bounds for a tensor of shape"):
        sg.unravel_index(sg.tensor([6]), (2, 3))


# ---------------------------------------------------------------- index_copy, index_fill, *_scatter, narrow_copy

@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.bool_])
def test_index_copy(dtype):
    x, s = np.zeros((3, 2), dtype), np.ones((2, 2), dtype)
    _both(lambda M, x, s: M.index_copy(x, 0, M.tensor([2, 0]), s), x, s)
    _both(lambda M, x, s: x.index_copy(1, M.tensor([1, 1]), M.ones(3, 2, dtype=x.dtype)), x, s)
    _both(lambda M, x, s: M.index_copy(x, 0, M.tensor(0), s), np.array(1, dtype), np.array(5, dtype))


@pytest.mark.parametrize("make", [
    lambda M, x: x.index_copy(0, M.tensor([2, 0]), M.ones(2, 3)),
    lambda M, x: x.index_copy(0, M.tensor([2, 0]), M.ones(2, 2, dtype=M.float32)),
    lambda M, x: x.index_copy(0, M.tensor([2.0]), M.ones(1, 2)),
    lambda M, x: x.index_copy(0, M.tensor([3]), M.ones(1, 2, dtype=M.float64)),
    lambda M, x: x.index_copy(0, M.tensor([-1]), M.ones(1, 2, dtype=M.float64)),
    lambda M, x: x.index_copy(0, M.tensor([[0]]), M.ones(1, 2, dtype=M.float64)),
    lambda M, x: x.index_copy(0, M.tensor([0, 1]), M.ones(1, 2, dtype=M.float64)),
    lambda M, x: x.index_copy(1, M.tensor(1), M.ones(3)),
    lambda M, x: x.index_fill(1, M.tensor([1.0]), 1),
    lambda M, x: x.index_fill(1, M.tensor([2]), 1),
    lambda M, x: x.index_fill(1, M.tensor([1]), M.tensor([2.5])),
])
def test_index_copy_and_fill_errors(make):
    _error(make, np.zeros((3, 2)))


def test_index_fill_values_dtypes_and_gradient_of_a_0d_value():
    _both(lambda M, x: x.index_fill(1, M.tensor([1, -1]), 2.5), np.zeros((3, 2), np.float32))
    _both(lambda M, x: M.index_fill(x, 0, M.tensor([0]), 2.7), np.array([1, 2]))
    _both(lambda M, x: x.index_fill(0, M.tensor([0]), M.tensor(2.5)), np.zeros((2, 2), np.float32))
    _both(lambda M, x: x.index_fill(0, M.tensor([], dtype=M.int64), 1.0), np.zeros(2))
    v = sg.tensor(2.0, requires_grad=True)
    y = sg.zeros(3, 2).index_fill(0, sg.tensor([0, 0, 2]), v)
    y.sum().backward()
    assert v.grad.item() == 4.0  # each filled element once, as PyTorch


def test_in_place_forms_write_into_the_tensor():
    for name, args in [("index_copy_", (0, "i", "s")), ("index_fill_", (0, "i", 3.0)),
                       ("masked_scatter_", ("m", "s"))]:
        out = {}
        for M in (sg, torch):
            x = M.zeros(2, 2)
            subs = {"i": M.tensor([1]), "s": M.ones(1, 2) * 5, "m": M.tensor([[True, False], [False, True]])}
            r = getattr(x, name)(*[subs.get(a, a) if isinstance(a, str) else a for a in args])
            assert r is x
            out[M] = x.tolist()
        assert out[sg] == out[torch], name


@pytest.mark.parametrize("dim,index", [(0, 0), (0, -1), (1, 1), (-1, 0)])
def test_select_scatter(dim, index):
    x = np.arange(6.0).reshape(2, 3)
    src = np.ones(x.shape[:dim % 2] + x.shape[dim % 2 + 1:]) * 9
    _both(lambda M, x, s: M.select_scatter(x, s, dim, index), x, src)
    _both(lambda M, x, s: x.select_scatter(s, dim, index), x.astype(np.int32), src.astype(np.int32))


@pytest.mark.parametrize("args,src_shape", [((0, 1, 2), (1, 2)), ((0, None, None, 2), (2, 2)), ((1, -1), (3, 1)),
                                            ((1, -5, 10), (3, 2)), ((1, 1, 0), (3, 0))])
def test_slice_scatter(args, src_shape):
    _both(lambda M, x, s: M.slice_scatter(x, s, *args), np.zeros((3, 2)), np.ones(src_shape))
    _both(lambda M, x, s: x.slice_scatter(s, *args), np.zeros((3, 2), np.int64), np.ones(src_shape, np.int64))


@pytest.mark.parametrize("args,shape,src_shape", [((), (3, 2), (2,)), ((1,), (3, 2), (1,)), ((0, 0, 2), (2, 3, 2), (3, 2)),
                                                  ((-1, 1, 0), (3, 3), (2,)), ((0, 2, 1), (2, 3, 3), (2, 3))])
def test_diagonal_scatter(args, shape, src_shape):
    _both(lambda M, x, s: M.diagonal_scatter(x, s, *args), np.zeros(shape), np.arange(np.prod(src_shape),
                                                                                       dtype=float).reshape(src_shape))


def test_scatter_errors():
    for make in (lambda M, x: M.select_scatter(x, M.ones(3), 0, 0), lambda M, x: M.select_scatter(x, M.ones(2), 0, 3),
                 lambda M, x: M.select_scatter(x, M.ones(1, 2), 0, 0), lambda M, x: M.slice_scatter(x, M.ones(2, 2)),
                 lambda M, x: M.slice_scatter(x, M.ones(3, 2), 1, step=0),
                 lambda M, x: M.diagonal_scatter(x, M.ones(3)), lambda M, x: M.diagonal_scatter(x, M.ones(2), 0, 0, 0)):
        _error(make, np.zeros((3, 2)))
    # a 0-d tensor has no dim to select or narrow (this was a bare 'tuple index out of range')
    for make in (lambda M, x: M.select_scatter(x, M.tensor(2.), 0, 0), lambda M, x: M.narrow_copy(x, 0, 0, 1),
                 lambda M, x: x.narrow(0, 0, 1), lambda M, x: x.select(0, 0)):
        _error(make, np.array(1.5))


@pytest.mark.parametrize("mask,shape", [([[True, False], [False, True], [True, True]], (3, 2)),
                                        ([True, False], (3, 2)), ([[True, False], [True, True]], (2,)),
                                        ([[False, False]], (2,))])
def test_masked_scatter(mask, shape):
    _both(lambda M, x, m, s: x.masked_scatter(m, s), np.zeros(shape), np.array(mask), np.arange(1.0, 7.0))
    _both(lambda M, x, m, s: M.masked_scatter(x, m, s), np.zeros(shape, np.int32), np.array(mask),
          np.arange(6, dtype=np.int32).reshape(2, 3))


def test_masked_scatter_errors():
    for make in (lambda M, x: x.masked_scatter(M.ones(3, 2, dtype=M.int64), M.ones(6)),
                 lambda M, x: x.masked_scatter(M.ones(3, 2, dtype=M.bool), M.ones(5)),
                 lambda M, x: x.masked_scatter(M.ones(3, 2, dtype=M.bool), M.ones(6, dtype=M.float32))):
        _error(make, np.zeros((3, 2)))


def test_masked_scatter_by_a_symbolic_mask_is_marked():
    x = sg.tensor([1.0, -2.0], requires_grad=True)
    y = sg.zeros(2).masked_scatter(x > 0, x * 2)
    with pytest.raises(sg.codegen.CodegenError, match="positions chosen by the values"):
        sg.lambdify([x], y * x)


def test_narrow_copy_is_a_copy():
    _both(lambda M, x: x.narrow_copy(1, 1, 1), np.zeros((3, 2)))
    _both(lambda M, x: M.narrow_copy(x, 1, -1, 1), np.arange(6).reshape(3, 2))
    _error(lambda M, x: x.narrow_copy(1, 1, 2), np.zeros((3, 2)))
    x = sg.tensor(np.zeros((3, 2)))
    assert not np.shares_memory(x.narrow_copy(0, 0, 2).numpy(), x.numpy())
