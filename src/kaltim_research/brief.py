"""Two-page governor's brief (*Telaahan Staf*) as PDF (reportlab) and DOCX (python-docx).

The brief is built once as a :class:`BriefContent` (sections made of paragraphs,
enumerated items, one table and one figure) from the scenario engine's results
dict, and then rendered twice, to PDF and to DOCX, so the two cannot drift.

All sentences live in ``templates/brief_text.yaml`` (Bahasa Indonesia and
English); every number in them is formatted from the results dict with
:mod:`kaltim_research.formatting` and filled in through ``str.format``
placeholders.

Public API
----------
build_brief_pdf, build_brief_docx, brief_numbers, build_brief_content
"""

from __future__ import annotations

import functools
import io
import math
import os
import stat
import tempfile
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import yaml

from kaltim_research.formatting import (
    NOT_AVAILABLE,
    format_number,
    format_pct,
    format_range,
    format_usd_m,
    is_missing,
)

__all__ = [
    "BriefContent",
    "Figure",
    "Item",
    "Para",
    "Section",
    "Table",
    "brief_numbers",
    "brief_text",
    "build_brief_content",
    "build_brief_docx",
    "build_brief_pdf",
    "short_hash",
]

SECTION_KEYS = ("issue", "assumptions", "facts", "analysis", "conclusion", "actions")
MAX_PAGES = 2

# Layout (PDF and DOCX share these).
PAGE_MARGIN_CM = 1.6
FOOTER_SPACE_CM = 0.5
BODY_PT = 9.0
TABLE_PT = 7.5
FOOTER_PT = 6.5
CHART_W_CM = 16.0
CHART_H_CM = 6.0
PDF_FONT = "DejaVuSans"
PDF_FONT_BOLD = "DejaVuSans-Bold"
DOCX_FONT = "Arial"


# --------------------------------------------------------------------------- content model


@dataclass(frozen=True)
class Para:
    """A paragraph. ``lead`` is an optional bold prefix; ``style`` is body|small|note."""

    text: str
    lead: str = ""
    style: str = "body"


@dataclass(frozen=True)
class Item:
    """An enumerated item (label such as "a." followed by text)."""

    label: str
    text: str


@dataclass(frozen=True)
class Table:
    """A table of already formatted strings.

    ``col_widths_cm`` should sum to <= 17.3 (text width 17.8 cm less frame padding);
    the PDF renderer shrinks wider tables proportionally.
    """

    header: list[str]
    rows: list[list[str]]
    col_widths_cm: list[float]
    caption: str = ""


@dataclass(frozen=True)
class Figure:
    """A PNG image rendered in memory, with its display size and caption."""

    png: bytes
    width_cm: float
    height_cm: float
    caption: str = ""


Block = Para | Item | Table | Figure


@dataclass
class Section:
    """One numbered section of the Telaahan Staf."""

    key: str
    heading: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class BriefContent:
    """Everything both renderers need; built once by :func:`build_brief_content`."""

    lang: str
    title: str
    meta: list[tuple[str, str]]
    sections: list[Section]
    footer: str
    page_label: str
    numbers: list[str]

    def plain_text(self) -> str:
        """Return all text of the brief (without the figure) for checks and previews."""
        out = [self.title] + [f"{k}: {v}" for k, v in self.meta]
        for i, sec in enumerate(self.sections, start=1):
            out.append(f"{i}. {sec.heading}")
            for b in sec.blocks:
                if isinstance(b, Para):
                    out.append(f"{b.lead} {b.text}".strip())
                elif isinstance(b, Item):
                    out.append(f"{b.label} {b.text}")
                elif isinstance(b, Table):
                    out.append(" | ".join(b.header))
                    out.extend(" | ".join(r) for r in b.rows)
                    out.append(b.caption)
                elif isinstance(b, Figure):
                    out.append(b.caption)
        out.append(self.footer)
        return "\n".join(out)


# --------------------------------------------------------------------------- text templates


@functools.lru_cache(maxsize=1)
def brief_text() -> dict[str, Any]:
    """Load ``templates/brief_text.yaml`` (cached).

    Returns
    -------
    dict
        The parsed YAML: ``rules``, ``months``, ``labels``, ``headings``, ``bases``,
        ``components``, ``tables``, ``chart``, ``sentences`` and ``footer``.
    """
    ref = resources.files("kaltim_research") / "templates" / "brief_text.yaml"
    return yaml.safe_load(ref.read_text(encoding="utf-8"))


def _check_lang(lang: str) -> None:
    if lang not in ("id", "en"):
        raise ValueError(f"lang must be 'id' or 'en', got {lang!r}")


class _Text:
    """Language-bound accessor for the YAML templates."""

    def __init__(self, lang: str) -> None:
        _check_lang(lang)
        self.lang = lang
        self.data = brief_text()
        self.rules = self.data["rules"]

    def get(self, *path: str) -> Any:
        node: Any = self.data
        for p in path:
            node = node[p]
        if isinstance(node, dict) and self.lang in node:
            return node[self.lang]
        return node

    def __call__(self, *path: str, **values: str) -> str:
        template = self.get(*path)
        return " ".join(str(template).split()).format(**values)

    def basis(self, basis: str | None) -> str:
        if not basis:
            return NOT_AVAILABLE
        entry = self.data["bases"].get(basis)
        return entry[self.lang] if entry else str(basis).replace("_", " ")

    def component(self, key: str) -> str:
        entry = self.data["components"].get(key)
        return entry[self.lang] if entry else key.replace("_", " ")


# --------------------------------------------------------------------------- helpers


def short_hash(value: Any, n: int = 8) -> str:
    """Short form of a hash such as ``"sha256:3f2a..."``: the first ``n`` hex digits.

    Parameters
    ----------
    value : Any
        Hash string, optionally with an ``algorithm:`` prefix. Missing gives "–".
    n : int, default 8
        Number of characters kept.

    Returns
    -------
    str
        e.g. ``short_hash("sha256:3f2a9c0d11") == "3f2a9c0d"``.
    """
    if not value:
        return NOT_AVAILABLE
    text = str(value)
    if ":" in text:
        text = text.split(":", 1)[1]
    return text[:n]


def _num(d: dict | None, key: str) -> float:
    """Float value of ``d[key]`` or NaN when missing/invalid."""
    if not d:
        return math.nan
    v = d.get(key)
    if v is None or isinstance(v, bool):
        return math.nan
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _year(v: Any) -> str:
    if is_missing(v):
        return NOT_AVAILABLE
    return str(int(float(v)))


def _date(value: Any, tx: _Text) -> str:
    if not value:
        return NOT_AVAILABLE
    try:
        d = date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{d.day} {tx.get('months')[d.month - 1]} {d.year}"


def _usd(v: float, lang: str, signed: bool = False) -> str:
    return format_usd_m(v, lang=lang, signed=signed)


def _usd_range(lo: float, hi: float, lang: str) -> str:
    return format_range(lo, hi, format_usd_m, lang)


def _fmt_value(value: Any, unit: str | None, lang: str) -> str:
    """Format an assumption value according to its unit."""
    if is_missing(value):
        return NOT_AVAILABLE
    v = float(value)
    unit = (unit or "").strip()
    u = unit.lower()
    if u in ("share", "fraction", "ratio_share"):
        return format_pct(v * 100.0, 1, lang)
    if u in ("pct", "percent", "%"):
        return format_pct(v, 1, lang)
    if u in ("usd_m", "usd million", "us$ million"):
        return format_usd_m(v, lang)
    if u in ("year", "years_ad", "tahun") or (not u and v.is_integer() and 1900 <= v <= 2200):
        return str(int(v))  # calendar year: no thousands separator
    decimals = 0 if abs(v) >= 100 or float(v).is_integer() else (1 if abs(v) >= 1 else 2)
    text = format_number(v, decimals, lang)
    return f"{text} {unit}" if unit else text


def _fmt_range(rng: Any, unit: str | None, lang: str) -> str:
    if not isinstance(rng, list | tuple) or len(rng) != 2:
        return NOT_AVAILABLE
    lo, hi = rng
    if is_missing(lo) or is_missing(hi):
        return NOT_AVAILABLE
    return f"{_fmt_value(lo, unit, lang)}\u2013{_fmt_value(hi, unit, lang)}"


def _headlines(results: dict) -> list[dict]:
    return [h for h in (results.get("headline") or []) if isinstance(h, dict)]


def _basis_of(results: dict, row: dict) -> str | None:
    return row.get("basis") or (results.get("bases") or {}).get(row.get("province"))


def _scenario_title(results: dict, lang: str) -> str:
    sc = results.get("scenario") or {}
    if lang == "id":
        return sc.get("title_id") or sc.get("title") or sc.get("name") or NOT_AVAILABLE
    return sc.get("title_en") or sc.get("title") or sc.get("name") or NOT_AVAILABLE


def _draws(results: dict, lang: str) -> str:
    draws = (results.get("provenance") or {}).get("draws")
    return format_number(draws, 0, lang) if not is_missing(draws) else NOT_AVAILABLE


def _letters(n: int) -> list[str]:
    return [f"{chr(ord('a') + i)}." for i in range(n)]


# --------------------------------------------------------------------------- numbers


def _headline_strings(h: dict, lang: str) -> dict[str, str]:
    mean = _num(h, "total_mean")
    p10, p90 = _num(h, "total_p10"), _num(h, "total_p90")
    return {
        "mean": _usd(mean, lang),
        "range": _usd_range(p10, p90, lang),
        "diff_usd": _usd(_num(h, "difference_mean"), lang, signed=True),
        "diff_pct": format_pct(_num(h, "difference_pct"), 1, lang, signed=True),
        "baseline": _usd(_num(h, "baseline_mean"), lang),
    }


def brief_numbers(results: dict, lang: str = "id") -> list[str]:
    """Formatted headline strings that must appear in both the PDF and the DOCX.

    For each headline province: the mean, the P10–P90 range, the difference to
    the baseline in US$ and in percent (missing values are skipped).

    Parameters
    ----------
    results : dict
        Scenario results (see module docstring of the scenario engine / results.json).
    lang : {"id", "en"}, default "id"
        Language of the brief.

    Returns
    -------
    list of str
        Unique strings in order of appearance.
    """
    _check_lang(lang)
    out: list[str] = []
    for h in _headlines(results):
        s = _headline_strings(h, lang)
        for key in ("mean", "range", "diff_usd", "diff_pct"):
            if s[key] != NOT_AVAILABLE and s[key] not in out:
                out.append(s[key])
    return out


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

    tx = _Text(lang)
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


# --------------------------------------------------------------------------- content


def _section_issue(results: dict, tx: _Text) -> list[Block]:
    horizon = results.get("horizon") or {}
    hl = _headlines(results)
    year = horizon.get("headline_year") or (hl[0].get("year") if hl else None)
    return [Para(tx("sentences", "issue", year=_year(year), scenario=_scenario_title(results, tx.lang)))]


def _section_assumptions(results: dict, tx: _Text) -> list[Block]:
    lang = tx.lang
    sc = results.get("scenario") or {}
    description = sc.get(f"description_{lang}") or sc.get("description") or ""
    blocks: list[Block] = [
        Para(
            tx(
                "sentences",
                "scenario",
                scenario=_scenario_title(results, lang),
                name=str(sc.get("name") or NOT_AVAILABLE),
                modifies=str(sc.get("modifies") or NOT_AVAILABLE),
                date=_date(sc.get("date"), tx),
                description=" ".join(str(description).split()),
            ).strip()
        )
    ]
    rows = []
    for a in results.get("assumptions") or []:
        if not isinstance(a, dict):
            continue
        label = a.get(f"label_{lang}") or a.get("label") or a.get("name") or NOT_AVAILABLE
        rows.append(
            [
                str(label),
                _fmt_value(a.get("value"), a.get("unit"), lang),
                _fmt_range(a.get("range"), a.get("unit"), lang),
                str(a.get("source") or NOT_AVAILABLE),
            ]
        )
    if rows:
        blocks.append(Para(tx("sentences", "assumptions_intro")))
        blocks.append(
            Table(header=list(tx.get("tables", "assumptions")), rows=rows, col_widths_cm=[5.0, 1.9, 2.6, 7.7])
        )
    else:
        blocks.append(Para(tx("sentences", "no_assumptions")))
    refs = [str(r) for r in (sc.get("references") or []) if r]
    if refs:
        blocks.append(Para(tx("sentences", "references", references="; ".join(refs)), style="small"))
    # One sentence: the provinces are on different bases and are never added.
    bases: dict[str, str] = dict(results.get("bases") or {})
    for h in _headlines(results):
        if h.get("province") and h.get("basis"):
            bases.setdefault(h["province"], h["basis"])
    if len(bases) >= 2 or len(_headlines(results)) >= 2:
        listed = ", ".join(f"{p} {tx.basis(b)}" for p, b in bases.items())
        blocks.append(Para(tx("sentences", "bases_note", bases=listed)))
    return blocks


def _section_facts(results: dict, tx: _Text) -> list[Block]:
    lang = tx.lang
    blocks: list[Block] = []
    vintage = (results.get("provenance") or {}).get("data_vintage")
    if vintage:
        blocks.append(Para(tx("sentences", "vintage", vintage=str(vintage))))
    rows = []
    for f in results.get("facts") or []:
        if not isinstance(f, dict):
            continue
        text = f.get(f"text_{lang}") or f.get("text") or NOT_AVAILABLE
        if "value_usd_m" in f:
            value = _usd(_num(f, "value_usd_m"), lang)
        elif "value_pct" in f:
            value = format_pct(_num(f, "value_pct"), 1, lang)
        else:
            value = _fmt_value(f.get("value"), f.get("unit"), lang)
        rows.append([str(text), value, str(f.get("source_url") or f.get("source") or NOT_AVAILABLE)])
    if rows:
        blocks.append(Table(header=list(tx.get("tables", "facts")), rows=rows, col_widths_cm=[6.8, 2.5, 7.9]))
    elif not blocks:
        blocks.append(Para(tx("sentences", "no_facts")))
    return blocks


def _findings(results: dict, tx: _Text) -> list[str]:
    lang = tx.lang
    hl = _headlines(results)
    findings: list[str] = []
    for h in hl:
        s = _headline_strings(h, lang)
        findings.append(
            tx(
                "sentences",
                "finding_province",
                province=str(h.get("province")),
                basis=tx.basis(_basis_of(results, h)),
                year=_year(h.get("year")),
                **s,
            )
        )
    # Lever contributions (non-zero components other than the baseline).
    items = []
    for h in hl:
        comps = h.get("components_mean") or {}
        parts = [
            f"{tx.component(k)} {_usd(float(v), lang, signed=True)}"
            for k, v in comps.items()
            if k != "baseline" and not is_missing(v) and round(float(v), 1) != 0.0
        ]
        items.append(
            tx(
                "sentences",
                "finding_components_item",
                province=str(h.get("province")),
                parts=", ".join(parts) if parts else tx("labels", "none"),
            )
        )
    if items:
        findings.append(
            tx("sentences", "finding_components", year=_year(hl[0].get("year")), items="; ".join(items))
        )
    # Structure: coal share and product concentration.
    items = []
    for h in hl:
        if is_missing(h.get("coal_share_pct")) and is_missing(h.get("hhi_product")):
            continue
        items.append(
            tx(
                "sentences",
                "finding_structure_item",
                province=str(h.get("province")),
                coal=format_pct(_num(h, "coal_share_pct"), 1, lang),
                coal_baseline=format_pct(_num(h, "coal_share_baseline_pct"), 1, lang),
                hhi=format_number(_num(h, "hhi_product"), 2, lang),
                hhi_baseline=format_number(_num(h, "hhi_product_baseline"), 2, lang),
            )
        )
    if items:
        findings.append(
            tx("sentences", "finding_structure", year=_year(hl[0].get("year")), items="; ".join(items))
        )
    # Latest actuals, for scale.
    items = []
    for h in hl:
        la = h.get("last_actual")
        if not isinstance(la, dict) or is_missing(la.get("value_usd_m")):
            continue
        items.append(
            tx(
                "sentences",
                "finding_last_actual_item",
                province=str(h.get("province")),
                value=_usd(_num(la, "value_usd_m"), lang),
                year=_year(la.get("year")),
                note=str(la.get("basis") or tx.basis(_basis_of(results, h))),
            )
        )
    if items:
        findings.append(tx("sentences", "finding_last_actual", items="; ".join(items)))
    return findings[: int(tx.rules["max_findings"])]


def _comparison_table(results: dict, rows_in: list[dict] | None, tx: _Text) -> Table | None:
    lang = tx.lang
    rows_src = rows_in if rows_in is not None else (results.get("comparison") or [])
    rows = []
    for r in rows_src:
        if not isinstance(r, dict):
            continue
        title = r.get(f"title_{lang}") or r.get("title") or r.get("scenario") or NOT_AVAILABLE
        province = r.get("province") or NOT_AVAILABLE
        basis = tx.basis(_basis_of(results, r))
        rows.append(
            [
                str(title),
                f"{province} ({basis})",
                _year(r.get("year")),
                _usd(_num(r, "total_mean"), lang),
                _usd_range(_num(r, "total_p10"), _num(r, "total_p90"), lang),
                format_pct(_num(r, "coal_share_pct"), 1, lang),
            ]
        )
    if not rows:
        return None
    return Table(
        header=list(tx.get("tables", "comparison")),
        rows=rows,
        col_widths_cm=[3.4, 4.3, 1.2, 2.3, 4.1, 1.9],
        caption=tx("tables", "comparison_caption", draws=_draws(results, lang)),
    )


def _section_analysis(results: dict, tx: _Text, comparison: list[dict] | None) -> list[Block]:
    lang = tx.lang
    findings = _findings(results, tx)
    blocks: list[Block] = [
        Item(lbl, text) for lbl, text in zip(_letters(len(findings)), findings, strict=True)
    ]
    fan = results.get("fan_chart")
    png = render_fan_chart(fan, results, lang) if isinstance(fan, dict) else None
    if png is not None:
        province = fan.get("province") or NOT_AVAILABLE
        basis = tx.basis(fan.get("basis") or (results.get("bases") or {}).get(province))
        blocks.append(
            Figure(
                png=png,
                width_cm=CHART_W_CM,
                height_cm=CHART_H_CM,
                caption=tx("chart", "caption", province=province, basis=basis),
            )
        )
    table = _comparison_table(results, comparison, tx)
    if table is not None:
        blocks.append(table)
    return blocks


def _section_conclusion(results: dict, tx: _Text) -> list[Block]:
    lang = tx.lang
    rules = tx.rules
    blocks: list[Block] = []
    coal_items = []
    for h in _headlines(results):
        diff = _num(h, "difference_mean")
        band = _num(h, "total_p90") - _num(h, "total_p10")
        if not (is_missing(diff) or is_missing(band)):
            key = (
                "conclusion_effect_small"
                if abs(diff) < float(rules["effect_vs_band_ratio"]) * band
                else "conclusion_effect_large"
            )
            blocks.append(
                Para(
                    tx(
                        "sentences",
                        key,
                        province=str(h.get("province")),
                        diff_usd=_usd(diff, lang, signed=True),
                        diff_pct=format_pct(_num(h, "difference_pct"), 1, lang, signed=True),
                        band=_usd(band, lang),
                    )
                )
            )
        coal = _num(h, "coal_share_pct")
        if not is_missing(coal) and coal >= float(rules["coal_dependence_pct"]):
            coal_items.append(
                tx(
                    "sentences",
                    "conclusion_coal_item",
                    province=str(h.get("province")),
                    coal=format_pct(coal, 1, lang),
                )
            )
    if coal_items:
        blocks.append(Para(tx("sentences", "conclusion_coal", items="; ".join(coal_items))))
    return blocks


def _component_share(h: dict, key: str) -> tuple[float, float]:
    comps = h.get("components_mean") or {}
    value = comps.get(key)
    value = math.nan if is_missing(value) else float(value)
    base = _num(h, "baseline_mean")
    if is_missing(base):
        base = _num(comps, "baseline")
    pct = value / base * 100.0 if not is_missing(value) and base and base > 0 else math.nan
    return value, pct


def _actions(results: dict, tx: _Text) -> list[str]:
    lang = tx.lang
    rules = tx.rules
    hl = _headlines(results)
    actions: list[str] = []

    def largest(key: str) -> tuple[dict, float, float] | None:
        best = None
        for h in hl:
            value, pct = _component_share(h, key)
            if is_missing(value) or round(value, 1) == 0.0:
                continue
            if best is None or value > best[1]:
                best = (h, value, pct)
        return best

    ec = largest("export_center")
    if ec is not None:
        h, value, pct = ec
        thr = float(rules["export_center_small_pct"])
        key = (
            "action_export_center_small"
            if not is_missing(pct) and pct < thr
            else "action_export_center_large"
        )
        actions.append(
            tx(
                "sentences",
                key,
                value=_usd(value, lang),
                pct=format_pct(pct, 1, lang),
                province=str(h.get("province")),
                threshold=format_pct(thr, 1, lang),
            )
        )
    kihi = largest("kihi")
    if kihi is not None:
        h, value, pct = kihi
        thr = float(rules["kihi_material_pct"])
        key = "action_kihi_material" if not is_missing(pct) and pct >= thr else "action_kihi_small"
        actions.append(
            tx(
                "sentences",
                key,
                value=_usd(value, lang),
                pct=format_pct(pct, 1, lang),
                province=str(h.get("province")),
                year=_year(h.get("year")),
                threshold=format_pct(thr, 1, lang),
            )
        )
    conn = largest("connectivity")
    if conn is not None:
        h, value, _pct = conn
        actions.append(
            tx("sentences", "action_connectivity", value=_usd(value, lang), province=str(h.get("province")))
        )
    thr = float(rules["coal_dependence_pct"])
    coal_rows = [
        h for h in hl if not is_missing(h.get("coal_share_pct")) and float(h["coal_share_pct"]) >= thr
    ]
    if coal_rows:
        h = max(coal_rows, key=lambda r: float(r["coal_share_pct"]))
        actions.append(
            tx(
                "sentences",
                "action_coal",
                coal=format_pct(_num(h, "coal_share_pct"), 1, lang),
                province=str(h.get("province")),
                year=_year(h.get("year")),
                threshold=format_pct(thr, 1, lang),
            )
        )
    # Uncertainty: the province with the widest relative range.
    widths = []
    for h in hl:
        p10, p50, p90 = _num(h, "total_p10"), _num(h, "total_p50"), _num(h, "total_p90")
        if is_missing(p50):
            p50 = _num(h, "total_mean")
        if not (is_missing(p10) or is_missing(p90) or is_missing(p50)) and p50 > 0:
            widths.append(((p90 - p10) / p50, h))
    if widths:
        ratio, h = max(widths, key=lambda t: t[0])
        if ratio >= float(rules["wide_range_ratio"]):
            actions.append(
                tx(
                    "sentences",
                    "action_range_wide",
                    province=str(h.get("province")),
                    range=_usd_range(_num(h, "total_p10"), _num(h, "total_p90"), lang),
                )
            )
        else:
            actions.append(
                tx(
                    "sentences",
                    "action_range_narrow",
                    province=str(h.get("province")),
                    mean=_usd(_num(h, "total_mean"), lang),
                )
            )
    return actions[: int(rules["max_actions"])]


def _footer(results: dict, tx: _Text) -> str:
    prov = results.get("provenance") or {}
    sc = results.get("scenario") or {}
    seed = prov.get("seed")
    return tx(
        "footer",
        vintage=str(prov.get("data_vintage") or NOT_AVAILABLE),
        scenario=str(sc.get("name") or NOT_AVAILABLE),
        scenario_hash=short_hash(sc.get("hash")),
        manifest_hash=short_hash(prov.get("data_manifest_hash")),
        version=str(prov.get("package_version") or NOT_AVAILABLE),
        commit=str(prov.get("git_commit") or NOT_AVAILABLE)[:20],
        seed=str(seed) if seed is not None else NOT_AVAILABLE,
        draws=_draws(results, tx.lang),
    )


def build_brief_content(
    results: dict, lang: str = "id", comparison: list[dict] | None = None
) -> BriefContent:
    """Build the brief's content once, independent of the output format.

    Parameters
    ----------
    results : dict
        Scenario results (results.json contract).
    lang : {"id", "en"}, default "id"
        Language.
    comparison : list of dict, optional
        Rows of the scenario comparison table; defaults to ``results["comparison"]``.

    Returns
    -------
    BriefContent
    """
    tx = _Text(lang)
    horizon = results.get("horizon") or {}
    sc = results.get("scenario") or {}
    meta = [
        (tx("labels", "to_label"), tx("labels", "to")),
        (tx("labels", "from_label"), tx("labels", "from")),
        (tx("labels", "date_label"), _date(sc.get("date"), tx)),
        (
            tx("labels", "subject_label"),
            tx(
                "labels",
                "subject",
                start=_year(horizon.get("start_year")),
                end=_year(horizon.get("end_year")),
                scenario=_scenario_title(results, lang),
            ),
        ),
    ]
    conclusion = _section_conclusion(results, tx)
    actions = _actions(results, tx)
    sections = [
        Section("issue", tx("headings", "issue"), _section_issue(results, tx)),
        Section("assumptions", tx("headings", "assumptions"), _section_assumptions(results, tx)),
        Section("facts", tx("headings", "facts"), _section_facts(results, tx)),
        Section("analysis", tx("headings", "analysis"), _section_analysis(results, tx, comparison)),
        Section("conclusion", tx("headings", "conclusion"), conclusion),
        Section(
            "actions",
            tx("headings", "actions"),
            [Item(lbl, t) for lbl, t in zip(_letters(len(actions)), actions, strict=True)],
        ),
    ]
    return BriefContent(
        lang=lang,
        title=tx("labels", "title"),
        meta=meta,
        sections=sections,
        footer=_footer(results, tx),
        page_label=tx("labels", "page"),
        numbers=brief_numbers(results, lang),
    )


# --------------------------------------------------------------------------- atomic write


@functools.lru_cache(maxsize=1)
def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _atomic_write(out_path: Path, render: Callable[[Path], None]) -> Path:
    """Render into a temp file next to ``out_path`` and ``os.replace`` it into place."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp", dir=out_path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        render(tmp)
        # mkstemp creates 0600; give the brief the permissions a normal file would get.
        if out_path.exists():
            mode = stat.S_IMODE(out_path.stat().st_mode)
        else:
            mode = 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, out_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out_path


# --------------------------------------------------------------------------- PDF


@functools.lru_cache(maxsize=1)
def _register_pdf_fonts() -> None:
    import matplotlib
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    ttf_dir = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(PDF_FONT, str(ttf_dir / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(PDF_FONT_BOLD, str(ttf_dir / "DejaVuSans-Bold.ttf")))
    addMapping(PDF_FONT, 0, 0, PDF_FONT)
    addMapping(PDF_FONT, 1, 0, PDF_FONT_BOLD)
    addMapping(PDF_FONT, 0, 1, PDF_FONT)
    addMapping(PDF_FONT, 1, 1, PDF_FONT_BOLD)


def _pdf_bytes(content: BriefContent, scale: float = 1.0) -> tuple[bytes, int]:
    """Render the PDF into memory; return (bytes, page count)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        Image,
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        TableStyle,
    )
    from reportlab.platypus import Table as RLTable

    _register_pdf_fonts()
    body_pt, table_pt = BODY_PT * scale, TABLE_PT * scale
    base = ParagraphStyle(
        "body", fontName=PDF_FONT, fontSize=body_pt, leading=body_pt * 1.22, spaceAfter=1.5 * scale
    )
    styles = {
        "body": base,
        "small": ParagraphStyle(
            "small",
            parent=base,
            fontSize=table_pt,
            leading=table_pt * 1.2,
            textColor=colors.HexColor("#333333"),
        ),
        "note": ParagraphStyle("note", parent=base, fontSize=table_pt, leading=table_pt * 1.2),
    }
    title = ParagraphStyle(
        "title",
        parent=base,
        fontName=PDF_FONT_BOLD,
        fontSize=12 * scale,
        leading=14 * scale,
        alignment=TA_CENTER,
        spaceAfter=4 * scale,
    )
    heading = ParagraphStyle(
        "heading",
        parent=base,
        fontName=PDF_FONT_BOLD,
        fontSize=(BODY_PT + 1) * scale,
        leading=(BODY_PT + 1) * 1.25 * scale,
        spaceBefore=4 * scale,
        spaceAfter=1.5 * scale,
    )
    item = ParagraphStyle("item", parent=base, leftIndent=0.5 * cm, bulletIndent=0.1 * cm)
    cell = ParagraphStyle("cell", parent=base, fontSize=table_pt, leading=table_pt * 1.18, spaceAfter=0)
    cell_head = ParagraphStyle("cellhead", parent=cell, fontName=PDF_FONT_BOLD)
    caption = ParagraphStyle(
        "caption",
        parent=base,
        fontSize=table_pt,
        leading=table_pt * 1.2,
        textColor=colors.HexColor("#333333"),
        spaceAfter=2 * scale,
    )
    footer_style = ParagraphStyle(
        "footer",
        parent=base,
        fontSize=FOOTER_PT,
        leading=FOOTER_PT * 1.2,
        textColor=colors.HexColor("#444444"),
    )

    def p(text: str, style: ParagraphStyle, lead: str = "", bullet: str | None = None):
        markup = (f"<b>{escape(lead)}</b> " if lead else "") + escape(text)
        return Paragraph(markup, style, bulletText=bullet)

    # Frame width minus the frame's default 6 pt padding on each side.
    avail_width = A4[0] - 2 * PAGE_MARGIN_CM * cm - 12
    story: list[Any] = [p(content.title, title)]
    for label, value in content.meta:
        story.append(p(value, base, lead=f"{label}:"))
    story.append(Spacer(1, 2 * scale))
    for i, sec in enumerate(content.sections, start=1):
        story.append(p(f"{i}. {sec.heading}", heading))
        for b in sec.blocks:
            if isinstance(b, Para):
                story.append(p(b.text, styles.get(b.style, base), lead=b.lead))
            elif isinstance(b, Item):
                story.append(p(b.text, item, bullet=b.label))
            elif isinstance(b, Figure):
                img = Image(io.BytesIO(b.png), width=b.width_cm * cm * scale, height=b.height_cm * cm * scale)
                story.append(KeepTogether([img, p(b.caption, caption)]))
            elif isinstance(b, Table):
                data = [[p(h, cell_head) for h in b.header]]
                data += [[p(c, cell) for c in row] for row in b.rows]
                widths = [w * cm for w in b.col_widths_cm]
                shrink = min(1.0, avail_width / sum(widths))
                t = RLTable(data, colWidths=[w * shrink for w in widths], repeatRows=1, hAlign="LEFT")
                t.setStyle(
                    TableStyle(
                        [
                            ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#999999")),
                            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
                            ("VALIGN", (0, 0), (-1, -1), "TOP"),
                            ("TOPPADDING", (0, 0), (-1, -1), 1),
                            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                            ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
                            ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
                        ]
                    )
                )
                story.append(t)
                if b.caption:
                    story.append(p(b.caption, caption))
                else:
                    story.append(Spacer(1, 2 * scale))

    pages = [0]
    page_w, _page_h = A4
    margin = PAGE_MARGIN_CM * cm

    def on_page(canvas: Any, doc: Any) -> None:
        pages[0] += 1
        canvas.saveState()
        text = f"{content.footer} · {content.page_label} {doc.page}"
        para = Paragraph(escape(text), footer_style)
        _w, h = para.wrap(page_w - 2 * margin, margin)
        canvas.setStrokeColor(colors.HexColor("#999999"))
        canvas.setLineWidth(0.3)
        y = margin * 0.45
        canvas.line(margin, y + h + 2, page_w - margin, y + h + 2)
        para.drawOn(canvas, margin, y)
        canvas.restoreState()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin + FOOTER_SPACE_CM * cm,
        title=content.title,
        author=content.meta[1][1],
        subject=content.meta[3][1],
        lang=content.lang,
        invariant=True,  # reproducible bytes: no timestamps or random document id
    )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buf.getvalue(), pages[0]


def _render_pdf(content: BriefContent, path: Path) -> None:
    """Write the PDF to ``path``, shrinking type and chart if needed to stay within two pages."""
    data, pages = b"", 0
    for scale in (1.0, 0.94, 0.88, 0.82):
        data, pages = _pdf_bytes(content, scale)
        if pages <= MAX_PAGES:
            break
    if pages > MAX_PAGES:
        warnings.warn(f"brief PDF has {pages} pages (limit {MAX_PAGES})", stacklevel=3)
    Path(path).write_bytes(data)


# --------------------------------------------------------------------------- DOCX


def _render_docx(content: BriefContent, path: Path) -> None:
    """Write the DOCX (editable by staff) to ``path``."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin"):
        setattr(sec, side, Cm(PAGE_MARGIN_CM))
    sec.bottom_margin = Cm(PAGE_MARGIN_CM + FOOTER_SPACE_CM)
    sec.footer_distance = Cm(PAGE_MARGIN_CM * 0.45)

    normal = doc.styles["Normal"]
    normal.font.name = DOCX_FONT
    normal.font.size = Pt(BODY_PT)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), DOCX_FONT)
    normal.paragraph_format.space_after = Pt(1.5)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.line_spacing = 1.05
    h2 = doc.styles["Heading 2"]
    h2.font.name = DOCX_FONT
    h2.font.size = Pt(BODY_PT + 1)
    h2.font.bold = True
    h2.font.italic = False
    h2.font.color.rgb = RGBColor(0, 0, 0)
    h2.paragraph_format.space_before = Pt(4)
    h2.paragraph_format.space_after = Pt(1.5)
    h2.paragraph_format.keep_with_next = True
    rfonts = h2.element.rPr.rFonts
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)

    def para(
        text: str,
        size: float = BODY_PT,
        lead: str = "",
        bold: bool = False,
        align: Any = None,
        color: RGBColor | None = None,
    ):
        par = doc.add_paragraph()
        if lead:
            r = par.add_run(lead + " ")
            r.bold = True
            r.font.size = Pt(size)
        r = par.add_run(text)
        r.bold = bold
        r.font.size = Pt(size)
        if color is not None:
            r.font.color.rgb = color
        if align is not None:
            par.alignment = align
        return par

    grey = RGBColor(0x33, 0x33, 0x33)
    para(content.title, size=12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for label, value in content.meta:
        para(value, lead=f"{label}:")
    for i, section in enumerate(content.sections, start=1):
        doc.add_paragraph(f"{i}. {section.heading}", style="Heading 2")
        for b in section.blocks:
            if isinstance(b, Para):
                size = TABLE_PT if b.style in ("small", "note") else BODY_PT
                para(b.text, size=size, lead=b.lead, color=grey if b.style == "small" else None)
            elif isinstance(b, Item):
                par = para(f"{b.label}\t{b.text}")
                pf = par.paragraph_format
                pf.left_indent = Cm(0.5)
                pf.first_line_indent = Cm(-0.4)
                pf.tab_stops.add_tab_stop(Cm(0.5))
            elif isinstance(b, Figure):
                doc.add_picture(io.BytesIO(b.png), width=Cm(b.width_cm))
                doc.paragraphs[-1].paragraph_format.keep_with_next = True
                para(b.caption, size=TABLE_PT, color=grey)
            elif isinstance(b, Table):
                t = doc.add_table(rows=1 + len(b.rows), cols=len(b.header))
                t.style = "Table Grid"
                t.alignment = WD_TABLE_ALIGNMENT.LEFT
                t.autofit = False
                for r_idx, row in enumerate([b.header, *b.rows]):
                    for c_idx, text in enumerate(row):
                        c = t.cell(r_idx, c_idx)
                        c.width = Cm(b.col_widths_cm[c_idx])
                        cp = c.paragraphs[0]
                        cp.paragraph_format.space_after = Pt(0)
                        run = cp.add_run(text)
                        run.font.size = Pt(TABLE_PT)
                        run.bold = r_idx == 0
                if b.caption:
                    para(b.caption, size=TABLE_PT, color=grey)
                else:
                    doc.add_paragraph().paragraph_format.space_after = Pt(0)

    # Footer with provenance and a PAGE field.
    fp = sec.footer.paragraphs[0]
    run = fp.add_run(f"{content.footer} · {content.page_label} ")
    run.font.size = Pt(FOOTER_PT)
    run.font.color.rgb = RGBColor(0x44, 0x44, 0x44)
    field_run = fp.add_run()
    field_run.font.size = Pt(FOOTER_PT)
    for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if tag:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), tag)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        field_run._r.append(el)

    props = doc.core_properties
    props.title = content.title
    props.author = content.meta[1][1]
    props.subject = content.meta[3][1]
    props.language = content.lang
    doc.save(str(path))


# --------------------------------------------------------------------------- public builders


def build_brief_pdf(
    results: dict, out_path: Path, lang: str = "id", comparison: list[dict] | None = None
) -> Path:
    """Build the brief as a PDF of at most two A4 pages, written atomically.

    Parameters
    ----------
    results : dict
        Scenario results (results.json contract).
    out_path : Path
        Destination; written via a temp file in the same folder and ``os.replace``.
    lang : {"id", "en"}, default "id"
        Language (Bahasa Indonesia by default).
    comparison : list of dict, optional
        Rows of the scenario comparison table; defaults to ``results["comparison"]``.

    Returns
    -------
    Path
        ``out_path``.
    """
    content = build_brief_content(results, lang, comparison)
    return _atomic_write(Path(out_path), lambda tmp: _render_pdf(content, tmp))


def build_brief_docx(
    results: dict, out_path: Path, lang: str = "id", comparison: list[dict] | None = None
) -> Path:
    """Build the brief as an editable DOCX, written atomically.

    Parameters
    ----------
    results : dict
        Scenario results (results.json contract).
    out_path : Path
        Destination; written via a temp file in the same folder and ``os.replace``.
    lang : {"id", "en"}, default "id"
        Language (Bahasa Indonesia by default).
    comparison : list of dict, optional
        Rows of the scenario comparison table; defaults to ``results["comparison"]``.

    Returns
    -------
    Path
        ``out_path``.
    """
    content = build_brief_content(results, lang, comparison)
    return _atomic_write(Path(out_path), lambda tmp: _render_docx(content, tmp))
