"""Saran Tindak: recommended actions chosen by thresholds over the results (rules block of
templates/brief_text.yaml); each quotes the number that triggered it."""

from __future__ import annotations

import math

from kaltim_research.report.brief.rules import (
    hl_rows,
    median_or_mean,
    price_part,
    scenario_kind,
)
from kaltim_research.report.brief.text import (
    BriefText,
    num,
    usd,
    usd_range,
    year_text,
)
from kaltim_research.report.formatting import (
    format_pct,
    is_missing,
)


def _component_share(h: dict, key: str) -> tuple[float, float]:
    comps = h.get("components_mean") or {}
    value = comps.get(key)
    value = math.nan if is_missing(value) else float(value)
    base = num(h, "baseline_mean")
    if is_missing(base):
        base = num(comps, "baseline")
    pct = value / base * 100.0 if not is_missing(value) and base and base > 0 else math.nan
    return value, pct


def actions(results: dict, tx: BriefText) -> list[str]:
    lang = tx.lang
    rules = tx.rules
    hl = hl_rows(results)
    actions: list[str] = []
    if scenario_kind(results) == "shock":
        h = min(hl, key=lambda r: price_part(r)) if hl else None
        if h is not None and num(h, "difference_mean") < 0:
            actions.append(tx("sentences", "action_shock", province=str(h.get("province")),
                              year=year_text(h.get("year")),
                              diff_pct=format_pct(num(h, "difference_pct"), 1, lang,
                                                  signed=True)))

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
        umkm = h.get("export_center_vs_umkm_pct")
        if not is_missing(umkm):  # the centre's yardstick is UMKM exports (issue 9)
            key = "action_export_center_umkm"
        actions.append(
            tx(
                "sentences",
                key,
                umkm_pct=format_pct(umkm, 1, lang) if not is_missing(umkm) else "",
                value=usd(value, lang),
                pct=format_pct(pct, 2 if not is_missing(pct) and abs(pct) < 0.1 else 1, lang),
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
        p10, p50, p90 = num(h, "total_p10"), median_or_mean(h), num(h, "total_p90")
        if not (is_missing(p10) or is_missing(p90) or is_missing(p50)) and p50 > 0:
            widths.append(((p90 - p10) / p50, h))
    if widths:
        ratio, h = max(widths, key=lambda t: t[0])
        if ratio >= float(rules["wide_range_ratio"]):
            actions.append(tx("sentences", "action_range_wide", province=str(h.get("province")),
                              range=usd_range(num(h, "total_p10"), num(h, "total_p90"), lang)))
        else:
            actions.append(tx("sentences", "action_range_narrow", province=str(h.get("province")),
                              p50=usd(median_or_mean(h), lang)))
    return actions[: int(rules["max_actions"])]


