#!/usr/bin/env bash
# `make run`: our own Redis (a password, a Unix socket) unless REDIS_URL is set, migrations, the arq worker
# and the Reflex app in production mode on one port. Ctrl-C stops everything this script started.
set -euo pipefail
source "$(dirname "$0")/env.sh"
source "$(dirname "$0")/redis_up.sh"
cd "$ROOT"

PORT="${PORT:-3000}"
export APP_URL="${APP_URL:-http://localhost:$PORT}"
mkdir -p "${DATA_DIR:-data}"
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

redis_up

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
