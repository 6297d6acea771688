"""Scenario engine: identities, common random numbers, caps, monotonicity, outputs.

One fitted baseline (``load_inputs`` on the session build, no on-disk cache) is shared by the
module; runs use a few hundred draws and no tornado except where the tornado is tested.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from kaltim_research.config import PROJ_ROOT
from kaltim_research.models import engine
from kaltim_research.models.baseline.price_model import DEFAULT_SERIES
from kaltim_research.models.scenario import Parameters, load_scenario, parse_scenario, reference_scenario

SCENARIOS = Path(PROJ_ROOT) / "scenarios"
FIXTURES = Path(__file__).parent / "fixtures" / "scenarios"
KALTIM, KALTARA = "Kalimantan Timur", "Kalimantan Utara"
#: Provinces the engine projects (one SeriesSpec each): loop over these, test Kaltim/Kaltara
#: specifics by name, so a third province added by data and a SeriesSpec keeps the suite green.
MODELLED = {s.province for s in DEFAULT_SERIES}
LEVERS = ("export_center", "kihi", "connectivity")
LEVER_ONLY = ("export_center", "kihi", "connectivity", "combined_moderate", "combined_ambitious")
N = 400


@pytest.fixture(scope="module")
def inputs(default_inputs):
    return default_inputs  # fitted once per test process (conftest)


@pytest.fixture(scope="module")
def scen():
    out = {p.stem: load_scenario(p) for p in SCENARIOS.glob("*.yaml")}
    out["ci_small"] = load_scenario(FIXTURES / "ci_small.yaml")
    return out


@pytest.fixture(scope="module")
def run(inputs, scen):
    cache: dict = {}

    def _run(name_or_scenario, draws=N, seed=None, tornado=False):
        s = scen[name_or_scenario] if isinstance(name_or_scenario, str) else name_or_scenario
        key = (id(s), draws, seed, tornado)
        if key not in cache:
            cache[key] = engine.run_scenario(s, reference=scen["baseline"], draws=draws,
                                             seed=seed, inputs=inputs, tornado=tornado)
        return cache[key]
    return _run


def _scenario_dict(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------
# no intervention, lever-only scenarios, identities
# --------------------------------------------------------------------------------------------

def test_no_intervention_is_the_baseline(run):
    r = run("baseline")
    assert set(r.draws) == MODELLED and {KALTIM, KALTARA} <= MODELLED
    for prov, c in r.draws.items():
        assert c["baseline"].shape == (N, len(r.years))
        for comp in LEVERS:
            assert np.all(c[comp] == 0.0), (prov, comp)
        np.testing.assert_array_equal(c["total"], c["baseline"])
        assert np.all(c["baseline"] > 0)
    dec = r.extra["decomposition"]
    assert (dec["price_and_coal_demand_usd_m"] == 0).all()
    assert list(r.years) == list(range(2026, 2036))


@pytest.mark.parametrize("name", LEVER_ONLY)
def test_lever_scenario_keeps_baseline_draws(run, name):
    base, r = run("baseline"), run(name)
    for prov in (KALTIM, KALTARA):
        np.testing.assert_array_equal(r.draws[prov]["baseline"], base.draws[prov]["baseline"])
    dec = r.extra["decomposition"]
    assert (dec["price_and_coal_demand_usd_m"] == 0.0).all()
    for prov in (KALTIM, KALTARA):
        d = dec[dec["province"] == prov]
        np.testing.assert_array_equal(d["baseline_scenario_usd_m"].to_numpy(),
                                      base.draws[prov]["baseline"].mean(axis=0))


def test_pinned_lever_parameter_keeps_common_random_numbers(run, scen):
    """Pinning an uncertain lever value (low = value = high) must not shift the random stream
    of the price and model shocks: the baseline draws stay those of the baseline scenario."""
    data = _scenario_dict(SCENARIOS / "export_center.yaml")
    data["parameters"]["export_center"]["match_rate"] = {"value": 0.1, "low": 0.1, "high": 0.1}
    pinned = parse_scenario(data)
    base, r = run("baseline"), run(pinned)
    for prov in (KALTIM, KALTARA):
        np.testing.assert_array_equal(r.draws[prov]["baseline"], base.draws[prov]["baseline"])
    assert (r.extra["decomposition"]["price_and_coal_demand_usd_m"] == 0.0).all()


@pytest.mark.parametrize("name", ["baseline", "combined_moderate", "combined_ambitious",
                                  "coal_transition", "ci_small"])
def test_components_sum_to_totals_draw_by_draw(run, name):
    r = run(name)
    for c in r.draws.values():
        summed = c["baseline"] + c["export_center"] + c["kihi"] + c["connectivity"]
        np.testing.assert_allclose(c["total"], summed, rtol=1e-13, atol=0)
    res = r.extra["results"]
    mean = res[res["stat"] == "mean"].pivot_table(index=["province", "year"], columns="component",
                                                 values="value_usd_m")
    np.testing.assert_allclose(mean["total"], mean[["baseline", *LEVERS]].sum(axis=1),
                               rtol=1e-12)


@pytest.mark.parametrize("name", LEVER_ONLY)
def test_interventions_only_add(run, name):
    r, base = run(name), run("baseline")
    added = 0.0
    for prov, c in r.draws.items():
        for comp in LEVERS:
            assert np.all(c[comp] >= 0.0), (prov, comp)
            added += float(c[comp].sum())
        assert np.all(c["total"] >= base.draws[prov]["total"])
    assert added > 0.0


def test_lever_scenarios_move_their_own_component_only(run):
    for name in LEVERS:
        r = run(name)
        assert r.draws[KALTIM][name].sum() + r.draws[KALTARA][name].sum() > 0, name
        for other in LEVERS:
            if other != name:
                assert all(np.all(r.draws[p][other] == 0) for p in (KALTIM, KALTARA)), (name,
                                                                                     other)


# --------------------------------------------------------------------------------------------
# seeds
# --------------------------------------------------------------------------------------------

def test_same_seed_same_draws_other_seed_other_draws(inputs, scen):
    s, ref = scen["combined_moderate"], scen["baseline"]
    a = engine.run_scenario(s, reference=ref, draws=300, seed=11, inputs=inputs, tornado=False)
    b = engine.run_scenario(s, reference=ref, draws=300, seed=11, inputs=inputs, tornado=False)
    c = engine.run_scenario(s, reference=ref, draws=300, seed=12, inputs=inputs, tornado=False)
    for prov in a.draws:
        for comp in ("total", "baseline", *LEVERS):
            np.testing.assert_array_equal(a.draws[prov][comp], b.draws[prov][comp])
        assert not np.array_equal(a.draws[prov]["baseline"], c.draws[prov]["baseline"])
        # distinct draw by draw, not just reordered
        assert np.mean(a.draws[prov]["baseline"] != c.draws[prov]["baseline"]) > 0.99
    pd.testing.assert_frame_equal(a.extra["results"], b.extra["results"])
    assert a.provenance["seed"] == 11 and c.provenance["seed"] == 12


def test_scenario_seed_is_used_by_default(run, scen):
    r = run("ci_small")
    assert r.provenance["seed"] == 7
    explicit = run("ci_small", seed=7)
    np.testing.assert_array_equal(r.draws[KALTIM]["total"], explicit.draws[KALTIM]["total"])


# --------------------------------------------------------------------------------------------
# KIHI caps
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["kihi", "combined_ambitious"])
def test_kihi_output_within_capacity_and_power(inputs, scen, name):
    s = scen[name]
    out = engine.simulate(s, inputs, scen["baseline"].parameters, 500, 3)
    k, u, years = out["kihi"], out["u"], out["years"]
    kp = s.parameters.kihi
    output = k.output_t.sum(axis=1)                                        # (N, T) tonnes
    cap_util = k.capacity_online_t.sum(axis=1) * u["kihi.utilisation"][:, None]
    assert np.all(output <= cap_util * (1 + 1e-12) + 1e-6)
    # capacity online never exceeds the nameplate sum
    assert np.all(k.capacity_online_t.sum(axis=1) <= sum(p.nameplate_kt for p in kp.projects)
                  * 1000 * (1 + 1e-12))
    # power available, by hand: each captive unit (MW x 8,760 h) for the part of each year
    # after it enters service (first project's year + drawn delay + i x drawn interval) x the
    # drawn availability, + 9 TWh hydro x share after the drawn COD (2032.5 = half of 2032)
    hydro_on = np.clip(years[None, :] + 1 - u["kihi.hydro_cod_year"][:, None], 0.0, 1.0)
    first = min(p.first_year for p in kp.projects)
    coal_twh = sum(mw * 8760 / 1e6 * np.clip(
        years[None, :] + 1 - (first + u["kihi.start_delay_years"][:, None]
                              + i * u["kihi.captive_unit_interval_years"][:, None]), 0.0, 1.0)
        for i, mw in enumerate(kp.captive_units_mw))
    available_twh = coal_twh * u["kihi.captive_power_availability"][:, None] \
        + kp.hydro_twh * u["kihi.hydro_share_for_kihi"][:, None] * hydro_on
    used_twh = output * u["kihi.power_mwh_per_t"][:, None] / 1e6
    assert np.all(used_twh <= available_twh * (1 + 1e-9))
    np.testing.assert_allclose(k.power_demand_twh, used_twh, rtol=1e-9, atol=1e-12)
    if name == "combined_ambitious":
        # Power binds in late years wherever the capacity online at the drawn utilisation
        # needs more than the power available (1.5 Mt x 12.5-15 MWh/t vs ~7.6 + 9 TWh x share)
        late = years >= 2033  # the expansion ramps stepwise: past 0.8 by 2033
        needs = cap_util * u["kihi.power_mwh_per_t"][:, None] / 1e6 > available_twh * (1 + 1e-9)
        assert needs[:, late].mean() > 0.5
        binding = output < cap_util * (1 - 1e-6)
        assert np.array_equal(binding[:, late], needs[:, late])
        np.testing.assert_allclose(used_twh[needs], available_twh[needs], rtol=1e-9)


def test_kihi_table_matches_draws(run):
    r = run("kihi")
    kt = r.extra["kihi"].set_index("year")
    np.testing.assert_allclose(kt["gross_export_usd_m_mean"].to_numpy(),
                               r.draws[KALTARA]["kihi"].mean(axis=0), rtol=1e-12)
    # phase 1: 500 kt nameplate; output can never exceed it
    assert (kt["output_kt_mean"] <= 500 + 1e-9).all() and kt["output_kt_mean"].iloc[-1] > 400


# --------------------------------------------------------------------------------------------
# monotonicity and the coal transition
# --------------------------------------------------------------------------------------------

def test_more_onboarding_never_lowers_export_center(run, scen):
    data = _scenario_dict(SCENARIOS / "export_center.yaml")
    more = dict(data)
    more["parameters"] = {"export_center": {
        "onboarded_kaltim": {y: 2 * v for y, v in
                             data["parameters"]["export_center"]["onboarded_kaltim"].items()},
        "onboarded_kaltara": data["parameters"]["export_center"]["onboarded_kaltara"]}}
    more_s = parse_scenario(more)
    assert more_s.parameters.export_center.onboarded_kaltim[2028] == 400
    ec = scen["export_center"].parameters.export_center
    via_copy = scen["export_center"].model_copy(update={"parameters": scen[
        "export_center"].parameters.model_copy(update={"export_center": ec.model_copy(update={
            "onboarded_kaltim": {y: 3 * v for y, v in ec.onboarded_kaltim.items()}})})})
    base = run("export_center").draws[KALTIM]["export_center"]
    doubled = run(more_s).draws[KALTIM]["export_center"]
    tripled = run(via_copy).draws[KALTIM]["export_center"]
    assert np.all(doubled >= base) and np.all(tripled >= doubled)
    assert np.all(doubled[:, -1] > base[:, -1])
    # expected values of cohorts are linear in onboarding: twice the firms, twice the value
    np.testing.assert_allclose(doubled, 2 * base, rtol=1e-12)
    np.testing.assert_array_equal(run(more_s).draws[KALTARA]["export_center"],
                                  run("export_center").draws[KALTARA]["export_center"])


def test_coal_transition_lowers_kaltim_baseline(run):
    base, coal = run("baseline"), run("coal_transition")
    i = list(base.years).index(2030)
    b = base.draws[KALTIM]["baseline"][:, i]
    c = coal.draws[KALTIM]["baseline"][:, i]
    assert c.mean() < b.mean()
    assert np.all(c < b)      # same shocks (common random numbers), lower price and volume
    dec = coal.extra["decomposition"]
    d = dec[(dec["province"] == KALTIM) & (dec["year"] == 2030)].iloc[0]
    assert d["price_and_coal_demand_usd_m"] < 0
    assert d["price_and_coal_demand_usd_m"] == pytest.approx(c.mean() - b.mean(), rel=1e-9)
    assert (dec[["export_center_usd_m", "kihi_usd_m", "connectivity_usd_m"]] == 0).all().all()


def test_coal_transition_size_by_hand(run, inputs, scen):
    """Only the coal blocks move. Where demand binds in both runs, coal block ratio =
    (60 / 97.5)^ε × Π_{2026..2030} (1 + g − 0.08) / (1 + g); where the 2026 supply cut binds
    in the baseline and the lower demand in the transition, the baseline's volume is supply
    and its unit value carries the pass-through (supply / demand)^(−pt). Every other block is
    unchanged."""
    n, seed = 300, 11
    out_b = engine.simulate(scen["baseline"], inputs, scen["baseline"].parameters, n, seed)
    out_c = engine.simulate(scen["coal_transition"], inputs, scen["baseline"].parameters, n, seed)
    i = list(out_b["years"]).index(2030)
    u = out_b["u"]
    w = inputs.blocks.weights
    from kaltim_research.models.baseline.volume import DESTINATIONS
    g = sum(wt * u[f"coal_volume.{DESTINATIONS[k]}"] for k, wt in w.items()) / 100
    # supply relative to 2025: 600 Mt plan × drawn outturn × (1 − 0.30 − drawn deviation),
    # over 790 Mt × (1 − 0.25)
    supply = (600 * u["coal_volume.output_outturn_ratio"]
              * (0.70 - u["coal_volume.dmo_deviation_pp"] / 100) / (790 * 0.75))
    demand_b = (1 + g) ** 5
    demand_c = (1 + g - 0.08) ** 5
    both_demand = demand_b <= supply             # demand binds in the baseline (and below)
    cut_then_demand = (supply < demand_b) & (demand_c <= supply)
    assert (both_demand | cut_then_demand).mean() > 0.3 and cut_then_demand.any()
    price = (60.0 / 97.5) ** u["coal_volume.unit_value_elasticity"]
    pass_b = (supply / demand_b) ** (-u["coal_volume.price_passthrough"])
    ratio = np.where(both_demand, price * demand_c / demand_b,
                     price * demand_c / (supply * pass_b))
    ok = both_demand | cut_then_demand
    coal_b = out_b["mix"][KALTIM]["coal_mining"][:, i]
    coal_c = out_c["mix"][KALTIM]["coal_mining"][:, i]
    np.testing.assert_allclose(coal_c[ok], coal_b[ok] * ratio[ok], rtol=1e-9)
    for grp in ("industry", "other", "migas"):
        np.testing.assert_array_equal(out_b["mix"][KALTIM][grp], out_c["mix"][KALTIM][grp])


def _migas_mean(r, i):
    mix = r.mix[KALTIM]["migas"]
    return float(np.asarray(mix)[:, i].mean())


# --------------------------------------------------------------------------------------------
# bases: Kaltim by port of loading, Kaltara by origin, never added together
# --------------------------------------------------------------------------------------------

def test_kihi_counted_by_origin_in_kaltara_and_by_port_in_kaltim(run):
    r = run("combined_moderate")
    assert (r.bases[KALTIM], r.bases[KALTARA]) == ("port_of_loading", "origin")
    # port_share_via_kaltim = 0.1 from 2026: Kaltim counts a tenth of the KIHI exports it
    # loads; Kaltara counts all of them (origin). Nothing of Kaltara enters Kaltim's baseline.
    np.testing.assert_allclose(r.draws[KALTIM]["kihi"], 0.1 * r.draws[KALTARA]["kihi"],
                               rtol=1e-12)
    assert np.all(r.draws[KALTARA]["connectivity"] == 0)   # rerouting never changes origin
    ports = r.extra["ports"].set_index("year")
    shares = {2026: 0.05, 2027: 0.10, 2028: 0.15, 2029: 0.20, 2030: 0.25, 2035: 0.25}
    for y, sh in shares.items():
        i = list(r.years).index(y)
        expected = ports.at[y, "outside_ports_base_usd_m"] * sh
        np.testing.assert_allclose(r.draws[KALTIM]["connectivity"][:, i], expected, rtol=1e-12)


# --------------------------------------------------------------------------------------------
# CLI run and written results
# --------------------------------------------------------------------------------------------

def test_cli_run_writes_results(inputs, built_processed, tmp_path, monkeypatch):
    from kaltim_research.cli import main

    monkeypatch.setattr(engine, "load_inputs", lambda *a, **k: inputs)   # reuse the fit
    out = tmp_path / "run"
    code = main(["scenario", "run", str(SCENARIOS / "combined_moderate.yaml"), "--out", str(out),
                 "--draws", "500", "--processed", str(built_processed), "--no-tornado"])
    assert code == 0
    res = pd.read_csv(out / "results.csv")
    assert list(res.columns) == ["scenario", "province", "basis", "component", "year", "stat",
                                 "value_usd_m"]
    assert set(res["stat"]) == {"mean", "p01", "p10", "p50", "p90", "p99"}
    assert set(res["component"]) == {"total", "baseline", "export_center", "kihi",
                                      "connectivity"}
    assert set(res["scenario"]) == {"combined_moderate"}
    assert set(res["province"]) == MODELLED
    assert set(res.loc[res["province"] == KALTIM, "basis"]) == {"port_of_loading"}
    assert set(res.loc[res["province"] == KALTARA, "basis"]) == {"origin"}
    # 2 provinces x 5 components x 6 stats x 10 years, no combined province row
    assert len(res) == 2 * 5 * 6 * 10
    assert not res.duplicated(["province", "component", "year", "stat"]).any()
    mean = res[res["stat"] == "mean"].pivot_table(index=["province", "year"], columns="component",
                                                 values="value_usd_m")
    # written with 6 significant digits
    np.testing.assert_allclose(mean["total"], mean[["baseline", *LEVERS]].sum(axis=1), rtol=2e-5)
    q = res.pivot_table(index=["province", "component", "year"], columns="stat",
                        values="value_usd_m")
    tot = q.xs("total", level="component")
    assert (tot["p10"] <= tot["p50"]).all() and (tot["p50"] <= tot["p90"]).all()

    summary = json.loads((out / "results.json").read_text(encoding="utf-8"))
    prov = summary["provenance"]
    for key in ("scenario_hash", "data_manifest_hash", "package_version", "git_commit", "seed",
                "draws"):
        assert key in prov and prov[key] not in (None, ""), key
    assert prov["draws"] == 500 and prov["seed"] == 20250807
    s = load_scenario(SCENARIOS / "combined_moderate.yaml")
    from kaltim_research.models.scenario import scenario_hash
    assert prov["scenario_hash"] == scenario_hash(s) == summary["scenario"]["hash"]
    assert (summary["bases"][KALTIM], summary["bases"][KALTARA]) == ("port_of_loading", "origin")
    heads = {h["province"]: h for h in summary["headline"]}
    assert set(heads) == MODELLED
    for p, h in heads.items():
        row = mean.loc[(p, 2030)]
        assert h["total_mean"] == pytest.approx(row["total"], rel=2e-5)
        assert h["basis"] == summary["bases"][p]


def test_reference_scenario_default_is_declared_defaults(inputs, scen):
    """A root scenario (modifies: null) is compared with the declared defaults = baseline."""
    s = scen["ci_small"]
    assert reference_scenario(FIXTURES / "ci_small.yaml") is None
    a = engine.run_scenario(s, reference=None, draws=200, inputs=inputs, tornado=False)
    b = engine.run_scenario(s, reference=scen["baseline"], draws=200, inputs=inputs,
                            tornado=False)
    pd.testing.assert_frame_equal(a.extra["decomposition"], b.extra["decomposition"])


# --------------------------------------------------------------------------------------------
# tornado
# --------------------------------------------------------------------------------------------

def test_tornado_rows_equal_separate_one_at_a_time_runs(run, inputs, scen):
    """The tornado is one vectorised simulation: each row must equal the separate run with
    that one parameter at its end (all others central, no shocks)."""
    from kaltim_research.models.engine.simulation import COMPONENTS, simulate

    s = scen["combined_ambitious"]
    t = run("combined_ambitious", draws=50, tornado=True).extra["tornado"]
    for nm in sorted(set(t["parameter"]))[::5] + ["prices.coal_price"]:
        for end in ("low", "high"):
            o = simulate(s, inputs, scen["baseline"].parameters, 1, s.parameters.simulation.seed,
                         fixed={nm: end}, shocks=False)
            i = int(np.where(o["years"] == 2030)[0][0])
            for prov, c in o["comps"].items():
                row = t[(t["parameter"] == nm) & (t["province"] == prov)].iloc[0]
                assert row[f"{end}_usd_m"] == float(sum(c[k] for k in COMPONENTS)[0, i]), (nm, end)


def test_tornado_ranks_by_swing_and_coal_price_matters(run):
    r = run("combined_moderate", draws=300, tornado=True)
    t = r.extra["tornado"]
    assert set(t["province"]) == MODELLED
    for _, g in t.groupby("province"):
        sw = g["swing_usd_m"].to_numpy()
        assert np.all(np.diff(sw) <= 0)                              # ranked, largest first
        np.testing.assert_allclose(sw, np.abs(g["high_usd_m"] - g["low_usd_m"]), rtol=1e-12)
        assert (g["year"] == 2030).all()
        assert g["parameter"].is_unique
    coal = t[(t["province"] == KALTIM) & (t["parameter"] == "prices.coal_price")].iloc[0]
    assert coal["swing_usd_m"] > 0
    # Only the coal block depends on the coal price: with V its central value and
    # k = 1.2816 x sd of the AR(1) price error 5 years ahead x unit-value elasticity,
    # high = c + V (e^k - 1) and low = c - V (1 - e^-k), so (high - c) / (c - low) = e^k.
    phi = Parameters().blocks.price_error_persistence
    sd5 = 0.15 * math.sqrt((1 - phi ** 10) / (1 - phi ** 2))
    k = 1.2816 * sd5 * Parameters().coal_volume.unit_value_elasticity.value
    ratio = (coal["high_usd_m"] - coal["central_usd_m"]) / (coal["central_usd_m"] - coal["low_usd_m"])
    assert ratio == pytest.approx(math.exp(k), rel=1e-9)
    # a lever parameter with no range has no swing; an onboarding-driven one has some
    by = t[t["province"] == KALTIM].set_index("parameter")["swing_usd_m"]
    assert by["export_center.match_rate"] > 0
    assert by["export_center.exports_per_usd"] == 0     # cross-check only, never added


def test_fit_missing_fits_each_distinct_baseline_once(tmp_path, monkeypatch):
    """The runner fits before its workers: two scenarios on one baseline mean one fit, and a
    cached fit means none (so parallel workers never fit the same baseline at once). The fit
    itself is stubbed (it writes the cache file a real fit would): this tests the counting."""
    import shutil

    from kaltim_research.config import PROCESSED_DIR
    from kaltim_research.models.engine import inputs as inp
    from kaltim_research.models.scenario import load_scenario

    processed = tmp_path / "processed"
    shutil.copytree(PROCESSED_DIR, processed, ignore=shutil.ignore_patterns(".cache"))
    calls = []

    def fake_fit(params, processed_dir, *a, **k):
        calls.append(params)
        path, _ = inp.fit_cache_path(params, processed_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"fit")

    monkeypatch.setattr(inp, "load_inputs", fake_fit)
    root = Path(__file__).resolve().parents[1]
    params = [load_scenario(root / "scenarios" / f).parameters
              for f in ("baseline.yaml", "kihi.yaml", "export_center.yaml")]
    said = []
    assert inp.fit_missing(params, processed, say=said.append) == 1
    assert len(calls) == 1 and any("baseline fitted in" in s for s in said)
    assert inp.fit_missing(params, processed, say=said.append) == 0  # now cached
    assert len(calls) == 1


@pytest.mark.parametrize("shape", [(10_000, 20), (301, 7), (1, 5), (2, 3), (11,)])
def test_one_sort_percentiles_equal_numpy_bit_for_bit(shape):
    from kaltim_research.models.engine.summary import percentiles

    a = np.random.default_rng(sum(shape)).lognormal(size=shape) * 1000
    qs = (1, 10, 50, 90, 99)
    assert np.array_equal(percentiles(a, qs), np.percentile(a, qs, axis=0))
    a = a.astype(float)
    a.flat[0] = np.nan
    assert np.array_equal(percentiles(a, qs), np.percentile(a, qs, axis=0), equal_nan=True)
