"""A safe parser for formulas typed by people: ``"2*x*y"``, ``"sigmoid(x)*(1 - sigmoid(x))"``.

Nothing is ever executed: the text is parsed with Python's ``ast`` module and
the tree is walked node by node against a whitelist - numbers, the caller's
variables (``x``, and elements of array variables such as ``W[0]``), the
constants ``pi`` and ``E``, the operators ``+ - * / **`` and a fixed table of
functions.  Any other node (attribute access, calls of unknown names,
lambdas, comprehensions, ``__import__('os')`` ...) is refused with a
``FormulaError`` that names the offending piece.  There is no ``eval``,
``exec`` or ``sympify`` of the text anywhere.

The same walk builds two things: a SymPy expression (``parse_formula``, used
to verify hand derivations) or a symgrad tensor computed with symgrad's own
ops (``formula_to_tensor``, for the command line), so both read a formula the
same way.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NoReturn

__all__ = ["FormulaError", "parse_formula", "formula_to_tensor", "FUNCTIONS", "CONSTANTS"]

MAX_LENGTH = 2000
MAX_DEPTH = 60
MAX_EXPONENT = 1000  # larger integer powers make SymPy expand or compute for minutes
MAX_DIGITS = 4000  # Python prints at most 4300 digits of an integer (sys.get_int_max_str_digits)

# name -> allowed numbers of arguments.  Aliases people commonly type map to
# the same function (``Abs``/``abs``, ``ceil``/``ceiling``, ``max``/``Max``).
FUNCTIONS: dict[str, tuple[int, ...]] = {
    **{f: (1,) for f in ("sin", "cos", "tan", "exp", "sqrt", "abs", "Abs", "sign", "tanh", "sigmoid", "relu",
                         "erf", "erfc", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh",
                         "floor", "ceil", "ceiling", "log2", "log10", "log1p", "expm1", "softplus", "rsqrt",
                         "reciprocal", "arcsin", "arccos", "arctan")},
    "log": (1, 2),
    "sum": (1,), "mean": (1,),  # over all elements of an array expression, as NumPy's
    **{f: tuple(range(2, 33)) for f in ("Max", "Min", "max", "min", "maximum", "minimum")},
}
CONSTANTS = ("pi", "E")

_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_REFUSED_OPERATORS = {
    ast.BitXor: "'^' is not a power in Python syntax; write x**2 for x squared",
    ast.MatMult: "'@' (matrix product) is not supported in formulas",
    ast.Mod: "'%' is not supported in formulas",
    ast.FloorDiv: "'//' is not supported in formulas; use / (and floor(...) if you mean it)",
    ast.BitAnd: "'&' is not supported in formulas",
    ast.BitOr: "'|' is not supported in formulas",
    ast.LShift: "'<<' is not supported in formulas",
    ast.RShift: "'>>' is not supported in formulas",
}
_NODE_NAMES = {
    ast.Attribute: "attribute access", ast.Lambda: "lambda", ast.Compare: "comparisons",
    ast.BoolOp: "'and'/'or'", ast.IfExp: "conditional expressions", ast.Dict: "dict literals",
    ast.Set: "set literals", ast.ListComp: "comprehensions", ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions", ast.GeneratorExp: "generator expressions", ast.Starred: "'*' unpacking",
    ast.JoinedStr: "f-strings", ast.NamedExpr: "':=' assignment", ast.Await: "await",
    ast.Yield: "yield", ast.YieldFrom: "yield", ast.Slice: "slices",
}


class FormulaError(ValueError):
    """A formula that cannot be read safely; ``.piece`` is the offending text."""

    def __init__(self, message: str, formula: str = "", piece: str = "", column: int | None = None) -> None:
        where = f" (column {column + 1})" if column is not None else ""
        shown = f" in formula {_clip(formula)!r}" if formula else ""
        super().__init__(f"{message}{where}{shown}")
        self.formula = formula
        self.piece = piece
        self.column = column


def parse_formula(text: str, variables: Mapping[str, Any] | Iterable[str] | None = None, *,
                  max_length: int = MAX_LENGTH, max_depth: int = MAX_DEPTH) -> Any:
    """The SymPy expression of a formula string, built without executing anything.

    ``variables`` maps names to SymPy symbols (or arrays of them, indexable
    as ``W[0]``), or lists the allowed names (each becomes a real symbol);
    ``None`` allows any name.  A list literal gives a ``sympy.Array``.

    >>> from symgrad.parsing import parse_formula
    >>> parse_formula("2*x*y")
    2*x*y
    >>> parse_formula("sigmoid(x)*(1 - sigmoid(x))", ["x"])
    (1 - 1/(1 + exp(-x)))/(1 + exp(-x))
    >>> parse_formula("__import__('os').system('ls')")
    Traceback (most recent call last):
    ...
    symgrad.parsing.FormulaError: attribute access '.system' is not allowed (column 17) in formula "__import__('os').system('ls')"
    """
    from symgrad import _formula_sympy

    tree = _parse(text, max_length)
    names = _normalize_variables(variables, _formula_sympy.symbol)
    return _Walker(text, _formula_sympy.SympyTarget(names), max_depth).build(tree)


def formula_to_tensor(text: str, variables: Mapping[str, Any], *, max_length: int = MAX_LENGTH,
                      max_depth: int = MAX_DEPTH) -> Any:
    """Compute a formula with symgrad ops on the given tensors (so it has a
    graph and derivatives), parsing it as safely as ``parse_formula``.

    >>> import symgrad
    >>> from symgrad.parsing import formula_to_tensor
    >>> x = symgrad.tensor(2., requires_grad=True)
    >>> z = formula_to_tensor("x**2 + sin(x)", {"x": x})
    >>> symgrad.diff(z, x)
    2*x + cos(x)
    """
    from symgrad import _formula_tensor

    if not isinstance(variables, Mapping):
        raise TypeError(f"formula_to_tensor: variables must be a dict of name -> tensor, got "
                        f"{type(variables).__name__}")
    tree = _parse(text, max_length)
    return _Walker(text, _formula_tensor.TensorTarget(dict(variables)), max_depth).build(tree)


# ---------------------------------------------------------------- reading the text

def _parse(text: Any, max_length: int) -> ast.expr:
    if not isinstance(text, str):
        raise TypeError(f"a formula must be a string, got {type(text).__name__}")
    if not text.strip():
        raise FormulaError("the formula is empty; write an expression such as 2*x*y")
    if len(text) > max_length:
        raise FormulaError(f"the formula is {len(text)} characters long, more than the limit of {max_length}; "
                           "split it up or pass max_length=...")
    bad = next((c for c in text if not c.isprintable() and c not in " \t\n"), None)
    if bad is not None:
        raise FormulaError(f"the formula contains the control character {bad!r}; remove it", text, bad,
                           text.index(bad))
    try:
        return ast.parse(text.strip(), mode="eval").body
    except SyntaxError as e:
        col = (e.offset - 1) if e.offset else None
        raise FormulaError(f"this is not a valid formula ({e.msg})", text, "", col) from None
    except (RecursionError, MemoryError, ValueError):
        raise FormulaError("the formula is nested too deeply to read", text) from None


def _normalize_variables(variables: Any, make_symbol: Callable[[str], Any]) -> dict[str, Any] | None:
    if variables is None:
        return None
    if isinstance(variables, str):
        raise TypeError("variables must be a dict or a list of names, not a single string; "
                        f"write [{variables!r}]")
    if isinstance(variables, Mapping):
        names = dict(variables)
    else:
        names = {n: make_symbol(n) for n in variables}
    for n in names:
        if not isinstance(n, str):
            raise TypeError(f"variable names must be strings, got {n!r}")
    return names


# ---------------------------------------------------------------- the walk

class _Walker:
    """Checks each node against the whitelist and asks ``target`` to build it.

    Recursion is bounded by ``max_depth`` (checked before descending), so
    hostile nesting gives a FormulaError, never a RecursionError.
    """

    def __init__(self, text: str, target: Any, max_depth: int) -> None:
        self.text = text.strip()
        self.target = target
        self.max_depth = max_depth

    def build(self, node: ast.expr) -> Any:
        if isinstance(node, (ast.List, ast.Tuple)):
            rows = self._rows(node, 1)
            try:
                return self.target.array(rows)
            except (ValueError, TypeError, RuntimeError) as e:
                self._fail(f"the list is not a rectangular array of numbers or expressions ({e})", node)
        return self.target.finish(self._expr(node, 1))

    def _rows(self, node: ast.expr, depth: int) -> Any:
        self._check_depth(node, depth)
        if isinstance(node, (ast.List, ast.Tuple)):
            if not node.elts:
                self._fail("an empty list has no value", node)
            return [self._rows(e, depth + 1) for e in node.elts]
        return self._expr(node, depth)

    def _expr(self, node: ast.expr, depth: int) -> Any:
        self._check_depth(node, depth)
        if isinstance(node, ast.Constant):
            return self._number(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.BinOp):
            return self._binop(node, depth)
        if isinstance(node, ast.UnaryOp):
            return self._unary(node, depth)
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        if isinstance(node, ast.Subscript):
            return self._element(node)
        if isinstance(node, (ast.List, ast.Tuple)):
            self._fail("lists may only appear as the whole formula (e.g. [2*x, 3*y])", node)
        self._fail(f"{_NODE_NAMES.get(type(node), type(node).__name__)} {self._piece(node)!r} is not allowed",
                   node)

    def _check_depth(self, node: ast.AST, depth: int) -> None:
        if depth > self.max_depth:
            self._fail(f"the formula is nested more than {self.max_depth} levels deep; simplify it or pass "
                       "max_depth=...", node)

    def _number(self, node: ast.Constant) -> Any:
        v = node.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self._fail(f"the constant {self._piece(node)!r} is not a number", node)
        if isinstance(v, float) and not math.isfinite(v):
            self._fail(f"the number {self._piece(node)!r} is out of range", node)
        return self.target.number(v, self._piece(node))

    def _name(self, node: ast.Name) -> Any:
        name = node.id
        if name.startswith("__"):
            self._fail(f"the name {name!r} is not allowed", node)
        if name in FUNCTIONS:
            self._fail(f"{name} is a function; call it, as in {name}(x)", node)
        value = self.target.name(name)
        if value is None:
            known = self.target.known_names()
            hint = f"; known variables: {', '.join(sorted(known))}" if known else ""
            self._fail(f"unknown name {name!r}{hint}", node)
        return value

    def _element(self, node: ast.Subscript) -> Any:
        if not isinstance(node.value, ast.Name):
            self._fail(f"only elements of variables can be indexed, as in W[0]; got {self._piece(node)!r}", node)
        index = node.slice
        parts = index.elts if isinstance(index, ast.Tuple) else [index]
        ints = []
        for p in parts:
            if not (isinstance(p, ast.Constant) and type(p.value) is int and p.value >= 0):
                self._fail(f"an index must be a non-negative whole number, as in W[0] or W[0, 1]; got "
                           f"{self._piece(p)!r}", p)
            ints.append(p.value)
        try:
            return self.target.element(node.value.id, tuple(ints))
        except (KeyError, IndexError, TypeError) as e:
            self._fail(str(e.args[0]) if e.args else f"cannot index {self._piece(node)!r}", node)

    def _binop(self, node: ast.BinOp, depth: int) -> Any:
        op = _OPERATORS.get(type(node.op))
        if op is None:
            self._fail(_REFUSED_OPERATORS.get(type(node.op), "this operator is not supported"), node)
        a = self._expr(node.left, depth + 1)
        b = self._expr(node.right, depth + 1)
        if op == "**" and self.target.too_large_power(a, b, MAX_EXPONENT):
            self._fail(f"the power {self._piece(node)!r} is too large (whole-number exponents are limited to "
                       f"{MAX_EXPONENT}, and numbers to {MAX_DIGITS} digits)", node)
        try:
            return self.target.binop(op, a, b)
        except (ValueError, RuntimeError, ArithmeticError) as e:  # shapes that do not broadcast, 1/0
            self._fail(f"cannot compute {self._piece(node)!r}: {e}", node)

    def _unary(self, node: ast.UnaryOp, depth: int) -> Any:
        if isinstance(node.op, ast.USub):
            return self.target.neg(self._expr(node.operand, depth + 1))
        if isinstance(node.op, ast.UAdd):
            return self._expr(node.operand, depth + 1)
        what = "'not'" if isinstance(node.op, ast.Not) else "'~'"
        self._fail(f"{what} is not supported in formulas", node)

    def _call(self, node: ast.Call, depth: int) -> Any:
        func = node.func
        if isinstance(func, ast.Attribute):
            self._fail(f"attribute access {self._piece(func)!r} is not allowed", func)
        if not isinstance(func, ast.Name):
            self._fail(f"only the known functions can be called; {self._piece(func)!r} is not one of them", func)
        name = func.id
        if name not in FUNCTIONS:
            self._fail(f"unknown function {name!r}; known functions: {', '.join(sorted(FUNCTIONS))}", func)
        if node.keywords:
            self._fail(f"{name}() takes no keyword arguments", node.keywords[0].value)
        arity = FUNCTIONS[name]
        if len(node.args) not in arity:
            want = " or ".join(str(n) for n in arity) if len(arity) < 3 else f"at least {arity[0]}"
            self._fail(f"{name}() takes {want} argument(s), got {len(node.args)}", node)
        args = [self._expr(a, depth + 1) for a in node.args]
        try:
            return self.target.call(name, args)
        except (ValueError, ArithmeticError) as e:  # log(0), log(x, 1)
            self._fail(f"cannot compute {self._piece(node)!r}: {e}", node)

    # ------------------------------------------------------------ errors

    def _piece(self, node: ast.AST) -> str:
        piece = ast.get_source_segment(self.text, node)
        if isinstance(node, ast.Attribute):
            piece = "." + node.attr
        return _clip(piece or type(node).__name__, 40)

    def _fail(self, message: str, node: ast.AST) -> NoReturn:
        col = getattr(node, "col_offset", None)
        if isinstance(node, ast.Attribute):
            col = getattr(node.value, "end_col_offset", col)
        raise FormulaError(message, self.text, self._piece(node), col)


def _clip(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."
