"""What a run reads: the processed tables and the fitted baseline, cached per data and code.

The fit is scenario-independent, so it is cached on disk under ``data/processed/.cache``, keyed
by the raw manifest hash, the hash of the processed tables it reads (:func:`data_hash`), the
package version, the source of the baseline sub-package and of
this module, and the baseline settings (a change in any of them refits).
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from kaltim_research import __version__
from kaltim_research.config import PROCESSED_DIR, RAW_DIR
from kaltim_research.data.manifest import manifest_hash
from kaltim_research.models.baseline import assimilation as asm
from kaltim_research.models.baseline import calibration as cal
from kaltim_research.models.baseline import horizon as hz
from kaltim_research.models.baseline import price_model as bl
from kaltim_research.models.baseline import simulation as bsim
from kaltim_research.models.scenario import Parameters

#: Where Kaltara-origin goods now leave through other provinces (rerouting candidates).
OUTSIDE_PROVINCES = ("Jawa Timur", "Sulawesi Selatan", "DKI Jakarta")
OUTSIDE_WINDOW_MONTHS = 24
BASELINE_PACKAGE = Path(__file__).resolve().parents[1] / "baseline"


@dataclass(frozen=True)
class Inputs:
    """Processed data and the fitted baseline a run needs (scenario-independent)."""

    exports: pd.DataFrame
    prices_monthly: pd.DataFrame
    destinations: pd.DataFrame
    origin_ports: pd.DataFrame
    fitted: tuple[bl.FittedSeries, ...]
    shares: dict[str, dict]
    manifest_sha: str
    backtests: pd.DataFrame = field(repr=False)
    period_checks: pd.DataFrame = field(repr=False, default=None)
    blocks: bsim.BlockInputs | None = field(repr=False, default=None)
    annual_tests: pd.DataFrame | None = field(repr=False, default=None)
    calibration: pd.DataFrame | None = field(repr=False, default=None)
    horizon_tests: pd.DataFrame | None = field(repr=False, default=None)
    measurement: dict | None = field(repr=False, default=None)  # see fit_measurement


def read_processed(processed: Path, name: str) -> pd.DataFrame:
    path = Path(processed) / name
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: run `kaltim-research data build` first")
    return pd.read_csv(path)


#: Processed tables the fit reads: their bytes are part of the cache key (the data hash), so
#: a changed ledger refits even when the raw manifest is the same (e.g. a test's copy).
FIT_TABLES = ("exports.csv", "prices_monthly.csv", "exports_annual.csv", "commodities.csv",
              "destinations.csv", "context.csv", "origin_by_port_province.csv")


def data_hash(processed_dir: Path) -> str:
    """sha256 over the processed tables the fit reads."""
    h = hashlib.sha256()
    for name in FIT_TABLES:
        p = Path(processed_dir) / name
        h.update(name.encode() + (p.read_bytes() if p.exists() else b""))
    return h.hexdigest()


def fit_measurement(params: Parameters, exports: pd.DataFrame, prices: pd.DataFrame,
                    context: pd.DataFrame, binputs: bsim.BlockInputs, tests: pd.DataFrame,
                    fitted: tuple[bl.FittedSeries, ...]) -> tuple[dict, pd.DataFrame]:
    """The measurement model (:mod:`baseline.assimilation`): tables, 2025 starting points,
    last observation per province, ex-ante tests (appended to ``tests``) and fit time."""
    t0 = time.perf_counter()
    fits = asm.fit_all(exports, prices, context, params, binputs.share_table)
    seconds = {prov: round(f.seconds, 2) for prov, f in fits.items()}
    assimilated = asm.assimilated_table(fits)
    checks = asm.cumulative_checks(fits, assimilated, params.baseline.derived_error_pct / 100)
    t1 = time.perf_counter()
    ex = asm.exante_tests(exports, prices, context, params, binputs.share_table, fits, tests,
                          {f.spec.label: f.frame for f in fitted})
    tests = pd.concat([tests, ex], ignore_index=True)
    return {"assimilated": assimilated, "cumulative_checks": checks,
            "start": asm.starting_points(fits), "last": asm.last_observations(fits),
            "model_choice": asm.model_choice(tests),
            "params": {prov: f.params for prov, f in fits.items()},
            "seconds": {"fit_and_smooth": seconds,
                        "exante_refits": round(time.perf_counter() - t1, 2),
                        "total": round(time.perf_counter() - t0, 2)}}, tests


def band_floor(sds: dict[str, float], choice: pd.DataFrame) -> dict[str, float]:
    """Where a benchmark wins the ex-ante annual tests, the series' annual error is at least
    the benchmark's RMSE of log errors (the band is never narrower than naive's error)."""
    out = dict(sds)
    for label, g in choice.groupby("series"):
        floor = g["band_floor_sd_log"].dropna()
        if label in out and len(floor):
            out[label] = max(out[label], float(floor.iloc[0]))
    return out


def baseline_source_hash() -> str:
    """sha256 over the source of the baseline sub-package and this module (the fit's code)."""
    files = sorted(BASELINE_PACKAGE.glob("*.py")) + [Path(__file__)]
    return hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()


def fit_cache_path(params: Parameters, processed_dir: Path = PROCESSED_DIR,
                   raw_dir: Path = RAW_DIR,
                   series: tuple[bl.SeriesSpec, ...] = bl.DEFAULT_SERIES) -> tuple[Path, str]:
    """Where the fit for these data, code and baseline settings is cached, and the manifest
    hash it is keyed on (the runner checks it to fit once before starting its workers)."""
    processed_dir = Path(processed_dir)
    info = json.loads((processed_dir / "build_info.json").read_text(encoding="utf-8")) \
        if (processed_dir / "build_info.json").exists() else {}
    msha = info.get("raw_manifest_hash") or manifest_hash(raw_dir)
    key = hashlib.sha256(json.dumps([msha, data_hash(processed_dir), __version__,
                                     baseline_source_hash(),
                                     params.baseline.model_dump(mode="json"),
                                     [s.__dict__ for s in series]], sort_keys=True)
                         .encode()).hexdigest()[:16]
    return processed_dir / ".cache" / f"inputs-{key}.pkl", msha


def load_inputs(params: Parameters, processed_dir: Path = PROCESSED_DIR,
                raw_dir: Path = RAW_DIR, series: tuple[bl.SeriesSpec, ...] = bl.DEFAULT_SERIES,
                use_cache: bool = True) -> Inputs:
    """Load processed tables and fit the baseline, with an on-disk cache keyed by the data
    manifest hash, the package version and the baseline settings."""
    processed_dir = Path(processed_dir)
    cache, msha = fit_cache_path(params, processed_dir, raw_dir, series)
    if use_cache and cache.exists():
        with cache.open("rb") as fh:
            return pickle.load(fh)
    exports = read_processed(processed_dir, "exports.csv")
    prices = read_processed(processed_dir, "prices_monthly.csv")
    fitted = tuple(bl.fit_series(exports, prices, s, params.baseline.use_implied_months,
                                 params.baseline.backtest_min_train, params.baseline.model)
                   for s in series)
    tests = pd.concat([cal.annual_tests(f, exports, params.baseline.backtest_min_train)
                       for f in fitted], ignore_index=True)
    pooled = cal.pooled_sd(fitted, tests)
    sds = {f.spec.label: cal.annual_error_sd(f, tests, pooled) for f in fitted}
    checks = pd.concat([bl.period_checks(f, exports) for f in fitted], ignore_index=True)
    # The model error grows with the horizon: its persistent part per province from the
    # 1-5-year tests on the annual and cumulative figures (horizon.py).
    htests = hz.horizon_tests(fitted, exports, prices)
    prior = params.baseline.structural_error_prior_sd
    persistent = {prov: v["sd_per_year"] for prov, v in hz.persistent_sd(htests, prior).items()}
    persistent.update({f.spec.province: prior for f in fitted
                       if f.spec.province not in persistent})
    one_year = hz.one_year_sd(htests)
    sds.update({f.spec.label: one_year[f.spec.province]["sd"] for f in fitted
                if f.spec.province in one_year})
    destinations = read_processed(processed_dir, "destinations.csv")
    context = read_processed(processed_dir, "context.csv")
    binputs = bsim.prepare(fitted, exports, read_processed(processed_dir, "exports_annual.csv"),
                           read_processed(processed_dir, "commodities.csv"), destinations,
                           context, prices, sds, persistent)
    measurement, tests = fit_measurement(params, exports, prices, context, binputs, tests,
                                         fitted)
    backtests = cal.backtest_table(fitted, tests)
    binputs = replace(binputs, annual_sd=band_floor(sds, measurement["model_choice"]),
                      start=measurement["start"])
    inputs = Inputs(exports, prices, destinations,
                    read_processed(processed_dir, "origin_by_port_province.csv"), fitted,
                    {f.spec.label: bl.sector_shares(exports, f.spec) for f in fitted}, msha,
                    backtests, checks, binputs, tests,
                    calibration=hz.calibration_by_horizon(htests, prior), horizon_tests=htests,
                    measurement=measurement)
    if use_cache:
        cache.parent.mkdir(parents=True, exist_ok=True)
        # Parallel report jobs may fit at the same time: each writes its own temp file and
        # the atomic replace makes the last one win (both hold the same fit).
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(inputs, fh)
        tmp.replace(cache)
    return inputs


def fit_missing(parameter_sets: list[Parameters], processed_dir: Path = PROCESSED_DIR,
                say=print) -> int:
    """Fit (and cache) each distinct baseline among ``parameter_sets`` not cached yet, saying
    what it does and how long it took; returns the number of fits. The report runner calls it
    once before its workers, which then only read the cache."""
    needed: dict[Path, Parameters] = {}
    for params in parameter_sets:
        path, _ = fit_cache_path(params, processed_dir)
        if not path.exists():
            needed.setdefault(path, params)
    for k, params in enumerate(needed.values(), 1):
        say(f"fitting the baseline models ({k}/{len(needed)}; about 5-15 s, once per data "
            "release)...")
        t0 = time.perf_counter()
        load_inputs(params, processed_dir)
        say(f"baseline fitted in {time.perf_counter() - t0:.1f} s (cached for every scenario)")
    return len(needed)


def backtest_tables(params: Parameters, processed_dir: Path = PROCESSED_DIR
                    ) -> tuple[pd.DataFrame, pd.DataFrame, tuple[bl.FittedSeries, ...]]:
    """backtest.csv and calibration.csv tables (see :mod:`calibration`) and the fitted series,
    from the cached fit."""
    inputs = load_inputs(params, processed_dir)
    return inputs.backtests, inputs.calibration, inputs.fitted


def headline_concepts(series: tuple[bl.SeriesSpec, ...]) -> dict[str, str]:
    """Each province's headline concept: the first concept its series list names
    (Kaltim: via_ports, the BPS Kaltim release; Kaltara: origin, ekspor asli)."""
    out: dict[str, str] = {}
    for s in series:
        out.setdefault(s.province, s.concept)
    return out


def outside_ports_base(origin_ports: pd.DataFrame, province: str) -> dict:
    """Annual value of ``province``-origin exports leaving through ports in other provinces
    that could be rerouted (Jawa Timur, Sulawesi Selatan, DKI Jakarta): mean of the monthly
    sums over the last 24 months with a printed split, times 12 (a derived number). The goods
    are fish, shrimp, seaweed and plywood, which have no price model here, so the value is
    held flat over the horizon (judgement; it does not follow the coal-driven baseline)."""
    m = origin_ports[(origin_ports["origin_province"] == province)
                     & (origin_ports["period_type"] == "month")
                     & origin_ports["via_province"].isin(OUTSIDE_PROVINCES)]
    if m.empty:
        return {"value_usd_m": 0.0, "months": [], "detail": "no split printed"}
    monthly = m.groupby(["year", "month"])["value_usd_m"].sum().sort_index()
    last = pd.Period(year=int(monthly.index[-1][0]), month=int(monthly.index[-1][1]), freq="M")
    keep = [(y, mo) for (y, mo) in monthly.index
            if (last - pd.Period(year=int(y), month=int(mo), freq="M")).n < OUTSIDE_WINDOW_MONTHS]
    sel = monthly.loc[keep]
    return {"value_usd_m": float(sel.mean() * 12),
            "months": [f"{y}-{mo:02d}" for y, mo in keep],
            "detail": f"mean of {len(sel)} printed months × 12 (derived)"}


def data_vintage(inputs: Inputs) -> str:
    e = inputs.exports
    parts = []
    for prov, g in e.groupby("province"):
        last = g.sort_values(["year", "month"]).iloc[-1]
        parts.append(f"{prov}: BPS figures to {int(last['year'])}-{int(last['month']):02d}")
    pm = inputs.prices_monthly
    lastp = pm[pm["series_id"] == "coal_newcastle"].sort_values(["year", "month"]).iloc[-1]
    parts.append(f"prices to {int(lastp['year'])}-{int(lastp['month']):02d}")
    return "; ".join(parts)
