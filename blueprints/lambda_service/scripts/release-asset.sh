#!/usr/bin/env bash
# Download a release's deployment package to dist/lambda.zip, check it against the release's
# lambda.zip.sha256 asset, and output the commit the release tag points at (the version the
# lower environment recorded; bbws-runtime compares the package's digest with that record).
# Usage: GH_TOKEN=<token> scripts/release-asset.sh vX.Y.Z
set -euo pipefail

tag="${1:?usage: scripts/release-asset.sh vX.Y.Z}"
if ! [[ "${tag}" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "not a release version (expected vX.Y.Z)" >&2
  exit 1
fi
cd "$(dirname "$0")/.."
rm -rf dist
mkdir -p dist
gh release download "${tag}" --pattern lambda.zip --pattern lambda.zip.sha256 --dir dist
(cd dist && sha256sum --check --strict lambda.zip.sha256)
commit="$(git rev-parse "${tag}^{commit}")"
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "commit=${commit}" >>"${GITHUB_OUTPUT}"
fi
echo "${commit}"
