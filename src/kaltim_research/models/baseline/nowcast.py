"""A 2025 starting point: nowcast of Kaltim's 2024 and 2025 exports from national figures.

BPS Kaltim has printed no export figure after September 2024, but BPS prints national coal
exports (30,490 US$ m in 2024, 24,480 in 2025; 405.8 → 390.9 Mt) and Bank Indonesia prints
Kaltim growth rates (coal −27.55 % y/y and CPO −42 % in Q1 2025). The nowcast, per draw:

* coal 2024 = Kaltim's share of national coal export value × national 2024 value;
* nonmigas 2024 = coal 2024 / coal block share; palm oil, chemicals and other 2024 by their
  block shares (:func:`blocks.block_shares`);
* 2025: coal × (1 + coal growth), palm oil × (1 + CPO growth), chemicals × (urea price
  2025/2024)^ε, other × (1 + trend); growth rates drawn between the national and BI figures;
* migas 2024 and 2025: the migas price model at realised LNG prices (no national anchor).

Its basis label is ``nowcast_national_share``: it is never mixed with reported values, and a
BPS Kaltim full-year figure in the ledger replaces it automatically (:func:`reported_year`).
This is a bridge equation in the sense of nowcasting practice (Bańbura et al. 2013): a
province's aggregate from a timelier national indicator and its share.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

BASIS = "nowcast_national_share"
NOWCAST_YEARS = (2024, 2025)


def national_coal(context: pd.DataFrame) -> dict:
    """BPS national coal export value (US$ m) and volume (Mt) by year, with source URLs."""
    c = context[context["province"] == "Indonesia"]
    out: dict = {"value_usd_m": {}, "volume_mt": {}, "urls": []}
    for topic, key in (("coal_exports_value", "value_usd_m"), ("coal_exports_volume", "volume_mt")):
        for r in c[c["topic"] == topic].itertuples():
            if str(r.period).isdigit():
                out[key][int(r.period)] = float(r.value_num)
                out["urls"].append(r.source_url)
    bi = context[(context["province"] == "Kalimantan Timur")
                 & context["topic"].isin(["coal_export_value_growth", "cpo_export_growth"])]
    out["urls"] += list(bi["source_url"])
    out["urls"] = list(dict.fromkeys(out["urls"]))
    return out


def reported_year(exports_annual: pd.DataFrame, province: str, concept: str,
                  year: int) -> float | None:
    """A reported (not derived) full-year total for ``year``, if the ledger has one."""
    g = exports_annual[(exports_annual["province"] == province)
                       & (exports_annual["concept"] == concept)
                       & (exports_annual["flow"] == "total") & (exports_annual["year"] == year)
                       & exports_annual["value_usd_m"].notna()]
    if g.empty or g["basis"].iloc[0] != "reported_full_year":
        return None
    return float(g["value_usd_m"].iloc[0])


def kaltim_nowcast(national: dict, shares: dict[str, float], u: dict[str, np.ndarray],
                   urea_ratio_2025: float, migas: dict[int, float]) -> dict[int, dict]:
    """Nowcast blocks per year: {2024: {block: (n,) US$ m}, 2025: {...}}.

    ``shares`` are the nonmigas block shares, ``u`` the drawn parameters (blocks group),
    ``urea_ratio_2025`` the urea price 2025 / 2024 (Pink Sheet), ``migas`` the migas model's
    value per year at realised prices.
    """
    if 2024 not in national["value_usd_m"]:
        raise ValueError("context.csv: no national coal_exports_value for 2024; expected the "
                         "BPS row of macro/context_wave3.csv")
    share = u["blocks.kaltim_share_of_national_coal"]
    coal24 = share * national["value_usd_m"][2024]
    nm24 = coal24 / shares["coal"]
    y24 = {"coal": coal24}
    for b in ("palm_oil", "chemicals", "other"):
        y24[b] = nm24 * shares.get(b, 0.0)
    y24["migas"] = np.full_like(coal24, migas[2024])
    y25 = {"coal": coal24 * (1 + u["blocks.nowcast_coal_growth_2025_pct"] / 100),
           "palm_oil": y24["palm_oil"] * (1 + u["blocks.nowcast_cpo_growth_2025_pct"] / 100),
           "chemicals": y24["chemicals"] * urea_ratio_2025 ** u["blocks.chemicals_elasticity"],
           "other": y24["other"] * (1 + u["blocks.other_trend_pct"] / 100),
           "migas": np.full_like(coal24, migas[2025])}
    return {2024: y24, 2025: y25}


def nowcast_table(nowcast: dict[int, dict], province: str, reported: dict[int, float | None],
                  urls: list[str]) -> pd.DataFrame:
    """nowcast.csv: province, year, block, stat, value_usd_m, basis; a year with a reported
    figure shows that figure (basis reported_full_year) and no nowcast."""
    rows = []
    for year, blocks in nowcast.items():
        if reported.get(year) is not None:
            rows.append({"province": province, "year": year, "block": "total", "stat": "value",
                         "value_usd_m": reported[year], "basis": "reported_full_year",
                         "inputs": ""})
            continue
        parts = {**blocks, "total": sum(blocks.values())}
        for b, a in parts.items():
            for s, v in (("p10", np.percentile(a, 10)), ("p50", np.percentile(a, 50)),
                         ("p90", np.percentile(a, 90)), ("mean", np.mean(a))):
                rows.append({"province": province, "year": year, "block": b, "stat": s,
                             "value_usd_m": float(v), "basis": BASIS, "inputs": " | ".join(urls)})
    return pd.DataFrame(rows)


def wave4_signals(context: pd.DataFrame, prices_monthly: pd.DataFrame) -> dict:
    """Later figures that bound the 2025 starting point and the 2026 price path (wave 4):
    BPS Kaltim's Q3 2025 trade surplus (exports − imports, so a floor under Q3 exports) and
    the HBA months of 2026 (set by ESDM from recent index prices)."""
    out: dict = {}
    tb = context[(context["topic"] == "trade_balance") & (context["province"] == "Kalimantan Timur")
                 & (context["period"].astype(str) == "2025 Q3")]
    if len(tb):
        out["trade_surplus_q3_2025_usd_m"] = float(tb["value_num"].iloc[0])
        out["trade_surplus_url"] = str(tb["source_url"].iloc[0])
    h = prices_monthly[(prices_monthly["series_id"] == "hba") & (prices_monthly["year"] == 2026)]
    if len(h):
        out["hba_2026_mean_usd_per_t"] = float(h["price"].mean())
        out["hba_2026_months"] = f"2026-01–2026-{int(h['month'].max()):02d}"
    return out


def wave4_checks(nowcast: dict[int, dict], signals: dict, newcastle_2026: float,
                 hba_ratio: float) -> pd.DataFrame:
    """nowcast_checks.csv: each later figure beside what the model implies.

    * Kaltim Q3 2025 exports ≥ the Q3 trade surplus (imports ≥ 0): the nowcast's 2025 total / 4
      (a quarter of the year, seasonality ignored: a derived comparison) against the surplus;
    * the HBA months of 2026 ÷ the post-2023 HBA/Newcastle ratio (the Newcastle price they
      imply) against the scenario's 2026 Newcastle price.
    """
    rows = []
    if nowcast and "trade_surplus_q3_2025_usd_m" in signals:
        q = sum(nowcast[2025].values()) / 4
        floor = signals["trade_surplus_q3_2025_usd_m"]
        rows.append({"check": "Kaltim Q3 2025 exports at least the Q3 trade surplus",
                     "observed": floor, "unit": "US$ million",
                     "model_p10": float(np.percentile(q, 10)),
                     "model_p50": float(np.percentile(q, 50)),
                     "model_p90": float(np.percentile(q, 90)),
                     "consistent": bool(np.percentile(q, 10) >= floor),
                     "note": "nowcast 2025 total / 4 (derived); imports implied = exports − "
                             "surplus; " + signals.get("trade_surplus_url", "")})
    if "hba_2026_mean_usd_per_t" in signals and hba_ratio > 0:
        implied = signals["hba_2026_mean_usd_per_t"] / hba_ratio
        rows.append({"check": f"Newcastle implied by HBA {signals['hba_2026_months']} vs "
                              "the 2026 price path",
                     "observed": implied, "unit": "US$/t",
                     "model_p10": np.nan, "model_p50": float(newcastle_2026),
                     "model_p90": np.nan,
                     "consistent": bool(abs(implied / newcastle_2026 - 1) <= 0.15),
                     "note": f"HBA mean {signals['hba_2026_mean_usd_per_t']:.2f} ÷ ratio "
                             f"{hba_ratio:.3f}; the path is the World Bank forecast, the HBA "
                             "months are the first of the year (within ±15 % = consistent)"})
    return pd.DataFrame(rows, columns=["check", "observed", "unit", "model_p10", "model_p50",
                                       "model_p90", "consistent", "note"])
