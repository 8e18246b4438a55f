#!/usr/bin/env node
// `npm run test:faults`: the integration and fault suites (fault injection, storms, fuzzing) with
// reporting on, then the secrets check over everything those runs could show a user, and one
// summary line. Exits non-zero when a test failed or a figure that must be 0 is not.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { findLeaks, PIECE } = require('../test/harness/secrets');

const root = path.resolve(__dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tilled-faults-'));
const reportFile = path.join(work, 'report.jsonl');
// Kept for npm test's closing line when it asks (JEST_RESULTS_DIR), else thrown away.
const resultsFile = path.join(process.env.JEST_RESULTS_DIR ?? work, 'faults.json');
fs.writeFileSync(reportFile, '');

const jest = spawnSync(
	process.execPath,
	[require.resolve('jest/bin/jest'), '--selectProjects', 'integration', 'faults', '--json', '--outputFile', resultsFile, ...process.argv.slice(2)],
	{ cwd: root, stdio: 'inherit', env: { ...process.env, TILLED_TEST_REPORT: reportFile } },
);

const records = fs.readFileSync(reportFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
const sum = (key) => records.filter((r) => r.type === 'figures').reduce((total, r) => total + (r[key] ?? 0), 0);
const results = fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')) : undefined;
const faultScenarios = (results?.testResults ?? [])
	.filter((file) => file.name.includes(`${path.sep}test${path.sep}faults${path.sep}`))
	.flatMap((file) => file.assertionResults)
	.filter((test) => test.status === 'passed').length;

// Every key a run used, looked for in everything those runs could show a user.
const secrets = [...new Set(records.filter((r) => r.type === 'secret').map((r) => r.value))].filter((s) => s.length >= PIECE);
const exposures = records.filter((r) => r.type === 'exposure');
const leaks = findLeaks(secrets, exposures);

const figures = {
	faultsInjected: sum('faultsInjected'),
	runsCorrect: faultScenarios + sum('runsCorrect'),
	sessionsDuplicated: sum('sessionsDuplicated'),
	refundsDuplicated: sum('refundsDuplicated'),
	itemsLost: sum('itemsLost'),
	fuzzCases: sum('fuzzCases'),
	invalidRequests: sum('invalidRequests'),
	secretLeaks: leaks.length,
	webhookDeliveriesFuzzed: sum('webhookDeliveriesFuzzed'),
	unsignedRuns: sum('unsignedRuns'),
	webhookCrashes: sum('webhookCrashes'),
	burstPayments: sum('burstPayments'),
	burstRuns: sum('burstRuns'),
	burstLost: sum('burstLost'),
	burstDuplicated: sum('burstDuplicated'),
};
for (const leak of leaks.slice(0, 20)) console.error(`secret leak: ${leak}`);
console.log(
	`faults: ${figures.faultsInjected} faults injected, ${figures.runsCorrect} runs completed correctly, ` +
		`${figures.sessionsDuplicated} sessions duplicated, ${figures.refundsDuplicated} refunds duplicated, ${figures.itemsLost} items lost, ` +
		`${figures.fuzzCases} fuzz cases tried, ${figures.invalidRequests} invalid requests sent, ` +
		`${figures.secretLeaks} secret leaks (${exposures.length} runs checked for ${secrets.length} keys), ` +
		`${figures.webhookDeliveriesFuzzed.toLocaleString('en')} webhook deliveries fuzzed, ${figures.unsignedRuns} runs from unsigned input, ` +
		`${figures.webhookCrashes} webhook crashes, ${figures.burstPayments.toLocaleString('en')} burst payments: ` +
		`${figures.burstRuns.toLocaleString('en')} runs, ${figures.burstLost} lost, ${figures.burstDuplicated} run twice`,
);

const problems = [];
if (jest.status !== 0) problems.push('a test failed');
for (const key of ['sessionsDuplicated', 'refundsDuplicated', 'itemsLost', 'invalidRequests', 'secretLeaks', 'unsignedRuns', 'webhookCrashes', 'burstLost', 'burstDuplicated']) {
	if (figures[key] !== 0) problems.push(`${key} is ${figures[key]}`);
}
// The scale the suite promises (docs/reliability.md), when it runs whole at its own settings.
const wholeRun = process.argv.length === 2 && process.env.FUZZ_RUNS === undefined && process.env.WEBHOOK_FUZZ_RUNS === undefined;
if (wholeRun && figures.faultsInjected < 1000) problems.push(`only ${figures.faultsInjected} faults injected (at least 1,000 expected)`);
if (wholeRun && figures.fuzzCases < 10000) problems.push(`only ${figures.fuzzCases} fuzz cases (at least 10,000 expected)`);
if (wholeRun && figures.webhookDeliveriesFuzzed < 10000) problems.push(`only ${figures.webhookDeliveriesFuzzed} webhook deliveries fuzzed (at least 10,000 expected)`);
if (wholeRun && figures.burstPayments < 1000) problems.push(`only ${figures.burstPayments} burst payments (1,000 expected)`);
// The check itself must have looked at something.
if (figures.faultsInjected === 0 || figures.fuzzCases === 0 || exposures.length === 0 || secrets.length === 0) {
	problems.push('nothing was measured');
}
fs.rmSync(work, { recursive: true, force: true });
if (problems.length) {
	console.error(`test:faults failed: ${problems.join('; ')}`);
	process.exit(1);
}
