import { choiceOptions, choiceQuery, dateFilter, dateQuery, getManyOperation, idQuery, metadataFilter, metadataQuery } from '../common';
import { PAYMENT_INTENTS } from './locator';

const STATUSES = [
	'canceled',
	'processing',
	'requires_action',
	'requires_capture',
	'requires_confirmation',
	'requires_payment_method',
	'succeeded',
] as const;

export const getMany = getManyOperation({
	plural: 'payment intents',
	target: PAYMENT_INTENTS,
	filters: [
		dateFilter('Created After', 'createdFrom', 'Only payment intents created at or after this time'),
		dateFilter('Created Before', 'createdTo', 'Only payment intents created at or before this time'),
		{
			displayName: 'Customer ID',
			name: 'customerId',
			type: 'string',
			default: '',
			placeholder: 'cus_…',
			description: 'Only payment intents of this Tilled customer',
		},
		metadataFilter('payment intents'),
		{
			displayName: 'Status',
			name: 'status',
			type: 'multiOptions',
			options: choiceOptions(STATUSES),
			default: [],
			description: 'Only payment intents in one of these statuses',
		},
	],
	readFilters(filters) {
		return {
			...metadataQuery(filters),
			...dateQuery.call(this, filters, {
				createdFrom: { query: 'created_at_gte', label: 'Created After' },
				createdTo: { query: 'created_at_lte', label: 'Created Before' },
			}),
			...idQuery(filters, { customerId: { query: 'customer_id', label: 'Customer ID' } }),
			...choiceQuery(filters, 'status', 'status', 'Status', STATUSES),
		};
	},
});
