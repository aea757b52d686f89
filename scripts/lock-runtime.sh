#!/usr/bin/env bash
# Re-lock the generated repos' runtime dependency (boto3 at bbws_scaffold.plan.answers.RUNTIME_BOTO3
# and what it needs) with sha256 hashes, using pip-tools in a throwaway virtualenv.
#   bash scripts/lock-runtime.sh     # rewrites blueprints/_shared/requirements-runtime.txt
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
boto3="$(sed -n 's/^RUNTIME_BOTO3 = "\(.*\)"$/\1/p' bbws_scaffold/plan/answers.py)"
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
"${PYTHON}" -m venv "${work}/venv"
"${work}/venv/bin/python" -m pip install --quiet --disable-pip-version-check pip-tools
echo "boto3==${boto3}" >"${work}/runtime.in"
"${work}/venv/bin/pip-compile" --quiet --generate-hashes --strip-extras --no-header --no-emit-index-url \
  --no-emit-find-links --output-file "${work}/runtime.txt" "${work}/runtime.in"
out=blueprints/_shared/requirements-runtime.txt
{
  echo "# The runtime's only dependency (boto3), locked with hashes: scripts/install-runtime.sh installs"
  echo "# exactly these files (pip --require-hashes). Regenerate with scripts/lock-runtime.sh."
  sed "s#-r ${work}/runtime.in#boto3 pin (bbws_scaffold.plan.answers.RUNTIME_BOTO3)#" "${work}/runtime.txt" | sed '/^$/d'
} >"${out}"
echo "wrote ${out} (boto3 ${boto3})"
