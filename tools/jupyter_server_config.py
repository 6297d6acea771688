# Installed by `make setup` into .venv/etc/jupyter/ (the venv's own Jupyter config path), so
# only this project's `.venv/bin/jupyter lab` / `jupyter server` read it.
# JupyterLab's save and autosave write notebooks/*.ipynb without outputs (the open tab keeps
# them), so running notebooks in place leaves `git status` clean. See kaltim_research.report.nbstrip.
from kaltim_research.report.nbstrip import pre_save_hook

c = get_config()  # noqa: F821
c.FileContentsManager.pre_save_hook = pre_save_hook
