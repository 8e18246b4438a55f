'use strict';

// Calibration for part 2: the same Gets sent by a bare Node client (node:http, no n8n), to show
// what the fake Tilled, the network stack and the machine allow at a given concurrency.
//   node bench/client-child.js <fake url> <api key> <account> <concurrency> <ids file>
// Prints one JSON line: { ms, requests }.

const fs = require('node:fs');
const http = require('node:http');

const [url, apiKey, accountId, concurrencyText, idsFile] = process.argv.slice(2);
const ids = JSON.parse(fs.readFileSync(idsFile, 'utf8'));
const concurrency = Math.min(Number(concurrencyText), ids.length);
const headers = { 'tilled-api-key': apiKey, 'tilled-account': accountId };
// A new connection per request, as n8n's request helpers open (they build an agent per request).
const agent = new http.Agent({ keepAlive: false });

function get(id) {
	return new Promise((resolve, reject) => {
		http
			.get(`${url}/v1/checkout-sessions/${encodeURIComponent(id)}`, { headers, agent }, (response) => {
				let body = '';
				response.setEncoding('utf8');
				response.on('data', (chunk) => (body += chunk));
				response.on('end', () => {
					if (response.statusCode !== 200) reject(new Error(`GET ${id}: HTTP ${response.statusCode}`));
					else resolve(JSON.parse(body));
				});
			})
			.on('error', reject);
	});
}

(async () => {
	let next = 0;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < ids.length) await get(ids[next++]);
		}),
	);
	process.stdout.write(`${JSON.stringify({ ms: performance.now() - started, requests: ids.length })}\n`);
})().catch((error) => {
	process.stderr.write(`client-child: ${error.stack}\n`);
	process.exit(1);
});
