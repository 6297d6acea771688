"""Shared chart vocabulary: units, source lines, colours, markers and small helpers."""
from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, MaxNLocator, StrMethodFormatter

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
PALETTE = plt.get_cmap("tab10").colors


def _no_post_execute_redraw() -> None:
    """In a notebook kernel, stop pyplot redrawing every figure after each cell.

    pyplot's REPL hook (``post_execute``: ``draw_all``) runs just before the inline backend's
    ``flush_figures``, which renders the PNG anyway, so each figure was drawn twice per cell
    (issue 18: same images, about a quarter of a chart's time). The hook is installed when
    pyplot first resolves its backend, hence the explicit switch before removing it.
    """
    import sys

    ipython = sys.modules.get("IPython")
    if ipython is None or ipython.get_ipython() is None:
        return
    plt.switch_backend(plt.get_backend())
    plt.uninstall_repl_displayhook()


_no_post_execute_redraw()


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------

def finish(fig: Figure, source: str, *, bottom: float = 0.07) -> Figure:
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


def draw_empty(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="0.35",
            fontsize=10)


def is_derived(frame: pd.DataFrame) -> pd.Series:
    if "is_derived" in frame.columns:
        return frame["is_derived"].astype(str).str.lower().isin(["true", "1"])
    if "basis" in frame.columns:
        return ~frame["basis"].isin(["reported", "reported_full_year"])
    return pd.Series(False, index=frame.index)


def run_source(frame: pd.DataFrame, source: str | None, scenario: str | None = None) -> str:
    if source:
        return source
    if scenario is None and "scenario" in frame.columns and not frame.empty:
        scenario = str(frame["scenario"].iloc[0])
    return RUN_SOURCE.format(scenario=scenario or "?")


def period_label(period_type: str, year: int, month: int) -> str:
    if period_type == "year":
        return f"{year} full year"
    if period_type == "ytd":
        return f"Jan–{MONTHS[month - 1]} {year}" if month > 1 else f"Jan {year}"
    return f"{MONTHS[month - 1]} {year}"


def decimal_year(year, month) -> np.ndarray:
    return np.asarray(year, dtype=float) + (np.asarray(month, dtype=float) - 0.5) / 12


def series_label(concept: str, flow: str) -> str:
    return f"{flow} · {CONCEPT_SHORT.get(concept, concept)}"


def years_text(years: list[int]) -> str:
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
