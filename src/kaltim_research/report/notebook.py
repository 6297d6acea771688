"""What the notebooks call: one line to get a scenario's results or a province's history.

Notebooks stay thin: parameters, a call into this module, charts (:mod:`charts`) and prose.
When the report runner has already run the engine it passes ``results_dir`` and the notebook
only reads files; run by hand (or through papermill alone) the notebook runs the engine
itself, so ``papermill notebooks/02_baseline.ipynb out.ipynb -p scenario scenarios/kihi.yaml``
works on its own.
"""
from __future__ import annotations

import ast
import csv
import difflib
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where a table is read: the runner's no-change path uses
    import pandas as pd  # provinces() only, which reads the ledger with csv (no pandas)

from kaltim_research.config import PROCESSED_DIR, PROJ_ROOT

RESULT_TABLES = ("results", "indicators", "decomposition", "tornado", "kihi", "ports",
                 "export_center", "backtest", "baseline_series", "destination_hhi",
                 "period_checks", "levers", "throughput", "fiscal", "jobs", "output_effects",
                 "calibration", "horizon_tests", "baseline_blocks", "nowcast", "nowcast_checks",
                 "difference", "coal_volume", "fiscal_backtest", "dbh_tornado", "assimilated",
                 "cumulative_checks", "model_choice")


class NotebookParameterError(NameError):
    """A parameter passed to a notebook (papermill ``-p NAME VALUE``) that it does not declare.

    IPython prints ``_render_traceback_()`` instead of the full traceback when an exception
    defines it (the hook IPython documents for custom exceptions), so papermill's error cell
    and nbconvert show one located line rather than 50 lines of frames.
    """

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


def _assigned_names(source: str) -> list[str]:
    """Names assigned at the top level of a cell (``name = value``), in order."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    out = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) else [])
        out += [t.id for t in targets if isinstance(t, ast.Name)]
    return out


def check_parameters(namespace: dict) -> None:
    """Fail when papermill passed a parameter the notebook does not declare.

    papermill only *warns* about an unknown ``-p NAME VALUE`` and runs the notebook with its
    defaults, so ``-p scenaro scenarios/kihi.yaml`` would silently report the baseline. Every
    notebook calls this in the cell right after its parameters: it reads the cell papermill
    injected (``# Parameters``, the last one in the kernel's input history) and the cell
    executed just before it (the notebook's own parameters cell) and raises, naming the unknown
    parameter and the closest declared one. Run interactively (no injected cell) it does nothing.

    Parameters
    ----------
    namespace : dict
        The notebook's ``globals()`` (its ``In`` input history is read).

    Raises
    ------
    NotebookParameterError
        An injected name is not declared in the parameters cell.
    """
    history = [str(s) for s in (namespace.get("In") or [])]
    injected = [i for i, src in enumerate(history) if src.lstrip().startswith("# Parameters")]
    if not injected or injected[-1] == 0:
        return
    i = injected[-1]
    declared = _assigned_names(history[i - 1])
    if not declared:  # the cell before is not a parameters cell: nothing to compare with
        return
    unknown = [n for n in _assigned_names(history[i]) if n not in declared]
    if unknown:
        msgs = []
        for name in unknown:
            close = difflib.get_close_matches(name, declared, n=1, cutoff=0.5)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            msgs.append(f"unknown notebook parameter '{name}' (-p {name} ...).{hint}")
        raise NotebookParameterError(" ".join(msgs) + " This notebook declares: "
                                     + ", ".join(declared))
    problems = _value_problems(namespace, _assigned_names(history[i]))
    if problems:
        raise NotebookParameterError(" ".join(problems))


def _value_problems(namespace: dict, injected: list[str]) -> list[str]:
    """Values papermill injected, checked by the scenario model the CLI uses (draws cap and
    type, seed type and range), and ``results_dir`` checked to hold this scenario's run, so
    ``papermill ... -p draws 100000000`` or another scenario's results are refused."""
    from kaltim_research.models.scenario import ScenarioError
    from kaltim_research.models.scenario.overrides import validate_simulation_value

    problems = []
    for name in ("draws", "seed"):
        if name in injected and name in namespace:
            try:
                validate_simulation_value(name, namespace[name], f"-p {name}")
            except ScenarioError as err:
                problems.append(" ".join(str(err).split()))  # one line, as rendered
    rdir = str(namespace.get("results_dir") or "") if "results_dir" in injected else ""
    if rdir and (Path(rdir) / "results.json").exists():
        try:
            ran = json.loads((Path(rdir) / "results.json").read_text(encoding="utf-8"))
            name = ran["scenario"]["name"]
        except (OSError, ValueError, KeyError, TypeError):
            return problems + [f"-p results_dir {rdir}: results.json is damaged; rerun the "
                               "scenario (or leave results_dir empty)"]
        want = Path(str(namespace.get("scenario", ""))).stem
        if want and name != want:
            problems.append(f"-p results_dir {rdir} holds the results of scenario {name!r}, "
                            f"not of {want!r} (-p scenario); expected that scenario's own "
                            "results folder")
    return problems


def resolve_path(path: str | Path) -> Path:
    """A path as given, or relative to the project root (notebooks run from any folder)."""
    p = Path(path)
    if p.is_absolute() or p.exists():
        return p.resolve()
    return (PROJ_ROOT / p).resolve()


@dataclass
class Run:
    """A scenario run as files: ``summary`` is results.json, ``tables`` the detail CSVs."""

    scenario_path: Path
    results_dir: Path
    summary: dict
    tables: dict[str, pd.DataFrame] = field(repr=False)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    @property
    def name(self) -> str:
        return self.summary["scenario"]["name"]

    def headline(self) -> pd.DataFrame:
        """Headline numbers per province (the cells CI compares against golden outputs)."""
        import pandas as pd

        rows = []
        for h in self.summary["headline"]:
            rows.append({"province": h["province"], "basis": h["basis"], "year": h["year"],
                         "median_usd_m": h.get("total_p50"), "p10_usd_m": h["total_p10"],
                         "p90_usd_m": h["total_p90"], "mean_usd_m": h["total_mean"],
                         "difference_vs_baseline_median_usd_m": h.get("difference_p50"),
                         "coal_share_pct": ("not available" if h["coal_share_pct"] is None
                                            else h["coal_share_pct"])})
        return pd.DataFrame(rows)


def load_run(scenario: str | Path, results_dir: str | Path = "", draws: int | None = None,
             seed: int | None = None) -> Run:
    """Read a run from ``results_dir`` (written by the runner), or run the scenario now."""
    scenario_path = resolve_path(scenario)
    rdir = Path(results_dir) if results_dir else None
    # Run now: into results_dir when one was named (so callers can read the files), else
    # into a temporary folder removed as soon as its tables are read into memory (not at
    # kernel exit: nbval and Ctrl-C kill kernels, which left a folder behind each time).
    tmp = Path(tempfile.mkdtemp(prefix="kaltim-run-")) if rdir is None else None
    try:
        if tmp is not None or not (rdir / "results.json").exists():
            from kaltim_research.report.results import run_to_dir

            rdir = rdir or tmp / "run"
            run_to_dir(scenario_path, rdir, PROCESSED_DIR, draws=draws, seed=seed)
        import pandas as pd

        summary = json.loads((rdir / "results.json").read_text(encoding="utf-8"))
        tables = {n: pd.read_csv(rdir / f"{n}.csv") for n in RESULT_TABLES
                  if (rdir / f"{n}.csv").exists()}
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return Run(scenario_path, rdir, summary, tables)


def processed(name: str, processed_dir: Path = PROCESSED_DIR) -> pd.DataFrame:
    """A processed table (``exports``, ``exports_annual``, ``exports_coverage``, ...)."""
    import pandas as pd

    path = Path(processed_dir) / f"{name}.csv"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: run `kaltim-research data build` first")
    return pd.read_csv(path)


def provinces(processed_dir: Path = PROCESSED_DIR) -> list[str]:
    """Provinces found in the export ledger (the data decide, not the code)."""
    path = Path(processed_dir) / "exports.csv"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: run `kaltim-research data build` first")
    with path.open(encoding="utf-8", newline="") as fh:
        return sorted({row["province"] for row in csv.DictReader(fh)})


def year_range(province: str, start_year: int | None = None, end_year: int | None = None,
               processed_dir: Path = PROCESSED_DIR) -> tuple[int, int]:
    """Years to show for a province: those given, else its first / last year in the ledger
    (so a province whose figures start later, or earlier, is shown from its first year)."""
    years = processed("exports", processed_dir).query("province == @province")["year"]
    if years.empty:
        raise ValueError(f"no export figures for {province!r} in the ledger")
    return (int(start_year or years.min()), int(end_year or years.max()))


def history(province: str, start_year: int = 2014, end_year: int = 2025,
            processed_dir: Path = PROCESSED_DIR) -> dict[str, pd.DataFrame]:
    """A province's ledger tables, filtered to the years asked for."""
    out = {}
    for name in ("exports", "exports_annual", "exports_coverage", "destinations", "commodities",
                 "ports", "checks", "reconciliation"):
        t = processed(name, processed_dir)
        if "province" in t.columns:
            t = t[t["province"] == province]
        if "year" in t.columns:
            t = t[(t["year"] >= start_year) & (t["year"] <= end_year)]
        out[name] = t.reset_index(drop=True)
    return out


def assumptions_table(run: Run, lang: str | None = None) -> pd.DataFrame | str:
    """The parameters the scenario changes from the baseline (its whole ``modifies`` chain),
    as a readable table in the reader's language: label, value in the headline year,
    baseline value, unit, tested range and the scenario's reasoning."""
    import pandas as pd

    from kaltim_research.report.reader_tables import report_lang

    lang = lang or report_lang()
    rows = run.summary.get("assumptions") or []
    if not rows:
        return ("Skenario ini tidak mengubah asumsi skenario dasar." if lang == "id"
                else "No parameter changed from the baseline scenario.")
    year = run.summary["horizon"]["headline_year"]
    heads = {"id": ("Asumsi", f"Nilai {year}", "Skenario dasar", "Satuan", "Rentang uji",
                    "Alasan skenario"),
             "en": ("Assumption", f"Value {year}", "Baseline", "Unit", "Tested range",
                    "Reasoning")}[lang]
    return pd.DataFrame([dict(zip(heads, (
        a.get(f"label_{lang}", a.get("name")), a.get("value"), a.get("baseline_value"),
        a.get(f"unit_{lang}", a.get("unit", "")), a.get("range") or "\u2013",
        a.get(f"why_{lang}") or "\u2013"), strict=True)) for a in rows])


def parameters_table(run: Run, prefixes: tuple[str, ...], lang: str | None = None) -> pd.DataFrame:
    """The declared parameters starting with ``prefixes`` as this scenario sets them (not the
    defaults): label, unit, value in the headline year, tested range and reason."""
    import pandas as pd

    from kaltim_research.models.scenario import load_scenario
    from kaltim_research.report.assumptions import parameter_rows
    from kaltim_research.report.reader_tables import report_lang

    sc = load_scenario(run.scenario_path)
    return pd.DataFrame(parameter_rows(sc.parameters, sc.reasons,
                                       run.summary["horizon"]["headline_year"], tuple(prefixes),
                                       lang or report_lang()))


def scenario_header(run: Run, lang: str | None = None):
    """The report's opening lines as Markdown (title, draws and seed, the two bases), in the
    reader's language, instead of a printout."""
    from IPython.display import Markdown

    from kaltim_research.report.formatting import format_number
    from kaltim_research.report.reader_tables import report_lang

    lang = lang or report_lang()
    sc, prov = run.summary["scenario"], run.summary["provenance"]
    title = sc.get("title_id") if lang == "id" else sc.get("title")
    draws = format_number(prov["draws"], 0, lang)
    if lang == "id":
        text = (f"**Skenario:** {title or sc['title']}  \n**Simulasi:** {draws} (benih acak "
                f"{prov['seed']})  \nKalimantan Timur dicatat menurut pelabuhan muat (BPS "
                "Kaltim), Kalimantan Utara menurut asal barang (ekspor asli); keduanya tidak "
                "pernah dijumlahkan.")
    else:
        text = (f"**Scenario:** {title}  \n**Draws:** {draws} (seed {prov['seed']})  \n"
                + run.summary["basis_note"])
    return Markdown(text)


def _install_reader_tables() -> None:
    """In a notebook kernel every DataFrame displays as a reader table (report.reader_tables).
    Outside IPython (the runner, the command line) nothing is imported: no pandas on the
    no-change path."""
    import sys

    if "IPython" not in sys.modules:
        return
    from kaltim_research.report.reader_tables import install

    install()


_install_reader_tables()
