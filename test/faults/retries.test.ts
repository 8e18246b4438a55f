// What is retried, what is not, and exactly-once create, one fault at a time.
import http from 'node:http';
import { NodeApiError } from 'n8n-workflow';
import { runNode, type TilledCredentialData } from '../harness/n8n';
import { faultCount, startFake, useFakeTilled, type FakeTilled } from '../harness/fake';
import { report } from '../harness/report';

let fake: FakeTilled;
let credentials: TilledCredentialData;
useFakeTilled((started) => ({ fake, credentials } = started), {
	beforeClose: (closing) => report({ type: 'figures', source: 'retries.test', faultsInjected: faultCount(closing) }),
});

// Short waits keep the suite quick; the mechanism is the same at the defaults.
const fast = { retryDelay: 5, maxRetries: 3, timeout: 0.5 };
const SESSIONS = '/v1/checkout-sessions';
const shirt = { item: [{ name: 'T-shirt', currency: 'usd', unitAmount: 19.99, quantity: 1 }] };
const createParams = (options: Record<string, unknown> = {}) => ({
	operation: 'create',
	lineItems: shirt,
	options: { ...fast, ...options },
});
const byId = (operation: string, id: string, options: Record<string, unknown> = {}) => ({
	operation,
	checkoutSessionId: { __rl: true, mode: 'id', value: id },
	options: { ...fast, ...options },
});
const posts = () => fake.requests.filter((r) => r.method === 'POST' && r.path === SESSIONS);

describe('get, list and expire retry transient failures', () => {
	test.each([502, 503, 504])('get: %i twice, then the session', async (status) => {
		const [session] = fake.sessions.seedSessions(1);
		fake.injectFault({ match: { method: 'GET' }, kind: 'status', status, times: 2 });
		const { json } = await runNode({ credentials, parameters: byId('get', session.id) });
		expect(json[0].id).toBe(session.id);
		expect(fake.requests.map((r) => r.status)).toEqual([status, status, 200]);
	});

	test('a 500 is not retried: the error carries status and request id', async () => {
		fake.injectFault({ match: { method: 'GET' }, kind: 'status', status: 500 });
		const error = await runNode({ credentials, parameters: byId('get', 'cs_1') }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('500');
		expect(error.message).toBe(
			`Tilled could not get the checkout session: Internal Server Error [HTTP 500, request-id ${fake.requests[0].requestId}]`,
		);
		expect(fake.requests).toHaveLength(1);
	});

	test('429 with Retry-After in seconds waits that long before the retry', async () => {
		const [session] = fake.sessions.seedSessions(1);
		fake.injectFault({ match: { method: 'GET' }, kind: 'status', status: 429, headers: { 'retry-after': '1' } });
		const started = Date.now();
		const { json } = await runNode({ credentials, parameters: byId('get', session.id, { retryDelay: 1 }) });
		expect(json[0].id).toBe(session.id);
		expect(fake.requests.map((r) => r.status)).toEqual([429, 200]);
		expect(Date.now() - started).toBeGreaterThanOrEqual(950); // honoured, not a speed check
	});

	test('429 with Retry-After as an HTTP date', async () => {
		const [session] = fake.sessions.seedSessions(1);
		const at = new Date(Date.now() + 1500).toUTCString();
		fake.injectFault({ match: { method: 'GET' }, kind: 'status', status: 429, headers: { 'retry-after': at } });
		const started = Date.now();
		await runNode({ credentials, parameters: byId('get', session.id, { retryDelay: 1 }) });
		expect(fake.requests.map((r) => r.status)).toEqual([429, 200]);
		expect(Date.now() - started).toBeGreaterThanOrEqual(450); // an HTTP date has 1 s resolution
	});

	test('429 without Retry-After backs off and retries; giving up says how often it tried', async () => {
		fake.injectFault({ match: { method: 'GET' }, kind: 'status', status: 429, times: 10 });
		const error = await runNode({ credentials, parameters: byId('get', 'cs_1', { maxRetries: 2 }) }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('429');
		expect(error.message).toMatch(/^Tilled could not get the checkout session: Too Many Requests \(gave up after 3 attempts\) \[HTTP 429, request-id req_/);
		expect(fake.requests).toHaveLength(3);
	});

	test('a Retry-After longer than 2 minutes is not waited for: the error says so', async () => {
		fake.injectFault({ match: { method: 'GET' }, kind: 'status', status: 429, headers: { 'retry-after': '3600' } });
		const error = await runNode({ credentials, parameters: byId('get', 'cs_1') }).catch((e) => e);
		expect(error.message).toMatch(/^Tilled could not get the checkout session: Too Many Requests \(Tilled asks to wait 3600 s, longer than the node waits\) \[HTTP 429, request-id req_/);
		expect(fake.requests).toHaveLength(1);
	});

	test('Max Retries 0 sends once', async () => {
		fake.injectFault({ match: { method: 'GET' }, kind: 'status', status: 503 });
		await expect(runNode({ credentials, parameters: byId('get', 'cs_1', { maxRetries: 0 }) })).rejects.toThrow(/HTTP 503/);
		expect(fake.requests).toHaveLength(1);
	});

	test('an HTML error page from a proxy is retried, then reported readably', async () => {
		fake.injectFault({ match: { method: 'GET' }, kind: 'html', status: 502, times: 10 });
		const error = await runNode({ credentials, parameters: byId('get', 'cs_1', { maxRetries: 1 }) }).catch((e) => e);
		expect(error.message).toMatch(/: the answer is not JSON: "<html><head><title>502 Bad Gateway<\/title>.*…" \(gave up after 2 attempts\) \[HTTP 502, request-id/);
	});

	test('truncated JSON on a get is retried', async () => {
		const [session] = fake.sessions.seedSessions(1);
		fake.injectFault({ match: { method: 'GET' }, kind: 'truncated' });
		const { json } = await runNode({ credentials, parameters: byId('get', session.id) });
		expect(json[0]).toEqual(session);
		expect(fake.requests).toHaveLength(2);
	});

	test('a response that never comes times out and is retried', async () => {
		const [session] = fake.sessions.seedSessions(1);
		fake.injectFault({ match: { method: 'GET' }, kind: 'hang' });
		const { json } = await runNode({ credentials, parameters: byId('get', session.id, { timeout: 0.3 }) });
		expect(json[0].id).toBe(session.id);
		expect(fake.requests).toHaveLength(2);
	});

	test('a reset connection on a list page is retried and paging goes on', async () => {
		fake.sessions.seedSessions(250);
		fake.injectFault({ match: { method: 'GET', path: SESSIONS }, kind: 'reset-before', skip: 1 });
		const { items } = await runNode({ credentials, parameters: { operation: 'getAll', returnAll: true, options: fast } });
		expect(new Set(items.map((i) => i.json.id)).size).toBe(250);
		expect(fake.requests).toHaveLength(4);
	});

	test('expire after a reset: the retry finds the session expired, and that is success', async () => {
		const [session] = fake.sessions.seedSessions(1);
		fake.injectFault({ match: { method: 'POST' }, kind: 'reset-after' });
		const { json } = await runNode({ credentials, parameters: byId('expire', session.id) });
		expect(json[0]).toMatchObject({ id: session.id, status: 'expired' });
		expect(fake.requests.map((r) => `${r.method} ${r.path.replace(session.id, 'ID')}`)).toEqual([
			`POST ${SESSIONS}/ID/expire`,
			`GET ${SESSIONS}/ID`,
		]);
	});

	test('expire after a 503 that did nothing: the check finds it open, the retry expires it', async () => {
		const [session] = fake.sessions.seedSessions(1);
		fake.injectFault({ match: { method: 'POST' }, kind: 'status', status: 503 });
		const { json } = await runNode({ credentials, parameters: byId('expire', session.id) });
		expect(json[0].status).toBe('expired');
		expect(fake.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 503', 'GET 200', 'POST 201']);
	});
});

describe('connection refused', () => {
	async function closedPort(): Promise<number> {
		const server = http.createServer();
		await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
		const { port } = server.address() as { port: number };
		await new Promise((r) => server.close(r));
		return port;
	}

	test('is retried, then reported without the key', async () => {
		const port = await closedPort();
		const error = await runNode({
			credentials: { ...credentials, baseUrl: `http://127.0.0.1:${port}` },
			parameters: createParams({ maxRetries: 2 }),
		}).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe(
			'Tilled could not create the checkout session: Could not connect to Tilled: the connection was refused (gave up after 3 attempts)',
		);
	});

	test('a create whose connection was refused is sent again once Tilled is back: one session', async () => {
		const port = await closedPort();
		const late = startFake({ port });
		const result = runNode({
			credentials: { ...credentials, baseUrl: `http://127.0.0.1:${port}` },
			parameters: createParams({ retryDelay: 400, maxRetries: 5 }),
		});
		const { fake: revived } = await late;
		try {
			const { json } = await result;
			expect(json[0].status).toBe('open');
			expect(revived.sessions.sessionCount()).toBe(1);
		} finally {
			await revived.close();
		}
	});
});

describe('create: never sent blindly twice', () => {
	test('429 means nothing was created: sent again, one session', async () => {
		fake.injectFault({ match: { method: 'POST' }, kind: 'status', status: 429, headers: { 'retry-after': '0' } });
		const { json } = await runNode({ credentials, parameters: createParams() });
		expect(fake.sessions.sessionCount()).toBe(1);
		expect(posts().map((r) => r.status)).toEqual([429, 201]);
		expect(json[0].id).toBe(fake.sessions.listSessions()[0].id);
	});

	test('connection reset after Tilled stored it: found by its marker, not sent again', async () => {
		fake.injectFault({ match: { method: 'POST' }, kind: 'reset-after' });
		const { json } = await runNode({ credentials, parameters: createParams() });
		expect(fake.sessions.sessionCount()).toBe(1);
		expect(posts()).toHaveLength(1);
		const lookup = fake.requests.find((r) => r.method === 'GET')!;
		expect(lookup.query.metadata).toEqual({ n8n_create_id: posts()[0].body.metadata.n8n_create_id });
		expect(json[0].id).toBe(fake.sessions.listSessions()[0].id);
	});

	test('connection reset before Tilled stored it: the lookup finds nothing, sent again, one session', async () => {
		fake.injectFault({ match: { method: 'POST' }, kind: 'reset-before' });
		await runNode({ credentials, parameters: createParams() });
		expect(fake.sessions.sessionCount()).toBe(1);
		expect(fake.requests.map((r) => `${r.method} ${r.status ?? '-'}`)).toEqual(['POST -', 'GET 200', 'POST 201']);
		// The same marker on both attempts: a later lookup would find either.
		expect(posts()[1].body.metadata.n8n_create_id).toBe(posts()[0].body.metadata.n8n_create_id);
	});

	test.each([502, 503, 504])('%i after the request was sent: looked up first, one session', async (status) => {
		fake.injectFault({ match: { method: 'POST' }, kind: 'status', status });
		await runNode({ credentials, parameters: createParams() });
		expect(fake.sessions.sessionCount()).toBe(1);
		expect(fake.requests.map((r) => r.method)).toEqual(['POST', 'GET', 'POST']);
	});

	test('a 201 whose JSON is cut off: the session exists, found, not created again', async () => {
		fake.injectFault({ match: { method: 'POST' }, kind: 'truncated' });
		const { json } = await runNode({ credentials, parameters: createParams() });
		expect(fake.sessions.sessionCount()).toBe(1);
		expect(posts()).toHaveLength(1);
		expect(json[0].id).toBe(fake.sessions.listSessions()[0].id);
	});

	test('an answer that never comes after it was stored: found after the timeout', async () => {
		fake.injectFault({ match: { method: 'POST' }, kind: 'hang', afterStore: true });
		const { json } = await runNode({ credentials, parameters: createParams({ timeout: 0.3 }) });
		expect(fake.sessions.sessionCount()).toBe(1);
		expect(posts()).toHaveLength(1);
		expect(json[0].status).toBe('open');
	});

	test('a 500 or a 400 is final: not sent again', async () => {
		fake.injectFault({ match: { method: 'POST' }, kind: 'status', status: 500 });
		await expect(runNode({ credentials, parameters: createParams() })).rejects.toThrow(/HTTP 500/);
		expect(fake.requests).toHaveLength(1);
	});

	test('when every attempt is unanswered, the error says how to find a late session', async () => {
		fake.injectFault({ match: { method: 'POST' }, kind: 'reset-before', times: 10 });
		const error = await runNode({ credentials, parameters: createParams({ maxRetries: 1 }) }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(
			/^Tilled could not create the checkout session: The connection to Tilled was closed before it answered \(gave up after 2 attempts\)\. Tilled never confirmed the session and none was found; if one shows up later, it has metadata n8n_create_id=test-execution-0-\S+$/,
		);
		expect(fake.sessions.sessionCount()).toBe(0);
	});

	test('when the lookup itself fails, the error says both', async () => {
		fake.injectFault({ match: { method: 'POST' }, kind: 'reset-before' });
		fake.injectFault({ match: { method: 'GET' }, kind: 'status', status: 500 });
		const error = await runNode({ credentials, parameters: createParams() }).catch((e) => e);
		expect(error.message).toMatch(
			/^Tilled could not create the checkout session: The connection to Tilled was closed before it answered, and checking whether it took effect failed too \(could not list checkout sessions: Internal Server Error \[HTTP 500, request-id req_[^\]]+\]\)\. Tilled never confirmed .* n8n_create_id=/,
		);
		expect(fake.sessions.sessionCount()).toBe(0);
	});
});

describe('Idempotency Key', () => {
	const withKey = (key: string) => createParams({ idempotencyKey: key });

	test('a rerun with the same key returns the existing session and says so', async () => {
		const first = await runNode({ credentials, parameters: withKey('order-1001') });
		const second = await runNode({ credentials, parameters: withKey('order-1001') });
		expect(fake.sessions.sessionCount()).toBe(1);
		expect(first.json[0]).toMatchObject({ alreadyExisted: false });
		expect(second.json[0]).toMatchObject({ id: first.json[0].id, alreadyExisted: true });
		expect(posts()).toHaveLength(1);
		expect(first.json[0].metadata).toMatchObject({ n8n_idempotency_key: 'order-1001' });
	});

	test('different keys, per item by expression, make different sessions', async () => {
		const { json } = await runNode({
			credentials,
			items: [{ order: 'A' }, { order: 'B' }, { order: 'A' }],
			parameters: { ...createParams({ idempotencyKey: '={{ $json.order }}', itemConcurrency: 1 }) },
		});
		expect(fake.sessions.sessionCount()).toBe(2);
		expect(json.map((s) => s.alreadyExisted)).toEqual([false, false, true]);
		expect(json[2].id).toBe(json[0].id);
	});

	test('the key counts in the 50-key metadata limit', async () => {
		const pairs = { pair: Array.from({ length: 49 }, (_, i) => ({ key: `k${i}`, value: 'v' })) };
		const error = await runNode({
			credentials,
			parameters: { ...withKey('order-1'), additionalFields: { metadata: pairs } },
		}).catch((e) => e);
		expect(error.message).toBe(
			'Item 0: Additional Fields › Metadata may have at most 48 keys (Tilled allows 50; the node uses 2), has 49',
		);
		expect(fake.requests).toHaveLength(0);
	});
});

describe('secrets', () => {
	test('a wrong key fails with Tilled 401, and the key is not in the error', async () => {
		const wrongKey = 'sk_test_Wr0ngKeyZ7q1x9Pp';
		const error = await runNode({ credentials: { ...credentials, apiKey: wrongKey }, parameters: byId('get', 'cs_1') }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('401');
		expect(error.message).toMatch(/^Tilled could not get the checkout session: Unauthorized \[HTTP 401, request-id req_/);
		expect(fake.requests[0].headers['tilled-api-key']).toBe(wrongKey);
		expect(JSON.stringify(error)).not.toContain(wrongKey);
		expect(String(error.stack)).not.toContain(wrongKey);
	});
});
