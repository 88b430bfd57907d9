"""Every row of docs/pytorch.md, checked: the conventions at
non-differentiable points (against PyTorch where installed) and the
documented differences."""

from __future__ import annotations

import math

import pytest

import symgrad

try:
    import torch
except ImportError:  # the comparisons below still check symgrad's documented values
    torch = None

# (name, function of (library, *inputs), input values, documented gradients)
CONVENTIONS = [
    ("relu'(0) = 0", lambda L, x: L.relu(x), [0.], [0.]),
    ("abs'(0) = 0", lambda L, x: L.abs(x), [0.], [0.]),
    ("clamp at its lower bound", lambda L, x: L.clamp(x, 0., 1.), [0.], [1.]),
    ("clamp at its upper bound", lambda L, x: L.clamp(x, 0., 1.), [1.], [1.]),
    ("maximum ties split evenly", lambda L, x, y: L.maximum(x, y), [1., 1.], [.5, .5]),
    ("minimum ties split evenly", lambda L, x, y: L.minimum(x, y), [1., 1.], [.5, .5]),
    ("max() ties share evenly", lambda L, x: x.max(), [[1., 3., 3.]], [[0., .5, .5]]),
    ("min() ties share evenly", lambda L, x: x.min(), [[1., 1., 3.]], [[.5, .5, 0.]]),
    ("max(dim) picks its index", lambda L, x: x.max(dim=0)[0], [[1., 3., 3.]], [[0., 1., 0.]]),
    ("min(dim) picks its index", lambda L, x: x.min(dim=0)[0], [[1., 1., 3.]], [[1., 0., 0.]]),
    ("sqrt'(0) = inf", lambda L, x: L.sqrt(x), [0.], [math.inf]),
    ("sign' = 0", lambda L, x: L.sign(x), [0.], [0.]),
    ("floor' = 0", lambda L, x: L.floor(x), [1.], [0.]),
    ("ceil' = 0", lambda L, x: L.ceil(x), [1.], [0.]),
    ("round' = 0", lambda L, x: L.round(x), [0.5], [0.]),
]


def _grads(lib, f, values):
    xs = [lib.tensor(v, dtype=lib.float64, requires_grad=True) for v in values]
    f(lib, *xs).sum().backward()
    return [x.grad.tolist() for x in xs]


@pytest.mark.parametrize("name, f, values, documented", CONVENTIONS, ids=[c[0] for c in CONVENTIONS])
def test_non_differentiable_points(name, f, values, documented):
    assert _grads(symgrad, f, values) == documented
    if torch is not None:
        assert _grads(torch, f, values) == documented


def test_closed_form_agrees_at_relu_kink():
    x = symgrad.tensor(0., requires_grad=True)
    d = symgrad.diff(symgrad.relu(x), x)
    assert d.subs(x.symbol, 0) == 0


def test_default_dtype_is_float64():
    assert symgrad.tensor(1.).dtype is symgrad.float64
    assert symgrad.get_default_dtype() is symgrad.float64


def test_forward_ops_warn_like_numpy():
    with pytest.warns(RuntimeWarning, match="divide by zero encountered in log"):
        symgrad.log(symgrad.tensor(0.))


def test_backward_is_quiet():
    import warnings

    x = symgrad.tensor(0., requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        symgrad.sqrt(x).backward()
    assert x.grad.item() == math.inf


def test_inplace_on_views_of_tensors_requiring_grad_is_refused():
    x = symgrad.tensor([1., 2.], requires_grad=True)
    y = x * 1
    with pytest.raises(RuntimeError, match="in-place operations on views"):
        y[0].mul_(2)


def test_einsum_of_three_operands_checks_sizes_itself_and_promotes_dtypes():
    a, b, c = symgrad.ones(3), symgrad.ones(1), symgrad.ones(2)
    with pytest.raises(RuntimeError, match="subscript i has size 2 for operand 2 which does not broadcast"):
        symgrad.einsum("i,i,i->", a, b, c)
    f32, f64 = symgrad.ones(2, dtype=symgrad.float32), symgrad.ones(2)
    out = symgrad.einsum("i,i,i->", f32, f32, f64)
    assert out.dtype is symgrad.float64 and out.item() == 2.0
    if torch is not None:
        import torch.backends.opt_einsum as opt_einsum

        size_error = ValueError if opt_einsum.is_available() and opt_einsum.enabled else RuntimeError
        with pytest.raises(size_error):
            torch.einsum("i,i,i->", torch.ones(3), torch.ones(1), torch.ones(2))
        with pytest.raises(RuntimeError, match="expected scalar type"):
            torch.einsum("i,i,i->", torch.ones(2), torch.ones(2), torch.ones(2, dtype=torch.float64))


def test_cpu_only():
    assert symgrad.cuda.is_available() is False
    with pytest.raises(RuntimeError, match="CPU"):
        symgrad.tensor(1., device="cuda")


def test_slices_sums_and_repeats_of_a_size_are_sizes():
    # torch.Size([2, 3, 4])[1:] is a torch.Size; ours were plain tuples
    s = symgrad.zeros(2, 3, 4).shape
    for made in (s[1:], s[::-1], s + (5,), (5,) + s, s * 2, 2 * s):
        assert isinstance(made, symgrad.Size), made
    assert s[1:] == (3, 4) and (5,) + s == (5, 2, 3, 4) and s * 2 == (2, 3, 4) * 2
    assert repr(s[1:]) == "symgrad.Size([3, 4])" and s[1:].numel() == 12
    assert type(s[0]) is int and s[-1] == 4
    with pytest.raises(TypeError):
        s + [5]  # as a tuple: only tuples concatenate


NUMPY_NAMED = [
    ("sum", "symgrad.sum(x, axis=1)", "symgrad.sum(x, dim=1)"),
    ("mean keepdims", "symgrad.mean(x, axis=0, keepdims=True)", "symgrad.mean(x, dim=0, keepdim=True)"),
    ("max", "symgrad.max(x, axis=1).values", "symgrad.max(x, dim=1).values"),
    ("std", "x.std(axis=0)", "x.std(dim=0)"),
    ("softmax", "x.softmax(axis=1)", "x.softmax(dim=1)"),
    ("cumsum", "x.cumsum(axis=1)", "x.cumsum(dim=1)"),
    ("cat", "symgrad.cat([x, x], axis=1)", "symgrad.cat([x, x], dim=1)"),
    ("concatenate", "symgrad.concatenate([x, x], axis=0)", "symgrad.cat([x, x], dim=0)"),
    ("stack", "symgrad.stack([x, x], axis=2)", "symgrad.stack([x, x], dim=2)"),
    ("unsqueeze", "x.unsqueeze(axis=0)", "x.unsqueeze(dim=0)"),
    ("sort", "x.sort(axis=1).values", "x.sort(dim=1).values"),
    ("sum keepdims positional dim", "x.sum(1, keepdims=True)", "x.sum(1, keepdim=True)"),
]


@pytest.mark.parametrize("case, numpy_style, torch_style", NUMPY_NAMED, ids=[c[0] for c in NUMPY_NAMED])
def test_numpy_names_axis_and_keepdims_are_dim_and_keepdim(case, numpy_style, torch_style):
    # PyTorch takes axis= and keepdims= wherever its C++ functions take dim/keepdim
    x = symgrad.tensor([[3.0, 1.0, 2.0], [0.5, 4.0, -1.0]])
    env = {"symgrad": symgrad, "x": x}
    got, want = eval(numpy_style, env), eval(torch_style, env)  # noqa: S307 - test expressions written above
    assert got.shape == want.shape and got.tolist() == want.tolist()


def test_numpy_names_keep_gradients():
    x = symgrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, name="x")
    (x * x).sum(axis=0).sum().backward()
    assert x.grad.tolist() == [[2.0, 4.0], [6.0, 8.0]]


def test_a_name_and_its_numpy_name_together_are_refused():
    x = symgrad.ones(2, 3)
    with pytest.raises(TypeError, match="got both 'dim' and its NumPy name 'axis'; pass one of them"):
        x.sum(dim=0, axis=1)
    with pytest.raises(TypeError, match="'keepdim' and its NumPy name 'keepdims'"):
        symgrad.mean(x, 0, keepdim=True, keepdims=True)


def test_functions_pytorch_gives_no_numpy_names_have_none():
    # torch.split and torch.norm are Python functions in PyTorch, without the aliases
    x = symgrad.ones(2, 3)
    with pytest.raises(TypeError, match="axis"):
        symgrad.split(x, 1, axis=0)
    with pytest.raises(TypeError, match="axis"):
        x.norm(axis=0)


@pytest.mark.parametrize("decimals", [0, 1, 2, 3, -1, -2])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_round_to_decimals_is_pytorchs(decimals, dtype):
    import numpy as np

    torch = pytest.importorskip("torch")
    values = [1.2345, -2.5555, 1234.5678, 0.125, 2.675, 0.5, 1.5]
    ours = symgrad.round(symgrad.tensor(values, dtype=getattr(symgrad, dtype)), decimals=decimals).numpy()
    theirs = torch.round(torch.tensor(values, dtype=getattr(torch, dtype)), decimals=decimals).numpy()
    assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs)


def test_round_to_decimals_gradient_closed_form_and_errors():
    x = symgrad.tensor(1.234, requires_grad=True, name="x")
    y = x.round(decimals=2)
    y.backward()
    assert float(y) == 1.23 and float(x.grad) == 0.0 and str(y.expr) == "round(100*x)/100"
    assert symgrad.round(symgrad.tensor([15, 25])).tolist() == [15, 25]  # ints keep their dtype without decimals
    with pytest.raises(NotImplementedError, match="floating tensors only"):
        symgrad.round(symgrad.tensor([15, 25]), decimals=-1)
    with pytest.raises(TypeError, match="'decimals' must be int, not float"):
        symgrad.round(x, decimals=1.5)


def test_several_results_print_as_pytorch_return_types() -> None:
    """``x.max(dim)`` and friends: named tuples printed one field per line, as
    ``torch.return_types`` (with symgrad's module name)."""
    x = symgrad.tensor([[1., 5.], [7., 2.]])
    r = x.max(1)
    assert repr(r) == "symgrad.return_types.max(\nvalues=tensor([5., 7.]),\nindices=tensor([1, 0]))"
    assert type(r).__name__ == "max" and r.values is r[0] and r._fields == ("values", "indices")
    assert repr(symgrad.aminmax(x)) == "symgrad.return_types.aminmax(\nmin=tensor(1.),\nmax=tensor(7.))"
    assert [type(f(x)).__name__ for f in (lambda t: t.min(0), symgrad.sort, lambda t: t.topk(1))] == \
        ["min", "sort", "topk"]


# NumPy functions called on a tensor: PyTorch refuses one that requires grad
# (NumPy would compute on its numbers and drop the graph) and wraps the others'
# results as tensors.  symgrad's were silently plain arrays, graph lost.
NUMPY_ON_TENSORS = [
    ("np.asarray", lambda np, x: np.asarray(x)),
    ("np.array", lambda np, x: np.array(x)),
    ("np.exp", lambda np, x: np.exp(x)),
    ("np.add", lambda np, x: np.add(x, 1.0)),
    ("np.maximum", lambda np, x: np.maximum(x, 1.5)),
]


@pytest.mark.parametrize("case, f", NUMPY_ON_TENSORS, ids=[c[0] for c in NUMPY_ON_TENSORS])
def test_numpy_functions_refuse_tensors_that_require_grad(case, f):
    import numpy as np

    libs = [symgrad] + ([torch] if torch is not None else [])
    for lib in libs:
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad"):
            f(np, x)
        out = f(np, x.detach())
        assert isinstance(out, lib.Tensor) or case in ("np.asarray", "np.array"), (lib.__name__, type(out))
        assert np.allclose(out.tolist(), f(np, np.array([1.0, 2.0])).tolist())


def test_symgrads_own_code_still_reads_tensors_that_require_grad():
    # losses, optimizers and prod's rule read the numbers of such tensors
    # (values_of), which np.asarray now refuses
    x = symgrad.tensor([[0.2, 0.7], [0.9, 0.1]], requires_grad=True)
    symgrad.nn.functional.binary_cross_entropy(x, symgrad.ones(2, 2)).backward()
    symgrad.nn.functional.cross_entropy(x, symgrad.tensor([1, 0])).backward()
    x.prod().backward(create_graph=True)
    opt = symgrad.optim.Adam([x])
    opt.step()
    assert x.requires_grad and x.grad is not None


# NumPy scalars keep their dtype (np.float32(1.5) was made float64, the default)
NUMPY_SCALARS = [("float32", lambda np: np.float32(1.5), "float32"), ("int32", lambda np: np.int32(3), "int32"),
                 ("float16", lambda np: np.float16(2), "float16"), ("bool", lambda np: np.bool_(True), "bool"),
                 ("list of float32", lambda np: [np.float32(1.5), np.float32(2)], "float32"),
                 ("float64", lambda np: np.float64(1), "float64")]


@pytest.mark.parametrize("case, make, dtype", NUMPY_SCALARS, ids=[c[0] for c in NUMPY_SCALARS])
def test_numpy_scalars_keep_their_dtype(case, make, dtype):
    import numpy as np

    for lib in [symgrad] + ([torch] if torch is not None else []):
        assert lib.tensor(make(np)).dtype == getattr(lib, dtype), lib.__name__
        assert lib.as_tensor(make(np)).dtype == getattr(lib, dtype), lib.__name__


# max(dim), sort, topk... printed as values_indices(values=..., indices=...) on one line
RETURN_TYPES = [("max", lambda L, x: x.max(dim=1)), ("min keepdim", lambda L, x: x.min(0, keepdim=True)),
                ("sort", lambda L, x: x.sort(dim=0)), ("topk", lambda L, x: x.flatten().topk(2)),
                ("aminmax", lambda L, x: L.aminmax(x))]


@pytest.mark.parametrize("case, f", RETURN_TYPES, ids=[c[0] for c in RETURN_TYPES])
def test_named_tuples_print_and_behave_as_pytorchs(case, f):
    import pickle

    values = [[1., 5.], [7., 2.]]
    ours = f(symgrad, symgrad.tensor(values))
    a, b = ours
    assert (a, b) == tuple(ours) and ours[0] is getattr(ours, ours._fields[0])
    assert repr(pickle.loads(pickle.dumps(ours))) == repr(ours)
    if torch is not None:
        default = torch.get_default_dtype()
        torch.set_default_dtype(torch.float64)  # (symgrad's default: both print no dtype)
        try:
            theirs = f(torch, torch.tensor(values))
            printed = repr(theirs)  # (PyTorch prints the dtype by the default at printing time)
        finally:
            torch.set_default_dtype(default)
        assert repr(ours) == printed.replace("torch.", "symgrad.")
        assert type(ours).__name__ == type(theirs).__name__.rpartition(".")[2]


def test_second_backward_through_a_graph_without_saved_tensors_is_refused():
    # PyTorch runs it again (SumBackward saves nothing); symgrad frees every graph
    x = symgrad.tensor([1., 2.], requires_grad=True)
    y = x.sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_take_along_dim_broadcasts_and_flattens_as_pytorch():
    # it was gather: indices of shape [2, 1] along dim 0 gave [[3.], [0.]] (PyTorch: whole rows),
    # [[0, 2]] along dim 1 gave one row, and dim=None was a TypeError
    x = symgrad.arange(6.).reshape(2, 3)
    assert symgrad.take_along_dim(x, symgrad.tensor([[1], [0]]), 0).tolist() == [[3., 4., 5.], [0., 1., 2.]]
    assert symgrad.take_along_dim(x, symgrad.tensor([[0, 2]]), 1).tolist() == [[0., 2.], [3., 5.]]
    assert symgrad.take_along_dim(x, symgrad.tensor([[0], [2]]), 1).tolist() == [[0.], [5.]]
    assert symgrad.take_along_dim(x, symgrad.tensor([5, 0])).tolist() == [5., 0.]
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        symgrad.take_along_dim(x, symgrad.tensor([0]), 1)
    s = symgrad.tensor([1., 3., 2.], requires_grad=True)
    with pytest.raises(symgrad.codegen.CodegenError, match="positions chosen by the values"):
        symgrad.lambdify([s], symgrad.take_along_dim(s, s.argsort()))


def test_fliplr_flipud_and_cross_without_dim_as_pytorch():
    with pytest.raises(RuntimeError, match="Input must be >= 2-d"):
        symgrad.fliplr(symgrad.ones(3))
    with pytest.raises(RuntimeError, match="Input must be >= 1-d"):
        symgrad.flipud(symgrad.tensor(1.))
    u = symgrad.tensor([[1., 0., 0.], [0., 1., 0.]])
    v = symgrad.tensor([[0., 1., 0.], [0., 0., 1.]])
    with pytest.warns(UserWarning, match="Using torch.cross without specifying the dim arg is deprecated"):
        w = symgrad.cross(u, v)  # PyTorch's default: the first dim of size 3 (here 1)
    assert w.tolist() == [[0., 0., 1.], [1., 0., 0.]]
    with pytest.raises(RuntimeError, match="no dimension of size 3"):
        symgrad.cross(symgrad.ones(2, 2), symgrad.ones(2, 2))


@pytest.mark.skipif(torch is None, reason="PyTorch is the oracle")
def test_pytorchs_method_aliases_and_in_place_forms():
    # Found by review: x.floor_(), x.multiply(y), x.greater(y), x.nbytes,
    # torch.autograd.no_grad... raised AttributeError, though symgrad had the ops.
    unary = ("floor ceil trunc frac sign exp2 expm1 log1p log2 log10 rsqrt reciprocal square tan sinh cosh asin "
             "acos atan asinh atanh erf erfc fix negative absolute arcsin arccos arctan arcsinh arctanh").split()
    for name in unary:
        s, t = symgrad.tensor([0.25, 0.75]), torch.tensor([0.25, 0.75], dtype=torch.float64)
        assert getattr(s, name + "_")() is s and getattr(t, name + "_")() is t
        assert s.tolist() == pytest.approx(t.tolist(), rel=1e-12, nan_ok=True), name
    binary = ("remainder floor_divide eq ne lt le gt ge logical_and logical_or logical_xor divide true_divide "
              "multiply subtract greater greater_equal less less_equal not_equal").split()
    for name in binary:
        for suffix in ("", "_"):
            s = getattr(symgrad.tensor([5., -3.]), name + suffix)(symgrad.tensor([2., 2.]))
            t = getattr(torch.tensor([5., -3.], dtype=torch.float64), name + suffix)(torch.tensor([2., 2.]))
            assert s.tolist() == t.tolist() and str(s.dtype)[8:] == str(t.dtype)[6:], name + suffix
    assert symgrad.tensor([5., -3.]).div_(2, rounding_mode="floor").tolist() == [2., -2.]
    assert symgrad.tensor([1.25, 2.55]).round_(decimals=1).tolist() == [1.2, 2.6]
    x = symgrad.tensor([0.25, 0.75], requires_grad=True)
    y = x * 1
    y.square_()
    y.sum().backward()
    assert x.grad.tolist() == [0.5, 1.5]
    s, t = symgrad.ones(2, 3, dtype=symgrad.int32), torch.ones(2, 3, dtype=torch.int32)
    assert (s.ndimension(), s.nbytes, s.itemsize, s.is_cpu, s.is_signed(), s.is_same_size(symgrad.ones(2, 3))) == \
        (t.ndimension(), t.nbytes, t.itemsize, t.is_cpu, t.is_signed(), t.is_same_size(torch.ones(2, 3)))
    with symgrad.autograd.no_grad():
        assert not (x * 2).requires_grad
    with symgrad.autograd.set_grad_enabled(False):
        assert not (x * 2).requires_grad


@pytest.mark.parametrize(("lo", "hi"), [(0.0, None), (None, -0.0), (-0.0, 0.0), (2.0, 1.0), (math.nan, None),
                                       (None, math.nan), (-1.0, 1.0)])
def test_clamp_to_numbers_is_pytorchs_at_signed_zeros_nan_and_crossed_bounds(lo, hi):
    """PyTorch keeps x where it equals a bound (clamp(-0.0, min=0.0) is -0.0;
    NumPy's clip gave 0.0), gives the bound where x is beyond it, hi when the
    bounds cross, nan for a nan bound; the gradient is 1 where lo <= x <= hi."""
    points = [-0.0, 0.0, math.nan, -math.inf, math.inf, -2.0, 0.5, 1.5, 3.0]
    s = symgrad.tensor(points, requires_grad=True)
    t = torch.tensor(points, dtype=torch.float64, requires_grad=True)
    out_s, out_t = symgrad.clamp(s, lo, hi), torch.clamp(t, lo, hi)
    for a, b in zip(out_s.tolist(), out_t.tolist()):
        assert (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b)), \
            (lo, hi, out_s.tolist(), out_t.tolist())
    out_s.sum().backward()
    out_t.sum().backward()
    assert s.grad.tolist() == t.grad.tolist()
