import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { InvalidParameter } from './errors';
import { LIMITS } from './limits';
import { checkText } from './validation';

export type Metadata = Record<string, string>;

interface MetadataPairs {
	pair?: Array<{ key?: unknown; value?: unknown }>;
}

/** A key/value list in the UI, sent to Tilled as a JSON object (or metadata[key]=value filters). */
export function metadataProperty(options: {
	displayName: string;
	name: string;
	description: string;
}): INodeProperties {
	return {
		displayName: options.displayName,
		name: options.name,
		type: 'fixedCollection',
		placeholder: 'Add Key/Value Pair',
		default: {},
		typeOptions: { multipleValues: true },
		description: options.description,
		options: [
			{
				displayName: 'Pair',
				name: 'pair',
				values: [
					{
						displayName: 'Key',
						name: 'key',
						type: 'string',
						default: '',
						description: `Metadata key, at most ${LIMITS.metadataKeyLength} characters`,
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						description: `Metadata value, at most ${LIMITS.metadataValueLength} characters`,
					},
				],
			},
		],
	};
}

/**
 * Reads a key/value list into an object and checks Tilled's metadata limits.
 * `reservedKeys` counts keys the node adds itself, so the user's keys plus ours stay within 50.
 */
export function metadataFromPairs(pairs: unknown, field: string, reservedKeys = 0): Metadata | undefined {
	const list = (pairs as MetadataPairs | undefined)?.pair ?? [];
	if (list.length === 0) return undefined;
	const metadata: Metadata = {};
	list.forEach((entry, index) => {
		const where = `${field} › pair ${index + 1}`;
		const key = checkText(entry.key, `${where} › Key`, { required: true, maxLength: LIMITS.metadataKeyLength });
		const value = checkText(entry.value, `${where} › Value`, {
			required: false,
			maxLength: LIMITS.metadataValueLength,
		});
		if (Object.prototype.hasOwnProperty.call(metadata, key as string)) {
			throw new InvalidParameter(`${where} › Key`, `"${key}" is given twice`);
		}
		// defineProperty, so a key such as "__proto__" is kept as data like any other.
		Object.defineProperty(metadata, key as string, { value: value ?? '', enumerable: true, writable: true, configurable: true });
	});
	checkKeyCount(metadata, field, reservedKeys);
	return metadata;
}

export function checkKeyCount(metadata: IDataObject, field: string, reservedKeys = 0) {
	const allowed = LIMITS.metadataKeys - reservedKeys;
	const count = Object.keys(metadata).length;
	if (count > allowed) {
		throw new InvalidParameter(
			field,
			`may have at most ${allowed} keys${reservedKeys ? ` (Tilled allows ${LIMITS.metadataKeys}; the node uses ${reservedKeys})` : ''}, has ${count}`,
		);
	}
}

/** Filters go into the query as metadata[key]=value, where brackets in a key would change its meaning. */
export function checkFilterKeys(metadata: Metadata | undefined, field: string): Metadata | undefined {
	for (const key of Object.keys(metadata ?? {})) {
		if (/[[\]]/.test(key)) {
			throw new InvalidParameter(`${field} › Key`, `"${key}" cannot be used as a filter: keys with [ or ] cannot be sent in a query`);
		}
	}
	return metadata;
}
