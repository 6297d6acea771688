"""The governor's briefs of the report runner: which scenario rows they compare, when they
must be rebuilt, and writing them (PDF in Bahasa Indonesia and English, DOCX).

A brief prints its own results and the comparison rows of every scenario in its headline
year, so a run of one scenario changes the briefs of the others only when the rows they print
change: :func:`build_briefs` records a SHA-256 of what it printed (``brief_inputs.sha256``)
and :func:`briefs_current` compares it (issue 18).
"""
from __future__ import annotations

import json
from pathlib import Path

from kaltim_research import __version__
from kaltim_research.config import REPORTS_DIR
from kaltim_research.fileio import atomic_write_file
from kaltim_research.report import integrity
from kaltim_research.report.fingerprint import content_sha


def comparison_rows(summary: dict) -> list[dict]:
    """One comparison row per province from a results.json dict."""
    rows = []
    for h in summary["headline"]:
        rows.append({"scenario": summary["scenario"]["name"],
                     "title_en": summary["scenario"]["title"],
                     "title_id": summary["scenario"]["title_id"], "province": h["province"],
                     "basis": h["basis"], "year": h["year"], "total_mean": h["total_mean"],
                     "total_p10": h["total_p10"], "total_p90": h["total_p90"],
                     "total_p50": h.get("total_p50"), "difference_mean": h.get("difference_mean"),
                     "difference_pct": h.get("difference_pct"),
                     "coal_share_pct": h["coal_share_pct"]})
    return rows


def comparison_table(reports_dir: Path = REPORTS_DIR,
                     pending: dict[str, Path] | None = None) -> list[dict]:
    """Comparison rows of every report; ``pending`` maps names to finished temp folders that
    stand in for (or add to) the reports of those names."""
    pending = pending or {}
    found = {rj.parent.name: rj for rj in Path(reports_dir).glob("*/results.json")
             if not rj.parent.name.startswith(".") and not rj.parent.name.endswith(".failed")}
    found.update({name: Path(d) / "results.json" for name, d in pending.items()})
    rows = []
    for _name, rj in sorted(found.items()):
        summary = integrity.read_results(rj)
        if summary is not None:  # a damaged results.json is rerun, never fatal to the others
            rows.extend(comparison_rows(summary))
    return rows


BRIEF_INPUTS = "brief_inputs.sha256"  # what the briefs printed: rebuilt only when it changes


def _brief_inputs(report_dir: Path, comparison: list[dict] | None, brief_date: str | None,
                  docx_langs: tuple[str, ...]) -> tuple[dict, list[dict] | None, str]:
    """What a report's briefs print from: its results (with changes.json and the Tanggal
    override) and the comparison rows of its headline year; and their SHA-256."""
    summary = json.loads((report_dir / "results.json").read_text(encoding="utf-8"))
    if brief_date:
        summary["brief_date"] = brief_date
    if (report_dir / "changes.json").exists():  # "Perubahan sejak telaah sebelumnya"
        summary["changes"] = json.loads((report_dir / "changes.json").read_text(encoding="utf-8"))
    comparison = comparison if comparison is not None else comparison_table(report_dir.parent)
    hy = summary["horizon"]["headline_year"]
    comparison = [r for r in comparison if r["year"] == hy] or None
    return summary, comparison, content_sha([summary, comparison, list(docx_langs), __version__])


def briefs_current(report_dir: Path, comparison: list[dict] | None, lang: str) -> bool:
    """True when the briefs in ``report_dir`` were built from what they would print now
    (same results, same comparison rows), so another scenario's run need not rebuild them."""
    try:
        sha = _brief_inputs(report_dir, comparison, None, (lang,))[2]
        return (report_dir / BRIEF_INPUTS).read_text(encoding="utf-8").strip() == sha \
            and not integrity.missing_outputs(report_dir, [], lang)
    except (OSError, ValueError, KeyError):
        return False


def build_briefs(report_dir: Path, langs: tuple[str, ...] = ("id", "en"),
                 comparison: list[dict] | None = None, docx_langs: tuple[str, ...] = ("id",),
                 brief_date: str | None = None) -> list[Path]:
    """Write the briefs of one report folder; ``brief_date`` (ISO) overrides the Tanggal."""
    from kaltim_research.report.brief import build_brief_docx, build_brief_pdf

    summary, comparison, sha = _brief_inputs(report_dir, comparison, brief_date, docx_langs)
    out = []
    for lang in langs:
        out.append(build_brief_pdf(summary, report_dir / f"brief_{lang}.pdf", lang, comparison))
    for lang in docx_langs:
        out.append(build_brief_docx(summary, report_dir / f"brief_{lang}.docx", lang, comparison))
    if set(langs) == {"id", "en"} and not brief_date:  # the runner's full set
        atomic_write_file(report_dir / BRIEF_INPUTS, lambda t: t.write_text(sha + "\n"))
    return out
