"""One check per public entry point that takes a string, shared by the
hypothesis tests (``tests/test_hostile.py``) and the coverage-guided
harness (``tests/fuzz/atheris_strings.py``).

Each ``check_*`` calls the entry point with the string and asserts: nothing
was executed (payloads append to ``CANARY`` if they ever run), and the call
either succeeded or failed with an allowed error that names the argument.
"""

from __future__ import annotations

import ast
import contextlib
import io
from collections.abc import Callable
from typing import Any

import numpy as np
import sympy

import symgrad as sg
from symgrad import nn
from symgrad.parsing import FormulaError, parse_formula

CANARY: list[str] = []
RUN = "__import__('tests.fuzz.strings').fuzz.strings.CANARY.append('ran')"

PAYLOADS = [
    RUN, f"x; {RUN}", f'x"""; {RUN}; """', f"x'''; {RUN}; '''", f"x\n{RUN}", f"lambda: {RUN}",
    f"exec({RUN!r})", f"eval({RUN!r})", "().__class__.__bases__[0].__subclasses__()", "x.__class__",
    "{0.__class__}", "%s%n", "x\x00y", "\u202ex", "x[0]", "sin(x)", "x**2", "1e999999", "10**10**10",
    "9**9**9**9", "9" * 5000, "(" * 300 + "x" + ")" * 300, "x" + "**x" * 300, "-" * 1000 + "x",
    "cpu", "cpu:0", "cpu:-1", "cpu:abc", "cuda", "cuda:0", "meta", "float32", "float64", "f8", "O", "S5",
    "float64,float64", "(2,3)f8", "int", "bool", "", " ", "\n", "demo", "--help", "-h", "demo --x",
]


def nothing_ran() -> None:
    assert not CANARY, "a hostile string was executed"


def outcome(fn: Callable[[], Any], argument: str,
            allowed: tuple[type[BaseException], ...] = (TypeError, ValueError, RuntimeError),
            value: str | None = None) -> Any:
    """Run ``fn``: it succeeds, or fails with an allowed error that names the argument (or quotes ``value``)."""
    try:
        return fn()
    except allowed as e:
        text = str(e)
        assert argument in text.lower() or (value is not None and repr(value) in text), \
            f"the error does not name the {argument}: {type(e).__name__}: {e}"
        return e
    finally:
        nothing_ran()


# ---------------------------------------------------------------- device and dtype strings

def _is_cpu(s: str) -> bool:
    kind, _, index = s.partition(":")
    return kind == "cpu" and (index == "" or (index.isascii() and index.isdigit()))


def check_device(s: str) -> None:
    for call in (lambda: sg.device(s), lambda: sg.zeros(2, device=s), lambda: sg.tensor([1.0], device=s)):
        r = outcome(call, "device")
        assert isinstance(r, Exception) != _is_cpu(s), (s, r)
    outcome(lambda: sg.ones(2).to(s), "device")


DTYPES = (sg.float16, sg.float32, sg.float64, sg.int8, sg.int16, sg.int32, sg.int64, sg.uint8, sg.bool)


def check_dtype(s: str) -> None:
    for call in (lambda: sg.zeros(2, dtype=s), lambda: sg.tensor([1.0], dtype=s), lambda: sg.ones(2).to(dtype=s)):
        r = outcome(call, "dtype")
        assert isinstance(r, Exception) or r.dtype in DTYPES


# ---------------------------------------------------------------- names, closed forms, generated code

def code_is_clean(source: str, raw: str) -> None:
    """The generated module: imports, symgrad's own helpers and dtype constants
    (``_floats``: NumPy dtypes by name), and one function whose strings are its
    docstring and, in the check of its inputs' shapes, the word ``shape``, its
    own identifiers (its name and its parameters', which ``names.Namespace``
    made) and NumPy's names of its inputs' dtypes."""
    tree = ast.parse(source)
    funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name not in HELPERS]
    assert len(funcs) == 1 and all(isinstance(n, (ast.Import, ast.ImportFrom, ast.FunctionDef)) or
                                   _is_dtype_constant(n) for n in tree.body)
    body = funcs[0].body
    assert isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)  # the docstring
    params = {a.arg for a in funcs[0].args.args}
    own_words = {"shape", funcs[0].name} | params | {"float16", "float32", "float64", "int8", "int16", "int32",
                                                     "int64", "uint8", "bool"}
    for node in ast.walk(ast.Module(body=body[1:], type_ignores=[])):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            assert node.value in own_words, f"a string in generated code: {node.value!r}"
        if isinstance(node, ast.Name):
            assert node.id.isidentifier()
    if not raw.isidentifier():
        assert raw not in params


# The helper functions symgrad writes into generated modules (fixed text, no user string).
HELPERS = {"_check_shapes", "_not_a_number", "_shape_of", "_as_array"}
DTYPE_NAMES = {"float16", "float32", "float64", "float128"}


def _is_dtype_constant(node: ast.stmt) -> bool:
    """``_floats = (numpy.dtype('float64'), *map(numpy.dtype, numpy.typecodes['Float']))``:
    NumPy's float dtypes, the traced ones by name."""
    if not (isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["_floats"]
            and isinstance(node.value, ast.Tuple) and node.value.elts):
        return False
    *named, rest = node.value.elts
    return ast.unparse(rest) == "*map(numpy.dtype, numpy.typecodes['Float'])" and all(
        isinstance(e, ast.Call) and ast.unparse(e.func) == "numpy.dtype" and len(e.args) == 1 and not e.keywords
        and isinstance(e.args[0], ast.Constant) and e.args[0].value in DTYPE_NAMES for e in named)


def check_name(s: str) -> None:
    x = outcome(lambda: sg.tensor([0.5, 1.5], requires_grad=True, name=s), "name")
    if isinstance(x, Exception):
        return
    y = (sg.sin(x) * x).sum()
    for show in (lambda: str(y.expr), lambda: repr(y), lambda: sympy.latex(y.expr), lambda: str(y.compact())):
        show()
    y.backward(retain_graph=True)
    str(x.grad.expr)
    fn = sg.gradient_function(y, x)
    code_is_clean(fn.source, s)
    value, grad = fn(np.array([0.5, 1.5]))
    assert abs(float(value) - y.item()) < 1e-12 and np.allclose(grad, x.grad.tolist())
    nothing_ran()


def check_rename(s: str) -> None:
    x = sg.tensor(1.0, requires_grad=True)

    def rename() -> Any:
        x.name = s
        return str((x * x).expr)
    outcome(rename, "name")


# ---------------------------------------------------------------- formulas

def check_formula(s: str) -> None:
    with contextlib.suppress(FormulaError):
        parse_formula(s, ["x", "y"])
    nothing_ran()
    x = sg.tensor(0.5, requires_grad=True, name="x")
    try:
        sg.verify_gradient(x * x, x, expected=s, points=3)
    except (FormulaError, TypeError, ValueError) as e:
        assert str(e).strip()
    nothing_ran()


# ---------------------------------------------------------------- command line and options

def check_command_line(argv: list[str]) -> None:
    from symgrad.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            code = main(argv)
        except SystemExit as e:  # argparse's usage error
            code = e.code
    assert code in (0, 2), (argv, out.getvalue()[-500:])
    nothing_ran()


def check_print_profile(s: str) -> None:
    try:
        r = outcome(lambda: sg.set_printoptions(profile=s), "profile")
        assert isinstance(r, Exception) != (s in ("default", "short", "full")), (s, r)
        repr(sg.ones(3))
    finally:
        sg.set_printoptions(profile="default")


def check_options(s: str) -> None:
    x, y = sg.tensor([1.0, -2.5]), sg.tensor([2.0, 2.0])
    r = outcome(lambda: sg.div(x, y, rounding_mode=s), "rounding_mode")
    assert isinstance(r, Exception) != (s in ("trunc", "floor"))
    r = outcome(lambda: sg.norm(x, p=s), "p=")
    assert isinstance(r, Exception) != (s == "fro")


def check_module_member_name(s: str) -> None:
    m = nn.Module()
    r = outcome(lambda: m.register_parameter(s, nn.Parameter(sg.ones(2))), "name", (KeyError, TypeError, ValueError),
                value=s)
    if isinstance(r, Exception):
        return
    state = m.state_dict()
    assert list(state) == [s]
    m.load_state_dict(state)
    assert [n for n, _ in m.named_parameters()] == [s]


CHECKS: list[Callable[[str], None]] = [check_device, check_dtype, check_name, check_rename, check_formula,
                                      check_print_profile, check_options, check_module_member_name]
