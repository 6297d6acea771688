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


def start_kernel(cwd: Path = PROJ_ROOT, retries: int = 2, launched=None):
    """A ready kernel: ``launched`` (from :func:`launch_kernel`) or a new one (retried:
    concurrent start-ups can race)."""
    for attempt in range(retries + 1):
        km = None
        try:
            km = launched if (launched is not None and attempt == 0) else launch_kernel(cwd)
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
    try:
        km.shutdown_kernel(now=True)
    finally:
        d = getattr(km, "kaltim_socket_dir", None)
        if d is not None:
            shutil.rmtree(d, ignore_errors=True)


def reset_kernel(km) -> None:
    """Clear the namespace between notebooks; imported modules stay loaded (that is the point:
    imports and kernel start-up dominate short notebooks)."""
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=30)
        kc.execute_interactive("get_ipython().run_line_magic('reset', '-f')\n"
                               "import matplotlib.pyplot as _plt; _plt.close('all'); del _plt",
                               timeout=30, output_hook=lambda msg: None)
    finally:
        kc.stop_channels()


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
