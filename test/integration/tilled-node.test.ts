// The Tilled node's operations through n8n-core's real execution context and request helpers,
// against the fake Tilled: what reached Tilled and what the node returned.
import type { IDataObject } from 'n8n-workflow';
import { runNode, type TilledCredentialData } from '../harness/n8n';
import { CONNECTED_ACCOUNT_ID, useFakeTilled, type FakeTilled } from '../harness/fake';
import { Tilled } from '../../nodes/Tilled/Tilled.node';

let fake: FakeTilled;
let credentials: TilledCredentialData;

useFakeTilled((started) => ({ fake, credentials } = started));

const run = (parameters: Record<string, unknown>, extra: { items?: IDataObject[]; continueOnFail?: boolean } = {}) =>
	runNode({ node: 'tilled', credentials, parameters, ...extra });

const byId = (id: string) => ({ __rl: true, mode: 'id', value: id });

const paidIntent = (amount = 2000, extra: IDataObject = {}) =>
	fake.payments.createPaymentIntent({ amount, currency: 'usd', ...extra }) as IDataObject & { id: string };

describe('refund create', () => {
	test('refunds a decimal amount once, reading the currency from the payment intent', async () => {
		const intent = paidIntent(2000);
		const { json } = await run({
			resource: 'refund',
			operation: 'create',
			paymentIntentId: byId(intent.id),
			amount: '5.50',
			reason: 'requested_by_customer',
			metadata: { pair: [{ key: 'order_id', value: '1001' }] },
		});
		expect(json).toHaveLength(1);
		expect(json[0]).toMatchObject({ amount: 550, payment_intent_id: intent.id, reason: 'requested_by_customer' });
		expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
			`GET /v1/payment-intents/${intent.id}`,
			'POST /v1/refunds',
		]);
		const body = fake.requests[1].body;
		expect(body.metadata).toMatchObject({ order_id: '1001', n8n_create_id: expect.stringMatching(/^test-execution-0-/) });
		expect(fake.payments.refundCount(intent.id)).toBe(1);
	});

	test('minor units need no lookup; empty amount refunds what is left', async () => {
		const intent = paidIntent(2000);
		await run({ resource: 'refund', operation: 'create', paymentIntentId: byId(intent.id), amountFormat: 'minor', amount: 500 });
		fake.clearRequests();
		const { json } = await run({ resource: 'refund', operation: 'create', paymentIntentId: byId(intent.id) });
		expect(json[0].amount).toBe(1500);
		expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v1/refunds']);
		expect(fake.requests[0].body.amount).toBeUndefined();
	});

	test('more than is left gets Tilled\'s error naming both amounts', async () => {
		const intent = paidIntent(1500);
		await expect(
			run({ resource: 'refund', operation: 'create', paymentIntentId: byId(intent.id), amountFormat: 'minor', amount: 1600 }),
		).rejects.toThrow(/^Tilled could not refund the payment: Refund amount \(1600\) is greater than the refundable amount \(1500\) \[HTTP 400/);
		expect(fake.payments.refundCount(intent.id)).toBe(0);
	});

	test('the same Idempotency Key returns the refund made before, with alreadyExisted', async () => {
		const intent = paidIntent(2000);
		const parameters = { resource: 'refund', operation: 'create', paymentIntentId: byId(intent.id), amountFormat: 'minor', amount: 1000, options: { idempotencyKey: 'return-77' } };
		const first = await run(parameters);
		const second = await run(parameters);
		expect(first.json[0].alreadyExisted).toBe(false);
		expect(second.json[0]).toMatchObject({ id: first.json[0].id, alreadyExisted: true });
		expect(fake.payments.refundCount(intent.id)).toBe(1);
	});

	test('a refund whose answer is lost is found by its marker, not sent again', async () => {
		const intent = paidIntent(2000);
		fake.injectFault({ match: { method: 'POST', path: '/v1/refunds' }, kind: 'reset-after' });
		const { json } = await run({ resource: 'refund', operation: 'create', paymentIntentId: byId(intent.id), amountFormat: 'minor', amount: 700, options: { retryDelay: 1 } });
		expect(json[0].amount).toBe(700);
		expect(fake.payments.refundCount(intent.id)).toBe(1);
	});

	test('a bad item is named before any refund is sent', async () => {
		const intent = paidIntent(2000);
		await expect(
			run(
				{ resource: 'refund', operation: 'create', paymentIntentId: byId(intent.id), amountFormat: 'minor', amount: '={{ $json.amount }}' },
				{ items: [{ amount: 100 }, { amount: 1.5 }] },
			),
		).rejects.toThrow(/^Item 1: Amount must be a whole number of minor units/);
		expect(fake.requests).toHaveLength(0);
	});

	test('names the refunds made before a failure stopped the run', async () => {
		const intent = paidIntent(1000);
		const error = await run(
			{ resource: 'refund', operation: 'create', paymentIntentId: byId(intent.id), amountFormat: 'minor', amount: '={{ $json.amount }}', options: { itemConcurrency: 1 } },
			{ items: [{ amount: 600 }, { amount: 600 }] },
		).catch((e: Error & { description?: string }) => e);
		expect((error as Error).message).toMatch(/refundable amount \(400\)/);
		expect((error as { description?: string }).description).toMatch(/Refunds created in this run: item 0: \S+/);
	});
});

describe('refund get and get many', () => {
	test('get by ID, and get many by metadata', async () => {
		const intent = paidIntent(2000);
		const made = await run({ resource: 'refund', operation: 'create', paymentIntentId: byId(intent.id), amountFormat: 'minor', amount: 100, metadata: { pair: [{ key: 'batch', value: 'b7' }] } });
		const id = String(made.json[0].id);
		const got = await run({ resource: 'refund', operation: 'get', refundId: byId(id) });
		expect(got.json[0].id).toBe(id);
		await run({ resource: 'refund', operation: 'create', paymentIntentId: byId(intent.id), amountFormat: 'minor', amount: 100 });
		fake.clearRequests();
		const listed = await run({ resource: 'refund', operation: 'getAll', returnAll: true, filters: { metadata: { pair: [{ key: 'batch', value: 'b7' }] } } });
		expect(listed.json.map((r) => r.id)).toEqual([id]);
		expect(fake.requests[0].rawQuery).toContain('metadata%5Bbatch%5D=b7');
	});
});

describe('payment intent', () => {
	test('capture in decimal, with the platform fee, then get shows it succeeded', async () => {
		const intent = paidIntent(2000, { capture_method: 'manual' });
		const { json } = await run({ resource: 'paymentIntent', operation: 'capture', paymentIntentId: byId(intent.id), amountToCapture: '15.00' });
		expect(json[0]).toMatchObject({ id: intent.id, status: 'succeeded' });
		expect(fake.requests.find((r) => r.path.endsWith('/capture'))?.body).toEqual({ amount_to_capture: 1500 });
		const got = await run({ resource: 'paymentIntent', operation: 'get', paymentIntentId: byId(intent.id) });
		expect(got.json[0].status).toBe('succeeded');
	});

	test('cancel with a reason', async () => {
		const intent = paidIntent(2000, { capture_method: 'manual' });
		const { json } = await run({ resource: 'paymentIntent', operation: 'cancel', paymentIntentId: byId(intent.id), cancellationReason: 'abandoned' });
		expect(json[0]).toMatchObject({ status: 'canceled' });
		expect(fake.requests[0].body).toEqual({ cancellation_reason: 'abandoned' });
	});

	test('get many filters by status and creation time, as Tilled takes them', async () => {
		const manual = paidIntent(1000, { capture_method: 'manual' });
		paidIntent(1000);
		const { json } = await run({
			resource: 'paymentIntent',
			operation: 'getAll',
			returnAll: true,
			filters: { status: ['requires_capture'], createdFrom: '2000-01-01T00:00:00Z' },
		});
		expect(json.map((i) => i.id)).toContain(manual.id);
		expect(json.every((i) => i.status === 'requires_capture')).toBe(true);
		expect(fake.requests[0].query).toMatchObject({ created_at_gte: '2000-01-01T00:00:00.000Z' });
	});
});

describe('customer', () => {
	test('create, update, get and get many', async () => {
		const created = await run({ resource: 'customer', operation: 'create', additionalFields: { email: 'ada@example.com', firstName: 'Ada', metadata: { pair: [{ key: 'crm', value: 'c1' }] } } });
		const id = String(created.json[0].id);
		expect(created.json[0]).toMatchObject({ email: 'ada@example.com', first_name: 'Ada' });
		const updated = await run({ resource: 'customer', operation: 'update', customerId: byId(id), updateFields: { lastName: 'Lovelace' } });
		expect(updated.json[0]).toMatchObject({ id, last_name: 'Lovelace', first_name: 'Ada' });
		expect(fake.requests.at(-1)).toMatchObject({ method: 'PATCH', body: { last_name: 'Lovelace' } });
		const got = await run({ resource: 'customer', operation: 'get', customerId: byId(id) });
		expect(got.json[0].last_name).toBe('Lovelace');
		const listed = await run({ resource: 'customer', operation: 'getAll', limit: 5, filters: { metadata: { pair: [{ key: 'crm', value: 'c1' }] } } });
		expect(listed.json.map((c) => c.id)).toEqual([id]);
	});

	test('an update with nothing to change is refused before anything is sent', async () => {
		await expect(run({ resource: 'customer', operation: 'update', customerId: byId('cus_1'), updateFields: {} })).rejects.toThrow(
			/^Item 0: Update Fields is empty/,
		);
		expect(fake.requests).toHaveLength(0);
	});
});

describe('disputes, payouts and balance transactions', () => {
	test('a dispute opened on a charge is listed and got', async () => {
		const intent = paidIntent(2000);
		const chargeId = String((fake.payments.paymentIntent(intent.id).charges as IDataObject[])[0].id);
		const dispute = fake.payments.openDispute(chargeId);
		const listed = await run({ resource: 'dispute', operation: 'getAll', returnAll: true, filters: { chargeId, status: ['needs_response'] } });
		expect(listed.json.map((d) => d.id)).toEqual([dispute.id]);
		const got = await run({ resource: 'dispute', operation: 'get', disputeId: byId(String(dispute.id)) });
		expect(got.json[0].charge_id).toBe(chargeId);
	});

	test('a payout and its balance transactions', async () => {
		paidIntent(2000);
		const payout = fake.payments.createPayout();
		const payouts = await run({ resource: 'payout', operation: 'getAll', returnAll: true, filters: { status: 'paid' } });
		expect(payouts.json.map((p) => p.id)).toContain(payout.id);
		const got = await run({ resource: 'payout', operation: 'get', payoutId: byId(String(payout.id)) });
		expect(got.json[0].id).toBe(payout.id);
		const txns = await run({ resource: 'balanceTransaction', operation: 'getAll', returnAll: true, filters: { payoutId: payout.id, type: 'charge' } });
		expect(txns.json.length).toBeGreaterThan(0);
		expect(txns.json.every((t) => t.payout_id === payout.id && t.type === 'charge')).toBe(true);
		const txn = await run({ resource: 'balanceTransaction', operation: 'get', balanceTransactionId: byId(String(txns.json[0].id)) });
		expect(txn.json[0].id).toBe(txns.json[0].id);
	});

	test('payout dates of both kinds are refused before anything is sent', async () => {
		await expect(
			run({ resource: 'payout', operation: 'getAll', filters: { createdFrom: '2026-01-01T00:00:00Z', paidTo: '2026-02-01T00:00:00Z' } }),
		).rejects.toThrow(/^Item 0: Filters cannot have both Created and Paid dates/);
		expect(fake.requests).toHaveLength(0);
	});
});

describe('every resource', () => {
	test('the Account option acts for a connected account, and errors name it', async () => {
		const intent = fake.payments.createPaymentIntent({ amount: 1000, currency: 'usd', account_id: CONNECTED_ACCOUNT_ID }) as { id: string };
		const { json } = await run({ resource: 'paymentIntent', operation: 'get', paymentIntentId: byId(intent.id), options: { account: CONNECTED_ACCOUNT_ID } });
		expect(json[0].id).toBe(intent.id);
		expect(fake.requests[0].headers['tilled-account']).toBe(CONNECTED_ACCOUNT_ID);
		await expect(run({ resource: 'paymentIntent', operation: 'get', paymentIntentId: byId(intent.id) })).rejects.toThrow(
			/^Tilled could not get the payment intent: .*\[HTTP 404/,
		);
	});

	test('checkout sessions work from the Tilled node with the same parameters', async () => {
		const { json } = await run({
			resource: 'checkoutSession',
			operation: 'create',
			lineItems: { item: [{ name: 'T-shirt', currency: 'usd', unitAmount: 19.99, quantity: 1 }] },
		});
		expect(json[0]).toMatchObject({ status: 'open', amount_total: 1999 });
	});

	test('the subtitle reads as the chosen action, and every operation is offered', () => {
		const description = new Tilled().description;
		expect(description.subtitle).toContain('"refund:create":"Create a refund"');
		expect(description.subtitle).toContain('"checkoutSession:getAll":"Get many checkout sessions"');
		const operations = description.properties.filter((p) => p.name === 'operation');
		expect(operations).toHaveLength(7);
		expect(description.usableAsTool).toBe(true);
	});
});
