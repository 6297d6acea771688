"""Electricity for KIHI projects: what is available and how it caps each project's output.

Power is shared among projects in priority order. Each project's output is capped by the
hydro plus captive coal electricity still left after the projects before it; the project
takes its electricity from hydro first, then captive coal, and the remainder passes on.
Used by :func:`kaltim_research.models.levers.kihi.simulate_projects`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PowerSpec", "PowerTake", "take_power"]

_TWH_PER_MWH = 1e-6


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
        Captive coal-fired generation available, TWh per year. The smelter
        starts on its own coal units; phase 1 (500 kt at 14.5 MWh/t) needs
        about 7.25 TWh/yr.
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
    limit = (hydro_left + coal_left) / (intensity * _TWH_PER_MWH)
    out = np.minimum(capacity * utilisation, limit)
    energy = out * intensity * _TWH_PER_MWH
    h_used = np.minimum(energy, hydro_left)
    c_used = np.minimum(energy - h_used, coal_left)
    hydro_left -= h_used
    coal_left -= c_used
    # where power binds, all of it is used: remove floating-point residue
    binding = limit <= capacity * utilisation
    hydro_left[binding] = 0.0
    coal_left[binding] = 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        h_share = np.where(energy > 0, h_used / energy, 0.0)
    return PowerTake(limit, out, h_used, c_used, h_share)
