"""``kaltim-research data import``: take a new figure file into the raw snapshot.

One step in three phases (owid/etl style). **Load**: read a CSV or XLSX, either a file in the
columns of an existing raw file (the ledger's columns) or a BPS table as downloaded (months
or years down one side, years or months across; see :mod:`kaltim_research.data.bpstable`).
**Process**: choose the manifest resource whose columns it shares as the template (schema,
role, constant columns), write the manifest entry (sha256, source URL, release date,
retrieval date, original file), and validate the new snapshot with the *same* code the build
uses (:func:`kaltim_research.data.build.load_raw` and :func:`~kaltim_research.data.build.process`)
on a temporary copy of ``data/raw``. **Save**: only if that succeeds, write the new file under
a new name and then the manifest, each atomically. An existing raw file is never edited;
importing the same content twice is a no-op that says so.

Raw snapshots follow the owid/etl habit: every file carries its origin (URL, date accessed)
and checksum in its metadata, here the resource's ``kaltim:import`` block.
"""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kaltim_research.config import MANIFEST_NAME, RAW_DIR
from kaltim_research.data import bpstable
from kaltim_research.data.manifest import DEFAULTS_KEY, ROLE_KEY, load_manifest, resources
from kaltim_research.data.tables import Table, read_csv_bytes, read_xlsx_cells, to_csv_bytes
from kaltim_research.data.vocabulary import normalise_province
from kaltim_research.errors import DataError, Problem
from kaltim_research.fileio import atomic_write_file, folder_lock

IMPORT_KEY = "kaltim:import"
#: ``--source-url per-row``: a curated file whose every row carries its own source URL.
PER_ROW = "per-row"

LEDGER_TEMPLATE = "kaltara_exports_annual"
#: How long an import waits for another one holding the manifest lock (judgement: an import
#: validates the whole snapshot, a few seconds; 60 s covers a slow machine).
LOCK_WAIT_S = 60.0

#: Columns of the derived-value file shape introduced by wave 3 (Kaltara implied values):
#: the implied-value columns plus ``concept``; a value derived by trade-balance arithmetic has
#: no printed % change, so the "from" columns may be empty there.
IMPLIED_TEMPLATE = "kaltim_exports_implied_wave2"


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or would do)."""

    status: str              # "imported" or "unchanged"
    path: str                # path under data/raw
    resource: str            # manifest resource name
    template: str            # resource whose schema, role and defaults were used
    rows: int
    message: str
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# process: templates and the manifest entry
# --------------------------------------------------------------------------------------------

def _fields(res: dict[str, Any]) -> list[str]:
    return [f["name"] for f in res.get("schema", {}).get("fields", [])]


def template_resources(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Tabular resources that can serve as a template, plus the derived shapes.

    The derived shape ``implied_with_concept`` (Kaltara values implied from a printed % change
    or derived by trade-balance arithmetic) is the implied-value schema plus ``concept``, with
    the "from" columns optional because trade-balance rows print no % change.
    """
    out = [r for r in resources(manifest) if "schema" in r and r.get(ROLE_KEY)]
    by_name = {r["name"]: r for r in out}
    if IMPLIED_TEMPLATE in by_name and not any(
            r.get(ROLE_KEY) == "implied_exports" and "concept" in _fields(r) for r in out):
        base = copy.deepcopy(by_name[IMPLIED_TEMPLATE])
        concept = next(f for r in out for f in r["schema"]["fields"] if f["name"] == "concept")
        fields = base["schema"]["fields"]
        at = [f["name"] for f in fields].index("period_end_month") + 1
        fields.insert(at, copy.deepcopy(concept))
        for f in fields:
            if f["name"] in ("from_value_usd_million", "from_period", "pct_change_reported"):
                f.get("constraints", {}).pop("required", None)
        base["name"] = "implied_with_concept"
        base[DEFAULTS_KEY] = {k: v for k, v in base.get(DEFAULTS_KEY, {}).items()
                              if k != "concept"}
        base["schema"]["primaryKey"] = ["province", "year", "month", "period_type",
                                        "period_end_month", "concept", "flow",
                                        "implied_value_usd_million", "source_url"]
        out.append(base)
    return out


def choose_template(manifest: dict[str, Any], header: list[str], like: str | None,
                    constants: dict[str, str], file: str) -> dict[str, Any]:
    """The resource whose columns equal the file's (columns given as constants count)."""
    templates = template_resources(manifest)
    if like:
        hit = [r for r in templates if r["name"] == like]
        if not hit:
            names = ", ".join(r["name"] for r in templates)
            raise DataError([Problem(file, f"--like {like!r} names no tabular resource; "
                                     f"expected one of: {names}")])
        return hit[0]
    have = set(header)
    for r in templates:
        want = set(_fields(r))
        # the same columns, or fewer where the missing ones are given as constants
        if have == want or (have < want and want - have <= set(constants)):
            return r
    near = min(templates, key=lambda r: len(set(_fields(r)) ^ have))
    extra = sorted(have - set(_fields(near)))
    lack = sorted(set(_fields(near)) - have)
    raise DataError([Problem(file, "columns match no raw file in the manifest; closest is "
                             f"{near['path']} (columns {', '.join(_fields(near))}); "
                             + (f"unexpected: {', '.join(extra)}; " if extra else "")
                             + (f"missing: {', '.join(lack)}" if lack else ""), line=1)])


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "import"


def destination(raw_dir: Path, template: dict[str, Any], stem: str, retrieved: str,
                keep_name: bool) -> str:
    """A NEW path under data/raw in the template's folder.

    The original name is kept when asked (wave-3 files already carry their vintage in the
    name) and free; otherwise the retrieval date is appended (``..._2026-12-01.csv``), with a
    counter if that name is taken the same day.
    """
    folder = str(Path(template["path"]).parent)
    stem = _slug(stem)
    if keep_name and not (raw_dir / folder / f"{stem}.csv").exists():
        return f"{folder}/{stem}.csv"
    base = stem if re.search(r"\d{4}-\d{2}-\d{2}$", stem) else f"{stem}_{retrieved}"
    cand, n = f"{folder}/{base}.csv", 2
    while (raw_dir / cand).exists():
        cand, n = f"{folder}/{base}_{n}.csv", n + 1
    return cand


def _unique_name(manifest: dict[str, Any], stem: str) -> str:
    names = {r["name"] for r in resources(manifest)}
    name, n = _slug(stem), 2
    while name in names:
        name, n = f"{_slug(stem)}_{n}", n + 1
    return name


def resource_entry(template: dict[str, Any], name: str, path: str, data: bytes,
                   constants: dict[str, str], provenance: dict[str, Any],
                   title: str | None) -> dict[str, Any]:
    """The manifest entry of an imported file: the template's schema, role and defaults."""
    defaults = dict(template.get(DEFAULTS_KEY) or {})
    defaults.update(constants)
    res = {
        "name": name, "path": path,
        "title": title or f"{template['title']} (imported {Path(provenance['original_file']).name})",
        "description": "Imported with `kaltim-research data import` from "
                       f"{provenance['original_file']} (source: {provenance['source_url']}, "
                       f"released {provenance['source_date']}, retrieved {provenance['retrieved']}).",
        "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
        "dialect": {"delimiter": ",", "quoteChar": '"', "header": True},
        "sources": [{"title": "Each row's source_url (curated file)", "path": "SOURCES.md"}
                    if provenance["source_url"] == PER_ROW else
                    {"title": "Release or table as given to the importer",
                     "path": provenance["source_url"]}],
        "licenses": copy.deepcopy(template.get("licenses", [])),
        "hash": "sha256:" + hashlib.sha256(data).hexdigest(), "bytes": len(data),
        "schema": copy.deepcopy(template["schema"]),
        ROLE_KEY: template[ROLE_KEY], DEFAULTS_KEY: defaults,
    }
    # a column given as a constant is not in the file: drop it from the schema and the key
    # (constant within the file, so the key stays unique without it)
    schema = res["schema"]
    schema["fields"] = [f for f in schema["fields"] if f["name"] not in constants]
    if schema.get("primaryKey"):
        schema["primaryKey"] = [k for k in schema["primaryKey"] if k not in constants]
    for extra in ("kaltim:series_ids",):
        if extra in template:
            res[extra] = copy.deepcopy(template[extra])
    res[IMPORT_KEY] = provenance
    return res


def already_imported(manifest: dict[str, Any], digest: str) -> dict[str, Any] | None:
    """The resource holding these bytes (or imported from a file with these bytes), if any."""
    for r in resources(manifest):
        if str(r.get("hash", "")).removeprefix("sha256:") == digest:
            return r
        if (r.get(IMPORT_KEY) or {}).get("original_sha256") == digest:
            return r
    return None


def manifest_text(manifest: dict[str, Any]) -> str:
    """The manifest as ``tools/make_manifest.py`` writes it (2-space JSON, UTF-8, newline)."""
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


def validate_snapshot(raw_dir: Path, new_path: str, data: bytes, manifest: dict[str, Any],
                      attachments: list[tuple[str, bytes]] = ()) -> dict[str, Any]:
    """Run the build's load and process steps on a temporary copy of the raw snapshot plus
    the new file. Raises DataError with the build's own messages; returns the build summary."""
    from kaltim_research.data import build

    with tempfile.TemporaryDirectory(prefix="kaltim-import-") as tmp:
        copy_dir = Path(tmp) / "raw"
        shutil.copytree(raw_dir, copy_dir)
        target = copy_dir / new_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        for path, blob in attachments:
            (copy_dir / path).parent.mkdir(parents=True, exist_ok=True)
            (copy_dir / path).write_bytes(blob)
        (copy_dir / MANIFEST_NAME).write_text(manifest_text(manifest), encoding="utf-8")
        m, tables = build.load_raw(copy_dir)
        return build.process(m, tables).summary


def build_summary(raw_dir: Path) -> dict[str, Any]:
    """The build summary (checks) of the current snapshot, to tell new failures from old."""
    from kaltim_research.data import build

    try:
        m, tables = build.load_raw(Path(raw_dir))
        return build.process(m, tables).summary
    except DataError:
        return {}


def commit(raw_dir: Path, new_path: str, data: bytes, manifest: dict[str, Any],
           attachments: list[tuple[str, bytes]] = ()) -> None:
    """Write the new files (refusing to overwrite), then the manifest, each atomically; if
    anything fails, the files written so far are removed again."""
    files = [*attachments, (new_path, data)]
    for path, _ in files:
        if (Path(raw_dir) / path).exists():
            raise DataError([Problem(path, "exists already; raw files are never overwritten")])
    written: list[Path] = []
    try:
        for path, blob in files:
            target = Path(raw_dir) / path
            atomic_write_file(target, lambda p, b=blob: p.write_bytes(b))
            written.append(target)
        atomic_write_file(Path(raw_dir) / MANIFEST_NAME,
                          lambda p: p.write_text(manifest_text(manifest), encoding="utf-8"))
    except BaseException:
        for target in written:
            target.unlink(missing_ok=True)
        raise


def _rename_problems(err: DataError, new_path: str, shown: str) -> DataError:
    """Point messages about the staged file at the file the user gave."""
    for p in err.problems:
        if p.file == new_path:
            p.file = shown
    return DataError(err.problems)  # the message is composed at construction


def import_table(table: Table, *, original: Path, raw_dir: Path = RAW_DIR, source_url: str,
                 source_date: str, retrieved: str | None = None,
                 constants: dict[str, str] | None = None, like: str | None = None,
                 name: str | None = None, title: str | None = None, keep_name: bool = False,
                 original_sha256: str | None = None, extra_provenance: dict | None = None,
                 attachments: list[tuple[str, bytes, dict[str, Any]]] = (),
                 dry_run: bool = False) -> ImportResult:
    """Validate ``table`` as a new raw file and (unless ``dry_run``) write it and its entry.

    The whole read-validate-write runs under a lock on ``raw_dir`` (:func:`folder_lock`): a
    concurrent import waits for it (or fails with a message), so no manifest entry is lost."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise DataError([Problem(str(raw_dir / MANIFEST_NAME), "manifest not found")])
    try:
        with folder_lock(raw_dir, LOCK_WAIT_S):
            return _import_locked(table, original=original, raw_dir=raw_dir,
                                  source_url=source_url, source_date=source_date,
                                  retrieved=retrieved, constants=constants, like=like, name=name,
                                  title=title, keep_name=keep_name,
                                  original_sha256=original_sha256,
                                  extra_provenance=extra_provenance, attachments=attachments,
                                  dry_run=dry_run)
    except TimeoutError as exc:
        raise DataError([Problem(str(raw_dir / MANIFEST_NAME), str(exc))]) from None


def _import_locked(table: Table, *, original: Path, raw_dir: Path, source_url: str,
                   source_date: str, retrieved: str | None, constants: dict[str, str] | None,
                   like: str | None, name: str | None, title: str | None, keep_name: bool,
                   original_sha256: str | None, extra_provenance: dict | None,
                   attachments: list[tuple[str, bytes, dict[str, Any]]],
                   dry_run: bool) -> ImportResult:
    constants = {k: v for k, v in (constants or {}).items() if v}
    shown = str(original)
    per_row = source_url == PER_ROW and "source_url" in table.header
    if not per_row and not re.match(r"^https?://\S+$", source_url or ""):
        raise DataError([Problem(shown, "--source-url must be the http(s) address of the "
                                 f"release or table (or '{PER_ROW}' for a file whose rows "
                                 "each carry a source_url)", value=source_url)])
    if not re.match(r"^\d{4}(-\d{2}(-\d{2})?)?", source_date or ""):
        raise DataError([Problem(shown, "--source-date must start with the release date as "
                                 "YYYY-MM-DD (or YYYY-MM)", value=source_date)])
    retrieved = retrieved or dt.date.today().isoformat()
    manifest = load_manifest(raw_dir)
    digest = hashlib.sha256(table.data).hexdigest()
    orig_digest = original_sha256 or digest
    for d in dict.fromkeys((digest, orig_digest)):
        prev = already_imported(manifest, d)
        if prev is not None:
            return ImportResult("unchanged", prev["path"], prev["name"], prev["name"],
                                len(table.rows), f"{shown} is already in the snapshot as "
                                f"{prev['path']} (same sha256 {d[:12]}…): nothing to do")
    for col in constants:
        if col in table.header:
            raise DataError([Problem(shown, f"the file has a '{col}' column; --{col} applies "
                                     "only to files without one", line=1)])
    template = choose_template(manifest, table.header, like, constants, shown)
    new_path = destination(raw_dir, template, name or original.stem, retrieved, keep_name)
    provenance = {"source_url": source_url, "source_date": source_date,
                  "retrieved": retrieved, "original_file": original.name,
                  "original_sha256": orig_digest, "converted_from": table.converted_from,
                  **(extra_provenance or {})}
    res = resource_entry(template, _unique_name(manifest, Path(new_path).stem), new_path,
                         table.data, constants, provenance, title)
    new_manifest = copy.deepcopy(manifest)
    # attachments (e.g. the WebAPI reply a table was read from) go in before the table
    new_manifest["resources"] += [entry for _p, _b, entry in attachments] + [res]
    blobs = [(p, b) for p, b, _e in attachments]
    try:
        summary = validate_snapshot(raw_dir, new_path, table.data, new_manifest, blobs)
    except DataError as err:
        raise _rename_problems(err, new_path, shown) from None
    warnings = list(table.notes)
    before = set(build_summary(raw_dir).get("failed_checks", []))
    for line in summary.get("failed_checks", []):
        if line not in before:
            warnings.append(f"cross-check fails after this import: {line}")
    if not dry_run:
        commit(raw_dir, new_path, table.data, new_manifest, blobs)
    verb = "would import" if dry_run else "imported"
    return ImportResult("imported", new_path, res["name"], template["name"], len(table.rows),
                        f"{verb} {shown} as data/raw/{new_path} ({len(table.rows)} rows, schema "
                        f"of {template['name']}; sha256 {digest[:12]}…)", warnings)


def load_table(path: Path, *, province: str | None = None, concept: str | None = None,
               flow: str | None = None, unit: str | None = None, sheet: str | None = None,
               source_url: str = "", source_date: str = "") -> Table:
    """Read a CSV or XLSX: a file in raw-file columns as it is, a BPS table converted."""

    path = Path(path)
    if not path.exists():
        raise DataError([Problem(str(path), "file not found")])
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        cells = read_xlsx_cells(path, sheet)
        raw_header = [c.strip() for c in cells[0]] if cells else []
        if raw_header and "source_url" in raw_header:
            rows = [r for r in cells[1:] if any(c for c in r)]
            return Table(raw_header, rows, to_csv_bytes(raw_header, rows), "xlsx",
                         list(cells.notes))
        return bpstable.to_ledger_table(cells, str(path), province=province, concept=concept,
                                        flow=flow, unit=unit, source_url=source_url,
                                        source_date=source_date)
    if suffix not in (".csv", ".txt"):
        raise DataError([Problem(str(path), "expected a .csv or .xlsx file")])
    data = path.read_bytes()
    header, rows = read_csv_bytes(data, str(path))
    if "source_url" in header:
        return Table(header, rows, data, "csv")
    cells = [header] + rows
    return bpstable.to_ledger_table(cells, str(path), province=province, concept=concept,
                                    flow=flow, unit=unit, source_url=source_url,
                                    source_date=source_date)


def formula_problems(table: Table, shown: str) -> list[Problem]:
    """Text cells that start with '=' (a spreadsheet formula such as =HYPERLINK(...)): never
    stored in a raw file, where a spreadsheet opening the processed CSV would run it."""
    return [Problem(shown, "a formula, not a value; expected the figure or text itself",
                    line=i, column=table.header[j] if j < len(table.header) else None,
                    value=str(c)[:60])
            for i, row in enumerate(table.rows, start=2) for j, c in enumerate(row)
            if str(c).lstrip().startswith("=")]


def import_file(path: Path, *, raw_dir: Path = RAW_DIR, source_url: str, source_date: str,
                province: str | None = None, concept: str | None = None,
                flow: str | None = None, unit: str | None = None, sheet: str | None = None,
                like: str | None = None, name: str | None = None, title: str | None = None,
                keep_name: bool = False, retrieved: str | None = None,
                dry_run: bool = False) -> ImportResult:
    """Import one CSV or XLSX file into ``raw_dir`` (see the module docstring).

    ``province`` and ``concept`` become constant columns of a file that lacks them (the
    manifest's ``kaltim:defaults``), or label a converted BPS table.
    """
    path = Path(path)
    if province:
        try:
            province = normalise_province(province)
        except ValueError as exc:
            raise DataError([Problem(str(path), f"--province: {exc}")]) from None
    table = load_table(path, province=province, concept=concept, flow=flow, unit=unit,
                       sheet=sheet, source_url=source_url, source_date=source_date)
    converted = table.converted_from == "bps_table"  # else: raw-file columns (CSV or XLSX)
    if not converted and (bad := formula_problems(table, str(path))):
        raise DataError(bad)
    constants = {} if converted else {"province": province, "concept": concept}
    original_sha = hashlib.sha256(path.read_bytes()).hexdigest()
    return import_table(table, original=path, raw_dir=raw_dir, source_url=source_url,
                        source_date=source_date, retrieved=retrieved, constants=constants,
                        like=LEDGER_TEMPLATE if converted and not like else like, name=name,
                        title=title, keep_name=keep_name, original_sha256=original_sha,
                        dry_run=dry_run)
