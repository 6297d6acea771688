"""What is assumed: the parameter schema, scenario files, their reasons and command-line overrides.

Answers *which assumptions does a run use, and are they valid?* Every parameter is declared
once here (:mod:`.parameter` for the machinery, :mod:`.baseline_parameters`,
:mod:`.lever_parameters` and :mod:`.parameters` for the groups), scenario files are read and
validated by :mod:`.files`, a scenario's own reasons by :mod:`.reasons`, and ``-p``/``--draws``
overrides by :mod:`.overrides`.

May import: ``kaltim_research.fileio`` and ``errors`` only. It imports no model: the models
(``baseline``, ``levers``, ``budget``, ``engine``) import it.

The names below are the sub-package's public API (``from kaltim_research.models.scenario
import load_scenario``).
"""
from kaltim_research.models.scenario.files import (
    Scenario,
    ScenarioError,
    load_scenario,
    modifies_chain,
    parse_scenario,
    reference_scenario,
    resolved_parameters,
    scenario_hash,
)
from kaltim_research.models.scenario.parameter import P, U, Uncertain, YearPath, path_value
from kaltim_research.models.scenario.parameters import (
    ParamDoc,
    Parameters,
    Simulation,
    parameter_docs,
    uncertain_range,
)

__all__ = ["P", "ParamDoc", "Parameters", "Scenario", "ScenarioError", "Simulation", "U",
           "Uncertain", "YearPath", "load_scenario", "modifies_chain", "parameter_docs",
           "parse_scenario", "path_value", "reference_scenario", "resolved_parameters",
           "scenario_hash", "uncertain_range"]
