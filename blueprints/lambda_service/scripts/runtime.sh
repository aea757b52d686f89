#!/usr/bin/env bash
# Run a bbws-runtime operation from the repository root (it reads deploy/environments.json and
# deploy/service.json). Usage: scripts/runtime.sh <command> [options]; see --help.
set -euo pipefail

cd "$(dirname "$0")/.."
exec python -m bbws_scaffold.runtime "$@"
