"""``kaltim-research data build``: raw snapshot -> validated, tidy processed tables.

One step in three visible phases (owid/etl style): **load** every raw resource through the
manifest (checksums, schemas), **process** them into tidy long tables (the export ledger, its
annual view, reconciliation and checks, and the other tables), **save** them atomically: all
tables are written to a temporary folder next to ``data/processed`` and swapped in only when
every one is written, so a failed or interrupted build leaves the previous tables intact.
Outputs are deterministic (sorted rows, fixed column order, no timestamps): two builds of the
same raw data give byte-identical files.
"""
from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kaltim_research import __version__
from kaltim_research.config import PROCESSED_DIR, RAW_DIR
from kaltim_research.data import ledger
from kaltim_research.data.manifest import (
    load_manifest,
    manifest_hash,
    read_resource,
    resources,
    verify_checksums,
)
from kaltim_research.data.vocabulary import base_name, normalise_country
from kaltim_research.errors import DataError, Problem
from kaltim_research.fileio import check_creatable, clean_stale_temps, swap_dir, temp_prefix

TABLE_DESCRIPTIONS = {
    "exports.csv": "Export ledger: one resolved value per province, concept, flow, period type, "
                   "year and month (month = last month of the period).",
    "export_observations.csv": "Every printed or implied export figure with its status "
                               "(selected, superseded, excluded) and curation note.",
    "exports_annual.csv": "One best annual value per province, concept, flow and year with the "
                          "basis it was obtained on (or 'missing').",
    "exports_coverage.csv": "Which single months and cumulative figures exist.",
    "reconciliation.csv": "Duplicates and conflicts: both values, both sources, the rule.",
    "checks.csv": "Cross-checks run on every build (identities, cumulative sums, implied "
                  "arithmetic) with pass/fail.",
    "destinations.csv": "Exports by destination country with the scope of each figure.",
    "commodities.csv": "Exports by HS group / BPS sector / migas part, values and shares.",
    "ports.csv": "Exports by port of loading.",
    "origin_by_port_province.csv": "Origin-province exports by province of the loading port.",
    "prices_monthly.csv": "Monthly commodity prices (nominal), one value per series and month.",
    "prices_annual.csv": "Annual commodity prices (nominal); is_partial_year marks part-year means.",
    "grdp.csv": "GRDP levels, growth and shares (annual and quarterly).",
    "coal.csv": "Coal production and export volumes.",
    "kihi_projects.csv": "KIHI projects: capacity (numeric where printed as a number), start, status.",
    "facts.csv": "Facts (Export Center, UMKM, KIHI, Kaltara exports) as printed, with sources.",
}


@dataclass
class BuildResult:
    tables: dict[str, pd.DataFrame]
    summary: dict = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# load
# --------------------------------------------------------------------------------------------

def load_raw(raw_dir: Path) -> tuple[dict, dict[str, tuple[str, str, pd.DataFrame]]]:
    """Verify checksums, then read and validate every tabular resource."""
    manifest = load_manifest(raw_dir)
    problems = verify_checksums(raw_dir, manifest)
    if problems:
        raise DataError(problems)
    tables, problems = {}, []
    for res in resources(manifest):
        if "schema" not in res and res.get("kaltim:role") != "annotations":
            continue
        if res.get("kaltim:role") == "annotations":
            res = {**res, "schema": {"fields": [
                {"name": n, "type": "string", "constraints": {"required": n not in ("concept",)}}
                for n in ("resource", "year", "period_end_month", "flow", "value_usd_million",
                          "source_url", "action", "concept", "reason")]}}
        try:
            tables[res["name"]] = (res["kaltim:role"], res["path"],
                                   read_resource(raw_dir, res, verify_hash=False))
        except DataError as err:
            problems.extend(err.problems)
    if problems:
        raise DataError(problems)
    return manifest, tables


# --------------------------------------------------------------------------------------------
# process: one function per table
# --------------------------------------------------------------------------------------------

def _of_role(tables, role):
    return {n: t for n, t in tables.items() if t[0] == role}


def _period_month(f: pd.DataFrame) -> pd.Series:
    return (f["month"] if "month" in f.columns else f["period_end_month"]).astype(int)


def destinations_table(tables) -> pd.DataFrame:
    parts = []
    for name, (_, file, f) in _of_role(tables, "destinations").items():
        if "scope" in f.columns:
            scope = f["scope"]
        else:
            scope = f["notes"].str.extract(r"^scope=([^;]+)")[0].str.strip()
            bad = scope.isna()
            if bad.any():
                line = int(f.loc[bad, "source_line"].iloc[0])
                raise DataError([Problem(file, "notes must begin with 'scope=...'", line=line,
                                         column="notes")])
        parts.append(pd.DataFrame({
            "province": f["province"], "concept": f["concept"], "scope": scope,
            "period_type": f["period_type"], "year": f["year"].astype(int),
            "month": _period_month(f), "country": f["country"].map(normalise_country),
            "country_as_printed": f["country"], "value_usd_m": f["value_usd_million"],
            "share_pct": f["share_pct"], "source_url": f["source_url"],
            "source_date": f["source_date"], "notes": f["notes"], "resource": name,
            "source_line": f["source_line"]}))
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["province", "concept", "scope", "year", "month", "period_type",
                            "country", "source_url", "source_line"], kind="mergesort")


def commodities_table(tables) -> pd.DataFrame:
    parts = []
    for name, (_, _file, f) in _of_role(tables, "commodities").items():
        code = f["hs2"]
        group = np.select(
            [code.str.startswith("sector:"), code.str.startswith("migas"),
             code.str.startswith("27")],
            ["bps_sector", "migas_part", "hs27_mineral_fuels"], default="hs2")
        parts.append(pd.DataFrame({
            "province": f["province"], "concept": f["concept"], "period_type": f["period_type"],
            "year": f["year"].astype(int), "month": _period_month(f), "code": code,
            "group": group, "label": f["commodity_label"], "value_usd_m": f["value_usd_million"],
            "share_pct": f["share_pct"], "source_url": f["source_url"],
            "source_date": f["source_date"], "notes": f["notes"], "resource": name,
            "source_line": f["source_line"]}))
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["province", "year", "month", "period_type", "code", "source_url",
                            "source_line"], kind="mergesort")


def ports_table(tables) -> pd.DataFrame:
    parts = []
    for name, (_, _file, f) in _of_role(tables, "ports").items():
        names = f["port"].map(base_name)
        parts.append(pd.DataFrame({
            "province": f["province"], "concept": f["concept"], "period_type": f["period_type"],
            "year": f["year"].astype(int), "month": _period_month(f),
            "port": [n[0] for n in names], "port_detail": [n[1] for n in names],
            "flow": f["flow"], "value_usd_m": f["value_usd_million"], "share_pct": f["share_pct"],
            "source_url": f["source_url"], "source_date": f["source_date"], "notes": f["notes"],
            "resource": name, "source_line": f["source_line"]}))
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["province", "year", "month", "period_type", "port", "source_url"],
                           kind="mergesort")


def origin_ports_table(tables) -> pd.DataFrame:
    parts = []
    for name, (_, _file, f) in _of_role(tables, "origin_by_port_province").items():
        via = f["via_province"]
        # The origin province's own ports are printed with their names; keep the province.
        own = via.str.contains("own ports", case=False)
        via_norm = via.where(~own, f["province"])
        parts.append(pd.DataFrame({
            "origin_province": f["province"], "concept": f["concept"],
            "period_type": f["period_type"], "year": f["year"].astype(int),
            "month": f["month"].astype(int), "via_province": via_norm,
            "via_as_printed": via, "is_outside_origin": ~own & (via != f["province"]),
            "value_usd_m": f["value_usd_million"], "source_url": f["source_url"],
            "source_date": f["source_date"], "notes": f["notes"], "resource": name,
            "source_line": f["source_line"]}))
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["origin_province", "year", "month", "period_type", "via_province",
                            "source_url"], kind="mergesort")


def prices_tables(tables, manifest) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Monthly and annual prices with short series ids from the manifest.

    HBA is set twice a month from mid-2025: the two half-month values are averaged into one
    monthly value marked ``basis = mean_of_half_monthly_values``.
    """
    ids = {}
    for res in resources(manifest):
        ids.update(res.get("kaltim:series_ids") or {})
    monthly, annual = [], []
    for _name, (role, _file, f) in tables.items():
        if role == "prices_monthly":
            g = f.groupby(["commodity", "year", "month", "unit"], sort=True)
            agg = g.agg(price=("value", "mean"), n=("value", "size"),
                        source_url=("source_url", lambda s: " | ".join(dict.fromkeys(s))),
                        notes=("notes", "first")).reset_index()
            agg["basis"] = np.where(agg["n"] > 1, "mean_of_half_monthly_values", "reported")
            monthly.append(agg.drop(columns="n"))
        elif role == "prices_annual":
            annual.append(pd.DataFrame({
                "commodity": f["commodity"], "year": f["year"].astype(int), "price": f["value"],
                "unit": f["unit"], "source_url": f["source_url"], "notes": f["notes"],
                "is_partial_year": f["notes"].fillna("").str.contains("PARTIAL YEAR")}))
    m = pd.concat(monthly, ignore_index=True)
    m.insert(0, "series_id", m["commodity"].map(ids))
    m["year"] = m["year"].astype(int)
    m["month"] = m["month"].astype(int)
    a = pd.concat(annual, ignore_index=True)
    a.insert(0, "series_id", a["commodity"].map(ids))
    cols_m = ["series_id", "commodity", "year", "month", "price", "unit", "basis", "source_url",
              "notes"]
    return (m[cols_m].sort_values(["series_id", "year", "month"], kind="mergesort"),
            a.sort_values(["series_id", "year", "source_url"], kind="mergesort"))


def grdp_table(tables) -> pd.DataFrame:
    parts = [f.assign(period=f["period_type"]) for role, _fl, f in tables.values() if role == "grdp"]
    out = pd.concat(parts, ignore_index=True)
    out = out[["province", "year", "period", "indicator", "value", "unit", "source_url",
               "source_date", "notes"]]
    return out.sort_values(["province", "year", "period", "indicator", "source_url"],
                           kind="mergesort")


def coal_table(tables) -> pd.DataFrame:
    parts = [f for role, _fl, f in tables.values() if role == "coal"]
    out = pd.concat(parts, ignore_index=True)
    return out[["province", "year", "indicator", "value", "unit", "source_url", "source_date",
                "notes"]].sort_values(["year", "indicator", "source_url"], kind="mergesort")


def kihi_table(tables) -> pd.DataFrame:
    parts = [f for role, _fl, f in tables.values() if role == "kihi_projects"]
    f = pd.concat(parts, ignore_index=True)
    numeric = pd.to_numeric(f["capacity_value"], errors="coerce")
    usd = f["investment_currency"] == "USD"
    out = pd.DataFrame({
        "province": f["province"], "project": f["project"], "company": f["company"],
        "product": f["product"], "capacity_value": numeric,
        "capacity_as_printed": f["capacity_value"], "capacity_unit": f["capacity_unit"],
        "phase": f["phase"], "planned_start": f["planned_start"],
        "investment_usd_m": np.where(usd, f["investment_value"] / 1e6, np.nan),
        "status": f["status"], "status_date": f["status_date"], "source_url": f["source_url"],
        "source_date": f["source_date"], "notes": f["notes"], "source_line": f["source_line"]})
    return out.sort_values(["project", "status_date", "source_line"], kind="mergesort",
                           na_position="first")


def _printed_number(value: pd.Series) -> pd.Series:
    """The value as a number where the printed text is one plain number, else NaN.

    Ranges ('4.5-5.3'), changes ('25 -> 30') and lists ('2 / 4 / 6') stay text only: the
    models read them through named parameters that cite the row, never by guessing.
    """
    text = value.astype(str).str.strip()
    plain = text.str.fullmatch(r"-?\d+(?:\.\d+)?")
    return pd.to_numeric(text.where(plain), errors="coerce")


def context_table(tables) -> pd.DataFrame:
    """National and provincial context figures (coal plan, DMO, BI growth rates, prices...)."""
    cols = ["dataset", "topic", "province", "period", "value", "value_num", "unit", "source_url",
            "source_date", "notes", "source_line"]
    parts = [f.assign(dataset=name, value_num=_printed_number(f["value"]))
             for name, (role, _fl, f) in tables.items() if role == "context"]
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)[cols]
    return out.sort_values(["topic", "province", "dataset", "source_line"], kind="mergesort")


def fiscal_parameters_table(tables) -> pd.DataFrame:
    """Fiscal rules and series with the ``|``-key split into concept and legal basis."""
    cols = ["dataset", "parameter", "concept", "legal_basis", "province", "period", "value",
            "value_num", "unit", "source_url", "source_date", "quote", "notes", "source_line"]
    parts = []
    for name, (role, _fl, f) in tables.items():
        if role != "fiscal_parameters":
            continue
        key = f["parameter"].astype(str).str.split("|")
        parts.append(f.assign(dataset=name, concept=key.str[0], legal_basis=key.str[1],
                              value_num=_printed_number(f["value"])))
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)[cols]
    return out.sort_values(["concept", "dataset", "source_line"], kind="mergesort")


def facts_table(tables) -> pd.DataFrame:
    parts = []
    for name, (role, _fl, f) in tables.items():
        if role != "facts":
            continue
        fact = f["fact"] if "fact" in f.columns else f["indicator"]
        province = f["province"] if "province" in f.columns else None
        parts.append(pd.DataFrame({
            "dataset": name, "province": province, "topic": f["topic"], "fact": fact,
            "value": f["value"], "unit": f["unit"], "date": f["date"],
            "source_url": f["source_url"], "source_date": f["source_date"], "notes": f["notes"],
            "source_line": f["source_line"]}))
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["dataset", "source_line"], kind="mergesort")


def process(manifest: dict, tables: dict) -> BuildResult:
    annotations = next((f for role, _fl, f in tables.values() if role == "annotations"), None)
    obs = ledger.observations(
        {n: t for n, t in tables.items()
         if t[0] in ("exports", "implied_exports", "commodities")}, annotations)
    resolved = ledger.resolve(obs)
    checks = [ledger.cross_checks(resolved.exports)]
    for _name, (role, file, f) in tables.items():
        if role == "implied_exports":
            checks.append(ledger.implied_arithmetic(f, file))
    checks = pd.concat(checks, ignore_index=True)
    prices_m, prices_a = prices_tables(tables, manifest)
    out = {
        "exports.csv": resolved.exports,
        "export_observations.csv": resolved.observations,
        "exports_annual.csv": ledger.annual_view(resolved.exports),
        "exports_coverage.csv": ledger.coverage(resolved.exports),
        "reconciliation.csv": resolved.reconciliation,
        "checks.csv": checks,
        "destinations.csv": destinations_table(tables),
        "commodities.csv": commodities_table(tables),
        "ports.csv": ports_table(tables),
        "origin_by_port_province.csv": origin_ports_table(tables),
        "prices_monthly.csv": prices_m,
        "prices_annual.csv": prices_a,
        "grdp.csv": grdp_table(tables),
        "coal.csv": coal_table(tables),
        "kihi_projects.csv": kihi_table(tables),
        "facts.csv": facts_table(tables),
        "context.csv": context_table(tables),
        "fiscal_parameters.csv": fiscal_parameters_table(tables),
    }
    failed = checks[~checks["passed"].astype(bool)]
    summary = {
        "rows": {k: int(len(v)) for k, v in out.items()},
        "checks_run": int(len(checks)), "checks_failed": int(len(failed)),
        "failed_checks": [f"{r.check} {r.province} {r.concept} {r.period_type} {r.year}-"
                          f"{int(r.month):02d}: {r.description}: expected {r.expected_usd_m:g}, "
                          f"found {r.found_usd_m:g}" for r in failed.itertuples()],
        "conflicts": int((resolved.reconciliation["kind"] == "conflict").sum()),
        "resolution_rule": ledger.RESOLUTION_RULE,
    }
    return BuildResult(out, summary)


# --------------------------------------------------------------------------------------------
# save
# --------------------------------------------------------------------------------------------

def _to_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def save(result: BuildResult, processed_dir: Path, manifest_sha: str) -> None:
    """Write every table to a temporary sibling folder, then swap it in (atomic for readers)."""
    processed_dir = Path(processed_dir)
    processed_dir.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temps(processed_dir.parent)  # folders of builds that were killed
    tmp = Path(tempfile.mkdtemp(prefix=temp_prefix(processed_dir.name), dir=processed_dir.parent))
    try:
        for name, frame in result.tables.items():
            _to_csv(frame, tmp / name)
        info = {"package_version": __version__, "raw_manifest_hash": manifest_sha,
                "source_hash": source_hash(),
                "tables": {n: {"rows": len(f), "description": TABLE_DESCRIPTIONS.get(n, "")}
                           for n, f in result.tables.items()},
                **{k: v for k, v in result.summary.items() if k != "rows"}}
        (tmp / "build_info.json").write_text(json.dumps(info, indent=2, ensure_ascii=False)
                                             + "\n", encoding="utf-8")
        (tmp / ".gitkeep").write_text("")
        swap_dir(tmp, processed_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def run(raw_dir: Path = RAW_DIR, processed_dir: Path = PROCESSED_DIR) -> BuildResult:
    """Load, process and save. Raises DataError (and writes nothing) on bad raw data."""
    check_creatable(processed_dir)  # an output path under a file fails now, not after the work
    manifest, tables = load_raw(raw_dir)
    result = process(manifest, tables)
    save(result, processed_dir, manifest_hash(raw_dir))
    return result


def source_hash() -> str:
    """Hash of the modules that shape the processed tables (a rebuild is due when they change):
    :func:`freshness.build_source_hash`."""
    from kaltim_research.data.freshness import build_source_hash

    return build_source_hash()
