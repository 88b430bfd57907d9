"""``python -m benchmarks``: run the rows, print the tables, write the results.

    python -m benchmarks            # full run: benchmarks/results.json and docs/benchmarks.md
    python -m benchmarks --quick    # smoke run: every row on tiny sizes, writes nothing unless asked
    python -m benchmarks --only 1,3 # some rows
    python -m benchmarks --render benchmarks/results.json   # re-print the docs tables, measuring nothing
    python -m benchmarks --only 3,8 --merge  # re-measure some rows into the saved results and the docs tables

A row that fails is reported as an error line (with the exception) and the
run goes on, so one broken peer does not hide the other rows; the exit
status is then 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks.config import FULL_RUN, QUICK_RUN
from benchmarks.fresh import ROOT
from benchmarks.meta import describe
from benchmarks.report import markdown, write_json, write_markdown
from benchmarks.result import Line, Target
from benchmarks.rows import ROWS

DEFAULT_JSON = ROOT / "benchmarks" / "results.json"
DEFAULT_MARKDOWN = ROOT / "docs" / "benchmarks.md"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="symgrad's benchmark suite (issue 7)")
    parser.add_argument("--quick", action="store_true", help="smoke run: tiny sizes, few repeats")
    parser.add_argument("--only", help="comma-separated row numbers, e.g. 1,3")
    parser.add_argument("--sympy-timeout", type=float, help="seconds before a SymPy run is stopped (full run: 300)")
    parser.add_argument("--json", type=Path, help=f"results file (full run default: {DEFAULT_JSON})")
    parser.add_argument("--markdown", type=Path, help=f"document to update (full run default: {DEFAULT_MARKDOWN})")
    parser.add_argument("--render", type=Path, metavar="RESULTS_JSON",
                        help="measure nothing: rewrite the tables of --markdown (default: the docs page) from a results file")
    parser.add_argument("--merge", action="store_true",
                        help="with --only: replace those rows' lines in the results file (default: "
                             f"{DEFAULT_JSON.name}) and rewrite the docs tables; the other rows keep their numbers")
    args = parser.parse_args(argv)
    if args.merge and not args.only:
        parser.error("--merge needs --only (the rows to re-measure)")
    return args


def merge(results: Path, lines: list[Line], meta: dict[str, Any], document: Path) -> None:
    """``lines`` in place of their rows' lines in ``results``, and the tables rewritten.
    The run's description keeps the original run's and says which rows were measured again, when."""
    data = json.loads(results.read_text())
    numbers = sorted({line.row for line in lines})
    kept = [Line.from_json(line) for line in data["lines"] if line["row"] not in numbers]
    merged = sorted(kept + lines, key=lambda line: line.row)  # (stable: each row's lines keep their order)
    shown = ", ".join(map(str, numbers))
    merged_meta = {key: value for key, value in data["meta"].items() if not key.startswith("rows ")}
    merged_meta[f"rows {shown} measured again"] = (f"{meta['date']}, {meta['symgrad'].split(' at ')[-1]}, "
                                                   f"{meta['machine'].split(', ', 2)[-1]}")
    write_json(results, merged, merged_meta)
    rows = [row for row in ROWS if any(line.row == row.NUMBER for line in merged)]
    write_markdown(document, markdown(rows, merged, merged_meta))


def render(results: Path, document: Path) -> int:
    """The tables again from saved results (after a change to how they are printed)."""
    data = json.loads(results.read_text())
    lines = [Line.from_json(line) for line in data["lines"]]
    rows = [row for row in ROWS if any(line.row == row.NUMBER for line in lines)]
    write_markdown(document, markdown(rows, lines, data["meta"]))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.render:
        return render(args.render, args.markdown or DEFAULT_MARKDOWN)
    config = QUICK_RUN if args.quick else FULL_RUN
    if args.sympy_timeout:
        config = replace(config, sympy_timeout=args.sympy_timeout)
    chosen = {int(n) for n in args.only.split(",")} if args.only else None
    rows = [row for row in ROWS if chosen is None or row.NUMBER in chosen]
    meta = describe(config)
    lines: list[Line] = []
    failed = False
    for row in rows:
        start = time.perf_counter()
        print(f"row {row.NUMBER}: {row.TITLE} ...", file=sys.stderr, flush=True)
        try:
            new = row.run(config)
        except Exception as error:  # reported as a line: the other rows still run
            traceback.print_exc()
            failed = True
            new = [Line(row.NUMBER, "the row raised", Target("<=", 0.0, "-"), status="error",
                        note=f"{type(error).__name__}: {error}")]
        for line in new:
            print(f"  {line.case}: {line.verdict}", file=sys.stderr, flush=True)
        print(f"  ({time.perf_counter() - start:.1f} s)", file=sys.stderr, flush=True)
        lines.extend(new)
    text = markdown(rows, lines, meta)
    print(text)
    if args.merge:
        merge(args.json or DEFAULT_JSON, lines, meta, args.markdown or DEFAULT_MARKDOWN)
        return 1 if failed else 0
    json_path = args.json or (None if args.quick or chosen else DEFAULT_JSON)
    markdown_path = args.markdown or (None if args.quick or chosen else DEFAULT_MARKDOWN)
    if json_path:
        write_json(json_path, lines, meta)
    if markdown_path:
        write_markdown(markdown_path, text)
    return 1 if failed else 0
