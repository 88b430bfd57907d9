"""``grad_fn`` names as PyTorch 2.13 prints them (``grad_fn.name()``, its repr,
``grad_fn=<...>`` in a tensor's repr), for common expressions: one row per
expression, run through symgrad and, where installed, PyTorch.  Names that
depend on an op's arguments (``x[0]`` SelectBackward0, ``x.sum(0)``
SumBackward1) are worked out when asked, not when recorded."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import symgrad as sg

A = np.array([[0.1, 0.7, 0.3], [0.4, 0.2, 0.9], [0.6, 0.8, 0.5]])
B = A[::-1].copy() + 0.1


def _m(x: Any) -> Any:
    return sg if isinstance(x, sg.Tensor) else __import__("torch")


def _idx(x: Any) -> Any:
    return _m(x).tensor([0, 2])


def _f(x: Any) -> Any:
    return sg.nn.functional if isinstance(x, sg.Tensor) else __import__("torch").nn.functional


# (label, expression of x and y (3x3, requiring grad), PyTorch 2.13's name)
CASES: list[tuple[str, Any, str]] = [
    ("add", lambda x, y: x + y, "AddBackward0"),
    ("radd", lambda x, y: 2 + x, "AddBackward0"),
    ("sub", lambda x, y: x - y, "SubBackward0"),
    ("rsub", lambda x, y: 2 - x, "RsubBackward1"),
    ("rsub float", lambda x, y: 2.5 - x, "RsubBackward1"),
    ("sub 0-d tensor", lambda x, y: _m(x).tensor(2.) - x, "SubBackward0"),
    ("mul", lambda x, y: x * y, "MulBackward0"),
    ("div", lambda x, y: x / y, "DivBackward0"),
    ("pow number", lambda x, y: x ** 2, "PowBackward0"),
    ("pow tensor", lambda x, y: x ** y, "PowBackward1"),
    ("rpow", lambda x, y: 2 ** x, "PowBackward2"),
    ("pow(number, x)", lambda x, y: _m(x).pow(2, x), "PowBackward2"),
    ("neg", lambda x, y: -x, "NegBackward0"),
    ("exp", lambda x, y: x.exp(), "ExpBackward0"),
    ("log1p", lambda x, y: x.log1p(), "Log1PBackward0"),
    ("expm1", lambda x, y: x.expm1(), "Expm1Backward0"),
    ("sigmoid", lambda x, y: x.sigmoid(), "SigmoidBackward0"),
    ("relu", lambda x, y: x.relu(), "ReluBackward0"),
    ("sum", lambda x, y: x.sum(), "SumBackward0"),
    ("sum(dim)", lambda x, y: x.sum(0), "SumBackward1"),
    ("sum(dims, keepdim)", lambda x, y: x.sum((0, 1), keepdim=True), "SumBackward1"),
    ("mean", lambda x, y: x.mean(), "MeanBackward0"),
    ("mean(dim)", lambda x, y: x.mean(-1), "MeanBackward1"),
    ("prod", lambda x, y: x.prod(), "ProdBackward0"),
    ("prod(dim)", lambda x, y: x.prod(1), "ProdBackward1"),
    ("max()", lambda x, y: x.max(), "MaxBackward1"),
    ("max(dim)", lambda x, y: x.max(0).values, "MaxBackward0"),
    ("min()", lambda x, y: x.min(), "MinBackward1"),
    ("min(dim)", lambda x, y: x.min(1)[0], "MinBackward0"),
    ("amax", lambda x, y: x.amax(0), "AmaxBackward0"),
    ("maximum", lambda x, y: _m(x).maximum(x, y), "MaximumBackward0"),
    ("clamp", lambda x, y: x.clamp(0.1, 0.5), "ClampBackward1"),
    ("clamp(min=)", lambda x, y: x.clamp(min=0.1), "ClampBackward1"),
    ("clip", lambda x, y: x.clip(0, 1), "ClampBackward1"),
    ("clamp_min", lambda x, y: x.clamp_min(0.1), "ClampMinBackward0"),
    ("clamp_max", lambda x, y: x.clamp_max(0.1), "ClampMaxBackward0"),
    ("x[0]", lambda x, y: x[0], "SelectBackward0"),
    ("x[:, 1]", lambda x, y: x[:, 1], "SelectBackward0"),
    ("x[0, 1]", lambda x, y: x[0, 1], "SelectBackward0"),
    ("x[-1]", lambda x, y: x[-1], "SelectBackward0"),
    ("x[..., 0]", lambda x, y: x[..., 0], "SelectBackward0"),
    ("x[1:, 0]", lambda x, y: x[1:, 0], "SelectBackward0"),
    ("x[1:3]", lambda x, y: x[1:3], "SliceBackward0"),
    ("x[:]", lambda x, y: x[:], "SliceBackward0"),
    ("x[::2]", lambda x, y: x[::2], "SliceBackward0"),
    ("x[0, 1:]", lambda x, y: x[0, 1:], "SliceBackward0"),
    ("x[:, -2:]", lambda x, y: x[:, -2:], "SliceBackward0"),
    ("x[:, :]", lambda x, y: x[:, :], "AliasBackward0"),
    ("x[...]", lambda x, y: x[...], "AliasBackward0"),
    ("x[None]", lambda x, y: x[None], "UnsqueezeBackward0"),
    ("x[0, None]", lambda x, y: x[0, None], "UnsqueezeBackward0"),
    ("x[None, 0]", lambda x, y: x[None, 0], "SelectBackward0"),
    ("x[tensor]", lambda x, y: x[_idx(x)], "IndexBackward0"),
    ("x[[0, 2]]", lambda x, y: x[[0, 2]], "IndexBackward0"),
    ("x[0, tensor]", lambda x, y: x[0, _idx(x)], "IndexBackward0"),
    ("x[mask]", lambda x, y: x[x > 0.5], "IndexBackward0"),
    ("select", lambda x, y: x.select(1, 2), "SelectBackward0"),
    ("narrow", lambda x, y: x.narrow(0, 1, 2), "SliceBackward0"),
    ("narrow whole", lambda x, y: x.narrow(0, 0, 3), "SliceBackward0"),
    ("split", lambda x, y: x.split(2)[1], "SplitBackward0"),
    ("split sizes", lambda x, y: x.split([1, 2])[0], "SplitWithSizesBackward0"),
    ("chunk", lambda x, y: x.chunk(3)[1], "SplitBackward0"),
    ("unbind", lambda x, y: x.unbind(1)[0], "UnbindBackward0"),
    ("unsqueeze", lambda x, y: x.unsqueeze(0), "UnsqueezeBackward0"),
    ("squeeze()", lambda x, y: x[None].squeeze(), "SqueezeBackward0"),
    ("squeeze(dim)", lambda x, y: x[None].squeeze(0), "SqueezeBackward1"),
    ("squeeze(dims)", lambda x, y: x[None].squeeze((0, 1)), "SqueezeBackward2"),
    ("t", lambda x, y: x.t(), "TBackward0"),
    ("T", lambda x, y: x.T, "PermuteBackward0"),
    ("mT", lambda x, y: x.mT, "TransposeBackward0"),
    ("transpose", lambda x, y: x.transpose(0, 1), "TransposeBackward0"),
    ("swapaxes", lambda x, y: x.swapaxes(0, 1), "TransposeBackward0"),
    ("permute", lambda x, y: x.permute(1, 0), "PermuteBackward0"),
    ("movedim", lambda x, y: x.movedim(0, 1), "PermuteBackward0"),
    ("reshape", lambda x, y: x.reshape(-1), "ViewBackward0"),
    ("flatten", lambda x, y: x.flatten(), "ViewBackward0"),
    ("expand", lambda x, y: x[0:1].expand(3, 3), "ExpandBackward0"),
    ("matmul", lambda x, y: x @ y, "MmBackward0"),
    ("matrix @ vector", lambda x, y: x @ y[0], "MvBackward0"),
    ("mv", lambda x, y: x.mv(y[0]), "MvBackward0"),
    ("vector @ vector", lambda x, y: x[0] @ y[0], "DotBackward0"),
    ("dot", lambda x, y: x[0].dot(y[0]), "DotBackward0"),
    ("addmm", lambda x, y: _m(x).addmm(x, x, y), "AddmmBackward0"),
    ("linear", lambda x, y: _f(x).linear(x, y), "MmBackward0"),
    ("sort", lambda x, y: x.sort()[0], "SortBackward0"),
    ("sort(dim)", lambda x, y: x.sort(0).values, "SortBackward0"),
    ("msort", lambda x, y: x.msort(), "SortBackward0"),
    ("topk", lambda x, y: x.topk(2)[0], "TopkBackward0"),
    ("index_select", lambda x, y: x.index_select(0, _idx(x)), "IndexSelectBackward0"),
    ("gather", lambda x, y: x.gather(1, _m(x).tensor([[0], [2], [1]])), "GatherBackward0"),
    ("take_along_dim", lambda x, y: _m(x).take_along_dim(x, _m(x).tensor([[0], [2], [1]]), 1), "GatherBackward0"),
    ("masked_select", lambda x, y: x.masked_select(x > 0.5), "MaskedSelectBackward0"),
    ("cat", lambda x, y: _m(x).cat([x, y]), "CatBackward0"),
    ("stack", lambda x, y: _m(x).stack([x, y]), "StackBackward0"),
    ("where", lambda x, y: _m(x).where(x > 0.5, x, y), "WhereBackward0"),
    ("cumsum", lambda x, y: x.cumsum(0), "CumsumBackward0"),
    ("softmax", lambda x, y: x.softmax(0), "SoftmaxBackward0"),
    ("log_softmax", lambda x, y: x.log_softmax(0), "LogSoftmaxBackward0"),
    ("logsumexp", lambda x, y: x.logsumexp(0), "LogsumexpBackward0"),
    ("clone", lambda x, y: x.clone(), "CloneBackward0"),
    ("to float32", lambda x, y: x.to(_m(x).float32), "ToCopyBackward0"),
    ("flip", lambda x, y: x.flip(0), "FlipBackward0"),
    ("diagonal", lambda x, y: x.diagonal(), "DiagonalBackward0"),
    ("mse_loss", lambda x, y: _f(x).mse_loss(x, y), "MseLossBackward0"),
    # functions PyTorch records as one node and symgrad composes: the last node is named as PyTorch's
    ("rdiv", lambda x, y: 2 / x, "MulBackward0"),
    ("rdiv float", lambda x, y: 2.5 / x, "MulBackward0"),
    ("div(number, x)", lambda x, y: _m(x).div(2, x), "DivBackward0"),
    ("0-d tensor / x", lambda x, y: _m(x).tensor(2.) / x, "DivBackward0"),
    ("norm", lambda x, y: x.norm(), "LinalgVectorNormBackward0"),
    ("norm(1)", lambda x, y: x.norm(1), "LinalgVectorNormBackward0"),
    ("norm(dim)", lambda x, y: _m(x).norm(x, dim=0), "LinalgVectorNormBackward0"),
    ("dist", lambda x, y: x.dist(y), "DistBackward0"),
    ("dist(p=1)", lambda x, y: _m(x).dist(x, y, 1), "DistBackward0"),
    ("var", lambda x, y: x.var(), "VarBackward0"),
    ("var(dim, correction=0)", lambda x, y: x.var(0, correction=0), "VarBackward0"),
    ("std", lambda x, y: x.std(), "StdBackward0"),
    ("std(dim, keepdim)", lambda x, y: _m(x).std(x, 1, keepdim=True), "StdBackward0"),
    ("var_mean var", lambda x, y: _m(x).var_mean(x)[0], "VarMeanBackward0"),
    ("var_mean mean", lambda x, y: _m(x).var_mean(x, 1)[1], "VarMeanBackward0"),
    ("std_mean std", lambda x, y: _m(x).std_mean(x, 0)[0], "StdMeanBackward0"),
    ("lerp", lambda x, y: x.lerp(y, 0.3), "LerpBackward0"),
    ("lerp tensor weight", lambda x, y: x.lerp(y, y), "LerpBackward1"),
    ("addcmul", lambda x, y: _m(x).addcmul(x, x, y, value=2), "AddcmulBackward0"),
    ("addcdiv", lambda x, y: _m(x).addcdiv(x, x, y), "AddcdivBackward0"),
    ("clamp(tensor)", lambda x, y: x.clamp(y * 0, y), "ClampBackward0"),
    ("clamp(min=tensor)", lambda x, y: x.clamp(min=y * 0), "ClampBackward0"),
    ("clamp_min(tensor)", lambda x, y: x.clamp_min(y * 0), "ClampMinBackward1"),
    ("clamp_max(tensor)", lambda x, y: x.clamp_max(y), "ClampMaxBackward1"),
    ("masked_fill", lambda x, y: x.masked_fill(x > 0.3, 0.), "MaskedFillBackward0"),
    ("masked_fill tensor", lambda x, y: x.masked_fill(x > 0.3, _m(x).tensor(1.)), "MaskedFillBackward1"),
    ("tril", lambda x, y: x.tril(), "TrilBackward0"),
    ("triu", lambda x, y: _m(x).triu(x, -1), "TriuBackward0"),
    ("diag", lambda x, y: x.diag(), "DiagonalBackward0_copy"),
    ("diag of a vector", lambda x, y: x[0].diag(1), "DiagEmbedBackward0"),
    ("trace", lambda x, y: x.trace(), "TraceBackward0"),
    ("roll", lambda x, y: x.roll(1), "RollBackward0"),
    ("roll(dims)", lambda x, y: _m(x).roll(x, (1, 2), (0, 1)), "RollBackward0"),
    ("roll by a whole turn", lambda x, y: x.roll(3, 0), "RollBackward0"),
    ("repeat", lambda x, y: x.repeat(2, 1), "RepeatBackward0"),
    ("repeat ones", lambda x, y: x.repeat(1, 1), "RepeatBackward0"),
    ("cummax", lambda x, y: x.cummax(0)[0], "CummaxBackward0"),
    ("cummin", lambda x, y: x.cummin(1).values, "CumminBackward0"),
    ("median()", lambda x, y: x.median(), "MedianBackward0"),
    ("median(dim)", lambda x, y: x.median(0)[0], "MedianBackward1"),
    ("nanmedian(dim)", lambda x, y: x.nanmedian(1).values, "NanmedianBackward1"),
    ("kthvalue", lambda x, y: x.kthvalue(2, 0)[0], "KthvalueBackward0"),
    ("mode", lambda x, y: x.mode(0)[0], "ModeBackward0"),
    ("silu", lambda x, y: _f(x).silu(x), "SiluBackward0"),
    ("gelu", lambda x, y: _f(x).gelu(x), "GeluBackward0"),
    ("gelu tanh", lambda x, y: _f(x).gelu(x, approximate="tanh"), "GeluBackward0"),
    ("elu", lambda x, y: _f(x).elu(x, 0.5), "EluBackward0"),
    ("selu", lambda x, y: _f(x).selu(x), "EluBackward0"),
    ("celu", lambda x, y: _f(x).celu(x), "CeluBackward0"),
    ("leaky_relu", lambda x, y: _f(x).leaky_relu(x), "LeakyReluBackward0"),
    ("hardtanh", lambda x, y: _f(x).hardtanh(x), "HardtanhBackward0"),
    ("relu6", lambda x, y: _f(x).relu6(x), "HardtanhBackward0"),
    ("mish", lambda x, y: _f(x).mish(x), "MishBackward0"),
    ("logsigmoid", lambda x, y: _f(x).logsigmoid(x), "LogSigmoidBackward0"),
    ("hardswish", lambda x, y: _f(x).hardswish(x), "HardswishBackward0"),
    ("hardsigmoid", lambda x, y: _f(x).hardsigmoid(x), "HardsigmoidBackward0"),
    ("bce_with_logits", lambda x, y: _f(x).binary_cross_entropy_with_logits(x, y), "BinaryCrossEntropyWithLogitsBackward0"),
    ("bce_with_logits none", lambda x, y: _f(x).binary_cross_entropy_with_logits(x, y, reduction="none"),
     "BinaryCrossEntropyWithLogitsBackward0"),
    ("bce", lambda x, y: _f(x).binary_cross_entropy(x, y), "BinaryCrossEntropyBackward0"),
    ("bce sum", lambda x, y: _f(x).binary_cross_entropy(x, y, reduction="sum"), "BinaryCrossEntropyBackward0"),
    ("cross_entropy", lambda x, y: _f(x).cross_entropy(x, _m(x).tensor([0, 1, 2])), "NllLossBackward0"),
    ("cross_entropy none", lambda x, y: _f(x).cross_entropy(x, _m(x).tensor([0, 1, 2]), reduction="none"),
     "NllLossBackward0"),
    ("cross_entropy ignore_index", lambda x, y: _f(x).cross_entropy(x, _m(x).tensor([0, -100, 2])), "NllLossBackward0"),
    ("nll_loss weight", lambda x, y: _f(x).nll_loss(x, _m(x).tensor([0, 1, 2]), weight=y[0].detach()), "NllLossBackward0"),
    ("smooth_l1_loss", lambda x, y: _f(x).smooth_l1_loss(x, y, beta=0.5), "SmoothL1LossBackward0"),
    ("smooth_l1_loss beta=0", lambda x, y: _f(x).smooth_l1_loss(x, y, reduction="none", beta=0.), "AbsBackward0"),
    ("huber_loss", lambda x, y: _f(x).huber_loss(x, y, reduction="sum", delta=0.5), "HuberLossBackward0"),
    ("addmv", lambda x, y: _m(x).addmv(x[0], x, y[1], beta=0.5, alpha=2), "AddmvBackward0"),
    ("addr", lambda x, y: _m(x).addr(x, x[0], y[1]), "AddrBackward0"),
    ("addbmm", lambda x, y: _m(x).addbmm(x, _m(x).stack([x, y]), _m(x).stack([y, x])), "AddbmmBackward0"),
    ("baddbmm", lambda x, y: _m(x).baddbmm(x, _m(x).stack([x, y]), _m(x).stack([y, x])), "BaddbmmBackward0"),
    ("renorm", lambda x, y: x.renorm(2, 0, 0.5), "RenormBackward0"),
    ("bernoulli", lambda x, y: _m(x).bernoulli(x), "BernoulliBackward0"),
    ("poisson", lambda x, y: _m(x).poisson(x), "PoissonBackward0"),
]


def test_a_composed_name_changes_nothing_else() -> None:
    """Named as PyTorch's one node, a composition keeps its own ops, closed
    form and gradients (``2 / x`` is one ``div``, printed ``MulBackward0``)."""
    x = sg.tensor(A, requires_grad=True)
    y = 2 / x
    assert y.grad_fn.op.name == "div" and type(y.grad_fn).__name__ == "MulBackward0"
    assert str(y[0, 0].expr) == "2/x[0, 0]"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), -2 / A ** 2)
    v = sg.tensor(A, requires_grad=True)
    (g,) = sg.autograd.grad(v.var(), v, create_graph=True)  # (second derivatives run through the renamed node)
    (h,) = sg.autograd.grad(g[0, 0], v)
    assert h.numpy()[0, 0] == pytest.approx(2 / 8 * (1 - 1 / 9))
    assert v.std().grad_fn.op.name == "sqrt" and v.std().grad_fn.name() == "StdBackward0"


def test_a_function_that_gives_its_input_back_leaves_its_name() -> None:
    x = sg.tensor(A, requires_grad=True) * 1
    assert sg.nn.functional.hardtanh(x, -5.0, 5.0).grad_fn.name() == "HardtanhBackward0"
    y = sg.nn.functional.relu6(x, inplace=True)  # (in place: the input, whose node is not renamed as hardtanh's)
    assert y is x and x.grad_fn.name() != "HardtanhBackward0"


def _leaves(mod: Any) -> tuple[Any, Any]:
    return mod.tensor(A, requires_grad=True), mod.tensor(B, requires_grad=True)


@pytest.mark.parametrize("label,fn,name", CASES, ids=[c[0] for c in CASES])
def test_symgrad_names(label: str, fn: Any, name: str) -> None:
    out = fn(*_leaves(sg))
    node = out.grad_fn
    assert node.name() == name
    assert repr(node).startswith(f"<{name} object at 0x")
    assert f"grad_fn=<{name}>" in repr(out)
    # the class is the op's, or, named by the public function that made it, that name
    assert type(node).__name__ == name or type(node) is node.op.node_class


@pytest.mark.parametrize("label,fn,name", CASES, ids=[c[0] for c in CASES])
def test_pytorch_names(label: str, fn: Any, name: str) -> None:
    torch = pytest.importorskip("torch")
    out = fn(*_leaves(torch))
    assert out.grad_fn.name() == type(out.grad_fn).__name__ == name


def test_names_by_arguments_are_not_worked_out_when_recording(monkeypatch: Any) -> None:
    from symgrad.ops.shape import _INDEX

    asked: list[Any] = []
    real = _INDEX.backward_names
    monkeypatch.setattr(_INDEX, "backward_names", lambda node: asked.append(node) or real(node))
    x = sg.tensor(A, requires_grad=True)
    y = x[0] * x[1:] + x[:, 2]
    y.sum().backward()
    assert asked == []
    assert y.grad_fn.next_functions[1][0].name() == "SelectBackward0" and len(asked) == 1


def test_a_renamed_node_is_its_op_and_the_input_is_left_alone() -> None:
    x = sg.tensor(A, requires_grad=True)
    p = x.permute(1, 0)
    v = p.t()  # a new node, named TBackward0; p's node keeps its name
    assert type(v.grad_fn).__name__ == "TBackward0" and v.grad_fn.op is p.grad_fn.op
    assert p.grad_fn.name() == "PermuteBackward0"
    w = sg.tensor([1., 2.], requires_grad=True) * 2
    assert w.t() is w and w.grad_fn.name() == "MulBackward0"  # (t() of a vector: the vector itself)
    v.sum().backward()
    assert np.allclose(x.grad.numpy(), 1.0)


def test_names_survive_backward() -> None:
    # the input shape an index's name may need is not read from what backward frees
    x = sg.tensor(A, requires_grad=True)
    y = x[:, 1:]
    y.sum().backward()
    assert y.grad_fn.name() == "SliceBackward0"


def test_anomaly_message_uses_the_name() -> None:
    x = sg.tensor(A, requires_grad=True)
    y = x[:, 1:]
    with sg.autograd.detect_anomaly(), pytest.raises(RuntimeError, match="^Function 'SliceBackward0' returned nan"):
        y.backward(sg.full((3, 2), float("nan")))
