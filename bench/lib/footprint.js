'use strict';

// 4. Footprint: the packed tarball, runtime dependencies, the time to require the built modules
// (fresh processes), and the memory of a Return All (the test harness, in fresh processes).

const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const n8n = require('../../scripts/lib/n8n');
const u = require('./util');

const ROOT = n8n.ROOT;
const BUILD = path.join(ROOT, 'bench', '.build');

/** The Node binary an installation runs n8n on (its bin/n8n-run puts it first on PATH). */
function installationNode(installation) {
	const match = /^export PATH="([^"$]+):\$PATH"/m.exec(fs.readFileSync(installation.runner, 'utf8'));
	const candidate = match ? path.join(match[1], 'node') : undefined;
	return candidate && fs.existsSync(candidate) ? candidate : process.execPath;
}

function runJson(command, args, options = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		child.on('error', reject);
		child.on('exit', (code) => {
			const line = stdout.trim().split('\n').pop();
			if (code !== 0 || !line) reject(new Error(`${path.basename(command)} ${args.join(' ')} failed (exit ${code}):\n${stdout}\n${stderr}`));
			else resolve(JSON.parse(line));
		});
	});
}

async function footprintPart({ installation, tarball, targets, repeats }) {
	u.log('4. Footprint: tarball, dependencies, require time');
	const tarSize = fs.statSync(tarball).size;
	const listing = execFileSync('tar', ['-tzvf', tarball], { encoding: 'utf8' }).trim().split('\n');
	const unpacked = listing.reduce((sum, line) => sum + (Number(line.trim().split(/\s+/)[2]) || 0), 0);
	const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
	const dependencies = Object.keys(manifest.dependencies ?? {});

	// The modules as n8n loads them: from the unpacked tarball, n8n-workflow from n8n's own copy.
	const unpackDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-tilled-bench-unpacked-'));
	try {
		execFileSync('tar', ['-xzf', tarball, '-C', unpackDir]);
		const pkg = path.join(unpackDir, 'package');
		const ours = [...manifest.n8n.nodes, ...manifest.n8n.credentials].map((file) => path.join(pkg, file));
		const nodeModules = path.join(installation.dir, 'node_modules');
		const httpNode = path.join(nodeModules, 'n8n-nodes-base', 'dist', 'nodes', 'HttpRequest', 'HttpRequest.node.js');
		const node = installationNode(installation);
		const nodeVersion = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
		const child = path.join(ROOT, 'bench', 'require-child.js');
		const env = { ...process.env, NODE_PATH: nodeModules };
		const samples = { ours: [], http: [], preloadOurs: [], preloadHttp: [] };
		for (let i = 0; i < repeats; i++) {
			const a = await runJson(node, [child, ...ours], { env });
			const b = await runJson(node, [child, httpNode], { env });
			samples.ours.push(a.requireMs);
			samples.preloadOurs.push(a.preloadMs);
			samples.http.push(b.requireMs);
			samples.preloadHttp.push(b.preloadMs);
		}
		const oursMs = u.median(samples.ours);
		const httpMs = u.median(samples.http);
		targets.push({ name: '4. Runtime dependencies: 0', measured: String(dependencies.length), met: dependencies.length === 0 });
		const rows = [
			['Packed tarball', `${u.bytes(tarSize)} (${listing.length} files, ${u.bytes(unpacked)} unpacked)`, '–', '–'],
			['Runtime dependencies', `${dependencies.length}${dependencies.length ? ` (${dependencies.join(', ')})` : ''}; peer: ${Object.keys(manifest.peerDependencies ?? {}).join(', ') || 'none'}`, '–', '–'],
			[
				`Require node + credential (Node ${nodeVersion}, fresh process, n8n-workflow preloaded; median of ${repeats})`,
				`${u.ms(oursMs)} (${u.ms(u.min(samples.ours))} – ${u.ms(u.max(samples.ours))})`,
				`HTTP Request node module: ${u.ms(httpMs)} (${u.ms(u.min(samples.http))} – ${u.ms(u.max(samples.http))})`,
				u.ratio(oursMs / httpMs),
			],
			['Preloading n8n-workflow itself (not counted above)', u.ms(u.median(samples.preloadOurs)), u.ms(u.median(samples.preloadHttp)), '–'],
		];
		return ['### 4. Footprint', '', u.table(['Measure', 'Ours', 'Baseline', 'Ratio'], rows), ''].join('\n');
	} finally {
		fs.rmSync(unpackDir, { recursive: true, force: true });
	}
}

// ---- memory -------------------------------------------------------------------------------

function listTs(dir) {
	const out = [];
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) out.push(...listTs(full));
		else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(full);
	}
	return out;
}

/**
 * The small compile step: transpiles the test harness, the node's sources and the memory probe
 * into bench/.build (types are checked by `npm run typecheck`, which covers bench/).
 */
function compileMemoryProbe() {
	const ts = require('typescript');
	fs.rmSync(BUILD, { recursive: true, force: true });
	const files = [
		...listTs(path.join(ROOT, 'nodes')),
		...listTs(path.join(ROOT, 'credentials')),
		path.join(ROOT, 'test', 'harness', 'n8n.ts'),
		path.join(ROOT, 'test', 'harness', 'report.ts'),
		path.join(ROOT, 'bench', 'memory-child.ts'),
	];
	for (const file of files) {
		const { outputText } = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
			fileName: file,
			compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2021, esModuleInterop: true, sourceMap: false },
		});
		const out = path.join(BUILD, path.relative(ROOT, file)).replace(/\.ts$/, '.js');
		fs.mkdirSync(path.dirname(out), { recursive: true });
		fs.writeFileSync(out, outputText);
	}
	return path.join(BUILD, 'bench', 'memory-child.js');
}

/** The fake Tilled in its own process (so its store is not in the measured heap), seeded with n sessions. */
function startFakeProcess(sessions, apiKey, accountId) {
	return new Promise((resolve, reject) => {
		const child = spawn(
			process.execPath,
			[path.join(ROOT, 'test', 'fake-tilled', 'server.js'), '--seed', String(sessions), '--latency', '0', '--api-key', apiKey, '--account-id', accountId],
			{ stdio: ['ignore', 'pipe', 'inherit'] },
		);
		let buffer = '';
		child.on('error', reject);
		child.on('exit', (code) => reject(new Error(`fake Tilled exited (${code}) before it listened`)));
		child.stdout.on('data', (chunk) => {
			buffer += chunk;
			const newline = buffer.indexOf('\n');
			if (newline < 0) return;
			const info = JSON.parse(buffer.slice(0, newline));
			child.removeAllListeners('exit');
			resolve({
				url: info.url,
				stop: () =>
					new Promise((done) => {
						if (child.exitCode !== null) return done();
						child.once('exit', () => done());
						child.kill('SIGTERM');
					}),
			});
		});
	});
}

async function memoryPart({ sizes, targets }) {
	u.log(`4. Memory of a Return All (${sizes.join(', ')} sessions), test harness in fresh processes`);
	const probe = compileMemoryProbe();
	const apiKey = 'sk_test_bench_memory';
	const accountId = 'acct_bench_memory';
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-tilled-test-bench-'));
	const env = { ...process.env, N8N_USER_FOLDER: userFolder, N8N_DIAGNOSTICS_ENABLED: 'false', N8N_ENCRYPTION_KEY: 'n8n-nodes-tilled-bench-key' };
	const rows = [];
	const perSession = [];
	let largest;
	try {
		for (const sessions of sizes) {
			const fake = await startFakeProcess(sessions, apiKey, accountId);
			try {
				const args = (mode) => ['--expose-gc', probe, mode, fake.url, apiKey, accountId, String(sessions)];
				const ours = await runJson(process.execPath, args('node'), { env });
				const plain = await runJson(process.execPath, args('plain'), { env });
				u.log(`  ${sessions}: ours retained ${u.bytes(ours.retained)}, peak ${u.bytes(ours.peak)}; plain ${u.bytes(plain.retained)}`);
				perSession.push(ours.retained / sessions);
				largest = { sessions, ours, plain };
				rows.push([
					u.int(sessions),
					`${u.ms(ours.ms)}`,
					u.bytes(ours.peak),
					u.bytes(ours.retained),
					`${u.int(ours.retained / sessions)} B`,
					u.bytes(plain.retained),
					`${u.int(plain.retained / sessions)} B`,
					u.ratio(ours.retained / plain.retained),
					u.ratio(ours.peak / plain.retained),
					u.bytes(ours.peakRss),
				]);
			} finally {
				await fake.stop();
			}
		}
	} finally {
		fs.rmSync(userFolder, { recursive: true, force: true });
	}
	const spread = perSession.length > 1 ? Math.max(...perSession) / Math.min(...perSession) : 1;
	if (largest) {
		targets.push({
			name: `4. Memory grows linearly (bytes per session retained, ${sizes.map(u.int).join(' / ')})`,
			measured: `${perSession.map((b) => u.int(b)).join(' / ')} B (spread ${u.ratio(spread)})`,
			met: spread <= 1.15,
		});
	}
	return [
		`### 4b. Memory of a Return All (test harness: the node's execute in n8n-core's ExecuteContext, Node ${process.version})`,
		'',
		'Each size in fresh processes, the fake Tilled in another process. Heap = V8 heap used + external, after a warm-up run and full GCs. ' +
			'Peak = highest sample (every 2 ms) during the run minus the heap before; retained = after the run and a full GC, output still held. ' +
			'Baseline = the same sessions fetched as page texts first, then parsed with JSON.parse and held as plain objects.',
		'',
		u.table(
			['Sessions', 'Run time', 'Peak heap growth', 'Retained (output held)', 'Retained per session', 'Baseline: plain objects', 'Baseline per session', 'Retained vs baseline', 'Peak vs baseline', 'Peak RSS growth'],
			rows,
		),
		'',
	].join('\n');
}

module.exports = { footprintPart, memoryPart, installationNode, compileMemoryProbe };
