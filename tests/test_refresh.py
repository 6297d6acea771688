"""`kaltim-research refresh`: fetch (or skip, saying why), check, build, re-run, summarise.

The report runner is replaced by a stand-in that writes results.json the way the runner does
(only for scenarios whose fingerprint changed), so these tests take seconds.
"""
from __future__ import annotations

import json
from pathlib import Path

import httpx
from conftest import tree_hashes

from kaltim_research.data import bps
from kaltim_research.report import refresh as rf

SCENARIO = "scenarios/baseline.yaml"


def _results(p50_kaltim: float, p50_kaltara: float, manifest: str) -> dict:
    return {"scenario": {"name": "baseline", "hash": "sha256:s"},
            "provenance": {"data_manifest_hash": manifest, "scenario_hash": "sha256:s",
                           "package_version": "0.1.0"},
            "headline": [
                {"province": "Kalimantan Timur", "basis": "port_of_loading", "year": 2030,
                 "total_p50": p50_kaltim},
                {"province": "Kalimantan Utara", "basis": "origin", "year": 2030,
                 "total_p50": p50_kaltara}]}


def fake_runner(results: dict | None, fingerprint: dict | None):
    """A stand-in for runner.run_reports: writes the given results if given (a re-run)."""
    calls = []

    def run(files, overrides, jobs, lang, force, reports_dir):
        calls.append(files)
        if results is not None:
            d = Path(reports_dir) / "baseline"
            d.mkdir(parents=True, exist_ok=True)
            (d / "results.json").write_text(json.dumps(results))
            (d / "fingerprint.json").write_text(json.dumps(fingerprint))
        return 0
    run.calls = calls
    return run


def test_headline_changes_compare_medians_per_province():
    rec = rf.headline_changes(_results(13485.3, 1027.9, "sha256:a"),
                              _results(13513.6, 1098.6, "sha256:b"),
                              {"source_hash": "x"}, {"source_hash": "x"}, ["kaltara_wave3"])
    assert rec["inputs_changed"] == ["data"]
    assert rec["data_resources_added"] == ["kaltara_wave3"]
    h = {x["province"]: x for x in rec["headlines"]}
    assert abs(h["Kalimantan Utara"]["change_usd_m"] - 70.7) < 1e-9
    assert abs(h["Kalimantan Utara"]["change_pct"] - 100 * 70.7 / 1027.9) < 1e-9
    assert h["Kalimantan Timur"]["stat"] == "p50"


def test_offline_refresh_skips_fetches_builds_and_writes_changes(raw_copy, tmp_path, capsys):
    reports = tmp_path / "reports"
    d = reports / "baseline"
    d.mkdir(parents=True)
    (d / "results.json").write_text(json.dumps(_results(13485.3, 1027.9, "sha256:a")))
    (d / "fingerprint.json").write_text(json.dumps({"data_manifest_hash": "sha256:a"}))
    run = fake_runner(_results(13513.6, 1098.6, "sha256:b"), {"data_manifest_hash": "sha256:b"})
    s = rf.refresh(True, scenarios=[SCENARIO], raw_dir=raw_copy,
                   processed_dir=tmp_path / "processed", reports_dir=reports, run_reports=run)
    assert run.calls == [[SCENARIO]]
    assert (tmp_path / "processed" / "exports.csv").exists()
    assert s.skipped == ["all fetches (--offline)"] and s.reran == ["baseline"]
    changes = json.loads((d / "changes.json").read_text())
    assert changes["inputs_changed"] == ["data"]
    text = "\n".join(s.lines())
    assert "Kalimantan Utara (origin) 2030: 1,027.9 -> 1,098.6 (+70.7, +6.9%)" in text


def test_unchanged_scenarios_are_not_reported_as_moved(raw_copy, tmp_path):
    reports = tmp_path / "reports"
    run = fake_runner(None, None)  # the runner skipped everything (fingerprints unchanged)
    s = rf.refresh(True, scenarios=[SCENARIO], raw_dir=raw_copy,
                   processed_dir=tmp_path / "processed", reports_dir=reports, run_reports=run)
    assert s.reran == [] and s.changes == []
    assert "no scenario's numbers moved" in "\n".join(s.lines())


def test_a_first_report_says_there_is_nothing_to_compare(raw_copy, tmp_path):
    run = fake_runner(_results(1.0, 2.0, "sha256:a"), {"data_manifest_hash": "sha256:a"})
    s = rf.refresh(True, scenarios=[SCENARIO], raw_dir=raw_copy,
                   processed_dir=tmp_path / "processed", reports_dir=tmp_path / "r",
                   run_reports=run)
    assert s.first == ["baseline"] and "first report" in "\n".join(s.lines())


def test_without_a_key_bps_is_skipped_saying_so(raw_copy, tmp_path, monkeypatch):
    monkeypatch.delenv("BPS_API_KEY", raising=False)
    s = rf.RefreshSummary()
    rf.fetch_configured({"bps": [{"domain": "6400"}], "prices": None}, False, raw_copy, s)
    assert s.skipped == ["BPS WebAPI domain 6400: BPS_API_KEY is not set"]


def test_a_failed_fetch_changes_nothing_and_the_refresh_goes_on(raw_copy, tmp_path):
    before = tree_hashes(raw_copy)
    firewall = httpx.MockTransport(lambda r: httpx.Response(
        403, text="<html><h1>Perimeter WAF Block</h1></html>",
        headers={"content-type": "text/html"}))
    client = bps.BpsClient("k3y-for-test", transport=firewall)
    s = rf.RefreshSummary()
    rf.fetch_configured({"bps": [{"domain": "6400"}], "prices": {"source": "https://x.test/p.xlsx"}},
                        False, raw_copy, s, bps_client=client, prices_transport=firewall)
    assert len(s.failed) == 2 and "firewall" in s.failed[0] and "k3y-for-test" not in s.failed[0]
    assert tree_hashes(raw_copy) == before
