"""Report timings (``make bench``): cold reports for every scenario, one brief, a no-change rerun.

Targets on the 2-core reference machine: all scenarios in at most 90 s cold, one brief in at
most 10 s, a rerun with nothing changed in at most 3 s. Runs into a temporary reports folder,
so it never touches reports/. Each figure is the wall time of the commands a user types.
"""
from __future__ import annotations

import shutil
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


def main() -> int:
    scenarios = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "scenarios").glob("*.yaml"))
    reports = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    try:
        shutil.rmtree(ROOT / "data" / "processed" / ".cache", ignore_errors=True)
        cold = timed([CLI, "data", "build", "--force"],
                     [CLI, "run", *scenarios, "--reports", str(reports)])
        brief = timed([CLI, "brief", "scenarios/kihi.yaml", "--reports", str(reports)])
        rerun = timed([CLI, "data", "build"], [CLI, "run", *scenarios, "--reports", str(reports)])
    finally:
        shutil.rmtree(reports, ignore_errors=True)
    print(f"cold reports, {len(scenarios)} scenarios (data build + run): {cold:6.1f} s "
          "(target ≤ 90 s)")
    print(f"one brief regenerated (kihi, PDF + DOCX):           {brief:6.1f} s (target ≤ 10 s)")
    print(f"rerun with nothing changed (data build + run):       {rerun:6.1f} s (target ≤ 3 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
