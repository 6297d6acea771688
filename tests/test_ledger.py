"""The export ledger: published figures, the resolution rule, the annual view and the checks.

Expected numbers come from the published sources (data/raw/SOURCES.md) or from hand arithmetic
written in the test, never from running the code.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kaltim_research.data import ledger
from kaltim_research.data.ledger import KEY, rounding_half_unit, significant_digits

KALTIM = "Kalimantan Timur"
KALTARA = "Kalimantan Utara"


# --------------------------------------------------------------------------------------------
# helpers: hand-made frames
# --------------------------------------------------------------------------------------------

def obs_row(value, *, province=KALTIM, concept="via_ports", flow="total", period_type="ytd",
            year=2022, month=7, basis="reported", source_url="https://a.example/1",
            source_date="2022-08-01", usable=True, curation=None) -> dict:
    return {"province": province, "concept": concept, "flow": flow, "period_type": period_type,
            "year": year, "month": month, "value_usd_m": float(value), "basis": basis,
            "source_url": source_url, "source_date": source_date,
            "derivation": "implied: hand-made" if basis != "reported" else None,
            "flow_qualifier": None, "flow_label": flow, "usable": usable, "resource": "hand",
            "source_line": 2, "notes": None, "curation": curation}


def observations(*rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows))
    frame["order"] = range(len(frame))
    frame["source_line"] = range(2, len(frame) + 2)
    return frame


def exports_frame(*rows: dict) -> pd.DataFrame:
    """A resolved ledger (one row per key) built by hand."""
    frame = pd.DataFrame(list(rows))
    assert not frame.duplicated(KEY).any(), "hand-made ledger must have one row per key"
    return frame


def annual_row(frame: pd.DataFrame, year: int, *, province=KALTIM, concept="via_ports",
               flow="total") -> pd.Series:
    sel = frame[(frame["province"] == province) & (frame["concept"] == concept)
                & (frame["flow"] == flow) & (frame["year"] == year)]
    assert len(sel) == 1, f"expected one annual row, found {len(sel)}"
    return sel.iloc[0]


def selected_value(resolved, **key) -> float:
    ex = resolved.exports
    mask = np.ones(len(ex), dtype=bool)
    for k, v in key.items():
        mask &= ex[k] == v
    sel = ex[mask]
    assert len(sel) == 1, f"expected one ledger row for {key}, found {len(sel)}"
    return float(sel["value_usd_m"].iloc[0])


@pytest.fixture(scope="module")
def built(built_processed):
    return {name: pd.read_csv(built_processed / name) for name in
            ("exports.csv", "exports_annual.csv", "checks.csv", "reconciliation.csv",
             "exports_coverage.csv")}


# --------------------------------------------------------------------------------------------
# published figures (SOURCES.md), exactly as reported, in the built exports.csv
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("province, concept, period_type, year, month, expected", [
    # "latest Jan–Oct 2023: 22,490" (BPS Kaltim, by port of loading)
    (KALTIM, "via_ports", "ytd", 2023, 10, 22490),
    # "ekspor asli Kaltara pada Januari 2025 ... USD 103,74 juta"
    (KALTARA, "origin", "month", 2025, 1, 103.74),
    # "Jan–Sep 2025 via ports 1,022.35"
    (KALTARA, "via_ports", "ytd", 2025, 9, 1022.35),
    # full years: Kaltara via ports 2019 1,050.10, 2020 945.52; origin 2018 1,210, 2020 1,016.1
    (KALTARA, "via_ports", "year", 2019, 12, 1050.10),
    (KALTARA, "via_ports", "year", 2020, 12, 945.52),
    (KALTARA, "origin", "year", 2020, 12, 1016.1),
    # Kaltim 2014 full year 26,350
    (KALTIM, "via_ports", "year", 2014, 12, 26350),
])
def test_published_totals_are_in_the_ledger_as_reported(built, province, concept, period_type,
                                                         year, month, expected):
    ex = built["exports.csv"]
    sel = ex[(ex["province"] == province) & (ex["concept"] == concept) & (ex["flow"] == "total")
             & (ex["period_type"] == period_type) & (ex["year"] == year)
             & (ex["month"] == month)]
    assert len(sel) == 1
    row = sel.iloc[0]
    assert row["value_usd_m"] == expected  # exact: the value as printed, no arithmetic
    assert row["basis"] == "reported"
    assert row["source_url"].startswith("http")


def test_ledger_has_one_row_per_key(built):
    assert not built["exports.csv"].duplicated(KEY).any()


def test_known_rounding_conflict_resolves_to_the_precise_figure(built):
    """SOURCES.md: Kaltim Jan–Jul 2022 printed as 19,500 / 19,600 / 19,590."""
    ex, rec = built["exports.csv"], built["reconciliation.csv"]
    key = ((ex["province"] == KALTIM) & (ex["concept"] == "via_ports") & (ex["flow"] == "total")
           & (ex["period_type"] == "ytd") & (ex["year"] == 2022) & (ex["month"] == 7))
    assert ex.loc[key, "value_usd_m"].tolist() == [19590]
    rkey = ((rec["province"] == KALTIM) & (rec["concept"] == "via_ports")
            & (rec["flow"] == "total") & (rec["period_type"] == "ytd") & (rec["year"] == 2022)
            & (rec["month"] == 7))
    assert sorted(rec.loc[rkey, "other_value_usd_m"]) == [19500, 19600]
    assert set(rec.loc[rkey, "chosen_value_usd_m"]) == {19590}


# --------------------------------------------------------------------------------------------
# resolution rule on hand-made frames
# --------------------------------------------------------------------------------------------

def test_reported_beats_implied_even_when_implied_is_more_precise_and_later():
    obs = observations(
        obs_row(1820.47, basis="implied_from_pct_change", source_url="https://a.example/implied",
                source_date="2021-09-30", period_type="month", month=7),
        obs_row(2190, basis="reported", source_url="https://a.example/reported",
                source_date="2021-08-15", period_type="month", month=7),
    )
    res = ledger.resolve(obs)
    assert selected_value(res, period_type="month", month=7) == 2190
    assert res.exports["basis"].tolist() == ["reported"]


def test_more_significant_digits_beat_a_rounded_figure():
    # 19,600 is later and listed first, yet 19,590 (4 significant digits vs 3) wins
    obs = observations(
        obs_row(19600, source_url="https://a.example/rounded", source_date="2022-09-30"),
        obs_row(19590, source_url="https://a.example/precise", source_date="2022-08-10"),
    )
    res = ledger.resolve(obs)
    assert selected_value(res) == 19590
    assert res.exports["source_url"].tolist() == ["https://a.example/precise"]


def test_later_release_wins_at_equal_precision():
    # 1,330 and 1,340 both have 3 significant digits; the later one (listed second) wins
    obs = observations(
        obs_row(1330, source_url="https://a.example/early", source_date="2024-06-15"),
        obs_row(1340, source_url="https://a.example/late", source_date="2024-07-02"),
    )
    res = ledger.resolve(obs)
    assert selected_value(res) == 1340


def test_manifest_order_breaks_a_full_tie():
    obs = observations(
        obs_row(1330, source_url="https://a.example/first", source_date="2024-06-15"),
        obs_row(1340, source_url="https://a.example/second", source_date="2024-06-15"),
    )
    assert selected_value(ledger.resolve(obs)) == 1330


def test_every_non_selected_figure_is_in_the_reconciliation_with_both_values_and_sources():
    obs = observations(
        obs_row(19500, source_url="https://a.example/a", source_date="2022-08-01"),
        obs_row(19600, source_url="https://a.example/b", source_date="2022-08-02"),
        obs_row(19590, source_url="https://a.example/c", source_date="2022-08-03"),
        obs_row(19590, source_url="https://a.example/d", source_date="2022-08-01"),
        # another key: a lone figure has nothing to reconcile
        obs_row(1400, flow="migas", source_url="https://a.example/c", source_date="2022-08-03"),
    )
    res = ledger.resolve(obs)
    rec = res.reconciliation
    assert len(rec) == 3
    assert set(rec["chosen_value_usd_m"]) == {19590}
    assert set(rec["chosen_source_url"]) == {"https://a.example/c"}
    others = sorted(zip(rec["other_value_usd_m"], rec["other_source_url"], rec["kind"],
                        strict=True))
    assert others == [(19500, "https://a.example/a", "conflict"),
                      (19590, "https://a.example/d", "duplicate (same value)"),
                      (19600, "https://a.example/b", "conflict")]
    assert rec["other_source_date"].notna().all() and rec["chosen_source_date"].notna().all()
    # difference in % of the chosen value: 19500/19590 - 1 = -0.459 %
    row = rec[rec["other_value_usd_m"] == 19500].iloc[0]
    assert row["difference_pct"] == pytest.approx(-0.459, abs=1e-3)
    status = dict(zip(res.observations["source_url"] + "|" + res.observations["flow"],
                      res.observations["status"], strict=True))
    assert status == {"https://a.example/a|total": "superseded",
                      "https://a.example/b|total": "superseded",
                      "https://a.example/c|total": "selected",
                      "https://a.example/d|total": "superseded",
                      "https://a.example/c|migas": "selected"}


def test_excluded_figures_are_listed_even_without_a_rival():
    obs = observations(
        obs_row(14250, period_type="year", month=12, year=2017, usable=False,
                curation="excluded: probably the trade surplus"),
    )
    res = ledger.resolve(obs)
    assert res.exports.empty
    assert res.reconciliation["other_value_usd_m"].tolist() == [14250]
    assert res.reconciliation["kind"].tolist() == ["excluded by curation"]


def test_different_concepts_are_never_resolved_against_each_other():
    obs = observations(
        obs_row(5700, concept="origin", source_url="https://a.example/national",
                period_type="ytd", month=4, year=2017),
        obs_row(5690, concept="via_ports", source_url="https://a.example/bps-kaltim",
                period_type="ytd", month=4, year=2017),
    )
    res = ledger.resolve(obs)
    got = dict(zip(res.exports["concept"], res.exports["value_usd_m"], strict=True))
    assert got == {"origin": 5700, "via_ports": 5690}
    assert res.reconciliation.empty
    assert set(res.observations["status"]) == {"selected"}


# --------------------------------------------------------------------------------------------
# annual view on hand-made ledgers
# --------------------------------------------------------------------------------------------

def ledger_row(value, *, province=KALTIM, concept="via_ports", flow="total", period_type="month",
               year=2019, month=1, basis="reported", url="https://a.example/x") -> dict:
    return {"province": province, "concept": concept, "flow": flow, "period_type": period_type,
            "year": year, "month": month, "value_usd_m": float(value), "basis": basis,
            "source_url": url,
            "derivation": "implied: 20000 (2016) with a reported change of +9.3% -> 18300.5"
            if basis != "reported" else None}


def test_reported_full_year_is_used_as_printed():
    ex = exports_frame(
        ledger_row(26350, period_type="year", month=12, year=2014),
        *[ledger_row(2000, year=2014, month=m) for m in range(1, 13)],  # would sum to 24000
    )
    row = annual_row(ledger.annual_view(ex), 2014)
    assert row["value_usd_m"] == 26350
    assert row["basis"] == "reported_full_year"
    assert not row["is_derived"]


def test_twelve_reported_months_are_summed():
    # months 10.5, 20.5, ..., 120.5: 10 * (1 + ... + 12) + 12 * 0.5 = 780 + 6 = 786
    ex = exports_frame(*[ledger_row(10 * m + 0.5, year=2019, month=m) for m in range(1, 13)])
    row = annual_row(ledger.annual_view(ex), 2019)
    assert row["value_usd_m"] == pytest.approx(786.0)
    assert row["basis"] == "sum_of_12_reported_months"
    assert row["is_derived"]


def test_eleven_months_are_not_a_year():
    ex = exports_frame(*[ledger_row(100, year=2019, month=m) for m in range(1, 12)])
    row = annual_row(ledger.annual_view(ex), 2019)
    assert row["basis"] == "missing"
    assert math.isnan(row["value_usd_m"])


def test_ytd_to_november_plus_december():
    # Jan–Nov 14,820 + Dec 1,510 = 16,330
    ex = exports_frame(
        ledger_row(14820, period_type="ytd", year=2019, month=11),
        ledger_row(1510, year=2019, month=12),
        ledger_row(1400, year=2019, month=3),  # an earlier single month does not enter the sum
    )
    row = annual_row(ledger.annual_view(ex), 2019)
    assert row["value_usd_m"] == pytest.approx(16330)
    assert row["basis"] == "reported_ytd_plus_reported_months"
    assert row["is_derived"]


def test_ytd_to_september_plus_october_to_december():
    # Jan–Sep 900 + Oct 101.5 + Nov 102.25 + Dec 98 = 1201.75
    ex = exports_frame(
        ledger_row(900, period_type="ytd", year=2019, month=9),
        ledger_row(101.5, year=2019, month=10),
        ledger_row(102.25, year=2019, month=11),
        ledger_row(98, year=2019, month=12),
    )
    row = annual_row(ledger.annual_view(ex), 2019)
    assert row["value_usd_m"] == pytest.approx(1201.75)
    assert row["basis"] == "reported_ytd_plus_reported_months"


def test_only_an_implied_value_gives_an_implied_year():
    ex = exports_frame(ledger_row(18300.5, period_type="year", year=2016, month=12,
                                  basis="implied_from_pct_change"))
    row = annual_row(ledger.annual_view(ex), 2016)
    assert row["value_usd_m"] == 18300.5
    assert row["basis"] == "implied_from_pct_change"
    assert bool(row["is_derived"]) is True


def test_a_year_without_figures_is_missing():
    ex = exports_frame(ledger_row(26350, period_type="year", year=2014, month=12),
                       ledger_row(18300, period_type="year", year=2016, month=12))
    annual = ledger.annual_view(ex)
    assert annual["year"].tolist() == [2014, 2015, 2016]
    row = annual_row(annual, 2015)
    assert row["basis"] == "missing"
    assert math.isnan(row["value_usd_m"])
    assert not row["is_derived"]


def test_migas_plus_nonmigas_full_year_gives_the_total():
    # SOURCES.md: Kaltim 2022 migas 2,990 + nonmigas 33,050 = 36,040 (no total printed)
    ex = exports_frame(ledger_row(2990, flow="migas", period_type="year", year=2022, month=12),
                       ledger_row(33050, flow="nonmigas", period_type="year", year=2022,
                                  month=12))
    annual = ledger.annual_view(ex)
    row = annual_row(annual, 2022)
    assert row["value_usd_m"] == 36040
    assert row["basis"] == "sum_of_reported_parts"
    assert row["is_derived"]
    # the parts keep their own printed values
    assert annual_row(annual, 2022, flow="migas")["value_usd_m"] == 2990
    assert annual_row(annual, 2022, flow="nonmigas")["basis"] == "reported_full_year"


def test_a_printed_total_beats_the_sum_of_its_parts():
    # total printed 36,000 (rounded) is used as printed, not 2,990 + 33,050
    ex = exports_frame(ledger_row(36000, period_type="year", year=2022, month=12),
                       ledger_row(2990, flow="migas", period_type="year", year=2022, month=12),
                       ledger_row(33050, flow="nonmigas", period_type="year", year=2022,
                                  month=12))
    row = annual_row(ledger.annual_view(ex), 2022)
    assert (row["value_usd_m"], row["basis"]) == (36000, "reported_full_year")


def test_parts_of_another_concept_never_make_a_total():
    ex = exports_frame(
        ledger_row(2990, concept="origin", flow="migas", period_type="year", year=2022, month=12),
        ledger_row(33050, concept="via_ports", flow="nonmigas", period_type="year", year=2022,
                   month=12),
        ledger_row(3040, concept="via_ports", year=2022, month=3),
    )
    row = annual_row(ledger.annual_view(ex), 2022)
    assert row["basis"] == "missing"


def test_months_of_two_concepts_are_never_summed_into_a_year():
    # six months of origin and six months of via ports: no year for either concept
    ex = exports_frame(
        *[ledger_row(100, province=KALTARA, concept="origin", year=2020, month=m)
          for m in range(1, 7)],
        *[ledger_row(300, province=KALTARA, concept="via_ports", year=2020, month=m)
          for m in range(7, 13)],
    )
    annual = ledger.annual_view(ex)
    assert set(annual["basis"]) == {"missing"}


# --------------------------------------------------------------------------------------------
# annual view of the real build
# --------------------------------------------------------------------------------------------

def test_real_annual_view_marks_every_derived_value(built):
    annual = built["exports_annual.csv"]
    derived = ~annual["basis"].isin(["reported_full_year", "missing"])
    assert derived.any()
    assert annual.loc[derived, "is_derived"].astype(bool).all()
    assert not annual.loc[~derived, "is_derived"].astype(bool).any()
    assert annual.loc[annual["basis"] == "missing", "value_usd_m"].isna().all()
    assert annual.loc[annual["basis"] != "missing", "value_usd_m"].notna().all()
    assert set(annual["basis"]) <= set(ledger.ANNUAL_BASES)


def test_real_annual_view_keeps_the_kaltara_concepts_apart(built):
    annual = built["exports_annual.csv"]
    origin = annual_row(annual, 2020, province=KALTARA, concept="origin")
    via = annual_row(annual, 2020, province=KALTARA, concept="via_ports")
    assert (origin["value_usd_m"], origin["basis"]) == (1016.1, "reported_full_year")
    assert (via["value_usd_m"], via["basis"]) == (945.52, "reported_full_year")
    # 1016.1 + 945.52 = 1961.62 must appear nowhere
    assert not np.isclose(annual["value_usd_m"].dropna(), 1961.62).any()


def test_every_real_annual_value_comes_from_its_own_concept(built):
    """Each annual value's sources are ledger rows of the same province, concept and year."""
    ex, annual = built["exports.csv"], built["exports_annual.csv"]
    urls = ex.groupby(["province", "concept", "year"])["source_url"].agg(set).to_dict()
    checked = 0
    for row in annual.dropna(subset=["value_usd_m"]).itertuples():
        own = urls.get((row.province, row.concept, row.year), set())
        assert set(row.source_url.split(" | ")) <= own, row
        checked += 1
    # SOURCES.md full years alone: Kaltim 2014, 2015 (total, migas, nonmigas), 2018, 2021,
    # 2022 (migas, nonmigas); Kaltara 2018 and 2020 origin, 2019 and 2020 via ports = 12
    assert checked >= 12
    # and the one sum of parts in Kaltim: 2022 migas 2,990 + nonmigas 33,050 (same concept)
    row = annual_row(annual, 2022)
    assert (row["value_usd_m"], row["basis"]) == (2990 + 33050, "sum_of_reported_parts")


# --------------------------------------------------------------------------------------------
# cross-checks
# --------------------------------------------------------------------------------------------

def check_rows(*rows: dict) -> pd.DataFrame:
    return exports_frame(*rows)


def test_flow_identity_passes_within_printed_rounding():
    # total 1,090 vs migas 72.55 + nonmigas 1,020 = 1,092.55: off by 2.55;
    # tolerance = half a unit of each printed figure = 5 + 0.005 + 5 = 10.005
    ex = check_rows(ledger_row(1090, month=1, year=2022),
                    ledger_row(72.55, flow="migas", month=1, year=2022),
                    ledger_row(1020, flow="nonmigas", month=1, year=2022))
    checks = ledger.cross_checks(ex)
    assert len(checks) == 1
    c = checks.iloc[0]
    assert c["check"] == "flow_identity"
    assert c["description"] == "total = migas + nonmigas"
    assert c["expected_usd_m"] == 1090
    assert c["found_usd_m"] == pytest.approx(1092.55)
    assert c["difference_usd_m"] == pytest.approx(2.55)
    assert c["tolerance_usd_m"] == pytest.approx(10.005)
    assert bool(c["passed"]) is True


def test_flow_identity_fails_beyond_printed_rounding():
    # nonmigas 1,030: 72.55 + 1,030 = 1,102.55, off by 12.55 > 10.005
    ex = check_rows(ledger_row(1090, month=1, year=2022),
                    ledger_row(72.55, flow="migas", month=1, year=2022),
                    ledger_row(1030, flow="nonmigas", month=1, year=2022))
    c = ledger.cross_checks(ex).iloc[0]
    assert c["difference_usd_m"] == pytest.approx(12.55)
    assert bool(c["passed"]) is False


def test_identity_is_never_checked_across_concepts():
    ex = check_rows(ledger_row(1090, month=1, year=2022),
                    ledger_row(72.55, flow="migas", concept="origin", month=1, year=2022),
                    ledger_row(1030, flow="nonmigas", month=1, year=2022))
    assert ledger.cross_checks(ex).empty


def test_months_sum_to_cumulative_hand_examples():
    # pass: 1,090 + 2,000 + 3,040 = 6,130; fail: 1,090 + 2,010 + 3,040 = 6,140 vs 6,230
    ok = check_rows(ledger_row(1090, month=1, year=2022), ledger_row(2000, month=2, year=2022),
                    ledger_row(3040, month=3, year=2022),
                    ledger_row(6130, period_type="ytd", month=3, year=2022))
    bad = check_rows(ledger_row(1090, month=1, year=2022), ledger_row(2010, month=2, year=2022),
                     ledger_row(3040, month=3, year=2022),
                     ledger_row(6230, period_type="ytd", month=3, year=2022))
    c_ok = ledger.cross_checks(ok).iloc[0]
    c_bad = ledger.cross_checks(bad).iloc[0]
    assert c_ok["check"] == c_bad["check"] == "months_sum_to_ytd"
    assert c_ok["found_usd_m"] == 6130 and bool(c_ok["passed"]) is True
    # tolerance 5 + 5 + 5 + 5 = 20 < |6140 - 6230| = 90
    assert c_bad["tolerance_usd_m"] == pytest.approx(20)
    assert c_bad["difference_usd_m"] == pytest.approx(-90)
    assert bool(c_bad["passed"]) is False


def test_implied_values_are_not_used_in_cross_checks():
    ex = check_rows(ledger_row(1090, month=1, year=2022),
                    ledger_row(72.55, flow="migas", month=1, year=2022),
                    ledger_row(1030, flow="nonmigas", month=1, year=2022,
                               basis="implied_from_pct_change"))
    assert ledger.cross_checks(ex).empty


def test_real_build_reports_the_kaltara_september_2024_mismatch(built):
    """SOURCES.md: groups sum to 343.57 against a stated total of 352.57."""
    ch = built["checks.csv"]
    sel = ch[(ch["check"] == "flow_identity") & (ch["province"] == KALTARA)
             & (ch["concept"] == "via_ports") & (ch["period_type"] == "month")
             & (ch["year"] == 2024) & (ch["month"] == 9)]
    assert len(sel) == 1
    c = sel.iloc[0]
    assert c["expected_usd_m"] == 352.57
    assert c["found_usd_m"] == pytest.approx(343.57)
    assert c["difference_usd_m"] == pytest.approx(343.57 - 352.57)
    assert not bool(c["passed"])


def test_real_build_confirms_kaltim_q1_2022_cumulative(built):
    """Jan–Mar 2022 cumulative 6,130 = 1,090 + 2,000 + 3,040."""
    ch = built["checks.csv"]
    sel = ch[(ch["check"] == "months_sum_to_ytd") & (ch["province"] == KALTIM)
             & (ch["concept"] == "via_ports") & (ch["period_type"] == "ytd")
             & (ch["year"] == 2022) & (ch["month"] == 3)
             & ch["description"].str.startswith("total:")]
    assert len(sel) == 1
    c = sel.iloc[0]
    assert c["expected_usd_m"] == 6130
    assert c["found_usd_m"] == pytest.approx(1090 + 2000 + 3040)
    assert bool(c["passed"])


# --------------------------------------------------------------------------------------------
# printed precision
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, digits", [
    (19590, 4), (19600, 3), (19500, 3), (2960, 3), (22490, 4), (103.74, 5), (1022.35, 6),
    (1016.1, 5), (72.55, 4), (1000, 1), (7, 1), (0.5, 1), (0.05, 1), (0, 0), (-19590, 4),
])
def test_significant_digits(value, digits):
    assert significant_digits(value) == digits


@pytest.mark.parametrize("value, half", [
    (1090, 5), (2000, 500), (1020, 5), (72.55, 0.005), (1016.1, 0.05), (22490, 5),
    (19600, 50), (7, 0.5), (0.5, 0.05), (352.57, 0.005), (0, 0),
])
def test_rounding_half_unit(value, half):
    assert rounding_half_unit(value) == pytest.approx(half)


def test_nan_has_no_digits():
    assert significant_digits(float("nan")) == 0
    assert rounding_half_unit(float("nan")) == 0
