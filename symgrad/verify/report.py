"""The verification report: a table in a terminal, HTML and LaTeX in Jupyter,
truthy only when every variable matches."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import sympy

__all__ = ["GradientReport", "VariableCheck", "Counterexample", "PROVED_EQUAL", "PROVED_DIFFERENT",
           "NUMERICALLY_EQUAL", "NOT_COMPARED"]

PROVED_EQUAL = "proved equal"
PROVED_DIFFERENT = "proved different"
NUMERICALLY_EQUAL = "equal at {n} random points but not proved"
NOT_COMPARED = "could not compare"

_CELL = 38  # widest expression shown in the terminal table; details show everything


@dataclass
class Counterexample:
    """A point where the two differ: the variables' values there, the element
    (for array variables) and both values."""

    point: dict[str, str]
    index: tuple[int, ...]
    symgrad: float
    expected: float

    def __str__(self) -> str:
        at = ", ".join(f"{k} = {v}" for k, v in self.point.items())
        element = f" (element {list(self.index)})" if self.index else ""
        return f"at {at}{element}: symgrad gives {self.symgrad:.10g}, the hand derivation gives {self.expected:.10g}"


@dataclass
class VariableCheck:
    """The result for one variable."""

    name: str
    symgrad: Any
    expected: str
    verdict: str
    points: int = 0
    max_abs: float | None = None
    max_rel: float | None = None
    counterexample: Counterexample | None = None
    difference: Any = None
    factor: Any = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Proved equal, or equal at every sampled point."""
        return self.verdict == PROVED_EQUAL or self.verdict.startswith("equal at")

    @property
    def proved(self) -> bool:
        return self.verdict == PROVED_EQUAL

    def explanation(self) -> list[str]:
        """Sentences about a mismatch: the factor, the difference, the counterexample."""
        lines = []
        if self.factor is not None:
            lines.append(_factor_sentence(self.factor))
        if self.difference is not None:
            lines.append(f"symgrad - expected simplifies to: {self.difference}")
        if self.counterexample is not None:
            lines.append(f"counterexample {self.counterexample}")
        return lines + self.notes


def _factor_sentence(factor: Any) -> str:
    if factor == -1:
        return "the hand derivation has the opposite sign (symgrad = -1 * expected): a sign error"
    return (f"symgrad = {factor} * expected: the hand derivation is off by a constant factor "
            f"(it misses a factor of {factor})")


class GradientReport:
    """Per-variable results of ``verify_gradient``; ``bool(report)`` is True
    only when every variable matches."""

    def __init__(self, function: Any, checks: list[VariableCheck]) -> None:
        self.function = function
        self.checks = checks

    def __bool__(self) -> bool:
        return self.ok

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def proved(self) -> bool:
        """Every variable proved equal (not only equal at the sampled points)."""
        return all(c.proved for c in self.checks)

    def __getitem__(self, name: str) -> VariableCheck:
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(f"no variable {name!r} in this report; variables: {', '.join(c.name for c in self.checks)}")

    def __iter__(self) -> Any:
        return iter(self.checks)

    def __len__(self) -> int:
        return len(self.checks)

    # ------------------------------------------------------------ terminal

    def __str__(self) -> str:
        head = ["variable", "verdict", "max abs diff", "max rel diff", "symgrad's closed form", "expected"]
        rows = [[c.name, c.verdict, _num(c.max_abs), _num(c.max_rel), _clip(str(c.symgrad)), _clip(c.expected)]
                for c in self.checks]
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
        fmt = "  ".join(f"{{:<{w}}}" for w in widths)
        summary = "all match" if self.ok else "MISMATCH"
        lines = [f"Gradient check of f = {_clip(str(self.function), 70)}: {summary}", fmt.format(*head).rstrip(),
                 fmt.format(*("-" * w for w in widths))]
        lines += [fmt.format(*r).rstrip() for r in rows]
        for c in self.checks:
            details = c.explanation()
            if details or len(str(c.symgrad)) > _CELL or len(c.expected) > _CELL:
                lines.append("")
                lines.append(f"{c.name}: {c.verdict}")
                lines.append(f"  symgrad:  {c.symgrad}")
                lines.append(f"  expected: {c.expected}")
                lines += [f"  {d}" for d in details]
        return "\n".join(lines)

    __repr__ = __str__

    # ------------------------------------------------------------ Jupyter

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{h}</th>" for h in ("variable", "verdict", "max abs diff", "max rel diff",
                                                   "symgrad's closed form", "expected", "details"))
        body = "".join(self._html_row(c) for c in self.checks)
        verdict = "all match" if self.ok else "<b style='color:#b00'>mismatch</b>"
        return (f"<div><p>Gradient check of <code>{html.escape(str(self.function))}</code>: {verdict}</p>"
                f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")

    @staticmethod
    def _html_row(c: VariableCheck) -> str:
        color = "#070" if c.ok else "#b00"
        cells = [html.escape(c.name), f"<span style='color:{color}'>{html.escape(c.verdict)}</span>",
                 _num(c.max_abs), _num(c.max_rel), f"${_latex(c.symgrad)}$", html.escape(c.expected),
                 "<br>".join(html.escape(d) for d in c.explanation())]
        return "<tr>" + "".join(f"<td>{x}</td>" for x in cells) + "</tr>"

    def _repr_latex_(self) -> str:
        rows = [rf"\text{{{_tex_text(c.name)}}} & \text{{{_tex_text(c.verdict)}}} & {_latex(c.symgrad)} & "
                rf"\text{{{_tex_text(_clip(c.expected, 60))}}} \\" for c in self.checks]
        return ("$$\\begin{array}{llll}\n\\text{variable} & \\text{verdict} & \\text{symgrad} & "
                "\\text{expected} \\\\\n\\hline\n" + "\n".join(rows) + "\n\\end{array}$$")


def _num(v: float | None) -> str:
    return "-" if v is None else f"{v:.3g}"


def _clip(text: str, n: int = _CELL) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


def _latex(e: Any) -> str:
    try:
        return str(sympy.latex(e))
    except Exception:  # pragma: no cover - printing never blocks the report
        return html.escape(str(e))


def _tex_text(s: str) -> str:
    for ch, rep in (("\\", r"\backslash "), ("{", r"\{"), ("}", r"\}"), ("_", r"\_"), ("#", r"\#"),
                    ("$", r"\$"), ("%", r"\%"), ("&", r"\&"), ("^", r"\^{}"), ("~", r"\~{}")):
        s = s.replace(ch, rep)
    return s
