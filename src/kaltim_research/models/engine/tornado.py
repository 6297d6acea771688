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
    its rows); Kaltara's DBH cash is not estimable, so it has no DBH tornado."""
    p = scenario.parameters
    hy = p.simulation.headline_year
    # The price forecast error only scales shocks, which the tornado switches off: it is
    # represented by the coal price row instead.
    names = [nm for nm, _, _ in uncertain_parameters(p) if nm != "prices.forecast_error_1y"]
    names += ["prices.coal_price"]
    central = simulate(scenario, inputs, reference, 1, seed, shocks=False)
    idx = int(np.where(central["years"] == hy)[0][0])
    dbh = None
    if processed_dir is not None:
        table = fis.royalty_table(read_processed(processed_dir, "fiscal_parameters.csv"))

        def dbh(o):
            coal = np.asarray(o["mix"][KALTIM].get("coal_mining", 0.0), float)
            r = fiscal_arrays(p, coal, o["coal_volume"], o["u"], o["years"], table, KALTIM)
            return (float(r["dbh_province_idr_bn"][0, idx]),
                    float(r["dbh_accrual_idr_bn"][0, idx]))

    def totals(o):
        return {prov: float(sum(c[k] for k in COMPONENTS)[0, idx]) for prov, c in o["comps"].items()}

    base = totals(central)
    base_dbh = dbh(central) if dbh else None
    rows, dbh_rows = [], []
    for nm in names:
        in_totals = not nm.startswith(NOT_IN_EXPORT_TOTALS)
        in_dbh = dbh is not None and not nm.startswith(NOT_IN_DBH)
        if not (in_totals or in_dbh):
            continue
        o_lo = simulate(scenario, inputs, reference, 1, seed, fixed={nm: "low"}, shocks=False)
        o_hi = simulate(scenario, inputs, reference, 1, seed, fixed={nm: "high"}, shocks=False)
        if in_totals:
            lo, hi = totals(o_lo), totals(o_hi)
            for prov in base:
                rows.append({"province": prov, "parameter": nm, "year": hy,
                             "central_usd_m": base[prov], "low_usd_m": lo[prov],
                             "high_usd_m": hi[prov], "swing_usd_m": abs(hi[prov] - lo[prov])})
        if in_dbh:
            (lo_c, lo_a), (hi_c, hi_a) = dbh(o_lo), dbh(o_hi)
            dbh_rows.append({"province": KALTIM, "parameter": nm, "year": hy,
                             "measure": "coal-royalty DBH (provincial share), cash",
                             "central_idr_bn": base_dbh[0], "low_idr_bn": lo_c,
                             "high_idr_bn": hi_c, "swing_idr_bn": abs(hi_c - lo_c),
                             "accrual_central_idr_bn": base_dbh[1],
                             "accrual_low_idr_bn": lo_a, "accrual_high_idr_bn": hi_a})
    out = pd.DataFrame(rows)
    out = out.sort_values(["province", "swing_usd_m"], ascending=[True, False],
                          kind="mergesort").reset_index(drop=True)
    d = pd.DataFrame(dbh_rows)
    if not d.empty:
        d = d[d["swing_idr_bn"] > 1e-9].sort_values("swing_idr_bn", ascending=False,
                                                    kind="mergesort").reset_index(drop=True)
    return out, d
