#!/usr/bin/env bash
# `make run`: Redis (started here when none answers), migrations, the arq worker and the Reflex app
# in production mode on one port. Ctrl-C stops everything this script started.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

PORT="${PORT:-3000}"
export APP_URL="${APP_URL:-http://localhost:$PORT}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
mkdir -p data
pids=()

say() { printf '\033[1;35m==>\033[0m %s\n' "$*"; }
cleanup() {
  trap - EXIT INT TERM
  say "Stopping"
  for pid in "${pids[@]}"; do
    pkill -TERM -P "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'cleanup; exit 0' INT TERM

if ! python scripts/redis_check.py "$REDIS_URL"; then
  read -r host port < <(python scripts/redis_check.py --where "$REDIS_URL")
  case "$host" in
    127.0.0.1|localhost|::1) ;;
    *) echo "Redis at $REDIS_URL does not answer; start it or fix REDIS_URL." >&2; exit 1 ;;
  esac
  say "Starting redis-server on $host:$port (data in data/redis)"
  mkdir -p data/redis
  redis-server --bind 127.0.0.1 --port "$port" --dir "$ROOT/data/redis" --appendonly yes \
    --save "" --logfile "$ROOT/data/redis/redis.log" &
  pids+=($!)
  for _ in $(seq 50); do python scripts/redis_check.py "$REDIS_URL" && break; sleep 0.1; done
  python scripts/redis_check.py "$REDIS_URL" || { echo "redis-server did not start; see data/redis/redis.log" >&2; exit 1; }
fi

say "Applying database migrations"
alembic upgrade head

say "Starting the worker"
arq agent.worker.WorkerSettings &
pids+=($!)

say "Building and starting the web app (the first build takes a minute or two)"
reflex run --env prod --single-port --frontend-port "$PORT" --loglevel warning &
pids+=($!)

for _ in $(seq 600); do
  if python - "$PORT" <<'PY' 2>/dev/null
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/api/health", timeout=1)
PY
  then
    say "AI Co-Founder is running at $APP_URL  (Ctrl-C to stop)"
    break
  fi
  kill -0 "${pids[-1]}" 2>/dev/null || { echo "The web app stopped; see the output above." >&2; exit 1; }
  sleep 1
done
wait -n "${pids[@]}"
