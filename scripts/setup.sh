#!/usr/bin/env bash
# Prepare everything `make run` and `make test` need, idempotently:
#   .venv with the pinned requirements, Node >= 22 (from npm into .tools/ when the system's is older),
#   redis-server, bubblewrap (the local sandbox: without it builds are switched off) and Chromium
#   (screenshots, and the browser tests) — installing with apt only when missing and root.
# Usage: scripts/setup.sh run|test
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
mode="${1:-run}"

say() { printf '\033[1;35m==>\033[0m %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }

apt_install() {
  if [ "$(id -u)" != 0 ] || ! have apt-get; then
    return 1
  fi
  say "Installing $* with apt"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1 || {
    apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >/dev/null
  }
}

# --- Python -----------------------------------------------------------------------------------
PY="${PYTHON:-python3.11}"
have "$PY" || PY=python3
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "Python 3.11 or newer is needed (found $("$PY" --version 2>&1))." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  say "Creating .venv"
  "$PY" -m venv .venv
fi
reqs=requirements.txt
[ "$mode" = test ] && reqs=requirements-test.txt
stamp=".venv/.installed-$(cat requirements.txt "$reqs" | sha256sum | cut -c1-16)-$mode"
if [ ! -f "$stamp" ]; then
  say "Installing Python packages from $reqs"
  .venv/bin/pip install --disable-pip-version-check -q -r "$reqs" 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/pip check >/dev/null
  touch "$stamp"
fi

# --- the web stack generated apps are built on (agent/appstack), for the sandbox -------------------
stack="${APP_STACK_DIR:-$ROOT/.tools/appstack}"
stack_stamp="$stack/.installed-$(sha256sum agent/appstack/requirements.txt | cut -c1-16)"
if [ ! -f "$stack_stamp" ]; then
  say "Installing the generated apps' web stack into ${stack#$ROOT/}"
  rm -rf "$stack"
  .venv/bin/pip install --disable-pip-version-check -q --no-compile --target "$stack" \
    -r agent/appstack/requirements.txt 2>&1 | grep -v "^WARNING: Location" || true
  touch "$stack_stamp"
fi

# --- Node >= 22 for Reflex ---------------------------------------------------------------------
node_major() { "$1" -e 'process.stdout.write(String(process.versions.node.split(".")[0]))' 2>/dev/null || echo 0; }
if [ ! -x .tools/node_modules/.bin/node ] || [ "$(node_major .tools/node_modules/.bin/node)" -lt 22 ]; then
  if have node && [ "$(node_major node)" -ge 22 ]; then
    :  # the system Node is new enough
  else
    have npm || apt_install npm || { echo "npm is needed to install Node 22 (apt-get install npm)." >&2; exit 1; }
    say "Installing Node 22 into .tools/ (the system Node is older than 22)"
    npm install --prefix .tools --no-audit --no-fund --loglevel=error node@22 >/dev/null
  fi
fi

# --- Redis -------------------------------------------------------------------------------------
have redis-server || apt_install redis-server || { echo "redis-server is needed (apt-get install redis-server)." >&2; exit 1; }

# --- bubblewrap (the sandbox) and Chromium (screenshots, browser tests) ----------------------------
if ! have bwrap && ! apt_install bubblewrap; then
  echo "bubblewrap could not be installed (apt-get install bubblewrap): builds will be switched off," >&2
  echo "since agent-written code never runs unconfined (SANDBOX=unconfined does, for development only)." >&2
fi
if [ ! -x /usr/bin/chromium ] && ! apt_install chromium fonts-liberation; then
  if [ "$mode" = test ]; then echo "Chromium could not be installed: browser tests will say so." >&2
  else echo "Chromium could not be installed: builds will have no screenshots." >&2; fi
fi
say "Environment ready"
