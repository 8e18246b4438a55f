'use strict';

/**
 * The node as an AI agent's tool, with no language model: n8n's MCP Server Trigger (shipped with
 * n8n in @n8n/n8n-nodes-langchain) exposes the Tilled tool nodes of examples/mcp-server-tools.json,
 * their parameters filled by $fromAI, and a real MCP client (@modelcontextprotocol/sdk, Streamable
 * HTTP) lists the tools and calls them as an agent would, against the fake Tilled. Run once per n8n
 * version (mcp-latest.test.js, mcp-v1.test.js).
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');
const n8n = require('../../scripts/lib/n8n');
const { startFakeTilled } = require('../fake-tilled/server');

const EXAMPLE = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'mcp-server-tools.json'), 'utf8'));
const CREDENTIAL = { id: 'TilledSandboxLoc', name: 'Tilled sandbox (local)' };
const SESSIONS = '/v1/checkout-sessions';
const TOOL_NAMES = ['create_checkout_session', 'get_checkout_session', 'expire_checkout_session', 'refund_payment'];

/** The description each tool node carries in the example: what the agent must be shown. */
function exampleDescription(name) {
	return EXAMPLE.nodes.find((node) => node.name === name).parameters.toolDescription;
}

/** A tool result's text (n8n answers with one text part). */
function textOf(result) {
	expect(Array.isArray(result.content)).toBe(true);
	return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/** The JSON of a successful tool result: n8n sends the node's output items' json. */
function jsonOf(result) {
	const text = textOf(result);
	if (result.isError) throw new Error(`tool call failed: ${text}`);
	const value = JSON.parse(text);
	return Array.isArray(value) ? value : [value];
}

/**
 * Connects an MCP client over Streamable HTTP. n8n registers the production webhook shortly
 * after the activation call returns: until then it answers 404, so connecting is retried.
 */
async function connectClient(url, timeoutMs = 60_000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const client = new Client({ name: 'n8n-nodes-tilled-agent-test', version: '1.0.0' });
		try {
			await client.connect(new StreamableHTTPClientTransport(url));
			return client;
		} catch (error) {
			await client.close().catch(() => undefined);
			if (Date.now() > deadline || !/is not registered/.test(String(error.message))) throw error;
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
	}
}

function defineAgentSuite(label) {
	const apiKey = `sk_test_agent_${crypto.randomBytes(12).toString('hex')}`;
	const accountId = 'acct_agent_merchant';
	const printed = [];
	let installation;
	let userFolder;
	let fake;
	let server;
	let client;

	async function call(name, args) {
		const result = await client.callTool({ name, arguments: args });
		printed.push(JSON.stringify(result));
		return result;
	}

	beforeAll(async () => {
		installation = await n8n.installation(label);
		const tarball = await n8n.packTarball();
		userFolder = n8n.createUserFolder(`n8n-tilled-agent-${label}-`);
		await n8n.installPackage(userFolder, tarball, { installation });
		fake = await startFakeTilled({ apiKey, accountId });
		await n8n.importCredentials(installation, userFolder, [
			{ ...CREDENTIAL, type: 'tilledApi', data: { accountId, apiKey, environment: 'custom', baseUrl: fake.url } },
		]);
		await n8n.importWorkflows(installation, userFolder, [EXAMPLE]);
		server = await n8n.startN8n(installation, userFolder);
		const rest = await n8n.setupOwner(server.url);
		await n8n.activateWorkflow(rest, EXAMPLE.id);

		client = await connectClient(new URL(`${server.url}/mcp/${EXAMPLE.nodes[0].parameters.path}`));
	}, 30 * 60_000);

	afterAll(async () => {
		if (client) await client.close().catch(() => undefined);
		if (server) {
			printed.push(server.logs());
			await server.stop();
		}
		if (fake) await fake.close();
		if (userFolder && !process.env.KEEP_N8N_E2E) fs.rmSync(userFolder, { recursive: true, force: true });
		n8n.removePackDirs();
	});

	beforeEach(() => fake.clearRequests());

	test('the MCP server lists the four Tilled tools with their descriptions', async () => {
		const { tools } = await client.listTools();
		expect(tools.map((tool) => tool.name).sort()).toEqual([...TOOL_NAMES].sort());
		for (const tool of tools) expect(tool.description).toBe(exampleDescription(tool.name));
	});

	test('each input schema names, types and explains every argument; only the essential ones are required', async () => {
		const { tools } = await client.listTools();
		const schemas = Object.fromEntries(tools.map((tool) => [tool.name, tool.inputSchema]));
		for (const [name, schema] of Object.entries(schemas)) {
			expect(schema.type).toBe('object');
			for (const [key, property] of Object.entries(schema.properties)) {
				// A model needs a reason for every argument, not just its name.
				expect([name, key, typeof property.description]).toEqual([name, key, 'string']);
				expect(property.description.length).toBeGreaterThan(20);
			}
		}
		const create = schemas.create_checkout_session;
		expect(Object.keys(create.properties).sort()).toEqual(['customer_email', 'line_items', 'order_id', 'success_url']);
		expect(create.required).toEqual(['line_items']);
		expect(create.properties.line_items.description).toContain('"unitAmount": 19.99');
		expect(create.properties.line_items.description).toContain('usd');
		for (const key of ['customer_email', 'success_url', 'order_id']) {
			expect(create.properties[key]).toMatchObject({ type: 'string', default: '' });
		}
		for (const name of ['get_checkout_session', 'expire_checkout_session']) {
			expect(schemas[name].properties).toEqual({
				checkout_session_id: { type: 'string', description: expect.stringContaining('starting with cs_') },
			});
			expect(schemas[name].required).toEqual(['checkout_session_id']);
		}
		const refund = schemas.refund_payment;
		expect(Object.keys(refund.properties).sort()).toEqual(['amount', 'order_id', 'payment_intent_id']);
		expect(refund.required.sort()).toEqual(['amount', 'payment_intent_id']);
		expect(refund.properties.amount).toMatchObject({ type: 'number', description: expect.stringContaining('minor unit') });
		expect(refund.properties.order_id).toMatchObject({ type: 'string', default: '' });
	});

	let created;

	test('create_checkout_session with an agent\'s arguments returns the session and its payment URL', async () => {
		const result = await call('create_checkout_session', {
			line_items: [
				{ name: 'Espresso beans', currency: 'eur', unitAmount: 24.9, quantity: 2 },
				{ name: 'Descaler', description: 'For espresso machines', currency: 'eur', unitAmount: 7.5, quantity: 1 },
			],
			customer_email: 'ada@example.com',
			order_id: 'ORD-4242',
		});
		const [session] = jsonOf(result);
		created = session;
		expect(session).toMatchObject({
			status: 'open',
			currency: 'eur',
			amount_total: 4980 + 750,
			customer_details: { email: 'ada@example.com' },
			alreadyExisted: false,
		});
		expect(session.id).toMatch(/^cs_/);
		expect(session.url).toBe(`${fake.url}/checkout/${session.id}`);
		expect(fake.sessions.getSession(session.id).status).toBe('open');

		const posts = fake.requests.filter((r) => r.method === 'POST');
		expect(posts).toHaveLength(1);
		expect(posts[0].body).toMatchObject({
			line_items: [
				{ quantity: 2, price_data: { currency: 'eur', unit_amount: 2490, product_data: { name: 'Espresso beans' } } },
				{
					quantity: 1,
					price_data: { currency: 'eur', unit_amount: 750, product_data: { name: 'Descaler', description: 'For espresso machines' } },
				},
			],
			payment_intent_data: { payment_method_types: ['card'] },
			customer_email: 'ada@example.com',
			metadata: { n8n_idempotency_key: 'ORD-4242' },
		});
		// Empty optional arguments are left out, not sent as empty strings.
		expect(posts[0].body.success_url).toBeUndefined();
	});

	test('an agent that repeats the call for the same order gets the same session, not a second one', async () => {
		const count = fake.sessions.sessionCount();
		const [again] = jsonOf(
			await call('create_checkout_session', {
				line_items: [{ name: 'Espresso beans', currency: 'eur', unitAmount: 24.9, quantity: 2 }],
				order_id: 'ORD-4242',
			}),
		);
		expect(again).toMatchObject({ id: created.id, alreadyExisted: true });
		expect(fake.sessions.sessionCount()).toBe(count);
		expect(fake.requests.filter((r) => r.method === 'POST')).toEqual([]);
	});

	test('get_checkout_session and expire_checkout_session with that ID', async () => {
		const [got] = jsonOf(await call('get_checkout_session', { checkout_session_id: created.id }));
		expect(got).toMatchObject({ id: created.id, status: 'open', url: created.url, amount_total: created.amount_total });

		const [expired] = jsonOf(await call('expire_checkout_session', { checkout_session_id: created.id }));
		expect(expired).toMatchObject({ id: created.id, status: 'expired' });
		expect(fake.sessions.getSession(created.id).status).toBe('expired');
		expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
			`GET ${SESSIONS}/${created.id} 200`,
			`POST ${SESSIONS}/${created.id}/expire 201`,
		]);
	});

	test('bad arguments come back as error texts that say what to change, and nothing is sent to Tilled', async () => {
		const cases = [
			[{ line_items: [{ name: 'Mug', currency: 'usd', unitAmount: -5, quantity: 1 }] }, /Unit Amount must be between/],
			[{ line_items: [{ name: 'Mug', currency: 'usd', price: 5, quantity: 1 }] }, /unknown key "price"; allowed: .*unitAmount/],
			[{ line_items: [{ name: 'Mug', currency: 'btc', unitAmount: 5, quantity: 1 }] }, /btc/],
			[
				{ line_items: [{ name: 'Mug', currency: 'usd', unitAmount: 5, quantity: 1 }], customer_email: 'not-an-email' },
				/Customer Email.*"not-an-email" is not an email address/,
			],
		];
		for (const [args, expected] of cases) {
			const result = await call('create_checkout_session', args);
			const text = textOf(result);
			expect([JSON.stringify(args), result.isError]).toEqual([JSON.stringify(args), true]);
			expect(text).toMatch(expected);
			// The node's own check: it names the field and says that nothing was sent.
			expect(text).toContain('Nothing was sent to Tilled');
		}
		// A required argument left out: n8n's schema check names it.
		const missing = await call('create_checkout_session', { customer_email: 'ada@example.com' });
		expect(missing.isError).toBe(true);
		expect(textOf(missing)).toMatch(/did not match expected schema[\s\S]*line_items/);
		expect(fake.requests.filter((r) => r.method === 'POST')).toEqual([]);
	});

	test('a session that cannot be expired, or does not exist, says why', async () => {
		const again = await call('expire_checkout_session', { checkout_session_id: created.id });
		expect(again.isError).toBe(true);
		expect(textOf(again)).toContain(`checkout session ${created.id} is expired, and only open sessions can be expired`);
		const missing = await call('get_checkout_session', { checkout_session_id: 'cs_doesNotExist000000001' });
		expect(missing.isError).toBe(true);
		expect(textOf(missing)).toMatch(/Checkout session cs_doesNotExist000000001 not found \[HTTP 404, request-id req_/);
	});

	test('refund_payment refunds the amount the agent gives; the same order again refunds nothing more', async () => {
		const intent = fake.payments.createPaymentIntent({ amount: 4000, currency: 'usd' });
		const [refund] = jsonOf(await call('refund_payment', { payment_intent_id: intent.id, amount: 1500, order_id: 'RET-77' }));
		expect(refund).toMatchObject({ payment_intent_id: intent.id, amount: 1500, alreadyExisted: false });
		expect(fake.payments.refundCount(intent.id)).toBe(1);
		expect(fake.payments.paymentIntent(intent.id).charges[0].amount_refunded).toBe(1500);
		const [again] = jsonOf(await call('refund_payment', { payment_intent_id: intent.id, amount: 1500, order_id: 'RET-77' }));
		expect(again).toMatchObject({ id: refund.id, alreadyExisted: true });
		expect(fake.payments.refundCount(intent.id)).toBe(1);
		// More than is left: Tilled's refusal, naming both amounts, reaches the agent.
		const tooMuch = await call('refund_payment', { payment_intent_id: intent.id, amount: 3000 });
		expect(tooMuch.isError).toBe(true);
		expect(textOf(tooMuch)).toContain('Refund amount (3000) is greater than the refundable amount (2500)');
		expect(fake.payments.refundCount(intent.id)).toBe(1);
		expect(fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds').map((r) => r.status)).toEqual([201, 400]);
	});

	test('no API key in any tool result or in what n8n printed', () => {
		expect(printed.length).toBeGreaterThan(8);
		for (const text of printed) expect(text).not.toContain(apiKey);
		expect(fake.internalErrors).toEqual([]);
	});
}

module.exports = { defineAgentSuite };
