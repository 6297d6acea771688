"""What it means for the budget and for jobs: coal royalty and DBH, employment.

Answers *what do the export paths mean for the provinces' revenue and jobs?* :mod:`.fiscal`
computes coal royalty and its provincial DBH share (accrual and cash), :mod:`.backtest` sets
it beside every realised year (``fiscal_backtest.csv``), :mod:`.jobs` the employment effects.

May import: ``models.scenario``, ``data`` and ``errors``; never ``levers`` or ``baseline``
internals (the engine's :mod:`~kaltim_research.models.engine.accounts` passes it their
outputs).
"""
