"""`kaltim-research data import`: new raw files through the build's own checks, never edits.

Every test works on a copy of data/raw (conftest.raw_copy). Figures in the made-up files are
test inputs with a test URL, not project data.
"""
from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import REAL_RAW, tree_hashes

from kaltim_research.cli import main
from kaltim_research.config import PROJ_ROOT

SHARED = PROJ_ROOT.parent / "shared" / "data"
TEST_URL = "https://example.org/test-release/kaltara-ekspor-oktober-2025"
KALTARA_MONTHLY_COLUMNS = ["province", "year", "month", "concept", "flow", "value_usd_million",
                           "source_url", "source_date", "notes"]


def _write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return path


def _kaltara_monthly(path: Path, value="101.5", concept="via_ports") -> Path:
    return _write_csv(path, KALTARA_MONTHLY_COLUMNS, [
        ["Kalimantan Utara", 2025, 10, concept, "total", value, TEST_URL, "2025-12-01",
         "test row"],
        ["Kalimantan Utara", 2025, 10, concept, "mining", "60.25", TEST_URL, "2025-12-01", ""],
    ])


def _import(path: Path, raw: Path, *extra: str) -> int:
    return main(["data", "import", str(path), "--source-url", TEST_URL, "--source-date",
                 "2025-12-01", "--retrieved", "2025-12-02", "--raw", str(raw), *extra])


def test_kaltara_monthly_csv_is_imported_checked_and_built(raw_copy, tmp_path, capsys):
    before = tree_hashes(raw_copy)
    src = _kaltara_monthly(tmp_path / "kaltara_oktober_2025.csv")
    assert _import(src, raw_copy) == 0
    out = capsys.readouterr().out
    assert "exports/kaltara_oktober_2025_2025-12-02.csv" in out
    after = tree_hashes(raw_copy)
    # every earlier file is byte-identical; only the manifest changed and one file was added
    changed = {p for p in before if before[p] != after.get(p)}
    assert changed == {"datapackage.json"}
    assert set(after) - set(before) == {"exports/kaltara_oktober_2025_2025-12-02.csv"}
    assert (raw_copy / "exports/kaltara_oktober_2025_2025-12-02.csv").read_bytes() == src.read_bytes()
    entry = json.loads((raw_copy / "datapackage.json").read_text())["resources"][-1]
    assert entry["hash"] == "sha256:" + hashlib.sha256(src.read_bytes()).hexdigest()
    assert entry["kaltim:import"]["source_url"] == TEST_URL
    assert entry["kaltim:import"]["retrieved"] == "2025-12-02"
    assert entry["kaltim:role"] == "exports"
    processed = tmp_path / "processed"
    assert main(["data", "build", "--raw", str(raw_copy), "--processed", str(processed)]) == 0
    assert main(["data", "check", "--raw", str(raw_copy), "--processed", str(processed)]) == 0
    e = pd.read_csv(processed / "exports.csv")
    row = e[(e.province == "Kalimantan Utara") & (e.concept == "via_ports") & (e.flow == "total")
            & (e.period_type == "month") & (e.year == 2025) & (e.month == 10)]
    assert row["value_usd_m"].tolist() == [101.5]
    assert row["source_url"].tolist() == [TEST_URL]


def test_importing_the_same_file_twice_is_a_no_op(raw_copy, tmp_path, capsys):
    src = _kaltara_monthly(tmp_path / "k.csv")
    assert _import(src, raw_copy) == 0
    snapshot = tree_hashes(raw_copy)
    capsys.readouterr()
    assert _import(src, raw_copy) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert tree_hashes(raw_copy) == snapshot


def test_reimporting_a_wave3_context_file_is_a_no_op(raw_copy, capsys):
    snapshot = tree_hashes(raw_copy)
    assert main(["data", "import", str(REAL_RAW / "macro/context_wave3.csv"), "--source-url",
                 "per-row", "--source-date", "2026-12-01", "--raw", str(raw_copy)]) == 0
    assert "already in the snapshot as macro/context_wave3.csv" in capsys.readouterr().out
    assert tree_hashes(raw_copy) == snapshot


@pytest.mark.parametrize("value, concept, column, expectation", [
    ("101,5", "via_ports", "value_usd_million", "decimal point"),
    ("101.5", "by_port", "concept", "expected one of: origin, via_ports, unspecified"),
    ("-3", "via_ports", "value_usd_million", "≥ 0"),
])
def test_bad_rows_exit_2_naming_file_line_column_and_write_nothing(
        raw_copy, tmp_path, capsys, value, concept, column, expectation):
    snapshot = tree_hashes(raw_copy)
    src = _kaltara_monthly(tmp_path / "bad.csv", value=value, concept=concept)
    assert _import(src, raw_copy) == 2
    err = capsys.readouterr().err
    assert str(src) in err and "line 2" in err and f"column '{column}'" in err
    assert expectation in err
    assert tree_hashes(raw_copy) == snapshot


def test_unknown_columns_name_the_closest_raw_file(raw_copy, tmp_path, capsys):
    src = _write_csv(tmp_path / "x.csv", ["province", "tahun", "value_usd_million", "source_url"],
                     [["Kalimantan Utara", 2025, 1, TEST_URL]])
    assert _import(src, raw_copy) == 2
    assert "columns match no raw file" in capsys.readouterr().err


def test_bad_source_url_and_date_are_refused(raw_copy, tmp_path, capsys):
    src = _kaltara_monthly(tmp_path / "k.csv")
    assert main(["data", "import", str(src), "--source-url", "kaltara.bps.go.id",
                 "--source-date", "2025-12-01", "--raw", str(raw_copy)]) == 2
    assert "--source-url" in capsys.readouterr().err
    assert main(["data", "import", str(src), "--source-url", TEST_URL,
                 "--source-date", "Desember", "--raw", str(raw_copy)]) == 2
    assert "--source-date" in capsys.readouterr().err


def test_constant_columns_from_the_command_line(raw_copy, tmp_path):
    """A Kaltim monthly file without province: --province fills the constant column."""
    src = _write_csv(tmp_path / "kaltim.csv",
                     ["year", "month", "flow", "value_usd_million", "source_url", "source_date",
                      "notes"],
                     [[2024, 10, "total", "2100", TEST_URL, "2024-12-02", "test row"]])
    assert _import(src, raw_copy, "--province", "Kalimantan Timur") == 0
    entry = json.loads((raw_copy / "datapackage.json").read_text())["resources"][-1]
    assert entry["kaltim:defaults"]["province"] == "Kalimantan Timur"
    assert entry["kaltim:defaults"]["concept"] == "via_ports"  # BPS Kaltim counts by port


def _bps_xlsx(path: Path, title: str) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([title])
    ws.append([])
    ws.append(["Bulan", "2024", "2025"])
    ws.append(["Januari", 276.10, 110.01])
    ws.append(["Februari", 366.80, "90,93"])
    ws.append(["Maret", "-", None])
    wb.save(path)
    return path


def test_bps_table_xlsx_is_converted_to_ledger_rows(raw_copy, tmp_path):
    src = _bps_xlsx(tmp_path / "ekspor.xlsx", "Nilai Ekspor Nonmigas Provinsi Kalimantan Utara "
                    "Melalui Pelabuhan di Kalimantan Utara (Juta US$)")
    assert _import(src, raw_copy) == 0
    entry = json.loads((raw_copy / "datapackage.json").read_text())["resources"][-1]
    assert entry["kaltim:import"]["converted_from"] == "bps_table"
    rows = list(csv.DictReader((raw_copy / entry["path"]).open(encoding="utf-8")))
    got = {(r["year"], r["period_end_month"], r["concept"], r["flow"]): r["value_usd_million"]
           for r in rows}
    assert got == {("2024", "1", "via_ports", "nonmigas"): "276.1",
                   ("2024", "2", "via_ports", "nonmigas"): "366.8",
                   ("2025", "1", "via_ports", "nonmigas"): "110.01",
                   ("2025", "2", "via_ports", "nonmigas"): "90.93"}
    assert all(r["source_url"] == TEST_URL for r in rows)


def test_bps_table_of_kaltara_without_a_concept_asks_for_one(raw_copy, tmp_path, capsys):
    snapshot = tree_hashes(raw_copy)
    src = _bps_xlsx(tmp_path / "ekspor.xlsx", "Nilai Ekspor Provinsi Kalimantan Utara (Juta US$)")
    assert _import(src, raw_copy) == 2
    assert "--concept" in capsys.readouterr().err
    assert tree_hashes(raw_copy) == snapshot
    assert _import(src, raw_copy, "--concept", "origin") == 0


def test_bps_table_in_thousand_dollars_is_converted(raw_copy, tmp_path):
    src = _write_csv(tmp_path / "t.csv", ["Ekspor Kalimantan Timur (Ribu US$)", "", ""],
                     [["Bulan", "2024", ""], ["Oktober", "2100000", ""]])
    assert _import(src, raw_copy) == 0
    entry = json.loads((raw_copy / "datapackage.json").read_text())["resources"][-1]
    rows = list(csv.DictReader((raw_copy / entry["path"]).open(encoding="utf-8")))
    assert [(r["concept"], r["flow"], r["value_usd_million"]) for r in rows] == [
        ("via_ports", "total", "2100")]


# ---- the wave-3 files in the real snapshot ---------------------------------------------------

def test_wave3_figures_are_in_the_ledger(built_processed):
    e = pd.read_csv(built_processed / "exports.csv")

    def value(prov, concept, flow, ptype, year, month):
        sel = e[(e.province == prov) & (e.concept == concept) & (e.flow == flow)
                & (e.period_type == ptype) & (e.year == year) & (e.month == month)]
        assert len(sel) == 1, (prov, concept, flow, year, month)
        return float(sel["value_usd_m"].iloc[0])

    # printed in the releases (SOURCES in the rows): Kaltara Feb 2025 via ports, Kaltim Sep 2022
    assert value("Kalimantan Utara", "via_ports", "nonmigas", "month", 2025, 2) == 90.93
    assert value("Kalimantan Timur", "via_ports", "total", "month", 2022, 9) == 3330
    # sectors of the same Feb 2025 release add up to no more than the nonmigas total
    parts = value("Kalimantan Utara", "via_ports", "mining", "month", 2025, 2) + \
        value("Kalimantan Utara", "via_ports", "industry", "month", 2025, 2)
    assert parts <= 90.93
    # the national by-origin cumulative figures never enter the Kaltim port-of-loading series
    kaltim_ytd = e[(e.province == "Kalimantan Timur") & (e.concept == "via_ports")
                   & (e.period_type == "ytd")]
    assert not kaltim_ytd["value_usd_m"].isin([7130, 13670, 16110, 27700]).any()


def test_wave3_raw_files_equal_the_curated_originals():
    if not (SHARED / "exports").exists():
        pytest.skip("../shared/data not present")
    for p in sorted((SHARED / "exports").glob("*_wave3.csv")):
        assert (REAL_RAW / "exports" / p.name).read_bytes() == p.read_bytes(), p.name


def test_manifest_agrees_with_the_curated_descriptions():
    spec = importlib.util.spec_from_file_location("make_manifest",
                                                  PROJ_ROOT / "tools" / "make_manifest.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.main([]) == 0


def test_xlsx_in_raw_file_columns_keeps_its_template(raw_copy, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(KALTARA_MONTHLY_COLUMNS)
    ws.append(["Kalimantan Utara", 2025, 10, "origin", "total", 88.75, TEST_URL, "2025-12-01", ""])
    wb.save(tmp_path / "k.xlsx")
    assert _import(tmp_path / "k.xlsx", raw_copy) == 0
    entry = json.loads((raw_copy / "datapackage.json").read_text())["resources"][-1]
    assert [f["name"] for f in entry["schema"]["fields"]] == KALTARA_MONTHLY_COLUMNS
    assert entry["kaltim:import"]["converted_from"] == "xlsx"
    rows = list(csv.DictReader((raw_copy / entry["path"]).open(encoding="utf-8")))
    assert rows[0]["value_usd_million"] == "88.75" and rows[0]["month"] == "10"
