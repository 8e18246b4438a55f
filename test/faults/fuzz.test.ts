// Property-based: over 10,000 random parameter sets for Create and Get Many, valid and invalid.
// Every request that reaches the fake Tilled validates against Tilled's schema (the fake answers
// 400 otherwise), and every invalid set fails with a NodeOperationError naming the item and the
// field before any request. No TypeError or other crash ever reaches the user. Most create cases
// stop after the node's checks (prepare, in the real ExecuteContext) and validate the body they
// would send; one in FULL_EVERY, and every list case, runs the whole execute against the fake.
import fc from 'fast-check';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { InvalidParameter } from '../../nodes/Tilled/shared/errors';
import { prepareItem, runNode, type TilledCredentialData } from '../harness/n8n';
import { useFakeTilled, type FakeTilled } from '../harness/fake';
import { report, reporting } from '../harness/report';

// The fake's own validator for Tilled's create body, to check bodies a second way.
const { getValidator, DEFS } = require('../fake-tilled/schema');

let fake: FakeTilled;
let credentials: TilledCredentialData;
const figures = { fuzzCases: 0, invalidRequests: 0 };
useFakeTilled((started) => ({ fake, credentials } = started), {
	beforeClose: () => report({ type: 'figures', source: 'fuzz.test', ...figures }),
});

const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
const CREATE_RUNS = Number(process.env.FUZZ_RUNS ?? 8000);
const LIST_RUNS = Math.round(CREATE_RUNS * 0.3125);
// Every FULL_EVERY-th create case runs the whole execute against the fake; the others run the
// same parameter reading and checks (prepare, in n8n-core's real ExecuteContext) and validate the
// body against Tilled's schema without sending it: a full execute costs mostly HTTP.
const FULL_EVERY = Number(process.env.FUZZ_FULL_EVERY ?? 8);

// ---- value generators: mostly plausible, sometimes wrong in every way ---------------------

/** A valid value most of the time, an invalid one now and then, so whole sets are often valid. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<U>, odds = 25) =>
	fc.oneof({ weight: odds, arbitrary: valid }, { weight: 1, arbitrary: invalid });

const currency = mostly(
	fc.constantFrom('usd', 'eur', 'gbp', 'jpy', 'cad', 'chf', 'USD', 'Eur'),
	fc.oneof(fc.constantFrom('btc', '', 'us dollar', 'usdd'), fc.anything()),
);
const amount = mostly(
	fc.oneof(fc.integer({ min: 1, max: 99_999_999 }), fc.constantFrom(0.01, 19.99, 0.29, 999999.99, '19.99', '12')),
	fc.oneof(
		fc.integer({ min: -5, max: 200_000_000 }),
		fc.double({ min: -10, max: 2_000_000 }),
		fc.constantFrom(0, 1.005, 1e-9, 'abc', null, Number.NaN, Number.POSITIVE_INFINITY),
		fc.anything(),
	),
	6,
);
const quantity = mostly(
	fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.constantFrom(0.0001, 1.2345, 2.5, '3')),
	fc.oneof(fc.double({ min: -1, max: 100 }), fc.constantFrom(0.00005, 1.23456, 0, -1), fc.anything()),
	8,
);
const text = (max: number) =>
	mostly(fc.string({ maxLength: max }), fc.oneof(fc.constantFrom('x'.repeat(max + 1)), fc.anything()));
const url = mostly(
	fc.webUrl({ validSchemes: ['http', 'https'] }),
	fc.oneof(fc.constantFrom('ftp://x.example/a', 'example.com', 'javascript:alert(1)', 'https://'), fc.string()),
	40,
);
const id = (prefix: string) =>
	mostly(
		fc.stringMatching(/^[A-Za-z0-9_]{1,30}$/).map((s) => prefix + s),
		fc.oneof(fc.constantFrom('', ' ', 'cs 1', 'a/b', '../x', 'x?y=1', 'x'.repeat(300)), fc.anything()),
	);
const pairs = (maxKeys: number) =>
	fc.oneof(
		{ weight: 25, arbitrary: fc.array(fc.record({ key: fc.string({ minLength: 1, maxLength: 40 }), value: fc.string({ maxLength: 60 }) }), { maxLength: 5 }) },
		{ weight: 1, arbitrary: fc.array(fc.record({ key: text(41), value: text(500) }), { maxLength: maxKeys }) },
	);
const lineItem = fc.record(
	{
		name: mostly(fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim() !== ''), fc.oneof(fc.constantFrom('', '   '), fc.anything())),
		description: text(500),
		imageUrls: fc.array(url, { maxLength: 3 }).map((list) => list.join(', ')),
		images: mostly(fc.array(url, { maxLength: 3 }), fc.array(url, { maxLength: 9 })),
		currency,
		unitAmount: amount,
		quantity,
	},
	{ requiredKeys: ['name', 'currency', 'unitAmount', 'quantity'] },
);
const expiresAt = mostly(
	fc.oneof(
		{ weight: 8, arbitrary: fc.integer({ min: 60_000, max: 30 * 86_400_000 }).map((offset) => new Date(Date.now() + offset).toISOString()) },
		// What expressions give: a JS Date, a Luxon DateTime.
		{ weight: 1, arbitrary: fc.integer({ min: 1, max: 43_200 }).map((minutes) => `={{ new Date(Date.now() + ${minutes * 60_000}) }}`) },
		{ weight: 1, arbitrary: fc.integer({ min: 1, max: 43_200 }).map((minutes) => `={{ $now.plus({ minutes: ${minutes} }) }}`) },
	),
	fc.oneof(
		fc.integer({ min: -86_400_000, max: 0 }).map((offset) => new Date(Date.now() + offset).toISOString()),
		fc.constantFrom('tomorrow', '2026-02-30T10:00:00', '={{ new Date("soon") }}', '={{ $now.minus({ days: 1 }) }}', '={{ 1767225600000 }}'),
	),
);

const createParameters = fc.record({
	amountFormat: fc.constantFrom('decimal', 'minor'),
	lineItemsInput: fc.constantFrom('fields', 'json', 'jsonString'),
	lineItems: mostly(fc.array(lineItem, { minLength: 1, maxLength: 3 }), fc.array(lineItem, { minLength: 0, maxLength: 104 })),
	sameCurrency: mostly(fc.constant(true), fc.constant(false), 8),
	paymentMethodTypes: mostly(
		fc.subarray(['card', 'ach_debit', 'eft_debit'], { minLength: 1 }),
		fc.constantFrom([], ['card', 'bitcoin'], ['card_present']),
	),
	additionalFields: fc.record(
		{
			successUrl: url,
			cancelUrl: url,
			customerId: id('cus_'),
			customerEmail: mostly(fc.emailAddress(), fc.constantFrom('nobody', 'a@b')),
			expiresAt,
			metadata: pairs(52).map((pair) => ({ pair })),
			paymentIntentMetadata: pairs(52).map((pair) => ({ pair })),
			platformFeeAmount: amount,
		},
		{ requiredKeys: [] },
	),
	// A leading "=" makes an n8n expression ("=a" resolves to "a"); keys are compared as typed here.
	idempotencyKey: fc.option(fc.string({ maxLength: 20 }).filter((k) => !k.startsWith('=')), { nil: undefined }),
});

type CreateCase = typeof createParameters extends fc.Arbitrary<infer T> ? T : never;

function toNodeParameters(c: CreateCase): Record<string, unknown> {
	// Most generated sessions share one currency, as real ones do; some mix them on purpose.
	const lines = c.sameCurrency ? c.lineItems.map((l) => ({ ...l, currency: c.lineItems[0].currency })) : c.lineItems;
	const base: Record<string, unknown> = {
		operation: 'create',
		amountFormat: c.amountFormat,
		paymentMethodTypes: c.paymentMethodTypes,
		additionalFields: c.additionalFields,
		options: { idempotencyKey: c.idempotencyKey ?? '', maxRetries: 0 },
	};
	if (c.lineItemsInput === 'fields') {
		return { ...base, lineItemsInput: 'fields', lineItems: { item: lines.map(({ images, ...rest }) => rest) } };
	}
	const jsonLines = lines.map(({ imageUrls, ...rest }) => rest);
	// As an array (what an expression gives) or as a JSON string (what the editor field holds).
	return {
		...base,
		lineItemsInput: 'json',
		lineItemsJson: c.lineItemsInput === 'json' ? jsonLines : JSON.stringify(jsonLines),
	};
}

/** The same check without a request: prepare's body must be valid for Tilled, or prepare names the field. */
function expectNamedErrorOrValidBody(parameters: Record<string, unknown>) {
	figures.fuzzCases++;
	let prepared: { body: Record<string, any> };
	try {
		prepared = prepareItem({ credentials, parameters }) as typeof prepared;
	} catch (error) {
		if (!(error instanceof InvalidParameter)) throw new Error(`not a parameter error: ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
		expect(error.field).toMatch(/^[A-Z]/);
		// What the user would read, for the secrets check.
		if (reporting()) report({ type: 'exposure', source: 'fuzz: prepare', text: error.message });
		return 'invalid';
	}
	// As run() sends it: with the node's marker in the metadata.
	const body = { ...prepared.body, metadata: { ...prepared.body.metadata, n8n_create_id: 'fuzz-0-marker' } };
	const validate = getValidator(DEFS.createParams);
	if (!validate(body)) {
		figures.invalidRequests++;
		throw new Error(`invalid body would reach Tilled: ${JSON.stringify(validate.errors)}`);
	}
	return 'valid';
}

/** The one check every case must pass, whatever the input. */
async function expectNamedErrorOrValidRequest(parameters: Record<string, unknown>) {
	fake.clearRequests();
	figures.fuzzCases++;
	let outcome: unknown;
	try {
		outcome = await runNode({ credentials, parameters });
	} catch (error) {
		outcome = error;
	}
	const sent = fake.requests.filter((r) => !(r.method === 'GET' && r.query?.metadata?.n8n_idempotency_key));
	const refused = fake.requests.filter((r) => r.status === 400);
	figures.invalidRequests += refused.length;
	if (refused.length > 0) {
		throw new Error(`Tilled refused what the node sent: ${JSON.stringify(refused.map((r) => r.rawBody ?? r.rawQuery))}`);
	}
	if (outcome instanceof Error) {
		if (!(outcome instanceof NodeOperationError) || outcome instanceof NodeApiError) {
			throw new Error(`not a NodeOperationError: ${outcome.constructor.name}: ${outcome.message}`);
		}
		expect(outcome.message).toMatch(/^Item 0: [A-Z][^:]* /);
		expect(sent).toEqual([]);
		return 'invalid';
	}
	for (const request of fake.requests.filter((r) => r.method === 'POST')) {
		const validate = getValidator(DEFS.createParams);
		if (!validate(request.body)) throw new Error(`invalid body reached Tilled: ${JSON.stringify(validate.errors)}`);
	}
	return 'valid';
}

test(`create: ${CREATE_RUNS} random parameter sets`, async () => {
	const seen = { valid: 0, invalid: 0 };
	// A valid case makes a session, unless its Idempotency Key was used before: then it gets that one.
	const keys = new Set<string>();
	let expectedSessions = 0;
	let caseNumber = 0;
	await fc.assert(
		fc.asyncProperty(createParameters, async (c) => {
			const full = caseNumber++ % FULL_EVERY === 0;
			const outcome = full ? await expectNamedErrorOrValidRequest(toNodeParameters(c)) : expectNamedErrorOrValidBody(toNodeParameters(c));
			seen[outcome]++;
			if (!full) return;
			if (outcome === 'valid' && !(c.idempotencyKey && keys.has(c.idempotencyKey))) expectedSessions++;
			if (outcome === 'valid' && c.idempotencyKey) keys.add(c.idempotencyKey);
		}),
		{ numRuns: CREATE_RUNS, seed: SEED },
	);
	// Both sides were exercised: the generator is not all-invalid or all-valid.
	expect(seen.valid).toBeGreaterThan(CREATE_RUNS / 10);
	expect(seen.invalid).toBeGreaterThan(CREATE_RUNS / 10);
	expect(fake.sessions.sessionCount()).toBe(expectedSessions);
}, 300_000);

const listParameters = fc.record({
	returnAll: fc.boolean(),
	limit: mostly(fc.integer({ min: 1, max: 400 }), fc.oneof(fc.integer({ min: -2, max: 0 }), fc.double({ min: 0, max: 10 }), fc.anything()), 6),
	filters: fc.record(
		{ metadata: pairs(52).map((pair) => ({ pair })), paymentIntentId: id('pi_'), customerId: id('cus_') },
		{ requiredKeys: [] },
	),
});

test(`get many: ${LIST_RUNS} random parameter sets`, async () => {
	fake.sessions.seedSessions(150, (i: number) => ({ metadata: { n: String(i % 3) }, customer_id: `cus_${i % 5}` }));
	const seen = { valid: 0, invalid: 0 };
	await fc.assert(
		fc.asyncProperty(listParameters, async (p) => {
			seen[await expectNamedErrorOrValidRequest({ operation: 'getAll', ...p, options: { maxRetries: 0 } })]++;
		}),
		{ numRuns: LIST_RUNS, seed: SEED + 1 },
	);
	expect(seen.valid).toBeGreaterThan(LIST_RUNS / 10);
	expect(seen.invalid).toBeGreaterThan(LIST_RUNS / 10);
}, 300_000);
