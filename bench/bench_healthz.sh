#!/usr/bin/env bash
# Baseline throughput of the stack: /healthz (one database query) under gunicorn on PostgreSQL.
# Needs wrk (apt-get install wrk) and the local PostgreSQL. Results go in docs/performance.md.
#   bash bench/bench_healthz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8077}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/coachprog_bench}
export SECRET_KEY=bench-only-secret-key-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
export ALLOWED_HOSTS=127.0.0.1 LOG_LEVEL=WARNING
# Production settings over plain HTTP on 127.0.0.1: the web app needs a broker (or to be told to
# run tasks in-process) and must not redirect the benchmark to HTTPS.
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0} SECURE_SSL_REDIRECT=false
createdb --host 127.0.0.1 --username postgres coachprog_bench 2>/dev/null || true
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/gunicorn coachprog.wsgi --bind 127.0.0.1:$PORT --workers 2 --no-control-socket \
    --log-level warning &
GUNICORN=$!
trap 'kill $GUNICORN; wait $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.2; done
wrk --threads 2 --connections 16 --duration 5s http://127.0.0.1:$PORT/healthz >/dev/null  # warm-up
wrk --threads 2 --connections 16 --duration 15s --latency http://127.0.0.1:$PORT/healthz
