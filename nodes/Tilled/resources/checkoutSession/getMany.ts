import type { IExecuteFunctions } from 'n8n-workflow';
import { InvalidParameter, readParameter } from '../../shared/errors';
import { LIMITS } from '../../shared/limits';
import { checkFilterKeys, metadataFromPairs, metadataProperty } from '../../shared/metadata';
import { listQuery, tilledList, type TilledListTarget } from '../../transport';
import { checkId } from '../../shared/validation';
import type { TilledOperation } from '../types';

export const CHECKOUT_SESSIONS: TilledListTarget = { path: '/v1/checkout-sessions', action: 'list checkout sessions' };

interface PreparedList {
	query: ReturnType<typeof listQuery>;
	limit?: number;
}

function prepare(this: IExecuteFunctions, itemIndex: number): PreparedList {
	const returnAll = readParameter(this, 'returnAll', itemIndex, 'Return All', false) as boolean;
	let limit: number | undefined;
	if (!returnAll) {
		limit = readParameter(this, 'limit', itemIndex, 'Limit', 50) as number;
		if (!Number.isInteger(limit) || limit < 1) {
			throw new InvalidParameter('Limit', `must be a whole number of at least 1, got ${String(limit)}`);
		}
	}
	const filters = readParameter(this, 'filters', itemIndex, 'Filters', {}) as {
		metadata?: unknown;
		paymentIntentId?: unknown;
		customerId?: unknown;
	};
	const has = (value: unknown) => value !== undefined && value !== '';
	const query = listQuery({
		metadata: checkFilterKeys(metadataFromPairs(filters.metadata, 'Filters › Metadata'), 'Filters › Metadata'),
		paymentIntentId: has(filters.paymentIntentId)
			? checkId(filters.paymentIntentId, 'Filters › Payment Intent ID')
			: undefined,
		customerId: has(filters.customerId) ? checkId(filters.customerId, 'Filters › Customer ID') : undefined,
	});
	return { query, limit };
}

export const getMany: TilledOperation<PreparedList> = {
	name: 'Get Many',
	value: 'getAll',
	description: 'List checkout sessions, newest first, optionally filtered',
	action: 'Get many checkout sessions',
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
			options: [
				{
					displayName: 'Customer ID',
					name: 'customerId',
					type: 'string',
					default: '',
					placeholder: 'cus_…',
					description: 'Only sessions of this Tilled customer',
				},
				{
					...metadataProperty({
						displayName: 'Metadata',
						name: 'metadata',
						description: `Only sessions whose metadata has every one of these key/value pairs (exact match, at most ${LIMITS.metadataKeys})`,
					}),
				},
				{
					displayName: 'Payment Intent ID',
					name: 'paymentIntentId',
					type: 'string',
					default: '',
					placeholder: 'pi_…',
					description: 'Only the session behind this payment intent, e.g. from a payment_intent.succeeded webhook',
				},
			],
		},
	],
	prepare,
	async run({ query, limit }, { settings, itemIndex, pageConcurrency }) {
		return await tilledList.call(this, settings, query, { ...CHECKOUT_SESSIONS, limit, pageConcurrency, itemIndex });
	},
};
