"""`kaltim-research brief` renders only results that belong to the scenario file and the data:
after an edit it refuses (exit 2, the old brief intact) or, with --rerun, reruns the engine."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from pypdf import PdfReader

from kaltim_research import cli
from kaltim_research.models.scenario import load_scenario, scenario_hash

ROOT = Path(__file__).resolve().parents[1]


def _text(pdf: Path) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(str(pdf)).pages)


def test_brief_refuses_or_reruns_stale_results(built_processed, tmp_path, capsys):
    sc = tmp_path / "small.yaml"
    shutil.copy(ROOT / "tests" / "fixtures" / "scenarios" / "ci_small.yaml", sc)
    reports = tmp_path / "reports"
    assert cli.main(["brief", str(sc), "--reports", str(reports), "--date", "2026-12-04"]) == 0
    pdf = reports / "small" / "brief_id.pdf"
    first = pdf.read_bytes()
    assert "4 Desember 2026" in _text(pdf)  # --date sets the Tanggal

    sc.write_text(sc.read_text(encoding="utf-8").replace("seed: 7", "seed: 8"), encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["brief", str(sc), "--reports", str(reports)]) == 2
    err = capsys.readouterr().err
    assert "the scenario file changed since the run" in err and "Traceback" not in err
    assert pdf.read_bytes() == first  # the old brief is left as it was

    assert cli.main(["brief", str(sc), "--reports", str(reports), "--rerun"]) == 0
    r = json.loads((reports / "small" / "results.json").read_text(encoding="utf-8"))
    assert r["scenario"]["hash"] == scenario_hash(load_scenario(sc))
    assert scenario_hash(load_scenario(sc))[7:15] in _text(pdf)  # footer: the new file

    r["provenance"]["data_manifest_hash"] = "sha256:" + "0" * 64
    (reports / "small" / "results.json").write_text(json.dumps(r), encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["brief", str(sc), "--reports", str(reports)]) == 2
    assert "the data changed since the run" in capsys.readouterr().err
    assert cli.main(["brief", str(sc), "--reports", str(reports), "--date", "4.12.2026"]) == 2
