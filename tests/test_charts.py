"""Chart helpers: every chart has a title, a unit on its value axis and a source line; derived
values are marked (hollow markers, legend 'derived (see basis)') and gaps stay gaps."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from kaltim_research.report import charts  # noqa: E402

PROV = "Kalimantan Timur"
UNIT = "US$ million"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------

def titles(fig: Figure) -> list[str]:
    out = [ax.get_title() for ax in fig.axes]
    sup = fig.get_suptitle()
    return [t for t in [*out, sup] if t]


def source_texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.texts if t.get_text().startswith("Source:")]


def legend_labels(fig: Figure) -> list[str]:
    out = []
    for ax in fig.axes:
        for child in ax.get_children():
            if isinstance(child, matplotlib.legend.Legend):
                out += [t.get_text() for t in child.get_texts()]
    return out


def derived_artists(fig: Figure) -> list:
    return [a for ax in fig.axes for a in ax.get_children() if a.get_gid() == charts.DERIVED_GID]


def check_basics(fig: Figure, unit: str = UNIT, axis_index: int = 0) -> None:
    assert isinstance(fig, Figure)
    assert titles(fig), "chart has no title"
    ax = fig.axes[axis_index]
    assert unit in ax.get_ylabel() or unit in ax.get_xlabel(), (ax.get_ylabel(), ax.get_xlabel())
    assert source_texts(fig), "chart has no 'Source:' line"


# --------------------------------------------------------------------------------------------
# hand-made frames
# --------------------------------------------------------------------------------------------

def annual_frame(derived: bool = True) -> pd.DataFrame:
    rows = [(2019, np.nan, "missing", False), (2020, 100.0, "reported_full_year", False),
            (2021, 110.0, "implied_from_pct_change", True),
            (2022, 120.0, "sum_of_reported_parts", True)]
    if not derived:
        rows = [(y, v, "reported_full_year" if v == v else b, False) for y, v, b, _ in rows]
    return pd.DataFrame([{"province": PROV, "concept": "via_ports", "flow": "total", "year": y,
                          "value_usd_m": v, "basis": b, "detail": "", "is_derived": d,
                          "source_url": ""} for y, v, b, d in rows])


def monthly_frame(derived: bool = True) -> pd.DataFrame:
    # Jan, Feb, (gap Mar-Apr), May 2021; May is implied unless derived=False.
    rows = [(2021, 1, 10.0, "reported"), (2021, 2, 11.0, "reported"),
            (2021, 5, 12.0, "implied_from_pct_change" if derived else "reported")]
    return pd.DataFrame([{"province": PROV, "concept": "via_ports", "flow": "total",
                          "period_type": "month", "year": y, "month": m, "value_usd_m": v,
                          "basis": b, "source_url": ""} for y, m, v, b in rows])


def coverage_frame() -> pd.DataFrame:
    rows = []
    for y in (2021, 2022):
        for m in range(1, 13):
            status = {(2021, 1): "reported", (2021, 2): "reported", (2021, 5): "implied"}.get(
                (y, m), "missing")
            rows.append({"province": PROV, "concept": "via_ports", "flow": "total", "year": y,
                         "month": m, "month_status": status,
                         "ytd_status": "reported" if (y, m) == (2022, 6) else "missing"})
    return pd.DataFrame(rows)


def results_frame() -> pd.DataFrame:
    rows = []
    for y in (2026, 2027, 2028):
        for comp, v in (("baseline", 100.0), ("export_center", 1.0), ("kihi", 5.0),
                        ("connectivity", 2.0), ("total", 108.0)):
            for stat, f in (("mean", 1.0), ("p10", 0.8), ("p50", 0.98), ("p90", 1.2)):
                rows.append({"scenario": "toy", "province": PROV, "basis": "port_of_loading",
                             "component": comp, "year": y, "stat": stat, "value_usd_m": v * f})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# ledger charts
# --------------------------------------------------------------------------------------------

def test_history_chart_marks_derived_values():
    fig = charts.history_chart(annual_frame(), monthly_frame(), PROV)
    check_basics(fig)
    assert "nominal" in fig.axes[0].get_ylabel()
    labels = legend_labels(fig)
    assert any(lab.startswith("derived (see basis)") for lab in labels)
    # both derived bases are named in the legend
    assert any("implied from a printed % change" in lab for lab in labels)
    assert any("sum of reported parts" in lab for lab in labels)
    hollow = [a for a in derived_artists(fig) if a.get_markerfacecolor() == "none"]
    # two derived annual points (two bases) + one derived monthly point
    assert sum(len(a.get_xdata()) for a in hollow) == 3


def test_history_chart_without_derived_values_has_no_derived_marks():
    fig = charts.history_chart(annual_frame(derived=False), monthly_frame(derived=False), PROV)
    check_basics(fig)
    assert not derived_artists(fig)
    assert not any("derived" in lab for lab in legend_labels(fig))


def test_history_chart_keeps_monthly_gaps():
    fig = charts.history_chart(annual_frame(), monthly_frame(), PROV)
    ax_m = fig.axes[1]
    lines = [ln for ln in ax_m.get_lines() if ln.get_linestyle() == "-"]
    y = np.asarray(lines[0].get_ydata(), dtype=float)
    assert len(y) == 5 and np.isnan(y[2]) and np.isnan(y[3])  # Mar, Apr not filled


def test_history_chart_names_missing_years():
    fig = charts.history_chart(annual_frame(), monthly_frame(), PROV)
    assert "No full-year figure printed: 2019" in fig.axes[0].get_title()


def test_coverage_heatmap_and_summary():
    fig = charts.coverage_heatmap(coverage_frame(), PROV, "via_ports", "total",
                                  years=(2020, 2022))
    check_basics(fig, unit="month")
    grid = fig.axes[0].images[0].get_array()
    assert grid.shape == (12, 3)
    assert grid[0, 1] == 2 and grid[4, 1] == 1 and grid[:, 0].sum() == 0  # 2020: no rows at all
    assert "2 reported, 1 implied" in fig.axes[0].get_title()
    assert any("derived (see basis)" in lab for lab in legend_labels(fig))
    s = charts.coverage_summary(coverage_frame(), PROV, years=(2020, 2022))
    assert list(s.columns) == [2020, 2021, 2022]
    assert s.iloc[0].tolist() == ["–", "2+1i", "–"]


def test_destinations_chart():
    d = pd.DataFrame([
        {"province": PROV, "concept": "via_ports", "scope": "nonmigas", "period_type": "month",
         "year": 2023, "month": 4, "country": "China", "value_usd_m": 749.2, "share_pct": np.nan},
        {"province": PROV, "concept": "via_ports", "scope": "migas", "period_type": "ytd",
         "year": 2020, "month": 10, "country": "Japan", "value_usd_m": 285.6, "share_pct": 29.2},
        {"province": PROV, "concept": "via_ports", "scope": "not stated", "period_type": "month",
         "year": 2019, "month": 4, "country": "India", "value_usd_m": np.nan, "share_pct": 20.7},
    ])
    fig = charts.destinations_chart(d, PROV)
    check_basics(fig)
    assert len(fig.axes) == 2  # nonmigas and migas panels; the share-only row is not drawn
    assert any("printed only as shares" in t.get_text() for t in fig.axes[0].texts)


def test_sector_chart_shares_need_a_printed_total():
    rows = [("month", 2022, 4, "mining", 2590.0), ("month", 2022, 4, "industry", 501.3),
            ("month", 2022, 4, "total", 3300.0), ("month", 2022, 5, "mining", 2350.0)]
    e = pd.DataFrame([{"province": PROV, "concept": "via_ports", "flow": f, "period_type": pt,
                       "year": y, "month": m, "value_usd_m": v, "basis": "reported"}
                      for pt, y, m, f, v in rows])
    fig = charts.sector_chart(e, PROV)
    check_basics(fig)
    ax_s = fig.axes[1]
    assert "%" in ax_s.get_ylabel()
    assert any("no total" in t.get_text() for t in ax_s.texts)  # May has no total
    heights = sorted(round(p.get_height(), 1) for p in ax_s.patches)
    assert heights == sorted([round(100 * 501.3 / 3300, 1), round(100 - 100 * 3091.3 / 3300, 1),
                              round(100 * 2590 / 3300, 1)])
    assert not derived_artists(fig)


# --------------------------------------------------------------------------------------------
# model and scenario charts (hand-made frames)
# --------------------------------------------------------------------------------------------

def test_backtest_chart_highlights_chosen_model():
    b = pd.DataFrame([{"series": "A · via_ports · total", "model": m, "mape_pct": v,
                       "mase": v / 10, "chosen": m == "regression"}
                      for m, v in (("naive", 30.0), ("regression", 20.0), ("state_space", 25.0))])
    fig = charts.backtest_chart(b)
    check_basics(fig, unit="%")
    assert "MASE" in fig.axes[1].get_ylabel()
    chosen = [p for ax in fig.axes[:2] for p in ax.patches if p.get_gid() == "chosen"]
    assert len(chosen) == 2  # one per panel


def test_fan_chart_with_history():
    h = annual_frame()
    fig = charts.fan_chart(results_frame(), PROV, history=h)
    check_basics(fig)
    ax = fig.axes[0]
    assert ax.collections, "no P10–P90 band"
    labels = legend_labels(fig)
    assert "P10–P90 of the draws" in labels and "baseline component (mean)" in labels
    assert any("derived (see basis)" in lab for lab in labels)
    assert "toy" in source_texts(fig)[0]


def test_fan_chart_without_derived_history():
    fig = charts.fan_chart(results_frame(), PROV, history=annual_frame(derived=False))
    assert not derived_artists(fig)
    assert not any("derived" in lab for lab in legend_labels(fig))


def test_components_chart():
    fig = charts.components_chart(results_frame(), PROV)
    check_basics(fig)
    ax1, ax2 = fig.axes[:2]
    assert len(ax1.patches) == 12 and len(ax2.patches) == 9  # 4 (3) components × 3 years
    tops = {}
    for p in ax1.patches:
        tops[p.get_x()] = max(tops.get(p.get_x(), 0), p.get_y() + p.get_height())
    assert all(v == pytest.approx(108.0) for v in tops.values())


def test_components_chart_says_when_no_lever_acts_on_the_province():
    r = results_frame()
    r.loc[r["component"].isin(["export_center", "kihi", "connectivity"]), "value_usd_m"] = 0.0
    fig = charts.components_chart(r, PROV)
    ax2 = fig.axes[1]
    assert not ax2.patches and not ax2.get_yticks().size  # no bars and no ±0.04 axis
    assert any("no lever changes the exports" in t.get_text() for t in ax2.texts)


def test_tornado_chart_orders_by_swing():
    t = pd.DataFrame([{"province": PROV, "parameter": p, "year": 2030, "central_usd_m": 100.0,
                       "low_usd_m": 100 - s, "high_usd_m": 100 + s, "swing_usd_m": 2 * s}
                      for p, s in (("kihi.utilisation", 1.0), ("prices.coal_price", 30.0),
                                   ("export_center.match_rate", 0.0))])
    fig = charts.tornado_chart(t, PROV, scenario="toy")
    check_basics(fig)
    labels = [x.get_text() for x in fig.axes[0].get_yticklabels()]
    assert labels[-1].startswith("Coal price") and len(labels) == 2  # zero swing left out
    assert "1 parameters with no effect" in fig.axes[0].get_title()


def test_decomposition_chart():
    d = pd.DataFrame([{"scenario": "toy", "province": PROV, "year": 2030,
                       "baseline_scenario_usd_m": 100.0, "price_and_coal_demand_usd_m": -4.0,
                       "export_center_usd_m": 1.0, "kihi_usd_m": 5.0, "connectivity_usd_m": 2.0,
                       "total_usd_m": 104.0}])
    fig = charts.decomposition_chart(d, PROV, 2030)
    check_basics(fig)
    total_bar = fig.axes[0].patches[-1]
    assert total_bar.get_height() == pytest.approx(4.0)


def test_concentration_chart():
    i = pd.DataFrame([{"scenario": "toy", "province": PROV, "year": y, "coal_share_pct": s,
                       "coal_share_reference_baseline_pct": s + 1, "hhi_product": 0.5}
                      for y, s in ((2026, 75.0), (2027, 74.0))])
    dh = pd.DataFrame([{"province": PROV, "year": y, "hhi_destination": 0.26,
                        "shares_period": "ytd 2023-10 (total)"} for y in (2026, 2027)])
    fig = charts.concentration_chart(i, PROV, dh)
    check_basics(fig, unit="%")
    assert "HHI" in fig.axes[1].get_ylabel()
    assert any("derived (see basis)" in lab for lab in legend_labels(fig))


# --------------------------------------------------------------------------------------------
# one real run
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_run():
    from kaltim_research.report.notebook import load_run

    return load_run("scenarios/combined_moderate.yaml", draws=300)


@pytest.fixture(scope="module")
def real_history():
    from kaltim_research.report.notebook import history

    return {p: history(p, 2014, 2025) for p in ("Kalimantan Timur", "Kalimantan Utara")}


@pytest.mark.parametrize("province", ["Kalimantan Timur", "Kalimantan Utara"])
def test_real_run_charts(real_run, real_history, province):
    hy = real_run.summary["horizon"]["headline_year"]
    h = real_history[province]
    figs = [charts.fan_chart(real_run["results"], province, h["exports_annual"]),
            charts.components_chart(real_run["results"], province),
            charts.tornado_chart(real_run["tornado"], province, scenario=real_run.name),
            charts.decomposition_chart(real_run["decomposition"], province, hy),
            charts.concentration_chart(real_run["indicators"], province,
                                       real_run["destination_hhi"])]
    for fig in figs[:4]:
        check_basics(fig)
    check_basics(figs[4], unit="%")
    assert real_run.name in source_texts(figs[0])[0]
    # the fan chart's history is the headline concept's total; Kaltim 2022 is derived
    has_derived = bool(h["exports_annual"].query(
        "flow == 'total' and is_derived and value_usd_m == value_usd_m and concept == "
        + ("'via_ports'" if province == "Kalimantan Timur" else "'origin'")).shape[0])
    assert bool(derived_artists(figs[0])) == has_derived


def test_real_run_module_charts(real_run):
    check_basics(charts.backtest_chart(real_run["backtest"]), unit="%")
    check_basics(charts.export_center_chart(real_run["export_center"]), unit="firms")
    check_basics(charts.export_center_chart(real_run["export_center"]), axis_index=1)
    check_basics(charts.kihi_chart(real_run["kihi"]))
    check_basics(charts.ports_chart(real_run["ports"]))


def test_ports_chart_with_history_and_empty_export_center():
    ports = pd.DataFrame([{"scenario": "toy", "year": y, "outside_ports_base_usd_m": 90.0,
                           "handled_by_kaltim_ports_usd_m": 5.0 * i,
                           "handled_by_kaltara_ports_usd_m": 3.0 * i,
                           "still_outside_usd_m": 90.0 - 8 * i,
                           "Kalimantan Utara via_ports total_usd_m": 1000.0 + i}
                          for i, y in enumerate((2026, 2027))])
    hist = annual_frame().assign(province="Kalimantan Utara")
    fig = charts.ports_chart(ports, hist)
    check_basics(fig)
    assert any("derived (see basis)" in lab for lab in legend_labels(fig))
    assert len(derived_artists(fig)) == 1
    ec = pd.DataFrame([{"scenario": "toy", "province": PROV, "year": 2026,
                        "active_exporters_mean": 0.0, "new_exporters_mean": 0.0,
                        "new_export_value_usd_m_mean": 0.0, "export_value_usd_m_mean": 0.0,
                        "cumulative_value_usd_m_mean": 0.0,
                        "literature_crosscheck_usd_m_mean": 0.0}])
    fig = charts.export_center_chart(ec)
    check_basics(fig, unit="firms")
    assert any("no UMKM onboarded" in t.get_text() for t in fig.axes[0].texts)


@pytest.mark.parametrize("province", ["Kalimantan Timur", "Kalimantan Utara"])
def test_real_history_charts(real_history, province):
    h = real_history[province]
    fig = charts.history_chart(h["exports_annual"], h["exports"], province)
    check_basics(fig)
    n_derived = int((h["exports_annual"]["is_derived"].astype(bool)
                     & h["exports_annual"]["value_usd_m"].notna()).sum())
    annual_hollow = [a for a in fig.axes[0].get_children()
                     if a.get_gid() == charts.DERIVED_GID]
    assert sum(len(a.get_xdata()) for a in annual_hollow) == n_derived
    assert bool(n_derived) == any(lab.startswith("derived (see basis)")
                                  for lab in legend_labels(fig))
    check_basics(charts.destinations_chart(h["destinations"], province))
    check_basics(charts.sector_chart(h["exports"], province))
    check_basics(charts.coverage_heatmap(h["exports_coverage"], province, "via_ports", "total",
                                         years=(2014, 2025)), unit="month")


def test_save(tmp_path):
    fig = charts.decomposition_chart(pd.DataFrame(columns=["province", "year"]), PROV, 2030)
    path = charts.save(fig, tmp_path / "sub" / "x.png")
    assert path.exists() and path.stat().st_size > 1000
