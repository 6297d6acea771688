"""Sentences from :class:`~kaltim_research.report.brief.facts.BriefFacts` (never from the
results dict): the bottom line, the causes, the conclusion, the actions with their addressee,
what changed and the signature block. Every sentence is a template of
templates/brief_text.yaml; every number arrives already rounded in the facts."""
from __future__ import annotations

import math

from kaltim_research.report.brief.attribution import Contribution
from kaltim_research.report.brief.facts_model import (
    Action,
    Amount,
    BriefFacts,
    Changes,
    ProvinceFacts,
    round_to,
)
from kaltim_research.report.brief.text import BriefText, date_text, fmt_param, month_year, year_text
from kaltim_research.report.formatting import (
    NOT_AVAILABLE,
    format_number,
    format_pct,
    format_usd_m,
    is_missing,
)


def money(a: Amount | None, lang: str, signed: bool = False) -> str:
    """A rounded amount with the decimals its step supports (US$0,1 miliar for a step of
    US$100 juta, US$970 juta for a step of US$10 juta)."""
    if a is None or is_missing(a.value_usd_m):
        return NOT_AVAILABLE
    v, step = round_to(a.value_usd_m, a.step), a.step  # rounded here too: never more digits
    scale = 1000.0 if abs(v) >= 999.5 else 1.0
    decimals = 1 if is_missing(step) or step <= 0 else \
        max(0, min(2, -math.floor(math.log10(step / scale))))
    return format_usd_m(v, lang, decimals=decimals, signed=signed)


def money_range(lo: Amount, hi: Amount, lang: str) -> str:
    return f"{money(lo, lang)}\u2013{money(hi, lang)}"


def pct(v: float, lang: str, signed: bool = False) -> str:
    """A percentage with one decimal; a non-zero change that rounds to 0,0 is "<0,1%"."""
    if not is_missing(v) and 0 < abs(v) < 0.05:
        return f"<{format_pct(0.1, 1, lang)}"  # the US$ figure beside it carries the sign
    return format_pct(v, 1, lang, signed=signed)


def join(items: list[str], tx: BriefText) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {tx('labels', 'and')} " + items[-1]


def driver_words(key: str, direction: str, tx: BriefText) -> str:
    entry = (tx.data.get("driver_words") or {}).get(key) or {}
    node = entry.get(direction) or entry.get("up")
    return node[tx.lang] if node else key.replace("_", " ")


def cause(c: Contribution, tx: BriefText) -> str:
    """A contribution named in words: the drivers behind it, each with its direction."""
    if c.is_lever:
        return driver_words(c.key, "up" if c.value_usd_m >= 0 else "down", tx)
    words = []
    for d in c.drivers:
        a = next((x for x in c.assumptions if x.driver == d), None)
        direction = a.direction if a is not None else ("up" if c.value_usd_m >= 0 else "down")
        words.append(driver_words(d, direction, tx))
    return join(list(dict.fromkeys(words)), tx)


def scope(c: Contribution, tx: BriefText) -> str:
    """external|national|provincial|cooperation: of the first driver (the largest)."""
    return (tx.data.get("driver_scope") or {}).get(c.drivers[0] if c.drivers else "", "external")


def reference_text(p: ProvinceFacts, tx: BriefText) -> str:
    r = p.reference
    if r is None:
        return ""
    return tx("sentences", f"ref_{r.kind}", value=money(r.value, tx.lang), year=year_text(r.year))


def summary(facts: BriefFacts, tx: BriefText) -> str:
    """The bottom line: each province against the latest year the model holds (the peak named
    as such) or the baseline, then the largest cause from the attribution."""
    lang, parts = tx.lang, []
    for p in facts.provinces:
        if facts.kind == "baseline":
            change = reference_text(p, tx)
            if p.peak is not None and p.reference is not None and p.peak.year != p.reference.year:
                # the peak named as such, beside the latest year
                change += tx("sentences", "ref_peak", value=money(p.peak.value, lang),
                             year=year_text(p.peak.year))
            change = f", {change}" if change else ""
        elif not p.contributions:
            change = tx("sentences", "summary_unchanged")
        else:
            change = tx("sentences", "summary_change_scenario",
                        diff_usd=money(p.difference, lang, signed=True),
                        diff_pct=pct(p.difference_pct, lang, signed=True))
        parts.append(tx("sentences", "summary_province", province=p.province,
                        year=year_text(p.year), p50=money(p.p50, lang),
                        range=money_range(p.p10, p.p90, lang), change=change))
    best = facts.largest
    if facts.kind == "baseline":
        parts.append(tx("sentences", "summary_driver_baseline"))
    elif best is not None:
        p, c = best
        parts.append(tx("sentences", "summary_cause", cause=cause(c, tx),
                        value=money(Amount(c.value_usd_m, p.difference.step), lang, signed=True),
                        province=p.province))
    return " ".join(parts)


def conclusion(facts: BriefFacts, tx: BriefText, effect) -> list[str]:
    """One sentence per province, from its own attribution; provinces nothing acts on share
    one sentence (no sentence is printed twice)."""
    lang, out, untouched, tails = tx.lang, [], [], set()
    if facts.kind == "baseline":
        items = [tx("sentences", "conclusion_baseline_item", province=p.province,
                    p50=money(p.p50, lang), year=year_text(p.year),
                    range=money_range(p.p10, p.p90, lang)) for p in facts.provinces]
        return [tx("sentences", "conclusion_baseline", items="; ".join(items))]
    for p in facts.provinces:
        c = p.cause
        if c is None:
            untouched.append(p.province)
            continue
        certainty = ""
        if p.paired:
            lo, hi = p.paired
            key = "certainty_positive" if lo.value_usd_m > 0 else \
                "certainty_negative" if hi.value_usd_m < 0 else "certainty_mixed"
            certainty = tx("sentences", key, lo=money(lo, lang, signed=True),
                           hi=money(hi, lang, signed=True))
        if c.is_lever and p.rerouted is not None and p.rerouted.value_usd_m > 0 and \
                p.rerouted.value_usd_m > abs(p.new_exports.value_usd_m if p.new_exports else 0.0):
            # mostly a change of loading port (issue 9): said so rather than "a gain"
            tail = tx("sentences", "tail_rerouted", rerouted=money(p.rerouted, lang),
                      new=money(p.new_exports, lang) if p.new_exports else money(Amount(0.0, 1.0), lang))
        elif c.is_lever:
            tail = tx("sentences", f"tail_lever_{effect(p)}", driver=cause(c, tx))
        else:
            tail = tx("sentences", f"tail_{scope(c, tx)}")
        text = tx("sentences", "conclusion_province", province=p.province,
                  year=year_text(p.year), diff_usd=money(p.difference, lang, signed=True),
                  diff_pct=pct(p.difference_pct, lang, signed=True), cause=cause(c, tx),
                  certainty=certainty)
        # what the cause means is said once, not once per province
        out.append(text if tail in tails else f"{text} {tail}")
        tails.add(tail)
    if untouched:
        out.append(tx("sentences", "conclusion_untouched", provinces=join(untouched, tx)))
    return out


def action_text(a: Action, facts: BriefFacts, tx: BriefText) -> str:
    lang = tx.lang
    p = facts.province(a.province)
    values: dict[str, str] = {"province": a.province,
                              "year": year_text(p.year if p else None)}
    if a.key in ("action_shock_kaltim", "action_shock_kaltara", "action_windfall_kaltim") \
            and p is not None:  # "below the baseline" carries the sign: magnitudes only
        values.update(diff_pct=pct(abs(p.difference_pct), lang),
                      diff_usd=money(Amount(abs(p.difference.value_usd_m), p.difference.step), lang),
                      cause=cause(p.cause, tx) if p.cause else NOT_AVAILABLE)
    elif a.key == "action_ministry":
        drivers = a.value("drivers") or ()
        words = [driver_words(d, _direction(facts, d), tx) for d in drivers]
        effects = [f"{q.province} {money(q.difference, lang, signed=True)}"
                   for q in facts.provinces if q.cause is not None and not q.cause.is_lever]
        values.update(cause=join(words, tx), effects="; ".join(effects))
    elif a.key == "action_export_center":
        values.update(value=money(Amount(a.value("value"), p.difference.step), lang))
        key = "action_export_center_small" if a.value("small") else "action_export_center_large"
        return _addressed(a, tx("sentences", key, **values), tx)
    elif a.key == "action_kihi":
        gross = facts.kihi[0] if facts.kihi else Amount(a.value("value"), p.difference.step)
        kept = tx("sentences", "kihi_retained", retained=money(facts.kihi[1], lang)) \
            if facts.kihi else ""
        values.update(value=money(gross, lang), pct=pct(a.value("pct"), lang), retained=kept)
        key = "action_kihi_material" if a.value("material") else "action_kihi_small"
        return _addressed(a, tx("sentences", key, **values), tx)
    elif a.key == "action_connectivity":
        values.update(value=money(Amount(a.value("value"), p.difference.step), lang))
    elif a.key == "action_coal_kaltim" and p is not None:
        values.update(coal=pct(p.coal_share_pct, lang))
    elif a.key in ("action_range_wide", "action_range_narrow") and p is not None:
        values.update(range=money_range(p.p10, p.p90, lang), p50=money(p.p50, lang))
    return _addressed(a, tx("sentences", a.key, **values), tx)


def _direction(facts: BriefFacts, driver: str) -> str:
    a = next((x for x in facts.changed if x.driver == driver), None)
    return a.direction if a is not None else "down"


def _addressed(a: Action, text: str, tx: BriefText) -> str:
    who = (tx.data.get("addressees") or {}).get(a.addressee) or {}
    return f"{who.get(tx.lang, a.addressee)}: {text}"


def changes_text(ch: Changes | None, facts: BriefFacts, tx: BriefText,
                 labels: dict[str, tuple[str, str, str]]) -> str:
    """What changed: the releases (source, province, period before -> after), the assumptions
    (before -> after) and each headline median before -> after."""
    if ch is None:
        return ""
    lang, items = tx.lang, []
    rel = []
    for r in ch.releases:
        after = month_year(*r.after, tx) if r.after else NOT_AVAILABLE
        before = month_year(*r.before, tx) if r.before else NOT_AVAILABLE
        key = "changes_release_bps" if r.source == "bps" else "changes_release_prices"
        rel.append(tx("sentences", key, province=r.province, after=after, before=before))
    if rel:
        items.append(tx("sentences", "changes_releases", items="; ".join(rel)))
    elif "data" in ch.inputs:
        items.append(tx("sentences", "changes_resources",
                        count=format_number(ch.resources_added, 0, lang)))
    params = []
    for name, before, after in ch.parameters:
        label, unit, shown = labels.get(name, (name, "", ""))
        params.append(tx("sentences", "changes_parameter_item", name=label,
                         before=fmt_param(before, unit, shown, lang),
                         after=fmt_param(after, unit, shown, lang)))
    if params:
        items.append(tx("sentences", "changes_parameters", names="; ".join(params)))
    heads = [tx("sentences", "changes_item", province=prov, before=money(b, lang),
                after=money(a, lang), change_pct=pct(c, lang, signed=True))
             for prov, b, a, c in ch.headlines]
    if heads:
        items.append(tx("sentences", "changes_headlines", items="; ".join(heads)))
    names = [tx("labels", f"input_{k}") for k in ch.inputs]
    return tx("sentences", "changes",
              date=f" ({date_text(ch.previous_date, tx)})" if ch.previous_date else "",
              inputs=join(names, tx), items=" ".join(items))


def signature(facts: BriefFacts, tx: BriefText) -> list[str]:
    """Place and date, position, name and NIP placeholders (filled in by the signatory)."""
    return [tx("signature", "place_date", date=date_text(facts.brief_date, tx)),
            tx("signature", "position"), tx("signature", "name"), tx("signature", "nip")]


def brief_numbers(facts_or_results, lang: str = "id") -> list[str]:
    """Formatted headline strings that must appear in both the PDF and the DOCX: per
    province the median, the P10–P90 range and, for a scenario, the difference from the
    baseline in US$ and percent (as rounded in the facts)."""
    from kaltim_research.report.brief.facts import brief_facts  # facts never imports wording

    facts = facts_or_results if isinstance(facts_or_results, BriefFacts) \
        else brief_facts(facts_or_results)
    out: list[str] = []
    for p in facts.provinces:
        vals = [money(p.p50, lang)]
        if not (is_missing(p.p10.value_usd_m) or is_missing(p.p90.value_usd_m)):
            vals.append(money_range(p.p10, p.p90, lang))
        if facts.kind != "baseline" and p.contributions:
            vals += [money(p.difference, lang, signed=True),
                     pct(p.difference_pct, lang, signed=True)]
        out += [v for v in vals if v != NOT_AVAILABLE and v not in out]
    return out
