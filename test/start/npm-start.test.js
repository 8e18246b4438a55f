'use strict';

/**
 * The main command, as a user runs it: `npm start` in this repository. It goes through npm, so
 * every child sees the project's .npmrc as npm_config_* variables (ignore-scripts=true among
 * them), the path that once left n8n without its database binding while a direct run worked.
 * The n8n cache is the caller's (N8N_TILLED_CACHE): .ci/run hands it an empty one, so there the
 * first start below installs n8n and Node 24 from nothing.
 *
 * Checks that it reaches "running", what it set up (healthz, the node type, the credential, the
 * example workflows), that an example workflow runs against the fake Tilled it started, and that
 * SIGINT (Ctrl-C, sent to the whole foreground group as a terminal does) and SIGTERM (to npm
 * alone, as `kill` or a service manager does) stop n8n and the fake and leave no process or port.
 */

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const n8n = require('../../scripts/lib/n8n');

const NODE_TYPE = 'n8n-nodes-tilled.tilledCheckoutSessions';
const EXAMPLES_DIR = path.join(n8n.ROOT, 'examples');
// What scripts/start.js sets up against its fake Tilled.
const CREDENTIAL_NAME = 'Tilled sandbox (local)';
const FAKE = { apiKey: 'sk_test_local_fake_tilled', accountId: 'acct_local_fake' };
const CREATE_EXAMPLE = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, 'create-payment-link.json'), 'utf8'));
const CREATE_ORDER_ID = 'ORD-1001';

// The first start may install n8n (about 5 minutes on an empty cache, more on a busy machine).
const FIRST_START_MS = 30 * 60_000;
jest.setTimeout(FIRST_START_MS + 5 * 60_000);

const examples = fs
	.readdirSync(EXAMPLES_DIR)
	.filter((name) => name.endsWith('.json'))
	.map((name) => JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, name), 'utf8')));

const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-tilled-npm-start-'));
afterAll(() => fs.rmSync(userFolder, { recursive: true, force: true }));

/** `npm start` in its own process group; resolves once it prints that n8n is running. */
function npmStart(ports, timeoutMs) {
	const child = spawn(
		'npm',
		['start', '--', '--user-folder', userFolder, '--port', String(ports.n8n), '--tilled-port', String(ports.tilled)],
		{ cwd: n8n.ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: process.env },
	);
	let output = '';
	const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
	const ready = new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`npm start did not report running within ${timeoutMs} ms:\n${output}`)), timeoutMs);
		const onData = (chunk) => {
			output += chunk;
			const running = /with n8n-nodes-tilled is running: (http:\/\/\S+)/.exec(output);
			if (running) {
				clearTimeout(timer);
				resolve(running[1]);
			}
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		exited.then(({ code, signal }) => {
			clearTimeout(timer);
			reject(new Error(`npm start exited (${signal || `exit ${code}`}) before running:\n${output}`));
		});
	});
	return { child, ready, exited, output: () => output };
}

/** Processes still alive that belong to this start: its process group, or n8n's (by user folder). */
function leftoverProcesses(groupId) {
	const found = [];
	for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
		try {
			const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
			// Fields after the command name, which is in parentheses: state, ppid, pgrp.
			const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			if (state === 'Z') continue;
			const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
			if (Number(pgrp) === groupId || environ.split('\0').includes(`N8N_USER_FOLDER=${userFolder}`)) {
				found.push(`${pid}: ${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}`);
			}
		} catch {
			// gone meanwhile, or not ours to read
		}
	}
	return found;
}

async function waitFor(check, timeoutMs, what) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/** Stops a running `npm start` with `signal`; resolves to its exit once nothing of it is left. */
async function stop(start, signal, { toGroup }) {
	process.kill(toGroup ? -start.child.pid : start.child.pid, signal);
	let timer;
	const exit = await Promise.race([
		start.exited,
		new Promise((resolve) => (timer = setTimeout(() => resolve(undefined), 60_000))),
	]);
	clearTimeout(timer);
	if (exit === undefined) throw new Error(`npm start did not exit within 60 s of ${signal}:\n${start.output()}`);
	// The child exits first; what it started must follow within a few seconds, not linger.
	let left = [];
	await waitFor(() => (left = leftoverProcesses(start.child.pid)).length === 0, 15_000, 'the processes to end').catch(() => {
		throw new Error(`still running after ${signal}:\n${left.join('\n')}\n--- npm start printed:\n${start.output()}`);
	});
	return exit;
}

function fakeTilled(baseUrl) {
	return async (route) => {
		const response = await fetch(`${baseUrl}${route}`, {
			headers: { 'tilled-api-key': FAKE.apiKey, 'tilled-account': FAKE.accountId },
		});
		expect(response.status).toBe(200);
		return response.json();
	};
}

describe('npm start', () => {
	let ports;

	beforeAll(async () => {
		ports = { n8n: await n8n.freePort(), tilled: await n8n.freePort() };
	});

	test('from the cache it is given, reaches running with the node, the credential and the examples; an example runs; Ctrl-C stops everything', async () => {
		const start = npmStart(ports, FIRST_START_MS);
		try {
			const url = await start.ready;
			expect(url).toBe(`http://127.0.0.1:${ports.n8n}`);
			const printed = start.output();
			const fakeUrl = /the fake Tilled API at (http:\/\/\S+)/.exec(printed)?.[1];
			expect(fakeUrl).toBe(`http://127.0.0.1:${ports.tilled}`);
			expect(printed).not.toMatch(/sqlite3 does not load|FAILED/);

			const health = await fetch(`${url}/healthz`);
			expect(health.status).toBe(200);

			const rest = await n8n.setupOwner(url);
			const nodeTypes = await rest.send('GET', '/types/nodes.json');
			expect(nodeTypes.status).toBe(200);
			expect(nodeTypes.json.map((type) => type.name)).toContain(NODE_TYPE);

			const credentials = await rest.request('GET', '/credentials');
			expect(credentials.status).toBe(200);
			expect(credentials.data.map((c) => [c.name, c.type])).toContainEqual([CREDENTIAL_NAME, 'tilledApi']);

			const workflows = await rest.request('GET', '/workflows');
			expect(workflows.status).toBe(200);
			expect(workflows.data.map((w) => w.id).sort()).toEqual(expect.arrayContaining(examples.map((w) => w.id)));
			expect(examples.length).toBeGreaterThan(0);

			// The "create a payment link" example, run as the editor's Execute workflow runs it.
			const tilled = fakeTilled(fakeUrl);
			const query = `/v1/checkout-sessions?metadata[order_id]=${CREATE_ORDER_ID}`;
			expect((await tilled(query)).total).toBe(0);
			const trigger = CREATE_EXAMPLE.nodes.find((node) => node.type === 'n8n-nodes-base.manualTrigger');
			const run = await rest.request('POST', `/workflows/${CREATE_EXAMPLE.id}/run`, {
				triggerToStartFrom: { name: trigger.name },
			});
			expect(run.status).toBe(200);
			const executionId = run.data.executionId;
			expect(executionId).toEqual(expect.any(String));
			const execution = await waitFor(
				async () => {
					const answer = await rest.request('GET', `/executions/${executionId}`);
					return answer.data?.finished || ['success', 'error', 'crashed'].includes(answer.data?.status) ? answer.data : undefined;
				},
				60_000,
				`execution ${executionId}`,
			);
			expect(execution.status).toBe('success');
			const created = await tilled(query);
			expect(created.total).toBe(1);
			expect(created.items[0]).toMatchObject({ status: 'open', metadata: { order_id: CREATE_ORDER_ID, source: 'n8n-shop' } });
		} finally {
			if (start.child.exitCode === null && start.child.signalCode === null) {
				const exit = await stop(start, 'SIGINT', { toGroup: true });
				// npm, signalled itself, ends with that signal once its script has exited.
				expect(exit).toEqual({ code: null, signal: 'SIGINT' });
			}
		}
		expect(start.output()).toContain('stopping');
		expect(await n8n.isPortFree(ports.n8n)).toBe(true);
		expect(await n8n.isPortFree(ports.tilled)).toBe(true);
	});

	test('started again (warm), SIGTERM to npm alone stops n8n and the fake as well', async () => {
		const start = npmStart(ports, 5 * 60_000);
		let exit;
		try {
			const url = await start.ready;
			expect(start.output()).toContain('example workflows: already imported and unchanged');
			expect((await fetch(`${url}/healthz`)).status).toBe(200);
		} finally {
			if (start.child.exitCode === null && start.child.signalCode === null) {
				exit = await stop(start, 'SIGTERM', { toGroup: false });
			}
		}
		// npm ends at once, without passing SIGTERM on; the script notices and stops what it started.
		expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
		expect(start.output()).not.toContain('n8n stopped unexpectedly');
		expect(await n8n.isPortFree(ports.n8n)).toBe(true);
		expect(await n8n.isPortFree(ports.tilled)).toBe(true);
	});
});
