"""From coal tonnes and prices to coal royalty and the province's revenue-sharing transfer (DBH).

The chain follows ``data/raw/fiscal/README.md`` §4 (formula) and the laws it cites:

1. **Royalty** (iuran produksi) = Σ_band tonnes × price × rate. The rate is a percent of the
   selling price set by calorie band (kcal/kg GAR) and, since Sept 2022, by the benchmark HBA:
   PP 81/2019 before 1 Sept 2022 (calorie only), PP 26/2022 from 1 Sept 2022 to 25 Apr 2025 and
   PP 19/2025 from 26 Apr 2025. A year that straddles two regimes is weighted by days. Ex-PKP2B
   IUPK holders (KPC, Berau, Kideco, MHU, Kendilo) pay the same royalty table (PP 15/2022 and
   PP 18/2025 art. 16(1)b) plus PHT and a BMN fee that stay with the centre: only the royalty
   part is in the DBH base, so the IUPK total take never enters here. Royalty is due on domestic
   sales too, at the DMO price.
2. **Province's DBH on an accrual basis** (UU 1/2022 HKPD art. 116) = 16 % of royalty + 30 % of
   land rent (iuran tetap, about 1.5 % of royalty). The old regime (UU 33/2004) also gave the
   province 16 % of royalty, so the same share applies to 2022.
3. **Cash**: a share of a year's accrual is paid in the year under that year's central
   allocation factor; the rest (kurang bayar) the next year under the factor of the year it was
   earned (arrears are their own APBN line). The factor is a drawn policy path
   (:func:`allocation_factor_path`): 1 to 2025, Kaltim's 2026 pagu ratio (Rp1.62 tn over the
   Rp6.9 tn its KUA-PPAS projected), then anywhere from that ratio held to payment on
   realisation. :func:`cash_estimability` says when a province's cash cannot be estimated from
   its own figures (Kaltara). Every number is coal-royalty DBH (provincial share), never all DBH.

Rates and shares are **read** from ``data/processed/fiscal_parameters.csv`` (rows
``coal_royalty_rate|…`` and ``dbh_minerba_share|UU1/2022 art.116|…``), never typed here; the
regime dates are the promulgation facts printed in the same rows' ``period`` column.

All functions are pure and vectorised over draws: tonnes and prices are ``(N, T)`` arrays.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from kaltim_research.errors import DataError, Problem

__all__ = [
    "BANDS",
    "REGIMES",
    "RoyaltyTable",
    "coal_export_value_usd_m",
    "dbh_accrual_idr_bn",
    "allocation_factor_path",
    "cash_estimability",
    "dbh_cash_idr_bn",
    "effective_royalty_rate",
    "regime_weights",
    "royalty_table",
    "royalty_usd_m",
    "tier_threshold_usd_per_t",
]

#: Royalty regimes and the day each took effect (fiscal_parameters.csv ``period``: PP 26/2022
#: "in force 30 days after promulgation" = Sept 2022; PP 19/2025 "from 26 Apr 2025").
REGIMES: tuple[tuple[str, date], ...] = (
    ("PP81/2019", date(2019, 1, 1)),
    ("PP26/2022", date(2022, 9, 1)),
    ("PP19/2025", date(2025, 4, 26)),
)
#: Calorie classes: low ≤ 4,200 (PP 81/2019: ≤ 4,700), mid, high > 5,200 (PP 81/2019: ≥ 5,700).
BANDS = ("low", "mid", "high")
_BAND_KEYS = {
    "kcal<=4200 GAR": "low", "4200<kcal<=5200 GAR": "mid", "kcal>5200 GAR": "high",
    "kcal<=4700 GAR": "low", "4700<kcal<5700 GAR": "mid", "kcal>=5700 GAR": "high",
}
_FILE = "data/processed/fiscal_parameters.csv"


def _hba_band(text: str | None) -> tuple[float, float]:
    """'HBA<70 US$/t' -> (-inf, 70); '70<=HBA<90 US$/t' -> (70, 90); 'HBA>=90 US$/t' -> (90, inf)."""
    if text is None:
        return (-math.inf, math.inf)
    t = text.replace("US$/t", "").replace(" ", "")
    if t.startswith("HBA<"):
        return (-math.inf, float(t[4:]))
    if t.startswith("HBA>="):
        return (float(t[5:]), math.inf)
    lo, hi = t.split("<=HBA<")
    return (float(lo), float(hi))


@dataclass(frozen=True)
class RoyaltyTable:
    """Royalty rates and the province's DBH shares, as read from the fiscal parameters.

    Attributes
    ----------
    rates : dict
        ``(regime, band) -> [(hba_low, hba_high, rate), ...]``; rate as a fraction of price.
    province_royalty_share, province_land_rent_share : float
        The province's share of royalty (0.16) and of land rent (0.30), UU 1/2022 art. 116.
    sources : dict
        Source URL of each rate and share (for notebooks and the brief).
    """

    rates: dict[tuple[str, str], list[tuple[float, float, float]]]
    province_royalty_share: float
    province_land_rent_share: float
    sources: dict[str, str] = field(default_factory=dict)

    def rate(self, regime: str, band: str, hba) -> np.ndarray:
        """Rate (fraction) of one regime and band at benchmark price(s) ``hba`` (US$/t)."""
        h = np.asarray(hba, dtype=float)
        out = np.full(h.shape, np.nan)
        for lo, hi, r in self.rates[(regime, band)]:
            out = np.where((h >= lo) & (h < hi), r, out)
        return out


def royalty_table(fp: pd.DataFrame) -> RoyaltyTable:
    """Read royalty tiers (open-pit IUP table, which the ex-PKP2B IUPK royalty part also uses)
    and the province's DBH shares from the processed ``fiscal_parameters.csv`` table.

    Raises
    ------
    DataError
        If a regime × band has no rate or a DBH share is missing, naming the file and the
        parameter key that was expected.
    """
    rates: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    sources: dict[str, str] = {}
    rows = fp[(fp["concept"] == "coal_royalty_rate") & fp["value_num"].notna()]
    for r in rows.itertuples():
        parts = str(r.parameter).split("|")
        regime = next((g for g, _ in REGIMES if parts[1].startswith(g)), None)
        if regime is None or "open_pit" not in parts:
            continue
        band = next((_BAND_KEYS[p] for p in parts if p in _BAND_KEYS), None)
        if band is None:
            continue
        hba = next((p for p in parts if "HBA" in p), None)
        lo, hi = _hba_band(hba)
        rates.setdefault((regime, band), []).append((lo, hi, float(r.value_num) / 100))
        sources[str(r.parameter)] = str(r.source_url)
    problems = [Problem(_FILE, f"no open-pit royalty rate for regime {g}, band {b}: expected "
                        f"rows 'coal_royalty_rate|{g}|…|open_pit|<band>|…'")
                for g, _ in REGIMES for b in BANDS if (g, b) not in rates]

    def share(levy: str) -> float | None:
        m = fp[(fp["concept"] == "dbh_minerba_share")
               & fp["parameter"].str.startswith("dbh_minerba_share|UU1/2022")
               & fp["parameter"].str.contains(levy, regex=False)
               & fp["parameter"].str.contains("onshore and sea <4 mi|province", regex=False)]
        if m.empty or pd.isna(m["value_num"].iloc[0]):
            problems.append(Problem(_FILE, "missing the province's DBH share: expected "
                                    f"'dbh_minerba_share|UU1/2022 art.116|{levy}|onshore and "
                                    "sea <4 mi|province' with a number"))
            return None
        sources[m["parameter"].iloc[0]] = m["source_url"].iloc[0]
        return float(m["value_num"].iloc[0]) / 100

    roy, land = share("iuran_produksi(royalty)"), share("iuran_tetap(land rent)")
    if problems:
        raise DataError(problems)
    return RoyaltyTable(rates, roy, land, sources)


def regime_weights(year: int) -> dict[str, float]:
    """Share of calendar ``year`` (by days) under each royalty regime."""
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    out = {}
    for i, (g, d0) in enumerate(REGIMES):
        d1 = REGIMES[i + 1][1] if i + 1 < len(REGIMES) else date(9999, 1, 1)
        days = (min(end, d1) - max(start, d0)).days
        if days > 0:
            out[g] = days / (end - start).days
    return out


def effective_royalty_rate(table: RoyaltyTable, years, hba, band_shares: dict[str, float]
                           ) -> np.ndarray:
    """Tonne-weighted royalty rate (fraction of price) by year.

    ``hba`` is the benchmark price that picks the tier, ``(N, T)`` or ``(T,)`` (the
    6,322 GAR HBA; projections use the HBA drawn in ``models.volume``). Returns the
    broadcast shape of ``hba`` over ``(·, T)``.
    """
    h = np.atleast_2d(np.asarray(hba, dtype=float))
    out = np.zeros(h.shape)
    for j, y in enumerate(np.asarray(years)):
        for regime, w in regime_weights(int(y)).items():
            for band, s in band_shares.items():
                if s:
                    out[:, j] += w * s * table.rate(regime, band, h[:, j])
    return out


def royalty_usd_m(export_mt, export_price_usd_per_t, domestic_mt, domestic_price_usd_per_t,
                  rate) -> np.ndarray:
    """Royalty, US$ million: (exported Mt × FOB price + domestic Mt × DMO price) × rate.

    Mt × US$/t = US$ million. Royalty is due on all sales, not only exports (README §4.1)."""
    base = (np.asarray(export_mt, float) * np.asarray(export_price_usd_per_t, float)
            + np.asarray(domestic_mt, float) * np.asarray(domestic_price_usd_per_t, float))
    return base * np.asarray(rate, float)


def dbh_accrual_idr_bn(royalty_usd_m, fx_idr_per_usd, royalty_share: float,
                       land_rent_to_royalty: float, land_rent_share: float) -> np.ndarray:
    """The province's DBH earned on the year's royalty and land rent, IDR billion.

    ``royalty × FX × (royalty_share + land_rent_to_royalty × land_rent_share)``; US$ m × IDR/US$
    = IDR m, divided by 1,000 for IDR bn."""
    r = np.asarray(royalty_usd_m, float) * np.asarray(fx_idr_per_usd, float) / 1000.0
    return r * (royalty_share + land_rent_to_royalty * land_rent_share)


def dbh_cash_idr_bn(accrual_idr_bn, share_same_year, allocation_factor,
                    prior_accrual_idr_bn=None, prior_factor=1.0) -> np.ndarray:
    """DBH paid in each year: ``f_t × s × A_t + f_{t−1} × (1 − s) × A_{t−1}``.

    The part of a year's accrual paid the year after (kurang bayar) is settled under the rule
    of the year it was earned: arrears are budgeted as their own line in a later APBN (PMK
    48/PMK.07/2016 art. 39, fiscal_parameters ``dbh_true_up``), which is how Kaltim's ~Rp3 tn
    of unpaid 2025 DBH was promised as a Q1-2026 top-up outside the cut 2026 pagu
    (fiscal_parameters_wave4 ``dbh_underpaid`` / ``dbh_additional_2026``).

    Parameters
    ----------
    accrual_idr_bn : (N, T)
    share_same_year : (N,) or scalar
        Share of a year's accrual paid in the year (the rest arrives the year after).
    allocation_factor : (T,) or (N, T)
        Central allocation factor of each accrual year (1 = paid on realisation; 0.235 =
        Kaltim's 2026 pagu over its KUA-PPAS projection).
    prior_accrual_idr_bn : (N,), optional
        Accrual of the year before the first; if None the first year's own accrual is used
        (a stationary start, stated in the notebook).
    prior_factor : float
        Allocation factor of the year before the first (1: paid on realisation).
    """
    a = np.atleast_2d(np.asarray(accrual_idr_bn, float))
    s = np.asarray(share_same_year, float).reshape(-1, 1) if np.ndim(share_same_year) else \
        float(share_same_year)
    f = np.broadcast_to(np.atleast_2d(np.asarray(allocation_factor, float)), a.shape)
    prev0 = a[:, :1] if prior_accrual_idr_bn is None else \
        np.asarray(prior_accrual_idr_bn, float).reshape(-1, 1)
    prev = np.concatenate([prev0, a[:, :-1]], axis=1)
    f_prev = np.concatenate([np.full((a.shape[0], 1), float(prior_factor)), f[:, :-1]], axis=1)
    return f * s * a + f_prev * (1 - s) * prev


def allocation_factor_path(pagu_path: np.ndarray, restoration, years,
                           restoration_year: int) -> np.ndarray:
    """Central allocation factor per draw and year, ``(N, T)``.

    Before ``restoration_year`` the published path (``pagu_path``, ``(T,)``: 1 in 2025, the
    2026 pagu ratio); from it on, the drawn share ``restoration`` (``(N,)``) of the way from
    the pagu ratio held (0) to payment on realisation (1, factor 1)."""
    low = np.asarray(pagu_path, float)[None, :]
    r = np.asarray(restoration, float).reshape(-1, 1)
    drawn = np.asarray(years)[None, :] >= int(restoration_year)
    return np.where(drawn, low + r * (1.0 - low), np.broadcast_to(low, (r.shape[0], low.shape[1])))


def tier_threshold_usd_per_t(table: RoyaltyTable, regime: str = REGIMES[-1][0]) -> float:
    """The HBA (US$/t) at which the top royalty tier starts in ``regime`` (90 under PP 26/2022
    and PP 19/2025): the cliff across which the rate jumps by about a third."""
    los = [lo for (g, _b), tiers in table.rates.items() if g == regime
           for lo, _hi, _r in tiers if math.isfinite(lo)]
    return max(los) if los else math.nan


def cash_estimability(fp: pd.DataFrame, province: str) -> dict:
    """Whether a province's coal-royalty DBH *cash* can be estimated from its own figures.

    Cash needs the centre's allocation for the province. It is estimable when the data hold a
    realised provincial coal-royalty DBH (``dbh_coal_royalty_received``) and a provincial pagu
    whose row is not flagged CONFLICT. Otherwise the reason names what the data do hold
    (accrual, from the law and the province's own coal, is always computed)."""
    p = fp[fp["province"] == province]
    realised = p[p["concept"] == "dbh_coal_royalty_received"]
    alloc = p[p["concept"].isin(["dbh_pagu", "dbh"]) & p["value_num"].notna()]
    clean = alloc[~alloc["notes"].astype(str).str.contains("CONFLICT|Duplicate", regex=True)]
    if not realised.empty and not clean.empty:
        return {"estimable": True, "reason": None}
    held = "; ".join(f"{r.concept} {r.period}: {r.value_num:g} IDR bn"
                     + (" (flagged CONFLICT or a duplicate of one news table)"
                        if r.Index not in clean.index else "")
                     for r in alloc.itertuples())
    other = p[p["concept"].isin(["dbh_sda_realised", "dbh_realised", "dbh_allocation"])]
    held_other = "; ".join(f"{r.concept} {r.period}: {r.value_num:g} IDR bn (not coal "
                           "royalty alone or not the province alone)" for r in other.itertuples())
    return {"estimable": False,
            "reason": ("no realised provincial coal-royalty DBH and no provincial allocation "
                       "from two independent sources in the data; held: "
                       + "; ".join(x for x in (held, held_other) if x))}


def coal_export_value_usd_m(exports: pd.DataFrame, exports_annual: pd.DataFrame, province: str,
                            concept: str, year: int) -> dict:
    """A year's coal export value from the ledger: annual nonmigas (or total) exports × the
    mining share pooled over every monthly period of that year that prints mining and the flow
    together (Σ mining ÷ Σ flow, as the baseline pools its block shares; one month alone moved
    the 2022 value by 7 %).

    Returns a dict with ``value_usd_m``, ``flow_usd_m``, ``mining_share``, ``period`` and the
    source URLs; ``value_usd_m`` is NaN when the year is missing."""
    ann = exports_annual[(exports_annual["province"] == province)
                         & (exports_annual["concept"] == concept)
                         & (exports_annual["year"] == year) & exports_annual["value_usd_m"].notna()]
    flow = "nonmigas" if (ann["flow"] == "nonmigas").any() else "total"
    a = ann[ann["flow"] == flow]
    sel = exports[(exports["province"] == province) & (exports["concept"] == concept)
                  & (exports["year"] == year)]
    mining, bases, periods, urls = 0.0, 0.0, [], []
    months = sel[sel["period_type"] == "month"]
    if not (months["flow"] == "mining").any():  # no month prints mining: the latest cumulative
        months = sel[sel["month"] == sel.loc[sel["flow"] == "mining", "month"].max()]
    for (m, pt), g in months.groupby(["month", "period_type"], sort=True):
        vals = dict(zip(g["flow"], g["value_usd_m"], strict=True))
        base = vals.get(flow)
        if base is None and flow == "nonmigas" and "total" in vals and "migas" in vals:
            base = vals["total"] - vals["migas"]  # never a total standing in for nonmigas
        sectors = ("agriculture", "industry", "mining")
        if base is None and flow == "nonmigas" and all(s in vals for s in sectors):
            base = sum(vals[s] for s in sectors)  # BPS: nonmigas = the three sectors
        if "mining" in vals and base:
            mining += vals["mining"]
            bases += base
            periods.append(f"{pt} {int(m):02d}")
            urls += list(g["source_url"])
    best = ((f"{year}: " + " + ".join(periods), mining / bases,
             " | ".join(dict.fromkeys(urls))) if bases else None)
    if a.empty or best is None:
        return {"value_usd_m": float("nan"), "flow_usd_m": float("nan"), "mining_share": None,
                "period": None, "source_url": None}
    v = float(a["value_usd_m"].iloc[0])
    return {"value_usd_m": v * best[1], "flow": flow, "flow_usd_m": v, "mining_share": best[1],
            "period": best[0], "source_url": best[2]}


def _context_value(context: pd.DataFrame, topic: str, period: str) -> tuple[float, str]:
    m = context[(context["topic"] == topic) & (context["period"].astype(str) == period)
                & context["value_num"].notna()]
    if m.empty:
        raise DataError([Problem("data/processed/context.csv", f"no numeric '{topic}' for "
                                 f"period {period}")])
    return float(m["value_num"].iloc[0]), str(m["source_url"].iloc[0])


def history_check(year: int, fp: pd.DataFrame, exports: pd.DataFrame,
                  exports_annual: pd.DataFrame, context: pd.DataFrame, coal: pd.DataFrame,
                  band_shares: dict[str, float], domestic_price_usd_per_t: float,
                  land_rent_to_royalty: float, payment_share_same_year: float,
                  province: str = "Kalimantan Timur") -> dict:
    """Model the province's coal-royalty DBH of ``year`` from that year's (and the year
    before's) coal sales and compare it with the realised figure (2022: Rp4.621 tn, LKPJ 2022).

    Sales: the ledger's coal export value (exports × mining share) plus domestic tonnes at the
    DMO price; domestic tonnes = production − export tonnes of the latest year that prints
    both (2021: 288 − 236 Mt, coal.csv). Tier: the official annual HBA (fiscal_parameters
    ``hba_annual_average``). FX: annual averages (context.csv ``exchange_rate``).
    Returns every input and both the accrual and the cash (lagged) DBH, IDR bn.
    """
    table = royalty_table(fp)
    hba_row = fp[fp["concept"] == "hba_annual_average"].iloc[0]
    hba = dict(zip([int(p) for p in str(hba_row["period"]).split(" / ")],
                   [float(v) for v in str(hba_row["value"]).split(" / ")], strict=True))
    c = coal[coal["province"] == province]
    prod = c[c["indicator"] == "coal production (all permits)"]
    expv = c[c["indicator"] == "coal export volume"]
    both = sorted(set(prod["year"]) & set(expv["year"]))
    y0 = max(both)
    domestic_mt = float(prod[prod["year"] == y0]["value"].iloc[0]
                        - expv[expv["year"] == y0]["value"].iloc[0])
    out = {"year": year, "province": province, "domestic_mt": domestic_mt,
           "domestic_mt_basis": f"{y0}: production − export volume (coal.csv)", "years": {}}
    accrual = {}
    for y in (year - 1, year):
        ev = coal_export_value_usd_m(exports, exports_annual, province, "via_ports", y)
        fx, fx_src = _context_value(context, "exchange_rate", str(y))
        rate = float(effective_royalty_rate(table, [y], [hba.get(y, np.nan)], band_shares)[0, 0])
        roy = float(royalty_usd_m(ev["value_usd_m"] / 100.0, 100.0, domestic_mt,
                                  domestic_price_usd_per_t, rate))
        accrual[y] = float(dbh_accrual_idr_bn(roy, fx, table.province_royalty_share,
                                              land_rent_to_royalty,
                                              table.province_land_rent_share))
        out["years"][y] = {"coal_export_value_usd_m": ev["value_usd_m"],
                           "mining_share_period": ev["period"], "hba_usd_per_t": hba.get(y),
                           "effective_rate": rate, "royalty_usd_m": roy, "fx_idr_per_usd": fx,
                           "royalty_idr_bn": roy * fx / 1000, "dbh_accrual_idr_bn": accrual[y],
                           "sources": [ev["source_url"], fx_src]}
    cash = float(dbh_cash_idr_bn(np.array([[accrual[year]]]), payment_share_same_year, 1.0,
                                 np.array([accrual[year - 1]]))[0, 0])
    real = fp[(fp["concept"] == "dbh_coal_royalty_received")
              & (fp["period"].astype(str) == f"FY{year} (realised)")]
    out.update({"dbh_accrual_idr_bn": accrual[year], "dbh_cash_idr_bn": cash,
                "realised_idr_bn": float(real["value_num"].iloc[0]) if not real.empty else None,
                "realised_source": str(real["source_url"].iloc[0]) if not real.empty else None})
    return out
