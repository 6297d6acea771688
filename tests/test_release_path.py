"""The release path cannot be wrong silently (issue 17): what must come out right, not only
what must be refused (the refusals are rows of tests/test_bad_inputs.py).

* one figure in every unit spelling gives the same US$ m value or a located refusal;
* a January-May ``Jumlah`` is a January-May cumulative, not the full year;
* a merged year header keeps the value column and skips the tonnage;
* province spellings are one province; a later revision beats an older, more precise figure,
  and the reason is in reconciliation.csv; a later rounding does not;
* two concurrent imports keep both manifest entries;
* after ``data import`` without ``data build`` a run refuses; a damaged results.json is
  rebuilt; ``check_parameters`` applies the scenario model to papermill's values;
* a refresh killed after the report swap still reports what moved;
* the key is absent from every message, log and file after a redirect and an echoing error.

Figures in the made-up tables are test inputs with a test URL, not project data.
"""
from __future__ import annotations

import csv
import json
import logging
import threading
from pathlib import Path

import httpx
import pandas as pd
import pytest
import release_cases as rc
from conftest import tree_hashes

from kaltim_research.cli import main
from kaltim_research.data import bps, fetch, ledger, numbers, vocabulary

SPELLINGS = {  # unit as printed -> the figure 1500 in US$ million
    "(Thousand USD)": 1.5, "(US$ Thousand)": 1.5, "US$ (ribu)": 1.5, "(Ribu US$)": 1.5,
    "(000 US$)": 1.5, "(USD Million)": 1500.0, "(Juta US$)": 1500.0, "(US$ Juta)": 1500.0,
    "(Milyar US$)": 1_500_000.0, "(Miliar US$)": 1_500_000.0, "(billion USD)": 1_500_000.0,
    "(US$)": 0.0015, "(USD)": 0.0015,
}


def _import(src: Path, raw: Path, *extra: str) -> int:
    return main(["data", "import", str(src), "--source-url", rc.TEST_URL, "--source-date",
                 "2025-12-01", "--retrieved", "2025-12-02", "--raw", str(raw), *extra])


def _imported_rows(raw: Path) -> list[dict]:
    entry = json.loads((raw / "datapackage.json").read_text())["resources"][-1]
    return list(csv.DictReader((raw / entry["path"]).open(encoding="utf-8")))


@pytest.mark.parametrize("unit, usd_m", SPELLINGS.items(), ids=list(SPELLINGS))
def test_every_unit_spelling_gives_the_same_value_on_both_paths(unit, usd_m):
    """The BPS-table title and the WebAPI unit field go through the one unit parser."""
    title = f"Nilai Ekspor Kalimantan Timur {unit}"
    factor = numbers.title_unit_factor(title)
    assert 1500 * factor == pytest.approx(usd_m)
    assert 1500 * numbers.unit_factor(unit.strip("()").replace("(", "").replace(")", "")) \
        == pytest.approx(usd_m)


def test_the_table_path_converts_a_thousand_dollar_title(raw_copy, tmp_path):
    src = rc._csv(tmp_path / "t.csv", rc.bps_table("Nilai Ekspor Kalimantan Timur (US$ "
                                                   "Thousand)", rows=[("Januari", "1500", "")]))
    assert _import(src, raw_copy) == 0
    assert [r["value_usd_million"] for r in _imported_rows(raw_copy)] == ["1.5"]


def test_webapi_billion_unit_is_a_factor_of_1000(raw_copy):
    client = bps.BpsClient(rc.KEY, transport=httpx.MockTransport(rc.data_reply(
        rc._set_unit("Milyar US$"))))
    report = fetch.fetch_bps("6400", client=client, raw_dir=raw_copy, variables=[901],
                             dry_run=True)
    assert report.imports[0].status == "imported"
    rows = fetch.dynamic_table_rows(client.replies[-1].payload, "6400", None, "u", "n")
    sep = [r for r in rows if r[1] == 2024 and r[2] == "month" and r[3] == 9]
    assert float(sep[0][6]) == pytest.approx(2010.5 * 1000)


@pytest.mark.parametrize("text, value", [("1.498.000", 1498000.0), ("1.234,56", 1234.56),
                                         ("1,234.56", 1234.56), ("103,74", 103.74),
                                         ("0,125", 0.125), ("-", None), (1.5, 1.5)])
def test_unambiguous_numbers_read_one_way(text, value):
    assert numbers.parse_number(text) == value


def test_a_number_cell_is_never_re_read_as_text():
    assert numbers.parse_number(numbers.NumberText("987.65", 987.65)) == 987.65


def test_jumlah_of_january_to_may_is_a_cumulative(raw_copy, tmp_path):
    rows = [(m, "100", "") for m in ("Januari", "Februari", "Maret", "April", "Mei")]
    src = rc._csv(tmp_path / "t.csv", rc.bps_table(header=("Bulan", "2025", ""),
                                                   rows=[*rows, ("Jumlah", "500", "")]))
    assert _import(src, raw_copy) == 0
    total = [r for r in _imported_rows(raw_copy) if r["value_usd_million"] == "500"]
    assert [(r["period_type"], r["period_end_month"]) for r in total] == [("ytd", "5")]


def test_merged_year_header_keeps_the_value_column(raw_copy, tmp_path):
    src = rc._csv(tmp_path / "t.csv", [
        [rc.KALTIM_TITLE, "", "", "", ""], ["Bulan", "2024", "", "2025", ""],
        ["", "Berat (Ton)", "Nilai (US$)", "Berat (Ton)", "Nilai (Juta US$)"],
        ["Januari", "25000000", "120500000", "24000000", "110,5"]])
    assert _import(src, raw_copy) == 0
    got = {(r["year"], r["value_usd_million"]) for r in _imported_rows(raw_copy)}
    assert got == {("2024", "120.5"), ("2025", "110.5")}


@pytest.mark.parametrize("name", ["Kaltim", "KALIMANTAN TIMUR", "Kalimantan  Timur",
                                  "Provinsi Kalimantan Timur", "6400", " kalimantan timur "])
def test_province_spellings_are_one_province(name):
    assert vocabulary.normalise_province(name) == "Kalimantan Timur"


def test_province_flag_spelling_is_normalised(raw_copy, tmp_path):
    src = rc._csv(tmp_path / "t.csv", rc.bps_table("Ekspor (Juta US$)"))
    assert _import(src, raw_copy, "--province", "Kaltim") == 0
    assert {r["province"] for r in _imported_rows(raw_copy)} == {"Kalimantan Timur"}


def _obs(values: list[tuple[float, str]]) -> pd.DataFrame:
    rows = [{"province": "Kalimantan Timur", "concept": "via_ports", "flow": "total",
             "period_type": "month", "year": 2025, "month": 3, "value_usd_m": v,
             "basis": "reported", "source_url": f"https://example.org/{i}", "source_date": d,
             "derivation": None, "flow_qualifier": None, "flow_label": "total", "usable": True,
             "resource": "r", "source_line": i + 2, "notes": "", "order": i, "curation": None}
            for i, (v, d) in enumerate(values)]
    return pd.DataFrame(rows)


def test_a_later_revision_beats_an_older_more_precise_figure():
    res = ledger.resolve(_obs([(116.45, "2025-04-15"), (118.20, "2025-05-15")]))
    assert res.exports["value_usd_m"].tolist() == [118.2]
    rec = res.reconciliation.iloc[0]
    assert rec["other_value_usd_m"] == 116.45 and "revision" in rec["reason"]
    assert "2025-05-15 supersedes the release of 2025-04-15" in rec["reason"]


def test_a_later_rounding_does_not_replace_the_precise_figure():
    res = ledger.resolve(_obs([(19590.0, "2022-09-05"), (19500.0, "2022-09-16")]))
    assert res.exports["value_usd_m"].tolist() == [19590.0]
    assert res.reconciliation.iloc[0]["reason"].startswith("rounding")


def test_concurrent_imports_keep_both_manifest_entries(raw_copy, tmp_path):
    srcs = [rc._csv(tmp_path / f"t{i}.csv", rc.bps_table(
        header=("Bulan", "2024"), rows=[("Oktober", f"{100 + i},5")])) for i in range(2)]
    codes = []
    threads = [threading.Thread(target=lambda s=s: codes.append(_import(s, raw_copy)))
               for s in srcs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [0, 0]
    names = [r["path"] for r in json.loads((raw_copy / "datapackage.json").read_text())[
        "resources"]]
    assert {"exports/t0_2025-12-02.csv", "exports/t1_2025-12-02.csv"} <= set(names)


def test_import_then_run_without_build_refuses(raw_copy, tmp_path, capsys, monkeypatch,
                                               processed_copy):
    """`data import` then `run` (no build): the run refuses with the command to run; after the
    build the same run's inputs are fresh."""
    from kaltim_research import cli
    from kaltim_research.report import runner

    monkeypatch.setattr(runner, "RAW_DIR", raw_copy)
    monkeypatch.setattr(runner, "PROCESSED_DIR", processed_copy)
    monkeypatch.setattr(cli, "RAW_DIR", raw_copy)
    monkeypatch.setattr(cli, "PROCESSED_DIR", processed_copy)
    src = rc._csv(tmp_path / "t.csv", rc.bps_table(header=("Bulan", "2024"),
                                                   rows=[("Oktober", "101,5")]))
    assert _import(src, raw_copy) == 0
    capsys.readouterr()
    argv = ["run", str(rc.CI_SCENARIO), "--reports", str(tmp_path / "reports"), "--no-history"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "built from another manifest" in err and "kaltim-research data build" in err
    assert not (tmp_path / "reports" / "ci_small").exists()
    from kaltim_research.data.freshness import stale_reason
    assert stale_reason(raw_copy, processed_copy)
    assert main(["data", "build", "--raw", str(raw_copy), "--processed", str(processed_copy)]) == 0
    assert stale_reason(raw_copy, processed_copy) is None


def test_a_damaged_results_json_is_not_trusted(tmp_path):
    from kaltim_research.report import integrity, runner

    d = tmp_path / "reports" / "ci_small"
    d.mkdir(parents=True)
    (d / "results.json").write_text('{"scenario": {"name": "ci_sm')
    assert integrity.read_results(d / "results.json") is None
    assert "results.json" in integrity.missing_outputs(d, [], "id")
    assert runner.comparison_table(tmp_path / "reports") == []  # skipped, not fatal
    from kaltim_research.report.changes import write_changes
    assert write_changes(d, tmp_path / "new", {}) is None  # no good report to compare with


def test_brief_reruns_the_engine_for_damaged_results(tmp_path, capsys, monkeypatch):
    from kaltim_research.report import briefs

    made = []
    monkeypatch.setattr("kaltim_research.report.results.run_to_dir",
                        lambda path, out, processed: made.append(out))
    monkeypatch.setattr(briefs, "build_briefs", lambda *a, **k: [])
    d = tmp_path / "reports" / "ci_small"
    d.mkdir(parents=True)
    (d / "results.json").write_text("{trunc")
    assert main(["brief", str(rc.CI_SCENARIO), "--reports", str(tmp_path / "reports")]) == 0
    assert made == [d] and "damaged results" in capsys.readouterr().out


def _namespace(injected: str, **values) -> dict:
    params = ('scenario = "scenarios/baseline.yaml"\nresults_dir = ""\ndraws = 10000\n'
              "seed = -1\n")
    return {"In": ["", params, "# Parameters\n" + injected], **values}


@pytest.mark.parametrize("injected, values, fragment", [
    ("draws = 100000000\n", {"draws": 100000000}, "between 1 and 200000"),
    ("draws = -5\n", {"draws": -5}, "between 1 and 200000"),
    ("seed = 1.5\n", {"seed": 1.5}, "-p seed"),
    ('draws = "many"\n', {"draws": "many"}, "-p draws"),
])
def test_check_parameters_applies_the_scenario_model(injected, values, fragment):
    from kaltim_research.report.notebook import NotebookParameterError, check_parameters

    with pytest.raises(NotebookParameterError, match=fragment.replace("(", r"\(")):
        check_parameters(_namespace(injected, **values))
    check_parameters(_namespace("draws = 300\nseed = 4\n", draws=300, seed=4))  # fine


def test_check_parameters_refuses_another_scenarios_results(tmp_path):
    from kaltim_research.report.notebook import NotebookParameterError, check_parameters

    (tmp_path / "results.json").write_text(json.dumps({"scenario": {"name": "kihi"}}))
    ns = _namespace(f'scenario = "scenarios/baseline.yaml"\nresults_dir = "{tmp_path}"\n',
                    scenario="scenarios/baseline.yaml", results_dir=str(tmp_path))
    with pytest.raises(NotebookParameterError, match="holds the results of scenario 'kihi'"):
        check_parameters(ns)


def test_refresh_killed_after_the_swap_still_reports_what_moved(tmp_path, raw_copy,
                                                                processed_copy):
    """The 'before' record is written before the runner swaps reports; a refresh killed after
    the swap finds it and reports the move instead of "no numbers moved"."""
    from kaltim_research.report import refresh

    reports = tmp_path / "reports"
    d = reports / "ci_small"
    d.mkdir(parents=True)

    def results(median: float) -> dict:
        return {"scenario": {"name": "ci_small"}, "horizon": {"headline_year": 2030},
                "provenance": {"data_manifest_hash": "m", "scenario_hash": "s"},
                "headline": [{"province": "Kalimantan Timur", "basis": "via_ports",
                              "year": 2030, "total_p50": median}]}
    (d / "results.json").write_text(json.dumps(results(17451.0)))
    (d / "fingerprint.json").write_text(json.dumps({"v": 1}))

    def killed_run(files, *a, **k):  # swaps in the new report, then the process dies
        (d / "results.json").write_text(json.dumps(results(10945.0)))
        (d / "fingerprint.json").write_text(json.dumps({"v": 2}))
        raise KeyboardInterrupt
    kw = dict(scenarios=[str(rc.CI_SCENARIO)], raw_dir=raw_copy, processed_dir=processed_copy,
              reports_dir=reports, config={"bps": [], "prices": None})
    with pytest.raises(KeyboardInterrupt):
        refresh.refresh(True, run_reports=killed_run, **kw)
    assert (reports / refresh.PENDING).exists()
    summary = refresh.refresh(True, run_reports=lambda *a, **k: 0, **kw)
    moved = [h for c in summary.changes for h in c["headlines"]]
    assert moved and moved[0]["before_usd_m"] == 17451.0 and moved[0]["after_usd_m"] == 10945.0
    assert not (reports / refresh.PENDING).exists()


def test_one_failed_fetch_is_reported_and_the_refresh_goes_on(tmp_path, raw_copy,
                                                              processed_copy):
    from kaltim_research.report import refresh

    ran = []
    summary = refresh.refresh(
        False, scenarios=[str(rc.CI_SCENARIO)], raw_dir=raw_copy, processed_dir=processed_copy,
        reports_dir=tmp_path / "reports", run_reports=lambda *a, **k: ran.append(1) or 0,
        config={"bps": [], "prices": {"source": str(tmp_path / "missing.xlsx")}})
    assert summary.failed and "missing.xlsx" in summary.failed[0] and ran == [1]


def test_a_malformed_fetch_yaml_is_reported_not_fatal(tmp_path):
    from kaltim_research.report import refresh

    p = tmp_path / "fetch.yaml"
    p.write_text("bps:\n  - domain: 6400\n  - [broken\n")
    with pytest.raises(ValueError, match="fetch.yaml"):
        refresh.load_config(p)
    p.write_text("bps: {domain: 6400}\n")
    with pytest.raises(ValueError, match="expected a mapping with 'bps'"):
        refresh.load_config(p)


def test_key_is_absent_everywhere_after_a_redirect_and_an_echoing_error(raw_copy, caplog,
                                                                        capsys, monkeypatch):
    caplog.set_level(logging.DEBUG)
    before = tree_hashes(raw_copy)
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return (rc.redirect_elsewhere if len(seen) == 1 else rc.echoing_error)(request)
    for _ in range(2):
        c = bps.BpsClient(rc.KEY, transport=httpx.MockTransport(handler))
        with pytest.raises(bps.BpsError) as exc:
            fetch.fetch_bps("6400", client=c, raw_dir=raw_copy, variables=[901])
        assert rc.KEY not in str(exc.value)
    assert not any("collector.example.net" in u for u in seen)  # the redirect was not followed
    assert rc.KEY not in caplog.text and rc.KEY not in "".join(capsys.readouterr())
    assert tree_hashes(raw_copy) == before
    for p in raw_copy.rglob("*"):
        if p.is_file():
            assert rc.KEY.encode() not in p.read_bytes()


def test_the_fetch_has_an_overall_deadline():
    import time

    def slow(request):
        time.sleep(0.05)
        return httpx.Response(200, json=rc._fixture("th_list_6400_var901.json"))
    c = bps.BpsClient(rc.KEY, transport=httpx.MockTransport(slow), deadline_s=0.2)
    with pytest.raises(bps.BpsError, match="longer than 0.2 s"):
        for _ in range(20):
            c.years("6400", 901)


def test_key_split_is_fast_on_a_hostile_reply():
    import time

    payload = rc._fixture("data_6400_var901.json")
    rc._split_bomb(payload)
    t0 = time.perf_counter()
    with pytest.raises(bps.BpsError, match="do not split"):
        bps.parse_datacontent(payload)
    assert time.perf_counter() - t0 < 2
