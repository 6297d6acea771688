"""Summaries of a run's draws: statistics per year, indicators, decomposition, tidy tables."""
from __future__ import annotations

import numpy as np
import pandas as pd

from kaltim_research.models.baseline import nowcast as nc
from kaltim_research.models.baseline import simulation as bsim
from kaltim_research.models.baseline import volume as vo
from kaltim_research.models.scenario import Scenario

STATS = ("mean", "p01", "p10", "p50", "p90", "p99")
#: Export Center results the export_center table averages over draws.
EC_FIELDS = ("active_exporters", "new_exporters", "new_export_value_usd_m", "export_value_usd_m",
             "cumulative_value_usd_m")


def percentiles(a: np.ndarray, qs: tuple[float, ...]) -> np.ndarray:
    """``np.percentile(a, qs, axis=0)`` (method "linear"), bit for bit, from one sort.

    The draws sit on axis 0 of a (draws × years) array, a strided axis that makes numpy's
    partition several times slower than sorting the transposed copy once; the interpolation
    repeats numpy's ``_lerp`` (including its ``t >= 0.5`` branch) so results are identical.
    """
    a = np.asarray(a, dtype=float)
    if np.isnan(a).any():  # numpy propagates NaN per column; keep its rule exactly
        return np.percentile(a, qs, axis=0)
    srt = np.sort(a.T if a.ndim > 1 else a, axis=-1)
    n = srt.shape[-1]
    out = []
    for q in qs:
        pos = q / 100 * (n - 1)
        lo = int(np.floor(pos))
        hi = min(lo + 1, n - 1)
        t = pos - lo
        x, y = srt[..., lo], srt[..., hi]
        d = y - x
        out.append(y - d * (1 - t) if t >= 0.5 else x + d * t)
    return np.array(out)


def draw_stats(a: np.ndarray) -> dict[str, np.ndarray]:
    """Mean, P1/P10/P50/P90/P99 and the Monte Carlo s.e. of the mean, per year (axis 1)."""
    q = percentiles(a, (1, 10, 50, 90, 99))
    return {"mean": a.mean(axis=0), "p01": q[0], "p10": q[1], "p50": q[2], "p90": q[3],
            "p99": q[4], "mcse": a.std(axis=0, ddof=1) / np.sqrt(len(a)) if len(a) > 1
            else np.zeros(a.shape[1])}


def band_stats(a: np.ndarray) -> dict[str, np.ndarray]:
    """Mean, P10, P50 and P90 per year (axis 1), from one sort."""
    q = percentiles(a, (10, 50, 90))
    return {"mean": a.mean(axis=0), "p10": q[0], "p50": q[1], "p90": q[2]}


def hhi(shares: list[np.ndarray]) -> np.ndarray:
    """Herfindahl–Hirschman index (0–1) from group values: Σ (value_i / Σ value)²."""
    total = np.sum(shares, axis=0)
    total = np.where(total > 0, total, np.nan)
    return np.sum([(s / total) ** 2 for s in shares], axis=0)


def baseline_tables(name: str, out: dict, comps: dict, years: np.ndarray) -> dict:
    """baseline_blocks, nowcast, coal_volume and the PAIRED difference from the reference
    baseline per draw (common random numbers; not a difference of marginal bands)."""
    rows = []
    for prov, c in comps.items():
        d = draw_stats(c["total"] - out["ref_base"][prov])
        for s in ("mean", "p10", "p50", "p90"):
            rows += [{"scenario": name, "province": prov, "year": int(y), "stat": s,
                      "difference_usd_m": float(v)} for y, v in zip(years, d[s], strict=True)]
    tables = {"baseline_blocks": pd.DataFrame(out["block_rows"]),
              "difference": pd.DataFrame(rows),
              "coal_volume": vo.tidy_coal_volume(out["coal_volume"], name)}
    if out["nowcast"]:
        tables["nowcast"] = nc.nowcast_table(out["nowcast"], bsim.NOWCAST_PROVINCE,
                                             out["reported"], out["nowcast_urls"])
    if out.get("signals"):
        tables["nowcast_checks"] = nc.wave4_checks(out["nowcast"], out["signals"],
                                                   out["newcastle_2026"], out["hba_ratio"])
    return tables


def column_means():
    """``m(a)`` = ``a.mean(axis=0)``, computed once per array (the tables below read one
    year at a time; recomputing the mean in each year's row was a third of the engine)."""
    cache: dict[int, tuple] = {}

    def m(a):
        if id(a) not in cache:
            cache[id(a)] = (a, np.asarray(a).mean(axis=0))  # the array is kept: ids stay unique
        return cache[id(a)][1]
    return m


def extra_tables(scenario: Scenario, out: dict, comps: dict, years: np.ndarray) -> dict:
    name = scenario.name
    m = column_means()
    ind_rows, dec_rows = [], []
    for prov, c in comps.items():
        total_mean = c["total"].mean(axis=0)
        groups = {g: np.asarray(v).mean(axis=0) if np.ndim(v) else np.zeros(len(years))
                  for g, v in out["mix"][prov].items()}
        coal = groups.get("coal_mining", np.zeros(len(years)))
        h = hhi(list(groups.values())) if groups else np.full(len(years), np.nan)
        ref = out["ref_base"][prov].mean(axis=0)
        ref_p50 = percentiles(out["ref_base"][prov], (50,))[0]
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
                             "price_and_coal_demand_usd_m": m(c["baseline"])[i] - ref[i],
                             "export_center_usd_m": m(c["export_center"])[i],
                             "kihi_usd_m": m(c["kihi"])[i],
                             "connectivity_usd_m": m(c["connectivity"])[i],
                             "total_usd_m": total_mean[i]})
    conn = out["conn"]
    port_rows = []
    for i, y in enumerate(years):
        row = {"scenario": name, "year": int(y),
               "outside_ports_base_usd_m": out["outside"]["value_usd_m"],
               "handled_by_kaltim_ports_usd_m": m(conn.handled_by_kaltim_ports_usd_m)[i],
               "handled_by_kaltara_ports_usd_m": m(conn.handled_by_kaltara_ports_usd_m)[i],
               "still_outside_usd_m": m(conn.still_outside_usd_m)[i]}
        for prov, v in out["via_ports"].items():
            row[f"{prov} via_ports total_usd_m"] = m(v)[i]
        port_rows.append(row)
    ec_rows = []
    for prov, res in out["ec"].items():
        for i, y in enumerate(years):
            ec_rows.append({"scenario": name, "province": prov, "year": int(y),
                            **{f"{f}_mean": res.means[f][i] for f in EC_FIELDS},
                            "literature_crosscheck_usd_m_mean": m(out["crosscheck"])[i]})
    return {"indicators": pd.DataFrame(ind_rows), "decomposition": pd.DataFrame(dec_rows),
            "ports": pd.DataFrame(port_rows),
            "export_center": pd.DataFrame(ec_rows), "baseline_series": pd.DataFrame(out["series"])}
