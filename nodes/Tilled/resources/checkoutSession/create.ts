import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { toMinorUnits, type AmountFormat } from '../../shared/amounts';
import { EXPRESSION_ADVICE, InvalidParameter, rawExpression, readParameter, requireExpressionValue } from '../../shared/errors';
import { CURRENCY_DECIMALS, LIMITS, PAYMENT_METHOD_TYPES } from '../../shared/limits';
import { metadataFromPairs, metadataProperty, type Metadata } from '../../shared/metadata';
import { listQuery, tilledApiRequest, type TransportSettings } from '../../transport';
import {
	checkCurrency,
	checkFutureDateTime,
	checkHttpUrl,
	checkId,
	checkQuantity,
	checkText,
	describe,
} from '../../shared/validation';
import { attemptMarker, findByMetadata } from '../common';
import { CHECKOUT_SESSIONS } from './getMany';
import { showFor, type TilledOperation } from '../types';

/** Metadata key that marks each create attempt, so an unanswered create can be found again. */
export const CREATE_MARKER_FIELD = 'n8n_create_id';
/** Metadata key holding the user's Idempotency Key option. */
export const IDEMPOTENCY_METADATA_FIELD = 'n8n_idempotency_key';

const show = showFor('create');

// In a hint: n8n's lint rule wants "JSON" upper-case in descriptions, which would break $json.
export const LINE_ITEMS_EXPRESSION_HINT =
	'Map an order\'s lines with an expression such as {{ $json.lines.map(l => ({ name: l.title, currency: "usd", unitAmount: l.price, quantity: l.qty })) }}';

const currencyOptions = Object.keys(CURRENCY_DECIMALS).map((code) => ({
	name: code.toUpperCase(),
	value: code,
}));

// In the order a person fills a line in, required fields first. n8n's lint sorts a fixedCollection's
// inline values alphabetically; like n8n's own shared field lists, a named list keeps its order.
const lineItemFields: INodeProperties[] = [
	{
		displayName: 'Product Name',
		name: 'name',
		type: 'string',
		default: '',
		required: true,
		description: 'Name shown to the customer on the checkout page',
	},
	{
		displayName: 'Unit Amount',
		name: 'unitAmount',
		type: 'number',
		default: 1,
		typeOptions: { minValue: 0.01 },
		description:
			'Price of one unit, written as chosen in "Amounts In" (19.99, or 1999 in minor units)',
	},
	{
		displayName: 'Quantity',
		name: 'quantity',
		type: 'number',
		default: 1,
		typeOptions: { minValue: LIMITS.minQuantity },
		description: `How many units, at least ${LIMITS.minQuantity}, at most ${LIMITS.quantityDecimals} decimals`,
	},
	{
		displayName: 'Currency',
		name: 'currency',
		type: 'options',
		options: currencyOptions,
		default: 'usd',
		description: 'Currency of the price; every line item of a session must use the same one',
	},
	{
		displayName: 'Description',
		name: 'description',
		type: 'string',
		default: '',
		description: `Product description shown on the checkout page, at most ${LIMITS.descriptionLength} characters`,
	},
	{
		displayName: 'Image URLs',
		name: 'imageUrls',
		type: 'string',
		default: '',
		placeholder: 'https://example.com/shirt.png',
		description: `Product image URLs (http or https), separated by commas, at most ${LIMITS.images}`,
	},
];

export const createProperties: INodeProperties[] = [
	{
		displayName: 'Amounts In',
		name: 'amountFormat',
		type: 'options',
		displayOptions: show,
		options: [
			{
				name: 'Decimal Amounts (19.99)',
				value: 'decimal',
				description: 'Enter prices as people write them; the node converts to minor units per currency (19.99 USD → 1999, 500 JPY → 500)',
			},
			{
				name: 'Minor Units (1999)',
				value: 'minor',
				description: 'Enter prices as Tilled takes them: whole cents (or yen), e.g. 1999 for 19.99 USD',
			},
		],
		default: 'decimal',
		description: 'How the unit amounts and the platform fee are written',
	},
	{
		displayName: 'Line Items Input',
		name: 'lineItemsInput',
		type: 'options',
		displayOptions: show,
		options: [
			{ name: 'Using Fields Below', value: 'fields', description: 'Enter each line item in the form' },
			{
				name: 'Using JSON',
				value: 'json',
				description: 'Map an array, such as the lines of an order, to the line items',
			},
		],
		default: 'fields',
		description: 'Whether to enter the line items one by one or as a JSON array',
	},
	{
		displayName: 'Line Items',
		name: 'lineItems',
		type: 'fixedCollection',
		placeholder: 'Add Line Item',
		required: true,
		typeOptions: { multipleValues: true, sortable: true },
		displayOptions: { show: { operation: ['create'], lineItemsInput: ['fields'] } },
		default: { item: [{ name: '', currency: 'usd', unitAmount: 1, quantity: 1 }] },
		description: `What the customer pays for: 1 to ${LIMITS.lineItems} line items, all in one currency`,
		options: [
			{
				displayName: 'Line Item',
				name: 'item',
				values: lineItemFields,
			},
		],
	},
	{
		displayName: 'Line Items (JSON)',
		name: 'lineItemsJson',
		type: 'json',
		required: true,
		displayOptions: { show: { operation: ['create'], lineItemsInput: ['json'] } },
		default: '[\n  {\n    "name": "T-shirt",\n    "currency": "usd",\n    "unitAmount": 19.99,\n    "quantity": 2\n  }\n]',
		description:
			'An array of line items, each {"name", "currency", "unitAmount", "quantity", optional "description" and "images" (array of URLs)}; unitAmount is written as chosen in "Amounts In"',
		hint: LINE_ITEMS_EXPRESSION_HINT,
	},
	{
		displayName: 'Payment Method Types',
		name: 'paymentMethodTypes',
		type: 'multiOptions',
		required: true,
		displayOptions: show,
		options: [
			{ name: 'ACH Debit', value: 'ach_debit', description: 'US bank account debit' },
			{ name: 'Card', value: 'card', description: 'Credit and debit cards' },
			{ name: 'EFT Debit', value: 'eft_debit', description: 'Canadian bank account debit' },
		],
		default: ['card'],
		description: 'Which payment methods the customer may use on the checkout page',
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Cancel URL',
				name: 'cancelUrl',
				type: 'string',
				default: '',
				placeholder: 'https://example.com/cart',
				description: 'Where the customer goes when they leave the checkout page without paying',
			},
			{
				displayName: 'Customer Email',
				name: 'customerEmail',
				type: 'string',
				placeholder: 'name@email.com',
				default: '',
				description: 'Prefills the email field on the checkout page',
			},
			{
				displayName: 'Customer ID',
				name: 'customerId',
				type: 'string',
				default: '',
				placeholder: 'cus_…',
				description: 'ID of an existing Tilled customer to attach the payment to',
			},
			{
				displayName: 'Expires At',
				name: 'expiresAt',
				type: 'dateTime',
				default: '',
				description:
					"When the checkout page stops accepting payment (in the workflow's time zone unless the value has an offset); must be in the future",
				hint: 'From an expression: a date-time text, a Date, or a Luxon DateTime such as {{ $now.plus({ days: 1 }) }}',
			},
			{
				...metadataProperty({
					displayName: 'Metadata',
					name: 'metadata',
					description: `Your own key/value pairs stored on the session (at most ${LIMITS.metadataKeys} keys including the node's own marker), e.g. order_id`,
				}),
			},
			{
				...metadataProperty({
					displayName: 'Payment Intent Metadata',
					name: 'paymentIntentMetadata',
					description: 'Key/value pairs stored on the payment that the session creates',
				}),
			},
			{
				displayName: 'Platform Fee Amount',
				name: 'platformFeeAmount',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0 },
				description:
					'Fee kept by the platform (partner) account, in the session\'s currency and written as chosen in "Amounts In"',
			},
			{
				displayName: 'Success URL',
				name: 'successUrl',
				type: 'string',
				default: '',
				placeholder: 'https://example.com/thanks',
				description: 'Where the customer goes after paying; without it Tilled shows a receipt',
			},
		],
	},
];

interface LineItemInput {
	name?: unknown;
	description?: unknown;
	images?: unknown;
	imageUrls?: unknown;
	currency?: unknown;
	unitAmount?: unknown;
	quantity?: unknown;
}

const JSON_LINE_ITEM_KEYS = new Set(['name', 'description', 'images', 'currency', 'unitAmount', 'quantity']);

/** Builds Tilled's line_items from the form or JSON rows, checking every limit. */
export function buildLineItems(rows: LineItemInput[], format: AmountFormat, field: string): IDataObject[] {
	if (rows.length === 0) throw new InvalidParameter(field, 'has no line items: add at least one');
	if (rows.length > LIMITS.lineItems) {
		throw new InvalidParameter(field, `has ${rows.length} line items; Tilled allows at most ${LIMITS.lineItems}`);
	}
	let sessionCurrency: string | undefined;
	return rows.map((row, index) => {
		const where = `${field} › line item ${index + 1}`;
		const name = checkText(row.name, `${where} › Product Name`, { required: true }) as string;
		const description = checkText(row.description, `${where} › Description`, {
			required: false,
			maxLength: LIMITS.descriptionLength,
		});
		const images = imageList(row.images ?? row.imageUrls, `${where} › Image URLs`);
		const currency = checkCurrency(row.currency, `${where} › Currency`);
		if (sessionCurrency !== undefined && currency !== sessionCurrency) {
			throw new InvalidParameter(
				`${where} › Currency`,
				`is ${currency.toUpperCase()} but line item 1 is ${sessionCurrency.toUpperCase()}: a session has one currency`,
			);
		}
		sessionCurrency = currency;
		const unitAmount = toMinorUnits(row.unitAmount, currency, format, `${where} › Unit Amount`);
		if (unitAmount < LIMITS.minUnitAmount || unitAmount > LIMITS.maxUnitAmount) {
			throw new InvalidParameter(
				`${where} › Unit Amount`,
				`must be between ${LIMITS.minUnitAmount} and ${LIMITS.maxUnitAmount.toLocaleString('en-US')} minor units, got ${unitAmount}${format === 'decimal' ? ` (from ${String(row.unitAmount)} ${currency.toUpperCase()})` : ''}`,
			);
		}
		const quantity = checkQuantity(row.quantity, `${where} › Quantity`);
		const productData: IDataObject = { name };
		if (description !== undefined) productData.description = description;
		if (images.length > 0) productData.images = images;
		return {
			quantity,
			price_data: { currency, unit_amount: unitAmount, product_data: productData },
		};
	});
}

function imageList(value: unknown, field: string): string[] {
	if (value === undefined || value === null || value === '') return [];
	const list = Array.isArray(value)
		? value
		: typeof value === 'string'
			? value.split(',').map((url) => url.trim()).filter((url) => url !== '')
			: undefined;
	if (list === undefined) throw new InvalidParameter(field, `must be a list of URLs, got ${describe(value)}`);
	if (list.length > LIMITS.images) {
		throw new InvalidParameter(field, `has ${list.length} images; Tilled allows at most ${LIMITS.images}`);
	}
	return list.map((url, index) => checkHttpUrl(url, `${field} › image ${index + 1}`));
}

/** Reads "Line Items (JSON)": a JSON string or, from an expression, an array already. */
export function parseLineItemsJson(value: unknown, field: string): LineItemInput[] {
	let parsed = value;
	if (typeof value === 'string') {
		const result = parseJson(value);
		if ('problem' in result) throw new InvalidParameter(field, `is not valid JSON: ${result.problem}`);
		parsed = result.value;
	}
	if (!Array.isArray(parsed)) {
		throw new InvalidParameter(field, `must be an array of line items, got ${describe(parsed)}`);
	}
	parsed.forEach((row, index) => {
		if (row === null || typeof row !== 'object' || Array.isArray(row)) {
			throw new InvalidParameter(`${field} › line item ${index + 1}`, `must be an object, got ${describe(row)}`);
		}
		const unknown = Object.keys(row).filter((key) => !JSON_LINE_ITEM_KEYS.has(key));
		if (unknown.length > 0) {
			throw new InvalidParameter(
				`${field} › line item ${index + 1}`,
				`has unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; allowed: ${[...JSON_LINE_ITEM_KEYS].join(', ')}`,
			);
		}
	});
	return parsed as LineItemInput[];
}

function parseJson(text: string): { value: unknown } | { problem: string } {
	try {
		return { value: JSON.parse(text) };
	} catch (error) {
		return { problem: (error as Error).message };
	}
}

const REQUIRED_LINE_ITEM_FIELDS = [
	['name', 'Product Name'],
	['currency', 'Currency'],
	['unitAmount', 'Unit Amount'],
	['quantity', 'Quantity'],
] as const;

function readFormRows(this: IExecuteFunctions, itemIndex: number): LineItemInput[] {
	const rows = (readParameter(this, 'lineItems', itemIndex, 'Line Items', {}) as { item?: LineItemInput[] }).item ?? [];
	rows.forEach((row, index) => {
		for (const [key, label] of REQUIRED_LINE_ITEM_FIELDS) {
			requireExpressionValue(this, `lineItems.item[${index}].${key}`, itemIndex, `Line Items › line item ${index + 1} › ${label}`, row[key]);
		}
	});
	return rows;
}

function readJsonRows(this: IExecuteFunctions, itemIndex: number): LineItemInput[] {
	const field = 'Line Items (JSON)';
	const value = readParameter(this, 'lineItemsJson', itemIndex, field);
	requireExpressionValue(this, 'lineItemsJson', itemIndex, field, value);
	const rows = parseLineItemsJson(value, field);
	// Mapped by an expression, a missing value is usually a misspelt name in the mapping.
	const expression = rows.length > 0 ? rawExpression(this, 'lineItemsJson', itemIndex) : undefined;
	if (expression !== undefined) {
		rows.forEach((row, index) => {
			const missing = REQUIRED_LINE_ITEM_FIELDS.find(([key]) => row[key] === undefined || row[key] === null || row[key] === '');
			if (missing) {
				throw new InvalidParameter(
					`${field} › line item ${index + 1} › ${missing[0]}`,
					`is required, but the expression gave no value for it: ${expression}. ${EXPRESSION_ADVICE}`,
				);
			}
		});
	}
	return rows;
}

export interface PreparedCreate {
	body: IDataObject;
	idempotencyKey?: string;
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function prepare(this: IExecuteFunctions, itemIndex: number): PreparedCreate {
	const format = readParameter(this, 'amountFormat', itemIndex, 'Amounts In', 'decimal') as AmountFormat;
	const input = readParameter(this, 'lineItemsInput', itemIndex, 'Line Items Input', 'fields') as string;
	const rows = input === 'json' ? readJsonRows.call(this, itemIndex) : readFormRows.call(this, itemIndex);
	const lineItems = buildLineItems(rows, format, input === 'json' ? 'Line Items (JSON)' : 'Line Items');
	const currency = (lineItems[0].price_data as IDataObject).currency as string;

	const types = readParameter(this, 'paymentMethodTypes', itemIndex, 'Payment Method Types', []);
	const paymentMethodTypes = Array.isArray(types) ? types : typeof types === 'string' ? [types] : [];
	if (paymentMethodTypes.length === 0) {
		throw new InvalidParameter('Payment Method Types', 'is empty: choose at least one, e.g. Card');
	}
	for (const type of paymentMethodTypes) {
		if (!(PAYMENT_METHOD_TYPES as readonly string[]).includes(type)) {
			throw new InvalidParameter(
				'Payment Method Types',
				`contains ${describe(type)}; allowed: ${PAYMENT_METHOD_TYPES.join(', ')}`,
			);
		}
	}

	const idempotencyKey = checkText(
		readParameter(this, 'options.idempotencyKey', itemIndex, 'Options › Idempotency Key', ''),
		'Options › Idempotency Key',
		{ required: false, maxLength: LIMITS.metadataValueLength },
	);
	const fields = readParameter(this, 'additionalFields', itemIndex, 'Additional Fields', {}) as IDataObject;
	const reservedKeys = idempotencyKey ? 2 : 1;
	const metadata = metadataFromPairs(fields.metadata, 'Additional Fields › Metadata', reservedKeys) ?? {};
	for (const key of [CREATE_MARKER_FIELD, IDEMPOTENCY_METADATA_FIELD]) {
		if (Object.prototype.hasOwnProperty.call(metadata, key)) {
			throw new InvalidParameter('Additional Fields › Metadata', `may not use the key "${key}": the node sets it itself`);
		}
	}
	const paymentIntentData: IDataObject = { payment_method_types: [...new Set(paymentMethodTypes)] };
	const paymentIntentMetadata = metadataFromPairs(
		fields.paymentIntentMetadata,
		'Additional Fields › Payment Intent Metadata',
	);
	if (paymentIntentMetadata) paymentIntentData.metadata = paymentIntentMetadata;
	if (fields.platformFeeAmount !== undefined && fields.platformFeeAmount !== '') {
		paymentIntentData.platform_fee_amount = toMinorUnits(
			fields.platformFeeAmount,
			currency,
			format,
			'Additional Fields › Platform Fee Amount',
		);
		if ((paymentIntentData.platform_fee_amount as number) < 0) {
			throw new InvalidParameter('Additional Fields › Platform Fee Amount', 'must not be negative');
		}
	}

	const body: IDataObject = { line_items: lineItems, payment_intent_data: paymentIntentData };
	if (fields.successUrl) body.success_url = checkHttpUrl(fields.successUrl, 'Additional Fields › Success URL');
	if (fields.cancelUrl) body.cancel_url = checkHttpUrl(fields.cancelUrl, 'Additional Fields › Cancel URL');
	if (fields.customerId !== undefined && fields.customerId !== '') {
		body.customer_id = checkId(fields.customerId, 'Additional Fields › Customer ID');
	}
	if (fields.customerEmail !== undefined && fields.customerEmail !== '') {
		const email = String(fields.customerEmail).trim();
		if (!EMAIL_PATTERN.test(email)) {
			throw new InvalidParameter('Additional Fields › Customer Email', `"${email}" is not an email address`);
		}
		body.customer_email = email;
	}
	if (fields.expiresAt !== undefined && fields.expiresAt !== '') {
		body.expires_at = checkFutureDateTime(
			fields.expiresAt,
			'Additional Fields › Expires At',
			this.getTimezone(),
			Date.now(),
		);
	}
	if (idempotencyKey) metadata[IDEMPOTENCY_METADATA_FIELD] = idempotencyKey;
	body.metadata = metadata;
	return { body, idempotencyKey };
}


/**
 * The session a key stands for: a complete one (paid: never make a second), else the oldest
 * open one (two racing runs both pick it), never an expired one (its page can no longer be paid).
 */
function sessionForKey(sessions: IDataObject[]): IDataObject | undefined {
	const complete = sessions.find((session) => session.status === 'complete');
	if (complete) return complete;
	const open = sessions.filter((session) => session.status === 'open');
	open.sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)) || String(a.id).localeCompare(String(b.id)));
	return open[0];
}

async function listByKey(
	this: IExecuteFunctions,
	settings: TransportSettings,
	idempotencyKey: string,
	itemIndex: number,
): Promise<IDataObject[]> {
	const page = await tilledApiRequest.call(this, settings, {
		method: 'GET',
		path: '/v1/checkout-sessions',
		qs: { ...listQuery({ metadata: { [IDEMPOTENCY_METADATA_FIELD]: idempotencyKey } }), limit: LIMITS.pageSize },
		safety: 'idempotent',
		action: 'list checkout sessions',
		itemIndex,
	});
	return (page.items as IDataObject[] | undefined) ?? [];
}


export const create: TilledOperation<PreparedCreate> = {
	name: 'Create',
	value: 'create',
	description: 'Create a checkout session and get the URL of its payment page',
	action: 'Create a checkout session',
	changesState: true,
	creates: 'Checkout sessions',
	options: [
		{
			displayName: 'Idempotency Key',
			name: 'idempotencyKey',
			type: 'string',
			default: '',
			description:
				'A key of yours for this payment, such as the order ID. If an open or paid session with this key exists already (from an earlier run), it is returned with alreadyExisted and its status instead of creating another; an expired one is replaced by a new session.',
		},
	],
	properties: createProperties,
	prepare,
	async run(prepared, { settings, itemIndex }) {
		if (prepared.idempotencyKey) {
			const existing = sessionForKey(await listByKey.call(this, settings, prepared.idempotencyKey, itemIndex));
			if (existing) return [{ ...existing, alreadyExisted: true }];
		}
		const marker = attemptMarker.call(this, itemIndex);
		const body = {
			...prepared.body,
			metadata: { ...(prepared.body.metadata as Metadata), [CREATE_MARKER_FIELD]: marker },
		};
		const session = await tilledApiRequest.call(this, settings, {
			method: 'POST',
			path: '/v1/checkout-sessions',
			body,
			safety: 'unsafe',
			action: 'create the checkout session',
			// Tilled has no idempotency key: after an unanswered create, look for our marker
			// before sending again, so there is exactly one session.
			recover: async () =>
				await findByMetadata.call(this, settings, CHECKOUT_SESSIONS, { [CREATE_MARKER_FIELD]: marker }, itemIndex),
			ambiguityNote: `Tilled never confirmed the session and none was found; if one shows up later, it has metadata ${CREATE_MARKER_FIELD}=${marker}`,
			itemIndex,
		});
		if (!prepared.idempotencyKey) return [session];
		// Two runs with one key can both find nothing and both create. Each then looks again and
		// hands out the same session (sessionForKey); the loser expires its own, whose page nobody
		// was given, so only one page can take money.
		const winner = sessionForKey(await listByKey.call(this, settings, prepared.idempotencyKey, itemIndex));
		if (winner === undefined || winner.id === session.id) return [{ ...session, alreadyExisted: false }];
		await tilledApiRequest.call(this, settings, {
			method: 'POST',
			path: `/v1/checkout-sessions/${String(session.id)}/expire`,
			safety: 'unsafe',
			action: 'expire the checkout session',
			itemIndex,
		});
		return [{ ...winner, alreadyExisted: true }];
	},
};
