"""The benchmark suite's smoke run (``python -m benchmarks --quick``) executes
every row and writes well-formed results, so the suite cannot rot.  No timing
is asserted: the numbers of a smoke run on a shared machine mean nothing."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
VERDICTS = ("meets", "MISSES", "undecided", "not measured (skipped")


def test_quick_run_produces_every_row(tmp_path):
    results, document = tmp_path / "results.json", tmp_path / "benchmarks.md"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--json", str(results),
                           "--markdown", str(document)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]
    data = json.loads(results.read_text())
    lines = data["lines"]
    assert {line["row"] for line in lines} == set(range(1, 11))
    for line in lines:
        assert line["verdict"].startswith(VERDICTS), line
        assert line["status"] in ("ok", "skipped"), line
        if line["status"] == "ok":
            assert isinstance(line["ratio"], float) and line["ratio"] >= 0, line
            assert line["met"] in (True, False) or line["verdict"].startswith("undecided"), line
            assert line["target"]["op"] in ("<=", ">=")
    text = document.read_text()
    assert "<!-- results:start -->" in text and "<!-- results:end -->" in text
    for row in range(1, 11):
        assert f"\n| {row} | " in text
    assert data["meta"]["mode"].startswith("quick")

    # The tables can be printed again from the saved results, measuring nothing.
    again = tmp_path / "again.md"
    done = subprocess.run([sys.executable, "-m", "benchmarks", "--render", str(results), "--markdown", str(again)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-4000:]
    assert again.read_text() == text
