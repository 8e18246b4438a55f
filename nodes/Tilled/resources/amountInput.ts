// Amounts of refunds and captures, in decimal or minor units as in Create. A decimal amount needs
// the currency's decimals: it is the payment intent's, read with one GET when (and only when) an
// amount is given in decimal. Asking the user for the currency instead would let a USD amount be
// sent for a JPY payment (100 times too much or too little): the payment intent knows.
import type { INodeProperties } from 'n8n-workflow';
import { toMinorUnits, type AmountFormat } from '../shared/amounts';
import { InvalidParameter } from '../shared/errors';
import { decimalPlaces, toNumber } from '../shared/validation';

export const amountFormatProperty: INodeProperties = {
	displayName: 'Amounts In',
	name: 'amountFormat',
	type: 'options',
	options: [
		{
			name: 'Decimal Amounts (19.99)',
			value: 'decimal',
			description: "As people write them; the node reads the payment intent's currency (one more request) to convert to minor units",
		},
		{
			name: 'Minor Units (1999)',
			value: 'minor',
			description: 'As Tilled takes them: whole cents (or yen), e.g. 1999 for 19.99 USD',
		},
	],
	default: 'decimal',
	description: 'How the amounts below are written',
};

export interface AmountInput {
	value: number;
	format: AmountFormat;
	field: string;
}

/** An optional amount: empty is undefined; otherwise positive, and whole in minor units. */
export function readAmount(raw: unknown, format: AmountFormat, field: string): AmountInput | undefined {
	if (raw === undefined || raw === null || raw === '') return undefined;
	const value = toNumber(raw, field);
	if (!(value > 0)) throw new InvalidParameter(field, `must be more than 0, got ${value}`);
	if (format === 'minor' && !Number.isInteger(value)) {
		throw new InvalidParameter(field, `must be a whole number of minor units (e.g. 1999 for 19.99 USD), got ${value}. Set "Amounts In" to Decimal Amounts to enter ${value} as it is`);
	}
	// No currency Tilled takes has more than 2 decimals; the currency's own count is checked once known.
	if (format === 'decimal' && decimalPlaces(value) > 2) {
		throw new InvalidParameter(field, `has more than 2 decimals, got ${value}`);
	}
	return { value, format, field };
}

/** The amount in minor units of `currency`. */
export function minorUnits(amount: AmountInput, currency: string): number {
	return toMinorUnits(amount.value, currency.toLowerCase(), amount.format, amount.field);
}

export const needsCurrency = (...amounts: Array<AmountInput | undefined>) => amounts.some((a) => a?.format === 'decimal');
