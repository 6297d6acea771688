"""Command line: ``kaltim-research data|scenario|baseline|run|brief|refresh ...``.

Every command exits 0 on success, 2 on bad input (with a message naming the file, line, key
or parameter) and 1 on a failed run.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kaltim_research.config import NOTEBOOKS_DIR, PROCESSED_DIR, RAW_DIR, REPORTS_DIR
from kaltim_research.errors import DataError


def _data_build(args) -> int:
    import json

    # Only stdlib modules until the build is known to be due: the no-change path stays quick.
    from kaltim_research.data.freshness import build_source_hash
    from kaltim_research.data.manifest import load_manifest, manifest_hash, verify_checksums

    info = Path(args.processed) / "build_info.json"
    if not args.force and info.exists():
        built = json.loads(info.read_text(encoding="utf-8"))
        from kaltim_research import __version__
        fresh = (built.get("raw_manifest_hash") == manifest_hash(Path(args.raw))
                 and built.get("package_version") == __version__
                 and built.get("source_hash") == build_source_hash()
                 # a raw file changed without a new manifest entry is an error, not "up to date"
                 and not verify_checksums(Path(args.raw), load_manifest(Path(args.raw)))
                 and all((Path(args.processed) / t).exists() for t in built.get("tables", {})))
        if fresh:
            print(f"processed tables up to date in {args.processed} (--force to rebuild)")
            return 0
    from kaltim_research.data import build

    result = build.run(Path(args.raw), Path(args.processed))
    s = result.summary
    print(f"built {len(result.tables)} tables in {args.processed}")
    for name, rows in s["rows"].items():
        print(f"  {name:32s} {rows:6d} rows")
    print(f"cross-checks: {s['checks_run']} run; conflicts between sources resolved: "
          f"{s['conflicts']} (see reconciliation.csv)")
    if s["failed_checks"]:
        # A failed cross-check is a known conflict in what BPS printed (parts that do not add
        # up to the printed total), kept as printed and flagged; the build itself succeeded.
        print(f"{len(s['failed_checks'])} source conflict(s): the printed parts do not add up "
              f"to the printed total; kept as printed, not an error (details in "
              f"{Path(args.processed) / 'checks.csv'}, docs/data.md)")
        for line in s["failed_checks"]:
            print(f"  conflict: {line}")
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
        if any(Path(args.processed).glob("*.csv")):
            print(f"processed tables incomplete: {info} is missing; run `kaltim-research data "
                  "build --force`", file=sys.stderr)
            return 1
        print("processed tables not built yet: run `kaltim-research data build`")
        return 0
    try:
        built = json.loads(info.read_text(encoding="utf-8"))
    except ValueError:
        print(f"processed tables incomplete: {info} is not valid JSON; run `kaltim-research "
              "data build --force`", file=sys.stderr)
        return 1
    if built.get("raw_manifest_hash") != manifest_hash(Path(args.raw)):
        # A notice, not a failure: the raw data are sound (checked above) and new raw files
        # are exactly when this happens; the README's `make check && make data` must work.
        print("notice: processed tables are STALE (built from another manifest): run "
              "`kaltim-research data build` (make data)", file=sys.stderr)
        return 0
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


def _data_import(args) -> int:
    from kaltim_research.data.importer import import_file

    r = import_file(Path(args.file), raw_dir=Path(args.raw), source_url=args.source_url,
                    source_date=args.source_date, province=args.province, concept=args.concept,
                    flow=args.flow, unit=args.unit, sheet=args.sheet, like=args.like,
                    name=args.name, title=args.title, keep_name=args.keep_name,
                    retrieved=args.retrieved,
                    dry_run=args.dry_run)
    print(r.message)
    for w in r.warnings:
        print(f"  note: {w}")
    if r.status == "imported" and not args.dry_run:
        print("next: `kaltim-research data build` (or `kaltim-research refresh --offline`)")
    return 0


def _register_data_import(dsub) -> None:
    i = dsub.add_parser("import", help="take a CSV/XLSX (BPS table or raw-file columns) into "
                        "data/raw as a new file with its manifest entry")
    i.add_argument("file", help="CSV or XLSX: a BPS table as downloaded, or a file in the "
                   "columns of an existing raw file")
    i.add_argument("--source-url", required=True, help="address of the release or table, or "
                   "'per-row' for a curated file whose rows each carry a source_url")
    i.add_argument("--source-date", required=True, help="release date, YYYY-MM-DD")
    i.add_argument("--province", help="constant province (file without the column, BPS table)")
    i.add_argument("--concept", choices=("origin", "via_ports", "unspecified"),
                   help="constant concept (file without the column, BPS table)")
    i.add_argument("--flow", help="flow of a BPS table (total, migas, nonmigas, ...)")
    i.add_argument("--unit", choices=("usd", "thousand_usd", "million_usd"),
                   help="unit of a BPS table whose title does not say")
    i.add_argument("--sheet", help="XLSX sheet name (default: the first)")
    i.add_argument("--like", help="manifest resource whose schema to use (default: the one "
                   "with the same columns)")
    i.add_argument("--name", help="file name stem under data/raw (default: the input's)")
    i.add_argument("--keep-name", action="store_true",
                   help="keep the input's name when free (else the retrieval date is appended)")
    i.add_argument("--title", help="title of the manifest entry (default: the template's)")
    i.add_argument("--retrieved", help="retrieval date (default: today)")
    i.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
    i.add_argument("--raw", default=str(RAW_DIR), help="raw snapshot folder")
    i.set_defaults(func=_data_import)


def _data_fetch(args) -> int:
    from kaltim_research.data import bps, fetch

    try:
        if args.what == "prices":
            from kaltim_research.data.pinksheet import DEFAULT_URL

            report = fetch.fetch_prices(args.source or DEFAULT_URL, raw_dir=Path(args.raw),
                                        source_url=args.source_url, dry_run=args.dry_run)
        else:
            client = bps.BpsClient(bps.api_key())
            if args.static_tables or args.press_releases:
                for line in fetch.list_publications(args.domain, client, args.press_releases):
                    print(line)
                return 0
            report = fetch.fetch_bps(args.domain, client=client, raw_dir=Path(args.raw),
                                     variables=args.var, years=args.year, concept=args.concept,
                                     static_table=args.table, list_only=args.list,
                                     dry_run=args.dry_run)
    except bps.BpsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for line in report.lines:
        print(line)
    return 0


def _register_data_fetch(dsub) -> None:
    f = dsub.add_parser("fetch", help="fetch a new release (BPS WebAPI, World Bank Pink Sheet) "
                        "and import it as a new raw file")
    fsub = f.add_subparsers(dest="what", required=True)
    b = fsub.add_parser("bps", help="BPS WebAPI (key in BPS_API_KEY)")
    b.add_argument("--domain", required=True, choices=("6400", "6500"),
                   help="6400 Kalimantan Timur, 6500 Kalimantan Utara")
    b.add_argument("--var", type=int, action="append", help="variable id (default: discover "
                   "export value variables by title)")
    b.add_argument("--year", type=int, action="append", help="only these years")
    b.add_argument("--concept", choices=("origin", "via_ports"), help="concept if the table's "
                   "title does not say (Kaltara)")
    b.add_argument("--list", action="store_true", help="list the export variables only")
    b.add_argument("--static-tables", action="store_true", help="list static tables on exports")
    b.add_argument("--press-releases", action="store_true", help="list press releases on exports")
    b.add_argument("--table", help="import this static table id")
    p = fsub.add_parser("prices", help="World Bank Pink Sheet monthly workbook")
    p.add_argument("--source", help="URL or local CMO-Historical-Data-Monthly.xlsx "
                   "(default: the World Bank's address)")
    p.add_argument("--source-url", help="URL to record for a local file")
    for c in (b, p):
        c.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
        c.add_argument("--raw", default=str(RAW_DIR), help="raw snapshot folder")
        c.set_defaults(func=_data_fetch)


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
    from kaltim_research.models.scenario.overrides import validate_simulation_value
    from kaltim_research.report.results import run_to_dir

    try:
        draws = validate_simulation_value("draws", args.draws, "--draws")
        seed = validate_simulation_value("seed", args.seed, "--seed")
        summary = run_to_dir(Path(args.file), Path(args.out), Path(args.processed), draws,
                             seed, not args.no_tornado)
    except ScenarioError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except (FileNotFoundError, ValueError) as err:  # e.g. too few observations for a backtest
        print(f"error: {args.file}: {err}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}/results.csv and results.json ({summary['provenance']['draws']} "
          f"draws, seed {summary['provenance']['seed']})")
    for h in summary["headline"]:
        print(f"  {h['province']} ({h['basis']}) {h['year']}: median {h['total_p50']:,.1f} "
              f"US$ m [P10 {h['total_p10']:,.1f} – P90 {h['total_p90']:,.1f}; mean "
              f"{h['total_mean']:,.1f} ± {h['total_mean_mcse'] or 0:,.1f} MCSE], paired "
              f"difference from the baseline median {h['difference_p50']:+,.1f}")
    return 0


def _params(args) -> int:
    from kaltim_research.models.scenario import parameter_docs

    for d in parameter_docs():
        rng = f" plausible {d.plausible[0]}–{d.plausible[1]}" if d.plausible else ""
        valid = f" valid {d.valid[0]}–{d.valid[1]}" if d.valid != (None, None) else ""
        print(f"{d.name} [{d.unit}]{valid}{rng}\n    {d.description}\n    source: {d.source}")
    return 0


def _backtest(args) -> int:
    from kaltim_research.models.engine import backtest_tables
    from kaltim_research.models.scenario import Parameters

    try:
        bt, calib, fitted = backtest_tables(Parameters(), Path(args.processed))
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for f in fitted:
        t = bt[bt["series"] == f.spec.label]
        print(f"\n{f.spec.label} (driver {f.spec.driver}; {f.n_observed} observed months, last "
              f"{f.last_observed}): chosen {f.model} (ex-ante MASE), elasticity "
              f"{f.elasticity:.2f}")
        print(t[["model", "price_info", "horizon", "n_forecasts", "mape", "mase", "chosen"]]
              .round(3).to_string(index=False))
    print("\ncalibration by horizon (share of 1-5-year pseudo-out-of-sample actuals inside the "
          "nominal 80 % band, leave one target year out, with its Wilson 95 % interval)")
    print(calib.round(3).to_string(index=False))
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        bt.to_csv(out / "backtest.csv", index=False, lineterminator="\n", float_format="%.6g")
        calib.to_csv(out / "calibration.csv", index=False, lineterminator="\n",
                     float_format="%.6g")
        print(f"\nwrote {out}/backtest.csv and {out}/calibration.csv")
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
    bt.add_argument("--out", help="also write backtest.csv and calibration.csv here")
    bt.set_defaults(func=_backtest)


def _cmd_run(args) -> int:
    from kaltim_research.report.runner import RunError, run_reports

    overrides = dict(args.p or [])
    try:
        return run_reports(args.files, overrides, args.jobs, args.lang, args.force,
                           Path(args.reports), args.draws, not args.no_history,
                           Path(args.notebooks))
    except RunError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def _cmd_brief(args) -> int:
    from datetime import date

    from kaltim_research.data.freshness import stale_reason
    from kaltim_research.models.scenario import ScenarioError, load_scenario
    from kaltim_research.report.briefs import build_briefs
    from kaltim_research.report.integrity import report_folder_problem, results_problem

    path = Path(args.file)
    try:
        sc = load_scenario(path)
    except ScenarioError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.date:
        try:
            date.fromisoformat(args.date)
        except ValueError:
            print(f"error: --date {args.date!r}: expected an ISO date such as 2026-12-04",
                  file=sys.stderr)
            return 2
    stale = stale_reason(RAW_DIR, PROCESSED_DIR)
    if stale:
        print(f"error: {stale}", file=sys.stderr)
        return 2
    out = Path(args.reports) / path.stem
    rj = out / "results.json"
    why = report_folder_problem(Path(args.reports), path.stem)
    if why and not rj.exists():
        print(f"error: {path}: {why}", file=sys.stderr)
        return 2
    why, automatic = results_problem(rj, sc, RAW_DIR, PROCESSED_DIR)
    if why and not (automatic or args.rerun):
        print(f"error: {rj} does not match {path}: {why}. Run `kaltim-research run {path}` "
              f"(or `kaltim-research brief {path} --rerun`) first; the brief was not "
              "written.", file=sys.stderr)
        return 2
    if why:  # the engine's modules (~0.4 s) are imported only then
        from kaltim_research.report.results import run_to_dir

        print(f"{why} for {path.stem}: running the engine into {out}" if automatic else
              f"{why}: rerunning the engine into {out}", flush=True)
        run_to_dir(path, out, PROCESSED_DIR)
    docx = (args.lang,) if args.lang == "id" or args.docx else ()
    for p in build_briefs(out, langs=(args.lang,), docx_langs=docx, brief_date=args.date):
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
    r.add_argument("--notebooks", default=str(NOTEBOOKS_DIR),
                   help="folder of the scenario notebooks to run, NN_name.ipynb (default: "
                        "notebooks/); a folder with a subset or your own notebooks")
    r.set_defaults(func=_cmd_run)
    b = sub.add_parser("brief", help="the governor's brief (PDF; DOCX for Bahasa Indonesia)")
    b.add_argument("file", help="scenario file (scenarios/NAME.yaml)")
    b.add_argument("--lang", choices=("id", "en"), default="id",
                   help="language of the brief (default id, Bahasa Indonesia)")
    b.add_argument("--docx", action="store_true", help="also write the DOCX for --lang en")
    b.add_argument("--reports", default=str(REPORTS_DIR),
                   help="reports folder holding NAME/results.json (the engine runs there "
                        "when it is missing; default: reports/)")
    b.add_argument("--rerun", action="store_true",
                   help="rerun the engine when results.json does not match the scenario file "
                        "or the data (default: refuse with exit 2)")
    b.add_argument("--date", default=None,
                   help="Tanggal of the brief (ISO date; default: the later of the scenario's "
                        "date and the newest data release used)")
    b.set_defaults(func=_cmd_brief)


def _cmd_refresh(args) -> int:
    from kaltim_research.report.refresh import refresh

    summary = refresh(args.offline, scenarios=args.files or None, jobs=args.jobs,
                      reports_dir=Path(args.reports))
    print("\n".join(summary.lines()))
    return summary.exit_code


def _register_refresh(sub) -> None:
    r = sub.add_parser("refresh", help="fetch new releases, check, build, re-run the scenarios "
                       "whose inputs changed, and say which headline numbers moved")
    r.add_argument("files", nargs="*", help="scenario files (default: scenarios/*.yaml)")
    r.add_argument("--offline", action="store_true", help="skip every fetch")
    r.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    r.add_argument("--reports", default=str(REPORTS_DIR))
    r.set_defaults(func=_cmd_refresh)


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
    _register_data_import(dsub)
    _register_data_fetch(dsub)

    _register_scenario(sub)
    _register_reports(sub)
    _register_refresh(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run a command. Every anticipated failure — bad raw data, a bad scenario or ``-p`` value,
    a folder that cannot be written — exits 2 with a message naming the file, row or key and
    what was expected; nothing else is caught, so an unexpected bug still shows its traceback."""
    from kaltim_research.errors import ScenarioError
    from kaltim_research.report.kernels import RunError  # light: no runner imports

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (DataError, ScenarioError, RunError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # permission denied, a path under a file, disk full
        where = err.filename or "a file"
        reason = err.strerror or str(err)
        if isinstance(err, (NotADirectoryError, FileExistsError)):
            reason = f"{reason} (a part of the path is a file, not a folder)"
        print(f"error: {where}: {reason}; expected a file or folder you can "
              "read and write (check the path and its permissions)", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
