"""Backtest of the fiscal chain: the province's coal-royalty DBH modelled from each year's coal
sales beside every realised provincial figure the data hold (``fiscal_backtest.csv``).

For each year 2019–2025 the row gives the realised figure (``dbh_coal_royalty_received``:
FY2020 Rp2.31 tn and FY2021 Rp1.60 tn, DPRD on the LKPJ 2021; FY2022 Rp4.621 tn, LKPJ 2022),
the modelled accrual (that year's sales × rate × the province's 16 % + 30 % of land rent) and
the modelled cash (the year's share plus last year's arrears, allocation factor 1: before
2026 DBH was paid on realisation), the errors in %, and, where a year cannot be tested, why.
Sales come from the ledger (:func:`fiscal.coal_export_value_usd_m`) and the domestic tonnes of
``coal.csv``; a year without a full-year Kaltim export value in the ledger has no modelled
figure (never interpolated from a cumulative one).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from kaltim_research.models.budget import fiscal as fis

__all__ = ["BACKTEST_YEARS", "ERROR_BOUNDS_PCT", "fiscal_backtest", "realised_dbh"]

BACKTEST_YEARS = tuple(range(2019, 2026))
#: The bounds the test holds the model to on every testable year, in % of the realised figure
#: (accrual, cash). Wide because the realised figure mixes the year's payments with arrears of
#: earlier years and the pagu is set a year ahead on older prices (fiscal README §4).
ERROR_BOUNDS_PCT = {"accrual": 50.0, "cash": 25.0}


def realised_dbh(fp: pd.DataFrame, province: str) -> dict[int, tuple[float, str]]:
    """``{year: (IDR bn, source URL)}`` of the realised provincial coal-royalty DBH, reading
    rows printed as one year ('FY2022 (realised)') or a pair ('FY2020 -> FY2021' with
    '2310 -> 1600')."""
    rows = fp[(fp["concept"] == "dbh_coal_royalty_received") & (fp["province"] == province)]
    out: dict[int, tuple[float, str]] = {}
    for r in rows.itertuples():
        periods = [p.strip() for p in str(r.period).split("->")]
        values = [v.strip() for v in str(r.value).split("->")]
        if len(periods) != len(values):
            continue
        for p, v in zip(periods, values, strict=True):
            digits = "".join(ch for ch in p if ch.isdigit())[:4]
            try:
                out[int(digits)] = (float(v.replace(",", "")), str(r.source_url))
            except ValueError:
                continue
    return out


def _accrual(year: int, inputs: dict) -> tuple[float, str | None]:
    """Modelled accrual of ``year`` (IDR bn), the same chain as :func:`fiscal.history_check`
    for one year, or NaN and the reason it cannot be computed."""
    fp, context, province = inputs["fp"], inputs["context"], inputs["province"]
    ev = fis.coal_export_value_usd_m(inputs["exports"], inputs["exports_annual"], province,
                                     "via_ports", year)
    if np.isnan(ev["value_usd_m"]):
        return float("nan"), (f"no full-year {year} export value for the province in the "
                              "ledger (only cumulative figures, never scaled up)")
    hba_row = fp[fp["concept"] == "hba_annual_average"].iloc[0]
    hba = dict(zip([int(p) for p in str(hba_row["period"]).split(" / ")],
                   [float(v) for v in str(hba_row["value"]).split(" / ")], strict=True))
    if year not in hba:
        return float("nan"), f"no official annual HBA for {year} (fiscal_parameters.csv)"
    fx = context[(context["topic"] == "exchange_rate") & (context["period"].astype(str)
                                                          == str(year))]["value_num"].dropna()
    if fx.empty:
        return float("nan"), f"no annual exchange rate for {year} (context.csv)"
    table = fis.royalty_table(fp)
    rate = float(fis.effective_royalty_rate(table, [year], [hba[year]],
                                            inputs["band_shares"])[0, 0])
    roy = float(fis.royalty_usd_m(ev["value_usd_m"] / 100.0, 100.0, inputs["domestic_mt"],
                                  inputs["domestic_price_usd_per_t"], rate))
    return float(fis.dbh_accrual_idr_bn(roy, float(fx.iloc[0]), table.province_royalty_share,
                                        inputs["land_rent_to_royalty"],
                                        table.province_land_rent_share)), None


def _domestic_mt(coal: pd.DataFrame, province: str) -> float:
    """Domestic tonnes = production − export volume of the latest year printing both
    (Kaltim 2021: 288 − 236 Mt, coal.csv), as in :func:`fiscal.history_check`."""
    c = coal[coal["province"] == province]
    prod = c[c["indicator"] == "coal production (all permits)"]
    expv = c[c["indicator"] == "coal export volume"]
    y0 = max(set(prod["year"]) & set(expv["year"]))
    return float(prod[prod["year"] == y0]["value"].iloc[0]
                 - expv[expv["year"] == y0]["value"].iloc[0])


def fiscal_backtest(fp: pd.DataFrame, exports: pd.DataFrame, exports_annual: pd.DataFrame,
                    context: pd.DataFrame, coal: pd.DataFrame, band_shares: dict[str, float],
                    domestic_price_usd_per_t: float, land_rent_to_royalty: float,
                    payment_share_same_year: float, province: str = "Kalimantan Timur",
                    years=BACKTEST_YEARS) -> pd.DataFrame:
    """One row per year: realised, modelled accrual and cash, errors in %, testable or why not.

    Cash = ``s × A_t + (1 − s) × A_{t−1}`` (allocation factor 1 before 2026)."""
    inputs = {"fp": fp, "exports": exports, "exports_annual": exports_annual,
              "context": context, "domestic_mt": _domestic_mt(coal, province),
              "band_shares": band_shares, "domestic_price_usd_per_t": domestic_price_usd_per_t,
              "land_rent_to_royalty": land_rent_to_royalty, "province": province}
    real = realised_dbh(fp, province)
    acc = {y: _accrual(y, inputs) for y in sorted({min(years) - 1, *years})}
    rows = []
    for y in years:
        a, why_a = acc[y]
        a_prev, why_prev = acc[y - 1]
        cash = float(fis.dbh_cash_idr_bn(np.array([[a]]), payment_share_same_year, 1.0,
                                         np.array([a_prev]))[0, 0])
        r, src = real.get(y, (float("nan"), None))
        reasons = []
        if np.isnan(r):
            reasons.append(f"no realised provincial coal-royalty DBH for FY{y} in the data")
        if why_a:
            reasons.append(f"accrual: {why_a}")
        if np.isnan(cash) and not why_a:
            reasons.append(f"cash: needs the {y - 1} accrual ({why_prev})")
        def err(m, r=r):
            return 100 * (m / r - 1) if not (np.isnan(m) or np.isnan(r)) else np.nan
        rows.append({"province": province, "year": y,
                     "measure": "coal-royalty DBH (provincial share)",
                     "realised_idr_bn": r, "model_accrual_idr_bn": a, "model_cash_idr_bn": cash,
                     "accrual_error_pct": err(a), "cash_error_pct": err(cash),
                     "accrual_testable": not np.isnan(err(a)),
                     "cash_testable": not np.isnan(err(cash)),
                     "accrual_bound_pct": ERROR_BOUNDS_PCT["accrual"],
                     "cash_bound_pct": ERROR_BOUNDS_PCT["cash"],
                     "not_testable_reason": "; ".join(reasons) or None,
                     "realised_source": src})
    return pd.DataFrame(rows)
