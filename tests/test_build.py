"""``data build``: deterministic, atomic, province-agnostic; ``data check`` sees stale tables."""
from __future__ import annotations

import copy
import math
from pathlib import Path

import pandas as pd
import pytest
from conftest import (
    PREVIOUS_BUILD_MARKER,
    REAL_RAW,
    load_manifest_json,
    set_manifest_hash,
    tree_hashes,
    write_manifest_json,
)

from kaltim_research import cli
from kaltim_research.data import build
from kaltim_research.errors import DataError

ANNUAL_HEADER = ("province,year,period_type,period_end_month,flow,value_usd_million,source_url,"
                 "source_date,notes\n")


def add_resource(raw_dir: Path, template: str, name: str, path: str, text: str) -> None:
    """Add a new file to a raw copy with a manifest entry copied from resource ``template``."""
    (raw_dir / path).write_text(text, encoding="utf-8")
    manifest = load_manifest_json(raw_dir)
    entry = copy.deepcopy(next(r for r in manifest["resources"] if r["name"] == template))
    entry.update(name=name, path=path, title=f"test resource {name}")
    manifest["resources"].append(entry)
    write_manifest_json(raw_dir, manifest)
    set_manifest_hash(raw_dir, path)


def leftovers(processed: Path) -> list[str]:
    return sorted(p.name for p in processed.parent.iterdir() if p.name.startswith(".processed"))


def read(processed: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(processed / table)


# --------------------------------------------------------------------------------------------
# determinism and atomicity
# --------------------------------------------------------------------------------------------

def test_two_builds_are_byte_identical(built_processed, tmp_path):
    second = tmp_path / "second"
    build.run(REAL_RAW, second)
    # The fit cache (.cache/) is written by runs reading the build, not by the build.
    first_hashes, second_hashes = ({k: v for k, v in tree_hashes(d).items()
                                    if not k.startswith(".cache/")}
                                   for d in (built_processed, second))
    assert "exports.csv" in first_hashes and "build_info.json" in first_hashes
    assert second_hashes == first_hashes


def test_rebuilding_into_an_existing_folder_replaces_it_cleanly(processed_copy):
    (processed_copy / "stale_table.csv").write_text("x\n1\n")
    build.run(REAL_RAW, processed_copy)
    assert not (processed_copy / "stale_table.csv").exists()
    assert (processed_copy / "exports.csv").exists()
    assert leftovers(processed_copy) == []


def test_a_failure_while_processing_leaves_the_previous_tables(processed_copy, monkeypatch):
    before = tree_hashes(processed_copy)

    def boom(tables):
        raise RuntimeError("simulated failure in destinations_table")

    monkeypatch.setattr(build, "destinations_table", boom)
    with pytest.raises(RuntimeError, match="simulated failure"):
        build.run(REAL_RAW, processed_copy)
    assert tree_hashes(processed_copy) == before
    assert leftovers(processed_copy) == []


def test_a_crash_while_saving_leaves_the_previous_tables(processed_copy, monkeypatch):
    before = tree_hashes(processed_copy)
    real_to_csv = build._to_csv
    calls = []

    def crash_on_fifth(frame, path):
        calls.append(Path(path).name)
        if len(calls) == 5:
            raise OSError("simulated disk failure on the fifth table")
        real_to_csv(frame, path)

    monkeypatch.setattr(build, "_to_csv", crash_on_fifth)
    with pytest.raises(OSError, match="fifth table"):
        build.run(REAL_RAW, processed_copy)
    assert len(calls) == 5  # four tables were written somewhere before the crash
    assert tree_hashes(processed_copy) == before
    assert (processed_copy / "exports.csv").read_text(encoding="utf-8").endswith(
        PREVIOUS_BUILD_MARKER)
    assert leftovers(processed_copy) == []


def test_a_failed_first_build_creates_no_folder(raw_copy, tmp_path):
    target = raw_copy / "exports" / "kaltara_exports_monthly.csv"
    target.write_text(target.read_text(encoding="utf-8") + "not,a,valid,row\n", encoding="utf-8")
    set_manifest_hash(raw_copy, "exports/kaltara_exports_monthly.csv")
    processed = tmp_path / "fresh" / "processed"
    with pytest.raises(DataError):
        build.run(raw_copy, processed)
    assert not processed.exists()


# --------------------------------------------------------------------------------------------
# a new province and a new release need no code change
# --------------------------------------------------------------------------------------------

# A real BPS province name (the ledger refuses names outside the province vocabulary, issue 17);
# the figures are synthetic test inputs.
UJI = "Kalimantan Tengah"
UJI_URL = "https://uji.example/bps-release"


def _uji_csv() -> str:
    rows = []
    # 2023: twelve months, value 10.25 * m: the year is 10.25 * 78 = 799.5
    for m in range(1, 13):
        rows.append(f"{UJI},2023,month,{m},total,{10.25 * m:g},{UJI_URL}/2023-{m:02d},"
                    f"2023-{m:02d}-28,synthetic")
    # 2023 Jan–Mar cumulative printed as 61.5 = 10.25 + 20.5 + 30.75
    rows.append(f"{UJI},2023,ytd,3,total,61.5,{UJI_URL}/2023-q1,2023-04-15,synthetic")
    # 2024: a full year as printed
    rows.append(f"{UJI},2024,year,12,total,812.4,{UJI_URL}/2024,2025-02-01,synthetic")
    # 2025: three months only
    for m, v in ((1, 70.1), (2, 65.2), (3, 80.3)):
        rows.append(f"{UJI},2025,month,{m},total,{v},{UJI_URL}/2025-{m:02d},2025-{m:02d}-28,"
                    "synthetic")
    return ANNUAL_HEADER + "\n".join(rows) + "\n"


def test_a_new_province_is_built_without_code_changes(raw_copy, tmp_path, built_processed):
    add_resource(raw_copy, "kaltim_exports_annual", "testland_exports_monthly",
                 "exports/testland_exports_monthly.csv", _uji_csv())
    processed = tmp_path / "processed"
    build.run(raw_copy, processed)

    ex = read(processed, "exports.csv")
    uji = ex[ex["province"] == UJI]
    assert len(uji) == 12 + 1 + 1 + 3
    assert set(uji["concept"]) == {"via_ports"}  # the manifest default
    assert set(uji["basis"]) == {"reported"}
    march = uji[(uji["period_type"] == "month") & (uji["year"] == 2023) & (uji["month"] == 3)]
    assert march["value_usd_m"].tolist() == [30.75]

    annual = read(processed, "exports_annual.csv")
    ua = annual[annual["province"] == UJI].set_index("year")
    assert ua.index.tolist() == [2023, 2024, 2025]
    assert ua.loc[2023, "value_usd_m"] == pytest.approx(799.5)
    assert ua.loc[2023, "basis"] == "sum_of_12_reported_months"
    assert ua.loc[2024, "value_usd_m"] == 812.4
    assert ua.loc[2024, "basis"] == "reported_full_year"
    assert math.isnan(ua.loc[2025, "value_usd_m"])
    assert ua.loc[2025, "basis"] == "missing"
    assert ua["is_derived"].tolist() == [True, False, False]

    cov = read(processed, "exports_coverage.csv")
    uc = cov[cov["province"] == UJI]
    assert len(uc) == 3 * 12
    c25 = uc[uc["year"] == 2025].set_index("month")
    assert c25["month_status"].tolist() == ["reported"] * 3 + ["missing"] * 9
    c24 = uc[uc["year"] == 2024].set_index("month")
    assert c24.loc[12, "ytd_status"] == "reported"
    assert (c24["month_status"] == "missing").all()

    checks = read(processed, "checks.csv")
    uck = checks[checks["province"] == UJI]
    assert uck["check"].tolist() == ["months_sum_to_ytd"]
    assert uck["found_usd_m"].iloc[0] == pytest.approx(61.5)
    assert bool(uck["passed"].iloc[0])

    # the provinces already there are unchanged
    for table in ("exports.csv", "exports_annual.csv", "exports_coverage.csv"):
        new = read(processed, table)
        new = new[new["province"] != UJI].reset_index(drop=True)
        pd.testing.assert_frame_equal(new, read(built_processed, table))


def test_a_later_bps_release_becomes_the_annual_value(raw_copy, tmp_path, built_processed):
    # SOURCES.md: Kaltim 2019 has only Jan–Nov (14,820) and a few months: no full year yet
    before = read(built_processed, "exports_annual.csv")
    row = before[(before["province"] == "Kalimantan Timur") & (before["concept"] == "via_ports")
                 & (before["flow"] == "total") & (before["year"] == 2019)]
    assert row["basis"].tolist() == ["missing"]

    release = ANNUAL_HEADER + (
        "Kalimantan Timur,2019,year,12,total,16320.47,https://kaltim.bps.go.id/test-release-2019,"
        "2020-02-17,synthetic official table (test)\n")
    add_resource(raw_copy, "kaltim_exports_annual", "kaltim_bps_release_2019",
                 "exports/kaltim_bps_release_2019.csv", release)
    processed = tmp_path / "processed"
    build.run(raw_copy, processed)

    after = read(processed, "exports_annual.csv")
    row = after[(after["province"] == "Kalimantan Timur") & (after["concept"] == "via_ports")
                & (after["flow"] == "total") & (after["year"] == 2019)]
    assert row["value_usd_m"].tolist() == [16320.47]
    assert row["basis"].tolist() == ["reported_full_year"]
    assert row["is_derived"].tolist() == [False]
    assert row["source_url"].tolist() == ["https://kaltim.bps.go.id/test-release-2019"]


# --------------------------------------------------------------------------------------------
# data check
# --------------------------------------------------------------------------------------------

def test_data_check_passes_on_the_real_data(built_processed, capsys):
    code = cli.main(["data", "check", "--raw", str(REAL_RAW), "--processed",
                     str(built_processed)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "raw data OK" in out
    assert "processed tables OK" in out
    assert err == ""


def test_data_check_reports_stale_tables_after_the_manifest_changes(raw_copy, processed_copy,
                                                                    capsys):
    argv = ["data", "check", "--raw", str(raw_copy), "--processed", str(processed_copy)]
    assert cli.main(argv) == 0  # the copy's manifest is the one the tables were built from
    capsys.readouterr()

    manifest = load_manifest_json(raw_copy)
    manifest["version"] = manifest["version"] + "-updated"
    write_manifest_json(raw_copy, manifest)
    code = cli.main(argv)
    out, err = capsys.readouterr()
    assert code == 0  # a notice: `make check && make data` must work after adding raw files
    assert "raw data OK" in out
    assert "STALE" in err


def test_data_check_reports_missing_tables(raw_copy, processed_copy, capsys):
    (processed_copy / "exports_annual.csv").unlink()
    code = cli.main(["data", "check", "--raw", str(raw_copy), "--processed",
                     str(processed_copy)])
    _out, err = capsys.readouterr()
    assert code == 1
    assert "exports_annual.csv" in err


def test_data_check_before_any_build(raw_copy, tmp_path, capsys):
    code = cli.main(["data", "check", "--raw", str(raw_copy), "--processed",
                     str(tmp_path / "nothing")])
    out, _err = capsys.readouterr()
    assert code == 0
    assert "not built yet" in out
