"""What a scenario report depends on: its fingerprint (``fingerprint.json`` in the report).

A report is up to date when the fingerprint of its inputs (scenario file and the scenarios it
modifies, data manifest and resources, notebooks, package version and source, overrides,
language) equals the one stored with its last good run; the runner then skips it unless
``--force``.
"""
from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

import yaml

from kaltim_research import __version__
from kaltim_research.config import RAW_DIR

FINGERPRINT = "fingerprint.json"


def content_sha(obj) -> str:
    """SHA-256 (hex) of a JSON-able value, key order ignored: what a brief, the index chart or
    the brief's fan chart was made from, to tell whether it must be made again."""
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


def file_sha(path: Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@functools.lru_cache(maxsize=1)
def source_hash() -> str:
    """Hash of the package source, so an edit without a version bump still reruns reports
    (computed once per process: a run fingerprints every scenario with it)."""
    h = hashlib.sha256(__version__.encode())
    for p in sorted(Path(__file__).resolve().parents[1].rglob("*")):
        if p.suffix in (".py", ".yaml") and "__pycache__" not in p.parts:
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def fingerprint(scenario_path: Path, notebooks: list[Path], overrides: dict, lang: str,
                raw_dir: Path = RAW_DIR) -> dict:
    """The inputs of one scenario report (compared with the stored ``fingerprint.json``)."""
    from kaltim_research.data.manifest import manifest_hash

    chain, current = [], Path(scenario_path)
    while current is not None:
        chain.append(file_sha(current))
        data = yaml.safe_load(current.read_text(encoding="utf-8")) or {}
        parent = data.get("modifies")
        current = current.with_name(f"{parent}.yaml") if parent else None
    manifest = json.loads((Path(raw_dir) / "datapackage.json").read_text(encoding="utf-8"))
    return {"scenario_files": chain, "data_manifest_hash": manifest_hash(raw_dir),
            "data_resources": sorted(r.get("name", "") for r in manifest.get("resources", [])),
            "notebooks": {nb.name: file_sha(nb) for nb in notebooks},
            "package_version": __version__, "source_hash": source_hash(),
            "overrides": overrides, "lang": lang}
