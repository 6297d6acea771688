"""Where each province comes from and goes to: the structured facts a brief needs to state the
projected change from the last full year to the headline year, and its main cause.

Everything here is read from the processed ledger and the run (no number typed): the last full
calendar year on the province's headline basis (``exports_annual.csv``), the latest reported
period with its type (month, January-to-month cumulative, full year), the coal price in both
years (the baseline is price-conditional, Newcastle coal drives both provinces' mining
exports), and fan-chart series for every province (history with gaps kept as gaps).
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

CONCEPT_OF_BASIS = {"port_of_loading": "via_ports", "origin": "origin"}


def _price(prices_annual: pd.DataFrame, series: str, year: int) -> float | None:
    p = prices_annual[(prices_annual["series_id"] == series) & (prices_annual["year"] == year)]
    return None if p.empty else float(p["price"].iloc[0])


def latest_period(exports: pd.DataFrame, province: str, concept: str) -> dict | None:
    """The latest reported total on a basis: year, last month, period type (month, ytd, year)."""
    g = exports[(exports["province"] == province) & (exports["concept"] == concept)
                & (exports["flow"] == "total") & (exports["basis"] == "reported")]
    if g.empty:
        return None
    order = {"month": 0, "ytd": 1, "year": 2}  # same end month: the longer period is the fact
    g = g.assign(_o=g["period_type"].map(order)).sort_values(["year", "month", "_o"])
    r = g.iloc[-1]
    return {"year": int(r["year"]), "month": int(r["month"]), "period_type": r["period_type"],
            "months": 12 if r["period_type"] == "year" else (
                int(r["month"]) if r["period_type"] == "ytd" else 1),
            "value_usd_m": float(r["value_usd_m"]), "source_url": r["source_url"],
            "source_date": _page_date(r.get("source_date"))}


def _page_date(text) -> str | None:
    """The first ISO date (or year-month) of a ledger ``source_date`` ("2025-11-22 (page
    date)"), for "dikutip <outlet> (<date>)"; None when none is printed."""
    m = re.search(r"\b(\d{4}-\d{2}(?:-\d{2})?)\b", str(text or ""))
    return m.group(1) if m else None


def data_vintage_parts(exports: pd.DataFrame, prices_monthly: pd.DataFrame) -> dict:
    """Last month covered by the export ledger per province and by the coal price series, and
    ``released``: the newest page date (ISO, from ``source_date``) among the rows of those last
    months, the newest data release the brief uses (its Tanggal is never earlier)."""
    out = {"exports": []}
    dates = []
    for prov, g in exports.groupby("province"):
        g = g.sort_values(["year", "month"])
        last = g.iloc[-1]
        out["exports"].append({"province": prov, "year": int(last["year"]),
                               "month": int(last["month"])})
        if "source_date" in g:
            rows = g[(g["year"] == last["year"]) & (g["month"] == last["month"])]
            dates += [m for d in rows["source_date"].dropna().astype(str)
                      for m in re.findall(r"\b(\d{4}-\d{2}-\d{2})\b", d)]
    if dates:
        out["released"] = max(dates)
    pm = prices_monthly[prices_monthly["series_id"] == "coal_newcastle"]
    if not pm.empty:
        lp = pm.sort_values(["year", "month"]).iloc[-1]
        out["prices"] = {"year": int(lp["year"]), "month": int(lp["month"])}
    return out


def _coal_path_value(run, year: int) -> float | None:
    from kaltim_research.models.scenario import path_value

    path = run.scenario.parameters.prices.coal_newcastle
    return float(path_value(path, year)) if path else None


def trajectories(run, processed_dir: Path, heads: list[dict]) -> list[dict]:
    """Per headline province: last full year, latest period, headline-year median and the
    split of the change into the baseline part (prices, coal demand) and the levers.

    Parameters
    ----------
    run : RunResult
        The engine run.
    processed_dir : Path
        Processed tables (``exports.csv``, ``exports_annual.csv``, ``prices_annual.csv``).
    heads : list of dict
        ``results.json`` headline rows.

    Returns
    -------
    list of dict
        One dict per province, keys: province, basis, last_full_year (year, value_usd_m,
        is_derived, method, source_url or None), latest (see :func:`latest_period`),
        headline_year, total_p50, baseline_component_mean, levers_mean, coal_price_then,
        coal_price_headline (US$/t).
    """
    processed_dir = Path(processed_dir)
    ann = pd.read_csv(processed_dir / "exports_annual.csv")
    exp = pd.read_csv(processed_dir / "exports.csv")
    pa = pd.read_csv(processed_dir / "prices_annual.csv")
    out = []
    for h in heads:
        prov, basis = h["province"], h["basis"]
        concept = CONCEPT_OF_BASIS.get(basis, basis)
        full = ann[(ann["province"] == prov) & (ann["concept"] == concept)
                   & (ann["flow"] == "total") & ann["value_usd_m"].notna()]
        last_full = None
        if not full.empty:
            r = full.sort_values("year").iloc[-1]
            last_full = {"year": int(r["year"]), "value_usd_m": float(r["value_usd_m"]),
                         "is_derived": bool(r["is_derived"]), "method": r["basis"],
                         "source_url": r["source_url"] if isinstance(r["source_url"], str)
                         else None, "source_date": _page_date(r.get("source_date"))}
        comps = h.get("components_mean") or {}
        levers = sum(float(v) for k, v in comps.items() if k != "baseline" and v is not None)
        hy = int(h["year"])
        out.append({
            "province": prov, "basis": basis, "last_full_year": last_full,
            "latest": latest_period(exp, prov, concept), "headline_year": hy,
            "total_p50": h.get("total_p50"), "total_mean": h.get("total_mean"),
            "baseline_component_mean": comps.get("baseline"), "levers_mean": levers,
            "coal_price_then": _price(pa, "coal_newcastle", last_full["year"])
            if last_full else None,
            "coal_price_headline": _coal_path_value(run, hy),
        })
    return out


def fan_charts(run, processed_dir: Path) -> list[dict]:
    """Fan-chart series for every province (Kalimantan Timur first, then the others as the
    run lists them). History lists every calendar year from the first to the last full-year
    value, with ``None`` where no full-year figure exists, so a chart draws a gap there."""
    res = run.extra["results"]
    dec = run.extra["decomposition"]
    ann = pd.read_csv(Path(processed_dir) / "exports_annual.csv")
    provs = sorted(run.bases, key=lambda p: (p != "Kalimantan Timur", p))
    out = []
    for prov in provs:
        tot = res[(res["province"] == prov) & (res["component"] == "total")]
        concept = CONCEPT_OF_BASIS.get(run.bases[prov], run.bases[prov])
        hist = ann[(ann["province"] == prov) & (ann["concept"] == concept)
                   & (ann["flow"] == "total") & ann["value_usd_m"].notna()]
        years, values, derived = [], [], []
        if not hist.empty:
            by_year = hist.set_index("year")
            for y in range(int(hist["year"].min()), int(hist["year"].max()) + 1):
                years.append(y)
                if y in by_year.index:
                    values.append(float(by_year.loc[y, "value_usd_m"]))
                    derived.append(bool(by_year.loc[y, "is_derived"]))
                else:
                    values.append(None)
                    derived.append(False)
        out.append({
            "province": prov, "basis": run.bases[prov], "unit": "USD million",
            "years": [int(y) for y in run.years],
            **{s: [float(v) for v in tot[tot["stat"] == s].sort_values("year")["value_usd_m"]]
               for s in ("p10", "p50", "p90")},
            "baseline_p50": [float(v) for v in dec[dec["province"] == prov]
                             .sort_values("year")["baseline_scenario_p50_usd_m"]],
            "history_years": years, "history_values": values, "history_derived": derived,
        })
    return out


def brief_inputs(run, processed_dir: Path, heads: list[dict]) -> dict:
    """The keys :func:`kaltim_research.report.results.summarise` adds for the brief."""
    processed_dir = Path(processed_dir)
    exp = pd.read_csv(processed_dir / "exports.csv")
    pm = pd.read_csv(processed_dir / "prices_monthly.csv")
    return {"trajectory": trajectories(run, processed_dir, heads),
            "fan_charts": fan_charts(run, processed_dir),
            "data_vintage": data_vintage_parts(exp, pm)}


__all__ = ["brief_inputs", "fan_charts", "latest_period", "trajectories"]
