// Every expression example a user can copy — from the node's descriptions and hints, and from the
// README and the user docs it links (USER_DOCS) — pasted into the parameter it is meant for and run through n8n-core's real execution
// context (real n8n-workflow expressions). A new example without a case here fails the first test.
// The workflows in examples/ are run whole in real n8n by the end-to-end suite.
import fs from 'node:fs';
import path from 'node:path';
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { runNode, type TilledCredentialData } from '../harness/n8n';
import { useFakeTilled, type FakeTilled } from '../harness/fake';
import { TilledCheckoutSessions } from '../../nodes/Tilled/TilledCheckoutSessions.node';

let fake: FakeTilled;
let credentials: TilledCredentialData;
useFakeTilled((started) => ({ fake, credentials } = started));

const EXPRESSION = /\{\{.*?\}\}/g;
const oneShirt = { item: [{ name: 'T-shirt', currency: 'usd', unitAmount: 19.99, quantity: 1 }] };

function nodeExamples(properties: INodeProperties[], found = new Set<string>()): Set<string> {
	for (const property of properties) {
		for (const text of [property.description, property.hint, property.placeholder]) {
			for (const match of String(text ?? '').match(EXPRESSION) ?? []) found.add(match);
		}
		for (const option of (property.options ?? []) as Array<Partial<INodeProperties> & { values?: INodeProperties[] }>) {
			if ('type' in option || 'values' in option) nodeExamples(option.values ?? [option as INodeProperties], found);
			else for (const match of String(option.description ?? '').match(EXPRESSION) ?? []) found.add(match);
		}
	}
	return found;
}

// docs/performance.md is left out: it describes how n8n's HTTP Request node was set up, not this node.
const USER_DOCS = ['README.md', 'docs/checkout-sessions.md', 'docs/reliability.md', 'docs/queue-mode.md'];

function userDocs(): string {
	return USER_DOCS.map((file) => fs.readFileSync(path.join(__dirname, '..', '..', file), 'utf8')).join('\n');
}

function readmeExamples(): Set<string> {
	return new Set(userDocs().replace(/\n\s*/g, ' ').match(EXPRESSION) ?? []);
}

interface ExampleCase {
	/** Where the example goes, and the input item it expects. */
	parameters: (expression: string) => Record<string, unknown>;
	item: IDataObject;
	check: (outcome: { sent?: any; error?: Error }) => void;
}

const CASES: Record<string, ExampleCase> = {
	'{{ $json.lines.map(l => ({ name: l.title, currency: "usd", unitAmount: l.price, quantity: l.qty })) }}': {
		parameters: (expression) => ({ operation: 'create', lineItemsInput: 'json', lineItemsJson: `=${expression}` }),
		item: { lines: [{ title: 'Mug', price: 12.5, qty: 2 }, { title: 'Spoon', price: 1, qty: 1 }] },
		check: ({ sent, error }) => {
			expect(error).toBeUndefined();
			expect(sent.line_items.map((l: any) => [l.price_data.product_data.name, l.price_data.unit_amount, l.quantity])).toEqual([
				['Mug', 1250, 2],
				['Spoon', 100, 1],
			]);
		},
	},
	'{{ $json.order_id }}': {
		parameters: (expression) => ({ operation: 'create', lineItems: oneShirt, options: { idempotencyKey: `=${expression}` } }),
		item: { order_id: '1001' },
		check: ({ sent, error }) => {
			expect(error).toBeUndefined();
			expect(sent.metadata.n8n_idempotency_key).toBe('1001');
		},
	},
	'{{ $now.plus({ days: 1 }) }}': {
		parameters: (expression) => ({ operation: 'create', lineItems: oneShirt, additionalFields: { expiresAt: `=${expression}` } }),
		item: {},
		check: ({ sent, error }) => {
			expect(error).toBeUndefined();
			expect(Math.abs(Date.parse(sent.expires_at) - (Date.now() + 86_400_000))).toBeLessThan(600_000);
		},
	},
	// The docs show what a misspelt $JSON gives: this must be the error the node really gives.
	'{{ $JSON.lines }}': {
		parameters: (expression) => ({ operation: 'create', lineItemsInput: 'json', lineItemsJson: `=${expression}` }),
		item: { lines: [{ title: 'Mug', price: 12.5, qty: 2 }] },
		check: ({ sent, error }) => {
			expect(sent).toBeUndefined();
			expect(userDocs().replace(/\n\s*/g, ' ')).toContain(error!.message);
		},
	},
};

test('every expression example of the node and the README has a case here, and no case is stale', () => {
	const examples = new Set([...nodeExamples(new TilledCheckoutSessions().description.properties), ...readmeExamples()]);
	expect([...examples].sort()).toEqual(Object.keys(CASES).sort());
	// The node's own examples include the Line Items mapping and the Expires At one.
	expect(nodeExamples(new TilledCheckoutSessions().description.properties).size).toBeGreaterThanOrEqual(2);
});

test.each(Object.keys(CASES))('pasted as shown and run: %s', async (expression) => {
	const example = CASES[expression];
	let error: Error | undefined;
	await runNode({ credentials, items: [example.item], parameters: example.parameters(expression) }).catch((e) => (error = e));
	const create = fake.requests.find((r) => r.method === 'POST');
	example.check({ sent: create?.body, error });
});

// The example workflows whose trigger needs a running n8n (a Webhook, a Schedule Trigger): each
// Tilled node runs here with its parameters exactly as in the file, fed the items the node before
// it gives. test/e2e/suite.js checks that every example is run somewhere.
interface FakePayments {
	createPaymentIntent(params: IDataObject): IDataObject & { id: string };
	createPayout(params?: IDataObject): IDataObject & { id: string };
	paymentIntent(id: string): IDataObject;
	refundCount(paymentIntentId: string): number;
}

const REFUND_ORDER = path.join(__dirname, '..', '..', 'examples', 'refund-order.json');
const DAILY_PAYOUT_REPORT = path.join(__dirname, '..', '..', 'examples', 'daily-payout-report.json');

function exampleNode(file: string, name: string): Record<string, unknown> {
	const workflow = JSON.parse(fs.readFileSync(file, 'utf8'));
	const node = workflow.nodes.find((n: { name: string }) => n.name === name);
	expect(node?.type).toBe('n8n-nodes-tilled.tilled');
	return node.parameters;
}

describe('example workflows run against the fake', () => {
	const payments = () => (fake as unknown as { payments: FakePayments }).payments;

	test('"refund an order": the shop\'s request refunds its amount; the same order sent again refunds nothing more', async () => {
		const parameters = exampleNode(REFUND_ORDER, 'Refund the payment');
		const intent = payments().createPaymentIntent({ amount: 5000, currency: 'usd' });
		// What n8n's Webhook node gives for the shop's POST: the body under `body`.
		const request = { headers: {}, params: {}, query: {}, body: { order_id: '1001', payment_intent_id: intent.id, amount: 12.5 } };
		const first = await runNode({ node: 'tilled', credentials, parameters, items: [request] });
		expect(first.json).toHaveLength(1);
		expect(first.json[0]).toMatchObject({ payment_intent_id: intent.id, amount: 1250, alreadyExisted: false });
		const again = await runNode({ node: 'tilled', credentials, parameters, items: [request] });
		expect(again.json[0]).toMatchObject({ id: first.json[0].id, amount: 1250, alreadyExisted: true });
		expect(payments().refundCount(intent.id)).toBe(1);
		expect(payments().paymentIntent(intent.id).amount_received).toBe(5000);
		expect(fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds')).toHaveLength(1);
	});

	test('"refund an order" without an amount refunds all that is left', async () => {
		const parameters = exampleNode(REFUND_ORDER, 'Refund the payment');
		const intent = payments().createPaymentIntent({ amount: 3000, currency: 'usd' });
		const request = { headers: {}, params: {}, query: {}, body: { order_id: '1002', payment_intent_id: intent.id } };
		const refund = await runNode({ node: 'tilled', credentials, parameters, items: [request] });
		expect(refund.json[0]).toMatchObject({ payment_intent_id: intent.id, amount: 3000 });
		expect(payments().refundCount(intent.id)).toBe(1);
	});

	test('"daily payout report": the last day\'s payouts, then the balance transactions each paid out', async () => {
		const intent = payments().createPaymentIntent({ amount: 2000, currency: 'usd' });
		const payout = payments().createPayout();
		const payouts = await runNode({ node: 'tilled', credentials, parameters: exampleNode(DAILY_PAYOUT_REPORT, "Last day's payouts"), items: [{}] });
		expect(payouts.json.map((p) => p.id)).toEqual([payout.id]);
		const listed = fake.requests.find((r) => r.path === '/v1/payouts')!;
		// A day back from the run ($now is read once per expression, a few milliseconds apart).
		const window = Date.parse(listed.query.created_at_lte) - Date.parse(listed.query.created_at_gte);
		expect(window).toBeGreaterThanOrEqual(86_400_000);
		expect(window).toBeLessThan(86_460_000);
		const transactions = await runNode({
			node: 'tilled',
			credentials,
			parameters: exampleNode(DAILY_PAYOUT_REPORT, 'What each payout paid out'),
			items: payouts.json,
		});
		expect(transactions.json.length).toBeGreaterThan(0);
		expect(transactions.json.every((t) => t.payout_id === payout.id)).toBe(true);
		expect(transactions.json.map((t) => t.source_id)).toContain((payments().paymentIntent(intent.id).charges as IDataObject[])[0].id);
		expect(transactions.items.every((item) => item.pairedItem !== undefined)).toBe(true);
	});
});
