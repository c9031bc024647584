# radiomon: the two set-up commands of the README.
#   make demo   install, create a demo deployment, run the pipeline on bundled demo audio, search it
#   make test   install what the tests need (system packages, dev extras, both engines) and run pytest
# Both work on a fresh Debian machine as root (apt-get is used for system packages).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DEMO   ?= demo-run

# System packages: ffmpeg (recording, decoding), icecast2 (the demo's loopback
# station; a real streaming server for the recorder tests), espeak-ng + sox +
# Debian's es-MX prompts and music-on-hold (test and benchmark audio), sqlite3
# (the archive opens in the CLI), wspanish (real Spanish words for the search
# and match benchmarks), chromium (the web UI's browser tests, driven by
# Playwright), systemd (systemd-analyze verifies the units in deploy/systemd), openssl (the cluster tests' temporary CA).
# libpango (WeasyPrint prints the síntesis PDF), poppler-utils (pdftotext reads it back in the tests).
APT_RUNTIME := ffmpeg icecast2 libpango-1.0-0 libpangoft2-1.0-0
APT_TEST    := ffmpeg espeak-ng sox sqlite3 icecast2 asterisk-core-sounds-es-wav asterisk-moh-opsound-wav wspanish chromium systemd openssl poppler-utils

.PHONY: demo test system-runtime system-test venv install install-dev clean-demo

system-runtime:
	@dpkg -s $(APT_RUNTIME) >/dev/null 2>&1 || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(APT_RUNTIME) python3-venv)

system-test:
	@dpkg -s $(APT_TEST) >/dev/null 2>&1 || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(APT_TEST) python3-venv)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

# torch==2.13.0 (CPU build, on local disk) must come before openai-whisper:
# an unpinned torch pulls a multi-GB CUDA build.
install-dev: $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev,openai-whisper,cluster]'

RADIOMON := HF_HUB_OFFLINE=1 $(BIN)/radiomon --config $(DEMO)/radiomon.yml

# The office's day on a bundled 90-second morning programme, then what it hands on: the digest and a clip;
# then the whole loop live: that programme on a loopback Icecast station, recorded for about a minute by
# radiomon run (1-minute segments), each segment transcribed and matched as it closes; then the press: two
# newspaper sites on loopback added with radiomon press add and read, and today's síntesis with radio and press,
# approved (as the coordinator does in the web editor) and written as the PDF its readers get.
demo: system-runtime install
	$(BIN)/radiomon init $(DEMO)
	$(RADIOMON) import examples/demo/radio-demo-20261125T080000.mp3 --station ejemplo-am
	$(RADIOMON) transcribe
	$(RADIOMON) match
	$(RADIOMON) mentions
	$(RADIOMON) search "mercado"
	$(RADIOMON) status
	$(RADIOMON) digest --date 2026-11-25 -o $(DEMO)/sintesis-2026-11-25.docx
	$(RADIOMON) digest --date 2026-11-25 -o $(DEMO)/sintesis-2026-11-25.html
	@id=$$($(RADIOMON) mentions --format json | $(BIN)/python -c 'import json, sys; m = json.load(sys.stdin); print(m[0]["id"] if m else "")'); \
	if [ -n "$$id" ]; then $(RADIOMON) clip $$id -o $(DEMO)/clip-$$id.mp3; else echo "no mention to clip"; fi
	@echo "documents: $(DEMO)/sintesis-2026-11-25.docx, $(DEMO)/sintesis-2026-11-25.html and $(DEMO)/clip-*.mp3"
	HF_HUB_OFFLINE=1 $(BIN)/python examples/demo/live_demo.py --config $(DEMO)/radiomon.yml --seconds 70
	$(RADIOMON) mentions --station en-vivo
	$(RADIOMON) search "presidenta municipal" --station en-vivo
	HF_HUB_OFFLINE=1 $(BIN)/python examples/demo/press_demo.py --config $(DEMO)/radiomon.yml
	$(RADIOMON) search "vacunación" --medium press
	$(RADIOMON) digest --date hoy -o $(DEMO)/sintesis-hoy.html
	$(RADIOMON) digest --date hoy -o $(DEMO)/sintesis-hoy.docx
	$(RADIOMON) digest approve --date hoy
	$(RADIOMON) digest document --date hoy -o $(DEMO)/sintesis-hoy.pdf
	$(RADIOMON) digest editions
	$(RADIOMON) status
	@echo "today's síntesis, radio and press: $(DEMO)/sintesis-hoy.html and .docx (as the machine sees it)"
	@echo "today's edition, approved as the office sends it: $(DEMO)/sintesis-hoy.pdf"
	@echo "web UI: $(BIN)/radiomon --config $(DEMO)/radiomon.yml serve   then open http://127.0.0.1:8080/ (Ctrl+C stops it)"

test: system-test install-dev
	$(BIN)/ruff check radiomon tests benchmarks examples docs
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

clean-demo:
	rm -rf $(DEMO)
