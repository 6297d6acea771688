"""Measurement model (issue 16): every printed figure is an observation; the smoothed months
reconcile with the printed cumulatives; any new release moves the headline."""
from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from kaltim_research.config import PROJ_ROOT
from kaltim_research.models import engine
from kaltim_research.models.baseline import assimilation as asm
from kaltim_research.models.baseline import blocks as bk
from kaltim_research.models.baseline import measurement as me
from kaltim_research.models.baseline import measurement_obs as mo
from kaltim_research.models.scenario import Parameters, load_scenario

KALTARA = "Kalimantan Utara"


def _tables(processed):
    return {n: pd.read_csv(processed / n) for n in ("exports.csv", "prices_monthly.csv",
                                                     "context.csv", "commodities.csv")}


def _fits(t, exports=None):
    e = t["exports.csv"] if exports is None else exports
    _, tab = bk.block_shares(t["commodities.csv"], e, "Kalimantan Timur", "nonmigas")
    return asm.fit_all(e, t["prices_monthly.csv"], t["context.csv"], Parameters(), tab)


@pytest.fixture(scope="module")
def tables(built_processed):
    return _tables(built_processed)


@pytest.fixture(scope="module")
def fits(tables):
    return _fits(tables)


@pytest.fixture(scope="module")
def assimilated(fits):
    return asm.assimilated_table(fits)


def test_rounding_is_the_coarsest_power_of_ten_of_the_printed_value():
    assert mo.rounding_var(1090.0) == pytest.approx(10 ** 2 / 12)    # "1,09 miliar"
    assert mo.rounding_var(352.57) == pytest.approx(0.01 ** 2 / 12)
    assert mo.rounding_var(3400.0) == pytest.approx(100 ** 2 / 12)   # "3,4 miliar"


def test_cumulator_is_the_sum_of_its_months(fits):
    """The state-space design: each cumulator equals the sum of the smoothed months since
    January (a wrong transition or reset would break this)."""
    for f in fits.values():
        m, c = f.months, f.cums
        for (concept, flow, year), g in m.groupby(["concept", "flow", "year"]):
            cs = c[(c["concept"] == concept) & (c["flow"] == flow) & (c["year"] == year)]
            np.testing.assert_allclose(np.cumsum(g["mean_usd_m"].to_numpy()),
                                       cs["mean_usd_m"].to_numpy(), rtol=1e-6, atol=1e-3)


def test_printed_months_come_back_as_printed(fits, assimilated):
    for prov, f in fits.items():
        u = f.used[(f.used["period_type"] == "month") & (f.used["kind"] == "printed")]
        a = assimilated[assimilated["province"] == prov].set_index(
            ["concept", "flow", "year", "month"])
        for r in u.itertuples():
            row = a.loc[(r.concept, r.flow, r.year, r.month)]
            assert row["kind"] == "printed"
            assert row["p50_usd_m"] == pytest.approx(r.value_usd_m, abs=0.005)
            # the smoother agrees with the printed figure within its rounding
            sm = f.months[(f.months["concept"] == r.concept) & (f.months["flow"] == r.flow)
                          & (f.months["year"] == r.year) & (f.months["month"] == r.month)]
            assert abs(float(sm["mean_usd_m"].iloc[0]) - r.value_usd_m) \
                <= 3 * np.sqrt(mo.rounding_var(r.value_usd_m)) + 0.02 * r.value_usd_m


def test_every_printed_2024_2025_cumulative_is_met_or_explained(fits, assimilated):
    checks = asm.cumulative_checks(fits, assimilated, 0.03)
    bps = checks[checks["period_type"].isin(["ytd", "year"]) & (checks["year"] >= 2024)]
    assert len(bps) >= 10
    for r in bps.itertuples():
        assert r.status == "met" or r.reason, r
    # the case: Kaltara via ports Jan-Sep 2025, 1,022.35 US$ m printed (+9 % before)
    k = bps[(bps["province"] == KALTARA) & (bps["concept"] == "via_ports")
            & (bps["year"] == 2025) & (bps["month"] == 9)].iloc[0]
    assert abs(k["difference_pct"]) <= asm.TOLERANCE_PCT
    assert (bps[bps["kind"] == "printed"]["status"] == "met").all()


def test_kinds_follow_the_information(fits, assimilated):
    a = assimilated.set_index(["province", "concept", "flow", "year", "month"])["kind"]
    # Kaltara origin: last own figure Jan-May 2025; via ports runs to September
    assert a[(KALTARA, "origin", "total", 2025, 3)] == "filled"
    assert a[(KALTARA, "origin", "total", 2025, 7)] == "nowcast"
    assert a[(KALTARA, "origin", "total", 2025, 11)] == "forecast"
    assert set(assimilated["kind"]) <= set(asm.KINDS)


def test_the_other_kaltara_basis_moves_the_origin_start(tables, fits):
    """Via-ports months are linked to the origin basis by the estimated share: dropping the
    via-ports figures after May 2025 changes the origin 2025 starting point."""
    e = tables["exports.csv"]
    drop = ((e["province"] == KALTARA) & (e["concept"] == "via_ports") & (e["year"] == 2025)
            & (e["month"] > 5))
    fit = me.fit_system(e[~drop], tables["prices_monthly.csv"], tables["context.csv"],
                        mo.SYSTEMS[1], 0.03)
    before = me.cumulative(fits[KALTARA], "origin", "total", 2025)[0]
    after = me.cumulative(fit, "origin", "total", 2025)[0]
    assert after != pytest.approx(before, rel=1e-4)
    assert fits[KALTARA].params["share.via_ports"] > 0


def test_an_exante_fit_sees_only_figures_up_to_its_origin(tables):
    origin = pd.Period("2023-12", freq="M")
    f = me.fit_system(tables["exports.csv"], tables["prices_monthly.csv"],
                      tables["context.csv"], mo.SYSTEMS[1], 0.03, until=origin)
    last = f.used.sort_values(["year", "month"]).iloc[-1]
    assert pd.Period(year=int(last["year"]), month=int(last["month"]), freq="M") <= origin


def _headline_and_assimilated(processed, scenario):
    inputs = engine.load_inputs(scenario.parameters, processed, use_cache=False)
    run = engine.run_scenario(scenario, draws=400, inputs=inputs, tornado=False)
    res = run.extra["results"]
    hy = scenario.parameters.simulation.headline_year
    head = res[(res["component"] == "total") & (res["year"] == hy) & (res["stat"] == "p50")]
    return (dict(zip(head["province"], head["value_usd_m"], strict=True)),
            run.extra["assimilated"].to_csv(index=False, lineterminator="\n"),
            run.provenance["measurement"]["last_observation_used"])


def test_one_printed_month_moves_headline_and_assimilated_and_removal_restores(
        built_processed, tmp_path):
    """Done means (issue 16): add one printed month to a copy of the ledger (a Kaltara-origin
    July 2025 figure after the last printed origin month), headline and assimilated.csv
    change; removing it restores both byte for byte."""
    processed = tmp_path / "processed"
    shutil.copytree(built_processed, processed, ignore=shutil.ignore_patterns(".cache"))
    scenario = load_scenario(PROJ_ROOT / "scenarios" / "baseline.yaml")
    path = processed / "exports.csv"
    original = path.read_bytes()
    head0, assim0, last0 = _headline_and_assimilated(processed, scenario)

    e = pd.read_csv(path)
    row = e[(e["province"] == KALTARA) & (e["concept"] == "origin") & (e["flow"] == "total")
            & (e["period_type"] == "month") & (e["year"] == 2025) & (e["month"] == 1)].copy()
    row["month"], row["value_usd_m"] = 7, 80.0  # well below the smoothed ~116 US$ m
    pd.concat([e, row], ignore_index=True).to_csv(path, index=False, lineterminator="\n")
    head1, assim1, last1 = _headline_and_assimilated(processed, scenario)
    assert assim1 != assim0
    assert head1[KALTARA] < head0[KALTARA]          # a lower month lowers the start and 2030
    assert last1[KALTARA] == last0[KALTARA]         # via ports Jan-Sep 2025 is still the latest

    path.write_bytes(original)
    head2, assim2, _ = _headline_and_assimilated(processed, scenario)
    assert assim2 == assim0 and head2 == head0
