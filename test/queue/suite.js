'use strict';

/**
 * Queue mode, with the real parts: Redis and PostgreSQL (Debian's packages, started here on
 * loopback with temporary data folders), one n8n main, two workers (`n8n worker`) and two webhook
 * processes (`n8n webhook`), sharing one encryption key, EXECUTIONS_MODE=queue, Redis and Postgres.
 * Every process has the package in its own user folder. Workflows are started through the webhook
 * process; the workers run them against the fake Tilled. The Tilled Trigger (examples/mark-order-paid.json)
 * is activated on the main and its endpoint registered with WEBHOOK_URL, the webhook process's address,
 * so the fake's signed deliveries go there; the second webhook process gets retries of events the
 * first ran (two instances behind one address). Run once per n8n version
 * (queue-latest.test.js, queue-v1.test.js), one after the other (`npm run test:queue`).
 *
 * How the package gets onto every process:
 * - n8n 2.x: N8N_COMMUNITY_PACKAGES_MANAGED_BY_ENV=true and N8N_COMMUNITY_PACKAGES on every process,
 *   as n8n documents for queue mode. n8n installs a package declared there with `npm pack <name>@<version>`
 *   from the npm registry, which cannot serve this unpublished package; so each process's user folder
 *   gets the packed tarball installed as n8n's own install does, and the package is recorded in the
 *   database as n8n records an install. The main's env reconciliation then finds it installed at the
 *   declared version and downloads nothing (asserted below).
 * - n8n 1.x: the manual install into each process's user folder (n8n's queue-mode docs for 1.x).
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const n8n = require('../../scripts/lib/n8n');
const queue = require('../../scripts/lib/queue');
const { startFakeTilled } = require('../fake-tilled/server');
const trigger = require('../e2e/trigger-suite');
const { sign } = require('../fake-tilled/webhooks');

const NODE_TYPE = 'n8n-nodes-tilled.tilledCheckoutSessions';
const SESSIONS = '/v1/checkout-sessions';
const CREDENTIAL = { id: 'TilledQueueCred1', name: 'Tilled (queue test)' };
const ORDERS_PER_EXECUTION = 5;
const EXECUTIONS = 40; // 200 creates
const IN_FLIGHT = 8; // executions started at once; each worker runs 2 at a time, so both must work

function webhookNode(name, method, webhookPath) {
	return {
		id: `${webhookPath}-trigger`,
		name,
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: crypto.createHash('sha256').update(webhookPath).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/, '$1-$2-$3-$4-$5'),
		parameters: { httpMethod: method, path: webhookPath, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
	};
}

function line(id, name, nodes) {
	const connections = {};
	for (let i = 0; i < nodes.length - 1; i++) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	nodes.forEach((node, index) => (node.position = [220 * index, 0]));
	return { id, name, nodes, connections, settings: { executionOrder: 'v1' }, active: false };
}

const CREATE_WORKFLOW = line('queueCreate00001', 'queue: create one session per order', [
	webhookNode('Orders', 'POST', 'queue-create'),
	{
		id: 'queue-split',
		name: 'One item per order',
		type: 'n8n-nodes-base.splitOut',
		typeVersion: 1,
		parameters: { fieldToSplitOut: 'body.orders', options: {} },
	},
	{
		id: 'queue-create',
		name: 'Create',
		type: NODE_TYPE,
		typeVersion: 1,
		credentials: { tilledApi: CREDENTIAL },
		parameters: {
			operation: 'create',
			amountFormat: 'decimal',
			lineItemsInput: 'json',
			lineItemsJson: "={{ [{ name: $json.product, currency: 'usd', unitAmount: $json.amount, quantity: 1 }] }}",
			paymentMethodTypes: ['card'],
			additionalFields: { metadata: { pair: [{ key: 'order_id', value: '={{ $json.order_id }}' }] } },
			options: { maxRetries: 8, retryDelay: 10 },
		},
	},
]);

const LIST_WORKFLOW = line('queueList0000001', 'queue: list every session', [
	webhookNode('List request', 'GET', 'queue-list'),
	{
		id: 'queue-list',
		name: 'Get Many',
		type: NODE_TYPE,
		typeVersion: 1,
		credentials: { tilledApi: CREDENTIAL },
		parameters: { operation: 'getAll', returnAll: true, filters: {}, options: {} },
	},
]);

/** examples/mark-order-paid.json (Tilled Trigger, then the shop's HTTP Request), with this test's credential. */
function triggerWorkflow(shopUrl) {
	return { ...trigger.workflow(CREDENTIAL, shopUrl), id: 'queueTrigger0001', active: false };
}
const PAYMENTS = 10; // paid at once; the first is delivered twice
const ENDPOINTS = '/v1/webhook-endpoints';

/** The rows n8n writes for an installed community package (installed_packages, installed_nodes). */
async function recordInstalledPackage(postgres, packageDir) {
	const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
	const quote = (value) => `'${String(value).replace(/'/g, "''")}'`;
	await postgres.psql(
		`INSERT INTO installed_packages ("packageName", "installedVersion", "authorName", "authorEmail") VALUES (${quote(manifest.name)}, ${quote(manifest.version)}, ${quote(manifest.author.name)}, ${quote(manifest.author.email)});` +
			`INSERT INTO installed_nodes (name, type, "latestVersion", package) VALUES ('Tilled Checkout Sessions', ${quote(NODE_TYPE)}, 1, ${quote(manifest.name)});`,
	);
	return manifest;
}

/** Runs `fn` over `items` with at most `limit` at once; results in input order. */
async function mapLimit(items, limit, fn) {
	const results = new Array(items.length);
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.min(limit, items.length) }, async () => {
			while (next < items.length) {
				const index = next++;
				results[index] = await fn(items[index], index);
			}
		}),
	);
	return results;
}

/** Execution ids each worker logged as started ("Worker started execution 12 (job 3)"). */
function executionsByWorker(workers) {
	return workers.map((worker) => [...worker.logs().matchAll(/Worker started execution (\d+)/g)].map((match) => match[1]));
}

function defineQueueSuite(label) {
	const apiKey = `sk_test_queue_${crypto.randomBytes(12).toString('hex')}`;
	const accountId = 'acct_queue_merchant';
	const summary = { label };
	let installation;
	let fake;
	let postgres;
	let main;
	let workers;
	let webhook;
	/** A second webhook process (as behind a load balancer): Tilled's endpoint names the first. */
	let secondWebhook;
	let rest;
	let shop;
	let triggerWorkflowId;
	const folders = [];
	/** Signing secrets Tilled handed to n8n: they must never be printed. */
	const secrets = [];
	/** Executions whose webhook call n8n 1.x left unanswered (see callWebhook). */
	const unansweredCalls = [];

	/**
	 * Calls a production webhook at the webhook process; resolves to the last node's items.
	 *
	 * The webhook process waits for the worker with Bull's job.finished(), which never resolves
	 * when the job has finished and been removed before it listens (OptimalBits/bull#1906). n8n 1.x
	 * always removes finished jobs (removeOnComplete: true in its addJob), so on a busy machine a
	 * call whose execution takes a few milliseconds can go unanswered for good (seen here in 2 of 9
	 * runs, and twice in one cold CI run), the worker done before the webhook process had even
	 * logged "Enqueued". n8n 2.x keeps finished jobs when N8N_EXECUTIONS_QUEUE_KEEP_LAST_COMPLETED is set
	 * (queueEnv sets it). On 1.x only, a call unanswered after 60 s is matched to its execution: if
	 * the worker ran it and the webhook process logged the job finished, the result n8n stored for
	 * it is taken, and the call is counted in the summary.
	 */
	async function callWebhook(method, webhookPath, body, { workflow, lastNode, isThisCall }) {
		const sent = new Date().toISOString();
		let failure;
		try {
			const response = await fetch(`${webhook.url}/webhook/${webhookPath}`, {
				method,
				headers: body ? { 'content-type': 'application/json' } : undefined,
				body: body ? JSON.stringify(body) : undefined,
				signal: AbortSignal.timeout(60_000),
			});
			const text = await response.text();
			if (response.status === 200) return JSON.parse(text);
			failure = new Error(`${response.status} ${text.slice(0, 500)}`);
		} catch (error) {
			failure = error;
		}
		if (label === 'v1' && failure.name === 'TimeoutError') {
			const stored = await storedResult(workflow, lastNode, isThisCall);
			if (stored) {
				unansweredCalls.push(stored.id);
				return stored.items;
			}
		}
		throw new Error(`${method} /webhook/${webhookPath} (sent ${sent}): ${failure.message}\n${await diagnose()}`);
	}

	/** The one successful execution of `workflow` that `isThisCall(runData)` picks, if the webhook process heard it finish. */
	async function storedResult(workflow, lastNode, isThisCall) {
		const matches = (await executionsOf(workflow.id)).filter((execution) => isThisCall(execution.data.resultData.runData));
		if (matches.length !== 1 || matches[0].status !== 'success') return undefined;
		const [{ id, data }] = matches;
		if (!new RegExp(`Execution ${id} \\(job \\d+\\) finished`).test(webhook.logs())) return undefined;
		return { id, items: data.resultData.runData[lastNode][0].data.main[0].map((item) => item.json) };
	}

	const createOrders = (batch) =>
		callWebhook('POST', 'queue-create', { orders: batch }, {
			workflow: CREATE_WORKFLOW,
			lastNode: 'Create',
			isThisCall: (runData) => runData.Orders?.[0]?.data?.main?.[0]?.[0]?.json?.body?.orders?.[0]?.order_id === batch[0].order_id,
		});

	/** What the processes were doing, for a failed call: the latest executions and each log's end. */
	async function diagnose() {
		const executions = await postgres
			.psql('SELECT id, status, finished, "startedAt", "stoppedAt" FROM execution_entity ORDER BY id DESC LIMIT 12')
			.catch((error) => `(no executions: ${error.message})`);
		const processes = [['webhook', webhook], ['worker-1', workers?.[0]], ['worker-2', workers?.[1]], ['main', main]];
		const tails = processes
			.map(([name, one]) => `--- ${name} (last 4000 characters)\n${one ? one.logs().slice(-4000) : '(not started)'}`)
			.join('\n');
		// Whole logs too, for a run that hung: the tails above rarely reach back to the stuck request.
		const logDir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'n8n-tilled-queue-logs-'));
		for (const [name, one] of processes) if (one) fs.writeFileSync(path.join(logDir, `${name}.log`), one.logs());
		return `--- latest executions (id|status|finished|startedAt|stoppedAt)\n${executions}\n${tails}\n--- whole logs in ${logDir}`;
	}

	/** The executions of a workflow as the main's REST API has them, with their run data parsed. */
	async function executionsOf(workflowId) {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const list = await rest.request('GET', `/executions?filter=${filter}&limit=100`);
		expect([list.status, list.text.slice(0, 300)]).toEqual([200, expect.anything()]);
		const { parse } = require(path.join(installation.dir, 'node_modules', 'flatted'));
		// n8n 1.x lists an execution that finishes while it answers twice (as running and as done).
		const ids = [...new Set(list.data.results.map(({ id }) => String(id)))];
		return await Promise.all(
			ids.map(async (id) => {
				const one = await rest.request('GET', `/executions/${id}`);
				expect(one.status).toBe(200);
				return { id: String(id), status: one.data.status, data: parse(one.data.data) };
			}),
		);
	}

	function orders(execution, count = ORDERS_PER_EXECUTION) {
		return Array.from({ length: count }, (_, item) => ({
			order_id: `${label}-${execution}-${item}`,
			product: `Order ${execution}.${item}`,
			amount: 10 + execution + item / 100,
		}));
	}

	/** Every output item is the session made for the input item it is paired with. */
	function expectPaired(response, sent) {
		expect(response.map((session) => session.metadata.order_id)).toEqual(sent.map((order) => order.order_id));
		for (const session of response) {
			expect(session.id).toMatch(/^cs_/);
			expect(session.status).toBe('open');
		}
	}

	beforeAll(async () => {
		await queue.ensureServices();
		installation = await n8n.installation(label);
		const tarball = await n8n.packTarball();
		fake = await startFakeTilled({ apiKey, accountId });
		const redis = await queue.startRedis();
		postgres = await queue.startPostgres();
		const env = queue.queueEnv({ redis, postgres });
		// TILLED_QUEUE_LOG_LEVEL=debug makes every n8n process say more, to find why a run hangs.
		if (process.env.TILLED_QUEUE_LOG_LEVEL) env.N8N_LOG_LEVEL = process.env.TILLED_QUEUE_LOG_LEVEL;
		// Every process builds production webhook URLs from WEBHOOK_URL: the webhook process's address.
		const webhookPort = await n8n.freePort();
		env.WEBHOOK_URL = `http://127.0.0.1:${webhookPort}/`;
		// Three shop calls open at once: a worker runs two at a time, so both workers take payments.
		shop = await trigger.startShop({ holdUntilOpen: 3 });
		const markOrderPaid = triggerWorkflow(shop.url);
		triggerWorkflowId = markOrderPaid.id;
		const packageVersion = JSON.parse(fs.readFileSync(path.join(n8n.ROOT, 'package.json'), 'utf8')).version;
		if (label === 'latest') {
			env.N8N_COMMUNITY_PACKAGES_MANAGED_BY_ENV = 'true';
			env.N8N_COMMUNITY_PACKAGES = JSON.stringify([{ name: n8n.PACKAGE_NAME, version: packageVersion }]);
		}

		// One user folder per process, each with the package installed as n8n installs it.
		const names = ['main', 'worker-1', 'worker-2', 'webhook', 'webhook-2'];
		for (const name of names) folders.push(n8n.createUserFolder(`n8n-tilled-queue-${label}-${name}-`));
		const packageDirs = await Promise.all(folders.map((folder) => n8n.installPackage(folder, tarball, { installation })));

		// The CLI runs n8n's migrations on the empty database, then stores the credential and workflows there.
		await n8n.importCredentials(installation, folders[0], [
			{ ...CREDENTIAL, type: 'tilledApi', data: { accountId, apiKey, environment: 'custom', baseUrl: fake.url } },
		], { env });
		await n8n.importWorkflows(installation, folders[0], [CREATE_WORKFLOW, LIST_WORKFLOW, markOrderPaid], { env });
		if (label === 'latest') await recordInstalledPackage(postgres, packageDirs[0]);

		main = await queue.startMain(installation, folders[0], { env });
		rest = await n8n.setupOwner(main.url);
		for (const workflow of [CREATE_WORKFLOW, LIST_WORKFLOW]) await n8n.activateWorkflow(rest, workflow.id);
		[webhook, secondWebhook, ...workers] = await Promise.all([
			queue.startWebhook(installation, folders[3], { env, port: webhookPort }),
			queue.startWebhook(installation, folders[4], { env }),
			queue.startWorker(installation, folders[1], { env, concurrency: 2 }),
			queue.startWorker(installation, folders[2], { env, concurrency: 2 }),
		]);
	}, 15 * 60_000);

	afterAll(async () => {
		await queue.stopAll();
		if (fake) await fake.close();
		if (shop) shop.close();
		for (const folder of folders) if (!process.env.KEEP_N8N_E2E) fs.rmSync(folder, { recursive: true, force: true, maxRetries: 3 });
		n8n.removePackDirs();
		if (summary.executionsPerWorker) {
			process.stdout.write(
				`\nqueue mode (n8n ${installation.version}): executions per worker ${summary.executionsPerWorker.join(' / ')}, ` +
					`sessions created ${summary.sessionsCreated}, duplicates ${summary.duplicates}, lost items ${summary.lostItems}; ` +
					`Return All ${summary.returnAll ?? '-'}; 429 storm: ${summary.storm ?? '-'}; Tilled Trigger: ${summary.trigger ?? '-'}` +
					(label === 'v1' ? `; webhook calls n8n 1.x left unanswered (result read from n8n): ${unansweredCalls.length ? unansweredCalls.map((id) => `execution ${id}`).join(', ') : 'none'}` : '') +
					'\n',
			);
		}
	});

	const howInstalled = label === 'latest' ? 'declared in N8N_COMMUNITY_PACKAGES, nothing downloaded' : 'installed by hand into each user folder';
	test(`every process has the package (${howInstalled})`, async () => {
		const nodeTypes = await rest.send('GET', '/types/nodes.json');
		expect(nodeTypes.json.map((type) => type.name)).toContain(NODE_TYPE);
		for (const folder of folders) {
			expect(fs.existsSync(path.join(n8n.nodesDir(folder), 'node_modules', n8n.PACKAGE_NAME, 'package.json'))).toBe(true);
		}
		if (label === 'latest') {
			const mainLog = main.logs();
			expect(mainLog).toContain('communityPackagesManagedByEnv is enabled');
			expect(mainLog).not.toMatch(/(Installed|Failed to install|Updated|Removed) community package/);
			const packages = await rest.request('GET', '/community-packages');
			expect(packages.status).toBe(200);
			expect(packages.data).toEqual([
				expect.objectContaining({
					packageName: n8n.PACKAGE_NAME,
					failedLoading: false,
					installedNodes: [expect.objectContaining({ type: NODE_TYPE })],
				}),
			]);
		}
	});

	test('200 creates in 40 executions, run by both workers: 200 sessions, no duplicate, every output paired', async () => {
		fake.sessions.reset();
		fake.clearRequests();
		const sent = Array.from({ length: EXECUTIONS }, (_, execution) => orders(execution));
		const responses = await mapLimit(sent, IN_FLIGHT, createOrders);
		responses.forEach((response, index) => expectPaired(response, sent[index]));

		const allOrders = sent.flat().map((order) => order.order_id);
		const stored = fake.sessions.listSessions();
		const storedOrders = stored.map((session) => session.metadata.order_id);
		summary.sessionsCreated = stored.length;
		summary.duplicates = storedOrders.length - new Set(storedOrders).size;
		summary.lostItems = allOrders.filter((order) => !storedOrders.includes(order)).length;
		expect(stored).toHaveLength(200);
		expect([...storedOrders].sort()).toEqual([...allOrders].sort());
		expect(new Set(responses.flat().map((session) => session.id)).size).toBe(200);
		expect(fake.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual(Array(200).fill(201));

		// Which worker ran what: each execution exactly once, by one of the two workers, and both worked.
		const executions = await executionsOf(CREATE_WORKFLOW.id);
		expect(executions).toHaveLength(EXECUTIONS);
		const byWorker = executionsByWorker(workers);
		summary.executionsPerWorker = byWorker.map((ids) => ids.length);
		for (const ids of byWorker) expect(ids.length).toBeGreaterThan(0);
		expect([...byWorker.flat()].sort()).toEqual(executions.map((execution) => execution.id).sort());

		// n8n's own record of each run: the Create node's items carry pairedItem to their order.
		for (const execution of executions) {
			expect(execution.status).toBe('success');
			const runData = execution.data.resultData.runData;
			const inputs = runData['One item per order'][0].data.main[0];
			const outputs = runData.Create[0].data.main[0];
			expect(outputs).toHaveLength(ORDERS_PER_EXECUTION);
			outputs.forEach((item, index) => {
				expect(item.pairedItem).toEqual({ item: index });
				expect(item.json.metadata.order_id).toBe(inputs[index].json.order_id);
			});
		}
	});

	test('Return All on a worker reads every session (350, in pages of 100)', async () => {
		fake.sessions.seedSessions(150);
		fake.clearRequests();
		const sessions = await callWebhook('GET', 'queue-list', undefined, { workflow: LIST_WORKFLOW, lastNode: 'Get Many', isThisCall: () => true });
		expect(sessions.map((session) => session.id)).toEqual(fake.sessions.listSessions().map((session) => session.id));
		expect(sessions).toHaveLength(350);
		expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.query.offset} ${r.status}`).sort()).toEqual(
			['0', '100', '200', '300'].map((offset) => `GET ${SESSIONS} ${offset} 200`).sort(),
		);
		summary.returnAll = `${sessions.length} of ${fake.sessions.sessionCount()} sessions in ${fake.requests.length} requests`;
	});

	test('a 429 storm over 8 executions at once: every order created exactly once', async () => {
		fake.sessions.reset();
		fake.clearRequests();
		const storm = 30;
		fake.injectFault({ kind: 'status', status: 429, headers: { 'retry-after': '1' }, match: { method: 'POST', path: SESSIONS }, times: storm });
		const sent = Array.from({ length: 8 }, (_, execution) => orders(100 + execution));
		const before = executionsByWorker(workers).map((ids) => ids.length);
		const responses = await Promise.all(sent.map(createOrders));
		fake.clearFaults();
		responses.forEach((response, index) => expectPaired(response, sent[index]));

		const statuses = fake.requests.filter((r) => r.method === 'POST').map((r) => r.status);
		expect(statuses.filter((status) => status === 429)).toHaveLength(storm);
		expect(statuses.filter((status) => status === 201)).toHaveLength(40);
		const storedOrders = fake.sessions.listSessions().map((session) => session.metadata.order_id);
		expect([...storedOrders].sort()).toEqual(sent.flat().map((order) => order.order_id).sort());
		const during = executionsByWorker(workers).map((ids, index) => ids.length - before[index]);
		summary.storm = `${storm} × 429, ${storedOrders.length} sessions for 40 orders, executions per worker ${during.join(' / ')}`;
		expect(fake.internalErrors).toEqual([]);
	});

	test('Tilled Trigger: one endpoint for five processes, at the first webhook process; each paid session runs once, on both workers; a retry reaching the second webhook process does not run again; deactivating deletes it', async () => {
		fake.sessions.reset();
		fake.clearRequests();
		fake.webhooks.setDeliveryOptions({ retries: 2, retryDelayMs: 200 });
		await n8n.activateWorkflow(rest, triggerWorkflowId);
		const productionUrl = `${webhook.url}/webhook/${trigger.WEBHOOK_ID}/webhook`;
		expect(webhook.port).not.toBe(main.port);
		await trigger.until(() => fake.webhooks.endpoints().length > 0, 'the endpoint', 120_000, () => main.logs().slice(-3000));
		// The webhook process reads the signing secret from the workflow's static data the main stored.
		await trigger.until(
			async () => (await postgres.psql(`SELECT "staticData" FROM workflow_entity WHERE id = '${triggerWorkflowId}'`)).includes('webhookSecret'),
			'the signing secret in the database',
			120_000,
		);
		const [endpoint] = fake.webhooks.endpoints();
		expect(endpoint).toMatchObject({ url: productionUrl, enabled_events: ['payment_intent.succeeded'] });
		secrets.push(endpoint.secret);

		const before = executionsByWorker(workers).map((ids) => ids.length);
		const orderIds = Array.from({ length: PAYMENTS }, (_, index) => `${label}-PAID-${index}`);
		const sessions = orderIds.map((orderId) => fake.sessions.seedSessions(1, { metadata: { order_id: orderId } })[0]);
		const paid = await Promise.all(sessions.map((session, index) => fake.webhooks.pay(session.id, index === 0 ? { twice: true } : undefined)));
		// Then one more on its own: once it has run, a duplicate run of the first would have shown.
		const [last] = fake.sessions.seedSessions(1, { metadata: { order_id: `${label}-PAID-LAST` } });
		await trigger.until(() => shop.marked.length >= PAYMENTS, `the shop to hear of ${PAYMENTS} orders`, 180_000, () => webhook.logs().slice(-3000));
		paid.push(await fake.webhooks.pay(last.id));
		sessions.push(last);
		orderIds.push(`${label}-PAID-LAST`);
		const runs = await trigger.until(
			async () => {
				const list = await executionsOf(triggerWorkflowId);
				return list.length >= orderIds.length && list.every((run) => !['new', 'running', 'waiting'].includes(run.status)) && list;
			},
			'every payment\'s run to finish',
			180_000,
		);
		expect(runs.map((run) => run.status)).toEqual(runs.map(() => 'success'));

		// Every delivery went to the webhook process's URL and was taken (the duplicate too, answered and ignored).
		expect(paid.map(({ deliveries }) => deliveries.map((delivery) => delivery.statuses))).toEqual(
			paid.map((_, index) => (index === 0 ? [[200], [200]] : [[200]])),
		);
		const deliveries = paid.flatMap(({ deliveries }) => deliveries);
		for (const delivery of deliveries) expect(delivery.url).toBe(productionUrl);
		// One run per payment: the shop heard each order once, with its session and payment intent.
		expect(runs).toHaveLength(orderIds.length);
		expect(shop.marked.map((mark) => mark.path).sort()).toEqual(orderIds.map((orderId) => `/orders/${orderId}/paid`).sort());
		for (const [index, session] of sessions.entries()) {
			const mark = shop.marked.find((candidate) => candidate.path === `/orders/${orderIds[index]}/paid`);
			expect(mark.body).toMatchObject({ tilled_checkout_session: session.id, tilled_payment_intent: session.payment_intent_id, amount: session.amount_total });
		}
		// Each run by exactly one worker, both workers ran some.
		const during = executionsByWorker(workers).map((ids, index) => ids.slice(before[index]));
		for (const ids of during) expect(ids.length).toBeGreaterThan(0);
		expect(during.flat().sort()).toEqual(runs.map((run) => run.id).sort());
		// A retry of a payment that ran, reaching the second webhook process (another instance
		// behind the same address): that process reads the ids the first saved, and does not run it.
		const signedDelivery = async (baseUrl, event) => {
			const body = JSON.stringify(event);
			const t = Date.now();
			const response = await fetch(`${baseUrl}/webhook/${trigger.WEBHOOK_ID}/webhook`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'tilled-signature': `t=${t},v1=${sign(endpoint.secret, t, body)}` },
				body,
			});
			return { status: response.status, body: await response.json().catch(() => undefined) };
		};
		expect(secondWebhook.port).not.toBe(webhook.port);
		for (const { event } of paid.slice(1, 3)) {
			expect(await signedDelivery(secondWebhook.url, event)).toEqual({ status: 200, body: { received: true, ignored: 'duplicate delivery' } });
		}
		// Still one endpoint, created once: no other process registered it.
		expect(fake.webhooks.endpoints().map((one) => one.id)).toEqual([endpoint.id]);
		expect(fake.requests.filter((r) => r.method === 'POST' && r.path === ENDPOINTS).map((r) => r.status)).toEqual([201]);

		await n8n.deactivateWorkflow(rest, triggerWorkflowId);
		await trigger.until(() => fake.webhooks.endpoints().length === 0, 'the endpoint to be deleted', 120_000, () => main.logs().slice(-3000));
		expect(fake.requests.filter((r) => r.method === 'DELETE').map((r) => `${r.path} ${r.status}`)).toEqual([`${ENDPOINTS}/${endpoint.id} 204`]);
		summary.trigger =
			`1 endpoint at the webhook process (port ${webhook.port}), ${paid.length} payments in ${deliveries.length} deliveries (1 twice), ` +
			`${runs.length} runs, executions per worker ${during.map((ids) => ids.length).join(' / ')}, endpoint deleted on deactivation`;
	});

	test('no API key or signing secret in anything the five n8n processes printed', () => {
		const logs = [main, webhook, secondWebhook, ...workers].map((process) => process.logs());
		expect(logs.join('').length).toBeGreaterThan(1000);
		for (const text of logs) for (const secret of [apiKey, ...secrets]) expect(text).not.toContain(secret);
	});
}

module.exports = { defineQueueSuite };
