"""``kill -9`` at several points of ``data build`` (``run``: test_kill_run.py): nothing lost,
nothing left over.

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

import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

from kaltim_research.config import PROJ_ROOT
from kaltim_research.report import integrity

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "kaltim_research.cli"]
CI_SCENARIO = ROOT / "tests" / "fixtures" / "scenarios" / "ci_small.yaml"
pytestmark = pytest.mark.notebooks


#: The commands' own temp dir (kernel socket folders, run temp files): the check that no
#: kernel folder is left then sees only these commands', not those of tests running beside
#: this one (pytest-xdist).
PRIVATE_TMP = Path(tempfile.mkdtemp(prefix="kaltim-kill-test-"))
atexit.register(shutil.rmtree, PRIVATE_TMP, ignore_errors=True)
ENV = {**os.environ, "TMPDIR": str(PRIVATE_TMP)}


def _start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([*CLI, *args], cwd=ROOT, stdout=subprocess.PIPE, env=ENV,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def _call(args: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], cwd=ROOT, env=ENV, **kw)


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
    ``line``; returns what it printed. A command that ends first is simply waited for, but
    one that never prints ``line`` fails the test: that kill point no longer exists."""
    proc = _start(args)
    out = []
    seen = line is None
    if line is not None:
        for text in proc.stdout:
            out.append(text)
            if line in text:
                seen = True
                break
    else:
        time.sleep(seconds)
    _kill(proc)
    assert seen, f"kill point {line!r} never printed by {args}:\n" + "".join(out)
    return "".join(out)


def _our_kernel_dirs() -> list[Path]:
    found = []
    for d in PRIVATE_TMP.glob(f"{integrity.KERNEL_PREFIX}*"):
        try:
            if (d / integrity.KERNEL_MARKER).read_text() == str(PROJ_ROOT):
                found.append(d)
        except OSError:
            pass
    return found


def _check_processed(processed: Path) -> None:
    assert processed.is_dir(), "data/processed is absent after a kill"
    r = _call(["data", "check", "--processed", str(processed)], capture_output=True, text=True)
    assert r.returncode == 0 and "processed tables OK" in r.stdout, r.stdout + r.stderr


def test_kill_data_build_at_several_points(tmp_path):
    processed = tmp_path / "data" / "processed"
    args = ["data", "build", "--force", "--processed", str(processed)]
    t0 = time.perf_counter()
    assert _call(args, capture_output=True).returncode == 0
    took = time.perf_counter() - t0
    # Points spread over a build as long as the one just timed (reading, building, writing,
    # swapping), so each falls inside the build on a fast or a slow machine instead of
    # waiting for one that already ended.
    for fraction in (0.1, 0.3, 0.5, 0.7, 0.9):
        _kill_after(args, seconds=fraction * took)
        _check_processed(processed)
    r = _call(args, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    _check_processed(processed)
    left = [p.name for p in processed.parent.iterdir() if p.name.startswith(".")]
    assert not left, f"temp folders of killed builds left: {left}"


