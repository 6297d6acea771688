"""Nothing lost, nothing silent: what the report runner needs to keep reports whole.

- **Completeness**: a report counts as "up to date" only if every output it should hold exists
  and is not empty (:func:`missing_outputs`), so deleting ``brief_id.pdf`` makes ``run``
  rebuild the report instead of calling it up to date.
- **Leftovers of killed runs**: temporary report folders are named ``.NAME-PID-XXXXXXXX`` and
  kernel socket folders ``kaltim-kernel-PID-XXXXXXXX`` (with a marker naming the project); a
  later run removes those whose process is gone (:func:`clean_stale_temps`,
  :func:`clean_stale_kernel_dirs`), never those of a run still alive.
- **Byte-identical reports**: executed notebooks lose papermill's wall-clock metadata and
  random cell ids, and the temporary folder's path is replaced by the final one
  (:func:`normalise_notebook`); run timings go to ``reports/timings.json``, outside the
  report folders (:func:`record_timings`).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from kaltim_research.config import PROJ_ROOT
from kaltim_research.fileio import atomic_write_file, clean_stale_temps, pid_alive, temp_prefix

__all__ = ["clean_stale_temps", "pid_alive", "temp_prefix"]

KERNEL_PREFIX = "kaltim-kernel-"
KERNEL_MARKER = "kaltim-project"
TIMINGS = "timings.json"

def make_kernel_dir() -> Path:
    """A private folder in the system temp dir for one kernel's IPC sockets, marked as ours."""
    d = Path(tempfile.mkdtemp(prefix=f"{KERNEL_PREFIX}{os.getpid()}-"))
    (d / KERNEL_MARKER).write_text(str(PROJ_ROOT), encoding="utf-8")
    return d


def clean_stale_kernel_dirs(tmp_root: Path | None = None) -> list[Path]:
    """Remove kernel socket folders of this project whose process is gone (killed runs)."""
    root = Path(tmp_root or tempfile.gettempdir())
    removed = []
    for d in root.glob(f"{KERNEL_PREFIX}*"):
        m = re.match(rf"^{KERNEL_PREFIX}(\d+)-", d.name)
        marker = d / KERNEL_MARKER
        try:
            ours = marker.read_text(encoding="utf-8") == str(PROJ_ROOT)
        except OSError:
            continue
        if ours and m and not pid_alive(int(m[1])):
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
    return removed


#: A scenario's report names each notebook for what it shows there: 02 shows the model
#: comparison and THIS scenario's projection (levers included), not "the baseline".
REPORT_NAMES = {"02_baseline.ipynb": "02_model_and_projection.ipynb"}


def report_name(nb: Path) -> str:
    """File name of a notebook's executed copy in a scenario's report folder."""
    return REPORT_NAMES.get(Path(nb).name, Path(nb).name)


def expected_outputs(notebooks: list[Path], lang: str) -> list[str]:
    """File names a complete scenario report holds."""
    names = ["results.json", "results.csv", "fingerprint.json", "brief_id.pdf", "brief_en.pdf",
             f"brief_{lang}.docx"]
    for nb in notebooks:
        names += [report_name(nb), Path(report_name(nb)).with_suffix(".html").name]
    return names


def missing_outputs(report_dir: Path, notebooks: list[Path], lang: str) -> list[str]:
    """Outputs of a report that are absent or empty (a report with any is not up to date)."""
    out = []
    for name in expected_outputs(notebooks, lang):
        p = Path(report_dir) / name
        if not p.is_file() or p.stat().st_size == 0:
            out.append(name)
    if "results.json" not in out and read_results(Path(report_dir) / "results.json") is None:
        out.append("results.json")  # truncated or damaged: rebuilt, not trusted
    return out


def read_results(path: Path) -> dict | None:
    """A results.json as a dict, or None if it is missing or damaged (truncated, not JSON,
    without the scenario and headline a report needs)."""
    try:
        summary = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(summary, dict) and isinstance(summary.get("scenario"), dict) \
        and isinstance(summary.get("headline"), list) and isinstance(summary.get("horizon"), dict)
    return summary if ok else None


def normalise_notebook(path: Path, tmp_dir: Path, final_dir: Path) -> None:
    """Make an executed notebook reproducible to the byte: no wall-clock metadata, fixed ids
    for injected cells, execution counts from 1 (a kernel runs several notebooks, and which
    ones depends on the last run's times) and the final report folder instead of the
    temporary one."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    nb.metadata.pop("papermill", None)
    count = 0  # numbered from 1 in each notebook, whatever ran before it in the same kernel
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.get("execution_count") is not None:
            count += 1
            cell.execution_count = count
            for out in cell.get("outputs", []):
                if "execution_count" in out:
                    out["execution_count"] = count
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = f"injected-parameters-{i}"
    text = nbformat.writes(nb)
    text = text.replace(str(tmp_dir), str(final_dir))
    path.write_text(text, encoding="utf-8")


def record_timings(reports_dir: Path, name: str, timings: dict) -> None:
    """Merge one scenario's timings into ``reports/timings.json`` (kept out of the report
    folders so that two runs give identical reports)."""
    path = Path(reports_dir) / TIMINGS
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    data[name] = timings
    atomic_write_file(path, lambda tmp: tmp.write_text(
        json.dumps(dict(sorted(data.items())), indent=2) + "\n", encoding="utf-8"))


def read_json(path: Path):
    """A JSON file's content, or None if absent or unreadable (e.g. cut short by a kill)."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def province_slug(province: str) -> str:
    """A province's name in file names: 'Kalimantan Utara' -> 'kalimantan_utara'."""
    return province.lower().replace(" ", "_")


def missing_history(hist_dir: Path, provinces: list[str]) -> list[str]:
    """History notebooks (and their HTML) absent for a province of the data."""
    out = []
    for prov in provinces:
        stem = "01_historical_exports_" + province_slug(prov)
        out += [f"{stem}{ext}" for ext in (".ipynb", ".html")
                if not (Path(hist_dir) / f"{stem}{ext}").is_file()]
    return out


INDEX_CHART_CACHE = ".index_charts"  # report.index: charts drawn ahead, by their SHA-256


def clean_reports(reports_dir: Path) -> None:
    """Remove what killed runs left: temp folders and files in ``reports/``, in each report
    and in ``history/``, index charts drawn ahead, and this project's kernel socket folders
    in the system temp dir."""
    reports_dir = Path(reports_dir)
    if reports_dir.is_dir():
        clean_stale_temps(reports_dir)
        # index charts drawn ahead by a run that was killed before its index (report.index)
        shutil.rmtree(reports_dir / INDEX_CHART_CACHE, ignore_errors=True)
        for d in reports_dir.iterdir():
            if d.is_dir() and not d.name.startswith("."):
                clean_stale_temps(d)
    clean_stale_kernel_dirs()


#: Names in ``reports/`` the runner writes itself: never a scenario's report folder.
RESERVED_NAMES = {"history", "index", "index.html", "index_comparison", "timings", "changes",
                  "fingerprint", "results"}
SCENARIO_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def report_folder_problem(reports_dir: Path, name: str) -> str | None:
    """Why ``reports/NAME`` cannot be a scenario's report folder, or None.

    A scenario name becomes a folder that is replaced whole on every run, so a reserved name
    (``history``, ``index``, any file the runner writes), a name that is not a plain lower-case
    word (``index.html``) or a path that holds something other than this runner's report (a
    user's own file or folder) is refused: nothing in ``reports/`` that is not a report is
    ever replaced or deleted."""
    if name.lower() in RESERVED_NAMES or name.lower().startswith(("index", "history", ".")):
        return (f"scenario name {name!r} is reserved in reports/ (the runner writes "
                f"{', '.join(sorted(RESERVED_NAMES))}); rename the scenario file")
    if not SCENARIO_NAME.match(name):
        return (f"scenario name {name!r}: expected lower-case letters, digits, '_' or '-' (it "
                "becomes the folder reports/NAME); rename the scenario file")
    target = Path(reports_dir) / name
    if target.is_symlink() or target.exists() and not target.is_dir():
        return (f"{target} exists and is not a report folder; it is never replaced: move it "
                "or rename the scenario")
    if target.is_dir() and any(target.iterdir()) and not (
            (target / "fingerprint.json").exists() or (target / "results.json").exists()):
        return (f"{target} is a folder this runner did not write (no fingerprint.json or "
                "results.json); it is never replaced: move it or rename the scenario")
    return None


def results_problem(results_json: Path, scenario, raw_dir: Path,
                    processed_dir: Path) -> tuple[str | None, bool]:
    """Why a report's ``results.json`` cannot serve ``scenario`` now, in one place for the
    brief command: ``(None, False)`` when it can; ``(why, True)`` when the engine simply
    reruns (no results, damaged ones, results of an older build of the processed tables);
    ``(why, False)`` when it reruns only if asked (the scenario file or the raw data changed
    since the run: the scenario's hash and the manifest's hash, as the engine records them).
    """
    from kaltim_research.data.freshness import build_id
    from kaltim_research.data.manifest import manifest_hash
    from kaltim_research.models.scenario import scenario_hash

    results_json = Path(results_json)
    current = read_results(results_json)
    if current is None:
        return ("no results" if not results_json.exists() else "damaged results"), True
    if (current.get("built_from") or {}).get("processed_build") not in (
            None, build_id(processed_dir)):
        return "results from an older build", True
    reasons = []
    if (current.get("scenario") or {}).get("hash") != scenario_hash(scenario):
        reasons.append("the scenario file changed since the run")
    if (current.get("provenance") or {}).get("data_manifest_hash") != manifest_hash(raw_dir):
        reasons.append("the data changed since the run (data/raw/datapackage.json)")
    return ("; ".join(reasons) or None), False


def unwritable(folder: Path) -> str | None:
    """Why reports cannot be written to ``folder`` (read-only, a path under a file), or None:
    a probe file is made and removed."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = tempfile.mkstemp(prefix=f".probe.{os.getpid()}.", suffix=".tmp", dir=folder)
        os.close(probe[0])
        os.unlink(probe[1])
    except OSError as err:
        return (f"cannot write reports to {folder}: {err.strerror or err}; expected a folder "
                "you can write to (see --reports)")
    return None
