#!/usr/bin/env bash
# `make dev`: like `make run` but with Reflex's hot-reloading dev server (pages on :3000, API on :8000).
set -euo pipefail
source "$(dirname "$0")/env.sh"
source "$(dirname "$0")/redis_up.sh"
cd "$ROOT"
say() { printf '\033[1;35m==>\033[0m %s\n' "$*"; }
pids=()
trap 'kill "${pids[@]}" 2>/dev/null' EXIT
redis_up
alembic upgrade head
arq agent.worker.WorkerSettings --watch agent &
pids+=($!)
reflex run
