"""The fiscal (DBH) and jobs lines of the brief, from its facts."""
from __future__ import annotations

from kaltim_research.report.brief.text import BriefText, year_text
from kaltim_research.report.formatting import NOT_AVAILABLE, format_number, is_missing


def fiscal_and_jobs(facts, tx: BriefText) -> list[str]:
    """DBH and jobs lines of every province for every scenario, from the facts: a figure
    when estimated, else said to be not estimable or not computed (labelled as partial: DBH
    counts coal royalties only; jobs count the sectors the model carries)."""
    lang, out = tx.lang, []
    year = year_text(facts.provinces[0].year) if facts.provinces else NOT_AVAILABLE
    items = []
    for p in facts.provinces:
        f = p.fiscal
        if f.status == "not_estimable":  # cash cannot be estimated: the entitlement instead
            items.append(tx("sentences", "finding_fiscal_not_estimable", province=p.province,
                            accrual=format_number(f.value, 0, lang)))
            continue
        if f.status != "ok":
            items.append(tx("sentences", f"finding_fiscal_{f.status}", province=p.province))
            continue
        diff = f.difference
        items.append(tx("sentences", "finding_fiscal_item", province=p.province,
                        dbh=format_number(f.value, 0, lang),
                        lo=format_number(f.low, 0, lang), hi=format_number(f.high, 0, lang),
                        diff="" if is_missing(diff) or round(diff) == 0 else
                        tx("sentences", "finding_fiscal_diff",
                           diff=("+" if diff > 0 else "-") + ("Rp" if lang == "id" else "IDR ")
                           + format_number(abs(diff), 0, lang))))
    if items:
        out.append(tx("sentences", "finding_fiscal", year=year, items="; ".join(items)))
    items = []
    for p in facts.provinces:
        j = p.jobs
        if j.status != "ok":
            items.append(tx("sentences", "finding_jobs_missing", province=p.province))
            continue
        d = j.difference
        sectors = ", ".join(f"{tx('sentences', 'job_sector_' + k)} {format_number(x, 0, lang)}"
                            for k, x in j.parts if round(x) != 0)
        items.append(tx("sentences", "finding_jobs_item", province=p.province,
                        jobs=format_number(j.value, 0, lang), sectors=sectors,
                        diff="" if is_missing(d) or round(d) == 0 else
                        tx("sentences", "finding_jobs_diff",
                           diff=("+" if d > 0 else "-") + format_number(abs(d), 0, lang))))
    if items:
        out.append(tx("sentences", "finding_jobs", year=year, items="; ".join(items)))
    return out
