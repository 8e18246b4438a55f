#!/usr/bin/env node
'use strict';

/**
 * `npm run bench`: how fast the Tilled node is inside a real n8n, against n8n's HTTP Request node
 * doing the same requests in the same n8n, on the same fake Tilled with an injected latency.
 *
 *   npm run bench [-- --latency 20] [--repeats 7] [--rate-repeats 3] [--sessions 10000]
 *                 [--items 1000] [--cpu-items 2000] [--rate-limit 100] [--n8n all|latest|v1]
 *                 [--memory 25000,50000,100000] [--parts list,items,ratelimit,cpu,footprint,memory]
 *
 * Progress goes to stderr; the result, Markdown for docs/performance.md, to stdout.
 * See bench/README.md for what each figure means.
 */

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const n8n = require('../scripts/lib/n8n');
const { startFakeTilled } = require('../test/fake-tilled/server');
const { buildWorkflows, httpRequestDefaultVersion, CALIBRATION_DIR } = require('./lib/workflows');
const { startInstance } = require('./lib/instance');
const footprint = require('./lib/footprint');
const u = require('./lib/util');

const PARTS = ['list', 'items', 'ratelimit', 'cpu', 'footprint', 'memory'];

function parseArgs(argv) {
	const options = {
		latency: 20,
		repeats: 7,
		rateRepeats: 3,
		sessions: 10_000,
		items: 1000,
		cpuItems: 2000,
		memory: [25_000, 50_000, 100_000],
		rateLimit: 100,
		n8n: 'all',
		parts: PARTS,
	};
	const number = (name, value) => {
		if (!/^\d+$/.test(String(value))) throw new Error(`${name} must be a whole number, got ${value}`);
		return Number(value);
	};
	for (let i = 0; i < argv.length; i++) {
		const [name, inline] = argv[i].split(/=(.*)/s, 2);
		const value = () => inline ?? argv[++i];
		if (name === '--latency') options.latency = number(name, value());
		else if (name === '--repeats') options.repeats = Math.max(1, number(name, value()));
		else if (name === '--rate-repeats') options.rateRepeats = Math.max(1, number(name, value()));
		else if (name === '--sessions') options.sessions = Math.max(101, number(name, value()));
		else if (name === '--items') options.items = Math.max(1, number(name, value()));
		else if (name === '--cpu-items') options.cpuItems = Math.max(1, number(name, value()));
		else if (name === '--rate-limit') options.rateLimit = Math.max(1, number(name, value()));
		else if (name === '--n8n') options.n8n = String(value());
		else if (name === '--memory') options.memory = String(value()).split(',').filter(Boolean).map((v) => number(name, v));
		else if (name === '--parts') {
			options.parts = String(value()).split(',').filter(Boolean);
			const unknown = options.parts.filter((p) => !PARTS.includes(p));
			if (unknown.length) throw new Error(`unknown part(s) ${unknown.join(', ')}; known: ${PARTS.join(', ')}`);
		} else if (name === '--help' || name === '-h') {
			process.stdout.write(
				'usage: npm run bench -- [--latency MS] [--repeats N] [--rate-repeats N] [--sessions N] [--items N]\n' +
					'                        [--cpu-items N] [--rate-limit N] [--n8n all|latest|v1] [--memory N,N,…]\n' +
					'                        [--parts list,items,ratelimit,cpu,footprint,memory]\n',
			);
			process.exit(0);
		} else throw new Error(`unknown option ${name}`);
	}
	return options;
}

const FAKE_KEY = 'sk_test_bench_fake_key';
const FAKE_ACCOUNT = 'acct_bench_fake';
const SESSIONS_PATH = '/v1/checkout-sessions';

/** Runs a helper script; resolves to the JSON it printed last. */
function runChildJson(command, args) {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
		let stdout = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.on('error', reject);
		child.on('exit', (code) => {
			const line = stdout.trim().split('\n').pop();
			if (code !== 0 || !line) reject(new Error(`${args[0]} failed (exit ${code})`));
			else resolve(JSON.parse(line));
		});
	});
}

/** Requests the fake saw since the last clear, as { list, get, other, failed, offsets }. */
function requestsSeen(fake) {
	const seen = { list: 0, get: 0, other: 0, failed: 0, offsets: new Set() };
	for (const request of fake.requests) {
		if (request.status !== 200) seen.failed++;
		if (request.method === 'GET' && request.path === SESSIONS_PATH) {
			seen.list++;
			seen.offsets.add(String(request.query.offset ?? '0'));
		} else if (request.method === 'GET' && request.path.startsWith(`${SESSIONS_PATH}/`)) seen.get++;
		else seen.other++;
	}
	return seen;
}

/**
 * Runs each scenario `repeats` times. Every run is checked: HTTP 200, the item count the last
 * node reports, and the requests the fake saw.
 */
async function measure(instance, fake, scenarios, { body, repeats, expect }) {
	const results = new Map(scenarios.map((s) => [s.id, { scenario: s, wall: [], cpu: [], benchCpu: [], requests: undefined, connections: 0 }]));
	// Each scenario's runs together, after one untimed run of it: each run follows a run of the
	// same workflow, as in production, so that the garbage of another scenario is not collected
	// (and counted) inside this one's runs. Round robin made a run's time depend on which scenario
	// ran before it: ours took 0.85× the HTTP Request node's time in one order of scenarios and
	// 0.96× when the two alternated.
	const order = [];
	for (const scenario of scenarios) {
		order.push({ scenario, timed: false });
		for (let round = 0; round < (scenario.repeats ?? repeats); round++) order.push({ scenario, timed: true });
	}
	for (const { scenario, timed } of order) {
		if (!timed) {
			if (!scenario.invoke) await instance.trigger(scenario.path, body);
			continue;
		}
		fake.clearRequests();
		const connections0 = fake.connectionsOpened();
		const benchCpu0 = u.ownCpuMs();
		const run = scenario.invoke ? await scenario.invoke() : await instance.trigger(scenario.path, body);
		const benchCpu = u.ownCpuMs() - benchCpu0;
		const seen = requestsSeen(fake);
		check(scenario, run, seen, expect(scenario));
		const entry = results.get(scenario.id);
		entry.wall.push(run.wallMs);
		entry.cpu.push(run.cpuMs);
		entry.benchCpu.push(benchCpu);
		entry.requests = seen;
		entry.connections += fake.connectionsOpened() - connections0;
		u.log(`  ${scenario.label}: ${u.ms(run.wallMs)} (n8n CPU ${u.ms(run.cpuMs)}, ${seen.list + seen.get} requests)`);
	}
	for (const entry of results.values()) {
		entry.median = u.median(entry.wall);
		entry.cpuMedian = u.median(entry.cpu);
		entry.benchCpuMedian = u.median(entry.benchCpu);
	}
	return results;
}

function check(scenario, run, seen, expected) {
	const problems = [];
	if (run.status !== 200) problems.push(`HTTP ${run.status}: ${run.text.slice(0, 400)}`);
	const counted = run.json?.[`count_${scenario.countField}`];
	if (counted !== expected.count) problems.push(`last node counted ${counted} items, expected ${expected.count} (${run.text.slice(0, 200)})`);
	if (seen.failed) problems.push(`${seen.failed} requests did not get a 200`);
	if (expected.list !== undefined && seen.list !== expected.list) problems.push(`${seen.list} list requests, expected ${expected.list}`);
	if (expected.list !== undefined && seen.offsets.size !== seen.list) problems.push(`list offsets repeated (${seen.offsets.size} distinct of ${seen.list})`);
	if (expected.get !== undefined && seen.get !== expected.get) problems.push(`${seen.get} get requests, expected ${expected.get}`);
	if (problems.length) throw new Error(`${scenario.label}: ${problems.join('; ')}`);
}

/** Untimed runs (`runs` per scenario) with no latency: loads node types, warms the JIT. */
async function warmUp(instance, fake, scenarios, body, runs = 2) {
	const latency = fake.latency;
	fake.setLatency(0);
	try {
		for (const scenario of scenarios) {
			if (scenario.invoke) continue;
			await instance.waitForWebhook(scenario.path, body);
			for (let run = 1; run < runs; run++) await instance.trigger(scenario.path, body);
		}
	} finally {
		fake.setLatency(latency);
	}
}

async function main() {
	const options = parseArgs(process.argv.slice(2));
	const benchStarted = Date.now();
	const wants = (part) => options.parts.includes(part);
	const report = [];
	const targets = [];
	const needN8n = wants('list') || wants('items') || wants('ratelimit') || wants('cpu');

	u.log(`n8n installation and package (npm run build + npm pack)…`);
	const installations = needN8n || wants('footprint') ? await n8n.installations(options.n8n) : [];
	const tarball = await n8n.packTarball();

	report.push(
		`## Benchmark (${new Date().toISOString().slice(0, 10)})`,
		'',
		`n8n ${installations.length ? installations.map((i) => i.version).join(' and ') : '(not run)'} (\`n8n start\`, the packed package installed as a community package), ` +
			`fake Tilled on 127.0.0.1 with ${options.latency} ms injected latency per response; ` +
			`${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at start. ` +
			`Wall time is the production webhook's round trip, median of ${options.repeats} runs after untimed warm-up runs; ` +
			`every run is checked (item count from a Summarize node at the end, requests recorded by the fake).`,
		'',
	);

	let instance;
	let fake;
	const cleanup = async () => {
		await instance?.stop().catch(() => undefined);
		await fake?.close().catch(() => undefined);
	};
	const onSignal = () => cleanup().finally(() => process.exit(130));
	process.once('SIGINT', onSignal);
	process.once('SIGTERM', onSignal);

	try {
		for (const installation of needN8n ? installations : []) {
			fake = await startFakeTilled({
				apiKey: FAKE_KEY,
				accountId: FAKE_ACCOUNT,
				latencyMs: options.latency,
				recordRequests: true,
				validateResponses: false,
			});
			fake.latency = options.latency;
			const setLatency = fake.setLatency.bind(fake);
			fake.setLatency = (value) => {
				setLatency(value);
				fake.latency = value;
			};
			fake.sessions.seedSessions(options.sessions);
			const ids = fake.sessions.listSessions().map((s) => s.id);

			instance = await startInstance({ installation, tarball, env: { N8N_CUSTOM_EXTENSIONS: CALIBRATION_DIR } });
			const credential = await instance.createCredential('Tilled bench (fake)', 'tilledApi', {
				accountId: FAKE_ACCOUNT,
				apiKey: FAKE_KEY,
				environment: 'custom',
				baseUrl: fake.url,
			});
			const httpVersion = httpRequestDefaultVersion(installation);
			const scenarios = buildWorkflows({ fake, credential, httpVersion, rateLimit: options.rateLimit });
			for (const scenario of Object.values(scenarios)) scenario.workflowId = await instance.deploy(scenario.workflow);
			u.log(`n8n ${installation.version}: ${Object.keys(scenarios).length} workflows created and active (HTTP Request node v${httpVersion})`);

			const version = { label: installation.version, targets };
			report.push(`### n8n ${installation.version}`, '');
			if (wants('list')) report.push(await listPart(instance, fake, scenarios, options, version));
			if (wants('items')) report.push(await itemsPart(instance, fake, scenarios, options, ids, version, httpVersion));
			if (wants('ratelimit')) report.push(await rateLimitPart(instance, fake, scenarios, options, ids, version));
			if (wants('cpu')) report.push(await cpuPart(instance, fake, scenarios, options, ids, version));
			await instance.stop();
			instance = undefined;
			await fake.close();
			fake = undefined;
		}
		const [installation] = installations;
		if (wants('footprint')) report.push(await footprint.footprintPart({ installation, tarball, targets, repeats: 15 }));
		if (wants('memory')) report.push(await footprint.memoryPart({ sizes: options.memory, targets }));
	} finally {
		await cleanup();
	}

	if (targets.length) {
		report.push('### Targets', '', u.table(['Target', 'Measured', 'Met'], targets.map((t) => [t.name, t.measured, t.met ? 'yes' : '**no**'])), '');
	}
	const seconds = (Date.now() - benchStarted) / 1000;
	report.push(`_\`npm run bench\` took ${seconds.toFixed(0)} s._`, '');
	process.stdout.write(`${report.join('\n')}\n`);
	u.log(`done in ${seconds.toFixed(0)} s`);
}

// ---- 1. Return All -----------------------------------------------------------------------

async function listPart(instance, fake, scenarios, options, version) {
	const { sessions, latency, repeats } = options;
	const pages = Math.ceil(sessions / 100);
	const chosen = [scenarios['list-ours'], scenarios['list-http-split'], scenarios['list-http-pages']];
	u.log(`1. Return All of ${sessions} sessions (${latency} ms latency)`);
	await warmUp(instance, fake, chosen, '{}');
	const results = await measure(instance, fake, chosen, {
		body: '{}',
		repeats,
		expect: (s) => ({ count: s.countField === 'total' ? pages : sessions, list: pages }),
	});
	const ours = results.get('list-ours');
	const http = results.get('list-http-split');
	const pageCeiling = 20;
	const floors = {
		'list-ours': (1 + Math.ceil((pages - 1) / pageCeiling)) * latency,
		'list-http-split': pages * latency,
		'list-http-pages': pages * latency,
	};
	const rows = chosen.map((s) => {
		const r = results.get(s.id);
		const floor = floors[s.id];
		return [
			s.label,
			u.int(r.requests.list),
			u.ms(r.median),
			`${u.ms(u.min(r.wall))} – ${u.ms(u.max(r.wall))}`,
			`${u.ms(floor)} (${s.id === 'list-ours' ? `first page, then ${pageCeiling} at once` : 'one at a time'})`,
			`${u.ratio(r.median / floor)} (+${u.ms(r.median - floor)})`,
			u.ms(r.cpuMedian),
			u.ratio(r.median / http.median),
		];
	});
	const value = ours.median / http.median;
	version.targets.push({ name: `n8n ${version.label}, 1. Return All ${u.int(sessions)}: ours ≤ 0.2× HTTP Request (+ Split Out)`, measured: u.ratio(value), met: value <= 0.2 });
	version.targets.push({ name: `n8n ${version.label}, 1. Return All ${u.int(sessions)}: ours makes ⌈N/100⌉ = ${pages} requests`, measured: u.int(ours.requests.list), met: ours.requests.list === pages });
	return [
		`#### 1. Return All of ${u.int(sessions)} sessions (${latency} ms latency)`,
		'',
		`Ours: Get Many, Return All, default options (Pages in Parallel: at most ${pageCeiling}, adaptive from 10). ` +
			'HTTP Request: GET /v1/checkout-sessions with the two headers, `limit=100`, ' +
			'Pagination "Update a Parameter in Each Request" `offset = {{ $pageCount * 100 }}`, complete when `{{ !$response.body.has_more }}`; ' +
			'a Split Out node on `items` makes one item per session, as a user needs. Floor = requests × latency ÷ requests in parallel; ' +
			`ours fetches the first page alone (it tells the total), then at most ${pageCeiling} at once: (1 + ⌈${pages - 1}/${pageCeiling}⌉) × ${latency} ms.`,
		'',
		u.table(['Workflow', 'Requests', 'Wall time (median)', 'Range', 'Floor', 'vs floor', 'n8n CPU', 'Ratio vs HTTP Request + Split Out'], rows),
		'',
	].join('\n');
}

// ---- 2. Many input items of Get ---------------------------------------------------------

async function itemsPart(instance, fake, scenarios, options, ids, version, httpVersion) {
	const { items, latency, repeats } = options;
	const body = JSON.stringify({ items: ids.slice(0, items).map((id) => ({ id })) });
	const idsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-tilled-bench-ids-')), 'ids.json');
	fs.writeFileSync(idsFile, JSON.stringify(ids.slice(0, items)));
	const bareClient = (concurrency) => ({
		id: `client-${concurrency}`,
		label: `Bare Node client, no n8n (calibration), ${concurrency === items ? 'all' : concurrency} in parallel`,
		countField: 'id',
		concurrency,
		calibration: true,
		invoke: async () => {
			const result = await runChildJson(process.execPath, [path.join(__dirname, 'client-child.js'), fake.url, FAKE_KEY, FAKE_ACCOUNT, String(concurrency), idsFile]);
			return { status: 200, json: { count_id: result.requests }, text: '', wallMs: result.ms, cpuMs: NaN };
		},
	});
	const chosen = [
		{ ...scenarios['items-baseline'], concurrency: undefined },
		{ ...scenarios['get-ours-default'], concurrency: 200, parallel: 'adaptive, ≤ 200' },
		{ ...scenarios['get-ours-10'], concurrency: 10 },
		{ ...scenarios['get-ours-5'], concurrency: 5 },
		{ ...scenarios['get-floor'], concurrency: items },
		{ ...scenarios['get-http'], concurrency: items },
		{ ...scenarios['get-http-batch'], concurrency: items },
		bareClient(10),
		bareClient(items),
	];
	u.log(`2. ${items} input items of Get (${latency} ms latency)`);
	await warmUp(instance, fake, chosen, body);
	const results = await measure(instance, fake, chosen, {
		body,
		repeats,
		expect: (s) => ({ count: items, get: s.id === 'items-baseline' ? 0 : items }),
	});
	const connections = Array.from(results.values()).reduce((sum, r) => sum + r.connections, 0);
	const baseline = results.get('items-baseline').median;
	const http = results.get('get-http').median;
	fs.rmSync(path.dirname(idsFile), { recursive: true, force: true });
	const rows = chosen.map((s) => {
		const r = results.get(s.id);
		const floor = s.concurrency ? (items * latency) / Math.min(s.concurrency, items) : 0;
		const isBaseline = s.id === 'items-baseline';
		const dash = isBaseline || s.calibration;
		return [
			s.label,
			isBaseline ? '–' : s.parallel ?? String(s.concurrency === items ? `all (${items})` : s.concurrency),
			u.int(r.requests.get),
			u.ms(r.median),
			`${u.ms(u.min(r.wall))} – ${u.ms(u.max(r.wall))}`,
			dash ? '–' : u.ms(r.median - baseline),
			isBaseline ? '–' : u.ms(floor),
			isBaseline ? '–' : `${u.ratio(r.median / floor)} (+${u.ms(r.median - floor)})`,
			s.calibration ? '–' : u.ms(r.cpuMedian),
			dash ? '–' : u.ratio(r.median / http),
		];
	});
	const ours = results.get('get-ours-default').median;
	version.targets.push({ name: `n8n ${version.label}, 2. Get ×${u.int(items)}, default options: ours ≤ 0.8× HTTP Request default`, measured: `${u.ratio(ours / http)} (${u.ms(ours)} vs ${u.ms(http)})`, met: ours / http <= 0.8 });
	return [
		`#### 2. ${u.int(items)} input items of Get (${latency} ms latency)`,
		'',
		`Webhook → Split Out (the body's ${u.int(items)} ids, one item each) → the node → Summarize. "Split Out only" is the same workflow without the node: ` +
			`n8n's own cost, subtracted in "Net". Ours with default options starts 10 requests at once and adapts up to Items in Parallel (200); ` +
			'at Items in Parallel 10 or 5 the ceiling is at or below the start, so those rows run at a fixed 10 and 5 (5 was the old default). ' +
			`The bare Node client rows send the same Gets with node:http from a fresh process (no n8n), one connection per request like n8n: ` +
			'what the fake, the network stack and this machine allow at that concurrency. ' +
			`HTTP Request v${httpVersion} sends every item's request at once (its Batching option only waits when the interval is above 0, ` +
			'so Batching 50 items / 0 ms behaves like the default). Floor = requests × latency ÷ requests in parallel (ours default: at its ceiling). ' +
			`The fake accepted ${u.int(connections)} TCP connections for the ${u.int(Array.from(results.values()).reduce((sum, r) => sum + r.requests.get * (r.wall.length), 0))} Gets of this part: n8n opens one per request.`,
		'',
		u.table(
			['Workflow', 'In parallel', 'Requests', 'Wall time (median)', 'Range', 'Net of Split Out only', 'Floor', 'vs floor', 'n8n CPU', 'Ratio vs HTTP Request default'],
			rows,
		),
		'',
	].join('\n');
}

// ---- 2b. A rate-limited Tilled --------------------------------------------------------

/**
 * The fake allows `rateLimit` requests per rolling second and answers 429 with Retry-After
 * beyond. Ours with default options against the HTTP Request node set up by a user who knows the
 * limit (Batching: that many items per 1,000 ms) and, once, with its default options.
 */
async function rateLimitPart(instance, fake, scenarios, options, ids, version) {
	const { items, latency, rateLimit, rateRepeats: repeats } = options;
	const body = JSON.stringify({ items: ids.slice(0, items).map((id) => ({ id })) });
	const chosen = [
		{ ...scenarios['get-ours-rate'], runs: repeats },
		{ ...scenarios['get-ours-rate-10'], runs: repeats },
		{ ...scenarios['get-http-rate'], runs: repeats },
		{ ...scenarios['get-http'], runs: 1 },
	];
	u.log(`2b. ${items} Gets against a rate limit of ${rateLimit}/s (${latency} ms latency)`);
	const results = new Map(chosen.map((s) => [s.id, { wall: [], refused: [], firstBurst: [], ok: [], counted: [], failedRuns: 0 }]));
	for (let round = 0; round < repeats; round++) {
		for (const scenario of chosen) {
			if (round >= scenario.runs) continue;
			fake.clearRequests();
			// A fresh window for every run, as after a quiet second.
			await u.sleep(1100);
			fake.setRateLimit(rateLimit);
			const run = await instance.trigger(scenario.path, body);
			fake.setRateLimit(undefined);
			const entry = results.get(scenario.id);
			const counted = run.status === 200 ? run.json?.count_id : undefined;
			const refused = fake.requests.filter((r) => r.status === 429).length;
			// The first burst: the 429s until the first 200 after the first 429 (in arrival order).
			const firstRefused = fake.requests.findIndex((r) => r.status === 429);
			const burstEnd = firstRefused < 0 ? -1 : fake.requests.findIndex((r, i) => i > firstRefused && r.status === 200);
			const firstBurst = firstRefused < 0 ? 0 : fake.requests.slice(firstRefused, burstEnd < 0 ? undefined : burstEnd).filter((r) => r.status === 429).length;
			const ok = fake.requests.filter((r) => r.status === 200).length;
			entry.wall.push(run.wallMs);
			entry.refused.push(refused);
			entry.firstBurst.push(firstBurst);
			entry.ok.push(ok);
			entry.counted.push(counted);
			if (counted !== items) entry.failedRuns++;
			u.log(`  ${scenario.label}: ${u.ms(run.wallMs)}, HTTP ${run.status}, ${counted ?? 'no'} items counted, ${ok} answered 200, ${refused} answered 429`);
		}
	}
	const floor = (items / rateLimit) * 1000;
	const rows = chosen.map((s) => {
		const r = results.get(s.id);
		const wall = u.median(r.wall);
		const itemsDone = r.counted.map((c) => c ?? 0);
		return [
			s.label,
			`${r.wall.length - r.failedRuns} of ${r.wall.length}`,
			r.failedRuns ? `${r.counted.map((c) => (c === undefined ? 'failed' : u.int(c))).join(', ')}` : u.int(u.median(itemsDone)),
			r.failedRuns ? 'n/a' : u.int(items - u.median(itemsDone)),
			r.refused.map((n) => u.int(n)).join(', '),
			r.refused.map((n, i) => `${u.int(r.firstBurst[i])} + ${u.int(n - r.firstBurst[i])}`).join(', '),
			r.failedRuns ? '–' : u.ms(wall),
			u.ms(floor),
			r.failedRuns ? '–' : u.ratio(wall / floor),
		];
	});
	const ours = results.get('get-ours-rate');
	const oursFailedItems = ours.counted.some((c) => c !== items);
	const capped = results.get('get-ours-rate-10');
	// The first run knows nothing of the limit; the later ones start from the remembered pace.
	version.targets.push(
		{
			name: `n8n ${version.label}, 2b. Rate limit ${rateLimit}/s, Get ×${u.int(items)}, default options: 0 failed items, a handful of 429s (≤ 10) once the pace is known`,
			measured: `${oursFailedItems ? 'items failed' : '0 failed items'}; 429s per later run: ${ours.refused.slice(1).join(', ') || 'no later run'}`,
			met: !oursFailedItems && ours.refused.length > 1 && Math.max(...ours.refused.slice(1)) <= 10,
		},
		{
			name: `n8n ${version.label}, 2b. Rate limit ${rateLimit}/s, first run (limit unknown): a handful of 429s (≤ 10) at default options`,
			measured: `${ours.refused[0]} at default options (a slower ramp trades speed for fewer: see Items in Parallel in docs/checkout-sessions.md); ${capped.refused[0]} at Items in Parallel = 10`,
			met: ours.refused[0] <= 10,
		},
	);
	return [
		`#### 2b. ${u.int(items)} Gets against a rate limit of ${rateLimit} requests per second (${latency} ms latency)`,
		'',
		`The fake allows ${rateLimit} requests in any rolling second and answers 429 with \`Retry-After: 1\` beyond (refused requests do not count). ` +
			`Each run starts after a quiet second. Ours: default options, in a workflow of its own; its first run starts knowing nothing of the limit, and the later runs start from the pace the node kept in the workflow's static data. Ours at Items in Parallel = 10: the same, with a ceiling a user who knows the limit is tight would set (it bounds the first burst). HTTP Request "Batching ${rateLimit} items per 1,000 ms": a user who knows the limit; ` +
			'with its default options the HTTP Request node fails the run at the first 429 (it does not retry unless Retry On Fail is set). ' +
			`Floor = ${u.int(items)} requests ÷ ${rateLimit} per second.`,
		'',
		u.table(['Workflow', 'Runs that finished', 'Items out (median)', 'Failed items', '429s received, per run', 'of which first burst + later', 'Wall time (median)', 'Floor', 'vs floor'], rows),
		'',
	].join('\n');
}

// ---- 3. CPU per request -----------------------------------------------------------------

async function cpuPart(instance, fake, scenarios, options, ids, version) {
	const { cpuItems, repeats } = options;
	const body = JSON.stringify({ items: ids.slice(0, cpuItems).map((id) => ({ id })) });
	const latency = fake.latency;
	fake.setLatency(0);
	try {
		const chosen = [scenarios['items-baseline'], scenarios['get-ours-default'], scenarios['get-floor'], scenarios['get-http']];
		u.log(`3. CPU: ${cpuItems} Gets at 0 ms latency`);
		// Two runs here and one untimed run before each block (measure).
		await warmUp(instance, fake, chosen, body);
		const results = await measure(instance, fake, chosen, {
			body,
			repeats,
			expect: (s) => ({ count: cpuItems, get: s.id === 'items-baseline' ? 0 : cpuItems }),
		});
		const base = results.get('items-baseline');
		const http = results.get('get-http');
		const perRequest = (r) => ((r.cpuMedian - base.cpuMedian) * 1000) / cpuItems;
		const rows = chosen.map((s) => {
			const r = results.get(s.id);
			const isBaseline = s === scenarios['items-baseline'];
			return [
				s.label,
				u.int(r.requests.get),
				u.ms(r.median),
				u.ms(r.cpuMedian),
				`${u.ms(u.min(r.cpu))} – ${u.ms(u.max(r.cpu))}`,
				isBaseline ? '–' : us(perRequest(r)),
				isBaseline ? '–' : u.ratio(perRequest(r) / perRequest(http)),
				us((r.benchCpuMedian * 1000) / cpuItems),
			];
		});
		const ours = perRequest(results.get('get-ours-default'));
		version.targets.push({ name: `n8n ${version.label}, 3. CPU per request: ours ≤ 0.7× the HTTP Request node`, measured: `${u.ratio(ours / perRequest(http))} (${us(ours)} vs ${us(perRequest(http))})`, met: ours / perRequest(http) <= 0.7 });
		return [
			`#### 3. n8n CPU time per request (${u.int(cpuItems)} Gets, 0 ms latency)`,
			'',
			"CPU time (user + system) of the n8n process over the webhook round trip, from /proc/<pid>/stat (10 ms ticks). Per request: minus the Split Out only workflow's CPU, ÷ requests. " +
				'"Bench CPU" is this benchmark process (the fake Tilled and the trigger), per request: the fake\'s own cost.',
			'',
			u.table(['Workflow', 'Requests', 'Wall time (median)', 'n8n CPU (median)', 'Range', 'n8n CPU per request', 'Ratio vs HTTP Request', 'Bench CPU per request'], rows),
			'',
		].join('\n');
	} finally {
		fake.setLatency(latency);
	}
}

function us(value) {
	return u.us(value);
}

main().catch((error) => {
	process.stderr.write(`[bench] failed: ${error && error.stack ? error.stack : error}\n`);
	process.exit(1);
});
