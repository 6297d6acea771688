"""``kill -9`` at the points of ``run`` where a report could be lost or left half-written.

The runner builds a report in a temp folder and swaps it in whole once the notebooks, HTML
and briefs are all there. What can go wrong is therefore decided by where the kill falls
relative to that swap, not by which notebook is running, so the test runs the CI scenario
through a folder of two real notebooks (``run --notebooks``): the same code paths as the full
set at a third of the time. Killed without a report: in the engine, between notebooks, while
the briefs are written; with a good report: between notebooks and once the job is done, just
before the swap.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_kill import ROOT, _call, _kill_after, _our_kernel_dirs

from kaltim_research.report import integrity, runner

CI_SCENARIO = ROOT / "tests" / "fixtures" / "scenarios" / "ci_small.yaml"
#: Two quick notebooks (each reads results.json and draws charts, like every other).
NOTEBOOKS = ("03_export_center.ipynb", "05_connectivity.ipynb")
pytestmark = pytest.mark.notebooks


def test_kill_run_at_several_points(tmp_path):
    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir()
    for name in NOTEBOOKS:
        shutil.copy(ROOT / "notebooks" / name, nb_dir / name)
    reports = tmp_path / "reports"
    args = ["run", str(CI_SCENARIO), "--reports", str(reports), "--no-history", "--jobs", "1",
            "--notebooks", str(nb_dir)]
    out_dir = reports / CI_SCENARIO.stem
    notebooks = runner.scenario_notebooks(nb_dir)
    assert [p.name for p in notebooks] == list(NOTEBOOKS)

    def complete_or_absent() -> None:
        if out_dir.exists():
            missing = integrity.missing_outputs(out_dir, notebooks, "id")
            assert not missing, f"a partial report after a kill: missing {missing}"

    # No report yet: killed during the engine, between notebooks and in the brief phase.
    for kw in ({"seconds": 2.0}, {"line": "05_connectivity"}, {"line": "writing the briefs"}):
        _kill_after(args, **kw)
        complete_or_absent()
    # A complete report, then forced reruns killed between notebooks and in the brief phase
    # (the swap window): the report must stay whole.
    r = _call(args, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    complete_or_absent()
    assert out_dir.exists()
    # A lone scenario writes its briefs in its worker while its notebooks run; the swap is
    # after "[1/1] done".
    for kw in ({"line": "05_connectivity"}, {"line": "] done: "}):
        _kill_after([*args, "--force"], **kw)
        complete_or_absent()
        assert out_dir.exists(), "the previous good report vanished"
    # The next run cleans what the killed runs left (and finds the good report up to date).
    r = _call(args, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    complete_or_absent()
    left = [p.name for p in reports.iterdir() if p.name.startswith(".")]
    assert not left, f"temp folders of killed runs left in reports/: {left}"
    inside = [p.name for p in out_dir.iterdir() if p.name.startswith(".")]
    assert not inside, f"temp files left in the report: {inside}"
    assert not _our_kernel_dirs(), f"kernel folders left: {_our_kernel_dirs()}"


def test_deleting_a_brief_makes_run_rebuild(tmp_path):
    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir()
    shutil.copy(ROOT / "notebooks" / NOTEBOOKS[0], nb_dir / NOTEBOOKS[0])
    reports = tmp_path / "reports"
    args = ["run", str(CI_SCENARIO), "--reports", str(reports), "--no-history", "--jobs", "1",
            "--notebooks", str(nb_dir)]
    assert _call(args, capture_output=True).returncode == 0
    brief = reports / CI_SCENARIO.stem / "brief_id.pdf"
    brief.unlink()
    r = _call(args, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "up to date" not in r.stdout
    assert Path(brief).is_file() and brief.stat().st_size > 0
