# painmap — the two sacred commands: `make run` and `make test`. Each works alone on a
# fresh clone: it creates .venv, installs the project, and does its job.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= data/demo
export OPENBLAS_NUM_THREADS = 1
export PREFECT_SERVER_ANALYTICS_ENABLED = false

.PHONY: run test test-fast bench lint install demo clean report-pages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

$(DEMO_DIR)/painmap.toml: | $(STAMP)
	$(BIN)/painmap demo --out $(DEMO_DIR)

demo: $(DEMO_DIR)/painmap.toml

run: install demo
	PAINMAP_CONFIG=$(DEMO_DIR)/painmap.toml $(BIN)/painmap init
	PAINMAP_CONFIG=$(DEMO_DIR)/painmap.toml $(BIN)/painmap nightly
	PAINMAP_CONFIG=$(DEMO_DIR)/painmap.toml $(BIN)/painmap report --period 2025 \
		--out $(DEMO_DIR)/report.docx --xlsx $(DEMO_DIR)/report.xlsx

test: install
	$(BIN)/python -m pytest -n 2 --dist loadgroup

test-fast: install
	$(BIN)/python -m pytest -n 2 -m "not slow"

# The demo report as the printer sees it: LibreOffice → PDF → one PNG per page, in
# data/demo/report-pages/ (outside the repository). Needs `make run` first and Debian's
# libreoffice-writer and poppler-utils.
report-pages:
	@test -f $(DEMO_DIR)/report.docx || { echo "Сначала выполните make run: нет $(DEMO_DIR)/report.docx"; exit 2; }
	rm -rf $(DEMO_DIR)/report-pages && mkdir -p $(DEMO_DIR)/report-pages
	soffice --headless --convert-to pdf --outdir $(DEMO_DIR)/report-pages $(DEMO_DIR)/report.docx >/dev/null
	pdftoppm -r 60 -png $(DEMO_DIR)/report-pages/report.pdf $(DEMO_DIR)/report-pages/page
	@echo "Страницы отчета: $(DEMO_DIR)/report-pages/page-*.png"

bench: install
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy vocabulary crawlers ingest nlp scoring flows models service api reports

clean:
	rm -rf $(VENV) data/painmap.db* $(DEMO_DIR)
