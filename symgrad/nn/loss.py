"""Loss modules: ``MSELoss``, ``L1Loss``, ``SmoothL1Loss``, ``HuberLoss``, ``BCELoss``,
``BCEWithLogitsLoss``, ``CrossEntropyLoss``, ``NLLLoss``, ``KLDivLoss``, ``PoissonNLLLoss``,
``GaussianNLLLoss``, ``SoftMarginLoss``, ``MultiLabelSoftMarginLoss``, ``HingeEmbeddingLoss``,
``MarginRankingLoss``, ``CosineEmbeddingLoss``, ``TripletMarginLoss``, ``MultiMarginLoss``
(thin modules over ``nn.functional``)."""

from __future__ import annotations

from typing import Any

from symgrad._tensor import Tensor
from symgrad.nn import functional as F  # noqa: N812 - PyTorch's convention
from symgrad.nn._checks import check_reduction, no_legacy
from symgrad.nn.module import Module

__all__ = ["MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss",
           "NLLLoss", "KLDivLoss", "PoissonNLLLoss", "GaussianNLLLoss", "SoftMarginLoss", "MultiLabelSoftMarginLoss",
           "HingeEmbeddingLoss", "MarginRankingLoss", "CosineEmbeddingLoss", "TripletMarginLoss", "MultiMarginLoss"]


class _Loss(Module):
    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__()
        no_legacy(size_average, reduce, type(self).__name__)
        self.reduction = check_reduction(reduction)


class _WeightedLoss(_Loss):
    def __init__(self, weight: Tensor | None = None, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class MSELoss(_Loss):
    """Mean squared error ``mean((input - target)**2)`` (``reduction="sum"``/``"none"`` too).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.MSELoss()(symgrad.tensor([1., 2.]), symgrad.tensor([1., 4.]))
    tensor(2.)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error ``mean(|input - target|)``.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.L1Loss()(symgrad.tensor([1., 2.]), symgrad.tensor([1., 4.]))
    tensor(1.)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """``0.5*d**2/beta`` where ``|d| < beta``, else ``|d| - 0.5*beta`` (``d = input - target``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.SmoothL1Loss()(symgrad.tensor([0.5, 3.]), symgrad.tensor([0., 0.]))
    tensor(1.3125)
    """

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """``0.5*d**2`` where ``|d| < delta``, else ``delta*(|d| - 0.5*delta)`` (``d = input - target``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.HuberLoss(delta=2.)(symgrad.tensor([0.5, 3.]), symgrad.tensor([0., 0.]))
    tensor(2.0625)
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities ``-(t*log(p) + (1 - t)*log(1 - p))``.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.BCELoss()(symgrad.tensor([0.5]), symgrad.tensor([1.]))
    tensor(0.6931)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of ``sigmoid(logits)``, computed stably.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.BCEWithLogitsLoss()(symgrad.tensor([0.]), symgrad.tensor([1.]))
    tensor(0.6931)
    """

    def __init__(self, weight: Tensor | None = None, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean", pos_weight: Tensor | None = None) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, self.weight, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy of logits against class indices or class probabilities.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.CrossEntropyLoss()(symgrad.tensor([[0., 0.]]), symgrad.tensor([1]))
    tensor(0.6931)
    """

    def __init__(self, weight: Tensor | None = None, size_average: Any = None, ignore_index: int = -100,
                 reduce: Any = None, reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"label_smoothing must be between 0.0 and 1.0, got {label_smoothing}")
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of class indices under log-probabilities.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.NLLLoss()(symgrad.tensor([[-1., -2.]]), symgrad.tensor([1]))
    tensor(2.)
    """

    def __init__(self, weight: Tensor | None = None, size_average: Any = None, ignore_index: int = -100,
                 reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


# ---------------------------------------------------------------- more losses

class KLDivLoss(_Loss):
    """Kullback-Leibler divergence of the target from log-probabilities
    (``reduction="batchmean"`` for the KL divergence proper; ``log_target``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> p = symgrad.tensor([[0.5, 0.5]])
    >>> nn.KLDivLoss(reduction="batchmean")(p.log(), p)   # a distribution does not diverge from itself
    tensor(0.)
    """

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 log_target: bool = False) -> None:
        Module.__init__(self)
        no_legacy(size_average, reduce, "KLDivLoss")
        if reduction not in ("mean", "batchmean", "sum", "none"):
            raise ValueError(f"{reduction} is not a valid value for reduction; use 'batchmean', 'mean', 'sum' or "
                             "'none'")
        self.reduction = reduction
        self.log_target = log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class PoissonNLLLoss(_Loss):
    """Negative log-likelihood of a Poisson target (``log_input``, ``full``, ``eps``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.PoissonNLLLoss()(symgrad.tensor([0.]), symgrad.tensor([1.]))
    tensor(1.)
    """

    def __init__(self, log_input: bool = True, full: bool = False, size_average: Any = None, eps: float = 1e-8,
                 reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_input = log_input
        self.full = full
        self.eps = eps

    def forward(self, log_input: Tensor, target: Tensor) -> Tensor:
        return F.poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full, eps=self.eps,
                                  reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """Negative log-likelihood of the target under normal distributions (mean ``input``, variance ``var``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.GaussianNLLLoss()(symgrad.tensor([1.]), symgrad.tensor([1.]), symgrad.tensor([1.]))
    tensor(0.)
    """

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)
        self.full = full
        self.eps = eps

    def forward(self, input: Tensor, target: Tensor, var: Tensor | float) -> Tensor:
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps, reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """The two-class logistic loss ``log(1 + exp(-t*x))``, targets +-1.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.SoftMarginLoss()(symgrad.tensor([0.]), symgrad.tensor([1.]))
    tensor(0.6931)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """Binary cross-entropy of ``sigmoid(x)`` per label, averaged over the labels.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.MultiLabelSoftMarginLoss()(symgrad.tensor([[0., 0.]]), symgrad.tensor([[1., 0.]]))
    tensor(0.6931)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.multilabel_soft_margin_loss(input, target, weight=self.weight, reduction=self.reduction)


class _MarginLoss(_Loss):
    def __init__(self, margin: float = 0.0, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin


class HingeEmbeddingLoss(_MarginLoss):
    """``x`` where the target is 1, ``max(0, margin - x)`` where it is -1.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.HingeEmbeddingLoss()(symgrad.tensor([0.3, 0.4]), symgrad.tensor([1., -1.]))
    tensor(0.4500)
    """

    def __init__(self, margin: float = 1.0, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__(margin, size_average, reduce, reduction)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class MarginRankingLoss(_MarginLoss):
    """``max(0, -t*(x1 - x2) + margin)``.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.MarginRankingLoss(0.5)(symgrad.tensor([1.]), symgrad.tensor([1.]), symgrad.tensor([1.]))
    tensor(0.5000)
    """

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class CosineEmbeddingLoss(_MarginLoss):
    """``1 - cos(x1, x2)`` where the target is 1, ``max(0, cos(x1, x2) - margin)`` where it is -1.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.CosineEmbeddingLoss()(symgrad.tensor([[1., 0.]]), symgrad.tensor([[0., 1.]]), symgrad.tensor([1.]))
    tensor(1.)
    """

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """``max(0, d(a, p) - d(a, n) + margin)`` with ``d`` the ``p``-norm distance (``swap``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> a, p, n = symgrad.tensor([[0., 0.]]), symgrad.tensor([[0., 1.]]), symgrad.tensor([[0., 3.]])
    >>> nn.TripletMarginLoss(eps=0.)(a, p, n)
    tensor(0.)
    """

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6, swap: bool = False,
                 size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got {margin} instead")
        self.margin = margin
        self.p = p
        self.eps = eps
        self.swap = swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return F.triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p, eps=self.eps,
                                     swap=self.swap, reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """The multi-class hinge loss ``sum_j max(0, margin - x[y] + x[j])**p / C`` (``p`` 1 or 2, ``weight``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.MultiMarginLoss()(symgrad.tensor([[0.1, 0.2, 0.4, 0.8]]), symgrad.tensor([3]))
    tensor(0.3250)
    """

    def __init__(self, p: int = 1, margin: float = 1.0, weight: Tensor | None = None, size_average: Any = None,
                 reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError("only p == 1 and p == 2 supported")
        if weight is not None and weight.ndim != 1:
            raise ValueError(f"MultiMarginLoss: expected weight to be None or 1D tensor, got {weight.ndim}D instead")
        self.p = p
        self.margin = margin

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin, weight=self.weight,
                                   reduction=self.reduction)
