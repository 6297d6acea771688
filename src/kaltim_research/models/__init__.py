"""Models: processed tables in, results out (pure functions, seeded).

Sub-packages, each named for the question it answers, from the lowest to the highest:

- ``scenario/`` — what is assumed (parameters, scenario files, reasons, overrides);
- ``baseline/`` — what happens anyway (price model, blocks, coal volume, nowcast, calibration);
- ``levers/``   — what the provinces can do (Export Center, KIHI, connectivity);
- ``budget/``   — what it means for revenue and jobs (DBH, jobs);
- ``engine/``   — how they compose into one seeded Monte Carlo run.

``scenario`` imports no model; ``baseline``, ``levers`` and ``budget`` import ``scenario``
only and never each other; ``engine`` composes them. Nothing here imports ``report``
(``tests/test_architecture.py``).
"""
