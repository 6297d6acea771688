"""``kill -9`` at several points of ``data build`` and ``run``: nothing lost, nothing left over.

Each command runs as a subprocess in its own process group (as a shell job would) and is
killed with SIGKILL at a point chosen by time or by the progress line it printed. After every
kill the invariants must hold:

- ``data/processed`` exists and is complete (``data check`` passes: every table listed in
  ``build_info.json`` is there), i.e. the previous or the new build, never a mix or nothing;
- a scenario report is either absent or complete (every notebook, HTML, results and brief);
- the next run cleans up: no ``.NAME-*`` temp folder in ``reports/`` or next to
  ``data/processed``, and no ``kaltim-kernel-*`` folder of this project in the temp dir.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

from kaltim_research.config import PROJ_ROOT
from kaltim_research.report import integrity, runner

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "kaltim_research.cli"]
CI_SCENARIO = ROOT / "tests" / "fixtures" / "scenarios" / "ci_small.yaml"
pytestmark = pytest.mark.notebooks


def _start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([*CLI, *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def _kill(proc: subprocess.Popen) -> None:
    """SIGKILL the command's process group; kernels (own sessions) of its tree likewise."""
    try:
        tree = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        tree = []
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    for p in tree:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    proc.wait(timeout=30)
    psutil.wait_procs(tree, timeout=10)


def _kill_after(args: list[str], seconds: float | None = None, line: str | None = None) -> str:
    """Run a command and kill it after ``seconds`` or once it printed a line containing
    ``line``; returns what it printed. A command that ends first is simply waited for."""
    proc = _start(args)
    out = []
    if line is not None:
        for text in proc.stdout:
            out.append(text)
            if line in text:
                break
    else:
        time.sleep(seconds)
    _kill(proc)
    return "".join(out)


def _our_kernel_dirs() -> list[Path]:
    found = []
    for d in Path(tempfile.gettempdir()).glob(f"{integrity.KERNEL_PREFIX}*"):
        try:
            if (d / integrity.KERNEL_MARKER).read_text() == str(PROJ_ROOT):
                found.append(d)
        except OSError:
            pass
    return found


def _check_processed(processed: Path) -> None:
    assert processed.is_dir(), "data/processed is absent after a kill"
    r = subprocess.run([*CLI, "data", "check", "--processed", str(processed)], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0 and "processed tables OK" in r.stdout, r.stdout + r.stderr


def test_kill_data_build_at_several_points(tmp_path):
    processed = tmp_path / "data" / "processed"
    args = ["data", "build", "--force", "--processed", str(processed)]
    assert subprocess.run([*CLI, *args], cwd=ROOT, capture_output=True).returncode == 0
    for seconds in (0.5, 2.0, 4.0, 5.5, 6.5, 7.5, 9.0):
        _kill_after(args, seconds=seconds)
        _check_processed(processed)
    r = subprocess.run([*CLI, *args], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    _check_processed(processed)
    left = [p.name for p in processed.parent.iterdir() if p.name.startswith(".")]
    assert not left, f"temp folders of killed builds left: {left}"


def test_kill_run_at_several_points(tmp_path):
    reports = tmp_path / "reports"
    args = ["run", str(CI_SCENARIO), "--reports", str(reports), "--no-history", "--jobs", "1"]
    out_dir = reports / CI_SCENARIO.stem
    notebooks = runner.scenario_notebooks()

    def complete_or_absent() -> None:
        if out_dir.exists():
            missing = integrity.missing_outputs(out_dir, notebooks, "id")
            assert not missing, f"a partial report after a kill: missing {missing}"

    # No report yet: killed during the engine, the notebooks and the briefs.
    _kill_after(args, seconds=2.0)
    complete_or_absent()
    _kill_after(args, line="03_export_center")
    complete_or_absent()
    _kill_after(args, line="done: ci_small")  # the brief phase
    complete_or_absent()
    # A complete report, then forced reruns killed at the same points: it must stay whole.
    r = subprocess.run([*CLI, *args], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    complete_or_absent()
    assert out_dir.exists()
    for kw in ({"seconds": 2.0}, {"line": "04_kihi"}, {"line": "done: ci_small"}):
        _kill_after([*args, "--force"], **kw)
        complete_or_absent()
        assert out_dir.exists(), "the previous good report vanished"
    # The next run cleans what the killed runs left.
    r = subprocess.run([*CLI, *args], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    complete_or_absent()
    left = [p.name for p in reports.iterdir() if p.name.startswith(".")]
    assert not left, f"temp folders of killed runs left in reports/: {left}"
    inside = [p.name for p in out_dir.iterdir() if p.name.startswith(".")]
    assert not inside, f"temp files left in the report: {inside}"
    assert not _our_kernel_dirs(), f"kernel folders left: {_our_kernel_dirs()}"


def test_deleting_a_brief_makes_run_rebuild(tmp_path):
    reports = tmp_path / "reports"
    args = ["run", str(CI_SCENARIO), "--reports", str(reports), "--no-history", "--jobs", "1"]
    assert subprocess.run([*CLI, *args], cwd=ROOT, capture_output=True).returncode == 0
    brief = reports / CI_SCENARIO.stem / "brief_id.pdf"
    brief.unlink()
    r = subprocess.run([*CLI, *args], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "up to date" not in r.stdout
    assert brief.is_file() and brief.stat().st_size > 0
