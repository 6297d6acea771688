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


def headline_strings(h: dict, lang: str) -> dict[str, str]:
    mean = num(h, "total_mean")
    p10, p90 = num(h, "total_p10"), num(h, "total_p90")
    return {
        "mean": usd(mean, lang),
        "range": usd_range(p10, p90, lang),
        "diff_usd": usd(num(h, "difference_mean"), lang, signed=True),
        "diff_pct": format_pct(num(h, "difference_pct"), 1, lang, signed=True),
        "baseline": usd(num(h, "baseline_mean"), lang),
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
    for h in headlines(results):
        s = headline_strings(h, lang)
        for key in ("mean", "range", "diff_usd", "diff_pct"):
            if s[key] != NOT_AVAILABLE and s[key] not in out:
                out.append(s[key])
    return out
