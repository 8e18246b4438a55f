'use strict';

/**
 * n8n in queue mode on this machine, for the queue test: Redis and PostgreSQL from Debian's
 * packages, each started on 127.0.0.1 with a free port and a temporary data folder, and the n8n
 * processes of a queue-mode setup (one main, workers, one webhook process) sharing them.
 * Plain CommonJS, Node built-ins only; n8n processes come from scripts/lib/n8n.js.
 *
 *   const queue = require('./scripts/lib/queue');
 *   await queue.ensureServices();                     // apt-get install when missing
 *   const redis = await queue.startRedis();           // { host, port, stop() }
 *   const postgres = await queue.startPostgres();     // { host, port, user, database, psql(sql), stop() }
 *   const env = queue.queueEnv({ redis, postgres });  // variables every n8n process shares
 *   const worker = await queue.startWorker(installation, folder, { env, concurrency: 2 });
 *   await queue.stopAll();                            // everything this module started
 *
 * Everything started here is also killed when the process exits.
 */

const { spawn, execFile } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { promisify } = require('node:util');
const n8n = require('./n8n');

const execFileAsync = promisify(execFile);
const ENSURE_SCRIPT = path.join(n8n.ROOT, 'test', 'queue', 'ensure-services.sh');

/** stop() of every n8n process and every service (Redis, PostgreSQL) started here and not stopped yet. */
const n8nProcesses = new Set();
const services = new Set();
const children = new Set();
process.on('exit', () => {
	for (const child of children) n8n.killGroup(child, 'SIGKILL');
});

/** Installs redis-server and postgresql with apt-get when missing (test/queue/ensure-services.sh). */
async function ensureServices() {
	await new Promise((resolve, reject) => {
		const child = spawn('bash', [ENSURE_SCRIPT], { stdio: ['ignore', process.stderr, process.stderr] });
		child.on('error', reject);
		child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${ENSURE_SCRIPT} failed (exit ${code})`))));
	});
}

/** The newest PostgreSQL's bin folder from Debian's packages (/usr/lib/postgresql/<major>/bin). */
function postgresBin() {
	const base = '/usr/lib/postgresql';
	const majors = fs.existsSync(base)
		? fs.readdirSync(base).filter((name) => fs.existsSync(path.join(base, name, 'bin', 'postgres')))
		: [];
	if (majors.length === 0) throw new Error(`no PostgreSQL under ${base}: run ${ENSURE_SCRIPT}`);
	majors.sort((a, b) => Number(b) - Number(a));
	return path.join(base, majors[0], 'bin');
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** PostgreSQL refuses to run as root: as root, its commands run as the postgres user. */
function asPostgresUser(command, args) {
	return isRoot() ? { command: 'runuser', args: ['-u', 'postgres', '--', command, ...args] } : { command, args };
}

/**
 * Spawns a long-running service in its own process group; resolves once `isReady()` is true.
 * Returns `{ process, logs(), stop() }`; stop() sends `stopSignal`, then SIGKILL after 10 s.
 */
async function startService(name, command, args, { isReady, stopSignal = 'SIGTERM', timeoutMs = 60_000, cwd } = {}) {
	const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	const onData = (chunk) => {
		output += chunk;
		if (output.length > 1_000_000) output = output.slice(-500_000);
	};
	child.stdout.on('data', onData);
	child.stderr.on('data', onData);
	children.add(child);
	let exit;
	const exited = new Promise((resolve) =>
		child.on('exit', (code, signal) => {
			children.delete(child);
			exit = { code, signal };
			resolve(exit);
		}),
	);
	let stopping;
	const service = {
		name,
		process: child,
		logs: () => output,
		stop() {
			if (!stopping) {
				stopping = (async () => {
					n8n.killGroup(child, stopSignal);
					const timer = setTimeout(() => n8n.killGroup(child, 'SIGKILL'), 10_000);
					await exited;
					clearTimeout(timer);
					n8n.killGroup(child, 'SIGKILL');
				})();
			}
			return stopping;
		},
	};
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (exit) throw new Error(`${name} exited (${exit.signal || `exit ${exit.code}`}) before it was ready:\n${output}`);
		if (await isReady().catch(() => false)) return service;
		if (Date.now() > deadline) {
			await service.stop();
			throw new Error(`${name} was not ready within ${timeoutMs} ms:\n${output}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

/** A started service whose stop() also removes its temporary folder; stopAll() stops it too. */
function withCleanup(service, dir, extra) {
	const wrapped = {
		...service,
		...extra,
		async stop() {
			services.delete(wrapped.stop);
			await service.stop();
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
	services.add(wrapped.stop);
	return wrapped;
}

/** One command to Redis over its text protocol; resolves to the first reply line. */
function redisCommand(port, command) {
	return new Promise((resolve, reject) => {
		const socket = net.connect(port, '127.0.0.1');
		let reply = '';
		socket.setTimeout(2000, () => socket.destroy(new Error('redis: no answer')));
		socket.on('connect', () => socket.write(`${command}\r\n`));
		socket.on('data', (chunk) => {
			reply += chunk;
			if (reply.includes('\r\n')) {
				socket.end();
				resolve(reply.split('\r\n')[0]);
			}
		});
		socket.on('error', reject);
	});
}

/** redis-server on 127.0.0.1, a free port, no persistence, data folder in a temporary folder. */
async function startRedis() {
	const port = await n8n.freePort();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-tilled-redis-'));
	const service = await startService(
		'redis-server',
		'redis-server',
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'yes'],
		{ isReady: async () => (await redisCommand(port, 'PING')) === '+PONG' },
	);
	return withCleanup(service, dir, { host: '127.0.0.1', port, command: (text) => redisCommand(port, text) });
}

/**
 * PostgreSQL on 127.0.0.1 and a free port: initdb into a temporary folder (as the postgres user
 * when run as root), trust authentication on loopback, durability off (test data), then a
 * database `n8n`. `psql(sql)` runs SQL there and resolves to its unaligned output.
 */
async function startPostgres() {
	const bin = postgresBin();
	const port = await n8n.freePort();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-tilled-postgres-'));
	const dataDir = path.join(dir, 'data');
	if (isRoot()) {
		await execFileAsync('chown', ['postgres:postgres', dir]);
		fs.chmodSync(dir, 0o700);
	}
	const initdb = asPostgresUser(path.join(bin, 'initdb'), [
		'-D', dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C',
	]);
	await execFileAsync(initdb.command, initdb.args, { cwd: dir });
	const server = asPostgresUser(path.join(bin, 'postgres'), [
		'-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', dir,
		'-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200',
	]);
	const psqlAt = (database, sql) =>
		execFileAsync(path.join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-v', 'ON_ERROR_STOP=1', '-At', '-c', sql], {
			cwd: dir,
		}).then(({ stdout }) => stdout.trim());
	// SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for n8n's connections to close).
	const service = await startService('postgres', server.command, server.args, {
		cwd: dir,
		stopSignal: 'SIGINT',
		isReady: async () => (await psqlAt('postgres', 'SELECT 1')) === '1',
	});
	await psqlAt('postgres', 'CREATE DATABASE n8n');
	return withCleanup(service, dir, { host: '127.0.0.1', port, user: 'postgres', database: 'n8n', psql: (sql) => psqlAt('n8n', sql) });
}

/** The variables every process of one queue-mode setup shares (the encryption key is n8nEnv's fixed one). */
function queueEnv({ redis, postgres }) {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: redis.host,
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: postgres.host,
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_DATABASE: postgres.database,
		DB_POSTGRESDB_USER: postgres.user,
		DB_POSTGRESDB_PASSWORD: '',
		// Production webhooks go to the webhook process only, as n8n's queue-mode docs set it up.
		N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true',
		// Four n8n processes, Redis and PostgreSQL share two cores here: a busy worker must not lose
		// its job's lock (30 s by default) and have the job taken for stalled.
		QUEUE_WORKER_LOCK_DURATION: '120000',
		// n8n 2.x: keep the last finished jobs in Redis, so that a webhook process that starts
		// listening for a job after it finished still finds it (n8n 1.x has no such setting; see
		// callWebhook in test/queue/suite.js).
		N8N_EXECUTIONS_QUEUE_KEEP_LAST_COMPLETED: '100',
	};
}

/** Whether `url` answers 200 (false while nothing listens there yet). */
async function httpOk(url) {
	try {
		const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
		await response.text();
		return response.status === 200;
	} catch {
		return false;
	}
}

function track(server) {
	const tracked = {
		...server,
		async stop() {
			n8nProcesses.delete(tracked.stop);
			await server.stop();
		},
	};
	n8nProcesses.add(tracked.stop);
	return tracked;
}

/** `n8n start` as the queue-mode main (editor, REST API, schedules). */
async function startMain(installation, userFolder, { env } = {}) {
	return track(await n8n.startN8n(installation, userFolder, { env }));
}

/** `n8n worker --concurrency=<n>`; ready when its health server says so (/healthz/readiness). */
async function startWorker(installation, userFolder, { env, concurrency = 2 } = {}) {
	const healthPort = await n8n.freePort();
	return track(
		await n8n.startN8n(installation, userFolder, {
			args: ['worker', `--concurrency=${concurrency}`],
			env: { ...env, QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(healthPort), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' },
			isReady: () => httpOk(`http://127.0.0.1:${healthPort}/healthz/readiness`),
		}),
	);
}

/** `n8n webhook`: serves production webhooks on its own port (`url`; `port`: a chosen one, e.g. WEBHOOK_URL's). */
async function startWebhook(installation, userFolder, { env, port } = {}) {
	return track(
		await n8n.startN8n(installation, userFolder, {
			args: ['webhook'],
			env,
			port,
			isReady: (server) => httpOk(`${server.url}/healthz/readiness`),
		}),
	);
}

/** Stops everything this module started (n8n processes first, then Redis and PostgreSQL). */
async function stopAll() {
	await Promise.allSettled([...n8nProcesses].map((stop) => stop()));
	await Promise.allSettled([...services].map((stop) => stop()));
}

module.exports = {
	ensureServices,
	postgresBin,
	startRedis,
	startPostgres,
	queueEnv,
	startMain,
	startWorker,
	startWebhook,
	stopAll,
};
