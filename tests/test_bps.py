"""BPS WebAPI client, offline: recorded replies (tests/fixtures/bps/) served by httpx.MockTransport.

Covers the README's test plan: URL styles, the datacontent key rule on the recorded reply,
not-available / list-not-available / error as distinct outcomes, a static table, the firewall
page, truncated JSON, a wrong domain, a missing key, and that the key is never shown or
written. Also the Pink Sheet reader on a small workbook of the same layout.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pandas as pd
import pytest
from conftest import tree_hashes

from kaltim_research.cli import main
from kaltim_research.data import bps, fetch, pinksheet

FIX = Path(__file__).parent / "fixtures" / "bps"
KEY = "SECRET-test-key-0123456789"


def _reply(name: str) -> httpx.Response:
    body = (FIX / name).read_bytes()
    ctype = "text/html" if name.endswith(".html") else "application/json"
    return httpx.Response(200, content=body, headers={"content-type": ctype})


def transport(routes: dict[str, str], seen: list | None = None) -> httpx.MockTransport:
    """Serve fixture files by the first route fragment found in the URL path."""
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        url = str(request.url)
        for fragment, name in routes.items():
            if fragment in url:
                return _reply(name)
        return httpx.Response(404, text="no fixture for " + url)
    return httpx.MockTransport(handler)


KALTIM_ROUTES = {"model/var/lang/ind/domain/6400/perpage/1000/page/1/": "var_list_6400_page1.json",
                 "model/var/lang/ind/domain/6400/perpage/1000/page/2/": "var_list_6400_page2.json",
                 "model/th/": "th_list_6400_var901.json",
                 "model/data/": "data_6400_var901.json"}


def client(routes, seen=None) -> bps.BpsClient:
    return bps.BpsClient(KEY, transport=transport(routes, seen))


# ---- URLs and the key ------------------------------------------------------------------------

def test_urls_in_both_styles_and_redaction():
    u = bps.path_url("list", "data", "0000", "K", var=1753, th=124)
    assert u == "https://webapi.bps.go.id/v1/api/list/model/data/lang/ind/domain/0000/var/1753/th/124/key/K/"
    q = bps.query_url("data", "0000", "K", var=1753)
    assert q == "https://webapi.bps.go.id/v1/api/list?model=data&domain=0000&lang=ind&var=1753&key=K"
    assert bps.redact(u, "K").endswith("/key/{KEY}/")
    assert bps.redact(q, None).endswith("key={KEY}")


def test_missing_key_exits_2_naming_the_variable(monkeypatch, capsys):
    monkeypatch.delenv("BPS_API_KEY", raising=False)
    assert main(["data", "fetch", "bps", "--domain", "6500"]) == 2
    assert "BPS_API_KEY" in capsys.readouterr().err
    with pytest.raises(bps.BpsError) as e:
        bps.api_key({})
    assert e.value.kind == "missing_key"


def test_requests_send_a_browser_user_agent():
    seen = []
    client(KALTIM_ROUTES, seen).list_rows("var", "6400")
    assert seen and all("Mozilla/5.0" in r.headers["user-agent"] for r in seen)


# ---- parsing -----------------------------------------------------------------------------------

def test_datacontent_rule_on_the_recorded_reply():
    ex = json.loads((FIX / "reply_examples.json").read_text(encoding="utf-8"))
    rows = bps.parse_datacontent(ex["dynamic_table_reply_model_data"])
    got = [{k: r[k] for k in ("key", "vervar", "var", "turvar", "tahun", "turtahun", "value")}
           for r in rows]
    assert sorted(got, key=lambda r: r["key"]) == sorted(
        ex["dynamic_table_expected_parse"]["rows"], key=lambda r: r["key"])


def test_list_paging_and_export_variable_discovery():
    found = client(KALTIM_ROUTES).export_variables("6400")
    assert [v["var_id"] for v in found] == [901, 902]  # value table first; unemployment left out


def test_static_table_is_unescaped_and_read():
    payload = json.loads((FIX / "statictable_view_6500_77.json").read_text(encoding="utf-8"))
    title, cells = bps.static_table_cells(payload)
    assert ["Bulan", "2024", "2025"] in cells
    assert ["Februari", "366,80", "90,93"] in cells


# ---- failure replies ---------------------------------------------------------------------------

@pytest.mark.parametrize("fixture, kind", [
    ("firewall.html", "blocked"),
    ("truncated.json", "bad_reply"),
    ("error.json", "api_error"),
])
def test_failure_replies_have_distinct_kinds_and_never_show_the_key(fixture, kind):
    c = client({"model/data/": fixture})
    with pytest.raises(bps.BpsError) as e:
        c.dynamic_table("6400", 901, "124")
    assert e.value.kind == kind
    assert KEY not in str(e.value) and "{KEY}" in str(e.value)


def test_not_available_and_list_not_available_are_outcomes_not_errors():
    c = client({"model/data/": "not_available.json", "model/var/": "list_not_available.json"})
    assert c.dynamic_table("6500", 5, "125").available is False
    assert c.list_rows("var", "6500") == []


def test_http_error_and_network_error():
    c = client({})
    with pytest.raises(bps.BpsError) as e:
        c.list_rows("var", "6400")
    assert e.value.kind == "http" and "404" in str(e.value) and KEY not in str(e.value)

    def boom(request):
        raise httpx.ConnectError(f"cannot connect to {request.url}")
    c2 = bps.BpsClient(KEY, transport=httpx.MockTransport(boom))
    with pytest.raises(bps.BpsError) as e:
        c2.list_rows("var", "6400")
    assert e.value.kind == "http" and KEY not in str(e.value)


def test_wrong_domain_is_refused():
    with pytest.raises(bps.BpsError) as e:
        bps.check_domain("6300")
    assert e.value.kind == "wrong_domain"
    payload = json.loads((FIX / "data_6400_var901_wrong_domain.json").read_text())
    with pytest.raises(bps.BpsError) as e:
        fetch.dynamic_table_rows(payload, "6400", None, "https://x.test/", "n")
    assert e.value.kind == "wrong_domain" and "Kalimantan Timur" in str(e.value)


# ---- fetch and import --------------------------------------------------------------------------

def test_fetch_imports_the_province_row_and_stores_the_reply(raw_copy, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    before = tree_hashes(raw_copy)
    report = fetch.fetch_bps("6400", client=client(KALTIM_ROUTES), raw_dir=raw_copy)
    assert len(report.imports) == 1 and report.imports[0].status == "imported"
    after = tree_hashes(raw_copy)
    assert all(after[p] == h for p, h in before.items() if p != "datapackage.json")
    new = sorted(set(after) - set(before))
    assert [p.split("/")[0] for p in new] == ["bps_webapi", "exports"]
    # the key is nowhere on disk or in the logs
    for p in new + ["datapackage.json"]:
        assert KEY not in (raw_copy / p).read_text(encoding="utf-8")
    assert KEY not in caplog.text
    manifest = json.loads((raw_copy / "datapackage.json").read_text())
    snap = next(r for r in manifest["resources"] if r["path"] == new[0])
    assert "{KEY}" in snap["kaltim:import"]["source_url"] and snap["kaltim:import"]["retrieved"]
    rows = pd.read_csv(raw_copy / new[1])
    # only the province row (6499, chosen by label), not the regency row; months and the year
    assert set(rows["province"]) == {"Kalimantan Timur"} and 350.0 not in rows["value_usd_million"]
    assert set(rows["concept"]) == {"via_ports"} and set(rows["flow"]) == {"nonmigas"}
    sep = rows[(rows.year == 2024) & (rows.period_type == "month") & (rows.period_end_month == 9)]
    assert sep["value_usd_million"].tolist() == [2010.5]
    assert rows[rows.period_type == "year"]["value_usd_million"].tolist() == [24000.0]
    processed = tmp_path / "processed"
    assert main(["data", "build", "--raw", str(raw_copy), "--processed", str(processed)]) == 0
    # a second fetch of the same release is a no-op
    report2 = fetch.fetch_bps("6400", client=client(KALTIM_ROUTES), raw_dir=raw_copy)
    assert report2.imports[0].status == "unchanged"
    assert tree_hashes(raw_copy) == after


@pytest.mark.parametrize("fixture", ["firewall.html", "truncated.json", "error.json",
                                     "data_6400_var901_wrong_domain.json"])
def test_a_bad_reply_changes_nothing_on_disk(raw_copy, fixture):
    before = tree_hashes(raw_copy)
    routes = {**KALTIM_ROUTES, "model/data/": fixture}
    with pytest.raises(bps.BpsError):
        fetch.fetch_bps("6400", client=client(routes), raw_dir=raw_copy)
    assert tree_hashes(raw_copy) == before


def test_static_table_fetch_needs_no_concept_when_the_title_says_it(raw_copy):
    c = client({"model/statictable/": "statictable_view_6500_77.json"})
    report = fetch.fetch_bps("6500", client=c, raw_dir=raw_copy, static_table="77")
    assert report.imports[0].status == "imported"
    rows = pd.read_csv(raw_copy / report.imports[0].path)
    feb25 = rows[(rows.year == 2025) & (rows.period_end_month == 2)]
    assert feb25[["concept", "value_usd_million"]].values.tolist() == [["via_ports", 90.93]]


def test_press_release_list():
    lines = fetch.list_publications("6500", client({"model/pressrelease/":
                                                    "pressrelease_list_6500.json"}), press=True)
    assert "Februari 2025" in lines[0]


# ---- Pink Sheet ----------------------------------------------------------------------------------

def _pink_workbook(path: Path, months: list[tuple[str, float, float]]) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Monthly Prices"
    ws.append(["World Bank Commodity Price Data (The Pink Sheet)"])
    ws.append(["Nominal US dollars"])
    ws.append(["Updated on January 05, 2026"])
    ws.append([])
    ws.append(["", "Crude oil, Brent", "Coal, Australian", "Liquefied natural gas, Japan", "Cocoa"])
    ws.append(["", "($/bbl)", "($/mt)", "($/mmbtu)", "($/kg)"])
    ws.append(["", "CRUDE_BRENT", "COAL_AUS", "NGAS_JP", "COCOA"])
    for date, coal, lng in months:
        ws.append([date, 70.0, coal, lng, 8.0])
    wb.save(path)
    return path


def test_pink_sheet_layout_is_read_and_only_new_months_are_imported(raw_copy, tmp_path):
    existing = fetch.existing_prices(raw_copy)
    coal = existing[existing.commodity == "Coal, Australian (Newcastle, fob)"]
    last = coal.sort_values(["year", "month"]).iloc[-1]
    y, m = int(last.year), int(last.month)
    ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
    book = _pink_workbook(tmp_path / "CMO-Historical-Data-Monthly.xlsx", [
        (f"{y}M{m:02d}", float(last.value), 12.0), (f"{ny}M{nm:02d}", 111.5, 11.25)])
    sheet = pinksheet.read_workbook(book.read_bytes())
    assert sheet.updated == "2026-01-05"
    assert set(sheet.prices["commodity"]) == {"Crude oil, Brent",
                                              "Coal, Australian (Newcastle, fob)",
                                              "Liquefied natural gas, Japan (import cif)"}
    report = fetch.fetch_prices(str(book), raw_dir=raw_copy)
    rows = pd.read_csv(raw_copy / report.imports[0].path)
    new_coal = rows[rows.commodity == "Coal, Australian (Newcastle, fob)"]
    assert new_coal[["year", "month", "value", "unit"]].values.tolist() == [[ny, nm, 111.5, "US$/mt"]]
    processed = tmp_path / "processed"
    assert main(["data", "build", "--raw", str(raw_copy), "--processed", str(processed)]) == 0
    p = pd.read_csv(processed / "prices_monthly.csv")
    hit = p[(p.series_id == "coal_newcastle") & (p.year == ny) & (p.month == nm)]
    assert hit["price"].tolist() == [111.5] and hit["basis"].tolist() == ["reported"]


def test_pink_sheet_without_the_sheet_is_refused(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.title = "Annual Prices"
    wb.save(tmp_path / "x.xlsx")
    with pytest.raises(Exception) as e:
        pinksheet.read_workbook((tmp_path / "x.xlsx").read_bytes(), "x.xlsx")
    assert "Monthly Prices" in str(e.value)


def test_pink_sheet_download_that_is_not_a_workbook_changes_nothing(raw_copy):
    before = tree_hashes(raw_copy)
    t = httpx.MockTransport(lambda r: httpx.Response(200, text="<html>moved</html>",
                                                     headers={"content-type": "text/html"}))
    with pytest.raises(bps.BpsError):
        fetch.fetch_prices("https://example.org/CMO.xlsx", raw_dir=raw_copy, transport=t)
    assert tree_hashes(raw_copy) == before
