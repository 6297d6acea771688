"""Command line: ``kaltim-research data|scenario|baseline|run|brief ...``.

Every command exits 0 on success, 2 on bad input (with a message naming the file, line, key
or parameter) and 1 on a failed run.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kaltim_research.config import PROCESSED_DIR, RAW_DIR, REPORTS_DIR
from kaltim_research.errors import DataError


def _data_build(args) -> int:
    import json

    from kaltim_research.data import build
    from kaltim_research.data.manifest import load_manifest, manifest_hash, verify_checksums

    info = Path(args.processed) / "build_info.json"
    if not args.force and info.exists():
        built = json.loads(info.read_text(encoding="utf-8"))
        from kaltim_research import __version__
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

    from kaltim_research.data.manifest import check_raw, manifest_hash

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
    from kaltim_research.data.manifest import sha256_file

    for f in args.files:
        print(f"sha256:{sha256_file(Path(f))}  {f}")
    return 0


def _validate(args) -> int:
    from kaltim_research.models.scenario import ScenarioError, load_scenario

    bad = 0
    for f in args.files:
        try:
            s = load_scenario(Path(f))
            print(f"ok  {f}: {s.title}")
        except ScenarioError as err:
            bad += 1
            print(f"error: {err}", file=sys.stderr)
    return 2 if bad else 0




def _run(args) -> int:
    from kaltim_research.models.scenario import ScenarioError
    from kaltim_research.report.results import run_to_dir

    try:
        summary = run_to_dir(Path(args.file), Path(args.out), Path(args.processed), args.draws,
                             args.seed, not args.no_tornado)
    except ScenarioError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except (FileNotFoundError, ValueError) as err:  # e.g. too few observations for a backtest
        print(f"error: {args.file}: {err}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}/results.csv and results.json ({summary['provenance']['draws']} "
          f"draws, seed {summary['provenance']['seed']})")
    for h in summary["headline"]:
        print(f"  {h['province']} ({h['basis']}) {h['year']}: mean {h['total_mean']:,.1f} "
              f"US$ m [P10 {h['total_p10']:,.1f} – P90 {h['total_p90']:,.1f}], "
              f"{h['difference_mean']:+,.1f} vs baseline")
    return 0


def _params(args) -> int:
    from kaltim_research.models.scenario import parameter_docs

    for d in parameter_docs():
        rng = f" plausible {d.plausible[0]}–{d.plausible[1]}" if d.plausible else ""
        valid = f" valid {d.valid[0]}–{d.valid[1]}" if d.valid != (None, None) else ""
        print(f"{d.name} [{d.unit}]{valid}{rng}\n    {d.description}\n    source: {d.source}")
    return 0


def _backtest(args) -> int:
    import pandas as pd

    from kaltim_research.models import baseline as bl
    from kaltim_research.models.scenario import Parameters

    p = Parameters()
    e = pd.read_csv(Path(args.processed) / "exports.csv")
    pr = pd.read_csv(Path(args.processed) / "prices_monthly.csv")
    tables = []
    for spec in bl.DEFAULT_SERIES:
        f = bl.fit_series(e, pr, spec, p.baseline.use_implied_months,
                          p.baseline.backtest_min_train, p.baseline.model)
        t = f.backtest.summary.assign(series=spec.label)
        tables.append(t)
        print(f"\n{spec.label} (driver {spec.driver}; {f.n_observed} observed months, last "
              f"{f.last_observed}): chosen {f.model}, price elasticity {f.elasticity:.2f}")
        print(t[["model", "n_forecasts", "mape_pct", "mase", "rmse_log", "chosen",
                 "best_mase_overall"]].round(3).to_string(index=False))
    if args.out:
        pd.concat(tables).to_csv(args.out, index=False, lineterminator="\n", float_format="%.6g")
        print(f"\nwrote {args.out}")
    return 0


def _register_scenario(sub) -> None:
    sc = sub.add_parser("scenario", help="validate and run scenario files")
    ssub = sc.add_subparsers(dest="scenario_command", required=True)
    v = ssub.add_parser("validate", help="validate scenario files")
    v.add_argument("files", nargs="+")
    v.set_defaults(func=_validate)
    r = ssub.add_parser("run", help="run one scenario into DIR (results.csv, results.json)")
    r.add_argument("file")
    r.add_argument("--out", required=True)
    r.add_argument("--processed", default=str(PROCESSED_DIR))
    r.add_argument("--draws", type=int, default=None, help="override the scenario's draws")
    r.add_argument("--seed", type=int, default=None, help="override the scenario's seed")
    r.add_argument("--no-tornado", action="store_true", help="skip the sensitivity runs")
    r.set_defaults(func=_run)
    pa = ssub.add_parser("params", help="list every declared parameter with unit, range, source")
    pa.set_defaults(func=_params)

    b = sub.add_parser("baseline", help="baseline model comparison")
    bsub = b.add_subparsers(dest="baseline_command", required=True)
    bt = bsub.add_parser("backtest", help="rolling-origin backtest table and the chosen model")
    bt.add_argument("--processed", default=str(PROCESSED_DIR))
    bt.add_argument("--out", default=None, help="also write the table to this CSV")
    bt.set_defaults(func=_backtest)


def _cmd_run(args) -> int:
    from kaltim_research.report.runner import RunError, run_reports

    overrides = {}
    for name, value in args.p or []:
        overrides[name] = value
    try:
        return run_reports(args.files, overrides, args.jobs, args.lang, args.force,
                           Path(args.reports), args.draws, not args.no_history)
    except RunError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def _cmd_brief(args) -> int:
    from kaltim_research.models.scenario import ScenarioError, load_scenario
    from kaltim_research.report.results import run_to_dir
    from kaltim_research.report.runner import build_briefs

    path = Path(args.file)
    try:
        load_scenario(path)
    except ScenarioError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    out = Path(args.reports) / path.stem
    if not (out / "results.json").exists():
        print(f"no results for {path.stem} yet: running the engine into {out}", flush=True)
        run_to_dir(path, out, PROCESSED_DIR)
    docx = (args.lang,) if args.lang == "id" or args.docx else ()
    for p in build_briefs(out, langs=(args.lang,), docx_langs=docx):
        print(f"wrote {p}")
    return 0


def _register_reports(sub) -> None:
    r = sub.add_parser("run", help="scenario reports: notebooks, HTML, results.json, briefs")
    r.add_argument("files", nargs="+", help="scenario files (scenarios/NAME.yaml)")
    r.add_argument("-p", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   help="override a notebook parameter (checked against the notebooks)")
    r.add_argument("--jobs", type=int, default=os.cpu_count() or 2,
                   help="scenarios run in parallel, one kernel each (default: number of CPUs)")
    r.add_argument("--lang", choices=("id", "en"), default="id",
                   help="language of the index page and of the DOCX brief (PDF briefs are "
                        "written in both); default id (Bahasa Indonesia)")
    r.add_argument("--force", action="store_true", help="rerun even if nothing changed")
    r.add_argument("--draws", type=int, default=None, help="override the scenarios' draws")
    r.add_argument("--reports", default=str(REPORTS_DIR),
                   help="output folder: one subfolder per scenario and index.html "
                        "(default: reports/)")
    r.add_argument("--no-history", action="store_true", help="skip notebook 01 per province")
    r.set_defaults(func=_cmd_run)
    b = sub.add_parser("brief", help="the governor's brief (PDF; DOCX for Bahasa Indonesia)")
    b.add_argument("file", help="scenario file (scenarios/NAME.yaml)")
    b.add_argument("--lang", choices=("id", "en"), default="id",
                   help="language of the brief (default id, Bahasa Indonesia)")
    b.add_argument("--docx", action="store_true", help="also write the DOCX for --lang en")
    b.add_argument("--reports", default=str(REPORTS_DIR),
                   help="reports folder holding NAME/results.json (the engine runs there "
                        "when it is missing; default: reports/)")
    b.set_defaults(func=_cmd_brief)


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

    _register_scenario(sub)
    _register_reports(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except DataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
