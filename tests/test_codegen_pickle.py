"""Generated functions pickle (multiprocessing, joblib): as their source and
what loading it needs, loaded again when unpickled."""

from __future__ import annotations

import copy
import io
import multiprocessing
import pickle

import numpy as np
import pytest

import symgrad
from symgrad.codegen.backends.c import compiler


def _functions():
    """(name, function, arguments) for each backend and form of code."""
    x = symgrad.tensor(2., requires_grad=True, name="x")
    y = symgrad.tensor(3., requires_grad=True, name="y")
    z = x * x * y + symgrad.sin(x)
    w = symgrad.tensor([1., 2.], requires_grad=True, name="w")
    big = symgrad.tensor(np.linspace(0., 1., 1500), name="big")  # a constant bound when loaded, not printed
    loss = (symgrad.tanh(w * big[:2]) ** 2).sum() + (big * big).sum() * w[0]
    points = np.linspace(0., 1., 40000)  # run in blocks
    yield "numpy", symgrad.gradient_function(z, [x, y]), (points, 3.)
    yield "numpy arrays", symgrad.gradient_function(loss, w, inputs=[w, big]), (np.array([.5, -1.]), np.ones(1500))
    yield "numpy dicts", symgrad.lambdify([x, y], {"z": z, "both": [x * y, {"y": y * y}]}), (2., 3.)
    yield "math", symgrad.gradient_function(z, [x, y], backend="math", hessian=True), (2., 3.)
    yield "math arrays", symgrad.gradient_function((w * w).sum(), w, backend="math"), ([1., 2.],)
    for backend in ("jax", "torch"):
        try:
            __import__(backend)
        except ImportError:
            continue
        yield backend, symgrad.gradient_function(z, [x, y], backend=backend), (np.array([.5, 1.]), np.array(3.))
    if compiler() is not None:
        yield "c", symgrad.gradient_function(z, [x, y], backend="c", compile=True), (points, 3.)
        yield "c arrays", symgrad.gradient_function((w * w).sum(), w, backend="c", compile=True), (np.ones(2),)


def _same(a, b):
    if isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, (tuple, list)):
        assert type(a) is type(b) and len(a) == len(b)
        for u, v in zip(a, b):
            _same(u, v)
    else:
        u, v = np.asarray(a), np.asarray(b)
        assert u.shape == v.shape and u.dtype == v.dtype and np.array_equal(u, v, equal_nan=True)


def test_generated_functions_pickle_and_give_the_same_results():
    # pickle.dumps(gradient_function(x*x, x)) raised "import of module 'symgrad_generated' failed"
    for name, fn, args in _functions():
        loaded = pickle.loads(pickle.dumps(fn))
        _same(loaded(*args), fn(*args))
        assert loaded.source == fn.source and loaded.__doc__ == fn.__doc__, name
        assert loaded.__name__ == fn.__name__ and repr(loaded) == repr(fn), name
        assert hasattr(loaded, "__wrapped__") == hasattr(fn, "__wrapped__"), name
        _same(pickle.loads(pickle.dumps(loaded))(*args), fn(*args))  # and again


def test_keywords_signature_and_errors_survive_pickling():
    import inspect

    x = symgrad.tensor(2., requires_grad=True, name="x")
    y = symgrad.tensor(3., requires_grad=True, name="y")
    g = pickle.loads(pickle.dumps(symgrad.gradient_function(x * y, [x, y])))
    assert str(inspect.signature(g)) == "(x, y)" and g(y=3., x=2.) == (6.0, (3.0, 2.0))
    w = symgrad.tensor([1., 2.], requires_grad=True, name="w")
    h = pickle.loads(pickle.dumps(symgrad.gradient_function((w * w).sum(), w)))
    with pytest.raises(ValueError, match=r"argument 1 \(w\) must have shape \(2,\), got \(3,\)"):
        h(np.ones(3))
    assert h(np.array([1, 2], dtype=np.int32))[1].dtype == np.float64  # integers still converted


def test_copies_are_the_function_itself():
    x = symgrad.tensor(2., requires_grad=True)
    g = symgrad.gradient_function(x * x, x)
    assert copy.copy(g) is g and copy.deepcopy(g) is g


def test_the_graph_is_not_pickled():
    # the bytes hold the source and shapes, not the tensors or the program (SymPy)
    x = symgrad.tensor(2., requires_grad=True, name="x")
    g = symgrad.gradient_function(x * x, x)
    data = pickle.dumps(g)
    assert b"sympy" not in data and b"symgrad._tensor" not in data
    assert not hasattr(pickle.loads(data), "program") and not hasattr(pickle.loads(data), "inputs")


def test_weights_only_load_refuses_a_generated_function():
    # unpickling runs the source the pickle carries: symgrad.load's default (weights only) must not
    x = symgrad.tensor(2., requires_grad=True)
    buffer = io.BytesIO()
    symgrad.save({"f": symgrad.gradient_function(x * x, x)}, buffer)
    buffer.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed.*generated._load"):
        symgrad.load(buffer)
    buffer.seek(0)
    assert symgrad.load(buffer, weights_only=False)["f"](3.) == (9.0, 6.0)


def test_a_pickle_of_another_format_is_refused():
    x = symgrad.tensor(2., requires_grad=True)
    load, args = symgrad.gradient_function(x * x, x).__reduce__()
    with pytest.raises(pickle.UnpicklingError, match="format 99.*generate the function again"):
        load(99, *args[1:])


def test_functions_run_in_a_spawned_worker(monkeypatch):
    # multiprocessing pickles the function for a worker that never saw the graph
    cases = list(_functions())
    jax = __import__("sys").modules.get("jax")
    if jax is not None and jax.config.jax_enable_x64:  # (JAX's precision is the process's: the worker's as ours)
        monkeypatch.setenv("JAX_ENABLE_X64", "1")
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        for _name, fn, args in cases:
            _same(pool.apply(fn, args), fn(*args))
