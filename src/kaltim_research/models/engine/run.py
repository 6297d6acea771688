"""Scenario engine: baseline + Export Center + KIHI + connectivity, with a seeded Monte Carlo.

``run_scenario`` is the one entry point the CLI, the notebooks and the brief use. It

1. loads the processed ledger and prices and fits the baseline series (cached per data
   manifest, see :mod:`kaltim_research.models.baseline.price_model`);
2. draws every uncertain parameter once per draw (triangular over its plausible range),
   plus price and model shocks as log-normal random walks (seeded, vectorised);
3. runs the lever modules (:mod:`export_center`, :mod:`kihi`, :mod:`connectivity`);
4. adds the components to province totals **on each province's own basis**: Kalimantan
   Timur by port of loading (BPS Kaltim counts exports leaving Kaltim ports), Kalimantan
   Utara by origin (ekspor asli). The two provinces are never added together: KIHI goods
   loaded at Balikpapan would be counted twice;
5. computes indicators (coal share, Herfindahl–Hirschman concentration), the decomposition
   of the difference from the baseline scenario (price and coal demand, Export Center, KIHI,
   connectivity; common random numbers make a lever-only scenario's price effect exactly 0)
   and a one-at-a-time sensitivity (tornado) of the headline year.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from kaltim_research import __version__
from kaltim_research.config import PROCESSED_DIR, PROJ_ROOT
from kaltim_research.models.engine.accounts import lever_tables
from kaltim_research.models.engine.inputs import Inputs, data_vintage, load_inputs
from kaltim_research.models.engine.simulation import COMPONENTS, simulate
from kaltim_research.models.engine.summary import STATS, baseline_tables, draw_stats, extra_tables
from kaltim_research.models.engine.tornado import tornado_tables
from kaltim_research.models.scenario import Parameters, Scenario, scenario_hash

BASIS_LABELS = {"via_ports": "port_of_loading", "origin": "origin"}


@dataclass
class RunResult:
    scenario: Scenario
    years: np.ndarray
    draws: dict[str, dict[str, np.ndarray]]   # province -> component -> (N, T)
    mix: dict[str, dict[str, np.ndarray]]     # province -> product group -> (N, T)
    extra: dict[str, pd.DataFrame]
    provenance: dict
    bases: dict[str, str]
    arrays: dict = field(default_factory=dict)  # per-draw arrays: coal_volume (for fiscal)


def git_commit(root: Path = PROJ_ROOT) -> str:
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=5, check=True)
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--",
                                "src", "notebooks", "scenarios"], capture_output=True, text=True,
                               timeout=5).stdout.strip()
        return out.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _release_averaged(out: dict) -> None:
    """Drop the per-draw arrays that only :func:`extra_tables` reads (as means), so they are
    not held while :func:`lever_tables` makes its own (peak memory at 100k draws). Of the
    connectivity results the port throughput needs only the rerouted and KIHI cargo."""
    conn = out["conn"]
    out["conn"] = SimpleNamespace(**{f: getattr(conn, f) for f in (
        "rerouted_to_kaltim_usd_m", "rerouted_to_kaltara_usd_m", "kihi_via_kaltim_usd_m",
        "kihi_via_kaltara_usd_m")})
    del out["crosscheck"], out["via_ports"]


def run_scenario(scenario: Scenario, *, reference: Scenario | None = None,
                 processed_dir: Path = PROCESSED_DIR, draws: int | None = None,
                 seed: int | None = None, inputs: Inputs | None = None,
                 tornado: bool = True) -> RunResult:
    """Run one scenario. ``reference`` is the baseline scenario (default parameters if None)."""
    p = scenario.parameters
    ref = (reference.parameters if reference is not None else Parameters())
    n = draws or p.simulation.draws
    seed = p.simulation.seed if seed is None else seed
    inputs = inputs or load_inputs(p, processed_dir)
    out = simulate(scenario, inputs, ref, n, seed)
    years = out["years"]
    comps = out["comps"]
    for c in comps.values():
        c["total"] = sum(c[k] for k in COMPONENTS)
    rows = []
    for prov, c in comps.items():
        basis = BASIS_LABELS.get(out["bases"][prov], out["bases"][prov])
        for comp in ("total", *COMPONENTS):
            st = draw_stats(c[comp])
            for s in STATS:
                for y, v in zip(years, st[s], strict=True):
                    rows.append((scenario.name, prov, basis, comp, int(y), s, float(v)))
    results = pd.DataFrame(rows, columns=["scenario", "province", "basis", "component", "year",
                                          "stat", "value_usd_m"])
    extra = extra_tables(scenario, out, comps, years)
    _release_averaged(out)
    extra.update(lever_tables(scenario, out, ref, processed_dir))  # kihi, fiscal, jobs, ports
    extra.update(baseline_tables(scenario.name, out, comps, years))
    if tornado:
        extra["tornado"], extra["dbh_tornado"] = tornado_tables(scenario, inputs, ref, seed,
                                                                processed_dir)
    extra["backtest"] = inputs.backtests
    extra["calibration"] = inputs.calibration
    extra["horizon_tests"] = inputs.horizon_tests
    extra["period_checks"] = inputs.period_checks
    ms = inputs.measurement or {}
    for name in ("assimilated", "cumulative_checks", "model_choice"):
        if name in ms:
            extra[name] = ms[name]
    provenance = {
        "scenario_hash": scenario_hash(scenario), "data_manifest_hash": inputs.manifest_sha,
        "package_version": __version__, "git_commit": git_commit(), "seed": int(seed),
        "draws": int(n), "data_vintage": data_vintage(inputs),
        "measurement": {"last_observation_used": ms.get("last", {}),
                        "starting_point_2025_usd_m": {
                            " · ".join(k): {"mean": v[0], "sd": v[1]}
                            for k, v in ms.get("start", {}).items()},
                        "fit_seconds": ms.get("seconds", {})},
    }
    return RunResult(scenario, years, comps, out["mix"], {"results": results, **extra},
                     provenance, {prov: BASIS_LABELS.get(c, c) for prov, c in out["bases"].items()},
                     {"coal_volume": out["coal_volume"], "reference_total": out["ref_base"],
                      "total_mcse": {prov: draw_stats(c["total"])["mcse"] for prov, c in comps.items()}})
