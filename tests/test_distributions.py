"""symgrad.distributions against torch.distributions: values and gradients of
log_prob, entropy, mean, variance and KL; pathwise gradients of rsample by
finite differences; sample shapes and statistics; PyTorch's errors."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import symgrad
from symgrad import distributions as D  # noqa: N812  (as torch.distributions is often imported)

RNG = np.random.default_rng(7)
POS = RNG.uniform(0.5, 2.0, (3,))
POS_REVERSED = POS[::-1].copy()
PROBS = np.array([0.2, 0.5, 0.9])
SIMPLEX = np.array([[0.2, 0.3, 0.5], [0.1, 0.6, 0.3]])
L = np.array([[1.5, 0.0, 0.0], [0.3, 0.8, 0.0], [-0.4, 0.2, 1.1]])
COV = L @ L.T

# name -> (params as arrays, keyword names or None for positional, a value in the support)
CASES = {
    "Normal": ([RNG.normal(size=3), POS], None, RNG.normal(size=3)),
    "Laplace": ([RNG.normal(size=3), POS], None, RNG.normal(size=3)),
    "Uniform": ([np.array([-1.0, 0.0, 0.5]), np.array([1.0, 2.0, 3.0])], None, np.array([0.0, 1.5, 2.0])),
    "Exponential": ([POS], None, RNG.uniform(0.1, 2, 3)),
    "Gamma": ([POS + 0.5, POS_REVERSED], None, RNG.uniform(0.1, 2, 3)),
    "Beta": ([POS, POS_REVERSED + 0.3], None, np.array([0.1, 0.5, 0.8])),
    "Bernoulli_probs": ([PROBS], ["probs"], np.array([1.0, 0.0, 1.0])),
    "Bernoulli_logits": ([RNG.normal(size=3)], ["logits"], np.array([1.0, 0.0, 1.0])),
    "Categorical_probs": ([SIMPLEX], ["probs"], np.array([2, 0])),
    "Categorical_logits": ([RNG.normal(size=(2, 3))], ["logits"], np.array([1, 2])),
    "MultivariateNormal_cov": ([RNG.normal(size=3), COV], ["loc", "covariance_matrix"], RNG.normal(size=(2, 3))),
    "MultivariateNormal_tril": ([RNG.normal(size=3), L], ["loc", "scale_tril"], RNG.normal(size=(2, 3))),
}
NO_MOMENTS = {"Categorical_probs", "Categorical_logits"}  # (nan mean and variance, compared separately)


def _make(module, name, params, keywords):
    cls = getattr(module, name.split("_")[0])
    return cls(**dict(zip(keywords, params))) if keywords else cls(*params)


def _both(name):
    torch = pytest.importorskip("torch")
    arrays, keywords, value = CASES[name]
    ours = [symgrad.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    dtype = torch.int64 if value.dtype.kind == "i" else torch.float64
    return (_make(D, name, ours, keywords), ours, symgrad.tensor(value),
            _make(torch.distributions, name, theirs, keywords), theirs, torch.tensor(value, dtype=dtype))


def _close(ours, theirs, rtol=1e-10, atol=1e-12):
    np.testing.assert_allclose(np.asarray(ours.detach().numpy()), theirs.detach().numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("name, what", [(name, what) for name in CASES
                                         for what in ["log_prob", "entropy", "mean", "variance", "stddev"]
                                         if what in ("log_prob", "entropy") or name not in NO_MOMENTS])
def test_values_and_gradients_match_torch(name, what):
    d, ours, x, td, theirs, tx = _both(name)
    out = d.log_prob(x) if what == "log_prob" else d.entropy() if what == "entropy" else getattr(d, what)
    tout = td.log_prob(tx) if what == "log_prob" else td.entropy() if what == "entropy" else getattr(td, what)
    assert tuple(out.shape) == tuple(tout.shape)
    _close(out, tout)
    weights = np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape))
    (out * symgrad.tensor(weights)).sum().backward()
    (tout * tout.new_tensor(weights)).sum().backward()
    for p, tp in zip(ours, theirs):
        if tp.grad is None:
            assert p.grad is None or not np.any(p.grad.numpy()), name
        else:
            _close(p.grad, tp.grad, rtol=1e-9, atol=1e-11)


def test_categorical_mean_and_variance_are_nan():
    d = D.Categorical(probs=symgrad.tensor(SIMPLEX))
    assert d.mean.shape == (2,) and np.isnan(d.mean.numpy()).all() and np.isnan(d.variance.numpy()).all()


def _kl_pairs():
    m2 = RNG.normal(size=3)
    l2 = np.array([[0.9, 0.0, 0.0], [-0.2, 1.3, 0.0], [0.1, 0.4, 0.7]])
    return {
        "Normal": (("Normal", [RNG.normal(size=3), POS], None), ("Normal", [RNG.normal(size=3), POS_REVERSED], None)),
        "Bernoulli": (("Bernoulli", [PROBS], ["probs"]), ("Bernoulli", [RNG.normal(size=3)], ["logits"])),
        "Categorical": (("Categorical", [SIMPLEX], ["probs"]),
                        ("Categorical", [RNG.normal(size=(2, 3))], ["logits"])),
        "MultivariateNormal": (("MultivariateNormal", [RNG.normal(size=(2, 3)), COV], ["loc", "covariance_matrix"]),
                               ("MultivariateNormal", [m2, l2], ["loc", "scale_tril"])),
    }


@pytest.mark.parametrize("family", ["Normal", "Bernoulli", "Categorical", "MultivariateNormal"])
def test_kl_divergence_values_and_gradients_match_torch(family):
    torch = pytest.importorskip("torch")
    made, tmade, leaves, tleaves = [], [], [], []
    for name, arrays, keywords in _kl_pairs()[family]:
        ours = [symgrad.tensor(a, requires_grad=True) for a in arrays]
        theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
        made.append(_make(D, name, ours, keywords))
        tmade.append(_make(torch.distributions, name, theirs, keywords))
        leaves += ours
        tleaves += theirs
    kl, tkl = D.kl_divergence(*made), torch.distributions.kl_divergence(*tmade)
    _close(kl, tkl)
    kl.sum().backward()
    tkl.sum().backward()
    for p, tp in zip(leaves, tleaves):
        _close(p.grad, tp.grad, rtol=1e-9, atol=1e-11)


def test_kl_at_the_edges_of_the_support_is_torchs():
    torch = pytest.importorskip("torch")
    p, q = [0.0, 1.0, 0.5, 0.5], [0.5, 0.5, 0.0, 1.0]
    kl = D.kl_divergence(D.Bernoulli(symgrad.tensor(p)), D.Bernoulli(symgrad.tensor(q)))
    tkl = torch.distributions.kl_divergence(torch.distributions.Bernoulli(torch.tensor(p, dtype=torch.float64)),
                                            torch.distributions.Bernoulli(torch.tensor(q, dtype=torch.float64)))
    np.testing.assert_allclose(kl.numpy(), tkl.numpy())
    cp, cq = [[0.0, 1.0], [0.5, 0.5]], [[0.5, 0.5], [0.0, 1.0]]
    kl = D.kl_divergence(D.Categorical(symgrad.tensor(cp)), D.Categorical(symgrad.tensor(cq)))
    tkl = torch.distributions.kl_divergence(torch.distributions.Categorical(torch.tensor(cp, dtype=torch.float64)),
                                            torch.distributions.Categorical(torch.tensor(cq, dtype=torch.float64)))
    np.testing.assert_allclose(kl.numpy(), tkl.numpy())


def test_kl_of_an_unregistered_pair_names_the_fix():
    with pytest.raises(NotImplementedError, match=r"No KL\(p \|\| q\) is implemented for p type Categorical and q "
                                                  r"type Laplace: register one with @register_kl\(Categorical, "
                                                  r"Laplace\)"):
        D.kl_divergence(D.Categorical(symgrad.tensor([0.5, 0.5])), D.Laplace(0.0, 1.0))


def test_normal_log_prob_is_the_textbook_formula():
    import sympy

    mu = symgrad.tensor(0.3, requires_grad=True)
    sigma = symgrad.tensor(1.7, requires_grad=True)
    x = symgrad.tensor(-0.4, requires_grad=True)
    expr = D.Normal(mu, sigma).log_prob(x).expr
    m, s, v = sympy.symbols("mu sigma x", real=True)
    textbook = sympy.log(sympy.exp(-(v - m) ** 2 / (2 * s ** 2)) / (s * sympy.sqrt(2 * sympy.pi)))
    leaves = {str(sym): sym for sym in expr.free_symbols}
    assert set(leaves) == {"mu", "sigma", "x"}
    mine = expr.xreplace({leaves["mu"]: m, leaves["sigma"]: sympy.Symbol("sigma", positive=True), leaves["x"]: v})
    textbook = textbook.subs(s, sympy.Symbol("sigma", positive=True))
    assert sympy.simplify(sympy.expand_log(mine - textbook, force=True)) == 0
    assert "pi" in str(expr) and "0.9189" not in str(expr)  # (the constant exactly: log(2*pi)/2)


@pytest.mark.parametrize("name", ["Normal", "Laplace", "Uniform", "Exponential", "MultivariateNormal_tril"])
def test_rsample_gradients_are_pathwise(name):
    # d/dθ of sum(w * rsample) with a fixed seed, against central differences with the same seed
    arrays, keywords, _ = CASES[name]
    weights = None

    def f(values):
        nonlocal weights
        symgrad.manual_seed(3)
        params = [symgrad.tensor(a, requires_grad=True) for a in values]
        s = _make(D, name, params, keywords).rsample((4,))
        if weights is None:
            weights = symgrad.tensor(np.linspace(-1, 2, s.numel()).reshape(tuple(s.shape)))
        return (s * weights).sum(), params

    out, params = f(arrays)
    out.backward()
    h = 1e-6
    for i, a in enumerate(arrays):
        numeric = np.zeros_like(a)
        for j in np.ndindex(a.shape):
            if name.startswith("MultivariateNormal") and i == 1 and j[1] > j[0]:
                continue  # (scale_tril stays lower-triangular)
            up, down = [b.copy() for b in arrays], [b.copy() for b in arrays]
            up[i][j] += h
            down[i][j] -= h
            numeric[j] = (f(up)[0].item() - f(down)[0].item()) / (2 * h)
        grad = params[i].grad.numpy()
        np.testing.assert_allclose(np.tril(grad) if grad.ndim == 2 else grad, numeric, rtol=1e-6, atol=1e-7)
        assert np.any(numeric != 0)


def test_sample_is_rsample_without_the_graph():
    symgrad.manual_seed(0)
    loc = symgrad.tensor([0.0, 1.0], requires_grad=True)
    s = D.Normal(loc, 2.0).sample((3,))
    assert s.shape == (3, 2) and not s.requires_grad
    symgrad.manual_seed(0)
    r = D.Normal(loc, 2.0).rsample((3,))
    assert r.requires_grad and np.array_equal(r.detach().numpy(), s.numpy())


@pytest.mark.parametrize("name, make, mean, var", [
    ("Normal", lambda: D.Normal(symgrad.tensor([1.0, -2.0]), 0.5), [1.0, -2.0], [0.25, 0.25]),
    ("Laplace", lambda: D.Laplace(symgrad.tensor([1.0, -2.0]), 0.5), [1.0, -2.0], [0.5, 0.5]),
    ("Uniform", lambda: D.Uniform(symgrad.tensor([1.0, -2.0]), 3.0), [2.0, 0.5], [1 / 3, 25 / 12]),
    ("Exponential", lambda: D.Exponential(symgrad.tensor([0.5, 4.0])), [2.0, 0.25], [4.0, 1 / 16]),
    ("Gamma", lambda: D.Gamma(symgrad.tensor([0.5, 3.0]), 2.0), [0.25, 1.5], [0.125, 0.75]),
    ("Beta", lambda: D.Beta(symgrad.tensor([0.5, 3.0]), 2.0), [0.2, 0.6], [0.16 / 3.5, 0.04]),
    ("Bernoulli", lambda: D.Bernoulli(logits=symgrad.tensor([0.0, 2.0])), [0.5, 0.8808], [0.25, 0.105]),
    ("Categorical", lambda: D.Categorical(symgrad.tensor([[0.2, 0.3, 0.5]])), [1.3], [0.61]),
    ("MultivariateNormal", lambda: D.MultivariateNormal(symgrad.tensor([1.0, -1.0, 0.0]), symgrad.tensor(COV)),
     [1.0, -1.0, 0.0], np.diag(COV)),
])
def test_sample_shapes_and_statistics(name, make, mean, var):
    symgrad.manual_seed(1)
    d = make()
    s = d.sample((100000,))
    assert s.shape == (100000,) + tuple(d.batch_shape) + tuple(d.event_shape)
    assert d.sample().shape == tuple(d.batch_shape) + tuple(d.event_shape)
    assert d.sample((2, 3)).shape == (2, 3) + tuple(d.batch_shape) + tuple(d.event_shape)
    x = s.numpy().astype(float)
    np.testing.assert_allclose(x.mean(0).ravel(), np.ravel(mean), atol=4 * np.sqrt(np.max(var) / 1e5) + 1e-3)
    np.testing.assert_allclose(x.var(0).ravel(), np.ravel(var), rtol=0.03, atol=1e-3)
    assert bool(d.support.check(s).all())


def test_the_seed_makes_samples_repeatable():
    symgrad.manual_seed(5)
    a = D.Gamma(2.0, 1.0).sample((3,))
    symgrad.manual_seed(5)
    assert np.array_equal(D.Gamma(2.0, 1.0).sample((3,)).numpy(), a.numpy())


def test_parameter_validation_is_torchs():
    torch = pytest.importorskip("torch")
    cases = [
        (lambda m: m.Normal(m_tensor(m, [0.0, 1.0]), m_tensor(m, [1.0, -1.0])), ValueError),
        (lambda m: m.Bernoulli(probs=m_tensor(m, [0.5, 1.5])), ValueError),
        (lambda m: m.Gamma(m_tensor(m, [0.0]), 1.0), ValueError),
        (lambda m: m.Categorical(probs=m_tensor(m, [-0.1, 1.1])), ValueError),
        (lambda m: m.MultivariateNormal(m_tensor(m, [0.0, 0.0]), m_tensor(m, [[1.0, 2.0], [2.0, 1.0]])), ValueError),
        (lambda m: m.MultivariateNormal(m_tensor(m, [0.0, 0.0]), scale_tril=m_tensor(m, [[1.0, 1.0], [0.0, 1.0]])),
         ValueError),
        (lambda m: m.Uniform(1.0, 1.0), ValueError),
        (lambda m: m.Bernoulli(probs=m_tensor(m, [0.5]), logits=m_tensor(m, [0.0])), ValueError),
        (lambda m: m.Categorical(probs=m_tensor(m, 1.0)), ValueError),
        (lambda m: m.MultivariateNormal(m_tensor(m, 0.0), m_tensor(m, [[1.0]])), ValueError),
        (lambda m: m.MultivariateNormal(m_tensor(m, [0.0])), ValueError),
    ]
    for make, error in cases:
        with pytest.raises(error) as theirs:
            make(torch.distributions)
        with pytest.raises(error) as ours:
            make(D)
        assert str(ours.value).replace("symgrad", "torch") == str(theirs.value)


def m_tensor(module, value):
    if module is D:
        return symgrad.tensor(value)
    import torch

    return torch.tensor(value, dtype=torch.float32)  # (prints as our float64: no dtype= suffix)


def test_sample_validation_is_torchs():
    torch = pytest.importorskip("torch")
    for make, value in [(lambda m: m.Normal(0.0, 1.0), [0.0, float("nan")]),
                        (lambda m: m.Exponential(2.0), [-1.0]),
                        (lambda m: m.Bernoulli(0.5), [0.5]),
                        (lambda m: m.Categorical(m_tensor(m, [0.5, 0.5])), [2.0]),
                        (lambda m: m.Gamma(1.0, 1.0), [-1.5]),
                        (lambda m: m.Normal(m_tensor(m, [0.0, 1.0]), 1.0), [[1.0, 2.0, 3.0]]),
                        (lambda m: m.MultivariateNormal(m_tensor(m, [0.0, 0.0]), m_tensor(m, np.eye(2).tolist())),
                         [1.0, 2.0, 3.0])]:
        with pytest.raises(ValueError) as theirs:
            make(torch.distributions).log_prob(m_tensor(torch.distributions, value))
        with pytest.raises(ValueError) as ours:
            make(D).log_prob(m_tensor(D, value))
        assert str(ours.value).replace("symgrad", "torch") == str(theirs.value)
    with pytest.raises(ValueError, match="The value argument to log_prob must be a Tensor"):
        D.Normal(0.0, 1.0).log_prob(0.5)
    assert D.Normal(0.0, 1.0, validate_args=False).log_prob(symgrad.tensor(float("nan"))).isnan().item()


def test_reprs_and_shapes_are_torchs():
    torch = pytest.importorskip("torch")
    for make in [lambda m: m.Normal(0.0, 1.0), lambda m: m.Normal(m_tensor(m, [0.0, 1.0]), 1.0),
                 lambda m: m.Bernoulli(logits=m_tensor(m, [0.0])), lambda m: m.Uniform(0.0, 2.0),
                 lambda m: m.Categorical(logits=m_tensor(m, [[0.0, 1.0]] * 4)),
                 lambda m: m.MultivariateNormal(m_tensor(m, [0.0, 1.0]), m_tensor(m, np.eye(2).tolist()))]:
        ours, theirs = make(D), make(torch.distributions)
        assert repr(ours).replace("symgrad", "torch") == repr(theirs)
        assert (tuple(ours.batch_shape), tuple(ours.event_shape)) == (tuple(theirs.batch_shape),
                                                                      tuple(theirs.event_shape))
        assert repr(ours.support) == repr(theirs.support)
        assert ours.has_rsample == theirs.has_rsample


def test_expand_shares_parameters():
    loc = symgrad.tensor([0.0, 1.0], requires_grad=True)
    d = D.Normal(loc, 1.0).expand((3, 2))
    assert d.batch_shape == (3, 2) and d.log_prob(symgrad.zeros(3, 2)).shape == (3, 2)
    d.log_prob(symgrad.zeros(3, 2)).sum().backward()
    np.testing.assert_allclose(loc.grad.numpy(), [0.0, -3.0])
    c = D.Categorical(logits=symgrad.zeros(3)).expand((4,))
    assert c.batch_shape == (4,) and c.sample().shape == (4,) and c.log_prob(symgrad.tensor(1)).shape == (4,)
    m = D.MultivariateNormal(symgrad.zeros(2), symgrad.eye(2)).expand((5,))
    assert m.log_prob(symgrad.zeros(2)).shape == (5,) and m.rsample().shape == (5, 2)


def test_lazy_parameters_and_perplexity():
    d = D.Bernoulli(probs=symgrad.tensor(0.25))
    np.testing.assert_allclose(d.logits.item(), np.log(1 / 3))
    c = D.Categorical(logits=symgrad.tensor([0.0, 0.0]))
    np.testing.assert_allclose(c.probs.numpy(), [0.5, 0.5])
    np.testing.assert_allclose(c.perplexity().item(), 2.0)
    with pytest.raises(AttributeError, match="no attribute 'scale'"):
        D.Bernoulli(0.5).scale  # noqa: B018


def test_a_distribution_without_rsample_says_so():
    with pytest.raises(NotImplementedError, match="Poisson has no rsample .*use sample()"):
        D.Poisson(1.0).rsample()


def test_wrong_argument_types_are_clear():
    with pytest.raises(ValueError, match="numbers.Number or symgrad.Tensor, not list"):
        D.Normal([0.0, 1.0], 1.0)
    with pytest.raises(TypeError, match="sample_shape must be a tuple"):
        D.Normal(0.0, 1.0).sample(3)
    with pytest.raises(ValueError, match="the matrix must be 2x2"):
        D.MultivariateNormal(symgrad.zeros(2), symgrad.eye(3))


def test_import_symgrad_does_not_load_distributions():
    code = ("import sys, symgrad; assert 'symgrad.distributions' not in sys.modules; "
            "d = symgrad.distributions.Normal(0., 1.); assert 'sympy' not in sys.modules; print('ok')")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


def _positive(expr, *names):
    """``expr`` with its leaves named ``names`` replaced by positive symbols of those names."""
    import sympy

    leaves = {str(sym): sym for sym in expr.free_symbols}
    return expr.xreplace({leaves[n]: sympy.Symbol(n, positive=True) for n in names if n in leaves})


def test_normal_kl_is_the_textbook_formula_with_exact_numbers():
    import sympy

    m1, s1, m2, s2 = (symgrad.tensor(v, requires_grad=True) for v in (0.3, 1.2, -0.5, 0.7))
    kl = D.kl_divergence(D.Normal(m1, s1), D.Normal(m2, s2))
    expr = _positive(kl.expr, "s1", "s2")
    assert not expr.atoms(sympy.Float), expr  # (0.5 as 1/2: PyTorch's formula is written with floats)
    mu1, mu2 = (next(s for s in expr.free_symbols if s.name == n) for n in ("m1", "m2"))
    p1, p2 = sympy.symbols("s1 s2", positive=True)
    textbook = sympy.log(p2 / p1) + (p1 ** 2 + (mu1 - mu2) ** 2) / (2 * p2 ** 2) - sympy.Rational(1, 2)
    assert sympy.simplify(sympy.expand_log(expr - textbook, force=True)) == 0
    want = 0.5 * ((1.2 / 0.7) ** 2 + ((0.3 - -0.5) / 0.7) ** 2 - 1 - np.log((1.2 / 0.7) ** 2))
    assert kl.item() == want  # (the same numbers, bit for bit)


def _closed_forms():
    x, a, b = (symgrad.tensor(v, requires_grad=True) for v in (0.4, -0.3, 1.6))
    loc = symgrad.tensor([0.2, -0.1], requires_grad=True)
    tril = symgrad.tensor([[1.5, 0.0], [0.3, 0.8]], requires_grad=True)
    tril2 = symgrad.tensor([[0.9, 0.0], [-0.2, 1.3]], requires_grad=True)
    mvn, mvn2 = D.MultivariateNormal(loc, scale_tril=tril), D.MultivariateNormal(loc * 2, scale_tril=tril2)
    return {
        "Normal.cdf": lambda: D.Normal(a, b).cdf(x),
        "Normal.icdf": lambda: D.Normal(a, b).icdf(x),
        "Laplace.cdf": lambda: D.Laplace(a, b).cdf(x),
        "Laplace.stddev": lambda: D.Laplace(a, b).stddev,
        "Uniform.stddev": lambda: D.Uniform(a, b).stddev,
        "MultivariateNormal.log_prob": lambda: mvn.log_prob(loc * 3),
        "MultivariateNormal.entropy": lambda: mvn.entropy(),
        "kl(MultivariateNormal, MultivariateNormal)": lambda: D.kl_divergence(mvn, mvn2),
    }


@pytest.mark.parametrize("name", list(_closed_forms()))
def test_closed_forms_have_exact_numbers(name):
    """Constants that are simple rationals or roots (``1/2``, ``sqrt(2)``) print as such, not as floats."""
    import sympy

    out = _closed_forms()[name]()
    exprs = out.expr if isinstance(out.expr, sympy.Basic) and not isinstance(out.expr, sympy.NDimArray) else None
    for e in ([exprs] if exprs is not None else list(sympy.flatten(out.expr.tolist()))):
        assert not e.atoms(sympy.Float), (name, e)


def test_exact_constants_keep_float32_in_gradients_of_any_order():
    """``HALF`` and ``SQRT_2`` are float subclasses (``Exact``), which NumPy takes
    for float64 where it takes a Python float for a weak scalar: saved as an
    op's input and read by a rule on arrays, they made float32 gradients float64."""
    x, a, b = (symgrad.tensor(np.float32(v), requires_grad=True) for v in (0.4, -0.3, 1.6))
    for out in (D.Normal(a, b).cdf(x), D.Laplace(a, b).cdf(x), D.Uniform(a, b).stddev):
        grads = symgrad.autograd.grad(out, [x, a, b], create_graph=True, allow_unused=True)
        assert out.dtype == symgrad.float32
        for g in grads:
            if g is not None and g.requires_grad:
                assert g.dtype == symgrad.float32
                for h in symgrad.autograd.grad(g, [x, a, b], allow_unused=True, retain_graph=True):
                    assert h is None or h.dtype == symgrad.float32, out
