"""Section 4 of the brief, *Analisis*: the findings, the fan chart and the scenario comparison
table, built from the results dict (sentences from templates/brief_text.yaml, choices from
:mod:`rules`)."""

from __future__ import annotations

from kaltim_research.report.brief.extras import fiscal_and_jobs
from kaltim_research.report.brief.facts_model import Amount, BriefFacts, ProvinceFacts
from kaltim_research.report.brief.figure import render_fan_chart
from kaltim_research.report.brief.model import (
    CHART_H_CM,
    CHART_W_CM,
    Block,
    Figure,
    Item,
    Table,
)
from kaltim_research.report.brief.rules import KALTIM, ordered
from kaltim_research.report.brief.text import (
    BriefText,
    billions,
    draws_text,
    letters,
    num,
    unit_label,
    year_text,
)
from kaltim_research.report.brief.wording import cause, money, money_range
from kaltim_research.report.formatting import (
    NOT_AVAILABLE,
    format_number,
    format_pct,
    is_missing,
)


def province_trajectory(results: dict, province: str) -> dict:
    """The province's row of ``results["trajectory"]`` ({} if none)."""
    return next((t for t in results.get("trajectory") or [] if t.get("province") == province), {})


def _pct_change(a: float, b: float, lang: str) -> str:
    if is_missing(a) or is_missing(b) or not a:
        return NOT_AVAILABLE
    return format_pct((b / a - 1) * 100.0, 1, lang, signed=True)


def coal_price_text(v: float, tx: BriefText) -> str:
    """A coal price as the reader writes it (e.g. ``95 US$/t``)."""
    if is_missing(v):
        return NOT_AVAILABLE
    return f"{format_number(v, 0 if float(v).is_integer() else 1, tx.lang)} {unit_label('US$/t', tx)}"


def _trajectory_item(p: ProvinceFacts, tx: BriefText) -> str | None:
    """From the latest year the model holds (nowcast or full year) to the headline year; the
    cause is the conclusion's (from the attribution), not a guess from two prices."""
    r = p.reference
    if r is None or is_missing(p.p50.value_usd_m) or not r.value.value_usd_m:
        return None
    change = (p.p50.value_usd_m / r.value.value_usd_m - 1) * 100.0
    return tx("sentences", "finding_trajectory_item", province=p.province,
              then=money(r.value, tx.lang), period=tx("sentences", f"period_{r.kind}",
                                                      year=year_text(r.year)),
              p50=money(p.p50, tx.lang), year=year_text(p.year),
              change_pct=format_pct(change, 1, tx.lang, signed=True))


def _findings(results: dict, facts: BriefFacts, tx: BriefText) -> list[str]:
    lang = tx.lang
    findings: list[str] = []
    for p in facts.provinces:
        vs = ""
        if facts.kind != "baseline" and p.contributions:
            vs = tx("sentences", "finding_vs_baseline",
                    diff_usd=money(p.difference, lang, signed=True),
                    diff_pct=format_pct(p.difference_pct, 1, lang, signed=True),
                    baseline=money(p.baseline_mean, lang))
            if p.paired:
                vs += tx("sentences", "finding_paired", lo=money(p.paired[0], lang, signed=True),
                         hi=money(p.paired[1], lang, signed=True))
        findings.append(tx("sentences", "finding_province", province=p.province,
                           basis=tx.basis(p.basis), year=year_text(p.year),
                           p50=money(p.p50, lang), mean=money(p.mean, lang),
                           range=money_range(p.p10, p.p90, lang), vs_baseline=vs))
    items = [i for i in (_trajectory_item(p, tx) for p in facts.provinces) if i]
    if items:
        findings.append(tx("sentences", "finding_trajectory", items="; ".join(items)))
    # The latest partial-year figures stand in the facts table with their period (section 3).
    items = []
    for p in facts.provinces:
        parts = [f"{cause(c, tx)} {money(Amount(c.value_usd_m, p.difference.step), lang, signed=True)}"
                 for c in p.contributions]
        if p.new_exports is not None and p.rerouted is not None and p.rerouted.value_usd_m:
            parts.append(tx("sentences", "finding_new_rerouted",
                            new=money(p.new_exports, lang, signed=True),
                            rerouted=money(p.rerouted, lang, signed=True)))
        if parts:
            items.append(tx("sentences", "finding_components_item", province=p.province,
                            parts=", ".join(parts)))
    if items:
        findings.append(tx("sentences", "finding_components", year=year_text(facts.provinces[0].year),
                           items="; ".join(items)))
    items = [tx("sentences", "finding_structure_item", province=p.province,
                coal=format_pct(p.coal_share_pct, 1, lang),
                coal_baseline=format_pct(p.coal_share_baseline_pct, 1, lang))
             for p in facts.provinces if not is_missing(p.coal_share_pct)]
    if items:
        findings.append(tx("sentences", "finding_structure", year=year_text(facts.provinces[0].year),
                           items="; ".join(items)))
    # The budget and jobs lines are in every brief, outside the cap on the other findings
    # (issue 19: they were cut from every brief but the baseline's).
    return findings[: int(tx.rules["max_findings"])] + fiscal_and_jobs(facts, tx)


def _comparison_table(results: dict, rows_in: list[dict] | None, tx: BriefText) -> Table | None:
    """One row per scenario; per province the median, P10–P90 and mean difference from the
    baseline, in US$ billion (Kaltim, then Kaltara; never added)."""
    lang = tx.lang
    rows_src = [r for r in (rows_in if rows_in is not None else (results.get("comparison") or []))
                if isinstance(r, dict)]
    if not rows_src:
        return None
    by_scenario: dict[str, dict] = {}
    for r in rows_src:
        by_scenario.setdefault(str(r.get("scenario")), {})[r.get("province")] = r
    baseline = by_scenario.get("baseline", {})
    provinces = [p for p in (KALTIM, "Kalimantan Utara")]
    rows = []
    for name, per in by_scenario.items():
        first = next(iter(per.values()))
        title = first.get(f"title_{lang}") or first.get("title") or name
        row = [str(title)]
        for prov in provinces:
            r = per.get(prov)
            if r is None:
                row += [NOT_AVAILABLE] * 3
                continue
            p50 = num(r, "total_p50")
            p50 = num(r, "total_mean") if is_missing(p50) else p50
            diff = num(r, "difference_mean")
            if is_missing(diff) and prov in baseline:
                diff = num(r, "total_mean") - num(baseline[prov], "total_mean")
            row += [billions(p50, lang),
                    f"{billions(num(r, 'total_p10'), lang)}\u2013{billions(num(r, 'total_p90'), lang)}",
                    NOT_AVAILABLE if name == "baseline" else billions(diff, lang, signed=True)]
        rows.append(row)
    year = rows_src[0].get("year")
    return Table(header=list(tx.get("tables", "comparison")), rows=rows,
                 col_widths_cm=[4.6, 2.0, 2.2, 1.7, 2.0, 2.2, 1.7],
                 caption=tx("tables", "comparison_caption", year=year_text(year),
                            draws=draws_text(results, lang)))


def section_analysis(results: dict, facts: BriefFacts, tx: BriefText,
                     comparison: list[dict] | None) -> list[Block]:
    lang = tx.lang
    findings = _findings(results, facts, tx)
    blocks: list[Block] = [
        Item(lbl, text) for lbl, text in zip(letters(len(findings)), findings, strict=True)
    ]
    fans = ordered(results.get("fan_charts") or ([results["fan_chart"]]
                                                  if isinstance(results.get("fan_chart"), dict)
                                                  else []))
    png = render_fan_chart(fans, results, lang) if fans else None
    if png is not None:
        bases = results.get("bases") or {}
        names = [f"{f.get('province')} ({tx.basis(f.get('basis') or bases.get(f.get('province')))})"
                 for f in fans]
        provinces = names[0] if len(names) == 1 else \
            ", ".join(names[:-1]) + f" {tx('labels', 'and')} {names[-1]}"
        blocks.append(Figure(png=png, width_cm=CHART_W_CM, height_cm=CHART_H_CM,
                             caption=tx("chart", "caption", provinces=provinces)))
    table = _comparison_table(results, comparison, tx)
    if table is not None:
        blocks.append(table)
    return blocks
