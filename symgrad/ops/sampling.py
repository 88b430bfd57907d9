"""Drawing at random: ``multinomial`` (indices), ``bernoulli`` and ``poisson``
(draws shaped like their input).

The result is int64 positions drawn at random from the input's numbers: it
is outside the graph (PyTorch's has no gradient either), and marked as
chosen by values when the input is symbolic (``positions.picked``), so
generated code refuses to reuse the draw.  Numbers come from symgrad's
generator (``symgrad.manual_seed``) or the NumPy ``generator`` given, as
``nn.init`` draws them: the same seed gives other draws than PyTorch's, from
the same distribution.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad._tensor import Tensor
from symgrad.ops._util import SCALAR_TYPES  # PyTorch's names of the dtypes, for its messages
from symgrad.ops.positions import picked
from symgrad.ops.registry import composed

__all__ = ["multinomial", "bernoulli", "poisson"]

_MAX_CATEGORIES = 2 ** 24  # PyTorch's limit (its float index kernels count categories exactly up to 2^24)


def multinomial(input: Any, num_samples: int, replacement: bool = False, *, generator: Any = None) -> Tensor:
    """``num_samples`` category indices per row of ``input`` (1-d, or 2-d with
    one distribution per row), drawn with probabilities proportional to the
    row's non-negative weights; without ``replacement`` an index is drawn at
    most once per row (earlier draws first, as PyTorch orders them).

    >>> import symgrad
    >>> _ = symgrad.manual_seed(0)
    >>> symgrad.multinomial(symgrad.tensor([0., 10., 3., 0.]), 2)
    tensor([2, 1])
    >>> symgrad.multinomial(symgrad.tensor([[0., 1.], [1., 0.]]), 3, replacement=True)
    tensor([[1, 1, 1],
            [0, 0, 0]])
    """
    p = _probabilities(input, num_samples, replacement)
    rng = _generator(generator)
    rows = p.reshape(p.shape[0] if p.ndim == 2 else 1, p.shape[-1]).astype(np.float64)
    if not replacement or num_samples == 1:
        drawn = _without_replacement(rows, num_samples, rng)
    else:
        drawn = _with_replacement(rows, num_samples, rng)
    return Tensor._make(picked(drawn.reshape(p.shape[:-1] + (num_samples,)), input))


def _probabilities(input: Any, num_samples: Any, replacement: bool) -> np.ndarray:
    """``input``'s numbers after PyTorch's checks, in its order."""
    if not isinstance(input, Tensor):
        raise TypeError(f"multinomial(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)):
        raise TypeError(f"multinomial(): argument 'num_samples' (position 2) must be int, not "
                        f"{type(num_samples).__name__}")
    p = input._value
    if p.ndim not in (1, 2):
        raise RuntimeError(f"prob_dist must be 1 or 2 dim (got {p.ndim}-d input: one distribution, or one per row)")
    if p.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: {SCALAR_TYPES[p.dtype.name]}; "
                           "convert the weights with .double()")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > p.shape[-1]:
        raise RuntimeError(f"cannot sample n_sample > prob_dist.size(-1) samples without replacement "
                           f"({num_samples} > {p.shape[-1]}); pass replacement=True or draw fewer")
    if p.shape[-1] > _MAX_CATEGORIES:
        raise RuntimeError("number of categories cannot exceed 2^24")
    _check_weights(p, fast_path=not replacement or num_samples == 1)
    return p


def _check_weights(p: np.ndarray, fast_path: bool) -> None:
    # (PyTorch's two kernels word the same problems differently; both wordings kept)
    if p.ndim == 2 and not p.shape[0]:
        return  # no distribution to check (PyTorch draws nothing too)
    if fast_path and not (np.isfinite(p).all() and (p >= 0).all()):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if not fast_path and not (p >= 0).all():
        raise RuntimeError("invalid multinomial distribution (encountering probability entry < 0)")
    if not fast_path and not np.isfinite(p).all():
        raise RuntimeError("invalid multinomial distribution (encountering probability entry = infinity or NaN)")
    if (p.sum(axis=-1) <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")


def _generator(generator: Any, caller: str = "multinomial") -> np.random.Generator:
    if generator is None:
        from symgrad.creation import generator as default_generator

        return default_generator()
    if not isinstance(generator, np.random.Generator):
        raise TypeError(f"{caller}(): argument 'generator' must be a numpy.random.Generator (symgrad's "
                        f"generators are NumPy's: numpy.random.default_rng(seed)), not {type(generator).__name__}")
    return generator


def _without_replacement(rows: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """PyTorch's draw: the ``n`` largest ``p / q`` with ``q ~ Exp(1)``, which is
    drawing one index at a time with probabilities proportional to the
    weights left (zero weights come last, in index order)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        keys = rows / rng.exponential(size=rows.shape)
    return np.argsort(-keys, axis=1, kind="stable")[:, :n].astype(np.int64)


def _with_replacement(rows: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Inverse-CDF sampling per row; a uniform at the very top of a row's CDF
    is given to its last category of nonzero weight, never to a zero one."""
    cdf = np.cumsum(rows, axis=1)
    u = rng.random((rows.shape[0], n)) * cdf[:, -1:]
    drawn = np.stack([np.searchsorted(c, v, side="right") for c, v in zip(cdf, u)]) if len(rows) else \
        np.zeros((0, n), dtype=np.int64)
    last = rows.shape[1] - 1 - np.argmax(rows[:, ::-1] > 0, axis=1)
    return np.minimum(drawn, last[:, None]).astype(np.int64)



# ---------------------------------------------------------------- bernoulli, poisson

def _draws_in_graph(draws: np.ndarray, like: Tensor) -> Tensor:
    """Draws made from ``like``'s numbers, as PyTorch returns them: in the graph
    with gradient 0 when ``like`` requires grad (its ``BernoulliBackward0`` and
    ``PoissonBackward0`` give zeros), and marked as chosen by values when
    ``like`` is symbolic (generated code must not reuse one draw)."""
    values = Tensor._make(picked(draws, like))
    if not like.requires_grad:
        return values
    out = like.clone()
    return out.copy_(values)  # (overwritten: the gradient through it is 0)


def _floating_draws(name: str, input: Any, kernel: str) -> np.ndarray:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    v = input._value
    if v.dtype.kind != "f":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{SCALAR_TYPES[v.dtype.name]}'; {name} draws "
                                  "from floating-point parameters (convert with .double())")
    return v


def bernoulli(input: Any, p: Any = None, *, generator: Any = None) -> Tensor:
    """1 with probability ``input`` (or ``p``, a number, for every element),
    else 0, in ``input``'s dtype.  Numbers come from symgrad's generator
    (``symgrad.manual_seed``) or the NumPy ``generator`` given; the gradient is
    0, as PyTorch's.

    >>> import symgrad
    >>> _ = symgrad.manual_seed(0)
    >>> symgrad.bernoulli(symgrad.tensor([0., 1., 0.5, 0.5]))
    tensor([0., 1., 1., 1.])
    """
    rng = _generator(generator, "bernoulli")
    if p is not None:
        x = input if isinstance(input, Tensor) else Tensor._make(np.asarray(input))
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
        return Tensor._make((rng.random(x._value.shape) < p).astype(x._value.dtype))
    v = _floating_draws("bernoulli", input, "bernoulli_tensor_cpu_p_")
    if not ((v >= 0) & (v <= 1)).all():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be "
                           "improved?  If so, please report an enhancement request to PyTorch.)")
    return composed(_draws_in_graph((rng.random(v.shape) < v).astype(v.dtype), input), "BernoulliBackward0", input)


def poisson(input: Any, generator: Any = None) -> Tensor:
    """A Poisson draw for each rate of ``input`` (non-negative), in
    ``input``'s dtype; the gradient is 0, as PyTorch's.

    >>> import symgrad
    >>> _ = symgrad.manual_seed(0)
    >>> symgrad.poisson(symgrad.tensor([0., 4.]))
    tensor([0., 2.])
    """
    v = _floating_draws("poisson", input, "poisson_cpu")
    rng = _generator(generator, "poisson")
    if not (v >= 0).all():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    return composed(_draws_in_graph(rng.poisson(v).astype(v.dtype), input), "PoissonBackward0", input)


def bernoulli_(self: Tensor, p: Any = 0.5, *, generator: Any = None) -> Tensor:
    """``Tensor.bernoulli_``: ``self`` overwritten with draws of probability
    ``p``, a number or a tensor broadcast to ``self``'s shape.

    >>> import symgrad
    >>> symgrad.ones(3).bernoulli_(symgrad.tensor([0., 1., 0.]))
    tensor([0., 1., 0.])
    """
    if isinstance(p, Tensor):
        probabilities = Tensor._make(np.broadcast_to(p._value, self._value.shape).astype(np.float64))
        drawn = bernoulli(probabilities, generator=generator)
    else:
        drawn = bernoulli(self.detach(), p, generator=generator)
    return self.copy_(drawn)
