"""Keep the notebooks in ``notebooks/`` without outputs on disk, not only in git.

The nbstripout git filter (``make setup``) keeps outputs out of commits, but git compares file
sizes before it runs the filter, so a notebook saved with outputs still shows in ``git status``.
``make setup`` therefore installs two Jupyter config files into ``.venv/etc/jupyter/`` (sources
in ``tools/``) that strip the outputs when the file is written, with the git filter's options:

* :func:`pre_save_hook` — jupyter_server's ``FileContentsManager.pre_save_hook``: JupyterLab's
  save and autosave write the notebook without outputs; the open browser tab keeps them.
* :class:`StripInPlaceWriter` — nbconvert's writer: ``jupyter nbconvert --execute --inplace``
  executes (so errors still fail the run) and writes the notebook back without outputs.
  Any other output (``--to html``, ``--output-dir``, ``*.nbconvert.ipynb``) keeps its outputs.

Only notebooks directly in the project's ``notebooks/`` (the ``.gitattributes`` pattern
``notebooks/*.ipynb``) are touched; ``reports/`` and ``tests/golden/`` never are. The report
runner is unaffected: it drives papermill and ``HTMLExporter`` from Python, which read no
Jupyter config files.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbconvert.writers import FilesWriter

from kaltim_research.config import NOTEBOOKS_DIR

#: nbstripout's own defaults (``nbstripout/_nbstripout.py``, ``main``) plus the Makefile's
#: ``NBSTRIP_OPTS`` (``--keep-id --extra-keys metadata.language_info.version``); a test checks
#: the result is byte-identical to the git filter's.
EXTRA_KEYS = [
    "metadata.signature",
    "metadata.widgets",
    "cell.metadata.collapsed",
    "cell.metadata.ExecuteTime",
    "cell.metadata.execution",
    "cell.metadata.heading_collapsed",
    "cell.metadata.hidden",
    "cell.metadata.scrolled",
    "metadata.language_info.version",
]


def strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``nb`` as the git filter would commit it: no outputs, counts or volatile metadata."""
    from nbstripout import strip_output

    return strip_output(nb, keep_output=False, keep_count=False, keep_id=True,
                        extra_keys=list(EXTRA_KEYS))


def is_project_notebook(path: str | Path) -> bool:
    """True for ``notebooks/*.ipynb`` of this project (not subfolders, not elsewhere)."""
    p = Path(path).resolve()
    return p.suffix == ".ipynb" and p.parent == Path(NOTEBOOKS_DIR).resolve()


def pre_save_hook(model: dict, path: str, contents_manager, **kwargs) -> None:
    """jupyter_server pre-save hook: strip a notebook saved into ``notebooks/``."""
    if model.get("type") != "notebook" or model.get("content") is None:
        return
    root = Path(getattr(contents_manager, "root_dir", "") or ".")
    if is_project_notebook(root / path.strip("/")):
        model["content"] = strip(nbformat.from_dict(model["content"]))


class StripInPlaceWriter(FilesWriter):
    """nbconvert's files writer, except that a notebook written over itself in ``notebooks/``
    (``--inplace``) is written without outputs."""

    def write(self, output, resources, notebook_name=None, **kw):
        meta = resources.get("metadata", {})
        source = Path(meta.get("path", "")) / f"{meta.get('name', '')}.ipynb"
        # Where FilesWriter.write puts the result (same rule as nbconvert's).
        dest = (Path(self.build_directory or meta.get("path", ""))
                / f"{notebook_name}{resources.get('output_extension') or ''}")
        if (isinstance(output, str) and dest.suffix == ".ipynb" and is_project_notebook(dest)
                and dest.resolve() == source.resolve()):
            nb = strip(nbformat.reads(output, as_version=nbformat.NO_CONVERT))
            output = nbformat.writes(nb, version=nbformat.NO_CONVERT) + "\n"
        return super().write(output, resources, notebook_name=notebook_name, **kw)
