import { getOperation, idLocator } from '../common';

export const PAYOUTS = { path: '/v1/payouts', action: 'list payouts', noun: 'payout' };

export const get = getOperation({
	...PAYOUTS,
	locator: idLocator({ displayName: 'Payout', name: 'payoutId', noun: 'payout', example: 'po_…', searchListMethod: 'searchPayouts' }),
});
