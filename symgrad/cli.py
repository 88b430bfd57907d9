"""The ``symgrad`` command line (also ``python -m symgrad``).

* ``symgrad diff "x*x*y" --wrt x [--order 2] [--at x=2,y=3] [--latex]``
* ``symgrad grad "x*x*y" [--wrt x,y] [--at x=2,y=3] [--latex]``
* ``symgrad codegen "x*x*y" [--wrt x,y] [--backend numpy|math|jax|torch|c]``
* ``symgrad demo`` (the default): the seed article's examples

Formulas are read by the safe parser (``symgrad.parsing``), never ``eval``'d.
Bad input gets a one-line ``symgrad: error: ...`` on stderr and exit status
2, never a traceback.

>>> from symgrad.cli import main
>>> main(["diff", "x*x*y", "--wrt", "x", "--order", "2", "--at", "x=2,y=3"])
2*y
6
0
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any

USAGE_ERROR = 2  # argparse's own status for bad arguments
INTERNAL_ERROR = 1

_FORMULA_HELP = ('a formula in Python syntax, e.g. "x*x*y" or "sin(x)/x": numbers, variables, + - * / **, '
                 "and functions such as sin, exp, log, sqrt, tanh, sigmoid, relu (a formula starting with "
                 "'-' goes last, after '--': symgrad diff --wrt x -- \"-x*y\")")
_AT_HELP = "values of all the variables, e.g. x=2,y=3 (without it only closed forms are printed)"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with a sub-command per job."""
    parser = argparse.ArgumentParser(prog="symgrad", description="Numeric and symbolic derivatives.")
    sub = parser.add_subparsers(dest="command", metavar="{diff,grad,codegen,demo}")

    d = sub.add_parser("diff", help="a derivative of a formula: closed form, and value with --at",
                       description="Print the closed form of a derivative, then its value if --at is given.")
    d.add_argument("formula", help=_FORMULA_HELP)
    d.add_argument("--wrt", type=_names, help="the variable (x), or variables in turn (x,y); "
                                               "optional when the formula has one variable")
    d.add_argument("--order", type=int, default=1, help="how many times to differentiate (default 1)")
    d.add_argument("--at", help=_AT_HELP)
    d.add_argument("--latex", action="store_true", help="print the closed form as LaTeX")

    g = sub.add_parser("grad", help="the gradient of a formula: one line per variable",
                       description="Print ∂f/∂x = closed form (= value with --at) for each variable.")
    g.add_argument("formula", help=_FORMULA_HELP)
    g.add_argument("--wrt", type=_names, help="variables, e.g. x,y (default: all of them)")
    g.add_argument("--at", help=_AT_HELP)
    g.add_argument("--latex", action="store_true", help="print the closed forms as LaTeX")

    c = sub.add_parser("codegen", help="the source of a generated value-and-gradient function",
                       description="Print the source code of a function returning the formula's value and "
                                   "gradient, generated from symgrad's graph.")
    c.add_argument("formula", help=_FORMULA_HELP)
    c.add_argument("--wrt", type=_names, help="variables, e.g. x,y (default: all of them)")
    c.add_argument("--backend", default="numpy", help="numpy (default), math, jax, torch or c")

    sub.add_parser("demo", help="walk through the seed examples: values and closed forms",
                   description="The seed article's examples, each with its value and closed form.")
    return parser


def _names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",")]
    if not all(n.isidentifier() for n in names):
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of variable names")
    return names


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    run = _COMMANDS[args.command or "demo"]
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RuntimeWarning)
            status = run(args)
    except Exception as e:  # one line, never a traceback (SYMGRAD_DEBUG=1 shows it)
        if os.environ.get("SYMGRAD_DEBUG"):
            raise
        return _fail(e)
    for message in dict.fromkeys(str(w.message) for w in caught):
        print(f"symgrad: note: {message}", file=sys.stderr)  # e.g. log of a negative value
    return status


def _fail(e: Exception) -> int:
    from symgrad.commands import UsageError

    if isinstance(e, UsageError):
        print(f"symgrad: error: {e}", file=sys.stderr)
        return USAGE_ERROR
    message = str(e).splitlines()[0] if str(e) else ""
    print(f"symgrad: error: {type(e).__name__}: {message}", file=sys.stderr)
    return INTERNAL_ERROR


def _diff(args: argparse.Namespace) -> int:
    from symgrad.commands import diff_lines

    print("\n".join(diff_lines(args.formula, args.wrt, args.order, args.at, args.latex)))
    return 0


def _grad(args: argparse.Namespace) -> int:
    from symgrad.commands import grad_lines

    print("\n".join(grad_lines(args.formula, args.wrt, args.at, args.latex, partial=_partial_sign())))
    return 0


def _partial_sign() -> str:
    """``∂`` where the terminal can print it, else ``d``."""
    try:
        "∂".encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return "d"
    return "∂"


def _codegen(args: argparse.Namespace) -> int:
    from symgrad.commands import codegen_source

    print(codegen_source(args.formula, args.wrt, args.backend), end="")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from symgrad.demo import run

    run()
    return 0


_COMMANDS: dict[str, Callable[[Any], int]] = {"diff": _diff, "grad": _grad, "codegen": _codegen, "demo": _demo}
