import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { LIMITS } from '../../shared/limits';
import { checkFilterKeys, metadataFromPairs, metadataProperty } from '../../shared/metadata';
import { listQuery, type TilledListTarget } from '../../transport';
import { checkId } from '../../shared/validation';
import { getManyOperation } from '../common';

export const CHECKOUT_SESSIONS: TilledListTarget = { path: '/v1/checkout-sessions', action: 'list checkout sessions' };

function readFilters(this: IExecuteFunctions, filters: IDataObject): IDataObject {
	const has = (value: unknown) => value !== undefined && value !== '';
	return listQuery({
		metadata: checkFilterKeys(metadataFromPairs(filters.metadata, 'Filters › Metadata'), 'Filters › Metadata'),
		paymentIntentId: has(filters.paymentIntentId)
			? checkId(filters.paymentIntentId, 'Filters › Payment Intent ID')
			: undefined,
		customerId: has(filters.customerId) ? checkId(filters.customerId, 'Filters › Customer ID') : undefined,
	});
}

export const getMany = getManyOperation({
	plural: 'checkout sessions',
	target: CHECKOUT_SESSIONS,
	filters: [
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
	readFilters,
});
