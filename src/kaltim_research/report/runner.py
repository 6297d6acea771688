"""``kaltim-research run`` and ``kaltim-research brief``: scenario reports through papermill.

For each scenario file the runner

1. validates the scenario and checks every ``-p NAME VALUE`` against the notebooks' declared
   parameters (papermill's ``inspect_notebook``) **before any kernel starts** — papermill itself
   only warns about an unknown parameter;
2. skips the scenario when its inputs (scenario file and the scenarios it modifies, data
   manifest, notebooks, package version and source, overrides) are unchanged since its last
   good run, unless ``--force`` (:mod:`fingerprint`);
3. runs the engine once (``results.json`` and the detail CSVs), then executes the scenario
   notebooks with papermill on the project's own kernel, converts them to HTML without code,
   and writes the governor's briefs (PDF in Bahasa Indonesia and English, DOCX);
4. builds everything in a temporary folder and swaps it in only when all succeeded: a failing
   notebook gives a non-zero exit naming the notebook and the cell, the failed executed
   notebook is kept in ``reports/NAME.failed/``, and the previous good report stays intact.

Scenarios run in parallel (``--jobs``). Each job starts ONE kernel and runs its notebooks in
it one after another, resetting the namespace between them (``%reset -f``): kernel start-up
(~1.3 s) and the scientific imports (~2 s) are paid once per scenario, not once per notebook.
A kernel that fails to start is retried, so concurrent start-ups cannot race each other.
"""
from __future__ import annotations

import difflib
import itertools
import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from kaltim_research import __version__
from kaltim_research.config import NOTEBOOKS_DIR, PROCESSED_DIR, PROJ_ROOT, RAW_DIR, REPORTS_DIR
from kaltim_research.data.freshness import build_id, stale_reason
from kaltim_research.fileio import atomic_write_file, swap_dir
from kaltim_research.models.scenario import ScenarioError, load_scenario, scenario_hash
from kaltim_research.report import integrity
from kaltim_research.report.briefs import (
    briefs_current,
    build_briefs,
    comparison_table,
)
from kaltim_research.report.changes import write_changes
from kaltim_research.report.fingerprint import FINGERPRINT, file_sha, fingerprint, source_hash
from kaltim_research.report.integrity import report_name
from kaltim_research.report.kernels import (
    RunError,
    _execute,
    _html,
    launch_kernel,
    run_notebooks,
    shows_shared_figures,
    split_notebooks,
    start_kernel,
    stop_kernel,
)

HISTORY_NOTEBOOK = "01_historical_exports.ipynb"


def scenario_notebooks(nb_dir: Path = NOTEBOOKS_DIR) -> list[Path]:
    return sorted(p for p in Path(nb_dir).glob("[0-9][0-9]_*.ipynb") if p.name != HISTORY_NOTEBOOK)


def notebook_parameters(path: Path) -> dict[str, dict]:
    import papermill

    return papermill.inspect_notebook(str(path))


def check_overrides(overrides: dict[str, str], notebooks: list[Path]) -> dict[Path, dict]:
    """Map each notebook to the overrides it declares; an override no notebook declares is an
    error naming it, the notebooks' parameters and the closest name."""
    if not overrides:  # nothing to check: skip papermill's import (~1.3 s) on quick reruns
        return {nb: {} for nb in notebooks}
    declared = {nb: notebook_parameters(nb) for nb in notebooks}
    all_names = sorted({n for d in declared.values() for n in d})
    for name in overrides:
        if not any(name in d for d in declared.values()):
            close = difflib.get_close_matches(name, all_names, n=1, cutoff=0.5)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise RunError(f"unknown notebook parameter '{name}' (-p {name} ...).{hint} "
                           f"The notebooks declare: {', '.join(all_names)}")
    return {nb: {k: v for k, v in overrides.items() if k in d} for nb, d in declared.items()}


def _coerce(value: str):
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return value


@dataclass
class Job:
    name: str
    scenario_path: Path
    out_dir: Path
    notebooks: dict[Path, dict]
    draws: int | None
    fingerprint: dict
    seed: int | None = None
    kernels: int = 1  # kernels sharing the notebooks (more when workers would idle)
    last_seconds: dict | None = None  # notebook stem -> seconds last run (to share them out)
    briefs_in: tuple[str, str] | None = None  # (reports folder, lang): build briefs in the job


# --------------------------------------------------------------------------------------------
# one scenario (runs in a worker process)
# --------------------------------------------------------------------------------------------

def run_job(job: Job, position: str) -> dict:
    """Engine, notebooks, HTML (and the briefs when ``job.briefs_in`` says where the other
    reports are); built in a temp folder, swapped in by :func:`finish_job`.

    The kernels start, and import what the notebooks import, while the engine runs; each runs
    its share of the notebooks (a thread per kernel: the work is in the kernel processes),
    while this thread builds the briefs when the job builds its own."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from kaltim_research.report.results import run_to_dir

    t0 = time.perf_counter()
    parent = job.out_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=integrity.temp_prefix(job.name), dir=parent))
    timings = {}
    engine_done, failed, figures_done = threading.Event(), threading.Event(), threading.Event()
    started = itertools.count(1)  # notebooks started, over all kernels (next() is atomic)
    try:
        groups = split_notebooks(list(job.notebooks), job.kernels, job.last_seconds)
        launched = [launch_kernel(PROJ_ROOT) for _ in groups]
        with ThreadPoolExecutor(max_workers=len(groups)) as threads:
            futures = [threads.submit(_run_group, job, g, km, tmp, engine_done, failed,
                                      figures_done, i == 0, started)
                       for i, (g, km) in enumerate(zip(groups, launched, strict=True))]
            try:
                run_to_dir(job.scenario_path, tmp, PROCESSED_DIR, draws=job.draws, seed=job.seed)
                timings["engine_s"] = round(time.perf_counter() - t0, 2)
                engine_done.set()
                if job.briefs_in is not None:
                    timings["briefs_s"] = _own_briefs(job, tmp)
                    # the index's chart too, ahead of the serial end (used if it matches)
                    from kaltim_research.report.index import predraw_chart

                    predraw_chart(Path(job.briefs_in[0]), job.briefs_in[1], {job.name: tmp})
            except BaseException:
                failed.set()  # the kernels stop instead of running notebooks
                raise
            finally:
                engine_done.set()
        errors = [f.exception() for f in futures if f.exception() is not None]
        if errors:  # the notebook that failed, not the kernel that then stopped
            raise next((e for e in errors if not isinstance(e, _Stopped)), errors[0])
        for fut in futures:
            timings.update(fut.result())
        timings["total_s"] = round(time.perf_counter() - t0, 2)
        # Not swapped in yet: finish_job swaps the complete folder in (after the briefs,
        # which compare every scenario, when they are built outside this job).
        write_changes(job.out_dir, tmp, job.fingerprint)  # vs the previous good report
        return {"name": job.name, "ok": True, "timings": timings, "tmp": str(tmp),
                "briefs": job.briefs_in is not None}
    except Exception as err:  # keep the failed build for inspection, never the good report
        return _fail(job, tmp, err)


def _run_group(job: Job, group: list[Path], launched, tmp: Path, engine_done, failed,
               figures_done, draws_figures: bool, started) -> dict:
    """One kernel's share of a job's notebooks, once the engine has written the results.

    The first kernel also draws the charts several notebooks show (:mod:`shared_figures`),
    before its notebooks; every kernel runs the notebooks that show none of them first, and
    waits for the drawing before one that does (so each notebook's output is the same in
    every run)."""
    session = None
    try:
        session = start_kernel(PROJ_ROOT, launched=launched, keep_client=True)
        session.warm()
        engine_done.wait()
        if failed.is_set():
            return {}
        if draws_figures:
            try:
                session.run_quietly("from kaltim_research.report.shared_figures import "
                                    f"draw_shared as _draw\n_draw({str(job.scenario_path)!r}, "
                                    f"{str(tmp)!r})\ndel _draw")
            except Exception:
                failed.set()
                raise
            finally:
                figures_done.set()
        params = {"scenario": str(job.scenario_path), "results_dir": str(tmp)}
        shows = {nb: shows_shared_figures(nb) for nb in group}  # each file read once
        order = sorted(group, key=shows.get)  # stable: the group's own order

        def before(nb):
            if shows[nb]:
                figures_done.wait()
            if failed.is_set():
                raise _Stopped(f"{nb.name} not run: another part of this report failed")
            print(f"  {job.name}: {nb.name} ({next(started)}/{len(job.notebooks)} notebooks)",
                  flush=True)

        try:
            return run_notebooks({nb: {k: _coerce(v) for k, v in job.notebooks[nb].items()}
                                  for nb in order}, session, params, tmp, job.out_dir,
                                 PROJ_ROOT, report_name, before)
        except BaseException:
            failed.set()  # the other kernels stop before their next notebook
            raise
    finally:
        stop_kernel(session if session is not None else launched)


class _Stopped(RunError):
    """A kernel stopped because another part of the same report failed."""


def _own_briefs(job: Job, tmp: Path) -> float:
    """Build a lone job's briefs in its worker (the comparison is complete once its engine
    ran); returns the seconds."""
    t1 = time.perf_counter()
    reports_dir, lang = job.briefs_in
    print(f"  {job.name}: writing the briefs (while the notebooks run)", flush=True)
    try:
        build_briefs(tmp, ("id", "en"), comparison_table(Path(reports_dir), {job.name: tmp}),
                     (lang,))
    except Exception as exc:  # reported like a notebook's failure
        raise RunError(f"brief failed: {type(exc).__name__}: {exc}") from exc
    return round(time.perf_counter() - t1, 2)


def _fail(job: Job, tmp: Path, err: Exception) -> dict:
    """Keep a failed build in ``NAME.failed`` for inspection; the good report stays."""
    failed = job.out_dir.with_name(job.out_dir.name + ".failed")
    shutil.rmtree(failed, ignore_errors=True)
    if tmp.exists():
        os.replace(tmp, failed)
    msg = str(err) if isinstance(err, RunError) else f"{type(err).__name__}: {err}"
    shown = failed.relative_to(PROJ_ROOT) if failed.is_relative_to(PROJ_ROOT) else failed
    return {"name": job.name, "ok": False, "error": f"scenario {job.name}: {msg} "
            f"(failed build kept in {shown}; the previous report is unchanged)"}


def finish_job(job: Job, result: dict, reports_dir: Path) -> dict:
    """Swap a finished report in, only if every output is there (notebooks, HTML, results,
    briefs); else keep it as ``NAME.failed``. Timings go to ``reports/timings.json``."""
    tmp = Path(result["tmp"])
    try:
        (tmp / FINGERPRINT).write_text(json.dumps(job.fingerprint, indent=2) + "\n",
                                       encoding="utf-8")
        missing = integrity.missing_outputs(tmp, list(job.notebooks), job.fingerprint["lang"])
        if missing:
            raise RunError("incomplete report, missing: " + ", ".join(missing))
        swap_dir(tmp, job.out_dir)
        shutil.rmtree(job.out_dir.with_name(job.out_dir.name + ".failed"), ignore_errors=True)
        integrity.record_timings(reports_dir, job.name, result["timings"])
        return {k: v for k, v in result.items() if k != "tmp"}
    except Exception as err:
        return _fail(job, tmp, err)




def run_history(province: str, out_dir: Path) -> dict:
    """Notebook 01 for one province (scenario-independent)."""
    t0 = time.perf_counter()
    nb = NOTEBOOKS_DIR / HISTORY_NOTEBOOK
    out_dir.mkdir(parents=True, exist_ok=True)
    out_nb = out_dir / f"01_historical_exports_{integrity.province_slug(province)}.ipynb"
    tmp_nb = out_dir / f".{out_nb.name}.{os.getpid()}.tmp.ipynb"  # pid: cleaned if killed
    tmp_html = out_dir / f".{out_nb.stem}.html.{os.getpid()}.tmp"
    km = None
    try:
        km = start_kernel(PROJ_ROOT)
        _execute(nb, tmp_nb, {"province": province}, PROJ_ROOT, km=km)
        integrity.normalise_notebook(tmp_nb, tmp_nb, out_nb)
        _html(tmp_nb, tmp_html)
        os.replace(tmp_nb, out_nb)
        os.replace(tmp_html, out_nb.with_suffix(".html"))
        return {"name": f"history {province}", "ok": True,
                "timings": {"total_s": round(time.perf_counter() - t0, 2)}}
    except Exception as err:
        return {"name": f"history {province}", "ok": False, "error": str(err)}
    finally:
        if km is not None:
            stop_kernel(km)
        for p in (tmp_nb, tmp_html):
            if p.exists():
                p.unlink()


# --------------------------------------------------------------------------------------------
# briefs and index
# --------------------------------------------------------------------------------------------

def write_index(reports_dir: Path = REPORTS_DIR, lang: str = "id") -> Path:
    """``reports/index.html`` with the scenario comparison chart (:mod:`report.index`)."""
    from kaltim_research.data.manifest import manifest_hash
    from kaltim_research.report.index import write_index as _write

    return _write(Path(reports_dir), lang, manifest_hash(RAW_DIR)[:19], __version__)


# --------------------------------------------------------------------------------------------
# commands
# --------------------------------------------------------------------------------------------

def plan(files: list[str], overrides: dict[str, str], lang: str, force: bool,
         reports_dir: Path, draws: int | None,
         notebooks_dir: Path = NOTEBOOKS_DIR) -> tuple[list[Job], list[str]]:
    """Validate everything and decide what to run; raises before any kernel starts."""
    problems, scenarios = [], []
    for f in files:
        try:
            scenarios.append((Path(f).resolve(), load_scenario(Path(f))))
        except ScenarioError as err:
            problems.append(str(err))
    own = sorted(set(overrides) & {"results_dir", "scenario"})
    if own:  # set per report by the runner: another value would mix another scenario's run in
        problems.append(f"-p {own[0]}: the runner sets {', '.join(own)} for each report itself "
                        "(its own scenario file and results); expected scenario files as "
                        "arguments instead")
    problems += [f"{f}: {why}" for f in files
                 if (why := integrity.report_folder_problem(Path(reports_dir), Path(f).stem))]
    if problems:
        raise RunError("invalid scenario file(s):\n" + "\n".join(problems))
    # -p draws / -p seed also set the engine run the notebooks read, validated by the model
    # that checks scenario files (draws cap, seed range; a negative seed means "the
    # scenario's own", as in the notebooks).
    from kaltim_research.models.scenario.overrides import validate_simulation_value
    try:
        draws = validate_simulation_value("draws", overrides.get("draws", draws),
                                          "-p draws" if "draws" in overrides else "--draws")
        seed = validate_simulation_value("seed", overrides.get("seed"), "-p seed")
    except ScenarioError as err:
        raise RunError(str(err)) from None
    notebooks = scenario_notebooks(notebooks_dir)
    if not notebooks:
        raise RunError(f"no scenario notebooks found in {notebooks_dir}")
    per_nb = check_overrides(overrides, notebooks)
    jobs, skipped = [], []
    for path, sc in scenarios:
        out = Path(reports_dir) / path.stem
        fp = fingerprint(path, notebooks, overrides, lang)
        fp["scenario_hash"] = scenario_hash(sc)
        fp["draws"] = draws
        fp["processed_build"] = build_id(PROCESSED_DIR)  # tables rebuilt: not up to date
        old = out / FINGERPRINT
        if not force and old.exists() and integrity.read_json(old) == fp \
                and not integrity.missing_outputs(out, notebooks, lang):
            skipped.append(path.stem)
            continue
        jobs.append(Job(path.stem, path, out, per_nb, draws, fp, seed))
    why = integrity.unwritable(Path(reports_dir))
    if why:  # before any work, naming the folder, not a traceback from a worker
        raise RunError(why)
    return jobs, skipped


def _briefs_and_swap(pool, todo: list[Job], results: list[dict], files: list[str], lang: str,
                     reports_dir: Path) -> None:
    """Briefs compare every scenario, so those a job did not build itself are built once all
    engine runs are in: into the finished temp folders, which are then swapped in whole
    (:func:`finish_job`), and in place (file by file, atomically) for reports that were up
    to date, only when the rows they print changed (:func:`briefs_current`)."""
    ready = {r["name"]: r for r in results if r["ok"] and "tmp" in r}
    if not ready:
        return
    jobs_by_name = {j.name: j for j in todo}
    comparison = comparison_table(reports_dir, {n: Path(r["tmp"]) for n, r in ready.items()})
    targets = [(n, Path(r["tmp"])) for n, r in ready.items() if not r.get("briefs")]
    targets += [(Path(f).stem, reports_dir / Path(f).stem) for f in files
                if Path(f).stem not in ready and (reports_dir / Path(f).stem / "results.json").exists()
                and not briefs_current(reports_dir / Path(f).stem, comparison, lang)]
    if targets:
        print(f"writing the briefs of {len(targets)} scenario(s)...", flush=True)
    futures = [(n, d, pool.submit(build_briefs, d, ("id", "en"), comparison, (lang,)))
               for n, d in targets]
    errors = {}
    for name, _d, fut in futures:
        try:
            fut.result()
        except Exception as exc:  # a brief failure is reported like a notebook's
            errors[name] = RunError(f"brief failed: {type(exc).__name__}: {exc}")
    for name, r in ready.items():
        i = results.index(r)
        results[i] = (_fail(jobs_by_name[name], Path(r["tmp"]), errors[name]) if name in errors
                      else finish_job(jobs_by_name[name], r, reports_dir))
    results += [{"name": f"brief {name}", "ok": False, "error": f"brief for {name} failed: {err}"}
                for name, err in errors.items() if name not in ready]
    if targets:
        print(f"briefs written for {len(targets)} scenario(s)", flush=True)


def _share_out(todo: list[Job], jobs: int, other_tasks: int, reports_dir: Path,
               lang: str) -> None:
    """Give each job the workers that would otherwise idle, as extra kernels (one scenario on
    2 cores: its notebooks in 2 kernels), split by last run's times; a lone job also builds
    its own briefs while its notebooks run (the comparison is complete once its engine ran)."""
    last = integrity.read_json(reports_dir / integrity.TIMINGS) or {}
    spare = max(1, jobs // max(1, len(todo) + other_tasks))
    for job in todo:
        job.kernels = min(spare, len(job.notebooks))
        job.last_seconds = last.get(job.name) if isinstance(last, dict) else None
    if len(todo) == 1:
        todo[0].briefs_in = (str(reports_dir), lang)


def fit_baselines(todo: list[Job], processed_dir: Path = PROCESSED_DIR) -> None:
    """Fit the baselines the jobs need once, before the workers start (else parallel workers
    on a cold cache fit the same baseline at once, in silence): :func:`fit_missing`."""
    if not todo:
        return
    from kaltim_research.models.engine.inputs import fit_missing
    from kaltim_research.models.scenario import reference_scenario

    params = []
    for job in todo:
        try:
            params += [s.parameters for s in (load_scenario(job.scenario_path),
                                              reference_scenario(job.scenario_path)) if s]
        except ScenarioError:
            continue  # the job itself reports it
    fit_missing(params, processed_dir, say=lambda m: print(m, flush=True))


def run_reports(files: list[str], overrides: dict[str, str] | None = None, jobs: int = 2,
                lang: str = "id", force: bool = False, reports_dir: Path = REPORTS_DIR,
                draws: int | None = None, history: bool = True,
                notebooks_dir: Path = NOTEBOOKS_DIR) -> int:
    """Run the reports of ``files``; returns the exit code (0 ok, 1 a report failed)."""
    overrides = overrides or {}
    todo, skipped = plan(files, overrides, lang, force, reports_dir, draws, notebooks_dir)
    stale = stale_reason(RAW_DIR, PROCESSED_DIR)
    if stale:
        raise RunError(stale)
    # The reports' tables and headers in the same language as the index (report.reader_tables);
    # kernels and worker processes inherit it.
    os.environ["KALTIM_REPORT_LANG"] = lang
    integrity.clean_reports(Path(reports_dir))  # leftovers of killed runs
    t0 = time.perf_counter()
    for name in skipped:
        print(f"up to date: {name} (inputs unchanged; --force to rerun)")
    results = []
    history_jobs = []
    if history:
        hist_dir = Path(reports_dir) / "history"
        hist_fp = {"manifest": fingerprint(Path(files[0]), [NOTEBOOKS_DIR / HISTORY_NOTEBOOK], {},
                                           lang)["data_manifest_hash"],
                   "notebook": file_sha(NOTEBOOKS_DIR / HISTORY_NOTEBOOK), "source": source_hash()}
        from kaltim_research.report.notebook import provinces

        if force or integrity.read_json(hist_dir / FINGERPRINT) != hist_fp \
                or integrity.missing_history(hist_dir, provinces()):
            history_jobs = provinces()
    total = len(todo) + len(history_jobs)
    if total:
        print(f"running {len(todo)} scenario(s) and {len(history_jobs)} history report(s) "
              f"with {jobs} job(s)", flush=True)
    _share_out(todo, jobs, len(history_jobs), Path(reports_dir), lang)
    fit_baselines(todo)
    done = 0
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(run_job, j, f"[{k}/{total}]") for k, j in enumerate(todo, 1)]
        futures += [pool.submit(run_history, prov, Path(reports_dir) / "history")
                    for prov in history_jobs]
        for fut in as_completed(futures):
            r = fut.result()
            done += 1
            results.append(r)
            status = "done" if r["ok"] else "FAILED"
            print(f"[{done}/{total}] {status}: {r['name']}"
                  + (f" in {r['timings']['total_s']} s" if r["ok"] else ""), flush=True)
        _briefs_and_swap(pool, todo, results, files, lang, Path(reports_dir))
    if history_jobs and all(r["ok"] for r in results if r["name"].startswith("history")):
        atomic_write_file(Path(reports_dir) / "history" / FINGERPRINT,
                          lambda tmp: tmp.write_text(json.dumps(hist_fp) + "\n"))
    failed = [r for r in results if not r["ok"]]
    index = Path(reports_dir) / "index.html"
    if total or not index.exists():  # nothing ran: the index already shows these reports
        write_index(reports_dir, lang)
    print(f"reports in {reports_dir} ({time.perf_counter() - t0:.1f} s); index: "
          f"{Path(reports_dir) / 'index.html'}")
    for r in failed:
        print(f"error: {r['error']}", file=sys.stderr)
    return 1 if failed else 0



__all__ = ["run_reports", "build_briefs", "RunError"]
