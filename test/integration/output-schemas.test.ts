// The output schemas n8n's editor asks for (GET /schemas/<node type>/1.0.0/<operation>.json), found
// by n8n-core's own lookup in the node's folder, standard JSON Schema, in step with the fake's
// schema data, and true of what each operation really outputs.
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { loadOutputSchema, resolveOutputSchemaPath } from 'n8n-core';
import { runNode } from '../harness/n8n';
import { useFakeTilled, type FakeTilled } from '../harness/fake';
import type { TilledCredentialData } from '../harness/n8n';

const { run } = require('../../scripts/generate-output-schemas');

let fake: FakeTilled;
let credentials: TilledCredentialData;
useFakeTilled((started) => ({ fake, credentials } = started));

const NODE_DIR = path.join(__dirname, '..', '..', 'nodes', 'Tilled');
const OPERATIONS = ['create', 'get', 'expire', 'getAll'];
const oneShirt = { item: [{ name: 'T-shirt', currency: 'usd', unitAmount: 19.99, quantity: 2 }] };

function schemaOf(operation: string): Record<string, unknown> {
	const schema = loadOutputSchema({ nodeDir: NODE_DIR, version: 1, operation, versionFallback: true });
	if (!schema) throw new Error(`n8n-core finds no output schema for ${operation}`);
	return schema;
}

function validate(operation: string, items: unknown[]) {
	const ajv = new Ajv({ allErrors: true, strict: true });
	addFormats(ajv);
	const check = ajv.compile(schemaOf(operation));
	const problems = items.flatMap((item) => (check(item) ? [] : [ajv.errorsText(check.errors)]));
	expect({ operation, problems }).toEqual({ operation, problems: [] });
}

test('n8n-core finds a schema for each operation at the path the editor asks for', () => {
	for (const operation of OPERATIONS) {
		expect(resolveOutputSchemaPath({ nodeDir: NODE_DIR, version: 1, operation })).toBe(
			path.join(NODE_DIR, '__schema__', 'v1.0.0', `${operation}.json`),
		);
		expect(schemaOf(operation)).toMatchObject({ type: 'object', required: expect.arrayContaining(['id', 'status', 'url']) });
	}
	expect((schemaOf('create').properties as Record<string, unknown>).alreadyExisted).toEqual(
		expect.objectContaining({ type: 'boolean' }),
	);
});

test('the files are what scripts/generate-output-schemas.js makes from the fake schema data', () => {
	expect(run(true)).toEqual([]);
});

test("every operation's real output fits its schema", async () => {
	const created = await runNode({ credentials, parameters: { operation: 'create', lineItems: oneShirt, options: { idempotencyKey: 'order-schema' } } });
	validate('create', created.json);
	const id = created.json[0].id as string;
	const byId = (operation: string) => ({ operation, checkoutSessionId: { __rl: true, mode: 'id', value: id } });
	validate('get', (await runNode({ credentials, parameters: byId('get') })).json);
	fake.sessions.seedSessions(3);
	validate('getAll', (await runNode({ credentials, parameters: { operation: 'getAll', returnAll: true } })).json);
	validate('expire', (await runNode({ credentials, parameters: byId('expire') })).json);
});

test('a schema refuses an output that is not a checkout session', () => {
	const ajv = new Ajv({ allErrors: true, strict: true });
	addFormats(ajv);
	const check = ajv.compile(schemaOf('get'));
	expect(check({ id: 'cs_1', status: 'paid' })).toBe(false);
});
