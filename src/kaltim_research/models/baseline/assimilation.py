"""Assimilation: the measurement model's tables, the 2025 starting point it gives the
headline, and its ex-ante skill beside the other candidates.

* ``assimilated.csv`` — every month of every printed flow, 2020–2025: p10/p50/p90 (US$ m)
  and its kind: ``printed`` (the ledger figure, returned as printed), ``derived`` (implied
  from a percentage change: the smoothed value), ``filled`` (not printed, up to the flow's
  last figure), ``nowcast`` (after it, up to the last figure of any kind of the province:
  the other Kaltara basis, the national coal bridge), ``forecast`` (beyond every figure).
* ``cumulative_checks.csv`` — each printed or derived Jan-to-month and full-year figure beside
  the sum of the assimilated months, the difference in % and, where it exceeds the tolerance,
  the reason.
* the **2025 starting point** of each modelled series: the smoothed December 2025 cumulator
  (mean and sd), so that any new release — a month, a cumulative, the other Kaltara basis —
  moves the headline.
* **ex-ante tests** at the annual horizon: from each December origin the model is refitted on
  the figures printed up to it, prices frozen at the origin, and its cumulators forecast the
  printed Jan-to-month and full-year figures of the next year (rows in the format of
  :func:`calibration.annual_tests`, model ``measurement``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from kaltim_research.models.baseline import measurement as me
from kaltim_research.models.baseline import measurement_obs as mo

TOLERANCE_PCT = 0.5
MIN_TRAIN_MONTHS = 12  # an ex-ante origin needs a year of the calendar behind it
MODEL = "measurement"
KINDS = ("printed", "derived", "filled", "nowcast", "forecast")


def triangular_sd(low: float, mode: float, high: float) -> float:
    return float(np.sqrt((low ** 2 + mode ** 2 + high ** 2 - low * mode - low * high
                          - mode * high) / 18.0))


def bridge_shares(params, coal_share_table: pd.DataFrame) -> tuple[dict, dict]:
    """Kaltim's share of national coal (the declared parameter, its triangular sd) and the
    coal share of Kaltim nonmigas (mean and sd over every printed breakdown, blocks.py)."""
    u = params.blocks.kaltim_share_of_national_coal
    share = {"value": u.value, "sd": triangular_sd(u.low, u.value, u.high)}
    c = coal_share_table[(coal_share_table["province"] == "Kalimantan Timur")
                         & (coal_share_table["block"] == "coal")
                         & (coal_share_table["flow"] == "nonmigas")]["share"]
    if c.empty:
        return share, None  # no printed breakdown: no national-coal bridge
    coal = {"value": float(c.mean()), "sd": float(c.std(ddof=1)) if len(c) > 1 else 0.05}
    return share, coal


def fit_all(exports, prices_monthly, context, params, coal_share_table,
            until: pd.Period | None = None, start: dict | None = None) -> dict[str, me.Fit]:
    """One fitted measurement system per province (``until``: an ex-ante origin)."""
    share, coal = bridge_shares(params, coal_share_table)
    rel = params.baseline.derived_error_pct / 100
    out = {}
    for s in mo.SYSTEMS:
        if mo.ledger_rows(exports, s).empty:
            continue  # no figure of this province in the ledger: the engine's fallback start
        st = (np.array(list(start[s.province].params.values()))
              if start is not None and s.province in start else None)
        out[s.province] = me.fit_system(exports, prices_monthly, context, s, rel, share, coal,
                                        until, st)
    return out


def _kinds(fit: me.Fit) -> pd.DataFrame:
    """Kind of every month × printed flow (see the module docstring)."""
    u = fit.used
    per = lambda g: (g["year"] * 12 + g["month"]).max() if len(g) else -1  # noqa: E731
    last_any = per(u)
    m = fit.months[["concept", "flow", "year", "month"]].copy()
    t = m["year"] * 12 + m["month"]
    kind = np.full(len(m), "forecast", dtype=object)
    kind[t.to_numpy() <= last_any] = "nowcast"
    for (concept, flow), names in fit.system.totals.items():
        related = [k for k, v in fit.system.totals.items() if set(v) & set(names)]
        own = u[[(c, f) in related for c, f in zip(u["concept"], u["flow"], strict=True)]]
        sel = ((m["concept"] == concept) & (m["flow"] == flow)).to_numpy()
        kind[sel & (t.to_numpy() <= per(own))] = "filled"
        pm = u[(u["concept"] == concept) & (u["flow"] == flow) & (u["period_type"] == "month")]
        for r in pm.itertuples():
            hit = sel & (m["year"] == r.year).to_numpy() & (m["month"] == r.month).to_numpy()
            kind[hit] = r.kind
    m["kind"] = kind
    return m


def assimilated_table(fits: dict[str, me.Fit]) -> pd.DataFrame:
    """assimilated.csv (see the module docstring); printed months carry the printed value."""
    out = []
    for prov, fit in fits.items():
        k = _kinds(fit)
        m = fit.months.merge(k, on=["concept", "flow", "year", "month"])
        u = fit.used[(fit.used["period_type"] == "month") & (fit.used["kind"] == "printed")]
        printed = {(r.concept, r.flow, r.year, r.month): r.value_usd_m for r in u.itertuples()}
        p50 = [printed.get((r.concept, r.flow, r.year, r.month), r.mean_usd_m)
               for r in m.itertuples()]
        m["p50_usd_m"] = p50
        m["p10_usd_m"] = m["p50_usd_m"] - me.Z90 * m["sd_usd_m"]
        m["p90_usd_m"] = m["p50_usd_m"] + me.Z90 * m["sd_usd_m"]
        m["province"] = prov
        out.append(m)
    t = pd.concat(out, ignore_index=True)
    t = t[["province", "concept", "flow", "year", "month", "kind", "p10_usd_m", "p50_usd_m",
           "p90_usd_m"]].sort_values(["province", "concept", "flow", "year", "month"])
    return t.round({"p10_usd_m": 2, "p50_usd_m": 2, "p90_usd_m": 2}).reset_index(drop=True)


def _reason(r, months: pd.DataFrame, rel_sd: float) -> str:
    if r.kind == "derived":
        return (f"derived figure (implied from a % change), error sd {100 * rel_sd:.0f} % of "
                "value: the printed months and cumulatives outweigh it")
    if (months["kind"] == "printed").all():
        return "the printed months of these periods add up to a different total (ledger)"
    lo = months[months["kind"] != "printed"]
    return (f"{len(lo)} unprinted month(s) are also tied to other figures (the other "
            "cumulatives, the other basis or the national bridge), which disagree with this one "
            "beyond their rounding")


def cumulative_checks(fits: dict[str, me.Fit], assimilated: pd.DataFrame,
                      rel_sd: float) -> pd.DataFrame:
    """cumulative_checks.csv: each Jan-to-month / full-year figure vs the sum of months."""
    rows = []
    for prov, fit in fits.items():
        u = fit.used[fit.used["period_type"].isin(["ytd", "year", "bridge"])]
        a = assimilated[assimilated["province"] == prov]
        for r in u.itertuples():
            g = a[(a["concept"] == r.concept) & (a["flow"] == r.flow) & (a["year"] == r.year)
                  & (a["month"] <= r.month)]
            model = float(g["p50_usd_m"].sum())
            diff = 100 * (model / r.value_usd_m - 1)
            met = abs(diff) <= TOLERANCE_PCT
            bridge = r.period_type == "bridge"
            reason = "" if met else (
                "national coal × Kaltim share / coal share: a bridge with the error of both "
                "shares, not a BPS Kaltim figure" if bridge else _reason(r, g, rel_sd))
            rows.append({"province": prov, "concept": r.concept, "flow": r.flow,
                         "period_type": r.period_type, "year": int(r.year),
                         "month": int(r.month), "kind": r.kind,
                         "printed_usd_m": round(float(r.value_usd_m), 2),
                         "model_sum_usd_m": round(model, 2),
                         "months_printed": int((g["kind"] == "printed").sum()),
                         "difference_pct": round(diff, 2),
                         "status": "met" if met else "conflict", "reason": reason,
                         "source_url": r.source_url})
    return pd.DataFrame(rows, columns=["province", "concept", "flow", "period_type", "year",
                                       "month", "kind", "printed_usd_m", "model_sum_usd_m",
                                       "months_printed", "difference_pct", "status", "reason",
                                       "source_url"])


def starting_points(fits: dict[str, me.Fit], year: int = 2025) -> dict[tuple, tuple]:
    """(province, concept, flow) -> (mean, sd) of the smoothed ``year`` total (US$ m)."""
    out = {}
    for prov, fit in fits.items():
        for concept, flow in fit.system.totals:
            out[(prov, concept, flow)] = me.cumulative(fit, concept, flow, year)
    return out


def last_observations(fits: dict[str, me.Fit]) -> dict[str, dict]:
    return {prov: me.last_observation(f) for prov, f in fits.items()}


def exante_tests(exports, prices_monthly, context, params, coal_share_table,
                 fits: dict[str, me.Fit], tests: pd.DataFrame, frames: dict) -> pd.DataFrame:
    """Annual ex-ante tests of the measurement model at the targets of ``tests`` (the other
    candidates' annual tests), one refit per December origin; ``frames``: series label ->
    monthly frame (for the MASE scale of :func:`calibration.annual_tests`)."""
    rows = []
    targets = tests[tests["price_info"] == "ex_ante"].drop_duplicates(
        ["series", "year", "months", "period_type"])
    for year in sorted(targets["year"].unique()):
        origin = pd.Period(year=int(year) - 1, month=12, freq="M")
        if origin < mo.CAL_START + MIN_TRAIN_MONTHS:
            continue  # the calendar starts later: no ex-ante fit from this origin
        fx = fit_all(exports, prices_monthly, context, params, coal_share_table, origin, fits)
        for r in targets[targets["year"] == year].itertuples():
            prov, concept, flow = (x.strip() for x in r.series.split("·"))
            if prov not in fx or (concept, flow) not in fx[prov].system.totals:
                continue  # a series outside the measurement systems
            mean, _ = me.cumulative(fx[prov], concept, flow, int(year), int(r.months))
            fr = frames[r.series].loc[:origin]
            vals = fr["value_usd_m"].dropna().to_numpy()
            scale = float(np.mean(np.abs(np.diff(vals)))) if len(vals) > 1 else np.nan
            fc = max(mean, 1e-6)
            rows.append({"series": r.series, "province": prov, "model": MODEL,
                         "price_info": "ex_ante", "year": int(year), "months": int(r.months),
                         "period_type": r.period_type, "actual_usd_m": r.actual_usd_m,
                         "forecast_usd_m": fc, "log_error": float(np.log(fc / r.actual_usd_m)),
                         "ape_pct": 100 * abs(fc / r.actual_usd_m - 1),
                         "scaled_error": abs(fc - r.actual_usd_m) / (r.months * scale)})
    return pd.DataFrame(rows, columns=list(tests.columns))


def model_choice(tests: pd.DataFrame) -> pd.DataFrame:
    """model_choice.csv: per series, each candidate's ex-ante annual MAPE and RMSE of log
    errors, the best by MAPE, and the band floor: where a benchmark (naive, seasonal naive,
    drift) beats every price model, its RMSE is the smallest annual error the band may carry."""
    t = tests[tests["price_info"] == "ex_ante"]
    rows = []
    for s, g in t.groupby("series", sort=False):
        summ = g.groupby("model").agg(n_tests=("ape_pct", "size"), mape_pct=("ape_pct", "mean"),
                                      rmse_log=("log_error",
                                                lambda e: float(np.sqrt(np.mean(e ** 2)))))
        best = summ.sort_values(["mape_pct"]).index[0]
        bench = best in ("naive", "seasonal_naive", "drift")
        for model, r in summ.iterrows():
            rows.append({"series": s, "model": model, "horizon": "annual",
                         "price_info": "ex_ante", "n_tests": int(r.n_tests),
                         "mape_pct": round(float(r.mape_pct), 2),
                         "rmse_log": round(float(r.rmse_log), 4), "best": model == best,
                         "band_floor_sd_log": round(float(summ.loc[best, "rmse_log"]), 4)
                         if bench else None})
    return pd.DataFrame(rows, columns=["series", "model", "horizon", "price_info", "n_tests",
                                       "mape_pct", "rmse_log", "best", "band_floor_sd_log"])
