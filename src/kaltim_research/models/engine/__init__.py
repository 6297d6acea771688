"""How the parts compose: one seeded Monte Carlo run of a scenario, its summaries and tornado.

Answers *what does a scenario add up to, draw by draw?* :mod:`.inputs` loads the processed
tables and the cached baseline fit, :mod:`.draws` draws the uncertain parameters,
:mod:`.simulation` runs baseline and levers on each province's basis, :mod:`.accounts` turns a
run into new vs rerouted exports, KIHI value retained, ports, DBH and jobs, :mod:`.summary`
and :mod:`.tornado` summarise, and :mod:`.run` is the entry point (:func:`run_scenario`).

May import: every other ``models`` sub-package and ``data``; nothing imports the engine but
``report`` and the CLI.
"""
from kaltim_research.models.engine.draws import draw_uncertain, uncertain_parameters
from kaltim_research.models.engine.inputs import (
    Inputs,
    backtest_tables,
    headline_concepts,
    load_inputs,
    outside_ports_base,
)
from kaltim_research.models.engine.run import BASIS_LABELS, RunResult, git_commit, run_scenario
from kaltim_research.models.engine.simulation import COMPONENTS, simulate
from kaltim_research.models.engine.summary import STATS, hhi
from kaltim_research.models.engine.tornado import tornado_table

__all__ = ["BASIS_LABELS", "COMPONENTS", "Inputs", "RunResult", "STATS", "backtest_tables",
           "draw_uncertain", "git_commit", "headline_concepts", "hhi", "load_inputs",
           "outside_ports_base", "run_scenario", "simulate", "tornado_table",
           "uncertain_parameters"]
