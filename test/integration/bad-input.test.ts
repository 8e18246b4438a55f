// Every kind of bad input fails with a NodeOperationError that names the item and the field,
// and nothing reaches Tilled.
import { NodeOperationError } from 'n8n-workflow';
import { runNode, type TilledCredentialData } from '../harness/n8n';
import { useFakeTilled, type FakeTilled } from '../harness/fake';

type Params = Record<string, unknown>;

let fake: FakeTilled;
let credentials: TilledCredentialData;
useFakeTilled((started) => ({ fake, credentials } = started));

const item = (overrides: Record<string, unknown> = {}) => ({
	name: 'T-shirt',
	currency: 'usd',
	unitAmount: 19.99,
	quantity: 1,
	...overrides,
});
const create = (params: Params): Params => ({
	operation: 'create',
	lineItems: { item: [item()] },
	...params,
});
const withItems = (...items: Array<Record<string, unknown>>) => create({ lineItems: { item: items } });
const withFields = (additionalFields: Params) => create({ additionalFields });
const pairs = (n: number, key = (i: number) => `k${i}`, value = () => 'v') => ({
	pair: Array.from({ length: n }, (_, i) => ({ key: key(i), value: value() })),
});
const json = (value: unknown) =>
	create({ lineItemsInput: 'json', lineItemsJson: typeof value === 'string' ? value : JSON.stringify(value) });
const locator = (operation: string, value: string) => ({
	operation,
	checkoutSessionId: { __rl: true, mode: 'id', value },
});

const cases: Array<[string, Params, RegExp]> = [
	['no line items', create({ lineItems: { item: [] } }), /Line Items has no line items/],
	['more than 100 line items', withItems(...Array.from({ length: 101 }, () => item())), /Line Items has 101 line items; Tilled allows at most 100/],
	['quantity below 0.0001', withItems(item({ quantity: 0.00005 })), /line item 1 › Quantity must be at least 0.0001/],
	['quantity with 5 decimals', withItems(item({ quantity: 1.00001 })), /line item 1 › Quantity may have at most 4 decimals/],
	['unit amount of 0', withItems(item({ unitAmount: 0 })), /line item 1 › Unit Amount must be between 1 and 99,999,999 minor units, got 0/],
	['unit amount above the maximum', withItems(item({ unitAmount: 1_000_000 })), /Unit Amount must be between 1 and 99,999,999 minor units, got 100000000/],
	['unit amount with 3 decimals', withItems(item({ unitAmount: 1.999 })), /Unit Amount has more decimals than USD allows \(2\)/],
	['minor unit amount that is not whole', create({ amountFormat: 'minor', lineItems: { item: [item({ unitAmount: 19.5 })] } }), /Unit Amount must be a whole number of minor units/],
	['unknown currency', withItems(item({ currency: 'btc' })), /line item 1 › Currency must be one of aud, cad/],
	['mixed currencies', withItems(item(), item({ currency: 'eur' })), /line item 2 › Currency is EUR but line item 1 is USD/],
	['empty product name', withItems(item({ name: '  ' })), /line item 1 › Product Name is required and empty/],
	['description over 500 characters', withItems(item({ description: 'd'.repeat(501) })), /line item 1 › Description may have at most 500 characters, has 501/],
	['more than 8 images', withItems(item({ imageUrls: Array.from({ length: 9 }, (_, i) => `https://x.example/${i}.png`).join(',') })), /Image URLs has 9 images; Tilled allows at most 8/],
	['an image that is not a URL', withItems(item({ imageUrls: 'https://x.example/a.png, picture.png' })), /Image URLs › image 2 must be an http\(s\) URL, got "picture.png"/],
	['success URL that is not http(s)', withFields({ successUrl: 'ftp://shop.example/ok' }), /Additional Fields › Success URL must be an http\(s\) URL/],
	['cancel URL that is not a URL', withFields({ cancelUrl: 'shop.example/cart' }), /Additional Fields › Cancel URL must be an http\(s\) URL/],
	['expires-at not a date', withFields({ expiresAt: 'next tuesday' }), /Additional Fields › Expires At must be a date and time/],
	['expires-at in the past', withFields({ expiresAt: '2020-01-01T00:00:00Z' }), /Additional Fields › Expires At must be in the future/],
	['metadata over 50 keys (49 with the marker)', withFields({ metadata: pairs(50) }), /Additional Fields › Metadata may have at most 49 keys \(Tilled allows 50; the node uses 1\), has 50/],
	['metadata key over 40 characters', withFields({ metadata: pairs(1, () => 'k'.repeat(41)) }), /Metadata › pair 1 › Key may have at most 40 characters/],
	['metadata value over 500 characters', withFields({ metadata: pairs(1, undefined, () => 'v'.repeat(501)) }), /Metadata › pair 1 › Value may have at most 500 characters/],
	['metadata using the node marker key', withFields({ metadata: { pair: [{ key: 'n8n_create_id', value: 'x' }] } }), /may not use the key "n8n_create_id"/],
	['payment intent metadata over 50 keys', withFields({ paymentIntentMetadata: pairs(51) }), /Payment Intent Metadata may have at most 50 keys, has 51/],
	['negative platform fee', withFields({ platformFeeAmount: -1 }), /Platform Fee Amount must not be negative/],
	['platform fee with 3 decimals', withFields({ platformFeeAmount: 0.125 }), /Platform Fee Amount has more decimals than USD allows/],
	['no payment method type', create({ paymentMethodTypes: [] }), /Payment Method Types is empty/],
	['customer ID malformed', withFields({ customerId: 'cus 1' }), /Additional Fields › Customer ID "cus 1" is not a Tilled ID/],
	['customer email malformed', withFields({ customerEmail: 'ada at example' }), /Customer Email "ada at example" is not an email address/],
	['JSON line items not JSON', json('[{"name": "x",'), /Line Items \(JSON\) is not valid JSON/],
	['JSON line items not an array', json({ name: 'x' }), /Line Items \(JSON\) must be an array of line items, got an object/],
	['JSON line item not an object', json(['shirt']), /Line Items \(JSON\) › line item 1 must be an object, got "shirt"/],
	['JSON line item with an unknown key', json([{ ...item(), price: 5 }]), /line item 1 has unknown key "price"; allowed: name, description, images, currency, unitAmount, quantity/],
	['JSON line item without unit amount', json([{ name: 'x', currency: 'usd', quantity: 1 }]), /Line Items \(JSON\) › line item 1 › Unit Amount must be a number, got nothing/],
	['JSON line items empty', json([]), /Line Items \(JSON\) has no line items/],
	['get with an empty ID', locator('get', ''), /Checkout Session is empty/],
	['get with a malformed ID', locator('get', 'cs_1/expire'), /Checkout Session "cs_1\/expire" is not a Tilled ID/],
	['expire with a malformed ID', locator('expire', '../../v1'), /Checkout Session "..\/..\/v1" is not a Tilled ID/],
	['list with a malformed payment intent ID', { operation: 'getAll', filters: { paymentIntentId: 'pi 1' } }, /Filters › Payment Intent ID "pi 1" is not a Tilled ID/],
	['list with a malformed customer ID', { operation: 'getAll', filters: { customerId: 'cus_1&limit=5' } }, /Filters › Customer ID "cus_1&limit=5" is not a Tilled ID/],
	['list with an empty metadata key', { operation: 'getAll', filters: { metadata: { pair: [{ key: '', value: 'x' }] } } }, /Filters › Metadata › pair 1 › Key is required and empty/],
	['expires-at a number', withFields({ expiresAt: '={{ 5 }}' }), /Expires At must be a date and time: text such as 2026-12-01T10:00:00 .*, a Date, or a Luxon DateTime .*; got 5$/],
	['expires-at an object', withFields({ expiresAt: '={{ { at: "tomorrow" } }}' }), /Expires At must be a date and time: .*; got an object$/],
	['expires-at an invalid Date', withFields({ expiresAt: '={{ new Date("soon") }}' }), /Expires At must be a date and time: .*; got an invalid Date$/],
	['expires-at a Date in the past', withFields({ expiresAt: '={{ new Date(0) }}' }), /Expires At must be in the future, got 1970-01-01T00:00:00.000Z/],
	['card_present (a hosted page takes no in-person payment)', create({ paymentMethodTypes: ['card', 'card_present'] }), /Payment Method Types contains "card_present"; allowed: card, ach_debit, eft_debit/],
	// An expression that gives nothing says so, instead of "got nothing".
	['JSON line items from a misspelt $JSON', create({ lineItemsInput: 'json', lineItemsJson: '={{ $JSON.lines }}' }), /^Item 0: Line Items \(JSON\) is required, but its expression gave no value: \{\{ \$JSON\.lines \}\}\. Check the names in it against the input item \(n8n's names are case-sensitive: \$json, not \$JSON\)$/],
	['a form unit amount from an expression that gives nothing', withItems(item({ unitAmount: '={{ $json.price }}' })), /^Item 0: Line Items › line item 1 › Unit Amount is required, but its expression gave no value: \{\{ \$json\.price \}\}/],
	['a product name from an expression that gives nothing', withItems(item({ name: '={{ $json.title }}' })), /^Item 0: Line Items › line item 1 › Product Name is required, but its expression gave no value: \{\{ \$json\.title \}\}/],
	['a checkout session ID from an expression that gives nothing', locator('get', '={{ $json.session_id }}'), /^Item 0: Checkout Session is required, but its expression gave no value: \{\{ \$json\.session_id \}\}/],
	['list with a limit of 0', { operation: 'getAll', returnAll: false, limit: 0 }, /Limit must be a whole number of at least 1, got 0/],
];

test.each(cases)('%s: named error, nothing sent', async (_name, parameters, expected) => {
	const error = await runNode({ credentials, parameters, items: [{}, {}] }).catch((e) => e);
	expect(error).toBeInstanceOf(NodeOperationError);
	expect(error.message).toMatch(/^Item 0: /);
	expect(error.message).toMatch(expected);
	expect(error.description).toMatch(/^Nothing was sent to Tilled for item 0/);
	expect(fake.requests).toHaveLength(0);
});

test('a JSON mapping with a misspelt field names the line item and the key the expression left empty', async () => {
	const error = await runNode({
		credentials,
		items: [{ lines: [{ title: 'Mug', price: 12.5, qty: 1 }] }],
		parameters: create({
			lineItemsInput: 'json',
			lineItemsJson: '={{ $json.lines.map(l => ({ name: l.title, currency: "usd", unitAmount: l.prize, quantity: l.qty })) }}',
		}),
	}).catch((e) => e);
	expect(error.message).toMatch(/^Item 0: Line Items \(JSON\) › line item 1 › unitAmount is required, but the expression gave no value for it: \{\{ \$json\.lines\.map/);
	expect(fake.requests).toHaveLength(0);
});

test('with continueOnFail every bad item gets its own error, naming its index', async () => {
	const { json: out } = await runNode({
		credentials,
		continueOnFail: true,
		items: [{ q: 1 }, { q: 0 }, { q: 2 }, { q: -3 }],
		parameters: create({ lineItems: { item: [item({ quantity: '={{ $json.q }}' })] } }),
	});
	expect(out.map((o) => o.error ?? o.status)).toEqual([
		'open',
		'Item 1: Line Items › line item 1 › Quantity must be at least 0.0001, got 0',
		'open',
		'Item 3: Line Items › line item 1 › Quantity must be at least 0.0001, got -3',
	]);
	expect(fake.requests).toHaveLength(2);
});
