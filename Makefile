# One command surface. `make demo` and `make test` set everything up on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install fmt lint typecheck test check demo bench serve clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

fmt: install
	$(BIN)/ruff format bot simulator workflows store tests benchmarks
	$(BIN)/ruff check --fix bot simulator workflows store tests benchmarks

lint: install
	$(BIN)/ruff check bot simulator workflows store tests benchmarks
	$(BIN)/ruff format --check bot simulator workflows store tests benchmarks

typecheck: install
	$(BIN)/mypy

# ruff, mypy, then pytest on SQLite and PostgreSQL (the migration check is a test:
# tests/test_migrations.py runs `alembic upgrade` and `alembic check` on both databases).
test: lint typecheck
	$(BIN)/python -m pytest -n 2

check: test

demo: install
	$(BIN)/finsam-bot demo --out demo-out

bench: install
	$(BIN)/python benchmarks/bench_ack.py
	$(BIN)/python benchmarks/bench_reminders.py
	$(BIN)/python benchmarks/bench_forms.py
	$(BIN)/python benchmarks/bench_cli.py
	$(BIN)/python benchmarks/bench_imports.py
	$(BIN)/python benchmarks/bench_scale.py

serve: install
	$(BIN)/finsam-bot serve

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache demo-out
