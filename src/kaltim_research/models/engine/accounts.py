"""What a run means beyond export totals: new vs rerouted exports, KIHI value retained, port
throughput, the province's coal royalty and DBH, jobs and output effects.

One entry point, :func:`lever_tables`, called once by :func:`engine.run_scenario` on the
per-draw arrays of a run. It returns tidy tables (written as ``levers.csv``, ``kihi.csv``,
``throughput.csv``, ``fiscal.csv``, ``jobs.csv``, ``output_effects.csv``):

- **new exports** are exports that would not exist without a lever (Export Center UMKM
  exports net of deadweight; KIHI metal counted in Kaltara, its province of origin);
  **rerouted** exports only change the loading port (connectivity; KIHI metal loaded at Kaltim
  ports). new + rerouted = the lever part of a province's total;
- **fiscal**: royalty and DBH from coal tonnes × price × rate (:mod:`fiscal`), paired with the
  reference baseline draw by draw (common random numbers), so the difference is the scenario's;
- coal tonnes come from :func:`coal_tonnes_for_fiscal`: coal export value ÷ the unit value
  drawn in ``models.volume`` (same draw, scenario and reference each with its own price path).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from kaltim_research.models.budget import fiscal as fis
from kaltim_research.models.budget import jobs as jb
from kaltim_research.models.budget.backtest import fiscal_backtest
from kaltim_research.models.engine.draws import path_array
from kaltim_research.models.engine.inputs import read_processed
from kaltim_research.models.engine.summary import band_stats, column_means, percentiles
from kaltim_research.models.levers.connectivity import port_throughput
from kaltim_research.models.levers.export_center import umkm_exports_reference
from kaltim_research.models.levers.kihi import RetainedValue, retained_value
from kaltim_research.models.scenario import Parameters, Scenario

KALTIM, KALTARA = "Kalimantan Timur", "Kalimantan Utara"
#: The province KIHI is in: its metal is a new export there (origin basis) and rerouted
#: cargo anywhere else.
KIHI_PROVINCE = KALTARA
STATS = ("mean", "p10", "p50", "p90")
#: Parameters that do not move export totals (left out of the tornado of totals).
NOT_IN_EXPORT_TOTALS = ("fiscal.", "jobs.", "connectivity.port_services_share",
                        "connectivity.kaltara_goods_usd_per_t", "kihi.alumina_",
                        "kihi.anode_cost", "kihi.other_imported")
#: How the fiscal module gets tonnes: the national route, labelled as the fallback it is (the
#: data give Kaltim's 2024 production, 368 Mt, but no Kaltim export volume or value after 2022,
#: so a provincial unit value cannot be formed for a recent year).
TONNES_ROUTE = ("fallback: coal export value / national BPS unit value; domestic tonnes from "
                "the province's own 2021 domestic share (288 - 236 Mt)")
#: What the fiscal numbers measure (never plain "DBH").
DBH_MEASURE = "coal-royalty DBH (provincial share): royalty + land rent, UU 1/2022 art. 116"
ROTATE_NOTE = ("change of loading port only: these goods were exported anyway; the gain is "
               "port and logistics services")


def coal_tonnes_for_fiscal(coal_value_usd_m: np.ndarray, volume: dict[str, np.ndarray],
                           params: Parameters, u: dict) -> dict[str, np.ndarray]:
    """Coal tonnes and prices behind a province's coal export value, per draw × year.

    Export tonnes = coal export value ÷ the FOB unit value of ``models.volume`` (the national
    BPS unit value moved with Newcastle), so a volume cut (RKAB, DMO, demand) lowers tonnes
    and a price fall lowers value at given tonnes. Domestic tonnes = export tonnes × d / (1 − d)
    (d = the province's domestic sales share); they pay royalty at the DMO price. The royalty
    tier is set by the HBA of the same draw (``models.volume``: Newcastle × post-2023 ratio).
    """
    f = params.fiscal
    price = np.asarray(volume["unit_value_usd_per_t"], float)
    export_mt = np.asarray(coal_value_usd_m, float) / price
    d = u["fiscal.domestic_sales_share"][:, None]
    return {"export_mt": export_mt, "export_price_usd_per_t": price,
            "domestic_mt": export_mt * d / (1 - d),
            "domestic_price_usd_per_t": np.full_like(price, f.domestic_price_usd_per_t),
            "benchmark_usd_per_t": np.asarray(volume["hba_usd_per_t"], float)}


def fiscal_arrays(params: Parameters, coal_value, volume, u, years, table, province,
            cash_estimable: bool = True) -> dict[str, np.ndarray]:
    """Royalty, DBH accrual and cash of one province. Cash applies the drawn central
    allocation (Kaltim) and is NaN where the province's allocation is not estimable."""
    f = params.fiscal
    t = coal_tonnes_for_fiscal(coal_value, volume, params, u)
    rate = fis.effective_royalty_rate(table, years, t["benchmark_usd_per_t"],
                                      f.calorie_band_shares)
    roy = fis.royalty_usd_m(t["export_mt"], t["export_price_usd_per_t"], t["domestic_mt"],
                            t["domestic_price_usd_per_t"], rate)
    fx = path_array(f.exchange_rate_idr_per_usd, years)[None, :]
    accrual = fis.dbh_accrual_idr_bn(roy, fx, table.province_royalty_share,
                                     f.land_rent_to_royalty, table.province_land_rent_share)
    if cash_estimable:
        alloc = fis.allocation_factor_path(path_array(f.allocation_pagu_path_kaltim, years),
                                           u["fiscal.allocation_restoration"], years,
                                           f.allocation_restoration_year)
        cash = fis.dbh_cash_idr_bn(accrual, u["fiscal.payment_share_same_year"], alloc)
    else:
        cash = np.full_like(accrual, np.nan)
    above = t["benchmark_usd_per_t"] >= fis.tier_threshold_usd_per_t(table)
    return {"royalty_idr_bn": roy * fx / 1000, "dbh_accrual_idr_bn": accrual,
            "dbh_province_idr_bn": cash, "coal_mt": t["export_mt"] + t["domestic_mt"],
            "hba_above_threshold": np.broadcast_to(above, accrual.shape)}


def _cliff(fs: dict) -> dict[str, np.ndarray]:
    """The royalty tier cliff per year: share of draws whose HBA is at or above the top-tier
    threshold (US$90/t) and the median accrual on each side of it (NaN if a side is empty)."""
    above, acc = fs["hba_above_threshold"], fs["dbh_accrual_idr_bn"]

    def median_where(mask):
        return np.array([np.median(acc[mask[:, i], i]) if mask[:, i].any() else np.nan
                         for i in range(acc.shape[1])])
    return {"hba_share_above_90": above.mean(axis=0),
            "dbh_accrual_idr_bn_p50_hba_above_90": median_where(above),
            "dbh_accrual_idr_bn_p50_hba_below_90": median_where(~above)}


@dataclass(frozen=True)
class _Run:
    """What every table of one run needs: scenario name, years, draws, outputs, zeros (N, T)."""

    name: str
    years: np.ndarray
    u: dict
    out: dict
    zeros: np.ndarray


def _kihi_table(run: _Run, k) -> tuple[np.ndarray, RetainedValue, list[dict]]:
    """KIHI exported tonnes, value retained in Indonesia and the ``kihi`` rows (means, P10-P90)."""
    u, kres = run.u, run.out["kihi"]
    # Power binds where the output power allows is below the capacity online × utilisation.
    # Each (N, T) sum is dropped once used, before the retained-value arrays (peak memory).
    cap = kres.capacity_online_t.sum(axis=1) if kres.output_t.size else run.zeros
    lim = kres.power_limited_output_t.sum(axis=1) if kres.output_t.size else run.zeros
    binds = (cap > 0) & (lim < cap * u["kihi.utilisation"][:, None] - 1e-6)
    del cap, lim
    output_t = kres.output_t.sum(axis=1) if kres.output_t.size else run.zeros
    exported_t = output_t * u["kihi.export_share"][:, None]
    out_st = band_stats(output_t / 1000)
    del output_t
    ret = retained_value(run.out["kihi_export"], exported_t, u["kihi.alumina_t_per_t"],
                         u["kihi.alumina_price_usd_per_t"], u["kihi.alumina_share_from_kalbar"],
                         u["kihi.anode_cost_usd_per_t"], u["kihi.other_imported_usd_per_t"])
    rows = []
    gross, net_ret = ret.gross_usd_m.mean(axis=0), ret.net_retained_usd_m.mean(axis=0)
    # each mean once, not once per year of the loop below
    mean = {k: np.asarray(v).mean(axis=0) for k, v in {
        "exported_t": exported_t, "alumina": ret.alumina_usd_m,
        "kalbar": ret.kalbar_alumina_usd_m, "anode": ret.anode_usd_m,
        "other": ret.other_imported_usd_m, "demand": kres.power_demand_twh,
        "hydro": kres.hydro_used_twh, "emissions": kres.emissions_mt_co2,
        "cbam_exposed": run.out["cbam_exposed"], "cbam_cost": run.out["cbam_cost"],
        "jobs": kres.jobs, "captive": run.out["kihi_captive_twh"], "binds": binds}.items()}
    gross_p50 = percentiles(ret.gross_usd_m, (50,))[0]
    net_p50 = percentiles(ret.net_retained_usd_m, (50,))[0]
    for i, y in enumerate(run.years):
        g = float(gross[i])
        net = float(net_ret[i])
        rows.append({
            "scenario": run.name, "year": int(y), "output_kt_mean": out_st["mean"][i],
            "output_kt_p10": out_st["p10"][i], "output_kt_p90": out_st["p90"][i],
            "exported_kt_mean": mean["exported_t"][i] / 1000,
            "gross_export_usd_m_mean": g,
            "gross_export_usd_m_p50": float(gross_p50[i]),
            "net_retained_usd_m_mean": net,
            "net_retained_usd_m_p50": float(net_p50[i]),
            "net_retained_pct_of_gross": 100 * net / g if g else np.nan,
            "alumina_usd_m_mean": mean["alumina"][i],
            "kalbar_alumina_transfer_usd_m_mean": mean["kalbar"][i],
            "anode_usd_m_mean": mean["anode"][i],
            "other_imported_usd_m_mean": mean["other"][i],
            "captive_power_twh_mean": float(mean["captive"][i]),
            "power_binds_share": float(mean["binds"][i]),
            "power_demand_twh_mean": mean["demand"][i],
            "hydro_used_twh_mean": mean["hydro"][i],
            "emissions_mt_co2_mean": mean["emissions"][i],
            "cbam_exposed_mt_co2_mean": mean["cbam_exposed"][i],
            "cbam_cost_usd_m_mean": mean["cbam_cost"][i],
            "jobs_mean": mean["jobs"][i]})
    return exported_t, ret, rows


def _throughput_rows(run: _Run, thr: dict) -> list[dict]:
    """Port throughput rows: value, tonnes and services by loading province and cargo."""
    rows, m = [], column_means()
    for prov, cargos in thr.items():
        for cargo, arrs in cargos.items():
            for i, y in enumerate(run.years):
                rows.append({"scenario": run.name, "port_province": prov, "cargo": cargo,
                             "year": int(y),
                             **{f"{kk}_mean": float(m(v)[i]) for kk, v in arrs.items()},
                             "note": ROTATE_NOTE})
    return rows


def _lever_rows(run: _Run, prov: str, c: dict, add: np.ndarray, ref_umkm) -> list[dict]:
    """New vs rerouted exports of one province (KIHI metal is new only in its own province)."""
    kihi_new = c["kihi"] if prov == KIHI_PROVINCE else run.zeros
    new = c["export_center"] + kihi_new
    rerouted = c["connectivity"] + (c["kihi"] - kihi_new)
    st_new, st_rer, st_add = band_stats(new), band_stats(rerouted), band_stats(add)
    rows = []
    for i, y in enumerate(run.years):
        rows.append({
            "scenario": run.name, "province": prov, "year": int(y),
            "new_exports_usd_m_mean": st_new["mean"][i], "new_exports_usd_m_p50": st_new["p50"][i],
            "rerouted_usd_m_mean": st_rer["mean"][i], "rerouted_usd_m_p50": st_rer["p50"][i],
            "export_center_additional_usd_m_mean": st_add["mean"][i],
            "umkm_exports_reference_usd_m": ref_umkm,
            "export_center_vs_umkm_pct": (100 * st_add["mean"][i] / ref_umkm
                                          if ref_umkm else None)})
    return rows


def _fiscal_rows(run: _Run, prov: str, fs: dict, fr: dict, reason: str | None) -> list[dict]:
    """Royalty and DBH of one province (accrual and cash apart), the DBH difference from the
    reference baseline, and the tier cliff (share of draws at HBA >= US$90)."""
    diff = band_stats(fs["dbh_province_idr_bn"] - fr["dbh_province_idr_bn"])
    sts = {kk: band_stats(v) for kk, v in fs.items() if kk != "hba_above_threshold"}
    cliff = _cliff(fs)
    rows = []
    for s in STATS:
        for i, y in enumerate(run.years):
            rows.append({"scenario": run.name, "province": prov, "year": int(y), "stat": s,
                         "measure": DBH_MEASURE,
                         "royalty_idr_bn": sts["royalty_idr_bn"][s][i],
                         "dbh_province_idr_bn": sts["dbh_province_idr_bn"][s][i],
                         "dbh_accrual_idr_bn": sts["dbh_accrual_idr_bn"][s][i],
                         "dbh_difference_idr_bn": diff[s][i],
                         "coal_mt": sts["coal_mt"][s][i], "tonnes_route": TONNES_ROUTE,
                         **{k: v[i] for k, v in cliff.items()},
                         "cash_not_estimable_reason": reason})
    return rows


def _jobs_rows(run: _Run, prov: str, fs: dict, fr: dict, params: Parameters) -> list[dict]:
    """Gross direct jobs of one province: coal mining (tonnes, with the short-run elasticity
    against the reference run), KIHI operations and construction, UMKM exporters net of
    deadweight; the difference is against the reference baseline, draw by draw."""
    u, kres, zeros = run.u, run.out["kihi"], run.zeros
    jpm = u["jobs.mining_jobs_per_mt"]
    eps = jb.short_run_elasticity_path(run.years, u["jobs.mining_jobs_short_run_elasticity"],
                                       params.jobs.mining_jobs_adjustment_years)
    mining = jb.mining_jobs(fs["coal_mt"], fr["coal_mt"], jpm, eps)
    mining_ref = jb.jobs_from_activity(fr["coal_mt"], jpm)
    ec_res = run.out["ec"].get(prov)
    umkm_jobs = (jb.jobs_from_activity(ec_res.active_exporters
                                       * (1 - u["export_center.deadweight_share"][:, None]),
                                       u["jobs.umkm_jobs_per_exporter"])
                 if ec_res is not None else zeros)
    here = prov == KIHI_PROVINCE
    plates = [pr.nameplate_kt * 1000 for pr in params.kihi.projects]
    build = (jb.construction_jobs(kres.capacity_online_t, plates,
                                  u["jobs.kihi_construction_jobs_per_kt"])
             if here and plates else zeros)
    sectors = {"coal_mining": (mining, mining - mining_ref),
               "kihi_operations": (kres.jobs, kres.jobs) if here else (zeros, zeros),
               "kihi_construction": (build, build),
               "umkm_exporters": (umkm_jobs, umkm_jobs)}
    rows = []
    for sector, (level, dif) in sectors.items():
        sl, sd = band_stats(np.broadcast_to(level, zeros.shape)), band_stats(
            np.broadcast_to(dif, zeros.shape))
        for s in STATS:
            for i, y in enumerate(run.years):
                rows.append({"scenario": run.name, "province": prov, "year": int(y),
                             "stat": s, "sector": sector, "jobs": sl[s][i],
                             "jobs_difference": sd[s][i], "basis": jb.BASIS})
    return rows


def _effect_rows(run: _Run, prov: str, coal: np.ndarray, net_retained: np.ndarray,
                 add: np.ndarray, services: dict, mult: dict) -> list[dict]:
    """Output effects of one province (type-I output multipliers, Kaltim IO 2010), means."""
    zeros = run.zeros
    services = services.get(prov, zeros)
    direct = {"coal_mining": (coal - run.out["ref_coal"][prov], "mining"),
              "kihi": (net_retained if prov == KIHI_PROVINCE else zeros, "manufacturing"),
              "export_center": (add, "agriculture"),
              "port_services": (services, "sea_transport")}
    rows = []
    for sector, (arr, io_sector) in direct.items():
        m, src = mult[io_sector]
        dm = np.asarray(arr, float).mean(axis=0)
        for i, y in enumerate(run.years):
            rows.append({"scenario": run.name, "province": prov, "year": int(y),
                         "sector": sector, "direct_usd_m_mean": dm[i],
                         "io_sector": io_sector, "output_multiplier": m,
                         "output_effect_usd_m_mean": dm[i] * m,
                         "note": "gross output, not GRDP; Kaltim IO 2010 multipliers",
                         "source_url": src})
    return rows


def lever_tables(scenario: Scenario, out: dict, reference: Parameters,
                 processed_dir: Path) -> dict[str, pd.DataFrame]:
    """Tables of a run beyond export totals (see the module docstring)."""
    p = scenario.parameters
    years = out["years"]
    u = out["u"]
    n = next(iter(u.values())).shape[0] if u else 1
    run = _Run(scenario.name, years, u, out, np.zeros((n, len(years))))
    context = read_processed(processed_dir, "context.csv")
    fp = read_processed(processed_dir, "fiscal_parameters.csv")
    table = fis.royalty_table(fp)
    umkm = umkm_exports_reference(read_processed(processed_dir, "facts.csv"), context)
    mult = jb.io_multipliers(context)

    exported_t, ret, kihi_rows = _kihi_table(run, p.kihi)
    net_retained = ret.net_retained_usd_m
    del ret  # the other retained-value arrays are only in the kihi rows
    # Of the KIHI results the jobs rows still read the capacity online and the jobs per draw;
    # the rest is in the kihi rows, so it is not held while the fiscal arrays are made (peak
    # memory at 100k draws; ``out`` is run_scenario's own dict).
    kres = out["kihi"]
    out["kihi"] = SimpleNamespace(capacity_online_t=kres.capacity_online_t, jobs=kres.jobs)
    del kres, out["cbam_cost"], out["cbam_exposed"], out["kihi_captive_twh"]
    thr = port_throughput(out.pop("conn"), exported_t / 1000,
                          u["connectivity.kaltara_goods_usd_per_t"],
                          u["connectivity.port_services_share"])
    del exported_t
    thr_rows = _throughput_rows(run, thr)
    # the output effects need only each port province's services; the rest is in the rows
    services = {prov: sum(a["services_usd_m"] for a in cargos.values())
                for prov, cargos in thr.items()}
    del thr
    lever_rows, fiscal_rows, jobs_rows, eff_rows = [], [], [], []
    ec_add = out.get("ec_additional", {})
    for prov, c in out["comps"].items():
        add = ec_add.get(prov, run.zeros)
        lever_rows += _lever_rows(run, prov, c, add, umkm["value_usd_m"] if prov == KALTIM else None)
        # Fiscal: scenario and reference baseline on the same draws.
        coal = np.asarray(out["mix"][prov].get("coal_mining", run.zeros), float)
        est = fis.cash_estimability(fp, prov)
        fs = fiscal_arrays(p, coal, out["coal_volume"], u, years, table, prov, est["estimable"])
        fr = fiscal_arrays(reference, out["ref_coal"][prov], out["coal_volume_ref"], u, years, table,
                     prov, est["estimable"])
        fiscal_rows += _fiscal_rows(run, prov, fs, fr, est["reason"])
        jobs_rows += _jobs_rows(run, prov, fs, fr, p)
        del fs, fr  # before the next province's arrays are made (peak memory)
        eff_rows += _effect_rows(run, prov, coal, net_retained, add, services, mult)
    f = p.fiscal
    backtest = fiscal_backtest(fp, read_processed(processed_dir, "exports.csv"),
                               read_processed(processed_dir, "exports_annual.csv"), context,
                               read_processed(processed_dir, "coal.csv"), f.calorie_band_shares,
                               f.domestic_price_usd_per_t, f.land_rent_to_royalty,
                               f.payment_share_same_year.value)
    return {"fiscal_backtest": backtest,
            "levers": pd.DataFrame(lever_rows), "kihi": pd.DataFrame(kihi_rows),
            "throughput": pd.DataFrame(thr_rows), "fiscal": pd.DataFrame(fiscal_rows),
            "jobs": pd.DataFrame(jobs_rows), "output_effects": pd.DataFrame(eff_rows)}
