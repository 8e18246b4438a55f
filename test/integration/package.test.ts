// The published package: what `npm pack` ships, what package.json promises n8n, and the
// lint that n8n's community-package scanner runs on the tarball.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
let unpacked: string;
let packFolder: string;

beforeAll(() => {
	execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
	// Unpacked inside the project so the built files resolve n8n-workflow from node_modules.
	fs.mkdirSync(path.join(root, '.test-tmp'), { recursive: true });
	const out = (packFolder = fs.mkdtempSync(path.join(root, '.test-tmp', 'pack-')));
	const [info] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: root, encoding: 'utf8' }));
	execFileSync('tar', ['xzf', path.join(out, info.filename), '-C', out]);
	unpacked = path.join(out, 'package');
}, 120_000);
afterAll(() => fs.rmSync(packFolder, { recursive: true, force: true }));

function filesIn(dir: string, base = dir): string[] {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
		entry.isDirectory() ? filesIn(path.join(dir, entry.name), base) : [path.relative(base, path.join(dir, entry.name))],
	);
}

test('package.json follows n8n community rules', () => {
	expect(pkg.name).toMatch(/^n8n-nodes-/);
	expect(pkg.keywords).toContain('n8n-community-node-package');
	expect(pkg.dependencies).toBeUndefined();
	expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
	expect(pkg.overrides).toBeUndefined();
	for (const script of ['prepare', 'preinstall', 'install', 'postinstall']) expect(pkg.scripts[script]).toBeUndefined();
	expect(pkg.files).toEqual(['dist']);
	// The dev pin of n8n-workflow must be the one n8n-core uses, or instanceof checks break.
	const corePkg = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/n8n-core/package.json'), 'utf8'));
	expect(pkg.devDependencies['n8n-workflow']).toBe(corePkg.dependencies['n8n-workflow']);
});

test('the tarball holds dist/ only: node, credential, codex, icons; no tests or sources', () => {
	const files = filesIn(unpacked).sort();
	const outsideDist = files.filter((f) => !f.startsWith('dist/'));
	expect(outsideDist.sort()).toEqual(['LICENSE', 'README.md', 'package.json']);
	for (const entry of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) expect(files).toContain(entry);
	expect(files).toContain('dist/nodes/Tilled/TilledCheckoutSessions.node.json');
	// The output schemas n8n's editor asks for when the output panel opens (output-schemas.test.ts).
	expect(files).toContain('dist/nodes/Tilled/__schema__/v1.0.0/create.json');
	expect(files).toContain('dist/nodes/Tilled/tilled.svg');
	expect(files).toContain('dist/nodes/Tilled/tilled.dark.svg');
	expect(files).toContain('dist/credentials/tilled.svg');
	expect(files.filter((f) => /test|\.ts$|fake|\.map$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
});

test('the built node and credential load, and the codex names the node', () => {
	const { TilledCheckoutSessions } = require(path.join(unpacked, pkg.n8n.nodes[0]));
	const { TilledApi } = require(path.join(unpacked, pkg.n8n.credentials[0]));
	const node = new TilledCheckoutSessions();
	expect(node.description.usableAsTool).toBe(true);
	expect(new TilledApi().name).toBe('tilledApi');
	const codex = JSON.parse(fs.readFileSync(path.join(unpacked, 'dist/nodes/Tilled/TilledCheckoutSessions.node.json'), 'utf8'));
	expect(codex.node).toBe(`n8n-nodes-tilled.${node.description.name}`);
	expect(codex.categories).toEqual(['Finance & Accounting', 'Sales']);
});

test('the built Tilled node loads, with its codex, and is named to pair with the Tilled Trigger', () => {
	const { Tilled } = require(path.join(unpacked, 'dist/nodes/Tilled/Tilled.node.js'));
	const node = new Tilled();
	// n8n's node panel shows a node's triggers beside it when the trigger is named <name>Trigger.
	expect(node.description.name).toBe('tilled');
	expect(node.description.usableAsTool).toBe(true);
	const codex = JSON.parse(fs.readFileSync(path.join(unpacked, 'dist/nodes/Tilled/Tilled.node.json'), 'utf8'));
	expect(codex.node).toBe('n8n-nodes-tilled.tilled');
});

test('the built triggers load, with their codex', () => {
	expect(pkg.n8n.nodes).toEqual([
		'dist/nodes/Tilled/TilledCheckoutSessions.node.js',
		'dist/nodes/Tilled/Tilled.node.js',
		'dist/nodes/Tilled/TilledTrigger.node.js',
		'dist/nodes/Tilled/TilledPollingTrigger.node.js',
	]);
	const { TilledTrigger } = require(path.join(unpacked, pkg.n8n.nodes[2]));
	const { TilledPollingTrigger } = require(path.join(unpacked, pkg.n8n.nodes[3]));
	const webhook = new TilledTrigger();
	const polling = new TilledPollingTrigger();
	expect(webhook.description.webhooks).toHaveLength(1);
	expect(typeof webhook.webhookMethods.default.create).toBe('function');
	expect(polling.description.polling).toBe(true);
	for (const node of [webhook, polling]) {
		const file = `dist/nodes/Tilled/${node.constructor.name}.node.json`;
		expect(JSON.parse(fs.readFileSync(path.join(unpacked, file), 'utf8')).node).toBe(`n8n-nodes-tilled.${node.description.name}`);
	}
});

test('the compiled code imports nothing but n8n-workflow and its own files', () => {
	const jsFiles = filesIn(unpacked).filter((f) => f.endsWith('.js'));
	for (const file of jsFiles) {
		const source = fs.readFileSync(path.join(unpacked, file), 'utf8');
		const requires = [...source.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
		// The one exception: the webhook signature check needs HMAC-SHA256 and a constant-time
		// compare, from node:crypto (allowed by n8n's community rules), in that file alone.
		const allowed = (spec: string) =>
			spec.startsWith('.') ? spec : file === 'dist/nodes/Tilled/trigger/signature.js' && spec === 'node:crypto' ? spec : 'n8n-workflow';
		for (const spec of requires) expect([file, spec]).toEqual([file, allowed(spec)]);
		expect([file, /\bprocess\.|setTimeout|setInterval|child_process|require\("fs"\)|axios/.test(source)]).toEqual([file, false]);
	}
});

test("the scanner's tarball lint (community-nodes recommended, no-console) passes on the packed files", () => {
	let output: string;
	try {
		output = execFileSync('node', [path.join(root, 'scripts/lint-tarball.mjs'), unpacked], { cwd: root, encoding: 'utf8' });
	} catch (error) {
		output = (error as { stdout: string }).stdout;
	}
	const report = JSON.parse(output);
	expect(report.files).toBeGreaterThan(10);
	expect(report.problems).toEqual([]);
});
