"""What the scenario engine says: backtest, fan chart, components, tornado,
decomposition and concentration."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from kaltim_research.report.charts.common import (
    BASIS_SHORT,
    COMPONENT_COLORS,
    COMPONENT_LABELS,
    DERIVED_GID,
    DERIVED_LABEL,
    PALETTE,
    UNIT,
    draw_empty,
    finish,
    is_derived,
    run_source,
)


def backtest_chart(backtest_summary: pd.DataFrame, *, source: str | None = None,
                   price_info: str = "ex_ante", horizon: str = "1-12 months") -> Figure:
    """MAPE (%) and MASE per model and series from the rolling-origin backtest; the chosen
    (projection) model of each series is edged in black and starred. With a backtest.csv
    table, one price information (``ex_ante``: price frozen at the origin; ``ex_post``:
    realised prices) and one horizon are shown."""
    b = backtest_summary
    if "price_info" in b.columns:
        b = b[(b["price_info"] == price_info) & (b["horizon"] == horizon)]
    if "mape" in b.columns and "mape_pct" not in b.columns:
        b = b.rename(columns={"mape": "mape_pct"})
    series = list(dict.fromkeys(b["series"]))
    models = list(dict.fromkeys(b["model"]))
    colors = {m: PALETTE[i % len(PALETTE)] for i, m in enumerate(models)}
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.2))
    width = 0.8 / max(1, len(models))
    for ax, col, label in ((axes[0], "mape_pct", "MAPE (%, mean absolute percentage error)"),
                           (axes[1], "mase", "MASE (unitless; 1 = in-sample mean abs. change)")):
        top = np.nanmax(b[col].to_numpy(dtype=float)) if not b.empty else 1.0
        for i, s in enumerate(series):
            for j, m in enumerate(models):
                r = b[(b["series"] == s) & (b["model"] == m)]
                if r.empty or pd.isna(r[col].iloc[0]):
                    continue
                chosen = bool(str(r["chosen"].iloc[0]).lower() in ("true", "1"))
                x = i - 0.4 + width * (j + 0.5)
                ax.bar(x, r[col].iloc[0], width, color=colors[m],
                       edgecolor="black" if chosen else "none", linewidth=2 if chosen else 0,
                       gid="chosen" if chosen else None)
                if chosen:
                    ax.text(x, r[col].iloc[0] + 0.02 * top, "★", ha="center", va="bottom",
                            fontsize=11)
        if col == "mase":
            ax.axhline(1, color="0.3", linestyle="--", linewidth=1)
        ax.set_xticks(range(len(series)), [s.replace(" · ", "\n") for s in series], fontsize=8)
        ax.set_ylabel(label)
        ax.set_xlabel("Series (province · concept · flow)")
        ax.grid(alpha=0.3, axis="y")
    handles = [Patch(color=colors[m], label=m) for m in models]
    handles.append(Patch(facecolor="white", edgecolor="black", linewidth=2,
                         label="★ chosen for the projection"))
    axes[1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    fig.suptitle(f"Baseline model comparison: rolling-origin backtest, {horizon}, "
                 f"{price_info.replace('_', '-')} prices (lower is better)", fontsize=12)
    return finish(fig, source or "Source: kaltim_research baseline backtest on the monthly "
                   "ledger (data/processed/exports.csv) with World Bank monthly prices.")


# --------------------------------------------------------------------------------------------
# scenario charts
# --------------------------------------------------------------------------------------------

def _stat(results: pd.DataFrame, province: str, component: str, stat: str) -> pd.Series:
    r = results[(results["province"] == province) & (results["component"] == component)
                & (results["stat"] == stat)]
    return r.set_index("year")["value_usd_m"].sort_index()


def _basis_of(results: pd.DataFrame, province: str) -> str:
    r = results[results["province"] == province]
    return str(r["basis"].iloc[0]) if "basis" in r.columns and not r.empty else ""


def fan_chart(results: pd.DataFrame, province: str, history: pd.DataFrame | None = None, *,
              source: str | None = None, nowcast: pd.DataFrame | None = None) -> Figure:
    """Projected total exports: P10–P90 band, P50 and mean lines, the baseline component (mean)
    and, if given, printed full-year history on the same basis (``exports_annual`` rows;
    derived years hollow) and the nowcast (``nowcast.csv`` total rows with basis
    ``nowcast_national_share``: its own marker with the P10–P90 range, never joined to the
    history; a year BPS has printed carries its reported basis instead and is not drawn)."""
    basis = _basis_of(results, province)
    fig, ax = plt.subplots(figsize=(10, 5.5))
    p10, p50 = _stat(results, province, "total", "p10"), _stat(results, province, "total", "p50")
    p90, mean = _stat(results, province, "total", "p90"), _stat(results, province, "total", "mean")
    base = _stat(results, province, "baseline", "mean")
    if p10.empty:
        draw_empty(ax, f"no results for {province}")
    else:
        ax.fill_between(p10.index, p10.to_numpy(), p90.reindex(p10.index).to_numpy(),
                        color="#2a6f97", alpha=0.22, label="P10–P90 of the draws")
        ax.plot(p50.index, p50.to_numpy(), color="#2a6f97", linewidth=2, label="P50 (median)")
        ax.plot(mean.index, mean.to_numpy(), color="#14213d", linestyle="--", linewidth=1.5,
                label="mean")
        ax.plot(base.index, base.to_numpy(), color=COMPONENT_COLORS["baseline"], linestyle=":",
                linewidth=2, label="baseline component (mean)")
    if history is not None and not history.empty:
        h = history
        concept = {"port_of_loading": "via_ports"}.get(basis, basis)
        if "province" in h.columns:
            h = h[h["province"] == province]
        if "concept" in h.columns and concept:
            h = h[h["concept"] == concept]
        if "flow" in h.columns:
            h = h[h["flow"] == "total"]
        h = h[h["value_usd_m"].notna()]
        derived = is_derived(h).to_numpy()
        if (~derived).any():
            ax.plot(h["year"].to_numpy()[~derived], h["value_usd_m"].to_numpy()[~derived],
                    linestyle="none", marker="o", markersize=8, color="black",
                    label="printed full year (reported)")
        if derived.any():
            line, = ax.plot(h["year"].to_numpy()[derived], h["value_usd_m"].to_numpy()[derived],
                            linestyle="none", marker="D", markersize=8, markerfacecolor="none",
                            markeredgecolor="black", markeredgewidth=1.5,
                            label=f"printed full year, {DERIVED_LABEL}")
            line.set_gid(DERIVED_GID)
    if nowcast is not None and not nowcast.empty:
        n = nowcast[(nowcast["province"] == province) & (nowcast["block"] == "total")
                    & (nowcast["basis"] == "nowcast_national_share")]
        if not n.empty:
            w = n.pivot_table(index="year", columns="stat", values="value_usd_m")
            ax.errorbar(w.index, w["p50"], yerr=[w["p50"] - w["p10"], w["p90"] - w["p50"]],
                        fmt="D", markersize=7, color="#d95f02", capsize=3,
                        label="nowcast from national coal figures (P50, P10–P90)")
    ax.set_ylabel(f"{UNIT} per year")
    ax.set_xlabel("Year")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_title(f"{province}: total exports, {BASIS_SHORT.get(basis, basis)}\n"
                 "projection with P10–P90 band and printed history", fontsize=11)
    return finish(fig, run_source(results, source))


def _stacked_bars(ax, years, parts: dict[str, np.ndarray]) -> None:
    pos = np.zeros(len(years))
    neg = np.zeros(len(years))
    for comp, v in parts.items():
        v = np.nan_to_num(np.asarray(v, dtype=float))
        bottom = np.where(v >= 0, pos, neg)
        ax.bar(years, v, 0.7, bottom=bottom, color=COMPONENT_COLORS.get(comp, "0.5"),
               label=COMPONENT_LABELS.get(comp, comp))
        pos = pos + np.where(v >= 0, v, 0)
        neg = neg + np.where(v < 0, v, 0)
    ax.axhline(0, color="0.3", linewidth=0.8)


def components_chart(results: pd.DataFrame, province: str, *,
                     source: str | None = None) -> Figure:
    """Mean exports by component and year: all components stacked (left) and the three levers
    only (right), since the baseline dwarfs them."""
    comps = ("baseline", "export_center", "kihi", "connectivity")
    means = {c: _stat(results, province, c, "mean") for c in comps}
    years = sorted(set().union(*[set(s.index) for s in means.values()]))
    parts = {c: means[c].reindex(years).to_numpy() for c in comps}
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5.2))
    levers = {c: parts[c] for c in comps[1:]}
    if years:
        _stacked_bars(ax1, years, parts)
        if any(np.nansum(np.abs(v)) > 0 for v in levers.values()):
            _stacked_bars(ax2, years, levers)
        else:  # an empty panel with a ±0.04 axis reads as a tiny effect: say there is none
            ax2.set_yticks([])
            ax2.set_xlim(ax1.get_xlim())
            draw_empty(ax2, f"no lever changes the exports of {province}\nin this scenario")
    else:
        draw_empty(ax1, f"no results for {province}")
    ax1.set_title("All components (stacked means)", fontsize=10)
    ax2.set_title("Levers only (baseline left out)", fontsize=10)
    for ax in (ax1, ax2):
        ax.set_ylabel(f"{UNIT} per year")
        ax.set_xlabel("Year")
        ax.grid(alpha=0.3, axis="y")
    ax2.legend(handles=[Patch(color=COMPONENT_COLORS[c], label=COMPONENT_LABELS[c])
                        for c in comps], fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.suptitle(f"{province}: exports by component, mean of the draws "
                 f"({BASIS_SHORT.get(_basis_of(results, province), '')})", fontsize=12)
    return finish(fig, run_source(results, source))


def _param_label(name: str) -> str:
    """Readable English label of a parameter (templates/parameters.yaml), wrapped to fit."""
    import textwrap

    from kaltim_research.report.assumptions import parameter_labels

    if name == "prices.coal_price":
        return "Coal price\n(±1.28 sd of its forecast error)"
    lab = parameter_labels().get(name, {}).get("label_en", name.replace("_", " "))
    return "\n".join(textwrap.wrap(lab, 30))


def tornado_chart(tornado: pd.DataFrame, province: str, *, top: int = 12,
                  source: str | None = None, scenario: str | None = None) -> Figure:
    """One-at-a-time sensitivity of the headline-year total: each parameter at the low and high
    end of its range (others central), bars from the central value, widest swing on top."""
    t = tornado[tornado["province"] == province].sort_values("swing_usd_m", ascending=False)
    zero = int((t["swing_usd_m"] <= 1e-9).sum())
    t = t[t["swing_usd_m"] > 1e-9].head(top).iloc[::-1]
    # Height per bar for two-line labels, and room below for axis label and source line.
    height = 2.4 + 0.55 * max(2, len(t))
    fig, ax = plt.subplots(figsize=(10, height))
    if t.empty:
        draw_empty(ax, "no parameter moves the headline total")
        central, year = np.nan, ""
    else:
        central = float(t["central_usd_m"].iloc[0])
        year = int(t["year"].iloc[0])
        y = np.arange(len(t))
        ax.barh(y, t["low_usd_m"] - central, left=central, color="#4361ee", height=0.6,
                label="parameter at the low end")
        ax.barh(y, t["high_usd_m"] - central, left=central, color="#f77f00", height=0.6,
                label="parameter at the high end")
        ax.axvline(central, color="black", linewidth=1)
        trans = ax.get_yaxis_transform()
        for yy, lo, hi in zip(y, t["low_usd_m"], t["high_usd_m"], strict=True):
            ax.text(1.01, yy, f"{lo - central:+,.1f} / {hi - central:+,.1f}", transform=trans,
                    va="center", fontsize=7.5, color="0.25")
        ax.text(1.01, len(t) - 0.3, "low / high", transform=trans, fontsize=7.5, color="0.25")
        ax.set_yticks(y, [_param_label(p) for p in t["parameter"]], fontsize=8)
    ax.set_xlabel(f"Total exports in {year}, {UNIT} (central value {central:,.0f})")
    ax.set_ylabel("Parameter (low → high end of its range)")
    ax.grid(alpha=0.3, axis="x")
    if not t.empty:
        ax.legend(fontsize=8, loc="lower right")
    note = f"; {zero} parameters with no effect not shown" if zero else ""
    ax.set_title(f"{province}: sensitivity of the {year} total (one at a time){note}",
                 fontsize=11)
    return finish(fig, run_source(tornado, source, scenario), bottom=0.5 / height)


DECOMP = (("price_and_coal_demand_usd_m", "price and\ncoal demand"),
          ("export_center_usd_m", "Export Center"), ("kihi_usd_m", "KIHI"),
          ("connectivity_usd_m", "connectivity"))


def decomposition_chart(decomposition: pd.DataFrame, province: str, year: int | None = None, *,
                        source: str | None = None) -> Figure:
    """Waterfall of the difference from the baseline scenario in ``year`` (default: last year):
    price and coal demand, Export Center, KIHI, connectivity, then the total difference."""
    d = decomposition[decomposition["province"] == province]
    if year is None and not d.empty:
        year = int(d["year"].max())
    r = d[d["year"] == year]
    fig, ax = plt.subplots(figsize=(9, 5.2))
    if r.empty:
        draw_empty(ax, f"no decomposition for {province} in {year}")
        base_total = total = np.nan
    else:
        r = r.iloc[0]
        cum = 0.0
        for i, (col, _label) in enumerate(DECOMP):
            v = float(r[col])
            ax.bar(i, v, 0.6, bottom=cum, color="#2a9d8f" if v >= 0 else "#e63946")
            ax.text(i, cum + v if v >= 0 else cum, f"{v:+,.1f}", ha="center", va="bottom",
                    fontsize=8)
            if i < len(DECOMP) - 1:
                ax.plot([i + 0.3, i + 0.7], [cum + v, cum + v], color="0.5", linewidth=0.8)
            cum += v
        ax.bar(len(DECOMP), cum, 0.6, color="#264653")
        ax.text(len(DECOMP), max(cum, 0), f"{cum:+,.1f}", ha="center", va="bottom", fontsize=8,
                fontweight="bold")
        base_total, total = float(r["baseline_scenario_usd_m"]), float(r["total_usd_m"])
        # Headroom above and below the bars so value labels never reach the title.
        lo, hi = ax.get_ylim()
        pad = 0.18 * max(hi - lo, 1e-9)
        ax.set_ylim(lo - (pad if lo < 0 else 0), hi + pad)
    ax.axhline(0, color="0.3", linewidth=0.8)
    ax.set_xticks(range(len(DECOMP) + 1), [lab for _, lab in DECOMP] + ["total\ndifference"],
                  fontsize=9)
    ax.set_ylabel(f"Difference from the baseline scenario,\n{UNIT}")
    ax.set_xlabel(f"Contribution in {year} (means of the draws)")
    ax.grid(alpha=0.3, axis="y")
    ax.set_title(f"{province}: what moves exports in {year} vs the baseline scenario\n"
                 f"(baseline scenario {base_total:,.1f}; this scenario {total:,.1f} {UNIT})",
                 fontsize=11)
    return finish(fig, run_source(decomposition, source))


def concentration_chart(indicators: pd.DataFrame, province: str,
                        destination_hhi: pd.DataFrame | None = None, *,
                        source: str | None = None) -> Figure:
    """Coal share of exports (this scenario and the reference baseline) and the
    Herfindahl–Hirschman index by product group (and by destination, if given) over years."""
    i = indicators[indicators["province"] == province].sort_values("year")
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 7.5), sharex=True)
    ax1.plot(i["year"], i["coal_share_pct"], marker="o", color="#355070", label="this scenario")
    if "coal_share_reference_baseline_pct" in i.columns:
        ax1.plot(i["year"], i["coal_share_reference_baseline_pct"], linestyle="--",
                 color="0.5", label="baseline scenario")
    ax1.set_ylabel("Coal share of exports (%)")
    # From zero to 100 %: a 0.45-point move on a 71.4-72.0 axis looked like a collapse.
    ax1.set_ylim(0, 100)
    ax1.set_title("Coal (mining) share of the province total (axis from 0 to 100 %)", fontsize=10)
    ax2.plot(i["year"], i["hhi_product"], marker="o", color="#b56576",
             label="HHI by product group")
    if destination_hhi is not None and not destination_hhi.empty:
        dh = destination_hhi[destination_hhi["province"] == province].sort_values("year")
        if not dh.empty:
            per = dh["shares_period"].iloc[0] if "shares_period" in dh.columns else ""
            ax2.plot(dh["year"], dh["hhi_destination"], marker="s", color="#6d597a",
                     markerfacecolor="none", label=f"HHI by destination, {DERIVED_LABEL}: "
                                                   f"shares of {per}; upper bound")
    ax2.set_ylabel("HHI (index 0–1; 1 = one group)")
    ax2.set_xlabel("Year")
    ax2.set_ylim(0, 1)
    ax2.set_title("Concentration (Herfindahl–Hirschman index)", fontsize=10)
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="best")
    if i.empty:
        draw_empty(ax1, f"no indicators for {province}")
    fig.suptitle(f"{province}: export concentration "
                 f"({BASIS_SHORT.get(_basis_of(i, province), 'own basis')})", fontsize=12)
    return finish(fig, run_source(indicators, source))
