// Assembles an action node's parameters from its resources' operation files: the Resource and
// Operation options, each operation's fields shown for that operation only (set here, once per
// operation), and one Options collection per operation with the run options every operation has.
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { INITIAL_LIMIT } from '../transport';
import type { AnyOperation, TilledResource } from './types';

export const DEFAULT_ITEM_CONCURRENCY = 200;
export const DEFAULT_PAGE_CONCURRENCY = 20;

/** The Account option: for partners acting for one of their connected accounts. */
const accountOption: INodeProperties = {
	displayName: 'Account',
	name: 'account',
	type: 'string',
	default: '',
	placeholder: 'acct_…',
	description:
		"The Tilled account to act for (sent as the tilled-account header), e.g. a connected account of the credential's partner account. Empty: the credential's own account.",
};

/** Options every operation has, in the Options collection's alphabetical order. */
function runOptions(operation: AnyOperation): INodeProperties[] {
	return [
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
		...(operation.lists
			? [
					{
						displayName: 'Pages in Parallel',
						name: 'pageConcurrency',
						type: 'number' as const,
						typeOptions: { minValue: 1, maxValue: 20 },
						default: DEFAULT_PAGE_CONCURRENCY,
						description: 'The most pages of 100 items fetched at once when listing; as for Items in Parallel, the node finds how many Tilled handles well below this',
					},
				]
			: []),
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 0.1 },
			default: 30,
			description:
				'How long to wait for each attempt. With retries a Get or a list page can take (Max Retries + 1) × Timeout plus the waits between attempts: about 2 minutes at the defaults. A Create or Expire that gets no answer also looks itself up after each attempt, up to (Max Retries + 1) × (Max Retries + 2) × Timeout: 10 minutes at the defaults. A 429 Retry-After adds up to 2 minutes per retry.',
		},
	];
}

const byDisplayName = (a: INodeProperties, b: INodeProperties) => a.displayName.localeCompare(b.displayName);

/** Shows `property` only for this resource (when the node has a Resource parameter) and operation. */
function shownFor(property: INodeProperties, operation: string, resource?: string): INodeProperties {
	const show = {
		...property.displayOptions?.show,
		...(resource !== undefined ? { resource: [resource] } : {}),
		operation: [operation],
	};
	return { ...property, displayOptions: { ...property.displayOptions, show } };
}

function operationOption(operation: AnyOperation): INodePropertyOptions {
	return { name: operation.name, value: operation.value, description: operation.description, action: operation.action };
}

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

/** The fields and the Options collection of one operation, shown for it alone. */
function operationProperties(operation: AnyOperation, resource: string | undefined, withAccount: boolean): INodeProperties[] {
	const options: INodeProperties = {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [...(withAccount ? [accountOption] : []), ...(operation.options ?? []), ...runOptions(operation)].sort(byDisplayName),
	};
	return [...operation.properties, options].map((property) => shownFor(property, operation.value, resource));
}

function operationParameter(resource: TilledResource): INodeProperties {
	const operation: INodeProperties = {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: resource.operations.map(operationOption).sort(byName),
		default: '',
	};
	operation.default = resource.defaultOperation;
	return operation;
}

/** A node of one resource, without a Resource parameter (Tilled Checkout Sessions). */
export function singleResourceProperties(resource: TilledResource): INodeProperties[] {
	return [
		operationParameter(resource),
		...resource.operations.flatMap((operation) => operationProperties(operation, undefined, false)),
	];
}

/** A node of several resources: Resource, then each resource's Operation and fields, and the Account option. */
export function multiResourceProperties(resources: TilledResource[], defaultResource: string): INodeProperties[] {
	return [
		{
			displayName: 'Resource',
			name: 'resource',
			type: 'options',
			noDataExpression: true,
			options: resources.map((resource) => ({ name: resource.name, value: resource.value })).sort(byName),
			default: defaultResource,
		},
		...resources.flatMap((resource) => [
			{ ...operationParameter(resource), displayOptions: { show: { resource: [resource.value] } } },
			...resource.operations.flatMap((operation) => operationProperties(operation, resource.value, true)),
		]),
	];
}

/** The subtitle under the node's name: the action of the chosen operation ("Get many refunds"). */
export function subtitle(resources: TilledResource[], withResource: boolean): string {
	const actions: Record<string, string> = {};
	for (const resource of resources) {
		for (const operation of resource.operations) {
			actions[withResource ? `${resource.value}:${operation.value}` : operation.value] = operation.action;
		}
	}
	const key = withResource ? '$parameter["resource"] + ":" + $parameter["operation"]' : '$parameter["operation"]';
	return `={{ ${JSON.stringify(actions)}[${key}] }}`;
}

/** The operation the node's parameters chose (from item 0: Resource and Operation take no expressions). */
export function chosenOperation(resources: TilledResource[], resourceValue: string, operationValue: string): AnyOperation | undefined {
	return resources.find((r) => r.value === resourceValue)?.operations.find((o) => o.value === operationValue);
}
