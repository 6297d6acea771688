"""Project paths, derived once from the package location (cookiecutter-data-science style).

Every path a command or notebook needs comes from here; pass other folders explicitly
(e.g. ``--raw`` / ``--processed``) to work on copies, as the tests do.
"""
from __future__ import annotations

import os
from pathlib import Path

PROJ_ROOT = Path(os.environ.get("KALTIM_PROJECT_ROOT", Path(__file__).resolve().parents[2]))
DATA_DIR = PROJ_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
PROCESSED_DIR = DATA_DIR / "processed"
MANIFEST_NAME = "datapackage.json"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
REPORTS_DIR = PROJ_ROOT / "reports"
SCENARIOS_DIR = PROJ_ROOT / "scenarios"
KERNEL_NAME = "kaltim-research"
