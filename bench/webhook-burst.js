#!/usr/bin/env node
'use strict';

/**
 * `node bench/webhook-burst.js [--payments 1000] [--rate-limit 100] [--n8n latest|v1] [--sender-timeout 10]`: a burst of
 * payments into one real n8n (`n8n start`), delivered within about a second, and the time until
 * the last one has run, against n8n's own Webhook node taking the same event bodies (the floor).
 *
 * - Tilled Trigger: the fake Tilled pays every session at once and delivers each signed event to
 *   the trigger's endpoint, retrying non-2xx answers (1 s, 2 s, 4 s … apart); the session lookups
 *   are limited to --rate-limit a second at the fake (429 with Retry-After beyond).
 *   --sender-timeout (seconds) is how long the sender waits for an answer before it retries.
 * - Floor: the same event bodies POSTed at once to a Webhook node (Respond: Immediately), by a
 *   sender that waits for every answer (no timeout, no retry: it has no deduplication).
 * Both workflows end with an HTTP Request to a local "shop"; a run counts when the shop hears it.
 * Prints a Markdown table with the ratio; it is a measurement, not a test (nothing is asserted
 * but that every payment ran exactly once).
 */

const crypto = require('node:crypto');
const n8n = require('../scripts/lib/n8n');
const { startFakeTilled } = require('../test/fake-tilled/server');
const { startShop } = require('../test/e2e/trigger-suite');
const { startInstance } = require('./lib/instance');
const { log, sleep } = require('./lib/util');

function parseArgs(argv) {
	const options = { payments: 1000, rateLimit: 100, n8n: 'latest', senderTimeout: 10 };
	for (let i = 0; i < argv.length; i++) {
		const [name, inline] = argv[i].split(/=(.*)/s, 2);
		const value = () => inline ?? argv[++i];
		if (name === '--payments') options.payments = Number(value());
		else if (name === '--rate-limit') options.rateLimit = Number(value());
		else if (name === '--n8n') options.n8n = String(value());
		else if (name === '--sender-timeout') options.senderTimeout = Number(value());
		else throw new Error(`unknown option ${name}`);
	}
	return options;
}

const node = (name, type, typeVersion, parameters, extra = {}) => ({ id: crypto.randomUUID(), name, type, typeVersion, position: [0, 0], parameters, ...extra });

/** start → HTTP Request POST to the shop at `<shop>/<prefix>/<event id>`. */
function workflow(name, start, shopUrl, prefix, idExpression) {
	const mark = node('Mark paid', 'n8n-nodes-base.httpRequest', 4.2, {
		method: 'POST',
		url: `=${shopUrl}/${prefix}/{{ ${idExpression} }}`,
		options: {},
	});
	mark.position = [240, 0];
	return {
		name,
		nodes: [start, mark],
		connections: { [start.name]: { main: [[{ node: mark.name, type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1', saveDataSuccessExecution: 'none', saveDataErrorExecution: 'all', saveManualExecutions: false },
		active: false,
	};
}

async function until(check, what, deadlineMs) {
	const started = Date.now();
	while (!(await check())) {
		if (Date.now() - started > deadlineMs) throw new Error(`still waiting for ${what} after ${deadlineMs} ms`);
		await sleep(50);
	}
}

async function main() {
	const options = parseArgs(process.argv.slice(2));
	const apiKey = `sk_test_bench_${crypto.randomBytes(8).toString('hex')}`;
	const accountId = 'acct_bench_burst';
	const installation = await n8n.installation(options.n8n);
	const tarball = await n8n.packTarball();
	const fake = await startFakeTilled({ apiKey, accountId });
	const shop = await startShop();
	const instance = await startInstance({ installation, tarball, env: {} });
	try {
		const credential = await instance.createCredential('Tilled (fake)', 'tilledApi', { accountId, apiKey, environment: 'custom', baseUrl: fake.url });
		const triggerNode = node('Tilled Trigger', 'n8n-nodes-tilled.tilledTrigger', 1, { events: ['payment_intent.succeeded'], options: {} }, {
			webhookId: crypto.randomUUID(),
			credentials: { tilledApi: credential },
		});
		const floorPath = `burst-floor-${crypto.randomBytes(4).toString('hex')}`;
		const webhookNode = node('Webhook', 'n8n-nodes-base.webhook', 2, { httpMethod: 'POST', path: floorPath, responseMode: 'onReceived', options: {} }, { webhookId: crypto.randomUUID() });
		const triggerId = await instance.deploy(workflow('Burst: Tilled Trigger', triggerNode, shop.url, 'tilled', '$json.id'));
		await instance.deploy(workflow('Burst: Webhook (floor)', webhookNode, shop.url, 'floor', '$json.body.id'));
		await until(() => fake.webhooks.endpoints().length > 0, 'the endpoint', 60_000);
		await until(
			async () => JSON.stringify((await instance.rest.request('GET', `/workflows/${triggerId}`)).data?.staticData ?? null).includes('webhookSecret'),
			'the signing secret',
			60_000,
		);
		const count = (prefix) => shop.marked.filter((mark) => mark.path.startsWith(`/${prefix}/`)).length;

		// Tilled Trigger: every session paid at once, lookups rate-limited at the fake.
		const sessions = fake.sessions.seedSessions(options.payments);
		fake.setRateLimit(options.rateLimit);
		fake.webhooks.setDeliveryOptions({ retries: 12, retryDelayMs: 1000, timeoutMs: options.senderTimeout * 1000 });
		log(`Tilled Trigger: ${options.payments} payments at once, lookups limited to ${options.rateLimit}/s`);
		const triggerStart = performance.now();
		const paid = await Promise.all(sessions.map((session) => fake.webhooks.pay(session.id)));
		await until(() => count('tilled') >= options.payments, 'every Tilled Trigger run', 600_000);
		const triggerMs = performance.now() - triggerStart;
		fake.setRateLimit(undefined);
		const lookups = fake.requests.filter((r) => r.path === '/v1/checkout-sessions').length;
		const attempts = paid.reduce((total, { deliveries }) => total + deliveries[0].statuses.length, 0);
		const answers = {};
		for (const { deliveries } of paid) for (const status of deliveries[0].statuses) answers[status] = (answers[status] ?? 0) + 1;
		const mostAttempts = Math.max(...paid.map(({ deliveries }) => deliveries[0].statuses.length));

		// Floor: the same event bodies into n8n's Webhook node, all at once.
		log(`Webhook node: the same ${options.payments} events at once`);
		const floorStart = performance.now();
		const floorAnswers = await Promise.all(
			paid.map(({ event }) =>
				fetch(`${instance.server.url}/webhook/${floorPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) }).then(
					async (response) => (await response.text(), response.status),
				),
			),
		);
		await until(() => count('floor') >= options.payments, 'every Webhook node run', 600_000);
		const floorMs = performance.now() - floorStart;

		const ran = new Set(shop.marked.filter((mark) => mark.path.startsWith('/tilled/')).map((mark) => mark.path));
		const problems = [];
		if (ran.size !== options.payments || count('tilled') !== options.payments) problems.push(`Tilled Trigger: ${count('tilled')} runs for ${ran.size} of ${options.payments} events`);
		if (floorAnswers.some((status) => status !== 200)) problems.push('the Webhook node refused some deliveries');
		const seconds = (ms) => (ms / 1000).toFixed(1);
		process.stdout.write(
			`\n| n8n ${installation.version}, ${options.payments} payments, lookups ≤ ${options.rateLimit}/s, sender timeout ${options.senderTimeout} s | last run after | ratio |\n| --- | --- | --- |\n` +
				`| Webhook node (floor) | ${seconds(floorMs)} s | 1.00 |\n` +
				`| Tilled Trigger | ${seconds(triggerMs)} s | ${(triggerMs / floorMs).toFixed(2)} |\n\n` +
				`Tilled Trigger: ${lookups} session lookups (${fake.rateLimited()} answered 429), ${attempts} delivery attempts ` +
				`(answers: ${Object.entries(answers).map(([status, n]) => `${status} × ${n}`).join(', ')}; at most ${mostAttempts} for one payment), ` +
				`${ran.size} payments run once each; the lookups alone need at least ${seconds((options.payments / options.rateLimit) * 1000)} s at ${options.rateLimit}/s.\n`,
		);
		if (problems.length) throw new Error(problems.join('; '));
	} finally {
		await instance.stop();
		shop.close();
		await fake.close();
		n8n.removePackDirs();
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
