import type { IDataObject } from 'n8n-workflow';
import type { AmountFormat } from '../../shared/amounts';
import { readParameter } from '../../shared/errors';
import { tilledApiRequest } from '../../transport';
import { amountFormatProperty, minorUnits, needsCurrency, readAmount, type AmountInput } from '../amountInput';
import { fetchById, readId } from '../common';
import type { TilledOperation } from '../types';
import { PAYMENT_INTENTS, paymentIntentLocator } from './locator';

interface PreparedCapture {
	id: string;
	amountToCapture?: AmountInput;
	platformFee?: AmountInput;
}

export const capture: TilledOperation<PreparedCapture> = {
	name: 'Capture',
	value: 'capture',
	description: 'Capture an authorized payment intent (status requires_capture), in full or in part',
	action: 'Capture a payment intent',
	changesState: true,
	properties: [
		paymentIntentLocator,
		amountFormatProperty,
		{
			displayName: 'Amount to Capture',
			name: 'amountToCapture',
			type: 'string',
			default: '',
			placeholder: 'Empty: the whole authorized amount',
			description: 'How much to capture, at most the authorized amount; empty captures all of it',
		},
		{
			displayName: 'Platform Fee',
			name: 'platformFeeAmount',
			type: 'string',
			default: '',
			placeholder: 'Empty: as set on the payment intent',
			description: 'The platform fee to apply to this capture (partners only)',
		},
	],
	prepare(itemIndex) {
		const id = readId.call(this, itemIndex, paymentIntentLocator);
		const format = readParameter(this, 'amountFormat', itemIndex, 'Amounts In', 'decimal') as AmountFormat;
		const amountToCapture = readAmount(readParameter(this, 'amountToCapture', itemIndex, 'Amount to Capture', ''), format, 'Amount to Capture');
		const platformFee = readAmount(readParameter(this, 'platformFeeAmount', itemIndex, 'Platform Fee', ''), format, 'Platform Fee');
		return { id, amountToCapture, platformFee };
	},
	async run({ id, amountToCapture, platformFee }, { settings, itemIndex }) {
		const currency = needsCurrency(amountToCapture, platformFee)
			? String((await fetchById.call(this, settings, PAYMENT_INTENTS, id, itemIndex)).currency)
			: 'usd';
		const body: IDataObject = {};
		if (amountToCapture) body.amount_to_capture = minorUnits(amountToCapture, currency);
		if (platformFee) body.platform_fee_amount = minorUnits(platformFee, currency);
		return [
			await tilledApiRequest.call(this, settings, {
				method: 'POST',
				path: `${PAYMENT_INTENTS.path}/${id}/capture`,
				body,
				safety: 'unsafe',
				action: 'capture the payment intent',
				itemIndex,
				// A capture whose answer was lost may have worked: an intent no longer waiting for
				// capture (succeeded or processing) is not captured again.
				recover: async (): Promise<IDataObject | undefined> => {
					const intent = await fetchById.call(this, settings, PAYMENT_INTENTS, id, itemIndex);
					return intent.status === 'succeeded' || intent.status === 'processing' ? intent : undefined;
				},
			}),
		];
	},
};
