#!/usr/bin/env bash
# `make test`: the whole suite. Tests start their own redis-server on a free port and their own
# databases; PostgreSQL is included when TEST_POSTGRES_URL is set or a server answers on 5432.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
exec python -m pytest "$@"
