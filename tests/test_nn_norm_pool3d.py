"""``BatchNorm3d``, ``InstanceNorm3d`` and power-average pooling
(``F.lp_pool1d/2d/3d``, ``LPPool1d/2d/3d``) against PyTorch: values and
gradients, buffers, state_dict round trips, reprs, errors, and closed
forms on tiny inputs.  (``BatchNorm3d``'s and ``InstanceNorm3d``'s training
and evaluation steps are also in the 1-d/2-d tests of test_nn_layers.py and
test_nn_layers2.py.)"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import symgrad
import symgrad.nn.functional as F  # noqa: N812 - PyTorch's convention
from symgrad import nn

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(11)
TOL = dict(rtol=1e-12, atol=1e-12)
TOL32 = dict(rtol=1e-5, atol=1e-5)


def _leaves(a):
    return symgrad.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _check(ours, theirs, leaves, tol=TOL):
    """Same values, and the same gradients of a random cotangent for each (symgrad, torch) leaf pair."""
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), **tol)
    g = RNG.standard_normal(tuple(theirs.shape))
    (ours * symgrad.tensor(g.astype(ours.detach().numpy().dtype))).sum().backward()
    (theirs * torch.tensor(g, dtype=theirs.dtype)).sum().backward()
    for s, t in leaves:
        np.testing.assert_allclose(s.grad.numpy(), t.grad.numpy(), **tol)


def _same_error(s_call, t_call):
    """The same exception type and message (PyTorch's ``torch.Size`` read as ``symgrad.Size``)."""
    with pytest.raises(Exception) as t_err:
        t_call()
    with pytest.raises(type(t_err.value)) as s_err:
        s_call()
    assert str(s_err.value) == str(t_err.value).replace("torch.Size", "symgrad.Size")


# ---------------------------------------------------------------- power-average pooling

LP_CASES = [
    (1, (2, 3, 9), dict(kernel_size=3)),
    (1, (3, 8), dict(kernel_size=2, stride=3, ceil_mode=True)),
    (1, (2, 2, 7), dict(kernel_size=2, stride=1)),
    (2, (2, 3, 6, 7), dict(kernel_size=2)),
    (2, (3, 5, 7), dict(kernel_size=(2, 3), stride=(1, 2), ceil_mode=True)),
    (3, (2, 2, 4, 5, 6), dict(kernel_size=2)),
    (3, (2, 5, 4, 5), dict(kernel_size=(2, 1, 3), stride=(1, 2, 2), ceil_mode=True)),
]
NORMS = [2, 2.0, 1, 3, 1.5, 0.5, math.inf, -math.inf]


@pytest.mark.filterwarnings("ignore:invalid value encountered in power:RuntimeWarning")  # (NumPy's, at the nans)
@pytest.mark.parametrize("dims, shape, kw", LP_CASES)
@pytest.mark.parametrize("norm_type", NORMS)
def test_lp_pool_against_pytorch(dims, shape, kw, norm_type):
    x = RNG.standard_normal(shape)
    x[..., :3] = 0.0  # windows of zeros: PyTorch's gradient there is 0, not nan
    if norm_type in (1.5, 0.5):
        x = np.abs(x)  # (negative bases give nan, in both; checked with p = 3 and 1)
    s_x, t_x = _leaves(x)
    fn = f"lp_pool{dims}d"
    _check(getattr(F, fn)(s_x, norm_type, **kw), getattr(torch.nn.functional, fn)(t_x, norm_type, **kw),
           [(s_x, t_x)])


@pytest.mark.parametrize("dims, shape, kw", LP_CASES[::2])
def test_lp_pool_modules_float32_and_reprs(dims, shape, kw):
    x = (RNG.standard_normal(shape) * 2).astype(np.float32)
    s_x, t_x = _leaves(x)
    ours, theirs = getattr(nn, f"LPPool{dims}d")(2, **kw), getattr(torch.nn, f"LPPool{dims}d")(2, **kw)
    assert repr(ours) == repr(theirs) and str(ours) == str(theirs)
    assert ours.state_dict() == {} and list(theirs.state_dict()) == []
    s_y = ours(s_x)
    assert s_y.dtype == symgrad.float32
    _check(s_y, theirs(t_x), [(s_x, t_x)], TOL32)


@pytest.mark.parametrize("args", [(1.5, (2, 3), 1, True), (3, 2, None, False), (math.inf, 2, 1, False), (2.0, [1, 2, 2])])
def test_lp_pool_reprs(args):
    for dims in (1, 2, 3):
        assert repr(getattr(nn, f"LPPool{dims}d")(*args)) == repr(getattr(torch.nn, f"LPPool{dims}d")(*args))


def test_lp_pool_closed_form_and_its_derivative():
    x = symgrad.tensor([[3., 4., 0., 0.]], name="x", requires_grad=True)
    y = F.lp_pool1d(x, 2, 2)
    e = y.expr[0, 0]
    symbols = sorted(e.free_symbols, key=str)
    assert [str(s) for s in symbols] == ["x[0, 0]", "x[0, 1]"]
    at = dict(zip(symbols, [3., 4.]))
    assert float(e.subs(at)) == pytest.approx(5.0, rel=1e-14) == y[0, 0].item()
    assert float(y.expr[0, 1].subs({s: 0.0 for s in y.expr[0, 1].free_symbols})) == 0.0
    y.sum().backward()
    assert [float(e.diff(s).subs(at)) for s in symbols] == pytest.approx([0.6, 0.8], rel=1e-14)
    assert x.grad[0].tolist() == pytest.approx([0.6, 0.8, 0.0, 0.0], rel=1e-14)  # (0 in the window of zeros)
    assert str(F.lp_pool1d(symgrad.tensor([[1., 2.]], name="x"), math.inf, 2).expr) == "[[Max(Abs(x[0, 0]), Abs(x[0, 1]))]]"


@pytest.mark.parametrize("call", [
    lambda M: M.nn.functional.lp_pool1d(M.ones(6, dtype=M.float64), 2, 2),
    lambda M: M.nn.functional.lp_pool1d(M.ones(1, 1, 1, 2, 6, dtype=M.float64), 2, 2),
    lambda M: M.nn.functional.lp_pool2d(M.ones(4, 4, dtype=M.float64), 2, 2),
    lambda M: M.nn.functional.lp_pool2d(M.ones(1, 1, 1, 4, 4, dtype=M.float64), 2, 2),
    lambda M: M.nn.functional.lp_pool2d(M.ones(1, 1, 1, 4, dtype=M.float64), 2, 2),
    lambda M: M.nn.functional.lp_pool3d(M.ones(4, 4, 4, dtype=M.float64), 2, 2),
    lambda M: M.nn.functional.lp_pool3d(M.ones(1, 1, 1, 4, 4, dtype=M.float64), 2, 2),
    lambda M: M.nn.functional.lp_pool1d(M.ones(1, 6, dtype=M.float64), 2, 2, 0),
    lambda M: M.nn.functional.lp_pool2d(M.ones(1, 4, 4, dtype=M.float64), 0, 2),
    lambda M: M.nn.functional.avg_pool2d(M.ones(4, dtype=M.float64), 2),
    lambda M: M.nn.LPPool1d(2, 2)(M.ones(4, dtype=M.float64)),
    lambda M: M.nn.LPPool3d(2, 2)(M.ones(1, 4, 4, dtype=M.float64)),
], ids=lambda c: "")
def test_lp_pool_errors_as_pytorch(call):
    _same_error(lambda: call(symgrad), lambda: call(torch))


# ---------------------------------------------------------------- BatchNorm3d

def test_batch_norm3d_state_dict_round_trip_and_evaluation():
    theirs, ours = torch.nn.BatchNorm3d(3, momentum=0.3).double(), nn.BatchNorm3d(3, momentum=0.3)
    with torch.no_grad():
        theirs.weight.normal_(), theirs.bias.normal_()
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    for _ in range(3):
        x = RNG.standard_normal((2, 3, 2, 3, 4)) * 2 + 1
        np.testing.assert_allclose(ours(symgrad.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy(),
                                   **TOL)
    assert ours.num_batches_tracked.item() == 3 and list(ours.state_dict()) == list(theirs.state_dict())
    back = torch.nn.BatchNorm3d(3, momentum=0.3).double().eval()
    back.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    ours.eval()
    x = RNG.standard_normal((1, 3, 1, 2, 2))  # (a batch of one is fine in evaluation)
    s_x, t_x = _leaves(x)
    _check(ours(s_x), back(t_x), [(s_x, t_x), *zip(ours.parameters(), back.parameters())])
    for name, value in back.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name].numpy(), value.numpy(), rtol=1e-14, err_msg=name)


def test_batch_norm3d_float32():
    x = (RNG.standard_normal((3, 2, 3, 2, 4)) * 3 + 2).astype(np.float32)
    theirs, ours = torch.nn.BatchNorm3d(2), nn.BatchNorm3d(2, dtype=symgrad.float32)
    for _ in range(2):
        s_x, t_x = _leaves(x)
        s_y, t_y = ours(s_x), theirs(t_x)
    assert s_y.dtype == symgrad.float32 and ours.running_var.dtype == symgrad.float32
    _check(s_y, t_y, [(s_x, t_x), *zip(ours.parameters(), theirs.parameters())], TOL32)
    np.testing.assert_allclose(ours.running_var.numpy(), theirs.running_var.numpy(), rtol=1e-6)


def test_batch_norm3d_closed_form():
    x = symgrad.tensor(np.array([1., 2., 4., 7.]).reshape(2, 1, 1, 1, 2), name="x", requires_grad=True)
    bn = nn.BatchNorm3d(1)
    y = bn(x)
    e = y.expr[0, 0, 0, 0, 1]
    symbols = sorted(e.free_symbols, key=str)
    assert [str(s) for s in symbols] == ["bias[0]", "weight[0]", "x[0, 0, 0, 0, 0]", "x[0, 0, 0, 0, 1]",
                                         "x[1, 0, 0, 0, 0]", "x[1, 0, 0, 0, 1]"]
    at = dict(zip(symbols, [0.5, 2.0, 1., 2., 4., 7.]))
    with symgrad.no_grad():
        bn.weight.fill_(2.0), bn.bias.fill_(0.5)
    mean, var = 3.5, (2.5 ** 2 + 1.5 ** 2 + 0.5 ** 2 + 3.5 ** 2) / 4
    assert float(e.subs(at)) == pytest.approx((2 - mean) / math.sqrt(var + 1e-5) * 2 + 0.5, rel=1e-12)
    bn(x)[0, 0, 0, 0, 1].backward()
    assert float(e.diff(symbols[4]).subs(at)) == pytest.approx(x.grad[1, 0, 0, 0, 0].item(), rel=1e-10)


@pytest.mark.parametrize("call", [
    lambda M: M.nn.BatchNorm3d(3)(M.ones(2, 3, 4, 5, dtype=M.float64)),
    lambda M: M.nn.BatchNorm3d(3)(M.ones(2, 3, 4, 5, 6, 1, dtype=M.float64)),
    lambda M: M.nn.BatchNorm3d(3)(M.ones(1, 3, 1, 1, 1, dtype=M.float64)),
    lambda M: M.nn.BatchNorm3d(3)(M.ones(2, 4, 1, 1, 2, dtype=M.float64)),
    lambda M: M.nn.InstanceNorm3d(3)(M.ones(2, 3, 4, dtype=M.float64)),
    lambda M: M.nn.InstanceNorm3d(3)(M.ones(2, 3, 4, 5, 6, 7, dtype=M.float64)),
    lambda M: M.nn.InstanceNorm3d(3, affine=True)(M.ones(2, 4, 2, 2, 2, dtype=M.float64)),
    lambda M: M.nn.InstanceNorm3d(3, affine=True)(M.ones(4, 2, 2, 2, dtype=M.float64)),
    lambda M: M.nn.InstanceNorm3d(3)(M.ones(2, 3, 1, 1, 1, dtype=M.float64)),
], ids=lambda c: "")
def test_3d_norm_errors_as_pytorch(call):
    _same_error(lambda: call(symgrad), lambda: call(torch))


def test_instance_norm3d_warns_as_pytorch_and_keeps_statistics():
    messages = []
    for lib in (torch, symgrad):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.nn.InstanceNorm3d(3)(lib.ones(4, 2, 2, 2, dtype=lib.float64))  # unbatched: channels at dim 0
        messages.append([str(w.message) for w in caught])
    assert messages[0] == messages[1] and "dim=0 does not match num_features" in messages[1][0]
    theirs = torch.nn.InstanceNorm3d(2, affine=True, track_running_stats=True, momentum=None).double()
    ours = nn.InstanceNorm3d(2, affine=True, track_running_stats=True, momentum=None)
    assert repr(ours) == repr(theirs)
    for shape in [(2, 2, 3, 2, 2), (2, 3, 2, 2), (3, 2, 2, 2, 2)]:
        x = RNG.standard_normal(shape) * 2 + 1
        s_x, t_x = _leaves(x)
        _check(ours(s_x), theirs(t_x), [(s_x, t_x)])
    for name, value in theirs.state_dict().items():  # (momentum None: PyTorch's 0, the statistics stay)
        np.testing.assert_allclose(ours.state_dict()[name].numpy(), value.detach().numpy(), **TOL, err_msg=name)
