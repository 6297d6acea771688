"""The report runner: checks before kernels, atomic reports, skip on no change, briefs."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from kaltim_research import cli
from kaltim_research.report import runner

ROOT = Path(__file__).resolve().parents[1]
CI_SCENARIO = ROOT / "tests" / "fixtures" / "scenarios" / "ci_small.yaml"
pytestmark = pytest.mark.notebooks


@pytest.fixture
def no_kernels(monkeypatch):
    """Fail the test if any notebook would be executed."""
    def boom(*a, **k):
        raise AssertionError("a notebook was executed although the input was invalid")
    monkeypatch.setattr(runner, "_execute", boom)
    monkeypatch.setattr(runner, "run_job", boom)


def test_misspelt_notebook_parameter_stops_before_any_kernel(tmp_path, capsys, no_kernels):
    code = cli.main(["run", str(CI_SCENARIO), "-p", "scenaro", "x", "--reports",
                     str(tmp_path), "--no-history"])
    err = capsys.readouterr().err
    assert code == 2
    assert "unknown notebook parameter 'scenaro'" in err
    assert "Did you mean 'scenario'?" in err
    assert not any(tmp_path.iterdir())


def test_bad_scenario_key_stops_before_any_kernel(tmp_path, capsys, no_kernels):
    bad = tmp_path / "bad.yaml"
    bad.write_text(CI_SCENARIO.read_text().replace("simulation:", "simulaton:"))
    code = cli.main(["run", str(bad), "--reports", str(tmp_path / "r"), "--no-history"])
    err = capsys.readouterr().err
    assert code == 2
    assert "simulaton" in err and "Did you mean 'simulation'" in err
    assert not (tmp_path / "r").exists()


@pytest.fixture(scope="module")
def built_report(tmp_path_factory):
    reports = tmp_path_factory.mktemp("reports")
    code = runner.run_reports([str(CI_SCENARIO)], jobs=1, reports_dir=reports, history=False)
    assert code == 0
    return reports / CI_SCENARIO.stem


def test_report_holds_notebooks_html_results_and_briefs(built_report):
    names = {p.name for p in built_report.iterdir()}
    for nb in runner.scenario_notebooks():
        out = runner.report_name(nb)
        assert out in names and Path(out).with_suffix(".html").name in names, nb.name
    for f in ("results.json", "results.csv", "brief_id.pdf", "brief_en.pdf", "brief_id.docx"):
        assert f in names, f
    summary = json.loads((built_report / "results.json").read_text())
    prov = summary["provenance"]
    for key in ("scenario_hash", "data_manifest_hash", "package_version", "git_commit"):
        assert prov[key], key
    assert prov["draws"] == 500 and prov["seed"] == 7
    # timings stay out of the report folder (reproducible to the byte): reports/timings.json
    assert "timings" not in summary
    timings = json.loads((built_report.parent / "timings.json").read_text())
    assert timings[built_report.name]["total_s"] > 0
    assert (built_report.parent / "index.html").exists()
    index = (built_report.parent / "index.html").read_text()
    assert f"{built_report.name}/brief_id.pdf" in index


def test_html_has_no_code(built_report):
    html = (built_report / "06_scenario_comparison.html").read_text()
    assert "load_run(" not in html


def test_brief_pdf_and_docx_carry_the_results_numbers(built_report):
    import docx
    from pypdf import PdfReader

    from kaltim_research.report.brief import brief_numbers, short_hash

    summary = json.loads((built_report / "results.json").read_text())
    reader = PdfReader(str(built_report / "brief_id.pdf"))
    assert len(reader.pages) <= 2
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    for s in brief_numbers(summary, "id"):
        assert " ".join(s.split()) in text, s
    assert short_hash(summary["provenance"]["data_manifest_hash"]) in text
    assert summary["provenance"]["git_commit"] in text
    d = docx.Document(str(built_report / "brief_id.docx"))
    body = " ".join(p.text for p in d.paragraphs)
    body += " ".join(c.text for t in d.tables for r in t.rows for c in r.cells)
    for s in brief_numbers(summary, "id"):
        assert s in body, s


def test_rerun_with_nothing_changed_skips(built_report, capsys):
    before = (built_report / "results.json").stat().st_mtime_ns
    code = runner.run_reports([str(CI_SCENARIO)], jobs=1, reports_dir=built_report.parent,
                              history=False)
    out = capsys.readouterr().out
    assert code == 0 and f"up to date: {built_report.name}" in out
    assert (built_report / "results.json").stat().st_mtime_ns == before


def test_failing_notebook_keeps_previous_report(built_report, tmp_path, capsys):
    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir()
    src = runner.scenario_notebooks()[0]
    shutil.copy(src, nb_dir / src.name)
    bad = nbformat.read(str(src), as_version=4)
    bad.cells.append(nbformat.v4.new_code_cell("raise ValueError('deliberate failure')"))
    nbformat.write(bad, str(nb_dir / "99_failing.ipynb"))
    before = {p.name: p.read_bytes() for p in built_report.iterdir() if p.is_file()}
    # 2 jobs, one scenario: two kernels share the notebooks; the error reported is the
    # failing notebook's, not the other kernel's stop
    code = runner.run_reports([str(CI_SCENARIO)], jobs=2, reports_dir=built_report.parent,
                              history=False, notebooks_dir=nb_dir, force=True)
    err = capsys.readouterr().err
    assert code == 1
    assert "99_failing.ipynb" in err and "failed at cell" in err and "deliberate failure" in err
    after = {p.name: p.read_bytes() for p in built_report.iterdir() if p.is_file()}
    assert after == before, "the previous good report changed"
    failed = built_report.with_name(built_report.name + ".failed")
    assert (failed / "99_failing.ipynb").exists(), "failed notebook not kept for inspection"


def test_p_draws_and_seed_reach_the_engine_run(tmp_path, no_kernels):
    jobs, skipped = runner.plan([str(CI_SCENARIO)], {"draws": "50", "seed": "3"}, "id", True,
                                tmp_path, None)
    assert not skipped and jobs[0].draws == 50 and jobs[0].seed == 3


def test_two_forced_runs_give_byte_identical_reports(built_report):
    """Same inputs and seed -> the same bytes in every file (DOCX timestamps: issue 10), also
    when the second run shares the notebooks between two kernels and builds the briefs in
    its worker (a lone scenario with 2 jobs, issue 18) while the first used one kernel."""
    from conftest import tree_hashes

    before = tree_hashes(built_report)
    code = runner.run_reports([str(CI_SCENARIO)], jobs=2, reports_dir=built_report.parent,
                              history=False, force=True)
    assert code == 0
    after = tree_hashes(built_report)
    assert before.keys() == after.keys()
    differ = sorted(k for k in before if before[k] != after[k] and not k.endswith(".docx"))
    assert not differ, f"files differ between two forced runs: {differ}"
