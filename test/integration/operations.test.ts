// Every operation through n8n-core's real execution context and request helpers, against the
// fake Tilled, asserting on the node's output and on what reached Tilled.
import { NodeApiError, type IDataObject } from 'n8n-workflow';
import { runNode } from '../harness/n8n';
import { TilledCheckoutSessions } from '../../nodes/Tilled/TilledCheckoutSessions.node';
import { INITIAL_LIMIT } from '../../nodes/Tilled/transport';
import { ACCOUNT_ID, API_KEY, useFakeTilled, type FakeTilled } from '../harness/fake';
import type { TilledCredentialData } from '../harness/n8n';

let fake: FakeTilled;
let credentials: TilledCredentialData;

useFakeTilled((started) => ({ fake, credentials } = started));

const oneShirt = { item: [{ name: 'T-shirt', currency: 'usd', unitAmount: 19.99, quantity: 2 }] };

describe('create', () => {
	test('sends the form as Tilled JSON, converts decimal amounts and returns the session', async () => {
		const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
		const { items } = await runNode({
			credentials,
			parameters: {
				operation: 'create',
				lineItems: {
					item: [
						{
							name: 'T-shirt',
							description: 'Organic cotton',
							imageUrls: 'https://example.com/a.png, https://example.com/b.png',
							currency: 'usd',
							unitAmount: 19.99,
							quantity: 2,
						},
						{ name: 'Socks', currency: 'usd', unitAmount: 4.5, quantity: 1.5 },
					],
				},
				paymentMethodTypes: ['card', 'ach_debit'],
				additionalFields: {
					successUrl: 'https://shop.example/thanks',
					cancelUrl: 'https://shop.example/cart',
					customerId: 'cus_123',
					customerEmail: 'ada@example.com',
					expiresAt,
					metadata: { pair: [{ key: 'order_id', value: '1001' }] },
					paymentIntentMetadata: { pair: [{ key: 'channel', value: 'web' }] },
					platformFeeAmount: 1.25,
				},
			},
		});

		expect(fake.requests).toHaveLength(1);
		const request = fake.requests[0];
		expect(request.method).toBe('POST');
		expect(request.path).toBe('/v1/checkout-sessions');
		expect(request.headers['tilled-api-key']).toBe(API_KEY);
		expect(request.headers['tilled-account']).toBe(ACCOUNT_ID);
		expect(request.headers['content-type']).toMatch(/application\/json/);
		const { n8n_create_id: marker, ...userMetadata } = request.body.metadata;
		expect(marker).toMatch(/^test-execution-0-/);
		expect({ ...request.body, metadata: userMetadata }).toEqual({
			line_items: [
				{
					quantity: 2,
					price_data: {
						currency: 'usd',
						unit_amount: 1999,
						product_data: {
							name: 'T-shirt',
							description: 'Organic cotton',
							images: ['https://example.com/a.png', 'https://example.com/b.png'],
						},
					},
				},
				{ quantity: 1.5, price_data: { currency: 'usd', unit_amount: 450, product_data: { name: 'Socks' } } },
			],
			payment_intent_data: {
				payment_method_types: ['card', 'ach_debit'],
				metadata: { channel: 'web' },
				platform_fee_amount: 125,
			},
			success_url: 'https://shop.example/thanks',
			cancel_url: 'https://shop.example/cart',
			customer_id: 'cus_123',
			customer_email: 'ada@example.com',
			expires_at: expiresAt,
			metadata: { order_id: '1001' },
		});

		expect(items).toHaveLength(1);
		expect(items[0].pairedItem).toEqual({ item: 0 });
		const session = items[0].json;
		expect(session.status).toBe('open');
		expect(session.amount_total).toBe(1999 * 2 + Math.round(450 * 1.5));
		expect(session.url).toEqual(expect.stringContaining(String(session.id)));
		expect(fake.sessions.getSession(String(session.id))).toBeDefined();
	});

	test('minor units are sent as they are; JPY has no minor unit', async () => {
		await runNode({
			credentials,
			parameters: {
				operation: 'create',
				amountFormat: 'minor',
				lineItems: { item: [{ name: 'Tea', currency: 'usd', unitAmount: 1999, quantity: 1 }] },
			},
		});
		await runNode({
			credentials,
			parameters: {
				operation: 'create',
				lineItems: { item: [{ name: 'Tea', currency: 'jpy', unitAmount: 500, quantity: 1 }] },
			},
		});
		expect(fake.requests.map((r) => r.body.line_items[0].price_data.unit_amount)).toEqual([1999, 500]);
	});

	test('JSON line items map an upstream array, one session per input item, expressions per item', async () => {
		const orders = [
			{ order: 'A-1', lines: [{ title: 'Mug', price: 12.5, qty: 1 }, { title: 'Tea', price: 3.1, qty: 3 }] },
			{ order: 'A-2', lines: [{ title: 'Book', price: '24.00', qty: 1 }] },
		];
		const { items } = await runNode({
			credentials,
			items: orders,
			parameters: {
				operation: 'create',
				lineItemsInput: 'json',
				lineItemsJson:
					'={{ $json.lines.map(l => ({ name: l.title, currency: "eur", unitAmount: l.price, quantity: l.qty })) }}',
				additionalFields: { metadata: { pair: [{ key: 'order_id', value: '={{ $json.order }}' }] } },
			},
		});
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		const bodies = [...fake.requests].sort((a, b) => a.body.metadata.order_id.localeCompare(b.body.metadata.order_id));
		expect(bodies.map((r) => r.body.line_items.map((l: any) => [l.price_data.product_data.name, l.price_data.unit_amount, l.quantity]))).toEqual([
			[
				['Mug', 1250, 1],
				['Tea', 310, 3],
			],
			[['Book', 2400, 1]],
		]);
		expect(items.map((i) => (i.json.metadata as any).order_id)).toEqual(['A-1', 'A-2']);
		expect(items.map((i) => i.json.currency)).toEqual(['eur', 'eur']);
	});

	test.each([
		['a JS Date', '={{ new Date($json.at) }}'],
		['a Luxon DateTime', '={{ DateTime.fromISO($json.at) }}'],
		['an ISO string with an offset', '={{ $json.at }}'],
		['a Luxon DateTime from $now', '={{ $now.plus({ days: 1 }) }}'],
	])('Expires At from an expression giving %s', async (_kind, expiresAt) => {
		const at = new Date(Date.now() + 86_400_000 - 60_000).toISOString();
		await runNode({ credentials, items: [{ at }], parameters: { operation: 'create', lineItems: oneShirt, additionalFields: { expiresAt } } });
		const sent = Date.parse(fake.requests[0].body.expires_at);
		expect(fake.requests[0].body.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
		expect(Math.abs(sent - Date.parse(at))).toBeLessThan(120_000);
	});

	test('a line item added in the editor runs with its defaults once it has a name (no default the node refuses)', async () => {
		const property = new TilledCheckoutSessions().description.properties.find((p) => p.name === 'lineItems')!;
		const values = (property.options as Array<{ values: Array<{ name: string; default: unknown }> }>)[0].values;
		const added = Object.fromEntries(values.map((value) => [value.name, value.default]));
		// The row "Add Line Item" adds, and the row the collection starts with.
		const first = (property.default as { item: Array<Record<string, unknown>> }).item[0];
		const { json } = await runNode({
			credentials,
			parameters: { operation: 'create', lineItems: { item: [{ ...added, name: 'Mug' }, { ...first, name: 'Cup' }] } },
		});
		expect(json[0].status).toBe('open');
		expect(fake.requests[0].body.line_items.map((l: any) => l.price_data.unit_amount)).toEqual([100, 100]);
	});

	test('a JSON string works as well as an array', async () => {
		const { json } = await runNode({
			credentials,
			parameters: {
				operation: 'create',
				lineItemsInput: 'json',
				lineItemsJson: '[{"name":"Pen","currency":"gbp","unitAmount":0.29,"quantity":10,"images":["https://x.example/p.png"]}]',
			},
		});
		expect(fake.requests[0].body.line_items[0]).toEqual({
			quantity: 10,
			price_data: { currency: 'gbp', unit_amount: 29, product_data: { name: 'Pen', images: ['https://x.example/p.png'] } },
		});
		expect(json[0].amount_total).toBe(290);
	});
});

test('line item fields come in the order a line is filled in, required Product Name first', () => {
	const lineItems = new TilledCheckoutSessions().description.properties.find((p) => p.name === 'lineItems');
	const values = (lineItems?.options?.[0] as { values: Array<{ displayName: string }> }).values;
	expect(values.map((v) => v.displayName)).toEqual(['Product Name', 'Unit Amount', 'Quantity', 'Currency', 'Description', 'Image URLs']);
});

describe('create with an Idempotency Key', () => {
	const withKey = (key: string) => ({ operation: 'create', lineItems: oneShirt, options: { idempotencyKey: key } });
	const underKey = (key: string) => fake.sessions.listSessions().filter((s) => s.metadata?.n8n_idempotency_key === key);
	const sessionPosts = () => fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/checkout-sessions');

	test('an open session under the key is returned, with alreadyExisted and its status', async () => {
		const first = await runNode({ credentials, parameters: withKey('order-7') });
		const again = await runNode({ credentials, parameters: withKey('order-7') });
		expect(first.json[0]).toMatchObject({ status: 'open', alreadyExisted: false });
		expect(again.json[0]).toMatchObject({ id: first.json[0].id, status: 'open', alreadyExisted: true });
		expect(sessionPosts()).toHaveLength(1);
	});

	test('a paid (complete) session under the key is returned as complete, and nothing new is made', async () => {
		const first = await runNode({ credentials, parameters: withKey('order-8') });
		fake.sessions.setStatus(first.json[0].id as string, 'complete');
		const again = await runNode({ credentials, parameters: withKey('order-8') });
		expect(again.json[0]).toMatchObject({ id: first.json[0].id, status: 'complete', alreadyExisted: true });
		expect(underKey('order-8')).toHaveLength(1);
	});

	test('an expired session under the key is not handed out again: a new open one is made', async () => {
		const first = await runNode({ credentials, parameters: withKey('order-9') });
		fake.sessions.setStatus(first.json[0].id as string, 'expired');
		const again = await runNode({ credentials, parameters: withKey('order-9') });
		expect(again.json[0].id).not.toBe(first.json[0].id);
		expect(again.json[0]).toMatchObject({ status: 'open', alreadyExisted: false });
		// And the run after that gets the new open one, not the expired one.
		const third = await runNode({ credentials, parameters: withKey('order-9') });
		expect(third.json[0]).toMatchObject({ id: again.json[0].id, status: 'open', alreadyExisted: true });
		expect(underKey('order-9').map((s) => s.status).sort()).toEqual(['expired', 'open']);
	});

	test('an expired session older than the open one does not hide it', async () => {
		const first = await runNode({ credentials, parameters: withKey('order-10') });
		fake.sessions.setStatus(first.json[0].id as string, 'expired');
		const second = await runNode({ credentials, parameters: withKey('order-10') });
		fake.sessions.setStatus(second.json[0].id as string, 'complete');
		const third = await runNode({ credentials, parameters: withKey('order-10') });
		expect(third.json[0]).toMatchObject({ id: second.json[0].id, status: 'complete', alreadyExisted: true });
		expect(underKey('order-10')).toHaveLength(2);
	});

	test('two runs racing with one key end with one open session, and both hand out that one', async () => {
		// Latency keeps both lookups in flight together, so both find nothing and both create.
		fake.setLatency(30);
		const [a, b] = await Promise.all([
			runNode({ credentials, parameters: withKey('order-11') }),
			runNode({ credentials, parameters: withKey('order-11') }),
		]);
		fake.setLatency(0);
		expect(a.json[0].id).toBe(b.json[0].id);
		const open = underKey('order-11').filter((s) => s.status === 'open');
		expect(open.map((s) => s.id)).toEqual([a.json[0].id]);
		expect([a.json[0].alreadyExisted, b.json[0].alreadyExisted].sort()).toEqual([false, true]);
	});
});

describe('get and expire', () => {
	test('get by ID mode and by list mode', async () => {
		const [first, second] = fake.sessions.seedSessions(2);
		const byId = await runNode({
			credentials,
			parameters: { operation: 'get', checkoutSessionId: { __rl: true, mode: 'id', value: first.id } },
		});
		const byList = await runNode({
			credentials,
			parameters: { operation: 'get', checkoutSessionId: { __rl: true, mode: 'list', value: second.id } },
		});
		expect(byId.json[0]).toEqual(first);
		expect(byList.json[0]).toEqual(second);
		expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
			`GET /v1/checkout-sessions/${first.id}`,
			`GET /v1/checkout-sessions/${second.id}`,
		]);
	});

	test('an unknown ID fails with Tilled message, status and request-id', async () => {
		const error = await runNode({
			credentials,
			parameters: { operation: 'get', checkoutSessionId: { __rl: true, mode: 'id', value: 'cs_missing' } },
		}).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('404');
		expect(error.message).toContain('Tilled could not get the checkout session');
		expect(error.message).toContain('cs_missing');
		expect(error.message).toContain(`request-id ${fake.requests[0].requestId}`);
		expect(error.message).toContain('HTTP 404');
		expect(fake.requests).toHaveLength(1); // a 404 is not retried
	});

	test('expire moves an open session to expired', async () => {
		const [session] = fake.sessions.seedSessions(1);
		const { json } = await runNode({
			credentials,
			parameters: { operation: 'expire', checkoutSessionId: { __rl: true, mode: 'id', value: session.id } },
		});
		expect(json[0].status).toBe('expired');
		expect(fake.sessions.getSession(session.id).status).toBe('expired');
		expect(fake.requests[0]).toMatchObject({ method: 'POST', path: `/v1/checkout-sessions/${session.id}/expire` });
	});

	test.each(['expired', 'complete'])('expiring a %s session says its status', async (status) => {
		const [session] = fake.sessions.seedSessions(1);
		fake.sessions.setStatus(session.id, status);
		const error = await runNode({
			credentials,
			parameters: { operation: 'expire', checkoutSessionId: { __rl: true, mode: 'id', value: session.id } },
		}).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain(`checkout session ${session.id} is ${status}, and only open sessions can be expired`);
		expect(error.message).toContain(`request-id ${fake.requests[0].requestId}`);
		expect(error.httpCode).toBe('400');
	});
});

describe('get many', () => {
	const list = (extra: Record<string, unknown> = {}) => ({ operation: 'getAll', ...extra });

	test('Return All pages with limit=100 until has_more is false: 250 sessions, 3 requests, Tilled order', async () => {
		fake.sessions.seedSessions(250);
		const { items } = await runNode({ credentials, parameters: list({ returnAll: true }) });
		expect(items).toHaveLength(250);
		expect(new Set(items.map((i) => i.json.id)).size).toBe(250);
		expect(items.every((i) => (i.pairedItem as any).item === 0)).toBe(true);
		const pages = fake.requests.map((r) => [Number(r.query.offset), Number(r.query.limit)]).sort((a, b) => a[0] - b[0]);
		expect(pages).toEqual([
			[0, 100],
			[100, 100],
			[200, 100],
		]);
		const newestFirst = fake.sessions.listSessions().map((s) => s.id);
		expect(items.map((i) => i.json.id)).toEqual(newestFirst);
	});

	test('a Limit below 100 asks for exactly that many in one request', async () => {
		fake.sessions.seedSessions(120);
		const { items } = await runNode({ credentials, parameters: list({ returnAll: false, limit: 30 }) });
		expect(items).toHaveLength(30);
		expect(fake.requests).toHaveLength(1);
		expect(fake.requests[0].query).toEqual({ offset: '0', limit: '30' });
	});

	test('a Limit of 250 takes 3 pages, the last asking only for what is missing', async () => {
		fake.sessions.seedSessions(400);
		const { items } = await runNode({ credentials, parameters: list({ returnAll: false, limit: 250 }) });
		expect(items).toHaveLength(250);
		const pages = fake.requests.map((r) => [Number(r.query.offset), Number(r.query.limit)]).sort((a, b) => a[0] - b[0]);
		expect(pages).toEqual([
			[0, 100],
			[100, 100],
			[200, 50],
		]);
	});

	test('filters: metadata (two keys), payment intent ID, customer ID', async () => {
		const sessions = fake.sessions.seedSessions(6, (i: number) => ({
			metadata: { shop: i % 2 ? 'berlin' : 'paris', tier: i < 3 ? 'gold' : 'basic' },
			customer_id: `cus_${i % 3}`,
		}));
		const byMetadata = await runNode({
			credentials,
			parameters: list({
				returnAll: true,
				filters: { metadata: { pair: [{ key: 'shop', value: 'berlin' }, { key: 'tier', value: 'gold' }] } },
			}),
		});
		expect(byMetadata.json.map((s) => s.id)).toEqual([sessions[1].id]);
		expect(fake.requests[0].rawQuery).toContain('metadata%5Bshop%5D=berlin');
		expect(fake.requests[0].query.metadata).toEqual({ shop: 'berlin', tier: 'gold' });

		fake.clearRequests();
		const byIntent = await runNode({
			credentials,
			parameters: list({ returnAll: true, filters: { paymentIntentId: sessions[4].payment_intent_id } }),
		});
		expect(byIntent.json.map((s) => s.id)).toEqual([sessions[4].id]);
		expect(fake.requests[0].query.payment_intent_id).toBe(sessions[4].payment_intent_id);

		const byCustomer = await runNode({
			credentials,
			parameters: list({ returnAll: false, limit: 10, filters: { customerId: 'cus_2' } }),
		});
		expect(byCustomer.json.map((s) => s.id).sort()).toEqual([sessions[2].id, sessions[5].id].sort());
	});

	test('sessions created while paging shift the offsets: no duplicates, none of the others missed', async () => {
		const before = fake.sessions.seedSessions(250);
		// Just before page 2 is served, 60 new sessions arrive at the top of the newest-first list.
		fake.injectFault({ match: { method: 'GET' }, kind: 'call', skip: 1, run: () => fake.sessions.seedSessions(60) });
		const { items } = await runNode({
			credentials,
			parameters: list({ returnAll: true, options: { pageConcurrency: 1 } }),
		});
		const ids = items.map((i) => i.json.id as string);
		expect(new Set(ids).size).toBe(ids.length);
		expect(ids.filter((id) => before.some((s) => s.id === id)).sort()).toEqual(before.map((s) => s.id).sort());
		// Page 3 ended with has_more still true (310 sessions now): one more page, in sequence.
		expect(fake.requests.map((r) => Number(r.query.offset))).toEqual([0, 100, 200, 300]);
	});

	test('no sessions gives no items, one request', async () => {
		const { items } = await runNode({ credentials, parameters: list({ returnAll: true }) });
		expect(items).toEqual([]);
		expect(fake.requests).toHaveLength(1);
	});
});

describe('lists that do not advance, repeat pages or shrink', () => {
	const returnAll = (options: Record<string, unknown> = {}) => ({ operation: 'getAll', returnAll: true, options });
	const listFault = (mode: string, extra: Record<string, unknown> = {}) =>
		fake.injectFault({ match: { method: 'GET', path: '/v1/checkout-sessions' }, kind: 'list', mode, times: Infinity, ...extra });

	test('a server that ignores offset and always says has_more: an error after one round, not 100 of 150 as a success', async () => {
		fake.sessions.seedSessions(150);
		listFault('ignore-offset');
		const error = await runNode({ credentials, parameters: returnAll() }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(
			/^Tilled could not list checkout sessions: the list does not advance: the page at offset 100 gave no item not seen before\. Tilled answered the page at offset 100 with 100 items, has_more true, total 150\. Stopped after 2 requests with 100 items; not returning a partial list/,
		);
		expect(fake.requests).toHaveLength(2);
	});

	test('a mock that always answers the same one session with has_more: ends after two requests', async () => {
		const [only] = fake.sessions.seedSessions(1);
		fake.injectFault({ match: { method: 'GET' }, kind: 'status', status: 200, times: Infinity, body: { items: [only], has_more: true } });
		await expect(runNode({ credentials, parameters: returnAll() })).rejects.toThrow(/does not advance.*has_more true, total not given/);
		expect(fake.requests).toHaveLength(2);
	});

	test('has_more still true past the total: an error, no request past it', async () => {
		fake.sessions.seedSessions(150);
		listFault('always-more');
		await expect(runNode({ credentials, parameters: returnAll() })).rejects.toThrow(
			/says has_more at offset 150, past its total of 150\. Tilled answered the page at offset 100 with 50 items, has_more true, total 150/,
		);
		expect(fake.requests.map((r) => r.query.offset)).toEqual(['0', '100']);
	});

	test('an empty page that says has_more: an error', async () => {
		fake.sessions.seedSessions(150);
		fake.injectFault({ match: { method: 'GET' }, kind: 'status', status: 200, skip: 1, body: { items: [], has_more: true, total: 150 } });
		await expect(runNode({ credentials, parameters: returnAll({ pageConcurrency: 1 }) })).rejects.toThrow(/empty page that says has_more/);
		expect(fake.requests).toHaveLength(2);
	});

	test('a repeated page leaves sessions out: an error saying how many came of the total', async () => {
		fake.sessions.seedSessions(250);
		listFault('repeat', { skip: 1, times: 1 }); // the page at offset 100 is page 0 again
		await expect(runNode({ credentials, parameters: returnAll() })).rejects.toThrow(
			/ended short: its first page promised a total of 250 but only 150 distinct items came/,
		);
		expect(fake.requests).toHaveLength(3);
	});

	test('pages of one at a time, the repeated page stops the run at once', async () => {
		fake.sessions.seedSessions(250);
		listFault('repeat', { skip: 1, times: 1 });
		await expect(runNode({ credentials, parameters: returnAll({ pageConcurrency: 1 }) })).rejects.toThrow(/does not advance/);
		expect(fake.requests).toHaveLength(2);
	});

	test('a list that shrinks while being read: an error, not a short list', async () => {
		fake.sessions.seedSessions(250);
		listFault('shrink', { skip: 1, by: 10 });
		await expect(runNode({ credentials, parameters: returnAll() })).rejects.toThrow(
			/ended short: its first page promised a total of 250 but only 230 distinct items came\. Tilled answered the page at offset 200 with 40 items, has_more false, total 240/,
		);
		expect(fake.requests).toHaveLength(3);
	});

	test('a Limit against a server that ignores offset: an error too', async () => {
		fake.sessions.seedSessions(300);
		listFault('ignore-offset');
		await expect(runNode({ credentials, parameters: { operation: 'getAll', limit: 150 } })).rejects.toThrow(/does not advance/);
		expect(fake.requests.map((r) => [r.query.offset, r.query.limit])).toEqual([['0', '100'], ['100', '50']]);
	});
});

describe('many items and failures', () => {
	/** A Get of each id (one input item per id, read by the expression `{{ $json.id }}`). */
	const getEach = (ids: string[], staticData?: IDataObject) =>
		runNode({
			credentials,
			staticData,
			items: ids.map((id) => ({ id })),
			parameters: { operation: 'get', checkoutSessionId: { __rl: true, mode: 'id', value: '={{ $json.id }}' } },
		});

	test('continueOnFail: a failing item becomes an error item, the others go on', async () => {
		const [open] = fake.sessions.seedSessions(1);
		const { items } = await runNode({
			credentials,
			continueOnFail: true,
			items: [{ id: open.id }, { id: 'cs_missing' }, { id: 'bad id!' }, { id: open.id }],
			parameters: { operation: 'get', checkoutSessionId: { __rl: true, mode: 'id', value: '={{ $json.id }}' } },
		});
		expect(items).toHaveLength(4);
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(items[0].json.id).toBe(open.id);
		expect(items[1].json.error).toMatch(/Tilled could not get the checkout session: .*cs_missing.*HTTP 404/);
		expect(items[1].json.httpCode).toBe('404');
		expect(items[2].json.error).toBe(
			'Item 2: Checkout Session "bad id!" is not a Tilled ID: use only letters, digits, "_" and "-" (e.g. cs_123abc)',
		);
		expect(items[3].json.id).toBe(open.id);
		expect(fake.requests).toHaveLength(3); // the malformed ID never reached Tilled
	});

	test('Get reads items in runs of 100 ahead of their requests: a bad item stops the run, and no item after the run it is in is sent', async () => {
		const sessions = fake.sessions.seedSessions(160);
		const ids = sessions.map((s) => s.id);
		ids[150] = 'bad id!';
		const error = await getEach(ids).catch((e) => e);
		expect(error.message).toMatch(/^Item 150: Checkout Session "bad id!" is not a Tilled ID/);
		expect(error.description).toMatch(/^Nothing was sent to Tilled for item 150/);
		// Items 0-99 were read first and sent; reading 100-159 found item 150, so none of those started.
		expect(fake.requests.map((r) => r.path).sort()).toEqual(ids.slice(0, 100).map((id) => `/v1/checkout-sessions/${id}`).sort());

		fake.clearRequests();
		ids[150] = sessions[150].id;
		ids[2] = 'bad id!';
		const early = await getEach(ids).catch((e) => e);
		expect(early.message).toMatch(/^Item 2: Checkout Session "bad id!" is not a Tilled ID/);
		expect(fake.requests).toEqual([]);
	});

	test('against a rate limit, every item succeeds: the 429s pause all items and set a pace', async () => {
		const sessions = fake.sessions.seedSessions(60);
		fake.setLatency(5);
		fake.setRateLimit(20);
		try {
			const { items } = await getEach(sessions.map((s) => s.id));
			expect(items.map((i) => i.json.id)).toEqual(sessions.map((s) => s.id));
		} finally {
			fake.setRateLimit(undefined);
			fake.setLatency(0);
		}
		const refused = fake.requests.filter((r) => r.status === 429).map((r) => r.path);
		expect(refused.length).toBeGreaterThan(0);
		// Only the burst that met the limit first is refused, each of those items once: after it,
		// every request waits for the pause and keeps to the pace learnt from it.
		expect(new Set(refused).size).toBe(refused.length);
		expect(fake.requests.filter((r) => r.status === 200)).toHaveLength(sessions.length);
	});

	test('the pace learnt from a 429 is kept in static data: the next run keeps to it from its first request', async () => {
		const sessions = fake.sessions.seedSessions(60);
		const staticData: IDataObject = {};
		const run = async () => {
			fake.clearRequests();
			// A quiet second first: the fake's window then holds nothing of the run before.
			await new Promise((resolve) => setTimeout(resolve, 1100));
			fake.setRateLimit(20);
			try {
				const { items } = await getEach(sessions.map((s) => s.id), staticData);
				expect(items.map((i) => i.json.id)).toEqual(sessions.map((s) => s.id));
			} finally {
				fake.setRateLimit(undefined);
			}
			return fake.requests.filter((r) => r.status === 429).length;
		};
		fake.setLatency(5);
		try {
			const first = await run();
			expect(first).toBeGreaterThan(5);
			const pace = (staticData['node:Tilled Checkout Sessions'] as IDataObject).tilledPace as IDataObject;
			expect(pace.requestsPerSecond).toBeGreaterThanOrEqual(1);
			expect(pace.requestsPerSecond).toBeLessThanOrEqual(20);
			expect(pace.acceptedPerSecond).toBeLessThanOrEqual(20);
			expect(Math.abs(Date.now() - (pace.learntAt as number))).toBeLessThan(60_000);
			// Kept to a pace a little under the limit, the second run meets it at most at its end,
			// where the pace has grown back past it.
			const second = await run();
			expect(second).toBeLessThanOrEqual(2);
		} finally {
			fake.setLatency(0);
		}
	}, 30_000);

	test('without continueOnFail, one bad item stops the run before any request', async () => {
		await expect(
			runNode({
				credentials,
				items: [{ price: 10 }, { price: 20 }, { price: -1 }],
				parameters: {
					operation: 'create',
					lineItems: { item: [{ name: 'X', currency: 'usd', unitAmount: '={{ $json.price }}', quantity: 1 }] },
				},
			}),
		).rejects.toThrow(/^Item 2: Line Items › line item 1 › Unit Amount must be between 1 and 99,999,999 minor units, got -100/);
		expect(fake.requests).toHaveLength(0);
		expect(fake.sessions.sessionCount()).toBe(0);
	});

	test('a create that fails after others worked names the sessions already created', async () => {
		fake.injectFault({ match: { method: 'POST', path: '/v1/checkout-sessions' }, kind: 'status', status: 400, times: 1, skip: 2 });
		const error = await runNode({
			credentials,
			items: [{}, {}, {}],
			parameters: { operation: 'create', lineItems: oneShirt, options: { itemConcurrency: 1 } },
		}).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		const created = fake.sessions.listSessions().map((s) => s.id);
		expect(created).toHaveLength(2);
		for (const id of created) expect(error.description).toContain(id);
		expect(error.description).toMatch(/item 0: cs_\w+; item 1: cs_\w+/);
	});

	// The first create Tilled receives fails at once; the others are still in flight (the fake
	// holds them 50 ms) and succeed. The error must name every one of them. The adaptive limit
	// starts at INITIAL_LIMIT requests (or the Items in Parallel ceiling, if lower).
	test.each([
		{ label: 'default', concurrency: undefined, items: 14, inFlight: INITIAL_LIMIT },
		{ label: '3', concurrency: 3, items: 8, inFlight: 3 },
		{ label: '50', concurrency: 50, items: 60, inFlight: INITIAL_LIMIT },
	])('a create failing while others are in flight (Items in Parallel $label) names every session created', async ({ concurrency, items, inFlight }) => {
		const createPath = { method: 'POST', path: '/v1/checkout-sessions' };
		fake.injectFault({ match: createPath, kind: 'status', status: 500, times: 1 });
		fake.injectFault({ match: createPath, kind: 'call', times: Infinity, run: () => new Promise((r) => setTimeout(r, 50)) });
		const error = await runNode({
			credentials,
			items: Array.from({ length: items }, () => ({})),
			parameters: { operation: 'create', lineItems: oneShirt, options: concurrency ? { itemConcurrency: concurrency } : {} },
		}).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/HTTP 500/);
		// No item started after the failure; the ones in flight all finished.
		expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(inFlight);
		const sessions = fake.sessions.listSessions();
		expect(sessions).toHaveLength(inFlight - 1);
		for (const session of sessions) {
			const item = session.metadata.n8n_create_id.split('-')[2];
			expect(error.description).toContain(`item ${item}: ${session.id}`);
		}
	});

	test('items in parallel keep their order and pairing', async () => {
		fake.setLatency(15);
		const sessions = fake.sessions.seedSessions(12);
		const { items } = await runNode({
			credentials,
			items: sessions.map((s) => ({ id: s.id })),
			parameters: {
				operation: 'get',
				checkoutSessionId: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
				options: { itemConcurrency: 4 },
			},
		});
		fake.setLatency(0);
		expect(items.map((i) => i.json.id)).toEqual(sessions.map((s) => s.id));
		expect(items.map((i) => (i.pairedItem as any).item)).toEqual(sessions.map((_, i) => i));
	});
});
