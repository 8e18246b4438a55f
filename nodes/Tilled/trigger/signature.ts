// Tilled's webhook signature: header `tilled-signature: t=<ms>,v1=<hex>[,v1=<hex>…]`, each v1 an
// HMAC-SHA256 of `t + "." + raw body` keyed with the endpoint's secret.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a signature's timestamp may be from now (either way) before it counts as replayed. */
export const SIGNATURE_TOLERANCE_MS = 5 * 60 * 1000;

/**
 * How old a signature's timestamp may be when a caller accepts retries that keep the first
 * attempt's timestamp (Tilled does not publish whether its retries are signed afresh).
 */
export const MAX_DELIVERY_AGE_MS = 3 * 24 * 60 * 60 * 1000;

function toleranceText(ms: number): string {
	const minutes = ms / 60_000;
	if (minutes < 60 || minutes % (24 * 60) !== 0) return `${minutes}-minute`;
	return `${minutes / (24 * 60)}-day`;
}

export type SignatureCheck = { valid: true } | { valid: false; reason: string };

export function signPayload(secret: string, timestampMs: number, rawBody: string | Buffer): string {
	return createHmac('sha256', secret).update(`${timestampMs}.`).update(rawBody).digest('hex');
}

export function verifySignature(
	header: string | string[] | undefined,
	rawBody: string | Buffer,
	secret: string,
	nowMs: number,
	toleranceMs = SIGNATURE_TOLERANCE_MS,
	/** How old the timestamp may be (the past side); the tolerance when not given. */
	maxAgeMs = toleranceMs,
): SignatureCheck {
	const text = Array.isArray(header) ? header.join(',') : header;
	if (!text) return { valid: false, reason: 'the tilled-signature header is missing' };
	let timestamp: string | undefined;
	const signatures: string[] = [];
	for (const element of text.split(',')) {
		const eq = element.indexOf('=');
		if (eq < 0) continue;
		const prefix = element.slice(0, eq).trim();
		const value = element.slice(eq + 1).trim();
		if (prefix === 't') timestamp = value;
		// Other schemes (v0…) are ignored, as Tilled says.
		else if (prefix === 'v1') signatures.push(value);
	}
	if (timestamp === undefined || !/^\d{1,16}$/.test(timestamp)) {
		return { valid: false, reason: 'the tilled-signature header has no valid timestamp' };
	}
	if (signatures.length === 0) return { valid: false, reason: 'the tilled-signature header has no v1 signature' };
	const expected = Buffer.from(signPayload(secret, Number(timestamp), rawBody), 'hex');
	// Every candidate is compared, in constant time for its length, so timing tells nothing.
	let matched = false;
	for (const signature of signatures) {
		const given = /^[0-9a-f]+$/i.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(0);
		if (given.length === expected.length && timingSafeEqual(given, expected)) matched = true;
	}
	if (!matched) return { valid: false, reason: 'no v1 signature matches the body' };
	const age = nowMs - Number(timestamp);
	if (age > maxAgeMs) return { valid: false, reason: `the signature timestamp is outside the ${toleranceText(maxAgeMs)} tolerance` };
	if (-age > toleranceMs) return { valid: false, reason: `the signature timestamp is outside the ${toleranceText(toleranceMs)} tolerance` };
	return { valid: true };
}
