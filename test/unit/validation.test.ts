import {
	checkCurrency,
	checkFutureDateTime,
	checkHttpUrl,
	checkId,
	checkQuantity,
	checkText,
	decimalPlaces,
} from '../../nodes/Tilled/shared/validation';

describe('checkId', () => {
	test('accepts Tilled ids and trims spaces', () => {
		expect(checkId(' cs_123abc ', 'Checkout Session')).toBe('cs_123abc');
	});
	test.each(['', '   ', 'cs 123', 'cs_1/expire', '../v1', 'cs_1?x=1', 'a'.repeat(256)])('refuses %p', (id) => {
		expect(() => checkId(id, 'Checkout Session')).toThrow(/^Checkout Session /);
	});
	test('refuses non-strings', () => {
		expect(() => checkId({}, 'Customer ID')).toThrow('Customer ID is empty');
	});
});

test('checkHttpUrl accepts http(s) only', () => {
	expect(checkHttpUrl('https://example.com/a?b=1', 'Success URL')).toBe('https://example.com/a?b=1');
	expect(checkHttpUrl('http://localhost:8080', 'Success URL')).toBe('http://localhost:8080');
	for (const bad of ['example.com', 'ftp://example.com', 'javascript:alert(1)', '', 'https//x']) {
		expect(() => checkHttpUrl(bad, 'Success URL')).toThrow(/Success URL must be an http\(s\) URL/);
	}
});

test('decimalPlaces counts decimals, including exponent notation', () => {
	expect(decimalPlaces(1)).toBe(0);
	expect(decimalPlaces(1.5)).toBe(1);
	expect(decimalPlaces(0.0001)).toBe(4);
	expect(decimalPlaces(0.00001)).toBe(5);
	expect(decimalPlaces(1.23456)).toBe(5);
	expect(decimalPlaces(1e-7)).toBe(7);
});

test('checkQuantity: at least 0.0001, at most 4 decimals', () => {
	expect(checkQuantity(0.0001, 'Quantity')).toBe(0.0001);
	expect(checkQuantity('2', 'Quantity')).toBe(2);
	expect(() => checkQuantity(0, 'Quantity')).toThrow('Quantity must be at least 0.0001, got 0');
	expect(() => checkQuantity(-1, 'Quantity')).toThrow(/at least/);
	expect(() => checkQuantity(1.23456, 'Quantity')).toThrow('Quantity may have at most 4 decimals, got 1.23456');
});

test('checkCurrency knows Tilled currencies, any case', () => {
	expect(checkCurrency('USD', 'Currency')).toBe('usd');
	expect(checkCurrency('jpy', 'Currency')).toBe('jpy');
	expect(() => checkCurrency('btc', 'Currency')).toThrow(/Currency must be one of aud, cad/);
});

test('checkText: required and length', () => {
	expect(checkText('x', 'Name', { required: true })).toBe('x');
	expect(checkText('', 'Description', { required: false })).toBeUndefined();
	expect(() => checkText('  ', 'Name', { required: true })).toThrow('Name is required and empty');
	expect(() => checkText('a'.repeat(501), 'Description', { required: false, maxLength: 500 })).toThrow(
		'Description may have at most 500 characters, has 501',
	);
	expect(() => checkText({}, 'Name', { required: true })).toThrow('Name must be text, got an object');
});

describe('checkFutureDateTime', () => {
	const now = Date.parse('2026-06-01T12:00:00Z');
	test('wall time is read in the workflow time zone', () => {
		expect(checkFutureDateTime('2026-06-02T10:00:00', 'Expires At', 'America/New_York', now)).toBe(
			'2026-06-02T14:00:00.000Z',
		);
		expect(checkFutureDateTime('2026-12-02T10:00:00', 'Expires At', 'Europe/Berlin', now)).toBe(
			'2026-12-02T09:00:00.000Z',
		);
	});
	test('explicit offsets win', () => {
		expect(checkFutureDateTime('2026-06-02T10:00:00Z', 'Expires At', 'Asia/Tokyo', now)).toBe('2026-06-02T10:00:00.000Z');
		expect(checkFutureDateTime('2026-06-02T10:00:00+02:00', 'Expires At', 'UTC', now)).toBe('2026-06-02T08:00:00.000Z');
	});
	test('past and malformed dates are refused', () => {
		expect(() => checkFutureDateTime('2026-05-01T10:00:00Z', 'Expires At', 'UTC', now)).toThrow(
			'Expires At must be in the future, got 2026-05-01T10:00:00.000Z',
		);
		for (const bad of ['tomorrow', '2026-13-01', '2026-02-30T10:00:00', '', '2026-06-02T25:00:00']) {
			expect(() => checkFutureDateTime(bad, 'Expires At', 'UTC', now)).toThrow(/Expires At must be a date and time/);
		}
	});
});
