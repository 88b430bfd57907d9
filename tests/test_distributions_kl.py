"""KL divergences of the families beyond Normal, Bernoulli, Categorical, MultivariateNormal
and Dirichlet (``kl_families``, ``kl_mixed``), and Laplace's ``icdf``, against PyTorch:
values, shapes, gradients, infinite cases and error messages."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad
from symgrad import distributions as D  # noqa: N812  (as torch.distributions is often imported)

RNG = np.random.default_rng(5)

# family -> constructor from the module and two parameter arrays a (any real, small), b (in (0.5, 2))
FAMILIES = {
    "Normal": lambda m, a, b: m.Normal(a, b),
    "Laplace": lambda m, a, b: m.Laplace(a, b),
    "Uniform": lambda m, a, b: m.Uniform(a, a + b),
    "Exponential": lambda m, a, b: m.Exponential(b),
    "Gamma": lambda m, a, b: m.Gamma(b, b * 1.3),
    "Beta": lambda m, a, b: m.Beta(b, b + 0.4),
    "Poisson": lambda m, a, b: m.Poisson(b),
    "Bernoulli": lambda m, a, b: m.Bernoulli(b / 3),
    "Geometric": lambda m, a, b: m.Geometric(logits=a),
    "Binomial": lambda m, a, b: m.Binomial(5, b / 3),
}
# the pairs this file covers (the others are tests/test_distributions.py's)
PAIRS = [("Beta", "Beta"), ("Binomial", "Binomial"), ("Exponential", "Exponential"), ("Gamma", "Gamma"),
         ("Geometric", "Geometric"), ("Laplace", "Laplace"), ("Poisson", "Poisson"), ("Uniform", "Uniform"),
         ("Bernoulli", "Poisson"), ("Beta", "Exponential"), ("Beta", "Gamma"), ("Beta", "Normal"),
         ("Beta", "Uniform"), ("Exponential", "Beta"), ("Exponential", "Uniform"), ("Exponential", "Gamma"),
         ("Exponential", "Normal"), ("Gamma", "Beta"), ("Gamma", "Uniform"), ("Gamma", "Exponential"),
         ("Gamma", "Normal"), ("Laplace", "Beta"), ("Laplace", "Exponential"), ("Laplace", "Gamma"),
         ("Laplace", "Uniform"), ("Laplace", "Normal"), ("Normal", "Beta"), ("Normal", "Exponential"),
         ("Normal", "Gamma"), ("Normal", "Uniform"), ("Normal", "Laplace"), ("Poisson", "Bernoulli"),
         ("Poisson", "Binomial"), ("Uniform", "Beta"), ("Uniform", "Exponential"), ("Uniform", "Gamma"),
         ("Uniform", "Normal")]


# PyTorch sets ``kl[mask] = inf`` there, which fails unless the mask has the result's shape: q's batch shape is p's
MASKED = {("Binomial", "Binomial"), ("Uniform", "Uniform"), ("Beta", "Uniform"), ("Uniform", "Beta"),
          ("Uniform", "Exponential"), ("Uniform", "Gamma")}


def _params(p_name, q_name):
    q_shape = (3,) if (p_name, q_name) in MASKED else (2, 1)  # (else batch shapes broadcast: (3,) with (2, 1))
    a1, b1, a2 = RNG.normal(size=3) * 0.3, RNG.uniform(0.5, 2, 3), RNG.normal(size=q_shape) * 0.3
    b2 = RNG.uniform(0.5, 2, q_shape)
    if p_name == "Uniform":  # (inside [0, 1] and above 0: finite against Beta, Gamma and Exponential)
        a1, b1 = np.array([0.05, 0.2, 0.4]), np.array([0.3, 0.5, 0.55])
    return [a1, b1, a2, b2]


def _compare(p_name, q_name, arrays, p_make=None, q_make=None):
    torch = pytest.importorskip("torch")
    p_make, q_make = p_make or FAMILIES[p_name], q_make or FAMILIES[q_name]
    ours = [symgrad.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    kl = D.kl_divergence(p_make(D, *ours[:2]), q_make(D, *ours[2:]))
    tkl = torch.distributions.kl_divergence(p_make(torch.distributions, *theirs[:2]),
                                            q_make(torch.distributions, *theirs[2:]))
    assert tuple(kl.shape) == tuple(tkl.shape)
    assert kl.dtype == symgrad.float64
    np.testing.assert_allclose(kl.detach().numpy(), tkl.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert kl.requires_grad == tkl.requires_grad
    if not tkl.requires_grad:
        return
    weights = np.linspace(0.5, 1.5, kl.numel()).reshape(tuple(kl.shape))
    (kl * symgrad.tensor(weights)).sum().backward()
    (tkl * tkl.new_tensor(weights)).sum().backward()
    for p, tp in zip(ours, theirs):
        if tp.grad is None:
            assert p.grad is None or not np.any(p.grad.numpy())
        else:
            np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("p_name, q_name", PAIRS)
def test_kl_values_shapes_and_gradients_match_torch(p_name, q_name):
    _compare(p_name, q_name, _params(p_name, q_name))


def test_every_pair_torch_registers_among_symgrads_families_is_registered():
    torch = pytest.importorskip("torch")
    from torch.distributions.kl import _KL_REGISTRY

    from symgrad.distributions.kl import _KL

    missing = [(tp.__name__, tq.__name__) for tp, tq in _KL_REGISTRY
               if hasattr(D, tp.__name__) and hasattr(D, tq.__name__)
               and (getattr(D, tp.__name__), getattr(D, tq.__name__)) not in _KL]
    assert not missing
    assert torch is not None


@pytest.mark.parametrize("p_name, q_name, arrays", [
    # Uniform against Uniform: q's interval not around p's on one side, the other, or both; and inside
    ("Uniform", "Uniform", [np.array([0.0, -1.0, -2.0, 0.5]), np.array([1.0, 1.0, 5.0, 0.1]),
                            np.array([-0.5]), np.array([1.5])]),
    # Beta against a Uniform narrower than [0, 1] on either side, and wider
    ("Beta", "Uniform", [np.zeros(3), np.array([0.7, 1.2, 2.0]), np.array([0.1, -0.1, -0.5]),
                         np.array([1.5, 0.8, 2.0])]),
    # a Uniform reaching below 0 or above 1 against Beta, Gamma, Exponential
    ("Uniform", "Beta", [np.array([-0.2, 0.5, 0.1]), np.array([0.5, 0.7, 0.3]), np.zeros(1), np.ones(1)]),
    ("Uniform", "Gamma", [np.array([-0.2, 0.0, 0.1]), np.array([0.5, 0.7, 0.3]), np.zeros(1), np.ones(1)]),
    ("Uniform", "Exponential", [np.array([-0.2, 0.0, 0.1]), np.array([0.5, 0.7, 0.3]), np.zeros(1),
                                np.ones(1)]),
])
def test_infinite_kl_where_the_supports_do_not_nest_is_torchs(p_name, q_name, arrays):
    _compare(p_name, q_name, arrays)


def test_binomial_kl_is_infinite_for_more_trials_in_p():
    def binomial(n):
        return lambda m, a, b: m.Binomial(m_tensor(m, n), probs=b)

    def m_tensor(m, n):
        return symgrad.tensor(n) if m is D else __import__("torch").tensor(n, dtype=__import__("torch").float64)

    _compare("Binomial", "Binomial", [np.zeros(3), np.array([0.2, 0.5, 0.7]), np.zeros(3), np.array([0.3, 0.4, 0.9])],
             binomial([5.0, 6.0, 8.0]), binomial([5.0, 4.0, 8.0]))


def test_binomial_kl_with_more_trials_in_q_is_refused_as_torch():
    torch = pytest.importorskip("torch")
    with pytest.raises(NotImplementedError) as theirs:
        torch.distributions.kl_divergence(torch.distributions.Binomial(3, probs=torch.tensor(0.5)),
                                          torch.distributions.Binomial(4, probs=torch.tensor(0.5)))
    with pytest.raises(NotImplementedError) as ours:
        D.kl_divergence(D.Binomial(3, probs=symgrad.tensor(0.5)), D.Binomial(4, probs=symgrad.tensor(0.5)))
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("p, q", [(D.Poisson(2.0), D.Normal(0.0, 1.0)), (D.Dirichlet(symgrad.ones(3)),
                                                                          D.Bernoulli(0.3))])
def test_kl_of_two_other_exponential_families_says_what_torch_says(p, q):
    torch = pytest.importorskip("torch")
    tp, tq = (getattr(torch.distributions, type(d).__name__) for d in (p, q))
    targs = {"Poisson": (2.0,), "Normal": (0.0, 1.0), "Dirichlet": (torch.ones(3),), "Bernoulli": (0.3,)}
    with pytest.raises(NotImplementedError) as theirs:
        torch.distributions.kl_divergence(tp(*targs[tp.__name__]), tq(*targs[tq.__name__]))
    with pytest.raises(NotImplementedError) as ours:
        D.kl_divergence(p, q)
    torch_words = " ".join(str(theirs.value).split())
    assert str(ours.value).startswith(torch_words)
    assert f"@register_kl({type(p).__name__}, {type(q).__name__})" in str(ours.value)


def test_kl_of_a_pair_torch_lacks_names_the_fix():
    with pytest.raises(NotImplementedError, match=r"No KL\(p \|\| q\) is implemented for p type Geometric and q "
                                                  r"type Laplace: register one with @register_kl\(Geometric, "
                                                  r"Laplace\)"):
        D.kl_divergence(D.Geometric(0.3), D.Laplace(0.0, 1.0))


def test_infinite_kl_is_a_constant_of_ps_batch_shape():
    kl = D.kl_divergence(D.Normal(symgrad.zeros(2, 3, requires_grad=True), 1.0), D.Exponential(symgrad.ones(3)))
    assert kl.shape == (2, 3) and np.isinf(kl.numpy()).all() and not kl.requires_grad


def test_exponential_kl_is_the_textbook_formula():
    import sympy

    a, b = (symgrad.tensor(v, requires_grad=True) for v in (2.0, 3.0))
    kl = D.kl_divergence(D.Exponential(a), D.Exponential(b))
    x, y = (sympy.Symbol(str(t.expr), positive=True) for t in (a, b))
    expr = kl.expr.xreplace({a.expr: x, b.expr: y})
    assert sympy.simplify(sympy.expand_log(expr - (sympy.log(x / y) + y / x - 1), force=True)) == 0


CLOSED_FORMS = {
    "Exponential||Gamma": lambda a, b, c, d: D.kl_divergence(D.Exponential(a), D.Gamma(c, d)),
    "Normal||Laplace": lambda a, b, c, d: D.kl_divergence(D.Normal(a, b), D.Laplace(c, d)),
    "Laplace||Normal": lambda a, b, c, d: D.kl_divergence(D.Laplace(a, b), D.Normal(c, d)),
    "Uniform||Normal": lambda a, b, c, d: D.kl_divergence(D.Uniform(a, c), D.Normal(b, d)),
    "Beta||Normal": lambda a, b, c, d: D.kl_divergence(D.Beta(a, b), D.Normal(c, d)),
    "Gamma||Normal": lambda a, b, c, d: D.kl_divergence(D.Gamma(a, b), D.Normal(c, d)),
    "Exponential||Normal": lambda a, b, c, d: D.kl_divergence(D.Exponential(a), D.Normal(c, d)),
    "Laplace||Laplace": lambda a, b, c, d: D.kl_divergence(D.Laplace(a, b), D.Laplace(c, d)),
    "Beta||Beta": lambda a, b, c, d: D.kl_divergence(D.Beta(a, b), D.Beta(c, d)),
    "Laplace.icdf": lambda a, b, c, d: D.Laplace(a, b).icdf(c / 4),
}


@pytest.mark.parametrize("name", list(CLOSED_FORMS))
def test_closed_forms_have_exact_numbers_and_sympys_gradient(name):
    """Constants print exactly (``EulerGamma``, ``pi``, ``1/2``), the closed form
    evaluates to the value, and each gradient is ``sympy.diff`` of it."""
    import sympy

    a, b, c, d = leaves = [symgrad.tensor(v, requires_grad=True) for v in (0.3, 0.5, 1.2, 2.0)]
    out = CLOSED_FORMS[name](a, b, c, d)
    assert not out.expr.atoms(sympy.Float), out.expr
    values = {t.expr: t.item() for t in leaves}
    assert float(out.expr.evalf(subs=values)) == pytest.approx(out.item(), rel=1e-12)
    grads = symgrad.autograd.grad(out, leaves, allow_unused=True)
    for leaf, g in zip(leaves, grads):
        want = float(sympy.diff(out.expr, leaf.expr).evalf(subs=values))
        # (1e-7: symgrad's trigamma is PyTorch's series, not SymPy's exact polygamma(1, x))
        assert want == pytest.approx(0.0 if g is None else g.item(), rel=1e-7, abs=1e-12)


def test_laplace_icdf_values_and_gradients_match_torch():
    torch = pytest.importorskip("torch")
    loc, scale, u = RNG.normal(size=3), RNG.uniform(0.5, 2, 3), np.array([0.05, 0.5, 0.93])
    ours = [symgrad.tensor(v, requires_grad=True) for v in (loc, scale, u)]
    theirs = [torch.tensor(v, requires_grad=True) for v in (loc, scale, u)]
    x = D.Laplace(ours[0], ours[1]).icdf(ours[2])
    tx = torch.distributions.Laplace(theirs[0], theirs[1]).icdf(theirs[2])
    np.testing.assert_allclose(x.detach().numpy(), tx.detach().numpy(), rtol=1e-12)
    x.sum().backward()
    tx.sum().backward()
    for p, tp in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-10)
    back = D.Laplace(ours[0], ours[1]).cdf(x.detach())
    np.testing.assert_allclose(back.detach().numpy(), u, rtol=1e-12)
