// Pure checks of parameter values against Tilled's rules. Each throws InvalidParameter naming
// the field; none of them sends anything.
import { InvalidParameter } from './errors';
import { CURRENCY_DECIMALS, LIMITS } from './limits';

// Tilled ids are word characters with a type prefix (cs_…, pi_…, cus_…); anything else would
// change the request path or query, so it is refused rather than encoded.
const ID_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;

export function checkId(value: unknown, field: string): string {
	const id = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
	if (id === '') throw new InvalidParameter(field, 'is empty: give the ID of a Tilled object');
	if (!ID_PATTERN.test(id)) {
		throw new InvalidParameter(
			field,
			`"${preview(id)}" is not a Tilled ID: use only letters, digits, "_" and "-" (e.g. cs_123abc)`,
		);
	}
	return id;
}

export function checkHttpUrl(value: unknown, field: string): string {
	const text = typeof value === 'string' ? value.trim() : '';
	let url: URL | undefined;
	try {
		url = new URL(text);
	} catch {
		url = undefined;
	}
	if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
		throw new InvalidParameter(field, `must be an http(s) URL, got "${preview(text)}"`);
	}
	return text;
}

/** Accepts numbers and plain decimal strings ("19.99"), as mapped JSON often carries them. */
export function toNumber(value: unknown, field: string): number {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
	throw new InvalidParameter(field, `must be a number, got ${describe(value)}`);
}

export function decimalPlaces(value: number): number {
	if (Number.isInteger(value)) return 0;
	const text = String(value);
	const exponent = /e-(\d+)$/.exec(text);
	if (exponent) return Number(exponent[1]) + (text.split('e')[0].split('.')[1]?.length ?? 0);
	return text.split('.')[1]?.length ?? 0;
}

export function checkQuantity(value: unknown, field: string): number {
	const quantity = toNumber(value, field);
	if (quantity < LIMITS.minQuantity) {
		throw new InvalidParameter(field, `must be at least ${LIMITS.minQuantity}, got ${quantity}`);
	}
	if (decimalPlaces(quantity) > LIMITS.quantityDecimals) {
		throw new InvalidParameter(field, `may have at most ${LIMITS.quantityDecimals} decimals, got ${quantity}`);
	}
	return quantity;
}

export function checkCurrency(value: unknown, field: string): string {
	const currency = typeof value === 'string' ? value.trim().toLowerCase() : '';
	if (!(currency in CURRENCY_DECIMALS)) {
		throw new InvalidParameter(
			field,
			`must be one of ${Object.keys(CURRENCY_DECIMALS).join(', ')}, got ${describe(value)}`,
		);
	}
	return currency;
}

export function checkText(value: unknown, field: string, options: { required: boolean; maxLength?: number }) {
	if (value === undefined || value === null || value === '') {
		if (options.required) throw new InvalidParameter(field, 'is required and empty');
		return undefined;
	}
	if (typeof value !== 'string' && typeof value !== 'number') {
		throw new InvalidParameter(field, `must be text, got ${describe(value)}`);
	}
	const text = String(value);
	if (options.required && text.trim() === '') throw new InvalidParameter(field, 'is required and empty');
	if (options.maxLength !== undefined && text.length > options.maxLength) {
		throw new InvalidParameter(field, `may have at most ${options.maxLength} characters, has ${text.length}`);
	}
	return text;
}

/**
 * n8n's date-time picker gives wall-clock time without an offset ("2026-12-01T10:00:00"),
 * meant in the workflow's time zone; strings with Z or an offset are taken as they are. An
 * expression may give a JS Date ({{ new Date(…) }}) or a Luxon DateTime ({{ $now.plus(…) }}):
 * both are instants already. Duck-typed: expressions may run in another realm.
 */
export function checkFutureDateTime(value: unknown, field: string, timeZone: string, now: number): string {
	const time = instantOf(value, timeZone);
	if (time === undefined) {
		throw new InvalidParameter(
			field,
			`must be a date and time: text such as 2026-12-01T10:00:00 (in the workflow's time zone) or 2026-12-01T10:00:00Z, a Date, or a Luxon DateTime such as {{ $now.plus({ days: 1 }) }}; got ${describeDate(value)}`,
		);
	}
	if (time <= now) {
		throw new InvalidParameter(field, `must be in the future, got ${new Date(time).toISOString()}`);
	}
	return new Date(time).toISOString();
}

/** A date and time for a filter (past or future), as Tilled takes it: ISO 8601 in UTC. */
export function checkDateTime(value: unknown, field: string, timeZone: string): string {
	const time = instantOf(value, timeZone);
	if (time === undefined) {
		throw new InvalidParameter(
			field,
			`must be a date and time: text such as 2026-12-01T10:00:00 (in the workflow's time zone) or 2026-12-01T10:00:00Z, a Date, or a Luxon DateTime such as {{ $now.minus({ days: 1 }) }}; got ${describeDate(value)}`,
		);
	}
	return new Date(time).toISOString();
}

type DateLike = { getTime?: unknown; toMillis?: unknown; isValid?: unknown };

function instantOf(value: unknown, timeZone: string): number | undefined {
	if (typeof value === 'string') return parseDateTime(value.trim(), timeZone);
	if (value === null || typeof value !== 'object') return undefined;
	const date = value as DateLike;
	const millis =
		typeof date.toMillis === 'function'
			? date.isValid === false ? NaN : (date.toMillis as () => number).call(value)
			: Object.prototype.toString.call(value) === '[object Date]'
				? (date.getTime as () => number).call(value)
				: undefined;
	return millis !== undefined && Number.isFinite(millis) ? millis : undefined;
}

function describeDate(value: unknown): string {
	if (value !== null && typeof value === 'object') {
		if (Object.prototype.toString.call(value) === '[object Date]') return 'an invalid Date';
		if (typeof (value as DateLike).toMillis === 'function') return 'an invalid DateTime';
	}
	return describe(value);
}

function parseDateTime(text: string, timeZone: string): number | undefined {
	const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(text);
	if (!match) return undefined;
	const [, y, mo, d, h = '0', mi = '0', s = '0', ms = '0', zone] = match;
	const wall = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, +ms.padEnd(3, '0'));
	const check = new Date(wall);
	if (check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || +h > 23 || +mi > 59 || +s > 59) {
		return undefined;
	}
	if (zone) {
		if (zone.toUpperCase() === 'Z') return wall;
		const sign = zone.startsWith('-') ? -1 : 1;
		const digits = zone.slice(1).replace(':', '');
		return wall - sign * (+digits.slice(0, 2) * 60 + +digits.slice(2)) * 60_000;
	}
	// Wall time in timeZone: subtract the zone's offset at that instant (twice, for DST edges).
	let utc = wall - zoneOffset(wall, timeZone);
	utc = wall - zoneOffset(utc, timeZone);
	return utc;
}

function zoneOffset(instant: number, timeZone: string): number {
	const parts = new Intl.DateTimeFormat('en-US', {
		timeZone,
		hourCycle: 'h23',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		second: '2-digit',
	}).formatToParts(new Date(instant));
	const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
	const asUtc = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
	return asUtc - Math.floor(instant / 1000) * 1000;
}

export function describe(value: unknown): string {
	if (value === undefined) return 'nothing';
	if (value === null) return 'null';
	if (typeof value === 'string') return `"${preview(value)}"`;
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'object') return 'an object';
	return String(value);
}

function preview(text: string): string {
	return text.length > 60 ? text.slice(0, 57) + '…' : text;
}
