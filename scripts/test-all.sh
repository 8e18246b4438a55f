#!/usr/bin/env bash
# `npm test`: every check, in order of cost. CI (.ci/run) runs exactly this after `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/.."

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
export JEST_RESULTS_DIR="$results"
step() { printf '\n=== %s\n' "$*"; }

step "lint (n8n community rules)"
npm run --silent lint
step "typecheck (node, credential, tests)"
npm run --silent typecheck
step "build"
npm run --silent build >/dev/null
step "unit tests"
npx jest --selectProjects unit --json --outputFile "$results/unit.json"
step "integration, fault injection, fuzzing, secrets"
node scripts/test-faults.js
step "npm start, as a user runs it (on an empty cache this installs n8n: minutes)"
npx jest --selectProjects start --json --outputFile "$results/start.json"
step "end-to-end in real n8n (n8n latest on Node 24, n8n 1.x on Node 20)"
npx jest --selectProjects e2e --maxWorkers=2 --json --outputFile "$results/e2e.json"
step "as an AI agent's tool: n8n's MCP Server Trigger and a real MCP client (n8n latest and 1.x)"
npx jest --selectProjects agent --maxWorkers=2 --json --outputFile "$results/agent.json"
step "queue mode: Redis, PostgreSQL, main, two workers, two webhook processes (n8n latest, then 1.x)"
npx jest --selectProjects queue --runInBand --json --outputFile "$results/queue.json"
step "editor in a real browser"
npm run --silent test:browser -- --json --outputFile "$results/browser.json"

# One closing line over every jest run above.
node -e '
const fs = require("fs"), path = require("path");
let passed = 0, failed = 0;
for (const f of fs.readdirSync(process.argv[1])) {
  const r = JSON.parse(fs.readFileSync(path.join(process.argv[1], f), "utf8"));
  passed += r.numPassedTests; failed += r.numFailedTests;
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
' "$results"
