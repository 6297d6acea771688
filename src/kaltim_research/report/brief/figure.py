"""The brief's one figure: the fan chart of the scenario against the baseline."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

from kaltim_research.report.brief.model import CHART_H_CM, CHART_W_CM
from kaltim_research.report.brief.text import BriefText
from kaltim_research.report.formatting import (
    NOT_AVAILABLE,
    format_number,
    is_missing,
)

# --------------------------------------------------------------------------- fan chart


_RENDERED: dict[str, bytes | None] = {}  # the PDF and the DOCX of one language share a chart


def render_fan_chart(fans: list[dict] | dict, results: dict, lang: str = "id") -> bytes | None:
    """The PNG of :func:`draw_fan_chart`, remembered by its inputs: a report's Indonesian PDF
    and DOCX print the same chart, drawn once (issue 18)."""
    from kaltim_research.report.fingerprint import content_sha

    key = content_sha([fans, results, lang])
    if key not in _RENDERED:
        if len(_RENDERED) >= 8:
            _RENDERED.clear()
        _RENDERED[key] = draw_fan_chart(fans, results, lang)
    return _RENDERED[key]


def draw_fan_chart(fans: list[dict] | dict, results: dict, lang: str = "id") -> bytes | None:
    """Render one fan-chart panel per province, side by side (Kalimantan Timur first), to PNG
    bytes (in memory, Agg backend, no pyplot state).

    History is drawn as full-year points joined only across consecutive years, so a year
    without a full-year figure is a gap, never a straight line; derived (summed) years are
    hollow points. Values in US$ billion so both provinces read at print size.

    Parameters
    ----------
    fans : list of dict (or one dict)
        ``results["fan_charts"]``: per province years, p10, p50, p90, baseline_p50,
        history_years, history_values (None = no full-year figure), history_derived.
    results : dict
        Full results (for the basis of a province).
    lang : {"id", "en"}
        Language of labels and tick formatting.

    Returns
    -------
    bytes or None
        PNG data, or None when no panel has usable data.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure

    tx = BriefText(lang)
    fans = [fans] if isinstance(fans, dict) else [f for f in fans if isinstance(f, dict)]
    usable = [f for f in fans if f.get("years") or f.get("history_years")]
    if not usable:
        return None
    fig = MplFigure(figsize=(CHART_W_CM / 2.54, CHART_H_CM / 2.54), dpi=200)
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(usable), squeeze=False)[0]
    handles: dict[str, Any] = {}
    for ax, fan in zip(axes, usable, strict=True):
        _draw_projection(ax, fan, handles)
        _draw_history(ax, fan, handles)
        province = fan.get("province") or NOT_AVAILABLE
        _draw_nowcast(ax, province, results, handles)
        _style_panel(ax, fan, province, results, tx)
    axes[0].set_ylabel(tx("chart", "ylabel"), fontsize=7)
    _add_legend(fig, handles, tx)
    fig.tight_layout(pad=0.3, rect=(0, 0.15, 1, 1))  # room for two legend rows
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=200)
    return buf.getvalue()


def _billions(seq: Sequence[Any]) -> list[float]:
    """US$ million to US$ billion; a missing value becomes NaN (a gap)."""
    return [math.nan if is_missing(v) else float(v) / 1000.0 for v in seq]


def _draw_projection(ax: Any, fan: dict, handles: dict[str, Any]) -> None:
    """P10–P90 band, median and the baseline's median (dashed)."""
    years = list(fan.get("years") or [])
    p10, p50, p90 = (list(fan.get(k) or []) for k in ("p10", "p50", "p90"))
    n = min(len(years), len(p10), len(p50), len(p90))
    if not n:
        return
    ys = [int(y) for y in years[:n]]
    handles["band"] = ax.fill_between(ys, _billions(p10[:n]), _billions(p90[:n]), color="#9ecae1",
                                      alpha=0.7, linewidth=0)
    (handles["median"],) = ax.plot(ys, _billions(p50[:n]), color="#08519c", linewidth=1.6)
    base = list(fan.get("baseline_p50") or [])
    nb = min(n, len(base))
    if nb:
        (handles["baseline"],) = ax.plot(ys[:nb], _billions(base[:nb]), color="#636363",
                                         linestyle="--", linewidth=1.1)


def _draw_history(ax: Any, fan: dict, handles: dict[str, Any]) -> None:
    """Full-year history: a line broken at missing years, filled points for reported years,
    hollow points for derived ones."""
    hy = [int(y) for y in fan.get("history_years") or []]
    hv = _billions(list(fan.get("history_values") or [])[: len(hy)])
    hd = list(fan.get("history_derived") or [False] * len(hy))
    if not hy:
        return
    # NaN breaks the line: missing years stay gaps.
    ax.plot(hy, hv, color="#000000", linewidth=0.9)
    rep = [(y, v) for y, v, d in zip(hy, hv, hd, strict=False) if not d and not math.isnan(v)]
    der = [(y, v) for y, v, d in zip(hy, hv, hd, strict=False) if d and not math.isnan(v)]
    if rep:
        (handles["history"],) = ax.plot(*zip(*rep, strict=True), linestyle="none",
                                        marker="o", markersize=3.2, color="#000000")
    if der:
        (handles["derived"],) = ax.plot(*zip(*der, strict=True), linestyle="none",
                                        marker="o", markersize=3.6, markerfacecolor="white",
                                        markeredgecolor="#000000")


def _draw_nowcast(ax: Any, province: str, results: dict, handles: dict[str, Any]) -> None:
    """The province's nowcast, if any: its own marker and P10–P90 range."""
    now = next((h.get("nowcast") for h in results.get("headline") or []
                if h.get("province") == province and isinstance(h.get("nowcast"), dict)), None)
    if now and not is_missing(now.get("value_usd_m")):
        # The nowcast is not a BPS figure: its own marker and range, never joined to history.
        v, lo, hi = (float(now.get(k) or math.nan) / 1000.0 for k in ("value_usd_m", "p10", "p90"))
        handles["nowcast"] = ax.errorbar([int(now["year"])], [v], yerr=[[v - lo], [hi - v]],
                                         fmt="D", markersize=3.4, color="#d95f02",
                                         elinewidth=0.9, capsize=1.5)


def _style_panel(ax: Any, fan: dict, province: str, results: dict, tx: BriefText) -> None:
    """Title (province and basis), ticks, axis from zero, grid; no top or right spine."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    lang = tx.lang
    basis = tx.basis(fan.get("basis") or (results.get("bases") or {}).get(province))
    ax.set_title(tx("chart", "title", province=province, basis=basis), fontsize=7.5)
    ax.tick_params(labelsize=6.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    ax.set_ylim(bottom=0)
    dec = 1 if ax.get_ylim()[1] < 5 else 0  # small provinces: ticks like 0,5 and 1,5
    ax.yaxis.set_major_formatter(FuncFormatter(
        lambda v, _pos, d=dec: format_number(v, d, lang)))
    ax.grid(True, linewidth=0.3, alpha=0.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _add_legend(fig: Any, handles: dict[str, Any], tx: BriefText) -> None:
    """One legend under the panels, in a fixed order, only for what was drawn."""
    order = [k for k in ("history", "derived", "nowcast", "median", "band", "baseline")
             if k in handles]
    labels = {"history": tx("chart", "history"), "derived": tx("chart", "derived"),
              "nowcast": tx("chart", "nowcast"),
              "median": tx("chart", "median"), "band": tx("chart", "band"),
              "baseline": tx("chart", "baseline")}
    fig.legend([handles[k] for k in order], [labels[k] for k in order], loc="lower center",
               ncol=min(3, len(order)), fontsize=6.5, frameon=False)
