"""One-at-a-time sensitivity (tornado) of the headline year."""
from __future__ import annotations

import numpy as np
import pandas as pd

from kaltim_research.models.engine.accounts import NOT_IN_EXPORT_TOTALS
from kaltim_research.models.engine.draws import uncertain_parameters
from kaltim_research.models.engine.inputs import Inputs
from kaltim_research.models.engine.simulation import COMPONENTS, simulate
from kaltim_research.models.scenario import Parameters, Scenario


def tornado_table(scenario: Scenario, inputs: Inputs, reference: Parameters,
                  seed: int) -> pd.DataFrame:
    """One-at-a-time sensitivity of the headline year: each uncertain parameter (and the coal
    price at ±1.28 sd of its forecast error) at its low and high end, all others at their
    central values, no shocks; all runs as the draws of one vectorised simulation."""
    p = scenario.parameters
    hy = p.simulation.headline_year
    # The price forecast error only scales shocks, which the tornado switches off: it is
    # represented by the coal price row instead.
    names = [nm for nm, _, _ in uncertain_parameters(p) if nm != "prices.forecast_error_1y"
             and not nm.startswith(NOT_IN_EXPORT_TOTALS)]
    names += ["prices.coal_price"]
    # One simulation whose draws are the tornado's runs: draw 0 all central, draws 2k+1 and
    # 2k+2 parameter k at its low and high end (shocks off, so each draw is a deterministic
    # function of its own parameter values: the same numbers as 2k+1 separate runs).
    n = 1 + 2 * len(names)
    fixed = {}
    for k, nm in enumerate(names):
        ends = np.full(n, "mode", dtype=object)
        ends[2 * k + 1], ends[2 * k + 2] = "low", "high"
        fixed[nm] = ends
    out = simulate(scenario, inputs, reference, n, seed, fixed=fixed, shocks=False)
    idx = int(np.where(out["years"] == hy)[0][0])
    totals = {prov: sum(c[k] for k in COMPONENTS)[:, idx] for prov, c in out["comps"].items()}
    rows = []
    for k, nm in enumerate(names):
        for prov, t in totals.items():
            lo, hi = float(t[2 * k + 1]), float(t[2 * k + 2])
            rows.append({"province": prov, "parameter": nm, "year": hy,
                         "central_usd_m": float(t[0]), "low_usd_m": lo, "high_usd_m": hi,
                         "swing_usd_m": abs(hi - lo)})
    out = pd.DataFrame(rows)
    return out.sort_values(["province", "swing_usd_m"], ascending=[True, False],
                           kind="mergesort").reset_index(drop=True)
