'use strict';

/**
 * End-to-end suite of the Tilled Polling Trigger, run once per n8n version (polling-latest.test.js,
 * polling-v1.test.js): the workflow of examples/mark-order-paid.json with its Tilled Trigger
 * swapped for the Tilled Polling Trigger, activated in a real `n8n start`; n8n's own schedule
 * polls the fake Tilled's GET /v1/events, and every run marks an order paid at the shop. Set-up
 * and helpers are the Tilled Trigger suite's (trigger-suite.js).
 */

const n8n = require('../../scripts/lib/n8n');
const { useActiveWorkflow, workflow, until } = require('./trigger-suite');

/**
 * Both n8n versions refuse poll times that fire more than once a minute ("The polling interval is
 * too short"), so the fast schedule is many poll times, each once a minute at its own second:
 * every 3 seconds.
 */
const POLL_EVERY_S = 3;
const POLL_TIMES = {
	item: Array.from({ length: 60 / POLL_EVERY_S }, (_, i) => ({ mode: 'custom', cronExpression: `${i * POLL_EVERY_S} * * * * *` })),
};

/** The example workflow (shop URL and credential replaced) started by the Polling Trigger instead. */
function pollingWorkflow(credential, shopUrl) {
	const polling = workflow(credential, shopUrl);
	polling.name = 'Tilled Polling Trigger e2e: mark the order paid';
	polling.nodes = polling.nodes.filter((node) => node.type !== 'n8n-nodes-base.stickyNote');
	const trigger = polling.nodes.find((node) => node.type === 'n8n-nodes-tilled.tilledTrigger');
	trigger.type = 'n8n-nodes-tilled.tilledPollingTrigger';
	delete trigger.webhookId;
	trigger.parameters.pollTimes = POLL_TIMES;
	return polling;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function definePollingSuite(label) {
	/** Sessions paid before activation: the first poll only takes note of their events. */
	const paidBefore = [];
	const e2e = useActiveWorkflow(label, {
		prefix: `n8n-tilled-polling-${label}-`,
		makeWorkflow: pollingWorkflow,
		beforeActivation: async () => {
			paidBefore.push(await pay('ORD-POLL-BEFORE-1'), await pay('ORD-POLL-BEFORE-2'));
		},
	});

	async function pay(orderId) {
		const [session] = e2e.fake.sessions.seedSessions(1, { metadata: { order_id: orderId } });
		const { event } = await e2e.fake.webhooks.pay(session.id);
		return { session, event };
	}

	/** The polls n8n made: its reads of /v1/events, as the fake recorded them. */
	const polls = () => e2e.fake.requests.filter((r) => r.method === 'GET' && r.path === '/v1/events');
	const logTail = () => `\n--- n8n log (end) ---\n${e2e.server.logs().slice(-4000)}`;
	/** Waits until n8n's schedule has polled `n` more times. */
	async function morePolls(n) {
		const from = polls().length;
		await until(() => polls().length >= from + n, `${n} more polls`, 60_000, logTail);
	}
	async function finishedRuns(count) {
		return until(async () => {
			const runs = await e2e.executions();
			return runs.length >= count && runs.every((run) => run.finished || run.status === 'success' || run.status === 'error') && runs;
		}, `${count} finished executions`, 60_000, logTail);
	}
	const order = (sessionId, event) => ({
		path: `/orders/${event.data.metadata.order_id}/paid`,
		body: {
			paid_at: event.created_at,
			amount: event.data.amount_received,
			currency: event.data.currency,
			tilled_checkout_session: sessionId,
			tilled_payment_intent: event.data.id,
		},
	});
	const byPath = (a, b) => a.path.localeCompare(b.path);

	test('activation polls once and only takes note of the events already there: they never run', async () => {
		expect(paidBefore).toHaveLength(2);
		// n8n polls once while activating (2.x may answer the activation first).
		await until(() => polls().length > 0, 'the first poll', 60_000, logTail);
		const [first] = polls();
		expect(first.status).toBe(200);
		expect(decodeURIComponent(first.rawQuery)).toContain('types[]=payment_intent.succeeded');
		// It reads back far enough to see the events paid before: it saw them and let them be.
		expect(Date.parse(first.query.created_at_gte)).toBeLessThanOrEqual(Date.parse(paidBefore[0].event.created_at));
		await morePolls(3);
		expect(polls().every((r) => r.status === 200)).toBe(true);
		expect(e2e.shop.marked).toEqual([]);
		expect(await e2e.executions()).toEqual([]);
	});

	test('sessions paid after activation run, each event exactly once, with its checkout session', async () => {
		const first = [await pay('ORD-POLL-1'), await pay('ORD-POLL-2')];
		await until(() => e2e.shop.marked.length >= 2, 'the shop to hear of ORD-POLL-1 and 2', 60_000, logTail);
		const third = await pay('ORD-POLL-3');
		await until(() => e2e.shop.marked.length >= 3, 'the shop to hear of ORD-POLL-3', 60_000, logTail);
		// Every later poll reads those events again (the overlap window) and must skip them.
		await morePolls(3);
		const paid = [...first, third];
		// tilled_checkout_session in each body is the checkout session the trigger looked up.
		expect([...e2e.shop.marked].sort(byPath)).toStrictEqual(paid.map(({ session, event }) => order(session.id, event)).sort(byPath));
		// ORD-POLL-3 was paid after the run of 1 and 2 had started: at least two polls emitted.
		const runs = await finishedRuns(2);
		expect(runs.length).toBeLessThanOrEqual(3);
		expect(runs.map((run) => run.status ?? (run.finished ? 'success' : 'unknown'))).toEqual(runs.map(() => 'success'));
		expect(runs.map((run) => run.mode)).toEqual(runs.map(() => 'trigger'));
	});

	test('restarting n8n keeps the cursor: a session paid while n8n was down runs once, none runs again', async () => {
		const { port } = e2e.server;
		await e2e.stop();
		const whileDown = await pay('ORD-POLL-WHILE-DOWN');
		const pollsBefore = polls().length;
		await e2e.boot(port);
		await until(() => e2e.shop.marked.length >= 4, 'the shop to hear of ORD-POLL-WHILE-DOWN', 60_000, logTail);
		expect(polls().length).toBeGreaterThan(pollsBefore);
		await morePolls(3);
		expect(e2e.shop.marked.slice(3)).toStrictEqual([order(whileDown.session.id, whileDown.event)]);
		expect(e2e.shop.marked.map((m) => m.path).filter((p) => p.includes('BEFORE'))).toEqual([]);
	});

	test('deactivating stops the polls: nothing reads /v1/events, a payment runs nothing', async () => {
		await morePolls(1); // polling is live right before
		await n8n.deactivateWorkflow(e2e.rest, e2e.workflowId);
		// A poll n8n started just before deactivation may still arrive: let it land first.
		await sleep(1_000);
		const after = polls().length;
		const runsBefore = (await e2e.executions()).length;
		await pay('ORD-POLL-AFTER-DEACTIVATION');
		await sleep(4 * POLL_EVERY_S * 1_000); // four ticks of the schedule
		expect(polls()).toHaveLength(after);
		expect(e2e.shop.marked.map((m) => m.path)).not.toContain('/orders/ORD-POLL-AFTER-DEACTIVATION/paid');
		expect(await e2e.executions()).toHaveLength(runsBefore);
	});

	test('n8n printed no API key', () => {
		e2e.logs.push(e2e.server ? e2e.server.logs() : '');
		expect(e2e.logs.join('').length).toBeGreaterThan(0);
		for (const text of e2e.logs) expect(text).not.toContain(e2e.apiKey);
	});
}

module.exports = { definePollingSuite, pollingWorkflow, POLL_TIMES };
