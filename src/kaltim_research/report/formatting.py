"""Locale-aware number formatting for briefs (Bahasa Indonesia and English).

All functions are pure: they take a number (and options) and return a string.
Missing values (``None``, NaN, +/-inf) are rendered as an en dash ("–"),
meaning "not available".

Conventions
-----------
Indonesian (``lang="id"``) uses "." as thousands separator and "," as decimal
mark; English (``lang="en"``) uses "," and ".". Negative numbers use a plain
hyphen-minus ("-") in both languages.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

__all__ = [
    "NOT_AVAILABLE",
    "SUPPORTED_LANGS",
    "format_idr",
    "format_number",
    "format_pct",
    "format_range",
    "format_usd_m",
    "is_missing",
]

NOT_AVAILABLE = "\u2013"  # en dash
SUPPORTED_LANGS = ("id", "en")

# Scale words, largest first: (threshold in base units, divisor, id word, en word)
_USD_M_SCALES = (
    (1_000_000.0, 1_000_000.0, "triliun", "trillion"),
    (1_000.0, 1_000.0, "miliar", "billion"),
    (0.0, 1.0, "juta", "million"),
)
_IDR_SCALES = (
    (1e12, 1e12, "triliun", "trillion"),
    (1e9, 1e9, "miliar", "billion"),
    (1e6, 1e6, "juta", "million"),
)


def _check_lang(lang: str) -> str:
    if lang not in SUPPORTED_LANGS:
        raise ValueError(f"lang must be one of {SUPPORTED_LANGS}, got {lang!r}")
    return lang


def is_missing(x: Any) -> bool:
    """Return True if ``x`` is None, not a number, NaN or infinite.

    Parameters
    ----------
    x : Any
        Value to test.

    Returns
    -------
    bool
        ``True`` when the value cannot be formatted as a finite number.
    """
    if x is None or isinstance(x, bool):
        return x is None
    try:
        xf = float(x)
    except (TypeError, ValueError):
        return True
    return not math.isfinite(xf)


def format_number(x: float, decimals: int = 1, lang: str = "id") -> str:
    """Format a number with locale-specific separators.

    Parameters
    ----------
    x : float
        The number. None/NaN/inf give "–".
    decimals : int, default 1
        Number of decimal places (rounded half-even on the exact binary value,
        as Python's ``round``).
    lang : {"id", "en"}, default "id"
        Output language.

    Returns
    -------
    str
        e.g. ``format_number(1234567.891, 2, "id") == "1.234.567,89"`` and
        ``format_number(1234567.891, 2, "en") == "1,234,567.89"``.

    Raises
    ------
    ValueError
        If ``lang`` is unsupported or ``decimals`` is negative.
    """
    _check_lang(lang)
    if decimals < 0:
        raise ValueError("decimals must be >= 0")
    if is_missing(x):
        return NOT_AVAILABLE
    text = f"{float(x):,.{decimals}f}"
    # Avoid "-0,0": a value that rounds to zero is shown without sign.
    if text.startswith("-") and float(text.replace(",", "")) == 0.0:
        text = text[1:]
    if lang == "id":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def _scaled(value: float, scales: tuple, decimals: int) -> tuple[float, str, str]:
    """Return (mantissa, id word, en word) for ``value`` on the largest fitting scale.

    If the rounded mantissa would reach 1000 (e.g. 999.96 million with one
    decimal), the next larger scale is used ("1,0 miliar", not "1.000,0 juta").
    """
    mag = abs(value)
    idx = len(scales) - 1
    for i, (threshold, _divisor, _wid, _wen) in enumerate(scales):
        if mag >= threshold:
            idx = i
            break
    if idx > 0 and round(mag / scales[idx][1], decimals) >= 1000.0:
        idx -= 1
    _, divisor, word_id, word_en = scales[idx]
    return value / divisor, word_id, word_en


def _sign_prefix(value: float, decimals: int, signed: bool) -> tuple[str, float]:
    rounded = round(value, decimals)
    if rounded < 0:
        return "-", abs(value)
    if signed and rounded > 0:
        return "+", value
    return "", abs(value)


def format_usd_m(value_usd_m: float, lang: str = "id", decimals: int = 1, signed: bool = False) -> str:
    """Format a value given in US$ million with a scale word.

    Parameters
    ----------
    value_usd_m : float
        Value in millions of US dollars. None/NaN give "–".
    lang : {"id", "en"}, default "id"
        Output language.
    decimals : int, default 1
        Decimals of the scaled mantissa.
    signed : bool, default False
        Prefix positive values with "+" (negative values always get "-").

    Returns
    -------
    str
        ``"US$1,2 miliar"`` for 1,234 (id), ``"US$1.2 billion"`` (en);
        ``"US$103,7 juta"`` / ``"US$103.7 million"`` for 103.74;
        ``"US$1,2 triliun"`` / ``"US$1.2 trillion"`` for 1,234,000;
        ``"US$0,5 juta"`` for 0.5. Negative: ``"-US$1,2 miliar"``.
    """
    _check_lang(lang)
    if is_missing(value_usd_m):
        return NOT_AVAILABLE
    value = float(value_usd_m)
    mantissa, word_id, word_en = _scaled(value, _USD_M_SCALES, decimals)
    sign, mag = _sign_prefix(mantissa, decimals, signed)
    word = word_id if lang == "id" else word_en
    return f"{sign}US${format_number(mag, decimals, lang)} {word}"


def format_idr(value_idr: float, lang: str = "id", decimals: int = 1, signed: bool = False) -> str:
    """Format a rupiah amount (in rupiah) with a scale word.

    Parameters
    ----------
    value_idr : float
        Value in rupiah. None/NaN give "–".
    lang : {"id", "en"}, default "id"
        Output language.
    decimals : int, default 1
        Decimals of the scaled mantissa (amounts below one million are shown
        in full rupiah without decimals).
    signed : bool, default False
        Prefix positive values with "+".

    Returns
    -------
    str
        ``"Rp1,2 triliun"``, ``"Rp350,0 miliar"``, ``"Rp12,5 juta"``,
        ``"Rp500.000"`` (id); ``"IDR 1.2 trillion"``, ``"IDR 350.0 billion"``,
        ``"IDR 12.5 million"``, ``"IDR 500,000"`` (en).
    """
    _check_lang(lang)
    if is_missing(value_idr):
        return NOT_AVAILABLE
    value = float(value_idr)
    prefix = "Rp" if lang == "id" else "IDR "
    if round(abs(value), 0) < 1e6:
        sign, mag = _sign_prefix(value, 0, signed)
        return f"{sign}{prefix}{format_number(mag, 0, lang)}"
    mantissa, word_id, word_en = _scaled(value, _IDR_SCALES, decimals)
    sign, mag = _sign_prefix(mantissa, decimals, signed)
    word = word_id if lang == "id" else word_en
    return f"{sign}{prefix}{format_number(mag, decimals, lang)} {word}"


def format_pct(x: float, decimals: int = 1, lang: str = "id", signed: bool = False) -> str:
    """Format a value that is already in percent.

    Parameters
    ----------
    x : float
        Percentage (12.5 means 12.5%). None/NaN give "–".
    decimals : int, default 1
        Decimal places.
    lang : {"id", "en"}, default "id"
        Output language.
    signed : bool, default False
        Prefix positive values with "+" (values that round to zero get no sign).

    Returns
    -------
    str
        ``"12,5%"`` (id), ``"12.5%"`` (en), ``"+12,5%"`` when signed.
    """
    _check_lang(lang)
    if is_missing(x):
        return NOT_AVAILABLE
    value = float(x)
    sign, mag = _sign_prefix(value, decimals, signed)
    return f"{sign}{format_number(mag, decimals, lang)}%"


def format_range(
    lo: float,
    hi: float,
    formatter: Callable[..., str] = format_number,
    lang: str = "id",
) -> str:
    """Format a range as ``"<lo>–<hi>"`` using an en dash.

    Parameters
    ----------
    lo, hi : float
        Range bounds. If either is missing the whole range is "–".
    formatter : callable, default :func:`format_number`
        Called as ``formatter(value, lang=lang)``; all formatters of this
        module accept that call (use ``functools.partial`` for other options).
    lang : {"id", "en"}, default "id"
        Output language.

    Returns
    -------
    str
        e.g. ``format_range(1100, 1400, format_usd_m, "id") ==
        "US$1,1 miliar–US$1,4 miliar"``.
    """
    _check_lang(lang)
    if is_missing(lo) or is_missing(hi):
        return NOT_AVAILABLE
    return f"{formatter(lo, lang=lang)}\u2013{formatter(hi, lang=lang)}"
