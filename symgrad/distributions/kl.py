"""``kl_divergence`` and ``register_kl`` (``torch.distributions.kl``), with the
KL divergences of Normal, Bernoulli, Categorical, MultivariateNormal, Dirichlet
and Independent pairs; ``kl_families`` and ``kl_mixed`` register the others."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import symgrad
from symgrad._tensor import Tensor
from symgrad.distributions.bernoulli import Bernoulli
from symgrad.distributions.beta import Beta
from symgrad.distributions.categorical import Categorical
from symgrad.distributions.dirichlet import Dirichlet
from symgrad.distributions.distribution import Distribution
from symgrad.distributions.exponential import Exponential
from symgrad.distributions.gamma import Gamma
from symgrad.distributions.independent import Independent
from symgrad.distributions.multivariate_normal import MultivariateNormal, batch_mahalanobis, half_log_det
from symgrad.distributions.normal import Normal
from symgrad.distributions.poisson import Poisson
from symgrad.distributions.utils import HALF, sum_rightmost

__all__ = ["kl_divergence", "register_kl"]

_KL: dict[tuple[type, type], Callable[[Any, Any], Tensor]] = {}


def register_kl(type_p: type, type_q: type) -> Callable[[Callable[[Any, Any], Tensor]], Callable[[Any, Any], Tensor]]:
    """Decorator registering ``fn(p, q)`` as KL(p || q) for instances of ``type_p`` and ``type_q``
    (and their subclasses, the most specific registration winning)."""
    if not (isinstance(type_p, type) and issubclass(type_p, Distribution)
            and isinstance(type_q, type) and issubclass(type_q, Distribution)):
        raise TypeError(f"Expected type_p and type_q to be subclasses of Distribution but got {type_p} and {type_q}")

    def decorator(fn: Callable[[Any, Any], Tensor]) -> Callable[[Any, Any], Tensor]:
        _KL[type_p, type_q] = fn
        return fn

    return decorator


def kl_divergence(p: Distribution, q: Distribution) -> Tensor:
    """KL(p || q), batched over the batch shape, differentiable in both distributions' parameters.

    >>> import symgrad
    >>> from symgrad.distributions import Normal, kl_divergence
    >>> kl_divergence(Normal(0., 1.), Normal(1., 2.))
    tensor(0.4431)
    """
    for cp in type(p).__mro__:
        for cq in type(q).__mro__:
            if (cp, cq) in _KL:
                return _KL[cp, cq](p, q)
    if type(p) is not type(q) and type(p) in _EXPONENTIAL_FAMILIES and type(q) in _EXPONENTIAL_FAMILIES:
        # (PyTorch's fallback for two exponential families, a Bregman divergence, refuses different families)
        raise NotImplementedError(f"The cross KL-divergence between different exponential families cannot be "
                                  f"computed using Bregman divergences: no KL(p || q) is implemented for p type "
                                  f"{type(p).__name__} and q type {type(q).__name__}; register one with "
                                  f"@register_kl({type(p).__name__}, {type(q).__name__})")
    raise NotImplementedError(f"No KL(p || q) is implemented for p type {type(p).__name__} and q type "
                              f"{type(q).__name__}: register one with @register_kl({type(p).__name__}, "
                              f"{type(q).__name__})")


# The families PyTorch derives from ExponentialFamily, whose KL falls back to a Bregman divergence there
_EXPONENTIAL_FAMILIES = {Bernoulli, Beta, Dirichlet, Exponential, Gamma, Normal, Poisson}


@register_kl(Normal, Normal)
def _kl_normal_normal(p: Normal, q: Normal) -> Tensor:
    var_ratio = (p.scale / q.scale).pow(2)
    t1 = ((p.loc - q.loc) / q.scale).pow(2)
    return HALF * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p: Bernoulli, q: Bernoulli) -> Tensor:
    inf = float("inf")
    t1 = p.probs * ((-q.logits).softplus() - (-p.logits).softplus())
    t1 = symgrad.where(p.probs == 0, 0.0, symgrad.where(q.probs == 0, inf, t1))
    t2 = (1 - p.probs) * (q.logits.softplus() - p.logits.softplus())
    t2 = symgrad.where(p.probs == 1, 0.0, symgrad.where(q.probs == 1, inf, t2))
    return t1 + t2


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p: Categorical, q: Categorical) -> Tensor:
    t = p.probs * (p.logits - q.logits)
    t = symgrad.where(p.probs == 0, 0.0, symgrad.where(q.probs == 0, float("inf"), t))
    return t.sum(-1)


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_mvn_mvn(p: MultivariateNormal, q: MultivariateNormal) -> Tensor:
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two Multivariate Normals with different event shapes cannot be "
                         "computed")
    lp, lq = p._unbroadcasted_scale_tril, q._unbroadcasted_scale_tril
    n = p.event_shape[0]
    batch = symgrad.broadcast_shapes(lq.shape[:-2], lp.shape[:-2])
    solved = symgrad.linalg.solve_triangular(lq.expand(batch + (n, n)), lp.expand(batch + (n, n)), upper=False)
    term2 = solved.pow(2).sum((-2, -1))
    term3 = batch_mahalanobis(lq, q.loc - p.loc)
    return half_log_det(lq) - half_log_det(lp) + HALF * (term2 + term3 - n)


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(p: Dirichlet, q: Dirichlet) -> Tensor:
    a, b = p.concentration, q.concentration
    total_a, total_b = a.sum(-1), b.sum(-1)
    return (total_a.lgamma() - total_b.lgamma() - (a.lgamma() - b.lgamma()).sum(-1)
            + ((a - b) * (a.digamma() - total_a.digamma().unsqueeze(-1))).sum(-1))


@register_kl(Independent, Independent)
def _kl_independent_independent(p: Independent, q: Independent) -> Tensor:
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError(f"KL between Independent distributions with different "
                                  f"reinterpreted_batch_ndims ({p.reinterpreted_batch_ndims} and "
                                  f"{q.reinterpreted_batch_ndims}) is not implemented: reinterpret as many "
                                  f"dimensions in both")
    return sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)
