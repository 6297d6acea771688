"""``reports/index.html``: one page that opens with a chart comparing the scenarios for both
provinces (median and P10–P90 range, difference from the baseline), then links to every
report, titled by the question each answers, and to the detail CSVs.

Titles and labels come in the chosen language (``--lang``); the provinces are charted side by
side on their own bases and never added.
"""
from __future__ import annotations

import html
import os
from pathlib import Path

from kaltim_research.report.integrity import INDEX_CHART_CACHE, read_results

KALTIM = "Kalimantan Timur"

WORDS = {
    "id": {
        "title": "Skenario ekspor Kaltim–Kaltara",
        "intro": "Kalimantan Timur dihitung menurut pelabuhan muat (BPS Kaltim), Kalimantan Utara "
                 "menurut asal barang (ekspor asli): keduanya tidak pernah dijumlahkan. Nilai "
                 "dalam US$ miliar, nominal; median simulasi Monte Carlo dengan rentang P10–P90.",
        "chart_alt": "Perbandingan skenario: median dan rentang P10–P90 per provinsi",
        "chart_x": "US$ miliar, {year}", "median": "median", "band": "rentang P10–P90",
        "baseline": "median skenario dasar", "scenarios": "Skenario", "history": "Sejarah ekspor",
        "scenario": "Skenario", "headline": "Median {year}, US$ miliar [P10–P90]",
        "diff": "selisih dari skenario dasar",
        "stale": "laporan ini dibuat dengan data lama: jalankan ulang kaltim-research run",
        "reports": "Laporan", "briefs": "Telaahan staf", "data": "Tabel rinci (CSV)",
        "footer": "Manifest data {manifest}; versi {version}; revisi {commit}.",
        "brief_id": "Telaahan staf (PDF, Bahasa Indonesia)", "brief_en": "Staff brief (PDF, English)",
        "brief_docx": "Telaahan staf (DOCX, dapat disunting)",
    },
    "en": {
        "title": "Kaltim–Kaltara export scenarios",
        "intro": "Kalimantan Timur is counted by port of loading (BPS Kaltim), Kalimantan Utara by "
                 "origin (ekspor asli): the two are never added together. Values in US$ billion, "
                 "nominal; medians of the Monte Carlo draws with the P10–P90 range.",
        "chart_alt": "Scenario comparison: median and P10–P90 range per province",
        "chart_x": "US$ billion, {year}", "median": "median", "band": "P10–P90 range",
        "baseline": "baseline median", "scenarios": "Scenarios", "history": "Export history",
        "scenario": "Scenario", "headline": "{year} median, US$ billion [P10–P90]",
        "diff": "difference from the baseline",
        "stale": "this report was made with older data: rerun kaltim-research run",
        "reports": "Reports", "briefs": "Staff briefs", "data": "Detail tables (CSV)",
        "footer": "Data manifest {manifest}; version {version}; commit {commit}.",
        "brief_id": "Staff brief (PDF, Bahasa Indonesia)", "brief_en": "Staff brief (PDF, English)",
        "brief_docx": "Staff brief (DOCX, editable)",
    },
}

#: What each report answers (link titles), by file stem.
QUESTIONS = {
    "id": {"02_model_and_projection": "Model mana yang paling menjelaskan ekspor, dan proyeksinya",
           "03_export_center": "Berapa eksportir UMKM dan nilai yang ditambah Export Center",
           "04_kihi_bulungan": "Produksi smelter, listrik, emisi, CBAM dan lapangan kerja KIHI",
           "05_connectivity": "Berapa ekspor asal Kaltara yang dapat dimuat di Kaltim dan Kaltara",
           "06_scenario_comparison": "Semua kebijakan bersama: proyeksi, kepekaan, dekomposisi",
           "07": "Dampak fiskal dan lapangan kerja"},
    "en": {"02_model_and_projection": "Which model explains exports best, and the projection",
           "03_export_center": "How many UMKM exporters and how much value the Export Center adds",
           "04_kihi_bulungan": "KIHI smelter output, power, emissions, CBAM and jobs",
           "05_connectivity": "How much Kaltara-origin trade Kaltim and Kaltara ports could handle",
           "06_scenario_comparison": "All levers together: projections, sensitivity, decomposition",
           "07": "Fiscal and jobs effects"},
}
CSV_TITLES = {"results.csv": "results", "fiscal.csv": "fiscal", "jobs.csv": "jobs",
              "decomposition.csv": "decomposition", "tornado.csv": "tornado",
              "kihi.csv": "KIHI", "throughput.csv": "port throughput",
              "export_center.csv": "Export Center"}


def _question(stem: str, lang: str) -> str:
    q = QUESTIONS[lang]
    return q.get(stem) or next((v for k, v in q.items() if stem.startswith(k)), stem)


def _p50(h: dict) -> float:
    v = h.get("total_p50")
    return float(h["total_mean"] if v is None else v)


CHART = "index_comparison.png"
CHART_CACHE = INDEX_CHART_CACHE  # charts drawn ahead by a report's worker, by their SHA-256


def _chart_sha(scenarios: list[dict], lang: str) -> str:
    """SHA-256 of what the comparison chart plots (names, titles, headlines, language)."""
    from kaltim_research.report.fingerprint import content_sha

    return content_sha([[[s["name"], s["title"], s["headline"]] for s in scenarios], lang])


def comparison_chart(scenarios: list[dict], path: Path, lang: str) -> Path | None:
    """Median (dot) and P10–P90 range (bar) of every scenario, one panel per province
    (Kalimantan Timur first), with the baseline median as a dashed line.

    Not redrawn when the chart in place was drawn from what it would plot now (its SHA-256
    in ``index_comparison.png.sha256``), nor when a report's worker drew it ahead for these
    results (:func:`predraw_chart`): the index is the runner's last, serial step."""
    sha = _chart_sha(scenarios, lang)
    stamp = path.with_name(path.name + ".sha256")
    ahead = path.parent / CHART_CACHE / f"{sha}.png"
    try:
        if path.is_file() and stamp.is_file() and stamp.read_text().strip() == sha:
            return path
        stamp.unlink(missing_ok=True)  # replaced below: the old stamp no longer says what
        if ahead.is_file():
            os.replace(ahead, path)
            out = path
        else:
            out = _draw_comparison(scenarios, path, lang)
        if out is not None:
            stamp.write_text(sha + "\n")
        return out
    finally:
        for old in (path.parent / CHART_CACHE).glob("*"):
            old.unlink(missing_ok=True)


def predraw_chart(reports_dir: Path, lang: str, pending: dict[str, Path]) -> Path | None:
    """Draw the chart the index will show once the ``pending`` reports (name → finished temp
    folder) are swapped in, ahead, into ``.index_charts/`` (used only if the index then
    plots exactly that: a report that fails never shows)."""
    from kaltim_research.fileio import atomic_write_file

    scenarios = _scenarios(Path(reports_dir), lang, "", pending)[0]
    if not scenarios:
        return None
    sha = _chart_sha(scenarios, lang)
    stamp = Path(reports_dir) / f"{CHART}.sha256"
    if stamp.is_file() and stamp.read_text().strip() == sha:
        return None  # the chart in place already shows it
    path = Path(reports_dir) / CHART_CACHE / f"{sha}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write_file(path, lambda tmp: _draw_comparison(scenarios, tmp, lang))


def _draw_comparison(scenarios: list[dict], path: Path, lang: str) -> Path | None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from kaltim_research.report.formatting import format_number

    w = WORDS[lang]
    provinces = sorted({h["province"] for s in scenarios for h in s["headline"]},
                       key=lambda p: (p != KALTIM, p))
    if not provinces:
        return None
    names = [s["title"] for s in scenarios]
    fig = Figure(figsize=(10, 0.9 + 0.42 * len(names)), dpi=110)
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(provinces), sharey=True, squeeze=False)[0]
    year = None
    for ax, prov in zip(axes, provinces, strict=True):
        base = next((h for s in scenarios if s["name"] == "baseline" for h in s["headline"]
                     if h["province"] == prov), None)
        for i, s in enumerate(scenarios):
            h = next((h for h in s["headline"] if h["province"] == prov), None)
            if h is None:
                continue
            year = h["year"]
            lo, mid, hi = h["total_p10"] / 1e3, _p50(h) / 1e3, h["total_p90"] / 1e3
            ax.plot([lo, hi], [i, i], color="#9ecae1", linewidth=6, solid_capstyle="butt")
            ax.plot([mid], [i], "o", color="#08519c", markersize=5)
            if base is not None and s["name"] != "baseline":
                d = (_p50(h) - _p50(base)) / 1e3
                ax.annotate(("+" if d >= 0 else "-") + format_number(abs(d), 1, lang), (hi, i),
                            xytext=(4, 0), textcoords="offset points", va="center", fontsize=8,
                            color="#444444")
        if base is not None:
            ax.axvline(_p50(base) / 1e3, color="#636363", linestyle="--", linewidth=1)
        basis = (base or {}).get("basis", "")
        ax.set_title(f"{prov} ({BASIS[lang].get(basis, basis)})", fontsize=10)
        ax.set_xlabel(w["chart_x"].format(year=year), fontsize=9)
        ax.grid(axis="x", alpha=0.3)
        ax.set_xlim(left=0)
        ax.margins(x=0.15)
    axes[0].set_yticks(range(len(names)), names, fontsize=9)
    axes[0].invert_yaxis()
    fig.text(0.01, 0.01, f"● {w['median']}   ▬ {w['band']}   -- {w['baseline']};  "
             f"+/−: {w['diff']} (US$ bn)" if lang == "en" else
             f"● {w['median']}   ▬ {w['band']}   -- {w['baseline']};  +/−: {w['diff']} "
             "(US$ miliar)", fontsize=8, color="#333333")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    fig.savefig(path, format="png")
    return path


BASIS = {"id": {"port_of_loading": "menurut pelabuhan muat", "origin": "menurut asal barang"},
         "en": {"port_of_loading": "by port of loading", "origin": "by origin"}}


def _scenarios(reports_dir: Path, lang: str, manifest: str,
               pending: dict[str, Path] | None = None) -> tuple[list[dict], str]:
    """The reports the index lists (baseline first), with ``pending`` temp folders standing
    in for the reports of those names, and the git commit they were made with."""
    folders = {rj.parent.name: rj.parent for rj in sorted(reports_dir.glob("*/results.json"))
               if not (rj.parent.name.startswith(".") or rj.parent.name.endswith(".failed")
                       or rj.parent.name == "history")}
    folders.update({n: Path(d) for n, d in (pending or {}).items()})
    scenarios, commit = [], "n/a"
    for name, d in sorted(folders.items()):
        s = read_results(d / "results.json")
        if s is None:  # damaged: that report is rerun; the index lists the others
            continue
        commit = s.get("provenance", {}).get("git_commit") or commit
        sc = s["scenario"]
        made_with = str((s.get("provenance") or {}).get("data_manifest_hash") or "")
        scenarios.append({"name": name, "dir": reports_dir / name,
                          "title": sc.get("title_id") if lang == "id" else sc.get("title"),
                          "headline": s["headline"],
                          # older than the data: made with another manifest than today's
                          "stale": bool(manifest) and made_with[:len(manifest)] != manifest})
    scenarios.sort(key=lambda s: (s["name"] != "baseline", s["name"]))
    return scenarios, commit


def write_index(reports_dir: Path, lang: str = "id", manifest: str = "", version: str = "",
                ) -> Path:
    """Write ``reports_dir/index.html`` (and its chart ``index_comparison.png``)."""
    from kaltim_research.report.formatting import format_number

    reports_dir = Path(reports_dir)
    w = WORDS[lang]
    scenarios, commit = _scenarios(reports_dir, lang, manifest)
    chart = comparison_chart(scenarios, reports_dir / CHART, lang) \
        if scenarios else None
    e = html.escape
    out = [f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
           f"<title>{e(w['title'])}</title><style>body{{font-family:sans-serif;max-width:64em;"
           "margin:2em auto;line-height:1.4}table{border-collapse:collapse}td,th{border:1px solid"
           " #ccc;padding:.3em .6em;text-align:left;vertical-align:top}small{color:#555}"
           "img{max-width:100%}</style></head><body>",
           f"<h1>{e(w['title'])}</h1>"]
    if chart is not None:
        out.append(f'<img src="{chart.name}" alt="{e(w["chart_alt"])}">')
    out.append(f"<p>{e(w['intro'])}</p><h2>{e(w['scenarios'])}</h2>")
    year = scenarios[0]["headline"][0]["year"] if scenarios and scenarios[0]["headline"] else ""
    out.append(f"<table><tr><th>{e(w['scenario'])}</th><th>{e(w['headline'].format(year=year))}"
               f"</th><th>{e(w['reports'])}</th><th>{e(w['briefs'])}</th><th>{e(w['data'])}"
               "</th></tr>")
    for s in scenarios:
        d = s["dir"]
        heads = []
        for h in sorted(s["headline"], key=lambda h: (h["province"] != KALTIM, h["province"])):
            heads.append(f"{e(h['province'])} ({e(BASIS[lang].get(h['basis'], h['basis']))}): "
                         f"<b>{format_number(_p50(h) / 1e3, 1, lang)}</b> <small>["
                         f"{format_number(h['total_p10'] / 1e3, 1, lang)}–"
                         f"{format_number(h['total_p90'] / 1e3, 1, lang)}]</small>")
        reports = [f'<a href="{d.name}/{p.name}">{e(_question(p.stem, lang))}</a>'
                   for p in sorted(d.glob("*.html"))]
        briefs = [f'<a href="{d.name}/{p.name}">{e(w[k])}</a>' for k, p in
                  (("brief_id", d / "brief_id.pdf"), ("brief_en", d / "brief_en.pdf"),
                   ("brief_docx", d / "brief_id.docx")) if p.exists()]
        csvs = [f'<a href="{d.name}/{p.name}">{e(CSV_TITLES.get(p.name, p.stem))}</a>'
                for p in sorted(d.glob("*.csv"))]
        stale = f"<br><small><b>{e(w['stale'])}</b></small>" if s["stale"] else ""
        out.append(f"<tr><td><b>{e(s['title'] or s['name'])}</b>{stale}</td><td>{'<br>'.join(heads)}"
                   f"</td><td>{'<br>'.join(reports)}</td><td>{'<br>'.join(briefs)}</td>"
                   f"<td><small>{' · '.join(csvs)}</small></td></tr>")
    out.append("</table>")
    history = sorted((reports_dir / "history").glob("*.html"))
    if history:
        out.append(f"<h2>{e(w['history'])}</h2><ul>")
        for p in history:
            prov = p.stem.replace("01_historical_exports_", "").replace("_", " ").title()
            out.append(f'<li><a href="history/{p.name}">{e(prov)}</a></li>')
        out.append("</ul>")
    out.append(f"<p><small>{e(w['footer'].format(manifest=manifest, version=version, commit=commit))}"
               "</small></p></body></html>\n")
    path = reports_dir / "index.html"
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text("\n".join(out), encoding="utf-8")
    os.replace(tmp, path)
    return path
