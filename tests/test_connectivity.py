"""Tests for the Kaltim-Kaltara connectivity module (expected numbers worked by hand)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kaltim_research.models.levers.connectivity import simulate_connectivity

YEARS = np.array([2028, 2029, 2030])


def test_hand_example():
    # outside 10 US$m; 20 % to Kaltim = 2, 30 % to Kaltara = 3, still outside 10 - 5 = 5.
    # KIHI 100 US$m, 25 % via Kaltim = 25, via Kaltara 75.
    # Kaltim ports handle 2 + 25 = 27; Kaltara ports 3 + 75 = 78.
    r = simulate_connectivity(
        YEARS,
        np.full((1, 3), 10.0),
        np.full((1, 3), 0.2),
        np.full((1, 3), 0.3),
        np.full((1, 3), 100.0),
        np.full((1, 3), 0.25),
    )
    np.testing.assert_allclose(r.rerouted_to_kaltim_usd_m, [[2.0, 2.0, 2.0]])
    np.testing.assert_allclose(r.rerouted_to_kaltara_usd_m, [[3.0, 3.0, 3.0]])
    np.testing.assert_allclose(r.still_outside_usd_m, [[5.0, 5.0, 5.0]])
    np.testing.assert_allclose(r.kihi_via_kaltim_usd_m, [[25.0, 25.0, 25.0]])
    np.testing.assert_allclose(r.kihi_via_kaltara_usd_m, [[75.0, 75.0, 75.0]])
    np.testing.assert_allclose(r.handled_by_kaltim_ports_usd_m, [[27.0, 27.0, 27.0]])
    np.testing.assert_allclose(r.handled_by_kaltara_ports_usd_m, [[78.0, 78.0, 78.0]])
    np.testing.assert_array_equal(r.years, YEARS)


def test_year_path_inputs_broadcast_over_draws():
    # BPS Kaltara monthly figures as a toy path: 5.95 and 11.55 US$m; Kaltim share 0, 0.5.
    # 2 draws via a (2, 1) KIHI column: 10 and 20; share via Kaltim 0.1 -> 1 and 2.
    r = simulate_connectivity(
        YEARS[:2],
        np.array([5.95, 11.55]),
        np.array([0.0, 0.5]),
        0.0,
        np.array([[10.0], [20.0]]),
        0.1,
    )
    np.testing.assert_allclose(r.rerouted_to_kaltim_usd_m, [[0.0, 5.775], [0.0, 5.775]])
    np.testing.assert_allclose(r.kihi_via_kaltim_usd_m, [[1.0, 1.0], [2.0, 2.0]])


def test_shares_above_one_raise_naming_the_year():
    with pytest.raises(ValueError, match="2029"):
        simulate_connectivity(
            YEARS,
            np.full((2, 3), 10.0),
            np.array([[0.2, 0.6, 0.2], [0.2, 0.2, 0.2]]),
            np.array([[0.3, 0.5, 0.3], [0.3, 0.3, 0.3]]),  # 0.6 + 0.5 = 1.1 in 2029
            np.zeros((2, 3)),
            np.zeros((2, 3)),
        )


def test_zero_shares_reroute_nothing():
    outside = np.array([[5.95, 11.55, 7.3]])
    r = simulate_connectivity(
        YEARS, outside, np.zeros((1, 3)), np.zeros((1, 3)), np.zeros((1, 3)), np.zeros((1, 3))
    )
    np.testing.assert_array_equal(r.rerouted_to_kaltim_usd_m, np.zeros((1, 3)))
    np.testing.assert_array_equal(r.rerouted_to_kaltara_usd_m, np.zeros((1, 3)))
    np.testing.assert_array_equal(r.still_outside_usd_m, outside)


def test_share_outside_unit_interval_raises():
    with pytest.raises(ValueError, match="kihi_share_via_kaltim"):
        simulate_connectivity(YEARS, 1.0, 0.0, 0.0, 1.0, 1.5)


N, T = 4, 5
YRS = np.arange(2026, 2026 + T)
values = arrays(float, (N, T), elements=st.floats(0.0, 1e6, allow_subnormal=False))
unit = arrays(float, (N, T), elements=st.floats(0.0, 1.0))


@st.composite
def share_pairs(draw):
    a = draw(unit)
    b = draw(unit) * (1.0 - a)  # sum <= 1 (up to rounding, within tolerance)
    return a, b


@settings(max_examples=200, deadline=None)
@given(outside=values, shares=share_pairs(), kihi=values, k_share=unit)
def test_conservation_identity(outside, shares, kihi, k_share):
    a, b = shares
    r = simulate_connectivity(YRS, outside, a, b, kihi, k_share)
    total = r.rerouted_to_kaltim_usd_m + r.rerouted_to_kaltara_usd_m + r.still_outside_usd_m
    np.testing.assert_array_equal(total, outside)  # exact, not approximate
    assert np.all(r.still_outside_usd_m >= 0)
    np.testing.assert_allclose(r.kihi_via_kaltim_usd_m + r.kihi_via_kaltara_usd_m, kihi, rtol=1e-15)
    # rerouted parts differ from value x share by at most one ulp of the outside value
    assert np.all(np.abs(r.rerouted_to_kaltim_usd_m - outside * a) <= np.spacing(outside))
    assert np.all(np.abs(r.rerouted_to_kaltara_usd_m - outside * b) <= np.spacing(outside))
    np.testing.assert_allclose(
        r.handled_by_kaltim_ports_usd_m,
        r.rerouted_to_kaltim_usd_m + r.kihi_via_kaltim_usd_m,
        rtol=1e-15,
    )


@settings(max_examples=50, deadline=None)
@given(outside=values, shares=share_pairs(), kihi=values, k_share=unit)
def test_vectorised_equals_one_draw_at_a_time(outside, shares, kihi, k_share):
    a, b = shares
    full = simulate_connectivity(YRS, outside, a, b, kihi, k_share)
    for i in range(N):
        one = simulate_connectivity(
            YRS, outside[i : i + 1], a[i : i + 1], b[i : i + 1], kihi[i : i + 1], k_share[i : i + 1]
        )
        for field in (
            "rerouted_to_kaltim_usd_m",
            "rerouted_to_kaltara_usd_m",
            "still_outside_usd_m",
            "handled_by_kaltim_ports_usd_m",
            "handled_by_kaltara_ports_usd_m",
        ):
            np.testing.assert_array_equal(getattr(full, field)[i], getattr(one, field)[0])
