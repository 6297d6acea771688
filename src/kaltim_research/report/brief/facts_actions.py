"""Saran Tindak as facts: which action, for which addressee, from the attribution.

Rules (thresholds in the ``rules`` block of templates/brief_text.yaml; they choose a sentence
and are never printed):

- the Pemprov Kaltim gets actions on what it controls: its own budget plans for a fall in
  Kaltim's exports, the Export Center Balikpapan, Kaltim's own coal dependence (RPJMD) and
  the use of Kaltim's projection range;
- Kaltara items (KIHI Bulungan, the port connectivity, a fall confined to Kaltara) are
  cooperation with the Pemprov Kaltara under the 7 August 2025 agreement, never an order to
  put Kaltara's plans into Kaltim's RPJMD;
- a national driver (RKAB output plan, DMO, export duty) becomes a recommendation to the
  ministry that sets it (``driver_authority``), which the province can only propose.
"""
from __future__ import annotations

from kaltim_research.report.brief.facts_model import (
    KALTARA,
    KALTIM,
    Action,
    BriefFacts,
    ProvinceFacts,
)
from kaltim_research.report.brief.text import brief_text
from kaltim_research.report.formatting import is_missing


def _pct_of_baseline(p: ProvinceFacts, value: float) -> float:
    base = p.baseline_mean.value_usd_m
    return value / base * 100.0 if base and not is_missing(base) and base > 0 else float("nan")


def _lever(p: ProvinceFacts | None, key: str):
    if p is None:
        return None
    return next((c for c in p.contributions if c.key == key), None)


def _national(facts: BriefFacts, authority: dict) -> list[Action]:
    out, seen = [], {}
    for p in facts.provinces:
        for c in p.contributions:
            if c.is_lever:
                continue
            for d in c.drivers:
                body = authority.get(d)
                if body:
                    seen.setdefault(body, [])
                    if d not in seen[body]:
                        seen[body].append(d)
    for body, drivers in seen.items():
        out.append(Action(body, "action_ministry", KALTIM, (("drivers", tuple(drivers)),)))
    return out


def _shock(facts: BriefFacts) -> list[Action]:
    kt, ku = facts.province(KALTIM), facts.province(KALTARA)
    out = []
    for p, who, key in ((kt, "pemprov_kaltim", "action_shock_kaltim"),
                        (ku, "kerja_sama_kaltara", "action_shock_kaltara")):
        c = p.cause if p is not None else None
        if c is not None and not c.is_lever and c.value_usd_m < 0:
            out.append(Action(who, key, p.province, (("drivers", c.drivers),)))
        elif c is not None and not c.is_lever and c.value_usd_m > 0 and p.province == KALTIM:
            # a windfall the province did not make: not a base for recurring spending
            out.append(Action(who, "action_windfall_kaltim", p.province, (("drivers", c.drivers),)))
    return out


def _levers(facts: BriefFacts, rules: dict) -> list[Action]:
    kt, ku = facts.province(KALTIM), facts.province(KALTARA)
    out = []
    ec = _lever(kt, "export_center")
    if ec is not None:
        out.append(Action("pemprov_kaltim", "action_export_center", KALTIM,
                          (("value", ec.value_usd_m),
                           ("small", _pct_of_baseline(kt, ec.value_usd_m)
                            < float(rules["export_center_small_pct"])))))
    kihi_u, kihi_t = _lever(ku, "kihi"), _lever(kt, "kihi")
    if kihi_u is not None:
        pct = _pct_of_baseline(ku, kihi_u.value_usd_m)
        out.append(Action("kerja_sama_kaltara", "action_kihi", KALTARA,
                          (("value", kihi_u.value_usd_m), ("pct", pct),
                           ("kaltim_value", kihi_t.value_usd_m if kihi_t else 0.0),
                           ("material", not is_missing(pct)
                            and pct >= float(rules["kihi_material_pct"])))))
    conn = [c for c in (_lever(kt, "connectivity"), _lever(ku, "connectivity")) if c]
    if conn:
        out.append(Action("kerja_sama_kaltara", "action_connectivity", KALTIM,
                          (("value", max(c.value_usd_m for c in conn)),)))
    return out


def _own(facts: BriefFacts, rules: dict) -> list[Action]:
    kt = facts.province(KALTIM)
    if kt is None:
        return []
    out = []
    if not is_missing(kt.coal_share_pct) and kt.coal_share_pct >= float(rules["coal_dependence_pct"]):
        out.append(Action("pemprov_kaltim", "action_coal_kaltim", KALTIM,
                          (("coal", kt.coal_share_pct),)))
    p10, p50, p90 = kt.p10.value_usd_m, kt.p50.value_usd_m, kt.p90.value_usd_m
    if not any(is_missing(v) for v in (p10, p50, p90)) and p50 > 0:
        wide = (p90 - p10) / p50 >= float(rules["wide_range_ratio"])
        out.append(Action("pemprov_kaltim", "action_range_wide" if wide else "action_range_narrow",
                          KALTIM))
    return out


def actions_for(facts: BriefFacts) -> tuple[Action, ...]:
    """The actions of a brief, in the order printed (at most ``rules.max_actions``; the
    range action goes first when there are too many)."""
    data = brief_text()
    rules, authority = data["rules"], data.get("driver_authority") or {}
    acts = _shock(facts) + _national(facts, authority) + _levers(facts, rules) + _own(facts, rules)
    limit = int(rules["max_actions"])
    while len(acts) > limit and any(a.key.startswith("action_range") for a in acts):
        acts = [a for a in acts if not a.key.startswith("action_range")]
    return tuple(acts[:limit])
