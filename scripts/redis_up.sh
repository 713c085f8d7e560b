# Sourced by run.sh and dev.sh: make REDIS_URL answer. Unset, it is our own Redis (scripts/local_redis.py:
# a password made once in $DATA_DIR/redis/password, a Unix socket, no TCP port), started here when it is
# not already running; its pid is added to `pids` so the caller stops it. Set, it must answer.
redis_up() {
  local dir="${DATA_DIR:-data}/redis"
  if [ -z "${REDIS_URL:-}" ]; then
    REDIS_URL="$(python scripts/local_redis.py "$dir" --persist)"
    export REDIS_URL
    if ! python scripts/redis_check.py "$REDIS_URL"; then
      say "Starting redis-server (data and password in $dir)"
      redis-server "$dir/redis.conf" &
      pids+=($!)
      for _ in $(seq 50); do python scripts/redis_check.py "$REDIS_URL" && break; sleep 0.1; done
      python scripts/redis_check.py "$REDIS_URL" || { echo "redis-server did not start; see $dir/redis.log" >&2; exit 1; }
    fi
  elif ! python scripts/redis_check.py "$REDIS_URL"; then
    echo "Redis at REDIS_URL does not answer (or refused the password); start it or fix REDIS_URL." >&2
    exit 1
  fi
}
