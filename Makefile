# govperf: `make run` builds the warehouse from data/raw, `make test` runs the checks.
UV ?= uv
# PYTHONDONTWRITEBYTECODE is set on some machines: compile once at install, not on every start-up.
SYNC = $(UV) sync --frozen --compile-bytecode

.PHONY: sync run test lint dev status

sync:
	$(SYNC)

run: sync
	$(UV) run --frozen govperf refresh

status:
	$(UV) run --frozen govperf status

lint: sync
	$(UV) run --frozen ruff check .

test: lint
	$(UV) run --frozen pytest -q

dev: sync
	$(UV) run --frozen dagster dev -h 127.0.0.1 -p $${DAGSTER_PORT:-3000}
