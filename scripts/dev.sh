#!/usr/bin/env bash
# `make dev`: like `make run` but with Reflex's hot-reloading dev server (pages on :3000, API on :8000).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
python scripts/redis_check.py "$REDIS_URL" || { echo "Start Redis first (make run starts one for you)." >&2; exit 1; }
alembic upgrade head
arq agent.worker.WorkerSettings --watch agent &
trap 'kill $! 2>/dev/null' EXIT
reflex run
