import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { AmountFormat } from '../../shared/amounts';
import { readParameter } from '../../shared/errors';
import { LIMITS } from '../../shared/limits';
import { metadataFromPairs, metadataProperty, type Metadata } from '../../shared/metadata';
import { checkText } from '../../shared/validation';
import { tilledApiRequest } from '../../transport';
import { amountFormatProperty, minorUnits, readAmount, type AmountInput } from '../amountInput';
import { CREATE_MARKER_FIELD, IDEMPOTENCY_METADATA_FIELD } from '../checkoutSession/create';
import { attemptMarker, choiceOptions, fetchById, findByMetadata, readId } from '../common';
import { PAYMENT_INTENTS, paymentIntentLocator } from '../paymentIntent/locator';
import type { TilledOperation } from '../types';
import { REFUNDS } from './locator';

const REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;

interface PreparedRefund {
	paymentIntentId: string;
	amount?: AmountInput;
	body: IDataObject;
	idempotencyKey?: string;
}

function prepare(this: IExecuteFunctions, itemIndex: number): PreparedRefund {
	const paymentIntentId = readId.call(this, itemIndex, paymentIntentLocator);
	const format = readParameter(this, 'amountFormat', itemIndex, 'Amounts In', 'decimal') as AmountFormat;
	const amount = readAmount(readParameter(this, 'amount', itemIndex, 'Amount', ''), format, 'Amount');
	const reason = readParameter(this, 'reason', itemIndex, 'Reason', '') as string;
	const refundPlatformFee = readParameter(this, 'refundPlatformFee', itemIndex, 'Refund Platform Fee', false) as boolean;
	const idempotencyKey = checkText(
		readParameter(this, 'options.idempotencyKey', itemIndex, 'Options › Idempotency Key', ''),
		'Options › Idempotency Key',
		{ required: false, maxLength: LIMITS.metadataValueLength },
	);
	// The node adds its marker, and the key when there is one: the user's keys plus ours stay within Tilled's limit.
	const metadata = metadataFromPairs(readParameter(this, 'metadata', itemIndex, 'Metadata', {}), 'Metadata', idempotencyKey ? 2 : 1) ?? {};
	if (idempotencyKey) metadata[IDEMPOTENCY_METADATA_FIELD] = idempotencyKey;
	const body: IDataObject = { payment_intent_id: paymentIntentId, metadata };
	if (reason !== '') body.reason = reason;
	if (refundPlatformFee) body.refund_platform_fee = true;
	return { paymentIntentId, amount, body, idempotencyKey };
}

export const create: TilledOperation<PreparedRefund> = {
	name: 'Create',
	value: 'create',
	description: 'Refund a payment in full or in part; sent exactly once, even when an answer is lost',
	action: 'Create a refund',
	changesState: true,
	creates: 'Refunds',
	options: [
		{
			displayName: 'Idempotency Key',
			name: 'idempotencyKey',
			type: 'string',
			default: '',
			description:
				'A key of yours for this refund, such as the order or return ID. If a refund with this key exists already (from an earlier run), it is returned (with alreadyExisted: true) instead of refunding again.',
		},
	],
	properties: [
		paymentIntentLocator,
		amountFormatProperty,
		{
			displayName: 'Amount',
			name: 'amount',
			type: 'string',
			default: '',
			placeholder: 'Empty: all that is left to refund',
			description: 'How much to refund; empty refunds the whole remaining amount. More than is left is refused by Tilled, naming both amounts.',
		},
		{
			displayName: 'Reason',
			name: 'reason',
			type: 'options',
			options: [{ name: 'None', value: '' }, ...choiceOptions(REASONS)],
			default: '',
			description: 'Why the payment is refunded, kept by Tilled',
		},
		{
			displayName: 'Refund Platform Fee',
			name: 'refundPlatformFee',
			type: 'boolean',
			default: false,
			description: 'Whether the platform fee is refunded too, in proportion to the amount (partners only)',
		},
		metadataProperty({
			displayName: 'Metadata',
			name: 'metadata',
			description: 'Key/value pairs kept with the refund, such as the order ID',
		}),
	],
	prepare,
	async run(prepared, { settings, itemIndex }) {
		if (prepared.idempotencyKey) {
			const existing = await findByMetadata.call(this, settings, REFUNDS, { [IDEMPOTENCY_METADATA_FIELD]: prepared.idempotencyKey }, itemIndex);
			if (existing) return [{ ...existing, alreadyExisted: true }];
		}
		const body = { ...prepared.body };
		if (prepared.amount) {
			const currency = prepared.amount.format === 'decimal'
				? String((await fetchById.call(this, settings, PAYMENT_INTENTS, prepared.paymentIntentId, itemIndex)).currency)
				: 'usd';
			body.amount = minorUnits(prepared.amount, currency);
		}
		const marker = attemptMarker.call(this, itemIndex);
		body.metadata = { ...(prepared.body.metadata as Metadata), [CREATE_MARKER_FIELD]: marker };
		const refund = await tilledApiRequest.call(this, settings, {
			method: 'POST',
			path: REFUNDS.path,
			body,
			safety: 'unsafe',
			action: 'refund the payment',
			// Tilled has no idempotency key: after an unanswered refund, look for our marker before
			// sending again, so the payment is refunded exactly once.
			recover: async () => await findByMetadata.call(this, settings, REFUNDS, { [CREATE_MARKER_FIELD]: marker }, itemIndex),
			ambiguityNote: `Tilled never confirmed the refund and none was found; if one shows up later, it has metadata ${CREATE_MARKER_FIELD}=${marker}`,
			itemIndex,
		});
		return [prepared.idempotencyKey ? { ...refund, alreadyExisted: false } : refund];
	},
};
