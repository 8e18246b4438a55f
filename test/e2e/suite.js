'use strict';

/**
 * End-to-end suite, run once per n8n version (n8n-latest.test.js, n8n-v1.test.js, in parallel):
 * the packed tarball installed as a community package into a fresh user folder, credentials and
 * workflows imported with n8n's CLI, every workflow run with `n8n execute` against the fake
 * Tilled, and the credential test called through n8n's REST API as the editor calls it.
 * Assertions cover n8n's JSON output and the requests the fake recorded.
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const n8n = require('../../scripts/lib/n8n');
const { startFakeTilled } = require('../fake-tilled/server');

const EXAMPLES_DIR = path.join(__dirname, '..', '..', 'examples');
const NODE_TYPE = 'n8n-nodes-tilled.tilledCheckoutSessions';
const SESSIONS = '/v1/checkout-sessions';

const GOOD = { id: 'TilledSandboxLoc', name: 'Tilled sandbox (local)' };
const WRONG_KEY = { id: 'TilledWrongKey01', name: 'Tilled wrong key' };
const UNREACHABLE = { id: 'TilledNoServer01', name: 'Tilled unreachable' };

// The examples and what the tests know about them.
const EXAMPLE = {
	create: 'tilledExCreate01',
	expire: 'tilledExExpire01',
	lookup: 'tilledExLookup01',
};

/** Examples whose runs need `n8n start` (an active trigger), or whose Tilled nodes run in n8n-core: the suite that runs each. */
const EXAMPLES_RUN_ELSEWHERE = {
	tilledExMarkPaid1: { suite: 'test/e2e/trigger-suite.js', file: 'mark-order-paid.json' },
	tilledExMcpSrv01: { suite: 'test/agent/suite.js', file: 'mcp-server-tools.json' },
	tilledExRefund01: { suite: 'test/integration/examples.test.ts', file: 'refund-order.json' },
	tilledExPayouts01: { suite: 'test/integration/examples.test.ts', file: 'daily-payout-report.json' },
};

const ALREADY_EXPIRED_ID = 'cs_e2eAlreadyExpired0000001';

/** Credential-test messages: the credential's own rules on n8n 2.x; n8n 1.123 shows its generic texts. */
const CREDENTIAL_TEST_MESSAGES = {
	latest: {
		401: 'Tilled rejected the API key (401). Check the key, and that the Environment matches it: sandbox keys work only with Sandbox, production keys only with Production.',
		403: 'The API key is valid but may not act for this Account ID (403). Check the Account ID, or give a restricted key the checkout_sessions:read and checkout_sessions:write scopes.',
		404: 'No Tilled API answers at this base URL (404). Check the Environment and the Base URL.',
	},
	// n8n 1.123's credential tester reads the status from error.cause.response, which its own
	// httpRequestWithAuthentication no longer provides: the credential's rules never match there.
	v1: {
		401: 'Authorization failed - please check your credentials',
		403: 'Forbidden - perhaps check your credentials?',
		404: 'The resource you are requesting could not be found',
	},
};

function readExamples() {
	return fs
		.readdirSync(EXAMPLES_DIR)
		.filter((name) => name.endsWith('.json'))
		.map((name) => JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, name), 'utf8')));
}

/** A workflow: Manual Trigger, then `steps` in a line. A step is a Tilled node unless it has a type. */
function chain(id, steps, settings = {}) {
	const nodes = [
		{ id: `${id}-start`, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
	];
	const connections = {};
	let previous = 'Start';
	steps.forEach((step, index) => {
		nodes.push({
			id: `${id}-${index}`,
			name: step.name,
			type: step.type || NODE_TYPE,
			typeVersion: step.typeVersion || 1,
			position: [220 * (index + 1), 0],
			parameters: step.parameters,
			...(step.type ? {} : { credentials: { tilledApi: step.credential || GOOD } }),
		});
		connections[previous] = { main: [[{ node: step.name, type: 'main', index: 0 }]] };
		previous = step.name;
	});
	return { id, name: `e2e ${id}`, nodes, connections, settings: { executionOrder: 'v1', ...settings }, active: false };
}

const byId = (value) => ({ __rl: true, mode: 'id', value });

const TEST_WORKFLOWS = [
	// Create with the line-item fields, then Get and Expire the session it made.
	chain(
		'e2eCreateFields',
		[
			{
				name: 'Create',
				parameters: {
					operation: 'create',
					amountFormat: 'decimal',
					lineItemsInput: 'fields',
					lineItems: {
						item: [
							{
								name: 'Espresso beans',
								description: '1 kg bag',
								imageUrls: 'https://example.com/beans.png',
								currency: 'eur',
								unitAmount: 24.9,
								quantity: 2,
							},
							{ name: 'Grinder cleaning', currency: 'eur', unitAmount: 0.99, quantity: 1.5 },
						],
					},
					paymentMethodTypes: ['card', 'ach_debit'],
					additionalFields: {
						customerEmail: 'grace@example.com',
						successUrl: 'https://example.com/thanks',
						cancelUrl: 'https://example.com/cart',
						// Wall time in the workflow's time zone (Berlin, UTC+1 in January).
						expiresAt: '2099-01-01T10:00:00',
						platformFeeAmount: 1.5,
						metadata: { pair: [{ key: 'order_id', value: 'ORD-2002' }] },
						paymentIntentMetadata: { pair: [{ key: 'channel', value: 'e2e' }] },
					},
					options: {},
				},
			},
			{ name: 'Get', parameters: { operation: 'get', checkoutSessionId: byId('={{ $json.id }}'), options: {} } },
			{ name: 'Expire', parameters: { operation: 'expire', checkoutSessionId: byId('={{ $json.id }}'), options: {} } },
		],
		{ timezone: 'Europe/Berlin' },
	),
	chain('e2eExpireExpired', [
		{ name: 'Expire', parameters: { operation: 'expire', checkoutSessionId: byId(ALREADY_EXPIRED_ID), options: {} } },
	]),
	chain('e2eListAll', [{ name: 'List all', parameters: { operation: 'getAll', returnAll: true, filters: {}, options: {} } }]),
	chain('e2eListFiltered', [
		{
			name: 'List spring',
			parameters: {
				operation: 'getAll',
				returnAll: false,
				limit: 25,
				filters: { metadata: { pair: [{ key: 'campaign', value: 'spring' }] } },
				options: {},
			},
		},
	]),
	chain('e2eWrongKey', [
		{ name: 'List', credential: WRONG_KEY, parameters: { operation: 'getAll', returnAll: false, limit: 5, options: {} } },
	]),
	// Connections dropped by Tilled (the fake's faults): short delays so retries are quick.
	chain('e2eResets', [
		{
			name: 'Create',
			parameters: {
				operation: 'create',
				lineItemsInput: 'json',
				lineItemsJson: '[{ "name": "Tea", "currency": "usd", "unitAmount": 4.5, "quantity": 1 }]',
				paymentMethodTypes: ['card'],
				options: { retryDelay: 10 },
			},
		},
		{ name: 'Get', parameters: { operation: 'get', checkoutSessionId: byId('={{ $json.id }}'), options: { retryDelay: 10 } } },
	]),
	chain('e2eRefused', [
		{
			name: 'List',
			credential: UNREACHABLE,
			parameters: { operation: 'getAll', returnAll: false, limit: 5, options: { maxRetries: 2, retryDelay: 10 } },
		},
	]),
];

const hoursAgo = (hours) => new Date(Date.now() - hours * 3600_000).toISOString();

/** Defines the suite for one installation label ('latest' or 'v1'). */
function defineSuite(label) {
	const apiKey = `sk_test_e2e_${crypto.randomBytes(12).toString('hex')}`;
	const wrongKey = `sk_test_wrong_${crypto.randomBytes(12).toString('hex')}`;
	const accountId = 'acct_e2e_merchant';
	/** Everything n8n printed in this suite, checked for secrets at the end. */
	const printed = [];
	let installation;
	let userFolder;
	let fake;
	let examples;

	async function execute(workflowId) {
		const run = await n8n.executeWorkflow(installation, userFolder, workflowId);
		printed.push(run.stdout, run.stderr);
		return run;
	}

	/** Fails with n8n's own words when a run that should work did not. */
	function expectSuccess(run) {
		if (!run.ok) {
			throw new Error(
				`n8n execute failed (exit ${run.code}${run.signal ? `, ${run.signal}` : ""}): ${run.error}\n--- stdout (end) ---\n${run.stdout.slice(-1500)}\n--- stderr ---\n${run.stderr.slice(-2000)}`,
			);
		}
	}

	function expectAuthenticated(request, key = apiKey) {
		expect(request.headers['tilled-api-key']).toBe(key);
		expect(request.headers['tilled-account']).toBe(accountId);
	}

	beforeAll(async () => {
		// Installs this n8n version into the cache if it is missing (minutes, once).
		installation = await n8n.installation(label);
		const tarball = await n8n.packTarball();
		userFolder = n8n.createUserFolder(`n8n-tilled-e2e-${label}-`);
		await n8n.installPackage(userFolder, tarball, { installation });
		fake = await startFakeTilled({ apiKey, accountId });
		const closedPort = await n8n.freePort(); // nothing listens there

		const credentials = [
			{ ...GOOD, type: 'tilledApi', data: { accountId, apiKey, environment: 'custom', baseUrl: fake.url } },
			{ ...WRONG_KEY, type: 'tilledApi', data: { accountId, apiKey: wrongKey, environment: 'custom', baseUrl: fake.url } },
			{
				...UNREACHABLE,
				type: 'tilledApi',
				data: { accountId, apiKey, environment: 'custom', baseUrl: `http://127.0.0.1:${closedPort}` },
			},
		];
		const importedCredentials = await n8n.importCredentials(installation, userFolder, credentials);
		expect(importedCredentials.stdout).toContain(`Successfully imported ${credentials.length} credentials`);

		examples = readExamples();
		const importedWorkflows = await n8n.importWorkflows(installation, userFolder, [...examples, ...TEST_WORKFLOWS]);
		expect(importedWorkflows.stdout).toContain(`Successfully imported ${examples.length + TEST_WORKFLOWS.length} workflows`);
		printed.push(importedCredentials.stdout, importedCredentials.stderr, importedWorkflows.stdout, importedWorkflows.stderr);
	}, 45 * 60_000);

	afterAll(async () => {
		if (fake) await fake.close();
		if (userFolder && !process.env.KEEP_N8N_E2E) fs.rmSync(userFolder, { recursive: true, force: true });
		n8n.removePackDirs();
	});

	beforeEach(() => {
		fake.sessions.reset();
		fake.clearRequests();
	});

	test('the tarball is installed the way n8n installs community packages', () => {
		const nodes = n8n.nodesDir(userFolder);
		const list = JSON.parse(fs.readFileSync(path.join(nodes, 'package.json'), 'utf8'));
		expect(Object.keys(list.dependencies)).toEqual(['n8n-nodes-tilled']);
		const packageDir = path.join(nodes, 'node_modules', 'n8n-nodes-tilled');
		const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
		expect(manifest.peerDependencies).toBeUndefined();
		expect(manifest.devDependencies).toBeUndefined();
		expect(manifest.n8n.nodes).toEqual([
			'dist/nodes/Tilled/TilledCheckoutSessions.node.js',
			'dist/nodes/Tilled/Tilled.node.js',
			'dist/nodes/Tilled/TilledTrigger.node.js',
			'dist/nodes/Tilled/TilledPollingTrigger.node.js',
		]);
		// No peer dependency pulled in: the node uses n8n's own n8n-workflow.
		expect(fs.existsSync(path.join(packageDir, 'node_modules', 'n8n-workflow'))).toBe(false);
		expect(fs.existsSync(path.join(packageDir, 'dist', 'nodes', 'Tilled', 'tilled.svg'))).toBe(true);
	});

	// Each example workflow, with every expression in it, is executed by one of the tests below,
	// or by the suite named here (the triggers' and the agent's need a running n8n).
	test('every workflow in examples/ is one the tests below, or the suite named for it, run', () => {
		expect(examples.map((workflow) => workflow.id).sort()).toEqual(
			[...Object.values(EXAMPLE), ...Object.keys(EXAMPLES_RUN_ELSEWHERE)].sort(),
		);
		for (const [id, { suite, file }] of Object.entries(EXAMPLES_RUN_ELSEWHERE)) {
			expect(JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')).id).toBe(id);
			expect(fs.readFileSync(path.join(__dirname, '..', '..', suite), 'utf8')).toContain(`'examples', '${file}'`);
		}
	});

	test('example "create a payment link": JSON line items mapped from the order, decimal amounts, idempotent rerun', async () => {
		const run = await execute(EXAMPLE.create);
		expectSuccess(run);
		expect(run.lastNode).toHaveLength(1);
		const [link] = run.lastNode;
		expect(Object.keys(link).sort()).toEqual(['already_existed', 'already_paid', 'checkout_session_id', 'order_id', 'status', 'url']);
		expect(link.order_id).toBe('ORD-1001');
		expect(link).toMatchObject({ status: 'open', already_paid: false, already_existed: false });
		expect(link.checkout_session_id).toMatch(/^cs_/);
		expect(link.url).toBe(`${fake.url}/checkout/${link.checkout_session_id}`);

		// The Idempotency Key lookup (nothing found), the create, then the key looked up again (a
		// run racing with the same key settles on one session).
		expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${SESSIONS}`, `POST ${SESSIONS}`, `GET ${SESSIONS}`]);
		const [lookup, create] = fake.requests;
		expect(lookup.query).toEqual({ metadata: { n8n_idempotency_key: 'ORD-1001' }, limit: '100' });
		expect(decodeURIComponent(lookup.rawQuery)).toContain('metadata[n8n_idempotency_key]=ORD-1001');
		for (const request of fake.requests) expectAuthenticated(request);
		expect(create.headers['content-type']).toMatch(/^application\/json/);
		expect(create.status).toBe(201);
		expect(create.body).toEqual({
			line_items: [
				{ quantity: 2, price_data: { currency: 'usd', unit_amount: 1999, product_data: { name: 'T-shirt' } } },
				{ quantity: 1, price_data: { currency: 'usd', unit_amount: 850, product_data: { name: 'Mug' } } },
			],
			payment_intent_data: { payment_method_types: ['card'] },
			customer_email: 'ada@example.com',
			success_url: 'https://example.com/thanks',
			metadata: {
				order_id: 'ORD-1001',
				source: 'n8n-shop',
				n8n_idempotency_key: 'ORD-1001',
				n8n_create_id: expect.stringMatching(/.+/),
			},
		});
		const stored = fake.sessions.getSession(link.checkout_session_id);
		expect(stored.amount_total).toBe(2 * 1999 + 850);
		expect(run.outputs['Create checkout session'][0][0]).toMatchObject({
			id: link.checkout_session_id,
			status: 'open',
			amount_total: 4848,
			alreadyExisted: false,
		});

		// Run again for the same order: the session is found, nothing is created.
		fake.clearRequests();
		const again = await execute(EXAMPLE.create);
		expectSuccess(again);
		expect(again.lastNode).toEqual([{ ...link, already_existed: true }]);
		expect(again.outputs['Create checkout session'][0][0].alreadyExisted).toBe(true);
		expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${SESSIONS}`]);
		expect(fake.sessions.sessionCount()).toBe(1);
	});

	test('create with fields, get and expire in one run', async () => {
		const run = await execute('e2eCreateFields');
		expectSuccess(run);
		const [created] = run.outputs.Create[0];
		const [got] = run.outputs.Get[0];
		const [expired] = run.outputs.Expire[0];
		expect(created).toMatchObject({
			status: 'open',
			currency: 'eur',
			// 24.90 EUR x 2 + 0.99 EUR x 1.5 (148.5 rounds to 149), in cents
			amount_total: 4980 + 149,
			customer_details: { email: 'grace@example.com' },
			expires_at: '2099-01-01T09:00:00.000Z',
			metadata: { order_id: 'ORD-2002' },
		});
		expect(got).toEqual(created);
		expect(expired).toMatchObject({ id: created.id, status: 'expired' });

		expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
			`POST ${SESSIONS} 201`,
			`GET ${SESSIONS}/${created.id} 200`,
			`POST ${SESSIONS}/${created.id}/expire 201`,
		]);
		for (const request of fake.requests) expectAuthenticated(request);
		expect(fake.requests[0].body).toEqual({
			line_items: [
				{
					quantity: 2,
					price_data: {
						currency: 'eur',
						unit_amount: 2490,
						product_data: { name: 'Espresso beans', description: '1 kg bag', images: ['https://example.com/beans.png'] },
					},
				},
				{ quantity: 1.5, price_data: { currency: 'eur', unit_amount: 99, product_data: { name: 'Grinder cleaning' } } },
			],
			payment_intent_data: {
				payment_method_types: ['card', 'ach_debit'],
				metadata: { channel: 'e2e' },
				platform_fee_amount: 150,
			},
			customer_email: 'grace@example.com',
			success_url: 'https://example.com/thanks',
			cancel_url: 'https://example.com/cart',
			expires_at: '2099-01-01T09:00:00.000Z',
			metadata: { order_id: 'ORD-2002', n8n_create_id: expect.stringMatching(/.+/) },
		});
		expect(fake.requests[2].rawBody).toBe('');
		expect(fake.sessions.getSession(created.id).status).toBe('expired');
	});

	test('expiring an already expired session fails the run with its status and request id', async () => {
		fake.sessions.seedSessions(1, { id: ALREADY_EXPIRED_ID, status: 'expired' });
		const run = await execute('e2eExpireExpired');
		expect(run.code).toBe(1);
		expect(run.ok).toBe(false);
		const [attempt, lookup] = fake.requests;
		expect(`${attempt.method} ${attempt.path} ${attempt.status}`).toBe(`POST ${SESSIONS}/${ALREADY_EXPIRED_ID}/expire 400`);
		expect(`${lookup.method} ${lookup.path} ${lookup.status}`).toBe(`GET ${SESSIONS}/${ALREADY_EXPIRED_ID} 200`);
		expect(fake.requests).toHaveLength(2);
		const message = `Tilled could not expire the checkout session: checkout session ${ALREADY_EXPIRED_ID} is expired, and only open sessions can be expired [HTTP 400, request-id ${attempt.requestId}]`;
		expect(run.error).toBe(message);
		// What a user running the CLI sees:
		expect(run.stdout).toContain(`Execution error:\n====================================\n${message}`);
	});

	test('get many with Return All pages through 250 sessions: offsets 0, 100, 200', async () => {
		fake.sessions.seedSessions(250);
		const run = await execute('e2eListAll');
		expectSuccess(run);
		const expectedIds = fake.sessions.listSessions().map((session) => session.id);
		expect(run.lastNode.map((session) => session.id)).toEqual(expectedIds);
		expect(new Set(expectedIds).size).toBe(250);

		expect(fake.requests).toHaveLength(3);
		for (const request of fake.requests) {
			expect(`${request.method} ${request.path} ${request.status}`).toBe(`GET ${SESSIONS} 200`);
			expect(Object.keys(request.query).sort()).toEqual(['limit', 'offset']);
			expect(request.query.limit).toBe('100');
			expectAuthenticated(request);
		}
		expect(fake.requests.map((request) => Number(request.query.offset)).sort((a, b) => a - b)).toEqual([0, 100, 200]);
	});

	test('get many with a limit and a metadata filter sends metadata[k]=v', async () => {
		const spring = fake.sessions.seedSessions(30, { metadata: { campaign: 'spring' } });
		fake.sessions.seedSessions(10, { metadata: { campaign: 'autumn' } });
		fake.sessions.seedSessions(5);
		const run = await execute('e2eListFiltered');
		expectSuccess(run);
		const newestSpring = [...spring].reverse().slice(0, 25).map((session) => session.id);
		expect(run.lastNode.map((session) => session.id)).toEqual(newestSpring);
		for (const session of run.lastNode) expect(session.metadata).toEqual({ campaign: 'spring' });

		expect(fake.requests).toHaveLength(1);
		const [request] = fake.requests;
		expect(`${request.method} ${request.path} ${request.status}`).toBe(`GET ${SESSIONS} 200`);
		expect(request.query).toEqual({ metadata: { campaign: 'spring' }, offset: '0', limit: '25' });
		expect(decodeURIComponent(request.rawQuery)).toContain('metadata[campaign]=spring');
		expectAuthenticated(request);
	});

	test('example "expire stale sessions": lists the shop\'s sessions, expires the ones open for more than 24 h', async () => {
		const stale = fake.sessions.seedSessions(3, (i) => ({ created_at: hoursAgo(72 - i * 10), metadata: { source: 'n8n-shop' } }));
		fake.sessions.seedSessions(1, { created_at: hoursAgo(30), status: 'complete', metadata: { source: 'n8n-shop' } });
		fake.sessions.seedSessions(4, (i) => ({ created_at: hoursAgo(40 + i) })); // not the shop's
		fake.sessions.seedSessions(2, { metadata: { source: 'n8n-shop' } }); // open, but new
		const run = await execute(EXAMPLE.expire);
		expectSuccess(run);

		const staleIds = stale.map((session) => session.id);
		expect(run.outputs['Get shop sessions'][0]).toHaveLength(6);
		expect(run.outputs['Open for more than 24 hours'][0].map((s) => s.id).sort()).toEqual([...staleIds].sort());
		const expired = run.outputs['Expire checkout session'][0];
		expect(expired.map((s) => s.id).sort()).toEqual([...staleIds].sort());
		for (const session of expired) expect(session.status).toBe('expired');

		const [list, ...expires] = fake.requests;
		expect(`${list.method} ${list.path} ${list.status}`).toBe(`GET ${SESSIONS} 200`);
		expect(list.query).toEqual({ metadata: { source: 'n8n-shop' }, offset: '0', limit: '100' });
		expect(expires.map((r) => `${r.method} ${r.path} ${r.status}`).sort()).toEqual(
			staleIds.map((id) => `POST ${SESSIONS}/${id}/expire 201`).sort(),
		);
		for (const request of fake.requests) expectAuthenticated(request);
		const statuses = fake.sessions.listSessions().map((s) => s.status);
		expect(statuses.filter((s) => s === 'expired')).toHaveLength(3);
		expect(statuses.filter((s) => s === 'open')).toHaveLength(6);
	});

	test('example "find the session behind a payment intent": get many by payment intent ID, then get', async () => {
		const setNode = examples.find((w) => w.id === EXAMPLE.lookup).nodes.find((node) => node.name === 'Payment intent');
		const paymentIntentId = setNode.parameters.assignments.assignments[0].value;
		fake.sessions.seedSessions(20);
		const [target] = fake.sessions.seedSessions(1, { payment_intent_id: paymentIntentId, metadata: { order_id: 'ORD-0777' } });
		fake.sessions.seedSessions(5);
		const run = await execute(EXAMPLE.lookup);
		expectSuccess(run);
		expect(run.lastNode).toEqual([target]);

		expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
			`GET ${SESSIONS} 200`,
			`GET ${SESSIONS}/${target.id} 200`,
		]);
		expect(fake.requests[0].query).toEqual({ payment_intent_id: paymentIntentId, offset: '0', limit: '1' });
		for (const request of fake.requests) expectAuthenticated(request);
	});

	test('a wrong API key fails the run with Tilled\'s message and request id, and never prints the key', async () => {
		const run = await execute('e2eWrongKey');
		expect(run.code).toBe(1);
		expect(fake.requests).toHaveLength(1);
		const [request] = fake.requests;
		expect(request.status).toBe(401);
		expectAuthenticated(request, wrongKey);
		expect(run.error).toBe(`Tilled could not list checkout sessions: Unauthorized [HTTP 401, request-id ${request.requestId}]`);
		expect(run.stdout).toContain(run.error);
		expect(run.stdout + run.stderr).not.toContain(wrongKey);
	});

	test('connection resets: a create whose answer was lost is recovered, not sent twice; a reset read is retried', async () => {
		fake.injectFault({ kind: 'reset-after', match: { method: 'POST', path: SESSIONS } });
		fake.injectFault({ kind: 'reset-before', match: { method: 'GET', path: /^\/v1\/checkout-sessions\/cs_/ } });
		const run = await execute('e2eResets');
		fake.clearFaults();
		expectSuccess(run);
		expect(fake.sessions.sessionCount()).toBe(1);
		const [session] = fake.sessions.listSessions();
		expect(run.outputs.Create[0]).toEqual([session]);
		expect(run.outputs.Get[0]).toEqual([session]);
		expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.status ?? 'dropped'}`)).toEqual([
			`POST ${SESSIONS} dropped`,
			`GET ${SESSIONS} 200`,
			`GET ${SESSIONS}/${session.id} dropped`,
			`GET ${SESSIONS}/${session.id} 200`,
		]);
		// The recovery looked the session up by the marker the create carried.
		expect(fake.requests[1].query).toEqual({
			metadata: { n8n_create_id: fake.requests[0].body.metadata.n8n_create_id },
			limit: '1',
		});
	});

	test('a Tilled that refuses connections: retried, then a clear message', async () => {
		const run = await execute('e2eRefused');
		expect(run.code).toBe(1);
		expect(run.error).toBe(
			'Tilled could not list checkout sessions: Could not connect to Tilled: the connection was refused (gave up after 3 attempts)',
		);
	});

	test('the credential test, as the editor calls it through n8n\'s REST API', async () => {
		const server = await n8n.startN8n(installation, userFolder);
		try {
			const rest = await n8n.setupOwner(server.url);
			const nodeTypes = await rest.send('GET', '/types/nodes.json');
			expect(nodeTypes.status).toBe(200);
			expect(nodeTypes.json.map((type) => type.name)).toContain(NODE_TYPE);
			const credentialTypes = await rest.send('GET', '/types/credentials.json');
			expect(credentialTypes.json.map((type) => type.name)).toContain('tilledApi');

			// The editor opens the credential (secrets redacted) and tests what the form holds.
			const opened = await rest.request('GET', `/credentials/${GOOD.id}?includeData=true`);
			expect(opened.status).toBe(200);
			expect(opened.text).not.toContain(apiKey);
			expect(opened.data.data).toMatchObject({ accountId, environment: 'custom', baseUrl: fake.url });
			const test = async (data) => {
				fake.clearRequests();
				const response = await rest.request('POST', '/credentials/test', {
					credentials: { id: GOOD.id, name: GOOD.name, type: 'tilledApi', data },
				});
				expect(response.status).toBe(200);
				printed.push(response.text);
				return response.data;
			};

			expect(await test(opened.data.data)).toEqual({ status: 'OK', message: 'Connection successful!' });
			expect(fake.requests).toHaveLength(1);
			expect(`${fake.requests[0].method} ${fake.requests[0].path}`).toBe(`GET ${SESSIONS}`);
			expect(fake.requests[0].query).toEqual({ limit: '1' });
			expectAuthenticated(fake.requests[0]);

			const messages = CREDENTIAL_TEST_MESSAGES[label];
			expect(await test({ ...opened.data.data, apiKey: wrongKey })).toEqual({ status: 'Error', message: messages[401] });
			expect(fake.requests.length).toBeGreaterThanOrEqual(1);
			for (const request of fake.requests) expect(request.status).toBe(401);

			expect(await test({ ...opened.data.data, accountId: 'acct_someone_else' })).toEqual({ status: 'Error', message: messages[403] });
			expect(fake.requests.map((r) => r.status)).toEqual([403]);
			expect(fake.requests[0].headers['tilled-account']).toBe('acct_someone_else');

			expect(await test({ ...opened.data.data, baseUrl: `${fake.url}/not-tilled` })).toEqual({ status: 'Error', message: messages[404] });
			expect(fake.requests.map((r) => `${r.path} ${r.status}`)).toEqual([`/not-tilled${SESSIONS} 404`]);
		} finally {
			printed.push(server.logs());
			await server.stop();
		}
	});

	test('no API key appears in anything n8n printed', () => {
		expect(printed.length).toBeGreaterThan(10);
		for (const text of printed) {
			expect(text).not.toContain(apiKey);
			expect(text).not.toContain(wrongKey);
		}
		expect(fake.internalErrors).toEqual([]);
	});
}

module.exports = { defineSuite };
