// Finds a secret in text in any form it could leak in: whole, URL-encoded, base64, or any
// 10-character piece of it. Shared by scripts/test-faults.js and its own unit test.
'use strict';

const PIECE = 10;

/** @param {string} secret @returns {string[]} */
function leakForms(secret) {
	const forms = new Set([secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')]);
	for (let i = 0; i + PIECE <= secret.length; i++) forms.add(secret.slice(i, i + PIECE));
	return [...forms];
}

/**
 * @param {string[]} secrets
 * @param {Array<{source: string, text: string}>} exposures
 * @returns {string[]} one line per leak, without the secret itself
 */
function findLeaks(secrets, exposures) {
	const leaks = [];
	for (const secret of secrets.filter((s) => s.length >= PIECE)) {
		const forms = leakForms(secret);
		for (const exposure of exposures) {
			const found = forms.find((form) => exposure.text.includes(form));
			if (found) leaks.push(`${exposure.source}: contains a ${found === secret ? 'whole' : 'partial or encoded'} key`);
		}
	}
	return leaks;
}

module.exports = { findLeaks, leakForms, PIECE };
