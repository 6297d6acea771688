"""Section 4 of the brief, *Analisis*: the findings, the fan chart and the scenario comparison
table, built from the results dict (sentences from templates/brief_text.yaml, choices from
:mod:`rules`)."""

from __future__ import annotations

from kaltim_research.report.brief.extras import fiscal_and_jobs as _fiscal_and_jobs
from kaltim_research.report.brief.figure import render_fan_chart
from kaltim_research.report.brief.model import (
    CHART_H_CM,
    CHART_W_CM,
    Block,
    Figure,
    Item,
    Table,
)
from kaltim_research.report.brief.rules import (
    KALTIM,
    hl_rows,
    lever_parts,
    median_or_mean,
    ordered,
    paired_range,
    scenario_kind,
)
from kaltim_research.report.brief.text import (
    BriefText,
    basis_of,
    billions,
    draws_text,
    letters,
    num,
    period_label,
    unit_label,
    usd,
    usd_range,
    year_text,
)
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


def _trajectory_item(h: dict, t: dict, tx: BriefText) -> str | None:
    """Change from the last full year to the headline year, and its main cause."""
    lang = tx.lang
    lf = t.get("last_full_year") or {}
    then, p50 = num(lf, "value_usd_m"), median_or_mean(h)
    if is_missing(then) or is_missing(p50):
        return None
    base_change = num(t, "baseline_component_mean") - then
    levers = num(t, "levers_mean")
    if not is_missing(levers) and abs(levers) > abs(base_change):
        parts = lever_parts(h)
        key = max(parts, key=lambda k: abs(parts[k])) if parts else "baseline"
        cause = tx("sentences", "cause_levers", driver=tx.component(key))
    else:
        pt, ph = num(t, "coal_price_then"), num(t, "coal_price_headline")
        if is_missing(pt) or is_missing(ph):
            cause = tx("sentences", "cause_commodities")
        else:
            key = "cause_prices_down" if ph < pt else "cause_prices_up"
            cause = tx("sentences", key, then=coal_price_text(pt, tx), now=coal_price_text(ph, tx))
    return tx("sentences", "finding_trajectory_item", province=str(h.get("province")),
              then=usd(then, lang), period=period_label("year", lf.get("year"), 12, tx,
                                                        bool(lf.get("is_derived"))),
              p50=usd(p50, lang), year=year_text(h.get("year")),
              change_pct=_pct_change(then, p50, lang), cause=cause)


def _findings(results: dict, tx: BriefText) -> list[str]:
    lang, kind = tx.lang, scenario_kind(results)
    hl = hl_rows(results)
    findings: list[str] = []
    for h in hl:
        vs = ""
        if kind != "baseline":
            vs = tx("sentences", "finding_vs_baseline",
                    diff_usd=usd(num(h, "difference_mean"), lang, signed=True),
                    diff_pct=format_pct(num(h, "difference_pct"), 1, lang, signed=True),
                    baseline=usd(num(h, "baseline_mean"), lang))
            pr = paired_range(h)
            if pr:
                vs += tx("sentences", "finding_paired", lo=usd(pr[0], lang, signed=True),
                         hi=usd(pr[1], lang, signed=True))
        findings.append(tx("sentences", "finding_province", province=str(h.get("province")),
                           basis=tx.basis(basis_of(results, h)), year=year_text(h.get("year")),
                           p50=usd(median_or_mean(h), lang), mean=usd(num(h, "total_mean"), lang),
                           range=usd_range(num(h, "total_p10"), num(h, "total_p90"), lang),
                           vs_baseline=vs))
    items = [i for i in (_trajectory_item(h, province_trajectory(results, h.get("province")), tx) for h in hl)
             if i]
    if items:
        findings.append(tx("sentences", "finding_trajectory", items="; ".join(items)))
    # The latest published figure when it covers part of a year: said so, never set silently
    # beside a full-year projection.
    items = []
    for h in hl:
        la = province_trajectory(results, h.get("province")).get("latest") or h.get("last_actual") or {}
        months = la.get("months")
        if la.get("period_type") in ("ytd", "month") and not is_missing(la.get("value_usd_m")):
            items.append(tx("sentences", "finding_latest_item", province=str(h.get("province")),
                            value=usd(num(la, "value_usd_m"), lang),
                            period=period_label(la.get("period_type"), la.get("year"),
                                                la.get("month"), tx),
                            note=tx("periods", "month_note") if la.get("period_type") == "month"
                            else tx("periods", "months_note",
                                    months=format_number(months or la.get("month"), 0, lang))))
    if items:
        findings.append(tx("sentences", "finding_latest_partial", items="; ".join(items)))
    if kind != "baseline":
        items = []
        for h in hl:
            if not is_missing(h.get("new_exports_mean")) and not is_missing(h.get("rerouted_mean")):
                items.append(tx("sentences", "finding_new_rerouted", province=str(h.get("province")),
                                new=usd(num(h, "new_exports_mean"), lang, signed=True),
                                rerouted=usd(num(h, "rerouted_mean"), lang, signed=True)))
                continue
            parts = [f"{tx.component(k)} {usd(v, lang, signed=True)}"
                     for k, v in lever_parts(h).items() if round(v, 1) != 0.0]
            if parts:
                items.append(tx("sentences", "finding_components_item",
                                province=str(h.get("province")), parts=", ".join(parts)))
        if items:
            findings.append(tx("sentences", "finding_components", year=year_text(hl[0].get("year")),
                               items="; ".join(items)))
    items = [tx("sentences", "finding_structure_item", province=str(h.get("province")),
                coal=format_pct(num(h, "coal_share_pct"), 1, lang),
                coal_baseline=format_pct(num(h, "coal_share_baseline_pct"), 1, lang))
             for h in hl if not is_missing(h.get("coal_share_pct"))]
    if items and hl:
        findings.append(tx("sentences", "finding_structure", year=year_text(hl[0].get("year")),
                           items="; ".join(items)))
    # The budget and jobs lines are in every brief, outside the cap on the other findings
    # (issue 19: they were cut from every brief but the baseline's).
    return findings[: int(tx.rules["max_findings"])] + _fiscal_and_jobs(results, tx)


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


def section_analysis(results: dict, tx: BriefText, comparison: list[dict] | None) -> list[Block]:
    lang = tx.lang
    findings = _findings(results, tx)
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
