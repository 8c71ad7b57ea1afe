# cchc — two commands on a fresh machine:
#   make chat   set everything up (venv, packages, models, browser) and start the chat on the bundled reports
#   make test   set everything up and run the tests (CI runs exactly this)
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.setup-done
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: setup chat test bench eval clean

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip wheel

$(STAMP): pyproject.toml scripts/setup.sh | $(BIN)/python
	bash scripts/setup.sh $(VENV)
	touch $(STAMP)

setup: $(STAMP)

chat: setup
	$(BIN)/cchc chat

DOCTESTED := assistant cchc evals index ingest vocab

test: setup
	$(BIN)/python -m pytest -q -p no:cacheprovider
	$(BIN)/python -m pytest -q -p no:cacheprovider --import-mode=importlib --doctest-modules $(DOCTESTED)

bench: setup
	$(BIN)/python bench/bench_index.py

eval: setup
	$(BIN)/cchc eval evals/sets/dev.jsonl --llm extractive --out runs/dev-extractive

clean:
	rm -rf $(VENV) build *.egg-info
