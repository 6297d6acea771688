"""What the brief says, built from the results dict as a :class:`BriefContent`.

The content is a tested data structure; the PDF and DOCX renderers only lay it out. Every
sentence comes from templates/brief_text.yaml, every number from the results dict, and the
choice of sentence from the rules in :mod:`rules` (kind of scenario, size and certainty of
its effect). Section 4 (*Analisis*: findings, fan chart, comparison table) is built in
:mod:`analysis`."""

from __future__ import annotations

import re
from pathlib import Path

from kaltim_research.fileio import atomic_write_file
from kaltim_research.report.brief.analysis import section_analysis
from kaltim_research.report.brief.facts import BriefFacts, brief_facts
from kaltim_research.report.brief.model import (
    Block,
    BriefContent,
    Item,
    Para,
    Section,
    Table,
)
from kaltim_research.report.brief.rules import hl_rows, ordered
from kaltim_research.report.brief.text import (
    BriefText,
    basis_of,
    date_text,
    draws_text,
    fmt_param,
    host,
    letters,
    month_year,
    num,
    period_label,
    scenario_title,
    short_hash,
    short_reference,
    unit_label,
    usd,
    year_text,
)
from kaltim_research.report.brief.wording import (
    action_text,
    brief_numbers,
    changes_text,
    conclusion,
    pct,
    signature,
    summary,
)
from kaltim_research.report.formatting import (
    NOT_AVAILABLE,
    format_pct,
    is_missing,
)

# --------------------------------------------------------------------------- bottom line


def _summary(results: dict, facts: BriefFacts, tx: BriefText) -> list[Block]:
    """The bottom line under Perihal (from the facts), then what changed."""
    text = summary(facts, tx)
    blocks: list[Block] = [Para(text, lead=tx("labels", "summary_lead"))] if text else []
    labels = {a.get("name"): (a.get(f"label_{tx.lang}") or a.get("name"), a.get("unit"),
                              a.get(f"unit_{tx.lang}") or a.get("unit") or "")
              for a in results.get("assumptions") or [] if isinstance(a, dict)}
    changes = changes_text(facts.changes, facts, tx, labels)
    if changes:
        blocks.append(Para(changes, lead=tx("labels", "changes_lead")))
    return blocks


# --------------------------------------------------------------------------- sections


def _section_issue(results: dict, tx: BriefText) -> list[Block]:
    horizon = results.get("horizon") or {}
    hl = hl_rows(results)
    year = horizon.get("headline_year") or (hl[0].get("year") if hl else None)
    return [Para(tx("sentences", "issue", year=year_text(year), scenario=scenario_title(results, tx.lang)))]


def _assumption_rows(results: dict, tx: BriefText) -> list[list[str]]:
    lang, rows = tx.lang, []
    for a in results.get("assumptions") or []:
        if not isinstance(a, dict):
            continue
        label = a.get(f"label_{lang}") or a.get("label") or a.get("name") or NOT_AVAILABLE
        unit, shown = a.get("unit"), a.get(f"unit_{lang}") or a.get("unit") or ""
        rng = a.get("range")
        rng_text = NOT_AVAILABLE if not (isinstance(rng, list | tuple) and len(rng) == 2) else \
            f"{fmt_param(rng[0], unit, shown, lang)}\u2013{fmt_param(rng[1], unit, shown, lang)}"
        why = a.get(f"why_{lang}") or (a.get("source") if lang == "en" else "") or NOT_AVAILABLE
        rows.append([str(label), fmt_param(a.get("value"), unit, shown, lang),
                     fmt_param(a.get("baseline_value"), unit, shown, lang)
                     if "baseline_value" in a else NOT_AVAILABLE, rng_text, str(why)])
    return rows


def _section_assumptions(results: dict, tx: BriefText) -> list[Block]:
    lang = tx.lang
    sc = results.get("scenario") or {}
    description = sc.get(f"description_{lang}") if lang == "id" else sc.get("description")
    blocks: list[Block] = [Para(tx("sentences", "scenario", scenario=scenario_title(results, lang),
                                   date=date_text(sc.get("date"), tx),
                                   description=" ".join(str(description or "").split())).strip())]
    rows = _assumption_rows(results, tx)
    year = year_text((results.get("horizon") or {}).get("headline_year"))
    if rows:
        intro = "assumptions_intro_baseline" if not sc.get("modifies") \
            else "assumptions_intro"
        blocks.append(Para(tx("sentences", intro)))
        header = [h.format(year=year) for h in tx.get("tables", "assumptions")]
        blocks.append(Table(header=header, rows=rows, col_widths_cm=[4.4, 2.0, 2.0, 2.4, 6.4]))
    else:
        blocks.append(Para(tx("sentences", "no_assumptions")))
    refs = [r for r in (short_reference(x) for x in sc.get("references") or []) if r]
    if refs:
        blocks.append(Para(tx("sentences", "references", references="; ".join(dict.fromkeys(refs))),
                           style="small"))
    bases: dict[str, str] = {}
    for h in hl_rows(results):
        if h.get("province"):
            bases[h["province"]] = basis_of(results, h) or ""
    if len(bases) >= 2:
        listed = ", ".join(f"{p} {tx.basis(b)}" for p, b in bases.items())
        blocks.append(Para(tx("sentences", "bases_note", bases=listed)))
    return blocks


def _vintage(results: dict, tx: BriefText) -> str | None:
    v = results.get("data_vintage")
    if not isinstance(v, dict):
        return None
    items = [tx("sentences", "vintage_item", province=str(e.get("province")),
                period=month_year(e.get("year"), e.get("month"), tx))
             for e in ordered(v.get("exports") or [])]
    pr = v.get("prices") or {}
    return tx("sentences", "vintage", items="; ".join(items),
              prices=month_year(pr.get("year"), pr.get("month"), tx))


def _bps_source(t: dict, period: dict, tx: BriefText) -> str:
    """A BPS figure's source as cited: "BPS Provinsi <province>, dikutip <outlet> (<date>)"
    (the outlet reports the release; the date is the page's when the ledger has it)."""
    d = str(period.get("source_date") or "")
    when = date_text(d, tx) if len(d) == 10 else month_year(int(d[:4]), int(d[5:7]), tx) \
        if len(d) == 7 else ""
    return tx("sentences", "source_bps", province=str(t.get("province")),
              outlet=host(period.get("source_url")), date=f" ({when})" if when else "")


def _section_facts(results: dict, tx: BriefText) -> list[Block]:
    lang = tx.lang
    blocks: list[Block] = []
    vintage = _vintage(results, tx)
    if vintage:
        blocks.append(Para(vintage))
    rows = []
    trajectory = ordered(results.get("trajectory") or [])
    for t in trajectory:
        basis = tx.basis(t.get("basis"))
        lf, la = t.get("last_full_year"), t.get("latest")
        if lf:
            rows.append([tx("sentences", "fact_full_year", province=str(t.get("province")),
                            basis=basis, period=period_label("year", lf.get("year"), 12, tx,
                                                             bool(lf.get("is_derived")))),
                         usd(num(lf, "value_usd_m"), lang), _bps_source(t, lf, tx)])
        if la and (not lf or la.get("period_type") != "year" or la.get("year") != lf.get("year")):
            rows.append([tx("sentences", "fact_latest", province=str(t.get("province")),
                            basis=basis, period=period_label(la.get("period_type"), la.get("year"),
                                                             la.get("month"), tx)),
                         usd(num(la, "value_usd_m"), lang), _bps_source(t, la, tx)])
    for f in results.get("facts") or []:
        if not isinstance(f, dict) or (trajectory and "value_usd_m" in f):
            continue  # export facts come from the trajectory (one period vocabulary)
        text = f.get(f"text_{lang}") or f.get("text") or NOT_AVAILABLE
        if "value_usd_m" in f:
            value = usd(num(f, "value_usd_m"), lang)
        elif "value_pct" in f:
            value = format_pct(num(f, "value_pct"), 1, lang)
        else:
            value = fmt_param(f.get("value"), f.get("unit"), unit_label(f.get("unit"), tx), lang)
        if f.get("unit"):  # the unit as the reader writes it, not its code
            text = re.sub(re.escape(str(f["unit"])) + r"(?![A-Za-z])", unit_label(f["unit"], tx),
                          str(text))
        rows.append([text, value, host(f.get("source_url") or f.get("source"))])
    if rows:
        blocks.append(Table(header=list(tx.get("tables", "facts")), rows=rows,
                            col_widths_cm=[8.6, 2.6, 6.0]))
    elif not blocks:
        blocks.append(Para(tx("sentences", "no_facts")))
    return blocks


def _section_conclusion(facts: BriefFacts, tx: BriefText) -> list[Block]:
    blocks: list[Block] = [Para(s) for s in conclusion(facts, tx, lambda p: effect_of(p, tx))]
    thr = float(tx.rules["coal_dependence_pct"])
    coal = [tx("sentences", "conclusion_coal_item", province=p.province,
               coal=pct(p.coal_share_pct, tx.lang))
            for p in facts.provinces if not is_missing(p.coal_share_pct) and p.coal_share_pct >= thr]
    if coal:
        blocks.append(Para(tx("sentences", "conclusion_coal", items="; ".join(coal))))
    return blocks


def effect_of(p, tx: BriefText) -> str:
    """``negligible``, ``modest`` or ``material`` by |difference| as % of the baseline."""
    v = p.difference_pct
    if is_missing(v) or abs(v) < float(tx.rules["effect_negligible_pct"]):
        return "negligible"
    return "material" if abs(v) >= float(tx.rules["effect_material_pct"]) else "modest"


def _section_actions(facts: BriefFacts, tx: BriefText) -> list[Block]:
    texts = [action_text(a, facts, tx) for a in facts.actions]
    blocks: list[Block] = [Item(lbl, t) for lbl, t in zip(letters(len(texts)), texts, strict=True)]
    blocks += [Para(line, style="signature") for line in signature(facts, tx)]
    return blocks


def _footer(results: dict, tx: BriefText) -> str:
    prov = results.get("provenance") or {}
    sc = results.get("scenario") or {}
    seed = prov.get("seed")
    return tx(
        "footer",
        scenario_hash=short_hash(sc.get("hash")),
        manifest_hash=short_hash(prov.get("data_manifest_hash")),
        version=str(prov.get("package_version") or NOT_AVAILABLE),
        commit=str(prov.get("git_commit") or NOT_AVAILABLE)[:20],
        seed=str(seed) if seed is not None else NOT_AVAILABLE,
        draws=draws_text(results, tx.lang),
    )


def build_brief_content(
    results: dict, lang: str = "id", comparison: list[dict] | None = None,
    brief_date: str | None = None,
) -> BriefContent:
    """Build the brief's content once, independent of the output format.

    Parameters
    ----------
    results : dict
        Scenario results (results.json contract), optionally with ``changes`` (changes.json).
    lang : {"id", "en"}, default "id"
        Language.
    comparison : list of dict, optional
        Rows of the scenario comparison table; defaults to ``results["comparison"]``.

    Returns
    -------
    BriefContent
    """
    tx = BriefText(lang)
    facts = brief_facts(results, brief_date)
    horizon = results.get("horizon") or {}
    meta = [
        (tx("labels", "to_label"), tx("labels", "to")),
        (tx("labels", "from_label"), tx("labels", "from")),
        (tx("labels", "date_label"), date_text(facts.brief_date, tx)),
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
    sections = [
        Section("issue", tx("headings", "issue"), _section_issue(results, tx)),
        Section("assumptions", tx("headings", "assumptions"), _section_assumptions(results, tx)),
        Section("facts", tx("headings", "facts"), _section_facts(results, tx)),
        Section("analysis", tx("headings", "analysis"), section_analysis(results, facts, tx, comparison)),
        Section("conclusion", tx("headings", "conclusion"), _section_conclusion(facts, tx)),
        Section("actions", tx("headings", "actions"), _section_actions(facts, tx)),
    ]
    return BriefContent(
        lang=lang,
        title=tx("labels", "title"),
        meta=meta,
        sections=sections,
        footer=_footer(results, tx),
        page_label=tx("labels", "page"),
        numbers=brief_numbers(facts, lang),
        summary=_summary(results, facts, tx),
    )


def write_brief(results: dict, out_path: Path, render, lang: str = "id",
                comparison: list[dict] | None = None) -> Path:
    """Build the brief's content once and write it with ``render(content, path)`` atomically.

    Parameters
    ----------
    results : dict
        Scenario results (results.json contract).
    out_path : Path
        Destination; written via a temp file in the same folder and ``os.replace``, so a
        failed render leaves the previous file intact.
    render : callable
        ``render(content, path)``: the PDF or DOCX renderer.
    lang : {"id", "en"}, default "id"
        Language (Bahasa Indonesia by default).
    comparison : list of dict, optional
        Rows of the scenario comparison table; defaults to ``results["comparison"]``.

    Returns
    -------
    Path
        ``out_path``.
    """
    content = build_brief_content(results, lang, comparison)
    return atomic_write_file(Path(out_path), lambda tmp: render(content, tmp))
