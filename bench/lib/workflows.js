'use strict';

// The benchmark's workflows: each starts with a production Webhook (POST, answers when the last
// node finishes with that node's first item) and ends with a Summarize node that counts the
// items, so every timed run is also checked. Nothing else is saved: executions that succeed keep
// no data, as a busy production instance would be set up.

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const TILLED_TYPE = 'n8n-nodes-tilled.tilledCheckoutSessions';
/** bench/calibration/TilledFloor.node.js, which n8n loads from N8N_CUSTOM_EXTENSIONS. */
const CALIBRATION_DIR = path.join(__dirname, '..', 'calibration');
const FLOOR_TYPE = 'CUSTOM.tilledFloor';

/** The HTTP Request node version a new node gets in the editor of this n8n (its defaultVersion). */
function httpRequestDefaultVersion(installation) {
	const file = path.join(installation.dir, 'node_modules', 'n8n-nodes-base', 'dist', 'nodes', 'HttpRequest', 'HttpRequest.node.js');
	const match = /defaultVersion:\s*([0-9.]+)/.exec(fs.readFileSync(file, 'utf8'));
	return match ? Number(match[1]) : 4.2;
}

function node(name, type, typeVersion, parameters, extra = {}) {
	return { id: crypto.randomUUID(), name, type, typeVersion, position: [0, 0], parameters, ...extra };
}

/** Webhook → steps… in a line. `steps` are nodes without positions. */
function webhookWorkflow(name, webhookPath, steps) {
	const webhook = node(
		'Webhook',
		'n8n-nodes-base.webhook',
		2,
		{ httpMethod: 'POST', path: webhookPath, responseMode: 'lastNode', responseData: 'firstEntryJson', options: {} },
		{ webhookId: crypto.randomUUID() },
	);
	const nodes = [webhook, ...steps];
	nodes.forEach((n, index) => (n.position = [index * 220, 0]));
	const connections = {};
	for (let i = 0; i < nodes.length - 1; i++) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	return {
		name,
		nodes,
		connections,
		settings: {
			executionOrder: 'v1',
			saveDataSuccessExecution: 'none',
			saveDataErrorExecution: 'all',
			saveManualExecutions: false,
			saveExecutionProgress: false,
		},
		active: false,
	};
}

const splitOut = (field) =>
	node('Split Out', 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: field, include: 'noOtherFields', options: {} });

/** One item `{ count_<field>: n }`. */
const count = (field) =>
	node('Count', 'n8n-nodes-base.summarize', 1.1, {
		fieldsToSummarize: { values: [{ aggregation: 'count', field }] },
		options: {},
	});

function tilled(credential, parameters) {
	return node('Tilled Checkout Sessions', TILLED_TYPE, 1, parameters, {
		credentials: { tilledApi: { id: credential.id, name: credential.name } },
	});
}

/** The HTTP Request node as a user sets it up for Tilled: no credential, the two headers typed in. */
function httpRequest(version, fake, { url, query = [], options = {} }) {
	return node('HTTP Request', 'n8n-nodes-base.httpRequest', version, {
		method: 'GET',
		url,
		authentication: 'none',
		sendQuery: query.length > 0,
		specifyQuery: 'keypair',
		queryParameters: { parameters: query },
		sendHeaders: true,
		specifyHeaders: 'keypair',
		headerParameters: {
			parameters: [
				{ name: 'tilled-api-key', value: fake.apiKey },
				{ name: 'tilled-account', value: fake.accountId },
			],
		},
		sendBody: false,
		options,
	});
}

/** HTTP Request's Pagination option: offset/limit paging until has_more is false. */
const HTTP_PAGINATION = {
	pagination: {
		pagination: {
			paginationMode: 'updateAParameterInEachRequest',
			parameters: { parameters: [{ type: 'qs', name: 'offset', value: '={{ $pageCount * 100 }}' }] },
			paginationCompleteWhen: 'other',
			completeExpression: '={{ !$response.body.has_more }}',
			limitPagesFetched: false,
			requestInterval: 0,
		},
	},
};

const byId = (value) => ({ __rl: true, mode: 'id', value });

/**
 * All workflows of the run, keyed by scenario id: `{ workflow, path, expectCount, countField }`.
 * `fake` is the fake Tilled ({ url, apiKey, accountId }), `credential` { id, name }.
 */
function buildWorkflows({ fake, credential, httpVersion, rateLimit = 100 }) {
	const list = `${fake.url}/v1/checkout-sessions`;
	const getUrl = `=${fake.url}/v1/checkout-sessions/{{ $json.id }}`;
	const scenarios = {};
	const add = (id, label, steps, countField) => {
		const webhookPath = `bench-${id}`;
		scenarios[id] = { id, label, path: webhookPath, countField, workflow: webhookWorkflow(`bench ${label}`, webhookPath, [...steps, count(countField)]) };
	};

	// 1. Return All
	add('list-ours', 'Tilled: Get Many, Return All', [tilled(credential, { operation: 'getAll', returnAll: true, filters: {}, options: {} })], 'id');
	add(
		'list-http-split',
		'HTTP Request: pagination + Split Out',
		[httpRequest(httpVersion, fake, { url: list, query: [{ name: 'limit', value: '100' }], options: HTTP_PAGINATION }), splitOut('items')],
		'id',
	);
	add(
		'list-http-pages',
		'HTTP Request: pagination (pages only)',
		[httpRequest(httpVersion, fake, { url: list, query: [{ name: 'limit', value: '100' }], options: HTTP_PAGINATION })],
		'total',
	);

	// 2 and 3. Gets of many input items: the webhook's body { items: [{ id }, …] } split into items.
	add('items-baseline', 'Split Out only (no requests)', [splitOut('body.items')], 'id');
	/** Split Out, then our Get of each item's id with these options. */
	const oursGet = (options) => [splitOut('body.items'), tilled(credential, { operation: 'get', checkoutSessionId: byId('={{ $json.id }}'), options })];
	for (const concurrency of [5, 10]) {
		add(`get-ours-${concurrency}`, `Tilled: Get, Items in Parallel = ${concurrency}`, oursGet({ itemConcurrency: concurrency }), 'id');
	}
	add('get-ours-default', 'Tilled: Get, default options', oursGet({}), 'id');
	add('get-floor', 'Floor node (calibration): expression + httpRequestWithAuthentication only', [
		splitOut('body.items'),
		node('Tilled floor', FLOOR_TYPE, 1, { checkoutSessionId: '={{ $json.id }}' }, { credentials: { tilledApi: { id: credential.id, name: credential.name } } }),
	], 'id');
	add('get-http', 'HTTP Request: default options', [splitOut('body.items'), httpRequest(httpVersion, fake, { url: getUrl })], 'id');
	// The rate-limited part's own copy: the node keeps the pace a 429 taught it in the workflow's
	// static data, which must not slow the other parts' runs.
	add('get-ours-rate', 'Tilled: Get, default options', oursGet({}), 'id');
	// A user who knows the account's limit is tight: a low ceiling bounds the first burst.
	add('get-ours-rate-10', 'Tilled: Get, Items in Parallel = 10', oursGet({ itemConcurrency: 10 }), 'id');
	add(
		'get-http-batch',
		'HTTP Request: Batching 50 items, 0 ms',
		[splitOut('body.items'), httpRequest(httpVersion, fake, { url: getUrl, options: { batching: { batch: { batchSize: 50, batchInterval: 0 } } } })],
		'id',
	);
	add(
		'get-http-rate',
		`HTTP Request: Batching ${rateLimit} items per 1,000 ms`,
		[splitOut('body.items'), httpRequest(httpVersion, fake, { url: getUrl, options: { batching: { batch: { batchSize: rateLimit, batchInterval: 1000 } } } })],
		'id',
	);
	return scenarios;
}

module.exports = { buildWorkflows, httpRequestDefaultVersion, TILLED_TYPE, CALIBRATION_DIR };
