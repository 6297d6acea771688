"""Rows of the bad-input table for the release path (issue 17): import -> fetch -> refresh -> run.

Each builder returns a ``Case`` of :mod:`test_bad_inputs`: units and number formats, partial
periods and implausible years, table layout and formulas, provinces, bounded XLSX reading, the
Pink Sheet layout, duplicate YAML keys and control characters, reserved report names and
files in ``reports/`` that are not reports, stale processed tables, ``-p`` values the runner
sets itself, and hostile WebAPI replies. Fetch cases use :class:`httpx.MockTransport` only
(no network): the CLI's ``BpsClient`` is replaced by one with the mock transport.

Figures in the made-up tables are test inputs with a test URL, not project data.
"""
from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx
from conftest import copy_raw, load_manifest_json, write_manifest_json

ROOT = Path(__file__).resolve().parents[1]
CI_SCENARIO = ROOT / "tests" / "fixtures" / "scenarios" / "ci_small.yaml"
FIX = ROOT / "tests" / "fixtures" / "bps"
TEST_URL = "https://example.org/test-release/ekspor-kaltim"
KEY = "SECRET-test-key-0123456789"
ANNUAL = "exports/kaltara_exports_annual.csv"
KALTIM_TITLE = "Nilai Ekspor Kalimantan Timur (Juta US$)"


# ---------------------------------------------------------------------------------------------
# builders
# ---------------------------------------------------------------------------------------------

def _csv(path: Path, rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return path


def bps_table(title: str = KALTIM_TITLE, header=("Bulan", "2024", "2025"),
              rows=(("Januari", "276,10", "110,01"),)) -> list[list]:
    """A BPS table as downloaded: title row, header, body (first line of the body = line 3)."""
    return [[title] + [""] * (len(header) - 1), list(header), *[list(r) for r in rows]]


def import_argv(tmp: Path, src: Path, *extra: str, source_date: str = "2025-12-01") -> list[str]:
    raw = copy_raw(tmp / "raw")
    return ["data", "import", str(src), "--source-url", TEST_URL, "--source-date", source_date,
            "--retrieved", "2025-12-02", "--raw", str(raw), *extra]


def bps_import(rows: list[list], *extra: str, name: str = "t.csv",
               source_date: str = "2025-12-01") -> Callable[[Path], list[str]]:
    def setup(tmp: Path) -> list[str]:
        return import_argv(tmp, _csv(tmp / name, rows), *extra, source_date=source_date)
    return setup


def file_import(write: Callable[[Path], Path], *extra: str) -> Callable[[Path], list[str]]:
    def setup(tmp: Path) -> list[str]:
        return import_argv(tmp, write(tmp), *extra)
    return setup


def _xlsx(path: Path, rows: list[list], title: str = "Sheet") -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _xml_bomb(path: Path) -> Path:
    """A valid zip whose sheet XML would unpack to 101 MB (a few hundred KB on disk)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b" " * 101_000_000)
    return path


def _shared_strings_bomb(path: Path) -> Path:
    """A zip whose shared strings would unpack to 21 MB (a few KB on disk)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/sharedStrings.xml", b"<si><t>a</t></si>" * 1_300_000)
    return path


def raw_edit(path: str, line: int, column: str, value: str) -> Callable[[Path], list[str]]:
    """Set one cell of a raw file copy (header = line 1) and build it."""
    from conftest import corrupt

    def transform(text: str) -> str:
        rows = list(csv.reader(io.StringIO(text, newline="")))
        rows[line - 1][rows[0].index(column)] = value
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        return out.getvalue()

    def setup(tmp: Path) -> list[str]:
        raw = copy_raw(tmp / "raw")
        corrupt(raw, path, transform)
        return ["data", "build", "--raw", str(raw), "--processed", str(tmp / "processed")]
    return setup


# ---- Pink Sheet (local workbook through `data fetch prices --source FILE`) --------------------

def pink_rows(names=("Crude oil, Brent", "Coal, Australian"), units=("($/bbl)", "($/mt)"),
              with_units: bool = True) -> list[list]:
    rows = [["World Bank Commodity Price Data (The Pink Sheet)"], ["Nominal US dollars"],
            ["Updated on January 05, 2026"], [], ["", *names]]
    if with_units:
        rows.append(["", *units])
    rows += [["2026M01", *[70.0 + i for i in range(len(names))]]]
    return rows


def pink_fetch(rows: list[list] | None = None, write=None) -> Callable[[Path], list[str]]:
    def setup(tmp: Path) -> list[str]:
        raw = copy_raw(tmp / "raw")
        src = write(tmp) if write else _xlsx(tmp / "pink.xlsx", rows, "Monthly Prices")
        return ["data", "fetch", "prices", "--source", str(src), "--source-url", TEST_URL,
                "--raw", str(raw)]
    return setup


# ---- scenarios and reports --------------------------------------------------------------------

def scenario_run(name: str, *extra: str, edit=None,
                 before: Callable[[Path], None] | None = None) -> Callable[[Path], list[str]]:
    def setup(tmp: Path) -> list[str]:
        text = CI_SCENARIO.read_text(encoding="utf-8")
        p = tmp / f"{name}.yaml"
        p.write_text(edit(text) if edit else text, encoding="utf-8")
        if before:
            before(tmp)
        return ["run", str(p), "--reports", str(tmp / "reports"), "--no-history", *extra]
    return setup


def user_file(name: str, folder: bool) -> Callable[[Path], None]:
    def make(tmp: Path) -> None:
        (tmp / "reports").mkdir(exist_ok=True)
        if folder:
            (tmp / "reports" / name).mkdir()
            (tmp / "reports" / name / "my_notes.txt").write_text("mine\n")
        else:
            (tmp / "reports" / name).write_text("my own file\n")
    return make


def stale_raw(tmp: Path, monkeypatch) -> None:
    """The runner and the CLI read a raw copy whose manifest has changed since the build of
    data/processed (what `data import` without `data build` leaves)."""
    from kaltim_research import cli
    from kaltim_research.report import runner

    raw = copy_raw(tmp / "stale_raw")
    m = load_manifest_json(raw)
    m["resources"][0]["description"] = m["resources"][0].get("description", "") + " (edited)"
    write_manifest_json(raw, m)
    monkeypatch.setattr(runner, "RAW_DIR", raw)
    monkeypatch.setattr(cli, "RAW_DIR", raw)


# ---- WebAPI (httpx.MockTransport) -------------------------------------------------------------

def _fixture(name: str) -> dict:
    return json.loads((FIX / name).read_text(encoding="utf-8"))


def _json(payload) -> httpx.Response:
    return httpx.Response(200, json=payload)


def mock_bps(handler: Callable[[httpx.Request], httpx.Response]) -> Callable:
    """An env hook: BPS_API_KEY set and the CLI's client on a MockTransport with ``handler``."""
    def env(tmp: Path, monkeypatch) -> None:
        from kaltim_research.data import bps

        real = bps.BpsClient
        monkeypatch.setenv("BPS_API_KEY", KEY)
        monkeypatch.setattr(bps, "BpsClient", lambda key, **kw: real(
            key, transport=httpx.MockTransport(handler), **kw))
    return env


def fetch_argv(*extra: str) -> Callable[[Path], list[str]]:
    def setup(tmp: Path) -> list[str]:
        raw = copy_raw(tmp / "raw")
        return ["data", "fetch", "bps", "--domain", "6400", "--raw", str(raw), *extra]
    return setup


def data_reply(edit: Callable[[dict], None]) -> Callable[[httpx.Request], httpx.Response]:
    """The recorded var-901 routes, with the dynamic table edited by ``edit``."""
    def handler(request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if "model/th/" in url:
            return _json(_fixture("th_list_6400_var901.json"))
        if "model/data/" in url:
            payload = _fixture("data_6400_var901.json")
            edit(payload)
            return _json(payload)
        return httpx.Response(404)
    return handler


def _set_first_value(value):
    def edit(p: dict) -> None:
        k = next(iter(p["datacontent"]))
        p["datacontent"][k] = value
    return edit


def _set_unit(unit: str):
    def edit(p: dict) -> None:
        p["var"][0]["unit"] = unit
    return edit


def _split_bomb(p: dict) -> None:
    """Metadata values that are prefixes of each other and keys that never split: a naive
    backtracking split tries every combination (exponential)."""
    vals = [{"val": "1" * n, "label": f"v{n}"} for n in range(1, 25)]
    for d in ("vervar", "turvar", "tahun", "turtahun"):
        p[d] = vals
    p["var"] = [{**p["var"][0], "val": 1}]
    p["datacontent"] = {"1" * 90 + "2": 1.0, "1" * 91 + "2": 2.0}


def redirect_elsewhere(request: httpx.Request) -> httpx.Response:
    return httpx.Response(302, headers={"location": "https://collector.example.net" +
                                        request.url.raw_path.decode()})


def echoing_error(request: httpx.Request) -> httpx.Response:
    return _json({"status": "Error", "message": f"invalid key {KEY} for {request.url}"})


def endless(request: httpx.Request) -> httpx.Response:
    def chunks():
        while True:
            yield b"[" * 65536
    return httpx.Response(200, headers={"content-type": "application/json"}, content=chunks())


def billion_pages(request: httpx.Request) -> httpx.Response:
    page = _fixture("var_list_6400_page1.json")
    page["data"][0]["pages"] = 10**9
    return _json(page)


def bad_page_info(request: httpx.Request) -> httpx.Response:
    page = _fixture("var_list_6400_page1.json")
    page["data"][0] = {"page": 1, "pages": "many"}
    return _json(page)


def colspan_bomb(request: httpx.Request) -> httpx.Response:
    view = _fixture("statictable_view_6500_77.json")
    view["data"]["table"] = "&lt;table&gt;&lt;tr&gt;&lt;td colspan=400000000&gt;x&lt;/td&gt;" \
                            "&lt;/tr&gt;&lt;/table&gt;"
    return _json(view)
