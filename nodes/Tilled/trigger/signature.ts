// Tilled's webhook signature: header `tilled-signature: t=<ms>,v1=<hex>[,v1=<hex>…]`, each v1 an
// HMAC-SHA256 of `t + "." + raw body` keyed with the endpoint's secret.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a signature's timestamp may be from now (either way) before it counts as replayed. */
export const SIGNATURE_TOLERANCE_MS = 5 * 60 * 1000;

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
	if (Math.abs(nowMs - Number(timestamp)) > toleranceMs) {
		return { valid: false, reason: 'the signature timestamp is outside the 5-minute tolerance' };
	}
	return { valid: true };
}
