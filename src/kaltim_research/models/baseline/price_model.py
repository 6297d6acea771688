"""Commodity-driven baseline: monthly exports explained by commodity prices, with gaps.

Method
------
For each modelled series (province × concept × flow, e.g. Kaltim nonmigas by port of loading)
the monthly values of the ledger are placed on a complete monthly calendar (2014-01 to
2025-12) and **left missing where no figure was printed**: nothing is interpolated. Candidate
models of ``log(value)`` are compared by rolling-origin backtesting (Tashman 2000): at each
origin, a model is fitted on the observations up to it and forecasts the observed months of
the next 12, using the realised prices (a forecast *conditional* on prices, which is how the
scenarios use the model). Errors are summarised as MAPE and MASE (Hyndman & Koehler 2006; the
MASE scale is the mean absolute change between consecutive observations of the training set,
since a seasonal or one-step naive scale is undefined with gaps).

Candidates:

* ``naive`` — last observed value;
* ``seasonal_naive`` — the same month a year earlier when observed, else the last value;
* ``drift`` — the line through the first and last observations (log scale);
* ``regression`` — OLS of log value on the log of the matching commodity price
  (statsmodels ``OLS`` on the observed months only);
* ``state_space`` — a local-level model with the log price as regressor (statsmodels
  ``UnobservedComponents``): the Kalman filter skips missing months instead of filling them.

Only price-conditional models (``regression``, ``state_space``) can carry a scenario's price
path, so the projection uses the better of those two by MASE (or the one the scenario names);
the benchmarks are reported beside it so a reader sees whether prices help at all.

Cumulative and full-year figures are not used in fitting: they serve as out-of-sample checks
(:func:`period_checks`), comparing each reported Jan-to-month or full-year value with the sum of
the model's monthly fitted values over the same months.

Projection: monthly forecasts are summed to calendar years (months with a printed value keep
it). Uncertainty is carried as mean-one log-normal shocks in the Monte Carlo: the backtest's
log errors are split into a level part (the mean error of each origin, which persists and is
carried as a random walk, growing with √years since the last observation) and a month-to-month
part (which averages out within a year: its variance is divided by 12); and a price error
passes through the model's price elasticity.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

CANDIDATES = ("naive", "seasonal_naive", "drift", "regression", "state_space")
PRICE_MODELS = ("regression", "state_space")
CALENDAR_START = pd.Period("2014-01", freq="M")
CALENDAR_END = pd.Period("2025-12", freq="M")


@dataclass(frozen=True)
class SeriesSpec:
    """One modelled series and the price that drives it."""

    province: str
    concept: str
    flow: str
    driver: str  # price series id in prices_monthly.csv

    @property
    def label(self) -> str:
        return f"{self.province} · {self.concept} · {self.flow}"


#: Default series: Kaltim by port of loading (the BPS Kaltim release), split into nonmigas
#: (coal-driven: mining is ~84% of Kaltim nonmigas, Jul 2022) and migas (LNG-driven: Bontang);
#: Kaltara by origin (ekspor asli) and by port of loading, both coal-driven (mining ~69% of
#: origin exports, Jan 2025).
DEFAULT_SERIES = (
    SeriesSpec("Kalimantan Timur", "via_ports", "nonmigas", "coal_newcastle"),
    SeriesSpec("Kalimantan Timur", "via_ports", "migas", "lng_japan"),
    SeriesSpec("Kalimantan Utara", "origin", "total", "coal_newcastle"),
    SeriesSpec("Kalimantan Utara", "via_ports", "total", "coal_newcastle"),
)


def monthly_frame(exports: pd.DataFrame, prices_monthly: pd.DataFrame, spec: SeriesSpec,
                  use_implied: bool = True) -> pd.DataFrame:
    """The series on a complete monthly calendar: ``value_usd_m`` is NaN where missing."""
    sel = exports[(exports["province"] == spec.province) & (exports["concept"] == spec.concept)
                  & (exports["flow"] == spec.flow) & (exports["period_type"] == "month")]
    if not use_implied:
        sel = sel[sel["basis"] == "reported"]
    idx = pd.period_range(CALENDAR_START, CALENDAR_END, freq="M")
    obs = pd.Series(sel["value_usd_m"].to_numpy(),
                    index=pd.PeriodIndex([pd.Period(year=int(y), month=int(m), freq="M")
                                          for y, m in zip(sel["year"], sel["month"], strict=True)]))
    basis = pd.Series(sel["basis"].to_numpy(), index=obs.index)
    pr = prices_monthly[prices_monthly["series_id"] == spec.driver]
    price = pd.Series(pr["price"].to_numpy(),
                      index=pd.PeriodIndex([pd.Period(year=int(y), month=int(m), freq="M")
                                            for y, m in zip(pr["year"], pr["month"], strict=True)]))
    frame = pd.DataFrame(index=idx)
    frame["value_usd_m"] = obs.reindex(idx)
    frame["basis"] = basis.reindex(idx)
    frame["price"] = price.reindex(idx)
    # The last month(s) of 2025 may have no published price yet: carry the last price forward
    # (exogenous input only; the export series itself is never filled).
    frame["price"] = frame["price"].ffill()
    frame["log_value"] = np.log(frame["value_usd_m"].where(frame["value_usd_m"] > 0))
    frame["log_price"] = np.log(frame["price"])
    return frame


# --------------------------------------------------------------------------------------------
# candidate models: fit on a frame up to an origin, forecast log values for target months
# --------------------------------------------------------------------------------------------

def _observed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["log_value"].notna()]


def _sm():
    """statsmodels, imported on first use (it costs ~1.5 s; reading cached fits needs none)."""
    import statsmodels.api as sm

    return sm


def forecast_log(model: str, train: pd.DataFrame, targets: pd.PeriodIndex,
                 log_price: pd.Series) -> tuple[np.ndarray, dict]:
    """Forecast log values at ``targets`` from ``train`` (a monthly frame up to the origin).

    ``log_price`` gives the (realised or scenario) log price for every target month. Returns
    the forecasts and a dict of fitted parameters (e.g. the price elasticity).
    """
    sm = _sm()
    obs = _observed(train)
    last_t, last_y = obs.index[-1], obs["log_value"].iloc[-1]
    if model == "naive":
        return np.full(len(targets), last_y), {}
    if model == "seasonal_naive":
        out = []
        for t in targets:
            back = t - 12
            while back > last_t:
                back -= 12
            out.append(obs["log_value"].get(back, last_y))
        return np.asarray(out, dtype=float), {}
    if model == "drift":
        first_t, first_y = obs.index[0], obs["log_value"].iloc[0]
        span = (last_t - first_t).n
        slope = (last_y - first_y) / span if span else 0.0
        return np.asarray([last_y + slope * (t - last_t).n for t in targets]), {"slope": slope}
    if model == "regression":
        x = sm.add_constant(obs["log_price"].to_numpy(), has_constant="add")
        fit = sm.OLS(obs["log_value"].to_numpy(), x).fit()
        xt = sm.add_constant(log_price.reindex(targets).to_numpy(), has_constant="add")
        return fit.predict(xt), {"elasticity": float(fit.params[1]),
                                 "intercept": float(fit.params[0])}
    if model == "state_space":
        span = train.loc[obs.index[0]:last_t]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mod = sm.tsa.UnobservedComponents(span["log_value"].to_numpy(), level="llevel",
                                              exog=span["log_price"].to_numpy())
            fit = mod.fit(disp=False, maxiter=200)
        steps = (targets.max() - last_t).n
        future = pd.period_range(last_t + 1, periods=steps, freq="M")
        fc = fit.get_forecast(steps=steps, exog=log_price.reindex(future).to_numpy()[:, None])
        pred = pd.Series(np.asarray(fc.predicted_mean), index=future)
        beta = float(np.asarray(fit.params)[-1])
        # Forecasts of a local level with a regressor are linear in the log price:
        # level at the last observation + beta × log price.
        level = float(np.asarray(fit.filtered_state)[0, -1])
        return pred.reindex(targets).to_numpy(), {"elasticity": beta, "intercept": level}
    raise ValueError(f"unknown model {model!r}; expected one of {CANDIDATES}")


# --------------------------------------------------------------------------------------------
# backtest
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Backtest:
    spec: SeriesSpec
    errors: pd.DataFrame   # one row per model × origin × target
    summary: pd.DataFrame  # one row per model: n, MAPE, MASE, RMSE of log errors
    chosen: str


def frozen_log_price(log_price: pd.Series, origin: pd.Period) -> pd.Series:
    """Ex-ante price information: every month after ``origin`` gets the origin's price (what a
    forecaster knew), instead of the realised future price (ex post)."""
    out = log_price.copy()
    known = out.loc[:origin].dropna()
    out[out.index > origin] = known.iloc[-1] if len(known) else np.nan
    return out


def backtest(frame: pd.DataFrame, spec: SeriesSpec, min_train: int = 10, horizon: int = 12,
             models: tuple[str, ...] = CANDIDATES, prefer: str = "auto",
             price_info: str = "ex_post") -> Backtest:
    """Rolling-origin evaluation over the observed months of ``frame`` (see module docstring).

    ``price_info`` = 'ex_ante' freezes the price at each origin (what a forecaster knows; the
    model choice uses it), 'ex_post' uses the realised future price (conditional skill).
    """
    obs_idx = _observed(frame).index
    rows = []
    for k in range(min_train - 1, len(obs_idx) - 1):
        origin = obs_idx[k]
        train = frame.loc[:origin]
        targets = obs_idx[(obs_idx > origin) & (obs_idx <= origin + horizon)]
        if len(targets) == 0:
            continue
        tr_vals = _observed(train)["value_usd_m"].to_numpy()
        scale = float(np.mean(np.abs(np.diff(tr_vals)))) if len(tr_vals) > 1 else np.nan
        lp = (frozen_log_price(frame["log_price"], origin) if price_info == "ex_ante"
              else frame["log_price"])
        for model in models:
            pred, _ = forecast_log(model, train, pd.PeriodIndex(targets), lp)
            actual = frame.loc[targets, "value_usd_m"].to_numpy()
            for t, a, p in zip(targets, actual, pred, strict=True):
                rows.append({"model": model, "origin": str(origin), "target": str(t),
                             "horizon_months": (t - origin).n, "actual_usd_m": a,
                             "forecast_usd_m": float(np.exp(p)), "scale_usd_m": scale})
    errors = pd.DataFrame(rows)
    if errors.empty:
        raise ValueError(f"{spec.label}: only {len(obs_idx)} observed months; the backtest needs "
                         f"at least {min_train + 1}")
    errors["abs_error"] = (errors["forecast_usd_m"] - errors["actual_usd_m"]).abs()
    errors["ape_pct"] = 100 * errors["abs_error"] / errors["actual_usd_m"]
    errors["scaled_error"] = errors["abs_error"] / errors["scale_usd_m"]
    errors["log_error"] = np.log(errors["forecast_usd_m"] / errors["actual_usd_m"])
    per_origin = errors.groupby(["model", "origin"])["log_error"].transform("mean")
    errors["level_error"] = per_origin
    errors["idiosyncratic_error"] = errors["log_error"] - per_origin
    summary = errors.groupby("model", sort=False).agg(
        n_forecasts=("ape_pct", "size"), mape_pct=("ape_pct", "mean"),
        mase=("scaled_error", "mean"),
        rmse_log=("log_error", lambda e: float(np.sqrt(np.mean(np.square(e))))),
        sd_level_log=("level_error", lambda e: float(np.sqrt(np.mean(np.square(e))))),
        sd_idiosyncratic_log=("idiosyncratic_error",
                              lambda e: float(np.sqrt(np.mean(np.square(e)))))).reset_index()
    summary["price_conditional"] = summary["model"].isin(PRICE_MODELS)
    summary["price_info"] = price_info
    if prefer == "auto":
        pool = summary[summary["price_conditional"]]
        if pool.empty:  # no price model among the candidates: the best benchmark
            pool = summary
        chosen = str(pool.sort_values(["mase", "model"]).iloc[0]["model"])
    else:
        chosen = prefer
    summary["chosen"] = summary["model"] == chosen
    best_overall = summary.sort_values("mase").iloc[0]["model"]
    summary["best_mase_overall"] = summary["model"] == best_overall
    return Backtest(spec, errors, summary, chosen)


# --------------------------------------------------------------------------------------------
# fitted baseline and projection
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FittedSeries:
    spec: SeriesSpec
    model: str
    elasticity: float
    intercept: float
    rmse_log: float
    sd_level_log: float
    sd_idiosyncratic_log: float
    last_observed: pd.Period
    n_observed: int
    frame: pd.DataFrame = field(repr=False)
    backtest: Backtest = field(repr=False)            # ex ante: the model choice
    backtest_ex_post: Backtest | None = field(default=None, repr=False)


def fit_series(exports: pd.DataFrame, prices_monthly: pd.DataFrame, spec: SeriesSpec,
               use_implied: bool = True, min_train: int = 10, prefer: str = "auto") -> FittedSeries:
    frame = monthly_frame(exports, prices_monthly, spec, use_implied)
    bt = backtest(frame, spec, min_train=min_train, prefer=prefer, price_info="ex_ante")
    bt_post = backtest(frame, spec, min_train=min_train, prefer=bt.chosen, price_info="ex_post")
    obs = _observed(frame)
    _, params = forecast_log(bt.chosen, frame, pd.PeriodIndex([obs.index[-1] + 1]),
                             frame["log_price"])
    row = bt.summary.loc[bt.summary["model"] == bt.chosen].iloc[0]
    return FittedSeries(spec, bt.chosen, params["elasticity"], params["intercept"],
                        float(row["rmse_log"]), float(row["sd_level_log"]),
                        float(row["sd_idiosyncratic_log"]), obs.index[-1], len(obs), frame, bt,
                        bt_post)


def project_annual(fitted: FittedSeries, annual_price: dict[int, float],
                   years: list[int]) -> pd.DataFrame:
    """Annual point projection for ``years`` given a price per year (scenario path).

    Months up to the last published price use realised prices; later months use the year's
    scenario price. Months with a printed value keep it; the others are model forecasts.
    Returns ``year, value_usd_m, n_months_observed, years_since_last_observation``.
    """
    frame = fitted.frame
    last = fitted.last_observed
    end = pd.Period(year=max(years), month=12, freq="M")
    # Also forecast the unprinted months (gaps) of a requested year up to the last observation.
    first = min(last + 1, pd.Period(year=min(years), month=1, freq="M"))
    future = pd.period_range(first, end, freq="M")
    realised = frame["price"].dropna()
    lp = {}
    for t in future:
        if t <= last and t in realised.index:
            lp[t] = np.log(realised[t])
        elif t in realised.index and t <= CALENDAR_END and t.year not in annual_price:
            lp[t] = np.log(realised[t])
        elif t in realised.index and t.year < min(annual_price):
            lp[t] = np.log(realised[t])
        else:
            price = annual_price.get(t.year, annual_price[max(k for k in annual_price
                                                               if k <= t.year)]
                                     if any(k <= t.year for k in annual_price)
                                     else annual_price[min(annual_price)])
            lp[t] = np.log(price)
    # Both price-conditional models forecast log value = intercept + elasticity × log price
    # (for the local level, the intercept is the filtered level at the last observation), so
    # a projection needs no refit. The annual sum is the expected value: the Monte Carlo adds
    # mean-one noise around it.
    pred = fitted.intercept + fitted.elasticity * np.array([lp[t] for t in future])
    monthly = pd.Series(np.exp(pred + 0.5 * fitted.sd_idiosyncratic_log ** 2), index=future)
    printed = frame["value_usd_m"].dropna()
    rows = []
    for y in years:
        months = pd.period_range(pd.Period(year=y, month=1, freq="M"),
                                 pd.Period(year=y, month=12, freq="M"), freq="M")
        vals = [printed[m] if m in printed.index else monthly.get(m, np.nan) for m in months]
        rows.append({"year": y, "value_usd_m": float(np.sum(vals)),
                     "n_months_observed": int(sum(m in printed.index for m in months)),
                     "years_since_last_observation": max(0.0, (y + 0.5) - (last.year + last.month / 12))})
    return pd.DataFrame(rows)


def period_checks(fitted: FittedSeries, exports: pd.DataFrame) -> pd.DataFrame:
    """Out-of-sample check against reported cumulative and full-year figures.

    For each reported Jan-to-month or full-year value of the series, compare it with the sum
    over the same months of printed monthly values where they exist and in-sample model fits
    (regression on realised prices) elsewhere. Large gaps flag months the model misses.
    """
    sm = _sm()
    spec, frame = fitted.spec, fitted.frame
    sel = exports[(exports["province"] == spec.province) & (exports["concept"] == spec.concept)
                  & (exports["flow"] == spec.flow) & exports["period_type"].isin(["ytd", "year"])
                  & (exports["basis"] == "reported")]
    obs = _observed(frame)
    x = sm.add_constant(obs["log_price"].to_numpy(), has_constant="add")
    fit = sm.OLS(obs["log_value"].to_numpy(), x).fit()
    fitted_all = pd.Series(np.exp(fit.predict(sm.add_constant(frame["log_price"].to_numpy(),
                                                              has_constant="add"))),
                           index=frame.index)
    rows = []
    for r in sel.itertuples():
        months = pd.period_range(pd.Period(year=r.year, month=1, freq="M"),
                                 pd.Period(year=r.year, month=int(r.month), freq="M"), freq="M")
        if months[0] < CALENDAR_START or fitted_all.reindex(months).isna().any():
            continue
        vals = [frame.at[m, "value_usd_m"] if pd.notna(frame.at[m, "value_usd_m"])
                else fitted_all[m] for m in months]
        n_obs = int(frame.loc[months, "value_usd_m"].notna().sum())
        rows.append({"series": spec.label, "period_type": r.period_type, "year": r.year,
                     "month": int(r.month), "reported_usd_m": r.value_usd_m,
                     "model_usd_m": round(float(np.sum(vals)), 2), "months_printed": n_obs,
                     "error_pct": round(100 * (np.sum(vals) / r.value_usd_m - 1), 2),
                     "source_url": r.source_url})
    return pd.DataFrame(rows, columns=["series", "period_type", "year", "month",
                                       "reported_usd_m", "model_usd_m", "months_printed",
                                       "error_pct", "source_url"])


def sector_shares(exports: pd.DataFrame, spec: SeriesSpec) -> dict:
    """Shares of mining, industry and agriculture within the series' flow, from the latest
    period where the ledger has the flow, mining and industry together (a derived number: the period
    and sources are returned with it)."""
    sel = exports[(exports["province"] == spec.province) & (exports["concept"] == spec.concept)]
    best = None
    # Latest period first by calendar (year, month), whatever its period type.
    periods = sel.groupby(["year", "month", "period_type"], sort=True)
    for (y, m, pt), g in periods:
        vals = dict(zip(g["flow"], g["value_usd_m"], strict=True))
        if spec.flow in vals and "mining" in vals and "industry" in vals and vals[spec.flow] > 0:
            best = (pt, y, m, vals, g)
    if spec.flow == "migas":
        return {"mining": 0.0, "industry": 0.0, "agriculture": 0.0, "migas": 1.0,
                "period": "by definition", "source_url": ""}
    if best is None:
        return {"mining": np.nan, "industry": np.nan, "agriculture": np.nan, "migas": 0.0,
                "period": "none", "source_url": ""}
    pt, y, m, vals, g = best
    base = vals[spec.flow]
    out = {k: vals.get(k, 0.0) / base for k in ("mining", "industry", "agriculture")}
    out["migas"] = (vals.get("migas", vals.get("gas", 0.0)) / base) if spec.flow == "total" else 0.0
    out["period"] = f"{pt} {y}-{int(m):02d}"
    out["source_url"] = " | ".join(dict.fromkeys(g["source_url"]))
    return out
