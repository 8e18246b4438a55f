// Many items through n8n's real execution context while the fake Tilled injects faults at random
// (seeded): every input item yields exactly one output item or one error item, no session is
// created twice, no payment refunded twice, and every error is a NodeApiError that says what happened.
import { NodeApiError } from 'n8n-workflow';
import { runNode, type TilledCredentialData } from '../harness/n8n';
import { faultCount, useFakeTilled, type FakeTilled } from '../harness/fake';
import { report } from '../harness/report';

let fake: FakeTilled;
let credentials: TilledCredentialData;
const figures = { runs: 0, runsCorrect: 0, sessionsDuplicated: 0, refundsDuplicated: 0, itemsLost: 0 };

useFakeTilled((started) => ({ fake, credentials } = started), {
	beforeClose: (closing) =>
		report({ type: 'figures', source: 'storm.test', faultsInjected: faultCount(closing), ...figures }),
});

const options = { retryDelay: 2, maxRetries: 4, timeout: 0.25, itemConcurrency: 8 };

/** Every kind of fault, each on a share of the matching requests. */
function storm(seed: number, match: { method?: string } = {}) {
	const kinds: Array<Record<string, unknown>> = [
		{ kind: 'status', status: 429, headers: { 'retry-after': '0' } },
		{ kind: 'status', status: 429 },
		{ kind: 'status', status: 500 },
		{ kind: 'status', status: 502 },
		{ kind: 'status', status: 503 },
		{ kind: 'status', status: 504 },
		{ kind: 'reset-before' },
		{ kind: 'reset-after' },
		{ kind: 'hang' },
		{ kind: 'hang', afterStore: true },
		{ kind: 'truncated' },
		{ kind: 'html', status: 502 },
	];
	kinds.forEach((fault, index) =>
		fake.injectFault({ ...fault, match, times: Infinity, probability: 0.025, seed: seed * 100 + index }),
	);
}

function countItem(ok: boolean, lost = 0, duplicated = 0) {
	figures.runs++;
	if (ok) figures.runsCorrect++;
	figures.itemsLost += lost;
	figures.sessionsDuplicated += duplicated;
}

function expectTilledError(item: { json: Record<string, unknown>; error?: unknown }, operation: string) {
	expect(item.error).toBeInstanceOf(NodeApiError);
	expect(item.json.error).toMatch(new RegExp(`^Tilled could not ${operation}: `));
	// A status and request id whenever Tilled (or a proxy) answered.
	if (item.json.httpCode) expect(item.json.error).toMatch(/\[HTTP \d{3}(, request-id req_[\w-]+)?\]$/);
}

test.each([
	[1, 8, 120],
	[2, 8, 120],
	[3, 8, 120],
	[9, 50, 150],
	[10, 200, 200],
])('create, storm %i, Items in Parallel %i, %i items: each item one session or one error, never two sessions', async (seed, itemConcurrency, count) => {
	storm(seed);
	const inputs = Array.from({ length: count }, (_, i) => ({ i }));
	const { items } = await runNode({
		credentials,
		continueOnFail: true,
		items: inputs,
		parameters: {
			operation: 'create',
			lineItems: { item: [{ name: 'Item', currency: 'usd', unitAmount: '={{ 1 + $json.i }}', quantity: 1 }] },
			additionalFields: { metadata: { pair: [{ key: 'item_no', value: '={{ $json.i }}' }] } },
			options: { ...options, itemConcurrency },
		},
	});
	expect(items).toHaveLength(inputs.length);
	const sessionsByItem = new Map<string, string[]>();
	for (const session of fake.sessions.listSessions()) {
		const key = session.metadata.item_no;
		sessionsByItem.set(key, [...(sessionsByItem.get(key) ?? []), session.id]);
	}
	items.forEach((item, index) => {
		expect(item.pairedItem).toEqual({ item: index });
		const created = sessionsByItem.get(String(index)) ?? [];
		expect(created.length).toBeLessThanOrEqual(1);
		if (item.json.error === undefined) {
			expect(created).toEqual([item.json.id]);
			expect(item.json.metadata).toMatchObject({ item_no: String(index) });
		} else {
			expectTilledError(item as never, 'create the checkout session');
		}
		countItem(true, 0, Math.max(0, created.length - 1));
	});
	expect(fake.faultsInjected()).not.toEqual({});
}, 60_000);

test.each([
	[4, 8],
	[5, 8],
	[12, 50],
	[13, 200],
])('get and expire, 100 items each, storm %i, Items in Parallel %i', async (seed, itemConcurrency) => {
	const sessions = fake.sessions.seedSessions(100);
	storm(seed);
	const rl = { __rl: true, mode: 'id', value: '={{ $json.id }}' };
	const got = await runNode({
		credentials,
		continueOnFail: true,
		items: sessions.map((s) => ({ id: s.id })),
		parameters: { operation: 'get', checkoutSessionId: rl, options: { ...options, itemConcurrency } },
	});
	expect(got.items).toHaveLength(100);
	got.items.forEach((item, index) => {
		expect(item.pairedItem).toEqual({ item: index });
		if (item.json.error === undefined) expect(item.json).toEqual(sessions[index]);
		else expectTilledError(item as never, 'get the checkout session');
		countItem(true);
	});

	const expired = await runNode({
		credentials,
		continueOnFail: true,
		items: sessions.map((s) => ({ id: s.id })),
		parameters: { operation: 'expire', checkoutSessionId: rl, options: { ...options, itemConcurrency } },
	});
	expect(expired.items).toHaveLength(100);
	expired.items.forEach((item, index) => {
		expect(item.pairedItem).toEqual({ item: index });
		if (item.json.error === undefined) {
			expect(item.json).toMatchObject({ id: sessions[index].id, status: 'expired' });
			expect(fake.sessions.getSession(sessions[index].id).status).toBe('expired');
		} else {
			expectTilledError(item as never, 'expire the checkout session');
		}
		countItem(true);
	});
}, 60_000);

test.each([
	[6, 4],
	[7, 4],
	[8, 4],
	[14, 1],
	[15, 20],
])('Return All of 1,000 under storm %i, Pages in Parallel %i: every session once, in order, or one error', async (seed, pageConcurrency) => {
	fake.sessions.seedSessions(1000);
	storm(seed, { method: 'GET' });
	const result = await runNode({
		credentials,
		continueOnFail: true,
		parameters: { operation: 'getAll', returnAll: true, options: { ...options, pageConcurrency } },
	});
	const ids = result.items.map((i) => i.json.id);
	if (result.items.length === 1 && result.items[0].json.error !== undefined) {
		expectTilledError(result.items[0] as never, 'list checkout sessions');
	} else {
		expect(ids).toEqual(fake.sessions.listSessions().map((s) => s.id));
	}
	countItem(true);
}, 60_000);

test.each([
	[16, 8, 120],
	[17, 8, 120],
	[18, 50, 150],
	[19, 200, 200],
])('refund create, storm %i, Items in Parallel %i, %i items: each payment refunded once or one error, never twice', async (seed, itemConcurrency, count) => {
	const payments = fake.payments;
	const intents: Array<{ id: string }> = Array.from({ length: count }, () => payments.createPaymentIntent({ amount: 2000, currency: 'usd' }));
	storm(seed);
	const { items } = await runNode({
		node: 'tilled',
		credentials,
		continueOnFail: true,
		items: intents.map((intent, i) => ({ i, id: intent.id })),
		parameters: {
			resource: 'refund',
			operation: 'create',
			paymentIntentId: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
			amountFormat: 'minor',
			amount: 500,
			metadata: { pair: [{ key: 'item_no', value: '={{ $json.i }}' }] },
			options: { ...options, itemConcurrency },
		},
	});
	expect(items).toHaveLength(intents.length);
	items.forEach((item, index) => {
		expect(item.pairedItem).toEqual({ item: index });
		const refunds = payments.refunds(intents[index].id);
		expect(refunds.length).toBeLessThanOrEqual(1);
		if (item.json.error === undefined) {
			expect(refunds.map((r: { id: string }) => r.id)).toEqual([item.json.id]);
			expect(item.json).toMatchObject({ amount: 500, metadata: { item_no: String(index) } });
		} else {
			expectTilledError(item as never, 'refund the payment');
		}
		figures.refundsDuplicated += Math.max(0, refunds.length - 1);
		countItem(true);
	});
	expect(fake.faultsInjected()).not.toEqual({});
}, 60_000);
