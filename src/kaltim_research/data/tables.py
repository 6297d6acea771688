"""Input tables of an import: a CSV or XLSX read as text cells, and the canonical CSV written.

The lowest step of ``data import`` (:mod:`.importer`) and of the converters that feed it
(:mod:`.bpstable` for BPS tables as downloaded, :mod:`.fetch` for WebAPI replies): they share
the ledger's column list, the :class:`Table` they hand over and the bytes they store.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kaltim_research.errors import DataError, Problem

#: Columns of a long export table written by the importer for converted input (BPS tables,
#: WebAPI replies): the columns of ``exports/kaltara_exports_annual.csv``, which holds any
#: period type (``month`` rows use ``period_end_month`` as their month).
LEDGER_COLUMNS = ["province", "year", "period_type", "period_end_month", "concept", "flow",
                  "value_usd_million", "source_url", "source_date", "notes"]


@dataclass(frozen=True)
class Table:
    """An input table: header, rows (text cells) and the bytes to store."""

    header: list[str]
    rows: list[list[str]]
    data: bytes              # the bytes written to data/raw
    converted_from: str      # "csv" (stored as given), "xlsx", "bps_table", "bps_webapi", ...
    notes: list[str] = field(default_factory=list)


def read_csv_bytes(data: bytes, name: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV; the same decoding rules as the build (UTF-8, commas)."""
    if not data.strip():
        raise DataError([Problem(name, "file is empty; expected a header line and data rows")])
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataError([Problem(name, f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); "
                                 "re-save the file as UTF-8", line=line)]) from exc
    rows = list(csv.reader(io.StringIO(text, newline="")))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise DataError([Problem(name, "no rows found")])
    return [c.strip() for c in rows[0]], rows[1:]


def read_xlsx_cells(path: Path, sheet: str | int | None = None) -> list[list[str]]:
    """All cells of one sheet as text (numbers keep full precision), via pandas + openpyxl."""
    import pandas as pd

    try:
        frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, header=None,
                              dtype=object, engine="openpyxl")
    except (ValueError, KeyError, OSError) as exc:
        raise DataError([Problem(str(path), f"cannot read the workbook: {exc}")]) from exc
    return [[cell_text(v) for v in row] for row in frame.itertuples(index=False)]


def cell_text(value: Any) -> str:
    """A spreadsheet cell as text: '' for blanks, integers without '.0', floats with repr."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


def to_csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    """Canonical CSV (UTF-8, comma, minimal quoting, LF) for files the importer converts."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return buf.getvalue().encode("utf-8")
