import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { searchCheckoutSessions } from './listSearch/searchCheckoutSessions';
import { create } from './resources/checkoutSession/create';
import { expire } from './resources/checkoutSession/expire';
import { get } from './resources/checkoutSession/get';
import { getMany } from './resources/checkoutSession/getMany';
import type { TilledOperation } from './resources/checkoutSession/types';
import { InvalidParameter, invalidParameterError, readParameter } from './shared/errors';
import {
	DEFAULT_TRANSPORT,
	INITIAL_LIMIT,
	mapConcurrent,
	rememberedPace,
	rememberPace,
	transportSettings,
} from './transport';

const OPERATIONS: Record<string, TilledOperation<unknown>> = {
	create: create as TilledOperation<unknown>,
	get: get as TilledOperation<unknown>,
	expire: expire as TilledOperation<unknown>,
	getAll: getMany as TilledOperation<unknown>,
};

const DEFAULT_ITEM_CONCURRENCY = 200;
/** Get and Get Many read this many items at a time, ahead of their requests. */
const PREPARE_AHEAD = 100;
const DEFAULT_PAGE_CONCURRENCY = 20;

export class TilledCheckoutSessions implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Tilled Checkout Sessions',
		name: 'tilledCheckoutSessions',
		icon: { light: 'file:tilled.svg', dark: 'file:tilled.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ { create: "Create", get: "Get", expire: "Expire", getAll: "Get Many" }[$parameter["operation"]] + " checkout session" }}',
		description: 'Create, get, expire and list Tilled checkout sessions (hosted payment pages)',
		defaults: { name: 'Tilled Checkout Sessions' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'tilledApi', required: true }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Create',
						value: 'create',
						description: 'Create a checkout session and get the URL of its payment page',
						action: 'Create a checkout session',
					},
					{
						name: 'Expire',
						value: 'expire',
						description: 'Expire an open checkout session so it can no longer be paid',
						action: 'Expire a checkout session',
					},
					{
						name: 'Get',
						value: 'get',
						description: 'Get a checkout session by ID',
						action: 'Get a checkout session',
					},
					{
						name: 'Get Many',
						value: 'getAll',
						description: 'List checkout sessions, newest first, optionally filtered',
						action: 'Get many checkout sessions',
					},
				],
				default: 'create',
			},
			...create.properties,
			...get.properties,
			...expire.properties,
			...getMany.properties,
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Idempotency Key',
						name: 'idempotencyKey',
						type: 'string',
						default: '',
						displayOptions: { show: { '/operation': ['create'] } },
						description:
							'A key of yours for this payment, such as the order ID. If a session with this key exists already (from an earlier run), it is returned instead of creating another.',
					},
					{
						displayName: 'Initial Retry Delay (Milliseconds)',
						name: 'retryDelay',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 500,
						description: 'Wait before the first retry; it doubles (with jitter) on each further retry. A Retry-After from Tilled takes precedence.',
					},
					{
						displayName: 'Items in Parallel',
						name: 'itemConcurrency',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 200 },
						default: DEFAULT_ITEM_CONCURRENCY,
						description: `The most input items sent to Tilled at once; outputs keep the input order. The node starts with ${INITIAL_LIMIT} and goes up to this while Tilled answers quickly and without errors; a 429, gateway errors or slow answers bring it down for all items at once. If your account's rate limit is low, set it lower: a run that first meets the limit has about this many requests refused (and retried).`,
					},
					{
						displayName: 'Max Retries',
						name: 'maxRetries',
						type: 'number',
						typeOptions: { minValue: 0, maxValue: 10 },
						default: 3,
						description: 'How often a request is retried after a rate limit (429), a gateway error (502-504) or a network failure. Creates are never sent twice: see the README.',
					},
					{
						displayName: 'Pages in Parallel',
						name: 'pageConcurrency',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 20 },
						default: DEFAULT_PAGE_CONCURRENCY,
						displayOptions: { show: { '/operation': ['getAll'] } },
						description: 'The most pages of 100 sessions fetched at once when listing; as for Items in Parallel, the node finds how many Tilled handles well below this',
					},
					{
						displayName: 'Timeout (Seconds)',
						name: 'timeout',
						type: 'number',
						typeOptions: { minValue: 0.1 },
						default: 30,
						description:
							'How long to wait for each attempt. With retries a Get or a list page can take (Max Retries + 1) × Timeout plus the waits between attempts: about 2 minutes at the defaults. A Create or Expire that gets no answer also looks itself up after each attempt, up to (Max Retries + 1) × (Max Retries + 2) × Timeout: 10 minutes at the defaults. A 429 Retry-After adds up to 2 minutes per retry.',
					},
				],
			},
		],
	};

	methods = { listSearch: { searchCheckoutSessions } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const operation = this.getNodeParameter('operation', 0) as string;
		const handler = OPERATIONS[operation];
		if (!handler) throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`);

		// Retries, timeouts and parallelism are settings of the run, read from the first item.
		let options: IDataObject;
		try {
			options = readParameter(this, 'options', 0, 'Options', {}) as IDataObject;
		} catch (error) {
			throw asNodeError(this, error, 0);
		}
		const itemConcurrency = numberOption(options.itemConcurrency, DEFAULT_ITEM_CONCURRENCY);
		const pageConcurrency = numberOption(options.pageConcurrency, DEFAULT_PAGE_CONCURRENCY);
		const settings = await transportSettings.call(this, {
			maxRetries: numberOption(options.maxRetries, DEFAULT_TRANSPORT.maxRetries),
			timeoutMs: numberOption(options.timeout, DEFAULT_TRANSPORT.timeoutMs / 1000) * 1000,
			retryDelayMs: numberOption(options.retryDelay, DEFAULT_TRANSPORT.retryDelayMs),
			// The option is a ceiling: the limiter learns from Tilled's answers how many go at once.
			maxConcurrency: operation === 'getAll' ? pageConcurrency : itemConcurrency,
			pace: rememberedPace.call(this),
		});
		const continueOnFail = this.continueOnFail();

		// The first failure that stops the run (without Continue On Fail): no item starts after it.
		let failure: NodeOperationError | undefined;
		const prepareItem = (itemIndex: number): { input: unknown } | { error: NodeOperationError } => {
			try {
				return { input: handler.prepare.call(this, itemIndex) };
			} catch (error) {
				const wrapped = asNodeError(this, error, itemIndex);
				if (!continueOnFail) throw (failure ??= wrapped);
				return { error: wrapped };
			}
		};
		// Create and Expire change sessions: every item is read and checked before the first
		// request, so a bad item never leaves the items before it sent (and unreported). Get and
		// Get Many only read: items are read in runs of PREPARE_AHEAD while earlier items' requests
		// are in flight, and a bad item stops the run with nothing changed at Tilled. Runs, not one
		// item at a time: n8n 2.x evaluates expressions back to back for about half the CPU.
		const checkFirst = operation === 'create' || operation === 'expire';
		const prepared: Array<ReturnType<typeof prepareItem>> = [];
		const readUpTo = (end: number) => {
			while (prepared.length < end) prepared.push(prepareItem(prepared.length));
		};
		if (checkFirst) readUpTo(items.length);

		// Creates that worked, to name in the error if an item stops the run. On the first failure
		// no new item starts, but creates already in flight are awaited: the error is built only
		// when all of them have settled, so it names every session this execution created.
		const created: Array<{ itemIndex: number; ids: string }> = [];
		let outputs: INodeExecutionData[][];
		try {
			// Items start as the limiter has room for their requests, in input order.
			const room = () => Math.floor(settings.limiter.limit);
			outputs = await mapConcurrent(items, room, async (_, itemIndex) => {
				if (failure) throw failure;
				const pairedItem = { item: itemIndex };
				if (prepared.length <= itemIndex) readUpTo(Math.min(items.length, itemIndex + PREPARE_AHEAD));
				const entry = prepared[itemIndex];
				if ('error' in entry) return [errorItem(entry.error, itemIndex)];
				try {
					const results = await handler.run.call(this, entry.input, { settings, itemIndex, pageConcurrency });
					if (operation === 'create') created.push({ itemIndex, ids: results.map((r) => String(r.id)).join(', ') });
					return results.map((json) => ({ json, pairedItem }));
				} catch (error) {
					const wrapped = asNodeError(this, error, itemIndex);
					if (!continueOnFail) throw (failure ??= wrapped);
					return [errorItem(wrapped, itemIndex)];
				}
			});
		} catch (error) {
			throw withCreatedSessions(failure ?? asNodeError(this, error, 0), created);
		} finally {
			rememberPace.call(this, settings);
		}
		return [outputs.flat()];
	}
}

function numberOption(value: unknown, fallback: number): number {
	return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function asNodeError(context: IExecuteFunctions, error: unknown, itemIndex: number) {
	if (error instanceof InvalidParameter) return invalidParameterError(context.getNode(), error, itemIndex);
	if (error instanceof Error && 'node' in error) return error as NodeOperationError;
	return new NodeOperationError(context.getNode(), error as Error, { itemIndex });
}

function errorItem(error: NodeOperationError, itemIndex: number): INodeExecutionData {
	const json: IDataObject = { error: error.message };
	if (error.description) json.description = error.description;
	const httpCode = (error as { httpCode?: string | null }).httpCode;
	if (httpCode) json.httpCode = httpCode;
	return { json, pairedItem: { item: itemIndex }, error };
}

/**
 * When one item fails and the run stops, n8n keeps no output of the items that worked. For
 * creates those are real payment pages: name them in the error so none is lost.
 */
function withCreatedSessions(error: NodeOperationError, created: Array<{ itemIndex: number; ids: string }>) {
	if (created.length === 0) return error;
	const list = [...created]
		.sort((a, b) => a.itemIndex - b.itemIndex)
		.map((entry) => `item ${entry.itemIndex}: ${entry.ids}`)
		.join('; ');
	error.description = `${error.description ? error.description + '. ' : ''}Checkout sessions created in this run: ${list}. Rerun with the Idempotency Key option to get them back instead of creating them again.`;
	return error;
}
