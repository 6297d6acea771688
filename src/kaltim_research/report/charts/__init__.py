"""Charts for the notebooks: pure functions from tables to a matplotlib ``Figure``.

Every chart has a title, axis labels with units (``US$ million, nominal`` unless stated) and a
source line at the bottom. Derived values (implied from a printed % change, sums of printed
parts) are drawn with **hollow** markers and a legend entry ``derived (see basis)``; gaps are
never filled: lines break where no figure was printed.

The functions only read the tables they are given (processed ledger tables or the detail tables
of a scenario run, see :mod:`kaltim_research.report.notebook`); they do not write files unless
:func:`save` is called. Close figures you do not need (``plt.close(fig)``).
"""
from kaltim_research.report.charts.common import DERIVED_GID, DERIVED_LABEL, UNIT, save
from kaltim_research.report.charts.history import (
    coverage_heatmap,
    coverage_summary,
    destinations_chart,
    history_chart,
    sector_chart,
)
from kaltim_research.report.charts.levers import (
    export_center_chart,
    fiscal_chart,
    kihi_chart,
    ports_chart,
)
from kaltim_research.report.charts.scenarios import (
    backtest_chart,
    components_chart,
    concentration_chart,
    decomposition_chart,
    fan_chart,
    tornado_chart,
)

__all__ = [
    "DERIVED_GID", "DERIVED_LABEL", "UNIT", "backtest_chart", "components_chart",
    "concentration_chart", "coverage_heatmap", "coverage_summary", "decomposition_chart",
    "destinations_chart", "export_center_chart", "fan_chart", "fiscal_chart", "history_chart",
    "kihi_chart", "ports_chart", "save", "sector_chart", "tornado_chart",
]
