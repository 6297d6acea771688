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


def _cells(path: Path) -> list:
    return nbformat.read(str(path), as_version=4).cells


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameter_check_follows_the_parameters_cell(notebook):
    code = [c for c in _cells(notebook) if c.cell_type == "code"]
    i = next(k for k, c in enumerate(code) if "parameters" in c.metadata.get("tags", []))
    assert "check_parameters(globals())" in code[i + 1].source, notebook.name


def test_check_parameters_names_the_unknown_and_the_closest():
    from kaltim_research.report.notebook import NotebookParameterError, check_parameters

    params = 'scenario = "scenarios/baseline.yaml"\nresults_dir = ""\ndraws = 10000\nseed = -1\n'
    ok = {"In": ["", params, '# Parameters\nscenario = "scenarios/kihi.yaml"\n']}
    check_parameters(ok)
    check_parameters({"In": ["", params]})  # run interactively: nothing injected, no check
    bad = {"In": ["", params, '# Parameters\nscenaro = "scenarios/kihi.yaml"\n']}
    with pytest.raises(NotebookParameterError, match="'scenaro'.*Did you mean 'scenario'"):
        check_parameters(bad)


@pytest.mark.notebooks
def test_misspelt_papermill_parameter_fails_the_run(tmp_path):
    with pytest.raises(papermill.PapermillExecutionError, match="scenaro"):
        papermill.execute_notebook(str(ROOT / "notebooks" / "02_baseline.ipynb"),
                                   str(tmp_path / "out.ipynb"),
                                   parameters={"scenaro": "scenarios/kihi.yaml"},
                                   kernel_name="kaltim-research", cwd=str(ROOT),
                                   progress_bar=False)


def test_notebook_defaults_match_the_reports_draws():
    from kaltim_research.models.scenario import Simulation

    for nb in SCENARIO_NBS:
        params = next(c.source for c in _cells(nb) if "parameters" in c.metadata.get("tags", []))
        assert f"draws = {Simulation().draws}" in params, nb.name


def test_nbstripout_filter_strips_what_a_run_in_place_adds(tmp_path):
    """The git filter `make setup` installs turns an executed notebook back into the committed
    one, so running notebooks in place leaves `git status` clean."""
    import shutil
    import subprocess

    attrs = (ROOT / ".gitattributes").read_text()
    assert "notebooks/*.ipynb filter=nbstripout" in attrs
    nbstripout = ROOT / ".venv" / "bin" / "nbstripout"
    if not nbstripout.exists():
        pytest.skip("nbstripout not installed in .venv")
    nb = ROOT / "notebooks" / "06_scenario_comparison.ipynb"
    executed = nbformat.read(str(nb), as_version=4)
    for k, c in enumerate(c for c in executed.cells if c.cell_type == "code"):
        c.execution_count = k + 1
        c.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x\n")]
        c.metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00"}
    path = tmp_path / nb.name
    nbformat.write(executed, str(path))
    executed.metadata.setdefault("language_info", {})["version"] = "3.11.7"
    nbformat.write(executed, str(path))
    opts = next(line.split(":=", 1)[1].split() for line in
                (ROOT / "Makefile").read_text().splitlines() if line.startswith("NBSTRIP_OPTS"))
    out = subprocess.run([str(nbstripout), *opts], input=path.read_bytes(),
                         capture_output=True, check=True).stdout
    assert out == nb.read_bytes()
    assert shutil.which("git")
