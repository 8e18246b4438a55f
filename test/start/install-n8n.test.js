'use strict';

/**
 * scripts/install-n8n.sh when a step fails: it names the step and what to do, prints no stack
 * trace, exits non-zero and keeps what it had, so that a rerun resumes. Run as `npm test` runs
 * it, with the project's npm settings in the environment (ignore-scripts among them).
 */

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const n8n = require('../../scripts/lib/n8n');

const SCRIPT = path.join(n8n.ROOT, 'scripts', 'install-n8n.sh');

/** A loopback port with nothing listening: every request to it is refused at once. */
async function closedPort() {
	const server = net.createServer();
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address();
	await new Promise((resolve) => server.close(resolve));
	return port;
}

test('a failed download names the step and what to do, keeps the cache for a rerun, shows no stack trace', async () => {
	const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-tilled-install-fail-'));
	try {
		const registry = `http://127.0.0.1:${await closedPort()}/`;
		const versions = n8n.readVersions();
		const result = spawnSync('bash', [SCRIPT, 'v1'], {
			encoding: 'utf8',
			timeout: 120_000,
			env: {
				...process.env,
				N8N_TILLED_CACHE: cache,
				npm_config_registry: registry,
				npm_config_fetch_retries: '0',
				// An empty download cache: nothing may come from a cache instead of the registry.
				npm_config_cache: path.join(cache, 'npm-cache'),
				npm_config_ignore_scripts: 'true',
			},
		});
		const printed = `${result.stdout}${result.stderr}`;
		expect(result.status).toBe(1);
		expect(printed).toContain(`[install-n8n] FAILED: n8n ${versions.v1}: step npm-install`);
		expect(printed).toMatch(/\[install-n8n\] what to do: .+/);
		expect(printed).toContain(`then run again: bash scripts/install-n8n.sh v1   (it resumes; cache: ${cache})`);
		expect(printed).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
		// What the step had set up is still there for the rerun; nothing claims to be complete.
		const dir = path.join(cache, `n8n-${versions.v1}`);
		expect(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).dependencies).toEqual({ n8n: versions.v1 });
		expect(fs.existsSync(path.join(dir, '.step-npm-install'))).toBe(false);
		expect(fs.existsSync(path.join(dir, '.complete'))).toBe(false);
	} finally {
		fs.rmSync(cache, { recursive: true, force: true });
	}
});
