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


#: Limits on a workbook given to the importer (judgement: a BPS export table is a few KB, the
#: World Bank Pink Sheet about 1 MB zipped with sheet XML of ~15 MB): larger inputs are refused
#: before they can take minutes or gigabytes.
XLSX_MAX_BYTES = 20_000_000
XLSX_MAX_XML_BYTES = 100_000_000
#: Shared strings are held in memory whole by openpyxl (one Python string each): a tighter cap.
XLSX_MAX_SHARED_STRINGS_BYTES = 20_000_000
XLSX_MAX_ROWS = 20_000
XLSX_MAX_CELLS = 2_000_000
XLSX_MAX_SECONDS = 60.0


def check_xlsx(data: bytes, name: str) -> None:
    """Refuse a workbook that is not a zip, too large, or whose XML would unpack too large."""
    import zipfile

    if len(data) > XLSX_MAX_BYTES:
        raise DataError([Problem(name, f"workbook of {len(data):,} bytes; expected at most "
                                 f"{XLSX_MAX_BYTES:,}")])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            xml = sum(i.file_size for i in z.infolist() if i.filename.endswith(".xml"))
            shared = sum(i.file_size for i in z.infolist()
                         if i.filename.lower().endswith("sharedstrings.xml"))
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise DataError([Problem(name, f"not an .xlsx workbook ({exc}); expected a file saved "
                                 "as Excel .xlsx (a renamed or damaged file?)")]) from None
    if shared > XLSX_MAX_SHARED_STRINGS_BYTES:
        raise DataError([Problem(name, f"the workbook's shared strings unpack to {shared:,} "
                                 f"bytes; expected at most {XLSX_MAX_SHARED_STRINGS_BYTES:,}")])
    if xml > XLSX_MAX_XML_BYTES:
        raise DataError([Problem(name, f"the workbook's XML unpacks to {xml:,} bytes; expected "
                                 f"at most {XLSX_MAX_XML_BYTES:,}")])


def read_xlsx_cells(path: Path | bytes, sheet: str | int | None = None,
                    name: str | None = None) -> list[list[str]]:
    """All cells of one sheet as text, bounded (:func:`check_xlsx`, rows, cells, time).

    Numeric cells come back as :class:`~kaltim_research.data.numbers.NumberText` (text that
    keeps its number, so it is never re-read as an ambiguous '1.498'). A formula cell is read
    as its cached value where the workbook has one (with a note in the returned list's
    ``notes``); a formula without a cached value is refused."""
    import openpyxl

    from kaltim_research.data.numbers import NumberText

    shown = name or str(path)
    data = path if isinstance(path, bytes) else Path(path).read_bytes()
    check_xlsx(data, shown)
    try:
        values = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise DataError([Problem(shown, f"cannot read the workbook: {exc}; expected a file "
                                 "saved as Excel .xlsx")]) from None
    try:
        ws_v, ws_f = _sheet(values, sheet), _sheet(formulas, sheet)
    except (KeyError, IndexError):
        names = ", ".join(values.sheetnames)
        raise DataError([Problem(shown, f"no sheet {sheet!r} in the workbook; it has: "
                                 f"{names}")]) from None
    return _bounded_rows(ws_v, ws_f, shown, NumberText)


def _sheet(wb, sheet: str | int | None):
    return wb.worksheets[sheet] if isinstance(sheet, int) else wb[sheet] if sheet else \
        wb.worksheets[0]


def _bounded_rows(ws_v, ws_f, shown: str, number_text) -> list[list[str]]:
    import time

    t0, cells, out, problems, formulas = time.monotonic(), 0, [], [], 0
    for i, (row_v, row_f) in enumerate(zip(ws_v.iter_rows(values_only=True),
                                           ws_f.iter_rows(values_only=True), strict=False),
                                      start=1):
        if i > XLSX_MAX_ROWS or time.monotonic() - t0 > XLSX_MAX_SECONDS:
            raise DataError([Problem(shown, f"more than {XLSX_MAX_ROWS:,} rows or "
                                     f"{XLSX_MAX_SECONDS:g} s of reading; expected a table "
                                     "export, not a whole database", line=i)])
        cells += len(row_v)
        if cells > XLSX_MAX_CELLS:
            raise DataError([Problem(shown, f"more than {XLSX_MAX_CELLS:,} cells", line=i)])
        texts = []
        for k, (v, f) in enumerate(zip(row_v, row_f, strict=False), start=1):
            formula = isinstance(f, str) and f.startswith("=")
            formulas += formula
            if formula and v is None:
                problems.append(Problem(shown, "a formula without a saved value; open the file "
                                        "in Excel/LibreOffice and save it, or paste values",
                                        line=i, column=_col(k), value=f[:60]))
            is_num = isinstance(v, int | float) and not isinstance(v, bool)
            texts.append(number_text(cell_text(v), float(v)) if is_num else cell_text(v))
        out.append(texts)
    if problems:
        raise DataError(problems)
    width = max((len(r) for r in out), default=0)
    while width and all(len(r) < width or not str(r[width - 1]).strip() for r in out):
        width -= 1
    result = Cells(r[:width] + [""] * (width - len(r)) for r in out)
    if formulas:
        result.notes.append(f"{shown}: {formulas} formula cell(s) read as the value the "
                            "workbook saved for them")
    return result


class Cells(list):
    """Rows of text cells, with notes on how they were read (formulas taken as values)."""

    def __init__(self, rows=()):
        super().__init__(rows)
        self.notes: list[str] = []


def _col(k: int) -> str:
    name = ""
    while k:
        k, rem = divmod(k - 1, 26)
        name = chr(65 + rem) + name
    return name


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
