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
    _assert_reader_html(tmp_path / notebook.name, tmp_path / f"{notebook.stem}.html")
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
    _assert_reader_html(out, tmp_path / "01.html")


def _assert_reader_html(nb: Path, html: Path) -> None:
    """The HTML report as the runner writes it: no None, NaN, dict or snake_case header."""
    from kaltim_research.report.reader_tables import html_problems
    from kaltim_research.report.runner import _html

    _html(nb, html)
    problems = html_problems(html.read_text(encoding="utf-8"))
    assert not problems, f"{nb.name}: " + "; ".join(problems[:5])


def _code_without_injection(path: Path) -> list[str]:
    nb = nbformat.read(str(path), as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"
            and "injected-parameters" not in c.metadata.get("tags", [])]


def _drift_message(golden: Path, notebook: Path) -> str:
    """Why a golden copy no longer matches its notebook, told so the reader knows what to do:
    an edit to the parameters cell's defaults is not a changed headline, and an exploratory
    edit saved from JupyterLab is undone with git, not frozen into the goldens."""
    def split(path: Path) -> tuple[str, list[str]]:
        cells = [c for c in nbformat.read(str(path), as_version=4).cells
                 if c.cell_type == "code"
                 and "injected-parameters" not in c.metadata.get("tags", [])]
        params = next((c.source for c in cells if "parameters" in c.metadata.get("tags", [])), "")
        return params, [c.source for c in cells if "parameters" not in c.metadata.get("tags", [])]

    (gp, gcode), (npar, ncode) = split(golden), split(notebook)
    where = f"notebooks/{notebook.name} differs from tests/golden/{notebook.name}"
    undo = f"an exploratory edit: `git checkout notebooks/{notebook.name}`"
    if gp != npar and gcode == ncode:
        return (f"{where} in its parameters cell only (the defaults changed, not the code; the "
                f"golden headlines are for the old defaults). If {undo}; if the new defaults are "
                "meant: `make golden` and review the headline diff.")
    changed = (sum(a != b for a, b in zip(gcode, ncode, strict=False))
               + abs(len(gcode) - len(ncode)))
    return (f"{where} in {changed} code cell(s). If {undo}; if the change is meant: "
            "`make golden` and review the headline diff.")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_golden_copy_matches_the_notebook(notebook):
    golden = GOLDEN / notebook.name
    assert golden.exists(), f"no golden copy of {notebook.name}: run `make golden`"
    assert _code_without_injection(golden) == _code_without_injection(notebook), \
        _drift_message(golden, notebook)
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


def test_drift_message_tells_a_defaults_edit_from_a_code_change(tmp_path):
    nb = ROOT / "notebooks" / "02_baseline.ipynb"
    edited = nbformat.read(str(nb), as_version=4)
    cell = next(c for c in edited.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = cell.source.replace("draws = 10000", "draws = 500")
    nbformat.write(edited, str(tmp_path / nb.name))
    msg = _drift_message(nb, tmp_path / nb.name)
    assert "parameters cell only" in msg and "git checkout notebooks/02_baseline" in msg
    code = next(c for c in edited.cells if c.cell_type == "code"
                and "parameters" not in c.metadata.get("tags", []))
    code.source += "\nx = 1"
    nbformat.write(edited, str(tmp_path / nb.name))
    assert "1 code cell(s)" in _drift_message(nb, tmp_path / nb.name)


@pytest.mark.notebooks
def test_misspelt_papermill_parameter_fails_in_one_located_line(tmp_path):
    with pytest.raises(papermill.PapermillExecutionError, match="scenaro") as err:
        papermill.execute_notebook(str(ROOT / "notebooks" / "02_baseline.ipynb"),
                                   str(tmp_path / "out.ipynb"),
                                   parameters={"scenaro": "scenarios/kihi.yaml"},
                                   kernel_name="kaltim-research", cwd=str(ROOT),
                                   progress_bar=False)
    # IPython prints _render_traceback_ instead of the frames: one line, no "Traceback"
    assert len(err.value.traceback) == 1, err.value.traceback
    assert "Did you mean 'scenario'" in err.value.traceback[0]


@pytest.mark.notebooks
def test_a_direct_run_leaves_no_temp_folder(tmp_path, monkeypatch):
    import tempfile

    # the kernel inherits TMPDIR, so its temporary run folder is made (and removed) here
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    tempfile.tempdir = None
    try:
        papermill.execute_notebook(str(ROOT / "notebooks" / "05_connectivity.ipynb"),
                                   str(tmp_path / "out.ipynb"),
                                   parameters={"scenario": CI_SCENARIO, "draws": 200},
                                   kernel_name="kaltim-research", cwd=str(ROOT),
                                   progress_bar=False)
    finally:
        tempfile.tempdir = None
    assert not list(tmp_path.glob("kaltim-run-*"))


def test_a_direct_run_removes_its_folder_before_the_kernel_exits(tmp_path, monkeypatch):
    """Removed once read, not at exit: nbval and Ctrl-C kill kernels (no atexit), which left
    a kaltim-run-* folder for every golden notebook of every test run."""
    import tempfile

    from kaltim_research.report import notebook

    def fake_run(path, out, processed, draws=None, seed=None):
        out.mkdir(parents=True)
        (out / "results.json").write_text('{"scenario": {"name": "x"}}')
        (out / "results.csv").write_text("a\n1\n")

    monkeypatch.setattr("kaltim_research.report.results.run_to_dir", fake_run)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    run = notebook.load_run(CI_SCENARIO)
    assert run.summary["scenario"]["name"] == "x" and list(run["results"]["a"]) == [1]
    assert not list(tmp_path.glob("kaltim-run-*")), "the folder outlives the read"


def test_notebook_defaults_match_the_reports_draws():
    from kaltim_research.models.scenario import Simulation

    for nb in SCENARIO_NBS:
        params = next(c.source for c in _cells(nb) if "parameters" in c.metadata.get("tags", []))
        assert f"draws = {Simulation().draws}" in params, nb.name


def _executed(nb_path: Path) -> nbformat.NotebookNode:
    """``nb_path`` as a run in place leaves it: outputs, counts, timings, the Python version."""
    executed = nbformat.read(str(nb_path), as_version=4)
    for k, c in enumerate(c for c in executed.cells if c.cell_type == "code"):
        c.execution_count = k + 1
        c.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x\n")]
        c.metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00"}
    executed.metadata.setdefault("language_info", {})["version"] = "3.11.7"
    return executed


def _nbstrip_opts() -> list[str]:
    """The git filter's options, as the Makefile passes them."""
    return next(line.split(":=", 1)[1].split() for line in
                (ROOT / "Makefile").read_text().splitlines() if line.startswith("NBSTRIP_OPTS"))


def test_nbstripout_filter_strips_what_a_run_in_place_adds(tmp_path):
    """The git filter `make setup` installs turns an executed notebook back into the committed
    one, so running notebooks in place leaves `git diff` empty."""
    import subprocess

    attrs = (ROOT / ".gitattributes").read_text()
    assert "notebooks/*.ipynb filter=nbstripout" in attrs
    nbstripout = ROOT / ".venv" / "bin" / "nbstripout"
    if not nbstripout.exists():
        pytest.skip("nbstripout not installed in .venv")
    nb = ROOT / "notebooks" / "06_scenario_comparison.ipynb"
    path = tmp_path / nb.name
    nbformat.write(_executed(nb), str(path))
    out = subprocess.run([str(nbstripout), *_nbstrip_opts()], input=path.read_bytes(),
                         capture_output=True, check=True).stdout
    assert out == nb.read_bytes()


# --- notebooks/ stay without outputs on disk (kaltim_research.report.nbstrip) -------------------

JUPYTER_CONFIGS = ("jupyter_server_config.py", "jupyter_nbconvert_config.py")


def _saved_bytes(content: dict, tmp_path: Path) -> bytes:
    """What jupyter_server writes for a notebook model's content."""
    out = tmp_path / "saved.ipynb"
    nbformat.write(nbformat.from_dict(content), str(out))
    return out.read_bytes()


def test_pre_save_hook_strips_a_notebook_in_notebooks_like_the_git_filter(tmp_path):
    from types import SimpleNamespace

    from kaltim_research.report.nbstrip import pre_save_hook

    nb = ROOT / "notebooks" / "06_scenario_comparison.ipynb"
    model = {"type": "notebook", "format": "json", "content": json.loads(
        nbformat.writes(_executed(nb)))}
    pre_save_hook(model=model, path="/notebooks/06_scenario_comparison.ipynb",
                  contents_manager=SimpleNamespace(root_dir=str(ROOT)))
    assert _saved_bytes(model["content"], tmp_path) == nb.read_bytes()
    # JupyterLab started inside notebooks/: same file, other API path
    model["content"] = json.loads(nbformat.writes(_executed(nb)))
    pre_save_hook(model=model, path="06_scenario_comparison.ipynb",
                  contents_manager=SimpleNamespace(root_dir=str(ROOT / "notebooks")))
    assert _saved_bytes(model["content"], tmp_path) == nb.read_bytes()


@pytest.mark.parametrize("path", ["reports/baseline/06_scenario_comparison.ipynb",
                                  "tests/golden/06_scenario_comparison.ipynb",
                                  "notebooks/sub/06_scenario_comparison.ipynb"])
def test_pre_save_hook_leaves_notebooks_elsewhere_alone(path):
    import copy
    from types import SimpleNamespace

    from kaltim_research.report.nbstrip import pre_save_hook

    content = json.loads(nbformat.writes(_executed(ROOT / "notebooks" / "06_scenario_comparison.ipynb")))
    model = {"type": "notebook", "format": "json", "content": copy.deepcopy(content)}
    pre_save_hook(model=model, path=path, contents_manager=SimpleNamespace(root_dir=str(ROOT)))
    assert model["content"] == content


def test_nbconvert_writer_strips_only_a_notebook_written_over_itself(tmp_path, monkeypatch):
    from kaltim_research.report import nbstrip

    nb = ROOT / "notebooks" / "06_scenario_comparison.ipynb"
    folder = tmp_path / "notebooks"
    folder.mkdir()
    monkeypatch.setattr(nbstrip, "NOTEBOOKS_DIR", folder)
    output = nbformat.writes(_executed(nb)) + "\n"
    resources = {"metadata": {"path": str(folder), "name": nb.stem}, "output_extension": ".ipynb"}
    writer = nbstrip.StripInPlaceWriter()  # --inplace: build_directory "" and no suffix
    assert Path(writer.write(output, resources, notebook_name=nb.stem)).read_bytes() == nb.read_bytes()
    # `--to notebook` without --inplace writes X.nbconvert.ipynb beside it: outputs kept
    kept = Path(writer.write(output, resources, notebook_name=f"{nb.stem}.nbconvert"))
    assert kept.read_text(encoding="utf-8") == output
    # --inplace on a notebook outside notebooks/: outputs kept
    other = tmp_path / "reports"
    other.mkdir()
    resources["metadata"]["path"] = str(other)
    assert Path(writer.write(output, resources, notebook_name=nb.stem)).read_text(
        encoding="utf-8") == output


@pytest.mark.parametrize("name", JUPYTER_CONFIGS)
def test_make_setup_installs_the_jupyter_config_into_the_venv(name):
    if not (ROOT / ".venv").exists():
        pytest.skip(".venv absent: run `make setup`")
    installed = ROOT / ".venv" / "etc" / "jupyter" / name
    assert installed.exists(), f"{installed} missing: run `make setup`"
    assert installed.read_bytes() == (ROOT / "tools" / name).read_bytes(), "run `make setup`"


def _git(cwd: Path, *args: str) -> str:
    import subprocess

    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t",
                           "-c", "commit.gpgsign=false", *args], cwd=cwd,
                          capture_output=True, text=True, check=True).stdout


@pytest.fixture
def project_copy(tmp_path):
    """A throwaway git project: notebooks/ as committed, the nbstripout filter, and the
    environment under which this venv's jupyter treats it as the project (loopback only)."""
    import os
    import shlex

    if not (ROOT / ".venv" / "etc" / "jupyter" / JUPYTER_CONFIGS[0]).exists():
        pytest.skip("Jupyter config not installed: run `make setup`")
    proj = tmp_path / "proj"
    (proj / "notebooks").mkdir(parents=True)
    (proj / "reports").mkdir()
    name = "06_scenario_comparison.ipynb"
    (proj / "notebooks" / name).write_bytes((ROOT / "notebooks" / name).read_bytes())
    for name in (".gitattributes", ".gitignore"):  # .gitignore: JupyterLab's .ipynb_checkpoints/
        (proj / name).write_bytes((ROOT / name).read_bytes())
    _git(proj, "init", "-q")
    _git(proj, "config", "filter.nbstripout.clean",
         shlex.join([str(ROOT / ".venv" / "bin" / "nbstripout"), *_nbstrip_opts()]))
    _git(proj, "config", "filter.nbstripout.smudge", "cat")
    _git(proj, "add", "-A")
    _git(proj, "commit", "-q", "-m", "init")
    env = {**os.environ, "KALTIM_PROJECT_ROOT": str(proj),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-user"),  # no ~/.jupyter config
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "jupyter-runtime")}
    return proj, env


@pytest.mark.notebooks
def test_jupyter_server_save_leaves_git_status_clean(project_copy, tmp_path):
    """End to end: this venv's `jupyter server` (the one JupyterLab runs) saves a notebook with
    outputs into notebooks/ over the contents REST API: the file on disk has none."""
    import os
    import secrets
    import socket
    import subprocess
    import time
    import urllib.error
    import urllib.request

    proj, env = project_copy
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "jupyter"), "server", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--ServerApp.root_dir={proj}",
         f"--IdentityProvider.token={token}", *(["--allow-root"] if os.geteuid() == 0 else [])],
        env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"))

    def call(method: str, path: str, body: dict | None = None) -> int:
        req = urllib.request.Request(f"{base}{path}", method=method,
                                     data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": f"token {token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                call("GET", "/api/status")
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, log.read_text()[-2000:]
                assert time.monotonic() < deadline, "jupyter server did not start in 60 s"
                time.sleep(0.3)
        nb = ROOT / "notebooks" / "06_scenario_comparison.ipynb"
        content = json.loads(nbformat.writes(_executed(nb)))
        for path in ("notebooks/06_scenario_comparison.ipynb", "reports/06_scenario_comparison.ipynb"):
            assert call("PUT", f"/api/contents/{path}",
                        {"type": "notebook", "format": "json", "content": content}) in (200, 201)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert (proj / "notebooks" / nb.name).read_bytes() == nb.read_bytes()
    assert _git(proj, "status", "--porcelain", "notebooks/") == ""
    assert any(c.get("outputs") for c in nbformat.read(str(proj / "reports" / nb.name), 4).cells)


@pytest.mark.notebooks
def test_nbconvert_execute_inplace_leaves_git_status_clean(project_copy):
    """`jupyter nbconvert --execute --inplace` runs the notebook (a failing cell still fails it)
    and writes it back without outputs; --to html of the same notebook keeps them."""
    import subprocess

    proj, env = project_copy
    committed = nbformat.read(str(ROOT / "notebooks" / "06_scenario_comparison.ipynb"), 4)
    tiny = nbformat.v4.new_notebook(metadata=committed.metadata)
    tiny.cells = [nbformat.v4.new_code_cell("print(6 * 7)")]
    tiny.cells[0].id = "0"
    path = proj / "notebooks" / "tiny.ipynb"
    nbformat.write(tiny, str(path))
    _git(proj, "add", "-A")
    _git(proj, "commit", "-q", "-m", "tiny")
    before = path.read_bytes()
    jupyter = str(ROOT / ".venv" / "bin" / "jupyter")
    subprocess.run([jupyter, "nbconvert", "--to", "notebook", "--execute", "--inplace",
                    "notebooks/tiny.ipynb"], cwd=proj, env=env, check=True, timeout=120,
                   capture_output=True)
    assert path.read_bytes() == before
    assert _git(proj, "status", "--porcelain", "notebooks/") == ""
    subprocess.run([jupyter, "nbconvert", "--to", "html", "--execute", "--output-dir", str(proj / "reports"),
                    "notebooks/tiny.ipynb"], cwd=proj, env=env, check=True, timeout=120,
                   capture_output=True)
    assert "42" in (proj / "reports" / "tiny.html").read_text(encoding="utf-8")
