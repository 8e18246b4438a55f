import type { IDataObject } from 'n8n-workflow';
import { readParameter } from '../../shared/errors';
import { tilledApiRequest } from '../../transport';
import { choiceOptions, fetchById, readId } from '../common';
import type { TilledOperation } from '../types';
import { PAYMENT_INTENTS, paymentIntentLocator } from './locator';

const REASONS = ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'] as const;

interface PreparedCancel {
	id: string;
	reason?: string;
}

export const cancel: TilledOperation<PreparedCancel> = {
	name: 'Cancel',
	value: 'cancel',
	description: 'Cancel a payment intent that is not paid yet (e.g. authorized but not captured)',
	action: 'Cancel a payment intent',
	changesState: true,
	properties: [
		paymentIntentLocator,
		{
			displayName: 'Reason',
			name: 'cancellationReason',
			type: 'options',
			options: [{ name: 'None', value: '' }, ...choiceOptions(REASONS)],
			default: '',
			description: 'Why it is canceled, kept by Tilled',
		},
	],
	prepare(itemIndex) {
		const id = readId.call(this, itemIndex, paymentIntentLocator);
		const reason = readParameter(this, 'cancellationReason', itemIndex, 'Reason', '') as string;
		return { id, reason: reason === '' ? undefined : reason };
	},
	async run({ id, reason }, { settings, itemIndex }) {
		return [
			await tilledApiRequest.call(this, settings, {
				method: 'POST',
				path: `${PAYMENT_INTENTS.path}/${id}/cancel`,
				body: reason ? { cancellation_reason: reason } : {},
				safety: 'unsafe',
				action: 'cancel the payment intent',
				itemIndex,
				// A cancel whose answer was lost may have worked: an intent found canceled is success.
				recover: async (): Promise<IDataObject | undefined> => {
					const intent = await fetchById.call(this, settings, PAYMENT_INTENTS, id, itemIndex);
					return intent.status === 'canceled' ? intent : undefined;
				},
			}),
		];
	},
};
