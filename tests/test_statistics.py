"""Order statistics (median, nanmedian, kthvalue, mode, msort, quantile,
nanquantile) against PyTorch where the op spec table cannot reach: ties and
which element gets the gradient, nan, empty and 0-d inputs, dtypes, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import symgrad as sg
from symgrad.ops import statistics

nan = math.nan
torch = pytest.importorskip("torch")


def _run(M, fn, values, dtype="float64", grad=True):
    """``fn(M, x)`` on a leaf made of ``values``: the values, the indices (if any) and x's gradient."""
    floating = dtype.startswith("float")
    x = M.tensor(values, dtype=getattr(M, dtype), requires_grad=grad and floating)
    out = fn(M, x)
    values_out, indices = (out, None) if isinstance(out, (sg.Tensor, torch.Tensor)) else (out[0], out[1])
    gradient = None
    if grad and floating:
        w = M.tensor(np.linspace(0.5, 1.5, values_out.numel()).reshape(tuple(values_out.shape)), dtype=x.dtype)
        (values_out * w).sum().backward()
        gradient = x.grad.numpy()
    return (values_out.detach().numpy(), None if indices is None else indices.numpy(), gradient,
            str(values_out.dtype).split(".")[-1])


def _same_as_torch(fn, values, dtype="float64", grad=True):
    got, want = _run(sg, fn, values, dtype, grad), _run(torch, fn, values, dtype, grad)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-6 if dtype == "float32" else 1e-15)
    assert got[0].shape == want[0].shape and got[3] == want[3]
    if want[1] is not None:
        np.testing.assert_array_equal(got[1], want[1])
        assert got[1].dtype == want[1].dtype
    if want[2] is not None:
        np.testing.assert_allclose(got[2], want[2], rtol=1e-6, atol=1e-7)


TIES = [[3., 1., 1., 2., 1., 3.], [2., 2.], [[1., 2., 2., 2., 5.], [2., 1., 2., 2., 1.]], [[4., 4., 0.], [1., 5., 5.]],
        [5., 5., 1., 5., 5., 5., 2.], [0., 1., 2., 3., 4., 5., 6., 7., 8., 9., 3., 3., 3., 3., 3.]]
NANS = [[1., nan, 2., nan], [[nan, nan, nan], [1., nan, 0.]], [nan] * 7, [[nan] * 5, [nan, 1., nan, 2., 3.]]]


@pytest.mark.parametrize("values", TIES + NANS)
@pytest.mark.parametrize("name,fn", [
    ("median", lambda M, x: M.median(x)),
    ("nanmedian", lambda M, x: M.nanmedian(x)),
    ("median_dim", lambda M, x: M.median(x, -1)),
    ("median_keepdim", lambda M, x: x.median(0, keepdim=True)),
    ("nanmedian_dim", lambda M, x: x.nanmedian(-1)),
    ("kthvalue_2", lambda M, x: M.kthvalue(x, 2)),
    ("kthvalue_last", lambda M, x: x.kthvalue(x.shape[-1], -1, True)),
    ("msort", lambda M, x: M.msort(x)),
    ("quantile", lambda M, x: M.quantile(x, 0.5, dim=-1)),
    ("nanquantile", lambda M, x: M.nanquantile(x, 0.25, dim=-1)),
])
def test_ties_and_nan_as_pytorch(name, fn, values):
    """PyTorch's values, indices and gradients where equal values (or nan) compete."""
    _same_as_torch(fn, values)
    _same_as_torch(fn, values, "float32")


@pytest.mark.parametrize("values", TIES)
def test_mode_as_pytorch(values):
    _same_as_torch(lambda M, x: M.mode(x), values)
    _same_as_torch(lambda M, x: x.mode(0, True), values, "int64")


def test_kthvalue_ties_replay_pytorchs_quickselect():
    rng = np.random.default_rng(0)
    for _ in range(200):
        v = rng.integers(0, 3, int(rng.integers(2, 30))).astype(float)
        v[rng.random(len(v)) < 0.1] = nan
        k = int(rng.integers(1, len(v) + 1))
        want = torch.kthvalue(torch.tensor(v), k).indices.item()
        assert sg.kthvalue(sg.tensor(v), k).indices.item() == want


@pytest.mark.parametrize("n", range(1, 40))
def test_nanmedian_of_all_nan_rows_is_where_pytorch_finds_it(n):
    row = [nan] * n
    assert sg.nanmedian(sg.tensor([row]), 1).indices.item() == torch.nanmedian(torch.tensor([row]), 1).indices.item()


def test_median_shares_the_gradient_among_ties_with_an_exact_closed_form():
    x = sg.tensor([3., 1., 1., 2., 1., 3.], requires_grad=True)
    m = sg.median(x)
    assert str(m.expr) == "Max(x[1], x[2], x[4])"  # the tied elements: exactly their common value
    m.backward()
    np.testing.assert_allclose(x.grad.numpy(), [0, 1 / 3, 1 / 3, 0, 1 / 3, 0])


@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (None, True), (0, False), (1, True), (-1, False)])
def test_quantile_shapes_and_modes_as_pytorch(interpolation, dim, keepdim):
    values = np.random.default_rng(3).normal(size=(3, 5))
    for q in (0.3, [0.0, 0.45, 1.0], [0.6]):
        def fn(M, x, q=q):
            qq = M.tensor(q, dtype=x.dtype) if isinstance(q, list) else q
            return M.quantile(x, qq, dim, keepdim, interpolation=interpolation)
        _same_as_torch(fn, values)
        _same_as_torch(fn, values, "float32")


def test_quantile_gradient_reaches_q_as_pytorchs():
    got, want = [], []
    for M, out in ((sg, got), (torch, want)):
        x = M.tensor([1., 5., 2., 2.], dtype=M.float64, requires_grad=True)
        q = M.tensor([0.3, 0.9, 0.5], dtype=M.float64, requires_grad=True)
        M.quantile(x, q).sum().backward()
        out += [x.grad.numpy(), q.grad.numpy()]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12)


@pytest.mark.parametrize("fn", [
    lambda M, x: M.median(x), lambda M, x: M.median(x, 0), lambda M, x: M.median(x, 0, True),
    lambda M, x: M.nanmedian(x), lambda M, x: M.kthvalue(x, 1), lambda M, x: M.kthvalue(x, 1, 0, True),
    lambda M, x: M.mode(x), lambda M, x: M.msort(x), lambda M, x: M.quantile(x, 0.5),
    lambda M, x: M.quantile(x, 0.5, 0), lambda M, x: M.nanquantile(x, M.tensor([0.5], dtype=x.dtype), 0, True),
])
def test_zero_dim_inputs_as_pytorch(fn):
    _same_as_torch(fn, 2.5)


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8"])
def test_integers_keep_their_dtype(dtype):
    for fn in (lambda M, x: M.median(x), lambda M, x: M.median(x, 1), lambda M, x: M.nanmedian(x, 0),
               lambda M, x: M.kthvalue(x, 2), lambda M, x: M.mode(x), lambda M, x: M.msort(x)):
        _same_as_torch(fn, [[3, 1, 1, 2], [0, 4, 4, 4]], dtype, grad=False)


def test_empty_inputs_as_pytorch():
    _same_as_torch(lambda M, x: M.median(x), [], grad=False)
    for fn in (lambda M, x: M.median(x, 0), lambda M, x: M.kthvalue(x, 1, 0), lambda M, x: M.mode(x, 0)):
        _same_as_torch(fn, np.zeros((2, 0)), grad=False)
    _same_as_torch(lambda M, x: M.quantile(x, M.zeros(0, dtype=x.dtype)), [1., 2.], grad=False)


def _error(fn):
    """The exception type and message ``fn`` raises."""
    with pytest.raises(Exception) as info:
        fn()
    return info.type, str(info.value)


@pytest.mark.parametrize("call,match", [
    (lambda M: M.median(M.tensor([True, False])), "not implemented for 'Bool'"),
    (lambda M: M.kthvalue(M.tensor([True, False]), 1), "not implemented for 'Bool'"),
    (lambda M: M.median(M.zeros(0, 3), 0), "Expected reduction dim 0 to have non-zero size"),
    (lambda M: M.mode(M.zeros(0), 0), "Expected reduction dim 0 to have non-zero size"),
    (lambda M: M.kthvalue(M.zeros(0), 1), "Expected reduction dim 0 to have non-zero size"),
    (lambda M: M.kthvalue(M.zeros(3), 4), "selected number k out of range for dimension 0"),
    (lambda M: M.kthvalue(M.zeros(3), 0), "selected number k out of range for dimension 0"),
    (lambda M: M.kthvalue(M.tensor(2.), 2), "selected number k out of range for dimension 0"),
    (lambda M: M.kthvalue(M.zeros(3), 1.5), "must be int"),
    (lambda M: M.median(M.zeros(3), 1), "Dimension out of range"),
    (lambda M: M.median(M.zeros(3), "a"), "must be int"),
    (lambda M: M.mode(M.zeros(3), None), "must be int"),
    (lambda M: M.quantile(M.tensor([1, 2]), 0.5), "input tensor must be either float or double dtype"),
    (lambda M: M.quantile(M.zeros(3), 1.5), r"q must be in the range \[0, 1\] but got 1.5"),
    (lambda M: M.quantile(M.zeros(3), nan), r"q must be in the range \[0, 1\] but got nan"),
    (lambda M: M.quantile(M.zeros(3), M.tensor([0.5, 1.2])), r"q values must be in the range \[0, 1\]"),
    (lambda M: M.quantile(M.zeros(3, dtype=M.float32), M.tensor([0.5], dtype=M.float64)), "q tensor must be same dtype"),
    (lambda M: M.quantile(M.zeros(3), M.tensor([[0.5]])), "q must be a scalar or 1D tensor"),
    (lambda M: M.quantile(M.zeros(0), 0.5), "input tensor must be non-empty"),
    (lambda M: M.quantile(M.zeros(3), 0.5, interpolation="cubic"), "interpolation must be one of linear, lower"),
    (lambda M: M.quantile(M.zeros(3), "a"), ""),
    (lambda M: M.nanquantile(M.zeros(2, 2), 0.5, dim=(0, 1)), ""),
])
def test_errors_as_pytorch(call, match):
    kind, message = _error(lambda: call(sg))
    torch_kind, _ = _error(lambda: call(torch))
    assert kind is torch_kind or issubclass(kind, torch_kind), (kind, torch_kind)
    assert match in message or __import__("re").search(match, message), message


def test_median_of_an_empty_integer_tensor_is_refused():
    # PyTorch returns an arbitrary integer (the int64 minimum): symgrad says why there is no value
    with pytest.raises(RuntimeError, match="empty integer tensor has no value"):
        sg.median(sg.tensor([], dtype=sg.int64))


def test_code_generation_refuses_the_chosen_positions():
    x = sg.tensor([3., 1., 2.], requires_grad=True)
    with pytest.raises(sg.codegen.CodegenError, match="positions chosen by the values"):
        sg.lambdify([x], sg.median(x))


def test_quickselect_on_distinct_values_is_a_plain_selection():
    values = [5., 1., 4., 2., 3.]
    assert [statistics._quickselect(list(values), k) for k in range(5)] == list(np.argsort(values))


@pytest.mark.parametrize("correction", [2, 3, 2.5])
@pytest.mark.parametrize("values", [[1.0, 2.0], [1.0, 1.0]])
def test_var_with_no_more_elements_than_the_correction_is_pytorchs(correction, values):
    """The divisor is max(0, n - correction), as PyTorch's and NumPy's: inf, or nan where every
    element is the mean (n - correction gave a negative variance, -0.5 for [1, 2] at 3); the
    gradient PyTorch's (``x.var()``): inf, nan where x is the mean; generated code agrees."""
    torch = pytest.importorskip("torch")
    t = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    want = torch.var(t, correction=correction)
    want.backward()
    x = sg.tensor(values, requires_grad=True, name="x")
    got = sg.var(x, correction=correction)
    got.backward()
    np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())
    assert sg.std(sg.tensor(values), correction=correction).item() == torch.std(torch.tensor(values), correction=correction).item() or math.isnan(want.item())
    with np.errstate(all="ignore"):
        value, (grad,) = sg.gradient_function(sg.var(x, correction=correction), [x])(np.array(values))
        np.testing.assert_array_equal(value, want.detach().numpy())
        np.testing.assert_array_equal(grad, t.grad.numpy())
        assert np.array_equal(sg.lambdify([x], sg.var(x, correction=correction), backend="math")(values),
                              want.detach().numpy(), equal_nan=True)
