"""``kaltim-research data fetch bps|prices``: new releases from the web, through the importer.

Load (call the BPS WebAPI or read the Pink Sheet workbook, all in memory), process (convert
to the columns of a raw file; the reply itself is kept as a raw snapshot with its URL minus
the key, retrieval time and sha256), save (one :func:`~kaltim_research.data.importer.import_table`
call that validates with the build's own checks and writes everything or nothing). A failed
call or a bad reply raises before anything is written.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kaltim_research.config import RAW_DIR
from kaltim_research.data import bps, bpstable, numbers
from kaltim_research.data.importer import IMPORT_KEY, LEDGER_TEMPLATE, ImportResult, import_table
from kaltim_research.data.tables import LEDGER_COLUMNS, Table, to_csv_bytes


@dataclass
class FetchReport:
    """What a fetch found and did: imports, tables skipped and why, lines to print."""

    imports: list[ImportResult] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def snapshot_entry(reply: bps.Reply, path: str, title: str, body: bytes) -> dict[str, Any]:
    """Manifest entry of a stored WebAPI reply (not tabular: the build does not read it)."""
    return {"name": Path(path).stem.replace("-", "_"), "path": path, "title": title,
            "format": "json", "hash": "sha256:" + hashlib.sha256(body).hexdigest(),
            "bytes": len(body),
            IMPORT_KEY: {"source_url": reply.url, "retrieved": reply.retrieved,
                         "reply_sha256": reply.sha256, "converted_from": "bps_webapi"}}


def dynamic_table_rows(payload: dict[str, Any], domain: str, concept: str | None,
                       source_url: str, note: str) -> list[list[Any]]:
    """Ledger rows (:data:`LEDGER_COLUMNS`) of the province's row of a dynamic table."""
    rows = bps.province_rows(bps.parse_datacontent(payload), domain)
    var = (payload.get("var") or [{}])[0]
    title = f"{var.get('label', '')} ({var.get('unit', '')})"
    province = bps.DOMAINS[domain]
    conc = bpstable.concept_of(title, province, concept)
    if conc is None:
        raise bps.BpsError("bad_reply", f"var {var.get('val')} '{var.get('label')}': the title "
                           "does not say origin or via ports; give --concept")
    try:
        factor = numbers.unit_factor(str(var.get("unit", "")))
    except numbers.UnitError as exc:
        raise bps.BpsError("bad_reply", f"var {var.get('val')}: {exc}") from None
    released = str(payload.get("last_update", ""))[:10] or dt.date.today().isoformat()
    out, bad = [], []
    for r in rows:
        if r["value"] is None or r["value"] == "":
            continue
        flow = (bpstable.flow_of(r["turvar_label"], None)
                if r["turvar_label"].lower() not in ("tidak ada", "") else
                bpstable.flow_of(title, None))
        month = r["turtahun_val"]
        if not 1 <= month <= 13:
            continue  # quarters / semesters are not in the ledger's period types
        try:
            value = numbers.parse_number(r["value"])
        except numbers.NumberError as exc:
            bad.append(f"datacontent key {r['key']!r} (value {r['value']!r}): {exc}")
            continue
        if value is None:
            continue
        ptype, pem = ("year", 12) if month == 13 else ("month", month)
        usd_m = value * factor
        out.append([province, int(r["tahun"]), ptype, pem, conc, flow,
                    f"{usd_m:.6f}".rstrip("0").rstrip("."), source_url, released,
                    f"{note}; key {r['key']}, value as published {r['value']}"])
    if bad:
        raise bps.BpsError("bad_reply", f"var {var.get('val')}: {len(bad)} value(s) not read: "
                           + "; ".join(bad[:3]))
    return sorted(out, key=lambda x: (x[1], x[3], x[2], x[5]))


def fetch_bps(domain: str, *, client: bps.BpsClient, raw_dir: Path = RAW_DIR,
              variables: list[int] | None = None, years: list[int] | None = None,
              concept: str | None = None, static_table: str | None = None,
              list_only: bool = False, dry_run: bool = False) -> FetchReport:
    """Fetch a province's export tables and import them (see the module docstring)."""
    domain = bps.check_domain(domain)
    report = FetchReport()
    if static_table:
        return _fetch_static(domain, static_table, client, raw_dir, concept, dry_run, report)
    if not variables:
        found = client.export_variables(domain)
        for v in found:
            report.lines.append(f"  var {v['var_id']}: {v['title']} [{v.get('unit', '')}]")
        if not found:
            report.lines.append(f"no export variable in the dynamic tables of {domain}; try "
                                "--static-tables / --press-releases")
            return report
        report.lines.insert(0, f"export variables of domain {domain} (matched by title):")
        variables = [int(v["var_id"]) for v in found if bps.VALUE_TITLE.search(v["title"])]
        if list_only:
            return report
    today = dt.date.today().isoformat()
    for var in variables:
        years_avail = client.years(domain, var)
        wanted = sorted(y for y in years_avail if not years or y in years)
        if not wanted:
            report.lines.append(f"var {var}: no data for the years asked")
            continue
        rows, attachments = [], []
        # at most two years per call (live-use note in the README)
        for i in range(0, len(wanted), 2):
            chunk = wanted[i:i + 2]
            th = ":".join(str(years_avail[y]) for y in (chunk[0], chunk[-1])) \
                if len(chunk) > 1 else str(years_avail[chunk[0]])
            reply = client.dynamic_table(domain, var, th)
            if not reply.available:
                report.lines.append(f"var {var} {chunk}: not available")
                continue
            body = reply.body.replace(client.key.encode(), b"{KEY}")
            path = f"bps_webapi/{domain}_var{var}_th{th.replace(':', '-')}_{today}.json"
            attachments.append((path, body, snapshot_entry(
                reply, path, f"BPS WebAPI reply: domain {domain}, var {var}, th {th}", body)))
            rows += dynamic_table_rows(reply.payload, domain, concept, reply.url,
                                       f"BPS WebAPI var {var}, snapshot {path}")
        if not rows:
            continue
        table = Table(LEDGER_COLUMNS, [[str(c) for c in r] for r in rows],
                      to_csv_bytes(LEDGER_COLUMNS, rows), "bps_webapi")
        result = import_table(
            table, original=Path(f"bps_{domain}_var{var}.csv"), raw_dir=raw_dir,
            source_url=attachments[0][2][IMPORT_KEY]["source_url"],
            source_date=rows[-1][8], retrieved=today, like=LEDGER_TEMPLATE,
            name=f"bps_{domain}_var{var}", attachments=attachments, dry_run=dry_run,
            title=f"BPS WebAPI dynamic table var {var}, domain {domain} ({bps.DOMAINS[domain]})")
        report.imports.append(result)
        report.lines.append(result.message)
    return report


def _fetch_static(domain, table_id, client, raw_dir, concept, dry_run, report) -> FetchReport:
    reply = client.view("statictable", domain, table_id)
    if not reply.available:
        report.lines.append(f"static table {table_id}: not available")
        return report
    title, cells = bps.static_table_cells(reply.payload)
    today = dt.date.today().isoformat()
    table = bpstable.to_ledger_table(cells, f"static table {table_id}",
                                     province=bps.DOMAINS[domain], concept=concept, flow=None,
                                     unit=None, source_url=reply.url,
                                     source_date=str((reply.payload.get("data") or {})
                                                     .get("updt_date", today))[:10])
    body = reply.body.replace(client.key.encode(), b"{KEY}")
    path = f"bps_webapi/{domain}_statictable{table_id}_{today}.json"
    result = import_table(
        table, original=Path(f"bps_{domain}_statictable{table_id}.csv"), raw_dir=raw_dir,
        source_url=reply.url, source_date=table.rows[-1][8], retrieved=today,
        like=LEDGER_TEMPLATE, name=f"bps_{domain}_statictable{table_id}", dry_run=dry_run,
        attachments=[(path, body, snapshot_entry(reply, path, f"BPS static table {table_id}: "
                                                  f"{title[:80]}", body))])
    report.imports.append(result)
    report.lines.append(result.message)
    return report


def list_publications(domain: str, client: bps.BpsClient, press: bool) -> list[str]:
    """Lines describing the static tables or press releases on exports of a domain."""
    domain = bps.check_domain(domain)
    if press:
        rows = client.press_releases(domain)
        return [f"  {r.get('rl_date', '')}  {r.get('title', '')}  {r.get('pdf', '')}"
                for r in rows]
    rows = client.static_tables(domain)
    return [f"  table {r.get('table_id')}: {r.get('title', '')} (updated {r.get('updt_date', '')})"
            for r in rows]


def existing_prices(raw_dir: Path) -> pd.DataFrame:
    """commodity, year, month, value of every monthly price file in the snapshot."""
    from kaltim_research.data.manifest import load_manifest, read_resource, resources

    frames = [read_resource(raw_dir, r)[["commodity", "year", "month", "value", "unit"]]
              for r in resources(load_manifest(raw_dir), "prices_monthly")]
    out = pd.concat(frames, ignore_index=True)
    return out.astype({"year": int, "month": int, "value": float})


def _download_workbook(source: str, transport: Any = None) -> bytes:
    """The Pink Sheet workbook, streamed with the workbook byte cap and a deadline (no key is
    involved, so the World Bank's own redirects are followed, at most a few)."""
    import time

    import httpx

    from kaltim_research.data.tables import XLSX_MAX_BYTES

    t0, body = time.monotonic(), bytearray()
    try:
        with httpx.Client(transport=transport, timeout=120, follow_redirects=True,
                          max_redirects=bps.MAX_REDIRECTS,
                          headers={"User-Agent": bps.USER_AGENT}) as http, \
                http.stream("GET", source) as r:
            ctype = r.headers.get("content-type", "?")
            for chunk in r.iter_bytes():
                body += chunk
                if len(body) > XLSX_MAX_BYTES or time.monotonic() - t0 > bps.DEADLINE_S:
                    raise bps.BpsError("bad_reply", f"{source}: reply larger than "
                                       f"{XLSX_MAX_BYTES:,} bytes or slower than "
                                       f"{bps.DEADLINE_S:g} s; stopped reading")
            status = r.status_code
    except httpx.HTTPError as exc:
        raise bps.BpsError("http", f"{source}: {exc}") from None
    if status != 200 or body[:2] != b"PK":  # an xlsx is a zip file
        raise bps.BpsError("bad_reply", f"{source}: HTTP {status}, {ctype}; expected the xlsx "
                           "workbook")
    return bytes(body)


def fetch_prices(source: str, *, raw_dir: Path = RAW_DIR, source_url: str | None = None,
                 transport: Any = None, dry_run: bool = False) -> FetchReport:
    """Read the Pink Sheet workbook from a URL or a local file and import the new months."""
    from kaltim_research.data import pinksheet

    report = FetchReport()
    if source.startswith(("http://", "https://")):
        data = _download_workbook(source, transport)
        url = source
    else:
        path = Path(source)
        if not path.exists():
            raise bps.BpsError("bad_reply", f"{source}: file not found")
        data, url = path.read_bytes(), source_url or pinksheet.DEFAULT_URL
    sheet = pinksheet.read_workbook(data, source)
    new, revised = pinksheet.new_months(sheet, existing_prices(raw_dir))
    if len(revised):
        report.lines.append(f"{len(revised)} earlier monthly value(s) were revised by the World "
                            "Bank; the snapshot keeps the values it has (raw files are never "
                            "edited), e.g. " + ", ".join(
                                f"{r.commodity} {r.year}-{r.month:02d}: {r.before:g} -> "
                                f"{r.value:g}" for r in revised.head(3).itertuples()))
    if new.empty:
        report.lines.append("prices: no month newer than the snapshot in the workbook")
        return report
    last = new.sort_values(["year", "month"]).iloc[-1]
    table = pinksheet.to_table(new, url, sheet.updated)
    result = import_table(
        table, original=Path("commodity_prices_monthly_pinksheet.csv"), raw_dir=raw_dir,
        source_url=url, source_date=sheet.updated or dt.date.today().isoformat(),
        like="commodity_prices_monthly", name="commodity_prices_monthly",
        original_sha256=hashlib.sha256(table.data).hexdigest(),
        extra_provenance={"workbook_sha256": hashlib.sha256(data).hexdigest()},
        title=f"World Bank Pink Sheet monthly prices, months new in the update "
              f"{sheet.updated or '(date not printed)'} (to {int(last.year)}-{int(last.month):02d})",
        dry_run=dry_run)
    report.imports.append(result)
    report.lines.append(result.message)
    return report
