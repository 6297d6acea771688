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


def render_fan_chart(fan: dict, results: dict, lang: str = "id") -> bytes | None:
    """Render the fan chart to PNG bytes (in memory, Agg backend, no pyplot state).

    Parameters
    ----------
    fan : dict
        ``results["fan_chart"]``: years, p10, p50, p90, optional baseline_p50,
        history_years, history_values.
    results : dict
        Full results (for the basis of the province).
    lang : {"id", "en"}
        Language of labels and tick formatting.

    Returns
    -------
    bytes or None
        PNG data, or None when the fan chart has no usable data.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    tx = BriefText(lang)
    years = list(fan.get("years") or [])
    p10, p50, p90 = (list(fan.get(k) or []) for k in ("p10", "p50", "p90"))
    n = min(len(years), len(p10), len(p50), len(p90))
    hist_years = list(fan.get("history_years") or [])
    hist_vals = list(fan.get("history_values") or [])
    nh = min(len(hist_years), len(hist_vals))
    if n == 0 and nh == 0:
        return None

    def clean(seq: Sequence[Any]) -> list[float]:
        return [math.nan if is_missing(v) else float(v) for v in seq]

    fig = MplFigure(figsize=(CHART_W_CM / 2.54, CHART_H_CM / 2.54), dpi=200)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    if n:
        ys = [int(y) for y in years[:n]]
        ax.fill_between(
            ys,
            clean(p10[:n]),
            clean(p90[:n]),
            color="#9ecae1",
            alpha=0.7,
            linewidth=0,
            label=tx("chart", "band"),
        )
        ax.plot(ys, clean(p50[:n]), color="#08519c", linewidth=1.6, label=tx("chart", "median"))
        base = list(fan.get("baseline_p50") or [])
        nb = min(n, len(base))
        if nb:
            ax.plot(
                ys[:nb],
                clean(base[:nb]),
                color="#636363",
                linestyle="--",
                linewidth=1.1,
                label=tx("chart", "baseline"),
            )
    if nh:
        ax.plot(
            [int(y) for y in hist_years[:nh]],
            clean(hist_vals[:nh]),
            color="#000000",
            marker="o",
            markersize=2.5,
            linewidth=1.0,
            label=tx("chart", "history"),
        )
    province = fan.get("province") or NOT_AVAILABLE
    basis = tx.basis(fan.get("basis") or (results.get("bases") or {}).get(province))
    ax.set_title(tx("chart", "title", province=province, basis=basis), fontsize=8)
    unit = fan.get("unit")
    ylabel = tx("chart", "ylabel") if unit in (None, "", "USD million", "usd_m") else str(unit)
    ax.set_ylabel(ylabel, fontsize=7)
    ax.tick_params(labelsize=6.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_number(v, 0, lang)))
    ax.grid(True, linewidth=0.3, alpha=0.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    lo, hi = ax.get_ylim()
    ax.set_ylim(lo, hi + 0.18 * (hi - lo))  # headroom so the legend does not cover data
    ax.legend(fontsize=6, frameon=False, loc="upper left", ncol=4)
    fig.tight_layout(pad=0.3)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=200)
    return buf.getvalue()
