import { InvalidParameter } from '../../shared/errors';
import { choiceOptions, choiceQuery, dateFilter, dateQuery, getManyOperation } from '../common';
import { PAYOUTS } from './get';

const STATUSES = ['canceled', 'failed', 'in_transit', 'paid', 'pending'] as const;

export const getMany = getManyOperation({
	plural: 'payouts',
	target: PAYOUTS,
	filters: [
		dateFilter('Created After', 'createdFrom', 'Only payouts created at or after this time'),
		dateFilter('Created Before', 'createdTo', 'Only payouts created at or before this time'),
		dateFilter('Paid After', 'paidFrom', 'Only payouts paid at or after this time (not together with the Created filters)'),
		dateFilter('Paid Before', 'paidTo', 'Only payouts paid at or before this time (not together with the Created filters)'),
		{ displayName: 'Status', name: 'status', type: 'options', options: [{ name: 'Any', value: '' }, ...choiceOptions(STATUSES)], default: '', description: 'Only payouts in this status' },
	],
	readFilters(filters) {
		const dates = dateQuery.call(this, filters, {
			createdFrom: { query: 'created_at_gte', label: 'Created After' },
			createdTo: { query: 'created_at_lte', label: 'Created Before' },
			paidFrom: { query: 'paid_at_gte', label: 'Paid After' },
			paidTo: { query: 'paid_at_lte', label: 'Paid Before' },
		});
		// Tilled refuses the two kinds of dates together: said here, before anything is sent.
		if ((dates.created_at_gte || dates.created_at_lte) && (dates.paid_at_gte || dates.paid_at_lte)) {
			throw new InvalidParameter('Filters', 'cannot have both Created and Paid dates: Tilled filters payouts by one or the other');
		}
		return { ...dates, ...choiceQuery(filters, 'status', 'status', 'Status', STATUSES) };
	},
});
