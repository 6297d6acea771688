"""The fast report path (issue 18): notebooks shared out between kernels, execution counts that
do not depend on which kernel ran a notebook, briefs and the index chart rebuilt only when
what they print changed, and charts several notebooks show drawn once."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from kaltim_research.report import briefs, index, integrity, kernels, shared_figures

NB = [Path(f"{k:02d}_n.ipynb") for k in range(2, 8)]


def test_split_covers_every_notebook_once_and_keeps_their_order():
    secs = {"02_n": 3.0, "03_n": 1.0, "04_n": 2.5, "05_n": 0.5, "06_n": 4.0, "07_n": 1.0}
    groups = kernels.split_notebooks(NB, 2, secs)
    assert sorted(p for g in groups for p in g) == sorted(NB)
    for g in groups:
        assert g == sorted(g), "a kernel runs its notebooks in their own order"
    loads = [sum(secs[p.stem] for p in g) for g in groups]
    # LPT: within the longest single notebook of a perfect split
    assert max(loads) - min(loads) <= max(secs.values())
    assert max(loads) <= 6.5  # 12 s over 2 kernels: 6 + at most one short notebook


def test_split_without_times_or_with_one_kernel():
    assert kernels.split_notebooks(NB, 1, None) == [NB]
    assert len(kernels.split_notebooks(NB, 2, {"total_s": 99})) == 2  # unknown stems: equal
    assert len(kernels.split_notebooks(NB[:1], 4, {})) == 1  # never an empty kernel


def test_execution_counts_start_at_one_whatever_ran_before(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("x"), nbformat.v4.new_code_cell("1"),
                nbformat.v4.new_code_cell("2")]
    nb.cells[1].execution_count = 41
    nb.cells[2].execution_count = 42
    nb.cells[2].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"},
                                                  execution_count=42)]
    path = tmp_path / "a.ipynb"
    nbformat.write(nb, str(path))
    integrity.normalise_notebook(path, tmp_path, tmp_path)
    out = nbformat.read(str(path), as_version=4)
    assert [c.execution_count for c in out.cells if c.cell_type == "code"] == [1, 2]
    assert out.cells[2].outputs[0]["execution_count"] == 2


def _report(folder: Path, median: float) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps({
        "scenario": {"name": folder.name}, "horizon": {"headline_year": 2030},
        "headline": [{"province": "Kalimantan Timur", "total_p50": median}]}))
    return folder


def test_briefs_current_only_while_the_printed_rows_are_the_same(tmp_path, monkeypatch):
    import kaltim_research.report.brief as brief_pkg

    monkeypatch.setattr(brief_pkg, "build_brief_pdf", lambda s, p, *a: p.write_text("pdf"))
    monkeypatch.setattr(brief_pkg, "build_brief_docx", lambda s, p, *a: p.write_text("docx"))
    d = _report(tmp_path / "kihi", 1000.0)
    for name in ("results.csv", "fingerprint.json"):
        (d / name).write_text("x")
    rows = [{"scenario": "kihi", "year": 2030, "p50": 1000.0},
            {"scenario": "baseline", "year": 2030, "p50": 900.0}]
    assert not briefs.briefs_current(d, rows, "id")  # never built
    briefs.build_briefs(d, ("id", "en"), rows, ("id",))
    assert briefs.briefs_current(d, rows, "id")
    assert briefs.briefs_current(d, rows + [{"scenario": "x", "year": 2045, "p50": 1}], "id"), \
        "a row of another year is not printed"
    moved = [dict(rows[0]), {**rows[1], "p50": 950.0}]
    assert not briefs.briefs_current(d, moved, "id"), "another scenario's printed row moved"
    (d / "brief_en.pdf").unlink()
    assert not briefs.briefs_current(d, rows, "id"), "a missing brief is rebuilt"


def test_index_chart_is_redrawn_only_when_what_it_plots_changes(tmp_path):
    pytest.importorskip("matplotlib")
    sc = [{"name": "baseline", "title": "Dasar", "headline": [
        {"province": "Kalimantan Timur", "year": 2030, "total_p10": 9000.0,
         "total_p50": 14000.0, "total_p90": 20000.0, "basis": "port_of_loading"}]}]
    path = tmp_path / "index_comparison.png"
    index.comparison_chart(sc, path, "id")
    first = path.stat().st_mtime_ns
    index.comparison_chart(sc, path, "id")
    assert path.stat().st_mtime_ns == first
    sc[0]["headline"][0]["total_p50"] = 15000.0
    index.comparison_chart(sc, path, "id")
    assert path.stat().st_mtime_ns != first


def test_shared_chart_is_the_runners_png_else_drawn_now(tmp_path, monkeypatch):
    class FakeRun:
        results_dir = tmp_path

    with pytest.raises(ValueError, match="unknown shared chart"):
        shared_figures.build("pie_chart", FakeRun(), "Kalimantan Utara")
    drawn = []
    monkeypatch.setattr(shared_figures, "build", lambda c, r, p: drawn.append((c, p)) or "fig")
    assert shared_figures.show(FakeRun(), "fan_chart", "Kalimantan Utara") == "fig"
    path = shared_figures.figure_path(tmp_path, "fan_chart", "Kalimantan Utara")
    path.parent.mkdir()
    path.write_bytes(b"\x89PNG\r\n\x1a\n")
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    assert shared_figures.show(FakeRun(), "fan_chart", "Kalimantan Utara") is None
    assert drawn == [("fan_chart", "Kalimantan Utara")] and shown[0].data == path.read_bytes()


def test_every_notebook_showing_a_shared_chart_is_known_to_the_runner():
    from kaltim_research.report.runner import scenario_notebooks

    showing = {nb.name for nb in scenario_notebooks() if kernels.shows_shared_figures(nb)}
    assert {"02_baseline.ipynb", "03_export_center.ipynb", "04_kihi_bulungan.ipynb",
            "06_scenario_comparison.ipynb"} <= showing
    for nb in scenario_notebooks():
        text = nb.read_text(encoding="utf-8")
        for chart in ("fan_chart", "components_chart"):
            assert f"charts.{chart}(" not in text, f"{nb.name} draws {chart} again"


def _indexed(folder: Path, median: float) -> Path:
    d = _report(folder, median)
    data = json.loads((d / "results.json").read_text())
    data["scenario"].update(title="t", title_id="t")
    data["headline"][0].update(year=2030, total_p10=1.0, total_p90=2e4, basis="origin")
    (d / "results.json").write_text(json.dumps(data))
    return d


def test_index_uses_the_chart_drawn_ahead_only_for_what_it_plots(tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    _indexed(reports / "baseline", 14000.0)
    pending = _indexed(tmp_path / "tmp-kihi" / "kihi", 15000.0)
    ahead = index.predraw_chart(reports, "id", {"kihi": pending})
    assert ahead is not None and ahead.is_file()
    drawn = []
    real = index._draw_comparison
    monkeypatch.setattr(index, "_draw_comparison", lambda *a: drawn.append(a) or real(*a))
    # the report swapped in as predicted: the chart drawn ahead is used, not redrawn
    (reports / "kihi").mkdir()
    (reports / "kihi" / "results.json").write_bytes((pending / "results.json").read_bytes())
    index.write_index(reports, "id")
    assert not drawn and (reports / index.CHART).is_file()
    assert not list((reports / index.CHART_CACHE).glob("*")), "charts drawn ahead are cleared"
    # a chart drawn ahead for other results (a report that then failed) is never shown
    assert index.predraw_chart(reports, "id", {"kihi": _indexed(tmp_path / "o" / "kihi", 1.0)})
    drawn.clear()
    index.write_index(reports, "id")
    assert not drawn, "the same results as the chart in place: nothing drawn"
    assert not list((reports / index.CHART_CACHE).glob("*"))
    # and with nothing changed the worker does not draw ahead at all
    assert index.predraw_chart(reports, "id", {}) is None
