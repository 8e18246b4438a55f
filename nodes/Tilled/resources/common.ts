// Parts several resources' operations are built from: a locator for an object, reading its ID,
// Get by ID, Get Many with filters, and the filters Tilled's lists share.
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { InvalidParameter, readParameter, requireExpressionValue } from '../shared/errors';
import { LIMITS } from '../shared/limits';
import { checkFilterKeys, metadataFromPairs, metadataProperty, type Metadata } from '../shared/metadata';
import { checkDateTime, checkId } from '../shared/validation';
import { tilledApiRequest, tilledList, type TilledListTarget, type TransportSettings } from '../transport';
import type { TilledOperation } from './types';

/** An object picked from a list (where Tilled can list it) or typed as its ID. */
export function idLocator(options: {
	displayName: string;
	name: string;
	noun: string;
	example: string;
	searchListMethod?: string;
}): INodeProperties {
	return {
		displayName: options.displayName,
		name: options.name,
		type: 'resourceLocator',
		default: { mode: options.searchListMethod ? 'list' : 'id', value: '' },
		required: true,
		description: `The ${options.noun}, ${options.searchListMethod ? 'chosen from a list or ' : ''}given by its ID (${options.example})`,
		modes: [
			...(options.searchListMethod
				? [
						{
							displayName: 'From List',
							name: 'list',
							type: 'list' as const,
							placeholder: `Select a ${options.noun}…`,
							typeOptions: { searchListMethod: options.searchListMethod, searchable: true },
						},
					]
				: []),
			{
				displayName: 'ID',
				name: 'id',
				type: 'string',
				placeholder: options.example,
				validation: [
					{
						type: 'regex',
						properties: {
							regex: '^[A-Za-z0-9_-]+$',
							errorMessage: `A ${options.noun} ID has only letters, digits, "_" and "-"`,
						},
					},
				],
			},
		],
	};
}

/** The ID of a locator parameter for one item, checked before anything is sent. */
export function readId(this: IExecuteFunctions, itemIndex: number, locator: INodeProperties): string {
	const value = readParameter(this, locator.name, itemIndex, locator.displayName, '', { extractValue: true });
	requireExpressionValue(this, locator.name, itemIndex, locator.displayName, value);
	return checkId(value, locator.displayName);
}

/** GET path/{id}. */
export async function fetchById(
	this: IExecuteFunctions,
	settings: TransportSettings,
	target: { path: string; noun: string },
	id: string,
	itemIndex: number,
): Promise<IDataObject> {
	return await tilledApiRequest.call(this, settings, {
		method: 'GET',
		path: `${target.path}/${id}`,
		safety: 'idempotent',
		action: `get the ${target.noun}`,
		itemIndex,
	});
}

/** Get: one object by its ID. */
export function getOperation(options: {
	noun: string;
	path: string;
	locator: INodeProperties;
}): TilledOperation<string> {
	return {
		name: 'Get',
		value: 'get',
		description: `Get a ${options.noun} by ID`,
		action: `Get a ${options.noun}`,
		properties: [options.locator],
		prepare(itemIndex) {
			return readId.call(this, itemIndex, options.locator);
		},
		async run(id, { settings, itemIndex }) {
			return [await fetchById.call(this, settings, options, id, itemIndex)];
		},
	};
}

export interface PreparedList {
	query: IDataObject;
	limit?: number;
}

/** Get Many: Return All or Limit, and the list's filters, read into Tilled's query by `readFilters`. */
export function getManyOperation(options: {
	plural: string;
	target: TilledListTarget;
	filters: INodeProperties[];
	readFilters: (this: IExecuteFunctions, filters: IDataObject, itemIndex: number) => IDataObject;
}): TilledOperation<PreparedList> {
	return {
		name: 'Get Many',
		value: 'getAll',
		description: `List ${options.plural}, newest first, optionally filtered`,
		action: `Get many ${options.plural}`,
		lists: true,
		properties: [
			{
				displayName: 'Return All',
				name: 'returnAll',
				type: 'boolean',
				default: false,
				description: 'Whether to return all results or only up to a given limit',
			},
			{
				displayName: 'Limit',
				name: 'limit',
				type: 'number',
				displayOptions: { show: { returnAll: [false] } },
				typeOptions: { minValue: 1 },
				default: 50,
				description: 'Max number of results to return',
			},
			{
				displayName: 'Filters',
				name: 'filters',
				type: 'collection',
				placeholder: 'Add Filter',
				default: {},
				options: options.filters,
			},
		],
		prepare(itemIndex) {
			const returnAll = readParameter(this, 'returnAll', itemIndex, 'Return All', false) as boolean;
			let limit: number | undefined;
			if (!returnAll) {
				limit = readParameter(this, 'limit', itemIndex, 'Limit', 50) as number;
				if (!Number.isInteger(limit) || limit < 1) {
					throw new InvalidParameter('Limit', `must be a whole number of at least 1, got ${String(limit)}`);
				}
			}
			const filters = readParameter(this, 'filters', itemIndex, 'Filters', {}) as IDataObject;
			return { query: options.readFilters.call(this, filters, itemIndex), limit };
		},
		async run({ query, limit }, { settings, itemIndex, pageConcurrency }) {
			return await tilledList.call(this, settings, query, { ...options.target, limit, pageConcurrency, itemIndex });
		},
	};
}

const given = (value: unknown) => value !== undefined && value !== null && value !== '';

/** Filters › Metadata: exact key/value matches, sent as metadata[key]=value. */
export function metadataFilter(plural: string): INodeProperties {
	return metadataProperty({
		displayName: 'Metadata',
		name: 'metadata',
		description: `Only ${plural} whose metadata has every one of these key/value pairs (exact match, at most ${LIMITS.metadataKeys})`,
	});
}

export function metadataQuery(filters: IDataObject): IDataObject {
	const metadata = checkFilterKeys(metadataFromPairs(filters.metadata, 'Filters › Metadata'), 'Filters › Metadata') ?? {};
	const qs: IDataObject = {};
	for (const [key, value] of Object.entries(metadata)) qs[`metadata[${key}]`] = value;
	return qs;
}

/** A date filter (Created After…): a dateTime field whose value goes to Tilled as ISO 8601. */
export function dateFilter(displayName: string, name: string, description: string): INodeProperties {
	return { displayName, name, type: 'dateTime', default: '', description };
}

/** The date filters given, as query fields (`fields` maps filter names to Tilled's names). */
export function dateQuery(this: IExecuteFunctions, filters: IDataObject, fields: Record<string, { query: string; label: string }>): IDataObject {
	const qs: IDataObject = {};
	for (const [name, { query, label }] of Object.entries(fields)) {
		if (given(filters[name])) qs[query] = checkDateTime(filters[name], `Filters › ${label}`, this.getTimezone());
	}
	return qs;
}

/** An ID filter (Customer ID…), checked as an ID. */
export function idQuery(filters: IDataObject, fields: Record<string, { query: string; label: string }>): IDataObject {
	const qs: IDataObject = {};
	for (const [name, { query, label }] of Object.entries(fields)) {
		if (given(filters[name])) qs[query] = checkId(filters[name], `Filters › ${label}`);
	}
	return qs;
}

/** A choice filter (Status, Type): one of the spec's values, or several where Tilled takes a list. */
export function choiceQuery(filters: IDataObject, name: string, query: string, label: string, allowed: readonly string[]): IDataObject {
	const value = filters[name];
	if (!given(value)) return {};
	const values = Array.isArray(value) ? value.map(String) : [String(value)];
	if (values.length === 0) return {};
	for (const v of values) {
		if (!allowed.includes(v)) throw new InvalidParameter(`Filters › ${label}`, `must be one of ${allowed.join(', ')}, got "${v}"`);
	}
	return { [query]: Array.isArray(value) ? values : values[0] };
}

/** n8n option names from Tilled's snake_case values: requires_capture → Requires Capture. */
export function choiceOptions(values: readonly string[]) {
	return values.map((value) => ({
		name: value
			.split('_')
			.map((word) => word.charAt(0).toUpperCase() + word.slice(1))
			.join(' '),
		value,
	}));
}

/** The newest object of a list with these metadata pairs (the node's marker or idempotency key). */
export async function findByMetadata(
	this: IExecuteFunctions,
	settings: TransportSettings,
	target: TilledListTarget,
	metadata: Metadata,
	itemIndex: number,
): Promise<IDataObject | undefined> {
	const qs: IDataObject = { limit: 1 };
	for (const [key, value] of Object.entries(metadata)) qs[`metadata[${key}]`] = value;
	const page = await tilledApiRequest.call(this, settings, { method: 'GET', path: target.path, qs, safety: 'idempotent', action: target.action, itemIndex });
	return (page.items as IDataObject[] | undefined)?.[0];
}

/** A value no other create attempt has: execution, item and a random part. */
export function attemptMarker(this: IExecuteFunctions, itemIndex: number): string {
	const random = Math.random().toString(36).slice(2, 12).padEnd(10, '0');
	return `${this.getExecutionId() ?? 'manual'}-${itemIndex}-${Date.now().toString(36)}-${random}`;
}
