// The Tilled Trigger's webhook endpoint under attack and under load, through n8n-core's real
// WebhookContext (test/harness/trigger.ts) against the fake Tilled.
//
// Fuzz: 10,000 deliveries (WEBHOOK_FUZZ_RUNS) with random and malformed tilled-signature headers,
// bodies from empty to 1 MB, wrong content types, replays of a valid delivery's header with other
// bodies, timestamps in seconds instead of milliseconds, signatures 4 days old or made with another
// secret; among them, now and then, a genuine payment. Nothing unsigned runs, nothing crashes, and
// every answer is bounded: one short 401 per request, and no request to Tilled from unsigned input.
//
// Burst: 1,000 payments delivered at once while the fake allows 100 session lookups a second: every
// payment runs exactly once, none is lost.
import crypto from 'node:crypto';
import { startWebhookTrigger } from '../harness/trigger';
import { API_KEY, useFakeTilled, type FakeTilled } from '../harness/fake';
import { report } from '../harness/report';
import type { TilledCredentialData } from '../harness/n8n';

import { signPayload as sign } from '../../nodes/Tilled/trigger/signature';

let fake: FakeTilled & { webhooks: any };
let credentials: TilledCredentialData;
const figures = { webhookDeliveriesFuzzed: 0, unsignedRuns: 0, webhookCrashes: 0, burstPayments: 0, burstRuns: 0, burstLost: 0, burstDuplicated: 0 };
useFakeTilled((started) => ({ fake, credentials } = started as typeof started & { fake: typeof fake }), {
	beforeClose: () => report({ type: 'figures', source: 'webhook.test', ...figures }),
});
beforeEach(() => {
	fake.webhooks.reset();
	fake.webhooks.setDeliveryOptions({ retries: 3, retryDelayMs: 5, timeoutMs: 30_000 });
});

const PARAMETERS = { events: ['payment_intent.succeeded'], options: {} };
const RUNS = Number(process.env.WEBHOOK_FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
/** Every GENUINE_EVERY-th case is a real, signed payment, so the fuzz can see a run when one happens. */
const GENUINE_EVERY = 500;
const CONCURRENCY = 8;

/** mulberry32: a small seeded generator, so a failing case can be run again. */
function random(seed: number) {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function generators(next: () => number) {
	const int = (max: number) => Math.floor(next() * (max + 1));
	const pick = <T>(items: readonly T[]) => items[int(items.length - 1)];
	/** Printable Latin-1 (what an HTTP header can carry), with the characters signatures use often. */
	const headerText = (max: number) => {
		const alphabet = 't=v1,0123456789abcdef ABCDEFxyz;:-_.~!"#$%&\'()*+/<>?@[\\]^`{|}\u00e9\u00ff';
		let text = '';
		for (let length = int(max); text.length < length; ) text += alphabet[int(alphabet.length - 1)];
		return text;
	};
	const hex = (length: number) => crypto.randomBytes(Math.ceil(length / 2) + 1).toString('hex').slice(0, length);
	const body = (): Buffer => {
		const size = pick([0, 1, 2, 16, 200, 2_000, 20_000, 65_536, next() < 0.1 ? 1_048_576 : 4_096]);
		switch (int(3)) {
			case 0:
				return crypto.randomBytes(size);
			case 1:
				return Buffer.from(JSON.stringify({ id: `evt_${hex(12)}`, type: 'payment_intent.succeeded', account_id: 'acct_test_merchant', data: { id: `pi_${hex(10)}`, pad: 'x'.repeat(size) } }));
			case 2:
				return Buffer.from('{"id":"evt_x","type":'.repeat(Math.max(1, size / 22)));
			default:
				return Buffer.alloc(size);
		}
	};
	const contentType = () =>
		pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', '', 'application/json; charset=latin1']);
	return { int, pick, headerText, hex, body, contentType };
}

describe('Tilled Trigger webhook endpoint: fuzz', () => {
	test(`${RUNS.toLocaleString('en')} deliveries with broken signatures, odd bodies and content types: 0 runs from unsigned input, 0 crashes, one short 401 each`, async () => {
		const trigger = await startWebhookTrigger(credentials, PARAMETERS);
		const next = random(SEED);
		const g = generators(next);
		try {
			await trigger.activate();
			const secret = String(trigger.staticData().webhookSecret);
			// A genuine delivery, to replay its header with other bodies.
			const [paidSession] = fake.sessions.seedSessions(1);
			const genuine = await fake.webhooks.pay(paidSession.id);
			expect(genuine.deliveries[0].statuses).toEqual([200]);
			const genuineBody = JSON.stringify(genuine.event);
			const now = Date.now();
			const genuineHeader = `t=${now},v1=${sign(secret, now, genuineBody)}`;
			const genuinePayments = [genuine.event.id];
			const lookupsBefore = fake.requests.filter((r) => r.path === '/v1/checkout-sessions').length;
			const runsBefore = trigger.deliveries.filter((d) => d.items !== undefined).length;

			const unsignedAnswers: Array<{ kind: string; status: number; length: number }> = [];
			// What the endpoint answered, for the secrets check: neither the API key nor the signing secret.
			const answerTexts = new Set<string>();
			// RUNS unsigned cases, and one genuine payment after every GENUINE_EVERY - 1 of them.
			const cases = Array.from({ length: RUNS + Math.floor(RUNS / (GENUINE_EVERY - 1)) }, (_, index) => index);
			const one = async (index: number) => {
				if (index % GENUINE_EVERY === GENUINE_EVERY - 1) {
					const [session] = fake.sessions.seedSessions(1);
					const paid = await fake.webhooks.pay(session.id);
					genuinePayments.push(paid.event.id);
					return;
				}
				const kind = g.pick(['none', 'random', 'structured', 'replay', 'seconds', 'otherSecret', 'veryOld', 'future', 'emptyV1', 'many']);
				let rawBody = g.body();
				let header: string | undefined;
				const t = Date.now();
				switch (kind) {
					case 'none':
						break;
					case 'random':
						header = g.headerText(400);
						break;
					case 'structured':
						header = [`t=${g.pick([String(t), String(g.int(1e16)), '', '-1', '1e12', `${t}.5`, g.hex(8)])}`, ...Array.from({ length: g.int(4) }, () => `${g.pick(['v1', 'v0', 'v2', 'V1', ''])}=${g.hex(g.pick([0, 63, 64, 65, 128]))}`)].join(g.pick([',', ', ', ';', ',,']));
						break;
					case 'replay':
						// A valid header over another body: the genuine event changed a little, or anything.
						header = genuineHeader;
						rawBody = g.pick([
							Buffer.from(genuineBody.replace(/"amount_received":\d+/, '"amount_received":1')),
							Buffer.from(`${genuineBody} `),
							Buffer.from(genuineBody.replace(genuine.event.id, `evt_${g.hex(12)}`)),
							rawBody,
						]);
						break;
					case 'seconds': {
						// Signed with the real secret, but with a timestamp in seconds (1970 as milliseconds).
						const seconds = Math.floor(t / 1000);
						header = `t=${seconds},v1=${sign(secret, seconds, rawBody)}`;
						break;
					}
					case 'otherSecret':
						header = `t=${t},v1=${sign(`${secret}x`, t, rawBody)}`;
						break;
					case 'veryOld': {
						const old = t - 4 * 24 * 60 * 60_000;
						header = `t=${old},v1=${sign(secret, old, rawBody)}`;
						break;
					}
					case 'future': {
						const ahead = t + 10 * 60_000;
						header = `t=${ahead},v1=${sign(secret, ahead, rawBody)}`;
						break;
					}
					case 'emptyV1':
						header = `t=${t},v1=`;
						break;
					default:
						header = Array.from({ length: 200 }, () => `v1=${g.hex(64)}`).join(',') + `,t=${t}`;
				}
				const headers: Record<string, string> = {};
				const type = g.contentType();
				if (type) headers['content-type'] = type;
				if (header !== undefined) headers['tilled-signature'] = header;
				const response = await fetch(trigger.url, { method: 'POST', headers, body: new Uint8Array(rawBody) });
				const text = await response.text();
				unsignedAnswers.push({ kind, status: response.status, length: text.length });
				answerTexts.add(text);
				figures.webhookDeliveriesFuzzed++;
			};
			let position = 0;
			await Promise.all(
				Array.from({ length: CONCURRENCY }, async () => {
					while (position < cases.length) await one(cases[position++]);
				}),
			);

			report({ type: 'secret', value: API_KEY });
			report({ type: 'secret', value: secret });
			report({ type: 'exposure', source: 'webhook.test fuzz answers', text: [...answerTexts].join('\n') });
			const runs = trigger.deliveries.filter((d) => d.items !== undefined);
			const ranIds = runs.map((d) => d.items![0].id);
			figures.unsignedRuns += runs.length - runsBefore - (genuinePayments.length - 1);
			figures.webhookCrashes += trigger.deliveries.filter((d) => d.status >= 500).length;
			// Every answer to unsigned input: 401, short, and not one request to Tilled because of it.
			expect(unsignedAnswers.filter((a) => a.status !== 401)).toEqual([]);
			expect(Math.max(...unsignedAnswers.map((a) => a.length))).toBeLessThan(200);
			expect(trigger.deliveries.filter((d) => d.status >= 500)).toEqual([]);
			expect(ranIds).toEqual(genuinePayments);
			const lookups = fake.requests.filter((r) => r.path === '/v1/checkout-sessions').length - lookupsBefore;
			expect(lookups).toBe(genuinePayments.length - 1);
			expect(unsignedAnswers.length + genuinePayments.length - 1).toBe(cases.length);
			expect(unsignedAnswers.length).toBeGreaterThanOrEqual(RUNS);
			// Each kind was tried.
			expect(new Set(unsignedAnswers.map((a) => a.kind)).size).toBe(10);
		} finally {
			await trigger.close();
		}
	}, 15 * 60_000);
});

describe('Tilled Trigger webhook endpoint: burst', () => {
	test('1,000 payments delivered at once, session lookups limited to 100 a second: each runs exactly once, none lost', async () => {
		const trigger = await startWebhookTrigger(credentials, PARAMETERS);
		const count = 1000;
		try {
			await trigger.activate();
			const sessions = fake.sessions.seedSessions(count);
			fake.setRateLimit(100);
			// A sender that retries (1 s, 2 s, 4 s … apart) until a 2xx, as Tilled does.
			fake.webhooks.setDeliveryOptions({ retries: 12, retryDelayMs: 1000, timeoutMs: 10_000 });
			const paid = await Promise.all(sessions.map((session: any) => fake.webhooks.pay(session.id)));
			fake.setRateLimit(undefined);
			const runs = trigger.deliveries.filter((d) => d.items !== undefined).map((d) => d.items![0]);
			const ran = new Set(runs.map((item) => item.id));
			figures.burstPayments += count;
			figures.burstRuns += runs.length;
			figures.burstDuplicated += runs.length - ran.size;
			figures.burstLost += paid.filter(({ event }) => !ran.has(event.id)).length;
			expect(paid.map(({ deliveries }) => deliveries[0].statuses.at(-1)).filter((status) => status !== 200)).toEqual([]);
			expect(runs).toHaveLength(count);
			expect(ran.size).toBe(count);
			// Each with its session: the limit slowed lookups down, it did not drop them.
			expect(runs.filter((item) => item.checkout_session === null)).toEqual([]);
			expect(fake.rateLimited()).toBeGreaterThan(0);
		} finally {
			fake.setRateLimit(undefined);
			await trigger.close();
		}
	}, 10 * 60_000);
});
