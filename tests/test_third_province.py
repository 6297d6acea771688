"""A third province added by data alone (README "Adding a province"), with a synthetic fixture.

The fixture (tests/fixtures/third_province/, clearly marked SYNTHETIC) adds Kalimantan Selatan
as a new export file and a copied manifest entry. Everything below must work without a code
change: the README's order of commands, the ledger, the notebooks' helpers, and — after the
one-line ``SeriesSpec`` — the engine and its headline, where a province without a sector
breakdown shows its coal share as not available (None), never 0.0 %.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
from conftest import THIRD_PROVINCE, add_third_province, copy_raw

from kaltim_research import cli
from kaltim_research.report import notebook

ROOT = Path(__file__).resolve().parents[1]
CI_SCENARIO = ROOT / "tests" / "fixtures" / "scenarios" / "ci_small.yaml"


def test_readme_order_check_then_data_works_after_adding_a_province(tmp_path, built_processed,
                                                                    capsys):
    """`make check && make data`: check must pass (STALE is a notice) before data can run."""
    import shutil

    raw = add_third_province(copy_raw(tmp_path / "raw"))
    processed = tmp_path / "processed"
    shutil.copytree(built_processed, processed)  # tables built before the province was added
    argv = ["--raw", str(raw), "--processed", str(processed)]
    assert cli.main(["data", "check", *argv]) == 0
    assert "STALE" in capsys.readouterr().err
    assert cli.main(["data", "build", *argv]) == 0
    assert cli.main(["data", "check", *argv]) == 0
    assert "processed tables OK" in capsys.readouterr().out


def test_the_ledger_holds_the_third_province(third_province, built_processed):
    _raw, processed = third_province
    assert THIRD_PROVINCE in notebook.provinces(processed)
    e = pd.read_csv(processed / "exports.csv")
    k = e[e["province"] == THIRD_PROVINCE]
    assert len(k[(k["concept"] == "origin") & (k["flow"] == "total")]) == 36
    # each province keeps its own rows: adding one changes no other province's figures
    base = pd.read_csv(built_processed / "exports.csv")
    for prov in base["province"].unique():
        a = base[base["province"] == prov].reset_index(drop=True)
        b = e[e["province"] == prov].reset_index(drop=True)
        pd.testing.assert_frame_equal(a[["concept", "flow", "year", "month", "value_usd_m"]],
                                      b[["concept", "flow", "year", "month", "value_usd_m"]])


def test_a_non_bps_series_is_mapped_by_the_explicit_rule(third_province):
    """'nonmigas (Kemendag)' is the Ministry of Trade's series: concept 'unspecified'."""
    _raw, processed = third_province
    obs = pd.read_csv(processed / "export_observations.csv")
    row = obs[(obs["province"] == THIRD_PROVINCE) & (obs["flow"] == "nonmigas")]
    assert len(row) == 1 and row["concept"].iloc[0] == "unspecified"


def test_history_starts_at_each_provinces_first_year(third_province):
    _raw, processed = third_province
    e = pd.read_csv(processed / "exports.csv")
    for prov in notebook.provinces(processed):
        first, last = notebook.year_range(prov, processed_dir=processed)
        assert first == e.loc[e["province"] == prov, "year"].min()
        assert last == e.loc[e["province"] == prov, "year"].max()
    assert notebook.year_range(THIRD_PROVINCE, processed_dir=processed) == (2021, 2023)


def test_engine_headline_with_three_provinces_and_no_sector_breakdown(third_province):
    from kaltim_research.models import engine
    from kaltim_research.models.baseline import price_model as bl
    from kaltim_research.models.scenario import load_scenario
    from kaltim_research.report.results import headline

    raw, processed = third_province
    sc = load_scenario(CI_SCENARIO)
    series = (*bl.DEFAULT_SERIES,
              bl.SeriesSpec(THIRD_PROVINCE, "origin", "total", "coal_newcastle"))
    inputs = engine.load_inputs(sc.parameters, processed, raw, series=series, use_cache=False)
    run = engine.run_scenario(sc, processed_dir=processed, inputs=inputs, draws=200,
                              tornado=False)
    heads = {h["province"]: h for h in headline(run, processed)}
    assert set(heads) == {"Kalimantan Timur", "Kalimantan Utara", THIRD_PROVINCE}
    for prov, h in heads.items():  # loop over provinces: invariants hold for each
        assert h["total_p10"] <= h["total_p50"] <= h["total_p90"], prov
        assert h["total_mean"] > 0, prov
    assert heads[THIRD_PROVINCE]["coal_share_pct"] is None  # no sector breakdown printed
    assert heads["Kalimantan Timur"]["coal_share_pct"] > 0


def test_history_notebook_runs_for_the_third_province_helpers(third_province):
    _raw, processed = third_province
    h = notebook.history(THIRD_PROVINCE, *notebook.year_range(THIRD_PROVINCE,
                                                              processed_dir=processed),
                         processed_dir=processed)
    assert not h["exports"].empty and (h["exports"]["province"] == THIRD_PROVINCE).all()


def test_cli_entry_point_runs_as_a_module():
    r = subprocess.run([sys.executable, "-m", "kaltim_research.cli", "--help"],
                       capture_output=True, text=True)
    assert r.returncode == 0
