"""Tables of the scenario reports as the reader reads them (Bahasa Indonesia by default).

Every DataFrame a notebook shows goes through :func:`reader_table_html` (installed as the
notebooks' HTML formatter by :func:`install`, which :mod:`report.notebook` calls on import in
a kernel): no index column (index levels become ordinary columns), readable headers with
units instead of code names (``value_usd_m`` -> "Nilai (US$ juta)"), numbers in the reader's
format, and no ``None``, ``NaN`` or Python dict in any cell (missing is "–", a year path
``{2025: 108.0, 2026: 100.0}`` is "2025: 108; 2026: 100", an uncertain value
``{'value': 0.15, 'low': 0.1, 'high': 0.25}`` is "0,15 (0,1–0,25)").

Labels come from ``templates/columns.yaml`` (whole names and words, both languages); an
unknown name is spelt out word by word, so a new column never prints in snake_case.
"""
from __future__ import annotations

import functools
import html
import math
import os
import re
from html.parser import HTMLParser
from importlib import resources
from typing import Any

import pandas as pd
import yaml

from kaltim_research.report.formatting import NOT_AVAILABLE, format_number

#: Language of the reports: KALTIM_REPORT_LANG (set by the runner from --lang), else id.
ENV_LANG = "KALTIM_REPORT_LANG"


def report_lang() -> str:
    lang = os.environ.get(ENV_LANG, "id")
    return lang if lang in ("id", "en") else "id"


@functools.lru_cache(maxsize=1)
def _labels() -> dict[str, Any]:
    ref = resources.files("kaltim_research.report") / "templates" / "columns.yaml"
    return yaml.safe_load(ref.read_text(encoding="utf-8"))


def column_label(name: Any, lang: str = "id") -> str:
    """A column or index name as the reader writes it.

    Whole names first (``columns``), else word by word (``words``, units such as ``usd_m``
    as one token), e.g. ``gross_export_usd_m_mean`` -> "Ekspor kotor (US$ juta), rata-rata".
    """
    if isinstance(name, tuple):
        return " ".join(column_label(n, lang) for n in name if str(n) not in ("", "None"))
    text = str(name)
    data = _labels()
    whole = (data.get("columns") or {}).get(text)
    if whole:
        return whole[lang]
    if "_" not in text and text.isdigit():
        return text  # a year as a column
    tokens = text.replace(".", "_").split("_")
    units, stats, words = [], [], []
    i = 0
    unit_map, stat_map, word_map = data["units"], data["stats"], data["words"]
    while i < len(tokens):
        two = "_".join(tokens[i:i + 2])
        if two in unit_map:
            units.append(unit_map[two][lang])
            i += 2
            continue
        tok = tokens[i]
        if tok in unit_map:
            units.append(unit_map[tok][lang])
        elif tok in stat_map:
            stats.append(stat_map[tok][lang])
        elif tok:
            words.append(word_map[tok][lang] if tok in word_map else tok)
        i += 1
    if lang == "id" and len(words) >= 2 and not set(tokens) & set(data.get("keep_order", [])):
        words = words[::-1]  # Indonesian puts the head first: "coal share" -> "porsi batu bara"
    if not words and stats:  # a statistic alone ("p10_usd_m"): the statistic is the head
        words, stats = [", ".join(stats)], []
    out = " ".join(words) or text
    out = out[:1].upper() + out[1:]
    if units:
        out += f" ({', '.join(units)})"
    if stats:
        out += ", " + ", ".join(stats)
    return out


def cell_text(v: Any, lang: str = "id") -> str:
    """A cell as text: missing as "–", numbers in the reader's format, year paths and
    uncertain values spelt out, booleans as ya/tidak."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT:
        return NOT_AVAILABLE
    if isinstance(v, bool):
        return ("ya" if v else "tidak") if lang == "id" else ("yes" if v else "no")
    if isinstance(v, dict):
        if {"value"} <= set(v) and set(v) <= {"value", "low", "high"}:
            rng = "" if v.get("low") is None or v.get("high") is None else \
                f" ({cell_text(v['low'], lang)}\u2013{cell_text(v['high'], lang)})"
            return cell_text(v["value"], lang) + rng
        return "; ".join(f"{cell_text(k, lang)}: {cell_text(x, lang)}" for k, x in v.items())
    if isinstance(v, list | tuple | set):
        return "; ".join(cell_text(x, lang) for x in v) if v else NOT_AVAILABLE
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v) if 1800 <= v <= 2200 else format_number(v, 0, lang)
    if isinstance(v, float):
        if v.is_integer() and 1800 <= v <= 2200:
            return str(int(v))
        a = abs(v)
        decimals = 0 if a >= 1000 else 1 if a >= 10 else 2 if a >= 0.01 or a == 0 else 4
        return format_number(v, decimals, lang)
    if hasattr(v, "item") and not isinstance(v, str):  # numpy scalar
        return cell_text(v.item(), lang)
    text = str(v)
    return NOT_AVAILABLE if text in ("None", "nan", "NaN", "") else text


def reader_frame(df: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """The table as strings with readable headers and no index column."""
    lang = lang or report_lang()
    out = df.copy()
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = [column_label(tuple(c), lang) for c in out.columns]
    if not isinstance(out.index, pd.RangeIndex) or out.index.name is not None:
        names = [n if n is not None else "" for n in out.index.names]
        if any(names):
            out = out.reset_index()
        else:
            out = out.reset_index(drop=True)
    out.columns = [column_label(c, lang) if not isinstance(c, str) or c == "" or "_" in c
                   or c.islower() else c for c in out.columns]
    return out.apply(lambda col: col.map(lambda v: cell_text(v, lang)))


def reader_table_html(df: pd.DataFrame, lang: str | None = None, max_rows: int = 60) -> str:
    """HTML of a DataFrame for the reports (see the module docstring)."""
    lang = lang or report_lang()
    frame = reader_frame(df.head(max_rows) if len(df) > max_rows else df, lang)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in r) + "</tr>"
                   for r in frame.itertuples(index=False))
    more = ""
    if len(df) > max_rows:
        more = (f"<p class='more'>{format_number(max_rows, 0, lang)} "
                + ("dari" if lang == "id" else "of") + f" {format_number(len(df), 0, lang)} "
                + ("baris ditampilkan" if lang == "id" else "rows shown") + "</p>")
    return (f"<table class='reader'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody>"
            f"</table>{more}")


def install(ip=None) -> bool:
    """Make every DataFrame and Series in this IPython kernel display as a reader table;
    False when not in a kernel (nothing changes)."""
    if ip is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython ships with the notebooks extra
            return False
        ip = get_ipython()
    if ip is None:
        return False
    fmt = ip.display_formatter.formatters["text/html"]
    fmt.for_type(pd.DataFrame, lambda df: reader_table_html(df))
    fmt.for_type(pd.Series, lambda s: reader_table_html(s.to_frame()))
    return True


class _Text(HTMLParser):
    """Visible text and table headers of an HTML page (no script, no style)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.header: str | None = None
        self.headers: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ("br", "img", "meta", "link", "hr", "input"):
            self.stack.append(tag)
        if tag == "th":
            self.header = ""

    def handle_endtag(self, tag):
        if tag == "th" and self.header is not None:
            self.headers.append(self.header.strip())
            self.header = None
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if "script" in self.stack or "style" in self.stack:
            return
        if self.header is not None:
            self.header += data
        self.text.append(data)


def html_problems(page: str) -> list[str]:
    """What a reader should never see in a report page: ``None``, ``NaN``, a Python dict and
    snake_case column headers (each problem with a short excerpt)."""
    p = _Text()
    p.feed(page)
    text = " ".join(p.text)
    out = []
    for what, pattern in (("None", r"\bNone\b"), ("NaN", r"\b(?:NaN|nan)\b"),
                          ("a Python dict", r"\{'[A-Za-z_]+':|\{\d{4}: ")):
        for m in re.finditer(pattern, text):
            out.append(f"{what}: ...{' '.join(text[max(0, m.start() - 50):m.end() + 30].split())}...")
    out += [f"snake_case header: {h}" for h in p.headers if re.search(r"[a-z0-9]_[a-z0-9]", h)]
    return out
