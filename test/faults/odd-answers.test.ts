// Answers a real Tilled, proxy or mock can give that the happy path never sees: bare or odd error
// bodies, creates failing while others are in flight (at several Items in Parallel), and lists
// that do not advance, repeat pages or shrink. Each run ends correctly: every session created
// is named or returned, none twice, and a list is complete or an error, never short.
import { NodeApiError } from 'n8n-workflow';
import { runNode, type TilledCredentialData } from '../harness/n8n';
import { useFakeTilled, type FakeTilled } from '../harness/fake';
import { report } from '../harness/report';

let fake: FakeTilled;
let credentials: TilledCredentialData;
const figures = { runs: 0, runsCorrect: 0, sessionsDuplicated: 0, itemsLost: 0 };
useFakeTilled((started) => ({ fake, credentials } = started), {
	beforeClose: (closing) => report({ type: 'figures', source: 'odd-answers.test', faultsInjected: faultsApplied(closing), ...figures }),
});

const SESSIONS = '/v1/checkout-sessions';
const shirt = { item: [{ name: 'T-shirt', currency: 'usd', unitAmount: 19.99, quantity: 1 }] };
const fast = { retryDelay: 1, maxRetries: 2, timeout: 2 };

/** Faults the fake applied, without `call` (a test's own hook: the delay of successful creates). */
function faultsApplied(closing: FakeTilled) {
	const { call: _hooks, ...faults } = closing.faultsInjected();
	return Object.values(faults).reduce((a, b) => a + b, 0);
}

describe('bare or odd error bodies: the status is said once, the message says what came', () => {
	const bodies: Array<[string, unknown, RegExp]> = [
		['an empty object', {}, /: the answer has no error message \[/],
		['null', 'null', /: the answer is an empty body \[/],
		['an empty body', '', /: the answer is an empty body \[/],
		['a bare JSON string', '"upstream exploded"', /: the answer is not JSON: "upstream exploded" \[/],
		['a number', '42', /: the answer has no error message \[/],
		['a list', '[1, 2]', /: the answer has no error message \[/],
		['a message that is a number', { message: 42, statusCode: 422 }, /: the answer has no error message \[/],
		['a message of spaces', { message: '   ' }, /: the answer has no error message \[/],
		['an empty list of messages', { message: [] }, /: the answer has no error message \[/],
		['a list mixing strings and others', { message: ['line_items is required', 3, null, ''] }, /: line_items is required \[/],
		['only an error field', { error: 'Unprocessable Entity' }, /: Unprocessable Entity \[/],
		['an error field that is an object', { error: { code: 'x' } }, /: the answer has no error message \[/],
		['validation errors only', { validation_errors: ['currency must be one of …'] }, /: currency must be one of … \[/],
		['plain text', 'Service Unavailable', /: the answer is not JSON: "Service Unavailable" \[/],
		['a message in HTTP-like words', { message: 'HTTP 418' }, /: HTTP 418 \[/],
	];
	const byId = (operation: string) => (id: string) => ({ operation, checkoutSessionId: { __rl: true, mode: 'id', value: id } });
	const operations: Array<[string, (id: string) => Record<string, unknown>, string]> = [
		['get', byId('get'), 'get the checkout session'],
		['create', () => ({ operation: 'create', lineItems: shirt }), 'create the checkout session'],
		['expire', byId('expire'), 'expire the checkout session'],
		['list', () => ({ operation: 'getAll', returnAll: true }), 'list checkout sessions'],
	];
	const cases = bodies.flatMap(([name, body, expected]) =>
		[400, 401, 403, 404, 409, 422, 500].flatMap((status) => operations.map(([op, parameters, action]) => ({ name, body, expected, status, op, parameters, action }))),
	);

	test.each(cases)('$op, HTTP $status with $name', async ({ body, expected, status, parameters, action }) => {
		const [session] = fake.sessions.seedSessions(1);
		const json = typeof body !== 'string' || /^["\d[n]/.test(body);
		fake.injectFault({ kind: 'status', status, body, headers: { 'content-type': json ? 'application/json' : 'text/plain' } });
		const error = await runNode({ credentials, parameters: { ...parameters(session.id), options: fast } }).catch((e) => e);
		figures.runs++;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message.startsWith(`Tilled could not ${action}: `)).toBe(true);
		expect(error.message).toMatch(expected);
		expect(error.message.endsWith(`[HTTP ${status}, request-id ${fake.requests[0].requestId}]`)).toBe(true);
		expect(error.message.split(`HTTP ${status}`)).toHaveLength(2);
		expect(error.httpCode).toBe(String(status));
		expect(fake.sessions.sessionCount()).toBe(1);
		figures.runsCorrect++;
	});
});

describe('creates failing while others are in flight', () => {
	// Items in Parallel × how the failing creates fail. The fake holds every successful create a
	// moment, so failures come back while others are still being created.
	const failures: Array<[string, Record<string, unknown>]> = [
		['500', { kind: 'status', status: 500 }],
		['400 with a bare body', { kind: 'status', status: 400, body: {} }],
		['an HTML 404 from a proxy', { kind: 'html', status: 404 }],
	];
	const cases = [1, 2, 5, 16, 50, 200].flatMap((concurrency) =>
		failures.map(([failure, fault]) => ({ concurrency, failure, fault, seed: concurrency * 7 + failure.length })),
	);

	let stopped = 0;
	test.each(cases)('Items in Parallel $concurrency, creates failing with $failure', async ({ concurrency, fault, seed }) => {
		const items = Math.max(12, Math.round(concurrency * 1.5));
		fake.injectFault({ match: { method: 'POST', path: SESSIONS }, ...fault, times: Infinity, probability: 0.2, seed });
		fake.injectFault({ match: { method: 'POST', path: SESSIONS }, kind: 'call', times: Infinity, run: () => new Promise((r) => setTimeout(r, 15)) });
		const outcome = await runNode({
			credentials,
			items: Array.from({ length: items }, (_, i) => ({ i })),
			parameters: {
				operation: 'create',
				lineItems: shirt,
				additionalFields: { metadata: { pair: [{ key: 'item_no', value: '={{ $json.i }}' }] } },
				options: { ...fast, itemConcurrency: concurrency },
			},
		}).catch((e) => e);
		figures.runs++;
		const sessions = fake.sessions.listSessions();
		const byItem = new Map<string, number>();
		for (const session of sessions) byItem.set(session.metadata.item_no, (byItem.get(session.metadata.item_no) ?? 0) + 1);
		const duplicated = [...byItem.values()].reduce((sum, n) => sum + n - 1, 0);
		figures.sessionsDuplicated += duplicated;
		expect(duplicated).toBe(0);
		if (outcome instanceof Error) {
			stopped++;
			expect(outcome).toBeInstanceOf(NodeApiError);
			// Every session that exists is named with its item: none is lost.
			const unnamed = sessions.filter((s) => !String((outcome as NodeApiError).description).includes(`item ${s.metadata.item_no}: ${s.id}`));
			figures.itemsLost += unnamed.length;
			expect(unnamed).toEqual([]);
			// After the failure no new item started: at most one round of Items in Parallel past it.
			const failedAt = fake.requests.findIndex((r) => r.method === 'POST' && r.status !== 201);
			expect(fake.requests.filter((r) => r.method === 'POST').length).toBeLessThanOrEqual(failedAt + concurrency);
		} else {
			const json = (outcome as { json: any[] }).json;
			expect(json.map((s) => s.metadata.item_no)).toEqual(Array.from({ length: items }, (_, i) => String(i)));
			expect(json.map((s) => s.id).sort()).toEqual(sessions.map((s) => s.id).sort());
		}
		figures.runsCorrect++;
	});

	test('most of those runs really stopped on a failing create', () => {
		expect(stopped).toBeGreaterThan(cases.length / 2);
	});
});

describe('lists that do not advance, repeat pages or shrink', () => {
	const modes: Array<[string, Record<string, unknown>]> = [
		['ignore-offset', { kind: 'list', mode: 'ignore-offset' }],
		['always-more', { kind: 'list', mode: 'always-more' }],
		['repeat', { kind: 'list', mode: 'repeat' }],
		['shrink', { kind: 'list', mode: 'shrink', by: 7 }],
		['the same one session for ever', { kind: 'status', status: 200, body: { items: [{ id: 'cs_same' }], has_more: true } }],
		['an empty page with has_more', { kind: 'status', status: 200, body: { items: [], has_more: true, total: 5000 } }],
	];
	const cases = modes.flatMap(([mode, fault]) =>
		[1, 4, 20].flatMap((pageConcurrency) => [120, 1000].map((sessions) => ({ mode, fault, pageConcurrency, sessions }))),
	);

	test.each(cases)('$mode, $sessions sessions, Pages in Parallel $pageConcurrency: an error in bounded requests, or the whole list', async ({ fault, pageConcurrency, sessions }) => {
		fake.sessions.seedSessions(sessions);
		// The first page is right (it tells the total); from then on the list misbehaves.
		fake.injectFault({ match: { method: 'GET', path: SESSIONS }, ...fault, skip: 1, times: Infinity });
		const outcome = await runNode({ credentials, parameters: { operation: 'getAll', returnAll: true, options: { ...fast, pageConcurrency } } }).catch((e) => e);
		figures.runs++;
		// Bounded: never more pages than the list has, plus one round.
		expect(fake.requests.length).toBeLessThanOrEqual(Math.ceil(sessions / 100) + pageConcurrency);
		if (outcome instanceof Error) {
			expect(outcome).toBeInstanceOf(NodeApiError);
			expect(outcome.message).toMatch(/^Tilled could not list checkout sessions: the list .* Tilled answered the page at offset \d+ with \d+ items, has_more (true|false), total (\d+|not given)\. Stopped after \d+ requests/);
		} else {
			// A success is the whole list, in Tilled's order.
			expect((outcome as { json: any[] }).json.map((s) => s.id)).toEqual(fake.sessions.listSessions().map((s) => s.id));
		}
		figures.runsCorrect++;
	});
});
