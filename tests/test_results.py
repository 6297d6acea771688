"""results.json contents: destination concentration, assumptions and facts come from data."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kaltim_research.models import engine
from kaltim_research.models.scenario import parse_scenario
from kaltim_research.report.results import destination_hhi, facts

ROOT = Path(__file__).resolve().parents[1]
PROCESSED = ROOT / "data" / "processed"


def _scenario(weights=None, onboarded=None):
    d = yaml.safe_load((ROOT / "scenarios" / "export_center.yaml").read_text())
    if onboarded is not None:
        d["parameters"]["export_center"]["onboarded_kaltim"] = onboarded
    if weights is not None:
        d["parameters"]["export_center"]["destination_weights"] = weights
    return parse_scenario(d, "test")


def _hhi(scenario, province="Kalimantan Timur", year=2030):
    run = engine.run_scenario(scenario, draws=200, tornado=False)
    t = destination_hhi(run, PROCESSED)
    return float(t[(t["province"] == province) & (t["year"] == year)]["hhi_destination"].iloc[0])


def test_sending_new_umkm_exports_to_the_top_destination_raises_concentration():
    # China has the largest reported share, so putting every new UMKM dollar there
    # concentrates exports more than spreading them like today's exports.
    big = {2025: 0, 2026: 3000}
    assert _hhi(_scenario({"China": 1.0}, big)) > _hhi(_scenario(None, big))


def test_weights_do_not_matter_without_export_center_firms():
    none = {2025: 0}  # no Kaltim firms onboarded
    assert _hhi(_scenario({"China": 1.0}, none)) == pytest.approx(_hhi(_scenario(None, none)))


def test_facts_are_looked_up_in_the_ledger():
    f = {x["text_en"]: x for x in facts(PROCESSED)}
    jan_oct = next(v for k, v in f.items() if k.startswith("Kaltim exports") and "2023" in k)
    assert jan_oct["value_usd_m"] == 22490.0  # BPS Kaltim Jan–Oct 2023 (voi.id, Nov 2023)
    via = next(v for k, v in f.items() if k.startswith("Exports through Kaltara ports"))
    assert via["value_usd_m"] == 1022.35      # Jan–Sep 2025 (tribunnews, 2025-11-07)
