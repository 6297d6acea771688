"""Observations of the measurement model: every figure of the ledger as one measurement.

Each printed figure becomes an element of a monthly observation vector with its own equation
and error variance (:mod:`measurement` builds the state space):

===================  =====================================================================
measurement          equation (levels, US$ m)
===================  =====================================================================
printed month        the month value of the flow (a sum of blocks for a total)
Jan-to-month         the cumulator of the flow at that month (the sum of its months)
full year            the cumulator at December
derived figure       as above, with the derived-figure error added (implied from a
                     percentage change: ``baseline.derived_error_pct``)
national coal        Kaltim nonmigas cumulator = national coal exports × Kaltim share of
                     national coal / coal share of Kaltim nonmigas, with the error of
                     both shares (a bridge equation; BPS national coal, blocks.py shares)
===================  =====================================================================

Rounding: a printed figure carries its rounding as error, the uniform variance unit²/12,
where the unit is the coarsest power of ten (0.01 to 100 US$ m) the printed value is a
multiple of (1,090.00 was printed as "1,09 miliar": unit 10).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: The calendar starts in 2020 (after one empty December, so that January starts a year): the
#: level is a random walk in US$ m, and Kaltim migas fell from ~1,000 US$ m a month (2014)
#: to ~200 (2019) as Bontang declined, a change of scale a levels model reads as volatility
#: (it made the 2025 migas sd larger than its mean). Earlier figures stay in the ledger and in
#: the price models' backtests.
CAL_START = pd.Period("2019-12", freq="M")
CAL_END = pd.Period("2025-12", freq="M")
ROUNDING_UNITS = (100.0, 10.0, 1.0, 0.1, 0.01)


@dataclass(frozen=True)
class Block:
    """A latent monthly flow with its own level (``linked=False``) or a flow linked to the
    sum of the province's own blocks by an estimated share (Kaltara via ports)."""

    name: str
    concept: str
    flow: str
    driver: str
    linked: bool = False


@dataclass(frozen=True)
class System:
    """One province's measurement system: its blocks and the flows a printed total adds up."""

    province: str
    blocks: tuple[Block, ...]
    totals: dict  # (concept, flow) of a printed total -> names of the blocks it sums

    @property
    def own(self) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if not b.linked)


SYSTEMS = (
    System("Kalimantan Timur",
           (Block("nonmigas", "via_ports", "nonmigas", "coal_newcastle"),
            Block("migas", "via_ports", "migas", "lng_japan")),
           {("via_ports", "nonmigas"): ("nonmigas",), ("via_ports", "migas"): ("migas",),
            ("via_ports", "total"): ("nonmigas", "migas")}),
    System("Kalimantan Utara",
           (Block("origin", "origin", "total", "coal_newcastle"),
            Block("via_ports", "via_ports", "total", "coal_newcastle", linked=True)),
           {("origin", "total"): ("origin",), ("via_ports", "total"): ("via_ports",)}),
)


def rounding_var(value: float) -> float:
    """Variance of the rounding of a printed value (uniform over one unit)."""
    for u in ROUNDING_UNITS:
        if abs(value / u - round(value / u)) < 1e-6 and abs(value) >= u:
            return u * u / 12.0
    return 0.01 ** 2 / 12.0


@dataclass(frozen=True)
class Column:
    """One element of the observation vector: a month value or a cumulator of some blocks."""

    key: str                 # e.g. 'month via_ports total', 'cum national coal'
    kind: str                # 'month' | 'cum'
    blocks: tuple[str, ...]  # names of the blocks summed
    scale: float = 1.0       # observation = scale × (sum of the blocks); 1 except bridges


def calendar() -> pd.PeriodIndex:
    return pd.period_range(CAL_START, CAL_END, freq="M")


def ledger_rows(exports: pd.DataFrame, system: System) -> pd.DataFrame:
    """The ledger figures the system measures (months, Jan-to-month, full years)."""
    e = exports[(exports["province"] == system.province)
                & exports["period_type"].isin(["month", "ytd", "year"])
                & exports["value_usd_m"].notna()]
    keys = set(system.totals)
    e = e[[(c, f) in keys for c, f in zip(e["concept"], e["flow"], strict=True)]]
    per = [pd.Period(year=int(y), month=int(m), freq="M")
           for y, m in zip(e["year"], e["month"], strict=True)]
    e = e.assign(period=per)
    return e[(e["period"] > CAL_START) & (e["period"] <= CAL_END)]


def national_rows(context: pd.DataFrame, system: System, share: dict, coal_share: dict
                  ) -> list[dict]:
    """Bridge observations of Kaltim nonmigas from BPS national coal exports (full years and
    Jan-to-month, e.g. '2025 Jan-Sep'); the share error enters as relative variance."""
    if system.province != "Kalimantan Timur":
        return []
    c = context[(context["province"] == "Indonesia") & (context["topic"] == "coal_exports_value")
                & context["value_num"].notna()]
    months = {"Jan-Mar": 3, "Jan-Jun": 6, "Jan-Sep": 9, "Jan-Dec": 12}
    out = []
    for r in c.itertuples():
        parts = str(r.period).split()
        if not parts[0].isdigit():
            continue
        m = 12 if len(parts) == 1 else months.get(parts[1])
        if m is None:
            continue
        k = share["value"] / coal_share["value"]  # nonmigas = national coal × share / coal share
        rel_var = (share["sd"] / share["value"]) ** 2 + (coal_share["sd"] / coal_share["value"]) ** 2
        out.append({"period": pd.Period(year=int(parts[0]), month=m, freq="M"),
                    "value_usd_m": float(r.value_num) * k, "rel_var": rel_var,
                    "source_url": r.source_url, "label": f"national coal {r.period}"})
    return out


def columns_and_data(exports: pd.DataFrame, context: pd.DataFrame, system: System,
                     derived_rel_sd: float, share: dict | None = None,
                     coal_share: dict | None = None, until: pd.Period | None = None
                     ) -> tuple[list[Column], np.ndarray, np.ndarray, pd.DataFrame]:
    """Observation columns, data (nobs × k, NaN where nothing was printed), error variances
    (nobs × k) and the table of measurements used (one row per figure).

    ``until``: keep only figures of periods up to this month (an ex-ante origin).
    """
    cal = calendar()
    pos = {p: i for i, p in enumerate(cal)}
    rows = ledger_rows(exports, system)
    cols: list[Column] = []
    for (concept, flow), names in system.totals.items():
        for kind in ("month", "cum"):
            cols.append(Column(f"{kind} {concept} {flow}", kind, tuple(names)))
    nat = national_rows(context, system, share, coal_share) if share and coal_share else []
    if nat:
        cols.append(Column("cum national coal", "cum", ("nonmigas",)))
    data = np.full((len(cal), len(cols)), np.nan)
    var = np.zeros((len(cal), len(cols)))
    used = []
    idx = {c.key: j for j, c in enumerate(cols)}
    for r in rows.sort_values(["period", "concept", "flow", "basis"]).itertuples():
        if until is not None and r.period > until:
            continue
        kind = "month" if r.period_type == "month" else "cum"
        j, i = idx[f"{kind} {r.concept} {r.flow}"], pos[r.period]
        if not np.isnan(data[i, j]):  # one figure per cell: the ledger resolved conflicts
            continue
        v = float(r.value_usd_m)
        derived = r.basis != "reported"
        data[i, j] = v
        var[i, j] = rounding_var(v) + ((derived_rel_sd * v) ** 2 if derived else 0.0)
        used.append({"province": system.province, "concept": r.concept, "flow": r.flow,
                     "period_type": r.period_type, "year": r.period.year,
                     "month": r.period.month, "value_usd_m": v,
                     "kind": "derived" if derived else "printed",
                     "source_url": r.source_url})
    for r in nat:
        if until is not None and r["period"] > until:
            continue
        j, i = idx["cum national coal"], pos[r["period"]]
        data[i, j] = r["value_usd_m"]
        var[i, j] = r["rel_var"] * r["value_usd_m"] ** 2
        used.append({"province": system.province, "concept": "via_ports", "flow": "nonmigas",
                     "period_type": "bridge", "year": r["period"].year,
                     "month": r["period"].month, "value_usd_m": r["value_usd_m"],
                     "kind": "derived", "source_url": r["source_url"]})
    return cols, data, var, pd.DataFrame(used)


def driver_matrix(prices_monthly: pd.DataFrame, system: System,
                  frozen_after: pd.Period | None = None) -> np.ndarray:
    """Relative price deviation (price / its mean − 1) of each own block's driver (nobs × K);
    months without a price carry the last one (an exogenous input, never an export figure);
    ``frozen_after``: the ex-ante information (the price known at the origin)."""
    cal = calendar()
    out = []
    for b in system.own:
        pr = prices_monthly[prices_monthly["series_id"] == b.driver]
        s = pd.Series(pr["price"].to_numpy(),
                      index=pd.PeriodIndex([pd.Period(year=int(y), month=int(m), freq="M")
                                            for y, m in zip(pr["year"], pr["month"],
                                                            strict=True)]))
        s = s[~s.index.duplicated()].reindex(cal).ffill().bfill()
        if frozen_after is not None:
            s[s.index > frozen_after] = s.loc[:frozen_after].iloc[-1]
        out.append(s.to_numpy() / float(s.mean()) - 1.0)
    return np.column_stack(out)
