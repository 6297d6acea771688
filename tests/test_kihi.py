"""Tests for the KIHI project model (expected numbers worked by hand)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kaltim_research.models.levers.kihi import PowerSpec, ProjectSpec, ramp_fraction, simulate_projects

YEARS = np.arange(2027, 2033)  # 2027 .. 2032
T = len(YEARS)

SMELTER = ProjectSpec(
    name="aluminium phase 1",
    product="aluminium",
    nameplate_t_per_year=500_000,
    first_year=2028,
    ramp_up=(0.45, 0.90, 1.0),
    export_share=0.7,
    operating_jobs=1500,
)


def _ample_power(n=1):
    return PowerSpec(hydro_twh_by_year=np.zeros((n, T)), captive_coal_twh=np.full((n, T), 100.0))


def _draws(n=1, delay=0.0):
    return {
        "utilisation": np.full(n, 0.95),
        "price_usd_per_t/aluminium": np.full((n, T), 2500.0),
        "start_delay_years/aluminium phase 1": np.full(n, delay),
    }


def test_hand_example_and_one_year_delay_shifts_ramp():
    # 500 kt nameplate, ramp 0.45 / 0.90 / 1.0, utilisation 0.95, power ample:
    #   1st operating year: 500,000 * 0.45 * 0.95 = 213,750 t
    #   2nd:                500,000 * 0.90 * 0.95 = 427,500 t
    #   3rd+:               500,000 * 1.00 * 0.95 = 475,000 t
    # Export value = t * 0.7 * 2,500 / 1e6 US$m:
    #   213,750 * 0.7 = 149,625 t * 2,500 = 374,062,500 -> 374.0625
    #   427,500 * 0.7 = 299,250 t * 2,500 = 748,125,000 -> 748.125
    #   475,000 * 0.7 = 332,500 t * 2,500 = 831,250,000 -> 831.25
    on_time = simulate_projects(YEARS, [SMELTER], _draws(delay=0.0), _ample_power())
    # years 2027 .. 2032, first production 2028
    np.testing.assert_allclose(on_time.output_t[0, 0], [0, 213_750, 427_500, 475_000, 475_000, 475_000])
    np.testing.assert_allclose(
        on_time.export_value_usd_m[0, 0], [0, 374.0625, 748.125, 831.25, 831.25, 831.25]
    )
    np.testing.assert_allclose(
        on_time.capacity_online_t[0, 0], [0, 225_000, 450_000, 500_000, 500_000, 500_000]
    )
    # delay of one year: first production 2029
    late = simulate_projects(YEARS, [SMELTER], _draws(delay=1.0), _ample_power())
    np.testing.assert_allclose(late.output_t[0, 0], [0, 0, 213_750, 427_500, 475_000, 475_000])
    np.testing.assert_allclose(late.export_value_usd_m[0, 0], [0, 0, 374.0625, 748.125, 831.25, 831.25])
    # power: 213,750 t * 14.5 MWh/t = 3,099,375 MWh = 3.099375 TWh (all captive coal)
    assert late.power_demand_twh[0, 2] == pytest.approx(3.099375)
    assert late.captive_coal_used_twh[0, 2] == pytest.approx(3.099375)
    assert late.hydro_used_twh[0, 2] == 0.0
    # emissions on coal: 213,750 * 16.6 = 3,548,250 t = 3.54825 Mt
    assert late.emissions_mt_co2[0, 2] == pytest.approx(3.54825)
    # jobs: 1,500 * 213,750 / 500,000 = 641.25
    assert late.jobs[0, 2] == pytest.approx(641.25)


def test_fractional_delay_is_pro_rated():
    # start 2028 + 0.5 = mid-2028:
    #   2028: 0.5 * 0    + 0.5 * 0.45 = 0.225
    #   2029: 0.5 * 0.45 + 0.5 * 0.90 = 0.675
    #   2030: 0.5 * 0.90 + 0.5 * 1.0  = 0.95
    #   2031: 1.0
    f = ramp_fraction(YEARS, 2028, np.array([0.5]), (0.45, 0.9, 1.0))
    np.testing.assert_allclose(f, [[0.0, 0.225, 0.675, 0.95, 1.0, 1.0]])


def test_power_priority_hydro_first_emissions_cbam_jobs_by_hand():
    # Project A (priority 1): 200 kt, 10 MWh/t, jobs 1,000, export share 0.5, EU 40 % of exports.
    # Project B (priority 2): 300 kt silicon, 15 MWh/t, jobs 600, export share 0.5.
    # Power: hydro 1.5 TWh + coal 2.0 TWh = 3.5 TWh. Utilisation 1, fully ramped.
    # A needs 200,000 * 10 = 2.0 TWh: hydro 1.5 + coal 0.5 -> hydro share 0.75.
    # B: remaining 1.5 TWh coal -> limit 1.5e6 / 15 = 100,000 t (wants 300,000).
    a = ProjectSpec(
        "A",
        "aluminium",
        200_000,
        2020,
        ramp_up=(1.0,),
        power_mwh_per_t=10.0,
        export_share=0.5,
        eu_export_share=0.4,
        operating_jobs=1000,
    )
    b = ProjectSpec(
        "B",
        "silicon",
        300_000,
        2020,
        ramp_up=(1.0,),
        power_mwh_per_t=15.0,
        export_share=0.5,
        operating_jobs=600,
    )
    years = np.array([2030])
    draws = {
        "utilisation": np.array([1.0]),
        "price_usd_per_t/aluminium": np.array([[2000.0]]),
        "price_usd_per_t/silicon": np.array([[1800.0]]),
        "green_premium_usd_per_t": np.array([[100.0]]),
        "eu_carbon_price_usd_per_t": np.array([[80.0]]),
    }
    r = simulate_projects(years, [a, b], draws, PowerSpec(np.array([[1.5]]), np.array([[2.0]])))
    assert r.products == ("aluminium", "silicon")
    np.testing.assert_allclose(r.output_t[0, :, 0], [200_000, 100_000])
    # A's limit: 3.5e6 MWh / 10 = 350,000 t; B's: 100,000 t
    np.testing.assert_allclose(r.power_limited_output_t[0, :, 0], [350_000, 100_000])
    np.testing.assert_allclose(r.hydro_used_twh, [[1.5]])
    np.testing.assert_allclose(r.captive_coal_used_twh, [[2.0]])
    np.testing.assert_allclose(r.power_demand_twh, [[3.5]])
    # A per tonne: 0.75 * 4.0 + 0.25 * 16.6 = 3.0 + 4.15 = 7.15 t CO2 -> 1,430,000 t
    # B per tonne: 16.6 -> 1,660,000 t. Total 3,090,000 t = 3.09 Mt
    np.testing.assert_allclose(r.emissions_mt_co2, [[3.09]])
    # Export value A: 100,000 t exported * (2,000 + 0.75 * 100) = 207,500,000 -> 207.5
    #              B: 50,000 t * 1,800 = 90,000,000 -> 90.0
    np.testing.assert_allclose(r.export_value_usd_m[0, :, 0], [207.5, 90.0])
    # CBAM: A EU tonnes 200,000 * 0.5 * 0.4 = 40,000 * 7.15 = 286,000 t = 0.286 Mt
    #       cost 286,000 * 80 / 1e6 = 22.88 US$m
    np.testing.assert_allclose(r.cbam_exposed_emissions_mt_co2, [[0.286]])
    np.testing.assert_allclose(r.cbam_cost_usd_m, [[22.88]])
    # jobs: 1,000 * 1 + 600 * 100,000 / 300,000 = 1,000 + 200 = 1,200
    np.testing.assert_allclose(r.jobs, [[1200.0]])


def test_all_hydro_emits_less_than_all_coal():
    # same 10 TWh either all hydro or all coal; smelter fully ramped
    years = np.array([2032])
    draws = {"utilisation": np.array([0.95]), "price_usd_per_t/aluminium": np.array([[2500.0]])}
    hydro = simulate_projects(years, [SMELTER], draws, PowerSpec(np.array([[10.0]]), np.array([[0.0]])))
    coal = simulate_projects(years, [SMELTER], draws, PowerSpec(np.array([[0.0]]), np.array([[10.0]])))
    np.testing.assert_allclose(hydro.output_t, coal.output_t)
    # 475,000 t * 4.0 = 1.9 Mt vs 475,000 * 16.6 = 7.885 Mt
    assert hydro.emissions_mt_co2[0, 0] == pytest.approx(1.9)
    assert coal.emissions_mt_co2[0, 0] == pytest.approx(7.885)
    assert hydro.emissions_mt_co2[0, 0] < coal.emissions_mt_co2[0, 0]


def test_zero_projects_give_zeros():
    n = 4
    r = simulate_projects(YEARS, [], {}, _ample_power(n))
    assert r.products == ()
    assert r.output_t.shape == (n, 0, T)
    assert r.export_value_usd_m.shape == (n, 0, T)
    for field in (
        "power_demand_twh",
        "hydro_used_twh",
        "captive_coal_used_twh",
        "emissions_mt_co2",
        "cbam_exposed_emissions_mt_co2",
        "cbam_cost_usd_m",
        "jobs",
    ):
        np.testing.assert_array_equal(getattr(r, field), np.zeros((n, T)))


def test_zero_projects_tolerates_usual_draws_when_not_strict():
    r = simulate_projects(YEARS, [], _draws(), _ample_power(), strict_keys=False)
    np.testing.assert_array_equal(r.power_demand_twh, np.zeros((1, T)))


def test_unknown_and_missing_keys_raise():
    d = _draws()
    d["start_delay_years/aluminium phase one"] = np.zeros(1)  # typo in project name
    with pytest.raises(ValueError, match="phase one"):
        simulate_projects(YEARS, [SMELTER], d, _ample_power())
    d = _draws()
    del d["price_usd_per_t/aluminium"]
    with pytest.raises(ValueError, match="price_usd_per_t/aluminium"):
        simulate_projects(YEARS, [SMELTER], d, _ample_power())


# ---------------------------------------------------------------- property tests

N = 3
YRS = np.arange(2026, 2036)
TT = len(YRS)


@st.composite
def project_lists(draw, min_size=1, max_size=3):
    k = draw(st.integers(min_size, max_size))
    out = []
    for i in range(k):
        ramp = tuple(draw(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=4)))
        out.append(
            ProjectSpec(
                name=f"p{i}",
                product=draw(st.sampled_from(["aluminium", "silicon"])),
                nameplate_t_per_year=draw(st.floats(0.0, 2e6)),
                first_year=draw(st.integers(2024, 2036)),
                ramp_up=ramp,
                power_mwh_per_t=draw(st.floats(0.5, 20.0)),
                export_share=draw(st.floats(0.0, 1.0)),
                eu_export_share=draw(st.floats(0.0, 1.0)),
                operating_jobs=draw(st.floats(0.0, 3000.0)),
            )
        )
    return out


@st.composite
def draw_dicts(draw, projects):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    d = {
        "utilisation": rng.uniform(0, 1, N),
        "green_premium_usd_per_t": rng.uniform(0, 200, (N, TT)),
        "eu_carbon_price_usd_per_t": rng.uniform(0, 150, (N, TT)),
    }
    for p in projects:
        d[f"price_usd_per_t/{p.product}"] = rng.uniform(1000, 3500, (N, TT))
        d[f"start_delay_years/{p.name}"] = rng.uniform(0, 4, N)
    return d


@st.composite
def power_specs(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scale = draw(st.sampled_from([0.0, 1.0, 10.0, 50.0]))
    return PowerSpec(rng.uniform(0, scale, (N, TT)), rng.uniform(0, scale, (N, TT)))


@st.composite
def scenarios(draw):
    projects = draw(project_lists())
    return projects, draw(draw_dicts(projects)), draw(power_specs())


def _tol(x):
    return 1e-9 * (1.0 + np.abs(x))


def _one_product_each(projects, draws):
    """Give each project its own product so per-product arrays are per-project arrays."""
    renamed = [replace(p, product=f"prod{i}") for i, p in enumerate(projects)]
    d = {k: v for k, v in draws.items() if not k.startswith("price_usd_per_t/")}
    for i in range(len(projects)):
        d[f"price_usd_per_t/prod{i}"] = np.full((N, TT), 2000.0)
    return renamed, d


@settings(max_examples=100, deadline=None)
@given(sc=scenarios())
def test_output_within_capacity_utilisation_and_power(sc):
    projects, draws, power = sc
    projects, draws = _one_product_each(projects, draws)
    r = simulate_projects(YRS, projects, draws, power)
    util = draws["utilisation"][:, None, None]
    assert np.all(r.output_t >= 0)
    assert np.all(r.output_t <= r.capacity_online_t * util + _tol(r.output_t))
    assert np.all(r.output_t <= r.power_limited_output_t + _tol(r.output_t))
    # energy used never exceeds what is available, by source
    assert np.all(r.hydro_used_twh <= power.hydro_twh_by_year + _tol(r.hydro_used_twh))
    assert np.all(r.captive_coal_used_twh <= power.captive_coal_twh + _tol(r.hydro_used_twh))
    # energy balance: sum of output * intensity
    intensity = np.array([p.power_mwh_per_t for p in projects])[None, :, None]
    np.testing.assert_allclose(
        r.power_demand_twh, (r.output_t * intensity).sum(axis=1) / 1e6, rtol=1e-9, atol=1e-9
    )


@settings(max_examples=100, deadline=None)
@given(sc=scenarios(), idx=st.integers(0, 2), factor=st.floats(1.0, 3.0))
def test_more_nameplate_never_lowers_output(sc, idx, factor):
    projects, draws, power = sc
    projects, draws = _one_product_each(projects, draws)
    idx = idx % len(projects)
    bigger = list(projects)
    bigger[idx] = replace(projects[idx], nameplate_t_per_year=projects[idx].nameplate_t_per_year * factor)
    low = simulate_projects(YRS, projects, draws, power)
    high = simulate_projects(YRS, bigger, draws, power)
    # the enlarged project and every project ahead of it in priority never lose output
    sl = slice(0, idx + 1)
    assert np.all(high.output_t[:, sl] >= low.output_t[:, sl] - _tol(low.output_t[:, sl]))
    # total electricity used never falls
    assert np.all(high.power_demand_twh >= low.power_demand_twh - _tol(low.power_demand_twh))
    # a single project: output never lower
    if len(projects) == 1:
        assert np.all(high.output_t >= low.output_t - _tol(low.output_t))


@settings(max_examples=100, deadline=None)
@given(sc=scenarios(), cod=st.integers(2026, 2035), lag=st.integers(1, 5), coal=st.floats(0.0, 8.0))
def test_later_hydro_cod_never_raises_output(sc, cod, lag, coal):
    projects, draws, _ = sc
    hydro_twh = 9.0  # Mentarang Induk ~9 TWh/yr
    early = PowerSpec(np.where(YRS >= cod, hydro_twh, 0.0), np.full(TT, coal))
    late = PowerSpec(np.where(YRS >= cod + lag, hydro_twh, 0.0), np.full(TT, coal))
    r_early = simulate_projects(YRS, projects, draws, early)
    r_late = simulate_projects(YRS, projects, draws, late)
    assert np.all(r_late.output_t <= r_early.output_t + _tol(r_early.output_t))


@settings(max_examples=50, deadline=None)
@given(sc=scenarios())
def test_vectorised_equals_one_draw_at_a_time(sc):
    projects, draws, power = sc
    full = simulate_projects(YRS, projects, draws, power)
    for i in range(N):
        d1 = {k: v[i : i + 1] for k, v in draws.items()}
        p1 = PowerSpec(power.hydro_twh_by_year[i : i + 1], power.captive_coal_twh[i : i + 1])
        one = simulate_projects(YRS, projects, d1, p1)
        for field in ("output_t", "export_value_usd_m", "power_limited_output_t"):
            np.testing.assert_allclose(getattr(full, field)[i], getattr(one, field)[0], rtol=1e-12, atol=0)
        for field in ("power_demand_twh", "emissions_mt_co2", "cbam_cost_usd_m", "jobs"):
            np.testing.assert_allclose(getattr(full, field)[i], getattr(one, field)[0], rtol=1e-12, atol=0)


# --------------------------------------------------------------------------------------------
# captive power: its own schedule of units (issue 19), so the cap can bind
# --------------------------------------------------------------------------------------------

def test_captive_schedule_by_hand():
    """Two 100 MW units, first due 2026 + 0.5 year delay, one a year, availability 0.8:
    2026 has half a year of unit 1; 2027 all of unit 1 and half of unit 2; 2028 both."""
    from kaltim_research.models.levers.power_supply import captive_schedule_twh
    twh = captive_schedule_twh([2025, 2026, 2027, 2028], 2026, np.array([0.5]), (100.0, 100.0),
                               np.array([1.0]), np.array([0.8]))
    full = 100 * 8760 * 0.8 / 1e6
    np.testing.assert_allclose(twh, [[0.0, 0.5 * full, 1.5 * full, 2.0 * full]])


def test_power_cap_binds_when_units_lag():
    """With the captive units one and a half years apart, the smelter ramp (one 100 kt step a
    year) outruns its power in some year: output below capacity × utilisation there, and
    output is never above what the power allows."""
    from kaltim_research.models.levers.power_supply import captive_schedule_twh
    years = np.arange(2026, 2032)
    proj = ProjectSpec(name="smelter", product="aluminium", nameplate_t_per_year=500_000,
                       first_year=2026, ramp_up=(0.2, 0.4, 0.6, 0.8, 1.0))
    coal = captive_schedule_twh(years, 2026, np.array([0.0]), (270.0,) * 4, np.array([1.5]),
                                np.array([0.8]))
    res = simulate_projects(years, [proj], {"utilisation": np.array([0.95]),
                                            "price_usd_per_t/aluminium": np.full((1, 6), 2500.0)},
                            PowerSpec(hydro_twh_by_year=np.zeros(6), captive_coal_twh=coal))
    cap = res.capacity_online_t[:, 0] * 0.95
    assert (res.output_t[:, 0] < cap - 1).any()
    assert (res.output_t[:, 0] <= res.power_limited_output_t[:, 0] + 1e-6).all()
