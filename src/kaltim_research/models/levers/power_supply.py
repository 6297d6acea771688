"""Electricity for KIHI projects: what is available and how it caps each project's output.

Power is shared among projects in priority order. Each project's output is capped by the
hydro plus captive coal electricity still left after the projects before it; the project
takes its electricity from hydro first, then captive coal, and the remainder passes on.
Used by :func:`kaltim_research.models.levers.kihi.simulate_projects`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["HOURS_PER_YEAR", "PowerSpec", "PowerTake", "captive_schedule_twh", "take_power"]

_TWH_PER_MWH = 1e-6
HOURS_PER_YEAR = 8760.0


@dataclass(frozen=True)
class PowerSpec:
    """Electricity available to KIHI projects.

    Parameters
    ----------
    hydro_twh_by_year : array_like, shape (N, T) or (T,)
        Hydro energy available, TWh per year. E.g. Mentarang Induk, 1,375 MW,
        about 9 TWh/yr, COD 2030 with optimal operation from 2030 (ESDM Kaltara).
        A 1-D array is a year path shared by all draws.
    captive_coal_twh : array_like, shape (N, T) or (T,)
        Captive coal-fired generation available, TWh per year, from the units'
        own schedule (:func:`captive_schedule_twh`). The smelter starts on its own
        coal units; phase 1 (500 kt at 14.5 MWh/t) needs about 7.25 TWh/yr.
    """

    hydro_twh_by_year: np.ndarray
    captive_coal_twh: np.ndarray


@dataclass(frozen=True)
class PowerTake:
    """One project's power-capped output and the electricity it took, ``(N, T)`` each.

    ``limit`` is the output the power left allows (t), ``output`` the tonnes produced,
    ``hydro_twh`` and ``coal_twh`` the electricity used by source and ``hydro_share`` the
    hydro share of that electricity (0 where none was used).
    """

    limit: np.ndarray
    output: np.ndarray
    hydro_twh: np.ndarray
    coal_twh: np.ndarray
    hydro_share: np.ndarray


def take_power(hydro_left: np.ndarray, coal_left: np.ndarray, capacity: np.ndarray,
               utilisation: np.ndarray, intensity: np.ndarray) -> PowerTake:
    """Cap one project's output by the power left and take its electricity, hydro first.

    ``limit = (hydro_left + coal_left) / intensity`` (TWh -> MWh), ``output = min(capacity
    * utilisation, limit)``; the electricity ``output * intensity`` comes from hydro first,
    then captive coal. ``hydro_left`` and ``coal_left`` are reduced in place (set to zero
    where power binds, removing floating-point residue).
    """
    # Same operations in the same order as the plain expressions, but in place: at 100k
    # draws each (N, T) temporary is 16 MB and this runs inside the memory peak.
    limit = np.add(hydro_left, coal_left)
    limit /= intensity * _TWH_PER_MWH
    out = np.multiply(capacity, utilisation)
    binding = limit <= out  # where power binds, all of it is used
    np.minimum(out, limit, out=out)
    energy = out * intensity
    energy *= _TWH_PER_MWH
    h_used = np.minimum(energy, hydro_left)
    c_used = np.subtract(energy, h_used)
    np.minimum(c_used, coal_left, out=c_used)
    hydro_left -= h_used
    coal_left -= c_used
    # remove floating-point residue where power binds
    hydro_left[binding] = 0.0
    coal_left[binding] = 0.0
    used = energy > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        h_share = np.divide(h_used, energy, out=energy)  # energy is not needed after this
    h_share[~used] = 0.0
    return PowerTake(limit, out, h_used, c_used, h_share)


def captive_schedule_twh(years, first_year: float, delay_years, units_mw, interval_years,
                     availability) -> np.ndarray:
    """Captive coal electricity available per draw and year, TWh, ``(N, T)``: its own schedule
    of generating units, not the smelter's demand, so the power cap can bind.

    Unit ``i`` (0-based, ``units_mw[i]`` MW) enters service at calendar time ``s_i =
    first_year + delay + i × interval`` (the first unit is needed before the first pots:
    KAI, beritaborneo 2025-11-12) and runs for the part of each calendar year after ``s_i``
    (pro-rated like :func:`~kaltim_research.models.levers.kihi.ramp_fraction`). Energy =
    Σ MW × 8,760 h × share of the year in service × availability (net of own use, outages and
    commissioning slips) / 10⁶.

    Parameters
    ----------
    years : (T,) int
    first_year : float
        The smelter's planned first year (the units are scheduled against it).
    delay_years, interval_years, availability : (N,) or scalar
        Drawn start delay (shared with the smelter), years between units, availability.
    units_mw : sequence of float
        Net capacity of each unit, MW.
    """
    yrs = np.asarray(years, dtype=float)[None, :]
    delay = np.atleast_1d(np.asarray(delay_years, dtype=float))[:, None]
    step = np.atleast_1d(np.asarray(interval_years, dtype=float))[:, None]
    avail = np.atleast_1d(np.asarray(availability, dtype=float))[:, None]
    n = max(delay.shape[0], step.shape[0], avail.shape[0])
    mwh = np.zeros((n, yrs.shape[1]))
    for i, mw in enumerate(units_mw):
        start = first_year + delay + i * step
        in_service = np.clip(yrs + 1.0 - start, 0.0, 1.0)
        mwh = mwh + float(mw) * HOURS_PER_YEAR * in_service
    return mwh * avail * _TWH_PER_MWH
