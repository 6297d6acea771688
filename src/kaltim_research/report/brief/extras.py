"""Optional brief lines: what changed since the previous brief (changes.json) and the
fiscal (DBH) and jobs lines when the results carry them."""
from __future__ import annotations

from kaltim_research.report.brief.rules import (
    KALTIM,
    ordered,
)
from kaltim_research.report.brief.text import (
    BriefText,
    date_text,
    num,
    usd,
    year_text,
)
from kaltim_research.report.formatting import (
    format_number,
    format_pct,
    is_missing,
)


def changes_text(results: dict, tx: BriefText) -> str:
    """"Perubahan sejak telaah sebelumnya" from ``results["changes"]`` (changes.json)."""
    ch = results.get("changes")
    if not isinstance(ch, dict) or not ch.get("inputs_changed"):
        return ""
    lang = tx.lang
    names = [tx("labels", f"input_{k}") for k in ch["inputs_changed"]]
    inputs = names[0] if len(names) == 1 else \
        ", ".join(names[:-1]) + f" {tx('labels', 'and')} {names[-1]}"
    items = []
    for r in ordered(ch.get("headlines") or []):
        items.append(tx("sentences", "changes_item", province=str(r.get("province")),
                        before=usd(num(r, "before_usd_m"), lang),
                        after=usd(num(r, "after_usd_m"), lang),
                        change_pct=format_pct(num(r, "change_pct"), 1, lang, signed=True)))
    if ch.get("data_resources_added"):
        items.append(tx("sentences", "changes_resources",
                        count=format_number(len(ch["data_resources_added"]), 0, lang)))
    labels = {a.get("name"): a.get(f"label_{lang}") for a in results.get("assumptions") or []}
    params = [labels.get(p.get("name")) or "" for p in ch.get("parameters_changed") or []]
    if any(params):
        items.append(tx("sentences", "changes_parameters", names=", ".join(p for p in params if p)))
    prev = (ch.get("previous") or {}).get("created")
    return tx("sentences", "changes", date=f" ({date_text(str(prev)[:10], tx)})" if prev else "",
              inputs=inputs, items=" ".join(items))



def fiscal_and_jobs(results: dict, tx: BriefText) -> list[str]:
    """DBH and jobs lines when the results carry ``fiscal`` / ``jobs`` (headline year)."""
    lang, out = tx.lang, []
    hy = (results.get("horizon") or {}).get("headline_year")
    fiscal = ordered([f for f in results.get("fiscal") or [] if f.get("year") == hy])
    items = []
    for f in fiscal:
        if f.get("dbh_cash_estimable") is False:  # no allocation of its own: say so, no number
            items.append(tx("sentences", "finding_fiscal_not_estimable",
                            province=str(f.get("province")),
                            accrual=format_number(num(f, "dbh_accrual_idr_bn_p50"), 0, lang)))
            continue
        diff = num(f, "dbh_difference_idr_bn_p50")
        items.append(tx("sentences", "finding_fiscal_item", province=str(f.get("province")),
                        dbh=format_number(num(f, "dbh_province_idr_bn_p50"), 0, lang),
                        lo=format_number(num(f, "dbh_province_idr_bn_p10"), 0, lang),
                        hi=format_number(num(f, "dbh_province_idr_bn_p90"), 0, lang),
                        diff="" if is_missing(diff) or round(diff) == 0 else
                        tx("sentences", "finding_fiscal_diff",
                           diff=("+" if diff > 0 else "-") + format_number(abs(diff), 0, lang))))
    if items:
        out.append(tx("sentences", "finding_fiscal", year=year_text(hy), items="; ".join(items)))
    jobs: dict[str, list[float]] = {}
    sectors: dict[str, dict[str, float]] = {}
    for j in results.get("jobs") or []:
        if j.get("year") == hy and not is_missing(j.get("jobs_p50")):
            jobs.setdefault(j.get("province"), [0.0, 0.0])
            jobs[j["province"]][0] += float(j["jobs_p50"])
            jobs[j["province"]][1] += 0.0 if is_missing(j.get("jobs_difference_p50")) else \
                float(j["jobs_difference_p50"])
            sectors.setdefault(j["province"], {})[str(j.get("sector"))] = float(j["jobs_p50"])
    items = [tx("sentences", "finding_jobs_item", province=str(p),
                jobs=format_number(v[0], 0, lang),
                sectors=", ".join(f"{tx('sentences', 'job_sector_' + k)} {format_number(x, 0, lang)}"
                                  for k, x in sectors.get(p, {}).items() if round(x) != 0),
                diff="" if round(v[1]) == 0 else tx("sentences", "finding_jobs_diff", diff=(
                    "+" if v[1] > 0 else "-") + format_number(abs(v[1]), 0, lang)))
             for p, v in sorted(jobs.items(), key=lambda kv: (kv[0] != KALTIM, kv[0]))]
    if items:
        out.append(tx("sentences", "finding_jobs", year=year_text(hy), items="; ".join(items)))
    return out


