#!/usr/bin/env node
'use strict';
/**
 * Writes the Tilled Checkout Sessions node's output schemas, which n8n's editor asks for when the
 * output panel opens (GET /schemas/<node type>/<version>/<operation>.json, served from the node's
 * folder: __schema__/v1.0.0/<operation>.json). They feed the panel's schema view before a run.
 * Generated from the fake Tilled's schema data (CheckoutSession, $refs inlined), so they say what
 * the fake checks every answer against; test/integration/output-schemas.test.ts keeps them in step.
 *
 *   node scripts/generate-output-schemas.js           # write
 *   node scripts/generate-output-schemas.js --check   # exit 1 if a file differs
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const SCHEMA_DIR = path.join(ROOT, 'nodes', 'Tilled', '__schema__', 'v1.0.0');
const SOURCE = require('../test/fake-tilled/checkout-sessions.schema.json');

/** The definition with every "#/$defs/X" replaced by X itself. */
function inline(node) {
	if (Array.isArray(node)) return node.map(inline);
	if (node === null || typeof node !== 'object') return node;
	if (typeof node.$ref === 'string') {
		const name = node.$ref.replace('#/$defs/', '');
		if (!SOURCE.$defs[name]) throw new Error(`unknown $ref ${node.$ref}`);
		return inline(SOURCE.$defs[name]);
	}
	// The fake's own keyword (maxDecimalPlaces) is not JSON Schema: n8n's schema view knows none.
	return Object.fromEntries(
		Object.entries(node)
			.filter(([key]) => key !== 'maxDecimalPlaces')
			.map(([key, value]) => [key, inline(value)]),
	);
}

/** Output schema of each operation: one output item is one checkout session. */
function outputSchemas() {
	const session = inline(SOURCE.$defs.CheckoutSession);
	const created = {
		...session,
		properties: {
			...session.properties,
			alreadyExisted: {
				type: 'boolean',
				description: 'Only with an Idempotency Key: true when the session under the key was returned instead of a new one',
			},
		},
	};
	return { create: created, get: session, expire: session, getAll: session };
}

function render(schema) {
	return `${JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...schema }, null, 2)}\n`;
}

function run(check) {
	const stale = [];
	for (const [operation, schema] of Object.entries(outputSchemas())) {
		const file = path.join(SCHEMA_DIR, `${operation}.json`);
		const text = render(schema);
		if (check) {
			if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) stale.push(path.relative(ROOT, file));
		} else {
			fs.mkdirSync(SCHEMA_DIR, { recursive: true });
			fs.writeFileSync(file, text);
		}
	}
	return stale;
}

module.exports = { outputSchemas, render, run, SCHEMA_DIR };

if (require.main === module) {
	const stale = run(process.argv.includes('--check'));
	for (const file of stale) console.error(`${file} is not what scripts/generate-output-schemas.js writes`);
	process.exit(stale.length ? 1 : 0);
}
