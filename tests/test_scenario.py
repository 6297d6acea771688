"""Scenario files: validation messages, the shipped scenarios, inheritance, hashes, docs.

Every bad fixture in tests/fixtures/scenarios/ breaks exactly one rule; its message must name
the file, the key and the value, and say what was expected.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kaltim_research.config import PROJ_ROOT
from kaltim_research.models.scenario import (
    Parameters,
    Scenario,
    ScenarioError,
    Uncertain,
    load_scenario,
    parameter_docs,
    parse_scenario,
    reference_scenario,
    scenario_hash,
)

SCENARIOS = Path(PROJ_ROOT) / "scenarios"
FIXTURES = Path(__file__).parent / "fixtures" / "scenarios"
SHIPPED = sorted(SCENARIOS.glob("*.yaml"))
LEVER_ONLY = ("export_center", "kihi", "connectivity", "combined_moderate", "combined_ambitious")
_SCRIPT = Path(sys.executable).parent / "kaltim-research"   # the installed console script
CLI = [str(_SCRIPT)] if _SCRIPT.exists() else [
    sys.executable, "-c", "import sys; from kaltim_research.cli import main; sys.exit(main())"]

# fixture -> substrings its message must contain (key, value, expectation)
BAD = {
    "bad_misspelt_group.yaml": ["parameters.simulaton", "Did you mean 'simulation'",
                                "{'draws': 100}", "Valid names here"],
    "bad_misspelt_key.yaml": ["parameters.export_center.match_rat'", "Did you mean 'match_rate'",
                              "0.12", "Valid names here"],
    "bad_out_of_range.yaml": ["parameters.export_center.match_rate", "1.5", "out of range",
                              "between 0 and 1", "(share)"],
    "bad_wrong_type.yaml": ["parameters.simulation.draws", "'many'", "wrong type",
                            "valid integer"],
    "bad_year_gap.yaml": ["parameters.prices.coal_newcastle", "2028: 95.0", "gaps",
                          "no value for 2027", "every year from the first to the last"],
    "bad_year_outside.yaml": ["parameters.prices.coal_newcastle", "2046: 85.0",
                              "outside the horizon 2024–2045"],
    "bad_low_above_value.yaml": ["parameters.export_center.match_rate", "'low': 0.15",
                                 "expected low ≤ value ≤ high"],
    "bad_missing_title.yaml": ["'title'", "required but missing"],
    "bad_modifies_missing.yaml": ["modifies: no_such_scenario", "no_such_scenario.yaml",
                                  "names no file"],
}


def test_every_bad_fixture_is_checked():
    on_disk = {p.name for p in FIXTURES.glob("bad_*.yaml")}
    assert on_disk == set(BAD)


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_fixture_message(name):
    path = FIXTURES / name
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    err = exc.value
    assert err.file == str(path)
    msg = str(err)
    assert msg.startswith(str(path)), msg     # the file is named first
    assert len(err.problems) == 1, msg        # each fixture breaks one rule only
    for part in BAD[name]:
        assert part in msg, f"{part!r} not in message:\n{msg}"


def test_bad_fixtures_are_small():
    for name in BAD:
        assert len((FIXTURES / name).read_text(encoding="utf-8").splitlines()) <= 12, name


def test_unknown_key_message_lists_valid_names():
    with pytest.raises(ScenarioError) as exc:
        load_scenario(FIXTURES / "bad_misspelt_key.yaml")
    msg = str(exc.value)
    for valid in ("match_rate", "onboarded_kaltim", "survivor_growth_rate"):
        assert valid in msg


def test_ci_small_is_valid_self_contained_and_moderate():
    s = load_scenario(FIXTURES / "ci_small.yaml")
    assert s.name == "ci_small"
    assert s.modifies is None
    assert reference_scenario(FIXTURES / "ci_small.yaml") is None
    p = s.parameters
    assert (p.simulation.draws, p.simulation.seed) == (500, 7)
    moderate = load_scenario(SCENARIOS / "combined_moderate.yaml").parameters
    # all levers at the moderate settings; everything else at the declared defaults
    assert p.export_center == moderate.export_center
    assert p.kihi == moderate.kihi
    assert p.connectivity == moderate.connectivity
    assert p.prices == Parameters().prices
    assert p.coal_demand == Parameters().coal_demand
    assert p.export_center.onboarded_kaltim == {2025: 0.0, 2026: 100.0, 2027: 150.0, 2028: 200.0}
    assert [pr.nameplate_kt for pr in p.kihi.projects] == [500.0]


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------

def _cli(*args):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120,
                          cwd=PROJ_ROOT)


def test_cli_validate_rejects_a_bad_file():
    bad = FIXTURES / "bad_year_gap.yaml"
    r = _cli("scenario", "validate", str(bad))
    assert r.returncode != 0
    assert "gaps" in r.stderr and "2027" in r.stderr and str(bad) in r.stderr


def test_cli_validate_accepts_shipped_scenarios():
    assert len(SHIPPED) >= 7
    r = _cli("scenario", "validate", *map(str, SHIPPED), str(FIXTURES / "ci_small.yaml"))
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("ok ") == len(SHIPPED) + 1


def test_cli_validate_mixed_files_fails():
    r = _cli("scenario", "validate", str(SHIPPED[0]), str(FIXTURES / "bad_wrong_type.yaml"))
    assert r.returncode != 0
    assert "ok " in r.stdout and "'many'" in r.stderr


# --------------------------------------------------------------------------------------------
# shipped scenarios
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_scenario_validates(path):
    s = load_scenario(path)
    assert s.name == path.stem
    assert (s.modifies is None) == (path.stem == "baseline")


def test_expected_scenarios_are_shipped():
    assert {p.stem for p in SHIPPED} >= {"baseline", "coal_transition", *LEVER_ONLY}


@pytest.mark.parametrize("name", LEVER_ONLY)
def test_lever_scenarios_keep_baseline_prices_and_coal_demand(name):
    base = load_scenario(SCENARIOS / "baseline.yaml").parameters
    p = load_scenario(SCENARIOS / f"{name}.yaml").parameters
    assert p.prices == base.prices
    assert p.coal_demand == base.coal_demand
    assert p.prices.coal_newcastle == base.prices.coal_newcastle  # the whole path, year by year
    assert p.coal_demand.volume_growth_pct == base.coal_demand.volume_growth_pct


def test_coal_transition_changes_prices_and_coal_demand():
    base = load_scenario(SCENARIOS / "baseline.yaml").parameters
    p = load_scenario(SCENARIOS / "coal_transition.yaml").parameters
    assert p.prices.coal_newcastle != base.prices.coal_newcastle
    assert p.prices.coal_newcastle[2030] == 60.0
    assert p.coal_demand.volume_growth_pct == {2025: -9.0, 2026: -8.0}
    assert p.coal_demand != base.coal_demand
    # only the coal levers move: the other prices and all levers are the baseline's
    assert p.prices.lng_japan == base.prices.lng_japan
    assert (p.export_center, p.kihi, p.connectivity) == (base.export_center, base.kihi,
                                                        base.connectivity)


def test_baseline_is_the_declared_defaults():
    assert load_scenario(SCENARIOS / "baseline.yaml").parameters == Parameters()


def test_reference_scenario_is_the_root_of_the_chain():
    ref = reference_scenario(SCENARIOS / "combined_ambitious.yaml")
    assert ref is not None and ref.name == "baseline"
    assert reference_scenario(SCENARIOS / "baseline.yaml") is None


# --------------------------------------------------------------------------------------------
# inheritance
# --------------------------------------------------------------------------------------------

def test_combined_ambitious_inherits_from_combined_moderate():
    own = yaml.safe_load((SCENARIOS / "combined_ambitious.yaml").read_text(encoding="utf-8"))
    assert own["modifies"] == "combined_moderate"
    assert "port_share_via_kaltim" not in own["parameters"]["kihi"]   # set only in moderate
    amb = load_scenario(SCENARIOS / "combined_ambitious.yaml").parameters
    mod = load_scenario(SCENARIOS / "combined_moderate.yaml").parameters
    # inherited from combined_moderate (not set in combined_ambitious.yaml)
    assert amb.kihi.port_share_via_kaltim == {2025: 0.0, 2026: 0.1}
    assert amb.kihi.port_share_via_kaltim == mod.kihi.port_share_via_kaltim
    # inherited through moderate from the baseline (declared defaults)
    assert amb.prices == Parameters().prices
    assert amb.export_center.first_year_value_usd_k == Uncertain(value=75.0, low=30.0, high=150.0)
    # its own settings replace the parent's, year paths whole (no leftover years)
    assert amb.export_center.onboarded_kaltim == {2025: 0.0, 2026: 200.0, 2027: 300.0,
                                                  2028: 400.0}
    assert amb.export_center.match_rate == Uncertain(value=0.15, low=0.05, high=0.20)
    assert [pr.nameplate_kt for pr in amb.kihi.projects] == [500.0, 1000.0]
    assert amb.connectivity.reroute_share_to_kaltim[2030] == 0.50
    assert mod.connectivity.reroute_share_to_kaltim[2030] == 0.25


def test_year_path_in_child_replaces_parent_path_whole(tmp_path):
    (tmp_path / "parent.yaml").write_text(yaml.safe_dump({
        "title": "Parent", "title_id": "Induk", "description": "A parent scenario file.",
        "modifies": None, "date": "2026-11-27",
        "parameters": {"prices": {"coal_newcastle": {2025: 100, 2026: 90, 2027: 80}},
                       "simulation": {"draws": 50}}}), encoding="utf-8")
    (tmp_path / "child.yaml").write_text(yaml.safe_dump({
        "title": "Child", "title_id": "Anak", "description": "A child scenario file.",
        "modifies": "parent", "date": "2026-11-27",
        "parameters": {"prices": {"coal_newcastle": {2030: 70}}, "simulation": {"seed": 3}}}),
        encoding="utf-8")
    p = load_scenario(tmp_path / "child.yaml").parameters
    assert p.prices.coal_newcastle == {2030: 70.0}
    assert (p.simulation.draws, p.simulation.seed) == (50, 3)   # groups merge key by key


def test_modifies_cycle_is_an_error(tmp_path):
    for a, b in (("a", "b"), ("b", "a")):
        (tmp_path / f"{a}.yaml").write_text(
            f"title: Cycle {a}\ntitle_id: Siklus {a}\ndescription: A cycle of modifies.\n"
            f"modifies: {b}\ndate: 2026-11-27\nparameters: {{}}\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(tmp_path / "a.yaml")


# --------------------------------------------------------------------------------------------
# hash and parameter docs
# --------------------------------------------------------------------------------------------

def test_scenario_hash_is_stable():
    a = load_scenario(SCENARIOS / "combined_moderate.yaml")
    b = load_scenario(SCENARIOS / "combined_moderate.yaml")
    h = scenario_hash(a)
    assert h == scenario_hash(b)
    assert h.startswith("sha256:") and len(h) == len("sha256:") + 64
    assert scenario_hash(a.model_copy()) == h


def test_scenario_hash_ignores_how_a_default_is_written():
    header = {"title": "Same", "title_id": "Sama", "description": "Same meaning, two spellings.",
              "modifies": None, "date": "2026-11-27"}
    short = parse_scenario({**header, "parameters": {}})
    explicit = parse_scenario({**header, "parameters": {"simulation": {"draws": 10_000},
                                                         "export_center": {"match_rate": {
                                                             "value": 0.10, "low": 0.03,
                                                             "high": 0.20}}}})
    assert scenario_hash(short) == scenario_hash(explicit)


def test_scenario_hash_changes_with_a_parameter():
    s = load_scenario(SCENARIOS / "combined_moderate.yaml")
    h = scenario_hash(s)
    p = s.parameters
    seed = p.model_copy(update={"simulation": p.simulation.model_copy(update={"seed": 8})})
    assert scenario_hash(s.model_copy(update={"parameters": seed})) != h
    data = yaml.safe_load((SCENARIOS / "combined_moderate.yaml").read_text(encoding="utf-8"))
    data["parameters"]["export_center"]["onboarded_kaltim"][2028] = 201
    assert scenario_hash(parse_scenario(data)) != h
    assert scenario_hash(load_scenario(SCENARIOS / "combined_ambitious.yaml")) != h


def test_every_parameter_has_unit_description_and_source():
    docs = parameter_docs()
    names = [d.name for d in docs]
    assert len(names) == len(set(names))
    # a sample of names from every group is present
    for name in ("simulation.draws", "prices.coal_newcastle", "prices.forecast_error_1y",
                 "coal_demand.volume_growth_pct", "baseline.model", "export_center.match_rate",
                 "kihi.projects", "kihi.hydro_cod_year", "connectivity.reroute_share_to_kaltim"):
        assert name in names
    missing = [(d.name, field) for d in docs for field in ("unit", "description", "source")
               if not str(getattr(d, field)).strip()]
    assert not missing, missing
    for group in Parameters.model_fields:
        assert any(n.startswith(group + ".") for n in names), group


def test_uncertain_docs_have_a_plausible_range_around_the_default():
    for d in parameter_docs():
        if isinstance(d.default, dict) and set(d.default) == {"value", "low", "high"}:
            assert d.default["low"] <= d.default["value"] <= d.default["high"], d.name


def test_scenario_is_frozen():
    s = load_scenario(SCENARIOS / "baseline.yaml")
    with pytest.raises(Exception):   # noqa: B017 - pydantic raises ValidationError
        s.parameters.simulation.draws = 5
    assert isinstance(s, Scenario)


def _header():
    return dict(title="abc", title_id="abc", description="a test scenario", modifies=None,
                date="2026-01-01")


def test_reroute_shares_above_one_are_rejected_with_the_year():
    from kaltim_research.models.scenario import ScenarioError, parse_scenario

    params = {"connectivity": {"reroute_share_to_kaltim": {2026: 0.7},
                               "reroute_share_to_kaltara": {2026: 0.5}}}
    with pytest.raises(ScenarioError) as err:
        parse_scenario({**_header(), "parameters": params}, "f.yaml")
    msg = str(err.value)
    assert "f.yaml" in msg and "2026" in msg and "at most 1" in msg and "1.2" in msg


def test_duplicate_kihi_project_names_are_rejected():
    from kaltim_research.models.scenario import ScenarioError, parse_scenario

    project = {"name": "a", "product": "aluminium", "nameplate_kt": 1, "first_year": 2027,
               "source": "x"}
    with pytest.raises(ScenarioError) as err:
        parse_scenario({**_header(), "parameters": {"kihi": {"projects": [project, project]}}},
                       "f.yaml")
    assert "unique" in str(err.value) and "repeated: a" in str(err.value)


def test_description_must_match_the_values_it_states(tmp_path):
    """A description stating a quantity in a parameter's unit must match the file's values:
    the RKAB description said 600 Mt after the value became 650 (issue 20)."""
    import shutil

    from kaltim_research.models.scenario import ScenarioError, load_scenario

    root = Path(__file__).resolve().parents[1] / "scenarios"
    shutil.copy(root / "baseline.yaml", tmp_path)
    text = (root / "rkab_2026.yaml").read_text(encoding="utf-8")
    (tmp_path / "rkab_2026.yaml").write_text(text, encoding="utf-8")
    assert load_scenario(tmp_path / "rkab_2026.yaml").parameters.coal_volume.output_mt[2026] == 600
    (tmp_path / "rkab_2026.yaml").write_text(text.replace("2026: 600.0", "2026: 650.0"),
                                             encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(tmp_path / "rkab_2026.yaml")
    msg = str(err.value)
    assert "'description' says '600 Mt'" in msg and "'description_id' says '600 juta ton'" in msg
    assert "rkab_2026.yaml" in msg


def test_a_described_range_is_not_read_as_a_set_value():
    """'540–822 Mt' says what the baseline draws; only a stand-alone '822 Mt' is a claim."""
    from kaltim_research.models.scenario.files import description_mismatches

    data = {"description": "the baseline draws output 540–822 Mt; this case pins 600 Mt",
            "description_id": "produksi 540–822 juta ton; kasus ini 600 juta ton",
            "parameters": {"coal_volume": {"output_mt": {2025: 790, 2026: 600}}}}
    assert description_mismatches(data) == []
    data["description"] += "; up to 822 Mt"
    assert any("'822 Mt'" in m for m in description_mismatches(data))
