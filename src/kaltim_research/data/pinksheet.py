"""World Bank Pink Sheet monthly prices: ``kaltim-research data fetch prices``.

Reads ``CMO-Historical-Data-Monthly.xlsx``, sheet "Monthly Prices" (World Bank Commodity
Price Data, https://www.worldbank.org/en/research/commodity-markets): a few title rows (the
first says "World Bank Commodity Price Data (The Pink Sheet)", one says "Updated on ..."), a
row of series names, a row of units ("($/mt)"), sometimes a row of series codes, then one row
per month whose first cell is "1960M01"-style. The columns the models use (and a few
neighbours) are mapped to the series names of ``prices/commodity_prices_monthly.csv``; only
months not yet in the snapshot are imported (a new raw file; the earlier files are never
edited). A value the World Bank has since revised is reported, not imported, so one month
never carries two values.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from kaltim_research.data.tables import Table, read_xlsx_cells, to_csv_bytes
from kaltim_research.errors import DataError, Problem

#: The address the World Bank has kept for the monthly workbook (linked from the landing page).
DEFAULT_URL = ("https://thedocs.worldbank.org/en/doc/5d903e848db1d1b83e0ec8f744e55570-"
               "0350012021/related/CMO-Historical-Data-Monthly.xlsx")
SHEET = "Monthly Prices"
#: Workbook name (lower case, footnote stars removed) -> series name in the raw price file.
#: coal_newcastle, lng_japan and aluminium drive the models; the others are their context.
SERIES = {
    "coal, australian": "Coal, Australian (Newcastle, fob)",
    "coal, south african": "Coal, South African (Richards Bay, fob)",
    "crude oil, brent": "Crude oil, Brent",
    "crude oil, average": "Crude oil, average (Brent/Dubai/WTI)",
    "liquefied natural gas, japan": "Liquefied natural gas, Japan (import cif)",
    "natural gas, europe": "Natural gas, Europe (TTF)",
    "palm oil": "Palm oil (Malaysia)",
    "aluminum": "Aluminum (LME)",
    "nickel": "Nickel (LME)",
    "copper": "Copper (LME)",
}
UNITS = {"$/mt": "US$/mt", "$/bbl": "US$/bbl", "$/mmbtu": "US$/mmbtu", "$/dmt": "US$/dmt",
         "$/kg": "US$/kg", "$/cubic meter": "US$/m3", "$/m3": "US$/m3"}
COLUMNS = ["commodity", "year", "month", "value", "unit", "source_url", "notes"]
_DATE = re.compile(r"^(\d{4})M(\d{2})$")


@dataclass(frozen=True)
class PinkSheet:
    """Long monthly prices of the mapped series, and the workbook's update date."""

    prices: pd.DataFrame      # commodity, year, month, value, unit
    updated: str | None       # "YYYY-MM-DD" from the "Updated on ..." title, if printed


def _name(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\*+", "", str(text))).strip().lower()


def read_workbook(source: bytes | Path, file: str = "workbook") -> PinkSheet:
    """Parse the "Monthly Prices" sheet (layout in the module docstring)."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    cells = read_xlsx_cells(data, SHEET, file)
    first = next((i for i, r in enumerate(cells) if r and _DATE.match(r[0])), None)
    if first is None or first < 2:
        raise DataError([Problem(file, "no '1960M01'-style month rows under a row of names "
                                 "and a row of units", column=SHEET)])
    units_row = next((i for i in range(first - 1, 0, -1)
                      if any(c.startswith("(") and "$" in c for c in cells[i])), None)
    if units_row is None:
        raise DataError([Problem(file, "no row of units such as '($/mt)' above the first month "
                                 f"row (line {first + 1}); expected the World Bank layout",
                                 column=SHEET)])
    names = cells[units_row - 1]
    units = cells[units_row]
    title = " ".join(c for r in cells[:units_row - 1] for c in r if c)
    m = re.search(r"Updated on (\w+ \d{1,2}, \d{4})", title)
    updated = (dt.datetime.strptime(m.group(1), "%B %d, %Y").date().isoformat() if m else None)
    parts, problems, seen = [], [], {}
    for j, name in enumerate(names):
        series = SERIES.get(_name(name))
        if not series:
            continue
        if series in seen:  # two columns for one series would be averaged downstream
            problems.append(Problem(file, f"a second column for {name} (first in column "
                                    f"{seen[series] + 1}); expected one column per series",
                                    line=units_row, column=name))
            continue
        seen[series] = j
        unit_raw = units[j].strip("() ")
        unit = UNITS.get(unit_raw)
        if unit is None:
            problems.append(Problem(file, f"unknown unit for {name}; expected one of "
                                    + ", ".join(UNITS), line=units_row + 1, column=name,
                                    value=units[j]))
            continue
        for i in range(first, len(cells)):
            d = _DATE.match(cells[i][0])
            if not d:
                continue
            text = cells[i][j]
            if text in ("", "..", "…", "n.a."):
                continue
            try:
                value = float(text)
            except ValueError:
                problems.append(Problem(file, "expected a number", line=i + 1, column=name,
                                        value=text))
                continue
            parts.append((series, int(d.group(1)), int(d.group(2)), value, unit))
    if problems:
        raise DataError(problems)
    found = {p[0] for p in parts}
    if "Coal, Australian (Newcastle, fob)" not in found:
        raise DataError([Problem(file, "no 'Coal, Australian' column found in the row of names "
                                 f"(line {units_row}); the models need it")])
    return PinkSheet(pd.DataFrame(parts, columns=COLUMNS[:5]), updated)


def new_months(sheet: PinkSheet, existing: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows for months the snapshot lacks, rows whose value the World Bank has revised).

    ``existing`` has columns commodity, year, month, value (the raw monthly price files).
    A value counts as revised if it differs by more than rounding (0.5 % or 0.01)."""
    if "unit" in existing.columns:
        units = existing.drop_duplicates("commodity").set_index("commodity")["unit"]
        got = sheet.prices.drop_duplicates("commodity").set_index("commodity")["unit"]
        clash = [f"{c}: workbook {u}, snapshot {units[c]}" for c, u in got.items()
                 if c in units.index and units[c] != u]
        if clash:
            raise DataError([Problem("workbook", "a series in another unit than the snapshot's "
                                     "(never mixed into one series): " + "; ".join(clash))])
    have = existing.groupby(["commodity", "year", "month"])["value"].mean().rename("before")
    merged = sheet.prices.join(have, on=["commodity", "year", "month"])
    new = merged[merged["before"].isna()].drop(columns="before")
    old = merged[merged["before"].notna()]
    revised = old[(old["value"] - old["before"]).abs() > (0.005 * old["before"].abs()).clip(0.01)]
    return new.reset_index(drop=True), revised.reset_index(drop=True)


def to_table(rows: pd.DataFrame, source_url: str, updated: str | None) -> Table:
    """New monthly prices in the columns of ``prices/commodity_prices_monthly.csv``."""
    note = (f"World Bank Pink Sheet CMO-Historical-Data-Monthly.xlsx, sheet \"{SHEET}\""
            + (f", updated {updated}" if updated else "") + "; monthly average price, nominal")
    body: list[list[Any]] = [
        [r.commodity, r.year, r.month, f"{r.value:.6f}".rstrip("0").rstrip("."), r.unit,
         source_url, note]
        for r in rows.sort_values(["commodity", "year", "month"]).itertuples()]
    return Table(COLUMNS, [[str(c) for c in r] for r in body], to_csv_bytes(COLUMNS, body),
                 "pink_sheet_xlsx")
