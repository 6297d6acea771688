"""What a KIHI run reports: output, exports, power, emissions, CBAM and jobs of the projects.

:class:`KihiResult` is the return value of
:func:`kaltim_research.models.levers.kihi.simulate_projects`; :class:`KihiTotals` holds the
running totals that simulation adds each project to, and turns them into a result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["KihiResult", "KihiTotals"]


@dataclass(frozen=True)
class KihiResult:
    """Output, power, emissions, CBAM and jobs of KIHI projects.

    Attributes
    ----------
    years : numpy.ndarray
        Calendar years, ``(T,)``.
    products : tuple of str
        Product axis, in order of first appearance among the projects, ``(P,)``.
    output_t : numpy.ndarray
        Tonnes produced, ``(N, P, T)``.
    capacity_online_t : numpy.ndarray
        Nameplate x ramp-up fraction (before utilisation and power cap), ``(N, P, T)``.
    power_limited_output_t : numpy.ndarray
        Maximum output the power remaining for each project (after projects
        earlier in priority order) allows, ``(N, P, T)``; summed over the
        projects making a product.
    export_value_usd_m : numpy.ndarray
        Export value, US$ million, ``(N, P, T)``.
    power_demand_twh : numpy.ndarray
        Electricity used, TWh, ``(N, T)``.
    hydro_used_twh, captive_coal_used_twh : numpy.ndarray
        Electricity used by source, TWh, ``(N, T)``.
    emissions_mt_co2 : numpy.ndarray
        Embedded CO2 of all output, Mt, ``(N, T)``.
    cbam_exposed_emissions_mt_co2 : numpy.ndarray
        Embedded CO2 in exports to the EU, Mt, ``(N, T)``.
    cbam_cost_usd_m : numpy.ndarray
        CBAM cost, US$ million, ``(N, T)``.
    jobs : numpy.ndarray
        Operating jobs where a sourced figure exists (else 0), ``(N, T)``.
    """

    years: np.ndarray
    products: tuple[str, ...]
    output_t: np.ndarray
    capacity_online_t: np.ndarray
    power_limited_output_t: np.ndarray
    export_value_usd_m: np.ndarray
    power_demand_twh: np.ndarray
    hydro_used_twh: np.ndarray
    captive_coal_used_twh: np.ndarray
    emissions_mt_co2: np.ndarray
    cbam_exposed_emissions_mt_co2: np.ndarray
    cbam_cost_usd_m: np.ndarray
    jobs: np.ndarray



@dataclass(frozen=True)
class KihiTotals:
    """Running totals over projects: per product ``(N, P, T)``, the rest ``(N, T)``.

    Zero-filled by :meth:`zeros`; arrays are added to in place.
    """

    output: np.ndarray
    cap_online: np.ndarray
    power_limited: np.ndarray
    export_value: np.ndarray
    hydro_used: np.ndarray
    coal_used: np.ndarray
    emissions_t: np.ndarray
    cbam_exposed_t: np.ndarray
    cbam_cost: np.ndarray
    jobs: np.ndarray

    @classmethod
    def zeros(cls, n: int, n_prod: int, t_len: int) -> KihiTotals:
        return cls(*(np.zeros((n, n_prod, t_len)) for _ in range(4)),
                   *(np.zeros((n, t_len)) for _ in range(6)))

    def result(self, years: np.ndarray, products: tuple[str, ...]) -> KihiResult:
        """The totals as a :class:`KihiResult` (emissions converted from t to Mt)."""
        return KihiResult(
            years=years.copy(),
            products=products,
            output_t=self.output,
            capacity_online_t=self.cap_online,
            power_limited_output_t=self.power_limited,
            export_value_usd_m=self.export_value,
            power_demand_twh=self.hydro_used + self.coal_used,
            hydro_used_twh=self.hydro_used,
            captive_coal_used_twh=self.coal_used,
            emissions_mt_co2=self.emissions_t / 1e6,
            cbam_exposed_emissions_mt_co2=self.cbam_exposed_t / 1e6,
            cbam_cost_usd_m=self.cbam_cost,
            jobs=self.jobs,
        )
