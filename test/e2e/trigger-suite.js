'use strict';

/**
 * End-to-end suite of the Tilled Trigger, run once per n8n version (trigger-latest.test.js,
 * trigger-v1.test.js): the packed package in a real `n8n start`, the workflow activated through
 * the REST API as the editor does, the fake Tilled paying sessions and delivering signed events
 * to n8n's production webhook URL. The workflow is examples/mark-order-paid.json itself (only the
 * shop URL and the credential replaced): Tilled Trigger, then an HTTP Request that marks the order
 * paid at a "shop" (a small server of this test), so every run shows as one request there carrying
 * what the example's expressions made of the event and its checkout session. The suite adds one
 * branch to it (workflowRefundingHalf): the Tilled node refunds half of each payment, the order ID
 * as Idempotency Key; the queue and polling suites use the example as it is.
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const n8n = require('../../scripts/lib/n8n');
const { startFakeTilled } = require('../fake-tilled/server');

/**
 * The shop the example marks orders paid at: records every request. With `holdUntilOpen: n` it
 * holds its first answers until n requests are open at once (then answers them all and holds no
 * more), so n runs must be under way together: in queue mode, more than one worker's share.
 */
function startShop({ holdUntilOpen = 0 } = {}) {
	const marked = [];
	let held = holdUntilOpen > 0 ? [] : undefined;
	const release = () => {
		const waiting = held ?? [];
		held = undefined;
		for (const answer of waiting) answer();
	};
	const server = http.createServer((req, res) => {
		let body = '';
		req.on('data', (chunk) => (body += chunk));
		req.on('end', () => {
			marked.push({ path: req.url, body: body ? JSON.parse(body) : undefined });
			const answer = () => {
				res.setHeader('content-type', 'application/json');
				res.end('{"ok":true}');
			};
			if (!held) return answer();
			held.push(answer);
			if (held.length >= holdUntilOpen) release();
		});
	});
	const close = () => {
		release();
		server.closeAllConnections();
		server.close();
	};
	return new Promise((resolve) =>
		server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}`, marked, close })),
	);
}

const EXAMPLE_FILE = path.join(__dirname, '..', '..', 'examples', 'mark-order-paid.json');
const EXAMPLE = JSON.parse(fs.readFileSync(EXAMPLE_FILE, 'utf8'));
/** n8n's production URL path is the trigger's webhookId, as the example has it. */
const WEBHOOK_ID = EXAMPLE.nodes.find((node) => node.type === 'n8n-nodes-tilled.tilledTrigger').webhookId;
const EXAMPLE_SHOP_URL = 'https://shop.example.com/api';

/**
 * The example workflow itself, changed only where a local run must differ: the shop's base URL
 * is this test's shop, the credential is this test's. Its expressions are run as they are.
 */
function workflow(credential, shopUrl) {
	const example = structuredClone(EXAMPLE);
	const markPaid = example.nodes.find((node) => node.type === 'n8n-nodes-base.httpRequest');
	if (!markPaid.parameters.url.includes(EXAMPLE_SHOP_URL)) throw new Error(`${EXAMPLE_FILE}: the shop URL is no longer ${EXAMPLE_SHOP_URL}`);
	markPaid.parameters.url = markPaid.parameters.url.replace(EXAMPLE_SHOP_URL, shopUrl);
	for (const node of example.nodes) if (node.credentials?.tilledApi) node.credentials.tilledApi = credential;
	return example;
}

/**
 * The example with a second branch after the trigger: the Tilled node refunds half of the payment
 * (Refund › Create, minor units), the order ID as Idempotency Key, so a second run for the same
 * order refunds nothing more.
 */
function workflowRefundingHalf(credential, shopUrl) {
	const example = workflow(credential, shopUrl);
	const trigger = example.nodes.find((node) => node.type === 'n8n-nodes-tilled.tilledTrigger');
	example.nodes.push({
		id: 'e2e-refund-half',
		name: 'Refund half',
		type: 'n8n-nodes-tilled.tilled',
		typeVersion: 1,
		position: [240, 200],
		parameters: {
			resource: 'refund',
			operation: 'create',
			paymentIntentId: { __rl: true, mode: 'id', value: '={{ $json.data.id }}' },
			amountFormat: 'minor',
			amount: '={{ Math.floor($json.data.amount_received / 2) }}',
			options: { idempotencyKey: '={{ $json.checkout_session.metadata.order_id }}' },
		},
		credentials: { tilledApi: credential },
	});
	example.connections[trigger.name].main[0].push({ node: 'Refund half', type: 'main', index: 0 });
	return example;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `check()` is truthy (a condition, not a timing assertion). */
async function until(check, what, deadlineMs = 60_000, explain = () => '') {
	const started = Date.now();
	for (;;) {
		const value = await check();
		if (value) return value;
		if (Date.now() - started > deadlineMs) throw new Error(`still waiting for ${what} after ${deadlineMs} ms ${explain()}`);
		await sleep(200);
	}
}

/**
 * A real `n8n start` with the packed package, the fake Tilled, the shop and a Tilled API
 * credential; `makeWorkflow(credential, shopUrl)` created and activated through the REST API as
 * the editor does. `beforeActivation()` runs just before activating. Registers beforeAll/afterAll;
 * the returned object holds what they started (and logs: n8n's output, for the secret checks).
 */
function useActiveWorkflow(label, { prefix, makeWorkflow, beforeActivation = async () => {} }) {
	const e2e = {
		apiKey: `sk_test_e2e_${crypto.randomBytes(12).toString('hex')}`,
		accountId: 'acct_e2e_trigger',
		logs: [],
		async boot(port) {
			e2e.server = await n8n.startN8n(installation, userFolder, { port });
			// n8n 2.x answers /rest/settings while still starting: retry the owner set-up a moment.
			e2e.rest = await until(() => n8n.setupOwner(e2e.server.url).catch(() => undefined), 'the owner login');
		},
		async stop() {
			if (!e2e.server) return;
			e2e.logs.push(e2e.server.logs());
			await e2e.server.stop();
			e2e.server = undefined;
		},
		async ok(response, what) {
			if (response.status !== 200) throw new Error(`${what}: HTTP ${response.status} ${response.text.slice(0, 500)}`);
			return response.data;
		},
		async executions() {
			const filter = encodeURIComponent(JSON.stringify({ workflowId: e2e.workflowId }));
			const data = await e2e.ok(await e2e.rest.request('GET', `/executions?filter=${filter}&limit=100`), 'listing executions');
			return data.results ?? data;
		},
	};
	let installation;
	let userFolder;

	beforeAll(async () => {
		installation = await n8n.installation(label);
		const tarball = await n8n.packTarball();
		userFolder = n8n.createUserFolder(prefix);
		await n8n.installPackage(userFolder, tarball, { installation });
		e2e.fake = await startFakeTilled({ apiKey: e2e.apiKey, accountId: e2e.accountId });
		e2e.fake.webhooks.setDeliveryOptions({ retries: 2, retryDelayMs: 100 });
		e2e.shop = await startShop();
		await e2e.boot();
		const credential = await e2e.ok(
			await e2e.rest.request('POST', '/credentials', {
				name: 'Tilled (fake)',
				type: 'tilledApi',
				data: { accountId: e2e.accountId, apiKey: e2e.apiKey, environment: 'custom', baseUrl: e2e.fake.url },
			}),
			'creating the credential',
		);
		const created = await e2e.ok(
			await e2e.rest.request('POST', '/workflows', makeWorkflow({ id: credential.id, name: credential.name }, e2e.shop.url)),
			'creating the workflow',
		);
		e2e.workflowId = created.id;
		await beforeActivation();
		await n8n.activateWorkflow(e2e.rest, e2e.workflowId);
	}, 10 * 60_000);

	afterAll(async () => {
		await e2e.stop();
		if (e2e.fake) await e2e.fake.close();
		if (e2e.shop) e2e.shop.close();
		if (userFolder && !process.env.KEEP_N8N_E2E) fs.rmSync(userFolder, { recursive: true, force: true });
		n8n.removePackDirs();
	});

	return e2e;
}

function defineTriggerSuite(label) {
	const e2e = useActiveWorkflow(label, { prefix: `n8n-tilled-trigger-${label}-`, makeWorkflow: workflowRefundingHalf });
	const { apiKey, logs, boot, stop, executions } = e2e;
	/** Signing secrets Tilled handed to n8n: they must never be printed. */
	const secrets = [];

	/** Pays a new session and waits until the shop has been told; returns the event and deliveries. */
	async function payAndWait(orderId, faults) {
		const { fake, shop, server } = e2e;
		const [session] = fake.sessions.seedSessions(1, { metadata: { order_id: orderId } });
		const before = shop.marked.length;
		const paid = await fake.webhooks.pay(session.id, faults);
		await until(() => shop.marked.length > before, `the shop to hear of ${orderId}`, 60_000, () =>
			`deliveries ${JSON.stringify(paid.deliveries)}\n--- n8n log (end) ---\n${server.logs().slice(-4000)}`,
		);
		return { session, ...paid };
	}

	const productionUrl = () => `${e2e.server.url}/webhook/${WEBHOOK_ID}/webhook`;

	test('activating registers one endpoint at Tilled with n8n\'s production URL', async () => {
		// n8n registers an activated workflow's webhooks a moment after answering.
		await until(() => e2e.fake.webhooks.endpoints().length > 0, 'the endpoint', 60_000, () => e2e.server.logs().slice(-3000));
		const endpoints = e2e.fake.webhooks.endpoints();
		expect(endpoints).toHaveLength(1);
		expect(endpoints[0]).toMatchObject({ url: productionUrl(), enabled_events: ['payment_intent.succeeded'] });
		expect(endpoints[0].description).toContain('mark the order paid');
		secrets.push(endpoints[0].secret);
		// Activation ends when n8n has saved the secret (the webhook handler reads it from there):
		// a delivery before that gets 503 and Tilled's retry (see the integration test).
		await until(
			async () => JSON.stringify((await e2e.rest.request('GET', `/workflows/${e2e.workflowId}`)).data?.staticData ?? null).includes('webhookSecret'),
			'the signing secret in the workflow\'s static data',
			60_000,
		);
	});

	test('paying a session gives exactly one execution, marking the order paid with the example\'s body', async () => {
		const { session, event, deliveries } = await payAndWait('ORD-E2E-1');
		expect(deliveries.map((d) => d.statuses)).toEqual([[200]]);
		// The values the fake paid with, so an expression that reads nothing cannot pass.
		expect(event.data).toMatchObject({ id: session.payment_intent_id, amount_received: session.amount_total, currency: session.currency });
		expect(event.created_at).toEqual(expect.any(String));
		expect(e2e.shop.marked).toStrictEqual([
			{
				path: '/orders/ORD-E2E-1/paid',
				body: {
					paid_at: event.created_at,
					amount: event.data.amount_received,
					currency: event.data.currency,
					tilled_checkout_session: session.id,
					tilled_payment_intent: event.data.id,
				},
			},
		]);
		const runs = await until(async () => {
			const list = await executions();
			return list.length > 0 && list.every((run) => run.finished || run.status === 'success') && list;
		}, 'the execution to finish');
		expect(runs).toHaveLength(1);
		expect(runs[0].status ?? (runs[0].finished ? 'success' : 'unknown')).toBe('success');
	});

	test('a forged signature, a stale one and a missing header get 401, and nothing runs', async () => {
		const [session] = e2e.fake.sessions.seedSessions(1, { metadata: { order_id: 'ORD-E2E-FORGED' } });
		const forged = await e2e.fake.webhooks.pay(session.id, { badSignature: true });
		const [late] = e2e.fake.sessions.seedSessions(1, { metadata: { order_id: 'ORD-E2E-LATE' } });
		const stale = await e2e.fake.webhooks.pay(late.id, { veryLate: true });
		expect(forged.deliveries[0].statuses).toEqual([401, 401, 401]);
		expect(stale.deliveries[0].statuses).toEqual([401, 401, 401]);
		const missing = await fetch(productionUrl(), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(forged.event),
		});
		expect(missing.status).toBe(401);

		// A good payment afterwards is the only new run: the refused ones started none.
		await payAndWait('ORD-E2E-2');
		expect(e2e.shop.marked.map((m) => m.path)).toEqual(['/orders/ORD-E2E-1/paid', '/orders/ORD-E2E-2/paid']);
		const runs = await until(async () => {
			const list = await executions();
			return list.length >= 2 && list;
		}, 'two executions');
		expect(runs).toHaveLength(2);
	});

	test('an event delivered twice gives one execution', async () => {
		const { deliveries } = await payAndWait('ORD-E2E-TWICE', { twice: true });
		expect(deliveries.map((d) => d.statuses)).toEqual([[200], [200]]);
		await payAndWait('ORD-E2E-3');
		expect(e2e.shop.marked.map((m) => m.path).slice(2)).toEqual(['/orders/ORD-E2E-TWICE/paid', '/orders/ORD-E2E-3/paid']);
		expect(await until(async () => (await executions()).length >= 4 && executions(), 'four executions')).toHaveLength(4);
	});

	test('restarting n8n leaves one endpoint, payments still run, and a retry of an event from before the restart does not run again', async () => {
		const [before] = e2e.fake.webhooks.endpoints();
		// A payment that ran before the restart: its id must be in the saved static data, which is
		// all that is left of it after the restart.
		const { event: paidBefore } = await payAndWait('ORD-E2E-BEFORE-RESTART');
		const saved = await until(async () => {
			const workflowData = await e2e.ok(await e2e.rest.request('GET', `/workflows/${e2e.workflowId}`), 'reading the workflow');
			return (await executions()).every((run) => run.finished || run.status === 'success') && workflowData;
		}, 'the runs before the restart to finish');
		const staticData = Object.values(saved.staticData ?? {}).find((data) => data && data.webhookId) ?? {};
		expect({ recentEventIds: staticData.recentEventIds ?? 'none saved' }).toEqual({ recentEventIds: expect.arrayContaining([paidBefore.id]) });
		const runsBefore = (await executions()).length;
		const { port } = e2e.server;
		await stop();
		await boot(port); // same address: the URL Tilled knows
		// The active workflow's webhook is registered again once n8n has started.
		await until(async () => (await fetch(productionUrl(), { method: 'POST', body: '{}' })).status !== 404, 'the webhook after restart');
		const endpoints = e2e.fake.webhooks.endpoints();
		expect(endpoints).toHaveLength(1);
		expect(endpoints[0].id).toBe(before.id);
		// Tilled delivers the event from before the restart again (its retry): answered, not run.
		const [retry] = await e2e.fake.webhooks.deliver(paidBefore);
		expect(retry.statuses).toEqual([200]);
		await payAndWait('ORD-E2E-AFTER-RESTART');
		const paths = e2e.shop.marked.map((m) => m.path);
		expect(paths.filter((p) => p === '/orders/ORD-E2E-BEFORE-RESTART/paid')).toHaveLength(1);
		expect(paths[paths.length - 1]).toBe('/orders/ORD-E2E-AFTER-RESTART/paid');
		const runs = await until(async () => {
			const list = await executions();
			return list.length >= runsBefore + 1 && list.every((run) => run.finished || run.status === 'success') && list;
		}, 'the run after the restart');
		expect(runs).toHaveLength(runsBefore + 1);
	});

	test('the Tilled node in the workflow refunds half of the payment once; a second run for the same order refunds nothing more', async () => {
		const payments = e2e.fake.payments;
		const { session, event } = await payAndWait('ORD-E2E-REFUND');
		const intentId = event.data.id;
		await until(() => payments.refundCount(intentId) > 0, 'the refund', 60_000, () => e2e.server.logs().slice(-3000));
		const half = Math.floor(event.data.amount_received / 2);
		expect(half).toBeGreaterThan(0);
		const [refund] = payments.refunds(intentId);
		expect(refund).toMatchObject({ payment_intent_id: intentId, amount: half });
		expect(payments.paymentIntent(intentId).charges[0].amount_refunded).toBe(half);
		expect(session.payment_intent_id).toBe(intentId);

		// The shop's order paid again (a second session, the same order ID): a new run, the same key.
		const runsBefore = (await executions()).length;
		const { event: again } = await payAndWait('ORD-E2E-REFUND');
		expect(again.data.id).not.toBe(intentId);
		await until(async () => {
			const list = await executions();
			return list.length >= runsBefore + 1 && list.every((run) => run.finished || run.status === 'success') && list;
		}, 'the second run to finish');
		expect(payments.refundCount(intentId)).toBe(1);
		expect(payments.refundCount(again.data.id)).toBe(0);
		expect(e2e.fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds' && r.body.payment_intent_id === intentId)).toHaveLength(1);
	});

	test('deactivating deletes the endpoint', async () => {
		await n8n.deactivateWorkflow(e2e.rest, e2e.workflowId);
		await until(() => e2e.fake.webhooks.endpoints().length === 0, 'the endpoint to be deleted', 60_000, () => e2e.server.logs().slice(-3000));
		expect(e2e.fake.webhooks.endpoints()).toEqual([]);
		expect(e2e.fake.requests.filter((r) => r.method === 'DELETE').map((r) => r.status)).toEqual([204]);
	});

	test('n8n printed no API key or signing secret', () => {
		logs.push(e2e.server ? e2e.server.logs() : '');
		expect(secrets.length).toBeGreaterThan(0);
		for (const text of logs) for (const secret of [apiKey, ...secrets]) expect(text).not.toContain(secret);
	});
}

module.exports = { defineTriggerSuite, useActiveWorkflow, startShop, workflow, WEBHOOK_ID, until };
