"""Briefs of every shipped scenario, read as the governor's staff would read them.

The engine runs every file in scenarios/ (fewer draws: the words and the rules are tested, not
the numbers) and the briefs are built with the comparison of all scenarios, as the runner does.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from kaltim_research.models.scenario import parameter_docs
from kaltim_research.report.assumptions import parameter_labels
from kaltim_research.report.brief import build_brief_content
from kaltim_research.report.changes import compute_changes
from kaltim_research.report.results import run_to_dir
from kaltim_research.report.runner import build_briefs, comparison_table

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
#: Scenarios written for these tests and never shipped (no template has seen them).
READER = sorted((ROOT / "tests" / "fixtures" / "reader").glob("*.yaml"))
ALL = [p.stem for p in SCENARIOS] + [p.stem for p in READER]

#: Common English words that are not also Indonesian words (so "data", "total", "median",
#: "program", "target", "smelter" are not listed).
ENGLISH = set("""
the of and to in for by with from on at is are was were be been this that these those it its
as or not but which will would could should can has have had than then there their they
year years month months full export exports import imports share shares price prices coal
demand growth scenario scenarios baseline range ranges source sources figure figures reported
cumulative firms firm thousand million billion value values mean difference draws assumption
assumptions judgement judgment lever levers ports port origin loading through rerouted new jobs
power hydro capacity output phase expansion schedule agreement direct calls trials since about
rising falling without under between above below more less only also each all both province
provinces government governor brief staff team research page date subject issue facts analysis
conclusion actions recommended main driver largest cause because projected projection
uncertainty wide narrow latest last first actual actuals derived summed oil gas green premium
carbon world trade ministry coaching published none available notes stress case forecast path
paths trough troughs net zero outlook report just transition survival promotion returns journal
development studies per-year onboarded matched buyers rate rates weights exported domestic
mostly imported electricity tonne tonnes newest most start delay slipped verified judgement
calibrated computed illustrative planned possible sales line jetty own lever scenario's
""".split())
#: Proper names and cited titles that keep their English words.
ALLOWED = ["Export Center Balikpapan", "Export Center", "Pink Sheet", "IEA Coal 2025",
           "Monte Carlo", "PT Kalimantan Aluminium Industry", "Kalimantan Aluminium Industry"]


def english_words(text: str) -> list[str]:
    for phrase in ALLOWED:
        text = text.replace(phrase, " ")
    text = re.sub(r"\S+\.(?:com|id|org|go\.id|net|asia|co)\S*", " ", text)  # publisher hosts
    # hashes in the footer (scenario, data, commit): "6cd4dfe" must not read as "cd", "dfe"
    text = re.sub(r"\b[0-9a-f]{7,64}(?:-dirty)?\b", " ", text)
    text = re.sub(r"\S*\d\S*", " ", text)  # any token with a digit is not a word
    words = re.findall(r"[A-Za-z][A-Za-z'’]*", text)
    return sorted({w for w in words if w.lower() in ENGLISH})


@pytest.fixture(scope="module")
def shipped(built_processed, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("shipped")
    processed = out / "processed"  # own copy: the engine caches its inputs next to the tables
    shutil.copytree(built_processed, processed)
    for sc in SCENARIOS:
        run_to_dir(sc, out / sc.stem, processed, draws=400, tornado=False)
    comparison = comparison_table(out)
    for sc in SCENARIOS:
        build_briefs(out / sc.stem, ("id", "en"), comparison, ("id",))
    # The unshipped scenarios modify the shipped baseline: copied next to it, run and briefed
    # beside the shipped ones (their own folder, so the shipped comparison is unchanged).
    unshipped = out / "_scenarios"
    unshipped.mkdir()
    shutil.copy(ROOT / "scenarios" / "baseline.yaml", unshipped)
    for sc in READER:
        shutil.copy(sc, unshipped)
        run_to_dir(unshipped / sc.name, out / f".{sc.stem}", processed, draws=400, tornado=False)
        build_briefs(out / f".{sc.stem}", ("id", "en"), comparison, ("id",))
    return out


def where(shipped: Path, scenario: str) -> Path:
    """A scenario's report folder (the unshipped ones are hidden from the comparison)."""
    return shipped / (f".{scenario}" if scenario in {p.stem for p in READER} else scenario)


def _pdf_text(path: Path) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(str(path)).pages)


def _docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    parts += [p.text for s in doc.sections for p in s.footer.paragraphs]
    return " ".join(" ".join(parts).split())


def test_english_word_list_catches_english():
    assert english_words("Kaltim exports by port of loading, reported Jan–10 (cumulative)") == [
        "by", "cumulative", "exports", "loading", "of", "port", "reported"]
    assert english_words("Export Center Balikpapan membina UMKM; sumber worldbank.org") == []
    # footer hashes are not words (a commit "6cd4be1" once read as the English "be")
    assert english_words("Revisi 6cd4be1-dirty · Sidik data beadfee0 · Skenario 4430ec64") == []
    assert english_words("Revisi 6cd4be1, the draws") == ["draws", "the"]


@pytest.mark.parametrize("scenario", ALL)
def test_indonesian_briefs_have_no_english_words(shipped, scenario):
    folder = where(shipped, scenario)
    for path, text in ((f"{scenario}/brief_id.pdf", _pdf_text(folder / "brief_id.pdf")),
                       (f"{scenario}/brief_id.docx", _docx_text(folder / "brief_id.docx"))):
        found = english_words(text)
        assert not found, f"{path}: English words {found}"
        # No file paths or code names.
        assert not re.search(r"\b\w+\.(yaml|csv|py)\b|data/raw|scenarios/", text), path
        assert scenario not in text or "_" not in scenario, f"{path} names the code {scenario}"


@pytest.mark.parametrize("scenario", ALL)
def test_bottom_line_before_praanggapan_and_both_provinces_charted(shipped, scenario):
    text = _pdf_text(where(shipped, scenario) / "brief_id.pdf")
    head = text.split("Praanggapan")[0]
    assert re.search(r"US\$\d", head), "no US$ figure before Praanggapan"
    import json

    results = json.loads((where(shipped, scenario) / "results.json").read_text())
    content = build_brief_content(results, "id")
    figures = [b for s in content.sections for b in s.blocks if type(b).__name__ == "Figure"]
    assert len(figures) == 1
    assert "Kalimantan Timur" in figures[0].caption and "Kalimantan Utara" in figures[0].caption
    assert [f["province"] for f in results["fan_charts"]][0] == "Kalimantan Timur"


def _conclusion(shipped: Path, scenario: str) -> str:
    import json

    results = json.loads((shipped / scenario / "results.json").read_text())
    content = build_brief_content(results, "id")
    sec = next(s for s in content.sections if s.key == "conclusion")
    text = " ".join(b.text for b in sec.blocks)
    return re.sub(r"[+\-−]?US\$[\d.,]+ (?:miliar|juta)|[+\-]?[\d.,]+%|\d{4}", "#", text)


def test_conclusions_differ_beyond_their_numbers(shipped):
    texts = {s: _conclusion(shipped, s) for s in ("baseline", "coal_transition",
                                                  "combined_moderate")}
    assert len(set(texts.values())) == 3, texts
    assert "Tanpa kebijakan baru" in texts["baseline"]
    assert "harga batu bara dunia yang lebih rendah" in texts["coal_transition"]
    assert "KIHI" in texts["combined_moderate"]


def test_assumptions_follow_the_modifies_chain_with_the_scenarios_reasons(shipped):
    import json

    r = json.loads((shipped / "combined_ambitious" / "results.json").read_text())
    names = {a["name"]: a for a in r["assumptions"]}
    # set in combined_moderate, inherited by combined_ambitious
    assert "kihi.port_share_via_kaltim" in names
    assert names["kihi.port_share_via_kaltim"]["reason_given"]
    coal = json.loads((shipped / "coal_transition" / "results.json").read_text())
    price = next(a for a in coal["assumptions"] if a["name"] == "prices.coal_newcastle")
    assert price["value"] == 60.0 and price["baseline_value"] == 97.5
    assert "tekanan" in price["why_id"]  # the scenario's reasoning, not the default's source


def test_docx_is_tagged_id_ID_and_reproducible(shipped, tmp_path):
    path = shipped / "combined_moderate" / "brief_id.docx"
    doc = Document(str(path))
    assert doc.core_properties.language == "id-ID"
    langs = {el.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val")
             for el in doc.styles.element.iter(
                 "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}lang")}
    assert langs == {"id-ID"}
    again = tmp_path / "again"
    shutil.copytree(shipped / "combined_moderate", again)
    build_briefs(again, ("id",), comparison_table(shipped), ("id",))
    assert (again / "brief_id.docx").read_bytes() == path.read_bytes()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_docx_fits_two_pages_in_libreoffice(shipped, tmp_path):
    for sc in ("baseline", "coal_transition", "combined_ambitious"):
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir",
                        str(tmp_path / sc), str(shipped / sc / "brief_id.docx")], check=True,
                       capture_output=True, timeout=180)
        assert len(PdfReader(str(tmp_path / sc / "brief_id.pdf")).pages) <= 2, sc


def test_every_declared_parameter_has_bilingual_labels():
    labels = parameter_labels()
    keys = ("label_id", "label_en", "unit_id", "unit_en", "source_id", "source_en")
    missing = [d.name for d in parameter_docs() if d.name not in labels]
    assert not missing, f"templates/parameters.yaml lacks: {missing}"
    for name, entry in labels.items():
        assert set(keys) <= set(entry), name
        for k in ("label_id", "label_en", "source_id", "source_en"):
            assert str(entry[k]).strip(), f"{name}.{k} is empty"


def test_every_shipped_scenario_has_indonesian_title_and_description():
    import yaml

    for sc in SCENARIOS:
        data = yaml.safe_load(sc.read_text(encoding="utf-8"))
        assert data.get("title_id") and data.get("description_id"), sc.name


def test_changes_name_the_inputs_and_the_headline_change():
    prev = {"scenario": {"name": "kihi", "hash": "a"},
            "provenance": {"data_manifest_hash": "m1", "scenario_hash": "a",
                           "package_version": "0.1.0"},
            "headline": [{"province": "Kalimantan Utara", "basis": "origin", "year": 2030,
                          "total_p50": 1000.0}],
            "assumptions": [{"name": "kihi.projects", "value": 500.0}]}
    cur = {"scenario": {"name": "kihi", "hash": "b"},
           "provenance": {"data_manifest_hash": "m2", "scenario_hash": "b",
                          "package_version": "0.1.0"},
           "headline": [{"province": "Kalimantan Utara", "basis": "origin", "year": 2030,
                         "total_p50": 1100.0}],
           "assumptions": [{"name": "kihi.projects", "value": 1500.0}]}
    ch = compute_changes(prev, cur, {"data_resources": ["a"], "source_hash": "s"},
                         {"data_resources": ["a", "b"], "source_hash": "s"})
    assert ch["inputs_changed"] == ["data", "parameters"]
    assert ch["data_resources_added"] == ["b"]
    assert ch["parameters_changed"] == [{"name": "kihi.projects", "before": 500.0,
                                         "after": 1500.0}]
    h = ch["headlines"][0]
    assert (h["before_usd_m"], h["after_usd_m"], h["change_usd_m"]) == (1000.0, 1100.0, 100.0)
    assert h["change_pct"] == pytest.approx(10.0)
    cur["changes"] = ch
    text = build_brief_content(cur, "id").plain_text()
    assert "Perubahan sejak telaah sebelumnya" in text and "+10,0%" in text


# --------------------------------------------------------------------------- reader rules


def _content(shipped: Path, scenario: str, lang: str = "id"):
    import json

    results = json.loads((where(shipped, scenario) / "results.json").read_text())
    return results, build_brief_content(results, lang)


def _section(content, key: str) -> list:
    return next(s for s in content.sections if s.key == key).blocks


ADDRESSEES_ID = ("Pemprov Kaltim: ", "Kerja sama dengan Pemprov Kaltara (kesepakatan 7 Agustus 2025): ",
                 "Rekomendasi kepada Kementerian ESDM: ", "Rekomendasi kepada Kementerian Keuangan: ")


@pytest.mark.parametrize("scenario", ALL)
def test_reader_rules(shipped, scenario):
    """Every brief: addressed actions (Kaltim acts on Kaltim, Kaltara items as cooperation),
    no rule threshold, no sentence twice, signature block, Indonesian only."""
    _results, content = _content(shipped, scenario)
    items = [b.text for b in _section(content, "actions") if type(b).__name__ == "Item"]
    assert items, scenario
    for text in items:
        who = next((a for a in ADDRESSEES_ID if text.startswith(a)), None)
        assert who, f"{scenario}: action without an addressee that can act: {text[:80]}"
        if who == "Pemprov Kaltim: ":
            assert "Kaltara" not in text and "Kalimantan Utara" not in text, \
                f"{scenario}: the Gubernur Kaltim told to act on Kaltara: {text[:120]}"
    plain = content.plain_text()
    assert not re.search(r"\b(?:ambang|threshold)\b", plain), "a rule threshold is printed"
    assert "Kepala Biro Perekonomian" in plain and "NIP" in plain, "no signature block"
    body = [b.text for s in content.sections for b in s.blocks
            if type(b).__name__ in ("Para", "Item")] + [p.text for p in content.summary]
    sentences = [s.strip() for t in body for s in re.split(r"(?<=[.;])\s+", t) if len(s) > 40]
    dupes = {s for s in sentences if sentences.count(s) > 1}
    assert not dupes, f"{scenario}: printed twice: {dupes}"
    found = english_words(plain)
    assert not found, f"{scenario}: English words {found}"


@pytest.mark.parametrize("scenario", ALL)
def test_cause_is_the_largest_part_of_the_decomposition(shipped, scenario):
    """The conclusion of each province names, in words, the largest part of the engine's
    decomposition (computed here from results.json, independently of the brief's facts)."""
    from kaltim_research.report.brief.text import BriefText
    from kaltim_research.report.brief.wording import driver_words

    results, content = _content(shipped, scenario)
    tx = BriefText("id")
    conclusion = " ".join(b.text for b in _section(content, "conclusion"))
    for h in results["headline"]:
        parts = {k: v for k, v in (h.get("decomposition_mean") or {}).items() if abs(v) >= 0.05}
        if not parts:
            continue
        key = max(parts, key=lambda k: abs(parts[k]))
        if key == "price_and_coal_demand":  # named by what the scenario changes, each in
            # the direction of its own change (a higher DMO, a lower coal price)
            words = [driver_words(d, direction, tx) for d, direction in _changed_drivers(results)]
        else:
            words = [driver_words(key, "up" if parts[key] > 0 else "down", tx)]
        sentence = next(s for s in conclusion.split("Bagi ")[1:] if s.startswith(h["province"]))
        for w in words:
            assert w in sentence, f"{scenario}/{h['province']}: cause {w!r} missing: {sentence}"
        assert "dibina" not in sentence  # no coached firms unless the Export Center acts


def _changed_drivers(results: dict) -> list[tuple[str, str]]:
    from kaltim_research.report.brief.attribution import driver_of
    from kaltim_research.report.brief.text import brief_text

    levers = ("export_center", "kihi", "connectivity")
    out: dict[str, str] = {}
    for a in results["assumptions"]:
        if "baseline_value" in a and a["value"] != a["baseline_value"] \
                and a["name"].split(".")[0] not in levers:
            out.setdefault(driver_of(a["name"], brief_text()["drivers"]),
                           "up" if a["value"] > a["baseline_value"] else "down")
    return list(out.items())


def test_named_causes_and_beneficiaries(shipped):
    _r, rkab = _content(shipped, "rkab_2026")
    bottom = " ".join(p.text for p in rkab.summary)
    assert "pemangkasan produksi batu bara nasional (RKAB)" in bottom and "(DMO)" in bottom
    assert "tidak dapat diubah daerah" not in " ".join(
        b.text for b in _section(rkab, "conclusion"))
    assert any(b.text.startswith("Rekomendasi kepada Kementerian ESDM")
               for b in _section(rkab, "actions") if type(b).__name__ == "Item")
    for scenario in ("kihi", "connectivity"):
        _r, c = _content(shipped, scenario)
        assert "dibina" not in c.plain_text(), scenario
    _r, duty = _content(shipped, "coal_export_duty")
    assert "bea keluar batu bara" in " ".join(p.text for p in duty.summary)
    assert any(b.text.startswith("Rekomendasi kepada Kementerian Keuangan")
               for b in _section(duty, "actions") if type(b).__name__ == "Item")
    _r, boom = _content(shipped, "price_boom")
    assert "harga batu bara dunia yang lebih tinggi" in " ".join(p.text for p in boom.summary)
