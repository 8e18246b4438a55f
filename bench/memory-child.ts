// One fresh process of the memory measurement (run by bench/lib/footprint.js after a small
// compile step into bench/.build, with --expose-gc):
//   node --expose-gc bench/.build/bench/memory-child.js node|plain <fake url> <api key> <account> <sessions>
// "node": a Return All through the test harness (the node's execute in n8n-core's real
// ExecuteContext); "plain": the same sessions fetched page by page, then parsed from JSON and held
// as plain objects (the baseline). Prints one JSON line with the heap growth.
import http from 'node:http';
import { runNode, type TilledCredentialData } from '../test/harness/n8n';

const [mode, url, apiKey, accountId, countText] = process.argv.slice(2);
const expected = Number(countText);
const credentials: TilledCredentialData = { accountId, apiKey, environment: 'custom', baseUrl: url };

function collectGarbage() {
	const gc = (globalThis as { gc?: () => void }).gc;
	if (!gc) throw new Error('memory-child needs node --expose-gc');
	for (let i = 0; i < 4; i++) gc();
}

/** Heap in use: V8's heap plus memory held outside it (buffers). */
function heapNow() {
	const usage = process.memoryUsage();
	return usage.heapUsed + usage.external;
}

/** Samples heapNow() every 2 ms while `fn` runs; returns its result and the highest sample. */
async function withPeak<T>(fn: () => Promise<T> | T): Promise<{ result: T; peak: number; ms: number }> {
	let peak = heapNow();
	const timer = setInterval(() => {
		const now = heapNow();
		if (now > peak) peak = now;
	}, 2);
	const started = performance.now();
	try {
		const result = await fn();
		const ms = performance.now() - started;
		peak = Math.max(peak, heapNow());
		return { result, peak, ms };
	} finally {
		clearInterval(timer);
	}
}

function getText(path: string): Promise<string> {
	return new Promise((resolve, reject) => {
		const request = http.get(`${url}${path}`, { headers: { 'tilled-api-key': apiKey, 'tilled-account': accountId } }, (response) => {
			const chunks: Buffer[] = [];
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('end', () => {
				if (response.statusCode !== 200) reject(new Error(`GET ${path}: HTTP ${response.statusCode}`));
				else resolve(Buffer.concat(chunks).toString('utf8'));
			});
			response.on('error', reject);
		});
		request.on('error', reject);
	});
}

async function measureNode() {
	// Loads n8n-core's request path and warms the JIT before the baseline is taken.
	await runNode({ parameters: { operation: 'getAll', returnAll: false, limit: 100, filters: {}, options: {} }, credentials });
	collectGarbage();
	const before = heapNow();
	const rssBefore = process.memoryUsage().rss;
	const { result, peak, ms } = await withPeak(() =>
		runNode({ parameters: { operation: 'getAll', returnAll: true, filters: {}, options: {} }, credentials }),
	);
	const maxRss = process.resourceUsage().maxRSS * 1024;
	collectGarbage();
	const retained = heapNow() - before;
	if (result.items.length !== expected) throw new Error(`Return All gave ${result.items.length} items, expected ${expected}`);
	return { sessions: result.items.length, retained, peak: peak - before, peakRss: maxRss - rssBefore, ms };
}

async function measurePlain() {
	const texts: string[] = [];
	for (let offset = 0; offset < expected; offset += 100) texts.push(await getText(`/v1/checkout-sessions?offset=${offset}&limit=100`));
	collectGarbage();
	const before = heapNow();
	const rssBefore = process.memoryUsage().rss;
	const { result, peak, ms } = await withPeak(() => {
		const sessions: unknown[] = [];
		for (const text of texts) for (const session of (JSON.parse(text) as { items: unknown[] }).items) sessions.push(session);
		return sessions;
	});
	const maxRss = process.resourceUsage().maxRSS * 1024;
	collectGarbage();
	const retained = heapNow() - before;
	if (result.length !== expected || texts.length === 0) throw new Error(`parsed ${result.length} sessions, expected ${expected}`);
	return { sessions: result.length, retained, peak: peak - before, peakRss: maxRss - rssBefore, ms };
}

(mode === 'node' ? measureNode() : measurePlain()).then(
	(figures) => process.stdout.write(`${JSON.stringify({ mode, ...figures })}\n`),
	(error: Error) => {
		process.stderr.write(`memory-child ${mode}: ${error.stack ?? error.message}\n`);
		process.exit(1);
	},
);
