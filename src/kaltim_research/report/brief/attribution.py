"""Why a province's exports differ from the baseline: a computed attribution, in driver keys.

The engine splits each province's mean difference from the baseline into the non-lever part
(``price_and_coal_demand``: everything the scenario changes outside the three levers) and one
part per lever (``decomposition_mean`` of results.json). This module names the non-lever part
by the assumptions the scenario actually changes (``results["assumptions"]`` with a
``baseline_value``), each mapped to a *driver* by the ``drivers`` block of
templates/brief_text.yaml (coal price, coal demand, national output plan (RKAB), DMO, export
duty, other prices ...). A scenario file no template has seen (a coal export duty, a price
boom) is therefore named by what it changes, not by its name or kind.

When the non-lever part comes from several drivers, the engine gives one joint number: the
contribution carries all of them (in declared order) and the wording says "together".
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from kaltim_research.report.formatting import is_missing

LEVERS = ("export_center", "kihi", "connectivity")
NON_LEVER = "price_and_coal_demand"
#: Below this (US$ m) a part rounds to zero in every figure the brief prints: it does not act.
ACTS_USD_M = 0.05


@dataclass(frozen=True)
class ChangedAssumption:
    """One assumption the scenario changes from the baseline (headline-year values)."""

    name: str
    driver: str
    before: float
    after: float
    unit: str
    label_id: str
    label_en: str

    @property
    def direction(self) -> str:
        """``up`` or ``down`` (the after value against the before value)."""
        return "up" if self.after > self.before else "down"


@dataclass(frozen=True)
class Contribution:
    """A part of a province's mean difference from the baseline (US$ m).

    ``drivers`` are driver keys (one for a lever; one or more for the non-lever part);
    ``assumptions`` the changed assumptions behind a non-lever part.
    """

    key: str
    value_usd_m: float
    drivers: tuple[str, ...]
    assumptions: tuple[ChangedAssumption, ...] = ()

    @property
    def is_lever(self) -> bool:
        return self.key in LEVERS


def driver_of(name: str, drivers: dict[str, str]) -> str:
    """The driver key of a parameter: the longest matching prefix of the ``drivers`` map
    (``coal_volume.export_duty_pct`` -> ``export_duty``); ``other`` when none matches."""
    best = ""
    for prefix in drivers:
        if name.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    return drivers[best] if best else "other"


def _number(v) -> float:
    if v is None or isinstance(v, bool | dict | list | str) or is_missing(v):
        return math.nan
    return float(v)


def changed_assumptions(results: dict, drivers: dict[str, str]) -> tuple[ChangedAssumption, ...]:
    """The numeric assumptions whose headline-year value differs from the baseline's, outside
    the levers (lever parameters are attributed by the engine's own lever parts)."""
    out = []
    for a in results.get("assumptions") or []:
        if not isinstance(a, dict) or "baseline_value" not in a:
            continue
        before, after = _number(a.get("baseline_value")), _number(a.get("value"))
        name = str(a.get("name") or "")
        if math.isnan(before) or math.isnan(after) or before == after \
                or name.split(".")[0] in LEVERS:
            continue
        out.append(ChangedAssumption(name=name, driver=driver_of(name, drivers), before=before,
                                     after=after, unit=str(a.get("unit") or ""),
                                     label_id=str(a.get("label_id") or name),
                                     label_en=str(a.get("label_en") or name)))
    return tuple(out)


def attribute(h: dict, changed: tuple[ChangedAssumption, ...]) -> tuple[Contribution, ...]:
    """The contributions that act on the province of headline row ``h``, largest first.

    Parameters
    ----------
    h : dict
        A ``headline`` row of results.json (``decomposition_mean``, else ``components_mean``).
    changed : tuple of ChangedAssumption
        From :func:`changed_assumptions`.

    Returns
    -------
    tuple of Contribution
        Only parts with |value| >= ``ACTS_USD_M``; sorted by |value| descending, then key
        (deterministic). A non-lever part with no changed assumption behind it is named
        ``coal_market`` (prices and demand moved by the engine itself).
    """
    dec = h.get("decomposition_mean") or {}
    comps = h.get("components_mean") or {}
    out = []
    non_lever = _number(dec.get(NON_LEVER))
    if not math.isnan(non_lever) and abs(non_lever) >= ACTS_USD_M:
        drivers = tuple(dict.fromkeys(c.driver for c in changed)) or ("coal_market",)
        out.append(Contribution(NON_LEVER, non_lever, drivers, changed))
    for k in LEVERS:
        v = _number(dec.get(k, comps.get(k)))
        if not math.isnan(v) and abs(v) >= ACTS_USD_M:
            out.append(Contribution(k, v, (k,)))
    return tuple(sorted(out, key=lambda c: (-abs(c.value_usd_m), c.key)))
