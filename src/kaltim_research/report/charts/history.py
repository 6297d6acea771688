"""What was exported: history, coverage, destinations and sectors of a province."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from kaltim_research.report.charts.common import (
    BASIS_MARKERS,
    BASIS_TEXT,
    CONCEPT_SHORT,
    CONCEPT_TICK,
    DERIVED_GID,
    DERIVED_LABEL,
    DERIVED_NOTE,
    LEDGER_SOURCE,
    MONTHS,
    PALETTE,
    SECTOR_COLORS,
    UNIT,
    decimal_year,
    draw_empty,
    finish,
    is_derived,
    period_label,
    series_label,
    years_text,
)


def history_chart(annual: pd.DataFrame, monthly: pd.DataFrame, province: str, *,
                  monthly_flows: tuple[str, ...] = ("total", "nonmigas", "migas"),
                  source: str | None = None) -> Figure:
    """Annual best values by concept and flow (top) and printed monthly values (bottom).

    ``annual`` is ``exports_annual`` (columns province, concept, flow, year, value_usd_m, basis,
    is_derived); ``monthly`` is ``exports`` (only ``period_type == 'month'`` rows are drawn).
    Derived values get hollow markers, shaped by their basis, and a legend entry
    ``derived (see basis): <basis>``. Years or months without a printed figure are left empty.
    """
    a, years_all, m = _history_rows(annual, monthly, province, monthly_flows)
    keys = sorted(set(zip(a["concept"], a["flow"], strict=True))
                  | set(zip(m["concept"], m["flow"], strict=True)))
    colors = {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(keys)}

    fig, (ax_a, ax_m) = plt.subplots(2, 1, figsize=(11, 9), height_ratios=(1, 1.1))
    bases_seen = _draw_annual(ax_a, a, colors)
    _label_annual(ax_a, a, years_all, province)
    _annual_legends(ax_a, keys, colors, bases_seen)
    m_bases = _draw_monthly(ax_m, m, colors)
    _label_monthly(ax_m, m, province, monthly_flows)
    _monthly_legend(ax_m, m, keys, colors, m_bases)
    if years_all or not m.empty:
        lo = min([*years_all, *m["year"].tolist()])
        hi = max([*years_all, *m["year"].tolist()])
        for ax in (ax_a, ax_m):
            ax.set_xlim(lo - 0.5, hi + 1.5)
    fig.suptitle(f"{province}: exports as printed, {UNIT}", fontsize=12)
    return finish(fig, source or LEDGER_SOURCE.format(table="exports_annual.csv, exports.csv")
                   + DERIVED_NOTE)


def _history_rows(annual: pd.DataFrame, monthly: pd.DataFrame, province: str,
                  monthly_flows: tuple[str, ...]) -> tuple[pd.DataFrame, list, pd.DataFrame]:
    """The province's annual rows with a value, every year it has a row for, and its monthly
    rows with a value for ``monthly_flows``."""
    a = annual[annual["province"] == province]
    years_all = sorted(a["year"].unique()) if not a.empty else []
    a = a[a["value_usd_m"].notna()]
    m = monthly[monthly["province"] == province]
    if "period_type" in m.columns:
        m = m[m["period_type"] == "month"]
    m = m[m["flow"].isin(monthly_flows) & m["value_usd_m"].notna()]
    return a, years_all, m


def _draw_annual(ax_a, a: pd.DataFrame, colors: dict) -> dict[str, bool]:
    """One marker per year, coloured by series and shaped by basis (hollow when derived);
    returns the bases drawn and whether they were derived."""
    bases_seen: dict[str, bool] = {}
    for (concept, flow), g in a.groupby(["concept", "flow"], sort=True):
        c = colors[(concept, flow)]
        derived = is_derived(g)
        for (basis, d), gg in g.assign(_d=derived).groupby(["basis", "_d"], sort=True):
            line, = ax_a.plot(gg["year"], gg["value_usd_m"], linestyle="none",
                              marker=BASIS_MARKERS.get(basis, "^"), markersize=9,
                              markeredgewidth=1.8, markeredgecolor=c,
                              markerfacecolor="none" if d else c)
            if d:
                line.set_gid(DERIVED_GID)
            bases_seen[basis] = bool(d)
    return bases_seen


def _label_annual(ax_a, a: pd.DataFrame, years_all: list, province: str) -> None:
    """Title (naming the years without a full-year figure), axis labels and grid."""
    if a.empty:
        draw_empty(ax_a, f"no full-year figure printed for {province} in these years")
    no_value_years = sorted(set(years_all) - set(a["year"]))
    gap_note = (f"\nNo full-year figure printed: {years_text(no_value_years)}"
                if no_value_years else "")
    ax_a.set_title("Full-year exports (best value per year; empty where nothing was printed)"
                   + gap_note, fontsize=10)
    ax_a.set_ylabel(f"{UNIT} per year")
    ax_a.set_xlabel("Year")
    ax_a.grid(alpha=0.3)


def _annual_legends(ax_a, keys: list, colors: dict, bases_seen: dict[str, bool]) -> None:
    """Two legends beside the annual panel: series (colour) and basis (marker)."""
    series_handles = [Line2D([], [], color=colors[k], marker="o", linestyle="-",
                             label=series_label(*k)) for k in keys]
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


def _draw_monthly(ax_m, m: pd.DataFrame, colors: dict) -> dict[str, bool]:
    """Monthly lines over a complete calendar per series (so they break at missing months),
    reported points and hollow derived squares; returns the bases drawn."""
    m_bases: dict[str, bool] = {}
    for (concept, flow), g in m.groupby(["concept", "flow"], sort=True):
        c = colors[(concept, flow)]
        g = g.sort_values(["year", "month"]).drop_duplicates(["year", "month"], keep="last")
        per = pd.PeriodIndex([pd.Period(year=int(y), month=int(mo), freq="M")
                              for y, mo in zip(g["year"], g["month"], strict=True)])
        s = pd.Series(g["value_usd_m"].to_numpy(), index=per)
        cal = pd.period_range(per.min(), per.max(), freq="M")
        s = s.reindex(cal)
        ax_m.plot(decimal_year(cal.year, cal.month), s.to_numpy(), color=c, linewidth=1,
                  alpha=0.8)
        derived = is_derived(g).to_numpy()
        x = decimal_year(g["year"], g["month"])
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
    return m_bases


def _label_monthly(ax_m, m: pd.DataFrame, province: str, monthly_flows: tuple[str, ...]) -> None:
    """Title, axis labels and grid of the monthly panel."""
    if m.empty:
        draw_empty(ax_m, f"no monthly figure printed for {province} ({', '.join(monthly_flows)})")
    ax_m.set_title(f"Monthly exports as printed ({', '.join(monthly_flows)}); lines break at "
                   "months without a figure", fontsize=10)
    ax_m.set_ylabel(f"{UNIT} per month")
    ax_m.set_xlabel("Year (monthly points)")
    ax_m.grid(alpha=0.3)


def _monthly_legend(ax_m, m: pd.DataFrame, keys: list, colors: dict,
                    m_bases: dict[str, bool]) -> None:
    """Legend of the monthly panel: bases (marker), then the series drawn (colour)."""
    mh = [Line2D([], [], color="0.2", marker="s" if d else "o", linestyle="none",
                 markerfacecolor="none" if d else "0.2",
                 label=(f"{DERIVED_LABEL}: {BASIS_TEXT.get(b, b)}" if d else BASIS_TEXT.get(b, b)))
          for b, d in sorted(m_bases.items())]
    mh += [Line2D([], [], color=colors[k], linestyle="-", label=series_label(*k))
           for k in keys if k in set(zip(m["concept"], m["flow"], strict=True))]
    if mh:
        ax_m.legend(handles=mh, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)


def coverage_summary(coverage: pd.DataFrame, province: str | None = None,
                     years: tuple[int, int] | None = None) -> pd.DataFrame:
    """Months with a printed monthly figure per series and year: ``'7'`` (all reported),
    ``'5+2i'`` (5 reported, 2 implied from a % change) or ``'–'`` (none)."""
    c = coverage if province is None else coverage[coverage["province"] == province]
    if c.empty:
        return pd.DataFrame()
    c = c.assign(series=[series_label(co, fl) for co, fl in zip(c["concept"], c["flow"],
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
    return finish(fig, source or LEDGER_SOURCE.format(table="exports_coverage.csv"), bottom=0.08)


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
    colors = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(countries)}
    markers = {"month": "o", "ytd": "^", "year": "s"}
    fig, axes = plt.subplots(len(order), 1, figsize=(11, 2.6 + 2.4 * len(order)), sharex=True,
                             squeeze=False)
    axes = axes[:, 0]
    for ax, grp in zip(axes, order, strict=True):
        g = d[d["group"] == grp]
        for (country, pt), gg in g.groupby(["country", "period_type"], sort=True):
            col = colors.get(country, "0.7")
            ax.scatter(decimal_year(gg["year"], gg["month"]), gg["value_usd_m"],
                       marker=markers.get(pt, "x"), color=col, s=36, alpha=0.9,
                       edgecolors="0.2" if country in colors else "none", linewidths=0.4)
        if g.empty:
            draw_empty(ax, "no destination values printed")
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
    return finish(fig, source or LEDGER_SOURCE.format(table="destinations.csv"),
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
        der = dict(zip(g["flow"], is_derived(g), strict=True))
        labels.append(f"{period_label(r.period_type, int(r.year), int(r.month))}\n"
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
        draw_empty(ax_v, f"no sector figures printed for {province}")
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
    return finish(fig, source or LEDGER_SOURCE.format(table="exports.csv") + DERIVED_NOTE)


# --------------------------------------------------------------------------------------------
# baseline model comparison
# --------------------------------------------------------------------------------------------
