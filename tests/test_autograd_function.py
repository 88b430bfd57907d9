"""Custom autograd Functions (``symgrad.autograd.Function``): a table of
Functions written once for any library (``lib`` is symgrad or torch), run
through both and compared - values, gradients, second derivatives - plus the
closed forms symgrad adds, each error PyTorch raises, and the behaviours of
``ctx``."""

from __future__ import annotations

import gc
import weakref
from typing import Any

import numpy as np
import pytest
import sympy

import symgrad
from symgrad.autograd.function import once_differentiable


def functions(lib: Any) -> dict[str, Any]:
    """The same custom Functions, subclassing ``lib.autograd.Function``."""
    Function = lib.autograd.Function

    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x ** 2

    class Exp(Function):  # saves its output: second derivatives go through the node itself
        @staticmethod
        def forward(ctx, x):
            out = x.exp()
            ctx.save_for_backward(out)
            return out

        @staticmethod
        def backward(ctx, g):
            (out,) = ctx.saved_tensors
            return g * out

    class Scale(Function):  # a non-tensor argument, kept on ctx; None is its gradient
        @staticmethod
        def forward(ctx, x, k):
            ctx.k = k
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None

    class MulAdd(Function):  # two tensors, broadcast: gradients summed back by the engine
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y + y

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * y, g * (x + 1)

    class SinCos(Function):  # two outputs: backward gets both gradients
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin(), x.cos()

        @staticmethod
        def backward(ctx, gs, gc):
            (x,) = ctx.saved_tensors
            return gs * x.cos() - gc * x.sin()

    class Square(Function):  # the setup_context style: forward without ctx
        @staticmethod
        def forward(x):
            return x * x

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    return {"Cube": Cube, "Exp": Exp, "Scale": Scale, "MulAdd": MulAdd, "SinCos": SinCos, "Square": Square}


# name: (arguments as (values, requires_grad) or plain Python values, how the outputs become a scalar loss)
CASES = {
    "Cube": ([([0.5, -1.5, 2.0], True)], "sum"),
    "Exp": ([([0.3, -0.7], True)], "sum"),
    "Scale": ([([1.0, 2.0], True), 2.5], "sum"),
    "MulAdd": ([([[1.0, 2.0], [3.0, -1.0]], True), ([0.5, -2.0], True)], "sum"),
    "SinCos": ([([0.4, 1.1], True)], "sum of both"),
    "Square": ([(1.5, True)], "sum"),
}


def _call(lib: Any, name: str) -> tuple[list[Any], Any]:
    args = [lib.tensor(a[0], dtype=lib.float64, requires_grad=a[1]) if isinstance(a, tuple) else a
            for a in CASES[name][0]]
    out = functions(lib)[name].apply(*args)
    loss = (out[0] * out[1]).sum() if isinstance(out, tuple) else out.sum()
    return [a for a in args if isinstance(a, lib.Tensor)], loss


def _numbers(t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy() if hasattr(t, "detach") else t, dtype=float)


@pytest.mark.parametrize("name", CASES)
def test_gradients_and_second_derivatives_match_pytorch(name: str) -> None:
    torch = pytest.importorskip("torch")
    results = {}
    for lib in (symgrad, torch):
        leaves, loss = _call(lib, name)
        grads = lib.autograd.grad(loss, leaves, create_graph=True)
        total = sum(g.sum() for g in grads)  # (constant when the backward's results do not depend on the inputs)
        second = lib.autograd.grad(total, leaves, allow_unused=True) if total.requires_grad else ()
        results[lib.__name__] = (loss, grads, second)
    (sl, sg, ss), (tl, tg, ts) = results["symgrad"], results["torch"]
    np.testing.assert_allclose(_numbers(sl), _numbers(tl), rtol=1e-12)
    for a, b in zip(sg + ss, tg + ts):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(_numbers(a), _numbers(b), rtol=1e-12)


@pytest.mark.parametrize("name", CASES)
def test_closed_forms_are_the_derivatives_of_the_forward(name: str) -> None:
    """The gradient's closed form (made by the hand-written backward) equals
    sympy.diff of the output's closed form (traced from forward)."""
    leaves, loss = _call(symgrad, name)
    grads = symgrad.autograd.grad(loss, leaves)
    for leaf, g in zip(leaves, grads):
        expected = sympy.derive_by_array(loss.expr, leaf.expr) if leaf.ndim else sympy.diff(loss.expr, leaf.expr)
        got = sympy.flatten(g.expr) if leaf.ndim else [g.expr]
        want = sympy.flatten(expected) if leaf.ndim else [expected]
        assert len(got) == len(want) and all(sympy.simplify(a - b) == 0 for a, b in zip(got, want))


def test_cube_reads_as_pytorch() -> None:
    Cube = functions(symgrad)["Cube"]
    x = symgrad.tensor(2., requires_grad=True)
    y = Cube.apply(x)
    assert repr(y) == "tensor(8., grad_fn=<CubeBackward>)"
    assert str(y.expr) == "x**3"
    assert type(y.grad_fn).__name__ == "CubeBackward"
    assert y.grad_fn.next_functions[0][0] is x.grad_fn or y.grad_fn.next_functions[0][0].variable is x
    y.backward()
    assert x.grad.item() == 12.0 and str(x.grad.expr) == "3*x**2"


def test_multiple_outputs_get_zeros_or_none_for_the_unused_one() -> None:
    seen: list[Any] = []

    class Two(symgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x, materialize):
            ctx.set_materialize_grads(materialize)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            seen.append((g1, g2))
            return (0 if g1 is None else g1 * 2) + (0 if g2 is None else g2 * 3), None

    x = symgrad.tensor([1., 2.], requires_grad=True)
    a, b = Two.apply(x, True)
    a.sum().backward()
    assert x.grad.tolist() == [2., 2.] and seen[-1][1].tolist() == [0., 0.]
    x.grad = None
    a, b = Two.apply(x, False)
    b.sum().backward()
    assert x.grad.tolist() == [3., 3.] and seen[-1][0] is None


def test_non_differentiable_and_integer_and_non_tensor_outputs() -> None:
    class Mixed(symgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            marked = x * 5
            ctx.mark_non_differentiable(marked)
            return x * 3, marked, x.round().long(), "label"

        @staticmethod
        def backward(ctx, g, g_marked, g_int, g_label):
            assert g_marked.tolist() == [0., 0.] and g_label is None
            return g * 3

    x = symgrad.tensor([1.2, 2.7], requires_grad=True)
    y, marked, rounded, label = Mixed.apply(x)
    assert y.requires_grad and not marked.requires_grad and not rounded.requires_grad and label == "label"
    assert rounded.tolist() == [1, 3] and str(marked.expr) == "[5*x[0], 5*x[1]]"
    y.sum().backward()
    assert x.grad.tolist() == [3., 3.]


def test_needs_input_grad_and_kwargs() -> None:
    seen = []

    class F(symgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x, y, power=2):
            seen.append(ctx.needs_input_grad)
            return x ** power + y

        @staticmethod
        def backward(ctx, g):
            return g, g

    x = symgrad.tensor(1., requires_grad=True)
    y = symgrad.tensor(2.)
    assert F.apply(x, y, power=3).item() == 3.0
    assert seen[-1] == (True, False)
    with symgrad.no_grad():
        out = F.apply(x, y)
    assert seen[-1] == (False, False) and out.grad_fn is None and not out.requires_grad


def test_forward_runs_without_grad_and_backward_with_create_graph() -> None:
    modes = []

    class F(symgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            modes.append(("forward", symgrad.is_grad_enabled()))
            return x * 2

        @staticmethod
        def backward(ctx, g):
            modes.append(("backward", symgrad.is_grad_enabled()))
            return g * 2

    x = symgrad.tensor(1., requires_grad=True)
    F.apply(x).backward()
    F.apply(x).backward(create_graph=True)
    assert modes == [("forward", False), ("backward", False), ("forward", False), ("backward", True)]


def test_returning_an_input_gives_a_new_tensor() -> None:
    class Identity(symgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    x = symgrad.tensor([1., 2.], requires_grad=True)
    y = Identity.apply(x)
    assert y is not x and y.grad_fn is not None and y.tolist() == [1., 2.]
    (y * 3).sum().backward()
    assert x.grad.tolist() == [3., 3.]


def test_forward_outside_symgrad_is_an_opaque_function_or_a_clear_error() -> None:
    class NumpySin(symgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return symgrad.tensor(np.sin(x.detach().numpy()))

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x.cos()

    x = symgrad.tensor(2., requires_grad=True)
    y = NumpySin.apply(x) * x
    y.backward()
    assert str(y.expr) == "x*NumpySin(x)"
    assert str(x.grad.expr) == "x*cos(x) + NumpySin(x)"
    assert x.grad.item() == pytest.approx(2 * np.cos(2.) + np.sin(2.))
    v = symgrad.tensor([1., 2.], requires_grad=True)
    with pytest.raises(RuntimeError, match="closed form of NumpySin's output is unknown: its forward computed it "
                                           "outside symgrad's ops"):
        _ = NumpySin.apply(v).expr
    # (verify_function said "f must be a scalar tensor or a Python function, got int")
    with pytest.raises(ValueError, match="verify_function: NumpySin.forward computes 1 of its 1 differentiable "
                                         "outputs outside symgrad's operations"):
        symgrad.verify_function(NumpySin, x)


def test_once_differentiable_backward_has_no_graph() -> None:
    class Square(symgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = symgrad.tensor(2., requires_grad=True)
    (g,) = symgrad.autograd.grad(Square.apply(x), x, create_graph=True)
    assert g.item() == 4.0 and g.grad_fn is None
    with pytest.raises(RuntimeError, match="does not require grad"):
        symgrad.autograd.grad(g, x)


def test_gradcheck_of_a_custom_function() -> None:
    Cube = functions(symgrad)["Cube"]
    x = symgrad.tensor([0.5, -1.2], dtype=symgrad.float64, requires_grad=True)
    assert symgrad.autograd.gradcheck(Cube.apply, (x,))

    class WrongCube(Cube):
        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * x ** 2

    with pytest.raises(symgrad.GradcheckError):
        symgrad.autograd.gradcheck(WrongCube.apply, (x,))


def test_generated_code_of_a_gradient_through_a_custom_function() -> None:
    Exp = functions(symgrad)["Exp"]
    x = symgrad.tensor(0.5, requires_grad=True)
    y = Exp.apply(x * x)
    f = symgrad.gradient_function(y, x)
    value, grad = f(0.7)
    assert value == pytest.approx(np.exp(0.49)) and grad == pytest.approx(2 * 0.7 * np.exp(0.49))


def test_the_graph_holds_no_reference_cycle() -> None:
    Exp = functions(symgrad)["Exp"]
    x = symgrad.tensor([1., 2.], requires_grad=True)
    y = Exp.apply(x)
    ref = weakref.ref(y)
    gc.disable()
    try:
        del y
        assert ref() is None
    finally:
        gc.enable()


def test_hooks_and_retain_grad_on_outputs() -> None:
    Cube = functions(symgrad)["Cube"]
    x = symgrad.tensor(2., requires_grad=True)
    y = Cube.apply(x)
    y.retain_grad()
    y.register_hook(lambda g: g * 10)
    (y * 2).backward()
    assert y.grad.item() == 20.0 and x.grad.item() == 240.0  # (PyTorch 2.13 gives these)


# ---------------------------------------------------------------- errors, as PyTorch raises them


def _function(backward: Any, forward: Any = None) -> Any:
    return type("Bad", (symgrad.autograd.Function,), {
        "forward": staticmethod(forward or (lambda ctx, x, *rest: x * 2)), "backward": staticmethod(backward)})


@pytest.mark.parametrize("backward, args, error, message", [
    (lambda ctx, g: g, 2, RuntimeError, r"function BadBackward returned an incorrect number of gradients "
                                        r"\(expected 2, got 1\)"),
    (lambda ctx, g: (g, g), 1, RuntimeError, r"function BadBackward returned a gradient different than None at "
                                             r"position 2, but the corresponding forward input was not a Tensor"),
    (lambda ctx, g: symgrad.ones(3), 0, RuntimeError, r"Function BadBackward returned an invalid gradient at "
                                                       r"index 0 - got \[3\] but expected shape compatible with \[2\]"),
    (lambda ctx, g: 1.0, 0, TypeError, r"function BadBackward returned a float as the gradient at position 1"),
])
def test_wrong_gradients_from_backward(backward: Any, args: int, error: type, message: str) -> None:
    x = symgrad.tensor([1., 2.], requires_grad=True)
    extra = {0: (), 1: (3,), 2: (symgrad.tensor(1.),)}[args]
    with pytest.raises(error, match=message):
        _function(backward).apply(x, *extra).sum().backward()


def test_more_gradients_than_inputs_are_fine_when_none() -> None:
    x = symgrad.tensor([1., 2.], requires_grad=True)
    _function(lambda ctx, g: (g * 2, None, None)).apply(x).sum().backward()
    assert x.grad.tolist() == [2., 2.]


def test_a_gradient_that_broadcasts_is_summed_back() -> None:
    x = symgrad.tensor([1., 2.], requires_grad=True)
    _function(lambda ctx, g: symgrad.ones(3, 2)).apply(x).sum().backward()
    assert x.grad.tolist() == [3., 3.]


def test_save_for_backward_takes_tensors_only() -> None:
    def forward(ctx, x):
        ctx.save_for_backward(x, 3)
        return x

    with pytest.raises(TypeError, match="save_for_backward can only save tensors \\(or None\\), but argument 1 "
                                        "is of type int; keep other values as attributes"):
        _function(lambda ctx, g: g, forward).apply(symgrad.tensor(1., requires_grad=True))


def test_saved_tensors_modified_in_place_or_freed() -> None:
    Cube = functions(symgrad)["Cube"]
    x = symgrad.tensor([1., 2.], requires_grad=True)
    w = x * 1
    y = Cube.apply(w)
    w.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    y = Cube.apply(x)
    y.sum().backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.sum().backward()


def test_other_misuses() -> None:
    Cube = functions(symgrad)["Cube"]
    x = symgrad.tensor(1., requires_grad=True)
    with pytest.raises(RuntimeError, match=r"make forward and backward @staticmethods and call Cube.apply\(...\)"):
        Cube()(x)
    no_backward = type("NoBackward", (symgrad.autograd.Function,), {"forward": staticmethod(lambda ctx, x: x * 2)})
    with pytest.raises(NotImplementedError, match="You must implement either the backward or vjp method"):
        no_backward.apply(x).backward()

    def dirty(ctx, x):
        ctx.mark_dirty(x)
        return x

    with pytest.raises(NotImplementedError, match="mark_dirty .* is not supported by symgrad: return a new tensor"):
        _function(lambda ctx, g: g, dirty).apply(x)

    def peek(ctx, x):
        ctx.save_for_backward(x)
        return ctx.saved_tensors[0]

    with pytest.raises(RuntimeError, match="ctx.saved_tensors is read in backward"):
        _function(lambda ctx, g: g, peek).apply(x)


# ---------------------------------------------------------------- verify_function: backward against forward


@pytest.mark.parametrize("name", ["Cube", "Exp", "MulAdd", "SinCos", "Square"])
def test_verify_function_proves_the_table_right(name: str) -> None:
    leaves, _ = _call(symgrad, name)
    report = symgrad.verify_function(functions(symgrad)[name], *leaves)
    assert report.ok and report.proved, str(report)


def test_verify_function_catches_a_wrong_backward_and_an_ignored_grad_output() -> None:
    class Softplus(symgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return (1 + x.exp()).log()

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output / (1 + x.exp())

    class IgnoresGradOutput(Softplus):
        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return 1 / (1 + (-x).exp())

    x = symgrad.tensor(0.5, requires_grad=True)
    wrong = symgrad.verify_function(Softplus, x)
    assert wrong["x"].verdict == "proved different" and wrong["x"].counterexample.symgrad == pytest.approx(
        1 / (1 + np.exp(-0.5)))
    v = symgrad.tensor([0.5, -1.0], requires_grad=True)
    assert symgrad.verify_function(IgnoresGradOutput, x).ok  # (a lone 0-d output: its gradient is 1)
    ignored = symgrad.verify_function(IgnoresGradOutput, v)
    assert ignored["v"].verdict == "proved different"


def test_verify_function_errors() -> None:
    Cube = functions(symgrad)["Cube"]
    with pytest.raises(ValueError, match="verify_function: no argument requires grad"):
        symgrad.verify_function(Cube, symgrad.tensor(1.))
    with pytest.raises(TypeError, match="expected a subclass of symgrad.autograd.Function"):
        symgrad.verify_function(lambda x: x, symgrad.tensor(1., requires_grad=True))


def test_verify_function_refuses_a_mask_in_backward() -> None:
    # PyTorch's tutorial MyReLU: its mask's positions are those of the current
    # values, so its closed form is wrong elsewhere ("proved different" was a
    # false verdict)
    class MyReLU(symgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            grad_input = grad_output.clone()
            grad_input[x < 0] = 0
            return grad_input

    class DecidedReLU(MyReLU):
        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * (x > 0)

    v = symgrad.tensor([-1., 2.], requires_grad=True)
    with pytest.raises(ValueError, match=r"verify_function: MyReLU.backward selects elements at positions chosen"):
        symgrad.verify_function(MyReLU, v)
    assert symgrad.verify_function(DecidedReLU, v).ok


def test_codegen_refuses_a_forward_computed_outside_symgrad() -> None:
    class NumpySin(symgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return symgrad.tensor(np.sin(x.detach().numpy()))

        @staticmethod
        def backward(ctx, g):
            return g

    x = symgrad.tensor(2., requires_grad=True)
    with pytest.raises(symgrad.codegen.CodegenError, match="no code can be generated through NumpySinBackward: its "
                                                           "custom Function's forward computed the result outside"):
        symgrad.lambdify([x], NumpySin.apply(x))
