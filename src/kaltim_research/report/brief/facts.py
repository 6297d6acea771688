"""One pass over results.json into the brief's facts (:mod:`facts_model`).

Everything the brief concludes is decided here, once: the attribution of each province's
change (:mod:`attribution`), whom each action is addressed to (:mod:`facts_actions`), the
figures rounded to what their band supports, the reference year and the peak, and what
changed since the previous brief (:mod:`facts_changes`). The wording (:mod:`wording`,
:mod:`content`, :mod:`analysis`) reads only this structure and the renderers only the wording.

Fiscal (DBH) and jobs lines are read from ``results["fiscal"]`` / ``results["jobs"]`` when
present; a missing key, a missing year or a row marked not estimable gives a line with
``status`` "missing"/"not_estimable" instead of an error (the budget model owns those keys).
"""
from __future__ import annotations

import math
from datetime import date

from kaltim_research.report.brief.attribution import attribute, changed_assumptions
from kaltim_research.report.brief.facts_actions import actions_for
from kaltim_research.report.brief.facts_changes import changes_of
from kaltim_research.report.brief.facts_model import (
    JOBS_SIGNIFICANT_FIGURES,
    KALTARA,
    KALTIM,
    Action,
    Amount,
    BriefFacts,
    Changes,
    Line,
    ProvinceFacts,
    Reference,
    Release,
    amount,
    round_significant,
    round_to,
    supported_step,
)
from kaltim_research.report.brief.text import brief_text, num
from kaltim_research.report.formatting import is_missing

__all__ = ["KALTARA", "KALTIM", "Action", "Amount", "BriefFacts", "Changes", "Line",
           "ProvinceFacts", "Reference", "Release", "amount", "brief_date", "brief_facts",
           "round_significant", "round_to", "supported_step"]


# --------------------------------------------------------------------------- one pass


def _reference(h: dict, t: dict, step: float) -> Reference | None:
    """The latest year the model holds: the nowcast year when newer than the last full year."""
    lf = t.get("last_full_year") or {}
    nc = h.get("nowcast") or {}
    if nc and not is_missing(nc.get("value_usd_m")) and (not lf or nc.get("year", 0) > lf.get("year", 0)):
        return Reference(int(nc["year"]), amount(num(nc, "value_usd_m"), step), "nowcast")
    if lf and not is_missing(lf.get("value_usd_m")):
        return Reference(int(lf["year"]), amount(num(lf, "value_usd_m"), step),
                         "derived" if lf.get("is_derived") else "full")
    return None


def _peak(results: dict, province: str, step: float) -> Reference | None:
    for f in results.get("fan_charts") or []:
        if f.get("province") != province:
            continue
        pts = [(v, y) for y, v in zip(f.get("history_years") or [], f.get("history_values") or [],
                                      strict=False) if not is_missing(v)]
        if pts:
            v, y = max(pts)
            return Reference(int(y), amount(v, step), "peak")
    return None


def _fiscal(results: dict, province: str, year: int) -> Line:
    rows = [f for f in results.get("fiscal") or [] if isinstance(f, dict)
            and f.get("province") == province and f.get("year") == year]
    if "fiscal" not in results or not rows:
        return Line("missing")
    f = rows[0]
    if f.get("dbh_cash_estimable") is False:  # the budget model: no allocation of its own
        acc = num(f, "dbh_accrual_idr_bn_p50")
        return Line("not_estimable", round_significant(acc, 2) if not is_missing(acc) else acc,
                    basis="accrual")
    if f.get("status") == "not_estimable" or f.get("not_estimable"):
        return Line("not_estimable")
    lo, hi = num(f, "dbh_province_idr_bn_p10"), num(f, "dbh_province_idr_bn_p90")
    step = supported_step(hi - lo)
    mid = num(f, "dbh_province_idr_bn_p50")
    if is_missing(mid):
        return Line("not_estimable")
    return Line("ok", round_to(mid, step), round_to(lo, step), round_to(hi, step),
                round_to(num(f, "dbh_difference_idr_bn_p50"), step),
                str(f.get("dbh_basis") or f.get("basis") or ""))


def _jobs(results: dict, province: str, year: int) -> Line:
    rows = [j for j in results.get("jobs") or [] if isinstance(j, dict)
            and j.get("province") == province and j.get("year") == year
            and not is_missing(j.get("jobs_p50"))]
    if not rows:
        return Line("missing")
    total = sum(float(j["jobs_p50"]) for j in rows)
    diff = sum(0.0 if is_missing(j.get("jobs_difference_p50")) else float(j["jobs_difference_p50"])
               for j in rows)
    parts: dict[str, float] = {}
    for j in rows:
        k = str(j.get("sector"))
        parts[k] = parts.get(k, 0.0) + float(j["jobs_p50"])
    return Line("ok", round_significant(total, JOBS_SIGNIFICANT_FIGURES),
                difference=round_significant(diff, JOBS_SIGNIFICANT_FIGURES),
                parts=tuple((k, round_significant(v, JOBS_SIGNIFICANT_FIGURES))
                            for k, v in parts.items()))


def _province(results: dict, h: dict, changed) -> ProvinceFacts:
    prov = str(h.get("province"))
    step = float(h.get("rounding_usd_m") or supported_step(num(h, "total_p90") - num(h, "total_p10")))
    dstep = supported_step(num(h, "difference_p90") - num(h, "difference_p10"))
    if is_missing(dstep):  # no paired band (or a deterministic lever): two significant figures
        d = abs(num(h, "difference_mean"))
        dstep = 10 ** math.floor(math.log10(d)) / 10 if d > 0 and not is_missing(d) else math.nan
    dstep = dstep if is_missing(step) else min(dstep, step) if not is_missing(dstep) else step
    t = next((t for t in results.get("trajectory") or [] if t.get("province") == prov), {})
    p50 = num(h, "total_p50")
    p50 = num(h, "total_mean") if is_missing(p50) else p50
    lo, hi = num(h, "difference_p10"), num(h, "difference_p90")
    new, rer = num(h, "new_exports_mean"), num(h, "rerouted_mean")
    year = int(h.get("year") or (results.get("horizon") or {}).get("headline_year") or 0)
    return ProvinceFacts(
        province=prov, basis=str(h.get("basis") or (results.get("bases") or {}).get(prov) or ""),
        year=year, p50=amount(p50, step), p10=amount(num(h, "total_p10"), step),
        p90=amount(num(h, "total_p90"), step), mean=amount(num(h, "total_mean"), step),
        baseline_mean=amount(num(h, "baseline_mean"), step),
        difference=amount(num(h, "difference_mean"), dstep),
        difference_pct=num(h, "difference_pct"),
        paired=None if is_missing(lo) or is_missing(hi) else (amount(lo, dstep), amount(hi, dstep)),
        contributions=attribute(h, changed),
        reference=_reference(h, t, step), peak=_peak(results, prov, step),
        coal_share_pct=num(h, "coal_share_pct"),
        coal_share_baseline_pct=num(h, "coal_share_baseline_pct"),
        new_exports=None if is_missing(new) else amount(new, dstep),
        rerouted=None if is_missing(rer) else amount(rer, dstep),
        fiscal=_fiscal(results, prov, year), jobs=_jobs(results, prov, year))


def _kind(provinces: tuple[ProvinceFacts, ...]) -> str:
    best = None
    for p in provinces:
        for c in p.contributions:
            if best is None or abs(c.value_usd_m) > abs(best.value_usd_m):
                best = c
    if best is None:
        return "baseline"
    return "lever" if best.is_lever else "shock"


def _kihi(results: dict) -> tuple[Amount, Amount, int] | None:
    k = results.get("kihi_value")
    if not isinstance(k, dict) or is_missing(k.get("gross_usd_m_mean")):
        return None
    step = supported_step(num(k, "gross_usd_m_p90") - num(k, "gross_usd_m_p10")) \
        if not is_missing(k.get("gross_usd_m_p90")) else 10.0
    return (amount(num(k, "gross_usd_m_mean"), step),
            amount(num(k, "net_retained_usd_m_mean"), step), int(k.get("year") or 0))


def brief_date(results: dict, override: str | None = None) -> str:
    """The brief's Tanggal: ``override`` (``--date``) when given, else the later of the
    scenario's date and the newest data release used (``data_vintage.released`` of
    results.json, when the data carry it); never today's date, so a rerun gives the same
    brief. ``results["brief_date"]`` (set by ``kaltim-research brief --date``) is an override."""
    override = override or results.get("brief_date")
    if override:
        return date.fromisoformat(str(override)).isoformat()
    cands = [str((results.get("scenario") or {}).get("date") or ""),
             str((results.get("data_vintage") or {}).get("released") or "")]
    cands = [c[:10] for c in cands if len(c) >= 10]
    return max(cands) if cands else ""


def brief_facts(results: dict, brief_date_override: str | None = None) -> BriefFacts:
    """Compute the brief's facts once (see the module docstring).

    Parameters
    ----------
    results : dict
        results.json, optionally with ``changes`` (changes.json).
    brief_date_override : str, optional
        ISO date printed as Tanggal (``kaltim-research brief --date``).

    Returns
    -------
    BriefFacts
    """
    drivers = brief_text()["drivers"]
    changed = changed_assumptions(results, drivers)
    heads = sorted([h for h in results.get("headline") or [] if isinstance(h, dict)],
                   key=lambda h: (h.get("province") != KALTIM, str(h.get("province"))))
    provinces = tuple(_province(results, h, changed) for h in heads)
    facts = BriefFacts(scenario=str((results.get("scenario") or {}).get("name") or ""),
                       kind=_kind(provinces), brief_date=brief_date(results, brief_date_override),
                       scenario_date=str((results.get("scenario") or {}).get("date") or ""),
                       provinces=provinces, changed=changed, changes=changes_of(results),
                       kihi=_kihi(results))
    return BriefFacts(**{**facts.__dict__, "actions": actions_for(facts)})
