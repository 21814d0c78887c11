#!/usr/bin/env bash
# Runs the production setup of docs/deploy.md on this machine, on 127.0.0.1 high ports, checks it
# and stops everything: Redis, two gunicorn app servers started from the systemd unit's own
# ExecStart line, a Celery worker from its unit, and nginx with the very site file in deploy/nginx
# (TLS with a throw-away certificate). PostgreSQL must be running; a scratch database is made and
# dropped. Then deploy/smoke/ drives the workflow across both app servers.
#   PG_URL (default postgres://postgres@127.0.0.1:5432), SMOKE_PORT_BASE (default 18100),
#   SMOKE_STATIC_ROOT: reuse static files collected by an earlier run (collectstatic compresses
#   every file with gzip and brotli: about a minute of CPU), for quick reruns while developing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PY:-$ROOT/.venv/bin/python}
VENV_BIN=$(dirname "$PY")
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
BASE=${SMOKE_PORT_BASE:-18100}
REDIS_PORT=$((BASE + 79)) APP1=$((BASE + 1)) APP2=$((BASE + 2)) HTTPS_PORT=$((BASE + 43)) HTTP_PORT=$((BASE + 80))
DB=zhiku_smoke_$$
TMP=$(mktemp -d /tmp/zhiku-smoke.XXXXXX)
chmod 755 "$TMP"  # nginx's workers run as an unprivileged user and read static files from here
STATIC=${SMOKE_STATIC_ROOT:-$TMP/static}
PIDS=()

cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  dropdb --if-exists -h 127.0.0.1 -U postgres "$DB" 2>/dev/null || true
  if [ $status -ne 0 ]; then
    echo "--- deploy smoke FAILED; last log lines:"
    tail -n 25 "$TMP"/*.log 2>/dev/null || true
  fi
  rm -rf "$TMP"
  exit $status
}
trap cleanup EXIT INT TERM

wait_for() {  # URL [curl options...]: until it answers 200, 30 s at most
  local url=$1; shift
  for _ in $(seq 1 60); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$@" "$url")" = 200 ] && return 0
    sleep 0.5
  done
  echo "no answer from $url"; return 1
}

check() {  # DESCRIPTION COMMAND...: run a check, say what passed
  local what=$1; shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; return 1; fi
}

# --- the environment file, as /etc/zhiku/zhiku.env would hold it -----------------------------
createdb -h 127.0.0.1 -U postgres "$DB"
mkdir -p "$STATIC" "$TMP/media" "$TMP/ssl" "$TMP/nginx"
cat > "$TMP/zhiku.env" <<ENV
DJANGO_SETTINGS_MODULE=zhiku.settings.production
SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
DATABASE_URL=$PG_URL/$DB
REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
ALLOWED_HOSTS=127.0.0.1,localhost
CSRF_TRUSTED_ORIGINS=https://127.0.0.1:$HTTPS_PORT
STATIC_ROOT=$STATIC
MEDIA_ROOT=$TMP/media
BACKUP_ROOT=$TMP/backups
MEDIA_ACCEL_REDIRECT_PREFIX=/protected-media/
EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend
SECURE_HSTS_SECONDS=0
GUNICORN_WORKERS=2
ENV
set -a; . "$TMP/zhiku.env"; set +a

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize no >"$TMP/redis.log" 2>&1 &
PIDS+=($!)

"$PY" manage.py migrate --noinput -v 0
[ -n "${SMOKE_STATIC_ROOT:-}" ] && [ -f "$STATIC/staticfiles.json" ] || "$PY" manage.py collectstatic --noinput -v 0
# Demo accounts are made only under DEBUG: load them with the development settings, same database.
DJANGO_SETTINGS_MODULE=zhiku.settings.dev DEBUG=1 "$PY" manage.py load_demo >/dev/null

# --- app servers and worker, from the units' ExecStart lines -------------------------------------
unit_command() {  # UNIT INSTANCE: the unit's ExecStart with this checkout and venv in place of /srv/zhiku
  sed -n 's/^ExecStart=//p' "deploy/systemd/$1" | sed -e "s#/srv/zhiku/.venv/bin#$VENV_BIN#g" -e "s#/srv/zhiku#$ROOT#g" -e "s#%i#$2#g" -e "s#%H#smoke#g"
}
for port in "$APP1" "$APP2"; do
  # shellcheck disable=SC2046
  $(unit_command zhiku-web@.service "$port") >"$TMP/app-$port.log" 2>&1 &
  PIDS+=($!)
done
# shellcheck disable=SC2046
$(unit_command zhiku-worker.service "") --concurrency 1 >"$TMP/worker.log" 2>&1 &
PIDS+=($!)

# --- nginx with deploy/nginx/zhiku.conf, moved onto loopback high ports -------------------------
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
  -keyout "$TMP/ssl/privkey.pem" -out "$TMP/ssl/fullchain.pem" 2>/dev/null
sed -e "s#listen 80;#listen 127.0.0.1:$HTTP_PORT;#" -e "s#listen 443 ssl;#listen 127.0.0.1:$HTTPS_PORT ssl;#" \
    -e "s#127.0.0.1:8001#127.0.0.1:$APP1#" -e "s#127.0.0.1:8002#127.0.0.1:$APP2#" \
    -e "s#/srv/zhiku/var/static/#$STATIC/#" -e "s#/srv/zhiku/var/media/#$TMP/media/#" \
    -e "s#/etc/ssl/zhiku/#$TMP/ssl/#" deploy/nginx/zhiku.conf > "$TMP/nginx/zhiku.conf"
cat > "$TMP/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx-error.log warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    access_log $TMP/nginx-access.log;
    client_body_temp_path $TMP/nginx/body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    include $TMP/nginx/zhiku.conf;
}
CONF
nginx -t -q -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx"
nginx -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx" -g "daemon off;" &
PIDS+=($!)

SITE=https://127.0.0.1:$HTTPS_PORT
wait_for "http://127.0.0.1:$APP1/healthz"
wait_for "http://127.0.0.1:$APP2/healthz"
wait_for "$SITE/healthz" -k

# --- what a load balancer and a browser see -------------------------------------------------------
health=$(curl -sk "$SITE/healthz")
check "healthz through nginx: database, cache (Redis), queue (Celery), disk" \
  "$PY" -c 'import json,sys; h=json.loads(sys.argv[1]); c=h["checks"]; assert h["status"]=="ok" and c["cache"]["backend"]=="RedisCache" and c["queue"]["mode"]=="celery", h' "$health"
check "plain HTTP is sent to HTTPS" \
  bash -c "curl -s -o /dev/null -w '%{http_code} %{redirect_url}' http://127.0.0.1:$HTTP_PORT/admin/ | grep -q '^301 https://'"
# Headers go to a file first and are read afterwards: "curl | tee | grep -q" would race (grep -q
# quits at its first match, tee dies of SIGPIPE before the file is whole).
curl -sk -D "$TMP/login.txt" -o "$TMP/login.html" "$SITE/admin/login/"
check "login page through nginx, with a request id" \
  bash -c "grep -q '^HTTP/1.1 200' $TMP/login.txt && grep -qi '^x-request-id: [0-9a-f]\{32\}' $TMP/login.txt && grep -q '登录' $TMP/login.html"
css=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["paths"]["admin/css/base.css"])' "$STATIC/staticfiles.json")
curl -sk -D "$TMP/static.txt" -o /dev/null -H 'Accept-Encoding: gzip' "$SITE/static/$css"
check "hashed static file served by nginx, gzip, cached for a year ($css)" \
  bash -c "grep -q '^HTTP/1.1 200' $TMP/static.txt && grep -qi '^content-encoding: gzip' $TMP/static.txt && grep -qi 'immutable' $TMP/static.txt"
echo "%PDF-smoke" > "$TMP/media/probe.pdf"
check "media folder not public" \
  bash -c "[ \"\$(curl -sk -o /dev/null -w '%{http_code}' '$SITE/media/probe.pdf')\" = 302 ] && [ \"\$(curl -sk -o /dev/null -w '%{http_code}' '$SITE/protected-media/probe.pdf')\" = 404 ]"
check "JSON log lines with request ids on the app servers" \
  bash -c "grep -h '\"logger\": \"zhiku.request\"' $TMP/app-*.log | head -1 | $PY -c 'import json,sys; line=json.loads(sys.stdin.readline()); assert len(line[\"request_id\"]) == 32 and line[\"status\"] == 200, line'"

# --- the workflow across both app servers ---------------------------------------------------------
read -r SMOKE_ISSUE_ID SMOKE_ARTICLE_ID < <("$PY" manage.py shell -c "from briefs.models import Issue
i = Issue.objects.filter(status='draft', articles__title='深圳五大举措厚植新质生产力').first()
print(i.pk, i.articles.order_by('position', 'id').first().pk)" | tail -n 1)
export SMOKE_ISSUE_ID SMOKE_ARTICLE_ID
export SMOKE_APP_A=http://127.0.0.1:$APP1 SMOKE_APP_B=http://127.0.0.1:$APP2 SMOKE_SITE=$SITE
"$PY" -m pytest -q -c deploy/smoke/pytest.ini --rootdir deploy/smoke deploy/smoke
echo "deploy smoke: all checks passed"
