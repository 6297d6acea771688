"""Report timings (``make bench``), each beside the time of papermill running an empty notebook
on the same machine (the floor any notebook-based report pays), as a ratio.

1. edit one scenario file and regenerate its brief (engine + brief): target ≤ 1.2 × the floor;
2. one scenario's full report (all notebooks, HTML, briefs): target ≤ 5 × (goal 3 ×);
3. all shipped scenarios cold (data build + every report + history): target ≤ 75 s on 2 cores;
4. a rerun with nothing changed (data build + run): target ≤ 0.5 ×.

The targets are those of issue 18, as ratios to the floor measured in the same run (so they
hold on a faster or slower machine), except the cold run, which is in seconds.

Runs on copies (a temporary scenarios folder and reports folder), so it never touches
scenarios/ or reports/. Each figure is the wall time of the commands a user types (the floor
and the edit -> brief path: the median of 3 runs). The load average is printed too: on a
shared machine the figures move with it.
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CLI = str(BIN / "kaltim-research")


def timed(*commands: list[str]) -> float:
    t0 = time.perf_counter()
    for cmd in commands:
        subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def empty_notebook(path: Path) -> Path:
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": "0", "metadata": {},
                     "outputs": [], "source": []}],
          "metadata": {"kernelspec": {"display_name": "Python (kaltim-research)",
                                      "language": "python", "name": "kaltim-research"}},
          "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    scen, reports = work / "scenarios", work / "reports"
    shutil.copytree(ROOT / "scenarios", scen)
    scenarios = sorted(str(p) for p in scen.glob("*.yaml"))
    load = os.getloadavg()[0]
    try:
        # The floor and the short edit -> brief path are medians of 3 (one ~2 s run moves
        # by ±0.3 s with the machine); the longer paths are single runs.
        empty = [str(BIN / "papermill"), str(empty_notebook(work / "empty.ipynb")),
                 str(work / "empty_out.ipynb"), "-k", "kaltim-research", "--no-progress-bar"]
        floor = statistics.median(timed(empty) for _ in range(3))
        shutil.rmtree(ROOT / "data" / "processed" / ".cache", ignore_errors=True)
        cold = timed([CLI, "data", "build", "--force"],
                     [CLI, "run", *scenarios, "--reports", str(reports)])
        rerun = timed([CLI, "data", "build"], [CLI, "run", *scenarios, "--reports", str(reports)])
        kihi = scen / "kihi.yaml"
        kihi.write_text(kihi.read_text(encoding="utf-8").replace("nameplate_kt: 500",
                                                                 "nameplate_kt: 450"),
                        encoding="utf-8")
        edit_brief = statistics.median(
            timed([CLI, "scenario", "run", str(kihi), "--out", str(reports / "kihi")],
                  [CLI, "brief", str(kihi), "--reports", str(reports)]) for _ in range(3))
        one = timed([CLI, "run", str(kihi), "--reports", str(reports), "--no-history",
                     "--force"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = [("edit one scenario + its brief (engine + brief, median of 3)", edit_brief, 1.2, None),
            ("one scenario, full report (notebooks, HTML, briefs)", one, 5.0, None),
            (f"all {len(scenarios)} scenarios cold (data build + reports + history)", cold,
             None, 75),
            ("rerun with nothing changed (data build + run)", rerun, 0.5, None)]
    print(f"papermill running an empty notebook (the floor, median of 3): {floor:6.1f} s; "
          f"load average at start {load:.2f} on {os.cpu_count()} CPUs")
    for label, secs, ratio, limit in rows:
        ok = (secs / floor <= ratio) if ratio else (secs <= limit)
        tgt = f"target ≤ {ratio} ×" if ratio else f"target ≤ {limit} s"
        print(f"{label:<62} {secs:6.1f} s  = {secs / floor:5.1f} × empty papermill  {tgt}"
              f"  {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
