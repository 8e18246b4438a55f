import { idLocator } from '../common';

export const REFUNDS = { path: '/v1/refunds', action: 'list refunds', noun: 'refund' };

export const refundLocator = idLocator({
	displayName: 'Refund',
	name: 'refundId',
	noun: 'refund',
	example: 'rf_…',
	searchListMethod: 'searchRefunds',
});
