# autolab: `make run` starts the whole stack with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := uv==0.13.8
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | md5sum | cut -c1-12)

# Where the environment says not to write bytecode (PYTHONDONTWRITEBYTECODE=1 on this kind of
# machine), every Python process compiled every module it imported from source: 3.4 s of a Django
# process's 5.4 s start, paid again by each test worker, daphne, Celery worker and manage.py the
# suite and the stack start. The cache is ignored by git (.gitignore).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test soak lint typecheck format bench clean-venv

$(STAMP): requirements.txt requirements-dev.txt
	@echo "==> Creating $(VENV) and installing dependencies"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@# uv installs the same pinned requirements in ~5 s where pip took ~70 s (it downloads and
	@# unpacks in parallel, and does not byte-compile: Python compiles what a run imports). pip is
	@# the fallback wherever uv cannot be had.
	@( $(PY) -m pip install --quiet --disable-pip-version-check $(UV) 2>&1 | grep -v "^WARNING: Location"; \
	   $(PY) -m uv pip install --quiet --python $(PY) -r requirements-dev.txt ) \
	|| ( echo "==> uv unavailable; installing with pip (a minute or two)" && \
	     $(PY) -m pip install --quiet --disable-pip-version-check --no-compile -r requirements-dev.txt 2>&1 | grep -v "^WARNING: Location" || true )
	@$(PY) -c "import django, pynamodb, moto, celery, channels" || (echo "Dependency install failed" && exit 1)
	@rm -f $(VENV)/.installed-*; touch $(STAMP)

run: $(STAMP)
	@$(PY) -m devtools.devstack

# The static checks of `test` and `lint`; devtools.imports: the app graph follows ARCHITECTURE.md §3.
QUICK_CHECKS := $(PY) -m ruff check . && $(PY) -m ruff format --check . && $(PY) -m devtools.imports
CHECKS := $(QUICK_CHECKS) && $(PY) -m mypy

# One xdist worker more than the machine has cores, each with its own DynamoDB Local and Redis
# (tests/plugin.py): a worker spends part of its time waiting on its engine, browsers, servers and
# Celery workers, and with one worker per core ~13% of the two cores sat idle (vmstat); a third
# brought idle to ~4% and the suite from ~290 s to ~260 s. worksteal: a worker that runs out takes
# half of another's queue (with `load` one sat idle for the last ~25 s). devtools.ensure (apt's
# chromium, npm's DynamoDB Local and axe-core: ~17 s on a fresh machine) needs only the standard
# library, so the system Python runs it beside the venv's install (~12 s) rather than after it.
# mypy (~22 s of one core on a fresh clone) starts as soon as the venv is there, beside the rest of
# ensure and then the suite; its report follows the suite's, and either failing fails `test`.
#
# A fresh clone has no bytecode, and the workers would each compile the same modules at once:
# their collection took ~22 s cold against ~9 s warm. So while devtools.ensure waits, one process
# collects without services (only imports: bytecode and pytest's rewritten test modules), and is
# stopped when the suite starts, keeping what it wrote (both caches are written atomically); where
# ensure has nothing to install it is stopped at once. Simulated (a 12 s ensure, mypy beside it),
# the suite's collection ended ~7 s sooner: 29.3 -> 22.0 s from the start. Now that ensure runs
# beside the venv's install it has only ensure's last seconds on a fresh machine (~2 s here), but
# where apt or npm is slow (a slow mirror) it still takes that time off the workers' start.
WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
WARM_UP := AUTOLAB_TEST_SERVICES=started DJANGO_SETTINGS_MODULE=autolab.settings.test \
	$(PY) -m pytest --collect-only -p no:xdist -p no:randomly > /dev/null 2>&1
test:
	@mkdir -p var && ( $(PYTHON) -m devtools.ensure & ensure=$$!; \
	  $(MAKE) -s --no-print-directory $(STAMP) || { wait $$ensure; exit 1; }; \
	  $(PY) -m mypy > var/mypy-test.log 2>&1 & types=$$!; $(WARM_UP) & warm=$$!; \
	  wait $$ensure && $(QUICK_CHECKS); ready=$$?; kill $$warm 2> /dev/null; \
	  [ $$ready -eq 0 ] && $(PY) -m pytest -n $(WORKERS) --dist worksteal; suite=$$?; \
	  wait $$types; typed=$$?; cat var/mypy-test.log; rm -f var/mypy-test.log; exit $$(( suite || typed )) )

# 50 customer + 5 staff sockets on a real daphne for 3 minutes (tests/chat/test_soak.py).
soak: $(STAMP)
	@$(PY) -m pytest -m soak -s tests/chat/test_soak.py

lint: $(STAMP)
	@$(CHECKS)

# mypy with the Django and DRF plugins over the product packages (pyproject.toml [tool.mypy]);
# `lint` and `test` run it too.
typecheck: $(STAMP)
	@$(PY) -m mypy

format: $(STAMP)
	@$(PY) -m ruff check --fix .
	@$(PY) -m ruff format .

# ENGINE=both runs each suite on DynamoDB Local and on moto's server and writes both, with the ratio.
ENGINE ?= dynamodb-local
bench: $(STAMP)
	@$(PY) -m bench --engine $(ENGINE) $(BENCH_ARGS)

clean-venv:
	rm -rf $(VENV)
