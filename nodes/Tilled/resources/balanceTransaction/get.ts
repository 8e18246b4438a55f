import { getOperation, idLocator } from '../common';

export const BALANCE_TRANSACTIONS = { path: '/v1/balance-transactions', action: 'list balance transactions', noun: 'balance transaction' };

export const get = getOperation({
	...BALANCE_TRANSACTIONS,
	locator: idLocator({ displayName: 'Balance Transaction', name: 'balanceTransactionId', noun: 'balance transaction', example: 'txn_…', searchListMethod: 'searchBalanceTransactions' }),
});
