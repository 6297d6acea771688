"""Tests for the Export Center Balikpapan cohort model (expected numbers worked by hand)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kaltim_research.models.levers.export_center import (
    allocate_to_destinations,
    elasticity_crosscheck,
    promotion_crosscheck,
    simulate_cohorts,
    survival_curve,
)

YEARS3 = np.array([2025, 2026, 2027])


def _one_draw(**overrides):
    """Single-draw arguments for the hand examples."""
    args = dict(
        years=YEARS3,
        onboarded_per_year=np.array([100.0, 0.0, 0.0]),
        match_rate=np.array([0.1]),
        first_year_value_usd_k=np.array([75.0]),
        continuation_rates=np.array([[0.5]]),
        later_continuation_rate=np.array([0.5]),
        survival_uplift_year1=np.array([0.0]),
        survivor_growth_rate=np.array([0.05]),
        start_year=2025,
    )
    args.update(overrides)
    return args


def test_hand_worked_single_cohort():
    # 100 firms onboarded in 2025, match 0.1 -> 10 new exporters in 2025.
    # Continuation 0.5 every year -> active 10, 5, 2.5.
    # Value per firm: 75k = 0.075 US$m at age 0, x1.05 per year of age.
    #   2025: 10  * 0.075            = 0.75
    #   2026: 5   * 0.075 * 1.05     = 0.39375
    #   2027: 2.5 * 0.075 * 1.05**2  = 2.5 * 0.075 * 1.1025 = 0.20671875
    r = simulate_cohorts(**_one_draw())
    np.testing.assert_allclose(r.new_exporters, [[10.0, 0.0, 0.0]])
    np.testing.assert_allclose(r.active_exporters, [[10.0, 5.0, 2.5]])
    np.testing.assert_allclose(r.new_export_value_usd_m, [[0.75, 0.0, 0.0]])
    np.testing.assert_allclose(r.export_value_usd_m, [[0.75, 0.39375, 0.20671875]])
    # 0.75 + 0.39375 = 1.14375; + 0.20671875 = 1.35046875
    np.testing.assert_allclose(r.cumulative_value_usd_m, [[0.75, 1.14375, 1.35046875]])
    np.testing.assert_array_equal(r.years, YEARS3)


def test_hand_worked_two_cohorts_with_uplift():
    # Onboarded 100 (2025) and 200 (2026); match 0.1 -> new 10 and 20.
    # Rates: first 0.5 + uplift 0.1 = 0.6, second 0.6 -> S = 1, 0.6, 0.36.
    # Active: 2025: 10; 2026: 10*0.6 + 20 = 26; 2027: 10*0.36 + 20*0.6 = 3.6 + 12 = 15.6.
    # Value per firm (v1 = 50k, g = 0.10): 0.05, 0.055, 0.0605 US$m at ages 0, 1, 2.
    #   2025: 10 * 0.05 = 0.5
    #   2026: 6 * 0.055 + 20 * 0.05 = 0.33 + 1.0 = 1.33
    #   2027: 3.6 * 0.0605 + 12 * 0.055 = 0.2178 + 0.66 = 0.8778
    r = simulate_cohorts(
        **_one_draw(
            onboarded_per_year=np.array([100.0, 200.0, 0.0]),
            first_year_value_usd_k=np.array([50.0]),
            continuation_rates=np.array([[0.5, 0.6]]),
            later_continuation_rate=np.array([0.8]),
            survival_uplift_year1=np.array([0.1]),
            survivor_growth_rate=np.array([0.10]),
        )
    )
    np.testing.assert_allclose(r.new_exporters, [[10.0, 20.0, 0.0]])
    np.testing.assert_allclose(r.active_exporters, [[10.0, 26.0, 15.6]])
    np.testing.assert_allclose(r.export_value_usd_m, [[0.5, 1.33, 0.8778]])
    # new exporters' value: 10 * 0.05 = 0.5 ; 20 * 0.05 = 1.0
    np.testing.assert_allclose(r.new_export_value_usd_m, [[0.5, 1.0, 0.0]])


def test_onboarding_before_start_year_is_ignored():
    # 100 firms "onboarded" in 2025 but centre starts 2026 -> nothing at all.
    r = simulate_cohorts(**_one_draw(start_year=2026))
    np.testing.assert_array_equal(r.export_value_usd_m, np.zeros((1, 3)))
    np.testing.assert_array_equal(r.active_exporters, np.zeros((1, 3)))


def test_uplift_is_clipped_to_one():
    # 0.95 + 0.10 = 1.05 -> clipped to 1.0: all 10 new exporters still active in 2026.
    r = simulate_cohorts(
        **_one_draw(
            continuation_rates=np.array([[0.95]]),
            survival_uplift_year1=np.array([0.10]),
        )
    )
    assert r.active_exporters[0, 1] == pytest.approx(10.0)


def test_survival_after_12_years_defaults_about_5_percent():
    # Ages 0..12; 12 transitions: 0.45, 0.63, 0.72 then nine at 0.85.
    # 0.45 * 0.63 = 0.2835 ; * 0.72 = 0.20412
    # 0.85**2 = 0.7225 ; **4 = 0.52200625 ; **8 = 0.2724905... ; **9 = 0.2316169...
    # 0.20412 * 0.2316169 = 0.047278  (Pane & Patunru 2021 report 5.2 %)
    s = survival_curve(np.array([[0.45, 0.63, 0.72]]), np.array([0.85]), np.array([0.0]), 13)
    assert s[0, 12] == pytest.approx(0.047278, abs=1e-5)
    assert abs(s[0, 12] - 0.052) < 0.006
    # the cohort model uses the same curve: active at age 12 / new exporters
    years = np.arange(2025, 2038)
    onb = np.zeros(13)
    onb[0] = 1000.0
    r = simulate_cohorts(
        years,
        onb,
        np.array([0.1]),
        np.array([75.0]),
        np.array([[0.45, 0.63, 0.72]]),
        np.array([0.85]),
        np.array([0.0]),
        np.array([0.05]),
        2025,
    )
    assert r.active_exporters[0, 12] / r.new_exporters[0, 0] == pytest.approx(0.047278, abs=1e-5)


# ---------------------------------------------------------------- property tests

N_DRAWS = 3
T_YEARS = 6
YEARS6 = np.arange(2025, 2025 + T_YEARS)

unit = st.floats(0.0, 1.0, allow_nan=False)
params = st.fixed_dictionaries(
    dict(
        match_rate=arrays(float, N_DRAWS, elements=unit),
        first_year_value_usd_k=arrays(float, N_DRAWS, elements=st.floats(0.0, 500.0)),
        continuation_rates=arrays(float, (N_DRAWS, 3), elements=unit),
        later_continuation_rate=arrays(float, N_DRAWS, elements=unit),
        survival_uplift_year1=arrays(float, N_DRAWS, elements=st.floats(0.0, 0.2)),
        survivor_growth_rate=arrays(float, N_DRAWS, elements=st.floats(0.0, 0.3)),
    )
)
onboarded = arrays(float, (N_DRAWS, T_YEARS), elements=st.floats(0.0, 1e4))


@settings(max_examples=50, deadline=None)
@given(p=params)
def test_zero_onboarding_gives_all_zero(p):
    r = simulate_cohorts(YEARS6, np.zeros((N_DRAWS, T_YEARS)), start_year=2025, **p)
    for field in (
        "active_exporters",
        "new_exporters",
        "new_export_value_usd_m",
        "export_value_usd_m",
        "cumulative_value_usd_m",
    ):
        np.testing.assert_array_equal(getattr(r, field), np.zeros((N_DRAWS, T_YEARS)))


@settings(max_examples=100, deadline=None)
@given(p=params, base=onboarded, extra=onboarded)
def test_more_onboarding_never_lowers_export_value(p, base, extra):
    low = simulate_cohorts(YEARS6, base, start_year=2025, **p)
    high = simulate_cohorts(YEARS6, base + extra, start_year=2025, **p)
    tol = 1e-9 * (1.0 + np.abs(low.export_value_usd_m))
    assert np.all(high.export_value_usd_m >= low.export_value_usd_m - tol)
    assert np.all(high.active_exporters >= low.active_exporters - 1e-9 * (1 + low.active_exporters))


@settings(max_examples=50, deadline=None)
@given(p=params, onb=onboarded)
def test_cumulative_is_running_sum(p, onb):
    r = simulate_cohorts(YEARS6, onb, start_year=2025, **p)
    running = np.zeros(N_DRAWS)
    for t in range(T_YEARS):
        running = running + r.export_value_usd_m[:, t]
        np.testing.assert_allclose(r.cumulative_value_usd_m[:, t], running, rtol=1e-12)


@settings(max_examples=50, deadline=None)
@given(p=params, onb=onboarded)
def test_vectorised_equals_one_draw_at_a_time(p, onb):
    full = simulate_cohorts(YEARS6, onb, start_year=2025, **p)
    for i in range(N_DRAWS):
        one = simulate_cohorts(
            YEARS6, onb[i : i + 1], start_year=2025, **{k: v[i : i + 1] for k, v in p.items()}
        )
        for field in ("active_exporters", "export_value_usd_m", "cumulative_value_usd_m"):
            np.testing.assert_allclose(getattr(full, field)[i], getattr(one, field)[0], rtol=1e-12, atol=0)


def test_one_dimensional_onboarding_broadcasts_over_draws():
    # (T,) onboarding with two draws of match 0.1 and 0.2 -> new 10 and 20 in 2025.
    r = simulate_cohorts(**_one_draw(match_rate=np.array([0.1, 0.2])))
    np.testing.assert_allclose(r.new_exporters[:, 0], [10.0, 20.0])


def test_non_consecutive_years_raise():
    with pytest.raises(ValueError, match="consecutive"):
        simulate_cohorts(**_one_draw(years=np.array([2025, 2027, 2028])))


def test_negative_onboarding_raises():
    with pytest.raises(ValueError, match="non-negative"):
        simulate_cohorts(**_one_draw(onboarded_per_year=np.array([100.0, -1.0, 0.0])))


# ---------------------------------------------------------------- destinations


def test_allocate_to_destinations_normalises_weights():
    value = np.array([[8.0, 4.0]])
    # weights 2:1:1 -> 0.5, 0.25, 0.25
    out = allocate_to_destinations(value, {"China": 2.0, "Japan": 1.0, "USA": 1.0})
    np.testing.assert_allclose(out["China"], [[4.0, 2.0]])
    np.testing.assert_allclose(out["Japan"], [[2.0, 1.0]])
    np.testing.assert_allclose(out["USA"], [[2.0, 1.0]])
    np.testing.assert_allclose(sum(out.values()), value)


def test_allocate_negative_weight_names_key():
    with pytest.raises(ValueError, match="Japan"):
        allocate_to_destinations(np.ones((1, 2)), {"China": 1.0, "Japan": -0.1})


def test_allocate_all_zero_raises():
    with pytest.raises(ValueError, match="zero"):
        allocate_to_destinations(np.ones((1, 2)), {"China": 0.0, "Japan": 0.0})


# ---------------------------------------------------------------- cross-checks


def test_promotion_crosscheck_hand_example():
    # budget 2 and 4 US$m in two years; 15 and 40 US$ of exports per US$ in two draws:
    # draw 0: 30, 60 ; draw 1: 80, 160
    out = promotion_crosscheck(np.array([2.0, 4.0]), np.array([15.0, 40.0]))
    np.testing.assert_allclose(out, [[30.0, 60.0], [80.0, 160.0]])


def test_promotion_crosscheck_square_case_uses_draw_axis():
    # N == T == 2 must not silently broadcast the per-draw ratio along years.
    budget = np.array([[1.0, 1.0], [1.0, 1.0]])
    out = promotion_crosscheck(budget, np.array([11.0, 19.0]))
    np.testing.assert_allclose(out, [[11.0, 11.0], [19.0, 19.0]])


def test_elasticity_crosscheck_hand_example():
    # base 1,000 US$m, budget +10 %, elasticity 0.074: 1000 * 0.074 * 0.10 = 7.4
    out = elasticity_crosscheck(np.array([[1000.0]]), 10.0, np.array([0.074]))
    np.testing.assert_allclose(out, [[7.4]])
