"""Counting the work in generated code: arithmetic operations and function
calls in the body of the generated function (not its docstring, imports,
helper definitions or constants).  This is the measure of the cheap-gradient
bound: a gradient program should cost a small constant times its function.
"""

from __future__ import annotations

import ast
import re
from typing import Any

_C_CALL = re.compile(r"\b[A-Za-z_]\w*\s*\(")
_C_KEYWORDS_CALLING = re.compile(r"\b(?:if|while|for|switch|return|sizeof)\s*\(")
_C_OPERATOR = re.compile(r"&&|\|\||[<>=!]=|[-+*/%<>?]")
_C_NUMBER = re.compile(r"\b\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?")


def count_operations(source: Any, language: str | None = None) -> int:
    """Arithmetic operations and calls in the generated function's body.

    ``source`` is a generated function (its ``.source`` is read) or source
    text; ``language`` is ``"python"`` or ``"c"`` (guessed when omitted).

    >>> import symgrad
    >>> x = symgrad.tensor(2., requires_grad=True)
    >>> f = symgrad.lambdify([x], symgrad.sin(x) * x + 1)
    >>> count_operations(f)  # sin, *, +
    3
    """
    text = getattr(source, "source", source)
    if language is None:
        language = "c" if "#include" in text else "python"
    if language == "python":
        return _count_python(text)
    if language == "c":
        return _count_c(text)
    raise ValueError(f"language must be 'python' or 'c', got {language!r}")


def _count_python(text: str) -> int:
    tree = ast.parse(text)
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]
    if not functions:
        raise ValueError("no generated function found in the source")
    total = 0
    for statement in functions[-1].body:
        if _is_input_check(statement):
            continue  # the check of the inputs' shapes is not work of the function (backends/shapes.py)
        for node in ast.walk(statement):
            total += _python_cost(node)
    return total


def _is_input_check(statement: ast.stmt) -> bool:
    """``if <shapes differ>: x, y = _check_shapes(...)``, the prologue of
    generated Python code (backends/shapes.py)."""
    if not isinstance(statement, ast.If) or len(statement.body) != 1 or statement.orelse:
        return False
    inner = statement.body[0]
    call = inner.value if isinstance(inner, (ast.Expr, ast.Assign)) else None
    return isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "_check_shapes"


def _python_cost(node: ast.AST) -> int:
    if isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Call, ast.IfExp)):
        return 1
    if isinstance(node, ast.Compare):
        return len(node.ops)
    if isinstance(node, ast.BoolOp):
        return len(node.values) - 1
    return 0


def _count_c(text: str) -> int:
    body = text[text.rfind("{") + 1:text.rfind("}")] if "{" in text else text
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    total = 0
    for line in body.splitlines():
        rhs = line.split("=", 1)[1] if re.search(r"[^<>=!]=[^=]", line) else line
        rhs = _C_NUMBER.sub("0", rhs)
        total += len(_C_CALL.findall(rhs)) - len(_C_KEYWORDS_CALLING.findall(rhs))
        total += len(_C_OPERATOR.findall(rhs))
    return total
