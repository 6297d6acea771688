"""What changed since the previous brief, as facts (from changes.json in ``results``):
which releases moved (source, province, period before -> after), which assumptions
(before -> after) and each headline median before -> after."""
from __future__ import annotations

from kaltim_research.report.brief.facts_model import (
    KALTIM,
    Amount,
    Changes,
    Release,
    amount,
    supported_step,
)
from kaltim_research.report.brief.text import num


def _period(e: dict | None) -> tuple[int, int] | None:
    if not isinstance(e, dict) or e.get("year") is None or e.get("month") is None:
        return None
    return int(e["year"]), int(e["month"])


def releases(previous: dict | None, current: dict | None) -> tuple[Release, ...]:
    """Releases whose period differs between two ``data_vintage`` dicts (BPS exports per
    province, then commodity prices)."""
    prev, cur = previous or {}, current or {}
    before = {e.get("province"): _period(e) for e in prev.get("exports") or []}
    out = []
    for e in sorted(cur.get("exports") or [], key=lambda e: (e.get("province") != KALTIM,
                                                              str(e.get("province")))):
        b, a = before.get(e.get("province")), _period(e)
        if b != a:
            out.append(Release("bps", str(e.get("province")), b, a))
    b, a = _period(prev.get("prices")), _period(cur.get("prices"))
    if b != a and a is not None:
        out.append(Release("prices", "", b, a))
    return tuple(out)


def changes_of(results: dict) -> Changes | None:
    ch = results.get("changes")
    if not isinstance(ch, dict) or not ch.get("inputs_changed"):
        return None
    prev, cur = ch.get("previous") or {}, ch.get("current") or {}
    heads: list[tuple[str, Amount, Amount, float]] = []
    steps = {h.get("province"): float(h.get("rounding_usd_m") or supported_step(
        num(h, "total_p90") - num(h, "total_p10"))) for h in results.get("headline") or []
             if isinstance(h, dict)}  # the headline's own rounding
    for r in sorted(ch.get("headlines") or [], key=lambda r: (r.get("province") != KALTIM,
                                                              str(r.get("province")))):
        step = steps.get(r.get("province"), float("nan"))
        heads.append((str(r.get("province")), amount(num(r, "before_usd_m"), step),
                      amount(num(r, "after_usd_m"), step), num(r, "change_pct")))
    return Changes(previous_date=str(prev.get("created") or "")[:10],
                   inputs=tuple(ch["inputs_changed"]),
                   releases=releases(prev.get("data_vintage"), cur.get("data_vintage")
                                     or results.get("data_vintage")),
                   resources_added=len(ch.get("data_resources_added") or []),
                   parameters=tuple((str(p.get("name")), p.get("before"), p.get("after"))
                                    for p in ch.get("parameters_changed") or []),
                   headlines=tuple(heads))
