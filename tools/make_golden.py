"""Maintainer script (`make golden`): refresh the golden notebooks nbval compares against.

Each notebook in notebooks/ is executed with papermill on the CI scenario
(tests/fixtures/scenarios/ci_small.yaml, 500 draws) or, for the history notebook, on
Kalimantan Timur; every output is then stripped except those of cells whose first line is
``# NBVAL_CHECK_OUTPUT`` (the headline numbers). CI re-executes these copies with
``pytest --nbval-lax tests/golden`` and fails when a headline number changes. Run this only
after an intended change of the numbers, and review the diff of tests/golden/ before
committing it.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import papermill

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
CI_SCENARIO = "tests/fixtures/scenarios/ci_small.yaml"
CHECK = "# NBVAL_CHECK_OUTPUT"


def golden_parameters(notebook: Path) -> dict:
    if notebook.name.startswith("01_"):
        return {"province": "Kalimantan Timur", "start_year": 2014, "end_year": 2025}
    return {"scenario": CI_SCENARIO, "draws": 500, "seed": 7, "results_dir": ""}


def strip_unchecked(nb) -> None:
    """Keep only the checked outputs and nothing volatile (timings, random ids), so that
    refreshing golden notebooks with unchanged numbers leaves them byte-identical."""
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"
        if cell.cell_type != "code":
            continue
        if not cell.source.lstrip().startswith(CHECK):
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("papermill", None)


def main() -> int:
    if os.environ.get("CI"):
        print("make_golden.py is a maintainer tool; it does not run in CI", file=sys.stderr)
        return 2
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for nb_path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        out = GOLDEN / nb_path.name
        papermill.execute_notebook(str(nb_path), str(out), parameters=golden_parameters(nb_path),
                                   kernel_name="kaltim-research", cwd=str(ROOT),
                                   progress_bar=False)
        nb = nbformat.read(str(out), as_version=4)
        strip_unchecked(nb)
        nbformat.write(nb, str(out))
        print(f"golden: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
