"""After a data import and a run the brief says which release and which headline moved, and
the index marks reports made with older data than today's."""
from __future__ import annotations

import copy
import json

from test_brief import results  # noqa: F401  (the brief's hand-made results fixture)

from kaltim_research.report.brief import build_brief_content
from kaltim_research.report.changes import compute_changes
from kaltim_research.report.index import write_index


def test_changes_name_the_release_the_assumption_and_each_headline(results):  # noqa: F811
    prev = copy.deepcopy(results)
    prev["provenance"]["data_manifest_hash"] = "sha256:old"
    prev["data_vintage"]["exports"][1]["month"] = 5  # Kaltara was to May 2025
    prev["assumptions"] = [dict(a) for a in prev.get("assumptions") or []]
    cur = copy.deepcopy(results)
    for h in cur["headline"]:
        h["total_p50"] = h["total_p50"] * 1.05
    prev["assumptions"].append({"name": "coal_volume.output_mt", "value": 600.0,
                                "label_id": "Produksi batu bara nasional", "unit": "million tonnes",
                                "unit_id": "juta ton"})
    cur["assumptions"] = list(cur.get("assumptions") or []) + [
        {"name": "coal_volume.output_mt", "value": 650.0, "label_id": "Produksi batu bara nasional",
         "unit": "million tonnes", "unit_id": "juta ton"}]
    ch = compute_changes(prev, cur, {"data_resources": ["a"]}, {"data_resources": ["a", "b"]})
    cur["changes"] = json.loads(json.dumps(ch, default=str))
    text = " ".join(p.text for p in build_brief_content(cur, "id").summary)
    assert "BPS Provinsi Kalimantan Utara kini sampai September 2025 (sebelumnya Mei 2025)" in text
    assert "Produksi batu bara nasional 600 juta ton menjadi 650 juta ton" in text
    assert "Kalimantan Timur median US$21,0 miliar menjadi US$22,0 miliar (+5,0%)" in text
    assert "Kalimantan Utara median" in text and "Sumber data baru" not in text


def test_index_marks_reports_older_than_the_data(tmp_path, results):  # noqa: F811
    for name, manifest in (("old", "sha256:1111111111111111"), ("new", "sha256:2222222222222222")):
        d = tmp_path / name
        d.mkdir()
        r = copy.deepcopy(results)
        r["scenario"]["title_id"] = f"Skenario {name}"
        r["provenance"]["data_manifest_hash"] = manifest
        (d / "results.json").write_text(json.dumps(r), encoding="utf-8")
    page = write_index(tmp_path, "id", "sha256:222222222222").read_text(encoding="utf-8")
    row_old = page.split("Skenario old")[1].split("</tr>")[0]
    row_new = page.split("Skenario new")[1].split("</tr>")[0]
    assert "data lama" in row_old and "data lama" not in row_new
    assert "Median 2030" in page  # the index says which statistic it shows
