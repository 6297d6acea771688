"""The brief's words and numbers: YAML text templates (Bahasa Indonesia and English) and
the formatting helpers that fill them from the results dict."""

from __future__ import annotations

import functools
import math
from datetime import date
from importlib import resources
from typing import Any

import yaml

from kaltim_research.report.formatting import (
    NOT_AVAILABLE,
    format_number,
    format_pct,
    format_range,
    format_usd_m,
    is_missing,
)

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
    ref = resources.files("kaltim_research.report.brief") / "templates" / "brief_text.yaml"
    return yaml.safe_load(ref.read_text(encoding="utf-8"))


def _check_lang(lang: str) -> None:
    if lang not in ("id", "en"):
        raise ValueError(f"lang must be 'id' or 'en', got {lang!r}")


class BriefText:
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


def num(d: dict | None, key: str) -> float:
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


def year_text(v: Any) -> str:
    if is_missing(v):
        return NOT_AVAILABLE
    return str(int(float(v)))


def date_text(value: Any, tx: BriefText) -> str:
    if not value:
        return NOT_AVAILABLE
    try:
        d = date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{d.day} {tx.get('months')[d.month - 1]} {d.year}"


def usd(v: float, lang: str, signed: bool = False) -> str:
    return format_usd_m(v, lang=lang, signed=signed)


def usd_range(lo: float, hi: float, lang: str) -> str:
    return format_range(lo, hi, format_usd_m, lang)


def fmt_value(value: Any, unit: str | None, lang: str) -> str:
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


def fmt_range(rng: Any, unit: str | None, lang: str) -> str:
    if not isinstance(rng, list | tuple) or len(rng) != 2:
        return NOT_AVAILABLE
    lo, hi = rng
    if is_missing(lo) or is_missing(hi):
        return NOT_AVAILABLE
    return f"{fmt_value(lo, unit, lang)}\u2013{fmt_value(hi, unit, lang)}"


def headlines(results: dict) -> list[dict]:
    return [h for h in (results.get("headline") or []) if isinstance(h, dict)]


def basis_of(results: dict, row: dict) -> str | None:
    return row.get("basis") or (results.get("bases") or {}).get(row.get("province"))


def scenario_title(results: dict, lang: str) -> str:
    sc = results.get("scenario") or {}
    if lang == "id":
        return sc.get("title_id") or sc.get("title") or sc.get("name") or NOT_AVAILABLE
    return sc.get("title_en") or sc.get("title") or sc.get("name") or NOT_AVAILABLE


def draws_text(results: dict, lang: str) -> str:
    draws = (results.get("provenance") or {}).get("draws")
    return format_number(draws, 0, lang) if not is_missing(draws) else NOT_AVAILABLE


def letters(n: int) -> list[str]:
    return [f"{chr(ord('a') + i)}." for i in range(n)]


# --------------------------------------------------------------------------- numbers


# --------------------------------------------------------------------------- vocabulary


def period_label(period_type: str | None, year: Any, month: Any, tx: BriefText,
                 derived: bool = False) -> str:
    """A period in the reader's language from the one vocabulary (``periods``).

    ``("ytd", 2023, 10)`` gives "Januari–Oktober 2023 (kumulatif)" in Bahasa Indonesia and
    "January–October 2023 (cumulative)" in English; ``("year", 2022, 12)`` gives
    "2022 (setahun penuh)".
    """
    if is_missing(year):
        return NOT_AVAILABLE
    months = tx.get("months")
    m = months[int(month) - 1] if not is_missing(month) and 1 <= int(month) <= 12 else ""
    key = period_type if period_type in ("month", "ytd", "year") else "year"
    if key == "year" and derived:
        key = "year_derived"
    return tx("periods", key, month=m, year=str(int(float(year))))


def month_year(year: Any, month: Any, tx: BriefText) -> str:
    """"September 2024" / "September 2024" (month names from the vocabulary)."""
    if is_missing(year) or is_missing(month):
        return NOT_AVAILABLE
    return f"{tx.get('months')[int(month) - 1]} {int(year)}"


def unit_label(unit: str | None, tx: BriefText) -> str:
    """A unit code as the reader writes it (``US$/t`` -> "US$/ton" in Bahasa Indonesia)."""
    if not unit:
        return ""
    entry = (tx.data.get("units") or {}).get(unit)
    return entry[tx.lang] if entry else unit


PERCENT_UNITS = ("share", "per year")  # declared as fractions, shown in percent


def fmt_param(value: Any, unit: str | None, label: str, lang: str) -> str:
    """Format a parameter value: fractions as percent, years bare, else number and unit label.

    Parameters
    ----------
    value : Any
        The value in the parameter's declared unit.
    unit : str
        The declared unit (``share``, ``year``, ``US$/t`` ...).
    label : str
        The unit as the reader writes it (templates/parameters.yaml ``unit_id``/``unit_en``).
    lang : {"id", "en"}
    """
    if is_missing(value) or isinstance(value, bool | dict | list | tuple | str):
        return NOT_AVAILABLE if not isinstance(value, str) else value
    v = float(value)
    if unit in PERCENT_UNITS:
        return format_pct(v * 100.0, 0 if (v * 100).is_integer() else 1, lang)
    if unit == "year" or (not unit and v.is_integer() and 1900 <= v <= 2200):
        return str(int(round(v)))
    if unit and unit.startswith("%"):
        return f"{format_pct(v, 1 if not v.is_integer() else 0, lang, signed=v < 0)}" + (
            f" {label.lstrip('%').strip()}" if label.lstrip("%").strip() else "")
    decimals = 0 if abs(v) >= 100 or v.is_integer() else (1 if abs(v) >= 1 else 2)
    text = format_number(v, decimals, lang)
    return f"{text} {label}".strip()


def host(url: Any) -> str:
    """The publisher of a source: the host name of a URL without ``www.`` (the full URL stays
    in results.json); other text as given."""
    from urllib.parse import urlparse

    text = str(url or "").strip()
    if not text:
        return NOT_AVAILABLE
    if "://" in text:
        h = urlparse(text).netloc
        return h[4:] if h.startswith("www.") else h
    return text


def short_reference(ref: Any) -> str | None:
    """A scenario reference as a brief cites it: a URL's host, or "Author (year)" of a
    citation; file paths of the project are dropped (None)."""
    import re

    text = " ".join(str(ref or "").split())
    if not text:
        return None
    if "://" in text:
        return host(text)
    if text.endswith((".yaml", ".csv", ".py")) or text.startswith(("scenarios/", "data/")):
        return None
    m = re.match(r"^(.*?\(\d{4}\))", text)
    return m.group(1) if m else text


def billions(v: Any, lang: str, signed: bool = False) -> str:
    """US$ million as billions with one decimal, no unit (for tables headed "US$ miliar")."""
    if is_missing(v):
        return NOT_AVAILABLE
    x = float(v) / 1000.0
    text = format_number(abs(x) if signed else x, 1, lang)
    return (("+" if x >= 0 else "-") + text) if signed else text
