// Tilled takes amounts in minor units (cents); people think in decimal amounts. Converting
// here, per currency, is what keeps a 19.99 USD item from being charged as 0.19 or 1999.00.
import { InvalidParameter } from './errors';
import { CURRENCY_DECIMALS } from './limits';
import { decimalPlaces, toNumber } from './validation';

export type AmountFormat = 'decimal' | 'minor';

export function toMinorUnits(value: unknown, currency: string, format: AmountFormat, field: string): number {
	const amount = toNumber(value, field);
	if (format === 'minor') {
		if (!Number.isInteger(amount)) {
			throw new InvalidParameter(
				field,
				`must be a whole number of minor units (e.g. 1999 for 19.99 ${currency.toUpperCase()}), got ${amount}. Set "Amounts In" to Decimal Amounts to enter ${amount} as it is`,
			);
		}
		return amount;
	}
	const decimals = CURRENCY_DECIMALS[currency];
	if (decimalPlaces(amount) > decimals) {
		throw new InvalidParameter(
			field,
			`has more decimals than ${currency.toUpperCase()} allows (${decimals}), got ${amount}`,
		);
	}
	// Scaling by 10^decimals in floating point can land on 1998.9999999; the decimal check
	// above guarantees the exact result is whole, so rounding restores it.
	return Math.round(amount * 10 ** decimals);
}

/** Formats minor units for messages: 1999 usd -> "19.99 USD", 500 jpy -> "500 JPY". */
export function formatMinorUnits(minor: number, currency: string): string {
	const decimals = CURRENCY_DECIMALS[currency] ?? 2;
	return `${(minor / 10 ** decimals).toFixed(decimals)} ${currency.toUpperCase()}`;
}
