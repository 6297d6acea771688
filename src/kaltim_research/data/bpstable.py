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

from kaltim_research.data import numbers, vocabulary
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
PROVINCE_HINT = "give --province 'Kalimantan Timur' or 'Kalimantan Utara'"


def month_of(label: str) -> int | None:
    """1-12 for a month label, 13 for a total label, None otherwise."""
    t = re.sub(r"\s+", " ", str(label).strip().lower()).rstrip("*").strip()
    if t in YEAR_LABELS:
        return 13
    return MONTHS.get(t)


def year_of(label: str) -> int | None:
    m = re.fullmatch(r"\s*((?:19|20)\d{2})(?:\.0)?\**\s*", str(label))
    return int(m.group(1)) if m else None


def unit_factor(title: str, unit: str | None, file: str = "") -> float | None:
    """US$ m per printed unit: ``--unit`` if given, else the unit the title names (one parser,
    :mod:`kaltim_research.data.numbers`, for every path); a unit it does not know is refused."""
    if unit:
        return numbers.UNIT_OPTIONS[unit]
    try:
        return numbers.title_unit_factor(title)
    except numbers.UnitError as exc:
        raise DataError([Problem(file or "table", f"{exc}; or give --unit "
                                 + "|".join(numbers.UNIT_OPTIONS), value=title[:120])]) from None


def flow_of(title: str, flow: str | None) -> str:
    if flow:
        return flow
    low = title.lower().replace("-", " ")
    if re.search(r"non ?migas", low) and not re.search(r"migas (dan|&|/) ?non ?migas", low):
        return "nonmigas"
    if re.search(r"\bmigas\b", low) and "non" not in low:
        return "migas"
    return "total"


def province_of(title: str, province: str | None, file: str = "") -> str | None:
    """The province given (``--province``) or named by the title, through the one province
    vocabulary (:func:`kaltim_research.data.vocabulary.normalise_province`)."""
    if province:
        try:
            return vocabulary.normalise_province(province)
        except ValueError as exc:
            raise DataError([Problem(file or "--province", f"--province: {exc}")]) from None
    return vocabulary.province_in(title)


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


WEIGHT_WORDS = re.compile(r"\b(berat|netto|ton|tons|kg|volume|weight|quantity|jumlah barang)\b",
                          re.IGNORECASE)
VALUE_WORDS = re.compile(r"nilai|value|us\$|usd|fob", re.IGNORECASE)


def _columns(cells: list[list[str]], h: int, orient: str,
             file: str) -> tuple[dict[int, tuple[str, str | None]], int]:
    """Column index -> (across label, sub-header text or None) and the first body row.

    A year printed once over several columns (a merged cell) is carried to the empty header
    cells after it; the row below must then name each column (``Berat (Ton)``, ``Nilai
    (US$)``): weight columns are skipped, value columns kept, anything else is refused, so
    a tonnage is never read as US$ and the value column never dropped."""
    header = [str(c).strip() for c in cells[h]]
    used = {k for row in cells[h + 1:] for k, c in enumerate(row) if str(c).strip()}
    spans, last = {}, None
    for k in range(1, len(header)):
        if header[k]:
            last = header[k]
        spans[k] = header[k] or (last if last is not None and k in used else "")
    merged = any(not header[k] and spans[k] for k in spans)
    if not merged:
        return {k: (header[k], None) for k in spans if header[k]}, h + 1
    sub = [str(c).strip() for c in (cells[h + 1] if h + 1 < len(cells) else [])]
    if h + 1 >= len(cells) or month_of(sub[0] if sub else "") is not None or not any(sub[1:]):
        raise DataError([Problem(file, "a year is printed over several columns but no row "
                                 "below the header names them (e.g. 'Berat (Ton)', 'Nilai "
                                 "(US$)'); expected one value column per year", line=h + 1)])
    cols, problems = {}, []
    for k, across in spans.items():
        label = sub[k] if k < len(sub) else ""
        if not across or not label or WEIGHT_WORDS.search(label) and not VALUE_WORDS.search(label):
            continue
        if not VALUE_WORDS.search(label):
            problems.append(Problem(file, "column under a merged year header is neither a value "
                                    "(Nilai/Value/US$) nor a weight (Berat/Ton)", line=h + 2,
                                    column=f"{across} / {label}", value=label))
            continue
        cols[k] = (across, label)
    if problems:
        raise DataError(problems)
    years = [a for a, _l in cols.values()]
    dup = sorted({a for a in years if years.count(a) > 1})
    if dup:
        raise DataError([Problem(file, f"more than one value column under {', '.join(dup)}; "
                                 "expected one per year", line=h + 2)])
    return cols, h + 2


def _cell_value(cell: Any, file: str, line: int, column: str, problems: list[Problem]):
    try:
        return numbers.parse_number(cell)
    except numbers.NumberError as exc:
        problems.append(Problem(file, str(exc), line=line, column=column, value=str(cell)))
        return None


def wide_to_long(cells: list[list[str]], file: str) -> tuple[str, list[dict[str, Any]]]:
    """(title text, [{year, month (13 = a total), value, line, column, unit}]) from a BPS
    table as downloaded; every cell read by :func:`kaltim_research.data.numbers.parse_number`."""
    try:
        h, orient = _header_row(cells)
    except ValueError as exc:
        raise DataError([Problem(file, f"not a BPS table: {exc}; expected a row of years "
                                 "(or months) across and months (or years) down the first "
                                 "column, or a file in the columns of a raw file (with "
                                 "source_url)")]) from None
    title = " ".join(str(c) for row in cells[:h] for c in row if str(c).strip())
    cols, body = _columns(cells, h, orient, file)
    out, problems = [], []
    for j, row in enumerate(cells[body:], start=body + 1):
        if not row or not str(row[0]).strip():
            continue
        label = row[0]
        for k, (across, unit) in cols.items():
            cell = row[k] if k < len(row) else ""
            if not str(cell).strip():
                continue
            year, month = ((year_of(across), month_of(label)) if orient == "years_across"
                           else (year_of(label), month_of(across)))
            if year is None or month is None:
                continue
            if str(cell).lstrip().startswith("="):
                problems.append(Problem(file, "a formula, not a figure; save the sheet with "
                                        "values (formulas are not evaluated)", line=j,
                                        column=str(across), value=str(cell)[:60]))
                continue
            value = _cell_value(cell, file, j, str(across), problems)
            if value is not None:
                out.append({"year": year, "month": month, "value": value, "line": j,
                            "column": str(across), "unit": unit})
    if problems:
        raise DataError(problems)
    if not out:
        raise DataError([Problem(file, "the table has no values for a month or a year")])
    return title, _periods(out, file)


def _periods(values: list[dict[str, Any]], file: str) -> list[dict[str, Any]]:
    """Each value with its period: a month, or for a total row (``Jumlah``, ``Tahunan``) the
    months it sums. A total beside January-May of the same year is the Jan-May cumulative
    (``ytd`` ending in May), not the full year; a total beside months with a gap is refused."""
    months: dict[int, set[int]] = {}
    for v in values:
        if v["month"] <= 12:
            months.setdefault(v["year"], set()).add(v["month"])
    problems = []
    for v in values:
        if v["month"] <= 12:
            v["period_type"], v["period_end_month"] = "month", v["month"]
            continue
        have = months.get(v["year"], set())
        last = max(have, default=12)
        if have and have != set(range(1, last + 1)):
            problems.append(Problem(file, "a total row beside months with a gap ("
                                    + ", ".join(str(m) for m in sorted(have)) + "); expected "
                                    "January to the last month printed", line=v["line"],
                                    column=v["column"]))
            continue
        v["period_type"], v["period_end_month"] = ("year", 12) if last == 12 else ("ytd", last)
    if problems:
        raise DataError(problems)
    return values


def late_periods(values: list[dict[str, Any]], source_date: str, file: str) -> list[Problem]:
    """Values for a period ending after the release date (a year 2099, a month not yet over),
    located at the table's own line and column; the build checks the same rule on every raw
    file (:func:`kaltim_research.data.ledger_rules.period_problems`)."""
    m = re.match(r"^(\d{4})(?:-(\d{2}))?", source_date or "")
    if not m:
        return []
    released = (int(m.group(1)), int(m.group(2) or 12))
    return [Problem(file, f"period {v['year']}-{v['period_end_month']:02d} ends after the source "
                    f"date {source_date}; expected a period the release could report (check the "
                    "year)", line=v["line"], column=v["column"])
            for v in values if (v["year"], v["period_end_month"]) > released]


def ledger_records(values: list[dict[str, Any]], *, province: str, concept: str, flow: str,
                   factor: float, source_url: str, source_date: str,
                   how: str) -> list[list[Any]]:
    """Rows in :data:`~kaltim_research.data.tables.LEDGER_COLUMNS` order; ``factor`` is the
    title's unit, a column's own unit (sub-header) wins."""
    rows = []
    for v in sorted(values, key=lambda v: (v["year"], v["period_end_month"], v["period_type"])):
        f = factor if not v.get("unit") else (numbers.title_unit_factor(v["unit"]) or factor)
        usd_m = round(v["value"] * f, 6)
        printed = f"{usd_m:.6f}".rstrip("0").rstrip(".")
        total = ("; total row read as January-" + str(v["period_end_month"]) + " cumulative"
                 if v["period_type"] == "ytd" else "")
        rows.append([province, v["year"], v["period_type"], v["period_end_month"], concept,
                     flow, printed, source_url, source_date,
                     f"{how}; cell line {v['line']}, value as printed {v['value']:g}{total}"])
    return rows


def to_ledger_table(cells: list[list[str]], file: str, *, province, concept, flow, unit,
                    source_url: str, source_date: str):
    """A downloaded BPS table as an importer :class:`~kaltim_research.data.tables.Table`."""

    title, values = wide_to_long(cells, file)
    prov = province_of(title, province, file)
    if not prov:
        raise DataError([Problem(file, f"the table does not name the province; {PROVINCE_HINT}")])
    conc = concept_of(title, prov, concept)
    if not conc:
        raise DataError([Problem(file, "the title does not say whether figures are by origin "
                                 "(ekspor asal) or through the province's ports (melalui "
                                 "pelabuhan); give --concept origin|via_ports")])
    factor = unit_factor(title, unit, file)
    if factor is None and not all(numbers.title_unit_factor(v.get("unit") or "")
                                  for v in values):
        raise DataError([Problem(file, "the unit is not stated in the title; give --unit "
                                 "usd|thousand_usd|million_usd")])
    late = late_periods(values, source_date, file)
    if late:
        raise DataError(late)
    fl = flow_of(title, flow)
    notes = [] if flow or fl != "total" else [
        f"{file}: flow read as 'total' (the title names neither migas nor nonmigas)"]
    rows = ledger_records(values, province=prov, concept=conc, flow=fl, factor=factor,
                          source_url=source_url, source_date=source_date,
                          how=f"BPS table '{title[:80]}'")
    notes += list(getattr(cells, "notes", []))
    if any(v["period_type"] == "ytd" for v in values):
        notes.append(f"{file}: a total row beside part of a year was read as the cumulative "
                     "of the months printed (period_type ytd), not the full year")
    return Table(LEDGER_COLUMNS, [[str(c) for c in r] for r in rows],
                 to_csv_bytes(LEDGER_COLUMNS, rows), "bps_table", notes)
