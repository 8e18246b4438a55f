// The Tilled Trigger's webhook methods and webhook() through n8n-core's HookContext and
// WebhookContext, against the fake Tilled, which pays sessions and delivers signed events.
import { startWebhookTrigger } from '../harness/trigger';
import { ACCOUNT_ID, API_KEY, CONNECTED_ACCOUNT_ID, useFakeTilled, type FakeTilled } from '../harness/fake';
import type { IDataObject } from 'n8n-workflow';
import type { TilledCredentialData } from '../harness/n8n';

let fake: FakeTilled & { webhooks: any };
let credentials: TilledCredentialData;
useFakeTilled((started) => {
	fake = started.fake as typeof fake;
	credentials = started.credentials;
});
beforeEach(() => {
	fake.webhooks.reset();
	fake.webhooks.setDeliveryOptions({ retries: 3, retryDelayMs: 5, timeoutMs: 30_000 });
});

const PARAMETERS = { events: ['payment_intent.succeeded'], options: {} };
const paths = () => fake.requests.map((r) => `${r.method} ${r.path}${r.method === 'GET' && r.rawQuery ? `?${decodeURIComponent(r.rawQuery)}` : ''} ${r.status}`);

async function activeTrigger(parameters: IDataObject = PARAMETERS) {
	const trigger = await startWebhookTrigger(credentials, parameters);
	await trigger.activate();
	return trigger;
}

describe('Tilled Trigger: endpoint lifecycle', () => {
	test('activation registers one endpoint with n8n\'s URL, the events and the workflow name; the secret goes to static data', async () => {
		const trigger = await activeTrigger();
		try {
			const [endpoint] = fake.webhooks.endpoints();
			expect(fake.webhooks.endpoints()).toHaveLength(1);
			expect(endpoint).toMatchObject({
				url: trigger.url,
				enabled_events: ['payment_intent.succeeded'],
				description: 'n8n workflow "Mark orders paid"',
			});
			expect(trigger.staticData()).toMatchObject({ webhookId: endpoint.id, webhookSecret: endpoint.secret, webhookUrl: trigger.url });
			expect(paths()).toEqual(['GET /v1/webhook-endpoints?offset=0&limit=100 200', 'POST /v1/webhook-endpoints 201']);

			// Activating again (a restart) finds it: nothing new is created.
			trigger.restart();
			fake.clearRequests();
			await trigger.activate();
			expect(paths()).toEqual([`GET /v1/webhook-endpoints/${endpoint.id} 200`]);
			expect(fake.webhooks.endpoints()).toHaveLength(1);

			await trigger.deactivate();
			expect(fake.webhooks.endpoints()).toEqual([]);
			expect(trigger.staticData().webhookId).toBeUndefined();
			expect(trigger.staticData().webhookSecret).toBeUndefined();
		} finally {
			await trigger.close();
		}
	});

	test('an endpoint deleted at Tilled is created again; one left behind for the same URL is removed first', async () => {
		const trigger = await activeTrigger();
		try {
			const [first] = fake.webhooks.endpoints();
			// Deleted behind n8n's back: checkExists sees 404 and lets n8n create it again.
			await fetch(`${fake.url}/v1/webhook-endpoints/${first.id}`, {
				method: 'DELETE',
				headers: { 'tilled-api-key': credentials.apiKey, 'tilled-account': ACCOUNT_ID },
			});
			expect(await trigger.hook('checkExists')).toBe(false);
			await trigger.hook('create');
			const [second] = fake.webhooks.endpoints();
			expect(second.id).not.toBe(first.id);

			// Static data lost (e.g. workflow re-imported): the old endpoint's secret is gone, so
			// create deletes it instead of leaving a second endpoint that delivers twice.
			for (const key of Object.keys(trigger.staticData())) delete trigger.staticData()[key];
			await trigger.activate();
			const endpoints = fake.webhooks.endpoints();
			expect(endpoints).toHaveLength(1);
			expect(endpoints[0].id).not.toBe(second.id);
			expect(trigger.staticData().webhookId).toBe(endpoints[0].id);
		} finally {
			await trigger.close();
		}
	});

	test("n8n's URL changed: the old endpoint is deleted and one for the new URL created", async () => {
		const trigger = await activeTrigger();
		try {
			// As if n8n ran at another address before: Tilled has the endpoint under the old URL.
			const [old] = fake.webhooks.endpoints();
			const headers = { 'tilled-api-key': credentials.apiKey, 'tilled-account': ACCOUNT_ID, 'content-type': 'application/json' };
			await fetch(`${fake.url}/v1/webhook-endpoints/${old.id}`, { method: 'DELETE', headers });
			const moved = await (
				await fetch(`${fake.url}/v1/webhook-endpoints`, {
					method: 'POST',
					headers,
					body: JSON.stringify({ url: 'http://127.0.0.1:1/webhook/old', enabled_events: ['payment_intent.succeeded'] }),
				})
			).json();
			trigger.staticData().webhookId = moved.id;
			await trigger.activate();
			const endpoints = fake.webhooks.endpoints();
			expect(endpoints.map((e: any) => e.url)).toEqual([trigger.url]);
			expect(trigger.staticData().webhookId).toBe(endpoints[0].id);
		} finally {
			await trigger.close();
		}
	});

	test('activation removes an endpoint left for its URL even past the first 100 endpoints of the account', async () => {
		const headers = { 'tilled-api-key': credentials.apiKey, 'tilled-account': ACCOUNT_ID, 'content-type': 'application/json' };
		const createEndpoint = async (url: string) =>
			(await fetch(`${fake.url}/v1/webhook-endpoints`, { method: 'POST', headers, body: JSON.stringify({ url, enabled_events: ['payment_intent.succeeded'] }) })).json();
		const trigger = await startWebhookTrigger(credentials, PARAMETERS);
		try {
			// The one left behind is the oldest, so Tilled lists it last (newest first), after 150 others.
			const stale = await createEndpoint(trigger.url);
			for (let index = 0; index < 150; index++) await createEndpoint(`https://other-${index}.example.com/hook`);
			await trigger.activate();
			const mine = fake.webhooks.endpoints().filter((e: any) => e.url === trigger.url);
			expect(mine.map((e: any) => e.id)).toEqual([trigger.staticData().webhookId]);
			expect(mine[0].id).not.toBe(stale.id);
			expect(fake.webhooks.endpoints()).toHaveLength(151);
		} finally {
			await trigger.close();
		}
	});

	test("an endpoint whose events were changed at Tilled is replaced by one with the node's events", async () => {
		const trigger = await activeTrigger();
		try {
			const [original] = fake.webhooks.endpoints();
			const headers = { 'tilled-api-key': credentials.apiKey, 'tilled-account': ACCOUNT_ID, 'content-type': 'application/json' };
			await fetch(`${fake.url}/v1/webhook-endpoints/${original.id}`, { method: 'DELETE', headers });
			const changed = await (
				await fetch(`${fake.url}/v1/webhook-endpoints`, { method: 'POST', headers, body: JSON.stringify({ url: trigger.url, enabled_events: ['charge.failed'] }) })
			).json();
			Object.assign(trigger.staticData(), { webhookId: changed.id, webhookSecret: changed.secret });
			trigger.restart();
			expect(await trigger.hook('checkExists')).toBe(false);
			await trigger.hook('create');
			const endpoints = fake.webhooks.endpoints();
			expect(endpoints.map((e: any) => [e.url, e.enabled_events])).toEqual([[trigger.url, ['payment_intent.succeeded']]]);
			expect(trigger.staticData().webhookId).toBe(endpoints[0].id);
		} finally {
			await trigger.close();
		}
	});

	test('deactivating when the endpoint is already gone succeeds', async () => {
		const trigger = await activeTrigger();
		try {
			fake.webhooks.reset();
			await expect(trigger.deactivate()).resolves.toBe(true);
		} finally {
			await trigger.close();
		}
	});
});

describe('Tilled Trigger: deliveries', () => {
	test('"Listen for test event": an endpoint for n8n\'s test URL, a paid session arrives there, removed after', async () => {
		const trigger = await startWebhookTrigger(credentials, PARAMETERS, { isTest: true });
		try {
			await trigger.activate();
			const [endpoint] = fake.webhooks.endpoints();
			expect(endpoint.url).toBe(trigger.url);
			expect(endpoint.url).toContain('/webhook-test/');
			const [session] = fake.sessions.seedSessions(1, { metadata: { order_id: 'ORD-TEST' } });
			await fake.webhooks.pay(session.id);
			expect(trigger.deliveries[0].items![0]).toMatchObject({ checkout_session: { id: session.id, metadata: { order_id: 'ORD-TEST' } } });
			await trigger.deactivate();
			expect(fake.webhooks.endpoints()).toEqual([]);
		} finally {
			await trigger.close();
		}
	});


	test('paying a session runs once with the event and the checkout session and its metadata', async () => {
		const trigger = await activeTrigger();
		try {
			const [session] = fake.sessions.seedSessions(1, { metadata: { order_id: 'ORD-7' } });
			const { event, deliveries } = await fake.webhooks.pay(session.id);
			expect(deliveries.map((d: any) => d.statuses)).toEqual([[200]]);
			expect(trigger.deliveries).toHaveLength(1);
			const [item] = trigger.deliveries[0].items!;
			expect(item).toMatchObject({
				id: event.id,
				type: 'payment_intent.succeeded',
				account_id: ACCOUNT_ID,
				data: { id: session.payment_intent_id, status: 'succeeded' },
				checkout_session: { id: session.id, status: 'complete', metadata: { order_id: 'ORD-7' } },
			});
			const lookup = fake.requests.find((r) => r.path === '/v1/checkout-sessions')!;
			expect(lookup.query).toEqual({ payment_intent_id: session.payment_intent_id, offset: '0', limit: '1' });
			expect(lookup.headers['tilled-account']).toBe(ACCOUNT_ID);
		} finally {
			await trigger.close();
		}
	});

	test.each([
		['a forged signature', { badSignature: true }, 'no v1 signature matches the body'],
		['a timestamp 4 days old', { veryLate: true }, 'the signature timestamp is outside the 3-day tolerance'],
	])('%s gets 401 on every retry and nothing runs', async (_name, faults, reason) => {
		const trigger = await activeTrigger();
		try {
			const [session] = fake.sessions.seedSessions(1);
			const { deliveries } = await fake.webhooks.pay(session.id, faults);
			expect(deliveries[0].statuses).toEqual([401, 401, 401, 401]);
			expect(trigger.deliveries.every((d) => d.status === 401 && d.items === undefined)).toBe(true);
			expect(trigger.deliveries[0].body).toEqual({ message: 'invalid tilled-signature', reason });
			expect(fake.requests.filter((r) => r.path === '/v1/checkout-sessions')).toEqual([]);
		} finally {
			await trigger.close();
		}
	});

	test('a retry signed with its first attempt\'s timestamp, 10 minutes old (an outage longer than 5 minutes), still runs, once', async () => {
		const trigger = await activeTrigger();
		try {
			const [session] = fake.sessions.seedSessions(1);
			const { event, deliveries } = await fake.webhooks.pay(session.id, { late: true, twice: true });
			expect(deliveries.map((d: any) => d.statuses)).toEqual([[200], [200]]);
			expect(trigger.deliveries.filter((d) => d.items !== undefined).map((d) => d.items![0].id)).toEqual([event.id]);
		} finally {
			await trigger.close();
		}
	});

	test('a delivery before n8n stored the signing secret gets 503 with Retry-After, and nothing runs', async () => {
		const trigger = await activeTrigger();
		try {
			// As in the moment between Tilled creating the endpoint and n8n saving the secret.
			const secret = trigger.staticData().webhookSecret;
			delete trigger.staticData().webhookSecret;
			const [session] = fake.sessions.seedSessions(1);
			const { deliveries } = await fake.webhooks.pay(session.id);
			expect(deliveries[0].statuses).toEqual([503, 503, 503, 503]);
			expect(trigger.deliveries.every((d) => d.status === 503 && d.items === undefined && d.headers?.['retry-after'] === '5')).toBe(true);
			expect(trigger.deliveries[0].body).toEqual({
				message: 'not ready: no signing secret is stored',
				reason: 'if this lasts, deactivate and activate the workflow',
			});
			expect(fake.requests.filter((r) => r.path === '/v1/checkout-sessions')).toEqual([]);

			// Once the secret is there, Tilled's next delivery runs.
			trigger.staticData().webhookSecret = secret;
			const again = await fake.webhooks.pay(fake.sessions.seedSessions(1)[0].id);
			expect(again.deliveries[0].statuses).toEqual([200]);
			expect(trigger.deliveries.at(-1)?.items).toHaveLength(1);
		} finally {
			await trigger.close();
		}
	});

	test('a missing header gets 401', async () => {
		const trigger = await activeTrigger();
		try {
			const response = await fetch(trigger.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":"evt_x","type":"payment_intent.succeeded"}' });
			expect(response.status).toBe(401);
			expect(trigger.deliveries[0].items).toBeUndefined();
		} finally {
			await trigger.close();
		}
	});

	test('the same event delivered twice runs once; a retry after a failed lookup runs', async () => {
		const trigger = await activeTrigger();
		try {
			const [session] = fake.sessions.seedSessions(1);
			await fake.webhooks.pay(session.id, { twice: true });
			expect(trigger.deliveries.map((d) => d.items?.length ?? 0)).toEqual([1, 0]);
			expect(trigger.deliveries[1].body).toEqual({ received: true, ignored: 'duplicate delivery' });

			// The session lookup fails with 500: answered 503 (no run starts), Tilled retries, the retry runs.
			const [other] = fake.sessions.seedSessions(1);
			fake.injectFault({ match: { method: 'GET', path: '/v1/checkout-sessions' }, kind: 'status', status: 500 });
			const { deliveries } = await fake.webhooks.pay(other.id);
			expect(deliveries[0].statuses).toEqual([503, 200]);
			expect(trigger.deliveries.slice(2).map((d) => d.items?.length ?? 0)).toEqual([0, 1]);
		} finally {
			await trigger.close();
		}
	});

	test("a connected account's event is ignored unless All Connected Accounts is on", async () => {
		const only = await activeTrigger();
		try {
			const [session] = fake.sessions.seedSessions(1, { account_id: CONNECTED_ACCOUNT_ID });
			const { event } = await fake.webhooks.pay(session.id);
			expect(event.account_id).toBe(CONNECTED_ACCOUNT_ID);
			expect(only.deliveries).toHaveLength(1);
			expect(only.deliveries[0]).toMatchObject({ status: 200, items: undefined, body: { ignored: 'event type or account not selected' } });
			expect(fake.requests.filter((r) => r.path === '/v1/checkout-sessions')).toEqual([]);
		} finally {
			await only.close();
		}
	});

	test("All Connected Accounts: a connected account's event runs with that account's session, looked up as that account; the credential's own still works", async () => {
		const all = await activeTrigger({ ...PARAMETERS, options: { allAccounts: true } });
		try {
			const [theirs] = fake.sessions.seedSessions(1, { account_id: CONNECTED_ACCOUNT_ID, metadata: { order_id: 'ORD-C' } });
			const [own] = fake.sessions.seedSessions(1, { metadata: { order_id: 'ORD-O' } });
			await fake.webhooks.pay(theirs.id);
			await fake.webhooks.pay(own.id);
			expect(all.deliveries.map((d) => d.status)).toEqual([200, 200]);
			const [connectedItem] = all.deliveries[0].items!;
			const [ownItem] = all.deliveries[1].items!;
			expect(connectedItem).toMatchObject({
				account_id: CONNECTED_ACCOUNT_ID,
				checkout_session: { id: theirs.id, account_id: CONNECTED_ACCOUNT_ID, metadata: { order_id: 'ORD-C' } },
			});
			expect(ownItem).toMatchObject({ account_id: ACCOUNT_ID, checkout_session: { id: own.id, metadata: { order_id: 'ORD-O' } } });
			// One lookup each, with the credential's key, acting for the event's account.
			const lookups = fake.requests.filter((r) => r.path === '/v1/checkout-sessions');
			expect(lookups.map((r) => [r.query.payment_intent_id, r.headers['tilled-account'], r.status])).toEqual([
				[theirs.payment_intent_id, CONNECTED_ACCOUNT_ID, 200],
				[own.payment_intent_id, ACCOUNT_ID, 200],
			]);
			expect(lookups.every((r) => r.headers['tilled-api-key'] === API_KEY)).toBe(true);
			// The endpoint itself is the credential's account's, as before.
			expect(fake.requests.filter((r) => r.path.startsWith('/v1/webhook-endpoints')).every((r) => r.headers['tilled-account'] === ACCOUNT_ID)).toBe(true);
		} finally {
			await all.close();
		}
	});

	test('All Connected Accounts: an account the key may not act for gets 503 twice, then runs with checkout_session_error naming the account (403)', async () => {
		const all = await activeTrigger({ ...PARAMETERS, options: { allAccounts: true } });
		try {
			const event = fake.webhooks.recordEvent({ type: 'payment_intent.succeeded', account_id: 'acct_not_connected', data: { id: 'pi_foreign' } });
			const [delivery] = await fake.webhooks.deliver(event);
			expect(delivery.statuses).toEqual([503, 503, 200]);
			expect(all.deliveries[0].body).toMatchObject({ message: `the lookup for event ${event.id} (pi_foreign) failed; send it again later` });
			const runs = all.deliveries.filter((d) => d.items !== undefined);
			expect(runs).toHaveLength(1);
			const [item] = runs[0].items!;
			expect(item).toMatchObject({ id: event.id, checkout_session: null });
			expect(String(item.checkout_session_error)).toMatch(/Tilled could not list checkout sessions of account acct_not_connected: Forbidden resource \[HTTP 403/);
			expect(JSON.stringify(all.deliveries)).not.toContain(API_KEY);
		} finally {
			await all.close();
		}
	});

	test('Include Checkout Session off: the event alone, no lookup; a payment without a session has null', async () => {
		const off = await activeTrigger({ ...PARAMETERS, options: { includeCheckoutSession: false } });
		try {
			const [session] = fake.sessions.seedSessions(1);
			await fake.webhooks.pay(session.id);
			expect(off.deliveries[0].items![0]).not.toHaveProperty('checkout_session');
			expect(fake.requests.filter((r) => r.path === '/v1/checkout-sessions')).toEqual([]);
		} finally {
			await off.close();
		}
		fake.webhooks.reset();
		const on = await activeTrigger();
		try {
			const event = fake.webhooks.recordEvent({ type: 'payment_intent.succeeded', data: { id: 'pi_not_from_checkout' } });
			await fake.webhooks.deliver(event);
			expect(on.deliveries[0].items![0]).toMatchObject({ id: event.id, checkout_session: null });
		} finally {
			await on.close();
		}
	});

	test('a session lookup that hangs: the delivery is answered 503 well within the sender\'s 10 s timeout, and the retry runs the payment once', async () => {
		const trigger = await activeTrigger();
		try {
			const [session] = fake.sessions.seedSessions(1, { metadata: { order_id: 'ORD-SLOW' } });
			// A sender that gives up on an attempt after 10 s and retries, as Tilled does.
			fake.webhooks.setDeliveryOptions({ retries: 3, retryDelayMs: 50, timeoutMs: 10_000 });
			// Tilled's list hangs for the first delivery's lookups, then answers again.
			fake.injectFault({ match: { method: 'GET', path: '/v1/checkout-sessions' }, kind: 'hang', times: 3 });
			const { event, deliveries } = await fake.webhooks.pay(session.id);
			// Answered each time (never the sender's 'timeout'): 503 until the lookup works, then 200.
			expect(deliveries[0].statuses.at(-1)).toBe(200);
			expect(deliveries[0].statuses.slice(0, -1)).toEqual(expect.arrayContaining([503]));
			expect(deliveries[0].statuses.slice(0, -1).every((status: number | string) => status === 503)).toBe(true);
			expect(trigger.deliveries[0]).toMatchObject({ status: 503, headers: { 'retry-after': expect.any(String) } });
			expect(JSON.stringify(trigger.deliveries[0].body)).toContain(event.id);
			expect(trigger.deliveries.filter((d) => d.items !== undefined).map((d) => d.items![0])).toEqual([
				expect.objectContaining({ id: event.id, checkout_session: expect.objectContaining({ id: session.id }) }),
			]);
		} finally {
			await trigger.close();
		}
	}, 60_000);

	test('a duplicate of a delivery still being prepared is answered 503 so that it comes again; once the first ran, a duplicate gets 200 and runs nothing', async () => {
		const trigger = await activeTrigger();
		try {
			const [session] = fake.sessions.seedSessions(1);
			// The first lookup hangs a while, so the second delivery comes while the first is in flight.
			fake.injectFault({ match: { method: 'GET', path: '/v1/checkout-sessions' }, kind: 'hang', times: 1 });
			fake.webhooks.setDeliveryOptions({ retries: 4, retryDelayMs: 1000, timeoutMs: 10_000 });
			const event = fake.webhooks.recordEvent({ type: 'payment_intent.succeeded', account_id: ACCOUNT_ID, data: { id: session.payment_intent_id } });
			const first = fake.webhooks.deliver(event);
			await until(() => fake.requests.some((r) => r.path === '/v1/checkout-sessions'));
			const [second] = await fake.webhooks.deliver(event);
			const [firstDone] = await first;
			expect(firstDone.statuses).toEqual([200]);
			expect(second.statuses[0]).toBe(503);
			expect(second.statuses.at(-1)).toBe(200);
			const answers = trigger.deliveries.map((d) => (d.items ? 'run' : `${d.status} ${JSON.stringify(d.body)}`));
			expect(answers.filter((a) => a === 'run')).toHaveLength(1);
			expect(answers.at(-1)).toBe('200 {"received":true,"ignored":"duplicate delivery"}');
		} finally {
			await trigger.close();
		}
	}, 60_000);

	test('a lookup that keeps failing is answered 503 a few times, then the event runs with checkout_session null and checkout_session_error: never dropped', async () => {
		const trigger = await activeTrigger();
		try {
			const [session] = fake.sessions.seedSessions(1);
			fake.injectFault({ match: { method: 'GET', path: '/v1/checkout-sessions' }, kind: 'status', status: 403, times: Infinity });
			fake.webhooks.setDeliveryOptions({ retries: 5, retryDelayMs: 5 });
			const { event, deliveries } = await fake.webhooks.pay(session.id);
			expect(deliveries[0].statuses.at(-1)).toBe(200);
			expect(deliveries[0].statuses.slice(0, -1).every((status: number | string) => status === 503)).toBe(true);
			const runs = trigger.deliveries.filter((d) => d.items !== undefined);
			expect(runs).toHaveLength(1);
			expect(runs[0].items![0]).toMatchObject({ id: event.id, checkout_session: null, checkout_session_error: expect.stringMatching(/Forbidden/) });
			expect(String(runs[0].items![0].checkout_session_error)).not.toContain(API_KEY);
		} finally {
			await trigger.close();
		}
	}, 60_000);
});

async function until(check: () => boolean, deadlineMs = 20_000) {
	const started = Date.now();
	while (!check()) {
		if (Date.now() - started > deadlineMs) throw new Error('condition not met');
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}
