#!/usr/bin/env bash
# Runs every test (unit, integration with the real kernel, end-to-end in Chromium).
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
mkdir -p test-output
start=$(date +%s)
npx vitest run --reporter=default --reporter=json --outputFile.json=test-output/vitest.json "$@"
rc=$?
node -e '
const r = require("./test-output/vitest.json");
const failed = r.numFailedTests, passed = r.numPassedTests, skipped = r.numPendingTests + r.numTodoTests;
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || true
echo "test suite time: $(( $(date +%s) - start )) s"
exit $rc
