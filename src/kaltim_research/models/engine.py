"""Scenario engine: baseline + Export Center + KIHI + connectivity, with a seeded Monte Carlo.

``run_scenario`` is the one entry point the CLI, the notebooks and the brief use. It

1. loads the processed ledger and prices and fits the baseline series (cached per data
   manifest, see :mod:`kaltim_research.models.baseline`);
2. draws every uncertain parameter once per draw (triangular over its plausible range),
   plus price and model shocks as log-normal random walks (seeded, vectorised);
3. runs the lever modules (:mod:`export_center`, :mod:`kihi`, :mod:`connectivity`);
4. adds the components to province totals **on each province's own basis**: Kalimantan
   Timur by port of loading (BPS Kaltim counts exports leaving Kaltim ports), Kalimantan
   Utara by origin (ekspor asli). The two provinces are never added together: KIHI goods
   loaded at Balikpapan would be counted twice;
5. computes indicators (coal share, Herfindahl–Hirschman concentration), the decomposition
   of the difference from the baseline scenario (price and coal demand, Export Center, KIHI,
   connectivity; common random numbers make a lever-only scenario's price effect exactly 0)
   and a one-at-a-time sensitivity (tornado) of the headline year.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import subprocess
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kaltim_research import __version__
from kaltim_research.config import PROCESSED_DIR, PROJ_ROOT, RAW_DIR
from kaltim_research.data.manifest import manifest_hash
from kaltim_research.models import baseline as bl
from kaltim_research.models import baseline_sim as bsim
from kaltim_research.models import blocks as bk
from kaltim_research.models import calibration as cal
from kaltim_research.models import nowcast as nc
from kaltim_research.models import volume as vo
from kaltim_research.models.accounts import NOT_IN_EXPORT_TOTALS, lever_tables
from kaltim_research.models.connectivity import simulate_connectivity
from kaltim_research.models.export_center import CENTER_START_YEAR, promotion_crosscheck, simulate_cohorts
from kaltim_research.models.kihi import PowerSpec, ProjectSpec, simulate_projects
from kaltim_research.models.scenario import (
    Parameters,
    Scenario,
    Uncertain,
    path_value,
    scenario_hash,
    uncertain_range,
)

COMPONENTS = ("baseline", "export_center", "kihi", "connectivity")
STATS = ("mean", "p01", "p10", "p50", "p90", "p99")
BASIS_LABELS = {"via_ports": "port_of_loading", "origin": "origin"}
#: Where Kaltara-origin goods now leave through other provinces (rerouting candidates).
OUTSIDE_PROVINCES = ("Jawa Timur", "Sulawesi Selatan", "DKI Jakarta")
OUTSIDE_WINDOW_MONTHS = 24


# --------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Inputs:
    """Processed data and the fitted baseline a run needs (scenario-independent)."""

    exports: pd.DataFrame
    prices_monthly: pd.DataFrame
    destinations: pd.DataFrame
    origin_ports: pd.DataFrame
    fitted: tuple[bl.FittedSeries, ...]
    shares: dict[str, dict]
    manifest_sha: str
    backtests: pd.DataFrame = field(repr=False)
    period_checks: pd.DataFrame = field(repr=False, default=None)
    blocks: bsim.BlockInputs | None = field(repr=False, default=None)
    annual_tests: pd.DataFrame | None = field(repr=False, default=None)
    calibration: pd.DataFrame | None = field(repr=False, default=None)


def _read(processed: Path, name: str) -> pd.DataFrame:
    path = processed / name
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: run `kaltim-research data build` first")
    return pd.read_csv(path)


def load_inputs(params: Parameters, processed_dir: Path = PROCESSED_DIR,
                raw_dir: Path = RAW_DIR, series: tuple[bl.SeriesSpec, ...] = bl.DEFAULT_SERIES,
                use_cache: bool = True) -> Inputs:
    """Load processed tables and fit the baseline, with an on-disk cache keyed by the data
    manifest hash, the package version and the baseline settings."""
    processed_dir = Path(processed_dir)
    info = json.loads((processed_dir / "build_info.json").read_text(encoding="utf-8")) \
        if (processed_dir / "build_info.json").exists() else {}
    msha = info.get("raw_manifest_hash") or manifest_hash(raw_dir)
    source = hashlib.sha256(b"".join((Path(__file__).parent / m).read_bytes()
                                     for m in ("baseline.py", "engine.py", "blocks.py",
                                               "baseline_sim.py", "calibration.py",
                                               "nowcast.py", "volume.py"))).hexdigest()
    key = hashlib.sha256(json.dumps([msha, __version__, source,
                                     params.baseline.model_dump(mode="json"),
                                     [s.__dict__ for s in series]], sort_keys=True)
                         .encode()).hexdigest()[:16]
    cache = processed_dir / ".cache" / f"inputs-{key}.pkl"
    if use_cache and cache.exists():
        with cache.open("rb") as fh:
            return pickle.load(fh)
    exports = _read(processed_dir, "exports.csv")
    prices = _read(processed_dir, "prices_monthly.csv")
    fitted = tuple(bl.fit_series(exports, prices, s, params.baseline.use_implied_months,
                                 params.baseline.backtest_min_train, params.baseline.model)
                   for s in series)
    tests = pd.concat([cal.annual_tests(f, exports, params.baseline.backtest_min_train)
                       for f in fitted], ignore_index=True)
    backtests = cal.backtest_table(fitted, tests)
    pooled = cal.pooled_sd(fitted, tests)
    sds = {f.spec.label: cal.annual_error_sd(f, tests, pooled) for f in fitted}
    checks = pd.concat([bl.period_checks(f, exports) for f in fitted], ignore_index=True)
    destinations = _read(processed_dir, "destinations.csv")
    binputs = bsim.prepare(fitted, exports, _read(processed_dir, "exports_annual.csv"),
                           _read(processed_dir, "commodities.csv"), destinations,
                           _read(processed_dir, "context.csv"), prices, sds)
    inputs = Inputs(exports, prices, destinations,
                    _read(processed_dir, "origin_by_port_province.csv"), fitted,
                    {f.spec.label: bl.sector_shares(exports, f.spec) for f in fitted}, msha,
                    backtests, checks, binputs, tests, cal.calibration_table(fitted, tests))
    if use_cache:
        cache.parent.mkdir(parents=True, exist_ok=True)
        # Parallel report jobs may fit at the same time: each writes its own temp file and
        # the atomic replace makes the last one win (both hold the same fit).
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(inputs, fh)
        tmp.replace(cache)
    return inputs


def backtest_tables(params: Parameters, processed_dir: Path = PROCESSED_DIR
                    ) -> tuple[pd.DataFrame, pd.DataFrame, tuple[bl.FittedSeries, ...]]:
    """backtest.csv and calibration.csv tables (see :mod:`calibration`) and the fitted series,
    from the cached fit."""
    inputs = load_inputs(params, processed_dir)
    return inputs.backtests, inputs.calibration, inputs.fitted


def headline_concepts(series: tuple[bl.SeriesSpec, ...]) -> dict[str, str]:
    """Each province's headline concept: the first concept its series list names
    (Kaltim: via_ports, the BPS Kaltim release; Kaltara: origin, ekspor asli)."""
    out: dict[str, str] = {}
    for s in series:
        out.setdefault(s.province, s.concept)
    return out


def outside_ports_base(origin_ports: pd.DataFrame, province: str) -> dict:
    """Annual value of ``province``-origin exports leaving through ports in other provinces
    that could be rerouted (Jawa Timur, Sulawesi Selatan, DKI Jakarta): mean of the monthly
    sums over the last 24 months with a printed split, times 12 (a derived number). The goods
    are fish, shrimp, seaweed and plywood, which have no price model here, so the value is
    held flat over the horizon (judgement; it does not follow the coal-driven baseline)."""
    m = origin_ports[(origin_ports["origin_province"] == province)
                     & (origin_ports["period_type"] == "month")
                     & origin_ports["via_province"].isin(OUTSIDE_PROVINCES)]
    if m.empty:
        return {"value_usd_m": 0.0, "months": [], "detail": "no split printed"}
    monthly = m.groupby(["year", "month"])["value_usd_m"].sum().sort_index()
    last = pd.Period(year=int(monthly.index[-1][0]), month=int(monthly.index[-1][1]), freq="M")
    keep = [(y, mo) for (y, mo) in monthly.index
            if (last - pd.Period(year=int(y), month=int(mo), freq="M")).n < OUTSIDE_WINDOW_MONTHS]
    sel = monthly.loc[keep]
    return {"value_usd_m": float(sel.mean() * 12),
            "months": [f"{y}-{mo:02d}" for y, mo in keep],
            "detail": f"mean of {len(sel)} printed months × 12 (derived)"}


# --------------------------------------------------------------------------------------------
# draws
# --------------------------------------------------------------------------------------------

def _declared(model_cls, name: str) -> Uncertain | None:
    default = model_cls.model_fields[name].default
    if isinstance(default, dict) and "value" in default:
        return Uncertain.model_validate(default)
    return default if isinstance(default, Uncertain) else None


def draw_uncertain(rng: np.random.Generator, n: int, u: Uncertain, declared: Uncertain | None,
                   fixed: str | None = None) -> np.ndarray:
    """Triangular draws over (low, mode, high); ``fixed`` = 'low'|'mode'|'high' for the tornado."""
    low, mode, high = uncertain_range(u, declared)
    if fixed is not None:
        return np.full(n, {"low": low, "mode": mode, "high": high}[fixed])
    if high <= low:
        # Consume what a triangular draw would (one uniform per draw), so pinning a lever
        # value keeps the common random numbers of every later draw (price, model shocks).
        rng.random(n)
        return np.full(n, mode)
    return rng.triangular(low, mode, high, size=n)


def _param_rng(seed: int, name: str) -> np.random.Generator:
    """The random stream of one uncertain parameter (stable across added parameters)."""
    return np.random.default_rng([int(seed), zlib.crc32(name.encode("utf-8"))])


def uncertain_parameters(params: Parameters) -> list[tuple[str, Uncertain, Uncertain | None]]:
    """(dotted name, value, declared default) for every uncertain scalar of a scenario."""
    out = []
    for group_name in type(params).model_fields:
        group = getattr(params, group_name)
        for name in type(group).model_fields:
            value = getattr(group, name)
            if isinstance(value, Uncertain):
                out.append((f"{group_name}.{name}", value, _declared(type(group), name)))
    return out


def _path_array(path: dict[int, float], years: np.ndarray) -> np.ndarray:
    return np.array([path_value(path, int(y)) for y in years], dtype=float)


# --------------------------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------------------------

@dataclass
class RunResult:
    scenario: Scenario
    years: np.ndarray
    draws: dict[str, dict[str, np.ndarray]]   # province -> component -> (N, T)
    mix: dict[str, dict[str, np.ndarray]]     # province -> product group -> (N, T)
    extra: dict[str, pd.DataFrame]
    provenance: dict
    bases: dict[str, str]
    arrays: dict = field(default_factory=dict)  # per-draw arrays: coal_volume (for fiscal)


def _simulate(scenario: Scenario, inputs: Inputs, reference: Parameters, n: int, seed: int,
              fixed: dict[str, str] | None = None, shocks: bool = True) -> dict:
    """Core simulation; returns raw arrays. ``fixed`` pins uncertain parameters (tornado)."""
    p = scenario.parameters
    sim = p.simulation
    years = np.arange(sim.start_year, sim.end_year + 1)
    t = len(years)
    rng = np.random.default_rng(seed)
    fixed = fixed or {}
    # Each uncertain parameter draws from its own stream keyed by (seed, name): declaring a new
    # parameter then leaves every other parameter's draws, and the shocks below, unchanged.
    u = {name: draw_uncertain(_param_rng(seed, name), n, val, dec,
                              fixed.get(name, "mode" if not shocks else None))
         for name, val, dec in uncertain_parameters(p)}

    # Price shocks: mean-reverting AR(1) log errors with bounded innovations, one-year sd
    # drawn per draw (common to all scenario runs with the same seed, so differences between
    # scenarios are not noise). A random walk would let prices drift without bound.
    drivers = sorted({f.spec.driver for f in inputs.fitted} | {"aluminium"}
                     | set(bsim.BLOCK_DRIVERS))
    sigma = u["prices.forecast_error_1y"][:, None]
    phi_p = p.blocks.price_error_persistence
    h = np.arange(1, t + 1)
    price_var = bk.ar1_variance(sigma[:, 0], phi_p, h)
    price_shock = {d: bk.ar1_bounded(rng, n, t, sigma[:, 0], phi_p, shocks) for d in drivers}
    if "prices.coal_price" in fixed:  # tornado: coal price at ±1.28 sd of each horizon
        sign = {"low": -1.2816, "high": 1.2816, "mode": 0.0}[fixed["prices.coal_price"]]
        price_shock["coal_newcastle"] = sign * np.sqrt(price_var)

    bases = headline_concepts(tuple(f.spec for f in inputs.fitted))
    comps: dict[str, dict[str, np.ndarray]] = {
        prov: {c: np.zeros((n, t)) for c in COMPONENTS} for prov in bases}
    mix: dict[str, dict[str, np.ndarray]] = {prov: {} for prov in bases}
    ref_base: dict[str, np.ndarray] = {prov: np.zeros((n, t)) for prov in bases}
    ref_coal: dict[str, np.ndarray] = {prov: np.zeros((n, t)) for prov in bases}
    via_ports_extra: dict[str, np.ndarray] = {}
    series_rows = []
    bres = bsim.simulate(inputs.fitted, p, reference, u, years, rng, n, inputs.blocks,
                         _projection, price_shock, price_var, shocks)
    block_rows = []
    for f in inputs.fitted:
        spec = f.spec
        sr = bres["series"][spec.label]
        value = sum(sr["blocks"].values())
        value_ref = sum(sr["blocks_ref"].values())
        series_rows.append({"series": spec.label, "model": f.model,
                            "elasticity": f.elasticity, "sd_annual_log": sr["sd_annual_log"],
                            "last_observed": str(f.last_observed), "n_observed": f.n_observed,
                            **{f"share_{k}": v for k, v in inputs.blocks.shares[spec.label].items()}})
        if bases[spec.province] != spec.concept:
            via_ports_extra[spec.province] = value
            continue
        block_rows += bk.tidy_blocks(scenario.name, spec.province, spec.label, sr["blocks"], years)
        comps[spec.province]["baseline"] += value
        ref_base[spec.province] += value_ref
        ref_coal[spec.province] += sr["blocks_ref"].get("coal", 0.0)
        groups = mix[spec.province]
        for blk, v in sr["blocks"].items():
            g = {"coal": "coal_mining", "palm_oil": "industry", "chemicals": "industry"}.get(blk, blk)
            groups[g] = groups.get(g, 0) + v

    # Export Center cohorts, per province with onboarding.
    ec = p.export_center
    ec_results, ec_additional = {}, {}
    for prov, path in (("Kalimantan Timur", ec.onboarded_kaltim),
                       ("Kalimantan Utara", ec.onboarded_kaltara)):
        if prov not in comps:
            continue
        # Cohorts start when the centre opened (2025), even if the horizon starts later, so
        # earlier cohorts and their survivors are not lost; then keep the horizon's years.
        cohort_years = np.arange(min(CENTER_START_YEAR, int(years[0])), int(years[-1]) + 1)
        onboard = _path_array(path, cohort_years)
        cont = np.broadcast_to(np.asarray(ec.continuation_rates, dtype=float), (n, 3))
        full = simulate_cohorts(cohort_years, onboard, u["export_center.match_rate"],
                                u["export_center.first_year_value_usd_k"], cont,
                                u["export_center.later_continuation_rate"],
                                u["export_center.survival_uplift_year1"],
                                u["export_center.survivor_growth_rate"], int(cohort_years[0]))
        cut = slice(len(cohort_years) - t, None)
        res = type(full)(years, *(getattr(full, f)[:, cut] for f in
                                  ("active_exporters", "new_exporters", "new_export_value_usd_m",
                                   "export_value_usd_m", "cumulative_value_usd_m")))
        # Deadweight: firms that would have exported anyway are no gain. Kaltim counts by port of
        # loading, so only the share loaded at Kaltim ports enters its total (Kaltara: origin).
        additional = res.export_value_usd_m * (1 - u["export_center.deadweight_share"][:, None])
        counted = additional * (u["export_center.kaltim_port_share"][:, None]
                                if prov == "Kalimantan Timur" else 1.0)
        comps[prov]["export_center"] += counted
        mix[prov]["umkm_goods"] = mix[prov].get("umkm_goods", 0) + counted
        ec_results[prov] = res
        ec_additional[prov] = additional
    crosscheck = promotion_crosscheck(np.full((n, t), ec.promotion_budget_usd_m),
                                      u["export_center.exports_per_usd"][:, None])
    any_onboarding = any(v > 0 for v in list(ec.onboarded_kaltim.values())
                         + list(ec.onboarded_kaltara.values()))
    if not any_onboarding:
        crosscheck = np.zeros((n, t))

    # KIHI projects (Kaltara origin), capped by power.
    k = p.kihi
    projects = [ProjectSpec(name=pr.name, product=pr.product,
                            nameplate_t_per_year=pr.nameplate_kt * 1000, first_year=pr.first_year,
                            ramp_up=k.ramp_up, export_share=1.0, eu_export_share=k.eu_export_share,
                            operating_jobs=pr.operating_jobs) for pr in k.projects]
    hydro_cod = u["kihi.hydro_cod_year"]
    # Share of each year the dam runs: a COD of 2030.0 gives all of 2030, 2030.5 half of it.
    hydro_frac = np.clip(years[None, :] + 1 - hydro_cod[:, None], 0.0, 1.0)
    hydro = hydro_frac * k.hydro_twh * u["kihi.hydro_share_for_kihi"][:, None]
    # Captive coal units are commissioned step by step (a schedule), times their availability.
    power = PowerSpec(hydro_twh_by_year=hydro,
                      captive_coal_twh=_path_array(k.captive_coal_twh, years)[None, :]
                      * u["kihi.captive_power_availability"][:, None])
    kdraws = {"utilisation": u["kihi.utilisation"],
              "price_usd_per_t/aluminium": _path_array(p.prices.aluminium, years)[None, :]
              # mean-one shock: the scenario path is the expected price
              * np.exp(price_shock["aluminium"] - (0.5 * price_var if shocks else 0.0)),
              "green_premium_usd_per_t": np.broadcast_to(
                  u["kihi.green_premium_usd_per_t"][:, None], (n, t)),
              "eu_carbon_price_usd_per_t": np.full((n, t), k.eu_carbon_price_usd_per_t)}
    for pr in k.projects:
        kdraws[f"start_delay_years/{pr.name}"] = u["kihi.start_delay_years"]
        kdraws[f"power_mwh_per_t/{pr.name}"] = u["kihi.power_mwh_per_t"]
    kres = simulate_projects(years, projects, kdraws, power, strict_keys=False)
    # Projects are simulated with export_share 1 and the drawn share applied here, to the
    # export value and to the CBAM-exposed tonnes (both are linear in it).
    exp_share = u["kihi.export_share"][:, None]
    kihi_export = kres.export_value_usd_m.sum(axis=1) * exp_share if projects \
        else np.zeros((n, t))
    cbam_cost = kres.cbam_cost_usd_m * exp_share
    cbam_exposed = kres.cbam_exposed_emissions_mt_co2 * exp_share

    # Connectivity: where Kaltara-origin goods are loaded.
    kaltara = "Kalimantan Utara"
    outside = outside_ports_base(inputs.origin_ports, kaltara)
    conn = simulate_connectivity(
        years, np.full((n, t), outside["value_usd_m"]),
        np.broadcast_to(_path_array(p.connectivity.reroute_share_to_kaltim, years), (n, t)),
        np.broadcast_to(_path_array(p.connectivity.reroute_share_to_kaltara, years), (n, t)),
        kihi_export, np.broadcast_to(_path_array(k.port_share_via_kaltim, years), (n, t)))
    if kaltara in comps:
        comps[kaltara]["kihi"] += kihi_export
        if projects:
            mix[kaltara]["aluminium"] = kihi_export
    if "Kalimantan Timur" in comps:
        comps["Kalimantan Timur"]["kihi"] += conn.kihi_via_kaltim_usd_m
        comps["Kalimantan Timur"]["connectivity"] += conn.rerouted_to_kaltim_usd_m
        mix["Kalimantan Timur"]["aluminium"] = conn.kihi_via_kaltim_usd_m
        mix["Kalimantan Timur"]["kaltara_goods"] = conn.rerouted_to_kaltim_usd_m
    if kaltara in via_ports_extra:
        via_ports_extra[kaltara] = (via_ports_extra[kaltara] + conn.rerouted_to_kaltara_usd_m
                                    + conn.kihi_via_kaltara_usd_m)

    return dict(years=years, comps=comps, mix=mix, ref_base=ref_base, ref_coal=ref_coal, bases=bases,
                ec=ec_results, ec_additional=ec_additional, crosscheck=crosscheck, kihi=kres,
                kihi_export=kihi_export,
                cbam_cost=cbam_cost, cbam_exposed=cbam_exposed,
                conn=conn, outside=outside, via_ports=via_ports_extra, series=series_rows, u=u,
                block_rows=block_rows, nowcast=bres["nowcast"], coal_volume=bres["coal_volume"],
                coal_volume_ref=bres["coal_volume_ref"],
                reported=inputs.blocks.reported, nowcast_urls=inputs.blocks.national["urls"])


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


def _stats(a: np.ndarray) -> dict[str, np.ndarray]:
    q = np.percentile(a, [1, 10, 50, 90, 99], axis=0)
    return {"mean": a.mean(axis=0), "p01": q[0], "p10": q[1], "p50": q[2], "p90": q[3],
            "p99": q[4], "mcse": a.std(axis=0, ddof=1) / np.sqrt(len(a)) if len(a) > 1
            else np.zeros(a.shape[1])}


def hhi(shares: list[np.ndarray]) -> np.ndarray:
    """Herfindahl–Hirschman index (0–1) from group values: Σ (value_i / Σ value)²."""
    total = np.sum(shares, axis=0)
    total = np.where(total > 0, total, np.nan)
    return np.sum([(s / total) ** 2 for s in shares], axis=0)


def git_commit(root: Path = PROJ_ROOT) -> str:
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=5, check=True)
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--",
                                "src", "notebooks", "scenarios"], capture_output=True, text=True,
                               timeout=5).stdout.strip()
        return out.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def run_scenario(scenario: Scenario, *, reference: Scenario | None = None,
                 processed_dir: Path = PROCESSED_DIR, draws: int | None = None,
                 seed: int | None = None, inputs: Inputs | None = None,
                 tornado: bool = True) -> RunResult:
    """Run one scenario. ``reference`` is the baseline scenario (default parameters if None)."""
    p = scenario.parameters
    ref = (reference.parameters if reference is not None else Parameters())
    n = draws or p.simulation.draws
    seed = p.simulation.seed if seed is None else seed
    inputs = inputs or load_inputs(p, processed_dir)
    out = _simulate(scenario, inputs, ref, n, seed)
    years = out["years"]
    comps = out["comps"]
    for c in comps.values():
        c["total"] = sum(c[k] for k in COMPONENTS)
    rows = []
    for prov, c in comps.items():
        basis = BASIS_LABELS.get(out["bases"][prov], out["bases"][prov])
        for comp in ("total", *COMPONENTS):
            st = _stats(c[comp])
            for s in STATS:
                for y, v in zip(years, st[s], strict=True):
                    rows.append((scenario.name, prov, basis, comp, int(y), s, float(v)))
    results = pd.DataFrame(rows, columns=["scenario", "province", "basis", "component", "year",
                                          "stat", "value_usd_m"])
    extra = _extra_tables(scenario, out, comps, years)
    extra.update(lever_tables(scenario, out, ref, processed_dir))  # kihi, fiscal, jobs, ports
    extra.update(baseline_tables(scenario.name, out, comps, years))
    if tornado:
        extra["tornado"] = tornado_table(scenario, inputs, ref, seed)
    extra["backtest"] = inputs.backtests
    extra["calibration"] = inputs.calibration
    extra["period_checks"] = inputs.period_checks
    provenance = {
        "scenario_hash": scenario_hash(scenario), "data_manifest_hash": inputs.manifest_sha,
        "package_version": __version__, "git_commit": git_commit(), "seed": int(seed),
        "draws": int(n), "data_vintage": data_vintage(inputs),
    }
    return RunResult(scenario, years, comps, out["mix"], {"results": results, **extra},
                     provenance, {prov: BASIS_LABELS.get(c, c) for prov, c in out["bases"].items()},
                     {"coal_volume": out["coal_volume"], "reference_total": out["ref_base"],
                      "total_mcse": {prov: _stats(c["total"])["mcse"] for prov, c in comps.items()}})


def baseline_tables(name: str, out: dict, comps: dict, years: np.ndarray) -> dict:
    """baseline_blocks, nowcast, coal_volume and the PAIRED difference from the reference
    baseline per draw (common random numbers; not a difference of marginal bands)."""
    rows = []
    for prov, c in comps.items():
        d = _stats(c["total"] - out["ref_base"][prov])
        for s in ("mean", "p10", "p50", "p90"):
            rows += [{"scenario": name, "province": prov, "year": int(y), "stat": s,
                      "difference_usd_m": float(v)} for y, v in zip(years, d[s], strict=True)]
    tables = {"baseline_blocks": pd.DataFrame(out["block_rows"]),
              "difference": pd.DataFrame(rows),
              "coal_volume": vo.tidy_coal_volume(out["coal_volume"], name)}
    if out["nowcast"]:
        tables["nowcast"] = nc.nowcast_table(out["nowcast"], bsim.NOWCAST_PROVINCE,
                                             out["reported"], out["nowcast_urls"])
    return tables


def data_vintage(inputs: Inputs) -> str:
    e = inputs.exports
    parts = []
    for prov, g in e.groupby("province"):
        last = g.sort_values(["year", "month"]).iloc[-1]
        parts.append(f"{prov}: BPS figures to {int(last['year'])}-{int(last['month']):02d}")
    pm = inputs.prices_monthly
    lastp = pm[pm["series_id"] == "coal_newcastle"].sort_values(["year", "month"]).iloc[-1]
    parts.append(f"prices to {int(lastp['year'])}-{int(lastp['month']):02d}")
    return "; ".join(parts)


def _extra_tables(scenario: Scenario, out: dict, comps: dict, years: np.ndarray) -> dict:
    name = scenario.name
    ind_rows, dec_rows = [], []
    for prov, c in comps.items():
        total_mean = c["total"].mean(axis=0)
        groups = {g: np.asarray(v).mean(axis=0) if np.ndim(v) else np.zeros(len(years))
                  for g, v in out["mix"][prov].items()}
        coal = groups.get("coal_mining", np.zeros(len(years)))
        h = hhi(list(groups.values())) if groups else np.full(len(years), np.nan)
        ref = out["ref_base"][prov].mean(axis=0)
        ref_p50 = np.percentile(out["ref_base"][prov], 50, axis=0)
        ref_coal = out["ref_coal"][prov].mean(axis=0)
        for i, y in enumerate(years):
            ind_rows.append({"scenario": name, "province": prov, "year": int(y),
                             "coal_share_pct": 100 * coal[i] / total_mean[i] if total_mean[i] else np.nan,
                             "coal_share_reference_baseline_pct":
                                 100 * ref_coal[i] / ref[i] if ref[i] else np.nan,
                             "hhi_product": float(h[i])})
            dec_rows.append({"scenario": name, "province": prov, "year": int(y),
                             "baseline_scenario_usd_m": ref[i],
                             "baseline_scenario_p50_usd_m": ref_p50[i],
                             "price_and_coal_demand_usd_m": c["baseline"].mean(axis=0)[i] - ref[i],
                             "export_center_usd_m": c["export_center"].mean(axis=0)[i],
                             "kihi_usd_m": c["kihi"].mean(axis=0)[i],
                             "connectivity_usd_m": c["connectivity"].mean(axis=0)[i],
                             "total_usd_m": total_mean[i]})
    conn = out["conn"]
    port_rows = []
    for i, y in enumerate(years):
        row = {"scenario": name, "year": int(y),
               "outside_ports_base_usd_m": out["outside"]["value_usd_m"],
               "handled_by_kaltim_ports_usd_m": conn.handled_by_kaltim_ports_usd_m.mean(axis=0)[i],
               "handled_by_kaltara_ports_usd_m": conn.handled_by_kaltara_ports_usd_m.mean(axis=0)[i],
               "still_outside_usd_m": conn.still_outside_usd_m.mean(axis=0)[i]}
        for prov, v in out["via_ports"].items():
            row[f"{prov} via_ports total_usd_m"] = v.mean(axis=0)[i]
        port_rows.append(row)
    ec_rows = []
    for prov, res in out["ec"].items():
        for i, y in enumerate(years):
            ec_rows.append({"scenario": name, "province": prov, "year": int(y),
                            "active_exporters_mean": res.active_exporters.mean(axis=0)[i],
                            "new_exporters_mean": res.new_exporters.mean(axis=0)[i],
                            "new_export_value_usd_m_mean": res.new_export_value_usd_m.mean(axis=0)[i],
                            "export_value_usd_m_mean": res.export_value_usd_m.mean(axis=0)[i],
                            "cumulative_value_usd_m_mean": res.cumulative_value_usd_m.mean(axis=0)[i],
                            "literature_crosscheck_usd_m_mean": out["crosscheck"].mean(axis=0)[i]})
    return {"indicators": pd.DataFrame(ind_rows), "decomposition": pd.DataFrame(dec_rows),
            "ports": pd.DataFrame(port_rows),
            "export_center": pd.DataFrame(ec_rows), "baseline_series": pd.DataFrame(out["series"])}


def tornado_table(scenario: Scenario, inputs: Inputs, reference: Parameters,
                  seed: int) -> pd.DataFrame:
    """One-at-a-time sensitivity of the headline year: each uncertain parameter (and the coal
    price at ±1.28 sd of its forecast error) at its low and high end, all others at their
    central values, no shocks."""
    p = scenario.parameters
    hy = p.simulation.headline_year
    # The price forecast error only scales shocks, which the tornado switches off: it is
    # represented by the coal price row instead.
    names = [nm for nm, _, _ in uncertain_parameters(p) if nm != "prices.forecast_error_1y"
             and not nm.startswith(NOT_IN_EXPORT_TOTALS)]
    names += ["prices.coal_price"]
    central = _simulate(scenario, inputs, reference, 1, seed, shocks=False)
    idx = int(np.where(central["years"] == hy)[0][0])

    def totals(o):
        return {prov: float(sum(c[k] for k in COMPONENTS)[0, idx]) for prov, c in o["comps"].items()}

    base = totals(central)
    rows = []
    for nm in names:
        lo = totals(_simulate(scenario, inputs, reference, 1, seed, fixed={nm: "low"}, shocks=False))
        hi = totals(_simulate(scenario, inputs, reference, 1, seed, fixed={nm: "high"}, shocks=False))
        for prov in base:
            rows.append({"province": prov, "parameter": nm, "year": hy,
                         "central_usd_m": base[prov], "low_usd_m": lo[prov], "high_usd_m": hi[prov],
                         "swing_usd_m": abs(hi[prov] - lo[prov])})
    out = pd.DataFrame(rows)
    return out.sort_values(["province", "swing_usd_m"], ascending=[True, False],
                           kind="mergesort").reset_index(drop=True)
