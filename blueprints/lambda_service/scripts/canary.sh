#!/usr/bin/env bash
# Shift `live` onto VERSION in steps (10 -> 25 -> 50 -> 100 %), watching the service's alarms;
# on ALARM everything goes back to the previous version and the script fails.
# Usage: VERSION=<sha> scripts/canary.sh <env> [--wait SECONDS] [--steps 10,25,50,100]
set -euo pipefail

env_name="${1:?usage: scripts/canary.sh <env>}"
: "${VERSION:?VERSION (the commit sha being released) is required}"
cd "$(dirname "$0")/.."
shift
exec python -m bbws_scaffold.runtime canary --env "${env_name}" --version "${VERSION}" "$@"
