"""Every notebook runs through papermill on the small CI scenario; golden copies do not drift."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import papermill
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SCENARIO_NBS = [nb for nb in NOTEBOOKS if not nb.name.startswith("01_")]
CI_SCENARIO = "tests/fixtures/scenarios/ci_small.yaml"
GOLDEN = ROOT / "tests" / "golden"


@pytest.mark.notebooks
@pytest.mark.parametrize("notebook", SCENARIO_NBS, ids=lambda p: p.stem)
def test_scenario_notebook_runs_and_writes_results(notebook, tmp_path):
    run_dir = tmp_path / "run"
    papermill.execute_notebook(str(notebook), str(tmp_path / notebook.name),
                               parameters={"scenario": CI_SCENARIO, "results_dir": str(run_dir),
                                           "draws": 300, "seed": 11},
                               kernel_name="kaltim-research", cwd=str(tmp_path),
                               progress_bar=False)
    summary = json.loads((run_dir / "results.json").read_text())
    assert summary["provenance"]["draws"] == 300 and summary["provenance"]["seed"] == 11
    for h in summary["headline"]:
        parts = sum(h["components_mean"].values())
        assert parts == pytest.approx(h["total_mean"], rel=1e-9), h["province"]
        assert h["total_p10"] <= h["total_p50"] <= h["total_p90"]
    assert {h["basis"] for h in summary["headline"]} == {"port_of_loading", "origin"}


@pytest.mark.notebooks
@pytest.mark.parametrize("province", ["Kalimantan Timur", "Kalimantan Utara"])
def test_history_notebook_runs_for_each_province(province, tmp_path):
    nb = ROOT / "notebooks" / "01_historical_exports.ipynb"
    out = tmp_path / "01.ipynb"
    papermill.execute_notebook(str(nb), str(out), parameters={"province": province},
                               kernel_name="kaltim-research", cwd=str(tmp_path),
                               progress_bar=False)
    text = json.dumps(nbformat.read(str(out), as_version=4))
    assert "Traceback" not in text


def _code_without_injection(path: Path) -> list[str]:
    nb = nbformat.read(str(path), as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"
            and "injected-parameters" not in c.metadata.get("tags", [])]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_golden_copy_matches_the_notebook(notebook):
    golden = GOLDEN / notebook.name
    assert golden.exists(), f"no golden copy of {notebook.name}: run `make golden`"
    assert _code_without_injection(golden) == _code_without_injection(notebook), (
        f"tests/golden/{notebook.name} drifted from notebooks/{notebook.name}: run `make golden`")
    nb = nbformat.read(str(golden), as_version=4)
    checked = [c for c in nb.cells if c.cell_type == "code"
               and c.source.lstrip().startswith("# NBVAL_CHECK_OUTPUT")]
    assert checked and all(c.outputs for c in checked), "golden has no stored headline output"
