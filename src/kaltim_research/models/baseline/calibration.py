"""Annual-horizon backtest and calibration: pseudo-out-of-sample forecasts of the reported
cumulative (Jan-to-month) and full-year figures from rolling December origins.

For every reported Jan–M or full-year figure of a modelled series in year Y, each candidate
model is fitted on the monthly observations up to December of Y − 1 and forecasts months
1..M of Y; their sum is compared with the reported figure. Two price informations:
``ex_ante`` (the price frozen at the origin: what a forecaster knows; the model choice uses
it) and ``ex_post`` (realised prices: the skill conditional on the price path, which is how
scenarios use the model). MAPE and MASE (Hyndman & Koehler 2006; scale: M × the mean absolute
change between consecutive training months) are reported per model.

The **annual model error** of the projection is the root mean square of the chosen model's
ex-post log errors (the price error is drawn separately in the Monte Carlo). Calibration:
for each test, the nominal 80 % band ±1.2816 σ is built from the *other* tests of the same
province (leave one out, ex ante, so the band includes price error), and coverage is the share
of actuals inside it. With few tests a coverage far from 80 % is information, not noise.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from kaltim_research.models.baseline import price_model as bl

Z80 = 1.2815515655446004


def annual_tests(fitted: bl.FittedSeries, exports: pd.DataFrame, min_train: int = 10,
                 models: tuple[str, ...] = bl.CANDIDATES) -> pd.DataFrame:
    """One row per reported cumulative/full-year target × model × price information."""
    spec, frame = fitted.spec, fitted.frame
    sel = exports[(exports["province"] == spec.province) & (exports["concept"] == spec.concept)
                  & (exports["flow"] == spec.flow) & exports["period_type"].isin(["ytd", "year"])
                  & (exports["basis"] == "reported")]
    rows = []
    for year, g in sel.groupby("year"):
        origin = pd.Period(year=int(year) - 1, month=12, freq="M")
        train = frame.loc[:origin]
        obs = train[train["log_value"].notna()]
        if len(obs) < min_train or origin < bl.CALENDAR_START:
            continue
        months = pd.period_range(pd.Period(year=int(year), month=1, freq="M"),
                                 pd.Period(year=int(year), month=12, freq="M"), freq="M")
        if months[-1] > bl.CALENDAR_END:
            continue
        scale = float(np.mean(np.abs(np.diff(obs["value_usd_m"].to_numpy()))))
        for info in ("ex_ante", "ex_post"):
            lp = (bl.frozen_log_price(frame["log_price"], origin) if info == "ex_ante"
                  else frame["log_price"])
            for model in models:
                pred, _ = bl.forecast_log(model, train, months, lp)
                monthly = np.exp(pred)
                for r in g.itertuples():
                    m = int(r.month)
                    fc = float(np.sum(monthly[:m]))
                    rows.append({"series": spec.label, "province": spec.province,
                                 "model": model, "price_info": info, "year": int(year),
                                 "months": m, "period_type": r.period_type,
                                 "actual_usd_m": float(r.value_usd_m), "forecast_usd_m": fc,
                                 "log_error": float(np.log(fc / r.value_usd_m)),
                                 "ape_pct": 100 * abs(fc / r.value_usd_m - 1),
                                 "scaled_error": abs(fc - r.value_usd_m) / (m * scale)})
    return pd.DataFrame(rows, columns=["series", "province", "model", "price_info", "year",
                                       "months", "period_type", "actual_usd_m",
                                       "forecast_usd_m", "log_error", "ape_pct",
                                       "scaled_error"])


def backtest_table(fitted: tuple[bl.FittedSeries, ...], tests: pd.DataFrame) -> pd.DataFrame:
    """backtest.csv: series, model, price_info, horizon, n_forecasts, mape, mase, chosen.

    Horizon '1-12 months' comes from the monthly rolling-origin backtest of
    :mod:`baseline`; 'annual' from :func:`annual_tests`."""
    rows = []
    for f in fitted:
        chosen = f.model
        for bt in (f.backtest, f.backtest_ex_post):
            if bt is None:
                continue
            for r in bt.summary.itertuples():
                rows.append({"series": f.spec.label, "model": r.model,
                             "price_info": getattr(r, "price_info", "ex_post"),
                             "horizon": "1-12 months", "n_forecasts": int(r.n_forecasts),
                             "mape": float(r.mape_pct), "mase": float(r.mase),
                             "chosen": r.model == chosen})
        t = tests[tests["series"] == f.spec.label]
        for (model, info), g in t.groupby(["model", "price_info"], sort=False):
            rows.append({"series": f.spec.label, "model": model, "price_info": info,
                         "horizon": "annual", "n_forecasts": len(g),
                         "mape": float(g["ape_pct"].mean()), "mase": float(g["scaled_error"].mean()),
                         "chosen": model == chosen})
    return pd.DataFrame(rows, columns=["series", "model", "price_info", "horizon",
                                       "n_forecasts", "mape", "mase", "chosen"])


def annual_error_sd(fitted: bl.FittedSeries, tests: pd.DataFrame, fallback: float) -> float:
    """Annual log-error sd of the chosen model, ex post (price-conditional); ``fallback`` (the
    pooled value) when the series has fewer than three tests."""
    t = tests[(tests["series"] == fitted.spec.label) & (tests["model"] == fitted.model)
              & (tests["price_info"] == "ex_post")]
    if len(t) < 3:
        return fallback
    return float(np.sqrt(np.mean(np.square(t["log_error"]))))


def pooled_sd(fitted: tuple[bl.FittedSeries, ...], tests: pd.DataFrame,
              price_info: str = "ex_post") -> float:
    """Root mean square log error of each series' chosen model, pooled over the tests of the
    headline-concept series (the first concept of each province: Kaltim by port of loading,
    Kaltara by origin), the fallback for a series with fewer than three tests."""
    heads: dict[str, str] = {}
    for f in fitted:
        heads.setdefault(f.spec.province, f.spec.concept)
    keep = [tests[(tests["series"] == f.spec.label) & (tests["model"] == f.model)
                  & (tests["price_info"] == price_info)] for f in fitted
            if heads[f.spec.province] == f.spec.concept]
    e = pd.concat(keep)["log_error"] if keep else pd.Series(dtype=float)
    return float(np.sqrt(np.mean(np.square(e)))) if len(e) else 0.15


def calibration_table(fitted: tuple[bl.FittedSeries, ...], tests: pd.DataFrame,
                      nominal: float = 0.8) -> pd.DataFrame:
    """calibration.csv: series, horizon=annual, nominal, coverage, n_tests (leave-one-out
    80 % bands from the other ex-ante tests of the same province), plus one row per province
    and one for all."""
    z = Z80 if nominal == 0.8 else float(__import__("scipy.stats").stats.norm.ppf(0.5 + nominal / 2))
    chosen = pd.concat([tests[(tests["series"] == f.spec.label) & (tests["model"] == f.model)
                              & (tests["price_info"] == "ex_ante")] for f in fitted],
                       ignore_index=True)
    inside = []
    for i, r in chosen.iterrows():
        others = chosen[(chosen["province"] == r["province"]) & (chosen.index != i)]
        if len(others) < 2:
            others = chosen[chosen.index != i]
        sd = float(np.sqrt(np.mean(np.square(others["log_error"]))))
        inside.append(abs(r["log_error"]) <= z * sd)
    chosen["inside"] = inside
    rows = []
    groups = [(s, chosen[chosen["series"] == s]) for s in chosen["series"].unique()]
    groups += [(f"{p} (all series)", chosen[chosen["province"] == p])
               for p in chosen["province"].unique()]
    groups += [("all", chosen)]
    for name, g in groups:
        if len(g):
            rows.append({"series": name, "horizon": "annual", "nominal": nominal,
                         "coverage": float(g["inside"].mean()), "n_tests": len(g)})
    return pd.DataFrame(rows, columns=["series", "horizon", "nominal", "coverage", "n_tests"])
