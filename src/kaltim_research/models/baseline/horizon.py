"""A model error that grows with the horizon, calibrated by pseudo-out-of-sample tests at 1–5
years ahead.

Tests
-----
For every reported January-to-month or full-year figure of a province's **headline total**
(Kaltim: total by port of loading = nonmigas + migas, each forecast by its chosen model;
Kaltara: total by origin) in year Y, and for h = 1..4, the chosen models are fitted on the
monthly observations up to December of Y − h and forecast months 1..M of Y; the sum is
compared with the printed figure (log error). ``ex_post`` uses the realised prices (the skill
conditional on the price path, which is how a scenario uses the model: the price error is
drawn separately) and ``ex_ante`` the price frozen at the origin. Targets run back to 2014
wherever the ledger has enough months before the origin (``min_train``).

Error model
-----------
The log model error of a province's total at horizon h (years after 2025) is a transitory
error of the one-year size σ₁ (the h = 1 tests here, :func:`one_year_sd`; the monthly models'
one-year error of :mod:`calibration` only where these are too few) plus a persistent random
walk that starts after the first year, both common to the series of the province (the tests
are on its total): var(h) = σ₁² + (h − 1) σ_P² — structural uncertainty (shares,
volumes, elasticities drifting) accumulates, the one-year error does not. σ_P² is the
least-squares slope of the ex-post mean square error on (h − 1), anchored at the one-year mean
square error, over the horizons the data support (at least :data:`MIN_TESTS` tests on
:data:`MIN_YEARS` independent target years); a province without such a horizon takes the
pooled estimate of both provinces, and without that the declared judgement prior
(``blocks.structural_error_sd_per_year``).

Calibration
-----------
``calibration.csv``: per province (and all) and horizon, the number of tests, of independent
target years, and the share of ex-post actuals inside the nominal 80 % band ±1.28 sd(h), with
σ₁ and σ_P estimated **without the test's own target year** (leave one year out), and the
Wilson 95 % interval of that share (Wilson 1927; Brown, Cai & DasGupta 2001). Rows of a
horizon without enough tests say ``basis = judgement prior``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from kaltim_research.models.baseline import price_model as bl

HORIZONS = (1, 2, 3, 4, 5)
MIN_TESTS = 3
MIN_YEARS = 3
Z80 = 1.2815515655446004
Z95 = 1.959963984540054


def _one_figure_per_year(exports: pd.DataFrame, province: str, concept: str,
                         flow: str = "total") -> pd.DataFrame:
    """The reported figure with the most months per year (a full year beats a cumulative),
    with its annualised value (value × 12 / months: a derived run rate, labelled so)."""
    sel = exports[(exports["province"] == province) & (exports["concept"] == concept)
                  & (exports["flow"] == flow) & exports["period_type"].isin(["ytd", "year"])
                  & (exports["basis"] == "reported") & exports["value_usd_m"].gt(0)]
    sel = sel.sort_values(["year", "month", "value_usd_m"], kind="mergesort")
    one = sel.groupby("year", as_index=False).tail(1).copy()
    one["annualised_usd_m"] = one["value_usd_m"] * 12 / one["month"]
    return one[["year", "month", "period_type", "value_usd_m", "annualised_usd_m",
                "source_url"]].reset_index(drop=True)


def _mean_price(prices_monthly: pd.DataFrame, series_id: str, year: int, months: int) -> float:
    p = prices_monthly[(prices_monthly["series_id"] == series_id)
                       & (prices_monthly["year"] == year) & (prices_monthly["month"] <= months)]
    return float(p["price"].mean()) if len(p) else np.nan


def _drivers(fitted: tuple[bl.FittedSeries, ...], exports: pd.DataFrame, province: str,
             concept: str) -> list[tuple[float, str, float]]:
    """(weight, price series, elasticity) of a province's headline total: one driver for a
    total series (Kaltara), or nonmigas and migas weighted by the mean nonmigas share of the
    total over every period that prints both (Kaltim)."""
    fs = {f.spec.flow: f for f in fitted if f.spec.province == province}
    if "total" in fs:
        f = fs["total"]
        return [(1.0, f.spec.driver, float(f.elasticity))]
    e = exports[(exports["province"] == province) & (exports["concept"] == concept)]
    wide = e.pivot_table(index=["period_type", "year", "month"], columns="flow",
                         values="value_usd_m", aggfunc="first")
    both = wide[["nonmigas", "total"]].dropna()
    share = float((both["nonmigas"] / both["total"]).mean())
    nm, mg = fs["nonmigas"], fs["migas"]
    return [(share, nm.spec.driver, float(nm.elasticity)),
            (1 - share, mg.spec.driver, float(mg.elasticity))]


def horizon_tests(fitted: tuple[bl.FittedSeries, ...], exports: pd.DataFrame,
                  prices_monthly: pd.DataFrame,
                  horizons: tuple[int, ...] = HORIZONS) -> pd.DataFrame:
    """One row per province × concept × (origin year, target year = origin + h) × price
    information. The projection is the baseline's: the printed level of the origin year
    moved by its price drivers with the fitted elasticities (``ex_post``: realised prices of
    the same months; ``ex_ante``: prices held at the origin, i.e. the level held). Levels are
    annualised run rates of the figure with the most months in each year."""
    rows = []
    heads: dict[str, list[str]] = {}
    for f in fitted:
        heads.setdefault(f.spec.province, [])
        if f.spec.concept not in heads[f.spec.province]:
            heads[f.spec.province].append(f.spec.concept)
    for prov, concepts in heads.items():
        for concept in concepts:
            try:
                drivers = _drivers([f for f in fitted if f.spec.concept == concept],
                                   exports, prov, concept)
            except KeyError:
                continue
            one = _one_figure_per_year(exports, prov, concept).set_index("year")
            for o in one.index:
                for h in horizons:
                    if o + h not in one.index:
                        continue
                    a, b = one.loc[o], one.loc[o + h]
                    idx = sum(w * (_mean_price(prices_monthly, sid, o + h, int(b["month"]))
                                   / _mean_price(prices_monthly, sid, o, int(a["month"]))) ** eps
                              for w, sid, eps in drivers)
                    for info, fc in (("ex_ante", a["annualised_usd_m"]),
                                     ("ex_post", a["annualised_usd_m"] * idx)):
                        rows.append({"province": prov, "concept": concept,
                                     "price_info": info, "horizon_years": h,
                                     "origin_year": int(o), "year": int(o + h),
                                     "origin_months": int(a["month"]),
                                     "months": int(b["month"]),
                                     "actual_annualised_usd_m": float(b["annualised_usd_m"]),
                                     "forecast_annualised_usd_m": float(fc),
                                     "log_error": float(np.log(fc / b["annualised_usd_m"]))})
    return pd.DataFrame(rows, columns=["province", "concept", "price_info", "horizon_years",
                                       "origin_year", "year", "origin_months", "months",
                                       "actual_annualised_usd_m", "forecast_annualised_usd_m",
                                       "log_error"])


def _supported(g: pd.DataFrame) -> bool:
    return len(g) >= MIN_TESTS and g["year"].nunique() >= MIN_YEARS


def growth_variance(tests: pd.DataFrame) -> tuple[float, float, list[int]] | None:
    """(σ₁², σ_P², horizons used) from ex-post tests: σ₁² = the one-year mean square error,
    σ_P² = least-squares slope of MSE(h) − σ₁² on (h − 1) over the supported horizons ≥ 2
    (weighted by the number of tests), floored at 0. None if h = 1 or no later horizon is
    supported."""
    t = tests[tests["price_info"] == "ex_post"]
    by_h = {h: g for h, g in t.groupby("horizon_years") if _supported(g)}
    if 1 not in by_h:
        return None
    s1 = float(np.mean(np.square(by_h[1]["log_error"])))
    later = [h for h in sorted(by_h) if h >= 2]
    if not later:
        return None
    w = np.array([len(by_h[h]) for h in later], dtype=float)
    x = np.array(later, dtype=float) - 1
    y = np.array([np.mean(np.square(by_h[h]["log_error"])) for h in later]) - s1
    sp = float(max(0.0, np.sum(w * x * y) / np.sum(w * x * x)))
    return s1, sp, [1, *later]


def persistent_sd(tests: pd.DataFrame, prior_sd: float) -> dict[str, dict]:
    """Per province: the persistent sd per year σ_P and where it comes from (the province's
    own tests, the pooled tests of both provinces, or the judgement prior)."""
    pooled = growth_variance(tests)
    out = {}
    for prov in sorted(tests["province"].unique()) if len(tests) else []:
        own = growth_variance(tests[tests["province"] == prov])
        if own is not None:
            out[prov] = {"sd_per_year": float(np.sqrt(own[1])), "basis": "own tests",
                         "horizons": own[2]}
        elif pooled is not None:
            out[prov] = {"sd_per_year": float(np.sqrt(pooled[1])), "basis": "pooled tests",
                         "horizons": pooled[2]}
        else:
            out[prov] = {"sd_per_year": prior_sd, "basis": "judgement prior", "horizons": []}
    return out


def one_year_sd(tests: pd.DataFrame) -> dict[str, dict]:
    """Per province: the one-year (transitory) sd σ₁ of the headline projection, the root mean
    square ex-post error at h = 1 of its own tests when they are enough (:data:`MIN_TESTS` on
    :data:`MIN_YEARS` target years), else of both provinces pooled; a province with neither is
    left out (its series keep the monthly models' one-year error, :mod:`calibration`)."""
    t = tests[(tests["price_info"] == "ex_post") & (tests["horizon_years"] == 1)]
    out = {}
    for prov in sorted(tests["province"].unique()) if len(tests) else []:
        own = t[t["province"] == prov]
        g, basis = (own, "own tests") if _supported(own) else (t, "pooled tests")
        if _supported(g):
            out[prov] = {"sd": float(np.sqrt(np.mean(np.square(g["log_error"])))),
                         "basis": basis, "n_tests": int(len(g))}
    return out


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion k / n (Wilson 1927)."""
    if n == 0:
        return (np.nan, np.nan)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (float(centre - half), float(centre + half))


def _loo_inside(tests: pd.DataFrame, prior_sd: float) -> pd.Series:
    """For each ex-post test: inside the 80 % band of sd(h) estimated without its target
    year (own province, else pooled, else the prior for σ_P; σ₁ from the other years' one-year
    tests of the province, else pooled)."""
    t = tests[tests["price_info"] == "ex_post"]
    inside = {}
    for i, r in t.iterrows():
        rest = t[t["year"] != r["year"]]
        own = rest[rest["province"] == r["province"]]
        fit = growth_variance(own) or growth_variance(rest)
        one = own[own["horizon_years"] == 1]
        one = one if len(one) >= 2 else rest[rest["horizon_years"] == 1]
        s1 = fit[0] if fit else float(np.mean(np.square(one["log_error"]))) if len(one) else np.nan
        sp = fit[1] if fit else prior_sd ** 2
        sd = np.sqrt(s1 + (r["horizon_years"] - 1) * sp)
        inside[i] = bool(abs(r["log_error"]) <= Z80 * sd) if np.isfinite(sd) else np.nan
    return pd.Series(inside, dtype=object)


def calibration_by_horizon(tests: pd.DataFrame, prior_sd: float,
                           horizons: tuple[int, ...] = HORIZONS) -> pd.DataFrame:
    """calibration.csv: scope (province or all), horizon_years, n_tests,
    independent_target_years, nominal, coverage (leave one year out), wilson_low,
    wilson_high, sd_log (the band's sd at that horizon, full sample), sd_persistent_per_year,
    rmse_log (the projection, ex post) beside rmse_log_naive (the level held), basis."""
    t = tests[tests["price_info"] == "ex_post"].copy()
    naive = tests[tests["price_info"] == "ex_ante"]
    t["inside"] = _loo_inside(tests, prior_sd) if len(t) else pd.Series(dtype=object)
    sds = persistent_sd(tests, prior_sd)
    pooled = growth_variance(tests)
    sds["all"] = ({"sd_per_year": float(np.sqrt(pooled[1])), "basis": "pooled tests",
                   "horizons": pooled[2]} if pooled else
                  {"sd_per_year": prior_sd, "basis": "judgement prior", "horizons": []})
    rows = []
    scopes = [(p, t[t["province"] == p]) for p in sorted(t["province"].unique())] + [("all", t)]
    for scope, g in scopes:
        one = g[g["horizon_years"] == 1]
        s1 = float(np.mean(np.square(one["log_error"]))) if len(one) else np.nan
        sp = sds[scope]["sd_per_year"] ** 2
        for h in horizons:
            gh = g[g["horizon_years"] == h]
            ok = gh["inside"].dropna()
            k, n = int(ok.sum()), int(len(ok))
            lo, hi = wilson(k, n)
            nv = naive[(naive["horizon_years"] == h)
                       & ((naive["province"] == scope) | (scope == "all"))]
            src = sds[scope]
            if _supported(gh):
                basis = "tests"
            elif src["basis"] == "judgement prior":
                basis = "judgement prior (blocks.structural_error_sd_per_year: judgement)"
            else:
                basis = (f"too few tests at this horizon: sd from the {src['basis']} at "
                         f"horizons {', '.join(map(str, src['horizons']))}")
            rows.append({"scope": scope, "horizon_years": h, "n_tests": n,
                         "independent_target_years": int(gh["year"].nunique()),
                         "nominal": 0.8, "coverage": k / n if n else np.nan,
                         "wilson_low": lo, "wilson_high": hi,
                         "sd_log": float(np.sqrt(s1 + (h - 1) * sp)),
                         "sd_persistent_per_year": float(np.sqrt(sp)),
                         "rmse_log": float(np.sqrt(np.mean(np.square(gh["log_error"]))))
                         if n else np.nan,
                         "rmse_log_naive": float(np.sqrt(np.mean(np.square(nv["log_error"]))))
                         if len(nv) else np.nan,
                         "basis": basis, "sd_persistent_basis": src["basis"]})
    return pd.DataFrame(rows)
