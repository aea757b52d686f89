#!/usr/bin/env bash
# Render every example and corpus LLD (and the WordPress image) into OUT/<name>, through the
# CLI, so two renders of the same tree can be compared byte for byte:
#   bash scripts/render_all.sh /tmp/before && (after a change) bash scripts/render_all.sh /tmp/after
#   diff -r /tmp/before /tmp/after && echo identical
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:?usage: render_all.sh OUT_DIR}"
# python -m runs the checkout's own code (a worktree's too), whatever the venv installed
bin="${BBWS_PYTHON:-.venv/bin/python} -m bbws_scaffold"
rm -rf "$out" && mkdir -p "$out"
corpus="${BBWS_LLD_CORPUS:-../shared/lld_corpus}"
for lld in examples/*/*_LLD_*.md "$corpus"/*_LLD_*.md; do
  [ -f "$lld" ] || continue
  name=$(basename "$lld" .md)
  # diagnostics name the corpus as "corpus/", wherever it was read from
  $bin new --lld "$lld" --output "$out/$name" 2>&1 >/dev/null | sed "s#^$corpus/#corpus/#" >"$out/$name.stderr"
  $bin lld parse --json "$lld" >"$out/$name.spec.json" 2>/dev/null
done
$bin new --blueprint wordpress_image --output "$out/wordpress_image" >/dev/null 2>"$out/wordpress_image.stderr"
echo "rendered $(find "$out" -type f | wc -l) files into $out"
