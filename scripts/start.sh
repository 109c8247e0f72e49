#!/usr/bin/env bash
# Runs the product: installs what is missing, builds, starts code-server on 127.0.0.1.
# Usage: npm start [-- --port 8080]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
node esbuild.js
exec node --import tsx scripts/start.ts "$@"
