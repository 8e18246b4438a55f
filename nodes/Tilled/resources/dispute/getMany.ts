import { choiceOptions, choiceQuery, dateFilter, dateQuery, getManyOperation, idQuery } from '../common';
import { DISPUTES } from './get';

const STATUSES = [
	'warning_needs_response',
	'warning_under_review',
	'warning_closed',
	'needs_response',
	'under_review',
	'closed',
	'won',
	'lost',
] as const;

export const getMany = getManyOperation({
	plural: 'disputes',
	target: DISPUTES,
	filters: [
		{ displayName: 'Charge ID', name: 'chargeId', type: 'string', default: '', placeholder: 'ch_…', description: 'Only disputes of this charge' },
		dateFilter('Created After', 'createdFrom', 'Only disputes created at or after this time'),
		dateFilter('Created Before', 'createdTo', 'Only disputes created at or before this time'),
		{ displayName: 'Status', name: 'status', type: 'multiOptions', options: choiceOptions(STATUSES), default: [], description: 'Only disputes in one of these statuses' },
	],
	readFilters(filters) {
		return {
			...idQuery(filters, { chargeId: { query: 'charge_id', label: 'Charge ID' } }),
			...dateQuery.call(this, filters, {
				createdFrom: { query: 'created_at_gte', label: 'Created After' },
				createdTo: { query: 'created_at_lte', label: 'Created Before' },
			}),
			...choiceQuery(filters, 'status', 'status', 'Status', STATUSES),
		};
	},
});
