"""Results of a scenario run: tidy CSVs and ``results.json`` (headline numbers + provenance).

``results.json`` is the machine-readable contract between the engine and everything that
reports on it (notebooks, the governor's brief, CI): headline numbers are written here and
read from here, never scraped from cell text.
"""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from kaltim_research.config import PROCESSED_DIR
from kaltim_research.data.freshness import build_id
from kaltim_research.fileio import swap_dir
from kaltim_research.models import engine
from kaltim_research.models.engine import COMPONENTS, RunResult, hhi
from kaltim_research.models.levers.export_center import allocate_to_destinations
from kaltim_research.models.scenario import (
    load_scenario,
    reference_scenario,
)
from kaltim_research.report.briefs import comparison_rows
from kaltim_research.report.trajectory import brief_inputs


def assumptions(run: RunResult, reference_params=None) -> list[dict]:
    """Every parameter this scenario changes from the reference baseline (the whole
    ``modifies`` chain), with the scenario's own reasons (:mod:`report.assumptions`)."""
    from kaltim_research.report.assumptions import changed_assumptions

    sc = run.scenario
    return changed_assumptions(sc.parameters, reference_params, sc.reasons,
                               sc.parameters.simulation.headline_year)


def facts(processed_dir: Path) -> list[dict]:
    """Data facts for the brief, looked up in the processed ledger (values never typed)."""
    e = pd.read_csv(Path(processed_dir) / "exports.csv")
    out = []

    def latest(prov, concept, flow="total", ptypes=("ytd", "year")):
        g = e[(e["province"] == prov) & (e["concept"] == concept) & (e["flow"] == flow)
              & e["period_type"].isin(ptypes) & (e["basis"] == "reported")]
        return None if g.empty else g.sort_values(["year", "month"]).iloc[-1]

    months_id = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
                 "September", "Oktober", "November", "Desember"]
    months_en = ["January", "February", "March", "April", "May", "June", "July", "August",
                 "September", "October", "November", "December"]
    for prov, concept, lab_id, lab_en in (
            ("Kalimantan Timur", "via_ports", "Ekspor Kaltim (pelabuhan muat)",
             "Kaltim exports (port of loading)"),
            ("Kalimantan Utara", "origin", "Ekspor asli Kaltara", "Kaltara-origin exports"),
            ("Kalimantan Utara", "via_ports", "Ekspor melalui pelabuhan Kaltara",
             "Exports through Kaltara ports")):
        r = latest(prov, concept)
        if r is None:
            continue
        m = int(r["month"])
        per_id = (f"{r['year']}" if r["period_type"] == "year"
                  else f"Januari–{months_id[m - 1]} {int(r['year'])}")
        per_en = (f"{r['year']}" if r["period_type"] == "year"
                  else f"January–{months_en[m - 1]} {int(r['year'])}")
        out.append({"text_id": f"{lab_id}, {per_id}", "text_en": f"{lab_en}, {per_en}",
                    "value_usd_m": float(r["value_usd_m"]), "source_url": r["source_url"]})
    pa = pd.read_csv(Path(processed_dir) / "prices_annual.csv")
    coal = pa[pa["series_id"] == "coal_newcastle"].set_index("year")
    if 2022 in coal.index and coal.index.max() > 2022:
        last_year = int(coal.index.max())
        out.append({"text_id": f"Harga batu bara Newcastle {last_year} (US$/ton; 2022: "
                               f"{coal.loc[2022, 'price']:.0f})",
                    "text_en": f"Newcastle coal price {last_year} (US$/t; 2022: "
                               f"{coal.loc[2022, 'price']:.0f})",
                    "value": float(coal.loc[last_year, "price"]), "unit": "US$/t",
                    "source_url": "https://www.worldbank.org/en/research/commodity-markets"})
    return out


def destination_hhi(run: RunResult, processed_dir: Path) -> pd.DataFrame:
    """Destination concentration of the baseline plus Export Center exports, from the latest
    reported destination shares of each province's nonmigas/total exports; the rest of the
    exports form one 'other' group, so the index is an upper bound. KIHI and rerouted goods
    have no reported destinations and are left out."""
    d = pd.read_csv(Path(processed_dir) / "destinations.csv")
    rows = []
    for prov in run.draws:
        g = d[(d["province"] == prov) & d["value_usd_m"].notna()
              & d["scope"].isin(["nonmigas", "total", "not stated"])]
        if g.empty:
            continue
        key = g.sort_values(["year", "month"]).iloc[-1][["year", "month", "period_type", "scope"]]
        sel = g[(g["year"] == key["year"]) & (g["month"] == key["month"])
                & (g["period_type"] == key["period_type"]) & (g["scope"] == key["scope"])]
        sel = sel.drop_duplicates("country")
        share_known = sel["share_pct"].fillna(np.nan)
        base = run.draws[prov]["baseline"].mean(axis=0)
        ec = run.draws[prov]["export_center"].mean(axis=0)
        # Shares: printed shares if given, else values over the province total of that period.
        if share_known.notna().all():
            shares = dict(zip(sel["country"], sel["share_pct"] / 100, strict=True))
        else:
            total = sel["value_usd_m"].sum() / 0.8  # fallback denominator: listed ≈ 80% (J)
            shares = dict(zip(sel["country"], sel["value_usd_m"] / total, strict=True))
        other = max(0.0, 1 - sum(shares.values()))
        # New UMKM exports follow the scenario's destination weights (the 33 countries the
        # centre reaches) when given, else today's shares.
        weights = run.scenario.parameters.export_center.destination_weights
        ec_by = (allocate_to_destinations(ec[None, :], weights) if weights else
                 {c: ec[None, :] * sh for c, sh in {**shares, "other": other}.items()})
        for i, y in enumerate(run.years):
            groups = {c: base[i] * sh for c, sh in shares.items()}
            groups["other"] = base[i] * other
            for c, v in ec_by.items():
                groups[c] = groups.get(c, 0.0) + float(v[0, i])
            rows.append({"province": prov, "year": int(y), "hhi_destination": float(
                hhi([np.array(v) for v in groups.values()])),
                "shares_period": f"{key['period_type']} {int(key['year'])}-{int(key['month']):02d}"
                                 f" ({key['scope']})"})
    return pd.DataFrame(rows)


def _sector_shares_known(run: RunResult, province: str, concept: str) -> bool:
    """Whether the coal share of a province rests on a printed breakdown: False when none of
    its baseline series has a coal block (no commodity or sector breakdown was printed, so
    the engine counts no coal at all, which must read "not available", not 0.0 %)."""
    blocks = run.extra.get("baseline_blocks")
    if blocks is None or blocks.empty:
        return True
    return bool((blocks[blocks["province"] == province]["block"] == "coal").any())


def headline(run: RunResult, processed_dir: Path) -> list[dict]:
    res = run.extra["results"]
    ind = run.extra["indicators"]
    dec = run.extra["decomposition"]
    hy = run.scenario.parameters.simulation.headline_year
    e = pd.read_csv(Path(processed_dir) / "exports.csv")
    out = []
    for prov, basis in run.bases.items():
        r = res[(res["province"] == prov) & (res["year"] == hy)]

        def val(comp, stat, r=r):
            return float(r[(r["component"] == comp) & (r["stat"] == stat)]["value_usd_m"].iloc[0])

        dd = dec[(dec["province"] == prov) & (dec["year"] == hy)].iloc[0]
        ii = ind[(ind["province"] == prov) & (ind["year"] == hy)].iloc[0]
        concept = {"port_of_loading": "via_ports"}.get(basis, basis)
        last = e[(e["province"] == prov) & (e["concept"] == concept) & (e["flow"] == "total")
                 & e["period_type"].isin(["ytd", "year"]) & (e["basis"] == "reported")]
        last_actual = None
        if not last.empty:
            lr = last.sort_values(["year", "month"]).iloc[-1]
            last_actual = {"year": int(lr["year"]), "value_usd_m": float(lr["value_usd_m"]),
                           "basis": ("reported full year" if lr["period_type"] == "year" else
                                     f"reported Jan–{int(lr['month']):02d} (cumulative)"),
                           "period_type": str(lr["period_type"]),
                           "months": 12 if lr["period_type"] == "year" else int(lr["month"]),
                           "source_url": lr["source_url"]}
        ref_total = float(dd["baseline_scenario_usd_m"])
        total = val("total", "mean")
        known = _sector_shares_known(run, prov, concept)
        diff = run.extra["difference"]
        diff = diff[(diff["province"] == prov) & (diff["year"] == hy)].set_index("stat")
        mcse = run.arrays.get("total_mcse", {}).get(prov)
        iy = int(np.where(run.years == hy)[0][0])
        out.append({
            "province": prov, "basis": basis, "year": hy,
            "total_mean": total, "total_p01": val("total", "p01"), "total_p10": val("total", "p10"),
            "total_p50": val("total", "p50"), "total_p90": val("total", "p90"),
            "total_p99": val("total", "p99"),
            "total_mean_mcse": float(mcse[iy]) if mcse is not None else None,
            "rounding_usd_m": rounding_usd_m(val("total", "p90") - val("total", "p10")),
            "difference_p10": float(diff.loc["p10", "difference_usd_m"]),
            "difference_p50": float(diff.loc["p50", "difference_usd_m"]),
            "difference_p90": float(diff.loc["p90", "difference_usd_m"]),
            "baseline_mean": ref_total, "difference_mean": total - ref_total,
            "difference_pct": 100 * (total / ref_total - 1) if ref_total else None,
            "components_mean": {c: val(c, "mean") for c in COMPONENTS},
            "decomposition_mean": {
                "price_and_coal_demand": float(dd["price_and_coal_demand_usd_m"]),
                "export_center": float(dd["export_center_usd_m"]),
                "kihi": float(dd["kihi_usd_m"]), "connectivity": float(dd["connectivity_usd_m"])},
            # None ("not available"), not 0.0 %, where the ledger has no sector breakdown
            "coal_share_pct": float(ii["coal_share_pct"]) if known else None,
            "coal_share_baseline_pct":
                float(ii["coal_share_reference_baseline_pct"]) if known else None,
            "hhi_product": float(ii["hhi_product"]),
            "last_actual": last_actual,
            # the latest figure of any kind the measurement model used (the headline's start)
            "last_observation_used": run.provenance.get("measurement", {})
            .get("last_observation_used", {}).get(prov),
            **lever_headline(run, prov, hy),
            "nowcast": nowcast_headline(run, prov),
        })
    return out


def lever_headline(run: RunResult, prov: str, year: int) -> dict:
    """new_exports (would not exist without a lever) vs rerouted (loading port changed only)
    and the Export Center gain as % of the province's UMKM exports (levers.csv)."""
    lv = run.extra.get("levers")
    if lv is None or lv.empty:
        return {}
    r = lv[(lv["province"] == prov) & (lv["year"] == year)].iloc[0]
    pct = r["export_center_vs_umkm_pct"]
    return {"new_exports_mean": float(r["new_exports_usd_m_mean"]),
            "new_exports_p50": float(r["new_exports_usd_m_p50"]),
            "rerouted_mean": float(r["rerouted_usd_m_mean"]),
            "export_center_vs_umkm_pct": None if pd.isna(pct) else float(pct)}


def fiscal_jobs_summary(run: RunResult) -> dict:
    """Top-level "fiscal" and "jobs" of results.json: headline year and first projected year."""
    fis, jobs = run.extra.get("fiscal"), run.extra.get("jobs")
    if fis is None or jobs is None:
        return {}
    years = sorted({int(run.years[0]), int(run.scenario.parameters.simulation.headline_year)})
    out_f, out_j = [], []
    for prov in run.draws:
        for y in years:
            f = fis[(fis["province"] == prov) & (fis["year"] == y)].set_index("stat")
            reason = f["cash_not_estimable_reason"].dropna() \
                if "cash_not_estimable_reason" in f else pd.Series([], dtype=object)

            def val(stat, col, f=f):
                v = float(f.loc[stat, col]) if col in f else float("nan")
                return None if np.isnan(v) else v
            out_f.append({"province": prov, "year": y,
                          "measure": str(f["measure"].iloc[0]) if "measure" in f else None,
                          "royalty_idr_bn_p50": val("p50", "royalty_idr_bn"),
                          "dbh_province_idr_bn_p50": val("p50", "dbh_province_idr_bn"),
                          "dbh_province_idr_bn_p10": val("p10", "dbh_province_idr_bn"),
                          "dbh_province_idr_bn_p90": val("p90", "dbh_province_idr_bn"),
                          "dbh_difference_idr_bn_p50": val("p50", "dbh_difference_idr_bn"),
                          "dbh_accrual_idr_bn_p50": val("p50", "dbh_accrual_idr_bn"),
                          "dbh_accrual_idr_bn_p10": val("p10", "dbh_accrual_idr_bn"),
                          "dbh_accrual_idr_bn_p90": val("p90", "dbh_accrual_idr_bn"),
                          "hba_share_above_90": val("p50", "hba_share_above_90"),
                          "dbh_cash_estimable": reason.empty,
                          "dbh_cash_not_estimable_reason": None if reason.empty
                          else str(reason.iloc[0])})
            j = jobs[(jobs["province"] == prov) & (jobs["year"] == y) & (jobs["stat"] == "p50")]
            out_j += [{"province": prov, "year": y, "sector": r.sector, "jobs_p50": float(r.jobs),
                       "jobs_difference_p50": float(r.jobs_difference)} for r in j.itertuples()]
    return {"fiscal": out_f, "jobs": out_j}
def rounding_usd_m(band_width: float) -> float:
    """The rounding the numbers support: the power of ten at most 5 % of the P10–P90 width
    (100 US$ m = 0.1 billion for Kaltim's band of several billion; 10 for Kaltara)."""
    if not band_width or band_width <= 0 or not np.isfinite(band_width):
        return 1.0
    return float(10 ** np.floor(np.log10(band_width / 20)))


def nowcast_headline(run: RunResult, province: str) -> dict | None:
    """The latest nowcast year of a province (basis nowcast_national_share), or None."""
    t = run.extra.get("nowcast")
    if t is None or t.empty:
        return None
    t = t[(t["province"] == province) & (t["block"] == "total")
          & (t["basis"] == "nowcast_national_share")]
    if t.empty:
        return None
    y = int(t["year"].max())
    g = t[t["year"] == y].set_index("stat")
    return {"year": y, "value_usd_m": float(g.loc["p50", "value_usd_m"]),
            "p10": float(g.loc["p10", "value_usd_m"]), "p90": float(g.loc["p90", "value_usd_m"]),
            "basis": "nowcast_national_share",
            "inputs": [u for u in str(g["inputs"].iloc[0]).split(" | ") if u]}


def fan_chart(run: RunResult, processed_dir: Path, heads: list[dict]) -> dict:
    """Fan chart data for the province where the scenario moves exports most (relative)."""
    prov = max(heads, key=lambda h: abs(h["difference_pct"] or 0))["province"] if heads else None
    if prov is None:
        return {}
    res = run.extra["results"]
    tot = res[(res["province"] == prov) & (res["component"] == "total")]
    dec = run.extra["decomposition"]
    ann = pd.read_csv(Path(processed_dir) / "exports_annual.csv")
    concept = {"port_of_loading": "via_ports"}.get(run.bases[prov], run.bases[prov])
    hist = ann[(ann["province"] == prov) & (ann["concept"] == concept) & (ann["flow"] == "total")
               & ann["value_usd_m"].notna()]
    return {
        "province": prov, "basis": run.bases[prov], "unit": "USD million",
        "years": [int(y) for y in run.years],
        **{s: [float(v) for v in tot[tot["stat"] == s].sort_values("year")["value_usd_m"]]
           for s in ("p10", "p50", "p90", "mean")},
        "baseline_p50": [float(v) for v in dec[dec["province"] == prov]
                         .sort_values("year")["baseline_scenario_p50_usd_m"]],
        "history_years": [int(y) for y in hist["year"]],
        "history_values": [float(v) for v in hist["value_usd_m"]],
        "history_basis": list(hist["basis"]),
    }


def summarise(run: RunResult, processed_dir: Path, reference_params=None) -> dict:
    """The results.json dict (see the brief contract in :mod:`kaltim_research.report.brief`)."""
    sc = run.scenario
    heads = headline(run, processed_dir)
    summary = {
        "scenario": {"name": sc.name, "title": sc.title, "title_id": sc.title_id,
                     "description": sc.description, "description_id": sc.description_id,
                     "modifies": sc.modifies,
                     "date": sc.date.isoformat(), "references": sc.references,
                     "hash": run.provenance["scenario_hash"]},
        "provenance": run.provenance,
        "horizon": {"start_year": int(run.years[0]), "end_year": int(run.years[-1]),
                    "headline_year": sc.parameters.simulation.headline_year},
        "bases": run.bases,
        "basis_note": "Kalimantan Timur is counted by port of loading (BPS Kaltim), Kalimantan "
                      "Utara by origin (ekspor asli). The two are never added together.",
        "headline": heads,
        "assumptions": assumptions(run, reference_params),
        "facts": facts(processed_dir),
        "fan_chart": fan_chart(run, processed_dir, heads),
        **fiscal_jobs_summary(run),
        **brief_inputs(run, processed_dir, heads),  # trajectory, fan_charts, data_vintage
    }
    summary["kihi_value"] = kihi_value(run, summary["horizon"]["headline_year"])
    summary["comparison"] = comparison_rows(summary)
    return summary


def kihi_value(run: RunResult, year: int) -> dict | None:
    """KIHI in the headline year: gross exports and the value retained in Indonesia after
    imported alumina, anodes and other inputs (kihi.csv), for the brief's "gross and
    retained"; None when the scenario has no KIHI output."""
    k = run.extra.get("kihi")
    if k is None or k.empty or "gross_export_usd_m_mean" not in k:
        return None
    r = k[k["year"] == year]
    if r.empty or not float(r["gross_export_usd_m_mean"].iloc[0]):
        return None
    r = r.iloc[0]
    return {"year": int(year), "gross_usd_m_mean": float(r["gross_export_usd_m_mean"]),
            "net_retained_usd_m_mean": float(r["net_retained_usd_m_mean"])}


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return None if np.isnan(o) else float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"not JSON serialisable: {type(o)}")


def _clean(o):
    if isinstance(o, float) and (np.isnan(o) or np.isinf(o)):
        return None
    if isinstance(o, dict):
        return {k: _clean(v) for k, v in o.items()}
    if isinstance(o, list):
        return [_clean(v) for v in o]
    return o


def write_run(run: RunResult, out_dir: Path, processed_dir: Path, reference_params=None) -> dict:
    """Write results.csv, results.json and the detail tables into ``out_dir`` atomically."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    summary = summarise(run, processed_dir, reference_params)
    dest = destination_hhi(run, processed_dir)
    hy = summary["horizon"]["headline_year"]
    summary["destination_hhi"] = dest[dest["year"] == hy].to_dict("records")
    # which processed build the numbers come from: a brief or run from an older build reruns
    summary["built_from"] = {"processed_build": build_id(processed_dir)}
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        for name, frame in run.extra.items():
            frame.to_csv(tmp / f"{name}.csv", index=False, lineterminator="\n",
                         float_format="%.10g")
        dest.to_csv(tmp / "destination_hhi.csv", index=False, lineterminator="\n",
                    float_format="%.10g")
        (tmp / "results.json").write_text(json.dumps(_clean(summary), indent=2,
                                                     ensure_ascii=False, default=_json_default)
                                          + "\n", encoding="utf-8")
        swap_dir(tmp, out_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return summary

def run_to_dir(path: Path, out: Path, processed: Path = PROCESSED_DIR, draws: int | None = None,
               seed: int | None = None, tornado: bool = True) -> dict:
    """Validate, run and write one scenario: results.csv, results.json and detail tables in ``out``.

    Used by ``kaltim-research scenario run``, the report runner and ``notebook.load_run``.
    """
    scenario = load_scenario(path)
    ref = reference_scenario(path)
    run = engine.run_scenario(scenario, reference=ref, processed_dir=processed, draws=draws,
                              seed=seed, tornado=tornado)
    return write_run(run, out, processed, ref.parameters if ref else None)
