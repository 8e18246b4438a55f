import { SIGNATURE_TOLERANCE_MS, signPayload, verifySignature } from '../../nodes/Tilled/trigger/signature';

// Known vectors, computed with `openssl dgst -sha256 -hmac <secret>` over `<t>.<body>`.
const SECRET = 'whsec_test_secret';
const T = 1614049713663;
const BODY = '{"id":"evt_1","type":"payment_intent.succeeded"}';
const EXPECTED = 'f5e0ceaf67ffb00b469b1ed4731796ead22f4cab70d2fc8ec806557d024c4783';
const OTHER = '54d81f8140e02fd9fa42f43fe9f03b9e572e8d255c11d2b10d6d677679b880be'; // secret k, t 1700000000000, empty body

describe('tilled-signature', () => {
	test('signs t + "." + raw body with HMAC-SHA256 (known vectors)', () => {
		expect(signPayload(SECRET, T, BODY)).toBe(EXPECTED);
		expect(signPayload('k', 1700000000000, '')).toBe(OTHER);
		expect(signPayload(SECRET, T, Buffer.from(BODY))).toBe(EXPECTED);
	});

	test('accepts a matching v1 within the tolerance, either way in time', () => {
		expect(verifySignature(`t=${T},v1=${EXPECTED}`, BODY, SECRET, T)).toEqual({ valid: true });
		expect(verifySignature(`t=${T},v1=${EXPECTED}`, BODY, SECRET, T + SIGNATURE_TOLERANCE_MS).valid).toBe(true);
		expect(verifySignature(`t=${T},v1=${EXPECTED}`, BODY, SECRET, T - SIGNATURE_TOLERANCE_MS).valid).toBe(true);
		expect(verifySignature(`t=${T}, v1=${EXPECTED.toUpperCase()}`, Buffer.from(BODY), SECRET, T).valid).toBe(true);
	});

	test('several v1 values: one match is enough; other schemes are ignored', () => {
		expect(verifySignature(`t=${T},v1=${OTHER},v1=${EXPECTED}`, BODY, SECRET, T).valid).toBe(true);
		expect(verifySignature(`t=${T},v0=${EXPECTED},v1=${OTHER}`, BODY, SECRET, T)).toEqual({
			valid: false,
			reason: 'no v1 signature matches the body',
		});
		expect(verifySignature(`t=${T},v0=${EXPECTED}`, BODY, SECRET, T)).toEqual({
			valid: false,
			reason: 'the tilled-signature header has no v1 signature',
		});
	});

	test('refuses missing, forged, altered and stale signatures', () => {
		expect(verifySignature(undefined, BODY, SECRET, T)).toEqual({ valid: false, reason: 'the tilled-signature header is missing' });
		expect(verifySignature('', BODY, SECRET, T).valid).toBe(false);
		expect(verifySignature(`v1=${EXPECTED}`, BODY, SECRET, T).valid).toBe(false);
		expect(verifySignature(`t=abc,v1=${EXPECTED}`, BODY, SECRET, T).valid).toBe(false);
		expect(verifySignature(`t=${T},v1=${EXPECTED}`, BODY, 'whsec_other', T).valid).toBe(false);
		expect(verifySignature(`t=${T},v1=${EXPECTED}`, `${BODY} `, SECRET, T).valid).toBe(false);
		expect(verifySignature(`t=${T + 1},v1=${EXPECTED}`, BODY, SECRET, T).valid).toBe(false);
		expect(verifySignature(`t=${T},v1=${EXPECTED.slice(0, 62)}`, BODY, SECRET, T).valid).toBe(false);
		expect(verifySignature(`t=${T},v1=not-hex`, BODY, SECRET, T).valid).toBe(false);
		expect(verifySignature(`t=${T},v1=${EXPECTED}`, BODY, SECRET, T + SIGNATURE_TOLERANCE_MS + 1)).toEqual({
			valid: false,
			reason: 'the signature timestamp is outside the 5-minute tolerance',
		});
		expect(verifySignature(`t=${T},v1=${EXPECTED}`, BODY, SECRET, T - SIGNATURE_TOLERANCE_MS - 1).valid).toBe(false);
	});
});
