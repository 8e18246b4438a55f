'use strict';

/**
 * The node in n8n's editor, driven in a real browser (Debian's chromium through playwright-core).
 *
 * n8n latest runs as `npm start` runs it: the packed tarball installed as a community package
 * into a fresh user folder, the credential "Tilled sandbox (local)" imported and pointing at a
 * fake Tilled started here. The test creates the owner account in the setup screen, finds the
 * node in the node panel, adds it with the Create action, and for every operation compares what
 * the node details view shows (labels, info icons, dropdown options, collection options, line
 * item fields) with the node's description. It runs Create from the editor against the fake and
 * checks the output panel and the request the fake received. Then it opens a workflow holding the
 * Tilled Trigger, listens for a test event (the node's create() registers n8n's test URL at the
 * fake), has the fake pay a session, checks the event in the output panel and the endpoint deleted.
 *
 * Screenshots go to test-artifacts/browser/ (failure-*.png when a step fails), with timings.json
 * (also the page's errors and the outside requests the browser was kept from making).
 */

const fs = require('node:fs');
const path = require('node:path');
const n8n = require('../../scripts/lib/n8n');
const { startFakeTilled } = require('../fake-tilled/server');
const { Tilled } = require('../../nodes/Tilled/Tilled.node');
const { TilledCheckoutSessions } = require('../../nodes/Tilled/TilledCheckoutSessions.node');
const { TilledTrigger } = require('../../nodes/Tilled/TilledTrigger.node');
const { TilledPollingTrigger } = require('../../nodes/Tilled/TilledPollingTrigger.node');
const expected = require('./expected-labels');
const ui = require('./editor-page');

const { tid } = ui;

const ARTIFACTS = path.join(n8n.ROOT, 'test-artifacts', 'browser');
const CREDENTIAL = { id: 'TilledSandboxLoc', name: 'Tilled sandbox (local)' };
const FAKE_API_KEY = 'sk_test_browser_fake_tilled';
const FAKE_ACCOUNT_ID = 'acct_browser_fake';
const OWNER = n8n.DEFAULT_OWNER;
// Tall enough for the longest form (Create with two line items) to show without scrolling.
const VIEWPORT = { width: 1440, height: 1800 };
// A workflow holding only the Tilled Trigger (its defaults: payment_intent.succeeded, Include
// Checkout Session on), imported before n8n starts, for listening for a test event.
const TRIGGER_WEBHOOK_ID = 'b7e1c2d4-tilled-browser-test-event';
const TRIGGER_WORKFLOW = {
	id: 'tilledBrowserTrig1',
	name: 'Browser test: Tilled Trigger',
	active: false,
	nodes: [
		{
			id: 'a4f0c6e2-7b1d-4c3a-9e52-6d8b0f1a2c01',
			name: 'Tilled Trigger',
			type: 'n8n-nodes-tilled.tilledTrigger',
			typeVersion: 1,
			position: [0, 0],
			webhookId: TRIGGER_WEBHOOK_ID,
			parameters: { events: ['payment_intent.succeeded'], options: {} },
			credentials: { tilledApi: CREDENTIAL },
		},
	],
	connections: {},
	settings: { executionOrder: 'v1' },
};
// n8n 2.41 labels the NDV's button "Execute step" for a webhook-based trigger too ("Listen for
// test event" is only for n8n's Webhook node); while listening it reads "Stop Listening".
const LISTEN_LABEL = 'Execute step';
// n8n adds this to the Operation list of nodes whose credential can sign generic HTTP requests.
const N8N_ADDED_OPERATIONS = ['Custom API Call'];

const LINE_ITEM_ORDER = ['Product Name', 'Unit Amount', 'Quantity', 'Currency', 'Description', 'Image URLs'];
// #20: the triggers show whether the related checkout session is added as a parameter of its own
// (named "Include Related Objects", or "Include Checkout Session"), not hidden in Options.
const INCLUDE_LABEL = /^Include (Related Objects|Checkout Session)$/;

const description = new TilledCheckoutSessions().description;
const operationOption = (value) => description.properties[0].options.find((option) => option.value === value);

jest.setTimeout(180_000);

let fake;
let server;
let browser;
let page;
let userFolder;
let seeded = [];
let failedPrerequisite;
const timings = {};
const pageErrors = [];
/** Properties and collection options (description objects) the editor was seen to render. */
const checked = new Set();

function since(start) {
	return Date.now() - start;
}

async function screenshot(name) {
	const file = path.join(ARTIFACTS, `${name}.png`);
	await page.screenshot({ path: file });
	return file;
}

/**
 * A test step. Steps share the page and run in order. When a `prerequisite` step (the owner
 * setup, adding the node) fails, the later steps fail without running; any other step's failure
 * leaves the rest running (after closing a dropdown it may have left open), so one run reports
 * every problem of the form.
 */
function step(name, fn, { prerequisite = false } = {}) {
	test(name, async () => {
		if (failedPrerequisite) throw new Error(`not run: the earlier step "${failedPrerequisite}" failed`);
		try {
			if (page && (await page.locator('[role="option"]:visible').count()) > 0) await page.keyboard.press('Escape');
			await fn();
		} catch (error) {
			if (prerequisite) failedPrerequisite = name;
			if (page) {
				await screenshot(`failure-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`).catch(() => undefined);
			}
			if (pageErrors.length > 0) error.message += `\n\nErrors in the page:\n${pageErrors.slice(-10).join('\n')}`;
			throw error;
		}
	});
}

beforeAll(async () => {
	fs.mkdirSync(ARTIFACTS, { recursive: true });
	for (const file of fs.readdirSync(ARTIFACTS)) {
		if (file.endsWith('.png') || file === 'timings.json') fs.rmSync(path.join(ARTIFACTS, file));
	}
	let start = Date.now();
	const installation = await n8n.installation('latest');
	const tarball = await n8n.packTarball();
	userFolder = n8n.createUserFolder('n8n-tilled-browser-');
	await n8n.installPackage(userFolder, tarball);
	fake = await startFakeTilled({ apiKey: FAKE_API_KEY, accountId: FAKE_ACCOUNT_ID });
	seeded = fake.sessions.seedSessions(6);
	await n8n.importCredentials(installation, userFolder, [
		{
			...CREDENTIAL,
			type: 'tilledApi',
			data: { accountId: FAKE_ACCOUNT_ID, apiKey: FAKE_API_KEY, environment: 'custom', baseUrl: fake.url },
		},
	]);
	await n8n.importWorkflows(installation, userFolder, [TRIGGER_WORKFLOW]);
	timings.prepareMs = since(start);
	start = Date.now();
	server = await n8n.startN8n(installation, userFolder);
	timings.n8nStartMs = since(start);
	timings.n8nVersion = installation.version;
	browser = await ui.launchBrowser({ viewport: VIEWPORT });
	page = browser.page;
	page.setDefaultTimeout(30_000);
	page.setDefaultNavigationTimeout(120_000);
	page.on('pageerror', (error) => pageErrors.push(String(error.message ?? error)));
	// Leaving an unsaved workflow asks first (beforeunload): confirm, as a user going on would.
	page.on('dialog', (dialog) => (dialog.type() === 'beforeunload' ? dialog.accept() : dialog.dismiss()));
}, 20 * 60_000);

afterAll(async () => {
	if (fs.existsSync(ARTIFACTS)) {
		const report = { ...timings, blockedRequests: [...new Set(browser?.blocked ?? [])], pageErrors };
		fs.writeFileSync(path.join(ARTIFACTS, 'timings.json'), `${JSON.stringify(report, null, 2)}\n`);
	}
	const stops = [
		() => browser?.close(),
		() => server?.stop(),
		() => fake?.close(),
		() => userFolder && fs.rmSync(userFolder, { recursive: true, force: true }),
	];
	for (const stop of stops) {
		try {
			await stop();
		} catch (error) {
			process.stderr.write(`[browser test] cleanup: ${error.message}\n`);
		}
	}
}, 60_000);

/**
 * Compares the NDV's visible top-level parameters with the description for `overrides`
 * (the operation and any values changed from the defaults): labels and their order, info icons
 * where a description exists, the options of options and multiOptions parameters, and the
 * options each collection's "Add …" list offers (when `collections` is true).
 */
async function checkParameters(overrides, { collections = true } = {}) {
	const properties = expected.displayedProperties(description, overrides);
	const wanted = JSON.stringify(properties.map((property) => property.displayName));
	// The form re-renders after a change: wait for it to settle before comparing.
	const shown = await ui.settle(
		() => ui.childParameters(ui.parameterList(page)),
		(items) => JSON.stringify(items.slice(1).map((item) => item.label)) === wanted,
	);

	expect(shown[0]).toEqual({ name: '(credential)', label: 'Credential', hint: false });
	expect(shown.slice(1).map((item) => item.label)).toEqual(properties.map((property) => property.displayName));
	expect(shown.slice(1).map((item) => item.name)).toEqual(properties.map((property) => property.name));
	expect(shown.slice(1).map((item) => [item.name, item.hint])).toEqual(
		properties.map((property) => [property.name, Boolean(property.description)]),
	);
	await expect(page.locator(`${tid('node-credentials-select')} input`).inputValue()).resolves.toBe(CREDENTIAL.name);

	for (const property of properties) {
		if (property.type === 'options' || property.type === 'multiOptions') {
			const names = await ui.dropdownOptionNames(page, page.locator(tid(`parameter-input-${property.name}`)).first());
			const extra = property.name === 'operation' ? N8N_ADDED_OPERATIONS : [];
			expect({ [property.name]: names }).toEqual({ [property.name]: [...expected.optionNames(property), ...extra] });
		}
		if (property.type === 'collection' && collections) await checkCollection(property, overrides);
		checked.add(property);
	}
	return properties;
}

/**
 * A collection shows the options it holds (values carry over when the operation changes) with
 * their labels, and its "Add …" list offers exactly the others that apply to the operation.
 */
async function checkCollection(property, overrides) {
	const options = expected.collectionOptions(description, property.name, overrides);
	const collection = ui.parameterItem(page, property.name);
	const children = await ui.childParameters(collection);
	const held = new Set(children.map((child) => child.name));
	expect({ [property.name]: children.map((child) => child.label) }).toEqual({
		[property.name]: options.filter((option) => held.has(option.name)).map((option) => option.displayName),
	});
	const addable = options.filter((option) => !held.has(option.name)).map((option) => option.displayName);
	const add = collection.locator(tid('collection-parameter-add'));
	if (addable.length === 0) {
		await expect(add.count()).resolves.toBe(0);
		return;
	}
	await expect(add.locator('input').getAttribute('placeholder')).resolves.toBe(property.placeholder);
	const names = await ui.dropdownOptionNames(page, add);
	expect({ [property.name]: names }).toEqual({ [property.name]: addable });
}

/**
 * Adds every option of a collection through its "Add …" list (a key/value list also gets one
 * pair: n8n drops an empty one as soon as anything else changes) and checks that each renders
 * with its label and info icon, and a key/value list's Key and Value fields with theirs.
 */
async function addEveryOption(collectionName, overrides) {
	const options = expected.collectionOptions(description, collectionName, overrides);
	const collection = ui.parameterItem(page, collectionName);
	const held = new Set((await ui.childParameters(collection)).map((child) => child.name));
	for (const option of options.filter((candidate) => !held.has(candidate.name))) {
		await collection.locator(tid('collection-parameter-add')).click();
		await ui.pickOption(page, option.displayName);
		const added = ui.parameterItem(page, option.name, collection);
		await added.waitFor();
		if (option.type === 'fixedCollection') {
			await added.locator(tid('fixed-collection-add')).click();
			const values = option.options[0].values;
			const fields = await ui.settle(
				() => ui.childParameters(added),
				(items) => items.length === values.length,
			);
			expect({ [option.name]: fields.map((field) => [field.label, field.hint]) }).toEqual({
				[option.name]: values.map((value) => [value.displayName, Boolean(value.description)]),
			});
		}
		checked.add(option);
	}
	const children = await ui.settle(
		() => ui.childParameters(collection),
		(items) => items.length === options.length,
	);
	expect({ [collectionName]: children.map((child) => [child.label, child.hint]) }).toEqual({
		[collectionName]: options.map((option) => [option.displayName, Boolean(option.description)]),
	});
	// Everything is added: the "Add …" list is gone.
	await expect(collection.locator(tid('collection-parameter-add')).count()).resolves.toBe(0);
}

async function switchOperation(value) {
	const option = operationOption(value);
	await ui.selectParameterOption(page, 'operation', option.name);
	await expect(page.locator(`${tid('parameter-input-operation')} input`).first().inputValue()).resolves.toBe(option.name);
}

step('creates the owner account in the setup screen', async () => {
	const start = Date.now();
	await page.goto(server.url);
	const form = page.locator(tid('setup-form'));
	await form.waitFor({ timeout: 120_000 });
	timings.setupScreenMs = since(start);
	await form.locator('input[name="email"]').fill(OWNER.email);
	await form.locator('input[name="firstName"]').fill(OWNER.firstName);
	await form.locator('input[name="lastName"]').fill(OWNER.lastName);
	await form.locator('input[name="password"]').fill(OWNER.password);
	await screenshot('01-setup-form');
	await form.locator(tid('form-submit-button')).click();
	await page.waitForURL((url) => !url.pathname.startsWith('/setup'), { timeout: 60_000 });
	await ui.dismissOnboarding(page);

	// The account exists: it signs in through n8n's REST API with the same password.
	const rest = n8n.restClient(server.url);
	const login = await rest.request('POST', '/login', { emailOrLdapLoginId: OWNER.email, password: OWNER.password });
	expect(login.status).toBe(200);
	expect(login.data.email).toBe(OWNER.email);
}, { prerequisite: true });

step('finds the node in the node panel and adds it with the Create action', async () => {
	let start = Date.now();
	await page.goto(`${server.url}/workflow/new`);
	const plus = page.locator(tid('canvas-plus-button'));
	await plus.waitFor({ timeout: 120_000 });
	timings.canvasMs = since(start);
	await ui.dismissOnboarding(page);
	await plus.click();

	start = Date.now();
	await page.locator(tid('node-creator-search-bar')).fill('Tilled');
	const item = page.locator(tid('node-creator-action-item')).filter({ hasText: description.displayName });
	await item.waitFor();
	timings.searchMs = since(start);
	// The package's nodes as n8n's panel lists them: a trigger named like an action node plus
	// "Trigger" (tilledTrigger, tilled) is merged into that node's entry; the other trigger is
	// named without " Trigger".
	const actionNodes = [description, new Tilled().description];
	const triggers = [new TilledTrigger().description, new TilledPollingTrigger().description].filter(
		(trigger) => !actionNodes.some((node) => trigger.name.replace('Trigger', '') === node.name),
	);
	const packageNodes = [...actionNodes, ...triggers].map((node) => node.displayName.replace(/ Trigger$/, ''));
	const results = await ui.settle(
		() => page.locator(tid('node-creator-item-name')).allInnerTexts(),
		(names) => names.length === packageNodes.length,
	);
	expect([...results].sort()).toEqual([...packageNodes].sort());
	await expect(item.locator(tid('node-creator-item-description')).innerText()).resolves.toBe(description.description);
	// The icon is the package's SVG, loaded (not n8n's "?" placeholder).
	const icon = await ui.settle(
		() => item.locator('img').first().evaluate((img) => ({ src: img.getAttribute('src'), ok: img.complete && img.naturalWidth > 0 })),
		(state) => state.ok,
	);
	expect(icon.src).toMatch(/\/icons\/n8n-nodes-tilled\/dist\/nodes\/Tilled\/tilled\.svg$/);
	expect(icon.ok).toBe(true);
	await screenshot('02-node-panel');

	await item.click();
	const actions = description.properties[0].options.map((option) => option.action);
	const actionItems = page.locator(tid('item-iterator-item')).filter({ has: page.locator('img[src*="n8n-nodes-tilled"]') });
	await actionItems.filter({ hasText: actions[0] }).first().waitFor();
	const actionNames = await ui.settle(
		() => actionItems.locator(tid('node-creator-item-name')).allInnerTexts(),
		(names) => JSON.stringify(names) === JSON.stringify(actions),
	);
	expect(actionNames).toEqual(actions);
	await screenshot('03-node-actions');

	start = Date.now();
	await actionItems.filter({ hasText: operationOption('create').action }).click();
	await page.locator(`${tid('ndv')} ${tid('node-parameters')}`).waitFor();
	await expect(page.locator(`${tid('parameter-input-operation')} input`).first().inputValue()).resolves.toBe('Create');
	timings.ndvMs = since(start);
	// The node is on the canvas, with its icon.
	await expect(page.locator(`${tid('canvas-node')} img[src*="n8n-nodes-tilled"]`).count()).resolves.toBe(1);
}, { prerequisite: true });

step('Create: every parameter renders with its label', async () => {
	await checkParameters({ operation: 'create' });
	const lineItems = description.properties.find((property) => property.name === 'lineItems');
	const values = lineItems.options[0].values;
	const fields = await ui.childParameters(ui.parameterItem(page, 'lineItems'));
	expect(fields.map((field) => [field.label, field.hint])).toEqual(
		values.map((value) => [value.displayName, Boolean(value.description)]),
	);
	// #20: the required Product Name first, in the order a line is filled in (not alphabetical).
	expect(fields.map((field) => field.label)).toEqual(LINE_ITEM_ORDER);
	await ui.parameterItem(page, 'lineItems').screenshot({ path: path.join(ARTIFACTS, '20-line-item-fields.png') });
	const currency = values.find((value) => value.name === 'currency');
	const currencies = await ui.dropdownOptionNames(page, page.locator(tid('parameter-input-currency')).first());
	expect(currencies).toEqual(expected.optionNames(currency));
	await expect(ui.parameterItem(page, 'lineItems').locator(tid('fixed-collection-add')).innerText()).resolves.toBe(lineItems.placeholder);
});

step('Create: two line items, run from the editor against the fake Tilled', async () => {
	const lineItems = ui.parameterItem(page, 'lineItems');
	await lineItems.locator(tid('fixed-collection-add')).click();
	const names = lineItems.locator(`${tid('parameter-input-name')} input`);
	await expect(names.count()).resolves.toBe(2);
	await names.nth(0).fill('T-shirt');
	await lineItems.locator(`${tid('parameter-input-description')} input`).nth(0).fill('Organic cotton');
	await ui.typeNumber(lineItems.locator(`${tid('parameter-input-quantity')} input`).nth(0), 2);
	await ui.typeNumber(lineItems.locator(`${tid('parameter-input-unitAmount')} input`).nth(0), 19.99);
	await names.nth(1).fill('Mug');
	await ui.typeNumber(lineItems.locator(`${tid('parameter-input-quantity')} input`).nth(1), 3);
	await ui.typeNumber(lineItems.locator(`${tid('parameter-input-unitAmount')} input`).nth(1), 7.5);
	await expect(lineItems.locator(`${tid('parameter-input-unitAmount')} input`).nth(0).inputValue()).resolves.toBe('19.99');
	await expect(page.locator(`${tid('node-credentials-select')} input`).inputValue()).resolves.toBe(CREDENTIAL.name);
	await screenshot('04-create-form');

	const before = fake.requests.length;
	const start = Date.now();
	await page.locator(`${tid('ndv')} ${tid('node-execute-button')}`).click();
	const output = page.locator(`${tid('ndv')} ${tid('output-panel')}`);
	await ui.waitForSuccessfulRun(output, 60_000);
	timings.executeMs = since(start);
	await expect(output.locator(tid('run-data-item-count')).innerText()).resolves.toBe('1 item');
	const items = await ui.outputItems(output);
	expect(items).toHaveLength(1);
	const [session] = items;
	expect(session).toEqual(
		expect.objectContaining({
			id: expect.stringMatching(/^cs_/),
			status: 'open',
			url: expect.stringMatching(new RegExp(`^${fake.url.replace(/[.]/g, '\\.')}/checkout/cs_`)),
			currency: 'usd',
			amount_total: 2 * 1999 + 3 * 750,
		}),
	);
	await screenshot('05-create-output');

	const posts = fake.requests.slice(before).filter((request) => request.method === 'POST' && request.path === '/v1/checkout-sessions');
	expect(posts).toHaveLength(1);
	expect(posts[0].status).toBe(201);
	expect(posts[0].headers['tilled-account']).toBe(FAKE_ACCOUNT_ID);
	expect(posts[0].body.line_items).toEqual([
		{
			quantity: 2,
			price_data: { currency: 'usd', unit_amount: 1999, product_data: { name: 'T-shirt', description: 'Organic cotton' } },
		},
		{ quantity: 3, price_data: { currency: 'usd', unit_amount: 750, product_data: { name: 'Mug' } } },
	]);
	expect(posts[0].body.payment_intent_data.payment_method_types).toEqual(['card']);
	const stored = fake.sessions.getSession(session.id);
	expect(stored).toBeDefined();
	expect(stored.url).toBe(session.url);
});

step('Create: the JSON line items input renders its parameter', async () => {
	await ui.selectParameterOption(page, 'lineItemsInput', 'Using JSON');
	await checkParameters({ operation: 'create', lineItemsInput: 'json' });
	await ui.selectParameterOption(page, 'lineItemsInput', 'Using Fields Below');
	await checkParameters({ operation: 'create' }, { collections: false });
});

step('Create: every additional field and option renders when added', async () => {
	await addEveryOption('additionalFields', { operation: 'create' });
	await addEveryOption('options', { operation: 'create' });
	await screenshot('06-create-all-fields');
});

step('Get: parameters, and the session picker lists the fake\'s sessions', async () => {
	await switchOperation('get');
	await checkParameters({ operation: 'get' });
	const locator = page.locator(tid('resource-locator-checkoutSessionId'));
	// n8n names the standard modes (list, id) itself, whatever their displayName says.
	const property = description.properties.find((candidate) => candidate.name === 'checkoutSessionId');
	expect(property.modes.map((mode) => mode.name)).toEqual(['list', 'id']);
	const modes = await ui.dropdownOptionNames(page, locator.locator(tid('rlc-mode-selector')));
	expect(modes).toEqual(['From list', 'By ID']);
	await locator.locator(tid('rlc-input')).click();
	const entries = page.locator(`${tid('rlc-item')}:visible`);
	await entries.first().waitFor();
	const texts = await entries.allInnerTexts();
	for (const session of seeded) {
		expect(texts.some((text) => text.startsWith(`${session.id} · `) && text.endsWith(' · open'))).toBe(true);
	}
	await screenshot('07-get-form');
	await entries.filter({ hasText: seeded[0].id }).click();
	await expect(locator.locator(tid('rlc-input')).inputValue()).resolves.toContain(seeded[0].id);
	await addEveryOption('options', { operation: 'get' });
});

step('Expire: parameters', async () => {
	await switchOperation('expire');
	await checkParameters({ operation: 'expire' });
	await addEveryOption('options', { operation: 'expire' });
	await screenshot('08-expire-form');
});

step('Get Many: parameters, with and without Return All', async () => {
	await switchOperation('getAll');
	await checkParameters({ operation: 'getAll' });
	await page.locator(`${tid('parameter-input-returnAll')} .el-switch`).click();
	await checkParameters({ operation: 'getAll', returnAll: true });
	await page.locator(`${tid('parameter-input-returnAll')} .el-switch`).click();
	await checkParameters({ operation: 'getAll', returnAll: false }, { collections: false });
	await addEveryOption('filters', { operation: 'getAll' });
	await addEveryOption('options', { operation: 'getAll' });
	await screenshot('09-get-many-form');
});

step('#20: the Get Many subtitle on the canvas reads as n8n writes it', async () => {
	await page.keyboard.press('Escape');
	await page.locator(tid('ndv')).waitFor({ state: 'hidden' });
	const node = page.locator(tid('canvas-node')).filter({ has: page.locator('img[src*="n8n-nodes-tilled"]') });
	// The operation's action, as n8n's own nodes' subtitles read ("Get many checkout sessions"),
	// not "Get Many checkout session" (the operation's name next to the resource's raw value).
	const subtitle = operationOption('getAll').action;
	const text = await ui.settle(
		() => node.innerText(),
		(shown) => shown.includes(subtitle),
	);
	expect(text.split('\n').map((line) => line.trim())).toContain(subtitle);
	expect(text).not.toContain('Get Many checkout session');
	await node.screenshot({ path: path.join(ARTIFACTS, '21-get-many-subtitle.png') });
	await node.dblclick();
	await page.locator(`${tid('ndv')} ${tid('node-parameters')}`).waitFor();
});

step('every parameter and collection option of the node was checked in the editor', async () => {
	const missed = expected
		.everyParameter(description)
		.filter((entry) => !checked.has(entry.property))
		.map((entry) => entry.path);
	expect(missed).toEqual([]);
});

step('Tilled Trigger: listening for a test event registers the test URL at the fake, shows the event, removes the endpoint', async () => {
	expect(fake.webhooks.endpoints()).toEqual([]);
	await page.goto(`${server.url}/workflow/${TRIGGER_WORKFLOW.id}`);
	const node = page.locator(tid('canvas-node')).filter({ has: page.locator('img[src*="n8n-nodes-tilled"]') });
	await node.waitFor({ timeout: 120_000 });
	await ui.dismissOnboarding(page);
	await node.dblclick();
	const ndv = page.locator(tid('ndv'));
	const listen = ndv.locator(tid('node-execute-button'));
	await expect(listen.innerText()).resolves.toBe(LISTEN_LABEL);
	await expect(page.locator(`${tid('node-credentials-select')} input`).inputValue()).resolves.toBe(CREDENTIAL.name);

	const before = fake.requests.length;
	const start = Date.now();
	await listen.click();
	// The button reads "Stop Listening" as soon as the run starts; the trigger panel's hint comes
	// with n8n's answer to the run request, which n8n sends once the node's create() is done.
	await ndv.locator(tid('node-execute-button')).filter({ hasText: 'Stop Listening' }).waitFor();
	await ndv.getByText('Go to Tilled and create an event').waitFor();
	timings.listenMs = since(start);
	await screenshot('10-trigger-listening');
	const testUrl = `${server.url}/webhook-test/${TRIGGER_WEBHOOK_ID}/webhook`;
	const endpoints = fake.webhooks.endpoints();
	expect(endpoints.map((endpoint) => [endpoint.url, endpoint.enabled_events])).toEqual([[testUrl, ['payment_intent.succeeded']]]);

	const session = seeded[seeded.length - 1];
	const { event, deliveries } = await fake.webhooks.pay(session.id);
	// One signed delivery, to the test URL, accepted (a bad signature would get 401).
	expect(deliveries.map((delivery) => [delivery.url, delivery.statuses])).toEqual([[testUrl, [200]]]);

	const output = ndv.locator(tid('output-panel'));
	await ui.waitForSuccessfulRun(output, 60_000);
	await expect(output.locator(tid('run-data-item-count')).innerText()).resolves.toBe('1 item');
	const items = await ui.outputItems(output);
	expect(items).toEqual([
		expect.objectContaining({
			id: event.id,
			type: 'payment_intent.succeeded',
			data: expect.objectContaining({ id: session.payment_intent_id, status: 'succeeded' }),
			checkout_session: expect.objectContaining({ id: session.id, status: 'complete' }),
		}),
	]);
	await screenshot('11-trigger-event-output');

	// n8n removes a test webhook after its one call: the node's delete() removed the endpoint.
	const left = await ui.settle(
		() => fake.webhooks.endpoints(),
		(list) => list.length === 0,
	);
	expect(left).toEqual([]);
	const changes = fake.requests
		.slice(before)
		.filter((request) => request.method !== 'GET' && request.path.startsWith('/v1/webhook-endpoints'));
	expect(changes.map((request) => [request.method, request.path, request.status])).toEqual([
		['POST', '/v1/webhook-endpoints', 201],
		['DELETE', `/v1/webhook-endpoints/${endpoints[0].id}`, 204],
	]);
	await expect(listen.innerText()).resolves.toBe(LISTEN_LABEL);
});

step('#20: the Tilled Trigger shows Include Related Objects as a parameter, on by default', async () => {
	await page.goto(`${server.url}/workflow/${TRIGGER_WORKFLOW.id}`);
	const node = page.locator(tid('canvas-node')).filter({ has: page.locator('img[src*="n8n-nodes-tilled"]') });
	await node.waitFor({ timeout: 120_000 });
	await ui.dismissOnboarding(page);
	await node.dblclick();
	await page.locator(`${tid('ndv')} ${tid('node-parameters')}`).waitFor();
	const shown = await ui.settle(
		() => ui.childParameters(ui.parameterList(page)),
		(items) => items.some((item) => INCLUDE_LABEL.test(item.label)),
	);
	const include = shown.find((item) => INCLUDE_LABEL.test(item.label));
	expect(include?.label).toMatch(INCLUDE_LABEL);
	await expect(page.locator(`${tid(`parameter-input-${include.name}`)} .el-switch.is-checked`).count()).resolves.toBe(1);
	await screenshot('22-trigger-include-parameter');
	await page.keyboard.press('Escape');
});

step('#20: the node panel shows the Tilled node with the Tilled Trigger together', async () => {
	await page.goto(`${server.url}/workflow/new`);
	const plus = page.locator(tid('canvas-plus-button'));
	await plus.waitFor({ timeout: 120_000 });
	await ui.dismissOnboarding(page);
	await plus.click();
	await page.locator(tid('node-creator-search-bar')).fill('Tilled');
	// n8n merges a node and a trigger of the same name ("Tilled", "Tilled Trigger") into one
	// entry, "Tilled"; the Tilled node's actions and the trigger's are both behind it.
	const itemNames = page.locator(tid('node-creator-item-name'));
	const names = await ui.settle(
		() => itemNames.allInnerTexts(),
		(list) => list.some((name) => name.trim() === 'Tilled'),
	);
	expect(names.map((name) => name.trim()).filter((name) => name === 'Tilled')).toHaveLength(1);
	await screenshot('23-node-panel-tilled');
	await itemNames.filter({ hasText: /^\s*Tilled\s*$/ }).first().click();
	// Its list holds the trigger's and the node's items under n8n's two headings.
	await page.getByText(/^Triggers/).first().waitFor();
	await page.getByText(/^Actions/).first().waitFor();
	const inside = await itemNames.allInnerTexts();
	expect(inside.length).toBeGreaterThan(1);
	await screenshot('24-node-panel-tilled-actions-and-triggers');
});
