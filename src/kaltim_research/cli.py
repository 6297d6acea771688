"""Command line: ``kaltim-research data|scenario|baseline|run|brief ...``.

Every command exits 0 on success, 2 on bad input (with a message naming the file, line, key
or parameter) and 1 on a failed run.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import PROCESSED_DIR, RAW_DIR
from .errors import DataError


def _data_build(args) -> int:
    import json

    from . import build
    from .manifest import load_manifest, manifest_hash, verify_checksums

    info = Path(args.processed) / "build_info.json"
    if not args.force and info.exists():
        built = json.loads(info.read_text(encoding="utf-8"))
        from . import __version__
        fresh = (built.get("raw_manifest_hash") == manifest_hash(Path(args.raw))
                 and built.get("package_version") == __version__
                 and built.get("source_hash") == build.source_hash()
                 # a raw file changed without a new manifest entry is an error, not "up to date"
                 and not verify_checksums(Path(args.raw), load_manifest(Path(args.raw)))
                 and all((Path(args.processed) / t).exists() for t in built.get("tables", {})))
        if fresh:
            print(f"processed tables up to date in {args.processed} (--force to rebuild)")
            return 0
    result = build.run(Path(args.raw), Path(args.processed))
    s = result.summary
    print(f"built {len(result.tables)} tables in {args.processed}")
    for name, rows in s["rows"].items():
        print(f"  {name:32s} {rows:6d} rows")
    print(f"cross-checks: {s['checks_run']} run, {s['checks_failed']} failed "
          f"(see checks.csv); conflicts resolved: {s['conflicts']} (see reconciliation.csv)")
    for line in s["failed_checks"]:
        print(f"  FAILED {line}")
    return 0


def _data_check(args) -> int:
    import json

    from .manifest import check_raw, manifest_hash

    problems = check_raw(Path(args.raw))
    if problems:
        raise DataError(problems)
    print(f"raw data OK: every checksum and schema in {args.raw}/datapackage.json verified")
    info = Path(args.processed) / "build_info.json"
    if not info.exists():
        print("processed tables not built yet: run `kaltim-research data build`")
        return 0
    built = json.loads(info.read_text(encoding="utf-8"))
    if built.get("raw_manifest_hash") != manifest_hash(Path(args.raw)):
        print("processed tables are STALE (built from another manifest): run "
              "`kaltim-research data build`", file=sys.stderr)
        return 1
    missing = [t for t in built["tables"] if not (Path(args.processed) / t).exists()]
    if missing:
        print("processed tables missing: " + ", ".join(missing), file=sys.stderr)
        return 1
    print(f"processed tables OK: {len(built['tables'])} tables built from this manifest; "
          f"{built['checks_failed']} of {built['checks_run']} cross-checks failed (checks.csv)")
    return 0


def _data_hash(args) -> int:
    from .manifest import sha256_file

    for f in args.files:
        print(f"sha256:{sha256_file(Path(f))}  {f}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kaltim-research", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    data = sub.add_parser("data", help="raw snapshot and processed tables")
    dsub = data.add_subparsers(dest="data_command", required=True)
    for name, func, helptext in (("build", _data_build, "rebuild data/processed from data/raw"),
                                 ("check", _data_check, "verify checksums, schemas and tables")):
        c = dsub.add_parser(name, help=helptext)
        c.add_argument("--raw", default=str(RAW_DIR), help="raw snapshot folder")
        c.add_argument("--processed", default=str(PROCESSED_DIR), help="processed folder")
        if name == "build":
            c.add_argument("--force", action="store_true", help="rebuild even if up to date")
        c.set_defaults(func=func)
    h = dsub.add_parser("hash", help="print the sha256 of files (for a new manifest entry)")
    h.add_argument("files", nargs="+")
    h.set_defaults(func=_data_hash)

    for register in _REGISTRARS:
        register(sub)
    return p


_REGISTRARS: list = []


def _register_optional() -> None:
    """Commands of later modules register themselves here."""
    for mod in ("scenario_cli", "runner"):
        try:
            module = __import__(f"kaltim_research.{mod}", fromlist=["register"])
        except ImportError:
            continue
        if module.register not in _REGISTRARS:  # main() may run many times in one process
            _REGISTRARS.append(module.register)


def main(argv: list[str] | None = None) -> int:
    _register_optional()
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except DataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
