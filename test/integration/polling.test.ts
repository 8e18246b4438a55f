// The Tilled Polling Trigger through n8n-core's PollContext against the fake Tilled's
// GET /v1/events: every event arrives exactly once across polls, including events recorded
// while a poll is reading, events Tilled makes visible late, and a Tilled clock ahead of n8n's.
import { pollingTrigger } from '../harness/trigger';
import { ACCOUNT_ID, CONNECTED_ACCOUNT_ID, useFakeTilled, type FakeTilled } from '../harness/fake';
import type { TilledCredentialData } from '../harness/n8n';
import { MAX_EVENTS_PER_POLL } from '../../nodes/Tilled/trigger/polling';

let fake: FakeTilled & { webhooks: any };
let credentials: TilledCredentialData;
useFakeTilled((started) => {
	fake = started.fake as typeof fake;
	credentials = started.credentials;
});
beforeEach(() => fake.webhooks.reset());

const paid = (piId: string, extra: Record<string, unknown> = {}) =>
	fake.webhooks.recordEvent({ type: 'payment_intent.succeeded', data: { id: piId, object: 'payment_intent', status: 'succeeded' }, ...extra });
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

test('50 events across several polls arrive exactly once, oldest first within a poll', async () => {
	const trigger = pollingTrigger(credentials, { events: ['payment_intent.succeeded'], options: {} });
	// Before activation: taken note of on the first poll, never emitted.
	const before = [paid('pi_before_1'), paid('pi_before_2')];
	expect(await trigger.poll()).toEqual([]);

	const expected: string[] = [];
	const emitted: string[] = [];
	const take = async () => {
		const items = await trigger.poll();
		const created = items.map((item) => Date.parse(String(item.created_at)));
		expect(created).toEqual([...created].sort((a, b) => a - b));
		emitted.push(...items.map((item) => String(item.id)));
		return items;
	};

	// Poll 2: 12 new events, plus ones that must not come (another type, another account).
	for (let i = 0; i < 12; i++) expected.push(paid(`pi_a${i}`).id);
	fake.webhooks.recordEvent({ type: 'charge.failed', data: { id: 'ch_1' } });
	paid('pi_other_account', { account_id: CONNECTED_ACCOUNT_ID });
	expect(await take()).toHaveLength(12);

	// Poll 3: 10 events, and 5 more recorded during the poll, after it read the events (while it
	// looks up the first checkout session).
	for (let i = 0; i < 10; i++) expected.push(paid(`pi_b${i}`).id);
	fake.injectFault({
		match: { method: 'GET', path: '/v1/checkout-sessions' },
		kind: 'call',
		run: () => {
			for (let i = 0; i < 5; i++) expected.push(paid(`pi_during${i}`).id);
		},
	});
	expect(await take()).toHaveLength(10);

	// Poll 4: those 5, 8 new ones, and 3 Tilled made visible late (created 2 minutes ago).
	for (let i = 0; i < 8; i++) expected.push(paid(`pi_c${i}`).id);
	for (let i = 0; i < 3; i++) expected.push(paid(`pi_late${i}`, { created_at: ago(120_000 - i) }).id);
	expect(await take()).toHaveLength(16);

	// Poll 5: Tilled's clock runs 3 minutes ahead of n8n's; then 4 events at Tilled's "now",
	// which is behind the newest created_at the trigger has seen.
	for (let i = 0; i < 8; i++) expected.push(paid(`pi_ahead${i}`, { created_at: new Date(Date.now() + 180_000 + i).toISOString() }).id);
	expect(await take()).toHaveLength(8);
	for (let i = 0; i < 4; i++) expected.push(paid(`pi_d${i}`).id);
	expect(await take()).toHaveLength(4);

	// Nothing new: nothing emitted.
	expect(await take()).toEqual([]);

	expect(expected).toHaveLength(50);
	expect([...emitted].sort()).toEqual([...expected].sort());
	expect(new Set(emitted).size).toBe(50);
	for (const event of before) expect(emitted).not.toContain(event.id);

	// Every poll asked only for the chosen type, from 5 minutes behind its cursor.
	const polls = fake.requests.filter((r) => r.path === '/v1/events');
	for (const request of polls) {
		expect(request.query.types).toEqual({ '': 'payment_intent.succeeded' });
		expect(Date.parse(request.query.created_at_gte)).toBeGreaterThan(Date.now() - 10 * 60_000);
	}
	// The seen ids stay bounded by the window, not by the history.
	expect((trigger.staticData().seenIds as string[]).length).toBeLessThanOrEqual(52);
});

test('a page of more than 100 events in one poll: every one, once; the checkout session is added', async () => {
	const trigger = pollingTrigger(credentials, { events: ['*'], options: {} });
	await trigger.poll();
	const [session] = fake.sessions.seedSessions(1, { metadata: { order_id: 'ORD-9' } });
	const ids: string[] = [];
	for (let i = 0; i < 130; i++) ids.push(paid(`pi_bulk${i}`).id);
	ids.push(paid(session.payment_intent_id).id);
	fake.clearRequests();
	const items = await trigger.poll();
	expect(items.map((item) => item.id)).toEqual(ids);
	expect(items[130]).toMatchObject({ checkout_session: { id: session.id, metadata: { order_id: 'ORD-9' } } });
	expect(items[0]).toMatchObject({ checkout_session: null });
	const pages = fake.requests.filter((r) => r.path === '/v1/events');
	// One event to learn the total, then the pages from the oldest wanted to the end.
	expect(pages.map((r) => [r.query.offset, r.query.limit])).toEqual([['0', '1'], ['0', '100'], ['100', '100']]);
	expect(pages[0].query.types).toBeUndefined();
	expect(await trigger.poll()).toEqual([]);
});

test('a failed poll loses nothing: the next poll emits what it could not', async () => {
	const trigger = pollingTrigger(credentials, { events: ['payment_intent.succeeded'], options: {} });
	await trigger.poll();
	const ids = [paid('pi_x1').id, paid('pi_x2').id];
	fake.injectFault({ match: { method: 'GET', path: '/v1/events' }, kind: 'status', status: 500 });
	await expect(trigger.poll()).rejects.toThrow(/Tilled could not/);
	const items = await trigger.poll();
	expect(items.map((item) => item.id)).toEqual(ids);
});

test('one event whose lookup always fails holds back no other: it comes with checkout_session_error, the others with their sessions', async () => {
	const trigger = pollingTrigger(credentials, { events: ['payment_intent.succeeded'], options: {} });
	await trigger.poll();
	const good = fake.sessions.seedSessions(2, { metadata: { order_id: 'ORD-G' } });
	const bad = paid('pi_forbidden');
	const goodEvents = good.map((session) => paid(session.payment_intent_id));
	fake.injectFault({
		match: { method: 'GET', path: '/v1/checkout-sessions' },
		kind: 'decide',
		times: Infinity,
		run: (ctx: { query: Record<string, unknown> }) =>
			ctx.query.payment_intent_id === 'pi_forbidden' ? { status: 403, json: { statusCode: 403, message: 'Forbidden resource' } } : undefined,
	});
	const items = await trigger.poll();
	expect(items.map((item) => item.id)).toEqual([bad.id, ...goodEvents.map((event) => event.id)]);
	expect(items[0].checkout_session).toBeNull();
	expect(items[0].checkout_session_error).toEqual(expect.stringContaining(`event ${bad.id}`));
	expect(items[0].checkout_session_error).toEqual(expect.stringContaining('payment intent pi_forbidden'));
	expect(items[0].checkout_session_error).toEqual(expect.stringContaining('Forbidden resource'));
	expect(items.slice(1)).toMatchObject(good.map((session) => ({ checkout_session: { id: session.id } })));
	// The cursor moved on: nothing comes again.
	expect(await trigger.poll()).toEqual([]);
});

test('two overlapping polls (a poll that outlasts the interval) emit each event once', async () => {
	const trigger = pollingTrigger(credentials, { events: ['payment_intent.succeeded'], options: {} });
	await trigger.poll();
	const ids = [paid('pi_o1').id, paid('pi_o2').id, paid('pi_o3').id];
	// The first poll's lookups are slow, so the second starts while the first is still working.
	fake.injectFault({ match: { method: 'GET', path: '/v1/checkout-sessions' }, kind: 'call', times: Infinity, run: () => new Promise((r) => setTimeout(r, 30)) });
	const [first, second] = await Promise.all([trigger.poll(), trigger.poll()]);
	const third = await trigger.poll();
	const emitted = [...first, ...second, ...third].map((item) => String(item.id));
	expect(emitted.sort()).toEqual([...ids].sort());
});

test('20,000 events behind the cursor (a long outage): all come out once, in order, a bounded number per poll', async () => {
	const trigger = pollingTrigger(credentials, { events: ['payment_intent.succeeded'], options: { includeCheckoutSession: false } });
	await trigger.poll();
	// n8n was down for 6 hours: the cursor is 6 hours old, and an event a second came meanwhile.
	const start = Date.now() - 6 * 3600_000;
	Object.assign(trigger.staticData(), { cursorMs: start, seenIds: [] });
	const expected: string[] = [];
	for (let i = 0; i < 20_000; i++) expected.push(paid(`pi_outage${i}`, { created_at: new Date(start + 1000 + i * 1000).toISOString() }).id);
	const emitted: string[] = [];
	let polls = 0;
	for (;;) {
		const items = await trigger.poll();
		polls++;
		expect(items.length).toBeLessThanOrEqual(MAX_EVENTS_PER_POLL);
		if (items.length === 0) break;
		emitted.push(...items.map((item) => String(item.id)));
		expect(polls).toBeLessThan(100);
	}
	expect(emitted).toHaveLength(20_000);
	expect(emitted).toEqual(expected);
	expect(polls).toBe(Math.ceil(20_000 / MAX_EVENTS_PER_POLL) + 1);
}, 600_000);

test('"Fetch test event" returns the newest matching event and leaves the cursor alone', async () => {
	const trigger = pollingTrigger(credentials, { events: ['payment_intent.succeeded'], options: { includeCheckoutSession: false } });
	paid('pi_old');
	const newest = paid('pi_new');
	paid('pi_foreign', { account_id: CONNECTED_ACCOUNT_ID });
	const items = await trigger.poll('manual');
	expect(items.map((item) => item.id)).toEqual([newest.id]);
	expect(items[0].account_id).toBe(ACCOUNT_ID);
	expect(trigger.staticData().cursorMs).toBeUndefined();
});

test("a connected account's event: skipped without All Connected Accounts; with it, emitted with that account's session", async () => {
	const [theirs] = fake.sessions.seedSessions(1, { account_id: CONNECTED_ACCOUNT_ID, metadata: { order_id: 'ORD-C' } });
	const [own] = fake.sessions.seedSessions(1, { metadata: { order_id: 'ORD-O' } });
	const only = pollingTrigger(credentials, { events: ['payment_intent.succeeded'], options: {} });
	const all = pollingTrigger(credentials, { events: ['payment_intent.succeeded'], options: { allAccounts: true } });
	await only.poll();
	await all.poll();
	const connectedEvent = paid(theirs.payment_intent_id, { account_id: CONNECTED_ACCOUNT_ID });
	const ownEvent = paid(own.payment_intent_id);

	fake.clearRequests();
	expect((await only.poll()).map((item) => item.id)).toEqual([ownEvent.id]);
	expect(fake.requests.filter((r) => r.path === '/v1/checkout-sessions').map((r) => r.headers['tilled-account'])).toEqual([ACCOUNT_ID]);

	fake.clearRequests();
	const items = await all.poll();
	expect(items).toMatchObject([
		{ id: connectedEvent.id, checkout_session: { id: theirs.id, account_id: CONNECTED_ACCOUNT_ID, metadata: { order_id: 'ORD-C' } } },
		{ id: ownEvent.id, checkout_session: { id: own.id, metadata: { order_id: 'ORD-O' } } },
	]);
	const lookups = fake.requests.filter((r) => r.path === '/v1/checkout-sessions');
	expect(lookups.map((r) => r.headers['tilled-account'])).toEqual([CONNECTED_ACCOUNT_ID, ACCOUNT_ID]);
	// The events are read as the credential's own account.
	expect(fake.requests.filter((r) => r.path === '/v1/events').every((r) => r.headers['tilled-account'] === ACCOUNT_ID)).toBe(true);
});

test('Include Related Objects: the session behind payment and refund events; a dispute or payout sent as a reference is fetched whole; nothing for whole objects or other families', async () => {
	const payments = (fake as unknown as { payments: any }).payments;
	const trigger = pollingTrigger(credentials, { events: ['*'], includeRelatedObjects: true, options: {} });
	await trigger.poll();
	const [session] = fake.sessions.seedSessions(1, { metadata: { order_id: 'ORD-R' } });
	const { event: paidEvent } = await fake.webhooks.pay(session.id);
	const intent = payments.paymentIntent(paidEvent.data.id);
	const charge = intent.charges[0];
	const dispute = payments.openDispute(charge.id);
	const refundEvent = fake.webhooks.recordEvent({
		type: 'charge.refund.updated',
		data: { id: 're_1', object: 'refund', status: 'succeeded', amount: 100, payment_intent_id: intent.id, charge_id: charge.id },
	});
	const thinDispute = fake.webhooks.recordEvent({ type: 'dispute.updated', data: { id: dispute.id } });
	const thinPayout = fake.webhooks.recordEvent({ type: 'payout.paid', data: { id: 'po_missing' } });
	fake.webhooks.recordEvent({ type: 'customer.created', data: { id: 'cus_1', object: 'customer' } });
	fake.clearRequests();
	const items = await trigger.poll();
	const byId = new Map(items.map((item) => [item.id, item]));

	expect(byId.get(paidEvent.id)).toMatchObject({ checkout_session: { id: session.id, metadata: { order_id: 'ORD-R' } } });
	// A refund event's data is the whole refund: the session it refunds is added, no refund lookup.
	expect(byId.get(refundEvent.id)).toMatchObject({ checkout_session: { id: session.id } });
	expect(byId.get(refundEvent.id)).not.toHaveProperty('refund');
	// dispute.created carries the whole dispute: nothing added.
	const created = items.find((item) => item.type === 'dispute.created')!;
	expect(created).not.toHaveProperty('dispute');
	expect(Object.keys(created).sort()).toEqual(['account_id', 'created_at', 'data', 'id', 'type']);
	// A reference only: fetched whole, or null with an error naming the event and the object.
	expect(byId.get(thinDispute.id)).toMatchObject({ dispute: { id: dispute.id, charge_id: charge.id, status: dispute.status } });
	expect(byId.get(thinPayout.id)).toMatchObject({ payout: null });
	expect(byId.get(thinPayout.id)!.payout_error).toMatch(new RegExp(`^Could not look up the payout of event ${thinPayout.id} \\(payout po_missing\\): .*404`));
	const customer = items.find((item) => item.type === 'customer.created')!;
	expect(Object.keys(customer).sort()).toEqual(['account_id', 'created_at', 'data', 'id', 'type']);
	expect(fake.requests.filter((r) => r.path.startsWith('/v1/refunds'))).toEqual([]);

	// Off: the events as Tilled sent them, no lookups.
	const off = pollingTrigger(credentials, { events: ['*'], includeRelatedObjects: false, options: {} });
	await off.poll();
	fake.webhooks.recordEvent({ type: 'dispute.updated', data: { id: dispute.id } });
	fake.clearRequests();
	const [plain] = await off.poll();
	expect(plain).not.toHaveProperty('dispute');
	expect(fake.requests.filter((r) => r.path.startsWith('/v1/disputes'))).toEqual([]);
});
