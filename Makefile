# The two commands a newcomer needs: `make run` and `make test`. See README.md.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-postgres bench bench-load serve worker deploy-smoke lint messages sysdeps lock clean

# Installs exactly the versions (and hashes) CI tested: requirements*.lock, generated from the
# human-edited requirements*.txt by `make lock`.
$(VENV)/.installed: requirements.lock requirements-dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

# Re-resolve the locks after editing requirements.txt or requirements-dev.txt (pip-tools runs in
# a throwaway venv under var/, so it never enters the project's environment).
PIPTOOLS := var/piptools/bin
lock:
	test -x $(PIPTOOLS)/pip-compile || ($(PYTHON) -m venv var/piptools && $(PIPTOOLS)/pip install --quiet pip-tools==7.6.2)
	$(PIPTOOLS)/pip-compile --quiet --strip-extras --generate-hashes --no-emit-index-url --no-emit-find-links \
		-o requirements.lock requirements.txt
	$(PIPTOOLS)/pip-compile --quiet --strip-extras --generate-hashes --no-emit-index-url --no-emit-find-links \
		-c requirements.lock -o requirements-dev.lock requirements-dev.txt

sysdeps:
	@bash scripts/check_sysdeps.sh

run: $(VENV)/.installed sysdeps
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo ""
	@echo "  智库简报编辑系统: http://$(HOST):$(PORT)/  (演示账号 admin / editor / chief / reviewer / leader / clerk, 密码 zhiku-demo)"
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed sysdeps
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

test-postgres:
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/zhiku} $(MAKE) test

bench: $(VENV)/.installed
	$(PY) -m bench

# Production: gunicorn with the production settings, environment from ENV_FILE when it exists
# (see docs/deploy.md and deploy/zhiku.env.example). Needs PostgreSQL; Redis when REDIS_URL is set.
ENV_FILE ?= zhiku.env
serve: $(VENV)/.installed
	@set -a; if [ -f "$(ENV_FILE)" ]; then . "$$(realpath $(ENV_FILE))"; fi; set +a; \
	export DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-zhiku.settings.production}; \
	$(PY) manage.py check --deploy --fail-level ERROR && \
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py collectstatic --noinput -v 0 && \
	GUNICORN_BIND=$${GUNICORN_BIND:-$(HOST):$(PORT)} exec $(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py

worker: $(VENV)/.installed
	@set -a; if [ -f "$(ENV_FILE)" ]; then . "$$(realpath $(ENV_FILE))"; fi; set +a; \
	export DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-zhiku.settings.production}; \
	exec $(VENV)/bin/celery -A zhiku.celery worker --loglevel INFO

# nginx + redis + two gunicorns + a worker on 127.0.0.1 high ports, checked, then stopped.
deploy-smoke: $(VENV)/.installed
	bash scripts/deploy_smoke.sh

# gunicorn + PostgreSQL (+ Redis) under a bounded wrk load on 127.0.0.1; prints figures and ratios.
bench-load: $(VENV)/.installed
	bash scripts/bench_load.sh

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

messages: $(VENV)/.installed
	bash scripts/messages.sh

clean:
	rm -rf $(VENV) var
