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

__all__ = ["BASIS", "SECTORS", "construction_jobs", "io_multipliers", "jobs_from_activity",
           "mining_jobs", "output_effect_usd_m", "short_run_elasticity_path"]

#: Jobs sectors written to ``jobs.csv``.
SECTORS = ("coal_mining", "kihi_operations", "kihi_construction", "umkm_exporters")
#: What the jobs numbers are: gross direct jobs (nothing netted for jobs displaced elsewhere).
BASIS = "gross direct jobs (employees and contractors; displacement not netted)"


def jobs_from_activity(quantity, jobs_per_unit) -> np.ndarray:
    """Direct jobs = activity × jobs per unit (``quantity`` ``(N, T)``, ``jobs_per_unit``
    ``(N,)`` or scalar). E.g. coal Mt × 364–560 jobs per Mt (KPC, Berau Coal)."""
    q = np.asarray(quantity, float)
    r = np.asarray(jobs_per_unit, float)
    return q * (r.reshape(-1, 1) if r.ndim else float(r))


def short_run_elasticity_path(years, short_run, adjustment_years: float) -> np.ndarray:
    """Elasticity of mining jobs to tonnes per draw and year, ``(N, T)``: ``short_run`` in the
    first projected year, rising linearly to 1 after ``adjustment_years`` (contractors are
    released or hired first; the permanent workforce follows the tonnes over time)."""
    y = np.asarray(years, float)
    h = (y - y[0])[None, :]
    e = np.asarray(short_run, float).reshape(-1, 1)
    w = np.clip(h / adjustment_years, 0.0, 1.0) if adjustment_years > 0 else np.ones_like(h)
    return e + (1.0 - e) * w


def mining_jobs(coal_mt, coal_mt_ref, jobs_per_mt, elasticity) -> np.ndarray:
    """Coal-mining jobs, ``(N, T)``: the reference's jobs (reference tonnes × jobs per Mt) moved
    by the ratio of tonnes to the reference's with the drawn elasticity,
    ``J = r × Q_ref × (Q / Q_ref)^ε``. With ε < 1 a cut of tonnes costs fewer jobs at first
    than a proportional rule (the old ``r × Q`` is the ε = 1 case, an upper bound)."""
    q, qr = np.asarray(coal_mt, float), np.asarray(coal_mt_ref, float)
    ref = jobs_from_activity(qr, jobs_per_mt)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(qr > 0, q / qr, 1.0)
    return ref * np.power(np.clip(ratio, 0.0, None), elasticity)


def construction_jobs(capacity_online_t, nameplate_t, jobs_per_kt) -> np.ndarray:
    """KIHI construction jobs, ``(N, T)``: jobs per kt of nameplate × the nameplate not yet
    online (building goes on until the last potline is in; >6,000 construction jobs for the
    500 kt smelter, infotambang 2023-03-13). ``capacity_online_t`` ``(N, P, T)``,
    ``nameplate_t`` ``(P,)``."""
    cap = np.asarray(capacity_online_t, float)
    plate = np.asarray(nameplate_t, float).reshape(1, -1, 1)
    if cap.size == 0 or plate.size == 0:
        return np.zeros((cap.shape[0], cap.shape[-1]) if cap.ndim == 3 else (1, 1))
    # in place, same operations: one (N, P, T) array at a time at 100k draws
    left = np.subtract(plate, cap)
    np.clip(left, 0.0, None, out=left)
    left_kt = left.sum(axis=1)
    del left
    left_kt /= 1000.0
    r = np.asarray(jobs_per_kt, float)
    return left_kt * (r.reshape(-1, 1) if r.ndim else float(r))


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
