# govperf: `make run` builds the warehouse from data/raw, `make test` runs the checks.
# uv is installed with pip when it is missing (a fresh machine needs only Python 3.11).
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
# PYTHONDONTWRITEBYTECODE is set on some machines: compile once at install, not on every start-up.
SYNC = $(UV) sync --frozen --compile-bytecode
RUN = $(UV) run --frozen

.PHONY: system-deps sync run status test test-fast lint dev bench dashboard

# Debian packages the project needs, installed only when missing: libGL/GLib for OpenCV (used by
# the OCR), a CJK font (scanned-page test fixtures, the dashboard's screenshots), a TrueType CJK font
# reportlab can embed (the forms rendered as text PDF by fixtures/) and Chromium (the dashboard's
# browser test).
SYSTEM_LIBS := libGL.so.1:libgl1 libglib-2.0.so.0:libglib2.0-0
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
TRUETYPE_CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

system-deps:
	@missing=""; \
	for pair in $(SYSTEM_LIBS); do \
		ldconfig -p 2>/dev/null | grep -q "$${pair%%:*}" || missing="$$missing $${pair##*:}"; \
	done; \
	[ -f $(CJK_FONT) ] || missing="$$missing fonts-noto-cjk"; \
	[ -f $(TRUETYPE_CJK_FONT) ] || missing="$$missing fonts-wqy-zenhei"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
		if command -v apt-get >/dev/null 2>&1; then \
			echo "installing$$missing"; \
			$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
		else \
			echo "warning: install$$missing (no apt-get here): OCR, the browser test or the scan fixtures will fail" >&2; \
		fi; \
	fi

sync: system-deps
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv \
		|| python3 -m pip install --quiet --user --break-system-packages uv
	$(SYNC)

run: sync
	$(RUN) govperf refresh

status:
	$(RUN) govperf status

lint: sync
	$(RUN) ruff check .

# Both tiers; `make test-fast` runs the default tier only (units, dbt unit tests, one shared refresh).
# Tests run on one pytest-xdist worker per core (PYTEST_WORKERS), a test module per worker at a time so
# its module fixtures (a dbt build, the refresh scenario) are built once.
PYTEST_WORKERS ?= auto
PYTEST = $(RUN) pytest -q -n $(PYTEST_WORKERS) --dist loadscope

test: lint
	$(PYTEST)

test-fast: lint
	$(PYTEST) -m "not slow"

# The dashboard over the published warehouse (GOVPERF_WAREHOUSE) on 127.0.0.1:$GOVPERF_DASHBOARD_PORT (8501).
dashboard: sync
	$(RUN) python -m dashboard.serve

# Run history, schedules and sensor cursors persist in .dagster_home (not committed).
dev: sync
	mkdir -p .dagster_home
	DAGSTER_HOME=$(CURDIR)/.dagster_home $(RUN) dagster dev -h 127.0.0.1 -p $${DAGSTER_PORT:-3000}

# Issue 9's targets on a scaled corpus (default 10,000 reports, then 100,000): full, no-op and add-one
# refreshes as `.venv/bin/govperf refresh` runs them, stage times, tree PSS, parser vs naive baseline,
# profiles. BENCH_ARGS="--reports 2000 --skip-100k". Prints a table and writes data/bench/latest.json.
bench: sync
	$(RUN) python -m bench.run $(BENCH_ARGS)
