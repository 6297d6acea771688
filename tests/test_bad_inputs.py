"""The bad-input table: every anticipated failure exits 2 with a located message, no traceback.

Each case sets up one bad input (raw data, manifest, scenario file, ``-p`` value, an
unwritable folder) on copies in the test's tmp folder, runs it through the CLI
(``cli.main``) and asserts: exit code 2, every location fragment (file, line, column, key,
manifest entry) in the message, the expectation, and no traceback. Commands that would run
notebooks have the runner's workers replaced by a function that fails the test, so a case
that passes validation by mistake cannot start kernels.

Permission cases: the suite may run as root, which ignores mode bits, so an unwritable folder
is simulated two ways that hold for every user: a path below a regular file
(NotADirectoryError) and ``tempfile.mkdtemp``/``mkstemp`` patched to raise PermissionError
(what a read-only ``reports/`` or ``data/processed/`` gives a normal user). When not root, a
real ``chmod 0555`` folder is tested as well.
"""
from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import release_cases as rc
from conftest import copy_raw, corrupt, load_manifest_json, tree_hashes, write_manifest_json

from kaltim_research import cli
from kaltim_research.report import runner

ROOT = Path(__file__).resolve().parents[1]
CI_SCENARIO = ROOT / "tests" / "fixtures" / "scenarios" / "ci_small.yaml"
MONTHLY = "exports/kaltim_exports_monthly.csv"
ANNUAL = "exports/kaltara_exports_annual.csv"


@dataclass
class Case:
    name: str
    setup: Callable[[Path], list[str]]   # tmp folder -> CLI argv
    expected: list[str] = field(default_factory=list)  # fragments that must be in stderr
    absent: list[str] = field(default_factory=list)    # fragments that must NOT be in stderr
    env: Callable | None = None  # (tmp, monkeypatch) -> None: e.g. a mock HTTP transport


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------

def _raw(tmp: Path) -> Path:
    return copy_raw(tmp / "raw")


def _data(cmd: str, raw: Path, tmp: Path) -> list[str]:
    return ["data", cmd, "--raw", str(raw), "--processed", str(tmp / "processed")]


def _manifest_case(edit: Callable[[dict], None], cmd: str) -> Callable[[Path], list[str]]:
    def setup(tmp: Path) -> list[str]:
        raw = _raw(tmp)
        m = load_manifest_json(raw)
        edit(m)
        write_manifest_json(raw, m)
        return _data(cmd, raw, tmp)
    return setup


def _csv_case(path: str, transform: Callable[[str], str | bytes], cmd: str = "check",
              update_hash: bool = True) -> Callable[[Path], list[str]]:
    def setup(tmp: Path) -> list[str]:
        raw = _raw(tmp)
        corrupt(raw, path, transform, update_hash=update_hash)
        return _data(cmd, raw, tmp)
    return setup


def _replace_value(text: str, line: int, column: str, value: str) -> str:
    """Set one cell (line numbers as in messages: header = 1); quotes the value if needed."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text, newline="")))
    rows[line - 1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _extra_field_on_line_2(text: str) -> str:
    first, rest = text.split("\n", 1)
    second, rest = rest.split("\n", 1)
    return f"{first}\n{second.rstrip(chr(13))},extra\r\n{rest}"


def _copied_entry(m: dict) -> None:
    """A new resource copied from another without changing its name (the README's recipe)."""
    src = next(r for r in m["resources"] if r["name"] == "kaltim_exports_monthly")
    m["resources"].append({**src, "path": "exports/kaltim_exports_annual.csv",
                           "hash": next(r["hash"] for r in m["resources"]
                                        if r["path"] == "exports/kaltim_exports_annual.csv")})


def _set(name: str, key: str, value) -> Callable[[dict], None]:
    def edit(m: dict) -> None:
        next(r for r in m["resources"] if r["name"] == name)[key] = value
    return edit


def _scenario(text_or_edit, name: str = "bad") -> Callable[[Path], list[str]]:
    def setup(tmp: Path) -> list[str]:
        text = (text_or_edit(CI_SCENARIO.read_text(encoding="utf-8"))
                if callable(text_or_edit) else text_or_edit)
        p = tmp / f"{name}.yaml"
        p.write_text(text, encoding="utf-8")
        return ["scenario", "validate", str(p)]
    return setup


def _run(*extra: str) -> Callable[[Path], list[str]]:
    def setup(tmp: Path) -> list[str]:
        return ["run", str(CI_SCENARIO), "--reports", str(tmp / "reports"), "--no-history",
                *extra]
    return setup


def _under_a_file(kind: str) -> Callable[[Path], list[str]]:
    def setup(tmp: Path) -> list[str]:
        blocker = tmp / "a_file"
        blocker.write_text("not a folder\n")
        if kind == "build":
            return ["data", "build", "--processed", str(blocker / "processed")]
        return ["run", str(CI_SCENARIO), "--reports", str(blocker / "reports"), "--no-history"]
    return setup


ALIAS_BOMB = """title: alias bomb
title_id: bom alias
description: a billion laughs in the references list
modifies: null
date: 2026-01-01
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
references: *i
"""


def _sub(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)
    return edit


# ---------------------------------------------------------------------------------------------
# the table
# ---------------------------------------------------------------------------------------------

CASES = [
    # --- manifest: data check and data build each name the entry -------------------------------
    *[Case(f"manifest_copied_entry_same_name_{cmd}", _manifest_case(_copied_entry, cmd),
           ["datapackage.json", "duplicated name 'kaltim_exports_monthly'", "resources[",
            "unique name"]) for cmd in ("check", "build")],
    *[Case(f"manifest_misspelt_role_{cmd}",
           _manifest_case(_set("kaltim_exports_monthly", "kaltim:role", "exprots"), cmd),
           ["datapackage.json", "(name 'kaltim_exports_monthly')", "unknown kaltim:role 'exprots'",
            "Did you mean 'exports'?"]) for cmd in ("check", "build")],
    *[Case(f"manifest_dotdot_path_{cmd}",
           _manifest_case(_set("kaltim_exports_monthly", "path", "../../etc/passwd"), cmd),
           ["datapackage.json", "(name 'kaltim_exports_monthly')", "'..'", "inside data/raw"])
      for cmd in ("check", "build")],
    Case("manifest_absolute_path",
         _manifest_case(_set("kaltim_exports_monthly", "path", "/etc/passwd"), "check"),
         ["(name 'kaltim_exports_monthly')", "is absolute", "relative to data/raw"]),
    Case("manifest_missing_name", _manifest_case(_set("kaltim_coal", "name", ""), "build"),
         ["datapackage.json", "resources[", "'name' is missing"]),
    Case("manifest_role_without_schema",
         _manifest_case(_set("sources_readme", "kaltim:role", "facts"), "check"),
         ["(name 'sources_readme')", "needs a 'schema'"]),
    Case("manifest_resources_not_a_list",
         _manifest_case(lambda m: m.__setitem__("resources", {"a": 1}), "check"),
         ["datapackage.json", "'resources' list"]),
    Case("manifest_not_json", lambda tmp: (
        (_r := _raw(tmp)) / "datapackage.json").write_text("{not json") and _data("check", _r, tmp),
        ["datapackage.json", "not valid UTF-8 JSON"]),
    Case("manifest_absent", lambda tmp: _data("build", tmp / "no_raw", tmp),
         ["datapackage.json", "manifest not found"]),
    # --- raw files ----------------------------------------------------------------------------
    *[Case(f"duplicated_header_column_{cmd}",
           _csv_case(MONTHLY, _sub("province,year,month,flow", "province,year,year,flow"), cmd),
           [MONTHLY, "line 1", "duplicated column(s) year"]) for cmd in ("check", "build")],
    *[Case(f"non_finite_{v}", _csv_case(MONTHLY, lambda t, v=v: _replace_value(
        t, 3, "value_usd_million", v)), [MONTHLY, "line 3", "column 'value_usd_million'",
                                         "not a finite number", f"'{v}'"])
      for v in ("inf", "nan", "-Infinity")],
    Case("non_finite_in_build", _csv_case(ANNUAL, lambda t: _replace_value(
        t, 2, "value_usd_million", "inf"), "build"), [ANNUAL, "line 2", "not a finite number"]),
    Case("every_bad_value_reported", _csv_case(MONTHLY, lambda t: _replace_value(
        _replace_value(t, 3, "value_usd_million", "inf"), 5, "value_usd_million", "abc")),
        [MONTHLY, "line 3", "line 5", "2 problem(s)"]),
    Case("thousands_separator_hint", _csv_case(MONTHLY, lambda t: _replace_value(
        t, 3, "value_usd_million", "22,490")),
        [MONTHLY, "line 3", "'22,490'", "22490 if ',' separates thousands", "22.49 if it is a "
         "decimal comma"], absent=["22.490"]),
    Case("decimal_comma_hint", _csv_case(MONTHLY, lambda t: _replace_value(
        t, 3, "value_usd_million", "103,74")), [MONTHLY, "line 3", "103.74"]),
    Case("unknown_enum_value", _csv_case(MONTHLY, lambda t: _replace_value(
        t, 4, "flow", "exports")), [MONTHLY, "line 4", "column 'flow'"]),
    Case("text_in_integer_column", _csv_case(MONTHLY, lambda t: _replace_value(
        t, 2, "year", "twenty")), [MONTHLY, "line 2", "column 'year'", "whole number"]),
    Case("month_out_of_range", _csv_case(MONTHLY, lambda t: _replace_value(
        t, 2, "month", "13")), [MONTHLY, "line 2", "column 'month'", "≤ 12"]),
    Case("missing_column", _csv_case(MONTHLY, _sub("source_date,", "")),
         [MONTHLY, "line 1", "missing column(s) source_date"]),
    Case("row_too_wide", _csv_case(MONTHLY, _extra_field_on_line_2),
         [MONTHLY, "line 2", "has 9 fields, expected 8"]),
    Case("semicolon_delimiter", _csv_case(MONTHLY, lambda t: t.replace(",", ";")),
         [MONTHLY, "line 1", "semicolons"]),
    Case("latin1_bytes", _csv_case(MONTHLY, lambda t: t.encode("utf-8") + "Sé\n".encode("latin-1")),
         [MONTHLY, "not valid UTF-8"]),
    Case("empty_file", _csv_case(MONTHLY, lambda t: ""), [MONTHLY, "file is empty"]),
    Case("checksum_mismatch", _csv_case(MONTHLY, lambda t: t + "\n", update_hash=False),
         [MONTHLY, "checksum differs"]),
    Case("file_missing", lambda tmp: ((_r := _raw(tmp)) / MONTHLY).unlink()
         or _data("build", _r, tmp), [MONTHLY, "missing"]),
    # --- scenario files -------------------------------------------------------------------------
    Case("modifies_a_path", _scenario(_sub("\nmodifies: null", "\nmodifies: ../../x")),
         ["bad.yaml", "'modifies'", "'../../x'"]),
    Case("modifies_subfolder", _scenario(_sub("\nmodifies: null", "\nmodifies: sub/base")),
         ["bad.yaml", "'modifies'"]),
    Case("nan_in_year_path", _scenario(_sub("2027: 150", "2027: .nan")),
         ["bad.yaml", "onboarded_kaltim", "finite number"]),
    Case("inf_scalar", _scenario(_sub("nameplate_kt: 500", "nameplate_kt: .inf")),
         ["bad.yaml", "nameplate_kt", "finite number"]),
    Case("alias_bomb", _scenario(ALIAS_BOMB), ["bad.yaml", "aliases", "line 7"]),
    Case("one_alias", _scenario(_sub("simulation: {draws: 500, seed: 7}",
                                     "simulation: &s {draws: 500, seed: 7}\n  x: *s")),
         ["bad.yaml", "aliases"]),
    Case("nesting_too_deep", _scenario(_sub("references:", "deep: " + "[" * 60 + "]" * 60
                                            + "\nreferences:")), ["bad.yaml", "nesting deeper"]),
    Case("file_too_large", _scenario(lambda t: t + "#" * 1_100_000 + "\n"),
         ["bad.yaml", "at most 1,000,000 bytes"]),
    Case("python_tag", _scenario(_sub("title: CI small", "title: !!python/object/apply:os.system"
                                      " ['echo x']\nx: CI small")), ["bad.yaml", "YAML"]),
    Case("not_a_mapping", _scenario("- just\n- a list\n"), ["bad.yaml", "expected a mapping"]),
    Case("unknown_key", _scenario(_sub("simulation:", "simulaton:")),
         ["bad.yaml", "simulaton", "Did you mean 'simulation'"]),
    Case("every_out_of_range_value", _scenario(_sub(
        "{2025: 0.0, 2026: 0.05, 2027: 0.10, 2028: 0.15, 2029: 0.20, 2030: 0.25}",
        "{2025: 0.0, 2026: 1.5, 2027: 0.10, 2028: 2.5, 2029: 0.20, 2030: 0.25}")),
        ["bad.yaml", "reroute_share_to_kaltim.2026", "reroute_share_to_kaltim.2028",
         "expected a value between"]),
    Case("scenario_missing", lambda tmp: ["scenario", "validate", str(tmp / "nope.yaml")],
         ["nope.yaml", "file not found"]),
    # --- -p and command-line overrides ----------------------------------------------------------
    Case("p_draws_over_cap", _run("-p", "draws", "100000000"),
         ["-p draws", "parameters.simulation.draws", "'100000000'", "between 1 and 200000"]),
    Case("p_draws_zero", _run("-p", "draws", "0"), ["-p draws", "between 1 and 200000"]),
    Case("p_draws_nan", _run("-p", "draws", "nan"), ["-p draws", "'nan'", "integer"]),
    Case("p_draws_fraction", _run("-p", "draws", "1.5"), ["-p draws", "'1.5'", "integer"]),
    Case("p_seed_text", _run("-p", "seed", "abc"), ["-p seed", "'abc'", "integer"]),
    Case("p_seed_too_large", _run("-p", "seed", str(2**33)), ["-p seed", "between 0 and"]),
    Case("run_draws_flag_over_cap", _run("--draws", "300000"), ["--draws", "between 1 and 200000"]),
    Case("scenario_run_draws_zero", lambda tmp: ["scenario", "run", str(CI_SCENARIO), "--out",
                                                 str(tmp / "o"), "--draws", "0"],
         ["--draws", "between 1 and 200000"]),
    Case("p_unknown_name", _run("-p", "seeed", "1"), ["unknown notebook parameter 'seeed'",
                                                      "Did you mean 'seed'?"]),
    # --- permissions and unwritable folders -----------------------------------------------------
    Case("build_processed_under_a_file", _under_a_file("build"),
         ["a_file", "is a file, not a folder", "expected a file or folder"]),
    Case("run_reports_under_a_file", _under_a_file("run"), ["a_file", "cannot write reports to",
                                                            "Not a directory"]),
]


_T = rc.KALTIM_TITLE
_DUP_KIHI = "\n  kihi:\n    port_share_via_kaltim: {2025: 0.0, 2026: 0.2}\n"

RELEASE_CASES = [
    # --- (1) units and number formats, BPS-table and WebAPI paths --------------------------------
    Case("unit_unknown_words", rc.bps_import(rc.bps_table("Ekspor Kalimantan Timur (Juta US$ per "
                                                          "Ton)")),
         ["t.csv", "'per'", "not understood", "--unit"]),
    Case("unit_two_multipliers", rc.bps_import(rc.bps_table("Ekspor Kalimantan Timur (Ribu Juta "
                                                            "US$)")),
         ["t.csv", "not understood", "at most one"]),
    Case("unit_not_stated", rc.bps_import(rc.bps_table("Ekspor Kalimantan Timur")),
         ["t.csv", "unit is not stated", "--unit"]),
    Case("unit_without_currency", rc.bps_import(rc.bps_table("Ekspor Kalimantan Timur (Juta "
                                                             "Rupiah)")),
         ["t.csv", "'Juta Rupiah' names no currency", "--unit"]),
    Case("unit_two_different", rc.bps_import(rc.bps_table("Ekspor Kalimantan Timur (Juta US$), "
                                                          "nilai (Ribu US$)")),
         ["t.csv", "names 2 different units"]),
    Case("ambiguous_dot_thousands", rc.bps_import(rc.bps_table(rows=[("Januari", "987.650", "")])),
         ["t.csv", "line 3", "column '2024'", "ambiguous", "987650", "987.65"]),
    Case("ambiguous_comma_thousands", rc.bps_import(rc.bps_table(rows=[("Januari", "1,498", "")])),
         ["t.csv", "line 3", "column '2024'", "1498 if ','", "1.498 if it is the decimal mark"]),
    Case("mixed_up_marks", rc.bps_import(rc.bps_table(rows=[("Januari", "1.498,000.5", "")])),
         ["t.csv", "line 3", "column '2024'", "expected a number"]),
    Case("irregular_grouping", rc.bps_import(rc.bps_table(rows=[("Januari", "1.49.800", "")])),
         ["t.csv", "line 3", "not every three digits"]),
    Case("webapi_string_with_separator",
         rc.fetch_argv("--var", "901"), ["datacontent key", "1498", "1.498"],
         absent=[rc.KEY], env=rc.mock_bps(rc.data_reply(rc._set_first_value("1,498")))),
    Case("webapi_unknown_unit", rc.fetch_argv("--var", "901"), ["var 901", "'Ton'", "currency"],
         env=rc.mock_bps(rc.data_reply(rc._set_unit("Ton")))),
    Case("webapi_unit_with_extra_words", rc.fetch_argv("--var", "901"),
         ["var 901", "'Juta US$ per kapita'", "not understood"],
         env=rc.mock_bps(rc.data_reply(rc._set_unit("Juta US$ per kapita")))),
    # --- (2) periods -------------------------------------------------------------------------------
    Case("total_beside_months_with_a_gap", rc.bps_import(rc.bps_table(rows=[
        ("Januari", "100", ""), ("Maret", "90", ""), ("Jumlah", "190", "")])),
        ["t.csv", "line 5", "total row beside months with a gap", "1, 3"]),
    Case("year_2099", rc.bps_import(rc.bps_table(header=("Bulan", "2099"),
                                                 rows=[("Januari", "100,5")])),
         ["t.csv", "line 3", "column '2099'", "period 2099-01", "after the source date 2025-12-01"]),
    Case("month_after_source_date", rc.bps_import(rc.bps_table(
        header=("Bulan", "2025"), rows=[("Oktober", "100,5")]), source_date="2025-06-15"),
        ["t.csv", "period 2025-10", "after the source date 2025-06-15"]),
    Case("raw_file_year_after_source_date", rc.raw_edit(ANNUAL, 2, "year", "2099"),
         [ANNUAL, "line 2", "column 'year'", "after the source date"]),
    # --- layout and formulas -----------------------------------------------------------------------
    Case("merged_year_without_column_names", rc.bps_import(rc.bps_table(
        header=("Bulan", "2024", "", "2025", ""), rows=[("Januari", "25000", "100,5", "2", "3,5")])),
        ["t.csv", "printed over several columns", "no row below the header names them"]),
    Case("merged_year_unknown_column", rc.bps_import(
        [[_T, "", "", "", ""], ["Bulan", "2024", "", "2025", ""],
         ["", "Berat (Ton)", "Harga", "Berat (Ton)", "Harga"], ["Januari", "25000", "1", "2", "3"]]),
        ["t.csv", "line 3", "2024 / Harga", "neither a value", "nor a weight"]),
    Case("formula_in_a_bps_cell", rc.bps_import(rc.bps_table(rows=[("Januari", "=1+1", "")])),
         ["t.csv", "line 3", "column '2024'", "formula"]),
    Case("formula_in_raw_columns", rc.file_import(lambda tmp: rc._csv(
        tmp / "kaltara_new.csv", [["province", "year", "month", "concept", "flow",
                                   "value_usd_million", "source_url", "source_date", "notes"],
                                  ["Kalimantan Utara", "2025", "10", "via_ports", "total", "101,5",
                                   rc.TEST_URL, "2025-12-01", '=HYPERLINK("http://x","y")']])),
         ["kaltara_new.csv", "line 2", "column 'notes'", "a formula", "HYPERLINK"]),
    Case("xlsx_formula_without_saved_value", rc.file_import(lambda tmp: rc._xlsx(
        tmp / "t.xlsx", [[_T], ["Bulan", "2024"], ["Januari", "=1+1"]])),
        ["t.xlsx", "line 3", "column 'B'", "formula without a saved value"]),
    # --- (3) provinces -----------------------------------------------------------------------------
    Case("province_flag_misspelt", rc.bps_import(rc.bps_table("Ekspor (Juta US$)"), "--province",
                                                 "Kalimantan Timr"),
         ["--province", "unknown province 'Kalimantan Timr'", "did you mean 'Kalimantan Timur'"]),
    Case("province_not_named", rc.bps_import(rc.bps_table("Ekspor nonmigas (Juta US$)")),
         ["t.csv", "does not name the province", "--province"]),
    Case("raw_file_unknown_province", rc.raw_edit(ANNUAL, 2, "province", "Kalimantan Utar"),
         [ANNUAL, "line 2", "column 'province'", "did you mean 'Kalimantan Utara'"]),
    # --- (4) bounded XLSX --------------------------------------------------------------------------
    Case("xlsx_renamed_text_file", rc.file_import(lambda tmp: (tmp / "t.xlsx").write_text(
        "Bulan,2024\nJanuari,1\n") and tmp / "t.xlsx"), ["t.xlsx", "not an .xlsx workbook"]),
    Case("xlsx_truncated", rc.file_import(lambda tmp: (p := rc._xlsx(tmp / "t.xlsx", [[_T]]))
                                          .write_bytes(p.read_bytes()[:300]) and p),
         ["t.xlsx", "not an .xlsx workbook"]),
    Case("xlsx_sheet_xml_bomb", rc.file_import(lambda tmp: rc._xml_bomb(tmp / "t.xlsx")),
         ["t.xlsx", "unpacks to 101,000,", "at most"]),
    Case("xlsx_shared_strings_bomb", rc.file_import(lambda tmp: rc._shared_strings_bomb(
        tmp / "t.xlsx")), ["t.xlsx", "shared strings unpack to", "at most 20,000,000"]),
    Case("xlsx_file_too_large", rc.file_import(lambda tmp: (tmp / "t.xlsx").write_bytes(
        b"PK" + bytes(20_000_001)) and tmp / "t.xlsx"), ["t.xlsx", "expected at most 20,000,000"]),
    Case("xlsx_too_many_rows", rc.file_import(lambda tmp: rc._xlsx(
        tmp / "t.xlsx", [[_T], ["Bulan", "2024"]] + [["Januari", 1]] * 30)),
        ["t.xlsx", "more than 20 rows"],
        env=lambda tmp, mp: mp.setattr("kaltim_research.data.tables.XLSX_MAX_ROWS", 20)),
    # --- Pink Sheet --------------------------------------------------------------------------------
    Case("pink_sheet_without_units_row", rc.pink_fetch(rc.pink_rows(with_units=False)),
         ["pink.xlsx", "no row of units", "Monthly Prices"]),
    Case("pink_sheet_duplicated_coal", rc.pink_fetch(rc.pink_rows(
        names=("Coal, Australian", "Coal, Australian"), units=("($/mt)", "($/mt)"))),
        ["pink.xlsx", "a second column for Coal, Australian", "one column per series"]),
    Case("pink_sheet_unit_changed", rc.pink_fetch(rc.pink_rows(units=("($/bbl)", "($/kg)"))),
         ["another unit", "Coal, Australian (Newcastle, fob): workbook US$/kg, snapshot US$/mt"]),
    Case("pink_sheet_not_a_workbook", rc.pink_fetch(write=lambda tmp: (tmp / "pink.xlsx")
                                                    .write_text("<html>") and tmp / "pink.xlsx"),
         ["pink.xlsx", "not an .xlsx workbook"]),
    # --- (6) YAML and scenario text ----------------------------------------------------------------
    Case("duplicate_kihi_block", _scenario(lambda t: t.rstrip("\n") + _DUP_KIHI),
         ["bad.yaml", "duplicate key 'kihi'", "line 31", "first on line 19"]),
    Case("duplicate_year_key", _scenario(_sub("{2025: 0, 2026: 100,", "{2025: 0, 2026: 100, "
                                              "'2026': 5,")),
         ["bad.yaml", "duplicate key", "2026"]),
    Case("control_character_in_title", _scenario(_sub("title: CI small, all levers moderate",
                                                      'title: "CI\\x07 small levers"')),
         ["bad.yaml", "'title'", "control character"]),
    # --- (6) reserved names and files in reports/ ------------------------------------------------
    Case("scenario_named_history", rc.scenario_run("history"),
         ["history.yaml", "reserved in reports/"]),
    Case("scenario_named_index_html", rc.scenario_run("index.html"),
         ["index.html.yaml", "reserved in reports/"]),
    Case("scenario_name_not_a_word", rc.scenario_run("My Scenario"),
         ["My Scenario.yaml", "lower-case letters"]),
    Case("user_file_at_report_path", rc.scenario_run("ci_small", before=rc.user_file(
        "ci_small", folder=False)), ["ci_small", "is not a report folder", "never replaced"]),
    Case("user_folder_at_report_path", rc.scenario_run("ci_small", before=rc.user_file(
        "ci_small", folder=True)), ["ci_small", "did not write", "never replaced"]),
    # --- (5)(7) stale tables and -p values the runner sets --------------------------------------
    Case("p_results_dir_of_another_scenario", rc.scenario_run("ci_small", "-p", "results_dir",
                                                              "reports/kihi"),
         ["-p results_dir", "sets results_dir", "for each report itself"]),
    Case("p_scenario", rc.scenario_run("ci_small", "-p", "scenario", "scenarios/kihi.yaml"),
         ["-p scenario", "for each report itself"]),
    Case("run_on_stale_tables", rc.scenario_run("ci_small"),
         ["built from another manifest", "kaltim-research data build"], env=rc.stale_raw),
    Case("brief_on_stale_tables", lambda tmp: ["brief", str(CI_SCENARIO), "--reports",
                                               str(tmp / "reports")],
         ["built from another manifest", "kaltim-research data build"], env=rc.stale_raw),
    # --- (4)(8) hostile WebAPI replies -----------------------------------------------------------
    Case("fetch_redirect_to_another_host", rc.fetch_argv("--var", "901"),
         ["redirect to https://collector.example.net/ refused", "{KEY}"], absent=[rc.KEY],
         env=rc.mock_bps(rc.redirect_elsewhere)),
    Case("fetch_error_echoes_the_key", rc.fetch_argv("--var", "901"),
         ["BPS WebAPI error", "invalid key {KEY}"], absent=[rc.KEY],
         env=rc.mock_bps(rc.echoing_error)),
    Case("fetch_endless_reply", rc.fetch_argv("--var", "901"),
         ["reply larger than 10,000,000 bytes"], absent=[rc.KEY], env=rc.mock_bps(rc.endless)),
    Case("fetch_billion_pages", rc.fetch_argv(), ["claims 1,000,000,000 pages", "at most 50"],
         absent=[rc.KEY], env=rc.mock_bps(rc.billion_pages)),
    Case("fetch_malformed_page_info", rc.fetch_argv(), ["'pages' is 'many'", "whole number"],
         env=rc.mock_bps(rc.bad_page_info)),
    Case("fetch_colspan_bomb", lambda tmp: ["data", "fetch", "bps", "--domain", "6500", "--table",
                                            "77", "--raw", str(copy_raw(tmp / "raw"))],
         ["colspan=400000000", "expected 1 to 200"], env=rc.mock_bps(rc.colspan_bomb)),
    Case("fetch_key_split_bomb", rc.fetch_argv("--var", "901"),
         ["2 datacontent key(s) do not split"], env=rc.mock_bps(rc.data_reply(rc._split_bomb))),
]
CASES += RELEASE_CASES


@pytest.fixture
def no_work(monkeypatch):
    """Fail the test if a report job or notebook would start."""
    def boom(*a, **k):
        raise AssertionError("work started although the input was invalid")
    monkeypatch.setattr(runner, "_execute", boom)
    monkeypatch.setattr(runner, "run_job", boom)
    monkeypatch.setattr(runner, "run_history", boom)


def _assert_bad_input(code, out, err, case_expected, absent=()):
    assert code == 2, f"exit code {code}; stdout: {out}\nstderr: {err}"
    assert "Traceback" not in out + err
    assert err.startswith("error: "), err
    for fragment in case_expected:
        assert fragment in err, f"{fragment!r} not in stderr:\n{err}"
    for fragment in absent:
        assert fragment not in err, f"{fragment!r} should not be in stderr:\n{err}"


def test_the_table_is_large_enough():
    assert len(CASES) >= 55 + 53
    assert len(RELEASE_CASES) >= 53
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_exits_2_with_a_located_message(case, tmp_path, capsys, no_work, monkeypatch):
    if case.env:
        case.env(tmp_path, monkeypatch)
    argv = case.setup(tmp_path)
    raw = Path(argv[argv.index("--raw") + 1]) if "--raw" in argv else None
    before = tree_hashes(raw) if raw and raw.is_dir() else None
    capsys.readouterr()
    t0 = time.perf_counter()
    code = cli.main(argv)
    elapsed = time.perf_counter() - t0
    out, err = capsys.readouterr()
    _assert_bad_input(code, out, err, case.expected, case.absent)
    if before is not None:
        assert tree_hashes(raw) == before, "a refused input changed data/raw"
    mine = tmp_path / "reports" / "ci_small"  # a user's own file or folder is left as it was
    if case.name.startswith("user_"):
        assert (mine / "my_notes.txt").is_file() or mine.read_text() == "my own file\n"
    assert elapsed < 30, f"{case.name} took {elapsed:.1f} s"
    if case.name.startswith(("data_build", "manifest")) or "build" in argv[:2]:
        assert not (tmp_path / "processed").exists(), "a bad build wrote processed tables"


def test_alias_bomb_is_refused_fast_with_bounded_memory(tmp_path, capsys):
    import resource

    p = tmp_path / "bomb.yaml"
    p.write_text(ALIAS_BOMB)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    code = cli.main(["scenario", "validate", str(p)])
    assert code == 2 and time.perf_counter() - t0 < 3
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 100, f"memory grew by {grown_mb:.0f} MB"
    assert "aliases" in capsys.readouterr().err


def test_raw_problems_come_before_any_stale_notice(tmp_path, built_processed, capsys):
    raw = _raw(tmp_path)
    m = load_manifest_json(raw)
    _copied_entry(m)
    write_manifest_json(raw, m)
    code = cli.main(["data", "check", "--raw", str(raw), "--processed", str(built_processed)])
    out, err = capsys.readouterr()
    _assert_bad_input(code, out, err, ["duplicated name"], absent=["STALE"])


@pytest.mark.parametrize("command", ["build", "run"])
def test_permission_denied_exits_2_naming_the_folder(command, tmp_path, capsys, monkeypatch,
                                                     no_work):
    """A read-only data/processed or reports/: PermissionError simulated (root ignores modes)."""
    def denied(*a, dir=None, **k):
        raise PermissionError(13, "Permission denied", str(dir))
    monkeypatch.setattr(tempfile, "mkdtemp", denied)
    monkeypatch.setattr(tempfile, "mkstemp", denied)
    if command == "build":
        argv = ["data", "build", "--processed", str(tmp_path / "processed"), "--force"]
    else:
        argv = ["run", str(CI_SCENARIO), "--reports", str(tmp_path / "reports"), "--no-history"]
    code = cli.main(argv)
    out, err = capsys.readouterr()
    _assert_bad_input(code, out, err, [str(tmp_path), "Permission denied"])


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores mode bits (simulated above)")
@pytest.mark.parametrize("command", ["build", "run"])
def test_read_only_folder_exits_2(command, tmp_path, capsys, no_work):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        argv = (["data", "build", "--processed", str(ro / "processed"), "--force"]
                if command == "build" else
                ["run", str(CI_SCENARIO), "--reports", str(ro / "reports"), "--no-history"])
        code = cli.main(argv)
        out, err = capsys.readouterr()
        _assert_bad_input(code, out, err, [str(ro), "Permission denied"])
    finally:
        ro.chmod(0o755)


def test_string_and_integer_year_keys_mean_the_same(tmp_path):
    """A child's year path replaces the parent's whole, whether keys are 2026 or "2026"."""
    from kaltim_research.models.scenario import load_scenario

    base = tmp_path / "base.yaml"
    base.write_text(CI_SCENARIO.read_text(encoding="utf-8"))
    paths = {}
    for kind, keys in (("int", "{2026: 10, 2027: 20}"), ("str", '{"2026": 10, "2027": 20}')):
        child = tmp_path / f"child_{kind}.yaml"
        child.write_text(
            "title: child\ntitle_id: anak\ndescription: year keys as numbers or text\n"
            "modifies: base\ndate: 2026-01-01\nparameters:\n  export_center:\n"
            f"    onboarded_kaltim: {keys}\n", encoding="utf-8")
        paths[kind] = load_scenario(child).parameters.export_center.onboarded_kaltim
    assert paths["int"] == paths["str"] == {2026: 10.0, 2027: 20.0}


def test_index_escapes_scenario_titles(tmp_path, monkeypatch):
    d = tmp_path / "evil"
    d.mkdir()
    summary = {"scenario": {"title": "<script>alert(1)</script>",
                            "title_id": "<script>alert(1)</script>"}, "horizon":
               {"headline_year": 2030}, "headline": [], "provenance": {"git_commit": "x"}}
    (d / "results.json").write_text(json.dumps(summary))
    html = runner.write_index(tmp_path).read_text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("mask, mode", [(0o022, 0o755), (0o077, 0o700), (0o002, 0o775)])
def test_swapped_folders_honour_the_umask(tmp_path, mask, mode):
    """data/processed and reports/NAME come from mkdtemp (0700): the swap applies the umask."""
    from kaltim_research import fileio

    old = os.umask(mask)
    fileio._umask.cache_clear()
    try:
        out = tmp_path / "processed"
        out.mkdir()
        for _ in range(2):  # first into an existing folder, then again over the result
            tmp = Path(tempfile.mkdtemp(dir=tmp_path))
            (tmp / "t.csv").write_text("x\n")
            fileio.swap_dir(tmp, out)
            assert (out.stat().st_mode & 0o777) == mode
            assert not tmp.exists()
    finally:
        os.umask(old)
        fileio._umask.cache_clear()
