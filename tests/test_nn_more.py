"""More activations, losses and layers (SELU ... RReLU, KLDivLoss ...,
GroupNorm ...) against PyTorch: values, gradients at kinks and thresholds,
reprs, in-place variants, dtypes and errors (skipped without torch where
torch is the oracle)."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad
import symgrad.nn.functional as F  # noqa: N812 - PyTorch's convention
from symgrad import nn

# every kink and threshold of the activations below, and points around them
KINKS = [-4.0, -3.0, -2.5, -1.0, -0.5, -0.3, 0.0, 0.3, 0.5, 1.0, 2.5, 3.0, 4.0]


def _torch():
    return pytest.importorskip("torch")


def _compare(s_fn, t_fn, values, rtol=1e-12, grad_rtol=1e-10):
    """Values and gradients of ``sum(out * weights)`` in symgrad and PyTorch."""
    torch = _torch()
    s_x = symgrad.tensor(values, requires_grad=True)
    t_x = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    s_out, t_out = s_fn(s_x), t_fn(t_x)
    np.testing.assert_allclose(s_out.detach().numpy(), t_out.detach().numpy(), rtol=rtol, atol=1e-15)
    weights = np.arange(1.0, s_out.numel() + 1).reshape(tuple(s_out.shape))
    (s_out * symgrad.tensor(weights)).sum().backward()
    (t_out * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(s_x.grad.numpy(), t_x.grad.numpy(), rtol=grad_rtol, atol=1e-15)


# ---------------------------------------------------------------- activations

@pytest.mark.parametrize("name,args", [("SELU", ()), ("CELU", ()), ("CELU", (2.0,)), ("Mish", ()), ("Softsign", ()),
                                       ("Hardswish", ()), ("LogSigmoid", ()), ("Tanhshrink", ()),
                                       ("Softshrink", ()), ("Softshrink", (1.0,)), ("Hardshrink", ()),
                                       ("Hardshrink", (2.5,)), ("Threshold", (0.5, -7.0)), ("Softmin", (0,)),
                                       ("RReLU", ()), ("GLU", (0,))])
def test_activation_modules_against_pytorch_at_their_kinks(name, args):
    torch = _torch()
    s_mod, t_mod = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    s_mod.eval(), t_mod.eval()
    values = KINKS[:12] if name == "GLU" else KINKS
    _compare(s_mod, t_mod, values)
    assert repr(s_mod) == repr(t_mod)


def test_hardsigmoid_against_pytorch_up_to_its_float32_sixth():
    torch = _torch()
    # PyTorch's float64 backward multiplies by 1/6 rounded to float32; symgrad's is exactly 1/6
    _compare(F.hardsigmoid, torch.nn.functional.hardsigmoid, KINKS, grad_rtol=1e-7)
    x = symgrad.tensor([-3.0, 0.0, 3.0], requires_grad=True)
    F.hardsigmoid(x).sum().backward()
    assert x.grad.tolist() == [0.0, 1 / 6, 0.0]


def test_celu_against_pytorch_up_to_its_float32_alpha():
    torch = _torch()
    # PyTorch's backward divides by alpha rounded to float32 (exact for 1, 2, 0.5 ...)
    _compare(lambda x: F.celu(x, 0.7), lambda x: torch.nn.functional.celu(x, 0.7), KINKS, grad_rtol=1e-6)


@pytest.mark.parametrize("name", ["SELU", "CELU", "Mish", "Hardswish", "Hardsigmoid", "Threshold", "RReLU"])
def test_inplace_activations_write_into_their_input(name):
    torch = _torch()
    args = (0.5, 9.0, True) if name == "Threshold" else (True,) if name not in ("CELU", "RReLU") else ()
    kwargs = {"inplace": True} if name in ("CELU", "RReLU") else {}
    s_mod, t_mod = getattr(nn, name)(*args, **kwargs).eval(), getattr(torch.nn, name)(*args, **kwargs).eval()
    s_x, t_x = symgrad.tensor(KINKS), torch.tensor(KINKS, dtype=torch.float64)
    assert s_mod(s_x) is s_x
    t_mod(t_x)
    np.testing.assert_allclose(s_x.numpy(), t_x.numpy(), rtol=1e-12)
    assert repr(s_mod) == repr(t_mod)


def test_activation_closed_forms_read_as_the_formulas():
    x = symgrad.tensor(0.5, requires_grad=True)
    assert str(F.mish(x).expr) == "x*tanh(log(exp(x) + 1))"
    assert str(F.logsigmoid(x).expr) == "-log(1 + exp(-x))"
    assert str(F.softsign(x).expr) == "x/(Abs(x) + 1)"
    assert str(F.tanhshrink(x).expr) == "x - tanh(x)"
    assert str(F.hardsigmoid(x).expr) == "Piecewise((0, x <= -3), (Piecewise((1, x >= 3), (x/6 + 0.5, True)), True))"
    assert str(symgrad.diff(F.tanhshrink(x), x)) == "tanh(x)**2"


def test_integer_inputs_as_pytorch():
    torch = _torch()
    ints = [-2, 0, 3]
    for fn in ("softsign", "tanhshrink"):
        s, t = getattr(F, fn)(symgrad.tensor(ints)), getattr(torch.nn.functional, fn)(torch.tensor(ints))
        assert s.dtype == symgrad.get_default_dtype()
        np.testing.assert_allclose(s.numpy(), t.numpy().astype(np.float64), rtol=1e-6)
    out = F.threshold(symgrad.tensor(ints), 1, 20.5)
    assert out.tolist() == torch.nn.functional.threshold(torch.tensor(ints), 1, 20.5).tolist() == [20, 20, 3]
    assert out.dtype == symgrad.int64
    for fn in ("selu", "celu", "mish", "hardswish", "hardsigmoid", "logsigmoid", "softshrink", "hardshrink",
               "rrelu"):
        with pytest.raises(NotImplementedError, match="not implemented for 'int64'"):
            getattr(F, fn)(symgrad.tensor(ints))


def test_activation_errors_as_pytorch():
    x = symgrad.tensor([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match="alpha cannot be 0 for CELU"):
        F.celu(x, 0.0)
    with pytest.raises(RuntimeError, match="lambda must be in range"):
        F.softshrink(x, -1.0)
    assert F.hardshrink(x, -1.0).tolist() == [1.0, 2.0, 3.0]  # PyTorch accepts it too
    with pytest.raises(RuntimeError, match="Halving dimension must be even, but dimension 0 is size 3"):
        F.glu(x)
    with pytest.raises(RuntimeError, match="glu does not support scalars"):
        F.glu(symgrad.tensor(1.0))
    with pytest.raises(RuntimeError, match="Lower bound should be less than or equal to the upper bound"):
        F.rrelu(x, 0.5, 0.1)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        assert F.softmin(symgrad.zeros(2, 2)).tolist() == [[0.5, 0.5]] * 2
    with pytest.raises(TypeError, match="must be a symgrad Tensor"):
        F.mish([1.0])


def test_prelu_learns_one_slope_or_one_per_channel_as_pytorch():
    torch = _torch()
    for num, shape in [(1, (2, 3)), (3, (2, 3, 4)), (1, (5,)), (1, ())]:
        s_mod, t_mod = nn.PReLU(num, init=0.1), torch.nn.PReLU(num, init=0.1).double()
        np.testing.assert_allclose(s_mod.weight.detach().numpy(), 0.1)
        s_mod.load_state_dict(t_mod.state_dict())  # (PyTorch's 0.1 was rounded to float32 first)
        x = np.random.default_rng(0).normal(size=shape)
        s_x, t_x = symgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        s_mod(s_x).pow(2).sum().backward()
        t_mod(t_x).pow(2).sum().backward()
        np.testing.assert_allclose(s_x.grad.numpy(), t_x.grad.numpy(), rtol=1e-12)
        np.testing.assert_allclose(s_mod.weight.grad.numpy(), t_mod.weight.grad.numpy(), rtol=1e-12)
    assert [repr(m) for m in (nn.PReLU(), nn.PReLU(3))] == ["PReLU(num_parameters=1)", "PReLU(num_parameters=3)"]
    assert list(nn.PReLU(2).state_dict()) == ["weight"]


def test_prelu_dtype_and_errors():
    symgrad.set_default_dtype(symgrad.float32)
    assert nn.PReLU().weight.dtype == symgrad.float32
    assert nn.PReLU(dtype=symgrad.float64).weight.dtype == symgrad.float64
    with pytest.raises(RuntimeError, match="Found parameter numbers = 2 and channel size = 3"):
        nn.PReLU(2)(symgrad.ones(4, 3))
    with pytest.raises(RuntimeError, match="channel size = 1"):
        F.prelu(symgrad.ones(3), symgrad.ones(3))
    with pytest.raises(RuntimeError, match="Expected `weight` to be a scalar or 1D tensor"):
        F.prelu(symgrad.ones(2, 3), symgrad.ones(1, 1))
    with pytest.raises(ValueError, match="num_parameters must be >= 1"):
        nn.PReLU(0)


def test_rrelu_training_draws_slopes_from_symgrads_generator():
    x = symgrad.tensor([-1.0, -2.0, 3.0, 0.0], requires_grad=True)
    symgrad.manual_seed(5)
    a = F.rrelu(x, 0.1, 0.3, training=True)
    symgrad.manual_seed(5)
    b = nn.RReLU(0.1, 0.3)(x)  # a module trains by default
    assert a.tolist() == b.tolist()
    slopes = np.asarray(a.detach().numpy()[:2]) / np.array([-1.0, -2.0])
    assert np.all((slopes >= 0.1) & (slopes <= 0.3)) and slopes[0] != slopes[1]
    a.sum().backward()
    # the gradient is the slope drawn (an element at 0 gets a slope too, as in PyTorch)
    np.testing.assert_allclose(x.grad.numpy()[:3], [*slopes, 1.0])
    assert 0.1 <= x.grad.numpy()[3] <= 0.3
    assert str(a.expr[2]) == "x[2]"


# ---------------------------------------------------------------- losses and distances

RNG = np.random.default_rng(0)
X, Y, Z = RNG.normal(size=(3, 4, 5))
SIGNS = np.array([1.0, -1.0, -1.0, 1.0])


def _modules_agree(name, kwargs, arrays, grad_of=(0,)):
    torch = _torch()
    s_args = [symgrad.tensor(a, requires_grad=i in grad_of) for i, a in enumerate(arrays)]
    t_args = [torch.tensor(a, requires_grad=i in grad_of) for i, a in enumerate(arrays)]
    s_mod, t_mod = getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)
    assert repr(s_mod) == repr(t_mod)
    s_out, t_out = s_mod(*s_args), t_mod(*t_args)
    np.testing.assert_allclose(s_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-12, atol=1e-15)
    s_out.sum().backward()
    t_out.sum().backward()
    for i in grad_of:
        np.testing.assert_allclose(s_args[i].grad.numpy(), t_args[i].grad.numpy(), rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name,kwargs,arrays,grad_of", [
    ("PoissonNLLLoss", {"log_input": False, "full": True}, [np.abs(X), np.abs(Y) * 3], (0,)),
    ("GaussianNLLLoss", {"full": True}, [X, Y, np.abs(Z)], (0, 2)),
    ("SoftMarginLoss", {}, [X, np.sign(Y)], (0,)),
    ("MultiLabelSoftMarginLoss", {}, [X, (Y > 0) * 1.0], (0,)),
    ("HingeEmbeddingLoss", {"margin": 0.5}, [X, np.sign(Y)], (0,)),
    ("MarginRankingLoss", {"margin": 0.2}, [X[:, 0], Y[:, 0], SIGNS], (0, 1)),
    ("CosineEmbeddingLoss", {"margin": 0.1}, [X, Y, SIGNS], (0, 1)),
    ("TripletMarginLoss", {"p": 1.0, "swap": True}, [X, Y, Z], (0, 1, 2)),
    ("MultiMarginLoss", {"p": 2, "margin": 0.8}, [X, np.array([0, 3, 1, 4])], (0,)),
])
def test_loss_modules_against_pytorch(name, kwargs, arrays, grad_of, reduction):
    _modules_agree(name, {**kwargs, "reduction": reduction}, arrays, grad_of)


@pytest.mark.parametrize("reduction", ["batchmean", "sum", "none"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_against_pytorch(reduction, log_target):
    p = RNG.dirichlet(np.ones(5), 4)
    target = np.log(p[::-1] + 0.1) if log_target else p
    _modules_agree("KLDivLoss", {"reduction": reduction, "log_target": log_target}, [np.log(p + 0.1), target], (0, 1))


def test_kl_div_zero_target_contributes_zero_and_gets_a_zero_gradient():
    torch = _torch()
    p = np.array([[0.0, 0.4, 0.6]])
    s_x, s_t = symgrad.tensor(p, requires_grad=True), symgrad.tensor(p, requires_grad=True)
    t_x, t_t = torch.tensor(p, requires_grad=True), torch.tensor(p, requires_grad=True)
    s_loss = F.kl_div(s_x, s_t, reduction="sum")
    t_loss = torch.nn.functional.kl_div(t_x, t_t, reduction="sum")
    assert s_loss.item() == pytest.approx(t_loss.item(), rel=1e-12)
    s_loss.backward()
    t_loss.backward()
    np.testing.assert_allclose(s_x.grad.numpy(), t_x.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(s_t.grad.numpy()[0, 1:], t_t.grad.numpy()[0, 1:], rtol=1e-12)
    # PyTorch's xlogy(t, t) backward divides 0 by 0 there (NaN); symgrad's 0 is the gradient of its 0 * log 0 = 0
    assert s_t.grad.tolist()[0][0] == 0.0 and np.isnan(t_t.grad.numpy()[0, 0])


def test_kl_div_mean_warns_and_closed_form_reads_as_the_definition():
    x = symgrad.tensor([-1.0, -2.0], requires_grad=True)
    t = symgrad.tensor([0.25, 0.75], requires_grad=True)
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(x, t)
    assert str(F.kl_div(x, t, reduction="sum").expr) == "t[0]*(-x[0] + log(t[0])) + t[1]*(-x[1] + log(t[1]))"
    with pytest.raises(ValueError, match="use 'batchmean'"):
        nn.KLDivLoss(reduction="batch")


def test_gaussian_nll_variance_shapes_clamp_and_errors():
    torch = _torch()
    for var in (np.abs(Z[:, 0]), np.abs(Z[:, :1]), 0.5):
        s_var = symgrad.tensor(var) if isinstance(var, np.ndarray) else var
        t_var = torch.tensor(var) if isinstance(var, np.ndarray) else var
        np.testing.assert_allclose(F.gaussian_nll_loss(symgrad.tensor(X), symgrad.tensor(Y), s_var).item(),
                                   torch.nn.functional.gaussian_nll_loss(torch.tensor(X), torch.tensor(Y), t_var).item(),
                                   rtol=1e-12)
    v = symgrad.tensor([1e-9, 2.0], requires_grad=True)  # raised to eps=1e-6 for the value, not for the gradient
    loss = F.gaussian_nll_loss(symgrad.tensor([0.0, 0.0]), symgrad.tensor([0.0, 1.0]), v, reduction="sum")
    assert loss.item() == pytest.approx(0.5 * (np.log(1e-6) + np.log(2.0) + 0.5))
    with pytest.raises(ValueError, match="var has negative entry"):
        F.gaussian_nll_loss(symgrad.tensor([0.0]), symgrad.tensor([0.0]), symgrad.tensor([-1.0]))
    with pytest.raises(ValueError, match="var is of incorrect size"):
        F.gaussian_nll_loss(symgrad.tensor(X), symgrad.tensor(Y), symgrad.ones(3))
    with pytest.raises(ValueError, match="avg is not valid"):
        F.gaussian_nll_loss(symgrad.tensor(X), symgrad.tensor(Y), 1.0, reduction="avg")


def test_margin_loss_errors_as_pytorch():
    a = symgrad.tensor(X)
    with pytest.raises(RuntimeError, match="All input tensors should have same dimension"):
        F.margin_ranking_loss(a, a, symgrad.tensor(SIGNS))
    with pytest.raises(RuntimeError, match="1D target tensor expects 2D input tensors"):
        F.cosine_embedding_loss(a[0], a[0], symgrad.tensor(SIGNS))
    with pytest.raises(RuntimeError, match="0D or 1D target tensor expected"):
        F.cosine_embedding_loss(a, a, a)
    with pytest.raises(ValueError, match="margin must be greater than 0"):
        F.triplet_margin_loss(a, a, a, margin=0.0)
    with pytest.raises(ValueError, match="expected margin to be greater than 0"):
        nn.TripletMarginLoss(margin=-1.0)
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        F.triplet_margin_loss(a, a[0], a)
    with pytest.raises(ValueError, match="only p == 1 and p == 2 supported"):
        F.multi_margin_loss(a, symgrad.tensor([0, 1, 2, 3]), p=3)
    with pytest.raises(IndexError, match="out of bounds"):
        F.multi_margin_loss(a, symgrad.tensor([0, 1, 2, 5]))
    with pytest.raises(ValueError, match="weight must be one-dimensional"):
        F.multi_margin_loss(a, symgrad.tensor([0, 1, 2, 3]), weight=symgrad.ones(1, 5))
    with pytest.raises(TypeError, match="size_average and reduce are deprecated"):
        nn.SoftMarginLoss(size_average=True)
    with pytest.raises(ValueError, match="is not a valid value for reduction"):
        F.hinge_embedding_loss(a, a, reduction="avg")


@pytest.mark.parametrize("name,kwargs,shapes", [("CosineSimilarity", {"dim": 0}, ((4, 5), (4, 5))),
                                                ("CosineSimilarity", {}, ((4, 5), (5,))),
                                                ("PairwiseDistance", {"p": 1.0, "keepdim": True}, ((4, 5), (4, 5))),
                                                ("PairwiseDistance", {}, ((5,), (5,)))])
def test_distance_modules_against_pytorch(name, kwargs, shapes):
    arrays = [RNG.normal(size=s) for s in shapes]
    _modules_agree(name, kwargs, arrays, (0, 1))


def test_cosine_similarity_of_a_zero_vector_and_of_integers_as_pytorch():
    torch = _torch()
    zero = np.zeros((1, 3))
    _modules_agree("CosineSimilarity", {}, [zero, X[:1, :3]], (0, 1))
    ints = [[1, 2, 3]]
    with pytest.raises(RuntimeError, match="expected common dtype to be floating point"):
        torch.nn.functional.cosine_similarity(torch.tensor(ints), torch.tensor(ints))
    with pytest.raises(RuntimeError, match="expected common dtype to be floating point"):
        F.cosine_similarity(symgrad.tensor(ints), symgrad.tensor(ints))


# ---------------------------------------------------------------- layers

@pytest.mark.parametrize("shape,groups,affine", [((4, 6), 3, True), ((2, 6, 5), 2, True), ((2, 4, 3, 2), 4, False),
                                                 ((3, 4, 5), 1, True)])
def test_group_norm_against_pytorch(shape, groups, affine):
    torch = _torch()
    s_mod, t_mod = nn.GroupNorm(groups, shape[1], affine=affine), torch.nn.GroupNorm(groups, shape[1], affine=affine)
    assert repr(s_mod) == repr(t_mod)
    if affine:
        t_mod.weight.data.uniform_(0.5, 1.5)
        t_mod.bias.data.uniform_(-0.5, 0.5)
    t_mod.double()
    s_mod.load_state_dict(t_mod.state_dict())
    x = RNG.normal(size=shape)
    s_x, t_x = symgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    s_out, t_out = s_mod(s_x), t_mod(t_x)
    np.testing.assert_allclose(s_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-10, atol=1e-12)
    (s_out * symgrad.tensor(x)).sum().backward()
    (t_out * torch.tensor(x)).sum().backward()
    np.testing.assert_allclose(s_x.grad.numpy(), t_x.grad.numpy(), rtol=1e-9, atol=1e-12)
    for s_p, t_p in zip(s_mod.parameters(), t_mod.parameters()):
        np.testing.assert_allclose(s_p.grad.numpy(), t_p.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_group_norm_dtype_and_errors():
    symgrad.set_default_dtype(symgrad.float32)
    assert nn.GroupNorm(2, 4).weight.dtype == symgrad.float32
    assert nn.GroupNorm(2, 4, affine=False).weight is None and nn.GroupNorm(2, 4, bias=False).bias is None
    with pytest.raises(ValueError, match=r"num_channels \(3\) must be divisible by num_groups \(2\)"):
        nn.GroupNorm(2, 3)
    with pytest.raises(RuntimeError, match="divisible by num_groups, but got input of shape"):
        F.group_norm(symgrad.ones(2, 3), 2)
    with pytest.raises(RuntimeError, match="Expected weight to be a vector of size equal to the number of channels"):
        F.group_norm(symgrad.ones(2, 4), 2, symgrad.ones(3))
    with pytest.raises(RuntimeError, match="Expected at least 2 dimensions"):
        F.group_norm(symgrad.ones(4), 2)
    # PyTorch's check on (N * C / G, G, *spatial): one value to normalise gave 0 where PyTorch raises
    for shape, groups in (((1, 1), 1), ((1, 2), 2), ((1, 2, 1), 2)):
        with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
            F.group_norm(symgrad.ones(*shape), groups)
    assert F.group_norm(symgrad.ones(1, 2), 1).shape == (1, 2)
    with pytest.raises(NotImplementedError, match="GroupNormKernelImpl"):
        F.group_norm(symgrad.ones(2, 4, dtype=symgrad.int64), 2)


@pytest.mark.parametrize("shapes", [((5, 3), (5, 4)), ((3,), (4,)), ((2, 5, 3), (2, 5, 4))])
def test_bilinear_against_pytorch(shapes):
    torch = _torch()
    t_mod = torch.nn.Bilinear(3, 4, 2).double()
    s_mod = nn.Bilinear(3, 4, 2)
    assert repr(s_mod) == repr(t_mod)
    s_mod.load_state_dict(t_mod.state_dict())
    arrays = [RNG.normal(size=s) for s in shapes]
    s_args = [symgrad.tensor(a, requires_grad=True) for a in arrays]
    t_args = [torch.tensor(a, requires_grad=True) for a in arrays]
    s_out, t_out = s_mod(*s_args), t_mod(*t_args)
    np.testing.assert_allclose(s_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-12)
    s_out.pow(2).sum().backward()
    t_out.pow(2).sum().backward()
    for s_t, t_t in [*zip(s_args, t_args), (s_mod.weight, t_mod.weight), (s_mod.bias, t_mod.bias)]:
        np.testing.assert_allclose(s_t.grad.numpy(), t_t.grad.numpy(), rtol=1e-10)


def test_bilinear_initialisation_and_errors():
    symgrad.manual_seed(0)
    layer = nn.Bilinear(4, 2, 50, bias=False)
    assert layer.bias is None and np.abs(layer.weight.detach().numpy()).max() <= 0.5
    with pytest.raises(RuntimeError, match="input2 size does not match weight size: got 4 but expected 3"):
        F.bilinear(symgrad.ones(2, 3), symgrad.ones(2, 4), symgrad.ones(5, 3, 3))
    with pytest.raises(RuntimeError, match="input batch dimensions do not match at dim 0: got 2 and 3"):
        F.bilinear(symgrad.ones(2, 3), symgrad.ones(3, 4), symgrad.ones(5, 3, 4))


def test_unflatten_as_pytorch():
    torch = _torch()
    for size in ([2, 3], (2, -1)):
        s_mod, t_mod = nn.Unflatten(1, size), torch.nn.Unflatten(1, size)
        assert repr(s_mod) == repr(t_mod)
        assert s_mod(symgrad.zeros(4, 6, 5)).shape == tuple(t_mod(torch.zeros(4, 6, 5)).shape)
    x = symgrad.tensor([[1.0, 2.0, 3.0, 4.0]], requires_grad=True)
    assert str(nn.Unflatten(1, (2, 2))(x).expr) == "[[[x[0, 0], x[0, 1]], [x[0, 2], x[0, 3]]]]"
    with pytest.raises(TypeError, match="unflattened_size must be a tuple of ints, but found type int"):
        nn.Unflatten(1, 3)
    with pytest.raises(TypeError, match="found element of type float at pos 1"):
        nn.Unflatten(1, (2, 3.0))
