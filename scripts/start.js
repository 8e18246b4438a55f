#!/usr/bin/env node
'use strict';

/**
 * `npm start`: the package running inside a real n8n, ready to try.
 *
 *   npm start [-- --n8n latest|v1] [--port 5678] [--tilled-port 4010] [--user-folder DIR] [--verbose]
 *
 * Builds and packs the package, starts a fake Tilled API on 127.0.0.1 (seeded with sessions),
 * prepares the git-ignored user folder .n8n-local/<latest|v1>/ (or --user-folder DIR) with the package installed as a
 * community package, imports the credential "Tilled sandbox (local)" and the example workflows,
 * and starts n8n. With TILLED_API_KEY and TILLED_ACCOUNT_ID set, the credential points at Tilled's
 * real sandbox instead, and no fake is started. Ctrl-C stops everything it started.
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const n8n = require('./lib/n8n');

const ROOT = n8n.ROOT;
const EXAMPLES = path.join(ROOT, 'examples');
const LOCAL = path.join(ROOT, '.n8n-local');
const CREDENTIAL_ID = 'TilledSandboxLoc';
const CREDENTIAL_NAME = 'Tilled sandbox (local)';
const FAKE_API_KEY = 'sk_test_local_fake_tilled';
const FAKE_ACCOUNT_ID = 'acct_local_fake';

function usage(message) {
	if (message) process.stderr.write(`start: ${message}\n`);
	process.stderr.write(
		'usage: npm start [-- --n8n latest|v1] [--port N] [--tilled-port N] [--user-folder DIR] [--verbose]\n' +
			'  TILLED_API_KEY and TILLED_ACCOUNT_ID set: use Tilled\'s sandbox instead of the local fake\n',
	);
	process.exit(message ? 2 : 0);
}

function parseArgs(argv) {
	const options = { label: 'latest', port: undefined, tilledPort: undefined, userFolder: undefined, verbose: false };
	for (let i = 0; i < argv.length; i++) {
		const [name, inline] = argv[i].split(/=(.*)/s, 2);
		const value = () => {
			const v = inline ?? argv[++i];
			if (v === undefined) usage(`${name} needs a value`);
			return v;
		};
		const port = () => {
			const v = value();
			if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535) usage(`${name} must be a port number`);
			return Number(v);
		};
		if (name === '--n8n') {
			options.label = value();
			if (!['latest', 'v1'].includes(options.label)) usage('--n8n is latest or v1');
		} else if (name === '--port') options.port = port();
		else if (name === '--tilled-port') options.tilledPort = port();
		else if (name === '--user-folder') options.userFolder = path.resolve(value());
		else if (name === '--verbose') options.verbose = true;
		else if (name === '--help' || name === '-h') usage();
		else usage(`unknown option ${name}`);
	}
	return options;
}

/** A path as the user reads it: relative inside the repository, absolute elsewhere. */
const shown = (file) => (file.startsWith(ROOT + path.sep) ? path.relative(ROOT, file) : file);

const say = (message) => process.stdout.write(`[start] ${message}\n`);

async function pickPort(preferred, fallbackDefault) {
	if (preferred) {
		if (!(await n8n.isPortFree(preferred))) throw new Error(`port ${preferred} is in use`);
		return preferred;
	}
	return (await n8n.isPortFree(fallbackDefault)) ? fallbackDefault : await n8n.freePort();
}

/** Sessions that make the examples and the list views interesting on the fake. */
function seedFake(fake) {
	const hours = (h) => new Date(Date.now() - h * 3600_000).toISOString();
	// Plain sessions, so Get Many and the session picker show something.
	fake.sessions.seedSessions(40);
	// For "expire stale sessions": shop sessions, some open for more than a day.
	fake.sessions.seedSessions(5, (i) => ({
		created_at: hours(72 - i * 12),
		status: i === 1 ? 'complete' : 'open',
		metadata: { source: 'n8n-shop', order_id: `ORD-09${String(i).padStart(2, '0')}` },
	}));
	// For "find the session behind a payment intent": the payment intent that example names.
	const lookup = JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'find-session-by-payment-intent.json'), 'utf8'));
	const setNode = lookup.nodes.find((node) => node.name === 'Payment intent');
	const pi = setNode?.parameters?.assignments?.assignments?.[0]?.value;
	if (typeof pi === 'string' && pi.startsWith('pi_')) {
		fake.sessions.seedSessions(1, { payment_intent_id: pi, metadata: { order_id: 'ORD-0777', source: 'n8n-shop' } });
	}
}

function exampleFiles() {
	return fs
		.readdirSync(EXAMPLES)
		.filter((name) => name.endsWith('.json'))
		.sort()
		.map((name) => path.join(EXAMPLES, name));
}

function hashFiles(files) {
	const hash = crypto.createHash('sha256');
	for (const file of files) hash.update(file).update(fs.readFileSync(file));
	return hash.digest('hex');
}

async function main() {
	const options = parseArgs(process.argv.slice(2));
	const realSandbox = Boolean(process.env.TILLED_API_KEY && process.env.TILLED_ACCOUNT_ID);
	if (!realSandbox && (process.env.TILLED_API_KEY || process.env.TILLED_ACCOUNT_ID)) {
		usage('set both TILLED_API_KEY and TILLED_ACCOUNT_ID to use Tilled\'s sandbox (or neither for the local fake)');
	}

	const cleanups = [];
	let stopping = false;
	const stopAll = async (code) => {
		if (stopping) return;
		stopping = true;
		for (const cleanup of cleanups.reverse()) {
			try {
				await cleanup();
			} catch (error) {
				process.stderr.write(`[start] while stopping: ${error.message}\n`);
			}
		}
		process.exit(code);
	};
	process.on('SIGINT', () => {
		process.stdout.write('\n');
		say('stopping…');
		stopAll(0);
	});
	process.on('SIGTERM', () => stopAll(0));
	// `kill <npm's pid>` (or a service manager's SIGTERM) ends npm without passing the signal on:
	// this script is then handed to init. Stop as if signalled rather than leave n8n running.
	const parent = process.ppid;
	setInterval(() => {
		if (process.ppid !== parent) {
			say('the process that started this one has gone: stopping…');
			stopAll(0);
		}
	}, 500).unref();

	try {
		say(`n8n ${options.label}: checking the installation (the first install takes several minutes; progress below)`);
		const installation = await n8n.installation(options.label);
		say(`n8n ${installation.version} in ${installation.dir}`);

		say('building and packing the package (npm run build, npm pack)');
		const tarball = await n8n.packTarball();

		const userFolder = options.userFolder ?? path.join(LOCAL, options.label);
		fs.mkdirSync(userFolder, { recursive: true });
		say(`installing ${path.basename(tarball)} as a community package into ${shown(userFolder)}/.n8n/nodes`);
		await n8n.installPackage(userFolder, tarball, { installation });

		let credentialData;
		let fake;
		if (realSandbox) {
			credentialData = {
				accountId: process.env.TILLED_ACCOUNT_ID,
				apiKey: process.env.TILLED_API_KEY,
				environment: 'sandbox',
			};
		} else {
			const { startFakeTilled } = require(path.join(ROOT, 'test', 'fake-tilled', 'server.js'));
			const port = await pickPort(options.tilledPort, 4010);
			fake = await startFakeTilled({ port, apiKey: FAKE_API_KEY, accountId: FAKE_ACCOUNT_ID, recordRequests: false });
			cleanups.push(() => fake.close());
			seedFake(fake);
			credentialData = { accountId: FAKE_ACCOUNT_ID, apiKey: FAKE_API_KEY, environment: 'custom', baseUrl: fake.url };
			say(`fake Tilled listening on ${fake.url} with ${fake.sessions.sessionCount()} sessions`);
		}

		say(`importing the credential "${realSandbox ? 'Tilled sandbox' : CREDENTIAL_NAME}"`);
		await n8n.importCredentials(installation, userFolder, [
			{
				id: CREDENTIAL_ID,
				name: realSandbox ? 'Tilled sandbox' : CREDENTIAL_NAME,
				type: 'tilledApi',
				data: credentialData,
			},
		]);

		// Example workflows: imported when new or changed, so edits made in the editor survive restarts.
		const files = exampleFiles();
		const marker = path.join(userFolder, '.examples-imported');
		const hash = hashFiles(files);
		const previous = fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8').trim() : '';
		const workflows = files.map((file) => JSON.parse(fs.readFileSync(file, 'utf8')));
		if (previous !== hash) {
			say(`importing ${files.length} example workflows from examples/`);
			await n8n.importWorkflows(installation, userFolder, EXAMPLES);
			fs.writeFileSync(marker, `${hash}\n`);
		} else {
			say(`example workflows: already imported and unchanged (delete ${shown(userFolder)}/ to start over)`);
		}

		const port = await pickPort(options.port, 5678);
		const logFile = path.join(userFolder, 'n8n.log');
		const log = fs.createWriteStream(logFile, { flags: 'a' });
		log.write(`\n==== ${new Date().toISOString()} n8n ${installation.version} start\n`);
		say(`starting n8n ${installation.version} on port ${port} (about 10-20 s; log: ${shown(logFile)})`);
		const server = await n8n.startN8n(installation, userFolder, {
			port,
			onOutput: (chunk) => {
				log.write(chunk);
				if (options.verbose) process.stdout.write(chunk);
			},
		});
		cleanups.push(async () => {
			await server.stop();
			log.end();
		});
		server.process.on('exit', (code, signal) => {
			if (stopping) return;
			process.stderr.write(`[start] n8n stopped unexpectedly (${signal || `exit ${code}`}); last lines of ${logFile}:\n`);
			process.stderr.write(`${server.logs().split('\n').slice(-30).join('\n')}\n`);
			stopAll(1);
		});

		let needsSetup = true;
		try {
			const response = await fetch(`${server.url}/rest/settings`);
			const settings = (await response.json()).data;
			needsSetup = Boolean(settings?.userManagement?.showSetupOnFirstLoad);
		} catch {
			// keep the first-visit instructions
		}

		const lines = [
			'',
			`n8n ${installation.version} with n8n-nodes-tilled is running: ${server.url}`,
			'',
			needsSetup
				? `  First visit: n8n asks you to set up the owner account. Enter any name, email and password
  (e.g. ${n8n.DEFAULT_OWNER.email} / ${n8n.DEFAULT_OWNER.password}); it is stored only in ${shown(userFolder)}/.`
				: `  Sign in with the owner account you set up earlier (stored in ${shown(userFolder)}/;
  delete that folder to start from scratch).`,
			'',
			'  Example workflows (open, then "Execute workflow"):',
			...workflows.map((workflow) => `    ${workflow.name}\n      ${server.url}/workflow/${workflow.id}`),
			'',
			realSandbox
				? `  Credential "Tilled sandbox": Tilled's sandbox API with TILLED_ACCOUNT_ID ${process.env.TILLED_ACCOUNT_ID} and TILLED_API_KEY (not shown).`
				: `  Credential "${CREDENTIAL_NAME}": the fake Tilled API at ${fake.url}
    (account ${FAKE_ACCOUNT_ID}, key ${FAKE_API_KEY}; checkout pages open at ${fake.url}/checkout/<id>).
    To pay a session, as a customer would (Tilled Trigger workflows that are active then run):
      curl -X POST ${fake.url}/_fake/checkout-sessions/<id>/pay`,
			'',
			'  Ctrl-C stops n8n' + (fake ? ' and the fake Tilled.' : '.'),
			'',
		];
		process.stdout.write(`${lines.join('\n')}\n`);
	} catch (error) {
		process.stderr.write(`[start] ${error.message}\n`);
		await stopAll(1);
	}
}

main();
