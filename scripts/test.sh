#!/usr/bin/env bash
# Every test: type-check, lint, build, unit tests, then the real-VS-Code tests in code-server.
# Installs what it needs when missing (npm packages; Chromium, Node 24 and code-server via
# scripts/provision.sh into ~/.cache/socket-lab) and reuses it when present.
set -uo pipefail
cd "$(dirname "$0")/.."

failed=()
step() {
  local name=$1; shift
  echo
  echo "== $name"
  local t0=$SECONDS
  if "$@"; then echo "== $name: ok ($((SECONDS - t0)) s)"; else echo "== $name: FAILED ($((SECONDS - t0)) s)"; failed+=("$name"); fi
}

counts=$(mktemp)
export SOCKET_LAB_COUNTS=$counts
trap 'rm -f "$counts"' EXIT

step "install dependencies" bash scripts/ensure-deps.sh || true
if [ ${#failed[@]} -gt 0 ]; then echo "tests: 0 passed, 1 failed"; exit 1; fi
step "type-check" bash -c 'npx --no-install tsc --noEmit -p tsconfig.json && npx --no-install tsc --noEmit -p tsconfig.node.json && npx --no-install tsc --noEmit -p src/webview/tsconfig.json'
step "lint" npm run --silent lint
step "build" node esbuild.js
step "python tracer tests (unittest)" bash -c 'command -v python3 >/dev/null || bash scripts/provision.sh >/dev/null; python3 -W ignore::ResourceWarning python/tests/run.py'
step "unit tests" npx --no-install mocha --config test/unit/.mocharc.json
step "provision code-server + chromium" bash -c 'bash scripts/provision.sh >/dev/null'
step "extension-host tests (code-server, @vscode/test-electron convention)" node --import tsx scripts/host-tests.ts
step "real VS Code tests (code-server + Playwright)" npx --no-install mocha --config test/e2e/.mocharc.json

passed=$(awk '{p += $2} END {print p + 0}' "$counts")
failures=$(awk '{f += $3} END {print f + 0}' "$counts")
skipped=$(awk '{s += $4} END {print s + 0}' "$counts")
echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed steps: ${failed[*]}"
  [ "$failures" -eq 0 ] && failures=${#failed[@]}
fi
echo "tests: $passed passed, $failures failed, $skipped skipped"
[ ${#failed[@]} -eq 0 ]
