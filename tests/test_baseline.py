"""Baseline models on synthetic monthly data with gaps, and the backtest on the real ledger.

Expected numbers come from the data-generating process set in the test (elasticity 0.6,
intercept 1) or from arithmetic written out below, never from running the code under test.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kaltim_research.models.baseline import price_model as bl

SPEC = bl.SeriesSpec("Testprovinsi", "via_ports", "nonmigas", "coal_newcastle")
MONTHS = pd.period_range(bl.CALENDAR_START, bl.CALENDAR_END, freq="M")   # 2014-01 .. 2025-12
TRUE_INTERCEPT, TRUE_ELASTICITY = 1.0, 0.6


def synthetic_prices(months=MONTHS) -> pd.DataFrame:
    """A coal-like price with plenty of variation (no randomness)."""
    i = np.arange(len(months))
    price = 80.0 * np.exp(0.45 * np.sin(2 * np.pi * i / 37) + 0.2 * np.cos(2 * np.pi * i / 11))
    return pd.DataFrame({"series_id": "coal_newcastle", "year": [m.year for m in months],
                         "month": [m.month for m in months], "price": price})


def export_rows(values: dict[pd.Period, float], basis: str = "reported", spec=SPEC,
                period_type: str = "month") -> pd.DataFrame:
    return pd.DataFrame({"province": spec.province, "concept": spec.concept, "flow": spec.flow,
                         "period_type": period_type, "year": [m.year for m in values],
                         "month": [m.month for m in values], "value_usd_m": list(values.values()),
                         "basis": basis})


def synthetic_exports(noise_sd: float = 0.02, seed: int = 1, start: str = "2014-01"):
    """log value = 1 + 0.6 log price + noise, with every third month missing (a third)."""
    prices = synthetic_prices()
    rng = np.random.default_rng(seed)
    p = prices.set_index(MONTHS)["price"]
    keep = [m for k, m in enumerate(MONTHS) if k % 3 != 1 and m >= pd.Period(start, freq="M")]
    noise = rng.normal(0.0, noise_sd, len(keep)) if noise_sd else np.zeros(len(keep))
    values = {m: float(np.exp(TRUE_INTERCEPT + TRUE_ELASTICITY * np.log(p[m]) + e))
              for m, e in zip(keep, noise, strict=True)}
    # Distractors the frame must ignore: another flow, another province, a cumulative figure.
    other = pd.concat([
        export_rows({m: 9999.0 for m in MONTHS[1::3]},
                    spec=bl.SeriesSpec("Testprovinsi", "via_ports", "migas", "lng_japan")),
        export_rows({m: 8888.0 for m in MONTHS[1::3]},
                    spec=bl.SeriesSpec("Lainnya", "via_ports", "nonmigas", "coal_newcastle")),
        export_rows({pd.Period("2020-12", freq="M"): 7777.0}, period_type="year")])
    return pd.concat([export_rows(values), other], ignore_index=True), prices, values


# --------------------------------------------------------------------------------------------
# monthly frame: gaps are never filled
# --------------------------------------------------------------------------------------------

def test_monthly_frame_keeps_gaps_missing():
    exports, prices, values = synthetic_exports()
    frame = bl.monthly_frame(exports, prices, SPEC)
    assert list(frame.index) == list(MONTHS)
    assert len(values) == 96 and frame["value_usd_m"].notna().sum() == 96
    missing = frame.index[frame["value_usd_m"].isna()]
    assert list(missing) == list(MONTHS[1::3])          # exactly the dropped months, 48 of 144
    assert frame.loc[missing, "log_value"].isna().all()
    for m, v in values.items():
        assert frame.at[m, "value_usd_m"] == v           # observed values untouched
    assert (frame["value_usd_m"] != 9999.0).all() and (frame["value_usd_m"] != 8888.0).all()
    assert frame["price"].notna().all()


def test_monthly_frame_can_exclude_implied_months():
    _, prices, _ = synthetic_exports()
    m1, m2 = pd.Period("2020-01", freq="M"), pd.Period("2020-02", freq="M")
    exports = pd.concat([export_rows({m1: 10.0}), export_rows({m2: 11.0},
                                                              basis="implied_from_pct_change")])
    with_implied = bl.monthly_frame(exports, prices, SPEC, use_implied=True)
    without = bl.monthly_frame(exports, prices, SPEC, use_implied=False)
    assert with_implied.at[m2, "value_usd_m"] == 11.0
    assert np.isnan(without.at[m2, "value_usd_m"]) and without.at[m1, "value_usd_m"] == 10.0
    assert with_implied["value_usd_m"].notna().sum() == 2


def test_monthly_frame_carries_only_the_price_forward():
    exports, prices, _ = synthetic_exports()
    short = prices[~((prices["year"] == 2025) & (prices["month"] >= 11))]   # no Nov/Dec 2025
    frame = bl.monthly_frame(exports, short, SPEC)
    oct_price = frame.at[pd.Period("2025-10", freq="M"), "price"]
    assert frame.at[pd.Period("2025-12", freq="M"), "price"] == oct_price
    assert np.isnan(frame.at[pd.Period("2025-11", freq="M"), "value_usd_m"])   # 2025-11: k%3==1


# --------------------------------------------------------------------------------------------
# candidate models
# --------------------------------------------------------------------------------------------

def test_regression_recovers_the_elasticity():
    exports, prices, _ = synthetic_exports(noise_sd=0.02)
    frame = bl.monthly_frame(exports, prices, SPEC)
    target = pd.PeriodIndex([pd.Period("2026-01", freq="M")])
    lp = pd.Series([math.log(100.0)], index=target)
    pred, params = bl.forecast_log("regression", frame, target, lp)
    # 96 observations, noise sd 0.02, log-price sd ~0.35: se(elasticity) ~ 0.007
    assert params["elasticity"] == pytest.approx(TRUE_ELASTICITY, abs=0.03)
    assert params["intercept"] == pytest.approx(TRUE_INTERCEPT, abs=0.15)
    # forecast at a price of 100: 1 + 0.6 ln 100 = 1 + 0.6 * 4.60517 = 3.76310
    assert pred[0] == pytest.approx(3.76310, abs=0.02)


def _tiny_frame(values: dict[str, float]) -> pd.DataFrame:
    exports = export_rows({pd.Period(k, freq="M"): v for k, v in values.items()})
    return bl.monthly_frame(exports, synthetic_prices(), SPEC)


def test_naive_drift_and_seasonal_naive_by_hand():
    e = math.e
    # observed log values 2.0 (2024-01), 2.3 (2024-02), gap 2024-03, 2.6 (2024-04)
    frame = _tiny_frame({"2024-01": e ** 2.0, "2024-02": e ** 2.3, "2024-04": e ** 2.6})
    targets = pd.PeriodIndex([pd.Period("2024-06", freq="M"), pd.Period("2025-02", freq="M"),
                              pd.Period("2025-03", freq="M")])
    naive, _ = bl.forecast_log("naive", frame, targets, frame["log_price"])
    assert naive == pytest.approx([2.6, 2.6, 2.6])
    drift, params = bl.forecast_log("drift", frame, targets, frame["log_price"])
    # slope = (2.6 - 2.0) / 3 months = 0.2 per month (the gap counts as a month)
    assert params["slope"] == pytest.approx(0.2)
    # 2024-06: 2.6 + 2*0.2 = 3.0; 2025-02: 2.6 + 10*0.2 = 4.6; 2025-03: 2.6 + 11*0.2 = 4.8
    assert drift == pytest.approx([3.0, 4.6, 4.8])
    seas, _ = bl.forecast_log("seasonal_naive", frame, targets, frame["log_price"])
    # 2024-06: 2023-06 not observed -> last value 2.6; 2025-02 -> 2024-02 = 2.3;
    # 2025-03 -> 2024-03 is a gap -> last value 2.6
    assert seas == pytest.approx([2.6, 2.3, 2.6])


def test_unknown_model_is_an_error():
    frame = _tiny_frame({"2024-01": 1.0, "2024-02": 2.0})
    with pytest.raises(ValueError, match="unknown model"):
        bl.forecast_log("prophet", frame, pd.PeriodIndex([pd.Period("2024-03", freq="M")]),
                        frame["log_price"])


# --------------------------------------------------------------------------------------------
# backtest
# --------------------------------------------------------------------------------------------

def test_backtest_mape_and_mase_by_hand():
    # 2025-01: 100, 2025-02: 110, (gap), 2025-04: 121, 2025-05: 100; min_train 2.
    frame = _tiny_frame({"2025-01": 100.0, "2025-02": 110.0, "2025-04": 121.0, "2025-05": 100.0})
    bt = bl.backtest(frame, SPEC, min_train=2, models=("naive",), prefer="naive")
    # origin 2025-02: scale = |110-100| = 10; naive 110 -> errors 11 (Apr), 10 (May)
    # origin 2025-04: scale = (10 + 11) / 2 = 10.5; naive 121 -> error 21 (May)
    # MASE = (11/10 + 10/10 + 21/10.5) / 3 = (1.1 + 1.0 + 2.0) / 3 = 1.366667
    # MAPE = (11/121 + 10/100 + 21/100) / 3 * 100 = (9.0909 + 10 + 21) / 3 = 13.36364 %
    row = bt.summary.set_index("model").loc["naive"]
    assert row["n_forecasts"] == 3
    assert row["mase"] == pytest.approx(4.1 / 3, rel=1e-9)
    assert row["mape_pct"] == pytest.approx((100 * 11 / 121 + 10 + 21) / 3, rel=1e-9)
    assert list(bt.errors["horizon_months"]) == [2, 3, 1]
    assert bt.chosen == "naive"


def test_backtest_summary_one_row_per_candidate():
    exports, prices, _ = synthetic_exports(noise_sd=0.05, start="2022-01")
    frame = bl.monthly_frame(exports, prices, SPEC)
    bt = bl.backtest(frame, SPEC, min_train=10)
    s = bt.summary
    assert sorted(s["model"]) == sorted(bl.CANDIDATES) and len(s) == len(bl.CANDIDATES)
    for col in ("mape_pct", "mase", "rmse_log", "sd_level_log", "sd_idiosyncratic_log"):
        assert np.isfinite(s[col]).all(), col
        assert (s[col] >= 0).all(), col
    assert s["n_forecasts"].nunique() == 1          # every model forecasts the same targets
    assert s["chosen"].sum() == 1 and bt.chosen in bl.PRICE_MODELS
    assert set(s.loc[s["price_conditional"], "model"]) == set(bl.PRICE_MODELS)
    # data built from prices: a price-conditional model beats the naive benchmark
    mase = s.set_index("model")["mase"]
    assert mase[bt.chosen] < mase["naive"]
    assert mase[bt.chosen] == mase[list(bl.PRICE_MODELS)].min()
    # only observed months are targets; errors are never computed on gaps
    assert bt.errors["actual_usd_m"].notna().all()


def test_mase_of_a_perfect_model_is_zero():
    exports, prices, _ = synthetic_exports(noise_sd=0.0, start="2020-01")
    frame = bl.monthly_frame(exports, prices, SPEC)
    bt = bl.backtest(frame, SPEC, min_train=10, models=("naive", "drift", "regression"),
                     prefer="auto")
    mase = bt.summary.set_index("model")["mase"]
    assert mase["regression"] < 1e-8                 # exact data: exact forecasts
    assert bt.summary.set_index("model").loc["regression", "mape_pct"] < 1e-6
    assert mase["naive"] > 0.1 and mase["drift"] > 0.1
    assert bt.chosen == "regression"


# --------------------------------------------------------------------------------------------
# projection
# --------------------------------------------------------------------------------------------

def _fitted_by_hand(frame: pd.DataFrame, last: str) -> bl.FittedSeries:
    obs = frame["value_usd_m"].dropna()
    return bl.FittedSeries(SPEC, "regression", elasticity=0.6, intercept=1.0, rmse_log=0.1,
                           sd_level_log=0.05, sd_idiosyncratic_log=0.1,
                           last_observed=pd.Period(last, freq="M"), n_observed=len(obs),
                           frame=frame, backtest=None)


def _flat_price_frame(values: dict[str, float], price: float = 50.0) -> pd.DataFrame:
    prices = synthetic_prices().assign(price=price)
    exports = export_rows({pd.Period(k, freq="M"): v for k, v in values.items()})
    return bl.monthly_frame(exports, prices, SPEC)


def test_project_annual_future_years_by_hand():
    frame = _flat_price_frame({"2025-01": 10.0, "2025-02": 11.0, "2025-03": 12.0,
                               "2025-04": 13.0, "2025-05": 14.0, "2025-06": 15.0})
    f = _fitted_by_hand(frame, "2025-06")
    out = bl.project_annual(f, {2026: 100.0, 2027: 80.0}, [2026, 2027, 2028]).set_index("year")
    # monthly value = exp(intercept + elasticity ln price + sd_idio^2 / 2)
    #               = exp(1 + 0.6 ln p + 0.005) = e^1.005 * p^0.6
    # 2026: 12 * e^1.005 * 100^0.6 = 12 * 2.731907 * 15.848932 = 12 * 43.297812 = 519.5737
    # 2027: 12 * e^1.005 *  80^0.6 = 12 * 2.731907 * 13.862...  ; 2028: the path stays at 80
    m100 = math.exp(1.005) * 100 ** 0.6
    m80 = math.exp(1.005) * 80 ** 0.6
    assert out.at[2026, "value_usd_m"] == pytest.approx(12 * m100, rel=1e-12)
    assert out.at[2026, "value_usd_m"] == pytest.approx(519.5737, abs=1e-3)
    assert out.at[2027, "value_usd_m"] == pytest.approx(12 * m80, rel=1e-12)
    assert out.at[2028, "value_usd_m"] == pytest.approx(12 * m80, rel=1e-12)
    assert list(out["n_months_observed"]) == [0, 0, 0]
    # 2026.5 - (2025 + 6/12) = 1.0 year since the last observation
    assert out.at[2026, "years_since_last_observation"] == pytest.approx(1.0)


def test_project_annual_keeps_printed_months_and_fills_gaps_with_forecasts():
    # printed Jan, Feb, Apr, May, Jun 2025 (March is a gap); last observation June;
    # the realised price is 50 in every month (no 2025 in the scenario path).
    frame = _flat_price_frame({"2025-01": 10.0, "2025-02": 11.0, "2025-04": 13.0,
                               "2025-05": 14.0, "2025-06": 15.0})
    f = _fitted_by_hand(frame, "2025-06")
    out = bl.project_annual(f, {2026: 100.0}, [2025, 2026]).set_index("year")
    # 2025 = printed (10 + 11 + 13 + 14 + 15 = 63) + 7 forecast months (Mar, Jul..Dec)
    #        at the realised price 50: 63 + 7 * e^1.005 * 50^0.6
    m50 = math.exp(1.005) * 50 ** 0.6
    assert out.at[2025, "value_usd_m"] == pytest.approx(63 + 7 * m50, rel=1e-12)
    assert out.at[2025, "n_months_observed"] == 5
    assert out.at[2026, "value_usd_m"] == pytest.approx(12 * math.exp(1.005) * 100 ** 0.6,
                                                        rel=1e-12)


# --------------------------------------------------------------------------------------------
# real ledger
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_tables(built_processed):
    return (pd.read_csv(built_processed / "exports.csv"),
            pd.read_csv(built_processed / "prices_monthly.csv"))


def test_real_backtest_is_reproducible_and_price_conditional(real_tables):
    exports, prices = real_tables
    first = {s.label: bl.fit_series(exports, prices, s) for s in bl.DEFAULT_SERIES}
    for spec in bl.DEFAULT_SERIES:
        f = first[spec.label]
        assert f.model in bl.PRICE_MODELS, spec.label
        s = f.backtest.summary.set_index("model")
        assert s.loc[f.model, "chosen"]
        assert s.loc[f.model, "mase"] == s.loc[list(bl.PRICE_MODELS), "mase"].min()
        assert np.isfinite(s["mase"]).all() and np.isfinite(s["mape_pct"]).all()
        assert np.isfinite(f.elasticity) and f.n_observed >= 11
    # second run of the two Kaltara series (the cheapest) gives identical tables
    for spec in bl.DEFAULT_SERIES[2:]:
        again = bl.fit_series(exports, prices, spec)
        pd.testing.assert_frame_equal(again.backtest.summary, first[spec.label].backtest.summary)
        pd.testing.assert_frame_equal(again.backtest.errors, first[spec.label].backtest.errors)
        assert (again.model, again.elasticity, again.intercept) == (
            first[spec.label].model, first[spec.label].elasticity, first[spec.label].intercept)


def test_real_monthly_frames_have_gaps_left_missing(real_tables):
    exports, prices = real_tables
    for spec in bl.DEFAULT_SERIES:
        frame = bl.monthly_frame(exports, prices, spec)
        sel = exports[(exports["province"] == spec.province) & (exports["concept"] == spec.concept)
                      & (exports["flow"] == spec.flow) & (exports["period_type"] == "month")]
        assert frame["value_usd_m"].notna().sum() == len(sel)   # no month added or dropped
        assert frame["value_usd_m"].isna().any()                # the ledger has gaps
