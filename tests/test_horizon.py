"""A band that grows with the horizon (issue 16, item 4) and coal policy inside the baseline
(item 6): horizon tests, calibration by horizon, Wilson intervals, the persistent error, and
the tornado of the baseline."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kaltim_research.config import PROJ_ROOT
from kaltim_research.models import engine
from kaltim_research.models.baseline import horizon as hz
from kaltim_research.models.scenario import Parameters, load_scenario

KALTIM, KALTARA = "Kalimantan Timur", "Kalimantan Utara"
SCENARIOS = Path(PROJ_ROOT) / "scenarios"


@pytest.fixture(scope="module")
def inputs(default_inputs):
    return default_inputs  # fitted once per test process (conftest)


def test_wilson_interval_matches_the_review():
    """The review of the old band: 11 of 13 inside has a Wilson 95 % interval of 0.58–0.96."""
    lo, hi = hz.wilson(11, 13)
    assert round(lo, 2) == 0.58 and round(hi, 2) == 0.96
    lo, hi = hz.wilson(0, 5)
    assert lo == pytest.approx(0.0, abs=1e-12) and 0 < hi < 0.5
    assert all(np.isnan(hz.wilson(0, 0)))


def test_growth_variance_recovers_a_known_random_walk():
    """Synthetic errors with var(h) = 0.04 + (h − 1) × 0.01 give σ_P² ≈ 0.01."""
    rng = np.random.default_rng(1)
    rows = []
    for h in (1, 2, 3, 4):
        e = rng.normal(0, np.sqrt(0.04 + (h - 1) * 0.01), 4000)
        rows += [{"province": "X", "price_info": "ex_post", "horizon_years": h,
                  "year": 2000 + i % 30, "log_error": v} for i, v in enumerate(e)]
    s1, sp, used = hz.growth_variance(pd.DataFrame(rows))
    assert s1 == pytest.approx(0.04, rel=0.1) and sp == pytest.approx(0.01, rel=0.25)
    assert used == [1, 2, 3, 4]
    # too few independent target years at every later horizon: no estimate
    few = pd.DataFrame(rows).assign(year=lambda d: np.where(d["horizon_years"] > 1, 2000,
                                                            d["year"]))
    assert hz.growth_variance(few) is None


def test_horizon_tests_reach_back_to_2014_and_project_like_the_baseline(inputs):
    t = inputs.horizon_tests
    assert set(t["horizon_years"]) == set(hz.HORIZONS) == {1, 2, 3, 4, 5}
    assert t["origin_year"].min() == 2014                    # back to 2014 where the ledger allows
    assert (t["year"] - t["origin_year"] == t["horizon_years"]).all()
    # ex ante holds the origin's level (naive); ex post moves it with realised prices
    ea = t[t["price_info"] == "ex_ante"].reset_index(drop=True)
    ep = t[t["price_info"] == "ex_post"].reset_index(drop=True)
    assert (ea["forecast_annualised_usd_m"] > 0).all()
    np.testing.assert_allclose(ea["log_error"], np.log(ea["forecast_annualised_usd_m"]
                                                       / ea["actual_annualised_usd_m"]))
    assert not np.allclose(ea["forecast_annualised_usd_m"], ep["forecast_annualised_usd_m"])
    # the price-conditional projection beats the held level at every horizon (Kaltim)
    cal = inputs.calibration
    k = cal[cal["scope"] == KALTIM]
    assert (k["rmse_log"] < k["rmse_log_naive"]).all()


def test_calibration_by_horizon_has_three_horizons_with_wilson_intervals(inputs):
    cal = inputs.calibration
    for scope in (KALTIM, "all"):
        g = cal[(cal["scope"] == scope) & (cal["n_tests"] >= hz.MIN_TESTS)
                & (cal["independent_target_years"] >= hz.MIN_YEARS)]
        assert g["horizon_years"].nunique() >= 3, scope
        assert (g["basis"] == "tests").all()
    ok = cal[cal["n_tests"] > 0]
    assert (ok["wilson_low"] <= ok["coverage"]).all() and (ok["coverage"] <= ok["wilson_high"]).all()
    assert ok[["wilson_low", "wilson_high"]].stack().between(0, 1).all()
    # every horizon without enough tests says where its sd comes from
    thin = cal[cal["basis"] != "tests"]
    assert thin["basis"].str.contains("pooled|own|judgement").all()
    # the band's sd grows with the horizon
    for _, g in cal.groupby("scope"):
        assert g.sort_values("horizon_years")["sd_log"].is_monotonic_increasing


def test_band_of_2030_wider_than_2026_in_both_provinces(inputs):
    base = load_scenario(SCENARIOS / "baseline.yaml")
    r = engine.run_scenario(base, draws=3000, inputs=inputs, tornado=False)
    i26, i30 = list(r.years).index(2026), list(r.years).index(2030)
    for prov in (KALTIM, KALTARA):
        d = r.draws[prov]["total"]
        w26 = np.percentile(d[:, i26], 90) - np.percentile(d[:, i26], 10)
        w30 = np.percentile(d[:, i30], 90) - np.percentile(d[:, i30], 10)
        assert w30 > w26, prov
        # and in relative terms (P90 / P10), not only because the level moves
        r26 = np.percentile(d[:, i26], 90) / np.percentile(d[:, i26], 10)
        r30 = np.percentile(d[:, i30], 90) / np.percentile(d[:, i30], 10)
        assert r30 > r26, prov


def test_persistent_error_is_zero_without_shocks_and_calibrated_per_province(inputs):
    sp = inputs.blocks.persistent_sd
    assert set(sp) == {KALTIM, KALTARA} and all(0 < v < 0.5 for v in sp.values())
    base = load_scenario(SCENARIOS / "baseline.yaml")
    a = engine.simulate(base, inputs, base.parameters, 5, 3, shocks=False)
    b = engine.simulate(base, inputs, base.parameters, 5, 4, shocks=False)
    for prov in (KALTIM, KALTARA):   # no shocks: the seed does not matter
        np.testing.assert_allclose(a["comps"][prov]["baseline"], b["comps"][prov]["baseline"])


def test_baseline_tornado_lists_national_output_dmo_and_pass_through(inputs):
    base = load_scenario(SCENARIOS / "baseline.yaml")
    t = engine.tornado_table(base, inputs, base.parameters, 1)
    for prov in (KALTIM, KALTARA):
        g = t[(t["province"] == prov) & (t["swing_usd_m"] > 0)]
        for name in ("coal_volume.output_outturn_ratio", "coal_volume.dmo_deviation_pp",
                     "coal_volume.price_passthrough"):
            assert name in set(g["parameter"]), (prov, name)
        row = g.set_index("parameter")
        # more output raises exports; a larger DMO share lowers them; a larger pass-through
        # raises the unit value when the cut binds
        assert row.at["coal_volume.output_outturn_ratio", "high_usd_m"] > \
            row.at["coal_volume.output_outturn_ratio", "low_usd_m"]
        assert row.at["coal_volume.dmo_deviation_pp", "high_usd_m"] < \
            row.at["coal_volume.dmo_deviation_pp", "low_usd_m"]
        assert row.at["coal_volume.price_passthrough", "high_usd_m"] > \
            row.at["coal_volume.price_passthrough", "low_usd_m"]


def test_national_output_range_is_anchored_on_the_2026_evidence(built_processed):
    """600 Mt × the outturn range runs from below the plan to the approval × the realised
    share of approvals; the pass-through stays below Indonesia's seaborne share."""
    ctx = pd.read_csv(built_processed / "context.csv")
    cv = Parameters().coal_volume
    plan = cv.output_mt[2026]
    approval = float(ctx.loc[ctx["topic"] == "coal_rkab_approved_3yr", "value_num"].iloc[0])
    assert plan == float(ctx.loc[ctx["topic"] == "coal_production_plan", "value_num"].iloc[0])
    r = cv.output_outturn_ratio
    assert r.low * plan < plan < r.value * plan < r.high * plan < approval
    assert r.high * plan == pytest.approx(approval * 836 / 922.14, rel=0.01)
    share = ctx.loc[ctx["topic"] == "coal_global_trade_share", "value"].iloc[0]
    num, den = (float(x.replace(",", "")) for x in share.split(" of "))
    assert cv.price_passthrough.high == pytest.approx(num / den, abs=0.001)
    assert cv.price_passthrough.low < cv.price_passthrough.value < cv.price_passthrough.high


def test_rkab_2026_enforces_the_plan(inputs):
    """The named case: 600 Mt and 30 % exactly in every draw, with the baseline's draws
    (paired), whose outturn and DMO scatter around the plan; its median lies below the
    baseline's (the baseline's mode outturn is 1.07 × the plan)."""
    from kaltim_research.models.baseline import volume as vo

    base = load_scenario(SCENARIOS / "baseline.yaml")
    rk = load_scenario(SCENARIOS / "rkab_2026.yaml")
    assert rk.parameters.coal_volume.plan_enforced == 1.0
    assert base.parameters.coal_volume.plan_enforced == 0.0
    out = engine.simulate(rk, inputs, base.parameters, 400, 1)
    ref = engine.simulate(base, inputs, base.parameters, 400, 1)
    np.testing.assert_array_equal(out["u"]["coal_volume.output_outturn_ratio"],
                                  ref["u"]["coal_volume.output_outturn_ratio"])
    years = out["years"]
    v_rk = vo.volume_index(rk.parameters.coal_volume, {2025: 0.0}, out["u"], years,
                           inputs.blocks.weights, 400)
    v_b = vo.volume_index(base.parameters.coal_volume, {2025: 0.0}, ref["u"], years,
                          inputs.blocks.weights, 400)
    np.testing.assert_allclose(v_rk["supply"], 600 * 0.70 / (790 * 0.75))
    assert np.std(v_b["supply"][:, -1]) > 0.02
    i = list(years).index(2030)
    d = out["comps"][KALTIM]["baseline"][:, i] - ref["comps"][KALTIM]["baseline"][:, i]
    assert np.median(d) < 0


def test_wave4_figures_come_in_with_provenance_and_are_checked(built_processed, inputs):
    """HBA to March 2026 (half-months averaged, marked), the RKAB and seaborne-share context,
    Kaltim's Q3 2025 trade surplus and GRDP: each with its source URL; the surplus floors the
    nowcast's Q3 exports and the 2026 HBA months are set beside the 2026 Newcastle path."""
    from kaltim_research.models.baseline import nowcast as nc

    pm = pd.read_csv(built_processed / "prices_monthly.csv")
    hba = pm[pm["series_id"] == "hba"]
    last = hba.sort_values(["year", "month"]).iloc[-1]
    assert (int(last["year"]), int(last["month"])) == (2026, 3)
    assert (hba.loc[hba["year"] == 2026, "basis"] == "mean_of_half_monthly_values").all()
    assert {"hba_i", "hba_ii", "hba_iii"} <= set(pm["series_id"])
    ctx = pd.read_csv(built_processed / "context.csv")
    w4 = ctx[ctx["dataset"] == "context_wave4"]
    assert {"coal_rkab_approved_3yr", "coal_rkab_2026_interim_rule", "coal_rkab_2026_pending",
            "coal_rkab_2026_cut_reported", "trade_balance", "coal_exports_volume"} <= set(w4["topic"])
    assert w4["source_url"].str.startswith("http").all()
    grdp = pd.read_csv(built_processed / "grdp.csv")
    q3 = grdp[(grdp["year"] == 2025) & grdp["indicator"].str.contains("mining")]
    assert len(q3) == 2 and (q3["value"].abs() < 1).all()      # mining flat in Q2–Q3 2025
    sig = inputs.blocks.signals
    assert sig["trade_surplus_q3_2025_usd_m"] == 4090.0
    # by hand: a nowcast of 4 × 5,000 a year passes the floor, 4 × 4,000 does not
    ok = nc.wave4_checks({2025: {"coal": np.full(9, 20000.0)}}, sig, 100.0, 0.93)
    bad = nc.wave4_checks({2025: {"coal": np.full(9, 16000.0)}}, sig, 100.0, 0.93)
    assert ok["consistent"].iloc[0] and not bad["consistent"].iloc[0]
    assert ok["observed"].iloc[1] == pytest.approx(sig["hba_2026_mean_usd_per_t"] / 0.93)
