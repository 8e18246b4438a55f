// The fake Tilled's webhook endpoints, events and signed deliveries, checked directly (the
// triggers' tests rely on them).
import http from 'node:http';
import { ACCOUNT_ID, API_KEY, useFakeTilled, type FakeTilled } from '../harness/fake';
import { verifySignature } from '../../nodes/Tilled/trigger/signature';

let fake: FakeTilled & { webhooks: any };
useFakeTilled((started) => (fake = started.fake as typeof fake));
beforeEach(() => {
	fake.webhooks.reset();
	fake.webhooks.setDeliveryOptions({ retries: 3, retryDelayMs: 5 });
});

const headers = { 'tilled-api-key': API_KEY, 'tilled-account': ACCOUNT_ID, 'content-type': 'application/json' };
const call = async (method: string, path: string, body?: unknown) => {
	const response = await fetch(`${fake.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
	const text = await response.text();
	return { status: response.status, json: text ? JSON.parse(text) : undefined };
};

/** A receiver answering with the given statuses in turn (then 200). */
async function receiver(statuses: number[] = []) {
	const received: { signature: string; body: string }[] = [];
	const server = http.createServer((req, res) => {
		let body = '';
		req.on('data', (chunk) => (body += chunk));
		req.on('end', () => {
			received.push({ signature: String(req.headers['tilled-signature']), body });
			res.statusCode = statuses[received.length - 1] ?? 200;
			res.end();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
	return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test('endpoints: the secret only in the create answer; list, get, delete; http only on loopback; schema checked', async () => {
	const created = await call('POST', '/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/hook', enabled_events: ['*'], description: 'n8n' });
	expect(created.status).toBe(201);
	expect(created.json.secret).toMatch(/^[0-9a-f]{48}$/);
	const got = await call('GET', `/v1/webhook-endpoints/${created.json.id}`);
	expect(got.json).toEqual({ ...created.json, secret: undefined });
	expect('secret' in got.json).toBe(false);
	const list = await call('GET', '/v1/webhook-endpoints');
	expect(list.json).toMatchObject({ items: [{ id: created.json.id }], has_more: false, total: 1 });
	expect('secret' in list.json.items[0]).toBe(false);

	expect((await call('POST', '/v1/webhook-endpoints', { url: 'http://example.com/hook', enabled_events: ['*'] })).json.message).toEqual([
		'url must be an https URL (plain http only on loopback)',
	]);
	expect((await call('POST', '/v1/webhook-endpoints', { url: 'https://example.com/hook', enabled_events: ['nope'] })).status).toBe(400);
	expect((await call('POST', '/v1/webhook-endpoints', { url: 'https://example.com/hook', enabled_events: ['*'], extra: 1 })).status).toBe(400);

	expect((await call('DELETE', `/v1/webhook-endpoints/${created.json.id}`)).status).toBe(204);
	expect((await call('GET', `/v1/webhook-endpoints/${created.json.id}`)).status).toBe(404);
	expect((await call('DELETE', `/v1/webhook-endpoints/${created.json.id}`)).status).toBe(404);
	expect((await fetch(`${fake.url}/v1/webhook-endpoints`, { headers: { 'tilled-account': ACCOUNT_ID } })).status).toBe(401);
});

test('events: types[], created_at_gte/lte, paged newest first; unknown types refused', async () => {
	const base = Date.parse('2026-01-01T00:00:00.000Z');
	for (let i = 0; i < 40; i++) {
		fake.webhooks.recordEvent({
			type: i % 2 ? 'charge.failed' : 'payment_intent.succeeded',
			data: { id: `obj_${i}` },
			created_at: new Date(base + i * 1000).toISOString(),
		});
	}
	const all = await call('GET', '/v1/events?limit=100');
	expect(all.json.total).toBe(40);
	expect(all.json.items[0].data.id).toBe('obj_39');
	const paid = await call('GET', '/v1/events?types[]=payment_intent.succeeded&limit=5&offset=5');
	expect(paid.json).toMatchObject({ total: 20, has_more: true, offset: 5, limit: 5 });
	expect(paid.json.items.map((e: any) => e.data.id)).toEqual(['obj_28', 'obj_26', 'obj_24', 'obj_22', 'obj_20']);
	const both = await call('GET', '/v1/events?types[]=payment_intent.succeeded&types[]=charge.failed&limit=1');
	expect(both.json.total).toBe(40);
	const windowed = await call(
		'GET',
		`/v1/events?created_at_gte=${new Date(base + 10_000).toISOString()}&created_at_lte=${new Date(base + 12_000).toISOString()}`,
	);
	expect(windowed.json.items.map((e: any) => e.data.id)).toEqual(['obj_12', 'obj_11', 'obj_10']);
	expect((await call('GET', '/v1/events?types[]=checkout_session.completed')).status).toBe(400);
	expect((await call('GET', '/v1/events?created_at_gte=yesterday')).status).toBe(400);
	expect((await call('GET', `/v1/events/${all.json.items[3].id}`)).json).toEqual(all.json.items[3]);
});

test('pay: session complete, event recorded, delivered signed to matching endpoints, non-2xx retried', async () => {
	const flaky = await receiver([503, 500]);
	const other = await receiver();
	try {
		const endpoint = (await call('POST', '/v1/webhook-endpoints', { url: flaky.url, enabled_events: ['payment_intent.succeeded'] })).json;
		await call('POST', '/v1/webhook-endpoints', { url: other.url, enabled_events: ['charge.failed'] });
		const [session] = fake.sessions.seedSessions(1, { metadata: { order_id: 'ORD-1' } });
		const { event, deliveries } = await fake.webhooks.pay(session.id);
		expect(fake.sessions.getSession(session.id).status).toBe('complete');
		expect(event).toMatchObject({ type: 'payment_intent.succeeded', account_id: ACCOUNT_ID, data: { id: session.payment_intent_id, metadata: { order_id: 'ORD-1' } } });
		expect(deliveries).toEqual([expect.objectContaining({ endpointId: endpoint.id, statuses: [503, 500, 200] })]);
		expect(other.received).toEqual([]);
		for (const delivery of flaky.received) {
			expect(JSON.parse(delivery.body)).toEqual(event);
			expect(verifySignature(delivery.signature, delivery.body, endpoint.secret, Date.now())).toEqual({ valid: true });
		}
		expect(fake.webhooks.events()).toEqual([event]);
	} finally {
		await flaky.close();
		await other.close();
	}
});

test('delivery faults: twice, late, bad signature, another account; the HTTP pay action', async () => {
	const target = await receiver();
	try {
		const endpoint = (await call('POST', '/v1/webhook-endpoints', { url: target.url, enabled_events: ['*'] })).json;
		const sessions = fake.sessions.seedSessions(5);
		await fake.webhooks.pay(sessions[0].id, { twice: true });
		expect(target.received).toHaveLength(2);
		expect(target.received[0].body).toBe(target.received[1].body);
		await fake.webhooks.pay(sessions[1].id, { late: true });
		expect(verifySignature(target.received[2].signature, target.received[2].body, endpoint.secret, Date.now()).valid).toBe(false);
		expect(verifySignature(target.received[2].signature, target.received[2].body, endpoint.secret, Date.now() - 10 * 60_000).valid).toBe(true);
		await fake.webhooks.pay(sessions[2].id, { badSignature: true });
		expect(verifySignature(target.received[3].signature, target.received[3].body, endpoint.secret, Date.now())).toEqual({
			valid: false,
			reason: 'no v1 signature matches the body',
		});
		await fake.webhooks.pay(sessions[3].id, { otherAccount: true });
		expect(JSON.parse(target.received[4].body).account_id).not.toBe(ACCOUNT_ID);

		const viaHttp = await fetch(`${fake.url}/_fake/checkout-sessions/${sessions[4].id}/pay`, { method: 'POST' });
		expect(viaHttp.status).toBe(200);
		await fake.webhooks.settled();
		expect(target.received).toHaveLength(6);
		expect(JSON.parse(target.received[5].body).id).toBe((await viaHttp.json()).id);
	} finally {
		await target.close();
	}
});
