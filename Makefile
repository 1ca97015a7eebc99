# Quick start: `make run` starts the app, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run classroom worker test lint crosscheck bench axe-update clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

# One Streamlit process, warmed (imports, the default view's caches) before it prints its address.
run: $(STAMP)
	$(PY) deploy/single.py --port 8501

# One Streamlit process per core (or WORKERS=n) behind HAProxy on :8501; `make run` is one process.
# BACKENDS="10.0.0.2:8601 10.0.0.3:8601" adds workers on other hosts (`make worker` there).
classroom: $(STAMP)
	$(PY) deploy/classroom.py $(if $(WORKERS),--workers $(WORKERS)) $(foreach b,$(BACKENDS),--backend $(b))

# One worker on its own for a balancer on another host: ADDRESS (default 0.0.0.0), PORT (8601).
# STREAMLIT_SERVER_COOKIE_SECRET and PLAB_DATABASE_URL come from the environment, never from here.
worker: $(STAMP)
	$(PY) deploy/worker.py $(if $(ADDRESS),--address $(ADDRESS)) $(if $(PORT),--port $(PORT))

# ruff, then the import rule (README "Layout"; contracts in pyproject.toml)
lint: $(STAMP)
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports

test: $(STAMP) lint
	$(PY) -m pytest

crosscheck: $(STAMP)
	$(PY) -m pooling_core.crosscheck

bench: $(STAMP)
	$(PY) benchmarks/engine_bench.py

# Replace the vendored axe-core (tests/vendor/axe-core) with AXE_VERSION from npm; only this
# target needs npm, the tests use the committed copy.
AXE_VERSION ?= 4.14.1
axe-update:
	@command -v npm >/dev/null || { echo "axe-update needs npm (e.g. apt-get install npm)"; exit 1; }
	rm -rf .axe-pack && mkdir .axe-pack
	cd .axe-pack && npm pack --silent axe-core@$(AXE_VERSION) && tar xzf axe-core-$(AXE_VERSION).tgz
	cp .axe-pack/package/axe.min.js .axe-pack/package/LICENSE .axe-pack/package/LICENSE-3RD-PARTY.txt tests/vendor/axe-core/
	rm -rf .axe-pack
	sha256sum tests/vendor/axe-core/axe.min.js

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache .classroom
