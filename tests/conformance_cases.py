"""The conformance table: PyTorch autograd behaviours symgrad promises to match.

Each case is written once, as a function of the module (``symgrad`` or
``torch``, called ``M``), and returns what can be observed: values, dtypes,
whether ``.grad`` is None, which exception type is raised, which warnings.
``tests/test_conformance.py`` runs every case against both and compares.
A case that differs on purpose names its entry in ``tests/differences.py``.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Case:
    name: str
    group: str
    run: Callable[[Any], Any]
    differs: str | None = None     # a tests/differences.py entry: results differ on purpose


CASES: list[Case] = []


def case(group: str, differs: str | None = None) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    def register(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        CASES.append(Case(fn.__name__, group, fn, differs))
        return fn
    return register


# ---------------------------------------------------------------- helpers used by the cases

def leaf(M: Any, v: Any) -> Any:
    return M.tensor(v, dtype=M.float64, requires_grad=True)


def const(M: Any, v: Any) -> Any:
    return M.tensor(v, dtype=M.float64)


def raises(fn: Callable[[], Any]) -> str | None:
    """The exception type ``fn`` raises, or None."""
    try:
        fn()
    except Exception as e:  # the type is what is compared
        return type(e).__name__
    return None


def warns(fn: Callable[[], Any]) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return sorted({w.category.__name__ for w in caught})


def grad(t: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = t.grad
    return None if g is None else g.detach().tolist()


def dtype(t: Any) -> str:
    return str(t.dtype).split(".")[-1]


def backward_name(t: Any) -> str | None:
    return None if t.grad_fn is None else type(t.grad_fn).__name__


# ---------------------------------------------------------------- accumulation

@case("accumulation")
def gradients_accumulate_across_backward_calls(M):
    x = leaf(M, 2.0)
    (x * x).backward()
    first = grad(x)
    (x * x * x).backward()
    return first, grad(x)


@case("accumulation")
def accumulation_is_in_place_without_create_graph(M):
    x = leaf(M, 2.0)
    (x * 3).backward()
    g = x.grad
    (x * 3).backward()
    return x.grad is g, grad(x)


@case("accumulation")
def accumulation_is_out_of_place_with_create_graph(M):
    x = leaf(M, 2.0)
    (x * x).backward(create_graph=True)
    g = x.grad
    (x * x).backward(create_graph=True)
    return x.grad is g, grad(x), x.grad.requires_grad


@case("accumulation")
def clearing_grad_restarts_accumulation(M):
    x = leaf(M, [1.0, 2.0])
    (x * x).sum().backward()
    x.grad = None
    (x * 3).sum().backward()
    first = grad(x)
    x.grad.zero_()
    (x * 2).sum().backward()
    return first, grad(x)


@case("accumulation")
def reused_node_sums_its_gradients(M):
    x = leaf(M, 1.5)
    y = x * 2
    (y * y + y).backward()
    return grad(x)


@case("accumulation")
def broadcast_gradients_are_summed_to_the_input_shape(M):
    x = leaf(M, [[1.0], [2.0]])
    b = leaf(M, [1.0, 2.0, 3.0])
    s = leaf(M, 2.0)
    (x * b * s).sum().backward()
    return grad(x), grad(b), grad(s)


@case("accumulation")
def assigning_grad_checks_shape_and_type(M):
    x = leaf(M, [1.0, 2.0])
    return (raises(lambda: setattr(x, "grad", M.zeros(3, dtype=M.float64))),
            raises(lambda: setattr(x, "grad", M.zeros(2, dtype=M.float32))),
            raises(lambda: setattr(x, "grad", [0.0, 0.0])))


# ---------------------------------------------------------------- retain_graph and create_graph

@case("retain_graph")
def second_backward_without_retain_graph_raises(M):
    x = leaf(M, 2.0)
    y = x.exp()
    y.backward()
    return raises(y.backward)


@case("retain_graph")
def retain_graph_allows_a_second_backward(M):
    x = leaf(M, 2.0)
    y = x.exp()
    y.backward(retain_graph=True)
    y.backward()
    return grad(x)


@case("retain_graph")
def graph_without_saved_tensors_can_be_walked_twice(M):
    x = leaf(M, 2.0)
    y = x + 1
    y.backward()
    return raises(y.backward), grad(x)


@case("retain_graph")
def create_graph_retains_the_graph(M):
    x = leaf(M, 2.0)
    y = x.sin()
    y.backward(create_graph=True)
    return raises(y.backward)


@case("retain_graph")
def autograd_grad_frees_the_graph_by_default(M):
    x = leaf(M, 2.0)
    y = x.exp()
    M.autograd.grad(y, x)
    return raises(lambda: M.autograd.grad(y, x))


@case("create_graph")
def gradient_of_a_gradient(M):
    x = leaf(M, 2.0)
    (g,) = M.autograd.grad(x ** 3, x, create_graph=True)
    (h,) = M.autograd.grad(g, x, create_graph=True)
    (k,) = M.autograd.grad(h, x)
    return g.item(), h.item(), k.item(), g.requires_grad, k.requires_grad


@case("create_graph")
def gradients_without_create_graph_do_not_require_grad(M):
    x = leaf(M, 2.0)
    (g,) = M.autograd.grad(x * x, x)
    return g.requires_grad, backward_name(g)


@case("create_graph")
def first_gradient_stored_under_create_graph_is_a_copy(M):
    x = leaf(M, 2.0)
    (x * x).backward(create_graph=True)
    return x.grad.requires_grad, backward_name(x.grad), grad(x)


@case("create_graph")
def mixed_second_derivative(M):
    x, y = leaf(M, 2.0), leaf(M, 3.0)
    (gx,) = M.autograd.grad(x * x * y, x, create_graph=True)
    return M.autograd.grad(gx, [x, y])[1].item()


# ---------------------------------------------------------------- retain_grad

@case("retain_grad")
def retain_grad_populates_a_non_leaf(M):
    x = leaf(M, 2.0)
    y = x * 3
    y.retain_grad()
    (y * y).backward()
    return y.retains_grad, grad(y), grad(x)


@case("retain_grad")
def non_leaf_grad_is_none_with_a_warning(M):
    x = leaf(M, 2.0)
    y = x * 3
    y.backward()
    return warns(lambda: y.grad), grad(y), y.retains_grad


@case("retain_grad")
def retain_grad_on_a_leaf_is_a_no_op(M):
    x = leaf(M, 2.0)
    x.retain_grad()
    (x * 2).backward()
    return x.retains_grad, grad(x)


@case("retain_grad")
def retain_grad_without_requires_grad_raises(M):
    return raises(lambda: const(M, 1.0).retain_grad())


# ---------------------------------------------------------------- hooks

@case("hooks")
def leaf_hook_sees_and_replaces_the_gradient(M):
    x = leaf(M, 2.0)
    seen = []
    x.register_hook(lambda g: seen.append(g.item()))
    x.register_hook(lambda g: g * 10)
    (x * x).backward()
    return seen, grad(x)


@case("hooks")
def non_leaf_hook_changes_what_flows_further(M):
    x = leaf(M, 2.0)
    y = x * x
    y.register_hook(lambda g: g * 10)
    (y * 3).backward()
    return grad(x)


@case("hooks")
def removed_hook_no_longer_runs(M):
    x = leaf(M, 2.0)
    h = x.register_hook(lambda g: g * 10)
    h.remove()
    (x * x).backward()
    return grad(x)


@case("hooks")
def hooks_run_in_registration_order(M):
    x = leaf(M, 1.0)
    order = []
    x.register_hook(lambda g: order.append("a"))
    x.register_hook(lambda g: order.append("b"))
    (x * 2).backward()
    return order


@case("hooks")
def hook_on_a_tensor_without_grad_raises(M):
    return raises(lambda: const(M, 1.0).register_hook(lambda g: g))


@case("hooks")
def hook_changing_the_shape_raises(M):
    x = leaf(M, [1.0, 2.0])
    x.register_hook(lambda g: g.sum())
    return raises(lambda: (x * 2).sum().backward())


@case("hooks")
def hooks_see_gradients_under_create_graph(M):
    x = leaf(M, 2.0)
    seen = []
    x.register_hook(lambda g: seen.append(g.requires_grad))
    (x * x).backward(create_graph=True)
    return seen


# ---------------------------------------------------------------- detach and .data

@case("detach")
def detach_shares_memory_but_not_the_graph(M):
    x = leaf(M, [1.0, 2.0])
    y = x * 2
    d = y.detach()
    with M.no_grad():
        d.add_(1)
    return d.requires_grad, d.grad_fn is None, d.is_leaf, y.tolist()


@case("detach")
def in_place_change_through_detach_is_detected(M):
    x = leaf(M, [1.0, 2.0])
    y = x * 1
    z = y * y
    y.detach().mul_(10)
    return raises(lambda: z.sum().backward())


@case("detach")
def in_place_change_through_data_is_not_detected(M):
    x = leaf(M, [1.0, 2.0])
    y = x * 1
    z = y * y
    y.data.mul_(10)
    z.sum().backward()
    return grad(x)


@case("detach")
def data_is_a_leaf_outside_the_graph(M):
    x = leaf(M, [1.0, 2.0])
    y = x * 2
    return y.data.requires_grad, y.data.is_leaf, y.data.tolist()


@case("detach")
def assigning_data_replaces_the_values(M):
    x = leaf(M, [1.0, 2.0])
    x.data = const(M, [5.0, 6.0])
    (x * x).sum().backward()
    return x.tolist(), grad(x), x.requires_grad


@case("detach")
def detach_in_place(M):
    x = leaf(M, 1.0)
    y = x * 2
    y.detach_()
    return y.requires_grad, y.is_leaf, backward_name(y)


# ---------------------------------------------------------------- grad mode

@case("grad_mode")
def no_grad_results_do_not_require_grad(M):
    x = leaf(M, 1.0)
    with M.no_grad():
        y = x * 2
        with M.enable_grad():
            z = x * 2
    return y.requires_grad, y.is_leaf, z.requires_grad, M.is_grad_enabled()


@case("grad_mode")
def no_grad_as_a_decorator(M):
    @M.no_grad()
    def f(t):
        return t * 2, M.is_grad_enabled()
    y, inside = f(leaf(M, 1.0))
    return y.requires_grad, inside, M.is_grad_enabled()


@case("grad_mode")
def set_grad_enabled_as_function_and_context(M):
    x = leaf(M, 1.0)
    M.set_grad_enabled(False)
    try:
        off = (x * 2).requires_grad
    finally:
        M.set_grad_enabled(True)
    with M.set_grad_enabled(False):
        inside = M.is_grad_enabled()
    return off, inside, M.is_grad_enabled()


@case("grad_mode")
def grad_mode_is_restored_after_an_exception(M):
    try:
        with M.no_grad():
            raise ValueError
    except ValueError:
        pass
    return M.is_grad_enabled()


@case("grad_mode")
def grad_mode_is_thread_local(M):
    seen = []
    with M.no_grad():
        t = threading.Thread(target=lambda: seen.append(M.is_grad_enabled()))
        t.start()
        t.join()
        main = M.is_grad_enabled()

    def disable() -> None:
        M.set_grad_enabled(False)
        seen.append(M.is_grad_enabled())
    t = threading.Thread(target=disable)
    t.start()
    t.join()
    return seen, main, M.is_grad_enabled()


@case("grad_mode")
def in_place_update_of_a_leaf_under_no_grad(M):
    x = leaf(M, [1.0, 2.0])
    v = x._version
    with M.no_grad():
        x.mul_(2)
    (x * x).sum().backward()
    return x._version - v, x.is_leaf, x.requires_grad, grad(x)


# ---------------------------------------------------------------- version counter

@case("version_counter")
def in_place_ops_bump_the_version(M):
    x = const(M, [1.0, 2.0])
    v0 = x._version
    x.add_(1)
    x.mul_(2)
    x[0] = 5.0
    return x._version - v0


@case("version_counter")
def views_share_the_version_counter(M):
    x = const(M, [[1.0, 2.0], [3.0, 4.0]])
    v = x[0]
    v0 = x._version
    v.add_(1)
    return x._version - v0, v._version == x._version, x.tolist()


@case("version_counter")
def modified_saved_input_is_detected(M):
    x = leaf(M, [1.0, 2.0])
    y = x * 1
    z = y * y
    y.add_(1)
    return raises(lambda: z.sum().backward())


@case("version_counter")
def modified_saved_output_is_detected(M):
    x = leaf(M, [1.0, 2.0])
    y = x.exp()
    y.add_(1)
    return raises(lambda: y.sum().backward())


@case("version_counter", differs="in_place_op_keeps_its_result")
def changing_the_result_of_an_in_place_op_again(M):
    x = leaf(M, [1.0, 2.0])
    y = x * 2
    y.tanh_()
    y.mul_(3)
    return raises(lambda: y.sum().backward()), grad(x)


@case("version_counter")
def op_that_saves_nothing_tolerates_in_place_changes(M):
    x = leaf(M, [1.0, 2.0])
    y = x * 1
    z = y + 1
    y.add_(1)
    z.sum().backward()
    return grad(x)


@case("version_counter")
def in_place_on_a_non_leaf_records_history(M):
    x = leaf(M, 2.0)
    y = x * 1
    y.mul_(x)
    y.add_(1)
    y.backward()
    return backward_name(y), grad(x)


@case("version_counter")
def overwriting_a_non_leaf_gives_its_history_a_zero_gradient(M):
    x = leaf(M, [1.0, 2.0])
    other = leaf(M, [3.0, 4.0])
    y = x * 2
    y.zero_()
    z = x * 3
    z.copy_(other)
    (y * x + z).sum().backward()
    return y.requires_grad, z.requires_grad, grad(x), grad(other)


# ---------------------------------------------------------------- leaf rules

@case("leaf_rules")
def results_of_ops_without_grad_are_leaves(M):
    a = const(M, 1.0)
    b = a * 2
    return a.is_leaf, b.is_leaf, b.requires_grad, backward_name(b)


@case("leaf_rules")
def results_of_ops_with_grad_are_not_leaves(M):
    x = leaf(M, 1.0)
    y = x * 2
    return x.is_leaf, y.is_leaf, y.requires_grad, backward_name(y)


@case("leaf_rules")
def requires_grad_flags_of_non_leaves_cannot_be_cleared(M):
    y = leaf(M, 1.0) * 2
    return (raises(lambda: y.requires_grad_(False)), raises(lambda: setattr(y, "requires_grad", False)),
            raises(lambda: y.requires_grad_(True)))


@case("leaf_rules")
def integer_tensors_cannot_require_grad(M):
    return (raises(lambda: M.tensor([1, 2], requires_grad=True)),
            raises(lambda: M.tensor([True]).requires_grad_()))


@case("leaf_rules")
def in_place_on_a_leaf_that_requires_grad_raises(M):
    x = leaf(M, [1.0, 2.0])

    def assign() -> None:
        x[0] = 5.0
    return raises(lambda: x.add_(1)), raises(assign), raises(lambda: x[0].mul_(2))


@case("leaf_rules")
def backward_needs_a_scalar_or_a_gradient(M):
    x = leaf(M, [1.0, 2.0])
    return (raises(lambda: (x * 2).backward()), raises(lambda: (x * 2).backward(M.ones(3, dtype=M.float64))),
            raises(lambda: const(M, 1.0).backward()), raises(lambda: (const(M, 1.0) * 2).backward()))


@case("leaf_rules")
def backward_on_a_leaf(M):
    x = leaf(M, [1.0, 2.0])
    x.backward(const(M, [3.0, 4.0]))
    return grad(x)


@case("leaf_rules")
def numpy_of_a_tensor_that_requires_grad_raises(M):
    x = leaf(M, [1.0])
    return raises(x.numpy), x.detach().numpy().tolist()


# ---------------------------------------------------------------- autograd.grad options

@case("autograd_grad")
def unused_input_raises_unless_allowed(M):
    x, y = leaf(M, 2.0), leaf(M, 3.0)
    err = raises(lambda: M.autograd.grad(x * 2, [x, y]))
    gx, gy = M.autograd.grad(x * 2, [x, y], allow_unused=True)
    _, gz = M.autograd.grad(x * 2, [x, y], materialize_grads=True)
    return err, gx.item(), gy, gz.item()


@case("autograd_grad")
def grad_does_not_touch_dot_grad(M):
    x = leaf(M, 2.0)
    (g,) = M.autograd.grad(x * x, x)
    return g.item(), grad(x)


@case("autograd_grad")
def grad_outputs_weight_the_outputs(M):
    x = leaf(M, [1.0, 2.0])
    (g,) = M.autograd.grad(x * x, x, grad_outputs=const(M, [1.0, 10.0]))
    return g.tolist()


@case("autograd_grad")
def grad_of_several_outputs_sums(M):
    x = leaf(M, 2.0)
    (g,) = M.autograd.grad([x * x, x * 3], x)
    return g.item()


@case("autograd_grad")
def grad_with_respect_to_an_intermediate(M):
    x = leaf(M, 2.0)
    y = x * x
    (gy,) = M.autograd.grad(y * 3 + y * y, y)
    return gy.item()


@case("autograd_grad")
def grad_of_an_input_without_grad_raises(M):
    return raises(lambda: M.autograd.grad(leaf(M, 1.0) * 2, const(M, 1.0)))


@case("autograd_grad")
def grad_with_no_inputs_raises(M):
    return raises(lambda: M.autograd.grad(leaf(M, 1.0) * 2, []))


@case("autograd_grad")
def backward_inputs_limits_accumulation(M):
    x, y = leaf(M, 2.0), leaf(M, 3.0)
    (x * y).backward(inputs=[x])
    return grad(x), grad(y)


@case("autograd_grad")
def backward_inputs_can_name_a_non_leaf(M):
    x = leaf(M, 2.0)
    y = x * x
    (y * 3).backward(inputs=[y])
    return grad(y), grad(x)


@case("autograd_grad")
def autograd_backward_with_several_roots(M):
    x = leaf(M, [1.0, 2.0])
    M.autograd.backward([x * x, (x * 3).sum()], [const(M, [1.0, 1.0]), None])
    return grad(x)


# ---------------------------------------------------------------- dtypes (see also test_dtype_promotion_matches)

@case("dtypes")
def python_numbers_give_the_default_dtype(M):
    i = M.tensor([1, 2])
    return (M.tensor(1.5).dtype == M.get_default_dtype(), (i * 2.5).dtype == M.get_default_dtype(),
            (i / i).dtype == M.get_default_dtype(), dtype(i), dtype(M.tensor(True)))


@case("dtypes", differs="default_dtype")
def the_default_dtype_itself(M):
    return dtype(M.tensor(1.5)), dtype(M.zeros(1)), dtype(M.tensor([1, 2]) * 0.5)


@case("dtypes")
def reductions_of_integers(M):
    i = M.tensor([1, 2], dtype=M.int32)
    b = M.tensor([True, False, True])
    return dtype(i.sum()), dtype(b.sum()), i.sum().item(), raises(lambda: i.mean())


@case("dtypes")
def gradients_have_the_dtype_of_their_leaf(M):
    x = M.tensor([1.0, 2.0], dtype=M.float32, requires_grad=True)
    y = M.tensor(3.0, dtype=M.float64, requires_grad=True)
    (x * y).sum().backward()
    return dtype(x * y), dtype(x.grad), dtype(y.grad)


@case("dtypes")
def in_place_ops_cannot_widen(M):
    i = M.tensor([1, 2])
    f = M.tensor([1.0], dtype=M.float32)
    return raises(lambda: i.mul_(1.5)), raises(lambda: f.add_(M.tensor([1.0], dtype=M.float64))), dtype(f)


@case("dtypes")
def rounding_and_sign_ops_keep_integer_dtypes(M):
    """abs, sign, relu, floor, ceil, round, trunc, neg keep an integer dtype
    (values and dtype); bool inputs are refused except by sign; frac refuses integers."""
    out = []
    for d in ("uint8", "int8", "int32", "int64", "bool"):
        x = M.tensor([-2, 0, 3], dtype=getattr(M, d)) if d != "bool" else M.tensor([True, False])
        for name in ("abs", "sign", "relu", "floor", "ceil", "round", "trunc", "neg", "frac"):
            fn = getattr(M, name)
            try:
                r = fn(x)
                out.append((d, name, dtype(r), r.tolist()))
            except Exception as e:  # the type is what is compared
                out.append((d, name, type(e).__name__))
    return out


@case("dtypes")
def masked_fill_keeps_the_input_dtype(M):
    i = M.tensor([1, 2, 3])
    f = M.tensor([1.0, 2.0], dtype=M.float32)
    b = M.tensor([True, False, True])
    return (i.masked_fill(i > 1, 2.7).tolist(), dtype(i.masked_fill(i > 1, 2.7)),
            dtype(i.masked_fill(i > 1, M.tensor(2.5))), i.masked_fill(i > 1, M.tensor(2.5)).tolist(),
            dtype(f.masked_fill(f > 1, M.tensor(2.5, dtype=M.float64))), dtype(b.masked_fill(b, 0.5)),
            raises(lambda: i.masked_fill(i, 0)), raises(lambda: i.masked_fill(i > 1, M.tensor([1, 2, 3]))))


@case("new_functions")
def structure_functions_refuse_bad_input(M):
    x = const(M, [[1.0, 2.0], [3.0, 4.0]])
    return (raises(lambda: M.tril(const(M, [1.0]))), raises(lambda: M.diag(M.ones(2, 2, 2))),
            raises(lambda: M.trace(const(M, [1.0]))), raises(lambda: M.trace(M.ones(2, 2, dtype=M.bool))),
            raises(lambda: M.roll(x, (1, 2), 0)), raises(lambda: x.repeat(2)),
            raises(lambda: M.index_select(x, 0, const(M, [0.0]))),
            raises(lambda: M.index_select(x, 0, M.tensor([[0]]))), raises(lambda: M.index_select(x, 0, M.tensor([5]))),
            raises(lambda: M.topk(x, 3)), dtype(M.trace(M.ones(2, 2, dtype=M.int32))),
            dtype(M.tril(M.ones(2, 2, dtype=M.int64))), M.diag(x, 1).tolist(), M.roll(x, 1).tolist())


@case("new_functions")
def pointwise_functions_follow_pytorchs_dtypes_and_errors(M):
    i, f = M.tensor([7, -7]), const(M, [1.0, 2.0])
    return (M.fmod(i, 3).tolist(), dtype(M.fmod(i, 3)), raises(lambda: M.fmod(i, 0)),
            raises(lambda: M.lerp(i, i, 0.5)), raises(lambda: M.lerp(f, f.float(), 0.5)),
            raises(lambda: M.addcdiv(f, i, i)), M.addcmul(i, i, i, value=0.5).tolist(),
            dtype(M.nan_to_num(i)), M.nan_to_num(const(M, [float("nan"), float("inf")]), posinf=5.0).tolist(),
            M.sort(const(M, [2.0, 1.0, 2.0]), descending=True, stable=True).indices.tolist(),
            M.argsort(M.tensor([3, 1, 2])).tolist())


@case("new_functions")
def new_activations_and_dropout(M):
    F = M.nn.functional
    x = leaf(M, [-1.0, 0.0, 2.0])
    y = F.gelu(x) + F.gelu(x, approximate="tanh") + F.leaky_relu(x, 0.1) + F.elu(x, 0.5)
    y.sum().backward()
    d = M.nn.Dropout(0.5)
    kept = d(M.ones(1000))
    d.eval()
    z = M.ones(3)
    return (grad(x), raises(lambda: F.gelu(x, approximate="x")), raises(lambda: M.nn.Dropout(1.5)),
            raises(lambda: F.elu(M.tensor([1]))), sorted(set(kept.tolist())), d(z) is z, repr(d),
            repr(M.nn.GELU("tanh")), repr(M.nn.LeakyReLU()), repr(M.nn.ELU(0.5, True)),
            list(M.nn.ModuleDict({"a": M.nn.ReLU(), "b": M.nn.Tanh()}).keys()))


# ---------------------------------------------------------------- scatter, index_add, tile, repeat_interleave,
# meshgrid, unique, bincount

@case("scatter")
def scatter_and_index_add_values_and_gradients(M):
    x = leaf(M, [[float(i) for i in range(4 * r, 4 * r + 4)] for r in range(3)])
    src = leaf(M, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
    y = x.scatter(1, M.tensor([[0, 1, 2], [2, 0, 1], [3, 3, 3]]), src) * M.arange(12.0).reshape(3, 4)
    y2 = M.scatter_add(x, 0, M.tensor([[0, 0, 2], [1, 1, 1], [2, 0, 0]]), src) ** 2
    y3 = x.index_add(1, M.tensor([3, 3, 0]), src, alpha=2.0).sin()
    (y.sum() + y2.sum() + y3.sum()).backward()
    return (y.tolist(), y2.tolist(), y3.tolist(), grad(x), grad(src), backward_name(y3),
            M.tensor(1.0).scatter(0, M.tensor(0), M.tensor(5.0)).tolist(),
            M.zeros(3, dtype=M.int64).scatter(0, M.tensor([1]), 2.7).tolist(),
            M.zeros(3).scatter(0, M.tensor([], dtype=M.int64), M.ones(2)).tolist(),
            const(M, [[0.0] * 4] * 3).scatter(1, M.tensor([[0, 1, 2], [2, 0, 1]]), 5.0).tolist(),
            M.index_add(M.tensor(1.0), 0, M.tensor([0]), M.tensor(2.0)).tolist(),
            M.index_add(M.ones(3), 0, M.tensor(1), M.tensor([2.0])).tolist(),
            M.ones(5, 3, dtype=M.int64).index_add(0, M.tensor([0, 4, 2]), M.ones(3, 3, dtype=M.int64), alpha=2).tolist(),
            M.scatter_add(M.zeros(3, dtype=M.int64), 0, M.tensor([0, 0]), M.tensor([1, 2])).tolist())


@case("scatter")
def scatter_in_place_forms(M):
    z = M.ones(3)
    z.scatter_(0, M.tensor([1]), M.tensor([4.0]))
    z.scatter_add_(0, M.tensor([1, 1]), M.tensor([1.0, 1.0]))
    z.index_add_(0, M.tensor([0]), M.tensor([3.0]))
    w = leaf(M, [1.0, 2.0])
    return z.tolist(), raises(lambda: w.scatter_(0, M.tensor([0]), 3.0))


@case("scatter")
def scatter_and_index_add_refuse_bad_input(M):
    a = M.zeros(3, 4, dtype=M.float64)
    idx = M.tensor([[0, 1, 2], [2, 0, 1]])
    src = const(M, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
    b = M.ones(5, 3, dtype=M.float32)
    t = M.ones(3, 3, dtype=M.float32)
    i = M.tensor([0, 4, 2])
    return (raises(lambda: a.scatter(1, idx.float(), src)), raises(lambda: a.scatter(1, idx, src.float())),
            raises(lambda: a.scatter(1, M.tensor([[5]]), src)), raises(lambda: a.scatter(1, M.tensor([0]), src)),
            raises(lambda: a.scatter(1, M.tensor([[0, 1, 2, 3, 0]]), src)), raises(lambda: a.scatter(1, M.tensor([[-1]]), src)),
            raises(lambda: a.scatter(5, idx, src)), raises(lambda: a.scatter_add(1, idx, 2.0)),
            raises(lambda: a.scatter(1, idx, [1.0])), raises(lambda: a.scatter(1, idx, 1.0, reduce="mean")),
            raises(lambda: b.index_add(0, i.float(), t)), raises(lambda: b.index_add(0, i, t.double())),
            raises(lambda: b.index_add(0, M.tensor([0, 5, 1]), t)), raises(lambda: b.index_add(0, M.tensor([[0, 1, 2]]), t)),
            raises(lambda: b.index_add(0, M.tensor([0, 1]), t)), raises(lambda: b.index_add(1, M.tensor([0, 1, 2]), t)),
            raises(lambda: b.index_add(0, i, t[:, :2])), raises(lambda: b.index_add(0, i, 1.0)),
            raises(lambda: M.index_add(b, 0, M.tensor([-1, 0, 1]), t)),
            raises(lambda: M.index_add(M.ones(3), 0, M.tensor(0), M.tensor(2.0))))


@case("scatter")
def scatter_reduce_values_gradients_and_dtypes(M):
    x = leaf(M, [[0.5, 2.0, 3.0, -1.0], [4.0, 0.0, 6.0, 7.0]])
    s = leaf(M, [[1.5, -2.5, 3.5], [4.5, 5.5, 0.0]])
    idx = M.tensor([[0, 2, 0], [3, 3, 3]])
    weights = M.arange(8.0).reshape(2, 4) + 1
    out = []
    for reduce in ("sum", "prod", "mean", "amax", "amin"):
        for include_self in (True, False):
            y = x.scatter_reduce(1, idx, s, reduce, include_self=include_self)
            (y * weights).sum().backward()
            out.append((y.tolist(), grad(x), grad(s)))
            x.grad = s.grad = None
    ints = M.tensor([1, 2, -3], dtype=M.int32)
    return (out, backward_name(M.scatter_reduce(M.tensor(2.0), 0, M.tensor(0), M.tensor(3.0), "prod")) is None,
            [ints.scatter_reduce(0, M.tensor([2, 2]), M.tensor([2, -7], dtype=M.int32), r).tolist()
             for r in ("sum", "prod", "mean", "amax", "amin")],
            dtype(ints.scatter_reduce(0, M.tensor([0]), M.tensor([5], dtype=M.int32), "prod")),
            M.tensor([3, 2], dtype=M.uint8).scatter_reduce(0, M.tensor([0, 0]), M.tensor([4, 5], dtype=M.uint8),
                                                          "prod", include_self=False).tolist(),
            M.tensor([True, False]).scatter_reduce(0, M.tensor([0, 0]), M.tensor([True, False]), "prod").tolist(),
            [M.tensor([3, 200], dtype=M.uint8).prod().tolist(), dtype(M.tensor([3, 2], dtype=M.uint8).prod(0))],
            M.tensor([1.0, 2.0]).scatter_reduce(0, M.tensor([0, 0]), M.tensor([5.0, 4.0]), "max").tolist(),
            M.tensor([3.0, 4.0]).scatter(0, M.tensor([0, 0]), 2.0, reduce="multiply").tolist(),
            M.tensor([3, 4]).scatter(0, M.tensor([1]), 2.5, reduce="multiply").tolist(),
            raises(lambda: M.ones(3).scatter_reduce(0, M.tensor([0]), M.ones(1), "add")),
            raises(lambda: M.ones(3).scatter_reduce(0, M.tensor([0]), 2.0, "sum")),
            raises(lambda: M.ones(3).scatter_reduce(0, M.tensor([0]), M.ones(1, dtype=M.int64), "sum")),
            raises(lambda: M.ones(3).scatter_reduce(0, M.tensor([3]), M.ones(1), "sum")),
            raises(lambda: M.ones(3).scatter_reduce(0, M.tensor([0.0]), M.ones(1), "sum")),
            raises(lambda: M.tensor([True]).scatter_reduce(0, M.tensor([0]), M.tensor([True]), "mean")),
            raises(lambda: M.ones(3).scatter(0, M.tensor([0]), 1.0, reduce="prod")))


@case("scatter", differs="scatter_with_reduce_is_differentiable")
def scatter_with_reduce_has_a_gradient(M):
    x = leaf(M, [1.0, 2.0, 3.0])
    s = leaf(M, [2.0, 3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = x.scatter(0, M.tensor([0, 2]), s, reduce="multiply") + x.scatter(0, M.tensor([1]), 2.0, reduce="add")
    return raises(lambda: y.sum().backward()), grad(x), grad(s)


@case("scatter", differs="scatter_reduce_extremum_ties_without_self")
def scatter_reduce_ties_without_self(M):
    x = leaf(M, [3.0, 2.0])
    s = leaf(M, [3.0, 3.0, 1.0])
    M.scatter_reduce(x, 0, M.tensor([0, 0, 0]), s, "amax", include_self=False).sum().backward()
    return grad(x), grad(s)


@case("scatter")
def tile_repeat_interleave_and_meshgrid(M):
    m = leaf(M, [[1.0, 2.0], [3.0, 4.0]])
    r = M.repeat_interleave(m, M.tensor([1, 2]), dim=0) * M.arange(6.0).reshape(3, 2)
    r2 = m.repeat_interleave(3) ** 2
    r3 = m.tile(2, 1, 3) * M.arange(24.0).reshape(2, 2, 6)
    (r.sum() + r2.sum() + r3.sum()).backward()
    p, q = leaf(M, [1.0, 2.0]), leaf(M, [3.0, 4.0, 5.0])
    g1, g2 = M.meshgrid(p, q, indexing="xy")
    (g1 * g2 * M.arange(6.0).reshape(3, 2)).sum().backward()
    return (r.tolist(), r2.tolist(), r3.tolist(), grad(m), M.tile(m, (2,)).tolist(),
            M.repeat_interleave(M.tensor([1, 0, 3])).tolist(), m.repeat_interleave(M.tensor(2), dim=0).tolist(),
            M.tensor(3.0).repeat_interleave(2).tolist(), dtype(M.tensor([1, 2], dtype=M.int32).repeat_interleave(2)),
            list(M.tile(M.tensor(1.0), (2, 3)).shape), m.tile(()).tolist(),
            g1.tolist(), g2.tolist(), grad(p), grad(q),
            [list(t.shape) for t in M.meshgrid(M.tensor(1.0), M.arange(2.0), M.arange(3.0), indexing="xy")],
            warns(lambda: M.meshgrid([M.arange(2), M.arange(3)])),
            [list(t.shape) for t in M.meshgrid(M.arange(2), M.arange(3), indexing="ij")])


@case("scatter")
def tile_repeat_interleave_and_meshgrid_refuse_bad_input(M):
    m = const(M, [[1.0, 2.0], [3.0, 4.0]])
    return (raises(lambda: m.repeat_interleave(M.tensor([1, 2, 3]), dim=0)), raises(lambda: m.repeat_interleave(-1)),
            raises(lambda: m.repeat_interleave(M.tensor([-1, 2]), dim=0)),
            raises(lambda: m.repeat_interleave(M.tensor([1.0, 2.0]), dim=0)),
            raises(lambda: m.repeat_interleave(M.tensor([[1, 2]]), dim=0)), raises(lambda: m.repeat_interleave(2, dim=3)),
            raises(lambda: m.repeat_interleave(2.5)), raises(lambda: m.repeat_interleave(2, dim=0, output_size=5)),
            raises(lambda: M.repeat_interleave(M.tensor([[1, 2]]))), raises(lambda: m.tile(-1)),
            raises(lambda: M.tile(m, 2)), raises(lambda: M.meshgrid(indexing="ij")),
            raises(lambda: M.meshgrid(M.ones(2, 2), indexing="ij")), raises(lambda: M.meshgrid(M.arange(2), indexing="zz")),
            raises(lambda: M.meshgrid(M.arange(2), M.arange(2.0), indexing="ij")))


@case("scatter")
def unique_and_bincount(M):
    u = M.tensor([[5, 3, 9], [1, 3, 7], [0, 2, 2]])
    rows = M.tensor([[1, 2], [0, 5], [1, 2]])
    w32 = M.tensor([0.5, 1.0, 2.0], dtype=M.float32)
    return ([v.tolist() for v in M.unique(u, return_inverse=True, return_counts=True)],
            [v.tolist() for v in M.unique(u, sorted=False, return_inverse=True, return_counts=True)],
            [v.tolist() for v in M.unique(rows, dim=0, return_inverse=True, return_counts=True)],
            [v.tolist() for v in M.unique(rows, dim=1, return_inverse=True, return_counts=True)],
            [v.tolist() for v in M.unique(M.tensor(3.0), return_inverse=True, return_counts=True)],
            M.unique(M.tensor([True, False, True])).tolist(), raises(lambda: M.unique(M.tensor([1, 2]), dim=2)),
            u.unique(return_counts=True)[1].tolist(), dtype(M.unique(M.tensor([1.5], dtype=M.float32))),
            [v.tolist() for v in M.unique(M.tensor([], dtype=M.float32), return_inverse=True, return_counts=True)],
            M.bincount(M.tensor([0, 2, 2]), weights=w32).tolist(), dtype(M.bincount(M.tensor([0, 2, 2]), weights=w32)),
            dtype(M.bincount(M.tensor([0, 2, 2]), weights=M.tensor([1, 2, 3]))),
            M.bincount(M.tensor([0, 2, 2]), minlength=5).tolist(), M.bincount(M.tensor([], dtype=M.int64)).tolist(),
            dtype(M.bincount(M.tensor([0, 2, 2], dtype=M.uint8))), M.tensor([1, 1]).bincount().tolist(),
            raises(lambda: M.bincount(M.tensor([-1]))), raises(lambda: M.bincount(const(M, [1.0]))),
            raises(lambda: M.bincount(M.tensor([[1]]))), raises(lambda: M.bincount(M.tensor([1]), minlength=-1)),
            raises(lambda: M.bincount(M.tensor([1, 2]), weights=const(M, [1.0]))),
            raises(lambda: M.bincount(M.tensor([True]))))


@case("scatter", differs="unique_and_bincount_are_outside_the_graph")
def unique_and_weighted_bincount_have_no_gradient(M):
    x = leaf(M, [3.0, 1.0, 3.0])
    w = leaf(M, [0.5, 1.0, 2.0])
    return (raises(lambda: M.unique(x).sum().backward()),
            raises(lambda: M.bincount(M.tensor([0, 2, 2]), weights=w).sum().backward()),
            raises(lambda: M.unique_consecutive(x).sum().backward()))


@case("scatter")
def unique_consecutive_runs(M):
    runs = M.tensor([1, 1, 2, 2, 3, 1, 1, 2])
    rows = M.tensor([[1, 1], [1, 1], [2, 3], [1, 1]])

    def all_of(t):
        return [v.tolist() for v in t]
    return (all_of(M.unique_consecutive(runs, return_inverse=True, return_counts=True)),
            all_of(M.unique_consecutive(rows, return_inverse=True, return_counts=True)),
            all_of(M.unique_consecutive(rows, return_inverse=True, return_counts=True, dim=0)),
            all_of(rows.unique_consecutive(True, True, -1)), M.unique_consecutive(runs).tolist(),
            all_of(M.unique_consecutive(const(M, 3.5), return_inverse=True, return_counts=True)),
            all_of(M.unique_consecutive(const(M, [1.0, 1.0, float("nan"), float("nan"), -0.0, 0.0]),
                                        return_counts=True)),
            all_of(M.unique_consecutive(M.zeros(2, 0, dtype=M.float64), return_inverse=True, return_counts=True,
                                        dim=1)),
            M.unique_consecutive(M.tensor([True, True, False])).tolist(),
            dtype(M.unique_consecutive(M.tensor([1.5], dtype=M.float32))),
            raises(lambda: M.unique_consecutive(M.tensor(3), dim=0)), raises(lambda: M.unique_consecutive(runs, dim=1)),
            raises(lambda: M.unique_consecutive(M.zeros(2, 0), dim=0)), raises(lambda: M.unique_consecutive([1, 2])))


@case("scatter")
def multinomial_shapes_dtypes_and_errors(M):
    p = leaf(M, [0.1, 0.0, 0.6, 0.3])
    rows = const(M, [[1.0, 2.0, 3.0], [1.0, 0.0, 0.0]])
    one = M.multinomial(p, 3)
    return (list(one.shape), dtype(one), one.requires_grad, sorted(M.multinomial(p, 4).tolist()),
            list(M.multinomial(rows, 5, True).shape), list(rows.multinomial(2).shape),
            M.multinomial(const(M, [[0.0, 1.0], [1.0, 0.0]]), 3, replacement=True).tolist(),
            M.multinomial(const(M, [0.0, 0.0, 5.0]), 1).tolist(), list(M.multinomial(M.ones(0, 3), 2, True).shape),
            raises(lambda: M.multinomial(p, 5)), raises(lambda: M.multinomial(p, 0)),
            raises(lambda: M.multinomial(const(M, [0.5, -0.1]), 1)),
            raises(lambda: M.multinomial(const(M, [0.5, float("nan")]), 2, True)),
            raises(lambda: M.multinomial(const(M, [0.5, float("inf")]), 2, True)),
            raises(lambda: M.multinomial(const(M, [[0.5, 0.5], [0.0, 0.0]]), 1)),
            raises(lambda: M.multinomial(M.tensor([1, 2]), 1)), raises(lambda: M.multinomial(const(M, 0.5), 1)),
            raises(lambda: M.multinomial(M.ones(2, 2, 2), 1)), raises(lambda: M.multinomial(p, 1.5)),
            raises(lambda: M.multinomial([0.5, 0.5], 1)), raises(lambda: M.multinomial(p, 2, generator=3)))


@case("new_functions")
def new_layers_losses_and_clipping(M):
    F = M.nn.functional
    x = leaf(M, [-1.0, 1.0, 0.25, -2.0, 3.0])
    y = F.hardtanh(x) + F.silu(x) + F.smooth_l1_loss(x, const(M, [0.0] * 5), reduction="none", beta=0.5) \
        + F.huber_loss(x, const(M, [1.0] * 5), reduction="none", delta=1.5)
    y.sum().backward()
    w = leaf(M, [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    e = F.embedding(M.tensor([[0, 2], [2, 2]]), w, padding_idx=0) * const(M, [1.0, 2.0])
    e.sum().backward()
    ln = F.layer_norm(const(M, [[1.0, 2.0, 4.0]]), (3,))
    M.nn.utils.clip_grad_value_([w], 2.5)
    total = M.nn.utils.clip_grad_norm_([x, w], 1.0)
    return (y.tolist(), grad(x), e.tolist(), grad(w), ln.tolist(), total.item(),
            raises(lambda: F.embedding(const(M, [1.0]), w)), raises(lambda: F.embedding(M.tensor([3]), w)),
            raises(lambda: M.nn.Embedding(3, 2, padding_idx=-4)),
            raises(lambda: F.layer_norm(M.ones(2, 4, dtype=M.float64), (3,))),
            raises(lambda: F.smooth_l1_loss(x, x, beta=-1.0)), raises(lambda: F.huber_loss(x, x, delta=0.0)),
            raises(lambda: M.nn.Hardtanh(1.0, 0.0)), raises(lambda: F.silu(M.tensor([1, 2]))),
            raises(lambda: F.layer_norm(M.tensor([[1, 2]]), (2,))), F.hardtanh(M.tensor([-3, 0, 3])).tolist(),
            raises(lambda: M.nn.utils.vector_to_parameters([1.0], [w])))


@case("new_functions")
def batch_norm_layers(M):
    F = M.nn.functional
    bn = M.nn.BatchNorm1d(2, momentum=None).double()
    x = leaf(M, [[1.0, -2.0], [3.0, 0.5], [4.0, 1.0]])
    y = bn(x)
    (y * const(M, [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])).sum().backward()
    bn(const(M, [[0.0, 1.0], [2.0, 5.0]]))
    state = [v.tolist() for v in bn.state_dict().values()]
    bn2 = M.nn.BatchNorm2d(2, affine=False).double()
    z = bn2(const(M, [[[[1.0, 2.0]], [[3.0, 5.0]]], [[[0.0, 1.0]], [[2.0, 2.0]]]]))
    evaluated = bn2.eval()(const(M, [[[[1.0]], [[2.0]]]]))
    rm, rv = const(M, [0.0, 1.0]), const(M, [1.0, 2.0])
    F.batch_norm(const(M, [[1.0, 2.0], [3.0, 6.0]]), rm, rv, training=True, momentum=0.3)
    return (y.tolist(), grad(x), [grad(p) for p in bn.parameters()], state, list(bn.state_dict()), z.tolist(),
            evaluated.tolist(), rm.tolist(), rv.tolist(), repr(bn), repr(M.nn.BatchNorm2d(3, bias=False)),
            list(M.nn.BatchNorm1d(2, track_running_stats=False).state_dict()), dtype(bn.num_batches_tracked),
            raises(lambda: M.nn.BatchNorm1d(3)(M.ones(1, 3))), raises(lambda: M.nn.BatchNorm1d(3)(M.ones(2, 3, 4, 5))),
            raises(lambda: M.nn.BatchNorm2d(3)(M.ones(2, 3, 4))), raises(lambda: M.nn.BatchNorm1d(3)(M.ones(2, 4))),
            raises(lambda: M.nn.BatchNorm1d(3)(M.ones(2, 3, dtype=M.int64))),
            raises(lambda: F.batch_norm(M.ones(2, 3), None, None)),
            raises(lambda: F.batch_norm(M.ones(2, 3), M.zeros(3), None, training=True)),
            raises(lambda: F.batch_norm(M.ones(2, 3), M.zeros(3), M.ones(3), weight=M.ones(4))),
            raises(lambda: F.batch_norm(M.ones(3), None, None, training=True)),
            raises(lambda: F.batch_norm(M.ones(2, 3), None, None, training=True, eps=0.0)),
            raises(lambda: F.batch_norm(M.ones(2, 3), M.zeros(3), M.ones(3), momentum=None)))


@case("new_functions")
def embedding_max_norm(M):
    F = M.nn.functional
    w = leaf(M, [[3.0, 4.0], [0.3, 0.4], [6.0, 8.0], [1.0, 1.0]])
    out = F.embedding(M.tensor([[0, 1], [0, 2]]), w, max_norm=2.0)
    (out * const(M, [1.0, 2.0])).sum().backward()
    w1 = const(M, [[3.0, -4.0], [1.0, 1.0]])
    F.embedding(M.tensor([0, 1]), w1, max_norm=2.0, norm_type=1.0)
    w_inf = const(M, [[3.0, -4.0]])
    F.embedding(M.tensor([0]), w_inf, max_norm=2.0, norm_type=float("inf"))
    emb = M.nn.Embedding(3, 2, max_norm=1.0, norm_type=3.0, padding_idx=0)
    return (out.tolist(), w.tolist(), grad(w), w1.tolist(), w_inf.tolist(), repr(emb), w.is_leaf,
            raises(lambda: F.embedding(M.tensor([4]), w, max_norm=1.0)),
            raises(lambda: F.embedding(const(M, [0.0]), w, max_norm=1.0)))


@case("new_functions", differs="embedding_sparse_gradients")
def embedding_sparse(M):
    return raises(lambda: M.nn.Embedding(3, 2, sparse=True)), \
        raises(lambda: M.nn.functional.embedding(M.tensor([0]), M.ones(3, 2), sparse=True))


@case("new_functions", differs="embedding_max_norm_of_a_result")
def embedding_max_norm_of_a_result(M):
    w = leaf(M, [[3.0, 4.0]])
    return raises(lambda: M.nn.functional.embedding(M.tensor([0]), w * 1.0, max_norm=1.0))


@case("new_functions")
def stack_module_state_of_an_ensemble(M):
    models = [M.nn.Linear(2, 1).double() for _ in range(2)]
    with M.no_grad():
        for i, m in enumerate(models):
            m.weight.copy_(const(M, [[1.0 + i, -2.0]]))
            m.bias.fill_(0.5 * i)
    params, buffers = M.func.stack_module_state(models)
    out = M.func.vmap(lambda p, x: M.func.functional_call(models[0], p, (x,)), in_dims=(0, None))(
        params, const(M, [[1.0, 2.0]]))
    out.sum().backward()
    bn = M.func.stack_module_state([M.nn.BatchNorm1d(2).double(), M.nn.BatchNorm1d(2).double()])
    frozen = M.nn.Linear(2, 1).double().requires_grad_(False)
    return (sorted(params), {k: v.tolist() for k, v in params.items()}, buffers, out.tolist(), grad(params["weight"]),
            {k: [list(v.shape), dtype(v), v.requires_grad] for k, v in bn[1].items()}, sorted(bn[0]),
            params["weight"].is_leaf, raises(lambda: M.func.stack_module_state([])),
            raises(lambda: M.func.stack_module_state([models[0], models[1].eval()])),
            raises(lambda: M.func.stack_module_state([models[0], M.nn.Tanh()])),
            raises(lambda: M.func.stack_module_state([models[0], frozen])))


# ---------------------------------------------------------------- non-differentiable points

def _derivative_at(M: Any, fn: Callable[[Any], Any], v: Any) -> Any:
    x = leaf(M, v)
    fn(x).sum().backward()
    return grad(x)


@case("conventions")
def kinks_at_zero(M):
    return [_derivative_at(M, f, 0.0) for f in (M.relu, M.abs, M.sign, M.floor, M.round)]


@case("conventions")
def clamp_at_its_bounds(M):
    return [_derivative_at(M, lambda t: t.clamp(0.0, 1.0), v) for v in (0.0, 1.0, -0.5, 2.0)]


@case("conventions")
def ties_in_max_and_min(M):
    return (_derivative_at(M, lambda t: t.max(), [1.0, 3.0, 3.0]),
            _derivative_at(M, lambda t: t.amin(), [1.0, 1.0, 3.0]),
            _derivative_at(M, lambda t: t.max(1).values, [[1.0, 3.0, 3.0]]),
            _derivative_at(M, lambda t: t.min(0).values, [2.0, 2.0]),
            _derivative_at(M, lambda t: M.maximum(t, const(M, 1.0)), 1.0),
            _derivative_at(M, lambda t: M.minimum(t, const(M, 1.0)), 1.0))


@case("conventions")
def square_roots_and_powers_at_zero(M):
    return (_derivative_at(M, M.sqrt, 0.0), _derivative_at(M, lambda t: t ** 0.5, 0.0),
            _derivative_at(M, lambda t: t ** 2, 0.0), _derivative_at(M, lambda t: t ** 0, 0.0),
            _derivative_at(M, lambda t: t.norm(), [0.0, 0.0]))


@case("conventions")
def power_with_a_zero_base_or_exponent(M):
    x, y = leaf(M, [0.0, 0.0, 2.0]), leaf(M, [0.0, 2.0, 0.0])
    (x ** y).sum().backward()
    return grad(x), grad(y)


@case("conventions")
def where_routes_gradients(M):
    x = leaf(M, [-1.0, 2.0])
    M.where(x > 0, x * 3, x * x).sum().backward()
    return grad(x)


# ---------------------------------------------------------------- nan and inf

@case("nan_inf")
def nan_and_inf_flow_through_gradients(M):
    return (_derivative_at(M, M.sqrt, -1.0), _derivative_at(M, M.log, 0.0), _derivative_at(M, M.exp, 1000.0),
            _derivative_at(M, lambda t: t * 0.0, float("inf")), _derivative_at(M, M.reciprocal, 0.0))


@case("nan_inf")
def nan_propagates_through_selection(M):
    nan = float("nan")
    return (M.maximum(const(M, [nan, 1.0]), const(M, [0.0, nan])).tolist(),
            const(M, [1.0, nan]).max().tolist(), const(M, [nan, -1.0]).clamp(0.0, 1.0).tolist(),
            M.relu(const(M, nan)).tolist(), const(M, [nan, 2.0]).amin().tolist(),
            const(M, [1.0, nan, 3.0]).sum().tolist())


@case("nan_inf")
def gradients_of_selection_at_nan(M):
    nan = float("nan")
    other = const(M, [0.0, nan])
    return (_derivative_at(M, M.relu, nan), _derivative_at(M, M.abs, nan), _derivative_at(M, M.sign, nan),
            _derivative_at(M, lambda t: t.clamp(0.0, 1.0), nan), _derivative_at(M, lambda t: t.amax(), [1.0, nan]),
            _derivative_at(M, lambda t: t.max(0).values, [1.0, nan]),
            _derivative_at(M, lambda t: M.maximum(t, other), [nan, 1.0]),
            _derivative_at(M, lambda t: M.minimum(t, other), [nan, 1.0]),
            _derivative_at(M, lambda t: M.where(t > 0, t, t * 2), [nan, 1.0]), M.sign(const(M, nan)).tolist())


@case("nan_inf")
def gradient_of_max_of_all_elements_at_nan(M):
    return _derivative_at(M, lambda t: t.max(), [1.0, float("nan")])


@case("nan_inf", differs="prod_at_nan")
def gradient_of_prod_at_nan(M):
    return _derivative_at(M, lambda t: t.prod(), [float("nan"), 2.0, 3.0])


@case("nan_inf")
def infinities_in_softmax_family(M):
    inf = float("inf")
    t = const(M, [-inf, 0.0, 1.0])
    return (M.softmax(t, 0).tolist(), M.log_softmax(t, 0).tolist(), M.logsumexp(t, 0).tolist(),
            M.logsumexp(const(M, [-inf, -inf]), 0).tolist(), M.logsumexp(const(M, [inf, 1.0]), 0).tolist())


@case("nan_inf")
def gradients_of_softmax_family_with_infinities(M):
    inf = float("inf")
    return (_derivative_at(M, lambda t: M.logsumexp(t, 0) * 1.0, [-inf, 0.0]),
            _derivative_at(M, lambda t: M.log_softmax(t, 0)[1], [-inf, 0.0]),
            _derivative_at(M, lambda t: M.softmax(t, 0)[1], [-inf, 0.0]))


@case("nan_inf", differs="numpy_floating_point_warnings")
def floating_point_warnings_in_the_forward(M):
    return warns(lambda: M.log(const(M, 0.0))), warns(lambda: M.log(leaf(M, 0.0)).backward())


@case("nan_inf")
def division_by_zero(M):
    return ((const(M, [1.0, -1.0, 0.0]) / 0.0).tolist(),
            _derivative_at(M, lambda t: 1.0 / t, [0.0]), _derivative_at(M, lambda t: t / 0.0, [1.0]))


# ---------------------------------------------------------------- numerically delicate ops at +-1000

@case("stability")
def delicate_ops_at_large_arguments(M):
    t = const(M, [-1000.0, 0.0, 1000.0])
    return (M.sigmoid(t).tolist(), M.nn.functional.softplus(t).tolist() if M.__name__ == "torch"
            else M.softplus(t).tolist(), M.log_softmax(t, 0).tolist(), M.logsumexp(t, 0).tolist(),
            M.softmax(t, 0).tolist(), M.tanh(t).tolist())


@case("stability")
def gradients_of_delicate_ops_at_large_arguments(M):
    softplus = M.nn.functional.softplus if M.__name__ == "torch" else M.softplus
    v = [-1000.0, 0.0, 1000.0]
    w = const(M, [1.0, 2.0, 3.0])
    return [_derivative_at(M, lambda t, f=f: f(t) * w, v) for f in (
        M.sigmoid, softplus, M.tanh, lambda t: M.log_softmax(t, 0), lambda t: M.softmax(t, 0),
        lambda t: M.logsumexp(t, 0))]


# ---------------------------------------------------------------- einsum: every equation PyTorch accepts

def _einsum_outcome(M: Any, equation: str, *shapes: Any, dtypes: Any = None) -> Any:
    """Result (values, dtype and each operand's gradient of a weighted sum), or the exception type."""
    xs = []
    for k, shape in enumerate(shapes):
        d = dtypes[k] if dtypes else "float64"
        values = M.arange(1, 1 + int(M.tensor(shape).prod().item()), dtype=M.float64).reshape(shape) / 4
        x = (values * 4 % 3).to(getattr(M, d)) if d != "float64" else values
        xs.append(x.requires_grad_() if x.is_floating_point() else x)
    try:
        out = M.einsum(equation, *xs)
    except Exception as e:  # the type is what is compared
        return type(e).__name__
    if out.requires_grad:
        weights = M.arange(1, out.numel() + 1, dtype=out.dtype).reshape(out.shape)
        (out * weights).sum().backward()
    return out.tolist(), dtype(out), [grad(x) if x.is_floating_point() else None for x in xs]


@case("einsum")
def einsum_takes_the_diagonal_of_a_repeated_subscript(M):
    return [_einsum_outcome(M, eq, *shapes) for eq, shapes in [
        ("ii->i", [(3, 3)]), ("ii->", [(3, 3)]), ("ii", [(3, 3)]), ("iij->j", [(2, 2, 3)]),
        ("bii->bi", [(2, 3, 3)]), ("iji->ij", [(3, 2, 3)]), ("iji", [(3, 2, 3)]), ("iiii->i", [(2, 2, 2, 2)]),
        ("ijij->ji", [(2, 3, 2, 3)]), ("...ii->...i", [(2, 3, 3)]), ("ii,ij->j", [(2, 2), (2, 3)]),
        ("ii->i", [(0, 0)]), ("ii", [(1, 1)])]]


@case("einsum")
def einsum_of_one_tensor_twice_adds_both_gradients(M):
    x = leaf(M, [[1.0, 2.0], [3.0, 4.0]])
    y = M.einsum("ii,ii->", x, x)
    (g,) = M.autograd.grad(y, x, create_graph=True)
    (h,) = M.autograd.grad((g * const(M, [[1.0, 2.0], [3.0, 4.0]])).sum(), x)
    return y.item(), g.tolist(), h.tolist()


@case("einsum")
def einsum_broadcasts_size_one_dimensions(M):
    return [_einsum_outcome(M, eq, *shapes) for eq, shapes in [
        ("ij,jk->ik", [(3, 1), (2, 4)]), ("ij,jk->ik", [(3, 2), (1, 4)]), ("ij,jk->ik", [(3, 1), (1, 4)]),
        ("ij,ij->ij", [(3, 1), (1, 4)]), ("ij,ij->", [(3, 1), (3, 4)]), ("i,i", [(1,), (3,)]),
        ("...ij,...jk", [(5, 2, 3), (1, 3, 4)]), ("...ij,...jk", [(2, 3), (2, 3, 4)]),
        ("ii,i->i", [(1, 1), (3,)]), ("ij,jk->ik", [(2, 1), (0, 3)]), ("i,->i", [(3,), ()]),
        ("ij,jk,kl->il", [(2, 1), (3, 2), (1, 2)])]]


@case("einsum")
def einsum_promotes_dtypes_as_pytorch(M):
    return [_einsum_outcome(M, eq, *shapes, dtypes=dts) for eq, shapes, dts in [
        ("ii->", [(2, 2)], ["int32"]), ("ii->i", [(2, 2)], ["int32"]), ("ij->i", [(3, 1)], ["int32"]),
        ("i->", [(2,)], ["bool"]), ("ij->ji", [(2, 2)], ["bool"]), ("ij,j->j", [(2, 2), (2,)], ["int32", "int32"]),
        ("ij,jk->ik", [(2, 1), (2, 2)], ["int32", "int32"]), ("ij,jk->ik", [(2, 2), (2, 2)], ["uint8", "uint8"]),
        ("i,i->i", [(2,), (2,)], ["int64", "float32"]), ("i,->i", [(2,), ()], ["float32", "float64"]),
        (",->", [(), ()], ["int32", "int64"]), ("i,i->i", [(2,), (2,)], ["bool", "bool"]),
        ("i,i->", [(2,), (2,)], ["int64", "float32"]), ("ij,jk->ik", [(2, 2), (2, 2)], ["float32", "float64"]),
        ("i,i->", [(2,), (2,)], ["bool", "bool"]), ("ij,jk->ik", [(2, 2), (2, 2)], ["bool", "float64"]),
        ("ij,jk->k", [(2, 2), (2, 2)], ["int32", "int32"])]]


@case("einsum")
def einsum_refuses_what_pytorch_refuses(M):
    return [_einsum_outcome(M, eq, *shapes) for eq, shapes in [
        ("ii->i", [(2, 3)]), ("ii->i", [(3, 1)]), ("ij,jk->ik", [(2, 3), (4, 2)]), ("i,i", [(2,), (3,)]),
        ("...ij,...jk", [(5, 2, 3), (4, 3, 4)]), ("ij", [(2,)]), ("...ijk", [(2, 3)]), ("ij->i.", [(2, 3)]),
        ("..i", [(2,)]), ("ii->ii", [(3, 3)]), ("ij->ik", [(2, 3)]), ("i1->i", [(2, 3)]), ("ij,jk", [(2, 3)]),
        ("ij", [(2, 3), (3, 3)]), ("ij", [])]]


@case("einsum")
def einsum_takes_pytorchs_sublists(M):
    x, y = leaf(M, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), leaf(M, [[1.0, 0.5], [2.0, 1.0], [0.0, 3.0]])
    z = M.einsum(x, [0, 1], y, [1, 27])
    z.sum().backward()
    return (z.tolist(), M.einsum(x, [Ellipsis, 30]).tolist(), M.einsum(x, [0, 1], [1, 0]).tolist(),
            grad(x), grad(y), raises(lambda: M.einsum(x, [0, 52])), raises(lambda: M.einsum(x)),
            raises(lambda: M.einsum(3, x)))


# ---------------------------------------------------------------- linalg (symgrad.linalg, torch.linalg)

@case("linalg")
def linalg_refuses_bad_input(M):
    L = M.linalg
    sq = const(M, [[2.0, 1.0], [1.0, 3.0]])
    return (raises(lambda: L.det(const(M, [1.0, 2.0]))), raises(lambda: L.det(M.ones(2, 3, dtype=M.float64))),
            raises(lambda: L.det(M.ones(2, 2, dtype=M.int64))), raises(lambda: L.inv(M.ones(2, 2, dtype=M.int32))),
            raises(lambda: L.inv(M.ones(3, 2, dtype=M.float64))), raises(lambda: M.inverse(const(M, [1.0]))),
            raises(lambda: L.solve(sq, M.ones(2, dtype=M.float32))), raises(lambda: L.solve(sq, const(M, [1.0, 2.0, 3.0]))),
            raises(lambda: L.solve(sq, M.ones(3, 2, dtype=M.float64))),
            raises(lambda: L.slogdet(M.ones(2, 2, dtype=M.int64))), raises(lambda: M.logdet(M.ones(2, 2, dtype=M.int64))),
            raises(lambda: L.vector_norm(M.tensor([1, 2]))), raises(lambda: L.vector_norm(sq, "fro")),
            raises(lambda: L.matrix_norm(const(M, [1.0, 2.0]))), raises(lambda: L.matrix_norm(sq, 3)),
            raises(lambda: L.norm(M.ones(2, 2, 2, dtype=M.float64), 1)),
            raises(lambda: L.cross(const(M, [1.0, 2.0]), const(M, [1.0, 2.0]))),
            raises(lambda: L.cross(const(M, [1.0, 2.0, 3.0]), M.ones(2, 3, dtype=M.float64))))


@case("linalg")
def linalg_dtypes_and_values(M):
    L = M.linalg
    f = M.tensor([[2.0, 1.0], [1.0, 3.0]], dtype=M.float32)
    d = const(M, [[4.0, -2.0], [1.0, 1.0]])
    v = const(M, [3.0, -4.0, 0.0])
    return (dtype(L.det(f)), dtype(L.inv(f)), dtype(L.solve(f, M.ones(2, dtype=M.float32))), dtype(L.slogdet(f).sign),
            dtype(L.vector_norm(f)), dtype(L.matrix_norm(f)), dtype(L.norm(f)), dtype(M.logdet(f)),
            L.det(d).item(), L.inv(d).tolist(), L.solve(d, const(M, [2.0, 1.0])).tolist(),
            L.solve(d, const(M, [[2.0], [1.0]])).tolist(), list(L.solve(M.stack([d, d]), const(M, [2.0, 1.0])).shape),
            list(L.solve(M.stack([d, d]), const(M, [[2.0, 1.0], [1.0, 1.0]])).shape),
            [L.slogdet(const(M, [[-2.0, 0.0], [0.0, 3.0]]))[i].item() for i in (0, 1)],
            M.logdet(const(M, [[-2.0, 0.0], [0.0, 3.0]])).item(), M.logdet(const(M, [[0.0, 0.0], [0.0, 3.0]])).item(),
            [L.vector_norm(v, p).item() for p in (2, 1, 0, 3, float("inf"), -float("inf"), 0.5)],
            L.vector_norm(d, dim=0, keepdim=True).tolist(), [L.matrix_norm(d, p).item() for p in ("fro", 1, -1)],
            L.matrix_norm(d, float("inf")).item(), L.norm(v).item(), L.norm(d, 1).item(),
            L.cross(v, const(M, [1.0, 2.0, 3.0])).tolist(), dtype(L.cross(M.tensor([1, 2, 3]), M.tensor([3, 2, 1]))))


@case("linalg")
def singular_matrices(M):
    L = M.linalg
    s = const(M, [[1.0, 2.0], [2.0, 4.0]])

    def message(fn: Callable[[], Any]) -> Any:
        try:
            fn()
        except L.LinAlgError as e:  # torch.linalg.LinAlgError: a RuntimeError
            return str(e) if "inv" in str(e) else isinstance(e, RuntimeError)
        return None
    return (message(lambda: L.inv(s)), message(lambda: L.inv(M.stack([M.eye(2, dtype=M.float64), s]))),
            message(lambda: M.inverse(const(M, [[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]))),
            message(lambda: L.solve(s, const(M, [1.0, 1.0]))), L.det(s).item(), L.slogdet(s).logabsdet.item(),
            M.logdet(s).item(), message(lambda: L.inv_ex(s, check_errors=True)),
            message(lambda: L.inv_ex(M.stack([M.eye(2, dtype=M.float64), s]), check_errors=True)),
            message(lambda: L.matrix_power(s, -2)))


@case("linalg")
def linalg_gradients(M):
    L = M.linalg
    A = leaf(M, [[2.0, 1.0], [0.5, 3.0]])
    B = leaf(M, [[1.0, 2.0], [3.0, 4.0]])
    (L.det(A) + L.slogdet(A).logabsdet + M.logdet(A) + L.inv(A).sum() + L.solve(A, B).sum()).backward()
    z = leaf(M, [0.0, 0.0, 0.0])
    L.vector_norm(z).backward()
    x = leaf(M, [1.0, -3.0, 3.0])
    (L.vector_norm(x, 1) + L.vector_norm(x, float("inf")) + L.vector_norm(x, 3) + L.norm(x)).backward()
    a, b = leaf(M, [1.0, 2.0, 3.0]), leaf(M, [-1.0, 0.5, 2.0])
    (L.cross(a, b) * const(M, [1.0, 2.0, 3.0])).sum().backward()
    sign = L.slogdet(A).sign
    return (grad(A), grad(B), grad(z), grad(x), grad(a), grad(b), sign.requires_grad,
            backward_name(L.det(A)), backward_name(L.inv(A)), backward_name(L.solve(A, B)), backward_name(sign),
            backward_name(L.vector_norm(A)), backward_name(M.det(A)), backward_name(A.inverse()))


# ---------------------------------------------------------------- matrix_power, inv_ex, pinv, eigh

@case("linalg")
def matrix_functions_refuse_bad_input(M):
    L = M.linalg
    sq, ints = const(M, [[2.0, 1.0], [1.0, 3.0]]), M.tensor([[1, 2], [3, 4]])
    return (raises(lambda: L.matrix_power(sq, 2.0)), raises(lambda: L.matrix_power(sq, True)),
            raises(lambda: L.matrix_power(sq, M.tensor(2.0))), raises(lambda: M.matrix_power(sq, 1.5)),
            raises(lambda: sq.matrix_power(None)), raises(lambda: L.matrix_power(M.ones(2, 3, dtype=M.float64), 2)),
            raises(lambda: L.matrix_power(const(M, [1.0, 2.0]), 2)), raises(lambda: L.matrix_power(ints, -1)),
            raises(lambda: L.matrix_power(M.tensor([[True, False], [True, True]]), 2)),
            raises(lambda: L.inv_ex(M.ones(2, 2, dtype=M.int64))), raises(lambda: L.inv_ex(M.ones(2, 3))),
            raises(lambda: L.pinv(M.ones(2, 2, dtype=M.int64))), raises(lambda: L.pinv(const(M, [1.0, 2.0]))),
            raises(lambda: L.pinv(M.ones(2, 2, dtype=M.float16))), raises(lambda: L.pinv(M.ones(2, 3), hermitian=True)),
            raises(lambda: L.pinv(sq, 0.1, rtol=0.2)), raises(lambda: L.pinv(sq, atol="a")),
            raises(lambda: M.pinverse(sq, rtol=0.1)),
            raises(lambda: L.eigh(M.ones(2, 3))), raises(lambda: L.eigvalsh(const(M, [1.0, 2.0]))),
            raises(lambda: L.eigh(M.ones(2, 2, dtype=M.int64))), raises(lambda: L.eigvalsh(M.ones(2, 2, dtype=M.float16))),
            raises(lambda: L.eigh(sq, UPLO="X")), raises(lambda: L.eigvalsh(sq, UPLO=1)))


@case("linalg")
def matrix_functions_values_and_dtypes(M):
    L = M.linalg
    ints = M.tensor([[1, 2], [3, 4]])
    a = const(M, [[2.0, 1.0], [1.0, 3.0]])
    f = M.tensor([[2.0, 1.0], [1.0, 3.0]], dtype=M.float32)
    singular = const(M, [[1.0, 2.0], [2.0, 4.0]])
    inverse, info = L.inv_ex(M.stack([a, singular, M.zeros(2, 2, dtype=M.float64)]))
    wide = const(M, [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]])
    values, vectors = L.eigh(a)
    return (L.matrix_power(ints, 3).tolist(), dtype(L.matrix_power(ints, 0)), L.matrix_power(ints, 0).tolist(),
            L.matrix_power(M.stack([a, a]), -2).tolist(), a.matrix_power(5).tolist(), M.matrix_power(a, 1).tolist(),
            list(L.matrix_power(M.ones(0, 2, 2), 3).shape), list(L.matrix_power(M.ones(3, 0, 0), -2).shape),
            dtype(L.matrix_power(f, 2)), dtype(info), info.tolist(), inverse[0].tolist(), dtype(L.inv_ex(f).inverse),
            L.inv_ex(a, check_errors=True).info.item(),
            L.pinv(wide).tolist(), L.pinv(a).tolist(), L.pinv(a, hermitian=True).tolist(), dtype(L.pinv(f)),
            L.pinv(M.ones(2, 2, 2, dtype=M.float64), atol=M.tensor([0.1, 5.0])).tolist(),
            list(L.pinv(M.ones(2, 2, dtype=M.float64), atol=M.tensor([0.1, 0.2])).shape),
            L.pinv(const(M, [[1.0, 0.0], [0.0, 1e-9]]), rtol=1e-6).tolist(), L.pinv(a, 0.5).tolist(),
            M.pinverse(const(M, [[2.0, 0.0], [0.0, 0.0]])).tolist(), const(M, [[4.0, 0.0]]).pinverse().tolist(),
            list(L.pinv(M.ones(0, 3)).shape), list(L.pinv(M.ones(2, 0, 3)).shape), L.pinv(M.zeros(2, 3)).tolist(),
            values.tolist(), (vectors * vectors[:1]).tolist(), dtype(L.eigvalsh(f)), dtype(L.eigh(f).eigenvectors),
            L.eigvalsh(const(M, [[1.0, 5.0], [0.0, 2.0]]), UPLO="U").tolist(),
            L.eigvalsh(const(M, [[1.0, 5.0], [0.0, 2.0]]), "l").tolist(),
            [list(t.shape) for t in L.eigh(M.ones(0, 2, 2))], [list(t.shape) for t in L.eigh(M.ones(2, 0, 0))])


@case("linalg")
def matrix_function_gradients(M):
    L = M.linalg
    A = leaf(M, [[2.0, 1.0], [0.5, 3.0]])
    w = const(M, [[1.0, 2.0], [3.0, 4.0]])
    (L.matrix_power(A, 3) * w).sum().backward()
    B = leaf(M, [[2.0, 1.0], [0.5, 3.0]])
    (L.matrix_power(B, -2) * w).sum().backward()
    C = leaf(M, [[2.0, 1.0], [0.5, 3.0]])
    (L.matrix_power(C, 0) * w).sum().backward()
    D = leaf(M, [[2.0, 1.0], [0.5, 3.0]])
    (L.inv_ex(D).inverse * w).sum().backward()
    wide, tall = leaf(M, [[1.0, 2.0, 0.5], [0.0, 1.0, 3.0]]), leaf(M, [[1.0, 2.0], [0.5, 0.0], [1.0, 3.0]])
    (L.pinv(wide) * w.sum()).sum().backward()
    (L.pinv(tall) * const(M, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
    deficient = leaf(M, [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]])
    L.pinv(deficient).sum().backward()
    S = leaf(M, [[2.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 4.0]])
    values, vectors = L.eigh(S)
    ((values * const(M, [1.0, 2.0, 3.0])).sum() + (vectors * vectors[:1] * const(M, [1.0, 2.0, 3.0])).sum()).backward()
    T = leaf(M, [[2.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 4.0]])
    (L.eigvalsh(T) ** 2).sum().backward()
    return (grad(A), grad(B), grad(C), grad(D), grad(wide), grad(tall), grad(deficient), grad(S), grad(T),
            backward_name(L.matrix_power(A, 3)), backward_name(L.matrix_power(A, 1)),
            backward_name(L.matrix_power(A, -1)), backward_name(L.inv_ex(A).inverse), backward_name(L.pinv(A)),
            backward_name(M.pinverse(A)), backward_name(values), backward_name(vectors),
            backward_name(L.eigvalsh(A)), L.inv_ex(A).info.requires_grad)


@case("new_functions")
def convolution_and_pooling(M):
    F = M.nn.functional
    x = leaf(M, [[[[1.0, -2.0, 3.0, 0.5], [4.0, 5.0, -6.0, 2.0], [7.0, 8.0, 9.0, -1.0]]]])
    w = leaf(M, [[[[1.0, 0.5], [-1.0, 2.0]]], [[[0.0, 1.0], [1.0, -0.5]]]])
    b = leaf(M, [0.25, -0.5])
    y = F.conv2d(x, w, b, padding=1, stride=(1, 2))
    pooled, where = F.max_pool2d(y, 2, padding=1, return_indices=True)
    out = pooled.sum() + F.avg_pool2d(y, 2, ceil_mode=True, count_include_pad=False).sum() \
        + F.adaptive_avg_pool2d(F.pad(x, (1, 0, 0, 1), mode="reflect"), (2, 3)).sum()
    out.backward()
    return (y.tolist(), pooled.tolist(), where.tolist(), out.item(), grad(x), grad(w), grad(b),
            repr(M.nn.Conv2d(2, 4, 3, stride=2, padding=1, groups=2, padding_mode="circular")),
            repr(M.nn.MaxPool2d(2)), repr(M.nn.AvgPool1d(3)), repr(M.nn.AdaptiveAvgPool2d((None, 2))),
            raises(lambda: F.conv2d(x, w, groups=2)), raises(lambda: F.max_pool2d(x, 2, padding=2)))


# ---------------------------------------------------------------- special functions, two-argument functions, scans

def _grads_at(M: Any, fn: Callable[..., Any], *points: Any) -> list[Any]:
    """``fn``'s value and its inputs' gradients at each point (one leaf per coordinate)."""
    out = []
    for point in points:
        xs = [leaf(M, v) for v in point]
        y = fn(*xs)
        y.backward()
        out.append([y.item(), *[grad(x) for x in xs]])
    return out


@case("special")
def two_argument_functions_at_their_special_points(M):
    inf, nan = float("inf"), float("nan")
    return (_grads_at(M, M.atan2, (0.0, 0.0), (0.0, -0.0), (1e-200, 1e-200), (1.0, 0.0), (-1.0, -2.0)),
            _grads_at(M, M.hypot, (0.0, 0.0), (3.0, 4.0), (1e-200, 1e-200)),
            _grads_at(M, M.logaddexp, (1.0, 2.0), (-inf, -inf), (1000.0, 1000.0)),
            _grads_at(M, M.logaddexp2, (1.0, 2.0), (inf, inf)),
            _grads_at(M, M.xlogy, (0.0, 0.0), (0.0, 2.0), (0.0, -1.0), (1.0, 0.0), (0.0, nan), (2.0, 3.0)),
            _grads_at(M, M.copysign, (0.0, -1.0), (2.0, -0.0), (-2.0, 1.0), (nan, 1.0)),
            _grads_at(M, lambda x: M.xlogy(2.0, x), (3.0,)), _grads_at(M, lambda x: M.xlogy(x, 3.0), (0.0,)))


@case("special")
def two_argument_functions_values_dtypes_and_errors(M):
    ints, f32 = M.tensor([1, 2]), M.tensor([1.5, -2.0], dtype=M.float32)
    heav = M.heaviside(const(M, [-1.5, 0.0, 2.0, float("nan")]), const(M, 0.5))
    return (M.atan2(ints, M.tensor([2, -1])).is_floating_point(), dtype(M.atan2(f32, f32)),
            dtype(M.xlogy(f32, 2)), dtype(M.copysign(f32, -1)), M.copysign(ints, -1).is_floating_point(),
            M.copysign(const(M, [1.0, 2.0]), const(M, [-0.0, 0.0])).tolist(),
            heav.tolist(), M.heaviside(M.tensor([-3, 0, 2]), M.tensor([7])).tolist(),
            (M.nextafter(const(M, [1.0, 0.0]), const(M, [2.0, -1.0])) - const(M, [1.0, 0.0])).tolist(),
            dtype(M.nextafter(f32, const(M, [2.0, 0.0]))),
            M.clamp_min(const(M, [-1.0, 2.0]), 0.5).tolist(), M.clamp_max(const(M, [-1.0, 2.0]), 0.5).tolist(),
            M.tensor([1, 5]).clamp_min(3).tolist(), const(M, [1.0, 4.0]).clamp_max(const(M, [2.0, 3.0])).tolist(),
            raises(lambda: M.atan2(f32, 2)), raises(lambda: M.hypot(ints, ints)),
            raises(lambda: M.logaddexp(ints, ints)), raises(lambda: M.logaddexp2(M.tensor([True]), M.tensor([True]))),
            raises(lambda: M.nextafter(ints, ints)), raises(lambda: M.heaviside(f32, const(M, [0.5]))),
            raises(lambda: M.heaviside(f32, 0.5)), raises(lambda: M.xlogy(2.0, 3.0)),
            raises(lambda: M.heaviside(leaf(M, [1.0]), const(M, [0.5])).sum().backward()))


@case("special")
def two_argument_functions_backward_names_and_in_place(M):
    x, y = leaf(M, [1.0, -2.0]), leaf(M, [0.5, 3.0])
    a = const(M, [1.0, 2.0])
    a.atan2_(const(M, [1.0, 1.0]))
    b = const(M, [3.0, 0.0])
    b.xlogy_(const(M, [2.0, 0.0]))
    c = const(M, [-1.0, 2.0])
    c.clamp_min_(0.0).clamp_max_(1.5)
    return ([backward_name(f(x, y)) for f in (M.atan2, M.hypot, M.logaddexp, M.logaddexp2, M.xlogy, M.copysign)],
            backward_name(x.arctan2(y)), a.tolist(), b.tolist(), c.tolist(),
            raises(lambda: M.tensor([1, 2]).atan2_(const(M, [1.0, 1.0]))))


@case("special")
def special_functions_at_their_special_points(M):
    inf, nan = float("inf"), float("nan")
    return (_grads_at(M, M.lgamma, (0.0,), (-1.0,), (-0.5,), (2.5,), (inf,), (-inf,), (1e-300,)),
            _grads_at(M, M.digamma, (0.0,), (-0.0,), (-1.0,), (-0.5,), (2.5,), (1e-300,), (-2.7,)),
            _grads_at(M, lambda x: M.polygamma(1, x), (0.0,), (-1.0,), (-0.5,), (2.5,)),
            _grads_at(M, lambda x: M.polygamma(3, x), (0.0,), (-1.0,), (-0.5,), (2.5,)),
            _grads_at(M, M.erfinv, (0.0,), (1.0,), (-1.0,), (1.5,), (0.5,), (-0.999999,)),
            _grads_at(M, M.logit, (0.0,), (1.0,), (-0.5,), (1.5,), (0.3,), (nan,)),
            _grads_at(M, lambda x: M.logit(x, eps=0.1), (0.0,), (1.0,), (0.1,), (0.9,), (0.3,), (-2.0,)),
            _grads_at(M, M.sinc, (0.0,), (1.0,), (0.5,), (-2.0,), (1e-10,)),
            _grads_at(M, M.i0, (0.0,), (1.0,), (-2.5,), (30.5,)))


@case("special")
def special_functions_second_derivatives(M):
    out = []
    for fn, v in ((M.sinc, 0.0), (M.sinc, 0.7), (M.i0, 0.0), (M.i0, -1.5), (M.logit, 0.3), (M.erfinv, 0.4),
                  (M.lgamma, 1.5), (M.digamma, 1.5), (lambda x: M.polygamma(2, x), 1.5)):
        x = leaf(M, v)
        (g,) = M.autograd.grad(fn(x), x, create_graph=True)
        (h,) = M.autograd.grad(g, x)
        out.append([g.item(), h.item()])
    return out


@case("special")
def special_functions_names_dtypes_and_errors(M):
    x = leaf(M, [0.5, 0.25])
    f32 = M.tensor([0.5], dtype=M.float32)
    return ([backward_name(f(x)) for f in (M.lgamma, M.digamma, M.erfinv, M.i0, M.sinc, M.logit)],
            backward_name(M.polygamma(2, x)), backward_name(M.polygamma(0, x)), backward_name(x.logit(0.1)),
            [dtype(f(f32)) for f in (M.lgamma, M.digamma, M.erfinv, M.i0, M.sinc, M.logit, M.deg2rad)],
            [f(M.tensor([1, 2])).is_floating_point() for f in (M.lgamma, M.erfinv, M.i0, M.sinc, M.deg2rad)],
            M.polygamma(2, const(M, [0.5, 1.0])).tolist(), const(M, [1.0, 2.0]).polygamma(1).tolist(),
            M.deg2rad(const(M, [180.0, -90.0])).tolist(), M.rad2deg(const(M, [1.0])).tolist(),
            M.sgn(const(M, [-2.0, 0.0, 3.0])).tolist(), M.sgn(M.tensor([-2, 3])).tolist(),
            M.positive(const(M, [-1.0])).tolist(), raises(lambda: M.positive(M.tensor([True]))),
            raises(lambda: M.polygamma(-1, x)), raises(lambda: M.polygamma(1.5, x)))


@case("special")
def predicates_and_float_parts(M):
    inf, nan = float("inf"), float("nan")
    v = const(M, [-1.0, -0.0, 0.0, inf, -inf, nan])
    mantissa, exponent = M.frexp(const(M, [8.0, 0.0, -3.0, inf, 1e-310]))
    x = leaf(M, [8.0, -3.0])
    M.frexp(x).mantissa.sum().backward()
    e = M.tensor([2, -1])
    return (M.signbit(v).tolist(), M.signbit(M.tensor([1, -1])).tolist(), M.signbit(M.tensor([True])).tolist(),
            M.isposinf(v).tolist(), M.isneginf(v).tolist(), M.isposinf(M.tensor([1, 2])).tolist(),
            M.isreal(v).tolist(), M.is_nonzero(const(M, [0.5])), M.is_nonzero(M.tensor([[0]])),
            const(M, nan).is_nonzero(), raises(lambda: const(M, [1.0, 2.0]).is_nonzero()),
            raises(lambda: M.is_nonzero(const(M, []))), M.is_complex(v), v.is_complex(),
            raises(lambda: M.is_complex(1.0)),
            mantissa.tolist(), exponent.tolist(), dtype(exponent), grad(x),
            dtype(M.frexp(M.tensor([1.5], dtype=M.float32)).mantissa), raises(lambda: M.frexp(M.tensor([1, 2]))),
            M.ldexp(const(M, [1.5, 3.0]), e).tolist(), dtype(M.ldexp(M.tensor([1.5], dtype=M.float32), e[:1])),
            M.ldexp(M.tensor([1, 2]), e).is_floating_point(), raises(lambda: M.ldexp(const(M, [1.0]), 2)))


@case("special")
def integer_functions(M):
    a, b = M.tensor([12, -18, 0, 7]), M.tensor([8, 12, 0, -3])
    i32, u8 = M.tensor([3, 6], dtype=M.int32), M.tensor([3, 250], dtype=M.uint8)
    return (M.gcd(a, b).tolist(), M.lcm(a, b).tolist(), dtype(M.gcd(i32, a[:2])), dtype(M.lcm(i32, i32)),
            M.bitwise_and(a, b).tolist(), M.bitwise_or(a, b).tolist(), M.bitwise_xor(a, b).tolist(),
            M.bitwise_not(a).tolist(), (a & b).tolist(), (a | 5).tolist(), (3 ^ a).tolist(), (~a).tolist(),
            dtype(M.bitwise_and(i32, 5)), M.bitwise_or(u8, -1).tolist(), dtype(M.bitwise_or(u8, -1)),
            M.bitwise_not(u8).tolist(), M.bitwise_xor(M.tensor([True, False]), M.tensor([True, True])).tolist(),
            M.bitwise_not(M.tensor([True, False])).tolist(), a.gcd(b).tolist(), i32.bitwise_and(i32).tolist(),
            raises(lambda: M.gcd(const(M, [1.0]), const(M, [2.0]))),
            raises(lambda: M.gcd(M.tensor([True]), M.tensor([False]))), raises(lambda: M.gcd(a, 5)),
            raises(lambda: M.lcm(a, 2.5)), raises(lambda: M.bitwise_and(const(M, [1.0]), 1)),
            raises(lambda: M.bitwise_or(a, 2.5)), raises(lambda: M.bitwise_not(const(M, [1.0]))))


@case("special")
def running_products_and_their_gradients(M):
    x = leaf(M, [2.0, 0.0, 3.0, 0.0, 4.0])
    (g,) = M.autograd.grad(M.cumprod(x, 0), x, const(M, [1.0, 2.0, 3.0, 4.0, 5.0]), create_graph=True)
    (h,) = M.autograd.grad(g.sum(), x)
    y = leaf(M, [[2.0, 3.0, 0.5], [1.5, 0.0, 2.0]])
    (M.cumprod(y, 1) * const(M, [1.0, 2.0, 3.0])).sum().backward()
    z = leaf(M, [1.1] * 12)
    (g2,) = M.autograd.grad(z.cumprod(0).sum(), z, create_graph=True)
    (h2,) = M.autograd.grad(g2[3], z)
    w = leaf(M, [0.5, 2.0, 0.0, 1.5, 0.0, 2.0, 1.0, 3.0, 0.5, 2.0, 1.5])
    w.cumprod(0).sum().backward()
    return (g.tolist(), h.tolist(), grad(y), g2.tolist(), h2.tolist(), grad(w),
            dtype(M.cumprod(M.tensor([1, 2], dtype=M.int32), 0)), dtype(M.cumprod(M.tensor([True, True]), 0)),
            M.cumprod(M.tensor([1, 2, 3]), 0, dtype=M.float64).tolist(), M.cumprod(const(M, 2.0), 0).tolist(),
            backward_name(M.cumprod(x, 0)), raises(lambda: M.cumprod(x, 1)))


@case("special")
def running_extremes_and_log_sums(M):
    nan, inf = float("nan"), float("inf")
    x = leaf(M, [[1.0, 3.0, 3.0, 2.0, nan, 5.0], [2.0, 0.0, 2.0, 2.0, 1.0, 1.0]])
    top = M.cummax(x, 1)
    (top.values * const(M, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0])).sum().backward()
    y = leaf(M, [3.0, 1.0, 1.0, 3.0, nan, nan, 1.0])
    low = y.cummin(0)
    low.values.sum().backward()
    z = leaf(M, [1000.0, 1001.0, -5.0, -inf, 2.0])
    out = M.logcumsumexp(z, 0)
    (out * const(M, [1.0, -2.0, 3.0, 4.0, 5.0])).sum().backward()
    u = leaf(M, [[0.5, -1.0, 2.0], [0.0, 0.0, 0.0]])
    (g,) = M.autograd.grad((M.logcumsumexp(u, 1) * const(M, [1.0, -1.0, 2.0])).sum(), u, create_graph=True)
    (h,) = M.autograd.grad(g.sum(), u)
    s = M.cummax(M.tensor([1, 3, 2]), 0)
    return (top.values.tolist(), top.indices.tolist(), grad(x), low.values.tolist(), low.indices.tolist(), grad(y),
            out.tolist(), grad(z), g.tolist(), h.tolist(), s.values.tolist(), dtype(s.values), dtype(s.indices),
            M.cummax(const(M, 2.0), 0).indices.tolist(), M.cummin(M.tensor([True, False]), 0).values.tolist(),
            backward_name(out), backward_name(top.values) is not None,
            raises(lambda: M.logcumsumexp(M.tensor([1, 2]), 0)), M.logcumsumexp(const(M, 2.0), 0).tolist())


@case("special")
def sums_and_means_ignoring_nan(M):
    nan, inf = float("nan"), float("inf")
    x = leaf(M, [1.0, nan, inf, 2.0])
    M.nansum(x).backward()
    y = leaf(M, [[1.0, nan], [2.0, 4.0], [3.0, nan]])
    (M.nanmean(y, 1) * const(M, [1.0, 2.0, 3.0])).sum().backward()
    return (grad(x), grad(y), M.nansum(const(M, [[1.0, nan], [2.0, 3.0]]), 1, keepdim=True).tolist(),
            M.nanmean(const(M, [[1.0, nan], [2.0, 4.0]]), dim=(0, 1)).tolist(), M.nansum(M.tensor([1, 2])).tolist(),
            dtype(M.nansum(M.tensor([1, 2], dtype=M.int32))), M.nansum(const(M, nan)).tolist(),
            dtype(M.nansum(const(M, [1.0]), dtype=M.float32)), const(M, [nan, 3.0]).nanmean().tolist(),
            raises(lambda: M.nanmean(M.tensor([1, 2]))), M.nanmean(const(M, [nan])).tolist())


@case("special", differs="nanmean_gradient_where_every_element_is_nan")
def nanmean_gradient_where_every_element_is_nan(M):
    y = leaf(M, [[1.0, float("nan")], [float("nan"), float("nan")]])
    M.nanmean(y, 1).sum().backward()
    return M.nanmean(y.detach(), 1).tolist(), grad(y)
