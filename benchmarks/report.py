"""The results as JSON and as the Markdown tables of ``docs/benchmarks.md``.

The document keeps its hand-written text; a full run rewrites only what lies
between the ``results:start`` and ``results:end`` markers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.result import Line, format_ratio

START, END = "<!-- results:start -->", "<!-- results:end -->"


def show_value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit in ("s", "s absolute"):
        for scale, name in ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs")):
            if abs(value) >= scale:
                return f"{value / scale:.3g} {name}"
        return f"{value * 1e9:.3g} ns"
    if unit == "MiB":
        return f"{value:.1f} MiB"
    return f"{value:.2f}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def lines_table(lines: Sequence[Line]) -> str:
    rows = ["| # | case | symgrad | baseline (same run) | ratio | CPU-time ratio | target | verdict | notes |",
            "|---|---|---|---|---|---|---|---|---|"]
    for line in lines:
        baseline = line.baseline_name
        if line.baseline is not None:
            baseline += f": {show_value(line.baseline, line.unit)}"
        cpu = "-" if line.cpu_ratio is None else (show_value(line.cpu_ratio, "s") if line.unit == "s absolute"
                                                   else format_ratio(line.cpu_ratio))
        verdict = line.verdict.split(" (")[0]
        rows.append("| " + " | ".join(_cell(c) for c in (
            str(line.row), line.case, show_value(line.symgrad, line.unit), baseline, line.shown_ratio, cpu,
            line.target.text, f"**{verdict}**" if line.met is False else verdict, line.note)) + " |")
    return "\n".join(rows)


def summary_table(rows: Sequence[Any], lines: Sequence[Line]) -> str:
    """One line per row of the issue: symgrad's ratios beside the targets, and
    how many of the row's lines meet them."""
    out = ["| # | benchmark | symgrad's ratio: target | verdict |", "|---|---|---|---|"]
    for row in rows:
        mine = [line for line in lines if line.row == row.NUMBER]
        out.append(f"| {row.NUMBER} | {_cell(row.TITLE)} | {_cell(_results(mine))} | {_row_verdict(mine)} |")
    return "\n".join(out)


def _results(lines: Sequence[Line]) -> str:
    sizes = [line for line in lines if line.unit == "ops ratio" and line.ratio is not None]
    growths = [line for line in lines if line.unit == "growth" and line.ratio is not None]
    parts = [f"{line.case}: {line.shown_ratio if line.status == 'ok' else line.status} ({line.target.text})"
             for line in lines if line not in sizes and line not in growths]
    if sizes:  # row 5: many sizes of many functions, summarised by the worst
        worst = max(sizes, key=lambda line: line.ratio or 0)
        parts.append(f"largest of {len(sizes)} programs {worst.shown_ratio} ({worst.case}): {worst.target.text}")
    if growths:
        worst = max(growths, key=lambda line: line.ratio or 0)
        parts.append(f"largest growth {worst.shown_ratio} ({worst.case.split(':')[0]}): {worst.target.text}")
    return "; ".join(parts)


def _row_verdict(lines: Sequence[Line]) -> str:
    met = sum(line.met is True for line in lines)
    missed = sum(line.met is False for line in lines)
    undecided = sum(line.met is None and line.status == "ok" for line in lines)
    skipped = sum(line.status != "ok" for line in lines)
    counts = [f"{met} of {len(lines)} lines meet"] + [f"{n} {what}" for n, what in
                                                      ((missed, "miss"), (undecided, "undecided"), (skipped, "not measured"))
                                                      if n]
    head = "**misses**" if missed else ("meets" if met and not undecided and not skipped else "open")
    return f"{head} ({', '.join(counts)})"


def meta_list(meta: dict[str, Any]) -> str:
    return "\n".join(f"* {key}: {value}" for key, value in meta.items())


def markdown(rows: Sequence[Any], lines: Sequence[Line], meta: dict[str, Any]) -> str:
    return "\n\n".join(["### Summary", summary_table(rows, lines), "### Every measured line", lines_table(lines),
                        "### This run", meta_list(meta)])


def write_json(path: Path, lines: Sequence[Line], meta: dict[str, Any]) -> None:
    path.write_text(json.dumps({"meta": meta, "lines": [line.as_json() for line in lines]}, indent=2) + "\n")


def write_markdown(path: Path, text: str) -> None:
    """Replace the results between the markers, keeping the rest of the document."""
    document = path.read_text() if path.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START not in document or END not in document:
        raise ValueError(f"{path} lacks the {START} / {END} markers that delimit the generated results")
    head, rest = document.split(START, 1)
    tail = rest.split(END, 1)[1]
    path.write_text(f"{head}{START}\n\n{text}\n\n{END}{tail}")
