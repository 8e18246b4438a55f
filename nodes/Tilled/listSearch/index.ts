// Every "From List" search of the action nodes, by the method name their locators give.
import type { IDataObject } from 'n8n-workflow';
import { formatMinorUnits } from '../shared/amounts';
import { BALANCE_TRANSACTIONS } from '../resources/balanceTransaction/get';
import { CUSTOMERS } from '../resources/customer/fields';
import { DISPUTES } from '../resources/dispute/get';
import { PAYMENT_INTENTS } from '../resources/paymentIntent/locator';
import { PAYOUTS } from '../resources/payout/get';
import { REFUNDS } from '../resources/refund/locator';
import { searchCheckoutSessions } from './searchCheckoutSessions';
import { describeAmount, searchList } from './searchList';

const customerName = (customer: IDataObject) =>
	[customer.id, [customer.first_name, customer.last_name].filter(Boolean).join(' '), customer.email].filter(Boolean).map(String).join(' · ');

const balanceTransaction = (txn: IDataObject) =>
	`${String(txn.id)} · ${String(txn.type)} · ${formatMinorUnits(Number(txn.amount), String(txn.currency ?? 'usd'))}`;

export const listSearch = {
	searchCheckoutSessions,
	searchPaymentIntents: searchList(PAYMENT_INTENTS, describeAmount('amount')),
	searchRefunds: searchList(REFUNDS, describeAmount('amount')),
	searchCustomers: searchList(CUSTOMERS, customerName),
	searchDisputes: searchList(DISPUTES, describeAmount('amount')),
	searchPayouts: searchList(PAYOUTS, describeAmount('amount')),
	searchBalanceTransactions: searchList(BALANCE_TRANSACTIONS, balanceTransaction),
};
