"""One-at-a-time sensitivity (tornado) of the headline year: export totals and the province's
coal-royalty DBH (provincial share, cash and accrual)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from kaltim_research.models.budget import fiscal as fis
from kaltim_research.models.engine.accounts import KALTIM, NOT_IN_EXPORT_TOTALS, fiscal_arrays
from kaltim_research.models.engine.draws import uncertain_parameters
from kaltim_research.models.engine.inputs import Inputs, read_processed
from kaltim_research.models.engine.simulation import COMPONENTS, simulate
from kaltim_research.models.scenario import Parameters, Scenario

#: Parameter groups that cannot move coal tonnes, prices or the fiscal chain.
NOT_IN_DBH = ("jobs.", "kihi.", "export_center.", "connectivity.")


def tornado_table(scenario: Scenario, inputs: Inputs, reference: Parameters,
                  seed: int) -> pd.DataFrame:
    """One-at-a-time sensitivity of the headline year's export totals (see
    :func:`tornado_tables`)."""
    return tornado_tables(scenario, inputs, reference, seed)[0]


def tornado_tables(scenario: Scenario, inputs: Inputs, reference: Parameters, seed: int,
                   processed_dir: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One-at-a-time sensitivity of the headline year: each uncertain parameter (and the coal
    price at ±1.28 sd of its forecast error) at its low and high end, all others at their
    central values, no shocks. Returns the export-total tornado and, when ``processed_dir`` is
    given, the tornado of Kaltim's coal-royalty DBH cash (the allocation path, drawn, among
    its rows); Kaltara's DBH cash is not estimable, so it has no DBH tornado.

    All runs are the draws of ONE vectorised simulation: draw 0 all central, draws 2k+1 and
    2k+2 parameter k at its low and high end. With shocks off each draw is a deterministic
    function of its own parameter values, so the rows equal 2k+1 separate one-draw runs.
    """
    p = scenario.parameters
    hy = p.simulation.headline_year
    with_dbh = processed_dir is not None
    # The price forecast error only scales shocks, which the tornado switches off: it is
    # represented by the coal price row instead.
    names = [nm for nm, _, _ in uncertain_parameters(p) if nm != "prices.forecast_error_1y"]
    names += ["prices.coal_price"]
    names = [nm for nm in names if not nm.startswith(NOT_IN_EXPORT_TOTALS)
             or (with_dbh and not nm.startswith(NOT_IN_DBH))]
    n = 1 + 2 * len(names)
    fixed = {}
    for k, nm in enumerate(names):
        ends = np.full(n, "mode", dtype=object)
        ends[2 * k + 1], ends[2 * k + 2] = "low", "high"
        fixed[nm] = ends
    o = simulate(scenario, inputs, reference, n, seed, fixed=fixed, shocks=False)
    idx = int(np.where(o["years"] == hy)[0][0])
    totals = {prov: sum(c[key] for key in COMPONENTS)[:, idx] for prov, c in o["comps"].items()}
    rows, dbh_rows = [], []
    for k, nm in enumerate(names):
        if nm.startswith(NOT_IN_EXPORT_TOTALS):
            continue
        for prov, t in totals.items():
            lo, hi = float(t[2 * k + 1]), float(t[2 * k + 2])
            rows.append({"province": prov, "parameter": nm, "year": hy,
                         "central_usd_m": float(t[0]), "low_usd_m": lo, "high_usd_m": hi,
                         "swing_usd_m": abs(hi - lo)})
    if with_dbh:
        table = fis.royalty_table(read_processed(processed_dir, "fiscal_parameters.csv"))
        coal = np.asarray(o["mix"][KALTIM].get("coal_mining", 0.0), float)
        r = fiscal_arrays(p, coal, o["coal_volume"], o["u"], o["years"], table, KALTIM)
        cash, accrual = r["dbh_province_idr_bn"][:, idx], r["dbh_accrual_idr_bn"][:, idx]
        for k, nm in enumerate(names):
            if nm.startswith(NOT_IN_DBH):
                continue
            lo, hi = 2 * k + 1, 2 * k + 2
            dbh_rows.append({"province": KALTIM, "parameter": nm, "year": hy,
                             "measure": "coal-royalty DBH (provincial share), cash",
                             "central_idr_bn": float(cash[0]), "low_idr_bn": float(cash[lo]),
                             "high_idr_bn": float(cash[hi]),
                             "swing_idr_bn": abs(float(cash[hi]) - float(cash[lo])),
                             "accrual_central_idr_bn": float(accrual[0]),
                             "accrual_low_idr_bn": float(accrual[lo]),
                             "accrual_high_idr_bn": float(accrual[hi])})
    out = pd.DataFrame(rows)
    out = out.sort_values(["province", "swing_usd_m"], ascending=[True, False],
                          kind="mergesort").reset_index(drop=True)
    d = pd.DataFrame(dbh_rows)
    if not d.empty:
        d = d[d["swing_idr_bn"] > 1e-9].sort_values("swing_idr_bn", ascending=False,
                                                    kind="mergesort").reset_index(drop=True)
    return out, d
