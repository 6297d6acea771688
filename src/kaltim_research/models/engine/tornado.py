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
    central values, no shocks."""
    p = scenario.parameters
    hy = p.simulation.headline_year
    # The price forecast error only scales shocks, which the tornado switches off: it is
    # represented by the coal price row instead.
    names = [nm for nm, _, _ in uncertain_parameters(p) if nm != "prices.forecast_error_1y"
             and not nm.startswith(NOT_IN_EXPORT_TOTALS)]
    names += ["prices.coal_price"]
    central = simulate(scenario, inputs, reference, 1, seed, shocks=False)
    idx = int(np.where(central["years"] == hy)[0][0])

    def totals(o):
        return {prov: float(sum(c[k] for k in COMPONENTS)[0, idx]) for prov, c in o["comps"].items()}

    base = totals(central)
    rows = []
    for nm in names:
        lo = totals(simulate(scenario, inputs, reference, 1, seed, fixed={nm: "low"}, shocks=False))
        hi = totals(simulate(scenario, inputs, reference, 1, seed, fixed={nm: "high"}, shocks=False))
        for prov in base:
            rows.append({"province": prov, "parameter": nm, "year": hy,
                         "central_usd_m": base[prov], "low_usd_m": lo[prov], "high_usd_m": hi[prov],
                         "swing_usd_m": abs(hi[prov] - lo[prov])})
    out = pd.DataFrame(rows)
    return out.sort_values(["province", "swing_usd_m"], ascending=[True, False],
                           kind="mergesort").reset_index(drop=True)
