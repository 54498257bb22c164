# landbridge: two commands for users (make run, make test); the rest for developers.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test bench lint clean

$(STAMP): pyproject.toml src/landbridge/web/package-lock.json Makefile
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 18+ (Debian: apt-get install -y npm)"; exit 1; }
	cd src/landbridge/web && npm ci --no-audit --no-fund --loglevel=error
	mkdir -p src/landbridge/web/static/vendor/swagger-ui src/landbridge/web/static/vendor/redoc
	cp src/landbridge/web/node_modules/maplibre-gl/dist/* src/landbridge/web/static/vendor/
	cp src/landbridge/web/node_modules/swagger-ui-dist/{swagger-ui-bundle.js,swagger-ui.css,LICENSE} src/landbridge/web/static/vendor/swagger-ui/
	cp src/landbridge/web/node_modules/redoc/bundles/redoc.standalone.js.LICENSE.txt src/landbridge/web/static/vendor/redoc/
	@# ReDoc's sidebar logo is fetched from its CDN: point it at an empty data URL (offline, no request)
	sed -e 's#https://cdn.redoc.ly/redoc/logo-mini.svg#data:,#' src/landbridge/web/node_modules/redoc/bundles/redoc.standalone.js > src/landbridge/web/static/vendor/redoc/redoc.standalone.js
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	  else \
	    echo "NOTE: /usr/bin/chromium is missing and we are not root; browser tests will be skipped."; \
	    echo "      Install it with: sudo apt-get install -y chromium"; \
	  fi; \
	fi
	@touch $(STAMP)

install: $(STAMP)

# The main job: the option table for one FEU Xi'an → Duisburg, then the web planner (prints its URL).
run: install
	$(BIN)/landbridge route "Xi'an" Duisburg
	$(BIN)/landbridge serve

# A cache inside the checkout: a fresh clone builds the network from the bundled data.
test: install
	LANDBRIDGE_CACHE=$(CURDIR)/.landbridge-cache $(BIN)/python -m pytest -q

bench: install
	@for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	PYTHONPATH=src $(BIN)/lint-imports --config pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache build dist
