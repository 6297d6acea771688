"""One seeded Monte Carlo simulation: baseline blocks, then each lever, on each province's basis.

:func:`simulate` runs the stages in a fixed order (parameter draws, price shocks, baseline,
Export Center, KIHI, connectivity); the order is part of the random-number contract, since
the price shocks and the baseline share one generator (same seed ⇒ identical numbers).
Kalimantan Timur is counted by port of loading, Kalimantan Utara by origin; the two are
never added.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from kaltim_research.models.baseline import blocks as bk
from kaltim_research.models.baseline import price_model as bl
from kaltim_research.models.baseline import simulation as bsim
from kaltim_research.models.engine.accounts import KALTARA, KALTIM
from kaltim_research.models.engine.draws import draw_uncertain, param_rng, path_array, uncertain_parameters
from kaltim_research.models.engine.inputs import Inputs, headline_concepts, outside_ports_base
from kaltim_research.models.engine.summary import EC_FIELDS
from kaltim_research.models.levers.connectivity import simulate_connectivity
from kaltim_research.models.levers.export_center import (
    CENTER_START_YEAR,
    promotion_crosscheck,
    simulate_cohorts,
)
from kaltim_research.models.levers.kihi import PowerSpec, ProjectSpec, simulate_projects
from kaltim_research.models.levers.power_supply import captive_schedule_twh
from kaltim_research.models.scenario import Parameters, Scenario, path_value

COMPONENTS = ("baseline", "export_center", "kihi", "connectivity")
#: Fields of the KIHI result that the run's tables read (accounts: kihi and jobs rows).
KIHI_KEPT = ("output_t", "capacity_online_t", "power_limited_output_t", "power_demand_twh",
             "hydro_used_twh", "emissions_mt_co2", "jobs")
#: Product group of each baseline block in the export mix.
BLOCK_GROUPS = {"coal": "coal_mining", "palm_oil": "industry", "chemicals": "industry"}


def simulate(scenario: Scenario, inputs: Inputs, reference: Parameters, n: int, seed: int,
             fixed: dict[str, str | np.ndarray] | None = None, shocks: bool = True) -> dict:
    """Core simulation; returns raw arrays. ``fixed`` pins uncertain parameters (tornado):
    one end for every draw, or one end per draw (an array of 'low'/'mode'/'high')."""
    p = scenario.parameters
    sim = p.simulation
    years = np.arange(sim.start_year, sim.end_year + 1)
    rng = np.random.default_rng(seed)
    fixed = fixed or {}
    # Each uncertain parameter draws from its own stream keyed by (seed, name): declaring a new
    # parameter then leaves every other parameter's draws, and the shocks below, unchanged.
    u = {name: draw_uncertain(param_rng(seed, name), n, val, dec,
                              fixed.get(name, "mode" if not shocks else None))
         for name, val, dec in uncertain_parameters(p)}
    price_shock, price_var = _price_shocks(p, inputs, u, rng, n, len(years), fixed, shocks)
    st = _baseline(scenario, inputs, reference, u, years, rng, n, price_shock, price_var, shocks)
    price_shock = {"aluminium": price_shock["aluminium"]}  # all KIHI reads (peak memory)
    ec = _export_center(p, u, years, n, st["comps"], st["mix"])
    kihi = _kihi(p, u, years, n, price_shock, price_var, shocks)
    conn = _connectivity(p, inputs, years, n, kihi["export"], st)
    return dict(years=years, comps=st["comps"], mix=st["mix"], ref_base=st["ref_base"],
                ref_coal=st["ref_coal"], bases=st["bases"],
                ec=ec["results"], ec_additional=ec["additional"], crosscheck=ec["crosscheck"],
                kihi=kihi["result"], kihi_export=kihi["export"], kihi_captive_twh=kihi["captive_twh"],
                cbam_cost=kihi["cbam_cost"], cbam_exposed=kihi["cbam_exposed"],
                conn=conn["result"], outside=conn["outside"], via_ports=st["via_ports"],
                series=st["series_rows"], u=u,
                block_rows=st["block_rows"], nowcast=st["bres"]["nowcast"],
                coal_volume=st["bres"]["coal_volume"],
                coal_volume_ref=st["bres"]["coal_volume_ref"],
                reported=inputs.blocks.reported, nowcast_urls=inputs.blocks.national["urls"],
                signals=inputs.blocks.signals or {}, hba_ratio=inputs.blocks.hba["ratio_post_2023"],
                newcastle_2026=path_value(p.prices.coal_newcastle, 2026))


def _price_shocks(p: Parameters, inputs: Inputs, u: dict, rng: np.random.Generator, n: int,
                  t: int, fixed: dict[str, str], shocks: bool):
    """Price shocks: mean-reverting AR(1) log errors with bounded innovations, one-year sd
    drawn per draw (common to all scenario runs with the same seed, so differences between
    scenarios are not noise). A random walk would let prices drift without bound."""
    drivers = sorted({f.spec.driver for f in inputs.fitted} | {"aluminium"}
                     | set(bsim.BLOCK_DRIVERS))
    sigma = u["prices.forecast_error_1y"][:, None]
    phi_p = p.blocks.price_error_persistence
    h = np.arange(1, t + 1)
    price_var = bk.ar1_variance(sigma[:, 0], phi_p, h)
    price_shock = {d: bk.ar1_bounded(rng, n, t, sigma[:, 0], phi_p, shocks) for d in drivers}
    if "prices.coal_price" in fixed:  # tornado: coal price at ±1.28 sd of each horizon
        z = {"low": -1.2816, "high": 1.2816, "mode": 0.0}
        pin = fixed["prices.coal_price"]
        sign = z[pin] if isinstance(pin, str) else np.array([z[f] for f in pin])[:, None]
        price_shock["coal_newcastle"] = sign * np.sqrt(price_var)
    return price_shock, price_var


def _baseline(scenario: Scenario, inputs: Inputs, reference: Parameters, u: dict,
              years: np.ndarray, rng: np.random.Generator, n: int, price_shock: dict,
              price_var: np.ndarray, shocks: bool) -> dict:
    """Baseline blocks per series, added to the province on its headline basis; the other
    basis (Kaltara via ports) is kept apart for the port table."""
    p = scenario.parameters
    t = len(years)
    bases = headline_concepts(tuple(f.spec for f in inputs.fitted))
    comps = {prov: {c: np.zeros((n, t)) for c in COMPONENTS} for prov in bases}
    mix: dict[str, dict[str, np.ndarray]] = {prov: {} for prov in bases}
    ref_base = {prov: np.zeros((n, t)) for prov in bases}
    ref_coal = {prov: np.zeros((n, t)) for prov in bases}
    via_ports: dict[str, np.ndarray] = {}
    series_rows, block_rows = [], []
    bres = bsim.simulate(inputs.fitted, p, reference, u, years, rng, n, inputs.blocks,
                         _projection, price_shock, price_var, shocks)
    for f in inputs.fitted:
        spec = f.spec
        sr = bres["series"][spec.label]
        blocks, blocks_ref = bsim.series_blocks(bres, spec.label)
        value = sum(blocks.values())
        value_ref = sum(blocks_ref.values())
        series_rows.append({"series": spec.label, "model": f.model,
                            "elasticity": f.elasticity, "sd_annual_log": sr["sd_annual_log"],
                            "sd_persistent_log_per_year": sr["sd_persistent_log"],
                            "last_observed": str(f.last_observed), "n_observed": f.n_observed,
                            **{f"share_{k}": v for k, v in inputs.blocks.shares[spec.label].items()}})
        if bases[spec.province] != spec.concept:
            via_ports[spec.province] = value
            del blocks, blocks_ref
            continue
        block_rows += bk.tidy_blocks(scenario.name, spec.province, spec.label, blocks, years)
        comps[spec.province]["baseline"] += value
        ref_base[spec.province] += value_ref
        ref_coal[spec.province] += blocks_ref.get("coal", 0.0)
        groups = mix[spec.province]
        for blk, v in blocks.items():
            g = BLOCK_GROUPS.get(blk, blk)
            groups[g] = groups.get(g, 0) + v
        del blocks, blocks_ref, value, value_ref  # before the next series' blocks
    del bres["index"], bres["index_ref"], bres["series"]  # the errors too (peak memory)
    return dict(bases=bases, comps=comps, mix=mix, ref_base=ref_base, ref_coal=ref_coal,
                via_ports=via_ports, series_rows=series_rows, block_rows=block_rows, bres=bres)


def _export_center(p: Parameters, u: dict, years: np.ndarray, n: int, comps: dict,
                   mix: dict) -> dict:
    """Export Center cohorts per province with onboarding, net of deadweight; Kaltim counts
    only the share loaded at Kaltim ports. Adds to ``comps`` and ``mix`` in place."""
    t = len(years)
    ec = p.export_center
    results, additional_by_prov = {}, {}
    for prov, path in ((KALTIM, ec.onboarded_kaltim), (KALTARA, ec.onboarded_kaltara)):
        if prov not in comps:
            continue
        # Cohorts start when the centre opened (2025), even if the horizon starts later, so
        # earlier cohorts and their survivors are not lost; then keep the horizon's years.
        cohort_years = np.arange(min(CENTER_START_YEAR, int(years[0])), int(years[-1]) + 1)
        onboard = path_array(path, cohort_years)
        cont = np.broadcast_to(np.asarray(ec.continuation_rates, dtype=float), (n, 3))
        full = simulate_cohorts(cohort_years, onboard, u["export_center.match_rate"],
                                u["export_center.first_year_value_usd_k"], cont,
                                u["export_center.later_continuation_rate"],
                                u["export_center.survival_uplift_year1"],
                                u["export_center.survivor_growth_rate"], int(cohort_years[0]))
        cut = slice(len(cohort_years) - t, None)
        # Deadweight: firms that would have exported anyway are no gain. Kaltim counts by port of
        # loading, so only the share loaded at Kaltim ports enters its total (Kaltara: origin).
        additional = (full.export_value_usd_m[:, cut]
                      * (1 - u["export_center.deadweight_share"][:, None]))
        # Kaltara counts all of it: the same array, not a copy (x * 1.0 == x). Nor is the mix
        # entry a copy when it is new (x + 0 == x: the values are never -0.0). Peak memory.
        counted = (additional * u["export_center.kaltim_port_share"][:, None]
                   if prov == KALTIM else additional)
        comps[prov]["export_center"] += counted
        mix[prov]["umkm_goods"] = (mix[prov]["umkm_goods"] + counted
                                   if "umkm_goods" in mix[prov] else counted)
        # The export_center table needs only each field's mean and the jobs table the active
        # exporters per draw: the 21-year cohort arrays are not kept (peak memory).
        results[prov] = SimpleNamespace(
            active_exporters=full.active_exporters[:, cut].copy(),
            means={f: getattr(full, f)[:, cut].mean(axis=0) for f in EC_FIELDS})
        del full
        additional_by_prov[prov] = additional
    crosscheck = promotion_crosscheck(np.broadcast_to(np.float64(ec.promotion_budget_usd_m), (n, t)),
                                      u["export_center.exports_per_usd"][:, None])
    if not any(v > 0 for v in list(ec.onboarded_kaltim.values())
               + list(ec.onboarded_kaltara.values())):
        crosscheck = np.zeros((n, t))
    return dict(results=results, additional=additional_by_prov, crosscheck=crosscheck)


def _kihi(p: Parameters, u: dict, years: np.ndarray, n: int, price_shock: dict,
          price_var: np.ndarray, shocks: bool) -> dict:
    """KIHI projects (Kaltara origin), capped by the power available each year."""
    t = len(years)
    k = p.kihi
    projects = [ProjectSpec(name=pr.name, product=pr.product,
                            nameplate_t_per_year=pr.nameplate_kt * 1000, first_year=pr.first_year,
                            ramp_up=k.ramp_up, export_share=1.0, eu_export_share=k.eu_export_share,
                            operating_jobs=pr.operating_jobs) for pr in k.projects]
    hydro_cod = u["kihi.hydro_cod_year"]
    # Share of each year the dam runs: a COD of 2030.0 gives all of 2030, 2030.5 half of it.
    hydro = np.clip(years[None, :] + 1 - hydro_cod[:, None], 0.0, 1.0)
    hydro *= k.hydro_twh  # in place: the same products, one (N, T) array (peak memory)
    hydro *= u["kihi.hydro_share_for_kihi"][:, None]
    # Captive coal units have their own schedule (units, MW, interval), set against the first
    # project's planned year and slipping with it: not the smelter's demand, so it can bind.
    first = min((pr.first_year for pr in k.projects), default=None)
    captive = (captive_schedule_twh(years, first, u["kihi.start_delay_years"],
                                    k.captive_units_mw, u["kihi.captive_unit_interval_years"],
                                    u["kihi.captive_power_availability"])
               if first is not None else np.zeros((n, t)))
    captive = np.broadcast_to(captive, (n, t))  # read only: simulate_projects copies it
    power = PowerSpec(hydro_twh_by_year=hydro, captive_coal_twh=captive)
    kdraws = {"utilisation": u["kihi.utilisation"],
              "price_usd_per_t/aluminium": path_array(p.prices.aluminium, years)[None, :]
              # mean-one shock: the scenario path is the expected price
              * np.exp(price_shock["aluminium"] - (0.5 * price_var if shocks else 0.0)),
              "green_premium_usd_per_t": np.broadcast_to(
                  u["kihi.green_premium_usd_per_t"][:, None], (n, t)),
              # one value for every draw and year: broadcast, not an (N, T) array
              "eu_carbon_price_usd_per_t": np.float64(k.eu_carbon_price_usd_per_t)}
    for pr in k.projects:
        kdraws[f"start_delay_years/{pr.name}"] = u["kihi.start_delay_years"]
        kdraws[f"power_mwh_per_t/{pr.name}"] = u["kihi.power_mwh_per_t"]
    kres = simulate_projects(years, projects, kdraws, power, strict_keys=False)
    # Projects are simulated with export_share 1 and the drawn share applied here, to the
    # export value and to the CBAM-exposed tonnes (both are linear in it).
    exp_share = u["kihi.export_share"][:, None]
    export = kres.export_value_usd_m.sum(axis=1) * exp_share if projects else np.zeros((n, t))
    cbam_cost = kres.cbam_cost_usd_m * exp_share
    cbam_exposed = kres.cbam_exposed_emissions_mt_co2 * exp_share
    # Only the fields the kihi and jobs tables read are kept: the per-product export value,
    # CBAM before the export share and coal power used are in the arrays above (peak memory).
    kept = SimpleNamespace(**{f: getattr(kres, f) for f in KIHI_KEPT})
    return dict(result=kept, export=export, captive_twh=captive, cbam_cost=cbam_cost,
                cbam_exposed=cbam_exposed)


def _connectivity(p: Parameters, inputs: Inputs, years: np.ndarray, n: int,
                  kihi_export: np.ndarray, st: dict) -> dict:
    """Where Kaltara-origin goods (and KIHI metal) are loaded; adds KIHI and rerouted cargo
    to the provinces' components and mix in place."""
    t = len(years)
    comps, mix, via_ports = st["comps"], st["mix"], st["via_ports"]
    k = p.kihi
    outside = outside_ports_base(inputs.origin_ports, KALTARA)
    conn = simulate_connectivity(
        years, np.full((n, t), outside["value_usd_m"]),
        np.broadcast_to(path_array(p.connectivity.reroute_share_to_kaltim, years), (n, t)),
        np.broadcast_to(path_array(p.connectivity.reroute_share_to_kaltara, years), (n, t)),
        kihi_export, np.broadcast_to(path_array(k.port_share_via_kaltim, years), (n, t)))
    if KALTARA in comps:
        comps[KALTARA]["kihi"] += kihi_export
        if k.projects:
            mix[KALTARA]["aluminium"] = kihi_export
    if KALTIM in comps:
        comps[KALTIM]["kihi"] += conn.kihi_via_kaltim_usd_m
        comps[KALTIM]["connectivity"] += conn.rerouted_to_kaltim_usd_m
        mix[KALTIM]["aluminium"] = conn.kihi_via_kaltim_usd_m
        mix[KALTIM]["kaltara_goods"] = conn.rerouted_to_kaltim_usd_m
    if KALTARA in via_ports:
        via_ports[KALTARA] = (via_ports[KALTARA] + conn.rerouted_to_kaltara_usd_m
                              + conn.kihi_via_kaltara_usd_m)
    return dict(result=conn, outside=outside)


_PROJECTIONS: dict = {}


def _projection(fitted: bl.FittedSeries, path: dict[int, float], years: np.ndarray) -> np.ndarray:
    """Annual point projection, memoised per series, price path and years (the tornado runs
    the same paths dozens of times)."""
    # Keyed by the fitted object itself (kept alive in the value, so its id is never reused).
    key = (id(fitted), tuple(sorted(path.items())), tuple(int(y) for y in years))
    if key not in _PROJECTIONS:
        _PROJECTIONS[key] = (fitted, bl.project_annual(fitted, path, list(years))["value_usd_m"]
                             .to_numpy())
    return _PROJECTIONS[key][1].copy()
