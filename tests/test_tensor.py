"""The Tensor API: creation, repr, dtypes and promotion, conversions."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad as sg


@pytest.mark.parametrize("make, text", [
    (lambda: sg.tensor(12.), "tensor(12.)"),
    (lambda: sg.tensor([1.5, 2.5, 3.5]), "tensor([1.5000, 2.5000, 3.5000])"),
    (lambda: sg.tensor(1., requires_grad=True), "tensor(1., requires_grad=True)"),
    (lambda: sg.tensor(2., requires_grad=True) * 3, "tensor(6., grad_fn=<MulBackward0>)"),
    (lambda: sg.tensor([1, 2, 3]), "tensor([1, 2, 3])"),
    (lambda: sg.tensor([True, False]), "tensor([ True, False])"),
    (lambda: sg.tensor([1e-5, 1.0]), "tensor([1.0000e-05, 1.0000e+00])"),
    (lambda: sg.tensor([[1., -2.], [3., 4.]]), "tensor([[ 1., -2.],\n        [ 3.,  4.]])"),
    (lambda: sg.tensor([1.5], dtype=sg.float32), "tensor([1.5000], dtype=symgrad.float32)"),
    (lambda: sg.zeros(0), "tensor([])"),
    (lambda: sg.zeros(2, 0), "tensor([], size=(2, 0))"),
    (lambda: sg.tensor(float("nan")), "tensor(nan)"),
    (lambda: sg.tensor([float("inf"), 1.0]), "tensor([inf, 1.])"),
])
def test_repr_follows_pytorch(make, text):
    assert repr(make()) == text


def test_repr_matches_pytorch_on_many_tensors():
    torch = pytest.importorskip("torch")
    torch.set_default_dtype(torch.float64)
    try:
        rng = np.random.default_rng(0)
        samples = [rng.normal(size=(3, 4)), rng.normal(size=(2, 2, 3)) * 1e5, rng.integers(0, 100, size=(2000,)),
                   rng.normal(size=(30, 40)), np.array([1.0, 2.0, 1e9]), rng.normal(size=(1, 1)), np.array(0.5)]
        for a in samples:
            assert repr(sg.tensor(a)) == repr(torch.tensor(a)), a.shape
    finally:
        torch.set_default_dtype(torch.float32)


def test_default_dtype_is_float64_and_can_change():
    assert sg.tensor(1.0).dtype is sg.float64
    sg.set_default_dtype(sg.float32)
    assert sg.tensor(1.0).dtype is sg.float32
    assert sg.zeros(2).dtype is sg.float32
    assert (sg.tensor([1, 2]) / 2).dtype is sg.float32
    with pytest.raises(TypeError, match="floating-point"):
        sg.set_default_dtype(sg.int64)


@pytest.mark.parametrize("a, b, want", [
    (lambda: sg.tensor([1, 2]), 2.5, sg.float64),
    (lambda: sg.tensor([1, 2]), 2, sg.int64),
    (lambda: sg.tensor([1.], dtype=sg.float32), lambda: sg.tensor(2.), sg.float32),
    (lambda: sg.tensor(1., dtype=sg.float32), lambda: sg.tensor([2.]), sg.float64),
    (lambda: sg.tensor([True]), lambda: sg.tensor([True]), sg.bool_),
    (lambda: sg.tensor([True]), 1, sg.int64),
    (lambda: sg.tensor([1], dtype=sg.int32), lambda: sg.tensor(1), sg.int32),
    (lambda: sg.tensor([1], dtype=sg.int32), 1.5, sg.float64),
    (lambda: sg.tensor([1.], dtype=sg.float32), 1.5, sg.float32),
])
def test_promotion_follows_torch_result_type(a, b, want):
    x = a()
    y = b() if callable(b) else b
    assert sg.result_type(x, y) is want
    assert (x + y).dtype is want


def test_promotion_matches_pytorch():
    torch = pytest.importorskip("torch")
    pairs = [(np.float32, np.float64, (2,), ()), (np.int64, np.float32, (2,), ()), (np.int32, np.int64, (), (2,)),
             (np.bool_, np.int64, (2,), (2,)), (np.float32, np.int64, (), ())]
    for da, db, sa, sb in pairs:
        a, b = np.ones(sa, da), np.ones(sb, db)
        got = (sg.tensor(a) + sg.tensor(b)).dtype.name
        want = str((torch.tensor(a) + torch.tensor(b)).dtype).replace("torch.", "")
        assert got == want, (da, db, sa, sb)


def test_division_of_integers_gives_floats():
    assert (sg.tensor([1, 3]) / 2).tolist() == [0.5, 1.5]
    assert sg.div(sg.tensor([7, -7]), 2, rounding_mode="floor").tolist() == [3, -4]
    assert sg.div(sg.tensor([7, -7]), 2, rounding_mode="trunc").tolist() == [3, -3]


def test_creation_functions():
    assert sg.zeros(2, 3).shape == (2, 3) and sg.ones((2,)).tolist() == [1.0, 1.0]
    assert sg.full((2,), 1.5).tolist() == [1.5, 1.5]
    assert sg.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert sg.arange(3).dtype is sg.int64 and sg.arange(0., 1., 0.5).tolist() == [0.0, 0.5]
    assert sg.linspace(0, 1, 3).tolist() == [0.0, 0.5, 1.0]
    assert sg.zeros_like(sg.ones(2, dtype=sg.float32)).dtype is sg.float32
    assert sg.ones_like(sg.zeros(2)).tolist() == [1.0, 1.0]
    sg.manual_seed(3)
    a = sg.randn(3)
    sg.manual_seed(3)
    assert sg.randn(3).tolist() == a.tolist()
    assert 0 <= sg.rand(100).min().item() and sg.rand(100).max().item() < 1


@pytest.mark.parametrize("draw", [lambda: sg.rand(3, dtype=sg.int64), lambda: sg.randn(3, dtype=sg.int32),
                                  lambda: sg.randn(2, dtype=sg.bool), lambda: sg.normal(0., 1., (2,), dtype=sg.int64),
                                  lambda: sg.rand_like(sg.tensor([1, 2]))])
def test_continuous_random_numbers_refuse_integer_dtypes(draw):
    # they were cast: rand's numbers in [0, 1) all became 0, randn's booleans True (PyTorch raises)
    with pytest.raises(NotImplementedError, match="floating"):
        draw()


def test_from_numpy_shares_memory_and_as_tensor_avoids_copies():
    a = np.zeros(3, dtype=np.float32)
    t = sg.from_numpy(a)
    a[0] = 2
    assert t[0].item() == 2.0 and t.dtype is sg.float32
    assert sg.as_tensor(a).numpy() is a
    b = sg.tensor(a)
    a[1] = 5
    assert b[1].item() == 0.0


def test_tensor_from_list_of_tensors():
    assert sg.tensor([sg.tensor(1.), sg.tensor(2.)]).tolist() == [1.0, 2.0]
    # 0-d tensors were made Python numbers: int32 became int64, float32 the default float64
    assert sg.tensor([sg.tensor(1, dtype=sg.int32), sg.tensor(2, dtype=sg.int32)]).dtype is sg.int32
    assert sg.tensor([sg.tensor(1., dtype=sg.float32)]).dtype is sg.float32
    assert sg.tensor([sg.tensor(1, dtype=sg.int32), 2]).dtype is sg.int64  # (a Python int is int64)


def test_conversions_and_accessors():
    t = sg.tensor([[1., 2.], [3., 4.]])
    assert t.shape == sg.Size([2, 2]) and t.size() == (2, 2) and t.size(1) == 2 and t.ndim == 2
    assert t.numel() == 4 and t.dim() == 2 and len(t) == 2
    assert t.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert sg.tensor(2.5).item() == 2.5 and float(sg.tensor(2.5)) == 2.5 and int(sg.tensor(3)) == 3
    assert t.numpy().shape == (2, 2)
    assert t.float().dtype is sg.float32 and t.long().dtype is sg.int64 and t.double().dtype is sg.float64
    assert t.to("cpu") is t and t.to(sg.float32).dtype is sg.float32
    assert [r.tolist() for r in t] == [[1.0, 2.0], [3.0, 4.0]]


def test_numpy_of_tensor_requiring_grad_is_refused():
    with pytest.raises(RuntimeError, match=r"detach\(\)\.numpy\(\)"):
        sg.tensor([1.0], requires_grad=True).numpy()


def test_every_op_is_a_function_and_a_method():
    x = sg.tensor([[0.5, 0.25]])
    for name in ("exp", "log", "sin", "tanh", "sigmoid", "relu", "abs", "sqrt", "sum", "mean", "softmax"):
        args = (1,) if name == "softmax" else ()
        assert np.allclose(getattr(sg, name)(x, *args).numpy(), getattr(x, name)(*args).numpy()), name
    assert sg.dot(sg.tensor([1., 2.]), sg.tensor([3., 4.])).item() == 11.0


def test_devices():
    assert str(sg.device("cpu")) == "cpu" and not sg.cuda.is_available()
    with pytest.raises(RuntimeError, match="not available"):
        sg.device("cuda:0")
    with pytest.raises(RuntimeError, match="not available"):
        sg.tensor(1.0).to("cuda")


def test_set_printoptions_precision():
    sg.set_printoptions(precision=2)
    assert repr(sg.tensor([1.23456])) == "tensor([1.23])"
