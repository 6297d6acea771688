"""Whether ``data/processed`` was built from the raw snapshot as it is now.

``run``, ``brief`` and ``refresh`` call :func:`stale_reason` before they read the processed
tables: after a ``data import`` without a ``data build`` the tables are those of the previous
manifest, and numbers computed from them must never be reported as current. The build writes
``build_info.json`` with the manifest hash it read (:mod:`kaltim_research.data.build`).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from kaltim_research.data.manifest import manifest_hash

BUILD_INFO = "build_info.json"


def stale_reason(raw_dir: Path, processed_dir: Path) -> str | None:
    """None if the processed tables were built from the current manifest, else why not (with
    the command to run)."""
    info = Path(processed_dir) / BUILD_INFO
    fix = "run `kaltim-research data build` (make data) first"
    if not info.is_file():
        return f"{processed_dir} has not been built ({BUILD_INFO} missing); {fix}"
    try:
        built = json.loads(info.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"{info} is damaged; run `kaltim-research data build --force`"
    try:
        current = manifest_hash(Path(raw_dir))
    except (OSError, ValueError) as exc:
        return f"{raw_dir}: cannot read the manifest ({exc})"
    if built.get("raw_manifest_hash") != current:
        return (f"{processed_dir} was built from another manifest than {raw_dir}/datapackage.json "
                f"(new raw data since the last build); {fix}")
    missing = [t for t in built.get("tables", {}) if not (Path(processed_dir) / t).exists()]
    if missing:
        return f"{processed_dir} lacks {', '.join(missing[:3])}; {fix}"
    return None


def build_id(processed_dir: Path) -> str | None:
    """A short hash of ``build_info.json``: which build a result was computed from."""
    info = Path(processed_dir) / BUILD_INFO
    try:
        return "sha256:" + hashlib.sha256(info.read_bytes()).hexdigest()[:16]
    except OSError:
        return None


#: The modules that shape the processed tables: a rebuild is due when one changes.
BUILD_MODULES = ("build.py", "ledger.py", "ledger_rules.py", "manifest.py", "vocabulary.py",
                 "numbers.py")


def build_source_hash() -> str:
    """Hash of the modules that shape the processed tables (stdlib only, so the no-change
    ``data build`` does not import pandas to learn that nothing changed)."""
    h = hashlib.sha256()
    for name in BUILD_MODULES:
        path = Path(__file__).parent / name
        if path.exists():
            h.update(path.read_bytes())
    return h.hexdigest()
