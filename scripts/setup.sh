#!/usr/bin/env bash
# One command to set up a fresh machine: the project's virtualenv (.venv) with bbws-scaffold
# and its test dependencies, then the external tools the pipeline gate runs (.tools/).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
# The generated repos' hash-locked runtime dependency, as wheels: the test that installs a generated
# repo's runtime with the package index disabled takes them from here.
.venv/bin/python -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
  --require-hashes --requirement blueprints/_shared/requirements-runtime.txt --dest .tools/runtime-wheels
if [ -f scripts/install-gate-tools.sh ]; then
  bash scripts/install-gate-tools.sh
fi
echo "setup done: run .venv/bin/bbws-scaffold --help"
