"""One number parser and one unit parser for every path a figure enters by.

The raw-file path (``data check``/``build``), the BPS-table path (``data import`` of a table
as downloaded) and the WebAPI path (``data fetch bps``) all read printed figures and unit
labels through this module, so the same text never means two things on two paths.

Numbers. BPS prints Indonesian style (``1.234,56``: ``.`` groups thousands, ``,`` is the
decimal mark), English tables the other way round. A figure with both marks, or with the
same mark more than once, is unambiguous. A figure with one mark followed by exactly three
digits (``987.650``, ``1,498``) is not: it may be 987,650 or 987.65. Such a figure is refused
with both readings instead of being guessed (a silent 1000x error is the worst outcome on the
release path). A number stored as a number (an XLSX numeric cell, a JSON number) is not text
and is taken as it is.

Units. A unit label names a currency (``US$``, ``USD``, ``$``, ``dollar``) and at most one
multiplier word, before or after it, in English or Indonesian: ``ribu``/``thousand``/``000``
(1e3), ``juta``/``million`` (1e6), ``miliar``/``milyar``/``billion`` (1e9). The factor returned
converts a printed figure to US$ million. A label with no currency, two multipliers or a
word this module does not know is refused, never read as plain dollars.
"""
from __future__ import annotations

import math
import re
from typing import Any

#: Multiplier words -> power of ten of one printed unit in US$ (BPS and English spellings).
MULTIPLIERS = {"ribu": 3, "rb": 3, "thousand": 3, "thousands": 3, "000": 3, "'000": 3,
               "k": 3, "juta": 6, "million": 6, "millions": 6, "mn": 6, "mio": 6, "m": 6,
               "miliar": 9, "milyar": 9, "milliar": 9, "billion": 9, "billions": 9, "bn": 9}
CURRENCY = {"us$", "usd", "$", "us", "dollar", "dollars", "dolar", "us-dollar"}
#: Words that may stand beside a unit without changing it ("Nilai (Juta US$)", "in US$ m").
FILLER = {"in", "dalam", "nilai", "value", "satuan", "unit", "fob", "of", "as"}
#: --unit options of the importer (the same names as the parser's factors).
UNIT_OPTIONS = {"usd": 1e-6, "thousand_usd": 1e-3, "million_usd": 1.0, "billion_usd": 1e3}
MISSING = ("", "-", "–", "—", "...", "…", "x", "NA", "na", "n.a.")


class NumberError(ValueError):
    """A figure that cannot be read, or can be read two ways; ``readings`` lists them."""

    def __init__(self, text: str, message: str, readings: tuple[float, ...] = ()):
        self.text, self.readings = text, readings
        super().__init__(message)


class UnitError(ValueError):
    """A unit label this module cannot turn into a factor."""


def fmt(x: float) -> str:
    """A reading as shown in messages: plain digits, no exponent, no trailing zeros."""
    return f"{x:.6f}".rstrip("0").rstrip(".")


def parse_number(cell: Any) -> float | None:
    """A printed figure as a float; None for BPS's not-available marks ('-', '...', 'x').

    Numbers (int/float, e.g. an XLSX numeric cell or a JSON number) pass unchanged. Text is read
    by the rules in the module docstring; raises :class:`NumberError` with both readings for
    an ambiguous figure and a plain message for text that is not a number.
    """
    if isinstance(cell, bool):
        raise NumberError(str(cell), "expected a number, found a true/false value")
    if isinstance(cell, int | float):
        if not math.isfinite(float(cell)):
            raise NumberError(str(cell), "not a finite number")
        return float(cell)
    number = getattr(cell, "number", None)   # a NumberText from an XLSX numeric cell
    if number is not None:
        return float(number)
    t = str(cell).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if t in MISSING:
        return None
    sign = -1.0 if t[:1] in "-−" else 1.0
    body = t.lstrip("+-−")
    if not re.fullmatch(r"\d[\d.,]*", body) or body[-1] in ".,":
        raise NumberError(t, "expected a number")
    dots, commas = body.count("."), body.count(",")
    if dots and commas:
        dec = "," if body.rfind(",") > body.rfind(".") else "."
        group = "." if dec == "," else ","
        if body.count(dec) > 1 or not re.fullmatch(
                rf"\d{{1,3}}(?:{re.escape(group)}\d{{3}})*{re.escape(dec)}\d+", body):
            raise NumberError(t, "expected a number (the thousands and decimal marks are "
                              "mixed up)")
        return sign * float(body.replace(group, "").replace(dec, "."))
    mark = "." if dots else "," if commas else ""
    if not mark:
        return sign * float(body)
    if body.count(mark) > 1:
        if not re.fullmatch(rf"\d{{1,3}}(?:{re.escape(mark)}\d{{3}})+", body):
            raise NumberError(t, f"expected a number ('{mark}' repeated but not every three "
                              "digits)")
        return sign * float(body.replace(mark, ""))
    whole, frac = body.split(mark)
    if len(frac) == 3 and len(whole) <= 3 and whole != "0":
        grouped, decimal = sign * float(whole + frac), sign * float(f"{whole}.{frac}")
        raise NumberError(t, f"ambiguous: {fmt(grouped)} if '{mark}' separates thousands, "
                          f"{fmt(decimal)} if it is the decimal mark; give the figure with "
                          "both marks or none (the source says which)", (grouped, decimal))
    return sign * float(f"{whole}.{frac}")


class NumberText(str):
    """Cell text that came from a numeric cell (XLSX): :func:`parse_number` takes its number."""

    number: float

    def __new__(cls, text: str, number: float) -> NumberText:
        obj = super().__new__(cls, text)
        obj.number = number
        return obj


_UNIT_TOKEN = re.compile(r"us\$|us-dollar|'000|[a-z]+|\$|\d+")


def unit_factor(label: str) -> float:
    """Factor from one printed unit to US$ million, e.g. 'Ribu US$' -> 1e-3, 'USD' -> 1e-6.

    ``label`` is the unit text alone (e.g. a parenthesised part of a title or a WebAPI ``unit``
    field). Raises :class:`UnitError` naming what was not understood.
    """
    low = str(label).lower().replace("us $", "us$").replace("u.s.", "us")
    tokens = _UNIT_TOKEN.findall(low)
    currency = [t for t in tokens if t in CURRENCY]
    mult = [t for t in tokens if t in MULTIPLIERS]
    other = [t for t in tokens if t not in CURRENCY and t not in MULTIPLIERS and t not in FILLER]
    if not currency:
        raise UnitError(f"unit {label!r} names no currency; expected US$ with ribu/thousand, "
                        "juta/million or miliar/milyar/billion before or after it")
    if len({MULTIPLIERS[t] for t in mult}) > 1 or other:
        what = ", ".join(repr(t) for t in (mult if len(mult) > 1 else other))
        raise UnitError(f"unit {label!r}: {what} not understood; expected US$ with at most one "
                        "of ribu/thousand, juta/million, miliar/milyar/billion")
    return 10.0 ** (MULTIPLIERS[mult[0]] - 6) if mult else 1e-6


def units_in_title(title: str) -> list[str]:
    """The parts of a table title that speak of money (usually in parentheses)."""
    word = r"(?:ribu|juta|mil[iy]ar|thousand|million|billion)"
    # 'US$ (ribu)' and '(Juta) US$': the currency beside a bracketed multiplier is one unit
    title = re.sub(rf"(us\$|usd)\s*\(\s*({word})\s*\)", r"(\1 \2)", title, flags=re.IGNORECASE)
    title = re.sub(rf"\(\s*({word})\s*\)\s*(us\$|usd)", r"(\1 \2)", title, flags=re.IGNORECASE)
    parts = re.findall(r"\(([^()]*)\)", title)
    # a bracket with a currency or a multiplier word states a unit ('(Juta Rupiah)' too: it is
    # then refused for naming no US$, not ignored)
    money = [p for p in parts if re.search(r"us\$|usd|\$|dollar|dolar|\b(ribu|juta|mil[iy]ar|"
                                           r"thousand|million|billion)\b", p, re.IGNORECASE)]
    if money:
        return money
    return re.findall(rf"(?:{word}[\s(]*)?(?:us\$|usd)(?:[\s(]*{word}\)?)?", title,
                      re.IGNORECASE)


def title_unit_factor(title: str) -> float | None:
    """The factor of the unit a title states; None if it states none; UnitError if the title
    states two different units or one this module does not know."""
    found = {unit_factor(u) for u in units_in_title(title)}
    if len(found) > 1:
        raise UnitError(f"the title names {len(found)} different units: "
                        + ", ".join(units_in_title(title)))
    return found.pop() if found else None
