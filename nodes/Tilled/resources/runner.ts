// One runner for the items of every action node: prepare and check, concurrency and pace,
// pairing, Continue On Fail, and naming what was created before a failure stopped the run.
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import { InvalidParameter, invalidParameterError, readParameter } from '../shared/errors';
import {
	DEFAULT_TRANSPORT,
	mapConcurrent,
	rememberedPace,
	rememberPace,
	transportSettings,
} from '../transport';
import { checkId } from '../shared/validation';
import { DEFAULT_ITEM_CONCURRENCY, DEFAULT_PAGE_CONCURRENCY } from './properties';
import type { AnyOperation } from './types';

/** Operations that only read prepare this many items at a time, ahead of their requests. */
const PREPARE_AHEAD = 100;

/** Runs `operation` over the node's input items; the node chose it from its parameters. */
export async function runOperation(this: IExecuteFunctions, operation: AnyOperation): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();

	// Retries, timeouts, parallelism and the account are settings of the run, read from the first item.
	let options: IDataObject;
	let account: string | undefined;
	try {
		options = readParameter(this, 'options', 0, 'Options', {}) as IDataObject;
		if (options.account !== undefined && options.account !== '') account = checkId(options.account, 'Options › Account');
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
		maxConcurrency: operation.lists ? pageConcurrency : itemConcurrency,
		pace: rememberedPace.call(this),
		account,
	});
	const continueOnFail = this.continueOnFail();

	// The first failure that stops the run (without Continue On Fail): no item starts after it.
	let failure: NodeOperationError | undefined;
	const prepareItem = (itemIndex: number): { input: unknown } | { error: NodeOperationError } => {
		try {
			return { input: operation.prepare.call(this, itemIndex) };
		} catch (error) {
			const wrapped = asNodeError(this, error, itemIndex);
			if (!continueOnFail) throw (failure ??= wrapped);
			return { error: wrapped };
		}
	};
	// Operations that change money or state read and check every item before the first request,
	// so a bad item never leaves the items before it sent (and unreported). Operations that only
	// read prepare items in runs of PREPARE_AHEAD while earlier items' requests are in flight, and
	// a bad item stops the run with nothing changed at Tilled. Runs, not one item at a time: n8n
	// 2.x evaluates expressions back to back for about half the CPU.
	const prepared: Array<ReturnType<typeof prepareItem>> = [];
	const readUpTo = (end: number) => {
		while (prepared.length < end) prepared.push(prepareItem(prepared.length));
	};
	if (operation.changesState) readUpTo(items.length);

	// What was created, to name in the error if an item stops the run. On the first failure no
	// new item starts, but requests already in flight are awaited: the error is built only when
	// all of them have settled, so it names everything this execution created.
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
				const results = await operation.run.call(this, entry.input, { settings, itemIndex, pageConcurrency });
				if (operation.creates) created.push({ itemIndex, ids: results.map((r) => String(r.id)).join(', ') });
				return results.map((json) => ({ json, pairedItem }));
			} catch (error) {
				const wrapped = asNodeError(this, error, itemIndex);
				if (!continueOnFail) throw (failure ??= wrapped);
				return [errorItem(wrapped, itemIndex)];
			}
		});
	} catch (error) {
		throw withCreated(failure ?? asNodeError(this, error, 0), operation.creates, created);
	} finally {
		rememberPace.call(this, settings);
	}
	return [outputs.flat()];
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
 * creates those are real payment pages or refunds: name them in the error so none is lost.
 */
function withCreated(
	error: NodeOperationError,
	what: string | undefined,
	created: Array<{ itemIndex: number; ids: string }>,
) {
	if (!what || created.length === 0) return error;
	const list = [...created]
		.sort((a, b) => a.itemIndex - b.itemIndex)
		.map((entry) => `item ${entry.itemIndex}: ${entry.ids}`)
		.join('; ');
	error.description = `${error.description ? error.description + '. ' : ''}${what} created in this run: ${list}. Rerun with the Idempotency Key option to get them back instead of creating them again.`;
	return error;
}
