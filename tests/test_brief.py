"""Tests for the governor's brief (PDF via reportlab, DOCX via python-docx)."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from kaltim_research.report import brief
from kaltim_research.report.brief import (
    brief_numbers,
    build_brief_content,
    build_brief_docx,
    build_brief_pdf,
    short_hash,
)

HEADINGS = {
    "id": ["Persoalan", "Praanggapan", "Fakta yang Mempengaruhi", "Analisis", "Kesimpulan", "Saran Tindak"],
    "en": [
        "Issue",
        "Assumptions",
        "Facts bearing on the issue",
        "Analysis",
        "Conclusion",
        "Recommended actions",
    ],
}
SCENARIO_HASH = "sha256:3f2a9c0d5e6b7a8190aa"
MANIFEST_HASH = "sha256:b7c1d2e3f4a5968700ff"
GIT_COMMIT = "abc1234"


def _headline(province, basis, mean, p10, p50, p90, base, comps, coal, coal_b, hhi, hhi_b, last=None):
    row = {
        "province": province,
        "basis": basis,
        "year": 2030,
        "total_mean": mean,
        "total_p10": p10,
        "total_p50": p50,
        "total_p90": p90,
        "baseline_mean": base,
        "difference_mean": mean - base,
        "difference_pct": (mean - base) / base * 100.0,
        "components_mean": comps,
        "coal_share_pct": coal,
        "coal_share_baseline_pct": coal_b,
        "hhi_product": hhi,
        "hhi_product_baseline": hhi_b,
    }
    if last is not None:
        row["last_actual"] = last
    return row


@pytest.fixture
def results() -> dict:
    return {
        "scenario": {
            "name": "combined_moderate",
            "title": "Combined levers, moderate",
            "title_id": "Gabungan kebijakan, moderat",
            "description": "Export Center, KIHI and port connectivity at moderate settings.",
            "description_id": "Export Center, KIHI dan konektivitas pelabuhan pada tingkat moderat.",
            "modifies": "baseline",
            "date": "2026-11-27",
            "references": ["https://kaltim.bps.go.id/", "https://kihi.example.org/"],
            "hash": SCENARIO_HASH,
        },
        "provenance": {
            "data_manifest_hash": MANIFEST_HASH,
            "package_version": "0.1.0",
            "git_commit": GIT_COMMIT,
            "seed": 20250807,
            "draws": 10000,
            "data_vintage": "BPS releases to Sep 2025 (Kaltara, via ports); prices to Nov 2025",
        },
        "data_vintage": {"exports": [{"province": "Kalimantan Timur", "year": 2024, "month": 9},
                                     {"province": "Kalimantan Utara", "year": 2025, "month": 9}],
                         "prices": {"year": 2025, "month": 11}},
        "horizon": {"start_year": 2026, "end_year": 2035, "headline_year": 2030},
        "bases": {"Kalimantan Timur": "port_of_loading", "Kalimantan Utara": "origin"},
        "headline": [
            _headline(
                "Kalimantan Timur",
                "port_of_loading",
                21500.0,
                16000.0,
                21000.0,
                28000.0,
                21000.0,
                {"baseline": 21000.0, "export_center": 120.0, "kihi": 0.0, "connectivity": 380.0},
                74.0,
                75.5,
                0.58,
                0.60,
                last={
                    "year": 2023,
                    "value_usd_m": 22490.0,
                    "basis": "reported Jan-Oct (ytd)",
                    "source_url": "https://kaltim.bps.go.id/",
                },
            ),
            _headline(
                "Kalimantan Utara",
                "origin",
                2450.0,
                1800.0,
                2400.0,
                3300.0,
                1500.0,
                {"baseline": 1500.0, "export_center": 0.0, "kihi": 870.0, "connectivity": 80.0},
                38.0,
                55.0,
                0.31,
                0.45,
            ),
        ],
        "assumptions": [
            {
                "name": "export_center.match_rate",
                "label_id": "Porsi UMKM yang mendapat pembeli",
                "label_en": "Share of UMKM matched with a buyer",
                "value": 0.10,
                "unit": "share",
                "range": [0.03, 0.2],
                "source": "East Java pioneers 19%; Balikpapan 8 of >10k (judgement)",
            },
            {
                "name": "kihi.smelter_start",
                "label_id": "Tahun smelter aluminium beroperasi",
                "label_en": "Aluminium smelter start year",
                "value": 2028,
                "unit": "year",
                "range": [2027, 2030],
                "source": "KIHI company statements 2024",
            },
            {
                "name": "kihi.smelter_output_usd_m",
                "label_id": "Nilai ekspor aluminium penuh",
                "label_en": "Aluminium exports at full output",
                "value": 1100.0,
                "unit": "usd_m",
                "range": [700.0, 1500.0],
                "source": "Capacity 500 kt x LME price (judgement)",
            },
        ],
        "facts": [
            {
                "text_id": "Ekspor Kaltim Januari–Oktober 2023",
                "text_en": "Kaltim exports January–October 2023",
                "value_usd_m": 22490.0,
                "source_url": "https://kaltim.bps.go.id/pressrelease/2023/12/01/ekspor.html",
            },
            {
                "text_id": "Ekspor Kaltara 2022",
                "text_en": "Kaltara exports 2022",
                "value_usd_m": 1016.1,
                "source_url": "https://kaltara.bps.go.id/",
            },
        ],
        "comparison": [
            {
                "scenario": "baseline",
                "title_id": "Dasar",
                "title_en": "Baseline",
                "province": "Kalimantan Timur",
                "year": 2030,
                "total_mean": 21000.0,
                "total_p10": 16000.0,
                "total_p90": 28000.0,
                "coal_share_pct": 75.5,
            },
            {
                "scenario": "combined_moderate",
                "title_id": "Gabungan kebijakan, moderat",
                "title_en": "Combined levers, moderate",
                "province": "Kalimantan Timur",
                "year": 2030,
                "total_mean": 21500.0,
                "total_p10": 16000.0,
                "total_p90": 28000.0,
                "coal_share_pct": 74.0,
            },
            {
                "scenario": "baseline",
                "title_id": "Dasar",
                "title_en": "Baseline",
                "province": "Kalimantan Utara",
                "year": 2030,
                "total_mean": 1500.0,
                "total_p10": 1100.0,
                "total_p90": 2000.0,
                "coal_share_pct": 55.0,
            },
            {
                "scenario": "combined_moderate",
                "title_id": "Gabungan kebijakan, moderat",
                "title_en": "Combined levers, moderate",
                "province": "Kalimantan Utara",
                "year": 2030,
                "total_mean": 2450.0,
                "total_p10": 1800.0,
                "total_p90": 3300.0,
                "coal_share_pct": 38.0,
            },
        ],
        "fan_chart": {
            "province": "Kalimantan Utara",
            "unit": "USD million",
            "years": [2026, 2027, 2028, 2029, 2030, 2031, 2032, 2033, 2034, 2035],
            "p10": [1000, 1050, 1300, 1600, 1800, 1850, 1900, 1950, 2000, 2050],
            "p50": [1250, 1350, 1700, 2100, 2400, 2480, 2550, 2620, 2700, 2780],
            "p90": [1550, 1700, 2200, 2800, 3300, 3400, 3500, 3600, 3700, 3800],
            "baseline_p50": [1250, 1300, 1350, 1420, 1500, 1540, 1580, 1620, 1660, 1700],
            "history_years": [2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025],
            "history_values": [1210.0, 1105.0, 1016.1, 1400.0, 2100.0, 1650.0, 1500.0, 1380.0],
        },
    }


@pytest.fixture
def stress_results(results) -> dict:
    """Seven comparison rows, six assumptions with long sources, six facts with long URLs."""
    r = copy.deepcopy(results)
    long_src = (
        "Judgement of the research team based on interviews with exporters, the "
        "Balikpapan Export Center annual report and East Java pilot results"
    )
    r["assumptions"] = [
        {
            "name": f"lever.param_{i}",
            "label_id": f"Parameter kebijakan nomor {i} yang panjang",
            "label_en": f"Policy parameter number {i} with a long label",
            "value": 0.05 * i,
            "unit": "share",
            "range": [0.01 * i, 0.1 * i],
            "source": long_src,
        }
        for i in range(1, 7)
    ]
    r["facts"] = [
        {
            "text_id": f"Fakta ekspor nomor {i} dari rilis resmi BPS provinsi",
            "text_en": f"Export fact number {i} from the official provincial BPS release",
            "value_usd_m": 1000.0 * i + 12.3,
            "source_url": f"https://kaltim.bps.go.id/pressrelease/2025/0{i}/15/{i}/"
            "perkembangan-ekspor-dan-impor-kalimantan-timur.html",
        }
        for i in range(1, 7)
    ]
    names = [
        ("baseline", "Dasar", "Baseline"),
        ("ec", "Export Center", "Export Center"),
        ("kihi", "KIHI Bulungan", "KIHI Bulungan"),
        ("conn", "Konektivitas pelabuhan", "Port connectivity"),
        ("combined_moderate", "Gabungan kebijakan, moderat", "Combined levers, moderate"),
        ("combined_high", "Gabungan kebijakan, tinggi", "Combined levers, high"),
        ("coal_down", "Harga batu bara turun", "Coal price down"),
    ]
    r["comparison"] = [
        {
            "scenario": s,
            "title_id": ti,
            "title_en": te,
            "province": "Kalimantan Timur" if i % 2 == 0 else "Kalimantan Utara",
            "year": 2030,
            "total_mean": 20000.0 + 100 * i,
            "total_p10": 15000.0,
            "total_p90": 27000.0,
            "coal_share_pct": 70.0 + i,
        }
        for i, (s, ti, te) in enumerate(names)
    ]
    return r


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _pdf_text(path: Path) -> tuple[int, str, list[str]]:
    reader = PdfReader(str(path))
    pages = [_norm(p.extract_text() or "") for p in reader.pages]
    return len(reader.pages), " ".join(pages), pages


def _docx_text(path: Path) -> tuple[str, str]:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    footer = " ".join(p.text for s in doc.sections for p in s.footer.paragraphs)
    return _norm(" ".join(parts)), _norm(footer)


def _assert_in_order(text: str, needles: list[str]) -> None:
    pos = -1
    for needle in needles:
        found = text.find(needle, pos + 1)
        assert found > pos, f"{needle!r} missing or out of order"
        pos = found


def test_brief_numbers_hand_checked(results):
    # Rounded to what the band supports: Kaltim's P10-P90 width of US$12 000 juta supports
    # steps of US$100 juta (one decimal in miliar), Kaltara's US$1 500 juta steps of US$10
    # juta (two decimals in miliar). The mean is not a headline figure any more.
    nums = brief_numbers(results, "id")
    assert nums[0] == "US$21,0 miliar"  # the median is the headline figure
    for expected in [
        "US$16,0 miliar–US$28,0 miliar",
        "+US$500 juta",
        "+2,4%",
        "US$2,40 miliar",
        "US$1,80 miliar–US$3,30 miliar",
        "+63,3%",
    ]:
        assert expected in nums
    assert "US$21,5 miliar" not in nums  # the mean
    en = brief_numbers(results, "en")
    for expected in [
        "US$16.0 billion–US$28.0 billion",
        "+US$500 million",
        "+2.4%",
        "+US$950 million",
    ]:
        assert expected in en


def test_short_hash():
    assert short_hash("sha256:3f2a9c0d5e6b") == "3f2a9c0d"
    assert short_hash("deadbeefcafe", 4) == "dead"
    assert short_hash(None) == "\u2013"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_pdf_brief(results, tmp_path, lang):
    out = build_brief_pdf(results, tmp_path / f"brief_{lang}.pdf", lang=lang)
    assert out == tmp_path / f"brief_{lang}.pdf"
    n_pages, text, pages = _pdf_text(out)
    assert 1 <= n_pages <= 2
    for s in brief_numbers(results, lang):
        assert _norm(s) in text, s
    _assert_in_order(text, HEADINGS[lang])
    # Footer on every page.
    for page in pages:
        assert "3f2a9c0d" in page
        assert "b7c1d2e3" in page
        assert GIT_COMMIT in page
        assert "20250807" in page
    if lang == "id":
        assert "TELAAHAN STAF" in text
        assert "Kepada: Gubernur Kalimantan Timur" in text
        assert "Dari: Tim Kajian Ekspor" in text
        assert "miliar" in text or "juta" in text
        assert "menurut pelabuhan muat" in text and "menurut asal barang" in text
        assert "10.000" in text  # draws in footer
        assert "Pokok telaahan" in text
    else:
        assert "STAFF BRIEF (Telaahan Staf)" in text
        assert "To: Governor of Kalimantan Timur" in text
        assert "billion" in text or "million" in text
        assert "by port of loading" in text and "by origin" in text
        assert "miliar" not in text


@pytest.mark.parametrize("lang", ["id", "en"])
def test_docx_brief(results, tmp_path, lang):
    out = build_brief_docx(results, tmp_path / f"brief_{lang}.docx", lang=lang)
    text, footer = _docx_text(out)
    for s in brief_numbers(results, lang):
        assert _norm(s) in text, s
    _assert_in_order(text, HEADINGS[lang])
    assert "3f2a9c0d" in footer and GIT_COMMIT in footer and "b7c1d2e3" in footer
    doc = Document(str(out))
    assert len(doc.inline_shapes) == 1  # one fan chart
    assert len(doc.tables) >= 1
    header = [c.text for c in doc.tables[-1].rows[0].cells]
    assert header[0] == ("Skenario" if lang == "id" else "Scenario")
    assert len(doc.tables[-1].rows) == 1 + len({r["scenario"] for r in results["comparison"]})


def test_pdf_and_docx_share_content(results, tmp_path):
    """Every sentence of the content model shows up in both renderings."""
    content = build_brief_content(results, "id")
    _, pdf_text, _ = _pdf_text(build_brief_pdf(results, tmp_path / "b.pdf"))
    docx_text, _ = _docx_text(build_brief_docx(results, tmp_path / "b.docx"))
    for sec in content.sections:
        for block in sec.blocks:
            if isinstance(block, brief.Item | brief.Para):
                assert _norm(block.text) in docx_text
                # PDF text may break lines inside words only at spaces; compare a prefix.
                assert _norm(block.text)[:40] in pdf_text


def test_stress_fixture_fits_two_pages(stress_results, tmp_path):
    for lang in ("id", "en"):
        out = build_brief_pdf(stress_results, tmp_path / f"stress_{lang}.pdf", lang=lang)
        n_pages, text, _ = _pdf_text(out)
        assert n_pages <= 2
        for s in brief_numbers(stress_results, lang):
            assert _norm(s) in text
        build_brief_docx(stress_results, tmp_path / f"stress_{lang}.docx", lang=lang)
    doc = Document(str(tmp_path / "stress_id.docx"))
    assert len(doc.tables[-1].rows) == 8  # header + 7 scenarios, one row each


def test_explicit_comparison_overrides_results(results, tmp_path):
    rows = [dict(results["comparison"][0], title_id="Skenario Khusus Uji")]
    out = build_brief_docx(results, tmp_path / "c.docx", comparison=rows)
    doc = Document(str(out))
    assert len(doc.tables[-1].rows) == 2
    assert doc.tables[-1].rows[1].cells[0].text == "Skenario Khusus Uji"


def test_provinces_never_added(results):
    content = build_brief_content(results, "id")
    text = content.plain_text()
    # Sum of the two headline means (21,500 + 2,450 = 23,950 million) must not appear.
    assert "US$24,0 miliar" not in text and "US$23,9 miliar" not in text
    assert "tidak dijumlahkan" in text


def test_rules_choose_sentences(results):
    # Export Center adds 120 of a 21,000 baseline (0.6%), below the 1% threshold: an UMKM
    # programme, addressed to the Pemprov Kaltim; the threshold itself is never printed.
    text = build_brief_content(results, "en").plain_text()
    assert ("Kaltim provincial government: Export Center Balikpapan adds US$120 million to "
            "Kaltim's exports in 2030, too little to move the provincial total") in text
    # KIHI adds 870 of 1,500 (58.0%) to Kaltara: material, and cooperation with Kaltara.
    assert ("Cooperation with the Kaltara government (agreement of 7 August 2025): KIHI Bulungan "
            "adds US$870 million gross to Kaltara's exports in 2030 (58.0% of Kaltara's "
            "baseline)") in text
    assert "coal is still 74.0% of Kaltim's exports" in text
    assert "threshold" not in text

    big = copy.deepcopy(results)
    big["headline"][0]["components_mean"]["export_center"] = 630.0  # 3.0% of baseline
    text = build_brief_content(big, "en").plain_text()
    assert "Export Center Balikpapan adds US$630 million to Kaltim's exports in 2030: expand" in text
    assert "too little" not in text

    no_levers = copy.deepcopy(results)
    for h in no_levers["headline"]:
        h["components_mean"] = {"baseline": h["baseline_mean"]}
        h["coal_share_pct"] = 20.0
    text = build_brief_content(no_levers, "id").plain_text()
    assert "Export Center" not in text.split("Saran Tindak")[1]
    assert "KIHI" not in text.split("Saran Tindak")[1]


def test_missing_optional_keys(results, tmp_path):
    r = copy.deepcopy(results)
    for h in r["headline"]:
        h.pop("last_actual", None)
        h.pop("hhi_product", None)
        h.pop("total_p10")
    del r["fan_chart"], r["facts"], r["assumptions"], r["comparison"]
    pdf = build_brief_pdf(r, tmp_path / "m.pdf")
    docx = build_brief_docx(r, tmp_path / "m.docx", lang="en")
    n_pages, text, _ = _pdf_text(pdf)
    assert n_pages <= 2
    _assert_in_order(text, HEADINGS["id"])
    assert "US$21,5 miliar" in text
    docx_text, _ = _docx_text(docx)
    _assert_in_order(docx_text, HEADINGS["en"])


def test_invalid_language(results, tmp_path):
    with pytest.raises(ValueError):
        build_brief_pdf(results, tmp_path / "x.pdf", lang="fr")
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize(
    ("builder", "renderer", "name"),
    [(build_brief_pdf, "pdf", "a.pdf"), (build_brief_docx, "docx", "a.docx")],
)
def test_atomic_write_keeps_existing_file(results, tmp_path, monkeypatch, builder, renderer, name):
    out = tmp_path / name
    out.write_bytes(b"previous version")

    def boom(content, path):
        Path(path).write_bytes(b"half-written")
        raise RuntimeError("renderer failed")

    import importlib

    module = importlib.import_module(f"kaltim_research.report.brief.{renderer}")
    monkeypatch.setattr(module, f"_render_{renderer}", boom)
    with pytest.raises(RuntimeError):
        builder(results, out)
    assert out.read_bytes() == b"previous version"
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no temp file left


def test_atomic_write_replaces_existing_file(results, tmp_path):
    out = tmp_path / "brief.pdf"
    out.write_bytes(b"previous version")
    build_brief_pdf(results, out)
    assert out.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.pdf"]


def test_templates_have_both_languages():
    data = brief.brief_text()

    def walk(node, path):
        if isinstance(node, dict) and ({"id", "en"} & set(node)):
            assert set(node) >= {"id", "en"}, path
            return
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{path}.{k}")

    for key in (
        "labels",
        "headings",
        "bases",
        "components",
        "tables",
        "chart",
        "sentences",
        "footer",
        "months",
    ):
        walk(data[key], key)


def test_templates_contain_no_typed_numbers():
    """Sentences carry no hand-typed figures (percentile labels P10/P90 and Table/Figure
    numbers excepted)."""
    data = brief.brief_text()
    allowed = re.compile(r"P10|P90|Tabel 1|Table 1|Gambar 1|Figure 1")
    for section in ("sentences", "labels", "chart", "footer"):

        def strings(node):
            if isinstance(node, dict):
                for v in node.values():
                    yield from strings(v)
            elif isinstance(node, list):
                for v in node:
                    yield from strings(v)
            elif isinstance(node, str):
                yield node

        for s in strings(data[section]):
            text = re.sub(r"\{[a-z_0-9]+\}", "", s)  # placeholders such as {p50}
            assert not re.search(r"\d", allowed.sub("", text)), s


def test_overlong_input_warns_instead_of_failing(results, tmp_path):
    r = copy.deepcopy(results)
    r["facts"] = [
        {
            "text_id": f"Fakta nomor {i}",
            "text_en": f"Fact number {i}",
            "value_usd_m": 10.0 * i,
            "source_url": "https://kaltim.bps.go.id/",
        }
        for i in range(1, 120)
    ]
    with pytest.warns(UserWarning, match="pages"):
        out = build_brief_pdf(r, tmp_path / "long.pdf")
    assert len(PdfReader(str(out)).pages) > 2


def test_written_file_has_normal_permissions(results, tmp_path):
    import os
    import stat

    umask = os.umask(0)
    os.umask(umask)
    out = build_brief_docx(results, tmp_path / "perm.docx")
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask


def test_pdf_is_reproducible(results, tmp_path):
    a = build_brief_pdf(results, tmp_path / "a.pdf").read_bytes()
    b = build_brief_pdf(results, tmp_path / "b.pdf").read_bytes()
    assert a == b
