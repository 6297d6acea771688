"""The brief's facts: rounding to what the band supports, the Tanggal rule, the attribution
named from the changed assumptions, and graceful fiscal/jobs lines."""
from __future__ import annotations

import copy

import pytest
from test_brief import results  # noqa: F401  (the brief's hand-made results fixture)

from kaltim_research.report.brief.facts import brief_date, brief_facts, supported_step
from kaltim_research.report.brief.facts_model import Amount
from kaltim_research.report.brief.wording import money


@pytest.mark.parametrize(("width", "step"), [(12000.0, 100.0), (1500.0, 10.0), (190.0, 1.0),
                                             (2.2, 0.1), (20.0, 1.0), (19.9, 0.1)])
def test_step_is_the_power_of_ten_at_most_five_percent_of_the_band(width, step):
    assert supported_step(width) == pytest.approx(step)
    assert supported_step(width) <= width / 20 < 10 * supported_step(width)


def test_money_prints_the_decimals_the_step_supports():
    assert money(Amount(14800.0, 100.0), "id") == "US$14,8 miliar"
    assert money(Amount(980.0, 10.0), "id") == "US$980 juta"
    assert money(Amount(1480.0, 10.0), "id") == "US$1,48 miliar"
    assert money(Amount(38000.0, 1000.0), "en") == "US$38 billion"


def test_tanggal_is_the_later_of_scenario_and_release_and_never_today(results):  # noqa: F811
    r = copy.deepcopy(results)
    assert brief_date(r) == "2026-11-27"
    r["data_vintage"]["released"] = "2026-12-03"
    assert brief_date(r) == "2026-12-03"
    assert brief_date(r, "2026-12-24") == "2026-12-24"


def test_attribution_names_changed_assumptions_and_levers(results):  # noqa: F811
    f = brief_facts(results)
    kt, ku = f.province("Kalimantan Timur"), f.province("Kalimantan Utara")
    assert [c.key for c in ku.contributions] == ["kihi", "connectivity"]  # 870 > 80
    assert kt.cause.key == "connectivity" and f.kind == "lever"
    r = copy.deepcopy(results)
    for h in r["headline"]:
        h["components_mean"] = {"baseline": h["baseline_mean"]}
        h["decomposition_mean"] = {"price_and_coal_demand": -0.1 * h["baseline_mean"]}
    r["assumptions"] = [{"name": "coal_volume.export_duty_pct", "value": 5.0,
                         "baseline_value": 0.0, "unit": "% of export value"}]
    f = brief_facts(r)
    assert f.kind == "shock"
    assert f.province("Kalimantan Timur").cause.drivers == ("export_duty",)
    assert [(a.addressee, a.key) for a in f.actions][:3] == [
        ("pemprov_kaltim", "action_shock_kaltim"), ("kerja_sama_kaltara", "action_shock_kaltara"),
        ("kementerian_keuangan", "action_ministry")]


def test_fiscal_and_jobs_lines_without_the_keys(results):  # noqa: F811
    r = copy.deepcopy(results)
    r.pop("fiscal", None)
    r.pop("jobs", None)
    f = brief_facts(r)
    assert {p.fiscal.status for p in f.provinces} == {"missing"}
    assert {p.jobs.status for p in f.provinces} == {"missing"}
    r["fiscal"] = [{"province": "Kalimantan Utara", "year": 2030, "status": "not_estimable"}]
    assert brief_facts(r).province("Kalimantan Utara").fiscal.status == "not_estimable"
