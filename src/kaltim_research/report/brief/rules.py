"""Rules that choose what the brief concludes, from the numbers of the results dict.

A scenario is one of three kinds, read from its results (not from its name):

- ``baseline``: nothing differs from the commodity-driven reference (no price, coal-demand
  or lever part in the decomposition);
- ``shock``: the price and coal-demand part of its difference from the baseline is larger
  than the policy levers' part (e.g. the coal transition);
- ``lever``: the levers' part is the larger (Export Center, KIHI, connectivity).

The size of a lever effect is judged against the baseline (thresholds in the ``rules`` block
of templates/brief_text.yaml) and its certainty by the PAIRED difference from the baseline
per draw (``difference_p10``/``difference_p90``, same random numbers in both runs), never by
the width of the scenario's marginal band, which mostly measures price uncertainty common to
both runs. When the paired percentiles are absent the certainty clause is left out.
"""
from __future__ import annotations

from kaltim_research.report.brief.text import BriefText, headlines, num
from kaltim_research.report.formatting import is_missing

LEVERS = ("export_center", "kihi", "connectivity")
KALTIM = "Kalimantan Timur"


def ordered(rows: list[dict]) -> list[dict]:
    """Headline rows with Kalimantan Timur first (the brief is addressed to its governor)."""
    return sorted([r for r in rows if isinstance(r, dict)],
                  key=lambda r: (r.get("province") != KALTIM, str(r.get("province"))))


def hl_rows(results: dict) -> list[dict]:
    return ordered(results.get("headline") or [])




def median_or_mean(h: dict) -> float:
    """The headline figure: the median of the draws (the mean when no median is given)."""
    v = num(h, "total_p50")
    return num(h, "total_mean") if is_missing(v) else v



def price_part(h: dict) -> float:
    """Mean difference from the baseline due to prices and coal demand (0 when absent)."""
    v = num(h.get("decomposition_mean") or {}, "price_and_coal_demand")
    return 0.0 if is_missing(v) else v


def lever_parts(h: dict) -> dict[str, float]:
    """Mean contribution of each policy lever (decomposition, else components)."""
    src = h.get("decomposition_mean") or h.get("components_mean") or {}
    return {k: float(src[k]) for k in LEVERS if not is_missing(src.get(k))}


def scenario_kind(results: dict) -> str:
    """``baseline``, ``shock`` or ``lever`` (see the module docstring)."""
    hl = headlines(results)
    price = sum(abs(price_part(h)) for h in hl)
    lever = sum(abs(v) for h in hl for v in lever_parts(h).values())
    if price + lever < 0.05:  # US$ m: rounds to zero in every figure the brief prints
        return "baseline"
    return "shock" if price > lever else "lever"


def largest_driver(results: dict) -> tuple[str, float, dict] | None:
    """(component key, mean US$ m, headline row) of the largest absolute contribution to the
    difference from the baseline over both provinces; None when nothing moves."""
    best = None
    for h in headlines(results):
        parts = {"price_and_coal_demand": price_part(h), **lever_parts(h)}
        for k, v in parts.items():
            if round(abs(v), 1) > 0 and (best is None or abs(v) > abs(best[1])):
                best = (k, v, h)
    return best


def effect_size(h: dict, tx: BriefText) -> str:
    """``negligible``, ``modest`` or ``material`` by |difference| as % of the baseline."""
    pct = num(h, "difference_pct")
    if is_missing(pct):
        return "negligible"
    if abs(pct) < float(tx.rules["effect_negligible_pct"]):
        return "negligible"
    if abs(pct) >= float(tx.rules["effect_material_pct"]):
        return "material"
    return "modest"


def paired_range(h: dict) -> tuple[float, float] | None:
    """(P10, P90) of the paired difference from the baseline, when the results carry it."""
    lo, hi = num(h, "difference_p10"), num(h, "difference_p90")
    if is_missing(lo) or is_missing(hi):
        return None
    return lo, hi
