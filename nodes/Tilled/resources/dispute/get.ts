import { getOperation, idLocator } from '../common';

export const DISPUTES = { path: '/v1/disputes', action: 'list disputes', noun: 'dispute' };

export const get = getOperation({
	...DISPUTES,
	locator: idLocator({ displayName: 'Dispute', name: 'disputeId', noun: 'dispute', example: 'dp_…', searchListMethod: 'searchDisputes' }),
});
