"""KL divergences between two distributions of the same family (Beta, Binomial,
Exponential, Gamma, Geometric, Laplace, Poisson, Uniform), PyTorch's formulas
(``torch.distributions.kl``) written in symgrad ops: differentiable to any
order, with closed forms in the parameters' symbols.

Where PyTorch writes ``result[mask] = inf`` (KL infinite because p's support
leaves q's), ``symgrad.where`` keeps the formula and shows the case in the
closed form as a ``Piecewise``.

>>> import symgrad
>>> from symgrad.distributions import Exponential, kl_divergence
>>> a, b = symgrad.tensor(2., requires_grad=True), symgrad.tensor(3., requires_grad=True)
>>> kl = kl_divergence(Exponential(a), Exponential(b))
>>> kl
tensor(0.0945, grad_fn=<SubBackward0>)
>>> kl.expr
-log(b/a) - 1 + b/a
"""

from __future__ import annotations

import numpy as np

import symgrad
from symgrad._tensor import Tensor
from symgrad.distributions.beta import Beta
from symgrad.distributions.binomial import Binomial
from symgrad.distributions.exponential import Exponential
from symgrad.distributions.gamma import Gamma
from symgrad.distributions.geometric import Geometric
from symgrad.distributions.kl import register_kl
from symgrad.distributions.laplace import Laplace
from symgrad.distributions.poisson import Poisson
from symgrad.distributions.uniform import Uniform

INF = float("inf")


@register_kl(Beta, Beta)
def _kl_beta_beta(p: Beta, q: Beta) -> Tensor:
    sum_p = p.concentration1 + p.concentration0
    sum_q = q.concentration1 + q.concentration0
    t1 = q.concentration1.lgamma() + q.concentration0.lgamma() + sum_p.lgamma()
    t2 = p.concentration1.lgamma() + p.concentration0.lgamma() + sum_q.lgamma()
    t3 = (p.concentration1 - q.concentration1) * p.concentration1.digamma()
    t4 = (p.concentration0 - q.concentration0) * p.concentration0.digamma()
    t5 = (sum_q - sum_p) * sum_p.digamma()
    return t1 - t2 + t3 + t4 + t5


@register_kl(Binomial, Binomial)
def _kl_binomial_binomial(p: Binomial, q: Binomial) -> Tensor:
    # (more trials in q than in p: q gives mass to counts p never reaches, a sum PyTorch leaves out)
    if np.any(p.total_count.detach().numpy() < q.total_count.detach().numpy()):
        raise NotImplementedError("KL between Binomials where q.total_count > p.total_count is not implemented")
    kl = p.total_count * (p.probs * (p.logits - q.logits) + (-p.probs).log1p() - (-q.probs).log1p())
    return symgrad.where(p.total_count > q.total_count, INF, kl)


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(p: Exponential, q: Exponential) -> Tensor:
    rate_ratio = q.rate / p.rate
    return -rate_ratio.log() + rate_ratio - 1


@register_kl(Gamma, Gamma)
def _kl_gamma_gamma(p: Gamma, q: Gamma) -> Tensor:
    t1 = q.concentration * (p.rate / q.rate).log()
    t2 = q.concentration.lgamma() - p.concentration.lgamma()
    t3 = (p.concentration - q.concentration) * p.concentration.digamma()
    t4 = (q.rate - p.rate) * (p.concentration / p.rate)
    return t1 + t2 + t3 + t4


@register_kl(Geometric, Geometric)
def _kl_geometric_geometric(p: Geometric, q: Geometric) -> Tensor:
    return -p.entropy() - (-q.probs).log1p() / p.probs - q.logits


@register_kl(Laplace, Laplace)
def _kl_laplace_laplace(p: Laplace, q: Laplace) -> Tensor:
    scale_ratio = p.scale / q.scale
    loc_abs_diff = (p.loc - q.loc).abs()
    t1 = -scale_ratio.log()
    t2 = loc_abs_diff / q.scale
    t3 = scale_ratio * (-loc_abs_diff / p.scale).exp()
    return t1 + t2 + t3 - 1


@register_kl(Poisson, Poisson)
def _kl_poisson_poisson(p: Poisson, q: Poisson) -> Tensor:
    return p.rate * (p.rate.log() - q.rate.log()) - (p.rate - q.rate)


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p: Uniform, q: Uniform) -> Tensor:
    result = ((q.high - q.low) / (p.high - p.low)).log()
    return symgrad.where((q.low > p.low) | (q.high < p.high), INF, result)
