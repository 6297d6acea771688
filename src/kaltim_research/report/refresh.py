"""``kaltim-research refresh [--offline]``: from a new release to new briefs in one command.

Phases: **fetch** what ``data/fetch.yaml`` configures (BPS WebAPI domains, the Pink Sheet),
skipped offline or without ``BPS_API_KEY``, saying so; each fetch writes everything or
nothing (:mod:`kaltim_research.data.fetch`), so a failed call or a bad reply changes nothing
on disk and the refresh goes on with what it has; **check** every raw checksum and schema;
**build** the processed tables; **run** the reports, where the runner re-runs only the
scenarios whose inputs changed (fingerprints) and rebuilds their briefs; **summarise**: which
releases came in and which headline numbers (median, P50) moved, by how much.

The summary reads ``reports/NAME/changes.json`` when the runner wrote one in this refresh
(schema in the helpers' contract); otherwise it computes the same record here from the
previous and the new ``results.json`` (:func:`headline_changes`) and writes it.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kaltim_research.config import PROCESSED_DIR, PROJ_ROOT, RAW_DIR, REPORTS_DIR, SCENARIOS_DIR
from kaltim_research.errors import DataError

CONFIG = PROJ_ROOT / "data" / "fetch.yaml"
DEFAULT_CONFIG = {"bps": [{"domain": "6400"}, {"domain": "6500", "concept": "via_ports"}],
                  "prices": {"source": None}}
CHANGES = "changes.json"
#: The manifest's resource names at the last refresh, so a refresh can tell which raw files
#: came in since (also those imported by hand with `data import` in between).
SEEN = ".refresh_resources.json"
#: The reports as they were before this refresh's run, written before any report is swapped:
#: a refresh killed after the swap finds it next time, so what moved is never lost.
PENDING = ".refresh_before.json"


@dataclass
class RefreshSummary:
    """What a refresh did, for printing and for tests."""

    fetched: list[str] = field(default_factory=list)    # releases that came in
    skipped: list[str] = field(default_factory=list)    # fetches skipped, and why
    failed: list[str] = field(default_factory=list)     # fetches that failed (nothing written)
    reran: list[str] = field(default_factory=list)      # scenarios whose results changed
    first: list[str] = field(default_factory=list)      # scenarios without an earlier report
    added: list[str] = field(default_factory=list)      # raw resources new since last refresh
    changes: list[dict[str, Any]] = field(default_factory=list)  # one changes record each
    exit_code: int = 0

    def lines(self) -> list[str]:
        out = ["releases:"]
        out += [f"  fetched: {x}" for x in self.fetched]
        out += [f"  new in data/raw since the last refresh: {', '.join(self.added)}"] \
            if self.added else ([] if self.fetched else ["  none new"])
        out += [f"  skipped: {x}" for x in self.skipped]
        out += [f"  FAILED (nothing written): {x}" for x in self.failed]
        out.append("headline numbers (median, US$ million):")
        moved = [(c["scenario"], h) for c in self.changes for h in c["headlines"]]
        for name, h in moved:
            out.append(f"  {name}: {h['province']} ({h['basis']}) {h['year']}: "
                       f"{_num(h['before_usd_m'])} -> {_num(h['after_usd_m'])} "
                       f"({_signed(h['change_usd_m'])}, {_signed(h['change_pct'], '%')})")
        out += [f"  {name}: first report (nothing earlier to compare with)"
                for name in self.first]
        if not moved and len(self.first) < len(self.reran):
            out.append("  reports re-run; headline numbers unchanged")
        elif not moved and not self.reran:
            out.append("  no scenario's numbers moved (no scenario's inputs changed)")
        return out


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:,.1f}"


def _signed(x: float | None, unit: str = "") -> str:
    return "n/a" if x is None else f"{x:+,.1f}{unit}"


def load_config(path: Path = CONFIG) -> dict[str, Any]:
    """The fetch configuration (defaults when the file is absent); a ValueError naming the
    file and line for a file that is not valid YAML or not in the expected shape."""
    from kaltim_research.fileio import YamlLimitError, load_yaml_bounded

    if not Path(path).exists():
        return DEFAULT_CONFIG
    try:
        data = load_yaml_bounded(Path(path).read_text(encoding="utf-8")) or {}
    except (YamlLimitError, yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        raise ValueError(f"{path}{where}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict) or not isinstance(data.get("bps", []), list) or not (
            data.get("prices") is None or isinstance(data.get("prices"), dict)):
        raise ValueError(f"{path}: expected a mapping with 'bps' (a list of {{domain: ...}}) "
                         "and 'prices' ({source: ...})")
    for i, item in enumerate(data.get("bps") or []):
        if not isinstance(item, dict) or "domain" not in item:
            raise ValueError(f"{path}: bps[{i}] must be a mapping with a 'domain' (found "
                             f"{item!r})")
    return {**DEFAULT_CONFIG, **data}


def headline_changes(previous_results: dict, current_results: dict,
                     previous_fingerprint: dict | None, current_fingerprint: dict,
                     data_resources_added: list[str] | None = None) -> dict[str, Any]:
    """The ``changes.json`` record (contract schema) from two results.json and fingerprints.

    Same inputs as ``report.changes.compute_changes`` (issue 10), which is used instead when
    present. Headlines compare the median (``total_p50``) per province and basis.
    """
    try:  # the brief issue's own function, once merged
        from kaltim_research.report.changes import compute_changes  # type: ignore

        rec = compute_changes(previous_results, current_results, previous_fingerprint,
                              current_fingerprint)
        if data_resources_added:  # what the refresh itself imported, beside the fingerprints'
            rec["data_resources_added"] = sorted(set(rec.get("data_resources_added") or [])
                                                 | set(data_resources_added))
        return rec
    except ImportError:
        pass
    prev_fp, cur_fp = previous_fingerprint or {}, current_fingerprint or {}

    def state(results: dict, fp: dict) -> dict:
        prov = results.get("provenance", {})
        return {"created": fp.get("created") or results.get("created"),
                "data_manifest_hash": prov.get("data_manifest_hash"),
                "scenario_hash": prov.get("scenario_hash"),
                "package_version": prov.get("package_version"),
                "data_vintage": prov.get("data_vintage")}

    previous, current = state(previous_results, prev_fp), state(current_results, cur_fp)
    changed = []
    if previous["data_manifest_hash"] != current["data_manifest_hash"]:
        changed.append("data")
    if previous["scenario_hash"] != current["scenario_hash"]:
        changed.append("parameters")
    if (previous["package_version"] != current["package_version"]
            or prev_fp.get("source_hash") != cur_fp.get("source_hash")):
        changed.append("code")
    before = {(h["province"], h["basis"], h["year"]): h for h in previous_results.get("headline", [])}
    heads = []
    for h in current_results.get("headline", []):
        old = before.get((h["province"], h["basis"], h["year"]))
        b = old.get("total_p50") if old else None
        a = h.get("total_p50")
        heads.append({"province": h["province"], "basis": h["basis"], "year": h["year"],
                      "stat": "p50", "before_usd_m": b, "after_usd_m": a,
                      "change_usd_m": None if b is None or a is None else a - b,
                      "change_pct": None if not b or a is None else 100 * (a - b) / b})
    return {"scenario": current_results.get("scenario", {}).get("name")
            if isinstance(current_results.get("scenario"), dict)
            else current_results.get("scenario"),
            "previous": previous, "current": current, "inputs_changed": changed,
            "data_resources_added": sorted(data_resources_added or []),
            "parameters_changed": [], "headlines": heads}


def _read(path: Path) -> dict | None:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def _resource_names(raw_dir: Path) -> list[str]:
    from kaltim_research.data.manifest import load_manifest, resources

    return [r["name"] for r in resources(load_manifest(raw_dir))]


def fetch_configured(config: dict, offline: bool, raw_dir: Path, summary: RefreshSummary,
                     bps_client=None, prices_transport=None) -> None:
    """Run every configured fetch; failures are recorded, never raised (nothing written)."""
    from kaltim_research.data import bps, fetch

    # anticipated failures of one fetch: reported, and the other fetches go on
    failures = (bps.BpsError, DataError, OSError, ValueError, KeyError, TypeError)
    if offline:
        summary.skipped.append("all fetches (--offline)")
        return
    key_set = bool(os.environ.get(bps.KEY_ENV, "").strip()) or bps_client is not None
    for item in config.get("bps") or []:
        domain = str(item["domain"])
        if not key_set:
            summary.skipped.append(f"BPS WebAPI domain {domain}: {bps.KEY_ENV} is not set")
            continue
        try:
            client = bps_client or bps.BpsClient(bps.api_key())
            rep = fetch.fetch_bps(domain, client=client, raw_dir=raw_dir,
                                  variables=item.get("vars"), years=item.get("years"),
                                  concept=item.get("concept"))
        except failures as err:
            summary.failed.append(f"BPS WebAPI domain {domain}: {bps.redact(str(err), None)}")
            continue
        _collect(rep, f"BPS {domain}", summary)
    prices = config.get("prices")
    if prices is not None:
        from kaltim_research.data.pinksheet import DEFAULT_URL

        source = prices.get("source") or DEFAULT_URL
        try:
            rep = fetch.fetch_prices(source, raw_dir=raw_dir, transport=prices_transport)
        except failures as err:
            summary.failed.append(f"Pink Sheet ({source}): {err}")
            return
        _collect(rep, "Pink Sheet", summary)


def _collect(rep, label: str, summary: RefreshSummary) -> None:
    for r in rep.imports:
        if r.status == "imported":
            summary.fetched.append(f"{label}: data/raw/{r.path} ({r.rows} rows)")
        else:
            summary.skipped.append(f"{label}: already in the snapshot ({r.path})")
    if not rep.imports:
        summary.skipped.append(f"{label}: " + ("; ".join(rep.lines) or "nothing new"))


def refresh(offline: bool = False, *, scenarios: list[str] | None = None, jobs: int = 2,
            raw_dir: Path = RAW_DIR, processed_dir: Path = PROCESSED_DIR,
            reports_dir: Path = REPORTS_DIR, config: dict | None = None, run_reports=None,
            bps_client=None, prices_transport=None) -> RefreshSummary:
    """Fetch, check, build, re-run changed scenarios, summarise (module docstring)."""
    from kaltim_research.data import build
    from kaltim_research.data.manifest import check_raw

    summary = RefreshSummary()
    seen = _read(Path(reports_dir) / SEEN)
    names_before = set(seen["resources"]) if seen else set(_resource_names(raw_dir))
    try:
        config = config or load_config()
    except ValueError as err:  # reported like a failed fetch; check, build and run go on
        summary.failed.append(f"fetch configuration: {err}; no fetch was made")
        config, offline = DEFAULT_CONFIG, True
        summary.skipped.clear()
    fetch_configured(config, offline, raw_dir, summary, bps_client, prices_transport)
    if summary.failed and summary.skipped == ["all fetches (--offline)"]:
        summary.skipped = []
    problems = check_raw(raw_dir)
    if problems:
        raise DataError(problems)
    build.run(raw_dir, processed_dir)
    added = sorted(set(_resource_names(raw_dir)) - names_before)
    summary.added = added

    files = scenarios or sorted(str(p) for p in Path(SCENARIOS_DIR).glob("*.yaml"))
    before = _before(files, Path(reports_dir))
    if run_reports is None:
        from kaltim_research.report.runner import run_reports
    summary.exit_code = run_reports(files, {}, jobs, "id", False, Path(reports_dir))
    for f in files:
        d = Path(reports_dir) / Path(f).stem
        prev_res, prev_fp, prev_changes_mtime = before[d.name]
        cur_res, cur_fp = _read(d / "results.json"), _read(d / "fingerprint.json")
        if cur_res is None or cur_fp == prev_fp:
            continue  # not re-run (inputs unchanged) or failed: the previous report stands
        summary.reran.append(d.name)
        if prev_res is None:
            summary.first.append(d.name)
            continue
        ch = d / CHANGES
        if ch.exists() and ch.stat().st_mtime != prev_changes_mtime:
            record = _read(ch)  # written by the runner in this refresh
        else:
            record = headline_changes(prev_res, cur_res, prev_fp, cur_fp, added)
            record["scenario"] = record.get("scenario") or d.name
            ch.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n",
                          encoding="utf-8")
        if record and any(h.get("change_usd_m") for h in record.get("headlines", [])):
            summary.changes.append(record)
    (Path(reports_dir) / PENDING).unlink(missing_ok=True)  # the changes are recorded now
    if summary.exit_code == 0:
        Path(reports_dir).mkdir(parents=True, exist_ok=True)
        (Path(reports_dir) / SEEN).write_text(json.dumps(
            {"resources": _resource_names(raw_dir)}, indent=1) + "\n", encoding="utf-8")
    return summary


def _before(files: list[str], reports_dir: Path) -> dict[str, tuple]:
    """Each report's results and fingerprint before the run, written to :data:`PENDING` before
    any report is swapped. A record left by a killed refresh wins over the reports on disk
    (which that refresh may already have replaced)."""
    from kaltim_research.fileio import atomic_write_file

    pending = _read(reports_dir / PENDING) or {}
    before, record = {}, {}
    for f in files:
        d = reports_dir / Path(f).stem
        if isinstance(pending.get(d.name), dict):
            res, fp, mtime = pending[d.name].get("results"), pending[d.name].get("fingerprint"), None
        else:
            res, fp = _read(d / "results.json"), _read(d / "fingerprint.json")
            mtime = (d / CHANGES).stat().st_mtime if (d / CHANGES).exists() else None
        before[d.name] = (res, fp, mtime)
        record[d.name] = {"results": res, "fingerprint": fp}
    if reports_dir.is_dir():
        atomic_write_file(reports_dir / PENDING, lambda p: p.write_text(
            json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8"))
    return before


__all__ = ["refresh", "headline_changes", "RefreshSummary", "load_config"]
