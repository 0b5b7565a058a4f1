# Every target is a thin wrapper over `nnlab ...` in the project's own virtual environment,
# which is created with the pinned dependencies the first time any target needs it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup course release grade test lab bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $(STAMP)

course: setup            ## the main job: execute every lecture into build/lectures and report
	$(BIN)/nnlab course

release: setup           ## regenerate the student releases in assignments/ from solutions/
	$(BIN)/nnlab release

grade: setup             ## make grade ASSIGNMENT=a1_backprop SUBMISSIONS=path/to/folder
	@test -n "$(ASSIGNMENT)" -a -n "$(SUBMISSIONS)" || { echo "usage: make grade ASSIGNMENT=<id> SUBMISSIONS=<folder>"; exit 2; }
	$(BIN)/nnlab grade $(ASSIGNMENT) $(SUBMISSIONS)

test: setup              ## library against torch, grader self-tests, every lecture under nbval
	$(BIN)/python -m pytest -q tests

lab: setup               ## open the course in JupyterLab
	$(BIN)/jupyter lab

bench: setup             ## nnlab / torch timings into build/bench.md
	$(BIN)/nnlab bench

clean:
	rm -rf build
