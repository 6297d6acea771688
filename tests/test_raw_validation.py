"""Corrupted raw inputs are refused through the CLI with a message naming where and what.

Every case corrupts a COPY of data/raw (see conftest), runs ``kaltim-research data build`` on
it against a previously built processed folder, and asserts: exit code 2; stderr names the
file, the line (where meaningful), the column and what was expected; the copy's other files
are untouched; the processed folder is byte-identical afterwards and no temporary folder is
left beside it.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import REAL_RAW, corrupt, tree_hashes

from kaltim_research import cli
from kaltim_research.config import MANIFEST_NAME

KALTIM_ANNUAL = "exports/kaltim_exports_annual.csv"
KALTARA_MONTHLY = "exports/kaltara_exports_monthly.csv"

# Line 33 of kaltim_exports_annual.csv: Kaltim Jan-Oct 2023 total, 22490 (voi.id).
# Line 82 of kaltara_exports_monthly.csv: Kaltara origin January 2025 total, 103.74.
KALTIM_LINE = 33
KALTARA_LINE = 82


# --------------------------------------------------------------------------------------------
# transforms (UTF-8 text in, text or bytes out)
# --------------------------------------------------------------------------------------------

def _row(line_text: str) -> list[str]:
    return next(csv.reader([line_text]))


def _unrow(row: list[str], ending: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=ending).writerow(row)
    return buf.getvalue()


def set_cell(line: int, column: str, value: str) -> Callable[[str], str]:
    """Set one cell (1-based physical line, header = line 1), keeping every other byte."""
    def transform(text: str) -> str:
        lines = text.splitlines(keepends=True)
        header = _row(lines[0])
        target = lines[line - 1]
        ending = target[len(target.rstrip("\r\n")):]
        row = _row(target)
        assert len(row) == len(header), "test assumes one record per physical line"
        row[header.index(column)] = value
        lines[line - 1] = _unrow(row, ending)
        return "".join(lines)
    return transform


def drop_column(column: str) -> Callable[[str], str]:
    def transform(text: str) -> str:
        rows = list(csv.reader(io.StringIO(text, newline="")))
        i = rows[0].index(column)
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([r[:i] + r[i + 1:] for r in rows])
        return buf.getvalue()
    return transform


def duplicate_line(line: int) -> Callable[[str], str]:
    def transform(text: str) -> str:
        lines = text.splitlines(keepends=True)
        lines.insert(line, lines[line - 1])
        return "".join(lines)
    return transform


def semicolons(text: str) -> str:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\n").writerows(rows)
    return buf.getvalue()


def reencode(codec: str) -> Callable[[str], bytes]:
    """Re-encode the file, after putting a non-ASCII character ('é') in a notes cell so that
    the bytes really differ from UTF-8 (the export files are plain ASCII)."""
    def transform(text: str) -> bytes:
        note = "Jan-Oct 2023; dilaporkan oleh BPS (Badan Pusat Statistik, é)"
        text = set_cell(KALTIM_LINE, "notes", note)(text)
        assert any(ord(c) > 127 for c in text)
        return text.encode(codec)
    return transform


def flip_one_byte(text: str) -> str:
    # 22490 -> 22491 on the Jan-Oct 2023 line: a one-byte change
    assert ",22490," in text
    return text.replace(",22490,", ",22491,")


# --------------------------------------------------------------------------------------------
# cases
# --------------------------------------------------------------------------------------------

@dataclass
class Case:
    resource: str
    transform: Callable[[str], str | bytes]
    expected: list[str]           # fragments stderr must contain (file, line, column, expectation)
    update_hash: bool = True
    extra: list[str] = field(default_factory=list)


CASES = {
    "missing_column": Case(
        KALTIM_ANNUAL, drop_column("value_usd_million"),
        [KALTIM_ANNUAL, "line 1", "missing column(s) value_usd_million",
         "expected columns: province, year, period_type, period_end_month, flow, "
         "value_usd_million"]),
    "non_numeric_value": Case(
        KALTIM_ANNUAL, set_cell(KALTIM_LINE, "value_usd_million", "abc"),
        [KALTIM_ANNUAL, f"line {KALTIM_LINE}", "column 'value_usd_million'", "expected a number",
         "found 'abc'"]),
    "negative_value": Case(
        KALTIM_ANNUAL, set_cell(KALTIM_LINE, "value_usd_million", "-22490"),
        [KALTIM_ANNUAL, f"line {KALTIM_LINE}", "column 'value_usd_million'",
         "expected a value ≥ 0", "-22490"]),
    "empty_required_value": Case(
        KALTIM_ANNUAL, set_cell(KALTIM_LINE, "value_usd_million", ""),
        [KALTIM_ANNUAL, f"line {KALTIM_LINE}", "column 'value_usd_million'",
         "a value is required"]),
    "empty_required_text": Case(
        KALTARA_MONTHLY, set_cell(KALTARA_LINE, "source_url", ""),
        [KALTARA_MONTHLY, f"line {KALTARA_LINE}", "column 'source_url'", "a value is required"]),
    "duplicated_key": Case(
        KALTIM_ANNUAL, duplicate_line(20),
        [KALTIM_ANNUAL, "line 20", "line 21", "duplicated key",
         "province, year, period_type, period_end_month, flow, source_url"]),
    "unknown_flow": Case(
        KALTIM_ANNUAL, set_cell(KALTIM_LINE, "flow", "exportz"),
        [KALTIM_ANNUAL, f"line {KALTIM_LINE}", "column 'flow'", "found 'exportz'",
         "total|migas|nonmigas"]),
    "unknown_concept": Case(
        KALTARA_MONTHLY, set_cell(KALTARA_LINE, "concept", "asli"),
        [KALTARA_MONTHLY, f"line {KALTARA_LINE}", "column 'concept'", "found 'asli'",
         "expected one of: origin, via_ports, unspecified"]),
    "unknown_period_type": Case(
        KALTIM_ANNUAL, set_cell(KALTIM_LINE, "period_type", "quarter"),
        [KALTIM_ANNUAL, f"line {KALTIM_LINE}", "column 'period_type'", "found 'quarter'",
         "expected one of: month, ytd, year"]),
    "month_13": Case(
        KALTARA_MONTHLY, set_cell(KALTARA_LINE, "month", "13"),
        [KALTARA_MONTHLY, f"line {KALTARA_LINE}", "column 'month'", "expected a value ≤ 12",
         "found '13'"]),
    "wrong_checksum": Case(
        KALTIM_ANNUAL, flip_one_byte,
        [KALTIM_ANNUAL, "checksum differs from the manifest", "expected sha256"],
        update_hash=False),
    "empty_file": Case(
        KALTIM_ANNUAL, lambda text: "",
        [KALTIM_ANNUAL, "file is empty", "expected a header line with columns province, year"]),
    "latin1_encoding": Case(
        KALTIM_ANNUAL, reencode("latin-1"),
        [KALTIM_ANNUAL, f"line {KALTIM_LINE}", "not valid UTF-8", "expected UTF-8"]),
    "utf16_encoding": Case(
        KALTIM_ANNUAL, reencode("utf-16"),
        [KALTIM_ANNUAL, "line 1", "not valid UTF-8", "expected UTF-8"]),
    "semicolon_delimiter": Case(
        KALTIM_ANNUAL, semicolons,
        [KALTIM_ANNUAL, "line 1", "separated by semicolons", "expected a comma-delimited CSV",
         "province;year"]),
    "decimal_comma": Case(
        KALTARA_MONTHLY, set_cell(KALTARA_LINE, "value_usd_million", "103,74"),
        [KALTARA_MONTHLY, f"line {KALTARA_LINE}", "column 'value_usd_million'",
         "expected a number with a decimal point", "found '103,74'"]),
}


def _run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", list(CASES))
def test_corrupted_input_is_refused_and_nothing_changes(name, raw_copy, processed_copy, capsys):
    case = CASES[name]
    original = tree_hashes(REAL_RAW)
    corrupt(raw_copy, case.resource, case.transform, update_hash=case.update_hash)
    after_corruption = tree_hashes(raw_copy)
    assert after_corruption[case.resource] != original[case.resource], "corruption had no effect"
    processed_before = tree_hashes(processed_copy)

    code, out, err = _run_cli(capsys, "data", "build", "--raw", str(raw_copy),
                              "--processed", str(processed_copy))

    assert code == 2, f"exit code {code}; stdout: {out}\nstderr: {err}"
    assert err.startswith("error: "), err
    for fragment in case.expected:
        assert fragment in err, f"{fragment!r} not in stderr:\n{err}"
    assert "built" not in out

    # the raw copy: the build wrote nothing, and only the corrupted file (and its manifest
    # entry, if the hash was updated) differ from the real snapshot
    assert tree_hashes(raw_copy) == after_corruption
    touched = {case.resource} | ({MANIFEST_NAME} if case.update_hash else set())
    differ = {k for k in original if original[k] != after_corruption.get(k)}
    assert differ == touched
    assert set(after_corruption) == set(original)

    # the previously built processed folder survives byte for byte, no temp folder is left
    assert tree_hashes(processed_copy) == processed_before
    leftovers = [p.name for p in Path(processed_copy).parent.iterdir()
                 if p.name.startswith(".processed")]
    assert leftovers == []


@pytest.mark.parametrize("name", ["non_numeric_value", "month_13", "wrong_checksum"])
def test_data_check_reports_the_same_problem(name, raw_copy, processed_copy, capsys):
    """``data check`` refuses the same corrupted copies with exit 2 and the same details."""
    case = CASES[name]
    corrupt(raw_copy, case.resource, case.transform, update_hash=case.update_hash)
    code, _out, err = _run_cli(capsys, "data", "check", "--raw", str(raw_copy),
                               "--processed", str(processed_copy))
    assert code == 2
    for fragment in case.expected:
        assert fragment in err, f"{fragment!r} not in stderr:\n{err}"


def test_a_duplicated_row_is_reported_once_per_line(raw_copy, processed_copy, capsys):
    """Both copies of the row are named, each once (not once per key column)."""
    corrupt(raw_copy, KALTIM_ANNUAL, duplicate_line(20))
    code, _out, err = _run_cli(capsys, "data", "build", "--raw", str(raw_copy),
                               "--processed", str(processed_copy))
    assert code == 2
    assert "2 problem(s)" in err, err
    assert err.count(f"{KALTIM_ANNUAL}, line 20: duplicated key") == 1
    assert err.count(f"{KALTIM_ANNUAL}, line 21: duplicated key") == 1


def test_every_problem_is_reported_not_only_the_first(raw_copy, processed_copy, capsys):
    """Two independent problems in two files are both listed in one run."""
    corrupt(raw_copy, KALTIM_ANNUAL, set_cell(KALTIM_LINE, "value_usd_million", "abc"))
    corrupt(raw_copy, KALTARA_MONTHLY, set_cell(KALTARA_LINE, "month", "13"))
    code, _out, err = _run_cli(capsys, "data", "build", "--raw", str(raw_copy),
                               "--processed", str(processed_copy))
    assert code == 2
    assert f"{KALTIM_ANNUAL}, line {KALTIM_LINE}, column 'value_usd_million'" in err
    assert f"{KALTARA_MONTHLY}, line {KALTARA_LINE}, column 'month'" in err
    assert "2 problem(s)" in err


def test_the_cli_as_a_subprocess_exits_2(raw_copy, tmp_path):
    """The installed console script, not only ``cli.main``, exits 2 with the message."""
    import subprocess
    import sys

    corrupt(raw_copy, KALTARA_MONTHLY, set_cell(KALTARA_LINE, "concept", "asli"))
    script = Path(sys.executable).with_name("kaltim-research")
    if not script.exists():
        pytest.skip("console script not installed next to the interpreter")
    proc = subprocess.run([str(script), "data", "build", "--raw", str(raw_copy),
                           "--processed", str(tmp_path / "processed")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert f"{KALTARA_MONTHLY}, line {KALTARA_LINE}, column 'concept'" in proc.stderr
    assert not (tmp_path / "processed").exists()
