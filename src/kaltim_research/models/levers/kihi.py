"""KIHI Tanjung Palas Timur (Kaltara): industrial projects capped by available power.

Kawasan Industri Hijau Indonesia (KIHI) in Tanjung Palas Timur, Bulungan,
Kalimantan Utara, plans an aluminium smelter (phase 1: 500 kt/yr) and other
energy-intensive plants. This module ramps each project up from its (possibly
delayed) start year, caps output by the electricity available (hydro first,
then captive coal, shared among projects in priority order) and derives export
value, power use, CO2 emissions, EU CBAM exposure and operating jobs.

Pure and vectorised: every per-draw value is an array over ``N`` draws; the
only Python loop runs over projects. The power cap is in :mod:`.power_supply`,
the result arrays in :mod:`.kihi_results`.

Draw keys (``draws`` argument of :func:`simulate_projects`)
-----------------------------------------------------------
Shapes: a 0-D value applies to every draw and year, a 1-D array is one value
per draw ``(N,)``, a 2-D array is ``(N, T)`` (``(N, 1)`` and ``(1, T)``
broadcast). Unknown keys raise ``ValueError`` so that typos are not ignored.

``"utilisation"`` (required), ``(N,)`` or ``(N, T)``
    Share of online capacity actually operated, in ``[0, 1]``.
``"utilisation/<project name>"`` (optional)
    Overrides ``"utilisation"`` for one project.
``"price_usd_per_t/<product>"`` (required for every product), ``(N, T)``
    Export price, US$ per tonne.
``"start_delay_years/<project name>"`` (optional, default 0), ``(N,)``
    Delay of first production relative to ``ProjectSpec.first_year``, years;
    may be fractional (pro-rated, see :func:`ramp_fraction`).
``"green_premium_usd_per_t"`` (optional, default 0), ``(N, T)``
    Premium per tonne paid for the hydro-powered share of output.
``"green_premium_usd_per_t/<product>"`` (optional)
    Overrides the common premium for one product.
``"eu_carbon_price_usd_per_t"`` (optional, default 0), ``(N, T)``
    Effective CBAM price, US$ per t CO2 (net of any free-allocation phase-in
    or carbon price paid at origin, which the caller folds in).
``"power_mwh_per_t/<project name>"`` (optional)
    Overrides ``ProjectSpec.power_mwh_per_t`` per draw (range 12.5-15.0 for
    aluminium).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from kaltim_research.models.levers.kihi_results import KihiResult, KihiTotals
from kaltim_research.models.levers.power_supply import PowerSpec, PowerTake, take_power

__all__ = [
    "DEFAULT_RAMP_UP",
    "KihiResult",
    "PowerSpec",
    "ProjectSpec",
    "RetainedValue",
    "ramp_fraction",
    "retained_value",
    "simulate_projects",
]

#: Annual ramp-up fractions by operating year. Qatalum and Ma'aden took about
#: 21 months from first metal to nameplate: ~45 % average in year 1, ~90 % in year 2.
DEFAULT_RAMP_UP: tuple[float, ...] = (0.45, 0.90, 1.0)

#: Prefixes of per-project and per-product draw keys.
_KEY_PREFIXES = (
    "start_delay_years/",
    "utilisation/",
    "power_mwh_per_t/",
    "price_usd_per_t/",
    "green_premium_usd_per_t/",
)


@dataclass(frozen=True)
class ProjectSpec:
    """One KIHI project (deterministic attributes; uncertain ones come via ``draws``).

    Parameters
    ----------
    name : str
        Unique project name, used in draw keys (e.g. ``"aluminium phase 1"``).
    product : str
        Product name, used for prices and the ``products`` axis (e.g. ``"aluminium"``).
    nameplate_t_per_year : float
        Nameplate capacity, tonnes per year (phase 1 aluminium smelter: 500,000).
    first_year : int
        Planned first production year (before any drawn delay).
    ramp_up : tuple of float
        Share of nameplate online in operating years 1, 2, ...; the last value
        holds thereafter. Default ``(0.45, 0.90, 1.0)``: Qatalum and Ma'aden took
        about 21 months from first metal to nameplate.
    power_mwh_per_t : float
        Electricity intensity, MWh per tonne. Default 14.5 (range 12.5-15.0
        for primary aluminium smelting).
    co2_t_per_t_coal_power : float
        t CO2 per tonne when powered by coal. Default 16.6, the global average
        for primary aluminium (dominated by coal-fired power).
    co2_t_per_t_hydro : float
        t CO2 per tonne when powered by hydro. Default 4.0 ("under 4 t" for
        low-carbon aluminium).
    export_share : float
        Share of output exported. Default 0.7 (judgement: Indonesia's ~1 Mt/yr
        aluminium demand is mostly imported, so part of output may stay home).
    eu_export_share : float
        Share of *exported* tonnes shipped to the EU (CBAM-exposed). Default 0.0.
    operating_jobs : float
        Operating jobs at nameplate where a sourced figure exists: 1,500 for the
        500 kt aluminium phase 1; 0 where unknown.
    """

    name: str
    product: str
    nameplate_t_per_year: float
    first_year: int
    ramp_up: tuple[float, ...] = DEFAULT_RAMP_UP
    power_mwh_per_t: float = 14.5
    co2_t_per_t_coal_power: float = 16.6
    co2_t_per_t_hydro: float = 4.0
    export_share: float = 0.7
    eu_export_share: float = 0.0
    operating_jobs: float = 0.0

    def __post_init__(self) -> None:
        if not self.name or "/" in self.name:
            raise ValueError(f"project name must be non-empty without '/': {self.name!r}")
        if not self.product or "/" in self.product:
            raise ValueError(f"product must be non-empty without '/': {self.product!r}")
        if not (self.nameplate_t_per_year >= 0 and math.isfinite(self.nameplate_t_per_year)):
            raise ValueError(f"{self.name}: nameplate_t_per_year must be finite and >= 0")
        ramp = tuple(float(r) for r in self.ramp_up)
        if not ramp or any(not (0.0 <= r <= 1.0) for r in ramp):
            raise ValueError(f"{self.name}: ramp_up must be non-empty with values in [0, 1]")
        object.__setattr__(self, "ramp_up", ramp)
        if not self.power_mwh_per_t > 0:
            raise ValueError(f"{self.name}: power_mwh_per_t must be > 0")
        if self.co2_t_per_t_coal_power < 0 or self.co2_t_per_t_hydro < 0:
            raise ValueError(f"{self.name}: emission factors must be >= 0")
        for field in ("export_share", "eu_export_share"):
            v = getattr(self, field)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"{self.name}: {field} must lie in [0, 1], got {v}")
        if self.operating_jobs < 0:
            raise ValueError(f"{self.name}: operating_jobs must be >= 0")


def ramp_fraction(years, first_year: float, delay_years, ramp_up: Sequence[float]) -> np.ndarray:
    """Share of nameplate online in each year, with a pro-rated fractional delay.

    Method: production starts at calendar time ``s = first_year + delay`` (``s =
    2030.0`` means 1 January 2030). Operating year ``k`` (0-based) covers
    ``[s + k, s + k + 1)`` and runs at ``ramp_up[k]`` (the last value holds
    thereafter; zero before ``s``). The fraction for calendar year ``t`` is the
    time-weighted average over ``[t, t + 1)``: with ``y0 = floor(s)`` and
    ``d = s - y0``, ``f(t) = d * r(t - y0 - 1) + (1 - d) * r(t - y0)``. A
    whole-year delay therefore shifts the ramp exactly; a fractional delay
    pro-rates the first year (and each ramp step) rather than rounding up.

    Parameters
    ----------
    years : array_like of int, shape (T,)
    first_year : float
        Planned first production year.
    delay_years : array_like, shape (N,) or scalar
        Start delay in years (may be fractional or negative).
    ramp_up : sequence of float
        Fractions by operating year.

    Returns
    -------
    numpy.ndarray, shape (N, T)
    """
    yrs = np.asarray(years, dtype=float)
    delay = np.atleast_1d(np.asarray(delay_years, dtype=float))
    if delay.ndim != 1:
        raise ValueError(f"delay must be scalar or (N,), got shape {delay.shape}")
    if not np.all(np.isfinite(delay)):
        raise ValueError("delay contains non-finite values")
    ramp_ext = np.concatenate(([0.0], np.asarray(ramp_up, dtype=float)))
    start = first_year + delay
    y0 = np.floor(start)
    d = (start - y0)[:, np.newaxis]
    k = yrs[np.newaxis, :] - y0[:, np.newaxis]  # operating-year index if started at y0
    last = len(ramp_ext) - 1
    idx_now = np.clip(k + 1, 0, last).astype(np.intp)
    idx_prev = np.clip(k, 0, last).astype(np.intp)
    del k
    # d * r_prev + (1 - d) * r_now, in place (same operations; fewer (N, T) temporaries)
    frac = ramp_ext[idx_prev]
    del idx_prev
    frac *= d
    now = ramp_ext[idx_now]
    del idx_now
    now *= 1.0 - d
    frac += now
    return frac


def _infer_n(arrays: Sequence[tuple[str, np.ndarray, bool]]) -> int:
    """Common number of draws from (name, array, one_d_is_draws) triples."""
    sizes: dict[int, str] = {}
    for name, a, one_d_is_draws in arrays:
        if a.ndim == 2 or (a.ndim == 1 and one_d_is_draws):
            if a.shape[0] != 1:
                sizes.setdefault(a.shape[0], name)
    if len(sizes) > 1:
        detail = ", ".join(f"{nm}: {sz}" for sz, nm in sizes.items())
        raise ValueError(f"inconsistent number of draws ({detail})")
    return next(iter(sizes), 1)


def _as_nt(a: np.ndarray, n: int, t: int, name: str, one_d_is_draws: bool) -> np.ndarray:
    if a.ndim == 1:
        a = a[:, np.newaxis] if one_d_is_draws else a[np.newaxis, :]
    if a.ndim > 2:
        raise ValueError(f"{name} must have at most 2 dimensions, got {a.shape}")
    try:
        out = np.broadcast_to(a, (n, t))
    except ValueError:
        raise ValueError(f"{name} has shape {a.shape}, not compatible with (N, T)=({n}, {t})") from None
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name} contains non-finite values")
    return out


def _checked_years(years) -> np.ndarray:
    yrs = np.asarray(years)
    if yrs.ndim != 1:
        raise ValueError(f"years must be 1-D, got shape {yrs.shape}")
    return yrs


def _products(projects: list[ProjectSpec]) -> tuple[str, ...]:
    """Product axis in order of first appearance; raise on duplicate project names."""
    names = [p.name for p in projects]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate project names: {names}")
    return tuple(dict.fromkeys(p.product for p in projects))


def _allowed_keys(projects: list[ProjectSpec], products: tuple[str, ...]) -> set[str]:
    allowed = {"utilisation", "green_premium_usd_per_t", "eu_carbon_price_usd_per_t"}
    for nm in (p.name for p in projects):
        allowed |= {
            f"start_delay_years/{nm}",
            f"utilisation/{nm}",
            f"power_mwh_per_t/{nm}",
        }
    for pr in products:
        allowed |= {f"price_usd_per_t/{pr}", f"green_premium_usd_per_t/{pr}"}
    return allowed


def _checked_draws(draws: Mapping[str, np.ndarray], projects: list[ProjectSpec],
                   products: tuple[str, ...], strict_keys: bool) -> dict[str, np.ndarray]:
    """The draws with known keys, as float arrays; raise on unknown or missing keys."""
    allowed = _allowed_keys(projects, products)
    unknown = sorted(
        k
        for k in set(draws) - allowed
        if strict_keys or not any(k.startswith(px) and len(k) > len(px) for px in _KEY_PREFIXES)
    )
    if unknown:
        raise ValueError(f"unknown draw keys: {unknown}")
    draws = {k: v for k, v in draws.items() if k in allowed}
    required = {f"price_usd_per_t/{pr}" for pr in products}
    if projects:
        required.add("utilisation")
    missing = sorted(required - set(draws))
    if missing:
        raise ValueError(f"missing draw keys: {missing}")
    return {k: np.asarray(v, dtype=float) for k, v in draws.items()}


@dataclass(frozen=True)
class _Draws:
    """Checked draw arrays, broadcast to ``(N, T)`` on request."""

    arrs: dict[str, np.ndarray]
    n: int
    t_len: int

    def get(self, key: str, default: float | None = None) -> np.ndarray:
        if key in self.arrs:
            return _as_nt(self.arrs[key], self.n, self.t_len, key, True)
        return np.full((self.n, self.t_len), default)


def _draws_and_power(arrs: dict[str, np.ndarray], power: PowerSpec,
                     t_len: int) -> tuple[_Draws, np.ndarray, np.ndarray]:
    """Draws with their common number ``N``, and the hydro and coal power available, ``(N, T)``."""
    hydro_in = np.asarray(power.hydro_twh_by_year, dtype=float)
    coal_in = np.asarray(power.captive_coal_twh, dtype=float)
    n = _infer_n(
        [(k, a, True) for k, a in arrs.items()]
        + [("hydro_twh_by_year", hydro_in, False), ("captive_coal_twh", coal_in, False)]
    )
    hydro_left = _as_nt(hydro_in, n, t_len, "hydro_twh_by_year", False).copy()
    coal_left = _as_nt(coal_in, n, t_len, "captive_coal_twh", False).copy()
    if np.any(hydro_left < 0) or np.any(coal_left < 0):
        raise ValueError("available power must be non-negative")
    return _Draws(arrs, n, t_len), hydro_left, coal_left


def _project_inputs(p: ProjectSpec, d: _Draws, util_common: np.ndarray,
                    yrs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Utilisation, power intensity and ramp-up fraction of one project, ``(N, T)`` each."""
    util = d.get(f"utilisation/{p.name}") if f"utilisation/{p.name}" in d.arrs else util_common
    if np.any((util < 0) | (util > 1)):
        raise ValueError(f"utilisation for {p.name!r} must lie in [0, 1]")
    intensity = d.get(f"power_mwh_per_t/{p.name}", p.power_mwh_per_t)
    if np.any(intensity <= 0):
        raise ValueError(f"power_mwh_per_t for {p.name!r} must be > 0")
    delay_key = f"start_delay_years/{p.name}"
    delay = d.arrs.get(delay_key, np.zeros(1))
    if delay.ndim == 2 and delay.shape[1] == 1:
        delay = delay[:, 0]
    if delay.ndim > 1:
        raise ValueError(f"{delay_key} must be scalar or (N,), got {delay.shape}")
    ramp = ramp_fraction(yrs, p.first_year, delay, p.ramp_up)
    return util, intensity, np.broadcast_to(ramp, (d.n, d.t_len))


def _add_project(totals: KihiTotals, p: ProjectSpec, j: int, cap: np.ndarray, take: PowerTake,
                 price: np.ndarray, premium: np.ndarray, carbon_price: np.ndarray) -> None:
    """Add one project's output, exports, power, emissions, CBAM and jobs (product ``j``)."""
    # In place, with the operations of the plain expressions in the same order (so the same
    # numbers): one (N, T) temporary at a time, since this runs inside the memory peak.
    out, h_share = take.output, take.hydro_share
    per_t_co2 = h_share * p.co2_t_per_t_hydro
    coal_part = np.subtract(1.0, h_share)
    coal_part *= p.co2_t_per_t_coal_power
    per_t_co2 += coal_part
    del coal_part
    exported = out * p.export_share
    totals.output[:, j] += out
    totals.cap_online[:, j] += cap
    totals.power_limited[:, j] += take.limit
    value = h_share * premium
    np.add(price, value, out=value)
    np.multiply(exported, value, out=value)
    value /= 1e6
    totals.export_value[:, j] += value
    del value
    totals.hydro_used[...] += take.hydro_twh
    totals.coal_used[...] += take.coal_twh
    emitted = out * per_t_co2
    totals.emissions_t[...] += emitted
    del emitted
    exposed = exported  # exported * eu share * CO2 per tonne; exported is not read again
    exposed *= p.eu_export_share
    exposed *= per_t_co2
    del per_t_co2
    totals.cbam_exposed_t[...] += exposed
    exposed *= carbon_price
    exposed /= 1e6
    totals.cbam_cost[...] += exposed
    del exported, exposed
    if p.nameplate_t_per_year > 0 and p.operating_jobs > 0:
        share = out / p.nameplate_t_per_year
        np.clip(share, 0.0, 1.0, out=share)
        share *= p.operating_jobs
        totals.jobs[...] += share


def simulate_projects(
    years,
    projects: list[ProjectSpec],
    draws: Mapping[str, np.ndarray],
    power: PowerSpec,
    *,
    strict_keys: bool = True,
) -> KihiResult:
    """Simulate KIHI project output capped by power, with exports, CO2 and CBAM.

    Method, for each year and draw, projects in priority (list) order:

    1. ``capacity_online = nameplate * ramp_fraction`` (start year
       ``first_year + delay``; fractional delays pro-rated, see
       :func:`ramp_fraction`).
    2. ``power_limited = (hydro_left + coal_left) / intensity`` (TWh -> MWh).
    3. ``output = min(capacity_online * utilisation, power_limited)``.
    4. The project's electricity ``output * intensity`` is taken from hydro
       first, then captive coal; the remainder passes to the next project.
    5. With ``h`` the hydro share of the electricity the project used:
       ``emissions = output * (h * co2_hydro + (1 - h) * co2_coal)``;
       ``export value = output * export_share * (price + h * green_premium) / 1e6``
       (the premium is paid on the hydro-powered share of tonnes).
    6. CBAM: ``exposed = output * export_share * eu_export_share`` times the
       project's embedded emissions per tonne; ``cost = exposed (t) *
       eu_carbon_price / 1e6`` US$ million. Note: this counts all embedded
       emissions, electricity included; if CBAM counts only direct emissions
       for aluminium, this is an upper bound.
    7. ``jobs = operating_jobs * clip(output / nameplate, 0, 1)``.

    Per-product arrays sum the projects making that product.

    Parameters
    ----------
    years : array_like of int, shape (T,)
    projects : list of ProjectSpec
        In priority order for power; names must be unique.
    draws : mapping of str to array_like
        Uncertain per-draw values; keys are listed in the module docstring.
    power : PowerSpec
        Hydro and captive coal electricity available, TWh per year.
    strict_keys : bool, optional
        If True (default), a key naming a project or product not in
        ``projects`` raises ``ValueError`` (catches typos). If False such keys
        are ignored, e.g. to pass the usual draws with an empty project list.
        Keys with an unknown prefix always raise.

    Returns
    -------
    KihiResult

    Raises
    ------
    ValueError
        On duplicate project names, missing or unknown draw keys, bad shapes,
        utilisation outside ``[0, 1]``, negative power or non-finite values.
    """
    yrs = _checked_years(years)
    products = _products(projects)
    arrs = _checked_draws(draws, projects, products, strict_keys)
    d, hydro_left, coal_left = _draws_and_power(arrs, power, yrs.shape[0])
    premium_common = d.get("green_premium_usd_per_t", 0.0)
    carbon_price = d.get("eu_carbon_price_usd_per_t", 0.0)
    util_common = d.get("utilisation", 1.0) if projects else np.zeros((d.n, d.t_len))

    totals = KihiTotals.zeros(d.n, len(products), d.t_len)
    for p in projects:
        util, intensity, ramp = _project_inputs(p, d, util_common, yrs)
        cap = p.nameplate_t_per_year * ramp
        del ramp  # not held while power is taken (peak memory)
        take = take_power(hydro_left, coal_left, cap, util, intensity)
        price = d.get(f"price_usd_per_t/{p.product}")
        pk = f"green_premium_usd_per_t/{p.product}"
        premium = d.get(pk) if pk in arrs else premium_common
        _add_project(totals, p, products.index(p.product), cap, take, price, premium,
                     carbon_price)
        del take, cap  # not held while the next project's arrays are made (peak memory)
    return totals.result(yrs, products)


@dataclass(frozen=True)
class RetainedValue:
    """Gross exports and the value retained in Indonesia, US$ million, ``(N, T)``.

    ``net_retained = gross − alumina − anode − other imported inputs``. All alumina is
    deducted, including the part bought from West Kalimantan: that alumina would otherwise be
    exported (Kalbar's alumina exports fell 52 % y/y in Sept 2025), so for Indonesia it is a
    transfer between provinces, not value the smelter adds; ``kalbar_alumina_usd_m`` shows it.
    """

    gross_usd_m: np.ndarray
    alumina_usd_m: np.ndarray
    kalbar_alumina_usd_m: np.ndarray
    anode_usd_m: np.ndarray
    other_imported_usd_m: np.ndarray
    net_retained_usd_m: np.ndarray


def retained_value(gross_usd_m, exported_t, alumina_t_per_t, alumina_price_usd_per_t,
                   alumina_share_from_kalbar, anode_usd_per_t,
                   other_imported_usd_per_t) -> RetainedValue:
    """Net value retained in Indonesia of exported aluminium (input costs per exported tonne).

    Method: value added at the border, ``gross − t × (a × p_alumina + anode + other)``, the
    inputs priced per tonne of metal (alumina 1.9–2.0 t/t at the LME alumina price; anode
    carbon and other inputs imported). With 2026 prices (Al 2,946, alumina ~330 US$/t) about
    65 % of gross is retained, within the 55–65 % the issue review gives. Per-draw
    parameters are ``(N,)``, ``gross_usd_m`` and ``exported_t`` are ``(N, T)``.
    """
    t = np.asarray(exported_t, float)

    def col(x):
        return np.asarray(x, float).reshape(-1, 1) if np.ndim(x) else float(x)

    alumina = t * col(alumina_t_per_t) * col(alumina_price_usd_per_t) / 1e6
    anode = t * col(anode_usd_per_t) / 1e6
    other = t * col(other_imported_usd_per_t) / 1e6
    gross = np.asarray(gross_usd_m, float)
    return RetainedValue(gross, alumina, alumina * col(alumina_share_from_kalbar), anode, other,
                         gross - alumina - anode - other)
