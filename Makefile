# The two set-up commands of the README: `make demo` and `make test`.
# Each installs what it needs on a fresh Debian machine (a venv from PyPI; Debian packages
# through apt-get when run as root) and then does its job.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DATA ?= instance/demo
PORT ?= 5000
export PIP_DISABLE_PIP_VERSION_CHECK = 1

.PHONY: demo test venv dev-venv system-packages serve bench-relevance bench-reindex bench-search bench-http clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

venv: $(BIN)/python system-packages
	$(BIN)/pip install -q -r requirements.txt

dev-venv: $(BIN)/python system-packages
	$(BIN)/pip install -q -r requirements-dev.txt

# hunspell-sv: the Swedish lexicon for compound splitting; tesseract-ocr-swe + poppler-utils:
# OCR of scanned PDF pages; chromium: the browser tests.
BASE_PACKAGES := hunspell-sv tesseract-ocr tesseract-ocr-swe poppler-utils fonts-dejavu-core
system-packages:
	@bash scripts/system-packages.sh $(BASE_PACKAGES) $(if $(filter test,$(MAKECMDGOALS)),chromium)

demo: venv
	FLASK_DATA_DIR=$(DEMO_DATA) $(BIN)/flask --app app ingest demo
	FLASK_DATA_DIR=$(DEMO_DATA) $(BIN)/flask --app app reindex --if-needed
	@echo "Paragraf serves the demo archive on http://127.0.0.1:$(PORT)/"
	FLASK_DATA_DIR=$(DEMO_DATA) $(BIN)/waitress-serve --listen=127.0.0.1:$(PORT) --threads=8 --call app:create_app

test: dev-venv
	$(BIN)/python -m pytest -q tests

# production: one single-threaded worker process per core. Searches are CPU-bound Python; threads
# in a worker only take turns at its interpreter lock (bench/http.py: 2 workers x 4 threads served
# 74 requests/s, p95 233 ms; 2 x 1 served 115 requests/s, p95 101 ms). Put nginx in front for
# slow clients and keep-alive, as gunicorn's sync workers expect.
serve: venv
	$(BIN)/gunicorn --workers=$$(nproc) --bind=0.0.0.0:$(PORT) 'app:create_app()'

bench-relevance: dev-venv
	$(BIN)/python bench/relevance.py

# Scale benchmarks on generated archives (made once under bench/out/); see README "Speed".
bench-reindex: dev-venv
	$(BIN)/python bench/reindex.py --sizes 10000,100000 --workers 1,2

bench-search: dev-venv
	$(BIN)/python bench/search.py --items 100000

bench-http: dev-venv
	$(BIN)/python bench/http.py --items 100000 --clients 8 --seconds 60

clean:
	rm -rf $(VENV) instance/demo
