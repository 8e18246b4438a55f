import { formatMinorUnits, toMinorUnits } from '../../nodes/Tilled/shared/amounts';
import { InvalidParameter } from '../../nodes/Tilled/shared/errors';

const field = 'Unit Amount';

describe('toMinorUnits', () => {
	test.each([
		[19.99, 'usd', 1999],
		[0.01, 'usd', 1],
		[1.1, 'eur', 110],
		[0.29, 'gbp', 29], // 0.29 * 100 is 28.999999999999996 in floating point
		[1.005, 'usd', undefined],
		[500, 'jpy', 500],
		['19.99', 'usd', 1999],
		[999999.99, 'usd', 99999999],
	])('decimal %p %s -> %p', (amount, currency, expected) => {
		if (expected === undefined) {
			expect(() => toMinorUnits(amount, currency, 'decimal', field)).toThrow(/more decimals than USD allows \(2\)/);
		} else {
			expect(toMinorUnits(amount, currency, 'decimal', field)).toBe(expected);
		}
	});

	test('JPY has no minor unit: 500.5 JPY is refused', () => {
		expect(() => toMinorUnits(500.5, 'jpy', 'decimal', field)).toThrow(/JPY allows \(0\)/);
	});

	test('minor units are taken as they are and must be whole', () => {
		expect(toMinorUnits(1999, 'usd', 'minor', field)).toBe(1999);
		expect(() => toMinorUnits(19.99, 'usd', 'minor', field)).toThrow(InvalidParameter);
		expect(() => toMinorUnits(19.99, 'usd', 'minor', field)).toThrow(/whole number of minor units/);
	});

	test('non-numbers name the field', () => {
		expect(() => toMinorUnits('abc', 'usd', 'decimal', field)).toThrow('Unit Amount must be a number, got "abc"');
		expect(() => toMinorUnits(undefined, 'usd', 'decimal', field)).toThrow('Unit Amount must be a number, got nothing');
		expect(() => toMinorUnits(Number.NaN, 'usd', 'decimal', field)).toThrow(/must be a number/);
	});

	test('every decimal amount with two decimals round-trips exactly', () => {
		for (let cents = 1; cents <= 100000; cents += 7) {
			const decimal = Number((cents / 100).toFixed(2));
			expect(toMinorUnits(decimal, 'usd', 'decimal', field)).toBe(cents);
		}
	});
});

test('formatMinorUnits writes amounts for people', () => {
	expect(formatMinorUnits(1999, 'usd')).toBe('19.99 USD');
	expect(formatMinorUnits(500, 'jpy')).toBe('500 JPY');
});
