"""What the brief says, built from the results dict as a :class:`BriefContent`.

The content is a tested data structure; the PDF and DOCX renderers only lay it out."""

from __future__ import annotations

import math

from kaltim_research.report.brief.figure import render_fan_chart
from kaltim_research.report.brief.model import (
    CHART_H_CM,
    CHART_W_CM,
    Block,
    BriefContent,
    Figure,
    Item,
    Para,
    Section,
    Table,
)
from kaltim_research.report.brief.text import (
    BriefText,
    basis_of,
    brief_numbers,
    date_text,
    draws_text,
    fmt_range,
    fmt_value,
    headline_strings,
    headlines,
    letters,
    num,
    scenario_title,
    short_hash,
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

# --------------------------------------------------------------------------- content


def _section_issue(results: dict, tx: BriefText) -> list[Block]:
    horizon = results.get("horizon") or {}
    hl = headlines(results)
    year = horizon.get("headline_year") or (hl[0].get("year") if hl else None)
    return [Para(tx("sentences", "issue", year=year_text(year), scenario=scenario_title(results, tx.lang)))]


def _section_assumptions(results: dict, tx: BriefText) -> list[Block]:
    lang = tx.lang
    sc = results.get("scenario") or {}
    description = sc.get(f"description_{lang}") or sc.get("description") or ""
    blocks: list[Block] = [
        Para(
            tx(
                "sentences",
                "scenario",
                scenario=scenario_title(results, lang),
                name=str(sc.get("name") or NOT_AVAILABLE),
                modifies=str(sc.get("modifies") or NOT_AVAILABLE),
                date=date_text(sc.get("date"), tx),
                description=" ".join(str(description).split()),
            ).strip()
        )
    ]
    rows = []
    for a in results.get("assumptions") or []:
        if not isinstance(a, dict):
            continue
        label = a.get(f"label_{lang}") or a.get("label") or a.get("name") or NOT_AVAILABLE
        rows.append(
            [
                str(label),
                fmt_value(a.get("value"), a.get("unit"), lang),
                fmt_range(a.get("range"), a.get("unit"), lang),
                str(a.get("source") or NOT_AVAILABLE),
            ]
        )
    if rows:
        blocks.append(Para(tx("sentences", "assumptions_intro")))
        blocks.append(
            Table(header=list(tx.get("tables", "assumptions")), rows=rows, col_widths_cm=[5.0, 1.9, 2.6, 7.7])
        )
    else:
        blocks.append(Para(tx("sentences", "no_assumptions")))
    refs = [str(r) for r in (sc.get("references") or []) if r]
    if refs:
        blocks.append(Para(tx("sentences", "references", references="; ".join(refs)), style="small"))
    # One sentence: the provinces are on different bases and are never added.
    bases: dict[str, str] = dict(results.get("bases") or {})
    for h in headlines(results):
        if h.get("province") and h.get("basis"):
            bases.setdefault(h["province"], h["basis"])
    if len(bases) >= 2 or len(headlines(results)) >= 2:
        listed = ", ".join(f"{p} {tx.basis(b)}" for p, b in bases.items())
        blocks.append(Para(tx("sentences", "bases_note", bases=listed)))
    return blocks


def _section_facts(results: dict, tx: BriefText) -> list[Block]:
    lang = tx.lang
    blocks: list[Block] = []
    vintage = (results.get("provenance") or {}).get("data_vintage")
    if vintage:
        blocks.append(Para(tx("sentences", "vintage", vintage=str(vintage))))
    rows = []
    for f in results.get("facts") or []:
        if not isinstance(f, dict):
            continue
        text = f.get(f"text_{lang}") or f.get("text") or NOT_AVAILABLE
        if "value_usd_m" in f:
            value = usd(num(f, "value_usd_m"), lang)
        elif "value_pct" in f:
            value = format_pct(num(f, "value_pct"), 1, lang)
        else:
            value = fmt_value(f.get("value"), f.get("unit"), lang)
        rows.append([str(text), value, str(f.get("source_url") or f.get("source") or NOT_AVAILABLE)])
    if rows:
        blocks.append(Table(header=list(tx.get("tables", "facts")), rows=rows, col_widths_cm=[6.8, 2.5, 7.9]))
    elif not blocks:
        blocks.append(Para(tx("sentences", "no_facts")))
    return blocks


def _findings(results: dict, tx: BriefText) -> list[str]:
    lang = tx.lang
    hl = headlines(results)
    findings: list[str] = []
    for h in hl:
        s = headline_strings(h, lang)
        findings.append(
            tx(
                "sentences",
                "finding_province",
                province=str(h.get("province")),
                basis=tx.basis(basis_of(results, h)),
                year=year_text(h.get("year")),
                **s,
            )
        )
    # Lever contributions (non-zero components other than the baseline).
    items = []
    for h in hl:
        comps = h.get("components_mean") or {}
        parts = [
            f"{tx.component(k)} {usd(float(v), lang, signed=True)}"
            for k, v in comps.items()
            if k != "baseline" and not is_missing(v) and round(float(v), 1) != 0.0
        ]
        items.append(
            tx(
                "sentences",
                "finding_components_item",
                province=str(h.get("province")),
                parts=", ".join(parts) if parts else tx("labels", "none"),
            )
        )
    if items:
        findings.append(
            tx("sentences", "finding_components", year=year_text(hl[0].get("year")), items="; ".join(items))
        )
    # Structure: coal share and product concentration.
    items = []
    for h in hl:
        if is_missing(h.get("coal_share_pct")) and is_missing(h.get("hhi_product")):
            continue
        items.append(
            tx(
                "sentences",
                "finding_structure_item",
                province=str(h.get("province")),
                coal=format_pct(num(h, "coal_share_pct"), 1, lang),
                coal_baseline=format_pct(num(h, "coal_share_baseline_pct"), 1, lang),
                hhi=format_number(num(h, "hhi_product"), 2, lang),
                hhi_baseline=format_number(num(h, "hhi_product_baseline"), 2, lang),
            )
        )
    if items:
        findings.append(
            tx("sentences", "finding_structure", year=year_text(hl[0].get("year")), items="; ".join(items))
        )
    # Latest actuals, for scale.
    items = []
    for h in hl:
        la = h.get("last_actual")
        if not isinstance(la, dict) or is_missing(la.get("value_usd_m")):
            continue
        items.append(
            tx(
                "sentences",
                "finding_last_actual_item",
                province=str(h.get("province")),
                value=usd(num(la, "value_usd_m"), lang),
                year=year_text(la.get("year")),
                note=str(la.get("basis") or tx.basis(basis_of(results, h))),
            )
        )
    if items:
        findings.append(tx("sentences", "finding_last_actual", items="; ".join(items)))
    return findings[: int(tx.rules["max_findings"])]


def _comparison_table(results: dict, rows_in: list[dict] | None, tx: BriefText) -> Table | None:
    lang = tx.lang
    rows_src = rows_in if rows_in is not None else (results.get("comparison") or [])
    rows = []
    for r in rows_src:
        if not isinstance(r, dict):
            continue
        title = r.get(f"title_{lang}") or r.get("title") or r.get("scenario") or NOT_AVAILABLE
        province = r.get("province") or NOT_AVAILABLE
        basis = tx.basis(basis_of(results, r))
        rows.append(
            [
                str(title),
                f"{province} ({basis})",
                year_text(r.get("year")),
                usd(num(r, "total_mean"), lang),
                usd_range(num(r, "total_p10"), num(r, "total_p90"), lang),
                format_pct(num(r, "coal_share_pct"), 1, lang),
            ]
        )
    if not rows:
        return None
    return Table(
        header=list(tx.get("tables", "comparison")),
        rows=rows,
        col_widths_cm=[3.4, 4.3, 1.2, 2.3, 4.1, 1.9],
        caption=tx("tables", "comparison_caption", draws=draws_text(results, lang)),
    )


def _section_analysis(results: dict, tx: BriefText, comparison: list[dict] | None) -> list[Block]:
    lang = tx.lang
    findings = _findings(results, tx)
    blocks: list[Block] = [
        Item(lbl, text) for lbl, text in zip(letters(len(findings)), findings, strict=True)
    ]
    fan = results.get("fan_chart")
    png = render_fan_chart(fan, results, lang) if isinstance(fan, dict) else None
    if png is not None:
        province = fan.get("province") or NOT_AVAILABLE
        basis = tx.basis(fan.get("basis") or (results.get("bases") or {}).get(province))
        blocks.append(
            Figure(
                png=png,
                width_cm=CHART_W_CM,
                height_cm=CHART_H_CM,
                caption=tx("chart", "caption", province=province, basis=basis),
            )
        )
    table = _comparison_table(results, comparison, tx)
    if table is not None:
        blocks.append(table)
    return blocks


def _section_conclusion(results: dict, tx: BriefText) -> list[Block]:
    lang = tx.lang
    rules = tx.rules
    blocks: list[Block] = []
    coal_items = []
    for h in headlines(results):
        diff = num(h, "difference_mean")
        band = num(h, "total_p90") - num(h, "total_p10")
        if not (is_missing(diff) or is_missing(band)):
            key = (
                "conclusion_effect_small"
                if abs(diff) < float(rules["effect_vs_band_ratio"]) * band
                else "conclusion_effect_large"
            )
            blocks.append(
                Para(
                    tx(
                        "sentences",
                        key,
                        province=str(h.get("province")),
                        diff_usd=usd(diff, lang, signed=True),
                        diff_pct=format_pct(num(h, "difference_pct"), 1, lang, signed=True),
                        band=usd(band, lang),
                    )
                )
            )
        coal = num(h, "coal_share_pct")
        if not is_missing(coal) and coal >= float(rules["coal_dependence_pct"]):
            coal_items.append(
                tx(
                    "sentences",
                    "conclusion_coal_item",
                    province=str(h.get("province")),
                    coal=format_pct(coal, 1, lang),
                )
            )
    if coal_items:
        blocks.append(Para(tx("sentences", "conclusion_coal", items="; ".join(coal_items))))
    return blocks


def _component_share(h: dict, key: str) -> tuple[float, float]:
    comps = h.get("components_mean") or {}
    value = comps.get(key)
    value = math.nan if is_missing(value) else float(value)
    base = num(h, "baseline_mean")
    if is_missing(base):
        base = num(comps, "baseline")
    pct = value / base * 100.0 if not is_missing(value) and base and base > 0 else math.nan
    return value, pct


def _actions(results: dict, tx: BriefText) -> list[str]:
    lang = tx.lang
    rules = tx.rules
    hl = headlines(results)
    actions: list[str] = []

    def largest(key: str) -> tuple[dict, float, float] | None:
        best = None
        for h in hl:
            value, pct = _component_share(h, key)
            if is_missing(value) or round(value, 1) == 0.0:
                continue
            if best is None or value > best[1]:
                best = (h, value, pct)
        return best

    ec = largest("export_center")
    if ec is not None:
        h, value, pct = ec
        thr = float(rules["export_center_small_pct"])
        key = (
            "action_export_center_small"
            if not is_missing(pct) and pct < thr
            else "action_export_center_large"
        )
        actions.append(
            tx(
                "sentences",
                key,
                value=usd(value, lang),
                pct=format_pct(pct, 1, lang),
                province=str(h.get("province")),
                threshold=format_pct(thr, 1, lang),
            )
        )
    kihi = largest("kihi")
    if kihi is not None:
        h, value, pct = kihi
        thr = float(rules["kihi_material_pct"])
        key = "action_kihi_material" if not is_missing(pct) and pct >= thr else "action_kihi_small"
        actions.append(
            tx(
                "sentences",
                key,
                value=usd(value, lang),
                pct=format_pct(pct, 1, lang),
                province=str(h.get("province")),
                year=year_text(h.get("year")),
                threshold=format_pct(thr, 1, lang),
            )
        )
    conn = largest("connectivity")
    if conn is not None:
        h, value, _pct = conn
        actions.append(
            tx("sentences", "action_connectivity", value=usd(value, lang), province=str(h.get("province")))
        )
    thr = float(rules["coal_dependence_pct"])
    coal_rows = [
        h for h in hl if not is_missing(h.get("coal_share_pct")) and float(h["coal_share_pct"]) >= thr
    ]
    if coal_rows:
        h = max(coal_rows, key=lambda r: float(r["coal_share_pct"]))
        actions.append(
            tx(
                "sentences",
                "action_coal",
                coal=format_pct(num(h, "coal_share_pct"), 1, lang),
                province=str(h.get("province")),
                year=year_text(h.get("year")),
                threshold=format_pct(thr, 1, lang),
            )
        )
    # Uncertainty: the province with the widest relative range.
    widths = []
    for h in hl:
        p10, p50, p90 = num(h, "total_p10"), num(h, "total_p50"), num(h, "total_p90")
        if is_missing(p50):
            p50 = num(h, "total_mean")
        if not (is_missing(p10) or is_missing(p90) or is_missing(p50)) and p50 > 0:
            widths.append(((p90 - p10) / p50, h))
    if widths:
        ratio, h = max(widths, key=lambda t: t[0])
        if ratio >= float(rules["wide_range_ratio"]):
            actions.append(
                tx(
                    "sentences",
                    "action_range_wide",
                    province=str(h.get("province")),
                    range=usd_range(num(h, "total_p10"), num(h, "total_p90"), lang),
                )
            )
        else:
            actions.append(
                tx(
                    "sentences",
                    "action_range_narrow",
                    province=str(h.get("province")),
                    mean=usd(num(h, "total_mean"), lang),
                )
            )
    return actions[: int(rules["max_actions"])]


def _footer(results: dict, tx: BriefText) -> str:
    prov = results.get("provenance") or {}
    sc = results.get("scenario") or {}
    seed = prov.get("seed")
    return tx(
        "footer",
        vintage=str(prov.get("data_vintage") or NOT_AVAILABLE),
        scenario=str(sc.get("name") or NOT_AVAILABLE),
        scenario_hash=short_hash(sc.get("hash")),
        manifest_hash=short_hash(prov.get("data_manifest_hash")),
        version=str(prov.get("package_version") or NOT_AVAILABLE),
        commit=str(prov.get("git_commit") or NOT_AVAILABLE)[:20],
        seed=str(seed) if seed is not None else NOT_AVAILABLE,
        draws=draws_text(results, tx.lang),
    )


def build_brief_content(
    results: dict, lang: str = "id", comparison: list[dict] | None = None
) -> BriefContent:
    """Build the brief's content once, independent of the output format.

    Parameters
    ----------
    results : dict
        Scenario results (results.json contract).
    lang : {"id", "en"}, default "id"
        Language.
    comparison : list of dict, optional
        Rows of the scenario comparison table; defaults to ``results["comparison"]``.

    Returns
    -------
    BriefContent
    """
    tx = BriefText(lang)
    horizon = results.get("horizon") or {}
    sc = results.get("scenario") or {}
    meta = [
        (tx("labels", "to_label"), tx("labels", "to")),
        (tx("labels", "from_label"), tx("labels", "from")),
        (tx("labels", "date_label"), date_text(sc.get("date"), tx)),
        (
            tx("labels", "subject_label"),
            tx(
                "labels",
                "subject",
                start=year_text(horizon.get("start_year")),
                end=year_text(horizon.get("end_year")),
                scenario=scenario_title(results, lang),
            ),
        ),
    ]
    conclusion = _section_conclusion(results, tx)
    actions = _actions(results, tx)
    sections = [
        Section("issue", tx("headings", "issue"), _section_issue(results, tx)),
        Section("assumptions", tx("headings", "assumptions"), _section_assumptions(results, tx)),
        Section("facts", tx("headings", "facts"), _section_facts(results, tx)),
        Section("analysis", tx("headings", "analysis"), _section_analysis(results, tx, comparison)),
        Section("conclusion", tx("headings", "conclusion"), conclusion),
        Section(
            "actions",
            tx("headings", "actions"),
            [Item(lbl, t) for lbl, t in zip(letters(len(actions)), actions, strict=True)],
        ),
    ]
    return BriefContent(
        lang=lang,
        title=tx("labels", "title"),
        meta=meta,
        sections=sections,
        footer=_footer(results, tx),
        page_label=tx("labels", "page"),
        numbers=brief_numbers(results, lang),
    )
