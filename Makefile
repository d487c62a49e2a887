# govperf: `make run` builds the warehouse from data/raw, `make test` runs the checks.
# uv is installed with pip when it is missing (a fresh machine needs only Python 3.11).
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
# PYTHONDONTWRITEBYTECODE is set on some machines: compile once at install, not on every start-up.
SYNC = $(UV) sync --frozen --compile-bytecode
RUN = $(UV) run --frozen

.PHONY: sync run status test lint dev bench dashboard system-deps

sync:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv \
		|| python3 -m pip install --quiet --user --break-system-packages uv
	$(SYNC)

run: sync
	$(RUN) govperf refresh

status:
	$(RUN) govperf status

lint: sync
	$(RUN) ruff check .

test: lint system-deps
	$(RUN) pytest -q

# Headless Chromium and a CJK font for the dashboard's browser test; skipped when already present.
system-deps:
	@command -v chromium >/dev/null 2>&1 && fc-list :lang=zh family 2>/dev/null | grep -q . \
		|| (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk)

# The dashboard over the published warehouse (GOVPERF_WAREHOUSE) on 127.0.0.1:$GOVPERF_DASHBOARD_PORT (8501).
dashboard: sync
	$(RUN) python -m dashboard.serve

# Run history, schedules and sensor cursors persist in .dagster_home (not committed).
dev: sync
	mkdir -p .dagster_home
	DAGSTER_HOME=$(CURDIR)/.dagster_home $(RUN) dagster dev -h 127.0.0.1 -p $${DAGSTER_PORT:-3000}

# Scaled corpus, timed refreshes and stages, naive baseline (issue 6); BENCH_ARGS="--reports 2000 --skip-100k".
# Prints a table and writes data/bench/latest.json.
bench: sync
	$(RUN) python -m bench.run $(BENCH_ARGS)
