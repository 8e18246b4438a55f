'use strict';

// One real n8n (`n8n start`) with the packed package installed as a community package, set up
// through its REST API as the editor would: owner, credential, workflows, activation. Workflows
// are then triggered through their production webhooks.

const fs = require('node:fs');
const n8n = require('../../scripts/lib/n8n');
const { log, processCpuMs, sleep } = require('./util');

/**
 * startN8n resolves once /rest/settings answers, but n8n 2.41 answers that while it is still
 * starting ("n8n is starting up", then 404 on /rest/owner/setup for a few seconds): retry.
 */
async function ownerSession(url, deadlineMs = 120_000) {
	const started = Date.now();
	for (;;) {
		try {
			return await n8n.setupOwner(url);
		} catch (error) {
			if (Date.now() - started > deadlineMs) throw error;
			await sleep(250);
		}
	}
}

async function expectOk(response, what) {
	if (response.status !== 200) throw new Error(`${what}: HTTP ${response.status} ${response.text.slice(0, 500)}`);
	return response.data;
}

async function startInstance({ installation, tarball, env }) {
	const folder = n8n.createUserFolder('n8n-tilled-bench-');
	await n8n.installPackage(folder, tarball);
	const started = Date.now();
	const server = await n8n.startN8n(installation, folder, { env });
	const rest = await ownerSession(server.url);
	log(`n8n ${installation.version} up on ${server.url} (pid ${server.process.pid}) after ${((Date.now() - started) / 1000).toFixed(1)} s`);
	let exited = false;
	server.process.on('exit', () => (exited = true));

	async function createCredential(name, type, data) {
		const created = await expectOk(await rest.request('POST', '/credentials', { name, type, data }), `creating credential ${name}`);
		return { id: created.id, name };
	}

	/** Creates and activates a workflow (production webhooks registered); returns its id. */
	async function deploy(workflow) {
		const created = await expectOk(await rest.request('POST', '/workflows', workflow), `creating workflow ${workflow.name}`);
		await expectOk(
			await rest.request('POST', `/workflows/${created.id}/activate`, { versionId: created.versionId }),
			`activating workflow ${workflow.name}`,
		);
		return created.id;
	}

	/**
	 * POSTs `body` (a string) to the production webhook; resolves to
	 * `{ status, json, text, wallMs, cpuMs }`: wall time of the round trip and the n8n
	 * process's CPU time over it.
	 */
	async function trigger(webhookPath, body) {
		if (exited) throw new Error(`n8n exited:\n${server.logs().slice(-3000)}`);
		const pid = server.process.pid;
		const cpuBefore = processCpuMs(pid);
		const t0 = performance.now();
		const response = await fetch(`${server.url}/webhook/${webhookPath}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body,
		});
		const text = await response.text();
		const wallMs = performance.now() - t0;
		const cpuMs = processCpuMs(pid) - cpuBefore;
		let json;
		try {
			json = JSON.parse(text);
		} catch {
			json = undefined;
		}
		return { status: response.status, json, text, wallMs, cpuMs };
	}

	/** Activation registers webhooks a moment later: waits until the path answers something but 404. */
	async function waitForWebhook(webhookPath, body, deadlineMs = 60_000) {
		const started = Date.now();
		for (;;) {
			const result = await trigger(webhookPath, body);
			if (result.status !== 404) return result;
			if (Date.now() - started > deadlineMs) throw new Error(`webhook ${webhookPath} still 404 after ${deadlineMs} ms: ${result.text.slice(0, 300)}`);
			await sleep(250);
		}
	}

	async function stop() {
		await server.stop();
		fs.rmSync(folder, { recursive: true, force: true });
	}

	return { server, folder, rest, createCredential, deploy, trigger, waitForWebhook, stop, pid: server.process.pid };
}

module.exports = { startInstance };
