#!/usr/bin/env bash
# Show the environment's deployments, then move `live` back: to TARGET_VERSION if set, else to
# the deployment before the current one. Usage: [TARGET_VERSION=<sha>] scripts/rollback.sh <env>
set -euo pipefail

env_name="${1:?usage: scripts/rollback.sh <env>}"
cd "$(dirname "$0")/.."
python -m bbws_scaffold.runtime rollback --env "${env_name}" --list
if [ -n "${TARGET_VERSION:-}" ]; then
  exec python -m bbws_scaffold.runtime rollback --env "${env_name}" --to "${TARGET_VERSION}"
fi
exec python -m bbws_scaffold.runtime rollback --env "${env_name}"
