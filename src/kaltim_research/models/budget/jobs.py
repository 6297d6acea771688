"""Jobs and output effects of a scenario: mining, KIHI operations, UMKM exporters, ports.

Jobs are direct jobs from activity × jobs per unit (each a declared parameter with its company
or survey source, :class:`lever_parameters.Jobs`); KIHI operating jobs come from the project
(1,500 at nameplate, scaled by output). Output effects use type-I *output* multipliers of the
Kaltim input–output table 2010 (13 sectors, domestic transactions; ``context.csv`` topics
``io_output_multiplier|<sector>``): total output = direct final demand × multiplier. They are
gross output, not GRDP (value added): the value-added coefficients of the table were not found,
so a GRDP figure would need an assumption the data do not support. Kaltara has no table of its
own (only a Kaltara-area construction multiplier, 1.80 vs 1.55 in the south, 2006), so the
Kaltim multipliers are applied to it too, which is stated wherever the numbers are shown.

Pure and vectorised over draws.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from kaltim_research.errors import DataError, Problem

__all__ = ["SECTORS", "io_multipliers", "jobs_from_activity", "output_effect_usd_m"]

#: Jobs sectors written to ``jobs.csv``.
SECTORS = ("coal_mining", "kihi_operations", "umkm_exporters")


def jobs_from_activity(quantity, jobs_per_unit) -> np.ndarray:
    """Direct jobs = activity × jobs per unit (``quantity`` ``(N, T)``, ``jobs_per_unit``
    ``(N,)`` or scalar). E.g. coal Mt × 364–560 jobs per Mt (KPC, Berau Coal)."""
    q = np.asarray(quantity, float)
    r = np.asarray(jobs_per_unit, float)
    return q * (r.reshape(-1, 1) if r.ndim else float(r))


def io_multipliers(context: pd.DataFrame, province: str = "Kalimantan Timur") -> dict:
    """``{sector: (multiplier, source_url)}`` from the ``io_output_multiplier|<sector>`` rows."""
    m = context[context["topic"].astype(str).str.startswith("io_output_multiplier|")
                & (context["province"] == province) & context["value_num"].notna()]
    if m.empty:
        raise DataError([Problem("data/processed/context.csv", "no 'io_output_multiplier|…' "
                                 f"rows for {province}: expected the rows of "
                                 "data/raw/macro/exchange_rates_io_multipliers.csv")])
    return {t.split("|", 1)[1]: (float(v), str(u))
            for t, v, u in zip(m["topic"], m["value_num"], m["source_url"], strict=True)}


def output_effect_usd_m(direct_usd_m, multiplier: float) -> np.ndarray:
    """Total (direct + indirect) output, US$ million = direct final demand × type-I multiplier."""
    return np.asarray(direct_usd_m, float) * float(multiplier)
