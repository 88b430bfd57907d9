"""The command line end to end, through a subprocess: results, --help, and
one-line errors (never a traceback) for bad formulas, unknown variables,
malformed --at and hostile strings."""

from __future__ import annotations

import importlib.util
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
needs_codegen = pytest.mark.skipif(importlib.util.find_spec("symgrad.codegen") is None,
                                   reason="symgrad.codegen (the code generation branch) has not landed here")


def symgrad(*args: str, script: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
               PYTHONIOENCODING="utf-8")
    env.pop("SYMGRAD_DEBUG", None)
    cmd = [script, *args] if script else [sys.executable, "-m", "symgrad", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)


def assert_one_line_error(r: subprocess.CompletedProcess[str], *pieces: str) -> None:
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("symgrad: error: "), r.stderr
    for piece in pieces:
        assert piece in lines[0]


# ---------------------------------------------------------------- results

def test_second_derivative_of_the_seed():
    r = symgrad("diff", "x*x*y", "--wrt", "x", "--order", "2", "--at", "x=2,y=3")
    assert (r.returncode, r.stdout, r.stderr) == (0, "2*y\n6\n", "")


def test_diff_without_values_prints_the_closed_form_only():
    assert symgrad("diff", "sin(x)/x").stdout == "cos(x)/x - sin(x)/x**2\n"


def test_diff_latex_and_mixed_partials():
    r = symgrad("diff", "x*x*y", "--wrt", "x,y", "--at", "x=2,y=3", "--latex")
    assert r.stdout == "2 x\n4\n"


def test_grad_prints_each_partial_with_its_value():
    r = symgrad("grad", "x*x*y", "--wrt", "x,y", "--at", "x=2,y=3")
    assert r.stdout == "∂f/∂x = 2*x*y = 12\n∂f/∂y = x**2 = 4\n"


@needs_codegen
def test_codegen_prints_a_runnable_numpy_function():
    r = symgrad("codegen", "x*x*y", "--wrt", "x,y")
    assert r.returncode == 0, r.stderr
    namespace: dict[str, object] = {}
    exec(compile(r.stdout, "generated", "exec"), namespace)  # our own generated code, not user input
    assert namespace["value_and_grad"](2., 3.) == (12., (12., 4.))


@needs_codegen
def test_codegen_c_backend():
    r = symgrad("codegen", "x*x*y", "--backend", "c")
    assert r.returncode == 0 and "void value_and_grad(double x, double y" in r.stdout


def test_demo_is_the_default():
    r = symgrad()
    assert r.returncode == 0 and "closed form: 2*x*y" in r.stdout


def test_console_script():
    script = pathlib.Path(sys.executable).with_name("symgrad")
    if not script.exists():
        pytest.skip("the symgrad console script is not installed next to this Python (pip install -e .)")
    r = symgrad("diff", "x*x*y", "--wrt", "x", "--order", "2", "--at", "x=2,y=3", script=str(script))
    assert r.stdout == "2*y\n6\n"


@pytest.mark.parametrize("command", [[], ["diff"], ["grad"], ["codegen"], ["demo"]])
def test_help_for_every_command(command):
    r = symgrad(*command, "--help")
    assert r.returncode == 0 and r.stdout.startswith("usage: symgrad")


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("args, pieces", [
    (["diff", "x*y", "--wrt", "z"], ["unknown variable 'z'", "x, y"]),
    (["diff", "x*y", "--at", "x=1,y=2"], ["--wrt x"]),
    (["diff", "x*", "--wrt", "x"], ["not a valid formula"]),
    (["diff", "x^2", "--wrt", "x"], ["x**2"]),
    (["diff", "foo(x)", "--wrt", "x"], ["unknown function 'foo'"]),
    (["diff", "x", "--order", "0"], ["--order"]),
    (["grad", "x*y", "--at", "x=2"], ["no value for y"]),
    (["grad", "x*y", "--at", "x=2,y"], ["malformed --at item 'y'"]),
    (["grad", "x*y", "--at", "x=2;y=3"], ["'2;y=3' is not a number"]),
    (["grad", "x*y", "--at", "x=2,y=three"], ["'three' is not a number"]),
    (["grad", "x*y", "--at", "x=2,y=nan"], ["finite"]),
    (["grad", "x*y", "--at", "x=1,y=2,z=3"], ["z, which the formula does not use"]),
    (["grad", "x*y", "--at", "x=1,x=2,y=3"], ["x twice"]),
    (["grad", "2*3"], ["no variables"]),
    pytest.param(["codegen", "x*y", "--backend", "fortran"], ["unknown backend 'fortran'"], marks=needs_codegen),
])
def test_bad_input_is_one_line(args, pieces):
    assert_one_line_error(symgrad(*args), *pieces)


HOSTILE = [
    "__import__('os').system('touch {marker}')",
    "x.__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "eval('__import__(\"os\").system(\"touch {marker}\")')",
    "exec('import os')",
    "open('{marker}', 'w')",
    "getattr(x, 'real')",
    "lambda: 1",
    "[c for c in 'ab']",
    "x if x else 1",
    "__builtins__",
    "x; import os",
    "import os",
    "x\x07",
    "x" + "+x" * 3000,
    "sin(" * 200 + "x" + ")" * 200,
    "9**9**9**9",
    "f'{{x}}'",
]


@pytest.mark.parametrize("formula", HOSTILE, ids=[f"hostile{i}" for i in range(len(HOSTILE))])
def test_hostile_formulas_are_refused(formula, tmp_path):
    marker = tmp_path / "pwned"
    r = symgrad("diff", formula.format(marker=marker), "--wrt", "x")
    assert_one_line_error(r)
    assert not marker.exists()
    assert "Traceback" not in r.stderr


def test_codegen_without_the_code_generator_is_a_clear_error():
    if importlib.util.find_spec("symgrad.codegen") is not None:
        pytest.skip("symgrad.codegen is installed")
    assert_one_line_error(symgrad("codegen", "x*y"), "no code generator")


def test_argument_errors_do_not_trace_back():
    r = symgrad("diff", "x", "--order", "two")
    assert r.returncode == 2 and "Traceback" not in r.stderr and "invalid int value" in r.stderr


def test_demo_ends_with_the_seed_regression_as_formulas():
    r = symgrad("demo")
    assert r.returncode == 0, r.stderr
    assert "epoch  0, loss 131.6" in r.stdout and "epoch 80, loss 0.16" in r.stdout  # manual_seed(0): the same run
    assert "closed form: 10*linear.bias[0] + 70*linear.weight[0, 0] - 150" in r.stdout
