#!/usr/bin/env bash
# Deploy this commit to the first environment: terraform plan to a file and apply exactly that
# plan, publish a version of every function, move `live` to it, record the deployment.
# Usage: scripts/deploy.sh <env>
set -euo pipefail

env_name="${1:?usage: scripts/deploy.sh <env>}"
cd "$(dirname "$0")/.."
# the deployed commit's time, recorded for the lead-time metric (`bbws-runtime metrics`)
export BBWS_COMMIT_TIME="${BBWS_COMMIT_TIME:-$(git log -1 --format=%cI HEAD 2>/dev/null || true)}"
test -f dist/lambda.zip || scripts/package.sh
exec python -m bbws_scaffold.runtime deploy --env "${env_name}"
