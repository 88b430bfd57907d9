"""KL divergences between distributions of different families, the pairs PyTorch
registers (``torch.distributions.kl``) among symgrad's families, with PyTorch's
formulas in symgrad ops.

KL(p || q) is infinite where p puts mass outside q's support (a Normal against
an Exponential, a Uniform reaching below 0 against a Gamma): a tensor of
``inf`` of p's batch shape, as PyTorch's, or ``symgrad.where`` where it
depends on the parameters.

>>> import symgrad
>>> from symgrad.distributions import Exponential, Normal, kl_divergence
>>> kl_divergence(Exponential(2.), Normal(0., 1.))
tensor(0.8621)
>>> kl_divergence(Normal(0., 1.), Exponential(2.))
tensor(inf)
"""

from __future__ import annotations

import math
from typing import Any

import symgrad
from symgrad._tensor import Tensor
from symgrad.distributions.bernoulli import Bernoulli
from symgrad.distributions.beta import Beta
from symgrad.distributions.binomial import Binomial
from symgrad.distributions.exponential import Exponential
from symgrad.distributions.gamma import Gamma
from symgrad.distributions.kl import register_kl
from symgrad.distributions.laplace import Laplace
from symgrad.distributions.normal import Normal
from symgrad.distributions.poisson import Poisson
from symgrad.distributions.uniform import Uniform
from symgrad.distributions.utils import HALF, MINUS_HALF
from symgrad.ops._sympy import Exact, sp

INF = float("inf")
PI = Exact(math.pi, lambda: sp.pi)
TWO_PI = Exact(2 * math.pi, lambda: 2 * sp.pi)
SQRT_2PI = Exact(math.sqrt(2 * math.pi), lambda: sp.sqrt(2 * sp.pi))
EULER_GAMMA = Exact(0.57721566490153286060, lambda: sp.EulerGamma)
ONE_PLUS_EULER_GAMMA = Exact(1 + 0.57721566490153286060, lambda: 1 + sp.EulerGamma)
SQRT_2_OVER_PI = Exact(math.sqrt(2 / math.pi), lambda: sp.sqrt(2 / sp.pi))
SQRT_HALF = Exact(math.sqrt(0.5), lambda: 1 / sp.sqrt(2))
HALF_LOG_HALF_PI_E = Exact(0.5 * (1 + math.log(0.5 * math.pi)), lambda: (1 + sp.log(sp.pi / 2)) / 2)


def _infinite_like(t: Tensor) -> Tensor:
    return symgrad.full_like(t, INF)


def _x_log_x(t: Tensor) -> Tensor:
    return symgrad.xlogy(t, t)  # (0 at 0)


# p's support is not inside q's: KL is infinite whatever the parameters
@register_kl(Exponential, Beta)
@register_kl(Exponential, Uniform)
def _kl_exponential_infinity(p: Exponential, q: Any) -> Tensor:
    return _infinite_like(p.rate)


@register_kl(Gamma, Beta)
@register_kl(Gamma, Uniform)
def _kl_gamma_infinity(p: Gamma, q: Any) -> Tensor:
    return _infinite_like(p.concentration)


@register_kl(Laplace, Beta)
@register_kl(Laplace, Exponential)
@register_kl(Laplace, Gamma)
@register_kl(Laplace, Uniform)
@register_kl(Normal, Beta)
@register_kl(Normal, Exponential)
@register_kl(Normal, Gamma)
@register_kl(Normal, Uniform)
def _kl_real_line_infinity(p: Any, q: Any) -> Tensor:
    return _infinite_like(p.loc)


@register_kl(Poisson, Bernoulli)
@register_kl(Poisson, Binomial)
def _kl_poisson_infinity(p: Poisson, q: Any) -> Tensor:
    return _infinite_like(p.rate)


@register_kl(Bernoulli, Poisson)
def _kl_bernoulli_poisson(p: Bernoulli, q: Poisson) -> Tensor:
    return -p.entropy() - (p.probs * q.rate.log() - q.rate)


@register_kl(Beta, Exponential)
def _kl_beta_exponential(p: Beta, q: Exponential) -> Tensor:
    return -p.entropy() - q.rate.log() + q.rate * (p.concentration1 / (p.concentration1 + p.concentration0))


@register_kl(Beta, Gamma)
def _kl_beta_gamma(p: Beta, q: Gamma) -> Tensor:
    total = p.concentration1 + p.concentration0
    t2 = q.concentration.lgamma() - q.concentration * q.rate.log()
    t3 = (q.concentration - 1) * (p.concentration1.digamma() - total.digamma())
    t4 = q.rate * p.concentration1 / total
    return -p.entropy() + t2 - t3 + t4


@register_kl(Beta, Normal)
def _kl_beta_normal(p: Beta, q: Normal) -> Tensor:
    total = p.concentration1 + p.concentration0
    e_beta = p.concentration1 / total
    var_normal = q.scale.pow(2)
    t2 = HALF * (var_normal * TWO_PI).log()
    t3 = (e_beta * (1 - e_beta) / (total + 1) + e_beta.pow(2)) * HALF
    t4 = q.loc * e_beta
    t5 = q.loc.pow(2) * HALF
    return -p.entropy() + t2 + (t3 - t4 + t5) / var_normal


@register_kl(Beta, Uniform)
def _kl_beta_uniform(p: Beta, q: Uniform) -> Tensor:
    result = -p.entropy() + (q.high - q.low).log()
    return symgrad.where((q.low > 0) | (q.high < 1), INF, result)  # (Beta's support is [0, 1])


@register_kl(Exponential, Gamma)
def _kl_exponential_gamma(p: Exponential, q: Gamma) -> Tensor:
    ratio = q.rate / p.rate
    t1 = -q.concentration * ratio.log()
    return t1 + ratio + q.concentration.lgamma() + q.concentration * EULER_GAMMA - ONE_PLUS_EULER_GAMMA


@register_kl(Exponential, Normal)
def _kl_exponential_normal(p: Exponential, q: Normal) -> Tensor:
    var_normal = q.scale.pow(2)
    rate_sqr = p.rate.pow(2)
    t1 = HALF * (rate_sqr * var_normal * TWO_PI).log()
    t2 = rate_sqr.reciprocal()
    t3 = q.loc / p.rate
    t4 = q.loc.pow(2) * HALF
    return t1 - 1 + (t2 - t3 + t4) / var_normal


@register_kl(Gamma, Exponential)
def _kl_gamma_exponential(p: Gamma, q: Exponential) -> Tensor:
    return -p.entropy() - q.rate.log() + q.rate * p.concentration / p.rate


@register_kl(Gamma, Normal)
def _kl_gamma_normal(p: Gamma, q: Normal) -> Tensor:
    a = p.concentration
    var_normal = q.scale.pow(2)
    beta_sqr = p.rate.pow(2)
    t1 = HALF * (beta_sqr * var_normal * TWO_PI).log() - a - a.lgamma()
    t2 = HALF * (a.pow(2) + a) / beta_sqr
    t3 = q.loc * a / p.rate
    t4 = HALF * q.loc.pow(2)
    return t1 + (a - 1) * a.digamma() + (t2 - t3 + t4) / var_normal


@register_kl(Laplace, Normal)
def _kl_laplace_normal(p: Laplace, q: Normal) -> Tensor:
    var_normal = q.scale.pow(2)
    scale_sqr_var_ratio = p.scale.pow(2) / var_normal
    t1 = HALF * (2 * scale_sqr_var_ratio / PI).log()
    t2 = HALF * p.loc.pow(2)
    t3 = p.loc * q.loc
    t4 = HALF * q.loc.pow(2)
    return -t1 + scale_sqr_var_ratio + (t2 - t3 + t4) / var_normal - 1


@register_kl(Normal, Laplace)
def _kl_normal_laplace(p: Normal, q: Laplace) -> Tensor:
    loc_diff = p.loc - q.loc
    scale_ratio = p.scale / q.scale
    loc_diff_scale_ratio = loc_diff / p.scale
    t1 = scale_ratio.log()
    t2 = SQRT_2_OVER_PI * p.scale * (MINUS_HALF * loc_diff_scale_ratio.pow(2)).exp()
    t3 = loc_diff * (SQRT_HALF * loc_diff_scale_ratio).erf()
    return -t1 + (t2 + t3) / q.scale - HALF_LOG_HALF_PI_E


@register_kl(Uniform, Beta)
def _kl_uniform_beta(p: Uniform, q: Beta) -> Tensor:
    width = p.high - p.low
    t1 = width.log()
    t2 = (q.concentration1 - 1) * (_x_log_x(p.high) - _x_log_x(p.low) - width) / width
    t3 = (q.concentration0 - 1) * (_x_log_x(1 - p.high) - _x_log_x(1 - p.low) + width) / width
    t4 = q.concentration1.lgamma() + q.concentration0.lgamma() - (q.concentration1 + q.concentration0).lgamma()
    result = t3 + t4 - t1 - t2
    return symgrad.where((p.high > 1) | (p.low < 0), INF, result)


@register_kl(Uniform, Exponential)
def _kl_uniform_exponential(p: Uniform, q: Exponential) -> Tensor:
    result = q.rate * (p.high + p.low) / 2 - ((p.high - p.low) * q.rate).log()
    return symgrad.where(p.low < 0, INF, result)


@register_kl(Uniform, Gamma)
def _kl_uniform_gamma(p: Uniform, q: Gamma) -> Tensor:
    width = p.high - p.low
    t1 = width.log()
    t2 = q.concentration.lgamma() - q.concentration * q.rate.log()
    t3 = (1 - q.concentration) * (_x_log_x(p.high) - _x_log_x(p.low) - width) / width
    t4 = q.rate * (p.high + p.low) / 2
    result = -t1 + t2 + t3 + t4
    return symgrad.where(p.low < 0, INF, result)


@register_kl(Uniform, Normal)
def _kl_uniform_normal(p: Uniform, q: Normal) -> Tensor:
    width = p.high - p.low
    t1 = (SQRT_2PI * q.scale / width).log()
    t2 = width.pow(2) / 12
    t3 = ((p.high + p.low - 2 * q.loc) / 2).pow(2)
    return t1 + HALF * (t2 + t3) / q.scale.pow(2)
