"""Commodity blocks of each headline series: shares from every printed breakdown, drivers, and
bounded mean-reverting errors.

Each series' 2025 value (the nowcast where there is one, else the price model's 2025 value at
the scenario's 2025 prices) is split into blocks by their shares, and each block moves with
its own driver from 2025 on:

==============  ===========================================================================
block           driver (index relative to 2025)
==============  ===========================================================================
coal            export volume index × coal unit value index (:mod:`volume`)
palm_oil        (palm-oil price)^ε (Pink Sheet, Malaysia)
chemicals       (urea price)^ε (chemicals and fertiliser: Pupuk Kaltim, methanol)
other           own trend (1 + g)^(year − 2025)
migas           (1 + g)^(year − 2025) × LNG price (Bontang volume × price)
==============  ===========================================================================

Shares are the mean over **every** period in which a breakdown and its denominator were
printed (commodities.csv and the sector flows of the ledger), not one month; mining stands
for coal where only sectors are printed (coal is ~all of Kaltim and Kaltara mining exports).
The blocks sum to the series in every draw by construction (one multiplicative model error
per series and draw).

Errors are stationary AR(1) processes with bounded (triangular) innovations: the annual
model error of :mod:`calibration` and the price errors. A random walk around a stationary
line is inconsistent (Hyndman & Athanasopoulos 2021, ch. 9), and bounded innovations keep
every draw plausible without clipping.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

BASE_YEAR = 2025
COAL_CODES = ("27 (nonmigas part, coal)", "27 nonmigas part", "27 (coal)", "sector:mining")
PALM_CODES = ("15",)
CHEM_CODES = ("28", "29", "31", "sector:chemicals")
DRIVERS = {"coal": "coal export volume × unit value (Newcastle → HBA)",
           "palm_oil": "palm_oil price (Pink Sheet)", "chemicals": "urea price (Pink Sheet)",
           "other": "own trend", "migas": "LNG price × oil and gas volume (Bontang)"}
SQRT6 = float(np.sqrt(6.0))


def _period_value(exports: pd.DataFrame, province: str, flow: str, pt: str, y: int, m: int):
    g = exports[(exports["province"] == province) & (exports["flow"] == flow)
                & (exports["period_type"] == pt) & (exports["year"] == y)
                & (exports["month"] == m) & exports["concept"].isin(["via_ports", "unspecified",
                                                                     "origin"])]
    return None if g.empty else float(g["value_usd_m"].iloc[0])


def block_shares(commodities: pd.DataFrame, exports: pd.DataFrame, province: str,
                 flow: str, concept: str = "via_ports") -> tuple[dict[str, float], pd.DataFrame]:
    """Shares of coal, palm oil and chemicals in a province's ``flow`` (nonmigas or total),
    pooled over every printed period; 'other' is the remainder.

    Returns the pooled shares and one row per period × block used (value, denominator,
    share, source) so every share can be traced.
    """
    if flow == "migas":
        return {"migas": 1.0}, pd.DataFrame()
    rows = []
    c = commodities[commodities["province"] == province]
    for (pt, y, m), g in c.groupby(["period_type", "year", "month"]):
        vals = {r.code: (r.value_usd_m, r.share_pct, r.source_url) for r in g.itertuples()}
        denom = _period_value(exports, province, flow, pt, y, m)
        basis = "ledger"
        if denom is None and "27 (migas part)" in vals:
            tot = _period_value(exports, province, "total", pt, y, m)
            if tot is not None:
                denom, basis = tot - vals["27 (migas part)"][0], "total − migas part"
        sectors = [vals[k][0] for k in ("sector:mining", "sector:industry", "sector:agriculture")
                   if k in vals and pd.notna(vals[k][0])]
        if denom is None and len(sectors) == 3:
            denom, basis = float(sum(sectors)), "sum of sectors"
        migas_share = next((v[1] for k, v in vals.items() if k in ("migas", "27 migas part")
                            and pd.notna(v[1])), None)
        for block, codes in (("coal", COAL_CODES), ("palm_oil", PALM_CODES),
                             ("chemicals", CHEM_CODES)):
            num, share, src = 0.0, None, []
            hit = [k for k in codes if k in vals]
            if block == "coal" and len(hit) > 1:
                hit = hit[:1]  # one coal measure per period (the narrowest printed)
            for k in hit:
                v, sp, url = vals[k]
                if pd.notna(v) and denom:
                    num += v
                    src.append(url)
                elif pd.notna(sp) and flow == "nonmigas" and migas_share is not None:
                    share = (share or 0.0) + sp / (100 - migas_share)
                    src.append(url)
            if num and denom:
                share = num / denom
            if share is not None and 0 < share < 1:
                rows.append({"province": province, "flow": flow, "block": block,
                             "period": f"{pt} {int(y)}-{int(m):02d}", "share": share,
                             "denominator": basis if num else "printed shares",
                             "source_url": " | ".join(dict.fromkeys(src))})
    # Sector flows of the ledger (e.g. Kaltara origin: mining / total).
    e = exports[(exports["province"] == province)
                & exports["concept"].isin([concept, "unspecified"])]
    for (concept, pt, y, m), g in e.groupby(["concept", "period_type", "year", "month"]):
        v = dict(zip(g["flow"], g["value_usd_m"], strict=True))
        if "mining" in v and flow in v and v[flow] > 0 and 0 < v["mining"] / v[flow] < 1:
            key = f"{pt} {int(y)}-{int(m):02d}"
            if not any(r["block"] == "coal" and r["period"] == key for r in rows):
                rows.append({"province": province, "flow": flow, "block": "coal",
                             "period": key, "share": v["mining"] / v[flow],
                             "denominator": f"ledger {concept}",
                             "source_url": " | ".join(dict.fromkeys(g["source_url"]))})
    table = pd.DataFrame(rows, columns=["province", "flow", "block", "period", "share",
                                        "denominator", "source_url"])
    shares = {b: float(table.loc[table["block"] == b, "share"].mean())
              for b in ("coal", "palm_oil", "chemicals") if (table["block"] == b).any()}
    if sum(shares.values()) >= 1:
        raise ValueError(f"{province} {flow}: block shares sum to {sum(shares.values()):.2f}; "
                         "expected below 1 (check commodities.csv)")
    shares["other"] = 1 - sum(shares.values())
    return shares, table


def ar1_bounded(rng: np.random.Generator, n: int, t: int, sd_1y: float | np.ndarray, phi: float,
                shocks: bool = True) -> np.ndarray:
    """Stationary-type AR(1) error with triangular innovations (support ±√6 sd):
    x_1 = s·z_1, x_k = φ x_{k−1} + s·z_k. Its sd at horizon k is s·√((1 − φ^2k)/(1 − φ²)),
    bounded by s/√(1 − φ²); every innovation is bounded, so no draw runs away."""
    z = rng.triangular(-SQRT6, 0.0, SQRT6, size=(n, t))
    if not shocks:
        return np.zeros((n, t))
    s = np.asarray(sd_1y, dtype=float)
    s = s[:, None] if s.ndim == 1 else s
    x = np.empty((n, t))
    prev = np.zeros(n)
    for k in range(t):
        prev = phi * prev + z[:, k]
        x[:, k] = prev
    return x * s


def ar1_variance(sd_1y: float | np.ndarray, phi: float, horizons: np.ndarray) -> np.ndarray:
    """Variance of :func:`ar1_bounded` at horizons 1..T (for the mean-one correction)."""
    h = np.asarray(horizons, dtype=float)
    s = np.asarray(sd_1y, dtype=float)
    s = s[:, None] if s.ndim == 1 else s
    mult = (1 - phi ** (2 * h)) / (1 - phi ** 2) if phi < 1 else h
    return s ** 2 * mult[None, :] if s.ndim else s ** 2 * mult


def combine(anchor: dict[str, np.ndarray], index: dict[str, np.ndarray],
            error: np.ndarray) -> dict[str, np.ndarray]:
    """Block values (n × T): 2025 block value (n,) × driver index (n × T) × the series' error."""
    return {b: anchor[b][:, None] * index[b] * error for b in anchor}


def tidy_blocks(scenario: str, province: str, series: str, blocks: dict[str, np.ndarray],
                years: np.ndarray) -> list[dict]:
    """Rows of baseline_blocks.csv: scenario, province, block, driver, year, stat, value_usd_m."""
    rows = []
    for b, a in blocks.items():
        st = {"mean": a.mean(axis=0), "p10": np.percentile(a, 10, axis=0),
              "p50": np.percentile(a, 50, axis=0), "p90": np.percentile(a, 90, axis=0)}
        for s, v in st.items():
            for y, x in zip(years, v, strict=True):
                rows.append({"scenario": scenario, "province": province, "series": series,
                             "block": b, "driver": DRIVERS.get(b, b), "year": int(y),
                             "stat": s, "value_usd_m": float(x)})
    return rows
