'use strict';

/**
 * Playwright helpers for n8n's editor (2.41), located by the editor's data-test-id attributes.
 * Every helper waits with the page's default timeout and throws when the editor does not show
 * what it looks for.
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Flags that keep Debian's chromium quiet and offline (no background connections). */
const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

const tid = (id) => `[data-test-id="${id}"]`;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Chromium with a fresh user data dir; `close()` also removes that folder. The page may reach
 * loopback servers only: other http(s) requests (n8n's editor asks registry.npmjs.org about
 * community packages) are aborted and listed in `blocked`, so the test stays offline.
 */
async function launchBrowser({ viewport }) {
	if (!fs.existsSync(CHROMIUM)) {
		throw new Error(`${CHROMIUM} is missing: run test/browser/ensure-chromium.sh (npm run test:browser does)`);
	}
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-tilled-chromium-'));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: CHROMIUM,
		headless: true,
		args: CHROMIUM_ARGS,
		viewport,
	});
	const blocked = [];
	await context.route(
		(url) => /^https?:$/.test(url.protocol) && !LOOPBACK_HOSTS.has(url.hostname),
		(route) => {
			blocked.push(`${route.request().method()} ${route.request().url()}`);
			return route.abort('blockedbyclient');
		},
	);
	const page = context.pages()[0] ?? (await context.newPage());
	return {
		context,
		page,
		blocked,
		async close() {
			try {
				await context.close();
			} finally {
				fs.rmSync(userDataDir, { recursive: true, force: true });
			}
		},
	};
}

/** The label text of a parameter item: its title, without a trailing required marker. */
function cleanLabel(text) {
	return (text ?? '').replace(/\s+/g, ' ').replace(/\s*\*$/, '').trim();
}

/**
 * The visible parameter items directly below `root` (the NDV's parameter list, or one parameter
 * item for its children): `{ name, label, hint }` each, `name` being the parameter's name (from
 * the label's `for`), `hint` whether the label shows the description's info icon. The credential
 * select comes back as `{ name: '(credential)', label }`. An item without a label comes back
 * with `name: null`, so it shows up in comparisons.
 */
async function childParameters(root) {
	return root.evaluate((element) => {
		const isRootItem = element.getAttribute('data-test-id') === 'parameter-item';
		const items = [...element.querySelectorAll('[data-test-id="parameter-item"]')].filter((item) => {
			if (item.getClientRects().length === 0) return false;
			const owner = item.parentElement.closest('[data-test-id="parameter-item"]');
			return isRootItem ? owner === element : owner === null || !element.contains(owner);
		});
		const entries = [];
		for (const item of items) {
			// n8n renders the credential select inside the first parameter's item.
			const credential = item.querySelector('[data-test-id="node-credentials-slot"] [data-test-id="credentials-label"] label');
			if (credential) entries.push({ name: '(credential)', label: credential.querySelector('span')?.textContent ?? '', hint: false });
			const label = [...item.querySelectorAll('[data-test-id="input-label"] label')].find(
				(candidate) => candidate.closest('[data-test-id="parameter-item"]') === item,
			);
			if (!label) {
				if (!credential) entries.push({ name: null, label: '', hint: false });
				continue;
			}
			const titleRow = label.firstElementChild;
			entries.push({
				name: label.getAttribute('for'),
				label: label.querySelector('span')?.textContent ?? '',
				// The info icon sits next to the title when the parameter has a description.
				hint: Boolean(titleRow && titleRow.children.length > 1 && titleRow.lastElementChild.querySelector('svg')),
			});
		}
		return entries;
	}).then((items) => items.map((item) => ({ ...item, label: cleanLabel(item.label) })));
}

/** The NDV's parameter list (Parameters tab). */
function parameterList(page) {
	return page.locator(`${tid('ndv')} ${tid('node-parameters')}`);
}

/**
 * The parameter item of a parameter, by name: the nearest item around its label (so a collection
 * holding it is not taken for it). `within` narrows the search (default: the NDV's parameters).
 */
function parameterItem(page, name, within) {
	const scope = within ?? parameterList(page);
	return scope
		.locator(`label[for="${name}"]`)
		.first()
		.locator('xpath=ancestor::*[@data-test-id="parameter-item"][1]');
}

/** Names of the visible options of an open dropdown (first line of each option). */
async function openDropdownOptions(page) {
	const options = page.locator('[role="option"]:visible');
	await options.first().waitFor();
	const texts = await options.allInnerTexts();
	return texts.map((text) => cleanLabel(text.split('\n')[0]));
}

/** Closes an open dropdown with Escape, and checks the NDV stayed open. */
async function closeDropdown(page) {
	await page.keyboard.press('Escape');
	await page.locator('[role="option"]:visible').first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => undefined);
	await page.locator(tid('ndv')).waitFor({ state: 'visible', timeout: 5000 });
}

/** Opens the dropdown of `trigger` and returns its option names, then closes it. */
async function dropdownOptionNames(page, trigger) {
	await trigger.click();
	const names = await openDropdownOptions(page);
	await closeDropdown(page);
	return names;
}

/** Clicks the visible dropdown option whose name (first line) is exactly `name`. */
async function pickOption(page, name) {
	const names = await openDropdownOptions(page);
	const index = names.indexOf(name);
	if (index === -1) throw new Error(`dropdown has no option "${name}"; it offers: ${names.join(', ')}`);
	await page.locator('[role="option"]:visible').nth(index).click();
}

/** Sets an options parameter through its dropdown. */
async function selectParameterOption(page, parameterName, optionName) {
	await page.locator(tid(`parameter-input-${parameterName}`)).first().click();
	await pickOption(page, optionName);
	await page.locator('[role="option"]:visible').first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => undefined);
}

/** Types into a number input the way a user does (select all, type, leave the field). */
async function typeNumber(input, value) {
	await input.click();
	await input.press('ControlOrMeta+a');
	await input.pressSequentially(String(value));
	await input.press('Tab');
}

/**
 * Calls `read` until `done(value)` holds or `timeoutMs` passes; returns the last value either
 * way, for the caller's assertion to report (the editor animates panels in and out).
 */
async function settle(read, done, timeoutMs = 10_000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await read();
		if (done(value) || Date.now() > deadline) return value;
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

/**
 * Waits until the output panel shows a successful run; otherwise throws with what the panel
 * shows instead.
 */
async function waitForSuccessfulRun(output, timeoutMs) {
	try {
		await output.locator(tid('node-run-status-success')).waitFor({ timeout: timeoutMs });
	} catch (error) {
		throw new Error(`the run did not succeed; the output panel shows:\n${await output.innerText().catch(() => '?')}\n(${error.message})`);
	}
}

function parseJson(text) {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/**
 * The items the output panel shows, read from its JSON view (switched to here). The JSON view
 * renders each token in its own element: its text content is the JSON (indented with no-break
 * spaces).
 */
async function outputItems(output) {
	await output.locator(tid('radio-button-json')).click();
	const shown = await settle(
		() => output.locator(tid('ndv-data-container')).evaluate((element) => element.textContent.replace(/\u00a0/g, ' ')),
		(text) => parseJson(text) !== undefined,
	);
	const items = parseJson(shown);
	if (items === undefined) throw new Error(`the output panel's JSON view does not hold JSON:\n${shown}`);
	return items;
}

/**
 * Dismisses whatever n8n shows after the owner setup before the canvas (the assistant's intro,
 * a survey or another modal), when present.
 */
async function dismissOnboarding(page) {
	const later = page.locator(tid('assistant-set-up-later'));
	if (await later.isVisible()) await later.click();
	for (let round = 0; round < 3; round++) {
		const close = page
			.locator('.el-dialog:visible, [role="dialog"]:visible')
			.locator('button[aria-label="Close this dialog"], .el-dialog__headerbtn, [data-test-id="close-button"]')
			.first();
		if (!(await close.isVisible().catch(() => false))) break;
		await close.click();
		await page.waitForTimeout(300);
	}
}

module.exports = {
	CHROMIUM,
	CHROMIUM_ARGS,
	tid,
	launchBrowser,
	cleanLabel,
	childParameters,
	parameterList,
	parameterItem,
	openDropdownOptions,
	closeDropdown,
	dropdownOptionNames,
	pickOption,
	selectParameterOption,
	typeNumber,
	settle,
	waitForSuccessfulRun,
	outputItems,
	dismissOnboarding,
};
