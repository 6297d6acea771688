"""Notebook execution for the report runner: the project's kernel, papermill, HTML export.

A job starts ONE kernel (IPC sockets in a private folder) and runs its notebooks in it one
after another, resetting the namespace between them; the kernel process is launched before
the engine runs so its start-up and imports overlap with the engine. One HTML exporter (its
template compiled once) serves all notebooks of a job.
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path

from kaltim_research.config import KERNEL_NAME, PROJ_ROOT
from kaltim_research.report import integrity


class RunError(RuntimeError):
    """A report failed; the message names the scenario, notebook and cell."""


def launch_kernel(cwd: Path = PROJ_ROOT):
    """Start the project's kernel process without waiting for it (it imports while the
    engine runs); :func:`start_kernel` waits for it, and retries a start that failed."""
    from jupyter_client.manager import KernelManager

    # IPC sockets in a private folder: no TCP ports to race for between parallel jobs,
    # and no plain-text TCP traffic.
    sock = integrity.make_kernel_dir() / "kernel"
    km = KernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=str(sock))
    km.kaltim_socket_dir = sock.parent  # removed by stop_kernel
    km.start_kernel(cwd=str(cwd))
    return km


def start_kernel(cwd: Path = PROJ_ROOT, retries: int = 2, launched=None,
                 keep_client: bool = False):
    """A ready kernel: ``launched`` (from :func:`launch_kernel`) or a new one (retried:
    concurrent start-ups can race); with ``keep_client`` a :class:`KeptClientManager`."""
    for attempt in range(retries + 1):
        km = None
        try:
            km = launched if (launched is not None and attempt == 0) else launch_kernel(cwd)
            if keep_client:
                return KeptClientManager(km)
            kc = km.client()
            kc.start_channels()
            kc.wait_for_ready(timeout=60)
            kc.stop_channels()
            return km
        except (RuntimeError, TimeoutError) as err:
            if km is not None:
                stop_kernel(km)
            if attempt == retries:
                raise RunError(f"the {KERNEL_NAME} kernel did not start: {err}") from None
            time.sleep(0.5 * (attempt + 1))
    raise AssertionError("unreachable")


def stop_kernel(km) -> None:
    """Shut the kernel down and remove its socket folder (one per kernel start, else the
    system temp dir fills with empty ``kaltim-kernel-*`` folders)."""
    if isinstance(km, KeptClientManager):
        km.close()
        km = km.manager
    try:
        km.shutdown_kernel(now=True)
    finally:
        d = getattr(km, "kaltim_socket_dir", None)
        if d is not None:
            shutil.rmtree(d, ignore_errors=True)


# The notebooks' own imports (their first cells), loaded by KeptClientManager.warm.
WARM_MODULES = ("pandas", "matplotlib.pyplot", "kaltim_research.report.charts",
                "kaltim_research.report.notebook", "kaltim_research.report.reader_tables",
                "kaltim_research.report.shared_figures", "IPython.display")
RESET_CODE = ("get_ipython().reset(new_session=False)\n"
              "import matplotlib.pyplot as _plt; _plt.close('all'); del _plt")


class KeptClientManager:
    """A running kernel's manager whose ``client()`` is always the same ready client.

    papermill (nbclient) asks the manager for a new client for every notebook, and a new
    client waits for the kernel to answer and for its output channel to fall quiet (at least
    0.2 s each time); one client per kernel pays that once (issue 18). Only the thread that
    made it may use it: one per kernel, one kernel per thread.
    """

    def __init__(self, km):
        self.manager = km
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=60)
        except BaseException:
            kc.stop_channels()
            raise
        self.kept = kc

    def client(self, **_kwargs):
        return _KeptClient(self.kept)

    def warm(self, modules: tuple[str, ...] = WARM_MODULES) -> None:
        """Import what the notebooks import, binding no names (it runs while the engine
        does, so the notebooks' first cells find the modules loaded)."""
        self.run_quietly(f"for _m in {modules!r}: __import__(_m)\ndel _m")

    def reset(self) -> None:
        """Clear the namespace between notebooks; imported modules stay loaded (that is the
        point: imports and kernel start-up dominate short notebooks)."""
        self.run_quietly(RESET_CODE, timeout=30)

    def run_quietly(self, code: str, timeout: float = 300) -> None:
        """Execute ``code`` outside any notebook (no history, output dropped); an error in
        it raises :class:`RunError` with the kernel's message."""
        reply = self.kept.execute_interactive(code, timeout=timeout, store_history=False,
                                              output_hook=lambda msg: None)
        content = reply.get("content", {})
        if content.get("status") != "ok":
            raise RunError(f"kernel set-up failed: {content.get('ename')}: "
                           f"{content.get('evalue')}")

    def close(self) -> None:
        self.kept.stop_channels()

    def __getattr__(self, name):
        return getattr(self.manager, name)


class _KeptClient:
    """The kept client as nbclient sees it: starting, readiness and stopping are no-ops."""

    def __init__(self, kc):
        object.__setattr__(self, "_kc", kc)

    def start_channels(self, *args, **kwargs) -> None:
        pass

    def stop_channels(self) -> None:
        pass

    def wait_for_ready(self, timeout=None) -> None:
        pass

    def __getattr__(self, name):
        return getattr(self._kc, name)

    def __setattr__(self, name, value) -> None:
        setattr(self._kc, name, value)


def _execute(nb: Path, out: Path, params: dict, cwd: Path, km=None) -> None:
    """Execute one notebook with papermill on the project's kernel (``km``: a running kernel
    shared by the notebooks of one scenario, else papermill starts its own)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    kwargs = {"km": km} if km is not None else {"kernel_name": KERNEL_NAME}
    try:
        papermill.execute_notebook(str(nb), str(out), parameters=params, cwd=str(cwd),
                                   progress_bar=False, log_output=False,
                                   request_save_on_cell_execute=False, **kwargs)
    except PapermillExecutionError as err:
        raise RunError(f"notebook {nb.name} failed at cell {err.exec_count or err.cell_index}"
                       f": {err.ename}: {err.evalue}") from None


def html_exporter():
    """One HTML exporter (its template compiled once) for all notebooks of a job."""
    from nbconvert import HTMLExporter

    return HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                        exclude_output_prompt=True)


def _html(nb_path: Path, html_path: Path, exporter=None) -> None:
    import nbformat

    body, _ = (exporter or html_exporter()).from_notebook_node(
        nbformat.read(str(nb_path), as_version=4))
    html_path.write_text(body, encoding="utf-8")


def split_notebooks(notebooks: list[Path], groups: int,
                    seconds: dict[str, float] | None = None) -> list[list[Path]]:
    """Share notebooks between ``groups`` kernels, longest first onto the least-loaded kernel
    (Graham's LPT rule), by the seconds each took last time (``seconds``, by notebook stem;
    an unknown notebook counts as the mean of the known ones, or 1). Each group keeps the
    notebooks' own order."""
    seconds = seconds if isinstance(seconds, dict) else {}
    known = {nb: float(seconds[nb.stem]) for nb in notebooks
             if isinstance(seconds.get(nb.stem), (int, float))}
    default = sum(known.values()) / len(known) if known else 1.0
    groups = max(1, min(groups, len(notebooks)))
    load, members = [0.0] * groups, [[] for _ in range(groups)]
    cost = {nb: known.get(nb, default) for nb in notebooks}
    for nb in sorted(notebooks, key=lambda p: (-cost[p], p.name)):
        k = load.index(min(load))
        load[k] += cost[nb]
        members[k].append(nb)
    order = {nb: i for i, nb in enumerate(notebooks)}
    return [sorted(m, key=order.get) for m in members if m]


def shows_shared_figures(nb: Path) -> bool:
    """Whether a notebook shows a chart drawn once per scenario (report.shared_figures)."""
    return "shared_figures.show(" in Path(nb).read_text(encoding="utf-8")


def run_notebooks(notebooks: dict[Path, dict], session: KeptClientManager, params: dict,
                  tmp: Path, final_dir: Path, cwd: Path, report_name, before) -> dict[str, float]:
    """Execute ``notebooks`` (path → its overrides) one after another in the running kernel
    ``session`` (namespace reset between them), normalise each and export it to HTML; returns
    the seconds per notebook stem. ``before(nb)`` runs first (waits, prints progress)."""
    timings = {}
    exporter = html_exporter()  # one template compile per kernel
    for i, (nb, overrides) in enumerate(notebooks.items()):
        before(nb)
        t1 = time.perf_counter()
        if i:
            session.reset()
        out_nb = tmp / report_name(nb)
        _execute(nb, out_nb, {**params, **overrides}, cwd, km=session)
        integrity.normalise_notebook(out_nb, tmp, final_dir)
        _html(out_nb, out_nb.with_suffix(".html"), exporter)
        timings[nb.stem] = round(time.perf_counter() - t1, 2)
    return timings
