"""``kaltim-research scenario ...`` and ``kaltim-research baseline ...`` commands."""
from __future__ import annotations

import sys
from pathlib import Path

from .config import PROCESSED_DIR
from .scenario import ScenarioError, load_scenario, parameter_docs, reference_scenario


def _validate(args) -> int:
    bad = 0
    for f in args.files:
        try:
            s = load_scenario(Path(f))
            print(f"ok  {f}: {s.title}")
        except ScenarioError as err:
            bad += 1
            print(f"error: {err}", file=sys.stderr)
    return 2 if bad else 0


def run_to_dir(path: Path, out: Path, processed: Path = PROCESSED_DIR, draws: int | None = None,
               seed: int | None = None, tornado: bool = True) -> dict:
    """Validate, run and write one scenario (used by the CLI and the report runner)."""
    from . import engine
    from .results import write_run

    scenario = load_scenario(path)
    ref = reference_scenario(path)
    run = engine.run_scenario(scenario, reference=ref, processed_dir=processed, draws=draws,
                              seed=seed, tornado=tornado)
    return write_run(run, out, processed, ref.parameters if ref else None)


def _run(args) -> int:
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
    for d in parameter_docs():
        rng = f" plausible {d.plausible[0]}–{d.plausible[1]}" if d.plausible else ""
        valid = f" valid {d.valid[0]}–{d.valid[1]}" if d.valid != (None, None) else ""
        print(f"{d.name} [{d.unit}]{valid}{rng}\n    {d.description}\n    source: {d.source}")
    return 0


def _backtest(args) -> int:
    import pandas as pd

    from . import baseline as bl
    from .scenario import Parameters

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


def register(sub) -> None:
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
