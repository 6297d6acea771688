"""Maintainer script: check (default) or rewrite the curated entries of data/raw/datapackage.json.

The importer (`kaltim-research data import`) is the one writer of entries for new raw files:
it appends them with a `kaltim:import` block (source URL, dates, original file, sha256). This
script describes the hand-curated base snapshot below and

    .venv/bin/python tools/make_manifest.py            # check: every curated entry agrees
    .venv/bin/python tools/make_manifest.py --write    # rewrite curated entries, keep imports

`--write` is needed only after a curated file changes by hand (e.g. new rows appended to
curation/annotations.csv, which is append-only). Imported entries are kept as they are, in
their order, after the curated ones. It only writes the manifest, never a data file, and
refuses to write in CI.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"

FLOW_PATTERN = (
    r"^(sector:)?(total|migas|nonmigas|mining|industry|agriculture|gas|oil|coal)( \(.+\))?$"
)
SOURCES_NOTE = (
    "Curated from public pages reporting BPS releases (Antara, provincial government sites, "
    "local news); every row carries its source URL and article date. See SOURCES.md."
)
LICENCE = (
    "Figures are official statistics of BPS-Statistics Indonesia as reported by the cited "
    "pages; the curation is shared for research use. World Bank Pink Sheet data: CC BY 4.0."
)


def f(name, type_, desc, unit=None, **constraints):
    field = {"name": name, "type": type_, "description": desc}
    if unit:
        field["unit"] = unit
    if constraints:
        field["constraints"] = constraints
    return field


PROVINCE = f("province", "string", "Province name as in BPS releases", required=True,
             pattern=r"^\S.*\S$")
YEAR = f("year", "integer", "Calendar year of the period", required=True, minimum=1990,
         maximum=2100)
MONTH = f("month", "integer", "Calendar month (1-12) of a monthly figure", required=True,
          minimum=1, maximum=12)
PEM = f("period_end_month", "integer", "Last month of the period (12 for a full year)",
        required=True, minimum=1, maximum=12)
PTYPE = f("period_type", "string", "month, ytd (January to period_end_month) or year",
          required=True, enum=["month", "ytd", "year"])
CONCEPT = f("concept", "string",
            "BPS Kaltara series: origin (ekspor asli), via_ports (melalui pelabuhan), "
            "unspecified", required=True, enum=["origin", "via_ports", "unspecified"])
FLOW = f("flow", "string",
         "BPS flow: total, migas, nonmigas or a sector; a parenthesis qualifies the label "
         "(AMBIGUOUS marks a figure not to be used as exports)", required=True,
         pattern=FLOW_PATTERN)
VALUE = f("value_usd_million", "number", "Value as printed, converted to US$ million",
          "USD million", required=True, minimum=0)
VALUE_OPT = f("value_usd_million", "number", "Value as printed, converted to US$ million",
              "USD million", minimum=0)
SHARE = f("share_pct", "number", "Share as printed", "percent", minimum=0, maximum=100)
URL = f("source_url", "string", "Page that printed the figure", required=True,
        pattern=r"^https?://\S+$")
# One HBA row names its decree instead of a URL, so price sources are required, not patterned.
PRICE_URL = f("source_url", "string", "Source (URL or citation)", required=True)
SDATE = f("source_date", "string", "Article date (free text where the page is vague)")
NOTES = f("notes", "string", "Curator's notes: original wording, flags and conflicts")
COUNTRY = f("country", "string", "Destination country", required=True)

PINK = {
    "Coal, Australian (Newcastle, fob)": "coal_newcastle",
    "Coal, South African (Richards Bay, fob)": "coal_south_africa",
    "Crude oil, Brent": "crude_brent",
    "Crude oil, average (Brent/Dubai/WTI)": "crude_average",
    "Liquefied natural gas, Japan (import cif)": "lng_japan",
    "Natural gas, Europe (TTF)": "gas_europe_ttf",
    "Palm oil (Malaysia)": "palm_oil",
    "Palm kernel oil": "palm_kernel_oil",
    "Urea (Black Sea fob to Feb-2022; Middle East fob from Mar-2022)": "urea",
    "Aluminum (LME)": "aluminium",
    "Nickel (LME)": "nickel",
    "Copper (LME)": "copper",
    "Iron ore, cfr China 62% Fe": "iron_ore",
    "Logs, Malaysian (meranti, Tokyo)": "logs_malaysia",
    "Sawnwood, Malaysian": "sawnwood_malaysia",
    "Plywood (Lauan, Tokyo)": "plywood",
    "Shrimps (US wholesale, brown shell-on 26-30 ct)": "shrimp",
    "Indonesia HBA (Harga Batubara Acuan)": "hba",
}
HBA_BANDS = {
    "Indonesia HBA (Harga Batubara Acuan)": "hba",
    "Indonesia HBA I (5,300 kcal/kg GAR)": "hba_i",
    "Indonesia HBA II (4,100 kcal/kg GAR)": "hba_ii",
    "Indonesia HBA III (3,400 kcal/kg GAR)": "hba_iii",
}
PRICE_UNITS = ["US$/mt", "US$/t", "US$/bbl", "US$/mmbtu", "US$/dmt", "US$/kg", "US$/m3",
               "US cents/sheet"]

FACT_FIELDS = [
    f("topic", "string", "Topic", required=True),
    f("fact", "string", "What the figure is", required=True),
    f("value", "string", "Value as printed (text: numbers, dates or words)"),
    f("unit", "string", "Unit of value"),
    f("date", "string", "Date the fact refers to"),
    URL, SDATE, NOTES,
]

KIHI_PROJECT_FIELDS = [f("project", "string", "Project", required=True),
    f("company", "string", "Company or consortium"),
    f("product", "string", "Product", required=True),
    f("capacity_value", "string", "Capacity as printed (may be '4x16')"),
    f("capacity_unit", "string", "Unit of capacity"),
    f("phase", "string", "Phase"),
    f("planned_start", "string", "Planned start as printed"),
    f("investment_value", "number", "Investment", minimum=0),
    f("investment_currency", "string", "Currency of investment",
    enum=["USD", "IDR"]),
    f("status", "string", "Status as printed"),
    f("status_date", "string", "Date of the status"),
    URL, SDATE, NOTES]

RESOURCES = [
    dict(name="kaltim_exports_annual", path="exports/kaltim_exports_annual.csv",
         title="Kalimantan Timur exports: full-year and January-to-month totals",
         role="exports", defaults={"concept": "via_ports"},
         fields=[PROVINCE, YEAR, PTYPE, PEM, FLOW, VALUE, URL, SDATE, NOTES],
         key=["province", "year", "period_type", "period_end_month", "flow", "source_url"]),
    dict(name="kaltim_exports_annual_wave2", path="exports/kaltim_exports_annual_wave2.csv",
         title="Kalimantan Timur exports: full-year and cumulative totals (second pass)",
         role="exports", defaults={"concept": "via_ports"},
         fields=[PROVINCE, YEAR, PTYPE, PEM, FLOW, VALUE, URL, SDATE, NOTES],
         key=["province", "year", "period_type", "period_end_month", "flow", "source_url"]),
    dict(name="kaltim_exports_monthly", path="exports/kaltim_exports_monthly.csv",
         title="Kalimantan Timur exports: single-month values",
         role="exports", defaults={"concept": "via_ports", "period_type": "month"},
         fields=[PROVINCE, YEAR, MONTH, FLOW, VALUE, URL, SDATE, NOTES],
         key=["province", "year", "month", "flow", "value_usd_million", "source_url"]),
    dict(name="kaltim_exports_monthly_wave2", path="exports/kaltim_exports_monthly_wave2.csv",
         title="Kalimantan Timur exports: single-month values (second pass)",
         role="exports", defaults={"concept": "via_ports", "period_type": "month"},
         fields=[PROVINCE, YEAR, MONTH, FLOW, VALUE, URL, SDATE, NOTES],
         key=["province", "year", "month", "flow", "source_url"]),
    dict(name="kaltim_exports_implied_wave2", path="exports/kaltim_exports_implied_wave2.csv",
         title="Kalimantan Timur exports implied by a reported value and a reported % change",
         role="implied_exports", defaults={"concept": "via_ports"},
         fields=[PROVINCE, YEAR,
                 f("month", "integer", "Month of a monthly figure (blank for ytd/year)",
                   minimum=1, maximum=12),
                 PTYPE, PEM, FLOW,
                 f("implied_value_usd_million", "number",
                   "Implied value = from_value / (1 + pct_change/100)", "USD million",
                   required=True, minimum=0),
                 f("from_value_usd_million", "number", "Reported value the % refers to",
                   "USD million", required=True, minimum=0),
                 f("from_period", "string", "Period of the reported value", required=True),
                 f("pct_change_reported", "number", "Reported % change (mom or yoy)",
                   "percent", required=True, minimum=-100),
                 URL, SDATE, NOTES],
         key=["province", "year", "month", "period_type", "period_end_month", "flow",
              "implied_value_usd_million", "source_url"]),
    dict(name="kaltara_exports_annual", path="exports/kaltara_exports_annual.csv",
         title="Kalimantan Utara exports: full-year and cumulative totals and sectors",
         role="exports", defaults={},
         fields=[PROVINCE, YEAR, PTYPE, PEM, CONCEPT, FLOW, VALUE, URL, SDATE, NOTES],
         key=["province", "year", "period_type", "period_end_month", "concept", "flow",
              "source_url"]),
    dict(name="kaltara_exports_monthly", path="exports/kaltara_exports_monthly.csv",
         title="Kalimantan Utara exports: monthly totals and sectors",
         role="exports", defaults={"period_type": "month"},
         fields=[PROVINCE, YEAR, MONTH, CONCEPT, FLOW, VALUE, URL, SDATE, NOTES],
         key=["province", "year", "month", "concept", "flow", "source_url"]),
    dict(name="kaltim_exports_by_commodity", path="exports/kaltim_exports_by_commodity.csv",
         title="Kalimantan Timur exports by HS 2-digit group and BPS sector",
         role="commodities", defaults={"concept": "via_ports"},
         fields=[PROVINCE, YEAR, PTYPE, PEM,
                 f("hs2", "string", "HS 2-digit code, 'sector:NAME' for BPS sectors, "
                   "'migas[:part]' for oil and gas items", required=True),
                 f("commodity_label", "string", "Label as printed", required=True),
                 VALUE_OPT, SHARE, URL, SDATE, NOTES],
         key=["province", "year", "period_type", "period_end_month", "hs2", "value_usd_million",
              "share_pct", "source_url"]),
    dict(name="kaltim_exports_by_destination",
         path="exports/kaltim_exports_by_destination.csv",
         title="Kalimantan Timur exports by destination (notes begin with scope=)",
         role="destinations", defaults={"concept": "via_ports"},
         fields=[PROVINCE, YEAR, PTYPE, PEM, COUNTRY, VALUE_OPT, SHARE, URL, SDATE,
                 f("notes", "string", "Begins with scope=total|migas|nonmigas|coal|not stated"
                   "|unclear", required=True, pattern=r"^scope=")],
         key=["province", "year", "period_type", "period_end_month", "country",
              "value_usd_million", "source_url"]),
    dict(name="kaltara_exports_by_destination",
         path="exports/kaltara_exports_by_destination.csv",
         title="Kalimantan Utara exports by destination",
         role="destinations", defaults={"province": "Kalimantan Utara", "scope": "not stated"},
         fields=[YEAR, f("month", "integer", "Last month of the period", required=True,
                         minimum=1, maximum=12),
                 PTYPE, CONCEPT, COUNTRY, VALUE_OPT, SHARE, URL, SDATE, NOTES],
         key=["year", "month", "period_type", "concept", "country", "source_url"]),
    dict(name="kaltim_exports_by_port", path="exports/kaltim_exports_by_port.csv",
         title="Kalimantan Timur exports by port of loading",
         role="ports", defaults={"concept": "via_ports"},
         fields=[PROVINCE, YEAR, PTYPE, PEM,
                 f("port", "string", "Port of loading; a parenthesis names the terminal or "
                   "regency", required=True),
                 FLOW, VALUE, SHARE, URL, SDATE, NOTES],
         key=["province", "year", "period_type", "period_end_month", "port", "source_url"]),
    dict(name="kaltara_exports_outside_ports",
         path="exports/kaltara_exports_outside_ports.csv",
         title="Kalimantan Utara-origin exports by province of the port of loading",
         role="origin_by_port_province",
         defaults={"province": "Kalimantan Utara", "concept": "origin"},
         fields=[YEAR, f("month", "integer", "Last month of the period", required=True,
                         minimum=1, maximum=12),
                 PTYPE,
                 f("via_province", "string", "Province of the port of loading; total_outside "
                   "= all ports outside the origin province", required=True),
                 VALUE, URL, SDATE, NOTES],
         key=["year", "month", "period_type", "via_province", "source_url"]),
    dict(name="kaltara_export_facts", path="exports/kaltara_export_facts.csv",
         title="Kalimantan Utara export facts (commodities, ports, concepts)",
         role="facts", defaults={"province": "Kalimantan Utara"}, fields=FACT_FIELDS, key=None),
    dict(name="commodity_prices_monthly", path="prices/commodity_prices_monthly.csv",
         title="World Bank Pink Sheet monthly prices (nominal) and Indonesian HBA",
         role="prices_monthly", defaults={}, series_ids=PINK,
         fields=[f("commodity", "string", "Pink Sheet series name", required=True,
                   enum=sorted(PINK)),
                 YEAR, MONTH,
                 f("value", "number", "Monthly average price, nominal", required=True,
                   minimum=0),
                 f("unit", "string", "Price unit", required=True, enum=PRICE_UNITS),
                 PRICE_URL, NOTES],
         key=["commodity", "year", "month", "value", "source_url"]),
    # Wave 4: HBA by half-month (Oct 2025 - Mar 2026) and the HBA I/II/III calorie bands,
    # which the Pink Sheet file's schema does not name; its own schema, same role.
    dict(name="commodity_prices_monthly_wave4", path="prices/commodity_prices_monthly_wave4.csv",
         title="Indonesian HBA (6,322 GAR) and HBA I/II/III by half-month, Oct 2025 - Mar 2026 "
               "(wave 4; two rows in a month are its periods I and II)",
         role="prices_monthly", defaults={}, series_ids=HBA_BANDS,
         fields=[f("commodity", "string", "HBA series name (6,322 GAR or a calorie band)",
                   required=True, enum=sorted(HBA_BANDS)),
                 YEAR, MONTH,
                 f("value", "number", "Reference price of one half-month period, nominal",
                   required=True, minimum=0),
                 f("unit", "string", "Price unit", required=True, enum=PRICE_UNITS),
                 PRICE_URL, NOTES],
         key=["commodity", "year", "month", "value", "source_url"]),
    dict(name="commodity_prices_annual", path="prices/commodity_prices_annual.csv",
         title="World Bank Pink Sheet annual average prices (nominal) and HBA annual means",
         role="prices_annual", defaults={}, series_ids=PINK,
         fields=[f("commodity", "string", "Pink Sheet series name", required=True,
                   enum=sorted(PINK)),
                 YEAR,
                 f("value", "number", "Annual average price, nominal ('PARTIAL YEAR' in "
                   "notes marks a mean of the months available)", required=True, minimum=0),
                 f("unit", "string", "Price unit", required=True, enum=PRICE_UNITS),
                 PRICE_URL, NOTES],
         key=["commodity", "year", "value", "source_url"]),
    dict(name="kaltim_grdp", path="macro/kaltim_grdp.csv",
         title="Kalimantan Timur GRDP, growth and sector shares (annual and quarterly)",
         role="grdp", defaults={},
         fields=[PROVINCE, YEAR,
                 f("period_type", "string", "year, 'quarter Qn' or 'ytd Q1-Qn'", required=True,
                   pattern=r"^(year|quarter Q[1-4]|ytd Q1-Q[1-4])$"),
                 f("indicator", "string", "Indicator as printed", required=True),
                 f("value", "number", "Value", required=True),
                 f("unit", "string", "Unit", required=True,
                   enum=["IDR trillion", "IDR million", "percent", "percentage points"]),
                 URL, SDATE, NOTES],
         key=["province", "year", "period_type", "indicator", "value", "source_url"]),
    dict(name="kaltim_coal", path="macro/kaltim_coal_wave2.csv",
         title="Kalimantan Timur coal production and export volumes",
         role="coal", defaults={"province": "Kalimantan Timur"},
         fields=[f("year", "string", "Year or range of years", required=True),
                 f("indicator", "string", "Indicator as printed", required=True),
                 f("value", "number", "Value", required=True),
                 f("unit", "string", "Unit as printed", required=True),
                 URL, SDATE, NOTES], key=None),
    dict(name="kihi_projects", path="kihi/kihi_projects.csv",
         title="KIHI (Tanjung Palas Timur, Bulungan) projects: capacity, phase, start, status",
         role="kihi_projects", defaults={"province": "Kalimantan Utara"},
         fields=KIHI_PROJECT_FIELDS, key=None),
    dict(name="kihi_facts", path="kihi/kihi_facts.csv",
         title="KIHI facts: area, investment, managers, legal status, jobs, timeline",
         role="facts", defaults={"province": "Kalimantan Utara"}, fields=FACT_FIELDS, key=None),
    dict(name="export_center_facts", path="export_center/export_center_facts.csv",
         title="Export Center Balikpapan, Kemendag export network, UMKM programmes",
         role="facts", defaults={}, fields=FACT_FIELDS, key=None),
    dict(name="kaltim_umkm", path="export_center/kaltim_umkm_wave2.csv",
         title="Kalimantan Timur UMKM counts and UMKM export figures",
         role="facts", defaults={"province": "Kalimantan Timur"},
         fields=[f("topic", "string", "Topic", required=True),
                 f("indicator", "string", "Indicator", required=True),
                 f("value", "string", "Value as printed"),
                 f("unit", "string", "Unit"), f("date", "string", "Date referred to"),
                 URL, SDATE, NOTES], key=None),
    # wave 3 (2026-12-01): context and fiscal tables with values as printed (some are ranges or
    # "a -> b" changes); the build keeps the printed text and adds a numeric column where the
    # whole value is one number.
    dict(name="kihi_projects_wave3", path="kihi/kihi_projects_wave3.csv",
         title="KIHI projects, wave 3: KAI smelter phase 1 (72 pots, ~100 kt first), tenants",
         role="kihi_projects", defaults={"province": "Kalimantan Utara"},
         fields=KIHI_PROJECT_FIELDS, key=None),
    dict(name="kihi_facts_wave3", path="kihi/kihi_facts_wave3.csv",
         title="KIHI facts, wave 3: construction progress, first metal, power, tenants",
         role="facts", defaults={"province": "Kalimantan Utara"}, fields=FACT_FIELDS, key=None),
    dict(name="export_center_facts_wave3", path="export_center/export_center_facts_wave3.csv",
         title="Export Center Balikpapan, wave 3: no published results after the opening",
         role="facts", defaults={}, fields=FACT_FIELDS, key=None),
    dict(name="context_wave3", path="macro/context_wave3.csv",
         title="National and provincial context: coal exports, production plan, DMO, export "
         "duty, BI growth rates, aluminium prices, Mentarang hydro, DBH cuts, coal jobs",
         role="context", defaults={},
         fields=[f("topic", "string", "Topic key", required=True),
                 f("province", "string", "Province, or Indonesia / World", required=True),
                 f("period", "string", "Period as printed (year, quarter, month, range)"),
                 f("value", "string", "Value as printed (a number, a range 'a-b' or a change "
                   "'a -> b')", required=True),
                 f("unit", "string", "Unit as printed", required=True),
                 URL, SDATE, NOTES], key=None),
    dict(name="exchange_rates_io_multipliers", path="macro/exchange_rates_io_multipliers.csv",
         title="Rupiah per US$ (annual averages 2020-2023, APBN 2026 assumption) and Kaltim "
         "input-output output multipliers (2010 table; Kaltara-area construction, 2006)",
         role="context", defaults={},
         fields=[f("topic", "string", "Topic key (io_output_multiplier|sector for multipliers)",
                   required=True),
                 f("province", "string", "Province, or Indonesia", required=True),
                 f("period", "string", "Year of the rate or of the IO table"),
                 f("value", "string", "Value as printed (a number or a range 'a-b')",
                   required=True),
                 f("unit", "string", "Unit as printed", required=True),
                 URL, SDATE, NOTES], key=None),
    dict(name="fiscal_parameters", path="fiscal/fiscal_parameters.csv",
         title="Fiscal rules and series: coal royalty tiers (PP 81/2019, PP 26/2022, PP 19/2025), "
         "IUPK take, DBH shares (UU 1/2022), realised and budgeted DBH and APBD",
         role="fiscal_parameters", defaults={},
         fields=[f("parameter", "string", "'|'-separated key: concept|legal basis|method|"
                   "calorie band|HBA band (see fiscal/README.md)", required=True),
                 f("province", "string", "Province, or 'Indonesia (national rule)'",
                   required=True),
                 f("period", "string", "Period or regime validity as printed"),
                 f("value", "string", "Value as printed (a number or a '/'-separated list)",
                   required=True),
                 f("unit", "string", "Unit as printed", required=True),
                 URL, SDATE, f("quote", "string", "The page's own wording"), NOTES], key=None),
]

DOCS = [
    dict(name="sources_readme", path="SOURCES.md", title="Curator's README for the raw "
         "snapshot: conventions, coverage and known conflicts", format="md"),
    dict(name="curation_annotations", path="curation/annotations.csv", format="csv",
         title="Project curation: concept corrections and exclusions, each with a reason",
         role="annotations"),
    dict(name="research_parameters", path="research/parameters.csv", format="csv",
         title="Literature parameters behind the scenario defaults (reference only; line 108 "
         "has an unquoted comma and the file is not loaded by the pipeline)"),
    dict(name="fiscal_readme", path="fiscal/README.md", format="md",
         title="Fiscal parameters: from coal tonnes to the province's DBH (formula and gaps)"),
    dict(name="research_notes", path="research/NOTES.md", format="md",
         title="Research notes: sources, defaults and ranges for scenario parameters"),
]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_package(existing: dict | None) -> dict:
    """The manifest: curated entries from the descriptions above, then every imported entry
    (one with a `kaltim:import` block, or any entry not described here) as it stands."""
    resources = []
    for r in RESOURCES:
        p = RAW / r["path"]
        res = {
            "name": r["name"], "path": r["path"], "title": r["title"],
            "description": SOURCES_NOTE, "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": {"delimiter": ",", "quoteChar": '"', "header": True},
            "sources": [{"title": "Curated public pages reporting BPS releases and other "
                         "public sources (one URL per row)", "path": "SOURCES.md"}],
            "licenses": [{"name": "research-use", "title": LICENCE}],
            "hash": "sha256:" + sha256(p), "bytes": p.stat().st_size,
            "schema": {"fields": r["fields"]},
            "kaltim:role": r["role"], "kaltim:defaults": r["defaults"],
        }
        if r.get("key"):
            res["schema"]["primaryKey"] = r["key"]
        if r.get("series_ids"):
            res["kaltim:series_ids"] = r["series_ids"]
        resources.append(res)
    for d in DOCS:
        p = RAW / d["path"]
        res = {"name": d["name"], "path": d["path"], "title": d["title"],
               "format": d["format"], "hash": "sha256:" + sha256(p), "bytes": p.stat().st_size}
        if d.get("role"):
            res["kaltim:role"] = d["role"]
        resources.append(res)
    curated = {r["name"] for r in resources}
    resources += [r for r in (existing or {}).get("resources", []) if r["name"] not in curated]
    return {
        "name": "kaltim-kaltara-exports-raw",
        "title": "Raw snapshot for the Kaltim–Kaltara export scenario workbook",
        "description": "Immutable copy of the curated figures (BPS export releases as printed "
        "in public pages, World Bank Pink Sheet prices, GRDP, KIHI and Export Center facts). "
        "Each file is described here with its schema and sha256; `kaltim-research data check` "
        "verifies both. Custom properties prefixed 'kaltim:' tell the build what each table "
        "is (role) and which constant columns a file omits (defaults).",
        "version": "2025-12-snapshot",
        "profile": "tabular-data-package",
        "resources": resources,
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = RAW / "datapackage.json"
    existing = json.loads(out.read_text(encoding="utf-8")) if out.exists() else None
    pkg = build_package(existing)
    text = json.dumps(pkg, indent=2, ensure_ascii=False) + "\n"
    if "--write" not in argv:
        if existing is not None and out.read_text(encoding="utf-8") == text:
            print(f"{out.relative_to(ROOT)} agrees with the curated descriptions "
                  f"({len(pkg['resources'])} resources)")
            return 0
        print(f"{out.relative_to(ROOT)} differs from the curated descriptions: run with "
              "--write after a deliberate change of a curated file", file=sys.stderr)
        return 1
    if os.environ.get("CI"):
        print("make_manifest.py --write is a maintainer tool; it does not run in CI",
              file=sys.stderr)
        return 2
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)} ({len(pkg['resources'])} resources)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
