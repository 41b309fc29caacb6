# derive: two commands do all the set-up on a fresh Debian machine (as root):
#   make pdf   -> venv + Python deps + TeX Live and Graphviz if missing, then every sheet
#                 into build/
#   make test  -> the same set-up, then the whole test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEPS := $(VENV)/.deps-installed
ORACLE := $(VENV)/.oracle-installed
# Python compiles each module once into __pycache__, even where the shell asks it not to
# (about 0.1 s a run saved on every derive command, and more after an edit)
unexport PYTHONDONTWRITEBYTECODE
TEX_PACKAGES := latexmk texlive-latex-base texlive-latex-recommended texlive-fonts-recommended \
                texlive-pictures lmodern poppler-utils qpdf

.PHONY: pdf test bench bench-variants costs mutants check clean tex graphviz sandbox browser venv \
        lock

pdf: $(DEPS) tex graphviz sandbox
	$(VENV)/bin/derive build

test: $(DEPS) $(ORACLE) tex graphviz sandbox browser
	$(PY) -m pytest -q

bench: $(DEPS) tex graphviz
	$(PY) bench/bench.py

# Only issue 20's part: derive variants c12 for 200 students (STUDENTS=N for another count).
bench-variants: $(DEPS) tex graphviz
	$(PY) bench/bench.py --only variants --students $${STUDENTS:-200}

# How long each derivation takes to verify, which orders the parallel verifier's work.
costs: $(DEPS)
	$(PY) bench/costs.py

# Mutation testing: can a wrong step pass the verifier? (bench/mutants.py; not part of test)
mutants: $(DEPS)
	$(PY) bench/mutants.py

check: $(DEPS)
	$(PY) -m ruff check derive tests bench
	$(PY) -m mypy derive

venv: $(DEPS)

# The exact versions of constraints.txt (SymPy decides verdicts and printed forms).
$(DEPS): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]' \
	    --config-settings editable_mode=compat   # a path in a .pth: no import hook to load
	@touch $@

# The newest versions pyproject.toml allows, written to constraints.txt (then: make test, and
# compare the sheets before committing it).
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet -e '.[dev]'
	{ sed -n '/^#/p' constraints.txt; .venv-lock/bin/pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt && rm -rf .venv-lock

# PyTorch CPU, used only by the oracle tests (a local wheel on these machines).
$(ORACLE): $(DEPS)
	$(PY) -m pip install --quiet 'torch==2.13.0'
	@touch $@

tex:
	@if command -v latexmk >/dev/null && command -v pdflatex >/dev/null && command -v pdftotext >/dev/null \
	    && command -v qpdf >/dev/null \
	    && kpsewhich pgfplots.sty mathtools.sty pdflscape.sty lmodern.sty >/dev/null; then :; else \
	  echo "derive: TeX Live, latexmk or poppler-utils missing; installing them from Debian's packages"; \
	  if [ "$$(id -u)" != 0 ]; then echo "derive: need root to run apt-get; install: $(TEX_PACKAGES)" >&2; exit 1; fi; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends $(TEX_PACKAGES) >/dev/null; \
	fi

# Graphviz's dot lays out the computation-graph figures (derive/render/dot_layout.py).
graphviz:
	@if command -v dot >/dev/null; then :; else \
	  echo "derive: Graphviz (dot) missing; installing it from Debian's packages"; \
	  if [ "$$(id -u)" != 0 ]; then echo "derive: need root to run apt-get; install: graphviz" >&2; exit 1; fi; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends graphviz >/dev/null; \
	fi

# bubblewrap confines TeX to its work folder and the TeX tree (derive/build/sandbox.py);
# where the container forbids its namespaces derive falls back and says so.
sandbox:
	@if command -v bwrap >/dev/null; then :; else \
	  echo "derive: bubblewrap missing; installing it from Debian's packages"; \
	  if [ "$$(id -u)" != 0 ]; then echo "derive: warning: need root to install bubblewrap; TeX runs less confined" >&2; \
	  else export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends bubblewrap >/dev/null; fi; \
	fi

# Headless Chromium tests the HTML pages (tests/test_render_html.py); npm fetches KaTeX for
# them (derive build --format html, into OUT/.npm).
BROWSER_PACKAGES := chromium nodejs npm
# Only what is missing: a machine with NodeSource's nodejs (npm bundled) conflicts with
# Debian's npm package.
browser:
	@missing=""; command -v chromium >/dev/null || missing="chromium"; \
	command -v node >/dev/null || missing="$$missing nodejs"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "derive: $$missing missing; installing from Debian's packages"; \
	  if [ "$$(id -u)" != 0 ]; then echo "derive: warning: need root to install$$missing; the browser test skips" >&2; \
	  else export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; fi; \
	fi

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
