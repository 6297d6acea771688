"""BPS export tables as downloaded (CSV/XLSX) or as WebAPI replies -> long ledger rows.

A BPS table has a few title rows, then a header row and a body: months (``Januari`` ...
``Desember``, ``Tahunan``/``Jumlah`` for the year) down one side and years across, or the
other way round. The title names the unit (``Juta US$``, ``Ribu US$``, ``US$``), usually the
flow (``Nonmigas``/``Migas``), the province and, for BPS Kaltara, the concept (*ekspor asal*
vs *melalui pelabuhan*). Anything the table does not say must be given (``--province``,
``--concept``, ``--flow``, ``--unit``): the importer never guesses a concept for Kaltara.
Every row written keeps the source URL and a note of how it was read.
"""
from __future__ import annotations

import re
from typing import Any

from kaltim_research.data.tables import LEDGER_COLUMNS, Table, to_csv_bytes
from kaltim_research.errors import DataError, Problem

MONTHS = {
    **{m: i for i, m in enumerate(["januari", "februari", "maret", "april", "mei", "juni", "juli",
                                   "agustus", "september", "oktober", "november", "desember"], 1)},
    **{m: i for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july",
                                   "august", "september", "october", "november", "december"], 1)},
    **{m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "mei", "jun", "jul", "agu",
                                   "sep", "okt", "nov", "des"], 1)},
    "agt": 8, "aug": 8, "oct": 10, "dec": 12, "may": 5, "nop": 11, "pebruari": 2,
}
YEAR_LABELS = {"tahunan", "jumlah", "total", "annual", "setahun", "januari-desember",
               "januari - desember"}
#: Unit words -> factor to US$ million (longest phrases first).
UNITS = [("juta us$", 1.0), ("juta usd", 1.0), ("million us$", 1.0), ("million usd", 1.0),
         ("us$ million", 1.0), ("ribu us$", 1e-3), ("ribu usd", 1e-3), ("thousand us$", 1e-3),
         ("000 us$", 1e-3), ("us$", 1e-6), ("usd", 1e-6)]
UNIT_OPTIONS = {"usd": 1e-6, "thousand_usd": 1e-3, "million_usd": 1.0}
PROVINCES = {"6400": "Kalimantan Timur", "6500": "Kalimantan Utara",
             "kalimantan timur": "Kalimantan Timur", "kaltim": "Kalimantan Timur",
             "kalimantan utara": "Kalimantan Utara", "kaltara": "Kalimantan Utara"}


def month_of(label: str) -> int | None:
    """1-12 for a month label, 13 for a full-year label, None otherwise."""
    t = re.sub(r"\s+", " ", str(label).strip().lower()).rstrip("*").strip()
    if t in YEAR_LABELS:
        return 13
    return MONTHS.get(t)


def year_of(label: str) -> int | None:
    m = re.fullmatch(r"\s*((?:19|20)\d{2})(?:\.0)?\**\s*", str(label))
    return int(m.group(1)) if m else None


def parse_number(text: str) -> float | None:
    """A BPS cell as a number: '1 234,56', '1.234,56', '1,234.56', '1234.5'; '-', '...' ->
    None (BPS marks missing values so)."""
    t = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if t in ("", "-", "–", "...", "…", "x", "NA", "na"):
        return None
    if not re.fullmatch(r"-?[\d.,]+", t):
        raise ValueError(t)
    if "," in t and "." in t:
        dec = "," if t.rfind(",") > t.rfind(".") else "."
        t = t.replace("." if dec == "," else ",", "").replace(dec, ".")
    elif "," in t:
        t = t.replace(",", ".") if t.count(",") == 1 else t.replace(",", "")
    elif t.count(".") > 1:
        t = t.replace(".", "")
    return float(t)


def unit_factor(title: str, unit: str | None) -> float | None:
    if unit:
        return UNIT_OPTIONS[unit]
    low = title.lower()
    for word, factor in UNITS:
        if word in low:
            return factor
    return None


def flow_of(title: str, flow: str | None) -> str:
    if flow:
        return flow
    low = title.lower().replace("-", " ")
    if re.search(r"non ?migas", low) and not re.search(r"migas (dan|&|/) ?non ?migas", low):
        return "nonmigas"
    if re.search(r"\bmigas\b", low) and "non" not in low:
        return "migas"
    return "total"


def province_of(title: str, province: str | None) -> str | None:
    if province:
        return PROVINCES.get(province.lower(), province)
    low = title.lower()
    for word, name in PROVINCES.items():
        if not word.isdigit() and word in low:
            return name
    return None


def concept_of(title: str, province: str, concept: str | None) -> str | None:
    """BPS Kaltim's own series is by port of loading; Kaltara's title must say which."""
    if concept:
        return concept
    low = title.lower()
    if "melalui pelabuhan" in low or "through ports" in low or "via port" in low:
        return "via_ports"
    if "asal" in low or "asli" in low or "origin" in low:
        return "origin"
    if province == "Kalimantan Timur":
        return "via_ports"
    return None


def _header_row(cells: list[list[str]]) -> tuple[int, str]:
    """Index of the header row and the orientation ('years_across' or 'months_across')."""
    for i, row in enumerate(cells):
        years = sum(year_of(c) is not None for c in row[1:])
        months = sum(month_of(c) is not None for c in row[1:])
        if years >= 1 and years >= months:
            return i, "years_across"
        if months >= 3:
            return i, "months_across"
    raise ValueError("no header row with years or months found")


def wide_to_long(cells: list[list[str]], file: str) -> tuple[str, list[tuple[int, int, float, int]]]:
    """(title text, [(year, month or 13, value, line)]) from a downloaded BPS table."""
    try:
        h, orient = _header_row(cells)
    except ValueError as exc:
        raise DataError([Problem(file, f"not a BPS table: {exc}; expected a row of years "
                                 "(or months) across and months (or years) down the first "
                                 "column, or a file in the columns of a raw file (with "
                                 "source_url)")]) from None
    title = " ".join(c for row in cells[:h] for c in row if c)
    header = cells[h]
    out, problems = [], []
    for j, row in enumerate(cells[h + 1:], start=h + 2):
        if not row or not str(row[0]).strip():
            continue
        label = row[0]
        for k, cell in enumerate(row[1:], start=1):
            if k >= len(header) or not str(cell).strip():
                continue
            across = header[k]
            year, month = ((year_of(across), month_of(label)) if orient == "years_across"
                           else (year_of(label), month_of(across)))
            if year is None or month is None:
                continue
            try:
                value = parse_number(cell)
            except ValueError:
                problems.append(Problem(file, "expected a number", line=j, column=str(across),
                                        value=str(cell)))
                continue
            if value is not None:
                out.append((year, month, value, j))
    if problems:
        raise DataError(problems)
    if not out:
        raise DataError([Problem(file, "the table has no values for a month or a year")])
    return title, out


def ledger_records(values: list[tuple[int, int, float, int]], *, province: str, concept: str,
                   flow: str, factor: float, source_url: str, source_date: str,
                   how: str) -> list[list[Any]]:
    """Rows in :data:`~kaltim_research.data.tables.LEDGER_COLUMNS` order."""
    rows = []
    for year, month, value, line in sorted(values):
        ptype, pem = ("year", 12) if month == 13 else ("month", month)
        usd_m = round(value * factor, 6)
        printed = f"{usd_m:.6f}".rstrip("0").rstrip(".")
        rows.append([province, year, ptype, pem, concept, flow, printed, source_url, source_date,
                     f"{how}; cell line {line}, value as printed {value:g}"])
    return rows


def to_ledger_table(cells: list[list[str]], file: str, *, province, concept, flow, unit,
                    source_url: str, source_date: str):
    """A downloaded BPS table as an importer :class:`~kaltim_research.data.tables.Table`."""

    title, values = wide_to_long(cells, file)
    prov = province_of(title, province)
    if not prov:
        raise DataError([Problem(file, "the table does not name the province; give "
                                 "--province 'Kalimantan Timur' or 'Kalimantan Utara'")])
    conc = concept_of(title, prov, concept)
    if not conc:
        raise DataError([Problem(file, "the title does not say whether figures are by origin "
                                 "(ekspor asal) or through the province's ports (melalui "
                                 "pelabuhan); give --concept origin|via_ports")])
    factor = unit_factor(title, unit)
    if factor is None:
        raise DataError([Problem(file, "the unit is not stated in the title; give --unit "
                                 "usd|thousand_usd|million_usd")])
    fl = flow_of(title, flow)
    notes = [] if flow or fl != "total" else [
        f"{file}: flow read as 'total' (the title names neither migas nor nonmigas)"]
    rows = ledger_records(values, province=prov, concept=conc, flow=fl, factor=factor,
                          source_url=source_url, source_date=source_date,
                          how=f"BPS table '{title[:80]}'")
    return Table(LEDGER_COLUMNS, [[str(c) for c in r] for r in rows],
                 to_csv_bytes(LEDGER_COLUMNS, rows), "bps_table", notes)
