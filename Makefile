# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export FLASK_APP := wsgi

.PHONY: run test setup install translations fonts browser-deps stack-deps lint clean bench-data bench stack stack-stop

run: setup
	@$(BIN)/flask demo seed
	@echo "Serving Xiaobao Academy on http://127.0.0.1:5000 (Ctrl+C to stop)"
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: setup browser-deps stack-deps
	$(BIN)/flask content check
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest

setup: install translations fonts
	@mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask content sync

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "python venv support missing: installing it with apt"; \
	  $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,server,postgres]'
	@touch $@

translations: install
	$(BIN)/pybabel compile -d app/translations -f

# A CJK font for the result posters (PNG) drawn by the public site: Debian's Noto CJK.
fonts:
	@[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || { \
	  echo "installing fonts-noto-cjk for the result posters"; \
	  ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q fonts-noto-cjk) \
	  || echo "could not install fonts-noto-cjk: result posters will not be available"; }

# Debian's Chromium for the browser tests (never a downloaded browser). Best effort: without it
# the browser tests are reported as skipped locally; CI (.ci/run) installs it and never skips.
browser-deps:
	@[ -x /usr/bin/chromium ] || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium fonts-noto-cjk) \
	  || echo "could not install chromium: browser tests will be skipped"; }

# the stack tests (tests/stack) run two app instances behind nginx on PostgreSQL and Redis
stack-deps:
	@{ command -v nginx && command -v redis-server && ls /usr/lib/postgresql/*/bin/initdb; } >/dev/null 2>&1 || { \
	  echo "installing Debian's postgresql, redis-server and nginx for the stack tests"; \
	  ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q postgresql redis-server nginx) \
	  || echo "could not install them: the stack tests will be skipped"; }

lint: install
	$(BIN)/ruff check .

# Scale benchmark (bench/README.md): a synthetic bank of 50,000 employees and 1,000,000 requirements
# in BENCH_DB (default: a SQLite file under /tmp/bench), then the timings as Markdown.
BENCH_DB  ?= sqlite:////tmp/bench/bench.db
BENCH_OUT ?= /tmp/bench/results.md

bench-data: install
	$(BIN)/python bench/generate.py --db '$(BENCH_DB)' --fresh

bench: install translations
	@mkdir -p "$$(dirname '$(BENCH_OUT)')"
	$(BIN)/python bench/run.py --db '$(BENCH_DB)' --markdown '$(BENCH_OUT)'

clean:
	rm -rf $(VENV) .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# Two app instances behind nginx on PostgreSQL and Redis, on this machine (deploy/stack.sh; README,
# "Several app servers"). Needs apt's postgresql, redis-server and nginx.
stack: setup
	deploy/stack.sh start

stack-stop:
	deploy/stack.sh stop
