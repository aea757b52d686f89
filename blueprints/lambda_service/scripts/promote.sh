#!/usr/bin/env bash
# Promote VERSION (a commit sha) from one environment to the next. The runtime refuses unless the
# lower environment recorded a successful deployment of the same package (same sha256).
# Usage: VERSION=<sha> scripts/promote.sh <from> <to> [--no-shift]
set -euo pipefail

from_env="${1:?usage: scripts/promote.sh <from> <to> [--no-shift]}"
to_env="${2:?usage: scripts/promote.sh <from> <to> [--no-shift]}"
shift 2
: "${VERSION:?VERSION (the commit sha to promote) is required}"
cd "$(dirname "$0")/.."
# the deployed commit's time, recorded for the lead-time metric (`bbws-runtime metrics`)
export BBWS_COMMIT_TIME="${BBWS_COMMIT_TIME:-$(git log -1 --format=%cI HEAD 2>/dev/null || true)}"
test -f dist/lambda.zip || scripts/package.sh
exec python -m bbws_scaffold.runtime promote --from "${from_env}" --to "${to_env}" --version "${VERSION}" "$@"
