# Kaltim–Kaltara export scenario workbook. `make reports` and `make test` are the two
# commands a new user needs: both create .venv and install the locked dependencies first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
KERNEL := kaltim-research
# Jupyter config read only by this venv's jupyter (sys-prefix path): strips notebooks/*.ipynb
# when JupyterLab saves them or `nbconvert --inplace` rewrites them (kaltim_research.report.nbstrip).
JUPYTER_CONFIG := tools/jupyter_server_config.py tools/jupyter_nbconvert_config.py
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# Keep the committed cell ids; drop the Python version an execution writes into the metadata.
NBSTRIP_OPTS := --keep-id --extra-keys metadata.language_info.version

.PHONY: setup git-filters data check reports test test-fast golden lint bench lock clean clean-reports

setup: $(STAMP) git-filters

## git-filters: strip notebook outputs on `git add` (nbstripout as a git filter, see
## .gitattributes), so no output is ever staged; the Jupyter config in .venv/etc/jupyter
## (JUPYTER_CONFIG) keeps them off disk, so `git status` stays clean too.
## The command is relative to the work tree (git runs filters there), so every clone or
## worktree with its own .venv uses its own nbstripout.
git-filters: $(STAMP)
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  git config filter.nbstripout.clean '$(BIN)/nbstripout $(NBSTRIP_OPTS)' && \
	  git config filter.nbstripout.smudge cat && \
	  git config diff.ipynb.textconv '$(BIN)/nbstripout $(NBSTRIP_OPTS) -t' && \
	  echo "nbstripout git filter installed for notebooks/*.ipynb"; \
	else echo "not a git work tree: nbstripout filter not installed"; fi

$(STAMP): pyproject.toml requirements.lock $(JUPYTER_CONFIG)
	@echo "[setup 1/3] creating $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	@echo "[setup 2/3] installing the locked dependencies (about 40-90 s, once)"
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	@echo "[setup 3/3] registering the notebook kernel '$(KERNEL)'"
	# Register the project's own kernel inside the venv so papermill, nbval and JupyterLab
	# all execute notebooks with this environment (never a kernel found elsewhere).
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (kaltim-research)"
	install -d $(VENV)/etc/jupyter && install -m 644 $(JUPYTER_CONFIG) $(VENV)/etc/jupyter/
	touch $(STAMP)
	@echo "setup done: make targets need nothing more; to type kaltim-research, papermill or jupyter yourself: source $(VENV)/bin/activate"

## data: rebuild data/processed/ from data/raw/ (validated against the manifest)
data: $(STAMP)
	$(BIN)/kaltim-research data build

## check: verify raw checksums and schemas, and the processed tables
check: $(STAMP)
	$(BIN)/kaltim-research data check

## reports: every scenario in scenarios/ through every notebook, plus briefs and reports/index.html
reports: $(STAMP)
	$(BIN)/kaltim-research data build
	$(BIN)/kaltim-research run scenarios/*.yaml --jobs $(JOBS)

## test: unit, property, data, notebook (papermill + nbval) and brief tests
## Both pytest runs spread over $(JOBS) workers (pytest-xdist); --dist loadfile keeps a file's
## tests (and its module fixtures, and a notebook's cells for nbval) on one worker.
## TEST_JOBS=0 runs them in this process (for a debugger).
TEST_JOBS ?= $(JOBS)
XDIST = $(if $(filter 0,$(TEST_JOBS)),,-n $(TEST_JOBS) --dist loadfile)

test: $(STAMP)
	$(BIN)/kaltim-research data build
	$(BIN)/python -m pytest -q $(XDIST)
	# nbval: re-execute the golden notebooks and compare the headline-number cells
	$(BIN)/python -m pytest -q $(XDIST) --nbval-lax --nbval-kernel-name $(KERNEL) \
		--nbval-sanitize-with tests/nbval_sanitize.cfg tests/golden

## golden: refresh tests/golden after an intended change of headline numbers (review the diff)
golden: $(STAMP)
	$(BIN)/kaltim-research data build
	$(BIN)/python tools/make_golden.py

test-fast: $(STAMP)
	$(BIN)/kaltim-research data build
	$(BIN)/python -m pytest -q $(XDIST) -m "not notebooks"

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

## bench: cold reports, one brief, a no-change rerun, and the Monte Carlo engine
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_montecarlo.py
	$(BIN)/python benchmarks/bench_reports.py

## lock: refresh requirements.lock from a clean resolve of pyproject.toml
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet -e '.[dev]'
	( echo "# Exact versions for a reproducible install (pip install -c requirements.lock)."; \
	  echo "# Regenerate with: make lock   (after changing dependencies in pyproject.toml)"; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable ) > requirements.lock
	rm -rf .lock-venv

clean-reports:
	rm -rf reports/*/ reports/index.html

clean:
	rm -rf $(VENV) data/processed/*.csv data/processed/*.json reports/*/ reports/index.html
