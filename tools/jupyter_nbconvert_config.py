# Installed by `make setup` into .venv/etc/jupyter/ (the venv's own Jupyter config path).
# `jupyter nbconvert --execute --inplace notebooks/X.ipynb` writes X back without outputs, so
# `git status` stays clean; every other output (--to html, --output-dir, X.nbconvert.ipynb)
# keeps its outputs. See kaltim_research.report.nbstrip.
c = get_config()  # noqa: F821
c.NbConvertApp.writer_class = "kaltim_research.report.nbstrip.StripInPlaceWriter"
