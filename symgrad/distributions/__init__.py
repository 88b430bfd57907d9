"""Probability distributions with PyTorch's names (``symgrad.distributions``,
as ``torch.distributions``): ``Normal``, ``Bernoulli``, ``Categorical``,
``Uniform``, ``Exponential``, ``Gamma``, ``Beta``, ``Laplace``,
``MultivariateNormal``, ``Dirichlet``, ``Poisson``, ``Binomial``,
``Geometric``, ``Independent`` and ``kl_divergence``.

Log-densities, entropies and KL divergences are compositions of symgrad ops,
so they have gradients of any order and closed forms in the parameters'
symbols; random numbers come from symgrad's generator (``symgrad.manual_seed``).

>>> import symgrad
>>> from symgrad.distributions import Normal
>>> mu = symgrad.tensor(0., requires_grad=True)
>>> sigma = symgrad.tensor(1., requires_grad=True)
>>> x = symgrad.tensor(0.5, requires_grad=True)
>>> Normal(mu, sigma).log_prob(x).expr
-log(sigma) - log(2*pi)/2 - (-mu + x)**2/(2*sigma**2)
"""

from symgrad.distributions import constraints, kl_families, kl_mixed  # noqa: F401  (kl_*: register their pairs)
from symgrad.distributions.bernoulli import Bernoulli
from symgrad.distributions.beta import Beta
from symgrad.distributions.binomial import Binomial
from symgrad.distributions.categorical import Categorical
from symgrad.distributions.dirichlet import Dirichlet
from symgrad.distributions.distribution import Distribution
from symgrad.distributions.exponential import Exponential
from symgrad.distributions.gamma import Gamma
from symgrad.distributions.geometric import Geometric
from symgrad.distributions.independent import Independent
from symgrad.distributions.kl import kl_divergence, register_kl
from symgrad.distributions.laplace import Laplace
from symgrad.distributions.multivariate_normal import MultivariateNormal
from symgrad.distributions.normal import Normal
from symgrad.distributions.poisson import Poisson
from symgrad.distributions.uniform import Uniform

__all__ = ["Distribution", "Normal", "Bernoulli", "Categorical", "Uniform", "Exponential", "Gamma", "Beta", "Laplace",
           "MultivariateNormal", "Dirichlet", "Poisson", "Binomial", "Geometric", "Independent", "kl_divergence",
           "register_kl", "constraints"]
