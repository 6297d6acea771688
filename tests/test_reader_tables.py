"""Report tables in the reader's language: readable headers, no index, no None/NaN/dict; and
every HTML report on disk passes the same scan (the notebooks' own HTML is scanned in
tests/test_notebooks.py)."""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from kaltim_research.report.reader_tables import (
    cell_text,
    column_label,
    html_problems,
    reader_frame,
    reader_table_html,
)
from kaltim_research.report.results import run_to_dir

ROOT = Path(__file__).resolve().parents[1]


def test_labels_and_cells():
    assert column_label("gross_export_usd_m_mean") == "Ekspor kotor (US$ juta), rata-rata"
    assert column_label("gross_export_usd_m_mean", "en") == "Gross export (US$ m), mean"
    assert column_label("coal_share_pct") == "Porsi batu bara (%)"
    assert column_label("year") == "Tahun"
    assert cell_text({2025: 108.0, 2026: 100.0}) == "2025: 108,0; 2026: 100,0"
    assert cell_text({"value": 0.15, "low": 0.1, "high": 0.25}) == "0,15 (0,10–0,25)"
    assert cell_text(None) == cell_text(math.nan) == cell_text("None") == "–"
    assert cell_text(12345.678) == "12.346" and cell_text(2030) == "2030"
    assert cell_text(True) == "ya" and cell_text(True, "en") == "yes"


def test_index_becomes_a_column_and_headers_are_read():
    df = pd.DataFrame({"value_usd_m": [1.5, None]},
                      index=pd.Index(["Kalimantan Timur", "Kalimantan Utara"], name="province"))
    out = reader_frame(df, "id")
    assert list(out.columns) == ["Provinsi", "Nilai (US$ juta)"]
    assert list(out.iloc[:, 1]) == ["1,50", "–"]
    piv = pd.DataFrame({"a": [1.0]}, index=pd.Index([0]))  # an unnamed index is dropped
    assert list(reader_frame(piv).columns) == ["A"]


def test_scan_catches_what_the_old_reports_showed():
    page = ("<table><tr><th>value_usd_m</th></tr><tr><td>None</td><td>NaN</td>"
            "<td>{'value': 0.1, 'low': 0.03}</td></tr></table><style>.None{}</style>")
    kinds = {p.split(":")[0] for p in html_problems(page)}
    assert kinds == {"None", "NaN", "a Python dict", "snake_case header"}
    assert html_problems("<style>td.None {}</style><p>ya</p>") == []


@pytest.fixture(scope="module")
def small_run(built_processed, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reader") / "small"
    processed = out.parent / "processed"
    import shutil

    shutil.copytree(built_processed, processed)
    run_to_dir(ROOT / "tests" / "fixtures" / "scenarios" / "ci_small.yaml", out, processed,
               draws=200, tornado=False)
    return out


def test_every_engine_table_reads_without_code_names(small_run):
    """Every CSV the engine writes, shown as a report table, has no snake_case header and no
    None/NaN/dict cell, in both languages (a new column is spelt out, never printed raw)."""
    for csv in sorted(small_run.glob("*.csv")):
        df = pd.read_csv(csv)
        for lang in ("id", "en"):
            problems = html_problems(reader_table_html(df, lang))
            assert not problems, f"{csv.name} ({lang}): {problems[:3]}"


@pytest.mark.parametrize("page", sorted((ROOT / "reports").rglob("*.html")),
                         ids=lambda p: str(p.relative_to(ROOT / "reports")))
def test_every_html_report_on_disk_reads_clean(page):
    problems = html_problems(page.read_text(encoding="utf-8"))
    assert not problems, f"{page}: {problems[:5]}"
