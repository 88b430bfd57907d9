"""Independent, Dirichlet, Poisson, Binomial and Geometric, Gamma's and Beta's
rsample, and enumerate_support, against torch.distributions: values, shapes and
gradients of every method, KL divergences, PyTorch's errors; implicit gradients
against PyTorch's and mpmath's; closed forms through lambdify."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad
from symgrad import distributions as D  # noqa: N812  (as torch.distributions is often imported)

RNG = np.random.default_rng(11)


def _normal(m):
    return m.Normal(*m._params)


# name -> (constructor taking the module and the parameters, parameter sets (lists of arrays), values in support)
CASES = {
    "Dirichlet": (lambda m, c: m.Dirichlet(c),
                  [[np.array([0.5, 1.5, 2.0])], [np.array([[1.0, 1.0, 1.0, 1.0], [3.0, 0.7, 1.2, 5.0]])]],
                  [np.array([0.2, 0.3, 0.5]), np.array([[0.1, 0.2, 0.3, 0.4], [0.4, 0.05, 0.05, 0.5]])]),
    "Poisson": (lambda m, r: m.Poisson(r),
                [[np.array([0.5, 2.0, 7.5])], [np.array([[0.1], [30.0]])]],
                [np.array([0.0, 3.0, 9.0]), np.array([[1.0, 0.0], [25.0, 31.0]])]),
    "Binomial_probs": (lambda m, n, p: m.Binomial(n, probs=p),
                       [[np.array([10.0, 10.0, 10.0]), np.array([0.2, 0.5, 0.9])],
                        [np.array([[3.0], [3.0]]), np.array([[0.05, 0.7], [0.3, 0.99]])]],
                       [np.array([2.0, 5.0, 10.0]), np.array([[0.0, 3.0], [1.0, 2.0]])]),
    "Binomial_logits": (lambda m, n, lg: m.Binomial(n, logits=lg),
                        [[np.array([4.0, 4.0, 4.0]), np.array([-1.0, 0.0, 2.5])],
                         [np.array([7.0, 7.0]), np.array([3.0, -4.0])]],
                        [np.array([0.0, 2.0, 4.0]), np.array([7.0, 1.0])]),
    "Geometric_probs": (lambda m, p: m.Geometric(probs=p),
                        [[np.array([0.2, 0.5, 0.9])], [np.array([[0.05, 1.0]])]],
                        [np.array([0.0, 3.0, 1.0]), np.array([[4.0, 0.0]])]),
    "Geometric_logits": (lambda m, lg: m.Geometric(logits=lg),
                         [[np.array([-1.0, 0.3, 2.0])], [np.array([[4.0], [-3.0]])]],
                         [np.array([0.0, 3.0, 1.0]), np.array([[2.0], [6.0]])]),
    "Independent_Normal": (lambda m, loc, scale: m.Independent(m.Normal(loc, scale), 1),
                           [[RNG.normal(size=(2, 3)), RNG.uniform(0.5, 2, (2, 3))],
                            [RNG.normal(size=(2, 3, 2)), RNG.uniform(0.5, 2, (2, 3, 2))]],
                           [RNG.normal(size=(2, 3)), RNG.normal(size=(2, 3, 2))]),
    "Independent2_Normal": (lambda m, loc, scale: m.Independent(m.Normal(loc, scale), 2),
                            [[RNG.normal(size=(2, 3)), RNG.uniform(0.5, 2, (2, 3))],
                             [RNG.normal(size=(4, 2, 3)), RNG.uniform(0.5, 2, (4, 2, 3))]],
                            [RNG.normal(size=(2, 3)), RNG.normal(size=(4, 2, 3))]),
    "Independent_Dirichlet": (lambda m, c: m.Independent(m.Dirichlet(c), 1),
                              [[np.array([[0.5, 1.5, 2.0], [2.0, 2.0, 0.3]])]],
                              [np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])]),
    "Independent0_Gamma": (lambda m, a, b: m.Independent(m.Gamma(a, b), 0),
                           [[np.array([0.5, 2.0]), np.array([1.5, 0.2])]], [np.array([0.3, 4.0])]),
}
WHATS = ["log_prob", "entropy", "mean", "variance", "stddev", "mode"]
NOT_DIFFERENTIABLE = {"mode"}  # (floor, clamp, one-hot: values compared, gradients not)


def _rows():
    for name, (_, param_sets, _) in CASES.items():
        for k in range(len(param_sets)):
            for what in WHATS:
                if what == "entropy" and name.startswith("Poisson"):
                    continue  # (PyTorch's Poisson has no entropy either)
                yield name, k, what


def _both(name, k):
    torch = pytest.importorskip("torch")
    make, param_sets, values = CASES[name]
    arrays = param_sets[k]
    ours = [symgrad.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    return (make(D, *ours), ours, symgrad.tensor(values[k]),
            make(torch.distributions, *theirs), theirs, torch.tensor(values[k]))


def _close(ours, theirs, rtol=1e-10, atol=1e-12):
    np.testing.assert_allclose(np.asarray(ours.detach().numpy(), dtype=float),
                               theirs.detach().numpy().astype(float), rtol=rtol, atol=atol)


def _call(d, what, x):
    return d.log_prob(x) if what == "log_prob" else d.entropy() if what == "entropy" else getattr(d, what)


@pytest.mark.parametrize("name, k, what", list(_rows()))
def test_values_and_gradients_match_torch(name, k, what):
    d, ours, x, td, theirs, tx = _both(name, k)
    out, tout = _call(d, what, x), _call(td, what, tx)
    assert tuple(out.shape) == tuple(tout.shape)
    _close(out, tout)
    if what in NOT_DIFFERENTIABLE or not tout.requires_grad:
        return
    weights = np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape))
    (out * symgrad.tensor(weights)).sum().backward()
    (tout * tout.new_tensor(weights)).sum().backward()
    for p, tp in zip(ours, theirs):
        if tp.grad is None:
            assert p.grad is None or not np.any(p.grad.numpy()), name
        else:
            _close(p.grad, tp.grad, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("name", list(CASES))
def test_shapes_flags_reprs_and_supports_are_torchs(name):
    torch = pytest.importorskip("torch")
    make, param_sets, _ = CASES[name]
    for arrays in param_sets:
        ours = make(D, *(symgrad.tensor(a) for a in arrays))
        theirs = make(torch.distributions, *(torch.tensor(a, dtype=torch.float32) for a in arrays))
        assert (ours.batch_shape, ours.event_shape) == (tuple(theirs.batch_shape), tuple(theirs.event_shape))
        assert (ours.has_rsample, ours.has_enumerate_support) == (theirs.has_rsample, theirs.has_enumerate_support)
        assert repr(ours).replace("symgrad", "torch") == repr(theirs)
        if not name.startswith("Binomial"):  # (PyTorch prints the bound as a tensor, we print its number)
            assert repr(ours.support) == repr(theirs.support)
        expanded, texpanded = ours.expand((5,) + tuple(ours.batch_shape)), theirs.expand((5,) + theirs.batch_shape)
        assert (expanded.batch_shape, expanded.event_shape) == (tuple(texpanded.batch_shape),
                                                                tuple(texpanded.event_shape))
        assert expanded.sample().shape == tuple(texpanded.sample().shape)
        assert ours.sample((2, 3)).shape == tuple(theirs.sample((2, 3)).shape)


@pytest.mark.parametrize("cls", ["Normal", "Laplace", "Uniform", "Exponential", "Gamma", "Beta", "Bernoulli",
                                 "Categorical", "MultivariateNormal", "Dirichlet", "Poisson", "Binomial",
                                 "Geometric", "Independent"])
def test_class_flags_are_torchs(cls):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(D, cls), getattr(torch.distributions, cls)
    for flag in ("has_rsample", "has_enumerate_support"):
        if isinstance(getattr(theirs, flag), bool):  # (Independent's are properties of the instance)
            assert getattr(ours, flag) == getattr(theirs, flag), (cls, flag)


# ------------------------------------------------------------------------------ enumerate_support


@pytest.mark.parametrize("expand", [True, False])
@pytest.mark.parametrize("make", [
    lambda m, t: m.Bernoulli(probs=t([0.2, 0.7])),
    lambda m, t: m.Bernoulli(logits=t([[0.2, -0.7, 1.0], [0.0, 1.0, 2.0]])),
    lambda m, t: m.Bernoulli(probs=t(0.3)),
    lambda m, t: m.Categorical(probs=t([0.2, 0.3, 0.5])),
    lambda m, t: m.Categorical(logits=t([[0.2, -0.7, 1.0, 0.0], [0.0, 1.0, 2.0, 0.5]])),
    lambda m, t: m.Binomial(4, probs=t([0.2, 0.7])),
    lambda m, t: m.Binomial(t([[2.0, 2.0]]), logits=t([[0.2, -0.7], [0.1, 0.0]])),
    lambda m, t: m.Independent(m.Bernoulli(probs=t([0.2, 0.7])), 0),
])
def test_enumerate_support_is_torchs(make, expand):
    torch = pytest.importorskip("torch")
    ours = make(D, lambda v: symgrad.tensor(v))
    theirs = make(torch.distributions, lambda v: torch.tensor(v, dtype=torch.float64))
    values, tvalues = ours.enumerate_support(expand=expand), theirs.enumerate_support(expand=expand)
    assert values.shape == tuple(tvalues.shape) and str(values.dtype)[8:] == str(tvalues.dtype)[6:]
    np.testing.assert_array_equal(values.numpy(), tvalues.numpy())
    _close(ours.log_prob(values), theirs.log_prob(tvalues))  # (each value's log_prob broadcasts over the batch)


def test_enumerate_support_errors_are_torchs():
    torch = pytest.importorskip("torch")
    for make in [lambda m, t: m.Independent(m.Bernoulli(t([0.2, 0.7])), 1),
                 lambda m, t: m.Binomial(t([2.0, 3.0]), t([0.2, 0.7])),
                 lambda m, t: m.Normal(0.0, 1.0)]:
        with pytest.raises(NotImplementedError) as theirs:
            make(torch.distributions, torch.tensor).enumerate_support()
        with pytest.raises(NotImplementedError) as ours:
            make(D, symgrad.tensor).enumerate_support()
        if str(theirs.value):
            assert str(ours.value) == str(theirs.value)
        else:
            assert "Normal does not implement enumerate_support" in str(ours.value)
    with pytest.raises(NotImplementedError, match="Inhomogeneous total count not supported by `entropy`"):
        D.Binomial(symgrad.tensor([2.0, 3.0]), symgrad.tensor([0.2, 0.7])).entropy()


# ------------------------------------------------------------------------------ KL


def _kl_pairs():
    c = [np.array([[0.5, 1.5, 2.0], [1.0, 1.0, 1.0]]), np.array([2.0, 0.3, 1.1])]
    return {
        "Dirichlet": (lambda m, a, b: m.Dirichlet(a), lambda m, a, b: m.Dirichlet(b), c),
        "Independent_Normal": (lambda m, a, b, s: m.Independent(m.Normal(a, s), 1),
                               lambda m, a, b, s: m.Independent(m.Normal(b, s * 2), 1),
                               [RNG.normal(size=(2, 3)), RNG.normal(size=3), RNG.uniform(0.5, 2, (2, 3))]),
        "Independent_Dirichlet": (lambda m, a, b: m.Independent(m.Dirichlet(a), 1),
                                  lambda m, a, b: m.Independent(m.Dirichlet(b.expand((2, 3))), 1), c),
        "Independent_Categorical": (lambda m, a, b: m.Independent(m.Categorical(logits=a), 2),
                                    lambda m, a, b: m.Independent(m.Categorical(logits=b), 2),
                                    [RNG.normal(size=(4, 2, 3)), RNG.normal(size=(1, 2, 3))]),
    }


@pytest.mark.parametrize("family", list(_kl_pairs()))
def test_kl_divergence_values_and_gradients_match_torch(family):
    torch = pytest.importorskip("torch")
    make_p, make_q, arrays = _kl_pairs()[family]
    ours = [symgrad.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    kl = D.kl_divergence(make_p(D, *ours), make_q(D, *ours))
    tkl = torch.distributions.kl_divergence(make_p(torch.distributions, *theirs),
                                            make_q(torch.distributions, *theirs))
    assert kl.shape == tuple(tkl.shape)
    _close(kl, tkl)
    kl.sum().backward()
    tkl.sum().backward()
    for p, tp in zip(ours, theirs):
        _close(p.grad, tp.grad, rtol=1e-9, atol=1e-11)


def test_kl_of_independents_with_other_ndims_is_refused():
    p = D.Independent(D.Normal(symgrad.zeros(2, 3), 1.0), 1)
    q = D.Independent(D.Normal(symgrad.zeros(2, 3), 1.0), 2)
    with pytest.raises(NotImplementedError, match=r"different reinterpreted_batch_ndims \(1 and 2\)"):
        D.kl_divergence(p, q)


# ------------------------------------------------------------------------------ validation


def _t(module, value):
    if module is D:
        return symgrad.tensor(value)
    import torch

    return torch.tensor(value, dtype=torch.float32)  # (prints as our float64: no dtype= suffix)


def test_parameter_validation_is_torchs():
    torch = pytest.importorskip("torch")
    cases = [
        lambda m: m.Independent(m.Normal(_t(m, [0.0, 1.0]), 1.0), 2),
        lambda m: m.Dirichlet(_t(m, [1.0, -0.5])),
        lambda m: m.Dirichlet(_t(m, [[1.0, 0.5], [0.0, 1.0]])),
        lambda m: m.Dirichlet(_t(m, 1.0)),
        lambda m: m.Poisson(_t(m, [1.0, -1.0])),
        lambda m: m.Binomial(_t(m, [2.5]), _t(m, [0.5])),
        lambda m: m.Binomial(_t(m, [-1.0]), _t(m, [0.5])),
        lambda m: m.Binomial(3, _t(m, [1.5])),
        lambda m: m.Binomial(3, probs=_t(m, [0.5]), logits=_t(m, [0.0])),
        lambda m: m.Geometric(_t(m, [0.5, 0.0])),
        lambda m: m.Geometric(_t(m, [1.5])),
        lambda m: m.Geometric(),
    ]
    for make in cases:
        with pytest.raises(ValueError) as theirs:
            make(torch.distributions)
        with pytest.raises(ValueError) as ours:
            make(D)
        assert str(ours.value).replace("symgrad", "torch") == str(theirs.value)


def test_sample_validation_is_torchs():
    torch = pytest.importorskip("torch")
    for make, value in [(lambda m: m.Dirichlet(_t(m, [1.0, 2.0])), [0.5, 0.6]),
                        (lambda m: m.Dirichlet(_t(m, [1.0, 2.0])), [0.5, 0.25, 0.25]),
                        (lambda m: m.Poisson(_t(m, [1.0, 2.0])), [1.0, 0.5]),
                        (lambda m: m.Poisson(2.0), [-1.0]),
                        (lambda m: m.Binomial(3, _t(m, [0.5, 0.5])), [1.0, 4.0]),
                        (lambda m: m.Geometric(_t(m, [0.5])), [-1.0]),
                        (lambda m: m.Independent(m.Normal(_t(m, [0.0, 1.0]), 1.0), 1), [0.0, float("nan")]),
                        (lambda m: m.Independent(m.Normal(_t(m, [0.0, 1.0]), 1.0), 1), [0.0, 1.0, 2.0])]:
        with pytest.raises(ValueError) as theirs:
            make(torch.distributions).log_prob(_t(torch.distributions, value))
        with pytest.raises(ValueError) as ours:
            make(D).log_prob(_t(D, value))
        assert str(ours.value).replace("symgrad", "torch") == str(theirs.value)


def test_wrong_argument_types_are_clear():
    with pytest.raises(TypeError, match="Dirichlet: `concentration` must be a Tensor"):
        D.Dirichlet([1.0, 2.0])
    with pytest.raises(TypeError, match="base_distribution must be a Distribution, not float"):
        D.Independent(1.0, 0)
    with pytest.raises(ValueError, match="reinterpreted_batch_ndims must be a non-negative int, not -1"):
        D.Independent(D.Normal(symgrad.zeros(2), 1.0), -1)


# ------------------------------------------------------------------------------ implicit gradients


def test_standard_gamma_grad_is_the_exact_implicit_derivative():
    """-(dP/da) / density, P the regularized incomplete gamma function, from mpmath at 40 digits."""
    mpmath = pytest.importorskip("mpmath")
    from symgrad.distributions.implicit import standard_gamma_grad

    mpmath.mp.dps = 40
    for a, x in [(0.01, 1e-30), (0.3, 0.05), (1.0, 1.0), (2.5, 7.0), (2.5, 0.2), (30.0, 45.0), (30.0, 18.0),
                 (500.0, 560.0), (9000.0, 9100.0), (2e4, 2.03e4)]:
        am, xm = mpmath.mpf(a), mpmath.mpf(x)
        dp = mpmath.diff(lambda s, xm=xm: mpmath.gammainc(s, 0, xm, regularized=True), am)
        want = float(-dp / (xm ** (am - 1) * mpmath.exp(-xm) / mpmath.gamma(am)))
        np.testing.assert_allclose(standard_gamma_grad(a, x), want, rtol=1e-7 if a > 1e4 else 1e-10)


@pytest.mark.parametrize("a", [0.05, 0.7, 1.0, 3.0, 9.0, 40.0, 2000.0])
def test_gamma_rsample_gradient_is_torchs(a):
    """PyTorch's per-sample gradient at our samples (torch._standard_gamma_grad),
    within PyTorch's own approximation error."""
    torch = pytest.importorskip("torch")
    symgrad.manual_seed(2)
    conc = symgrad.tensor([a, a / 2], requires_grad=True)
    rate = symgrad.tensor([1.5, 0.5], requires_grad=True)
    s = D.Gamma(conc, rate).rsample((500,))
    assert s.shape == (500, 2) and s.requires_grad
    weights = np.linspace(0.5, 1.5, 1000).reshape(500, 2)
    (s * symgrad.tensor(weights)).sum().backward()
    x = s.detach().numpy() * rate.detach().numpy()  # (the standard gamma samples)
    dx = torch._standard_gamma_grad(torch.tensor([a, a / 2], dtype=torch.float64).expand(500, 2),
                                   torch.tensor(x)).numpy()
    np.testing.assert_allclose(conc.grad.numpy(), (weights * dx / [1.5, 0.5]).sum(0), rtol=2e-4)
    np.testing.assert_allclose(rate.grad.numpy(), -(weights * s.detach().numpy() / [1.5, 0.5]).sum(0), rtol=1e-12)


@pytest.mark.parametrize("make, a, mean", [
    (lambda a: D.Gamma(a, 2.0), [0.4, 3.0], lambda a: a / 2),
    (lambda a: D.Beta(a[0], a[1]), [0.6, 2.5], lambda a: a[0] / (a[0] + a[1])),
    (lambda a: D.Dirichlet(a), [0.6, 2.5, 1.2], lambda a: a / a.sum()),
])
def test_rsample_gradients_are_unbiased(make, a, mean):
    """The average pathwise gradient of the samples is the gradient of the mean (and of E[x**2])."""
    symgrad.manual_seed(4)
    n = 200_000
    conc = symgrad.tensor(a, requires_grad=True)
    s = make(conc).rsample((n,))
    w = np.linspace(0.5, 1.5, int(np.prod(s.shape[1:]))).reshape(tuple(s.shape[1:]))
    ((s + s * s) * symgrad.tensor(w)).sum().div(n).backward()
    c = symgrad.tensor(a, requires_grad=True)
    d = make(c)
    ((d.mean + d.variance + d.mean ** 2) * symgrad.tensor(w)).sum().backward()
    np.testing.assert_allclose(conc.grad.numpy(), c.grad.numpy(), rtol=0.03, atol=0.01)


def test_beta_and_dirichlet_rsample_stay_in_the_support_and_sample_has_no_graph():
    symgrad.manual_seed(0)
    conc = symgrad.tensor([0.05, 0.3, 2.0], requires_grad=True)
    d = D.Dirichlet(conc)
    s = d.rsample((1000,))
    assert s.requires_grad and bool(d.support.check(s).all())
    b = D.Beta(conc, 0.1)
    assert bool(b.support.check(b.rsample((1000,))).all())
    assert not d.sample((3,)).requires_grad and not b.sample((3,)).requires_grad
    symgrad.manual_seed(1)
    first = D.Gamma(conc, 1.0).sample((4,))
    symgrad.manual_seed(1)
    np.testing.assert_array_equal(D.Gamma(conc, 1.0).rsample((4,)).detach().numpy(), first.numpy())


# ------------------------------------------------------------------------------ samples


@pytest.mark.parametrize("name, make, mean, var", [
    ("Dirichlet", lambda: D.Dirichlet(symgrad.tensor([0.5, 1.5, 2.0])), [0.125, 0.375, 0.5],
     [0.125 * 0.875 / 5, 0.375 * 0.625 / 5, 0.25 / 5]),
    ("Beta", lambda: D.Beta(symgrad.tensor([0.5, 3.0]), 2.0), [0.2, 0.6], [0.16 / 3.5, 0.04]),
    ("Gamma", lambda: D.Gamma(symgrad.tensor([0.1, 3.0]), 2.0), [0.05, 1.5], [0.025, 0.75]),
    ("Poisson", lambda: D.Poisson(symgrad.tensor([0.5, 12.0])), [0.5, 12.0], [0.5, 12.0]),
    ("Binomial", lambda: D.Binomial(symgrad.tensor([5.0, 40.0]), symgrad.tensor([0.3, 0.9])), [1.5, 36.0],
     [1.05, 3.6]),
    ("Geometric", lambda: D.Geometric(symgrad.tensor([0.3, 0.9])), [7 / 3, 1 / 9], [70 / 9, 10 / 81]),
    ("Independent", lambda: D.Independent(D.Exponential(symgrad.tensor([0.5, 4.0])), 1), [2.0, 0.25],
     [4.0, 1 / 16]),
])
def test_sample_shapes_and_statistics(name, make, mean, var):
    symgrad.manual_seed(1)
    d = make()
    s = d.sample((100000,))
    assert s.shape == (100000,) + tuple(d.batch_shape) + tuple(d.event_shape)
    x = s.numpy().astype(float)
    np.testing.assert_allclose(x.mean(0).ravel(), np.ravel(mean), rtol=0.02, atol=4 * np.sqrt(np.max(var) / 1e5))
    np.testing.assert_allclose(x.var(0).ravel(), np.ravel(var), rtol=0.04, atol=1e-3)
    assert bool(d.support.check(s).all())
    np.testing.assert_allclose(d.mean.numpy().ravel(), np.ravel(mean), rtol=1e-12)


# ------------------------------------------------------------------------------ closed forms


def _closed_forms():
    c = symgrad.tensor([0.5, 1.5, 2.0], requires_grad=True)
    q = symgrad.tensor([1.0, 0.7, 1.1], requires_grad=True)
    rate = symgrad.tensor(2.0, requires_grad=True)
    p = symgrad.tensor(0.3, requires_grad=True)
    loc = symgrad.tensor([0.2, -0.1], requires_grad=True)
    scale = symgrad.tensor([1.2, 0.8], requires_grad=True)
    return {
        "Dirichlet.log_prob": (lambda: D.Dirichlet(c).log_prob(symgrad.tensor([0.2, 0.3, 0.5])), [c]),
        "Dirichlet.entropy": (lambda: D.Dirichlet(c).entropy(), [c]),
        "kl(Dirichlet, Dirichlet)": (lambda: D.kl_divergence(D.Dirichlet(c), D.Dirichlet(q)), [c, q]),
        "Poisson.log_prob": (lambda: D.Poisson(rate).log_prob(symgrad.tensor(3.0)), [rate]),
        "Binomial.log_prob": (lambda: D.Binomial(6, p).log_prob(symgrad.tensor(2.0)), [p]),
        "Geometric.log_prob": (lambda: D.Geometric(p).log_prob(symgrad.tensor(4.0)), [p]),
        "Geometric.entropy": (lambda: D.Geometric(p).entropy(), [p]),
        "Independent.log_prob": (lambda: D.Independent(D.Normal(loc, scale), 1).log_prob(symgrad.zeros(2)),
                                 [loc, scale]),
        "kl(Independent, Independent)": (lambda: D.kl_divergence(D.Independent(D.Normal(loc, scale), 1),
                                                                 D.Independent(D.Normal(scale, 1.0), 1)),
                                         [loc, scale]),
    }


@pytest.mark.parametrize("name", list(_closed_forms()))
def test_closed_forms_lambdify_and_differentiate(name):
    """Each closed form is a SymPy expression of the parameters' symbols; the
    generated function gives the numbers, and sympy.diff of the expression the
    gradient the engine computes."""
    import sympy

    make, leaves = _closed_forms()[name]
    out = make()
    expr = out.expr
    assert isinstance(expr, sympy.Expr) and expr.free_symbols, (name, expr)
    assert len(str(expr)) < 600, (name, expr)  # (a formula to read, not a dump)
    f = symgrad.lambdify(leaves, out)
    np.testing.assert_allclose(f(*(t.detach().numpy() for t in leaves)), out.item(), rtol=1e-12)
    grads = symgrad.autograd.grad(out, leaves)
    for leaf, g in zip(leaves, grads):
        symbols = leaf.expr if leaf.dim() == 0 else None
        values = {}
        for t in leaves:
            if t.dim() == 0:
                values[t.expr] = t.item()
            else:
                values.update({s: v for s, v in zip(sympy.flatten(t.expr.tolist()), t.detach().numpy().ravel())})
        syms = [symbols] if symbols is not None else list(sympy.flatten(leaf.expr.tolist()))
        want = [float(sympy.diff(expr, s).subs(values).evalf()) for s in syms]
        np.testing.assert_allclose(np.ravel(g.numpy()), want, rtol=1e-8, atol=1e-12)


def test_readable_formulas():
    rate = symgrad.tensor(2.0, requires_grad=True)
    k = symgrad.tensor(3.0, requires_grad=True)
    assert str(D.Poisson(rate).log_prob(k).expr) == "-rate + Piecewise((0, Eq(k, 0)), (k*log(rate), True)) - loggamma(k + 1)"
    logits = symgrad.tensor(0.5, requires_grad=True)
    expr = str(D.Binomial(6, logits=logits).log_prob(symgrad.tensor(2.0)).expr)
    assert "log(exp(logits) + 1)" in expr and "2*logits" in expr, expr
