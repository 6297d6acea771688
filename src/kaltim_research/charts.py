"""Charts for the notebooks: pure functions from tables to a matplotlib ``Figure``.

Every chart has a title, axis labels with units (``US$ million, nominal`` unless stated) and a
source line at the bottom. Derived values (implied from a printed % change, sums of printed
parts) are drawn with **hollow** markers and a legend entry ``derived (see basis)``; gaps are
never filled: lines break where no figure was printed.

The functions only read the tables they are given (processed ledger tables or the detail tables
of a scenario run, see :mod:`kaltim_research.notebook`); they do not write files unless
:func:`save` is called. Close figures you do not need (``plt.close(fig)``).
"""
from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, MaxNLocator, StrMethodFormatter

__all__ = [
    "UNIT", "backtest_chart", "components_chart", "concentration_chart", "coverage_heatmap",
    "coverage_summary", "decomposition_chart", "destinations_chart", "export_center_chart",
    "fan_chart", "history_chart", "kihi_chart", "ports_chart", "save", "sector_chart",
    "tornado_chart",
]

UNIT = "US$ million, nominal"
LEDGER_SOURCE = ("Source: BPS figures as printed in press releases and news reports, compiled in "
                 "the kaltim_research ledger (data/processed/{table}).")
DERIVED_NOTE = " Hollow or hatched markers: derived values (see basis)."
RUN_SOURCE = ("Source: kaltim_research scenario engine, scenario '{scenario}' (Monte Carlo over "
              "the parameter ranges; data/processed ledger and World Bank prices).")
DERIVED_LABEL = "derived (see basis)"
DERIVED_GID = "derived"

CONCEPT_SHORT = {"via_ports": "port of loading", "origin": "origin (ekspor asli)",
                 "unspecified": "concept not stated"}
CONCEPT_TICK = {"via_ports": "ports", "origin": "origin", "unspecified": "n.s."}
BASIS_SHORT = {"port_of_loading": "counted by port of loading",
               "origin": "counted by origin (ekspor asli)"}
BASIS_TEXT = {"reported": "reported", "reported_full_year": "reported full year",
              "implied_from_pct_change": "implied from a printed % change",
              "sum_of_reported_parts": "sum of reported parts"}
BASIS_MARKERS = {"reported": "o", "reported_full_year": "o", "implied_from_pct_change": "s",
                 "sum_of_reported_parts": "D"}
COMPONENT_COLORS = {"baseline": "#7f7f7f", "export_center": "#2a9d8f", "kihi": "#e76f51",
                    "connectivity": "#457b9d"}
COMPONENT_LABELS = {"baseline": "baseline (commodity prices)",
                    "export_center": "Export Center cohorts", "kihi": "KIHI smelter",
                    "connectivity": "connectivity (rerouting)"}
SECTOR_COLORS = {"mining": "#6d597a", "industry": "#e56b6f", "agriculture": "#74c69d",
                 "migas": "#eaac8b", "gas": "#f4a261", "coal": "#355070"}
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_PALETTE = plt.get_cmap("tab10").colors


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------

def _finish(fig: Figure, source: str, *, bottom: float = 0.07) -> Figure:
    """Add the source line at the bottom, tidy the axes and lay the figure out around it."""
    for ax in fig.axes:
        if ax.get_xlabel().startswith("Year") and not isinstance(
                ax.xaxis.get_major_locator(), FixedLocator):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        for axis, label in ((ax.yaxis, ax.get_ylabel()), (ax.xaxis, ax.get_xlabel())):
            if ("US$" in label and axis.get_scale() == "linear"
                    and max(abs(v) for v in (ax.get_ylim() if axis is ax.yaxis
                                             else ax.get_xlim())) >= 1000):
                axis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    fig.text(0.01, 0.01, source, ha="left", va="bottom", fontsize=7.5, color="0.3", wrap=True,
             gid="source")
    fig.tight_layout(rect=(0, bottom, 1, 1))
    return fig


def _empty(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="0.35",
            fontsize=10)


def _is_derived(frame: pd.DataFrame) -> pd.Series:
    if "is_derived" in frame.columns:
        return frame["is_derived"].astype(str).str.lower().isin(["true", "1"])
    if "basis" in frame.columns:
        return ~frame["basis"].isin(["reported", "reported_full_year"])
    return pd.Series(False, index=frame.index)


def _run_source(frame: pd.DataFrame, source: str | None, scenario: str | None = None) -> str:
    if source:
        return source
    if scenario is None and "scenario" in frame.columns and not frame.empty:
        scenario = str(frame["scenario"].iloc[0])
    return RUN_SOURCE.format(scenario=scenario or "?")


def _period_label(period_type: str, year: int, month: int) -> str:
    if period_type == "year":
        return f"{year} full year"
    if period_type == "ytd":
        return f"Jan–{MONTHS[month - 1]} {year}" if month > 1 else f"Jan {year}"
    return f"{MONTHS[month - 1]} {year}"


def _decimal_year(year, month) -> np.ndarray:
    return np.asarray(year, dtype=float) + (np.asarray(month, dtype=float) - 0.5) / 12


def _series_label(concept: str, flow: str) -> str:
    return f"{flow} · {CONCEPT_SHORT.get(concept, concept)}"


def _years_text(years: list[int]) -> str:
    """[2016, 2017, 2018, 2020] -> '2016–2018, 2020'."""
    if not years:
        return "none"
    years = sorted(years)
    runs, start, prev = [], years[0], years[0]
    for y in years[1:]:
        if y == prev + 1:
            prev = y
            continue
        runs.append((start, prev))
        start = prev = y
    runs.append((start, prev))
    return ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in runs)


def save(fig: Figure, path: str | Path, dpi: int = 120) -> Path:
    """Write ``fig`` to ``path`` (PNG/SVG/PDF by suffix) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    return path


# --------------------------------------------------------------------------------------------
# history (ledger) charts
# --------------------------------------------------------------------------------------------

def history_chart(annual: pd.DataFrame, monthly: pd.DataFrame, province: str, *,
                  monthly_flows: tuple[str, ...] = ("total", "nonmigas", "migas"),
                  source: str | None = None) -> Figure:
    """Annual best values by concept and flow (top) and printed monthly values (bottom).

    ``annual`` is ``exports_annual`` (columns province, concept, flow, year, value_usd_m, basis,
    is_derived); ``monthly`` is ``exports`` (only ``period_type == 'month'`` rows are drawn).
    Derived values get hollow markers, shaped by their basis, and a legend entry
    ``derived (see basis): <basis>``. Years or months without a printed figure are left empty.
    """
    a = annual[annual["province"] == province]
    years_all = sorted(a["year"].unique()) if not a.empty else []
    a = a[a["value_usd_m"].notna()]
    m = monthly[monthly["province"] == province]
    if "period_type" in m.columns:
        m = m[m["period_type"] == "month"]
    m = m[m["flow"].isin(monthly_flows) & m["value_usd_m"].notna()]

    keys = sorted(set(zip(a["concept"], a["flow"], strict=True))
                  | set(zip(m["concept"], m["flow"], strict=True)))
    colors = {k: _PALETTE[i % len(_PALETTE)] for i, k in enumerate(keys)}

    fig, (ax_a, ax_m) = plt.subplots(2, 1, figsize=(11, 9), height_ratios=(1, 1.1))
    bases_seen: dict[str, bool] = {}
    for (concept, flow), g in a.groupby(["concept", "flow"], sort=True):
        c = colors[(concept, flow)]
        derived = _is_derived(g)
        for (basis, d), gg in g.assign(_d=derived).groupby(["basis", "_d"], sort=True):
            line, = ax_a.plot(gg["year"], gg["value_usd_m"], linestyle="none",
                              marker=BASIS_MARKERS.get(basis, "^"), markersize=9,
                              markeredgewidth=1.8, markeredgecolor=c,
                              markerfacecolor="none" if d else c)
            if d:
                line.set_gid(DERIVED_GID)
            bases_seen[basis] = bool(d)
    if a.empty:
        _empty(ax_a, f"no full-year figure printed for {province} in these years")
    no_value_years = sorted(set(years_all) - set(a["year"]))
    gap_note = (f"\nNo full-year figure printed: {_years_text(no_value_years)}"
                if no_value_years else "")
    ax_a.set_title("Full-year exports (best value per year; empty where nothing was printed)"
                   + gap_note, fontsize=10)
    ax_a.set_ylabel(f"{UNIT} per year")
    ax_a.set_xlabel("Year")
    ax_a.grid(alpha=0.3)

    series_handles = [Line2D([], [], color=colors[k], marker="o", linestyle="-",
                             label=_series_label(*k)) for k in keys]
    basis_handles = []
    for basis, d in sorted(bases_seen.items()):
        label = (f"{DERIVED_LABEL}: {BASIS_TEXT.get(basis, basis)}" if d
                 else BASIS_TEXT.get(basis, basis))
        basis_handles.append(Line2D([], [], color="0.2", marker=BASIS_MARKERS.get(basis, "^"),
                                    linestyle="none", markerfacecolor="none" if d else "0.2",
                                    markersize=8, label=label))
    leg1 = ax_a.legend(handles=series_handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                       fontsize=8, title="series (colour)", title_fontsize=8)
    ax_a.add_artist(leg1)
    if basis_handles:
        ax_a.legend(handles=basis_handles, loc="lower left", bbox_to_anchor=(1.01, 0.0),
                    fontsize=8, title="basis (marker)", title_fontsize=8)

    # Monthly panel: a complete calendar per series so that lines break at missing months.
    m_bases: dict[str, bool] = {}
    for (concept, flow), g in m.groupby(["concept", "flow"], sort=True):
        c = colors[(concept, flow)]
        g = g.sort_values(["year", "month"]).drop_duplicates(["year", "month"], keep="last")
        per = pd.PeriodIndex([pd.Period(year=int(y), month=int(mo), freq="M")
                              for y, mo in zip(g["year"], g["month"], strict=True)])
        s = pd.Series(g["value_usd_m"].to_numpy(), index=per)
        cal = pd.period_range(per.min(), per.max(), freq="M")
        s = s.reindex(cal)
        ax_m.plot(_decimal_year(cal.year, cal.month), s.to_numpy(), color=c, linewidth=1,
                  alpha=0.8)
        derived = _is_derived(g).to_numpy()
        x = _decimal_year(g["year"], g["month"])
        ax_m.plot(x[~derived], g["value_usd_m"].to_numpy()[~derived], linestyle="none",
                  marker="o", markersize=4, color=c)
        if derived.any():
            line, = ax_m.plot(x[derived], g["value_usd_m"].to_numpy()[derived], linestyle="none",
                              marker="s", markersize=6, markerfacecolor="none",
                              markeredgecolor=c, markeredgewidth=1.5)
            line.set_gid(DERIVED_GID)
            for b in g.loc[derived, "basis"].unique():
                m_bases[b] = True
        if (~derived).any():
            m_bases.setdefault("reported", False)
    if m.empty:
        _empty(ax_m, f"no monthly figure printed for {province} ({', '.join(monthly_flows)})")
    ax_m.set_title(f"Monthly exports as printed ({', '.join(monthly_flows)}); lines break at "
                   "months without a figure", fontsize=10)
    ax_m.set_ylabel(f"{UNIT} per month")
    ax_m.set_xlabel("Year (monthly points)")
    ax_m.grid(alpha=0.3)
    mh = [Line2D([], [], color="0.2", marker="s" if d else "o", linestyle="none",
                 markerfacecolor="none" if d else "0.2",
                 label=(f"{DERIVED_LABEL}: {BASIS_TEXT.get(b, b)}" if d else BASIS_TEXT.get(b, b)))
          for b, d in sorted(m_bases.items())]
    mh += [Line2D([], [], color=colors[k], linestyle="-", label=_series_label(*k))
           for k in keys if k in set(zip(m["concept"], m["flow"], strict=True))]
    if mh:
        ax_m.legend(handles=mh, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    if years_all or not m.empty:
        lo = min([*years_all, *m["year"].tolist()])
        hi = max([*years_all, *m["year"].tolist()])
        for ax in (ax_a, ax_m):
            ax.set_xlim(lo - 0.5, hi + 1.5)
    fig.suptitle(f"{province}: exports as printed, {UNIT}", fontsize=12)
    return _finish(fig, source or LEDGER_SOURCE.format(table="exports_annual.csv, exports.csv")
                   + DERIVED_NOTE)


def coverage_summary(coverage: pd.DataFrame, province: str | None = None,
                     years: tuple[int, int] | None = None) -> pd.DataFrame:
    """Months with a printed monthly figure per series and year: ``'7'`` (all reported),
    ``'5+2i'`` (5 reported, 2 implied from a % change) or ``'–'`` (none)."""
    c = coverage if province is None else coverage[coverage["province"] == province]
    if c.empty:
        return pd.DataFrame()
    c = c.assign(series=[_series_label(co, fl) for co, fl in zip(c["concept"], c["flow"],
                                                                  strict=True)])
    rep = c[c["month_status"] == "reported"].groupby(["series", "year"]).size()
    imp = c[c["month_status"] == "implied"].groupby(["series", "year"]).size()
    y0, y1 = years if years else (int(c["year"].min()), int(c["year"].max()))
    out = pd.DataFrame(index=sorted(c["series"].unique()), columns=range(y0, y1 + 1), dtype=object)
    for s in out.index:
        for y in out.columns:
            r, i = int(rep.get((s, y), 0)), int(imp.get((s, y), 0))
            out.loc[s, y] = "–" if r + i == 0 else (f"{r}" if i == 0 else f"{r}+{i}i")
    out.index.name = "series (months with a monthly figure)"
    return out


def coverage_heatmap(coverage: pd.DataFrame, province: str, concept: str, flow: str, *,
                     years: tuple[int, int] | None = None, source: str | None = None) -> Figure:
    """Months × years grid of one series: reported / implied (derived) / missing; a Σ marks
    months for which a Jan-to-month cumulative figure was printed."""
    c = coverage[(coverage["province"] == province) & (coverage["concept"] == concept)
                 & (coverage["flow"] == flow)]
    if years is None:
        years = ((int(c["year"].min()), int(c["year"].max())) if not c.empty else (2014, 2025))
    yrs = list(range(years[0], years[1] + 1))
    grid = np.zeros((12, len(yrs)))
    ytd = np.zeros((12, len(yrs)), dtype=bool)
    code = {"missing": 0, "implied": 1, "reported": 2}
    for r in c.itertuples():
        if years[0] <= r.year <= years[1]:
            j = int(r.year) - years[0]
            grid[int(r.month) - 1, j] = code.get(r.month_status, 0)
            ytd[int(r.month) - 1, j] = r.ytd_status != "missing"
    colors = ["#eeeeee", "#f4a261", "#2a6f97"]
    fig, ax = plt.subplots(figsize=(max(6.5, 0.55 * len(yrs) + 3), 5.2))
    ax.imshow(grid, cmap=ListedColormap(colors), vmin=0, vmax=2, aspect="auto",
              interpolation="nearest")
    for i, j in zip(*np.nonzero(ytd), strict=True):
        ax.text(j, i, "Σ", ha="center", va="center", fontsize=8,
                color="white" if grid[i, j] == 2 else "0.15")
    ax.set_xticks(range(len(yrs)), [str(y) for y in yrs], rotation=45 if len(yrs) > 8 else 0)
    ax.set_yticks(range(12), MONTHS)
    ax.set_xticks(np.arange(-0.5, len(yrs)), minor=True)
    ax.set_yticks(np.arange(-0.5, 12), minor=True)
    ax.grid(which="minor", color="white", linewidth=1)
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel("Year")
    ax.set_ylabel("Calendar month (month of the figure)")
    n_rep, n_imp = int((grid == 2).sum()), int((grid == 1).sum())
    ax.set_title(f"{province}: which months have a printed figure\n{flow} · "
                 f"{CONCEPT_SHORT.get(concept, concept)} — {n_rep} reported, {n_imp} implied, "
                 f"{grid.size - n_rep - n_imp} missing of {grid.size} months", fontsize=10)
    handles = [Patch(color=colors[2], label="reported monthly figure"),
               Patch(color=colors[1], label=f"{DERIVED_LABEL}: implied from a % change"),
               Patch(facecolor=colors[0], edgecolor="0.6", label="missing (no figure printed)"),
               Line2D([], [], marker="$Σ$", color="0.15", linestyle="none",
                      label="Jan-to-month cumulative printed")]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    return _finish(fig, source or LEDGER_SOURCE.format(table="exports_coverage.csv"), bottom=0.08)


def _scope_group(scope: str) -> str:
    return scope if scope in ("nonmigas", "migas", "coal") else "total or scope not stated"


def destinations_chart(destinations: pd.DataFrame, province: str, *, top: int = 8,
                       source: str | None = None) -> Figure:
    """Every printed export value by destination country: one point per figure, coloured by
    country (top ``top`` countries by number of figures), shaped by period (month, Jan-to-month
    cumulative, full year), one panel per scope (nonmigas, migas, coal, other). Figures printed
    only as shares are counted in the panel note, not drawn."""
    d = destinations[destinations["province"] == province]
    share_only = d[d["value_usd_m"].isna()]
    d = d[d["value_usd_m"].notna()].copy()
    d["group"] = d["scope"].map(_scope_group)
    order = [g for g in ("nonmigas", "migas", "coal", "total or scope not stated")
             if g in set(d["group"])] or ["total or scope not stated"]
    countries = d["country"].value_counts().index[:top].tolist()
    colors = {c: _PALETTE[i % len(_PALETTE)] for i, c in enumerate(countries)}
    markers = {"month": "o", "ytd": "^", "year": "s"}
    fig, axes = plt.subplots(len(order), 1, figsize=(11, 2.6 + 2.4 * len(order)), sharex=True,
                             squeeze=False)
    axes = axes[:, 0]
    for ax, grp in zip(axes, order, strict=True):
        g = d[d["group"] == grp]
        for (country, pt), gg in g.groupby(["country", "period_type"], sort=True):
            col = colors.get(country, "0.7")
            ax.scatter(_decimal_year(gg["year"], gg["month"]), gg["value_usd_m"],
                       marker=markers.get(pt, "x"), color=col, s=36, alpha=0.9,
                       edgecolors="0.2" if country in colors else "none", linewidths=0.4)
        if g.empty:
            _empty(ax, "no destination values printed")
        else:
            ax.set_yscale("log")
        ax.set_ylabel(f"{UNIT}\n(log scale)", fontsize=9)
        ax.set_title(f"scope: {grp} ({len(g)} figures)", fontsize=9, loc="left")
        ax.grid(alpha=0.3, which="both")
    axes[-1].set_xlabel("Year (point at the last month of the period)")
    if not share_only.empty:
        axes[0].text(0.99, 0.97, f"{len(share_only)} figures printed only as shares: not drawn",
                     transform=axes[0].transAxes, ha="right", va="top", fontsize=8, color="0.35")
    handles = [Line2D([], [], marker="o", color=colors[c], linestyle="none", label=c)
               for c in countries]
    if set(d["country"]) - set(countries):
        handles.append(Line2D([], [], marker="o", color="0.7", linestyle="none",
                              label="other countries"))
    handles += [Line2D([], [], marker=mk, color="0.3", linestyle="none",
                       label={"month": "one month", "ytd": "Jan-to-month cumulative",
                              "year": "full year"}[pt]) for pt, mk in markers.items()
                if pt in set(d["period_type"])]
    axes[0].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    fig.suptitle(f"{province}: exports by destination as printed, {UNIT} "
                 "(periods differ: compare like with like)", fontsize=11)
    return _finish(fig, source or LEDGER_SOURCE.format(table="destinations.csv"),
                   bottom=0.06 if len(order) > 1 else 0.08)


SECTOR_FLOWS = ("mining", "industry", "agriculture", "migas", "gas", "coal")


def sector_chart(exports: pd.DataFrame, province: str, *, source: str | None = None) -> Figure:
    """Sector values where printed (mining, industry, agriculture, migas/gas) per release (top,
    log scale, total as a black dash) and their share of that release's printed total (bottom;
    the rest of the total is 'not itemised'; shares are derived, none without a printed total)."""
    e = exports[(exports["province"] == province) & exports["value_usd_m"].notna()]
    key = ["concept", "period_type", "year", "month"]
    sect = e[e["flow"].isin(["mining", "industry", "agriculture"])]
    releases = sect[key].drop_duplicates().sort_values(["year", "month", "concept"])
    rel = e.merge(releases, on=key)
    fig, (ax_v, ax_s) = plt.subplots(2, 1, figsize=(min(16, max(8, 0.7 * len(releases) + 4)),
                                                    8.5), sharex=True)
    flows = [f for f in SECTOR_FLOWS if f in set(rel["flow"])]
    width = 0.8 / max(1, len(flows))
    labels = []
    derived_any = False
    for i, r in enumerate(releases.itertuples(index=False)):
        g = rel[(rel["concept"] == r.concept) & (rel["period_type"] == r.period_type)
                & (rel["year"] == r.year) & (rel["month"] == r.month)].drop_duplicates("flow")
        vals = dict(zip(g["flow"], g["value_usd_m"], strict=True))
        der = dict(zip(g["flow"], _is_derived(g), strict=True))
        labels.append(f"{_period_label(r.period_type, int(r.year), int(r.month))}\n"
                      f"{CONCEPT_TICK.get(r.concept, r.concept)}")
        for j, f in enumerate(flows):
            if f in vals:
                bar = ax_v.bar(i - 0.4 + width * (j + 0.5), vals[f], width,
                               color=SECTOR_COLORS[f] if not der[f] else "none",
                               edgecolor=SECTOR_COLORS[f], linewidth=1.5,
                               hatch="//" if der[f] else None)
                if der[f]:
                    derived_any = True
                    for p in bar:
                        p.set_gid(DERIVED_GID)
        total = vals.get("total")
        if total:
            ax_v.plot([i - 0.42, i + 0.42], [total, total], color="black", linewidth=2)
            bottom = 0.0
            for f in flows:
                if f in vals and f not in ("coal",):
                    share = 100 * vals[f] / total
                    ax_s.bar(i, share, 0.6, bottom=bottom, color=SECTOR_COLORS[f])
                    bottom += share
            if bottom < 100:
                ax_s.bar(i, 100 - bottom, 0.6, bottom=bottom, color="white", edgecolor="0.6",
                         hatch="..")
        else:
            ax_s.text(i, 50, "no total\nprinted", ha="center", va="center", fontsize=7,
                      color="0.4")
    if releases.empty:
        _empty(ax_v, f"no sector figures printed for {province}")
    else:
        ax_v.set_yscale("log")
    ax_v.set_ylabel(f"{UNIT}\n(log scale; per period shown)")
    ax_v.set_title("Printed sector values (black dash: printed total of the same period)",
                   fontsize=10)
    ax_s.set_ylabel("Share of the printed total (%, derived)")
    ax_s.set_ylim(0, 105)
    ax_s.set_title("Sector shares of the total of the same period", fontsize=10)
    ax_s.set_xticks(range(len(labels)), labels, fontsize=7.5, rotation=60 if len(labels) > 8
                    else 0, ha="right" if len(labels) > 8 else "center")
    ax_s.set_xlabel("Period of the release (concept: origin, ports = port of loading, "
                    "n.s. = not stated)")
    for ax in (ax_v, ax_s):
        ax.grid(alpha=0.3, axis="y")
    handles = [Patch(color=SECTOR_COLORS[f], label=f) for f in flows]
    handles += [Line2D([], [], color="black", linewidth=2, label="total (printed)"),
                Patch(facecolor="white", edgecolor="0.6", hatch="..",
                      label="rest of total (not itemised)")]
    if derived_any:
        handles.append(Patch(facecolor="none", edgecolor="0.3", hatch="//", label=DERIVED_LABEL))
    ax_v.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    fig.suptitle(f"{province}: exports by sector where printed, {UNIT}", fontsize=12)
    return _finish(fig, source or LEDGER_SOURCE.format(table="exports.csv") + DERIVED_NOTE)


# --------------------------------------------------------------------------------------------
# baseline model comparison
# --------------------------------------------------------------------------------------------

def backtest_chart(backtest_summary: pd.DataFrame, *, source: str | None = None) -> Figure:
    """MAPE (%) and MASE per model and series from the rolling-origin backtest; the chosen
    (projection) model of each series is edged in black and starred."""
    b = backtest_summary
    series = list(dict.fromkeys(b["series"]))
    models = list(dict.fromkeys(b["model"]))
    colors = {m: _PALETTE[i % len(_PALETTE)] for i, m in enumerate(models)}
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
    fig.suptitle("Baseline model comparison: rolling-origin backtest, 12-month horizon "
                 "(lower is better)", fontsize=12)
    return _finish(fig, source or "Source: kaltim_research baseline backtest on the monthly "
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
              source: str | None = None) -> Figure:
    """Projected total exports: P10–P90 band, P50 and mean lines, the baseline component (mean)
    and, if given, printed full-year history on the same basis (``exports_annual`` rows;
    derived years hollow)."""
    basis = _basis_of(results, province)
    fig, ax = plt.subplots(figsize=(10, 5.5))
    p10, p50 = _stat(results, province, "total", "p10"), _stat(results, province, "total", "p50")
    p90, mean = _stat(results, province, "total", "p90"), _stat(results, province, "total", "mean")
    base = _stat(results, province, "baseline", "mean")
    if p10.empty:
        _empty(ax, f"no results for {province}")
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
        derived = _is_derived(h).to_numpy()
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
    ax.set_ylabel(f"{UNIT} per year")
    ax.set_xlabel("Year")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_title(f"{province}: total exports, {BASIS_SHORT.get(basis, basis)}\n"
                 "projection with P10–P90 band and printed history", fontsize=11)
    return _finish(fig, _run_source(results, source))


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
    if years:
        _stacked_bars(ax1, years, parts)
        _stacked_bars(ax2, years, {c: parts[c] for c in comps[1:]})
    else:
        _empty(ax1, f"no results for {province}")
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
    return _finish(fig, _run_source(results, source))


def _param_label(name: str) -> str:
    try:
        from .results import PARAM_LABELS
    except ImportError:  # pragma: no cover
        PARAM_LABELS = {}
    if name == "prices.coal_price":
        return "Coal price (±1.28 sd forecast error)"
    lab = PARAM_LABELS.get(name)
    return f"{lab[1]}\n({name})" if lab else name


def tornado_chart(tornado: pd.DataFrame, province: str, *, top: int = 12,
                  source: str | None = None, scenario: str | None = None) -> Figure:
    """One-at-a-time sensitivity of the headline-year total: each parameter at the low and high
    end of its range (others central), bars from the central value, widest swing on top."""
    t = tornado[tornado["province"] == province].sort_values("swing_usd_m", ascending=False)
    zero = int((t["swing_usd_m"] <= 1e-9).sum())
    t = t[t["swing_usd_m"] > 1e-9].head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(10, 1.2 + 0.5 * max(3, len(t))))
    if t.empty:
        _empty(ax, "no parameter moves the headline total")
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
    return _finish(fig, _run_source(tornado, source, scenario), bottom=0.06)


DECOMP = (("price_and_coal_demand_usd_m", "price and coal demand"),
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
        _empty(ax, f"no decomposition for {province} in {year}")
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
        ax.margins(y=0.15)
    ax.axhline(0, color="0.3", linewidth=0.8)
    ax.set_xticks(range(len(DECOMP) + 1), [lab for _, lab in DECOMP] + ["total difference"],
                  fontsize=9)
    ax.set_ylabel(f"Difference from the baseline scenario,\n{UNIT}")
    ax.set_xlabel(f"Contribution in {year} (means of the draws)")
    ax.grid(alpha=0.3, axis="y")
    ax.set_title(f"{province}: what moves exports in {year} vs the baseline scenario\n"
                 f"(baseline scenario {base_total:,.1f}; this scenario {total:,.1f} {UNIT})",
                 fontsize=11)
    return _finish(fig, _run_source(decomposition, source))


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
    ax1.set_title("Coal (mining) share of the province total", fontsize=10)
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
        _empty(ax1, f"no indicators for {province}")
    fig.suptitle(f"{province}: export concentration "
                 f"({BASIS_SHORT.get(_basis_of(i, province), 'own basis')})", fontsize=12)
    return _finish(fig, _run_source(indicators, source))


def export_center_chart(export_center: pd.DataFrame, *, source: str | None = None) -> Figure:
    """Export Center cohorts by province: active exporters (firms), export value of the
    cohorts (new and total per year) and cumulative value, with the literature cross-check
    (exports per US$ of promotion; not added to totals)."""
    ec = export_center.sort_values(["province", "year"])
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(15, 5), width_ratios=(1, 1.2))
    provs = list(dict.fromkeys(ec["province"]))
    for k, prov in enumerate(provs):
        g = ec[ec["province"] == prov]
        c = _PALETTE[k % len(_PALETTE)]
        ax1.plot(g["year"], g["active_exporters_mean"], marker="o", color=c, label=prov)
        ax2.plot(g["year"], g["export_value_usd_m_mean"], marker="o", color=c,
                 label=f"{prov}: exports of all cohorts")
        ax2.plot(g["year"], g["new_export_value_usd_m_mean"], linestyle=":", color=c,
                 label=f"{prov}: of which new exporters")
    if not ec.empty and "literature_crosscheck_usd_m_mean" in ec.columns:
        cc = ec.groupby("year")["literature_crosscheck_usd_m_mean"].first()
        ax2.plot(cc.index, cc.to_numpy(), color="black", linestyle="--",
                 label="literature cross-check (promotion × exports per US$; not in totals)")
    if ec.empty or not ec["active_exporters_mean"].abs().sum():
        for ax in (ax1, ax2):
            _empty(ax, "no UMKM onboarded in this scenario")
            ax.set_ylim(0, 1)
    ax1.set_ylabel("Active exporters (firms, mean of draws)")
    ax2.set_ylabel(f"{UNIT} per year")
    for ax in (ax1, ax2):
        ax.set_xlabel("Year")
        ax.grid(alpha=0.3)
    ax1.legend(fontsize=7.5, loc="upper left")
    ax2.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax1.set_title("UMKM exporting after onboarding", fontsize=10)
    ax2.set_title("Export value of the cohorts", fontsize=10)
    fig.suptitle("Export Center Balikpapan: UMKM cohorts", fontsize=12)
    return _finish(fig, _run_source(ec, source))


def kihi_chart(kihi: pd.DataFrame, *, source: str | None = None) -> Figure:
    """KIHI aluminium: output (kt) and export value, power demand against hydro supplied
    (the rest from captive coal, derived), emissions and CBAM cost, jobs."""
    k = kihi.sort_values("year")
    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    (a1, a2), (a3, a4) = axes
    a1.bar(k["year"], k["export_value_usd_m_mean"], color="#e76f51", label="export value")
    a1.set_ylabel(f"{UNIT} per year")
    a1b = a1.twinx()
    a1b.plot(k["year"], k["output_kt_mean"], color="black", marker="o", label="output (kt)")
    a1b.set_ylabel("Aluminium output (kt per year; black line)")
    a1b.set_ylim(bottom=0)
    a1.set_title("Export value (bars) and output (line)", fontsize=10)
    hyd = k["hydro_used_twh_mean"].to_numpy()
    cap = np.clip(k["power_demand_twh_mean"].to_numpy() - hyd, 0, None)
    a2.bar(k["year"], hyd, color="#48cae4", label="hydro (Mentarang Induk) used")
    a2.bar(k["year"], cap, bottom=hyd, color="#6c757d",
           label=f"captive coal (demand − hydro), {DERIVED_LABEL}")
    a2.plot(k["year"], k["power_demand_twh_mean"], color="black", marker="_", linestyle="none",
            markersize=14, label="power demand")
    a2.set_ylabel("Electricity (TWh per year)")
    a2.set_title("Power demand vs hydro and captive coal", fontsize=10)
    a3.bar(k["year"], k["emissions_mt_co2_mean"], color="#adb5bd", label="emissions (Mt CO2)")
    a3.set_ylabel("Emissions (Mt CO2 per year; bars)")
    a3b = a3.twinx()
    a3b.plot(k["year"], k["cbam_cost_usd_m_mean"], marker="s", color="#9d0208", linestyle="--",
             label="EU CBAM cost (US$ m)")
    a3b.set_ylabel("CBAM cost (US$ million per year)", color="#9d0208")
    a3.set_title("Emissions (bars) and EU CBAM cost (red, right axis)", fontsize=10)
    a4.bar(k["year"], k["jobs_mean"], color="#2a9d8f")
    a4.set_ylabel("Operating jobs (persons)")
    a4.set_title("Jobs", fontsize=10)
    for ax in (a1, a2, a3, a4):
        ax.set_xlabel("Year")
        ax.grid(alpha=0.3, axis="y")
    a2.legend(fontsize=7.5, loc="lower right")
    if k["output_kt_mean"].abs().sum() == 0:
        a1.text(0.5, 0.5, "no KIHI production in this scenario", transform=a1.transAxes,
                ha="center", color="0.35")
    fig.suptitle("KIHI Tanjung Palas Timur, Bulungan: aluminium smelter (means of the draws)",
                 fontsize=12)
    return _finish(fig, _run_source(k, source))


def ports_chart(ports: pd.DataFrame, history: pd.DataFrame | None = None, *,
                source: str | None = None) -> Figure:
    """Connectivity: Kaltara-origin goods (rerouted and KIHI) handled by Kaltim ports, by
    Kaltara ports and still leaving through other provinces (left); projected exports through
    Kaltara ports (right) with, if ``history`` (``exports_annual``) is given, the printed full
    years of the same series (derived years hollow)."""
    p = ports.sort_values("year")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5))
    for col, label, c in (("handled_by_kaltim_ports_usd_m", "handled by Kaltim ports", "#457b9d"),
                          ("handled_by_kaltara_ports_usd_m", "handled by Kaltara ports",
                           "#e76f51"),
                          ("still_outside_usd_m", "still via other provinces' ports", "0.5")):
        if col in p.columns:
            ax1.plot(p["year"], p[col], marker="o", color=c, label=label)
    if "outside_ports_base_usd_m" in p.columns and not p.empty:
        ax1.axhline(float(p["outside_ports_base_usd_m"].iloc[0]), color="0.5", linestyle=":",
                    label=f"outside base today ({DERIVED_LABEL}: mean of printed months × 12)")
    ax1.set_ylabel(f"{UNIT} per year")
    ax1.set_title("Where Kaltara-origin goods are loaded (rerouted + KIHI)", fontsize=10)
    vcols = [c for c in p.columns if c.endswith("via_ports total_usd_m")]
    for col in vcols:
        ax2.plot(p["year"], p[col], marker="o", color="#264653",
                 label="projection (mean): " + col.replace("_usd_m", ""))
    if history is not None and not history.empty:
        h = history[(history["province"] == "Kalimantan Utara")
                    & (history["concept"] == "via_ports") & (history["flow"] == "total")
                    & history["value_usd_m"].notna()]
        der = _is_derived(h).to_numpy()
        if (~der).any():
            ax2.plot(h["year"].to_numpy()[~der], h["value_usd_m"].to_numpy()[~der], "o",
                     color="black", label="printed full year (reported)")
        if der.any():
            line, = ax2.plot(h["year"].to_numpy()[der], h["value_usd_m"].to_numpy()[der], "D",
                             markerfacecolor="none", markeredgecolor="black",
                             label=f"printed full year, {DERIVED_LABEL}")
            line.set_gid(DERIVED_GID)
    if not vcols:
        _empty(ax2, "no via-ports series in this run")
    ax2.set_ylabel(f"{UNIT} per year")
    ax2.set_title("Kalimantan Utara: exports through its ports (port of loading basis)",
                  fontsize=10)
    for ax in (ax1, ax2):
        ax.set_ylim(bottom=0)
        ax.set_xlabel("Year")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7.5, loc="best")
    fig.suptitle("Kaltim–Kaltara connectivity (means of the draws)", fontsize=12)
    return _finish(fig, _run_source(p, source))
