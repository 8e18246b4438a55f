import { choiceOptions, choiceQuery, dateFilter, dateQuery, getManyOperation, idQuery } from '../common';
import { BALANCE_TRANSACTIONS } from './get';

const TYPES = [
	'charge', 'charge_failure_refund', 'dispute', 'dispute_won', 'refund', 'refund_failure', 'adjustment', 'commission',
	'payout', 'payout_cancel', 'payout_failure', 'fee', 'platform_fee', 'platform_fee_refund', 'outbound_transfer',
	'outbound_transfer_cancel', 'outbound_transfer_failure', 'charge_fee', 'refund_fee', 'account_fee',
	'payment_method_fee', 'tilled_fee',
] as const;

export const getMany = getManyOperation({
	plural: 'balance transactions',
	target: BALANCE_TRANSACTIONS,
	filters: [
		dateFilter('Created After', 'createdFrom', 'Only balance transactions created at or after this time'),
		dateFilter('Created Before', 'createdTo', 'Only balance transactions created at or before this time'),
		{ displayName: 'Payout ID', name: 'payoutId', type: 'string', default: '', placeholder: 'po_…', description: 'Only the balance transactions this payout paid out' },
		{ displayName: 'Source ID', name: 'sourceId', type: 'string', default: '', placeholder: 'ch_…', description: 'Only the balance transactions of this source (a charge, refund, dispute…)' },
		{ displayName: 'Type', name: 'type', type: 'options', options: [{ name: 'Any', value: '' }, ...choiceOptions(TYPES)], default: '', description: 'Only balance transactions of this type' },
	],
	readFilters(filters) {
		return {
			...dateQuery.call(this, filters, {
				createdFrom: { query: 'created_at_gte', label: 'Created After' },
				createdTo: { query: 'created_at_lte', label: 'Created Before' },
			}),
			...idQuery(filters, { payoutId: { query: 'payout_id', label: 'Payout ID' }, sourceId: { query: 'source_id', label: 'Source ID' } }),
			...choiceQuery(filters, 'type', 'type', 'Type', TYPES),
		};
	},
});
